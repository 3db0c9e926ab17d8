//! One checkup: its judgement, proposals, deadlines and workflow, with the forms the role may use.

use super::*;

/// One item of a checkup page.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDoc {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// Reported category.
    pub category: String,
    /// Category letter (for styling).
    pub letter: String,
    /// Category from the value (when treated).
    pub value_category: String,
    /// Treated.
    pub treated: bool,
    /// Poorly controlled.
    pub poorly_controlled: bool,
    /// Verified flag of the rule row.
    pub verified: String,
    /// Why not judged.
    pub not_judged: String,
    /// Edition.
    pub edition: String,
    /// Source.
    pub source: String,
    /// Part of a combined item.
    pub part_of: String,
}

/// A step as shown.
#[derive(Debug, Clone, Serialize)]
pub struct StepDoc {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// Role.
    pub role: String,
    /// What.
    pub summary: String,
}

fn step_summary(s: &Step, lang: Lang) -> String {
    match s {
        Step::Guidance { level, note } => format!("指導区分: {} {note}", level.label_ja()),
        Step::Opinion(o) => {
            let mut m: Vec<String> = o.measures.iter().map(|m| measure_label(m.as_str(), lang)).collect();
            if !o.measures_text.is_empty() {
                m.push(o.measures_text.clone());
            }
            format!("就業区分: {} {} {}", work_label(Some(o.category), lang), m.join("・"), o.opinion)
        }
        Step::HrAck { note } => format!("人事確認 {note}"),
        Step::UrgentContact { reached, outcome } => {
            format!("連絡: {} {outcome}", if *reached { "本人に連絡がついた" } else { "不通" })
        }
        Step::ReferralClosed { outcome } => format!("受診確認: {outcome}"),
        Step::FollowupClosed { note } => format!("フォロー完了 {note}"),
        Step::HealthGuidance { phase, date, note } => format!("特定保健指導 {} {date}: {note}", phase.label_ja()),
    }
}

/// A checkup's judgement with its workflow.
#[derive(Debug, Clone, Serialize)]
pub struct CheckupDoc {
    /// Company.
    pub company_id: String,
    /// Employment (for the worker link).
    pub employment_id: String,
    /// Checkup event.
    pub event_id: String,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Date.
    pub checkup_date: NaiveDate,
    /// Kind.
    pub kind: String,
    /// Stage.
    pub stage: String,
    /// Overall.
    pub overall: String,
    /// Overall letter.
    pub overall_letter: String,
    /// Institution's overall.
    pub institution_overall: String,
    /// Differs.
    pub differs: bool,
    /// Some E item.
    pub has_treated: bool,
    /// Poorly controlled E.
    pub poorly_controlled: bool,
    /// Unverified rows used.
    pub uses_unverified: bool,
    /// Items that count in the overall.
    pub items: Vec<ItemDoc>,
    /// Urgent hits.
    pub urgent: Vec<UrgentHit>,
    /// Tier label.
    pub urgent_tier: String,
    /// Panic contact due.
    pub urgent_due: Option<DateTime<Utc>>,
    /// Urgent closed.
    pub urgent_closed_at: Option<DateTime<Utc>>,
    /// Proposed 指導区分.
    pub guidance_proposed: String,
    /// Confirmed 指導区分.
    pub guidance: String,
    /// Proposed 就業区分.
    pub work_candidate: String,
    /// Decided 就業区分.
    pub work_category: String,
    /// Measures.
    pub measures: Vec<String>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Review.
    pub review_on: Option<NaiveDate>,
    /// Opinion recorded.
    pub opinion_at: Option<DateTime<Utc>>,
    /// By.
    pub opinion_by: String,
    /// HR acknowledged.
    pub hr_ack_at: Option<DateTime<Utc>>,
    /// Opinion due.
    pub opinion_due: Option<NaiveDate>,
    /// Follow-up due.
    pub followup_due: Option<NaiveDate>,
    /// Follow-up closed.
    pub followup_closed_at: Option<DateTime<Utc>>,
    /// 二次健診 candidate.
    pub niji_candidate: bool,
    /// Claim until.
    pub niji_claim_until: Option<NaiveDate>,
    /// Stratification.
    pub stratification: String,
    /// Rules version.
    pub rules_version: String,
    /// Steps, oldest first.
    pub steps: Vec<StepDoc>,
}

