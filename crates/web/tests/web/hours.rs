//! Long working hours on the web: the month's hours and flags, and the interview workflow — who
//! may record each step, each refusal audited.

use crate::common::{demo, get, login, post};
use axum::http::StatusCode;
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_store::AuditFilter;

#[tokio::test]
async fn long_hours_workflow_by_role() {
    let cfg = DemoConfig {
        companies: 1,
        workers: 60,
        years: 1,
        seed: 21,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    // Kept whole to the end: its temporary folder holds the database.
    let d = demo(cfg, vec![], false).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    // A month with someone over 80 h.
    let rules = iphr_domain::overtime::OvertimeRules::embedded().unwrap();
    let mut found = None;
    for m in ["2026-03", "2026-02", "2026-01", "2025-12", "2025-11", "2025-10"] {
        let first = iphr_postcheckup::hours::parse_month(m).unwrap();
        let recs =
            iphr_postcheckup::hours::month_hours(store.as_ref(), cid, first, rules, "general", None).await.unwrap();
        if let Some(r) = recs.iter().find(|r| r.result.hours.overtime_holiday > 80.0) {
            found = Some((m, r.employment_id.unwrap()));
            break;
        }
    }
    let (month, eid) = found.expect("a worker over 80 h in the demo");
    // One person's hours read alone equal their row in the whole company's.
    let first = iphr_postcheckup::hours::parse_month(month).unwrap();
    let everyone =
        iphr_postcheckup::hours::month_hours(store.as_ref(), cid, first, rules, "general", None).await.unwrap();
    let them = everyone.iter().find(|r| r.employment_id == Some(eid)).unwrap();
    let alone =
        iphr_postcheckup::hours::month_hours(store.as_ref(), cid, first, rules, "general", Some(them.person_id))
            .await
            .unwrap();
    assert_eq!(alone, vec![them.clone()]);
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
    let (st, body) = get(&app, &adm, &page).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{body}");
    let step = format!("/companies/{cid}/hours/{eid}");
    let form = |t: &str, s: &str, extra: &str| format!("csrf={t}&step={s}&month={month}{extra}");
    let (st, body) = post(&app, &hr, &step, form(&ht, "notice", "")).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    // The interview and the opinion are the physician's, on the MHLW form.
    assert_eq!(post(&app, &n, &step, form(&nt, "application", "")).await.0, StatusCode::SEE_OTHER);
    assert_eq!(
        post(&app, &d, &step, form(&dt, "interview", "")).await.0,
        StatusCode::BAD_REQUEST,
        "not a step any more"
    );
    let iv = format!("/companies/{cid}/workers/{eid}/interview");
    let (st, body) = get(&app, &d, &format!("{iv}?kind=long_hours&month={month}")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(body.contains(&format!("{month}: 時間外・休日労働")), "the month's hours prefilled: {body}");
    assert!(body.contains("疲労の蓄積の状況") && body.contains("就業上の措置に係る意見書"));
    for (s, t) in [(&n, &nt), (&hr, &ht)] {
        assert_eq!(get(&app, s, &format!("{iv}?kind=long_hours&month={month}")).await.0, StatusCode::FORBIDDEN);
        let body = format!(
            "csrf={t}&kind=long_hours&month={month}&interviewed_on=2026-04-10&fatigue=2&findings=0&guidance=1&category=0&hours=0"
        );
        assert_eq!(post(&app, s, &iv, body).await.0, StatusCode::FORBIDDEN);
    }
    // A restriction without its numbers and period: refused, each field named, nothing written.
    let bad = format!(
        "csrf={dt}&kind=long_hours&month={month}&interviewed_on=2026-04-10&fatigue=2&findings=1&guidance=1&category=1&hours=1"
    );
    let (st, body) = post(&app, &d, &iv, bad).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    for f in ["findings_text:", "overtime_limit:", "period_from:"] {
        assert!(body.contains(f), "{f} in {body}");
    }
    assert!(body.contains("name=\"hours\" value=\"1\" checked"), "the answers are kept");
    let good = format!(
        "csrf={dt}&kind=long_hours&month={month}&interviewed_on=2026-04-10&work_situation=繁忙期&fatigue=2&findings=1&findings_text=不眠&guidance=1&guidance=3&reinterview_on=2026-05-10&category=1&hours=1&overtime_limit=45&other=c&other_detail=夜勤を月2回まで&period_from=2026-04-15&period_to=2026-07-14&environment=人員の補充&medical=睡眠外来&remarks=1か月後に再面接"
    );
    let (st, body) = post(&app, &d, &iv, good).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{body}");
    let (_, body) = get(&app, &d, &page).await;
    assert!(body.contains("(意見 2026-04-10)"), "the steps show the interview and the opinion");
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
    // The report is class 2 with every field of the form; the opinion class 1.
    let tl = store.timeline(cid, person).await.unwrap();
    let report = tl
        .iter()
        .find(|e| e.kind == iphr_domain::event::EventKind::Interview && e.subkind.as_deref() == Some("long_hours"))
        .unwrap();
    assert_eq!(report.content_class, iphr_domain::info_class::InfoClass::Class2);
    assert_eq!(report.detail["report"]["fatigue"]["label"], "高");
    assert_eq!(report.detail["report"]["findings"], "不眠");
    assert_eq!(report.detail["report"]["reinterview_on"], "2026-05-10");
    let opinion = tl
        .iter()
        .find(|e| e.kind == iphr_domain::event::EventKind::Opinion && e.subkind.as_deref() == Some("long_hours"))
        .unwrap();
    assert_eq!(opinion.content_class, iphr_domain::info_class::InfoClass::Class1);
    assert_eq!(opinion.detail["opinion"]["overtime_limit"], 45);
    assert_eq!(opinion.detail["opinion"]["other_detail"], "夜勤を月2回まで");
    assert_eq!(opinion.detail["legal"], "就業制限");
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(denied.iter().filter(|e| e.action == format!("POST {iv}")).count(), 2);
    assert_eq!(denied.iter().filter(|e| e.action == format!("GET {iv}")).count(), 2);
    // The worker's own page.
    assert_eq!(get(&app, &w, "/me/hours").await.0, StatusCode::OK);
}
