//! Post-checkup measures (事後措置): the OH staff's 指導区分, the physician's 就業区分 with its
//! coded measures, treatment status, and the stages a checkup moves through.
//!
//! Sources: 安衛法66条の4〜66条の7; 健康診断結果に基づき事業者が講ずべき措置に関する指針 (the three legal
//! 就業区分 and the typical measures); the MHLW 面接指導結果報告書 sample (0–4 指導区分);
//! 人事院規則10-4's 指導区分; the full list in docs/sources.md.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// 指導区分 — the OH staff's guidance level, proposed from the judgement and confirmed by a nurse
/// or physician (no national scheme for private employers: the MHLW form's 0–4 and 人事院規則10-4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidanceLevel {
    /// 指導不要.
    None,
    /// 要保健指導.
    Health,
    /// 要医療指導.
    Medical,
}

impl GuidanceLevel {
    /// Every level.
    pub const ALL: [GuidanceLevel; 3] = [GuidanceLevel::None, GuidanceLevel::Health, GuidanceLevel::Medical];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            GuidanceLevel::None => "none",
            GuidanceLevel::Health => "health",
            GuidanceLevel::Medical => "medical",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            GuidanceLevel::None => "指導不要",
            GuidanceLevel::Health => "要保健指導",
            GuidanceLevel::Medical => "要医療指導",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            GuidanceLevel::None => "No guidance needed",
            GuidanceLevel::Health => "Health guidance",
            GuidanceLevel::Medical => "Medical guidance",
        }
    }
    /// The code on the MHLW 面接指導結果報告書 scale (0 措置不要, 1 要保健指導, 4 現病治療継続又は医療機関紹介).
    pub fn mhlw_code(&self) -> u8 {
        match self {
            GuidanceLevel::None => 0,
            GuidanceLevel::Health => 1,
            GuidanceLevel::Medical => 4,
        }
    }
}

/// The legal 就業区分 of the 指針 (健康診断結果に基づき事業者が講ずべき措置に関する指針): what reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LegalWorkCategory {
    /// 通常勤務.
    Normal,
    /// 就業制限.
    Restricted,
    /// 要休業.
    Leave,
}

impl LegalWorkCategory {
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            LegalWorkCategory::Normal => "通常勤務",
            LegalWorkCategory::Restricted => "就業制限",
            LegalWorkCategory::Leave => "要休業",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            LegalWorkCategory::Normal => "Normal work",
            LegalWorkCategory::Restricted => "Restricted work",
            LegalWorkCategory::Leave => "Leave",
        }
    }
}

/// 就業区分 — the physician's decision at the deck's finer levels, each inside one legal category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkCategory {
    /// 通常勤務可.
    Normal,
    /// 要配慮 (通常勤務 with consideration).
    Consideration,
    /// 要制限 (就業制限, with coded measures).
    Restriction,
    /// 要休業.
    Leave,
}

impl WorkCategory {
    /// Every level.
    pub const ALL: [WorkCategory; 4] =
        [WorkCategory::Normal, WorkCategory::Consideration, WorkCategory::Restriction, WorkCategory::Leave];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            WorkCategory::Normal => "normal",
            WorkCategory::Consideration => "consideration",
            WorkCategory::Restriction => "restriction",
            WorkCategory::Leave => "leave",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            WorkCategory::Normal => "通常勤務可",
            WorkCategory::Consideration => "要配慮",
            WorkCategory::Restriction => "要制限",
            WorkCategory::Leave => "要休業",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            WorkCategory::Normal => "Normal work",
            WorkCategory::Consideration => "Work with consideration",
            WorkCategory::Restriction => "Restricted work",
            WorkCategory::Leave => "Leave",
        }
    }
    /// The legal category it belongs to (要配慮 is 通常勤務 with consideration).
    pub fn legal(&self) -> LegalWorkCategory {
        match self {
            WorkCategory::Normal | WorkCategory::Consideration => LegalWorkCategory::Normal,
            WorkCategory::Restriction => LegalWorkCategory::Restricted,
            WorkCategory::Leave => LegalWorkCategory::Leave,
        }
    }
}

