//! 和暦 and western dates: any text parses or is an error; a parsed date written back in 和暦
//! reads as the same date.

#![no_main]

use iphr_convert::wareki::{parse_date, to_wareki};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(date) = parse_date(text)
        && let Some(w) = to_wareki(date)
    {
        match parse_date(&w) {
            Ok(again) => assert_eq!(again, date, "{text:?} -> {date} -> {w:?} -> {again}"),
            Err(e) => panic!("{text:?} -> {date} -> {w:?} does not read back: {e}"),
        }
    }
});
