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