fn checkup_doc(
    r: &JudgementRecord,
    steps: &[iphr_store::StepRecord],
    rules: &Rules,
    access: &PersonAccess<'_>,
    lang: Lang,
) -> CheckupDoc {
    let mut j = r.result.clone();
    rules.describe(&mut j, r.checkup_date, access.header.person.sex);
    let hours = i64::from(rules.settings.panic_contact_hours);
    CheckupDoc {
        company_id: r.company_id.to_string(),
        employment_id: r.employment_id.map(|e| e.to_string()).unwrap_or_default(),
        event_id: r.event_id.to_string(),
        employee_number: r.employee_number.clone().unwrap_or_default(),
        name: r.name.clone(),
        checkup_date: r.checkup_date,
        kind: kind_label(r.checkup_kind.as_deref()),
        stage: Stage::parse(&r.stage).map_or_else(|| r.stage.clone(), |s| s.label_ja().to_string()),
        overall: cat_label(j.overall, lang),
        overall_letter: j.overall.map(|c| c.as_str().to_string()).unwrap_or_default(),
        institution_overall: j.institution_overall.clone().unwrap_or_default(),
        differs: j.differs_from_institution,
        has_treated: j.has_treated,
        poorly_controlled: j.poorly_controlled,
        uses_unverified: j.uses_unverified,
        items: j
            .items
            .iter()
            .map(|i| ItemDoc {
                key: i.key.clone(),
                label: i.label_ja.clone(),
                value: i.value.clone(),
                unit: i.unit.clone(),
                category: cat_label(i.category, lang),
                letter: i.category.map(|c| c.as_str().to_string()).unwrap_or_default(),
                value_category: if i.treated { cat_label(i.value_category, lang) } else { String::new() },
                treated: i.treated,
                poorly_controlled: i.poorly_controlled,
                verified: i.verified.map(|v| v.as_str().to_string()).unwrap_or_default(),
                not_judged: i.not_judged.clone().unwrap_or_default(),
                edition: i.edition.clone(),
                source: i.source.clone(),
                part_of: i.part_of.clone().unwrap_or_default(),
            })
            .collect(),
        urgent: j.urgent.clone(),
        urgent_tier: j.urgent_tier.map(|t| t.label_ja().to_string()).unwrap_or_default(),
        urgent_due: if j.urgent_tier == Some(UrgentTier::Panic) {
            r.urgent_detected_at.map(|d| d + Duration::hours(hours))
        } else {
            None
        },
        urgent_closed_at: r.urgent_closed_at,
        guidance_proposed: j.guidance.map(|g| g.label_ja().to_string()).unwrap_or_default(),
        guidance: r
            .guidance
            .as_deref()
            .and_then(GuidanceLevel::parse)
            .map(|g| format!("{} ({})", g.label_ja(), g.mhlw_code()))
            .unwrap_or_default(),
        work_candidate: work_label(j.work_candidate, lang),
        work_category: r.work_category.map(|w| work_label(Some(w), lang)).unwrap_or_default(),
        measures: r.measures.iter().map(|m| measure_label(m, lang)).collect(),
        valid_until: r.valid_until,
        review_on: r.review_on,
        opinion_at: r.opinion_at,
        opinion_by: r.opinion_by.clone().unwrap_or_default(),
        hr_ack_at: r.hr_ack_at,
        opinion_due: j.opinion_due,
        followup_due: j.followup_due,
        followup_closed_at: r.followup_closed_at,
        niji_candidate: j.niji_candidate,
        niji_claim_until: j.niji_claim_until,
        stratification: j.stratification.map(|s| s.label_ja().to_string()).unwrap_or_default(),
        rules_version: j.rules_version.clone(),
        steps: steps
            .iter()
            .map(|s| StepDoc {
                at: s.at,
                by: s.by_login.clone(),
                role: s.by_role.label_ja().to_string(),
                summary: step_summary(&s.step, lang),
            })
            .collect(),
    }
}

