//! Identity matching over many records: [`iphr_domain::identity::Matcher`] (kept here under its
//! old path for the importers).

pub use iphr_domain::identity::{Matcher, MatcherBuilder};
