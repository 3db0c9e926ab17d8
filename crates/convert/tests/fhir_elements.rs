//! Issue 11.4: every element of the eCheckup IG's example Bundles is accounted for — read into
//! the record (and found there), structure, or deliberately not kept with the reason — by the
//! table the reader itself uses to warn about elements it does not know.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use iphr_convert::checkup_csv::ResultValue;
use iphr_convert::fhir::{COMPONENT_ELEMENTS, Disposition, ELEMENTS, disposition, parse};
use iphr_convert::units::UnitTable;
use iphr_domain::ohcc::ItemTable;
use serde_json::Value;
use std::path::PathBuf;

const BUNDLES: [&str; 3] = [
    "Bundle-Bundle-eCheckupReport-Sample-01.json",
    "Bundle-Bundle-eCheckupReport-Sample-01-with-VersionOfProfile.json",
    "Bundle-Bundle-eCheckupReport-Sample-02-GroupItems.json",
];

fn bundle(name: &str) -> (Vec<u8>, Value) {
    let bytes =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fhir").join(name)).unwrap();
    let v = serde_json::from_slice(&bytes).unwrap();
    (bytes, v)
}

/// Every leaf of `v` as a dotted path under `prefix`.
fn leaves(prefix: &str, v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| leaves(&format!("{prefix}.{k}"), x, out)),
        Value::Array(a) => a.iter().for_each(|x| leaves(prefix, x, out)),
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn every_element_of_the_ig_examples_is_accounted_for() {
    for name in BUNDLES {
        let (_, doc) = bundle(name);
        let mut paths = Vec::new();
        for (k, v) in doc.as_object().unwrap() {
            if k != "entry" {
                leaves(&format!("Bundle.{k}"), v, &mut paths);
            }
        }
        for e in doc["entry"].as_array().unwrap() {
            for (k, _) in e.as_object().unwrap() {
                assert!(["fullUrl", "resource"].contains(&k.as_str()), "{name}: entry.{k}");
            }
            let r = &e["resource"];
            leaves(r["resourceType"].as_str().unwrap(), r, &mut paths);
            for c in r["component"].as_array().into_iter().flatten() {
                for k in c.as_object().unwrap().keys() {
                    assert!(COMPONENT_ELEMENTS.contains(&k.as_str()), "{name}: Observation.component.{k}");
                }
            }
        }
        assert!(paths.len() > 600, "{name}: {} leaves", paths.len());
        for p in &paths {
            let mut parts = p.split('.');
            let (rt, el) = (parts.next().unwrap(), parts.next().unwrap());
            assert!(disposition(rt, el).is_some(), "{name}: {p} is not in the reader's table");
        }
    }
    // Every disposition says something.
    for (rt, el, d) in ELEMENTS {
        match d {
            Disposition::Read(t) | Disposition::NotKept(t) => assert!(!t.is_empty(), "{rt}.{el}"),
            Disposition::Structure => {}
        }
    }
}

#[test]
fn what_the_table_says_is_read_is_in_the_record() {
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    for name in BUNDLES {
        let (bytes, doc) = bundle(name);
        let parsed = parse(&bytes, t, u).unwrap();
        assert!(parsed.warnings.is_empty(), "{name}: {:?}", parsed.warnings);
        assert!(
            parsed.errors.is_empty() && parsed.unmapped.is_empty(),
            "{name}: {:?} {:?}",
            parsed.errors,
            parsed.unmapped
        );
        let observations: Vec<&Value> = doc["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .filter(|r| r["resourceType"] == "Observation")
            .collect();
        // Each Observation with a value and each component is a datum; a group without a value
        // is none.
        let values =
            observations.iter().filter(|o| o.as_object().unwrap().keys().any(|k| k.starts_with("value"))).count();
        let components: usize = observations.iter().map(|o| o["component"].as_array().map_or(0, Vec::len)).sum();
        let results: Vec<_> = parsed.records.iter().flat_map(|r| &r.results).collect();
        assert_eq!(results.len(), values + components, "{name}");
        // The details beside the data: reference ranges, methods, specimens, notes, performers.
        let details: Vec<&Value> = parsed.records.iter().flat_map(|r| r.detail["items"].as_array().unwrap()).collect();
        let count = |key: &str| details.iter().filter(|d| d.get(key).is_some()).count();
        let has = |key: &str| observations.iter().filter(|o| o.get(key).is_some()).count();
        assert_eq!(count("reference_range"), has("referenceRange"), "{name}");
        assert_eq!(count("method"), has("method"), "{name}");
        assert_eq!(count("specimen"), has("specimen"), "{name}");
        assert_eq!(count("note"), has("note"), "{name}");
        assert!(count("performer") >= has("performer"), "{name}");
        let sbp = details.iter().find(|d| d["code"] == "9A751000000000001").unwrap();
        assert_eq!(sbp["reference_range"], "80–130 mmHg");
        let physician = parsed.records[0].detail["physician"].as_str().unwrap();
        assert_eq!(physician, "東京 太郎", "{name}");
        let performer = details.iter().find_map(|d| d.get("performer")).unwrap();
        assert_eq!(performer, "東京 太郎");
        // Issue 11.5: the decimals as written: 身長 162.3, HbA1c 7 (no decimals written).
        let num = |item: &str| results.iter().find(|r| r.item.as_str() == item).map(|r| r.value.clone()).unwrap();
        assert!(matches!(num("Ac0010000Z"), ResultValue::Number { value, scale: Some(1), .. } if value == 162.3));
        let record =
            &parsed.records.iter().find(|r| r.detail["items"].as_array().is_some_and(|a| !a.is_empty())).unwrap();
        assert_eq!(record.detail["document"], doc["entry"][0]["resource"]["identifier"]["value"], "{name}");
        assert_eq!(record.detail["institution_number"], "1311234567", "{name}");
    }
}

/// An element the reader does not know is said, never dropped without a word.
#[test]
fn unknown_elements_are_warnings() {
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    let (_, mut doc) = bundle(BUNDLES[0]);
    let entries = doc["entry"].as_array_mut().unwrap();
    let i = entries.iter().position(|e| e["resource"]["resourceType"] == "Observation").unwrap();
    entries[i]["resource"]["bodySite"] = serde_json::json!({ "text": "左腕" });
    entries
        .push(serde_json::json!({ "fullUrl": "urn:uuid:x", "resource": { "resourceType": "Specimen", "id": "s1" } }));
    let bytes = serde_json::to_vec(&doc).unwrap();
    let parsed = parse(&bytes, t, u).unwrap();
    let w: Vec<String> = parsed.warnings.iter().map(|w| format!("{} {}: {}", w.line, w.field, w.reason)).collect();
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].ends_with("element bodySite is not read"), "{w:?}");
    assert!(w[1].contains("Specimen/s1: a Specimen resource is not read"), "{w:?}");
}

