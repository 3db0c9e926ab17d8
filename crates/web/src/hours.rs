//! Long working hours on the web (安衛法66条の8, 安衛則52条の2〜52条の3): a month's hours and flags
//! per worker, and the interview workflow for those over 80 h — notice to the worker →
//! application (by the worker on `/me/hours`, or recorded by staff) → interview record (the MHLW
//! form's fields) → the physician's opinion → the employer's measure. Each step is an event on
//! the worker's timeline with the month in its details.

use crate::AppState;
use crate::access::Guard;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::forms::field;
use crate::views::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::overtime::Level;
use iphr_domain::person::WorkRegime;
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use iphr_store::{Batch, WorkerQuery};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// The steps of the long-hours workflow, as event (kind, subkind).
const STEPS: [(&str, EventKind, &str); 5] = [
    ("notice", EventKind::Interview, "long_hours_notice"),
    ("application", EventKind::Interview, "long_hours_application"),
    ("interview", EventKind::Interview, "long_hours"),
    ("opinion", EventKind::Opinion, "long_hours"),
    ("measure", EventKind::EmploymentDecision, "long_hours"),
];

/// A worker's month on the page.
pub struct Row {
    employment_id: String,
    employee_number: String,
    name: String,
    /// 労働時間制度 when not general.
    regime: String,
    overtime_holiday: f64,
    statutory_overtime: f64,
    holiday: f64,
    night_shifts: f64,
    year_total: f64,
    over45: u32,
    average: String,
    flags: Vec<(String, String)>,
    over80: bool,
    /// Over 100 h as 研究開発業務 / 高度プロフェッショナル: the interview is due without application.
    mandatory: bool,
    done: BTreeMap<String, String>,
}

/// `GET /companies/{cid}/hours` page.
#[derive(Template)]
#[template(path = "hours.html")]
pub struct HoursPage {
    f: Frame,
    company: Company,
    month: String,
    rows: Vec<Row>,
    /// The company's sector profile of the rules.
    profile: String,
    is_physician: bool,
    is_staff: bool,
}

/// Query.
#[derive(Deserialize, Default)]
pub struct HoursParams {
    /// YYYY-MM (default: last month).
    #[serde(default)]
    month: Option<String>,
    /// Only workers over 80 h.
    #[serde(default)]
    over: Option<String>,
}

/// Whether the month makes the worker due the interview (a notice-level interview flag of their
/// regime's rules: over 80 h, or 100 h for 研究開発 / 高度プロフェッショナル; oh-overtime-rules.csv).
fn interview_due(r: &iphr_domain::overtime::MonthResult) -> bool {
    r.flags.iter().any(|f| f.level == Level::Notice && f.rule.as_str().starts_with("interview"))
}

fn level_ja(l: Level) -> &'static str {
    match l {
        Level::Approaching => "接近",
        Level::Notice => "該当",
        Level::Violation => "超過",
    }
}

fn last_month() -> String {
    let t = crate::postcheckup::today_jst();
    let m = t.checked_sub_months(chrono::Months::new(1)).unwrap_or(t);
    m.format("%Y-%m").to_string()
}

/// Steps done per person for a month: step → date.
async fn steps_done(
    state: &AppState,
    cid: CompanyId,
    month: &str,
) -> Result<HashMap<PersonId, BTreeMap<String, String>>, AppError> {
    let mut out: HashMap<PersonId, BTreeMap<String, String>> = HashMap::new();
    for kind in [EventKind::Interview, EventKind::Opinion, EventKind::EmploymentDecision] {
        for e in state.store.events_of_kind(cid, kind, None).await? {
            let Some(p) = e.person_id else { continue };
            if e.detail.get("month").and_then(|m| m.as_str()) != Some(month) {
                continue;
            }
            if let Some((name, _, _)) = STEPS.iter().find(|(_, k, s)| *k == e.kind && e.subkind.as_deref() == Some(*s))
            {
                out.entry(p).or_default().insert((*name).to_string(), e.event_date.to_string());
            }
        }
    }
    Ok(out)
}

