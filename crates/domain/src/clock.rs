//! 日本の日付 — the one "today" of iphr. Japan keeps one standard time, UTC+9 (日本標準時, 標準時ニ
//! 関スル件 明治19年勅令第51号; no daylight saving since 1952), and every date a workplace
//! records — a checkup's, a month's overtime, a due date — is a Japanese calendar date. So the
//! web, the command line and the tests ask a [`Clock`] for the instant and [`japan_date`] turns it
//! into that date: between 00:00 and 09:00 JST the UTC date is still yesterday's.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};
use std::fmt::Debug;

/// The offset of 日本標準時 from UTC, in seconds.
pub const JST_OFFSET_SECONDS: i32 = 9 * 3600;

/// The offset of 日本標準時 from UTC.
pub fn jst() -> FixedOffset {
    // 9 hours is within ±24 h, so `east_opt` answers; UTC stands in for the impossible None.
    FixedOffset::east_opt(JST_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix())
}

/// The calendar date in Japan of an instant.
pub fn japan_date(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::seconds(i64::from(JST_OFFSET_SECONDS))).date_naive()
}

/// An instant as Japanese local time (for display and for the dates of documents).
pub fn japan_time(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&jst())
}

/// Where the instant comes from: the system clock in production, a fixed instant in tests (and
/// for `IPHR_NOW`, to re-run a command as of a given time).
pub trait Clock: Send + Sync + Debug {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
    /// Today in Japan.
    fn today(&self) -> NaiveDate {
        japan_date(self.now())
    }
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Parses an instant for a fixed clock: RFC 3339 (`2026-11-30T23:30:00Z`,
/// `2026-12-01T08:30:00+09:00`) or a date (`2026-12-01`, taken as noon in Japan).
pub fn parse_instant(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    let noon = d.and_hms_opt(12, 0, 0)?;
    jst().from_local_datetime(&noon).single().map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).expect("instant")
    }

    #[test]
    fn the_japan_date_turns_at_15_00_utc() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        for (instant, want) in [
            ("2026-11-30T14:59:59Z", d(2026, 11, 30)),
            ("2026-11-30T15:00:00Z", d(2026, 12, 1)),
            ("2026-11-30T23:30:00Z", d(2026, 12, 1)),
            ("2026-12-31T15:00:00Z", d(2027, 1, 1)),
            ("2026-12-01T08:59:59+09:00", d(2026, 12, 1)),
            ("2024-02-28T15:00:00Z", d(2024, 2, 29)),
        ] {
            assert_eq!(japan_date(at(instant)), want, "{instant}");
            assert_eq!(FixedClock(at(instant)).today(), want, "{instant}");
        }
    }

    #[test]
    fn instants_parse_as_rfc3339_or_a_japanese_date() {
        assert_eq!(parse_instant("2026-11-30T23:30:00Z"), Some(at("2026-11-30T23:30:00Z")));
        assert_eq!(parse_instant("2026-12-01T08:30:00+09:00"), Some(at("2026-11-30T23:30:00Z")));
        assert_eq!(parse_instant("2026-12-01"), Some(at("2026-12-01T03:00:00Z")));
        assert_eq!(parse_instant("12/01/2026"), None);
        assert_eq!(parse_instant(""), None);
        assert_eq!(japan_time(at("2026-11-30T23:30:00Z")).to_rfc3339(), "2026-12-01T08:30:00+09:00");
    }
}
