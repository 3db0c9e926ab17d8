//! ストレスチェック — the 57-item 職業性ストレス簡易調査票 (BJSQ-57) and the simple-sum
//! high-stress method (評価基準の例（その1）).
//!
//! Items and reverse flags: `data/bjsq57-items.csv` (checked against the MHLW questionnaire
//! 職業性ストレス簡易調査票, docs/sources.md); criteria: `data/stress-sum-criteria-v1.csv` (MHLW
//! 実施マニュアル p.43–46). The 19 scales (`data/stress-scales-v1.csv`), the sex-specific 素点換算表
//! (`data/stress-soten-bands-v1.csv`) and its criterion (`data/stress-soten-criteria-v1.csv`),
//! and the 仕事のストレス判定図 (`data/stress-hanteizu-v1.csv`): [`StressRules`].

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const ITEMS_CSV: &str = include_str!("../data/bjsq57-items.csv");
const SUM_CRITERIA_CSV: &str = include_str!("../data/stress-sum-criteria-v1.csv");
const SCALES_CSV: &str = include_str!("../data/stress-scales-v1.csv");
const BANDS_CSV: &str = include_str!("../data/stress-soten-bands-v1.csv");
const SOTEN_CRITERIA_CSV: &str = include_str!("../data/stress-soten-criteria-v1.csv");
const HANTEIZU_CSV: &str = include_str!("../data/stress-hanteizu-v1.csv");

/// Section of the questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section {
    /// A 仕事のストレス要因 (items 1–17).
    A,
    /// B 心身のストレス反応 (18–46).
    B,
    /// C 周囲のサポート (47–55).
    C,
    /// D 満足度 (56–57).
    D,
}

/// One questionnaire item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// 1–57.
    pub number: u8,
    /// Section.
    pub section: Section,
    /// Question text.
    pub text_ja: String,
    /// Scored 5 − answer in the simple-sum method.
    pub reverse_in_sum: bool,
}

/// A problem in the embedded questionnaire tables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stress-check table {table}, row {row}: {reason}")]
pub struct StressTableError {
    /// Table.
    pub table: &'static str,
    /// Row (1-based).
    pub row: usize,
    /// Reason.
    pub reason: String,
}

#[derive(Deserialize)]
struct ItemRow {
    item_no_1_57: u8,
    section: String,
    text_ja: String,
    sum_method_reverse_5_minus_x: String,
}

/// The 57 items of the 職業性ストレス簡易調査票 (`data/bjsq57-items.csv`), parsed once per process;
/// an error is a defect of the build.
pub fn items() -> Result<&'static [Item], StressTableError> {
    static ITEMS: OnceLock<Result<Vec<Item>, StressTableError>> = OnceLock::new();
    ITEMS.get_or_init(parse_items).as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// Parses the embedded items (once per process, through [`items`]).
fn parse_items() -> Result<Vec<Item>, StressTableError> {
    let mut rdr = csv::Reader::from_reader(ITEMS_CSV.as_bytes());
    let mut out = Vec::with_capacity(57);
    for (i, rec) in rdr.deserialize::<ItemRow>().enumerate() {
        let err = |reason: String| StressTableError { table: "bjsq57-items", row: i + 1, reason };
        let r = rec.map_err(|e| err(e.to_string()))?;
        let section = match r.section.as_str() {
            "A" => Section::A,
            "B" => Section::B,
            "C" => Section::C,
            "D" => Section::D,
            other => return Err(err(format!("unknown section {other:?}"))),
        };
        out.push(Item {
            number: r.item_no_1_57,
            section,
            text_ja: r.text_ja,
            reverse_in_sum: r.sum_method_reverse_5_minus_x == "yes",
        });
    }
    if out.len() != 57 || out.iter().enumerate().any(|(i, it)| usize::from(it.number) != i + 1) {
        return Err(StressTableError { table: "bjsq57-items", row: 0, reason: "expected items 1..57 in order".into() });
    }
    Ok(out)
}

/// The simple-sum criteria.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SumCriteria {
    /// High stress if B ≥ this.
    pub b_alone: u32,
    /// … or A + C ≥ this …
    pub ac: u32,
    /// … and B ≥ this.
    pub b_with_ac: u32,
}

