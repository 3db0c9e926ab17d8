//! The HR master CSV, planned against an empty company (its parsing is only reachable through the
//! planner).

#![no_main]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_store::HrState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let company = CompanyId(uuid::Uuid::nil());
    let Some(as_of) = NaiveDate::from_ymd_opt(2025, 4, 1) else { return };
    let _ = iphr_convert::hr::plan(data, "fuzz.csv", company, &HrState::default(), as_of);
});
