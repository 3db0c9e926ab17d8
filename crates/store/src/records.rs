//! The lifelong record: batches written in one transaction, the timeline, events and their
//! observations, and the history of corrected values.

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use iphr_domain::event::Event;
use iphr_domain::observation::Observation;
use iphr_domain::person::{Assignment, Employment, Exposure, Person};
use iphr_domain::policy::ConsentGrant;
use iphr_domain::tenant::{Department, Establishment};
use iphr_domain::{CompanyId, EventId, PersonId};
use serde::{Deserialize, Serialize};

/// Everything written in one transaction: a demo chunk, an import file.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Establishments.
    pub establishments: Vec<Establishment>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Persons.
    pub persons: Vec<Person>,
    /// Employments.
    pub employments: Vec<Employment>,
    /// Assignments.
    pub assignments: Vec<Assignment>,
    /// Exposures.
    pub exposures: Vec<Exposure>,
    /// Events.
    pub events: Vec<Event>,
    /// Observations.
    pub observations: Vec<Observation>,
    /// Consents.
    pub consents: Vec<ConsentGrant>,
}

impl Batch {
    /// Number of rows in the batch.
    pub fn len(&self) -> usize {
        self.establishments.len()
            + self.departments.len()
            + self.persons.len()
            + self.employments.len()
            + self.assignments.len()
            + self.exposures.len()
            + self.events.len()
            + self.observations.len()
            + self.consents.len()
    }
    /// Whether the batch is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A superseded value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The observation as it was.
    pub observation: Observation,
    /// When it was replaced.
    pub superseded_at: DateTime<Utc>,
    /// By what (the source of the correction).
    pub superseded_by: String,
}

/// A unit-C record not yet final (面談記録, 保健指導 …): kept off the timeline, seen by no one but
/// the OH staff, until its author finalises it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordDraft {
    /// Company.
    pub company_id: CompanyId,
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: iphr_domain::EmploymentId,
    /// The form (a row group of `record-forms`).
    pub form: String,
    /// The fields as entered.
    pub fields: std::collections::BTreeMap<String, String>,
    /// Who wrote it (login).
    pub author: String,
    /// Last saved.
    pub updated_at: DateTime<Utc>,
}

/// An earlier version of a corrected event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventVersion {
    /// The event as it was.
    pub event: Event,
    /// 1 for the first version replaced, then 2 …
    pub version: i32,
    /// When it was replaced.
    pub superseded_at: DateTime<Utc>,
    /// By whom (login).
    pub superseded_by: String,
    /// Why.
    pub reason: String,
}

/// The lifelong record: batches of rows, the timeline, events and their observations.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Writes a batch in one transaction: all or nothing.
    async fn insert_batch(&self, batch: &Batch) -> Result<()>;
    /// The timeline of a person within a company, newest first: their own events and the
    /// patrols of the departments they were assigned to at the time.
    async fn timeline(&self, company: CompanyId, person: PersonId) -> Result<Vec<Event>>;
    /// One event.
    async fn event(&self, company: CompanyId, id: EventId) -> Result<Option<Event>>;
    /// The observations of one event.
    async fn event_observations(&self, company: CompanyId, id: EventId) -> Result<Vec<Observation>>;
    /// Every observation of a person within a company, by date then item.
    async fn person_observations(&self, company: CompanyId, person: PersonId) -> Result<Vec<Observation>>;
    /// A company's events of one kind (and subkind), oldest first (person and department events).
    async fn events_of_kind(
        &self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        subkind: Option<&str>,
    ) -> Result<Vec<Event>>;
    /// The history of one observation, newest first.
    async fn observation_history(
        &self,
        company: CompanyId,
        observation: iphr_domain::ObservationId,
    ) -> Result<Vec<HistoryEntry>>;
    /// Saves a draft (new or again: the same id is replaced).
    async fn save_record_draft(&self, draft: &RecordDraft) -> Result<()>;
    /// A person's drafts in a company, newest first.
    async fn record_drafts(&self, company: CompanyId, person: PersonId) -> Result<Vec<RecordDraft>>;
    /// One draft.
    async fn record_draft(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<RecordDraft>>;
    /// Finalises a draft: writes `batch` (the record and what it decides) and deletes the draft,
    /// in one transaction; a draft already finalised or discarded is a conflict (one finalisation
    /// wins).
    async fn finalise_record_draft(&self, company: CompanyId, id: uuid::Uuid, batch: &Batch) -> Result<()>;
    /// Corrects a final event: the stored version goes to its history with who, when and why,
    /// and `event` (same id) replaces it, in one transaction. An unknown event is `NotFound`.
    async fn correct_event(
        &self,
        company: CompanyId,
        event: &Event,
        by: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The earlier versions of an event, newest first.
    async fn event_history(&self, company: CompanyId, id: EventId) -> Result<Vec<EventVersion>>;
}
