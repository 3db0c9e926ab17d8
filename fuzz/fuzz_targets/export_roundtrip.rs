//! The exporters over what an import produced: a CDA document (first byte even) or a FHIR Bundle
//! (odd) is parsed, planned for one known employee, and every checkup is exported again as CDA,
//! as a FHIR Bundle, as an MHLW archive, as the long CSV and as NDJSON. Nothing may panic, and
//! what iphr writes it must read back: the CDA, the Bundle, the archive and the long CSV (through
//! `profiles/iphr-export.toml`) all parse.

#![no_main]

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use iphr_convert::cda_export::{self, Checkup};
use iphr_convert::checkup_csv::Identity;
use iphr_convert::export::{Who, to_csv, to_ndjson_line};
use iphr_convert::mhlw::MhlwTable;
use iphr_convert::profile::Profile;
use iphr_convert::{cda, checkup_csv, fhir, fhir_export};
use iphr_domain::identity::Candidate;
use iphr_domain::observation::Observation;
use iphr_domain::person::Sex;
use iphr_domain::{CompanyId, EmploymentId, PersonId};
use iphr_import::plan::{FileMeta, plan_records};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static MHLW: LazyLock<MhlwTable> =
    LazyLock::new(|| MhlwTable::embedded(&common::ITEMS).expect("the embedded MHLW table loads"));
static EXPORT_PROFILE: LazyLock<Profile> = LazyLock::new(|| {
    Profile::parse("iphr-export.toml", include_str!("../../profiles/iphr-export.toml"))
        .expect("the export profile parses")
});

const EMPLOYEE: &str = "F0001";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else { return };
    let parsed = if selector & 1 == 0 {
        cda::parse(bytes, &common::ITEMS, &common::UNITS).ok()
    } else {
        fhir::parse(bytes, &common::ITEMS, &common::UNITS).ok()
    };
    let Some(mut parsed) = parsed else { return };
    // Every record is about one known employee.
    for r in &mut parsed.records {
        r.identity = Identity { employee_number: Some(EMPLOYEE.into()), ..Identity::default() };
    }
    let birth_date = date(1980, 2, 29);
    let candidate = Candidate {
        employment_id: EmploymentId(uuid::Uuid::nil()),
        person_id: PersonId(uuid::Uuid::nil()),
        employee_number: EMPLOYEE.into(),
        kana: "フズ ハナコ".into(),
        birth_date,
        sex: Sex::Female,
        insurer_number: None,
        insured_symbol: None,
        insured_number: None,
    };
    let meta = FileMeta {
        company_id: CompanyId(uuid::Uuid::nil()),
        id: uuid::Uuid::nil(),
        kind: "fuzz".into(),
        sha256: String::new(),
        file_name: "fuzz".into(),
        profile: "fuzz".into(),
        institution: None,
        known: false,
        imported_by: "fuzz".into(),
        now: DateTime::<Utc>::UNIX_EPOCH,
    };
    let (write, _report) = plan_records(&parsed, &meta, &common::ITEMS, &[candidate], &[], &[]);
    let who = Who {
        employee_number: EMPLOYEE.into(),
        name: "不図 花子".into(),
        kana: "フズ ハナコ".into(),
        birth_date,
        sex: "female".into(),
        insurer: Default::default(),
    };
    let issued = date(2025, 4, 1);
    let mut documents = Vec::new();
    let mut rows = Vec::new();
    for event in &write.batch.events {
        let observations: Vec<&Observation> =
            write.batch.observations.iter().filter(|o| o.event_id == event.id).collect();
        for o in &observations {
            let _ = to_ndjson_line(&common::ITEMS, &who, event, o);
            rows.push((&who, event, *o));
        }
        let checkup = Checkup { event, observations };
        let (doc, _skipped) = cda_export::document(&common::ITEMS, &MHLW, &common::UNITS, &who, &checkup, issued);
        if let Err(e) = cda::parse(doc.xml.as_bytes(), &common::ITEMS, &common::UNITS) {
            panic!("the exported CDA does not read back: {e}\n{}", doc.xml);
        }
        let (bundle, _skipped) = fhir_export::bundle(&common::ITEMS, &MHLW, &common::UNITS, &who, &checkup, issued);
        let json = bundle.to_text().into_bytes();
        if let Err(e) = fhir::parse(&json, &common::ITEMS, &common::UNITS) {
            panic!("the exported Bundle does not read back: {e}\n{}", bundle.json);
        }
        documents.push(doc);
    }
    if !documents.is_empty() {
        match cda_export::archive(&documents, issued) {
            Ok(zip) => {
                if let Err(e) = cda::parse_archive(&zip, &common::ITEMS, &common::UNITS) {
                    panic!("the exported archive does not read back: {e}");
                }
            }
            Err(e) => panic!("the archive of {} documents is not written: {e}", documents.len()),
        }
    }
    if !rows.is_empty() {
        match to_csv(&common::ITEMS, rows.into_iter()) {
            Ok(text) => {
                if let Err(e) =
                    checkup_csv::parse(text.as_bytes(), &EXPORT_PROFILE, "export.csv", &common::ITEMS, &common::UNITS)
                {
                    panic!("the exported long CSV does not read back: {e}\n{text}");
                }
            }
            Err(e) => panic!("the long CSV is not written: {e}"),
        }
    }
});
