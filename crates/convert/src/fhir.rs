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
use crate::records::{ParsedRecords, Record};
use crate::units::UnitTable;
use crate::value::{Comparator, RangeFlag};
use crate::wareki::parse_date;
use chrono::NaiveDate;
use iphr_domain::event::{CheckupKind, EventKind};
use iphr_domain::ohcc::{ItemTable, Producer};
use iphr_domain::person::{InsurerIds, Sex};
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
                    if s(i, "system").is_some_and(is_insurer_system) {
                        id.insurer.insurer_number = s(i, "value").map(crate::text::fold_value);
                    }
                }
            }
        }
    }
    // Without a Coverage: the Patient's insurance member id 保険者番号:記号:番号:枝番 (R1013).
    if id.insurer == InsurerIds::default()
        && let Some(v) = arr(patient, "identifier")
            .iter()
            .find(|i| s(i, "system") == Some("http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID"))
            .and_then(|i| s(i, "value"))
    {
        let mut parts = v.split(':').map(crate::text::fold_value).map(|p| Some(p).filter(|p| !p.is_empty()));
        id.insurer.insurer_number = parts.next().flatten();
        id.insurer.symbol = parts.next().flatten();
        id.insurer.number = parts.next().flatten();
    }
    id
}

/// The systems of an insurer's 保険者番号: the MHLW OID (…6.101) or JP Core's InsurerNumber.
fn is_insurer_system(system: &str) -> bool {
    system.ends_with("6.101") || system.ends_with("/IdSystem/InsurerNumber")
}

/// The system of an institution's 医療機関番号 (JP Core).
const INSTITUTION_NO_SYSTEM: &str = "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no";

