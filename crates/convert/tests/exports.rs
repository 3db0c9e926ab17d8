//! CDA and FHIR exports of a realistic checkup (numeric, coded, ordinal, text, not-done,
//! not-measured and beyond-range data, an item without a code, a comparator, a second datum of
//! one item): the elements written, the round trip through the importers (`cda::parse`,
//! `cda::parse_archive`, `fhir::parse`), and validation of the CDA against the official MHLW
//! schema with xmllint (skipped when xmllint is missing, unless IPHR_REQUIRE_XMLLINT=1).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::NaiveDate;
use iphr_convert::cda_export::{self, Checkup};
use iphr_convert::checkup_csv::ResultValue;
use iphr_convert::export::Who;
use iphr_convert::fhir_export;
use iphr_convert::mhlw::{MhlwTable, SkipReason};
use iphr_convert::units::UnitTable;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Comparator, Observation, Provenance, Qualifier, RangeFlag, Value};
use iphr_domain::ohcc::{DataAtr, DataKind, ItemCode, ItemTable, Producer};
use iphr_domain::{CompanyId, EventId, ObservationId, PersonId};
use std::path::PathBuf;

struct Fixture {
    who: Who,
    event: Event,
    observations: Vec<Observation>,
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 15).unwrap()
}

fn obs(event: &Event, item: &str, value: Value, qualifier: Qualifier, producer: Producer) -> Observation {
    Observation {
        company_id: event.company_id,
        id: ObservationId::new(),
        event_id: event.id,
        person_id: event.person_id.unwrap(),
        employment_id: None,
        item: ItemCode::parse(item).unwrap(),
        atr: DataAtr { kind: DataKind::Measured, producer, seq: 1 },
        value,
        qualifier,
        info_class: InfoClass::Class2,
        event_date: event.event_date,
        provenance: Provenance::default(),
    }
}

/// A 定期健康診断 with the kinds of data a real one holds.
fn fixture() -> Fixture {
    let event = Event {
        company_id: CompanyId::new(),
        id: EventId::new(),
        person_id: Some(PersonId::new()),
        employment_id: None,
        department_id: None,
        kind: EventKind::Checkup,
        subkind: Some("periodic".into()),
        event_date: date(),
        title: "定期健康診断".into(),
        content_class: InfoClass::Class2,
        producer: Producer::Institution,
        detail: serde_json::json!({ "institution": "例示健診センター" }),
        source_doc: None,
    };
    let n = |value: f64, unit: &str| Value::Number { value, unit: unit.into() };
    let c = |code: &str| Value::Coded { code: code.into() };
    let q = Qualifier::default();
    let high = Qualifier { flag: Some(RangeFlag::High), ..Qualifier::default() };
    let i = Producer::Institution;
    let mut observations = vec![
        obs(&event, "Ac0010000Z", n(170.2, "cm"), q, i),
        // Written "68.0": FHIR keeps the decimal as significant (issue 11.5).
        obs(&event, "Ac0020000Z", n(68.0, "kg"), Qualifier { scale: Some(1), ..q }, i),
        obs(&event, "Af0010001A", n(142.0, "mmHg"), high, i),
        obs(&event, "Ag0020000Z", n(452.0, "10*4/uL"), q, i),
        obs(&event, "Am0010000Z", n(0.885, "mg/dL"), q, i),
        obs(&event, "Ad0010001R", n(1.2, ""), q, i),
        obs(&event, "Ai0010000Z", Value::NotDone, q, i),
        obs(&event, "Aj0030000Z", Value::NotMeasured, q, i),
        obs(&event, "Ah0030000Z", Value::BeyondRange, high, i),
        obs(&event, "Ak0010000Z", c("trace"), q, i),
        obs(&event, "Aa0020000Z", c("present"), q, i),
        obs(&event, "Aa0070000Z", c("no"), q, i),
        obs(&event, "Az0020000Z", Value::Text { text: "血圧高値。<再検査> & 生活指導".into() }, q, i),
        // No MHLW code: 総合判定 (診断区分).
        obs(&event, "Az0010000Z", c("B"), q, i),
        // A comparator: FHIR only.
        obs(
            &event,
            "Am0030000Z",
            n(2.0, "mg/dL"),
            Qualifier { comparator: Some(Comparator::Lt), flag: Some(RangeFlag::Low), scale: None },
            i,
        ),
        // A second blood pressure of the same item, measured by the worker.
        obs(&event, "Af0010001A", n(128.0, "mmHg"), q, Producer::Worker),
    ];
    // LDL measured by another method: the source code is kept.
    observations[6].provenance.source_code = Some("3F077000002327201".into());
    let who = Who {
        employee_number: "A000123".into(),
        name: "健診 太郎".into(),
        kana: "ケンシン タロウ".into(),
        birth_date: NaiveDate::from_ymd_opt(1970, 4, 1).unwrap(),
        sex: "male".into(),
        insurer: iphr_domain::person::InsurerIds {
            insurer_number: Some("06139999".into()),
            symbol: Some("１２３".into()),
            number: Some("456".into()),
        },
    };
    Fixture { who, event, observations }
}

