//! # iphr-import
//!
//! The import engine: one file is one transaction. It parses the file through its profile
//! ([`iphr_convert`]), matches every record to a person of the company, compares with what is
//! stored, and then refuses (row errors without `allow_partial`: nothing is written), reports
//! only (`dry_run`), or applies the plan in one transaction and writes the audit entry.
//! Importing the same bytes again writes nothing new.
//!
//! - [`plan`] plans records of any source against what is stored (new, unchanged, corrected,
//!   held for identity review, unmapped) into the store's write types; [`hr_plan`] plans an HR
//!   master the same way;
//! - [`outcome`]: every importer returns an [`Outcome`] with its [`Report`] — the parts they share
//!   and a summary of the kind of file;
//! - [`ImportError`]: why nothing was written, typed, naming the file, line, table or record.

#![warn(missing_docs)]

pub mod checkup;
pub mod documents;
mod error;
pub mod hr_plan;
pub mod outcome;
mod persons;
pub mod plan;

pub use checkup::{CsvInput, Pass, import_checkup_csv_chunked, import_checkup_csv_file, import_checkup_csv_input};
pub use documents::{PersonRef, assign_document, import_documents};
pub use error::{ImportError, NotFound, ReadError, Unmatched};
pub use outcome::{
    At, DocumentLine, DocumentOutcome, DocumentReport, DocumentSummary, HrOutcome, HrReport, HrSummary, Issue, Outcome,
    RecordOutcome, RecordReport, RecordSummary, Report,
};

use crate::plan::FileMeta;
use chrono::Utc;
use iphr_convert::checkup_csv;
use iphr_convert::profile::Profile;
use iphr_convert::units::UnitTable;
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::EventKind;
use iphr_domain::identity::{Incoming, Match};
use iphr_domain::ohcc::ItemTable;
use iphr_domain::{AuditId, CompanyId};
use iphr_store::Store;
use sha2::{Digest, Sha256};

/// How to import.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Report only; write nothing.
    pub dry_run: bool,
    /// Skip rows with errors (reported) instead of refusing the file.
    pub allow_partial: bool,
    /// Checkup CSV: create the persons the file names that the company does not know (employee
    /// number, name, kana, birth date and sex all given), for a company without an HR master.
    pub create_persons: bool,
    /// The instant of the import (the caller's clock; `None`: the system clock). Its Japanese
    /// date is "today" where a record needs one (a document without a date in its name).
    pub now: Option<chrono::DateTime<Utc>>,
}

impl Options {
    /// The instant of the import.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
}

/// Imports one checkup CSV through a profile for a company.
pub async fn import_checkup_csv(
    store: &dyn Store,
    company: CompanyId,
    profile: &Profile,
    file_name: &str,
    bytes: &[u8],
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    checkup::import_checkup_csv_input(
        store,
        company,
        profile,
        file_name,
        checkup::CsvInput::Bytes(bytes),
        imported_by,
        options,
    )
    .await
}

/// The profile with the codes the company's users mapped for its source: part of the profile
/// from then on.
async fn with_source_mappings(
    store: &dyn Store,
    company: CompanyId,
    profile: &Profile,
    table: &ItemTable,
) -> Result<Profile, ImportError> {
    let mut profile = profile.clone();
    if let Some(long) = profile.long.as_mut() {
        for m in store.source_mappings(company, &profile.name).await? {
            let Some(def) = table.get_str(&m.item) else { continue };
            long.local.entry(m.source_code).or_insert(iphr_convert::profile::ItemSpec {
                column: None,
                ohcc: Some(m.item.clone()),
                jlac10: None,
                unit: None,
                parser: Some(checkup_csv::default_parser(def.value_kind, &def.item)),
                values: Default::default(),
                flag_column: None,
            });
        }
    }
    Ok(profile)
}

/// The audit entry of an import, written in the import's own transaction
/// ([`ImportWrite::audit`](iphr_store::ImportWrite)): it lands exactly when the import does.
fn import_audit(
    company: CompanyId,
    kind: &str,
    file_name: &str,
    imported_by: &str,
    report: &RecordReport,
) -> AuditEntry {
    AuditEntry {
        id: AuditId::new(),
        at: Utc::now(),
        user_id: None,
        login: imported_by.into(),
        role: None,
        action: format!("import {kind}"),
        company_id: Some(company),
        person_id: None,
        info_class: None,
        allowed: true,
        detail: format!(
            "{file_name}: read {} imported {} unchanged {} corrected {} rejected {} unmapped {} queued {} persons created {}",
            report.read,
            report.summary.imported,
            report.summary.unchanged,
            report.summary.corrected,
            report.rejected,
            report.summary.unmapped,
            report.summary.queued,
            report.summary.created_persons
        ),
    }
}

