//! Checkups exported as CDA documents or FHIR Bundles.

use super::ExportFormat;
use crate::cli::context::Context;
use crate::cli::context::write_stdout;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use iphr_domain::PersonId;
use iphr_domain::tenant::Company;

/// What a CDA or FHIR export writes.
pub(super) struct DocumentExport<'a> {
    pub(super) format: ExportFormat,
    pub(super) worker: Option<&'a str>,
    pub(super) date: Option<NaiveDate>,
    pub(super) output: Option<&'a std::path::Path>,
}

/// Exports checkups as CDA documents or FHIR Bundles, one per checkup: one checkup → one XML or
/// JSON file (or standard output); several → an archive, only with `--output FILE.zip`. Data
/// that the format cannot hold are listed on standard error.
pub(super) async fn export_documents(
    ctx: &Context,
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
    let issued = ctx.today();
    let zip = x.output.is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip")));
    let label = if x.format == ExportFormat::Cda { "cda" } else { "fhir" };
    let mut cda_docs = Vec::new();
    let mut bundles = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut data = 0usize;
    let mut dates = Vec::new();
    for chunk in rows.chunks(500) {
        let persons: Vec<PersonId> = chunk.iter().map(|r| r.person_id).collect();
        let (events, observations) = ctx.store().person_records(c.id, Some(EventKind::Checkup), &persons).await?;
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
    ctx.audit(
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
