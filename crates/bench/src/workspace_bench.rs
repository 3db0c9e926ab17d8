//! `iphr-bench workspace DATABASE_URL [REQUESTS]`: the physician's workspace of one 10-year worker
//! (the demo's showcase worker, employee number A000002 of the first company) through the HTTP
//! stack, one request at a time: the worker page (summary and the first page of the timeline),
//! the timeline filtered to checkups, the trend charts, and an event page. Every response is
//! checked (status 200 and the worker's name in it).

use super::{ms, pct, physician_session};
use anyhow::{Context, Result, anyhow, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_store::{Store, WorkerQuery};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Runs the benchmark.
pub async fn run(store: Arc<dyn Store>, n: usize) -> Result<()> {
    let mut hit = None;
    for c in store.list_companies().await? {
        let q = WorkerQuery { text: "A000002".into(), offset: 0, limit: 1 };
        if let Some(w) = store.search_workers(c.id, &q).await?.rows.into_iter().next() {
            hit = Some((c, w));
            break;
        }
    }
    let (company, found) = hit.ok_or_else(|| anyhow!("no worker A000002 (the demo's showcase) in any company"))?;
    let company = &company;
    let events = store.timeline(company.id, found.person_id).await?;
    let years = events.last().zip(events.first()).map_or(0, |(a, b)| (b.event_date - a.event_date).num_days() / 365);
    println!(
        "company: {}; worker {} {} — {} events over {} years",
        company.name,
        found.employee_number,
        found.name,
        events.len(),
        years
    );
    let checkup = events
        .iter()
        .find(|e| e.kind == iphr_domain::event::EventKind::Checkup)
        .ok_or_else(|| anyhow!("the worker has no checkup"))?;
    let secret = physician_session(store.as_ref(), company.id).await?;
    let app = iphr_web::Application::build(
        store.clone(),
        iphr_web::WebConfig::default(),
        Arc::new(iphr_domain::clock::SystemClock),
    )
    .map_err(|e| anyhow!(e))?;
    let base = format!("/companies/{}/workers/{}", company.id, found.employment_id);
    let pages = [
        ("worker page (summary)", base.clone()),
        ("timeline: checkups", format!("{base}?kind=checkup")),
        ("trend charts", format!("{base}/trends")),
        ("event page (checkup)", format!("{base}/events/{}", checkup.id)),
        ("record API (JSON)", format!("/api/v1/companies/{}/workers/{}", company.id, found.employment_id)),
    ];
    let family = found.name.split_whitespace().next().unwrap_or(&found.name).to_string();
    println!("{:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9}", "page", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "KiB");
    for (name, path) in pages {
        let mut times: Vec<Duration> = Vec::with_capacity(n);
        let mut size = 0;
        for _ in 0..n {
            let req =
                Request::get(&path).header(header::COOKIE, format!("iphr_session={secret}")).body(Body::empty())?;
            let t = Instant::now();
            let res = app.clone().oneshot(req).await?;
            let status = res.status();
            let body = res.into_body().collect().await.context("body")?.to_bytes();
            times.push(t.elapsed());
            if status != StatusCode::OK {
                bail!("{path}: {status}");
            }
            if !String::from_utf8_lossy(&body).contains(&family) {
                bail!("{path}: the worker's name is not in the page");
            }
            size = body.len();
        }
        println!(
            "{:<24} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9}",
            name,
            n,
            ms(pct(&mut times, 0.5)),
            ms(pct(&mut times, 0.95)),
            ms(pct(&mut times, 0.99)),
            ms(pct(&mut times, 1.0)),
            size / 1024
        );
    }
    Ok(())
}
