//! `iphr user`: user accounts (Argon2id passwords; roles; the companies served).

use crate::cli::context::Context;
use crate::cli::context::password_from;
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use iphr_domain::role::Role;
use iphr_domain::{PersonId, UserId};
use iphr_store::User;

#[derive(Subcommand, Debug)]
pub enum UserCmd {
    /// Add a user. The password comes from --password or, if absent, the first line of stdin.
    Add {
        /// Login name.
        login: String,
        /// Role: physician, nurse, health_manager, hr, worker, admin or institution (a checkup
        /// institution: uploads checkup results for its companies, reads nothing).
        #[arg(long)]
        role: Role,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Company (id or exact name); repeat for a physician, nurse or institution serving several.
        #[arg(long = "company")]
        companies: Vec<String>,
        /// For a worker: the person id whose record is theirs.
        #[arg(long)]
        person: Option<PersonId>,
        /// Password (else read from stdin).
        #[arg(long, env = "IPHR_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a user's password (from --password or stdin).
    Passwd {
        /// Login name.
        login: String,
        /// Password (else read from stdin).
        #[arg(long, env = "IPHR_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Assign a physician, nurse or checkup institution to (more) companies.
    Assign {
        /// Login name.
        login: String,
        /// Company (id or exact name); repeatable.
        #[arg(long = "company", required = true)]
        companies: Vec<String>,
    },
}

/// Runs `iphr user`.
pub async fn run(ctx: &Context, u: UserCmd) -> Result<()> {
    match u {
        UserCmd::Add { login, role, name, companies, person, password } => {
            if login.trim().is_empty() || login.chars().any(char::is_whitespace) {
                bail!("the login must be non-empty and without spaces");
            }
            let mut ids = Vec::new();
            for c in &companies {
                ids.push(ctx.company(c).await?.id);
            }
            match role {
                Role::Admin if !ids.is_empty() => bail!("an admin belongs to no company"),
                Role::Worker if person.is_none() => {
                    bail!("a worker account needs --person (the person id whose record is theirs)")
                }
                Role::Worker if !ids.is_empty() => {
                    bail!("a worker account takes --person, not --company")
                }
                Role::HealthManager | Role::Hr if ids.len() != 1 => {
                    bail!("a {role} belongs to exactly one company (--company)")
                }
                Role::Physician | Role::Nurse | Role::Institution if ids.is_empty() => {
                    bail!("a {role} needs at least one --company")
                }
                _ => {}
            }
            if person.is_some() && role != Role::Worker {
                bail!("--person is only for worker accounts");
            }
            let pw = password_from(password)?;
            let hash = iphr_web::auth::hash_password(&pw).map_err(|e| anyhow!(e))?;
            let user = User {
                id: UserId::new(),
                login: login.clone(),
                display_name: name.unwrap_or_else(|| login.clone()),
                role,
                password_hash: hash,
                person_id: person,
                companies: ids,
                disabled: false,
            };
            ctx.store().create_user(&user).await.map_err(|e| match e {
                iphr_store::StoreError::Conflict(_) => anyhow!("the login {login:?} is taken"),
                other => other.into(),
            })?;
            ctx.audit("user add", None, format!("{} {}", user.login, user.role)).await?;
            println!("{}\t{}\t{}", user.id, user.login, user.role);
        }
        UserCmd::Passwd { login, password } => {
            let pw = password_from(password)?;
            let hash = iphr_web::auth::hash_password(&pw).map_err(|e| anyhow!(e))?;
            ctx.store().set_password(&login, &hash).await.map_err(|e| match e {
                iphr_store::StoreError::NotFound(_) => anyhow!("no user {login:?}"),
                other => other.into(),
            })?;
            ctx.audit("user passwd", None, login.clone()).await?;
            println!("password of {login} changed");
        }
        UserCmd::List { json } => {
            let users = ctx.store().list_users().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for u in users {
                    let cs: Vec<String> = u.companies.iter().map(|c| c.to_string()).collect();
                    println!("{}\t{}\t{}\t{}", u.login, u.role, u.display_name, cs.join(","));
                }
            }
        }
        UserCmd::Assign { login, companies } => {
            let user = ctx.store().user_by_login(&login).await?.ok_or_else(|| anyhow!("no user {login:?}"))?;
            if !user.role.serves_many_companies() {
                bail!(
                    "only a physician, nurse or checkup institution is assigned to companies; {login} is {}",
                    user.role
                );
            }
            for c in &companies {
                let company = ctx.company(c).await?;
                ctx.store().assign_company(user.id, company.id).await?;
                ctx.audit("user assign", Some(company.id), login.clone()).await?;
                println!("{login} → {}", company.name);
            }
        }
    }
    Ok(())
}
