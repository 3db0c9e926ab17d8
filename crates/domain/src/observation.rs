//! Coded observations: one datum of the record, coded in OHCC, keeping its original.

use crate::info_class::InfoClass;
use crate::ohcc::{DataAtr, ItemCode};
use crate::{CompanyId, EmploymentId, EventId, ObservationId, PersonId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The value of an observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Value {
    /// A number with its unit.
    Number {
        /// The value.
        value: f64,
        /// The unit (the item's iPHR unit after conversion).
        unit: String,
    },
    /// A code from the item's value set.
    Coded {
        /// The code.
        code: String,
    },
    /// Free text.
    Text {
        /// The text.
        text: String,
    },
    /// A reference to a stored document (scan, PDF, letter).
    Document {
        /// Document reference (e.g. a file hash or a storage key).
        reference: String,
        /// Title or file name.
        title: String,
    },
}

impl Value {
    /// The kind name stored in the database.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Number { .. } => "number",
            Value::Coded { .. } => "coded",
            Value::Text { .. } => "text",
            Value::Document { .. } => "document",
        }
    }
}

/// Where a datum came from: the original as received.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The source item code, e.g. a JLAC10 17-digit code or an institution's local code.
    pub source_code: Option<String>,
    /// The source item text as received.
    pub source_text: Option<String>,
    /// The original value text as received (e.g. "<5", "＋", "6.10").
    pub raw_value: Option<String>,
    /// The source document: file name and hash, row or element.
    pub source_doc: Option<String>,
    /// The code-table version used for the conversion.
    pub table_version: String,
}

/// One coded datum in the record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Company of the employment the datum belongs to.
    pub company_id: CompanyId,
    /// Id.
    pub id: ObservationId,
    /// The event (checkup, stress check, attendance month …) the datum belongs to.
    pub event_id: EventId,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// OHCC item (①–⑤).
    pub item: ItemCode,
    /// OHCC data ATR (⑥): kind, producer, sequence.
    pub atr: DataAtr,
    /// The value.
    pub value: Value,
    /// Information class (from the item table).
    pub info_class: InfoClass,
    /// Date of the event.
    pub event_date: NaiveDate,
    /// The original.
    pub provenance: Provenance,
}