/// `GET /companies/{cid}/hours?month=YYYY-MM`: hours, flags and the interview workflow.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<HoursParams>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/hours");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    // 勤怠 (work) and the workflow's class-1 steps: HR, the health manager and OH staff.
    let company = guard.company_class(cid, InfoClass::Work, "working hours").await?;
    let month = p.month.unwrap_or_else(last_month);
    let m = iphr_postcheckup::hours::parse_month(&month)
        .ok_or_else(|| AppError::BadRequest(format!("month: {month:?} is not YYYY-MM")))?;
    let company_rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let profile = company_rules.settings.overtime_profile.clone();
    let records =
        iphr_postcheckup::hours::month_hours(state.store.as_ref(), cid, m, &company_rules.overtime, &profile, None)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    let workers: HashMap<PersonId, iphr_store::WorkerRow> = state
        .store
        .search_workers(cid, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
        .await?
        .rows
        .into_iter()
        .map(|r| (r.person_id, r))
        .collect();
    let done = steps_done(&state, cid, &month).await?;
    let only_over = p.over.as_deref() == Some("1");
    let mut rows: Vec<Row> = records
        .iter()
        .filter_map(|rec| {
            let w = workers.get(&rec.person_id)?;
            let r = &rec.result;
            let over80 = interview_due(r);
            if only_over && !over80 {
                return None;
            }
            Some(Row {
                employment_id: w.employment_id.to_string(),
                employee_number: w.employee_number.clone(),
                name: w.name.clone(),
                regime: match rec.work_regime {
                    WorkRegime::General => String::new(),
                    other => other.label_ja().to_string(),
                },
                overtime_holiday: r.hours.overtime_holiday,
                statutory_overtime: r.hours.statutory_overtime,
                holiday: r.hours.holiday,
                night_shifts: r.hours.night_shifts,
                year_total: (r.year_statutory_overtime * 10.0).round() / 10.0,
                over45: r.over45_months,
                average: r.max_average.map(|(k, a)| format!("{a:.1} ({k}か月)")).unwrap_or_default(),
                flags: r.flags.iter().map(|f| (level_ja(f.level).to_string(), f.message_ja.clone())).collect(),
                over80,
                mandatory: r.flags.iter().any(|f| {
                    f.level == Level::Notice
                        && matches!(
                            f.rule,
                            iphr_domain::overtime::Rule::InterviewRnd | iphr_domain::overtime::Rule::InterviewKopro
                        )
                }),
                done: done.get(&rec.person_id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    rows.sort_by(|a, b| b.overtime_holiday.total_cmp(&a.overtime_holiday));
    let role = user.actor.role;
    Ok(render(&HoursPage {
        f: Frame::new(&user, path),
        company,
        month,
        rows,
        profile,
        is_physician: role == Role::Physician,
        is_staff: matches!(role, Role::Physician | Role::Nurse | Role::HealthManager | Role::Hr),
    }))
}

/// Who may record a step: the notice and the measure by the employer side (HR, health manager)
/// or OH staff; the application by the worker or staff; the interview and the opinion by a
/// physician only.
fn allowed(step: &str, role: Role) -> bool {
    match step {
        "notice" | "measure" => matches!(role, Role::Hr | Role::HealthManager | Role::Physician | Role::Nurse),
        "application" => matches!(role, Role::Worker | Role::Physician | Role::Nurse | Role::HealthManager),
        _ => false,
    }
}

async fn record(
    state: &AppState,
    user: &CurrentUser,
    action: String,
    cid: CompanyId,
    eid: EmploymentId,
    pairs: &[(String, String)],
) -> Result<(), AppError> {
    let step = field(pairs, "step");
    if matches!(step, "interview" | "opinion") {
        return Err(AppError::BadRequest(
            "the interview and the opinion are recorded on the 面接指導 form (/companies/{c}/workers/{e}/interview)"
                .into(),
        ));
    }
    let month = field(pairs, "month");
    let first =
        iphr_postcheckup::hours::parse_month(month).ok_or_else(|| AppError::BadRequest("month: YYYY-MM".into()))?;
    let guard = Guard::new(state, user, action);
    let access = guard.person(cid, eid).await?;
    let Some((_, kind, subkind)) = STEPS.iter().find(|(n, _, _)| *n == step) else {
        return Err(AppError::BadRequest(format!("step: {step:?}")));
    };
    guard.require_role(&access, allowed(step, user.actor.role), step).await?;
    let class = InfoClass::Class1;
    guard.require(&access, class).await?;
    let today = crate::postcheckup::today_jst();
    let label = first.format("%Y年%-m月").to_string();
    // Only a month that has ended has its hours (the 80 h of 安衛則52条の2 are the month's).
    if first.checked_add_months(chrono::Months::new(1)).is_none_or(|next| next > today) {
        return Err(AppError::BadRequest(format!(
            "{label}はまだ終わっていないため、時間外・休日労働時間が確定していません。"
        )));
    }
    let person = access.subject.person_id;
    // Once per worker, month and step: a repeated post records nothing more.
    let existing = state.store.events_of_kind(cid, *kind, Some(subkind)).await?;
    if existing
        .iter()
        .any(|e| e.person_id == Some(person) && e.detail.get("month").and_then(|m| m.as_str()) == Some(month))
    {
        return Ok(());
    }
    let rules = iphr_postcheckup::company_rules(state.store.as_ref(), cid)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let profile = rules.settings.overtime_profile.clone();
    let record =
        iphr_postcheckup::hours::month_hours(state.store.as_ref(), cid, first, &rules.overtime, &profile, Some(person))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .into_iter()
            .next();
    let hours = record.as_ref().map_or(0.0, |r| r.result.hours.overtime_holiday);
    // The notice and the application are for workers over the interview threshold of their
    // regime (安衛則52条の2第1項・第3項, 52条の3; oh-overtime-rules.csv): the month's flags say.
    let due = record.as_ref().is_some_and(|r| interview_due(&r.result));
    if matches!(step, "notice" | "application") && !due {
        return Err(AppError::BadRequest(format!(
            "{label}の時間外・休日労働は{hours:.1}時間で、面接指導の対象 (月80時間超) ではありません。"
        )));
    }
    if step == "measure" {
        // The employer's measure follows the physician's opinion of that month (安衛法66条の8第5項).
        let opinions = state.store.events_of_kind(cid, EventKind::Opinion, Some("long_hours")).await?;
        if !opinions
            .iter()
            .any(|e| e.person_id == Some(person) && e.detail.get("month").and_then(|m| m.as_str()) == Some(month))
        {
            return Err(AppError::BadRequest(format!(
                "{label}の医師の意見がまだないため、就業上の措置は記録できません (面接指導の様式で意見を記録してください)。"
            )));
        }
    }
    let (title, detail) = match step {
        "notice" => (
            format!("長時間労働者への通知 ({label}: 時間外・休日 {hours:.1}時間)"),
            serde_json::json!({ "month": month, "hours": hours, "recorded_on": today, "basis": "安衛則52条の2第3項" }),
        ),
        "application" => (
            format!("長時間労働者の面接指導の申出 ({label})"),
            serde_json::json!({ "month": month, "hours": hours, "recorded_on": today, "basis": "安衛則52条の3" }),
        ),
        _ => (
            format!("就業上の措置 (長時間労働, {label})"),
            serde_json::json!({
                "month": month, "recorded_on": today, "basis": "安衛法66条の8第5項", "note": field(pairs, "note"),
            }),
        ),
    };
    let ev = Event {
        company_id: cid,
        id: EventId::new(),
        person_id: Some(access.subject.person_id),
        employment_id: Some(eid),
        department_id: None,
        kind: *kind,
        subkind: Some((*subkind).to_string()),
        // Dated by the month concerned (with its attendance); the day recorded is in the details.
        event_date: first,
        title,
        content_class: class,
        producer: match user.actor.role {
            Role::Worker => Producer::Worker,
            Role::Physician => Producer::Physician,
            Role::Hr | Role::HealthManager => Producer::HrSystem,
            _ => Producer::OhStaff,
        },
        detail,
        source_doc: None,
    };
    state.store.insert_batch(&Batch { events: vec![ev], ..Batch::default() }).await?;
    guard.wrote(&access, class, &format!("long-hours {step}")).await?;
    Ok(())
}

/// `POST /companies/{cid}/hours/{eid}`: records a step for a worker.
pub async fn post_step(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    record(&state, &user, format!("POST /companies/{cid}/hours/{eid}"), cid, eid, &pairs).await?;
    Ok(Redirect::to(&format!("/companies/{cid}/hours?month={}", field(&pairs, "month"))).into_response())
}

/// `GET /me/hours` page.
#[derive(Template)]
#[template(path = "my_hours.html")]
pub struct MyHoursPage {
    f: Frame,
    months: Vec<(String, f64, bool, bool, bool)>,
}

/// `GET /me/hours`: the worker's own hours of the last six months, the notices, and the
/// application for the interview.
pub async fn mine(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let (company, employment, person) = crate::stresscheck::own_employment(&state, &user).await?;
    let guard = Guard::new(&state, &user, "GET /me/hours");
    let access = guard.person(company, employment).await?;
    guard.require(&access, InfoClass::Work).await?;
    let company_rules = iphr_postcheckup::company_rules(state.store.as_ref(), company)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (rules, profile) = (&company_rules.overtime, company_rules.settings.overtime_profile.as_str());
    let today = crate::postcheckup::today_jst();
    // The worker's own steps, from their timeline once: month → steps done.
    let mut done: HashMap<String, Vec<String>> = HashMap::new();
    for e in state.store.timeline(company, person).await? {
        let Some(month) = e.detail.get("month").and_then(|m| m.as_str()) else { continue };
        if let Some((name, _, _)) = STEPS.iter().find(|(_, k, s)| *k == e.kind && e.subkind.as_deref() == Some(*s)) {
            done.entry(month.to_string()).or_default().push((*name).to_string());
        }
    }
    let mut months = Vec::new();
    for k in 1..=6u32 {
        let Some(m) = today.checked_sub_months(chrono::Months::new(k)) else { continue };
        let label = m.format("%Y-%m").to_string();
        let Some(first) = iphr_postcheckup::hours::parse_month(&label) else { continue };
        // Only this worker's attendance is read.
        let recs =
            iphr_postcheckup::hours::month_hours(state.store.as_ref(), company, first, rules, profile, Some(person))
                .await
                .map_err(|e| AppError::Internal(e.to_string()))?;
        let Some(r) = recs.into_iter().next() else { continue };
        let steps = done.get(&label);
        let has = |s: &str| steps.is_some_and(|v| v.iter().any(|x| x == s));
        months.push((
            label.clone(),
            r.result.hours.overtime_holiday,
            interview_due(&r.result),
            has("notice"),
            has("application"),
        ));
    }
    guard.read(&access, &[InfoClass::Work]).await?;
    Ok(render(&MyHoursPage { f: Frame::new(&user, "/me/hours"), months }))
}

/// `POST /me/hours/apply`: the worker applies for the interview for a month.
pub async fn apply(State(state): State<AppState>, user: CurrentUser, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let (company, employment, _) = crate::stresscheck::own_employment(&state, &user).await?;
    let mut pairs = pairs;
    pairs.retain(|(k, _)| k != "step");
    pairs.push(("step".into(), "application".into()));
    record(&state, &user, "POST /me/hours/apply".into(), company, employment, &pairs).await?;
    Ok(Redirect::to("/me/hours").into_response())
}
