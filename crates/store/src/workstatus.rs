//! Record types of the work-status unit and the stress check.

use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use serde::Serialize;

/// One numeric datum of a month (attendance): person, month, OHCC item, value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthlyValue {
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// The event date (the month's first day for attendance months).
    pub date: NaiveDate,
    /// OHCC item.
    pub item: String,
    /// Value.
    pub value: f64,
}

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
