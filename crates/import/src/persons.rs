//! `--create-persons`: the persons a checkup CSV names that the company does not know, created
//! in the import's own transaction for a company that keeps no HR master in iphr. Only a
//! record whose identity matches no employee at all and gives everything a person needs —
//! employee number, name, kana, birth date and sex — creates one; an ambiguous or conflicting
//! record, or one without those, is held for identity review as in any import (a warning says
//! why it was not created). The hire date is not in a checkup file: it is set to the person's
//! first checkup in the file until an HR master gives the real one (the HR import corrects it).

use chrono::NaiveDate;
use iphr_convert::checkup_csv::{RowError, Visit};
use iphr_domain::audit::AuditEntry;
use iphr_domain::identity::{Candidate, Match, Matcher};
use iphr_domain::normalize::{kana_for_record, name_for_record, search_key};
use iphr_domain::person::{Employment, InsurerIds, Person, Sex};
use iphr_domain::{AuditId, CompanyId, EmploymentId, PersonId};
use iphr_store::{Batch, ImportWrite};
use std::collections::HashMap;

/// A person to create, as the file first names them.
struct Pending {
    line: u64,
    employee_number: String,
    name: String,
    kana: String,
    birth_date: NaiveDate,
    sex: Sex,
    insurer: InsurerIds,
    first_date: NaiveDate,
}

/// The persons to create, collected while the file is converted.
pub(crate) struct Creating {
    company: CompanyId,
    by_number: HashMap<String, Pending>,
    order: Vec<String>,
    /// Every visit of a person to create: (employee key, date, line), in file order.
    visits: Vec<(String, NaiveDate, u64)>,
    warnings: Vec<RowError>,
}

/// The persons created, ready to write.
#[derive(Default)]
pub(crate) struct Created {
    pub(crate) persons: Vec<Person>,
    employments: Vec<Employment>,
    /// What the matcher is given of them.
    pub(crate) candidates: Vec<Candidate>,
    /// Their (person, date) keys with the lines they occur on, in file order.
    pub(crate) visits: Vec<((PersonId, NaiveDate), u64)>,
    /// Records not created, with the reason (they are held for review).
    pub(crate) warnings: Vec<RowError>,
    company: Option<CompanyId>,
}

impl Creating {
    pub(crate) fn new(company: CompanyId) -> Self {
        Self { company, by_number: HashMap::new(), order: Vec::new(), visits: Vec::new(), warnings: Vec::new() }
    }

    /// A visit whose person is not matched: collected when no employee fits it at all.
    pub(crate) fn offer(&mut self, matcher: &Matcher, v: &Visit) {
        let id = &v.identity;
        if !matches!(matcher.find(&iphr_convert::records::incoming(id)), Match::Unknown) {
            return;
        }
        let family = id.family_name.as_deref().unwrap_or("").trim();
        let mut missing = Vec::new();
        if id.employee_number.as_deref().is_none_or(|n| n.trim().is_empty()) {
            missing.push("社員番号");
        }
        if family.is_empty() {
            missing.push("氏名");
        }
        if id.kana.as_deref().is_none_or(|k| k.trim().is_empty()) {
            missing.push("カナ");
        }
        if id.birth_date.is_none() {
            missing.push("生年月日");
        }
        if id.sex.is_none() {
            missing.push("性別");
        }
        let (Some(no), Some(kana), Some(birth_date), Some(sex), true) =
            (id.employee_number.as_deref(), id.kana.as_deref(), id.birth_date, id.sex, missing.is_empty())
        else {
            self.warnings.push(RowError {
                line: v.line,
                field: "identity".into(),
                reason: format!("not created ({} not given): held for identity review", missing.join(", ")),
            });
            return;
        };
        let key = search_key(no);
        let name = format!("{family} {}", id.given_name.as_deref().unwrap_or("")).trim().to_string();
        match self.by_number.get_mut(&key) {
            Some(p) => {
                if p.birth_date != birth_date || p.sex != sex || search_key(&p.kana) != search_key(kana) {
                    // The record contradicts the person created from an earlier line: it is held
                    // as a conflict, as any record whose employee number has another birth date.
                    self.warnings.push(RowError {
                        line: v.line,
                        field: "identity".into(),
                        reason: format!(
                            "employee number {no} is given with another kana, birth date or sex than on line {}: held \
                             for identity review",
                            p.line
                        ),
                    });
                    return;
                }
                p.first_date = p.first_date.min(v.date);
            }
            None => {
                self.order.push(key.clone());
                self.by_number.insert(
                    key.clone(),
                    Pending {
                        line: v.line,
                        employee_number: no.to_string(),
                        name,
                        kana: kana.to_string(),
                        birth_date,
                        sex,
                        insurer: id.insurer.clone(),
                        first_date: v.date,
                    },
                );
            }
        }
        self.visits.push((key, v.date, v.line));
    }

