//! Work-status tasks of a company for the physician's dashboard (loaded into it by htmx) and the
//! API: special checkups overdue or due soon (特殊健康診断 and 深夜業の健診, by each worker's
//! exposures and night work) and the work-environment results at or above the company's
//! attention levels (作業環境測定 管理区分, リスクアセスメント リスクレベル). Work data: readable by the
//! roles the company's 取扱規程 allows class `work` outright (the physician, OH staff, HR, the
//! health manager); refusals are audited.

use crate::AppState;
use crate::access::Guard;
use crate::auth::{ApiUser, CurrentUser};
use crate::error::{ApiError, AppError};
use crate::postcheckup::today_jst;
use crate::views::render;
use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use iphr_domain::CompanyId;
use iphr_domain::info_class::InfoClass;
use iphr_domain::special::DueStatus;
use iphr_postcheckup::workstatus::{SpecialDue, WorkEnvironment};
use serde::Serialize;

/// The work-status tasks of a company.
#[derive(Debug, Clone, Serialize)]
pub struct WorkStatusDoc {
    /// Company.
    pub company_id: String,
    /// Special checkups overdue or due soon (the setting `special_due_soon_days`), most urgent first.
    pub special_due: Vec<SpecialDueDoc>,
    /// Days ahead that count as due soon (company setting).
    pub due_soon_days: u32,
    /// Latest work-environment results, those needing attention first.
    pub work_environment: Vec<WorkEnvironment>,
}

/// A special checkup due.
#[derive(Debug, Clone, Serialize)]
pub struct SpecialDueDoc {
    /// The worker's employment (link to the record).
    pub employment_id: String,
    /// The rest.
    #[serde(flatten)]
    pub due: SpecialDue,
    /// 期限切れ (overdue) or 間近 (due soon).
    pub overdue: bool,
}

async fn doc(state: &AppState, cid: CompanyId) -> Result<WorkStatusDoc, AppError> {
    let internal = |e: iphr_postcheckup::Error| AppError::Internal(e.to_string());
    let today = today_jst();
    let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid).await.map_err(internal)?;
    let (due, work_environment) =
        iphr_postcheckup::workstatus::tasks(state.store.as_ref(), cid, today, &rules.settings)
            .await
            .map_err(internal)?;
    let special_due = due
        .into_iter()
        .filter(|d| d.status != DueStatus::Scheduled)
        .map(|d| SpecialDueDoc {
            employment_id: d.employment_id.to_string(),
            overdue: d.status == DueStatus::Overdue,
            due: d,
        })
        .collect();
    Ok(WorkStatusDoc {
        company_id: cid.to_string(),
        special_due,
        due_soon_days: rules.settings.special_due_soon_days,
        work_environment,
    })
}

/// The fragment (no page frame: htmx puts it into the dashboard).
#[derive(Template)]
#[template(path = "work_status.html")]
pub struct WorkStatusFragment {
    d: WorkStatusDoc,
}

/// `GET /companies/{cid}/postcheckup/work-status`: the dashboard's work-status sections.
pub async fn fragment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
) -> Result<Response, AppError> {
    let guard = Guard::new(&state, &user, format!("GET /companies/{cid}/postcheckup/work-status"));
    guard.company_class(cid, InfoClass::Work, "work-status tasks").await?;
    Ok(render(&WorkStatusFragment { d: doc(&state, cid).await? }))
}

/// `GET /api/v1/companies/{cid}/work-status`.
pub async fn api(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(cid): Path<CompanyId>,
) -> Result<Json<WorkStatusDoc>, ApiError> {
    let guard = Guard::new(&state, &user, format!("GET /api/v1/companies/{cid}/work-status"));
    guard.company_class(cid, InfoClass::Work, "work-status tasks").await?;
    Ok(Json(doc(&state, cid).await?))
}
