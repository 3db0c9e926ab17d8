//! The shipped profiles read their fixtures (fixtures/checkup-csv, made by make.py) with the
//! values, codes and originals asserted.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_convert::checkup_csv::{FileError, ParsedFile, ResultValue, Visit, parse};
use iphr_convert::profile::Profile;
use iphr_convert::text::Encoding;
use iphr_convert::units::UnitTable;
use iphr_convert::value::{Comparator, RangeFlag};
use iphr_domain::event::CheckupKind;
use iphr_domain::ohcc::ItemTable;
use iphr_domain::person::Sex;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(profile: &str, fixture: &str) -> Result<ParsedFile, FileError> {
    let ptext = std::fs::read_to_string(root().join("profiles").join(profile)).unwrap();
    let p = Profile::parse(profile, &ptext).unwrap();
    let bytes = std::fs::read(root().join("fixtures/checkup-csv").join(fixture)).unwrap();
    parse(&bytes, &p, fixture, ItemTable::embedded().unwrap(), UnitTable::embedded().unwrap())
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn value<'a>(v: &'a Visit, item: &str) -> &'a ResultValue {
    &v.results.iter().find(|r| r.item.as_str() == item).unwrap_or_else(|| panic!("{item} missing")).value
}

fn num(v: &Visit, item: &str) -> f64 {
    match value(v, item) {
        ResultValue::Number { value, .. } => *value,
        other => panic!("{item}: {other:?}"),
    }
}

fn code<'a>(v: &'a Visit, item: &str) -> &'a str {
    match value(v, item) {
        ResultValue::Code(c) => c,
        other => panic!("{item}: {other:?}"),
    }
}

#[test]
fn minato_wide_utf8_bom_wareki() {
    let f = read("minato-wide.toml", "minato-wide.csv").unwrap();
    assert_eq!(f.encoding, Encoding::Utf8Bom);
    assert_eq!((f.rows_read, f.visits.len(), f.errors.len(), f.unmapped.len()), (3, 3, 0, 0));
    let v = &f.visits[0];
    assert_eq!(v.line, 2);
    assert_eq!(v.identity.employee_number.as_deref(), Some("A000101"));
    assert_eq!((v.identity.family_name.as_deref(), v.identity.given_name.as_deref()), (Some("山田"), Some("太郎")));
    assert_eq!(v.identity.birth_date, Some(d(1970, 4, 1)));
    assert_eq!(v.identity.sex, Some(Sex::Male));
    assert_eq!((v.date, v.kind), (d(2024, 6, 10), CheckupKind::Periodic));
    assert_eq!(num(v, "Ac0010000Z"), 170.5, "full-width digits");
    assert_eq!(
        value(v, "Af0010001A"),
        &ResultValue::Number {
            value: 165.0,
            unit: "mmHg".into(),
            comparator: None,
            flag: Some(RangeFlag::High),
            scale: Some(0)
        }
    );
    assert_eq!(
        value(v, "Ah0030000Z"),
        &ResultValue::Number {
            value: 5.0,
            unit: "U/L".into(),
            comparator: Some(Comparator::Lt),
            flag: None,
            scale: Some(0)
        }
    );
    assert_eq!(code(v, "Ak0010000Z"), "neg");
    assert_eq!(value(v, "Az0020000Z"), &ResultValue::Text("高血圧 要精密検査".into()));
    let sbp = v.results.iter().find(|r| r.item.as_str() == "Af0010001A").unwrap();
    assert_eq!((sbp.raw.as_str(), &*sbp.source_text, &*sbp.source_code), ("165H", "血圧(収縮期)", "Af0010001A"));

    let v = &f.visits[1];
    assert_eq!(
        (v.identity.family_name.as_deref(), v.identity.given_name.as_deref()),
        (Some("佐藤"), Some("花子")),
        "full-width space"
    );
    assert_eq!(v.identity.birth_date, Some(d(1990, 5, 3)));
    assert_eq!(v.date, d(2024, 6, 11));
    assert!(!v.results.iter().any(|r| r.item.as_str() == "Ac0030000Z"), "a blank cell is no result");
    assert_eq!(value(v, "Aj0030000Z"), &ResultValue::NotDone);
    assert_eq!(
        value(v, "Ag0010000Z"),
        &ResultValue::Number {
            value: 11.8,
            unit: "g/dL".into(),
            comparator: None,
            flag: Some(RangeFlag::Low),
            scale: Some(1)
        }
    );
    assert_eq!(code(v, "Ak0010000Z"), "trace");

    let v = &f.visits[2];
    assert_eq!(v.identity.employee_number.as_deref(), Some("a000103"), "full-width employee number folded");
    assert_eq!((v.date, v.kind), (d(2024, 6, 12), CheckupKind::Hire));
    assert_eq!(v.identity.birth_date, Some(d(1985, 6, 12)));
    assert_eq!(
        value(v, "Ah0030000Z"),
        &ResultValue::Number {
            value: 500.0,
            unit: "U/L".into(),
            comparator: Some(Comparator::Gt),
            flag: None,
            scale: Some(0)
        }
    );
    assert_eq!((code(v, "Ak0010000Z"), code(v, "Ak0020000Z")), ("2p", "1p"));
}

