//! Document bundles (文書の一括取込): a zip or folder of scans, PDFs and images — a workplace's
//! existing file storage — matched to workers by a file-name pattern the user gives.
//!
//! This module is pure: it parses the pattern (`{employee_number}_{date}_{title}.pdf`), matches
//! paths against it, recognises the content type from the first bytes (PDF, JPEG, PNG, TIFF,
//! HEIC), checks entry names (no `../`, no absolute paths) and reads zip archives through any
//! `Read + Seek` with caps on entries, per-document and total size, so a zip bomb ends in an
//! error. Opening files and walking folders is the import engine's job.

use chrono::NaiveDate;
use std::io::{Read, Seek};

/// Caps on a bundle (a zip bomb, a huge file or a runaway folder ends at one of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes one document may have (default 50 MiB).
    pub max_document: u64,
    /// Most bytes all documents of a bundle may have together (default 1 GiB).
    pub max_total: u64,
    /// Most entries (files and folders) a bundle may hold (default 10,000).
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_document: 50 * 1024 * 1024, max_total: 1024 * 1024 * 1024, max_entries: 10_000 }
    }
}

/// Longest path (in characters) inside a bundle that is read.
pub const MAX_PATH_CHARS: usize = 1024;

/// A field a pattern can capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// 社員番号: letters, digits and `-`.
    EmployeeNumber,
    /// The document's date (作成日・受診日): 和暦 or western, or a chrono format.
    Date,
    /// The document's title (表題): any text without `/`.
    Title,
    /// The worker's name in kana (フリガナ), kept as written.
    Kana,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::EmployeeNumber => "employee_number",
            Field::Date => "date",
            Field::Title => "title",
            Field::Kana => "kana",
        }
    }
}

/// One piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text that must be there as written.
    Literal(Vec<char>),
    /// A placeholder, with a chrono format for dates.
    Field(Field, Option<String>),
    /// `*`: any text (possibly none) without `/`.
    Any,
}

/// A file-name pattern (ファイル名の規則) such as `{employee_number}_{date}_{title}.pdf` or
/// `{employee_number}/{date:%Y%m%d}*`.
///
/// Placeholders: `{employee_number}`, `{date}` (`{date:%Y%m%d}` with a chrono format; without one
/// every form [`crate::wareki::parse_date`] reads: `2024-05-10`, `20240510`, `令和6年5月10日`,
/// `R6.5.10` …), `{title}`, `{kana}`; `*` matches any text within one path segment; `{{` and `}}`
/// are literal braces. A pattern with a `/` is matched against the whole path inside the bundle,
/// one without against the file name alone. Letters match case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    pieces: Vec<Piece>,
    whole_path: bool,
}

/// What a path said.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PathMatch {
    /// 社員番号.
    pub employee_number: Option<String>,
    /// The document's date.
    pub date: Option<NaiveDate>,
    /// The title.
    pub title: Option<String>,
    /// Kana.
    pub kana: Option<String>,
}

/// A pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pattern {pattern:?}: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// Why.
    pub reason: String,
}

/// Most pieces a pattern may have.
const MAX_PIECES: usize = 64;
/// Longest text a date placeholder tries (`平成31年4月30日` is 10 characters).
const MAX_DATE_CHARS: usize = 32;
/// Longest employee number.
const MAX_EMPLOYEE_NUMBER_CHARS: usize = 64;

