//! One "today" (issue 12): at 23:30 UTC it is 08:30 the next morning in Japan, and the command
//! line and the web both work on the Japanese date.

use crate::common::{run, succeeded};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_store::AuditFilter;
use iphr_store::prelude::*;
use std::sync::Arc;
use tower::ServiceExt;

/// 2026-11-30 23:30 UTC = 2026-12-01 08:30 JST.
const INSTANT: &str = "2026-11-30T23:30:00Z";

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn cookie(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")).map(|r| r.split(';').next().unwrap_or("").to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_command_line_and_the_web_agree_on_today_at_23_30_utc() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let args = ["demo", "--companies", "1", "--workers", "12", "--years", "1", "--as-of", "2026-11-01"];
    succeeded(run(dir, Some("c.db"), &[], &args), &args);
    // The command line, with the clock at the instant: `special-checkups` measures from today.
    let store = iphr_store_sqlite::SqliteStore::open(&dir.join("c.db").display().to_string()).await.unwrap();
    let company = store.list_companies().await.unwrap().remove(0);
    let args = ["special-checkups", "--company", company.name.as_str(), "--format", "json"];
    succeeded(run(dir, Some("c.db"), &[("IPHR_NOW", INSTANT)], &args), &args);
    let audit = store.list_audit(&AuditFilter { limit: 20, ..Default::default() }).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "special-checkups").unwrap();
    assert!(entry.detail.ends_with("as of 2026-12-01"), "{}", entry.detail);
    // The web, with the same instant: the dashboard's today.
    let at = iphr_domain::clock::parse_instant(INSTANT).unwrap();
    assert_eq!(at.date_naive().to_string(), "2026-11-30", "the UTC date is still yesterday");
    let clock = Arc::new(iphr_domain::clock::FixedClock(at));
    let app = iphr_web::Application::build(Arc::new(store), iphr_web::WebConfig::default(), clock).unwrap();
    let (_, h, page) = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|t| t.split('"').next()).unwrap();
    let login = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("iphr_login_csrf={}", cookie(&h, "iphr_login_csrf")))
        .body(Body::from(format!("login=doctor&password=iphr-demo&csrf={csrf}")))
        .unwrap();
    let (st, h, _) = send(&app, login).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let dashboard = Request::get(format!("/api/v1/companies/{}/postcheckup", company.id))
        .header(header::COOKIE, format!("iphr_session={}", cookie(&h, "iphr_session")))
        .body(Body::empty())
        .unwrap();
    let (st, _, body) = send(&app, dashboard).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(doc["today"], "2026-12-01");
}
