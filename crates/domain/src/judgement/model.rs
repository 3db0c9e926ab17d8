//! The rule tables' rows and what judging a checkup produces.

use super::*;

/// 診断区分 (日本人間ドック・予防医療学会): A 異常なし … E 治療中; D1/D2 where an edition or a company keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 異常なし.
    A,
    /// 軽度異常.
    B,
    /// 要再検査・生活改善.
    C,
    /// 要精密検査・治療.
    D,
    /// 要治療 (legacy split of D).
    D1,
    /// 要精密検査 (legacy split of D).
    D2,
    /// 治療中.
    E,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 7] =
        [Category::A, Category::B, Category::C, Category::D, Category::D1, Category::D2, Category::E];
    /// The letter(s).
    pub fn as_str(&self) -> &'static str {
        match self {
            Category::A => "A",
            Category::B => "B",
            Category::C => "C",
            Category::D => "D",
            Category::D1 => "D1",
            Category::D2 => "D2",
            Category::E => "E",
        }
    }
    /// From the letter(s); `C3`, `C6`, `C12` (the re-test interval in months) read as C.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix('C')
            && !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_digit())
        {
            return Some(Category::C);
        }
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
    /// Japanese label (the society's 2022-04 revision onward).
    pub fn label_ja(&self) -> &'static str {
        match self {
            Category::A => "異常なし",
            Category::B => "軽度異常",
            Category::C => "要再検査・生活改善",
            Category::D => "要精密検査・治療",
            Category::D1 => "要治療",
            Category::D2 => "要精密検査",
            Category::E => "治療中",
        }
    }
    /// English label.
    pub fn label_en(&self) -> &'static str {
        match self {
            Category::A => "No abnormality",
            Category::B => "Slight abnormality",
            Category::C => "Retest / lifestyle improvement",
            Category::D => "Further examination or treatment",
            Category::D1 => "Treatment needed",
            Category::D2 => "Further examination needed",
            Category::E => "Under treatment",
        }
    }
    /// Severity for the value-based categories (E has none of its own: see [`ERanking`]).
    pub fn severity(&self) -> u8 {
        match self {
            Category::A => 0,
            Category::B => 1,
            Category::C => 2,
            Category::D2 | Category::D => 3,
            Category::D1 => 4,
            Category::E => 5,
        }
    }
    /// The D family (D, D1, D2).
    pub fn is_d(&self) -> bool {
        matches!(self, Category::D | Category::D1 | Category::D2)
    }
    /// D1/D2 reported as D unless the company keeps them apart.
    pub(super) fn merged(self, d_split: bool) -> Self {
        if !d_split && self.is_d() { Category::D } else { self }
    }
    pub(super) fn worst(a: Self, b: Self) -> Self {
        if b.severity() > a.severity() { b } else { a }
    }
}

/// How far a rule row is verified (the `verified` column; docs/rules/judgement-corrections.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verified {
    /// Verified against two or more sources.
    Yes,
    /// Partly verified.
    Partial,
    /// Not verified.
    No,
}

impl Verified {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "yes" => Some(Verified::Yes),
            "partial" => Some(Verified::Partial),
            "no" => Some(Verified::No),
            _ => None,
        }
    }
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verified::Yes => "yes",
            Verified::Partial => "partial",
            Verified::No => "no",
        }
    }
}

/// How several readings of an analyte become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The first item of the list that has a value.
    First,
    /// The first item if present (e.g. the institution's mean), else the mean of the others.
    Mean,
}

/// One analyte: the OHCC items it reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analyte {
    /// Key (e.g. `SBP`).
    pub key: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
    /// OHCC items, in preference order.
    pub items: Vec<String>,
    /// How readings combine.
    pub reading: Reading,
    /// The questionnaire item whose answer `yes` makes it E (治療中).
    pub treated_by: Option<String>,
}

/// Which sex a band applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SexFilter {
    /// Both.
    All,
    /// Men.
    Male,
    /// Women.
    Female,
}

impl SexFilter {
    pub(super) fn matches(&self, sex: Sex) -> bool {
        match self {
            SexFilter::All => true,
            SexFilter::Male => sex == Sex::Male,
            SexFilter::Female => sex == Sex::Female,
        }
    }
}

/// One band of the 診断区分 table: `lower <= value <= upper` (or the listed codes) → category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// Analyte key.
    pub analyte: String,
    /// Sex.
    pub sex: SexFilter,
    /// Category.
    pub category: Category,
    /// Inclusive lower bound.
    pub lower: Option<f64>,
    /// Inclusive upper bound.
    pub upper: Option<f64>,
    /// Decimals of the bounds as written (the precision values are rounded to).
    pub decimals: u32,
    /// OHCC value codes (qualitative rows).
    pub codes: Vec<String>,
    /// First checkup date the row applies to.
    pub effective_from: NaiveDate,
    /// Last checkup date the row applies to.
    pub effective_to: Option<NaiveDate>,
    /// Unit of the bounds.
    pub unit: String,
    /// Verified flag.
    pub verified: Verified,
    /// Edition as published.
    pub edition: String,
    /// Sources.
    pub source: String,
}

