//! Export of a checkup as a FHIR R4 document Bundle of the JP-CLINS 健康診断結果報告書 (eCheckup,
//! JAMI FHIR WG IG v1.5.0 on JP Core 1.1.2; docs/sources.md [ECHECKUP],
//! fixtures/fhir/README.md): every resource carries its eCheckup profile in `meta.profile`
//! with `meta.lastUpdated`. Composition (文書種別 53576-5, 報告区分 of
//! `urn:oid:2.16.840.1.113883.2.2.1.6.1001` as the IG's value set binds it, 健診プログラム,
//! sections 検査/問診), Patient (kanji and kana names, sex, birth date, the insurance member id
//! `保険者番号:記号:番号:`), Practitioner (the examining physician where known), Organization (the
//! institution, 医療機関番号 where known, exec-org/doc-org), Encounter (健診, the checkup date) and
//! one Observation per datum: `code` from the 特定健診項目コード表 (`urn:oid:1.2.392.200119.6.1005`),
//! `valueQuantity` with the UCUM unit, the comparator and the decimals it was written with (FHIR
//! decimals are significant: `1.0` stays `1.0`), `valueCodeableConcept` from the item's MHLW value
//! set (`urn:oid:…`, with `ordinalValue` for CO items), `valueString` (never empty);
//! `interpretation` H/L (HX/LX without a number: 入力範囲外); `dataAbsentReason` `not-performed`
//! (未実施) or `error` (測定不能) with `status` `cancelled`.
//!
//! Data without an MHLW code or with a coded value outside the value set are left out and
//! returned as [`Skipped`]. What iphr does not hold is written as the IG allows or said in
//! [`Bundle::unmet`]: the Bundle identifier needs the institution's 医療機関番号 (else an
//! `urn:uuid` identifier and an unmet rule), the Patient's insurance member id its 保険者番号,
//! the Patient's address (1..1; iphr keeps none) is written with a `data-absent-reason`.

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

/// The eCheckup IG's profiles (canonical URLs, fixtures/fhir/README.md).
pub mod profiles {
    /// JP_Bundle_eCheckupGeneral.
    pub const BUNDLE: &str = "http://jpfhir.jp/fhir/clins/StructureDefinition/JP_Bundle_eCheckupGeneral";
    /// JP_Composition_eCheckupGeneral.
    pub const COMPOSITION: &str = "http://jpfhir.jp/fhir/eCheckup/StructureDefinition/JP_Composition_eCheckupGeneral";
    /// JP_Patient_CLINS_eCheckupGeneral.
    pub const PATIENT: &str = "http://jpfhir.jp/fhir/clins/StructureDefinition/JP_Patient_eCheckupGeneral";
    /// JP_Practitioner_eCheckupGeneral.
    pub const PRACTITIONER: &str = "http://jpfhir.jp/fhir/eCheckup/StructureDefinition/JP_Practitioner_eCheckupGeneral";
    /// JP_Organization_eCheckupGeneral.
    pub const ORGANIZATION: &str = "http://jpfhir.jp/fhir/eCheckup/StructureDefinition/JP_Organization_eCheckupGeneral";
    /// JP_Encounter_eCheckupGeneral.
    pub const ENCOUNTER: &str = "http://jpfhir.jp/fhir/eCheckup/StructureDefinition/JP_Encounter_eCheckupGeneral";
    /// JP_Observation_eCheckupGeneral.
    pub const OBSERVATION: &str = "http://jpfhir.jp/fhir/eCheckup/StructureDefinition/JP_Observation_eCheckupGeneral";
}

/// 報告区分 (the eCheckup IG binds Composition.category to this system; standards-fhir-systems.csv).
pub const REPORT_CATEGORY_SYSTEM: &str = "urn:oid:2.16.840.1.113883.2.2.1.6.1001";
/// The insurance member id of the Patient (R1012, R1013).
const MEMBER_ID_SYSTEM: &str = "http://jpfhir.jp/fhir/clins/Idsystem/JP_Insurance_memberID";
/// The 医療機関番号 of an Organization.
const INSTITUTION_NO_SYSTEM: &str = "http://jpfhir.jp/fhir/core/IdSystem/insurance-medical-institution-no";
const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
const NAME_REPRESENTATION: &str = "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

