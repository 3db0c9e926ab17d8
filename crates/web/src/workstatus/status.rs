//! Work-status tasks of a company for the physician's dashboard (loaded into it by htmx) and the
//! API: special checkups overdue or due soon (特殊健康診断 and 深夜業の健診, by each worker's
//! exposures and night work) and the work-environment results at or above the company's
//! attention levels (作業環境測定 管理区分, リスクアセスメント リスクレベル). Work data: readable by the
//! roles the company's 取扱規程 allows class `work` outright (the physician, OH staff, HR, the
//! health manager); refusals are audited.

use crate::access::{ApiGuard, Guard};
use crate::error::{ApiError, AppError};
use crate::page::render;
use askama::Template;
use axum::Json;
use axum::extract::Path;
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

async fn doc(guard: &Guard, cid: CompanyId) -> Result<WorkStatusDoc, AppError> {
    let internal = |e: iphr_postcheckup::Error| AppError::Internal(e.to_string());
    let rules = iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(internal)?;
    let (due, work_environment) =
        iphr_postcheckup::workstatus::tasks(guard.store(), cid, guard.today(), &rules.settings)
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
#[template(path = "workstatus/work_status.html")]
pub struct WorkStatusFragment {
    d: WorkStatusDoc,
}

/// `GET /companies/{cid}/postcheckup/work-status`: the dashboard's work-status sections.
pub async fn fragment(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    guard.company_class(cid, InfoClass::Work, "work-status tasks").await?;
    Ok(render(&WorkStatusFragment { d: doc(&guard, cid).await? }))
}

/// `GET /api/v1/companies/{cid}/work-status`.
pub async fn api(guard: ApiGuard, Path(cid): Path<CompanyId>) -> Result<Json<WorkStatusDoc>, ApiError> {
    guard.company_class(cid, InfoClass::Work, "work-status tasks").await?;
    Ok(Json(doc(&guard, cid).await?))
}
