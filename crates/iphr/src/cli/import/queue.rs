//! `iphr queue`: the review queues — records held for identity review, unmapped items, documents
//! waiting for a worker — and their resolution.

use crate::cli::context::Context;
use anyhow::{Result, bail};
use clap::Subcommand;
use iphr_domain::PersonId;

#[derive(Subcommand, Debug)]
pub enum QueueCmd {
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

async fn list(ctx: &Context, company: &str, json: bool) -> Result<()> {
    let c = ctx.company(company).await?;
    let held = ctx.store().identity_queue(c.id).await?;
    let unmapped = ctx.store().unmapped_items(c.id).await?;
    ctx.audit("read review queues", Some(c.id), format!("{} held, {} unmapped", held.len(), unmapped.len())).await?;
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
async fn documents(ctx: &Context, company: &str, json: bool) -> Result<()> {
    let c = ctx.company(company).await?;
    let waiting = ctx.store().unassigned_documents(c.id).await?;
    ctx.audit("read unassigned documents", Some(c.id), format!("{} document(s)", waiting.len())).await?;
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

/// Runs `iphr queue`.
pub async fn run(ctx: &Context, cmd: QueueCmd) -> Result<()> {
    match cmd {
        QueueCmd::List { company, json } => list(ctx, &company, json).await,
        QueueCmd::Documents { company, json } => documents(ctx, &company, json).await,
        QueueCmd::Map { company, source_system, code, item } => {
            let c = ctx.company(&company).await?;
            let m = iphr_import::map_unmapped(ctx.store(), c.id, &source_system, &code, &item, "cli").await?;
            println!("[{source_system}] {code} → {item}: converted {}, still held {}", m.converted, m.still_held);
            Ok(())
        }
        QueueCmd::Assign { id, company, person } => {
            let c = ctx.company(&company).await?;
            let r = iphr_import::resolve_identity(ctx.store(), c.id, id, person, "cli").await?;
            println!(
                "queue {id} resolved for {person}: imported {}, unchanged {}, corrected {}",
                r.summary.imported, r.summary.unchanged, r.summary.corrected
            );
            Ok(())
        }
        QueueCmd::AssignDocument { id, company, person, employee_number } => {
            let c = ctx.company(&company).await?;
            let who = match (person, employee_number) {
                (Some(p), _) => iphr_import::PersonRef::Person(p),
                (None, Some(n)) => iphr_import::PersonRef::EmployeeNumber(n),
                (None, None) => bail!("give --person or --employee-number"),
            };
            let m = iphr_import::assign_document(ctx.store(), c.id, id, &who, "cli").await?;
            println!(
                "document {id} ({}) assigned to {}: event {} on the timeline",
                m.original_path,
                m.person_id.map(|p| p.to_string()).unwrap_or_default(),
                m.event_id.map(|e| e.to_string()).unwrap_or_default()
            );
            Ok(())
        }
    }
}
