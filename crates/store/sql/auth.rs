//! Users, sessions and login attempts.

use super::*;

pub(super) async fn load_user(pool: &sqlx::Pool<Db>, row: &DbRow) -> Result<User> {
    let id: Uuid = get(row, "id")?;
    let companies = sqlx::query("SELECT company_id FROM user_companies WHERE user_id = $1 ORDER BY company_id")
        .bind(id)
        .rows(pool, |r| get::<Uuid>(r, "company_id").map(CompanyId))
        .await?;
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

#[async_trait]
impl AuthStore for StoreImpl {
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
        .run(&mut *tx).await?;
        for c in &u.companies {
            sqlx::query("INSERT INTO user_companies (user_id, company_id) VALUES ($1, $2)")
                .bind(u.id.0)
                .bind(c.0)
                .run(&mut *tx)
                .await?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn user_by_login(&self, login: &str) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users WHERE login = $1"))
            .bind(login)
            .optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(load_user(&self.pool, &r).await?)),
            None => Ok(None),
        }
    }

    async fn user(&self, id: UserId) -> Result<Option<User>> {
        let row = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users WHERE id = $1"))
            .bind(id.0)
            .optional(&self.pool)
            .await?;
        match row {
            Some(r) => Ok(Some(load_user(&self.pool, &r).await?)),
            None => Ok(None),
        }
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(concat!("SELECT ", user_cols!(), " FROM users ORDER BY login")).all(&self.pool).await?;
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
            .run(&self.pool)
            .await?;
        if done == 0 {
            return Err(StoreError::NotFound(format!("user {login:?}")));
        }
        Ok(())
    }

    async fn assign_company(&self, user: UserId, company: CompanyId) -> Result<()> {
        sqlx::query("INSERT INTO user_companies (user_id, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(user.0)
            .bind(company.0)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_session(&self, s: &Session) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(s.user_id.0)
        .bind(&s.csrf_token)
        .bind(s.created_at)
        .bind(s.expires_at)
        .run(&self.pool)
        .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        sqlx::query("SELECT id_hash, user_id, csrf_token, created_at, expires_at FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .row(&self.pool, |r| {
                Ok(Session {
                    id_hash: get(r, "id_hash")?,
                    user_id: UserId(get(r, "user_id")?),
                    csrf_token: get(r, "csrf_token")?,
                    created_at: get(r, "created_at")?,
                    expires_at: get(r, "expires_at")?,
                })
            })
            .await
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).run(&self.pool).await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).run(&self.pool).await?;
        Ok(r)
    }

    async fn record_login_attempt(&self, login: &str, success: bool, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("INSERT INTO login_attempts (id, login, success, at) VALUES ($1, $2, $3, $4)")
            .bind(Uuid::now_v7())
            .bind(login)
            .bind(success)
            .bind(at)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn failed_logins_since(&self, login: &str, since: DateTime<Utc>) -> Result<u64> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE login = $1 AND success = $2 AND at >= $3")
                .bind(login)
                .bind(false)
                .bind(since)
                .one(&self.pool)
                .await?;
        Ok(count(n))
    }
}
