//! Document bundles (文書の一括取込): a zip or a folder of scans, PDFs and images — a workplace's
//! existing file storage — matched to workers by a file-name pattern, in one transaction per
//! bundle.
//!
//! Each entry is read once to plan (its SHA-256, content type and name; never more than one
//! document in memory), then the new ones are read again for the write and their hash checked.
//! A matched document becomes an attachment event (添付文書) on the worker's timeline; one whose
//! name does not fit the pattern, or names an unknown or ambiguous employee number, is stored
//! unassigned (未割当) and listed, for `iphr queue assign-document`. The same document again
//! (same SHA-256 in the company) is unchanged.
//!
//! Content class: 第3区分 (指針 class 3: consent required). A bundle's documents are of unknown
//! content — 精密検査 results, 主治医 letters, 診断書, 両立支援 papers — and 要配慮個人情報; class 3
//! is the most protected of the 指針's three and the domain's class for attachments, so nothing
//! is shown to a role that could not see the worst a scan may hold. A user who knows a document's
//! content can narrow it later.

use crate::outcome::{DocumentLine, DocumentOutcome, DocumentReport, DocumentSummary, Issue, Outcome};
use crate::{ImportError, NotFound, Options, Unmatched};
use chrono::{NaiveDate, Utc};
use iphr_convert::documents::{
    BundleError, ContentType, EntryError, Limits, PathMatch, Pattern, ZipBundle, ZipEntry, is_system_file, is_zip,
    read_capped, safe_path,
};
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::identity::{Candidate, Incoming, Match, find};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::{AuditId, CompanyId, EventId, PersonId};
use iphr_store::{DocumentAssignment, DocumentMeta, DocumentWrite, SourceFile, Store, StoredDocument};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Source kind recorded for a bundle.
pub const KIND: &str = "documents";

/// Deepest folder nesting walked.
const MAX_DEPTH: usize = 32;

/// How the user names a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonRef {
    /// A person id (an employee of the company).
    Person(PersonId),
    /// 社員番号 within the company.
    EmployeeNumber(String),
}

