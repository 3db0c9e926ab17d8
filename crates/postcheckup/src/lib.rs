//! # iphr-postcheckup
//!
//! The post-checkup flow (事後措置) over the store: a company's rule tables (the embedded
//! tables of `iphr_domain::judgement` with the company's overrides), judging a company's
//! checkups (load, judge in memory, store; one transaction for the store), and the judgement
//! export (`iphr export judgements`). The rules themselves are pure and live in the domain.

pub mod coverage;
pub mod hours;
pub mod stress;
pub mod workstatus;

use chrono::{DateTime, NaiveDate, Utc};
use iphr_convert::units::UnitTable;
use iphr_domain::event::CheckupKind;
use iphr_domain::judgement::{CheckupFacts, Rules};
use iphr_domain::{CompanyId, PersonId};
use iphr_store::{CheckupToJudge, JudgeSummary, JudgementRecord, JudgementWrite, PriorOpinion, Store};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Instant;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] iphr_store::StoreError),
    /// A rule table (embedded or a company's) is invalid.
    #[error(transparent)]
    Rules(#[from] iphr_domain::judgement::RuleTableError),
    /// The unit table is invalid.
    #[error("unit table: {0}")]
    Units(String),
    /// Export failed.
    #[error("export: {0}")]
    Export(String),
}

/// The rule tables in force for a company: embedded, with its overrides merged.
pub async fn company_rules(store: &dyn Store, company: CompanyId) -> Result<Rules, Error> {
    let overrides = store.rule_overrides(company).await?;
    let pairs: Vec<(&str, &str)> = overrides.iter().map(|o| (o.table.as_str(), o.content.as_str())).collect();
    Ok(Rules::embedded()?.with_overrides(&pairs)?)
}

/// The unit table the rules convert with (the importers' table).
pub fn units() -> Result<&'static UnitTable, Error> {
    UnitTable::embedded().map_err(|e| Error::Units(e.to_string()))
}

/// Judges one loaded checkup.
pub fn judge_one(rules: &Rules, units: &UnitTable, c: &CheckupToJudge, prior: Option<PriorOpinion>) -> JudgementWrite {
    let kind = c.kind.as_deref().and_then(CheckupKind::parse);
    let submitted_on = c.detail.get("submitted_on").and_then(|v| v.as_str()).and_then(|s| s.parse::<NaiveDate>().ok());
    let facts =
        CheckupFacts { date: c.date, kind, submitted_on, sex: c.sex, birth_date: c.birth_date, facts: &c.facts };
    JudgementWrite {
        event_id: c.event_id,
        person_id: c.person_id,
        employment_id: c.employment_id,
        checkup_date: c.date,
        checkup_kind: c.kind.clone(),
        result: rules.judge(&facts, units),
        prior_opinion: prior,
    }
}

/// Checkups loaded, judged and stored per round.
const PAGE: u32 = 5_000;

/// What `iphr judge` did, with its timings.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeReport {
    /// Company.
    pub company_id: CompanyId,
    /// Rule table version used.
    pub rules_version: String,
    /// New, changed, unchanged.
    #[serde(flatten)]
    pub summary: JudgeSummary,
    /// Per overall category (A, B, C, D, E, none).
    pub overall: std::collections::BTreeMap<String, u64>,
    /// Urgent hits by tier.
    pub urgent: std::collections::BTreeMap<String, u64>,
    /// Milliseconds loading from the store.
    pub load_ms: u128,
    /// Milliseconds judging in memory.
    pub judge_ms: u128,
    /// Milliseconds writing to the store.
    pub save_ms: u128,
}