/// A Bundle of one checkup.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// The checkup date.
    pub date: NaiveDate,
    /// Data written.
    pub data: usize,
    /// The Bundle (numbers as `f64`; [`Bundle::to_text`] writes them with their decimals).
    pub json: Value,
    /// The number text of each Observation's `valueQuantity.value` (by resource id), as written.
    pub decimals: std::collections::BTreeMap<String, String>,
    /// The IG rules this Bundle cannot meet for want of data iphr does not hold.
    pub unmet: Vec<String>,
}

impl Bundle {
    /// The Bundle as pretty JSON text, every quantity with the decimals it was written with
    /// (`serde_json` writes an `f64`, which knows none).
    pub fn to_text(&self) -> String {
        let mut j = self.json.clone();
        for e in j.get_mut("entry").and_then(Value::as_array_mut).into_iter().flatten() {
            let Some(r) = e.get_mut("resource") else { continue };
            let Some(text) = r.get("id").and_then(Value::as_str).and_then(|id| self.decimals.get(id)) else {
                continue;
            };
            let token = json!(format!("\u{1}{text}\u{1}"));
            if let Some(v) = r.get_mut("valueQuantity").and_then(|q| q.get_mut("value")) {
                *v = token;
            }
        }
        let mut text = serde_json::to_string_pretty(&j).unwrap_or_default();
        // "\u0001165.0\u0001" (quoted) → 165.0: the tokens hold digits, a sign and a point only.
        while let Some(start) = text.find("\"\\u0001") {
            let rest = start + 7;
            let Some(len) = text.get(rest..).and_then(|t| t.find("\\u0001\"")) else { break };
            let number = text.get(rest..rest + len).unwrap_or("").to_string();
            text.replace_range(start..rest + len + 7, &number);
        }
        text
    }
}

/// `meta` of a resource claiming `profile`.
fn meta(profile: &str, updated: &str) -> Value {
    json!({ "lastUpdated": updated, "profile": [profile] })
}

/// Whether a 医療機関番号 fits the IG's pattern (R2152: 都道府県番号 2 digits, 点数表番号 1–3, 7 digits).
pub fn valid_institution_number(n: &str) -> bool {
    let b = n.as_bytes();
    b.len() == 10
        && b.iter().all(u8::is_ascii_digit)
        && b.first().is_some_and(|c| (b'0'..=b'4').contains(c))
        && b.get(2).is_some_and(|c| (b'1'..=b'3').contains(c))
}

