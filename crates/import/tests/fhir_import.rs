//! The eCheckup IG's own example Bundles import with every Observation stored.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_domain::observation::Value;
use iphr_domain::tenant::Company;
use iphr_import::{Options, Outcome, import_fhir, import_hr};
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

fn bundle(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fhir").join(name)).unwrap()
}

async fn setup() -> (SqliteStore, tempfile::TempDir, CompanyId, iphr_domain::PersonId) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("f.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "FHIR株式会社".into() };
    store.create_company(&c).await.unwrap();
    // An employee under another name, so that only --person can tie the document to him.
    let hr =
        "社員番号,氏名,カナ,性別,生年月日,入社日,所属\nK1,検診 太郎,ケンシン タロー,男,1950-05-04,2000-04-01,総務部\n";
    import_hr(
        &store,
        c.id,
        "hr.csv",
        hr.as_bytes(),
        NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
        "t",
        Options::default(),
    )
    .await
    .unwrap();
    let p = store.identity_candidates(c.id).await.unwrap()[0].person_id;
    (store, dir, c.id, p)
}

#[tokio::test]
async fn ig_examples_import_with_person() {
    // Sample-01 has one Observation dated 2020-11-10 besides the 44 of the 2020-04-04 visit: two
    // dated events on the timeline.
    // Every Observation with a value is a datum, and so is every component (Sample-01: 既往歴,
    // 心電図所見 and 自覚症状; Sample-02: 既往歴 and 自覚症状, its ECG being a group).
    for (name, observations, with_value, visits) in [
        ("Bundle-Bundle-eCheckupReport-Sample-01.json", 45, 48, 2),
        ("Bundle-Bundle-eCheckupReport-Sample-01-with-VersionOfProfile.json", 45, 48, 2),
        ("Bundle-Bundle-eCheckupReport-Sample-02-GroupItems.json", 49, 50, 1),
    ] {
        let (store, _dir, c, p) = setup().await;
        // Without --person the kana differs (タロー): held for review, nothing stored.
        let out = import_fhir(&store, c, name, &bundle(name), None, "t", Options::default()).await.unwrap();
        let Outcome::Imported { report: r } = out else { panic!("{name}: {out:?}") };
        assert_eq!((r.read, r.summary.imported, r.summary.queued), (observations, 0, visits), "{name}");
        // With --person every Observation with a value is stored, none unmapped or rejected.
        let out = import_fhir(&store, c, &format!("{name}#2"), &bundle(name), Some(p), "t", Options::default())
            .await
            .unwrap();
        let Outcome::Imported { report: r } = out else { panic!("{name}: {out:?}") };
        assert_eq!(
            (r.read, r.summary.imported, r.summary.unmapped, r.rejected, r.summary.queued),
            (observations, with_value, 0, 0, 0),
            "{name}: {:?}",
            r.errors
        );
        assert!(r.warnings.is_empty(), "{name}: every element is known: {:?}", r.warnings);
        let obs = store.person_observations(c, p).await.unwrap();
        assert_eq!(obs.len(), with_value);
        // Issue 11.4: the components are data of their own items.
        let text = |item: &str| {
            obs.iter().find(|o| o.item.as_str() == item).map(|o| o.value.clone()).unwrap_or(Value::NotDone)
        };
        assert_eq!(text("Aa0030000Z"), Value::Text { text: "ヘルニア、膀胱炎".into() }, "{name}: 具体的な既往歴");
        assert_eq!(text("Ab0020000Z"), Value::Text { text: "胃痛".into() }, "{name}: 自覚症状");
        let ecg = if name.contains("Sample-02") { "心房細動" } else { "2度AVブロック、PVC散発" };
        assert_eq!(text("Al0020000Z"), Value::Text { text: ecg.into() }, "{name}: 心電図所見");
        let height = obs.iter().find(|o| o.item.as_str() == "Ac0010000Z").unwrap();
        assert_eq!(height.value, Value::Number { value: 162.3, unit: "cm".into() });
        assert_eq!(height.event_date, NaiveDate::from_ymd_opt(2020, 4, 4).unwrap());
        assert_eq!(height.provenance.source_code.as_deref(), Some("9N001000000000001"));
        let t = store.timeline(c, p).await.unwrap();
        assert_eq!((t.len(), t[0].subkind.as_deref()), (visits, Some("tokutei")), "{name}");
        // Again: unchanged.
        let out = import_fhir(&store, c, &format!("{name}#2"), &bundle(name), Some(p), "t", Options::default())
            .await
            .unwrap();
        assert_eq!((out.report().summary.imported, out.report().summary.unchanged), (0, with_value), "{name}");
    }
}
