//! A stress-check campaign read through the store (安衛法66条の10): who was a target, who
//! answered (each person's last sheet in the period, scored by sex), who did not and when they
//! were reminded, and the group analysis by the department each worker was in **when they
//! answered** (仕事のストレス判定図). Shared by `iphr stresscheck` and the implementers' web page.

use crate::Error;
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::PersonId;
use iphr_domain::stress::{Answers, GroupResult, Method, SheetResult, StressRules};
use iphr_store::{AssignmentSpan, Store, StressCampaign, StressSheet, WorkerQuery, WorkerRow};
use std::collections::{BTreeMap, HashMap};

/// The group name of workers without a department on the day they answered.
pub const NO_DEPARTMENT: &str = "(所属なし)";
/// The group of everyone.
pub const WHOLE: &str = "全体";

/// One answered sheet, scored.
#[derive(Debug, Clone)]
pub struct Scored {
    /// The worker.
    pub worker: WorkerRow,
    /// Date answered.
    pub date: NaiveDate,
    /// The department on that date.
    pub department: String,
    /// The answers.
    pub answers: Answers,
    /// The scores.
    pub result: SheetResult,
    /// High stress by the campaign's method.
    pub high: bool,
}

/// A target who has not answered, with the reminders sent.
#[derive(Debug, Clone)]
pub struct NotAnswered {
    /// The worker.
    pub worker: WorkerRow,
    /// Reminders sent (受検勧奨), oldest first.
    pub reminded: Vec<DateTime<Utc>>,
}

/// A campaign's analysis.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The method the company chose before the check.
    pub method: Method,
    /// Workers on the roll during the campaign.
    pub targets: usize,
    /// Answered, by employee number.
    pub scored: Vec<Scored>,
    /// Not answered, by employee number.
    pub not_answered: Vec<NotAnswered>,
    /// Groups by department at the time (and 全体 last), each with its 判定図 result.
    pub groups: Vec<(String, GroupResult)>,
}

/// The company's other campaigns whose period overlaps `c`'s: the answers given in the common
/// days would count in both (a sheet belongs to the campaign whose period holds its date).
pub async fn overlapping(store: &dyn Store, c: &StressCampaign) -> Result<Vec<StressCampaign>, Error> {
    Ok(store
        .stress_campaigns(c.company_id)
        .await?
        .into_iter()
        .filter(|o| o.id != c.id && o.starts_on <= c.ends_on && c.starts_on <= o.ends_on)
        .collect())
}

/// Creates a campaign, refused when its period overlaps another campaign of the company (the
/// same answers would be scored twice, possibly by two methods).
pub async fn create_campaign(store: &dyn Store, c: &StressCampaign) -> Result<(), CampaignError> {
    if let Some(o) = overlapping(store, c).await?.first() {
        return Err(CampaignError::Overlaps {
            name: o.name.clone(),
            from: o.starts_on,
            to: o.ends_on,
            method: o.method.clone(),
        });
    }
    store.create_stress_campaign(c).await.map_err(|e| CampaignError::Store(e.into()))
}

/// Why a campaign is not created.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Its period overlaps another campaign's.
    #[error(
        "the period overlaps the campaign {name:?} ({from} – {to}, method {method}): an answer belongs to one campaign"
    )]
    Overlaps {
        /// The other campaign.
        name: String,
        /// Its first day.
        from: chrono::NaiveDate,
        /// Its last day.
        to: chrono::NaiveDate,
        /// Its method.
        method: String,
    },
    /// The store.
    #[error(transparent)]
    Store(#[from] Error),
}

/// Each person's last sheet in the period.
pub fn latest_per_person(sheets: &[StressSheet]) -> Vec<&StressSheet> {
    let mut m: BTreeMap<PersonId, &StressSheet> = BTreeMap::new();
    for s in sheets {
        let e = m.entry(s.person_id).or_insert(s);
        if s.date > e.date {
            *e = s;
        }
    }
    m.into_values().collect()
}

/// The department of a person on a date from the assignment history.
fn department_on(spans: &HashMap<PersonId, Vec<&AssignmentSpan>>, person: PersonId, date: NaiveDate) -> Option<String> {
    spans.get(&person)?.iter().rev().find(|s| s.covers(date)).map(|s| s.department.clone())
}

/// Reads and scores a campaign.
pub async fn analyse(store: &dyn Store, rules: &StressRules, c: &StressCampaign) -> Result<Analysis, Error> {
    let method = Method::parse(&c.method).unwrap_or(Method::Sum);
    let mut workers = store
        .search_workers(c.company_id, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
        .await?
        .rows;
    workers.sort_by(|a, b| a.employee_number.cmp(&b.employee_number));
    let sheets = store.stress_sheets(c.company_id, c.starts_on, c.ends_on).await?;
    let last: HashMap<PersonId, &StressSheet> =
        latest_per_person(&sheets).into_iter().map(|s| (s.person_id, s)).collect();
    let history = store.assignment_history(c.company_id).await?;
    let mut spans: HashMap<PersonId, Vec<&AssignmentSpan>> = HashMap::new();
    for s in &history {
        spans.entry(s.person_id).or_default().push(s);
    }
    let mut reminded: HashMap<PersonId, Vec<DateTime<Utc>>> = HashMap::new();
    for r in store.stress_reminders(c.company_id, c.id).await? {
        reminded.entry(r.person_id).or_default().push(r.sent_at);
    }
    let mut out = Analysis { method, targets: 0, scored: vec![], not_answered: vec![], groups: vec![] };
    let mut by_group: BTreeMap<String, Vec<(&Answers, bool)>> = BTreeMap::new();
    for w in workers.into_iter().filter(|w| w.leave_date.is_none_or(|d| d >= c.starts_on)) {
        out.targets += 1;
        let Some(s) = last.get(&w.person_id) else {
            let reminded = reminded.remove(&w.person_id).unwrap_or_default();
            out.not_answered.push(NotAnswered { worker: w, reminded });
            continue;
        };
        let Ok(answers) = Answers::parse(s.answers.clone()) else { continue };
        let result = rules.score(&answers, w.sex);
        let high = result.high(method);
        let department = department_on(&spans, w.person_id, s.date)
            .or_else(|| w.department.clone())
            .unwrap_or_else(|| NO_DEPARTMENT.to_string());
        out.scored.push(Scored { worker: w, date: s.date, department, answers, result, high });
    }
    for s in &out.scored {
        by_group.entry(s.department.clone()).or_default().push((&s.answers, s.high));
    }
    let whole: Vec<(&Answers, bool)> = out.scored.iter().map(|s| (&s.answers, s.high)).collect();
    let mut groups: Vec<(String, GroupResult)> = by_group.iter().map(|(g, v)| (g.clone(), rules.group(v))).collect();
    if !whole.is_empty() {
        groups.push((WHOLE.to_string(), rules.group(&whole)));
    }
    out.groups = groups;
    Ok(out)
}

/// Sends a reminder (受検勧奨) to every target who has not answered: recorded per worker, shown to
/// them on their questionnaire page. Returns the workers reminded.
pub async fn remind(
    store: &dyn Store,
    rules: &StressRules,
    c: &StressCampaign,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Vec<WorkerRow>, Error> {
    let a = analyse(store, rules, c).await?;
    let persons: Vec<PersonId> = a.not_answered.iter().map(|n| n.worker.person_id).collect();
    store.record_stress_reminders(c.company_id, c.id, &persons, by, at).await?;
    Ok(a.not_answered.into_iter().map(|n| n.worker).collect())
}