impl Band {
    pub(super) fn in_force(&self, date: NaiveDate) -> bool {
        self.effective_from <= date && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// How a combined item is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CombineMethod {
    /// The worse of the members.
    Worst,
    /// D only when every member is D; otherwise the worst, capped at C.
    DiabeticPair,
    /// The member's category, raised to D when it and the modifier are both at or above a grade.
    Escalate,
}

/// A combined item (blood pressure, glucose, urine protein with occult blood).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Combination {
    /// Key of the combined item.
    pub group: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
    /// Analytes it replaces in the overall.
    pub members: Vec<String>,
    /// Analytes that modify it without being replaced.
    pub modifiers: Vec<String>,
    /// Method.
    pub method: CombineMethod,
    /// Parameter (the grade code for `escalate`).
    pub param: String,
    /// Source.
    pub source: String,
}

/// Urgent tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UrgentTier {
    /// 受診勧奨: recommend a doctor visit; tracked until a visit or treatment is recorded.
    Referral,
    /// 緊急連絡: reach the worker within the contact window.
    Panic,
}

impl UrgentTier {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            UrgentTier::Referral => "referral",
            UrgentTier::Panic => "panic",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "referral" => Some(UrgentTier::Referral),
            "panic" => Some(UrgentTier::Panic),
            _ => None,
        }
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            UrgentTier::Referral => "受診勧奨",
            UrgentTier::Panic => "緊急連絡",
        }
    }
}

/// One urgent-value row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UrgentRule {
    /// Tier.
    pub tier: UrgentTier,
    /// Analyte key.
    pub analyte: String,
    /// Unit of the limits.
    pub unit: String,
    /// Hit when value <= this.
    pub low_le: Option<f64>,
    /// Hit when value >= this.
    pub high_ge: Option<f64>,
    /// What to do.
    pub action_ja: String,
    /// Verified flag.
    pub verified: Verified,
    /// Source.
    pub source: String,
}

/// How E (治療中) ranks in the overall (a setting: no society source says; judgement-corrections §21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ERanking {
    /// E items reported apart, the overall from the rest, poorly controlled E flagged (default).
    Apart,
    /// E ranks above D.
    AboveD,
    /// Treated items judged by their values.
    ByValue,
}

/// Settings of the post-checkup rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    /// Months from the checkup date to the physician's opinion (安衛則51条の2第1項).
    pub opinion_months: u32,
    /// Months from the submission of a 自発的健診 result (安衛則51条の2第2項).
    pub self_initiated_opinion_months: u32,
    /// Days before a 要精検 without follow-up is flagged.
    pub followup_days: u32,
    /// Hours to reach a worker with a panic value.
    pub panic_contact_hours: u32,
    /// Months to claim the 二次健康診断等給付.
    pub niji_claim_months: u32,
    /// How E ranks.
    pub e_ranking: ERanking,
    /// D1/D2 kept apart.
    pub d_split: bool,
    /// The company's sector profile of the long-hours rules (a profile of the overtime table:
    /// general, construction, driver, doctor_a — 労基法139〜141条).
    pub overtime_profile: String,
    /// 作業環境測定 results from this 管理区分 (1–3) are shown on the dashboard.
    pub work_env_class_from: u32,
    /// Risk-assessment results from this リスクレベル (see [`RISK_LEVELS`]) are shown.
    pub work_env_risk_from: String,
    /// Special checkups due within this many days are "due soon".
    pub special_due_soon_days: u32,
    /// 有所見 for the coverage rates: an overall 判定区分 at or above this letter (no national
    /// definition; the company's 取扱い decides).
    pub finding_from: String,
    /// Months between the physician's workplace patrols (安衛則15条: monthly; every two months
    /// where the employer gives the physician the prescribed information every month).
    pub patrol_interval_months: u32,
}

/// CREATE-SIMPLE リスクレベル, lowest first (安衛法57条の3 risk assessment).
pub const RISK_LEVELS: [&str; 5] = ["I", "II-A", "II-B", "III", "IV"];

/// The rank of a リスクレベル in [`RISK_LEVELS`].
pub fn risk_rank(level: &str) -> Option<usize> {
    RISK_LEVELS.iter().position(|l| *l == level.trim())
}

/// One row of the guidance table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GuidanceRow {
    /// The proposed 指導区分.
    pub guidance: GuidanceLevel,
    /// The proposed 就業区分 candidate.
    pub work_candidate: WorkCategory,
}

/// One datum of a checkup as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// OHCC item code (10 characters).
    pub item: String,
    /// The value.
    pub value: Value,
    /// The comparator delivered with a number (`<5`).
    pub comparator: Option<Comparator>,
    /// The producer's H/L mark.
    pub flag: Option<RangeFlag>,
}

