//! Documents of a bundle (文書の一括取込): scans, PDFs and images stored as blobs, matched to a
//! worker by their file name or waiting unassigned (未割当) for a person to be chosen by hand.

use crate::*;
use async_trait::async_trait;

use crate::SourceFile;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::event::Event;
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use serde::{Deserialize, Serialize};

/// A stored document without its bytes (what lists and plans need).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// Company (tenant).
    pub company_id: CompanyId,
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// The worker, once matched or assigned (`None`: 未割当).
    pub person_id: Option<PersonId>,
    /// The worker's employment.
    pub employment_id: Option<EmploymentId>,
    /// The attachment event (添付文書) on the worker's timeline.
    pub event_id: Option<EventId>,
    /// SHA-256 of the bytes, hex: the same document twice is stored once per company.
    pub sha256: String,
    /// The path inside the bundle (zip or folder) as it was.
    pub original_path: String,
    /// MIME type recognised from the bytes.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    /// The document's date, from its name.
    pub document_date: Option<NaiveDate>,
    /// Title (from the name, else the file name).
    pub title: String,
    /// 社員番号 as the name said, where it said one.
    pub employee_number: Option<String>,
    /// Why it waits unassigned (no pattern match, unknown or ambiguous employee number).
    pub unmatched_reason: Option<String>,
    /// When imported.
    pub imported_at: DateTime<Utc>,
    /// By whom.
    pub imported_by: String,
    /// SHA-256 of the bundle it came in (the zip file, or a folder's listing of paths and hashes).
    pub source_sha256: String,
    /// When assigned by hand.
    pub assigned_at: Option<DateTime<Utc>>,
    /// By whom.
    pub assigned_by: Option<String>,
}

/// A stored document with its bytes (for download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// The document.
    pub meta: DocumentMeta,
    /// Its bytes, as imported.
    pub bytes: Vec<u8>,
}

/// A document that was waiting unassigned, now given to a worker, with its attachment event.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentAssignment {
    /// The document.
    pub document_id: uuid::Uuid,
    /// The worker.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: EmploymentId,
    /// The attachment event (same company, the person's timeline).
    pub event: Event,
    /// Who assigned it.
    pub assigned_by: String,
    /// When.
    pub assigned_at: DateTime<Utc>,
}

/// Everything one bundle writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct DocumentWrite {
    /// The bundle as a source file (kind `documents`); absent when it was recorded before.
    pub source_file: Option<SourceFile>,
    /// New documents (bytes included).
    pub documents: Vec<StoredDocument>,
    /// Attachment events of the new documents that were matched.
    pub events: Vec<Event>,
    /// Stored, unassigned documents that now go to a worker.
    pub assignments: Vec<DocumentAssignment>,
}

/// Document bundles (文書の一括取込).
#[async_trait]
pub trait DocumentStore: Send + Sync {
    /// Writes one document bundle: the source file, the new documents with their bytes, the
    /// attachment events of the matched ones and the assignments of waiting ones; all or nothing.
    /// A document whose SHA-256 the company holds already is a conflict.
    async fn insert_documents(&self, write: &DocumentWrite) -> Result<()>;
    /// The company's stored documents with these SHA-256 hashes (no bytes).
    async fn documents_by_sha256(&self, company: CompanyId, sha256: &[String]) -> Result<Vec<DocumentMeta>>;
    /// The company's documents waiting for a worker (未割当), oldest first (no bytes).
    async fn unassigned_documents(&self, company: CompanyId) -> Result<Vec<DocumentMeta>>;
    /// Gives a waiting document to a worker and writes its attachment event, in one transaction;
    /// a document that is not waiting (unknown, or assigned already) is refused.
    async fn assign_document(&self, company: CompanyId, assignment: &DocumentAssignment) -> Result<DocumentMeta>;
    /// One document with its bytes (download).
    async fn document(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<StoredDocument>>;
    /// A worker's documents in a company, by date then id (no bytes).
    async fn documents_of_person(&self, company: CompanyId, person: PersonId) -> Result<Vec<DocumentMeta>>;
}
