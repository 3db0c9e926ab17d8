//! The command line: one module per feature, named as the store's aggregates and the web's
//! features are, each with its commands' arguments and handlers; one [`Context`] (store, clock)
//! opened once per run.
//!
//! | command | module |
//! |---|---|
//! | `serve` | [`serve`] |
//! | `migrate`, `stats`, `demo` | [`maintenance`] |
//! | `company` | [`org`] |
//! | `user` | [`auth`] |
//! | `policy` | [`policy`] |
//! | `person` | [`people`] |
//! | `import …`, `queue …` | [`import`] |
//! | `export company`, `export worker` | [`records`] |
//! | `judge`, `export judgements`, `rules …`, `coverage` | [`postcheckup`] |
//! | `hours`, `special-checkups` | [`workstatus`] |
//! | `stresscheck …` | [`stress`] |
//! | `ohcc …` (no database) | [`ohcc`] |

pub mod auth;
pub mod context;
pub mod import;
pub mod maintenance;
pub mod ohcc;
pub mod org;
pub mod people;
pub mod policy;
pub mod postcheckup;
pub mod records;
pub mod serve;
pub mod stress;
pub mod workstatus;

use anyhow::Result;
use clap::{Parser, Subcommand};
use context::{Context, DEFAULT_DB};

/// iphr — 産業保健PHR: one coded, lifelong record per worker.
#[derive(Parser, Debug)]
#[command(name = "iphr", version, about)]
pub struct Cli {
    /// Database URL: sqlite://PATH (default ./iphr-data/iphr.db) or postgres://USER@HOST:PORT/DB.
    #[arg(long, env = "IPHR_DATABASE_URL", default_value = DEFAULT_DB, global = true)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web UI and the API (migrates first).
    Serve(serve::ServeArgs),
    /// Run the pending database migrations.
    Migrate,
    /// Generate a deterministic synthetic population.
    Demo(maintenance::demo::DemoArgs),
    /// Companies (事業者).
    #[command(subcommand)]
    Company(org::CompanyCmd),
    /// User accounts.
    #[command(subcommand)]
    User(auth::UserCmd),
    /// Import files into the coded record: one transaction per file.
    #[command(subcommand)]
    Import(import::ImportCmd),
    /// Export the coded record (long CSV that `profiles/iphr-export.toml` reads back, NDJSON, or
    /// checkups as MHLW CDA documents and FHIR Bundles).
    #[command(subcommand)]
    Export(records::ExportCmd),
    /// Person records: list, merge two records of the same human, undo a merge.
    #[command(subcommand)]
    Person(people::PersonCmd),
    /// The review queues: records held for identity review, unmapped items.
    #[command(subcommand)]
    Queue(import::queue::QueueCmd),
    /// A company's 健康情報等取扱規程: role × information class → access.
    #[command(subcommand)]
    Policy(policy::PolicyCmd),
    /// Re-run the post-checkup rules (診断区分, urgent values, 指導区分 and 就業区分 proposals,
    /// deadlines, 二次健診, 特定保健指導) over a company's checkups and store the results.
    Judge(postcheckup::JudgeArgs),
    /// 受診状況: who has not had this fiscal year's 定期健康診断 (or a new hire's 雇入時健診), by
    /// establishment and department, with 受診率, 有所見率 and the 高ストレス率 of the year's campaign.
    Coverage(postcheckup::CoverageArgs),
    /// The rule tables (thresholds, urgent values, settings …) and a company's overrides.
    #[command(subcommand)]
    Rules(postcheckup::rules::RulesCmd),
    /// Per worker for a month: 時間外・休日 for the 面接指導 rule, 法定時間外, 休日, night shifts, the
    /// 協定-year totals and rolling averages, and the flags (interview notice, caps, approaching).
    Hours(workstatus::HoursArgs),
    /// Special checkups (特殊健診, 特定業務従事者) due or overdue from the current exposures and night
    /// work, by statute and cycle.
    SpecialCheckups(workstatus::SpecialArgs),
    /// The stress check: campaigns, results per worker, group analysis.
    #[command(subcommand)]
    Stresscheck(stress::StressCmd),
    /// The OHCC code table: items and the value codes of coded items (what a mapping profile
    /// maps to).
    #[command(subcommand)]
    Ohcc(ohcc::OhccCmd),
    /// Counts per record kind and company.
    Stats(maintenance::StatsArgs),
}

/// Runs a command: the code table needs no database; every other command opens the context once.
pub async fn run(cli: Cli) -> Result<()> {
    let command = match cli.command {
        Command::Ohcc(cmd) => return ohcc::run(cmd),
        other => other,
    };
    if matches!(command, Command::Serve(_)) {
        init_tracing();
    }
    let ctx = Context::open(&cli.database_url).await?;
    match command {
        Command::Serve(a) => serve::run(ctx, a).await,
        Command::Migrate => {
            maintenance::migrate(&ctx);
            Ok(())
        }
        Command::Demo(a) => maintenance::demo::generate(&ctx, &a).await,
        Command::Stats(a) => maintenance::stats(&ctx, &a).await,
        Command::Company(c) => org::run(&ctx, c).await,
        Command::User(u) => auth::run(&ctx, u).await,
        Command::Policy(p) => policy::run(&ctx, p).await,
        Command::Person(p) => people::run(&ctx, p).await,
        Command::Import(i) => import::run(&ctx, i).await,
        Command::Queue(q) => import::queue::run(&ctx, q).await,
        Command::Export(records::ExportCmd::Judgements(a)) => postcheckup::export_judgements(&ctx, a).await,
        Command::Export(e) => records::run(&ctx, e).await,
        Command::Judge(a) => postcheckup::judge(&ctx, a).await,
        Command::Coverage(a) => postcheckup::coverage(&ctx, a).await,
        Command::Rules(r) => postcheckup::rules::run(&ctx, r).await,
        Command::Hours(a) => workstatus::hours(&ctx, a).await,
        Command::SpecialCheckups(a) => workstatus::special_checkups(&ctx, a).await,
        Command::Stresscheck(c) => stress::run(&ctx, c).await,
        Command::Ohcc(_) => Ok(()),
    }
}

/// Logs of `iphr serve` (`IPHR_LOG`, default `info`).
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IPHR_LOG").unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}
