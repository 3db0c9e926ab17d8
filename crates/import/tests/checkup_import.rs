//! The import engine end to end on SQLite: matching, new results, unchanged on re-import,
//! corrections with history, refusal without partial, dry runs, the identity queue and the
//! unmapped-items queue.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_convert::profile::Profile;
use iphr_domain::observation::{Comparator, RangeFlag, Value};
use iphr_domain::person::{Employment, InsurerIds, Person, Sex};
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EmploymentId, PersonId};
use iphr_import::{Options, Outcome, RecordOutcome, import_checkup_csv};
use iphr_store::Batch;
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn profile(name: &str) -> Profile {
    Profile::parse(name, &std::fs::read_to_string(root().join("profiles").join(name)).unwrap()).unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/checkup-csv").join(name)).unwrap()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

struct World {
    store: SqliteStore,
    _dir: tempfile::TempDir,
    company: CompanyId,
    yamada: PersonId,
    sato: PersonId,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("i.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let company = Company { id: CompanyId::new(), name: "株式会社インポート".into() };
    store.create_company(&company).await.unwrap();
    let person = |family: &str, given: &str, fk: &str, gk: &str, sex, birth| Person {
        id: PersonId::new(),
        family_name: family.into(),
        given_name: given.into(),
        family_kana: fk.into(),
        given_kana: gk.into(),
        sex,
        birth_date: birth,
        insurer: InsurerIds::default(),
        name_as_delivered: None,
        kana_as_delivered: None,
    };
    let yamada = person("山田", "太郎", "ヤマダ", "タロウ", Sex::Male, d(1970, 4, 1));
    let sato = person("佐藤", "花子", "サトウ", "ハナコ", Sex::Female, d(1990, 5, 3));
    let kobayashi = person("小林", "誠", "コバヤシ", "マコト", Sex::Male, d(1973, 11, 20));
    let emp = |p: &Person, no: &str| Employment {
        company_id: company.id,
        id: EmploymentId::new(),
        person_id: p.id,
        employee_number: no.into(),
        hire_date: d(2010, 4, 1),
        leave_date: None,
    };
    let batch = Batch {
        employments: vec![emp(&yamada, "A000101"), emp(&sato, "A000102"), emp(&kobayashi, "H-11")],
        persons: vec![yamada.clone(), sato.clone(), kobayashi],
        ..Default::default()
    };
    store.insert_batch(&batch).await.unwrap();
    World { store, _dir: dir, company: company.id, yamada: yamada.id, sato: sato.id }
}

async fn run(w: &World, prof: &str, name: &str, bytes: &[u8], options: Options) -> RecordOutcome {
    import_checkup_csv(&w.store, w.company, &profile(prof), name, bytes, "test", options).await.unwrap()
}

#[tokio::test]
async fn import_reimport_correct() {
    let w = world().await;
    let bytes = fixture("minato-wide.csv");
    let out = run(&w, "minato-wide.toml", "minato-wide.csv", &bytes, Options::default()).await;
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    // 山田: 19 results; 佐藤: 18 (腹囲 blank); 鈴木 (A000103) is not employed here: queued.
    assert_eq!(
        (
            r.read,
            r.summary.imported,
            r.summary.unchanged,
            r.summary.corrected,
            r.rejected,
            r.summary.queued,
            r.summary.new_visits
        ),
        (3, 37, 0, 0, 0, 1, 2)
    );
    let obs = w.store.person_observations(w.company, w.yamada).await.unwrap();
    assert_eq!(obs.len(), 19);
    let sbp = obs.iter().find(|o| o.item.as_str() == "Af0010001A").unwrap();
    assert_eq!(sbp.value, Value::Number { value: 165.0, unit: "mmHg".into() });
    assert_eq!(sbp.qualifier.flag, Some(RangeFlag::High));
    assert_eq!(sbp.atr.to_string(), "Mk1");
    assert_eq!(sbp.event_date, d(2024, 6, 10));
    assert_eq!(sbp.provenance.raw_value.as_deref(), Some("165H"));
    assert_eq!(sbp.provenance.source_text.as_deref(), Some("血圧(収縮期)"));
    assert!(sbp.provenance.source_doc.as_deref().unwrap().ends_with("#line=2"));
    assert_eq!(sbp.provenance.table_version, "ohcc-items-v1");
    let ggt = obs.iter().find(|o| o.item.as_str() == "Ah0030000Z").unwrap();
    assert_eq!(ggt.qualifier.comparator, Some(Comparator::Lt));
    let sato = w.store.person_observations(w.company, w.sato).await.unwrap();
    assert_eq!(sato.iter().find(|o| o.item.as_str() == "Aj0030000Z").unwrap().value, Value::NotDone);
    let timeline = w.store.timeline(w.company, w.yamada).await.unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].subkind.as_deref(), Some("periodic"));
    let q = w.store.identity_queue(w.company).await.unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].reason, "unknown");
    assert_eq!(q[0].line, 4);
    assert_eq!(q[0].payload["results"].as_array().unwrap().len(), 19, "the held visit is complete");
    let stats = w.store.stats().await.unwrap();

    // The same bytes again: nothing new.
    let out = run(&w, "minato-wide.toml", "minato-wide.csv", &bytes, Options::default()).await;
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!(
        (r.summary.imported, r.summary.unchanged, r.summary.corrected, r.summary.queued, r.summary.new_visits),
        (0, 37, 0, 1, 0)
    );
    assert_eq!(w.store.stats().await.unwrap(), stats);
    assert_eq!(w.store.identity_queue(w.company).await.unwrap().len(), 1, "not queued twice");

    // A corrected file: 山田's blood pressure 165H → 158.
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap().replace(",165H,98,", ",158,98,");
    let out = run(&w, "minato-wide.toml", "minato-wide-v2.csv", text.as_bytes(), Options::default()).await;
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.summary.imported, r.summary.unchanged, r.summary.corrected), (0, 36, 1));
    let obs = w.store.person_observations(w.company, w.yamada).await.unwrap();
    let sbp = obs.iter().find(|o| o.item.as_str() == "Af0010001A").unwrap();
    assert_eq!((sbp.value.clone(), sbp.qualifier.flag), (Value::Number { value: 158.0, unit: "mmHg".into() }, None));
    let history = w.store.observation_history(w.company, sbp.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].observation.value, Value::Number { value: 165.0, unit: "mmHg".into() });
    assert_eq!(history[0].observation.qualifier.flag, Some(RangeFlag::High));
    assert_eq!(history[0].observation.provenance.raw_value.as_deref(), Some("165H"));
    assert_eq!(obs.len(), 19, "a correction adds no observation");
}

