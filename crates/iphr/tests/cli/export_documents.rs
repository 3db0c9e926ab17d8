//! Binary-level tests of `iphr export worker --format cda|fhir`: a worker imported from a checkup
//! CSV is exported as an MHLW CDA document and a FHIR Bundle; importing them into the same
//! database changes nothing, and into a fresh database (with the same HR file) gives the same
//! records. A demo worker's checkups go out as an MHLW archive and come back unchanged.

use crate::common::{failed, root, run, succeeded};
use std::path::Path;
use std::process::{Command, Output};

fn iphr(dir: &Path, db: &str, args: &[&str]) -> Output {
    run(dir, Some(db), &[], args)
}

fn ok(dir: &Path, db: &str, args: &[&str]) -> (String, String) {
    succeeded(iphr(dir, db, args), args)
}

fn fails(dir: &Path, db: &str, args: &[&str]) -> String {
    let (_, err) = failed(iphr(dir, db, args), args);
    assert!(err.starts_with("error: "), "{err}");
    err
}

const COMPANY: &str = "取込株式会社";

/// A database with the three workers of the HR fixture and, with `checkups`, their checkup CSV.
fn database(dir: &Path, db: &str, checkups: bool) {
    let r = root();
    ok(dir, db, &["company", "add", COMPANY]);
    let hr = r.join("fixtures/hr/hr-2024.csv").display().to_string();
    ok(dir, db, &["import", "hr", &hr, "--company", COMPANY, "--as-of", "2024-07-01"]);
    if checkups {
        let csv = r.join("fixtures/checkup-csv/minato-wide.csv").display().to_string();
        let profile = r.join("profiles/minato-wide.toml").display().to_string();
        ok(dir, db, &["import", "checkup-csv", &csv, "--company", COMPANY, "--profile", &profile]);
    }
}

/// The worker's data as the long CSV shows them, without the provenance columns (原コード,
/// 原データ), sorted.
fn records(dir: &Path, db: &str, worker: &str) -> Vec<String> {
    let (csv, _) = ok(dir, db, &["export", "worker", worker, "--company", COMPANY, "--kind", "checkup"]);
    let mut rows: Vec<String> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            [&f[..14], &f[16..]].concat().join(",")
        })
        .collect();
    rows.sort();
    rows
}

