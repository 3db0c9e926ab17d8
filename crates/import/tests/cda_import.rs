//! An MHLW CDA document (fixtures/cda/example-tokuteikenshin.xml, fictional, valid against
//! hc08_V08.xsd) imports with every observation stored as delivered.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_domain::observation::{RangeFlag, Value};
use iphr_domain::tenant::Company;
use iphr_import::{Options, Outcome, import_cda, import_hr};
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

#[tokio::test]
async fn example_document() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("c.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "CDA株式会社".into() };
    store.create_company(&c).await.unwrap();
    // The examinee (no employee number in CDA) is matched by kana, birth date and sex.
    let hr =
        "社員番号,氏名,カナ,性別,生年月日,入社日,所属\nC1,健診 太郎,ケンシン タロウ,男,1970-04-01,2000-04-01,総務部\n";
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
    let bytes =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cda/example-tokuteikenshin.xml"))
            .unwrap();
    let out = import_cda(&store, c.id, "example.xml", &bytes, None, "t", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!(
        (r.read, r.summary.imported, r.rejected, r.summary.unmapped, r.summary.queued),
        (35, 35, 0, 0, 0),
        "{:?}",
        r.errors
    );
    let p = store.identity_candidates(c.id).await.unwrap()[0].person_id;
    let obs = store.person_observations(c.id, p).await.unwrap();
    let get = |item: &str| obs.iter().find(|o| o.item.as_str() == item).unwrap_or_else(|| panic!("{item}"));
    assert_eq!(get("Ac0010000Z").value, Value::Number { value: 170.2, unit: "cm".into() });
    assert_eq!(get("Ac0010000Z").event_date, NaiveDate::from_ymd_opt(2024, 6, 15).unwrap());
    assert_eq!(get("Af0010001A").value, Value::Number { value: 142.0, unit: "mmHg".into() }, "mm[Hg] is mmHg");
    let ggt = get("Ah0030000Z");
    assert_eq!(
        (ggt.value.clone(), ggt.qualifier.flag),
        (Value::Number { value: 1250.0, unit: "U/L".into() }, Some(RangeFlag::High))
    );
    assert_eq!(get("Ai0010000Z").value, Value::NotDone, "negationInd");
    assert_eq!(get("Aj0030000Z").value, Value::NotMeasured, "nullFlavor");
    assert_eq!(get("Ak0010000Z").value, Value::Coded { code: "trace".into() }, "CO 2 of OID 2102");
    assert_eq!(get("Al0010000Z").value, Value::Coded { code: "present".into() }, "a COMP member of the ECG battery");
    assert_eq!(get("Az0020000Z").value, Value::Text { text: "血圧高値。生活習慣の改善を指導。".into() });
    let t = store.timeline(c.id, p).await.unwrap();
    assert_eq!((t.len(), t[0].subkind.as_deref()), (1, Some("tokutei")));
    // Again: unchanged.
    let out = import_cda(&store, c.id, "example.xml", &bytes, None, "t", Options::default()).await.unwrap();
    assert_eq!((out.report().summary.imported, out.report().summary.unchanged), (0, 35));
    // Not XML, entities, and the wrong root are file errors.
    for (bad, want) in [
        ("<ClinicalDocument", "not well-formed XML"),
        ("<!DOCTYPE x [<!ENTITY a \"b\">]><ClinicalDocument/>", "not well-formed XML"),
        ("<Bundle/>", "not <ClinicalDocument>"),
    ] {
        let e = import_cda(&store, c.id, "bad.xml", bad.as_bytes(), None, "t", Options::default()).await;
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains(want), "{bad}: {msg}");
    }
}

#[tokio::test]
async fn archive_with_index() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("z.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "ZIP株式会社".into() };
    store.create_company(&c).await.unwrap();
    let hr = "社員番号,氏名,カナ,性別,生年月日,入社日,所属\nC1,健診 太郎,ケンシン タロウ,男,1970-04-01,2000-04-01,総務部\nC2,健診 花子,ケンシン ハナコ,女,1975-05-05,2000-04-01,総務部\n";
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
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cda");
    let bytes = std::fs::read(root.join("archive.zip")).unwrap();
    let out = import_cda(&store, c.id, "archive.zip", &bytes, None, "t", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.summary.imported, r.summary.queued, r.summary.new_visits), (70, 70, 0, 2), "{:?}", r.errors);
    // An index that miscounts its records refuses the archive: nothing written.
    let before = store.stats().await.unwrap();
    let bad = std::fs::read(root.join("archive-bad-count.zip")).unwrap();
    let e = import_cda(&store, c.id, "bad.zip", &bad, None, "t", Options::default()).await;
    let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("declares 5 records") && msg.contains("hold 3"), "{msg}");
    assert_eq!(store.stats().await.unwrap(), before);
}
