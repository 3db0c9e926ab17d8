//! From parsed records to what the store writes: identities matched, new results, unchanged
//! ones, corrections (the old value kept in history), records held for identity review and
//! unmapped items held raw. The engine loads the candidates and the existing records and applies
//! the plan in one transaction; planning itself reads and writes nothing.

use crate::outcome::{Issue, RecordReport};
use chrono::{DateTime, NaiveDate, Utc};
use iphr_convert::checkup_csv::{Identity, ResultValue};
use iphr_convert::matching::Matcher;
use iphr_convert::records::{ParsedRecords, Record, identity_json, incoming, record_json};
use iphr_domain::event::Event;
use iphr_domain::identity::{Candidate, Match};
use iphr_domain::observation::{Observation, Provenance, Qualifier, Value};
use iphr_domain::ohcc::{DataAtr, DataKind, ItemCode, ItemTable, ValueKind};
use iphr_domain::{CompanyId, EventId, ObservationId, PersonId};
use iphr_store::{Correction, ImportWrite, QueueEntry, SourceFile, UnmappedEntry};
use serde_json::json;
use std::collections::HashMap;

/// The file being imported.
#[derive(Debug, Clone)]
pub struct FileMeta {
    /// Company.
    pub company_id: CompanyId,
    /// Id given to the file (a new one, or the id of the earlier import of the same bytes).
    pub id: uuid::Uuid,
    /// Source kind.
    pub kind: String,
    /// SHA-256, hex.
    pub sha256: String,
    /// File name.
    pub file_name: String,
    /// Profile name.
    pub profile: String,
    /// The checkup institution.
    pub institution: Option<String>,
    /// Imported before (same bytes): nothing new is held or recorded for it.
    pub known: bool,
    /// Who imports.
    pub imported_by: String,
    /// When.
    pub now: DateTime<Utc>,
}

/// The domain value and qualifier of a converted result.
fn to_value(v: &ResultValue) -> (Value, Qualifier) {
    match v {
        ResultValue::Number { value, unit, comparator, flag, scale } => (
            Value::Number { value: *value, unit: unit.to_string() },
            Qualifier { comparator: *comparator, flag: *flag, scale: *scale },
        ),
        ResultValue::FlagOnly(f) => (Value::BeyondRange, Qualifier { flag: Some(*f), ..Qualifier::default() }),
        ResultValue::Code(c) => (Value::Coded { code: c.clone() }, Qualifier::default()),
        ResultValue::Text(t) => (Value::Text { text: t.clone() }, Qualifier::default()),
        ResultValue::NotDone => (Value::NotDone, Qualifier::default()),
        ResultValue::NotMeasured => (Value::NotMeasured, Qualifier::default()),
    }
}

/// ⑥ データATR kind of an institution's datum for an item.
fn data_kind(table: &ItemTable, item: &ItemCode) -> DataKind {
    match table.get(item).map(|d| d.value_kind) {
        // 総合判定・医師の診断 (② z) carry the institution's judgement.
        Some(ValueKind::Coded) if item.as_str().starts_with("Az") => DataKind::Judgement,
        Some(ValueKind::Coded) => DataKind::Qualitative,
        Some(ValueKind::Text) => DataKind::Text,
        Some(ValueKind::Document) => DataKind::Document,
        _ => DataKind::Measured,
    }
}

/// Plans the import of records of one event kind against what is stored.
pub fn plan_records(
    parsed: &ParsedRecords,
    meta: &FileMeta,
    table: &ItemTable,
    candidates: &[Candidate],
    existing_events: &[Event],
    existing_observations: &[Observation],
) -> (ImportWrite, RecordReport) {
    let matcher = Matcher::new(candidates);
    let mut planner = Planner::new(meta, table, &matcher, parsed.encoding, parsed.rows_read, &parsed.errors, None);
    let mut w = planner.plan_chunk(&parsed.records, &parsed.unmapped, existing_events, existing_observations);
    let (source_file, mut report) = planner.finish();
    report
        .warnings
        .extend(parsed.warnings.iter().map(|e| Issue::at_line(&meta.file_name, e.line, &e.field, &e.reason)));
    w.source_file = source_file;
    (w, report)
}

