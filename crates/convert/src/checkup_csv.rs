//! Checkup CSV from institutions, read through a mapping [`Profile`] into visits with coded
//! results, keeping every original. Pure: bytes in, [`ParsedFile`] out; the import engine
//! matches identities and writes.
//!
//! Errors name the line, the column and the reason; nothing is dropped: a source item the
//! profile does not map is returned as [`Unmapped`] with its raw value.

use crate::profile::{CodeSystem, EncodingName, Layout, Parser, Profile, ProfileError, ResolvedItem};
use crate::table::fold_header;
use crate::text::{Encoding, EncodingChoice, decode, fold_value};
use crate::units::UnitTable;
use crate::value::{Comparator, Parsed, RangeFlag, parse_number, parse_urine_grade};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::event::CheckupKind;
use iphr_domain::ohcc::{ItemCode, ItemTable, ValueKind};
use iphr_domain::person::{InsurerIds, Sex};
use std::collections::HashMap;

/// Who a visit is about, as the file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// 社員番号 (width-folded).
    pub employee_number: Option<String>,
    /// 姓.
    pub family_name: Option<String>,
    /// 名.
    pub given_name: Option<String>,
    /// Kana (as written).
    pub kana: Option<String>,
    /// 生年月日.
    pub birth_date: Option<NaiveDate>,
    /// 性別.
    pub sex: Option<Sex>,
    /// Insurer identifiers.
    pub insurer: InsurerIds,
}

/// A result value after parsing and unit conversion.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultValue {
    /// A number in the OHCC unit.
    Number {
        /// Value.
        value: f64,
        /// OHCC unit.
        unit: String,
        /// `<`, `>=` …
        comparator: Option<Comparator>,
        /// H/L mark of the institution.
        flag: Option<RangeFlag>,
    },
    /// Only H or L: beyond the input range.
    FlagOnly(RangeFlag),
    /// A code of the item's value set.
    Code(String),
    /// Text.
    Text(String),
    /// 未実施.
    NotDone,
    /// 未測定 / 測定不能.
    NotMeasured,
}

/// One result of a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    /// Source line.
    pub line: u64,
    /// Source column (header text) or item code column.
    pub column: String,
    /// OHCC item.
    pub item: ItemCode,
    /// The code as the source names it.
    pub source_code: String,
    /// The item name as the source writes it.
    pub source_text: String,
    /// The cell as written.
    pub raw: String,
    /// The unit as written (long layout) or as the profile says.
    pub source_unit: Option<String>,
    /// The value.
    pub value: ResultValue,
    /// A note (e.g. a folded urine grade).
    pub warning: Option<String>,
}

/// One visit: an examinee on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// First source line of the visit.
    pub line: u64,
    /// Identity.
    pub identity: Identity,
    /// 受診日.
    pub date: NaiveDate,
    /// Kind.
    pub kind: CheckupKind,
    /// Results.
    pub results: Vec<ItemResult>,
}

/// A source item with no mapping: kept raw for the unmapped-items queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// Source line.
    pub line: u64,
    /// Who the row is about.
    pub identity: Identity,
    /// The visit date, when readable.
    pub date: Option<NaiveDate>,
    /// Source code.
    pub source_code: String,
    /// Source name.
    pub source_text: String,
    /// Value as written.
    pub raw: String,
    /// Unit as written.
    pub unit: Option<String>,
}

