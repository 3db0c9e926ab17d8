//! `iphr demo`: writes the synthetic population of [`iphr_demo`] through the store.

use crate::cli::context::Context;
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use iphr_demo::{DemoConfig, WorkerGenerator, accounts, companies, company_batch};
use iphr_domain::UserId;
use iphr_store::{Store, User};
use std::io::IsTerminal;
use std::time::Instant;

/// Workers per transaction.
const CHUNK: u32 = 100;

/// Generates and writes the demo population.
pub async fn generate(ctx: &Context, args: &DemoArgs) -> Result<()> {
    let store = ctx.store();
    if args.companies == 0 {
        bail!("--companies must be at least 1");
    }
    if args.workers < args.companies {
        bail!("--workers ({}) must be at least --companies ({})", args.workers, args.companies);
    }
    if args.years == 0 || args.years > 60 {
        bail!("--years must be between 1 and 60");
    }
    if store.has_data().await? {
        if !args.replace {
            bail!("the database already holds data; use --replace to delete it and generate anew");
        }
        store.wipe().await?;
        ctx.audit("wipe for demo --replace", None, String::new()).await?;
    }
    let cfg = DemoConfig {
        companies: args.companies,
        workers: args.workers,
        years: args.years,
        seed: args.seed,
        as_of: args.as_of.unwrap_or_else(|| ctx.today()),
    };
    let started = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let cs = companies(&cfg);
    let mut worker_person = None;
    let mut done = 0u32;
    for c in &cs {
        store.create_company(&c.company).await?;
        store.insert_batch(&company_batch(&cfg, c)).await?;
        let generator = WorkerGenerator::new(cfg, c).map_err(|e| anyhow!(e))?;
        let n = cfg.workers_of(c.index);
        let mut from = 0;
        while from < n {
            let to = (from + CHUNK).min(n);
            store.insert_batch(&generator.batch(from, to)).await?;
            done += to - from;
            from = to;
            if tty {
                eprint!("\riphr demo: {done}/{} workers", cfg.workers);
            }
        }
        if c.index == 0 {
            // The showcase worker's documents (a sample PDF and a scanned image).
            let q = iphr_store::WorkerQuery { text: "A000002".into(), offset: 0, limit: 1 };
            if let Some(w) = store.search_workers(c.company.id, &q).await?.rows.into_iter().next() {
                let docs = iphr_demo::documents::showcase_documents(
                    c.company.id,
                    w.person_id,
                    w.employment_id,
                    cfg.as_of,
                    &w.name,
                );
                store.insert_documents(&docs).await?;
            }
            // The demo worker account: the first employee of the first company still employed on
            // the demo date (a former employee takes no part in this year's stress check).
            let rows = store
                .search_workers(c.company.id, &iphr_store::WorkerQuery { text: String::new(), offset: 0, limit: n })
                .await?
                .rows;
            worker_person = rows
                .iter()
                .find(|r| r.leave_date.is_none_or(|d| d > cfg.as_of))
                .or(rows.first())
                .map(|r| r.person_id)
                .or(Some(generator.person_id(0)));
        }
    }
    if tty {
        eprintln!();
    }
    for a in accounts(&cs, worker_person) {
        let hash = iphr_web::auth::hash_password(&a.password).map_err(|e| anyhow!(e))?;
        store
            .create_user(&User {
                id: UserId::new(),
                login: a.login,
                display_name: a.display_name,
                role: a.role,
                password_hash: hash,
                person_id: a.person_id,
                companies: a.companies,
                disabled: false,
            })
            .await?;
    }
    // The post-checkup rules over the demo's checkups, as of the demo date (deterministic).
    let judged_at = cfg.as_of.and_time(chrono::NaiveTime::MIN).and_utc();
    for (i, c) in store.list_companies().await?.into_iter().enumerate() {
        // Stress-check campaigns: last year's (the October answers) and one open now, for the
        // demo worker to answer (実施者: the demo physician).
        for (k, name, from, to) in [
            (
                0u8,
                "前年度ストレスチェック",
                cfg.as_of - chrono::Duration::days(365),
                cfg.as_of - chrono::Duration::days(15),
            ),
            (
                1u8,
                "今年度ストレスチェック(実施中)",
                cfg.as_of - chrono::Duration::days(14),
                cfg.as_of + chrono::Duration::days(30),
            ),
        ] {
            let mut random = [0u8; 10];
            random[0] = k;
            random[1] = u8::try_from(i).unwrap_or(0);
            random[2..10].copy_from_slice(&cfg.seed.to_le_bytes());
            let ms = u64::try_from(judged_at.timestamp_millis()).unwrap_or(0);
            store
                .create_stress_campaign(&iphr_store::StressCampaign {
                    company_id: c.id,
                    id: iphr_domain::uuid_v7_from_parts(ms, random),
                    name: name.into(),
                    starts_on: from,
                    ends_on: to,
                    method: "sum".into(),
                    implementer: "doctor".into(),
                    created_by: "demo".into(),
                    created_at: judged_at,
                })
                .await?;
        }
        let r = iphr_postcheckup::judge_company(store, c.id, None, judged_at).await?;
        eprintln!(
            "iphr demo: {} — judged {} checkups (urgent: {})",
            c.name,
            r.summary.judged,
            r.urgent.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
        );
    }
    ctx.audit(
        "write demo population",
        None,
        format!(
            "companies={} workers={} years={} seed={} as_of={}",
            cfg.companies, cfg.workers, cfg.years, cfg.seed, cfg.as_of
        ),
    )
    .await?;
    eprintln!(
        "iphr demo: {} companies, {} workers, {} years as of {} (seed {}) in {:.1} s",
        cfg.companies,
        cfg.workers,
        cfg.years,
        cfg.as_of,
        cfg.seed,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Prints the demo accounts that exist in the store.
pub async fn print_accounts(store: &dyn Store) -> Result<()> {
    let users = store.list_users().await?;
    let demo = accounts(&[], None);
    eprintln!("demo accounts (password: {}):", iphr_demo::DEMO_PASSWORD);
    for a in demo {
        if let Some(u) = users.iter().find(|u| u.login == a.login) {
            eprintln!("  {:<8} {:<16} {}", u.login, u.role.label_ja(), u.role);
        }
    }
    Ok(())
}

/// Arguments of `iphr demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct DemoArgs {
    /// Number of companies.
    #[arg(long, default_value_t = 3)]
    pub companies: u32,
    /// Number of workers in total (the first company gets half).
    #[arg(long, default_value_t = 300)]
    pub workers: u32,
    /// Years of history.
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// Random seed: the same seed and as-of date give the same data on any backend.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The date the population is generated as of (YYYY-MM-DD; default today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Delete the existing data first (the audit log is kept).
    #[arg(long)]
    pub replace: bool,
}