/// What the reader does with an element of a resource of the Bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Read into the record; the text says where.
    Read(&'static str),
    /// Structure of the document (ids, references, profiles): carries no datum of its own.
    Structure,
    /// Deliberately not kept; the text says why.
    NotKept(&'static str),
}

/// Every element of the resources an eCheckup Bundle holds (by resource type and top-level
/// element) with what the reader does with it. An element of a Bundle that is not in this table,
/// or a resource of another type, is reported as a warning naming the entry — nothing is
/// dropped without a word. The IG's example Bundles are walked against this table in the tests.
pub const ELEMENTS: &[(&str, &str, Disposition)] = {
    use Disposition::*;
    const ADDRESS: Disposition = NotKept("address and phone are not part of the occupational-health record");
    &[
        ("Bundle", "resourceType", Structure),
        ("Bundle", "id", Structure),
        ("Bundle", "meta", Structure),
        ("Bundle", "type", Structure),
        ("Bundle", "language", Structure),
        ("Bundle", "timestamp", Read("the checkup event's detail: bundle_timestamp")),
        ("Bundle", "identifier", Read("the checkup event's detail: bundle")),
        ("Bundle", "entry", Structure),
        ("Composition", "resourceType", Structure),
        ("Composition", "id", Structure),
        ("Composition", "meta", Structure),
        ("Composition", "language", Structure),
        ("Composition", "extension", NotKept("the document version number (文書バージョン) of the report")),
        ("Composition", "identifier", Read("the checkup event's detail: document")),
        ("Composition", "status", Structure),
        ("Composition", "type", Structure),
        ("Composition", "category", Read("the checkup kind: 報告区分 10 is 特定健診, others periodic")),
        ("Composition", "subject", Structure),
        ("Composition", "encounter", Structure),
        ("Composition", "date", Read("the checkup event's detail: report_date")),
        ("Composition", "author", Structure),
        ("Composition", "title", Read("the checkup event's detail: report_title")),
        ("Composition", "custodian", Structure),
        ("Composition", "event", Read("the checkup event's detail: program (健診プログラム)")),
        (
            "Composition",
            "section",
            NotKept("the sections list the Observations (read one by one) and a narrative repeating them"),
        ),
        ("Patient", "resourceType", Structure),
        ("Patient", "id", Structure),
        ("Patient", "meta", Structure),
        (
            "Patient",
            "identifier",
            Read(
                "identity: the insurance member id (保険者番号:記号:番号) where no Coverage gives them; the institution's patient numbers are not kept",
            ),
        ),
        ("Patient", "name", Read("identity: kanji (IDE) and kana (SYL) names")),
        ("Patient", "gender", Read("identity: sex")),
        ("Patient", "birthDate", Read("identity: birth date")),
        ("Patient", "address", ADDRESS),
        ("Patient", "telecom", ADDRESS),
        ("Practitioner", "resourceType", Structure),
        ("Practitioner", "id", Structure),
        ("Practitioner", "meta", Structure),
        (
            "Practitioner",
            "name",
            Read("the checkup event's detail: physician (the kanji name), and per item performer"),
        ),
        ("Organization", "resourceType", Structure),
        ("Organization", "id", Structure),
        ("Organization", "meta", Structure),
        (
            "Organization",
            "identifier",
            Read("the insurer's 保険者番号 (identity) or the institution's number (detail: institution_number)"),
        ),
        (
            "Organization",
            "name",
            Read("the checkup event's detail: institution (the organisation that is not the insurer)"),
        ),
        ("Organization", "type", Structure),
        ("Organization", "address", ADDRESS),
        ("Organization", "telecom", ADDRESS),
        ("Encounter", "resourceType", Structure),
        ("Encounter", "id", Structure),
        ("Encounter", "meta", Structure),
        ("Encounter", "status", Structure),
        ("Encounter", "class", Structure),
        ("Encounter", "period", Read("the checkup date where an Observation has no effectiveDateTime")),
        ("Encounter", "serviceProvider", Structure),
        ("Coverage", "resourceType", Structure),
        ("Coverage", "id", Structure),
        ("Coverage", "meta", Structure),
        ("Coverage", "extension", Read("identity: 記号 and 番号 of the insured person (the 枝番 is not kept)")),
        ("Coverage", "payor", Read("identity: the insurer's 保険者番号, through the Organization")),
        ("Coverage", "identifier", NotKept("the same 記号・番号 as the extensions")),
        ("Coverage", "subscriberId", NotKept("the same 記号・番号 as the extensions")),
        ("Coverage", "status", NotKept("insurance eligibility is not part of the record")),
        ("Coverage", "type", NotKept("insurance eligibility is not part of the record")),
        ("Coverage", "beneficiary", Structure),
        ("Coverage", "dependent", NotKept("insurance eligibility is not part of the record")),
        ("Coverage", "relationship", NotKept("insurance eligibility is not part of the record")),
        ("Coverage", "period", NotKept("insurance eligibility is not part of the record")),
        ("Observation", "resourceType", Structure),
        ("Observation", "id", Structure),
        ("Observation", "meta", Structure),
        ("Observation", "status", Read("entered-in-error: not imported (warning); cancelled without a value: 未実施")),
        ("Observation", "category", Structure),
        (
            "Observation",
            "code",
            Read("the OHCC item through the JLAC10 map; unmapped codes to the unmapped-items queue"),
        ),
        ("Observation", "subject", Structure),
        ("Observation", "encounter", Structure),
        ("Observation", "effectiveDateTime", Read("the checkup date")),
        ("Observation", "performer", Read("the checkup event's detail: items[].performer")),
        ("Observation", "valueQuantity", Read("the value with its comparator, converted to the OHCC unit")),
        ("Observation", "valueCodeableConcept", Read("the value through the MHLW value-set map")),
        ("Observation", "valueString", Read("the value as text (blank: no datum)")),
        ("Observation", "dataAbsentReason", Read("未実施, or 測定不能 for error")),
        (
            "Observation",
            "interpretation",
            Read("the producer's H/L mark; HX/LX without a number: beyond the input range"),
        ),
        ("Observation", "note", Read("the checkup event's detail: items[].note")),
        ("Observation", "method", Read("the checkup event's detail: items[].method")),
        ("Observation", "specimen", Read("the checkup event's detail: items[].specimen")),
        ("Observation", "referenceRange", Read("the checkup event's detail: items[].reference_range")),
        ("Observation", "component", Read("each component as a datum of its own item, like an Observation")),
        (
            "Observation",
            "hasMember",
            Read("a group without a value carries no datum: its members are Observations of the Bundle"),
        ),
        ("Observation", "extension", NotKept("extensions of an Observation (none in the IG)")),
    ]
};

/// The disposition of an element, if the table knows it.
pub fn disposition(resource: &str, element: &str) -> Option<Disposition> {
    ELEMENTS.iter().find(|(r, e, _)| *r == resource && *e == element).map(|(_, _, d)| *d)
}

/// The elements of a component of an Observation the reader takes (a component is read like an
/// Observation of its own; its extension names the performer, kept in the details).
pub const COMPONENT_ELEMENTS: &[&str] = &[
    "code",
    "valueQuantity",
    "valueCodeableConcept",
    "valueString",
    "dataAbsentReason",
    "interpretation",
    "referenceRange",
    "extension",
];

/// A number as written in a JSON text (`1.0`, `170.00`): the digits after the point, which
/// FHIR treats as significant. The Bundle is read a second time for them, as `serde_json::Value`
/// keeps only the `f64`.
mod scales {
    use serde::Deserialize;
    use serde_json::value::RawValue;

    #[derive(Deserialize)]
    struct Bundle<'a> {
        #[serde(borrow, default)]
        entry: Vec<Entry<'a>>,
    }
    #[derive(Deserialize)]
    struct Entry<'a> {
        #[serde(borrow)]
        resource: Option<Resource<'a>>,
    }
    #[derive(Deserialize)]
    struct Resource<'a> {
        #[serde(borrow, rename = "valueQuantity")]
        value_quantity: Option<Quantity<'a>>,
        #[serde(borrow, default)]
        component: Vec<Component<'a>>,
    }
    #[derive(Deserialize)]
    struct Component<'a> {
        #[serde(borrow, rename = "valueQuantity")]
        value_quantity: Option<Quantity<'a>>,
    }
    #[derive(Deserialize)]
    struct Quantity<'a> {
        #[serde(borrow)]
        value: Option<&'a RawValue>,
    }

    /// Per entry: the scale of the resource's valueQuantity and of each component's.
    pub(super) type Scales = Vec<(Option<u8>, Vec<Option<u8>>)>;

    fn scale(q: &Option<Quantity<'_>>) -> Option<u8> {
        q.as_ref().and_then(|q| q.value).and_then(|v| crate::value::decimal_scale(v.get()))
    }

    /// The scales of every quantity of the Bundle, by entry; empty when the text does not read.
    pub(super) fn read(bytes: &[u8]) -> Scales {
        let Ok(b) = serde_json::from_slice::<Bundle<'_>>(bytes) else { return Vec::new() };
        b.entry
            .iter()
            .map(|e| match &e.resource {
                Some(r) => (scale(&r.value_quantity), r.component.iter().map(|c| scale(&c.value_quantity)).collect()),
                None => (None, Vec::new()),
            })
            .collect()
    }
}

