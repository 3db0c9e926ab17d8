//! The columns a profile reads: identity, the wide layout's one column per item, the long layout's
//! item and value columns; and a cell's value with its unit conversion.

use super::*;

pub(super) struct Columns {
    /// Folded header text → column; with several header lines, each line's text and the texts
    /// joined with `/`.
    pub(super) by_name: HashMap<String, usize>,
    /// Names that fit two columns (several header lines only): (first, second).
    pub(super) ambiguous: HashMap<String, (usize, usize)>,
    /// Number of header cells.
    pub(super) width: usize,
    pub(super) line: u64,
}

impl Columns {
    /// The columns of a header of one or more lines. One line: the first of two equal headers
    /// wins (as before several lines existed). Several lines: a name that fits two columns is
    /// ambiguous and refused when a profile uses it.
    pub(super) fn new(rows: &[csv::StringRecord], line: u64) -> Self {
        let width = rows.iter().map(csv::StringRecord::len).max().unwrap_or(0);
        let mut by_name = HashMap::new();
        let mut ambiguous = HashMap::new();
        for i in 0..width {
            let texts: Vec<String> =
                rows.iter().filter_map(|r| r.get(i)).map(fold_header).filter(|t| !t.is_empty()).collect();
            let mut keys = texts.clone();
            if texts.len() > 1 {
                keys.push(texts.join("/"));
            }
            keys.dedup();
            for k in keys {
                match by_name.get(&k) {
                    None => {
                        by_name.insert(k, i);
                    }
                    Some(&first) if rows.len() > 1 && first != i => {
                        ambiguous.entry(k).or_insert((first, i));
                    }
                    Some(_) => {}
                }
            }
        }
        Self { by_name, ambiguous, width, line }
    }

    pub(super) fn find(&self, spec: &str, field: &str) -> Result<usize, FileError> {
        let missing = || FileError::MissingColumn { line: self.line, column: spec.into(), field: field.into() };
        if spec.starts_with('@') {
            return column_position(spec).filter(|&n| n < self.width).ok_or_else(missing);
        }
        let key = fold_header(spec);
        if let Some(&(a, b)) = self.ambiguous.get(&key) {
            return Err(FileError::Csv {
                line: self.line,
                reason: format!(
                    "column {spec:?} named in the profile ({field}) fits columns {} and {} of the header: name it by \
                     its header lines joined with \"/\" or by position",
                    a + 1,
                    b + 1
                ),
            });
        }
        self.by_name.get(&key).copied().ok_or_else(missing)
    }
    pub(super) fn opt(&self, spec: &Option<String>, field: &str) -> Result<Option<usize>, FileError> {
        spec.as_deref().map(|s| self.find(s, field)).transpose()
    }
}