#[test]
fn row_errors_name_line_and_field() {
    let f = read("minato-wide.toml", "minato-wide-errors.csv").unwrap();
    assert_eq!(f.rows_read, 3);
    assert_eq!(f.visits.len(), 1, "rows with errors are skipped");
    assert_eq!(f.visits[0].identity.employee_number.as_deref(), Some("A000203"));
    let e: Vec<(u64, &str)> = f.errors.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(e, vec![(2, "受診日"), (3, "性別"), (3, "身長")]);
    assert!(f.errors[0].reason.contains("令和"), "{}", f.errors[0].reason);
    assert!(f.errors[2].reason.contains("\"abc\" is not a number"));
}

#[test]
fn sakura_cp932_flags_units_jlac10() {
    let f = read("sakura-cp932.toml", "sakura-cp932.csv").unwrap();
    assert_eq!(f.encoding, Encoding::Cp932);
    assert_eq!((f.visits.len(), f.errors.len()), (2, 0));
    let v = &f.visits[0];
    assert_eq!(v.identity.family_name.as_deref(), Some("髙橋"), "CP932 IBM extension");
    assert_eq!(v.identity.birth_date, Some(d(1972, 8, 15)));
    assert_eq!(v.date, d(2024, 7, 2));
    assert_eq!(num(v, "Ac0010000Z"), 168.3, "JLAC10 9N001… is 身長");
    assert_eq!(
        value(v, "Af0010001A"),
        &ResultValue::Number {
            value: 182.0,
            unit: "mmHg".into(),
            comparator: None,
            flag: Some(RangeFlag::High),
            scale: Some(0)
        }
    );
    assert!((num(v, "Ag0010000Z") - 14.8).abs() < 1e-9, "148 g/L → 14.8 g/dL");
    assert!((num(v, "Aj0010000Z") - 129.7152).abs() < 1e-6, "7.2 mmol/L → mg/dL");
    assert_eq!(num(v, "Aj0030000Z"), 7.1);
    assert_eq!(code(v, "Ak0010000Z"), "2p");
    let v = &f.visits[1];
    assert_eq!(v.identity.sex, Some(Sex::Female));
    assert_eq!(code(v, "Ak0010000Z"), "neg");
    assert_eq!(
        value(v, "Af0010001A"),
        &ResultValue::Number { value: 118.0, unit: "mmHg".into(), comparator: None, flag: None, scale: Some(0) }
    );
}

