//! The physician's workspace (issue 13): the summary panel of the deck's 活用例 worker with the
//! right figures, the timeline's filters and pages, the trend charts, the event page in words —
//! and what HR does not see of them.

use crate::common::{demo, get, login};
use axum::http::StatusCode;
use chrono::{Datelike, Months, NaiveDate};
use iphr_demo::{DemoConfig, SHOWCASE_WORKER, WorkerGenerator};
use iphr_domain::event::EventKind;
use iphr_domain::observation::Value;
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId};
use iphr_store::Store;

const AS_OF: (i32, u32, u32) = (2026, 4, 1);

fn cfg() -> DemoConfig {
    DemoConfig {
        companies: 1,
        workers: 40,
        years: 10,
        seed: 7,
        as_of: NaiveDate::from_ymd_opt(AS_OF.0, AS_OF.1, AS_OF.2).unwrap(),
    }
}

/// The showcase worker's employment.
async fn showcase(store: &dyn Store, cid: CompanyId, person: iphr_domain::PersonId) -> EmploymentId {
    store.employments_of_person(person).await.unwrap().iter().find(|e| e.company_id == cid).unwrap().id
}

/// Months of the showcase's last 12 recorded months of attendance with their overtime.
async fn last_12_months(store: &dyn Store, cid: CompanyId, person: iphr_domain::PersonId) -> Vec<(NaiveDate, f64)> {
    let obs = store.person_observations(cid, person).await.unwrap();
    let mut months: Vec<(NaiveDate, f64)> = obs
        .iter()
        .filter(|o| o.item.as_str() == "Fb0010000Z")
        .filter_map(|o| match o.value {
            Value::Number { value, .. } => Some((o.event_date, value)),
            _ => None,
        })
        .collect();
    months.sort_by_key(|m| m.0);
    let last = months.last().unwrap().0;
    let first = last.checked_sub_months(Months::new(11)).unwrap();
    months.into_iter().filter(|m| m.0 >= first).collect()
}

#[tokio::test]
async fn the_physician_sees_the_deck_example_in_one_summary() {
    let d = demo(cfg(), vec![], true).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = showcase(d.store.as_ref(), cid, person).await;
    let (doc, _) = login(&d.app, "doctor").await;
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/workers/{eid}")).await;
    assert_eq!(st, StatusCode::OK);
    let summary = &page[page.find("id=\"summary\"").unwrap()..page.find("id=\"timeline\"").unwrap()];
    // Where and with what: 塗装課 now, 製造第一課 before; toluene with the mask; nights.
    assert!(summary.contains("<b>本社事業場 製造部 塗装課 一係</b>"), "{summary}");
    assert!(summary.contains("本社事業場 製造部 製造第一課"), "the assignment history, departments by their path");
    assert!(summary.contains("トルエン(有機則)・保護具: 防毒マスク(有機ガス用)"));
    assert!(summary.contains("深夜業あり"));
    assert!(summary.contains("有機溶剤等健康診断 期限"), "the special checkup due from the exposure");
    // Hours: the figures of the last 12 recorded months.
    let months = last_12_months(d.store.as_ref(), cid, person).await;
    let over80 = months.iter().filter(|m| m.1 > 80.0).count();
    let over45 = months.iter().filter(|m| m.1 > 45.0).count();
    let max = months.iter().map(|m| m.1).fold(0.0, f64::max);
    let last = months.last().unwrap().0;
    assert!(over80 >= 1, "the showcase has long hours lately: {months:?}");
    assert!(
        summary.contains(&format!(
            "{}年{}月までの12か月: 最大 {max:.1}時間、45時間超 {over45}か月、80時間超 {over80}か月",
            last.year(),
            last.month()
        )),
        "{summary}"
    );
    assert!(summary.contains("<svg") && summary.contains(">80h</text>") && summary.contains(">45h</text>"));
    // The stress check: high, with the scales at the stressful end named.
    assert!(summary.contains("▲高ストレス"), "{summary}");
    assert!(summary.contains("評価点の低い尺度"));
    // Hypertension under treatment, and its medication.
    assert!(summary.contains("<b>高血圧症</b> <span class=\"chip current\">治療中</span>"), "{summary}");
    assert!(summary.contains("アムロジピン錠5mg"));
    // The latest judgement with its overall, and the last interview and opinion.
    assert!(summary.contains("総合判定 <b>"), "{summary}");
    assert!(summary.contains("直近の面談") && summary.contains("直近の医師の意見"));
    // Values outside the reference are marked in the timeline by letter, not only colour.
    assert!(page.contains("<b class=\"mark\">▲H</b>"));
    // No developer text on the page.
    for raw in ["periodic", "class2", "bjsq57", "in_treatment", "Fb0010000Z", "<pre"] {
        assert!(!page.contains(raw), "{raw} on the page");
    }
}

