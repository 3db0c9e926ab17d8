//! Checkup results: CSV through a mapping profile, CDA and FHIR documents; and attendance and
//! stress-check answers (no profile).

use super::progress::ProgressBar;
use super::*;
use crate::cli::context::Context;

pub(super) async fn import_checkup_csv(ctx: &Context, a: ImportArgs) -> Result<()> {
    let company = ctx.company(&a.common.company).await?;
    let ptext =
        std::fs::read_to_string(&a.profile).with_context(|| format!("cannot read profile {}", a.profile.display()))?;
    let profile = iphr_convert::profile::Profile::parse(&a.profile.display().to_string(), &ptext)?;
    let options = iphr_import::Options { create_persons: a.create_persons, ..a.common.options(ctx) };
    // Read as a stream from the file (never held whole); a bar on a terminal.
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bar = ProgressBar::new(&name);
        let out = iphr_import::import_checkup_csv_chunked(
            ctx.store(),
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

pub(super) async fn import_document(ctx: &Context, a: FhirArgs, cda: bool) -> Result<()> {
    let company = ctx.company(&a.common.company).await?;
    let options = a.common.options(ctx);
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bytes = read_file(path)?;
        let s = ctx.store();
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
pub(super) enum Plain {
    Attendance,
    Stress,
}

pub(super) async fn import_plain(ctx: &Context, a: PlainImportArgs, kind: Plain) -> Result<()> {
    let company = ctx.company(&a.common.company).await?;
    let options = a.common.options(ctx);
    run_imports(&a.common.files, a.common.json, async |name: String, path: &std::path::Path| {
        let bytes = read_file(path)?;
        let s = ctx.store();
        match kind {
            Plain::Attendance => iphr_import::import_attendance(s, company.id, &name, &bytes, "cli", options).await,
            Plain::Stress => iphr_import::import_stress(s, company.id, &name, &bytes, "cli", options).await,
        }
        .map_err(|e| e.to_string())
    })
    .await
}
