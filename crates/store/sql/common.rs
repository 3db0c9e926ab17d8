// The SQL implementation of `iphr_store::Store` shared by the SQLite and the PostgreSQL
// backends. It is not a module of iphr-store: each backend crate `include!`s it after
// defining
//   - `type Db` (the sqlx database),
//   - `StoreImpl` (its store type, with a `pool: sqlx::Pool<Db>` field),
//   - `mod backend` with `NAME`, `MIGRATOR`, `begin_write(&Pool<Db>)`.
// Both databases accept the same statements here ($N placeholders, ON CONFLICT, LIMIT/OFFSET);
// column types differ only in the migrations (UUID as BLOB(16) vs uuid, dates as ISO text vs
// date). What differs in behaviour lives in `backend`.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::postcheckup::WorkCategory;
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::normalize::search_key;
use iphr_domain::observation::{Comparator, Observation, Provenance, Qualifier, RangeFlag, Value};
use iphr_domain::ohcc::{DataAtr, ItemCode, Producer};
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person, Sex};
use iphr_domain::policy::{Access, ConsentGrant, PolicyOverride};
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, Department, Establishment};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId, UserId};
use iphr_store::{
    CheckupToJudge, DashboardCounts, JudgeSummary, JudgementFilter, JudgementRecord, JudgementWrite, PriorOpinion, RuleOverride,
    Section, StepRecord, StepWrite, MonthlyValue, StressCampaign, StressSheet,
    AssignmentView, AuditFilter, Batch, CompanyStats, HistoryEntry, HrEmployee, HrState, HrWrite, ImportWrite, Page,
    PersonMerge, QueueEntry, Result, Session, SourceFile, SourceMapping, Stats, Store, StoreError, UnmappedEntry, User, WorkerHeader, WorkerQuery,
    WorkerRow,
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

fn upload_from_row(r: &DbRow) -> Result<iphr_store::Upload> {
    let status: String = get(r, "status")?;
    Ok(iphr_store::Upload {
        company_id: CompanyId(get(r, "company_id")?),
        id: get(r, "id")?,
        user_id: UserId(get(r, "user_id")?),
        login: get(r, "login")?,
        role: get(r, "role")?,
        kind: get(r, "kind")?,
        profile: get(r, "profile")?,
        file_name: get(r, "file_name")?,
        sha256: get(r, "sha256")?,
        size: get(r, "size")?,
        status: iphr_store::UploadStatus::parse(&status).ok_or_else(|| corrupt("upload status", &status))?,
        phase: get(r, "phase")?,
        report: get(r, "report")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
    })
}

fn regime(s: &str) -> Result<iphr_domain::person::WorkRegime> {
    iphr_domain::person::WorkRegime::parse(s).ok_or_else(|| corrupt("work_regime", s))
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

fn person_from_row(r: &DbRow) -> Result<Person> {
    Ok(Person {
        id: PersonId(get(r, "p_id")?),
        family_name: get(r, "family_name")?,
        given_name: get(r, "given_name")?,
        family_kana: get(r, "family_kana")?,
        given_kana: get(r, "given_kana")?,
        sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
        birth_date: get(r, "birth_date")?,
        insurer: InsurerIds {
            insurer_number: get(r, "insurer_number")?,
            symbol: get(r, "insured_symbol")?,
            number: get(r, "insured_number")?,
        },
        name_as_delivered: optional(r, "name_as_delivered")?,
        kana_as_delivered: optional(r, "kana_as_delivered")?,
    })
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

fn employment_from_row(r: &DbRow) -> Result<Employment> {
    Ok(Employment {
        company_id: CompanyId(get(r, "company_id")?),
        id: EmploymentId(get(r, "id")?),
        person_id: PersonId(get(r, "person_id")?),
        employee_number: get(r, "employee_number")?,
        hire_date: get(r, "hire_date")?,
        leave_date: get(r, "leave_date")?,
    })
}

fn event_from_row(r: &DbRow) -> Result<Event> {
    let detail: String = get(r, "detail")?;
    Ok(Event {
        company_id: CompanyId(get(r, "company_id")?),
        id: EventId(get(r, "id")?),
        person_id: get::<Option<Uuid>>(r, "person_id")?.map(PersonId),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        department_id: get::<Option<Uuid>>(r, "department_id")?.map(iphr_domain::DepartmentId),
        kind: parse::<EventKind>("kind", &get::<String>(r, "kind")?)?,
        subkind: get(r, "subkind")?,
        event_date: get(r, "event_date")?,
        title: get(r, "title")?,
        content_class: parse::<InfoClass>("content_class", &get::<String>(r, "content_class")?)?,
        producer: {
            let p: String = get(r, "producer")?;
            p.chars()
                .next()
                .and_then(Producer::from_letter)
                .ok_or_else(|| corrupt("producer", &p))?
        },
        detail: serde_json::from_str(&detail).map_err(|e| corrupt("detail", e))?,
        source_doc: get(r, "source_doc")?,
    })
}

/// The value columns of an observations or observation_history row.
fn value_from_row(r: &DbRow) -> Result<Value> {
    let kind: String = get(r, "value_kind")?;
    Ok(match kind.as_str() {
        "number" => Value::Number {
            value: get::<Option<f64>>(r, "num")?.ok_or_else(|| corrupt("num", "missing"))?,
            unit: get::<Option<String>>(r, "unit")?.unwrap_or_default(),
        },
        "coded" => Value::Coded { code: get::<Option<String>>(r, "code")?.ok_or_else(|| corrupt("code", "missing"))? },
        "text" => Value::Text { text: get::<Option<String>>(r, "text")?.unwrap_or_default() },
        "document" => Value::Document {
            reference: get::<Option<String>>(r, "code")?.unwrap_or_default(),
            title: get::<Option<String>>(r, "text")?.unwrap_or_default(),
        },
        "not_done" => Value::NotDone,
        "not_measured" => Value::NotMeasured,
        "beyond_range" => Value::BeyondRange,
        other => return Err(corrupt("value_kind", other)),
    })
}

/// The comparator, H/L and scale columns (a query that does not select the scale reads none).
fn qualifier_from_row(r: &DbRow) -> Result<Qualifier> {
    let scale = optional::<i16>(r, "scale")?.and_then(|s| u8::try_from(s).ok());
    Ok(Qualifier {
        comparator: get::<Option<String>>(r, "comparator")?.as_deref().and_then(Comparator::from_symbol),
        flag: get::<Option<String>>(r, "flag")?.as_deref().and_then(RangeFlag::from_letter),
        scale,
    })
}

/// The provenance columns.
fn provenance_from_row(r: &DbRow) -> Result<Provenance> {
    Ok(Provenance {
        source_code: get(r, "source_code")?,
        source_text: get(r, "source_text")?,
        raw_value: get(r, "raw_value")?,
        source_doc: get(r, "source_doc")?,
        table_version: get(r, "table_version")?,
    })
}

fn observation_from_row(r: &DbRow) -> Result<Observation> {
    let value = value_from_row(r)?;
    let qualifier = qualifier_from_row(r)?;
    Ok(Observation {
        company_id: CompanyId(get(r, "company_id")?),
        id: iphr_domain::ObservationId(get(r, "id")?),
        event_id: EventId(get(r, "event_id")?),
        person_id: PersonId(get(r, "person_id")?),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        item: ItemCode::parse(&get::<String>(r, "item")?).map_err(|e| corrupt("item", e))?,
        atr: DataAtr::parse(&get::<String>(r, "data_atr")?).map_err(|e| corrupt("data_atr", e))?,
        value,
        qualifier,
        info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
        event_date: get(r, "event_date")?,
        provenance: provenance_from_row(r)?,
    })
}

fn value_columns(v: &Value) -> (Option<f64>, Option<String>, Option<String>, Option<String>) {
    match v {
        Value::Number { value, unit } => (Some(*value), Some(unit.clone()), None, None),
        Value::Coded { code } => (None, None, Some(code.clone()), None),
        Value::Text { text } => (None, None, None, Some(text.clone())),
        Value::Document { reference, title } => (None, None, Some(reference.clone()), Some(title.clone())),
        Value::NotDone | Value::NotMeasured | Value::BeyondRange => (None, None, None, None),
    }
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
        qb.push_values(chunk, |b, row| bind(b, row));
        // Only the full-size statement is kept prepared: every other size would stay in the
        // connection's statement cache (up to 100, megabytes each for 30,000 parameters).
        qb.build().persistent(chunk.len() == per_chunk).execute(&mut **tx).await.map_err(db_err)?;
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
    sqlx::query(sql).bind(company).bind(other).fetch_all(pool).await.map_err(db_err)?.iter().map(map).collect()
}

/// Recomputes the search key of every employment of a person from their current names.
async fn refresh_search_keys(tx: &mut sqlx::Transaction<'static, Db>, person: PersonId) -> Result<()> {
    let Some(p) = sqlx::query(
        "SELECT id AS p_id, family_name, given_name, family_kana, given_kana, sex, birth_date, insurer_number, insured_symbol, insured_number FROM persons WHERE id = $1",
    )
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?
    else {
        return Ok(());
    };
    let person_key = person_from_row(&p)?.search_key();
    for e in sqlx::query("SELECT company_id, id, employee_number FROM employments WHERE person_id = $1")
        .bind(person.0)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?
    {
        let key = format!("{} {}", search_key(&get::<String>(&e, "employee_number")?), person_key);
        sqlx::query("UPDATE employments SET search_key = $1 WHERE company_id = $2 AND id = $3")
            .bind(key)
            .bind(get::<Uuid>(&e, "company_id")?)
            .bind(get::<Uuid>(&e, "id")?)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

fn merge_from_row(r: &DbRow) -> Result<PersonMerge> {
    Ok(PersonMerge {
        id: get(r, "id")?,
        kept: PersonId(get(r, "kept")?),
        merged: PersonId(get(r, "merged")?),
        moved: serde_json::from_str(&get::<String>(r, "moved")?).map_err(|e| corrupt("moved", e))?,
        merged_at: get(r, "merged_at")?,
        merged_by: get(r, "merged_by")?,
        undone_at: get(r, "undone_at")?,
        undone_by: get(r, "undone_by")?,
    })
}

/// The events (of one kind, or all) of persons in a company that `keep` accepts, and their
/// observations; 500 persons and 500 events a query.
async fn events_of_persons(
    pool: &sqlx::Pool<Db>,
    company: CompanyId,
    kind: Option<EventKind>,
    persons: &[PersonId],
    keep: impl Fn(&Event) -> bool,
) -> Result<(Vec<Event>, Vec<Observation>)> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    events_of_persons_on(&mut conn, company, kind, persons, keep).await
}

/// [`events_of_persons`] on one connection (inside a transaction, it sees the transaction's rows).
async fn events_of_persons_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    company: CompanyId,
    kind: Option<EventKind>,
    persons: &[PersonId],
    keep: impl Fn(&Event) -> bool,
) -> Result<(Vec<Event>, Vec<Observation>)> {
    let mut persons = persons.to_vec();
    persons.sort();
    persons.dedup();
    let mut events = Vec::new();
    let mut observations = Vec::new();
    for chunk in persons.chunks(IN_LIST) {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(concat!("SELECT ", event_cols!(), " FROM events WHERE company_id = "));
        qb.push_bind(company.0);
        if let Some(k) = kind {
            qb.push(" AND kind = ").push_bind(k.as_str());
        }
        qb.push(" AND person_id IN (");
        let mut sep = qb.separated(", ");
        for p in chunk {
            sep.push_bind(p.0);
        }
        qb.push(") ORDER BY person_id, event_date, id");
        let found: Vec<Event> = qb
            .build()
            .persistent(chunk.len() == IN_LIST)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .iter()
            .map(event_from_row)
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .filter(|e| keep(e))
            .collect();
        for ids in found.chunks(IN_LIST) {
            let mut qb: QueryBuilder<Db> =
                QueryBuilder::new(concat!("SELECT ", obs_cols!(), " FROM observations WHERE company_id = "));
            qb.push_bind(company.0).push(" AND event_id IN (");
            let mut sep = qb.separated(", ");
            for e in ids {
                sep.push_bind(e.id.0);
            }
            qb.push(") ORDER BY event_id, item, data_atr");
            for r in qb.build().persistent(ids.len() == IN_LIST).fetch_all(&mut *conn).await.map_err(db_err)? {
                observations.push(observation_from_row(&r)?);
            }
        }
        events.extend(found);
    }
    Ok((events, observations))
}

/// Writes one import (or one part of it) inside a transaction.
async fn write_import(tx: &mut sqlx::Transaction<'static, Db>, w: &ImportWrite) -> Result<()> {
    for a in &w.audit {
        insert_audit(&mut **tx, a).await?;
    }
    if let Some(f) = &w.source_file {
        sqlx::query(
            "INSERT INTO source_files (company_id, id, kind, sha256, file_name, profile, encoding, imported_at, imported_by, summary)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(f.company_id.0)
        .bind(f.id)
        .bind(&f.kind)
        .bind(&f.sha256)
        .bind(&f.file_name)
        .bind(&f.profile)
        .bind(&f.encoding)
        .bind(f.imported_at)
        .bind(&f.imported_by)
        .bind(f.summary.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    write_batch(tx, &w.batch).await?;
    let now = Utc::now();
    for c in &w.corrections {
        let (num, unit, code, text) = value_columns(&c.old.value);
        sqlx::query(
            "INSERT INTO observation_history (company_id, id, observation_id, event_id, value_kind, num, unit, code, text,
                comparator, flag, raw_value, source_code, source_text, source_doc, table_version, superseded_at, superseded_by,
                scale)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
        )
        .bind(c.old.company_id.0)
        .bind(Uuid::now_v7())
        .bind(c.old.id.0)
        .bind(c.old.event_id.0)
        .bind(c.old.value.kind())
        .bind(num)
        .bind(unit)
        .bind(code)
        .bind(text)
        .bind(c.old.qualifier.comparator.map(|x| x.symbol()))
        .bind(c.old.qualifier.flag.map(|x| x.letter()))
        .bind(&c.old.provenance.raw_value)
        .bind(&c.old.provenance.source_code)
        .bind(&c.old.provenance.source_text)
        .bind(&c.old.provenance.source_doc)
        .bind(&c.old.provenance.table_version)
        .bind(now)
        .bind(c.new.provenance.source_doc.clone().unwrap_or_default())
        .bind(c.old.qualifier.scale.map(i16::from))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        let (num, unit, code, text) = value_columns(&c.new.value);
        let done = sqlx::query(
            "UPDATE observations SET value_kind = $1, num = $2, unit = $3, code = $4, text = $5, comparator = $6, flag = $7,
                raw_value = $8, source_code = $9, source_text = $10, source_doc = $11, table_version = $12, scale = $16
             WHERE company_id = $13 AND event_id = $14 AND id = $15",
        )
        .bind(c.new.value.kind())
        .bind(num)
        .bind(unit)
        .bind(code)
        .bind(text)
        .bind(c.new.qualifier.comparator.map(|x| x.symbol()))
        .bind(c.new.qualifier.flag.map(|x| x.letter()))
        .bind(&c.new.provenance.raw_value)
        .bind(&c.new.provenance.source_code)
        .bind(&c.new.provenance.source_text)
        .bind(&c.new.provenance.source_doc)
        .bind(&c.new.provenance.table_version)
        .bind(c.old.company_id.0)
        .bind(c.old.event_id.0)
        .bind(c.old.id.0)
        .bind(c.new.qualifier.scale.map(i16::from))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("observation {} to correct", c.old.id)));
        }
    }
    for id in &w.mapped {
        let done = sqlx::query("UPDATE unmapped_items SET status = 'mapped' WHERE id = $1 AND status = 'open'")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("open unmapped item {id}")));
        }
    }
    if let Some(m) = &w.mapping {
        sqlx::query(
            "INSERT INTO source_mappings (company_id, source_system, source_code, item, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (company_id, source_system, source_code) DO UPDATE SET item = excluded.item,
                created_at = excluded.created_at, created_by = excluded.created_by",
        )
        .bind(m.company_id.0)
        .bind(&m.source_system)
        .bind(&m.source_code)
        .bind(&m.item)
        .bind(m.created_at)
        .bind(&m.created_by)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    for id in &w.resolved {
        let done = sqlx::query("UPDATE identity_queue SET status = 'resolved' WHERE id = $1 AND status = 'open'")
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound(format!("open queue entry {id}")));
        }
    }
    insert_rows(
        tx,
        "INSERT INTO identity_queue (company_id, id, source_file_id, line, reason, identity, candidates, payload, status, created_at) ",
        10,
        &w.queue,
        |mut q, e| {
            q.push_bind(e.company_id.0)
                .push_bind(e.id)
                .push_bind(e.source_file_id)
                .push_bind(e.line)
                .push_bind(e.reason.clone())
                .push_bind(e.identity.to_string())
                .push_bind(e.candidates.to_string())
                .push_bind(e.payload.to_string())
                .push_bind(e.status.clone())
                .push_bind(e.created_at);
        },
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO unmapped_items (company_id, id, source_file_id, line, source_system, source_code, source_text, raw_value, unit, person_id, event_date, status, created_at) ",
        13,
        &w.unmapped,
        |mut q, u| {
            q.push_bind(u.company_id.0)
                .push_bind(u.id)
                .push_bind(u.source_file_id)
                .push_bind(u.line)
                .push_bind(u.source_system.clone())
                .push_bind(u.source_code.clone())
                .push_bind(u.source_text.clone())
                .push_bind(u.raw_value.clone())
                .push_bind(u.unit.clone())
                .push_bind(u.person_id.map(|p| p.0))
                .push_bind(u.event_date)
                .push_bind(u.status.clone())
                .push_bind(u.created_at);
        },
    )
    .await?;
    Ok(())
}

