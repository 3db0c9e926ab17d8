//! The HR master import: new employees, unchanged re-import, moves, renames and leaving; refusal
//! with errors; and a checkup file matched to the imported employees.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_domain::CompanyId;
use iphr_domain::tenant::Company;
use iphr_import::{HrOutcome, Options, Outcome, import_checkup_csv, import_hr};
use iphr_store::WorkerQuery;
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
    let store = SqliteStore::open(&dir.path().join("h.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "人事取込株式会社".into() };
    store.create_company(&c).await.unwrap();
    (store, dir, c.id)
}

async fn hr(store: &SqliteStore, c: CompanyId, name: &str, as_of: NaiveDate, options: Options) -> HrOutcome {
    let bytes = std::fs::read(root().join("fixtures/hr").join(name)).unwrap();
    import_hr(store, c, name, &bytes, as_of, "test", options).await.unwrap()
}

#[tokio::test]
async fn employees_created_moved_renamed_and_leaving() {
    let (store, _dir, c) = setup().await;
    let out = hr(&store, c, "hr-2024.csv", d(2024, 7, 1), Options::default()).await;
    let HrOutcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!(
        (r.read, r.summary.created, r.summary.updated, r.summary.unchanged, r.rejected, r.encoding.as_deref()),
        (3, 3, 0, 0, 0, Some("CP932"))
    );
    let s = store.hr_state(c).await.unwrap();
    assert_eq!(s.establishments.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), vec!["本社工場"]);
    let mut depts: Vec<&str> = s.departments.iter().map(|d| d.name.as_str()).collect();
    depts.sort();
    assert_eq!(depts, vec!["塗装課", "総務部", "製造第一課"]);
    let yamada = s.employees.iter().find(|e| e.employment.employee_number == "A000101").unwrap();
    assert_eq!(yamada.person.birth_date, d(1970, 4, 1));
    let a = yamada.current.as_ref().unwrap();
    assert_eq!((a.valid_from, a.valid_to, a.position.as_str(), a.night_work), (d(2010, 4, 1), None, "主任", false));
    let mut agents: Vec<(&str, &str, &str)> =
        yamada.exposures.iter().map(|x| (x.agent.as_str(), x.regulation.as_str(), x.protection.as_str())).collect();
    agents.sort();
    assert_eq!(agents, vec![("toluene", "有機則", "防毒マスク"), ("xylene", "有機則", "防毒マスク")]);
    let suzuki = s.employees.iter().find(|e| e.employment.employee_number == "A000103").unwrap();
    assert!(suzuki.current.as_ref().unwrap().night_work);

    // The same file again: nothing changes.
    let before = store.stats().await.unwrap();
    let out = hr(&store, c, "hr-2024.csv", d(2024, 8, 1), Options::default()).await;
    assert_eq!((out.report().summary.created, out.report().summary.updated, out.report().summary.unchanged), (0, 0, 3));
    assert_eq!(store.stats().await.unwrap(), before);

    // A year later.
    let out = hr(&store, c, "hr-2025.csv", d(2025, 4, 1), Options::default()).await;
    let HrOutcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!(
        (r.summary.created, r.summary.updated, r.summary.unchanged, r.encoding.as_deref()),
        (0, 3, 0, Some("UTF-8 (BOM)"))
    );
    let yamada_id = yamada.employment.id;
    let h = store.worker(c, yamada_id).await.unwrap().unwrap();
    assert_eq!(h.assignments.len(), 2);
    assert_eq!(
        (h.assignments[0].department.as_str(), h.assignments[0].assignment.valid_from),
        ("品質保証課", d(2025, 4, 1))
    );
    assert_eq!(h.assignments[1].assignment.valid_to, Some(d(2025, 3, 31)));
    assert!(h.exposures.iter().all(|x| x.valid_to == Some(d(2025, 3, 31))), "solvent exposures ended");
    let found = store.search_workers(c, &WorkerQuery { text: "タカハシ".into(), offset: 0, limit: 10 }).await.unwrap();
    assert_eq!(
        found.rows.iter().map(|r| r.employee_number.as_str()).collect::<Vec<_>>(),
        vec!["A000102"],
        "renamed, searchable"
    );
    let s = store.hr_state(c).await.unwrap();
    let suzuki = s.employees.iter().find(|e| e.employment.employee_number == "A000103").unwrap();
    assert_eq!(suzuki.employment.leave_date, Some(d(2025, 3, 31)));

    // Checkup results now match the employees by number and birth date: nobody is queued.
    let profile = iphr_convert::profile::Profile::parse(
        "minato",
        &std::fs::read_to_string(root().join("profiles/minato-wide.toml")).unwrap(),
    )
    .unwrap();
    let bytes = std::fs::read(root().join("fixtures/checkup-csv/minato-wide.csv")).unwrap();
    let out =
        import_checkup_csv(&store, c, &profile, "minato-wide.csv", &bytes, "test", Options::default()).await.unwrap();
    let Outcome::Imported { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.summary.queued, r.summary.new_visits, r.summary.imported), (0, 3, 56));
}

