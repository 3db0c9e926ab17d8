//! The HR master.

use super::*;
use crate::cli::context::Context;

pub(super) async fn import_hr(ctx: &Context, a: HrArgs) -> Result<()> {
    let company = ctx.company(&a.common.company).await?;
    let as_of = a.as_of.unwrap_or_else(|| ctx.today());
    let options = a.common.options(ctx);
    let mut failed = 0usize;
    let mut json_out = Vec::new();
    for path in &a.common.files {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let result = match std::fs::read(path) {
            Ok(bytes) => iphr_import::import_hr(ctx.store(), company.id, &name, &bytes, as_of, "cli", options)
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
