//! Persons and employments: the worker list and a worker's header, person merges (undoable), and
//! the HR master (organisation, employees, assignments, exposures).

use crate::*;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::person::{Assignment, Employment, Exposure, Person, Sex};
use iphr_domain::tenant::{Department, Establishment};
use iphr_domain::{CompanyId, EmploymentId, PersonId};
use serde::{Deserialize, Serialize};

/// A worker search within one company.
#[derive(Debug, Clone, Default)]
pub struct WorkerQuery {
    /// Text matched against name, kana and employee number (normalised); empty for all.
    pub text: String,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return.
    pub limit: u32,
}

/// One row of a worker list (identity only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerRow {
    /// Company.
    pub company_id: CompanyId,
    /// Employment.
    pub employment_id: EmploymentId,
    /// Person.
    pub person_id: PersonId,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Kana.
    pub kana: String,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Current department name.
    pub department: Option<String>,
    /// Left the company.
    pub leave_date: Option<NaiveDate>,
}

/// A page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// Rows.
    pub rows: Vec<T>,
    /// Total rows matching.
    pub total: u64,
}

/// An assignment with the names of its establishment and department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    /// The assignment.
    pub assignment: Assignment,
    /// 事業場 name.
    pub establishment: String,
    /// 職制 name.
    pub department: String,
}

/// Header of a worker page: the person, the employment, assignments and exposures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerHeader {
    /// The person.
    pub person: Person,
    /// The employment.
    pub employment: Employment,
    /// Assignments, newest first.
    pub assignments: Vec<AssignmentView>,
    /// Exposures, newest first.
    pub exposures: Vec<Exposure>,
}

/// Two person records merged (the same human recorded twice), undoable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonMerge {
    /// Id.
    pub id: uuid::Uuid,
    /// The person kept.
    pub kept: PersonId,
    /// The person merged into it.
    pub merged: PersonId,
    /// The rows that moved, per table (what an undo moves back).
    pub moved: serde_json::Value,
    /// When.
    pub merged_at: DateTime<Utc>,
    /// Who.
    pub merged_by: String,
    /// When undone.
    pub undone_at: Option<DateTime<Utc>>,
    /// By whom.
    pub undone_by: Option<String>,
}

/// An employee as the HR import sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HrEmployee {
    /// The person.
    pub person: Person,
    /// The employment.
    pub employment: Employment,
    /// The current assignment (open-ended or the latest).
    pub current: Option<Assignment>,
    /// Current exposures (no end date).
    pub exposures: Vec<Exposure>,
}

/// A company's organisation and employees, for the HR import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HrState {
    /// 事業場.
    pub establishments: Vec<Establishment>,
    /// 職制.
    pub departments: Vec<Department>,
    /// Employees.
    pub employees: Vec<HrEmployee>,
}

/// What one HR file writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct HrWrite {
    /// New establishments, departments, persons, employments, assignments and exposures.
    pub batch: Batch,
    /// Assignments that end (company, assignment, last day).
    pub close_assignments: Vec<(CompanyId, iphr_domain::AssignmentId, NaiveDate)>,
    /// Exposures that end (company, exposure, last day).
    pub end_exposures: Vec<(CompanyId, iphr_domain::ExposureId, NaiveDate)>,
    /// Leave dates set or changed.
    pub leave_dates: Vec<(CompanyId, EmploymentId, Option<NaiveDate>)>,
    /// Hire dates changed (the HR master corrects one set when a checkup file created the
    /// person).
    pub hire_dates: Vec<(CompanyId, EmploymentId, NaiveDate)>,
    /// Persons whose names, kana or insurer identifiers changed.
    pub person_updates: Vec<Person>,
}

/// Persons and employments: the worker list and header, merges, the HR master.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Searches the workers of a company.
    async fn search_workers(&self, company: CompanyId, query: &WorkerQuery) -> Result<Page<WorkerRow>>;
    /// The header of one worker (an employment) of a company.
    async fn worker(&self, company: CompanyId, employment: EmploymentId) -> Result<Option<WorkerHeader>>;
    /// The employments of a person, in every company.
    async fn employments_of_person(&self, person: PersonId) -> Result<Vec<Employment>>;
    /// The companies employing a person.
    async fn companies_of_person(&self, person: PersonId) -> Result<Vec<CompanyId>>;
    /// Merges person `merged` into `kept`: every employment, event, observation, consent, held
    /// item and user link of `merged` moves to `kept`; undoable.
    async fn merge_persons(&self, kept: PersonId, merged: PersonId, by: &str) -> Result<PersonMerge>;
    /// One merge.
    async fn person_merge(&self, id: uuid::Uuid) -> Result<Option<PersonMerge>>;
    /// Undoes a merge: exactly the rows that moved move back.
    async fn undo_merge(&self, id: uuid::Uuid, by: &str) -> Result<PersonMerge>;
    /// A company's organisation and employees with their current assignment and exposures.
    async fn hr_state(&self, company: CompanyId) -> Result<HrState>;
    /// Writes one HR file: all or nothing.
    async fn apply_hr(&self, write: &HrWrite) -> Result<()>;
}
