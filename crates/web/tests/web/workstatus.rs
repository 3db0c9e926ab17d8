//! The dashboard's work-status sections: special checkups overdue or due soon from exposures and
//! night work, and the work-environment results needing attention — for the roles allowed work
//! data, refused (and audited) for the others.

use crate::common::{demo, get, login};
use axum::http::StatusCode;
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_store::AuditFilter;

#[tokio::test]
async fn special_checkups_due_and_work_environment_on_the_dashboard() {
    let cfg = DemoConfig {
        companies: 1,
        workers: 80,
        years: 2,
        seed: 5,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let d = demo(cfg, vec![], false).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;
    let (doc, _) = login(&app, "doctor").await;
    // The dashboard loads the sections into itself.
    let (st, page) = get(&app, &doc, &format!("/companies/{cid}/postcheckup")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains(&format!("hx-get=\"/companies/{cid}/postcheckup/work-status\"")), "{page}");

    // The API and the fragment agree with the shared computation.
    let today = chrono::Utc::now().date_naive();
    let (st, json) = get(&app, &doc, &format!("/api/v1/companies/{cid}/work-status")).await;
    assert_eq!(st, StatusCode::OK, "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rules = iphr_postcheckup::company_rules(store.as_ref(), cid).await.unwrap();
    let env =
        iphr_postcheckup::workstatus::work_environment(store.as_ref(), cid, today, &rules.settings).await.unwrap();
    assert!(!env.is_empty(), "the demo measures its solvent departments");
    assert_eq!(v["work_environment"].as_array().unwrap().len(), env.len());
    // Every row is the latest of its unit workplace and method, and attention follows the settings
    // (第2管理区分 and above, リスクレベル III and above).
    for w in &env {
        let want = w.management_class.is_some_and(|k| k >= 2)
            || w.risk_level.as_deref().is_some_and(|l| l == "III" || l == "IV");
        assert_eq!(w.attention, want, "{w:?}");
    }
    assert_eq!(rules.settings.special_due_soon_days, 30);
    let urgent_within = async |days: i64| {
        let due = iphr_postcheckup::workstatus::special_due(store.as_ref(), cid, today, days).await.unwrap();
        due.iter().filter(|r| r.status != iphr_domain::special::DueStatus::Scheduled).count()
    };
    let urgent = urgent_within(30).await;
    assert_eq!(v["special_due"].as_array().unwrap().len(), urgent);
    assert_eq!(v["due_soon_days"], 30);
    // The window is the company's setting.
    store
        .set_rule_override(
            cid,
            &iphr_store::RuleOverride {
                table: "settings".into(),
                content: "key,value,source\nspecial_due_soon_days,120,社内規程\n".into(),
                updated_by: "doctor".into(),
                updated_at: chrono::Utc::now(),
            },
        )
        .await
        .unwrap();
    let (_, json) = get(&app, &doc, &format!("/api/v1/companies/{cid}/work-status")).await;
    let v2: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v2["due_soon_days"], 120);
    assert_eq!(v2["special_due"].as_array().unwrap().len(), urgent_within(120).await);
    assert!(urgent_within(120).await >= urgent);
    let (st, frag) = get(&app, &doc, &format!("/companies/{cid}/postcheckup/work-status")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(frag.contains("id=\"section-special-due\"") && frag.contains("id=\"section-work-environment\""));
    assert_eq!(
        frag.matches("管理区分</td>").count() + frag.matches("管理区分 <b>").count(),
        env.iter().filter(|w| w.management_class.is_some()).count()
    );
    assert!(!frag.contains("<html"), "a fragment, not a page");

    // A worker and the admin are refused, audited.
    for who in ["worker", "admin"] {
        let (s, _) = login(&app, who).await;
        assert_eq!(get(&app, &s, &format!("/companies/{cid}/postcheckup/work-status")).await.0, StatusCode::FORBIDDEN);
    }
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(
        denied.iter().filter(|e| e.action == format!("GET /companies/{cid}/postcheckup/work-status")).count(),
        2
    );
}