#[test]
fn hokuto_long_local_codes_and_unmapped() {
    let f = read("hokuto-long.toml", "hokuto-long.csv").unwrap();
    assert_eq!(f.rows_read, 12);
    assert_eq!(f.visits.len(), 2, "rows grouped into visits");
    let v = &f.visits[0];
    assert_eq!(v.results.len(), 7);
    assert_eq!(
        value(v, "Af0010001A"),
        &ResultValue::Number {
            value: 146.0,
            unit: "mmHg".into(),
            comparator: None,
            flag: Some(RangeFlag::High),
            scale: Some(0)
        }
    );
    assert!((num(v, "Aj0010000Z") - 109.8976).abs() < 1e-6, "6.1 mmol/L glucose");
    assert!((num(v, "Am0010000Z") - 0.99998).abs() < 1e-4, "88.4 μmol/L creatinine");
    assert_eq!(code(v, "Ak0010000Z"), "1p");
    let v = &f.visits[1];
    assert!((num(v, "Ai0010000Z") - 135.345).abs() < 1e-6, "3.5 mmol/L LDL");
    assert_eq!(num(v, "Ah0030000Z"), 12.0, "IU/L = U/L");
    // Unmapped items are kept raw with their line.
    let u: Vec<(u64, &str, &str, &str)> =
        f.unmapped.iter().map(|u| (u.line, u.source_code.as_str(), u.source_text.as_str(), u.raw.as_str())).collect();
    assert_eq!(u, vec![(9, "K9990", "ペプシノゲンI", "45.2"), (13, "K9991", "ヘリコバクター・ピロリ抗体", "陰性")]);
}

#[test]
fn cc2x_layout() {
    let f = read("cc2x.toml", "cc2x.csv").unwrap();
    assert_eq!(f.encoding, Encoding::Cp932);
    assert_eq!((f.rows_read, f.visits.len(), f.errors.len()), (2, 2, 0));
    let v = &f.visits[0];
    assert_eq!(v.line, 4);
    assert_eq!(v.identity.employee_number, None);
    assert_eq!(v.identity.kana.as_deref(), Some("ﾅｶﾑﾗ ｹﾝｼﾞ"), "names are kept as written");
    assert_eq!(v.identity.insurer.insurer_number.as_deref(), Some("06139999"));
    assert_eq!(v.identity.insurer.number.as_deref(), Some("456"), "full-width digits folded");
    assert_eq!(v.date, d(2024, 5, 20));
    assert_eq!(value(v, "Af0010001A"), &ResultValue::FlagOnly(RangeFlag::Low));
    assert_eq!(value(v, "Ai0010000Z"), &ResultValue::FlagOnly(RangeFlag::High));
    assert_eq!(num(v, "Ai0030000Z"), 150.0);
    assert_eq!(code(v, "Ak0020000Z"), "neg", "OID 2102 code 1");
    let v = &f.visits[1];
    assert_eq!(value(v, "Ac0030000Z"), &ResultValue::NotDone);
    assert_eq!(code(v, "Ak0020000Z"), "1p", "OID 2102 code 3");
}

#[test]
fn profile_errors_name_the_field() {
    let bad = |text: &str| Profile::parse("t.toml", text).err().map(|e| e.field);
    let base = "name = \"x\"\nlayout = \"wide\"\n[identity]\nemployee_number = \"no\"\n[event]\ndate = \"d\"\n";
    assert_eq!(bad(base), Some("items".into()));
    assert_eq!(bad(&format!("{base}[[items]]\nohcc = \"Ac0010000Z\"\n")), Some("items[0].column".into()));
    assert_eq!(bad("name = 1"), Some("(file)".into()));
    let t = ItemTable::embedded().unwrap();
    let p = Profile::parse("t.toml", &format!("{base}[[items]]\ncolumn = \"h\"\nohcc = \"Zz0010000Z\"\n")).unwrap();
    assert_eq!(p.resolve_items("t.toml", t).err().map(|e| e.field), Some("items[0].ohcc".into()));
    let p = Profile::parse("t.toml", &format!("{base}[[items]]\ncolumn = \"h\"\njlac10 = \"99999999999999999\"\n"))
        .unwrap();
    assert_eq!(p.resolve_items("t.toml", t).err().map(|e| e.field), Some("items[0].jlac10".into()));
    // A column the profile names but the file lacks is a file-level error.
    let p = Profile::parse("t.toml", &format!("{base}[[items]]\ncolumn = \"身長\"\nohcc = \"Ac0010000Z\"\n")).unwrap();
    let e = parse("no,d\n1,2024-01-01\n".as_bytes(), &p, "f.csv", t, UnitTable::embedded().unwrap());
    assert_eq!(
        e.err(),
        Some(FileError::MissingColumn { line: 1, column: "身長".into(), field: "items[0].column".into() })
    );
}