/// The value of an Observation or of one of its components (`node`), for the item `def`.
/// `Ok(None)`: no datum (a blank valueString).
fn value_of(
    node: &Value,
    def: &iphr_domain::ohcc::ItemDef,
    table: &ItemTable,
    units: &UnitTable,
    scale: Option<u8>,
) -> Result<Option<ResultValue>, String> {
    let codes = || arr(node, "interpretation").iter().flat_map(|i| arr(i, "coding")).filter_map(|c| s(c, "code"));
    let flag = codes().find_map(|c| match c {
        "H" | "HH" | "HX" => Some(RangeFlag::High),
        "L" | "LL" | "LX" => Some(RangeFlag::Low),
        _ => None,
    });
    let beyond = codes().find_map(|c| match c {
        "HX" => Some(RangeFlag::High),
        "LX" => Some(RangeFlag::Low),
        _ => None,
    });
    if let Some(a) = node.get("dataAbsentReason") {
        // `error` is 測定不能; `not-performed` and every other reason 未実施.
        let error = arr(a, "coding").iter().any(|c| s(c, "code") == Some("error"));
        return Ok(Some(if error { ResultValue::NotMeasured } else { ResultValue::NotDone }));
    }
    if let (Some(f), None) = (beyond, node.get("valueQuantity")) {
        // 入力範囲外 without a number: only HX/LX.
        return Ok(Some(ResultValue::FlagOnly(f)));
    }
    if let Some(q) = node.get("valueQuantity") {
        let comparator = match s(q, "comparator") {
            Some("<") => Some(Comparator::Lt),
            Some("<=") => Some(Comparator::Le),
            Some(">") => Some(Comparator::Gt),
            Some(">=") => Some(Comparator::Ge),
            _ => None,
        };
        let Some(v) = q.get("value").and_then(Value::as_f64) else {
            return Err("valueQuantity without a number".into());
        };
        let from = s(q, "code").or(s(q, "unit")).unwrap_or(def.unit.as_str());
        let (value, scale) =
            units.convert_scaled(def.item.as_str(), v, scale, from, &def.unit).map_err(|e| e.to_string())?;
        return Ok(Some(ResultValue::Number { value, unit: def.unit.as_str().into(), comparator, flag, scale }));
    }
    if let Some(cc) = node.get("valueCodeableConcept") {
        let cd = arr(cc, "coding").first();
        let system = cd.and_then(|c| s(c, "system")).unwrap_or("");
        let vcode = cd.and_then(|c| s(c, "code")).unwrap_or("");
        let oid = system.strip_prefix("urn:oid:").unwrap_or(system);
        return match table.value_for_source(&def.item, oid, vcode) {
            Some(v) => Ok(Some(ResultValue::Code(v.to_string()))),
            // An MHLW value set must go through the map: its digits mean other things than
            // the OHCC codes (ガフキー 1 is OHCC 0). Only another system's code is taken as is.
            None if !oid.starts_with("1.2.392.200119.6.") && table.value_label(&def.item, vcode).is_some() => {
                Ok(Some(ResultValue::Code(vcode.to_string())))
            }
            None => Err(format!("value {system}|{vcode} maps to no value of {} ({})", def.item, def.name_ja)),
        };
    }
    if let Some(t) = node.get("valueString") {
        // Blank text is no datum (absent), as a blank CSV cell.
        return match t.as_str() {
            Some(t) if t.trim().is_empty() => Ok(None),
            Some(t) => Ok(Some(ResultValue::Text(t.to_string()))),
            None => Err("valueString is not a string".into()),
        };
    }
    if let Some(k) = node.as_object().and_then(|m| m.keys().find(|k| k.starts_with("value"))) {
        return Err(format!(
            "{k} is not a value type of the eCheckup IG (valueQuantity, valueCodeableConcept, valueString)"
        ));
    }
    Err("no value".into())
}