fn tables() -> (&'static ItemTable, MhlwTable, &'static UnitTable) {
    let t = ItemTable::embedded().unwrap();
    let m = MhlwTable::embedded(t).unwrap();
    (t, m, UnitTable::embedded().unwrap())
}

fn checkup(f: &Fixture) -> Checkup<'_> {
    Checkup { event: &f.event, observations: f.observations.iter().collect() }
}

fn issued() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 20).unwrap()
}

/// What the importer must read back: every datum but those skipped, as (item, value).
fn expected(f: &Fixture, skip_comparator: bool) -> Vec<(String, ResultValue)> {
    let mut out: Vec<(String, ResultValue)> = f
        .observations
        .iter()
        .filter(|o| o.atr.producer == Producer::Institution && o.item.as_str() != "Az0010000Z")
        .filter(|o| !(skip_comparator && o.qualifier.comparator.is_some()))
        .map(|o| {
            let v = match &o.value {
                Value::Number { value, unit } => ResultValue::Number {
                    value: *value,
                    unit: unit.as_str().into(),
                    comparator: o.qualifier.comparator,
                    flag: o.qualifier.flag,
                    scale: None,
                },
                Value::Coded { code } => ResultValue::Code(code.clone()),
                Value::Text { text } => ResultValue::Text(text.clone()),
                Value::NotDone => ResultValue::NotDone,
                Value::NotMeasured => ResultValue::NotMeasured,
                Value::BeyondRange => ResultValue::FlagOnly(o.qualifier.flag.unwrap()),
                Value::Document { .. } => unreachable!(),
            };
            (o.item.to_string(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn read_back(records: &iphr_convert::records::ParsedRecords) -> Vec<(String, ResultValue)> {
    // The scale a document writes is its own format's (asserted apart): compared without it.
    let unscaled = |v: &ResultValue| match v {
        ResultValue::Number { value, unit, comparator, flag, .. } => {
            ResultValue::Number { value: *value, unit: unit.clone(), comparator: *comparator, flag: *flag, scale: None }
        }
        v => v.clone(),
    };
    let mut out: Vec<(String, ResultValue)> =
        records.records.iter().flat_map(|r| &r.results).map(|r| (r.item.to_string(), unscaled(&r.value))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn cda_document_elements() {
    let (t, m, u) = tables();
    let f = fixture();
    let (doc, skipped) = cda_export::document(t, &m, u, &f.who, &checkup(&f), issued());
    let x = roxmltree::Document::parse(&doc.xml).unwrap();
    let root = x.root_element();
    assert_eq!(root.tag_name().namespace(), Some("urn:hl7-org:v3"));
    let el = |name: &str| root.descendants().find(|n| n.has_tag_name(name)).unwrap();
    // 報告区分 41 (事業者健診), program 030, dates.
    assert_eq!(el("code").attribute("code"), Some("41"));
    assert_eq!(el("effectiveTime").attribute("value"), Some("20240620"));
    let service = el("serviceEvent");
    let sc = service.children().find(|n| n.has_tag_name("code")).unwrap();
    assert_eq!(sc.attribute("code"), Some("030"));
    let st = service.children().find(|n| n.has_tag_name("effectiveTime")).unwrap();
    assert_eq!(st.attribute("value"), Some("20240615"));
    assert_eq!(el("patient").children().find(|n| n.has_tag_name("name")).unwrap().text(), Some("ケンシンタロウ"));
    assert_eq!(el("administrativeGenderCode").attribute("code"), Some("1"));
    assert_eq!(el("birthTime").attribute("value"), Some("19700401"));
    let observation = |code: &str| {
        root.descendants()
            .filter(|n| n.has_tag_name("observation"))
            .find(|o| o.children().any(|c| c.has_tag_name("code") && c.attribute("code") == Some(code)))
            .unwrap_or_else(|| panic!("no observation {code}"))
    };
    let value = |code: &str| observation(code).children().find(|n| n.has_tag_name("value")).unwrap();
    let xsi = ("http://www.w3.org/2001/XMLSchema-instance", "type");
    // PQ with the format's decimals and the XML unit; H as interpretationCode; methodCode.
    let h = value("9N001000000000001");
    assert_eq!((h.attribute(xsi), h.attribute("value"), h.attribute("unit")), (Some("PQ"), Some("170.2"), Some("cm")));
    assert_eq!(value("9N006000000000001").attribute("value"), Some("68.0"));
    let sbp = observation("9A751000000000001");
    assert_eq!(value("9A751000000000001").attribute("unit"), Some("mm[Hg]"));
    assert_eq!(sbp.children().find(|n| n.has_tag_name("interpretationCode")).unwrap().attribute("code"), Some("H"));
    assert_eq!(sbp.children().find(|n| n.has_tag_name("methodCode")).unwrap().attribute("code"), Some("9A75100000"));
    assert_eq!(value("2A020000001930101").attribute("unit"), Some("10*4/mm3"));
    // More digits than the format rather than a rounded value.
    assert_eq!(value("3C015000002327101").attribute("value"), Some("0.885"));
    assert_eq!(value("9E160162100000001").attribute("unit"), None);
    // 未実施 keeps the source's method variant.
    let ldl = observation("3F077000002327201");
    assert_eq!(ldl.attribute("negationInd"), Some("true"));
    assert!(!ldl.children().any(|n| n.has_tag_name("value")));
    let hba1c = value("3D046000001906202");
    assert_eq!((hba1c.attribute(xsi), hba1c.attribute("nullFlavor")), (Some("PQ"), Some("NI")));
    let ggt = value("3B090000002327101");
    assert_eq!((ggt.attribute("code"), ggt.attribute("codeSystem")), (Some("H"), Some("2.16.840.1.113883.5.83")));
    // CO / CD with the value set's codes.
    let protein = value("1A010000000191111");
    assert_eq!(
        (protein.attribute(xsi), protein.attribute("code"), protein.attribute("codeSystem")),
        (Some("CO"), Some("2"), Some("1.2.392.200119.6.2102"))
    );
    assert_eq!(value("9N056000000000011").attribute("code"), Some("1"));
    let smoking = value("9N736000000000011");
    assert_eq!(
        (smoking.attribute("code"), smoking.attribute("codeSystem")),
        (Some("3"), Some("1.2.392.200119.6.24060"))
    );
    assert_eq!(value("9N511000000000049").text(), Some("血圧高値。<再検査> & 生活指導"));
    // Sections: 特定健診 items in 01010, others in 01990.
    let section_of = |code: &str| {
        observation(code)
            .ancestors()
            .find(|n| n.has_tag_name("section"))
            .and_then(|s| s.children().find(|c| c.has_tag_name("code")))
            .and_then(|c| c.attribute("code"))
    };
    assert_eq!(section_of("9N001000000000001"), Some("01010"));
    assert_eq!(section_of("9E160162100000001"), Some("01990"));
    // Left out: the code-less 総合判定, the comparator, the worker's second blood pressure.
    let reasons: Vec<(&str, &SkipReason)> = skipped.iter().map(|s| (s.item.as_str(), &s.reason)).collect();
    assert_eq!(skipped.len(), 3, "{skipped:?}");
    assert!(reasons.contains(&("Az0010000Z", &SkipReason::NoCode)), "{reasons:?}");
    assert!(reasons.iter().any(|(i, r)| *i == "Am0030000Z" && matches!(r, SkipReason::Comparator(_))));
    assert!(reasons.iter().any(|(i, r)| *i == "Af0010001A" && matches!(r, SkipReason::Duplicate(_))));
    assert_eq!(doc.data, 13);
}

#[test]
fn cda_round_trip_gives_the_same_items_values_units_and_date() {
    let (t, m, u) = tables();
    let f = fixture();
    let (doc, _) = cda_export::document(t, &m, u, &f.who, &checkup(&f), issued());
    let back = iphr_convert::cda::parse(doc.xml.as_bytes(), t, u).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    assert_eq!(back.records.len(), 1);
    let r = &back.records[0];
    assert_eq!(r.date, date());
    assert_eq!(r.subkind.as_deref(), Some("periodic"));
    assert_eq!(r.identity.kana.as_deref(), Some("ケンシンタロウ"));
    assert_eq!(r.identity.birth_date, Some(f.who.birth_date));
    assert_eq!(r.detail["institution"], "例示健診センター");
    assert_eq!(read_back(&back), expected(&f, true));
}

#[test]
fn cda_archive_round_trip_and_index() {
    let (t, m, u) = tables();
    let f = fixture();
    let mut later = fixture();
    later.event.event_date = NaiveDate::from_ymd_opt(2025, 6, 14).unwrap();
    for o in &mut later.observations {
        o.event_date = later.event.event_date;
    }
    let docs: Vec<_> =
        [&f, &later].iter().map(|x| cda_export::document(t, &m, u, &x.who, &checkup(x), issued()).0).collect();
    let zip = cda_export::archive(&docs, issued()).unwrap();
    let back = iphr_convert::cda::parse_archive(&zip, t, u).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    let dates: Vec<NaiveDate> = back.records.iter().map(|r| r.date).collect();
    assert_eq!(dates, vec![date(), later.event.event_date]);
    assert_eq!(back.records[1].results.len(), 13);
    assert!(cda_export::archive(&[], issued()).is_err());
    // The index and summary validate against ix08/su08.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().into_owned()).collect();
    assert!(names.iter().any(|n| n.ends_with("/DATA/h66311111162024062000000002.xml")), "{names:?}");
    for (file, schema) in [("ix08_V08.xml", "ix08_V08.xsd"), ("su08_V08.xml", "su08_V08.xsd")] {
        let name = names.iter().find(|n| n.ends_with(file)).unwrap().clone();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut z.by_name(&name).unwrap(), &mut text).unwrap();
        if file.starts_with("ix") {
            assert!(text.contains("<totalRecordCount value=\"2\"/>"), "{text}");
        }
        xmllint(schema, &text);
    }
}

fn xsd_dir() -> PathBuf {
    // The official MHLW schemas, copied into the repository (schemas/mhlw).
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas/mhlw")
}

/// Validates `xml` against an MHLW schema with xmllint; skipped (and said so) when xmllint is
/// not installed, unless IPHR_REQUIRE_XMLLINT=1.
fn xmllint(schema: &str, xml: &str) {
    let required = std::env::var("IPHR_REQUIRE_XMLLINT").is_ok_and(|v| v == "1");
    let have = std::process::Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(!required, "xmllint is not installed and IPHR_REQUIRE_XMLLINT=1");
        eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils); schema {schema} not checked");
        return;
    }
    let xsd = xsd_dir().join(schema);
    assert!(xsd.exists(), "the MHLW schema {} is missing", xsd.display());
    let dir = std::env::temp_dir().join(format!("iphr-xmllint-{}-{}", std::process::id(), uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doc.xml");
    std::fs::write(&file, xml).unwrap();
    let out =
        std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(&xsd).arg(&file).output().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "{schema}: {}\n{}\n{xml}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn cda_validates_against_the_mhlw_schema() {
    let (t, m, u) = tables();
    let f = fixture();
    let (doc, _) = cda_export::document(t, &m, u, &f.who, &checkup(&f), issued());
    xmllint("hc08_V08.xsd", &doc.xml);
    // A 特定健診 without any exportable datum still validates (an empty section).
    let mut bare = fixture();
    bare.event.subkind = Some("tokutei".into());
    bare.observations.retain(|o| o.item.as_str() == "Az0010000Z");
    let (doc, skipped) = cda_export::document(t, &m, u, &bare.who, &checkup(&bare), issued());
    assert_eq!((doc.data, skipped.len(), doc.tokutei), (0, 1, true));
    assert!(doc.xml.contains("<code code=\"10\" codeSystem=\"1.2.392.200119.6.1001\"/>"));
    xmllint("hc08_V08.xsd", &doc.xml);
}

#[test]
fn fhir_bundle_elements() {
    let (t, m, u) = tables();
    let f = fixture();
    let (b, skipped) = fhir_export::bundle(t, &m, u, &f.who, &checkup(&f), issued());
    let j = &b.json;
    assert_eq!(j["resourceType"], "Bundle");
    assert_eq!(j["type"], "document");
    let entries = j["entry"].as_array().unwrap();
    assert_eq!(entries[0]["resource"]["resourceType"], "Composition", "a document starts with its Composition");
    let comp = &entries[0]["resource"];
    assert_eq!(comp["type"]["coding"][0]["code"], "53576-5");
    assert_eq!(comp["category"][0]["coding"][0]["code"], "41");
    // Issue 11.9: the 報告区分 system the IG's value set binds, and the IG's profiles.
    assert_eq!(comp["category"][0]["coding"][0]["system"], "urn:oid:2.16.840.1.113883.2.2.1.6.1001");
    assert_eq!(j["meta"]["profile"][0], fhir_export::profiles::BUNDLE);
    for e in entries {
        let r = &e["resource"];
        let want = match r["resourceType"].as_str().unwrap() {
            "Composition" => fhir_export::profiles::COMPOSITION,
            "Patient" => fhir_export::profiles::PATIENT,
            "Practitioner" => fhir_export::profiles::PRACTITIONER,
            "Organization" => fhir_export::profiles::ORGANIZATION,
            "Encounter" => fhir_export::profiles::ENCOUNTER,
            "Observation" => fhir_export::profiles::OBSERVATION,
            other => panic!("{other}"),
        };
        assert_eq!(r["meta"]["profile"][0], want, "{}", r["resourceType"]);
        assert_eq!(r["meta"]["lastUpdated"], "2024-06-20T00:00:00+09:00");
    }
    // The institution's 医療機関番号 is not in the fixture: the Bundle says what it cannot meet.
    assert_eq!(j["identifier"]["system"], "urn:ietf:rfc:3986");
    assert_eq!(b.unmet.len(), 1, "{:?}", b.unmet);
    // Numbers with the decimals they were written with (FHIR decimals are significant), else
    // as short as they read back; the text is JSON still.
    let text = b.to_text();
    assert!(text.contains("\"value\": 68.0\n"), "{text}");
    assert!(text.contains("\"value\": 170.2\n") && text.contains("\"value\": 142\n"), "{text}");
    assert!(!text.contains("\\u0001"));
    // The same JSON, numbers compared as numbers (142 and 142.0 are one decimal).
    fn floats(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Number(n) => serde_json::json!(n.as_f64()),
            serde_json::Value::Array(a) => a.iter().map(floats).collect(),
            serde_json::Value::Object(m) => m.iter().map(|(k, x)| (k.clone(), floats(x))).collect(),
            v => v.clone(),
        }
    }
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(floats(&back) == floats(&b.json), "to_text changed the JSON");
    assert!(b.unmet[0].starts_with("R2151/R2152 Bundle.identifier"), "{:?}", b.unmet);
    assert_eq!(comp["event"][0]["period"]["start"], "2024-06-15");
    let sections: Vec<&str> =
        comp["section"].as_array().unwrap().iter().map(|s| s["code"]["coding"][0]["code"].as_str().unwrap()).collect();
    assert_eq!(sections, vec!["01031", "01032"]);
    // Every reference resolves inside the Bundle.
    let urls: Vec<&str> = entries.iter().map(|e| e["fullUrl"].as_str().unwrap()).collect();
    for s in comp["section"].as_array().unwrap() {
        for r in s["entry"].as_array().unwrap() {
            assert!(urls.contains(&r["reference"].as_str().unwrap()));
        }
    }
    let patient = entries.iter().map(|e| &e["resource"]).find(|r| r["resourceType"] == "Patient").unwrap();
    assert_eq!(patient["gender"], "male");
    assert_eq!(patient["birthDate"], "1970-04-01");
    assert_eq!(patient["name"][1]["extension"][0]["valueCode"], "SYL");
    assert_eq!(patient["name"][1]["family"], "ケンシン");
    assert_eq!(patient["identifier"][0]["value"], "06139999:１２３:456:", "保険者番号:記号:番号:枝番 (R1013)");
    let obs = |code: &str| {
        entries
            .iter()
            .map(|e| &e["resource"])
            .find(|r| r["resourceType"] == "Observation" && r["code"]["coding"][0]["code"] == code)
            .unwrap_or_else(|| panic!("no Observation {code}"))
    };
    let sbp = obs("9A751000000000001");
    assert_eq!(sbp["code"]["coding"][0]["system"], "urn:oid:1.2.392.200119.6.1005");
    assert_eq!(sbp["valueQuantity"]["value"], 142.0);
    assert_eq!(sbp["valueQuantity"]["system"], "http://unitsofmeasure.org");
    assert_eq!(sbp["valueQuantity"]["code"], "mm[Hg]");
    assert_eq!(sbp["interpretation"][0]["coding"][0]["code"], "H");
    assert_eq!(sbp["effectiveDateTime"], "2024-06-15");
    let ua = obs("3C020000002327101");
    assert_eq!(ua["valueQuantity"]["comparator"], "<");
    assert_eq!(ua["interpretation"][0]["coding"][0]["code"], "L");
    let protein = obs("1A010000000191111");
    assert_eq!(protein["valueCodeableConcept"]["coding"][0]["system"], "urn:oid:1.2.392.200119.6.2102");
    assert_eq!(protein["valueCodeableConcept"]["coding"][0]["code"], "2");
    assert_eq!(protein["valueCodeableConcept"]["coding"][0]["extension"][0]["valueDecimal"], 2.0);
    assert_eq!(protein["category"][0]["coding"][0]["code"], "laboratory");
    let ldl = obs("3F077000002327201");
    assert_eq!(
        (ldl["status"].as_str(), ldl["dataAbsentReason"]["coding"][0]["code"].as_str()),
        (Some("cancelled"), Some("not-performed"))
    );
    assert_eq!(obs("3D046000001906202")["dataAbsentReason"]["coding"][0]["code"], "error");
    assert_eq!(obs("3B090000002327101")["interpretation"][0]["coding"][0]["code"], "HX");
    assert_eq!(obs("9N511000000000049")["valueString"], "血圧高値。<再検査> & 生活指導");
    assert_eq!(obs("9N736000000000011")["category"][0]["coding"][0]["code"], "survey");
    assert_eq!(skipped.len(), 2, "no code and the second datum: {skipped:?}");
    assert_eq!(b.data, 14);
}

#[test]
fn fhir_round_trip_gives_the_same_items_values_units_and_date() {
    let (t, m, u) = tables();
    let f = fixture();
    let (b, _) = fhir_export::bundle(t, &m, u, &f.who, &checkup(&f), issued());
    let bytes = serde_json::to_vec_pretty(&b.json).unwrap();
    let back = iphr_convert::fhir::parse(&bytes, t, u).unwrap();
    assert!(back.errors.is_empty(), "{:?}", back.errors);
    assert!(back.unmapped.is_empty(), "{:?}", back.unmapped);
    assert_eq!(back.records.len(), 1);
    let r = &back.records[0];
    assert_eq!(r.date, date());
    assert_eq!(r.identity.kana.as_deref(), Some("ケンシン タロウ"));
    assert_eq!(r.identity.family_name.as_deref(), Some("健診"));
    assert_eq!(r.detail["institution"], "例示健診センター");
    assert_eq!(read_back(&back), expected(&f, false));
}

#[test]
fn exports_are_deterministic() {
    let (t, m, u) = tables();
    let f = fixture();
    let a = cda_export::document(t, &m, u, &f.who, &checkup(&f), issued()).0;
    let b = cda_export::document(t, &m, u, &f.who, &checkup(&f), issued()).0;
    assert_eq!(a, b);
    let a = fhir_export::bundle(t, &m, u, &f.who, &checkup(&f), issued()).0;
    let b = fhir_export::bundle(t, &m, u, &f.who, &checkup(&f), issued()).0;
    assert_eq!(a, b);
}
