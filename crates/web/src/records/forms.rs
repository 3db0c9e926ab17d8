//! Writing unit-C records (面談記録 of every kind, 保健指導) from the forms of
//! `iphr_domain::record_form`: a draft is saved off the timeline and can be taken up again; the
//! author finalises it (signed with their name and the time) — the record goes on the timeline
//! with its class, and the fields that reach the employer become a class-1 opinion (就業上の配慮);
//! a final record is corrected with a reason, every earlier version kept.

use super::detail::Field;
use crate::access::{Guard, PersonAccess};
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::{field, pairs};
use crate::page::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::record_form::{FieldError, Input, RecordForm, form};
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::{Batch, RecordDraft};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One field as the page shows it.
pub struct FieldDoc {
    key: String,
    label: String,
    input: Input,
    choices: Vec<(String, String)>,
    required: bool,
    to_hr: bool,
    value: String,
    error: String,
}

/// The form page (new, a draft, or a correction).
#[derive(Template)]
#[template(path = "records/record_form.html")]
pub struct FormPage {
    f: Frame,
    name: String,
    base: String,
    form: &'static RecordForm,
    fields: Vec<FieldDoc>,
    /// The draft being edited (empty for a new one).
    draft: String,
    /// The event being corrected (empty otherwise).
    correcting: String,
    reason: String,
    date: String,
    errors: Vec<FieldError>,
    saved: bool,
}

/// Query of the new-record page.
#[derive(Deserialize, Default)]
pub struct NewParams {
    /// The form.
    #[serde(default)]
    form: String,
    /// Just saved.
    #[serde(default)]
    saved: Option<String>,
}

/// The record's date could not be read.
fn date_error() -> FieldError {
    FieldError {
        field: "_date".into(),
        label: "面談日".into(),
        reason: "日付は 2026-04-01 の形で入力してください".into(),
    }
}

fn form_of(key: &str) -> Result<&'static RecordForm, AppError> {
    form(key).ok_or_else(|| AppError::NotFound(format!("form {key}")))
}

/// The person, for a role the form allows (a refusal is audited and is a 403).
async fn writer<'g>(
    guard: &'g Guard,
    cid: CompanyId,
    eid: EmploymentId,
    f: &RecordForm,
) -> Result<PersonAccess<'g>, AppError> {
    let p = guard.person(cid, eid).await?;
    p.require_role(f.allows(guard.user().actor.role), &format!("write {}", f.key)).await?;
    p.require(f.class).await?;
    Ok(p)
}

