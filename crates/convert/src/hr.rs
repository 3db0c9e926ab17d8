//! The HR master CSV: employees with names, kana, sex, birth, hire and leave dates, and their
//! establishment, department, position, work content, night work and exposures. Columns are found
//! by their header (Japanese or English names, see [`COLUMNS`]).
//!
//! Planning against the stored company: a new employee number creates the person, the
//! employment, the assignment (from the hire date) and the exposures; a known one updates what
//! changed — a changed department, position, work content or night work closes the current
//! assignment the day before `as_of` and opens a new one; exposures no longer listed end, new ones
//! start; a changed leave date or name is updated. A known employee number whose birth date or sex
//! differs is an error, never a silent merge. The same file twice changes nothing.

use crate::table::{self, TableError};
use crate::text::{EncodingChoice, fold_value};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::normalize::{kana_for_record, name_for_record, search_key};
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person, Sex, WorkRegime};
use iphr_domain::tenant::{Department, Establishment};
use iphr_domain::{AssignmentId, CompanyId, DepartmentId, EmploymentId, EstablishmentId, ExposureId, PersonId};
use iphr_store::{HrState, HrWrite};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

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

/// The embedded agents table (`data/exposure-agents-v1.csv`).
pub fn agents() -> Result<Vec<Agent>, String> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(AGENTS_CSV.as_bytes())
        .deserialize::<Agent>()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| format!("exposure-agents row {}: {e}", i + 1)))
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

