//! Files uploaded on the web: staged with their bytes until the user commits (or discards) them,
//! then kept as an upload receipt without the bytes.

use chrono::{DateTime, Utc};
use iphr_domain::{CompanyId, UserId};
use serde::Serialize;

/// Where an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// Parsed (dry run) and shown; waiting for the commit.
    Previewed,
    /// The import runs.
    Importing,
    /// Imported (all, or the good rows with allow-partial).
    Imported,
    /// Refused: row errors, nothing written.
    Refused,
    /// The file could not be read, or the import failed; nothing written.
    Failed,
    /// Discarded by the user before the commit.
    Discarded,
}

impl UploadStatus {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            UploadStatus::Previewed => "previewed",
            UploadStatus::Importing => "importing",
            UploadStatus::Imported => "imported",
            UploadStatus::Refused => "refused",
            UploadStatus::Failed => "failed",
            UploadStatus::Discarded => "discarded",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            UploadStatus::Previewed,
            UploadStatus::Importing,
            UploadStatus::Imported,
            UploadStatus::Refused,
            UploadStatus::Failed,
            UploadStatus::Discarded,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// Whether the upload is over (its bytes are gone).
    pub fn is_final(&self) -> bool {
        !matches!(self, UploadStatus::Previewed | UploadStatus::Importing)
    }
}

/// An upload (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    /// Company.
    pub company_id: CompanyId,
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Who uploaded.
    pub user_id: UserId,
    /// Their login.
    pub login: String,
    /// Their role (text form).
    pub role: String,
    /// The importer (`checkup-csv`, `cda`, …).
    pub kind: String,
    /// The mapping profile (checkup CSV).
    pub profile: Option<String>,
    /// File name as uploaded.
    pub file_name: String,
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// Status.
    pub status: UploadStatus,
    /// The step the import is at (shown while it runs).
    pub phase: String,
    /// The import report (JSON), once there is one.
    pub report: Option<String>,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}
