//! The store conformance suite on PostgreSQL. Runs when `IPHR_TEST_PG_URL` names a server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); creates a fresh database for the run
//! and drops it afterwards. Without the variable it says it was skipped.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use iphr_store::prelude::*;
use iphr_store_postgres::PgStore;
use sqlx::{Connection, PgConnection};

async fn fresh_database() -> Option<(String, String)> {
    let Ok(admin) = std::env::var("IPHR_TEST_PG_URL") else {
        println!("PostgreSQL conformance suite skipped: IPHR_TEST_PG_URL is not set");
        return None;
    };
    let name = format!("iphr_test_{}", uuid::Uuid::now_v7().simple());
    let mut conn = PgConnection::connect(&admin).await.expect("connect to IPHR_TEST_PG_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap_or(admin.clone());
    Some((admin, format!("{base}/{name}")))
}

async fn drop_database(admin: &str, url: &str) {
    let name = url.rsplit('/').next().unwrap_or_default();
    if let Ok(mut conn) = PgConnection::connect(admin).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await;
    }
}

#[tokio::test]
async fn conformance_postgres() {
    let Some((admin, url)) = fresh_database().await else {
        return;
    };
    let store = PgStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    iphr_store_conformance::run(&store).await;
    drop(store);
    drop_database(&admin, &url).await;
    println!("conformance suite ran on PostgreSQL");
}

/// Issue 11.10: the migration that scopes consents, on PostgreSQL (see the SQLite test).
#[tokio::test]
async fn class_wide_stress_consents_are_scoped_by_the_migration() {
    use iphr_store_conformance::{assert_consents_scoped, row_statements, seed_class_wide_stress_consents};
    let Some((admin, url)) = fresh_database().await else {
        return;
    };
    let store = PgStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let case = seed_class_wide_stress_consents(&store).await;
    let sql = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/0013_consent_scope.sql"))
        .expect("migration");
    let mut conn = PgConnection::connect(&url).await.expect("connect");
    for statement in row_statements(&sql) {
        sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&mut conn).await.expect("migration statement");
    }
    drop(conn);
    assert_consents_scoped(&store, &case).await;
    drop(store);
    drop_database(&admin, &url).await;
}
