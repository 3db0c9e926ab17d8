//! Records of any source, before planning: who, when, what kind of event, and the results as
//! the reader converted them ([`Record`], [`ParsedRecords`]); the checkup CSV's visits as
//! records; and the JSON a held record (本人確認待ち) is kept in and read back from. Pure: the
//! import engine (`iphr-import`) matches them to persons and plans them against the store.

use crate::checkup_csv::{Identity, ParsedFile, ResultValue};
use chrono::NaiveDate;
use iphr_domain::event::EventKind;
use iphr_domain::identity::Incoming;
use iphr_domain::ohcc::{ItemCode, Producer};
use serde_json::json;

/// What the matcher is given of an identity.
pub fn incoming(i: &Identity) -> Incoming {
    Incoming {
        employee_number: i.employee_number.clone(),
        kana: i.kana.clone(),
        birth_date: i.birth_date,
        sex: i.sex,
        insurer_number: i.insurer.insurer_number.clone(),
        insured_symbol: i.insurer.symbol.clone(),
        insured_number: i.insurer.number.clone(),
    }
}

/// Who a record is about, as JSON (the identity of a record held for identity review).
pub fn identity_json(i: &Identity) -> serde_json::Value {
    json!({
        "employee_number": i.employee_number, "family_name": i.family_name, "given_name": i.given_name,
        "kana": i.kana, "birth_date": i.birth_date, "sex": i.sex,
        "insurer_number": i.insurer.insurer_number, "insured_symbol": i.insurer.symbol, "insured_number": i.insurer.number,
    })
}

/// Reads back who a held record is about (the inverse of the queue's identity JSON).
pub fn identity_from_json(j: &serde_json::Value) -> Identity {
    let text = |k: &str| j.get(k).and_then(|v| v.as_str()).map(str::to_string);
    Identity {
        employee_number: text("employee_number"),
        family_name: text("family_name"),
        given_name: text("given_name"),
        kana: text("kana"),
        birth_date: j.get("birth_date").and_then(|v| serde_json::from_value(v.clone()).ok()),
        sex: j.get("sex").and_then(|v| serde_json::from_value(v.clone()).ok()),
        insurer: iphr_domain::person::InsurerIds {
            insurer_number: text("insurer_number"),
            symbol: text("insured_symbol"),
            number: text("insured_number"),
        },
    }
}

fn result_json(v: &ResultValue) -> serde_json::Value {
    match v {
        ResultValue::Number { value, unit, comparator, flag, scale } => {
            json!({ "number": value, "unit": &**unit, "comparator": comparator.map(|c| c.symbol()), "flag": flag.map(|f| f.letter()), "scale": scale })
        }
        ResultValue::FlagOnly(f) => json!({ "beyond_range": f.letter() }),
        ResultValue::Code(c) => json!({ "code": c }),
        ResultValue::Text(t) => json!({ "text": t }),
        ResultValue::NotDone => json!({ "not_done": true }),
        ResultValue::NotMeasured => json!({ "not_measured": true }),
    }
}

/// The record as held in the review queue: complete, with every original; [`record_from_json`]
/// reads it back.
pub fn record_json(v: &Record) -> serde_json::Value {
    json!({
        "line": v.line, "date": v.date, "kind": v.kind.as_str(), "subkind": v.subkind,
        "title": v.title, "producer": v.producer.letter().to_string(), "detail": v.detail,
        "results": v.results.iter().map(|r| json!({
            "line": r.line, "column": &*r.column, "item": r.item.as_str(), "source_code": &*r.source_code,
            "source_text": &*r.source_text, "raw": r.raw, "source_unit": r.source_unit.as_deref(), "value": result_json(&r.value),
        })).collect::<Vec<_>>(),
    })
}

