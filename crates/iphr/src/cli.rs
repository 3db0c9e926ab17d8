//! The command line.

use crate::demo;
use anyhow::{Context, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, PersonId, UserId};
use iphr_store::{Store, User};
use std::io::BufRead;
use std::sync::Arc;

/// The default SQLite database.
pub const DEFAULT_DB: &str = "sqlite://./iphr-data/iphr.db";

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
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// On an empty database, generate the demo population first (3 companies, 300 workers,
        /// 5 years) and print the demo accounts.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (set when served over HTTPS).
        #[arg(long, env = "IPHR_SECURE_COOKIES")]
        secure_cookies: bool,
    },
    /// Run the pending database migrations.
    Migrate,
    /// Generate a deterministic synthetic population.
    Demo(DemoArgs),
    /// Companies (事業者).
    #[command(subcommand)]
    Company(CompanyCmd),
    /// User accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Import files into the coded record: one transaction per file.
    #[command(subcommand)]
    Import(ImportCmd),
    /// Export the coded record (long CSV that `profiles/iphr-export.toml` reads back, NDJSON, or
    /// checkups as MHLW CDA documents and FHIR Bundles).
    #[command(subcommand)]
    Export(ExportCmd),
    /// Person records: list, merge two records of the same human, undo a merge.
    #[command(subcommand)]
    Person(PersonCmd),
    /// The review queues: records held for identity review, unmapped items.
    #[command(subcommand)]
    Queue(QueueCmd),
    /// A company's 健康情報等取扱規程: role × information class → access.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Re-run the post-checkup rules (診断区分, urgent values, 指導区分 and 就業区分 proposals,
    /// deadlines, 二次健診, 特定保健指導) over a company's checkups and store the results.
    Judge {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Only checkups on or after this date (YYYY-MM-DD).
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The rule tables (thresholds, urgent values, settings …) and a company's overrides.
    #[command(subcommand)]
    Rules(crate::postcheckup_cli::RulesCmd),
    /// Per worker for a month: 時間外・休日 for the 面接指導 rule, 法定時間外, 休日, night shifts, the
    /// 協定-year totals and rolling averages, and the flags (interview notice, caps, approaching).
    Hours {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Month (YYYY-MM).
        #[arg(long)]
        month: String,
        /// Sector profile: general, construction, driver, doctor_a (default: the company's
        /// `overtime_profile` setting, `iphr rules show settings`).
        #[arg(long)]
        profile: Option<String>,
        /// csv or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::workstatus_cli::Format,
    },
    /// Special checkups (特殊健診, 特定業務従事者) due or overdue from the current exposures and night
    /// work, by statute and cycle.
    SpecialCheckups {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// The day to measure from (default today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// csv or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::workstatus_cli::Format,
    },
    /// The stress check: campaigns, results per worker, group analysis.
    #[command(subcommand)]
    Stresscheck(crate::workstatus_cli::StressCmd),
    /// The OHCC code table: items and the value codes of coded items (what a mapping profile
    /// maps to).
    #[command(subcommand)]
    Ohcc(crate::ohcc_cli::OhccCmd),
    /// Counts per record kind and company.
    Stats {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
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

#[derive(Subcommand, Debug)]
enum CompanyCmd {
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

#[derive(Subcommand, Debug)]
enum ImportCmd {
    /// Checkup results from an institution's CSV, read through a mapping profile
    /// (profiles/*.toml; docs/import-profiles.md).
    CheckupCsv(ImportArgs),
    /// The HR master CSV: employees, names, kana, sex, birth, hire and leave dates, department,
    /// position, work content, night work, exposures (docs/import-profiles.md, "HR master").
    Hr(HrArgs),
    /// Attendance: monthly totals, or daily clock-in/out from which 時間外・休日労働 (安衛則52条の2),
    /// 法定時間外, 法定休日労働 and night shifts are computed per month.
    Attendance(PlainImportArgs),
    /// Stress-check answers keyed in from paper: 57 answers (1–4) per worker.
    Stress(PlainImportArgs),
    /// 健康診断結果報告書 FHIR documents (JP-CLINS eCheckup Bundles, JSON).
    Fhir(FhirArgs),
    /// 特定健診・事業者健診 CDA XML documents (MHLW 特定健診情報ファイル), one per examinee.
    Cda(FhirArgs),
    /// Work-environment results per unit workplace of a department: 作業環境測定 (管理区分 1–3) and
    /// chemical risk assessments (CREATE-SIMPLE: estimate, limit, risk level).
    WorkEnvironment(PlainImportArgs),
    /// Document bundles (文書の一括取込): a .zip or a folder of scans, PDFs and images, matched to
    /// workers by a file-name pattern; each bundle is one transaction. Unmatched documents wait
    /// unassigned (`iphr queue documents`, `iphr queue assign-document`).
    Documents(DocumentsArgs),
}

/// Arguments of `iphr import documents`.
#[derive(clap::Args, Debug)]
struct DocumentsArgs {
    #[command(flatten)]
    common: ImportCommon,
    /// File-name pattern matched against the path inside the bundle (the file name alone when
    /// the pattern has no `/`): `{employee_number}`, `{date}` (YYYY-MM-DD, YYYYMMDD, 和暦 …) or
    /// `{date:%Y%m%d}` (a chrono format), `{title}`, `{kana}`, `*` (any text within a folder
    /// name). E.g. "{employee_number}_{date}_{title}.pdf" or "{employee_number}/{date:%Y%m%d}*".
    #[arg(long)]
    pattern: String,
    /// Largest document read, in MiB.
    #[arg(long, default_value_t = 50)]
    max_document_mib: u64,
    /// Most a bundle's documents may unpack to together, in MiB.
    #[arg(long, default_value_t = 1024)]
    max_total_mib: u64,
}

/// Arguments of `iphr import fhir` and `iphr import cda`.
#[derive(clap::Args, Debug)]
struct FhirArgs {
    #[command(flatten)]
    common: ImportCommon,
    /// The person the documents are about (a person id of an employee of the company), for
    /// documents without an employee number.
    #[arg(long)]
    person: Option<PersonId>,
}

/// The files and switches every importer takes.
#[derive(clap::Args, Debug)]
struct ImportCommon {
    /// Files to import; each is one transaction.
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
    /// Company (id or exact name).
    #[arg(long)]
    company: String,
    /// Report what would happen; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Skip rows with errors (reported) instead of refusing the file.
    #[arg(long)]
    allow_partial: bool,
    /// Machine-readable report with every error's file, line, field and reason.
    #[arg(long)]
    json: bool,
}

impl ImportCommon {
    fn options(&self) -> iphr_import::Options {
        iphr_import::Options { dry_run: self.dry_run, allow_partial: self.allow_partial, ..Default::default() }
    }
}

/// Arguments of importers without a profile.
#[derive(clap::Args, Debug)]
struct PlainImportArgs {
    #[command(flatten)]
    common: ImportCommon,
}

/// Arguments of `iphr import hr`.
#[derive(clap::Args, Debug)]
struct HrArgs {
    #[command(flatten)]
    common: ImportCommon,
    /// The day changes of department, position, work or exposures take effect (default today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
}

/// Arguments shared by the importers.
#[derive(clap::Args, Debug)]
struct ImportArgs {
    #[command(flatten)]
    common: ImportCommon,
    /// Mapping profile (TOML).
    #[arg(long)]
    profile: std::path::PathBuf,
    /// Create the persons the file names that the company does not know (employee number,
    /// name, kana, birth date and sex all given) instead of holding their records for review:
    /// for a company without an HR master. Audited.
    #[arg(long)]
    create_persons: bool,
}

#[derive(Subcommand, Debug)]
enum ExportCmd {
    /// Every datum of a company's employees.
    Company {
        /// Company (id or exact name).
        company: String,
        /// csv (long, one row per datum), ndjson, or cda / fhir (every checkup: --output
        /// FILE.zip).
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Only events of this kind (checkup, stress_check, attendance_month, …).
        #[arg(long)]
        kind: Option<iphr_domain::event::EventKind>,
        /// Write to a file instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Judgements of a company's checkups: per-item and overall 診断区分, urgent hits by tier,
    /// proposed 指導区分 and 就業区分, stratification (run `iphr judge` first).
    Judgements {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// csv (an `overall` row per checkup, then one per item) or json.
        #[arg(long, value_enum, default_value = "csv")]
        format: crate::postcheckup_cli::JudgementFormat,
        /// Only each person's latest checkup.
        #[arg(long)]
        latest: bool,
        /// Only checkups on or after this date.
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
        /// Write to a file instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Every datum of one worker: an employee number or a person id.
    Worker {
        /// Employee number or person id.
        worker: String,
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// csv (long, one row per datum), ndjson, cda (MHLW CDA per checkup) or fhir (FHIR
        /// Bundle per checkup).
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Only events of this kind.
        #[arg(long)]
        kind: Option<iphr_domain::event::EventKind>,
        /// cda and fhir: only the checkup of this date (YYYY-MM-DD).
        #[arg(long)]
        date: Option<NaiveDate>,
        /// Write to a file instead of standard output (cda and fhir with several checkups: a
        /// FILE.zip).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

/// Export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    /// Long CSV, one row per datum.
    Csv,
    /// One JSON object per datum.
    Ndjson,
    /// MHLW 特定健診・事業者健診 CDA (hc08): one document per checkup; several checkups as an
    /// MHLW archive (--output FILE.zip).
    Cda,
    /// FHIR document Bundle (JP-CLINS eCheckup style): one per checkup; several as a ZIP of
    /// Bundles (--output FILE.zip).
    Fhir,
}

#[derive(Subcommand, Debug)]
enum PersonCmd {
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

#[derive(Subcommand, Debug)]
enum QueueCmd {
    /// List a company's records held for identity review and its unmapped items.
    List {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Map an unmapped source code to an OHCC item: saved for later imports of that source, and
    /// the held items of that code (of known persons) are converted and stored.
    Map {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Source system (the profile name shown by `iphr queue list`).
        #[arg(long)]
        source_system: String,
        /// Source code.
        #[arg(long)]
        code: String,
        /// OHCC item (10 characters).
        #[arg(long)]
        item: String,
    },
    /// Resolve a held record: it is about this person; its results are imported.
    Assign {
        /// Queue entry id (from `iphr queue list`).
        id: uuid::Uuid,
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// The person (an employee of the company).
        #[arg(long)]
        person: PersonId,
    },
    /// List a company's documents waiting for a worker (未割当): names that fit no pattern,
    /// unknown or ambiguous employee numbers.
    Documents {
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Give a waiting document to a worker: its attachment event (添付文書) goes on the worker's
    /// timeline.
    AssignDocument {
        /// Document id (from `iphr queue documents`).
        id: uuid::Uuid,
        /// Company (id or exact name).
        #[arg(long)]
        company: String,
        /// The person (an employee of the company) …
        #[arg(long, conflicts_with = "employee_number", required_unless_present = "employee_number")]
        person: Option<PersonId>,
        /// … or their 社員番号.
        #[arg(long)]
        employee_number: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum PolicyCmd {
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

#[derive(Subcommand, Debug)]
enum UserCmd {
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

/// Opens the store named by a URL and runs the migrations.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    // An empty IPHR_DATABASE_URL means the default.
    let url = if url.trim().is_empty() { DEFAULT_DB } else { url };
    let store: Arc<dyn Store> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(iphr_store_postgres::PgStore::connect(url).await?)
    } else if url.starts_with("sqlite:") {
        Arc::new(iphr_store_sqlite::SqliteStore::open(url).await?)
    } else {
        bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://…");
    };
    store.migrate().await?;
    Ok(store)
}

/// Runs a command.
pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { addr, demo: with_demo, secure_cookies } => {
            init_tracing();
            let store = open_store(&cli.database_url).await?;
            if with_demo {
                if store.has_data().await? {
                    eprintln!("iphr: the database already holds data; serving it as it is");
                } else {
                    let args = DemoArgs { companies: 3, workers: 300, years: 5, seed: 1, as_of: None, replace: false };
                    demo::generate(store.as_ref(), &args).await?;
                }
                demo::print_accounts(store.as_ref()).await?;
            }
            serve(store, &addr, secure_cookies).await
        }
        Command::Migrate => {
            let store = open_store(&cli.database_url).await?;
            println!("migrations applied ({})", store.backend());
            Ok(())
        }
        Command::Demo(args) => {
            let store = open_store(&cli.database_url).await?;
            demo::generate(store.as_ref(), &args).await
        }
        Command::Company(c) => company(&cli.database_url, c).await,
        Command::User(u) => user(&cli.database_url, u).await,
        Command::Policy(p) => policy(&cli.database_url, p).await,
        Command::Person(p) => person(&cli.database_url, p).await,
        Command::Export(ExportCmd::Judgements { company, format, latest, since, output }) => {
            crate::postcheckup_cli::export_judgements(&cli.database_url, &company, format, latest, since, output).await
        }
        Command::Export(e) => export(&cli.database_url, e).await,
        Command::Judge { company, since, json } => {
            crate::postcheckup_cli::judge(&cli.database_url, &company, since, json).await
        }
        Command::Rules(r) => crate::postcheckup_cli::rules(&cli.database_url, r).await,
        Command::Hours { company, month, profile, format } => {
            crate::workstatus_cli::hours(&cli.database_url, &company, &month, profile.as_deref(), format).await
        }
        Command::Stresscheck(c) => crate::workstatus_cli::stresscheck(&cli.database_url, c).await,
        Command::SpecialCheckups { company, as_of, format } => {
            crate::workstatus_cli::special_checkups(&cli.database_url, &company, as_of, format).await
        }
        Command::Queue(QueueCmd::List { company, json }) => queue(&cli.database_url, &company, json).await,
        Command::Queue(QueueCmd::Map { company, source_system, code, item }) => {
            let store = open_store(&cli.database_url).await?;
            let c = find_company(store.as_ref(), &company).await?;
            let m = iphr_import::map_unmapped(store.as_ref(), c.id, &source_system, &code, &item, "cli").await?;
            println!("[{source_system}] {code} → {item}: converted {}, still held {}", m.converted, m.still_held);
            Ok(())
        }
        Command::Queue(QueueCmd::Assign { id, company, person }) => {
            let store = open_store(&cli.database_url).await?;
            let c = find_company(store.as_ref(), &company).await?;
            let r = iphr_import::resolve_identity(store.as_ref(), c.id, id, person, "cli").await?;
            println!(
                "queue {id} resolved for {person}: imported {}, unchanged {}, corrected {}",
                r.summary.imported, r.summary.unchanged, r.summary.corrected
            );
            Ok(())
        }
        Command::Queue(QueueCmd::Documents { company, json }) => {
            queue_documents(&cli.database_url, &company, json).await
        }
        Command::Queue(QueueCmd::AssignDocument { id, company, person, employee_number }) => {
            let store = open_store(&cli.database_url).await?;
            let c = find_company(store.as_ref(), &company).await?;
            let who = match (person, employee_number) {
                (Some(p), _) => iphr_import::PersonRef::Person(p),
                (None, Some(n)) => iphr_import::PersonRef::EmployeeNumber(n),
                (None, None) => bail!("give --person or --employee-number"),
            };
            let m = iphr_import::assign_document(store.as_ref(), c.id, id, &who, "cli").await?;
            println!(
                "document {id} ({}) assigned to {}: event {} on the timeline",
                m.original_path,
                m.person_id.map(|p| p.to_string()).unwrap_or_default(),
                m.event_id.map(|e| e.to_string()).unwrap_or_default()
            );
            Ok(())
        }
        Command::Import(ImportCmd::Documents(a)) => import_documents(&cli.database_url, a).await,
        Command::Import(ImportCmd::CheckupCsv(a)) => import_checkup_csv(&cli.database_url, a).await,
        Command::Import(ImportCmd::Hr(a)) => import_hr(&cli.database_url, a).await,
        Command::Import(ImportCmd::Attendance(a)) => import_plain(&cli.database_url, a, Plain::Attendance).await,
        Command::Import(ImportCmd::Stress(a)) => import_plain(&cli.database_url, a, Plain::Stress).await,
        Command::Import(ImportCmd::Fhir(a)) => import_document(&cli.database_url, a, false).await,
        Command::Import(ImportCmd::Cda(a)) => import_document(&cli.database_url, a, true).await,
        Command::Import(ImportCmd::WorkEnvironment(a)) => {
            let c = &a.common;
            crate::workstatus_cli::import_work_environment(
                &cli.database_url,
                &c.files,
                &c.company,
                c.dry_run,
                c.allow_partial,
                c.json,
            )
            .await
        }
        Command::Ohcc(cmd) => crate::ohcc_cli::ohcc(cmd),
        Command::Stats { json } => {
            let store = open_store(&cli.database_url).await?;
            let s = store.stats().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!("persons: {}", s.persons);
                for (role, n) in &s.users {
                    println!("users {role}: {n}");
                }
                for c in &s.companies {
                    println!("{} ({})", c.name, c.company_id);
                    println!(
                        "  establishments {}  departments {}  employments {}  assignments {}  exposures {}  observations {}  consents {}",
                        c.establishments,
                        c.departments,
                        c.employments,
                        c.assignments,
                        c.exposures,
                        c.observations,
                        c.consents
                    );
                    for (k, n) in &c.events {
                        println!("  events {k}: {n}");
                    }
                }
            }
            Ok(())
        }
    }
}

/// Records a write made from the command line in the audit log (user `cli`: whoever runs the
/// binary on the server holds the database credentials).
pub async fn audit_cli(store: &dyn Store, action: &str, company: Option<CompanyId>, detail: String) -> Result<()> {
    store
        .append_audit(&iphr_domain::audit::AuditEntry {
            id: iphr_domain::AuditId::new(),
            at: chrono::Utc::now(),
            user_id: None,
            login: "cli".into(),
            role: None,
            action: action.into(),
            company_id: company,
            person_id: None,
            info_class: None,
            allowed: true,
            detail,
        })
        .await?;
    Ok(())
}

/// The clock: the system's, or the instant `IPHR_NOW` gives (RFC 3339 or a date, for re-running
/// a command as of a time; tests use it).
pub fn clock() -> Result<Arc<dyn iphr_domain::clock::Clock>> {
    match std::env::var("IPHR_NOW") {
        Ok(v) if !v.trim().is_empty() => {
            let at = iphr_domain::clock::parse_instant(&v)
                .ok_or_else(|| anyhow!("IPHR_NOW={v:?}: not an RFC 3339 instant or a YYYY-MM-DD date"))?;
            tracing::warn!(now = %at, "the clock is fixed by IPHR_NOW");
            Ok(Arc::new(iphr_domain::clock::FixedClock(at)))
        }
        _ => Ok(Arc::new(iphr_domain::clock::SystemClock)),
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("IPHR_LOG").unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

async fn serve(store: Arc<dyn Store>, addr: &str, secure_cookies: bool) -> Result<()> {
    let config = iphr_web::WebConfig { secure_cookies, ..Default::default() };
    let app = iphr_web::Application::build(store, config, clock()?).map_err(|e| anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener.local_addr()?;
    eprintln!("iphr: serving on http://{local}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let ctrl_c = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(s) => s,
                    Err(_) => return,
                };
                tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
            }
            #[cfg(not(unix))]
            {
                let _ = ctrl_c.await;
            }
        })
        .await?;
    Ok(())
}

pub(crate) async fn find_company(store: &dyn Store, reference: &str) -> Result<Company> {
    let all = store.list_companies().await?;
    if let Ok(id) = reference.parse::<CompanyId>()
        && let Some(c) = all.iter().find(|c| c.id == id)
    {
        return Ok(c.clone());
    }
    let matches: Vec<&Company> = all.iter().filter(|c| c.name == reference).collect();
    match matches.as_slice() {
        [c] => Ok((*c).clone()),
        [] => {
            bail!("no company {reference:?} (give its id or exact name; see `iphr company list`)")
        }
        _ => bail!("several companies are named {reference:?}: give the id"),
    }
}

fn password_from(arg: Option<String>) -> Result<String> {
    let pw = match arg {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if pw.chars().count() < 8 {
        bail!("the password must have at least 8 characters");
    }
    Ok(pw)
}

/// Runs an importer over files (each one transaction) and prints the outcome of each.
/// A file read whole (the importers of small files); the error names it.
fn read_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
}

/// A progress bar on standard error while a large file imports — only on a terminal (and not
/// with `--json` or when piped), redrawn at most ten times a second.
struct ProgressBar {
    name: String,
    on: bool,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl ProgressBar {
    fn new(name: &str) -> Self {
        use std::io::IsTerminal;
        Self { name: name.to_string(), on: std::io::stderr().is_terminal(), last: std::sync::Mutex::new(None) }
    }

    fn update(&self, pass: iphr_import::Pass, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(100)) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let step = match pass {
            iphr_import::Pass::Reading => 0,
            iphr_import::Pass::Converting => 1,
            iphr_import::Pass::Writing => 2,
        };
        let frac = if total == 0 { 0.0 } else { (done as f64 / total as f64).min(1.0) };
        let width = 30;
        let filled = (frac * width as f64) as usize;
        eprint!(
            "\r{} [{}{}] {:>3}% {}/3 {} {:.1}/{:.1} MiB ",
            self.name,
            "#".repeat(filled),
            "-".repeat(width - filled),
            (frac * 100.0) as u32,
            step + 1,
            pass.label_ja(),
            done as f64 / 1048576.0,
            total as f64 / 1048576.0,
        );
    }

    fn finish(&self) {
        if self.on && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprintln!();
        }
    }
}

async fn run_imports(
    files: &[std::path::PathBuf],
    json: bool,
    import: impl AsyncFn(String, &std::path::Path) -> Result<iphr_import::RecordOutcome, String>,
) -> Result<()> {
    let mut failed = 0usize;
    let mut json_out = Vec::new();
    for path in files {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let result = import(name.clone(), path).await;
        match result {
            Ok(outcome) => {
                let r = outcome.report();
                let state = match &outcome {
                    iphr_import::Outcome::Imported { .. } => "imported",
                    iphr_import::Outcome::DryRun { .. } => "dry run, nothing written",
                    iphr_import::Outcome::Refused { .. } => {
                        failed += 1;
                        "REFUSED, nothing written (fix the rows or use --allow-partial)"
                    }
                };
                if json {
                    json_out.push(serde_json::to_value(&outcome)?);
                } else {
                    println!(
                        "{}: read {}, imported {}, unchanged {}, corrected {}, rejected {}, unmapped {}, queued {} — {state} ({})",
                        r.file,
                        r.read,
                        r.summary.imported,
                        r.summary.unchanged,
                        r.summary.corrected,
                        r.rejected,
                        r.summary.unmapped,
                        r.summary.queued,
                        r.encoding.as_deref().unwrap_or_default()
                    );
                    if r.summary.created_persons > 0 {
                        println!("  {} persons created from the file (--create-persons)", r.summary.created_persons);
                    }
                    for e in &r.errors {
                        println!("  error {}:{} [{}] {}", e.file, e.at, e.field, e.reason);
                    }
                    for e in &r.warnings {
                        println!("  warning {}:{} [{}] {}", e.file, e.at, e.field, e.reason);
                    }
                }
            }
            Err(e) => {
                failed += 1;
                if json {
                    json_out.push(serde_json::json!({ "outcome": "error", "file": name, "error": e }));
                } else {
                    println!("{name}: ERROR, nothing written — {e}");
                }
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&json_out)?);
    }
    if failed > 0 {
        bail!("{failed} of {} files not imported", files.len());
    }
    Ok(())
}

async fn import_checkup_csv(url: &str, a: ImportArgs) -> Result<()> {
    let store = open_store(url).await?;
    let company = find_company(store.as_ref(), &a.common.company).await?;
    let ptext =
        std::fs::read_to_string(&a.profile).with_context(|| format!("cannot read profile {}", a.profile.display()))?;
    let profile = iphr_convert::profile::Profile::parse(&a.profile.display().to_string(), &ptext)?;
    let options = iphr_import::Options { create_persons: a.create_persons, ..a.common.options() };
    // Read as a stream from the file (never held whole); a bar on a terminal.
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bar = ProgressBar::new(&name);
        let out = iphr_import::import_checkup_csv_chunked(
            store.as_ref(),
            company.id,
            &profile,
            &name,
            iphr_import::CsvInput::Path(path),
            "cli",
            options,
            iphr_import::checkup::CHUNK_ROWS,
            &|pass, done, total| bar.update(pass, done, total),
        )
        .await
        .map_err(|e| e.to_string());
        bar.finish();
        out
    })
    .await
}

async fn import_document(url: &str, a: FhirArgs, cda: bool) -> Result<()> {
    let store = open_store(url).await?;
    let company = find_company(store.as_ref(), &a.common.company).await?;
    let options = a.common.options();
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bytes = read_file(path)?;
        let s = store.as_ref();
        if cda {
            iphr_import::import_cda(s, company.id, &name, &bytes, a.person, "cli", options).await
        } else {
            iphr_import::import_fhir(s, company.id, &name, &bytes, a.person, "cli", options).await
        }
        .map_err(|e| e.to_string())
    })
    .await
}

/// Importers that need no profile.
#[derive(Clone, Copy)]
enum Plain {
    Attendance,
    Stress,
}

async fn import_plain(url: &str, a: PlainImportArgs, kind: Plain) -> Result<()> {
    let store = open_store(url).await?;
    let company = find_company(store.as_ref(), &a.common.company).await?;
    let options = a.common.options();
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bytes = read_file(path)?;
        let s = store.as_ref();
        match kind {
            Plain::Attendance => iphr_import::import_attendance(s, company.id, &name, &bytes, "cli", options).await,
            Plain::Stress => iphr_import::import_stress(s, company.id, &name, &bytes, "cli", options).await,
        }
        .map_err(|e| e.to_string())
    })
    .await
}

async fn import_hr(url: &str, a: HrArgs) -> Result<()> {
    let store = open_store(url).await?;
    let company = find_company(store.as_ref(), &a.common.company).await?;
    let as_of = a.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let options = a.common.options();
    let mut failed = 0usize;
    let mut json_out = Vec::new();
    for path in &a.common.files {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let result = match std::fs::read(path) {
            Ok(bytes) => iphr_import::import_hr(store.as_ref(), company.id, &name, &bytes, as_of, "cli", options)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
        };
        match result {
            Ok(outcome) => {
                let r = outcome.report();
                let state = match &outcome {
                    iphr_import::HrOutcome::Imported { .. } => "imported",
                    iphr_import::HrOutcome::DryRun { .. } => "dry run, nothing written",
                    iphr_import::HrOutcome::Refused { .. } => {
                        failed += 1;
                        "REFUSED, nothing written (fix the rows or use --allow-partial)"
                    }
                };
                if a.common.json {
                    json_out.push(serde_json::to_value(&outcome)?);
                } else {
                    println!(
                        "{}: read {}, created {}, updated {}, unchanged {}, rejected {} — {state} ({})",
                        r.file,
                        r.read,
                        r.summary.created,
                        r.summary.updated,
                        r.summary.unchanged,
                        r.rejected,
                        r.encoding.as_deref().unwrap_or_default()
                    );
                    if r.summary.resolved > 0 {
                        println!(
                            "  {} records held for identity review imported for the employees they wait for",
                            r.summary.resolved
                        );
                    }
                    for e in &r.errors {
                        println!("  error {}:{} [{}] {}", e.file, e.at, e.field, e.reason);
                    }
                }
            }
            Err(e) => {
                failed += 1;
                if a.common.json {
                    json_out.push(serde_json::json!({ "outcome": "error", "file": name, "error": e }));
                } else {
                    println!("{name}: ERROR, nothing written — {e}");
                }
            }
        }
    }
    if a.common.json {
        println!("{}", serde_json::to_string_pretty(&json_out)?);
    }
    if failed > 0 {
        bail!("{failed} of {} files not imported", a.common.files.len());
    }
    Ok(())
}

async fn queue(url: &str, company: &str, json: bool) -> Result<()> {
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let held = store.identity_queue(c.id).await?;
    let unmapped = store.unmapped_items(c.id).await?;
    audit_cli(
        store.as_ref(),
        "read review queues",
        Some(c.id),
        format!("{} held, {} unmapped", held.len(), unmapped.len()),
    )
    .await?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "identity_queue": held, "unmapped_items": unmapped }))?
        );
        return Ok(());
    }
    println!("identity review: {} record(s)", held.len());
    for q in &held {
        let results = q.payload.get("results").and_then(|r| r.as_array()).map_or(0, Vec::len);
        println!(
            "  {}  line {}  {}  {}  {} result(s)  {}",
            q.id,
            q.line,
            q.reason,
            q.payload.get("date").and_then(|d| d.as_str()).unwrap_or(""),
            results,
            q.identity
        );
    }
    println!("unmapped items: {}", unmapped.len());
    for u in &unmapped {
        println!(
            "  {}  line {}  [{}] {} {:?} {}{}",
            u.id,
            u.line,
            u.source_system,
            u.source_code,
            u.source_text,
            u.raw_value,
            u.unit.as_deref().map(|x| format!(" {x}")).unwrap_or_default()
        );
    }
    Ok(())
}

