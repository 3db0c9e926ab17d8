//! # iphr-store
//!
//! The one storage interface of iphr ([`Store`]), the record types it reads and writes, and
//! the [`conformance`] suite that every backend (SQLite, PostgreSQL) runs, so that both behave
//! the same. Only the backend crates know SQL.
//!
//! Tenancy: every workplace table keys on `company_id` first; ids are UUIDv7 made by the
//! application.

pub mod conformance;
pub mod documents;
pub mod postcheckup;
pub mod uploads;
pub mod workstatus;

pub use documents::*;
pub use postcheckup::*;
pub use uploads::*;
pub use workstatus::*;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::Event;
use iphr_domain::observation::Observation;
use iphr_domain::person::{Assignment, Employment, Exposure, Person, Sex};
use iphr_domain::policy::{ConsentGrant, PolicyOverride};
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, Department, Establishment};
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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

/// A user account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub login: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Argon2id PHC string.
    #[serde(skip_serializing)]
    pub password_hash: String,
    /// For a worker: their person.
    pub person_id: Option<PersonId>,
    /// Companies the user serves (one for most roles; many for physicians and nurses).
    pub companies: Vec<CompanyId>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
}

/// A session (the cookie holds the secret; only its SHA-256 is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session secret, hex.
    pub id_hash: String,
    /// The user.
    pub user_id: UserId,
    /// The CSRF token bound to the session.
    pub csrf_token: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

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

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this company.
    pub company_id: Option<CompanyId>,
    /// Only this person.
    pub person_id: Option<PersonId>,
    /// Only refusals.
    pub denied_only: bool,
    /// At most this many, newest first.
    pub limit: u32,
}

/// Counts per record kind for one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyStats {
    /// Company id.
    pub company_id: CompanyId,
    /// Company name.
    pub name: String,
    /// 事業場.
    pub establishments: u64,
    /// 職制.
    pub departments: u64,
    /// Employments.
    pub employments: u64,
    /// Assignments.
    pub assignments: u64,
    /// Exposures.
    pub exposures: u64,
    /// Events per kind.
    pub events: BTreeMap<String, u64>,
    /// Coded observations.
    pub observations: u64,
    /// Consents.
    pub consents: u64,
}

/// Counts per record kind and company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Persons.
    pub persons: u64,
    /// Users per role.
    pub users: BTreeMap<String, u64>,
    /// Per company, in id order.
    pub companies: Vec<CompanyStats>,
}

/// A file read by an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source kind (`checkup-csv`, `cda`, …).
    pub kind: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// File name as given.
    pub file_name: String,
    /// Mapping profile.
    pub profile: Option<String>,
    /// Encoding read.
    pub encoding: Option<String>,
    /// When.
    pub imported_at: DateTime<Utc>,
    /// Who.
    pub imported_by: String,
    /// Counts (JSON).
    pub summary: serde_json::Value,
}

/// A correction: the stored observation and the new value that replaces it (the old one goes to
/// the history).
#[derive(Debug, Clone, PartialEq)]
pub struct Correction {
    /// As stored.
    pub old: Observation,
    /// The new version (same company, event and id).
    pub new: Observation,
}