/// The (person, date) keys of a file that may occur more than once, each with the last line it
/// occurs on — found by a first pass over the file in bounded memory: a Bloom filter of the keys
/// seen (at most 16 MiB, whatever the file) and the last line of every key the filter had
/// already seen. A false positive of the filter only keeps a key that occurs once a little
/// longer in [`Planner`]'s memory; a key that does occur again is never missed.
pub struct RepeatedKeys {
    bits: Vec<u64>,
    mask: u64,
    last: HashMap<(PersonId, NaiveDate), u64>,
}

/// Probes per key of [`RepeatedKeys`]' filter.
const BLOOM_PROBES: u64 = 7;

impl RepeatedKeys {
    /// A finder sized for a file of `file_bytes` bytes (one bit per 4 bytes of file, between
    /// 64 KiB and 16 MiB of filter).
    pub fn for_file_of(file_bytes: u64) -> Self {
        let want = (file_bytes / 4).clamp(1 << 19, 1 << 27);
        let bits = want.next_power_of_two();
        let words = usize::try_from(bits / 64).unwrap_or(1 << 21);
        Self { bits: vec![0; words], mask: bits - 1, last: HashMap::new() }
    }

    fn probes(key: &(PersonId, NaiveDate), mask: u64) -> impl Iterator<Item = u64> {
        use std::hash::{Hash, Hasher};
        let hash = |seed: u8| {
            let mut h = std::hash::DefaultHasher::new();
            (seed, key).hash(&mut h);
            h.finish()
        };
        let (h1, h2) = (hash(0), hash(1) | 1);
        (0..BLOOM_PROBES).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }

    /// Notes that `key` occurs on `line`.
    pub fn observe(&mut self, key: (PersonId, NaiveDate), line: u64) {
        let mut seen = true;
        for bit in Self::probes(&key, self.mask) {
            let word = usize::try_from(bit / 64).ok().and_then(|w| self.bits.get_mut(w));
            if let Some(word) = word {
                let b = 1u64 << (bit % 64);
                seen &= *word & b != 0;
                *word |= b;
            }
        }
        // A filter never forgets: a key not seen before cannot be in `last` yet.
        if seen {
            let last = self.last.entry(key).or_insert(line);
            *last = (*last).max(line);
        }
    }

    /// The filter is no longer needed once the pass is over.
    fn drop_filter(&mut self) {
        self.bits = Vec::new();
    }

    /// Whether `key` may still occur after `line`.
    fn occurs_after(&self, key: &(PersonId, NaiveDate), line: u64) -> bool {
        self.last.get(key).is_some_and(|last| *last > line)
    }

    /// Forgets the keys that do not occur after `line`.
    fn forget_through(&mut self, line: u64) {
        self.last.retain(|_, last| *last > line);
    }

    /// Keys that may occur more than once (and are not yet forgotten).
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }
}

/// The planning of one file in chunks of records: what must be remembered from one chunk to the
/// next (the visits of this file, and which items each already had) is kept only for the
/// (person, date) keys that occur again later in the file — found by a first pass
/// ([`RepeatedKeys`]) — so that memory does not grow with the file. Planning every chunk in
/// turn and then [`Planner::finish`]
/// gives the same writes (in parts) and the same report as [`plan_records`] on the whole file.
pub struct Planner<'a> {
    meta: &'a FileMeta,
    table: &'a ItemTable,
    matcher: &'a Matcher,
    report: RecordReport,
    rejected_lines: std::collections::BTreeSet<u64>,
    /// Keys that may occur more than once in the file, with their last line; `None`: remember
    /// every key.
    repeated: Option<RepeatedKeys>,
    /// New visits of this file by (person, date).
    new_events: HashMap<(PersonId, NaiveDate), EventId>,
    /// The first line of every result.
    seen: HashMap<(PersonId, NaiveDate, ItemCode), u64>,
}

