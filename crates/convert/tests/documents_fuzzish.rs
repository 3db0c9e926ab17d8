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
        let _ = iphr_convert::cda::parse(&bytes, t, u);
        let _ = iphr_convert::fhir::parse(&bytes, t, u);
        let _ = iphr_convert::attendance::parse(&bytes);
        let _ = iphr_convert::stress_csv::parse(&bytes);
        for (p, which) in [("cda/example-tokuteikenshin.xml", 0), ("fhir/Bundle-Bundle-eCheckupReport-Sample-01.json", 1), ("attendance/attendance-daily.csv", 2), ("stress/stress-answers.csv", 3)] {
            let mut real = fixture(p);
            real.truncate(cut.min(real.len()));
            real.extend_from_slice(&bytes);
            match which {
                0 => { let _ = iphr_convert::cda::parse(&real, t, u); }
                1 => { let _ = iphr_convert::fhir::parse(&real, t, u); }
                2 => { let _ = iphr_convert::attendance::parse(&real); }
                _ => { let _ = iphr_convert::stress_csv::parse(&real); }
            }
        }
    }
}

/// A zip bomb (a small archive that unpacks to more than a document may be) ends in an error.
#[test]
fn zip_bomb_is_refused() {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("x/DATA/h1.xml", opts).unwrap();
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..20 {
            z.write_all(&chunk).unwrap();
        }
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 200_000, "the bomb is small: {} bytes", bytes.len());
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    let r = iphr_convert::cda::parse_archive(&bytes, t, u);
    assert!(matches!(r, Err(iphr_convert::cda::CdaFileError::TooLarge(_))), "{r:?}");
}
