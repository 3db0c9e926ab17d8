//! The physician's 面接指導 record: the MHLW 面接指導結果報告書 (class 2) and 就業上の措置に係る
//! 意見書 (class 1) in one form, for the long-hours interview of a month (安衛法66条の8) or the
//! high-stress interview of a stress-check campaign (安衛法66条の10). Physician only; the form's
//! choices are the table `interview-form-v1` (iphr_domain::interview), every error names its field.

use crate::access::{Guard, PersonAccess};
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::field;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::interview::{Choice, FieldError, FormTable, InterviewKind, parse_form};
use iphr_domain::ohcc::Producer;
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::Batch;
use serde::Deserialize;
use std::collections::HashMap;

/// The route of the 面接指導 form.
pub fn routes() -> Router<AppState> {
    Router::new().route("/companies/{cid}/workers/{eid}/interview", get(form).post(record))
}

/// Which interview (query of the page and of the form).
#[derive(Deserialize, Default, Debug)]
pub struct InterviewParams {
    /// `long_hours` or `high_stress`.
    #[serde(default)]
    kind: String,
    /// The month (long hours), YYYY-MM.
    #[serde(default)]
    month: Option<String>,
    /// The campaign (high stress).
    #[serde(default)]
    campaign: Option<uuid::Uuid>,
}

/// `GET|POST /companies/{cid}/workers/{eid}/interview` page.
#[derive(Template)]
#[template(path = "interview/interview.html")]
pub struct InterviewPage {
    f: Frame,
    cid: CompanyId,
    eid: EmploymentId,
    name: String,
    kind: InterviewKind,
    /// The month or the campaign the interview is about (hidden fields).
    month: String,
    campaign: String,
    fatigue: Vec<Choice>,
    findings: Vec<Choice>,
    guidance: Vec<Choice>,
    category: Vec<Choice>,
    hours: Vec<Choice>,
    other: Vec<Choice>,
    values: HashMap<String, Vec<String>>,
    errors: Vec<FieldError>,
}

impl InterviewPage {
    /// The first value of a field.
    fn val(&self, k: &str) -> &str {
        self.values.get(k).and_then(|v| v.first()).map_or("", String::as_str)
    }

    /// Whether a choice is selected.
    fn checked(&self, k: &str, code: &str) -> bool {
        self.values.get(k).is_some_and(|v| v.iter().any(|x| x == code))
    }

    /// The error of a field.
    fn error(&self, k: &str) -> &str {
        self.errors.iter().find(|e| e.field == k).map_or("", |e| e.reason.as_str())
    }
}

fn table() -> Result<&'static FormTable, AppError> {
    FormTable::embedded().map_err(AppError::Internal)
}

fn kind_of(p: &InterviewParams) -> Result<(InterviewKind, String, String), AppError> {
    let kind =
        InterviewKind::parse(&p.kind).ok_or_else(|| AppError::BadRequest("kind: long_hours or high_stress".into()))?;
    match kind {
        InterviewKind::LongHours => {
            let m = p.month.clone().unwrap_or_default();
            iphr_postcheckup::hours::parse_month(&m).ok_or_else(|| AppError::BadRequest("month: YYYY-MM".into()))?;
            Ok((kind, m, String::new()))
        }
        InterviewKind::HighStress => {
            let c = p.campaign.ok_or_else(|| AppError::BadRequest("campaign: the stress-check campaign".into()))?;
            Ok((kind, String::new(), c.to_string()))
        }
    }
}

/// The physician's access to the person: identity, and the interview record (class 2).
async fn physician_access(guard: &Guard, cid: CompanyId, eid: EmploymentId) -> Result<PersonAccess<'_>, AppError> {
    let access = guard.person(cid, eid).await?;
    access.require_role(guard.user().actor.role == Role::Physician, "record a 面接指導").await?;
    access.require(InfoClass::Class2).await?;
    Ok(access)
}

