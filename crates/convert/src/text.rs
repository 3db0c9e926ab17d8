//! Text as institutions send it: encodings and full-width characters.
//!
//! Source habits (the CC2X conventions, docs/sources.md [CC2X]): Shift_JIS/CP932 from older systems, UTF-8 with or without a
//! BOM from newer ones; full-width digits, signs and spaces in values. encoding_rs's
//! `SHIFT_JIS` decodes like Microsoft CP932 (NEC and IBM extensions, ～ and － as Windows maps
//! them; checked by the tests of this module).

use unicode_normalization::UnicodeNormalization;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-8.
    Utf8,
    /// Shift_JIS as Windows writes it (CP932).
    Cp932,
}

impl Encoding {
    /// Name for reports.
    pub fn name(&self) -> &'static str {
        match self {
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf8 => "UTF-8",
            Encoding::Cp932 => "CP932",
        }
    }
}

/// A file that is neither valid UTF-8 nor valid CP932.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: bytes that are neither UTF-8 nor Shift_JIS/CP932 (at byte {offset})")]
pub struct DecodeError {
    /// 1-based line of the first bad byte.
    pub line: usize,
    /// Byte offset of the first bad byte.
    pub offset: usize,
}

/// Which encoding to read a file in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect: a UTF-8 BOM, else valid UTF-8, else CP932.
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// CP932.
    Cp932,
}

/// Decodes a whole file. Malformed bytes are an error naming the line, never U+FFFD.
pub fn decode(bytes: &[u8], choice: EncodingChoice) -> Result<(String, Encoding), DecodeError> {
    let line_of = |offset: usize| bytes.get(..offset).map_or(1, |b| b.iter().filter(|&&c| c == b'\n').count() + 1);
    let utf8 = |body: &[u8], base: usize| {
        std::str::from_utf8(body).map(str::to_string).map_err(|e| {
            let offset = base + e.valid_up_to();
            DecodeError { line: line_of(offset), offset }
        })
    };
    let cp932 = |body: &[u8]| {
        let (text, had_errors) = encoding_rs::SHIFT_JIS.decode_without_bom_handling(body);
        if had_errors {
            // Find the first bad byte for the message.
            let mut decoder = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
            let mut out = String::with_capacity(body.len() * 2);
            let (result, read) = decoder.decode_to_string_without_replacement(body, &mut out, true);
            let offset = match result {
                // The bad sequence ends `after` bytes before `read`.
                encoding_rs::DecoderResult::Malformed(bad, after) => {
                    read.saturating_sub(usize::from(after) + usize::from(bad))
                }
                _ => read,
            };
            return Err(DecodeError { line: line_of(offset), offset });
        }
        Ok(text.into_owned())
    };
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    match choice {
        EncodingChoice::Utf8 => {
            let (body, base) = if bom { (bytes.get(3..).unwrap_or(&[]), 3) } else { (bytes, 0) };
            utf8(body, base).map(|t| (t, if bom { Encoding::Utf8Bom } else { Encoding::Utf8 }))
        }
        EncodingChoice::Cp932 => cp932(bytes).map(|t| (t, Encoding::Cp932)),
        EncodingChoice::Auto => {
            if bom {
                return utf8(bytes.get(3..).unwrap_or(&[]), 3).map(|t| (t, Encoding::Utf8Bom));
            }
            match std::str::from_utf8(bytes) {
                Ok(t) => Ok((t.to_string(), Encoding::Utf8)),
                Err(_) => cp932(bytes).map(|t| (t, Encoding::Cp932)),
            }
        }
    }
}