impl Pattern {
    /// Parses a pattern.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let err = |reason: String| PatternError { pattern: text.to_string(), reason };
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal: Vec<char> = Vec::new();
        let mut chars = text.chars().peekable();
        let mut seen: Vec<Field> = Vec::new();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '}' => return Err(err("a '}' without its '{' (write '}}' for a brace)".into())),
                '{' => {
                    let mut inner = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        inner.push(c);
                    }
                    if !closed {
                        return Err(err(format!("placeholder {{{inner} is not closed")));
                    }
                    let (name, format) = match inner.split_once(':') {
                        Some((n, f)) => (n.trim(), Some(f.to_string())),
                        None => (inner.trim(), None),
                    };
                    let field = match name {
                        "employee_number" => Field::EmployeeNumber,
                        "date" => Field::Date,
                        "title" => Field::Title,
                        "kana" => Field::Kana,
                        other => {
                            return Err(err(format!(
                                "unknown placeholder {{{other}}} (known: employee_number, date, title, kana)"
                            )));
                        }
                    };
                    if seen.contains(&field) {
                        return Err(err(format!("{{{}}} appears twice", field.name())));
                    }
                    seen.push(field);
                    if let Some(f) = &format {
                        if field != Field::Date {
                            return Err(err(format!("only {{date}} takes a format, not {{{}}}", field.name())));
                        }
                        check_date_format(f).map_err(&err)?;
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Field(field, format));
                }
                '*' => {
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    if pieces.last() != Some(&Piece::Any) {
                        pieces.push(Piece::Any);
                    }
                }
                '\\' => literal.push('/'),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        if pieces.is_empty() {
            return Err(err("empty".into()));
        }
        if pieces.len() > MAX_PIECES {
            return Err(err(format!("more than {MAX_PIECES} pieces")));
        }
        if !seen.contains(&Field::EmployeeNumber) {
            return Err(err("no {employee_number}: documents could not be matched to workers".into()));
        }
        let whole_path = pieces.iter().any(|p| matches!(p, Piece::Literal(l) if l.contains(&'/')));
        Ok(Pattern { text: text.to_string(), pieces, whole_path })
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Matches a path inside a bundle (`/`-separated). `None` when it does not fit.
    pub fn match_path(&self, path: &str) -> Option<PathMatch> {
        let subject = if self.whole_path { path } else { path.rsplit('/').next().unwrap_or(path) };
        let chars: Vec<char> = subject.chars().collect();
        if chars.len() > MAX_PATH_CHARS {
            return None;
        }
        let mut failed = vec![false; (self.pieces.len() + 1) * (chars.len() + 1)];
        let mut out = PathMatch::default();
        if self.step(0, 0, &chars, &mut failed, &mut out) { Some(out) } else { None }
    }

    /// Backtracking over the pieces; `failed` remembers (piece, position) pairs that cannot
    /// finish, so a pattern of many wildcards stays polynomial.
    fn step(&self, piece: usize, pos: usize, s: &[char], failed: &mut [bool], out: &mut PathMatch) -> bool {
        let memo = piece * (s.len() + 1) + pos;
        if failed.get(memo).copied().unwrap_or(true) {
            return false;
        }
        let ok = match self.pieces.get(piece) {
            None => pos == s.len(),
            Some(Piece::Literal(lit)) => {
                let end = pos + lit.len();
                end <= s.len()
                    && s.get(pos..end).is_some_and(|got| got.iter().zip(lit).all(|(a, b)| same_char(*a, *b)))
                    && self.step(piece + 1, end, s, failed, out)
            }
            Some(Piece::Any) => {
                let mut end = pos;
                loop {
                    if self.step(piece + 1, end, s, failed, out) {
                        break true;
                    }
                    match s.get(end) {
                        Some(c) if *c != '/' => end += 1,
                        _ => break false,
                    }
                }
            }
            Some(Piece::Field(field, format)) => {
                // Greedy: the longest text that fits and lets the rest match (as a regex would).
                let segment_end = s.get(pos..).map_or(pos, |rest| pos + rest.iter().take_while(|c| **c != '/').count());
                let max_end = match field {
                    Field::EmployeeNumber => s.get(pos..segment_end).map_or(pos, |rest| {
                        pos + rest
                            .iter()
                            .take(MAX_EMPLOYEE_NUMBER_CHARS)
                            .take_while(|c| employee_number_char(**c))
                            .count()
                    }),
                    Field::Date => segment_end.min(pos + MAX_DATE_CHARS),
                    Field::Title | Field::Kana => segment_end,
                };
                let mut found = false;
                let mut end = max_end;
                while end > pos {
                    let value: String = s.get(pos..end).unwrap_or_default().iter().collect();
                    let capture = match field {
                        Field::EmployeeNumber => Some(Capture::Text(value)),
                        Field::Date => parse_date(&value, format.as_deref()).map(Capture::Date),
                        Field::Title | Field::Kana => {
                            let t = value.trim();
                            if t.is_empty() { None } else { Some(Capture::Text(t.to_string())) }
                        }
                    };
                    if let Some(capture) = capture
                        && self.step(piece + 1, end, s, failed, out)
                    {
                        match (field, capture) {
                            (Field::EmployeeNumber, Capture::Text(t)) => out.employee_number = Some(t),
                            (Field::Title, Capture::Text(t)) => out.title = Some(t),
                            (Field::Kana, Capture::Text(t)) => out.kana = Some(t),
                            (Field::Date, Capture::Date(d)) => out.date = Some(d),
                            _ => {}
                        }
                        found = true;
                        break;
                    }
                    end -= 1;
                }
                found
            }
        };
        if !ok && let Some(f) = failed.get_mut(memo) {
            *f = true;
        }
        ok
    }
}

