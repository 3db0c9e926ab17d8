//! One MHLW CDA document (特定健診情報ファイル): any bytes read into records or end in an error.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::cda::parse(data, &common::ITEMS, &common::UNITS);
});