fn fixture_profile(name: &str, edit: impl Fn(String) -> String) -> Profile {
    let text = std::fs::read_to_string(root().join("fixtures/checkup-csv").join(name)).unwrap();
    Profile::parse(name, &edit(text)).unwrap()
}

fn read_with(p: &Profile, fixture: &str) -> Result<ParsedFile, FileError> {
    let bytes = std::fs::read(root().join("fixtures/checkup-csv").join(fixture)).unwrap();
    parse(&bytes, p, fixture, ItemTable::embedded().unwrap(), UnitTable::embedded().unwrap())
}

/// Issue 11.1: the last record cut inside its 18th cell (LDL "98" → "9", no line terminator)
/// was read as LDL 9 mg/dL with the missing cells as blanks.
#[test]
fn a_record_cut_short_is_an_error_never_data() {
    let f = read("minato-wide.toml", "minato-wide-truncated.csv").unwrap();
    assert_eq!((f.rows_read, f.visits.len()), (2, 1));
    assert_eq!(f.visits[0].identity.employee_number.as_deref(), Some("A000101"));
    assert_eq!(f.errors.len(), 1);
    let e = &f.errors[0];
    assert_eq!((e.line, e.field.as_str()), (3, "(record)"));
    assert!(e.reason.starts_with("18 cells where the header has 26: the record is cut short"), "{}", e.reason);
}

