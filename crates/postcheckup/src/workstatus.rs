//! Work-status tasks of a company read through the store, shared by `iphr special-checkups` and the
//! physician's dashboard: special checkups due or overdue from each worker's exposures and night
//! work (特殊健康診断, 安衛則45条 and the special ordinances), and the work-environment results
//! that need attention (作業環境測定 管理区分, chemical risk-assessment リスクレベル), with how many
//! workers are assigned to each unit workplace's department now.

use crate::Error;
use chrono::NaiveDate;
use iphr_domain::event::EventKind;
use iphr_domain::judgement::{Settings, risk_rank};
use iphr_domain::special::{self, DueStatus};
use iphr_domain::{EmploymentId, PersonId};
use iphr_store::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One special checkup a worker needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecialDue {
    /// The person.
    #[serde(skip)]
    pub person_id: PersonId,
    /// The employment.
    #[serde(skip)]
    pub employment_id: EmploymentId,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// The statute (有機則, 特化則, 深夜業 …).
    pub regulation: String,
    /// The checkup.
    pub checkup: String,
    /// The last one naming the statute.
    pub last: Option<NaiveDate>,
    /// Next due.
    pub due: NaiveDate,
    /// Overdue, due soon or scheduled.
    pub status: DueStatus,
}

/// Every special checkup the company's current workers need as of `today` (due within
/// `soon_days` is "due soon"), most urgent first.
pub async fn special_due(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    today: NaiveDate,
    soon_days: i64,
) -> Result<Vec<SpecialDue>, Error> {
    let hr = store.hr_state(company).await?;
    special_due_of(store, company, &hr, today, soon_days).await
}

/// [`special_due`] with the company's HR state already read.
async fn special_due_of(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    hr: &iphr_store::HrState,
    today: NaiveDate,
    soon_days: i64,
) -> Result<Vec<SpecialDue>, Error> {
    let table = special::table().map_err(Error::Export)?;
    // Every checkup: the table says which kinds count for which requirement (a 特定業務従事者 or
    // periodic checkup for night work, a special checkup naming its statute for the others).
    let mut checkups: HashMap<PersonId, Vec<special::DoneCheckup>> = HashMap::new();
    for e in store.events_of_kind(company, EventKind::Checkup, None).await? {
        let Some(p) = e.person_id else { continue };
        let kind = e.subkind.clone().unwrap_or_default();
        let basis = e.detail.get("basis").and_then(|b| b.as_str()).unwrap_or("").to_string();
        // The basis or title names the statute; an imported result naming nothing counts for all.
        let text = if basis.is_empty() && e.title == "特殊健康診断" {
            String::new()
        } else {
            format!("{basis} {}", e.title)
        };
        checkups.entry(p).or_default().push(special::DoneCheckup { date: e.event_date, kind, text });
    }
    let mut rows = Vec::new();
    for emp in &hr.employees {
        if emp.employment.leave_date.is_some_and(|d| d <= today) {
            continue;
        }
        let mut exposures: Vec<(String, NaiveDate)> =
            emp.exposures.iter().map(|x| (x.regulation.clone(), x.valid_from)).collect();
        if let Some(a) = &emp.current
            && a.night_work
        {
            exposures.push(("深夜業".into(), a.valid_from));
        }
        let mine = checkups.get(&emp.person.id).map_or(&[][..], Vec::as_slice);
        for d in special::due(table, &exposures, mine, today, soon_days) {
            rows.push(SpecialDue {
                person_id: emp.person.id,
                employment_id: emp.employment.id,
                employee_number: emp.employment.employee_number.clone(),
                name: format!("{} {}", emp.person.family_name, emp.person.given_name),
                regulation: d.regulation,
                checkup: d.checkup_ja,
                last: d.last,
                due: d.due,
                status: d.status,
            });
        }
    }
    rows.sort_by(|a, b| (a.status, a.due, &a.employee_number).cmp(&(b.status, b.due, &b.employee_number)));
    Ok(rows)
}

/// The latest result of a unit workplace, substance and method.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkEnvironment {
    /// Department.
    pub department: String,
    /// Date.
    pub date: NaiveDate,
    /// 単位作業場所.
    pub unit_workplace: String,
    /// Substance.
    pub agent: String,
    /// 作業環境測定 or the risk-assessment method (CREATE-SIMPLE …).
    pub method: String,
    /// 管理区分 1–3.
    pub management_class: Option<u8>,
    /// リスクレベル.
    pub risk_level: Option<String>,
    /// The event's title.
    pub title: String,
    /// Workers assigned to the department today.
    pub workers: usize,
    /// At or above the company's attention levels (`work_env_class_from`, `work_env_risk_from`).
    pub attention: bool,
}

