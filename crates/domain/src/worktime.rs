//! Working hours for the long-hours rules: the 面接指導 hours from a month's total, and from
//! daily records the statutory overtime (法定時間外), statutory-holiday work (法定休日労働) and
//! night shifts. Rules: `data/working-time-v1.csv` (労基法32条, 35条, 37条4項; 安衛則52条の2;
//! 安衛則52条の2; docs/sources.md [L-ANEISOKU]).

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const RULES_CSV: &str = include_str!("../data/working-time-v1.csv");

/// The rules.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkTimeRules {
    /// 40 h.
    pub weekly_limit_hours: f64,
    /// 8 h.
    pub daily_limit_hours: f64,
    /// 22:00.
    pub night_start: NaiveTime,
    /// 05:00.
    pub night_end: NaiveTime,
    /// Sunday.
    pub week_start: Weekday,
}

impl WorkTimeRules {
    /// The embedded rules (`data/working-time-v1.csv`), parsed once per process; an error is a
    /// defect of the build.
    pub fn embedded() -> Result<&'static Self, String> {
        static RULES: OnceLock<Result<WorkTimeRules, String>> = OnceLock::new();
        RULES.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, String> {
        let mut m = BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(RULES_CSV.as_bytes());
        for rec in rdr.records() {
            let rec = rec.map_err(|e| format!("working-time rules: {e}"))?;
            m.insert(rec.get(0).unwrap_or("").to_string(), rec.get(1).unwrap_or("").to_string());
        }
        let num =
            |k: &str| m.get(k).and_then(|v| v.parse::<f64>().ok()).ok_or_else(|| format!("working-time rules: {k}"));
        let time = |k: &str| {
            m.get(k)
                .and_then(|v| NaiveTime::parse_from_str(v, "%H:%M").ok())
                .ok_or_else(|| format!("working-time rules: {k}"))
        };
        let week_start = match m.get("week_start").map(String::as_str) {
            Some("sunday") => Weekday::Sun,
            Some("monday") => Weekday::Mon,
            other => return Err(format!("working-time rules: week_start {other:?}")),
        };
        Ok(Self {
            weekly_limit_hours: num("weekly_limit_hours")?,
            daily_limit_hours: num("daily_limit_hours")?,
            night_start: time("night_start")?,
            night_end: time("night_end")?,
            week_start,
        })
    }

    /// 時間外・休日労働時間数 for the 面接指導 rule (安衛則52条の2): total hours − days ÷ 7 × 40,
    /// never below zero.
    pub fn interview_hours(&self, total_hours: f64, calendar_days: u32) -> f64 {
        (total_hours - f64::from(calendar_days) / 7.0 * self.weekly_limit_hours).max(0.0)
    }
}

/// The kind of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A working day or a non-statutory holiday (所定休日).
    Ordinary,
    /// 法定休日 (労基法35条): all hours are 休日労働, outside the daily and weekly limits.
    StatutoryHoliday,
}

/// One day's work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Day {
    /// Date.
    pub date: NaiveDate,
    /// Hours worked (breaks deducted).
    pub hours: f64,
    /// Kind of day.
    pub kind: DayKind,
    /// Whether the work overlapped 22:00–5:00.
    pub night: bool,
}

/// A month computed from daily records.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Month {
    /// 総労働時間.
    pub total_hours: f64,
    /// 法定時間外 (daily beyond 8 h, then weekly beyond 40 h not already counted).
    pub statutory_overtime: f64,
    /// 法定休日労働.
    pub holiday_hours: f64,
    /// Days with night work.
    pub night_shifts: u32,
}

