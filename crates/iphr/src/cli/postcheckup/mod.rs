//! The post-checkup commands: `iphr judge` (re-run the rules), `iphr export judgements`,
//! `iphr coverage` (受診状況) and `iphr rules` ([`rules`]).

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

/// Arguments of `iphr coverage`.
#[derive(clap::Args, Debug)]
pub struct CoverageArgs {
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// 年度 (the year it starts in: 2025 = 2025-04-01 to 2026-03-31); the current one by default.
    #[arg(long)]
    year: Option<i32>,
    /// Print the whole result as JSON (groups and the workers lacking a checkup).
    #[arg(long)]
    json: bool,
}

/// `iphr coverage`: a company's checkup coverage for a fiscal year.
pub async fn coverage(ctx: &Context, a: CoverageArgs) -> Result<()> {
    use iphr_postcheckup::coverage::{coverage, fiscal_year_of};
    let c = ctx.company(&a.company).await?;
    let today = ctx.today();
    let year = a.year.unwrap_or_else(|| fiscal_year_of(today));
    let rules = iphr_postcheckup::company_rules(ctx.store(), c.id).await?;
    let cov = coverage(ctx.store(), c.id, year, today, &rules).await?;
    ctx.audit("coverage", Some(c.id), format!("read checkup coverage {year} ({} lacking)", cov.missing.len())).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&cov)?);
        return Ok(());
    }
    let pct = |r: Option<f64>| r.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    println!("{} {}年度 ({}〜{}, workforce on {})", c.name, year, cov.from, cov.to, cov.on);
    println!("establishment\tdepartment\ttarget\tcovered\tcoverage\tfindings\thigh stress");
    let t = &cov.total;
    println!(
        "(all)\t\t{}\t{}\t{}\t{}\t{}",
        t.target,
        t.covered,
        pct(t.coverage_rate()),
        pct(t.finding_rate()),
        pct(t.high_stress_rate(cov.min_group))
    );
    for g in &cov.groups {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            g.establishment,
            g.department,
            g.target,
            g.covered,
            pct(g.coverage_rate()),
            pct(g.finding_rate()),
            pct(g.high_stress_rate(cov.min_group))
        );
    }
    println!("lacking a checkup: {}", cov.missing.len());
    for m in &cov.missing {
        println!("  {}\t{}\t{}\t{}", m.employee_number, m.name, m.department, m.missing.join("・"));
    }
    Ok(())
}
