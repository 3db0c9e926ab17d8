//! What a checkup CSV reads into: visits with their identity and coded results, unmapped items,
//! row errors.

use super::*;

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
