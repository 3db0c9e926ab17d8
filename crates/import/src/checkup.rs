//! Checkup CSV imports in bounded memory: the file is read three times as a stream and never
//! held whole — once for its SHA-256 and encoding, once to convert every row (row errors, and
//! the (person, date) keys that occur more than once), and once to plan and write chunk by
//! chunk inside one store transaction
//! ([`ImportStore::begin_import`](iphr_store::ImportStore::begin_import)). A file-level error, a
//! refused file or a dry run writes nothing; what is written and reported is what planning the
//! whole file at once gives.

use crate::plan::{FileMeta, Planner, RepeatedKeys};
use crate::{ImportError, Options, Outcome, RecordOutcome};
use chrono::Utc;
use iphr_convert::checkup_csv::{self, CsvStream, RowError};
use iphr_convert::profile::Profile;
use iphr_convert::records::checkup_records;
use iphr_convert::text::EncodingDetector;
use iphr_convert::units::UnitTable;
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_domain::ohcc::ItemTable;
use iphr_store::{ImportTransaction, ImportWrite, Store};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Rows converted, planned and written at a time.
pub const CHUNK_ROWS: usize = 1_000;

/// The passes over a file, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Hashing and detecting the encoding.
    Reading,
    /// Converting every row (row errors, repeated keys).
    Converting,
    /// Planning and writing.
    Writing,
}

impl Pass {
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Pass::Reading => "読込",
            Pass::Converting => "変換",
            Pass::Writing => "照合・書込",
        }
    }
}

/// Told the pass and the bytes of the file read so far in it, of the total.
pub type Progress<'a> = &'a (dyn Fn(Pass, u64, u64) + Send + Sync);

/// A reader that counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Where the bytes of a file come from: each pass opens it anew.
#[derive(Debug, Clone, Copy)]
pub enum CsvInput<'a> {
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A file, read in pieces.
    Path(&'a Path),
}

impl<'a> CsvInput<'a> {
    /// The file's path, if it is read from one.
    fn path(&self) -> Option<&'a Path> {
        match *self {
            CsvInput::Bytes(_) => None,
            CsvInput::Path(p) => Some(p),
        }
    }

    fn len(&self) -> u64 {
        match *self {
            CsvInput::Bytes(b) => b.len() as u64,
            CsvInput::Path(p) => std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
        }
    }

    fn open_counted(
        &self,
        read: &std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> std::io::Result<Box<dyn Read + Send + 'a>> {
        read.store(0, std::sync::atomic::Ordering::Relaxed);
        Ok(Box::new(Counting { inner: self.open()?, read: read.clone() }))
    }

    fn open(&self) -> std::io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match *self {
            CsvInput::Bytes(b) => Box::new(b),
            CsvInput::Path(p) => Box::new(std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(p)?)),
        })
    }
}

/// Imports one checkup CSV (in memory or a file) through a profile for a company.
pub async fn import_checkup_csv_input(
    store: &dyn Store,
    company: CompanyId,
    profile: &Profile,
    file_name: &str,
    input: CsvInput<'_>,
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    import_checkup_csv_chunked(
        store,
        company,
        profile,
        file_name,
        input,
        imported_by,
        options,
        CHUNK_ROWS,
        &|_, _, _| {},
    )
    .await
}

