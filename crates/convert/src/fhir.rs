//! 健康診断結果報告書 FHIR documents (JP-CLINS eCheckup, FHIR R4 JSON Bundles): the Patient's
//! identity and every Observation, coded by JLAC10 (system `urn:oid:1.2.392.200119.6.1005`,
//! standards-fhir-systems.csv) into OHCC, with MHLW value-set codes (`urn:oid:1.2.392.200119.6.NNNN`)
//! mapped to OHCC values (crates/domain/data/ohcc-value-map-v1.csv). Quantities keep their
//! comparator, `interpretation` H/L is kept as the producer's mark (HX/LX without a number: 入力範囲外
//! only), `dataAbsentReason` is 未実施 (`error`: 測定不能).
//! A group Observation (hasMember, no value) carries no datum itself: its members are imported.
//!
//! The element locator of an error or an unmapped item is the Bundle entry number (1-based) and
//! the resource id.

use crate::checkup_csv::{Identity, ItemResult, ResultValue, RowError, Unmapped};
use crate::plan::{ParsedRecords, Record};
use crate::text::Encoding;
use crate::units::UnitTable;
use crate::value::{Comparator, RangeFlag};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::event::{CheckupKind, EventKind};
use iphr_domain::ohcc::{ItemTable, Producer};
use iphr_domain::person::Sex;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// JLAC10 code system of the eCheckup documents.
pub const JLAC10_SYSTEM: &str = "urn:oid:1.2.392.200119.6.1005";

/// A document that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FhirFileError {
    /// Not JSON.
    #[error("line {line}, column {column}: not JSON: {reason}")]
    Json {
        /// Line.
        line: usize,
        /// Column.
        column: usize,
        /// Reason.
        reason: String,
    },
    /// Not a Bundle of the expected shape.
    #[error("{0}")]
    Shape(String),
}

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k).and_then(Value::as_array).map(Vec::as_slice).unwrap_or(&[])
}

fn date_of(v: Option<&str>) -> Option<NaiveDate> {
    v.and_then(|t| t.get(..10)).and_then(|t| parse_date(t).ok())
}

/// Patient → identity: kanji (IDE) and kana (SYL) names, sex, birth date; insurer identifiers from
/// the Coverage and its payor.
fn identity(bundle: &BTreeMap<String, &Value>, patient: &Value) -> Identity {
    let mut id = Identity::default();
    for n in arr(patient, "name") {
        let rep = arr(n, "extension").iter().find_map(|e| s(e, "valueCode")).unwrap_or("IDE");
        let family = s(n, "family").unwrap_or("").to_string();
        let given = arr(n, "given").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ");
        if rep == "SYL" {
            id.kana = Some(format!("{family} {given}").trim().to_string());
        } else {
            id.family_name = Some(family);
            id.given_name = Some(given);
        }
    }
    id.sex = match s(patient, "gender") {
        Some("male") => Some(Sex::Male),
        Some("female") => Some(Sex::Female),
        _ => None,
    };
    id.birth_date = date_of(s(patient, "birthDate"));
    for cov in bundle.values().filter(|r| s(r, "resourceType") == Some("Coverage")) {
        let ext = |suffix: &str| {
            arr(cov, "extension")
                .iter()
                .find(|e| s(e, "url").is_some_and(|u| u.ends_with(suffix)))
                .and_then(|e| s(e, "valueString"))
                .map(crate::text::fold_value)
        };
        if let Some(sym) = ext("InsuredPersonSymbol") {
            id.insurer.symbol = Some(sym);
        }
        if let Some(num) = ext("InsuredPersonNumber") {
            id.insurer.number = Some(num);
        }
        for payor in arr(cov, "payor") {
            let org = s(payor, "reference").and_then(|r| bundle.get(r));
            if let Some(org) = org {
                for i in arr(org, "identifier") {
                    if s(i, "system").is_some_and(|sys| sys.ends_with("6.101")) {
                        id.insurer.insurer_number = s(i, "value").map(crate::text::fold_value);
                    }
                }
            }
        }
    }
    id
}

