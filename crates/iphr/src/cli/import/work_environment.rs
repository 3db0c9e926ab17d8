//! Work-environment results (作業環境測定, リスクアセスメント).

use super::*;
use crate::cli::context::Context;
use anyhow::{Result, anyhow, bail};
use iphr_domain::event::EventKind;

/// `iphr import work-environment FILE… --company C`: each file in one transaction; a row whose
/// department is unknown or whose fields are wrong refuses the file (unless `--allow-partial`);
/// importing the same rows again writes nothing.
pub(super) async fn import_work_environment(
    ctx: &Context,
    files: &[std::path::PathBuf],
    company: &str,
    dry_run: bool,
    allow_partial: bool,
    json: bool,
) -> Result<()> {
    use iphr_convert::work_env;
    use iphr_domain::event::Event;
    use iphr_domain::ohcc::Producer;
    let c = ctx.company(company).await?;
    let mut reports = Vec::new();
    let mut refused = false;
    for path in files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {name}"))?;
        let parsed = work_env::parse(&bytes).map_err(|e| anyhow!("{name}: {e}"))?;
        let departments = ctx.store().hr_state(c.id).await?.departments;
        let existing: Vec<Event> = ctx.store().events_of_kind(c.id, EventKind::WorkEnvironment, None).await?;
        let mut errors: Vec<serde_json::Value> = parsed
            .errors
            .iter()
            .map(|e| serde_json::json!({ "file": name, "line": e.line, "field": e.field, "reason": e.reason }))
            .collect();
        let mut events = Vec::new();
        let mut unchanged = 0usize;
        for r in &parsed.rows {
            let Some(d) = departments.iter().find(|d| d.name == r.department) else {
                errors.push(serde_json::json!({ "file": name, "line": r.line, "field": "部署",
                    "reason": format!("no department {:?} in {} (import the HR master first)", r.department, c.name) }));
                continue;
            };
            let detail = serde_json::json!({
                "unit_workplace": r.unit_workplace, "agent": r.agent, "method": r.method,
                "management_class": r.management_class, "estimate": r.estimate, "limit": r.limit, "unit": r.unit,
                "risk_level": r.risk_level, "note": r.note, "source": format!("{name}#line={}", r.line),
            });
            let same = |e: &Event| {
                e.department_id == Some(d.id)
                    && e.event_date == r.date
                    && e.detail.get("unit_workplace") == detail.get("unit_workplace")
                    && e.detail.get("agent") == detail.get("agent")
                    && e.detail.get("method") == detail.get("method")
            };
            if let Some(old) = existing.iter().find(|e| same(e)) {
                let strip = |v: &serde_json::Value| {
                    let mut v = v.clone();
                    if let Some(o) = v.as_object_mut() {
                        o.remove("source");
                    }
                    v
                };
                if strip(&old.detail) == strip(&detail) {
                    unchanged += 1;
                    continue;
                }
                errors.push(serde_json::json!({ "file": name, "line": r.line, "field": "管理区分",
                    "reason": "a different result is already stored for this unit workplace, substance and date" }));
                continue;
            }
            let title = match (r.management_class, &r.risk_level) {
                (Some(k), _) => format!("作業環境測定 {} {} 第{k}管理区分", r.unit_workplace, r.agent),
                (None, Some(l)) => {
                    format!("リスクアセスメント({}) {} {} リスクレベル{l}", r.method, r.unit_workplace, r.agent)
                }
                _ => format!("{} {} {}", r.method, r.unit_workplace, r.agent),
            };
            events.push(Event {
                company_id: c.id,
                id: iphr_domain::EventId::new(),
                person_id: None,
                employment_id: None,
                department_id: Some(d.id),
                kind: EventKind::WorkEnvironment,
                subkind: Some(if r.method == "作業環境測定" {
                    "measurement".into()
                } else {
                    "risk_assessment".into()
                }),
                event_date: r.date,
                title,
                content_class: EventKind::WorkEnvironment.default_content_class(),
                producer: Producer::HrSystem,
                detail,
                source_doc: Some(name.clone()),
            });
        }
        let refuse = !errors.is_empty() && !allow_partial;
        if !refuse && !dry_run && !events.is_empty() {
            ctx.store()
                .insert_batch(&iphr_store::Batch { events: events.clone(), ..iphr_store::Batch::default() })
                .await?;
            ctx.audit("import work-environment", Some(c.id), format!("{name}: {} results", events.len())).await?;
        }
        refused |= refuse;
        let status = if refuse {
            "refused"
        } else if dry_run {
            "dry run"
        } else {
            "imported"
        };
        reports.push(serde_json::json!({
            "file": name, "read": parsed.rows.len() + parsed.errors.len(),
            "imported": if refuse || dry_run { 0 } else { events.len() }, "unchanged": unchanged,
            "rejected": errors.len(), "status": status, "errors": errors,
        }));
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        for r in &reports {
            println!(
                "{}: read {}, imported {}, unchanged {}, rejected {} — {}",
                r["file"].as_str().unwrap_or(""),
                r["read"],
                r["imported"],
                r["unchanged"],
                r["rejected"],
                r["status"].as_str().unwrap_or("")
            );
            for e in r["errors"].as_array().into_iter().flatten() {
                println!(
                    "  {}:{}: {}: {}",
                    e["file"].as_str().unwrap_or(""),
                    e["line"],
                    e["field"].as_str().unwrap_or(""),
                    e["reason"].as_str().unwrap_or("")
                );
            }
        }
    }
    if refused {
        bail!("some files were refused: nothing was written from them (see the errors above)");
    }
    Ok(())
}
