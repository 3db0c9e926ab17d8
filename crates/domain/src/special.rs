//! Special checkups due from exposures (特殊健康診断): each current exposure's statute names a
//! checkup and its cycle (`data/special-checkups-v1.csv`); the next one is due a cycle after the
//! last (or at placement when there has been none).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

const TABLE_CSV: &str = include_str!("../data/special-checkups-v1.csv");

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
}

/// The embedded table.
pub fn table() -> Result<Vec<SpecialCheckup>, String> {
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

/// The checkups a worker's current exposures require. `exposures`: (statute, exposure start);
/// `checkups`: (date, text naming the checkup — basis or title — or empty when the source did not
/// say, which then counts for every statute). Unknown statutes are skipped.
pub fn due(
    table: &[SpecialCheckup],
    exposures: &[(String, NaiveDate)],
    checkups: &[(NaiveDate, String)],
    today: NaiveDate,
    warn_days: i64,
) -> Vec<Due> {
    let mut out: Vec<Due> = Vec::new();
    for (regulation, from) in exposures {
        let Some(t) = table.iter().find(|t| &t.regulation == regulation) else { continue };
        if out.iter().any(|d| &d.regulation == regulation) {
            continue;
        }
        let counts =
            |text: &String| text.is_empty() || text.contains(regulation.as_str()) || text.contains(&t.checkup_ja);
        let last = checkups.iter().filter(|(d, text)| counts(text) && d >= from).map(|(d, _)| *d).max();
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

    #[test]
    fn due_dates_and_status() {
        let t = table().unwrap_or_default();
        assert_eq!(t.len(), 7);
        let exp = vec![("有機則".to_string(), d("2024-04-01"))];
        // Never examined since placement: due at placement, overdue now.
        let r = due(&t, &exp, &[], d("2024-05-01"), 30);
        assert_eq!((r[0].due, r[0].status), (d("2024-04-01"), DueStatus::Overdue));
        // Last 2025-01-10 → due 2025-07-10: scheduled on 2025-06-09 (31 days), due soon on 06-10, overdue on 07-11.
        let ck = vec![(d("2025-01-10"), "有機則29条".to_string()), (d("2024-12-01"), "鉛則53条".to_string())];
        assert_eq!(due(&t, &exp, &ck, d("2025-06-09"), 30)[0].status, DueStatus::Scheduled);
        assert_eq!(due(&t, &exp, &ck, d("2025-06-10"), 30)[0].status, DueStatus::DueSoon);
        assert_eq!(due(&t, &exp, &ck, d("2025-07-10"), 30)[0].status, DueStatus::DueSoon);
        let r = due(&t, &exp, &ck, d("2025-07-11"), 30);
        assert_eq!((r[0].last, r[0].due, r[0].status), (Some(d("2025-01-10")), d("2025-07-10"), DueStatus::Overdue));
        // A checkup for another statute does not count; one that names nothing does.
        let lead = vec![(d("2025-01-10"), "鉛則53条".to_string())];
        assert_eq!(due(&t, &exp, &lead, d("2025-02-01"), 30)[0].last, None);
        let plain = vec![(d("2025-01-10"), String::new())];
        assert_eq!(due(&t, &exp, &plain, d("2025-02-01"), 30)[0].last, Some(d("2025-01-10")));
        // じん肺: every 36 months; unknown statutes are skipped.
        let dust = vec![("じん肺法".to_string(), d("2020-01-01")), ("不明".to_string(), d("2020-01-01"))];
        let r = due(&t, &dust, &[(d("2023-02-01"), "じん肺健康診断".into())], d("2025-01-01"), 30);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].due, d("2026-02-01"));
    }
}
