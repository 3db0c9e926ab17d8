//! The state every handler shares and the web configuration.

use iphr_domain::clock::Clock;
use iphr_domain::ohcc::ItemTable;
use iphr_domain::policy::PolicyTable;
use iphr_store::Store;
use std::sync::Arc;

/// Web configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Session lifetime in hours.
    pub session_hours: i64,
    /// Failed logins allowed per login name within `login_window_minutes`.
    pub login_max_failures: u64,
    /// Window for counting failed logins.
    pub login_window_minutes: i64,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self { secure_cookies: false, session_hours: 8, login_max_failures: 5, login_window_minutes: 15 }
    }
}

/// Shared state of the application.
#[derive(Clone)]
pub struct AppState {
    /// The store. Handlers read a person's data only through the guard's person access, which
    /// decides and audits.
    pub store: Arc<dyn Store>,
    /// The default 取扱規程 (company overrides are applied per request); the embedded table.
    pub policy: &'static PolicyTable,
    /// The OHCC item table (the embedded one).
    pub items: &'static ItemTable,
    /// Configuration.
    pub config: Arc<WebConfig>,
    /// Now and today (Japan): the system clock, or a fixed one in tests.
    pub clock: Arc<dyn Clock>,
    /// The uploads this server is importing.
    pub progress: Arc<crate::progress::ImportProgress>,
}

impl AppState {
    /// Today in Japan.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    /// Now.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
