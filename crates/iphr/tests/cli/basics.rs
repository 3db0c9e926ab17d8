//! Binary-level tests of the `iphr` command in temporary folders.

use crate::common::{failed, run, succeeded};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn iphr(dir: &Path, args: &[&str]) -> Output {
    run(dir, None, &[], args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    succeeded(iphr(dir, args), args).0
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let (_, err) = failed(iphr(dir, args), args);
    assert_eq!(err.lines().count(), 1, "one clear line, got: {err}");
    assert!(err.starts_with("error: "), "{err}");
    err
}

#[test]
fn default_database_is_created_in_iphr_data() {
    let d = tempfile::tempdir().unwrap();
    let out = ok(d.path(), &["migrate"]);
    assert_eq!(out.trim(), "migrations applied (sqlite)");
    assert!(d.path().join("iphr-data/iphr.db").exists());
    // Twice: nothing to do, no error.
    ok(d.path(), &["migrate"]);
}

#[test]
fn demo_is_deterministic_and_refuses_to_overwrite() {
    let d = tempfile::tempdir().unwrap();
    let a = "sqlite://a.db";
    let b = "sqlite://b.db";
    let args = ["demo", "--workers", "40", "--years", "2", "--seed", "7", "--as-of", "2026-04-01"];
    ok(d.path(), &[&["--database-url", a], &args[..]].concat());
    ok(d.path(), &[&["--database-url", b], &args[..]].concat());
    let sa = ok(d.path(), &["--database-url", a, "stats", "--json"]);
    let sb = ok(d.path(), &["--database-url", b, "stats", "--json"]);
    assert_eq!(sa, sb, "same seed and as-of, same data");
    let v: serde_json::Value = serde_json::from_str(&sa).unwrap();
    assert_eq!(v["persons"], 40);
    let companies = v["companies"].as_array().unwrap();
    assert_eq!(companies.len(), 3);
    let emps: Vec<u64> = companies.iter().map(|c| c["employments"].as_u64().unwrap()).collect();
    let mut sorted = emps.clone();
    sorted.sort();
    assert_eq!(sorted, vec![10, 10, 20], "the first company gets half");
    for c in companies {
        for kind in ["checkup", "stress_check", "attendance_month", "workplace_patrol"] {
            assert!(c["events"][kind].as_u64().unwrap_or(0) > 0, "{kind} in {}", c["name"]);
        }
    }
    assert_eq!(v["users"]["physician"], 1);
    // A different seed gives different data.
    let c = "sqlite://c.db";
    ok(
        d.path(),
        &["--database-url", c, "demo", "--workers", "40", "--years", "2", "--seed", "8", "--as-of", "2026-04-01"],
    );
    assert_ne!(ok(d.path(), &["--database-url", c, "stats", "--json"]), sa);
    // Refuses on a database with data, unless --replace.
    let err = fails(d.path(), &[&["--database-url", a], &args[..]].concat());
    assert!(err.contains("--replace"), "{err}");
    ok(d.path(), &[&["--database-url", a], &args[..], &["--replace"]].concat());
    assert_eq!(ok(d.path(), &["--database-url", a, "stats", "--json"]), sa);
}

#[test]
fn companies_and_users() {
    let d = tempfile::tempdir().unwrap();
    let out = ok(d.path(), &["company", "add", "株式会社テスト"]);
    let (id, name) = out.trim().split_once('\t').unwrap();
    assert_eq!(name, "株式会社テスト");
    ok(d.path(), &["company", "add", "第二商事"]);
    let list = ok(d.path(), &["company", "list"]);
    assert!(list.contains(id) && list.contains("第二商事"));
    let json: serde_json::Value = serde_json::from_str(&ok(d.path(), &["company", "list", "--json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);

    ok(
        d.path(),
        &[
            "user",
            "add",
            "doc",
            "--role",
            "physician",
            "--company",
            id,
            "--password",
            "long-enough-1",
            "--name",
            "医師",
        ],
    );
    ok(d.path(), &["user", "add", "hr", "--role", "hr", "--company", "第二商事", "--password", "long-enough-2"]);
    // A checkup institution serves the companies that contract it, one or more.
    let e = fails(d.path(), &["user", "add", "kenshin", "--role", "institution", "--password", "long-enough-3"]);
    assert!(e.contains("at least one --company"), "{e}");
    ok(d.path(), &["user", "add", "kenshin", "--role", "institution", "--company", id, "--password", "long-enough-3"]);
    let out = ok(d.path(), &["user", "assign", "kenshin", "--company", "第二商事"]);
    assert!(out.contains("kenshin → 第二商事"), "{out}");
    let e =
        fails(d.path(), &["user", "add", "doc", "--role", "physician", "--company", id, "--password", "long-enough-1"]);
    assert!(e.contains("taken"), "{e}");
    let e = fails(d.path(), &["user", "add", "x", "--role", "hr", "--password", "long-enough-1"]);
    assert!(e.contains("exactly one company"), "{e}");
    let e = fails(
        d.path(),
        &["user", "add", "x", "--role", "nurse", "--company", "nowhere", "--password", "long-enough-1"],
    );
    assert!(e.contains("no company"), "{e}");
    let e = fails(d.path(), &["user", "add", "x", "--role", "physician", "--company", id, "--password", "short"]);
    assert!(e.contains("8 characters"), "{e}");
    let e = fails(d.path(), &["user", "add", "w", "--role", "worker", "--password", "long-enough-1"]);
    assert!(e.contains("--person"), "{e}");
    let e = fails(d.path(), &["user", "assign", "hr", "--company", id]);
    assert!(e.contains("only a physician, nurse or checkup institution"), "{e}");
    let out = ok(d.path(), &["user", "assign", "doc", "--company", "第二商事"]);
    assert_eq!(out.trim(), "doc → 第二商事");
    let users: serde_json::Value = serde_json::from_str(&ok(d.path(), &["user", "list", "--json"])).unwrap();
    let doc = users.as_array().unwrap().iter().find(|u| u["login"] == "doc").unwrap();
    assert_eq!(doc["companies"].as_array().unwrap().len(), 2);
    assert!(doc.get("password_hash").is_none(), "hashes are never printed");

    // Password from stdin.
    let mut child = Command::new(env!("CARGO_BIN_EXE_iphr"))
        .current_dir(d.path())
        .env_remove("IPHR_DATABASE_URL")
        .env_remove("IPHR_PASSWORD")
        .args(["user", "passwd", "doc"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"from-stdin-123\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e = fails(d.path(), &["user", "passwd", "nobody", "--password", "long-enough-1"]);
    assert!(e.contains("no user"), "{e}");
}

#[test]
fn errors_are_one_line() {
    let d = tempfile::tempdir().unwrap();
    let e = fails(d.path(), &["--database-url", "mysql://x", "stats"]);
    assert!(e.contains("unsupported database URL"), "{e}");
    let e = fails(d.path(), &["demo", "--companies", "0"]);
    assert!(e.contains("--companies"), "{e}");
    let e = fails(d.path(), &["demo", "--workers", "2", "--companies", "3"]);
    assert!(e.contains("--workers"), "{e}");
    let e = fails(d.path(), &["--database-url", "postgres://nobody@127.0.0.1:1/none", "stats"]);
    assert!(e.contains("PostgreSQL"), "{e}");
}

#[test]
fn serve_answers_healthz() {
    let d = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_iphr"))
        .current_dir(d.path())
        .env_remove("IPHR_DATABASE_URL")
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answered = None;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::Read;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            answered = Some(buf);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let r = answered.expect("iphr serve listened");
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert!(r.ends_with("ok"), "{r}");
}

/// `iphr demo --seed 7 --as-of 2026-04-01` then `iphr stats --json` print the same on SQLite and
/// PostgreSQL. Runs when IPHR_TEST_PG_URL names a server (a fresh database per run).
#[test]
fn demo_stats_identical_on_sqlite_and_postgres() {
    let Ok(admin) = std::env::var("IPHR_TEST_PG_URL") else {
        println!("PostgreSQL part skipped: IPHR_TEST_PG_URL is not set");
        return;
    };
    let name = format!("iphr_cli_{}", std::process::id());
    let psql =
        |sql: &str| Command::new("psql").args([admin.as_str(), "-qAtc", sql]).output().expect("psql").status.success();
    assert!(psql(&format!("DROP DATABASE IF EXISTS {name}")));
    assert!(psql(&format!("CREATE DATABASE {name}")));
    let base = admin.rsplit_once('/').map(|(b, _)| b.to_string()).unwrap();
    let pg = format!("{base}/{name}");
    let d = tempfile::tempdir().unwrap();
    let args = ["demo", "--workers", "60", "--years", "2", "--seed", "7", "--as-of", "2026-04-01"];
    ok(d.path(), &[&["--database-url", "sqlite://s.db"], &args[..]].concat());
    ok(d.path(), &[&["--database-url", pg.as_str()], &args[..]].concat());
    let s = ok(d.path(), &["--database-url", "sqlite://s.db", "stats", "--json"]);
    let p = ok(d.path(), &["--database-url", pg.as_str(), "stats", "--json"]);
    psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    assert_eq!(s, p, "stats differ between SQLite and PostgreSQL");
    println!("demo stats identical on SQLite and PostgreSQL");
}

#[test]
fn policy_show_and_override() {
    let d = tempfile::tempdir().unwrap();
    ok(d.path(), &["company", "add", "規程テスト株式会社"]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(d.path(), &["policy", "show", "--company", "規程テスト株式会社", "--json"])).unwrap();
    assert_eq!(v["base_edition"], "policy-default-2018-v1");
    let cell = |v: &serde_json::Value, role: &str, class: &str| {
        v["rows"].as_array().unwrap().iter().find(|r| r["role"] == role && r["info_class"] == class).unwrap().clone()
    };
    assert_eq!(cell(&v, "hr", "class2")["access"], "deny");
    assert_eq!(cell(&v, "health_manager", "class3")["access"], "consent_required");
    assert_eq!(cell(&v, "admin", "class1")["access"], "deny");
    let out = ok(
        d.path(),
        &[
            "policy",
            "set",
            "--company",
            "規程テスト株式会社",
            "--role",
            "health_manager",
            "--class",
            "class2",
            "--access",
            "allow_processed",
        ],
    );
    assert_eq!(out.trim(), "規程テスト株式会社: health_manager × class2 → allow_processed");
    let v: serde_json::Value =
        serde_json::from_str(&ok(d.path(), &["policy", "show", "--company", "規程テスト株式会社", "--json"])).unwrap();
    let c = cell(&v, "health_manager", "class2");
    assert_eq!((c["access"].as_str(), c["overridden"].as_bool()), (Some("allow_processed"), Some(true)));
    let e = fails(
        d.path(),
        &[
            "policy",
            "set",
            "--company",
            "規程テスト株式会社",
            "--role",
            "admin",
            "--class",
            "class1",
            "--access",
            "allow",
        ],
    );
    assert!(e.contains("admin never reads"), "{e}");
    let o = iphr(
        d.path(),
        &["policy", "set", "--company", "規程テスト株式会社", "--role", "hr", "--class", "class9", "--access", "allow"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("class9"));
}

#[test]
fn import_checkup_csv_reports_and_refuses() {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let fixture = |n: &str| root.join("fixtures/checkup-csv").join(n).display().to_string();
    let profile = root.join("profiles/minato-wide.toml").display().to_string();
    ok(d.path(), &["company", "add", "取込株式会社"]);
    // Nobody is employed yet: every visit is held for identity review, nothing is lost.
    let out = ok(
        d.path(),
        &[
            "import",
            "checkup-csv",
            &fixture("minato-wide.csv"),
            "--company",
            "取込株式会社",
            "--profile",
            &profile,
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v[0]["outcome"], "imported");
    assert_eq!((v[0]["report"]["read"].as_u64(), v[0]["report"]["queued"].as_u64()), (Some(3), Some(3)));
    let q = ok(d.path(), &["queue", "list", "--company", "取込株式会社"]);
    assert!(q.starts_with("identity review: 3 record(s)"), "{q}");
    assert!(q.contains("line 2  unknown  2024-06-10  19 result(s)"), "{q}");
    // Row errors refuse the file, naming file, line and field; exit non-zero.
    let o = iphr(
        d.path(),
        &[
            "import",
            "checkup-csv",
            &fixture("minato-wide-errors.csv"),
            "--company",
            "取込株式会社",
            "--profile",
            &profile,
        ],
    );
    assert!(!o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("REFUSED, nothing written"), "{text}");
    assert!(text.contains("error minato-wide-errors.csv:2 [受診日]"), "{text}");
    assert!(text.contains("error minato-wide-errors.csv:3 [身長] \"abc\" is not a number"), "{text}");
    // With --allow-partial the good rows go in (here: held, since nobody is employed).
    let out = ok(
        d.path(),
        &[
            "import",
            "checkup-csv",
            &fixture("minato-wide-errors.csv"),
            "--company",
            "取込株式会社",
            "--profile",
            &profile,
            "--allow-partial",
        ],
    );
    assert!(out.contains("rejected 2") && out.contains("queued 1"), "{out}");
    // A bad profile is one clear line.
    let bad = d.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\nlayout = \"wide\"\n[identity]\nemployee_number = \"no\"\n[event]\ndate = \"d\"\n",
    )
    .unwrap();
    let e = fails(
        d.path(),
        &[
            "import",
            "checkup-csv",
            &fixture("minato-wide.csv"),
            "--company",
            "取込株式会社",
            "--profile",
            &bad.display().to_string(),
        ],
    );
    assert!(e.contains("items: a wide profile lists its items"), "{e}");
}

#[test]
fn import_hr_then_checkups() {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let hr = |n: &str| root.join("fixtures/hr").join(n).display().to_string();
    ok(d.path(), &["company", "add", "人事株式会社"]);
    let out = ok(d.path(), &["import", "hr", &hr("hr-2024.csv"), "--company", "人事株式会社", "--as-of", "2024-07-01"]);
    assert_eq!(out.trim(), "hr-2024.csv: read 3, created 3, updated 0, unchanged 0, rejected 0 — imported (CP932)");
    let out = ok(
        d.path(),
        &["import", "hr", &hr("hr-2025.csv"), "--company", "人事株式会社", "--as-of", "2025-04-01", "--dry-run"],
    );
    assert!(out.contains("updated 3") && out.contains("dry run"), "{out}");
    let o = iphr(d.path(), &["import", "hr", &hr("hr-errors.csv"), "--company", "人事株式会社"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("error hr-errors.csv:2 [有害業務] unknown agent \"ベンジン\""));
    let profile = root.join("profiles/minato-wide.toml").display().to_string();
    let csv = root.join("fixtures/checkup-csv/minato-wide.csv").display().to_string();
    let out = ok(d.path(), &["import", "checkup-csv", &csv, "--company", "人事株式会社", "--profile", &profile]);
    assert!(
        out.starts_with(
            "minato-wide.csv: read 3, imported 56, unchanged 0, corrected 0, rejected 0, unmapped 0, queued 0"
        ),
        "{out}"
    );
    let e = fails(
        d.path(),
        &["queue", "map", "--company", "人事株式会社", "--source-system", "x", "--code", "K1", "--item", "Zz0010000Z"],
    );
    assert!(e.contains("not in the OHCC table"), "{e}");
    let stats: serde_json::Value = serde_json::from_str(&ok(d.path(), &["stats", "--json"])).unwrap();
    assert_eq!(stats["persons"], 3);
    assert_eq!(stats["companies"][0]["events"]["checkup"], 3);
    assert_eq!(stats["companies"][0]["observations"], 56);
}

#[test]
fn import_attendance_monthly_and_daily() {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let f = |dir: &str, n: &str| root.join("fixtures").join(dir).join(n).display().to_string();
    ok(d.path(), &["company", "add", "勤怠株式会社"]);
    ok(d.path(), &["import", "hr", &f("hr", "hr-2024.csv"), "--company", "勤怠株式会社", "--as-of", "2024-07-01"]);
    let out = ok(
        d.path(),
        &[
            "import",
            "attendance",
            &f("attendance", "attendance-monthly.csv"),
            &f("attendance", "attendance-daily.csv"),
            "--company",
            "勤怠株式会社",
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("attendance-monthly.csv: read 3, imported 15,"), "{out}");
    assert!(lines[1].starts_with("attendance-daily.csv: read 7, imported 5,"), "{out}");
    let o = iphr(
        d.path(),
        &["import", "attendance", &f("attendance", "attendance-daily-errors.csv"), "--company", "勤怠株式会社"],
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("error attendance-daily-errors.csv:2 [退勤]"));
    let stats: serde_json::Value = serde_json::from_str(&ok(d.path(), &["stats", "--json"])).unwrap();
    assert_eq!(stats["companies"][0]["events"]["attendance_month"], 4);
}

#[test]
fn person_merge_and_undo_by_a_physician_only() {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    ok(d.path(), &["company", "add", "統合株式会社"]);
    ok(
        d.path(),
        &[
            "import",
            "hr",
            &root.join("fixtures/hr/hr-2024.csv").display().to_string(),
            "--company",
            "統合株式会社",
            "--as-of",
            "2024-07-01",
        ],
    );
    ok(
        d.path(),
        &["user", "add", "doc", "--role", "physician", "--company", "統合株式会社", "--password", "long-enough-1"],
    );
    ok(d.path(), &["user", "add", "hr", "--role", "hr", "--company", "統合株式会社", "--password", "long-enough-1"]);
    let list = ok(d.path(), &["person", "list", "--company", "統合株式会社"]);
    let id = |no: &str| list.lines().find(|l| l.contains(no)).unwrap().split('\t').next().unwrap().to_string();
    let (a, b) = (id("A000101"), id("A000102"));
    let e = fails(d.path(), &["person", "merge", "--keep", &a, "--merge", &b, "--as", "hr"]);
    assert!(e.contains("may not merge"), "{e}");
    let out = ok(d.path(), &["person", "merge", "--keep", &a, "--merge", &b, "--as", "doc"]);
    let merge_id = out.split_whitespace().nth(1).unwrap().trim_end_matches(':').to_string();
    let list = ok(d.path(), &["person", "list", "--company", "統合株式会社"]);
    assert_eq!(
        list.lines().filter(|l| l.starts_with(&a)).count(),
        2,
        "both employments under the kept person:\n{list}"
    );
    ok(d.path(), &["person", "unmerge", &merge_id, "--as", "doc"]);
    let list = ok(d.path(), &["person", "list", "--company", "統合株式会社"]);
    assert_eq!(list.lines().filter(|l| l.starts_with(&b)).count(), 1, "separate again:\n{list}");
    let e = fails(d.path(), &["person", "unmerge", &merge_id, "--as", "doc"]);
    assert!(e.contains("undone already"), "{e}");
}

#[test]
fn export_round_trips_and_survives_a_closed_pipe() {
    let d = tempfile::tempdir().unwrap();
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    ok(d.path(), &["demo", "--workers", "12", "--years", "2", "--seed", "4", "--as-of", "2026-04-01"]);
    let company = "株式会社みなと精機";
    let out = d.path().join("checkups.csv").display().to_string();
    ok(d.path(), &["export", "company", company, "--kind", "checkup", "--output", &out]);
    let csv = std::fs::read_to_string(&out).unwrap();
    let rows = csv.lines().count() - 1;
    assert!(rows > 100, "{rows} rows");
    assert!(csv.starts_with("社員番号,氏名,カナ,生年月日,性別,日付,種別,区分,項目コード"));
    // Importing the export gives the same records: everything unchanged.
    let profile = root.join("profiles/iphr-export.toml").display().to_string();
    let report = ok(d.path(), &["import", "checkup-csv", &out, "--company", company, "--profile", &profile]);
    assert!(
        report
            .starts_with(&format!("checkups.csv: read {rows}, imported 0, unchanged {rows}, corrected 0, rejected 0")),
        "{report}"
    );
    // NDJSON of one worker: one object per line.
    let nd = ok(d.path(), &["export", "worker", "A000001", "--company", company, "--format", "ndjson"]);
    assert!(nd.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["employee_number"] == "A000001"));
    let e = fails(d.path(), &["export", "worker", "Z999", "--company", company]);
    assert!(e.contains("no worker"), "{e}");
    // Regression: a reader that closes early (`| head`) made the export panic on a broken pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_iphr"))
        .current_dir(d.path())
        .env_remove("IPHR_DATABASE_URL")
        .args(["export", "company", company, "--format", "ndjson"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn judge_hours_and_the_stress_check_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    ok(d.path(), &["demo", "--workers", "40", "--years", "2", "--seed", "3", "--as-of", "2026-04-01"]);
    let company = "株式会社みなと精機";
    // Judging again changes nothing (the demo judged as of its date).
    let out = ok(d.path(), &["judge", "--company", company]);
    assert!(out.contains("new 0, changed 0"), "{out}");
    let csv = ok(d.path(), &["export", "judgements", "--company", company, "--latest"]);
    assert!(
        csv.starts_with("employee_number,checkup_date,checkup_kind,item,label_ja,edition,source,value,unit,category"),
        "{csv}"
    );
    let json = ok(d.path(), &["export", "judgements", "--company", company, "--format", "json", "--latest"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
    let e = fails(d.path(), &["rules", "show", "--table", "nope"]);
    assert!(e.contains("no rule table"), "{e}");

    // Hours of a month: every worker with attendance; a flag for every month over 80 h.
    let csv = ok(d.path(), &["hours", "--company", company, "--month", "2026-03"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "employee_number,name,month,work_regime,overtime_holiday,statutory_overtime,holiday,night_shifts,year_statutory_overtime,over45_months,max_average_months,max_average,flags"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert!(rows.len() >= 10, "{csv}");
    for r in &rows {
        let f: Vec<&str> = r.split(',').collect();
        let oh: f64 = f[4].parse().unwrap();
        assert_eq!(oh > 80.0, f[12].contains("interview_notice:notice"), "{r}");
        // 研究開発業務 (the demo's R&D departments, from the HR data) is exempt from the caps.
        if f[3] == "rnd" {
            assert!(!f[12].contains("month_100") && !f[12].contains("month_45"), "{r}");
        }
    }
    let e = fails(d.path(), &["hours", "--company", company, "--month", "2026/03"]);
    assert!(e.contains("YYYY-MM"), "{e}");

    // A campaign, its results and the group analysis.
    let e = fails(
        d.path(),
        &[
            "stresscheck",
            "campaign",
            "create",
            "--company",
            company,
            "--name",
            "FY2025",
            "--from",
            "2025-04-01",
            "--to",
            "2026-03-31",
            "--method",
            "soten",
            "--implementer",
            "jinji",
        ],
    );
    assert!(e.contains("実施者"), "{e}");
    // The demo's campaigns cover that year: an overlapping one is refused (issue 11.20).
    let e = fails(
        d.path(),
        &[
            "stresscheck",
            "campaign",
            "create",
            "--company",
            company,
            "--name",
            "FY2025",
            "--from",
            "2025-04-01",
            "--to",
            "2026-03-31",
            "--method",
            "soten",
            "--implementer",
            "doctor",
        ],
    );
    assert!(e.contains("overlaps the campaign"), "{e}");
    let list: serde_json::Value =
        serde_json::from_str(&ok(d.path(), &["stresscheck", "campaign", "list", "--company", company])).unwrap();
    let id = list.as_array().unwrap().iter().find(|c| c["name"] == "前年度ストレスチェック").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let id = id.as_str();
    let csv = ok(d.path(), &["stresscheck", "results", "--campaign", id]);
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("employee_number,name,sex,department,answered_on,sum_a,sum_b,sum_c,high_stress_sum"),
        "{header}"
    );
    assert!(header.contains("A_QUANT_raw") && header.contains("D_SATIS_level"), "{header}");
    assert!(csv.lines().count() > 5, "{csv}");
    let json = ok(d.path(), &["stresscheck", "groups", "--campaign", id, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let all = v.as_array().unwrap().iter().find(|g| g["group"] == "全体").unwrap();
    assert!(all["n"].as_u64().unwrap() > 5);
    assert!(all["total_risk"].as_f64().unwrap() > 0.0);
    let report = ok(d.path(), &["stresscheck", "report", "--campaign", id]);
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert!(v["検査を受けた労働者数"].as_u64().unwrap() > 5, "{report}");
    assert!(v["在籍労働者数"].as_u64().unwrap() >= v["検査を受けた労働者数"].as_u64().unwrap(), "{report}");
    assert_eq!(v["集団ごとの分析の実施の有無"], 1);
    // Reminders (受検勧奨) to those who have not answered: one line per worker reminded.
    let out = ok(d.path(), &["stresscheck", "remind", "--campaign", id]);
    let n: usize = out.split_whitespace().next().and_then(|x| x.parse().ok()).unwrap();
    assert!(out.starts_with(&format!("{n} workers reminded")) && out.lines().count() == n + 1, "{out}");
    let e = fails(d.path(), &["stresscheck", "results", "--campaign", "0190a000-0000-7000-8000-000000000000"]);
    assert!(e.contains("no stress-check campaign"), "{e}");

    // Special checkups from exposures and night work: every row has a statute, a due date and a
    // status; the demo's solvent workers are examined every six months.
    let csv = ok(d.path(), &["special-checkups", "--company", company, "--as-of", "2026-04-01"]);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("employee_number,name,regulation,checkup,last,due,status"));
    let rows: Vec<&str> = lines.collect();
    assert!(rows.iter().any(|r| r.contains(",有機則,有機溶剤等健康診断,")), "{csv}");
    assert!(rows.iter().any(|r| r.contains(",深夜業,")), "{csv}");
    for r in &rows {
        assert!(r.ends_with(",overdue") || r.ends_with(",due_soon") || r.ends_with(",scheduled"), "{r}");
    }

    // Work-environment results: a bad file is refused naming line and field, nothing written; the
    // good one imports once, then is unchanged.
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/work-environment");
    let bad = root.join("bad.csv").display().to_string();
    let e = fails(d.path(), &["import", "work-environment", &bad, "--company", company]);
    assert!(e.contains("refused"), "{e}");
    let o = iphr(d.path(), &["import", "work-environment", &bad, "--company", company]);
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(report.contains(":2: 部署: no department \"存在しない課\"") && report.contains(":3: 管理区分"), "{report}");
    assert!(report.contains("imported 0") && report.contains("refused"), "{report}");
    let good = root.join("measurements.csv").display().to_string();
    let work_env_events = |stats: &str| -> u64 {
        let v: serde_json::Value = serde_json::from_str(stats).unwrap();
        v["companies"].as_array().unwrap().iter().filter_map(|c| c["events"]["work_environment"].as_u64()).sum()
    };
    let before = work_env_events(&ok(d.path(), &["stats", "--json"]));
    let out = ok(d.path(), &["import", "work-environment", &good, "--company", company]);
    assert!(out.contains("read 3, imported 3, unchanged 0, rejected 0 — imported"), "{out}");
    let out = ok(d.path(), &["import", "work-environment", &good, "--company", company]);
    assert!(out.contains("imported 0, unchanged 3"), "{out}");
    let stats = ok(d.path(), &["stats", "--json"]);
    assert_eq!(work_env_events(&stats), before + 3, "{stats}");
}
