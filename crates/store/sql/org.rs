//! Companies.

use super::*;

#[async_trait]
impl OrgStore for StoreImpl {
    async fn create_company(&self, c: &Company) -> Result<()> {
        sqlx::query("INSERT INTO companies (id, name) VALUES ($1, $2)")
            .bind(c.id.0)
            .bind(&c.name)
            .run(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_companies(&self) -> Result<Vec<Company>> {
        sqlx::query("SELECT id, name FROM companies ORDER BY name, id")
            .rows(&self.pool, |r| Ok(Company { id: CompanyId(get(r, "id")?), name: get(r, "name")? }))
            .await
    }

    async fn get_company(&self, id: CompanyId) -> Result<Option<Company>> {
        let row = sqlx::query("SELECT id, name FROM companies WHERE id = $1").bind(id.0).optional(&self.pool).await?;
        row.map(|r| Ok(Company { id: CompanyId(get(&r, "id")?), name: get(&r, "name")? })).transpose()
    }
}
