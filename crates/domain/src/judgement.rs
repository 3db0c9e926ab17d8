//! 診断区分 and the other post-checkup rules, as data.
//!
//! - **診断区分** per item and overall from reference values — 日本人間ドック・予防医療学会 判定区分
//!   (`data/judgement-ningen-dock-v1.csv`, one row per band with the edition in force, its sources
//!   and a verified flag; analytes and their OHCC items in `data/judgement-analytes-v1.csv`;
//!   combined items in `data/judgement-combinations-v1.csv`).
//! - **Urgent values** in two tiers (`data/urgent-values-v1.csv`; to be reviewed by the physician).
//! - **指導区分** proposal and the 就業区分 candidate (`data/guidance-v1.csv`).
//! - **Deadlines** and settings (`data/postcheckup-settings-v1.csv`; 安衛則51条の2).
//! - **二次健康診断等給付** screen (`data/niji-screen-v1.csv`; 労災保険法26条).
//! - **特定保健指導 階層化** 第4期 (`data/tokutei-stratification-4th.csv`).
//!
//! Every table can be overridden per company with rows in the same format ([`Rules::with_override`]).
//! Sources: 日本人間ドック・予防医療学会「判定区分」(2016-04-01 PDF and the current table as quoted
//! 2024–2025); 標準的な健診・保健指導プログラム (令和6年度版); 安衛則51条の2; 労災保険法26条; the decisions
//! on conflicting or missing society values are in `docs/rules/judgement-corrections.md`
//! (判定区分の補正記録), the full list in `docs/sources.md`.

use crate::event::CheckupKind;
use crate::observation::{Comparator, RangeFlag, Value};
use crate::person::Sex;
use crate::postcheckup::{GuidanceLevel, WorkCategory};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const ANALYTES_CSV: &str = include_str!("../data/judgement-analytes-v1.csv");
const THRESHOLDS_CSV: &str = include_str!("../data/judgement-ningen-dock-v1.csv");
const COMBINATIONS_CSV: &str = include_str!("../data/judgement-combinations-v1.csv");
const URGENT_CSV: &str = include_str!("../data/urgent-values-v1.csv");
const SETTINGS_CSV: &str = include_str!("../data/postcheckup-settings-v1.csv");
const GUIDANCE_CSV: &str = include_str!("../data/guidance-v1.csv");
const NIJI_CSV: &str = include_str!("../data/niji-screen-v1.csv");
const STRAT_CSV: &str = include_str!("../data/tokutei-stratification-4th.csv");

/// The OHCC item of the institution's overall 診断区分 (総合判定).
pub const INSTITUTION_OVERALL_ITEM: &str = "Az0010000Z";
/// The OHCC item of the smoking question (特定健診 質問票).
pub const SMOKING_ITEM: &str = "Aa0070000Z";

/// The rule tables a company can override, by name.
pub const TABLE_NAMES: [&str; 9] =
    ["analytes", "thresholds", "combinations", "urgent", "settings", "guidance", "niji", "stratification", "overtime"];

/// The embedded text of a rule table (what `iphr rules show` prints and a company override copies).
pub fn embedded_table(name: &str) -> Option<&'static str> {
    Some(match name {
        "analytes" => ANALYTES_CSV,
        "thresholds" => THRESHOLDS_CSV,
        "combinations" => COMBINATIONS_CSV,
        "urgent" => URGENT_CSV,
        "settings" => SETTINGS_CSV,
        "guidance" => GUIDANCE_CSV,
        "niji" => NIJI_CSV,
        "stratification" => STRAT_CSV,
        "overtime" => crate::overtime::RULES_CSV,
        _ => return None,
    })
}

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
    fn merged(self, d_split: bool) -> Self {
        if !d_split && self.is_d() { Category::D } else { self }
    }
    fn worst(a: Self, b: Self) -> Self {
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
    fn parse(s: &str) -> Option<Self> {
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
    fn matches(&self, sex: Sex) -> bool {
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
    fn in_force(&self, date: NaiveDate) -> bool {
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

/// A problem in a rule table, naming the table, row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule table {table}, row {row}, field {field}: {reason}")]
pub struct RuleTableError {
    /// Table name.
    pub table: String,
    /// 1-based data row (0 = the table as a whole).
    pub row: usize,
    /// Field.
    pub field: String,
    /// Reason.
    pub reason: String,
}

fn terr(table: &str, row: usize, field: &str, reason: impl Into<String>) -> RuleTableError {
    RuleTableError { table: table.into(), row, field: field.into(), reason: reason.into() }
}

/// Converts a value between units for the rules (implemented by the conversion crate's unit table).
pub trait UnitConvert {
    /// `value` in `from` expressed in `to`, for the OHCC `item`; `None` when no conversion is known.
    fn convert(&self, item: &str, value: f64, from: &str, to: &str) -> Option<f64>;
}

/// Unit conversion that only accepts notation variants of the same unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotationOnly;

/// A unit spelled for comparison: `10^4/uL`, `10*4/uL` and `10^4/μL` are the same.
pub fn unit_key(u: &str) -> String {
    u.trim().replace('*', "^").replace(['μ', 'µ'], "u").replace(' ', "").to_lowercase()
}

impl UnitConvert for NotationOnly {
    fn convert(&self, _item: &str, value: f64, from: &str, to: &str) -> Option<f64> {
        if from == to {
            return Some(value);
        }
        (unit_key(from) == unit_key(to)).then_some(value)
    }
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

/// The rule tables (embedded, possibly with company overrides).
#[derive(Debug, Clone)]
pub struct Rules {
    /// Version label: the embedded editions plus `+company` when overridden.
    pub version: String,
    /// Analytes.
    pub analytes: Vec<Analyte>,
    /// Bands.
    pub bands: Vec<Band>,
    /// Combined items.
    pub combinations: Vec<Combination>,
    /// Urgent rows.
    pub urgent: Vec<UrgentRule>,
    /// Settings.
    pub settings: Settings,
    /// Guidance per category letter.
    pub guidance: BTreeMap<String, GuidanceRow>,
    /// 二次健診 screen.
    pub niji: BTreeMap<String, f64>,
    /// Stratification thresholds.
    pub strat: BTreeMap<String, f64>,
    /// The long-hours rules (面接指導 triggers and 36協定 caps) by sector profile.
    pub overtime: crate::overtime::OvertimeRules,
    texts: BTreeMap<String, String>,
    /// Per analyte (by position in `analytes`): its bands, the decimals of its bounds, its
    /// urgent rows.
    by_analyte: Vec<Vec<usize>>,
    decimals: Vec<u32>,
    urgent_of: Vec<Vec<usize>>,
}

type Row = BTreeMap<String, String>;

fn read_rows(table: &str, text: &str) -> Result<Vec<Row>, RuleTableError> {
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| terr(table, 0, "header", e.to_string()))?.clone();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| terr(table, i + 1, "row", e.to_string()))?;
        out.push(headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect());
    }
    Ok(out)
}

fn field<'a>(table: &str, i: usize, r: &'a Row, f: &str) -> Result<&'a str, RuleTableError> {
    r.get(f).map(String::as_str).ok_or_else(|| terr(table, i + 1, f, "missing column"))
}

