#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use super::*;

fn form<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Vec<String> + 'a {
    move |k: &str| pairs.iter().filter(|(n, _)| *n == k).map(|(_, v)| v.to_string()).collect()
}

const BASE: [(&str, &str); 6] = [
    ("interviewed_on", "2026-05-20"),
    ("fatigue", "1"),
    ("findings", "0"),
    ("guidance", "1"),
    ("category", "0"),
    ("hours", "0"),
];

fn with<'a>(extra: &[(&'a str, &'a str)], drop: &[&str]) -> Vec<(&'a str, &'a str)> {
    let mut v: Vec<(&str, &str)> = BASE.iter().copied().filter(|(k, _)| !drop.contains(k)).collect();
    v.extend_from_slice(extra);
    v
}

fn fields(r: Result<(InterviewReport, InterviewOpinion), Vec<FieldError>>) -> Vec<String> {
    match r {
        Ok(_) => vec![],
        Err(e) => e.into_iter().map(|e| e.field).collect(),
    }
}

#[test]
fn the_table_has_the_form_s_choices() {
    let t = FormTable::embedded().unwrap();
    assert_eq!(t.edition, "interview-form-v1");
    let codes = |f: &str| t.choices(f).iter().map(|c| c.code.as_str()).collect::<Vec<_>>().join("");
    assert_eq!(codes("fatigue"), "012");
    assert_eq!(codes("guidance"), "01234");
    assert_eq!(codes("category"), "012");
    assert_eq!(codes("hours"), "0123456");
    assert_eq!(codes("other"), "abcde");
    assert_eq!(t.choices("guidance")[3].needs, "date");
}

#[test]
fn a_plain_long_hours_interview() {
    let t = FormTable::embedded().unwrap();
    let p = with(&[("work_situation", "時間外 92時間 (3月)"), ("notes", "睡眠6時間")], &[]);
    let (r, o) = parse_form(t, InterviewKind::LongHours, &form(&p)).unwrap();
    assert_eq!(r.interviewed_on, NaiveDate::from_ymd_opt(2026, 5, 20).unwrap());
    assert_eq!(r.fatigue.unwrap().label, "中");
    assert_eq!((r.findings, r.guidance.len(), r.guidance[0].label.as_str()), (None, 1, "要保健指導"));
    assert_eq!((o.category.label.as_str(), o.legal), ("通常勤務", LegalWorkCategory::Normal));
    assert_eq!((o.period, o.overtime_limit), (None, None));
}

#[test]
fn required_fields_by_kind() {
    let t = FormTable::embedded().unwrap();
    // Long hours: the fatigue is required; high stress: the A/B/C sums.
    assert_eq!(fields(parse_form(t, InterviewKind::LongHours, &form(&with(&[], &["fatigue"])))), vec!["fatigue"]);
    assert_eq!(fields(parse_form(t, InterviewKind::HighStress, &form(&with(&[], &["fatigue"])))), vec!["stress_a"]);
    let ok = with(&[("stress_a", "68"), ("stress_b", "116"), ("stress_c", "36")], &["fatigue"]);
    let (r, _) = parse_form(t, InterviewKind::HighStress, &form(&ok)).unwrap();
    assert_eq!(r.stress_abc, Some([68, 116, 36]));
    let bad = with(&[("stress_a", "68"), ("stress_b", "many"), ("stress_c", "36")], &["fatigue"]);
    assert_eq!(fields(parse_form(t, InterviewKind::HighStress, &form(&bad))), vec!["stress_b"]);
    // Each sum within its section's range: A 17 items (17–68), B 29 (29–116), C 9 (9–36).
    for (a, b, c, wrong) in [
        ("17", "29", "9", vec![]),
        ("16", "29", "9", vec!["stress_a"]),
        ("68", "117", "36", vec!["stress_b"]),
        ("68", "116", "37", vec!["stress_c"]),
    ] {
        let p = with(&[("stress_a", a), ("stress_b", b), ("stress_c", c)], &["fatigue"]);
        assert_eq!(fields(parse_form(t, InterviewKind::HighStress, &form(&p))), wrong, "{a} {b} {c}");
    }
    for missing in ["interviewed_on", "findings", "guidance", "category"] {
        assert_eq!(fields(parse_form(t, InterviewKind::LongHours, &form(&with(&[], &[missing])))), vec![missing]);
    }
}

