//! Schema, counts and the demo wipe.

use crate::*;
use async_trait::async_trait;
use iphr_domain::CompanyId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts per record kind for one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyStats {
    /// Company id.
    pub company_id: CompanyId,
    /// Company name.
    pub name: String,
    /// 事業場.
    pub establishments: u64,
    /// 職制.
    pub departments: u64,
    /// Employments.
    pub employments: u64,
    /// Assignments.
    pub assignments: u64,
    /// Exposures.
    pub exposures: u64,
    /// Events per kind.
    pub events: BTreeMap<String, u64>,
    /// Coded observations.
    pub observations: u64,
    /// Consents.
    pub consents: u64,
}

/// Counts per record kind and company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Persons.
    pub persons: u64,
    /// Users per role.
    pub users: BTreeMap<String, u64>,
    /// Per company, in id order.
    pub companies: Vec<CompanyStats>,
}

/// Schema, counts and the demo wipe.
#[async_trait]
pub trait Maintenance: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Runs the pending migrations.
    async fn migrate(&self) -> Result<()>;
    /// Whether any company, person or user exists.
    async fn has_data(&self) -> Result<bool>;
    /// Deletes every row of every table except the audit log (demo `--replace`).
    async fn wipe(&self) -> Result<()>;
    /// Counts per record kind and company.
    async fn stats(&self) -> Result<Stats>;
}