/// What an HR import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HrReport {
    /// File.
    pub file: String,
    /// Encoding.
    pub encoding: String,
    /// Rows read.
    pub read: usize,
    /// New employees.
    pub created: usize,
    /// Employees with a change.
    pub updated: usize,
    /// Employees as stored.
    pub unchanged: usize,
    /// Rows refused.
    pub rejected: usize,
    /// Records held for identity review that the new employees let be imported (after the
    /// import; 0 in a dry run).
    pub resolved: usize,
    /// Errors.
    pub errors: Vec<HrError>,
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HrFileError {
    /// Structure.
    #[error("{0}")]
    Table(#[from] TableError),
    /// The agents table.
    #[error("{0}")]
    Agents(String),
}

struct Row {
    line: u64,
    employee_number: String,
    family_name: String,
    given_name: String,
    family_kana: String,
    given_kana: String,
    sex: Sex,
    birth_date: NaiveDate,
    hire_date: NaiveDate,
    leave_date: Option<NaiveDate>,
    establishment: Option<String>,
    department: String,
    position: String,
    work_content: String,
    night_work: bool,
    /// `None` when the file has no such column: the stored regime stays.
    work_regime: Option<WorkRegime>,
    exposures: Vec<Agent>,
    protection: String,
    insurer: InsurerIds,
    name_as_delivered: String,
    kana_as_delivered: String,
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

/// Reads an HR master CSV and plans it against the company's stored state.
pub fn plan(
    bytes: &[u8],
    file_name: &str,
    company: CompanyId,
    state: &HrState,
    as_of: NaiveDate,
) -> Result<(HrWrite, HrReport), HrFileError> {
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
    let mut report = HrReport {
        file: file_name.into(),
        encoding: t.encoding.name().into(),
        read: t.rows.len() + t.misshapen.len(),
        ..Default::default()
    };
    report.errors.extend(t.misshapen.iter().map(|(line, reason)| HrError {
        line: *line,
        field: table::RECORD_FIELD.into(),
        reason: reason.clone(),
    }));
    let mut rows = Vec::new();
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
            report.rejected += 1;
            report.errors.extend(errors);
            continue;
        }
        let (Some(sex), Some(birth_date), Some(hire_date)) = (sex, birth_date, hire_date) else { continue };
        let establishment = Some(get(cells, col("establishment"))).filter(|s| !s.is_empty());
        rows.push(Row {
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

    let mut w = HrWrite::default();
    // Organisation: establishments and departments by name, created as needed.
    let mut ests: Vec<Establishment> = state.establishments.clone();
    let mut depts: Vec<Department> = state.departments.clone();
    let mut est_for = |name: Option<&str>, w: &mut HrWrite| -> EstablishmentId {
        let only = if ests.len() == 1 { ests.first().map(|e| e.name.clone()) } else { None };
        let wanted = name.map(str::to_string).or(only).unwrap_or_else(|| "本社".into());
        if let Some(e) = ests.iter().find(|e| e.name == wanted) {
            return e.id;
        }
        let e = Establishment { company_id: company, id: EstablishmentId::new(), name: wanted };
        w.batch.establishments.push(e.clone());
        let id = e.id;
        ests.push(e);
        id
    };
    let by_no: HashMap<String, &iphr_store::HrEmployee> =
        state.employees.iter().map(|e| (search_key(&e.employment.employee_number), e)).collect();
    let day_before = as_of.pred_opt().unwrap_or(as_of);
    for r in rows {
        let est = est_for(r.establishment.as_deref(), &mut w);
        let dept = match depts.iter().find(|d| d.establishment_id == est && d.name == r.department) {
            Some(d) => d.id,
            None => {
                let d = Department {
                    company_id: company,
                    id: DepartmentId::new(),
                    establishment_id: est,
                    name: r.department.clone(),
                };
                w.batch.departments.push(d.clone());
                let id = d.id;
                depts.push(d);
                id
            }
        };
        let exposure = |employment: EmploymentId, a: &Agent, from: NaiveDate| Exposure {
            company_id: company,
            id: ExposureId::new(),
            employment_id: employment,
            agent: a.agent.clone(),
            agent_name: a.agent_name.clone(),
            regulation: a.regulation.clone(),
            valid_from: from,
            valid_to: None,
            protection: r.protection.clone(),
        };
        match by_no.get(&search_key(&r.employee_number)) {
            None => {
                report.created += 1;
                let person = Person {
                    id: PersonId::new(),
                    family_name: r.family_name.clone(),
                    given_name: r.given_name.clone(),
                    family_kana: r.family_kana.clone(),
                    given_kana: r.given_kana.clone(),
                    sex: r.sex,
                    birth_date: r.birth_date,
                    insurer: r.insurer.clone(),
                    name_as_delivered: Some(r.name_as_delivered.clone()),
                    kana_as_delivered: Some(r.kana_as_delivered.clone()),
                };
                let employment = Employment {
                    company_id: company,
                    id: EmploymentId::new(),
                    person_id: person.id,
                    employee_number: r.employee_number.clone(),
                    hire_date: r.hire_date,
                    leave_date: r.leave_date,
                };
                w.batch.assignments.push(Assignment {
                    company_id: company,
                    id: AssignmentId::new(),
                    employment_id: employment.id,
                    valid_from: r.hire_date,
                    valid_to: r.leave_date,
                    establishment_id: est,
                    department_id: dept,
                    position: r.position.clone(),
                    work_content: r.work_content.clone(),
                    night_work: r.night_work,
                    work_regime: r.work_regime.unwrap_or_default(),
                });
                for a in &r.exposures {
                    w.batch.exposures.push(exposure(employment.id, a, r.hire_date));
                }
                w.batch.persons.push(person);
                w.batch.employments.push(employment);
            }
            Some(have) => {
                if have.person.birth_date != r.birth_date || have.person.sex != r.sex {
                    report.rejected += 1;
                    report.errors.push(HrError {
                        line: r.line,
                        field: "生年月日/性別".into(),
                        reason: format!(
                            "{} is stored as born {} ({}); the file says {} ({}): not merged",
                            r.employee_number, have.person.birth_date, have.person.sex, r.birth_date, r.sex
                        ),
                    });
                    continue;
                }
                let mut changed = false;
                let p = &have.person;
                if (p.family_name.as_str(), p.given_name.as_str(), p.family_kana.as_str(), p.given_kana.as_str())
                    != (r.family_name.as_str(), r.given_name.as_str(), r.family_kana.as_str(), r.given_kana.as_str())
                    || (r.insurer != InsurerIds::default() && r.insurer != p.insurer)
                    || p.name_as_delivered.as_deref() != Some(r.name_as_delivered.as_str())
                    || p.kana_as_delivered.as_deref() != Some(r.kana_as_delivered.as_str())
                {
                    changed = true;
                    let insurer =
                        if r.insurer == InsurerIds::default() { p.insurer.clone() } else { r.insurer.clone() };
                    w.person_updates.push(Person {
                        family_name: r.family_name.clone(),
                        given_name: r.given_name.clone(),
                        family_kana: r.family_kana.clone(),
                        given_kana: r.given_kana.clone(),
                        insurer,
                        name_as_delivered: Some(r.name_as_delivered.clone()),
                        kana_as_delivered: Some(r.kana_as_delivered.clone()),
                        ..p.clone()
                    });
                }
                // The HR master is the source of the hire date (a checkup file that created the
                // person set it to the first checkup's date).
                if have.employment.hire_date != r.hire_date {
                    changed = true;
                    w.hire_dates.push((company, have.employment.id, r.hire_date));
                }
                if have.employment.leave_date != r.leave_date {
                    changed = true;
                    w.leave_dates.push((company, have.employment.id, r.leave_date));
                }
                let regime = r.work_regime.or_else(|| have.current.as_ref().map(|a| a.work_regime)).unwrap_or_default();
                let same_assignment = have.current.as_ref().is_some_and(|a| {
                    a.department_id == dept
                        && a.position == r.position
                        && a.work_content == r.work_content
                        && a.night_work == r.night_work
                        && a.work_regime == regime
                });
                if !same_assignment {
                    changed = true;
                    let from = match &have.current {
                        Some(a) => {
                            let last = day_before.max(a.valid_from);
                            w.close_assignments.push((company, a.id, last));
                            last.succ_opt().unwrap_or(as_of)
                        }
                        None => r.hire_date,
                    };
                    w.batch.assignments.push(Assignment {
                        company_id: company,
                        id: AssignmentId::new(),
                        employment_id: have.employment.id,
                        valid_from: from,
                        valid_to: r.leave_date,
                        establishment_id: est,
                        department_id: dept,
                        position: r.position.clone(),
                        work_content: r.work_content.clone(),
                        night_work: r.night_work,
                        work_regime: regime,
                    });
                }
                let wanted: BTreeSet<(&str, &str)> =
                    r.exposures.iter().map(|a| (a.agent.as_str(), r.protection.as_str())).collect();
                let current: BTreeSet<(&str, &str)> =
                    have.exposures.iter().map(|x| (x.agent.as_str(), x.protection.as_str())).collect();
                for x in &have.exposures {
                    if !wanted.contains(&(x.agent.as_str(), x.protection.as_str())) {
                        changed = true;
                        w.end_exposures.push((company, x.id, day_before.max(x.valid_from)));
                    }
                }
                for a in &r.exposures {
                    if !current.contains(&(a.agent.as_str(), r.protection.as_str())) {
                        changed = true;
                        w.batch.exposures.push(exposure(have.employment.id, a, as_of));
                    }
                }
                if changed {
                    report.updated += 1;
                } else {
                    report.unchanged += 1;
                }
            }
        }
    }
    Ok((w, report))
}