/// The value as the source wrote it (kept as the original).
fn raw_of(node: &Value) -> String {
    node.get("valueQuantity")
        .map(|q| {
            format!(
                "{}{} {}",
                s(q, "comparator").unwrap_or(""),
                q.get("value").map(|v| v.to_string()).unwrap_or_default(),
                s(q, "unit").or(s(q, "code")).unwrap_or("")
            )
        })
        .or_else(|| {
            node.get("valueCodeableConcept")
                .and_then(|v| arr(v, "coding").first())
                .map(|c| format!("{}|{}", s(c, "system").unwrap_or(""), s(c, "code").unwrap_or("")))
        })
        .or_else(|| s(node, "valueString").map(str::to_string))
        .unwrap_or_default()
}

/// A coding's text for the details (`display`, else `system|code`).
fn coding_text(v: &Value) -> Option<String> {
    let c = arr(v, "coding").first()?;
    s(c, "display").map(str::to_string).or_else(|| Some(format!("{}|{}", s(c, "system")?, s(c, "code")?)))
}

/// A reference range as text (`80–130 mmHg`, `≥ 40 mg/dL`).
fn range_text(node: &Value) -> Option<String> {
    let q = |k: &str| {
        node.get(k).map(|q| {
            let unit = s(q, "unit").or(s(q, "code")).unwrap_or("");
            (q.get("value").map(|v| v.to_string()).unwrap_or_default(), unit.to_string())
        })
    };
    let text = s(node, "text").map(str::to_string);
    match (q("low"), q("high")) {
        (Some((l, u)), Some((h, _))) => Some(format!("{l}–{h} {u}").trim().to_string()),
        (Some((l, u)), None) => Some(format!("≥ {l} {u}").trim().to_string()),
        (None, Some((h, u))) => Some(format!("≤ {h} {u}").trim().to_string()),
        (None, None) => text,
    }
}

