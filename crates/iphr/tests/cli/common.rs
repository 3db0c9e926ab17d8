//! Running the built `iphr` in a temporary folder (ripgrep style): no database URL or password
//! from the environment leaks in; an optional SQLite file and extra environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `iphr` in `dir` with `args`; with `db`, on that SQLite file (relative to `dir`).
pub fn run(dir: &Path, db: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_iphr"));
    c.current_dir(dir).env_remove("IPHR_DATABASE_URL").env_remove("IPHR_PASSWORD").env_remove("IPHR_NOW");
    if let Some(db) = db {
        c.arg("--database-url").arg(format!("sqlite://{db}"));
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).stdin(Stdio::null()).output().expect("run iphr")
}

/// Standard output and error of a run that must succeed.
pub fn succeeded(o: Output, args: &[&str]) -> (String, String) {
    assert!(o.status.success(), "iphr {args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8(o.stdout).expect("utf-8"), String::from_utf8(o.stderr).expect("utf-8"))
}

/// Standard output and error of a run that must fail.
pub fn failed(o: Output, args: &[&str]) -> (String, String) {
    assert!(!o.status.success(), "iphr {args:?} should fail: {}", String::from_utf8_lossy(&o.stdout));
    (String::from_utf8(o.stdout).expect("utf-8"), String::from_utf8(o.stderr).expect("utf-8"))
}

/// The workspace root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture's path.
pub fn fixture(name: &str) -> String {
    root().join("fixtures").join(name).display().to_string()
}
