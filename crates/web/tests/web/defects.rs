//! Regression tests of the defects found when iphr was tried from outside (issue 11, items
//! 11–15): the language switch's redirect, the HR acknowledgement without an opinion, the
//! long-hours steps, the opinion form's fields HR reads, and the worker on staff pages.

use crate::common::{demo, get, login, post, send};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_domain::event::EventKind;
use iphr_store::{AuditFilter, JudgementFilter, JudgementRecord};

/// Today in Japan (the web records dates in JST).
fn today_jst() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// The first company and a latest checkup of it with no opinion yet.
async fn undecided_checkup(d: &crate::common::Demo) -> (CompanyId, JudgementRecord) {
    let cid: CompanyId = d.companies[0].company.id;
    let today = chrono::Utc::now().date_naive();
    let filter = JudgementFilter { latest_only: true, section: None, today, since: None, limit: None };
    let all = d.store.judgements(cid, &filter).await.unwrap();
    (cid, all.into_iter().find(|j| j.work_category.is_none()).unwrap())
}

fn cfg() -> DemoConfig {
    DemoConfig {
        companies: 1,
        workers: 60,
        years: 1,
        seed: 21,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    }
}

/// Item 11: `/lang/en?next=` takes only paths of this site.
#[tokio::test]
async fn the_language_switch_redirects_only_within_the_site() {
    let d = demo(cfg(), vec![], false).await;
    for (next, want) in [
        ("/%5C127.0.0.1:18999/phish", "/"),
        ("//127.0.0.1:18999/phish", "/"),
        ("/%09/127.0.0.1", "/"),
        ("https://127.0.0.1:18999/", "/"),
        ("/%252F%252Fevil", "/"),
        ("/companies", "/companies"),
    ] {
        let req = Request::get(format!("/lang/en?next={next}")).body(Body::empty()).unwrap();
        let (st, h, _) = send(&d.app, req).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{next}");
        let location = h.iter().find(|(k, _)| k == "location").map(|(_, v)| v.as_str());
        assert_eq!(location, Some(want), "{next}");
    }
}

/// Item 12: HR acknowledges an opinion, so there must be one.
#[tokio::test]
async fn hr_cannot_acknowledge_a_checkup_without_an_opinion() {
    let d = demo(cfg(), vec![], true).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let (cid, j) = undecided_checkup(&d).await;
    let (hr, ht) = login(&app, "jinji").await;
    let path = format!("/companies/{cid}/checkups/{}/steps", j.event_id);
    let (st, body) = post(&app, &hr, &path, format!("csrf={ht}&step=hr_ack")).await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("医師の意見 (就業区分) がまだないため"), "{body}");
    assert!(store.steps(cid, j.event_id).await.unwrap().is_empty());
    assert!(store.judgement(cid, j.event_id).await.unwrap().unwrap().hr_ack_at.is_none());
}

/// Item 13: the long-hours steps are checked against the month's hours, recorded once, and
/// dated by the month concerned.
#[tokio::test]
async fn long_hours_steps_follow_the_hours_and_are_recorded_once() {
    let d = demo(cfg(), vec![], false).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    let rules = iphr_domain::overtime::OvertimeRules::embedded().unwrap();
    let month = "2026-03";
    let first = iphr_postcheckup::hours::parse_month(month).unwrap();
    let recs = iphr_postcheckup::hours::month_hours(store.as_ref(), cid, first, rules, "general", None).await.unwrap();
    let over = recs.iter().find(|r| r.result.hours.overtime_holiday > 80.0).expect("someone over 80 h");
    let under = recs.iter().find(|r| r.result.hours.overtime_holiday < 45.0).expect("someone under 45 h");
    let (n, nt) = login(&app, "nurse").await;
    let step = |eid: iphr_domain::EmploymentId| format!("/companies/{cid}/hours/{eid}");
    let form = |s: &str, m: &str| format!("csrf={nt}&step={s}&month={m}");
    // Under 80 h: no notice, no application.
    for s in ["notice", "application"] {
        let (st, body) = post(&app, &n, &step(under.employment_id.unwrap()), form(s, month)).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{s}: {body}");
        assert!(body.contains("面接指導の対象 (月80時間超) ではありません"), "{body}");
    }
    // A month not over yet: refused.
    let now = today_jst().format("%Y-%m").to_string();
    let (st, body) = post(&app, &n, &step(over.employment_id.unwrap()), form("notice", &now)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    // The measure needs the physician's opinion of that month.
    let (st, body) = post(&app, &n, &step(over.employment_id.unwrap()), form("measure", month)).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("医師の意見がまだない"), "{body}");
    // Over 80 h: the notice once, however often it is posted, dated by the month.
    for _ in 0..3 {
        let (st, _) = post(&app, &n, &step(over.employment_id.unwrap()), form("notice", month)).await;
        assert_eq!(st, StatusCode::SEE_OTHER);
    }
    let notices: Vec<_> = store
        .events_of_kind(cid, EventKind::Interview, Some("long_hours_notice"))
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.person_id == Some(over.person_id))
        .collect();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].event_date, first, "dated by the month concerned");
    assert_eq!(notices[0].detail["recorded_on"], today_jst().to_string());
    assert!(notices[0].title.contains("2026年3月"), "{}", notices[0].title);
    let under_events: Vec<_> = store
        .timeline(cid, under.person_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.subkind.as_deref().is_some_and(|s| s.starts_with("long_hours")))
        .collect();
    assert!(under_events.is_empty(), "{under_events:?}");
}

