//! Batches, the timeline, events and observations, and the history of corrected values.

use super::*;

/// Writes the rows of a batch inside a transaction.
pub(super) async fn write_batch(tx: &mut sqlx::Transaction<'static, Db>, b: &Batch) -> Result<()> {
    insert_rows(tx, "INSERT INTO establishments (company_id, id, name) ", 3, &b.establishments, |mut q, e| {
        q.push_bind(e.company_id.0).push_bind(e.id.0).push_bind(e.name.clone());
    })
    .await?;
    insert_rows(
        tx,
        "INSERT INTO departments (company_id, id, establishment_id, name, parent_id) ",
        5,
        &b.departments,
        |mut q, d| {
            q.push_bind(d.company_id.0)
                .push_bind(d.id.0)
                .push_bind(d.establishment_id.0)
                .push_bind(d.name.clone())
                .push_bind(d.parent_id.map(|p| p.0));
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
        if let std::collections::btree_map::Entry::Vacant(slot) = keys.entry(e.person_id) {
            let row = sqlx::query(
                "SELECT id AS p_id, family_name, given_name, family_kana, given_kana, sex, birth_date, \
                 insurer_number, insured_symbol, insured_number FROM persons WHERE id = $1",
            )
            .bind(e.person_id.0)
            .optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::Conflict(format!("employment {} names unknown person {}", e.id, e.person_id)))?;
            slot.insert(person_from_row(&row)?.search_key());
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

#[async_trait]
impl RecordStore for StoreImpl {
    async fn insert_batch(&self, b: &Batch) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, b).await?;
        tx.commit().await.map_err(db_err)
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
            .row(&self.pool, event_from_row)
            .await
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

    async fn events_of_kind(&self, company: CompanyId, kind: EventKind, subkind: Option<&str>) -> Result<Vec<Event>> {
        let mut qb: QueryBuilder<Db> =
            QueryBuilder::new(concat!("SELECT ", event_cols!(), " FROM events WHERE company_id = "));
        qb.push_bind(company.0).push(" AND kind = ").push_bind(kind.as_str());
        if let Some(sub) = subkind {
            qb.push(" AND subkind = ").push_bind(sub.to_string());
        }
        qb.push(" ORDER BY event_date, id");
        qb.build().rows(&self.pool, event_from_row).await
    }

    async fn observation_history(
        &self,
        company: CompanyId,
        observation: iphr_domain::ObservationId,
    ) -> Result<Vec<HistoryEntry>> {
        let current =
            sqlx::query(concat!("SELECT ", obs_cols!(), " FROM observations WHERE company_id = $1 AND id = $2"))
                .bind(company.0)
                .bind(observation.0)
                .row(&self.pool, observation_from_row)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("observation {observation}")))?;
        sqlx::query(
            "SELECT value_kind, num, unit, code, text, comparator, flag, raw_value, source_code, source_text, source_doc,
                    table_version, superseded_at, superseded_by, scale
             FROM observation_history WHERE company_id = $1 AND observation_id = $2 ORDER BY id DESC",
        )
        .bind(company.0)
        .bind(observation.0)
        .rows(&self.pool, |r| {
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
        }).await
    }

    async fn save_record_draft(&self, d: &RecordDraft) -> Result<()> {
        let fields = serde_json::to_string(&d.fields).map_err(|e| corrupt("fields", e))?;
        let mut tx = backend::begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO record_drafts (company_id, id, person_id, employment_id, form, fields, author, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (company_id, id) DO UPDATE SET \
             form = excluded.form, fields = excluded.fields, author = excluded.author, updated_at = excluded.updated_at",
        )
        .bind(d.company_id.0)
        .bind(d.id)
        .bind(d.person_id.0)
        .bind(d.employment_id.0)
        .bind(&d.form)
        .bind(fields)
        .bind(&d.author)
        .bind(d.updated_at)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn record_drafts(&self, company: CompanyId, person: PersonId) -> Result<Vec<RecordDraft>> {
        sqlx::query(
            "SELECT company_id, id, person_id, employment_id, form, fields, author, updated_at FROM record_drafts \
             WHERE company_id = $1 AND person_id = $2 ORDER BY updated_at DESC, id DESC",
        )
        .bind(company.0)
        .bind(person.0)
        .rows(&self.pool, draft_from_row)
        .await
    }

    async fn record_draft(&self, company: CompanyId, id: Uuid) -> Result<Option<RecordDraft>> {
        sqlx::query(
            "SELECT company_id, id, person_id, employment_id, form, fields, author, updated_at FROM record_drafts \
             WHERE company_id = $1 AND id = $2",
        )
        .bind(company.0)
        .bind(id)
        .row(&self.pool, draft_from_row)
        .await
    }

    async fn finalise_record_draft(&self, company: CompanyId, id: Uuid, batch: &Batch) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let gone = sqlx::query("DELETE FROM record_drafts WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id)
            .run(&mut *tx)
            .await?;
        if gone != 1 {
            return Err(StoreError::Conflict(format!("draft {id} is already finalised or discarded")));
        }
        write_batch(&mut tx, batch).await?;
        tx.commit().await.map_err(db_err)
    }

    async fn correct_event(
        &self,
        company: CompanyId,
        e: &Event,
        by: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        let old = sqlx::query(concat!("SELECT ", event_cols!(), " FROM events WHERE company_id = $1 AND id = $2"))
            .bind(company.0)
            .bind(e.id.0)
            .row(&mut *tx, event_from_row)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("event {}", e.id)))?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) + 1 AS v FROM event_history WHERE company_id = $1 AND event_id = $2",
        )
        .bind(company.0)
        .bind(e.id.0)
        .one(&mut *tx)
        .await?;
        let version: i32 = get(&row, "v")?;
        sqlx::query(
            "INSERT INTO event_history (company_id, event_id, version, event, superseded_at, superseded_by, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(company.0)
        .bind(e.id.0)
        .bind(version)
        .bind(serde_json::to_string(&old).map_err(|x| corrupt("event", x))?)
        .bind(at)
        .bind(by)
        .bind(reason)
        .run(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE events SET event_date = $1, title = $2, content_class = $3, detail = $4, subkind = $5 \
             WHERE company_id = $6 AND id = $7",
        )
        .bind(e.event_date)
        .bind(&e.title)
        .bind(e.content_class.as_str())
        .bind(e.detail.to_string())
        .bind(&e.subkind)
        .bind(company.0)
        .bind(e.id.0)
        .run(&mut *tx)
        .await?;
        tx.commit().await.map_err(db_err)
    }

    async fn event_history(&self, company: CompanyId, id: EventId) -> Result<Vec<EventVersion>> {
        sqlx::query(
            "SELECT version, event, superseded_at, superseded_by, reason FROM event_history \
             WHERE company_id = $1 AND event_id = $2 ORDER BY version DESC",
        )
        .bind(company.0)
        .bind(id.0)
        .rows(&self.pool, |r| {
            let text: String = get(r, "event")?;
            Ok(EventVersion {
                event: serde_json::from_str(&text).map_err(|x| corrupt("event", x))?,
                version: get(r, "version")?,
                superseded_at: get(r, "superseded_at")?,
                superseded_by: get(r, "superseded_by")?,
                reason: get(r, "reason")?,
            })
        })
        .await
    }
}

fn draft_from_row(r: &DbRow) -> Result<RecordDraft> {
    let fields: String = get(r, "fields")?;
    Ok(RecordDraft {
        company_id: CompanyId(get(r, "company_id")?),
        id: get(r, "id")?,
        person_id: PersonId(get(r, "person_id")?),
        employment_id: iphr_domain::EmploymentId(get(r, "employment_id")?),
        form: get(r, "form")?,
        fields: serde_json::from_str(&fields).map_err(|e| corrupt("fields", e))?,
        author: get(r, "author")?,
        updated_at: get(r, "updated_at")?,
    })
}