#[tokio::test]
async fn errors_refuse_the_file_unless_partial_and_dry_runs_write_nothing() {
    let w = world().await;
    let before = w.store.stats().await.unwrap();
    let bytes = fixture("minato-wide-errors.csv");
    let out = run(&w, "minato-wide.toml", "minato-wide-errors.csv", &bytes, Options::default()).await;
    let Outcome::Refused { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.rejected, r.errors.len()), (3, 2, 3));
    assert_eq!(
        (r.errors[0].file.as_str(), r.errors[0].line(), r.errors[0].field.as_str()),
        ("minato-wide-errors.csv", Some(2), "受診日")
    );
    assert_eq!(w.store.stats().await.unwrap(), before, "refused: nothing written");
    assert!(w.store.identity_queue(w.company).await.unwrap().is_empty());

    let out = run(
        &w,
        "minato-wide.toml",
        "m.csv",
        &fixture("minato-wide.csv"),
        Options { dry_run: true, allow_partial: false, ..Options::default() },
    )
    .await;
    let Outcome::DryRun { report: r } = out else { panic!("{out:?}") };
    assert_eq!(r.summary.imported, 37);
    assert_eq!(w.store.stats().await.unwrap(), before, "dry run: nothing written");

    let out = run(
        &w,
        "minato-wide.toml",
        "minato-wide-errors.csv",
        &bytes,
        Options { dry_run: false, allow_partial: true, ..Options::default() },
    )
    .await;
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.rejected, r.summary.queued), (2, 1), "the good row's person is not employed here: queued");
}

