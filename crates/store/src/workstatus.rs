//! Record types of the work-status unit and the stress check.

use crate::*;
use async_trait::async_trait;

use chrono::NaiveDate;
use iphr_domain::person::WorkRegime;
use iphr_domain::{CompanyId, DepartmentId, EmploymentId, PersonId};
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

/// Work status: monthly values (hours) and assignment history.
#[async_trait]
pub trait WorkStatusStore: Send + Sync {
    /// Numeric data of a company's events of one kind dated in `from..=to`, for the given items,
    /// of every person or of one.
    async fn monthly_values(
        &self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        from: NaiveDate,
        to: NaiveDate,
        items: &[String],
        person: Option<PersonId>,
    ) -> Result<Vec<MonthlyValue>>;
    /// Every assignment of a company's employments with its department's name and 労働時間制度,
    /// by person and start date: who was where, and under which regime, on any date.
    async fn assignment_history(&self, company: CompanyId) -> Result<Vec<AssignmentSpan>>;
}