/// The encoding a whole file will be read in, from its bytes (the rule of [`decode`]: a UTF-8
/// BOM, else valid UTF-8, else CP932), without decoding it.
pub fn detect(bytes: &[u8], choice: EncodingChoice) -> Encoding {
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    match choice {
        EncodingChoice::Utf8 | EncodingChoice::Auto if bom => Encoding::Utf8Bom,
        EncodingChoice::Utf8 => Encoding::Utf8,
        EncodingChoice::Cp932 => Encoding::Cp932,
        EncodingChoice::Auto if std::str::from_utf8(bytes).is_ok() => Encoding::Utf8,
        EncodingChoice::Auto => Encoding::Cp932,
    }
}

/// Detects the encoding of a file read in pieces (the rule of [`detect`]): feed every piece in
/// order, then ask [`EncodingDetector::finish`].
#[derive(Debug, Clone, Default)]
pub struct EncodingDetector {
    seen: usize,
    bom: bool,
    invalid: bool,
    carry: Vec<u8>,
}

impl EncodingDetector {
    /// A detector at the start of a file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds the next piece of the file.
    pub fn feed(&mut self, piece: &[u8]) {
        if self.seen < 3 {
            // The BOM may straddle pieces; keep the first bytes in the carry until decided.
            let need = 3 - self.seen;
            let head: Vec<u8> = self.carry.iter().copied().chain(piece.iter().copied().take(need)).collect();
            if head.len() >= 3 || piece.len() >= need {
                self.bom = head.starts_with(&[0xEF, 0xBB, 0xBF]);
            }
        }
        self.seen += piece.len();
        if self.invalid {
            return;
        }
        let mut buf = std::mem::take(&mut self.carry);
        buf.extend_from_slice(piece);
        match std::str::from_utf8(&buf) {
            Ok(_) => {}
            Err(e) if e.error_len().is_none() => {
                // An incomplete sequence at the end: wait for the next piece.
                self.carry = buf.get(e.valid_up_to()..).map(<[u8]>::to_vec).unwrap_or_default();
            }
            Err(_) => self.invalid = true,
        }
    }

    /// The encoding of the whole file.
    pub fn finish(&self, choice: EncodingChoice) -> Encoding {
        let complete = !self.invalid && self.carry.is_empty();
        match choice {
            EncodingChoice::Utf8 | EncodingChoice::Auto if self.bom => Encoding::Utf8Bom,
            EncodingChoice::Utf8 => Encoding::Utf8,
            EncodingChoice::Cp932 => Encoding::Cp932,
            EncodingChoice::Auto if complete => Encoding::Utf8,
            EncodingChoice::Auto => Encoding::Cp932,
        }
    }
}

/// A reader that decodes a file piece by piece to UTF-8 (for a CSV reader on top), in the
/// encoding already chosen (see [`detect`]): memory stays that of one piece whatever the size
/// of the file. Malformed bytes end the stream with an [`std::io::Error`] carrying a
/// [`DecodeError`] (the line and offset of the first bad byte, as [`decode`] names them).
///
/// It also keeps the offsets of the line breaks it has handed out, so that the line of a
/// record can be told from its byte offset in the decoded text ([`DecodeReader::line_at`]).
pub struct DecodeReader<R> {
    inner: R,
    encoding: Encoding,
    decoder: Option<encoding_rs::Decoder>,
    /// Raw bytes read and not yet decoded.
    raw: Vec<u8>,
    eof: bool,
    /// Source bytes consumed (absolute offset of `raw[0]`).
    src_offset: usize,
    /// Line breaks in the consumed source bytes.
    src_lines: usize,
    /// Decoded bytes not yet handed out, from `pending_pos`.
    pending: Vec<u8>,
    pending_pos: usize,
    /// Offset in the decoded text of `pending[0]`.
    out_offset: u64,
    /// Line breaks handed out and not yet passed: (offset of the `\n`, start of its run of
    /// `\r`/`\n` characters).
    breaks: std::collections::VecDeque<(u64, u64)>,
    run_start: Option<u64>,
    lines_before: u64,
    failed: Option<DecodeError>,
    started: bool,
    /// Decoded bytes skipped before the CSV reader's first byte ([`DecodeReader::skip_lines`]):
    /// the reader's offsets start after them.
    base: u64,
    /// Whether the text handed out ends inside a quoted field ([`DecodeReader::track_quotes`]).
    quotes: Option<QuoteScan>,
}

