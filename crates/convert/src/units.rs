//! Unit conversion to the OHCC unit of an item, from a versioned table
//! (`data/unit-conversions-v1.csv`): generic SI-prefix and notation rows, and item-specific rows
//! where the molar mass matters (glucose, cholesterol, triglycerides, creatinine, uric acid) or a
//! published equation applies (HbA1c IFCC → NGSP). A unit with no row is not guessed: the value
//! is rejected with the reason.

use iphr_domain::ohcc::TableError;
use serde::Deserialize;
use std::sync::OnceLock;

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
}

/// A unit as institutions spell it, folded to one spelling before the table is looked up, so
/// that a row covers every notation (notation only; every factor is a row of the table):
/// full width, `µ`/`μ` → `u`, superscript powers (`10³`) → `10^3`, `10*3` → `10^3` (UCUM),
/// a leading `x`/`×` before `10` dropped (`×10^3/μL`), `mm3`/`mm³`/`cumm` → `uL` (1 mm³ = 1 μL),
/// and a lower-case litre after a prefix or a slash (`mg/dl`, `/ul`, `10^9/l`) → `L`.
pub fn norm(u: &str) -> String {
    // Superscripts first: NFKC would make `10³` into `103`.
    let mut pre = String::with_capacity(u.len() + 2);
    let mut in_power = false;
    for c in u.chars() {
        let digit = match c {
            '⁰' => Some('0'),
            '¹' => Some('1'),
            '²' => Some('2'),
            '³' => Some('3'),
            '⁴' => Some('4'),
            '⁵' => Some('5'),
            '⁶' => Some('6'),
            '⁷' => Some('7'),
            '⁸' => Some('8'),
            '⁹' => Some('9'),
            _ => None,
        };
        match digit {
            Some(d) => {
                if !in_power {
                    pre.push('^');
                    in_power = true;
                }
                pre.push(d);
            }
            None => {
                in_power = false;
                pre.push(c);
            }
        }
    }
    let mut s: String = crate::text::fold_value(&pre).replace(['µ', 'μ'], "u").replace(' ', "");
    for (from, to) in [("×10", "10"), ("x10", "10"), ("X10", "10")] {
        if let Some(rest) = s.strip_prefix(from) {
            s = format!("{to}{rest}");
        }
    }
    s = s.replace("10*", "10^").replace("mm^3", "uL").replace("mm3", "uL").replace("cumm", "uL");
    for (from, to) in [("/ul", "/uL"), ("/dl", "/dL"), ("/ml", "/mL"), ("/l", "/L")] {
        if let Some(head) = s.strip_suffix(from) {
            s = format!("{head}{to}");
        }
    }
    s
}

impl UnitTable {
    /// The embedded table (`data/unit-conversions-v1.csv`), parsed once per process: every call
    /// returns the same table. An error is a defect of the build (every call reports it).
    pub fn embedded() -> Result<&'static Self, TableError> {
        static TABLE: OnceLock<Result<UnitTable, TableError>> = OnceLock::new();
        TABLE.get_or_init(|| Self::from_csv(TABLE_CSV)).as_ref().map_err(Clone::clone)
    }

    /// Parses a table; an error names the row and field (table `unit-conversions`).
    pub fn from_csv(text: &str) -> Result<Self, TableError> {
        let edition = text
            .lines()
            .find_map(|l| l.strip_prefix("# edition:"))
            .map(|e| e.trim().to_string())
            .unwrap_or_else(|| "unnamed".into());
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, r) in rdr.deserialize::<Conversion>().enumerate() {
            let err = |field: &str, reason: String| TableError {
                table: "unit-conversions".into(),
                row: i + 1,
                field: field.into(),
                reason,
            };
            let r = r.map_err(|e| err("(row)", e.to_string()))?;
            if !r.factor.is_finite() || r.factor == 0.0 {
                return Err(err("factor", "must be a non-zero number".into()));
            }
            rows.push(Conversion { from: norm(&r.from), to: norm(&r.to), ..r });
        }
        Ok(Self { edition, rows })
    }

    /// Converts `value` in `from` to the item's unit `to`. Equal units (after folding width and
    /// µ/μ/u) need no row.
    pub fn convert(&self, item: &str, value: f64, from: &str, to: &str) -> Result<f64, UnitError> {
        Ok(match self.step(item, from, to)? {
            None => value,
            Some((factor, offset)) => value * factor + offset,
        })
    }

    /// The factor and offset from `from` to `to` for `item`; `None` when the units are equal.
    fn step(&self, item: &str, from: &str, to: &str) -> Result<Option<(f64, f64)>, UnitError> {
        if from == to {
            return Ok(None);
        }
        let (f, t) = (norm(from), norm(to));
        if f == t {
            return Ok(None);
        }
        let row = self
            .rows
            .iter()
            .find(|r| r.item == item && r.from == f && r.to == t)
            .or_else(|| self.rows.iter().find(|r| r.item == "*" && r.from == f && r.to == t));
        match row {
            Some(r) => Ok(Some((r.factor, r.offset))),
            None => Err(UnitError::NoConversion { item: item.into(), from: from.into(), to: to.into() }),
        }
    }

    /// [`UnitTable::convert`] keeping the decimals the number was written with: the same in the
    /// same unit; after a factor of exactly 10⁻ᵏ without offset (`148` g/L → `14.8` g/dL) shifted
    /// by k and the value rounded to them, so that no binary noise is stored; `None` after any
    /// other factor (the precision of a molar conversion is not the source's).
    pub fn convert_scaled(
        &self,
        item: &str,
        value: f64,
        scale: Option<u8>,
        from: &str,
        to: &str,
    ) -> Result<(f64, Option<u8>), UnitError> {
        let Some((factor, offset)) = self.step(item, from, to)? else { return Ok((value, scale)) };
        let pow10 = if offset == 0.0 { power_of_ten(factor) } else { None };
        Ok(scaled(value * factor + offset, scale, pow10))
    }
}