/// Judges a company's checkups (on or after `since`) and stores the results.
pub async fn judge_company(
    store: &dyn Store,
    company: CompanyId,
    since: Option<NaiveDate>,
    at: DateTime<Utc>,
) -> Result<JudgeReport, Error> {
    let rules = company_rules(store, company).await?;
    let units = units()?;
    let items = rules.items_read();
    let mut priors: HashMap<(PersonId, NaiveDate), PriorOpinion> = HashMap::new();
    for p in store.prior_opinions(company).await? {
        priors.insert((p.person_id, p.checkup_date), p);
    }
    let mut overall = std::collections::BTreeMap::new();
    let mut urgent = std::collections::BTreeMap::new();
    let mut summary = JudgeSummary::default();
    let (mut load_ms, mut judge_ms, mut save_ms) = (0u128, 0u128, 0u128);
    let mut after = None;
    // Page by page: memory stays bounded by the page, whatever the company's size.
    loop {
        let t0 = Instant::now();
        let checkups = store.checkups_to_judge(company, since, &items, after, PAGE).await?;
        load_ms += t0.elapsed().as_millis();
        let Some(last) = checkups.last() else { break };
        after = Some(last.event_id);
        let t1 = Instant::now();
        let writes: Vec<JudgementWrite> =
            checkups.iter().map(|c| judge_one(&rules, units, c, priors.remove(&(c.person_id, c.date)))).collect();
        judge_ms += t1.elapsed().as_millis();
        for w in &writes {
            *overall.entry(w.result.overall.map_or("none", |c| c.as_str()).to_string()).or_insert(0) += 1;
            if let Some(t) = w.result.urgent_tier {
                *urgent.entry(t.as_str().to_string()).or_insert(0) += 1;
            }
        }
        let t2 = Instant::now();
        let s = store.save_judgements(company, &writes, at).await?;
        save_ms += t2.elapsed().as_millis();
        summary.judged += s.judged;
        summary.new += s.new;
        summary.changed += s.changed;
        summary.unchanged += s.unchanged;
        if checkups.len() < PAGE as usize {
            break;
        }
    }
    let t3 = Instant::now();
    store.finish_judging(company).await?;
    save_ms += t3.elapsed().as_millis();
    Ok(JudgeReport {
        company_id: company,
        rules_version: rules.version.clone(),
        summary,
        overall,
        urgent,
        load_ms,
        judge_ms,
        save_ms,
    })
}

/// One row of the judgement export: per checkup, or per item of a checkup.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
    /// 社員番号.
    pub employee_number: String,
    /// Checkup date.
    pub checkup_date: NaiveDate,
    /// Checkup kind.
    pub checkup_kind: String,
    /// `overall` or the item key.
    pub item: String,
    /// The item's name (the analyte table's label).
    pub label_ja: String,
    /// The edition of the 判定区分 table whose band judged the value (e.g. 2024-04).
    pub edition: String,
    /// The source of that band.
    pub source: String,
    /// The value as judged.
    pub value: String,
    /// Unit.
    pub unit: String,
    /// 診断区分 (E when treated).
    pub category: String,
    /// The category from the value.
    pub value_category: String,
    /// Verified flag of the rule row used.
    pub verified: String,
    /// Why not judged.
    pub not_judged: String,
    /// Urgent tier (per item; on the overall row the highest).
    pub urgent_tier: String,
    /// Proposed 指導区分 (overall row).
    pub guidance_proposed: String,
    /// Proposed 就業区分 (overall row).
    pub work_candidate: String,
    /// 特定保健指導 level (overall row).
    pub stratification: String,
    /// Institution's overall (overall row).
    pub institution_overall: String,
    /// Opinion due (overall row).
    pub opinion_due: String,
    /// Rule version.
    pub rules_version: String,
}