/// Where CSV text stands with respect to quoting, read as the csv crate reads it: a quote opens
/// a quoted field only at the start of a field, two quotes inside it are one quote, the field
/// ends at the quote that is not doubled. Fed the decoded text piece by piece, it tells whether
/// the text ends inside a quoted field, and the line that field opened on — a file cut inside a
/// quoted value, which the csv crate would end silently at the end of the file.
#[derive(Debug, Clone)]
pub struct QuoteScan {
    delimiter: u8,
    state: QuoteState,
    /// Line breaks fed so far.
    lines: u64,
    /// The 1-based line of the first byte fed.
    first_line: u64,
    /// The line of the quote that opened the current quoted field.
    open_line: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    InField,
    InQuoted,
    QuoteInQuoted,
}

impl QuoteScan {
    /// A scan at the start of a field on line `first_line` (1-based), for fields separated by
    /// `delimiter`.
    pub fn new(delimiter: u8, first_line: u64) -> Self {
        Self { delimiter, state: QuoteState::FieldStart, lines: 0, first_line, open_line: 0 }
    }

    /// Feeds the next piece of text: quotes are found with `memchr` and only the bytes around
    /// them looked at, so a file without quotes costs a scan for `"` and one for line breaks.
    /// Gives the same states as feeding byte by byte ([`QuoteScan::feed_bytewise`]).
    pub fn feed(&mut self, bytes: &[u8]) {
        use QuoteState::*;
        let newlines = |s: &[u8]| memchr::memchr_iter(b'\n', s).count() as u64;
        let mut pos = 0;
        while let Some(rest) = bytes.get(pos..).filter(|r| !r.is_empty()) {
            match self.state {
                FieldStart | InField => match memchr::memchr(b'"', rest) {
                    None => {
                        self.lines += newlines(rest);
                        let last = rest.last().copied().unwrap_or(0);
                        self.state =
                            if matches!(last, b'\n' | b'\r') || last == self.delimiter { FieldStart } else { InField };
                        pos = bytes.len();
                    }
                    Some(q) => {
                        let before = rest.get(..q).unwrap_or_default();
                        self.lines += newlines(before);
                        let at_start = match before.last() {
                            Some(&p) => matches!(p, b'\n' | b'\r') || p == self.delimiter,
                            None => self.state == FieldStart,
                        };
                        if at_start {
                            self.open_line = self.first_line + self.lines;
                            self.state = InQuoted;
                        } else {
                            self.state = InField;
                        }
                        pos += q + 1;
                    }
                },
                InQuoted => match memchr::memchr(b'"', rest) {
                    None => {
                        self.lines += newlines(rest);
                        pos = bytes.len();
                    }
                    Some(q) => {
                        self.lines += newlines(rest.get(..q).unwrap_or_default());
                        self.state = QuoteInQuoted;
                        pos += q + 1;
                    }
                },
                QuoteInQuoted => {
                    self.step(rest.first().copied().unwrap_or(0));
                    pos += 1;
                }
            }
        }
    }

    /// [`QuoteScan::feed`] one byte at a time: the reference the fast scan is tested against.
    pub fn feed_bytewise(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.step(b);
        }
    }

    #[inline]
    fn step(&mut self, b: u8) {
        use QuoteState::*;
        let d = self.delimiter;
        if b == b'\n' {
            self.lines += 1;
        }
        self.state = match (self.state, b) {
            (FieldStart, b'"') => {
                self.open_line = self.first_line + self.lines;
                InQuoted
            }
            (InQuoted, b'"') => QuoteInQuoted,
            (InQuoted, _) => InQuoted,
            (QuoteInQuoted, b'"') => InQuoted,
            (_, b'\n' | b'\r') => FieldStart,
            (_, c) if c == d => FieldStart,
            _ => InField,
        };
    }

    /// The line a quoted field opened on, when the text fed so far ends inside it.
    pub fn open_quote_line(&self) -> Option<u64> {
        (self.state == QuoteState::InQuoted).then_some(self.open_line)
    }

    /// Line breaks fed so far.
    pub fn lines(&self) -> u64 {
        self.lines
    }
}