/// A converted number and its scale: a number written with `scale` decimals and multiplied by
/// 10ᵏ (`pow10`) has `scale − k` (at least 0), and is rounded to them; after any other
/// conversion the scale is not known.
pub fn scaled(converted: f64, scale: Option<u8>, pow10: Option<i32>) -> (f64, Option<u8>) {
    match (scale, pow10) {
        (Some(s), Some(k)) => {
            let s = (i32::from(s) - k).clamp(0, 12);
            let m = 10f64.powi(s);
            ((converted * m).round() / m, u8::try_from(s).ok())
        }
        _ => (converted, None),
    }
}

/// k when `factor` is exactly 10ᵏ (−12 ≤ k ≤ 12).
pub fn power_of_ten(factor: f64) -> Option<i32> {
    if factor <= 0.0 || !factor.is_finite() {
        return None;
    }
    let k = factor.log10().round();
    let k = (-12.0..=12.0).contains(&k).then_some(k as i32)?;
    ((10f64.powi(k) - factor).abs() <= factor * 1e-12).then_some(k)
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

    fn t() -> &'static UnitTable {
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

    /// Issue 11.6: cell counts in the spellings institutions use, each to the OHCC unit with
    /// its factor (白血球数 /μL; 赤血球数・血小板数 10^4/μL).
    #[test]
    fn cell_count_spellings() {
        let t = t();
        let wbc = ("Ag0040000Z", "/uL");
        let rbc = ("Ag0020000Z", "10*4/uL");
        let plt = ("Ag0050000Z", "10*4/uL");
        for ((item, to), value, from, want) in [
            (wbc, 6.5, "10^3/uL", 6500.0),
            (wbc, 6.5, "x10^3/uL", 6500.0),
            (wbc, 6.5, "×10³/μL", 6500.0),
            (wbc, 6.5, "10^3/μL", 6500.0),
            (wbc, 6.5, "10*3/uL", 6500.0),
            (wbc, 6.5, "10^9/L", 6500.0),
            (wbc, 6.5, "10^9/l", 6500.0),
            (wbc, 6.5, "千/μL", 6500.0),
            (wbc, 65.0, "10^2/uL", 6500.0),
            (wbc, 6500.0, "/mm3", 6500.0),
            (wbc, 6500.0, "/μl", 6500.0),
            (rbc, 4.52, "10^6/uL", 452.0),
            (rbc, 4.52, "x10^6/μL", 452.0),
            (rbc, 4.52, "10^12/L", 452.0),
            (rbc, 452.0, "10^4/μL", 452.0),
            (rbc, 452.0, "万/μL", 452.0),
            (rbc, 452.0, "10*4/mm3", 452.0),
            (rbc, 452.0, "x10⁴/μL", 452.0),
            (plt, 245.0, "10^3/uL", 24.5),
            (plt, 245.0, "x10^3/μL", 24.5),
            (plt, 245.0, "10^9/L", 24.5),
            (plt, 2.45, "10^5/uL", 24.5),
            (plt, 24.5, "10^4/uL", 24.5),
            (plt, 24.5, "×10⁴/µL", 24.5),
        ] {
            assert!(
                close(t.convert(item, value, from, to), want),
                "{item} {value} {from}: {:?}",
                t.convert(item, value, from, to)
            );
        }
        // The decimals follow a power-of-ten factor: 6.5 ×10^3/μL is 6500 /μL, 245 ×10^3/μL is 24.5.
        assert_eq!(t.convert_scaled("Ag0040000Z", 6.5, Some(1), "10^3/uL", "/uL"), Ok((6500.0, Some(0))));
        assert_eq!(t.convert_scaled("Ag0050000Z", 245.0, Some(0), "10^3/uL", "10*4/uL"), Ok((24.5, Some(1))));
        assert_eq!(t.convert_scaled("Ag0010000Z", 148.0, Some(0), "g/L", "g/dL"), Ok((14.8, Some(1))));
        // A molar conversion keeps no scale (the source's precision is not the result's).
        assert_eq!(t.convert_scaled("Aj0010000Z", 5.5, Some(1), "mmol/L", "mg/dL").map(|(_, s)| s), Ok(None));
        // Not a count unit: still refused.
        assert!(t.convert("Ag0040000Z", 6.5, "10^3/mL", "/uL").is_err());
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
    fn table_errors_name_the_row_and_field() {
        let e = UnitTable::from_csv("item,from,to,factor,offset,source\n*,a,b,0,0,x\n").err();
        assert_eq!(
            e.as_ref().map(ToString::to_string).as_deref(),
            Some("unit-conversions row 1, field factor: must be a non-zero number")
        );
        let e = UnitTable::from_csv("item,from,to,factor,offset,source\n*,a,b,x,0,x\n").err();
        assert_eq!(e.map(|e| (e.table, e.row, e.field)), Some(("unit-conversions".into(), 1, "(row)".into())));
    }
}
