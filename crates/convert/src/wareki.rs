//! Dates as Japanese institutions write them: 和暦 (令和6年4月1日, R6.4.1, R06/04/01, 令和元年,
//! the numeric era prefix of claims systems 5060401) and western dates (2024-04-01, 2024/4/1,
//! 20240401, 2024年4月1日), in full or half width.
//!
//! Era starts (元号法 and the 改元 政令; checked by the tests of this module): 明治 1868-01-25 (明治元年 is 1868), 大正 1912-07-30,
//! 昭和 1926-12-25, 平成 1989-01-08, 令和 2019-05-01. A date outside its era (H31.5.1, R1.4.30) is
//! an error, not silently moved.

use crate::text::fold_value;
use chrono::{Datelike, NaiveDate};

/// A Japanese era.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Era {
    /// 令和 …
    pub name: &'static str,
    /// R, H, S, T, M.
    pub letter: char,
    /// 5 for 令和 … 1 for 明治 (the numeric prefix of claims systems).
    pub number: u32,
    /// First day (year, month, day).
    pub start: (i32, u32, u32),
}

/// The eras, newest first.
pub const ERAS: [Era; 5] = [
    Era { name: "令和", letter: 'R', number: 5, start: (2019, 5, 1) },
    Era { name: "平成", letter: 'H', number: 4, start: (1989, 1, 8) },
    Era { name: "昭和", letter: 'S', number: 3, start: (1926, 12, 25) },
    Era { name: "大正", letter: 'T', number: 2, start: (1912, 7, 30) },
    Era { name: "明治", letter: 'M', number: 1, start: (1868, 1, 25) },
];

impl Era {
    fn start_date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.start.0, self.start.1, self.start.2)
    }
    /// The last day of the era (the day before the next one began), `None` for the current era.
    fn end_date(&self) -> Option<NaiveDate> {
        let i = ERAS.iter().position(|e| e.name == self.name)?;
        let next = ERAS.get(i.checked_sub(1)?)?;
        next.start_date()?.pred_opt()
    }
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Empty.
    #[error("empty date")]
    Empty,
    /// Not a date format iphr knows.
    #[error("{0:?} is not a date (expected e.g. 2024-04-01, 20240401, 令和6年4月1日, R6.4.1)")]
    Format(String),
    /// No such day (2024-02-30).
    #[error("{0:?}: no such day")]
    NoSuchDay(String),
    /// The day is outside the named era (H31.5.1 is 令和元年5月1日).
    #[error("{text:?}: no such day in {era}{year}年 ({era} runs from {from} to {to})")]
    OutsideEra {
        /// The text.
        text: String,
        /// Era.
        era: &'static str,
        /// Era year.
        year: u32,
        /// Era start.
        from: NaiveDate,
        /// Era end (or "now").
        to: String,
    },
}

fn era_by_prefix(s: &str) -> Option<(Era, &str)> {
    for e in ERAS {
        if let Some(rest) = s.strip_prefix(e.name) {
            return Some((e, rest));
        }
    }
    for e in ERAS {
        let one = e.name.chars().next().unwrap_or(' ');
        if let Some(rest) = s.strip_prefix(one) {
            return Some((e, rest));
        }
        let mut cs = s.chars();
        if cs.next().is_some_and(|c| c.to_ascii_uppercase() == e.letter) {
            return Some((e, cs.as_str()));
        }
    }
    None
}