impl<'a> Planner<'a> {
    /// A planner for a file of `rows_read` rows whose rows had `errors` (they come first in the
    /// report); `repeated`: the keys that may occur more than once (`None`: not known).
    pub fn new(
        meta: &'a FileMeta,
        table: &'a ItemTable,
        matcher: &'a Matcher,
        encoding: iphr_convert::text::Encoding,
        rows_read: usize,
        errors: &[iphr_convert::checkup_csv::RowError],
        mut repeated: Option<RepeatedKeys>,
    ) -> Self {
        if let Some(r) = repeated.as_mut() {
            r.drop_filter();
        }
        let mut report = RecordReport {
            file: meta.file_name.clone(),
            sha256: meta.sha256.clone(),
            source_file_id: meta.known.then_some(meta.id),
            encoding: Some(encoding.name().into()),
            read: rows_read,
            ..Default::default()
        };
        let rejected_lines = errors.iter().map(|e| e.line).collect();
        report.errors.extend(errors.iter().map(|e| Issue::at_line(&meta.file_name, e.line, &e.field, &e.reason)));
        Self {
            meta,
            table,
            matcher,
            report,
            rejected_lines,
            repeated,
            new_events: HashMap::new(),
            seen: HashMap::new(),
        }
    }

    /// The person a record's identity matches, if exactly one.
    pub fn person_of(&self, identity: &Identity) -> Option<PersonId> {
        match self.matcher.find(&incoming(identity)) {
            Match::Matched { index, .. } => self.matcher.ids(index).map(|(p, _)| p),
            _ => None,
        }
    }

    /// Errors found so far (rows of the file, then results given twice).
    pub fn has_errors(&self) -> bool {
        !self.report.errors.is_empty()
    }