    /// The persons, employments and matcher candidates to create.
    pub(crate) fn finish(self) -> Created {
        let mut out = Created { warnings: self.warnings, company: Some(self.company), ..Created::default() };
        let mut ids: HashMap<&str, PersonId> = HashMap::new();
        for key in &self.order {
            let Some(p) = self.by_number.get(key) else { continue };
            let (family_name, given_name) = split(&name_for_record(&p.name));
            let (family_kana, given_kana) = split(&kana_for_record(&p.kana));
            let person = Person {
                id: PersonId::new(),
                family_name,
                given_name,
                family_kana,
                given_kana,
                sex: p.sex,
                birth_date: p.birth_date,
                insurer: p.insurer.clone(),
                name_as_delivered: Some(p.name.clone()),
                kana_as_delivered: Some(p.kana.clone()),
            };
            let employment = Employment {
                company_id: self.company,
                id: EmploymentId::new(),
                person_id: person.id,
                employee_number: p.employee_number.clone(),
                hire_date: p.first_date,
                leave_date: None,
            };
            out.candidates.push(Candidate {
                employment_id: employment.id,
                person_id: person.id,
                employee_number: employment.employee_number.clone(),
                kana: person.full_kana(),
                birth_date: person.birth_date,
                sex: person.sex,
                insurer_number: person.insurer.insurer_number.clone(),
                insured_symbol: person.insurer.symbol.clone(),
                insured_number: person.insurer.number.clone(),
            });
            ids.insert(key.as_str(), person.id);
            out.persons.push(person);
            out.employments.push(employment);
        }
        out.visits = self
            .visits
            .iter()
            .filter_map(|(key, date, line)| ids.get(key.as_str()).map(|p| ((*p, *date), *line)))
            .collect();
        out
    }
}

impl Created {
    /// The write of the persons and employments, with the audit entry that names them.
    pub(crate) fn write(&self, file_name: &str, imported_by: &str) -> ImportWrite {
        let numbers: Vec<&str> = self.employments.iter().map(|e| e.employee_number.as_str()).collect();
        let audit = AuditEntry {
            id: AuditId::new(),
            at: chrono::Utc::now(),
            user_id: None,
            login: imported_by.into(),
            role: None,
            action: "create persons".into(),
            company_id: self.company,
            person_id: None,
            info_class: None,
            allowed: true,
            detail: format!(
                "{file_name}: {} persons created from the checkup file (--create-persons; hire date = first checkup): {}",
                numbers.len(),
                numbers.join(", ")
            ),
        };
        ImportWrite {
            batch: Batch { persons: self.persons.clone(), employments: self.employments.clone(), ..Batch::default() },
            audit: vec![audit],
            ..ImportWrite::default()
        }
    }
}

/// Family and given name, split at the first space.
fn split(s: &str) -> (String, String) {
    match s.split_once(' ') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (s.to_string(), String::new()),
    }
}
