//! `iphr-bench search DATABASE_URL [REQUESTS]`: worker search in the largest company of a
//! populated database, through the whole HTTP stack (session lookup, policy, store, template),
//! in process. Prints p50/p95/p99/max per query kind and overall.

use anyhow::{Context, Result, anyhow, bail};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_domain::UserId;
use iphr_domain::role::Role;
use iphr_store::{Session, Store, User, WorkerQuery};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("convert-csv") {
        let rows: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
        return convert_csv(rows);
    }
    let (Some(cmd), Some(url)) = (args.get(1), args.get(2)) else {
        bail!("usage: iphr-bench search DATABASE_URL [REQUESTS] | iphr-bench convert-csv [ROWS]");
    };
    if cmd != "search" {
        bail!("unknown benchmark {cmd:?}");
    }
    let n: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(400);
    let store: Arc<dyn Store> = if url.starts_with("postgres") {
        Arc::new(iphr_store_postgres::PgStore::connect(url).await?)
    } else {
        Arc::new(iphr_store_sqlite::SqliteStore::open(url).await?)
    };
    let stats = store.stats().await?;
    let big = stats.companies.iter().max_by_key(|c| c.employments).ok_or_else(|| anyhow!("no company"))?;
    println!("company: {} ({} workers)", big.name, big.employments);

    // A physician session made directly (no password hashing in the measured loop).
    let login = format!("bench-{}", UserId::new());
    let user = User {
        id: UserId::new(),
        login: login.clone(),
        display_name: "bench".into(),
        role: Role::Physician,
        password_hash: "x".into(),
        person_id: None,
        companies: vec![big.company_id],
        disabled: false,
    };
    store.create_user(&user).await?;
    let secret = format!("bench-secret-{}", user.id);
    let now = chrono::Utc::now();
    store
        .create_session(&Session {
            id_hash: hex::encode(Sha256::digest(secret.as_bytes())),
            user_id: user.id,
            csrf_token: "t".into(),
            created_at: now,
            expires_at: now + chrono::Duration::hours(1),
        })
        .await?;
    let app = iphr_web::Application::build(store.clone(), iphr_web::WebConfig::default()).map_err(|e| anyhow!(e))?;

    // Queries: real names and kana from the first page, employee numbers, half-width kana,
    // empty searches on several pages.
    let sample =
        store.search_workers(big.company_id, &WorkerQuery { text: String::new(), offset: 0, limit: 200 }).await?;
    let mut queries: Vec<(&str, String)> = Vec::new();
    for (i, r) in sample.rows.iter().enumerate() {
        let family = r.name.split(' ').next().unwrap_or("").to_string();
        let kana = r.kana.split(' ').next().unwrap_or("").to_string();
        queries.push(("kanji family name", family));
        queries.push(("full name", r.name.clone()));
        queries.push(("kana", kana.clone()));
        queries.push(("employee number", r.employee_number.clone()));
        queries.push(("page (no query)", format!("page={}", 1 + i % 300)));
    }
    let mut by_kind: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::new();
    for (i, (kind, q)) in queries.iter().cycle().take(n).enumerate() {
        let path = if let Some(p) = q.strip_prefix("page=") {
            format!("/api/v1/companies/{}/workers?page={p}", big.company_id)
        } else {
            format!("/api/v1/companies/{}/workers?q={}", big.company_id, enc(q))
        };
        let path = if i % 2 == 0 { path } else { path.replace("/api/v1/companies", "/companies") };
        let req = Request::get(&path).header(header::COOKIE, format!("iphr_session={secret}")).body(Body::empty())?;
        let t = Instant::now();
        let res = app.clone().oneshot(req).await?;
        let status = res.status();
        let _ = res.into_body().collect().await.context("body")?;
        let d = t.elapsed();
        if status != StatusCode::OK {
            bail!("{path}: {status}");
        }
        by_kind.entry(kind).or_default().push(d);
        all.push(d);
    }
    println!("{:<20} {:>6} {:>8} {:>8} {:>8} {:>8}", "query", "n", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (k, v) in by_kind.iter_mut() {
        let len = v.len();
        println!(
            "{:<20} {:>6} {:>8} {:>8} {:>8} {:>8}",
            k,
            len,
            ms(pct(v, 0.5)),
            ms(pct(v, 0.95)),
            ms(pct(v, 0.99)),
            ms(pct(v, 1.0))
        );
    }
    let len = all.len();
    println!(
        "{:<20} {:>6} {:>8} {:>8} {:>8} {:>8}",
        "all",
        len,
        ms(pct(&mut all, 0.5)),
        ms(pct(&mut all, 0.95)),
        ms(pct(&mut all, 0.99)),
        ms(pct(&mut all, 1.0))
    );

    // The worker page (header and the whole timeline) of workers across the list.
    let mut pages = Vec::new();
    let mut api = Vec::new();
    for (i, r) in sample.rows.iter().enumerate().take(200) {
        let html = i % 2 == 0;
        let path = if html {
            format!("/companies/{}/workers/{}", big.company_id, r.employment_id)
        } else {
            format!("/api/v1/companies/{}/workers/{}", big.company_id, r.employment_id)
        };
        let req = Request::get(&path).header(header::COOKIE, format!("iphr_session={secret}")).body(Body::empty())?;
        let t = Instant::now();
        let res = app.clone().oneshot(req).await?;
        let status = res.status();
        let _ = res.into_body().collect().await.context("body")?;
        let d = t.elapsed();
        if status != StatusCode::OK {
            bail!("{path}: {status}");
        }
        if html { pages.push(d) } else { api.push(d) }
    }
    for (name, v) in [("worker page (HTML)", &mut pages), ("worker (API JSON)", &mut api)] {
        let len = v.len();
        println!(
            "{:<20} {:>6} {:>8} {:>8} {:>8} {:>8}",
            name,
            len,
            ms(pct(v, 0.5)),
            ms(pct(v, 0.95)),
            ms(pct(v, 0.99)),
            ms(pct(v, 1.0))
        );
    }
    Ok(())
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Conversion alone: a CP932 checkup CSV of `rows` rows × 40 items (the sakura layout widened to
/// 40 item columns) decoded, parsed through its profile, values converted; rows per second.
fn convert_csv(rows: usize) -> Result<()> {
    use iphr_convert::{checkup_csv, profile::Profile, units::UnitTable};
    let table = iphr_domain::ohcc::ItemTable::embedded().map_err(|e| anyhow!(e.to_string()))?;
    let units = UnitTable::embedded().map_err(|e| anyhow!(e.to_string()))?;
    // 40 numeric items of the table, each a column.
    let items: Vec<_> = table
        .items()
        .filter(|d| d.value_kind == iphr_domain::ohcc::ValueKind::Number && d.item.as_str().starts_with('A'))
        .take(40)
        .collect();
    let mut profile = String::from(
        "name = \"bench\"\nlayout = \"wide\"\nencoding = \"cp932\"\n[identity]\nemployee_number = \"社員番号\"\nname = \"氏名\"\nkana = \"カナ\"\nbirth_date = \"生年月日\"\nsex = \"性別\"\n[event]\ndate = \"受診日\"\n",
    );
    let mut header = String::from("社員番号,氏名,カナ,生年月日,性別,受診日");
    for (i, d) in items.iter().enumerate() {
        profile.push_str(&format!("[[items]]\ncolumn = \"c{i}\"\nohcc = \"{}\"\n", d.item));
        header.push_str(&format!(",c{i}"));
    }
    let profile = Profile::parse("bench", &profile)?;
    let mut text = header;
    text.push_str("\r\n");
    for r in 0..rows {
        text.push_str(&format!("E{r:07},山田 太郎,ヤマダ タロウ,S45.4.{},1,R6.6.{}", 1 + r % 28, 1 + r % 28));
        for i in 0..items.len() {
            let v = (r * 7 + i * 13) % 200;
            match i % 10 {
                0 => text.push_str(&format!(",{v}H")),
                1 => text.push_str(&format!(",<{v}")),
                2 => text.push_str(&format!(",１{v}．５")),
                _ => text.push_str(&format!(",{v}.{}", i % 10)),
            }
        }
        text.push_str("\r\n");
    }
    let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
    let t = Instant::now();
    let parsed = checkup_csv::parse(&bytes, &profile, "bench.csv", &table, &units)?;
    let secs = t.elapsed().as_secs_f64();
    let results: usize = parsed.visits.iter().map(|v| v.results.len()).sum();
    println!(
        "convert-csv: {rows} rows × {} items, {:.1} MB CP932: {:.3} s, {:.0} rows/s, {:.0} values/s ({} errors)",
        items.len(),
        bytes.len() as f64 / 1e6,
        secs,
        rows as f64 / secs,
        results as f64 / secs,
        parsed.errors.len()
    );
    Ok(())
}