/// A record held for identity review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source file.
    pub source_file_id: uuid::Uuid,
    /// Line or element.
    pub line: i64,
    /// `unknown`, `ambiguous`, `conflict`.
    pub reason: String,
    /// What the file said (JSON).
    pub identity: serde_json::Value,
    /// Candidate persons (JSON).
    pub candidates: serde_json::Value,
    /// The held record, complete (JSON).
    pub payload: serde_json::Value,
    /// `open` or `resolved`.
    pub status: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A source item no mapping covers, held raw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnmappedEntry {
    /// Company.
    pub company_id: CompanyId,
    /// Id.
    pub id: uuid::Uuid,
    /// Source file.
    pub source_file_id: uuid::Uuid,
    /// Line or element.
    pub line: i64,
    /// Source system (profile name).
    pub source_system: String,
    /// Source code.
    pub source_code: String,
    /// Source name.
    pub source_text: String,
    /// Value as written.
    pub raw_value: String,
    /// Unit as written.
    pub unit: Option<String>,
    /// The person, where known.
    pub person_id: Option<PersonId>,
    /// The date, where known.
    pub event_date: Option<NaiveDate>,
    /// `open` or `mapped`.
    pub status: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Everything one imported file writes, in one transaction.
#[derive(Debug, Clone, Default)]
pub struct ImportWrite {
    /// The file (absent when it was imported before: nothing new is recorded for it).
    pub source_file: Option<SourceFile>,
    /// New events and observations.
    pub batch: Batch,
    /// Corrections.
    pub corrections: Vec<Correction>,
    /// Held for identity review.
    pub queue: Vec<QueueEntry>,
    /// Unmapped items.
    pub unmapped: Vec<UnmappedEntry>,
    /// Held records this write resolves (their queue entries become `resolved`).
    pub resolved: Vec<uuid::Uuid>,
    /// Unmapped items this write converts (they become `mapped`).
    pub mapped: Vec<uuid::Uuid>,
    /// A mapping made by a user, saved with the write.
    pub mapping: Option<SourceMapping>,
    /// Audit entries written in the same transaction (the import's own entry: it lands exactly
    /// when the import does).
    pub audit: Vec<iphr_domain::audit::AuditEntry>,
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

/// A user's mapping of a source item to an OHCC item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMapping {
    /// Company.
    pub company_id: CompanyId,
    /// Source system (profile name).
    pub source_system: String,
    /// Source code.
    pub source_code: String,
    /// OHCC item.
    pub item: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who.
    pub created_by: String,
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

/// The storage interface. Every method is one transaction.
#[async_trait]
pub trait Store: Send + Sync {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Runs the pending migrations.
    async fn migrate(&self) -> Result<()>;
    /// Whether any company, person or user exists.
    async fn has_data(&self) -> Result<bool>;
    /// Deletes every row of every table except the audit log (demo `--replace`).
    async fn wipe(&self) -> Result<()>;

    /// Creates a company.
    async fn create_company(&self, company: &Company) -> Result<()>;
    /// All companies, by name.
    async fn list_companies(&self) -> Result<Vec<Company>>;
    /// One company.
    async fn get_company(&self, id: CompanyId) -> Result<Option<Company>>;

    /// Creates a user.
    async fn create_user(&self, user: &User) -> Result<()>;
    /// A user by login name.
    async fn user_by_login(&self, login: &str) -> Result<Option<User>>;
    /// A user by id.
    async fn user(&self, id: UserId) -> Result<Option<User>>;
    /// All users, by login.
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Replaces a user's password hash.
    async fn set_password(&self, login: &str, password_hash: &str) -> Result<()>;
    /// Adds a company to a user's companies.
    async fn assign_company(&self, user: UserId, company: CompanyId) -> Result<()>;

    /// Writes a batch in one transaction: all or nothing.
    async fn insert_batch(&self, batch: &Batch) -> Result<()>;

    /// Searches the workers of a company.
    async fn search_workers(&self, company: CompanyId, query: &WorkerQuery) -> Result<Page<WorkerRow>>;
    /// The header of one worker (an employment) of a company.
    async fn worker(&self, company: CompanyId, employment: EmploymentId) -> Result<Option<WorkerHeader>>;
    /// The employments of a person, in every company.
    async fn employments_of_person(&self, person: PersonId) -> Result<Vec<Employment>>;
    /// The timeline of a person within a company, newest first: their own events and the
    /// patrols of the departments they were assigned to at the time.
    async fn timeline(&self, company: CompanyId, person: PersonId) -> Result<Vec<Event>>;
    /// One event.
    async fn event(&self, company: CompanyId, id: EventId) -> Result<Option<Event>>;
    /// The observations of one event.
    async fn event_observations(&self, company: CompanyId, id: EventId) -> Result<Vec<Observation>>;
    /// Every observation of a person within a company, by date then item.
    async fn person_observations(&self, company: CompanyId, person: PersonId) -> Result<Vec<Observation>>;

    /// The person's current consents.
    async fn consents_of_person(&self, person: PersonId) -> Result<Vec<ConsentGrant>>;
    /// A company's 取扱規程 overrides.
    async fn policy_overrides(&self, company: CompanyId) -> Result<Vec<PolicyOverride>>;
    /// Sets one override.
    async fn set_policy_override(&self, company: CompanyId, o: PolicyOverride) -> Result<()>;

    /// Stores a session.
    async fn create_session(&self, session: &Session) -> Result<()>;
    /// A session by the hash of its secret (expired ones too; the caller checks).
    async fn session(&self, id_hash: &str) -> Result<Option<Session>>;
    /// Deletes a session.
    async fn delete_session(&self, id_hash: &str) -> Result<()>;
    /// Deletes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64>;

    /// Records a login attempt.
    async fn record_login_attempt(&self, login: &str, success: bool, at: DateTime<Utc>) -> Result<()>;
    /// Failed attempts for a login since an instant.
    async fn failed_logins_since(&self, login: &str, since: DateTime<Utc>) -> Result<u64>;

    /// Appends to the audit log.
    async fn append_audit(&self, entry: &AuditEntry) -> Result<()>;
    /// Lists audit entries, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;

    /// Counts per record kind and company.
    async fn stats(&self) -> Result<Stats>;

    /// A file imported before (same company, kind and SHA-256).
    async fn source_file(&self, company: CompanyId, kind: &str, sha256: &str) -> Result<Option<SourceFile>>;
    /// Every employment of a company with the identity fields matching needs.
    async fn identity_candidates(&self, company: CompanyId) -> Result<Vec<iphr_domain::identity::Candidate>>;
    /// The company's identity candidates indexed for matching, read as a stream (the list is
    /// never held whole: what a large file's import keeps in memory).
    async fn identity_matcher(&self, company: CompanyId) -> Result<iphr_domain::identity::Matcher>;
    /// The events of kind `kind` of these persons on these dates, and their observations.
    async fn events_on(
        &self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        keys: &[(PersonId, NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Every event (of one kind, or all) of these persons in a company, with its observations.
    async fn person_records(
        &self,
        company: CompanyId,
        kind: Option<iphr_domain::event::EventKind>,
        persons: &[PersonId],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Writes one imported file: all or nothing.
    async fn apply_import(&self, write: &ImportWrite) -> Result<()>;
    /// The history of one observation, newest first.
    async fn observation_history(
        &self,
        company: CompanyId,
        observation: iphr_domain::ObservationId,
    ) -> Result<Vec<HistoryEntry>>;
    /// The open identity-review queue of a company, oldest first.
    async fn identity_queue(&self, company: CompanyId) -> Result<Vec<QueueEntry>>;
    /// The open unmapped items of a company, oldest first.
    async fn unmapped_items(&self, company: CompanyId) -> Result<Vec<UnmappedEntry>>;

    /// Merges person `merged` into `kept`: every employment, event, observation, consent, held
    /// item and user link of `merged` moves to `kept`; undoable.
    async fn merge_persons(&self, kept: PersonId, merged: PersonId, by: &str) -> Result<PersonMerge>;
    /// One merge.
    async fn person_merge(&self, id: uuid::Uuid) -> Result<Option<PersonMerge>>;
    /// Undoes a merge: exactly the rows that moved move back.
    async fn undo_merge(&self, id: uuid::Uuid, by: &str) -> Result<PersonMerge>;
    /// The companies employing a person.
    async fn companies_of_person(&self, person: PersonId) -> Result<Vec<CompanyId>>;
    /// The mappings a company's users made for a source system.
    async fn source_mappings(&self, company: CompanyId, source_system: &str) -> Result<Vec<SourceMapping>>;
    /// A company's organisation and employees with their current assignment and exposures.
    async fn hr_state(&self, company: CompanyId) -> Result<HrState>;
    /// Writes one HR file: all or nothing.
    async fn apply_hr(&self, write: &HrWrite) -> Result<()>;

    // ---- post-checkup measures (事後措置) ----
    /// A page of a company's checkups (on or after `since`, event ids after `after`, at most
    /// `limit`, in event-id order) with the data of the given OHCC items.
    async fn checkups_to_judge(
        &self,
        company: CompanyId,
        since: Option<NaiveDate>,
        items: &[String],
        after: Option<EventId>,
        limit: u32,
    ) -> Result<Vec<CheckupToJudge>>;
    /// Post-checkup opinions already on a company's timelines (events `opinion` / `post_checkup`).
    async fn prior_opinions(&self, company: CompanyId) -> Result<Vec<PriorOpinion>>;
    /// Stores judgements (new, changed or unchanged by their result); one transaction. Call
    /// [`Store::finish_judging`] after the last batch.
    async fn save_judgements(
        &self,
        company: CompanyId,
        rows: &[JudgementWrite],
        at: DateTime<Utc>,
    ) -> Result<JudgeSummary>;
    /// After judging: recomputes each person's latest general and special checkup and refreshes the
    /// planner statistics of the judgement table.
    async fn finish_judging(&self, company: CompanyId) -> Result<()>;
    /// Judgements of a company.
    async fn judgements(&self, company: CompanyId, filter: &JudgementFilter) -> Result<Vec<JudgementRecord>>;
    /// One judgement.
    async fn judgement(&self, company: CompanyId, event: EventId) -> Result<Option<JudgementRecord>>;
    /// Counts per dashboard section (each person's latest checkup).
    async fn dashboard_counts(
        &self,
        company: CompanyId,
        today: NaiveDate,
        panic_cutoff: DateTime<Utc>,
    ) -> Result<DashboardCounts>;
    /// Appends a step and updates the judgement's state; the judgement must exist.
    async fn append_step(&self, write: &StepWrite) -> Result<JudgementRecord>;
    /// The steps of a checkup, oldest first.
    async fn steps(&self, company: CompanyId, event: EventId) -> Result<Vec<StepRecord>>;
    /// A company's rule-table overrides.
    async fn rule_overrides(&self, company: CompanyId) -> Result<Vec<RuleOverride>>;
    /// Sets (or with empty content removes) a company's override of a rule table.
    async fn set_rule_override(&self, company: CompanyId, o: &RuleOverride) -> Result<()>;

    // ---- work status and the stress check ----
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
    /// Every assignment of a company's employments with its department's name and 労働時間制度,
    /// by person and start date: who was where, and under which regime, on any date.
    async fn assignment_history(&self, company: CompanyId) -> Result<Vec<AssignmentSpan>>;
    /// A company's events of one kind (and subkind), oldest first (person and department events).
    async fn events_of_kind(
        &self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        subkind: Option<&str>,
    ) -> Result<Vec<Event>>;

    // ---- web uploads (受付・プレビュー・取込) ----
    /// Stages an uploaded file with its bytes.
    async fn create_upload(&self, upload: &Upload, bytes: &[u8]) -> Result<()>;
    /// One upload (no bytes).
    async fn upload(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<Upload>>;
    /// The bytes of an upload that is not over yet.
    async fn upload_bytes(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<Vec<u8>>>;
    /// Moves an upload on: its status, phase and report; a final status drops the bytes. Moving
    /// from a status other than `from` is refused (a conflict), so only one server commits it.
    async fn set_upload_status(
        &self,
        company: CompanyId,
        id: uuid::Uuid,
        from: UploadStatus,
        to: UploadStatus,
        phase: &str,
        report: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    /// A user's uploads to a company, newest first.
    async fn uploads_of_user(&self, company: CompanyId, user: UserId, limit: u32) -> Result<Vec<Upload>>;

    // ---- document bundles (文書の一括取込) ----
    /// Writes one document bundle: the source file, the new documents with their bytes, the
    /// attachment events of the matched ones and the assignments of waiting ones; all or nothing.
    /// A document whose SHA-256 the company holds already is a conflict.
    async fn insert_documents(&self, write: &DocumentWrite) -> Result<()>;
    /// The company's stored documents with these SHA-256 hashes (no bytes).
    async fn documents_by_sha256(&self, company: CompanyId, sha256: &[String]) -> Result<Vec<DocumentMeta>>;
    /// The company's documents waiting for a worker (未割当), oldest first (no bytes).
    async fn unassigned_documents(&self, company: CompanyId) -> Result<Vec<DocumentMeta>>;
    /// Gives a waiting document to a worker and writes its attachment event, in one transaction;
    /// a document that is not waiting (unknown, or assigned already) is refused.
    async fn assign_document(&self, company: CompanyId, assignment: &DocumentAssignment) -> Result<DocumentMeta>;
    /// One document with its bytes (download).
    async fn document(&self, company: CompanyId, id: uuid::Uuid) -> Result<Option<StoredDocument>>;
    /// A worker's documents in a company, by date then id (no bytes).
    async fn documents_of_person(&self, company: CompanyId, person: PersonId) -> Result<Vec<DocumentMeta>>;

    // ---- imports written in parts (large files) ----
    /// Opens the write transaction of one import that is written in parts: every
    /// [`ImportTransaction::write`] adds to it and nothing is visible to others until
    /// [`ImportTransaction::commit`]; dropped without a commit (an error, a refusal), none of it
    /// is written. [`Store::apply_import`] is the same for a write of one part. On SQLite the
    /// transaction holds the database's write lock until it ends.
    async fn begin_import(&self) -> Result<Box<dyn ImportTransaction>>;
}

/// One import's open write transaction (see [`Store::begin_import`]).
#[async_trait]
pub trait ImportTransaction: Send {
    /// The events of `kind` of these (person, date) keys and their observations, as this
    /// transaction sees them (its own parts included).
    async fn events_on(
        &mut self,
        company: CompanyId,
        kind: iphr_domain::event::EventKind,
        keys: &[(PersonId, NaiveDate)],
    ) -> Result<(Vec<Event>, Vec<Observation>)>;
    /// Writes one part: exactly what [`Store::apply_import`] writes for it. A part may hold
    /// the source file or not; parts are written in order.
    async fn write(&mut self, part: &ImportWrite) -> Result<()>;
    /// Commits every part.
    async fn commit(self: Box<Self>) -> Result<()>;
}
