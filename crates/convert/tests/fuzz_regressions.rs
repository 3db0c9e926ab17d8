//! Regressions of the fuzzing work (docs/fuzzing.md): each input that made a parser crash, hang or
//! blow up, fed through the public API, ends in a value or a clear error, quickly. The inputs are
//! in tests/fuzz-regressions/ (the crafted ones made by its make.py); the very large ones are
//! generated here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use iphr_convert::cda::{self, CdaFileError};
use iphr_convert::documents::{Limits, ZipBundle};
use iphr_convert::fhir::{self, FhirFileError};
use iphr_convert::units::UnitTable;
use iphr_domain::ohcc::ItemTable;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn input(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions").join(name)).unwrap()
}

fn tables() -> (&'static ItemTable, &'static UnitTable) {
    (ItemTable::embedded().unwrap(), UnitTable::embedded().unwrap())
}

/// A CDA document of many observations took minutes: every observation's line number was counted
/// from the start of the text (quadratic). Now one newline index serves them all, and the line
/// numbers stay right.
#[test]
fn cda_with_many_observations_is_read_in_linear_time() {
    let n = 60_000;
    let mut xml = String::from(
        "<ClinicalDocument>\n<recordTarget><patientRole/></recordTarget>\n<documentationOf><serviceEvent>\
         <effectiveTime value=\"20240615\"/></serviceEvent></documentationOf>\n",
    );
    for i in 0..n {
        xml.push_str(&format!("<observation><code code=\"L{i}\"/></observation>\n"));
    }
    xml.push_str("</ClinicalDocument>\n");
    assert!(xml.len() < cda::MAX_BYTES);
    let (t, u) = tables();
    let started = Instant::now();
    let parsed = cda::parse(xml.as_bytes(), t, u).unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(30), "{n} observations took {took:?}");
    assert_eq!(parsed.rows_read, n);
    assert_eq!(parsed.unmapped.len(), n, "local codes are unmapped items");
    let last = parsed.unmapped.last().unwrap();
    assert_eq!((last.source_code.as_str(), last.line), ("L59999", 3 + n as u64));
    assert_eq!(parsed.unmapped[0].line, 4);
}

/// Entities (a DTD) are refused before any expansion.
#[test]
fn cda_billion_laughs_is_refused() {
    let (t, u) = tables();
    let r = cda::parse(&input("cda-billion-laughs.xml"), t, u);
    assert!(matches!(r, Err(CdaFileError::Xml(_))), "{r:?}");
}

/// A CDA document in UTF-16 is an encoding error, not garbage.
#[test]
fn cda_in_utf16_is_an_encoding_error() {
    let (t, u) = tables();
    assert_eq!(cda::parse(&input("cda-utf16.xml"), t, u).unwrap_err(), CdaFileError::Encoding);
}

/// Deeply nested XML neither overflows the stack nor hangs.
#[test]
fn deeply_nested_cda_ends_in_an_error() {
    let depth = 100_000;
    let xml = format!("<ClinicalDocument>{}{}</ClinicalDocument>", "<a>".repeat(depth), "</a>".repeat(depth));
    let (t, u) = tables();
    assert!(cda::parse(xml.as_bytes(), t, u).is_err());
}

/// Deeply nested JSON ends in serde_json's recursion limit, not a stack overflow.
#[test]
fn deeply_nested_fhir_ends_in_an_error() {
    let depth = 100_000;
    let json = format!("{{\"resourceType\":\"Bundle\",\"entry\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let (t, u) = tables();
    let r = fhir::parse(json.as_bytes(), t, u);
    assert!(matches!(r, Err(FhirFileError::Json { .. })), "{r:?}");
}

/// Overlapping entries whose deflate stream unpacks to more than every header declares: each entry
/// is an error after at most its declared size, and the whole archive is an error.
#[test]
fn cda_archive_with_overlapping_lying_entries_is_refused() {
    let (t, u) = tables();
    let r = cda::parse_archive(&input("cda-archive-overlapping-lying-size.zip"), t, u);
    assert!(matches!(r, Err(CdaFileError::Shape(_))), "{r:?}");
}

/// The same in a document bundle: every entry is refused, none is read past its declared size.
#[test]
fn document_bundle_with_overlapping_lying_entries_reads_nothing() {
    let bytes = input("documents-overlapping-lying-size.zip");
    let mut bundle = ZipBundle::open(std::io::Cursor::new(&bytes[..]), Limits::default()).unwrap();
    let entries = bundle.entries().unwrap();
    assert_eq!(entries.len(), 20);
    for e in entries {
        assert!(bundle.read(e.index).is_err(), "{} was read", e.path);
    }
}