impl SumCriteria {
    /// The MHLW example criteria (`data/stress-sum-criteria-v1.csv`), parsed once per process; an
    /// error is a defect of the build.
    pub fn mhlw_example() -> Result<&'static Self, StressTableError> {
        static CRITERIA: OnceLock<Result<SumCriteria, StressTableError>> = OnceLock::new();
        CRITERIA.get_or_init(Self::parse_mhlw_example).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded criteria (once per process, through [`Self::mhlw_example`]).
    fn parse_mhlw_example() -> Result<Self, StressTableError> {
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(SUM_CRITERIA_CSV.as_bytes());
        rdr.deserialize::<SumCriteria>()
            .next()
            .ok_or_else(|| StressTableError { table: "stress-sum-criteria", row: 1, reason: "no row".into() })?
            .map_err(|e| StressTableError { table: "stress-sum-criteria", row: 1, reason: e.to_string() })
    }
}

/// A complete answer sheet: 57 answers coded 1–4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers(Vec<u8>);

/// Why an answer sheet is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Not 57 answers.
    #[error("expected 57 answers, got {0}")]
    Count(usize),
    /// An answer outside 1–4.
    #[error("answer to item {item} is {value}; expected 1-4")]
    Range {
        /// Item number.
        item: usize,
        /// Value.
        value: u8,
    },
}

impl Answers {
    /// Validates 57 answers in 1–4.
    pub fn parse(v: Vec<u8>) -> Result<Self, AnswerError> {
        if v.len() != 57 {
            return Err(AnswerError::Count(v.len()));
        }
        if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !(1..=4).contains(*x)) {
            return Err(AnswerError::Range { item: i + 1, value: *x });
        }
        Ok(Self(v))
    }
    /// The answers.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

/// Result of the simple-sum method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SumResult {
    /// A 仕事のストレス要因 (17–68).
    pub a: u32,
    /// B 心身のストレス反応 (29–116).
    pub b: u32,
    /// C 周囲のサポート (9–36).
    pub c: u32,
    /// 高ストレス.
    pub high_stress: bool,
}

/// Scores a sheet by the simple-sum method: high = stressful; reverse items scored 5 − x.
pub fn score_sum(items: &[Item], answers: &Answers, criteria: SumCriteria) -> SumResult {
    let (mut a, mut b, mut c) = (0u32, 0u32, 0u32);
    for (item, x) in items.iter().zip(answers.as_slice()) {
        let v = u32::from(if item.reverse_in_sum { 5 - x } else { *x });
        match item.section {
            Section::A => a += v,
            Section::B => b += v,
            Section::C => c += v,
            Section::D => {}
        }
    }
    let high_stress = b >= criteria.b_alone || (a + c >= criteria.ac && b >= criteria.b_with_ac);
    SumResult { a, b, c, high_stress }
}

/// One of the 19 scales (18 + 満足度).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scale {
    /// Code, e.g. `A_QUANT`.
    pub code: String,
    /// Japanese name.
    pub name_ja: String,
    /// Section.
    pub domain: Section,
    /// Raw score = constant + Σ plus − Σ minus.
    pub constant: i32,
    /// Items added (global numbers 1–57).
    pub plus: Vec<u8>,
    /// Items subtracted.
    pub minus: Vec<u8>,
    /// A high raw score means more stress (負担, 症状) rather than less (コントロール, 支援).
    pub stress_when_high: bool,
    /// Counted in the 素点換算 criterion (満足度 is not).
    pub in_criterion: bool,
    /// OHCC item of the raw score (the 評価点 item: [`Scale::level_item`]).
    pub ohcc: String,
}

impl Scale {
    /// The OHCC item of the 評価点 (⑤ = 2: `Ca0010000Z` → `Ca0010002Z`).
    pub fn level_item(&self) -> String {
        let mut s = self.ohcc.clone();
        s.truncate(8);
        s.push_str("2Z");
        s
    }
}

/// One band of the 素点換算表.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SotenBand {
    /// Index into the scales.
    pub scale: usize,
    /// Sex.
    pub sex: crate::person::Sex,
    /// Column 1–5 (低い … 高い).
    pub column: u8,
    /// Raw score from.
    pub raw_from: i32,
    /// Raw score to.
    pub raw_to: i32,
    /// 評価点: 1 = most stressful … 5 = least.
    pub hyoka: u8,
}

