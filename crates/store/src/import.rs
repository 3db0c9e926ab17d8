//! Imports: the files read, identity matching, records held for review, unmapped items, user
//! mappings, and writes in one transaction of one part ([`ImportStore::apply_import`]) or many
//! ([`ImportStore::begin_import`]).

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::event::Event;
use iphr_domain::observation::Observation;
use iphr_domain::{CompanyId, PersonId};
use serde::{Deserialize, Serialize};

/// A file read by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source kind (`checkup-csv`, `cda`, …).
    pub kind: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// File name as given.
    pub file_name: String,
    /// Mapping profile.
    pub profile: Option<String>,
    /// Encoding read.
    pub encoding: Option<String>,
    /// When.
    pub imported_at: DateTime<Utc>,
    /// Who.
    pub imported_by: String,
    /// Counts (JSON).
    pub summary: serde_json::Value,
}

/// A correction: the stored observation and the new value that replaces it (the old one goes to
/// the history).
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// As stored.
    pub old: Observation,
    /// The new version (same company, event and id).
    pub new: Observation,
}

/// A record held for identity review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source file.
    pub source_file_id: uuid::Uuid,
    /// Line or element.
    pub line: i64,
    /// `unknown`, `ambiguous`, `conflict`.
    pub reason: String,
    /// What the file said (JSON).
    pub identity: serde_json::Value,
    /// Candidate persons (JSON).
    pub candidates: serde_json::Value,
    /// The held record, complete (JSON).
    pub payload: serde_json::Value,
    /// `open` or `resolved`.
    pub status: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A source item no mapping covers, held raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedEntry {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source file.
    pub source_file_id: uuid::Uuid,
    /// Line or element.
    pub line: i64,
    /// Source system (profile name).
    pub source_system: String,
    /// Source code.
    pub source_code: String,
    /// Source name.
    pub source_text: String,
    /// Value as written.
    pub raw_value: String,
    /// Unit as written.
    pub unit: Option<String>,
    /// The person, where known.
    pub person_id: Option<PersonId>,
    /// The date, where known.
    pub event_date: Option<NaiveDate>,
    /// `open` or `mapped`.
    pub status: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Everything one imported file writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportWrite {
    /// The file (absent when it was imported before: nothing new is recorded for it).
    pub source_file: Option<SourceFile>,
    /// New events and observations.
    pub batch: Batch,
    /// Corrections.
    pub corrections: Vec<Correction>,
    /// Held for identity review.
    pub queue: Vec<QueueEntry>,
    /// Unmapped items.
    pub unmapped: Vec<UnmappedEntry>,
    /// Held records this write resolves (their queue entries become `resolved`).
    pub resolved: Vec<uuid::Uuid>,
    /// Unmapped items this write converts (they become `mapped`).
    pub mapped: Vec<uuid::Uuid>,
    /// A mapping made by a user, saved with the write.
    pub mapping: Option<SourceMapping>,
    /// Audit entries written in the same transaction (the import's own entry: it lands exactly
    /// when the import does).
    pub audit: Vec<iphr_domain::audit::AuditEntry>,
}

/// A user's mapping of a source item to an OHCC item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMapping {
    /// Company.
    pub company_id: CompanyId,
    /// Source system (profile name).
    pub source_system: String,
    /// Source code.
    pub source_code: String,
    /// OHCC item.
    pub item: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who.
    pub created_by: String,
}

/// Imports: source files, identities, held and unmapped records, writes in one or many parts.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// A file imported before (same company, kind and SHA-256).
    async fn source_file(&self, company: CompanyId, kind: &str, sha256: &str) -> Result<Option<SourceFile>>;
    /// Every employment of a company with the identity fields matching needs.
    async fn identity_candidates(&self, company: CompanyId) -> Result<Vec<iphr_domain::identity::Candidate>>;
    /// The company's identity candidates indexed for matching, read as a stream (the list is
    /// never held whole: what a large file's import keeps in memory).
    async fn identity_matcher(&self, company: CompanyId) -> Result<iphr_domain::identity::Matcher>;
    /// The events of kind `kind` of these persons on these dates, and their observations.
    async fn events_on(
        &self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        keys: &[(PersonId, NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Every event (of one kind, or all) of these persons in a company, with its observations.
    async fn person_records(
        &self,
        company: CompanyId,
        kind: Option<iphr_domain::event::EventKind>,
        persons: &[PersonId],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Writes one imported file: all or nothing.
    async fn apply_import(&self, write: &ImportWrite) -> Result<()>;
    /// The open identity-review queue of a company, oldest first.
    async fn identity_queue(&self, company: CompanyId) -> Result<Vec<QueueEntry>>;
    /// The open unmapped items of a company, oldest first.
    async fn unmapped_items(&self, company: CompanyId) -> Result<Vec<UnmappedEntry>>;
    /// The mappings a company's users made for a source system.
    async fn source_mappings(&self, company: CompanyId, source_system: &str) -> Result<Vec<SourceMapping>>;
    /// Opens the write transaction of one import that is written in parts: every
    /// [`ImportTransaction::write`] adds to it and nothing is visible to others until
    /// [`ImportTransaction::commit`]; dropped without a commit (an error, a refusal), none of it
    /// is written. [`Self::apply_import`] is the same for a write of one part. On SQLite the
    /// transaction holds the database's write lock until it ends.
    async fn begin_import(&self) -> Result<Box<dyn ImportTransaction>>;
}

/// One import's open write transaction (see [`ImportStore::begin_import`]).
#[async_trait]
pub trait ImportTransaction: Send {
    /// The events of `kind` of these (person, date) keys and their observations, as this
    /// transaction sees them (its own parts included).
    async fn events_on(
        &mut self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        keys: &[(PersonId, NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Writes one part: exactly what [`ImportStore::apply_import`] writes for it. A part may hold
    /// the source file or not; parts are written in order.
    async fn write(&mut self, part: &ImportWrite) -> Result<()>;
    /// Commits every part.
    async fn commit(self: Box<Self>) -> Result<()>;
}