#[tokio::test]
async fn errors_refuse_and_conflicts_are_not_merged() {
    let (store, _dir, c) = setup().await;
    let out = hr(&store, c, "hr-errors.csv", d(2024, 7, 1), Options::default()).await;
    let HrOutcome::Refused { report: r } = out else { panic!("{out:?}") };
    assert_eq!((r.read, r.rejected), (4, 4));
    let e: Vec<(Option<u64>, &str)> = r.errors.iter().map(|e| (e.line(), e.field.as_str())).collect();
    assert_eq!(
        e,
        vec![(Some(2), "有害業務"), (Some(3), "性別"), (Some(3), "深夜業"), (Some(4), "社員番号"), (Some(5), "退職日")]
    );
    assert!(r.errors[0].reason.contains("ベンジン"));
    assert_eq!(store.stats().await.unwrap().persons, 0, "refused: nothing written");

    hr(&store, c, "hr-2024.csv", d(2024, 7, 1), Options::default()).await;
    let text = "社員番号,氏名,カナ,性別,生年月日,入社日,所属\nA000101,山田 太郎,ヤマダ タロウ,男,1971-04-01,2010-04-01,塗装課\n";
    let out = import_hr(
        &store,
        c,
        "conflict.csv",
        text.as_bytes(),
        d(2024, 8, 1),
        "t",
        Options { dry_run: false, allow_partial: true, ..Options::default() },
    )
    .await
    .unwrap();
    let r = out.report();
    assert_eq!((r.rejected, r.summary.updated), (1, 0));
    assert!(r.errors[0].reason.contains("not merged"), "{}", r.errors[0].reason);
    // A missing required column is a file error naming it.
    let bad =
        import_hr(&store, c, "bad.csv", "社員番号,氏名\nA1,x\n".as_bytes(), d(2024, 8, 1), "t", Options::default())
            .await;
    let msg = bad.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("no column for sex"), "{msg}");
}