/// An error in a row, naming the line and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Source line.
    pub line: u64,
    /// Column / field.
    pub field: String,
    /// Reason.
    pub reason: String,
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Encoding.
    #[error("{0}")]
    Decode(#[from] crate::text::DecodeError),
    /// The profile does not fit the OHCC table.
    #[error("{0}")]
    Profile(#[from] ProfileError),
    /// A column the profile names is not in the header.
    #[error("line {line}: column {column:?} named in the profile ({field}) is not in the header")]
    MissingColumn {
        /// Header line.
        line: u64,
        /// Column.
        column: String,
        /// Profile field.
        field: String,
    },
    /// CSV structure.
    #[error("line {line}: {reason}")]
    Csv {
        /// Line.
        line: u64,
        /// Reason.
        reason: String,
    },
    /// No header.
    #[error("the file has no header line")]
    NoHeader,
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// Encoding read.
    pub encoding: Encoding,
    /// Data rows read.
    pub rows_read: usize,
    /// Visits.
    pub visits: Vec<Visit>,
    /// Row errors.
    pub errors: Vec<RowError>,
    /// Unmapped source items.
    pub unmapped: Vec<Unmapped>,
}

struct Columns {
    by_name: HashMap<String, usize>,
    line: u64,
}

impl Columns {
    fn find(&self, spec: &str, field: &str) -> Result<usize, FileError> {
        let missing = || FileError::MissingColumn { line: self.line, column: spec.into(), field: field.into() };
        if let Some(n) = spec.strip_prefix('@') {
            return n.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).ok_or_else(missing);
        }
        self.by_name.get(&fold_header(spec)).copied().ok_or_else(missing)
    }
    fn opt(&self, spec: &Option<String>, field: &str) -> Result<Option<usize>, FileError> {
        spec.as_deref().map(|s| self.find(s, field)).transpose()
    }
}