#[test]
fn choices_that_need_more() {
    let t = FormTable::embedded().unwrap();
    let lh = |extra: &[(&'static str, &'static str)], drop: &[&str]| {
        fields(parse_form(t, InterviewKind::LongHours, &form(&with(extra, drop))))
    };
    // 所見あり needs its content; 要再面接 its date.
    assert_eq!(lh(&[("findings", "1")], &["findings"]), vec!["findings_text"]);
    assert!(lh(&[("findings", "1"), ("findings_text", "不眠")], &["findings"]).is_empty());
    assert_eq!(lh(&[("guidance", "3")], &[]), vec!["reinterview_on"]);
    assert!(lh(&[("guidance", "3"), ("reinterview_on", "2026-06-20")], &[]).is_empty());
    // 措置不要 / 特に指示なし stand alone.
    assert_eq!(lh(&[("guidance", "0")], &[]), vec!["guidance"]);
    // A restriction: the hours limit needs its number (0–100), the time range a valid range, and
    // every measure a period.
    let restricted = [("category", "1"), ("hours", "1"), ("period_from", "2026-06-01"), ("period_to", "2026-08-31")];
    assert_eq!(lh(&restricted, &["category", "hours"]), vec!["overtime_limit"]);
    let mut ok = restricted.to_vec();
    ok.push(("overtime_limit", "45"));
    assert!(lh(&ok, &["category", "hours"]).is_empty());
    for (limit, good) in [("0", true), ("99", true), ("100", false), ("-1", false), ("四十五", false)] {
        let mut p = restricted.to_vec();
        p.push(("overtime_limit", limit));
        assert_eq!(lh(&p, &["category", "hours"]).is_empty(), good, "{limit}");
    }
    let times = [("category", "1"), ("hours", "3"), ("period_from", "2026-06-01"), ("period_to", "2026-06-30")];
    for (from, to, good) in [("09:00", "17:00", true), ("17:00", "09:00", false), ("9時", "17:00", false)] {
        let mut p = times.to_vec();
        p.extend([("work_from", from), ("work_to", to)]);
        assert_eq!(lh(&p, &["category", "hours"]).is_empty(), good, "{from}-{to}");
    }
    assert_eq!(lh(&[("category", "1"), ("hours", "2")], &["category", "hours"]), vec!["period_from"]);
    assert_eq!(
        lh(
            &[("category", "1"), ("hours", "2"), ("period_from", "2026-07-01"), ("period_to", "2026-06-01")],
            &["category", "hours"]
        ),
        vec!["period_to"]
    );
    // Measures other than hours need their concrete content.
    let p = [("category", "1"), ("other", "c"), ("period_from", "2026-06-01"), ("period_to", "2026-06-30")];
    assert_eq!(lh(&p, &["category"]), vec!["other_detail"]);
    // 通常勤務 with a measure is a contradiction.
    let p = [("hours", "2"), ("period_from", "2026-06-01"), ("period_to", "2026-06-30")];
    assert_eq!(lh(&p, &["hours"]), vec!["category"]);
    // A code that is not on the form.
    assert_eq!(lh(&[("category", "3")], &["category"]), vec!["category"]);
}

#[test]
fn a_full_restriction_keeps_every_field() {
    let t = FormTable::embedded().unwrap();
    let p = with(
        &[
            ("category", "1"),
            ("hours", "1"),
            ("hours", "3"),
            ("overtime_limit", "30"),
            ("work_from", "08:30"),
            ("work_to", "17:30"),
            ("other", "c"),
            ("other", "d"),
            ("other_detail", "夜勤を月2回まで、日勤へ"),
            ("period_from", "2026-06-01"),
            ("period_to", "2026-08-31"),
            ("environment", "人員補充"),
            ("medical", "睡眠外来の受診"),
            ("remarks", "1か月後に再面接"),
            ("guidance", "3"),
            ("reinterview_on", "2026-06-20"),
        ],
        &["category", "hours"],
    );
    let (r, o) = parse_form(t, InterviewKind::LongHours, &form(&p)).unwrap();
    assert_eq!(r.guidance.iter().map(|g| g.code.as_str()).collect::<Vec<_>>(), vec!["1", "3"]);
    assert_eq!(o.legal, LegalWorkCategory::Restricted);
    assert_eq!(
        o.hours.iter().map(|g| g.label.as_str()).collect::<Vec<_>>(),
        vec!["時間外労働の制限", "就業時間を制限"]
    );
    assert_eq!(o.overtime_limit, Some(30));
    assert_eq!(o.work_time.map(|(a, b)| (a.to_string(), b.to_string())), Some(("08:30:00".into(), "17:30:00".into())));
    assert_eq!(o.other.iter().map(|g| g.code.as_str()).collect::<String>(), "cd");
    assert_eq!(
        (o.environment.as_str(), o.medical.as_str(), o.remarks.as_str()),
        ("人員補充", "睡眠外来の受診", "1か月後に再面接")
    );
    // Stored as JSON and read back the same.
    let back: InterviewOpinion = serde_json::from_value(serde_json::to_value(&o).unwrap()).unwrap();
    assert_eq!(back, o);
}
