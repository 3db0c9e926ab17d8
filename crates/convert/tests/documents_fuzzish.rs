//! The document readers (CDA XML, FHIR JSON, HR, attendance, stress answers) never panic on
//! arbitrary or truncated input: they read it or return an error.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use iphr_convert::units::UnitTable;
use iphr_domain::ohcc::ItemTable;
use proptest::prelude::*;
use std::path::PathBuf;

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(p)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn readers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), cut in 0usize..30_000) {
        let t = ItemTable::embedded().unwrap();
        let u = UnitTable::embedded().unwrap();
        let _ = iphr_convert::cda::parse(&bytes, &t, &u);
        let _ = iphr_convert::fhir::parse(&bytes, &t, &u);
        let _ = iphr_convert::attendance::parse(&bytes);
        let _ = iphr_convert::stress_csv::parse(&bytes);
        for (p, which) in [("cda/example-tokuteikenshin.xml", 0), ("fhir/Bundle-Bundle-eCheckupReport-Sample-01.json", 1), ("attendance/attendance-daily.csv", 2), ("stress/stress-answers.csv", 3)] {
            let mut real = fixture(p);
            real.truncate(cut.min(real.len()));
            real.extend_from_slice(&bytes);
            match which {
                0 => { let _ = iphr_convert::cda::parse(&real, &t, &u); }
                1 => { let _ = iphr_convert::fhir::parse(&real, &t, &u); }
                2 => { let _ = iphr_convert::attendance::parse(&real); }
                _ => { let _ = iphr_convert::stress_csv::parse(&real); }
            }
        }
    }
}
