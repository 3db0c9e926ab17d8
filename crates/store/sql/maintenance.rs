//! Schema, counts and the demo wipe.

use super::*;

#[async_trait]
impl Maintenance for StoreImpl {
    fn backend(&self) -> &'static str {
        backend::NAME
    }

    async fn migrate(&self) -> Result<()> {
        backend::MIGRATOR.run(&self.pool).await.map_err(|e| StoreError::Backend(format!("migration failed: {e}")))
    }

    async fn has_data(&self) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM companies) + (SELECT count(*) FROM persons) + (SELECT count(*) FROM users)",
        )
        .one(&self.pool)
        .await?;
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
            "DELETE FROM record_drafts",
            "DELETE FROM event_history",
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
            sqlx::query(sql).run(&mut *tx).await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn stats(&self) -> Result<Stats> {
        let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM persons").one(&self.pool).await?;
        let mut users = BTreeMap::new();
        for r in sqlx::query("SELECT role, count(*) AS n FROM users GROUP BY role").all(&self.pool).await? {
            users.insert(get::<String>(&r, "role")?, count(get(&r, "n")?));
        }
        let per_company = |sql: &'static str| {
            let pool = self.pool.clone();
            async move {
                let mut m: BTreeMap<Uuid, u64> = BTreeMap::new();
                for r in sqlx::query(sql).all(&pool).await? {
                    m.insert(get(&r, "company_id")?, count(get(&r, "n")?));
                }
                Ok::<_, StoreError>(m)
            }
        };
        let establishments =
            per_company("SELECT company_id, count(*) AS n FROM establishments GROUP BY company_id").await?;
        let departments = per_company("SELECT company_id, count(*) AS n FROM departments GROUP BY company_id").await?;
        let employments = per_company("SELECT company_id, count(*) AS n FROM employments GROUP BY company_id").await?;
        let assignments = per_company("SELECT company_id, count(*) AS n FROM assignments GROUP BY company_id").await?;
        let exposures = per_company("SELECT company_id, count(*) AS n FROM exposures GROUP BY company_id").await?;
        let observations =
            per_company("SELECT company_id, count(*) AS n FROM observations GROUP BY company_id").await?;
        let consents = per_company("SELECT company_id, count(*) AS n FROM consents GROUP BY company_id").await?;
        let mut events: BTreeMap<Uuid, BTreeMap<String, u64>> = BTreeMap::new();
        for r in sqlx::query("SELECT company_id, kind, count(*) AS n FROM events GROUP BY company_id, kind")
            .all(&self.pool)
            .await?
        {
            events.entry(get(&r, "company_id")?).or_default().insert(get(&r, "kind")?, count(get(&r, "n")?));
        }
        let mut companies = Vec::new();
        for r in sqlx::query("SELECT id, name FROM companies ORDER BY id").all(&self.pool).await? {
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
        Ok(Stats { persons: count(persons), users, companies })
    }
}
