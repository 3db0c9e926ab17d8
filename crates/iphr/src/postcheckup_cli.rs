//! The post-checkup commands: `iphr judge`, `iphr export judgements`, `iphr rules`.

use crate::cli::{audit_cli, find_company, open_store, write_stdout};
use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use iphr_domain::judgement::{Rules, TABLE_NAMES};
use iphr_store::{JudgementFilter, RuleOverride};

/// Judgement export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum JudgementFormat {
    /// One row per checkup (`overall`) and per item.
    Csv,
    /// One object per checkup with its items, urgent hits and proposals.
    Json,
}

/// `iphr rules …`
#[derive(clap::Subcommand, Debug)]
pub enum RulesCmd {
    /// Print a rule table in force (embedded, or a company's with its overrides), with its source
    /// and edition in the comment lines.
    Show {
        /// analytes, thresholds, combinations, urgent, settings, guidance, niji, stratification.
        #[arg(long, default_value = "thresholds")]
        table: String,
        /// Company (id or exact name): the table with its overrides merged.
        #[arg(long)]
        company: Option<String>,
    },
    /// Set a company's rows of a rule table from a CSV file in the table's format (rows with the
    /// same key replace the embedded ones; for thresholds, all bands of an analyte at once).
    Set {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Table name.
        #[arg(long)]
        table: String,
        /// The CSV file.
        #[arg(long)]
        file: std::path::PathBuf,
    },
    /// Remove a company's override of a rule table.
    Reset {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Table name.
        #[arg(long)]
        table: String,
    },
}

/// `iphr judge`: re-runs the rules over a company's checkups and stores the results.
pub async fn judge(url: &str, company: &str, since: Option<NaiveDate>, json: bool) -> Result<()> {
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let r = iphr_postcheckup::judge_company(store.as_ref(), c.id, since, chrono::Utc::now()).await?;
    audit_cli(
        store.as_ref(),
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
pub async fn export_judgements(
    url: &str,
    company: &str,
    format: JudgementFormat,
    latest: bool,
    since: Option<NaiveDate>,
    output: Option<std::path::PathBuf>,
) -> Result<()> {
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let filter = JudgementFilter {
        latest_only: latest,
        section: None,
        today: chrono::Utc::now().date_naive(),
        since,
        limit: None,
    };
    let records = iphr_postcheckup::judgements_for_export(store.as_ref(), c.id, &filter).await?;
    let text = match format {
        JudgementFormat::Csv => iphr_postcheckup::export_csv(&records)?,
        JudgementFormat::Json => iphr_postcheckup::export_json(&records)? + "\n",
    };
    audit_cli(store.as_ref(), "export judgements", Some(c.id), format!("{format:?}: {} checkups", records.len()))
        .await?;
    match output {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    Ok(())
}

fn check_table(table: &str) -> Result<()> {
    if TABLE_NAMES.contains(&table) {
        Ok(())
    } else {
        bail!("no rule table {table:?}: one of {}", TABLE_NAMES.join(", "))
    }
}

/// `iphr rules …`.
pub async fn rules(url: &str, cmd: RulesCmd) -> Result<()> {
    match cmd {
        RulesCmd::Show { table, company } => {
            check_table(&table)?;
            let rules = match company {
                Some(company) => {
                    let store = open_store(url).await?;
                    let c = find_company(store.as_ref(), &company).await?;
                    iphr_postcheckup::company_rules(store.as_ref(), c.id).await?
                }
                None => Rules::embedded()?.clone(),
            };
            let text = rules.table_text(&table).ok_or_else(|| anyhow!("no rule table {table:?}"))?;
            write_stdout(text)
        }
        RulesCmd::Set { company, table, file } => {
            check_table(&table)?;
            let content = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let store = open_store(url).await?;
            let c = find_company(store.as_ref(), &company).await?;
            // Refused before anything is stored unless the company's tables, this one replaced,
            // combine (checked together: an urgent row may name an analyte the company added).
            let others = store.rule_overrides(c.id).await?;
            let mut pairs: Vec<(&str, &str)> =
                others.iter().filter(|o| o.table != table).map(|o| (o.table.as_str(), o.content.as_str())).collect();
            pairs.push((table.as_str(), content.as_str()));
            Rules::embedded()?.with_overrides(&pairs).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            store
                .set_rule_override(
                    c.id,
                    &RuleOverride {
                        table: table.clone(),
                        content,
                        updated_by: "cli".into(),
                        updated_at: chrono::Utc::now(),
                    },
                )
                .await?;
            audit_cli(store.as_ref(), "rules set", Some(c.id), format!("{table} from {}", file.display())).await?;
            println!("{}: rule table {table} overridden; run `iphr judge --company …` to apply it", c.name);
            Ok(())
        }
        RulesCmd::Reset { company, table } => {
            check_table(&table)?;
            let store = open_store(url).await?;
            let c = find_company(store.as_ref(), &company).await?;
            store
                .set_rule_override(
                    c.id,
                    &RuleOverride {
                        table: table.clone(),
                        content: String::new(),
                        updated_by: "cli".into(),
                        updated_at: chrono::Utc::now(),
                    },
                )
                .await?;
            audit_cli(store.as_ref(), "rules reset", Some(c.id), table.clone()).await?;
            println!("{}: rule table {table} back to the embedded edition", c.name);
            Ok(())
        }
    }
}
