//! The command-line tests, one binary: the built `iphr` run in temporary folders.
//!
//! - `basics`: the database, companies, users, policy, imports, exports, merges, errors;
//! - `export_documents`, `import_documents`: CDA/FHIR exports and document bundles;
//! - `rules_reports_codes`: the regression tests of issue 11, items 18–21;
//! - `clock`: the command line and the web agree on "today";
//! - `architecture`: the shape of the code (file sizes, import loops, feature names).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod architecture;
mod basics;
mod clock;
mod common;
mod export_documents;
mod import_documents;
mod rules_reports_codes;
mod workspace;