const PIECE: usize = 1 << 16;

impl<R: std::io::Read> DecodeReader<R> {
    /// Decodes `inner` in `encoding` (a UTF-8 BOM is skipped for [`Encoding::Utf8Bom`]).
    pub fn new(inner: R, encoding: Encoding) -> Self {
        Self {
            inner,
            encoding,
            decoder: (encoding == Encoding::Cp932).then(|| encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling()),
            raw: Vec::with_capacity(PIECE),
            eof: false,
            src_offset: 0,
            src_lines: 0,
            pending: Vec::with_capacity(PIECE * 3 / 2 + 16),
            pending_pos: 0,
            out_offset: 0,
            breaks: Default::default(),
            run_start: None,
            lines_before: 0,
            failed: None,
            started: false,
            base: 0,
            quotes: None,
        }
    }

    /// Skips `n` physical lines (each up to and including its line break, blank ones counted)
    /// before a CSV reader reads; returns how many there were (fewer at the end of the text).
    /// Line numbers ([`DecodeReader::line_at`]) still count from the start of the file.
    pub fn skip_lines(&mut self, n: usize) -> std::io::Result<usize> {
        let mut skipped = 0;
        while skipped < n {
            if self.pending_pos >= self.pending.len() && !self.refill()? {
                break;
            }
            let rest = self.pending.get(self.pending_pos..).unwrap_or_default();
            match rest.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.pending_pos += i + 1;
                    skipped += 1;
                }
                None => self.pending_pos = self.pending.len(),
            }
        }
        self.base = self.out_offset + self.pending_pos as u64;
        if let Some(q) = &self.quotes {
            self.quotes = Some(QuoteScan::new(q.delimiter, skipped as u64 + 1));
        }
        Ok(skipped)
    }

    /// Tracks quoting from here on ([`DecodeReader::open_quote_line`]), for fields separated by
    /// `delimiter`.
    pub fn track_quotes(&mut self, delimiter: u8) {
        self.quotes = Some(QuoteScan::new(delimiter, 1));
    }

    /// The line a quoted field opened on, when the text handed out so far ends inside it (at
    /// the end of the file: the file ends inside a quoted value).
    pub fn open_quote_line(&self) -> Option<u64> {
        self.quotes.as_ref().and_then(QuoteScan::open_quote_line)
    }

    /// The encoding read.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// The 1-based line where a record starting at `byte` of the decoded text starts (a record
    /// may start on the line break of the previous line, or on blank lines before it). Offsets
    /// must not go backwards between calls.
    pub fn line_at(&mut self, byte: u64) -> u64 {
        let byte = byte + self.base;
        while let Some(&(n, run)) = self.breaks.front() {
            if n < byte || run <= byte {
                self.breaks.pop_front();
                self.lines_before += 1;
            } else {
                break;
            }
        }
        self.lines_before + 1
    }

    /// The decode error that ended the stream, if any.
    pub fn error(&self) -> Option<&DecodeError> {
        self.failed.as_ref()
    }

    fn fill_raw(&mut self) -> std::io::Result<()> {
        let have = self.raw.len();
        self.raw.resize(have + PIECE, 0);
        let mut got = 0;
        while got == 0 {
            let slot = self.raw.get_mut(have..).unwrap_or_default();
            match self.inner.read(slot) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got = n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.raw.truncate(have);
                    return Err(e);
                }
            }
        }
        self.raw.truncate(have + got);
        Ok(())
    }

    fn fail(&mut self, bad_in_raw: usize) -> std::io::Error {
        let consumed = self.raw.get(..bad_in_raw).unwrap_or_default();
        let line = self.src_lines + consumed.iter().filter(|&&b| b == b'\n').count() + 1;
        let e = DecodeError { line, offset: self.src_offset + bad_in_raw };
        self.failed = Some(e.clone());
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }

    fn consume_raw(&mut self, n: usize) {
        let done = self.raw.get(..n).unwrap_or_default();
        self.src_lines += done.iter().filter(|&&b| b == b'\n').count();
        self.src_offset += n;
        self.raw.drain(..n);
    }

    /// Decodes the next piece into `pending`; false at the end of the input.
    fn refill(&mut self) -> std::io::Result<bool> {
        if let Some(e) = &self.failed {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e.clone()));
        }
        self.out_offset += self.pending.len() as u64;
        self.pending.clear();
        self.pending_pos = 0;
        while self.pending.is_empty() {
            if self.eof && self.raw.is_empty() {
                return Ok(false);
            }
            if !self.eof {
                self.fill_raw()?;
            }
            if !self.started {
                // The BOM is not text.
                if self.raw.len() < 3 && !self.eof {
                    continue;
                }
                self.started = true;
                if self.encoding == Encoding::Utf8Bom && self.raw.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    self.consume_raw(3);
                }
            }
            match self.decoder.as_mut() {
                Some(decoder) => {
                    let need = decoder.max_utf8_buffer_length_without_replacement(self.raw.len()).unwrap_or(PIECE * 3);
                    self.pending.resize(need.max(16), 0);
                    let last = self.eof;
                    let (result, read, written) =
                        decoder.decode_to_utf8_without_replacement(&self.raw, &mut self.pending, last);
                    self.pending.truncate(written);
                    match result {
                        encoding_rs::DecoderResult::Malformed(bad, after) => {
                            let at = read.saturating_sub(usize::from(after) + usize::from(bad));
                            return Err(self.fail(at));
                        }
                        encoding_rs::DecoderResult::InputEmpty | encoding_rs::DecoderResult::OutputFull => {
                            self.consume_raw(read);
                        }
                    }
                    if last && self.raw.is_empty() && self.pending.is_empty() {
                        return Ok(false);
                    }
                }
                None => {
                    let (valid, bad) = match std::str::from_utf8(&self.raw) {
                        Ok(_) => (self.raw.len(), false),
                        Err(e) if e.error_len().is_none() && !self.eof => (e.valid_up_to(), false),
                        Err(e) => (e.valid_up_to(), true),
                    };
                    self.pending.extend_from_slice(self.raw.get(..valid).unwrap_or_default());
                    self.consume_raw(valid);
                    if bad && self.pending.is_empty() {
                        return Err(self.fail(0));
                    }
                    if bad {
                        // Hand out the valid text first; the error comes with the next piece.
                        let _ = self.fail(0);
                    }
                }
            }
        }
        for (i, &b) in self.pending.iter().enumerate() {
            let at = self.out_offset + i as u64;
            match b {
                b'\r' => {
                    self.run_start.get_or_insert(at);
                }
                b'\n' => {
                    let run = *self.run_start.get_or_insert(at);
                    self.breaks.push_back((at, run));
                }
                _ => self.run_start = None,
            }
        }
        Ok(true)
    }
}

