//! Text as institutions send it: encodings and full-width characters.
//!
//! Source habits (standards.md §4): Shift_JIS/CP932 from older systems, UTF-8 with or without a
//! BOM from newer ones; full-width digits, signs and spaces in values. encoding_rs's
//! `SHIFT_JIS` decodes like Microsoft CP932 (NEC and IBM extensions, ～ and － as Windows maps
//! them; verified in stack.md §6).

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

        #[test]
        fn fold_is_idempotent(s in "\\PC{0,30}") {
            let once = fold_value(&s);
            prop_assert_eq!(fold_value(&once), once);
        }
    }
}
