//! Attendance CSV: monthly totals, or daily clock-in/out from which the months are computed
//! (iphr_domain::worktime: the 面接指導 formula of 安衛則52条の2, 法定時間外 by day and week,
//! 法定休日労働, night shifts). Each employee-month becomes one attendance-month record with
//! 時間外・休日労働 (Fb0010000Z), 法定時間外 (Fb0020000Z), 法定休日労働 (Fb0030000Z), 総労働時間
//! (Fb0040000Z) and 深夜業回数 (Fc0010000Z).
//!
//! Headers (any order, Japanese or English): monthly — 社員番号, 年月, 総労働時間, 時間外労働,
//! 休日労働, 深夜業回数 (or 時間外・休日労働 without a total); daily — 社員番号, 日付, 出勤, 退勤,
//! 休憩 (minutes or H:MM), 休日区分 (法定休日 / 所定休日 / blank).

use crate::checkup_csv::{Identity, ItemResult, ResultValue, RowError};
use crate::records::{ParsedRecords, Record};
use crate::table::{self, TableError};
use crate::text::{EncodingChoice, fold_value};
use crate::value::{Parsed, parse_number};
use crate::wareki::parse_date;
use chrono::{Datelike, NaiveDate, Timelike};
use iphr_domain::event::EventKind;
use iphr_domain::ohcc::{ItemCode, Producer};
use iphr_domain::worktime::{Day, DayKind, WorkTimeRules, months};
use serde_json::json;
use std::collections::BTreeMap;

