//! The post-checkup pages and API: the dashboard, a checkup's workflow, the HR view — grants and
//! denials, each denial audited; only a physician decides the 就業区分; HR never sees values.

use crate::common::{get, login, send};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_domain::role::Role;
use iphr_store::{AuditFilter, JudgementFilter, Section, Store};
use std::sync::Arc;

struct Fixture {
    app: Router,
    store: Arc<dyn Store>,
    c0: CompanyId,
    _demo: crate::common::Demo,
}

async fn fixture() -> Fixture {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let cfg = DemoConfig { companies: 2, workers: 160, years: 3, seed: 5, as_of };
    let other = iphr_demo::companies(&cfg)[1].company.id;
    // A physician who serves only company 1.
    let doctor1 = iphr_demo::DemoAccount {
        login: "doctor1".into(),
        password: String::new(),
        display_name: "other".into(),
        role: Role::Physician,
        companies: vec![other],
        person_id: None,
    };
    let d = crate::common::demo(cfg, vec![doctor1], true).await;
    Fixture { app: d.app.clone(), store: d.store.clone(), c0: d.companies[0].company.id, _demo: d }
}

async fn post(app: &Router, session: &str, path: &str, body: String) -> StatusCode {
    crate::common::post(app, session, path, body).await.0
}

const OK: StatusCode = StatusCode::OK;
const NO: StatusCode = StatusCode::FORBIDDEN;
const SEE: StatusCode = StatusCode::SEE_OTHER;

