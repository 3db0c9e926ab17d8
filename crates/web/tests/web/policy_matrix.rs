//! Every route (pages and API) × every role: the policy holds, the denials are audited.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use iphr_demo::{DemoConfig, WorkerGenerator, accounts, companies, company_batch};
use iphr_domain::event::EventKind;
use iphr_domain::info_class::InfoClass;
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId, PersonId, UserId};
use iphr_store::prelude::*;
use iphr_store::{AuditFilter, Store, User, WorkerQuery};
use iphr_store_sqlite::SqliteStore;
use iphr_web::{Application, WebConfig};
use std::collections::BTreeMap;
use std::sync::Arc;
use tower::ServiceExt;

struct Fixture {
    app: Router,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
    c0: CompanyId,
    c1: CompanyId,
    /// A worker of company 0 with every kind of event and no consents.
    subject: EmploymentId,
    events: BTreeMap<&'static str, EventId>,
    /// The demo worker account's own employment.
    own: EmploymentId,
    own_event: EventId,
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("t.db").display().to_string()).await.unwrap();
    store.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(store);
    let cfg = DemoConfig {
        companies: 2,
        workers: 120,
        years: 3,
        seed: 11,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let cs = companies(&cfg);
    let mut worker_person = None;
    for c in &cs {
        store.create_company(&c.company).await.unwrap();
        store.insert_batch(&company_batch(&cfg, c)).await.unwrap();
        let g = WorkerGenerator::new(cfg, c).unwrap();
        if c.index == 0 {
            worker_person = Some(g.person_id(0));
        }
        store.insert_batch(&g.batch(0, cfg.workers_of(c.index))).await.unwrap();
    }
    let hash = iphr_web::auth::hash_password("password-123").unwrap();
    let mut accts = accounts(&cs, worker_person);
    // A physician who serves only company 1.
    accts.push(iphr_demo::DemoAccount {
        login: "doctor1".into(),
        password: String::new(),
        display_name: "other".into(),
        role: Role::Physician,
        companies: vec![cs[1].company.id],
        person_id: None,
    });
    for a in accts {
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
    let c0 = cs[0].company.id;
    // Find a subject with a checkup, a stress check, attendance, an opinion and an interview,
    // and no consents.
    let rows =
        store.search_workers(c0, &WorkerQuery { text: String::new(), offset: 0, limit: 1000 }).await.unwrap().rows;
    let mut found = None;
    for r in &rows {
        if Some(r.person_id) == worker_person || !store.consents_of_person(r.person_id).await.unwrap().is_empty() {
            continue;
        }
        let t = store.timeline(c0, r.person_id).await.unwrap();
        let pick = |k: EventKind, sub: Option<&str>| {
            t.iter()
                .find(|e| e.kind == k && (sub.is_none() || e.subkind.as_deref() == sub) && e.person_id.is_some())
                .map(|e| e.id)
        };
        let wanted = [
            ("checkup", pick(EventKind::Checkup, Some("periodic"))),
            ("stress", pick(EventKind::StressCheck, None)),
            ("attendance", pick(EventKind::AttendanceMonth, None)),
            ("opinion", pick(EventKind::Opinion, None)),
            ("interview", pick(EventKind::Interview, None)),
        ];
        if wanted.iter().all(|(_, e)| e.is_some()) {
            found =
                Some((r.employment_id, wanted.into_iter().map(|(k, e)| (k, e.unwrap())).collect::<BTreeMap<_, _>>()));
            break;
        }
    }
    let (subject, events) = found.expect("a subject with every kind of event");
    let own_person: PersonId = worker_person.unwrap();
    let own = store.employments_of_person(own_person).await.unwrap()[0].id;
    let own_event =
        store.timeline(c0, own_person).await.unwrap().into_iter().find(|e| e.kind == EventKind::Checkup).unwrap().id;
    let app =
        Application::build(store.clone(), WebConfig::default(), std::sync::Arc::new(iphr_domain::clock::SystemClock))
            .unwrap();
    Fixture { app, store, _dir: dir, c0, c1: cs[1].company.id, subject, events, own, own_event }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn set_cookie(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .find_map(|(_, v)| v.strip_prefix(&format!("{name}=")).map(|r| r.split(';').next().unwrap_or("").to_string()))
}

async fn login(app: &Router, login: &str, password: &str) -> (StatusCode, Option<String>) {
    let (_, h, body) = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let csrf_cookie = set_cookie(&h, "iphr_login_csrf").unwrap();
    let token = body.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert_eq!(token, csrf_cookie);
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("iphr_login_csrf={csrf_cookie}"))
        .body(Body::from(format!("login={login}&password={password}&csrf={token}")))
        .unwrap();
    let (status, h, _) = send(app, req).await;
    (status, set_cookie(&h, "iphr_session"))
}

async fn get(app: &Router, session: &str, path: &str) -> (StatusCode, String) {
    let req = Request::get(path).header(header::COOKIE, format!("iphr_session={session}")).body(Body::empty()).unwrap();
    let (s, _, b) = send(app, req).await;
    (s, b)
}

const OK: StatusCode = StatusCode::OK;
const NO: StatusCode = StatusCode::FORBIDDEN;
const SEE: StatusCode = StatusCode::SEE_OTHER;

#[tokio::test]
async fn every_route_for_every_role() {
    let f = fixture().await;
    let (c0, s) = (f.c0, f.subject);
    let ev = |k: &str| f.events[k];
    let w = format!("/companies/{c0}/workers/{s}");
    let aw = format!("/api/v1/companies/{c0}/workers/{s}");
    let routes: Vec<(String, &str)> = vec![
        ("/companies".into(), "companies page"),
        (format!("/companies/{c0}/workers"), "worker list"),
        (w.clone(), "worker page"),
        (format!("{w}/events/{}", ev("checkup")), "checkup (class 2/3)"),
        (format!("{w}/events/{}", ev("stress")), "stress check"),
        (format!("{w}/events/{}", ev("attendance")), "attendance (work)"),
        (format!("{w}/events/{}", ev("opinion")), "opinion (class 1)"),
        (format!("{w}/events/{}", ev("interview")), "interview (class 2)"),
        ("/admin/users".into(), "users page"),
        ("/api/v1/me".into(), "api me"),
        ("/api/v1/companies".into(), "api companies"),
        (format!("/api/v1/companies/{c0}/workers"), "api worker list"),
        (aw.clone(), "api worker"),
        (format!("{aw}/events/{}", ev("checkup")), "api checkup"),
        (format!("{aw}/events/{}", ev("stress")), "api stress"),
        (format!("{aw}/events/{}", ev("attendance")), "api attendance"),
        (format!("{aw}/events/{}", ev("opinion")), "api opinion"),
        (format!("{aw}/events/{}", ev("interview")), "api interview"),
        (format!("{aw}/observations?item=Af0010001A"), "api series class 2"),
        (format!("{aw}/observations?item=Am0030000Z"), "api series class 3 (uric acid)"),
        (format!("{aw}/observations?item=Cb1010001Z"), "api series stress"),
        (format!("{aw}/observations?item=Fb0010000Z"), "api series work"),
        (format!("{aw}/observations?item=Ea0010000Z"), "api series class 1"),
    ];
    // Expected status per role, in the order of `routes`.
    let expect: Vec<(&str, [StatusCode; 23])> = vec![
        ("doctor", [OK, OK, OK, OK, OK, OK, OK, OK, NO, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        ("nurse", [OK, OK, OK, OK, OK, OK, OK, OK, NO, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK]),
        ("eisei", [OK, OK, OK, OK, NO, OK, OK, OK, NO, OK, OK, OK, OK, OK, NO, OK, OK, OK, OK, NO, NO, OK, OK]),
        ("jinji", [OK, OK, OK, NO, NO, OK, OK, NO, NO, OK, OK, OK, OK, NO, NO, OK, OK, NO, NO, NO, NO, OK, OK]),
        ("worker", [SEE, NO, NO, NO, NO, NO, NO, NO, NO, OK, OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
        ("admin", [OK, NO, NO, NO, NO, NO, NO, NO, OK, OK, OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
        ("doctor1", [OK, NO, NO, NO, NO, NO, NO, NO, NO, OK, OK, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO, NO]),
    ];
    let mut failures = Vec::new();
    for (user, row) in &expect {
        let (st, session) = login(&f.app, user, "password-123").await;
        assert_eq!(st, SEE, "login {user}");
        let session = session.unwrap();
        for ((path, what), want) in routes.iter().zip(row) {
            let (got, _) = get(&f.app, &session, path).await;
            if got != *want {
                failures.push(format!("{user} {what} {path}: expected {want}, got {got}"));
                continue;
            }
            if got == NO {
                // Every refusal is in the audit log, newest first.
                let last = f
                    .store
                    .list_audit(&AuditFilter { denied_only: true, limit: 1, ..Default::default() })
                    .await
                    .unwrap();
                let e = last.first().unwrap();
                let bare = path.split('?').next().unwrap();
                if e.login != *user || !e.action.contains(bare) || e.allowed {
                    failures.push(format!("{user} {what}: refusal not audited (last entry {e:?})"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn hr_sees_only_class_1_and_work_data() {
    let f = fixture().await;
    let (_, session) = login(&f.app, "jinji", "password-123").await;
    let session = session.unwrap();
    let (st, body) = get(&f.app, &session, &format!("/api/v1/companies/{}/workers/{}", f.c0, f.subject)).await;
    assert_eq!(st, OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    let timeline = doc["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| e["kind"] == "checkup"), "hr sees that checkups were taken");
    for e in timeline {
        let kind = e["kind"].as_str().unwrap();
        assert!(!["treatment", "medication", "attachment"].contains(&kind), "hr must not see {kind}");
        if ["checkup", "stress_check", "interview"].contains(&kind) {
            assert_eq!(e["shown"], "hidden", "{kind} content is hidden from hr");
            assert!(e["detail"].is_null());
        }
        for o in e["observations"].as_array().unwrap() {
            let class = o["info_class"].as_str().unwrap();
            assert!(class == "class1" || class == "work", "hr got a {class} datum: {o}");
        }
    }
    // The page shows neither item names of checkup values nor the diagnosis text.
    let (st, html) = get(&f.app, &session, &format!("/companies/{}/workers/{}", f.c0, f.subject)).await;
    assert_eq!(st, OK);
    for forbidden in ["収縮期血圧", "HbA1c", "LDLコレステロール", "医師の診断", "高ストレス", "合計点"]
    {
        assert!(!html.contains(forbidden), "hr page contains {forbidden}");
    }
    assert!(html.contains("健康診断"), "hr page shows the checkup was taken");
    assert!(
        html.contains("勤怠(年)") && html.contains("時間外・休日労働 平均"),
        "hr page shows attendance (folded by year)"
    );
}

#[tokio::test]
async fn physician_sees_values_and_health_manager_not_class_3() {
    let f = fixture().await;
    let path = format!("/api/v1/companies/{}/workers/{}/events/{}", f.c0, f.subject, f.events["checkup"]);
    let (_, doc) = login(&f.app, "doctor", "password-123").await;
    let (st, body) = get(&f.app, &doc.unwrap(), &path).await;
    assert_eq!(st, OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let classes: Vec<&str> =
        v["event"]["observations"].as_array().unwrap().iter().map(|o| o["info_class"].as_str().unwrap()).collect();
    assert!(classes.contains(&"class2") && classes.contains(&"class3"), "{classes:?} {body}");
    assert_eq!(v["event"]["withheld"], 0);
    let (_, hm) = login(&f.app, "eisei", "password-123").await;
    let (st, body) = get(&f.app, &hm.unwrap(), &path).await;
    assert_eq!(st, OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let obs = v["event"]["observations"].as_array().unwrap();
    assert!(obs.iter().all(|o| o["info_class"] != "class3"), "class 3 needs consent for the health manager");
    assert!(v["event"]["withheld"].as_u64().unwrap() >= 1);
    // Reads of health data are audited as allowed.
    let last = f.store.list_audit(&AuditFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert!(last[0].allowed && last[0].login == "eisei" && last[0].detail.contains("class2"));
}

#[tokio::test]
async fn worker_reads_own_record_only() {
    let f = fixture().await;
    let (_, s) = login(&f.app, "worker", "password-123").await;
    let s = s.unwrap();
    let (st, _) = get(&f.app, &s, &format!("/companies/{}/workers/{}", f.c0, f.own)).await;
    assert_eq!(st, OK);
    let (st, body) =
        get(&f.app, &s, &format!("/api/v1/companies/{}/workers/{}/events/{}", f.c0, f.own, f.own_event)).await;
    assert_eq!(st, OK);
    assert!(body.contains("Ac0010000Z"), "the worker sees their own values");
    // /me leads to the own record.
    let req = Request::get("/me").header(header::COOKIE, format!("iphr_session={s}")).body(Body::empty()).unwrap();
    let (st, h, _) = send(&f.app, req).await;
    assert_eq!(st, SEE);
    assert!(h.iter().any(|(k, v)| k == "location" && v.contains(&f.own.to_string())));
    // Another company's list: refused.
    let (st, _) = get(&f.app, &s, &format!("/api/v1/companies/{}/workers", f.c1)).await;
    assert_eq!(st, NO);
}

#[tokio::test]
async fn login_logout_csrf_and_rate_limit() {
    let f = fixture().await;
    // Not logged in: pages redirect to the login, the API answers 401.
    let (st, h, _) = send(&f.app, Request::get("/companies").body(Body::empty()).unwrap()).await;
    assert_eq!(st, SEE);
    assert!(h.iter().any(|(k, v)| k == "location" && v == "/login"));
    let (st, _, body) = send(&f.app, Request::get("/api/v1/companies").body(Body::empty()).unwrap()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(body.contains("unauthenticated"));
    // A login without the matching CSRF cookie is refused.
    let req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=doctor&password=password-123&csrf=x"))
        .unwrap();
    assert_eq!(send(&f.app, req).await.0, NO);
    // A cross-origin POST is refused before anything else.
    let req = Request::post("/login")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=doctor&password=password-123&csrf=x"))
        .unwrap();
    assert_eq!(send(&f.app, req).await.0, NO);
    // `Origin: null` (an opaque origin) is cross-origin too.
    let req = Request::post("/login")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "null")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("login=doctor&password=password-123&csrf=x"))
        .unwrap();
    assert_eq!(send(&f.app, req).await.0, NO);
    // Wrong passwords: 401 five times, then 429 even with the right one.
    for _ in 0..5 {
        assert_eq!(login(&f.app, "nurse", "wrong-password").await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&f.app, "nurse", "password-123").await.0, StatusCode::TOO_MANY_REQUESTS);
    let denied = f.store.list_audit(&AuditFilter { denied_only: true, limit: 10, ..Default::default() }).await.unwrap();
    assert!(denied.iter().any(|e| e.action == "login" && e.login == "nurse" && e.detail == "rate limited"));
    // Logout needs the session's CSRF token, then ends the session.
    let (_, s) = login(&f.app, "doctor", "password-123").await;
    let s = s.unwrap();
    let (_, page) = get(&f.app, &s, "/companies").await;
    let token = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let post = |csrf: &str| {
        Request::post("/logout")
            .header(header::COOKIE, format!("iphr_session={s}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap()
    };
    assert_eq!(send(&f.app, post("wrong")).await.0, NO);
    assert_eq!(get(&f.app, &s, "/api/v1/me").await.0, OK);
    assert_eq!(send(&f.app, post(&token)).await.0, SEE);
    assert_eq!(get(&f.app, &s, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn security_headers_health_and_openapi() {
    let f = fixture().await;
    let (st, h, body) = send(&f.app, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((st, body.as_str()), (OK, "ok"));
    let get_h = |k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert!(get_h("content-security-policy").contains("script-src 'self'"));
    assert_eq!(get_h("x-frame-options"), "DENY");
    assert_eq!(get_h("x-content-type-options"), "nosniff");
    assert_eq!(get_h("cache-control"), "no-store");
    // Regression: with `no-referrer` browsers send `Origin: null` on form posts and the
    // cross-origin check refused every login (found by the browser test).
    assert_eq!(get_h("referrer-policy"), "same-origin");
    let (st, _, body) = send(&f.app, Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(st, OK);
    let spec: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
    // Every API route the router registers is in the document (read from the features' routes).
    let sources = [
        include_str!("../../src/lib.rs"),
        include_str!("../../src/records/mod.rs"),
        include_str!("../../src/postcheckup/mod.rs"),
        include_str!("../../src/workstatus/mod.rs"),
        include_str!("../../src/stress/mod.rs"),
        include_str!("../../src/uploads/mod.rs"),
        include_str!("../../src/interview/mod.rs"),
        include_str!("../../src/rules/mod.rs"),
        include_str!("../../src/admin/mod.rs"),
        include_str!("../../src/auth/mod.rs"),
    ];
    let routes: Vec<&str> = sources
        .iter()
        .flat_map(|s| s.lines())
        .filter_map(|l| l.trim().strip_prefix(".route(\"")?.split('"').next())
        .filter(|p| p.starts_with("/api/v1/") && *p != "/api/v1/openapi.json")
        .collect();
    assert!(routes.len() >= 12, "{routes:?}");
    for p in routes {
        assert!(paths.iter().any(|x| *x == p), "openapi lacks {p}");
    }
    let (st, _, _) = send(&f.app, Request::get("/static/htmx.min.js").body(Body::empty()).unwrap()).await;
    assert_eq!(st, OK);
}

#[tokio::test]
async fn search_pages_and_language() {
    let f = fixture().await;
    let (_, s) = login(&f.app, "doctor", "password-123").await;
    let s = s.unwrap();
    let (st, html) = get(&f.app, &s, &format!("/companies/{}/workers?q=A000001", f.c0)).await;
    assert_eq!(st, OK);
    assert!(html.contains("1 件"), "one worker matches A000001");
    let (_, html) = get(&f.app, &s, &format!("/companies/{}/workers?page=2", f.c0)).await;
    assert!(html.contains("2 / 2"), "60 workers are two pages of 50");
    let req = Request::get("/companies")
        .header(header::COOKIE, format!("iphr_session={s}; lang=en"))
        .body(Body::empty())
        .unwrap();
    let (_, _, html) = send(&f.app, req).await;
    assert!(html.contains("Companies") && html.contains("lang=\"en\""));
}

#[tokio::test]
async fn company_override_to_processed_shows_judgements_only() {
    use iphr_domain::policy::{Access, PolicyOverride};
    let f = fixture().await;
    f.store
        .set_policy_override(
            f.c0,
            PolicyOverride { role: Role::HealthManager, info_class: InfoClass::Class2, access: Access::AllowProcessed },
        )
        .await
        .unwrap();
    let (_, s) = login(&f.app, "eisei", "password-123").await;
    let path = format!("/api/v1/companies/{}/workers/{}/events/{}", f.c0, f.subject, f.events["checkup"]);
    let (st, body) = get(&f.app, &s.unwrap(), &path).await;
    assert_eq!(st, OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["event"]["shown"], "processed");
    let obs = v["event"]["observations"].as_array().unwrap();
    assert!(!obs.is_empty(), "the judgement is shown");
    for o in obs {
        assert_eq!(&o["ohcc"].as_str().unwrap()[10..11], "J", "only judgements (data ATR J): {o}");
        assert!(o["number"].is_null());
    }
    assert!(v["event"]["detail"].is_null());
    // The other company keeps the default.
    let (_, s) = login(&f.app, "doctor", "password-123").await;
    let (st, _) = get(&f.app, &s.unwrap(), &path).await;
    assert_eq!(st, OK);
}
