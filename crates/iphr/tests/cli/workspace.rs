//! Binary-level tests of the workspace's command line (issue 13): `iphr coverage`.

use crate::common::{failed, run, succeeded};

#[test]
fn coverage_prints_the_year_by_department_and_as_json() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let now = [("IPHR_NOW", "2026-04-10")];
    let demo = ["demo", "--companies", "1", "--workers", "30", "--years", "2", "--as-of", "2026-04-01"];
    succeeded(run(dir, None, &now, &demo), &demo);
    let args = ["coverage", "--company", "株式会社みなと精機", "--year", "2025", "--json"];
    let (out, _) = succeeded(run(dir, None, &now, &args), &args);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["fiscal_year"], 2025);
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str(), v["on"].as_str()),
        (Some("2025-04-01"), Some("2026-03-31"), Some("2026-03-31"))
    );
    let target = v["total"]["target"].as_u64().unwrap();
    let covered = v["total"]["covered"].as_u64().unwrap();
    let missing = v["missing"].as_array().unwrap().len() as u64;
    assert!(target > 0 && covered <= target);
    assert_eq!(target - covered, missing, "every worker not covered is listed");
    let groups: u64 = v["groups"].as_array().unwrap().iter().map(|g| g["target"].as_u64().unwrap()).sum();
    assert_eq!(groups, target, "the departments add up to the company");
    // The text form: the same totals.
    let args = ["coverage", "--company", "株式会社みなと精機", "--year", "2025"];
    let (text, _) = succeeded(run(dir, None, &now, &args), &args);
    assert!(text.starts_with("株式会社みなと精機 2025年度 (2025-04-01〜2026-03-31"), "{text}");
    assert!(text.contains(&format!("lacking a checkup: {missing}\n")), "{text}");
    // An unknown company is an error naming it.
    let args = ["coverage", "--company", "存在しない株式会社"];
    let (_, err) = failed(run(dir, None, &now, &args), &args);
    assert!(err.contains("存在しない株式会社"), "{err}");
}

#[test]
fn the_demo_attaches_a_sample_pdf_and_image_to_the_showcase_worker() {
    use iphr_store::prelude::*;
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let demo = ["demo", "--companies", "1", "--workers", "5", "--years", "1", "--as-of", "2026-04-01"];
    succeeded(run(dir, None, &[], &demo), &demo);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("iphr-data/iphr.db").display());
        let store = iphr_store_sqlite::SqliteStore::open(&url).await.unwrap();
        let c = store.list_companies().await.unwrap().into_iter().next().unwrap();
        let q = iphr_store::WorkerQuery { text: "A000002".into(), offset: 0, limit: 1 };
        let w = store.search_workers(c.id, &q).await.unwrap().rows.into_iter().next().unwrap();
        let docs = store.documents_of_person(c.id, w.person_id).await.unwrap();
        let mut types: Vec<&str> = docs.iter().map(|m| m.content_type.as_str()).collect();
        types.sort_unstable();
        assert_eq!(types, vec!["application/pdf", "image/png"]);
        for m in &docs {
            let stored = store.document(c.id, m.id).await.unwrap().unwrap();
            // The type the upload would recognise from the bytes.
            assert_eq!(
                iphr_convert::documents::ContentType::sniff(&stored.bytes).map(|t| t.mime()),
                Some(m.content_type.as_str())
            );
        }
    });
}
