//! The store conformance suite on SQLite (a temporary file).

use iphr_store::prelude::*;
use iphr_store_sqlite::SqliteStore;

#[tokio::test]
async fn conformance_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested/folder/iphr.db");
    let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await.expect("open");
    store.migrate().await.expect("migrate");
    assert!(path.exists(), "the database file and its folders are created");
    iphr_store_conformance::run(&store).await;
    println!("conformance suite ran on SQLite");
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("fk.db").display().to_string()).await.expect("open");
    store.migrate().await.expect("migrate");
    // An employment naming a company that does not exist is refused.
    let w = iphr_store_conformance::world();
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
    use iphr_store_conformance::{assert_consents_scoped, row_statements, seed_class_wide_stress_consents};
    use sqlx::Connection;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("m.db");
    let store = SqliteStore::open(&path.display().to_string()).await.expect("open");
    store.migrate().await.expect("migrate");
    let case = seed_class_wide_stress_consents(&store).await;
    let sql = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0013_consent_scope.sql"))
        .expect("migration");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.expect("connect");
    for statement in row_statements(&sql) {
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut conn).await.expect("migration statement");
    }
    assert_consents_scoped(&store, &case).await;
}
