//! The JSON API under `/api/v1`: what the pages show, with the same session and the same
//! policy. Described by `/api/v1/openapi.json`.

use crate::AppState;
use crate::access::Guard;
use crate::auth::ApiUser;
use crate::error::{ApiError, AppError};
use crate::pages::{PAGE_SIZE, SearchParams, event_entry, visible_companies};
use crate::views::{HeaderDoc, ObsDoc, TimelineDoc, WorkerDoc, obs_doc, worker_doc};
use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
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
        companies: u.actor.companies.iter().map(|c| c.to_string()).collect(),
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
pub async fn companies(State(state): State<AppState>, ApiUser(u): ApiUser) -> ApiResult<Vec<CompanyDoc>> {
    Ok(Json(
        visible_companies(&state, &u)
            .await?
            .into_iter()
            .map(|c| CompanyDoc { id: c.id.to_string(), name: c.name })
            .collect(),
    ))
}

/// `GET /api/v1/companies/{cid}/workers?q=&page=`.
pub async fn workers(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<SearchParams>,
) -> ApiResult<Page<WorkerRow>> {
    let guard = Guard::new(&state, &u, format!("GET /api/v1/companies/{cid}/workers"));
    guard.worker_list(cid).await?;
    let page_no = p.page.unwrap_or(1).max(1);
    let page = state
        .store
        .search_workers(cid, &WorkerQuery { text: p.q, offset: (page_no - 1) * PAGE_SIZE, limit: PAGE_SIZE })
        .await?;
    Ok(Json(page))
}

/// `GET /api/v1/companies/{cid}/workers/{eid}`: header and timeline as the policy allows.
pub async fn worker(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
) -> ApiResult<WorkerDoc> {
    let guard = Guard::new(&state, &u, format!("GET /api/v1/companies/{cid}/workers/{eid}"));
    let access = guard.person(cid, eid).await?;
    let events = state.store.timeline(cid, access.subject.person_id).await?;
    let observations = state.store.person_observations(cid, access.subject.person_id).await?;
    let (doc, read) = worker_doc(state.items, &access, &u, &events, &observations);
    guard.read(&access, &read).await?;
    Ok(Json(doc))
}

/// An event with its header.
#[derive(Serialize)]
pub struct EventDoc {
    header: HeaderDoc,
    event: TimelineDoc,
}

/// `GET /api/v1/companies/{cid}/workers/{eid}/events/{evid}`.
pub async fn event(
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
) -> ApiResult<EventDoc> {
    let action = format!("GET /api/v1/companies/{cid}/workers/{eid}/events/{evid}");
    let (header, event) = event_entry(&state, &u, action, cid, eid, evid).await?;
    Ok(Json(EventDoc { header, event }))
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
    State(state): State<AppState>,
    ApiUser(u): ApiUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(q): Query<ItemParam>,
) -> ApiResult<Vec<SeriesPoint>> {
    let item = ItemCode::parse(&q.item).map_err(|e| AppError::BadRequest(format!("item: {e}")))?;
    let def =
        state.items.get(&item).ok_or_else(|| AppError::BadRequest(format!("item {item} is not in the OHCC table")))?;
    let guard = Guard::new(&state, &u, format!("GET /api/v1/companies/{cid}/workers/{eid}/observations?item={item}"));
    let access = guard.person(cid, eid).await?;
    let decision = guard.require(&access, def.info_class).await?;
    let all = state.store.person_observations(cid, access.subject.person_id).await?;
    let points: Vec<SeriesPoint> = all
        .iter()
        .filter(|o| o.item == item)
        .filter(|o| decision.is_full() || o.atr.kind == iphr_domain::ohcc::DataKind::Judgement)
        .map(|o| SeriesPoint {
            date: o.event_date,
            event_id: o.event_id.to_string(),
            observation: obs_doc(state.items, o, u.lang),
        })
        .collect();
    guard.read(&access, &[def.info_class]).await?;
    Ok(Json(points))
}
