//! The panels of a worker's checkup trends (`data/trend-panels-v1.csv`): which items a physician
//! reads together. Shared by the worker page and, later, the feedback sheet.

use serde::Deserialize;
use std::sync::OnceLock;

const PANELS_CSV: &str = include_str!("../data/trend-panels-v1.csv");

/// One panel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TrendPanel {
    /// Key.
    pub panel: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
    /// OHCC items, space separated, in the order drawn.
    pub items: String,
}

impl TrendPanel {
    /// The items in the order drawn.
    pub fn item_codes(&self) -> impl Iterator<Item = &str> {
        self.items.split_whitespace()
    }
}

/// The embedded table, parsed once per process; an error names the row.
pub fn trend_panels() -> Result<&'static [TrendPanel], String> {
    static TABLE: OnceLock<Result<Vec<TrendPanel>, String>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            csv::ReaderBuilder::new()
                .comment(Some(b'#'))
                .from_reader(PANELS_CSV.as_bytes())
                .deserialize::<TrendPanel>()
                .enumerate()
                .map(|(i, r)| r.map_err(|e| format!("trend-panels row {}: {e}", i + 1)))
                .collect()
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ohcc::{ItemTable, ValueKind};

    #[test]
    fn every_panel_item_is_a_numeric_item_of_the_ohcc_table() {
        let panels = trend_panels().unwrap_or_default();
        assert_eq!(panels.len(), 7);
        let table = ItemTable::embedded().ok();
        for p in panels {
            for code in p.item_codes() {
                let def = table.and_then(|t| t.get_str(code));
                assert!(def.is_some_and(|d| d.value_kind == ValueKind::Number), "{} {code}", p.panel);
            }
        }
        assert_eq!(panels.first().map(|p| p.label_ja.as_str()), Some("血圧"));
    }
}