/// Reads an eCheckup document Bundle into checkup records (one per date).
pub fn parse(bytes: &[u8], table: &ItemTable, units: &UnitTable) -> Result<ParsedRecords, FhirFileError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| FhirFileError::Json {
        line: e.line(),
        column: e.column(),
        reason: e.to_string(),
    })?;
    if s(&doc, "resourceType") != Some("Bundle") {
        return Err(FhirFileError::Shape("not a FHIR Bundle (resourceType must be \"Bundle\")".into()));
    }
    let entries = arr(&doc, "entry");
    let by_url: BTreeMap<String, &Value> =
        entries.iter().filter_map(|e| Some((s(e, "fullUrl")?.to_string(), e.get("resource")?))).collect();
    let patient = entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .find(|r| s(r, "resourceType") == Some("Patient"))
        .ok_or_else(|| FhirFileError::Shape("the Bundle has no Patient".into()))?;
    let who = identity(&by_url, patient);
    let composition =
        entries.iter().filter_map(|e| e.get("resource")).find(|r| s(r, "resourceType") == Some("Composition"));
    // Category 10 of OID 2.16.840.1.113883.2.2.1.6.1001 is 特定健診情報; other reports are kept as
    // employer checkups (定期).
    let kind = match composition
        .and_then(|c| arr(c, "category").first())
        .and_then(|c| arr(c, "coding").first())
        .and_then(|c| s(c, "code"))
    {
        Some("10") => CheckupKind::Tokutei,
        _ => CheckupKind::Periodic,
    };
    let encounter_date = entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .find(|r| s(r, "resourceType") == Some("Encounter"))
        .and_then(|r| r.get("period"))
        .and_then(|p| date_of(s(p, "start")));
    let institution = entries
        .iter()
        .filter_map(|e| e.get("resource"))
        .filter(|r| s(r, "resourceType") == Some("Organization"))
        .find(|r| !arr(r, "identifier").iter().any(|i| s(i, "system").is_some_and(|sys| sys.ends_with("6.101"))))
        .and_then(|r| s(r, "name"))
        .map(str::to_string);
    let mut out =
        ParsedRecords { encoding: Encoding::Utf8, rows_read: 0, records: vec![], errors: vec![], unmapped: vec![] };
    let mut by_date: BTreeMap<NaiveDate, Vec<ItemResult>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(o) = e.get("resource").filter(|r| s(r, "resourceType") == Some("Observation")) else { continue };
        out.rows_read += 1;
        let line = (i + 1) as u64;
        let rid = s(o, "id").unwrap_or("").to_string();
        let err = |reason: String| RowError { line, field: format!("Observation/{rid}"), reason };
        let coding = arr(o.get("code").unwrap_or(&Value::Null), "coding");
        let Some(c) = coding.iter().find(|c| s(c, "system") == Some(JLAC10_SYSTEM)).or(coding.first()) else {
            out.errors.push(err("no code".into()));
            continue;
        };
        let code = s(c, "code").unwrap_or("").to_string();
        let display = s(c, "display").unwrap_or("").to_string();
        let has_value = o
            .as_object()
            .is_some_and(|m| m.keys().any(|k| k.starts_with("value")) || m.contains_key("dataAbsentReason"));
        if !has_value && !arr(o, "hasMember").is_empty() {
            // A group: its members are Observations of their own.
            continue;
        }
        let Some(date) = date_of(s(o, "effectiveDateTime")).or(encounter_date) else {
            out.errors.push(err("no effectiveDateTime and no Encounter date".into()));
            continue;
        };
        let raw = o
            .get("valueQuantity")
            .map(|q| {
                format!(
                    "{}{} {}",
                    s(q, "comparator").unwrap_or(""),
                    q.get("value").map(|v| v.to_string()).unwrap_or_default(),
                    s(q, "unit").or(s(q, "code")).unwrap_or("")
                )
            })
            .or_else(|| {
                o.get("valueCodeableConcept")
                    .and_then(|v| arr(v, "coding").first())
                    .map(|c| format!("{}|{}", s(c, "system").unwrap_or(""), s(c, "code").unwrap_or("")))
            })
            .or_else(|| s(o, "valueString").map(str::to_string))
            .unwrap_or_default();
        let def = if s(c, "system") == Some(JLAC10_SYSTEM) { table.by_jlac10(&code) } else { None };
        let Some(def) = def else {
            out.unmapped.push(Unmapped {
                line,
                identity: who.clone(),
                date: Some(date),
                source_code: code,
                source_text: display,
                raw,
                unit: o.get("valueQuantity").and_then(|q| s(q, "unit").or(s(q, "code"))).map(str::to_string),
            });
            continue;
        };
        let flag = arr(o, "interpretation").iter().flat_map(|i| arr(i, "coding")).find_map(|c| match s(c, "code") {
            Some("H") | Some("HH") | Some("HX") => Some(RangeFlag::High),
            Some("L") | Some("LL") | Some("LX") => Some(RangeFlag::Low),
            _ => None,
        });
        let absent = o.get("dataAbsentReason");
        let beyond = arr(o, "interpretation").iter().flat_map(|i| arr(i, "coding")).find_map(|c| match s(c, "code") {
            Some("HX") => Some(RangeFlag::High),
            Some("LX") => Some(RangeFlag::Low),
            _ => None,
        });
        let value = if let Some(a) = absent {
            // `error` is 測定不能; `not-performed` and every other reason 未実施.
            let error = arr(a, "coding").iter().any(|c| s(c, "code") == Some("error"));
            Ok(if error { ResultValue::NotMeasured } else { ResultValue::NotDone })
        } else if let (Some(f), false) = (beyond, o.get("valueQuantity").is_some()) {
            // 入力範囲外 without a number: only HX/LX.
            Ok(ResultValue::FlagOnly(f))
        } else if let Some(q) = o.get("valueQuantity") {
            let comparator = match s(q, "comparator") {
                Some("<") => Some(Comparator::Lt),
                Some("<=") => Some(Comparator::Le),
                Some(">") => Some(Comparator::Gt),
                Some(">=") => Some(Comparator::Ge),
                _ => None,
            };
            match q.get("value").and_then(Value::as_f64) {
                Some(v) => {
                    let from = s(q, "code").or(s(q, "unit")).unwrap_or(def.unit.as_str());
                    units
                        .convert(def.item.as_str(), v, from, &def.unit)
                        .map(|value| ResultValue::Number { value, unit: def.unit.as_str().into(), comparator, flag })
                        .map_err(|e| e.to_string())
                }
                None => Err("valueQuantity without a number".into()),
            }
        } else if let Some(cc) = o.get("valueCodeableConcept") {
            let cd = arr(cc, "coding").first();
            let system = cd.and_then(|c| s(c, "system")).unwrap_or("");
            let vcode = cd.and_then(|c| s(c, "code")).unwrap_or("");
            let oid = system.strip_prefix("urn:oid:").unwrap_or(system);
            match table.value_for_source(&def.item, oid, vcode) {
                Some(v) => Ok(ResultValue::Code(v.to_string())),
                // An MHLW value set must go through the map: its digits mean other things than
                // the OHCC codes (ガフキー 1 is OHCC 0). Only another system's code is taken as is.
                None if !oid.starts_with("1.2.392.200119.6.") && table.value_label(&def.item, vcode).is_some() => {
                    Ok(ResultValue::Code(vcode.to_string()))
                }
                None => Err(format!("value {system}|{vcode} maps to no value of {} ({})", def.item, def.name_ja)),
            }
        } else if let Some(t) = s(o, "valueString") {
            Ok(ResultValue::Text(t.to_string()))
        } else {
            Err("no value".into())
        };
        // Blank text is no datum (an empty ST or valueString): absent, as a blank CSV cell.
        if matches!(&value, Ok(ResultValue::Text(t)) if t.trim().is_empty()) {
            continue;
        }
        match value {
            Ok(value) => by_date.entry(date).or_default().push(ItemResult {
                line,
                column: format!("Observation/{rid}").into(),
                item: def.item,
                source_code: code.into(),
                source_text: display.into(),
                raw,
                source_unit: o.get("valueQuantity").and_then(|q| s(q, "unit")).map(Into::into),
                value,
                warning: None,
            }),
            Err(reason) => out.errors.push(err(reason)),
        }
    }
    for (date, results) in by_date {
        out.records.push(Record {
            line: results.first().map_or(0, |r| r.line),
            identity: who.clone(),
            date,
            kind: EventKind::Checkup,
            subkind: Some(kind.as_str().into()),
            title: kind.label_ja().into(),
            producer: Producer::Institution,
            detail: json!({
                "institution": institution,
                "document": composition.and_then(|c| c.get("identifier")).and_then(|i| s(i, "value")),
                "format": "eCheckup FHIR",
            }),
            results,
        });
    }
    Ok(out)
}
