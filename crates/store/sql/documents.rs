//! Document bundles.

use super::import::insert_source_file;
use super::records::write_batch;
use super::*;

/// The columns of a document without its bytes.
pub(super) const DOCUMENT_META_COLS: &str =
    "company_id, id, person_id, employment_id, event_id, sha256, original_path, content_type,
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
pub(super) async fn set_document_person(
    tx: &mut sqlx::Transaction<'static, Db>,
    a: &iphr_store::DocumentAssignment,
) -> Result<()> {
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
    .run(&mut **tx)
    .await?;
    if done != 1 {
        return Err(StoreError::Conflict(format!(
            "document {} is not waiting for a worker in this company",
            a.document_id
        )));
    }
    Ok(())
}

#[async_trait]
impl DocumentStore for StoreImpl {
    async fn insert_documents(&self, w: &iphr_store::DocumentWrite) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        if let Some(f) = &w.source_file {
            insert_source_file(&mut tx, f, true).await?;
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
            .run(&mut *tx)
            .await?;
        }
        let mut events: Vec<Event> = w.events.clone();
        events.extend(w.assignments.iter().map(|a| a.event.clone()));
        write_batch(&mut tx, &Batch { events, ..Default::default() }).await?;
        for a in &w.assignments {
            set_document_person(&mut tx, a).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn documents_by_sha256(
        &self,
        company: CompanyId,
        sha256: &[String],
    ) -> Result<Vec<iphr_store::DocumentMeta>> {
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
            for r in qb.build().all(&self.pool).await? {
                out.push(document_meta_from_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn unassigned_documents(&self, company: CompanyId) -> Result<Vec<iphr_store::DocumentMeta>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        // A workplace photo (a patrol's) belongs to its event, not to the queue of documents without a worker.
        qb.push(" AND person_id IS NULL AND event_id IS NULL ORDER BY imported_at, id");
        qb.build().rows(&self.pool, document_meta_from_row).await
    }

    async fn assign_document(
        &self,
        company: CompanyId,
        a: &iphr_store::DocumentAssignment,
    ) -> Result<iphr_store::DocumentMeta> {
        if a.event.company_id != company || a.event.person_id != Some(a.person_id) {
            return Err(StoreError::Conflict("the attachment event belongs to another company or person".into()));
        }
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, &Batch { events: vec![a.event.clone()], ..Default::default() }).await?;
        set_document_person(&mut tx, a).await?;
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND id = ").push_bind(a.document_id);
        let row = qb.build().one(&mut *tx).await?;
        let meta = document_meta_from_row(&row)?;
        tx.commit().await.map_err(db_err)?;
        Ok(meta)
    }

    async fn document(&self, company: CompanyId, id: Uuid) -> Result<Option<iphr_store::StoredDocument>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(", bytes FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND id = ").push_bind(id);
        qb.build()
            .row(&self.pool, |r| {
                Ok(iphr_store::StoredDocument { meta: document_meta_from_row(r)?, bytes: get(r, "bytes")? })
            })
            .await
    }

    async fn documents_of_person(&self, company: CompanyId, person: PersonId) -> Result<Vec<iphr_store::DocumentMeta>> {
        let mut qb: QueryBuilder<Db> = QueryBuilder::new("SELECT ");
        qb.push(DOCUMENT_META_COLS).push(" FROM documents WHERE company_id = ").push_bind(company.0);
        qb.push(" AND person_id = ").push_bind(person.0).push(" ORDER BY document_date, id");
        qb.build().rows(&self.pool, document_meta_from_row).await
    }
}
