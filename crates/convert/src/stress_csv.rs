//! Stress-check answers keyed in from paper: one row per worker with the 57 answers of the
//! 職業性ストレス簡易調査票 (1–4 each). Each row becomes a stress-check record with the 57 coded
//! answers (Ca201…Cd202) and the section sums of the simple-sum method (Ca1010001Z, Cb1010001Z,
//! Cc1010001Z; MHLW 実施マニュアル 評価基準の例その1). Which method decides high stress is the
//! company's choice and is applied by the stress-check unit, not here.
//!
//! Headers: 社員番号, 実施日 (or 回答日), then the answers as `Q1`…`Q57`, `問1`…`問57`, `1`…`57`,
//! or by section `A1`…`A17`, `B1`…`B29`, `C1`…`C9`, `D1`, `D2`.

use crate::checkup_csv::{Identity, ItemResult, ResultValue, RowError};
use crate::records::{ParsedRecords, Record};
use crate::table::{self, TableError, fold_header};
use crate::text::{EncodingChoice, fold_value};
use crate::wareki::parse_date;
use iphr_domain::event::EventKind;
use iphr_domain::ohcc::{ItemCode, Producer};
use iphr_domain::stress::{self, Answers, Section};
use serde_json::json;

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StressFileError {
    /// Structure.
    #[error("{0}")]
    Table(#[from] TableError),
    /// A required column is missing.
    #[error("line {line}: no column for {field}")]
    MissingColumn {
        /// Header line.
        line: u64,
        /// Field.
        field: String,
    },
    /// The embedded questionnaire tables (a defect of the build).
    #[error("{0}")]
    Items(stress::StressTableError),
}

/// The OHCC item of answer `n` (1–57): section letter and the number within the section.
fn answer_item(section: Section, k: u8) -> Option<ItemCode> {
    let sub = match section {
        Section::A => 'a',
        Section::B => 'b',
        Section::C => 'c',
        Section::D => 'd',
    };
    ItemCode::parse(&format!("C{sub}2{k:02}0000Z")).ok()
}

/// Reads a stress-check answer file into stress-check records.
pub fn parse(bytes: &[u8]) -> Result<ParsedRecords, StressFileError> {
    let items = stress::items().map_err(StressFileError::Items)?;
    let t = table::read(bytes, EncodingChoice::Auto)?;
    let folded: Vec<String> = t.header.iter().map(|h| fold_header(h).to_uppercase()).collect();
    let find = |names: &[String]| names.iter().find_map(|n| folded.iter().position(|h| h == n));
    let missing = |field: &str| StressFileError::MissingColumn { line: t.header_line, field: field.into() };
    let c_no =
        find(&["社員番号".into(), "従業員番号".into(), "EMPLOYEE_NUMBER".into()]).ok_or_else(|| missing("社員番号"))?;
    let c_date =
        find(&["実施日".into(), "回答日".into(), "受検日".into(), "DATE".into()]).ok_or_else(|| missing("実施日"))?;
    // Section numbering: the k-th item of each section.
    let mut in_section = [0u8; 4];
    let mut cols = Vec::with_capacity(57);
    for it in items {
        let (s, letter) = match it.section {
            Section::A => (0, "A"),
            Section::B => (1, "B"),
            Section::C => (2, "C"),
            Section::D => (3, "D"),
        };
        let k = match in_section.get_mut(s) {
            Some(count) => {
                *count += 1;
                *count
            }
            None => 0,
        };
        let n = it.number;
        let c = find(&[format!("Q{n}"), format!("問{n}"), format!("{n}"), format!("{letter}{k}")])
            .ok_or_else(|| missing(&format!("answer {n} (Q{n} / {letter}{k})")))?;
        cols.push((it.clone(), k, c));
    }
    let get = |cells: &Vec<String>, c: usize| cells.get(c).cloned().unwrap_or_default();
    let header = |c: usize| t.header.get(c).cloned().unwrap_or_default();
    let mut out = ParsedRecords {
        encoding: t.encoding,
        rows_read: t.rows.len() + t.misshapen.len(),
        records: vec![],
        errors: table::misshapen_errors(&t),
        unmapped: vec![],
        warnings: vec![],
    };
    let criteria = stress::SumCriteria::mhlw_example().map_err(StressFileError::Items)?;
    for (line, cells) in &t.rows {
        let line = *line;
        let mut errors = Vec::new();
        let no = fold_value(&get(cells, c_no));
        if no.is_empty() {
            errors.push(RowError { line, field: header(c_no), reason: "empty".into() });
        }
        let date = parse_date(&get(cells, c_date))
            .map_err(|e| errors.push(RowError { line, field: header(c_date), reason: e.to_string() }))
            .ok();
        let mut answers = Vec::with_capacity(57);
        for (it, _, c) in &cols {
            let raw = fold_value(&get(cells, *c));
            match raw.parse::<u8>() {
                Ok(x @ 1..=4) => answers.push(x),
                _ => errors.push(RowError {
                    line,
                    field: header(*c),
                    reason: if raw.is_empty() {
                        format!("answer {} is missing: every answer is required", it.number)
                    } else {
                        format!("answer {} is {raw:?}; expected 1-4", it.number)
                    },
                }),
            }
        }
        if !errors.is_empty() {
            out.errors.extend(errors);
            continue;
        }
        let (Some(date), Ok(sheet)) = (date, Answers::parse(answers)) else { continue };
        let sums = stress::score_sum(items, &sheet, *criteria);
        let mut results: Vec<ItemResult> = cols
            .iter()
            .zip(sheet.as_slice())
            .filter_map(|((it, k, c), x)| {
                Some(ItemResult {
                    line,
                    column: header(*c).into(),
                    item: answer_item(it.section, *k)?,
                    source_code: header(*c).into(),
                    source_text: it.text_ja.as_str().into(),
                    raw: x.to_string(),
                    source_unit: None,
                    value: ResultValue::Code(x.to_string()),
                    warning: None,
                })
            })
            .collect();
        for (code, v) in [("Ca1010001Z", sums.a), ("Cb1010001Z", sums.b), ("Cc1010001Z", sums.c)] {
            if let Ok(item) = ItemCode::parse(code) {
                results.push(ItemResult {
                    line,
                    column: "(sum)".into(),
                    item,
                    source_code: code.into(),
                    source_text: "合計点数方式 (評価基準の例その1)".into(),
                    raw: v.to_string(),
                    source_unit: None,
                    value: ResultValue::Number {
                        value: f64::from(v),
                        unit: "{score}".into(),
                        comparator: None,
                        flag: None,
                        scale: None,
                    },
                    warning: None,
                });
            }
        }
        out.records.push(Record {
            line,
            identity: Identity { employee_number: Some(no), ..Default::default() },
            date,
            kind: EventKind::StressCheck,
            subkind: Some("bjsq57".into()),
            title: "ストレスチェック(57項目)".into(),
            producer: Producer::Worker,
            detail: json!({ "questionnaire": "bjsq57", "source": "paper", "answers": sheet.as_slice() }),
            results,
        });
    }
    Ok(out)
}