/// Imports one attendance CSV (monthly totals or daily clock-in/out) for a company.
pub async fn import_attendance(
    store: &dyn Store,
    company: CompanyId,
    file_name: &str,
    bytes: &[u8],
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    let records = iphr_convert::attendance::parse(bytes).map_err(|e| ImportError::file(file_name, e))?;
    let source = Source::fixed("attendance", EventKind::AttendanceMonth, "attendance");
    run_records(store, company, source, (file_name, bytes), records, imported_by, options).await
}

/// Imports one stress-check answer CSV (57 answers per worker, keyed in from paper).
pub async fn import_stress(
    store: &dyn Store,
    company: CompanyId,
    file_name: &str,
    bytes: &[u8],
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    let records = iphr_convert::stress_csv::parse(bytes).map_err(|e| ImportError::file(file_name, e))?;
    let source = Source::fixed("stress", EventKind::StressCheck, "stress-answers");
    run_records(store, company, source, (file_name, bytes), records, imported_by, options).await
}

/// Ties every record of a document to a named person (an employee of the company).
async fn name_person(
    store: &dyn Store,
    company: CompanyId,
    person: iphr_domain::PersonId,
    records: &mut iphr_convert::records::ParsedRecords,
) -> Result<(), ImportError> {
    let c = store
        .identity_candidates(company)
        .await?
        .into_iter()
        .find(|c| c.person_id == person)
        .ok_or(NotFound::Employee(person))?;
    // The user names the person: identify every record by that employment alone.
    let named = iphr_convert::checkup_csv::Identity { employee_number: Some(c.employee_number), ..Default::default() };
    for r in &mut records.records {
        r.identity = named.clone();
    }
    for u in &mut records.unmapped {
        u.identity = named.clone();
    }
    Ok(())
}

/// Imports one eCheckup FHIR document Bundle. With `person`, the document is about that person
/// (who must be employed by the company); without, the Patient is matched like any record.
pub async fn import_fhir(
    store: &dyn Store,
    company: CompanyId,
    file_name: &str,
    bytes: &[u8],
    person: Option<iphr_domain::PersonId>,
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    let table = ItemTable::embedded()?;
    let units = UnitTable::embedded()?;
    let mut records = iphr_convert::fhir::parse(bytes, table, units).map_err(|e| ImportError::file(file_name, e))?;
    if let Some(p) = person {
        name_person(store, company, p, &mut records).await?;
    }
    let source = Source::fixed("fhir", EventKind::Checkup, "eCheckup FHIR");
    run_records(store, company, source, (file_name, bytes), records, imported_by, options).await
}

/// Imports one MHLW CDA document (特定健診・事業者健診) or an MHLW ZIP archive of them (one
/// transaction for the whole archive). With `person`, the document is about that
/// person; without, the examinee is matched by kana, birth date and sex, then insurer identifiers.
pub async fn import_cda(
    store: &dyn Store,
    company: CompanyId,
    file_name: &str,
    bytes: &[u8],
    person: Option<iphr_domain::PersonId>,
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    let table = ItemTable::embedded()?;
    let units = UnitTable::embedded()?;
    let parsed = if iphr_convert::cda::is_zip(bytes) {
        iphr_convert::cda::parse_archive(bytes, table, units)
    } else {
        iphr_convert::cda::parse(bytes, table, units)
    };
    let mut records = parsed.map_err(|e| ImportError::file(file_name, e))?;
    if let Some(p) = person {
        name_person(store, company, p, &mut records).await?;
    }
    let source = Source::fixed("cda", EventKind::Checkup, "MHLW CDA");
    run_records(store, company, source, (file_name, bytes), records, imported_by, options).await
}

/// What kind of source a file is.
struct Source {
    /// Source kind recorded with the file (`checkup-csv`, `attendance` …).
    kind: &'static str,
    /// The events its records become.
    event_kind: EventKind,
    /// Profile or format name.
    profile: String,
    /// The producing institution, where known.
    institution: Option<String>,
}

impl Source {
    /// A source with a fixed format and no institution named by a profile.
    fn fixed(kind: &'static str, event_kind: EventKind, profile: &str) -> Self {
        Source { kind, event_kind, profile: profile.into(), institution: None }
    }
}