/// Every report names the file's SHA-256 and, once recorded, its source-file record: none for a
/// dry run of new bytes, the one written, and the same one when the bytes come again.
#[tokio::test]
async fn reports_name_the_bytes_and_their_source_file() {
    use sha2::Digest;
    let w = world().await;
    let bytes = fixture("minato-wide.csv");
    let sha = hex::encode(sha2::Sha256::digest(&bytes));
    let dry = Options { dry_run: true, ..Options::default() };
    let r = run(&w, "minato-wide.toml", "m.csv", &bytes, dry).await.into_report();
    assert_eq!((r.sha256.as_str(), r.source_file_id, r.encoding.as_deref()), (sha.as_str(), None, Some("UTF-8 (BOM)")));
    let out = run(&w, "minato-wide.toml", "m.csv", &bytes, Options::default()).await;
    assert!(out.is_imported());
    let first = out.report().source_file_id.expect("recorded");
    let again = run(&w, "minato-wide.toml", "m.csv", &bytes, dry).await.into_report();
    assert_eq!(again.source_file_id, Some(first), "the same bytes: the earlier record");
    let json = serde_json::to_value(run(&w, "minato-wide.toml", "m.csv", &bytes, dry).await).unwrap();
    assert_eq!((json["outcome"].as_str(), json["report"]["sha256"].as_str()), (Some("dry_run"), Some(sha.as_str())));
    assert_eq!(json["report"]["imported"], 0);
}

#[tokio::test]
async fn long_layout_with_unmapped_items() {
    let w = world().await;
    let out = run(&w, "hokuto-long.toml", "hokuto-long.csv", &fixture("hokuto-long.csv"), Options::default()).await;
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.summary.imported, r.summary.unmapped, r.summary.queued), (12, 7, 2, 1));
    let u = w.store.unmapped_items(w.company).await.unwrap();
    assert_eq!(u.len(), 2);
    assert_eq!(
        (u[0].source_code.as_str(), u[0].raw_value.as_str(), u[0].unit.as_deref()),
        ("K9990", "45.2", Some("ng/mL"))
    );
    assert!(u[0].person_id.is_some(), "H-11 is employed here");
    assert_eq!(u[0].event_date, Some(d(2024, 9, 5)));
    assert_eq!(u[1].person_id, None, "H-12 is not");
}

/// What cannot be imported at all says why, typed, naming the file, the line or the record.
#[tokio::test]
async fn files_and_records_that_cannot_be_imported_say_why() {
    use iphr_import::{ImportError, NotFound, ReadError};
    let w = world().await;
    let missing = w._dir.path().join("missing.csv");
    let e = iphr_import::import_checkup_csv_file(
        &w.store,
        w.company,
        &profile("minato-wide.toml"),
        &missing,
        "missing.csv",
        "t",
        Options::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(&e, ImportError::Io { path, .. } if path == &missing), "{e:?}");
    assert!(e.to_string().starts_with(&format!("{}: cannot read: ", missing.display())), "{e}");
    // A header the profile does not fit: the file and the line.
    let e = import_checkup_csv(
        &w.store,
        w.company,
        &profile("minato-wide.toml"),
        "x.csv",
        b"a,b\n1,2\n",
        "t",
        Options::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&e, ImportError::File { file, error } if file == "x.csv" && matches!(**error, ReadError::CheckupCsv(_))),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("x.csv: line 1: "), "{e}");
    // A queue entry that is not there.
    let id = uuid::Uuid::now_v7();
    let e = iphr_import::resolve_identity(&w.store, w.company, id, w.sato, "t").await.unwrap_err();
    assert!(matches!(e, ImportError::NotFound(NotFound::QueueEntry(q)) if q == id));
    // A code the OHCC table does not have.
    let e =
        iphr_import::map_unmapped(&w.store, w.company, "hokuto-long", "K9990", "Zz9990000Z", "t").await.unwrap_err();
    assert_eq!(e.to_string(), "Zz9990000Z is not in the OHCC table");
}

