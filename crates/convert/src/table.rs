//! A delimited file as a header and numbered rows: decoding, CSV structure and line numbers
//! (counted from byte offsets, right after CRLF too). Shared by the fixed-layout readers.

use crate::text::{DecodeError, Encoding, EncodingChoice, decode};
use unicode_normalization::UnicodeNormalization;

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

/// A read table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Encoding read.
    pub encoding: Encoding,
    /// Header cells (trimmed).
    pub header: Vec<String>,
    /// Header line.
    pub header_line: u64,
    /// Data rows with their line; blank rows are left out.
    pub rows: Vec<(u64, Vec<String>)>,
    /// Records refused for their shape, with their line and the reason: fewer cells than the
    /// header (cut short), or a non-empty cell beyond its last column. Not in `rows`; every
    /// reader reports them as row errors.
    pub misshapen: Vec<(u64, String)>,
}

/// The shape error of a record of `cells` cells under a header of `width` (see
/// [`Table::misshapen`]); `None` when it fits.
pub fn shape_error(cells: &csv::StringRecord, width: usize) -> Option<String> {
    if cells.len() < width {
        Some(format!(
            "{} cells where the header has {width}: the record is cut short (a truncated file or a line break \
             inside a value)",
            cells.len()
        ))
    } else if cells.iter().skip(width).any(|c| !c.trim().is_empty()) {
        Some(format!("{} cells where the header has {width}: a cell beyond the last column", cells.len()))
    } else {
        None
    }
}

/// The records of a table refused for their shape, as row errors.
pub fn misshapen_errors(t: &Table) -> Vec<RowError> {
    t.misshapen
        .iter()
        .map(|(line, reason)| RowError { line: *line, field: RECORD_FIELD.into(), reason: reason.clone() })
        .collect()
}

/// The field named in a shape error.
pub const RECORD_FIELD: &str = "(record)";

/// Why a file is not a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// Encoding.
    #[error("{0}")]
    Decode(#[from] DecodeError),
    /// CSV structure.
    #[error("line {line}: {reason}")]
    Csv {
        /// Line.
        line: u64,
        /// Reason.
        reason: String,
    },
    /// Empty file.
    #[error("the file has no header line")]
    NoHeader,
    /// A required column is missing.
    #[error("line {line}: no column for {field} (one of {names})")]
    MissingColumn {
        /// Header line.
        line: u64,
        /// Field.
        field: String,
        /// Accepted header names.
        names: String,
    },
}

/// Fields of a fixed layout and the header names (Japanese or English) that mean them.
pub type Aliases = &'static [(&'static str, &'static [&'static str])];

impl Table {
    /// The column of a field: the first header matching one of its names (width and spaces folded).
    pub fn column(&self, aliases: Aliases, field: &str) -> Option<usize> {
        let names = aliases.iter().find(|(f, _)| *f == field).map(|(_, n)| *n).unwrap_or(&[]);
        names.iter().find_map(|n| self.header.iter().position(|h| fold_header(h) == fold_header(n)))
    }

    /// The column of a required field, or an error naming it and the accepted headers.
    pub fn required(&self, aliases: Aliases, field: &str) -> Result<usize, TableError> {
        self.column(aliases, field).ok_or_else(|| TableError::MissingColumn {
            line: self.header_line,
            field: field.into(),
            names: aliases.iter().find(|(f, _)| *f == field).map(|(_, n)| n.join(", ")).unwrap_or_default(),
        })
    }
}

/// Header text for matching: NFKC, no white space.
pub fn fold_header(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Line numbers of CSV records from their byte offsets (the csv crate's own line count is one
/// short for a record that follows a CRLF).
pub struct LineIndex<'a> {
    bytes: &'a [u8],
    newlines: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes a text.
    pub fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        Self { bytes, newlines: bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect() }
    }

    /// The 1-based line where a record starts (0 when unknown).
    pub fn line(&self, pos: Option<&csv::Position>) -> u64 {
        let Some(p) = pos else { return 0 };
        let mut b = usize::try_from(p.byte()).unwrap_or(0);
        // A record may start on the '\n' of the previous CRLF.
        while matches!(self.bytes.get(b), Some(b'\n') | Some(b'\r')) {
            b += 1;
        }
        (self.newlines.partition_point(|&n| n < b) + 1) as u64
    }
}

/// Reads a comma-separated file with a header line.
pub fn read(bytes: &[u8], choice: EncodingChoice) -> Result<Table, TableError> {
    let (text, encoding) = decode(bytes, choice)?;
    let lines = LineIndex::new(&text);
    let line_at = |pos: Option<&csv::Position>| lines.line(pos);
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut records = rdr.records();
    let header = records
        .next()
        .transpose()
        .map_err(|e| TableError::Csv { line: line_at(e.position()), reason: e.to_string() })?
        .ok_or(TableError::NoHeader)?;
    let header_line = line_at(header.position());
    let width = header.len();
    let mut rows = Vec::new();
    let mut misshapen = Vec::new();
    for rec in records {
        let rec = rec.map_err(|e| TableError::Csv { line: line_at(e.position()), reason: e.to_string() })?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match shape_error(&rec, width) {
            Some(reason) => misshapen.push((line_at(rec.position()), reason)),
            None => rows.push((line_at(rec.position()), rec.iter().map(|c| c.trim().to_string()).collect())),
        }
    }
    // The csv reader ends a quoted value at the end of the file without a word.
    let mut quotes = crate::text::QuoteScan::new(b',', 1);
    quotes.feed(text.as_bytes());
    if let Some(line) = quotes.open_quote_line() {
        return Err(TableError::Csv {
            line,
            reason: "the file ends inside a quoted value that opens on this line (its closing \" is missing: the \
                     file is cut short)"
                .into(),
        });
    }
    Ok(Table { encoding, header: header.iter().map(|h| h.trim().to_string()).collect(), header_line, rows, misshapen })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11.1 for the fixed-layout readers (HR master, attendance, stress answers, work
    /// environment): a record cut short is refused with its line, never read with blanks.
    #[test]
    fn records_cut_short_and_open_quotes() {
        let t = read("社員番号,氏名,所属\nA1,山田 太郎,総務\nA2,佐藤\n".as_bytes(), EncodingChoice::Auto).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.misshapen.len(), 1);
        assert_eq!(t.misshapen[0].0, 3);
        assert!(t.misshapen[0].1.starts_with("2 cells where the header has 3: the record is cut short"));
        let errors = misshapen_errors(&t);
        assert_eq!((errors[0].line, errors[0].field.as_str()), (3, "(record)"));
        // A trailing empty cell fits; a filled one beyond the header does not.
        let t = read("a,b\n1,2,\n3,4,5\n".as_bytes(), EncodingChoice::Auto).unwrap();
        assert_eq!((t.rows.len(), t.misshapen.len(), t.misshapen[0].0), (1, 1, 3));
        // The file ends inside a quoted value.
        let e = read("a,b\n1,\"x\n\ny".as_bytes(), EncodingChoice::Auto).unwrap_err();
        assert!(matches!(e, TableError::Csv { line: 2, .. }), "{e:?}");
        // Quotes inside a quoted value, and a quote inside an unquoted one, are not open.
        let t = read("a,b\n1,\"say \"\"hi\"\"\"\n2,5\"\n".as_bytes(), EncodingChoice::Auto).unwrap();
        assert_eq!(t.rows.len(), 2);
    }
}
