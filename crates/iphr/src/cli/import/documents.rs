//! Document bundles (文書の一括取込).

use super::*;
use crate::cli::context::Context;

/// `iphr import documents`: each bundle one transaction; a summary per bundle (or JSON), the
/// errors with bundle, entry, field and reason, and the documents left unassigned.
pub(super) async fn import_documents(ctx: &Context, a: DocumentsArgs) -> Result<()> {
    let pattern = iphr_convert::documents::Pattern::parse(&a.pattern)?;
    let mib = 1024 * 1024;
    let limits = iphr_convert::documents::Limits {
        max_document: a.max_document_mib.saturating_mul(mib),
        max_total: a.max_total_mib.saturating_mul(mib),
        ..Default::default()
    };
    let company = ctx.company(&a.common.company).await?;
    let options = a.common.options(ctx);
    let mut failed = 0usize;
    let mut json_out = Vec::new();
    for path in &a.common.files {
        let result =
            iphr_import::import_documents(ctx.store(), company.id, path, &pattern, limits, "cli", options).await;
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