async fn denied_count(store: &dyn Store, action: &str) -> usize {
    store
        .list_audit(&AuditFilter { denied_only: true, limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == action)
        .count()
}

#[tokio::test]
async fn dashboard_for_oh_staff_only_with_plausible_counts() {
    let f = fixture().await;
    let path = format!("/companies/{}/postcheckup", f.c0);
    let (doctor, _) = login(&f.app, "doctor").await;
    let (st, page) = get(&f.app, &doctor, &path).await;
    assert_eq!(st, OK);
    for s in ["緊急連絡", "受診勧奨フォロー", "意見期限", "要精検フォロー", "二次健診候補", "特定保健指導 階層化"]
    {
        assert!(page.contains(s), "section {s}");
    }
    let (st, json) = get(&f.app, &doctor, &format!("/api/v1{path}")).await;
    assert_eq!(st, OK);
    // Rows resting on unverified rule rows are marked (the API says so per row).
    assert!(json.contains("\"unverified\":true"), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let c = &v["counts"];
    // Every section has something in a demo company of this size.
    for k in ["referral", "opinion_due", "followup", "strat_active", "strat_motivational", "judged"] {
        assert!(c[k].as_u64().unwrap() > 0, "{k}: {c}");
    }
    // One latest general checkup per worker (and the special ones apart): about a hundred in this
    // company of the 160-worker demo.
    assert!(c["judged"].as_u64().unwrap() >= 80, "{c}");
    // The nurse and the health manager see it; HR, the worker, the admin and a physician of
    // another company do not — each refusal audited.
    let (nurse, _) = login(&f.app, "nurse").await;
    assert_eq!(get(&f.app, &nurse, &path).await.0, OK);
    let (eisei, _) = login(&f.app, "eisei").await;
    assert_eq!(get(&f.app, &eisei, &path).await.0, OK);
    for who in ["jinji", "worker", "admin", "doctor1"] {
        let (s, _) = login(&f.app, who).await;
        assert_eq!(get(&f.app, &s, &path).await.0, NO, "{who}");
        assert_eq!(get(&f.app, &s, &format!("/api/v1{path}")).await.0, NO, "{who} api");
    }
    assert_eq!(denied_count(f.store.as_ref(), &format!("GET {path}")).await, 4);
    // The judgement export and re-judging through the API.
    let (st, csv) = get(&f.app, &doctor, &format!("/api/v1/companies/{}/judgements?format=csv&latest=1", f.c0)).await;
    assert_eq!(st, OK);
    assert!(csv.starts_with("employee_number,checkup_date,checkup_kind,item"), "{csv}");
    let (hr, _) = login(&f.app, "jinji").await;
    assert_eq!(get(&f.app, &hr, &format!("/api/v1/companies/{}/judgements", f.c0)).await.0, NO);
    let (_, page) = get(&f.app, &doctor, "/rules").await;
    let judge = |s: &str, t: &str| {
        Request::post(format!("/api/v1/companies/{}/judge", f.c0))
            .header(header::COOKIE, format!("iphr_session={s}"))
            .header("x-csrf-token", t.to_string())
            .body(Body::empty())
            .unwrap()
    };
    let (st, _, body) = send(&f.app, judge(&doctor, &crate::common::token(&page))).await;
    assert_eq!(st, OK, "{body}");
    assert!(body.contains("\"unchanged\"") && body.contains("\"new\":0"), "{body}");
    let (eisei, et) = login(&f.app, "eisei").await;
    assert_eq!(send(&f.app, judge(&eisei, &et)).await.0, NO);
    // The all-companies page for the doctor.
    let (st, page) = get(&f.app, &doctor, "/postcheckup").await;
    assert_eq!(st, OK);
    assert!(page.contains("計"));
    // The rule tables with their sources.
    let (st, page) = get(&f.app, &doctor, "/rules").await;
    assert_eq!(st, OK);
    assert!(page.contains("日本人間ドック・予防医療学会") && page.contains("kakogawa"));
}

#[tokio::test]
async fn checkup_workflow_only_a_physician_decides_and_hr_sees_no_values() {
    let f = fixture().await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let due = f
        .store
        .judgements(
            f.c0,
            &JudgementFilter { latest_only: true, section: Some(Section::OpinionDue), today, since: None, limit: None },
        )
        .await
        .unwrap();
    let r = due.iter().find(|r| r.result.overall.is_some() && !r.result.items.is_empty()).expect("an opinion due");
    let page = format!("/companies/{}/checkups/{}", f.c0, r.event_id);
    let steps = format!("{page}/steps");
    let (doctor, dcsrf) = login(&f.app, "doctor").await;
    let (nurse, ncsrf) = login(&f.app, "nurse").await;
    let (jinji, hcsrf) = login(&f.app, "jinji").await;
    let (st, body) = get(&f.app, &doctor, &page).await;
    assert_eq!(st, OK);
    assert!(body.contains("総合判定") && body.contains("日本人間ドック・予防医療学会"), "judgement with its source");
    assert_eq!(get(&f.app, &jinji, &page).await.0, NO);
    assert_eq!(get(&f.app, &jinji, &format!("/api/v1{page}/judgement")).await.0, NO);

    // A nurse may set the 指導区分 but not the 就業区分.
    let opinion = |csrf: &str| {
        format!(
            "csrf={csrf}&step=opinion&category=restriction&measure=overtime_limit&measure=fewer_night_shifts&measures_text=&reasons=BP&opinion=%E7%B2%BE%E6%A4%9C&valid_until=2026-09-30&review_on=2026-07-01&condition=&treatment=untreated"
        )
    };
    assert_eq!(post(&f.app, &nurse, &steps, opinion(&ncsrf)).await, NO);
    assert_eq!(denied_count(f.store.as_ref(), &format!("POST {steps}")).await, 1);
    assert_eq!(post(&f.app, &nurse, &steps, format!("csrf={ncsrf}&step=guidance&level=health&note=")).await, SEE);
    // A 特定保健指導 plan (the deck's 保健指導ツール); a missing date names the field.
    assert_eq!(
        post(&f.app, &nurse, &steps, format!("csrf={ncsrf}&step=health_guidance&phase=plan&date=2026-04-10&note=goal"))
            .await,
        SEE
    );
    assert_eq!(
        post(&f.app, &nurse, &steps, format!("csrf={ncsrf}&step=health_guidance&phase=plan&date=&note=x")).await,
        StatusCode::BAD_REQUEST
    );
    // A wrong CSRF token is refused.
    assert_eq!(post(&f.app, &doctor, &steps, opinion("nope")).await, NO);
    // 要制限 without any measure is a bad request naming the field.
    let (st, _, body) = send(
        &f.app,
        Request::post(&steps)
            .header(header::COOKIE, format!("iphr_session={doctor}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={dcsrf}&step=opinion&category=restriction")))
            .unwrap(),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("measure"), "{body}");
    assert_eq!(post(&f.app, &doctor, &steps, opinion(&dcsrf)).await, SEE);
    let j = f.store.judgement(f.c0, r.event_id).await.unwrap().unwrap();
    assert_eq!(j.stage, "opinion_set");
    assert_eq!(j.guidance.as_deref(), Some("health"));
    assert_eq!(j.measures, vec!["overtime_limit", "fewer_night_shifts"]);

    // HR: the measure, never values or diagnoses.
    let measures = format!("/companies/{}/measures", f.c0);
    let (st, body) = get(&f.app, &jinji, &format!("{measures}?pending=1")).await;
    assert_eq!(st, OK);
    assert!(body.contains("就業制限") && body.contains("時間外労働の制限") && body.contains("2026-09-30"), "{body}");
    for leak in ["mmHg", "mg/dL", "総合判定", "要精密検査", "異常なし", "軽度異常", "尿蛋白", "収縮期"]
    {
        assert!(!body.contains(leak), "HR page shows {leak}");
    }
    let (_, json) = get(&f.app, &jinji, &format!("/api/v1{measures}")).await;
    for leak in ["mmHg", "overall", "items", "urgent", "category\":\"D"] {
        assert!(!json.contains(leak), "HR API shows {leak}");
    }
    // The nurse cannot acknowledge for HR; HR can.
    assert_eq!(post(&f.app, &nurse, &steps, format!("csrf={ncsrf}&step=hr_ack&note=")).await, NO);
    assert_eq!(post(&f.app, &jinji, &steps, format!("csrf={hcsrf}&step=hr_ack&note=")).await, SEE);
    let j = f.store.judgement(f.c0, r.event_id).await.unwrap().unwrap();
    assert_eq!(j.stage, "hr_acknowledged");
    // HR cannot decide either.
    assert_eq!(post(&f.app, &jinji, &steps, opinion(&hcsrf)).await, NO);
    let names: Vec<_> = f.store.steps(f.c0, r.event_id).await.unwrap().iter().map(|s| s.step.name()).collect();
    assert_eq!(names, vec!["guidance", "health_guidance", "opinion", "hr_ack"]);
    // The API takes a JSON step with the CSRF header.
    let req = Request::post(format!("/api/v1{steps}"))
        .header(header::COOKIE, format!("iphr_session={doctor}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-csrf-token", dcsrf.clone())
        .body(Body::from(r#"{"step":"followup_closed","note":"精検結果受領"}"#))
        .unwrap();
    let (st, _, body) = send(&f.app, req).await;
    assert_eq!(st, OK, "{body}");
    assert!(body.contains("closed"));
}

#[tokio::test]
async fn bulk_confirmation_is_one_audited_decision_per_worker() {
    let f = fixture().await;
    let (doctor, dcsrf) = login(&f.app, "doctor").await;
    let (nurse, ncsrf) = login(&f.app, "nurse").await;
    let (_, json) = get(&f.app, &doctor, &format!("/api/v1/companies/{}/postcheckup?section=opinion_due", f.c0)).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v["sections"][0]["rows"].as_array().unwrap();
    let ok: Vec<&str> =
        rows.iter().filter(|r| r["bulk_ok"] == true).map(|r| r["event_id"].as_str().unwrap()).take(3).collect();
    assert_eq!(ok.len(), 3, "three checkups proposed as 通常勤務");
    let not_ok = rows.iter().find(|r| r["bulk_ok"] == false).map(|r| r["event_id"].as_str().unwrap().to_string());
    let path = format!("/companies/{}/postcheckup/bulk-normal", f.c0);
    let mut form = ok.iter().map(|e| format!("event={e}")).collect::<Vec<_>>().join("&");
    if let Some(n) = &not_ok {
        form.push_str(&format!("&event={n}"));
    }
    assert_eq!(post(&f.app, &nurse, &path, format!("csrf={ncsrf}&{form}")).await, NO);
    assert_eq!(post(&f.app, &doctor, &path, format!("csrf={dcsrf}&{form}")).await, SEE);
    for e in &ok {
        let j = f.store.judgement(f.c0, e.parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(j.work_category, Some(iphr_domain::postcheckup::WorkCategory::Normal));
        assert_eq!(j.opinion_by.as_deref(), Some("doctor"));
    }
    // A checkup that is not a plain 通常勤務 candidate is skipped, not decided.
    if let Some(n) = not_ok {
        assert_eq!(f.store.judgement(f.c0, n.parse().unwrap()).await.unwrap().unwrap().opinion_at, None);
    }
    let writes = f
        .store
        .list_audit(&AuditFilter { limit: 1000, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.allowed && e.action == format!("POST {path}") && e.detail == "write opinion")
        .count();
    assert_eq!(writes, 3);
}

#[tokio::test]
async fn the_demos_urgent_values_are_in_the_right_tier() {
    // Every urgent hit of the judged demo is re-checked against the rule table: a panic hit meets
    // a panic row's limit; a referral hit meets a referral row and no panic row.
    let f = fixture().await;
    let rules = iphr_domain::judgement::Rules::embedded().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
    let all = f
        .store
        .judgements(f.c0, &JudgementFilter { latest_only: false, section: None, today, since: None, limit: None })
        .await
        .unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for j in &all {
        for hit in &j.result.urgent {
            // (An H/L mark without a number is judged by its side alone.)
            let Ok(value) = hit.value.split(' ').next().unwrap_or("").parse::<f64>() else { continue };
            let meets = |tier: iphr_domain::judgement::UrgentTier| {
                rules
                    .urgent
                    .iter()
                    .filter(|u| u.tier == tier && u.analyte == hit.analyte)
                    .any(|u| u.high_ge.is_some_and(|h| value >= h) || u.low_le.is_some_and(|l| value <= l))
            };
            use iphr_domain::judgement::UrgentTier::{Panic, Referral};
            match hit.tier {
                Panic => assert!(meets(Panic), "{hit:?}"),
                Referral => assert!(meets(Referral) && !meets(Panic), "{hit:?}"),
            }
            *seen.entry(hit.tier).or_insert(0) += 1;
        }
        assert_eq!(j.result.urgent_tier, j.result.urgent.iter().map(|u| u.tier).max());
    }
    assert!(seen.get(&iphr_domain::judgement::UrgentTier::Referral).copied().unwrap_or(0) > 0, "{seen:?}");
}