fn cell(rec: &csv::StringRecord, i: Option<usize>) -> Option<String> {
    i.and_then(|i| rec.get(i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_sex(raw: &str, map: &std::collections::BTreeMap<String, String>) -> Option<Sex> {
    let f = fold_value(raw);
    let v = map.get(&f).map(String::as_str).unwrap_or(f.as_str());
    v.parse::<Sex>().ok()
}

/// Converts one cell to a result through its item's parser.
pub fn convert_cell(
    table: &ItemTable,
    units: &UnitTable,
    r: &ResolvedItem,
    raw: &str,
    source_unit: Option<&str>,
    flag_cell: Option<&str>,
) -> Result<Option<(ResultValue, Option<String>)>, String> {
    let def = table.get(&r.item).ok_or_else(|| format!("{} is not in the OHCC table", r.item))?;
    let extra_flag = match flag_cell.map(fold_value).as_deref() {
        Some("H") | Some("h") => Some(RangeFlag::High),
        Some("L") | Some("l") => Some(RangeFlag::Low),
        _ => None,
    };
    let parser = match (r.spec.parser, def.value_kind) {
        (Parser::Number, ValueKind::Coded) => Parser::Coded,
        (p, _) => p,
    };
    let common = |p: Parsed| match p {
        Parsed::Blank => Ok(None),
        Parsed::NotDone => Ok(Some((ResultValue::NotDone, None))),
        Parsed::NotMeasured => Ok(Some((ResultValue::NotMeasured, None))),
        Parsed::FlagOnly(f) => Ok(Some((ResultValue::FlagOnly(f), None))),
        _ => Err(()),
    };
    match parser {
        Parser::Number => {
            let p = parse_number(raw).map_err(|e| e.to_string())?;
            if let Ok(done) = common(p.clone()) {
                return Ok(done);
            }
            let Parsed::Number { value, comparator, flag } = p else { return Err(format!("{raw:?} is not a number")) };
            let from = source_unit.or(r.spec.unit.as_deref()).unwrap_or(def.unit.as_str());
            let value = units.convert(r.item.as_str(), value, from, &def.unit).map_err(|e| e.to_string())?;
            Ok(Some((
                ResultValue::Number { value, unit: def.unit.clone(), comparator, flag: flag.or(extra_flag) },
                None,
            )))
        }
        Parser::Grade => {
            let p = parse_urine_grade(raw).map_err(|e| e.to_string())?;
            if let Ok(done) = common(p.clone()) {
                return Ok(done);
            }
            match p {
                Parsed::Grade { code, warning } => Ok(Some((ResultValue::Code(code.to_string()), warning))),
                _ => Err(format!("{raw:?} is not a urine grade")),
            }
        }
        Parser::Coded => {
            let f = fold_value(raw);
            match f.as_str() {
                "" => return Ok(None),
                "未実施" => return Ok(Some((ResultValue::NotDone, None))),
                "未測定" | "測定不能" => return Ok(Some((ResultValue::NotMeasured, None))),
                _ => {}
            }
            let code = r.spec.values.get(&f).cloned().unwrap_or(f.clone());
            if table.value_label(&r.item, &code).is_none() {
                return Err(format!(
                    "{raw:?} is not a value of {} ({}) and the profile maps no such value",
                    r.item, def.name_ja
                ));
            }
            Ok(Some((ResultValue::Code(code), None)))
        }
        Parser::Text => Ok(Some((ResultValue::Text(raw.trim().to_string()), None))),
    }
}

/// Reads a checkup CSV through a profile.
pub fn parse(
    bytes: &[u8],
    profile: &Profile,
    origin: &str,
    table: &ItemTable,
    units: &UnitTable,
) -> Result<ParsedFile, FileError> {
    let choice = match profile.encoding {
        EncodingName::Auto => EncodingChoice::Auto,
        EncodingName::Utf8 => EncodingChoice::Utf8,
        EncodingName::Cp932 => EncodingChoice::Cp932,
    };
    let (text, encoding) = decode(bytes, choice)?;
    let resolved = profile.resolve_items(origin, table)?;
    let mut rb = csv::ReaderBuilder::new();
    rb.has_headers(false).flexible(true).delimiter(u8::try_from(profile.delimiter).unwrap_or(b','));
    let lines = crate::table::LineIndex::new(&text);
    let line_at = |pos: Option<&csv::Position>| lines.line(pos);
    let mut rdr = rb.from_reader(text.as_bytes());
    let mut records = rdr.records();
    let csv_err = |e: csv::Error| FileError::Csv { line: line_at(e.position()), reason: e.to_string() };
    for _ in 0..profile.skip_lines {
        records.next().transpose().map_err(csv_err)?;
    }
    let header = records.next().transpose().map_err(csv_err)?.ok_or(FileError::NoHeader)?;
    let cols = Columns {
        // The first of two equal headers wins.
        by_name: header
            .iter()
            .enumerate()
            .map(|(i, h)| (fold_header(h), i))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect(),
        line: line_at(header.position()),
    };
    let id = &profile.identity;
    let ic = (
        cols.opt(&id.employee_number, "identity.employee_number")?,
        cols.opt(&id.name, "identity.name")?,
        cols.opt(&id.family_name, "identity.family_name")?,
        cols.opt(&id.given_name, "identity.given_name")?,
        cols.opt(&id.kana, "identity.kana")?,
        cols.opt(&id.birth_date, "identity.birth_date")?,
        cols.opt(&id.sex, "identity.sex")?,
        cols.opt(&id.insurer_number, "identity.insurer_number")?,
        cols.opt(&id.insured_symbol, "identity.insured_symbol")?,
        cols.opt(&id.insured_number, "identity.insured_number")?,
    );
    let date_col = cols.find(&profile.event.date, "event.date")?;
    let kind_col = cols.opt(&profile.event.kind_column, "event.kind_column")?;
    let default_kind = CheckupKind::parse(&profile.checkup_kind).unwrap_or(CheckupKind::Periodic);
    // Wide: the column of every item (and of its H/L column).
    let mut wide = Vec::new();
    if profile.layout == Layout::Wide {
        for (i, r) in resolved.iter().enumerate() {
            let c = cols.find(r.spec.column.as_deref().unwrap_or(""), &format!("items[{i}].column"))?;
            let fc = cols.opt(&r.spec.flag_column, &format!("items[{i}].flag_column"))?;
            wide.push((r, c, fc));
        }
    }
    let long = match (&profile.layout, &profile.long) {
        (Layout::Long, Some(l)) => Some((
            l,
            cols.find(&l.code, "long.code")?,
            cols.opt(&l.name, "long.name")?,
            cols.find(&l.value, "long.value")?,
            cols.opt(&l.unit, "long.unit")?,
            cols.opt(&l.flag, "long.flag")?,
        )),
        _ => None,
    };
    let local: HashMap<&str, &ResolvedItem> = match &profile.long {
        Some(l) => l.local.keys().map(String::as_str).zip(resolved.iter()).collect(),
        None => HashMap::new(),
    };

    let mut out = ParsedFile { encoding, rows_read: 0, visits: Vec::new(), errors: Vec::new(), unmapped: Vec::new() };
    // Long layout: visits keyed by identity and date, in order of first appearance.
    let mut visit_index: HashMap<(String, NaiveDate), usize> = HashMap::new();
    for rec in records {
        let rec = rec.map_err(csv_err)?;
        let line = line_at(rec.position());
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // Comment lines after the header (e.g. CC2X's third header line of Japanese names).
        if let Some(prefix) = profile.comment_prefix.as_deref().filter(|p| !p.is_empty()) {
            if rec.get(0).is_some_and(|c| c.starts_with(prefix)) {
                continue;
            }
        }
        out.rows_read += 1;
        let mut row_errors = Vec::new();
        let mut field_err =
            |field: &str, reason: String| row_errors.push(RowError { line, field: field.into(), reason });
        // Identity.
        let (family, given) = match (cell(&rec, ic.2), cell(&rec, ic.3), cell(&rec, ic.1)) {
            (Some(f), g, _) => (Some(f), g),
            (None, _, Some(full)) => {
                let full = full.replace('\u{3000}', " ");
                match full.split_once(' ') {
                    Some((f, g)) => (Some(f.trim().to_string()), Some(g.trim().to_string())),
                    None => (Some(full), None),
                }
            }
            _ => (None, None),
        };
        let birth_date = match cell(&rec, ic.5) {
            Some(b) => match parse_date(&b) {
                Ok(d) => Some(d),
                Err(e) => {
                    field_err(id.birth_date.as_deref().unwrap_or("birth_date"), e.to_string());
                    None
                }
            },
            None => None,
        };
        let sex = match cell(&rec, ic.6) {
            Some(s) => {
                let v = parse_sex(&s, &id.sex_values);
                if v.is_none() {
                    field_err(id.sex.as_deref().unwrap_or("sex"), format!("{s:?} is not a sex (1/2, 男/女, M/F)"));
                }
                v
            }
            None => None,
        };
        let identity = Identity {
            employee_number: cell(&rec, ic.0).map(|e| fold_value(&e)),
            family_name: family,
            given_name: given,
            kana: cell(&rec, ic.4),
            birth_date,
            sex,
            insurer: InsurerIds {
                insurer_number: cell(&rec, ic.7).map(|v| fold_value(&v)),
                symbol: cell(&rec, ic.8),
                number: cell(&rec, ic.9).map(|v| fold_value(&v)),
            },
        };
        if identity.employee_number.is_none() && (identity.kana.is_none() || identity.birth_date.is_none()) {
            field_err("identity", "neither an employee number nor kana and birth date".into());
        }
        let date = match cell(&rec, Some(date_col)).map(|d| parse_date(&d)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                field_err(&profile.event.date, e.to_string());
                None
            }
            None => {
                field_err(&profile.event.date, "empty".into());
                None
            }
        };
        let kind = match cell(&rec, kind_col) {
            Some(k) => match profile.event.kind_values.get(&fold_value(&k)).and_then(|v| CheckupKind::parse(v)) {
                Some(k) => k,
                None => {
                    field_err(
                        profile.event.kind_column.as_deref().unwrap_or("kind"),
                        format!("{k:?} is not a mapped checkup kind"),
                    );
                    default_kind
                }
            },
            None => default_kind,
        };
        let mut results = Vec::new();
        if let Some((l, code_c, name_c, value_c, unit_c, flag_c)) = &long {
            let code = cell(&rec, Some(*code_c)).unwrap_or_default();
            let name = cell(&rec, *name_c).unwrap_or_default();
            let raw = rec.get(*value_c).unwrap_or("").trim().to_string();
            let unit = cell(&rec, *unit_c);
            let item: Option<ResolvedItem> = match l.code_system {
                CodeSystem::Local => local.get(code.as_str()).map(|r| (*r).clone()),
                CodeSystem::Jlac10 => table.by_jlac10(&code).map(|d| ResolvedItem {
                    item: d.item.clone(),
                    source_code: code.clone(),
                    spec: crate::profile::ItemSpec {
                        column: None,
                        ohcc: None,
                        jlac10: Some(code.clone()),
                        unit: None,
                        parser: default_parser(d.value_kind, &d.item),
                        values: Default::default(),
                        flag_column: None,
                    },
                }),
                CodeSystem::Ohcc => table.get_str(&code).map(|d| ResolvedItem {
                    item: d.item.clone(),
                    source_code: code.clone(),
                    spec: crate::profile::ItemSpec {
                        column: None,
                        ohcc: Some(code.clone()),
                        jlac10: None,
                        unit: None,
                        parser: default_parser(d.value_kind, &d.item),
                        values: Default::default(),
                        flag_column: None,
                    },
                }),
            };
            match item {
                None => out.unmapped.push(Unmapped {
                    line,
                    identity: identity.clone(),
                    date,
                    source_code: code,
                    source_text: name,
                    raw,
                    unit,
                }),
                Some(r) => {
                    match convert_cell(table, units, &r, &raw, unit.as_deref(), cell(&rec, *flag_c).as_deref()) {
                        Ok(Some((value, warning))) => results.push(ItemResult {
                            line,
                            column: l.value.clone(),
                            item: r.item.clone(),
                            source_code: r.source_code.clone(),
                            source_text: name,
                            raw,
                            source_unit: unit,
                            value,
                            warning,
                        }),
                        Ok(None) => {}
                        Err(reason) => field_err(&format!("{} ({code})", l.value), reason),
                    }
                }
            }
        } else {
            for (r, c, fc) in &wide {
                let raw = rec.get(*c).unwrap_or("").trim().to_string();
                let column = r.spec.column.clone().unwrap_or_default();
                match convert_cell(table, units, r, &raw, None, cell(&rec, *fc).as_deref()) {
                    Ok(Some((value, warning))) => results.push(ItemResult {
                        line,
                        column: column.clone(),
                        item: r.item.clone(),
                        source_code: r.source_code.clone(),
                        source_text: header.get(*c).unwrap_or("").trim().to_string(),
                        raw,
                        source_unit: r.spec.unit.clone(),
                        value,
                        warning,
                    }),
                    Ok(None) => {}
                    Err(reason) => field_err(&column, reason),
                }
            }
        }
        let has_errors = !row_errors.is_empty();
        out.errors.extend(row_errors);
        // A row with an error is skipped whole (and reported); the engine refuses the file
        // unless partial imports are allowed.
        let Some(date) = date else { continue };
        if has_errors {
            continue;
        }
        let key = (
            identity
                .employee_number
                .clone()
                .unwrap_or_else(|| format!("{}|{:?}", identity.kana.clone().unwrap_or_default(), identity.birth_date)),
            date,
        );
        match (profile.layout, visit_index.get(&key)) {
            (Layout::Long, Some(&i)) => {
                if let Some(v) = out.visits.get_mut(i) {
                    v.results.extend(results);
                }
            }
            _ => {
                visit_index.insert(key, out.visits.len());
                out.visits.push(Visit { line, identity, date, kind, results });
            }
        }
    }
    Ok(out)
}

/// The parser an item takes when the profile does not say.
pub fn default_parser(kind: ValueKind, item: &ItemCode) -> Parser {
    match kind {
        ValueKind::Number => Parser::Number,
        ValueKind::Text | ValueKind::Document => Parser::Text,
        // Urine dipstick items take grades.
        ValueKind::Coded if item.core().starts_with("Ak") => Parser::Grade,
        ValueKind::Coded => Parser::Coded,
    }
}
