//! What every command works with, opened once: the store (migrated), the clock and standard
//! output.

use anyhow::{Context as _, Result, anyhow, bail};
use chrono::{DateTime, NaiveDate, Utc};
use iphr_domain::CompanyId;
use iphr_domain::clock::{Clock, FixedClock, SystemClock};
use iphr_domain::tenant::Company;
use iphr_store::Store;
use std::io::BufRead;
use std::sync::Arc;

/// The default SQLite database.
pub const DEFAULT_DB: &str = "sqlite://./iphr-data/iphr.db";

/// The store and the clock of a command.
pub struct Context {
    /// The store (migrated).
    pub store: Arc<dyn Store>,
    /// Now and today (Japan).
    pub clock: Arc<dyn Clock>,
}

impl Context {
    /// Opens the store a URL names (and migrates it) and reads the clock.
    pub async fn open(url: &str) -> Result<Self> {
        Ok(Self { store: open_store(url).await?, clock: clock()? })
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in Japan (the date every command works on, as the web does).
    pub fn today(&self) -> NaiveDate {
        self.clock.today()
    }

    /// A company by id or exact name.
    pub async fn company(&self, reference: &str) -> Result<Company> {
        let all = self.store.list_companies().await?;
        if let Ok(id) = reference.parse::<CompanyId>()
            && let Some(c) = all.iter().find(|c| c.id == id)
        {
            return Ok(c.clone());
        }
        let matches: Vec<&Company> = all.iter().filter(|c| c.name == reference).collect();
        match matches.as_slice() {
            [c] => Ok((*c).clone()),
            [] => bail!("no company {reference:?} (give its id or exact name; see `iphr company list`)"),
            _ => bail!("several companies are named {reference:?}: give the id"),
        }
    }

    /// Records what a command read or wrote in the audit log (user `cli`: whoever runs the
    /// binary on the server holds the database credentials).
    pub async fn audit(&self, action: &str, company: Option<CompanyId>, detail: String) -> Result<()> {
        audit(self.store(), self.now(), action, company, detail).await
    }
}

/// Appends an audit entry of the command line.
pub async fn audit(
    store: &dyn Store,
    at: DateTime<Utc>,
    action: &str,
    company: Option<CompanyId>,
    detail: String,
) -> Result<()> {
    store
        .append_audit(&iphr_domain::audit::AuditEntry {
            id: iphr_domain::AuditId::new(),
            at,
            user_id: None,
            login: "cli".into(),
            role: None,
            action: action.into(),
            company_id: company,
            person_id: None,
            info_class: None,
            allowed: true,
            detail,
        })
        .await?;
    Ok(())
}

/// Opens the store named by a URL and runs the migrations.
pub async fn open_store(url: &str) -> Result<Arc<dyn Store>> {
    // An empty IPHR_DATABASE_URL means the default.
    let url = if url.trim().is_empty() { DEFAULT_DB } else { url };
    let store: Arc<dyn Store> = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Arc::new(iphr_store_postgres::PgStore::connect(url).await?)
    } else if url.starts_with("sqlite:") {
        Arc::new(iphr_store_sqlite::SqliteStore::open(url).await?)
    } else {
        bail!("unsupported database URL {url:?}: use sqlite://PATH or postgres://…");
    };
    store.migrate().await?;
    Ok(store)
}

/// The clock: the system's, or the instant `IPHR_NOW` gives (RFC 3339 or a date, for re-running
/// a command as of a time; tests use it).
pub fn clock() -> Result<Arc<dyn Clock>> {
    match std::env::var("IPHR_NOW") {
        Ok(v) if !v.trim().is_empty() => {
            let at = iphr_domain::clock::parse_instant(&v)
                .ok_or_else(|| anyhow!("IPHR_NOW={v:?}: not an RFC 3339 instant or a YYYY-MM-DD date"))?;
            tracing::warn!(now = %at, "the clock is fixed by IPHR_NOW");
            Ok(Arc::new(FixedClock(at)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
pub fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// A password from the argument or, if absent, the first line of standard input (8 characters
/// at least).
pub fn password_from(arg: Option<String>) -> Result<String> {
    let pw = match arg {
        Some(p) => p,
        None => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if pw.chars().count() < 8 {
        bail!("the password must have at least 8 characters");
    }
    Ok(pw)
}
