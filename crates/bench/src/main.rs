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

mod convert_bench;
mod workspace_bench;

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
    match args.get(1).map(String::as_str) {
        Some("gen-csv") => {
            let rows: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
            let dir = args.get(3).map_or("target/bench-convert", String::as_str);
            return convert_bench::generate(rows, std::path::Path::new(dir));
        }
        Some("convert-csv") => {
            let (Some(file), Some(profile)) = (args.get(2), args.get(3)) else {
                bail!("usage: iphr-bench convert-csv FILE.csv PROFILE.toml");
            };
            return convert_bench::convert_file(std::path::Path::new(file), std::path::Path::new(profile));
        }
        Some("setup-employees") => {
            let (Some(url), Some(csv)) = (args.get(2), args.get(3)) else {
                bail!("usage: iphr-bench setup-employees DATABASE_URL EMPLOYEES.csv");
            };
            return convert_bench::setup_employees(url, std::path::Path::new(csv)).await;
        }
        Some("import-csv") => {
            let (Some(url), Some(file), Some(profile)) = (args.get(2), args.get(3), args.get(4)) else {
                bail!("usage: iphr-bench import-csv DATABASE_URL FILE.csv PROFILE.toml");
            };
            let rest = args.get(5..).unwrap_or_default();
            let dry = rest.iter().any(|a| a == "--dry-run");
            // `--chunk N`: rows converted and written at a time (default: the import's own).
            let chunk = match rest.iter().position(|a| a == "--chunk") {
                Some(i) => rest.get(i + 1).ok_or_else(|| anyhow!("--chunk N"))?.parse()?,
                None => iphr_import::checkup::CHUNK_ROWS,
            };
            return convert_bench::import_file(
                url,
                std::path::Path::new(file),
                std::path::Path::new(profile),
                dry,
                chunk,
            )
            .await;
        }
        Some("fhir") => {
            let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(2_000);
            return convert_bench::fhir(n);
        }
        Some("cda") => {
            let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(5_000);
            return convert_bench::cda(n);
        }
        _ => {}
    }
    if args.get(1).map(String::as_str) == Some("stress-memory") {
        let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
        return stress_memory(n);
    }
    if args.get(1).map(String::as_str) == Some("judge-memory") {
        let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
        return judge_memory(n);
    }
    if let (Some("judge" | "dashboard" | "workspace"), Some(url)) = (args.get(1).map(String::as_str), args.get(2)) {
        let store: Arc<dyn Store> = if url.starts_with("postgres") {
            Arc::new(iphr_store_postgres::PgStore::connect(url).await?)
        } else {
            Arc::new(iphr_store_sqlite::SqliteStore::open(url).await?)
        };
        if args.get(1).map(String::as_str) == Some("workspace") {
            let n: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(100);
            return workspace_bench::run(store, n).await;
        }
        if args.get(1).map(String::as_str) == Some("judge") {
            return judge_store(store).await;
        }
        let n: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(200);
        return dashboard(store, n).await;
    }
    let (Some(cmd), Some(url)) = (args.get(1), args.get(2)) else {
        bail!(
            "usage: iphr-bench search DATABASE_URL [REQUESTS] | gen-csv ROWS DIR | convert-csv FILE PROFILE | setup-employees URL CSV | import-csv URL FILE PROFILE [--dry-run] [--chunk ROWS] | fhir [N] | cda [N] | judge-memory [CHECKUPS] | stress-memory [SHEETS] | judge DATABASE_URL | dashboard DATABASE_URL [REQUESTS] | workspace DATABASE_URL [REQUESTS]"
        );
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

    let secret = physician_session(store.as_ref(), big.company_id).await?;
    let app = iphr_web::Application::build(
        store.clone(),
        iphr_web::WebConfig::default(),
        std::sync::Arc::new(iphr_domain::clock::SystemClock),
    )
    .map_err(|e| anyhow!(e))?;

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

/// Peak resident memory of this process (VmHWM), in MiB.
pub(crate) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Rule evaluation in memory: `n` checkups of 40 data each (every analyte the rules read, the
/// questionnaire, the institution's judgement, and other items the rules skip), judged by the
/// embedded rules with unit conversion. Values sweep every band.
fn judge_memory(n: usize) -> Result<()> {
    use iphr_domain::judgement::{CheckupFacts, Fact, Rules};
    use iphr_domain::observation::Value;
    use iphr_domain::person::Sex;
    let rules = Rules::embedded().map_err(|e| anyhow!(e.to_string()))?;
    let units = iphr_convert::units::UnitTable::embedded().map_err(|e| anyhow!(e.to_string()))?;
    let numeric: &[(&str, &str, f64, f64)] = &[
        ("Ac0040000Z", "kg/m2", 17.0, 12.0),
        ("Ac0030000Z", "cm", 65.0, 40.0),
        ("Af0010001A", "mmHg", 95.0, 100.0),
        ("Af0010001B", "mmHg", 95.0, 100.0),
        ("Af0020001A", "mmHg", 55.0, 60.0),
        ("Af0020001B", "mmHg", 55.0, 60.0),
        ("Ah0010000Z", "U/L", 10.0, 80.0),
        ("Ah0020000Z", "U/L", 8.0, 90.0),
        ("Ah0030000Z", "U/L", 10.0, 200.0),
        ("Ai0010000Z", "mg/dL", 50.0, 170.0),
        ("Ai0020000Z", "mg/dL", 25.0, 70.0),
        ("Ai0030000Z", "mg/dL", 25.0, 550.0),
        ("Ai0050000Z", "mg/dL", 80.0, 160.0),
        ("Aj0010000Z", "mg/dL", 70.0, 100.0),
        ("Aj0030000Z", "%", 4.5, 3.0),
        ("Ag0010000Z", "g/dL", 10.0, 9.0),
        ("Ag0020000Z", "10*4/uL", 330.0, 300.0),
        ("Ag0040000Z", "/uL", 2500.0, 9000.0),
        ("Ag0050000Z", "10*4/uL", 9.0, 35.0),
        ("Ah0070000Z", "g/dL", 5.8, 3.5),
        ("Ah0080000Z", "g/dL", 3.3, 1.5),
        ("Am0010000Z", "mg/dL", 0.5, 1.0),
        ("Am0020000Z", "mL/min/1.73m2", 40.0, 60.0),
        ("Am0030000Z", "mg/dL", 2.0, 8.0),
        ("Ac0010000Z", "cm", 150.0, 40.0),
        ("Ac0020000Z", "kg", 45.0, 50.0),
        ("Ad0010001R", "", 0.1, 1.4),
        ("Ad0010001L", "", 0.1, 1.4),
        ("Am0040000Z", "mg/dL", 0.0, 1.0),
    ];
    let grades = ["neg", "trace", "1p", "2p", "3p"];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let t0 = Instant::now();
    let mut checkups: Vec<(chrono::NaiveDate, Sex, chrono::NaiveDate, Vec<Fact>)> = Vec::with_capacity(n);
    for i in 0..n {
        let mut facts = Vec::with_capacity(40);
        for (item, unit, lo, span) in numeric {
            let v = ((lo + span * next()) * 10.0).round() / 10.0;
            facts.push(Fact {
                item: (*item).into(),
                value: Value::Number { value: v, unit: (*unit).into() },
                comparator: None,
                flag: None,
            });
        }
        for item in ["Ak0010000Z", "Ak0020000Z", "Ak0030000Z"] {
            let g = grades.get((next() * 5.0) as usize % 5).copied().unwrap_or("neg");
            facts.push(Fact {
                item: item.into(),
                value: Value::Coded { code: g.into() },
                comparator: None,
                flag: None,
            });
        }
        for item in ["Aa0040000Z", "Aa0050000Z", "Aa0060000Z", "Aa0070000Z"] {
            let yes = next() < 0.15;
            facts.push(Fact {
                item: item.into(),
                value: Value::Coded { code: if yes { "yes".into() } else { "no".into() } },
                comparator: None,
                flag: None,
            });
        }
        facts.push(Fact {
            item: "Az0010000Z".into(),
            value: Value::Coded { code: "C".into() },
            comparator: None,
            flag: None,
        });
        for (item, text) in [("Az0020000Z", "要再検査"), ("Aa0010000Z", "事務"), ("Al0020000Z", "所見なし")] {
            facts.push(Fact {
                item: item.into(),
                value: Value::Text { text: text.into() },
                comparator: None,
                flag: None,
            });
        }
        let date = chrono::NaiveDate::from_ymd_opt(2016 + (i % 10) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
            .unwrap_or_default();
        let birth = chrono::NaiveDate::from_ymd_opt(1960 + (i % 40) as i32, 1 + (i % 12) as u32, 1).unwrap_or_default();
        let sex = if i % 2 == 0 { Sex::Male } else { Sex::Female };
        checkups.push((date, sex, birth, facts));
    }
    let build = t0.elapsed();
    let items: usize = checkups.iter().map(|c| c.3.len()).sum();
    let t = Instant::now();
    let mut overall = std::collections::BTreeMap::<String, usize>::new();
    let mut urgent = 0usize;
    for (date, sex, birth, facts) in &checkups {
        let c = CheckupFacts {
            date: *date,
            kind: Some(iphr_domain::event::CheckupKind::Periodic),
            submitted_on: None,
            sex: *sex,
            birth_date: *birth,
            facts,
        };
        let j = rules.judge(&c, units);
        *overall.entry(j.overall.map_or("none", |c| c.as_str()).to_string()).or_default() += 1;
        urgent += usize::from(j.urgent_tier.is_some());
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "judge-memory: {n} checkups, {items} data ({:.1} per checkup), built in {:.2} s; judged in {:.3} s = {:.0} checkups/s, {:.1} µs each; urgent {urgent}; overall {overall:?}; peak RSS {:.0} MiB",
        items as f64 / n as f64,
        build.as_secs_f64(),
        secs,
        n as f64 / secs,
        secs * 1e6 / n as f64,
        peak_rss_mib()
    );
    Ok(())
}

/// `iphr judge` end to end through the store, every company: once as it is (results unchanged),
/// then with a changed setting so every judgement is rewritten (the worst case), then back.
async fn judge_store(store: Arc<dyn Store>) -> Result<()> {
    let companies = store.list_companies().await?;
    for pass in ["as stored", "all rewritten", "restored"] {
        let mut total = 0u64;
        let mut written = 0u64;
        let t = Instant::now();
        for c in &companies {
            if pass == "all rewritten" || pass == "restored" {
                let content = if pass == "all rewritten" {
                    "key,value,source\nfollowup_days,91,bench\n".to_string()
                } else {
                    String::new()
                };
                store
                    .set_rule_override(
                        c.id,
                        &iphr_store::RuleOverride {
                            table: "settings".into(),
                            content,
                            updated_by: "bench".into(),
                            updated_at: chrono::Utc::now(),
                        },
                    )
                    .await?;
            }
            let r = iphr_postcheckup::judge_company(store.as_ref(), c.id, None, chrono::Utc::now()).await?;
            total += r.summary.judged;
            written += r.summary.new + r.summary.changed;
            println!(
                "  {}: {} checkups, written {} — load {} ms, judge {} ms, save {} ms",
                c.name,
                r.summary.judged,
                r.summary.new + r.summary.changed,
                r.load_ms,
                r.judge_ms,
                r.save_ms
            );
        }
        println!(
            "judge ({pass}): {total} checkups, {written} written, {:.2} s end to end; peak RSS {:.0} MiB",
            t.elapsed().as_secs_f64(),
            peak_rss_mib()
        );
    }
    Ok(())
}

/// The post-checkup dashboard of the largest company through the HTTP stack (page and API).
async fn dashboard(store: Arc<dyn Store>, n: usize) -> Result<()> {
    let stats = store.stats().await?;
    let big = stats.companies.iter().max_by_key(|c| c.employments).ok_or_else(|| anyhow!("no company"))?;
    println!("company: {} ({} workers)", big.name, big.employments);
    let secret = physician_session(store.as_ref(), big.company_id).await?;
    let app = iphr_web::Application::build(
        store.clone(),
        iphr_web::WebConfig::default(),
        std::sync::Arc::new(iphr_domain::clock::SystemClock),
    )
    .map_err(|e| anyhow!(e))?;
    let mut html = Vec::new();
    let mut api = Vec::new();
    for i in 0..n {
        let path = if i % 2 == 0 {
            format!("/companies/{}/postcheckup", big.company_id)
        } else {
            format!("/api/v1/companies/{}/postcheckup", big.company_id)
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
        if i % 2 == 0 { html.push(d) } else { api.push(d) }
    }
    println!("{:<24} {:>6} {:>8} {:>8} {:>8} {:>8}", "dashboard", "n", "p50 ms", "p95 ms", "p99 ms", "max ms");
    for (name, v) in [("page (HTML)", &mut html), ("API (JSON)", &mut api)] {
        let len = v.len();
        println!(
            "{:<24} {:>6} {:>8} {:>8} {:>8} {:>8}",
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

/// Stress-check scoring in memory: `n` answer sheets (half men, half women) scored by both
/// methods with the 19 scales, then the group analysis of 100 departments.
fn stress_memory(n: usize) -> Result<()> {
    use iphr_domain::person::Sex;
    use iphr_domain::stress::{Answers, Method, StressRules};
    let rules = StressRules::embedded().map_err(|e| anyhow!(e.to_string()))?;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let sheets: Vec<Answers> = (0..n)
        .map(|_| Answers::parse((0..57).map(|_| 1 + (next() % 4) as u8).collect()).map_err(|e| anyhow!(e.to_string())))
        .collect::<Result<_>>()?;
    let t = Instant::now();
    let mut high = 0usize;
    let mut flags = Vec::with_capacity(n);
    for (i, a) in sheets.iter().enumerate() {
        let r = rules.score(a, if i % 2 == 0 { Sex::Male } else { Sex::Female });
        let h = r.high(Method::Soten);
        high += usize::from(h);
        flags.push(h);
    }
    let scoring = t.elapsed();
    let t = Instant::now();
    let mut groups: Vec<Vec<(&Answers, bool)>> = vec![Vec::new(); 100];
    for (i, (a, h)) in sheets.iter().zip(&flags).enumerate() {
        if let Some(g) = groups.get_mut(i % 100) {
            g.push((a, *h));
        }
    }
    let results: Vec<_> = groups.iter().map(|g| rules.group(g)).collect();
    let grouping = t.elapsed();
    println!(
        "stress-memory: {n} sheets scored (19 scales, both methods) in {:.3} s ({:.1} µs each), {high} high stress (素点換算); group analysis of {} departments in {:.3} s; total {:.3} s; peak RSS {:.0} MiB",
        scoring.as_secs_f64(),
        scoring.as_secs_f64() * 1e6 / n as f64,
        results.len(),
        grouping.as_secs_f64(),
        (scoring + grouping).as_secs_f64(),
        peak_rss_mib()
    );
    Ok(())
}

/// A physician of `company` with a session made directly (no password hashing in a measured
/// loop); returns the session cookie's secret.
async fn physician_session(store: &dyn Store, company: iphr_domain::CompanyId) -> Result<String> {
    let user = User {
        id: UserId::new(),
        login: format!("bench-{}", UserId::new()),
        display_name: "bench".into(),
        role: Role::Physician,
        password_hash: "x".into(),
        person_id: None,
        companies: vec![company],
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
    Ok(secret)
}
