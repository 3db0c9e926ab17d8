//! 受診状況 — a company's checkup coverage for a fiscal year (年度: April to March): who has not
//! had the 定期健康診断 (安衛則44条; a 特定業務従事者健診 of 45条 counts, and a 雇入時健診 of 43条 in
//! the year before spares it, 44条2項) and which new hire lacks the 雇入時健診 (43条; a checkup in
//! the three months before hiring counts, 43条ただし書), by establishment and department, with
//! 受診率, 有所見率 (from iphr's judgements: the overall at or above the company's setting
//! `finding_from` — there is no national definition) and the 高ストレス率 of the year's last
//! stress-check campaign (shown only for groups of at least the 集団分析 minimum, ストレスチェック指針).

use crate::Error;
use chrono::{Datelike, Months, NaiveDate};
use iphr_domain::event::{CheckupKind, EventKind};
use iphr_domain::judgement::{Category, Rules};
use iphr_domain::person::Sex;
use iphr_domain::stress::{Answers, Method, StressRules};
use iphr_domain::{CompanyId, DepartmentId, EmploymentId, PersonId};
use iphr_store::{JudgementFilter, Store};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One establishment and department (or the whole company).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupCoverage {
    /// 事業場 (empty for the company).
    pub establishment: String,
    /// 所属 (empty for the company or an establishment's total).
    pub department: String,
    /// Workers who must have the checkups.
    pub target: u32,
    /// Of which covered (定期 and, for new hires, 雇入時).
    pub covered: u32,
    /// Of which judged by iphr in the year.
    pub judged: u32,
    /// Of which with a finding (overall at or above `finding_from`).
    pub findings: u32,
    /// Answered the campaign's stress check.
    pub stress_answered: u32,
    /// Of which high stress (by the campaign's method).
    pub stress_high: u32,
}

impl GroupCoverage {
    /// 受診率 in per cent.
    pub fn coverage_rate(&self) -> Option<f64> {
        (self.target > 0).then(|| f64::from(self.covered) * 100.0 / f64::from(self.target))
    }
    /// 有所見率 in per cent of those judged.
    pub fn finding_rate(&self) -> Option<f64> {
        (self.judged > 0).then(|| f64::from(self.findings) * 100.0 / f64::from(self.judged))
    }
    /// 高ストレス率 in per cent, only for a group of at least `min_group` respondents.
    pub fn high_stress_rate(&self, min_group: usize) -> Option<f64> {
        (self.stress_answered > 0 && self.stress_answered as usize >= min_group)
            .then(|| f64::from(self.stress_high) * 100.0 / f64::from(self.stress_answered))
    }
    fn add(&mut self, o: &GroupCoverage) {
        self.target += o.target;
        self.covered += o.covered;
        self.judged += o.judged;
        self.findings += o.findings;
        self.stress_answered += o.stress_answered;
        self.stress_high += o.stress_high;
    }
}

/// A worker who lacks a checkup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// The employment.
    #[serde(skip)]
    pub employment_id: EmploymentId,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// 事業場.
    pub establishment: String,
    /// 所属.
    pub department: String,
    /// Hired.
    pub hire_date: NaiveDate,
    /// What is missing (定期健康診断, 雇入時の健康診断).
    pub missing: Vec<String>,
    /// The last checkup of any kind.
    pub last_checkup: Option<NaiveDate>,
}

/// The coverage of one fiscal year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// 年度 (the year it starts in).
    pub fiscal_year: i32,
    /// First day (April 1).
    pub from: NaiveDate,
    /// Last day (March 31).
    pub to: NaiveDate,
    /// The day the workforce is taken (the last day, or today within the year).
    pub on: NaiveDate,
    /// The company.
    pub total: GroupCoverage,
    /// By establishment and department.
    pub groups: Vec<GroupCoverage>,
    /// Who lacks a checkup.
    pub missing: Vec<Missing>,
    /// The stress-check campaign counted, if any.
    pub campaign: Option<String>,
    /// The 有所見 threshold (a 判定区分 letter).
    pub finding_from: String,
    /// Smallest group whose 高ストレス率 is shown.
    pub min_group: usize,
}

/// The 年度 a date falls in.
pub fn fiscal_year_of(d: NaiveDate) -> i32 {
    if d.month() >= 4 { d.year() } else { d.year() - 1 }
}

