//! Work-environment results: 作業環境測定 (安衛法65条; 管理区分 第1–第3 by the 作業環境評価基準) and
//! chemical risk assessments (安衛法57条の3, e.g. CREATE-SIMPLE: estimated exposure against the
//! limit, risk level I–IV) per unit workplace of a department. Each row becomes a department
//! event on the timelines of those assigned there at the time.
//!
//! Headers (any order): 部署, 単位作業場所, 測定日 (or 実施日), 物質; then 評価方法 (作業環境測定 /
//! CREATE-SIMPLE / その他; default 作業環境測定), 管理区分 (1–3, 第1管理区分 …; required for 作業環境測定),
//! 推定ばく露濃度, ばく露限界値, 単位, リスクレベル (I, II-A, II-B, III, IV), 備考.

use crate::checkup_csv::RowError;
use crate::table::{self, TableError};
use crate::text::{EncodingChoice, fold_value};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use serde::Serialize;

/// Header names.
pub const COLUMNS: crate::table::Aliases = &[
    ("department", &["部署", "職制", "所属", "department"]),
    ("unit", &["単位作業場所", "作業場所", "unit_workplace"]),
    ("date", &["測定日", "実施日", "評価日", "date"]),
    ("agent", &["物質", "対象物質", "化学物質", "agent"]),
    ("method", &["評価方法", "方法", "method"]),
    ("class", &["管理区分", "management_class"]),
    ("estimate", &["推定ばく露濃度", "ばく露濃度", "estimate"]),
    ("limit", &["ばく露限界値", "管理濃度", "limit"]),
    ("unit_of_measure", &["単位", "unit"]),
    ("risk", &["リスクレベル", "risk_level"]),
    ("note", &["備考", "note"]),
];

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkEnvRow {
    /// Line in the file.
    pub line: u64,
    /// Department name as written.
    pub department: String,
    /// 単位作業場所.
    pub unit_workplace: String,
    /// Date measured or assessed.
    pub date: NaiveDate,
    /// Substance.
    pub agent: String,
    /// 作業環境測定, CREATE-SIMPLE or その他.
    pub method: String,
    /// 管理区分 1–3 (作業環境測定).
    pub management_class: Option<u8>,
    /// Estimated exposure.
    pub estimate: Option<f64>,
    /// Limit it is compared with.
    pub limit: Option<f64>,
    /// Unit of the two.
    pub unit: String,
    /// CREATE-SIMPLE risk level.
    pub risk_level: Option<String>,
    /// Note.
    pub note: String,
}

/// The parsed file: rows and row errors (file, line, field, reason).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkEnvFile {
    /// Rows without errors.
    pub rows: Vec<WorkEnvRow>,
    /// Errors.
    pub errors: Vec<RowError>,
}

fn class_of(s: &str) -> Option<u8> {
    let f = fold_value(s).replace("第", "").replace("管理区分", "").replace("区分", "");
    match f.trim() {
        "1" | "Ⅰ" | "I" => Some(1),
        "2" | "Ⅱ" | "II" => Some(2),
        "3" | "Ⅲ" | "III" => Some(3),
        _ => None,
    }
}

fn risk_of(s: &str) -> Option<String> {
    let f = fold_value(s).to_uppercase().replace('Ⅰ', "I").replace('Ⅱ', "II").replace('Ⅲ', "III").replace('Ⅳ', "IV");
    let f = f.trim().to_string();
    ["I", "II-A", "II-B", "III", "IV"].contains(&f.as_str()).then_some(f)
}