/// Matches, plans against the stored events of the source's kind, then refuses, reports or
/// applies. The same bytes imported before are recognised by their SHA-256.
async fn run_records(
    store: &dyn Store,
    company: CompanyId,
    source: Source,
    (file_name, bytes): (&str, &[u8]),
    records: iphr_convert::records::ParsedRecords,
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    let Source { kind, event_kind, profile, institution } = source;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let earlier = store.source_file(company, kind, &sha256).await?;
    let table = ItemTable::embedded()?;
    let candidates = store.identity_candidates(company).await?;
    let matcher = iphr_convert::matching::Matcher::new(&candidates);
    let keys: Vec<_> = records
        .records
        .iter()
        .filter_map(|v| {
            let inc = Incoming {
                employee_number: v.identity.employee_number.clone(),
                kana: v.identity.kana.clone(),
                birth_date: v.identity.birth_date,
                sex: v.identity.sex,
                insurer_number: v.identity.insurer.insurer_number.clone(),
                insured_symbol: v.identity.insurer.symbol.clone(),
                insured_number: v.identity.insurer.number.clone(),
            };
            match matcher.find(&inc) {
                Match::Matched { index, .. } => candidates.get(index).map(|c| (c.person_id, v.date)),
                _ => None,
            }
        })
        .collect();
    let (events, observations) = store.events_on(company, event_kind, &keys).await?;
    let meta = FileMeta {
        company_id: company,
        id: earlier.as_ref().map_or_else(uuid::Uuid::now_v7, |f| f.id),
        kind: kind.into(),
        sha256,
        file_name: file_name.into(),
        profile,
        institution,
        known: earlier.is_some(),
        imported_by: imported_by.into(),
        now: Utc::now(),
    };
    let (mut write, mut report) =
        crate::plan::plan_records(&records, &meta, table, &candidates, &events, &observations);
    if !report.errors.is_empty() && !options.allow_partial {
        return Ok(Outcome::Refused { report });
    }
    if options.dry_run {
        return Ok(Outcome::DryRun { report });
    }
    write.audit.push(import_audit(company, kind, file_name, imported_by, &report));
    store.apply_import(&write).await?;
    report.source_file_id = Some(meta.id);
    Ok(Outcome::Imported { report })
}

/// Imports one HR master CSV for a company; assignment changes take effect on `as_of`.
pub async fn import_hr(
    store: &dyn Store,
    company: CompanyId,
    file_name: &str,
    bytes: &[u8],
    as_of: chrono::NaiveDate,
    imported_by: &str,
    options: Options,
) -> Result<HrOutcome, ImportError> {
    let parsed = iphr_convert::hr::parse(bytes).map_err(|e| ImportError::file(file_name, e))?;
    let state = store.hr_state(company).await?;
    let (write, mut report) = hr_plan::plan(&parsed, file_name, company, &state, as_of);
    report.sha256 = hex::encode(Sha256::digest(bytes));
    if !report.errors.is_empty() && !options.allow_partial {
        return Ok(Outcome::Refused { report });
    }
    if options.dry_run {
        return Ok(Outcome::DryRun { report });
    }
    store.apply_hr(&write).await?;
    report.summary.resolved = resolve_waiting(store, company, imported_by).await?;
    store
        .append_audit(&AuditEntry {
            id: AuditId::new(),
            at: Utc::now(),
            user_id: None,
            login: imported_by.into(),
            role: None,
            action: "import hr".into(),
            company_id: Some(company),
            person_id: None,
            info_class: Some(iphr_domain::info_class::InfoClass::Work),
            allowed: true,
            detail: format!(
                "{file_name}: read {} created {} updated {} unchanged {} rejected {}, held records resolved {}",
                report.read,
                report.summary.created,
                report.summary.updated,
                report.summary.unchanged,
                report.rejected,
                report.summary.resolved
            ),
        })
        .await?;
    Ok(Outcome::Imported { report })
}

/// Resolves a record held for identity review: it is about `person` (an employee of the company).
/// The held results are planned and written like an import (new, unchanged or corrected), and the
/// queue entry is closed, in one transaction; audited.
pub async fn resolve_identity(
    store: &dyn Store,
    company: CompanyId,
    queue_id: uuid::Uuid,
    person: iphr_domain::PersonId,
    actor: &str,
) -> Result<RecordReport, ImportError> {
    let entry = store
        .identity_queue(company)
        .await?
        .into_iter()
        .find(|e| e.id == queue_id)
        .ok_or(NotFound::QueueEntry(queue_id))?;
    let candidates = store.identity_candidates(company).await?;
    resolve_entry(store, company, &entry, person, &candidates, actor, "resolve identity").await
}

