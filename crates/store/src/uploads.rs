//! Files uploaded on the web: staged with their bytes until the user commits (or discards) them,
//! then kept as an upload receipt without the bytes.

use crate::*;
use async_trait::async_trait;

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

/// A move of an upload from one status to the next.
#[derive(Debug, Clone, Copy)]
pub struct UploadMove<'a> {
    /// The status it must be in (else the move is a conflict).
    pub from: UploadStatus,
    /// The status it moves to (a final one drops the bytes).
    pub to: UploadStatus,
    /// The step shown while it runs.
    pub phase: &'a str,
    /// The import's report, when over.
    pub report: Option<&'a str>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Web uploads (受付・プレビュー・取込).
#[async_trait]
pub trait UploadStore: Send + Sync {
    /// Stages an uploaded file with its bytes.
    async fn create_upload(&self, upload: &Upload, bytes: &[u8]) -> Result<()>;
    /// One upload (no bytes).
    async fn upload(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<Upload>>;
    /// The bytes of an upload that is not over yet.
    async fn upload_bytes(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<Vec<u8>>>;
    /// Moves an upload on: its status, phase and report; a final status drops the bytes. Moving
    /// from a status other than `from` is refused (a conflict), so only one server commits it.
    async fn set_upload_status(&self, company: CompanyId, id: uuid::Uuid, change: &UploadMove<'_>) -> Result<()>;
    /// A user's uploads to a company, newest first.
    async fn uploads_of_user(&self, company: CompanyId, user: UserId, limit: u32) -> Result<Vec<Upload>>;
}