/// Reads a held record back (the inverse of [`record_json`]); `None` if it is malformed.
pub fn record_from_json(j: &serde_json::Value, identity: Identity) -> Option<Record> {
    use crate::checkup_csv::ItemResult;
    let str_of = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let kind: EventKind = str_of(j, "kind")?.parse().ok()?;
    let results = j
        .get("results")?
        .as_array()?
        .iter()
        .map(|r| {
            let v = r.get("value")?;
            let value = if let Some(n) = v.get("number").and_then(|x| x.as_f64()) {
                ResultValue::Number {
                    value: n,
                    unit: str_of(v, "unit").unwrap_or_default().into(),
                    comparator: str_of(v, "comparator")
                        .as_deref()
                        .and_then(iphr_domain::observation::Comparator::from_symbol),
                    flag: str_of(v, "flag").as_deref().and_then(iphr_domain::observation::RangeFlag::from_letter),
                    scale: v.get("scale").and_then(|x| x.as_u64()).and_then(|x| u8::try_from(x).ok()),
                }
            } else if let Some(f) = str_of(v, "beyond_range") {
                ResultValue::FlagOnly(iphr_domain::observation::RangeFlag::from_letter(&f)?)
            } else if let Some(c) = str_of(v, "code") {
                ResultValue::Code(c)
            } else if let Some(t) = str_of(v, "text") {
                ResultValue::Text(t)
            } else if v.get("not_done").is_some() {
                ResultValue::NotDone
            } else if v.get("not_measured").is_some() {
                ResultValue::NotMeasured
            } else {
                return None;
            };
            Some(ItemResult {
                line: r.get("line")?.as_u64()?,
                column: str_of(r, "column").unwrap_or_default().into(),
                item: ItemCode::parse(&str_of(r, "item")?).ok()?,
                source_code: str_of(r, "source_code").unwrap_or_default().into(),
                source_text: str_of(r, "source_text").unwrap_or_default().into(),
                raw: str_of(r, "raw").unwrap_or_default(),
                source_unit: str_of(r, "source_unit").map(Into::into),
                value,
                warning: None,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Record {
        line: j.get("line")?.as_u64()?,
        identity,
        date: str_of(j, "date")?.parse().ok()?,
        kind,
        subkind: str_of(j, "subkind"),
        title: str_of(j, "title").unwrap_or_else(|| kind.label_ja().to_string()),
        producer: str_of(j, "producer")
            .and_then(|p| p.chars().next())
            .and_then(Producer::from_letter)
            .unwrap_or(Producer::Institution),
        detail: j.get("detail").cloned().unwrap_or(serde_json::Value::Null),
        results,
    })
}

/// One incoming record of any source: who, when, what kind of event, and its results.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// First source line.
    pub line: u64,
    /// Who.
    pub identity: Identity,
    /// Event date.
    pub date: NaiveDate,
    /// Event kind.
    pub kind: EventKind,
    /// Subkind (checkup kind …).
    pub subkind: Option<String>,
    /// Title of a new event.
    pub title: String,
    /// Producer of the results.
    pub producer: Producer,
    /// Event details of a new event.
    pub detail: serde_json::Value,
    /// Results.
    pub results: Vec<crate::checkup_csv::ItemResult>,
}

/// A parsed file of any source, ready to plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedRecords {
    /// Encoding.
    pub encoding: crate::text::Encoding,
    /// Rows read.
    pub rows_read: usize,
    /// Records.
    pub records: Vec<Record>,
    /// Row errors.
    pub errors: Vec<crate::checkup_csv::RowError>,
    /// Unmapped items.
    pub unmapped: Vec<crate::checkup_csv::Unmapped>,
    /// What the reader says of elements it does not read (kept in the report's warnings).
    pub warnings: Vec<crate::checkup_csv::RowError>,
}

impl ParsedRecords {
    /// UTF-8 records (a document's, or held ones) with nothing else said yet.
    pub fn of(records: Vec<Record>, rows_read: usize) -> Self {
        Self {
            encoding: crate::text::Encoding::Utf8,
            rows_read,
            records,
            errors: vec![],
            unmapped: vec![],
            warnings: vec![],
        }
    }
}

/// A parsed checkup file as records (the profile's name, its institution and 医療機関番号, and
/// the file go into each new event's details).
pub fn checkup_records(parsed: &ParsedFile, profile: &crate::profile::Profile, file: &str) -> ParsedRecords {
    ParsedRecords {
        encoding: parsed.encoding,
        rows_read: parsed.rows_read,
        records: parsed
            .visits
            .iter()
            .map(|v| Record {
                line: v.line,
                identity: v.identity.clone(),
                date: v.date,
                kind: EventKind::Checkup,
                subkind: Some(v.kind.as_str().into()),
                title: v.kind.label_ja().into(),
                producer: Producer::Institution,
                detail: json!({
                    "institution": profile.institution,
                    "institution_number": profile.institution_number,
                    "profile": profile.name,
                    "file": file,
                }),
                results: v.results.clone(),
            })
            .collect(),
        errors: parsed.errors.clone(),
        unmapped: parsed.unmapped.clone(),
        warnings: vec![],
    }
}