enum Capture {
    Text(String),
    Date(NaiveDate),
}

/// Letters, digits and `-`, in ASCII or full width.
fn employee_number_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || ('０'..='９').contains(&c)
        || ('Ａ'..='Ｚ').contains(&c)
        || ('ａ'..='ｚ').contains(&c)
}

fn same_char(a: char, b: char) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b))
}

fn check_date_format(f: &str) -> Result<(), String> {
    use chrono::format::{Fixed, Item, Numeric, StrftimeItems};
    let items = StrftimeItems::new(f).parse().map_err(|_| format!("date format {f:?} is not a chrono format"))?;
    let mut has = (false, false, false);
    for item in &items {
        match item {
            Item::Numeric(Numeric::Year | Numeric::YearMod100, _) => has.0 = true,
            Item::Numeric(Numeric::Month, _) | Item::Fixed(Fixed::ShortMonthName | Fixed::LongMonthName) => {
                has.1 = true
            }
            Item::Numeric(Numeric::Day, _) => has.2 = true,
            _ => {}
        }
    }
    if has != (true, true, true) {
        return Err(format!("date format {f:?} must give a year, a month and a day"));
    }
    Ok(())
}

fn parse_date(text: &str, format: Option<&str>) -> Option<NaiveDate> {
    match format {
        Some(f) => NaiveDate::parse_from_str(text, f).ok(),
        None => crate::wareki::parse_date(text).ok(),
    }
}

/// A document's content type, recognised from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ContentType {
    /// PDF (`%PDF-`).
    Pdf,
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG.
    Png,
    /// TIFF, either byte order (scanners' multi-page scans).
    Tiff,
    /// HEIC/HEIF (phone photos of paper).
    Heic,
}

impl ContentType {
    /// Recognises the type from the first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<ContentType> {
        if bytes.starts_with(b"%PDF-") {
            Some(ContentType::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ContentType::Jpeg)
        } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(ContentType::Png)
        } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
            Some(ContentType::Tiff)
        } else if bytes.get(4..8) == Some(b"ftyp")
            && bytes.get(8..12).is_some_and(|b| {
                [&b"heic"[..], b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"].contains(&b)
            })
        {
            Some(ContentType::Heic)
        } else {
            None
        }
    }

    /// The MIME type.
    pub fn mime(&self) -> &'static str {
        match self {
            ContentType::Pdf => "application/pdf",
            ContentType::Jpeg => "image/jpeg",
            ContentType::Png => "image/png",
            ContentType::Tiff => "image/tiff",
            ContentType::Heic => "image/heic",
        }
    }

    /// A name for what the first bytes look like when they are no document, for the reason.
    pub fn describe_other(bytes: &[u8]) -> &'static str {
        if bytes.is_empty() {
            "an empty file"
        } else if bytes.starts_with(b"PK\x03\x04") {
            "a zip archive (or an Office document)"
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            "an old Office document"
        } else if bytes.starts_with(b"GIF8") {
            "a GIF image"
        } else if bytes.starts_with(b"MZ") || bytes.starts_with(b"\x7fELF") {
            "a program"
        } else if std::str::from_utf8(bytes.get(..bytes.len().min(512)).unwrap_or_default()).is_ok() {
            "text"
        } else {
            "unknown bytes"
        }
    }
}

