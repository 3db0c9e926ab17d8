//! The streaming reader: a file read in chunks of rows, in bounded memory.

use super::columns::*;
use super::*;

/// A checkup CSV read in chunks of visits: the bytes are decoded piece by piece and each row
/// is converted as it is read, so memory is that of one chunk whatever the size of the file.
/// A wide file's visits come in file order; a long file's visits (whose rows may be anywhere in
/// the file) come all together at the end.
pub struct CsvStream<'p, R: std::io::Read> {
    rdr: csv::Reader<crate::text::DecodeReader<R>>,
    rec: csv::StringRecord,
    profile: &'p Profile,
    table: &'p ItemTable,
    units: &'p UnitTable,
    encoding: Encoding,
    ids: IdentityCols,
    date_col: usize,
    kind_col: Option<usize>,
    default_kind: CheckupKind,
    wide: Vec<WideColumn<'p>>,
    long: Option<LongCols<'p>>,
    local: HashMap<String, ResolvedItem>,
    /// Long layout: every visit so far, by identity and date in order of first appearance.
    long_visits: Vec<Visit>,
    long_errors: Vec<RowError>,
    long_unmapped: Vec<Unmapped>,
    long_rows: usize,
    visit_index: HashMap<(String, NaiveDate), usize>,
    /// Cells of the header.
    width: usize,
    /// The last non-blank records read with their lines, held back while they may be the
    /// footer (`footer_lines`).
    footer: std::collections::VecDeque<(u64, csv::StringRecord)>,
    /// A `footer_prefix` line was read: the rest is footer.
    in_footer: bool,
    done: bool,
}

/// What opening a stream finds in the header.
pub(super) struct Opened<'p> {
    ids: IdentityCols,
    date_col: usize,
    kind_col: Option<usize>,
    wide: Vec<WideColumn<'p>>,
    long: Option<LongCols<'p>>,
    local: HashMap<String, ResolvedItem>,
    width: usize,
}

/// One chunk of a [`CsvStream`]: its rows read, visits, row errors and unmapped items.
pub type Chunk = ParsedFile;

impl<'p, R: std::io::Read> CsvStream<'p, R> {
    /// Opens a stream over `reader` in `encoding` (see [`crate::text::detect`]): reads the
    /// header and fits the profile to it.
    pub fn new(
        reader: R,
        encoding: Encoding,
        profile: &'p Profile,
        origin: &str,
        table: &'p ItemTable,
        units: &'p UnitTable,
    ) -> Result<Self, FileError> {
        let delimiter = u8::try_from(profile.delimiter).unwrap_or(b',');
        let mut decoded = crate::text::DecodeReader::new(reader, encoding);
        decoded.track_quotes(delimiter);
        let skipped = match decoded.skip_lines(profile.skip_lines) {
            Ok(n) => n,
            Err(e) => {
                return Err(crate::text::decode_error_of(&e)
                    .map(FileError::Decode)
                    .unwrap_or(FileError::Csv { line: 1, reason: e.to_string() }));
            }
        };
        let mut rb = csv::ReaderBuilder::new();
        rb.has_headers(false).flexible(true).delimiter(delimiter);
        let mut rdr = rb.buffer_capacity(1 << 16).from_reader(decoded);
        if skipped < profile.skip_lines {
            return Err(FileError::NoHeader);
        }
        match Self::open(&mut rdr, profile, origin, table, units) {
            Ok(parts) => Ok(Self::assemble(rdr, parts, profile, table, units, encoding)),
            Err(e) => Err(prefer_decode_error(&mut rdr, e)),
        }
    }

