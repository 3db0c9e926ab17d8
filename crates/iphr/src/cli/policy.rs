//! `iphr policy`: a company's 健康情報等取扱規程 (role × information class → access).

use crate::cli::context::Context;
use anyhow::{Result, bail};
use clap::Subcommand;
use iphr_domain::role::Role;

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// Show the effective table of a company (the 指針 defaults with the company's overrides).
    Show {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Override one row for a company.
    Set {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Role: physician, nurse, health_manager, hr, worker (admin never reads personal data).
        #[arg(long)]
        role: Role,
        /// Class: identity, class1, class2, class3, stress, work, personal.
        #[arg(long = "class")]
        info_class: iphr_domain::info_class::InfoClass,
        /// allow, allow_processed, consent_required or deny.
        #[arg(long)]
        access: iphr_domain::policy::Access,
    },
}

/// Runs `iphr policy`.
pub async fn run(ctx: &Context, p: PolicyCmd) -> Result<()> {
    use iphr_domain::info_class::InfoClass;
    use iphr_domain::policy::{PolicyOverride, PolicyTable};
    let base = PolicyTable::default_2018()?;
    match p {
        PolicyCmd::Show { company, json } => {
            let c = ctx.company(&company).await?;
            let overrides = ctx.store().policy_overrides(c.id).await?;
            let table = base.with_overrides(&overrides);
            let rows: Vec<serde_json::Value> = Role::ALL
                .iter()
                .flat_map(|r| InfoClass::ALL.iter().map(move |k| (*r, *k)))
                .map(|(r, k)| {
                    let overridden = overrides.iter().any(|o| o.role == r && o.info_class == k);
                    serde_json::json!({ "role": r, "info_class": k, "access": table.access(r, k), "overridden": overridden })
                })
                .collect();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "company": c.name, "base_edition": base.edition, "rows": rows })
                    )?
                );
            } else {
                println!("{} — base {}", c.name, base.edition);
                for r in Role::ALL {
                    let cells: Vec<String> = InfoClass::ALL
                        .iter()
                        .map(|k| {
                            let mark =
                                if overrides.iter().any(|o| o.role == r && o.info_class == *k) { "*" } else { "" };
                            format!("{k}={}{mark}", table.access(r, *k))
                        })
                        .collect();
                    println!("{:<15} {}", r.as_str(), cells.join(" "));
                }
            }
        }
        PolicyCmd::Set { company, role, info_class, access } => {
            if role == Role::Admin {
                bail!("admin never reads personal data; its rows cannot be overridden");
            }
            let c = ctx.company(&company).await?;
            ctx.store().set_policy_override(c.id, PolicyOverride { role, info_class, access }).await?;
            ctx.audit("policy set", Some(c.id), format!("{role} {info_class} {access}")).await?;
            println!("{}: {role} × {info_class} → {access}", c.name);
        }
    }
    Ok(())
}
