//! The post-checkup pages and API (事後措置): the physician's dashboard per company and across the
//! companies served, a checkup's judgement with its workflow, the HR view of measures, and the
//! rule tables with their sources.
//!
//! Classes (指針): judgements, urgent values and guidance are class 2 (the dashboard and the
//! checkup page need it outright); 就業区分, measures and due dates are class 1 (the HR view).
//! Only a physician decides the 就業区分 ([`Step::allowed_for`]).

use crate::AppState;
use crate::access::{Guard, PersonAccess};
use crate::auth::{ApiUser, CurrentUser, check_csrf};
use crate::error::{ApiError, AppError};
use crate::forms::field;
use crate::i18n::Lang;
use crate::pages::visible_companies;
use crate::views::{Frame, render};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use iphr_domain::event::CheckupKind;
use iphr_domain::info_class::InfoClass;
use iphr_domain::judgement::{Category, Rules, UrgentHit, UrgentTier};
use iphr_domain::postcheckup::{
    ConditionStatus, GuidanceLevel, GuidancePhase, Measure, Opinion, Stage, Step, TreatmentStatus, WorkCategory,
};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EventId};
use iphr_store::{DashboardCounts, JudgementFilter, JudgementRecord, Section, StepWrite};
use serde::{Deserialize, Serialize};

/// Today in Japan (deadlines are calendar days in JST).
pub fn today_jst() -> NaiveDate {
    jst_date(Utc::now())
}

/// The calendar date in Japan of an instant.
pub fn jst_date(t: chrono::DateTime<Utc>) -> NaiveDate {
    let jst =
        FixedOffset::east_opt(9 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()));
    t.with_timezone(&jst).date_naive()
}

/// Rows per dashboard section (the section page shows up to [`SECTION_ALL`]).
const SECTION_ROWS: u32 = 20;
const SECTION_ALL: u32 = 2000;

fn cat_label(c: Option<Category>, lang: Lang) -> String {
    match c {
        Some(c) if lang == Lang::En => format!("{} {}", c.as_str(), c.label_en()),
        Some(c) => format!("{} {}", c.as_str(), c.label_ja()),
        None => "—".into(),
    }
}

fn measure_label(code: &str, lang: Lang) -> String {
    match Measure::parse(code) {
        Some(m) if lang == Lang::En => m.label_en().into(),
        Some(m) => m.label_ja().into(),
        None => code.into(),
    }
}

fn work_label(w: Option<WorkCategory>, lang: Lang) -> String {
    match w {
        Some(w) if lang == Lang::En => format!("{} ({})", w.label_en(), w.legal().label_en()),
        Some(w) => format!("{}({})", w.label_ja(), w.legal().label_ja()),
        None => "—".into(),
    }
}

fn kind_label(kind: Option<&str>) -> String {
    kind.and_then(CheckupKind::parse).map_or_else(|| kind.unwrap_or("—").to_string(), |k| k.label_ja().to_string())
}

/// One row of a dashboard list.
#[derive(Debug, Clone, Serialize)]
pub struct RowDoc {
    /// Checkup event.
    pub event_id: String,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Checkup date.
    pub checkup_date: NaiveDate,
    /// Kind.
    pub kind: String,
    /// Overall 診断区分.
    pub overall: String,
    /// The overall rests on rule rows not fully verified.
    pub unverified: bool,
    /// Urgent tier.
    pub urgent: String,
    /// Urgent hits, e.g. `収縮期血圧 182 mmHg (>=180 mmHg)`.
    pub urgent_hits: Vec<String>,
    /// The relevant due date of the section.
    pub due: Option<NaiveDate>,
    /// Overdue.
    pub overdue: bool,
    /// Proposed 就業区分.
    pub work_candidate: String,
    /// May be confirmed in bulk as 通常勤務 (candidate normal, no urgent value).
    pub bulk_ok: bool,
    /// Stage label.
    pub stage: String,
    /// Stratification label.
    pub stratification: String,
}

fn hit_text(u: &UrgentHit) -> String {
    format!("{} {} ({})", u.label_ja, u.value, u.limit)
}

