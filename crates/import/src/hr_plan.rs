//! Planning an HR master file (人事マスタ) against the company as stored: a new employee number
//! creates the person, the employment, the assignment (from the hire date) and the exposures; a
//! known one updates what changed — a changed department, position, work content or night work
//! closes the current assignment the day before `as_of` and opens a new one; exposures no longer
//! listed end, new ones start; a changed leave date or name is updated. A known employee number
//! whose birth date or sex differs is an error, never a silent merge. The same file twice changes
//! nothing. The rows come from [`iphr_convert::hr::parse`]; planning reads and writes nothing.

use crate::outcome::{HrReport, Issue};
use chrono::NaiveDate;
use iphr_convert::hr::{Agent, ParsedHr};
use iphr_domain::normalize::search_key;
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person};
use iphr_domain::tenant::{Department, Establishment};
use iphr_domain::{AssignmentId, CompanyId, DepartmentId, EmploymentId, EstablishmentId, ExposureId, PersonId};
use iphr_store::{HrEmployee, HrState, HrWrite};
use std::collections::{BTreeSet, HashMap};

/// Plans the rows of an HR master file against the company's stored state; changes of
/// assignment take effect on `as_of`. The report names `file_name`; its SHA-256 and the
/// outcome are the engine's.
pub fn plan(
    parsed: &ParsedHr,
    file_name: &str,
    company: CompanyId,
    state: &HrState,
    as_of: NaiveDate,
) -> (HrWrite, HrReport) {
    let mut report = HrReport {
        file: file_name.into(),
        encoding: Some(parsed.encoding.name().into()),
        read: parsed.read,
        rejected: parsed.rejected,
        errors: parsed.errors.iter().map(|e| Issue::at_line(file_name, e.line, &e.field, &e.reason)).collect(),
        ..Default::default()
    };
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
    let by_no: HashMap<String, &HrEmployee> =
        state.employees.iter().map(|e| (search_key(&e.employment.employee_number), e)).collect();
    let day_before = as_of.pred_opt().unwrap_or(as_of);
    for r in &parsed.rows {
        let est = est_for(r.establishment.as_deref(), &mut w);
        // A department may be given as its path, 部/課/係 (「製造部/製造一課/一係」, also ／ or >):
        // each level is found under the one above it, or created there.
        let mut parent: Option<DepartmentId> = None;
        for level in department_levels(&r.department) {
            let found = depts.iter().find(|d| d.establishment_id == est && d.parent_id == parent && d.name == level);
            parent = Some(match found {
                Some(d) => d.id,
                None => {
                    let d = Department {
                        company_id: company,
                        id: DepartmentId::new(),
                        establishment_id: est,
                        parent_id: parent,
                        name: level.to_string(),
                    };
                    w.batch.departments.push(d.clone());
                    let id = d.id;
                    depts.push(d);
                    id
                }
            });
        }
        let Some(dept) = parent else { continue };
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
                report.summary.created += 1;
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
                    report.errors.push(Issue::at_line(
                        file_name,
                        r.line,
                        "生年月日/性別",
                        format!(
                            "{} is stored as born {} ({}); the file says {} ({}): not merged",
                            r.employee_number, have.person.birth_date, have.person.sex, r.birth_date, r.sex
                        ),
                    ));
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
                    report.summary.updated += 1;
                } else {
                    report.summary.unchanged += 1;
                }
            }
        }
    }
    (w, report)
}

/// The levels of a department path (部/課/係), trimmed; a name without a separator is one level,
/// and a name of separators only is taken as written (the row is never dropped).
pub fn department_levels(path: &str) -> Vec<&str> {
    let levels: Vec<&str> = path.split(['/', '／', '>', '＞']).map(str::trim).filter(|l| !l.is_empty()).collect();
    if levels.is_empty() { vec![path.trim()] } else { levels }
}

#[cfg(test)]
mod department_tests {
    use super::department_levels;

    #[test]
    fn department_paths_split_into_levels() {
        assert_eq!(department_levels("製造部/製造一課/一係"), vec!["製造部", "製造一課", "一係"]);
        assert_eq!(department_levels("製造部 ／ 製造一課"), vec!["製造部", "製造一課"]);
        assert_eq!(department_levels("総務部"), vec!["総務部"]);
        assert_eq!(department_levels("営業部>第一営業課"), vec!["営業部", "第一営業課"]);
        assert_eq!(department_levels("/"), vec!["/"]);
    }
}