/// Imports the record of one queue entry for `person` and closes the entry, in one transaction.
async fn resolve_entry(
    store: &dyn Store,
    company: CompanyId,
    entry: &iphr_store::QueueEntry,
    person: iphr_domain::PersonId,
    candidates: &[iphr_domain::identity::Candidate],
    actor: &str,
    action: &str,
) -> Result<RecordReport, ImportError> {
    let queue_id = entry.id;
    let c = candidates.iter().find(|c| c.person_id == person).ok_or(NotFound::Employee(person))?;
    let identity =
        iphr_convert::checkup_csv::Identity { employee_number: Some(c.employee_number.clone()), ..Default::default() };
    let record = iphr_convert::records::record_from_json(&entry.payload, identity)
        .ok_or(ImportError::HeldRecord { queue_id })?;
    let (events, observations) = store.events_on(company, record.kind, &[(person, record.date)]).await?;
    let parsed = iphr_convert::records::ParsedRecords::of(vec![record], 1);
    let table = ItemTable::embedded()?;
    let meta = FileMeta {
        company_id: company,
        id: entry.source_file_id,
        kind: "queue".into(),
        sha256: String::new(),
        file_name: format!("queue:{queue_id}"),
        profile: "identity review".into(),
        institution: None,
        known: true,
        imported_by: actor.into(),
        now: Utc::now(),
    };
    let (mut write, report) = crate::plan::plan_records(&parsed, &meta, table, candidates, &events, &observations);
    write.resolved.push(queue_id);
    write.audit.push(AuditEntry {
        id: AuditId::new(),
        at: Utc::now(),
        user_id: None,
        login: actor.into(),
        role: None,
        action: action.into(),
        company_id: Some(company),
        person_id: Some(person),
        info_class: None,
        allowed: true,
        detail: format!(
            "queue {queue_id} (line {}, {}): imported {} unchanged {} corrected {}",
            entry.line, entry.reason, report.summary.imported, report.summary.unchanged, report.summary.corrected
        ),
    });
    store.apply_import(&write).await?;
    Ok(report)
}

/// Resolves every record held for identity review whose person an import has since created or
/// completed (an HR master, `--create-persons`): a held record that now matches one employee
/// alone — by employee number, or kana, birth date and sex, or insurer identifiers, as any import
/// matches — is imported for that employee and its entry closed, each in its own transaction,
/// audited (`resolve identity (automatic)`). Ambiguous, conflicting and still unknown records
/// stay for review. Returns how many were resolved.
pub async fn resolve_waiting(store: &dyn Store, company: CompanyId, actor: &str) -> Result<usize, ImportError> {
    let queue = store.identity_queue(company).await?;
    if queue.is_empty() {
        return Ok(0);
    }
    let candidates = store.identity_candidates(company).await?;
    let matcher = iphr_convert::matching::Matcher::new(&candidates);
    let mut resolved = 0;
    for entry in &queue {
        let identity = iphr_convert::records::identity_from_json(&entry.identity);
        let Match::Matched { index, .. } = matcher.find(&iphr_convert::records::incoming(&identity)) else { continue };
        let Some(c) = candidates.get(index) else { continue };
        resolve_entry(store, company, entry, c.person_id, &candidates, actor, "resolve identity (automatic)").await?;
        resolved += 1;
    }
    Ok(resolved)
}

/// What mapping an unmapped code did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MapReport {
    /// Held items of that code converted and stored.
    pub converted: usize,
    /// Held items left (no person known yet, or a value the item cannot take).
    pub still_held: usize,
    /// Why items were left.
    pub errors: Vec<String>,
    /// The planning report of the converted items.
    pub report: RecordReport,
}

