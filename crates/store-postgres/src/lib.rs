//! # iphr-store-postgres
//!
//! The PostgreSQL backend of [`iphr_store::Store`]: production and scale-out. Several
//! stateless `iphr serve` processes share one database (sessions are stored here too). Every
//! tenant-scoped key starts with `company_id`, so the tables can be distributed by company.

use iphr_store::{Result, StoreError};
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

type Db = sqlx::Postgres;

/// The PostgreSQL store.
#[derive(Clone)]
pub struct PgStore {
    pool: sqlx::PgPool,
}

type StoreImpl = PgStore;

impl PgStore {
    /// Connects to a `postgres://` URL.
    pub async fn connect(url: &str) -> Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|e| StoreError::Backend(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Self { pool })
    }

    /// The size of the current database in bytes.
    pub async fn size_bytes(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

mod backend {
    use super::Db;
    use iphr_store::{Result, StoreError};

    pub const NAME: &str = "postgres";
    pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

    /// A write transaction.
    pub async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>> {
        pool.begin().await.map_err(|e| StoreError::Backend(e.to_string()))
    }
}

/// The SQL implementation of the store traits shared with the other backend.
#[path = "../../store/sql/mod.rs"]
mod sql;