/// One import's write transaction, written in parts ([`Store::begin_import`]).
struct ImportTx {
    tx: sqlx::Transaction<'static, Db>,
}

#[async_trait]
impl iphr_store::ImportTransaction for ImportTx {
    async fn events_on(
        &mut self,
        company: CompanyId,
        kind: EventKind,
        keys: &[(PersonId, chrono::NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)> {
        let wanted: std::collections::HashSet<(PersonId, chrono::NaiveDate)> = keys.iter().copied().collect();
        let persons: Vec<PersonId> = keys.iter().map(|k| k.0).collect();
        events_of_persons_on(&mut self.tx, company, Some(kind), &persons, |e| {
            e.person_id.is_some_and(|p| wanted.contains(&(p, e.event_date)))
        })
        .await
    }

    async fn write(&mut self, part: &ImportWrite) -> Result<()> {
        write_import(&mut self.tx, part).await
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(db_err)
    }
}

/// Writes the rows of a batch inside a transaction.
async fn write_batch(tx: &mut sqlx::Transaction<'static, Db>, b: &Batch) -> Result<()> {
    insert_rows(tx, "INSERT INTO establishments (company_id, id, name) ", 3, &b.establishments, |mut q, e| {
        q.push_bind(e.company_id.0).push_bind(e.id.0).push_bind(e.name.clone());
    })
    .await?;
    insert_rows(
        tx,
        "INSERT INTO departments (company_id, id, establishment_id, name) ",
        4,
        &b.departments,
        |mut q, d| {
            q.push_bind(d.company_id.0)
                .push_bind(d.id.0)
                .push_bind(d.establishment_id.0)
                .push_bind(d.name.clone());
        },
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO persons (id, family_name, given_name, family_kana, given_kana, sex, birth_date, insurer_number, insured_symbol, insured_number, name_as_delivered, kana_as_delivered) ",
        12,
        &b.persons,
        |mut q, p| {
            q.push_bind(p.id.0)
                .push_bind(p.family_name.clone())
                .push_bind(p.given_name.clone())
                .push_bind(p.family_kana.clone())
                .push_bind(p.given_kana.clone())
                .push_bind(p.sex.as_str())
                .push_bind(p.birth_date)
                .push_bind(p.insurer.insurer_number.clone())
                .push_bind(p.insurer.symbol.clone())
                .push_bind(p.insurer.number.clone())
                .push_bind(p.name_as_delivered.clone())
                .push_bind(p.kana_as_delivered.clone());
        },
    )
    .await?;
    // The search key joins the employee number with the person's names; persons of the
    // batch are looked up here, others from the database.
    let mut keys = BTreeMap::new();
    for p in &b.persons {
        keys.insert(p.id, p.search_key());
    }
    for e in &b.employments {
        if !keys.contains_key(&e.person_id) {
            let row = sqlx::query(
                "SELECT id AS p_id, family_name, given_name, family_kana, given_kana, sex, birth_date, insurer_number, insured_symbol, insured_number FROM persons WHERE id = $1",
            )
            .bind(e.person_id.0)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_err)?
            .ok_or_else(|| StoreError::Conflict(format!("employment {} names unknown person {}", e.id, e.person_id)))?;
            keys.insert(e.person_id, person_from_row(&row)?.search_key());
        }
    }
    insert_rows(
        tx,
        "INSERT INTO employments (company_id, id, person_id, employee_number, hire_date, leave_date, search_key) ",
        7,
        &b.employments,
        |mut q, e| {
            let key = format!(
                "{} {}",
                search_key(&e.employee_number),
                keys.get(&e.person_id).map(String::as_str).unwrap_or("")
            );
            q.push_bind(e.company_id.0)
                .push_bind(e.id.0)
                .push_bind(e.person_id.0)
                .push_bind(e.employee_number.clone())
                .push_bind(e.hire_date)
                .push_bind(e.leave_date)
                .push_bind(key);
        },
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO assignments (company_id, id, employment_id, valid_from, valid_to, establishment_id, department_id, position, work_content, night_work, work_regime) ",
        11,
        &b.assignments,
        |mut q, a| {
            q.push_bind(a.company_id.0)
                .push_bind(a.id.0)
                .push_bind(a.employment_id.0)
                .push_bind(a.valid_from)
                .push_bind(a.valid_to)
                .push_bind(a.establishment_id.0)
                .push_bind(a.department_id.0)
                .push_bind(a.position.clone())
                .push_bind(a.work_content.clone())
                .push_bind(a.night_work)
                .push_bind(a.work_regime.as_str());
        },
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO exposures (company_id, id, employment_id, agent, agent_name, regulation, valid_from, valid_to, protection) ",
        9,
        &b.exposures,
        |mut q, x| {
            q.push_bind(x.company_id.0)
                .push_bind(x.id.0)
                .push_bind(x.employment_id.0)
                .push_bind(x.agent.clone())
                .push_bind(x.agent_name.clone())
                .push_bind(x.regulation.clone())
                .push_bind(x.valid_from)
                .push_bind(x.valid_to)
                .push_bind(x.protection.clone());
        },
    )
    .await?;
    insert_rows(tx, concat!("INSERT INTO events (", event_cols!(), ") "), 13, &b.events, |mut q, e| {
        q.push_bind(e.company_id.0)
            .push_bind(e.id.0)
            .push_bind(e.person_id.map(|p| p.0))
            .push_bind(e.employment_id.map(|p| p.0))
            .push_bind(e.department_id.map(|p| p.0))
            .push_bind(e.kind.as_str())
            .push_bind(e.subkind.clone())
            .push_bind(e.event_date)
            .push_bind(e.title.clone())
            .push_bind(e.content_class.as_str())
            .push_bind(e.producer.letter().to_string())
            .push_bind(e.detail.to_string())
            .push_bind(e.source_doc.clone());
    })
    .await?;
    insert_rows(tx, concat!("INSERT INTO observations (", obs_cols!(), ") "), 22, &b.observations, |mut q, o| {
        let (num, unit, code, text) = value_columns(&o.value);
        q.push_bind(o.company_id.0)
            .push_bind(o.id.0)
            .push_bind(o.event_id.0)
            .push_bind(o.person_id.0)
            .push_bind(o.employment_id.map(|e| e.0))
            .push_bind(o.item.as_str().to_string())
            .push_bind(o.atr.to_string())
            .push_bind(o.value.kind())
            .push_bind(num)
            .push_bind(unit)
            .push_bind(code)
            .push_bind(text)
            .push_bind(o.qualifier.comparator.map(|c| c.symbol()))
            .push_bind(o.qualifier.flag.map(|f| f.letter()))
            .push_bind(o.info_class.as_str())
            .push_bind(o.event_date)
            .push_bind(o.provenance.source_code.clone())
            .push_bind(o.provenance.source_text.clone())
            .push_bind(o.provenance.raw_value.clone())
            .push_bind(o.provenance.source_doc.clone())
            .push_bind(o.provenance.table_version.clone())
            .push_bind(o.qualifier.scale.map(i16::from));
    })
    .await?;
    insert_rows(
        tx,
        "INSERT INTO consents (company_id, id, person_id, info_class, grantee_role, given_at, event_id) ",
        7,
        &b.consents,
        |mut q, c| {
            q.push_bind(c.company_id.0)
                .push_bind(iphr_domain::ConsentId::new().0)
                .push_bind(c.person_id.0)
                .push_bind(c.info_class.as_str())
                .push_bind(c.grantee_role.as_str())
                .push_bind(Utc::now())
                .push_bind(c.event_id.map(|e| e.0));
        },
    )
    .await?;
    Ok(())
}

async fn load_user(pool: &sqlx::Pool<Db>, row: &DbRow) -> Result<User> {
    let id: Uuid = get(row, "id")?;
    let companies = sqlx::query("SELECT company_id FROM user_companies WHERE user_id = $1 ORDER BY company_id")
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| get::<Uuid>(r, "company_id").map(CompanyId))
        .collect::<Result<Vec<_>>>()?;
    Ok(User {
        id: UserId(id),
        login: get(row, "login")?,
        display_name: get(row, "display_name")?,
        role: parse::<Role>("role", &get::<String>(row, "role")?)?,
        password_hash: get(row, "password_hash")?,
        person_id: get::<Option<Uuid>>(row, "person_id")?.map(PersonId),
        companies,
        disabled: get(row, "disabled")?,
    })
}

macro_rules! user_cols {
    () => {
        "id, login, display_name, role, password_hash, person_id, disabled"
    };
}