/// System files of file managers, skipped without an error (`.DS_Store`, `Thumbs.db`,
/// `desktop.ini`, `__MACOSX/`, `._*`).
pub fn is_system_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/').any(|s| s == "__MACOSX")
        || name.starts_with("._")
        || [".DS_Store", "Thumbs.db", "desktop.ini", "ehthumbs.db"].iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// Checks an entry name of a bundle and gives it as a relative `/`-separated path. Refuses
/// absolute paths, drive letters, `..` segments, control characters and overlong names — the
/// names of a crafted archive (path traversal).
pub fn safe_path(name: &str) -> Result<String, String> {
    if name.chars().count() > MAX_PATH_CHARS {
        return Err(format!("the name is longer than {MAX_PATH_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("the name holds control characters".into());
    }
    let unified = name.replace('\\', "/");
    if unified.starts_with('/') {
        return Err(format!("{name:?} is an absolute path"));
    }
    if unified.chars().nth(1) == Some(':') {
        return Err(format!("{name:?} names a drive"));
    }
    let mut parts = Vec::new();
    for seg in unified.split('/') {
        match seg {
            "" | "." => {}
            ".." => return Err(format!("{name:?} leaves the bundle (..)")),
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(format!("{name:?} names no file"));
    }
    Ok(parts.join("/"))
}

/// Decodes a zip entry's raw name: UTF-8, else CP932 (what Japanese Windows writes without the
/// UTF-8 flag).
pub fn decode_name(raw: &[u8]) -> String {
    match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::SHIFT_JIS.decode(raw).0.into_owned(),
    }
}

/// A bundle that cannot be read at all (the whole bundle is refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    /// Neither a zip archive nor a folder.
    #[error("neither a zip archive nor a folder")]
    NotABundle,
    /// Not a zip archive, or a truncated or damaged one.
    #[error("not a readable zip archive (truncated or damaged?): {0}")]
    Unreadable(String),
    /// Over a cap: too many entries, too many bytes (a zip bomb).
    #[error("too large: {0}")]
    TooLarge(String),
    /// An entry name that leaves the bundle or is otherwise unsafe.
    #[error("entry {entry:?}: unsafe name: {reason}")]
    UnsafeName {
        /// The name as stored.
        entry: String,
        /// Why.
        reason: String,
    },
}

/// Why one entry cannot be read (the bundle goes on; the entry is an error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// Larger than a document may be.
    #[error("larger than {max} bytes")]
    TooLarge {
        /// The cap.
        max: u64,
    },
    /// Encrypted, damaged or unreadable.
    #[error("cannot be read: {0}")]
    Unreadable(String),
}

/// One file entry of a zip bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    /// Index in the archive.
    pub index: usize,
    /// The checked relative path.
    pub path: String,
    /// The size the archive declares (not trusted: reading stops at the cap).
    pub declared_size: u64,
    /// A symbolic link (not followed, not read).
    pub symlink: bool,
}

/// A zip bundle read through any `Read + Seek` (a file, a cursor): one entry in memory at a time.
pub struct ZipBundle<R: Read + Seek> {
    archive: zip::ZipArchive<R>,
    limits: Limits,
}

impl<R: Read + Seek> ZipBundle<R> {
    /// Opens the archive and checks its directory: the entry count and the declared total size
    /// against the caps.
    pub fn open(reader: R, limits: Limits) -> Result<Self, BundleError> {
        let archive = zip::ZipArchive::new(reader).map_err(|e| BundleError::Unreadable(e.to_string()))?;
        if archive.len() > limits.max_entries {
            return Err(BundleError::TooLarge(format!("{} entries, more than {}", archive.len(), limits.max_entries)));
        }
        Ok(ZipBundle { archive, limits })
    }

