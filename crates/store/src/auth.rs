//! Users, the companies they serve, sessions (only the SHA-256 of a secret is stored) and login
//! attempts (the rate limit per login name).

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, PersonId, UserId};
use serde::{Deserialize, Serialize};

/// A user account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    #[serde(skip_serializing)]
    pub password_hash: String,
    /// For a worker: their person.
    pub person_id: Option<PersonId>,
    /// Companies the user serves (one for most roles; many for physicians and nurses).
    pub companies: Vec<CompanyId>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
}

/// A session (the cookie holds the secret; only its SHA-256 is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session secret, hex.
    pub id_hash: String,
    /// The user.
    pub user_id: UserId,
    /// The CSRF token bound to the session.
    pub csrf_token: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

/// Users, their companies, sessions and login attempts.
#[async_trait]
pub trait AuthStore: Send + Sync {
    /// Creates a user.
    async fn create_user(&self, user: &User) -> Result<()>;
    /// A user by login name.
    async fn user_by_login(&self, login: &str) -> Result<Option<User>>;
    /// A user by id.
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    /// All users, by login.
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Replaces a user's password hash.
    async fn set_password(&self, login: &str, password_hash: &str) -> Result<()>;
    /// Adds a company to a user's companies.
    async fn assign_company(&self, user: UserId, company: CompanyId) -> Result<()>;
    /// Stores a session.
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// A session by the hash of its secret (expired ones too; the caller checks).
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;
    /// Deletes a session.
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Deletes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64>;
    /// Records a login attempt.
    async fn record_login_attempt(&self, login: &str, success: bool, at: DateTime<Utc>) -> Result<()>;
    /// Failed attempts for a login since an instant.
    async fn failed_logins_since(&self, login: &str, since: DateTime<Utc>) -> Result<u64>;
}
