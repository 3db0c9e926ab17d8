//! The worker record: the companies served, the worker list, a worker's header and timeline,
//! one event — as pages and as the JSON API.

pub mod api;
pub mod detail;
pub mod documents;
pub mod forms;
pub mod marks;
pub mod pages;
pub mod summary;
pub mod timeline;
pub mod trends;
pub mod views;

use crate::access::Guard;
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::routing::get;

/// Workers listed per page.
pub const PAGE_SIZE: u32 = 50;

/// The routes of the worker record.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/me", get(pages::me))
        .route("/companies", get(pages::companies))
        .route("/companies/{cid}/workers", get(pages::workers))
        .route("/companies/{cid}/workers/{eid}", get(pages::worker))
        .route("/companies/{cid}/workers/{eid}/trends", get(pages::trends))
        .route("/companies/{cid}/workers/{eid}/documents/new", get(documents::new))
        .route(
            "/companies/{cid}/workers/{eid}/documents",
            axum::routing::post(documents::upload)
                .layer(axum::extract::DefaultBodyLimit::max(documents::MAX_REQUEST + (1 << 20))),
        )
        .route("/companies/{cid}/workers/{eid}/documents/{id}", get(documents::document))
        .route("/companies/{cid}/workers/{eid}/records/new", get(forms::new))
        .route("/companies/{cid}/workers/{eid}/records", axum::routing::post(forms::save))
        .route("/companies/{cid}/workers/{eid}/records/{draft}", get(forms::draft))
        .route("/companies/{cid}/workers/{eid}/events/{evid}/correct", get(forms::correct_form).post(forms::correct))
        .route("/companies/{cid}/workers/{eid}/events/{evid}", get(pages::event))
        .route("/api/v1/me", get(api::me))
        .route("/api/v1/companies", get(api::companies))
        .route("/api/v1/companies/{cid}/workers", get(api::workers))
        .route("/api/v1/companies/{cid}/workers/{eid}", get(api::worker))
        .route("/api/v1/companies/{cid}/workers/{eid}/events/{evid}", get(api::event))
        .route("/api/v1/companies/{cid}/workers/{eid}/observations", get(api::observations))
}

/// The company's rule tables (embedded with its overrides): the judgement bands that mark values
/// and shade the charts, the overtime lines of its sector profile.
pub(crate) async fn company_rules(
    guard: &Guard,
    company: iphr_domain::CompanyId,
) -> Result<iphr_domain::judgement::Rules, AppError> {
    iphr_postcheckup::company_rules(guard.store(), company).await.map_err(|e| AppError::Internal(e.to_string()))
}