#[allow(clippy::too_many_arguments)]
fn page(
    guard: &Guard,
    p: &PersonAccess<'_>,
    f: &'static RecordForm,
    values: &BTreeMap<String, String>,
    draft: String,
    correcting: String,
    errors: Vec<FieldError>,
    saved: bool,
) -> FormPage {
    let cid = p.company();
    let eid = p.employment();
    FormPage {
        f: Frame::of(guard),
        name: p.header.person.full_name(),
        base: format!("/companies/{cid}/workers/{eid}"),
        form: f,
        fields: f
            .fields
            .iter()
            .map(|x| FieldDoc {
                key: x.key.clone(),
                label: x.label_ja.clone(),
                input: x.input,
                choices: x.choices.clone(),
                required: x.required,
                to_hr: x.to_hr,
                value: values.get(&x.key).cloned().unwrap_or_default(),
                error: errors
                    .iter()
                    .filter(|e| e.field == x.key)
                    .map(|e| e.reason.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            })
            .collect(),
        draft,
        correcting,
        reason: values.get("_reason").cloned().unwrap_or_default(),
        date: values.get("_date").cloned().unwrap_or_else(|| guard.today().to_string()),
        errors,
        saved,
    }
}

/// `GET /companies/{cid}/workers/{eid}/records/new?form=`: an empty form.
pub async fn new(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(q): Query<NewParams>,
) -> Result<Response, AppError> {
    let f = form_of(&q.form)?;
    let p = writer(&guard, cid, eid, f).await?;
    Ok(render(&page(&guard, &p, f, &BTreeMap::new(), String::new(), String::new(), vec![], false)))
}

/// `GET /companies/{cid}/workers/{eid}/records/{draft}`: a draft taken up again (read audited).
pub async fn draft(
    guard: Guard,
    Path((cid, eid, id)): Path<(CompanyId, EmploymentId, uuid::Uuid)>,
    Query(q): Query<NewParams>,
) -> Result<Response, AppError> {
    let p = guard.person(cid, eid).await?;
    let person = p.person();
    let d = p
        .read(&[InfoClass::Class3], |s| async move { s.record_draft(cid, id).await })
        .await?
        .filter(|d| d.person_id == person)
        .ok_or_else(|| AppError::NotFound(format!("draft {id}")))?;
    let f = form_of(&d.form)?;
    let p = writer(&guard, cid, eid, f).await?;
    Ok(render(&page(&guard, &p, f, &d.fields, id.to_string(), String::new(), vec![], q.saved.is_some())))
}

/// `POST /companies/{cid}/workers/{eid}/records`: saves the draft (`action=save`) or finalises
/// it (`action=finalise`); a form in error comes back with every field named (400).
pub async fn save(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let f = form_of(field(&pairs, "form"))?;
    let p = writer(&guard, cid, eid, f).await?;
    let finalising = field(&pairs, "action") == "finalise";
    let input: BTreeMap<String, String> =
        pairs.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone()))).collect();
    let draft_id: uuid::Uuid = match field(&pairs, "draft") {
        "" => uuid::Uuid::now_v7(),
        s => s.parse().map_err(|_| AppError::BadRequest("draft: not an id".into()))?,
    };
    let date = field(&pairs, "date");
    let on = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d");
    let values = match (f.validate(&input, finalising), &on) {
        (Ok(v), Ok(_)) => v,
        (r, _) => {
            let mut errors = r.err().unwrap_or_default();
            if on.is_err() {
                errors.insert(0, date_error());
            }
            let mut kept = input.clone();
            kept.insert("_date".into(), date.to_string());
            let pg = page(&guard, &p, f, &kept, field(&pairs, "draft").to_string(), String::new(), errors, false);
            return Ok((StatusCode::BAD_REQUEST, render(&pg)).into_response());
        }
    };
    let on = on.unwrap_or_else(|_| guard.today());
    let base = format!("/companies/{cid}/workers/{eid}");
    let user = guard.user();
    // The draft as it stands (the author is whoever saved it last).
    let draft = RecordDraft {
        company_id: cid,
        id: draft_id,
        person_id: p.person(),
        employment_id: eid,
        form: f.key.clone(),
        fields: {
            let mut v = values.clone();
            v.insert("_date".into(), on.to_string());
            v
        },
        author: user.actor.login.clone(),
        updated_at: guard.state().now(),
    };
    if !finalising {
        p.write(f.class, &format!("{} draft", f.key), |s| async move { s.save_record_draft(&draft).await }).await?;
        return Ok(Redirect::to(&format!("{base}/records/{draft_id}?saved=1")).into_response());
    }
    let producer = if user.actor.role == Role::Physician { Producer::Physician } else { Producer::OhStaff };
    let signed = serde_json::json!({ "name": user.display_name, "login": user.actor.login, "at": guard.state().now().to_rfc3339() });
    let event = |kind: EventKind, class: InfoClass, title: String, detail: serde_json::Value| Event {
        company_id: cid,
        id: EventId::new(),
        person_id: Some(p.person()),
        employment_id: Some(eid),
        department_id: None,
        kind,
        subkind: Some(f.key.clone()),
        event_date: on,
        title,
        content_class: class,
        producer,
        detail,
        source_doc: None,
    };
    // The title says the kind of record only: the step or topic is its content. A treatment,
    // medication or attending physician's record also carries its fields by name (as shown), so
    // that the worker summary reads its conditions and medication from any source alike.
    let mut detail = serde_json::json!({ "form": f.key, "fields": values, "signed": signed });
    if f.kind != EventKind::Interview
        && let Some(o) = detail.as_object_mut()
    {
        for (k, v) in &values {
            o.insert(k.clone(), serde_json::json!(f.shown(k, v)));
        }
    }
    let title = match f.kind {
        EventKind::Treatment | EventKind::Medication => {
            let first = f.fields.first().and_then(|x| values.get(&x.key)).cloned().unwrap_or_default();
            format!("{}: {first}", f.label_ja)
        }
        _ => f.label_ja.clone(),
    };
    let record = event(f.kind, f.class, title, detail);
    let mut events = vec![record.clone()];
    // What reaches the employer: the fields marked so, as an opinion of class 1.
    // In the form's order, choices by their label ("就業区分: 就業制限").
    let to_hr: Vec<String> = f
        .fields
        .iter()
        .filter(|x| x.to_hr)
        .filter_map(|x| values.get(&x.key).map(|v| format!("{}: {}", x.label_ja, f.shown(&x.key, v))))
        .collect();
    let mut parts = vec![(f.class, format!("{} record", f.key))];
    if !to_hr.is_empty() {
        events.push(event(
            EventKind::Opinion,
            InfoClass::Class1,
            format!("{}に基づく就業上の配慮", f.label_ja),
            serde_json::json!({ "basis": f.label_ja, "measures": to_hr, "record": record.id.to_string(), "by": user.display_name }),
        ));
        parts.push((InfoClass::Class1, format!("{} opinion", f.key)));
    }
    let batch = Batch { events, ..Batch::default() };
    let parts_ref: Vec<(InfoClass, &str)> = parts.iter().map(|(c, w)| (*c, w.as_str())).collect();
    let saved_before = !field(&pairs, "draft").is_empty();
    p.write_all(&parts_ref, |s| async move {
        // A saved draft is finalised once (a second finalisation is a conflict); a form never
        // saved goes straight to the timeline.
        if saved_before { s.finalise_record_draft(cid, draft_id, &batch).await } else { s.insert_batch(&batch).await }
    })
    .await?;
    Ok(Redirect::to(&format!("{base}/events/{}", record.id)).into_response())
}

