//! The audit log (append-only: the migrations' triggers refuse UPDATE and DELETE).

use super::*;

/// Appends one audit entry (on a pooled connection or inside a transaction).
pub(super) async fn insert_audit(conn: &mut <Db as sqlx::Database>::Connection, a: &AuditEntry) -> Result<()> {
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
    .run(conn).await?;
    Ok(())
}

#[async_trait]
impl AuditStore for StoreImpl {
    async fn append_audit(&self, a: &AuditEntry) -> Result<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        insert_audit(&mut conn, a).await
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
            .rows(&self.pool, |r| {
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
            .await
    }
}
