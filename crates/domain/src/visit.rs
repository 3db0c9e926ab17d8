//! 産業医の訪問 — the kinds of activity a visit records (`data/visit-activities-v1.csv`), read by the
//! visit page and, later, the 産業医活動記録表 of the reports.

use serde::Deserialize;
use std::sync::OnceLock;

const ACTIVITIES_CSV: &str = include_str!("../data/visit-activities-v1.csv");

/// One kind of activity.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Activity {
    /// Code (stored).
    pub code: String,
    /// Japanese label.
    pub label_ja: String,
}

/// The embedded table, parsed once per process; an error names the row.
pub fn activities() -> Result<&'static [Activity], String> {
    static TABLE: OnceLock<Result<Vec<Activity>, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            csv::ReaderBuilder::new()
                .comment(Some(b'#'))
                .from_reader(ACTIVITIES_CSV.as_bytes())
                .deserialize::<Activity>()
                .enumerate()
                .map(|(i, r)| r.map_err(|e| format!("visit-activities row {}: {e}", i + 1)))
                .collect()
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

/// The label of an activity code (the code itself when unknown).
pub fn label(code: &str) -> String {
    activities()
        .ok()
        .and_then(|a| a.iter().find(|x| x.code == code))
        .map_or_else(|| code.to_string(), |a| a.label_ja.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activity_kinds_are_unique_and_labelled() {
        let a = activities().unwrap_or_default();
        assert_eq!(a.len(), 12);
        let mut codes: Vec<&str> = a.iter().map(|x| x.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 12);
        assert_eq!(label("patrol"), "職場巡視");
        assert_eq!(label("unknown"), "unknown");
    }
}