/// An entry of a bundle, before reading.
enum Item {
    /// A zip entry.
    Zip(ZipEntry),
    /// A regular file of a folder.
    File {
        /// Relative path.
        path: String,
        /// On disk.
        full: PathBuf,
    },
    /// Something not read (a symbolic link, a special file, a name that is not UTF-8).
    Refused {
        /// Relative path.
        path: String,
        /// Field.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl Item {
    fn path(&self) -> &str {
        match self {
            Item::Zip(e) => &e.path,
            Item::File { path, .. } | Item::Refused { path, .. } => path,
        }
    }
}

/// An opened bundle.
enum Bundle {
    Zip(Box<ZipBundle<BufReader<std::fs::File>>>),
    Folder,
}

impl Bundle {
    fn read(&mut self, item: &Item, limits: &Limits) -> Result<Vec<u8>, EntryError> {
        match (self, item) {
            (Bundle::Zip(z), Item::Zip(e)) => z.read(e.index),
            (_, Item::File { full, .. }) => {
                // Opened without following a link that replaced the file since the walk.
                let meta = std::fs::symlink_metadata(full).map_err(|e| EntryError::Unreadable(e.to_string()))?;
                if !meta.file_type().is_file() {
                    return Err(EntryError::Unreadable("no longer a regular file".into()));
                }
                if meta.len() > limits.max_document {
                    return Err(EntryError::TooLarge { max: limits.max_document });
                }
                let f = std::fs::File::open(full).map_err(|e| EntryError::Unreadable(e.to_string()))?;
                read_capped(f, limits.max_document)
            }
            _ => Err(EntryError::Unreadable("not readable".into())),
        }
    }
}

/// Opens a zip file or walks a folder.
fn open(path: &Path, name: &str, limits: &Limits) -> Result<(Bundle, Vec<Item>, Option<String>), ImportError> {
    let io_err = |e: std::io::Error| ImportError::io(path, e);
    let bundle_err = |e: BundleError| ImportError::file(name, e);
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if meta.is_dir() {
        let items = walk(path, limits).map_err(bundle_err)?;
        return Ok((Bundle::Folder, items, None));
    }
    let mut f = std::fs::File::open(path).map_err(io_err)?;
    let mut first = [0u8; 4];
    let n = f.read(&mut first).map_err(io_err)?;
    if !is_zip(first.get(..n).unwrap_or_default()) {
        return Err(bundle_err(BundleError::NotABundle));
    }
    // The bundle's hash, streamed (the archive is never held whole).
    let mut hasher = Sha256::new();
    let mut f = std::fs::File::open(path).map_err(io_err)?;
    std::io::copy(&mut f, &mut hasher).map_err(io_err)?;
    let sha = hex::encode(hasher.finalize());
    let f = std::fs::File::open(path).map_err(io_err)?;
    let mut zip = ZipBundle::open(BufReader::new(f), *limits).map_err(bundle_err)?;
    let items = zip
        .entries()
        .map_err(bundle_err)?
        .into_iter()
        .map(|e| {
            if e.symlink {
                Item::Refused { path: e.path, field: "path", reason: "a symbolic link: not followed".into() }
            } else {
                Item::Zip(e)
            }
        })
        .collect();
    Ok((Bundle::Zip(Box::new(zip)), items, Some(sha)))
}

/// Walks a folder without following symbolic links; entries in path order.
fn walk(root: &Path, limits: &Limits) -> Result<Vec<Item>, BundleError> {
    let mut out = Vec::new();
    let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.to_path_buf(), String::new(), 0)];
    let mut seen = 0usize;
    while let Some((dir, rel, depth)) = stack.pop() {
        let entries =
            std::fs::read_dir(&dir).map_err(|e| BundleError::Unreadable(format!("{}: {e}", dir.display())))?;
        for entry in entries {
            let entry = entry.map_err(|e| BundleError::Unreadable(format!("{}: {e}", dir.display())))?;
            seen += 1;
            if seen > limits.max_entries {
                return Err(BundleError::TooLarge(format!("more than {} entries", limits.max_entries)));
            }
            let os_name = entry.file_name();
            let lossy = os_name.to_string_lossy().into_owned();
            let path = if rel.is_empty() { lossy.clone() } else { format!("{rel}/{lossy}") };
            let ty = entry.file_type().map_err(|e| BundleError::Unreadable(format!("{path}: {e}")))?;
            if os_name.to_str().is_none() {
                out.push(Item::Refused { path, field: "path", reason: "the name is not UTF-8".into() });
            } else if ty.is_symlink() {
                out.push(Item::Refused { path, field: "path", reason: "a symbolic link: not followed".into() });
            } else if ty.is_dir() {
                if depth + 1 > MAX_DEPTH {
                    return Err(BundleError::TooLarge(format!("{path}: folders nested deeper than {MAX_DEPTH}")));
                }
                stack.push((entry.path(), path, depth + 1));
            } else if ty.is_file() {
                match safe_path(&path) {
                    Ok(p) => out.push(Item::File { path: p, full: entry.path() }),
                    Err(reason) => out.push(Item::Refused { path, field: "path", reason }),
                }
            } else {
                out.push(Item::Refused { path, field: "path", reason: "not a regular file".into() });
            }
        }
    }
    out.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(out)
}

/// One readable document, planned (its bytes are not kept).
struct Planned {
    item: usize,
    path: String,
    sha256: String,
    size: u64,
    content_type: ContentType,
    found: Option<PathMatch>,
}

fn file_name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Finds the employment a name's employee number belongs to, or why not.
fn who<'c>(found: Option<&PathMatch>, candidates: &'c [Candidate]) -> Result<&'c Candidate, Unmatched> {
    let Some(m) = found else { return Err(Unmatched::NoPattern) };
    let Some(no) = m.employee_number.as_deref() else { return Err(Unmatched::NoEmployeeNumber) };
    let incoming = Incoming { employee_number: Some(no.to_string()), ..Default::default() };
    match find(&incoming, candidates) {
        Match::Matched { index, .. } => candidates.get(index).ok_or_else(|| Unmatched::Unknown(no.into())),
        Match::Ambiguous { indices, .. } => {
            Err(Unmatched::Ambiguous { employee_number: no.into(), employments: indices.len() })
        }
        Match::Unknown => Err(Unmatched::Unknown(no.into())),
        Match::Conflict { reason, .. } => Err(Unmatched::Conflict { employee_number: no.into(), reason }),
    }
}

