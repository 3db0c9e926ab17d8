#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use super::*;
use iphr_domain::observation::Value;
use iphr_domain::ohcc::{DataAtr, ItemCode};
use iphr_store::prelude::*;
use iphr_store::{Batch, RuleOverride};
use iphr_store_conformance::world;
use iphr_store_sqlite::SqliteStore;

async fn store() -> (tempfile::TempDir, SqliteStore, iphr_store_conformance::World) {
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
    let recs = judgements_for_export(&s, w.company.id, &f).await.unwrap();
    let csv = export_csv(&recs).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], EXPORT_COLUMNS.join(","));
    assert!(lines[0].starts_with("employee_number,checkup_date,checkup_kind,item,label_ja,edition,source,value,unit"));
    assert!(lines.iter().any(|l| l.starts_with("E001,2025-06-10,periodic,overall,,,,,,D,")), "{csv}");
    // Issue 11.19: each item says its name and the edition and source of the band that judged it.
    let upro = lines.iter().find(|l| l.starts_with("E001,2025-06-10,periodic,UPRO,")).unwrap();
    assert!(
        upro.starts_with("E001,2025-06-10,periodic,UPRO,尿蛋白,2025年度版（現行）,日本人間ドック・予防医療学会"),
        "{upro}"
    );
    assert!(upro.contains(",2p,,D,D,yes"), "{upro}");
    let json: serde_json::Value = serde_json::from_str(&export_json(&recs).unwrap()).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(2));
    let item = &json[0]["items"][0];
    assert!(!item["label_ja"].as_str().unwrap().is_empty() && !item["source"].as_str().unwrap().is_empty(), "{item}");
    // The serialised row has the columns of the header, in order.
    let mut probe = csv::Writer::from_writer(Vec::new());
    probe.serialize(export_rows(&recs).remove(0)).unwrap();
    let probe = String::from_utf8(probe.into_inner().unwrap()).unwrap();
    assert_eq!(probe.lines().next(), Some(lines[0]));
}

/// Issue 11.19: no judgements still gives the header.
#[test]
fn an_empty_export_has_its_header() {
    assert_eq!(export_csv(&[]).unwrap(), format!("{}\n", EXPORT_COLUMNS.join(",")));
}

/// One month of attendance for a person: 時間外・休日 and 法定時間外 (hours).
fn attendance(w: &iphr_store_conformance::World, p: usize, month: chrono::NaiveDate, oh: f64, so: f64) -> Batch {
    use iphr_domain::event::{Event, EventKind};
    let ev = Event {
        company_id: w.company.id,
        id: iphr_domain::EventId::new(),
        person_id: Some(w.persons[p].id),
        employment_id: Some(w.employments[p].id),
        department_id: None,
        kind: EventKind::AttendanceMonth,
        subkind: None,
        event_date: month,
        title: "勤怠".into(),
        content_class: iphr_domain::info_class::InfoClass::Work,
        producer: iphr_domain::ohcc::Producer::HrSystem,
        detail: serde_json::json!({}),
        source_doc: None,
    };
    let template = w.batch.observations[0].clone();
    let obs = [("Fb0010000Z", oh), ("Fb0020000Z", so), ("Fb0030000Z", 0.0)]
        .into_iter()
        .map(|(item, v)| iphr_domain::observation::Observation {
            id: iphr_domain::ObservationId::new(),
            company_id: w.company.id,
            person_id: w.persons[p].id,
            employment_id: Some(w.employments[p].id),
            info_class: iphr_domain::info_class::InfoClass::Work,
            event_id: ev.id,
            event_date: month,
            item: ItemCode::parse(item).unwrap(),
            value: Value::Number { value: v, unit: "h".into() },
            ..template.clone()
        })
        .collect();
    Batch { events: vec![ev], observations: obs, ..Batch::default() }
}

