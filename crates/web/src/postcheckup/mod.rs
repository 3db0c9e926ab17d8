//! The post-checkup pages and API (事後措置): the physician's dashboard per company and across the
//! companies served, a checkup's judgement with its workflow, the HR view of measures, and the
//! rule tables with their sources.
//!
//! Classes (指針): judgements, urgent values and guidance are class 2 (the dashboard and the
//! checkup page need it outright); 就業区分, measures and due dates are class 1 (the HR view).
//! Only a physician decides the 就業区分 ([`Step::allowed_for`]).

mod checkup;
mod coverage;
mod dashboard;
mod export;
mod measures;
mod steps;
mod visits;

use crate::access::{ApiGuard, Guard, PersonAccess};
use crate::auth::check_csrf;
use crate::error::{ApiError, AppError};
use crate::forms::field;
use crate::i18n::Lang;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, NaiveDate, Utc};
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

/// The routes of the post-checkup flow.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/postcheckup", get(dashboard::all_companies))
        .route("/companies/{cid}/postcheckup", get(dashboard::dashboard))
        .route("/companies/{cid}/coverage", get(coverage::page))
        .route("/companies/{cid}/visit", get(visits::show).post(visits::record))
        .route("/companies/{cid}/postcheckup/bulk-normal", post(steps::bulk_normal))
        .route("/companies/{cid}/checkups/{evid}", get(checkup::checkup))
        .route("/companies/{cid}/checkups/{evid}/steps", post(steps::post_step))
        .route("/companies/{cid}/measures", get(measures::measures))
        .route("/api/v1/companies/{cid}/postcheckup", get(dashboard::dashboard_api))
        .route("/api/v1/companies/{cid}/checkups/{evid}/judgement", get(checkup::checkup_api))
        .route("/api/v1/companies/{cid}/checkups/{evid}/steps", post(steps::post_step_api))
        .route("/api/v1/companies/{cid}/measures", get(measures::measures_api))
        .route("/api/v1/companies/{cid}/judgements", get(export::export_api))
        .route("/api/v1/companies/{cid}/judge", post(export::judge_api))
}

/// A company's rule tables (embedded, with its overrides).
async fn company_rules(guard: &Guard, cid: CompanyId) -> Result<Rules, AppError> {
    iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))
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
