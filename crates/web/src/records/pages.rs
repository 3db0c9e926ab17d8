//! The pages of the worker record. Every page that shows a person goes through
//! [`Guard`](crate::access::Guard).

use super::PAGE_SIZE;
use super::views::{CompaniesPage, EventPage, WorkerPage, WorkersPage, header_doc, timeline_doc, worker_doc};
use crate::access::Guard;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::page::{Frame, render};
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::WorkerQuery;
use serde::Deserialize;

/// `GET /`.
pub async fn home(user: CurrentUser) -> Redirect {
    if user.actor.role == Role::Worker { Redirect::to("/me") } else { Redirect::to("/companies") }
}

/// `GET /me`: a worker's own record (their newest employment).
pub async fn me(guard: Guard) -> Result<Redirect, AppError> {
    let p = guard.own_person().await?;
    Ok(Redirect::to(&format!("/companies/{}/workers/{}", p.company(), p.employment())))
}

/// `GET /companies`.
pub async fn companies(guard: Guard) -> Result<Response, AppError> {
    if guard.user().actor.role == Role::Worker {
        return Ok(Redirect::to("/me").into_response());
    }
    let companies = guard.companies().await?;
    Ok(render(&CompaniesPage { f: Frame::of(&guard), companies }))
}

/// Search parameters.
#[derive(Deserialize, Default)]
pub struct SearchParams {
    /// Text.
    #[serde(default)]
    pub q: String,
    /// 1-based page.
    #[serde(default)]
    pub page: Option<u32>,
}

/// `GET /companies/{cid}/workers`.
pub async fn workers(
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let company = guard.worker_list(cid).await?;
    let page_no = p.page.unwrap_or(1).max(1);
    let query = WorkerQuery { text: p.q.clone(), offset: (page_no - 1) * PAGE_SIZE, limit: PAGE_SIZE };
    let page = guard.store().search_workers(cid, &query).await?;
    let pages = u32::try_from(page.total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(1).max(1);
    Ok(render(&WorkersPage { f: Frame::of(&guard), company, q: p.q, page, page_no, pages }))
}

/// `GET /companies/{cid}/workers/{eid}`: the worker page — header and timeline as the policy
/// allows.
pub async fn worker(guard: Guard, Path((cid, eid)): Path<(CompanyId, EmploymentId)>) -> Result<Response, AppError> {
    let person = guard.person(cid, eid).await?;
    let company = person.employer().await?;
    let record = person.record().await?;
    let doc = worker_doc(guard.state().items, &person, &record, guard.lang(), guard.today());
    Ok(render(&WorkerPage { f: Frame::of(&guard), company, doc }))
}

/// `GET /companies/{cid}/workers/{eid}/events/{evid}`: one event with its coded data and
/// provenance.
pub async fn event(
    guard: Guard,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
) -> Result<Response, AppError> {
    let person = guard.person(cid, eid).await?;
    let v = person.event(evid).await?;
    let header = header_doc(
        &person,
        person.decision(iphr_domain::info_class::InfoClass::Work).is_allowed(),
        guard.lang(),
        guard.today(),
    );
    let entry = timeline_doc(guard.state().items, &v, guard.lang());
    let company = person.employer().await?;
    let detail_json =
        entry.detail.as_ref().map(|d| serde_json::to_string_pretty(d).unwrap_or_default()).unwrap_or_default();
    Ok(render(&EventPage { f: Frame::of(&guard), company, header, entry, detail_json }))
}
