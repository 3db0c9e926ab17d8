//! `iphr` — the integrated personal health record for occupational health.
//!
//! One binary: `serve`, `migrate`, `demo`, `company`, `user`, `stats`. The database is SQLite
//! (`./iphr-data/iphr.db`) unless `--database-url` / `IPHR_DATABASE_URL` names a
//! `postgres://` server.

mod cli;
mod demo;
mod ohcc_cli;
mod postcheckup_cli;
mod workstatus_cli;

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