/// 就業上の措置 — the coded measures of a restriction (指針; MHLW 意見書 sample).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// 労働時間の短縮.
    ShorterHours,
    /// 時間外労働の制限.
    OvertimeLimit,
    /// 出張の制限.
    TravelLimit,
    /// 労働負荷の制限.
    WorkloadLimit,
    /// 作業の転換.
    WorkChange,
    /// 就業場所の変更.
    PlaceChange,
    /// 深夜業の回数の減少.
    FewerNightShifts,
    /// 昼間勤務への転換.
    DayShift,
}

impl Measure {
    /// Every measure, in the 指針's order.
    pub const ALL: [Measure; 8] = [
        Measure::ShorterHours,
        Measure::OvertimeLimit,
        Measure::TravelLimit,
        Measure::WorkloadLimit,
        Measure::WorkChange,
        Measure::PlaceChange,
        Measure::FewerNightShifts,
        Measure::DayShift,
    ];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Measure::ShorterHours => "shorter_hours",
            Measure::OvertimeLimit => "overtime_limit",
            Measure::TravelLimit => "travel_limit",
            Measure::WorkloadLimit => "workload_limit",
            Measure::WorkChange => "work_change",
            Measure::PlaceChange => "place_change",
            Measure::FewerNightShifts => "fewer_night_shifts",
            Measure::DayShift => "day_shift",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Measure::ShorterHours => "労働時間の短縮",
            Measure::OvertimeLimit => "時間外労働の制限",
            Measure::TravelLimit => "出張の制限",
            Measure::WorkloadLimit => "労働負荷の制限",
            Measure::WorkChange => "作業の転換",
            Measure::PlaceChange => "就業場所の変更",
            Measure::FewerNightShifts => "深夜業の回数の減少",
            Measure::DayShift => "昼間勤務への転換",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            Measure::ShorterHours => "Shorter working hours",
            Measure::OvertimeLimit => "Overtime limit",
            Measure::TravelLimit => "No business travel",
            Measure::WorkloadLimit => "Lighter workload",
            Measure::WorkChange => "Change of work",
            Measure::PlaceChange => "Change of workplace",
            Measure::FewerNightShifts => "Fewer night shifts",
            Measure::DayShift => "Day shifts only",
        }
    }
}

/// Treatment status of a condition (the deck: 未治療 / 治療中 / 治療終了 / 復職後), as the physician
/// records it from interviews, opinions and the attending physician's information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TreatmentStatus {
    /// 未治療.
    Untreated,
    /// 治療中.
    InTreatment,
    /// 治療終了.
    Finished,
    /// 復職後 (back at work after a leave for the condition; 職場復帰支援の手引き).
    AfterReturn,
}

impl TreatmentStatus {
    /// Every status.
    pub const ALL: [TreatmentStatus; 4] = [
        TreatmentStatus::Untreated,
        TreatmentStatus::InTreatment,
        TreatmentStatus::Finished,
        TreatmentStatus::AfterReturn,
    ];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            TreatmentStatus::Untreated => "untreated",
            TreatmentStatus::InTreatment => "in_treatment",
            TreatmentStatus::Finished => "finished",
            TreatmentStatus::AfterReturn => "after_return",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// From the stable text form or the Japanese label (records written before the code was
    /// stored carry the label).
    pub fn parse_any(s: &str) -> Option<Self> {
        Self::parse(s).or_else(|| Self::ALL.into_iter().find(|g| g.label_ja() == s))
    }
    /// Whether the condition is being treated now (治療中, or back at work after a leave).
    pub fn is_current(&self) -> bool {
        matches!(self, TreatmentStatus::InTreatment | TreatmentStatus::AfterReturn)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            TreatmentStatus::Untreated => "未治療",
            TreatmentStatus::InTreatment => "治療中",
            TreatmentStatus::Finished => "治療終了",
            TreatmentStatus::AfterReturn => "復職後",
        }
    }
}

