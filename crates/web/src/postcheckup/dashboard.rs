//! The physician's dashboard: per company (sections in the physician's order) and across the companies served.

use super::*;

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

fn row_doc(
    r: &JudgementRecord,
    section: Option<Section>,
    (today, now): (NaiveDate, DateTime<Utc>),
    lang: Lang,
    panic_hours: u32,
) -> RowDoc {
    let j = &r.result;
    let due = match section {
        Some(Section::OpinionDue) => j.opinion_due,
        Some(Section::Followup) => j.followup_due,
        Some(Section::Niji) => j.niji_claim_until,
        Some(Section::Panic) => {
            r.urgent_detected_at.map(|d| iphr_domain::clock::japan_date(d + Duration::hours(i64::from(panic_hours))))
        }
        Some(Section::HrPending) => r.valid_until,
        _ => None,
    };
    let overdue = match section {
        Some(Section::Panic) => r.urgent_detected_at.is_some_and(|d| d + Duration::hours(i64::from(panic_hours)) < now),
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

async fn dashboard_doc(guard: &Guard, company: &Company, only: Option<Section>) -> Result<DashboardDoc, AppError> {
    let rules = company_rules(guard, company.id).await?;
    let hours = rules.settings.panic_contact_hours;
    let (today, now, lang) = (guard.today(), guard.state().now(), guard.lang());
    let counts = guard.store().dashboard_counts(company.id, today, now - Duration::hours(i64::from(hours))).await?;
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
        let rows = guard.store().judgements(company.id, &filter).await?;
        sections.push(SectionDoc {
            key: s.as_str().into(),
            label: if lang == Lang::En { s.label_en().into() } else { s.label_ja().into() },
            count,
            rows: rows.iter().map(|r| row_doc(r, Some(s), (today, now), lang, hours)).collect(),
        });
    }
    Ok(DashboardDoc { company_id: company.id.to_string(), company_name: company.name.clone(), today, counts, sections })
}

/// `GET /companies/{cid}/postcheckup` page.
#[derive(Template)]
#[template(path = "postcheckup/postcheckup.html")]
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
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<DashParams>,
) -> Result<Response, AppError> {
    let company = guard.company_class(cid, InfoClass::Class2, "post-checkup dashboard").await?;
    let only = parse_section(p.section.as_deref())?;
    let d = dashboard_doc(&guard, &company, only).await?;
    Ok(render(&DashboardPage {
        f: Frame::of(&guard),
        d,
        only: only.map(|s| s.as_str().to_string()),
        is_physician: guard.user().actor.role == Role::Physician,
    }))
}

/// `GET /api/v1/companies/{cid}/postcheckup`.
pub async fn dashboard_api(
    guard: ApiGuard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<DashParams>,
) -> Result<Json<DashboardDoc>, ApiError> {
    let company = guard.company_class(cid, InfoClass::Class2, "post-checkup dashboard").await?;
    let only = parse_section(p.section.as_deref())?;
    Ok(Json(dashboard_doc(&guard, &company, only).await?))
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
#[template(path = "postcheckup/postcheckup_all.html")]
pub struct AllPage {
    f: Frame,
    rows: Vec<CompanyCounts>,
    totals: DashboardCounts,
}

/// `GET /postcheckup`: every company the physician or nurse serves, counts per section.
pub async fn all_companies(guard: Guard) -> Result<Response, AppError> {
    // A staff page: a worker is refused like on every other staff page, not shown an empty one.
    if guard.user().actor.role == Role::Worker {
        return guard.refuse(None, guard.user().actor.person_id, Some(InfoClass::Class2), "not_own_record").await;
    }
    let mut rows = Vec::new();
    let mut totals = DashboardCounts::default();
    for c in guard.companies().await? {
        let company = guard.company_class(c.id, InfoClass::Class2, "post-checkup counts").await?;
        let rules = company_rules(&guard, c.id).await?;
        let cutoff = guard.state().now() - Duration::hours(i64::from(rules.settings.panic_contact_hours));
        let counts = guard.store().dashboard_counts(c.id, guard.today(), cutoff).await?;
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
    Ok(render(&AllPage { f: Frame::of(&guard), rows, totals }))
}