    /// Plans a chunk of records and unmapped items against the stored events and observations
    /// of its (person, date) keys; the write holds no source file (see [`Planner::finish`]).
    pub fn plan_chunk(
        &mut self,
        records: &[Record],
        unmapped: &[iphr_convert::checkup_csv::Unmapped],
        existing_events: &[Event],
        existing_observations: &[Observation],
    ) -> ImportWrite {
        let meta = self.meta;
        let table = self.table;
        let file = &meta.file_name;
        let err = |line: u64, field: &str, reason: String| Issue::at_line(file, line, field, reason);
        let mut w = ImportWrite::default();
        let source_doc = |line: u64| format!("sf:{}#line={line}", meta.id);

        // Existing checkups by (person, date), and their observations by (event, item, atr).
        let mut events_by_key: HashMap<(PersonId, NaiveDate), &Event> = HashMap::new();
        for e in existing_events {
            if let Some(p) = e.person_id {
                events_by_key.entry((p, e.event_date)).or_insert(e);
            }
        }
        let mut obs_by_key: HashMap<(EventId, &str, String), &Observation> = HashMap::new();
        for o in existing_observations {
            obs_by_key.insert((o.event_id, o.item.as_str(), o.atr.to_string()), o);
        }

        for v in records {
            let m = self.matcher.find(&incoming(&v.identity));
            let c = match &m {
                Match::Matched { index, .. } => self.matcher.ids(*index),
                _ => None,
            };
            let Some((person_id, employment_id)) = c else {
                let (reason, idx): (&str, Vec<usize>) = match &m {
                    Match::Ambiguous { indices, .. } => ("ambiguous", indices.clone()),
                    Match::Conflict { index, .. } => ("conflict", vec![*index]),
                    _ => ("unknown", vec![]),
                };
                self.report.summary.queued += 1;
                if !meta.known {
                    w.queue.push(QueueEntry {
                        company_id: meta.company_id,
                        id: uuid::Uuid::now_v7(),
                        source_file_id: meta.id,
                        line: i64::try_from(v.line).unwrap_or(i64::MAX),
                        reason: match &m {
                            Match::Conflict { reason, .. } => format!("conflict: {reason}"),
                            _ => reason.to_string(),
                        },
                        identity: identity_json(&v.identity),
                        candidates: json!(idx.iter().filter_map(|i| self.matcher.candidate(*i)).collect::<Vec<_>>()),
                        payload: record_json(v),
                        status: "open".into(),
                        created_at: meta.now,
                    });
                }
                continue;
            };
            let key = (person_id, v.date);
            let event_id = match (events_by_key.get(&key), self.new_events.get(&key)) {
                (Some(e), _) => e.id,
                (None, Some(id)) => *id,
                (None, None) => {
                    let id = EventId::new();
                    self.new_events.insert(key, id);
                    self.report.summary.new_visits += 1;
                    w.batch.events.push(Event {
                        company_id: meta.company_id,
                        id,
                        person_id: Some(person_id),
                        employment_id: Some(employment_id),
                        department_id: None,
                        kind: v.kind,
                        subkind: v.subkind.clone(),
                        event_date: v.date,
                        title: v.title.clone(),
                        content_class: v.kind.default_content_class(),
                        producer: v.producer,
                        detail: v.detail.clone(),
                        source_doc: Some(source_doc(v.line)),
                    });
                    id
                }
            };
            let mut row_doc: Option<(u64, String)> = None;
            for r in &v.results {
                if let Some(first) = self.seen.get(&(person_id, v.date, r.item)) {
                    self.report.errors.push(err(
                        r.line,
                        &r.column,
                        format!("{} again for the same person and date (first on line {first})", r.item),
                    ));
                    self.rejected_lines.insert(r.line);
                    continue;
                }
                self.seen.insert((person_id, v.date, r.item), r.line);
                if let Some(wn) = &r.warning {
                    self.report.warnings.push(err(r.line, &r.column, wn.clone()));
                }
                let Some(def) = table.get(&r.item) else { continue };
                let atr = DataAtr { kind: data_kind(table, &r.item), producer: v.producer, seq: 1 };
                let (value, qualifier) = to_value(&r.value);
                let doc = match &row_doc {
                    Some((line, doc)) if *line == r.line => doc.clone(),
                    _ => {
                        let doc = source_doc(r.line);
                        row_doc = Some((r.line, doc.clone()));
                        doc
                    }
                };
                let provenance = Provenance {
                    source_code: Some(r.source_code.to_string()),
                    source_text: Some(r.source_text.to_string()),
                    raw_value: Some(r.raw.clone()),
                    source_doc: Some(doc),
                    table_version: table.version.clone(),
                };
                match obs_by_key.get(&(event_id, r.item.as_str(), atr.to_string())) {
                    Some(old) if old.value == value && old.qualifier.same_reading(&qualifier) => {
                        self.report.summary.unchanged += 1
                    }
                    Some(old) => {
                        self.report.summary.corrected += 1;
                        w.corrections.push(Correction {
                            old: (*old).clone(),
                            new: Observation { value, qualifier, provenance, ..(*old).clone() },
                        });
                    }
                    None => {
                        self.report.summary.imported += 1;
                        w.batch.observations.push(Observation {
                            company_id: meta.company_id,
                            id: ObservationId::new(),
                            event_id,
                            person_id,
                            employment_id: Some(employment_id),
                            item: r.item,
                            atr,
                            value,
                            qualifier,
                            info_class: def.info_class,
                            event_date: v.date,
                            provenance,
                        });
                    }
                }
            }
        }
        for u in unmapped {
            self.report.summary.unmapped += 1;
            if meta.known {
                continue;
            }
            let person = self.person_of(&u.identity);
            w.unmapped.push(UnmappedEntry {
                company_id: meta.company_id,
                id: uuid::Uuid::now_v7(),
                source_file_id: meta.id,
                line: i64::try_from(u.line).unwrap_or(i64::MAX),
                source_system: meta.profile.clone(),
                source_code: u.source_code.clone(),
                source_text: u.source_text.clone(),
                raw_value: u.raw.clone(),
                unit: u.unit.clone(),
                person_id: person,
                event_date: u.date,
                status: "open".into(),
                created_at: meta.now,
            });
        }
        // Keys that do not occur again in the file are done with. The records of a chunk come
        // in line order after those of the chunks before (a long layout's come all at the end).
        if let Some(rep) = &mut self.repeated {
            let through = records.iter().map(|r| r.line).max().unwrap_or(0);
            self.new_events.retain(|k, _| rep.occurs_after(k, through));
            self.seen.retain(|(p, d, _), _| rep.occurs_after(&(*p, *d), through));
            rep.forget_through(through);
        }
        w
    }