/// The rows of the judgement export: one `overall` row per checkup, then one per item.
pub fn export_rows(records: &[JudgementRecord]) -> Vec<ExportRow> {
    let mut out = Vec::new();
    for r in records {
        let j = &r.result;
        let base = |item: &str| ExportRow {
            employee_number: r.employee_number.clone().unwrap_or_default(),
            checkup_date: r.checkup_date,
            checkup_kind: r.checkup_kind.clone().unwrap_or_default(),
            item: item.to_string(),
            label_ja: String::new(),
            edition: String::new(),
            source: String::new(),
            value: String::new(),
            unit: String::new(),
            category: String::new(),
            value_category: String::new(),
            verified: String::new(),
            not_judged: String::new(),
            urgent_tier: String::new(),
            guidance_proposed: String::new(),
            work_candidate: String::new(),
            stratification: String::new(),
            institution_overall: String::new(),
            opinion_due: String::new(),
            rules_version: j.rules_version.clone(),
        };
        let mut o = base("overall");
        o.category = j.overall.map(|c| c.as_str().to_string()).unwrap_or_default();
        o.verified = if j.uses_unverified { "partial".into() } else { "yes".into() };
        o.urgent_tier = j.urgent_tier.map(|t| t.as_str().to_string()).unwrap_or_default();
        o.guidance_proposed = j.guidance.map(|g| g.as_str().to_string()).unwrap_or_default();
        o.work_candidate = j.work_candidate.map(|w| w.as_str().to_string()).unwrap_or_default();
        o.stratification = j.stratification.map(|s| s.as_str().to_string()).unwrap_or_default();
        o.institution_overall = j.institution_overall.clone().unwrap_or_default();
        o.opinion_due = j.opinion_due.map(|d| d.to_string()).unwrap_or_default();
        out.push(o);
        for i in &j.items {
            let mut row = base(&i.key);
            row.label_ja.clone_from(&i.label_ja);
            row.edition.clone_from(&i.edition);
            row.source.clone_from(&i.source);
            row.value.clone_from(&i.value);
            row.unit.clone_from(&i.unit);
            row.category = i.category.map(|c| c.as_str().to_string()).unwrap_or_default();
            row.value_category = i.value_category.map(|c| c.as_str().to_string()).unwrap_or_default();
            row.verified = i.verified.map(|v| v.as_str().to_string()).unwrap_or_default();
            row.not_judged = i.not_judged.clone().unwrap_or_default();
            row.urgent_tier =
                j.urgent.iter().find(|u| u.analyte == i.key).map(|u| u.tier.as_str().to_string()).unwrap_or_default();
            out.push(row);
        }
    }
    out
}

/// The columns of the CSV export, in [`ExportRow`]'s order.
pub const EXPORT_COLUMNS: [&str; 20] = [
    "employee_number",
    "checkup_date",
    "checkup_kind",
    "item",
    "label_ja",
    "edition",
    "source",
    "value",
    "unit",
    "category",
    "value_category",
    "verified",
    "not_judged",
    "urgent_tier",
    "guidance_proposed",
    "work_candidate",
    "stratification",
    "institution_overall",
    "opinion_due",
    "rules_version",
];

/// A company's judgements for the export, with each item's label, edition and source filled from
/// the company's rules (they are stored compactly, without them): the band in force on the
/// checkup date for the worker's sex.
pub async fn judgements_for_export(
    store: &dyn Store,
    company: CompanyId,
    filter: &iphr_store::JudgementFilter,
) -> Result<Vec<JudgementRecord>, Error> {
    let mut records = store.judgements(company, filter).await?;
    if records.is_empty() {
        return Ok(records);
    }
    let rules = company_rules(store, company).await?;
    let sex: std::collections::HashMap<iphr_domain::PersonId, iphr_domain::person::Sex> =
        store.identity_candidates(company).await?.into_iter().map(|c| (c.person_id, c.sex)).collect();
    for r in &mut records {
        if let Some(s) = sex.get(&r.person_id) {
            rules.describe(&mut r.result, r.checkup_date, *s);
        }
    }
    Ok(records)
}

/// The export as CSV (UTF-8, header row — also when there are no judgements).
pub fn export_csv(records: &[JudgementRecord]) -> Result<String, Error> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.write_record(EXPORT_COLUMNS).map_err(|e| Error::Export(e.to_string()))?;
    for row in export_rows(records) {
        w.serialize(row).map_err(|e| Error::Export(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Export(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Export(e.to_string()))
}

/// The export as JSON: one object per checkup with its items, urgent hits and proposals.
pub fn export_json(records: &[JudgementRecord]) -> Result<String, Error> {
    #[derive(Serialize)]
    struct Checkup<'a> {
        employee_number: &'a str,
        checkup_date: NaiveDate,
        checkup_kind: &'a str,
        stage: &'a str,
        #[serde(flatten)]
        judgement: &'a iphr_domain::judgement::CheckupJudgement,
    }
    let v: Vec<Checkup<'_>> = records
        .iter()
        .map(|r| Checkup {
            employee_number: r.employee_number.as_deref().unwrap_or(""),
            checkup_date: r.checkup_date,
            checkup_kind: r.checkup_kind.as_deref().unwrap_or(""),
            stage: &r.stage,
            judgement: &r.result,
        })
        .collect();
    serde_json::to_string_pretty(&v).map_err(|e| Error::Export(e.to_string()))
}

#[cfg(test)]
mod tests;
