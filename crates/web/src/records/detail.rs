//! An event's details in words: each recorded field under its Japanese label, the stress check's
//! answers as the 19-scale profile — never raw JSON, English keys or internal ids.

use iphr_domain::event::{Event, EventKind};
use iphr_domain::person::Sex;
use iphr_domain::postcheckup::TreatmentStatus;
use iphr_domain::stress::{Answers, Method, StressRules};
use serde_json::Value;

/// One field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Label.
    pub label: String,
    /// Value in words.
    pub value: String,
}

/// One scale of the stress profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleRow {
    /// Scale name.
    pub name: String,
    /// 評価点 1–5 (1: most stressful).
    pub level: u8,
    /// At the stressful end (1–2).
    pub low: bool,
}

/// Labels of the detail fields iphr's sources write. Fields holding internal references (ids,
/// OHCC codes, rule-table names) are not shown: the page shows them in words elsewhere.
const LABELS: &[(&str, &str)] = &[
    ("basis", "根拠"),
    ("category", "就業区分"),
    ("legal", "法令上の区分"),
    ("measures", "措置"),
    ("measure", "措置"),
    ("limit_hours", "時間外労働の上限(時間/月)"),
    ("consideration", "配慮事項"),
    ("until", "措置の期限"),
    ("valid_until", "有効期限"),
    ("review", "見直し日"),
    ("note", "備考"),
    ("by", "記録者"),
    ("acknowledged_by", "確認者"),
    ("checkup_date", "健診日"),
    ("condition", "疾患"),
    ("status", "治療状況"),
    ("source", "情報源"),
    ("drug", "薬剤"),
    ("month", "対象月"),
    ("overtime_hours", "時間外・休日労働(時間)"),
    ("applied_on", "申出日"),
    ("scores", "合計点(A 仕事のストレス要因 / B 心身のストレス反応 / C 周囲のサポート)"),
    ("findings", "所見"),
    ("institution", "健診機関"),
    ("institution_number", "健診機関番号"),
    ("department", "職場"),
    ("finding", "指摘事項"),
    ("method", "高ストレス者の選定方法"),
    ("unit_workplace", "単位作業場所"),
    ("management_class", "管理区分"),
    ("agent", "物質"),
    ("risk_level", "リスクレベル"),
    ("estimate", "推定ばく露"),
    ("submitted_on", "提出日"),
    ("reason", "理由"),
    ("file", "ファイル名"),
    ("title", "表題"),
    ("physician", "医師"),
    ("original_path", "ファイル名"),
    ("size", "大きさ(バイト)"),
    ("uploaded_by", "添付した人"),
];

/// Fields never shown as such: internal references, or shown another way (the answers as the
/// profile, the status label through the status).
const HIDDEN: &[&str] = &[
    "checkup",
    "category_code",
    "status_label",
    "answers",
    "criteria",
    "item",
    "line",
    "producer",
    "subkind",
    "form",
    "fields",
    "signed",
    "corrected",
    "record",
    "document_id",
    "sha256",
    "source_sha256",
    "bundle",
    "date_from",
    "content_type",
];

fn words(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => (if *b { "はい" } else { "いいえ" }).into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(words).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("・"),
        Value::Object(o) => o.iter().map(|(k, v)| format!("{k} {}", words(v))).collect::<Vec<_>>().join(" / "),
    }
}

/// The fields of an event's details, in the order of [`LABELS`]; fields of no known label are
/// listed under その他 (their values only).
pub fn fields(e: &Event) -> Vec<Field> {
    let Some(obj) = e.detail.as_object() else { return vec![] };
    let mut out = Vec::new();
    for (key, label) in LABELS {
        let Some(v) = obj.get(*key) else { continue };
        let mut value = words(v);
        if *key == "status" {
            value = TreatmentStatus::parse_any(&value).map_or(value, |s| s.label_ja().to_string());
        }
        if *key == "method" {
            value = match Method::parse(&value) {
                Some(Method::Sum) => "合計点数を使う方法(評価基準の例その1)".into(),
                Some(Method::Soten) => "素点換算表を使う方法(評価基準の例その2)".into(),
                None => value,
            };
        }
        if !value.is_empty() {
            out.push(Field { label: (*label).to_string(), value });
        }
    }
    let others: Vec<String> = obj
        .iter()
        .filter(|(k, _)| !HIDDEN.contains(&k.as_str()) && !LABELS.iter().any(|(l, _)| l == k))
        .map(|(_, v)| words(v))
        .filter(|s| !s.is_empty())
        .collect();
    if !others.is_empty() {
        out.push(Field { label: "その他".into(), value: others.join("、") });
    }
    out
}