/// The details of an Observation (or a component) kept beside its datum: reference range,
/// method, specimen, notes, performer.
fn item_details(o: &Value, by_url: &BTreeMap<String, &Value>, code: &str) -> Option<Value> {
    let mut d = serde_json::Map::new();
    let ranges: Vec<String> = arr(o, "referenceRange").iter().filter_map(range_text).collect();
    if !ranges.is_empty() {
        d.insert("reference_range".into(), json!(ranges.join("; ")));
    }
    if let Some(m) = o.get("method").and_then(coding_text) {
        d.insert("method".into(), json!(m));
    }
    if let Some(sp) = o.get("specimen").and_then(|sp| s(sp, "display").or(s(sp, "reference"))) {
        d.insert("specimen".into(), json!(sp));
    }
    let notes: Vec<&str> = arr(o, "note").iter().filter_map(|n| s(n, "text")).collect();
    if !notes.is_empty() {
        d.insert("note".into(), json!(notes.join("\n")));
    }
    let performers: Vec<String> = arr(o, "performer")
        .iter()
        .filter_map(|p| s(p, "reference"))
        .chain(
            arr(o, "extension")
                .iter()
                .filter(|e| s(e, "url").is_some_and(|u| u.ends_with("observation-component-performer")))
                .filter_map(|e| e.get("valueReference").and_then(|r| s(r, "reference"))),
        )
        .map(|r| by_url.get(r).and_then(|p| person_name(p)).unwrap_or_else(|| r.to_string()))
        .collect();
    if !performers.is_empty() {
        d.insert("performer".into(), json!(performers.join("、")));
    }
    if d.is_empty() {
        return None;
    }
    d.insert("code".into(), json!(code));
    Some(Value::Object(d))
}

