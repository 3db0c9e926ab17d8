//! The JSON API of the worker record (`/api/v1`), described in `openapi.json`. The same view
//! builders as the pages, through the same guard.

use super::marks::Marker;
use super::pages::SearchParams;
use super::views::{HeaderDoc, ObsDoc, TimelineDoc, WorkerDoc, header_doc, obs_doc, timeline_doc, worker_doc};
use super::{PAGE_SIZE, company_rules};
use crate::access::ApiGuard;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use axum::Json;
use axum::extract::{Path, Query};
use chrono::NaiveDate;
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::ItemCode;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::{Page, WorkerQuery, WorkerRow};
use serde::{Deserialize, Serialize};

type ApiResult<T> = Result<Json<T>, ApiError>;

/// The current user.
#[derive(Serialize)]
pub struct Me {
    login: String,
    display_name: String,
    role: String,
    companies: Vec<String>,
    person_id: Option<String>,
}

/// `GET /api/v1/me`.
pub async fn me(ApiUser(u): ApiUser) -> ApiResult<Me> {
    Ok(Json(Me {
        login: u.actor.login.clone(),
        display_name: u.display_name.clone(),
        role: u.actor.role.as_str().into(),
        companies: u.actor.companies.iter().map(ToString::to_string).collect(),
        person_id: u.actor.person_id.map(|p| p.to_string()),
    }))
}

/// A company.
#[derive(Serialize)]
pub struct CompanyDoc {
    id: String,
    name: String,
}

/// `GET /api/v1/companies`.
pub async fn companies(guard: ApiGuard) -> ApiResult<Vec<CompanyDoc>> {
    let list = guard.companies().await?;
    Ok(Json(list.into_iter().map(|c| CompanyDoc { id: c.id.to_string(), name: c.name }).collect()))
}

/// `GET /api/v1/companies/{cid}/workers?q=&page=`.
pub async fn workers(
    guard: ApiGuard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<SearchParams>,
) -> ApiResult<Page<WorkerRow>> {
    guard.worker_list(cid).await?;
    let page_no = p.page.unwrap_or(1).max(1);
    let query = WorkerQuery { text: p.q, offset: (page_no - 1) * PAGE_SIZE, limit: PAGE_SIZE };
    Ok(Json(guard.store().search_workers(cid, &query).await.map_err(AppError::from)?))
}

/// `GET /api/v1/companies/{cid}/workers/{eid}`: header and timeline as the policy allows.
pub async fn worker(guard: ApiGuard, Path((cid, eid)): Path<(CompanyId, EmploymentId)>) -> ApiResult<WorkerDoc> {
    let person = guard.person(cid, eid).await?;
    let record = person.record().await?;
    let rules = company_rules(&guard, cid).await?;
    let marker = Marker::new(&rules, person.header.person.sex);
    Ok(Json(worker_doc(guard.state().items, &person, &record, guard.lang(), guard.today(), &marker)))
}

/// An event with its header.
#[derive(Serialize)]
pub struct EventDoc {
    header: HeaderDoc,
    event: TimelineDoc,
}

/// `GET /api/v1/companies/{cid}/workers/{eid}/events/{evid}`.
pub async fn event(
    guard: ApiGuard,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
) -> ApiResult<EventDoc> {
    let person = guard.person(cid, eid).await?;
    let v = person.event(evid).await?;
    let work = person.decision(InfoClass::Work).is_allowed();
    let rules = company_rules(&guard, cid).await?;
    let marker = Marker::new(&rules, person.header.person.sex);
    Ok(Json(EventDoc {
        header: header_doc(&person, work, guard.lang(), guard.today()),
        event: timeline_doc(guard.state().items, &v, guard.lang(), &marker),
    }))
}

/// Which item.
#[derive(Deserialize)]
pub struct ItemParam {
    item: String,
}

/// One point of a series.
#[derive(Serialize)]
pub struct SeriesPoint {
    date: NaiveDate,
    event_id: String,
    observation: ObsDoc,
}

/// `GET /api/v1/companies/{cid}/workers/{eid}/observations?item=OHCC-ITEM`: one item over
/// time (for charts). The item's class decides: refused (403, audited) where denied.
pub async fn observations(
    guard: ApiGuard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(q): Query<ItemParam>,
) -> ApiResult<Vec<SeriesPoint>> {
    let items = &guard.state().items;
    let item = ItemCode::parse(&q.item).map_err(|e| AppError::BadRequest(format!("item: {e}")))?;
    let def = items.get(&item).ok_or_else(|| AppError::BadRequest(format!("item {item} is not in the OHCC table")))?;
    let person = guard.person(cid, eid).await?;
    let series = person.series(&item, def.info_class).await?;
    let rules = company_rules(&guard, cid).await?;
    let marker = Marker::new(&rules, person.header.person.sex);
    Ok(Json(
        series
            .iter()
            .map(|o| SeriesPoint {
                date: o.event_date,
                event_id: o.event_id.to_string(),
                observation: obs_doc(items, o, guard.lang(), &marker),
            })
            .collect(),
    ))
}
