//! The stress check (ストレスチェック, 労働安全衛生法第66条の10): campaigns, workers' drafts, answer
//! sheets and reminders (受検勧奨).

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use serde::Serialize;

/// A stress-check campaign (安衛法66条の10): a company, a period, the high-stress method chosen
/// before the check, and the implementer (実施者: a physician or nurse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StressCampaign {
    /// Company.
    pub company_id: CompanyId,
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// Name, e.g. 2026年度ストレスチェック.
    pub name: String,
    /// First day answers count.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// `sum` or `soten`.
    pub method: String,
    /// 実施者 (login).
    pub implementer: String,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A stress-check answer sheet on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressSheet {
    /// The event.
    pub event_id: EventId,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// Date answered.
    pub date: NaiveDate,
    /// The 57 answers (1–4), as stored in the event.
    pub answers: Vec<u8>,
}

/// A reminder to take the stress check (受検勧奨) sent to a worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StressReminder {
    /// The person.
    pub person_id: PersonId,
    /// When.
    pub sent_at: DateTime<Utc>,
    /// By whom (login).
    pub sent_by: String,
}

/// The stress check (ストレスチェック): campaigns, drafts, sheets and reminders.
#[async_trait]
pub trait StressStore: Send + Sync {
    /// Creates a stress-check campaign.
    async fn create_stress_campaign(&self, c: &StressCampaign) -> Result<()>;
    /// A company's campaigns, newest first.
    async fn stress_campaigns(&self, company: CompanyId) -> Result<Vec<StressCampaign>>;
    /// The stress-check answer sheets of a company dated in `from..=to`.
    async fn stress_sheets(&self, company: CompanyId, from: NaiveDate, to: NaiveDate) -> Result<Vec<StressSheet>>;
    /// A worker's saved, unfinished questionnaire (57 characters: 1–4, 0 = unanswered).
    async fn stress_draft(&self, company: CompanyId, campaign: uuid::Uuid, person: PersonId) -> Result<Option<String>>;
    /// Saves a worker's unfinished questionnaire.
    async fn save_stress_draft(
        &self,
        company: CompanyId,
        campaign: uuid::Uuid,
        person: PersonId,
        answers: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// Writes a submitted questionnaire (its event, scores and any consent) and removes the draft,
    /// in one transaction.
    async fn submit_stress(
        &self,
        batch: &Batch,
        company: CompanyId,
        campaign: uuid::Uuid,
        person: PersonId,
    ) -> Result<()>;
    /// Records one reminder (受検勧奨) per person of a campaign, sent at `at` by `by`, in one
    /// transaction; the same person and time again is not written twice.
    async fn record_stress_reminders(
        &self,
        company: CompanyId,
        campaign: uuid::Uuid,
        persons: &[PersonId],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// The reminders of a campaign, oldest first.
    async fn stress_reminders(&self, company: CompanyId, campaign: uuid::Uuid) -> Result<Vec<StressReminder>>;
}