/// The coverage of `fiscal_year` for `company` as of `today`.
pub async fn coverage(
    store: &dyn Store,
    company: CompanyId,
    fiscal_year: i32,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Coverage, Error> {
    let from = NaiveDate::from_ymd_opt(fiscal_year, 4, 1).ok_or_else(|| Error::Export("年度".into()))?;
    let to = NaiveDate::from_ymd_opt(fiscal_year + 1, 3, 31).ok_or_else(|| Error::Export("年度".into()))?;
    let on = to.min(today);
    let finding_from = Category::parse(&rules.settings.finding_from).unwrap_or(Category::C);
    let hr = store.hr_state(company).await?;
    let est: HashMap<_, &str> = hr.establishments.iter().map(|e| (e.id, e.name.as_str())).collect();
    // Departments by their path (製造部 製造一課 一係): a 係 is its own group under its 課.
    let dept: HashMap<DepartmentId, String> =
        hr.departments.iter().map(|d| (d.id, iphr_domain::tenant::department_path(&hr.departments, d.id))).collect();
    let mut checkups: HashMap<PersonId, Vec<(NaiveDate, Option<CheckupKind>)>> = HashMap::new();
    for e in store.events_of_kind(company, EventKind::Checkup, None).await? {
        if let Some(p) = e.person_id {
            checkups.entry(p).or_default().push((e.event_date, e.subkind.as_deref().and_then(CheckupKind::parse)));
        }
    }
    // The latest general checkup judged in the year, per person.
    let filter = JudgementFilter { latest_only: false, section: None, today, since: Some(from), limit: None };
    let mut judged: HashMap<PersonId, (NaiveDate, Option<Category>)> = HashMap::new();
    for j in store.judgements(company, &filter).await? {
        let kind = j.checkup_kind.as_deref().and_then(CheckupKind::parse);
        if j.checkup_date > to || !kind.is_some_and(|k| k.is_primary_for_niji()) {
            continue;
        }
        let slot = judged.entry(j.person_id).or_insert((j.checkup_date, j.result.overall));
        if j.checkup_date >= slot.0 {
            *slot = (j.checkup_date, j.result.overall);
        }
    }
    let (stress, campaign, min_group) = stress_of_year(store, company, from, to, &hr).await?;
    let mut groups: BTreeMap<(String, String), GroupCoverage> = BTreeMap::new();
    let mut missing = Vec::new();
    for emp in &hr.employees {
        let e = &emp.employment;
        if e.hire_date > on || e.leave_date.is_some_and(|l| l <= on) {
            continue;
        }
        let (est_name, dept_name) = emp.current.as_ref().map_or(("", ""), |a| {
            (est.get(&a.establishment_id).copied().unwrap_or(""), dept.get(&a.department_id).map_or("", String::as_str))
        });
        let mine = checkups.get(&emp.person.id).map_or(&[][..], Vec::as_slice);
        let periodic = mine.iter().any(|(d, k)| {
            (from <= *d && *d <= on && matches!(k, Some(CheckupKind::Periodic | CheckupKind::SpecificWork)))
                || (*k == Some(CheckupKind::Hire) && on.checked_sub_months(Months::new(12)).is_some_and(|y| y <= *d))
        });
        let hired_in_year = from <= e.hire_date && e.hire_date <= to;
        let hire_ok = !hired_in_year
            || mine.iter().any(|(d, k)| {
                matches!(k, Some(CheckupKind::Hire | CheckupKind::Periodic | CheckupKind::SpecificWork))
                    && e.hire_date.checked_sub_months(Months::new(3)).is_some_and(|b| b <= *d)
                    && *d <= e.hire_date + chrono::Duration::days(30)
            });
        let g = groups.entry((est_name.to_string(), dept_name.to_string())).or_insert_with(|| GroupCoverage {
            establishment: est_name.to_string(),
            department: dept_name.to_string(),
            ..GroupCoverage::default()
        });
        g.target += 1;
        if periodic && hire_ok {
            g.covered += 1;
        } else {
            let mut what = Vec::new();
            if !periodic {
                what.push("定期健康診断".to_string());
            }
            if !hire_ok {
                what.push("雇入時の健康診断".to_string());
            }
            missing.push(Missing {
                employment_id: e.id,
                employee_number: e.employee_number.clone(),
                name: emp.person.full_name(),
                establishment: est_name.to_string(),
                department: dept_name.to_string(),
                hire_date: e.hire_date,
                missing: what,
                last_checkup: mine.iter().map(|c| c.0).max(),
            });
        }
        if let Some((_, overall)) = judged.get(&emp.person.id) {
            g.judged += 1;
            if overall.is_some_and(|c| c.severity() >= finding_from.severity()) {
                g.findings += 1;
            }
        }
        if let Some(high) = stress.get(&emp.person.id) {
            g.stress_answered += 1;
            g.stress_high += u32::from(*high);
        }
    }
    let mut total = GroupCoverage::default();
    for g in groups.values() {
        total.add(g);
    }
    missing.sort_by(|a, b| {
        (&a.establishment, &a.department, &a.employee_number).cmp(&(
            &b.establishment,
            &b.department,
            &b.employee_number,
        ))
    });
    Ok(Coverage {
        fiscal_year,
        from,
        to,
        on,
        total,
        groups: groups.into_values().collect(),
        missing,
        campaign,
        finding_from: finding_from.as_str().to_string(),
        min_group,
    })
}

/// The year's last campaign: each respondent's high-stress result by the campaign's method.
async fn stress_of_year(
    store: &dyn Store,
    company: CompanyId,
    from: NaiveDate,
    to: NaiveDate,
    hr: &iphr_store::HrState,
) -> Result<(HashMap<PersonId, bool>, Option<String>, usize), Error> {
    let rules = StressRules::embedded().map_err(|e| Error::Export(e.to_string()))?;
    let min_group = rules.hanteizu.min_group;
    let Some(c) = store
        .stress_campaigns(company)
        .await?
        .into_iter()
        .filter(|c| from <= c.starts_on && c.starts_on <= to)
        .max_by_key(|c| c.starts_on)
    else {
        return Ok((HashMap::new(), None, min_group));
    };
    let method = Method::parse(&c.method).unwrap_or(Method::Sum);
    let sex: HashMap<PersonId, Sex> = hr.employees.iter().map(|e| (e.person.id, e.person.sex)).collect();
    let mut out = HashMap::new();
    for s in store.stress_sheets(company, c.starts_on, c.ends_on).await? {
        let Ok(answers) = Answers::parse(s.answers.clone()) else { continue };
        let Some(sex) = sex.get(&s.person_id).copied() else { continue };
        let sheet = rules.score(&answers, sex);
        out.insert(s.person_id, sheet.high(method));
    }
    Ok((out, Some(c.name), min_group))
}