/// Item 14: the opinion form marks the fields HR reads.
#[tokio::test]
async fn the_opinion_form_marks_what_hr_reads() {
    let d = demo(cfg(), vec![], true).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    let today = chrono::Utc::now().date_naive();
    let filter = JudgementFilter { latest_only: true, section: None, today, since: None, limit: Some(1) };
    let j = store.judgements(cid, &filter).await.unwrap().remove(0);
    let (doc, _) = login(&app, "doctor").await;
    let (st, page) = get(&app, &doc, &format!("/companies/{cid}/checkups/{}", j.event_id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("id=\"to-hr-note\""), "{page}");
    let form = page.split("id=\"opinion-form\"").nth(1).unwrap().split("</form>").next().unwrap();
    for (field, mark) in [
        ("name=\"measures_text\"", "人事に提供"),
        ("name=\"valid_until\"", "人事に提供"),
        ("name=\"reasons\"", "産業保健スタッフのみ"),
        ("name=\"condition\"", "産業保健スタッフのみ"),
    ] {
        let label = form.split(field).next().unwrap().rsplit("<label>").next().unwrap();
        assert!(label.contains(mark), "{field}: {label}");
    }
}

/// Item 15: a worker is refused the staff dashboard and is not linked to the staff list.
#[tokio::test]
async fn a_worker_is_refused_staff_pages_and_not_linked_to_them() {
    let d = demo(cfg(), vec![], true).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    let (w, _) = login(&app, "worker").await;
    assert_eq!(get(&app, &w, "/postcheckup").await.0, StatusCode::FORBIDDEN);
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 5, ..Default::default() }).await.unwrap();
    assert!(denied.iter().any(|e| e.action == "GET /postcheckup"), "{denied:?}");
    let eid = store.employments_of_person(d.worker).await.unwrap()[0].id;
    let (st, page) = get(&app, &w, &format!("/companies/{cid}/workers/{eid}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!page.contains(&format!("href=\"/companies/{cid}/workers\"")), "{page}");
    assert_eq!(get(&app, &w, &format!("/companies/{cid}/workers")).await.0, StatusCode::FORBIDDEN);
    // Staff still see the dashboard.
    let (doc, _) = login(&app, "doctor").await;
    assert_eq!(get(&app, &doc, "/postcheckup").await.0, StatusCode::OK);
}

/// Item 17: the physician's opinion and the employer's decision reach the timeline (HR reads
/// them), and so does the treatment status the opinion form records (OH staff only).
#[tokio::test]
async fn the_opinion_and_the_decision_reach_the_timeline() {
    let d = demo(cfg(), vec![], true).await;
    let app = d.app.clone();
    let (cid, j) = undecided_checkup(&d).await;
    let steps = format!("/companies/{cid}/checkups/{}/steps", j.event_id);
    let (doc, dt) = login(&app, "doctor").await;
    let body = format!(
        "csrf={dt}&step=opinion&category=restriction&measure=overtime_limit&measures_text=月20時間まで&reasons=血圧180/110&condition=高血圧症&treatment=in_treatment"
    );
    let (st, b) = post(&app, &doc, &steps, body).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
    let (hr, ht) = login(&app, "jinji").await;
    let (st, b) = post(&app, &hr, &steps, format!("csrf={ht}&step=hr_ack")).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
    let eid = j.employment_id.unwrap();
    let worker = format!("/companies/{cid}/workers/{eid}");
    let (_, page) = get(&app, &doc, &worker).await;
    let timeline = page.split("class=\"timeline\"").nth(1).unwrap();
    let opinion = timeline.find("健診結果に基づく医師の意見: 要制限").expect("the opinion");
    let decision = timeline.find("就業上の措置: 時間外労働の制限・月20時間まで").expect("the decision");
    assert!(decision < opinion, "newest first: the decision after the opinion");
    assert!(timeline.contains("治療状況: 高血圧症 — 治療中"), "the physician sees the treatment status");
    // HR reads the opinion and the decision, never the treatment status or the reasons.
    let (_, page) = get(&app, &hr, &worker).await;
    assert!(page.contains("健診結果に基づく医師の意見: 要制限") && page.contains("就業上の措置: 時間外労働の制限"));
    assert!(!page.contains("高血圧症") && !page.contains("180/110"), "{page}");
}