/// The 素点換算 criterion: high stress if B ≤ `b_alone`, or A + C ≤ `ac` and B ≤ `b_with_ac`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SotenCriteria {
    /// B alone.
    pub b_alone: u32,
    /// A + C.
    pub ac: u32,
    /// B with A + C.
    pub b_with_ac: u32,
}

/// The 仕事のストレス判定図 constants.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hanteizu {
    /// National mean of 量的負担.
    pub mean_quant: f64,
    /// Its coefficient.
    pub coef_quant: f64,
    /// National mean of コントロール.
    pub mean_ctrl: f64,
    /// Its coefficient.
    pub coef_ctrl: f64,
    /// National mean of 上司の支援.
    pub mean_boss: f64,
    /// Its coefficient.
    pub coef_boss: f64,
    /// National mean of 同僚の支援.
    pub mean_cowork: f64,
    /// Its coefficient.
    pub coef_cowork: f64,
    /// Cap of each risk.
    pub cap: f64,
    /// Groups smaller than this are not given to the employer.
    pub min_group: usize,
}

impl Hanteizu {
    /// 健康リスク (量-コントロール) of group means, uncapped.
    pub fn risk_demand_control(&self, quant: f64, control: f64) -> f64 {
        100.0 * ((quant - self.mean_quant) * self.coef_quant + (control - self.mean_ctrl) * self.coef_ctrl).exp()
    }

    /// 健康リスク (職場の支援) of group means, uncapped.
    pub fn risk_support(&self, boss: f64, cowork: f64) -> f64 {
        100.0 * ((boss - self.mean_boss) * self.coef_boss + (cowork - self.mean_cowork) * self.coef_cowork).exp()
    }

    /// The iso-risk line of the 量-コントロール chart: the コントロール at which a group with
    /// 量的負担 `quant` has health risk `risk` (the chart's diagonal lines).
    pub fn control_at(&self, quant: f64, risk: f64) -> f64 {
        self.mean_ctrl + ((risk / 100.0).ln() - (quant - self.mean_quant) * self.coef_quant) / self.coef_ctrl
    }

    /// The iso-risk line of the 職場の支援 chart: the 同僚の支援 at which a group with 上司の支援
    /// `boss` has health risk `risk`.
    pub fn cowork_at(&self, boss: f64, risk: f64) -> f64 {
        self.mean_cowork + ((risk / 100.0).ln() - (boss - self.mean_boss) * self.coef_boss) / self.coef_cowork
    }
}

/// The high-stress method a company chose (before the check, in its 衛生委員会).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 評価基準の例（その1）合計点数.
    Sum,
    /// 評価基準の例（その2）素点換算表.
    Soten,
}

impl Method {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Sum => "sum",
            Method::Soten => "soten",
        }
    }
    /// From the stable text form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sum" => Some(Method::Sum),
            "soten" => Some(Method::Soten),
            _ => None,
        }
    }
}

/// A scale's score on one sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScaleScore {
    /// Scale code.
    pub code: String,
    /// Raw score.
    pub raw: i32,
    /// Column of the 素点換算表 (1–5).
    pub column: u8,
    /// 評価点 (1 = most stressful … 5 = least).
    pub hyoka: u8,
}

/// Everything one answer sheet gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetResult {
    /// The simple-sum method.
    pub sum: SumResult,
    /// The 19 scales.
    pub scales: Vec<ScaleScore>,
    /// 素点換算: A (9 scales), B (6), C (3) sums of 評価点.
    pub soten_a: u32,
    /// B.
    pub soten_b: u32,
    /// C.
    pub soten_c: u32,
    /// High stress by the 素点換算 method.
    pub high_soten: bool,
    /// High stress by the simple-sum method.
    pub high_sum: bool,
}

impl SheetResult {
    /// High stress by the company's method.
    pub fn high(&self, method: Method) -> bool {
        match method {
            Method::Sum => self.high_sum,
            Method::Soten => self.high_soten,
        }
    }
}

/// A group's 判定図 result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// Respondents.
    pub n: usize,
    /// Mean 量的負担 (3–12).
    pub quant: f64,
    /// Mean コントロール.
    pub control: f64,
    /// Mean 上司の支援.
    pub boss: f64,
    /// Mean 同僚の支援.
    pub cowork: f64,
    /// 健康リスク (量-コントロール), national average 100.
    pub risk_demand_control: f64,
    /// 健康リスク (職場の支援).
    pub risk_support: f64,
    /// 総合健康リスク.
    pub total_risk: f64,
    /// High-stress respondents.
    pub high_stress: usize,
    /// At least `min_group` respondents: may be given to the employer.
    pub disclosable: bool,
}

