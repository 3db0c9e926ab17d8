//! The post-checkup commands: `iphr judge` (re-run the rules), `iphr export judgements`, and
//! `iphr rules` ([`rules`]).

pub mod rules;

use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use anyhow::{Context as _, Result};
use chrono::NaiveDate;
use iphr_store::JudgementFilter;

/// Judgement export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JudgementFormat {
    /// One row per checkup (`overall`) and per item.
    Csv,
    /// One object per checkup with its items, urgent hits and proposals.
    Json,
}

/// Arguments of `iphr judge`.
#[derive(clap::Args, Debug)]
pub struct JudgeArgs {
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// Only checkups on or after this date (YYYY-MM-DD).
    #[arg(long)]
    since: Option<NaiveDate>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `iphr export judgements`.
#[derive(clap::Args, Debug)]
pub struct JudgementsArgs {
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// csv (an `overall` row per checkup, then one per item) or json.
    #[arg(long, value_enum, default_value = "csv")]
    format: JudgementFormat,
    /// Only each person's latest checkup.
    #[arg(long)]
    latest: bool,
    /// Only checkups on or after this date.
    #[arg(long)]
    since: Option<NaiveDate>,
    /// Write to a file instead of standard output.
    #[arg(long)]
    output: Option<std::path::PathBuf>,
}

/// `iphr judge`: re-runs the rules over a company's checkups and stores the results.
pub async fn judge(ctx: &Context, a: JudgeArgs) -> Result<()> {
    let JudgeArgs { company, since, json } = a;
    let c = ctx.company(&company).await?;
    let r = iphr_postcheckup::judge_company(ctx.store(), c.id, since, ctx.now()).await?;
    ctx.audit(
        "judge",
        Some(c.id),
        format!(
            "judged {} (new {}, changed {}, unchanged {})",
            r.summary.judged, r.summary.new, r.summary.changed, r.summary.unchanged
        ),
    )
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "{}: judged {} checkups — new {}, changed {}, unchanged {} (rules {})",
        c.name, r.summary.judged, r.summary.new, r.summary.changed, r.summary.unchanged, r.rules_version
    );
    let overall: Vec<String> = r.overall.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("overall: {}", overall.join(", "));
    let urgent: Vec<String> = r.urgent.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("urgent: {}", if urgent.is_empty() { "none".into() } else { urgent.join(", ") });
    println!("time: load {} ms, judge {} ms, save {} ms", r.load_ms, r.judge_ms, r.save_ms);
    Ok(())
}

/// `iphr export judgements`.
pub async fn export_judgements(ctx: &Context, a: JudgementsArgs) -> Result<()> {
    let JudgementsArgs { company, format, latest, since, output } = a;
    let c = ctx.company(&company).await?;
    let filter = JudgementFilter { latest_only: latest, section: None, today: ctx.today(), since, limit: None };
    let records = iphr_postcheckup::judgements_for_export(ctx.store(), c.id, &filter).await?;
    let text = match format {
        JudgementFormat::Csv => iphr_postcheckup::export_csv(&records)?,
        JudgementFormat::Json => iphr_postcheckup::export_json(&records)? + "\n",
    };
    ctx.audit("export judgements", Some(c.id), format!("{format:?}: {} checkups", records.len())).await?;
    match output {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    Ok(())
}
