//! # iphr-web
//!
//! The web layer: an axum [`Router`] with server-rendered askama pages (htmx for partial
//! updates; no SPA) and a JSON API under `/api/v1` described at `/api/v1/openapi.json`.
//!
//! Every page and API call that touches a person goes through [`access::Guard`], which asks
//! the domain policy ([`iphr_domain::policy::decide`]) and writes the audit log. Sessions live
//! in the database, so several `iphr serve` processes behind a load balancer share them.

pub mod access;
mod api;
pub mod auth;
mod error;
mod forms;
mod hours;
mod i18n;
mod interview;
mod openapi;
mod pages;
mod postcheckup;
mod security;
mod stresscheck;
mod uploads;
mod views;
mod workstatus;

use axum::Router;
use axum::routing::{get, post};
use iphr_domain::ohcc::ItemTable;
use iphr_domain::policy::PolicyTable;
use iphr_store::prelude::*;
use std::sync::Arc;

pub use error::AppError;

/// Web configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// Failed logins allowed per login name within `login_window_minutes`.
    pub login_max_failures: u64,
    /// Window for counting failed logins.
    pub login_window_minutes: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { secure_cookies: false, session_hours: 8, login_max_failures: 5, login_window_minutes: 15 }
    }
}

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Arc<dyn Store>,
    /// The default 取扱規程 (company overrides are applied per request); the embedded table.
    pub policy: &'static PolicyTable,
    /// The OHCC item table (the embedded one).
    pub items: &'static ItemTable,
    /// Configuration.
    pub config: Arc<WebConfig>,
    /// The uploads this server is importing.
    pub progress: Arc<uploads::ImportProgress>,
}

/// The application: one `build` used by `iphr serve` and by the tests.
pub struct Application;

impl Application {
    /// Builds the router over a migrated store.
    pub fn build(store: Arc<dyn Store>, config: WebConfig) -> Result<Router, String> {
        let state = AppState {
            store,
            policy: PolicyTable::default_2018().map_err(|e| e.to_string())?,
            items: ItemTable::embedded().map_err(|e| e.to_string())?,
            config: Arc::new(config),
            progress: Arc::new(uploads::ImportProgress::default()),
        };
        Ok(routes(state))
    }
}

fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(security::static_file))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(i18n::set_lang))
        .route("/", get(pages::home))
        .route("/me", get(pages::me))
        .route("/companies", get(pages::companies))
        .route("/companies/{cid}/workers", get(pages::workers))
        .route("/companies/{cid}/workers/{eid}", get(pages::worker))
        .route("/companies/{cid}/workers/{eid}/events/{evid}", get(pages::event))
        .route("/postcheckup", get(postcheckup::all_companies))
        .route("/companies/{cid}/postcheckup", get(postcheckup::dashboard))
        .route("/companies/{cid}/postcheckup/bulk-normal", post(postcheckup::bulk_normal))
        .route("/companies/{cid}/postcheckup/work-status", get(workstatus::fragment))
        .route("/companies/{cid}/checkups/{evid}", get(postcheckup::checkup))
        .route("/companies/{cid}/checkups/{evid}/steps", post(postcheckup::post_step))
        .route("/companies/{cid}/measures", get(postcheckup::measures))
        .route("/rules", get(postcheckup::rules_page))
        .route("/me/stresscheck", get(stresscheck::form).post(stresscheck::post_form))
        .route("/me/stresscheck/result", get(stresscheck::result))
        .route("/me/stresscheck/apply", post(stresscheck::apply))
        .route("/companies/{cid}/stresscheck", get(stresscheck::admin))
        .route(
            "/companies/{cid}/uploads",
            get(uploads::page)
                .post(uploads::upload)
                .layer(axum::extract::DefaultBodyLimit::max(uploads::MAX_UPLOAD + (1 << 20))),
        )
        .route("/companies/{cid}/uploads/{id}", get(uploads::show))
        .route("/companies/{cid}/uploads/{id}/status", get(uploads::status))
        .route("/companies/{cid}/uploads/{id}/commit", post(uploads::commit))
        .route("/companies/{cid}/uploads/{id}/discard", post(uploads::discard))
        .route("/companies/{cid}/workers/{eid}/interview", get(interview::form).post(interview::record))
        .route("/companies/{cid}/stresscheck/{campaign}/remind", post(stresscheck::remind))
        .route("/companies/{cid}/hours", get(hours::page))
        .route("/companies/{cid}/hours/{eid}", post(hours::post_step))
        .route("/me/hours", get(hours::mine))
        .route("/me/hours/apply", post(hours::apply))
        .route("/admin/users", get(pages::admin_users))
        .route("/api/v1/openapi.json", get(openapi::document))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/companies", get(api::companies))
        .route("/api/v1/companies/{cid}/workers", get(api::workers))
        .route("/api/v1/companies/{cid}/workers/{eid}", get(api::worker))
        .route("/api/v1/companies/{cid}/workers/{eid}/events/{evid}", get(api::event))
        .route("/api/v1/companies/{cid}/workers/{eid}/observations", get(api::observations))
        .route("/api/v1/companies/{cid}/postcheckup", get(postcheckup::dashboard_api))
        .route("/api/v1/companies/{cid}/work-status", get(workstatus::api))
        .route("/api/v1/companies/{cid}/checkups/{evid}/judgement", get(postcheckup::checkup_api))
        .route("/api/v1/companies/{cid}/checkups/{evid}/steps", post(postcheckup::post_step_api))
        .route("/api/v1/companies/{cid}/measures", get(postcheckup::measures_api))
        .route("/api/v1/companies/{cid}/judgements", get(postcheckup::export_api))
        .route("/api/v1/companies/{cid}/judge", post(postcheckup::judge_api))
        .layer(axum::middleware::from_fn(security::headers_and_origin))
        .with_state(state)
}