fn row_doc(r: &JudgementRecord, section: Option<Section>, today: NaiveDate, lang: Lang, panic_hours: u32) -> RowDoc {
    let j = &r.result;
    let due = match section {
        Some(Section::OpinionDue) => j.opinion_due,
        Some(Section::Followup) => j.followup_due,
        Some(Section::Niji) => j.niji_claim_until,
        Some(Section::Panic) => {
            r.urgent_detected_at.map(|d| (d + Duration::hours(i64::from(panic_hours))).date_naive())
        }
        Some(Section::HrPending) => r.valid_until,
        _ => None,
    };
    let overdue = match section {
        Some(Section::Panic) => {
            r.urgent_detected_at.is_some_and(|d| d + Duration::hours(i64::from(panic_hours)) < Utc::now())
        }
        _ => due.is_some_and(|d| d < today),
    };
    RowDoc {
        event_id: r.event_id.to_string(),
        employee_number: r.employee_number.clone().unwrap_or_default(),
        name: r.name.clone(),
        checkup_date: r.checkup_date,
        kind: kind_label(r.checkup_kind.as_deref()),
        overall: cat_label(j.overall, lang),
        unverified: j.uses_unverified,
        urgent: j.urgent_tier.map(|t| t.label_ja().to_string()).unwrap_or_default(),
        urgent_hits: j.urgent.iter().map(hit_text).collect(),
        due,
        overdue,
        work_candidate: work_label(j.work_candidate, lang),
        bulk_ok: j.work_candidate == Some(WorkCategory::Normal) && j.urgent_tier.is_none(),
        stage: Stage::parse(&r.stage).map_or_else(|| r.stage.clone(), |s| s.label_ja().to_string()),
        stratification: j.stratification.map(|s| s.label_ja().to_string()).unwrap_or_default(),
    }
}

/// One dashboard section.
#[derive(Debug, Clone, Serialize)]
pub struct SectionDoc {
    /// Key.
    pub key: String,
    /// Label.
    pub label: String,
    /// Count.
    pub count: u64,
    /// Rows shown.
    pub rows: Vec<RowDoc>,
}

/// The dashboard of one company.
#[derive(Debug, Clone, Serialize)]
pub struct DashboardDoc {
    /// Company.
    pub company_id: String,
    /// Name.
    pub company_name: String,
    /// Today (JST).
    pub today: NaiveDate,
    /// Counts.
    pub counts: DashboardCounts,
    /// Sections in the physician's order.
    pub sections: Vec<SectionDoc>,
}

async fn dashboard_doc(
    state: &AppState,
    company: &Company,
    lang: Lang,
    only: Option<Section>,
) -> Result<DashboardDoc, AppError> {
    let rules = iphr_postcheckup::company_rules(state.store.as_ref(), company.id)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let hours = rules.settings.panic_contact_hours;
    let today = today_jst();
    let counts =
        state.store.dashboard_counts(company.id, today, Utc::now() - Duration::hours(i64::from(hours))).await?;
    let mut sections = Vec::new();
    for s in Section::ALL {
        if s == Section::HrPending || only.is_some_and(|o| o != s) {
            continue;
        }
        let count = match s {
            Section::Panic => counts.panic,
            Section::Referral => counts.referral,
            Section::OpinionDue => counts.opinion_due,
            Section::Followup => counts.followup,
            Section::Niji => counts.niji,
            Section::Stratification => counts.strat_active + counts.strat_motivational,
            Section::HrPending => counts.hr_pending,
        };
        let limit = if only.is_some() { SECTION_ALL } else { SECTION_ROWS };
        let filter = JudgementFilter { latest_only: true, section: Some(s), today, since: None, limit: Some(limit) };
        let rows = state.store.judgements(company.id, &filter).await?;
        sections.push(SectionDoc {
            key: s.as_str().into(),
            label: if lang == Lang::En { s.label_en().into() } else { s.label_ja().into() },
            count,
            rows: rows.iter().map(|r| row_doc(r, Some(s), today, lang, hours)).collect(),
        });
    }
    Ok(DashboardDoc { company_id: company.id.to_string(), company_name: company.name.clone(), today, counts, sections })
}

/// `GET /companies/{cid}/postcheckup` page.
#[derive(Template)]
#[template(path = "postcheckup.html")]
pub struct DashboardPage {
    f: Frame,
    d: DashboardDoc,
    only: Option<String>,
    is_physician: bool,
}

/// Dashboard parameters.
#[derive(Deserialize, Default)]
pub struct DashParams {
    /// One section in full.
    #[serde(default)]
    pub section: Option<String>,
}

