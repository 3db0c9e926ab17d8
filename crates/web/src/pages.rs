//! HTML pages. Each handler names its action for the audit log and goes through the
//! [`Guard`](crate::access::Guard).

use crate::AppState;
use crate::access::Guard;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::views::{
    CompaniesPage, EventPage, Frame, Shown, TimelineDoc, UsersPage, WorkerPage, WorkersPage, event_shown, obs_doc,
    render, visible_observations, worker_doc,
};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::WorkerQuery;
use serde::Deserialize;

/// Rows per page of the worker list.
pub const PAGE_SIZE: u32 = 50;

/// `GET /`.
pub async fn home(user: CurrentUser) -> Redirect {
    if user.actor.role == Role::Worker { Redirect::to("/me") } else { Redirect::to("/companies") }
}

/// `GET /me`: a worker's own record (their newest employment).
pub async fn me(State(state): State<AppState>, user: CurrentUser) -> Result<Redirect, AppError> {
    let Some(person) = user.actor.person_id else {
        return Err(AppError::NotFound("no personal record is linked to this account".into()));
    };
    let emps = state.store.employments_of_person(person).await?;
    let e = emps.first().ok_or_else(|| AppError::NotFound("no employment".into()))?;
    Ok(Redirect::to(&format!("/companies/{}/workers/{}", e.company_id, e.id)))
}

/// The companies the user may see.
pub async fn visible_companies(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<iphr_domain::tenant::Company>, AppError> {
    let all = state.store.list_companies().await?;
    Ok(all.into_iter().filter(|c| iphr_domain::policy::may_see_company(&user.actor, c.id)).collect())
}

/// `GET /companies`.
pub async fn companies(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if user.actor.role == Role::Worker {
        return Ok(Redirect::to("/me").into_response());
    }
    let companies = visible_companies(&state, &user).await?;
    Ok(render(&CompaniesPage { f: Frame::new(&user, "/companies"), companies }))
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
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<SearchParams>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/workers");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let company = guard.worker_list(cid).await?;
    let page_no = p.page.unwrap_or(1).max(1);
    let page = state
        .store
        .search_workers(cid, &WorkerQuery { text: p.q.clone(), offset: (page_no - 1) * PAGE_SIZE, limit: PAGE_SIZE })
        .await?;
    let pages = u32::try_from(page.total.div_ceil(u64::from(PAGE_SIZE))).unwrap_or(1).max(1);
    Ok(render(&WorkersPage { f: Frame::new(&user, path), company, q: p.q, page, page_no, pages }))
}

/// `GET /companies/{cid}/workers/{eid}`: the worker page — header and timeline as the policy
/// allows.
pub async fn worker(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/workers/{eid}");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let access = guard.person(cid, eid).await?;
    let company = state.store.get_company(cid).await?.ok_or_else(|| AppError::NotFound(cid.to_string()))?;
    let events = state.store.timeline(cid, access.subject.person_id).await?;
    let observations = state.store.person_observations(cid, access.subject.person_id).await?;
    let (doc, read) = worker_doc(state.items, &access, &user, &events, &observations);
    guard.read(&access, &read).await?;
    Ok(render(&WorkerPage { f: Frame::new(&user, path), company, doc }))
}

/// Loads an event of a worker and checks its content class; shared by the page and the API.
pub async fn event_entry(
    state: &AppState,
    user: &CurrentUser,
    action: String,
    cid: CompanyId,
    eid: EmploymentId,
    evid: EventId,
) -> Result<(crate::views::HeaderDoc, TimelineDoc), AppError> {
    let guard = Guard::new(state, user, action);
    let access = guard.person(cid, eid).await?;
    let event = state
        .store
        .event(cid, evid)
        .await?
        // The person's own events, or a workplace event (a patrol) of a department they were
        // assigned to.
        .filter(|e| match e.person_id {
            Some(p) => p == access.subject.person_id,
            None => access.header.assignments.iter().any(|a| Some(a.assignment.department_id) == e.department_id),
        })
        .ok_or_else(|| AppError::NotFound(format!("event {evid}")))?;
    // The details are the event's content: refused (403, audited) where the policy denies it.
    guard.require_event(&access, event.kind.summary_class(), event.id).await?;
    guard.require_event(&access, event.content_class, event.id).await?;
    let shown = event_shown(&access, user, &event).unwrap_or(Shown::Hidden);
    let obs = state.store.event_observations(cid, evid).await?;
    let mut read = vec![event.kind.summary_class(), event.content_class];
    let (visible, withheld) = visible_observations(&access, user, shown, obs.iter(), &mut read);
    let (doc, _) = worker_doc(state.items, &access, user, &[], &[]);
    guard.read(&access, &read).await?;
    let entry = TimelineDoc {
        event_id: event.id.to_string(),
        date: event.event_date,
        kind: event.kind.as_str().into(),
        kind_label: if user.lang == crate::i18n::Lang::En {
            event.kind.label_en().into()
        } else {
            event.kind.label_ja().into()
        },
        subkind: event.subkind.clone(),
        title: event.title.clone(),
        content_class: event.content_class,
        shown,
        detail: (shown == Shown::Full).then(|| event.detail.clone()),
        observations: visible.into_iter().map(|o| obs_doc(state.items, o, user.lang)).collect(),
        withheld,
    };
    Ok((doc.header, entry))
}

/// `GET /companies/{cid}/workers/{eid}/events/{evid}`: one event with its coded data and
/// provenance.
pub async fn event(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/workers/{eid}/events/{evid}");
    let (header, entry) = event_entry(&state, &user, format!("GET {path}"), cid, eid, evid).await?;
    let company = state.store.get_company(cid).await?.ok_or_else(|| AppError::NotFound(cid.to_string()))?;
    let detail_json =
        entry.detail.as_ref().map(|d| serde_json::to_string_pretty(d).unwrap_or_default()).unwrap_or_default();
    Ok(render(&EventPage { f: Frame::new(&user, path), company, header, entry, detail_json }))
}

/// `GET /admin/users`: the accounts (admin only; no health data).
pub async fn admin_users(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if user.actor.role != Role::Admin {
        Guard::new(&state, &user, "GET /admin/users").audit(None, None, None, false, "admin only").await?;
        return Err(AppError::Forbidden("admin only".into()));
    }
    let users = state.store.list_users().await?;
    Ok(render(&UsersPage { f: Frame::new(&user, "/admin/users"), users }))
}
