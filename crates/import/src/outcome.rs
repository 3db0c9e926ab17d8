//! What an import did, in one shape for every importer: an [`Outcome`] says whether the file was
//! written, only read (a dry run) or refused, and carries its [`Report`] — the parts every
//! importer shares (the file, its SHA-256 and stored record, rows read and refused, errors and
//! warnings each naming the file, where in it and the field) with a summary `S` of what the kind
//! of file did: [`RecordSummary`] (checkup CSV, CDA, FHIR, attendance, stress-check answers, and
//! the held records and items the review queues import), [`HrSummary`] (the HR master) or
//! [`DocumentSummary`] (document bundles).
//!
//! As JSON (`iphr import … --json`, the web upload's stored report):
//! `{"outcome": "imported" | "dry_run" | "refused", "report": {…}}`, the report's shared fields
//! and its summary's side by side.

use iphr_domain::PersonId;
use serde::Serialize;
use std::fmt;

/// What happened to a file, with its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome<S> {
    /// Written.
    Imported {
        /// The report.
        report: Report<S>,
    },
    /// Nothing written: a dry run.
    DryRun {
        /// The report.
        report: Report<S>,
    },
    /// Nothing written: rows (or entries) had errors and partial imports were not allowed.
    Refused {
        /// The report.
        report: Report<S>,
    },
}

impl<S> Outcome<S> {
    /// The report.
    pub fn report(&self) -> &Report<S> {
        match self {
            Outcome::Imported { report } | Outcome::DryRun { report } | Outcome::Refused { report } => report,
        }
    }

    /// The report, taken out.
    pub fn into_report(self) -> Report<S> {
        match self {
            Outcome::Imported { report } | Outcome::DryRun { report } | Outcome::Refused { report } => report,
        }
    }

    /// Whether the file was written.
    pub fn is_imported(&self) -> bool {
        matches!(self, Outcome::Imported { .. })
    }
}

/// What an import did (or, dry or refused, would do): the parts every importer shares, and the
/// summary `S` of its kind of file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report<S> {
    /// The file as given (a bundle: its path).
    pub file: String,
    /// SHA-256 of the bytes, hex (a folder bundle: of its sorted listing of hashes and paths);
    /// empty when the records came from no file (a held record resolved, a code mapped).
    pub sha256: String,
    /// The stored record of the file (`source_files`): the earlier import's of the same bytes,
    /// or the one this import wrote; `None` when nothing records it (a dry run or refusal of new
    /// bytes, a bundle that stored nothing new, an HR master — which is not recorded as a source
    /// file).
    pub source_file_id: Option<uuid::Uuid>,
    /// The encoding the file was read in (text files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Data rows (or bundle entries) read.
    pub read: usize,
    /// Rows (or entries) refused for errors.
    pub rejected: usize,
    /// Errors, each naming the file, where in it, the field and the reason.
    pub errors: Vec<Issue>,
    /// Warnings (a folded urine grade, a skipped system file, a person not created …).
    pub warnings: Vec<Issue>,
    /// What this kind of file did.
    #[serde(flatten)]
    pub summary: S,
}

/// Where in a file an [`Issue`] is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum At {
    /// A line of a text file, or the element (Bundle entry, record) of a document.
    Line {
        /// Line or element number.
        line: u64,
    },
    /// An entry of a bundle.
    Entry {
        /// The path inside the bundle.
        entry: String,
    },
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Line { line } => write!(f, "{line}"),
            At::Entry { entry } => f.write_str(entry),
        }
    }
}

/// An error or a warning of an import: the file, where in it, the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// The file (a bundle: its path).
    pub file: String,
    /// Where in the file (JSON: `line` or `entry`).
    #[serde(flatten)]
    pub at: At,
    /// Column, field or element.
    pub field: String,
    /// Why.
    pub reason: String,
}

impl Issue {
    /// An issue of a line (or element).
    pub fn at_line(file: impl Into<String>, line: u64, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { file: file.into(), at: At::Line { line }, field: field.into(), reason: reason.into() }
    }

    /// An issue of a bundle entry.
    pub fn at_entry(
        file: impl Into<String>,
        entry: impl Into<String>,
        field: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        Self { file: file.into(), at: At::Entry { entry: entry.into() }, field: field.into(), reason: reason.into() }
    }

    /// The line (or element), if the issue is of one.
    pub fn line(&self) -> Option<u64> {
        match self.at {
            At::Line { line } => Some(line),
            At::Entry { .. } => None,
        }
    }

