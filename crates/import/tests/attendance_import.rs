//! Attendance: monthly totals and daily records into attendance months, by the official formula.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_domain::observation::Value;
use iphr_domain::tenant::Company;
use iphr_import::{Options, Outcome, import_attendance, import_hr};
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn setup() -> (SqliteStore, tempfile::TempDir, CompanyId) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("a.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "勤怠株式会社".into() };
    store.create_company(&c).await.unwrap();
    let hr = std::fs::read(root().join("fixtures/hr/hr-2024.csv")).unwrap();
    import_hr(&store, c.id, "hr-2024.csv", &hr, d(2024, 7, 1), "t", Options::default()).await.unwrap();
    (store, dir, c.id)
}

async fn values(store: &SqliteStore, c: CompanyId, no: &str, month: NaiveDate) -> Vec<(String, f64)> {
    let e = store.identity_candidates(c).await.unwrap().into_iter().find(|x| x.employee_number == no).unwrap();
    let (events, obs) = store.events_on(c, EventKind::AttendanceMonth, &[(e.person_id, month)]).await.unwrap();
    assert_eq!(events.len(), 1, "one attendance month");
    let mut v: Vec<(String, f64)> = obs
        .iter()
        .map(|o| match &o.value {
            Value::Number { value, .. } => (o.item.to_string(), *value),
            other => panic!("{other:?}"),
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn v(pairs: &[(&str, f64)]) -> Vec<(String, f64)> {
    pairs.iter().map(|(k, x)| (k.to_string(), *x)).collect()
}

#[tokio::test]
async fn monthly_totals() {
    let (store, _dir, c) = setup().await;
    let bytes = std::fs::read(root().join("fixtures/attendance/attendance-monthly.csv")).unwrap();
    let out = import_attendance(&store, c, "attendance-monthly.csv", &bytes, "t", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.summary.imported, r.summary.queued, r.encoding.as_deref()), (3, 15, 0, Some("CP932")));
    // 260.5 h in May (31 days): 260.5 − 31/7 × 40 = 83.36 h.
    assert_eq!(
        values(&store, c, "A000101", d(2024, 5, 1)).await,
        v(&[
            ("Fb0010000Z", 83.36),
            ("Fb0020000Z", 75.5),
            ("Fb0030000Z", 8.0),
            ("Fb0040000Z", 260.5),
            ("Fc0010000Z", 0.0)
        ])
    );
    assert_eq!(
        values(&store, c, "A000102", d(2024, 5, 1)).await[0],
        ("Fb0010000Z".into(), 0.0),
        "below 40 h a week: 0"
    );
    assert_eq!(values(&store, c, "A000103", d(2024, 5, 1)).await[0], ("Fb0010000Z".into(), 122.86));
    let out = import_attendance(&store, c, "attendance-monthly.csv", &bytes, "t", Options::default()).await.unwrap();
    assert_eq!((out.report().summary.imported, out.report().summary.unchanged), (0, 15));
}

#[tokio::test]
async fn daily_records_computed() {
    let (store, _dir, c) = setup().await;
    let bytes = std::fs::read(root().join("fixtures/attendance/attendance-daily.csv")).unwrap();
    let out = import_attendance(&store, c, "attendance-daily.csv", &bytes, "t", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.summary.imported), (7, 5));
    // 54 h in June: daily overtime 2 + 2, weekly 6 (50 h on ordinary days − 4 − 40), holiday 4,
    // one night shift (22:00–7:00); the 面接指導 hours 54 − 30/7 × 40 < 0 → 0.
    assert_eq!(
        values(&store, c, "A000103", d(2024, 6, 1)).await,
        v(&[("Fb0010000Z", 0.0), ("Fb0020000Z", 10.0), ("Fb0030000Z", 4.0), ("Fb0040000Z", 54.0), ("Fc0010000Z", 1.0)])
    );
    let bad = std::fs::read(root().join("fixtures/attendance/attendance-daily-errors.csv")).unwrap();
    let out = import_attendance(&store, c, "attendance-daily-errors.csv", &bad, "t", Options::default()).await.unwrap();
    let Outcome::Refused { report: r } = out else { panic!("{out:?}") };
    let e: Vec<(Option<u64>, &str)> = r.errors.iter().map(|e| (e.line(), e.field.as_str())).collect();
    assert_eq!(e, vec![(Some(2), "退勤"), (Some(3), "日付"), (Some(4), "休日区分")]);
}
