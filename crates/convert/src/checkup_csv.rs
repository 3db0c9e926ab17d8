//! Checkup CSV from institutions, read through a mapping [`Profile`] into visits with coded
//! results, keeping every original. Pure: bytes in, [`ParsedFile`] out; the import engine
//! matches identities and writes.
//!
//! Errors name the line, the column and the reason; nothing is dropped: a source item the
//! profile does not map is returned as [`Unmapped`] with its raw value.

use crate::profile::{CodeSystem, EncodingName, Layout, Parser, Profile, ProfileError, ResolvedItem, column_position};
use crate::table::fold_header;
use crate::text::{Encoding, EncodingChoice, detect, fold_value};
use crate::units::UnitTable;
use crate::value::{Comparator, Parsed, RangeFlag, parse_number, parse_urine_grade};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::event::CheckupKind;
use iphr_domain::ohcc::{ItemCode, ItemTable, ValueKind};
use iphr_domain::person::{InsurerIds, Sex};
use std::collections::HashMap;
use std::sync::Arc;

/// Who a visit is about, as the file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// 社員番号 (width-folded).
    pub employee_number: Option<String>,
    /// 姓.
    pub family_name: Option<String>,
    /// 名.
    pub given_name: Option<String>,
    /// Kana (as written).
    pub kana: Option<String>,
    /// 生年月日.
    pub birth_date: Option<NaiveDate>,
    /// 性別.
    pub sex: Option<Sex>,
    /// Insurer identifiers.
    pub insurer: InsurerIds,
}

/// A result value after parsing and unit conversion.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultValue {
    /// A number in the OHCC unit.
    Number {
        /// Value.
        value: f64,
        /// OHCC unit (shared: every value of an item has the same).
        unit: Arc<str>,
        /// `<`, `>=` …
        comparator: Option<Comparator>,
        /// H/L mark of the institution.
        flag: Option<RangeFlag>,
        /// Digits after the decimal point as written (shifted by a power-of-ten conversion).
        scale: Option<u8>,
    },
    /// Only H or L: beyond the input range.
    FlagOnly(RangeFlag),
    /// A code of the item's value set.
    Code(String),
    /// Text.
    Text(String),
    /// 未実施.
    NotDone,
    /// 未測定 / 測定不能.
    NotMeasured,
}

/// One result of a visit.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    /// Source line.
    pub line: u64,
    /// Source column (header text) or item code column (shared by every cell of the column).
    pub column: Arc<str>,
    /// OHCC item.
    pub item: ItemCode,
    /// The code as the source names it.
    pub source_code: Arc<str>,
    /// The item name as the source writes it.
    pub source_text: Arc<str>,
    /// The cell as written.
    pub raw: String,
    /// The unit as written (long layout) or as the profile says.
    pub source_unit: Option<Arc<str>>,
    /// The value.
    pub value: ResultValue,
    /// A note (e.g. a folded urine grade).
    pub warning: Option<String>,
}

/// One visit: an examinee on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    /// First source line of the visit.
    pub line: u64,
    /// Identity.
    pub identity: Identity,
    /// 受診日.
    pub date: NaiveDate,
    /// Kind.
    pub kind: CheckupKind,
    /// Results.
    pub results: Vec<ItemResult>,
}

/// A source item with no mapping: kept raw for the unmapped-items queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// Source line.
    pub line: u64,
    /// Who the row is about.
    pub identity: Identity,
    /// The visit date, when readable.
    pub date: Option<NaiveDate>,
    /// Source code.
    pub source_code: String,
    /// Source name.
    pub source_text: String,
    /// Value as written.
    pub raw: String,
    /// Unit as written.
    pub unit: Option<String>,
}

