//! The store conformance suite on SQLite (a temporary file).

use iphr_store::Store;
use iphr_store_sqlite::SqliteStore;

#[tokio::test]
async fn conformance_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/folder/iphr.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await.expect("open");
    store.migrate().await.expect("migrate");
    assert!(path.exists(), "the database file and its folders are created");
    iphr_store::conformance::run(&store).await;
    println!("conformance suite ran on SQLite");
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("fk.db").display().to_string()).await.expect("open");
    store.migrate().await.expect("migrate");
    // An employment naming a company that does not exist is refused.
    let w = iphr_store::conformance::world();
    let b = iphr_store::Batch {
        persons: w.batch.persons.clone(),
        employments: w.batch.employments.clone(),
        ..Default::default()
    };
    assert!(store.insert_batch(&b).await.is_err());
    assert!(!store.has_data().await.expect("has_data"));
}

/// Issue 11.10: the migration that scopes consents. A class-wide stress-check consent given
/// before (by an interview application) is scoped to the person's latest stress check on or
/// before the day it was given; one with no stress check is revoked.
#[tokio::test]
async fn class_wide_stress_consents_are_scoped_by_the_migration() {
    use iphr_domain::info_class::InfoClass;
    use iphr_domain::policy::ConsentGrant;
    use iphr_domain::role::Role;
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.db");
    let store = SqliteStore::open(&path.display().to_string()).await.expect("open");
    store.migrate().await.expect("migrate");
    let w = iphr_store::conformance::world();
    let (p0, p1) = (w.persons[0].id, w.persons[1].id);
    let wide = |person| ConsentGrant {
        person_id: person,
        company_id: w.company.id,
        info_class: InfoClass::Stress,
        grantee_role: Role::Hr,
        event_id: None,
    };
    store.create_company(&w.company).await.expect("company");
    let mut batch = w.batch.clone();
    batch.consents.extend([wide(p0), wide(p1)]);
    store.insert_batch(&batch).await.expect("insert");
    // What 0013 does to the rows (its ALTER TABLE has run already).
    let sql = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0013_consent_scope.sql"))
        .expect("migration");
    let body: String =
        sql.lines().filter(|l| !l.starts_with("ALTER TABLE") && !l.starts_with("--")).collect::<Vec<_>>().join("\n");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("connect");
    for statement in body.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string())).execute(&mut conn).await.expect("migration statement");
    }
    let stress_check =
        w.batch.events.iter().find(|e| e.kind == iphr_domain::event::EventKind::StressCheck).expect("check");
    let c0: Vec<ConsentGrant> = store.consents_of_person(p0).await.expect("consents");
    let stress: Vec<&ConsentGrant> = c0.iter().filter(|c| c.info_class == InfoClass::Stress).collect();
    assert_eq!(stress.len(), 2, "the world's scoped consent and the converted one: {c0:?}");
    assert!(stress.iter().all(|c| c.event_id == Some(stress_check.id)), "{c0:?}");
    assert!(c0.iter().any(|c| c.info_class == InfoClass::Class3 && c.event_id.is_none()), "other classes untouched");
    assert!(store.consents_of_person(p1).await.expect("consents").is_empty(), "no stress check: revoked");
}