    /// The file entries (folders left out), names checked.
    pub fn entries(&mut self) -> Result<Vec<ZipEntry>, BundleError> {
        let mut out = Vec::new();
        let mut declared: u64 = 0;
        for index in 0..self.archive.len() {
            let f =
                self.archive.by_index_raw(index).map_err(|e| BundleError::Unreadable(format!("entry {index}: {e}")))?;
            let name = decode_name(f.name_raw());
            if f.is_dir() {
                safe_path(name.trim_end_matches(['/', '\\']))
                    .map_err(|reason| BundleError::UnsafeName { entry: name.clone(), reason })?;
                continue;
            }
            let path = safe_path(&name).map_err(|reason| BundleError::UnsafeName { entry: name.clone(), reason })?;
            // Only the documents count towards the total: an oversized one is an entry error.
            if f.size() <= self.limits.max_document {
                declared = declared.saturating_add(f.size());
            }
            out.push(ZipEntry { index, path, declared_size: f.size(), symlink: f.is_symlink() });
        }
        if declared > self.limits.max_total {
            return Err(BundleError::TooLarge(format!(
                "the documents unpack to {declared} bytes, more than {}",
                self.limits.max_total
            )));
        }
        Ok(out)
    }

    /// Reads one entry, at most [`Limits::max_document`] bytes whatever the archive declares.
    pub fn read(&mut self, index: usize) -> Result<Vec<u8>, EntryError> {
        let max = self.limits.max_document;
        let f = self.archive.by_index(index).map_err(|e| EntryError::Unreadable(e.to_string()))?;
        if f.size() > max {
            return Err(EntryError::TooLarge { max });
        }
        read_capped(f, max)
    }
}

/// Reads at most `max` bytes; more is [`EntryError::TooLarge`].
pub fn read_capped(r: impl Read, max: u64) -> Result<Vec<u8>, EntryError> {
    let mut buf = Vec::new();
    r.take(max.saturating_add(1)).read_to_end(&mut buf).map_err(|e| EntryError::Unreadable(e.to_string()))?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > max {
        return Err(EntryError::TooLarge { max });
    }
    Ok(buf)
}