/// An error in a row, naming the line and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// Source line.
    pub line: u64,
    /// Column / field.
    pub field: String,
    /// Reason.
    pub reason: String,
}

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Encoding.
    #[error("{0}")]
    Decode(#[from] crate::text::DecodeError),
    /// The profile does not fit the OHCC table.
    #[error("{0}")]
    Profile(#[from] ProfileError),
    /// A column the profile names is not in the header.
    #[error("line {line}: column {column:?} named in the profile ({field}) is not in the header")]
    MissingColumn {
        /// Header line.
        line: u64,
        /// Column.
        column: String,
        /// Profile field.
        field: String,
    },
    /// CSV structure.
    #[error("line {line}: {reason}")]
    Csv {
        /// Line.
        line: u64,
        /// Reason.
        reason: String,
    },
    /// No header.
    #[error("the file has no header line")]
    NoHeader,
    /// The header differs from the text the profile expects at a position.
    #[error("line {line}: column {column} ({field}): the header says {found:?} where the profile expects {expected:?}")]
    HeaderMismatch {
        /// Header line.
        line: u64,
        /// The position (`@N`).
        column: String,
        /// Profile field.
        field: String,
        /// Header text in the file (the lines joined with `/`).
        found: String,
        /// Header text the profile expects.
        expected: String,
    },
}

/// A parsed file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFile {
    /// Encoding read.
    pub encoding: Encoding,
    /// Data rows read.
    pub rows_read: usize,
    /// Visits.
    pub visits: Vec<Visit>,
    /// Row errors.
    pub errors: Vec<RowError>,
    /// Unmapped source items.
    pub unmapped: Vec<Unmapped>,
}

struct Columns {
    /// Folded header text → column; with several header lines, each line's text and the texts
    /// joined with `/`.
    by_name: HashMap<String, usize>,
    /// Names that fit two columns (several header lines only): (first, second).
    ambiguous: HashMap<String, (usize, usize)>,
    /// Number of header cells.
    width: usize,
    line: u64,
}

impl Columns {
    /// The columns of a header of one or more lines. One line: the first of two equal headers
    /// wins (as before several lines existed). Several lines: a name that fits two columns is
    /// ambiguous and refused when a profile uses it.
    fn new(rows: &[csv::StringRecord], line: u64) -> Self {
        let width = rows.iter().map(csv::StringRecord::len).max().unwrap_or(0);
        let mut by_name = HashMap::new();
        let mut ambiguous = HashMap::new();
        for i in 0..width {
            let texts: Vec<String> =
                rows.iter().filter_map(|r| r.get(i)).map(fold_header).filter(|t| !t.is_empty()).collect();
            let mut keys = texts.clone();
            if texts.len() > 1 {
                keys.push(texts.join("/"));
            }
            keys.dedup();
            for k in keys {
                match by_name.get(&k) {
                    None => {
                        by_name.insert(k, i);
                    }
                    Some(&first) if rows.len() > 1 && first != i => {
                        ambiguous.entry(k).or_insert((first, i));
                    }
                    Some(_) => {}
                }
            }
        }
        Self { by_name, ambiguous, width, line }
    }

    fn find(&self, spec: &str, field: &str) -> Result<usize, FileError> {
        let missing = || FileError::MissingColumn { line: self.line, column: spec.into(), field: field.into() };
        if spec.starts_with('@') {
            return column_position(spec).filter(|&n| n < self.width).ok_or_else(missing);
        }
        let key = fold_header(spec);
        if let Some(&(a, b)) = self.ambiguous.get(&key) {
            return Err(FileError::Csv {
                line: self.line,
                reason: format!(
                    "column {spec:?} named in the profile ({field}) fits columns {} and {} of the header: name it by \
                     its header lines joined with \"/\" or by position",
                    a + 1,
                    b + 1
                ),
            });
        }
        self.by_name.get(&key).copied().ok_or_else(missing)
    }
    fn opt(&self, spec: &Option<String>, field: &str) -> Result<Option<usize>, FileError> {
        spec.as_deref().map(|s| self.find(s, field)).transpose()
    }
}