/// An event's subkind in words: the checkup kind, the reason of an interview or opinion, the
/// questionnaire of a stress check; empty when there is none or it is not known.
pub fn subkind_label(kind: EventKind, subkind: Option<&str>) -> String {
    let Some(sub) = subkind else { return String::new() };
    if kind == EventKind::Checkup {
        return iphr_domain::event::CheckupKind::parse(sub).map(|k| k.label_ja().to_string()).unwrap_or_default();
    }
    match sub {
        "post_checkup" => "健康診断結果に基づく",
        "long_hours" => "長時間労働",
        "high_stress" => "高ストレス",
        "high_stress_application" => "高ストレス者の面接指導の申出",
        "bjsq57" => "職業性ストレス簡易調査票(57項目)",
        "bjsq23" => "職業性ストレス簡易調査票(23項目)",
        _ => "",
    }
    .to_string()
}

/// The 19-scale profile of a stress check's answers (empty when the event is not one or its
/// answers are not shown).
pub fn stress_profile(e: &Event, rules: &StressRules, sex: Sex) -> Vec<ScaleRow> {
    if e.kind != EventKind::StressCheck {
        return vec![];
    }
    let Some(answers) = e.detail.get("answers").and_then(|a| a.as_array()) else { return vec![] };
    let answers: Vec<u8> = answers.iter().filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect();
    let Ok(answers) = Answers::parse(answers) else { return vec![] };
    let sheet = rules.score(&answers, sex);
    rules
        .scales
        .iter()
        .zip(&sheet.scales)
        .map(|(s, sc)| ScaleRow { name: s.name_ja.clone(), level: sc.hyoka, low: sc.hyoka <= 2 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use iphr_domain::info_class::InfoClass;
    use iphr_domain::ohcc::Producer;
    use iphr_domain::{CompanyId, EventId};

    fn event(kind: EventKind, detail: Value) -> Event {
        Event {
            company_id: CompanyId::new(),
            id: EventId::new(),
            person_id: None,
            employment_id: None,
            department_id: None,
            kind,
            subkind: None,
            event_date: chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or_default(),
            title: String::new(),
            content_class: InfoClass::Class1,
            producer: Producer::Physician,
            detail,
            source_doc: None,
        }
    }

    #[test]
    fn details_are_labelled_in_japanese_and_internal_references_are_not_shown() {
        let e = event(
            EventKind::Opinion,
            serde_json::json!({
                "basis": "安衛法66条の4", "checkup": "0190a0b0-0000-7000-8000-000000000000", "category": "就業制限",
                "category_code": "restriction", "measures": ["時間外労働の制限", "深夜業の回数の減少"],
                "review": "2026-07-01", "by": "doctor", "mystery": "手書きのメモ"
            }),
        );
        let got: Vec<(String, String)> = fields(&e).into_iter().map(|f| (f.label, f.value)).collect();
        assert_eq!(
            got,
            vec![
                ("根拠".into(), "安衛法66条の4".into()),
                ("就業区分".into(), "就業制限".into()),
                ("措置".into(), "時間外労働の制限・深夜業の回数の減少".into()),
                ("見直し日".into(), "2026-07-01".into()),
                ("記録者".into(), "doctor".into()),
                ("その他".into(), "手書きのメモ".into()),
            ]
        );
    }

    #[test]
    fn subkinds_read_in_japanese_and_unknown_ones_are_not_shown_raw() {
        assert_eq!(subkind_label(EventKind::Checkup, Some("periodic")), "定期健康診断");
        assert_eq!(subkind_label(EventKind::StressCheck, Some("bjsq57")), "職業性ストレス簡易調査票(57項目)");
        assert_eq!(subkind_label(EventKind::Interview, Some("long_hours")), "長時間労働");
        assert_eq!(subkind_label(EventKind::Interview, Some("something_new")), "");
        assert_eq!(subkind_label(EventKind::Checkup, None), "");
    }

    #[test]
    fn a_treatment_status_reads_in_japanese_whether_stored_as_code_or_label() {
        for stored in ["in_treatment", "治療中"] {
            let e = event(EventKind::Treatment, serde_json::json!({ "condition": "高血圧症", "status": stored }));
            assert_eq!(fields(&e).get(1).map(|f| f.value.as_str()), Some("治療中"));
        }
    }

    #[test]
    fn a_stress_check_shows_its_profile_not_its_answers() {
        let rules = StressRules::embedded().unwrap_or_else(|e| panic!("{e}"));
        let e = event(EventKind::StressCheck, serde_json::json!({ "answers": vec![4u8; 57], "method": "sum" }));
        let f = fields(&e);
        assert_eq!(f.len(), 1);
        assert_eq!(f.first().map(|f| f.value.as_str()), Some("合計点数を使う方法(評価基準の例その1)"));
        let profile = stress_profile(&e, rules, Sex::Male);
        assert_eq!(profile.len(), 19);
        assert!(profile.iter().all(|s| (1..=5).contains(&s.level)));
        assert!(
            stress_profile(&event(EventKind::StressCheck, serde_json::json!({ "answers": [1, 2] })), rules, Sex::Male)
                .is_empty()
        );
    }
}