#[tokio::test]
async fn hr_sees_the_work_and_the_measures_never_the_health_data() {
    let d = demo(cfg(), vec![], true).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = showcase(d.store.as_ref(), cid, person).await;
    let (hr, _) = login(&d.app, "jinji").await;
    let (st, page) = get(&d.app, &hr, &format!("/companies/{cid}/workers/{eid}")).await;
    assert_eq!(st, StatusCode::OK);
    // Work data is HR's own: the department, the exposure, the hours.
    assert!(page.contains("<b>本社事業場 製造部 塗装課 一係</b>"));
    assert!(page.contains("トルエン"));
    assert!(page.contains("80時間超"));
    // Never the condition, the medication, the values, the judgement or the interview notes.
    for hidden in ["高血圧症", "アムロジピン", "総合判定", "▲H", "収縮期血圧", "睡眠", "評価点の低い尺度"]
    {
        assert!(!page.contains(hidden), "HR sees {hidden}");
    }
    // The treatment card says the handling rules withhold it (not "nothing recorded").
    let treatment = &page[page.find("id=\"sum-treatment\"").unwrap()..];
    let treatment = &treatment[..treatment.find("</section>").unwrap()];
    assert!(treatment.contains("取扱規程により非表示") && !treatment.contains("記録なし"), "{treatment}");
    // The stress result only where the worker consented (the 面接指導 application).
    let consented = d
        .store
        .consents_of_person(person)
        .await
        .unwrap()
        .iter()
        .any(|c| c.grantee_role == Role::Hr && c.info_class == iphr_domain::info_class::InfoClass::Stress);
    let latest_consented = if consented {
        let timeline = d.store.timeline(cid, person).await.unwrap();
        let latest = timeline.iter().find(|e| e.kind == EventKind::StressCheck).map(|e| e.id);
        d.store.consents_of_person(person).await.unwrap().iter().any(|c| c.event_id == latest)
    } else {
        false
    };
    let stress = &page[page.find("id=\"sum-stress\"").unwrap()..];
    let stress = &stress[..stress.find("</section>").unwrap()];
    if !latest_consented {
        assert!(stress.contains("結果は本人の同意がある場合のみ表示"), "{stress}");
        assert!(!stress.contains("高ストレス"), "HR sees a stress result without consent: {stress}");
    }
    // The trends page has nothing to chart for HR.
    let (st, trends) = get(&d.app, &hr, &format!("/companies/{cid}/workers/{eid}/trends")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(trends.contains("表示できる検査値はありません") && !trends.contains("<svg"));
}

#[tokio::test]
async fn the_timeline_folds_attendance_by_year_filters_by_kind_and_period_and_pages() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = showcase(d.store.as_ref(), cid, person).await;
    let events = d.store.timeline(cid, person).await.unwrap();
    let attendance: Vec<_> = events.iter().filter(|e| e.kind == EventKind::AttendanceMonth).collect();
    let years: std::collections::BTreeSet<i32> = attendance.iter().map(|e| e.event_date.year()).collect();
    let (doc, _) = login(&d.app, "doctor").await;
    let base = format!("/companies/{cid}/workers/{eid}");
    let rows = |page: &str| page.matches("<li class=\"event").count();
    // Unfiltered: one row per year of attendance, the rest as events, 30 rows a page.
    let (_, p1) = get(&d.app, &doc, &base).await;
    let folded = events.len() - attendance.len() + years.len();
    assert_eq!(rows(&p1), folded.min(30));
    assert!(p1.contains(&format!("<h2 id=\"timeline\">タイムライン <small>({}件)</small>", events.len())));
    let pages = folded.div_ceil(30);
    assert!(p1.contains(&format!("<span>1 / {pages}</span>")), "pages");
    let mut all_years = 0;
    let mut all_rows = 0;
    for p in 1..=pages {
        let (_, x) = get(&d.app, &doc, &format!("{base}?page={p}")).await;
        all_years += x.matches("kind-attendance_month folded").count();
        all_rows += rows(&x);
    }
    assert_eq!(all_rows, folded);
    assert_eq!(all_years, years.len());
    // Attendance asked for: every month, unfolded.
    let (_, att) = get(&d.app, &doc, &format!("{base}?kind=attendance_month")).await;
    assert_eq!(rows(&att), attendance.len().min(30));
    assert!(!att.contains("folded"));
    // A period.
    let (_, y2025) = get(&d.app, &doc, &format!("{base}?kind=checkup&from=2025-01-01&to=2025-12-31")).await;
    let want = events.iter().filter(|e| e.kind == EventKind::Checkup && e.event_date.year() == 2025).count();
    assert_eq!(rows(&y2025), want);
    assert!(y2025.contains(&format!("({want}件)")));
    // A date that cannot be read: said in Japanese, the rest of the filter applies.
    let (st, bad) = get(&d.app, &doc, &format!("{base}?kind=checkup&from=2025-13-01")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(bad.contains("日付 2025-13-01 を読めません"));
    let checkups = events.iter().filter(|e| e.kind == EventKind::Checkup).count();
    assert_eq!(rows(&bad), checkups.min(30));
}

#[tokio::test]
async fn trend_charts_shade_the_bands_and_mark_high_values() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = showcase(d.store.as_ref(), cid, person).await;
    let (doc, _) = login(&d.app, "doctor").await;
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/workers/{eid}/trends")).await;
    assert_eq!(st, StatusCode::OK);
    let sbp = &page[page.find("id=\"item-Af0010001A\"").unwrap()..];
    let sbp = &sbp[..sbp.find("</figure>").unwrap()];
    assert_eq!(sbp.matches("class=\"band\"").count(), 4, "A–D bands of the 2016 edition");
    assert!(sbp.contains("class=\"pt high\""), "hypertension is marked");
    assert!(sbp.contains("判定区分: 2016年4月1日版"), "{sbp}");
    for panel in ["<h2>血圧</h2>", "<h2>BMI・腹囲・体重</h2>", "<h2>脂質</h2>", "<h2>肝機能</h2>"] {
        assert!(page.contains(panel), "{panel}");
    }
}