fn cell(rec: &csv::StringRecord, i: Option<usize>) -> Option<String> {
    i.and_then(|i| rec.get(i)).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_sex(raw: &str, map: &std::collections::BTreeMap<String, String>) -> Option<Sex> {
    let f = fold_value(raw);
    let v = map.get(&f).map(String::as_str).unwrap_or(f.as_str());
    v.parse::<Sex>().ok()
}

/// Converts one cell to a result through its item's parser.
pub fn convert_cell(
    table: &ItemTable,
    units: &UnitTable,
    r: &ResolvedItem,
    raw: &str,
    source_unit: Option<&str>,
    flag_cell: Option<&str>,
) -> Result<Option<(ResultValue, Option<String>)>, String> {
    let def = table.get(&r.item).ok_or_else(|| format!("{} is not in the OHCC table", r.item))?;
    let extra_flag = match flag_cell.map(fold_value).as_deref() {
        Some("H") | Some("h") => Some(RangeFlag::High),
        Some("L") | Some("l") => Some(RangeFlag::Low),
        _ => None,
    };
    let parser = effective_parser(r.spec.parser, def);
    let common = |p: Parsed| match p {
        Parsed::Blank => Ok(None),
        Parsed::NotDone => Ok(Some((ResultValue::NotDone, None))),
        Parsed::NotMeasured => Ok(Some((ResultValue::NotMeasured, None))),
        Parsed::FlagOnly(f) => Ok(Some((ResultValue::FlagOnly(f), None))),
        _ => Err(()),
    };
    match parser {
        Parser::Number => {
            let p = parse_number(raw).map_err(|e| e.to_string())?;
            if let Ok(done) = common(p.clone()) {
                return Ok(done);
            }
            let Parsed::Number { value, comparator, flag, scale } = p else {
                return Err(format!("{raw:?} is not a number"));
            };
            let from = source_unit.or(r.spec.unit.as_deref()).unwrap_or(def.unit.as_str());
            let (value, scale) =
                units.convert_scaled(r.item.as_str(), value, scale, from, &def.unit).map_err(|e| e.to_string())?;
            Ok(Some((
                ResultValue::Number {
                    value,
                    unit: def.unit.as_str().into(),
                    comparator,
                    flag: flag.or(extra_flag),
                    scale,
                },
                None,
            )))
        }
        Parser::Grade => {
            let p = parse_urine_grade(raw).map_err(|e| e.to_string())?;
            if let Ok(done) = common(p.clone()) {
                return Ok(done);
            }
            match p {
                Parsed::Grade { code, warning } => Ok(Some((ResultValue::Code(code.to_string()), warning))),
                _ => Err(format!("{raw:?} is not a urine grade")),
            }
        }
        Parser::Coded => {
            let f = fold_value(raw);
            match f.as_str() {
                "" => return Ok(None),
                "未実施" => return Ok(Some((ResultValue::NotDone, None))),
                "未測定" | "測定不能" => return Ok(Some((ResultValue::NotMeasured, None))),
                _ => {}
            }
            let code = r.spec.values.get(&f).cloned().unwrap_or(f.clone());
            if table.value_label(&r.item, &code).is_none() {
                return Err(format!(
                    "{raw:?} is not a value of {} ({}) and the profile maps no such value",
                    r.item, def.name_ja
                ));
            }
            Ok(Some((ResultValue::Code(code), None)))
        }
        // A blank cell gives no result, for text as for every other parser.
        Parser::Text => Ok(non_blank(raw).map(|t| (ResultValue::Text(t.to_string()), None))),
    }
}

/// The text of a cell, `None` when blank (white space, full-width spaces included).
pub fn non_blank(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|t| !t.is_empty())
}

/// Reads a checkup CSV through a profile (the whole file at once; [`CsvStream`] reads it in
/// chunks).
pub fn parse(
    bytes: &[u8],
    profile: &Profile,
    origin: &str,
    table: &ItemTable,
    units: &UnitTable,
) -> Result<ParsedFile, FileError> {
    let encoding = detect(bytes, encoding_choice(profile));
    let mut stream = CsvStream::new(bytes, encoding, profile, origin, table, units)?;
    let mut out = ParsedFile { encoding, rows_read: 0, visits: Vec::new(), errors: Vec::new(), unmapped: Vec::new() };
    while let Some(chunk) = stream.next_chunk(usize::MAX)? {
        out.rows_read += chunk.rows_read;
        out.visits.extend(chunk.visits);
        out.errors.extend(chunk.errors);
        out.unmapped.extend(chunk.unmapped);
    }
    Ok(out)
}