/// The kanji name (IDE, else the first) of a Patient or Practitioner.
fn person_name(r: &Value) -> Option<String> {
    let names = arr(r, "name");
    let n =
        names.iter().find(|n| arr(n, "extension").iter().any(|e| s(e, "valueCode") == Some("IDE"))).or(names.first())?;
    s(n, "text").map(str::to_string).or_else(|| {
        let given = arr(n, "given").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" ");
        Some(format!("{} {given}", s(n, "family").unwrap_or("")).trim().to_string())
    })
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
    let scales = scales::read(bytes);
    let entries = arr(&doc, "entry");
    let by_url: BTreeMap<String, &Value> =
        entries.iter().filter_map(|e| Some((s(e, "fullUrl")?.to_string(), e.get("resource")?))).collect();
    let resources = || entries.iter().filter_map(|e| e.get("resource"));
    let patient = resources()
        .find(|r| s(r, "resourceType") == Some("Patient"))
        .ok_or_else(|| FhirFileError::Shape("the Bundle has no Patient".into()))?;
    let who = identity(&by_url, patient);
    let composition = resources().find(|r| s(r, "resourceType") == Some("Composition"));
    // Category 10 of the 報告区分 (eCheckup IG: urn:oid:2.16.840.1.113883.2.2.1.6.1001, also
    // written 1.2.392.200119.6.1001) is 特定健診情報; other reports are kept as employer checkups (定期).
    let kind = match composition
        .and_then(|c| arr(c, "category").first())
        .and_then(|c| arr(c, "coding").first())
        .and_then(|c| s(c, "code"))
    {
        Some("10") => CheckupKind::Tokutei,
        _ => CheckupKind::Periodic,
    };
    let encounter_date = resources()
        .find(|r| s(r, "resourceType") == Some("Encounter"))
        .and_then(|r| r.get("period"))
        .and_then(|p| date_of(s(p, "start")));
    let is_insurer = |r: &&Value| {
        arr(r, "identifier").iter().any(|i| s(i, "system").is_some_and(is_insurer_system))
            || arr(r, "type").iter().flat_map(|t| arr(t, "coding")).any(|c| s(c, "code") == Some("ins"))
    };
    let institution_org = resources().filter(|r| s(r, "resourceType") == Some("Organization")).find(|r| !is_insurer(r));
    let institution = institution_org.and_then(|r| s(r, "name")).map(str::to_string);
    let institution_number = institution_org
        .and_then(|r| arr(r, "identifier").iter().find(|i| s(i, "system") == Some(INSTITUTION_NO_SYSTEM)))
        .and_then(|i| s(i, "value"))
        .map(str::to_string);
    let physician = resources().find(|r| s(r, "resourceType") == Some("Practitioner")).and_then(person_name);
    let mut out = ParsedRecords::of(vec![], 0);
    // Every element of every resource is read, structure, or deliberately not kept; anything
    // else is said.
    for (i, r) in resources().enumerate() {
        let line = (i + 1) as u64;
        let rt = s(r, "resourceType").unwrap_or("");
        let field = format!("{rt}/{}", s(r, "id").unwrap_or(""));
        if !ELEMENTS.iter().any(|(t, _, _)| *t == rt) {
            out.warnings.push(RowError {
                line,
                field,
                reason: format!("a {rt} resource is not read by the eCheckup reader"),
            });
            continue;
        }
        for k in r.as_object().map(|m| m.keys()).into_iter().flatten() {
            if disposition(rt, k).is_none() {
                out.warnings.push(RowError { line, field: field.clone(), reason: format!("element {k} is not read") });
            }
        }
    }
    for k in doc.as_object().map(|m| m.keys()).into_iter().flatten() {
        if disposition("Bundle", k).is_none() {
            out.warnings.push(RowError { line: 0, field: "Bundle".into(), reason: format!("element {k} is not read") });
        }
    }
    let mut by_date: BTreeMap<NaiveDate, Vec<ItemResult>> = BTreeMap::new();
    let mut details: BTreeMap<NaiveDate, Vec<Value>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let Some(o) = e.get("resource").filter(|r| s(r, "resourceType") == Some("Observation")) else { continue };
        out.rows_read += 1;
        let line = (i + 1) as u64;
        let rid = s(o, "id").unwrap_or("").to_string();
        let err = |reason: String| RowError { line, field: format!("Observation/{rid}"), reason };
        if s(o, "status") == Some("entered-in-error") {
            out.warnings.push(err("status entered-in-error: not imported".into()));
            continue;
        }
        let has_value = o
            .as_object()
            .is_some_and(|m| m.keys().any(|k| k.starts_with("value")) || m.contains_key("dataAbsentReason"));
        let group = !has_value && !arr(o, "hasMember").is_empty();
        let Some(date) = date_of(s(o, "effectiveDateTime")).or(encounter_date) else {
            out.errors.push(err("no effectiveDateTime and no Encounter date".into()));
            continue;
        };
        let (scale, component_scales) = scales.get(i).cloned().unwrap_or_default();
        if group {
            // A group carries no datum, but its notes and performer are kept with its code.
            let code = arr(o.get("code").unwrap_or(&Value::Null), "coding").first().and_then(|c| s(c, "code"));
            if let Some(d) = item_details(o, &by_url, code.unwrap_or("")) {
                details.entry(date).or_default().push(d);
            }
        }
        // The Observation itself (a group without a value: its members are Observations of
        // their own), then each component as a datum of its own item.
        let own = (!group).then_some((o, format!("Observation/{rid}"), scale, false));
        let components = arr(o, "component").iter().enumerate().map(|(k, c)| {
            (c, format!("Observation/{rid}.component[{k}]"), component_scales.get(k).copied().flatten(), true)
        });
        for (node, column, scale, component) in own.into_iter().chain(components) {
            let field_err = |reason: String| RowError { line, field: column.clone(), reason };
            for k in node.as_object().map(|m| m.keys()).into_iter().flatten() {
                if component && !COMPONENT_ELEMENTS.contains(&k.as_str()) {
                    out.warnings.push(field_err(format!("element {k} of the component is not read")));
                }
            }
            let coding = arr(node.get("code").unwrap_or(&Value::Null), "coding");
            let Some(c) = coding.iter().find(|c| s(c, "system") == Some(JLAC10_SYSTEM)).or(coding.first()) else {
                out.errors.push(field_err("no code".into()));
                continue;
            };
            let code = s(c, "code").unwrap_or("").to_string();
            let display = s(c, "display").unwrap_or("").to_string();
            let raw = raw_of(node);
            let def = if s(c, "system") == Some(JLAC10_SYSTEM) { table.by_jlac10(&code) } else { None };
            let Some(def) = def else {
                if raw.trim().is_empty() && node.get("dataAbsentReason").is_none() {
                    // No datum to hold.
                    continue;
                }
                out.unmapped.push(Unmapped {
                    line,
                    identity: who.clone(),
                    date: Some(date),
                    source_code: code,
                    source_text: display,
                    raw,
                    unit: node.get("valueQuantity").and_then(|q| s(q, "unit").or(s(q, "code"))).map(str::to_string),
                });
                continue;
            };
            match value_of(node, def, table, units, scale) {
                Ok(Some(value)) => {
                    if let Some(d) = item_details(node, &by_url, &code) {
                        details.entry(date).or_default().push(d);
                    }
                    by_date.entry(date).or_default().push(ItemResult {
                        line,
                        column: column.as_str().into(),
                        item: def.item,
                        source_code: code.into(),
                        source_text: display.into(),
                        raw,
                        source_unit: node.get("valueQuantity").and_then(|q| s(q, "unit")).map(Into::into),
                        value,
                        warning: None,
                    })
                }
                Ok(None) => {}
                Err(reason) => out.errors.push(field_err(reason)),
            }
        }
    }
    let program =
        composition.and_then(|c| arr(c, "event").first()).and_then(|e| arr(e, "code").first().and_then(coding_text));
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
                "institution_number": institution_number,
                "physician": physician,
                "document": composition.and_then(|c| c.get("identifier")).and_then(|i| s(i, "value")),
                "bundle": doc.get("identifier").and_then(|i| s(i, "value")),
                "bundle_timestamp": s(&doc, "timestamp"),
                "report_date": composition.and_then(|c| s(c, "date")),
                "report_title": composition.and_then(|c| s(c, "title")),
                "program": program,
                "items": details.remove(&date).unwrap_or_default(),
                "format": "eCheckup FHIR",
            }),
            results,
        });
    }
    Ok(out)
}
