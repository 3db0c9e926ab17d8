//! Work status: `iphr hours` (a month's hours and flags per worker) and `iphr special-checkups`
//! (special checkups due from exposures and night work).

use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use iphr_domain::{CompanyId, PersonId};
use iphr_store::{Store, WorkerQuery, WorkerRow};
use serde::Serialize;
use std::collections::HashMap;

/// Output formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header row.
    Csv,
    /// JSON.
    Json,
}

pub(crate) fn to_csv<T: Serialize>(rows: &[T]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(String::from_utf8(w.into_inner().map_err(|e| anyhow!(e.to_string()))?)?)
}

pub(crate) async fn workers(store: &dyn Store, company: CompanyId) -> Result<HashMap<PersonId, WorkerRow>> {
    let rows =
        store.search_workers(company, &WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 }).await?.rows;
    Ok(rows.into_iter().map(|r| (r.person_id, r)).collect())
}

/// One worker's month for `iphr hours`.
#[derive(Debug, Serialize)]
struct HoursRow {
    employee_number: String,
    name: String,
    month: String,
    work_regime: String,
    overtime_holiday: f64,
    statutory_overtime: f64,
    holiday: f64,
    night_shifts: f64,
    year_statutory_overtime: f64,
    over45_months: u32,
    max_average_months: Option<u32>,
    max_average: Option<f64>,
    flags: String,
    #[serde(skip_serializing)]
    flags_json: Vec<iphr_domain::overtime::Flag>,
}

/// `iphr hours --company C --month YYYY-MM`.
/// Arguments of `iphr hours`.
#[derive(clap::Args, Debug)]
pub struct HoursArgs {
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// Month (YYYY-MM).
    #[arg(long)]
    month: String,
    /// Sector profile: general, construction, driver, doctor_a (default: the company's
    /// `overtime_profile` setting, `iphr rules show settings`).
    #[arg(long)]
    profile: Option<String>,
    /// csv or json.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
}

/// Arguments of `iphr special-checkups`.
#[derive(clap::Args, Debug)]
pub struct SpecialArgs {
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// The day to measure from (default today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// csv or json.
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
}

/// `iphr hours`: a month's hours and flags per worker.
pub async fn hours(ctx: &Context, a: HoursArgs) -> Result<()> {
    let HoursArgs { company, month, profile, format } = a;
    let (company, month, profile) = (company.as_str(), month.as_str(), profile.as_deref());
    let m = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| anyhow!("--month {month:?}: expected YYYY-MM"))?;
    let c = ctx.company(company).await?;
    let company_rules = iphr_postcheckup::company_rules(ctx.store(), c.id).await?;
    let rules = &company_rules.overtime;
    let profile = profile.unwrap_or(&company_rules.settings.overtime_profile);
    if !rules.profiles.contains_key(profile) {
        bail!("--profile {profile:?}: one of {}", rules.profiles.keys().cloned().collect::<Vec<_>>().join(", "));
    }
    let records = iphr_postcheckup::hours::month_hours(ctx.store(), c.id, m, rules, profile, None).await?;
    let who = workers(ctx.store(), c.id).await?;
    let mut rows = Vec::new();
    for rec in records {
        let r = rec.result;
        let w = who.get(&rec.person_id);
        rows.push(HoursRow {
            employee_number: w.map(|w| w.employee_number.clone()).unwrap_or_default(),
            name: w.map(|w| w.name.clone()).unwrap_or_default(),
            month: month.to_string(),
            work_regime: rec.work_regime.as_str().to_string(),
            overtime_holiday: r.hours.overtime_holiday,
            statutory_overtime: r.hours.statutory_overtime,
            holiday: r.hours.holiday,
            night_shifts: r.hours.night_shifts,
            year_statutory_overtime: (r.year_statutory_overtime * 100.0).round() / 100.0,
            over45_months: r.over45_months,
            max_average_months: r.max_average.map(|x| x.0),
            max_average: r.max_average.map(|x| (x.1 * 100.0).round() / 100.0),
            flags: r
                .flags
                .iter()
                .map(|f| format!("{}:{:?}", f.rule.as_str(), f.level).to_lowercase())
                .collect::<Vec<_>>()
                .join(" "),
            flags_json: r.flags,
        });
    }
    rows.sort_by(|a, b| a.employee_number.cmp(&b.employee_number));
    ctx.audit("hours", Some(c.id), format!("{month}: {} workers", rows.len())).await?;
    let text = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Json => {
            #[derive(Serialize)]
            struct J<'a> {
                #[serde(flatten)]
                row: &'a HoursRow,
                flag_details: &'a [iphr_domain::overtime::Flag],
            }
            let v: Vec<J<'_>> = rows.iter().map(|r| J { row: r, flag_details: &r.flags_json }).collect();
            serde_json::to_string_pretty(&v)? + "\n"
        }
    };
    write_stdout(&text)
}

/// `iphr special-checkups`: special checkups due from the current exposures and night work.
pub async fn special_checkups(ctx: &Context, a: SpecialArgs) -> Result<()> {
    let SpecialArgs { company, as_of, format } = a;
    let c = ctx.company(&company).await?;
    let today = as_of.unwrap_or_else(|| ctx.today());
    let rules = iphr_postcheckup::company_rules(ctx.store(), c.id).await?;
    let soon = i64::from(rules.settings.special_due_soon_days);
    let rows = iphr_postcheckup::workstatus::special_due(ctx.store(), c.id, today, soon).await?;
    ctx.audit("special-checkups", Some(c.id), format!("{} due rows as of {today}", rows.len())).await?;
    let text = match format {
        Format::Csv => to_csv(&rows)?,
        Format::Json => serde_json::to_string_pretty(&rows)? + "\n",
    };
    write_stdout(&text)
}
