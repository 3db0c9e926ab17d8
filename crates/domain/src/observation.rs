//! Coded observations: one datum of the record, coded in OHCC, keeping its original.

use crate::info_class::InfoClass;
use crate::ohcc::{DataAtr, ItemCode};
use crate::{CompanyId, EmploymentId, EventId, ObservationId, PersonId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A comparator in front of a number (`<5`, `5未満`; FHIR `Quantity.comparator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// `<`, 未満.
    Lt,
    /// `<=`, 以下.
    Le,
    /// `>`, 超.
    Gt,
    /// `>=`, 以上.
    Ge,
}

impl Comparator {
    /// The symbol (also the stored form).
    pub fn symbol(&self) -> &'static str {
        match self {
            Comparator::Lt => "<",
            Comparator::Le => "<=",
            Comparator::Gt => ">",
            Comparator::Ge => ">=",
        }
    }
    /// From the stored symbol.
    pub fn from_symbol(s: &str) -> Option<Self> {
        Some(match s {
            "<" => Comparator::Lt,
            "<=" => Comparator::Le,
            ">" => Comparator::Gt,
            ">=" => Comparator::Ge,
            _ => return None,
        })
    }
}

/// The producer's out-of-range mark (H/L), kept as delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RangeFlag {
    /// H.
    High,
    /// L.
    Low,
}

impl RangeFlag {
    /// `H` or `L` (also the stored form).
    pub fn letter(&self) -> &'static str {
        match self {
            RangeFlag::High => "H",
            RangeFlag::Low => "L",
        }
    }
    /// From `H` or `L`.
    pub fn from_letter(s: &str) -> Option<Self> {
        match s {
            "H" => Some(RangeFlag::High),
            "L" => Some(RangeFlag::Low),
            _ => None,
        }
    }
}

/// What qualifies a value as delivered: a comparator, the producer's H/L mark and the number of
/// decimals the number was written with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Qualifier {
    /// `<5` …
    pub comparator: Option<Comparator>,
    /// H/L.
    pub flag: Option<RangeFlag>,
    /// Digits after the decimal point as the source wrote the number (`1.0` → 1, `170` → 0),
    /// after a conversion by a power of ten shifted with it; `None` when unknown (a value stored
    /// before the scale was kept, or converted by another factor). FHIR treats them as
    /// significant (R4 §2.24.0.1 decimal), so exports write the number with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
}

impl Qualifier {
    /// Whether two qualifiers read the same: comparator and mark equal. The scale is how the
    /// number was written, not what it says: `1.0` and `1.00` are the same reading.
    pub fn same_reading(&self, other: &Qualifier) -> bool {
        self.comparator == other.comparator && self.flag == other.flag
    }

    /// The number as text with the scale it was written with, else as short as it reads back.
    pub fn format(&self, value: f64) -> String {
        match self.scale {
            Some(s) => format!("{value:.*}", usize::from(s)),
            None => format!("{value}"),
        }
    }
}

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
    /// 未実施 — the item was not done.
    NotDone,
    /// 未測定 / 測定不能 — done, no result.
    NotMeasured,
    /// Beyond the input range, written only as H or L (the MHLW spreadsheet rule); the mark is
    /// in the qualifier.
    BeyondRange,
}

impl Value {
    /// The kind name stored in the database.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Number { .. } => "number",
            Value::Coded { .. } => "coded",
            Value::Text { .. } => "text",
            Value::Document { .. } => "document",
            Value::NotDone => "not_done",
            Value::NotMeasured => "not_measured",
            Value::BeyondRange => "beyond_range",
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
    /// Comparator and H/L mark as delivered.
    #[serde(default)]
    pub qualifier: Qualifier,
    /// Information class (from the item table).
    pub info_class: InfoClass,
    /// Date of the event.
    pub event_date: NaiveDate,
    /// The original.
    pub provenance: Provenance,
}
