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
    let line = rules.overtime_threshold(iphr_domain::overtime::Rule::InterviewNotice);
    let tl = page(guard.state().items, &record, &tp, &marker, line, guard.lang(), &base);
    let has_trends = record.events.iter().any(|e| {
        e.event.kind == iphr_domain::event::EventKind::Checkup
            && e.shown == Shown::Full
            && e.observations.iter().any(|o| matches!(o.value, iphr_domain::observation::Value::Number { .. }))
    });
    let header = header_doc(&person, record.work, guard.lang(), guard.today());
    // The records this user may write, and their drafts of this worker (OH staff only).
    let role = guard.user().actor.role;
    let writable: Vec<&iphr_domain::record_form::RecordForm> =
        iphr_domain::record_form::forms().unwrap_or_default().iter().filter(|f| f.allows(role)).collect();
    let write_forms = writable.iter().map(|f| (f.key.clone(), f.label_ja.clone())).collect();
    let drafts = if writable.is_empty() {
        vec![]
    } else {
        let who = person.person();
        person
            .read(&[iphr_domain::info_class::InfoClass::Class3], |s| async move { s.record_drafts(cid, who).await })
            .await?
            .into_iter()
            .map(|d| {
                let label = iphr_domain::record_form::form(&d.form).map_or(d.form.clone(), |f| f.label_ja.clone());
                let at = iphr_domain::clock::japan_time(d.updated_at).format("%Y-%m-%d %H:%M").to_string();
                (format!("{base}/records/{}", d.id), label, at)
            })
            .collect()
    };
    Ok(render(&WorkerPage { f: Frame::of(&guard), company, header, summary, tl, has_trends, write_forms, drafts }))
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
    // A record written from a form: its fields by the form's labels, its corrections, and the
    // way to correct it for a role that writes the form.
    let record = super::forms::record_fields(&v.event).filter(|_| full);
    let form = v.event.detail.get("form").and_then(|f| f.as_str()).and_then(iphr_domain::record_form::form);
    let (history, correct) = match (&record, form) {
        (Some(_), Some(fm)) => {
            let class = v.event.content_class;
            let h = person.read(&[class], |s| async move { s.event_history(cid, evid).await }).await?;
            let rows = h
                .iter()
                .map(|x| {
                    let at = iphr_domain::clock::japan_time(x.superseded_at).format("%Y-%m-%d %H:%M").to_string();
                    (at, x.superseded_by.clone(), x.reason.clone(), x.event.title.clone())
                })
                .collect();
            let link = fm
                .allows(guard.user().actor.role)
                .then(|| format!("/companies/{cid}/workers/{eid}/events/{evid}/correct"));
            (rows, link)
        }
        _ => (vec![], None),
    };
    // An attached document, shown in the page where a browser can.
    let document = v
        .event
        .detail
        .get("document_id")
        .and_then(|d| d.as_str())
        .filter(|_| full && v.event.kind == iphr_domain::event::EventKind::Attachment)
        .map(|id| {
            let ty = v.event.detail.get("content_type").and_then(|t| t.as_str()).unwrap_or_default();
            super::views::DocView {
                url: format!("/companies/{cid}/workers/{eid}/documents/{id}"),
                pdf: ty == "application/pdf",
                image: matches!(ty, "image/jpeg" | "image/png"),
            }
        });
    Ok(render(&EventPage {
        f: Frame::of(&guard),
        company,
        header,
        document,
        subkind: form
            .map(|f| f.label_ja.clone())
            .unwrap_or_else(|| subkind_label(v.event.kind, v.event.subkind.as_deref())),
        fields: match record {
            Some(r) => r,
            None if full => fields(&v.event),
            None => vec![],
        },
        profile: if full { stress_profile(&v.event, stress, person.header.person.sex) } else { vec![] },
        history,
        correct,
        entry,
    }))
}
