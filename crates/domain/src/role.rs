//! Roles and the acting user.

use crate::{CompanyId, PersonId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// The role of a user. The health-information roles follow the 2018 MHLW 指針
/// (労働者の心身の状態に関する情報の適正な取扱いのために事業者が講ずべき措置に関する指針).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 産業医 — occupational physician; may serve many companies (a 嘱託産業医 serves 5–30).
    Physician,
    /// 保健師・看護師 — occupational-health nurse; may serve many companies.
    Nurse,
    /// 衛生管理者・衛生推進者 — health manager, an 産業保健業務従事者 under the 指針; one company.
    HealthManager,
    /// 人事 — human resources; one company; employment measures only, never values or diagnoses.
    Hr,
    /// 労働者 — the worker, linked to one person; sees their own record.
    Worker,
    /// Administrator: users and companies only; reads no health data.
    Admin,
    /// 健診機関・企業外労働衛生機関 — a checkup institution: uploads result files for the companies
    /// that contract it and reads nothing, not even what it uploaded earlier beyond an upload
    /// receipt (issue "Data conversion system", Who uploads).
    Institution,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 7] =
        [Role::Physician, Role::Nurse, Role::HealthManager, Role::Hr, Role::Worker, Role::Admin, Role::Institution];

    /// The stable text form used in the database, the CLI and the policy tables.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Physician => "physician",
            Role::Nurse => "nurse",
            Role::HealthManager => "health_manager",
            Role::Hr => "hr",
            Role::Worker => "worker",
            Role::Admin => "admin",
            Role::Institution => "institution",
        }
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Role::Physician => "産業医",
            Role::Nurse => "保健師・看護師",
            Role::HealthManager => "衛生管理者",
            Role::Hr => "人事",
            Role::Worker => "労働者",
            Role::Admin => "管理者",
            Role::Institution => "健診機関",
        }
    }

    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            Role::Physician => "Occupational physician",
            Role::Nurse => "OH nurse",
            Role::HealthManager => "Health manager",
            Role::Hr => "HR",
            Role::Worker => "Worker",
            Role::Admin => "Administrator",
            Role::Institution => "Checkup institution",
        }
    }

    /// Whether a user of this role may be assigned to several companies.
    pub fn serves_many_companies(&self) -> bool {
        matches!(self, Role::Physician | Role::Nurse | Role::Institution)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected physician, nurse, health_manager, hr, worker, admin or institution)")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// The user on whose behalf something is read or written: who, in which role, for which
/// companies, and (for a worker) which person they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// The login name (kept in the audit log).
    pub login: String,
    /// The role.
    pub role: Role,
    /// Companies this user serves (one for most roles, many for physicians and nurses, none
    /// for a worker's own-record access and for admin).
    pub companies: BTreeSet<CompanyId>,
    /// For a worker: the person whose record is their own.
    pub person_id: Option<PersonId>,
}

impl Actor {
    /// Whether the actor works for (or is assigned to) a company.
    pub fn serves(&self, company: CompanyId) -> bool {
        self.companies.contains(&company)
    }
}