/// Computes each month (keyed by its first day) from daily records. Weekly overtime is counted
/// on the last day of the week, so a week that spans two months counts in the month it ends in.
pub fn months(days: &[Day], rules: &WorkTimeRules) -> BTreeMap<NaiveDate, Month> {
    let mut out: BTreeMap<NaiveDate, Month> = BTreeMap::new();
    let first = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let mut weeks: BTreeMap<NaiveDate, (f64, f64, NaiveDate)> = BTreeMap::new();
    for d in days {
        let m = out.entry(first(d.date)).or_default();
        m.total_hours += d.hours;
        if d.night {
            m.night_shifts += 1;
        }
        match d.kind {
            DayKind::StatutoryHoliday => m.holiday_hours += d.hours,
            DayKind::Ordinary => {
                let daily_ot = (d.hours - rules.daily_limit_hours).max(0.0);
                m.statutory_overtime += daily_ot;
                let offset =
                    (7 + d.date.weekday().num_days_from_sunday() - rules.week_start.num_days_from_sunday()) % 7;
                let week_start = d.date - chrono::Duration::days(i64::from(offset));
                let w = weeks.entry(week_start).or_insert((0.0, 0.0, week_start + chrono::Duration::days(6)));
                w.0 += d.hours;
                w.1 += daily_ot;
            }
        }
    }
    for (_, (hours, daily_ot, last)) in weeks {
        let weekly = (hours - daily_ot - rules.weekly_limit_hours).max(0.0);
        if weekly > 0.0 {
            out.entry(first(last)).or_default().statutory_overtime += weekly;
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn rules() -> &'static WorkTimeRules {
        match WorkTimeRules::embedded() {
            Ok(r) => r,
            Err(e) => unreachable!("{e}"),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn interview_formula_with_the_worked_example() {
        let r = rules();
        // 安衛則52条の2: 31-day month, 250 h → 72.86 h.
        assert!((r.interview_hours(250.0, 31) - 72.857_142_857).abs() < 1e-6);
        // 80 h exactly at 257.142857… h in 31 days; below stays at 0.
        assert!((r.interview_hours(31.0 / 7.0 * 40.0 + 80.0, 31) - 80.0).abs() < 1e-9);
        assert_eq!(r.interview_hours(100.0, 30), 0.0);
        // February (28 days): 160 h is the 40-h baseline.
        assert_eq!(r.interview_hours(160.0, 28), 0.0);
    }

    #[test]
    fn daily_weekly_holiday_and_night() {
        let r = rules();
        // Week of Sun 2024-06-02 .. Sat 06-08: Mon–Fri 9 h each (1 h daily overtime each: 5 h),
        // Sat 6 h ordinary (weekly: 45+6 = 51 h, minus 5 h daily = 46 → 6 h weekly overtime),
        // Sun 06-02 statutory holiday 4 h.
        let mut days = vec![Day { date: d(2024, 6, 2), hours: 4.0, kind: DayKind::StatutoryHoliday, night: false }];
        for day in 3..=7 {
            days.push(Day { date: d(2024, 6, day), hours: 9.0, kind: DayKind::Ordinary, night: day == 7 });
        }
        days.push(Day { date: d(2024, 6, 8), hours: 6.0, kind: DayKind::Ordinary, night: false });
        let m = months(&days, r);
        let june = m[&d(2024, 6, 1)];
        assert_eq!(june.total_hours, 55.0);
        assert_eq!(june.holiday_hours, 4.0);
        assert_eq!(june.statutory_overtime, 5.0 + 6.0);
        assert_eq!(june.night_shifts, 1);
    }

    #[test]
    fn a_week_across_months_counts_where_it_ends() {
        let r = rules();
        // Sun 2024-06-30 .. Sat 07-06: 6 days × 7.5 h = 45 h, no daily overtime, 5 h weekly → July.
        let days: Vec<Day> = (0..6)
            .map(|i| Day {
                date: d(2024, 6, 30) + chrono::Duration::days(i),
                hours: 7.5,
                kind: DayKind::Ordinary,
                night: false,
            })
            .collect();
        let m = months(&days, r);
        assert_eq!(m[&d(2024, 6, 1)].statutory_overtime, 0.0);
        assert_eq!(m[&d(2024, 7, 1)].statutory_overtime, 5.0);
        assert_eq!(m[&d(2024, 6, 1)].total_hours, 7.5);
    }
}