/// Parses a work-environment CSV.
pub fn parse(bytes: &[u8]) -> Result<WorkEnvFile, TableError> {
    let t = table::read(bytes, EncodingChoice::Auto)?;
    let c_dep = t.required(COLUMNS, "department")?;
    let c_unit = t.required(COLUMNS, "unit")?;
    let c_date = t.required(COLUMNS, "date")?;
    let c_agent = t.required(COLUMNS, "agent")?;
    let col = |f: &str| t.column(COLUMNS, f);
    let (c_method, c_class, c_est, c_lim, c_uom, c_risk, c_note) =
        (col("method"), col("class"), col("estimate"), col("limit"), col("unit_of_measure"), col("risk"), col("note"));
    let mut out = WorkEnvFile { rows: vec![], errors: table::misshapen_errors(&t) };
    for (line, cells) in &t.rows {
        // Names as written (only trimmed: fold_value would turn the long-vowel mark ー into a
        // hyphen); numbers, classes and dates folded (full-width digits).
        let get = |c: Option<usize>| c.and_then(|c| cells.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
        let getf = |c: Option<usize>| {
            c.and_then(|c| cells.get(c)).map(|s| fold_value(s).trim().to_string()).unwrap_or_default()
        };
        let header = |c: Option<usize>| c.and_then(|c| t.header.get(c)).cloned().unwrap_or_default();
        let mut errs: Vec<RowError> = Vec::new();
        let mut err = |c: Option<usize>, reason: String| errs.push(RowError { line: *line, field: header(c), reason });
        let department = get(Some(c_dep));
        let unit_workplace = get(Some(c_unit));
        let agent = get(Some(c_agent));
        for (c, v, what) in [
            (c_dep, &department, "department"),
            (c_unit, &unit_workplace, "unit workplace"),
            (c_agent, &agent, "substance"),
        ] {
            if v.is_empty() {
                err(Some(c), format!("the {what} is required"));
            }
        }
        let date = match parse_date(&getf(Some(c_date))) {
            Ok(d) => Some(d),
            Err(e) => {
                err(Some(c_date), e.to_string());
                None
            }
        };
        let method = match getf(c_method).as_str() {
            "" | "作業環境測定" => "作業環境測定".to_string(),
            m if m.eq_ignore_ascii_case("create-simple") => "CREATE-SIMPLE".to_string(),
            m => m.to_string(),
        };
        let raw_class = getf(c_class);
        let management_class = class_of(&raw_class);
        if method == "作業環境測定" && management_class.is_none() {
            err(c_class.or(Some(c_method.unwrap_or(c_agent))), format!("管理区分 {raw_class:?}: expected 1, 2 or 3"));
        }
        let num = |c: Option<usize>| -> Result<Option<f64>, String> {
            let v = getf(c);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>().map(Some).map_err(|_| format!("{v:?} is not a number"))
        };
        let estimate = num(c_est).unwrap_or_else(|e| {
            err(c_est, e);
            None
        });
        let limit = num(c_lim).unwrap_or_else(|e| {
            err(c_lim, e);
            None
        });
        let raw_risk = getf(c_risk);
        let risk_level = if raw_risk.is_empty() {
            None
        } else {
            let r = risk_of(&raw_risk);
            if r.is_none() {
                err(c_risk, format!("リスクレベル {raw_risk:?}: expected I, II-A, II-B, III or IV"));
            }
            r
        };
        if !errs.is_empty() {
            out.errors.extend(errs);
            continue;
        }
        let Some(date) = date else { continue };
        out.rows.push(WorkEnvRow {
            line: *line,
            department,
            unit_workplace,
            date,
            agent,
            method,
            management_class,
            estimate,
            limit,
            unit: get(c_uom),
            risk_level,
            note: get(c_note),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_errors() {
        let csv = "部署,単位作業場所,測定日,物質,評価方法,管理区分,推定ばく露濃度,ばく露限界値,単位,リスクレベル\n\
                   塗装課,塗装ブースA,R7.9.10,トルエン,作業環境測定,第2管理区分,,,,\n\
                   塗装課,調合室,2025-09-10,キシレン,CREATE-SIMPLE,,12.5,50,ppm,II-A\n\
                   塗装課,塗装ブースB,2025-09-10,トルエン,作業環境測定,4,,,,\n\
                   ,洗浄室,2025-13-01,,CREATE-SIMPLE,,abc,,,V\n";
        let f = parse(csv.as_bytes()).unwrap_or_default();
        assert_eq!(f.rows.len(), 2);
        let r0 = &f.rows[0];
        assert_eq!((r0.date.to_string().as_str(), r0.management_class), ("2025-09-10", Some(2)));
        assert_eq!(f.rows[1].risk_level.as_deref(), Some("II-A"));
        assert_eq!(f.rows[1].estimate, Some(12.5));
        // Names keep the long-vowel mark.
        assert_eq!(f.rows[0].unit_workplace, "塗装ブースA");
        // Line 4: class 4; line 5: department, substance, date, number and risk level — each named.
        let fields: Vec<(u64, &str)> = f.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert!(fields.contains(&(4, "管理区分")), "{fields:?}");
        for field in ["部署", "物質", "測定日", "推定ばく露濃度", "リスクレベル"] {
            assert!(fields.contains(&(5, field)), "{field} in {fields:?}");
        }
    }

    proptest::proptest! {
        /// Any bytes after a valid header: rows or named errors, never a panic.
        #[test]
        fn never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut bytes = "部署,単位作業場所,測定日,物質,管理区分,推定ばく露濃度,リスクレベル\n".as_bytes().to_vec();
            bytes.extend(body);
            if let Ok(f) = parse(&bytes) {
                for e in &f.errors {
                    proptest::prop_assert!(!e.field.is_empty() || e.line > 0);
                }
            }
        }
    }

    #[test]
    fn a_missing_column_is_a_file_error() {
        assert!(parse("部署,測定日\n塗装課,2025-01-01\n".as_bytes()).is_err());
    }
}
