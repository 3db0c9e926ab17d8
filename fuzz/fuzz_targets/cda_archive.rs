//! An MHLW CDA ZIP archive (index, DATA/h….xml): any bytes read into records or end in an error,
//! zip bombs included.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::cda::is_zip(data);
    let _ = iphr_convert::cda::parse_archive(data, &common::ITEMS, &common::UNITS);
});