#[tokio::test]
async fn a_held_record_is_resolved_once() {
    let w = world().await;
    run(&w, "minato-wide.toml", "minato-wide.csv", &fixture("minato-wide.csv"), Options::default()).await;
    let q = w.store.identity_queue(w.company).await.unwrap();
    assert_eq!(q.len(), 1, "鈴木 (A000103) is not employed here");
    // A person not employed by the company is refused.
    let stranger = iphr_import::resolve_identity(&w.store, w.company, q[0].id, PersonId::new(), "t").await;
    assert!(stranger.err().map(|e| e.to_string()).unwrap_or_default().contains("not employed"));
    // The user decides the record is 佐藤's (for the test): her checkup of that date is new.
    let r = iphr_import::resolve_identity(&w.store, w.company, q[0].id, w.sato, "t").await.unwrap();
    assert_eq!((r.summary.imported, r.summary.unchanged, r.summary.corrected), (19, 0, 0));
    assert!(w.store.identity_queue(w.company).await.unwrap().is_empty());
    let t = w.store.timeline(w.company, w.sato).await.unwrap();
    assert_eq!(t.iter().map(|e| e.event_date).collect::<Vec<_>>(), vec![d(2024, 6, 12), d(2024, 6, 11)]);
    assert_eq!(t[0].subkind.as_deref(), Some("hire"), "the held visit keeps its kind");
    let again = iphr_import::resolve_identity(&w.store, w.company, q[0].id, w.sato, "t").await;
    assert!(again.is_err(), "resolved once");
    let audit = w.store.list_audit(&iphr_store::AuditFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].person_id), ("resolve identity", Some(w.sato)));
}

#[tokio::test]
async fn mapping_an_unmapped_code_converts_held_items_and_later_imports() {
    let w = world().await;
    let csv = "社員NO,受診者名,受診者カナ,生年月日,性別,受診年月日,検査コード,検査名,結果,単位,判定\n\
               H-11,小林 誠,コバヤシ マコト,S48.11.20,男,2024/09/05,K0010,身長,172.0,cm,\n\
               H-11,小林 誠,コバヤシ マコト,S48.11.20,男,2024/09/05,K7001,フェリチン,85,ng/mL,\n\
               H-11,小林 誠,コバヤシ マコト,S48.11.20,男,2024/09/05,K9990,ペプシノゲンI,45.2,ng/mL,\n";
    let out = run(&w, "hokuto-long.toml", "ferritin.csv", csv.as_bytes(), Options::default()).await;
    assert_eq!((out.report().summary.imported, out.report().summary.unmapped), (1, 2));
    let system = profile("hokuto-long.toml").name;
    // A numeric value cannot become the coded pepsinogen judgement: the mapping is refused, the
    // value stays held.
    let m = iphr_import::map_unmapped(&w.store, w.company, &system, "K9990", "Am0350000Z", "t").await;
    assert!(m.err().map(|e| e.to_string()).unwrap_or_default().contains("\"45.2\""));
    assert!(w.store.source_mappings(w.company, &system).await.unwrap().is_empty());
    // Ferritin maps: the held 85 ng/mL is stored on the same visit.
    let m = iphr_import::map_unmapped(&w.store, w.company, &system, "K7001", "Ag0150000Z", "t").await.unwrap();
    assert_eq!((m.converted, m.still_held, m.report.summary.imported, m.report.summary.new_visits), (1, 0, 1, 0));
    let kobayashi = w
        .store
        .identity_candidates(w.company)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.employee_number == "H-11")
        .unwrap();
    let obs = w.store.person_observations(w.company, kobayashi.person_id).await.unwrap();
    let f = obs.iter().find(|o| o.item.as_str() == "Ag0150000Z").unwrap();
    assert_eq!(f.value, Value::Number { value: 85.0, unit: "ng/mL".into() });
    assert_eq!(f.provenance.source_code.as_deref(), Some("K7001"));
    assert_eq!(w.store.unmapped_items(w.company).await.unwrap().len(), 1, "only the pepsinogen value is still held");
    // The next file of that institution uses the saved mapping.
    let csv2 = csv.replace(",85,", ",90,");
    let out = run(&w, "hokuto-long.toml", "ferritin-2.csv", csv2.as_bytes(), Options::default()).await;
    let r = out.report();
    assert_eq!((r.summary.imported, r.summary.unchanged, r.summary.corrected, r.summary.unmapped), (0, 1, 1, 1));
}