#[tokio::test]
async fn the_event_page_speaks_japanese_and_shows_the_stress_profile() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = showcase(d.store.as_ref(), cid, person).await;
    let events = d.store.timeline(cid, person).await.unwrap();
    let stress = events.iter().find(|e| e.kind == EventKind::StressCheck).unwrap();
    let (doc, _) = login(&d.app, "doctor").await;
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/workers/{eid}/events/{}", stress.id)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("職業性ストレス簡易調査票(57項目)"));
    assert!(page.contains("19尺度のプロフィール"));
    let profile = &page[page.find("<table class=\"profile\">").unwrap()..];
    let profile = &profile[..profile.find("</table>").unwrap()];
    assert_eq!(profile.matches("<tr").count(), 1 + 19, "a header and the 19 scales");
    for raw in ["answers", "bjsq57", "\"method\"", "<pre", "class2", "stress_check"] {
        assert!(!page.contains(raw), "{raw} on the event page");
    }
    let treatment = events.iter().find(|e| e.kind == EventKind::Treatment).unwrap();
    let (_, page) = get(&d.app, &doc, &format!("/companies/{cid}/workers/{eid}/events/{}", treatment.id)).await;
    assert!(
        page.contains("<dt>疾患</dt><dd>高血圧症</dd>") && page.contains("<dt>治療状況</dt><dd>治療中</dd>"),
        "{page}"
    );
}

#[tokio::test]
async fn checkup_coverage_for_the_physician_hr_without_findings_and_no_worker() {
    let d = demo(cfg(), vec![], true).await;
    let cid = d.companies[0].company.id;
    let (doc, _) = login(&d.app, "doctor").await;
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/coverage?year=2025")).await;
    assert_eq!(st, StatusCode::OK);
    // The same computation as the page's, from the store.
    let rules = iphr_postcheckup::company_rules(d.store.as_ref(), cid).await.unwrap();
    let today = chrono::Utc::now().date_naive();
    let c = iphr_postcheckup::coverage::coverage(d.store.as_ref(), cid, 2025, today, &rules).await.unwrap();
    assert!(c.total.target > 0);
    assert!(page.contains(&format!(
        "<td>{}</td><td>{}</td><td><b>{:.1}%</b></td>",
        c.total.target,
        c.total.covered,
        c.total.coverage_rate().unwrap()
    )));
    assert!(page.contains(&format!("未受診者 <small>({}人)</small>", c.missing.len())));
    assert!(page.contains("<th>有所見率</th>"));
    // HR: who took a checkup (class 1), not the 有所見率 (derived from class 2).
    let (hr, _) = login(&d.app, "jinji").await;
    let (st, page) = get(&d.app, &hr, &format!("/companies/{cid}/coverage?year=2025")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(!page.contains("有所見率"));
    // A worker is refused, and the refusal is audited.
    let (w, _) = login(&d.app, "worker").await;
    let (st, _) = get(&d.app, &w, &format!("/companies/{cid}/coverage")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let denied = d
        .store
        .list_audit(&iphr_store::AuditFilter { company_id: Some(cid), person_id: None, denied_only: true, limit: 1000 })
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.action.contains("/coverage"))
        .count();
    assert_eq!(denied, 1);
}