/// Where a checkup stands in the post-checkup flow (安衛法による健診後の就業措置に至るフロー).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Imported, not yet judged.
    Imported,
    /// 診断区分 computed.
    Judged,
    /// 指導区分 confirmed.
    GuidanceSet,
    /// 就業区分 and the physician's opinion recorded.
    OpinionSet,
    /// HR acknowledged the measure.
    HrAcknowledged,
    /// Follow-up closed.
    Closed,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 6] =
        [Stage::Imported, Stage::Judged, Stage::GuidanceSet, Stage::OpinionSet, Stage::HrAcknowledged, Stage::Closed];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stage::Imported => "imported",
            Stage::Judged => "judged",
            Stage::GuidanceSet => "guidance_set",
            Stage::OpinionSet => "opinion_set",
            Stage::HrAcknowledged => "hr_acknowledged",
            Stage::Closed => "closed",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Stage::Imported => "取込済",
            Stage::Judged => "判定済",
            Stage::GuidanceSet => "指導区分設定済",
            Stage::OpinionSet => "意見・就業区分設定済",
            Stage::HrAcknowledged => "人事確認済",
            Stage::Closed => "フォロー完了",
        }
    }
}

/// The phase of a 特定保健指導 record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuidancePhase {
    /// 初回面接: the plan.
    Plan,
    /// 継続的支援: a session.
    Session,
    /// 実績評価: the outcome.
    Outcome,
}

impl GuidancePhase {
    /// Every phase.
    pub const ALL: [GuidancePhase; 3] = [GuidancePhase::Plan, GuidancePhase::Session, GuidancePhase::Outcome];
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            GuidancePhase::Plan => "plan",
            GuidancePhase::Session => "session",
            GuidancePhase::Outcome => "outcome",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == s)
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            GuidancePhase::Plan => "初回面接(計画)",
            GuidancePhase::Session => "継続的支援",
            GuidancePhase::Outcome => "実績評価",
        }
    }
}

/// A condition and its treatment status, as the physician records it with an opinion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionStatus {
    /// The condition (e.g. 高血圧症).
    pub condition: String,
    /// 未治療 / 治療中 / 復職後.
    pub status: TreatmentStatus,
}

/// The physician's decision on one checkup: 就業区分, measures, reasons, validity and review
/// (指針; 安衛則51条の2: the opinion is recorded on the 健康診断個人票).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opinion {
    /// 就業区分.
    pub category: WorkCategory,
    /// Coded measures (要制限).
    #[serde(default)]
    pub measures: Vec<Measure>,
    /// Further measures in free text.
    #[serde(default)]
    pub measures_text: String,
    /// Reasons.
    #[serde(default)]
    pub reasons: String,
    /// 医師の意見 as written on the 個人票.
    #[serde(default)]
    pub opinion: String,
    /// Valid until (措置期間).
    #[serde(default)]
    pub valid_until: Option<NaiveDate>,
    /// Review date.
    #[serde(default)]
    pub review_on: Option<NaiveDate>,
    /// Treatment status per condition.
    #[serde(default)]
    pub conditions: Vec<ConditionStatus>,
}

