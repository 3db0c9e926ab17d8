//! `iphr rules`: the rule tables and a company's overrides.

use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use anyhow::{Context as _, Result, anyhow, bail};
use iphr_domain::judgement::{Rules, TABLE_NAMES};
use iphr_store::RuleOverride;

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

fn check_table(table: &str) -> Result<()> {
    if TABLE_NAMES.contains(&table) {
        Ok(())
    } else {
        bail!("no rule table {table:?}: one of {}", TABLE_NAMES.join(", "))
    }
}

/// `iphr rules …`.
pub async fn run(ctx: &Context, cmd: RulesCmd) -> Result<()> {
    match cmd {
        RulesCmd::Show { table, company } => {
            check_table(&table)?;
            let rules = match company {
                Some(company) => {
                    let c = ctx.company(&company).await?;
                    iphr_postcheckup::company_rules(ctx.store(), c.id).await?
                }
                None => Rules::embedded()?.clone(),
            };
            let text = rules.table_text(&table).ok_or_else(|| anyhow!("no rule table {table:?}"))?;
            write_stdout(text)
        }
        RulesCmd::Set { company, table, file } => {
            check_table(&table)?;
            let content = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let c = ctx.company(&company).await?;
            // Refused before anything is stored unless the company's tables, this one replaced,
            // combine (checked together: an urgent row may name an analyte the company added).
            let others = ctx.store().rule_overrides(c.id).await?;
            let mut pairs: Vec<(&str, &str)> =
                others.iter().filter(|o| o.table != table).map(|o| (o.table.as_str(), o.content.as_str())).collect();
            pairs.push((table.as_str(), content.as_str()));
            Rules::embedded()?.with_overrides(&pairs).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            ctx.store()
                .set_rule_override(
                    c.id,
                    &RuleOverride { table: table.clone(), content, updated_by: "cli".into(), updated_at: ctx.now() },
                )
                .await?;
            ctx.audit("rules set", Some(c.id), format!("{table} from {}", file.display())).await?;
            println!("{}: rule table {table} overridden; run `iphr judge --company …` to apply it", c.name);
            Ok(())
        }
        RulesCmd::Reset { company, table } => {
            check_table(&table)?;
            let c = ctx.company(&company).await?;
            ctx.store()
                .set_rule_override(
                    c.id,
                    &RuleOverride {
                        table: table.clone(),
                        content: String::new(),
                        updated_by: "cli".into(),
                        updated_at: ctx.now(),
                    },
                )
                .await?;
            ctx.audit("rules reset", Some(c.id), table.clone()).await?;
            println!("{}: rule table {table} back to the embedded edition", c.name);
            Ok(())
        }
    }
}
