//! Consents, the company's 取扱規程 overrides of the access policy (2018 指針) and its overrides of
//! rule tables.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iphr_domain::policy::{ConsentGrant, PolicyOverride};
use iphr_domain::{CompanyId, PersonId};
use serde::Serialize;

/// A company's override of a rule table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleOverride {
    /// Table name (see `iphr_domain::judgement::TABLE_NAMES`).
    pub table: String,
    /// Rows in the table's CSV format.
    pub content: String,
    /// Who set it.
    pub updated_by: String,
    /// When.
    pub updated_at: DateTime<Utc>,
}

/// Consents, the company's 取扱規程 overrides and rule-table overrides.
#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// The person's current consents.
    async fn consents_of_person(&self, person: PersonId) -> Result<Vec<ConsentGrant>>;
    /// A company's 取扱規程 overrides.
    async fn policy_overrides(&self, company: CompanyId) -> Result<Vec<PolicyOverride>>;
    /// Sets one override.
    async fn set_policy_override(&self, company: CompanyId, o: PolicyOverride) -> Result<()>;
    /// A company's rule-table overrides.
    async fn rule_overrides(&self, company: CompanyId) -> Result<Vec<RuleOverride>>;
    /// Sets (or with empty content removes) a company's override of a rule table.
    async fn set_rule_override(&self, company: CompanyId, o: &RuleOverride) -> Result<()>;
}
