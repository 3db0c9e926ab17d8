//! `iphr serve`: the web UI and the API (migrates first; with `--demo`, an empty database gets
//! the demo population and its accounts are printed).

use crate::cli::context::Context;
use crate::cli::maintenance::demo::{self, DemoArgs};
use anyhow::{Context as _, Result, anyhow};

/// Arguments of `iphr serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: String,
    /// On an empty database, generate the demo population first (3 companies, 300 workers,
    /// 5 years) and print the demo accounts.
    #[arg(long)]
    demo: bool,
    /// Mark cookies Secure (set when served over HTTPS).
    #[arg(long, env = "IPHR_SECURE_COOKIES")]
    secure_cookies: bool,
}

/// Runs `iphr serve` until Ctrl-C or SIGTERM.
pub async fn run(ctx: Context, a: ServeArgs) -> Result<()> {
    if a.demo {
        if ctx.store.has_data().await? {
            eprintln!("iphr: the database already holds data; serving it as it is");
        } else {
            let args = DemoArgs { companies: 3, workers: 300, years: 5, seed: 1, as_of: None, replace: false };
            demo::generate(&ctx, &args).await?;
        }
        demo::print_accounts(ctx.store()).await?;
    }
    let config = iphr_web::WebConfig { secure_cookies: a.secure_cookies, ..Default::default() };
    let app = iphr_web::Application::build(ctx.store.clone(), config, ctx.clock.clone()).map_err(|e| anyhow!(e))?;
    let listener =
        tokio::net::TcpListener::bind(&a.addr).await.with_context(|| format!("cannot listen on {}", a.addr))?;
    let local = listener.local_addr()?;
    eprintln!("iphr: serving on http://{local}");
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            return;
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