/// Splits `6年4月1日`, `6.4.1`, `06/04/01`, `6-4-1`, `元年5月1日` into three number texts.
fn split_ymd(s: &str) -> Option<(String, String, String)> {
    let s = s.trim_end_matches('日');
    let parts: Vec<&str> = s.split(['年', '月', '.', '/', '-']).collect();
    match parts.as_slice() {
        [y, m, d] if !y.is_empty() && !m.is_empty() && !d.is_empty() => {
            Some((y.to_string(), m.to_string(), d.to_string()))
        }
        _ => None,
    }
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn in_era(text: &str, era: Era, year: u32, month: u32, day: u32) -> Result<NaiveDate, DateError> {
    let start = era.start_date().ok_or_else(|| DateError::Format(text.to_string()))?;
    let gy = start.year() + i32::try_from(year).unwrap_or(i32::MAX / 2) - 1;
    let date = NaiveDate::from_ymd_opt(gy, month, day).ok_or_else(|| DateError::NoSuchDay(text.to_string()))?;
    let end = era.end_date();
    if year == 0 || date < start || end.is_some_and(|e| date > e) {
        return Err(DateError::OutsideEra {
            text: text.to_string(),
            era: era.name,
            year,
            from: start,
            to: end.map_or_else(|| "now".to_string(), |e| e.to_string()),
        });
    }
    Ok(date)
}

/// Parses a date written in any of the forms above.
pub fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let f: String = fold_value(text).chars().filter(|c| !c.is_whitespace()).collect();
    if f.is_empty() {
        return Err(DateError::Empty);
    }
    let bad = || DateError::Format(text.to_string());
    // 和暦 with an era name or letter.
    if let Some((era, rest)) = era_by_prefix(&f) {
        let (y, m, d) = split_ymd(rest).ok_or_else(bad)?;
        let year = if y == "元" { 1 } else { num(&y).ok_or_else(bad)? };
        return in_era(text, era, year, num(&m).ok_or_else(bad)?, num(&d).ok_or_else(bad)?);
    }
    if f.bytes().all(|b| b.is_ascii_digit()) {
        return match f.len() {
            // YYYYMMDD
            8 => {
                let (y, m, d) =
                    (num(f.get(..4).unwrap_or("")), num(f.get(4..6).unwrap_or("")), num(f.get(6..).unwrap_or("")));
                let (Some(y), Some(m), Some(d)) = (y, m, d) else { return Err(bad()) };
                NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| DateError::NoSuchDay(text.to_string()))
            }
            // EYYMMDD: era number 1–5 (claims systems), then year, month, day.
            7 => {
                let n = num(f.get(..1).unwrap_or("")).ok_or_else(bad)?;
                let era = ERAS.iter().find(|e| e.number == n).copied().ok_or_else(bad)?;
                let (y, m, d) =
                    (num(f.get(1..3).unwrap_or("")), num(f.get(3..5).unwrap_or("")), num(f.get(5..).unwrap_or("")));
                let (Some(y), Some(m), Some(d)) = (y, m, d) else { return Err(bad()) };
                in_era(text, era, y, m, d)
            }
            _ => Err(bad()),
        };
    }
    // Western with separators: 2024-04-01, 2024/4/1, 2024.4.1, 2024年4月1日.
    let (y, m, d) = split_ymd(&f).ok_or_else(bad)?;
    if y.len() != 4 {
        return Err(bad());
    }
    let (Some(y), Some(m), Some(d)) = (num(&y), num(&m), num(&d)) else { return Err(bad()) };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| DateError::NoSuchDay(text.to_string()))
}

/// The era of a date.
pub fn era_of(date: NaiveDate) -> Option<Era> {
    ERAS.iter().copied().find(|e| e.start_date().is_some_and(|s| date >= s))
}