/// A checkup to judge.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckupFacts<'a> {
    /// Checkup date.
    pub date: NaiveDate,
    /// Kind of checkup.
    pub kind: Option<CheckupKind>,
    /// Date a worker submitted a 自発的健診 result (安衛則51条の2第2項).
    pub submitted_on: Option<NaiveDate>,
    /// Sex of the examinee.
    pub sex: Sex,
    /// Birth date of the examinee.
    pub birth_date: NaiveDate,
    /// The data.
    pub facts: &'a [Fact],
}

/// The result for one analyte or combined item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    /// Analyte or group key.
    pub key: String,
    /// Japanese label.
    pub label_ja: String,
    /// The value as judged (number in the rule's unit, or the code), for display.
    pub value: String,
    /// Unit of the value.
    pub unit: String,
    /// The category from the value (None when not judged).
    pub value_category: Option<Category>,
    /// The reported category (E when treated, unless judged by value).
    pub category: Option<Category>,
    /// Under treatment (questionnaire).
    pub treated: bool,
    /// Treated but the value is C or worse.
    pub poorly_controlled: bool,
    /// Why not judged.
    pub not_judged: Option<String>,
    /// Least verified rule row used.
    pub verified: Option<Verified>,
    /// Edition of the rule row used.
    pub edition: String,
    /// Source of the rule row used.
    pub source: String,
    /// The combined item this analyte is part of (then it does not count on its own).
    pub part_of: Option<String>,
}

/// An urgent value hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UrgentHit {
    /// Tier.
    pub tier: UrgentTier,
    /// Analyte key.
    pub analyte: String,
    /// Japanese label.
    pub label_ja: String,
    /// The value and unit.
    pub value: String,
    /// The limit hit, e.g. `>=160 mmHg`.
    pub limit: String,
    /// What to do.
    pub action_ja: String,
    /// Verified flag of the row.
    pub verified: Verified,
}

/// 特定保健指導 level (第4期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stratification {
    /// 積極的支援.
    Active,
    /// 動機付け支援.
    Motivational,
    /// 情報提供.
    Information,
    /// On medication for hypertension, dyslipidaemia or diabetes: not eligible.
    ExcludedMedication,
    /// Data missing (waist or BMI, or every risk item).
    Incomplete,
}

impl Stratification {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Stratification::Active => "active",
            Stratification::Motivational => "motivational",
            Stratification::Information => "information",
            Stratification::ExcludedMedication => "excluded_medication",
            Stratification::Incomplete => "incomplete",
        }
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Stratification::Active => "積極的支援",
            Stratification::Motivational => "動機付け支援",
            Stratification::Information => "情報提供",
            Stratification::ExcludedMedication => "対象外(服薬中)",
            Stratification::Incomplete => "判定不能(データ不足)",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Stratification::Active,
            Stratification::Motivational,
            Stratification::Information,
            Stratification::ExcludedMedication,
            Stratification::Incomplete,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Everything the rules say about one checkup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckupJudgement {
    /// Per analyte and combined item.
    pub items: Vec<ItemResult>,
    /// Overall 診断区分 (worst item; E per the ranking setting).
    pub overall: Option<Category>,
    /// Some item is E (治療中).
    pub has_treated: bool,
    /// Some E item is poorly controlled (for the physician).
    pub poorly_controlled: bool,
    /// Some rule row used is not verified.
    pub uses_unverified: bool,
    /// The institution's own overall, as delivered.
    pub institution_overall: Option<String>,
    /// The institution's overall differs from iphr's.
    pub differs_from_institution: bool,
    /// Urgent hits.
    pub urgent: Vec<UrgentHit>,
    /// Highest urgent tier.
    pub urgent_tier: Option<UrgentTier>,
    /// Proposed 指導区分.
    pub guidance: Option<GuidanceLevel>,
    /// Proposed 就業区分 (only a physician decides).
    pub work_candidate: Option<WorkCategory>,
    /// The physician's opinion is due by (statutory checkups).
    pub opinion_due: Option<NaiveDate>,
    /// 要精検 (a D item): a follow-up result is expected by.
    pub followup_due: Option<NaiveDate>,
    /// 二次健康診断等給付 candidate.
    pub niji_candidate: bool,
    /// Claim window end.
    pub niji_claim_until: Option<NaiveDate>,
    /// 特定保健指導 level (ages 40–74).
    pub stratification: Option<Stratification>,
    /// Rule table version.
    pub rules_version: String,
}

impl CheckupJudgement {
    /// The judgement without the labels, editions and sources of its items (what is stored:
    /// [`Rules::describe`] restores them for display from the rule tables).
    pub fn compact(&self) -> Self {
        let mut c = self.clone();
        for i in &mut c.items {
            i.label_ja.clear();
            i.edition.clear();
            i.source.clear();
        }
        c
    }
}