#[tokio::test]
async fn hours_follow_the_work_regime_and_the_company_profile() {
    use iphr_domain::overtime::{Level, Rule};
    use iphr_domain::person::WorkRegime;
    let (_d, s, w) = store().await;
    let may = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    // Both work 105 h of 時間外・休日, 105 h of it beyond the statutory limits.
    for p in 0..2 {
        s.insert_batch(&attendance(&w, p, may, 105.0, 105.0)).await.unwrap();
    }
    let rules = company_rules(&s, w.company.id).await.unwrap();
    assert_eq!(rules.settings.overtime_profile, "general");
    let recs = hours::month_hours(&s, w.company.id, may, &rules.overtime, &rules.settings.overtime_profile, None)
        .await
        .unwrap();
    let of = |p: usize| recs.iter().find(|r| r.person_id == w.persons[p].id).unwrap();
    let flags = |p: usize| of(p).result.flags.iter().map(|f| (f.rule, f.level)).collect::<Vec<_>>();
    // 山田 (general): notice, and the caps of 労基法36条 are broken.
    assert_eq!(of(0).work_regime, WorkRegime::General);
    assert!(flags(0).contains(&(Rule::InterviewNotice, Level::Notice)));
    assert!(flags(0).contains(&(Rule::Month100, Level::Violation)));
    assert!(flags(0).contains(&(Rule::Month45, Level::Notice)));
    // 佐藤 (研究開発業務 in the HR data): the interview without application, and no caps.
    assert_eq!(of(1).work_regime, WorkRegime::ResearchDevelopment);
    assert!(flags(1).contains(&(Rule::InterviewRnd, Level::Notice)));
    assert!(!flags(1).iter().any(|(r, _)| matches!(r, Rule::Month100 | Rule::Month45)), "{:?}", flags(1));

    // The company works under the driver profile (自動車運転: the monthly 100 h limit does not apply).
    s.set_rule_override(
        w.company.id,
        &RuleOverride {
            table: "settings".into(),
            content: "key,value,source\novertime_profile,driver,運送業\n".into(),
            updated_by: "doctor".into(),
            updated_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    let rules = company_rules(&s, w.company.id).await.unwrap();
    assert_eq!(rules.settings.overtime_profile, "driver");
    let recs = hours::month_hours(&s, w.company.id, may, &rules.overtime, &rules.settings.overtime_profile, None)
        .await
        .unwrap();
    let yamada = recs.iter().find(|r| r.person_id == w.persons[0].id).unwrap();
    let f: Vec<_> = yamada.result.flags.iter().map(|f| (f.rule, f.level)).collect();
    assert!(f.contains(&(Rule::InterviewNotice, Level::Notice)), "{f:?}");
    assert!(!f.iter().any(|(r, _)| *r == Rule::Month100), "{f:?}");

    // A profile that is not in the overtime table is refused, naming the setting.
    s.set_rule_override(
        w.company.id,
        &RuleOverride {
            table: "settings".into(),
            content: "key,value,source\novertime_profile,shipping,x\n".into(),
            updated_by: "doctor".into(),
            updated_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    let e = company_rules(&s, w.company.id).await.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("overtime_profile") && e.contains("shipping"), "{e}");
}

#[tokio::test]
async fn stress_groups_by_the_department_when_answering_and_reminders() {
    use iphr_domain::event::{Event, EventKind};
    let (_d, s, w) = store().await;
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    // 山田 answered on 2021-03-15, in 総務部; he moved to 製造部 on 2021-04-01 (his department now).
    let answers: Vec<u8> =
        "111111144411141441114444444444444444444444444444444444444".bytes().map(|b| b - b'0').collect();
    let ev = Event {
        company_id: w.company.id,
        id: iphr_domain::EventId::new(),
        person_id: Some(w.persons[0].id),
        employment_id: Some(w.employments[0].id),
        department_id: None,
        kind: EventKind::StressCheck,
        subkind: Some("bjsq57".into()),
        event_date: d(2021, 3, 15),
        title: "ストレスチェック".into(),
        content_class: iphr_domain::info_class::InfoClass::Stress,
        producer: iphr_domain::ohcc::Producer::Worker,
        detail: serde_json::json!({ "answers": answers }),
        source_doc: None,
    };
    s.insert_batch(&Batch { events: vec![ev], ..Batch::default() }).await.unwrap();
    let c = iphr_store::StressCampaign {
        company_id: w.company.id,
        id: uuid::Uuid::now_v7(),
        name: "2020年度".into(),
        starts_on: d(2021, 3, 1),
        ends_on: d(2021, 3, 31),
        method: "sum".into(),
        implementer: "doctor".into(),
        created_by: "t".into(),
        created_at: chrono::Utc::now(),
    };
    s.create_stress_campaign(&c).await.unwrap();
    let rules = iphr_domain::stress::StressRules::embedded().unwrap();
    let a = stress::analyse(&s, rules, &c).await.unwrap();
    assert_eq!((a.targets, a.scored.len(), a.not_answered.len()), (2, 1, 1));
    assert_eq!(a.scored[0].department, "総務部", "the department on the answer date, not today's 製造部");
    assert!(a.scored[0].high, "the high-stress test vector");
    let names: Vec<&str> = a.groups.iter().map(|(g, _)| g.as_str()).collect();
    assert_eq!(names, vec!["総務部", stress::WHOLE]);
    assert_eq!((a.groups[0].1.n, a.groups[0].1.high_stress, a.groups[0].1.disclosable), (1, 1, false));
    // Reminders go to the one who has not answered (佐藤), each sending kept.
    let t1 = chrono::Utc::now();
    let reminded = stress::remind(&s, rules, &c, "nurse", t1).await.unwrap();
    assert_eq!(reminded.iter().map(|w| w.employee_number.as_str()).collect::<Vec<_>>(), vec!["E002"]);
    stress::remind(&s, rules, &c, "nurse", t1).await.unwrap();
    stress::remind(&s, rules, &c, "nurse", t1 + chrono::Duration::days(7)).await.unwrap();
    let r = s.stress_reminders(w.company.id, c.id).await.unwrap();
    assert_eq!(r.len(), 2, "the same sending twice is one reminder");
    assert!(r.iter().all(|x| x.person_id == w.persons[1].id && x.sent_by == "nurse"));
    let a = stress::analyse(&s, rules, &c).await.unwrap();
    assert_eq!(a.not_answered[0].reminded.len(), 2);
}

#[tokio::test]
async fn coverage_counts_the_year_s_periodic_and_hire_checkups_by_department() {
    use iphr_domain::event::{Event, EventKind};
    use iphr_domain::person::{Assignment, Employment, Person, WorkRegime};
    let (_d, s, w) = store().await;
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let checkup = |p: &Person, e: &Employment, kind: &str, on: chrono::NaiveDate| Event {
        company_id: w.company.id,
        id: iphr_domain::EventId::new(),
        person_id: Some(p.id),
        employment_id: Some(e.id),
        department_id: None,
        kind: EventKind::Checkup,
        subkind: Some(kind.into()),
        event_date: on,
        title: "健康診断".into(),
        content_class: iphr_domain::info_class::InfoClass::Class2,
        producer: iphr_domain::ohcc::Producer::Institution,
        detail: serde_json::json!({}),
        source_doc: None,
    };
    // Three more workers of 製造部: hired in October without a hire checkup, hired in October
    // with one three weeks before, and one who left in January.
    let mut b = Batch::default();
    let mut extra = Vec::new();
    for (i, (hire, leave)) in
        [(d(2025, 10, 1), None), (d(2025, 10, 1), None), (d(2015, 4, 1), Some(d(2026, 1, 31)))].into_iter().enumerate()
    {
        let mut p = w.persons[0].clone();
        p.id = iphr_domain::PersonId::new();
        p.given_name = format!("{}郎", ["次", "三", "四"][i]);
        let e = Employment {
            company_id: w.company.id,
            id: iphr_domain::EmploymentId::new(),
            person_id: p.id,
            employee_number: format!("N00{i}"),
            hire_date: hire,
            leave_date: leave,
        };
        b.assignments.push(Assignment {
            company_id: w.company.id,
            id: iphr_domain::AssignmentId::new(),
            employment_id: e.id,
            valid_from: hire,
            valid_to: leave,
            establishment_id: w.departments[0].establishment_id,
            department_id: w.departments[0].id,
            position: "一般".into(),
            work_content: "組立".into(),
            night_work: false,
            work_regime: WorkRegime::General,
        });
        extra.push((p.clone(), e.clone()));
        b.persons.push(p);
        b.employments.push(e);
    }
    // 山田: the year's periodic checkup, SBP 172 (D: a finding). 佐藤: none this year.
    let yamada = checkup(&w.persons[0], &w.employments[0], "periodic", d(2025, 6, 10));
    let mut sbp = w.batch.observations[0].clone();
    sbp.id = iphr_domain::ObservationId::new();
    sbp.event_id = yamada.id;
    sbp.person_id = w.persons[0].id;
    sbp.event_date = yamada.event_date;
    sbp.item = ItemCode::parse("Af0010001X").unwrap();
    sbp.value = Value::Number { value: 172.0, unit: "mmHg".into() };
    b.observations.push(sbp);
    b.events.push(yamada);
    b.events.push(checkup(&extra[1].0, &extra[1].1, "hire", d(2025, 9, 10)));
    // A checkup of last year does not count for this one.
    b.events.push(checkup(&w.persons[1], &w.employments[1], "periodic", d(2025, 3, 20)));
    s.insert_batch(&b).await.unwrap();
    judge_company(&s, w.company.id, None, chrono::Utc::now()).await.unwrap();

    let rules = company_rules(&s, w.company.id).await.unwrap();
    let c = coverage::coverage(&s, w.company.id, 2025, d(2026, 5, 1), &rules).await.unwrap();
    assert_eq!((c.from, c.to, c.on), (d(2025, 4, 1), d(2026, 3, 31), d(2026, 3, 31)));
    // The one who left before the year's end is not counted.
    assert_eq!((c.total.target, c.total.covered), (4, 2));
    assert_eq!(c.total.coverage_rate(), Some(50.0));
    let missing: Vec<(&str, Vec<&str>)> = c
        .missing
        .iter()
        .map(|m| (m.employee_number.as_str(), m.missing.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(missing, vec![("E002", vec!["定期健康診断"]), ("N000", vec!["定期健康診断", "雇入時の健康診断"])]);
    // 有所見: 山田's D of two judged (the hire checkup has no values).
    assert_eq!((c.total.judged, c.total.findings), (2, 1));
    assert_eq!(c.total.finding_rate(), Some(50.0));
    // No campaign this year: no 高ストレス率.
    assert_eq!(c.campaign, None);
    assert_eq!(c.total.high_stress_rate(c.min_group), None);
    // By department: 製造部 holds 山田 and the two new hires.
    let seizo = c.groups.iter().find(|g| g.department == "製造部").unwrap();
    assert_eq!((seizo.target, seizo.covered), (3, 2));
    // The threshold is the company's: B would count more, a wrong letter is refused.
    assert_eq!(c.finding_from, "C");
    assert_eq!(coverage::fiscal_year_of(d(2026, 3, 31)), 2025);
    assert_eq!(coverage::fiscal_year_of(d(2026, 4, 1)), 2026);
    let bad = rules.with_override("settings", "key,value,source\nfinding_from,A,x\n").unwrap_err();
    assert!(bad.to_string().contains("finding_from"), "{bad}");
}
