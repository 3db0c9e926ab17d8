//! The shape of the code, checked (issue 12): a newcomer finds each feature in one place.
//!
//! - no source file over 800 lines outside tests and generated data;
//! - no import loop between the top-level modules of a crate (`crate::a` uses `crate::b` uses
//!   `crate::a`);
//! - the store, the web layer and the command line name the same features.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace root.
fn root() -> PathBuf {
    crate::common::root().canonicalize().expect("workspace root")
}

/// Every `.rs` file under a folder.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The source folders of the workspace's crates (a crate's `src`, and the store's shared SQL).
fn source_dirs() -> Vec<(String, PathBuf)> {
    let crates = root().join("crates");
    let mut out = vec![];
    for e in std::fs::read_dir(&crates).expect("crates").flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        out.push((name.clone(), e.path().join("src")));
        if name == "store" {
            out.push(("store/sql".into(), e.path().join("sql")));
        }
    }
    out.sort();
    out
}

/// Test code: a `tests.rs` module or a file under a `tests` folder.
fn is_test_file(p: &Path) -> bool {
    p.file_name().is_some_and(|n| n == "tests.rs") || p.components().any(|c| c.as_os_str() == "tests")
}

#[test]
fn no_source_file_is_over_800_lines() {
    let mut long = vec![];
    for (_, dir) in source_dirs() {
        for f in rust_files(&dir) {
            if is_test_file(&f) {
                continue;
            }
            let lines = std::fs::read_to_string(&f).expect("read").lines().count();
            if lines > 800 {
                long.push(format!("{} ({lines} lines)", f.strip_prefix(root()).unwrap_or(&f).display()));
            }
        }
    }
    assert!(long.is_empty(), "files over 800 lines: {long:#?}");
}

/// The top-level module of a file in a crate's `src` (`lib.rs`/`main.rs` are the root, `None`).
fn top_module(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?;
    let first = rel.components().next()?.as_os_str().to_string_lossy().to_string();
    let name = first.trim_end_matches(".rs").to_string();
    (name != "lib" && name != "main").then_some(name)
}

/// The top-level modules each top-level module of a crate refers to as `crate::…`.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in rust_files(src) {
        let Some(from) = top_module(src, &f) else { continue };
        let text = std::fs::read_to_string(&f).expect("read");
        for line in text.lines() {
            // Comments (and doc links) are not dependencies.
            let code = line.split("//").next().unwrap_or("");
            for (i, _) in code.match_indices("crate::") {
                let before = code[..i].chars().last();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // e.g. `iphr_store_crate::`
                }
                let to: String = code[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
                    .collect();
                if !to.is_empty() && to != from {
                    edges.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    edges
}

/// A cycle through `start`, if any (as the path of modules).
fn cycle_from(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_string(), vec![start.to_string()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in edges.get(&at).into_iter().flatten() {
            if next == start {
                let mut p = path.clone();
                p.push(next.clone());
                return Some(p);
            }
            if seen.insert(next.clone()) {
                let mut p = path.clone();
                p.push(next.clone());
                stack.push((next.clone(), p));
            }
        }
    }
    None
}

#[test]
fn no_import_loops_inside_a_crate() {
    let mut loops = vec![];
    for (name, dir) in source_dirs() {
        if name == "store/sql" {
            continue; // not a crate: its modules are the backends' `sql` module
        }
        let edges = module_graph(&dir);
        for m in edges.keys() {
            if let Some(c) = cycle_from(&edges, m) {
                loops.push(format!("{name}: {}", c.join(" → ")));
            }
        }
    }
    assert!(loops.is_empty(), "import loops: {loops:#?}");
}

#[test]
fn the_loop_finder_finds_loops() {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("auth".into()).or_default().insert("page".into());
    g.entry("page".into()).or_default().insert("access".into());
    assert_eq!(cycle_from(&g, "auth"), None);
    g.entry("access".into()).or_default().insert("auth".into());
    assert_eq!(cycle_from(&g, "auth"), Some(vec!["auth".into(), "page".into(), "access".into(), "auth".into()]));
}

/// The modules (files and folders) of a source folder, without `lib`, `main` and `mod`.
fn modules(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|n| !matches!(n.as_str(), "lib" | "main" | "mod"))
        .collect()
}

/// The store's aggregates name the features: every feature folder of the web layer and every
/// command module of the command line is an aggregate of the store, or one of the few that are
/// only presentation; the features users work in exist in all three.
#[test]
fn store_web_and_cli_name_the_same_features() {
    let r = root();
    let store = modules(&r.join("crates/store/src"));
    let web: BTreeSet<String> = std::fs::read_dir(r.join("crates/web/src"))
        .expect("web")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    let cli = modules(&r.join("crates/iphr/src/cli"));
    // Web only: the guard, the admin pages, the 面接指導 form (it writes records), the rules page
    // (the store's policy aggregate holds the rule tables' overrides).
    for w in &web {
        assert!(store.contains(w) || ["access", "admin", "interview", "rules"].contains(&w.as_str()), "web {w}");
    }
    // Command line only: the context, `serve` (the web) and `ohcc` (the code table, no data).
    for c in &cli {
        assert!(store.contains(c) || ["context", "serve", "ohcc"].contains(&c.as_str()), "cli {c}");
    }
    for shared in ["auth", "records", "postcheckup", "stress", "workstatus"] {
        assert!(store.contains(shared) && web.contains(shared) && cli.contains(shared), "{shared}");
    }
}