fn page(
    guard: &Guard,
    cid: CompanyId,
    eid: EmploymentId,
    access: &PersonAccess<'_>,
    (kind, month, campaign): (InterviewKind, String, String),
    values: HashMap<String, Vec<String>>,
    errors: Vec<FieldError>,
) -> Result<InterviewPage, AppError> {
    let t = table()?;
    let p = &access.header.person;
    Ok(InterviewPage {
        f: Frame::of(guard),
        cid,
        eid,
        name: format!("{} {}", p.family_name, p.given_name),
        kind,
        month,
        campaign,
        fatigue: t.choices("fatigue").to_vec(),
        findings: t.choices("findings").to_vec(),
        guidance: t.choices("guidance").to_vec(),
        category: t.choices("category").to_vec(),
        hours: t.choices("hours").to_vec(),
        other: t.choices("other").to_vec(),
        values,
        errors,
    })
}

/// The form's starting values: today, and what the record already says — the month's hours
/// (long hours) or the stress check's A/B/C sums (high stress); read through the person's access
/// (classes 2 and work, audited).
async fn prefill(
    guard: &Guard,
    access: &PersonAccess<'_>,
    kind: InterviewKind,
    month: &str,
    campaign: &str,
) -> Result<HashMap<String, Vec<String>>, AppError> {
    let (cid, person, sex) = (access.company(), access.person(), access.header.person.sex);
    let mut v: HashMap<String, Vec<String>> = HashMap::new();
    v.insert("interviewed_on".into(), vec![guard.today().to_string()]);
    let rules =
        iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let campaign = match kind {
        InterviewKind::HighStress => {
            let id: uuid::Uuid = campaign.parse().map_err(|_| AppError::BadRequest("campaign".into()))?;
            Some(
                guard
                    .store()
                    .stress_campaigns(cid)
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .ok_or_else(|| AppError::NotFound(format!("campaign {id}")))?,
            )
        }
        InterviewKind::LongHours => None,
    };
    let stress_rules = iphr_domain::stress::StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))?;
    let first = iphr_postcheckup::hours::parse_month(month);
    let internal = |e: iphr_postcheckup::Error| iphr_store::StoreError::Backend(e.to_string());
    let found = access
        .read(&[InfoClass::Class2, InfoClass::Work], |s| async move {
            let mut found: Vec<(String, String)> = Vec::new();
            if let (InterviewKind::LongHours, Some(first)) = (kind, first) {
                let recs = iphr_postcheckup::hours::month_hours(
                    s,
                    cid,
                    first,
                    &rules.overtime,
                    &rules.settings.overtime_profile,
                    Some(person),
                )
                .await
                .map_err(internal)?;
                if let Some(r) = recs.first() {
                    let h = &r.result.hours;
                    found.push((
                        "work_situation".into(),
                        format!(
                            "{}: 時間外・休日労働 {:.1}時間 (法定時間外 {:.1}時間、休日 {:.1}時間、深夜業 {}回)",
                            first.format("%Y-%m"),
                            h.overtime_holiday,
                            h.statutory_overtime,
                            h.holiday,
                            h.night_shifts
                        ),
                    ));
                }
            }
            if let Some(c) = campaign {
                let sheets = s.stress_sheets(cid, c.starts_on, c.ends_on).await?;
                let mine: Vec<_> = sheets.into_iter().filter(|x| x.person_id == person).collect();
                if let Some(x) = iphr_postcheckup::stress::latest_per_person(&mine).first()
                    && let Ok(a) = iphr_domain::stress::Answers::parse(x.answers.clone())
                {
                    let r = stress_rules.score(&a, sex);
                    for (k, n) in [("stress_a", r.sum.a), ("stress_b", r.sum.b), ("stress_c", r.sum.c)] {
                        found.push((k.into(), n.to_string()));
                    }
                }
            }
            Ok(found)
        })
        .await?;
    for (k, x) in found {
        v.insert(k, vec![x]);
    }
    Ok(v)
}

