//! Document bundles: patterns, paths, content sniffing and zip reading never panic on arbitrary
//! input; crafted archives (zip bombs, traversal names, truncation) end in errors.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use iphr_convert::documents::{BundleError, ContentType, EntryError, Limits, Pattern, ZipBundle, safe_path};
use proptest::prelude::*;
use std::io::{Cursor, Write};

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            z.start_file(*name, opts).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

/// Each entry's path and what reading it gave.
type Read = Vec<(String, Result<Vec<u8>, EntryError>)>;

fn read_all(bytes: &[u8], limits: Limits) -> Result<Read, BundleError> {
    let mut b = ZipBundle::open(Cursor::new(bytes), limits)?;
    let entries = b.entries()?;
    Ok(entries.into_iter().map(|e| (e.path.clone(), b.read(e.index))).collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn patterns_and_paths_never_panic(pattern in "[{}a-z_*:%YmdH/.\\\\-]{0,40}", path in "\\PC{0,80}") {
        if let Ok(p) = Pattern::parse(&pattern) {
            let _ = p.match_path(&path);
        }
        let _ = safe_path(&path);
        let _ = ContentType::sniff(path.as_bytes());
    }

    #[test]
    fn known_pattern_on_any_path(path in "\\PC{0,120}") {
        let p = Pattern::parse("{employee_number}_{date}_{title}.pdf").unwrap();
        if let Some(m) = p.match_path(&path) {
            prop_assert!(m.employee_number.is_some() && m.date.is_some() && m.title.is_some());
        }
    }

    #[test]
    fn zip_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), cut in 0usize..2000) {
        let _ = read_all(&bytes, Limits::default());
        let mut real = zip_of(&[("A000101_2024-05-10_健診.pdf", b"%PDF-1.4 tiny"), ("x.png", b"\x89PNG\r\n\x1a\n")]);
        real.truncate(cut.min(real.len()));
        real.extend_from_slice(&bytes);
        let _ = read_all(&real, Limits::default());
    }
}

#[test]
fn a_zip_bomb_is_refused_or_capped() {
    let big = vec![0u8; 8 * 1024 * 1024];
    let bytes = zip_of(&[("A000101_2024-05-10_x.pdf", &big)]);
    assert!(bytes.len() < 100_000, "the bomb is small: {}", bytes.len());
    let limits = Limits { max_document: 1024 * 1024, max_total: 4 * 1024 * 1024, max_entries: 100 };
    let r = read_all(&bytes, limits).unwrap();
    assert_eq!(r[0].1, Err(EntryError::TooLarge { max: 1024 * 1024 }));
    // Many documents under the per-document cap but over the total.
    let chunk = vec![0u8; 1024 * 1024];
    let names: Vec<String> = (0..6).map(|i| format!("A{i}_2024-05-10_x.pdf")).collect();
    let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), chunk.as_slice())).collect();
    let r = read_all(&zip_of(&entries), limits);
    assert!(matches!(r, Err(BundleError::TooLarge(_))), "{r:?}");
    let limits = Limits { max_entries: 3, ..limits };
    assert!(matches!(read_all(&zip_of(&entries), limits), Err(BundleError::TooLarge(_))));
}

#[test]
fn traversal_and_truncation_are_refused() {
    let bytes = zip_of(&[("ok.pdf", b"%PDF-1.4"), ("../evil.pdf", b"%PDF-1.4")]);
    let r = read_all(&bytes, Limits::default());
    assert!(matches!(&r, Err(BundleError::UnsafeName { entry, .. }) if entry == "../evil.pdf"), "{r:?}");
    let good = zip_of(&[("ok.pdf", b"%PDF-1.4")]);
    let r = read_all(&good[..good.len() / 2], Limits::default());
    assert!(matches!(r, Err(BundleError::Unreadable(_))), "{r:?}");
    assert!(matches!(read_all(b"%PDF-1.4 not a zip", Limits::default()), Err(BundleError::Unreadable(_))));
}
