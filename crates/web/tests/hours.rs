//! Long working hours on the web: the month's hours and flags, and the interview workflow — who
//! may record each step, each refusal audited.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_demo::{DemoConfig, WorkerGenerator, accounts, companies, company_batch};
use iphr_domain::{CompanyId, UserId};
use iphr_store::{AuditFilter, Store, User};
use iphr_store_sqlite::SqliteStore;
use iphr_web::{Application, WebConfig};
use std::sync::Arc;
use tower::ServiceExt;

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")).map(|r| r.split(';').next().unwrap_or("").to_string()))
}

fn token(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("").to_string()
}

async fn login(app: &Router, login: &str) -> (String, String) {
    let (_, h, body) = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let c = cookie(&h, "iphr_login_csrf").unwrap();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("iphr_login_csrf={c}"))
        .body(Body::from(format!("login={login}&password=password-123&csrf={}", token(&body))))
        .unwrap();
    let (st, h, _) = send(app, req).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let s = cookie(&h, "iphr_session").unwrap();
    let (_, page) = get(app, &s, "/rules").await;
    let (_, page2) = get(app, &s, "/me/stresscheck").await;
    let t = if token(&page).is_empty() { token(&page2) } else { token(&page) };
    (s, t)
}

async fn get(app: &Router, s: &str, path: &str) -> (StatusCode, String) {
    let req = Request::get(path).header(header::COOKIE, format!("iphr_session={s}")).body(Body::empty()).unwrap();
    let (st, _, b) = send(app, req).await;
    (st, b)
}

async fn post(app: &Router, s: &str, path: &str, body: String) -> (StatusCode, String) {
    let req = Request::post(path)
        .header(header::COOKIE, format!("iphr_session={s}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (st, _, b) = send(app, req).await;
    (st, b)
}

#[tokio::test]
async fn long_hours_workflow_by_role() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let cfg = DemoConfig {
        companies: 1,
        workers: 60,
        years: 1,
        seed: 21,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let cs = companies(&cfg);
    let c = &cs[0];
    store.create_company(&c.company).await.unwrap();
    store.insert_batch(&company_batch(&cfg, c)).await.unwrap();
    let g = WorkerGenerator::new(cfg, c).unwrap();
    store.insert_batch(&g.batch(0, cfg.workers_of(0))).await.unwrap();
    let hash = iphr_web::auth::hash_password("password-123").unwrap();
    for a in accounts(&cs, Some(g.person_id(0))) {
        store
            .create_user(&User {
                id: UserId::new(),
                login: a.login,
                display_name: a.display_name,
                role: a.role,
                password_hash: hash.clone(),
                person_id: a.person_id,
                companies: a.companies,
                disabled: false,
            })
            .await
            .unwrap();
    }
    let cid: CompanyId = c.company.id;
    let app = Application::build(store.clone(), WebConfig::default()).unwrap();
    // A month with someone over 80 h.
    let rules = iphr_domain::overtime::OvertimeRules::embedded().unwrap();
    let mut found = None;
    for m in ["2026-03", "2026-02", "2026-01", "2025-12", "2025-11", "2025-10"] {
        let first = iphr_postcheckup::hours::parse_month(m).unwrap();
        let recs = iphr_postcheckup::hours::month_hours(store.as_ref(), cid, first, &rules, "general").await.unwrap();
        if let Some(r) = recs.iter().find(|r| r.result.hours.overtime_holiday > 80.0) {
            found = Some((m, r.employment_id.unwrap()));
            break;
        }
    }
    let (month, eid) = found.expect("a worker over 80 h in the demo");
    let page = format!("/companies/{cid}/hours?month={month}");
    let (d, dt) = login(&app, "doctor").await;
    let (st, body) = get(&app, &d, &page).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains("時間外・休日 80時間超") && body.contains("通知した"), "{body}");
    let buttons_before = body.matches(">通知した<").count();
    let (hr, ht) = login(&app, "jinji").await;
    assert_eq!(get(&app, &hr, &page).await.0, StatusCode::OK, "勤怠 is HR's own data");
    let (n, nt) = login(&app, "nurse").await;
    let (w, _) = login(&app, "worker").await;
    let (adm, _) = login(&app, "admin").await;
    assert_eq!(get(&app, &w, &page).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &adm, &page).await.0, StatusCode::FORBIDDEN);
    let step = format!("/companies/{cid}/hours/{eid}");
    let form = |t: &str, s: &str, extra: &str| format!("csrf={t}&step={s}&month={month}{extra}");
    assert_eq!(post(&app, &hr, &step, form(&ht, "notice", "")).await.0, StatusCode::SEE_OTHER);
    // The interview and the opinion are the physician's.
    assert_eq!(
        post(&app, &n, &step, form(&nt, "interview", "&fatigue=high&guidance=1")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(post(&app, &hr, &step, form(&ht, "opinion", "&category=restriction")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(&app, &n, &step, form(&nt, "application", "")).await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        post(&app, &d, &step, form(&dt, "interview", "&fatigue=high&guidance=1&condition=睡眠不足")).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(post(&app, &d, &step, form(&dt, "opinion", "&category=nope")).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        post(&app, &d, &step, form(&dt, "opinion", "&category=restriction&measures=時間外45時間まで")).await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(post(&app, &hr, &step, form(&ht, "measure", "")).await.0, StatusCode::SEE_OTHER);
    // The notice is recorded: one notice button fewer on the page.
    let (_, body) = get(&app, &d, &page).await;
    assert_eq!(body.matches(">通知した<").count(), buttons_before - 1);
    let person = store.worker(cid, eid).await.unwrap().unwrap().person.id;
    let subs: Vec<String> = store
        .timeline(cid, person)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.detail.get("month").and_then(|m| m.as_str()) == Some(month))
        .filter_map(|e| e.subkind.clone())
        .collect();
    for s in ["long_hours_notice", "long_hours_application", "long_hours"] {
        assert!(subs.iter().any(|x| x == s), "{s} in {subs:?}");
    }
    assert_eq!(subs.iter().filter(|x| *x == "long_hours").count(), 3, "interview, opinion and measure");
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(denied.iter().filter(|e| e.action == format!("POST {step}")).count(), 2);
    // The worker's own page.
    assert_eq!(get(&app, &w, "/me/hours").await.0, StatusCode::OK);
}