/// The encoding choice a profile makes.
pub fn encoding_choice(profile: &Profile) -> EncodingChoice {
    match profile.encoding {
        EncodingName::Auto => EncodingChoice::Auto,
        EncodingName::Utf8 => EncodingChoice::Utf8,
        EncodingName::Cp932 => EncodingChoice::Cp932,
    }
}

/// How a column's numbers reach the OHCC unit, decided once per file.
#[derive(Debug, Clone)]
enum UnitStep {
    /// Already in the OHCC unit.
    Same,
    /// Multiply (the table's row has no offset); with k when the factor is 10ᵏ.
    Factor(f64, Option<i32>),
    /// Through the table for every value (a row with an offset).
    Table(String),
    /// No conversion exists: every number of the column is an error with this reason.
    Refused(String),
}

/// A wide profile's result column, with everything that is the same for every row.
struct WideColumn<'p> {
    resolved: ResolvedItem,
    def: &'p iphr_domain::ohcc::ItemDef,
    parser: Parser,
    col: usize,
    flag_col: Option<usize>,
    column: Arc<str>,
    source_text: Arc<str>,
    /// The source code and unit of every cell of the column, shared.
    source_code: Arc<str>,
    source_unit: Option<Arc<str>>,
    /// The OHCC unit of the item.
    unit: Arc<str>,
    unit_step: UnitStep,
}

/// Identity and visit columns.
struct IdentityCols {
    employee_number: Option<usize>,
    name: Option<usize>,
    family_name: Option<usize>,
    given_name: Option<usize>,
    kana: Option<usize>,
    birth_date: Option<usize>,
    sex: Option<usize>,
    insurer_number: Option<usize>,
    insured_symbol: Option<usize>,
    insured_number: Option<usize>,
}

