//! The audit log: every read of health data and every write, allowed or denied.

use crate::info_class::InfoClass;
use crate::role::Role;
use crate::{AuditId, CompanyId, PersonId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One append-only audit entry: who, in which role, did what, to whose record, when, and
/// whether it was allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Id (UUIDv7: ordered by time).
    pub id: AuditId,
    /// When.
    pub at: DateTime<Utc>,
    /// The user (absent for a failed login of an unknown name, or the system).
    pub user_id: Option<UserId>,
    /// The login name.
    pub login: String,
    /// The role (absent for the system and failed logins).
    pub role: Option<Role>,
    /// What: e.g. `read worker timeline`, `GET /api/v1/...`, `write demo`, `login`.
    pub action: String,
    /// The company concerned.
    pub company_id: Option<CompanyId>,
    /// The person concerned.
    pub person_id: Option<PersonId>,
    /// The class of information concerned.
    pub info_class: Option<InfoClass>,
    /// Allowed or denied.
    pub allowed: bool,
    /// The deny reason or a note.
    pub detail: String,
}