    /// The file's record (absent when it was imported before) and the report.
    pub fn finish(mut self) -> (Option<SourceFile>, RecordReport) {
        let meta = self.meta;
        let report = &mut self.report;
        report.rejected = self.rejected_lines.len();
        let source_file = (!meta.known).then(|| SourceFile {
            company_id: meta.company_id,
            id: meta.id,
            kind: meta.kind.clone(),
            sha256: meta.sha256.clone(),
            file_name: meta.file_name.clone(),
            profile: Some(meta.profile.clone()),
            encoding: report.encoding.clone(),
            imported_at: meta.now,
            imported_by: meta.imported_by.clone(),
            summary: json!({
                "read": report.read, "imported": report.summary.imported, "unchanged": report.summary.unchanged,
                "corrected": report.summary.corrected, "rejected": report.rejected, "unmapped": report.summary.unmapped,
                "queued": report.summary.queued,
            }),
        });
        (source_file, self.report)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(p: &[PersonId], i: u8, day: u32) -> (PersonId, NaiveDate) {
        (p[usize::from(i) % p.len()], NaiveDate::from_ymd_opt(2024, 4, day).unwrap())
    }

    #[test]
    fn repeated_keys_remember_the_last_line_of_a_key_given_twice() {
        let p: Vec<PersonId> = (0..3).map(|_| PersonId::new()).collect();
        let mut r = RepeatedKeys::for_file_of(1_000);
        r.observe(key(&p, 0, 1), 2);
        r.observe(key(&p, 1, 1), 3);
        r.observe(key(&p, 0, 1), 7);
        r.observe(key(&p, 0, 1), 5);
        assert!(r.occurs_after(&key(&p, 0, 1), 6));
        assert!(!r.occurs_after(&key(&p, 0, 1), 7));
        r.forget_through(6);
        assert_eq!(r.len(), 1);
        r.forget_through(7);
        assert!(r.is_empty());
    }

    #[test]
    fn repeated_keys_filter_is_bounded() {
        let r = RepeatedKeys::for_file_of(1 << 40);
        assert_eq!(r.bits.len() * 8, 16 << 20);
        let r = RepeatedKeys::for_file_of(0);
        assert_eq!(r.bits.len() * 8, 64 << 10);
    }

    proptest! {
        /// Every key given more than once is remembered with its last line (a tiny filter, so
        /// that false positives are common and must not hide a repeat).
        #[test]
        fn repeated_keys_never_miss_a_repeat(seq in proptest::collection::vec((0u8..40, 1u32..4), 0..300)) {
            let p: Vec<PersonId> = (0..40).map(|_| PersonId::new()).collect();
            let mut r = RepeatedKeys::for_file_of(0);
            r.bits.truncate(1);
            r.mask = 63;
            let mut lines: HashMap<(PersonId, NaiveDate), Vec<u64>> = HashMap::new();
            for (line, (i, day)) in seq.iter().enumerate() {
                let k = key(&p, *i, *day);
                r.observe(k, line as u64);
                lines.entry(k).or_default().push(line as u64);
            }
            for (k, ls) in &lines {
                let (first, last) = (ls[0], *ls.last().unwrap());
                if ls.len() > 1 {
                    prop_assert!(r.occurs_after(k, first));
                    prop_assert_eq!(r.last.get(k).copied(), Some(last));
                }
                prop_assert!(!r.occurs_after(k, last));
            }
        }
    }
}
