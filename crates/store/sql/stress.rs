//! Stress-check campaigns, drafts, sheets and reminders.

use super::records::write_batch;
use super::*;

#[async_trait]
impl StressStore for StoreImpl {
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
        .run(&self.pool).await?;
        Ok(())
    }

    async fn stress_campaigns(&self, company: CompanyId) -> Result<Vec<StressCampaign>> {
        sqlx::query(
            "SELECT company_id, id, name, starts_on, ends_on, method, implementer, created_by, created_at
             FROM stress_campaigns WHERE company_id = $1 ORDER BY starts_on DESC, id DESC",
        )
        .bind(company.0)
        .rows(&self.pool, |r| {
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
        .await
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
        .all(&self.pool)
        .await?;
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
        sqlx::query_scalar(
            "SELECT answers FROM stress_drafts WHERE company_id = $1 AND campaign_id = $2 AND person_id = $3",
        )
        .bind(company.0)
        .bind(campaign)
        .bind(person.0)
        .optional(&self.pool)
        .await
    }

    async fn save_stress_draft(
        &self,
        company: CompanyId,
        campaign: Uuid,
        person: PersonId,
        answers: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO stress_drafts (company_id, campaign_id, person_id, answers, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (company_id, campaign_id, person_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at",
        )
        .bind(company.0)
        .bind(campaign)
        .bind(person.0)
        .bind(answers)
        .bind(at)
        .run(&self.pool).await?;
        Ok(())
    }

    async fn submit_stress(&self, batch: &Batch, company: CompanyId, campaign: Uuid, person: PersonId) -> Result<()> {
        let mut tx = backend::begin_write(&self.pool).await?;
        write_batch(&mut tx, batch).await?;
        sqlx::query("DELETE FROM stress_drafts WHERE company_id = $1 AND campaign_id = $2 AND person_id = $3")
            .bind(company.0)
            .bind(campaign)
            .bind(person.0)
            .run(&mut *tx)
            .await?;
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
            .run(&mut *tx).await?;
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
        .rows(&self.pool, |r| {
            Ok(iphr_store::StressReminder {
                person_id: PersonId(get(r, "person_id")?),
                sent_at: get(r, "sent_at")?,
                sent_by: get(r, "sent_by")?,
            })
        })
        .await
    }
}
