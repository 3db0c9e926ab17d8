//! A month's working hours of a company's workers with the long-hours rules applied (shared by
//! `iphr hours` and the web page).

use crate::Error;
use chrono::{Datelike, Months, NaiveDate};
use iphr_domain::event::EventKind;
use iphr_domain::overtime::{MonthHours, MonthResult, OvertimeRules, WorkerKind, evaluate};
use iphr_domain::person::WorkRegime;
use iphr_domain::{CompanyId, EmploymentId, PersonId};
use iphr_store::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// The attendance items read.
const ITEMS: [&str; 5] = ["Fb0010000Z", "Fb0020000Z", "Fb0030000Z", "Fc0010000Z", "Fb0080000Z"];

/// One worker's month.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursRecord {
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// 労働時間制度 on the month's last day (from the HR data).
    pub work_regime: WorkRegime,
    /// The evaluation.
    pub result: MonthResult,
}

/// The first day of the month of a `YYYY-MM` text.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok()
}

/// Every worker with attendance in `month` (its first day) — or only `person` — evaluated with
/// the profile's rules over the 協定 year to date and the five months before, each under the
/// 労働時間制度 of their assignment on the month's last day (研究開発業務 and 高度プロフェッショナル
/// have their own interview rules and no caps).
pub async fn month_hours(
    store: &dyn Store,
    company: CompanyId,
    month: NaiveDate,
    rules: &OvertimeRules,
    profile: &str,
    person: Option<PersonId>,
) -> Result<Vec<HoursRecord>, Error> {
    let m = NaiveDate::from_ymd_opt(month.year(), month.month(), 1).unwrap_or(month);
    let from = rules.year_start(m).min(m.checked_sub_months(Months::new(5)).unwrap_or(m));
    let to = m.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt()).unwrap_or(m);
    let items: Vec<String> = ITEMS.iter().map(|s| s.to_string()).collect();
    let values = store.monthly_values(company, EventKind::AttendanceMonth, from, to, &items, person).await?;
    let spans = store.assignment_history(company).await?;
    let regimes: HashMap<PersonId, WorkRegime> =
        iphr_store::spans_on(&spans, to).into_iter().map(|(p, s)| (p, s.work_regime)).collect();
    let mut by_person: BTreeMap<PersonId, (Option<EmploymentId>, BTreeMap<NaiveDate, MonthHours>)> = BTreeMap::new();
    for v in &values {
        let first = NaiveDate::from_ymd_opt(v.date.year(), v.date.month(), 1).unwrap_or(v.date);
        let entry = by_person.entry(v.person_id).or_default();
        if v.employment_id.is_some() {
            entry.0 = v.employment_id;
        }
        let h = entry.1.entry(first).or_default();
        match v.item.as_str() {
            "Fb0010000Z" => h.overtime_holiday = v.value,
            "Fb0020000Z" => h.statutory_overtime = v.value,
            "Fb0030000Z" => h.holiday = v.value,
            "Fc0010000Z" => h.night_shifts = v.value,
            "Fb0080000Z" => h.health_management = Some(v.value),
            _ => {}
        }
    }
    Ok(by_person
        .into_iter()
        .filter_map(|(person_id, (employment_id, hist))| {
            let work_regime = regimes.get(&person_id).copied().unwrap_or_default();
            evaluate(rules, profile, WorkerKind::from(work_regime), &hist, m).map(|result| HoursRecord {
                person_id,
                employment_id,
                work_regime,
                result,
            })
        })
        .collect())
}
