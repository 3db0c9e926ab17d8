//! # iphr-store-sqlite
//!
//! The SQLite backend of [`iphr_store::Store`]: the embedded default (`./iphr-data/iphr.db`),
//! one file, no server. WAL journal, foreign keys on, a busy timeout, and write transactions
//! opened with `BEGIN IMMEDIATE` so that they never fail half-way on a lock upgrade.

use iphr_store::{Result, StoreError};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

type Db = sqlx::Sqlite;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    pool: sqlx::SqlitePool,
}

type StoreImpl = SqliteStore;

impl SqliteStore {
    /// Opens (creating if missing, with its parent folder) the database at a `sqlite://PATH`
    /// URL or a plain path.
    pub async fn open(url_or_path: &str) -> Result<Self> {
        let path = url_or_path
            .strip_prefix("sqlite://")
            .or_else(|| url_or_path.strip_prefix("sqlite:"))
            .unwrap_or(url_or_path);
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = Path::new(path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Backend(format!("cannot create folder {}: {e}", parent.display())))?;
        }
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{path}"))
            .map_err(|e| StoreError::Backend(format!("bad SQLite URL {url_or_path:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-16384")
            // Truncate the WAL after checkpoints so a large import does not leave it large.
            .pragma("journal_size_limit", "67108864");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .map_err(|e| StoreError::Backend(format!("cannot open SQLite database {path}: {e}")))?;
        Ok(Self { pool })
    }

    /// The size of the database file set (main file and WAL) in bytes.
    pub async fn size_bytes(&self) -> Result<u64> {
        let pages: i64 =
            sqlx::query_scalar("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
                .fetch_one(&self.pool)
                .await
                .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(u64::try_from(pages).unwrap_or(0))
    }
}

mod backend {
    use super::Db;
    use iphr_store::{Result, StoreError};

    pub const NAME: &str = "sqlite";
    pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

    /// A write transaction, `BEGIN IMMEDIATE`: takes the write lock up front.
    pub async fn begin_write(pool: &sqlx::Pool<Db>) -> Result<sqlx::Transaction<'static, Db>> {
        pool.begin_with("BEGIN IMMEDIATE").await.map_err(|e| StoreError::Backend(e.to_string()))
    }
}

/// The SQL implementation of the store traits shared with the other backend.
#[path = "../../store/sql/mod.rs"]
mod sql;
