//! Exports of the coded record: a long CSV (one row per datum, OHCC-coded, with the original
//! code and value), which `profiles/iphr-export.toml` reads back, and NDJSON (one JSON object per
//! datum). Pure: rows in, text out.

use iphr_domain::event::Event;
use iphr_domain::observation::{Observation, Value};
use iphr_domain::ohcc::ItemTable;
use serde_json::json;

/// Who a row is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Kana.
    pub kana: String,
    /// Birth date.
    pub birth_date: chrono::NaiveDate,
    /// `male` / `female`.
    pub sex: String,
    /// Insurer identifiers (the FHIR Patient's insurance member id).
    pub insurer: iphr_domain::person::InsurerIds,
}

/// Header of the long CSV.
pub const CSV_HEADER: [&str; 17] = [
    "社員番号",
    "氏名",
    "カナ",
    "生年月日",
    "性別",
    "日付",
    "種別",
    "区分",
    "項目コード",
    "項目名",
    "結果",
    "単位",
    "HL",
    "データATR",
    "原コード",
    "原データ",
    "情報区分",
];

/// The value as text the importers read back: `<5`, `120`, a code, text, `未実施`, `H`.
pub fn value_text(o: &Observation) -> String {
    let comparator = o.qualifier.comparator.map(|c| c.symbol()).unwrap_or("");
    match &o.value {
        Value::Number { value, .. } => format!("{comparator}{}", o.qualifier.format(*value)),
        Value::Coded { code } => code.clone(),
        Value::Text { text } => text.clone(),
        Value::Document { reference, .. } => reference.clone(),
        Value::NotDone => "未実施".into(),
        Value::NotMeasured => "未測定".into(),
        Value::BeyondRange => o.qualifier.flag.map(|f| f.letter()).unwrap_or("").into(),
    }
}

fn unit(o: &Observation) -> &str {
    match &o.value {
        Value::Number { unit, .. } => unit,
        _ => "",
    }
}

/// Writes rows of (who, event, observation) as the long CSV, header first.
pub fn to_csv<'a>(
    table: &ItemTable,
    rows: impl Iterator<Item = (&'a Who, &'a Event, &'a Observation)>,
) -> Result<String, String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
    for (who, e, o) in rows {
        let name = table.get(&o.item).map(|d| d.name_ja.as_str()).unwrap_or("");
        w.write_record([
            who.employee_number.as_str(),
            &who.name,
            &who.kana,
            &who.birth_date.to_string(),
            &who.sex,
            &o.event_date.to_string(),
            e.kind.as_str(),
            e.subkind.as_deref().unwrap_or(""),
            o.item.as_str(),
            name,
            &value_text(o),
            unit(o),
            if matches!(o.value, Value::BeyondRange) { "" } else { o.qualifier.flag.map(|f| f.letter()).unwrap_or("") },
            &o.atr.to_string(),
            o.provenance.source_code.as_deref().unwrap_or(""),
            o.provenance.raw_value.as_deref().unwrap_or(""),
            o.info_class.as_str(),
        ])
        .map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

/// One NDJSON line for a datum.
pub fn to_ndjson_line(table: &ItemTable, who: &Who, e: &Event, o: &Observation) -> String {
    json!({
        "employee_number": who.employee_number, "name": who.name, "kana": who.kana,
        "birth_date": who.birth_date, "sex": who.sex,
        "event": { "id": e.id, "kind": e.kind.as_str(), "subkind": e.subkind, "date": e.event_date, "title": e.title },
        "ohcc": format!("{}{}", o.item, o.atr),
        "item": o.item.as_str(),
        "name": table.get(&o.item).map(|d| d.name_ja.as_str()),
        "value": o.value,
        "comparator": o.qualifier.comparator.map(|c| c.symbol()),
        "flag": o.qualifier.flag.map(|f| f.letter()),
        "scale": o.qualifier.scale,
        "text": value_text(o),
        "info_class": o.info_class.as_str(),
        "provenance": o.provenance,
    })
    .to_string()
}
