//! The stress check on the web (安衛法66条の10): the worker's 57-item questionnaire (save and
//! resume; every answer required before submit), their result (profile, high-stress decision,
//! advice, the request for a physician interview — which counts as consent to give the result to
//! the employer, 安衛則52条の13第2項), and the implementers' view (answered / not answered, the
//! high-stress list, the group analysis). Results are class `stress`: HR and the health manager
//! see an individual result only with the worker's consent, never the implementers' lists.

mod admin;
mod worker;

use crate::access::{Guard, PersonAccess};
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::field;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use iphr_domain::clock::japan_date;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Provenance, Qualifier, Value};
use iphr_domain::ohcc::{DataAtr, DataKind, ItemCode, Producer};
use iphr_domain::policy::ConsentGrant;
use iphr_domain::role::Role;
use iphr_domain::stress::{Answers, Method, Section, SheetResult, StressRules};
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EmploymentId, EventId, ObservationId, PersonId};
use iphr_store::{Batch, StressCampaign};
use serde::Deserialize;

/// The routes of the stress check.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me/stresscheck", get(worker::form).post(worker::post_form))
        .route("/me/stresscheck/result", get(worker::result))
        .route("/me/stresscheck/apply", post(worker::apply))
        .route("/companies/{cid}/stresscheck", get(admin::admin))
        .route("/companies/{cid}/stresscheck/{campaign}/remind", post(admin::remind))
}

fn rules() -> Result<&'static StressRules, AppError> {
    StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))
}

/// The campaign open today, else the latest one that has started (campaigns are company data).
async fn current_campaign(guard: &Guard, company: CompanyId) -> Result<Option<StressCampaign>, AppError> {
    let today = guard.today();
    let all = guard.store().stress_campaigns(company).await?;
    Ok(all
        .iter()
        .find(|c| c.starts_on <= today && today <= c.ends_on)
        .or_else(|| all.iter().find(|c| c.starts_on <= today))
        .cloned())
}

/// The worker's sheet in a campaign's period (the last), read through their access.
async fn own_sheet(person: &PersonAccess<'_>, c: &StressCampaign) -> Result<Option<iphr_store::StressSheet>, AppError> {
    let (who, company, from, to) = (person.person(), c.company_id, c.starts_on, c.ends_on);
    person
        .read(&[InfoClass::Stress], |s| async move {
            Ok(s.stress_sheets(company, from, to)
                .await?
                .into_iter()
                .filter(|x| x.person_id == who)
                .max_by_key(|x| x.date))
        })
        .await
}

/// Refuses a page of the worker's own stress check to any other role (403).
fn worker_only(guard: &Guard, what: &str) -> Result<(), AppError> {
    if guard.user().actor.role == Role::Worker { Ok(()) } else { Err(AppError::Forbidden(what.into())) }
}