/// Issue 11.3: a blank text is no datum in every reader (an empty FHIR valueString, an empty
/// CDA ST), and no export writes one (`valueString: ""` is invalid FHIR).
#[test]
fn blank_texts_are_absent_in_and_out() {
    use iphr_domain::observation::{Observation, Provenance, Value};
    let t = ItemTable::embedded().unwrap();
    let u = UnitTable::embedded().unwrap();
    let (_, mut doc) = bundle(BUNDLES[0]);
    let entries = doc["entry"].as_array_mut().unwrap();
    let i = entries.iter().position(|e| e["resource"]["valueString"].is_string()).unwrap();
    let code = entries[i]["resource"]["code"]["coding"][0]["code"].as_str().unwrap().to_string();
    entries[i]["resource"]["valueString"] = serde_json::json!("");
    let parsed = parse(&serde_json::to_vec(&doc).unwrap(), t, u).unwrap();
    let all: Vec<_> = parsed.records.iter().flat_map(|r| &r.results).collect();
    assert!(!all.iter().any(|r| &*r.source_code == code.as_str()), "a blank valueString is no datum");
    assert!(parsed.errors.is_empty() && parsed.unmapped.is_empty());

    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/cda/example-tokuteikenshin.xml");
    let xml = std::fs::read_to_string(path).unwrap().replace(">洞性徐脈<", "><");
    let cda = iphr_convert::cda::parse(xml.as_bytes(), t, u).unwrap();
    let texts: Vec<&ResultValue> = cda
        .records
        .iter()
        .flat_map(|r| &r.results)
        .map(|r| &r.value)
        .filter(|v| matches!(v, ResultValue::Text(_)))
        .collect();
    assert!(!texts.iter().any(|v| **v == ResultValue::Text(String::new())), "{texts:?}");
    assert!(texts.iter().any(|v| **v == ResultValue::Text("血圧が基準値以上".into())));

    // A blank text stored before (from an older import) is left out of CDA and FHIR, said so.
    let m = iphr_convert::mhlw::MhlwTable::embedded(t).unwrap();
    let o = Observation {
        company_id: iphr_domain::CompanyId::new(),
        id: iphr_domain::ObservationId::new(),
        event_id: iphr_domain::EventId::new(),
        person_id: iphr_domain::PersonId::new(),
        employment_id: None,
        item: iphr_domain::ohcc::ItemCode::parse("Az0020000Z").unwrap(),
        atr: iphr_domain::ohcc::DataAtr::parse("Tk1").unwrap(),
        value: Value::Text { text: " ".into() },
        qualifier: Default::default(),
        info_class: iphr_domain::info_class::InfoClass::Class2,
        event_date: chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap(),
        provenance: Provenance::default(),
    };
    let (entries, skipped) = iphr_convert::mhlw::entries(t, &m, u, &[&o], true);
    assert!(entries.is_empty());
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].reason, iphr_convert::mhlw::SkipReason::Blank);
}