/// xmllint against the MHLW schema, skipped when xmllint is missing unless IPHR_REQUIRE_XMLLINT=1.
fn xmllint(file: &Path) {
    let have = Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    if !have {
        let required = std::env::var("IPHR_REQUIRE_XMLLINT").is_ok_and(|v| v == "1");
        assert!(!required, "xmllint is not installed and IPHR_REQUIRE_XMLLINT=1");
        eprintln!("skipped: xmllint is not installed; the exported CDA was not checked against hc08_V08.xsd");
        return;
    }
    let xsd = root().join("schemas/mhlw/hc08_V08.xsd");
    let o = Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(file).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The independent FHIR checks (scripts/validate-fhir: `fhir.resources` R4B models and the
/// eCheckup IG's invariants through `fhirpathpy`), skipped when Python or the packages are
/// missing unless IPHR_REQUIRE_FHIR_VALIDATOR=1 (CI installs them). Returns its summary line.
fn validate_fhir(file: &Path) -> Option<String> {
    let o = Command::new("python3").arg(root().join("scripts/validate-fhir")).arg(file).output();
    let required = std::env::var("IPHR_REQUIRE_FHIR_VALIDATOR").is_ok_and(|v| v == "1");
    match o {
        Ok(o) if o.status.code() == Some(2) || o.status.code().is_none() => {
            assert!(!required, "the FHIR validator cannot run: {}", String::from_utf8_lossy(&o.stderr));
            eprintln!("skipped: {}", String::from_utf8_lossy(&o.stderr).trim());
            None
        }
        Ok(o) => {
            let out = String::from_utf8_lossy(&o.stdout).to_string();
            assert!(o.status.success(), "{out}{}", String::from_utf8_lossy(&o.stderr));
            Some(out)
        }
        Err(e) => {
            assert!(!required, "python3 cannot run: {e}");
            eprintln!("skipped: python3 cannot run ({e}); the FHIR export was not validated");
            None
        }
    }
}

/// Issue 11.9: every Bundle the demo exports carries the IG's profiles and passes an independent
/// validator (R4B structure, the IG's 14 invariants, references).
#[test]
fn the_demos_fhir_bundles_validate() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    ok(dir, "demo.db", &["demo", "--companies", "2", "--workers", "25", "--years", "3", "--as-of", "2026-04-01"]);
    for company in ["株式会社みなと精機", "北九州化成株式会社"] {
        let zip = dir.join(format!("{company}.zip"));
        let (_, err) = ok(
            dir,
            "demo.db",
            &["export", "company", company, "--format", "fhir", "--output", &zip.display().to_string()],
        );
        assert!(!err.contains("do not meet eCheckup"), "the demo holds what the IG requires: {err}");
        if let Some(summary) = validate_fhir(&zip) {
            let n: usize = summary.split("validate-fhir: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
            assert!(n > 40, "{summary}");
            assert!(summary.contains(&format!("{n} Bundles, 0 failed")), "{summary}");
        }
    }
}

#[test]
fn cda_and_fhir_of_an_imported_worker_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    database(dir, "a.db", true);
    let worker = "A000101";
    let before = records(dir, "a.db", worker);
    assert_eq!(before.len(), 19);
    // Issue 11.5: numbers keep the decimals they were written with (腹囲 "84.0", 収縮期 "165H").
    assert!(before.iter().any(|r| r.contains(",Ac0030000Z,腹囲(実測),84.0,cm,")), "{before:?}");
    assert!(before.iter().any(|r| r.contains(",Af0010001A,収縮期血圧(1回目),165,mmHg,H,")), "{before:?}");
    let (nd, _) = ok(dir, "a.db", &["export", "worker", worker, "--company", COMPANY, "--format", "ndjson"]);
    let waist = nd.lines().find(|l| l.contains("\"Ac0030000Z\"")).unwrap();
    let waist: serde_json::Value = serde_json::from_str(waist).unwrap();
    assert_eq!((waist["text"].as_str(), waist["scale"].as_u64()), (Some("84.0"), Some(1)));

    // CDA to standard output: one checkup, one document; the comparator (<5) cannot go in.
    let (xml, err) = ok(dir, "a.db", &["export", "worker", worker, "--company", COMPANY, "--format", "cda"]);
    assert!(xml.starts_with("<?xml") && xml.contains("<ClinicalDocument xmlns=\"urn:hl7-org:v3\""), "{xml}");
    assert_eq!(err.trim(), "1 data not exportable in this format (comparator): Ah0030000Z γ-GT(γ-GTP)");
    let cda = dir.join("a000101.xml");
    std::fs::write(&cda, &xml).unwrap();
    xmllint(&cda);
    let cda = cda.display().to_string();
    let (out, _) = ok(dir, "a.db", &["import", "cda", &cda, "--company", COMPANY]);
    assert!(out.starts_with("a000101.xml: read 18, imported 0, unchanged 18, corrected 0, rejected 0"), "{out}");
    // Into a fresh database: the same records, but the one left out.
    database(dir, "b.db", false);
    let (out, _) = ok(dir, "b.db", &["import", "cda", &cda, "--company", COMPANY]);
    assert!(out.starts_with("a000101.xml: read 18, imported 18, unchanged 0"), "{out}");
    let expected: Vec<String> = before.iter().filter(|r| !r.contains(",Ah0030000Z,")).cloned().collect();
    assert_eq!(records(dir, "b.db", worker), expected);

    // FHIR to a file: every datum, the comparator too.
    let fhir = dir.join("a000101.json").display().to_string();
    let (_, err) =
        ok(dir, "a.db", &["export", "worker", worker, "--company", COMPANY, "--format", "fhir", "--output", &fhir]);
    // The HR file gives no 保険者番号: the one IG rule the Bundle cannot meet is said.
    assert_eq!(
        err,
        "1 of 1 Bundles do not meet eCheckup R1012 Patient.identifier: no 8-digit 保険者番号 is recorded for the worker\n"
    );
    let bundle: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&fhir).unwrap()).unwrap();
    assert_eq!((bundle["resourceType"].as_str(), bundle["type"].as_str()), (Some("Bundle"), Some("document")));
    let (out, _) = ok(dir, "a.db", &["import", "fhir", &fhir, "--company", COMPANY]);
    assert!(out.starts_with("a000101.json: read 19, imported 0, unchanged 19, corrected 0, rejected 0"), "{out}");
    database(dir, "c.db", false);
    let (out, _) = ok(dir, "c.db", &["import", "fhir", &fhir, "--company", COMPANY]);
    assert!(out.starts_with("a000101.json: read 19, imported 19, unchanged 0"), "{out}");
    assert_eq!(records(dir, "c.db", worker), before);

    // Refusals name what to do.
    let e = fails(
        dir,
        "a.db",
        &["export", "worker", worker, "--company", COMPANY, "--format", "cda", "--date", "2020-01-01"],
    );
    assert!(e.contains("no checkups with data of worker A000101 on 2020-01-01"), "{e}");
    let e = fails(
        dir,
        "a.db",
        &["export", "worker", worker, "--company", COMPANY, "--format", "fhir", "--kind", "stress_check"],
    );
    assert!(e.contains("checkups only"), "{e}");
    let e = fails(dir, "a.db", &["export", "worker", worker, "--company", COMPANY, "--date", "2024-06-10"]);
    assert!(e.contains("--date picks one checkup of a cda or fhir export"), "{e}");
}

