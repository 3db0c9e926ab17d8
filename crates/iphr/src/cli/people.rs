//! `iphr person`: person records — the list, merging two records of the same human, undoing a
//! merge (a physician or nurse serving every company involved decides; audited).

use crate::cli::context::Context;
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use iphr_domain::PersonId;

#[derive(Subcommand, Debug)]
pub enum PersonCmd {
    /// The employees of a company with their person ids.
    List {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Name, kana or employee number.
        #[arg(long, default_value = "")]
        query: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Merge person MERGE into person KEEP (the same human recorded twice).
    Merge {
        /// The person kept.
        #[arg(long)]
        keep: PersonId,
        /// The person merged into it.
        #[arg(long)]
        merge: PersonId,
        /// The physician or nurse deciding (login).
        #[arg(long = "as")]
        as_login: String,
    },
    /// Undo a merge.
    Unmerge {
        /// Merge id (printed by `iphr person merge`).
        id: uuid::Uuid,
        /// The physician or nurse deciding (login).
        #[arg(long = "as")]
        as_login: String,
    },
}

/// The deciding user of a merge, who must be a physician or nurse serving every company involved.
async fn merge_actor(
    ctx: &Context,
    login: &str,
    persons: &[PersonId],
    action: &str,
) -> Result<iphr_domain::role::Actor> {
    let u = ctx.store().user_by_login(login).await?.ok_or_else(|| anyhow!("no user {login:?}"))?;
    let actor = iphr_domain::role::Actor {
        user_id: u.id,
        login: u.login.clone(),
        role: u.role,
        companies: u.companies.iter().copied().collect(),
        person_id: u.person_id,
    };
    let mut companies = Vec::new();
    for p in persons {
        companies.extend(ctx.store().companies_of_person(*p).await?);
    }
    companies.sort();
    companies.dedup();
    if !iphr_domain::policy::may_merge_persons(&actor, &companies) {
        ctx.store()
            .append_audit(&iphr_domain::audit::AuditEntry {
                id: iphr_domain::AuditId::new(),
                at: ctx.now(),
                user_id: Some(u.id),
                login: u.login.clone(),
                role: Some(u.role),
                action: action.into(),
                company_id: companies.first().copied(),
                person_id: persons.first().copied(),
                info_class: None,
                allowed: false,
                detail: "only a physician or nurse serving every company of both persons".into(),
            })
            .await?;
        bail!(
            "{login} ({}) may not merge these persons: only a physician or nurse serving every company employing them",
            u.role
        );
    }
    Ok(actor)
}

async fn audit_merge(
    ctx: &Context,
    actor: &iphr_domain::role::Actor,
    action: &str,
    person: PersonId,
    detail: String,
) -> Result<()> {
    ctx.store()
        .append_audit(&iphr_domain::audit::AuditEntry {
            id: iphr_domain::AuditId::new(),
            at: ctx.now(),
            user_id: Some(actor.user_id),
            login: actor.login.clone(),
            role: Some(actor.role),
            action: action.into(),
            company_id: None,
            person_id: Some(person),
            info_class: Some(iphr_domain::info_class::InfoClass::Identity),
            allowed: true,
            detail,
        })
        .await?;
    Ok(())
}

/// Runs `iphr person`.
pub async fn run(ctx: &Context, p: PersonCmd) -> Result<()> {
    match p {
        PersonCmd::List { company, query, json } => {
            let c = ctx.company(&company).await?;
            let rows = ctx
                .store()
                .search_workers(c.id, &iphr_store::WorkerQuery { text: query, offset: 0, limit: u32::MAX / 2 })
                .await?
                .rows;
            ctx.audit("person list", Some(c.id), format!("{} rows", rows.len())).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!("{}\t{}\t{}\t{}\t{}", r.person_id, r.employee_number, r.name, r.kana, r.birth_date);
                }
            }
        }
        PersonCmd::Merge { keep, merge, as_login } => {
            let actor = merge_actor(ctx, &as_login, &[keep, merge], "merge persons").await?;
            let m = ctx.store().merge_persons(keep, merge, &actor.login).await?;
            audit_merge(
                ctx,
                &actor,
                "merge persons",
                keep,
                format!("merge {}: {merge} into {keep}; moved {}", m.id, m.moved),
            )
            .await?;
            println!("merge {}: {merge} merged into {keep} (undo: iphr person unmerge {} --as LOGIN)", m.id, m.id);
        }
        PersonCmd::Unmerge { id, as_login } => {
            let before = ctx.store().person_merge(id).await?.ok_or_else(|| anyhow!("no merge {id}"))?;
            let actor = merge_actor(ctx, &as_login, &[before.kept], "undo merge").await?;
            let m = ctx.store().undo_merge(id, &actor.login).await?;
            audit_merge(
                ctx,
                &actor,
                "undo merge",
                m.kept,
                format!("merge {id} undone: {} separated from {}", m.merged, m.kept),
            )
            .await?;
            println!("merge {id} undone: {} and {} are separate again", m.kept, m.merged);
        }
    }
    Ok(())
}