/// Header names.
pub const COLUMNS: crate::table::Aliases = &[
    ("employee_number", &["社員番号", "従業員番号", "社員NO", "employee_number"]),
    ("month", &["年月", "対象月", "month"]),
    ("total", &["総労働時間", "total_hours"]),
    ("overtime", &["時間外労働", "法定時間外", "overtime_hours"]),
    ("holiday", &["休日労働", "法定休日労働", "holiday_hours"]),
    ("interview", &["時間外・休日労働", "時間外休日労働", "overtime_and_holiday_hours"]),
    ("night", &["深夜業回数", "night_shifts"]),
    ("date", &["日付", "勤務日", "date"]),
    ("in", &["出勤", "出勤時刻", "clock_in"]),
    ("out", &["退勤", "退勤時刻", "clock_out"]),
    ("break", &["休憩", "休憩時間", "break"]),
    ("day_kind", &["休日区分", "day_kind"]),
];

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttendanceFileError {
    /// Structure.
    #[error("{0}")]
    Table(#[from] TableError),
    /// Rules.
    #[error("{0}")]
    Rules(String),
}

fn item(code: &str) -> Option<ItemCode> {
    ItemCode::parse(code).ok()
}

fn parse_month(s: &str) -> Option<NaiveDate> {
    let f: String = fold_value(s).chars().filter(|c| !c.is_whitespace()).collect();
    let candidates = [format!("{f}1日"), format!("{f}-01"), format!("{f}/1"), format!("{f}.1"), format!("{f}01")];
    candidates.iter().find_map(|c| parse_date(c).ok()).filter(|d| d.day() == 1)
}

fn parse_time(s: &str) -> Option<(u32, u32)> {
    let f = fold_value(s);
    let (h, m) = f.split_once(':')?;
    let (h, m) = (h.trim().parse::<u32>().ok()?, m.trim().parse::<u32>().ok()?);
    (h < 48 && m < 60).then_some((h, m))
}

fn parse_break_hours(s: &str) -> Option<f64> {
    let f = fold_value(s);
    if f.is_empty() {
        return Some(0.0);
    }
    if let Some((h, m)) = parse_time(&f) {
        return Some(f64::from(h) + f64::from(m) / 60.0);
    }
    f.parse::<f64>().ok().filter(|v| *v >= 0.0).map(|minutes| minutes / 60.0)
}

/// Calendar days of the month that starts on `month`.
fn days_in_month(month: NaiveDate) -> u32 {
    let next = NaiveDate::from_ymd_opt(month.year() + i32::from(month.month() == 12), month.month() % 12 + 1, 1);
    next.map_or(30, |n| u32::try_from((n - month).num_days()).unwrap_or(30))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Minutes of [start, end) (minutes from midnight, end may pass 24:00) inside the night windows.
fn night_minutes(start: u32, end: u32, rules: &WorkTimeRules) -> u32 {
    let ns = rules.night_start.hour() * 60 + rules.night_start.minute();
    let ne = rules.night_end.hour() * 60 + rules.night_end.minute();
    // Windows: [0, ne), [ns, 24h + ne), [48h - ..) not needed for shifts under 24 h.
    let windows = [(0, ne), (ns, 24 * 60 + ne)];
    windows.iter().map(|(a, b)| end.min(*b).saturating_sub(start.max(*a))).sum()
}

fn month_record(line: u64, no: &str, month: NaiveDate, values: &[(&str, f64)], raw: &str, file_kind: &str) -> Record {
    Record {
        line,
        identity: Identity { employee_number: Some(no.to_string()), ..Default::default() },
        date: month,
        kind: EventKind::AttendanceMonth,
        subkind: Some(file_kind.into()),
        title: format!("{}年{}月 勤怠", month.year(), month.month()),
        producer: Producer::HrSystem,
        detail: json!({ "month": format!("{:04}-{:02}", month.year(), month.month()), "source": file_kind }),
        results: values
            .iter()
            .filter_map(|(code, v)| {
                Some(ItemResult {
                    line,
                    column: (*code).into(),
                    item: item(code)?,
                    source_code: (*code).into(),
                    source_text: raw.into(),
                    raw: format!("{v}"),
                    source_unit: None,
                    value: ResultValue::Number {
                        value: *v,
                        unit: if *code == "Fc0010000Z" { "count".into() } else { "h".into() },
                        comparator: None,
                        flag: None,
                        scale: None,
                    },
                    warning: None,
                })
            })
            .collect(),
    }
}

/// Reads an attendance file (monthly or daily) into attendance-month records.
pub fn parse(bytes: &[u8]) -> Result<ParsedRecords, AttendanceFileError> {
    let rules = WorkTimeRules::embedded().map_err(AttendanceFileError::Rules)?;
    let t = table::read(bytes, EncodingChoice::Auto)?;
    let col = |field: &str| t.column(COLUMNS, field);
    let need = |field: &str| t.required(COLUMNS, field);
    let c_no = need("employee_number")?;
    let get = |cells: &Vec<String>, c: usize| cells.get(c).cloned().unwrap_or_default();
    let header_name = |c: usize| t.header.get(c).cloned().unwrap_or_default();
    let mut out = ParsedRecords {
        encoding: t.encoding,
        rows_read: t.rows.len() + t.misshapen.len(),
        records: vec![],
        errors: table::misshapen_errors(&t),
        unmapped: vec![],
        warnings: vec![],
    };
    let mut err =
        |line: u64, c: usize, reason: String| out.errors.push(RowError { line, field: header_name(c), reason });
    if col("date").is_some() {
        // Daily.
        let (c_date, c_in, c_out) = (need("date")?, need("in")?, need("out")?);
        let (c_break, c_kind) = (col("break"), col("day_kind"));
        let mut per: BTreeMap<String, (u64, Vec<Day>)> = BTreeMap::new();
        for (line, cells) in &t.rows {
            let line = *line;
            let no = fold_value(&get(cells, c_no));
            let date = parse_date(&get(cells, c_date));
            let tin = parse_time(&get(cells, c_in));
            let tout = parse_time(&get(cells, c_out));
            let brk = c_break.map_or(Some(0.0), |c| parse_break_hours(&get(cells, c)));
            let kind = match c_kind.map(|c| fold_value(&get(cells, c))).as_deref() {
                None | Some("") | Some("所定休日") | Some("出勤") | Some("平日") => Some(DayKind::Ordinary),
                Some("法定休日") => Some(DayKind::StatutoryHoliday),
                Some(_) => None,
            };
            let mut bad = false;
            if no.is_empty() {
                err(line, c_no, "empty".into());
                bad = true;
            }
            let date = match date {
                Ok(d) => Some(d),
                Err(e) => {
                    err(line, c_date, e.to_string());
                    bad = true;
                    None
                }
            };
            if tin.is_none() {
                err(line, c_in, format!("{:?} is not a time (HH:MM)", get(cells, c_in)));
                bad = true;
            }
            if tout.is_none() {
                err(line, c_out, format!("{:?} is not a time (HH:MM)", get(cells, c_out)));
                bad = true;
            }
            if brk.is_none() {
                err(line, c_break.unwrap_or(c_no), "break is not minutes or H:MM".into());
                bad = true;
            }
            if kind.is_none() {
                err(line, c_kind.unwrap_or(c_no), "day kind is not 法定休日, 所定休日 or blank".into());
                bad = true;
            }
            let (Some(date), Some((ih, im)), Some((oh, om)), Some(brk), Some(kind), false) =
                (date, tin, tout, brk, kind, bad)
            else {
                continue;
            };
            let start = ih * 60 + im;
            let mut end = oh * 60 + om;
            if end <= start {
                end += 24 * 60; // overnight
            }
            let hours = f64::from(end - start) / 60.0 - brk;
            if !(0.0..=24.0).contains(&hours) {
                err(line, c_out, format!("{hours:.2} h worked is impossible"));
                continue;
            }
            let night = night_minutes(start, end, rules) > 0;
            per.entry(no).or_insert((line, vec![])).1.push(Day { date, hours, kind, night });
        }
        for (no, (line, days)) in per {
            for (month, m) in months(&days, rules) {
                let cal = days_in_month(month);
                let values = [
                    ("Fb0010000Z", round2(rules.interview_hours(m.total_hours, cal))),
                    ("Fb0020000Z", round2(m.statutory_overtime)),
                    ("Fb0030000Z", round2(m.holiday_hours)),
                    ("Fb0040000Z", round2(m.total_hours)),
                    ("Fc0010000Z", f64::from(m.night_shifts)),
                ];
                out.records.push(month_record(line, &no, month, &values, "computed from daily records", "daily"));
            }
        }
    } else {
        // Monthly totals.
        let c_month = need("month")?;
        let (c_total, c_ot, c_hol, c_int, c_night) =
            (col("total"), col("overtime"), col("holiday"), col("interview"), col("night"));
        if c_total.is_none() && c_int.is_none() {
            need("total")?;
        }
        for (line, cells) in &t.rows {
            let line = *line;
            let no = fold_value(&get(cells, c_no));
            if no.is_empty() {
                err(line, c_no, "empty".into());
                continue;
            }
            let Some(month) = parse_month(&get(cells, c_month)) else {
                err(line, c_month, format!("{:?} is not a month (2024-06, 2024年6月, R6.6)", get(cells, c_month)));
                continue;
            };
            let mut bad = false;
            let mut num = |c: Option<usize>| -> Option<f64> {
                let c = c?;
                match parse_number(&get(cells, c)) {
                    Ok(Parsed::Number { value, comparator: None, flag: None, .. }) if value >= 0.0 => Some(value),
                    Ok(Parsed::Blank) => None,
                    _ => {
                        err(line, c, format!("{:?} is not a number of hours", get(cells, c)));
                        bad = true;
                        None
                    }
                }
            };
            let (total, ot, hol, int, night) = (num(c_total), num(c_ot), num(c_hol), num(c_int), num(c_night));
            if bad {
                continue;
            }
            let cal = days_in_month(month);
            let interview = match (total, int) {
                (Some(t), _) => Some(round2(rules.interview_hours(t, cal))),
                (None, i) => i,
            };
            let mut values = Vec::new();
            for (code, v) in [
                ("Fb0010000Z", interview),
                ("Fb0020000Z", ot),
                ("Fb0030000Z", hol),
                ("Fb0040000Z", total),
                ("Fc0010000Z", night),
            ] {
                if let Some(v) = v {
                    values.push((code, v));
                }
            }
            out.records.push(month_record(line, &no, month, &values, "monthly totals", "monthly"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_many_forms() {
        let june = NaiveDate::from_ymd_opt(2024, 6, 1);
        for s in ["2024-06", "2024/6", "202406", "2024年6月", "R6.6", "令和6年6月", "２０２４－０６"] {
            assert_eq!(parse_month(s), june, "{s}");
        }
        assert_eq!(parse_month("2024-13"), None);
        assert_eq!(parse_month("June"), None);
    }

    #[test]
    fn night_overlap() {
        let r = WorkTimeRules::embedded().unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(night_minutes(9 * 60, 18 * 60, r), 0);
        assert_eq!(night_minutes(13 * 60, 23 * 60, r), 60);
        assert_eq!(night_minutes(22 * 60, 31 * 60, r), 7 * 60, "22:00–7:00 next day");
        assert_eq!(night_minutes(4 * 60, 9 * 60, r), 60);
    }
}