/// The attachment event (添付文書) of a document on a worker's timeline.
/// Without a date in its name a document is dated `today` (the Japanese date of the import).
fn attachment_event(company: CompanyId, c: &Candidate, meta: &DocumentMeta, bundle: &str, today: NaiveDate) -> Event {
    let dated_by_name = meta.document_date.is_some();
    Event {
        company_id: company,
        id: EventId::new(),
        person_id: Some(c.person_id),
        employment_id: Some(c.employment_id),
        department_id: None,
        kind: EventKind::Attachment,
        subkind: Some("document".into()),
        event_date: meta.document_date.unwrap_or(today),
        title: meta.title.clone(),
        content_class: InfoClass::Class3,
        producer: Producer::OhStaff,
        detail: serde_json::json!({
            "document_id": meta.id,
            "original_path": meta.original_path,
            "content_type": meta.content_type,
            "size": meta.size,
            "sha256": meta.sha256,
            "bundle": bundle,
            "source_sha256": meta.source_sha256,
            "date_from": if dated_by_name { "file name" } else { "import day" },
        }),
        source_doc: Some(meta.id.to_string()),
    }
}

/// Imports one document bundle (a `.zip` file or a folder) for a company: every document whose
/// path fits `pattern` and names an employee of the company goes on that worker's timeline; the
/// others are stored unassigned and listed. One transaction; a bundle-level error (not a zip,
/// truncated, a zip bomb, a traversal name) writes nothing, and entry errors (an oversized
/// document, a file that is no document) refuse the bundle unless `allow_partial`.
pub async fn import_documents(
    store: &dyn Store,
    company: CompanyId,
    path: &Path,
    pattern: &Pattern,
    limits: Limits,
    imported_by: &str,
    options: Options,
) -> Result<DocumentOutcome, ImportError> {
    let name = path.display().to_string();
    let (mut bundle, items, zip_sha) = open(path, &name, &limits)?;
    let mut report = DocumentReport {
        file: name.clone(),
        summary: DocumentSummary { pattern: pattern.as_str().into(), ..Default::default() },
        ..Default::default()
    };
    let issue = |entry: &str, field: &str, reason: String| Issue::at_entry(&name, entry, field, reason);

    // Pass 1: one entry in memory at a time.
    let mut planned: Vec<Planned> = Vec::new();
    let mut by_hash: HashMap<String, String> = HashMap::new();
    let mut total: u64 = 0;
    for (index, item) in items.iter().enumerate() {
        let entry = item.path().to_string();
        if is_system_file(&entry) {
            report.summary.skipped += 1;
            report.warnings.push(issue(&entry, "path", "a file manager's system file: skipped".into()));
            continue;
        }
        report.read += 1;
        if let Item::Refused { field, reason, .. } = item {
            report.rejected += 1;
            report.errors.push(issue(&entry, field, reason.clone()));
            continue;
        }
        let bytes = match bundle.read(item, &limits) {
            Ok(b) => b,
            Err(EntryError::TooLarge { max }) => {
                report.rejected += 1;
                report.errors.push(issue(&entry, "size", format!("larger than {max} bytes (the cap per document)")));
                continue;
            }
            Err(e) => {
                report.rejected += 1;
                report.errors.push(issue(&entry, "bytes", e.to_string()));
                continue;
            }
        };
        total = total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        if total > limits.max_total {
            let e = BundleError::TooLarge(format!("the documents unpack to more than {} bytes", limits.max_total));
            return Err(ImportError::file(&name, e));
        }
        let Some(content_type) = ContentType::sniff(&bytes) else {
            report.rejected += 1;
            report.errors.push(issue(
                &entry,
                "content_type",
                format!("not a PDF, JPEG, PNG, TIFF or HEIC document: {}", ContentType::describe_other(&bytes)),
            ));
            continue;
        };
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if let Some(first) = by_hash.get(&sha256) {
            report.summary.skipped += 1;
            report.warnings.push(issue(&entry, "bytes", format!("the same document as {first}: stored once")));
            continue;
        }
        by_hash.insert(sha256.clone(), entry.clone());
        let found = pattern.match_path(&entry);
        planned.push(Planned {
            item: index,
            path: entry,
            sha256,
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            content_type,
            found,
        });
    }
    let bundle_sha = zip_sha.unwrap_or_else(|| {
        // A folder has no bytes of its own: its hash is that of its listing.
        let mut h = Sha256::new();
        let listing: BTreeMap<&str, &str> = planned.iter().map(|p| (p.path.as_str(), p.sha256.as_str())).collect();
        for (p, s) in listing {
            h.update(format!("{s}  {p}\n"));
        }
        hex::encode(h.finalize())
    });
    report.sha256 = bundle_sha.clone();

    // Plan against what the company holds.
    let hashes: Vec<String> = planned.iter().map(|p| p.sha256.clone()).collect();
    let known: HashMap<String, DocumentMeta> =
        store.documents_by_sha256(company, &hashes).await?.into_iter().map(|m| (m.sha256.clone(), m)).collect();
    let candidates = store.identity_candidates(company).await?;
    let now = options.now();
    let today = iphr_domain::clock::japan_date(now);
    let mut new_docs: Vec<(usize, DocumentMeta)> = Vec::new();
    let mut events = Vec::new();
    let mut assignments = Vec::new();
    for (i, p) in planned.iter().enumerate() {
        let person = who(p.found.as_ref(), &candidates);
        let m = p.found.clone().unwrap_or_default();
        let mut line = DocumentLine {
            entry: p.path.clone(),
            outcome: String::new(),
            document_id: uuid::Uuid::nil(),
            content_type: p.content_type.mime().into(),
            size: p.size,
            sha256: p.sha256.clone(),
            employee_number: m.employee_number.clone(),
            person_id: person.as_ref().ok().map(|c| c.person_id),
            date: m.date,
            title: m.title.clone().unwrap_or_else(|| file_name_of(&p.path).to_string()),
            reason: person.as_ref().err().map(ToString::to_string),
        };
        if let Some(stored) = known.get(&p.sha256) {
            line.document_id = stored.id;
            match (&person, stored.person_id) {
                (Ok(c), None) => {
                    // Waiting before (e.g. the employee was not in the HR master yet): now matched.
                    // The event takes the date and title the name gives now.
                    let named = DocumentMeta {
                        document_date: m.date.or(stored.document_date),
                        title: line.title.clone(),
                        ..stored.clone()
                    };
                    let event = attachment_event(company, c, &named, &name, today);
                    assignments.push(DocumentAssignment {
                        document_id: stored.id,
                        person_id: c.person_id,
                        employment_id: c.employment_id,
                        event,
                        assigned_by: imported_by.into(),
                        assigned_at: now,
                    });
                    report.summary.assigned += 1;
                    line.outcome = "assigned".into();
                }
                _ => {
                    report.summary.unchanged += 1;
                    line.outcome = "unchanged".into();
                    line.person_id = stored.person_id;
                    line.reason = stored.unmatched_reason.clone();
                }
            }
            report.summary.documents.push(line);
            continue;
        }
        let id = uuid::Uuid::now_v7();
        line.document_id = id;
        let mut meta = DocumentMeta {
            company_id: company,
            id,
            person_id: None,
            employment_id: None,
            event_id: None,
            sha256: p.sha256.clone(),
            original_path: p.path.clone(),
            content_type: p.content_type.mime().into(),
            size: i64::try_from(p.size).unwrap_or(i64::MAX),
            document_date: m.date,
            title: line.title.clone(),
            employee_number: m.employee_number.clone(),
            unmatched_reason: None,
            imported_at: now,
            imported_by: imported_by.into(),
            source_sha256: bundle_sha.clone(),
            assigned_at: None,
            assigned_by: None,
        };
        match &person {
            Ok(c) => {
                let event = attachment_event(company, c, &meta, &name, today);
                meta.person_id = Some(c.person_id);
                meta.employment_id = Some(c.employment_id);
                meta.event_id = Some(event.id);
                events.push(event);
                report.summary.matched += 1;
                line.outcome = "matched".into();
            }
            Err(reason) => {
                meta.unmatched_reason = Some(reason.to_string());
                report.summary.unassigned += 1;
                line.outcome = "unassigned".into();
            }
        }
        report.summary.imported += 1;
        report.summary.documents.push(line);
        new_docs.push((i, meta));
    }
    let earlier = store.source_file(company, KIND, &bundle_sha).await?;
    report.source_file_id = earlier.as_ref().map(|f| f.id);
    if !report.errors.is_empty() && !options.allow_partial {
        return Ok(Outcome::Refused { report });
    }
    if options.dry_run {
        return Ok(Outcome::DryRun { report });
    }

    // Pass 2: the new documents' bytes for the transaction, each checked against its plan.
    let mut documents = Vec::with_capacity(new_docs.len());
    for (i, meta) in new_docs {
        let Some(p) = planned.get(i) else { continue };
        let Some(item) = items.get(p.item) else { continue };
        let bytes = bundle.read(item, &limits).map_err(|error| ImportError::Entry {
            file: name.clone(),
            entry: p.path.clone(),
            error,
        })?;
        if hex::encode(Sha256::digest(&bytes)) != p.sha256 {
            return Err(ImportError::EntryChanged { file: name.clone(), entry: p.path.clone() });
        }
        documents.push(StoredDocument { meta, bytes });
    }
    let counts = &report.summary;
    let summary = serde_json::json!({
        "read": report.read, "imported": counts.imported, "matched": counts.matched,
        "unassigned": counts.unassigned, "assigned": counts.assigned, "unchanged": counts.unchanged,
        "rejected": report.rejected, "skipped": counts.skipped,
    });
    if !documents.is_empty() || !assignments.is_empty() {
        let new_id = uuid::Uuid::now_v7();
        let write = DocumentWrite {
            source_file: earlier.is_none().then(|| SourceFile {
                company_id: company,
                id: new_id,
                kind: KIND.into(),
                sha256: bundle_sha.clone(),
                file_name: name.clone(),
                profile: Some(pattern.as_str().into()),
                encoding: None,
                imported_at: now,
                imported_by: imported_by.into(),
                summary,
            }),
            documents,
            events,
            assignments,
        };
        store.insert_documents(&write).await?;
        report.source_file_id = Some(earlier.map_or(new_id, |f| f.id));
    }
    store
        .append_audit(&AuditEntry {
            id: AuditId::new(),
            at: Utc::now(),
            user_id: None,
            login: imported_by.into(),
            role: None,
            action: format!("import {KIND}"),
            company_id: Some(company),
            person_id: None,
            info_class: Some(InfoClass::Class3),
            allowed: true,
            detail: format!(
                "{name}: read {} imported {} matched {} unassigned {} assigned {} unchanged {} rejected {}",
                report.read,
                report.summary.imported,
                report.summary.matched,
                report.summary.unassigned,
                report.summary.assigned,
                report.summary.unchanged,
                report.rejected
            ),
        })
        .await?;
    Ok(Outcome::Imported { report })
}

