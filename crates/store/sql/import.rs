//! Imports: source files, identity candidates, held and unmapped records, writes in parts.

use super::audit::insert_audit;
use super::records::write_batch;
use super::*;

/// The events (of one kind, or all) of persons in a company that `keep` accepts, and their
/// observations; 500 persons and 500 events a query.
pub(super) async fn events_of_persons(
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
pub(super) async fn events_of_persons_on(
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
        let mut qb: QueryBuilder<Db> =
            QueryBuilder::new(concat!("SELECT ", event_cols!(), " FROM events WHERE company_id = "));
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
            .rows(&mut *conn, event_from_row)
            .await?
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
            for r in qb.build().persistent(ids.len() == IN_LIST).all(&mut *conn).await? {
                observations.push(observation_from_row(&r)?);
            }
        }
        events.extend(found);
    }
    Ok((events, observations))
}

/// Records a file read by an import. The same bytes of the same kind twice are a conflict, or,
/// with `again_ok`, nothing (a document bundle written again records it once).
pub(super) async fn insert_source_file(
    tx: &mut sqlx::Transaction<'static, Db>,
    f: &SourceFile,
    again_ok: bool,
) -> Result<()> {
    let sql = if again_ok {
        "INSERT INTO source_files (company_id, id, kind, sha256, file_name, profile, encoding, imported_at, \
         imported_by, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (company_id, kind, sha256) DO NOTHING"
    } else {
        "INSERT INTO source_files (company_id, id, kind, sha256, file_name, profile, encoding, imported_at, \
         imported_by, summary) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    };
    sqlx::query(sql)
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
        .run(&mut **tx)
        .await?;
    Ok(())
}

/// Writes one import (or one part of it) inside a transaction.
pub(super) async fn write_import(tx: &mut sqlx::Transaction<'static, Db>, w: &ImportWrite) -> Result<()> {
    for a in &w.audit {
        insert_audit(tx, a).await?;
    }
    if let Some(f) = &w.source_file {
        insert_source_file(tx, f, false).await?;
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
        .run(&mut **tx).await?;
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
        .run(&mut **tx).await?;
        if done != 1 {
            return Err(StoreError::NotFound(format!("observation {} to correct", c.old.id)));
        }
    }
    for id in &w.mapped {
        let done = sqlx::query("UPDATE unmapped_items SET status = 'mapped' WHERE id = $1 AND status = 'open'")
            .bind(id)
            .run(&mut **tx)
            .await?;
        if done != 1 {
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
        .run(&mut **tx)
        .await?;
    }
    for id in &w.resolved {
        let done = sqlx::query("UPDATE identity_queue SET status = 'resolved' WHERE id = $1 AND status = 'open'")
            .bind(id)
            .run(&mut **tx)
            .await?;
        if done != 1 {
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
pub(super) struct ImportTx {
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

/// Every identity candidate of a company (its employments with the person's kana, birth date,
/// sex and insurer ids), in employee-number order, streamed: one row at a time is held.
pub(super) async fn each_candidate(
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

#[async_trait]
impl ImportStore for StoreImpl {
    async fn source_file(&self, company: CompanyId, kind: &str, sha256: &str) -> Result<Option<SourceFile>> {
        sqlx::query(
            "SELECT company_id, id, kind, sha256, file_name, profile, encoding, imported_at, imported_by, summary
             FROM source_files WHERE company_id = $1 AND kind = $2 AND sha256 = $3",
        )
        .bind(company.0)
        .bind(kind)
        .bind(sha256)
        .row(&self.pool, |r| {
            Ok(SourceFile {
                company_id: CompanyId(get(r, "company_id")?),
                id: get(r, "id")?,
                kind: get(r, "kind")?,
                sha256: get(r, "sha256")?,
                file_name: get(r, "file_name")?,
                profile: get(r, "profile")?,
                encoding: get(r, "encoding")?,
                imported_at: get(r, "imported_at")?,
                imported_by: get(r, "imported_by")?,
                summary: serde_json::from_str(&get::<String>(r, "summary")?).map_err(|e| corrupt("summary", e))?,
            })
        })
        .await
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
            .one(&self.pool)
            .await?;
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

    async fn identity_queue(&self, company: CompanyId) -> Result<Vec<QueueEntry>> {
        sqlx::query(
            "SELECT company_id, id, source_file_id, line, reason, identity, candidates, payload, status, created_at
             FROM identity_queue WHERE company_id = $1 AND status = 'open' ORDER BY id",
        )
        .bind(company.0)
        .rows(&self.pool, |r| {
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
        .await
    }

    async fn unmapped_items(&self, company: CompanyId) -> Result<Vec<UnmappedEntry>> {
        sqlx::query(
            "SELECT company_id, id, source_file_id, line, source_system, source_code, source_text, raw_value, unit, person_id,
                    event_date, status, created_at
             FROM unmapped_items WHERE company_id = $1 AND status = 'open' ORDER BY id",
        )
        .bind(company.0)
        .rows(&self.pool, |r| {
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
        }).await
    }

    async fn source_mappings(&self, company: CompanyId, source_system: &str) -> Result<Vec<SourceMapping>> {
        sqlx::query(
            "SELECT company_id, source_system, source_code, item, created_at, created_by FROM source_mappings
             WHERE company_id = $1 AND source_system = $2 ORDER BY source_code",
        )
        .bind(company.0)
        .bind(source_system)
        .rows(&self.pool, |r| {
            Ok(SourceMapping {
                company_id: CompanyId(get(r, "company_id")?),
                source_system: get(r, "source_system")?,
                source_code: get(r, "source_code")?,
                item: get(r, "item")?,
                created_at: get(r, "created_at")?,
                created_by: get(r, "created_by")?,
            })
        })
        .await
    }

    async fn begin_import(&self) -> Result<Box<dyn iphr_store::ImportTransaction>> {
        Ok(Box::new(ImportTx { tx: backend::begin_write(&self.pool).await? }))
    }
}
