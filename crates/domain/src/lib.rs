//! # iphr-domain
//!
//! The pure core of iphr, the integrated personal health record for occupational health (iPHR).
//! It holds the types every other crate shares — persons and their employments, tenants,
//! roles, OHCC-coded observations, the one timeline of events, the information classes of the
//! 2018 MHLW 指針 and the access policy — and the rules over them. It does no I/O and has no
//! async code: stores, importers and the web layer depend on it, never the other way round.

pub mod audit;
pub mod clock;
pub mod event;
pub mod identity;
pub mod ids;
pub mod info_class;
pub mod interview;
pub mod judgement;
pub mod normalize;
pub mod observation;
pub mod ohcc;
pub mod overtime;
pub mod panels;
pub mod person;
pub mod policy;
pub mod postcheckup;
pub mod record_form;
pub mod role;
pub mod special;
pub mod stress;
pub mod tenant;
pub mod visit;
pub mod worktime;

pub use ids::*;