pub(super) fn cell(rec: &csv::StringRecord, i: Option<usize>) -> Option<String> {
    i.and_then(|i| rec.get(i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

pub(super) fn parse_sex(raw: &str, map: &std::collections::BTreeMap<String, String>) -> Option<Sex> {
    let f = fold_value(raw);
    let v = map.get(&f).map(String::as_str).unwrap_or(f.as_str());
    v.parse::<Sex>().ok()
}

/// How a column's numbers reach the OHCC unit, decided once per file.
#[derive(Debug, Clone)]
pub(super) enum UnitStep {
    /// Already in the OHCC unit.
    Same,
    /// Multiply (the table's row has no offset); with k when the factor is 10ᵏ.
    Factor(f64, Option<i32>),
    /// Through the table for every value (a row with an offset).
    Table(String),
    /// No conversion exists: every number of the column is an error with this reason.
    Refused(String),
}

/// A wide profile's result column, with everything that is the same for every row.
pub(super) struct WideColumn<'p> {
    pub(super) resolved: ResolvedItem,
    pub(super) def: &'p iphr_domain::ohcc::ItemDef,
    pub(super) parser: Parser,
    pub(super) col: usize,
    pub(super) flag_col: Option<usize>,
    pub(super) column: Arc<str>,
    pub(super) source_text: Arc<str>,
    /// The source code and unit of every cell of the column, shared.
    pub(super) source_code: Arc<str>,
    pub(super) source_unit: Option<Arc<str>>,
    /// The OHCC unit of the item.
    pub(super) unit: Arc<str>,
    pub(super) unit_step: UnitStep,
}

impl WideColumn<'_> {
    /// [`convert_cell`] for this column, with the per-file work done once and plain ASCII
    /// numbers read without allocating.
    pub(super) fn convert(
        &self,
        table: &ItemTable,
        units: &UnitTable,
        raw: &str,
        flag_cell: Option<&str>,
    ) -> Result<Option<(ResultValue, Option<String>)>, String> {
        if self.parser != Parser::Number {
            return convert_cell(table, units, &self.resolved, raw, None, flag_cell);
        }
        let p = match fast_number(raw) {
            Some(p) => p,
            None => parse_number(raw).map_err(|e| e.to_string())?,
        };
        let (value, comparator, flag, scale) = match p {
            Parsed::Blank => return Ok(None),
            Parsed::NotDone => return Ok(Some((ResultValue::NotDone, None))),
            Parsed::NotMeasured => return Ok(Some((ResultValue::NotMeasured, None))),
            Parsed::FlagOnly(f) => return Ok(Some((ResultValue::FlagOnly(f), None))),
            Parsed::Number { value, comparator, flag, scale } => (value, comparator, flag, scale),
            Parsed::Grade { .. } => return Err(format!("{raw:?} is not a number")),
        };
        let extra_flag = match flag_cell {
            Some(f) if f.is_ascii() => match f {
                "H" | "h" => Some(RangeFlag::High),
                "L" | "l" => Some(RangeFlag::Low),
                _ => None,
            },
            Some(f) => match fold_value(f).as_str() {
                "H" | "h" => Some(RangeFlag::High),
                "L" | "l" => Some(RangeFlag::Low),
                _ => None,
            },
            None => None,
        };
        let (value, scale) = match &self.unit_step {
            UnitStep::Same => (value, scale),
            UnitStep::Factor(f, pow10) => crate::units::scaled(value * f, scale, *pow10),
            UnitStep::Table(from) => units
                .convert_scaled(self.resolved.item.as_str(), value, scale, from, &self.def.unit)
                .map_err(|e| e.to_string())?,
            UnitStep::Refused(reason) => return Err(reason.clone()),
        };
        Ok(Some((
            ResultValue::Number { value, unit: self.unit.clone(), comparator, flag: flag.or(extra_flag), scale },
            None,
        )))
    }
}

/// Identity and visit columns.
pub(super) struct IdentityCols {
    pub(super) employee_number: Option<usize>,
    pub(super) name: Option<usize>,
    pub(super) family_name: Option<usize>,
    pub(super) given_name: Option<usize>,
    pub(super) kana: Option<usize>,
    pub(super) birth_date: Option<usize>,
    pub(super) sex: Option<usize>,
    pub(super) insurer_number: Option<usize>,
    pub(super) insured_symbol: Option<usize>,
    pub(super) insured_number: Option<usize>,
}

/// The long layout's columns.
pub(super) struct LongCols<'p> {
    pub(super) spec: &'p crate::profile::LongColumns,
    pub(super) code: usize,
    pub(super) name: Option<usize>,
    pub(super) value: usize,
    pub(super) unit: Option<usize>,
    pub(super) flag: Option<usize>,
}

/// How numbers of `item` in `from` reach `to`, decided once: the conversion table's rows are
/// `value × factor + offset`, so a row without offset is a plain factor (checked on 0 and 1).
pub(super) fn unit_step(units: &UnitTable, item: &str, from: &str, to: &str) -> UnitStep {
    if from == to {
        return UnitStep::Same;
    }
    match (units.convert(item, 0.0, from, to), units.convert(item, 1.0, from, to)) {
        (Ok(0.0), Ok(one)) => UnitStep::Factor(one, crate::units::power_of_ten(one)),
        (Ok(_), Ok(_)) => UnitStep::Table(from.to_string()),
        (Err(e), _) | (_, Err(e)) => UnitStep::Refused(e.to_string()),
    }
}

/// [`parse_number`] for the common case — ASCII without spaces or `*` — without allocating;
/// `None` sends every other text (and every error, for its message) to [`parse_number`].
pub(super) fn fast_number(s: &str) -> Option<Parsed> {
    if !s.is_ascii() || s.bytes().any(|b| char::from(b).is_whitespace() || b == b'*') {
        return None;
    }
    if s.is_empty() {
        return Some(Parsed::Blank);
    }
    let mut s = s;
    let mut flag = None;
    for (mark, fl) in [("H", RangeFlag::High), ("L", RangeFlag::Low), ("h", RangeFlag::High), ("l", RangeFlag::Low)] {
        if s == mark {
            return Some(Parsed::FlagOnly(fl));
        }
        if let Some(rest) = s.strip_suffix(mark).or_else(|| s.strip_prefix(mark)) {
            flag = Some(fl);
            s = rest;
            break;
        }
    }
    let mut comparator = None;
    for (pre, c) in [("<=", Comparator::Le), (">=", Comparator::Ge), ("<", Comparator::Lt), (">", Comparator::Gt)] {
        if let Some(rest) = s.strip_prefix(pre) {
            comparator = Some(c);
            s = rest;
            break;
        }
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
        return None;
    }
    let value = s.parse::<f64>().ok().filter(|v| v.is_finite())?;
    // The digits after the point (the text is digits, a sign and a point: checked above).
    let scale = s.bytes().position(|b| b == b'.').map_or(0, |i| s.len() - i - 1);
    Some(Parsed::Number { value, comparator, flag, scale: u8::try_from(scale).ok() })
}
