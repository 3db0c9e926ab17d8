//! Binary-level regression tests of issue 11, items 18–21: a company's rule tables combine in
//! any order, the judgement export says which edition judged each value (and has its header when
//! empty), overlapping stress-check campaigns are refused and the 様式第6号の3 numbers come as CSV
//! too, and the OHCC code table is listed for profile writers.

use crate::common::{failed, run, succeeded};
use std::path::Path;
use std::process::Output;

fn iphr(dir: &Path, args: &[&str]) -> Output {
    run(dir, None, &[], args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    succeeded(iphr(dir, args), args).0
}

fn fails(dir: &Path, args: &[&str]) -> String {
    failed(iphr(dir, args), args).1
}

const COMPANY: &str = "株式会社みなと精機";

#[test]
fn rules_exports_campaigns_and_codes() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    ok(dir, &["demo", "--companies", "1", "--workers", "20", "--years", "1", "--as-of", "2026-04-01"]);

    // Item 18: an urgent row for an analyte the company's analyte table adds (CRP) is taken,
    // and the analyte table can be set again while that row exists.
    let analytes = dir.join("analytes.csv");
    std::fs::write(&analytes, "analyte,label_ja,label_en,items,reading,treated_by\nCRP,CRP,CRP,Am0040000Z,first,\n")
        .unwrap();
    let urgent = dir.join("urgent.csv");
    std::fs::write(
        &urgent,
        "tier,analyte,unit,low_le,high_ge,action_ja,verified,source\nreferral,CRP,mg/dL,,10,当日受診を勧める,no,社内基準\n",
    )
    .unwrap();
    let set = |table: &str, file: &Path| {
        let f = file.display().to_string();
        iphr(dir, &["rules", "set", "--company", COMPANY, "--table", table, "--file", &f])
    };
    let before = set("urgent", &urgent);
    assert!(!before.status.success(), "CRP is not an analyte yet");
    assert!(String::from_utf8_lossy(&before.stderr).contains("not in the analyte table"));
    assert!(set("analytes", &analytes).status.success());
    let o = set("urgent", &urgent);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = set("analytes", &analytes);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown = ok(dir, &["rules", "show", "--table", "urgent", "--company", COMPANY]);
    assert!(shown.contains("referral,CRP,mg/dL,,10,"), "{shown}");

    // Item 19: the JSON export names each item, the edition and the source of its band.
    ok(dir, &["judge", "--company", COMPANY]);
    let json = ok(dir, &["export", "judgements", "--company", COMPANY, "--format", "json", "--latest"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let items: Vec<&serde_json::Value> =
        v.as_array().unwrap().iter().flat_map(|c| c["items"].as_array().unwrap()).collect();
    assert!(!items.is_empty());
    let judged: Vec<&&serde_json::Value> = items.iter().filter(|i| !i["value_category"].is_null()).collect();
    assert!(!judged.is_empty());
    for i in &judged {
        assert!(!i["label_ja"].as_str().unwrap().is_empty(), "{i}");
        assert!(!i["edition"].as_str().unwrap().is_empty() && !i["source"].as_str().unwrap().is_empty(), "{i}");
    }
    // … and a company without judgements gets the CSV header.
    ok(dir, &["company", "add", "空の会社"]);
    let csv = ok(dir, &["export", "judgements", "--company", "空の会社"]);
    assert_eq!(
        csv.lines().collect::<Vec<_>>(),
        vec![
            "employee_number,checkup_date,checkup_kind,item,label_ja,edition,source,value,unit,category,value_category,verified,not_judged,urgent_tier,guidance_proposed,work_candidate,stratification,institution_overall,opinion_due,rules_version"
        ]
    );

    // Item 20: a campaign overlapping the demo's is refused; the report comes as CSV too.
    let e = fails(
        dir,
        &[
            "stresscheck",
            "campaign",
            "create",
            "--company",
            COMPANY,
            "--name",
            "重複",
            "--from",
            "2026-03-01",
            "--to",
            "2026-04-30",
            "--method",
            "soten",
            "--implementer",
            "doctor",
        ],
    );
    assert!(e.contains("overlaps the campaign"), "{e}");
    let list: serde_json::Value =
        serde_json::from_str(&ok(dir, &["stresscheck", "campaign", "list", "--company", COMPANY])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "nothing created");
    let last_year = list.as_array().unwrap().iter().find(|c| c["name"] == "前年度ストレスチェック").unwrap();
    let id = last_year["id"].as_str().unwrap().to_string();
    let csv = ok(dir, &["stresscheck", "report", "--campaign", &id, "--format", "csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "項目,値");
    assert!(lines.iter().any(|l| l.starts_with("検査を受けた労働者数,")), "{csv}");
    assert!(lines.contains(&"集団ごとの分析の実施の有無,1"), "{csv}");

    // Item 21: the code table for profile writers.
    let items = ok(dir, &["ohcc", "items", "--query", "ＨｂＡ１ｃ"]);
    assert!(items.lines().any(|l| l.starts_with("Aj0030000Z\tHbA1c")), "{items}");
    let values = ok(dir, &["ohcc", "values", "--item", "Ak0010000Z"]);
    assert_eq!(values.lines().count(), 6, "header and neg, trace, 1p, 2p, 3p: {values}");
    let e = fails(dir, &["ohcc", "values", "--item", "Ac0010000Z"]);
    assert!(e.contains("no value codes"), "{e}");
}
