//! `iphr import`: files into the coded record, one transaction per file — checkup CSV through a
//! mapping profile, CDA and FHIR documents, the HR master, attendance, stress-check answers,
//! work-environment results, document bundles; and the review queues (`iphr queue`).

mod checkup;
mod documents;
mod hr;
mod progress;
pub mod queue;
mod work_environment;

use crate::cli::context::Context;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use iphr_domain::PersonId;

#[derive(Subcommand, Debug)]
pub enum ImportCmd {
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
pub struct DocumentsArgs {
    #[command(flatten)]
    pub common: ImportCommon,
    /// File-name pattern matched against the path inside the bundle (the file name alone when
    /// the pattern has no `/`): `{employee_number}`, `{date}` (YYYY-MM-DD, YYYYMMDD, 和暦 …) or
    /// `{date:%Y%m%d}` (a chrono format), `{title}`, `{kana}`, `*` (any text within a folder
    /// name). E.g. "{employee_number}_{date}_{title}.pdf" or "{employee_number}/{date:%Y%m%d}*".
    #[arg(long)]
    pub pattern: String,
    /// Largest document read, in MiB.
    #[arg(long, default_value_t = 50)]
    pub max_document_mib: u64,
    /// Most a bundle's documents may unpack to together, in MiB.
    #[arg(long, default_value_t = 1024)]
    pub max_total_mib: u64,
}

/// Arguments of `iphr import fhir` and `iphr import cda`.
#[derive(clap::Args, Debug)]
pub struct FhirArgs {
    #[command(flatten)]
    pub common: ImportCommon,
    /// The person the documents are about (a person id of an employee of the company), for
    /// documents without an employee number.
    #[arg(long)]
    pub person: Option<PersonId>,
}

/// The files and switches every importer takes.
#[derive(clap::Args, Debug)]
pub struct ImportCommon {
    /// Files to import; each is one transaction.
    #[arg(required = true)]
    pub files: Vec<std::path::PathBuf>,
    /// Company (id or exact name).
    #[arg(long)]
    pub company: String,
    /// Report what would happen; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Skip rows with errors (reported) instead of refusing the file.
    #[arg(long)]
    pub allow_partial: bool,
    /// Machine-readable report with every error's file, line, field and reason.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of importers without a profile.
#[derive(clap::Args, Debug)]
pub struct PlainImportArgs {
    #[command(flatten)]
    pub common: ImportCommon,
}

/// Arguments of `iphr import hr`.
#[derive(clap::Args, Debug)]
pub struct HrArgs {
    #[command(flatten)]
    pub common: ImportCommon,
    /// The day changes of department, position, work or exposures take effect (default today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

/// Arguments shared by the importers.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub common: ImportCommon,
    /// Mapping profile (TOML).
    #[arg(long)]
    pub profile: std::path::PathBuf,
    /// Create the persons the file names that the company does not know (employee number,
    /// name, kana, birth date and sex all given) instead of holding their records for review:
    /// for a company without an HR master. Audited.
    #[arg(long)]
    pub create_persons: bool,
}

impl ImportCommon {
    /// The import's options, at the context's clock.
    pub fn options(&self, ctx: &Context) -> iphr_import::Options {
        iphr_import::Options {
            dry_run: self.dry_run,
            allow_partial: self.allow_partial,
            now: Some(ctx.now()),
            ..Default::default()
        }
    }
}

/// Runs an importer over files (each one transaction) and prints the outcome of each.
/// A file read whole (the importers of small files); the error names it.
fn read_file(path: &std::path::Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))
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

/// Runs `iphr import`.
pub async fn run(ctx: &Context, cmd: ImportCmd) -> Result<()> {
    match cmd {
        ImportCmd::Documents(a) => documents::import_documents(ctx, a).await,
        ImportCmd::CheckupCsv(a) => checkup::import_checkup_csv(ctx, a).await,
        ImportCmd::Hr(a) => hr::import_hr(ctx, a).await,
        ImportCmd::Attendance(a) => checkup::import_plain(ctx, a, checkup::Plain::Attendance).await,
        ImportCmd::Stress(a) => checkup::import_plain(ctx, a, checkup::Plain::Stress).await,
        ImportCmd::Fhir(a) => checkup::import_document(ctx, a, false).await,
        ImportCmd::Cda(a) => checkup::import_document(ctx, a, true).await,
        ImportCmd::WorkEnvironment(a) => {
            let c = &a.common;
            work_environment::import_work_environment(ctx, &c.files, &c.company, c.dry_run, c.allow_partial, c.json)
                .await
        }
    }
}
