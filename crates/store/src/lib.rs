//! # iphr-store
//!
//! The one storage interface of iphr ([`Store`]) and the record types it reads and writes. Only
//! the backend crates (`iphr-store-sqlite`, `iphr-store-postgres`) know SQL; the conformance
//! story every backend runs is the dev-only crate `iphr-store-conformance`.
//!
//! [`Store`] is the sum of one small trait per aggregate, each in its module with its record
//! types: [`maintenance`], [`org`], [`auth`], [`audit`], [`people`], [`records`], [`policy`],
//! [`import`], [`postcheckup`], [`stress`], [`workstatus`], [`uploads`], [`documents`]. Code that
//! holds a `&dyn Store` calls any of their methods; code that calls them on a concrete store
//! imports [`prelude`].
//!
//! Tenancy: every workplace table keys on `company_id` first; ids are UUIDv7 made by the
//! application.

pub mod audit;
pub mod auth;
pub mod documents;
pub mod import;
pub mod maintenance;
pub mod org;
pub mod people;
pub mod policy;
pub mod postcheckup;
pub mod records;
pub mod stress;
pub mod uploads;
pub mod workstatus;

pub use audit::*;
pub use auth::*;
pub use documents::*;
pub use import::*;
pub use maintenance::*;
pub use org::*;
pub use people::*;
pub use policy::*;
pub use postcheckup::*;
pub use records::*;
pub use stress::*;
pub use uploads::*;
pub use workstatus::*;

/// A storage error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A uniqueness or reference rule was broken (e.g. a login or employee number taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Stored data could not be read back into domain types.
    #[error("corrupt data: {0}")]
    Corrupt(String),
    /// The database failed.
    #[error("database error: {0}")]
    Backend(String),
}

/// Result alias.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The storage interface: every aggregate's trait. Every method is one transaction.
pub trait Store:
    Maintenance
    + OrgStore
    + AuthStore
    + AuditStore
    + PeopleStore
    + RecordStore
    + PolicyStore
    + ImportStore
    + PostcheckupStore
    + StressStore
    + WorkStatusStore
    + UploadStore
    + DocumentStore
{
}

impl<T> Store for T where
    T: Maintenance
        + OrgStore
        + AuthStore
        + AuditStore
        + PeopleStore
        + RecordStore
        + PolicyStore
        + ImportStore
        + PostcheckupStore
        + StressStore
        + WorkStatusStore
        + UploadStore
        + DocumentStore
{
}

/// The aggregate traits, for calling store methods on a concrete store (`use iphr_store::prelude::*`).
pub mod prelude {
    pub use crate::{
        AuditStore, AuthStore, DocumentStore, ImportStore, ImportTransaction, Maintenance, OrgStore, PeopleStore,
        PolicyStore, PostcheckupStore, RecordStore, Store, StressStore, UploadStore, WorkStatusStore,
    };
}