fn opt_num(table: &str, i: usize, r: &Row, f: &str) -> Result<Option<(f64, u32)>, RuleTableError> {
    let s = field(table, i, r, f)?;
    if s.is_empty() {
        return Ok(None);
    }
    let v: f64 = s.parse().map_err(|_| terr(table, i + 1, f, format!("{s:?} is not a number")))?;
    let decimals = s.split_once('.').map_or(0, |(_, d)| d.len() as u32);
    Ok(Some((v, decimals)))
}

fn date(table: &str, i: usize, r: &Row, f: &str) -> Result<Option<NaiveDate>, RuleTableError> {
    let s = field(table, i, r, f)?;
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| terr(table, i + 1, f, format!("{s:?} is not a date (YYYY-MM-DD)")))
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn edition_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# edition:").map(|e| e.trim().to_string()))
}

fn parse_analytes(text: &str) -> Result<Vec<Analyte>, RuleTableError> {
    let t = "analytes";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let reading = match field(t, i, r, "reading")? {
                "first" => Reading::First,
                "mean" => Reading::Mean,
                other => return Err(terr(t, i + 1, "reading", format!("{other:?}: expected first or mean"))),
            };
            let items = words(field(t, i, r, "items")?);
            if items.is_empty() {
                return Err(terr(t, i + 1, "items", "no OHCC item"));
            }
            let treated = field(t, i, r, "treated_by")?;
            Ok(Analyte {
                key: field(t, i, r, "analyte")?.to_string(),
                label_ja: field(t, i, r, "label_ja")?.to_string(),
                label_en: field(t, i, r, "label_en")?.to_string(),
                items,
                reading,
                treated_by: (!treated.is_empty()).then(|| treated.to_string()),
            })
        })
        .collect()
}

