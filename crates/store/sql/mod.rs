//! The SQL implementation of the `iphr_store` traits, shared by the SQLite and the PostgreSQL
//! backends: one file per aggregate, as in `iphr_store`. It is not a module of iphr-store: each
//! backend crate declares it with `#[path = "../../store/sql/mod.rs"] mod sql;` after defining
//!   - `type Db` (the sqlx database),
//!   - `StoreImpl` (its store type, with a `pool: sqlx::Pool<Db>` field),
//!   - `mod backend` with `NAME`, `MIGRATOR`, `begin_write(&Pool<Db>)`,
//!
//! so the same text is compiled once per backend (docs/decisions/0001-one-sql-two-backends.md).
//! Both databases accept the same statements here ($N placeholders, ON CONFLICT, LIMIT/OFFSET);
//! column types differ only in the migrations (UUID as BLOB(16) vs uuid, dates as ISO text vs
//! date). What differs in behaviour lives in `backend`.

use super::{Db, StoreImpl, backend};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::normalize::search_key;
use iphr_domain::observation::{Comparator, Observation, Provenance, Qualifier, RangeFlag, Value};
use iphr_domain::ohcc::{DataAtr, ItemCode, Producer};
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person, Sex};
use iphr_domain::policy::{Access, ConsentGrant, PolicyOverride};
use iphr_domain::postcheckup::WorkCategory;
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, Department, Establishment};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId, UserId};
use iphr_store::prelude::*;
use iphr_store::{
    AssignmentView, AuditFilter, Batch, CheckupToJudge, CompanyStats, DashboardCounts, EventVersion, HistoryEntry,
    HrEmployee, HrState, HrWrite, ImportWrite, JudgeSummary, JudgementFilter, JudgementRecord, JudgementWrite,
    MonthlyValue, Page, PersonMerge, PriorOpinion, QueueEntry, RecordDraft, Result, RuleOverride, Section, Session,
    SourceFile, SourceMapping, Stats, StepRecord, StepWrite, StoreError, StressCampaign, StressSheet, UnmappedEntry,
    User, WorkerHeader, WorkerQuery, WorkerRow,
};
use sqlx::{QueryBuilder, Row};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

type DbRow = <Db as sqlx::Database>::Row;

/// Ids per `IN (…)` list of a look-up.
const IN_LIST: usize = 500;

/// Rows per multi-row INSERT: keeps the bound parameters under SQLite's 32,766 limit.
const CHUNK_BINDS: usize = 30_000;

fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound(e.to_string()),
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(d.message().to_string()),
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::Conflict(format!("reference: {}", d.message()))
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r DbRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get::<T, _>(col).map_err(|e| corrupt(col, e))
}

fn parse<T: std::str::FromStr>(col: &str, s: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse::<T>().map_err(|e| corrupt(col, e))
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A nullable column that a query may not select (then `None`).
fn optional<'r, T>(r: &'r DbRow, col: &str) -> Result<Option<T>>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    match r.try_get::<Option<T>, _>(col) {
        Ok(v) => Ok(v),
        Err(sqlx::Error::ColumnNotFound(_)) => Ok(None),
        Err(e) => Err(corrupt(col, e)),
    }
}

/// Pushes `rows` as multi-row INSERTs of at most `CHUNK_BINDS` parameters each.
async fn insert_rows<'c, T, F>(
    tx: &mut sqlx::Transaction<'c, Db>,
    head: &str,
    columns: usize,
    rows: &[T],
    mut bind: F,
) -> Result<()>
where
    F: FnMut(sqlx::query_builder::Separated<'_, Db, &'static str>, &T),
{
    let per_chunk = (CHUNK_BINDS / columns).max(1);
    for chunk in rows.chunks(per_chunk) {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(head);
        qb.push_values(chunk, &mut bind);
        // Only the full-size statement is kept prepared: every other size would stay in the
        // connection's statement cache (up to 100, megabytes each for 30,000 parameters).
        qb.build().persistent(chunk.len() == per_chunk).run(&mut **tx).await?;
    }
    Ok(())
}

/// Runs a query with two UUID parameters (company and another id) and maps every row.
async fn fetch_by_company<T>(
    pool: &sqlx::Pool<Db>,
    sql: &'static str,
    company: Uuid,
    other: Uuid,
    map: fn(&DbRow) -> Result<T>,
) -> Result<Vec<T>> {
    sqlx::query(sql).bind(company).bind(other).rows(pool, map).await
}

/// FNV-1a 64 of a text, in hex: the change detector of stored judgements.
fn stable_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

macro_rules! obs_cols {
    () => {
        "company_id, id, event_id, person_id, employment_id, item, data_atr, value_kind, num, unit, code, text, comparator, flag, info_class, event_date, source_code, source_text, raw_value, source_doc, table_version, scale"
    };
}

macro_rules! event_cols {
    () => {
        "company_id, id, person_id, employment_id, department_id, kind, subkind, event_date, title, content_class, producer, detail, source_doc"
    };
}

macro_rules! user_cols {
    () => {
        "id, login, display_name, role, password_hash, person_id, disabled"
    };
}

mod query;
mod rows;
use query::{QueryExt, ScalarExt};
use rows::*;

mod audit;
mod auth;
mod documents;
mod import;
mod maintenance;
mod org;
mod people;
mod policy;
mod postcheckup;
mod records;
mod stress;
mod uploads;
mod workstatus;