/// The person of a checkup, found through its judgement (a look-up: nothing of the judgement
/// is read before the person's access is decided).
pub(super) async fn checkup_person(guard: &Guard, cid: CompanyId, evid: EventId) -> Result<PersonAccess<'_>, AppError> {
    let eid = guard
        .store()
        .judgement(cid, evid)
        .await?
        .ok_or_else(|| AppError::NotFound("この健診はまだ判定されていません".into()))?
        .employment_id
        .ok_or_else(|| AppError::NotFound("この健診の雇用が見つかりません".into()))?;
    guard.person(cid, eid).await
}

/// A checkup's judgement and its steps, read through the person's access (classes 1 and 2:
/// refused where either is denied; audited).
pub(super) async fn read_checkup(
    person: &PersonAccess<'_>,
    cid: CompanyId,
    evid: EventId,
) -> Result<(JudgementRecord, Vec<iphr_store::StepRecord>), AppError> {
    person
        .read(&[InfoClass::Class1, InfoClass::Class2], |s| async move {
            let r = s.judgement(cid, evid).await?.ok_or_else(|| iphr_store::StoreError::NotFound(evid.to_string()))?;
            let steps = s.steps(cid, evid).await?;
            Ok((r, steps))
        })
        .await
}

/// The checkup document of a request.
async fn checkup_of(guard: &Guard, cid: CompanyId, evid: EventId) -> Result<CheckupDoc, AppError> {
    let person = checkup_person(guard, cid, evid).await?;
    let (r, steps) = read_checkup(&person, cid, evid).await?;
    let rules = company_rules(guard, cid).await?;
    Ok(checkup_doc(&r, &steps, &rules, &person, guard.lang()))
}

/// `GET /companies/{cid}/checkups/{evid}` page.
#[derive(Template)]
#[template(path = "postcheckup/checkup.html")]
pub struct CheckupPage {
    f: Frame,
    d: CheckupDoc,
    is_physician: bool,
    is_staff: bool,
    measures: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    guidance_levels: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    phases: Vec<(String, String)>,
}

/// `GET /companies/{cid}/checkups/{evid}`: the checkup's judgement, proposals, deadlines and
/// workflow, with the forms the role may use.
pub async fn checkup(guard: Guard, Path((cid, evid)): Path<(CompanyId, EventId)>) -> Result<Response, AppError> {
    let d = checkup_of(&guard, cid, evid).await?;
    let role = guard.user().actor.role;
    Ok(render(&CheckupPage {
        f: Frame::of(&guard),
        d,
        is_physician: role == Role::Physician,
        is_staff: matches!(role, Role::Physician | Role::Nurse),
        measures: Measure::ALL.iter().map(|m| (m.as_str().to_string(), m.label_ja().to_string())).collect(),
        categories: WorkCategory::ALL
            .iter()
            .map(|w| (w.as_str().to_string(), format!("{}({})", w.label_ja(), w.legal().label_ja())))
            .collect(),
        guidance_levels: GuidanceLevel::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), format!("{} ({})", g.label_ja(), g.mhlw_code())))
            .collect(),
        statuses: TreatmentStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label_ja().to_string())).collect(),
        phases: GuidancePhase::ALL.iter().map(|p| (p.as_str().to_string(), p.label_ja().to_string())).collect(),
    }))
}

/// `GET /api/v1/companies/{cid}/checkups/{evid}/judgement`.
pub async fn checkup_api(
    guard: ApiGuard,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
) -> Result<Json<CheckupDoc>, ApiError> {
    Ok(Json(checkup_of(&guard, cid, evid).await?))
}