/// The form and values of a final record written from a form.
fn record_of(e: &Event) -> Option<(&'static RecordForm, BTreeMap<String, String>)> {
    let f = form(e.detail.get("form")?.as_str()?)?;
    let values = e
        .detail
        .get("fields")?
        .as_object()?
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
        .collect();
    Some((f, values))
}

/// `GET /companies/{cid}/workers/{eid}/events/{evid}/correct`: the record's form with its values
/// and a reason to give.
pub async fn correct_form(
    guard: Guard,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
) -> Result<Response, AppError> {
    let p = guard.person(cid, eid).await?;
    let v = p.event(evid).await?;
    let (f, mut values) = record_of(&v.event).ok_or_else(|| AppError::NotFound(format!("record {evid}")))?;
    let p = writer(&guard, cid, eid, f).await?;
    values.insert("_date".into(), v.event.event_date.to_string());
    Ok(render(&page(&guard, &p, f, &values, String::new(), evid.to_string(), vec![], false)))
}

/// `POST /companies/{cid}/workers/{eid}/events/{evid}/correct`: replaces the record, keeping the
/// version it replaces with who, when and why.
pub async fn correct(
    guard: Guard,
    Path((cid, eid, evid)): Path<(CompanyId, EmploymentId, EventId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let p = guard.person(cid, eid).await?;
    let v = p.event(evid).await?;
    let (f, _) = record_of(&v.event).ok_or_else(|| AppError::NotFound(format!("record {evid}")))?;
    let p = writer(&guard, cid, eid, f).await?;
    let input: BTreeMap<String, String> =
        pairs.iter().filter_map(|(k, v)| k.strip_prefix("f_").map(|k| (k.to_string(), v.clone()))).collect();
    let reason = field(&pairs, "reason");
    let date = field(&pairs, "date");
    let on = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d");
    let mut errors = f.validate(&input, true).err().unwrap_or_default();
    if on.is_err() {
        errors.insert(0, date_error());
    }
    if reason.is_empty() {
        errors.push(FieldError {
            field: "_reason".into(),
            label: "訂正の理由".into(),
            reason: "入力してください".into(),
        });
    }
    if !errors.is_empty() {
        let mut kept = input.clone();
        kept.insert("_date".into(), date.to_string());
        kept.insert("_reason".into(), reason.to_string());
        let pg = page(&guard, &p, f, &kept, String::new(), evid.to_string(), errors, false);
        return Ok((StatusCode::BAD_REQUEST, render(&pg)).into_response());
    }
    let values = f.validate(&input, true).unwrap_or_default();
    let mut e = v.event.clone();
    e.event_date = on.unwrap_or(e.event_date);
    if matches!(f.kind, EventKind::Treatment | EventKind::Medication) {
        let first = f.fields.first().and_then(|x| values.get(&x.key)).cloned().unwrap_or_default();
        e.title = format!("{}: {first}", f.label_ja);
    }
    if let Some(o) = e.detail.as_object_mut() {
        if f.kind != EventKind::Interview {
            for x in &f.fields {
                o.remove(&x.key);
            }
            for (k, v) in &values {
                o.insert(k.clone(), serde_json::json!(f.shown(k, v)));
            }
        }
        o.insert("fields".into(), serde_json::json!(values));
        o.insert(
            "corrected".into(),
            serde_json::json!({ "name": guard.user().display_name, "login": guard.user().actor.login, "at": guard.state().now().to_rfc3339(), "reason": reason }),
        );
    }
    let (by, why, at) = (guard.user().actor.login.clone(), reason.to_string(), guard.state().now());
    p.write(
        f.class,
        &format!("{} correction", f.key),
        |s| async move { s.correct_event(cid, &e, &by, &why, at).await },
    )
    .await?;
    Ok(Redirect::to(&format!("/companies/{cid}/workers/{eid}/events/{evid}")).into_response())
}

/// The fields of a record written from a form, labelled by the form (with the signature and the
/// last correction), or `None` for other events.
pub fn record_fields(e: &Event) -> Option<Vec<Field>> {
    let (f, values) = record_of(e)?;
    let mut out: Vec<Field> = f
        .fields
        .iter()
        .filter_map(|x| values.get(&x.key).map(|v| Field { label: x.label_ja.clone(), value: f.shown(&x.key, v) }))
        .collect();
    let who = |k: &str| {
        let s = e.detail.get(k)?;
        let name = s.get("name")?.as_str()?;
        let at = s.get("at")?.as_str()?;
        let at = chrono::DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&chrono::Utc);
        let jst = iphr_domain::clock::japan_time(at);
        Some(format!("{name}({})", jst.format("%Y-%m-%d %H:%M")))
    };
    if let Some(s) = who("signed") {
        out.push(Field { label: "記録者(確定)".into(), value: s });
    }
    if let Some(s) = who("corrected") {
        let why = e.detail.get("corrected").and_then(|c| c.get("reason")).and_then(|r| r.as_str()).unwrap_or_default();
        out.push(Field { label: "最終訂正".into(), value: format!("{s} 理由: {why}") });
    }
    Some(out)
}