fn parse_section(s: Option<&str>) -> Result<Option<Section>, AppError> {
    match s {
        None | Some("") => Ok(None),
        Some(s) => Section::parse(s).map(Some).ok_or_else(|| AppError::BadRequest(format!("section {s:?}"))),
    }
}

/// `GET /companies/{cid}/postcheckup`: the physician's dashboard of one company.
pub async fn dashboard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<DashParams>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/postcheckup");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let company = guard.company_class(cid, InfoClass::Class2, "post-checkup dashboard").await?;
    let only = parse_section(p.section.as_deref())?;
    let d = dashboard_doc(&state, &company, user.lang, only).await?;
    Ok(render(&DashboardPage {
        f: Frame::new(&user, path),
        d,
        only: only.map(|s| s.as_str().to_string()),
        is_physician: user.actor.role == Role::Physician,
    }))
}

/// `GET /api/v1/companies/{cid}/postcheckup`.
pub async fn dashboard_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<DashParams>,
) -> Result<Json<DashboardDoc>, ApiError> {
    let guard = Guard::new(&state, &user, format!("GET /api/v1/companies/{cid}/postcheckup"));
    let company = guard.company_class(cid, InfoClass::Class2, "post-checkup dashboard").await?;
    let only = parse_section(p.section.as_deref())?;
    Ok(Json(dashboard_doc(&state, &company, user.lang, only).await?))
}

/// Counts of one company on the all-companies dashboard.
#[derive(Debug, Clone, Serialize)]
pub struct CompanyCounts {
    /// Company.
    pub company_id: String,
    /// Name.
    pub name: String,
    /// Counts.
    pub counts: DashboardCounts,
}

/// `GET /postcheckup` page.
#[derive(Template)]
#[template(path = "postcheckup_all.html")]
pub struct AllPage {
    f: Frame,
    rows: Vec<CompanyCounts>,
    totals: DashboardCounts,
}

/// `GET /postcheckup`: every company the physician or nurse serves, counts per section.
pub async fn all_companies(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let guard = Guard::new(&state, &user, "GET /postcheckup");
    // A staff page: a worker is refused like on every other staff page, not shown an empty one.
    if user.actor.role == Role::Worker {
        return guard.refuse(None, user.actor.person_id, Some(InfoClass::Class2), "not_own_record").await;
    }
    let mut rows = Vec::new();
    let mut totals = DashboardCounts::default();
    for c in visible_companies(&state, &user).await? {
        let company = guard.company_class(c.id, InfoClass::Class2, "post-checkup counts").await?;
        let rules = iphr_postcheckup::company_rules(state.store.as_ref(), c.id)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let cutoff = Utc::now() - Duration::hours(i64::from(rules.settings.panic_contact_hours));
        let counts = state.store.dashboard_counts(c.id, today_jst(), cutoff).await?;
        totals.panic += counts.panic;
        totals.panic_overdue += counts.panic_overdue;
        totals.referral += counts.referral;
        totals.opinion_due += counts.opinion_due;
        totals.opinion_overdue += counts.opinion_overdue;
        totals.followup += counts.followup;
        totals.niji += counts.niji;
        totals.strat_active += counts.strat_active;
        totals.strat_motivational += counts.strat_motivational;
        totals.strat_information += counts.strat_information;
        totals.hr_pending += counts.hr_pending;
        totals.judged += counts.judged;
        rows.push(CompanyCounts { company_id: company.id.to_string(), name: company.name, counts });
    }
    Ok(render(&AllPage { f: Frame::new(&user, "/postcheckup"), rows, totals }))
}

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

async fn checkup_doc(
    state: &AppState,
    r: &JudgementRecord,
    rules: &Rules,
    access: &PersonAccess,
    lang: Lang,
) -> Result<CheckupDoc, AppError> {
    let mut j = r.result.clone();
    rules.describe(&mut j, r.checkup_date, access.header.person.sex);
    let steps = state.store.steps(r.company_id, r.event_id).await?;
    let hours = i64::from(rules.settings.panic_contact_hours);
    Ok(CheckupDoc {
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
    })
}

/// Loads a checkup's judgement and the person's access, requiring class 2.
async fn load_checkup(
    state: &AppState,
    guard: &Guard<'_>,
    cid: CompanyId,
    evid: EventId,
) -> Result<(JudgementRecord, PersonAccess), AppError> {
    let r = state
        .store
        .judgement(cid, evid)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("judgement of checkup {evid} (run iphr judge)")))?;
    let eid = r.employment_id.ok_or_else(|| AppError::NotFound(format!("employment of checkup {evid}")))?;
    let access = guard.person(cid, eid).await?;
    Ok((r, access))
}

