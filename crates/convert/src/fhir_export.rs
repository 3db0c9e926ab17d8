//! Export of a checkup as a FHIR R4 document Bundle in the style of the JP-CLINS 健康診断結果報告書
//! (eCheckup, JAMI FHIR WG IG v1.5.0 on JP Core 1.1.2; standards.md §3.1, standards-fhir-systems.csv):
//! Composition (文書種別 53576-5, 報告区分, 健診プログラム, sections 検査/問診), Patient (kanji and
//! kana names, sex, birth date), Organization (the institution, where named), Encounter (the
//! checkup date) and one Observation per datum: `code` from the 特定健診項目コード表
//! (`urn:oid:1.2.392.200119.6.1005`), `valueQuantity` with the UCUM unit and comparator,
//! `valueCodeableConcept` from the item's MHLW value set (`urn:oid:…`, with `ordinalValue` for
//! CO items), `valueString`; `interpretation` H/L (HX/LX without a number: 入力範囲外);
//! `dataAbsentReason` `not-performed` (未実施) or `error` (測定不能) with `status` `cancelled`.
//!
//! Data without an MHLW code or with a coded value outside the value set are left out and
//! returned as [`Skipped`]. Not written (iphr does not hold them): the JP-CLINS Bundle identifier
//! (it needs a 医療機関番号; the Bundle carries an `urn:uuid` identifier instead), the insured
//! person's identifier and Coverage, Practitioner, reference ranges, 所見 as `component`. Since
//! the Bundle profile (JP_Bundle_eCheckupGeneral) requires some of these, no resource claims an
//! eCheckup profile in `meta.profile`.

use crate::cda_export::Checkup;
use crate::export::Who;
use crate::mhlw::{Entry, EntryValue, MhlwTable, Skipped};
use crate::units::UnitTable;
use chrono::NaiveDate;
use iphr_domain::observation::RangeFlag;
use iphr_domain::ohcc::ItemTable;
use serde_json::{Value, json};

/// The FHIR system of the MHLW item codes.
pub const ITEM_SYSTEM: &str = "urn:oid:1.2.392.200119.6.1005";
const CATEGORY_SYSTEM: &str = "http://jpfhir.jp/fhir/core/CodeSystem/JP_SimpleObservationCategory_CS";
const INTERPRETATION_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// A Bundle of one checkup.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The checkup date.
    pub date: NaiveDate,
    /// Data written.
    pub data: usize,
    /// The Bundle.
    pub json: Value,
}

/// A resource id derived from the event id (the same export gives the same ids).
fn derived(event: uuid::Uuid, n: u128) -> uuid::Uuid {
    uuid::Uuid::from_u128(event.as_u128() ^ (n << 64))
}

/// JP Core simple category of an item: 身体計測 (区分 10) and blood pressure measurements,
/// 質問票 (500) as survey, laboratory codes (JLAC10 analytes start with a digit 1–8) and exams.
fn category(e: &Entry) -> &'static str {
    match e.mhlw.category {
        10 => "body-measurement",
        500 => "survey",
        _ if e.mhlw.code.starts_with(|c: char| ('1'..='8').contains(&c)) => "laboratory",
        _ => "exam",
    }
}

fn split_name(full: &str) -> (String, Vec<String>) {
    let mut parts = full.split([' ', '\u{3000}']).filter(|p| !p.is_empty());
    let family = parts.next().unwrap_or("").to_string();
    (family, parts.map(str::to_string).collect())
}