/// The stress-check rule tables.
#[derive(Debug, Clone)]
pub struct StressRules {
    /// The 57 items.
    pub items: Vec<Item>,
    /// The 19 scales.
    pub scales: Vec<Scale>,
    /// The 素点換算表.
    pub bands: Vec<SotenBand>,
    /// Sum-method criteria.
    pub sum: SumCriteria,
    /// 素点換算 criteria.
    pub soten: SotenCriteria,
    /// 判定図 constants.
    pub hanteizu: Hanteizu,
    /// Editions.
    pub version: String,
}

fn table_err(table: &'static str, row: usize, reason: impl Into<String>) -> StressTableError {
    StressTableError { table, row, reason: reason.into() }
}

fn numbers_list(table: &'static str, row: usize, s: &str) -> Result<Vec<u8>, StressTableError> {
    s.split_whitespace()
        .map(|t| match t.parse::<u8>() {
            Ok(n) if (1..=57).contains(&n) => Ok(n),
            _ => Err(table_err(table, row, format!("item {t:?} is not 1-57"))),
        })
        .collect()
}

impl StressRules {
    /// The embedded tables, parsed once per process; an error is a defect of the build.
    pub fn embedded() -> Result<&'static Self, StressTableError> {
        static RULES: OnceLock<Result<StressRules, StressTableError>> = OnceLock::new();
        RULES.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, StressTableError> {
        let items = items()?;
        let sum = SumCriteria::mhlw_example()?;
        let mut scales = Vec::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(SCALES_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let t = "stress-scales";
            let r = rec.map_err(|e| table_err(t, i + 1, e.to_string()))?;
            let f = |k: usize| r.get(k).unwrap_or("").to_string();
            scales.push(Scale {
                code: f(0),
                name_ja: f(1),
                domain: match f(2).as_str() {
                    "A" => Section::A,
                    "B" => Section::B,
                    "C" => Section::C,
                    "D" => Section::D,
                    o => return Err(table_err(t, i + 1, format!("domain {o:?}"))),
                },
                constant: f(3).parse().map_err(|_| table_err(t, i + 1, "constant"))?,
                plus: numbers_list(t, i + 1, &f(4))?,
                minus: numbers_list(t, i + 1, &f(5))?,
                stress_when_high: f(6) == "stress_when_high",
                in_criterion: f(7) == "yes",
                ohcc: f(9),
            });
        }
        if scales.len() != 19 {
            return Err(table_err("stress-scales", 0, format!("expected 19 scales, got {}", scales.len())));
        }
        let mut bands = Vec::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(BANDS_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let t = "stress-soten-bands";
            let r = rec.map_err(|e| table_err(t, i + 1, e.to_string()))?;
            let f = |k: usize| r.get(k).unwrap_or("");
            let scale = scales
                .iter()
                .position(|s| s.code == f(0))
                .ok_or_else(|| table_err(t, i + 1, format!("unknown scale {:?}", f(0))))?;
            let num = |k: usize| f(k).parse::<i32>().map_err(|_| table_err(t, i + 1, format!("column {k}")));
            bands.push(SotenBand {
                scale,
                sex: match f(1) {
                    "M" => crate::person::Sex::Male,
                    "F" => crate::person::Sex::Female,
                    o => return Err(table_err(t, i + 1, format!("sex {o:?}"))),
                },
                column: u8::try_from(num(2)?).map_err(|_| table_err(t, i + 1, "column"))?,
                raw_from: num(3)?,
                raw_to: num(4)?,
                hyoka: u8::try_from(num(5)?).map_err(|_| table_err(t, i + 1, "hyoka_ten"))?,
            });
        }
        let soten = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .from_reader(SOTEN_CRITERIA_CSV.as_bytes())
            .deserialize::<SotenCriteria>()
            .next()
            .ok_or_else(|| table_err("stress-soten-criteria", 1, "no row"))?
            .map_err(|e| table_err("stress-soten-criteria", 1, e.to_string()))?;
        let mut kv = std::collections::BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(HANTEIZU_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let r = rec.map_err(|e| table_err("stress-hanteizu", i + 1, e.to_string()))?;
            let v: f64 = r.get(1).unwrap_or("").parse().map_err(|_| table_err("stress-hanteizu", i + 1, "value"))?;
            kv.insert(r.get(0).unwrap_or("").to_string(), v);
        }
        let k = |name: &str| {
            kv.get(name).copied().ok_or_else(|| table_err("stress-hanteizu", 0, format!("{name} missing")))
        };
        let hanteizu = Hanteizu {
            mean_quant: k("mean_quant")?,
            coef_quant: k("coef_quant")?,
            mean_ctrl: k("mean_ctrl")?,
            coef_ctrl: k("coef_ctrl")?,
            mean_boss: k("mean_boss")?,
            coef_boss: k("coef_boss")?,
            mean_cowork: k("mean_cowork")?,
            coef_cowork: k("coef_cowork")?,
            cap: k("cap")?,
            min_group: k("min_group")? as usize,
        };
        Ok(Self {
            items: items.to_vec(),
            scales,
            bands,
            sum: *sum,
            soten,
            hanteizu,
            version: "bjsq57-items;stress-scales-v1;stress-soten-bands-v1;stress-sum-criteria-v1;stress-soten-criteria-v1;stress-hanteizu-v1".into(),
        })
    }

