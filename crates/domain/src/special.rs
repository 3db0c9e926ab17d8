//! Special checkups due from exposures (特殊健康診断): each current exposure's statute names a
//! checkup, its cycle and the checkup kinds that count (`data/special-checkups-v2.csv`); the next
//! one is due a cycle after the last (or at placement when there has been none).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const TABLE_CSV: &str = include_str!("../data/special-checkups-v2.csv");

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialCheckup {
    /// Statute of the exposure, e.g. `有機則`.
    pub regulation: String,
    /// The checkup, e.g. 有機溶剤等健康診断.
    pub checkup_ja: String,
    /// Months between checkups.
    pub cycle_months: u32,
    /// Legal basis.
    pub basis: String,
    /// The checkup kinds that count (`special`, `specific_work`, `periodic`, `hire` …;
    /// `;`-separated).
    pub kinds: String,
}

impl SpecialCheckup {
    /// Whether a checkup of `kind` naming `text` (its basis or title; empty when the source did
    /// not say) counts for this row: a special checkup when it names the statute or the checkup,
    /// or nothing; a checkup of another kind the row lists, always.
    pub fn counts(&self, kind: &str, text: &str) -> bool {
        if !self.kinds.split(';').map(str::trim).any(|k| k == kind) {
            return false;
        }
        kind != "special"
            || text.is_empty()
            || text.contains(self.regulation.as_str())
            || text.contains(&self.checkup_ja)
    }
}

/// The embedded table (`data/special-checkups-v2.csv`), parsed once per process; an error is a
/// defect of the build.
pub fn table() -> Result<&'static [SpecialCheckup], String> {
    static TABLE: OnceLock<Result<Vec<SpecialCheckup>, String>> = OnceLock::new();
    TABLE.get_or_init(parse_table).as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// Parses the embedded table (once per process, through [`table`]).
fn parse_table() -> Result<Vec<SpecialCheckup>, String> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(TABLE_CSV.as_bytes())
        .deserialize::<SpecialCheckup>()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| format!("special-checkups row {}: {e}", i + 1)))
        .collect()
}

/// Where a required checkup stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueStatus {
    /// Past its due date.
    Overdue,
    /// Due within the warning window.
    DueSoon,
    /// Not yet due.
    Scheduled,
}

/// A checkup a worker needs for an exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Due {
    /// Statute.
    pub regulation: String,
    /// The checkup.
    pub checkup_ja: String,
    /// The last one that counts.
    pub last: Option<NaiveDate>,
    /// When the next is due.
    pub due: NaiveDate,
    /// Status on `today`.
    pub status: DueStatus,
}

/// A checkup as the due list sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneCheckup {
    /// Date.
    pub date: NaiveDate,
    /// Its kind (the checkup event's subkind: `special`, `periodic`, `specific_work` …).
    pub kind: String,
    /// The text naming it (basis and title), empty when the source did not say.
    pub text: String,
}

