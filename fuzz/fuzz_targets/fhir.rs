//! A JP-CLINS / eCheckup FHIR document Bundle: any bytes read into records or end in an error.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::fhir::parse(data, &common::ITEMS, &common::UNITS);
});
