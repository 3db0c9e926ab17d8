//! The web tests, one binary: every request goes through the real router (`Application::build`)
//! over a demo population in a temporary SQLite store.
//!
//! - `policy_matrix`: every role against every page and API route, the denials audited;
//! - `postcheckup`, `stresscheck`, `workstatus`, `hours`, `uploads`: the features' flows;
//! - `defects`: the regression tests of issue 11.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;
mod defects;
mod hours;
mod policy_matrix;
mod postcheckup;
mod stresscheck;
mod unit_c;
mod uploads;
mod workspace;
mod workstatus;
