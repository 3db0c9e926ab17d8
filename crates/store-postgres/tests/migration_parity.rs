//! Both backends' migration folders list the same versions and end with the same tables,
//! columns and indexes.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn schema(dir: &Path) -> (Vec<String>, BTreeMap<String, Vec<String>>, BTreeSet<String>) {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let mut tables = BTreeMap::new();
    let mut indexes = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(dir.join(f)).expect("read migration");
        let mut current: Option<String> = None;
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
                let name = rest.split_whitespace().next().unwrap_or_default().to_string();
                tables.insert(name.clone(), Vec::new());
                current = Some(name);
            } else if let Some(rest) = line.strip_prefix("ALTER TABLE ") {
                let mut w = rest.split_whitespace();
                let table = w.next().unwrap_or_default().to_string();
                if w.next() == Some("ADD") && w.next() == Some("COLUMN") {
                    let col = w.next().unwrap_or_default().to_string();
                    tables.get_mut(&table).expect("altered table exists").push(col);
                }
            } else if let Some(rest) = line.strip_prefix("CREATE INDEX ") {
                indexes.insert(rest.split_whitespace().next().unwrap_or_default().to_string());
            } else if line.starts_with(')') {
                current = None;
            } else if let Some(t) = &current {
                let first = line.split_whitespace().next().unwrap_or_default();
                if !first.is_empty() && !["PRIMARY", "UNIQUE", "FOREIGN", "CONSTRAINT", "CHECK", "--"].contains(&first)
                {
                    tables.get_mut(t).expect("table").push(first.to_string());
                }
            }
        }
    }
    (files, tables, indexes)
}

#[test]
fn sqlite_and_postgres_migrations_match() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (pf, pt, pi) = schema(&here.join("migrations"));
    let (sf, st, si) = schema(&here.join("../store-sqlite/migrations"));
    assert_eq!(pf, sf, "same migration versions");
    assert_eq!(pt, st, "same tables and columns, in the same order");
    assert_eq!(pi, si, "same indexes");
    assert!(pt.len() >= 15, "the foundation tables are parsed: {:?}", pt.keys());
    // Every tenant-scoped table starts with company_id.
    for (t, cols) in &pt {
        let tenant_scoped = ![
            "companies",
            "persons",
            "person_merges",
            "users",
            "user_companies",
            "sessions",
            "login_attempts",
            "audit_log",
        ]
        .contains(&t.as_str());
        if tenant_scoped {
            assert_eq!(cols.first().map(String::as_str), Some("company_id"), "{t} keys on company_id first");
        }
    }
}