/// The latest work-environment result of every unit workplace, substance and method; those
/// needing attention first.
pub async fn work_environment(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    today: NaiveDate,
    settings: &Settings,
) -> Result<Vec<WorkEnvironment>, Error> {
    let hr = store.hr_state(company).await?;
    work_environment_of(store, company, &hr, today, settings).await
}

/// Both task lists of the dashboard, reading the company's HR state once.
pub async fn tasks(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    today: NaiveDate,
    settings: &Settings,
) -> Result<(Vec<SpecialDue>, Vec<WorkEnvironment>), Error> {
    let hr = store.hr_state(company).await?;
    let soon = i64::from(settings.special_due_soon_days);
    Ok((
        special_due_of(store, company, &hr, today, soon).await?,
        work_environment_of(store, company, &hr, today, settings).await?,
    ))
}

/// [`work_environment`] with the company's HR state already read.
async fn work_environment_of(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    hr: &iphr_store::HrState,
    today: NaiveDate,
    settings: &Settings,
) -> Result<Vec<WorkEnvironment>, Error> {
    let departments: HashMap<_, _> = hr.departments.iter().map(|d| (d.id, d.name.clone())).collect();
    let spans = store.assignment_history(company).await?;
    let mut workers: HashMap<iphr_domain::DepartmentId, usize> = HashMap::new();
    for s in iphr_store::spans_on(&spans, today).values() {
        *workers.entry(s.department_id).or_default() += 1;
    }
    let risk_from = risk_rank(&settings.work_env_risk_from).unwrap_or(usize::MAX);
    let mut latest: BTreeMap<(String, String, String, String), WorkEnvironment> = BTreeMap::new();
    for e in store.events_of_kind(company, EventKind::WorkEnvironment, None).await? {
        let Some(dept) = e.department_id else { continue };
        let text = |k: &str| e.detail.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let management_class =
            e.detail.get("management_class").and_then(|v| v.as_u64()).and_then(|n| u8::try_from(n).ok());
        let risk_level = e.detail.get("risk_level").and_then(|v| v.as_str()).map(str::to_string);
        let attention = management_class.is_some_and(|k| u32::from(k) >= settings.work_env_class_from)
            || risk_level.as_deref().and_then(risk_rank).is_some_and(|r| r >= risk_from);
        let row = WorkEnvironment {
            department: departments.get(&dept).cloned().unwrap_or_default(),
            date: e.event_date,
            unit_workplace: text("unit_workplace"),
            agent: text("agent"),
            method: text("method"),
            management_class,
            risk_level,
            title: e.title.clone(),
            workers: workers.get(&dept).copied().unwrap_or(0),
            attention,
        };
        let key = (row.department.clone(), row.unit_workplace.clone(), row.agent.clone(), row.method.clone());
        // Events come oldest first: a later one replaces the earlier.
        latest.insert(key, row);
    }
    let mut rows: Vec<WorkEnvironment> = latest.into_values().collect();
    rows.sort_by(|a, b| b.attention.cmp(&a.attention).then(b.date.cmp(&a.date)));
    Ok(rows)
}

/// When an establishment's next workplace patrol is due (安衛則15条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatrolDue {
    /// 事業場.
    pub establishment: String,
    /// The last patrol of any of its departments.
    pub last: Option<NaiveDate>,
    /// Next due: the last plus the company's interval (the day itself when none was recorded).
    pub due: NaiveDate,
    /// Past due on `today`.
    pub overdue: bool,
}

/// The next patrol of each establishment of a company: its last patrol (of any department in it)
/// plus `interval_months` (the company's setting, 1 or 2).
pub async fn patrols_due(
    store: &dyn Store,
    company: iphr_domain::CompanyId,
    today: NaiveDate,
    interval_months: u32,
) -> Result<Vec<PatrolDue>, Error> {
    let hr = store.hr_state(company).await?;
    let patrols = store.events_of_kind(company, EventKind::WorkplacePatrol, None).await?;
    let mut out = Vec::new();
    for est in &hr.establishments {
        let depts: Vec<_> = hr.departments.iter().filter(|d| d.establishment_id == est.id).map(|d| d.id).collect();
        let last = patrols
            .iter()
            .filter(|e| e.department_id.is_some_and(|d| depts.contains(&d)) && e.event_date <= today)
            .map(|e| e.event_date)
            .max();
        let due = last.and_then(|l| l.checked_add_months(chrono::Months::new(interval_months))).unwrap_or(today);
        out.push(PatrolDue { establishment: est.name.clone(), last, due, overdue: due < today });
    }
    Ok(out)
}