    /// The bundle entry, if the issue is of one.
    pub fn entry(&self) -> Option<&str> {
        match &self.at {
            At::Entry { entry } => Some(entry),
            At::Line { .. } => None,
        }
    }
}

/// What an import of records did: checkups (CSV, CDA, FHIR), attendance months, stress-check
/// answers, and the held records and items the review queues import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    /// New results stored.
    pub imported: usize,
    /// Results already stored with the same value.
    pub unchanged: usize,
    /// Results that replaced a different stored value (kept in history).
    pub corrected: usize,
    /// Source items held unmapped (未対応項目).
    pub unmapped: usize,
    /// Records held for identity review (本人確認待ち).
    pub queued: usize,
    /// Events (visits) new in the store.
    pub new_visits: usize,
    /// Persons (with their employment) created from the file (`--create-persons`).
    pub created_persons: usize,
}

/// What an HR master import (人事マスタ) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HrSummary {
    /// New employees.
    pub created: usize,
    /// Employees with a change.
    pub updated: usize,
    /// Employees as stored.
    pub unchanged: usize,
    /// Records held for identity review that the new employees let be imported (after the
    /// import; 0 in a dry run).
    pub resolved: usize,
}

/// What a document bundle import (文書の一括取込) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DocumentSummary {
    /// The file-name pattern.
    pub pattern: String,
    /// New documents stored (matched and unassigned).
    pub imported: usize,
    /// New documents matched to a worker (an attachment event each).
    pub matched: usize,
    /// New documents stored unassigned (未割当).
    pub unassigned: usize,
    /// Documents stored before, waiting, that now matched a worker.
    pub assigned: usize,
    /// Documents stored before (same SHA-256).
    pub unchanged: usize,
    /// System files and in-bundle duplicates skipped (warnings).
    pub skipped: usize,
    /// Every document, in path order.
    pub documents: Vec<DocumentLine>,
}

/// What happened (or, dry, would happen) to one document of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentLine {
    /// The path inside the bundle.
    pub entry: String,
    /// `matched` (new, on a timeline), `unassigned` (new, waiting), `assigned` (was waiting,
    /// now matched), `unchanged`.
    pub outcome: String,
    /// The document id (new ones: the id it gets).
    pub document_id: uuid::Uuid,
    /// MIME type.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// 社員番号 from the name.
    pub employee_number: Option<String>,
    /// The worker.
    pub person_id: Option<PersonId>,
    /// The date from the name.
    pub date: Option<chrono::NaiveDate>,
    /// Title.
    pub title: String,
    /// Why it waits unassigned.
    pub reason: Option<String>,
}

/// The outcome of an import of records.
pub type RecordOutcome = Outcome<RecordSummary>;
/// The report of an import of records.
pub type RecordReport = Report<RecordSummary>;
/// The outcome of an HR master import.
pub type HrOutcome = Outcome<HrSummary>;
/// The report of an HR master import.
pub type HrReport = Report<HrSummary>;
/// The outcome of a document bundle import.
pub type DocumentOutcome = Outcome<DocumentSummary>;
/// The report of a document bundle import.
pub type DocumentReport = Report<DocumentSummary>;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn issues_serialise_with_their_line_or_entry() {
        let line = serde_json::to_value(Issue::at_line("a.csv", 3, "受診日", "not a date")).unwrap();
        assert_eq!(line, serde_json::json!({"file": "a.csv", "line": 3, "field": "受診日", "reason": "not a date"}));
        let entry = serde_json::to_value(Issue::at_entry("b.zip", "x/y.txt", "content_type", "no")).unwrap();
        assert_eq!(
            entry,
            serde_json::json!({"file": "b.zip", "entry": "x/y.txt", "field": "content_type", "reason": "no"})
        );
    }

    #[test]
    fn an_outcome_is_tagged_and_its_summary_sits_beside_the_shared_fields() {
        let report = Report {
            file: "hr.csv".into(),
            read: 2,
            summary: HrSummary { created: 1, ..HrSummary::default() },
            ..Report::default()
        };
        let v = serde_json::to_value(Outcome::DryRun { report }).unwrap();
        assert_eq!(v["outcome"], "dry_run");
        assert_eq!((v["report"]["file"].as_str(), v["report"]["read"].as_u64()), (Some("hr.csv"), Some(2)));
        assert_eq!(v["report"]["created"], 1);
        assert!(v["report"].get("encoding").is_none() && v["report"].get("summary").is_none());
    }
}