/// Every identity candidate of a company (its employments with the person's kana, birth date,
/// sex and insurer ids), in employee-number order, streamed: one row at a time is held.
async fn each_candidate(
    pool: &sqlx::Pool<Db>,
    company: CompanyId,
    mut f: impl FnMut(iphr_domain::identity::Candidate),
) -> Result<()> {
    use futures_util::TryStreamExt;
    let mut rows = sqlx::query(
        "SELECT e.id, e.person_id, e.employee_number, p.family_kana, p.given_kana, p.birth_date, p.sex,
                p.insurer_number, p.insured_symbol, p.insured_number
         FROM employments e JOIN persons p ON p.id = e.person_id WHERE e.company_id = $1 ORDER BY e.employee_number",
    )
    .bind(company.0)
    .fetch(pool);
    while let Some(r) = rows.try_next().await.map_err(db_err)? {
        f(iphr_domain::identity::Candidate {
            employment_id: EmploymentId(get(&r, "id")?),
            person_id: PersonId(get(&r, "person_id")?),
            employee_number: get(&r, "employee_number")?,
            kana: format!("{} {}", get::<String>(&r, "family_kana")?, get::<String>(&r, "given_kana")?),
            birth_date: get(&r, "birth_date")?,
            sex: parse::<Sex>("sex", &get::<String>(&r, "sex")?)?,
            insurer_number: get(&r, "insurer_number")?,
            insured_symbol: get(&r, "insured_symbol")?,
            insured_number: get(&r, "insured_number")?,
        });
    }
    Ok(())
}