/// A date in 和暦: `令和6年4月1日`, `令和元年5月1日`.
pub fn to_wareki(date: NaiveDate) -> Option<String> {
    let era = era_of(date)?;
    let start = era.start_date()?;
    let year = date.year() - start.year() + 1;
    let y = if year == 1 { "元".to_string() } else { year.to_string() };
    Some(format!("{}{}年{}月{}日", era.name, y, date.month(), date.day()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn forms_institutions_write() {
        let cases = [
            ("令和6年4月1日", d(2024, 4, 1)),
            ("令和元年5月1日", d(2019, 5, 1)),
            ("R6.4.1", d(2024, 4, 1)),
            ("r6.4.1", d(2024, 4, 1)),
            ("R06/04/01", d(2024, 4, 1)),
            ("R6-4-1", d(2024, 4, 1)),
            ("令6.4.1", d(2024, 4, 1)),
            ("Ｒ６．４．１", d(2024, 4, 1)),
            ("令和 6年 4月 1日", d(2024, 4, 1)),
            ("H31.4.30", d(2019, 4, 30)),
            ("平成31年4月30日", d(2019, 4, 30)),
            ("R1.5.1", d(2019, 5, 1)),
            ("S45.4.1", d(1970, 4, 1)),
            ("昭和64年1月7日", d(1989, 1, 7)),
            ("平成元年1月8日", d(1989, 1, 8)),
            ("T15.12.24", d(1926, 12, 24)),
            ("S1.12.25", d(1926, 12, 25)),
            ("5060401", d(2024, 4, 1)),
            ("3450401", d(1970, 4, 1)),
            ("2024-04-01", d(2024, 4, 1)),
            ("2024/4/1", d(2024, 4, 1)),
            ("2024.4.1", d(2024, 4, 1)),
            ("20240401", d(2024, 4, 1)),
            ("2024年4月1日", d(2024, 4, 1)),
            ("２０２４／０４／０１", d(2024, 4, 1)),
            ("2024-02-29", d(2024, 2, 29)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn the_h31_r1_boundary() {
        assert_eq!(parse_date("H31.4.30"), Ok(d(2019, 4, 30)));
        assert!(matches!(parse_date("H31.5.1"), Err(DateError::OutsideEra { era: "平成", year: 31, .. })));
        assert!(matches!(parse_date("R1.4.30"), Err(DateError::OutsideEra { era: "令和", year: 1, .. })));
        assert_eq!(parse_date("R1.5.1"), Ok(d(2019, 5, 1)));
        assert!(matches!(parse_date("S64.1.8"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(parse_date("H1.1.7"), Err(DateError::OutsideEra { .. })));
        assert!(matches!(parse_date("R0.5.1"), Err(DateError::OutsideEra { year: 0, .. })));
    }

    #[test]
    fn errors() {
        assert_eq!(parse_date(""), Err(DateError::Empty));
        assert_eq!(parse_date("  "), Err(DateError::Empty));
        assert_eq!(parse_date("2024-02-30"), Err(DateError::NoSuchDay("2024-02-30".into())));
        assert_eq!(parse_date("R6.2.30"), Err(DateError::NoSuchDay("R6.2.30".into())));
        for bad in ["未実施", "24-04-01", "2024-04", "X6.4.1", "6060401", "202404011", "令和六年四月一日", "R6..1"]
        {
            assert!(matches!(parse_date(bad), Err(DateError::Format(_))), "{bad}: {:?}", parse_date(bad));
        }
    }

    #[test]
    fn wareki_output() {
        assert_eq!(to_wareki(d(2024, 4, 1)).as_deref(), Some("令和6年4月1日"));
        assert_eq!(to_wareki(d(2019, 5, 1)).as_deref(), Some("令和元年5月1日"));
        assert_eq!(to_wareki(d(2019, 4, 30)).as_deref(), Some("平成31年4月30日"));
    }

    proptest! {
        #[test]
        fn wareki_round_trips(days in 0i64..(365 * 230)) {
            let date = d(1868, 1, 25) + chrono::Duration::days(days);
            let w = to_wareki(date).unwrap_or_default();
            prop_assert_eq!(parse_date(&w), Ok(date), "{}", w);
            // The letter form too.
            let era = era_of(date).map(|e| e.letter).unwrap_or('?');
            let start = era_of(date).and_then(|e| e.start_date()).unwrap_or(date);
            let short = format!("{}{}.{}.{}", era, date.year() - start.year() + 1, date.month(), date.day());
            prop_assert_eq!(parse_date(&short), Ok(date), "{}", short);
        }

        #[test]
        fn western_round_trips(days in 0i64..(365 * 300)) {
            let date = d(1900, 1, 1) + chrono::Duration::days(days);
            prop_assert_eq!(parse_date(&date.format("%Y-%m-%d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y%m%d").to_string()), Ok(date));
            prop_assert_eq!(parse_date(&date.format("%Y/%-m/%-d").to_string()), Ok(date));
        }

        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            let _ = parse_date(&s);
        }
    }
}
