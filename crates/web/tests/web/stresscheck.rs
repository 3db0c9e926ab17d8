//! The stress check on the web: the worker answers (save, resume, every answer required), sees
//! the result and applies for the interview; the implementers see the lists; HR and the health
//! manager are refused the lists, and read an individual result only after the application.

use crate::common::{demo, get, login, post};
use axum::http::StatusCode;
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_store::{AuditFilter, StressCampaign};

/// The demo of these tests: one company of 30 workers.
fn one_company() -> DemoConfig {
    DemoConfig {
        companies: 1,
        workers: 30,
        years: 1,
        seed: 9,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    }
}

/// A campaign open from 10 days ago to 20 days ahead.
async fn open_campaign(store: &dyn iphr_store::Store, cid: CompanyId, name: &str, implementer: &str) -> StressCampaign {
    let today = chrono::Utc::now().date_naive();
    let campaign = StressCampaign {
        company_id: cid,
        id: uuid::Uuid::now_v7(),
        name: name.into(),
        starts_on: today - chrono::Duration::days(10),
        ends_on: today + chrono::Duration::days(20),
        method: "sum".into(),
        implementer: implementer.into(),
        created_by: "test".into(),
        created_at: chrono::Utc::now(),
    };
    store.create_stress_campaign(&campaign).await.unwrap();
    campaign
}

#[tokio::test]
async fn worker_answers_and_the_employer_sees_only_with_consent() {
    let cfg = one_company();
    // Kept whole to the end: its temporary folder holds the database.
    let d = demo(cfg, vec![], false).await;
    let (app, store, me) = (d.app.clone(), d.store.clone(), d.worker);
    let cid: CompanyId = d.companies[0].company.id;
    let today = chrono::Utc::now().date_naive();
    let campaign = open_campaign(store.as_ref(), cid, "テスト", "doctor").await;

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
    // Issue 11.10: the consent is this check's result — the profile and the decision — for HR
    // and the health manager; never the answers, never another check.
    let (st, page) = get(&app, &hr, &event_path).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("高ストレス判定") && page.contains("活気 評価点"), "{page}");
    assert!(!page.contains("尺度素点") && !page.contains("合計点") && !page.contains("answers"), "{page}");
    assert_eq!(get(&app, &hm, &event_path).await.0, StatusCode::OK);
    let api = format!("/api/v1/companies/{cid}/workers/{emp}");
    let (st, doc) = get(&app, &hr, &api).await;
    assert_eq!(st, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).unwrap();
    // Whether a check was taken is class 1 (受検の有無); the content of another check stays hidden.
    let all_checks: Vec<&serde_json::Value> =
        doc["timeline"].as_array().unwrap().iter().filter(|e| e["kind"] == "stress_check").collect();
    for e in &all_checks {
        if e["event_id"] != ev.id.to_string() {
            assert_eq!((e["shown"].as_str(), e["observations"].as_array().map(Vec::len)), (Some("hidden"), Some(0)));
        }
    }
    let stress: Vec<&&serde_json::Value> = all_checks.iter().filter(|e| e["shown"] != "hidden").collect();
    assert_eq!(stress.len(), 1, "HR sees the one check consented to: {stress:?}");
    assert_eq!(stress[0]["shown"], "processed");
    assert_eq!(stress[0]["event_id"], ev.id.to_string());
    assert!(stress[0]["detail"].is_null(), "no answers: {}", stress[0]);
    let items: Vec<&str> =
        stress[0]["observations"].as_array().unwrap().iter().map(|o| o["ohcc"].as_str().unwrap()).collect();
    assert!(items.iter().all(|i| i.starts_with("Cz0010000Z") || i.contains("0002")), "judgements only: {items:?}");
    let older: Vec<_> = store
        .timeline(cid, me)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::StressCheck && e.id != ev.id)
        .collect();
    for e in &older {
        let p = format!("/companies/{cid}/workers/{emp}/events/{}", e.id);
        assert_eq!(get(&app, &hr, &p).await.0, StatusCode::FORBIDDEN, "another check: {}", e.event_date);
    }
    let consents = store.consents_of_person(me).await.unwrap();
    assert!(consents.iter().all(|c| c.event_id == Some(ev.id)), "{consents:?}");
    let (_, page) = get(&app, &d, &path).await;
    assert!(page.contains("申出あり"));
    // The physician records the interview on the MHLW form, the A/B/C sums prefilled.
    let iv = format!("/companies/{cid}/workers/{emp}/interview");
    assert!(page.contains(&format!("{iv}?kind=high_stress&amp;campaign={}", campaign.id)), "{page}");
    let (st, form) = get(&app, &d, &format!("{iv}?kind=high_stress&campaign={}", campaign.id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(form.contains("name=\"stress_a\" size=\"4\" value=\"68\"") && form.contains("value=\"116\""), "{form}");
    let dt = crate::common::token(&form);
    let body = format!(
        "csrf={dt}&kind=high_stress&campaign={}&interviewed_on={today}&stress_a=68&stress_b=116&stress_c=36&findings=0&guidance=2&category=1&other=b&other_detail=配置転換の検討&period_from={today}&period_to={}",
        campaign.id,
        today + chrono::Duration::days(90)
    );
    let (st, b) = post(&app, &d, &iv, body).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
    let (_, page) = get(&app, &d, &path).await;
    assert!(page.contains(&format!("面接済 {today}")), "{page}");
    // The 様式第6号の3 count of interviews follows.
    let n = store.events_of_kind(cid, EventKind::Interview, Some("high_stress")).await.unwrap();
    assert!(n.iter().any(|e| e.person_id == Some(me) && e.event_date == today));
}

/// Issue 11.10: a worker who is not high-stress cannot "apply" and so open their results; the
/// page offers the health consultation instead.
#[tokio::test]
async fn a_worker_who_is_not_high_stress_cannot_apply() {
    let d = demo(one_company(), vec![], false).await;
    let (app, store, me) = (d.app.clone(), d.store.clone(), d.worker);
    let cid: CompanyId = d.companies[0].company.id;
    let campaign = open_campaign(store.as_ref(), cid, "テスト", "doctor").await;
    let (w, wt) = login(&app, "worker").await;
    let low: String = (1..=57)
        .map(|i| {
            format!(
                "&q{i}={}",
                if i <= 17 {
                    4
                } else if i <= 46 {
                    1
                } else {
                    4
                }
            )
        })
        .collect();
    let (st, _) =
        post(&app, &w, "/me/stresscheck", format!("csrf={wt}&campaign={}&action=submit{low}", campaign.id)).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&app, &w, "/me/stresscheck/result").await;
    assert!(page.contains("高ストレス者には該当しません") && page.contains("健康相談"), "{page}");
    assert!(!page.contains("/me/stresscheck/apply"), "no application form");
    let before = store.consents_of_person(me).await.unwrap();
    let (st, page) = post(&app, &w, "/me/stresscheck/apply", format!("csrf={wt}")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{page}");
    assert!(page.contains("健康相談"), "{page}");
    assert_eq!(store.consents_of_person(me).await.unwrap(), before, "nothing consented");
    let t = store.timeline(cid, me).await.unwrap();
    assert!(
        !t.iter()
            .any(|e| e.subkind.as_deref() == Some("high_stress_application") && e.event_date >= campaign.starts_on)
    );
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 10, ..Default::default() }).await.unwrap();
    assert!(denied.iter().any(|e| e.action == "POST /me/stresscheck/apply"), "{denied:?}");
}

