//! `iphr export`: the coded record out — long CSV (read back by `profiles/iphr-export.toml`),
//! NDJSON, or checkups as MHLW CDA documents and FHIR Bundles ([`documents`]); the judgements
//! through `iphr export judgements` ([`crate::cli::postcheckup`]).

mod documents;

use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use documents::{DocumentExport, export_documents};
use iphr_domain::PersonId;

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
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
    Judgements(crate::cli::postcheckup::JudgementsArgs),
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
pub enum ExportFormat {
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

/// Runs `iphr export company|worker`.
pub async fn run(ctx: &Context, e: ExportCmd) -> Result<()> {
    use iphr_convert::export::{Who, to_csv, to_ndjson_line};
    let (company, worker, format, kind, date, output) = match e {
        ExportCmd::Company { company, format, kind, output } => (company, None, format, kind, None, output),
        ExportCmd::Worker { worker, company, format, kind, date, output } => {
            (company, Some(worker), format, kind, date, output)
        }
        ExportCmd::Judgements(_) => bail!("judgements are exported by their own command"),
    };
    if date.is_some() && !matches!(format, ExportFormat::Cda | ExportFormat::Fhir) {
        bail!("--date picks one checkup of a cda or fhir export");
    }
    if matches!(format, ExportFormat::Cda | ExportFormat::Fhir)
        && kind.is_some_and(|k| k != iphr_domain::event::EventKind::Checkup)
    {
        bail!("cda and fhir documents hold checkups only (--kind checkup or none)");
    }
    let c = ctx.company(&company).await?;
    let mut rows = ctx
        .store()
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
    let insurers: std::collections::HashMap<PersonId, iphr_domain::person::InsurerIds> = ctx
        .store()
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
        return export_documents(ctx, &c, &rows, &who, docs).await;
    }
    let mut text = String::new();
    let mut count = 0usize;
    for (i, chunk) in rows.chunks(500).enumerate() {
        let persons: Vec<PersonId> = chunk.iter().map(|r| r.person_id).collect();
        let (events, observations) = ctx.store().person_records(c.id, kind, &persons).await?;
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
    ctx.audit(
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
