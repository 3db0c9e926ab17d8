//! Work-environment measurement CSV: any bytes read or end in an error.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = iphr_convert::work_env::parse(data);
});
