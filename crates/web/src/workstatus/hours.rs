//! The staff page of long working hours: a month's hours and flags per worker (安衛法66条の8,
//! 安衛則52条の2〜52条の3), and the steps of the interview workflow recorded per worker.

use super::{STEPS, interview_due, record};
use crate::access::Guard;
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::field;
use crate::page::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use iphr_domain::event::EventKind;
use iphr_domain::info_class::InfoClass;
use iphr_domain::overtime::Level;
use iphr_domain::person::WorkRegime;
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EmploymentId, PersonId};
use iphr_store::WorkerQuery;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

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
#[template(path = "workstatus/hours.html")]
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

impl HoursPage {
    /// The sector profile in words (overtime-rules-v1.csv: 労基法139〜141条).
    pub fn profile_label(&self) -> &'static str {
        match self.profile.as_str() {
            "general" => "一般",
            "construction" => "工作物の建設",
            "driver" => "自動車運転",
            "doctor_a" => "医師(A水準)",
            _ => "会社の設定",
        }
    }
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

fn level_ja(l: Level) -> &'static str {
    match l {
        Level::Approaching => "接近",
        Level::Notice => "該当",
        Level::Violation => "超過",
    }
}

/// The month before today's (the default month of the page).
fn last_month(today: NaiveDate) -> String {
    let m = today.checked_sub_months(chrono::Months::new(1)).unwrap_or(today);
    m.format("%Y-%m").to_string()
}

/// Steps done per person for a month: step → date.
async fn steps_done(
    guard: &Guard,
    cid: CompanyId,
    month: &str,
) -> Result<HashMap<PersonId, BTreeMap<String, String>>, AppError> {
    let mut out: HashMap<PersonId, BTreeMap<String, String>> = HashMap::new();
    for kind in [EventKind::Interview, EventKind::Opinion, EventKind::EmploymentDecision] {
        for e in guard.store().events_of_kind(cid, kind, None).await? {
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
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<HoursParams>,
) -> Result<Response, AppError> {
    // 勤怠 (work) and the workflow's class-1 steps: HR, the health manager and OH staff.
    let company = guard.company_class(cid, InfoClass::Work, "working hours").await?;
    let month = p.month.unwrap_or_else(|| last_month(guard.today()));
    let m = iphr_postcheckup::hours::parse_month(&month)
        .ok_or_else(|| AppError::BadRequest(format!("month: {month:?} is not YYYY-MM")))?;
    let company_rules =
        iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let profile = company_rules.settings.overtime_profile.clone();
    let records = iphr_postcheckup::hours::month_hours(guard.store(), cid, m, &company_rules.overtime, &profile, None)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let workers: HashMap<PersonId, iphr_store::WorkerRow> = guard
        .store()
        .search_workers(cid, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
        .await?
        .rows
        .into_iter()
        .map(|r| (r.person_id, r))
        .collect();
    let done = steps_done(&guard, cid, &month).await?;
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
    let role = guard.user().actor.role;
    Ok(render(&HoursPage {
        f: Frame::of(&guard),
        company,
        month,
        rows,
        profile,
        is_physician: role == Role::Physician,
        is_staff: matches!(role, Role::Physician | Role::Nurse | Role::HealthManager | Role::Hr),
    }))
}

/// `POST /companies/{cid}/hours/{eid}`: records a step for a worker.
pub async fn post_step(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let person = guard.person(cid, eid).await?;
    record(&guard, &person, &pairs).await?;
    Ok(Redirect::to(&format!("/companies/{cid}/hours?month={}", field(&pairs, "month"))).into_response())
}