/// Gives a document waiting unassigned (未割当) to a worker of the company: its attachment event
/// goes on the worker's timeline, in one transaction; audited with the person.
pub async fn assign_document(
    store: &dyn Store,
    company: CompanyId,
    id: uuid::Uuid,
    person: &PersonRef,
    actor: &str,
) -> Result<DocumentMeta, ImportError> {
    let doc = store
        .unassigned_documents(company)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(NotFound::UnassignedDocument(id))?;
    let candidates = store.identity_candidates(company).await?;
    let c = match person {
        PersonRef::Person(p) => candidates.iter().find(|c| c.person_id == *p).ok_or(NotFound::Employee(*p))?,
        PersonRef::EmployeeNumber(no) => {
            let m = PathMatch { employee_number: Some(no.clone()), ..Default::default() };
            who(Some(&m), &candidates)?
        }
    };
    let event = attachment_event(company, c, &doc, &format!("queue:{id}"), iphr_domain::clock::japan_date(Utc::now()));
    let a = DocumentAssignment {
        document_id: id,
        person_id: c.person_id,
        employment_id: c.employment_id,
        event,
        assigned_by: actor.into(),
        assigned_at: Utc::now(),
    };
    let meta = store.assign_document(company, &a).await?;
    store
        .append_audit(&AuditEntry {
            id: AuditId::new(),
            at: Utc::now(),
            user_id: None,
            login: actor.into(),
            role: None,
            action: "assign document".into(),
            company_id: Some(company),
            person_id: Some(c.person_id),
            info_class: Some(InfoClass::Class3),
            allowed: true,
            detail: format!("document {id} ({}) to employee {}", doc.original_path, c.employee_number),
        })
        .await?;
    Ok(meta)
}