/// Appends one audit entry (on a pooled connection or inside a transaction).
async fn insert_audit(conn: &mut <Db as sqlx::Database>::Connection, a: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, at, user_id, login, role, action, company_id, person_id, info_class, allowed, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(a.id.0)
    .bind(a.at)
    .bind(a.user_id.map(|u| u.0))
    .bind(&a.login)
    .bind(a.role.map(|r| r.as_str()))
    .bind(&a.action)
    .bind(a.company_id.map(|c| c.0))
    .bind(a.person_id.map(|p| p.0))
    .bind(a.info_class.map(|c| c.as_str()))
    .bind(a.allowed)
    .bind(&a.detail)
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl Store for StoreImpl {
    fn backend(&self) -> &'static str {
        backend::NAME
    }

    async fn migrate(&self) -> Result<()> {
        backend::MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
    }

    async fn has_data(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM companies) + (SELECT count(*) FROM persons) + (SELECT count(*) FROM users)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(n > 0)
    }

    async fn wipe(&self) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        for sql in [
            "DELETE FROM sessions",
            "DELETE FROM login_attempts",
            "DELETE FROM postcheckup_steps",
            "DELETE FROM judgement_results",
            "DELETE FROM judgements",
            "DELETE FROM rule_overrides",
            "DELETE FROM documents",
            "DELETE FROM uploads",
            "DELETE FROM stress_reminders",
            "DELETE FROM stress_drafts",
            "DELETE FROM stress_campaigns",
            "DELETE FROM observation_history",
            "DELETE FROM identity_queue",
            "DELETE FROM unmapped_items",
            "DELETE FROM source_files",
            "DELETE FROM source_mappings",
            "DELETE FROM observations",
            "DELETE FROM events",
            "DELETE FROM consents",
            "DELETE FROM exposures",
            "DELETE FROM assignments",
            "DELETE FROM employments",
            "DELETE FROM policy_overrides",
            "DELETE FROM user_companies",
            "DELETE FROM users",
            "DELETE FROM person_merges",
            "DELETE FROM persons",
            "DELETE FROM departments",
            "DELETE FROM establishments",
            "DELETE FROM companies",
        ] {
            sqlx::query(sql).execute(&mut *tx).await.map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn create_company(&self, c: &Company) -> Result<()> {
        sqlx::query("INSERT INTO companies (id, name) VALUES ($1, $2)")
            .bind(c.id.0)
            .bind(&c.name)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn list_companies(&self) -> Result<Vec<Company>> {
        sqlx::query("SELECT id, name FROM companies ORDER BY name, id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(Company {
                    id: CompanyId(get(r, "id")?),
                    name: get(r, "name")?,
                })
            })
            .collect()
    }

    async fn get_company(&self, id: CompanyId) -> Result<Option<Company>> {
        let row = sqlx::query("SELECT id, name FROM companies WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            Ok(Company {
                id: CompanyId(get(&r, "id")?),
                name: get(&r, "name")?,
            })
        })
        .transpose()
    }

    async fn create_user(&self, u: &User) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO users (id, login, display_name, role, password_hash, person_id, disabled) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(u.id.0)
        .bind(&u.login)
        .bind(&u.display_name)
        .bind(u.role.as_str())
        .bind(&u.password_hash)
        .bind(u.person_id.map(|p| p.0))
        .bind(u.disabled)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for c in &u.companies {
            sqlx::query("INSERT INTO user_companies (user_id, company_id) VALUES ($1, $2)")
                .bind(u.id.0)
                .bind(c.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users WHERE login = $1"))
            .bind(login)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(load_user(&self.pool, &r).await?)),
            None => Ok(None),
        }
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        match row {
            Some(r) => Ok(Some(load_user(&self.pool, &r).await?)),
            None => Ok(None),
        }
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users ORDER BY login"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(load_user(&self.pool, r).await?);
        }
        Ok(out)
    }

    async fn set_password(&self, login: &str, password_hash: &str) -> Result<()> {
        let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE login = $2")
            .bind(password_hash)
            .bind(login)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(format!("user {login:?}")));
        }
        Ok(())
    }

    async fn assign_company(&self, user: UserId, company: CompanyId) -> Result<()> {
        sqlx::query("INSERT INTO user_companies (user_id, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user.0)
            .bind(company.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn insert_batch(&self, b: &Batch) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, b).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn search_workers(&self, company: CompanyId, q: &WorkerQuery) -> Result<Page<WorkerRow>> {
        let key = search_key(&q.text);
        let pattern = format!("%{}%", key.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let total: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM employments WHERE company_id = $1 AND ($2 = '' OR search_key LIKE $3 ESCAPE '\\')",
        )
        .bind(company.0)
        .bind(&key)
        .bind(&pattern)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let rows = sqlx::query(
            "WITH page AS (
                SELECT company_id, id, person_id, employee_number, leave_date FROM employments
                WHERE company_id = $1 AND ($2 = '' OR search_key LIKE $3 ESCAPE '\\')
                ORDER BY employee_number LIMIT $4 OFFSET $5)
             SELECT e.company_id, e.id, e.person_id, e.employee_number, e.leave_date,
                    p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    (SELECT d.name FROM assignments a JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
                      WHERE a.company_id = e.company_id AND a.employment_id = e.id ORDER BY a.valid_from DESC LIMIT 1) AS department
             FROM page e JOIN persons p ON p.id = e.person_id
             ORDER BY e.employee_number",
        )
        .bind(company.0)
        .bind(&key)
        .bind(&pattern)
        .bind(i64::from(q.limit))
        .bind(i64::from(q.offset))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let rows = rows
            .iter()
            .map(|r| {
                Ok(WorkerRow {
                    company_id: CompanyId(get(r, "company_id")?),
                    employment_id: EmploymentId(get(r, "id")?),
                    person_id: PersonId(get(r, "person_id")?),
                    employee_number: get(r, "employee_number")?,
                    name: format!("{} {}", get::<String>(r, "family_name")?, get::<String>(r, "given_name")?),
                    kana: format!("{} {}", get::<String>(r, "family_kana")?, get::<String>(r, "given_kana")?),
                    sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
                    birth_date: get(r, "birth_date")?,
                    department: get(r, "department")?,
                    leave_date: get(r, "leave_date")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { rows, total: count(total) })
    }

    async fn worker(&self, company: CompanyId, employment: EmploymentId) -> Result<Option<WorkerHeader>> {
        let Some(e) = sqlx::query(
            "SELECT e.company_id, e.id, e.person_id, e.employee_number, e.hire_date, e.leave_date,
                    p.id AS p_id, p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    p.insurer_number, p.insured_symbol, p.insured_number, p.name_as_delivered, p.kana_as_delivered
             FROM employments e JOIN persons p ON p.id = e.person_id
             WHERE e.company_id = $1 AND e.id = $2",
        )
        .bind(company.0)
        .bind(employment.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        else {
            return Ok(None);
        };
        let person = person_from_row(&e)?;
        let employment = employment_from_row(&e)?;
        let assignments = sqlx::query(
            "SELECT a.company_id, a.id, a.employment_id, a.valid_from, a.valid_to, a.establishment_id, a.department_id,
                    a.position, a.work_content, a.night_work, a.work_regime, s.name AS establishment, d.name AS department
             FROM assignments a
             JOIN establishments s ON s.company_id = a.company_id AND s.id = a.establishment_id
             JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
             WHERE a.company_id = $1 AND a.employment_id = $2
             ORDER BY a.valid_from DESC",
        )
        .bind(company.0)
        .bind(employment.id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(AssignmentView {
                assignment: Assignment {
                    company_id: CompanyId(get(r, "company_id")?),
                    id: iphr_domain::AssignmentId(get(r, "id")?),
                    employment_id: EmploymentId(get(r, "employment_id")?),
                    valid_from: get(r, "valid_from")?,
                    valid_to: get(r, "valid_to")?,
                    establishment_id: iphr_domain::EstablishmentId(get(r, "establishment_id")?),
                    department_id: iphr_domain::DepartmentId(get(r, "department_id")?),
                    position: get(r, "position")?,
                    work_content: get(r, "work_content")?,
                    night_work: get(r, "night_work")?,
                    work_regime: regime(&get::<String>(r, "work_regime")?)?,
                },
                establishment: get(r, "establishment")?,
                department: get(r, "department")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let exposures = sqlx::query(
            "SELECT company_id, id, employment_id, agent, agent_name, regulation, valid_from, valid_to, protection
             FROM exposures WHERE company_id = $1 AND employment_id = $2 ORDER BY valid_from DESC",
        )
        .bind(company.0)
        .bind(employment.id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(Exposure {
                company_id: CompanyId(get(r, "company_id")?),
                id: iphr_domain::ExposureId(get(r, "id")?),
                employment_id: EmploymentId(get(r, "employment_id")?),
                agent: get(r, "agent")?,
                agent_name: get(r, "agent_name")?,
                regulation: get(r, "regulation")?,
                valid_from: get(r, "valid_from")?,
                valid_to: get(r, "valid_to")?,
                protection: get(r, "protection")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(Some(WorkerHeader {
            person,
            employment,
            assignments,
            exposures,
        }))
    }

    async fn employments_of_person(&self, person: PersonId) -> Result<Vec<Employment>> {
        sqlx::query(
            "SELECT company_id, id, person_id, employee_number, hire_date, leave_date FROM employments
             WHERE person_id = $1 ORDER BY hire_date DESC, company_id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(employment_from_row)
        .collect()
    }

    async fn timeline(&self, company: CompanyId, person: PersonId) -> Result<Vec<Event>> {
        // Two index ranges (the person's events; the company's workplace events), not an OR
        // that would scan every event of the company.
        let sql = concat!(
            "SELECT ",
            event_cols!(),
            " FROM events WHERE company_id = $1 AND person_id = $2
             UNION ALL
             SELECT ",
            event_cols!(),
            " FROM events ev WHERE ev.company_id = $1 AND ev.person_id IS NULL AND EXISTS (
                SELECT 1 FROM assignments a JOIN employments e ON e.company_id = a.company_id AND e.id = a.employment_id
                WHERE a.company_id = $1 AND e.person_id = $2 AND a.department_id = ev.department_id
                  AND a.valid_from <= ev.event_date AND (a.valid_to IS NULL OR a.valid_to >= ev.event_date))
             ORDER BY event_date DESC, kind, id"
        );
        fetch_by_company(&self.pool, sql, company.0, person.0, event_from_row).await
    }

    async fn event(&self, company: CompanyId, id: EventId) -> Result<Option<Event>> {
        sqlx::query(concat!("SELECT ", event_cols!(), " FROM events WHERE company_id = $1 AND id = $2"))
            .bind(company.0)
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .as_ref()
            .map(event_from_row)
            .transpose()
    }

    async fn event_observations(&self, company: CompanyId, id: EventId) -> Result<Vec<Observation>> {
        let sql = concat!(
            "SELECT ",
            obs_cols!(),
            " FROM observations WHERE company_id = $1 AND event_id = $2 ORDER BY item, data_atr"
        );
        fetch_by_company(&self.pool, sql, company.0, id.0, observation_from_row).await
    }

    async fn person_observations(&self, company: CompanyId, person: PersonId) -> Result<Vec<Observation>> {
        let sql = concat!(
            "SELECT ",
            obs_cols!(),
            " FROM observations WHERE company_id = $1 AND person_id = $2 ORDER BY event_date, item, data_atr"
        );
        fetch_by_company(&self.pool, sql, company.0, person.0, observation_from_row).await
    }

    async fn consents_of_person(&self, person: PersonId) -> Result<Vec<ConsentGrant>> {
        sqlx::query(
            "SELECT company_id, person_id, info_class, grantee_role, event_id FROM consents
             WHERE person_id = $1 AND revoked_at IS NULL ORDER BY company_id, info_class, grantee_role, event_id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(ConsentGrant {
                person_id: PersonId(get(r, "person_id")?),
                company_id: CompanyId(get(r, "company_id")?),
                info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
                grantee_role: parse::<Role>("grantee_role", &get::<String>(r, "grantee_role")?)?,
                event_id: get::<Option<Uuid>>(r, "event_id")?.map(EventId),
            })
        })
        .collect()
    }

    async fn policy_overrides(&self, company: CompanyId) -> Result<Vec<PolicyOverride>> {
        sqlx::query("SELECT role, info_class, access FROM policy_overrides WHERE company_id = $1 ORDER BY role, info_class")
            .bind(company.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(PolicyOverride {
                    role: parse::<Role>("role", &get::<String>(r, "role")?)?,
                    info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
                    access: parse::<Access>("access", &get::<String>(r, "access")?)?,
                })
            })
            .collect()
    }

    async fn set_policy_override(&self, company: CompanyId, o: PolicyOverride) -> Result<()> {
        sqlx::query(
            "INSERT INTO policy_overrides (company_id, role, info_class, access) VALUES ($1, $2, $3, $4)
             ON CONFLICT (company_id, role, info_class) DO UPDATE SET access = excluded.access",
        )
        .bind(company.0)
        .bind(o.role.as_str())
        .bind(o.info_class.as_str())
        .bind(o.access.as_str())
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&s.id_hash)
            .bind(s.user_id.0)
            .bind(&s.csrf_token)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        sqlx::query("SELECT id_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| {
                Ok(Session {
                    id_hash: get(&r, "id_hash")?,
                    user_id: UserId(get(&r, "user_id")?),
                    csrf_token: get(&r, "csrf_token")?,
                    created_at: get(&r, "created_at")?,
                    expires_at: get(&r, "expires_at")?,
                })
            })
            .transpose()
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(r.rows_affected())
    }

    async fn record_login_attempt(&self, login: &str, success: bool, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO login_attempts (id, login, success, at) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(login)
            .bind(success)
            .bind(at)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn failed_logins_since(&self, login: &str, since: DateTime<Utc>) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE login = $1 AND success = $2 AND at >= $3")
            .bind(login)
            .bind(false)
            .bind(since)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(count(n))
    }

    async fn append_audit(&self, a: &AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        insert_audit(&mut *conn, a).await
    }

    async fn list_audit(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT id, at, user_id, login, role, action, company_id, person_id, info_class, allowed, detail FROM audit_log WHERE 1 = 1",
        );
        if let Some(c) = f.company_id {
            qb.push(" AND company_id = ").push_bind(c.0);
        }
        if let Some(p) = f.person_id {
            qb.push(" AND person_id = ").push_bind(p.0);
        }
        if f.denied_only {
            qb.push(" AND allowed = ").push_bind(false);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(i64::from(f.limit.max(1)));
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: iphr_domain::AuditId(get(r, "id")?),
                    at: get(r, "at")?,
                    user_id: get::<Option<Uuid>>(r, "user_id")?.map(UserId),
                    login: get(r, "login")?,
                    role: get::<Option<String>>(r, "role")?.map(|s| parse::<Role>("role", &s)).transpose()?,
                    action: get(r, "action")?,
                    company_id: get::<Option<Uuid>>(r, "company_id")?.map(CompanyId),
                    person_id: get::<Option<Uuid>>(r, "person_id")?.map(PersonId),
                    info_class: get::<Option<String>>(r, "info_class")?
                        .map(|s| parse::<InfoClass>("info_class", &s))
                        .transpose()?,
                    allowed: get(r, "allowed")?,
                    detail: get(r, "detail")?,
                })
            })
            .collect()
    }

    async fn stats(&self) -> Result<Stats> {
        let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM persons")
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        let mut users = BTreeMap::new();
        for r in sqlx::query("SELECT role, count(*) AS n FROM users GROUP BY role")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
        {
            users.insert(get::<String>(&r, "role")?, count(get(&r, "n")?));
        }
        let per_company = |sql: &'static str| {
            let pool = self.pool.clone();
            async move {
                let mut m: BTreeMap<Uuid, u64> = BTreeMap::new();
                for r in sqlx::query(sql).fetch_all(&pool).await.map_err(db_err)? {
                    m.insert(get(&r, "company_id")?, count(get(&r, "n")?));
                }
                Ok::<_, StoreError>(m)
            }
        };
        let establishments = per_company("SELECT company_id, count(*) AS n FROM establishments GROUP BY company_id").await?;
        let departments = per_company("SELECT company_id, count(*) AS n FROM departments GROUP BY company_id").await?;
        let employments = per_company("SELECT company_id, count(*) AS n FROM employments GROUP BY company_id").await?;
        let assignments = per_company("SELECT company_id, count(*) AS n FROM assignments GROUP BY company_id").await?;
        let exposures = per_company("SELECT company_id, count(*) AS n FROM exposures GROUP BY company_id").await?;
        let observations = per_company("SELECT company_id, count(*) AS n FROM observations GROUP BY company_id").await?;
        let consents = per_company("SELECT company_id, count(*) AS n FROM consents GROUP BY company_id").await?;
        let mut events: BTreeMap<Uuid, BTreeMap<String, u64>> = BTreeMap::new();
        for r in sqlx::query("SELECT company_id, kind, count(*) AS n FROM events GROUP BY company_id, kind")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
        {
            events
                .entry(get(&r, "company_id")?)
                .or_default()
                .insert(get(&r, "kind")?, count(get(&r, "n")?));
        }
        let mut companies = Vec::new();
        for r in sqlx::query("SELECT id, name FROM companies ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
        {
            let id: Uuid = get(&r, "id")?;
            let n = |m: &BTreeMap<Uuid, u64>| m.get(&id).copied().unwrap_or(0);
            companies.push(CompanyStats {
                company_id: CompanyId(id),
                name: get(&r, "name")?,
                establishments: n(&establishments),
                departments: n(&departments),
                employments: n(&employments),
                assignments: n(&assignments),
                exposures: n(&exposures),
                events: events.remove(&id).unwrap_or_default(),
                observations: n(&observations),
                consents: n(&consents),
            });
        }
        Ok(Stats {
            persons: count(persons),
            users,
            companies,
        })
    }

    async fn source_file(&self, company: CompanyId, kind: &str, sha256: &str) -> Result<Option<SourceFile>> {
        sqlx::query(
            "SELECT company_id, id, kind, sha256, file_name, profile, encoding, imported_at, imported_by, summary
             FROM source_files WHERE company_id = $1 AND kind = $2 AND sha256 = $3",
        )
        .bind(company.0)
        .bind(kind)
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .map(|r| {
            Ok(SourceFile {
                company_id: CompanyId(get(&r, "company_id")?),
                id: get(&r, "id")?,
                kind: get(&r, "kind")?,
                sha256: get(&r, "sha256")?,
                file_name: get(&r, "file_name")?,
                profile: get(&r, "profile")?,
                encoding: get(&r, "encoding")?,
                imported_at: get(&r, "imported_at")?,
                imported_by: get(&r, "imported_by")?,
                summary: serde_json::from_str(&get::<String>(&r, "summary")?).map_err(|e| corrupt("summary", e))?,
            })
        })
        .transpose()
    }

    async fn identity_candidates(&self, company: CompanyId) -> Result<Vec<iphr_domain::identity::Candidate>> {
        let mut out = Vec::new();
        each_candidate(&self.pool, company, |c| out.push(c)).await?;
        out.shrink_to_fit();
        Ok(out)
    }

    async fn identity_matcher(&self, company: CompanyId) -> Result<iphr_domain::identity::Matcher> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM employments WHERE company_id = $1")
            .bind(company.0)
            .fetch_one(&self.pool)
            .await
            .map_err(db_err)?;
        let mut b = iphr_domain::identity::MatcherBuilder::with_capacity(usize::try_from(n).unwrap_or(0));
        each_candidate(&self.pool, company, |c| b.push(&c)).await?;
        Ok(b.build())
    }

    async fn events_on(
        &self,
        company: CompanyId,
        kind: EventKind,
        keys: &[(PersonId, chrono::NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)> {
        let wanted: std::collections::HashSet<(PersonId, chrono::NaiveDate)> = keys.iter().copied().collect();
        let persons: Vec<PersonId> = keys.iter().map(|k| k.0).collect();
        events_of_persons(&self.pool, company, Some(kind), &persons, |e| {
            e.person_id.is_some_and(|p| wanted.contains(&(p, e.event_date)))
        })
        .await
    }

    async fn person_records(
        &self,
        company: CompanyId,
        kind: Option<EventKind>,
        persons: &[PersonId],
    ) -> Result<(Vec<Event>, Vec<Observation>)> {
        events_of_persons(&self.pool, company, kind, persons, |_| true).await
    }

    async fn apply_import(&self, w: &ImportWrite) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_import(&mut tx, w).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn observation_history(
        &self,
        company: CompanyId,
        observation: iphr_domain::ObservationId,
    ) -> Result<Vec<HistoryEntry>> {
        let current = sqlx::query(concat!("SELECT ", obs_cols!(), " FROM observations WHERE company_id = $1 AND id = $2"))
            .bind(company.0)
            .bind(observation.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| observation_from_row(&r))
            .transpose()?
            .ok_or_else(|| StoreError::NotFound(format!("observation {observation}")))?;
        sqlx::query(
            "SELECT value_kind, num, unit, code, text, comparator, flag, raw_value, source_code, source_text, source_doc,
                    table_version, superseded_at, superseded_by, scale
             FROM observation_history WHERE company_id = $1 AND observation_id = $2 ORDER BY id DESC",
        )
        .bind(company.0)
        .bind(observation.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(HistoryEntry {
                observation: Observation {
                    value: value_from_row(r)?,
                    qualifier: qualifier_from_row(r)?,
                    provenance: provenance_from_row(r)?,
                    ..current.clone()
                },
                superseded_at: get(r, "superseded_at")?,
                superseded_by: get(r, "superseded_by")?,
            })
        })
        .collect()
    }

    async fn identity_queue(&self, company: CompanyId) -> Result<Vec<QueueEntry>> {
        sqlx::query(
            "SELECT company_id, id, source_file_id, line, reason, identity, candidates, payload, status, created_at
             FROM identity_queue WHERE company_id = $1 AND status = 'open' ORDER BY id",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            let json = |c: &str| -> Result<serde_json::Value> {
                serde_json::from_str(&get::<String>(r, c)?).map_err(|e| corrupt(c, e))
            };
            Ok(QueueEntry {
                company_id: CompanyId(get(r, "company_id")?),
                id: get(r, "id")?,
                source_file_id: get(r, "source_file_id")?,
                line: get(r, "line")?,
                reason: get(r, "reason")?,
                identity: json("identity")?,
                candidates: json("candidates")?,
                payload: json("payload")?,
                status: get(r, "status")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
    }

    async fn unmapped_items(&self, company: CompanyId) -> Result<Vec<UnmappedEntry>> {
        sqlx::query(
            "SELECT company_id, id, source_file_id, line, source_system, source_code, source_text, raw_value, unit, person_id,
                    event_date, status, created_at
             FROM unmapped_items WHERE company_id = $1 AND status = 'open' ORDER BY id",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(UnmappedEntry {
                company_id: CompanyId(get(r, "company_id")?),
                id: get(r, "id")?,
                source_file_id: get(r, "source_file_id")?,
                line: get(r, "line")?,
                source_system: get(r, "source_system")?,
                source_code: get(r, "source_code")?,
                source_text: get(r, "source_text")?,
                raw_value: get(r, "raw_value")?,
                unit: get(r, "unit")?,
                person_id: get::<Option<Uuid>>(r, "person_id")?.map(PersonId),
                event_date: get(r, "event_date")?,
                status: get(r, "status")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
    }

    async fn hr_state(&self, company: CompanyId) -> Result<HrState> {
        let establishments = sqlx::query("SELECT company_id, id, name FROM establishments WHERE company_id = $1 ORDER BY id")
            .bind(company.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| Ok(Establishment { company_id: CompanyId(get(r, "company_id")?), id: iphr_domain::EstablishmentId(get(r, "id")?), name: get(r, "name")? }))
            .collect::<Result<Vec<_>>>()?;
        let departments = sqlx::query("SELECT company_id, id, establishment_id, name FROM departments WHERE company_id = $1 ORDER BY id")
            .bind(company.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(Department {
                    company_id: CompanyId(get(r, "company_id")?),
                    id: iphr_domain::DepartmentId(get(r, "id")?),
                    establishment_id: iphr_domain::EstablishmentId(get(r, "establishment_id")?),
                    name: get(r, "name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut employees: Vec<HrEmployee> = sqlx::query(
            "SELECT e.company_id, e.id, e.person_id, e.employee_number, e.hire_date, e.leave_date,
                    p.id AS p_id, p.family_name, p.given_name, p.family_kana, p.given_kana, p.sex, p.birth_date,
                    p.insurer_number, p.insured_symbol, p.insured_number, p.name_as_delivered, p.kana_as_delivered
             FROM employments e JOIN persons p ON p.id = e.person_id WHERE e.company_id = $1 ORDER BY e.employee_number",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| Ok(HrEmployee { person: person_from_row(r)?, employment: employment_from_row(r)?, current: None, exposures: vec![] }))
        .collect::<Result<Vec<_>>>()?;
        let index: HashMap<EmploymentId, usize> = employees.iter().enumerate().map(|(i, e)| (e.employment.id, i)).collect();
        for r in sqlx::query(
            "SELECT company_id, id, employment_id, valid_from, valid_to, establishment_id, department_id, position, work_content, night_work, work_regime
             FROM assignments WHERE company_id = $1 ORDER BY employment_id, valid_from",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        {
            let a = Assignment {
                company_id: CompanyId(get(&r, "company_id")?),
                id: iphr_domain::AssignmentId(get(&r, "id")?),
                employment_id: EmploymentId(get(&r, "employment_id")?),
                valid_from: get(&r, "valid_from")?,
                valid_to: get(&r, "valid_to")?,
                establishment_id: iphr_domain::EstablishmentId(get(&r, "establishment_id")?),
                department_id: iphr_domain::DepartmentId(get(&r, "department_id")?),
                position: get(&r, "position")?,
                work_content: get(&r, "work_content")?,
                night_work: get(&r, "night_work")?,
                work_regime: regime(&get::<String>(&r, "work_regime")?)?,
            };
            // Ordered by start: the last one is current.
            if let Some(e) = index.get(&a.employment_id).and_then(|i| employees.get_mut(*i)) {
                e.current = Some(a);
            }
        }
        for r in sqlx::query(
            "SELECT company_id, id, employment_id, agent, agent_name, regulation, valid_from, valid_to, protection
             FROM exposures WHERE company_id = $1 AND valid_to IS NULL ORDER BY employment_id, valid_from",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        {
            let x = Exposure {
                company_id: CompanyId(get(&r, "company_id")?),
                id: iphr_domain::ExposureId(get(&r, "id")?),
                employment_id: EmploymentId(get(&r, "employment_id")?),
                agent: get(&r, "agent")?,
                agent_name: get(&r, "agent_name")?,
                regulation: get(&r, "regulation")?,
                valid_from: get(&r, "valid_from")?,
                valid_to: get(&r, "valid_to")?,
                protection: get(&r, "protection")?,
            };
            if let Some(e) = index.get(&x.employment_id).and_then(|i| employees.get_mut(*i)) {
                e.exposures.push(x);
            }
        }
        Ok(HrState { establishments, departments, employees })
    }

    async fn apply_hr(&self, w: &HrWrite) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, &w.batch).await?;
        // Each is (company, row id, date): set one date column of one tenant row.
        let dates = w
            .close_assignments
            .iter()
            .map(|(c, id, d)| ("UPDATE assignments SET valid_to = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d)))
            .chain(w.end_exposures.iter().map(|(c, id, d)| {
                ("UPDATE exposures SET valid_to = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d))
            }))
            .chain(w.leave_dates.iter().map(|(c, id, d)| {
                ("UPDATE employments SET leave_date = $1 WHERE company_id = $2 AND id = $3", *c, id.0, *d)
            }))
            .chain(w.hire_dates.iter().map(|(c, id, d)| {
                ("UPDATE employments SET hire_date = $1 WHERE company_id = $2 AND id = $3", *c, id.0, Some(*d))
            }));
        for (sql, c, id, date) in dates {
            sqlx::query(sql).bind(date).bind(c.0).bind(id).execute(&mut *tx).await.map_err(db_err)?;
        }
        for p in &w.person_updates {
            sqlx::query(
                "UPDATE persons SET family_name = $1, given_name = $2, family_kana = $3, given_kana = $4,
                    insurer_number = $5, insured_symbol = $6, insured_number = $7, name_as_delivered = $9,
                    kana_as_delivered = $10 WHERE id = $8",
            )
            .bind(&p.family_name)
            .bind(&p.given_name)
            .bind(&p.family_kana)
            .bind(&p.given_kana)
            .bind(&p.insurer.insurer_number)
            .bind(&p.insurer.symbol)
            .bind(&p.insurer.number)
            .bind(p.id.0)
            .bind(&p.name_as_delivered)
            .bind(&p.kana_as_delivered)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            // The search key of every employment of the person follows the new names.
            refresh_search_keys(&mut tx, p.id).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn source_mappings(&self, company: CompanyId, source_system: &str) -> Result<Vec<SourceMapping>> {
        sqlx::query(
            "SELECT company_id, source_system, source_code, item, created_at, created_by FROM source_mappings
             WHERE company_id = $1 AND source_system = $2 ORDER BY source_code",
        )
        .bind(company.0)
        .bind(source_system)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(SourceMapping {
                company_id: CompanyId(get(r, "company_id")?),
                source_system: get(r, "source_system")?,
                source_code: get(r, "source_code")?,
                item: get(r, "item")?,
                created_at: get(r, "created_at")?,
                created_by: get(r, "created_by")?,
            })
        })
        .collect()
    }

    async fn companies_of_person(&self, person: PersonId) -> Result<Vec<CompanyId>> {
        sqlx::query("SELECT DISTINCT company_id FROM employments WHERE person_id = $1 ORDER BY company_id")
            .bind(person.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| Ok(CompanyId(get(r, "company_id")?)))
            .collect()
    }

    async fn merge_persons(&self, kept: PersonId, merged: PersonId, by: &str) -> Result<PersonMerge> {
        if kept == merged {
            return Err(StoreError::Conflict("a person cannot be merged into itself".into()));
        }
        let mut tx = backend::begin_write(&self.pool).await?;
        for p in [kept, merged] {
            let row = sqlx::query("SELECT merged_into FROM persons WHERE id = $1")
                .bind(p.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?
                .ok_or_else(|| StoreError::NotFound(format!("person {p}")))?;
            if get::<Option<Uuid>>(&row, "merged_into")?.is_some() {
                return Err(StoreError::Conflict(format!("person {p} was merged into another already")));
            }
        }
        let companies: Vec<Uuid> = sqlx::query("SELECT DISTINCT company_id FROM employments WHERE person_id = $1")
            .bind(merged.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| get::<Uuid>(r, "company_id"))
            .collect::<Result<_>>()?;
        let mut moved = serde_json::Map::new();
        // Tenant tables, company by company (their indexes start with company_id).
        for (table, key) in [
            ("employments", "company_id, id"),
            ("events", "company_id, id"),
            ("observations", "company_id, event_id, id"),
            ("consents", "company_id, id"),
            ("unmapped_items", "company_id, id"),
            ("judgements", "company_id, event_id"),
            ("documents", "company_id, id"),
        ] {
            let mut rows = Vec::new();
            for c in &companies {
                for r in sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {key} FROM {table} WHERE company_id = $1 AND person_id = $2"
                )))
                .bind(c)
                .bind(merged.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?
                {
                    let cols: Vec<String> =
                        (0..key.split(',').count()).map(|i| r.try_get::<Uuid, _>(i).map(|u| u.to_string())).collect::<Result<_, _>>().map_err(|e| corrupt(table, e))?;
                    rows.push(serde_json::json!(cols));
                }
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET person_id = $1 WHERE company_id = $2 AND person_id = $3"
                )))
                .bind(kept.0)
                .bind(c)
                .bind(merged.0)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            }
            moved.insert(table.into(), serde_json::Value::Array(rows));
        }
        let users: Vec<String> = sqlx::query("SELECT id FROM users WHERE person_id = $1")
            .bind(merged.0)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| get::<Uuid>(r, "id").map(|u| u.to_string()))
            .collect::<Result<_>>()?;
        sqlx::query("UPDATE users SET person_id = $1 WHERE person_id = $2")
            .bind(kept.0)
            .bind(merged.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        moved.insert("users".into(), serde_json::json!(users));
        sqlx::query("UPDATE persons SET merged_into = $1 WHERE id = $2")
            .bind(kept.0)
            .bind(merged.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        refresh_search_keys(&mut tx, kept).await?;
        let m = PersonMerge {
            id: Uuid::now_v7(),
            kept,
            merged,
            moved: serde_json::Value::Object(moved),
            // Microseconds: what both backends keep.
            merged_at: chrono::SubsecRound::trunc_subsecs(Utc::now(), 6),
            merged_by: by.into(),
            undone_at: None,
            undone_by: None,
        };
        sqlx::query("INSERT INTO person_merges (id, kept, merged, moved, merged_at, merged_by) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(m.id)
            .bind(kept.0)
            .bind(merged.0)
            .bind(m.moved.to_string())
            .bind(m.merged_at)
            .bind(by)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(m)
    }

    async fn person_merge(&self, id: Uuid) -> Result<Option<PersonMerge>> {
        sqlx::query("SELECT id, kept, merged, moved, merged_at, merged_by, undone_at, undone_by FROM person_merges WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| merge_from_row(&r))
            .transpose()
    }

    async fn undo_merge(&self, id: Uuid, by: &str) -> Result<PersonMerge> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let r = sqlx::query("SELECT id, kept, merged, moved, merged_at, merged_by, undone_at, undone_by FROM person_merges WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
            .ok_or_else(|| StoreError::NotFound(format!("merge {id}")))?;
        let mut m = merge_from_row(&r)?;
        if m.undone_at.is_some() {
            return Err(StoreError::Conflict(format!("merge {id} was undone already")));
        }
        let ids = |v: &serde_json::Value| -> Result<Vec<Uuid>> {
            v.as_array()
                .ok_or_else(|| corrupt("moved", "not a list"))?
                .iter()
                .map(|x| x.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| corrupt("moved", x)))
                .collect()
        };
        for (table, key) in [
            ("employments", "company_id = $2 AND id = $3"),
            ("events", "company_id = $2 AND id = $3"),
            ("observations", "company_id = $2 AND event_id = $3 AND id = $4"),
            ("consents", "company_id = $2 AND id = $3"),
            ("unmapped_items", "company_id = $2 AND id = $3"),
            ("judgements", "company_id = $2 AND event_id = $3"),
            ("documents", "company_id = $2 AND id = $3"),
        ] {
            for row in m.moved.get(table).and_then(|v| v.as_array()).cloned().unwrap_or_default() {
                let parts = ids(&row)?;
                let mut q = sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET person_id = $1 WHERE {key}"))).bind(m.merged.0);
                for p in parts {
                    q = q.bind(p);
                }
                q.execute(&mut *tx).await.map_err(db_err)?;
            }
        }
        for u in ids(m.moved.get("users").unwrap_or(&serde_json::Value::Null)).unwrap_or_default() {
            sqlx::query("UPDATE users SET person_id = $1 WHERE id = $2")
                .bind(m.merged.0)
                .bind(u)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        sqlx::query("UPDATE persons SET merged_into = NULL WHERE id = $1").bind(m.merged.0).execute(&mut *tx).await.map_err(db_err)?;
        refresh_search_keys(&mut tx, m.kept).await?;
        refresh_search_keys(&mut tx, m.merged).await?;
        let now = chrono::SubsecRound::trunc_subsecs(Utc::now(), 6);
        sqlx::query("UPDATE person_merges SET undone_at = $1, undone_by = $2 WHERE id = $3")
            .bind(now)
            .bind(by)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        m.undone_at = Some(now);
        m.undone_by = Some(by.into());
        Ok(m)
    }

    async fn checkups_to_judge(
        &self,
        company: CompanyId,
        since: Option<NaiveDate>,
        items: &[String],
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<CheckupToJudge>> {
        let since = since.unwrap_or(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default());
        let events = sqlx::query(
            "SELECT e.id, e.person_id, e.employment_id, e.event_date, e.subkind, e.detail, p.sex, p.birth_date
             FROM events e JOIN persons p ON p.id = e.person_id
             WHERE e.company_id = $1 AND e.kind = 'checkup' AND e.event_date >= $2 AND e.id > $3
             ORDER BY e.id LIMIT $4",
        )
        .bind(company.0)
        .bind(since)
        .bind(after.map_or(Uuid::nil(), |e| e.0))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut out: Vec<CheckupToJudge> = Vec::with_capacity(events.len());
        let mut index: HashMap<Uuid, usize> = HashMap::with_capacity(events.len());
        for r in &events {
            let id: Uuid = get(r, "id")?;
            let detail: String = get(r, "detail")?;
            index.insert(id, out.len());
            out.push(CheckupToJudge {
                event_id: EventId(id),
                person_id: PersonId(get(r, "person_id")?),
                employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
                date: get(r, "event_date")?,
                kind: get(r, "subkind")?,
                detail: serde_json::from_str(&detail).map_err(|e| corrupt("detail", e))?,
                sex: parse::<Sex>("sex", &get::<String>(r, "sex")?)?,
                birth_date: get(r, "birth_date")?,
                facts: Vec::new(),
            });
        }
        drop(events);
        let (Some(first), Some(last)) = (out.first().map(|c| c.event_id.0), out.last().map(|c| c.event_id.0)) else {
            return Ok(out);
        };
        if items.is_empty() {
            return Ok(out);
        }
        // The page's events are one range of the observations' primary key.
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT event_id, item, value_kind, num, unit, code, text, comparator, flag FROM observations WHERE company_id = ",
        );
        qb.push_bind(company.0)
            .push(" AND event_id >= ")
            .push_bind(first)
            .push(" AND event_id <= ")
            .push_bind(last)
            .push(" AND item IN (");
        let mut sep = qb.separated(", ");
        for i in items {
            sep.push_bind(i.clone());
        }
        qb.push(")");
        let rows = qb.build().fetch_all(&self.pool).await.map_err(db_err)?;
        for r in &rows {
            let ev: Uuid = get(r, "event_id")?;
            let Some(c) = index.get(&ev).and_then(|i| out.get_mut(*i)) else { continue };
            let q = qualifier_from_row(r)?;
            c.facts.push(iphr_domain::judgement::Fact {
                item: get(r, "item")?,
                value: value_from_row(r)?,
                comparator: q.comparator,
                flag: q.flag,
            });
        }
        Ok(out)
    }

    async fn prior_opinions(&self, company: CompanyId) -> Result<Vec<PriorOpinion>> {
        let rows = sqlx::query(
            "SELECT person_id, event_date, detail FROM events
             WHERE company_id = $1 AND kind = 'opinion' AND subkind = 'post_checkup' AND person_id IS NOT NULL",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut out = Vec::new();
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&get::<String>(r, "detail")?).map_err(|e| corrupt("detail", e))?;
            let Some(checkup_date) =
                detail.get("checkup_date").and_then(|v| v.as_str()).and_then(|s| s.parse::<NaiveDate>().ok())
            else {
                continue;
            };
            let category = match detail.get("category").and_then(|v| v.as_str()).unwrap_or("") {
                "通常勤務" | "通常勤務可" | "normal" => WorkCategory::Normal,
                "要配慮" | "consideration" => WorkCategory::Consideration,
                "就業制限" | "要制限" | "restriction" => WorkCategory::Restriction,
                "要休業" | "leave" => WorkCategory::Leave,
                _ => continue,
            };
            let measures = detail
                .get("measures")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|m| m.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            out.push(PriorOpinion {
                person_id: PersonId(get(r, "person_id")?),
                checkup_date,
                date: get(r, "event_date")?,
                category,
                measures,
            });
        }
        Ok(out)
    }

    async fn save_judgements(&self, company: CompanyId, rows: &[JudgementWrite], at: DateTime<Utc>) -> Result<JudgeSummary> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let mut stored: HashMap<Uuid, (String, Option<String>, Option<DateTime<Utc>>)> = HashMap::new();
        let first = rows.iter().map(|w| w.event_id.0).min().unwrap_or_default();
        let last = rows.iter().map(|w| w.event_id.0).max().unwrap_or_default();
        for r in sqlx::query(
            "SELECT event_id, result_hash, urgent_tier, urgent_detected_at FROM judgements
             WHERE company_id = $1 AND event_id >= $2 AND event_id <= $3",
        )
        .bind(company.0)
        .bind(first)
        .bind(last)
        .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?
        {
            stored.insert(get(&r, "event_id")?, (get(&r, "result_hash")?, get(&r, "urgent_tier")?, get(&r, "urgent_detected_at")?));
        }
        let mut summary = JudgeSummary { judged: rows.len() as u64, ..JudgeSummary::default() };
        struct Prepared<'a> {
            w: &'a JudgementWrite,
            json: String,
            hash: String,
            detected: Option<DateTime<Utc>>,
        }
        let mut todo: Vec<Prepared<'_>> = Vec::new();
        for w in rows {
            let json = serde_json::to_string(&w.result.compact()).map_err(|e| corrupt("result", e))?;
            let hash = stable_hash(&json);
            let tier = w.result.urgent_tier.map(|t| t.as_str().to_string());
            let detected = match stored.get(&w.event_id.0) {
                Some((h, _, _)) if *h == hash => {
                    summary.unchanged += 1;
                    continue;
                }
                Some((_, old_tier, old_at)) => {
                    summary.changed += 1;
                    if tier.is_none() {
                        None
                    } else if *old_tier == tier {
                        *old_at
                    } else {
                        Some(at)
                    }
                }
                None => {
                    summary.new += 1;
                    tier.as_ref().map(|_| at)
                }
            };
            todo.push(Prepared { w, json, hash, detected });
        }
        const COLS: usize = 26;
        for chunk in todo.chunks((CHUNK_BINDS / COLS).max(1)) {
            let mut qb: QueryBuilder<Db> = QueryBuilder::new(
                "INSERT INTO judgements (company_id, event_id, person_id, employment_id, checkup_date, checkup_kind, latest, overall, institution_overall, differs, has_treated, poorly_controlled, uses_unverified, urgent_tier, urgent_detected_at, guidance_proposed, work_candidate, opinion_due, followup_due, niji_candidate, niji_claim_until, stratification, result_hash, rules_version, judged_at, stage) ",
            );
            qb.push_values(chunk, |mut b, p| {
                let r = &p.w.result;
                b.push_bind(company.0)
                    .push_bind(p.w.event_id.0)
                    .push_bind(p.w.person_id.0)
                    .push_bind(p.w.employment_id.map(|e| e.0))
                    .push_bind(p.w.checkup_date)
                    .push_bind(p.w.checkup_kind.clone())
                    .push_bind(false)
                    .push_bind(r.overall.map(|c| c.as_str().to_string()))
                    .push_bind(r.institution_overall.clone())
                    .push_bind(r.differs_from_institution)
                    .push_bind(r.has_treated)
                    .push_bind(r.poorly_controlled)
                    .push_bind(r.uses_unverified)
                    .push_bind(r.urgent_tier.map(|t| t.as_str().to_string()))
                    .push_bind(p.detected)
                    .push_bind(r.guidance.map(|g| g.as_str().to_string()))
                    .push_bind(r.work_candidate.map(|g| g.as_str().to_string()))
                    .push_bind(r.opinion_due)
                    .push_bind(r.followup_due)
                    .push_bind(r.niji_candidate)
                    .push_bind(r.niji_claim_until)
                    .push_bind(r.stratification.map(|s| s.as_str().to_string()))
                    .push_bind(p.hash.clone())
                    .push_bind(r.rules_version.clone())
                    .push_bind(at)
                    .push_bind(iphr_domain::postcheckup::Stage::Judged.as_str());
            });
            qb.push(
                " ON CONFLICT (company_id, event_id) DO UPDATE SET overall = excluded.overall, institution_overall = excluded.institution_overall,
                  differs = excluded.differs, has_treated = excluded.has_treated, poorly_controlled = excluded.poorly_controlled,
                  uses_unverified = excluded.uses_unverified, urgent_tier = excluded.urgent_tier, urgent_detected_at = excluded.urgent_detected_at,
                  guidance_proposed = excluded.guidance_proposed, work_candidate = excluded.work_candidate, opinion_due = excluded.opinion_due,
                  followup_due = excluded.followup_due, niji_candidate = excluded.niji_candidate, niji_claim_until = excluded.niji_claim_until,
                  stratification = excluded.stratification, result_hash = excluded.result_hash,
                  rules_version = excluded.rules_version, judged_at = excluded.judged_at, checkup_date = excluded.checkup_date,
                  checkup_kind = excluded.checkup_kind",
            );
            let full = chunk.len() == (CHUNK_BINDS / COLS).max(1);
            qb.build().persistent(full).execute(&mut *tx).await.map_err(db_err)?;
            let mut qb: QueryBuilder<Db> = QueryBuilder::new("INSERT INTO judgement_results (company_id, event_id, result) ");
            qb.push_values(chunk, |mut b, p| {
                b.push_bind(company.0).push_bind(p.w.event_id.0).push_bind(p.json.clone());
            });
            qb.push(" ON CONFLICT (company_id, event_id) DO UPDATE SET result = excluded.result");
            qb.build().persistent(full).execute(&mut *tx).await.map_err(db_err)?;
        }
        // Opinions already on the timeline: linked where no opinion was recorded here.
        for p in &todo {
            let Some(o) = &p.w.prior_opinion else { continue };
            let measures = serde_json::to_string(&o.measures).map_err(|e| corrupt("measures", e))?;
            let opinion_at = o.date.and_time(chrono::NaiveTime::MIN).and_utc();
            sqlx::query(
                "UPDATE judgements SET work_category = $1, measures = $2, opinion_at = $3, opinion_by = 'timeline', stage = $4
                 WHERE company_id = $5 AND event_id = $6 AND opinion_at IS NULL",
            )
            .bind(o.category.as_str())
            .bind(measures)
            .bind(opinion_at)
            .bind(iphr_domain::postcheckup::Stage::OpinionSet.as_str())
            .bind(company.0)
            .bind(p.w.event_id.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)?;
        Ok(summary)
    }

    async fn finish_judging(&self, company: CompanyId) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        // Latest per person among the general checkups (雇入時, 定期, 特定業務, 自発的, ドック …) and
        // among the special checkups (特殊健診): each needs its own opinion. Only rows whose flag
        // changes are written.
        sqlx::query(
            "UPDATE judgements SET latest = NOT latest WHERE company_id = $1 AND latest <> (checkup_date = (
               SELECT MAX(j2.checkup_date) FROM judgements j2
               WHERE j2.company_id = judgements.company_id AND j2.person_id = judgements.person_id
               AND (CASE WHEN j2.checkup_kind = 'special' THEN 1 ELSE 0 END)
                 = (CASE WHEN judgements.checkup_kind = 'special' THEN 1 ELSE 0 END)))",
        )
        .bind(company.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        // Planner statistics: the dashboard reads through the (company, latest) index.
        sqlx::query("ANALYZE judgements").execute(&self.pool).await.map_err(db_err)?;
        Ok(())
    }

    async fn judgements(&self, company: CompanyId, f: &JudgementFilter) -> Result<Vec<JudgementRecord>> {
        // The page is chosen on the lean table (filter, order, limit), then joined with the
        // results and names: a dashboard section reads 20 results, not thousands.
        let lean_order = match f.section {
            Some(Section::OpinionDue) => "j.opinion_due, j.event_id",
            Some(Section::Followup) => "j.followup_due, j.event_id",
            Some(Section::Niji) => "j.niji_claim_until, j.event_id",
            Some(Section::Panic | Section::Referral) => "j.urgent_detected_at, j.checkup_date, j.event_id",
            _ => "j.checkup_date, j.event_id",
        };
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT j.*, jr.result, en.employee_number, p.family_name, p.given_name FROM (SELECT * FROM judgements j WHERE j.company_id = ",
        );
        qb.push_bind(company.0);
        if f.latest_only {
            qb.push(" AND j.latest = ").push_bind(true);
        }
        if let Some(since) = f.since {
            qb.push(" AND j.checkup_date >= ").push_bind(since);
        }
        if let Some(section) = f.section {
            push_section(&mut qb, section, f.today);
        }
        qb.push(" ORDER BY ").push(lean_order);
        if let Some(limit) = f.limit {
            qb.push(" LIMIT ").push_bind(i64::from(limit));
        }
        qb.push(
            ") j JOIN judgement_results jr ON jr.company_id = j.company_id AND jr.event_id = j.event_id
             LEFT JOIN employments en ON en.company_id = j.company_id AND en.id = j.employment_id
             LEFT JOIN persons p ON p.id = j.person_id ORDER BY ",
        );
        qb.push(match f.section {
            Some(Section::OpinionDue | Section::Followup | Section::Niji | Section::Panic | Section::Referral) => lean_order,
            _ => "en.employee_number, j.checkup_date, j.event_id",
        });
        qb.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(judgement_from_row).collect()
    }

    async fn judgement(&self, company: CompanyId, event: EventId) -> Result<Option<JudgementRecord>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(JUDGEMENT_SELECT);
        qb.push(" WHERE j.company_id = ").push_bind(company.0).push(" AND j.event_id = ").push_bind(event.0);
        qb.build().fetch_optional(&self.pool).await.map_err(db_err)?.as_ref().map(judgement_from_row).transpose()
    }

    async fn dashboard_counts(&self, company: CompanyId, today: NaiveDate, panic_cutoff: DateTime<Utc>) -> Result<DashboardCounts> {
        // One pass over the latest judgements for every count without a subquery …
        let r = sqlx::query(
            "SELECT COUNT(*) AS judged,
               COALESCE(SUM(CASE WHEN urgent_tier = 'panic' AND urgent_closed_at IS NULL THEN 1 ELSE 0 END), 0) AS panic,
               COALESCE(SUM(CASE WHEN urgent_tier = 'panic' AND urgent_closed_at IS NULL AND urgent_detected_at < $3 THEN 1 ELSE 0 END), 0) AS panic_overdue,
               COALESCE(SUM(CASE WHEN opinion_due IS NOT NULL AND opinion_at IS NULL THEN 1 ELSE 0 END), 0) AS opinion_due,
               COALESCE(SUM(CASE WHEN opinion_due IS NOT NULL AND opinion_at IS NULL AND opinion_due < $2 THEN 1 ELSE 0 END), 0) AS opinion_overdue,
               COALESCE(SUM(CASE WHEN niji_candidate = $4 AND niji_claim_until >= $2 THEN 1 ELSE 0 END), 0) AS niji,
               COALESCE(SUM(CASE WHEN stratification = 'active' THEN 1 ELSE 0 END), 0) AS strat_active,
               COALESCE(SUM(CASE WHEN stratification = 'motivational' THEN 1 ELSE 0 END), 0) AS strat_motivational,
               COALESCE(SUM(CASE WHEN stratification = 'information' THEN 1 ELSE 0 END), 0) AS strat_information,
               COALESCE(SUM(CASE WHEN opinion_at IS NOT NULL AND hr_ack_at IS NULL AND work_category IS NOT NULL AND work_category <> 'normal' THEN 1 ELSE 0 END), 0) AS hr_pending
             FROM judgements WHERE company_id = $1 AND latest = $4",
        )
        .bind(company.0)
        .bind(today)
        .bind(panic_cutoff)
        .bind(true)
        .fetch_one(&self.pool)
        .await
        .map_err(db_err)?;
        let n = |k: &str| -> Result<u64> { Ok(count(get::<i64>(&r, k)?)) };
        let mut c = DashboardCounts {
            judged: n("judged")?,
            panic: n("panic")?,
            panic_overdue: n("panic_overdue")?,
            opinion_due: n("opinion_due")?,
            opinion_overdue: n("opinion_overdue")?,
            niji: n("niji")?,
            strat_active: n("strat_active")?,
            strat_motivational: n("strat_motivational")?,
            strat_information: n("strat_information")?,
            hr_pending: n("hr_pending")?,
            ..DashboardCounts::default()
        };
        // … and the two sections that look at the timeline.
        for section in [Section::Referral, Section::Followup] {
            let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT COUNT(*) FROM judgements j WHERE j.company_id = ");
            qb.push_bind(company.0).push(" AND j.latest = ").push_bind(true);
            push_section(&mut qb, section, today);
            let v: i64 = qb.build_query_scalar().fetch_one(&self.pool).await.map_err(db_err)?;
            if section == Section::Referral {
                c.referral = count(v);
            } else {
                c.followup = count(v);
            }
        }
        Ok(c)
    }

    async fn append_step(&self, w: &StepWrite) -> Result<JudgementRecord> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let row = sqlx::query(
            "SELECT person_id, stage, work_category FROM judgements WHERE company_id = $1 AND event_id = $2",
        )
        .bind(w.company_id.0)
        .bind(w.event_id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or_else(|| StoreError::NotFound(format!("judgement of checkup {}", w.event_id)))?;
        let person: Uuid = get(&row, "person_id")?;
        // An acknowledgement acknowledges the physician's opinion: none yet, nothing to
        // acknowledge (事後措置指針: the employer decides after hearing the physician).
        if matches!(w.step, iphr_domain::postcheckup::Step::HrAck { .. })
            && get::<Option<String>>(&row, "work_category")?.is_none()
        {
            return Err(StoreError::Conflict(format!(
                "checkup {} has no physician's opinion (就業区分) to acknowledge",
                w.event_id
            )));
        }
        let stage = iphr_domain::postcheckup::Stage::parse(&get::<String>(&row, "stage")?)
            .ok_or_else(|| corrupt("stage", "unknown"))?;
        let payload = serde_json::to_string(&w.step).map_err(|e| corrupt("step", e))?;
        sqlx::query(
            "INSERT INTO postcheckup_steps (company_id, id, event_id, person_id, step, payload, by_login, by_role, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(w.company_id.0)
        .bind(Uuid::now_v7())
        .bind(w.event_id.0)
        .bind(person)
        .bind(w.step.name())
        .bind(payload)
        .bind(&w.by_login)
        .bind(w.by_role.as_str())
        .bind(w.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let new_stage = w.step.stage().map_or(stage, |s| s.max(stage));
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("UPDATE judgements SET stage = ");
        qb.push_bind(new_stage.as_str());
        use iphr_domain::postcheckup::Step;
        match &w.step {
            Step::Guidance { level, .. } => {
                qb.push(", guidance = ").push_bind(level.as_str()).push(", guidance_at = ").push_bind(w.at);
            }
            Step::Opinion(o) => {
                let mut measures: Vec<String> = o.measures.iter().map(|m| m.as_str().to_string()).collect();
                if !o.measures_text.trim().is_empty() {
                    measures.push(o.measures_text.trim().to_string());
                }
                let measures = serde_json::to_string(&measures).map_err(|e| corrupt("measures", e))?;
                qb.push(", work_category = ")
                    .push_bind(o.category.as_str())
                    .push(", measures = ")
                    .push_bind(measures)
                    .push(", valid_until = ")
                    .push_bind(o.valid_until)
                    .push(", review_on = ")
                    .push_bind(o.review_on)
                    .push(", opinion_at = ")
                    .push_bind(w.at)
                    .push(", opinion_by = ")
                    .push_bind(w.by_login.clone())
                    // A new decision needs a new acknowledgement.
                    .push(", hr_ack_at = NULL");
            }
            Step::HrAck { .. } => {
                qb.push(", hr_ack_at = ").push_bind(w.at);
            }
            Step::UrgentContact { reached, .. } => {
                if *reached {
                    qb.push(", urgent_closed_at = ").push_bind(w.at);
                }
            }
            Step::ReferralClosed { .. } => {
                qb.push(", urgent_closed_at = ").push_bind(w.at);
            }
            Step::HealthGuidance { .. } => {}
            Step::FollowupClosed { .. } => {
                qb.push(", followup_closed_at = ").push_bind(w.at).push(", closed_at = ").push_bind(w.at);
            }
        }
        qb.push(" WHERE company_id = ").push_bind(w.company_id.0).push(" AND event_id = ").push_bind(w.event_id.0);
        qb.build().execute(&mut *tx).await.map_err(db_err)?;
        if !w.records.is_empty() {
            write_batch(&mut tx, &Batch { events: w.records.clone(), ..Batch::default() }).await?;
        }
        tx.commit().await.map_err(db_err)?;
        self.judgement(w.company_id, w.event_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("judgement of checkup {}", w.event_id)))
    }

    async fn steps(&self, company: CompanyId, event: EventId) -> Result<Vec<StepRecord>> {
        sqlx::query(
            "SELECT id, event_id, payload, by_login, by_role, at FROM postcheckup_steps
             WHERE company_id = $1 AND event_id = $2 ORDER BY at, id",
        )
        .bind(company.0)
        .bind(event.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(StepRecord {
                id: get(r, "id")?,
                event_id: EventId(get(r, "event_id")?),
                step: serde_json::from_str(&get::<String>(r, "payload")?).map_err(|e| corrupt("payload", e))?,
                by_login: get(r, "by_login")?,
                by_role: parse::<Role>("by_role", &get::<String>(r, "by_role")?)?,
                at: get(r, "at")?,
            })
        })
        .collect()
    }

    async fn rule_overrides(&self, company: CompanyId) -> Result<Vec<RuleOverride>> {
        sqlx::query("SELECT table_name, content, updated_by, updated_at FROM rule_overrides WHERE company_id = $1 ORDER BY table_name")
            .bind(company.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(RuleOverride {
                    table: get(r, "table_name")?,
                    content: get(r, "content")?,
                    updated_by: get(r, "updated_by")?,
                    updated_at: get(r, "updated_at")?,
                })
            })
            .collect()
    }

    async fn set_rule_override(&self, company: CompanyId, o: &RuleOverride) -> Result<()> {
        if o.content.trim().is_empty() {
            sqlx::query("DELETE FROM rule_overrides WHERE company_id = $1 AND table_name = $2")
                .bind(company.0)
                .bind(&o.table)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO rule_overrides (company_id, table_name, content, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (company_id, table_name) DO UPDATE SET content = excluded.content, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(company.0)
        .bind(&o.table)
        .bind(&o.content)
        .bind(&o.updated_by)
        .bind(o.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn monthly_values(
        &self,
        company: CompanyId,
        kind: EventKind,
        from: NaiveDate,
        to: NaiveDate,
        items: &[String],
        person: Option<PersonId>,
    ) -> Result<Vec<MonthlyValue>> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(
            "SELECT o.person_id, o.employment_id, e.event_date, o.item, o.num FROM events e
             JOIN observations o ON o.company_id = e.company_id AND o.event_id = e.id
             WHERE e.company_id = ",
        );
        qb.push_bind(company.0)
            .push(" AND e.kind = ")
            .push_bind(kind.as_str())
            .push(" AND e.event_date >= ")
            .push_bind(from)
            .push(" AND e.event_date <= ")
            .push_bind(to)
            .push(" AND o.value_kind = 'number'");
        if let Some(p) = person {
            qb.push(" AND e.person_id = ").push_bind(p.0);
        }
        qb.push(" AND o.item IN (");
        let mut sep = qb.separated(", ");
        for i in items {
            sep.push_bind(i.clone());
        }
        qb.push(") ORDER BY o.person_id, e.event_date, o.item");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(|r| {
                Ok(MonthlyValue {
                    person_id: PersonId(get(r, "person_id")?),
                    employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
                    date: get(r, "event_date")?,
                    item: get(r, "item")?,
                    value: get::<Option<f64>>(r, "num")?.unwrap_or(0.0),
                })
            })
            .collect()
    }

    async fn create_stress_campaign(&self, c: &StressCampaign) -> Result<()> {
        sqlx::query(
            "INSERT INTO stress_campaigns (company_id, id, name, starts_on, ends_on, method, implementer, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(c.company_id.0)
        .bind(c.id)
        .bind(&c.name)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(&c.method)
        .bind(&c.implementer)
        .bind(&c.created_by)
        .bind(c.created_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn stress_campaigns(&self, company: CompanyId) -> Result<Vec<StressCampaign>> {
        sqlx::query(
            "SELECT company_id, id, name, starts_on, ends_on, method, implementer, created_by, created_at
             FROM stress_campaigns WHERE company_id = $1 ORDER BY starts_on DESC, id DESC",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(StressCampaign {
                company_id: CompanyId(get(r, "company_id")?),
                id: get(r, "id")?,
                name: get(r, "name")?,
                starts_on: get(r, "starts_on")?,
                ends_on: get(r, "ends_on")?,
                method: get(r, "method")?,
                implementer: get(r, "implementer")?,
                created_by: get(r, "created_by")?,
                created_at: get(r, "created_at")?,
            })
        })
        .collect()
    }

    async fn stress_sheets(&self, company: CompanyId, from: NaiveDate, to: NaiveDate) -> Result<Vec<StressSheet>> {
        let rows = sqlx::query(
            "SELECT id, person_id, employment_id, event_date, detail FROM events
             WHERE company_id = $1 AND kind = 'stress_check' AND event_date >= $2 AND event_date <= $3
               AND person_id IS NOT NULL ORDER BY person_id, event_date, id",
        )
        .bind(company.0)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&get::<String>(r, "detail")?).map_err(|e| corrupt("detail", e))?;
            let Some(answers) = detail.get("answers").and_then(|a| a.as_array()) else { continue };
            let answers: Vec<u8> =
                answers.iter().filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect();
            out.push(StressSheet {
                event_id: EventId(get(r, "id")?),
                person_id: PersonId(get(r, "person_id")?),
                employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
                date: get(r, "event_date")?,
                answers,
            });
        }
        Ok(out)
    }

    async fn stress_draft(&self, company: CompanyId, campaign: Uuid, person: PersonId) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT answers FROM stress_drafts WHERE company_id = $1 AND campaign_id = $2 AND person_id = $3")
            .bind(company.0)
            .bind(campaign)
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
    }

    async fn save_stress_draft(&self, company: CompanyId, campaign: Uuid, person: PersonId, answers: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO stress_drafts (company_id, campaign_id, person_id, answers, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (company_id, campaign_id, person_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
        )
        .bind(company.0)
        .bind(campaign)
        .bind(person.0)
        .bind(answers)
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn submit_stress(&self, batch: &Batch, company: CompanyId, campaign: Uuid, person: PersonId) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, batch).await?;
        sqlx::query("DELETE FROM stress_drafts WHERE company_id = $1 AND campaign_id = $2 AND person_id = $3")
            .bind(company.0)
            .bind(campaign)
            .bind(person.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        tx.commit().await.map_err(db_err)
    }

    async fn record_stress_reminders(
        &self,
        company: CompanyId,
        campaign: Uuid,
        persons: &[PersonId],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        for p in persons {
            sqlx::query(
                "INSERT INTO stress_reminders (company_id, campaign_id, person_id, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (company_id, campaign_id, person_id, sent_at) DO NOTHING",
            )
            .bind(company.0)
            .bind(campaign)
            .bind(p.0)
            .bind(at)
            .bind(by)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn stress_reminders(&self, company: CompanyId, campaign: Uuid) -> Result<Vec<iphr_store::StressReminder>> {
        sqlx::query(
            "SELECT person_id, sent_at, sent_by FROM stress_reminders WHERE company_id = $1 AND campaign_id = $2
             ORDER BY sent_at, person_id",
        )
        .bind(company.0)
        .bind(campaign)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(iphr_store::StressReminder {
                person_id: PersonId(get(r, "person_id")?),
                sent_at: get(r, "sent_at")?,
                sent_by: get(r, "sent_by")?,
            })
        })
        .collect()
    }

    async fn assignment_history(&self, company: CompanyId) -> Result<Vec<iphr_store::AssignmentSpan>> {
        sqlx::query(
            "SELECT e.person_id, a.employment_id, a.valid_from, a.valid_to, a.department_id, d.name AS department,
                    a.work_regime
             FROM assignments a JOIN employments e ON e.company_id = a.company_id AND e.id = a.employment_id
             JOIN departments d ON d.company_id = a.company_id AND d.id = a.department_id
             WHERE a.company_id = $1 ORDER BY e.person_id, a.valid_from",
        )
        .bind(company.0)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| {
            Ok(iphr_store::AssignmentSpan {
                person_id: PersonId(get(r, "person_id")?),
                employment_id: EmploymentId(get(r, "employment_id")?),
                valid_from: get(r, "valid_from")?,
                valid_to: get(r, "valid_to")?,
                department_id: iphr_domain::DepartmentId(get(r, "department_id")?),
                department: get(r, "department")?,
                work_regime: regime(&get::<String>(r, "work_regime")?)?,
            })
        })
        .collect()
    }

    async fn events_of_kind(&self, company: CompanyId, kind: EventKind, subkind: Option<&str>) -> Result<Vec<Event>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new(concat!(
            "SELECT ",
            event_cols!(),
            " FROM events WHERE company_id = "
        ));
        qb.push_bind(company.0).push(" AND kind = ").push_bind(kind.as_str());
        if let Some(sub) = subkind {
            qb.push(" AND subkind = ").push_bind(sub.to_string());
        }
        qb.push(" ORDER BY event_date, id");
        qb.build().fetch_all(&self.pool).await.map_err(db_err)?.iter().map(event_from_row).collect()
    }

    // ---- document bundles ----

    async fn create_upload(&self, u: &iphr_store::Upload, bytes: &[u8]) -> Result<()> {
        sqlx::query(
            "INSERT INTO uploads (company_id, id, user_id, login, role, kind, profile, file_name, sha256, size, bytes,
                                  status, phase, report, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        )
        .bind(u.company_id.0)
        .bind(u.id)
        .bind(u.user_id.0)
        .bind(&u.login)
        .bind(&u.role)
        .bind(&u.kind)
        .bind(&u.profile)
        .bind(&u.file_name)
        .bind(&u.sha256)
        .bind(u.size)
        .bind(bytes)
        .bind(u.status.as_str())
        .bind(&u.phase)
        .bind(&u.report)
        .bind(u.created_at)
        .bind(u.updated_at)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn upload(&self, company: CompanyId, id: Uuid) -> Result<Option<iphr_store::Upload>> {
        sqlx::query(
            "SELECT company_id, id, user_id, login, role, kind, profile, file_name, sha256, size, status, phase, report,
                    created_at, updated_at FROM uploads WHERE company_id = $1 AND id = $2",
        )
            .bind(company.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| upload_from_row(&r))
            .transpose()
    }

    async fn upload_bytes(&self, company: CompanyId, id: Uuid) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT bytes FROM uploads WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)
            .map(Option::flatten)
    }

    async fn set_upload_status(
        &self,
        company: CompanyId,
        id: Uuid,
        from: iphr_store::UploadStatus,
        to: iphr_store::UploadStatus,
        phase: &str,
        report: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let sql = if to.is_final() {
            "UPDATE uploads SET status = $1, phase = $2, report = COALESCE($3, report), updated_at = $4, bytes = NULL
             WHERE company_id = $5 AND id = $6 AND status = $7"
        } else {
            "UPDATE uploads SET status = $1, phase = $2, report = COALESCE($3, report), updated_at = $4
             WHERE company_id = $5 AND id = $6 AND status = $7"
        };
        let done = sqlx::query(sql)
            .bind(to.as_str())
            .bind(phase)
            .bind(report)
            .bind(at)
            .bind(company.0)
            .bind(id)
            .bind(from.as_str())
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!("upload {id} is not {}", from.as_str())));
        }
        Ok(())
    }

    async fn uploads_of_user(&self, company: CompanyId, user: UserId, limit: u32) -> Result<Vec<iphr_store::Upload>> {
        sqlx::query(
            "SELECT company_id, id, user_id, login, role, kind, profile, file_name, sha256, size, status, phase, report,
                    created_at, updated_at FROM uploads WHERE company_id = $1 AND user_id = $2
             ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(company.0)
        .bind(user.0)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(upload_from_row)
        .collect()
    }

    async fn insert_documents(&self, w: &iphr_store::DocumentWrite) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        if let Some(f) = &w.source_file {
            sqlx::query(
                "INSERT INTO source_files (company_id, id, kind, sha256, file_name, profile, encoding, imported_at, imported_by, summary)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (company_id, kind, sha256) DO NOTHING",
            )
            .bind(f.company_id.0)
            .bind(f.id)
            .bind(&f.kind)
            .bind(&f.sha256)
            .bind(&f.file_name)
            .bind(&f.profile)
            .bind(&f.encoding)
            .bind(f.imported_at)
            .bind(&f.imported_by)
            .bind(f.summary.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        // One statement per document: a blob may be tens of megabytes.
        for d in &w.documents {
            let m = &d.meta;
            sqlx::query(
                "INSERT INTO documents (company_id, id, person_id, employment_id, event_id, sha256, original_path,
                    content_type, size, bytes, document_date, title, employee_number, unmatched_reason, imported_at,
                    imported_by, source_sha256, assigned_at, assigned_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
            )
            .bind(m.company_id.0)
            .bind(m.id)
            .bind(m.person_id.map(|p| p.0))
            .bind(m.employment_id.map(|e| e.0))
            .bind(m.event_id.map(|e| e.0))
            .bind(&m.sha256)
            .bind(&m.original_path)
            .bind(&m.content_type)
            .bind(m.size)
            .bind(&d.bytes)
            .bind(m.document_date)
            .bind(&m.title)
            .bind(&m.employee_number)
            .bind(&m.unmatched_reason)
            .bind(m.imported_at)
            .bind(&m.imported_by)
            .bind(&m.source_sha256)
            .bind(m.assigned_at)
            .bind(&m.assigned_by)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        let mut events: Vec<Event> = w.events.clone();
        events.extend(w.assignments.iter().map(|a| a.event.clone()));
        write_batch(&mut tx, &Batch { events, ..Default::default() }).await?;
        for a in &w.assignments {
            set_document_person(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn documents_by_sha256(&self, company: CompanyId, sha256: &[String]) -> Result<Vec<iphr_store::DocumentMeta>> {
        let mut out = Vec::new();
        for chunk in sha256.chunks(IN_LIST) {
            let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
            qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
            qb.push(" AND sha256 IN (");
            let mut sep = qb.separated(", ");
            for h in chunk {
                sep.push_bind(h.clone());
            }
            qb.push(") ORDER BY id");
            for r in qb.build().fetch_all(&self.pool).await.map_err(db_err)? {
                out.push(document_meta_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn unassigned_documents(&self, company: CompanyId) -> Result<Vec<iphr_store::DocumentMeta>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND person_id IS NULL ORDER BY imported_at, id");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(document_meta_from_row)
            .collect()
    }

    async fn assign_document(&self, company: CompanyId, a: &iphr_store::DocumentAssignment) -> Result<iphr_store::DocumentMeta> {
        if a.event.company_id != company || a.event.person_id != Some(a.person_id) {
            return Err(StoreError::Conflict("the attachment event belongs to another company or person".into()));
        }
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, &Batch { events: vec![a.event.clone()], ..Default::default() }).await?;
        set_document_person(&mut tx, a).await?;
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND id = ").push_bind(a.document_id);
        let row = qb
            .build()
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        let meta = document_meta_from_row(&row)?;
        tx.commit().await.map_err(db_err)?;
        Ok(meta)
    }

    async fn document(&self, company: CompanyId, id: Uuid) -> Result<Option<iphr_store::StoredDocument>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(", bytes FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND id = ").push_bind(id);
        qb.build()
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .map(|r| Ok(iphr_store::StoredDocument { meta: document_meta_from_row(&r)?, bytes: get(&r, "bytes")? }))
            .transpose()
    }

    async fn documents_of_person(&self, company: CompanyId, person: PersonId) -> Result<Vec<iphr_store::DocumentMeta>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND person_id = ").push_bind(person.0).push(" ORDER BY document_date, id");
        qb.build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?
            .iter()
            .map(document_meta_from_row)
            .collect()
    }

    async fn begin_import(&self) -> Result<Box<dyn iphr_store::ImportTransaction>> {
        Ok(Box::new(ImportTx { tx: backend::begin_write(&self.pool).await? }))
    }
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

const JUDGEMENT_SELECT: &str = "SELECT j.*, jr.result, en.employee_number, p.family_name, p.given_name FROM judgements j
     JOIN judgement_results jr ON jr.company_id = j.company_id AND jr.event_id = j.event_id
     LEFT JOIN employments en ON en.company_id = j.company_id AND en.id = j.employment_id
     LEFT JOIN persons p ON p.id = j.person_id";

/// The condition of a dashboard section (each on the person's latest checkup, set by the caller).
fn push_section(qb: &mut QueryBuilder<Db>, section: Section, today: NaiveDate) {
    match section {
        Section::Panic => {
            qb.push(" AND j.urgent_tier = 'panic' AND j.urgent_closed_at IS NULL");
        }
        Section::Referral => {
            // Closed by a recorded visit, or by a treatment or medication on the timeline since.
            qb.push(
                " AND j.urgent_tier = 'referral' AND j.urgent_closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM events t
                   WHERE t.company_id = j.company_id AND t.person_id = j.person_id AND t.kind IN ('treatment', 'medication')
                   AND t.event_date >= j.checkup_date)",
            );
        }
        Section::OpinionDue => {
            qb.push(" AND j.opinion_due IS NOT NULL AND j.opinion_at IS NULL");
        }
        Section::Followup => {
            qb.push(" AND j.followup_due IS NOT NULL AND j.followup_closed_at IS NULL AND j.followup_due <= ")
                .push_bind(today)
                .push(
                    " AND NOT EXISTS (SELECT 1 FROM events t WHERE t.company_id = j.company_id AND t.person_id = j.person_id
                       AND t.kind IN ('treatment', 'medication') AND t.event_date >= j.checkup_date)",
                );
        }
        Section::Niji => {
            qb.push(" AND j.niji_candidate = ").push_bind(true).push(" AND j.niji_claim_until >= ").push_bind(today);
        }
        Section::Stratification => {
            qb.push(" AND j.stratification IN ('active', 'motivational')");
        }
        Section::HrPending => {
            qb.push(" AND j.opinion_at IS NOT NULL AND j.hr_ack_at IS NULL AND j.work_category IS NOT NULL AND j.work_category <> 'normal'");
        }
    }
}

fn judgement_from_row(r: &DbRow) -> Result<JudgementRecord> {
    let result: iphr_domain::judgement::CheckupJudgement =
        serde_json::from_str(&get::<String>(r, "result")?).map_err(|e| corrupt("result", e))?;
    let measures: Option<String> = get(r, "measures")?;
    let family: Option<String> = get(r, "family_name")?;
    let given: Option<String> = get(r, "given_name")?;
    Ok(JudgementRecord {
        company_id: CompanyId(get(r, "company_id")?),
        event_id: EventId(get(r, "event_id")?),
        person_id: PersonId(get(r, "person_id")?),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        employee_number: get(r, "employee_number")?,
        name: format!("{} {}", family.unwrap_or_default(), given.unwrap_or_default()).trim().to_string(),
        checkup_date: get(r, "checkup_date")?,
        checkup_kind: get(r, "checkup_kind")?,
        latest: get(r, "latest")?,
        result,
        urgent_detected_at: get(r, "urgent_detected_at")?,
        urgent_closed_at: get(r, "urgent_closed_at")?,
        followup_closed_at: get(r, "followup_closed_at")?,
        judged_at: get(r, "judged_at")?,
        stage: get(r, "stage")?,
        guidance: get(r, "guidance")?,
        work_category: get::<Option<String>>(r, "work_category")?.as_deref().and_then(WorkCategory::parse),
        measures: measures.map(|m| serde_json::from_str(&m).map_err(|e| corrupt("measures", e))).transpose()?.unwrap_or_default(),
        valid_until: get(r, "valid_until")?,
        review_on: get(r, "review_on")?,
        opinion_at: get(r, "opinion_at")?,
        opinion_by: get(r, "opinion_by")?,
        hr_ack_at: get(r, "hr_ack_at")?,
        closed_at: get(r, "closed_at")?,
    })
}

/// The columns of a document without its bytes.
const DOCUMENT_META_COLS: &str = "company_id, id, person_id, employment_id, event_id, sha256, original_path, content_type,
    size, document_date, title, employee_number, unmatched_reason, imported_at, imported_by, source_sha256, assigned_at,
    assigned_by";

fn document_meta_from_row(r: &DbRow) -> Result<iphr_store::DocumentMeta> {
    Ok(iphr_store::DocumentMeta {
        company_id: CompanyId(get(r, "company_id")?),
        id: get(r, "id")?,
        person_id: get::<Option<Uuid>>(r, "person_id")?.map(PersonId),
        employment_id: get::<Option<Uuid>>(r, "employment_id")?.map(EmploymentId),
        event_id: get::<Option<Uuid>>(r, "event_id")?.map(EventId),
        sha256: get(r, "sha256")?,
        original_path: get(r, "original_path")?,
        content_type: get(r, "content_type")?,
        size: get(r, "size")?,
        document_date: get(r, "document_date")?,
        title: get(r, "title")?,
        employee_number: get(r, "employee_number")?,
        unmatched_reason: get(r, "unmatched_reason")?,
        imported_at: get(r, "imported_at")?,
        imported_by: get(r, "imported_by")?,
        source_sha256: get(r, "source_sha256")?,
        assigned_at: get(r, "assigned_at")?,
        assigned_by: get(r, "assigned_by")?,
    })
}

/// Gives a waiting document its worker and attachment event; refused when it is not waiting.
async fn set_document_person(tx: &mut sqlx::Transaction<'static, Db>, a: &iphr_store::DocumentAssignment) -> Result<()> {
    let done = sqlx::query(
        "UPDATE documents SET person_id = $1, employment_id = $2, event_id = $3, assigned_at = $4, assigned_by = $5,
            unmatched_reason = NULL
         WHERE company_id = $6 AND id = $7 AND person_id IS NULL",
    )
    .bind(a.person_id.0)
    .bind(a.employment_id.0)
    .bind(a.event.id.0)
    .bind(a.assigned_at)
    .bind(&a.assigned_by)
    .bind(a.event.company_id.0)
    .bind(a.document_id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict(format!("document {} is not waiting for a worker in this company", a.document_id)));
    }
    Ok(())
}
