//! The HR master CSV: employees with names, kana, sex, birth, hire and leave dates, and their
//! establishment, department, position, work content, night work and exposures. Columns are found
//! by their header (Japanese or English names, see [`COLUMNS`]).
//!
//! [`parse`] reads the rows — every row error names its line and column — and gives the valid
//! ones as [`HrRow`]s; planning them against the stored company is the import engine's
//! (`iphr-import`).

use crate::table::{self, TableError};
use crate::text::{Encoding, EncodingChoice, fold_value};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::normalize::{kana_for_record, name_for_record, search_key};
use iphr_domain::ohcc::TableError as CodeTableError;
use iphr_domain::person::{InsurerIds, Sex, WorkRegime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

const AGENTS_CSV: &str = include_str!("../data/exposure-agents-v1.csv");

/// Fields and the header names that mean them.
pub const COLUMNS: crate::table::Aliases = &[
    ("employee_number", &["社員番号", "従業員番号", "社員NO", "employee_number"]),
    ("name", &["氏名", "name"]),
    ("family_name", &["姓", "family_name"]),
    ("given_name", &["名", "given_name"]),
    ("kana", &["カナ", "フリガナ", "氏名カナ", "kana"]),
    ("family_kana", &["セイ", "family_kana"]),
    ("given_kana", &["メイ", "given_kana"]),
    ("sex", &["性別", "sex"]),
    ("birth_date", &["生年月日", "birth_date"]),
    ("hire_date", &["入社日", "雇入日", "hire_date"]),
    ("leave_date", &["退職日", "leave_date"]),
    ("establishment", &["事業場", "establishment"]),
    ("department", &["所属", "部署", "department"]),
    ("position", &["役職", "position"]),
    ("work_content", &["作業内容", "業務内容", "work_content"]),
    ("night_work", &["深夜業", "night_work"]),
    ("work_regime", &["労働時間制度", "労働時間制", "work_regime"]),
    ("exposures", &["有害業務", "ばく露", "exposures"]),
    ("protection", &["保護具", "protection"]),
    ("insurer_number", &["保険者番号", "insurer_number"]),
    ("insured_symbol", &["記号", "insured_symbol"]),
    ("insured_number", &["番号", "insured_number"]),
];

/// A hazardous agent of the agents table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Agent {
    /// Name as written in HR files (folded for matching).
    pub name: String,
    /// Agent code.
    pub agent: String,
    /// Display name.
    pub agent_name: String,
    /// Statute.
    pub regulation: String,
}

/// The embedded agents table (`data/exposure-agents-v1.csv`: the hazardous agents HR files name,
/// each with the regulation that governs its 特殊健康診断 — 有機則, 特化則, 鉛則, 石綿則, 電離則,
/// じん肺法), parsed once per process; an error is a defect of the build.
pub fn agents() -> Result<&'static [Agent], CodeTableError> {
    static AGENTS: OnceLock<Result<Vec<Agent>, CodeTableError>> = OnceLock::new();
    AGENTS.get_or_init(parse_agents).as_ref().map(Vec::as_slice).map_err(Clone::clone)
}

