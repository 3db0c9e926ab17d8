//! ストレスチェック — the 57-item 職業性ストレス簡易調査票 (BJSQ-57) and the simple-sum
//! high-stress method (評価基準の例（その1）).
//!
//! Items and reverse flags: `data/bjsq57-items.csv` (from oh-bjsq57-items.csv, checked against
//! the MHLW questionnaire); criteria: `data/stress-sum-criteria-v1.csv` (MHLW 実施マニュアル
//! p.43–46). The 素点換算表 method and the 19 scales come with the stress-check unit.

use serde::{Deserialize, Serialize};

const ITEMS_CSV: &str = include_str!("../data/bjsq57-items.csv");
const SUM_CRITERIA_CSV: &str = include_str!("../data/stress-sum-criteria-v1.csv");

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

/// The 57 items.
pub fn items() -> Result<Vec<Item>, StressTableError> {
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
    /// The MHLW example criteria (`data/stress-sum-criteria-v1.csv`).
    pub fn mhlw_example() -> Result<Self, StressTableError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Vec<Item>, SumCriteria) {
        match (items(), SumCriteria::mhlw_example()) {
            (Ok(i), Ok(c)) => (i, c),
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn tables_load() {
        let (items, c) = setup();
        assert_eq!(items.len(), 57);
        assert_eq!(c, SumCriteria { b_alone: 77, ac: 76, b_with_ac: 63 });
        // Reverse items in the sum method: A1–A7, A11–A13, A15, B1–B3 (oh-rules.md §4.2).
        let rev: Vec<u8> = items.iter().filter(|i| i.reverse_in_sum).map(|i| i.number).collect();
        assert_eq!(rev, vec![1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 15, 18, 19, 20]);
    }

    fn sheet(a: u8, b: u8, c: u8) -> Answers {
        // Every item of a section answered so that each scores `a`, `b`, `c` after reversal.
        let (items, _) = setup();
        let v = items
            .iter()
            .map(|i| {
                let want = match i.section {
                    Section::A => a,
                    Section::B => b,
                    Section::C => c,
                    Section::D => 1,
                };
                if i.reverse_in_sum { 5 - want } else { want }
            })
            .collect();
        match Answers::parse(v) {
            Ok(s) => s,
            Err(e) => unreachable!("{e}"),
        }
    }

    #[test]
    fn sum_method_boundaries() {
        let (items, crit) = setup();
        // All 1s: A 17, B 29, C 9, not high stress.
        assert_eq!(score_sum(&items, &sheet(1, 1, 1), crit), SumResult { a: 17, b: 29, c: 9, high_stress: false });
        // All 4s: A 68, B 116, C 36.
        assert_eq!(score_sum(&items, &sheet(4, 4, 4), crit), SumResult { a: 68, b: 116, c: 36, high_stress: true });
        // B exactly 77 (27×3 − … ): build by hand on the answer vector.
        let mut v = sheet(1, 2, 1).as_slice().to_vec(); // B = 58
        let b_items: Vec<usize> =
            items.iter().enumerate().filter(|(_, i)| i.section == Section::B).map(|(k, _)| k).collect();
        let bump = |v: &mut Vec<u8>, n: usize| {
            // raise n B-points: each step moves one item's score from 2 to 3
            for &k in b_items.iter().take(n) {
                if let Some(x) = v.get_mut(k) {
                    let rev = items.get(k).is_some_and(|i| i.reverse_in_sum);
                    *x = if rev { 5 - 3 } else { 3 };
                }
            }
        };
        bump(&mut v, 19); // B = 58 + 19 = 77
        let r = score_sum(&items, &Answers::parse(v.clone()).unwrap_or_else(|_| unreachable!()), crit);
        assert_eq!((r.b, r.high_stress), (77, true));
        let mut v76 = sheet(1, 2, 1).as_slice().to_vec();
        bump(&mut v76, 18); // B = 76, A + C = 26
        let r = score_sum(&items, &Answers::parse(v76).unwrap_or_else(|_| unreachable!()), crit);
        assert_eq!((r.b, r.high_stress), (76, false));
        // A + C = 76 and B = 63: high; A + C = 75: not.
        // A = 4×17 = 68, C = 8 needs C 9 min → use A 68 + C 9 = 77 ≥ 76 and B at 58 (all 2s): not high (B < 63).
        let r = score_sum(&items, &sheet(4, 2, 1), crit);
        assert_eq!((r.a + r.c, r.b, r.high_stress), (77, 58, false));
        let mut v = sheet(4, 2, 1).as_slice().to_vec();
        bump(&mut v, 5); // B = 63
        let r = score_sum(&items, &Answers::parse(v).unwrap_or_else(|_| unreachable!()), crit);
        assert_eq!((r.a + r.c, r.b, r.high_stress), (77, 63, true));
        let mut v = sheet(4, 2, 1).as_slice().to_vec();
        bump(&mut v, 4); // B = 62
        let r = score_sum(&items, &Answers::parse(v).unwrap_or_else(|_| unreachable!()), crit);
        assert_eq!((r.b, r.high_stress), (62, false));
    }

    #[test]
    fn answers_are_validated() {
        assert_eq!(Answers::parse(vec![1; 56]), Err(AnswerError::Count(56)));
        let mut v = vec![1; 57];
        v[9] = 5;
        assert_eq!(Answers::parse(v), Err(AnswerError::Range { item: 10, value: 5 }));
    }
}