/// `iphr queue documents`: the documents waiting for a worker; audited.
async fn queue_documents(url: &str, company: &str, json: bool) -> Result<()> {
    let store = open_store(url).await?;
    let c = find_company(store.as_ref(), company).await?;
    let waiting = store.unassigned_documents(c.id).await?;
    audit_cli(store.as_ref(), "read unassigned documents", Some(c.id), format!("{} document(s)", waiting.len()))
        .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "unassigned_documents": waiting }))?);
        return Ok(());
    }
    println!("unassigned documents: {}", waiting.len());
    for d in &waiting {
        println!(
            "  {}  {}  {}  {} bytes  {}",
            d.id,
            d.original_path,
            d.content_type,
            d.size,
            d.unmatched_reason.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

/// `iphr import documents`: each bundle one transaction; a summary per bundle (or JSON), the
/// errors with bundle, entry, field and reason, and the documents left unassigned.
async fn import_documents(url: &str, a: DocumentsArgs) -> Result<()> {
    let pattern = iphr_convert::documents::Pattern::parse(&a.pattern)?;
    let mib = 1024 * 1024;
    let limits = iphr_convert::documents::Limits {
        max_document: a.max_document_mib.saturating_mul(mib),
        max_total: a.max_total_mib.saturating_mul(mib),
        ..Default::default()
    };
    let store = open_store(url).await?;
    let company = find_company(store.as_ref(), &a.common.company).await?;
    let options = a.common.options();
    let mut failed = 0usize;
    let mut json_out = Vec::new();
    for path in &a.common.files {
        let result =
            iphr_import::import_documents(store.as_ref(), company.id, path, &pattern, limits, "cli", options).await;
        match result {
            Ok(outcome) => {
                let r = outcome.report();
                let state = match &outcome {
                    iphr_import::DocumentOutcome::Imported { .. } => "imported",
                    iphr_import::DocumentOutcome::DryRun { .. } => "dry run, nothing written",
                    iphr_import::DocumentOutcome::Refused { .. } => {
                        failed += 1;
                        "REFUSED, nothing written (fix the entries or use --allow-partial)"
                    }
                };
                if a.common.json {
                    json_out.push(serde_json::to_value(&outcome)?);
                    continue;
                }
                println!(
                    "{}: read {}, imported {} (matched {}, unassigned {}), assigned {}, unchanged {}, rejected {}, skipped {} — {state}",
                    r.file,
                    r.read,
                    r.summary.imported,
                    r.summary.matched,
                    r.summary.unassigned,
                    r.summary.assigned,
                    r.summary.unchanged,
                    r.rejected,
                    r.summary.skipped
                );
                for e in &r.errors {
                    println!("  error {}:{} [{}] {}", e.file, e.at, e.field, e.reason);
                }
                for e in &r.warnings {
                    println!("  warning {}:{} [{}] {}", e.file, e.at, e.field, e.reason);
                }
                for d in r.summary.documents.iter().filter(|d| d.outcome == "unassigned") {
                    println!("  unassigned {}  {}: {}", d.document_id, d.entry, d.reason.as_deref().unwrap_or(""));
                }
            }
            Err(e) => {
                failed += 1;
                if a.common.json {
                    json_out.push(
                        serde_json::json!({ "outcome": "error", "file": path.display().to_string(), "error": e.to_string() }),
                    );
                } else {
                    println!("{}: ERROR, nothing written — {e}", path.display());
                }
            }
        }
    }
    if a.common.json {
        println!("{}", serde_json::to_string_pretty(&json_out)?);
    }
    if failed > 0 {
        bail!("{failed} of {} bundles not imported", a.common.files.len());
    }
    Ok(())
}

/// The deciding user of a merge, who must be a physician or nurse serving every company involved.
async fn merge_actor(
    store: &dyn Store,
    login: &str,
    persons: &[PersonId],
    action: &str,
) -> Result<iphr_domain::role::Actor> {
    let u = store.user_by_login(login).await?.ok_or_else(|| anyhow!("no user {login:?}"))?;
    let actor = iphr_domain::role::Actor {
        user_id: u.id,
        login: u.login.clone(),
        role: u.role,
        companies: u.companies.iter().copied().collect(),
        person_id: u.person_id,
    };
    let mut companies = Vec::new();
    for p in persons {
        companies.extend(store.companies_of_person(*p).await?);
    }
    companies.sort();
    companies.dedup();
    if !iphr_domain::policy::may_merge_persons(&actor, &companies) {
        store
            .append_audit(&iphr_domain::audit::AuditEntry {
                id: iphr_domain::AuditId::new(),
                at: chrono::Utc::now(),
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
    store: &dyn Store,
    actor: &iphr_domain::role::Actor,
    action: &str,
    person: PersonId,
    detail: String,
) -> Result<()> {
    store
        .append_audit(&iphr_domain::audit::AuditEntry {
            id: iphr_domain::AuditId::new(),
            at: chrono::Utc::now(),
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

async fn export(url: &str, e: ExportCmd) -> Result<()> {
    use iphr_convert::export::{Who, to_csv, to_ndjson_line};
    let store = open_store(url).await?;
    let (company, worker, format, kind, date, output) = match e {
        ExportCmd::Company { company, format, kind, output } => (company, None, format, kind, None, output),
        ExportCmd::Worker { worker, company, format, kind, date, output } => {
            (company, Some(worker), format, kind, date, output)
        }
        ExportCmd::Judgements { .. } => bail!("judgements are exported by their own command"),
    };
    if date.is_some() && !matches!(format, ExportFormat::Cda | ExportFormat::Fhir) {
        bail!("--date picks one checkup of a cda or fhir export");
    }
    if matches!(format, ExportFormat::Cda | ExportFormat::Fhir)
        && kind.is_some_and(|k| k != iphr_domain::event::EventKind::Checkup)
    {
        bail!("cda and fhir documents hold checkups only (--kind checkup or none)");
    }
    let c = find_company(store.as_ref(), &company).await?;
    let mut rows = store
        .search_workers(c.id, &iphr_store::WorkerQuery { text: String::new(), offset: 0, limit: u32::MAX / 2 })
        .await?
        .rows;
    if let Some(w) = &worker {
        rows.retain(|r| r.employee_number == *w || r.person_id.to_string() == *w);
        if rows.is_empty() {
            bail!("no worker {w:?} in {} (give an employee number or a person id)", c.name);
        }
    }
    let table = iphr_domain::ohcc::ItemTable::embedded()?;
    let insurers: std::collections::HashMap<PersonId, iphr_domain::person::InsurerIds> = store
        .identity_candidates(c.id)
        .await?
        .into_iter()
        .map(|c| {
            let ids = iphr_domain::person::InsurerIds {
                insurer_number: c.insurer_number,
                symbol: c.insured_symbol,
                number: c.insured_number,
            };
            (c.person_id, ids)
        })
        .collect();
    let who: std::collections::HashMap<PersonId, Who> = rows
        .iter()
        .map(|r| {
            (
                r.person_id,
                Who {
                    employee_number: r.employee_number.clone(),
                    name: r.name.clone(),
                    kana: r.kana.clone(),
                    birth_date: r.birth_date,
                    sex: r.sex.as_str().into(),
                    insurer: insurers.get(&r.person_id).cloned().unwrap_or_default(),
                },
            )
        })
        .collect();
    if matches!(format, ExportFormat::Cda | ExportFormat::Fhir) {
        let docs = DocumentExport { format, worker: worker.as_deref(), date, output: output.as_deref() };
        return export_documents(store.as_ref(), &c, &rows, &who, docs).await;
    }
    let mut text = String::new();
    let mut count = 0usize;
    for (i, chunk) in rows.chunks(500).enumerate() {
        let persons: Vec<PersonId> = chunk.iter().map(|r| r.person_id).collect();
        let (events, observations) = store.person_records(c.id, kind, &persons).await?;
        let by_id: std::collections::HashMap<_, _> = events.iter().map(|e| (e.id, e)).collect();
        let mut joined: Vec<(&Who, &iphr_domain::event::Event, &iphr_domain::observation::Observation)> =
            observations.iter().filter_map(|o| Some((who.get(&o.person_id)?, *by_id.get(&o.event_id)?, o))).collect();
        joined.sort_by(|a, b| {
            (&a.0.employee_number, a.2.event_date, a.2.item.as_str()).cmp(&(
                &b.0.employee_number,
                b.2.event_date,
                b.2.item.as_str(),
            ))
        });
        count += joined.len();
        match format {
            ExportFormat::Csv => {
                let part = to_csv(table, joined.into_iter()).map_err(|e| anyhow!(e))?;
                // The header once.
                let body = if i == 0 { part.as_str() } else { part.split_once('\n').map_or("", |x| x.1) };
                text.push_str(body);
            }
            ExportFormat::Ndjson => {
                for (w, e, o) in joined {
                    text.push_str(&to_ndjson_line(table, w, e, o));
                    text.push('\n');
                }
            }
            ExportFormat::Cda | ExportFormat::Fhir => bail!("documents are written by export_documents"),
        }
    }
    if rows.is_empty() && format == ExportFormat::Csv {
        text = to_csv(table, std::iter::empty()).map_err(|e| anyhow!(e))?;
    }
    audit_cli(
        store.as_ref(),
        "export",
        Some(c.id),
        format!(
            "{} {:?} kind={:?}: {count} data of {} persons",
            worker.as_deref().unwrap_or("company"),
            format,
            kind,
            rows.len()
        ),
    )
    .await?;
    match output {
        Some(path) => std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&text)?,
    }
    Ok(())
}

/// What a CDA or FHIR export writes.
struct DocumentExport<'a> {
    format: ExportFormat,
    worker: Option<&'a str>,
    date: Option<NaiveDate>,
    output: Option<&'a std::path::Path>,
}

/// Exports checkups as CDA documents or FHIR Bundles, one per checkup: one checkup → one XML or
/// JSON file (or standard output); several → an archive, only with `--output FILE.zip`. Data
/// that the format cannot hold are listed on standard error.
async fn export_documents(
    store: &dyn Store,
    c: &Company,
    rows: &[iphr_store::WorkerRow],
    who: &std::collections::HashMap<PersonId, iphr_convert::export::Who>,
    x: DocumentExport<'_>,
) -> Result<()> {
    use iphr_convert::cda_export::{self, Checkup};
    use iphr_convert::fhir_export;
    use iphr_convert::mhlw::{MhlwTable, Skipped};
    use iphr_domain::event::EventKind;
    let table = iphr_domain::ohcc::ItemTable::embedded()?;
    let mhlw = MhlwTable::embedded(table)?;
    let units = iphr_convert::units::UnitTable::embedded()?;
    let issued = chrono::Local::now().date_naive();
    let zip = x.output.is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")));
    let label = if x.format == ExportFormat::Cda { "cda" } else { "fhir" };
    let mut cda_docs = Vec::new();
    let mut bundles = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut data = 0usize;
    let mut dates = Vec::new();
    for chunk in rows.chunks(500) {
        let persons: Vec<PersonId> = chunk.iter().map(|r| r.person_id).collect();
        let (events, observations) = store.person_records(c.id, Some(EventKind::Checkup), &persons).await?;
        let mut by_event: std::collections::HashMap<_, Vec<&iphr_domain::observation::Observation>> =
            std::collections::HashMap::new();
        for o in &observations {
            by_event.entry(o.event_id).or_default().push(o);
        }
        let mut checkups: Vec<(&iphr_convert::export::Who, Checkup)> = events
            .iter()
            .filter(|e| e.kind == EventKind::Checkup && x.date.is_none_or(|d| e.event_date == d))
            .filter_map(|e| {
                let w = who.get(&e.person_id?)?;
                let observations = by_event.remove(&e.id)?;
                Some((w, Checkup { event: e, observations }))
            })
            .collect();
        checkups.sort_by(|a, b| {
            (&a.0.employee_number, a.1.event.event_date).cmp(&(&b.0.employee_number, b.1.event.event_date))
        });
        for (w, ch) in &checkups {
            dates.push(ch.event.event_date);
            if x.format == ExportFormat::Cda {
                let (doc, s) = cda_export::document(table, &mhlw, units, w, ch, issued);
                data += doc.data;
                skipped.extend(s);
                cda_docs.push(doc);
            } else {
                let (b, s) = fhir_export::bundle(table, &mhlw, units, w, ch, issued);
                data += b.data;
                skipped.extend(s);
                bundles.push((w.employee_number.clone(), b));
            }
        }
    }
    let whose = x.worker.map(|w| format!("worker {w}")).unwrap_or_else(|| c.name.clone());
    let on = x.date.map(|d| format!(" on {d}")).unwrap_or_default();
    if dates.is_empty() {
        bail!("no checkups with data of {whose}{on} to export");
    }
    if dates.len() > 1 && !zip {
        let list: Vec<String> = dates.iter().take(10).map(|d| d.to_string()).collect();
        let more = if dates.len() > 10 { ", …" } else { "" };
        bail!(
            "{} checkups of {whose} ({}{more}): one {label} document per checkup — give --date YYYY-MM-DD for one, or --output FILE.zip for all",
            dates.len(),
            list.join(", ")
        );
    }
    let bytes: Vec<u8> = match (x.format, zip) {
        (ExportFormat::Cda, true) => cda_export::archive(&cda_docs, issued)?,
        (ExportFormat::Cda, false) => cda_docs.first().map(|d| d.xml.clone().into_bytes()).unwrap_or_default(),
        (_, true) => fhir_export::zip_bundles(&bundles)?,
        (_, false) => {
            let mut text = bundles.first().map(|b| b.1.to_text()).unwrap_or_default();
            text.push('\n');
            text.into_bytes()
        }
    };
    // "N data not exportable in this format (reason): item name ×k, …", one line per reason.
    let mut by_reason: std::collections::BTreeMap<&str, std::collections::BTreeMap<String, usize>> =
        std::collections::BTreeMap::new();
    for s in &skipped {
        *by_reason.entry(s.reason.label()).or_default().entry(format!("{} {}", s.item, s.name)).or_default() += 1;
    }
    for (reason, items) in &by_reason {
        let n: usize = items.values().sum();
        let list: Vec<String> =
            items.iter().map(|(i, k)| if *k > 1 { format!("{i} ×{k}") } else { i.clone() }).collect();
        eprintln!("{n} data not exportable in this format ({reason}): {}", list.join(", "));
    }
    // The eCheckup rules a Bundle cannot meet for want of data iphr does not hold, one line each.
    let mut unmet: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, b) in &bundles {
        for u in &b.unmet {
            *unmet.entry(u.as_str()).or_default() += 1;
        }
    }
    for (rule, n) in &unmet {
        eprintln!("{n} of {} Bundles do not meet eCheckup {rule}", bundles.len());
    }
    audit_cli(
        store,
        "export",
        Some(c.id),
        format!(
            "{} {label}{on}: {} checkups, {data} data of {} persons, {} left out",
            x.worker.unwrap_or("company"),
            dates.len(),
            rows.len(),
            skipped.len()
        ),
    )
    .await?;
    match x.output {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?,
        None => write_stdout(&String::from_utf8_lossy(&bytes))?,
    }
    Ok(())
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
pub(crate) fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

async fn person(url: &str, p: PersonCmd) -> Result<()> {
    let store = open_store(url).await?;
    match p {
        PersonCmd::List { company, query, json } => {
            let c = find_company(store.as_ref(), &company).await?;
            let rows = store
                .search_workers(c.id, &iphr_store::WorkerQuery { text: query, offset: 0, limit: u32::MAX / 2 })
                .await?
                .rows;
            audit_cli(store.as_ref(), "person list", Some(c.id), format!("{} rows", rows.len())).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!("{}\t{}\t{}\t{}\t{}", r.person_id, r.employee_number, r.name, r.kana, r.birth_date);
                }
            }
        }
        PersonCmd::Merge { keep, merge, as_login } => {
            let actor = merge_actor(store.as_ref(), &as_login, &[keep, merge], "merge persons").await?;
            let m = store.merge_persons(keep, merge, &actor.login).await?;
            audit_merge(
                store.as_ref(),
                &actor,
                "merge persons",
                keep,
                format!("merge {}: {merge} into {keep}; moved {}", m.id, m.moved),
            )
            .await?;
            println!("merge {}: {merge} merged into {keep} (undo: iphr person unmerge {} --as LOGIN)", m.id, m.id);
        }
        PersonCmd::Unmerge { id, as_login } => {
            let before = store.person_merge(id).await?.ok_or_else(|| anyhow!("no merge {id}"))?;
            let actor = merge_actor(store.as_ref(), &as_login, &[before.kept], "undo merge").await?;
            let m = store.undo_merge(id, &actor.login).await?;
            audit_merge(
                store.as_ref(),
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

async fn policy(url: &str, p: PolicyCmd) -> Result<()> {
    use iphr_domain::info_class::InfoClass;
    use iphr_domain::policy::{PolicyOverride, PolicyTable};
    let store = open_store(url).await?;
    let base = PolicyTable::default_2018()?;
    match p {
        PolicyCmd::Show { company, json } => {
            let c = find_company(store.as_ref(), &company).await?;
            let overrides = store.policy_overrides(c.id).await?;
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
            let c = find_company(store.as_ref(), &company).await?;
            store.set_policy_override(c.id, PolicyOverride { role, info_class, access }).await?;
            audit_cli(store.as_ref(), "policy set", Some(c.id), format!("{role} {info_class} {access}")).await?;
            println!("{}: {role} × {info_class} → {access}", c.name);
        }
    }
    Ok(())
}

async fn company(url: &str, c: CompanyCmd) -> Result<()> {
    let store = open_store(url).await?;
    match c {
        CompanyCmd::Add { name } => {
            let name = name.trim().to_string();
            if name.is_empty() {
                bail!("the company name is empty");
            }
            let company = Company { id: CompanyId::new(), name };
            store.create_company(&company).await?;
            audit_cli(store.as_ref(), "company add", Some(company.id), company.name.clone()).await?;
            println!("{}\t{}", company.id, company.name);
        }
        CompanyCmd::List { json } => {
            let all = store.list_companies().await?;
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

async fn user(url: &str, u: UserCmd) -> Result<()> {
    let store = open_store(url).await?;
    match u {
        UserCmd::Add { login, role, name, companies, person, password } => {
            if login.trim().is_empty() || login.chars().any(char::is_whitespace) {
                bail!("the login must be non-empty and without spaces");
            }
            let mut ids = Vec::new();
            for c in &companies {
                ids.push(find_company(store.as_ref(), c).await?.id);
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
            store.create_user(&user).await.map_err(|e| match e {
                iphr_store::StoreError::Conflict(_) => anyhow!("the login {login:?} is taken"),
                other => other.into(),
            })?;
            audit_cli(store.as_ref(), "user add", None, format!("{} {}", user.login, user.role)).await?;
            println!("{}\t{}\t{}", user.id, user.login, user.role);
        }
        UserCmd::Passwd { login, password } => {
            let pw = password_from(password)?;
            let hash = iphr_web::auth::hash_password(&pw).map_err(|e| anyhow!(e))?;
            store.set_password(&login, &hash).await.map_err(|e| match e {
                iphr_store::StoreError::NotFound(_) => anyhow!("no user {login:?}"),
                other => other.into(),
            })?;
            audit_cli(store.as_ref(), "user passwd", None, login.clone()).await?;
            println!("password of {login} changed");
        }
        UserCmd::List { json } => {
            let users = store.list_users().await?;
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
            let user = store.user_by_login(&login).await?.ok_or_else(|| anyhow!("no user {login:?}"))?;
            if !user.role.serves_many_companies() {
                bail!(
                    "only a physician, nurse or checkup institution is assigned to companies; {login} is {}",
                    user.role
                );
            }
            for c in &companies {
                let company = find_company(store.as_ref(), c).await?;
                store.assign_company(user.id, company.id).await?;
                audit_cli(store.as_ref(), "user assign", Some(company.id), login.clone()).await?;
                println!("{login} → {}", company.name);
            }
        }
    }
    Ok(())
}