/// Issue 11.1: a file that ends inside a quoted value (its closing quote missing) is refused
/// with the line the value opens on; the csv reader ends such a value silently.
#[test]
fn a_file_ending_inside_a_quoted_value_is_refused() {
    let e = read("minato-wide.toml", "minato-wide-open-quote.csv").unwrap_err();
    match e {
        FileError::Csv { line, reason } => {
            assert_eq!(line, 3);
            assert!(reason.contains("ends inside a quoted value"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// A cell beyond the header's last column is refused; an empty one (a trailing comma) is not.
#[test]
fn cells_beyond_the_header() {
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    let base = "name = \"x\"\nlayout = \"wide\"\n[identity]\nemployee_number = \"no\"\n[event]\ndate = \"d\"\n[[items]]\ncolumn = \"h\"\nohcc = \"Ac0010000Z\"\n";
    let p = Profile::parse("t.toml", base).unwrap();
    let f = parse("no,d,h\n1,2024-01-01,170,\n2,2024-01-01,171,9\n".as_bytes(), &p, "f", t, u).unwrap();
    assert_eq!(f.visits.len(), 1);
    assert_eq!((f.errors[0].line, f.errors[0].field.as_str()), (3, "(record)"));
    assert!(f.errors[0].reason.contains("a cell beyond the last column"), "{}", f.errors[0].reason);
}

/// Issue 11.2: skip_lines counts physical lines (blank ones too), a two-line header names
/// columns by either line or both joined, positional columns are checked against the header
/// text the profile expects, and a 合計 footer is not data.
#[test]
fn titled_file_with_two_header_lines_and_a_footer() {
    let p = fixture_profile("tsubasa-titled.toml", |t| t);
    let f = read_with(&p, "tsubasa-titled.csv").unwrap();
    assert_eq!((f.rows_read, f.visits.len(), f.errors.len()), (3, 3, 0), "{:?}", f.errors);
    let v = &f.visits[0];
    assert_eq!((v.line, v.identity.employee_number.as_deref(), v.date), (5, Some("T-001"), d(2024, 10, 1)));
    assert_eq!((num(v, "Ac0010000Z"), num(v, "Ah0010000Z"), num(v, "Ah0020000Z")), (171.0, 21.0, 19.0));
    let ast = v.results.iter().find(|r| r.item.as_str() == "Ah0010000Z").unwrap();
    assert_eq!(&*ast.source_text, "肝機能/AST", "the header lines joined");
    assert_eq!(value(v, "Az0020000Z"), &ResultValue::Text("異常なし".into()));
    // Issue 11.3: a blank text cell is no result.
    assert!(!f.visits[1].results.iter().any(|r| r.item.as_str() == "Az0020000Z"), "{:?}", f.visits[1].results);
    assert_eq!(f.visits[2].identity.employee_number.as_deref(), Some("T-003"));
}

#[test]
fn a_data_record_taken_for_the_header_is_refused() {
    // One line too many skipped: the first examinee's record would be the header.
    let p = fixture_profile("tsubasa-titled.toml", |t| {
        t.replace("skip_lines = 2 ", "skip_lines = 4 ").replace("header_rows = 2 ", "header_rows = 1 ").replace(
            "[headers]\n\"@1\" = \"受診者番号\"\n\"@6\" = \"受診日\"\n\"@7\" = \"身体計測/身長\"\n\"@9\" = \"AST\"\n",
            "",
        )
        .replace("肝機能/ALT", "@10")
        .replace("\"体重\"", "\"@8\"")
        .replace("\"医師所見\"", "\"@11\"")
        .replace("name = \"氏名\"\nkana = \"カナ\"\nbirth_date = \"生年月日\"\nsex = \"性別\"", "")
    });
    match read_with(&p, "tsubasa-titled.csv").unwrap_err() {
        FileError::Csv { line, reason } => {
            assert_eq!(line, 5);
            assert!(reason.contains("holds the date \"2024/10/01\""), "{reason}");
            assert!(reason.contains("skip_lines (4)"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // Too few lines skipped make the title part of the header: the header text the profile
    // expects refuses the file, naming the column.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("skip_lines = 2 ", "skip_lines = 0 "));
    assert_eq!(
        read_with(&p, "tsubasa-titled.csv").unwrap_err(),
        FileError::HeaderMismatch {
            line: 1,
            column: "@1".into(),
            field: "headers.@1".into(),
            found: "つばさ健診クリニック 定期健康診断結果一覧 2024年度".into(),
            expected: "受診者番号".into(),
        }
    );
    // A blank line among the skipped ones is skipped by the reader anyway: 1 works like 2.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("skip_lines = 2 ", "skip_lines = 1 "));
    assert_eq!(read_with(&p, "tsubasa-titled.csv").unwrap().visits.len(), 3);
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("\"@9\" = \"AST\"", "\"@9\" = \"ALT\""));
    match read_with(&p, "tsubasa-titled.csv").unwrap_err() {
        FileError::HeaderMismatch { column, found, expected, .. } => {
            assert_eq!((column.as_str(), found.as_str(), expected.as_str()), ("@9", "肝機能/AST", "ALT"))
        }
        other => panic!("{other:?}"),
    }
    // A position beyond the header is missing, not a column of blanks.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("column = \"@9\"", "column = \"@12\""));
    assert_eq!(
        read_with(&p, "tsubasa-titled.csv").unwrap_err(),
        FileError::MissingColumn { line: 3, column: "@12".into(), field: "items[2].column".into() }
    );
}

#[test]
fn footer_lines_and_ambiguous_names() {
    // The last non-blank line as the footer, counted instead of matched.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("footer_prefix = \"合計\"", "footer_lines = 1"));
    let f = read_with(&p, "tsubasa-titled.csv").unwrap();
    assert_eq!((f.rows_read, f.visits.len(), f.errors.len()), (3, 3, 0));
    // Without a footer option the 合計 line is a record with errors, never silently data.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("footer_prefix = \"合計\"", ""));
    let f = read_with(&p, "tsubasa-titled.csv").unwrap();
    assert_eq!((f.rows_read, f.visits.len()), (4, 3));
    assert!(f.errors.iter().all(|e| e.line == 8), "{:?}", f.errors);
    // Both footer options at once are refused.
    let text = std::fs::read_to_string(root().join("fixtures/checkup-csv/tsubasa-titled.toml")).unwrap();
    let e =
        Profile::parse("t", &text.replace("footer_prefix = \"合計\"", "footer_prefix = \"合計\"\nfooter_lines = 1"));
    assert_eq!(e.unwrap_err().field, "footer_lines");
    // A name on the group line fits several columns.
    let p = fixture_profile("tsubasa-titled.toml", |t| t.replace("column = \"体重\"", "column = \"身体計測\""));
    match read_with(&p, "tsubasa-titled.csv").unwrap_err() {
        FileError::Csv { line, reason } => {
            assert_eq!(line, 3);
            assert!(reason.contains("fits columns 7 and 8"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// Issue 11.6: cell counts in the units institutions write are converted (they were refused
/// with "no row in the conversion table"), keeping the decimals a power of ten shifts.
#[test]
fn cell_counts_in_institution_units() {
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    let p = Profile::parse(
        "t.toml",
        "name = \"x\"\nlayout = \"wide\"\n[identity]\nemployee_number = \"no\"\n[event]\ndate = \"d\"\n\
         [[items]]\ncolumn = \"WBC\"\nohcc = \"Ag0040000Z\"\nunit = \"x10^3/uL\"\n\
         [[items]]\ncolumn = \"RBC\"\nohcc = \"Ag0020000Z\"\nunit = \"10^6/μL\"\n\
         [[items]]\ncolumn = \"PLT\"\nohcc = \"Ag0050000Z\"\nunit = \"10*3/uL\"\n",
    )
    .unwrap();
    let f = parse("no,d,WBC,RBC,PLT\nA1,2024-05-01,6.5,4.52,245\n".as_bytes(), &p, "f", t, u).unwrap();
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let v = &f.visits[0];
    assert_eq!(
        value(v, "Ag0040000Z"),
        &ResultValue::Number { value: 6500.0, unit: "/uL".into(), comparator: None, flag: None, scale: Some(0) }
    );
    assert_eq!(
        value(v, "Ag0020000Z"),
        &ResultValue::Number { value: 452.0, unit: "10*4/uL".into(), comparator: None, flag: None, scale: Some(0) }
    );
    assert_eq!(
        value(v, "Ag0050000Z"),
        &ResultValue::Number { value: 24.5, unit: "10*4/uL".into(), comparator: None, flag: None, scale: Some(1) }
    );
}

/// Issue 11.21: the docs' `utf-8` is accepted beside `utf8` (and CP932's other names).
#[test]
fn encoding_names() {
    use iphr_convert::profile::EncodingName;
    let base = "name = \"x\"\nlayout = \"wide\"\n[identity]\nemployee_number = \"no\"\n[event]\ndate = \"d\"\n[[items]]\ncolumn = \"h\"\nohcc = \"Ac0010000Z\"\n";
    for (name, want) in [
        ("utf-8", EncodingName::Utf8),
        ("utf8", EncodingName::Utf8),
        ("UTF-8", EncodingName::Utf8),
        ("cp932", EncodingName::Cp932),
        ("shift_jis", EncodingName::Cp932),
        ("auto", EncodingName::Auto),
    ] {
        let p = Profile::parse("t", &format!("encoding = \"{name}\"\n{base}")).unwrap();
        assert_eq!(p.encoding, want, "{name}");
    }
    assert_eq!(Profile::parse("t", &format!("encoding = \"latin1\"\n{base}")).unwrap_err().field, "(file)");
}

mod fuzzish {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Arbitrary bytes and mangled fixture text never panic: they parse or give an error.
        #[test]
        fn arbitrary_input_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..900) {
            let t = ItemTable::embedded().unwrap();
            let u = UnitTable::embedded().unwrap();
            for (prof, fixture) in [("minato-wide.toml", "minato-wide.csv"), ("hokuto-long.toml", "hokuto-long.csv"), ("cc2x.toml", "cc2x.csv")] {
                let p = Profile::parse(prof, &std::fs::read_to_string(root().join("profiles").join(prof)).unwrap()).unwrap();
                let _ = parse(&bytes, &p, "x", t, u);
                let mut real = std::fs::read(root().join("fixtures/checkup-csv").join(fixture)).unwrap();
                real.truncate(cut.min(real.len()));
                real.extend_from_slice(&bytes);
                let _ = parse(&real, &p, "x", t, u);
            }
        }
    }
}
