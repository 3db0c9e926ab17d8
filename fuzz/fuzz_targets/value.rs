//! Result values: numbers with comparators and H/L marks, urine grades, 未実施; and a cell through
//! the full conversion of a checkup item (parser, value set, unit conversion). The first byte picks
//! the item, the parser and the source unit; the rest is the cell (a `\t` splits off an H/L cell).

#![no_main]

mod common;

use iphr_convert::checkup_csv::convert_cell;
use iphr_convert::profile::{ItemSpec, Parser, resolve};
use iphr_convert::value::{parse_number, parse_urine_grade};
use libfuzzer_sys::fuzz_target;

/// Items of every value kind (number, urine grade, coded, text), some with a unit that converts.
const ITEMS: [(&str, Option<&str>); 8] = [
    ("Ac0010000Z", None),
    ("Am0010000Z", Some("umol/L")),
    ("Ak0010000Z", None),
    ("Ai0010000Z", Some("mmol/L")),
    ("Ag0020000Z", Some("10*3/uL")),
    ("Af0010001A", Some("mmHg")),
    ("Ae0010000Z", None),
    ("Ae0020000Z", None),
];
const PARSERS: [Parser; 4] = [Parser::Number, Parser::Grade, Parser::Coded, Parser::Text];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let _ = parse_number(text);
    let _ = parse_urine_grade(text);
    let (cell, flag) = match text.split_once('\t') {
        Some((c, f)) => (c, Some(f)),
        None => (text, None),
    };
    let Some(&(item, unit)) = ITEMS.get(usize::from(selector & 7)) else { return };
    let Some(&parser) = PARSERS.get(usize::from((selector >> 3) & 3)) else { return };
    let spec = ItemSpec {
        column: None,
        ohcc: Some(item.into()),
        jlac10: None,
        unit: unit.map(str::to_string),
        parser: Some(parser),
        values: [("陽性".to_string(), "2".to_string())].into_iter().collect(),
        flag_column: None,
    };
    let Ok(resolved) = resolve("fuzz", "item", &spec, &common::ITEMS) else { return };
    let source_unit = if selector & 0x20 != 0 { unit } else { None };
    let _ = convert_cell(&common::ITEMS, &common::UNITS, &resolved, cell, source_unit, flag);
});
