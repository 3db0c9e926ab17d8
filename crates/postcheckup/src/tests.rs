#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use iphr_domain::observation::Value;
use iphr_domain::ohcc::{DataAtr, ItemCode};
use iphr_store::RuleOverride;
use iphr_store::conformance::world;
use iphr_store_sqlite::SqliteStore;

async fn store() -> (tempfile::TempDir, SqliteStore, iphr_store::conformance::World) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("t.db").to_string_lossy()).await.unwrap();
    s.migrate().await.unwrap();
    let mut w = world();
    for c in [&w.company] {
        s.create_company(c).await.unwrap();
    }
    // White cells in the OHCC unit (/uL): the rule is in 10^3/uL, converted through the unit table.
    let mut wbc = w.batch.observations[0].clone();
    wbc.id = iphr_domain::ObservationId::new();
    wbc.item = ItemCode::parse("Ag0040000Z").unwrap();
    wbc.atr = DataAtr::parse("Mk1").unwrap();
    wbc.value = Value::Number { value: 10_500.0, unit: "/uL".into() };
    w.batch.observations.push(wbc);
    s.insert_batch(&w.batch).await.unwrap();
    (dir, s, w)
}

#[tokio::test]
async fn judging_a_company_stores_once_and_converts_units() {
    let (_d, s, w) = store().await;
    let at = chrono::Utc::now();
    let r = judge_company(&s, w.company.id, None, at).await.unwrap();
    assert_eq!((r.summary.judged, r.summary.new, r.summary.unchanged), (2, 2, 0));
    assert_eq!(r.overall.get("D"), Some(&1));
    assert_eq!(r.overall.get("none"), Some(&1));
    let j = s.judgement(w.company.id, w.checkup.id).await.unwrap().unwrap();
    let wbc = j.result.items.iter().find(|i| i.key == "WBC").unwrap();
    assert_eq!((wbc.value.as_str(), wbc.unit.as_str()), ("10.5", "10^3/uL"));
    assert_eq!(wbc.value_category.map(|c| c.as_str()), Some("D"));
    // Again: nothing changes.
    let r = judge_company(&s, w.company.id, None, at).await.unwrap();
    assert_eq!((r.summary.new, r.summary.changed, r.summary.unchanged), (0, 0, 2));
}

#[tokio::test]
async fn a_company_override_changes_the_result() {
    let (_d, s, w) = store().await;
    let at = chrono::Utc::now();
    judge_company(&s, w.company.id, None, at).await.unwrap();
    s.set_rule_override(
        w.company.id,
        &RuleOverride {
            table: "settings".into(),
            content: "key,value,source\nfollowup_days,30,社内規程\n".into(),
            updated_by: "doctor".into(),
            updated_at: at,
        },
    )
    .await
    .unwrap();
    let rules = company_rules(&s, w.company.id).await.unwrap();
    assert_eq!(rules.settings.followup_days, 30);
    assert!(rules.version.ends_with("+company"));
    let r = judge_company(&s, w.company.id, None, at).await.unwrap();
    assert_eq!(r.summary.changed, 2, "the rule version is part of every result");
    let j = s.judgement(w.company.id, w.checkup.id).await.unwrap().unwrap();
    assert_eq!(j.result.followup_due, Some(w.checkup.event_date + chrono::Duration::days(30)));
    // A broken override is refused with the table, row and field.
    s.set_rule_override(
        w.company.id,
        &RuleOverride {
            table: "settings".into(),
            content: "key,value,source\nfollowup_days,soon,x\n".into(),
            updated_by: "doctor".into(),
            updated_at: at,
        },
    )
    .await
    .unwrap();
    let e = company_rules(&s, w.company.id).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("settings") && e.contains("followup_days"), "{e}");
}

#[tokio::test]
async fn export_has_an_overall_row_and_one_per_item() {
    let (_d, s, w) = store().await;
    judge_company(&s, w.company.id, None, chrono::Utc::now()).await.unwrap();
    let f = iphr_store::JudgementFilter {
        latest_only: false,
        section: None,
        today: chrono::Utc::now().date_naive(),
        since: None,
        limit: None,
    };
    let recs = s.judgements(w.company.id, &f).await.unwrap();
    let csv = export_csv(&recs).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("employee_number,checkup_date,checkup_kind,item,value,unit,category"));
    assert!(lines.iter().any(|l| l.starts_with("E001,2025-06-10,periodic,overall,,,D,")), "{csv}");
    assert!(lines.iter().any(|l| l.starts_with("E001,2025-06-10,periodic,UPRO,2p,,D,D,yes")), "{csv}");
    let json: serde_json::Value = serde_json::from_str(&export_json(&recs).unwrap()).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2));
}