impl<R: std::io::Read> std::io::Read for DecodeReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pending_pos >= self.pending.len() && !self.refill()? {
            return Ok(0);
        }
        let rest = self.pending.get(self.pending_pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), rest.get(..n)) {
            dst.copy_from_slice(src);
            if let Some(q) = self.quotes.as_mut() {
                q.feed(src);
            }
        }
        self.pending_pos += n;
        Ok(n)
    }
}

/// The [`DecodeError`] inside an I/O error of a [`DecodeReader`], if that is what it is.
pub fn decode_error_of(e: &std::io::Error) -> Option<DecodeError> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<DecodeError>()).cloned()
}

/// Folds a value for parsing: NFKC (full-width digits, letters, signs and spaces to ASCII),
/// the minus and dash variants to `-`, trimmed. Not for names (NFKC changes kana and ㈱).
pub fn fold_value(s: &str) -> String {
    // ASCII is already NFKC and has no dash variants: the common case, without the table walk.
    if s.is_ascii() {
        return s.trim().to_string();
    }
    s.nfkc()
        .map(|c| match c {
            '\u{2212}' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}' | '\u{30FC}'
            | '\u{FF70}' => '-',
            '\u{301C}' | '\u{FF5E}' => '~',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn detects_utf8_bom_and_cp932() {
        let s = "氏名,身長\n山田,170.5\n";
        assert_eq!(decode(s.as_bytes(), EncodingChoice::Auto), Ok((s.to_string(), Encoding::Utf8)));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(s.as_bytes());
        assert_eq!(decode(&bom, EncodingChoice::Auto), Ok((s.to_string(), Encoding::Utf8Bom)));
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("氏名,身長,①,㈱,髙,～\n");
        assert_eq!(decode(&sjis, EncodingChoice::Auto), Ok(("氏名,身長,①,㈱,髙,～\n".to_string(), Encoding::Cp932)));
    }

    #[test]
    fn malformed_bytes_name_the_line() {
        // A lone lead byte 0x81 at the end of line 2 is neither UTF-8 nor CP932.
        let bytes = b"a,b\nc,\x81\n";
        assert_eq!(decode(bytes, EncodingChoice::Auto), Err(DecodeError { line: 2, offset: 6 }));
        assert_eq!(decode(b"ok\n\xff", EncodingChoice::Utf8), Err(DecodeError { line: 2, offset: 3 }));
    }

    #[test]
    fn folds_full_width_values() {
        assert_eq!(fold_value("　１２０．５ "), "120.5");
        assert_eq!(fold_value("－"), "-");
        assert_eq!(fold_value("＜５"), "<5");
        assert_eq!(fold_value("ＨＩＧＨ"), "HIGH");
        assert_eq!(fold_value("−1.2"), "-1.2");
    }

    proptest! {
        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes, EncodingChoice::Auto);
            let _ = decode(&bytes, EncodingChoice::Cp932);
        }

        #[test]
        fn utf8_text_round_trips(s in "\\PC{0,60}") {
            prop_assert_eq!(decode(s.as_bytes(), EncodingChoice::Auto).map(|(t, _)| t), Ok(s.clone()));
        }

        /// The memchr scan gives the states, lines and open-quote lines of the byte-by-byte
        /// machine, whatever the text and however it is cut into pieces.
        #[test]
        fn quote_scan_fast_equals_bytewise(
            text in proptest::collection::vec(prop_oneof![Just(b'"'), Just(b','), Just(b'\n'), Just(b'\r'), Just(b'a'), Just(b';')], 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..6),
            semicolon in any::<bool>(),
        ) {
            let d = if semicolon { b';' } else { b',' };
            let mut fast = QuoteScan::new(d, 3);
            let mut slow = QuoteScan::new(d, 3);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).collect();
            cuts.sort_unstable();
            let mut from = 0;
            for c in cuts.into_iter().chain([text.len()]) {
                let piece = text.get(from..c).unwrap_or_default();
                fast.feed(piece);
                slow.feed_bytewise(piece);
                prop_assert_eq!((fast.state, fast.lines(), fast.open_quote_line()), (slow.state, slow.lines(), slow.open_quote_line()));
                from = c;
            }
        }

        #[test]
        fn fold_is_idempotent(s in "\\PC{0,30}") {
            let once = fold_value(&s);
            prop_assert_eq!(fold_value(&once), once);
        }
    }
}
