//! Tenants: 事業者 (company) → 事業場 (establishment) → 職制 (department).

use crate::{CompanyId, DepartmentId, EstablishmentId};
use serde::{Deserialize, Serialize};

/// 事業者 — a company (the employer); the tenant of every workplace record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Company {
    /// Id.
    pub id: CompanyId,
    /// Name (e.g. 株式会社…).
    pub name: String,
}

/// 事業場 — an establishment (a workplace with its own statutory reporting, 安衛法).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Establishment {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: EstablishmentId,
    /// Name.
    pub name: String,
}

/// 職制 — a department within an establishment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Department {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: DepartmentId,
    /// Establishment.
    pub establishment_id: EstablishmentId,
    /// Name.
    pub name: String,
}
