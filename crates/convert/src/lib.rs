//! # iphr-convert
//!
//! The data conversion system (the deck's データ変換システム): every source — institution CSV,
//! MHLW CDA, FHIR, HR and attendance files, stress-check answers — passes through here on its
//! way into OHCC-coded records, keeping its original. This crate is pure: it takes bytes and
//! text and returns values or errors that name the row and field; it does no I/O and knows no
//! store (it depends on the domain only). Matching the records to persons and planning what the
//! store writes is the import engine's (`iphr-import`).
//!
//! The building blocks every importer shares:
//! - [`text`]: encoding detection (UTF-8 with or without BOM, Shift_JIS/CP932) and width folding;
//! - [`wareki`]: 和暦 and western dates as institutions write them;
//! - [`value`]: result values — comparators (`<5`, `5未満`), H/L marks, urine grades, 未実施;
//! - [`units`]: unit conversion to the OHCC unit, as a versioned table;
//! - [`records`]: what the readers of checkups, attendance and stress checks return — records of
//!   any source ([`records::ParsedRecords`]) — and the HR reader's rows ([`hr::ParsedHr`]).

#![warn(missing_docs)]

pub mod attendance;
pub mod cda;
pub mod cda_export;
pub mod checkup_csv;
pub mod documents;
pub mod export;
pub mod fhir;
pub mod fhir_export;
pub mod hr;
pub mod matching;
pub mod mhlw;
pub mod profile;
pub mod records;
pub mod stress_csv;
pub mod table;
pub mod text;
pub mod units;
pub mod value;
pub mod wareki;
pub mod work_env;
