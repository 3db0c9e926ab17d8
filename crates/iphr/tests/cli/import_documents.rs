//! Binary-level tests of `iphr import documents`, `iphr queue documents` and
//! `iphr queue assign-document`: a zip of scans goes on the workers' timelines, the unmatched wait
//! and are assigned by hand, the same bundle again is unchanged, the folder with a note is refused
//! unless --allow-partial, hostile bundles end in clear errors, and every step is audited.

use crate::common::{failed, fixture, run, succeeded};
use std::path::Path;
use std::process::{Command, Output};

const COMPANY: &str = "文書株式会社";
const PATTERN: &str = "{employee_number}_{date}_{title}.pdf";

fn iphr(dir: &Path, args: &[&str]) -> Output {
    run(dir, Some("d.db"), &[], args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    succeeded(iphr(dir, args), args).0
}

fn fails(dir: &Path, args: &[&str]) -> (String, String) {
    failed(iphr(dir, args), args)
}

#[test]
fn bundles_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    ok(dir, &["company", "add", COMPANY]);
    ok(dir, &["import", "hr", &fixture("hr/hr-2024.csv"), "--company", COMPANY, "--as-of", "2024-07-01"]);
    let help = ok(dir, &["import", "documents", "--help"]);
    assert!(help.contains("--pattern") && help.contains("{employee_number}"), "{help}");

    // A bad pattern is refused before anything is read.
    let (_, err) = fails(
        dir,
        &["import", "documents", &fixture("documents/clean.zip"), "--company", COMPANY, "--pattern", "{date}.pdf"],
    );
    assert!(err.contains("no {employee_number}"), "{err}");

    let zip = fixture("documents/clean.zip");
    let out = ok(dir, &["import", "documents", &zip, "--company", COMPANY, "--pattern", PATTERN]);
    assert!(
        out.contains("clean.zip: read 5, imported 5 (matched 2, unassigned 3), assigned 0, unchanged 0, rejected 0"),
        "{out}"
    );
    assert!(out.contains("A009999_2024-05-20_紹介状.pdf: unknown employee number A009999"), "{out}");
    // Again: unchanged.
    let out = ok(dir, &["import", "documents", &zip, "--company", COMPANY, "--pattern", PATTERN]);
    assert!(out.contains("read 5, imported 0 (matched 0, unassigned 0), assigned 0, unchanged 5"), "{out}");

    // The waiting documents, as JSON; assign the scanner's file to A000103.
    let json: serde_json::Value =
        serde_json::from_str(&ok(dir, &["queue", "documents", "--company", COMPANY, "--json"])).unwrap();
    let waiting = json["unassigned_documents"].as_array().unwrap();
    assert_eq!(waiting.len(), 3);
    let scan = waiting.iter().find(|w| w["original_path"] == "scan0001.pdf").unwrap();
    let id = scan["id"].as_str().unwrap();
    let out = ok(dir, &["queue", "assign-document", id, "--company", COMPANY, "--employee-number", "A000103"]);
    assert!(out.contains("scan0001.pdf") && out.contains("on the timeline"), "{out}");
    let (_, err) = fails(dir, &["queue", "assign-document", id, "--company", COMPANY, "--employee-number", "A000103"]);
    assert!(err.contains("no unassigned document"), "{err}");
    let text = ok(dir, &["queue", "documents", "--company", COMPANY]);
    assert!(text.starts_with("unassigned documents: 2"), "{text}");
    let stats: serde_json::Value = serde_json::from_str(&ok(dir, &["stats", "--json"])).unwrap();
    assert_eq!(stats["companies"][0]["events"]["attachment"], 3);

    // The folder holds a note: refused (exit status 1), the JSON report names entry, field, reason.
    let folder = fixture("documents/bundle");
    let pattern = "{employee_number}_{date}_{title}.*";
    let o = iphr(dir, &["import", "documents", &folder, "--company", COMPANY, "--pattern", pattern, "--json"]);
    assert!(!o.status.success());
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report[0]["outcome"], "refused");
    let e = &report[0]["report"]["errors"][0];
    assert_eq!((e["entry"].as_str(), e["field"].as_str()), (Some("面談メモ.txt"), Some("content_type")));
    assert!(e["file"].as_str().unwrap().ends_with("documents/bundle"));
    // With --allow-partial: the note is skipped and reported; the PNG now matches its worker.
    let out = ok(dir, &["import", "documents", &folder, "--company", COMPANY, "--pattern", pattern, "--allow-partial"]);
    assert!(
        out.contains("read 6, imported 0 (matched 0, unassigned 0), assigned 1, unchanged 4, rejected 1, skipped 1"),
        "{out}"
    );
    assert!(out.contains("error ") && out.contains(":面談メモ.txt [content_type] not a PDF"), "{out}");

    // Hostile bundles: clear errors, nothing written.
    for (f, says) in [
        ("documents/traversal.zip", "leaves the bundle (..)"),
        ("documents/truncated.zip", "not a readable zip archive"),
        ("documents/make.py", "neither a zip archive nor a folder"),
    ] {
        let (out, err) = fails(dir, &["import", "documents", &fixture(f), "--company", COMPANY, "--pattern", PATTERN]);
        assert!(out.contains(says) && out.contains("ERROR, nothing written"), "{f}: {out}");
        assert!(err.contains("1 of 1 bundles not imported"), "{err}");
    }
    let (out, _) = fails(
        dir,
        &["import", "documents", &fixture("documents/bomb.zip"), "--company", COMPANY, "--pattern", PATTERN],
    );
    assert!(out.contains("A000101_2024-05-10_bomb.pdf [size] larger than 52428800 bytes"), "{out}");
    let after: serde_json::Value = serde_json::from_str(&ok(dir, &["stats", "--json"])).unwrap();
    assert_eq!(after["companies"][0]["events"]["attachment"], 4);

    // Audited: the imports, the listing, the assignment.
    let db = dir.join("d.db");
    let conn = Command::new("sqlite3").arg(&db).arg("SELECT action FROM audit_log").output();
    if let Ok(o) = conn
        && o.status.success()
    {
        let actions = String::from_utf8(o.stdout).unwrap();
        for a in ["import documents", "read unassigned documents", "assign document"] {
            assert!(actions.lines().any(|l| l == a), "{a} in {actions}");
        }
    }
}