/// The checkups a worker's current exposures (and night work) require. `exposures`: (statute,
/// start); `checkups`: every checkup of the worker (which count is the table's
/// [`SpecialCheckup::counts`]). Unknown statutes are skipped.
pub fn due(
    table: &[SpecialCheckup],
    exposures: &[(String, NaiveDate)],
    checkups: &[DoneCheckup],
    today: NaiveDate,
    warn_days: i64,
) -> Vec<Due> {
    let mut out: Vec<Due> = Vec::new();
    for (regulation, from) in exposures {
        let Some(t) = table.iter().find(|t| &t.regulation == regulation) else { continue };
        if out.iter().any(|d| &d.regulation == regulation) {
            continue;
        }
        let last = checkups.iter().filter(|c| t.counts(&c.kind, &c.text) && c.date >= *from).map(|c| c.date).max();
        let due = match last {
            Some(l) => l.checked_add_months(Months::new(t.cycle_months)).unwrap_or(l),
            // 雇入れ又は当該業務への配置替えの際.
            None => *from,
        };
        let status = if due < today {
            DueStatus::Overdue
        } else if (due - today).num_days() <= warn_days {
            DueStatus::DueSoon
        } else {
            DueStatus::Scheduled
        };
        out.push(Due { regulation: regulation.clone(), checkup_ja: t.checkup_ja.clone(), last, due, status });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn special(date: &str, text: &str) -> DoneCheckup {
        DoneCheckup { date: d(date), kind: "special".into(), text: text.into() }
    }

    #[test]
    fn due_dates_and_status() {
        let t = table().unwrap_or_default();
        assert_eq!(t.len(), 7);
        let exp = vec![("有機則".to_string(), d("2024-04-01"))];
        // Never examined since placement: due at placement, overdue now.
        let r = due(t, &exp, &[], d("2024-05-01"), 30);
        assert_eq!((r[0].due, r[0].status), (d("2024-04-01"), DueStatus::Overdue));
        // Last 2025-01-10 → due 2025-07-10: scheduled on 2025-06-09 (31 days), due soon on 06-10, overdue on 07-11.
        let ck = vec![special("2025-01-10", "有機則29条"), special("2024-12-01", "鉛則53条")];
        assert_eq!(due(t, &exp, &ck, d("2025-06-09"), 30)[0].status, DueStatus::Scheduled);
        assert_eq!(due(t, &exp, &ck, d("2025-06-10"), 30)[0].status, DueStatus::DueSoon);
        assert_eq!(due(t, &exp, &ck, d("2025-07-10"), 30)[0].status, DueStatus::DueSoon);
        let r = due(t, &exp, &ck, d("2025-07-11"), 30);
        assert_eq!((r[0].last, r[0].due, r[0].status), (Some(d("2025-01-10")), d("2025-07-10"), DueStatus::Overdue));
        // A checkup for another statute does not count; one that names nothing does.
        let lead = vec![special("2025-01-10", "鉛則53条")];
        assert_eq!(due(t, &exp, &lead, d("2025-02-01"), 30)[0].last, None);
        let plain = vec![special("2025-01-10", "")];
        assert_eq!(due(t, &exp, &plain, d("2025-02-01"), 30)[0].last, Some(d("2025-01-10")));
        // A periodic checkup is no 有機溶剤 checkup.
        let periodic = vec![DoneCheckup { date: d("2025-01-10"), kind: "periodic".into(), text: String::new() }];
        assert_eq!(due(t, &exp, &periodic, d("2025-02-01"), 30)[0].last, None);
        // じん肺: every 36 months; unknown statutes are skipped.
        let dust = vec![("じん肺法".to_string(), d("2020-01-01")), ("不明".to_string(), d("2020-01-01"))];
        let r = due(t, &dust, &[special("2023-02-01", "じん肺健康診断")], d("2025-01-01"), 30);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].due, d("2026-02-01"));
    }

    /// Issue 11.16: a night worker's 特定業務従事者 and periodic checkups satisfy 安衛則45条 (the
    /// demo worker checked on 2025-10-30 and 2026-11-01 was "未実施, 期限 2015-06-25").
    #[test]
    fn night_work_is_satisfied_by_the_checkups_of_45() {
        let t = table().unwrap_or_default();
        let night = vec![("深夜業".to_string(), d("2015-06-25"))];
        let kind = |date: &str, k: &str| DoneCheckup { date: d(date), kind: k.into(), text: String::new() };
        let done = vec![kind("2025-10-30", "specific_work"), kind("2026-11-01", "periodic")];
        let r = due(t, &night, &done, d("2026-12-08"), 30);
        assert_eq!((r[0].last, r[0].due, r[0].status), (Some(d("2026-11-01")), d("2027-05-01"), DueStatus::Scheduled));
        // Six months after the last one it is due again.
        let r = due(t, &night, &done, d("2027-05-02"), 30);
        assert_eq!(r[0].status, DueStatus::Overdue);
        // A special checkup alone does not satisfy it; a 特定業務 one after placement does.
        let r = due(t, &night, &[special("2026-11-01", "")], d("2026-12-08"), 30);
        assert_eq!((r[0].last, r[0].status), (None, DueStatus::Overdue));
        let r = due(t, &night, &[kind("2014-01-01", "specific_work")], d("2026-12-08"), 30);
        assert_eq!(r[0].last, None, "before placement it does not count");
    }
}