    pub(super) fn open(
        rdr: &mut csv::Reader<crate::text::DecodeReader<R>>,
        profile: &'p Profile,
        origin: &str,
        table: &'p ItemTable,
        units: &'p UnitTable,
    ) -> Result<Opened<'p>, FileError> {
        let resolved = profile.resolve_items(origin, table)?;
        let mut rows = Vec::with_capacity(profile.header_rows);
        let mut lines = Vec::with_capacity(profile.header_rows);
        for _ in 0..profile.header_rows.max(1) {
            let mut header = csv::StringRecord::new();
            match rdr.read_record(&mut header) {
                Ok(true) => {}
                Ok(false) => return Err(FileError::NoHeader),
                Err(e) => return Err(csv_error(rdr, e)),
            }
            lines.push(record_line(rdr, header.position()));
            rows.push(header);
        }
        let header_line = lines.first().copied().unwrap_or(1);
        let cols = Columns::new(&rows, header_line);
        // The header text of a column as the file writes it: its lines joined with `/`.
        let header_text = |i: usize| {
            rows.iter().filter_map(|r| r.get(i)).map(str::trim).filter(|t| !t.is_empty()).collect::<Vec<_>>().join("/")
        };
        for (spec, expected) in &profile.headers {
            let Some(i) = column_position(spec).filter(|&i| i < cols.width) else {
                return Err(FileError::MissingColumn {
                    line: header_line,
                    column: spec.clone(),
                    field: format!("headers.{spec}"),
                });
            };
            let want = fold_header(expected);
            let fits = fold_header(&header_text(i)) == want
                || rows.iter().filter_map(|r| r.get(i)).any(|c| fold_header(c) == want);
            if !fits {
                return Err(FileError::HeaderMismatch {
                    line: header_line,
                    column: spec.clone(),
                    field: format!("headers.{spec}"),
                    found: header_text(i),
                    expected: expected.clone(),
                });
            }
        }
        let id = &profile.identity;
        let ids = IdentityCols {
            employee_number: cols.opt(&id.employee_number, "identity.employee_number")?,
            name: cols.opt(&id.name, "identity.name")?,
            family_name: cols.opt(&id.family_name, "identity.family_name")?,
            given_name: cols.opt(&id.given_name, "identity.given_name")?,
            kana: cols.opt(&id.kana, "identity.kana")?,
            birth_date: cols.opt(&id.birth_date, "identity.birth_date")?,
            sex: cols.opt(&id.sex, "identity.sex")?,
            insurer_number: cols.opt(&id.insurer_number, "identity.insurer_number")?,
            insured_symbol: cols.opt(&id.insured_symbol, "identity.insured_symbol")?,
            insured_number: cols.opt(&id.insured_number, "identity.insured_number")?,
        };
        let date_col = cols.find(&profile.event.date, "event.date")?;
        // A header line that holds a date where the visit date is is a data record taken for the
        // header (a wrong skip_lines or header_rows): refuse rather than lose the record.
        if let Some((n, cell)) = rows
            .iter()
            .enumerate()
            .filter_map(|(n, r)| r.get(date_col).map(|c| (n, c.trim())))
            .find(|(_, c)| !c.is_empty() && parse_date(c).is_ok())
        {
            return Err(FileError::Csv {
                line: lines.get(n).copied().unwrap_or(header_line),
                reason: format!(
                    "the header line holds the date {cell:?} in the visit-date column ({}): it is a data record; \
                     check skip_lines ({}) and header_rows ({}) of the profile",
                    profile.event.date, profile.skip_lines, profile.header_rows
                ),
            });
        }
        let kind_col = cols.opt(&profile.event.kind_column, "event.kind_column")?;
        // Wide: the column of every item (and of its H/L column), with what is the same for
        // every row: the item's definition, parser, names and unit conversion.
        let mut wide = Vec::new();
        let mut local = HashMap::new();
        if profile.layout == Layout::Wide {
            for (i, r) in resolved.into_iter().enumerate() {
                let spec = r.spec.clone();
                let c = cols.find(r.spec.column.as_deref().unwrap_or(""), &format!("items[{i}].column"))?;
                let fc = cols.opt(&r.spec.flag_column, &format!("items[{i}].flag_column"))?;
                let def = table.get(&r.item).ok_or_else(|| {
                    FileError::Profile(ProfileError {
                        profile: origin.into(),
                        field: format!("items[{i}]"),
                        reason: format!("{} is not in the OHCC table", r.item),
                    })
                })?;
                let parser = effective_parser(spec.parser, def);
                let from = spec.unit.as_deref().unwrap_or(def.unit.as_str());
                let unit_step = unit_step(units, r.item.as_str(), from, &def.unit);
                let (source_code, source_unit): (Arc<str>, Option<Arc<str>>) =
                    (r.source_code.as_str().into(), r.spec.unit.as_deref().map(Into::into));
                wide.push(WideColumn {
                    resolved: r,
                    def,
                    parser,
                    col: c,
                    flag_col: fc,
                    column: spec.column.clone().unwrap_or_default().into(),
                    source_text: header_text(c).into(),
                    source_code,
                    source_unit,
                    unit: def.unit.as_str().into(),
                    unit_step,
                });
            }
        } else if let Some(l) = &profile.long {
            local = l.local.keys().cloned().zip(resolved).collect();
        }
        let long = match (&profile.layout, &profile.long) {
            (Layout::Long, Some(l)) => Some(LongCols {
                spec: l,
                code: cols.find(&l.code, "long.code")?,
                name: cols.opt(&l.name, "long.name")?,
                value: cols.find(&l.value, "long.value")?,
                unit: cols.opt(&l.unit, "long.unit")?,
                flag: cols.opt(&l.flag, "long.flag")?,
            }),
            _ => None,
        };
        Ok(Opened { ids, date_col, kind_col, wide, long, local, width: cols.width })
    }

    pub(super) fn assemble(
        rdr: csv::Reader<crate::text::DecodeReader<R>>,
        parts: Opened<'p>,
        profile: &'p Profile,
        table: &'p ItemTable,
        units: &'p UnitTable,
        encoding: Encoding,
    ) -> Self {
        let Opened { ids, date_col, kind_col, wide, long, local, width } = parts;
        Self {
            rdr,
            rec: csv::StringRecord::new(),
            profile,
            table,
            units,
            encoding,
            ids,
            date_col,
            kind_col,
            default_kind: CheckupKind::parse(&profile.checkup_kind).unwrap_or(CheckupKind::Periodic),
            wide,
            long,
            local,
            long_visits: Vec::new(),
            long_errors: Vec::new(),
            long_unmapped: Vec::new(),
            long_rows: 0,
            visit_index: HashMap::new(),
            width,
            footer: std::collections::VecDeque::with_capacity(profile.footer_lines + 1),
            in_footer: false,
            done: false,
        }
    }

    /// The encoding read.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The next chunk of at most `max_rows` data rows (a long file: everything, at the end);
    /// `None` when the file is read. A structure or encoding error anywhere ends the file.
    pub fn next_chunk(&mut self, max_rows: usize) -> Result<Option<Chunk>, FileError> {
        if self.done {
            return Ok(None);
        }
        let mut out = ParsedFile {
            encoding: self.encoding,
            rows_read: 0,
            visits: Vec::new(),
            errors: Vec::new(),
            unmapped: Vec::new(),
        };
        let mut rows = 0usize;
        while rows < max_rows.max(1) {
            let mut rec = std::mem::take(&mut self.rec);
            let more = self.rdr.read_record(&mut rec);
            let result = match more {
                Ok(true) => {
                    let line = record_line(&mut self.rdr, rec.position());
                    if self.take(line, &rec, &mut out) {
                        rows += 1;
                    }
                    Ok(true)
                }
                Ok(false) => match self.rdr.get_ref().open_quote_line() {
                    // csv ends a quoted value at the end of the file without a word.
                    Some(line) => Err(FileError::Csv {
                        line,
                        reason: "the file ends inside a quoted value that opens on this line (its closing \" \
                                 is missing: the file is cut short)"
                            .into(),
                    }),
                    None => Ok(false),
                },
                Err(e) => {
                    let e = csv_error(&mut self.rdr, e);
                    Err(prefer_decode_error(&mut self.rdr, e))
                }
            };
            self.rec = rec;
            if !result? {
                // The records still held back are the footer.
                self.footer.clear();
                self.done = true;
                out.rows_read += std::mem::take(&mut self.long_rows);
                out.visits.append(&mut self.long_visits);
                out.errors.append(&mut self.long_errors);
                out.unmapped.append(&mut self.long_unmapped);
                break;
            }
        }
        if self.done && out.rows_read == 0 && out.visits.is_empty() && out.errors.is_empty() && out.unmapped.is_empty()
        {
            return Ok(None);
        }
        Ok(Some(out))
    }

    /// Takes one record read at `line`: the footer is left out (a `footer_prefix` line and all
    /// after it; the last `footer_lines` non-blank records, held back until more come); every
    /// other record is converted. True when a record was converted.
    pub(super) fn take(&mut self, line: u64, rec: &csv::StringRecord, out: &mut ParsedFile) -> bool {
        if self.in_footer {
            return false;
        }
        let n = self.profile.footer_lines;
        if n == 0 && self.profile.footer_prefix.is_none() {
            self.row(line, rec, out);
            return true;
        }
        let blank = rec.iter().all(|c| c.trim().is_empty());
        if let Some(prefix) = self.profile.footer_prefix.as_deref()
            && !blank
            && rec.get(0).is_some_and(|c| fold_header(c).starts_with(&fold_header(prefix)))
        {
            self.in_footer = true;
            return false;
        }
        if n == 0 || blank {
            self.row(line, rec, out);
            return true;
        }
        self.footer.push_back((line, rec.clone()));
        if self.footer.len() <= n {
            return false;
        }
        match self.footer.pop_front() {
            Some((line, rec)) => {
                self.row(line, &rec, out);
                true
            }
            None => false,
        }
    }

    /// Converts one data row into `out` (wide) or the held visits (long).
    pub(super) fn row(&mut self, line: u64, rec: &csv::StringRecord, out: &mut ParsedFile) {
        if rec.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        let profile = self.profile;
        // Comment lines after the header (e.g. CC2X's third header line of Japanese names).
        if let Some(prefix) = profile.comment_prefix.as_deref().filter(|p| !p.is_empty())
            && rec.get(0).is_some_and(|c| c.starts_with(prefix))
        {
            return;
        }
        let long_layout = self.long.is_some();
        if long_layout {
            self.long_rows += 1;
        } else {
            out.rows_read += 1;
        }
        // A record with fewer cells than the header is cut short (the last line of a truncated
        // file, a line break inside an unquoted value): never data. More cells than the header
        // are refused unless the extra ones are empty (a trailing delimiter).
        let shape = crate::table::shape_error(rec, self.width);
        if let Some(reason) = shape {
            let e = RowError { line, field: crate::table::RECORD_FIELD.into(), reason };
            if long_layout {
                self.long_errors.push(e)
            } else {
                out.errors.push(e)
            }
            return;
        }
        let mut row_errors = Vec::new();
        let mut field_err =
            |field: &str, reason: String| row_errors.push(RowError { line, field: field.into(), reason });
        let id = &profile.identity;
        let ic = &self.ids;
        // Identity.
        let (family, given) = match (cell(rec, ic.family_name), cell(rec, ic.given_name), cell(rec, ic.name)) {
            (Some(f), g, _) => (Some(f), g),
            (None, _, Some(full)) => {
                let full = full.replace('\u{3000}', " ");
                match full.split_once(' ') {
                    Some((f, g)) => (Some(f.trim().to_string()), Some(g.trim().to_string())),
                    None => (Some(full), None),
                }
            }
            _ => (None, None),
        };
        let birth_date = match cell(rec, ic.birth_date) {
            Some(b) => match parse_date(&b) {
                Ok(d) => Some(d),
                Err(e) => {
                    field_err(id.birth_date.as_deref().unwrap_or("birth_date"), e.to_string());
                    None
                }
            },
            None => None,
        };
        let sex = match cell(rec, ic.sex) {
            Some(s) => {
                let v = parse_sex(&s, &id.sex_values);
                if v.is_none() {
                    field_err(id.sex.as_deref().unwrap_or("sex"), format!("{s:?} is not a sex (1/2, 男/女, M/F)"));
                }
                v
            }
            None => None,
        };
        let identity = Identity {
            employee_number: cell(rec, ic.employee_number).map(|e| fold_value(&e)),
            family_name: family,
            given_name: given,
            kana: cell(rec, ic.kana),
            birth_date,
            sex,
            insurer: InsurerIds {
                insurer_number: cell(rec, ic.insurer_number).map(|v| fold_value(&v)),
                symbol: cell(rec, ic.insured_symbol),
                number: cell(rec, ic.insured_number).map(|v| fold_value(&v)),
            },
        };
        if identity.employee_number.is_none() && (identity.kana.is_none() || identity.birth_date.is_none()) {
            field_err("identity", "neither an employee number nor kana and birth date".into());
        }
        let date = match cell(rec, Some(self.date_col)).map(|d| parse_date(&d)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                field_err(&profile.event.date, e.to_string());
                None
            }
            None => {
                field_err(&profile.event.date, "empty".into());
                None
            }
        };
        let kind = match cell(rec, self.kind_col) {
            Some(k) => match profile.event.kind_values.get(&fold_value(&k)).and_then(|v| CheckupKind::parse(v)) {
                Some(k) => k,
                None => {
                    field_err(
                        profile.event.kind_column.as_deref().unwrap_or("kind"),
                        format!("{k:?} is not a mapped checkup kind"),
                    );
                    self.default_kind
                }
            },
            None => self.default_kind,
        };
        let (table, units) = (self.table, self.units);
        let mut results = Vec::new();
        if let Some(l) = &self.long {
            let code = cell(rec, Some(l.code)).unwrap_or_default();
            let name = cell(rec, l.name).unwrap_or_default();
            let raw = rec.get(l.value).unwrap_or("").trim().to_string();
            let unit = cell(rec, l.unit);
            let item: Option<ResolvedItem> = match l.spec.code_system {
                CodeSystem::Local => self.local.get(code.as_str()).cloned(),
                CodeSystem::Jlac10 => table.by_jlac10(&code).map(|d| ResolvedItem {
                    item: d.item,
                    source_code: code.clone(),
                    spec: crate::profile::ItemSpec {
                        column: None,
                        ohcc: None,
                        jlac10: Some(code.clone()),
                        unit: None,
                        parser: Some(default_parser(d.value_kind, &d.item)),
                        values: Default::default(),
                        flag_column: None,
                    },
                }),
                CodeSystem::Ohcc => table.get_str(&code).map(|d| ResolvedItem {
                    item: d.item,
                    source_code: code.clone(),
                    spec: crate::profile::ItemSpec {
                        column: None,
                        ohcc: Some(code.clone()),
                        jlac10: None,
                        unit: None,
                        parser: Some(default_parser(d.value_kind, &d.item)),
                        values: Default::default(),
                        flag_column: None,
                    },
                }),
            };
            match item {
                // A blank value is no datum, mapped or not.
                None if non_blank(&raw).is_none() => {}
                None => out.unmapped.push(Unmapped {
                    line,
                    identity: identity.clone(),
                    date,
                    source_code: code,
                    source_text: name,
                    raw,
                    unit,
                }),
                Some(r) => match convert_cell(table, units, &r, &raw, unit.as_deref(), cell(rec, l.flag).as_deref()) {
                    Ok(Some((value, warning))) => results.push(ItemResult {
                        line,
                        column: l.spec.value.as_str().into(),
                        item: r.item,
                        source_code: r.source_code.as_str().into(),
                        source_text: name.into(),
                        raw,
                        source_unit: unit.map(Into::into),
                        value,
                        warning,
                    }),
                    Ok(None) => {}
                    Err(reason) => field_err(&format!("{} ({code})", l.spec.value), reason),
                },
            }
        } else {
            results.reserve(self.wide.len());
            for w in &self.wide {
                let raw = rec.get(w.col).unwrap_or("").trim();
                let flag = w.flag_col.and_then(|i| rec.get(i)).map(str::trim).filter(|s| !s.is_empty());
                match w.convert(table, units, raw, flag) {
                    Ok(Some((value, warning))) => results.push(ItemResult {
                        line,
                        column: w.column.clone(),
                        item: w.resolved.item,
                        source_code: w.source_code.clone(),
                        source_text: w.source_text.clone(),
                        raw: raw.to_string(),
                        source_unit: w.source_unit.clone(),
                        value,
                        warning,
                    }),
                    Ok(None) => {}
                    Err(reason) => field_err(&w.column, reason),
                }
            }
        }
        let has_errors = !row_errors.is_empty();
        if long_layout {
            self.long_errors.extend(row_errors);
        } else {
            out.errors.extend(row_errors);
        }
        // A row with an error is skipped whole (and reported); the engine refuses the file
        // unless partial imports are allowed.
        let Some(date) = date else { return };
        if has_errors {
            return;
        }
        if !long_layout {
            out.visits.push(Visit { line, identity, date, kind, results });
            return;
        }
        let key = (
            identity
                .employee_number
                .clone()
                .unwrap_or_else(|| format!("{}|{:?}", identity.kana.clone().unwrap_or_default(), identity.birth_date)),
            date,
        );
        match self.visit_index.get(&key) {
            Some(&i) => {
                if let Some(v) = self.long_visits.get_mut(i) {
                    v.results.extend(results);
                }
            }
            None => {
                self.visit_index.insert(key, self.long_visits.len());
                self.long_visits.push(Visit { line, identity, date, kind, results });
            }
        }
    }
}