/// The number as FHIR writes it: with the decimals it was written with, else as short as it
/// reads back.
fn number_text(o: &iphr_domain::observation::Observation, value: f64) -> String {
    o.qualifier.format(value)
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

fn observation(e: &Entry, id: uuid::Uuid, patient: &str, date: NaiveDate, updated: &str) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "id": id.to_string(),
        "meta": meta(profiles::OBSERVATION, updated),
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
        // A blank text is no datum (mhlw::entries leaves it out); never an empty valueString.
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

/// The FHIR document Bundle of one checkup (`issued`: Composition.date, Bundle.timestamp and
/// every `meta.lastUpdated`), with the data left out.
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
    let updated = format!("{issued}T00:00:00+09:00");
    let url = |id: uuid::Uuid| format!("urn:uuid:{id}");
    let (composition_id, patient_id, encounter_id, org_id, practitioner_id) =
        (derived(base, 1), derived(base, 2), derived(base, 3), derived(base, 4), derived(base, 6));
    let patient_url = url(patient_id);
    let mut unmet = Vec::new();
    let tokutei = checkup.is_tokutei();
    let (report, report_display, program, program_display) = if tokutei {
        ("10", "特定健診情報", "010", "特定健康診査")
    } else {
        ("41", "事業者健診情報", "030", "事業者健診")
    };
    // Names: kanji (IDE) and kana (SYL), family and given apart by a half-width space (R1113:
    // no full-width space).
    let name = |text: &str, rep: &str| {
        let text = text.replace('\u{3000}', " ");
        let (family, given) = split_name(&text);
        json!({
            "extension": [{ "url": NAME_REPRESENTATION, "valueCode": rep }],
            "use": "official", "text": text, "family": family, "given": given,
        })
    };
    let mut names = Vec::new();
    if !who.name.trim().is_empty() {
        names.push(name(&who.name, "IDE"));
    }
    if !who.kana.trim().is_empty() {
        names.push(name(&who.kana, "SYL"));
    }
    // The insurance member id 保険者番号:記号:番号:枝番 (R1012/R1013; the 枝番 is not kept).
    let mut identifiers = Vec::new();
    let clean = |s: &Option<String>| {
        s.as_deref().map(|v| v.chars().filter(|c| !c.is_whitespace() && *c != ':').collect::<String>())
    };
    match clean(&who.insurer.insurer_number).filter(|n| n.len() == 8 && n.bytes().all(|b| b.is_ascii_digit())) {
        Some(n) => identifiers.push(json!({
            "system": MEMBER_ID_SYSTEM,
            "value": format!("{n}:{}:{}:", clean(&who.insurer.symbol).unwrap_or_default(), clean(&who.insurer.number).unwrap_or_default()),
        })),
        None => unmet.push("R1012 Patient.identifier: no 8-digit 保険者番号 is recorded for the worker".to_string()),
    }
    let gender = match who.sex.as_str() {
        "male" | "female" => who.sex.as_str(),
        _ => "unknown",
    };
    let patient = json!({
        "resourceType": "Patient",
        "id": patient_id.to_string(),
        "meta": meta(profiles::PATIENT, &updated),
        "identifier": identifiers,
        "name": names,
        "gender": gender,
        "birthDate": who.birth_date.to_string(),
        // Patient.address is 1..1 in the profile; iphr keeps no addresses (not part of the
        // occupational-health record).
        "address": [{ "_text": { "extension": [{ "url": DATA_ABSENT, "valueCode": "unsupported" }] } }],
    });
    let detail = |k: &str| ev.detail.get(k).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty());
    let institution_number = detail("institution_number").filter(|n| valid_institution_number(n));
    // The examining physician (the IG requires a Practitioner entry; the name where known).
    let mut practitioner = json!({
        "resourceType": "Practitioner",
        "id": practitioner_id.to_string(),
        "meta": meta(profiles::PRACTITIONER, &updated),
    });
    if let (Some(p), Some(m)) = (detail("physician"), practitioner.as_object_mut()) {
        m.insert("name".into(), json!([name(p, "IDE")]));
    }
    let encounter = json!({
        "resourceType": "Encounter",
        "id": encounter_id.to_string(),
        "meta": meta(profiles::ENCOUNTER, &updated),
        "status": "finished",
        "class": { "system": "http://jpfhir.jp/fhir/eCheckup/CodeSystem/encounter-category", "code": "checkup", "display": "健診" },
        "subject": { "reference": patient_url },
        "period": { "start": date.to_string(), "end": date.to_string() },
        "serviceProvider": { "reference": url(org_id) },
    });
    // The institution: 健診実施機関 and 報告書作成機関.
    let org_type = |code: &str| json!({ "coding": [{ "system": "http://jpfhir.jp/fhir/eCheckup/CodeSystem/report-organization-code", "code": code }] });
    let mut organization = json!({
        "resourceType": "Organization",
        "id": org_id.to_string(),
        "meta": meta(profiles::ORGANIZATION, &updated),
        "type": [org_type("exec-org"), org_type("doc-org")],
    });
    if let Some(m) = organization.as_object_mut() {
        if let Some(n) = institution_number {
            m.insert("identifier".into(), json!([{ "system": INSTITUTION_NO_SYSTEM, "value": n }]));
        }
        if let Some(name) = checkup.institution() {
            m.insert("name".into(), json!(name));
        }
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
    let mut decimals = std::collections::BTreeMap::new();
    for e in &entries {
        let id = e.observation.id.0;
        let reference = json!({ "reference": url(id) });
        if e.mhlw.category == 500 {
            survey_refs.push(reference)
        } else {
            exam_refs.push(reference)
        }
        if let EntryValue::Number { value, .. } = &e.value {
            decimals.insert(id.to_string(), number_text(e.observation, *value));
        }
        observations.push((id, observation(e, id, &patient_url, date, &updated)));
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
        "meta": meta(profiles::COMPOSITION, &updated),
        "language": "ja",
        "extension": [{ "url": "http://hl7.org/fhir/StructureDefinition/composition-clinicaldocument-versionNumber", "valueString": "1.0" }],
        "identifier": { "system": "http://jpfhir.jp/fhir/core/IdSystem/resourceInstance-identifier", "value": ev.id.0.to_string() },
        "status": "final",
        "type": { "coding": [{ "system": "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes", "code": "53576-5", "display": "検診・健診報告書" }] },
        "category": [{ "coding": [{ "system": REPORT_CATEGORY_SYSTEM, "code": report, "display": report_display }] }],
        "subject": { "reference": patient_url },
        "encounter": { "reference": url(encounter_id) },
        "date": issued.to_string(),
        "title": ev.title,
        "event": [{
            "code": [{ "coding": [{ "system": "urn:oid:1.2.392.200119.6.1002", "code": program, "display": program_display }] }],
            "period": { "start": date.to_string(), "end": date.to_string() },
            "detail": [{ "reference": url(encounter_id) }],
        }],
        "author": [{ "reference": url(practitioner_id) }, { "reference": url(org_id) }],
        "custodian": { "reference": url(org_id) },
        "section": sections,
    });
    let mut resources: Vec<(uuid::Uuid, Value)> = vec![
        (composition_id, composition),
        (patient_id, patient),
        (practitioner_id, practitioner),
        (org_id, organization),
        (encounter_id, encounter),
    ];
    resources.extend(observations);
    // The Bundle identifier: 医療機関番号^西暦^施設内一意ID (R2151/R2152), where the institution's
    // number is known.
    let bundle_id = derived(base, 5);
    let identifier = match institution_number {
        Some(n) => {
            json!({ "system": "http://jpfhir.jp/fhir/clins/bundle-identifier", "value": format!("{n}^{}^{bundle_id}", issued.format("%Y")) })
        }
        None => {
            unmet.push(
                "R2151/R2152 Bundle.identifier: the institution's 医療機関番号 is not recorded with the checkup"
                    .to_string(),
            );
            json!({ "system": "urn:ietf:rfc:3986", "value": url(bundle_id) })
        }
    };
    let json = json!({
        "resourceType": "Bundle",
        "id": bundle_id.to_string(),
        "meta": meta(profiles::BUNDLE, &updated),
        "language": "ja",
        "identifier": identifier,
        "type": "document",
        "timestamp": updated,
        "entry": resources.into_iter().map(|(id, r)| json!({ "fullUrl": url(id), "resource": r })).collect::<Vec<_>>(),
    });
    (Bundle { date, data: entries.len(), json, decimals, unmet }, skipped)
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
        let text = b.to_text().into_bytes();
        z.start_file(name.as_str(), opts).map_err(|e| zerr(e.to_string()))?;
        z.write_all(&text).map_err(|e| zerr(e.to_string()))?;
    }
    z.finish().map_err(|e| CdaExportError::Zip { entry: "(central directory)".into(), reason: e.to_string() })?;
    Ok(buf.into_inner())
}
