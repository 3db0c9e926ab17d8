//! Stress-check answers CSV (57 items): any bytes read or end in an error.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::stress_csv::parse(data);
});