/// Maps a source system's code to an OHCC item: the mapping is saved for later imports and the
/// held unmapped items of that code (of known persons) are converted and stored, in one
/// transaction; audited.
pub async fn map_unmapped(
    store: &dyn Store,
    company: CompanyId,
    source_system: &str,
    source_code: &str,
    item: &str,
    actor: &str,
) -> Result<MapReport, ImportError> {
    use iphr_convert::checkup_csv::{Identity, ItemResult};
    use iphr_convert::records::{ParsedRecords, Record};
    let table = ItemTable::embedded()?;
    let units = UnitTable::embedded()?;
    let def = table.get_str(item).ok_or_else(|| NotFound::OhccItem(item.into()))?;
    let resolved = iphr_convert::profile::ResolvedItem {
        item: def.item,
        source_code: source_code.into(),
        spec: iphr_convert::profile::ItemSpec {
            column: None,
            ohcc: Some(item.into()),
            jlac10: None,
            unit: None,
            parser: Some(checkup_csv::default_parser(def.value_kind, &def.item)),
            values: Default::default(),
            flag_column: None,
        },
    };
    let candidates = store.identity_candidates(company).await?;
    let held: Vec<_> = store
        .unmapped_items(company)
        .await?
        .into_iter()
        .filter(|u| u.source_system == source_system && u.source_code == source_code)
        .collect();
    let mut out = MapReport::default();
    let mut by_visit: std::collections::BTreeMap<(iphr_domain::PersonId, chrono::NaiveDate), Vec<ItemResult>> =
        Default::default();
    let mut converted_ids = Vec::new();
    for u in &held {
        let (Some(person), Some(date)) = (u.person_id, u.event_date) else {
            out.still_held += 1;
            continue;
        };
        match checkup_csv::convert_cell(table, units, &resolved, &u.raw_value, u.unit.as_deref(), None) {
            Ok(Some((value, warning))) => {
                converted_ids.push(u.id);
                by_visit.entry((person, date)).or_default().push(ItemResult {
                    line: u64::try_from(u.line).unwrap_or(0),
                    column: source_code.into(),
                    item: def.item,
                    source_code: source_code.into(),
                    source_text: u.source_text.as_str().into(),
                    raw: u.raw_value.clone(),
                    source_unit: u.unit.as_deref().map(Into::into),
                    value,
                    warning,
                });
            }
            Ok(None) => out.still_held += 1,
            Err(reason) => {
                out.still_held += 1;
                out.errors.push(format!("line {} ({:?}): {reason}", u.line, u.raw_value));
            }
        }
    }
    if !out.errors.is_empty() {
        // A mapping the held values do not fit is refused whole: nothing is saved or converted.
        return Err(ImportError::MappingRefused {
            source_system: source_system.into(),
            source_code: source_code.into(),
            item: item.into(),
            reasons: out.errors,
        });
    }
    let mut records = Vec::new();
    let mut keys = Vec::new();
    for ((person, date), results) in by_visit {
        let Some(c) = candidates.iter().find(|c| c.person_id == person) else {
            out.still_held += results.len();
            continue;
        };
        keys.push((person, date));
        records.push(Record {
            line: results.first().map_or(0, |r| r.line),
            identity: Identity { employee_number: Some(c.employee_number.clone()), ..Default::default() },
            date,
            kind: EventKind::Checkup,
            subkind: None,
            title: "健康診断".into(),
            producer: iphr_domain::ohcc::Producer::Institution,
            detail: serde_json::json!({ "source_system": source_system, "mapped": source_code }),
            results,
        });
    }
    let (events, observations) = store.events_on(company, EventKind::Checkup, &keys).await?;
    let parsed = ParsedRecords::of(records, held.len());
    let meta = FileMeta {
        company_id: company,
        id: held.first().map_or_else(uuid::Uuid::nil, |u| u.source_file_id),
        kind: "mapping".into(),
        sha256: String::new(),
        file_name: format!("mapping:{source_system}:{source_code}"),
        profile: source_system.into(),
        institution: None,
        known: true,
        imported_by: actor.into(),
        now: Utc::now(),
    };
    let (mut write, report) = crate::plan::plan_records(&parsed, &meta, table, &candidates, &events, &observations);
    out.converted = converted_ids.len();
    write.mapped = converted_ids;
    write.mapping = Some(iphr_store::SourceMapping {
        company_id: company,
        source_system: source_system.into(),
        source_code: source_code.into(),
        item: item.into(),
        created_at: Utc::now(),
        created_by: actor.into(),
    });
    write.audit.push(AuditEntry {
        id: AuditId::new(),
        at: Utc::now(),
        user_id: None,
        login: actor.into(),
        role: None,
        action: "map unmapped item".into(),
        company_id: Some(company),
        person_id: None,
        info_class: None,
        allowed: true,
        detail: format!(
            "[{source_system}] {source_code} → {item}: converted {}, still held {}",
            out.converted, out.still_held
        ),
    });
    store.apply_import(&write).await?;
    // Held items of many files: no one file is the source.
    out.report = Report { source_file_id: None, ..report };
    Ok(out)
}
