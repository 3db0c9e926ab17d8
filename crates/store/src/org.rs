//! Companies (事業者). Establishments (事業場) and departments (職制) are written with a
//! [`Batch`](crate::Batch).

use crate::*;
use async_trait::async_trait;
use iphr_domain::CompanyId;
use iphr_domain::tenant::Company;

/// Companies (事業者).
#[async_trait]
pub trait OrgStore: Send + Sync {
    /// Creates a company.
    async fn create_company(&self, company: &Company) -> Result<()>;
    /// All companies, by name.
    async fn list_companies(&self) -> Result<Vec<Company>>;
    /// One company.
    async fn get_company(&self, id: CompanyId) -> Result<Option<Company>>;
}
