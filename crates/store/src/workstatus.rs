//! Record types of the work-status unit and the stress check.

use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::person::WorkRegime;
use iphr_domain::{CompanyId, DepartmentId, EmploymentId, EventId, PersonId};
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

/// One assignment span of a person: department and 労働時間制度 from `valid_from` to `valid_to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentSpan {
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: EmploymentId,
    /// From (inclusive).
    pub valid_from: NaiveDate,
    /// To (inclusive); `None` while current.
    pub valid_to: Option<NaiveDate>,
    /// 職制.
    pub department_id: DepartmentId,
    /// Its name.
    pub department: String,
    /// 労働時間制度.
    pub work_regime: WorkRegime,
}

impl AssignmentSpan {
    /// Whether the span covers `date`.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|t| t >= date)
    }
}

/// The span of each person on `date` (the last one starting on or before it that covers it).
pub fn spans_on(spans: &[AssignmentSpan], date: NaiveDate) -> std::collections::HashMap<PersonId, &AssignmentSpan> {
    let mut out = std::collections::HashMap::new();
    for s in spans.iter().filter(|s| s.covers(date)) {
        out.insert(s.person_id, s);
    }
    out
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
