//! Stress-check answers from paper: 57 coded answers and the section sums per worker.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::Value;
use iphr_domain::tenant::Company;
use iphr_import::{Options, Outcome, import_hr, import_stress};
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test]
async fn answers_and_sums() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "ストレス株式会社".into() };
    store.create_company(&c).await.unwrap();
    let hr = std::fs::read(root().join("fixtures/hr/hr-2024.csv")).unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
    import_hr(&store, c.id, "hr.csv", &hr, day, "t", Options::default()).await.unwrap();
    let bytes = std::fs::read(root().join("fixtures/stress/stress-answers.csv")).unwrap();
    let out = import_stress(&store, c.id, "stress-answers.csv", &bytes, "t", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.summary.imported, r.summary.queued), (2, 120, 0));
    let cands = store.identity_candidates(c.id).await.unwrap();
    let sums = async |no: &str, date: (i32, u32, u32)| {
        let p = cands.iter().find(|x| x.employee_number == no).unwrap().person_id;
        let d = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
        let (ev, obs) = store.events_on(c.id, EventKind::StressCheck, &[(p, d)]).await.unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].content_class, InfoClass::Stress);
        assert_eq!(obs.len(), 60);
        assert!(obs.iter().all(|o| o.info_class == InfoClass::Stress), "every datum is stress-check class");
        let n = |code: &str| match &obs.iter().find(|o| o.item.as_str() == code).unwrap().value {
            Value::Number { value, .. } => *value,
            other => panic!("{other:?}"),
        };
        let q1 = obs.iter().find(|o| o.item.as_str() == "Ca2010000Z").unwrap().value.clone();
        (n("Ca1010001Z"), n("Cb1010001Z"), n("Cc1010001Z"), q1)
    };
    // All answers 2: A = 11 reversed × 3 + 6 × 2 = 45; B = 3 × 3 + 26 × 2 = 61; C = 18.
    assert_eq!(sums("A000101", (2024, 10, 15)).await, (45.0, 61.0, 18.0, Value::Coded { code: "2".into() }));
    // Items 1–17 answered 1, the rest 4 (full width): A = 11 × 4 + 6 = 50; B = 3 + 26 × 4 = 107; C = 36.
    assert_eq!(sums("A000102", (2024, 10, 16)).await, (50.0, 107.0, 36.0, Value::Coded { code: "1".into() }));

    let bad = std::fs::read(root().join("fixtures/stress/stress-answers-errors.csv")).unwrap();
    let out = import_stress(&store, c.id, "bad.csv", &bad, "t", Options::default()).await.unwrap();
    let Outcome::Refused { report: r } = out else { panic!("{out:?}") };
    let e: Vec<(Option<u64>, &str)> = r.errors.iter().map(|e| (e.line(), e.field.as_str())).collect();
    assert_eq!(e, vec![(Some(2), "Q30"), (Some(2), "Q31")]);
    assert!(r.errors[0].reason.contains("every answer is required"));
}