/// `GET /companies/{cid}/checkups/{evid}` page.
#[derive(Template)]
#[template(path = "checkup.html")]
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
pub async fn checkup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/checkups/{evid}");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let (r, access) = load_checkup(&state, &guard, cid, evid).await?;
    guard.require(&access, InfoClass::Class2).await?;
    let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let d = checkup_doc(&state, &r, &rules, &access, user.lang).await?;
    guard.read(&access, &[InfoClass::Class1, InfoClass::Class2]).await?;
    let role = user.actor.role;
    Ok(render(&CheckupPage {
        f: Frame::new(&user, path),
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
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
) -> Result<Json<CheckupDoc>, ApiError> {
    let guard = Guard::new(&state, &user, format!("GET /api/v1/companies/{cid}/checkups/{evid}/judgement"));
    let (r, access) = load_checkup(&state, &guard, cid, evid).await?;
    guard.require(&access, InfoClass::Class2).await?;
    let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let d = checkup_doc(&state, &r, &rules, &access, user.lang).await?;
    guard.read(&access, &[InfoClass::Class1, InfoClass::Class2]).await?;
    Ok(Json(d))
}

/// The classes a step writes: the 就業区分 and HR's acknowledgement are class 1 (措置), the
/// rest (guidance, contacts about values, follow-up) class 2.
fn step_class(step: &Step) -> InfoClass {
    match step {
        Step::Opinion(_) | Step::HrAck { .. } => InfoClass::Class1,
        _ => InfoClass::Class2,
    }
}

/// Records a step after the policy, role and CSRF checks; shared by the form and the API.
async fn record_step(
    state: &AppState,
    user: &CurrentUser,
    action: String,
    cid: CompanyId,
    evid: EventId,
    step: Step,
) -> Result<JudgementRecord, AppError> {
    let guard = Guard::new(state, user, action);
    let (judgement, access) = load_checkup(state, &guard, cid, evid).await?;
    let class = step_class(&step);
    guard.require(&access, class).await?;
    guard.require_role(&access, step.allowed_for(user.actor.role), step.name()).await?;
    if matches!(step, Step::HrAck { .. }) && judgement.work_category.is_none() {
        // The store refuses it too: the acknowledgement needs the opinion it acknowledges.
        return Err(AppError::Conflict("医師の意見 (就業区分) がまだないため、人事確認はできません。".into()));
    }
    // What the step puts on the worker's timeline: the opinion (and treatment statuses), or
    // the employer's decision on the opinion in force.
    let current = match &step {
        Step::HrAck { .. } => state.store.steps(cid, evid).await?.into_iter().rev().find_map(|s| match s.step {
            Step::Opinion(o) => Some(o),
            _ => None,
        }),
        _ => None,
    };
    let subject = iphr_domain::postcheckup::StepSubject {
        company_id: cid,
        person_id: access.subject.person_id,
        employment_id: judgement.employment_id,
        checkup: evid,
        checkup_date: judgement.checkup_date,
    };
    let events =
        iphr_domain::postcheckup::step_events(&step, current.as_ref(), subject, today_jst(), &user.actor.login);
    let r = state
        .store
        .append_step(&StepWrite {
            company_id: cid,
            event_id: evid,
            step: step.clone(),
            by_login: user.actor.login.clone(),
            by_role: user.actor.role,
            at: Utc::now(),
            records: events,
        })
        .await?;
    guard.wrote(&access, class, step.name()).await?;
    Ok(r)
}

fn opt_date(pairs: &[(String, String)], k: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = field(pairs, k).trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| AppError::BadRequest(format!("{k}: {v:?} is not a date (YYYY-MM-DD)")))
}

/// Reads a step from the checkup page's forms.
fn step_from_form(pairs: &[(String, String)]) -> Result<Step, AppError> {
    let text = |k: &str| field(pairs, k).trim().to_string();
    Ok(match field(pairs, "step") {
        "guidance" => Step::Guidance {
            level: GuidanceLevel::parse(field(pairs, "level"))
                .ok_or_else(|| AppError::BadRequest("level: choose a 指導区分".into()))?,
            note: text("note"),
        },
        "opinion" => {
            let category = WorkCategory::parse(field(pairs, "category"))
                .ok_or_else(|| AppError::BadRequest("category: choose a 就業区分".into()))?;
            let measures = pairs
                .iter()
                .filter(|(k, _)| k == "measure")
                .map(|(_, v)| Measure::parse(v).ok_or_else(|| AppError::BadRequest(format!("measure: {v:?}"))))
                .collect::<Result<Vec<_>, _>>()?;
            if category == WorkCategory::Restriction && measures.is_empty() && text("measures_text").is_empty() {
                return Err(AppError::BadRequest("measure: 要制限 needs at least one measure".into()));
            }
            let conditions = if text("condition").is_empty() {
                vec![]
            } else {
                vec![ConditionStatus {
                    condition: text("condition"),
                    status: TreatmentStatus::parse(field(pairs, "treatment"))
                        .ok_or_else(|| AppError::BadRequest("treatment: choose a status".into()))?,
                }]
            };
            Step::Opinion(Opinion {
                category,
                measures,
                measures_text: text("measures_text"),
                reasons: text("reasons"),
                opinion: text("opinion"),
                valid_until: opt_date(pairs, "valid_until")?,
                review_on: opt_date(pairs, "review_on")?,
                conditions,
            })
        }
        "hr_ack" => Step::HrAck { note: text("note") },
        "urgent_contact" => Step::UrgentContact { reached: field(pairs, "reached") == "yes", outcome: text("outcome") },
        "referral_closed" => Step::ReferralClosed { outcome: text("outcome") },
        "followup_closed" => Step::FollowupClosed { note: text("note") },
        "health_guidance" => Step::HealthGuidance {
            phase: GuidancePhase::parse(field(pairs, "phase"))
                .ok_or_else(|| AppError::BadRequest("phase: plan, session or outcome".into()))?,
            date: opt_date(pairs, "date")?.ok_or_else(|| AppError::BadRequest("date: required".into()))?,
            note: text("note"),
        },
        other => return Err(AppError::BadRequest(format!("step: {other:?}"))),
    })
}

/// `POST /companies/{cid}/checkups/{evid}/steps` (form).
pub async fn post_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let step = step_from_form(&pairs)?;
    let back = match (&step, field(&pairs, "back")) {
        (Step::HrAck { .. }, _) => format!("/companies/{cid}/measures"),
        _ => format!("/companies/{cid}/checkups/{evid}"),
    };
    record_step(&state, &user, format!("POST /companies/{cid}/checkups/{evid}/steps"), cid, evid, step).await?;
    Ok(Redirect::to(&back).into_response())
}

