//! One timeline of events: every record of the iPHR is an event on the person's timeline
//! (checkups, stress checks, attendance months, interviews, opinions, patrols, decisions,
//! treatment and medication, attachments, consents).

use crate::info_class::InfoClass;
use crate::ohcc::Producer;
use crate::{CompanyId, DepartmentId, EmploymentId, EventId, PersonId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of a timeline event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// 健康診断 (see [`CheckupKind`]).
    Checkup,
    /// ストレスチェック (安衛法66条の10).
    StressCheck,
    /// One month of attendance (勤怠).
    AttendanceMonth,
    /// 面接指導・面談 (long hours 66条の8, high stress 66条の10, health consultation).
    Interview,
    /// 医師の意見 (安衛法66条の4 post-checkup, 66条の8 after interviews).
    Opinion,
    /// 職場巡視 (安衛則15条).
    WorkplacePatrol,
    /// 就業上の措置の決定 (the employer's decision, 安衛法66条の5).
    EmploymentDecision,
    /// Treatment (治療) of a condition.
    Treatment,
    /// Medication.
    Medication,
    /// An attached document (scan, PDF, letter).
    Attachment,
    /// A consent given or revoked by the person.
    Consent,
    /// 作業環境測定 (安衛法65条; 管理区分 第1–第3, 作業環境評価基準) or a chemical risk assessment
    /// (安衛法57条の3, e.g. CREATE-SIMPLE) of a unit workplace: a department's event, on the
    /// timelines of those assigned there at the time.
    WorkEnvironment,
    /// 産業医の訪問 — a physician's visit to a company (date, hours, what was done): the company's
    /// event, on no worker's timeline; the 産業医活動記録 reads it.
    Visit,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 13] = [
        EventKind::Checkup,
        EventKind::StressCheck,
        EventKind::AttendanceMonth,
        EventKind::Interview,
        EventKind::Opinion,
        EventKind::WorkplacePatrol,
        EventKind::EmploymentDecision,
        EventKind::Treatment,
        EventKind::Medication,
        EventKind::Attachment,
        EventKind::Consent,
        EventKind::WorkEnvironment,
        EventKind::Visit,
    ];

    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            EventKind::Checkup => "checkup",
            EventKind::StressCheck => "stress_check",
            EventKind::AttendanceMonth => "attendance_month",
            EventKind::Interview => "interview",
            EventKind::Opinion => "opinion",
            EventKind::WorkplacePatrol => "workplace_patrol",
            EventKind::EmploymentDecision => "employment_decision",
            EventKind::Treatment => "treatment",
            EventKind::Medication => "medication",
            EventKind::Attachment => "attachment",
            EventKind::Consent => "consent",
            EventKind::WorkEnvironment => "work_environment",
            EventKind::Visit => "visit",
        }
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            EventKind::Checkup => "健康診断",
            EventKind::StressCheck => "ストレスチェック",
            EventKind::AttendanceMonth => "勤怠(月)",
            EventKind::Interview => "面接指導・面談",
            EventKind::Opinion => "医師の意見",
            EventKind::WorkplacePatrol => "職場巡視",
            EventKind::EmploymentDecision => "就業上の措置",
            EventKind::Treatment => "治療",
            EventKind::Medication => "服薬",
            EventKind::Attachment => "添付文書",
            EventKind::Consent => "同意",
            EventKind::WorkEnvironment => "作業環境測定・リスクアセスメント",
            EventKind::Visit => "産業医の訪問",
        }
    }

    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            EventKind::Checkup => "Checkup",
            EventKind::StressCheck => "Stress check",
            EventKind::AttendanceMonth => "Attendance (month)",
            EventKind::Interview => "Interview",
            EventKind::Opinion => "Physician's opinion",
            EventKind::WorkplacePatrol => "Workplace patrol",
            EventKind::EmploymentDecision => "Employment measure",
            EventKind::Treatment => "Treatment",
            EventKind::Medication => "Medication",
            EventKind::Attachment => "Attachment",
            EventKind::Consent => "Consent",
            EventKind::WorkEnvironment => "Work environment",
            EventKind::Visit => "Physician's visit",
        }
    }

    /// The class of the fact that the event happened (its summary line on the timeline).
    ///
    /// 指針 class 1 covers whether a checkup was taken and whether an interview was applied
    /// for; opinions and measures are class 1 too. Whether a stress check was answered is
    /// known to the employer (it recommends answering), the result is not.
    pub fn summary_class(&self) -> InfoClass {
        match self {
            EventKind::Checkup
            | EventKind::StressCheck
            | EventKind::Interview
            | EventKind::Opinion
            | EventKind::WorkplacePatrol
            | EventKind::EmploymentDecision
            | EventKind::Consent
            | EventKind::Visit => InfoClass::Class1,
            EventKind::AttendanceMonth | EventKind::WorkEnvironment => InfoClass::Work,
            EventKind::Treatment | EventKind::Medication | EventKind::Attachment => InfoClass::Class3,
        }
    }

    /// The class of the event's content (values, notes) when the event does not say otherwise.
    pub fn default_content_class(&self) -> InfoClass {
        match self {
            EventKind::Checkup | EventKind::Interview => InfoClass::Class2,
            EventKind::StressCheck => InfoClass::Stress,
            EventKind::AttendanceMonth | EventKind::WorkEnvironment => InfoClass::Work,
            EventKind::Opinion
            | EventKind::EmploymentDecision
            | EventKind::WorkplacePatrol
            | EventKind::Consent
            | EventKind::Visit => InfoClass::Class1,
            EventKind::Treatment | EventKind::Medication | EventKind::Attachment => InfoClass::Class3,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event kind name that is unknown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event kind {0:?}")]
pub struct UnknownEventKind(pub String);

impl FromStr for EventKind {
    type Err = UnknownEventKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownEventKind(s.to_string()))
    }
}

