//! Web uploads.

use super::*;

pub(super) fn upload_from_row(r: &DbRow) -> Result<iphr_store::Upload> {
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

#[async_trait]
impl UploadStore for StoreImpl {
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
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn upload(&self, company: CompanyId, id: Uuid) -> Result<Option<iphr_store::Upload>> {
        sqlx::query(
            "SELECT company_id, id, user_id, login, role, kind, profile, file_name, sha256, size, status, phase, report,
                    created_at, updated_at FROM uploads WHERE company_id = $1 AND id = $2",
        )
            .bind(company.0)
            .bind(id)
            .row(&self.pool, upload_from_row).await
    }

    async fn upload_bytes(&self, company: CompanyId, id: Uuid) -> Result<Option<Vec<u8>>> {
        sqlx::query_scalar::<_, Option<Vec<u8>>>("SELECT bytes FROM uploads WHERE company_id = $1 AND id = $2")
            .bind(company.0)
            .bind(id)
            .optional(&self.pool)
            .await
            .map(Option::flatten)
    }

    async fn set_upload_status(&self, company: CompanyId, id: Uuid, change: &iphr_store::UploadMove<'_>) -> Result<()> {
        let iphr_store::UploadMove { from, to, phase, report, at } = *change;
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
            .run(&self.pool)
            .await?;
        if done == 0 {
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
        .rows(&self.pool, upload_from_row).await
    }
}