fn observation(e: &Entry, id: uuid::Uuid, patient: &str, date: NaiveDate) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "id": id.to_string(),
        "status": "final",
        "category": [{ "coding": [{ "system": CATEGORY_SYSTEM, "code": category(e) }] }],
        "code": { "coding": [{ "system": ITEM_SYSTEM, "code": e.mhlw.code, "display": e.mhlw.display }] },
        "subject": { "reference": patient },
        "effectiveDateTime": date.to_string(),
    });
    let interpretation = |code: &str, display: &str| json!([{ "coding": [{ "system": INTERPRETATION_SYSTEM, "code": code, "display": display }] }]);
    let set = |o: &mut Value, k: &str, v: Value| {
        if let Some(m) = o.as_object_mut() {
            m.insert(k.to_string(), v);
        }
    };
    match &e.value {
        EntryValue::Number { value, unit, comparator, flag, .. } => {
            let mut q = json!({ "value": value });
            if let Some(c) = comparator {
                set(&mut q, "comparator", json!(c.symbol()));
            }
            if let Some(u) = unit {
                set(&mut q, "unit", json!(u));
                set(&mut q, "system", json!("http://unitsofmeasure.org"));
                set(&mut q, "code", json!(u));
            }
            set(&mut o, "valueQuantity", q);
            match flag {
                Some(RangeFlag::High) => set(&mut o, "interpretation", interpretation("H", "High")),
                Some(RangeFlag::Low) => set(&mut o, "interpretation", interpretation("L", "Low")),
                None => {}
            }
        }
        EntryValue::Code { oid, code, display } => {
            let mut coding = json!({ "system": format!("urn:oid:{oid}"), "code": code });
            if let Some(d) = display {
                set(&mut coding, "display", json!(d));
            }
            if e.mhlw.xml_type == crate::mhlw::XmlType::Co
                && let Ok(n) = code.parse::<f64>()
            {
                set(
                    &mut coding,
                    "extension",
                    json!([{ "url": "http://hl7.org/fhir/StructureDefinition/ordinalValue", "valueDecimal": n }]),
                );
            }
            set(&mut o, "valueCodeableConcept", json!({ "coding": [coding] }));
        }
        EntryValue::Text(t) => set(&mut o, "valueString", json!(t)),
        EntryValue::NotDone | EntryValue::NotMeasured => {
            let (code, text) = if matches!(e.value, EntryValue::NotDone) {
                ("not-performed", "未実施")
            } else {
                ("error", "測定不能")
            };
            set(&mut o, "status", json!("cancelled"));
            set(
                &mut o,
                "dataAbsentReason",
                json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason", "code": code }], "text": text }),
            );
        }
        EntryValue::FlagOnly(f) => {
            let (code, display) = match f {
                RangeFlag::High => ("HX", "above high threshold"),
                RangeFlag::Low => ("LX", "below low threshold"),
            };
            set(&mut o, "interpretation", interpretation(code, display));
        }
    }
    if !e.mhlw.method.is_empty() && !matches!(e.value, EntryValue::NotDone) {
        set(
            &mut o,
            "method",
            json!({ "coding": [{ "system": "urn:oid:1.2.392.200119.6.1007", "code": e.mhlw.method }] }),
        );
    }
    o
}

