//! Record types of the post-checkup flow (事後措置): judgements, workflow steps, dashboard
//! sections and per-company rule tables.

use crate::*;
use async_trait::async_trait;

use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::judgement::{CheckupJudgement, Fact};
use iphr_domain::person::Sex;
use iphr_domain::postcheckup::{Step, WorkCategory};
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId};
use serde::Serialize;

/// A checkup as the rules need it: the event, the examinee's sex and birth date, and the data
/// the rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckupToJudge {
    /// The checkup event.
    pub event_id: EventId,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// Checkup date.
    pub date: NaiveDate,
    /// Checkup kind (event subkind).
    pub kind: Option<String>,
    /// The event's details (e.g. `submitted_on` of a 自発的健診).
    pub detail: serde_json::Value,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// The data.
    pub facts: Vec<Fact>,
}

/// An opinion already on the timeline (e.g. imported or from the demo) that a judgement links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorOpinion {
    /// The person.
    pub person_id: PersonId,
    /// The checkup date it is about.
    pub checkup_date: NaiveDate,
    /// Date of the opinion.
    pub date: NaiveDate,
    /// 就業区分.
    pub category: WorkCategory,
    /// Measures as written.
    pub measures: Vec<String>,
}

/// One judgement to store.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgementWrite {
    /// The checkup event.
    pub event_id: EventId,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// Checkup date.
    pub checkup_date: NaiveDate,
    /// Checkup kind.
    pub checkup_kind: Option<String>,
    /// What the rules say.
    pub result: CheckupJudgement,
    /// An opinion on the timeline for this checkup, linked when no opinion step exists yet.
    pub prior_opinion: Option<PriorOpinion>,
}

/// What storing judgements did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JudgeSummary {
    /// Checkups judged.
    pub judged: u64,
    /// Judged for the first time.
    pub new: u64,
    /// The result changed (rules, overrides or data changed).
    pub changed: u64,
    /// Same result as stored.
    pub unchanged: u64,
}

/// A stored judgement with its workflow state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgementRecord {
    /// Company.
    pub company_id: CompanyId,
    /// The checkup event.
    pub event_id: EventId,
    /// The person.
    pub person_id: PersonId,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// 社員番号.
    pub employee_number: Option<String>,
    /// Name.
    pub name: String,
    /// Checkup date.
    pub checkup_date: NaiveDate,
    /// Checkup kind.
    pub checkup_kind: Option<String>,
    /// The person's latest judged checkup of its group: general (雇入時, 定期, 特定業務 …) or special
    /// (特殊健診) — each needs its own opinion.
    pub latest: bool,
    /// What the rules say (items, overall, urgent hits, proposals, deadlines).
    pub result: CheckupJudgement,
    /// When the urgent value was first found.
    pub urgent_detected_at: Option<DateTime<Utc>>,
    /// When the urgent value was closed (worker reached / visit recorded).
    pub urgent_closed_at: Option<DateTime<Utc>>,
    /// When the 要精検 follow-up was closed.
    pub followup_closed_at: Option<DateTime<Utc>>,
    /// When judged.
    pub judged_at: DateTime<Utc>,
    /// Stage.
    pub stage: String,
    /// Confirmed 指導区分.
    pub guidance: Option<String>,
    /// 就業区分 decided.
    pub work_category: Option<WorkCategory>,
    /// Measures decided (codes or text).
    pub measures: Vec<String>,
    /// Measure valid until.
    pub valid_until: Option<NaiveDate>,
    /// Review date.
    pub review_on: Option<NaiveDate>,
    /// When the opinion was recorded.
    pub opinion_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub opinion_by: Option<String>,
    /// When HR acknowledged.
    pub hr_ack_at: Option<DateTime<Utc>>,
    /// When the follow-up was closed.
    pub closed_at: Option<DateTime<Utc>>,
}