/// One step of the post-checkup flow; steps are appended, never changed (a correction is a new
/// step and the state shows the latest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// 指導区分 confirmed (nurse or physician).
    Guidance {
        /// Level.
        level: GuidanceLevel,
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// 就業区分 and the opinion (physician only).
    Opinion(Opinion),
    /// HR acknowledged the measure.
    HrAck {
        /// Note.
        #[serde(default)]
        note: String,
    },
    /// An attempt to reach a worker with an urgent value.
    UrgentContact {
        /// The worker was reached.
        reached: bool,
        /// What happened.
        outcome: String,
    },
    /// A 受診勧奨 closed: the worker saw a doctor (or treatment recorded).
    ReferralClosed {
        /// What was recorded.
        outcome: String,
    },
    /// 特定保健指導 (the deck's 保健指導ツール): the plan, each support session, and the outcome
    /// evaluation (標準的な健診・保健指導プログラム: 初回面接 → 継続的支援 → 実績評価).
    HealthGuidance {
        /// plan, session or outcome.
        phase: GuidancePhase,
        /// Date of the contact.
        date: NaiveDate,
        /// What was agreed or achieved (e.g. 腹囲2cm・体重2kg減).
        note: String,
    },
    /// The follow-up is closed (要精検 result received, or nothing further).
    FollowupClosed {
        /// Note.
        #[serde(default)]
        note: String,
    },
}

impl Step {
    /// Stable name of the step kind.
    pub fn name(&self) -> &'static str {
        match self {
            Step::Guidance { .. } => "guidance",
            Step::Opinion(_) => "opinion",
            Step::HrAck { .. } => "hr_ack",
            Step::UrgentContact { .. } => "urgent_contact",
            Step::ReferralClosed { .. } => "referral_closed",
            Step::HealthGuidance { .. } => "health_guidance",
            Step::FollowupClosed { .. } => "followup_closed",
        }
    }
    /// The stage a checkup reaches with this step (never lower than where it is).
    pub fn stage(&self) -> Option<Stage> {
        match self {
            Step::Guidance { .. } => Some(Stage::GuidanceSet),
            Step::Opinion(_) => Some(Stage::OpinionSet),
            Step::HrAck { .. } => Some(Stage::HrAcknowledged),
            Step::FollowupClosed { .. } => Some(Stage::Closed),
            Step::UrgentContact { .. } | Step::ReferralClosed { .. } | Step::HealthGuidance { .. } => None,
        }
    }
    /// Who may record it: 就業区分 only a physician; 指導区分, contacts and closing by a physician
    /// or nurse; the acknowledgement by HR (or the health manager).
    pub fn allowed_for(&self, role: crate::role::Role) -> bool {
        use crate::role::Role;
        match self {
            Step::Opinion(_) => role == Role::Physician,
            Step::Guidance { .. }
            | Step::UrgentContact { .. }
            | Step::ReferralClosed { .. }
            | Step::HealthGuidance { .. }
            | Step::FollowupClosed { .. } => matches!(role, Role::Physician | Role::Nurse),
            Step::HrAck { .. } => matches!(role, Role::Hr | Role::HealthManager),
        }
    }
}

/// The checkup a step is recorded on, as the timeline records of the step need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSubject {
    /// Company.
    pub company_id: crate::CompanyId,
    /// The person.
    pub person_id: crate::PersonId,
    /// The employment.
    pub employment_id: Option<crate::EmploymentId>,
    /// The checkup event.
    pub checkup: crate::EventId,
    /// Its date.
    pub checkup_date: NaiveDate,
}