/// `POST /api/v1/companies/{cid}/checkups/{evid}/steps` (JSON step; `X-CSRF-Token` header).
pub async fn post_step_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
    headers: HeaderMap,
    Json(step): Json<Step>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    check_csrf(&user, token)?;
    let r = record_step(&state, &user, format!("POST /api/v1/companies/{cid}/checkups/{evid}/steps"), cid, evid, step)
        .await?;
    Ok(Json(serde_json::json!({ "event_id": r.event_id, "stage": r.stage })))
}

/// `POST /companies/{cid}/postcheckup/bulk-normal`: the physician confirms 通常勤務 for the
/// selected checkups (candidate 通常勤務可, no urgent value); one decision per worker, each audited.
pub async fn bulk_normal(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let action = format!("POST /companies/{cid}/postcheckup/bulk-normal");
    if user.actor.role != Role::Physician {
        Guard::new(&state, &user, action.clone())
            .audit(Some(cid), None, None, false, "only a physician decides")
            .await?;
        return Err(AppError::Forbidden("only a physician decides the 就業区分".into()));
    }
    let ids: Vec<EventId> = pairs
        .iter()
        .filter(|(k, _)| k == "event")
        .map(|(_, v)| v.parse::<EventId>().map_err(|_| AppError::BadRequest(format!("event: {v:?}"))))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(AppError::BadRequest("event: select at least one checkup".into()));
    }
    let mut skipped = 0usize;
    for evid in ids {
        let Some(r) = state.store.judgement(cid, evid).await? else {
            skipped += 1;
            continue;
        };
        if r.result.work_candidate != Some(WorkCategory::Normal)
            || r.result.urgent_tier.is_some()
            || r.opinion_at.is_some()
        {
            skipped += 1;
            continue;
        }
        let step = Step::Opinion(Opinion {
            category: WorkCategory::Normal,
            measures: vec![],
            measures_text: String::new(),
            reasons: "一括確認: 所見なし又は通常勤務可".into(),
            opinion: "通常勤務可".into(),
            valid_until: None,
            review_on: None,
            conditions: vec![],
        });
        record_step(&state, &user, action.clone(), cid, evid, step).await?;
    }
    let _ = skipped;
    Ok(Redirect::to(&format!("/companies/{cid}/postcheckup?section=opinion_due")).into_response())
}

