//! Result values as institutions write them.
//!
//! Habits (the CC2X conventions, docs/sources.md [CC2X]; MHLW rule for spreadsheets, 標準的な健診・保健指導プログラム):
//! comparators (`<5`, `>500`, `5未満`, `5以上`, `5以下`, `5超`); `H`/`L` marks before or after the
//! number, or alone for a value beyond the input range; urine grades (`－ ± + 1+ 2+ 3+ ++ +++ 4+`,
//! `(-)`, full width too) → the OHCC codes of MHLW OID 1.2.392.200119.6.2102 (neg, trace, 1p,
//! 2p, 3p; `4+` becomes 3p with a warning: the code set ends at ＋＋＋); `未実施` (not done),
//! `未測定`/`測定不能` (not measured) and blanks, which are different things and kept apart.

use crate::text::fold_value;

pub use iphr_domain::observation::{Comparator, RangeFlag};

/// A parsed result value.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A number, maybe with a comparator and an H/L mark.
    Number {
        /// The number.
        value: f64,
        /// `<5` etc.
        comparator: Option<Comparator>,
        /// H/L.
        flag: Option<RangeFlag>,
        /// Digits after the decimal point as written.
        scale: Option<u8>,
    },
    /// Only an H or L mark: the value was beyond the input range and not written.
    FlagOnly(RangeFlag),
    /// A urine grade as its OHCC code (neg, trace, 1p, 2p, 3p).
    Grade {
        /// Code.
        code: &'static str,
        /// Set when the source grade was folded (e.g. `4+` → 3p).
        warning: Option<String>,
    },
    /// 未実施 — the test was not done.
    NotDone,
    /// 未測定 / 測定不能 — done but no result.
    NotMeasured,
    /// An empty cell.
    Blank,
}

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not {expected}")]
pub struct ValueError {
    /// The text as written.
    pub text: String,
    /// What was expected.
    pub expected: &'static str,
}

fn common(f: &str) -> Option<Parsed> {
    match f {
        "" => Some(Parsed::Blank),
        "未実施" | "実施せず" | "未受診" => Some(Parsed::NotDone),
        "未測定" | "測定不能" | "判定不能" | "検査不能" => Some(Parsed::NotMeasured),
        _ => None,
    }
}

fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+') {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Parses a numeric result: `120`, `１２０．５`, `<5`, `5未満`, `>500`, `5以上`, `120H`, `H 120`,
/// `L`, `未実施`, blank.
pub fn parse_number(text: &str) -> Result<Parsed, ValueError> {
    let f = fold_value(text);
    if let Some(p) = common(&f) {
        return Ok(p);
    }
    let err = || ValueError { text: text.to_string(), expected: "a number (e.g. 120, <5, 5未満, 120H)" };
    let mut s: String = f.chars().filter(|c| !c.is_whitespace() && *c != '*').collect();
    // H/L before or after; alone = beyond the input range.
    let mut flag = None;
    for (mark, fl) in [("H", RangeFlag::High), ("L", RangeFlag::Low), ("h", RangeFlag::High), ("l", RangeFlag::Low)] {
        if s == mark {
            return Ok(Parsed::FlagOnly(fl));
        }
        if let Some(rest) = s.strip_suffix(mark).or_else(|| s.strip_prefix(mark)) {
            flag = Some(fl);
            s = rest.to_string();
            break;
        }
    }
    let mut comparator = None;
    for (pre, c) in [
        ("<=", Comparator::Le),
        (">=", Comparator::Ge),
        ("≦", Comparator::Le),
        ("≧", Comparator::Ge),
        ("<", Comparator::Lt),
        (">", Comparator::Gt),
    ] {
        if let Some(rest) = s.strip_prefix(pre) {
            comparator = Some(c);
            s = rest.to_string();
            break;
        }
    }
    if comparator.is_none() {
        for (suf, c) in
            [("未満", Comparator::Lt), ("以下", Comparator::Le), ("以上", Comparator::Ge), ("超", Comparator::Gt)]
        {
            if let Some(rest) = s.strip_suffix(suf) {
                comparator = Some(c);
                s = rest.to_string();
                break;
            }
        }
    }
    let value = number(&s).ok_or_else(err)?;
    Ok(Parsed::Number { value, comparator, flag, scale: decimal_scale(&s) })
}