/// The long layout's columns.
struct LongCols<'p> {
    spec: &'p crate::profile::LongColumns,
    code: usize,
    name: Option<usize>,
    value: usize,
    unit: Option<usize>,
    flag: Option<usize>,
}

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
struct Opened<'p> {
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

    fn open(
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

    fn assemble(
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
    fn take(&mut self, line: u64, rec: &csv::StringRecord, out: &mut ParsedFile) -> bool {
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
    fn row(&mut self, line: u64, rec: &csv::StringRecord, out: &mut ParsedFile) {
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

impl WideColumn<'_> {
    /// [`convert_cell`] for this column, with the per-file work done once and plain ASCII
    /// numbers read without allocating.
    fn convert(
        &self,
        table: &ItemTable,
        units: &UnitTable,
        raw: &str,
        flag_cell: Option<&str>,
    ) -> Result<Option<(ResultValue, Option<String>)>, String> {
        if self.parser != Parser::Number {
            return convert_cell(table, units, &self.resolved, raw, None, flag_cell);
        }
        let p = match fast_number(raw) {
            Some(p) => p,
            None => parse_number(raw).map_err(|e| e.to_string())?,
        };
        let (value, comparator, flag, scale) = match p {
            Parsed::Blank => return Ok(None),
            Parsed::NotDone => return Ok(Some((ResultValue::NotDone, None))),
            Parsed::NotMeasured => return Ok(Some((ResultValue::NotMeasured, None))),
            Parsed::FlagOnly(f) => return Ok(Some((ResultValue::FlagOnly(f), None))),
            Parsed::Number { value, comparator, flag, scale } => (value, comparator, flag, scale),
            Parsed::Grade { .. } => return Err(format!("{raw:?} is not a number")),
        };
        let extra_flag = match flag_cell {
            Some(f) if f.is_ascii() => match f {
                "H" | "h" => Some(RangeFlag::High),
                "L" | "l" => Some(RangeFlag::Low),
                _ => None,
            },
            Some(f) => match fold_value(f).as_str() {
                "H" | "h" => Some(RangeFlag::High),
                "L" | "l" => Some(RangeFlag::Low),
                _ => None,
            },
            None => None,
        };
        let (value, scale) = match &self.unit_step {
            UnitStep::Same => (value, scale),
            UnitStep::Factor(f, pow10) => crate::units::scaled(value * f, scale, *pow10),
            UnitStep::Table(from) => units
                .convert_scaled(self.resolved.item.as_str(), value, scale, from, &self.def.unit)
                .map_err(|e| e.to_string())?,
            UnitStep::Refused(reason) => return Err(reason.clone()),
        };
        Ok(Some((
            ResultValue::Number { value, unit: self.unit.clone(), comparator, flag: flag.or(extra_flag), scale },
            None,
        )))
    }
}

/// How numbers of `item` in `from` reach `to`, decided once: the conversion table's rows are
/// `value × factor + offset`, so a row without offset is a plain factor (checked on 0 and 1).
fn unit_step(units: &UnitTable, item: &str, from: &str, to: &str) -> UnitStep {
    if from == to {
        return UnitStep::Same;
    }
    match (units.convert(item, 0.0, from, to), units.convert(item, 1.0, from, to)) {
        (Ok(0.0), Ok(one)) => UnitStep::Factor(one, crate::units::power_of_ten(one)),
        (Ok(_), Ok(_)) => UnitStep::Table(from.to_string()),
        (Err(e), _) | (_, Err(e)) => UnitStep::Refused(e.to_string()),
    }
}

/// [`parse_number`] for the common case — ASCII without spaces or `*` — without allocating;
/// `None` sends every other text (and every error, for its message) to [`parse_number`].
fn fast_number(s: &str) -> Option<Parsed> {
    if !s.is_ascii() || s.bytes().any(|b| char::from(b).is_whitespace() || b == b'*') {
        return None;
    }
    if s.is_empty() {
        return Some(Parsed::Blank);
    }
    let mut s = s;
    let mut flag = None;
    for (mark, fl) in [("H", RangeFlag::High), ("L", RangeFlag::Low), ("h", RangeFlag::High), ("l", RangeFlag::Low)] {
        if s == mark {
            return Some(Parsed::FlagOnly(fl));
        }
        if let Some(rest) = s.strip_suffix(mark).or_else(|| s.strip_prefix(mark)) {
            flag = Some(fl);
            s = rest;
            break;
        }
    }
    let mut comparator = None;
    for (pre, c) in [("<=", Comparator::Le), (">=", Comparator::Ge), ("<", Comparator::Lt), (">", Comparator::Gt)] {
        if let Some(rest) = s.strip_prefix(pre) {
            comparator = Some(c);
            s = rest;
            break;
        }
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
        return None;
    }
    let value = s.parse::<f64>().ok().filter(|v| v.is_finite())?;
    // The digits after the point (the text is digits, a sign and a point: checked above).
    let scale = s.bytes().position(|b| b == b'.').map_or(0, |i| s.len() - i - 1);
    Some(Parsed::Number { value, comparator, flag, scale: u8::try_from(scale).ok() })
}

/// The line where a record starts.
fn record_line<R: std::io::Read>(
    rdr: &mut csv::Reader<crate::text::DecodeReader<R>>,
    pos: Option<&csv::Position>,
) -> u64 {
    match pos {
        Some(p) => rdr.get_mut().line_at(p.byte()),
        None => 0,
    }
}

/// A CSV error as a file error: bad bytes (from the decoder) or bad structure, with its line.
fn csv_error<R: std::io::Read>(rdr: &mut csv::Reader<crate::text::DecodeReader<R>>, e: csv::Error) -> FileError {
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
fn prefer_decode_error<R: std::io::Read>(
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

/// The parser of a cell: the profile's, except that `number` on an item whose values are not
/// numbers (coded or text in the OHCC table) reads them with the item's own parser; none given,
/// the item's own.
pub fn effective_parser(given: Option<Parser>, def: &iphr_domain::ohcc::ItemDef) -> Parser {
    match given {
        Some(Parser::Number) if def.value_kind != ValueKind::Number => default_parser(def.value_kind, &def.item),
        Some(p) => p,
        None => default_parser(def.value_kind, &def.item),
    }
}

/// The parser an item takes when the profile does not say.
pub fn default_parser(kind: ValueKind, item: &ItemCode) -> Parser {
    match kind {
        ValueKind::Number => Parser::Number,
        ValueKind::Text | ValueKind::Document => Parser::Text,
        // Urine dipstick items take grades.
        ValueKind::Coded if item.core().starts_with("Ak") => Parser::Grade,
        ValueKind::Coded => Parser::Coded,
    }
}
