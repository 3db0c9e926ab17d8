//! `iphr company`: companies (事業者).

use crate::cli::context::Context;
use anyhow::{Result, bail};
use clap::Subcommand;
use iphr_domain::CompanyId;
use iphr_domain::tenant::Company;

#[derive(Subcommand, Debug)]
pub enum CompanyCmd {
    /// Add a company.
    Add {
        /// Name (e.g. 株式会社…).
        name: String,
    },
    /// List companies.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `iphr company`.
pub async fn run(ctx: &Context, c: CompanyCmd) -> Result<()> {
    match c {
        CompanyCmd::Add { name } => {
            let name = name.trim().to_string();
            if name.is_empty() {
                bail!("the company name is empty");
            }
            let company = Company { id: CompanyId::new(), name };
            ctx.store().create_company(&company).await?;
            ctx.audit("company add", Some(company.id), company.name.clone()).await?;
            println!("{}\t{}", company.id, company.name);
        }
        CompanyCmd::List { json } => {
            let all = ctx.store().list_companies().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for c in all {
                    println!("{}\t{}", c.id, c.name);
                }
            }
        }
    }
    Ok(())
}