/// The digits after the decimal point of a plain decimal numeral (`1.0` → 1, `170` → 0,
/// `-0.50` → 2); `None` for anything else (an exponent, more than 18 decimals).
pub fn decimal_scale(s: &str) -> Option<u8> {
    let s = s.trim();
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return None;
    }
    u8::try_from(frac.len()).ok().filter(|&n| n <= 18)
}

/// Parses a urine dipstick grade into the OHCC codes of Ak0010000Z/Ak0020000Z/Ak0030000Z.
pub fn parse_urine_grade(text: &str) -> Result<Parsed, ValueError> {
    let f = fold_value(text);
    if let Some(p) = common(&f) {
        return Ok(p);
    }
    let s: String = f.chars().filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')')).collect();
    let code = match s.as_str() {
        "-" | "陰性" | "neg" | "NEG" => "neg",
        "±" | "+-" | "弱陽性" => "trace",
        "+" | "1+" | "陽性" => "1p",
        "++" | "2+" => "2p",
        "+++" | "3+" => "3p",
        "++++" | "4+" => {
            return Ok(Parsed::Grade {
                code: "3p",
                warning: Some(format!("{text:?} folded to ＋＋＋ (the MHLW code set ends at 3+)")),
            });
        }
        // The OHCC codes themselves (an iphr export read back).
        "trace" => "trace",
        "1p" => "1p",
        "2p" => "2p",
        "3p" => "3p",
        // MHLW OID 2102 codes 1–5 as digits.
        "1" => "neg",
        "2" => "trace",
        "3" => "1p",
        "4" => "2p",
        "5" => "3p",
        _ => return Err(ValueError { text: text.to_string(), expected: "a urine grade (－ ± ＋ 2+ 3+)" }),
    };
    Ok(Parsed::Grade { code, warning: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(value: f64, comparator: Option<Comparator>, flag: Option<RangeFlag>, scale: u8) -> Result<Parsed, ValueError> {
        Ok(Parsed::Number { value, comparator, flag, scale: Some(scale) })
    }
    use Comparator::*;
    use RangeFlag::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("120"), n(120.0, None, None, 0));
        assert_eq!(parse_number("１２０．５"), n(120.5, None, None, 1));
        assert_eq!(parse_number(" 6.10 "), n(6.1, None, None, 2));
        assert_eq!(parse_number("-1.5"), n(-1.5, None, None, 1));
        assert_eq!(parse_number("<5"), n(5.0, Some(Lt), None, 0));
        assert_eq!(parse_number("＜５"), n(5.0, Some(Lt), None, 0));
        assert_eq!(parse_number(">500"), n(500.0, Some(Gt), None, 0));
        assert_eq!(parse_number("<=0.1"), n(0.1, Some(Le), None, 1));
        assert_eq!(parse_number("5未満"), n(5.0, Some(Lt), None, 0));
        assert_eq!(parse_number("5以上"), n(5.0, Some(Ge), None, 0));
        assert_eq!(parse_number("5以下"), n(5.0, Some(Le), None, 0));
        assert_eq!(parse_number("1000超"), n(1000.0, Some(Gt), None, 0));
        assert_eq!(parse_number("165H"), n(165.0, None, Some(High), 0));
        assert_eq!(parse_number("H 165"), n(165.0, None, Some(High), 0));
        assert_eq!(parse_number("3.2 L"), n(3.2, None, Some(Low), 1));
        assert_eq!(parse_number("１６５Ｈ"), n(165.0, None, Some(High), 0));
        assert_eq!(parse_number("*165H"), n(165.0, None, Some(High), 0));
        assert_eq!(parse_number("H"), Ok(Parsed::FlagOnly(High)));
        assert_eq!(parse_number("Ｌ"), Ok(Parsed::FlagOnly(Low)));
    }

    /// Issue 11.5: the decimals as written (`1.0`, `170.0`) are kept.
    #[test]
    fn decimal_scales() {
        for (text, want) in [
            ("1.0", Some(1)),
            ("170.0", Some(1)),
            ("170", Some(0)),
            ("-0.50", Some(2)),
            ("+3.", Some(0)),
            (".5", Some(1)),
            ("1e5", None),
            ("", None),
            (".", None),
            ("1.2.3", None),
        ] {
            assert_eq!(decimal_scale(text), want, "{text}");
        }
    }

    #[test]
    fn not_done_not_measured_and_blank_are_different() {
        assert_eq!(parse_number("未実施"), Ok(Parsed::NotDone));
        assert_eq!(parse_number("未測定"), Ok(Parsed::NotMeasured));
        assert_eq!(parse_number("測定不能"), Ok(Parsed::NotMeasured));
        assert_eq!(parse_number(""), Ok(Parsed::Blank));
        assert_eq!(parse_number("　"), Ok(Parsed::Blank));
    }

    #[test]
    fn bad_numbers() {
        for bad in ["abc", "12..3", "1,200", "HL", "<", "5未満H未満", "NaN", "inf", "1e5"] {
            assert!(parse_number(bad).is_err(), "{bad}: {:?}", parse_number(bad));
        }
        assert_eq!(
            parse_number("abc").err().map(|e| e.to_string()),
            Some("\"abc\" is not a number (e.g. 120, <5, 5未満, 120H)".to_string())
        );
    }

    #[test]
    fn urine_grades() {
        let g = |c: &'static str| Ok(Parsed::Grade { code: c, warning: None });
        for (text, want) in [
            ("－", g("neg")),
            ("-", g("neg")),
            ("(-)", g("neg")),
            ("（－）", g("neg")),
            ("陰性", g("neg")),
            ("±", g("trace")),
            ("（±）", g("trace")),
            ("+", g("1p")),
            ("＋", g("1p")),
            ("1+", g("1p")),
            ("(+)", g("1p")),
            ("2+", g("2p")),
            ("++", g("2p")),
            ("＋＋", g("2p")),
            ("3+", g("3p")),
            ("+++", g("3p")),
            ("＋＋＋", g("3p")),
            ("1", g("neg")),
            ("5", g("3p")),
        ] {
            assert_eq!(parse_urine_grade(text), want, "{text}");
        }
        assert!(matches!(parse_urine_grade("4+"), Ok(Parsed::Grade { code: "3p", warning: Some(_) })));
        assert_eq!(parse_urine_grade("未実施"), Ok(Parsed::NotDone));
        assert!(parse_urine_grade("+-+").is_err());
        assert!(parse_urine_grade("6").is_err());
    }

    proptest! {
        #[test]
        fn plain_numbers_round_trip(v in -1.0e6f64..1.0e6) {
            let text = format!("{v}");
            let scale = text.split_once('.').map_or(0, |(_, f)| f.len());
            prop_assert_eq!(parse_number(&text), n(v, None, None, u8::try_from(scale).unwrap_or(u8::MAX)));
        }

        /// The decimals written are kept, trailing zeros too.
        #[test]
        fn scale_as_written(int in 0u32..100_000, frac in "[0-9]{0,6}") {
            let text = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
            let Ok(Parsed::Number { scale, .. }) = parse_number(&text) else { panic!("{text}") };
            prop_assert_eq!(scale, u8::try_from(frac.len()).ok());
        }

        #[test]
        fn never_panics(s in "\\PC{0,16}") {
            let _ = parse_number(&s);
            let _ = parse_urine_grade(&s);
        }
    }
}
