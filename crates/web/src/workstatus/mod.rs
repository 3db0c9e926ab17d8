//! Work status on the web: long working hours (安衛法66条の8, 安衛則52条の2〜52条の3): a month's hours and flags
//! per worker, and the interview workflow for those over 80 h — notice to the worker →
//! application (by the worker on `/me/hours`, or recorded by staff) → interview record (the MHLW
//! form's fields) → the physician's opinion → the employer's measure. Each step is an event on
//! the worker's timeline with the month in its details.
//! And the work-status tasks of the physician's dashboard (special checkups due, work
//! environment) ([`status`]).

mod hours;
mod mine;
pub mod patrols;
pub mod status;

use crate::access::{Guard, PersonAccess};
use crate::error::AppError;
use crate::forms::field;
use crate::state::AppState;
use axum::Router;
use axum::routing::{get, post};
use iphr_domain::EventId;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::overtime::Level;
use iphr_domain::role::Role;
use iphr_store::Batch;

/// The routes of work status.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/companies/{cid}/hours", get(hours::page))
        .route("/companies/{cid}/hours/{eid}", post(hours::post_step))
        .route("/me/hours", get(mine::mine))
        .route("/me/hours/apply", post(mine::apply))
        .route("/companies/{cid}/postcheckup/work-status", get(status::fragment))
        .route(
            "/companies/{cid}/patrols",
            get(patrols::list).post(patrols::record).layer(axum::extract::DefaultBodyLimit::max(100 * 1024 * 1024)),
        )
        .route("/companies/{cid}/patrols/new", get(patrols::new))
        .route("/companies/{cid}/patrols/photos/{id}", get(patrols::photo))
        .route("/api/v1/companies/{cid}/work-status", get(status::api))
}

/// The steps of the long-hours workflow, as event (kind, subkind).
const STEPS: [(&str, EventKind, &str); 5] = [
    ("notice", EventKind::Interview, "long_hours_notice"),
    ("application", EventKind::Interview, "long_hours_application"),
    ("interview", EventKind::Interview, "long_hours"),
    ("opinion", EventKind::Opinion, "long_hours"),
    ("measure", EventKind::EmploymentDecision, "long_hours"),
];

/// Whether the month makes the worker due the interview (a notice-level interview flag of their
/// regime's rules: over 80 h, or 100 h for 研究開発 / 高度プロフェッショナル; overtime-rules-v1.csv).
fn interview_due(r: &iphr_domain::overtime::MonthResult) -> bool {
    r.flags.iter().any(|f| f.level == Level::Notice && f.rule.as_str().starts_with("interview"))
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

/// Records a step of the long-hours workflow for a worker (the caller checked the CSRF token):
/// the role, the month (ended, over the interview threshold of the worker's regime), once per
/// worker, month and step; the measure only after that month's opinion.
async fn record(guard: &Guard, access: &PersonAccess<'_>, pairs: &[(String, String)]) -> Result<(), AppError> {
    let step = field(pairs, "step").to_string();
    if matches!(step.as_str(), "interview" | "opinion") {
        return Err(AppError::BadRequest("面接指導とその意見は、面接指導の様式で記録してください。".into()));
    }
    let month = field(pairs, "month").to_string();
    let first =
        iphr_postcheckup::hours::parse_month(&month).ok_or_else(|| AppError::BadRequest("month: YYYY-MM".into()))?;
    let Some((_, kind, subkind)) = STEPS.iter().find(|(n, _, _)| *n == step) else {
        return Err(AppError::BadRequest(format!("step: {step:?}")));
    };
    let role = guard.user().actor.role;
    access.require_role(allowed(&step, role), &step).await?;
    let class = InfoClass::Class1;
    access.require(class).await?;
    let today = guard.today();
    let label = first.format("%Y年%-m月").to_string();
    // Only a month that has ended has its hours (the 80 h of 安衛則52条の2 are the month's).
    if first.checked_add_months(chrono::Months::new(1)).is_none_or(|next| next > today) {
        return Err(AppError::BadRequest(format!(
            "{label}はまだ終わっていないため、時間外・休日労働時間が確定していません。"
        )));
    }
    let (cid, person) = (access.company(), access.person());
    let rules =
        iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let profile = rules.settings.overtime_profile.clone();
    let of_month =
        |e: &Event, m: &str| e.person_id == Some(person) && e.detail.get("month").and_then(|v| v.as_str()) == Some(m);
    // What the checks read: this step of the month already recorded, the month's hours, and
    // the physician's opinion of the month.
    let (kind, subkind, m) = (*kind, *subkind, month.clone());
    let (recorded, hours_record, has_opinion) = access
        .read(&[InfoClass::Work, InfoClass::Class1], |s| async move {
            let recorded = s.events_of_kind(cid, kind, Some(subkind)).await?.iter().any(|e| of_month(e, &m));
            let record = iphr_postcheckup::hours::month_hours(s, cid, first, &rules.overtime, &profile, Some(person))
                .await
                .map_err(|e| iphr_store::StoreError::Backend(e.to_string()))?
                .into_iter()
                .next();
            let opinion =
                s.events_of_kind(cid, EventKind::Opinion, Some("long_hours")).await?.iter().any(|e| of_month(e, &m));
            Ok((recorded, record, opinion))
        })
        .await?;
    // Once per worker, month and step: a repeated post records nothing more.
    if recorded {
        return Ok(());
    }
    let hours = hours_record.as_ref().map_or(0.0, |r| r.result.hours.overtime_holiday);
    // The notice and the application are for workers over the interview threshold of their
    // regime (安衛則52条の2第1項・第3項, 52条の3; overtime-rules-v1.csv): the month's flags say.
    let due = hours_record.as_ref().is_some_and(|r| interview_due(&r.result));
    if matches!(step.as_str(), "notice" | "application") && !due {
        return Err(AppError::BadRequest(format!(
            "{label}の時間外・休日労働は{hours:.1}時間で、面接指導の対象 (月80時間超) ではありません。"
        )));
    }
    // The employer's measure follows the physician's opinion of that month (安衛法66条の8第5項).
    if step == "measure" && !has_opinion {
        return Err(AppError::BadRequest(format!(
            "{label}の医師の意見がまだないため、就業上の措置は記録できません (面接指導の様式で意見を記録してください)。"
        )));
    }
    let (title, detail) = match step.as_str() {
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
        person_id: Some(person),
        employment_id: Some(access.employment()),
        department_id: None,
        kind,
        subkind: Some(subkind.to_string()),
        // Dated by the month concerned (with its attendance); the day recorded is in the details.
        event_date: first,
        title,
        content_class: class,
        producer: match role {
            Role::Worker => Producer::Worker,
            Role::Physician => Producer::Physician,
            Role::Hr | Role::HealthManager => Producer::HrSystem,
            _ => Producer::OhStaff,
        },
        detail,
        source_doc: None,
    };
    let batch = Batch { events: vec![ev], ..Batch::default() };
    access.write(class, &format!("long-hours {step}"), |s| async move { s.insert_batch(&batch).await }).await?;
    Ok(())
}
