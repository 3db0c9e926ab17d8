//! Attendance CSV (daily or monthly hours): any bytes read or end in an error.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::attendance::parse(data);
});
