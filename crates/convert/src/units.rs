//! Unit conversion to the OHCC unit of an item, from a versioned table
//! (`data/unit-conversions-v1.csv`): generic SI-prefix and notation rows, and item-specific rows
//! where the molar mass matters (glucose, cholesterol, triglycerides, creatinine, uric acid) or a
//! published equation applies (HbA1c IFCC → NGSP). A unit with no row is not guessed: the value
//! is rejected with the reason.

use serde::Deserialize;

const TABLE_CSV: &str = include_str!("../data/unit-conversions-v1.csv");

/// One conversion.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Conversion {
    /// OHCC item, or `*` for every item.
    pub item: String,
    /// From this unit.
    pub from: String,
    /// To this unit.
    pub to: String,
    /// Multiply by.
    pub factor: f64,
    /// Then add.
    pub offset: f64,
    /// Where the factor comes from.
    pub source: String,
}

/// The conversion table.
#[derive(Debug, Clone)]
pub struct UnitTable {
    /// Edition.
    pub edition: String,
    rows: Vec<Conversion>,
}

/// Why a value cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    /// No conversion from this unit to the item's unit.
    #[error("unit {from:?} cannot be converted to {to:?} for item {item} (no row in the conversion table)")]
    NoConversion {
        /// Item.
        item: String,
        /// From.
        from: String,
        /// To.
        to: String,
    },
    /// The table itself is malformed.
    #[error("unit table row {row}: {reason}")]
    Table {
        /// Row.
        row: usize,
        /// Reason.
        reason: String,
    },
}

fn norm(u: &str) -> String {
    crate::text::fold_value(u).replace(['µ', 'μ'], "u")
}

impl UnitTable {
    /// The embedded table.
    pub fn embedded() -> Result<Self, UnitError> {
        Self::from_csv(TABLE_CSV)
    }

    /// Parses a table.
    pub fn from_csv(text: &str) -> Result<Self, UnitError> {
        let edition = text
            .lines()
            .find_map(|l| l.strip_prefix("# edition:"))
            .map(|e| e.trim().to_string())
            .unwrap_or_else(|| "unnamed".into());
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, r) in rdr.deserialize::<Conversion>().enumerate() {
            let r = r.map_err(|e| UnitError::Table { row: i + 1, reason: e.to_string() })?;
            if !r.factor.is_finite() || r.factor == 0.0 {
                return Err(UnitError::Table { row: i + 1, reason: "factor must be a non-zero number".into() });
            }
            rows.push(Conversion { from: norm(&r.from), to: norm(&r.to), ..r });
        }
        Ok(Self { edition, rows })
    }

    /// Converts `value` in `from` to the item's unit `to`. Equal units (after folding width and
    /// µ/μ/u) need no row.
    pub fn convert(&self, item: &str, value: f64, from: &str, to: &str) -> Result<f64, UnitError> {
        if from == to {
            return Ok(value);
        }
        let (f, t) = (norm(from), norm(to));
        if f == t {
            return Ok(value);
        }
        let row = self
            .rows
            .iter()
            .find(|r| r.item == item && r.from == f && r.to == t)
            .or_else(|| self.rows.iter().find(|r| r.item == "*" && r.from == f && r.to == t));
        match row {
            Some(r) => Ok(value * r.factor + r.offset),
            None => Err(UnitError::NoConversion { item: item.into(), from: from.into(), to: to.into() }),
        }
    }
}

/// The rules (診断区分, urgent values) convert through the same table as the importers.
impl iphr_domain::judgement::UnitConvert for UnitTable {
    fn convert(&self, item: &str, value: f64, from: &str, to: &str) -> Option<f64> {
        iphr_domain::judgement::NotationOnly
            .convert(item, value, from, to)
            .or_else(|| UnitTable::convert(self, item, value, from, to).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> UnitTable {
        match UnitTable::embedded() {
            Ok(t) => t,
            Err(e) => unreachable!("{e}"),
        }
    }

    fn close(a: Result<f64, UnitError>, b: f64) -> bool {
        a.is_ok_and(|a| (a - b).abs() < 1e-6 * b.abs().max(1.0))
    }

    #[test]
    fn conversions() {
        let t = t();
        assert_eq!(t.edition, "unit-conversions-v1");
        assert!(close(t.convert("Ag0010000Z", 145.0, "g/L", "g/dL"), 14.5));
        assert!(close(t.convert("Ag0010000Z", 14.5, "ｇ／ｄＬ", "g/dL"), 14.5));
        assert!(close(t.convert("Aj0010000Z", 5.5, "mmol/L", "mg/dL"), 99.088));
        assert!(close(t.convert("Ai0010000Z", 3.0, "mmol/L", "mg/dL"), 116.01));
        assert!(close(t.convert("Am0010000Z", 88.4, "µmol/L", "mg/dL"), 0.99998));
        assert!(close(t.convert("Aj0030000Z", 48.0, "mmol/mol", "%"), 6.54304));
        assert!(close(t.convert("Ah0010000Z", 30.0, "IU/L", "U/L"), 30.0));
        assert!(close(t.convert("Ac0010000Z", 1705.0, "mm", "cm"), 170.5));
    }

    #[test]
    fn unknown_pairs_are_rejected_not_guessed() {
        let t = t();
        // mmol/L of an item without a molar-mass row.
        assert_eq!(
            t.convert("Ah0010000Z", 1.0, "mmol/L", "U/L"),
            Err(UnitError::NoConversion { item: "Ah0010000Z".into(), from: "mmol/L".into(), to: "U/L".into() })
        );
        assert!(t.convert("Ac0020000Z", 150.0, "lb", "kg").is_err());
    }

    #[test]
    fn table_errors_name_the_row() {
        let e = UnitTable::from_csv("item,from,to,factor,offset,source\n*,a,b,0,0,x\n");
        assert_eq!(e.err(), Some(UnitError::Table { row: 1, reason: "factor must be a non-zero number".into() }));
    }
}