/// A row of the HR view: class 1 only — taken, 就業区分, measures, dates. Never values or
/// diagnoses.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureRow {
    /// Checkup event.
    pub event_id: String,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Checkup date (taken).
    pub checkup_date: NaiveDate,
    /// Kind.
    pub kind: String,
    /// The legal 就業区分.
    pub legal_category: String,
    /// The finer level.
    pub work_category: String,
    /// Measures.
    pub measures: Vec<String>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Review date.
    pub review_on: Option<NaiveDate>,
    /// Opinion due (while not given).
    pub opinion_due: Option<NaiveDate>,
    /// Opinion given on.
    pub opinion_at: Option<DateTime<Utc>>,
    /// HR acknowledged on.
    pub hr_ack_at: Option<DateTime<Utc>>,
    /// Waiting for HR.
    pub needs_ack: bool,
}

fn measure_rows(records: &[JudgementRecord], lang: Lang) -> Vec<MeasureRow> {
    records
        .iter()
        .map(|r| MeasureRow {
            event_id: r.event_id.to_string(),
            employee_number: r.employee_number.clone().unwrap_or_default(),
            name: r.name.clone(),
            checkup_date: r.checkup_date,
            kind: kind_label(r.checkup_kind.as_deref()),
            legal_category: r.work_category.map(|w| w.legal().label_ja().to_string()).unwrap_or_default(),
            work_category: r.work_category.map(|w| w.label_ja().to_string()).unwrap_or_default(),
            measures: r.measures.iter().map(|m| measure_label(m, lang)).collect(),
            valid_until: r.valid_until,
            review_on: r.review_on,
            opinion_due: if r.opinion_at.is_none() { r.result.opinion_due } else { None },
            opinion_at: r.opinion_at,
            hr_ack_at: r.hr_ack_at,
            needs_ack: r.opinion_at.is_some()
                && r.hr_ack_at.is_none()
                && r.work_category.is_some_and(|w| w != WorkCategory::Normal),
        })
        .collect()
}

/// HR view parameters.
#[derive(Deserialize, Default)]
pub struct MeasureParams {
    /// Only measures awaiting acknowledgement.
    #[serde(default)]
    pub pending: Option<String>,
}

async fn measures_doc(
    state: &AppState,
    cid: CompanyId,
    pending: bool,
    lang: Lang,
) -> Result<Vec<MeasureRow>, AppError> {
    let filter = JudgementFilter {
        latest_only: true,
        section: pending.then_some(Section::HrPending),
        today: today_jst(),
        since: None,
        limit: Some(SECTION_ALL),
    };
    Ok(measure_rows(&state.store.judgements(cid, &filter).await?, lang))
}

/// `GET /companies/{cid}/measures` page.
#[derive(Template)]
#[template(path = "measures.html")]
pub struct MeasuresPage {
    f: Frame,
    company: Company,
    rows: Vec<MeasureRow>,
    pending: bool,
    can_ack: bool,
}

/// `GET /companies/{cid}/measures`: the HR view — class 1 only.
pub async fn measures(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<MeasureParams>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/measures");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let company = guard.company_class(cid, InfoClass::Class1, "employment measures").await?;
    let pending = p.pending.as_deref() == Some("1");
    let rows = measures_doc(&state, cid, pending, user.lang).await?;
    let can_ack = matches!(user.actor.role, Role::Hr | Role::HealthManager);
    Ok(render(&MeasuresPage { f: Frame::new(&user, path), company, rows, pending, can_ack }))
}

/// `GET /api/v1/companies/{cid}/measures`.
pub async fn measures_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<MeasureParams>,
) -> Result<Json<Vec<MeasureRow>>, ApiError> {
    let guard = Guard::new(&state, &user, format!("GET /api/v1/companies/{cid}/measures"));
    guard.company_class(cid, InfoClass::Class1, "employment measures").await?;
    Ok(Json(measures_doc(&state, cid, p.pending.as_deref() == Some("1"), user.lang).await?))
}

