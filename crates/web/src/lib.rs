//! # iphr-web
//!
//! The web layer: an axum [`Router`] with server-rendered askama pages (htmx for partial
//! updates; no SPA) and a JSON API under `/api/v1` described at `/api/v1/openapi.json`.
//!
//! One folder per feature — [`auth`], [`records`] (the worker record), [`postcheckup`],
//! [`rules`], [`stress`], [`workstatus`] (hours and work status), [`interview`],
//! [`uploads`], [`admin`] — each with its routes, its handlers for pages and API, and its view
//! builders; templates in matching folders under `templates/`. What they share: [`state`],
//! [`access`] (the guard every handler that touches a person goes through: it asks the domain
//! policy, [`iphr_domain::policy::decide_for`], and writes the audit log), [`page`] (the frame
//! and rendering), [`error`], [`i18n`], [`security`] (headers, CSP, origin check) and `forms`.
//! Sessions live in the database, so several `iphr serve` processes behind a load balancer
//! share them.

pub mod access;
pub mod admin;
pub mod auth;
pub mod error;
mod forms;
pub mod i18n;
pub mod interview;
mod openapi;
pub mod page;
pub mod postcheckup;
pub mod progress;
pub mod records;
mod render;
pub mod rules;
pub mod security;
pub mod state;
pub mod stress;
pub mod uploads;
pub mod workstatus;

use axum::Router;
use axum::routing::get;
use iphr_domain::clock::Clock;
use iphr_domain::ohcc::ItemTable;
use iphr_domain::policy::PolicyTable;
use iphr_store::Store;
use std::sync::Arc;

pub use error::AppError;
pub use state::{AppState, WebConfig};

/// The application: one `build` used by `iphr serve` and by the tests.
pub struct Application;

impl Application {
    /// Builds the router over a migrated store, with the clock that says now and today (the
    /// system clock in production; tests set it).
    pub fn build(store: Arc<dyn Store>, config: WebConfig, clock: Arc<dyn Clock>) -> Result<Router, String> {
        let state = AppState {
            store,
            policy: PolicyTable::default_2018().map_err(|e| e.to_string())?,
            items: ItemTable::embedded().map_err(|e| e.to_string())?,
            config: Arc::new(config),
            clock,
            progress: Arc::new(progress::ImportProgress::default()),
        };
        Ok(routes(state))
    }
}

fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/static/{file}", get(security::static_file))
        .route("/api/v1/openapi.json", get(openapi::document))
        .merge(i18n::routes())
        .merge(auth::routes())
        .merge(records::routes())
        .merge(postcheckup::routes())
        .merge(rules::routes())
        .merge(stress::routes())
        .merge(workstatus::routes())
        .merge(interview::routes())
        .merge(uploads::routes())
        .merge(admin::routes())
        .layer(axum::middleware::from_fn(security::headers_and_origin))
        .with_state(state)
}