/// Whether bytes start like a zip archive.
pub fn is_zip(first: &[u8]) -> bool {
    first.starts_with(b"PK\x03\x04") || first.starts_with(b"PK\x05\x06")
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn number_date_title() {
        let p = Pattern::parse("{employee_number}_{date}_{title}.pdf").unwrap();
        let m = p.match_path("2024/A000101_2024-05-10_精密検査結果.pdf").unwrap();
        assert_eq!(m.employee_number.as_deref(), Some("A000101"));
        assert_eq!(m.date, Some(d(2024, 5, 10)));
        assert_eq!(m.title.as_deref(), Some("精密検査結果"));
        let m = p.match_path("A000102_令和6年6月3日_診断書.PDF").unwrap();
        assert_eq!((m.employee_number.as_deref(), m.date), (Some("A000102"), Some(d(2024, 6, 3))));
        let m = p.match_path("A000103_20240701_紹介状_返書.pdf").unwrap();
        assert_eq!(m.title.as_deref(), Some("紹介状_返書"));
        assert_eq!(p.match_path("scan0001.pdf"), None);
        assert_eq!(p.match_path("A000101_2024-13-40_x.pdf"), None);
        assert_eq!(p.match_path("A000101_2024-05-10_.pdf"), None, "an empty title does not match");
    }

    #[test]
    fn folders_formats_and_wildcards() {
        let p = Pattern::parse("{employee_number}/{date:%Y%m%d}*").unwrap();
        let m = p.match_path("A000101/20240510_scan.jpg").unwrap();
        assert_eq!((m.employee_number.as_deref(), m.date), (Some("A000101"), Some(d(2024, 5, 10))));
        assert_eq!(p.match_path("A000101/x/20240510.jpg"), None, "* stays within one segment");
        assert_eq!(p.match_path("top/A000101/20240510.jpg"), None, "a pattern with / matches the whole path");
        let p = Pattern::parse("*/{kana}_{employee_number}.png").unwrap();
        let m = p.match_path("健診/ヤマダタロウ_A000101.png").unwrap();
        assert_eq!((m.kana.as_deref(), m.employee_number.as_deref()), (Some("ヤマダタロウ"), Some("A000101")));
        let p = Pattern::parse("{date:%Y年%m月%d日}-{employee_number}.tif").unwrap();
        assert_eq!(p.match_path("2024年05月10日-B-77.tif").unwrap().employee_number.as_deref(), Some("B-77"));
    }

    #[test]
    fn bad_patterns() {
        for (p, why) in [
            ("{date}_{title}.pdf", "no {employee_number}"),
            ("{employee_number}_{name}.pdf", "unknown placeholder"),
            ("{employee_number}_{date:%Q}", "not a chrono format"),
            ("{employee_number}_{date:%Y%m}", "a year, a month and a day"),
            ("{employee_number}_{title:%Y}", "only {date}"),
            ("{employee_number}_{employee_number}", "twice"),
            ("{employee_number", "not closed"),
            ("}{employee_number}", "without its"),
            ("", "empty"),
        ] {
            let e = Pattern::parse(p).unwrap_err();
            assert!(e.reason.contains(why), "{p}: {e}");
        }
        assert!(Pattern::parse("{{{employee_number}}}.pdf").unwrap().match_path("{A1}.pdf").is_some());
    }

    #[test]
    fn many_wildcards_stay_fast() {
        let p = Pattern::parse("*a*a*a*a*a*a*a*a*a*a*{employee_number}*b").unwrap();
        let s = "a".repeat(1000);
        let t = std::time::Instant::now();
        assert_eq!(p.match_path(&s), None);
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn sniffing() {
        assert_eq!(ContentType::sniff(b"%PDF-1.4\n"), Some(ContentType::Pdf));
        assert_eq!(ContentType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ContentType::Jpeg));
        assert_eq!(ContentType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(ContentType::Png));
        assert_eq!(ContentType::sniff(b"II*\0...."), Some(ContentType::Tiff));
        assert_eq!(ContentType::sniff(b"MM\0*...."), Some(ContentType::Tiff));
        assert_eq!(ContentType::sniff(b"\0\0\0\x18ftypheic\0\0\0\0"), Some(ContentType::Heic));
        assert_eq!(ContentType::sniff(b"\0\0\0\x18ftypmp42"), None);
        assert_eq!(ContentType::sniff(b"hello"), None);
        assert_eq!(ContentType::describe_other(b"PK\x03\x04"), "a zip archive (or an Office document)");
        assert_eq!(ContentType::describe_other(b"memo"), "text");
    }

    #[test]
    fn entry_names() {
        assert_eq!(safe_path("./a/b/../c").unwrap_err(), "\"./a/b/../c\" leaves the bundle (..)");
        assert!(safe_path("../x").is_err());
        assert!(safe_path("/etc/passwd").is_err());
        assert!(safe_path("C:\\x.pdf").is_err());
        assert!(safe_path("a\\..\\..\\x.pdf").is_err());
        assert!(safe_path("a\0b").is_err());
        assert_eq!(safe_path("./scans//a.pdf").unwrap(), "scans/a.pdf");
        assert_eq!(safe_path("scans\\a.pdf").unwrap(), "scans/a.pdf");
        assert!(is_system_file("x/.DS_Store") && is_system_file("__MACOSX/._a.pdf") && !is_system_file("a.pdf"));
        assert_eq!(decode_name(&[0x8C, 0x92, 0x90, 0x66]), "健診");
    }
}
