//! Document bundles: a zip and a folder of scans matched to the workers of the HR master by the
//! file-name pattern; stored bytes equal the input; attachment events on the right timelines;
//! unchanged on re-import; unmatched documents listed and assigned by hand; hostile bundles
//! refused with the file and reason and nothing written; --allow-partial skips and reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_convert::documents::{Limits, Pattern};
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_domain::info_class::InfoClass;
use iphr_domain::tenant::Company;
use iphr_import::{
    DocumentOutcome, DocumentReport, ImportError, Options, PersonRef, assign_document, import_documents,
};
use iphr_store::AuditFilter;
use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;
use std::path::PathBuf;

const PATTERN: &str = "{employee_number}_{date}_{title}.pdf";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixture(name: &str) -> PathBuf {
    root().join("fixtures/documents").join(name)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A company with the three employees of fixtures/hr/hr-2024.csv (A000101–A000103).
async fn setup() -> (SqliteStore, tempfile::TempDir, CompanyId) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("d.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let c = Company { id: CompanyId::new(), name: "文書取込株式会社".into() };
    store.create_company(&c).await.unwrap();
    let hr = std::fs::read(root().join("fixtures/hr/hr-2024.csv")).unwrap();
    iphr_import::import_hr(&store, c.id, "hr-2024.csv", &hr, d(2024, 7, 1), "test", Options::default()).await.unwrap();
    (store, dir, c.id)
}

async fn import(
    store: &SqliteStore,
    c: CompanyId,
    name: &str,
    pattern: &str,
    limits: Limits,
    options: Options,
) -> Result<DocumentOutcome, ImportError> {
    let p = Pattern::parse(pattern).unwrap();
    import_documents(store, c, &fixture(name), &p, limits, "test", options).await
}

fn person(store_candidates: &[iphr_domain::identity::Candidate], no: &str) -> iphr_domain::PersonId {
    store_candidates.iter().find(|c| c.employee_number == no).unwrap().person_id
}

async fn document_count(store: &SqliteStore, c: CompanyId) -> usize {
    let cands = store.identity_candidates(c).await.unwrap();
    let mut n = store.unassigned_documents(c).await.unwrap().len();
    for cand in &cands {
        n += store.documents_of_person(c, cand.person_id).await.unwrap().len();
    }
    n
}

fn imported(out: DocumentOutcome) -> DocumentReport {
    match out {
        DocumentOutcome::Imported { report } => report,
        other => panic!("not imported: {other:?}"),
    }
}

#[tokio::test]
async fn a_zip_of_scans_goes_on_the_timelines() {
    let (store, _dir, c) = setup().await;
    let r = imported(import(&store, c, "clean.zip", PATTERN, Limits::default(), Options::default()).await.unwrap());
    assert_eq!(
        (r.read, r.summary.imported, r.summary.matched, r.summary.unassigned, r.summary.unchanged, r.rejected),
        (5, 5, 2, 3, 0, 0),
        "{r:#?}"
    );
    // The PNG in 2024/ does not end in .pdf: it waits with the two others.
    let cands = store.identity_candidates(c).await.unwrap();
    let yamada = person(&cands, "A000101");
    let timeline = store.timeline(c, yamada).await.unwrap();
    let att: Vec<_> = timeline.iter().filter(|e| e.kind == EventKind::Attachment).collect();
    assert_eq!(att.len(), 1);
    let e = att[0];
    assert_eq!((e.event_date, e.title.as_str(), e.content_class), (d(2024, 5, 10), "精密検査結果", InfoClass::Class3));
    let doc_id: uuid::Uuid = e.source_doc.as_deref().unwrap().parse().unwrap();
    assert_eq!(e.detail["document_id"], serde_json::json!(doc_id));
    // The stored bytes are the file's, with the bundle's hash.
    let stored = store.document(c, doc_id).await.unwrap().unwrap();
    assert_eq!(stored.bytes, std::fs::read(fixture("bundle/A000101_2024-05-10_精密検査結果.pdf")).unwrap());
    assert_eq!(stored.meta.content_type, "application/pdf");
    assert_eq!(stored.meta.source_sha256, r.sha256);
    assert_eq!(stored.meta.person_id, Some(yamada));
    assert_eq!(stored.meta.event_id, Some(e.id));
    // 和暦 in the name.
    let sato = person(&cands, "A000102");
    let e2: Vec<_> =
        store.timeline(c, sato).await.unwrap().into_iter().filter(|e| e.kind == EventKind::Attachment).collect();
    assert_eq!((e2.len(), e2[0].event_date, e2[0].title.as_str()), (1, d(2024, 6, 3), "診断書"));
    // Nothing on the third worker's timeline.
    let suzuki = person(&cands, "A000103");
    assert!(store.timeline(c, suzuki).await.unwrap().iter().all(|e| e.kind != EventKind::Attachment));

    // The unmatched ones are listed, each with its reason.
    let waiting = store.unassigned_documents(c).await.unwrap();
    let mut reasons: Vec<(String, String)> =
        waiting.iter().map(|w| (w.original_path.clone(), w.unmatched_reason.clone().unwrap())).collect();
    reasons.sort();
    assert_eq!(
        reasons,
        vec![
            ("2024/A000103_20240701_主治医意見書.png".into(), "the name does not fit the pattern".into()),
            ("A009999_2024-05-20_紹介状.pdf".into(), "unknown employee number A009999".into()),
            ("scan0001.pdf".into(), "the name does not fit the pattern".into()),
        ]
    );
    let png = waiting.iter().find(|w| w.original_path.ends_with(".png")).unwrap();
    assert_eq!(png.content_type, "image/png");
    assert_eq!(
        store.document(c, png.id).await.unwrap().unwrap().bytes,
        std::fs::read(fixture("bundle/2024/A000103_20240701_主治医意見書.png")).unwrap()
    );
    let source = store.source_file(c, "documents", &r.sha256).await.unwrap().unwrap();
    assert_eq!(source.profile.as_deref(), Some(PATTERN));

    // The same bundle again: nothing new.
    let before = store.stats().await.unwrap();
    let r2 = imported(import(&store, c, "clean.zip", PATTERN, Limits::default(), Options::default()).await.unwrap());
    assert_eq!((r2.read, r2.summary.imported, r2.summary.unchanged, r2.summary.assigned), (5, 0, 5, 0));
    assert_eq!(store.stats().await.unwrap(), before);
    assert_eq!(document_count(&store, c).await, 5);

    // A wider pattern later: the waiting PNG now matches and goes to its worker; the rest is
    // unchanged.
    let r3 = imported(
        import(&store, c, "clean.zip", "{employee_number}_{date}_{title}.*", Limits::default(), Options::default())
            .await
            .unwrap(),
    );
    assert_eq!((r3.summary.imported, r3.summary.assigned, r3.summary.unchanged), (0, 1, 4), "{r3:#?}");
    let e3: Vec<_> =
        store.timeline(c, suzuki).await.unwrap().into_iter().filter(|e| e.kind == EventKind::Attachment).collect();
    assert_eq!((e3.len(), e3[0].event_date, e3[0].title.as_str()), (1, d(2024, 7, 1), "主治医意見書"));
    assert_eq!(store.unassigned_documents(c).await.unwrap().len(), 2);
    let audit = store.list_audit(&AuditFilter { company_id: Some(c), limit: 20, ..Default::default() }).await.unwrap();
    assert_eq!(audit.iter().filter(|a| a.action == "import documents").count(), 3);
}

#[tokio::test]
async fn the_folder_needs_allow_partial_for_its_note() {
    let (store, _dir, c) = setup().await;
    let pattern = "{employee_number}_{date}_{title}.*";
    let out = import(&store, c, "bundle", pattern, Limits::default(), Options::default()).await.unwrap();
    let DocumentOutcome::Refused { report } = out else { panic!("{out:?}") };
    assert_eq!(report.rejected, 1);
    let e = &report.errors[0];
    assert_eq!((e.entry(), e.field.as_str()), (Some("面談メモ.txt"), "content_type"));
    assert!(e.reason.contains("not a PDF, JPEG, PNG, TIFF or HEIC document: text"), "{}", e.reason);
    assert!(e.file.ends_with("fixtures/documents/bundle"));
    assert_eq!(document_count(&store, c).await, 0, "a refused bundle writes nothing");

    // A dry run reports and writes nothing.
    let dry = Options { dry_run: true, allow_partial: true, ..Options::default() };
    let out = import(&store, c, "bundle", pattern, Limits::default(), dry).await.unwrap();
    assert!(matches!(out, DocumentOutcome::DryRun { .. }));
    assert_eq!(document_count(&store, c).await, 0);

    let partial = Options { dry_run: false, allow_partial: true, ..Options::default() };
    let r = imported(import(&store, c, "bundle", pattern, Limits::default(), partial).await.unwrap());
    assert_eq!(
        (r.read, r.summary.imported, r.summary.matched, r.summary.unassigned, r.rejected, r.summary.skipped),
        (6, 5, 3, 2, 1, 1),
        "{r:#?}"
    );
    assert_eq!(r.warnings[0].entry(), Some(".DS_Store"));
    assert_eq!(document_count(&store, c).await, 5);
    // The zip holds the same documents: unchanged (the same bytes are stored once).
    let r = imported(import(&store, c, "bundle.zip", pattern, Limits::default(), partial).await.unwrap());
    assert_eq!((r.summary.imported, r.summary.unchanged, r.rejected), (0, 5, 1));
}

#[tokio::test]
async fn unmatched_documents_are_assigned_by_hand() {
    let (store, _dir, c) = setup().await;
    imported(import(&store, c, "clean.zip", PATTERN, Limits::default(), Options::default()).await.unwrap());
    let waiting = store.unassigned_documents(c).await.unwrap();
    let scan = waiting.iter().find(|w| w.original_path == "scan0001.pdf").unwrap();
    let cands = store.identity_candidates(c).await.unwrap();
    let suzuki = person(&cands, "A000103");
    let m = assign_document(&store, c, scan.id, &PersonRef::EmployeeNumber("A000103".into()), "nurse").await.unwrap();
    assert_eq!((m.person_id, m.assigned_by.as_deref()), (Some(suzuki), Some("nurse")));
    let att: Vec<_> =
        store.timeline(c, suzuki).await.unwrap().into_iter().filter(|e| e.kind == EventKind::Attachment).collect();
    assert_eq!(att.len(), 1);
    assert_eq!(att[0].source_doc, Some(scan.id.to_string()));
    assert_eq!(att[0].title, "scan0001.pdf");
    assert_eq!(store.unassigned_documents(c).await.unwrap().len(), 2);
    // Twice, an unknown employee, another company's person: refused.
    let again = assign_document(&store, c, scan.id, &PersonRef::Person(suzuki), "nurse").await;
    assert!(again.unwrap_err().to_string().contains("no unassigned document"));
    let other = waiting.iter().find(|w| w.original_path.starts_with("A009999")).unwrap();
    let unknown = assign_document(&store, c, other.id, &PersonRef::EmployeeNumber("A009999".into()), "nurse").await;
    assert!(unknown.unwrap_err().to_string().contains("unknown employee number A009999"));
    let stranger = iphr_domain::PersonId::new();
    assert!(assign_document(&store, c, other.id, &PersonRef::Person(stranger), "nurse").await.is_err());
    let audit = store.list_audit(&AuditFilter { company_id: Some(c), limit: 20, ..Default::default() }).await.unwrap();
    let a = audit.iter().find(|a| a.action == "assign document").unwrap();
    assert_eq!((a.person_id, a.login.as_str()), (Some(suzuki), "nurse"));
}

#[tokio::test]
async fn hostile_bundles_are_refused_and_write_nothing() {
    let (store, _dir, c) = setup().await;
    let before = store.stats().await.unwrap();
    // A zip bomb: 60 MiB in a 60 KB file, over the 50 MiB cap per document.
    let out = import(&store, c, "bomb.zip", PATTERN, Limits::default(), Options::default()).await.unwrap();
    let DocumentOutcome::Refused { report } = out else { panic!("{out:?}") };
    let e = &report.errors[0];
    assert_eq!((e.entry(), e.field.as_str()), (Some("A000101_2024-05-10_bomb.pdf"), "size"));
    assert!(e.reason.contains("larger than 52428800 bytes"), "{}", e.reason);
    // Path traversal: the whole bundle, even with --allow-partial.
    let partial = Options { dry_run: false, allow_partial: true, ..Options::default() };
    let err = import(&store, c, "traversal.zip", PATTERN, Limits::default(), partial).await.unwrap_err().to_string();
    assert!(err.contains("traversal.zip") && err.contains("../../etc/") && err.contains("leaves the bundle"), "{err}");
    // Truncated.
    let err = import(&store, c, "truncated.zip", PATTERN, Limits::default(), partial).await.unwrap_err().to_string();
    assert!(err.contains("truncated.zip") && err.contains("not a readable zip archive"), "{err}");
    // Not a bundle at all.
    let err = import(&store, c, "make.py", PATTERN, Limits::default(), partial).await.unwrap_err().to_string();
    assert!(err.contains("make.py: neither a zip archive nor a folder"), "{err}");
    // Over the total cap (a bomb of many small documents).
    let small_total = Limits { max_total: 1500, ..Limits::default() };
    let err = import(&store, c, "clean.zip", PATTERN, small_total, partial).await.unwrap_err().to_string();
    assert!(err.contains("clean.zip") && err.contains("too large"), "{err}");
    // Oversized documents with a small cap: refused, then skipped and reported with --allow-partial.
    let small = Limits { max_document: 400, ..Limits::default() };
    let out = import(&store, c, "clean.zip", PATTERN, small, Options::default()).await.unwrap();
    let DocumentOutcome::Refused { report } = out else { panic!("{out:?}") };
    assert_eq!(report.rejected, 4, "the four PDFs are over 400 bytes: {report:#?}");
    assert!(report.errors.iter().all(|e| e.field == "size" && e.file.ends_with("clean.zip")));
    assert_eq!(store.stats().await.unwrap(), before, "nothing written");
    assert_eq!(document_count(&store, c).await, 0);
    let r = imported(import(&store, c, "clean.zip", PATTERN, small, partial).await.unwrap());
    assert_eq!((r.read, r.summary.imported, r.rejected, r.summary.unassigned), (5, 1, 4, 1), "{r:#?}");
    assert_eq!(document_count(&store, c).await, 1);
}

/// Issue 12 (one clock): a document whose name gives no date is dated the Japanese date of the
/// import's clock — at 23:30 UTC that is already the next day.
#[tokio::test]
async fn a_document_without_a_date_is_dated_today_in_japan() {
    let (store, _dir, c) = setup().await;
    let now = iphr_domain::clock::parse_instant("2026-11-30T23:30:00Z").unwrap();
    let options = Options { now: Some(now), ..Options::default() };
    let r = imported(
        import(&store, c, "clean.zip", "{employee_number}_{title}.pdf", Limits::default(), options).await.unwrap(),
    );
    assert!(r.summary.matched >= 1, "{r:#?}");
    let cands = store.identity_candidates(c).await.unwrap();
    let timeline = store.timeline(c, person(&cands, "A000101")).await.unwrap();
    let att: Vec<_> = timeline.iter().filter(|e| e.kind == EventKind::Attachment).collect();
    assert_eq!(att.len(), 1);
    assert_eq!((att[0].event_date, att[0].title.as_str()), (d(2026, 12, 1), "2024-05-10_精密検査結果"));
}