/// What a sequence of imports gives: each outcome (as JSON) and the store's counts after it, and
/// every stored value by person, date and item.
async fn trace(chunk_rows: usize, files: &[(&str, &str, Vec<u8>)]) -> (Vec<(serde_json::Value, String)>, Vec<String>) {
    let w = world().await;
    let mut steps = Vec::new();
    for (prof, name, bytes) in files {
        let out = iphr_import::import_checkup_csv_chunked(
            &w.store,
            w.company,
            &profile(prof),
            name,
            iphr_import::CsvInput::Bytes(bytes),
            "test",
            Options::default(),
            chunk_rows,
            &|_, _, _| {},
        )
        .await
        .unwrap();
        // The counts, without the ids that differ from world to world.
        let counts = w
            .store
            .stats()
            .await
            .unwrap()
            .companies
            .iter()
            .map(|c| format!("{:?} {} {}", c.events, c.observations, c.employments))
            .collect::<Vec<_>>()
            .join(";");
        let queued = w.store.identity_queue(w.company).await.unwrap().len();
        // The report, without the source file's id (new in each world).
        let mut report = serde_json::to_value(&out).unwrap();
        report["report"]["source_file_id"] = serde_json::Value::Bool(out.report().source_file_id.is_some());
        steps.push((report, format!("{counts}; queued {queued}")));
    }
    let mut values = Vec::new();
    for (who, p) in [("yamada", w.yamada), ("sato", w.sato)] {
        for o in w.store.person_observations(w.company, p).await.unwrap() {
            values.push(format!("{who} {} {} {:?} {:?}", o.event_date, o.item, o.value, o.qualifier));
        }
    }
    values.sort();
    (steps, values)
}

/// The streamed import gives the same reports, counts and values whatever the chunk size: one row
/// at a time, two, or the default — including a visit given twice in different chunks (refused),
/// the long layout (a visit's rows spread over the file), errors, re-imports and corrections.
#[tokio::test]
async fn the_result_does_not_depend_on_the_chunk_size() {
    let wide = fixture("minato-wide.csv");
    let text = String::from_utf8(wide[3..].to_vec()).unwrap();
    let first_row = text.lines().nth(1).unwrap().to_string();
    // 山田's row again at the end, with another blood pressure: the file gives one visit twice.
    let twice = format!("{}{}\n", text, first_row.replace(",165H,98,", ",150,90,"));
    let corrected = text.replace(",165H,98,", ",158,98,");
    let files = vec![
        ("minato-wide.toml", "minato-wide.csv", wide.clone()),
        ("minato-wide.toml", "twice.csv", twice.into_bytes()),
        ("minato-wide.toml", "minato-wide.csv", wide),
        ("minato-wide.toml", "minato-wide-v2.csv", corrected.into_bytes()),
        ("minato-wide.toml", "minato-wide-errors.csv", fixture("minato-wide-errors.csv")),
        ("sakura-cp932.toml", "sakura-cp932.csv", fixture("sakura-cp932.csv")),
        ("hokuto-long.toml", "hokuto-long.csv", fixture("hokuto-long.csv")),
        ("cc2x.toml", "cc2x.csv", fixture("cc2x.csv")),
    ];
    let whole = trace(iphr_import::checkup::CHUNK_ROWS, &files).await;
    assert_eq!(whole.0[1].0["outcome"], "refused", "a visit given twice refuses the file: {}", whole.0[1].0);
    assert_eq!(whole.0[1].1, whole.0[0].1, "refused: nothing written");
    assert_eq!(whole.0[3].0["report"]["corrected"], 1);
    for chunk in [1, 2, 3] {
        let t = trace(chunk, &files).await;
        for (i, (a, b)) in t.0.iter().zip(&whole.0).enumerate() {
            assert_eq!(a, b, "chunk {chunk}, file {i} ({})", files[i].1);
        }
        assert_eq!(t.1, whole.1, "chunk {chunk}: stored values");
    }
}
