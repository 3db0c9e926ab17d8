//! Checkup CSV from institutions, read through a mapping [`Profile`] into visits with coded
//! results, keeping every original. Pure: bytes in, [`ParsedFile`] out; the import engine
//! matches identities and writes.
//!
//! Errors name the line, the column and the reason; nothing is dropped: a source item the
//! profile does not map is returned as [`Unmapped`] with its raw value.

mod columns;
mod model;
mod stream;

pub use crate::table::RowError;
pub use model::*;
pub use stream::{Chunk, CsvStream};

use crate::profile::{CodeSystem, EncodingName, Layout, Parser, Profile, ProfileError, ResolvedItem, column_position};
use crate::table::fold_header;
use crate::text::{Encoding, EncodingChoice, detect, fold_value};
use crate::units::UnitTable;
use crate::value::{Comparator, Parsed, RangeFlag, parse_number, parse_urine_grade};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::event::CheckupKind;
use iphr_domain::ohcc::{ItemCode, ItemTable, ValueKind};
use iphr_domain::person::{InsurerIds, Sex};
use std::collections::HashMap;
use std::sync::Arc;

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
    let parser = effective_parser(r.spec.parser, def);
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
            let Parsed::Number { value, comparator, flag, scale } = p else {
                return Err(format!("{raw:?} is not a number"));
            };
            let from = source_unit.or(r.spec.unit.as_deref()).unwrap_or(def.unit.as_str());
            let (value, scale) =
                units.convert_scaled(r.item.as_str(), value, scale, from, &def.unit).map_err(|e| e.to_string())?;
            Ok(Some((
                ResultValue::Number {
                    value,
                    unit: def.unit.as_str().into(),
                    comparator,
                    flag: flag.or(extra_flag),
                    scale,
                },
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
        // A blank cell gives no result, for text as for every other parser.
        Parser::Text => Ok(non_blank(raw).map(|t| (ResultValue::Text(t.to_string()), None))),
    }
}

/// The text of a cell, `None` when blank (white space, full-width spaces included).
pub fn non_blank(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|t| !t.is_empty())
}

/// Reads a checkup CSV through a profile (the whole file at once; [`CsvStream`] reads it in
/// chunks).
pub fn parse(
    bytes: &[u8],
    profile: &Profile,
    origin: &str,
    table: &ItemTable,
    units: &UnitTable,
) -> Result<ParsedFile, FileError> {
    let encoding = detect(bytes, encoding_choice(profile));
    let mut stream = CsvStream::new(bytes, encoding, profile, origin, table, units)?;
    let mut out = ParsedFile { encoding, rows_read: 0, visits: Vec::new(), errors: Vec::new(), unmapped: Vec::new() };
    while let Some(chunk) = stream.next_chunk(usize::MAX)? {
        out.rows_read += chunk.rows_read;
        out.visits.extend(chunk.visits);
        out.errors.extend(chunk.errors);
        out.unmapped.extend(chunk.unmapped);
    }
    Ok(out)
}

/// The encoding choice a profile makes.
pub fn encoding_choice(profile: &Profile) -> EncodingChoice {
    match profile.encoding {
        EncodingName::Auto => EncodingChoice::Auto,
        EncodingName::Utf8 => EncodingChoice::Utf8,
        EncodingName::Cp932 => EncodingChoice::Cp932,
    }
}

/// The parser of a cell: the profile's, except that `number` on an item whose values are not
/// numbers (coded or text in the OHCC table) reads them with the item's own parser; none given,
/// the item's own.
pub fn effective_parser(given: Option<Parser>, def: &iphr_domain::ohcc::ItemDef) -> Parser {
    match given {
        Some(Parser::Number) if def.value_kind != ValueKind::Number => default_parser(def.value_kind, &def.item),
        Some(p) => p,
        None => default_parser(def.value_kind, &def.item),
    }
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
