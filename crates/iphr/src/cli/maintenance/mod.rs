//! Maintenance: `iphr migrate`, `iphr stats` and `iphr demo` ([`demo`]).

pub mod demo;

use crate::cli::context::Context;
use anyhow::Result;

/// Arguments of `iphr stats`.
#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    /// Machine-readable output.
    #[arg(long)]
    json: bool,
}

/// `iphr migrate`: the migrations ran when the context opened; says so.
pub fn migrate(ctx: &Context) {
    println!("migrations applied ({})", ctx.store.backend());
}

/// `iphr stats`: counts per record kind and company.
pub async fn stats(ctx: &Context, a: &StatsArgs) -> Result<()> {
    let s = ctx.store.stats().await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!("persons: {}", s.persons);
    for (role, n) in &s.users {
        println!("users {role}: {n}");
    }
    for c in &s.companies {
        println!("{} ({})", c.name, c.company_id);
        println!(
            "  establishments {}  departments {}  employments {}  assignments {}  exposures {}  observations {}  consents {}",
            c.establishments, c.departments, c.employments, c.assignments, c.exposures, c.observations, c.consents
        );
        for (k, n) in &c.events {
            println!("  events {k}: {n}");
        }
    }
    Ok(())
}
