//! The physician's 面接指導 record: the MHLW 面接指導結果報告書 (class 2) and 就業上の措置に係る
//! 意見書 (class 1) in one form, for the long-hours interview of a month (安衛法66条の8) or the
//! high-stress interview of a stress-check campaign (安衛法66条の10). Physician only; the form's
//! choices are the table `interview-form-v1` (iphr_domain::interview), every error names its field.

use crate::AppState;
use crate::access::Guard;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::forms::field;
use crate::views::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::interview::{Choice, FieldError, FormTable, InterviewKind, parse_form};
use iphr_domain::ohcc::Producer;
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::Batch;
use serde::Deserialize;
use std::collections::HashMap;

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
#[template(path = "interview.html")]
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
async fn physician_access(
    guard: &Guard<'_>,
    user: &CurrentUser,
    cid: CompanyId,
    eid: EmploymentId,
) -> Result<crate::access::PersonAccess, AppError> {
    let access = guard.person(cid, eid).await?;
    guard.require_role(&access, user.actor.role == Role::Physician, "record a 面接指導").await?;
    guard.require(&access, InfoClass::Class2).await?;
    Ok(access)
}

fn page(
    user: &CurrentUser,
    cid: CompanyId,
    eid: EmploymentId,
    access: &crate::access::PersonAccess,
    (kind, month, campaign): (InterviewKind, String, String),
    values: HashMap<String, Vec<String>>,
    errors: Vec<FieldError>,
) -> Result<InterviewPage, AppError> {
    let t = table()?;
    let p = &access.header.person;
    Ok(InterviewPage {
        f: Frame::new(user, format!("/companies/{cid}/workers/{eid}/interview")),
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
/// (long hours) or the stress check's A/B/C sums (high stress).
async fn prefill(
    state: &AppState,
    cid: CompanyId,
    access: &crate::access::PersonAccess,
    kind: InterviewKind,
    month: &str,
    campaign: &str,
) -> Result<HashMap<String, Vec<String>>, AppError> {
    let mut v: HashMap<String, Vec<String>> = HashMap::new();
    v.insert("interviewed_on".into(), vec![crate::postcheckup::today_jst().to_string()]);
    let person = access.subject.person_id;
    match kind {
        InterviewKind::LongHours => {
            let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
            if let Some(first) = iphr_postcheckup::hours::parse_month(month) {
                let recs = iphr_postcheckup::hours::month_hours(
                    state.store.as_ref(),
                    cid,
                    first,
                    &rules.overtime,
                    &rules.settings.overtime_profile,
                    Some(person),
                )
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
                if let Some(r) = recs.first() {
                    let h = &r.result.hours;
                    v.insert(
                        "work_situation".into(),
                        vec![format!(
                            "{month}: 時間外・休日労働 {:.1}時間 (法定時間外 {:.1}時間、休日 {:.1}時間、深夜業 {}回)",
                            h.overtime_holiday, h.statutory_overtime, h.holiday, h.night_shifts
                        )],
                    );
                }
            }
        }
        InterviewKind::HighStress => {
            let id: uuid::Uuid = campaign.parse().map_err(|_| AppError::BadRequest("campaign".into()))?;
            let c = state
                .store
                .stress_campaigns(cid)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| AppError::NotFound(format!("campaign {id}")))?;
            let sheets = state.store.stress_sheets(cid, c.starts_on, c.ends_on).await?;
            let mine: Vec<_> = sheets.into_iter().filter(|s| s.person_id == person).collect();
            if let Some(s) = iphr_postcheckup::stress::latest_per_person(&mine).first()
                && let Ok(a) = iphr_domain::stress::Answers::parse(s.answers.clone())
            {
                let rules =
                    iphr_domain::stress::StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))?;
                let r = rules.score(&a, access.header.person.sex);
                for (k, n) in [("stress_a", r.sum.a), ("stress_b", r.sum.b), ("stress_c", r.sum.c)] {
                    v.insert(k.into(), vec![n.to_string()]);
                }
            }
        }
    }
    Ok(v)
}

/// `GET /companies/{cid}/workers/{eid}/interview?kind=…&month=…|campaign=…`: the form.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    Query(p): Query<InterviewParams>,
) -> Result<Response, AppError> {
    let guard = Guard::new(&state, &user, format!("GET /companies/{cid}/workers/{eid}/interview"));
    let access = physician_access(&guard, &user, cid, eid).await?;
    let which = kind_of(&p)?;
    let values = prefill(&state, cid, &access, which.0, &which.1, &which.2).await?;
    guard.read(&access, &[InfoClass::Class2, InfoClass::Work]).await?;
    Ok(render(&page(&user, cid, eid, &access, which, values, vec![])?))
}

/// `POST /companies/{cid}/workers/{eid}/interview`: records the report (class 2) and the opinion
/// (class 1) in one write, or shows the form again with every wrong field named.
pub async fn record(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let guard = Guard::new(&state, &user, format!("POST /companies/{cid}/workers/{eid}/interview"));
    let access = physician_access(&guard, &user, cid, eid).await?;
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
            let pg = page(&user, cid, eid, &access, (kind, month, campaign), kept, errors)?;
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
            "basis": report_basis, "form": t.edition, "physician": user.display_name, "report": report,
        })),
    );
    let opinion_event = base(
        EventKind::Opinion,
        InfoClass::Class1,
        format!("面接指導に基づく医師の意見: {}", opinion.category.label),
        with(serde_json::json!({
            "basis": opinion_basis, "form": t.edition, "physician": user.display_name,
            "category": opinion.category.label, "legal": opinion.legal.label_ja(), "opinion": opinion,
        })),
    );
    state.store.insert_batch(&Batch { events: vec![interview, opinion_event], ..Batch::default() }).await?;
    guard.wrote(&access, InfoClass::Class2, &format!("{} report", kind.as_str())).await?;
    guard.wrote(&access, InfoClass::Class1, &format!("{} opinion", kind.as_str())).await?;
    let back = match kind {
        InterviewKind::LongHours => format!("/companies/{cid}/hours?month={month}"),
        InterviewKind::HighStress => format!("/companies/{cid}/stresscheck?campaign={campaign}"),
    };
    Ok(Redirect::to(&back).into_response())
}
