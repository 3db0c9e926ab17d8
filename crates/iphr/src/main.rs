//! `iphr` — the integrated personal health record for occupational health.
//!
//! One binary over one database: SQLite (`./iphr-data/iphr.db`) unless `--database-url` /
//! `IPHR_DATABASE_URL` names a `postgres://` server. The commands (README.md has examples; the
//! modules of [`cli`] hold them, one per feature):
//!
//! - `serve` — the web UI and the API; `migrate`; `demo` — a synthetic population; `stats`;
//! - `company`, `user`, `policy` — companies, accounts, the 取扱規程;
//! - `import checkup-csv|cda|fhir|hr|attendance|stress|work-environment|documents`, `queue …`;
//! - `export company|worker|judgements`, `person list|merge|unmerge`;
//! - `judge`, `rules …` — the post-checkup rules; `coverage`; `hours`, `special-checkups`;
//!   `stresscheck …`;
//! - `ohcc items|values` — the code table.
//!
//! `IPHR_NOW` fixes the clock (RFC 3339 or a date): "today" is always the Japanese date.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args = <cli::Cli as clap::Parser>::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(cli::run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
