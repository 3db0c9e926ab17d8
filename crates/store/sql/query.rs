//! The one way a query is run: `sqlx::query(…).bind(…)` then [`QueryExt`] — it maps the
//! database's errors to [`StoreError`] and rows to records, so no method writes the
//! `fetch → await → map_err → iter → map → collect` chain itself.

use super::{Db, DbRow, db_err};
use iphr_store::Result;

/// A query with its arguments bound.
type Query<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

/// Runs a bound query on a pool or a transaction (`&self.pool`, `&mut *tx`).
pub(super) trait QueryExt<'q> {
    /// Every row, mapped.
    async fn rows<'e, 'c: 'e, E, T>(self, on: E, map: impl FnMut(&DbRow) -> Result<T> + Send) -> Result<Vec<T>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// The row, if any, mapped.
    async fn row<'e, 'c: 'e, E, T>(self, on: E, map: impl FnOnce(&DbRow) -> Result<T> + Send) -> Result<Option<T>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// Every row as it is.
    async fn all<'e, 'c: 'e, E>(self, on: E) -> Result<Vec<DbRow>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// The row, if any, as it is.
    async fn optional<'e, 'c: 'e, E>(self, on: E) -> Result<Option<DbRow>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// The one row the query must return.
    async fn one<'e, 'c: 'e, E>(self, on: E) -> Result<DbRow>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// Runs a statement; the number of rows it changed.
    async fn run<'e, 'c: 'e, E>(self, on: E) -> Result<u64>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
}

impl<'q> QueryExt<'q> for Query<'q> {
    async fn rows<'e, 'c: 'e, E, T>(self, on: E, mut map: impl FnMut(&DbRow) -> Result<T> + Send) -> Result<Vec<T>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_all(on).await.map_err(db_err)?.iter().map(&mut map).collect()
    }

    async fn row<'e, 'c: 'e, E, T>(self, on: E, map: impl FnOnce(&DbRow) -> Result<T> + Send) -> Result<Option<T>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_optional(on).await.map_err(db_err)?.as_ref().map(map).transpose()
    }

    async fn all<'e, 'c: 'e, E>(self, on: E) -> Result<Vec<DbRow>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_all(on).await.map_err(db_err)
    }

    async fn optional<'e, 'c: 'e, E>(self, on: E) -> Result<Option<DbRow>>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_optional(on).await.map_err(db_err)
    }

    async fn one<'e, 'c: 'e, E>(self, on: E) -> Result<DbRow>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_one(on).await.map_err(db_err)
    }

    async fn run<'e, 'c: 'e, E>(self, on: E) -> Result<u64>
    where
        'q: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        Ok(self.execute(on).await.map_err(db_err)?.rows_affected())
    }
}

/// A scalar query with its arguments bound.
type Scalar<'q, O> = sqlx::query::QueryScalar<'q, Db, O, <Db as sqlx::Database>::Arguments>;

/// Runs a bound scalar query (`sqlx::query_scalar`) on a pool or a transaction.
pub(super) trait ScalarExt<'q, O> {
    /// The one value the query must return.
    async fn one<'e, 'c: 'e, E>(self, on: E) -> Result<O>
    where
        'q: 'e,
        O: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
    /// The value, if any.
    async fn optional<'e, 'c: 'e, E>(self, on: E) -> Result<Option<O>>
    where
        'q: 'e,
        O: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>;
}

impl<'q, O> ScalarExt<'q, O> for Scalar<'q, O>
where
    O: Send + Unpin,
    (O,): Send + Unpin + for<'r> sqlx::FromRow<'r, DbRow>,
{
    async fn one<'e, 'c: 'e, E>(self, on: E) -> Result<O>
    where
        'q: 'e,
        O: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_one(on).await.map_err(db_err)
    }

    async fn optional<'e, 'c: 'e, E>(self, on: E) -> Result<Option<O>>
    where
        'q: 'e,
        O: 'e,
        E: 'e + sqlx::Executor<'c, Database = Db>,
    {
        self.fetch_optional(on).await.map_err(db_err)
    }
}
