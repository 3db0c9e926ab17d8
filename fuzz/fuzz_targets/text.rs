//! Encoding detection and decoding (UTF-8 with or without BOM, CP932), width folding, and the
//! generic header-addressed table reader every CSV source shares.

#![no_main]

use iphr_convert::table;
use iphr_convert::text::{EncodingChoice, decode, fold_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for choice in [EncodingChoice::Auto, EncodingChoice::Utf8, EncodingChoice::Cp932] {
        if let Ok((text, _)) = decode(data, choice) {
            let _ = fold_value(&text);
            let _ = table::fold_header(&text);
        }
        if let Ok(t) = table::read(data, choice) {
            let _ = t.column(iphr_convert::hr::COLUMNS, "employee_number");
        }
    }
});
