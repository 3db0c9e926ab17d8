//! Shared by the web tests: a demo database with the demo accounts (password `password-123`),
//! the application over it, and small HTTP helpers with a logged-in session.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_demo::{DemoAccount, DemoCompany, DemoConfig, WorkerGenerator, accounts, companies, company_batch};
use iphr_domain::{PersonId, UserId};
use iphr_store::prelude::*;
use iphr_store::{Store, User};
use iphr_store_sqlite::SqliteStore;
use iphr_web::{Application, WebConfig};
use std::sync::Arc;
use tower::ServiceExt;

/// A demo database and the application over it.
pub struct Demo {
    pub app: Router,
    pub store: Arc<dyn Store>,
    pub companies: Vec<DemoCompany>,
    /// The person of the `worker` account (the first worker of the first company).
    pub worker: PersonId,
    _dir: tempfile::TempDir,
}

/// Writes the demo population, its accounts and `extra` accounts; judges every company when
/// `judge` (as of the demo date).
pub async fn demo(cfg: DemoConfig, extra: Vec<DemoAccount>, judge: bool) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let cs = companies(&cfg);
    let mut worker = None;
    for c in &cs {
        store.create_company(&c.company).await.unwrap();
        store.insert_batch(&company_batch(&cfg, c)).await.unwrap();
        let g = WorkerGenerator::new(cfg, c).unwrap();
        if c.index == 0 {
            worker = Some(g.person_id(0));
        }
        store.insert_batch(&g.batch(0, cfg.workers_of(c.index))).await.unwrap();
        if judge {
            let at = cfg.as_of.and_hms_opt(0, 0, 0).unwrap().and_utc();
            iphr_postcheckup::judge_company(store.as_ref(), c.company.id, None, at).await.unwrap();
        }
    }
    let hash = iphr_web::auth::hash_password("password-123").unwrap();
    let mut all = accounts(&cs, worker);
    all.extend(extra);
    for a in all {
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
    let app =
        Application::build(store.clone(), WebConfig::default(), std::sync::Arc::new(iphr_domain::clock::SystemClock))
            .unwrap();
    Demo { app, store, companies: cs, worker: worker.unwrap(), _dir: dir }
}

pub async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
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

/// The CSRF token of the first form of a page (empty when none).
pub fn token(page: &str) -> String {
    page.split("name=\"csrf\" value=\"").nth(1).and_then(|t| t.split('"').next()).unwrap_or("").to_string()
}

/// Logs in (password `password-123`); returns the session and its CSRF token.
pub async fn login(app: &Router, login: &str) -> (String, String) {
    let (_, h, body) = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let c = cookie(&h, "iphr_login_csrf").unwrap();
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("iphr_login_csrf={c}"))
        .body(Body::from(format!("login={login}&password=password-123&csrf={}", token(&body))))
        .unwrap();
    let (st, h, _) = send(app, req).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "login {login}");
    let s = cookie(&h, "iphr_session").unwrap();
    // Every page of a logged-in user carries the logout form with the session's token.
    let (_, page) = get(app, &s, "/rules").await;
    (s, token(&page))
}

pub async fn get(app: &Router, s: &str, path: &str) -> (StatusCode, String) {
    let req = Request::get(path).header(header::COOKIE, format!("iphr_session={s}")).body(Body::empty()).unwrap();
    let (st, _, b) = send(app, req).await;
    (st, b)
}

pub async fn post(app: &Router, s: &str, path: &str, body: String) -> (StatusCode, String) {
    let req = Request::post(path)
        .header(header::COOKIE, format!("iphr_session={s}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let (st, _, b) = send(app, req).await;
    (st, b)
}