#[tokio::test]
async fn implementers_remind_those_who_have_not_answered() {
    let cfg = one_company();
    let d = demo(cfg, vec![], false).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    let campaign = open_campaign(store.as_ref(), cid, "リマインド", "nurse").await;
    let page_path = format!("/companies/{cid}/stresscheck?campaign={}", campaign.id);
    let remind_path = format!("/companies/{cid}/stresscheck/{}/remind", campaign.id);
    let (n, nt) = login(&app, "nurse").await;
    let (_, page) = get(&app, &n, &page_path).await;
    let not_answered: usize =
        page.split("未回答 <b>").nth(1).and_then(|s| s.split('<').next()).and_then(|s| s.parse().ok()).unwrap();
    assert!(not_answered > 0);
    // The two 判定図 are drawn, with one point per group.
    assert!(page.contains("id=\"hanteizu-demand\"") && page.contains("id=\"hanteizu-support\""), "{page}");

    // HR and the health manager cannot send (refused, audited); nothing is recorded.
    for login_name in ["jinji", "eisei"] {
        let (s, t) = login(&app, login_name).await;
        assert_eq!(post(&app, &s, &remind_path, format!("csrf={t}")).await.0, StatusCode::FORBIDDEN);
    }
    // A request without the CSRF token is refused.
    assert_eq!(post(&app, &n, &remind_path, "csrf=x".into()).await.0, StatusCode::FORBIDDEN);
    assert!(store.stress_reminders(cid, campaign.id).await.unwrap().is_empty());

    // The nurse (an implementer) reminds everyone who has not answered.
    let (st, _) = post(&app, &n, &remind_path, format!("csrf={nt}")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let sent = store.stress_reminders(cid, campaign.id).await.unwrap();
    assert_eq!(sent.len(), not_answered);
    assert!(sent.iter().all(|r| r.sent_by == "nurse"));
    let (_, page) = get(&app, &n, &format!("{page_path}&reminded={not_answered}")).await;
    assert!(page.contains(&format!("{not_answered}人にリマインドを送りました")));
    assert_eq!(page.matches("(リマインド: ").count(), not_answered);
    // The worker sees it on their questionnaire.
    let (w, _) = login(&app, "worker").await;
    let (_, page) = get(&app, &w, "/me/stresscheck").await;
    assert!(page.contains("id=\"reminder\""), "{page}");
    let audit = store.list_audit(&AuditFilter { limit: 500, ..Default::default() }).await.unwrap();
    assert_eq!(
        audit.iter().filter(|e| e.action == format!("POST {remind_path}") && e.allowed).count(),
        2,
        "the read and the sending"
    );
    assert_eq!(audit.iter().filter(|e| e.action == format!("POST {remind_path}") && !e.allowed).count(), 2);
}