/// `GET /companies/{cid}/workers/{eid}/interview?kind=…&month=…|campaign=…`: the form.
pub async fn form(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(p): Query<InterviewParams>,
) -> Result<Response, AppError> {
    let access = physician_access(&guard, cid, eid).await?;
    let which = kind_of(&p)?;
    let values = prefill(&guard, &access, which.0, &which.1, &which.2).await?;
    Ok(render(&page(&guard, cid, eid, &access, which, values, vec![])?))
}

/// `POST /companies/{cid}/workers/{eid}/interview`: records the report (class 2) and the opinion
/// (class 1) in one write, or shows the form again with every wrong field named.
pub async fn record(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let access = physician_access(&guard, cid, eid).await?;
    let p = InterviewParams {
        kind: field(&pairs, "kind").to_string(),
        month: Some(field(&pairs, "month").to_string()).filter(|s| !s.is_empty()),
        campaign: field(&pairs, "campaign").parse().ok(),
    };
    let (kind, month, campaign) = kind_of(&p)?;
    let t = table()?;
    let values = |k: &str| -> Vec<String> { pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect() };
    let (report, opinion) = match parse_form(t, kind, &values) {
        Ok(x) => x,
        Err(errors) => {
            let mut kept: HashMap<String, Vec<String>> = HashMap::new();
            for (k, v) in &pairs {
                kept.entry(k.clone()).or_default().push(v.clone());
            }
            let pg = page(&guard, cid, eid, &access, (kind, month, campaign), kept, errors)?;
            return Ok((StatusCode::BAD_REQUEST, render(&pg)).into_response());
        }
    };
    let about = match kind {
        InterviewKind::LongHours => serde_json::json!({ "month": month }),
        InterviewKind::HighStress => serde_json::json!({ "campaign": campaign }),
    };
    let with = |extra: serde_json::Value| {
        let mut v = about.clone();
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        v
    };
    let (report_basis, opinion_basis) = match kind {
        InterviewKind::LongHours => ("安衛法66条の8; 安衛則52条の6 (記録5年)", "安衛法66条の8第4項"),
        InterviewKind::HighStress => ("安衛法66条の10第3項; 安衛則52条の18 (記録5年)", "安衛法66条の10第5項"),
    };
    let base = |kind_: EventKind, class, title: String, detail| Event {
        company_id: cid,
        id: EventId::new(),
        person_id: Some(access.subject.person_id),
        employment_id: Some(eid),
        department_id: None,
        kind: kind_,
        subkind: Some(kind.as_str().to_string()),
        event_date: report.interviewed_on,
        title,
        content_class: class,
        producer: Producer::Physician,
        detail,
        source_doc: None,
    };
    let interview = base(
        EventKind::Interview,
        InfoClass::Class2,
        format!("{} (面接指導結果報告書)", kind.label_ja()),
        with(serde_json::json!({
            "basis": report_basis, "form": t.edition, "physician": guard.user().display_name, "report": report,
        })),
    );
    let opinion_event = base(
        EventKind::Opinion,
        InfoClass::Class1,
        format!("面接指導に基づく医師の意見: {}", opinion.category.label),
        with(serde_json::json!({
            "basis": opinion_basis, "form": t.edition, "physician": guard.user().display_name,
            "category": opinion.category.label, "legal": opinion.legal.label_ja(), "opinion": opinion,
        })),
    );
    let batch = Batch { events: vec![interview, opinion_event], ..Batch::default() };
    let (report_what, opinion_what) = (format!("{} report", kind.as_str()), format!("{} opinion", kind.as_str()));
    access
        .write_all(&[(InfoClass::Class2, &report_what), (InfoClass::Class1, &opinion_what)], |s| async move {
            s.insert_batch(&batch).await
        })
        .await?;
    let back = match kind {
        InterviewKind::LongHours => format!("/companies/{cid}/hours?month={month}"),
        InterviewKind::HighStress => format!("/companies/{cid}/stresscheck?campaign={campaign}"),
    };
    Ok(Redirect::to(&back).into_response())
}
