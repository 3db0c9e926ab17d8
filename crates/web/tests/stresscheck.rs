//! The stress check on the web: the worker answers (save, resume, every answer required), sees
//! the result and applies for the interview; the implementers see the lists; HR and the health
//! manager are refused the lists, and read an individual result only after the application.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_demo::{DemoConfig, WorkerGenerator, accounts, companies, company_batch};
use iphr_domain::event::EventKind;
use iphr_domain::{CompanyId, UserId};
use iphr_store::{AuditFilter, Store, StressCampaign, User};
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
async fn worker_answers_and_the_employer_sees_only_with_consent() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let cfg = DemoConfig {
        companies: 1,
        workers: 30,
        years: 1,
        seed: 9,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let cs = companies(&cfg);
    let c = &cs[0];
    store.create_company(&c.company).await.unwrap();
    store.insert_batch(&company_batch(&cfg, c)).await.unwrap();
    let g = WorkerGenerator::new(cfg, c).unwrap();
    let me = g.person_id(0);
    store.insert_batch(&g.batch(0, cfg.workers_of(0))).await.unwrap();
    let hash = iphr_web::auth::hash_password("password-123").unwrap();
    for a in accounts(&cs, Some(me)) {
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
    let today = chrono::Utc::now().date_naive();
    let campaign = StressCampaign {
        company_id: cid,
        id: uuid::Uuid::now_v7(),
        name: "テスト".into(),
        starts_on: today - chrono::Duration::days(10),
        ends_on: today + chrono::Duration::days(20),
        method: "sum".into(),
        implementer: "doctor".into(),
        created_by: "test".into(),
        created_at: chrono::Utc::now(),
    };
    store.create_stress_campaign(&campaign).await.unwrap();
    let app = Application::build(store.clone(), WebConfig::default()).unwrap();

    let (w, wt) = login(&app, "worker").await;
    let (st, page) = get(&app, &w, "/me/stresscheck").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("非常にたくさんの仕事をしなければならない") && page.contains("name=\"q57\""));
    // Save half, come back: the answers are there.
    let answers = "111111144411141441114444444444444444444444444444444444444"; // high stress (test vector)
    let half: String =
        answers.bytes().take(30).enumerate().map(|(i, b)| format!("&q{}={}", i + 1, char::from(b))).collect();
    let (st, _) =
        post(&app, &w, "/me/stresscheck", format!("csrf={wt}&campaign={}&action=save{half}", campaign.id)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &w, "/me/stresscheck?saved=1").await;
    assert!(page.contains("id=\"saved\""));
    assert!(page.contains("name=\"q30\" value=\"4\" checked"), "resumed answers");
    // Submit with answers missing: refused, naming them, nothing stored.
    let (st, page) =
        post(&app, &w, "/me/stresscheck", format!("csrf={wt}&campaign={}&action=submit{half}", campaign.id)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(page.contains("未回答の項目があります: 31, 32"), "{page}");
    assert!(store.stress_sheets(cid, campaign.starts_on, campaign.ends_on).await.unwrap().is_empty());
    // All answered.
    let all: String = answers.bytes().enumerate().map(|(i, b)| format!("&q{}={}", i + 1, char::from(b))).collect();
    let (st, _) =
        post(&app, &w, "/me/stresscheck", format!("csrf={wt}&campaign={}&action=submit{all}", campaign.id)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (st, page) = get(&app, &w, "/me/stresscheck/result").await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("高ストレス者」に該当します") && page.contains("<svg class=\"profile\""), "{page}");
    assert!(page.contains("合計点: A 68 / B 116 / C 36"));
    // Answering twice is refused.
    let (st, _) =
        post(&app, &w, "/me/stresscheck", format!("csrf={wt}&campaign={}&action=submit{all}", campaign.id)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);

    // The implementers see the lists; HR and the health manager do not (audited).
    let path = format!("/companies/{cid}/stresscheck");
    let (d, _) = login(&app, "doctor").await;
    let (st, page) = get(&app, &d, &path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("id=\"high-count\">1<") && page.contains("全体"), "{page}");
    let (n, _) = login(&app, "nurse").await;
    assert_eq!(get(&app, &n, &path).await.0, StatusCode::OK);
    let (hr, _) = login(&app, "jinji").await;
    let (hm, _) = login(&app, "eisei").await;
    assert_eq!(get(&app, &hr, &path).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, &hm, &path).await.0, StatusCode::FORBIDDEN);
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(denied.iter().filter(|e| e.action == format!("GET {path}")).count(), 2);
    // The worker's own questionnaire is not for anyone else.
    assert_eq!(get(&app, &d, "/me/stresscheck").await.0, StatusCode::FORBIDDEN);

    // HR cannot read the individual result before the application …
    let emp = store.employments_of_person(me).await.unwrap()[0].id;
    let ev = store
        .timeline(cid, me)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::StressCheck)
        .max_by_key(|e| e.event_date)
        .unwrap();
    let event_path = format!("/companies/{cid}/workers/{emp}/events/{}", ev.id);
    assert_eq!(get(&app, &hr, &event_path).await.0, StatusCode::FORBIDDEN);
    // … and can after it (the application is the consent).
    let (st, _) = post(&app, &w, "/me/stresscheck/apply", format!("csrf={wt}")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &w, "/me/stresscheck/result").await;
    assert!(page.contains("id=\"applied\""));
    assert_eq!(get(&app, &hr, &event_path).await.0, StatusCode::OK);
    let (_, page) = get(&app, &d, &path).await;
    assert!(page.contains("申出あり"));
}
