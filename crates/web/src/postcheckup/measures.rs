//! The HR view (class 1 only): taken, 就業区分, measures and dates — never values or diagnoses.

use super::*;

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

async fn measures_doc(guard: &Guard, cid: CompanyId, pending: bool) -> Result<Vec<MeasureRow>, AppError> {
    let filter = JudgementFilter {
        latest_only: true,
        section: pending.then_some(Section::HrPending),
        today: guard.today(),
        since: None,
        limit: Some(SECTION_ALL),
    };
    Ok(measure_rows(&guard.store().judgements(cid, &filter).await?, guard.lang()))
}

/// `GET /companies/{cid}/measures` page.
#[derive(Template)]
#[template(path = "postcheckup/measures.html")]
pub struct MeasuresPage {
    f: Frame,
    company: Company,
    rows: Vec<MeasureRow>,
    pending: bool,
    can_ack: bool,
}

/// `GET /companies/{cid}/measures`: the HR view — class 1 only.
pub async fn measures(
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<MeasureParams>,
) -> Result<Response, AppError> {
    let company = guard.company_class(cid, InfoClass::Class1, "employment measures").await?;
    let pending = p.pending.as_deref() == Some("1");
    let rows = measures_doc(&guard, cid, pending).await?;
    let can_ack = matches!(guard.user().actor.role, Role::Hr | Role::HealthManager);
    Ok(render(&MeasuresPage { f: Frame::of(&guard), company, rows, pending, can_ack }))
}

/// `GET /api/v1/companies/{cid}/measures`.
pub async fn measures_api(
    guard: ApiGuard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<MeasureParams>,
) -> Result<Json<Vec<MeasureRow>>, ApiError> {
    guard.company_class(cid, InfoClass::Class1, "employment measures").await?;
    Ok(Json(measures_doc(&guard, cid, p.pending.as_deref() == Some("1")).await?))
}