/// The FHIR document Bundle of one checkup (`issued`: Composition.date and Bundle.timestamp),
/// with the data left out.
pub fn bundle(
    ohcc: &ItemTable,
    mhlw: &MhlwTable,
    units: &UnitTable,
    who: &Who,
    checkup: &Checkup,
    issued: NaiveDate,
) -> (Bundle, Vec<Skipped>) {
    let (entries, skipped) = crate::mhlw::entries(ohcc, mhlw, units, &checkup.observations, true);
    let ev = checkup.event;
    let date = ev.event_date;
    let base = ev.id.0;
    let url = |id: uuid::Uuid| format!("urn:uuid:{id}");
    let (composition_id, patient_id, encounter_id, org_id) =
        (derived(base, 1), derived(base, 2), derived(base, 3), derived(base, 4));
    let patient_url = url(patient_id);
    let tokutei = checkup.is_tokutei();
    let (report, report_display, program, program_display) = if tokutei {
        ("10", "特定健診情報", "010", "特定健康診査")
    } else {
        ("41", "事業者健診情報", "030", "事業者健診")
    };
    let mut names = Vec::new();
    if !who.name.is_empty() {
        let (family, given) = split_name(&who.name);
        names.push(json!({
            "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation", "valueCode": "IDE" }],
            "use": "official", "text": who.name, "family": family, "given": given,
        }));
    }
    if !who.kana.is_empty() {
        let (family, given) = split_name(&who.kana);
        names.push(json!({
            "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation", "valueCode": "SYL" }],
            "use": "official", "text": who.kana, "family": family, "given": given,
        }));
    }
    let mut patient = json!({
        "resourceType": "Patient",
        "id": patient_id.to_string(),
        "name": names,
        "birthDate": who.birth_date.to_string(),
    });
    if matches!(who.sex.as_str(), "male" | "female")
        && let Some(m) = patient.as_object_mut()
    {
        m.insert("gender".into(), json!(who.sex));
    }
    let mut resources: Vec<(uuid::Uuid, Value)> = Vec::new();
    let encounter = json!({
        "resourceType": "Encounter",
        "id": encounter_id.to_string(),
        "status": "finished",
        "class": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB" },
        "subject": { "reference": patient_url },
        "period": { "start": date.to_string(), "end": date.to_string() },
    });
    // The author: the institution (unnamed where the checkup does not name it).
    let mut organization = json!({ "resourceType": "Organization", "id": org_id.to_string() });
    if let (Some(name), Some(m)) = (checkup.institution(), organization.as_object_mut()) {
        m.insert("name".into(), json!(name));
    }
    // Sections: 検査 and 問診 (質問票) apart, as the IG splits them.
    let (exam_section, survey_section) = if tokutei {
        (("01011", "特定健診検査結果セクション"), ("01012", "特定健診問診結果セクション"))
    } else {
        (("01031", "事業者健診検査結果セクション"), ("01032", "事業者健診問診結果セクション"))
    };
    let mut exam_refs = Vec::new();
    let mut survey_refs = Vec::new();
    let mut observations = Vec::new();
    for e in &entries {
        let id = e.observation.id.0;
        let reference = json!({ "reference": url(id) });
        if e.mhlw.category == 500 {
            survey_refs.push(reference)
        } else {
            exam_refs.push(reference)
        }
        observations.push((id, observation(e, id, &patient_url, date)));
    }
    let section = |(code, title): (&str, &str), refs: Vec<Value>| {
        json!({
            "title": title,
            "code": { "coding": [{ "system": "http://jpfhir.jp/fhir/eCheckup/CodeSystem/section-code", "code": code, "display": title }] },
            "entry": refs,
        })
    };
    let mut sections = Vec::new();
    if !exam_refs.is_empty() {
        sections.push(section(exam_section, exam_refs));
    }
    if !survey_refs.is_empty() {
        sections.push(section(survey_section, survey_refs));
    }
    let composition = json!({
        "resourceType": "Composition",
        "id": composition_id.to_string(),
        "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/composition-clinicaldocument-versionNumber", "valueString": "1.0" }],
        "identifier": { "system": "http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier", "value": ev.id.0.to_string() },
        "status": "final",
        "type": { "coding": [{ "system": "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes", "code": "53576-5", "display": "検診・健診報告書" }] },
        "category": [{ "coding": [{ "system": "urn:oid:1.2.392.200119.6.1001", "code": report, "display": report_display }] }],
        "subject": { "reference": patient_url },
        "encounter": { "reference": url(encounter_id) },
        "date": issued.to_string(),
        "title": ev.title,
        "event": [{
            "code": [{ "coding": [{ "system": "urn:oid:1.2.392.200119.6.1002", "code": program, "display": program_display }] }],
            "period": { "start": date.to_string(), "end": date.to_string() },
        }],
        "author": [{ "reference": url(org_id) }],
        "custodian": { "reference": url(org_id) },
        "section": sections,
    });
    resources.push((composition_id, composition));
    resources.push((patient_id, patient));
    resources.push((org_id, organization));
    resources.push((encounter_id, encounter));
    resources.extend(observations);
    let json = json!({
        "resourceType": "Bundle",
        "id": derived(base, 5).to_string(),
        "identifier": { "system": "urn:ietf:rfc:3986", "value": url(derived(base, 5)) },
        "type": "document",
        "timestamp": format!("{issued}T00:00:00+09:00"),
        "entry": resources.into_iter().map(|(id, r)| json!({ "fullUrl": url(id), "resource": r })).collect::<Vec<_>>(),
    });
    (Bundle { date, data: entries.len(), json }, skipped)
}

/// A ZIP of Bundles, one JSON file per checkup (`<employee number>-<date>.json`, numbered when a
/// name repeats); the FHIR importer reads the files one by one.
pub fn zip_bundles(bundles: &[(String, Bundle)]) -> Result<Vec<u8>, crate::cda_export::CdaExportError> {
    use crate::cda_export::CdaExportError;
    use std::io::Write;
    if bundles.is_empty() {
        return Err(CdaExportError::Empty);
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut seen = std::collections::BTreeSet::new();
    for (who, b) in bundles {
        let safe: String = who.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        let mut name = format!("{safe}-{}.json", b.date);
        let mut n = 1;
        while !seen.insert(name.clone()) {
            n += 1;
            name = format!("{safe}-{}-{n}.json", b.date);
        }
        let zerr = |e: String| CdaExportError::Zip { entry: name.clone(), reason: e };
        let text = serde_json::to_vec_pretty(&b.json).map_err(|e| zerr(e.to_string()))?;
        z.start_file(name.as_str(), opts).map_err(|e| zerr(e.to_string()))?;
        z.write_all(&text).map_err(|e| zerr(e.to_string()))?;
    }
    z.finish().map_err(|e| CdaExportError::Zip { entry: "(central directory)".into(), reason: e.to_string() })?;
    Ok(buf.into_inner())
}
