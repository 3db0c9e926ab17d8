//! Consents, 取扱規程 overrides and rule-table overrides.

use super::*;

#[async_trait]
impl PolicyStore for StoreImpl {
    async fn consents_of_person(&self, person: PersonId) -> Result<Vec<ConsentGrant>> {
        sqlx::query(
            "SELECT company_id, person_id, info_class, grantee_role, event_id FROM consents
             WHERE person_id = $1 AND revoked_at IS NULL ORDER BY company_id, info_class, grantee_role, event_id",
        )
        .bind(person.0)
        .rows(&self.pool, |r| {
            Ok(ConsentGrant {
                person_id: PersonId(get(r, "person_id")?),
                company_id: CompanyId(get(r, "company_id")?),
                info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
                grantee_role: parse::<Role>("grantee_role", &get::<String>(r, "grantee_role")?)?,
                event_id: get::<Option<Uuid>>(r, "event_id")?.map(EventId),
            })
        })
        .await
    }

    async fn policy_overrides(&self, company: CompanyId) -> Result<Vec<PolicyOverride>> {
        sqlx::query(
            "SELECT role, info_class, access FROM policy_overrides WHERE company_id = $1 ORDER BY role, info_class",
        )
        .bind(company.0)
        .rows(&self.pool, |r| {
            Ok(PolicyOverride {
                role: parse::<Role>("role", &get::<String>(r, "role")?)?,
                info_class: parse::<InfoClass>("info_class", &get::<String>(r, "info_class")?)?,
                access: parse::<Access>("access", &get::<String>(r, "access")?)?,
            })
        })
        .await
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
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn rule_overrides(&self, company: CompanyId) -> Result<Vec<RuleOverride>> {
        sqlx::query("SELECT table_name, content, updated_by, updated_at FROM rule_overrides WHERE company_id = $1 ORDER BY table_name")
            .bind(company.0)
            .rows(&self.pool, |r| {
                Ok(RuleOverride {
                    table: get(r, "table_name")?,
                    content: get(r, "content")?,
                    updated_by: get(r, "updated_by")?,
                    updated_at: get(r, "updated_at")?,
                })
            }).await
    }

    async fn set_rule_override(&self, company: CompanyId, o: &RuleOverride) -> Result<()> {
        if o.content.trim().is_empty() {
            sqlx::query("DELETE FROM rule_overrides WHERE company_id = $1 AND table_name = $2")
                .bind(company.0)
                .bind(&o.table)
                .run(&self.pool)
                .await?;
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
        .run(&self.pool).await?;
        Ok(())
    }
}