#[tokio::test]
async fn work_regime_from_the_hr_master() {
    use iphr_domain::person::WorkRegime;
    let (store, _dir, c) = setup().await;
    hr(&store, c, "hr-2024.csv", d(2024, 7, 1), Options::default()).await;
    let regime = |s: &iphr_store::HrState, no: &str| {
        s.employees.iter().find(|e| e.employment.employee_number == no).unwrap().current.as_ref().unwrap().work_regime
    };
    assert_eq!(regime(&store.hr_state(c).await.unwrap(), "A000102"), WorkRegime::General, "no column: general");
    // The 労働時間制度 column: 佐藤 研究開発, 鈴木 高度プロフェッショナル — a new assignment from as_of.
    let r = hr(&store, c, "hr-regime.csv", d(2024, 9, 1), Options::default()).await.report().clone();
    assert_eq!((r.summary.updated, r.summary.unchanged, r.rejected), (2, 1, 0));
    let s = store.hr_state(c).await.unwrap();
    assert_eq!(regime(&s, "A000101"), WorkRegime::General);
    assert_eq!(regime(&s, "A000102"), WorkRegime::ResearchDevelopment);
    assert_eq!(regime(&s, "A000103"), WorkRegime::HighlyProfessional);
    let spans = store.assignment_history(c).await.unwrap();
    let sato = s.employees.iter().find(|e| e.employment.employee_number == "A000102").unwrap().person.id;
    let on = |day| iphr_store::spans_on(&spans, day).get(&sato).map(|s| s.work_regime);
    assert_eq!(on(d(2024, 8, 31)), Some(WorkRegime::General));
    assert_eq!(on(d(2024, 9, 1)), Some(WorkRegime::ResearchDevelopment));
    // A file without the column keeps the stored regime: nothing changes.
    let r = hr(&store, c, "hr-2024.csv", d(2024, 10, 1), Options::default()).await.report().clone();
    assert_eq!((r.summary.updated, r.summary.unchanged), (0, 3));
    assert_eq!(regime(&store.hr_state(c).await.unwrap(), "A000102"), WorkRegime::ResearchDevelopment);
    // A value that is no regime is refused, naming the line and the column.
    let out = hr(&store, c, "hr-regime-errors.csv", d(2024, 10, 1), Options::default()).await;
    let HrOutcome::Refused { report: r } = out else { panic!("{out:?}") };
    assert_eq!(
        r.errors.iter().map(|e| (e.line(), e.field.as_str())).collect::<Vec<_>>(),
        vec![(Some(2), "労働時間制度")]
    );
    assert!(r.errors[0].reason.contains("裁量労働"), "{}", r.errors[0].reason);
}

#[tokio::test]
async fn a_department_given_as_its_path_nests_and_is_found_again() {
    let (store, _dir, c) = setup().await;
    let csv = "社員番号,氏名,カナ,性別,生年月日,入社日,退職日,事業場,所属,役職,作業内容,深夜業,有害業務,保護具\n\
               B1,遠藤 和也,エンドウ カズヤ,男,1979-07-04,2006-12-13,,本社工場,製造部/製造一課/一係,一般,塗装,あり,トルエン,防毒マスク\n\
               B2,佐藤 花子,サトウ ハナコ,女,1990-05-03,2015-04-01,,本社工場,製造部/製造一課,係長,組立,なし,,\n\
               B3,鈴木 一郎,スズキ イチロウ,男,1985-01-01,2012-04-01,,本社工場,総務部,一般,事務,なし,,\n";
    let run = |as_of| {
        let store = &store;
        async move { import_hr(store, c, "nested.csv", csv.as_bytes(), as_of, "test", Options::default()).await.unwrap() }
    };
    let out = run(d(2026, 4, 1)).await;
    assert_eq!(out.report().summary.created, 3, "{out:?}");
    let s = store.hr_state(c).await.unwrap();
    let by_name = |n: &str| s.departments.iter().find(|x| x.name == n).unwrap();
    assert_eq!(s.departments.len(), 4, "製造部, 製造一課, 一係 once each, and 総務部");
    assert_eq!(by_name("製造部").parent_id, None);
    assert_eq!(by_name("製造一課").parent_id, Some(by_name("製造部").id));
    assert_eq!(by_name("一係").parent_id, Some(by_name("製造一課").id));
    assert_eq!(by_name("総務部").parent_id, None);
    let endo = s.employees.iter().find(|e| e.employment.employee_number == "B1").unwrap();
    assert_eq!(endo.current.as_ref().unwrap().department_id, by_name("一係").id);
    let h = store.worker(c, endo.employment.id).await.unwrap().unwrap();
    assert_eq!(h.assignments[0].department, "製造部 製造一課 一係");
    // Again: the same departments are found, nothing is created.
    let before = store.stats().await.unwrap();
    let out = run(d(2026, 5, 1)).await;
    assert_eq!((out.report().summary.created, out.report().summary.unchanged), (0, 3));
    assert_eq!(store.stats().await.unwrap(), before);
}