/// The line where a record starts.
pub(super) fn record_line<R: std::io::Read>(
    rdr: &mut csv::Reader<crate::text::DecodeReader<R>>,
    pos: Option<&csv::Position>,
) -> u64 {
    match pos {
        Some(p) => rdr.get_mut().line_at(p.byte()),
        None => 0,
    }
}

/// A CSV error as a file error: bad bytes (from the decoder) or bad structure, with its line.
pub(super) fn csv_error<R: std::io::Read>(
    rdr: &mut csv::Reader<crate::text::DecodeReader<R>>,
    e: csv::Error,
) -> FileError {
    if let csv::ErrorKind::Io(io) = e.kind()
        && let Some(d) = crate::text::decode_error_of(io)
    {
        return FileError::Decode(d);
    }
    if let Some(d) = rdr.get_ref().error() {
        return FileError::Decode(d.clone());
    }
    FileError::Csv { line: record_line(rdr, e.position()), reason: e.to_string() }
}

/// Bytes that are neither UTF-8 nor CP932 anywhere in the file make it unreadable before any
/// other error (the whole file was decoded first when it was read at once): after another
/// file error, the rest is read to find them.
pub(super) fn prefer_decode_error<R: std::io::Read>(
    rdr: &mut csv::Reader<crate::text::DecodeReader<R>>,
    e: FileError,
) -> FileError {
    if matches!(e, FileError::Decode(_)) {
        return e;
    }
    let mut scratch = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut scratch) {
            Ok(true) => {}
            Ok(false) => return e,
            Err(err) => {
                if let csv::ErrorKind::Io(io) = err.kind() {
                    if let Some(d) = crate::text::decode_error_of(io) {
                        return FileError::Decode(d);
                    }
                    return e;
                }
                // A structure error: keep reading for bad bytes further on.
                if rdr.is_done() {
                    return e;
                }
            }
        }
    }
}