/// One stored step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepRecord {
    /// Id (UUIDv7).
    pub id: uuid::Uuid,
    /// The checkup.
    pub event_id: EventId,
    /// The step.
    pub step: Step,
    /// Who.
    pub by_login: String,
    /// Their role.
    pub by_role: Role,
    /// When.
    pub at: DateTime<Utc>,
}

/// A step to append.
#[derive(Debug, Clone, PartialEq)]
pub struct StepWrite {
    /// Company.
    pub company_id: CompanyId,
    /// The checkup.
    pub event_id: EventId,
    /// The step.
    pub step: Step,
    /// Who.
    pub by_login: String,
    /// Their role.
    pub by_role: Role,
    /// When.
    pub at: DateTime<Utc>,
    /// Timeline records written with the step, in its transaction (the opinion, treatment
    /// statuses, the employer's decision: `iphr_domain::postcheckup::step_events`).
    pub records: Vec<iphr_domain::event::Event>,
}

/// A dashboard section (the physician's order: panic first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// 緊急連絡: panic values not yet closed.
    Panic,
    /// 受診勧奨: referrals without a visit or treatment recorded.
    Referral,
    /// Opinions due, soonest first.
    OpinionDue,
    /// 要精検 without a follow-up result after the set days.
    Followup,
    /// 二次健診 candidates within the claim window.
    Niji,
    /// 特定保健指導: 積極的支援 and 動機付け支援.
    Stratification,
    /// Measures decided, not yet acknowledged by HR (restrictions, consideration, leave).
    HrPending,
}

impl Section {
    /// Every section, in dashboard order.
    pub const ALL: [Section; 7] = [
        Section::Panic,
        Section::Referral,
        Section::OpinionDue,
        Section::Followup,
        Section::Niji,
        Section::Stratification,
        Section::HrPending,
    ];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Section::Panic => "panic",
            Section::Referral => "referral",
            Section::OpinionDue => "opinion_due",
            Section::Followup => "followup",
            Section::Niji => "niji",
            Section::Stratification => "stratification",
            Section::HrPending => "hr_pending",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Section::Panic => "緊急連絡",
            Section::Referral => "受診勧奨フォロー",
            Section::OpinionDue => "意見期限",
            Section::Followup => "要精検フォロー",
            Section::Niji => "二次健診候補",
            Section::Stratification => "特定保健指導 階層化",
            Section::HrPending => "人事未確認の措置",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            Section::Panic => "Panic values",
            Section::Referral => "Referral follow-ups",
            Section::OpinionDue => "Opinions due",
            Section::Followup => "Further-examination follow-ups",
            Section::Niji => "Secondary checkup candidates",
            Section::Stratification => "Health-guidance stratification",
            Section::HrPending => "Measures awaiting HR",
        }
    }
}

/// Which judgements to list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgementFilter {
    /// Only each person's latest checkup.
    pub latest_only: bool,
    /// Only a dashboard section.
    pub section: Option<Section>,
    /// The day the deadlines are measured from.
    pub today: NaiveDate,
    /// Only checkups on or after.
    pub since: Option<NaiveDate>,
    /// At most this many rows.
    pub limit: Option<u32>,
}

/// Counts per section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DashboardCounts {
    /// Open panic values.
    pub panic: u64,
    /// Of which past the contact window.
    pub panic_overdue: u64,
    /// Open referrals.
    pub referral: u64,
    /// Opinions due.
    pub opinion_due: u64,
    /// Of which overdue.
    pub opinion_overdue: u64,
    /// 要精検 without follow-up.
    pub followup: u64,
    /// 二次健診 candidates.
    pub niji: u64,
    /// 積極的支援.
    pub strat_active: u64,
    /// 動機付け支援.
    pub strat_motivational: u64,
    /// 情報提供.
    pub strat_information: u64,
    /// Measures awaiting HR.
    pub hr_pending: u64,
    /// Checkups judged (latest per person).
    pub judged: u64,
}

/// Post-checkup measures (事後措置): judgements, the dashboard, the workflow steps.
#[async_trait]
pub trait PostcheckupStore: Send + Sync {
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
    /// [`Self::finish_judging`] after the last batch.
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
}
