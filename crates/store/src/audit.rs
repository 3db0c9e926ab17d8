//! The audit log: append-only (the migrations install triggers that refuse UPDATE and DELETE).

use crate::*;
use async_trait::async_trait;
use iphr_domain::audit::AuditEntry;
use iphr_domain::{CompanyId, PersonId};

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this company.
    pub company_id: Option<CompanyId>,
    /// Only this person.
    pub person_id: Option<PersonId>,
    /// Only refusals.
    pub denied_only: bool,
    /// At most this many, newest first.
    pub limit: u32,
}

/// The append-only audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends to the audit log.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Lists audit entries, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
}