/// The kind of a checkup (the event's subkind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckupKind {
    /// 雇入時の健康診断 (安衛則43条).
    Hire,
    /// 定期健康診断 (安衛則44条).
    Periodic,
    /// 特定業務従事者の健康診断 (安衛則45条), e.g. night workers every 6 months.
    SpecificWork,
    /// 特殊健康診断 (有機則29条, 鉛則53条, 特化則39条 …).
    Special,
    /// 人間ドック.
    Dock,
    /// 特定健康診査 (高齢者医療確保法20条).
    Tokutei,
    /// がん検診.
    Cancer,
    /// 自発的健康診断 — a night worker's own checkup, submitted to the employer (安衛法66条の2,
    /// 安衛則50条の2); the opinion is due within 2 months of the submission (安衛則51条の2第2項).
    SelfInitiated,
}

impl CheckupKind {
    /// Every kind.
    pub const ALL: [CheckupKind; 8] = [
        CheckupKind::Hire,
        CheckupKind::Periodic,
        CheckupKind::SpecificWork,
        CheckupKind::Special,
        CheckupKind::Dock,
        CheckupKind::Tokutei,
        CheckupKind::Cancer,
        CheckupKind::SelfInitiated,
    ];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            CheckupKind::Hire => "hire",
            CheckupKind::Periodic => "periodic",
            CheckupKind::SpecificWork => "specific_work",
            CheckupKind::Special => "special",
            CheckupKind::Dock => "dock",
            CheckupKind::Tokutei => "tokutei",
            CheckupKind::Cancer => "cancer",
            CheckupKind::SelfInitiated => "self_initiated",
        }
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            CheckupKind::Hire => "雇入時健康診断",
            CheckupKind::Periodic => "定期健康診断",
            CheckupKind::SpecificWork => "特定業務従事者健康診断",
            CheckupKind::Special => "特殊健康診断",
            CheckupKind::Dock => "人間ドック",
            CheckupKind::Tokutei => "特定健康診査",
            CheckupKind::Cancer => "がん検診",
            CheckupKind::SelfInitiated => "自発的健康診断",
        }
    }
    /// A checkup the employer must hear the physician's opinion on (安衛法66条の4: 66条1項〜4項 and
    /// 66条の2 checkups).
    pub fn is_statutory(&self) -> bool {
        matches!(
            self,
            CheckupKind::Hire
                | CheckupKind::Periodic
                | CheckupKind::SpecificWork
                | CheckupKind::Special
                | CheckupKind::SelfInitiated
        )
    }
    /// A 一次健康診断 for the 二次健康診断等給付 (労災保険法26条: 定期健康診断等, i.e. 安衛則43条, 44条,
    /// 45条 checkups).
    pub fn is_primary_for_niji(&self) -> bool {
        matches!(self, CheckupKind::Hire | CheckupKind::Periodic | CheckupKind::SpecificWork)
    }
    /// Parses the text form.
    pub fn parse(s: &str) -> Option<Self> {
        CheckupKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An event on a person's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Company (tenant).
    pub company_id: CompanyId,
    /// Id.
    pub id: EventId,
    /// The person (absent for workplace-level events such as a patrol).
    pub person_id: Option<PersonId>,
    /// The employment.
    pub employment_id: Option<EmploymentId>,
    /// The department (for workplace-level events such as a patrol).
    pub department_id: Option<DepartmentId>,
    /// Kind.
    pub kind: EventKind,
    /// Subkind (e.g. the checkup kind, the interview reason).
    pub subkind: Option<String>,
    /// Date of the event.
    pub event_date: NaiveDate,
    /// A one-line title.
    pub title: String,
    /// Class of the event's content (values, notes).
    pub content_class: InfoClass,
    /// Who produced it.
    pub producer: Producer,
    /// Structured details (kind-specific; never health values of a higher class than
    /// `content_class`).
    pub detail: serde_json::Value,
    /// Source document reference.
    pub source_doc: Option<String>,
}