/// [`import_checkup_csv_input`] with the chunk size (rows; the result does not depend on it —
/// tests use tiny chunks) and a progress callback (`iphr import` draws a bar on a terminal).
#[allow(clippy::too_many_arguments)]
pub async fn import_checkup_csv_chunked(
    store: &dyn Store,
    company: CompanyId,
    profile: &Profile,
    file_name: &str,
    input: CsvInput<'_>,
    imported_by: &str,
    options: Options,
    chunk_rows: usize,
    progress: Progress<'_>,
) -> Result<RecordOutcome, ImportError> {
    let chunk_rows = chunk_rows.max(1);
    let total = input.len();
    let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let at = |r: &std::sync::Arc<std::sync::atomic::AtomicU64>| r.load(std::sync::atomic::Ordering::Relaxed);
    let io_err = |e: std::io::Error| ImportError::io(input.path().unwrap_or(Path::new(file_name)), e);
    let file_err = |error: checkup_csv::FileError| ImportError::file(file_name, error);
    let table = ItemTable::embedded()?;
    let units = UnitTable::embedded()?;
    let profile = crate::with_source_mappings(store, company, profile, table).await?;
    let profile = &profile;
    let choice = checkup_csv::encoding_choice(profile);

    // Pass 0: SHA-256 and encoding.
    let (sha256, encoding) = match input {
        CsvInput::Bytes(b) => (hex::encode(Sha256::digest(b)), iphr_convert::text::detect(b, choice)),
        CsvInput::Path(_) => {
            let mut r = input.open_counted(&read).map_err(io_err)?;
            let mut hasher = Sha256::new();
            let mut detector = EncodingDetector::new();
            let mut buf = vec![0u8; 1 << 20];
            loop {
                let n = r.read(&mut buf).map_err(io_err)?;
                let Some(piece) = buf.get(..n).filter(|p| !p.is_empty()) else { break };
                hasher.update(piece);
                detector.feed(piece);
                progress(Pass::Reading, at(&read), total);
            }
            (hex::encode(hasher.finalize()), detector.finish(choice))
        }
    };
    let kind = "checkup-csv";
    let earlier = store.source_file(company, kind, &sha256).await?;
    // The company's candidates, streamed into the matcher (their list is never held).
    let matcher = store.identity_matcher(company).await?;
    let meta = FileMeta {
        company_id: company,
        id: earlier.as_ref().map_or_else(uuid::Uuid::now_v7, |f| f.id),
        kind: kind.into(),
        sha256,
        file_name: file_name.into(),
        profile: profile.name.clone(),
        institution: profile.institution.clone(),
        known: earlier.is_some(),
        imported_by: imported_by.into(),
        now: Utc::now(),
    };

    // Pass 1: every row converted; kept are the row errors and the (person, date) keys that may
    // occur more than once.
    let matcher_planner = Planner::new(&meta, table, &matcher, encoding, 0, &[], None);
    let mut rows_read = 0usize;
    let mut errors: Vec<RowError> = Vec::new();
    let mut repeated = RepeatedKeys::for_file_of(total);
    let mut creating = options.create_persons.then(|| crate::persons::Creating::new(company));
    {
        let mut stream =
            CsvStream::new(input.open_counted(&read).map_err(io_err)?, encoding, profile, file_name, table, units)
                .map_err(file_err)?;
        while let Some(chunk) = stream.next_chunk(chunk_rows).map_err(file_err)? {
            progress(Pass::Converting, at(&read), total);
            rows_read += chunk.rows_read;
            errors.extend(chunk.errors);
            for v in &chunk.visits {
                if let Some(p) = matcher_planner.person_of(&v.identity) {
                    repeated.observe((p, v.date), v.line);
                } else if let Some(c) = creating.as_mut() {
                    c.offer(&matcher, v);
                }
            }
        }
    }
    drop(matcher_planner);
    // --create-persons: the unknown persons of the file, created in the import's transaction
    // and matched from now on like every employee.
    let created = creating.map(crate::persons::Creating::finish).unwrap_or_default();
    let extended;
    let matcher = if created.persons.is_empty() {
        &matcher
    } else {
        extended = matcher.with(&created.candidates);
        for (key, line) in &created.visits {
            repeated.observe(*key, *line);
        }
        &extended
    };

    // Pass 2: plan chunk by chunk; write inside one transaction unless nothing may be written.
    let mut planner = Planner::new(&meta, table, matcher, encoding, rows_read, &errors, Some(repeated));
    drop(errors);
    let writing = !options.dry_run && (!planner.has_errors() || options.allow_partial);
    let mut tx: Option<Box<dyn ImportTransaction>> = if writing { Some(store.begin_import().await?) } else { None };
    if let Some(tx) = tx.as_mut()
        && !created.persons.is_empty()
    {
        tx.write(&created.write(file_name, imported_by)).await?;
    }
    let mut stream =
        CsvStream::new(input.open_counted(&read).map_err(io_err)?, encoding, profile, file_name, table, units)
            .map_err(file_err)?;
    while let Some(chunk) = stream.next_chunk(chunk_rows).map_err(file_err)? {
        progress(Pass::Writing, at(&read), total);
        let records = checkup_records(&chunk, profile, file_name);
        let keys: Vec<_> =
            records.records.iter().filter_map(|r| planner.person_of(&r.identity).map(|p| (p, r.date))).collect();
        let (events, observations) = match tx.as_mut() {
            Some(tx) => tx.events_on(company, EventKind::Checkup, &keys).await?,
            None => store.events_on(company, EventKind::Checkup, &keys).await?,
        };
        let part = planner.plan_chunk(&records.records, &records.unmapped, &events, &observations);
        if let Some(tx) = tx.as_mut() {
            if planner.has_errors() && !options.allow_partial {
                // Results given twice: the file is refused; the transaction is dropped below.
                continue;
            }
            tx.write(&part).await?;
        }
    }
    let (source_file, mut report) = planner.finish();
    report.summary.created_persons = created.persons.len();
    report
        .warnings
        .extend(created.warnings.iter().map(|w| crate::Issue::at_line(file_name, w.line, &w.field, &w.reason)));
    if !report.errors.is_empty() && !options.allow_partial {
        drop(tx);
        return Ok(Outcome::Refused { report });
    }
    let Some(mut tx) = tx else { return Ok(Outcome::DryRun { report }) };
    let audit = vec![crate::import_audit(company, kind, file_name, imported_by, &report)];
    tx.write(&ImportWrite { source_file, audit, ..ImportWrite::default() }).await?;
    tx.commit().await?;
    report.source_file_id = Some(meta.id);
    Ok(Outcome::Imported { report })
}

/// Imports one checkup CSV file from its path, in bounded memory (see the module).
pub async fn import_checkup_csv_file(
    store: &dyn Store,
    company: CompanyId,
    profile: &Profile,
    path: &Path,
    file_name: &str,
    imported_by: &str,
    options: Options,
) -> Result<RecordOutcome, ImportError> {
    import_checkup_csv_input(store, company, profile, file_name, CsvInput::Path(path), imported_by, options).await
}