fn parse_bands(text: &str) -> Result<Vec<Band>, RuleTableError> {
    let t = "thresholds";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let sex = match field(t, i, r, "sex")? {
                "all" => SexFilter::All,
                "M" => SexFilter::Male,
                "F" => SexFilter::Female,
                other => return Err(terr(t, i + 1, "sex", format!("{other:?}: expected all, M or F"))),
            };
            let cat = field(t, i, r, "category")?;
            let category = Category::parse(cat)
                .filter(|c| *c != Category::E)
                .ok_or_else(|| terr(t, i + 1, "category", format!("{cat:?}: expected A, B, C, D, D1 or D2")))?;
            let lower = opt_num(t, i, r, "lower")?;
            let upper = opt_num(t, i, r, "upper")?;
            let codes = words(field(t, i, r, "qualitative")?);
            if lower.is_none() && upper.is_none() && codes.is_empty() {
                return Err(terr(t, i + 1, "lower", "a band needs a bound or qualitative codes"));
            }
            let v = field(t, i, r, "verified")?;
            Ok(Band {
                analyte: field(t, i, r, "analyte")?.to_string(),
                sex,
                category,
                lower: lower.map(|x| x.0),
                upper: upper.map(|x| x.0),
                decimals: lower.map_or(0, |x| x.1).max(upper.map_or(0, |x| x.1)),
                codes,
                effective_from: date(t, i, r, "effective_from")?
                    .ok_or_else(|| terr(t, i + 1, "effective_from", "required"))?,
                effective_to: date(t, i, r, "effective_to")?,
                unit: field(t, i, r, "unit")?.to_string(),
                verified: Verified::parse(v)
                    .ok_or_else(|| terr(t, i + 1, "verified", format!("{v:?}: expected yes, partial or no")))?,
                edition: field(t, i, r, "edition")?.to_string(),
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_combinations(text: &str) -> Result<Vec<Combination>, RuleTableError> {
    let t = "combinations";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let method = match field(t, i, r, "method")? {
                "worst" => CombineMethod::Worst,
                "diabetic_pair" => CombineMethod::DiabeticPair,
                "escalate" => CombineMethod::Escalate,
                other => {
                    return Err(terr(
                        t,
                        i + 1,
                        "method",
                        format!("{other:?}: expected worst, diabetic_pair or escalate"),
                    ));
                }
            };
            Ok(Combination {
                group: field(t, i, r, "group")?.to_string(),
                label_ja: field(t, i, r, "label_ja")?.to_string(),
                label_en: field(t, i, r, "label_en")?.to_string(),
                members: words(field(t, i, r, "members")?),
                modifiers: words(field(t, i, r, "modifiers")?),
                method,
                param: field(t, i, r, "param")?.to_string(),
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_urgent(text: &str) -> Result<Vec<UrgentRule>, RuleTableError> {
    let t = "urgent";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let tier = field(t, i, r, "tier")?;
            let v = field(t, i, r, "verified")?;
            let low_le = opt_num(t, i, r, "low_le")?.map(|x| x.0);
            let high_ge = opt_num(t, i, r, "high_ge")?.map(|x| x.0);
            if low_le.is_none() && high_ge.is_none() {
                return Err(terr(t, i + 1, "high_ge", "a row needs low_le or high_ge"));
            }
            Ok(UrgentRule {
                tier: UrgentTier::parse(tier)
                    .ok_or_else(|| terr(t, i + 1, "tier", format!("{tier:?}: expected panic or referral")))?,
                analyte: field(t, i, r, "analyte")?.to_string(),
                unit: field(t, i, r, "unit")?.to_string(),
                low_le,
                high_ge,
                action_ja: field(t, i, r, "action_ja")?.to_string(),
                verified: Verified::parse(v)
                    .ok_or_else(|| terr(t, i + 1, "verified", format!("{v:?}: expected yes, partial or no")))?,
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_key_values(table: &str, text: &str) -> Result<BTreeMap<String, String>, RuleTableError> {
    read_rows(table, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| Ok((field(table, i, r, "key")?.to_string(), field(table, i, r, "value")?.to_string())))
        .collect()
}

fn numbers(table: &str, kv: &BTreeMap<String, String>) -> Result<BTreeMap<String, f64>, RuleTableError> {
    kv.iter()
        .map(|(k, v)| {
            v.parse::<f64>().map(|n| (k.clone(), n)).map_err(|_| terr(table, 0, k, format!("{v:?} is not a number")))
        })
        .collect()
}

fn parse_settings(text: &str) -> Result<Settings, RuleTableError> {
    let t = "settings";
    let kv = parse_key_values(t, text)?;
    let get = |k: &str| kv.get(k).map(String::as_str).ok_or_else(|| terr(t, 0, k, "missing key"));
    let num = |k: &str| -> Result<u32, RuleTableError> {
        let v = get(k)?;
        v.parse().map_err(|_| terr(t, 0, k, format!("{v:?} is not a whole number")))
    };
    Ok(Settings {
        opinion_months: num("opinion_months")?,
        self_initiated_opinion_months: num("self_initiated_opinion_months")?,
        followup_days: num("followup_days")?,
        panic_contact_hours: num("panic_contact_hours")?,
        niji_claim_months: num("niji_claim_months")?,
        e_ranking: match get("e_ranking")? {
            "apart" => ERanking::Apart,
            "above_d" => ERanking::AboveD,
            "by_value" => ERanking::ByValue,
            other => return Err(terr(t, 0, "e_ranking", format!("{other:?}: expected apart, above_d or by_value"))),
        },
        d_split: match get("d_split")? {
            "yes" => true,
            "no" => false,
            other => return Err(terr(t, 0, "d_split", format!("{other:?}: expected yes or no"))),
        },
        overtime_profile: get("overtime_profile")?.to_string(),
        work_env_class_from: match num("work_env_class_from")? {
            n @ 1..=3 => n,
            n => return Err(terr(t, 0, "work_env_class_from", format!("{n}: a 管理区分 is 1, 2 or 3"))),
        },
        work_env_risk_from: {
            let v = get("work_env_risk_from")?;
            if risk_rank(v).is_none() {
                return Err(terr(t, 0, "work_env_risk_from", format!("{v:?}: one of {}", RISK_LEVELS.join(", "))));
            }
            v.to_string()
        },
        special_due_soon_days: num("special_due_soon_days")?,
    })
}

fn parse_guidance(text: &str) -> Result<BTreeMap<String, GuidanceRow>, RuleTableError> {
    let t = "guidance";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let g = field(t, i, r, "guidance")?;
            let w = field(t, i, r, "work_candidate")?;
            Ok((
                field(t, i, r, "category")?.to_string(),
                GuidanceRow {
                    guidance: GuidanceLevel::parse(g).ok_or_else(|| {
                        terr(t, i + 1, "guidance", format!("{g:?}: expected none, health or medical"))
                    })?,
                    work_candidate: WorkCategory::parse(w).ok_or_else(|| {
                        terr(
                            t,
                            i + 1,
                            "work_candidate",
                            format!("{w:?}: expected normal, consideration, restriction or leave"),
                        )
                    })?,
                },
            ))
        })
        .collect()
}

/// Merges company rows into an embedded table: rows whose key equals a company row's key are
/// replaced, other embedded rows stay. The key is the given columns.
fn merge_rows(table: &str, base: &str, company: &str, key: &[&str]) -> Result<String, RuleTableError> {
    let base_rows = read_rows(table, base)?;
    let company_rows = read_rows(table, company)?;
    let header: Vec<String> = {
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(base.as_bytes());
        rdr.headers().map_err(|e| terr(table, 0, "header", e.to_string()))?.iter().map(str::to_string).collect()
    };
    let k = |r: &Row| key.iter().map(|c| r.get(*c).cloned().unwrap_or_default()).collect::<Vec<_>>();
    for (i, r) in company_rows.iter().enumerate() {
        for h in &header {
            if !r.contains_key(h) {
                return Err(terr(table, i + 1, h, "missing column in the company table"));
            }
        }
    }
    let replaced: std::collections::HashSet<Vec<String>> = company_rows.iter().map(k).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = |r: &Row| {
        w.write_record(header.iter().map(|h| r.get(h).map(String::as_str).unwrap_or("")))
            .map_err(|e| terr(table, 0, "row", e.to_string()))
    };
    write(&header.iter().map(|h| (h.clone(), h.clone())).collect())?;
    for r in base_rows.iter().filter(|r| !replaced.contains(&k(r))) {
        write(r)?;
    }
    for r in &company_rows {
        write(r)?;
    }
    let bytes = w.into_inner().map_err(|e| terr(table, 0, "row", e.to_string()))?;
    let mut out = format!("# edition: {}+company\n", edition_of(base).unwrap_or_default());
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok(out)
}

/// The columns that identify a row of each table when a company overrides it.
fn override_key(table: &str) -> &'static [&'static str] {
    match table {
        "analytes" => &["analyte"],
        // A company replaces every band of an analyte at once (all editions and sexes).
        "thresholds" => &["analyte"],
        "combinations" => &["group"],
        "urgent" => &["tier", "analyte"],
        "guidance" => &["category"],
        "overtime" => &["profile", "rule"],
        _ => &["key"],
    }
}

fn add_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

fn round_to(v: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (v * f).round() / f
}

/// A number with a fixed count of decimals (half away from zero), without the float formatter's
/// exact-digit machinery for the common small values.
fn fmt_num(v: f64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals.min(6));
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() > 1e15 {
        return format!("{v:.prec$}", prec = decimals as usize);
    }
    let n = scaled as i64;
    let (sign, n) = if n < 0 { ("-", -n) } else { ("", n) };
    if decimals == 0 {
        format!("{sign}{n}")
    } else {
        format!("{sign}{}.{:0width$}", n / scale, n % scale, width = decimals.min(6) as usize)
    }
}

/// A checkup's facts sorted by item for lookups (a checkup has about 40).
struct FactIndex<'a>(Vec<&'a Fact>);

impl<'a> FactIndex<'a> {
    fn new(facts: &'a [Fact]) -> Self {
        let mut v: Vec<&Fact> = facts.iter().collect();
        v.sort_by(|a, b| a.item.cmp(&b.item));
        Self(v)
    }
    /// The first fact of an item (in delivery order among equals: the sort is stable).
    fn get(&self, item: &str) -> Option<&'a Fact> {
        let i = self.0.partition_point(|f| f.item.as_str() < item);
        self.0.get(i).copied().filter(|f| f.item == item)
    }
    fn yes(&self, item: &str) -> bool {
        let i = self.0.partition_point(|f| f.item.as_str() < item);
        self.0
            .get(i..)
            .unwrap_or_default()
            .iter()
            .take_while(|f| f.item == item)
            .any(|f| matches!(&f.value, Value::Coded { code } if code == "yes"))
    }
}

/// A value an analyte read from the facts.
#[derive(Debug, Clone, PartialEq)]
enum Read<'a> {
    Number { value: f64, unit: &'a str, item: &'a str, comparator: Option<Comparator> },
    Beyond { flag: RangeFlag },
    Code(&'a str),
    NotDone,
}

impl Rules {
    /// The embedded rule tables, parsed once per process; an error is a defect of the build.
    pub fn embedded() -> Result<&'static Self, RuleTableError> {
        static RULES: OnceLock<Result<Rules, RuleTableError>> = OnceLock::new();
        RULES.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, RuleTableError> {
        let texts: BTreeMap<String, String> =
            TABLE_NAMES.iter().filter_map(|n| embedded_table(n).map(|t| (n.to_string(), t.to_string()))).collect();
        Self::from_texts(texts)
    }

    /// The table texts in force (embedded, merged with a company's rows).
    pub fn table_text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// These rules with a company's rows for one table merged in (rows with the same key replace
    /// the embedded ones; for thresholds, all bands of an analyte are replaced together).
    pub fn with_override(&self, table: &str, company_csv: &str) -> Result<Self, RuleTableError> {
        self.with_overrides(&[(table, company_csv)])
    }

    /// The rules with several of a company's tables at once (table, rows): every table is merged
    /// first and the whole checked once, so that tables that refer to each other (an urgent or
    /// threshold row for an analyte the company's analyte table adds) combine in any order.
    pub fn with_overrides(&self, overrides: &[(&str, &str)]) -> Result<Self, RuleTableError> {
        if overrides.is_empty() {
            // Nothing to merge: these rules as they are, without parsing their tables again.
            return Ok(self.clone());
        }
        let mut texts = self.texts.clone();
        for (table, company_csv) in overrides {
            let base = texts.get(*table).ok_or_else(|| terr(table, 0, "table", "no such rule table"))?;
            let merged = merge_rows(table, base, company_csv, override_key(table))?;
            texts.insert((*table).to_string(), merged);
        }
        let mut rules = Self::from_texts(texts)?;
        if !overrides.is_empty() {
            rules.version = format!("{}+company", self.version.trim_end_matches("+company"));
        }
        Ok(rules)
    }

    fn from_texts(texts: BTreeMap<String, String>) -> Result<Self, RuleTableError> {
        let text = |n: &str| texts.get(n).map(String::as_str).ok_or_else(|| terr(n, 0, "table", "missing"));
        let analytes = parse_analytes(text("analytes")?)?;
        let bands = parse_bands(text("thresholds")?)?;
        let combinations = parse_combinations(text("combinations")?)?;
        let urgent = parse_urgent(text("urgent")?)?;
        let settings = parse_settings(text("settings")?)?;
        let guidance = parse_guidance(text("guidance")?)?;
        let niji = numbers("niji", &parse_key_values("niji", text("niji")?)?)?;
        let strat = numbers("stratification", &parse_key_values("stratification", text("stratification")?)?)?;
        let overtime = crate::overtime::OvertimeRules::parse(text("overtime")?)
            .map_err(|e| terr("overtime", e.row, "row", e.reason))?;
        if !overtime.profiles.contains_key(&settings.overtime_profile) {
            return Err(terr(
                "settings",
                0,
                "overtime_profile",
                format!(
                    "{:?} is not a profile of the overtime table ({})",
                    settings.overtime_profile,
                    overtime.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let known: std::collections::HashSet<&str> = analytes.iter().map(|a| a.key.as_str()).collect();
        for (i, b) in bands.iter().enumerate() {
            if !known.contains(b.analyte.as_str()) {
                return Err(terr(
                    "thresholds",
                    i + 1,
                    "analyte",
                    format!("{:?} is not in the analyte table", b.analyte),
                ));
            }
        }
        for (i, u) in urgent.iter().enumerate() {
            if !known.contains(u.analyte.as_str()) {
                return Err(terr("urgent", i + 1, "analyte", format!("{:?} is not in the analyte table", u.analyte)));
            }
        }
        for (i, c) in combinations.iter().enumerate() {
            for m in c.members.iter().chain(&c.modifiers) {
                if !known.contains(m.as_str()) {
                    return Err(terr("combinations", i + 1, "members", format!("{m:?} is not in the analyte table")));
                }
            }
        }
        for k in [
            "sbp_ge",
            "dbp_ge",
            "ldl_ge",
            "hdl_lt",
            "tg_ge",
            "fpg_ge",
            "hba1c_ge",
            "bmi_ge",
            "waist_m_ge",
            "waist_f_ge",
        ] {
            if !niji.contains_key(k) {
                return Err(terr("niji", 0, k, "missing key"));
            }
        }
        for k in [
            "age_min",
            "age_max",
            "downgrade_age",
            "waist_m_ge",
            "waist_f_ge",
            "bmi_ge",
            "sbp_ge",
            "dbp_ge",
            "tg_fasting_ge",
            "tg_random_ge",
            "hdl_lt",
            "fpg_ge",
            "rpg_ge",
            "hba1c_ge",
        ] {
            if !strat.contains_key(k) {
                return Err(terr("stratification", 0, k, "missing key"));
            }
        }
        let pos: HashMap<&str, usize> = analytes.iter().enumerate().map(|(i, a)| (a.key.as_str(), i)).collect();
        let mut by_analyte: Vec<Vec<usize>> = vec![Vec::new(); analytes.len()];
        let mut decimals: Vec<u32> = vec![0; analytes.len()];
        let mut urgent_of: Vec<Vec<usize>> = vec![Vec::new(); analytes.len()];
        for (i, u) in urgent.iter().enumerate() {
            if let Some(v) = pos.get(u.analyte.as_str()).and_then(|p| urgent_of.get_mut(*p)) {
                v.push(i);
            }
        }
        for (i, b) in bands.iter().enumerate() {
            if let Some(p) = pos.get(b.analyte.as_str()).copied() {
                if let Some(v) = by_analyte.get_mut(p) {
                    v.push(i);
                }
                if let Some(d) = decimals.get_mut(p) {
                    *d = (*d).max(b.decimals);
                }
            }
        }
        let version = ["thresholds", "urgent", "settings"]
            .iter()
            .filter_map(|n| texts.get(*n).and_then(|t| edition_of(t)))
            .collect::<Vec<_>>()
            .join(";");
        Ok(Self {
            version,
            analytes,
            bands,
            combinations,
            urgent,
            settings,
            guidance,
            niji,
            strat,
            overtime,
            texts,
            by_analyte,
            decimals,
            urgent_of,
        })
    }

    /// Every OHCC item the rules read (for loading only what is needed).
    pub fn items_read(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .analytes
            .iter()
            .flat_map(|a| a.items.iter().cloned().chain(a.treated_by.iter().cloned()))
            .chain([INSTITUTION_OVERALL_ITEM.to_string(), SMOKING_ITEM.to_string()])
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn read<'a>(&self, a: &Analyte, facts: &FactIndex<'a>) -> Option<Read<'a>> {
        let value_of = |item: &str| facts.get(item);
        let to_read = |f: &'a Fact| -> Option<Read<'a>> {
            match &f.value {
                Value::Number { value, unit } => Some(Read::Number {
                    value: *value,
                    unit: unit.as_str(),
                    item: f.item.as_str(),
                    comparator: f.comparator,
                }),
                Value::Coded { code } => Some(Read::Code(code.as_str())),
                Value::BeyondRange => f.flag.map(|flag| Read::Beyond { flag }),
                Value::NotDone | Value::NotMeasured => Some(Read::NotDone),
                Value::Text { .. } | Value::Document { .. } => None,
            }
        };
        match a.reading {
            Reading::First => {
                let mut not_done = None;
                for item in &a.items {
                    match value_of(item).and_then(to_read) {
                        Some(Read::NotDone) => not_done = Some(Read::NotDone),
                        Some(r) => return Some(r),
                        None => {}
                    }
                }
                not_done
            }
            Reading::Mean => {
                let (first, rest) = a.items.split_first()?;
                if let Some(r) = value_of(first).and_then(to_read).filter(|r| *r != Read::NotDone) {
                    return Some(r);
                }
                let reads: Vec<Read<'a>> = rest.iter().filter_map(|i| value_of(i).and_then(to_read)).collect();
                let nums: Vec<(f64, &'a str, &'a str)> = reads
                    .iter()
                    .filter_map(|r| match r {
                        Read::Number { value, unit, item, .. } => Some((*value, *unit, *item)),
                        _ => None,
                    })
                    .collect();
                if let Some((_, unit, item)) = nums.first().copied()
                    && nums.iter().all(|n| n.1 == unit || unit_key(n.1) == unit_key(unit))
                {
                    let mean = nums.iter().map(|n| n.0).sum::<f64>() / nums.len() as f64;
                    return Some(Read::Number { value: mean, unit, item, comparator: None });
                }
                let first_real = reads.iter().find(|r| **r != Read::NotDone).cloned();
                first_real.or_else(|| reads.into_iter().next())
            }
        }
    }

    fn bands_of(&self, ai: usize) -> impl Iterator<Item = &Band> + Clone + '_ {
        self.by_analyte.get(ai).into_iter().flatten().filter_map(|i| self.bands.get(*i))
    }

    /// The analyte's value judged against the bands in force on the checkup date for the sex.
    /// Labels, editions and sources are not copied here: [`Rules::describe`] adds them for display.
    fn judge_analyte(
        &self,
        ai: usize,
        a: &Analyte,
        read: &Read<'_>,
        c: &CheckupFacts<'_>,
        units: &dyn UnitConvert,
    ) -> ItemResult {
        let mut res = ItemResult {
            key: a.key.clone(),
            label_ja: String::new(),
            value: String::new(),
            unit: String::new(),
            value_category: None,
            category: None,
            treated: false,
            poorly_controlled: false,
            not_judged: None,
            verified: None,
            edition: String::new(),
            source: String::new(),
            part_of: None,
        };
        let rows = self.bands_of(ai);
        let for_sex = rows.clone().filter(|b| b.in_force(c.date) && b.sex.matches(c.sex));
        let no_rule = || {
            let in_force: Vec<&Band> = rows.clone().filter(|b| b.in_force(c.date)).collect();
            no_rule_reason(&rows.clone().collect::<Vec<_>>(), &in_force, c)
        };
        let decimals = self.decimals.get(ai).copied().unwrap_or(0);
        let hit: Option<&Band> = match read {
            Read::NotDone => {
                res.value = "未実施".into();
                res.not_judged = Some("not done".into());
                return res;
            }
            Read::Code(code) => {
                res.value = (*code).to_string();
                for_sex.clone().find(|b| b.codes.iter().any(|x| x == code))
            }
            Read::Number { value, unit, item, comparator } => {
                let Some(rule_unit) = for_sex.clone().next().map(|b| b.unit.as_str()) else {
                    res.value = fmt_num(*value, decimals);
                    res.unit = (*unit).to_string();
                    res.not_judged = Some(no_rule());
                    return res;
                };
                let Some(v) = units.convert(item, *value, unit, rule_unit) else {
                    res.value = value.to_string();
                    res.unit = (*unit).to_string();
                    res.not_judged = Some(format!("unit {unit} cannot be converted to the rule's unit {rule_unit}"));
                    return res;
                };
                let v = round_to(v, decimals);
                res.value = match comparator {
                    Some(cmp) => format!("{}{}", cmp.symbol(), fmt_num(v, decimals)),
                    None => fmt_num(v, decimals),
                };
                res.unit = rule_unit.to_string();
                for_sex
                    .clone()
                    .find(|b| b.codes.is_empty() && b.lower.is_none_or(|l| l <= v) && b.upper.is_none_or(|u| v <= u))
            }
            Read::Beyond { flag } => {
                res.value = flag.letter().to_string();
                for_sex.clone().find(|b| match flag {
                    RangeFlag::High => b.upper.is_none() && b.lower.is_some(),
                    RangeFlag::Low => b.lower.is_none() && b.upper.is_some(),
                })
            }
        };
        match hit {
            Some(b) => {
                res.value_category = Some(b.category.merged(self.settings.d_split));
                res.verified = Some(b.verified);
            }
            None if for_sex.clone().next().is_none() => res.not_judged = Some(no_rule()),
            None => res.not_judged = Some(format!("no band of the {} rules covers {}", a.key, res.value)),
        }
        res
    }

    /// Judges one checkup.
    pub fn judge(&self, c: &CheckupFacts<'_>, units: &dyn UnitConvert) -> CheckupJudgement {
        let e_ranking = self.settings.e_ranking;
        let index = FactIndex::new(c.facts);
        let yes = |item: &str| index.yes(item);
        let mut results: Vec<ItemResult> = Vec::new();
        let mut numbers: HashMap<&str, f64> = HashMap::with_capacity(self.analytes.len());
        let mut codes: HashMap<&str, &str> = HashMap::new();
        let mut reads: Vec<(usize, &Analyte, Read<'_>)> = Vec::with_capacity(self.analytes.len());
        for (ai, a) in self.analytes.iter().enumerate() {
            let Some(read) = self.read(a, &index) else { continue };
            let mut r = self.judge_analyte(ai, a, &read, c, units);
            if let Read::Number { value, .. } = &read {
                // For the screens: the value in the OHCC unit as stored (the screens' units).
                numbers.insert(a.key.as_str(), *value);
            }
            if let Read::Code(code) = &read {
                codes.insert(a.key.as_str(), code);
            }
            r.treated = a.treated_by.as_deref().is_some_and(yes);
            reads.push((ai, a, read));
            results.push(r);
        }
        // Combined items.
        let mut combined: Vec<ItemResult> = Vec::new();
        for comb in &self.combinations {
            let members: Vec<&ItemResult> =
                results.iter().filter(|r| comb.members.contains(&r.key) && r.value_category.is_some()).collect();
            if members.is_empty() {
                continue;
            }
            let cats: Vec<Category> = members.iter().filter_map(|m| m.value_category).collect();
            let worst = cats.iter().copied().fold(Category::A, Category::worst);
            let category = match comb.method {
                CombineMethod::Worst => worst,
                CombineMethod::DiabeticPair => {
                    if cats.len() == comb.members.len() && cats.iter().all(Category::is_d) {
                        worst
                    } else if cats.len() == comb.members.len() && worst.is_d() {
                        Category::C
                    } else {
                        worst
                    }
                }
                CombineMethod::Escalate => {
                    let threshold = grade_rank(&comb.param);
                    let positive = |k: &String| {
                        let rank = codes.get(k.as_str()).and_then(|c| grade_rank(c));
                        threshold.is_some_and(|t| rank.is_some_and(|r| r >= t))
                    };
                    if !comb.modifiers.is_empty()
                        && comb.members.iter().all(positive)
                        && comb.modifiers.iter().all(positive)
                    {
                        Category::worst(worst, Category::D)
                    } else {
                        worst
                    }
                }
            };
            let verified = members.iter().filter_map(|m| m.verified).max();
            combined.push(ItemResult {
                key: comb.group.clone(),
                label_ja: comb.label_ja.clone(),
                value: members.iter().map(|m| m.value.clone()).collect::<Vec<_>>().join(" / "),
                unit: members.first().map(|m| m.unit.clone()).unwrap_or_default(),
                value_category: Some(category),
                category: None,
                treated: members.iter().any(|m| m.treated),
                poorly_controlled: false,
                not_judged: None,
                verified,
                edition: members.first().map(|m| m.edition.clone()).unwrap_or_default(),
                source: comb.source.clone(),
                part_of: None,
            });
            for r in results.iter_mut().filter(|r| comb.members.contains(&r.key)) {
                r.part_of = Some(comb.group.clone());
            }
        }
        results.extend(combined);
        for r in &mut results {
            r.poorly_controlled = r.treated && r.value_category.is_some_and(|c| c.severity() >= Category::C.severity());
            r.category = match (r.treated, e_ranking, r.value_category) {
                (true, ERanking::Apart | ERanking::AboveD, _) => Some(Category::E),
                (_, _, v) => v,
            };
        }
        let counted = results.iter().filter(|r| r.part_of.is_none());
        let mut overall: Option<Category> = None;
        for r in counted.clone() {
            let cat = match (e_ranking, r.category) {
                (ERanking::Apart, Some(Category::E)) => continue,
                (_, Some(c)) => c,
                (_, None) => continue,
            };
            overall = Some(overall.map_or(cat, |o| Category::worst(o, cat)));
        }
        let has_treated = counted.clone().any(|r| r.category == Some(Category::E));
        if overall.is_none() && has_treated && e_ranking == ERanking::Apart {
            // Every judged item is under treatment: the overall is E.
            overall = Some(Category::E);
        }
        let poorly_controlled = counted.clone().any(|r| r.poorly_controlled);
        let uses_unverified = results.iter().any(|r| r.verified.is_some_and(|v| v != Verified::Yes));
        let institution_overall = index.get(INSTITUTION_OVERALL_ITEM).and_then(|f| match &f.value {
            Value::Coded { code } => Some(code.clone()),
            _ => None,
        });
        let differs_from_institution = match (&institution_overall, overall) {
            (Some(inst), Some(ours)) => Category::parse(inst).map(|c| c.merged(false)) != Some(ours.merged(false)),
            _ => false,
        };
        // Urgent values: per analyte the highest tier hit (panic supersedes referral).
        let mut urgent: Vec<UrgentHit> = Vec::new();
        for (ai, a, read) in &reads {
            if matches!(read, Read::Code(_) | Read::NotDone) {
                continue;
            }
            let mut best: Option<(&UrgentRule, Option<f64>, bool)> = None;
            let rows = self.urgent_of.get(*ai).into_iter().flatten().filter_map(|i| self.urgent.get(*i));
            for u in rows {
                if best.is_some_and(|b| b.0.tier >= u.tier) {
                    continue;
                }
                // (value in the row's unit, hit the high side)
                let hit = match read {
                    Read::Number { value, unit, item, .. } => {
                        let Some(v) = units.convert(item, *value, unit, &u.unit) else { continue };
                        if u.high_ge.is_some_and(|h| v >= h) {
                            Some((Some(v), true))
                        } else if u.low_le.is_some_and(|l| v <= l) {
                            Some((Some(v), false))
                        } else {
                            None
                        }
                    }
                    Read::Beyond { flag: RangeFlag::High } => u.high_ge.map(|_| (None, true)),
                    Read::Beyond { flag: RangeFlag::Low } => u.low_le.map(|_| (None, false)),
                    _ => None,
                };
                if let Some((v, high)) = hit {
                    best = Some((u, v, high));
                }
            }
            if let Some((u, v, high)) = best {
                let limit = if high {
                    format!(">={} {}", trim_num(u.high_ge.unwrap_or_default()), u.unit)
                } else {
                    format!("<={} {}", trim_num(u.low_le.unwrap_or_default()), u.unit)
                };
                let value = match (v, read) {
                    (Some(v), _) => format!("{} {}", trim_num(v), u.unit),
                    (None, Read::Beyond { flag }) => format!("{} ({})", flag.letter(), u.unit),
                    _ => String::new(),
                };
                urgent.push(UrgentHit {
                    tier: u.tier,
                    analyte: a.key.clone(),
                    label_ja: a.label_ja.clone(),
                    value,
                    limit,
                    action_ja: u.action_ja.clone(),
                    verified: u.verified,
                });
            }
        }
        let urgent_tier = urgent.iter().map(|u| u.tier).max();
        // Guidance and the work candidate.
        let letter = overall.map(|o| if o.is_d() { "D" } else { o.as_str() });
        let row = letter.and_then(|l| self.guidance.get(l));
        let mut guidance = row.map(|r| r.guidance);
        let mut work_candidate = row.map(|r| r.work_candidate);
        if poorly_controlled {
            guidance = Some(GuidanceLevel::Medical);
            work_candidate = work_candidate.max(Some(WorkCategory::Consideration));
        }
        if urgent_tier == Some(UrgentTier::Panic) {
            work_candidate = work_candidate.max(Some(WorkCategory::Restriction));
        }
        // Deadlines.
        let statutory = c.kind.is_some_and(|k| k.is_statutory());
        let opinion_due = if c.kind == Some(CheckupKind::SelfInitiated) {
            Some(add_months(c.submitted_on.unwrap_or(c.date), self.settings.self_initiated_opinion_months))
        } else if statutory {
            Some(add_months(c.date, self.settings.opinion_months))
        } else {
            None
        };
        let any_d = results.iter().any(|r| r.part_of.is_none() && r.value_category.is_some_and(|c| c.is_d()));
        let followup_due = any_d.then(|| c.date + chrono::Duration::days(i64::from(self.settings.followup_days)));
        let primary = c.kind.is_some_and(|k| k.is_primary_for_niji());
        let niji_candidate = primary && self.niji_screen(&numbers, c.sex);
        let niji_claim_until = niji_candidate.then(|| add_months(c.date, self.settings.niji_claim_months));
        let stratification = self.stratify(c, &numbers, &yes);
        CheckupJudgement {
            items: results,
            overall,
            has_treated,
            poorly_controlled,
            uses_unverified,
            institution_overall,
            differs_from_institution,
            urgent,
            urgent_tier,
            guidance,
            work_candidate,
            opinion_due,
            followup_due,
            niji_candidate,
            niji_claim_until,
            stratification,
            rules_version: self.version.clone(),
        }
    }

    /// Fills the labels, editions and sources of a stored judgement's items from these rules
    /// (the band in force on the checkup date for the item's category).
    pub fn describe(&self, j: &mut CheckupJudgement, date: NaiveDate, sex: Sex) {
        for i in &mut j.items {
            if let Some(a) = self.analytes.iter().find(|a| a.key == i.key) {
                i.label_ja.clone_from(&a.label_ja);
                let band = self.bands.iter().find(|b| {
                    b.analyte == a.key && b.in_force(date) && b.sex.matches(sex) && Some(b.category) == i.value_category
                });
                if let Some(b) = band {
                    i.edition.clone_from(&b.edition);
                    i.source.clone_from(&b.source);
                }
            } else if let Some(c) = self.combinations.iter().find(|c| c.group == i.key) {
                // A combined item is judged by the combination table's rule (its members by their
                // bands, each with its own edition).
                i.label_ja.clone_from(&c.label_ja);
                i.source.clone_from(&c.source);
                i.edition = self.table_edition("combinations");
            }
        }
    }

    /// The edition a rule table's text names (`# edition: …`; a company override keeps the
    /// embedded table's comment lines).
    pub fn table_edition(&self, table: &str) -> String {
        self.texts
            .get(table)
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("# edition:")))
            .map(|e| e.trim().to_string())
            .unwrap_or_default()
    }

    fn niji(&self, k: &str) -> f64 {
        self.niji.get(k).copied().unwrap_or(f64::NAN)
    }

    fn st(&self, k: &str) -> f64 {
        self.strat.get(k).copied().unwrap_or(f64::NAN)
    }

    /// 二次健康診断等給付: all four of BP, lipids, glucose and BMI-or-waist abnormal (労災保険法26条).
    fn niji_screen(&self, n: &HashMap<&str, f64>, sex: Sex) -> bool {
        let ge = |k: &str, t: &str| n.get(k).is_some_and(|v| *v >= self.niji(t));
        let lt = |k: &str, t: &str| n.get(k).is_some_and(|v| *v < self.niji(t));
        let bp = ge("SBP", "sbp_ge") || ge("DBP", "dbp_ge");
        let lipid = ge("LDL", "ldl_ge") || lt("HDL", "hdl_lt") || ge("TG", "tg_ge");
        let glucose = ge("FPG", "fpg_ge") || ge("HBA1C", "hba1c_ge");
        let waist = if sex == Sex::Male { "waist_m_ge" } else { "waist_f_ge" };
        let obesity = ge("BMI", "bmi_ge") || ge("WAIST", waist);
        bp && lipid && glucose && obesity
    }

    /// 特定保健指導 階層化 (第4期; 標準的な健診・保健指導プログラム 令和6年度版).
    fn stratify(
        &self,
        c: &CheckupFacts<'_>,
        n: &HashMap<&str, f64>,
        yes: &dyn Fn(&str) -> bool,
    ) -> Option<Stratification> {
        let age = age_at_fiscal_year_end(c.birth_date, c.date);
        if f64::from(age) < self.st("age_min") || f64::from(age) > self.st("age_max") {
            return None;
        }
        let on_medication = self.analytes.iter().filter_map(|a| a.treated_by.as_deref()).any(yes);
        if on_medication {
            return Some(Stratification::ExcludedMedication);
        }
        let ge = |k: &str, t: &str| n.get(k).map(|v| *v >= self.st(t));
        let lt = |k: &str, t: &str| n.get(k).map(|v| *v < self.st(t));
        let waist_key = if c.sex == Sex::Male { "waist_m_ge" } else { "waist_f_ge" };
        let waist = ge("WAIST", waist_key);
        let bmi = ge("BMI", "bmi_ge");
        let group = match (waist, bmi) {
            (Some(true), _) => 1,
            (_, Some(true)) => 2,
            (Some(false), _) | (_, Some(false)) => return Some(Stratification::Information),
            (None, None) => return Some(Stratification::Incomplete),
        };
        let any = |xs: &[Option<bool>]| -> Option<bool> {
            if xs.contains(&Some(true)) {
                Some(true)
            } else if xs.iter().any(Option::is_some) {
                Some(false)
            } else {
                None
            }
        };
        let bp = any(&[ge("SBP", "sbp_ge"), ge("DBP", "dbp_ge")]);
        // 第4期: 随時中性脂肪 only when there is no fasting value.
        let tg = if n.contains_key("TG") { ge("TG", "tg_fasting_ge") } else { ge("TG_RANDOM", "tg_random_ge") };
        let lipid = any(&[tg, lt("HDL", "hdl_lt")]);
        let fpg = if n.contains_key("FPG") { ge("FPG", "fpg_ge") } else { ge("RPG", "rpg_ge") };
        let glucose = any(&[fpg, ge("HBA1C", "hba1c_ge")]);
        if bp.is_none() && lipid.is_none() && glucose.is_none() {
            return Some(Stratification::Incomplete);
        }
        let mut risks = [bp, lipid, glucose].iter().filter(|x| **x == Some(true)).count();
        let smoker = yes(SMOKING_ITEM);
        if risks > 0 && smoker {
            risks += 1;
        }
        let level = match (group, risks) {
            (1, r) if r >= 2 => Stratification::Active,
            (2, r) if r >= 3 => Stratification::Active,
            (_, 0) => Stratification::Information,
            _ => Stratification::Motivational,
        };
        if level == Stratification::Active && f64::from(age) >= self.st("downgrade_age") {
            return Some(Stratification::Motivational);
        }
        Some(level)
    }
}

fn no_rule_reason(rows: &[&Band], in_force: &[&Band], c: &CheckupFacts<'_>) -> String {
    if rows.is_empty() {
        "no rule for this item".into()
    } else if in_force.is_empty() {
        format!("no band for this item in the rules in force on {}", c.date)
    } else {
        format!("no rule for sex {}", c.sex.as_str())
    }
}

fn trim_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The rank of a urine grade code (neg < trace < 1p < 2p < 3p).
fn grade_rank(code: &str) -> Option<u8> {
    Some(match code {
        "neg" => 0,
        "trace" => 1,
        "1p" => 2,
        "2p" => 3,
        "3p" => 4,
        _ => return None,
    })
}

/// The age reached during the fiscal year (April–March) of a date (特定健診: 年度内に達する年齢;
/// 標準的な健診・保健指導プログラム 令和6年度版). By 年齢計算ニ関スル法律 an age is reached at the end
/// of the day before the birthday, so someone born on 1 April reaches it on 31 March, inside the fiscal
/// year: the age reached is the ordinary age on the 1 April that follows the fiscal year.
pub fn age_at_fiscal_year_end(birth: NaiveDate, on: NaiveDate) -> u32 {
    let next_fy_year = if on.month() >= 4 { on.year() + 1 } else { on.year() };
    let day_after = NaiveDate::from_ymd_opt(next_fy_year, 4, 1).unwrap_or(on);
    let mut age = day_after.year() - birth.year();
    if (day_after.month(), day_after.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fmt_tests {
    use super::fmt_num;

    #[test]
    fn numbers_keep_the_precision_of_the_bounds() {
        assert_eq!(fmt_num(24.95, 1), "25.0");
        assert_eq!(fmt_num(24.94, 1), "24.9");
        assert_eq!(fmt_num(130.0, 0), "130");
        assert_eq!(fmt_num(0.7, 2), "0.70");
        assert_eq!(fmt_num(-1.25, 1), "-1.3");
        assert_eq!(fmt_num(5.0, 1), "5.0");
    }
}
