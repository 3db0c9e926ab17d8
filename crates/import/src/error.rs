//! Why an import, or an action of the review queues, did nothing at all. Every message names what
//! it is about: the file (and the line, element or entry), the code table with its row and field,
//! or the record that was not found.

use iphr_convert::attendance::AttendanceFileError;
use iphr_convert::cda::CdaFileError;
use iphr_convert::checkup_csv::FileError;
use iphr_convert::documents::{BundleError, EntryError};
use iphr_convert::fhir::FhirFileError;
use iphr_convert::hr::HrFileError;
use iphr_convert::stress_csv::StressFileError;
use iphr_domain::PersonId;
use iphr_domain::ohcc::TableError;
use iphr_store::StoreError;
use std::path::PathBuf;

/// A file, a queue entry or a mapping that could not be imported at all: nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as its kind (encoding, header, profile fit, structure); the
    /// reader's error names the line, element or entry.
    #[error("{file}: {error}")]
    File {
        /// The file as given.
        file: String,
        /// What its reader says.
        #[source]
        error: Box<ReadError>,
    },
    /// Reading a file or folder failed.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// An embedded code table does not load (a defect of the build); names the table, the row and
    /// the field.
    #[error("code table {0}")]
    CodeTable(#[from] TableError),
    /// What the action names is not in the company.
    #[error("{0}")]
    NotFound(#[from] NotFound),
    /// The worker a document is given to cannot be told by the employee number.
    #[error("{0}")]
    Unmatched(#[from] Unmatched),
    /// A record held for identity review whose stored form cannot be read back.
    #[error("queue entry {queue_id}: the held record cannot be read")]
    HeldRecord {
        /// The queue entry.
        queue_id: uuid::Uuid,
    },
    /// A mapping of a source code that the held values do not fit: refused whole, nothing saved
    /// or converted.
    #[error("[{source_system}] {source_code} → {item} refused: {}", reasons.join("; "))]
    MappingRefused {
        /// Source system (profile name).
        source_system: String,
        /// Source code.
        source_code: String,
        /// The OHCC item.
        item: String,
        /// Each held value that does not fit: its line, the value and why.
        reasons: Vec<String>,
    },
    /// An entry of a document bundle that cannot be read again for the write.
    #[error("{file}: entry {entry}: {error}")]
    Entry {
        /// The bundle.
        file: String,
        /// The path inside it.
        entry: String,
        /// Why.
        #[source]
        error: EntryError,
    },
    /// An entry of a document bundle that changed between planning and writing.
    #[error("{file}: entry {entry}: changed while importing; run again")]
    EntryChanged {
        /// The bundle.
        file: String,
        /// The path inside it.
        entry: String,
    },
    /// The store.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// Why a file cannot be read as its kind: the error of its reader in `iphr-convert`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// A checkup CSV through its profile.
    #[error(transparent)]
    CheckupCsv(#[from] FileError),
    /// An MHLW CDA document or archive.
    #[error(transparent)]
    Cda(#[from] CdaFileError),
    /// An eCheckup FHIR document Bundle.
    #[error(transparent)]
    Fhir(#[from] FhirFileError),
    /// An attendance CSV.
    #[error(transparent)]
    Attendance(#[from] AttendanceFileError),
    /// A stress-check answer CSV.
    #[error(transparent)]
    Stress(#[from] StressFileError),
    /// An HR master CSV.
    #[error(transparent)]
    Hr(#[from] HrFileError),
    /// A document bundle (zip or folder).
    #[error(transparent)]
    Bundle(#[from] BundleError),
}

/// What an action names that the company does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotFound {
    /// The person is not employed by the company.
    #[error("person {0} is not employed by this company")]
    Employee(PersonId),
    /// No open entry of the identity-review queue (本人確認待ち) with this id.
    #[error("no open queue entry {0} in this company")]
    QueueEntry(uuid::Uuid),
    /// No document waiting unassigned (未割当) with this id.
    #[error("no unassigned document {0} in this company")]
    UnassignedDocument(uuid::Uuid),
    /// The item code is not in the OHCC table.
    #[error("{0} is not in the OHCC table")]
    OhccItem(String),
}

/// Why an employee number (from a document's file name, or given by the user) names no one
/// worker of the company.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmatched {
    /// The file name does not fit the bundle's pattern.
    #[error("the name does not fit the pattern")]
    NoPattern,
    /// The file name gives no employee number.
    #[error("the name gives no employee number")]
    NoEmployeeNumber,
    /// No employment has this employee number.
    #[error("unknown employee number {0}")]
    Unknown(String),
    /// More than one employment has it.
    #[error("employee number {employee_number} is ambiguous ({employments} employments)")]
    Ambiguous {
        /// The employee number.
        employee_number: String,
        /// How many employments have it.
        employments: usize,
    },
    /// The number matches, but what else is known contradicts it.
    #[error("employee number {employee_number}: {reason}")]
    Conflict {
        /// The employee number.
        employee_number: String,
        /// Why.
        reason: String,
    },
}

impl ImportError {
    /// A file its reader cannot read.
    pub(crate) fn file(file: &str, error: impl Into<ReadError>) -> Self {
        ImportError::File { file: file.into(), error: Box::new(error.into()) }
    }

    /// A failed read of a file or folder.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ImportError::Io { path: path.into(), source }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_name_the_path() {
        let e = ImportError::io("/data/a.csv", std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"));
        assert_eq!(e.to_string(), "/data/a.csv: cannot read: no such file");
        assert!(std::error::Error::source(&e).is_some(), "the I/O error is the source");
    }

    #[test]
    fn code_table_errors_name_the_table_row_and_field() {
        let e = ImportError::from(TableError {
            table: "unit-conversions".into(),
            row: 7,
            field: "factor".into(),
            reason: "factor must be a non-zero number".into(),
        });
        assert_eq!(e.to_string(), "code table unit-conversions row 7, field factor: factor must be a non-zero number");
    }

    #[test]
    fn file_errors_name_the_file_and_the_line() {
        let e = ImportError::file(
            "hr.csv",
            HrFileError::Table(iphr_convert::table::TableError::MissingColumn {
                line: 1,
                field: "employee_number".into(),
                names: "社員番号".into(),
            }),
        );
        assert_eq!(e.to_string(), "hr.csv: line 1: no column for employee_number (one of 社員番号)");
        let e = ImportError::file("x.xml", CdaFileError::Xml("1:1 unexpected end of stream".into()));
        assert_eq!(e.to_string(), "x.xml: not well-formed XML: 1:1 unexpected end of stream");
    }

    #[test]
    fn not_found_and_refusals_name_what() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            ImportError::from(NotFound::QueueEntry(id)).to_string(),
            "no open queue entry 00000000-0000-0000-0000-000000000000 in this company"
        );
        assert_eq!(
            ImportError::from(NotFound::OhccItem("Zz9990000Z".into())).to_string(),
            "Zz9990000Z is not in the OHCC table"
        );
        assert_eq!(
            ImportError::from(Unmatched::Ambiguous { employee_number: "A1".into(), employments: 2 }).to_string(),
            "employee number A1 is ambiguous (2 employments)"
        );
        let e = ImportError::MappingRefused {
            source_system: "hokuto-long".into(),
            source_code: "K9990".into(),
            item: "Ah0010000Z".into(),
            reasons: vec!["line 3 (\"abc\"): not a number".into(), "line 5 (\"x\"): not a number".into()],
        };
        assert_eq!(
            e.to_string(),
            "[hokuto-long] K9990 → Ah0010000Z refused: line 3 (\"abc\"): not a number; line 5 (\"x\"): not a number"
        );
        let e = ImportError::EntryChanged { file: "b.zip".into(), entry: "a/1.pdf".into() };
        assert_eq!(e.to_string(), "b.zip: entry a/1.pdf: changed while importing; run again");
    }
}
