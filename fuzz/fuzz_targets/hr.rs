//! The HR master CSV: read, then planned against an empty company.

#![no_main]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_store::HrState;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let company = CompanyId(uuid::Uuid::nil());
    let Some(as_of) = NaiveDate::from_ymd_opt(2025, 4, 1) else { return };
    if let Ok(parsed) = iphr_convert::hr::parse(data) {
        let _ = iphr_import::hr_plan::plan(&parsed, "fuzz.csv", company, &HrState::default(), as_of);
    }
});
