//! The pages of the worker record. Every page that shows a person goes through
//! [`Guard`](crate::access::Guard).

use super::detail::{fields, stress_profile, subkind_label};
use super::marks::Marker;
use super::summary::{SummaryCtx, summary};
use super::timeline::{TimelineParams, page};
use super::views::{CompaniesPage, EventPage, TrendsPage, WorkerPage, WorkersPage, header_doc, timeline_doc};
use super::{PAGE_SIZE, company_rules};
use crate::access::{Guard, Shown};
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

/// `GET /companies/{cid}/workers/{eid}?kind=&from=&to=&page=`: the worker page — the summary
/// panel and a page of the timeline, as the policy allows.
pub async fn worker(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(tp): Query<TimelineParams>,
) -> Result<Response, AppError> {
    let person = guard.person(cid, eid).await?;
    let company = person.employer().await?;
    let record = person.record().await?;
    let rules = company_rules(&guard, cid).await?;
    let stress = iphr_domain::stress::StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))?;
    let base = format!("/companies/{cid}/workers/{eid}");
    let ctx = SummaryCtx { rules: &rules, stress, today: guard.today(), base: base.clone() };
    let summary = summary(&person, &record, &ctx).await?;
    let marker = Marker::new(&rules, person.header.person.sex);
    let line = rules
        .overtime
        .profiles
        .get(&rules.settings.overtime_profile)
        .and_then(|p| p.get(&iphr_domain::overtime::Rule::InterviewNotice))
        .map_or(80.0, |t| t.threshold);
    let tl = page(guard.state().items, &record, &tp, &marker, line, guard.lang(), &base);
    let has_trends = record.events.iter().any(|e| {
        e.event.kind == iphr_domain::event::EventKind::Checkup
            && e.shown == Shown::Full
            && e.observations.iter().any(|o| matches!(o.value, iphr_domain::observation::Value::Number { .. }))
    });
    let header = header_doc(&person, record.work, guard.lang(), guard.today());
    Ok(render(&WorkerPage { f: Frame::of(&guard), company, header, summary, tl, has_trends }))
}

/// `GET /companies/{cid}/workers/{eid}/trends`: every numeric checkup item over the years, by
/// panel, with the judgement bands in force.
pub async fn trends(guard: Guard, Path((cid, eid)): Path<(CompanyId, EmploymentId)>) -> Result<Response, AppError> {
    let person = guard.person(cid, eid).await?;
    let record = person.record().await?;
    let rules = company_rules(&guard, cid).await?;
    let panels = super::trends::panels(guard.state().items, &rules, person.header.person.sex, &record, guard.lang());
    let header = header_doc(&person, record.work, guard.lang(), guard.today());
    Ok(render(&TrendsPage { f: Frame::of(&guard), header, base: format!("/companies/{cid}/workers/{eid}"), panels }))
}

/// `GET /companies/{cid}/workers/{eid}/events/{evid}`: one event with its coded data and
/// provenance, its details in words.
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
    let rules = company_rules(&guard, cid).await?;
    let marker = Marker::new(&rules, person.header.person.sex);
    let entry = timeline_doc(guard.state().items, &v, guard.lang(), &marker);
    let company = person.employer().await?;
    let full = v.shown == Shown::Full;
    let stress = iphr_domain::stress::StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(render(&EventPage {
        f: Frame::of(&guard),
        company,
        header,
        subkind: subkind_label(v.event.kind, v.event.subkind.as_deref()),
        fields: if full { fields(&v.event) } else { vec![] },
        profile: if full { stress_profile(&v.event, stress, person.header.person.sex) } else { vec![] },
        entry,
    }))
}