/// Parses the embedded agents table (once per process, through [`agents`]).
fn parse_agents() -> Result<Vec<Agent>, CodeTableError> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(AGENTS_CSV.as_bytes())
        .deserialize::<Agent>()
        .enumerate()
        .map(|(i, r)| {
            r.map_err(|e| CodeTableError {
                table: "exposure-agents".into(),
                row: i + 1,
                field: "(row)".into(),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// An error of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HrError {
    /// Line.
    pub line: u64,
    /// Column.
    pub field: String,
    /// Reason.
    pub reason: String,
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HrFileError {
    /// Structure.
    #[error("{0}")]
    Table(#[from] TableError),
    /// The embedded agents table (a defect of the build).
    #[error("{0}")]
    Agents(CodeTableError),
}

/// One valid row of an HR master file: the employee as the file gives them, names and kana as
/// they go into the record (half-width kana widened, spaces folded) with the text as delivered
/// beside them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HrRow {
    /// Line.
    pub line: u64,
    /// 社員番号 (folded).
    pub employee_number: String,
    /// Family name.
    pub family_name: String,
    /// Given name.
    pub given_name: String,
    /// Family name in kana.
    pub family_kana: String,
    /// Given name in kana.
    pub given_kana: String,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// 雇入日 (hire date).
    pub hire_date: NaiveDate,
    /// 退職日 (leave date), if given.
    pub leave_date: Option<NaiveDate>,
    /// 事業場 (establishment) by name, if given.
    pub establishment: Option<String>,
    /// 所属 (department) by name.
    pub department: String,
    /// 役職 (position).
    pub position: String,
    /// 作業内容 (work content).
    pub work_content: String,
    /// 深夜業 (night work; 労働安全衛生規則 第45条 特定業務従事者).
    pub night_work: bool,
    /// 労働時間制度; `None` when the file has no such column: the stored regime stays.
    pub work_regime: Option<WorkRegime>,
    /// 有害業務 (the agents the employee is exposed to).
    pub exposures: Vec<Agent>,
    /// 保護具 (protective equipment).
    pub protection: String,
    /// Insurer identifiers (保険者番号, 記号, 番号).
    pub insurer: InsurerIds,
    /// The name as the file wrote it.
    pub name_as_delivered: String,
    /// The kana as the file wrote it.
    pub kana_as_delivered: String,
}

/// An HR master file as read: its valid rows and the errors of the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedHr {
    /// Encoding read.
    pub encoding: Encoding,
    /// Data rows read (well-formed or not).
    pub read: usize,
    /// Rows refused for errors.
    pub rejected: usize,
    /// The rows without errors, in file order.
    pub rows: Vec<HrRow>,
    /// Errors: misshapen records first, then each refused row's, in file order.
    pub errors: Vec<HrError>,
}

fn split_name(s: &str) -> (String, String) {
    let s = s.replace('\u{3000}', " ");
    match s.trim().split_once(' ') {
        Some((a, b)) => (a.trim().to_string(), b.trim().to_string()),
        None => (s.trim().to_string(), String::new()),
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match fold_value(s).to_lowercase().as_str() {
        "" | "なし" | "無" | "no" | "n" | "0" | "false" | "-" => Some(false),
        "あり" | "有" | "yes" | "y" | "1" | "true" | "○" => Some(true),
        _ => None,
    }
}

/// Reads an HR master CSV: the valid rows, and an error naming the line and column for every
/// value that cannot be read (a row with one is refused whole).
pub fn parse(bytes: &[u8]) -> Result<ParsedHr, HrFileError> {
    let t = table::read(bytes, EncodingChoice::Auto)?;
    let agents = agents().map_err(HrFileError::Agents)?;
    let agent_by_name: HashMap<String, &Agent> =
        agents.iter().map(|a| (fold_value(&a.name).to_lowercase(), a)).collect();
    let col = |field: &str| t.column(COLUMNS, field);
    let need = |field: &str| t.required(COLUMNS, field);
    let c_no = need("employee_number")?;
    let c_sex = need("sex")?;
    let c_birth = need("birth_date")?;
    let c_hire = need("hire_date")?;
    let c_dept = need("department")?;
    let (c_name, c_family, c_given) = (col("name"), col("family_name"), col("given_name"));
    if c_name.is_none() && (c_family.is_none() || c_given.is_none()) {
        need("name")?;
    }
    let (c_kana, c_fk, c_gk) = (col("kana"), col("family_kana"), col("given_kana"));
    if c_kana.is_none() && (c_fk.is_none() || c_gk.is_none()) {
        need("kana")?;
    }
    let get = |cells: &Vec<String>, c: Option<usize>| c.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
    let mut parsed = ParsedHr {
        encoding: t.encoding,
        read: t.rows.len() + t.misshapen.len(),
        rejected: 0,
        rows: Vec::new(),
        errors: Vec::new(),
    };
    parsed.errors.extend(t.misshapen.iter().map(|(line, reason)| HrError {
        line: *line,
        field: table::RECORD_FIELD.into(),
        reason: reason.clone(),
    }));
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, cells) in &t.rows {
        let line = *line;
        let mut errors = Vec::new();
        let mut e = |field: usize, reason: String| {
            errors.push(HrError { line, field: t.header.get(field).cloned().unwrap_or_default(), reason })
        };
        let no = fold_value(&get(cells, Some(c_no)));
        if no.is_empty() {
            e(c_no, "empty".into());
        } else if let Some(first) = seen.insert(search_key(&no), line) {
            e(c_no, format!("{no} again (first on line {first})"));
        }
        // Names and kana for the record (half-width kana widened, spaces folded); as delivered
        // beside them.
        let name_as_delivered = match c_name {
            Some(c) if !get(cells, Some(c)).is_empty() => get(cells, Some(c)),
            _ => format!("{} {}", get(cells, c_family), get(cells, c_given)).trim().to_string(),
        };
        let (family_name, given_name) = split_name(&name_for_record(&name_as_delivered));
        if family_name.is_empty() {
            e(c_name.or(c_family).unwrap_or(c_no), "empty name".into());
        }
        let kana_as_delivered = match c_kana {
            Some(c) if !get(cells, Some(c)).is_empty() => get(cells, Some(c)),
            _ => format!("{} {}", get(cells, c_fk), get(cells, c_gk)).trim().to_string(),
        };
        let (family_kana, given_kana) = split_name(&kana_for_record(&kana_as_delivered));
        if family_kana.is_empty() {
            e(c_kana.or(c_fk).unwrap_or(c_no), "empty kana".into());
        }
        // Full-width 1/2 and Ｍ/Ｆ as the checkup import reads them.
        let sex = fold_value(&get(cells, Some(c_sex))).parse::<Sex>().map_err(|x| e(c_sex, x.to_string())).ok();
        let mut date = |c: usize| parse_date(&get(cells, Some(c))).map_err(|x| e(c, x.to_string())).ok();
        let birth_date = date(c_birth);
        let hire_date = date(c_hire);
        let leave_date = match col("leave_date").map(|c| (c, get(cells, Some(c)))) {
            Some((c, v)) if !v.is_empty() => parse_date(&v).map_err(|x| e(c, x.to_string())).ok(),
            _ => None,
        };
        let department = get(cells, Some(c_dept));
        if department.is_empty() {
            e(c_dept, "empty".into());
        }
        let night_work = match col("night_work") {
            Some(c) => parse_bool(&get(cells, Some(c))).unwrap_or_else(|| {
                e(c, format!("{:?} is not あり/なし", get(cells, Some(c))));
                false
            }),
            None => false,
        };
        let work_regime = col("work_regime").map(|c| {
            let v = get(cells, Some(c));
            WorkRegime::parse(&v).unwrap_or_else(|| {
                e(c, format!("{v:?} is not 一般/研究開発/高度プロフェッショナル"));
                WorkRegime::General
            })
        });
        let mut exposures = Vec::new();
        if let Some(c) = col("exposures") {
            for name in get(cells, Some(c)).split(['、', ';', '；', '/']).map(str::trim).filter(|n| !n.is_empty()) {
                match agent_by_name.get(&fold_value(name).to_lowercase()) {
                    Some(a) => exposures.push((*a).clone()),
                    None => {
                        e(c, format!("unknown agent {name:?} (add it to crates/convert/data/exposure-agents-v1.csv)"))
                    }
                }
            }
        }
        if let (Some(h), Some(l)) = (hire_date, leave_date)
            && l < h
        {
            e(col("leave_date").unwrap_or(c_hire), format!("leave date {l} before hire date {h}"));
        }
        if !errors.is_empty() {
            parsed.rejected += 1;
            parsed.errors.extend(errors);
            continue;
        }
        let (Some(sex), Some(birth_date), Some(hire_date)) = (sex, birth_date, hire_date) else { continue };
        let establishment = Some(get(cells, col("establishment"))).filter(|s| !s.is_empty());
        parsed.rows.push(HrRow {
            line,
            employee_number: no,
            family_name,
            given_name,
            family_kana,
            given_kana,
            sex,
            birth_date,
            hire_date,
            leave_date,
            establishment,
            department,
            position: get(cells, col("position")),
            work_content: get(cells, col("work_content")),
            night_work,
            work_regime,
            exposures,
            protection: get(cells, col("protection")),
            insurer: InsurerIds {
                insurer_number: Some(fold_value(&get(cells, col("insurer_number")))).filter(|s| !s.is_empty()),
                symbol: Some(get(cells, col("insured_symbol"))).filter(|s| !s.is_empty()),
                number: Some(fold_value(&get(cells, col("insured_number")))).filter(|s| !s.is_empty()),
            },
            name_as_delivered,
            kana_as_delivered,
        });
    }
    Ok(parsed)
}