#[test]
fn a_demo_workers_checkups_as_an_archive_come_back_unchanged() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    ok(dir, "demo.db", &["demo", "--workers", "12", "--years", "2", "--seed", "4", "--as-of", "2026-04-01"]);
    let company = "株式会社みなと精機";
    let base = ["export", "worker", "A000001", "--company", company, "--format", "cda"];
    // Several checkups: an archive or a date, said in one line.
    let e = fails(dir, "demo.db", &base);
    assert!(e.contains("give --date YYYY-MM-DD for one, or --output FILE.zip for all"), "{e}");
    assert_eq!(e.lines().count(), 1, "{e}");
    let zip = dir.join("a000001.zip").display().to_string();
    let (_, err) = ok(dir, "demo.db", &[&base[..], &["--output", &zip]].concat());
    assert!(err.contains("data not exportable in this format (no code): Az0010000Z 総合判定(診断区分) ×2"), "{err}");
    let (out, _) = ok(dir, "demo.db", &["import", "cda", &zip, "--company", company]);
    let read: usize = out.split("read ").nth(1).unwrap().split(',').next().unwrap().parse().unwrap();
    assert!(read > 20, "{out}");
    assert!(out.contains(&format!("imported 0, unchanged {read}, corrected 0, rejected 0")), "{out}");
    // One checkup by date, as FHIR: unchanged too.
    let csv = ok(dir, "demo.db", &["export", "worker", "A000001", "--company", company, "--kind", "checkup"]).0;
    let date = csv.lines().nth(1).unwrap().split(',').nth(5).unwrap().to_string();
    let fhir = dir.join("one.json").display().to_string();
    ok(
        dir,
        "demo.db",
        &["export", "worker", "A000001", "--company", company, "--format", "fhir", "--date", &date, "--output", &fhir],
    );
    let (out, _) = ok(dir, "demo.db", &["import", "fhir", &fhir, "--company", company]);
    assert!(out.contains("imported 0, unchanged") && out.contains("corrected 0, rejected 0"), "{out}");
    // A company's checkups as one archive.
    let all = dir.join("company.zip").display().to_string();
    ok(dir, "demo.db", &["export", "company", company, "--format", "cda", "--output", &all]);
    let (out, _) = ok(dir, "demo.db", &["import", "cda", &all, "--company", company]);
    assert!(out.contains("imported 0, unchanged") && out.contains("queued 0"), "{out}");
}