/// `GET /rules` page.
#[derive(Template)]
#[template(path = "rules.html")]
pub struct RulesPage {
    f: Frame,
    company: Option<Company>,
    companies: Vec<Company>,
    rules: Rules,
    overridden: Vec<String>,
}

/// Rules parameters.
#[derive(Deserialize, Default)]
pub struct RulesParams {
    /// A company: its tables with overrides.
    #[serde(default)]
    pub company: Option<CompanyId>,
}

/// `GET /rules`: the rule tables in force, with source, edition and verified flag per row.
pub async fn rules_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<RulesParams>,
) -> Result<Response, AppError> {
    let companies = visible_companies(&state, &user).await?;
    let (company, rules, overridden) = match p.company {
        Some(cid) => {
            let company = Guard::new(&state, &user, "GET /rules").company(cid).await?;
            let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let overridden = state.store.rule_overrides(cid).await?.into_iter().map(|o| o.table).collect();
            (Some(company), rules, overridden)
        }
        None => (None, Rules::embedded().map_err(|e| AppError::Internal(e.to_string()))?.clone(), vec![]),
    };
    Ok(render(&RulesPage { f: Frame::new(&user, "/rules"), company, companies, rules, overridden }))
}

/// Export parameters.
#[derive(Deserialize, Default)]
pub struct ExportParams {
    /// `csv` or `json` (default).
    #[serde(default)]
    pub format: Option<String>,
    /// `1`: only each person's latest checkup.
    #[serde(default)]
    pub latest: Option<String>,
}

/// `GET /api/v1/companies/{cid}/judgements?format=csv|json&latest=1`: the judgement export (the
/// same rows as `iphr export judgements`), class 2.
pub async fn export_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<ExportParams>,
) -> Result<Response, ApiError> {
    let guard = Guard::new(&state, &user, format!("GET /api/v1/companies/{cid}/judgements"));
    guard.company_class(cid, InfoClass::Class2, "judgement export").await?;
    let filter = JudgementFilter {
        latest_only: p.latest.as_deref() == Some("1"),
        section: None,
        today: today_jst(),
        since: None,
        limit: None,
    };
    let internal = |e: iphr_postcheckup::Error| ApiError::from(AppError::Internal(e.to_string()));
    let records =
        iphr_postcheckup::judgements_for_export(state.store.as_ref(), cid, &filter).await.map_err(internal)?;
    Ok(match p.format.as_deref() {
        Some("csv") => (
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            iphr_postcheckup::export_csv(&records).map_err(internal)?,
        )
            .into_response(),
        None | Some("json") => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            iphr_postcheckup::export_json(&records).map_err(internal)?,
        )
            .into_response(),
        Some(other) => return Err(AppError::BadRequest(format!("format {other:?}: csv or json")).into()),
    })
}

/// `POST /api/v1/companies/{cid}/judge` (`X-CSRF-Token` header): re-runs the rules over the
/// company's checkups, as `iphr judge` does; physician or nurse.
pub async fn judge_api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(cid): Path<CompanyId>,
    headers: HeaderMap,
) -> Result<Json<iphr_postcheckup::JudgeReport>, ApiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    check_csrf(&user, token)?;
    let action = format!("POST /api/v1/companies/{cid}/judge");
    let guard = Guard::new(&state, &user, action);
    guard.company_class(cid, InfoClass::Class2, "judge").await?;
    if !matches!(user.actor.role, Role::Physician | Role::Nurse) {
        guard
            .audit(Some(cid), None, Some(InfoClass::Class2), false, "only a physician or nurse re-runs the rules")
            .await?;
        return Err(AppError::Forbidden("only a physician or nurse re-runs the rules".into()).into());
    }
    let r = iphr_postcheckup::judge_company(state.store.as_ref(), cid, None, Utc::now())
        .await
        .map_err(|e| ApiError::from(AppError::Internal(e.to_string())))?;
    guard
        .audit(
            Some(cid),
            None,
            Some(InfoClass::Class2),
            true,
            format!("judged {} (changed {})", r.summary.judged, r.summary.changed),
        )
        .await?;
    Ok(Json(r))
}