/// What a step puts on the worker's timeline beside the checkup's workflow state, dated `on`:
/// the physician's opinion (医師の意見, 安衛法66条の4; class 1: HR reads the 就業区分 and the
/// measures, not the reasons), each condition's treatment status from the opinion (治療状況,
/// class 3: OH staff only), and the employer's decision when HR acknowledges the opinion
/// (就業上の措置の決定, 安衛法66条の5; class 1). Other steps change only the workflow.
pub fn step_events(
    step: &Step,
    current: Option<&Opinion>,
    s: StepSubject,
    on: NaiveDate,
    by: &str,
) -> Vec<crate::event::Event> {
    use crate::event::{Event, EventKind};
    use crate::ohcc::Producer;
    let event = |kind: EventKind, title: String, producer: Producer, detail: serde_json::Value| Event {
        company_id: s.company_id,
        id: crate::EventId::new(),
        person_id: Some(s.person_id),
        employment_id: s.employment_id,
        department_id: None,
        kind,
        subkind: Some("post_checkup".into()),
        event_date: on,
        title,
        content_class: kind.default_content_class(),
        producer,
        detail,
        source_doc: Some(format!("checkup:{}", s.checkup)),
    };
    let measures = |o: &Opinion| {
        let mut m: Vec<String> = o.measures.iter().map(|m| m.label_ja().to_string()).collect();
        if !o.measures_text.trim().is_empty() {
            m.push(o.measures_text.trim().to_string());
        }
        m
    };
    match step {
        Step::Opinion(o) => {
            let mut out = vec![event(
                EventKind::Opinion,
                format!("健診結果に基づく医師の意見: {} ({})", o.category.label_ja(), o.category.legal().label_ja()),
                Producer::Physician,
                serde_json::json!({
                    "basis": "安衛法66条の4", "checkup": s.checkup, "checkup_date": s.checkup_date,
                    "category": o.category.label_ja(), "category_code": o.category.as_str(),
                    "legal": o.category.legal().label_ja(), "measures": measures(o),
                    "valid_until": o.valid_until, "review": o.review_on, "by": by,
                }),
            )];
            for c in &o.conditions {
                out.push(event(
                    EventKind::Treatment,
                    format!("治療状況: {} — {}", c.condition, c.status.label_ja()),
                    Producer::Physician,
                    serde_json::json!({
                        "condition": c.condition, "status": c.status.as_str(), "status_label": c.status.label_ja(),
                        "source": "健診結果に基づく医師の意見", "checkup": s.checkup, "by": by,
                    }),
                ));
            }
            out
        }
        Step::HrAck { note } => {
            let Some(o) = current else { return vec![] };
            let m = measures(o);
            let what = if m.is_empty() { o.category.label_ja().to_string() } else { m.join("・") };
            vec![event(
                EventKind::EmploymentDecision,
                format!("就業上の措置: {what}"),
                Producer::HrSystem,
                serde_json::json!({
                    "basis": "安衛法66条の5", "checkup": s.checkup, "checkup_date": s.checkup_date,
                    "category": o.category.label_ja(), "legal": o.category.legal().label_ja(), "measures": m,
                    "until": o.valid_until, "review": o.review_on, "note": note, "acknowledged_by": by,
                }),
            )]
        }
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finer_levels_sit_inside_the_three_legal_categories() {
        assert_eq!(WorkCategory::Normal.legal(), LegalWorkCategory::Normal);
        assert_eq!(WorkCategory::Consideration.legal(), LegalWorkCategory::Normal);
        assert_eq!(WorkCategory::Restriction.legal(), LegalWorkCategory::Restricted);
        assert_eq!(WorkCategory::Leave.legal(), LegalWorkCategory::Leave);
        assert_eq!(LegalWorkCategory::Restricted.label_ja(), "就業制限");
    }

    #[test]
    fn text_forms_round_trip() {
        for m in Measure::ALL {
            assert_eq!(Measure::parse(m.as_str()), Some(m));
        }
        for w in WorkCategory::ALL {
            assert_eq!(WorkCategory::parse(w.as_str()), Some(w));
        }
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        for t in TreatmentStatus::ALL {
            assert_eq!(TreatmentStatus::parse(t.as_str()), Some(t));
            assert_eq!(TreatmentStatus::parse_any(t.label_ja()), Some(t));
        }
        assert_eq!(TreatmentStatus::parse_any("治療終了"), Some(TreatmentStatus::Finished));
        assert_eq!(TreatmentStatus::parse_any("完治"), None);
        // The form staff record treatment with offers exactly these statuses.
        let offered: Vec<String> = crate::record_form::form("condition_status")
            .and_then(|f| f.field("status"))
            .map(|f| f.choices.iter().map(|c| c.0.clone()).collect())
            .unwrap_or_default();
        let ours: Vec<String> = TreatmentStatus::ALL.iter().map(|s| s.as_str().to_string()).collect();
        assert_eq!(offered, ours);
        for g in GuidanceLevel::ALL {
            assert_eq!(GuidanceLevel::parse(g.as_str()), Some(g));
        }
        assert_eq!(GuidanceLevel::Medical.mhlw_code(), 4);
        assert_eq!(Measure::parse("nope"), None);
    }

    #[test]
    fn only_a_physician_decides_the_work_category() {
        use crate::role::Role;
        let op = Step::Opinion(Opinion {
            category: WorkCategory::Restriction,
            measures: vec![Measure::OvertimeLimit],
            measures_text: String::new(),
            reasons: String::new(),
            opinion: String::new(),
            valid_until: None,
            review_on: None,
            conditions: vec![],
        });
        for (role, ok) in [
            (Role::Physician, true),
            (Role::Nurse, false),
            (Role::HealthManager, false),
            (Role::Hr, false),
            (Role::Worker, false),
            (Role::Admin, false),
        ] {
            assert_eq!(op.allowed_for(role), ok, "{role:?}");
        }
        let g = Step::Guidance { level: GuidanceLevel::Health, note: String::new() };
        assert!(g.allowed_for(Role::Nurse) && g.allowed_for(Role::Physician) && !g.allowed_for(Role::Hr));
        let ack = Step::HrAck { note: String::new() };
        assert!(ack.allowed_for(Role::Hr) && !ack.allowed_for(Role::Nurse));
        assert_eq!(op.stage(), Some(Stage::OpinionSet));
        let json = serde_json::to_string(&op).unwrap_or_default();
        assert!(json.contains("\"step\":\"opinion\""), "{json}");
    }

    /// Issue 11.17: the opinion, the treatment status and the employer's decision reach the
    /// timeline, each in its class.
    #[test]
    fn opinion_and_decision_on_the_timeline() {
        use crate::event::EventKind;
        use crate::info_class::InfoClass;
        let d = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
        let s = StepSubject {
            company_id: crate::CompanyId::new(),
            person_id: crate::PersonId::new(),
            employment_id: None,
            checkup: crate::EventId::new(),
            checkup_date: d,
        };
        let o = Opinion {
            category: WorkCategory::Restriction,
            measures: vec![Measure::OvertimeLimit],
            measures_text: "月20時間まで".into(),
            reasons: "血圧 180/110".into(),
            opinion: String::new(),
            valid_until: Some(d),
            review_on: None,
            conditions: vec![ConditionStatus {
                condition: "高血圧症".into(), status: TreatmentStatus::InTreatment
            }],
        };
        let ev = step_events(&Step::Opinion(o.clone()), None, s, d, "doctor");
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[0].kind, ev[0].content_class), (EventKind::Opinion, InfoClass::Class1));
        assert!(ev[0].title.contains("要制限"), "{}", ev[0].title);
        assert!(!ev[0].detail.to_string().contains("180/110"), "the reasons stay with OH staff");
        assert_eq!((ev[1].kind, ev[1].content_class), (EventKind::Treatment, InfoClass::Class3));
        assert_eq!(ev[1].title, "治療状況: 高血圧症 — 治療中");
        let ack = step_events(&Step::HrAck { note: String::new() }, Some(&o), s, d, "jinji");
        assert_eq!((ack.len(), ack[0].kind), (1, EventKind::EmploymentDecision));
        assert!(ack[0].title.contains("月20時間まで"), "{}", ack[0].title);
        assert!(step_events(&Step::HrAck { note: String::new() }, None, s, d, "jinji").is_empty());
        assert!(step_events(&Step::FollowupClosed { note: String::new() }, Some(&o), s, d, "x").is_empty());
    }
}