    /// Scores one sheet by both methods; the 素点換算表 by the respondent's sex.
    pub fn score(&self, answers: &Answers, sex: crate::person::Sex) -> SheetResult {
        let sum = score_sum(&self.items, answers, self.sum);
        let a = answers.as_slice();
        let at = |n: &u8| i32::from(a.get(usize::from(*n) - 1).copied().unwrap_or(0));
        let mut scales = Vec::with_capacity(self.scales.len());
        let (mut sa, mut sb, mut sc) = (0u32, 0u32, 0u32);
        for (si, s) in self.scales.iter().enumerate() {
            let raw = s.constant + s.plus.iter().map(at).sum::<i32>() - s.minus.iter().map(at).sum::<i32>();
            let band =
                self.bands.iter().find(|b| b.scale == si && b.sex == sex && b.raw_from <= raw && raw <= b.raw_to);
            let (column, hyoka) = band.map_or((0, 0), |b| (b.column, b.hyoka));
            if s.in_criterion {
                match s.domain {
                    Section::A => sa += u32::from(hyoka),
                    Section::B => sb += u32::from(hyoka),
                    Section::C => sc += u32::from(hyoka),
                    Section::D => {}
                }
            }
            scales.push(ScaleScore { code: s.code.clone(), raw, column, hyoka });
        }
        let high_soten = sb <= self.soten.b_alone || (sa + sc <= self.soten.ac && sb <= self.soten.b_with_ac);
        SheetResult { sum, scales, soten_a: sa, soten_b: sb, soten_c: sc, high_soten, high_sum: sum.high_stress }
    }

    /// The 仕事のストレス判定図 of a group (sheets with their high-stress decision).
    pub fn group(&self, sheets: &[(&Answers, bool)]) -> GroupResult {
        let n = sheets.len();
        let h = &self.hanteizu;
        let mean = |items: [usize; 3]| {
            if n == 0 {
                return 0.0;
            }
            let total: f64 = sheets
                .iter()
                .map(|(a, _)| {
                    15.0 - items.iter().map(|i| f64::from(a.as_slice().get(i - 1).copied().unwrap_or(0))).sum::<f64>()
                })
                .sum();
            total / n as f64
        };
        let quant = mean([1, 2, 3]);
        let control = mean([8, 9, 10]);
        let boss = mean([47, 50, 53]);
        let cowork = mean([48, 51, 54]);
        let cap = |x: f64| x.min(h.cap);
        let risk_demand_control = cap(h.risk_demand_control(quant, control));
        let risk_support = cap(h.risk_support(boss, cowork));
        GroupResult {
            n,
            quant,
            control,
            boss,
            cowork,
            risk_demand_control,
            risk_support,
            total_risk: risk_demand_control * risk_support / 100.0,
            high_stress: sheets.iter().filter(|(_, hs)| *hs).count(),
            disclosable: n >= h.min_group,
        }
    }
}

#[cfg(test)]
mod tests;
