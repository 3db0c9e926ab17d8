//! 特定健診・事業者健診 CDA documents (MHLW 特定健診情報ファイル, HL7 CDA R2; docs/sources.md [MHLW-CDA]): the
//! examinee (保険者番号, 記号, 番号, kana name, sex, birth date), the checkup date
//! (documentationOf/serviceEvent/effectiveTime), the report kind (10 = 特定健診情報) and every
//! observation with a 17-character item code (codeSystem 1.2.392.200119.6.1005 by default), also
//! the COMP/RSON members of battery groups. Values: PQ (converted to the OHCC unit), CD/CO through
//! the MHLW value-set map, ST; a second CD of codeSystem 2.16.840.1.113883.5.83 (H/L, 入力範囲外)
//! and `interpretationCode` H/L are the producer's mark; `negationInd="true"` is 未実施; a value
//! with `nullFlavor` is 測定不能. Namespaces are matched by local name (older and newer files).
//! Errors and unmapped items name the XML line.

use crate::checkup_csv::{Identity, ItemResult, ResultValue, RowError, Unmapped};
use crate::records::{ParsedRecords, Record};
use crate::text::fold_value;
use crate::units::UnitTable;
use crate::value::RangeFlag;
use crate::wareki::parse_date;
use iphr_domain::event::{CheckupKind, EventKind};
use iphr_domain::ohcc::{ItemTable, Producer};
use iphr_domain::person::Sex;
use roxmltree::{Document, Node, ParsingOptions};
use serde_json::json;

/// Largest document accepted (a CDA file is one examinee: tens of kilobytes).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
const ITEM_SYSTEM: &str = "1.2.392.200119.6.1005";
const FLAG_SYSTEM: &str = "2.16.840.1.113883.5.83";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// A document that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdaFileError {
    /// Too big.
    #[error("{0} bytes: larger than the {MAX_BYTES}-byte limit for one CDA document")]
    TooLarge(usize),
    /// Not UTF-8.
    #[error("not UTF-8 text")]
    Encoding,
    /// Not XML (with the position).
    #[error("not well-formed XML: {0}")]
    Xml(String),
    /// Not a ClinicalDocument of the expected shape.
    #[error("{0}")]
    Shape(String),
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn path<'a, 'i>(n: Node<'a, 'i>, names: &[&str]) -> Option<Node<'a, 'i>> {
    names.iter().try_fold(n, |n, name| child(n, name))
}

fn date_attr(n: Option<Node>) -> Option<chrono::NaiveDate> {
    n.and_then(|n| n.attribute("value")).and_then(|v| parse_date(v).ok())
}

/// Reads one CDA document into checkup records.
pub fn parse(bytes: &[u8], table: &ItemTable, units: &UnitTable) -> Result<ParsedRecords, CdaFileError> {
    if bytes.len() > MAX_BYTES {
        return Err(CdaFileError::TooLarge(bytes.len()));
    }
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
        .map_err(|_| CdaFileError::Encoding)?;
    // No DTDs (and so no entities), a node budget against deeply nested or huge input.
    let doc = Document::parse_with_options(
        text,
        ParsingOptions { allow_dtd: false, nodes_limit: 200_000, ..ParsingOptions::default() },
    )
    .map_err(|e| CdaFileError::Xml(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "ClinicalDocument" {
        return Err(CdaFileError::Shape(format!(
            "the root element is <{}>, not <ClinicalDocument>",
            root.tag_name().name()
        )));
    }
    // Line numbers from one index of the newlines: `Document::text_pos_at` counts from the start
    // each time, which is quadratic over a document of many observations (minutes for 4 MB).
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i).collect();
    let line = |n: Node| (newlines.partition_point(|&i| i < n.range().start) + 1) as u64;
    // Examinee.
    let role = path(root, &["recordTarget", "patientRole"])
        .ok_or_else(|| CdaFileError::Shape("no recordTarget/patientRole".into()))?;
    let mut who = Identity::default();
    for id in role.children().filter(|c| c.is_element() && c.tag_name().name() == "id") {
        let ext = id.attribute("extension").map(fold_value);
        match id.attribute("root") {
            Some("1.2.392.200119.6.101") => who.insurer.insurer_number = ext,
            Some("1.2.392.200119.6.204") => who.insurer.symbol = ext,
            Some("1.2.392.200119.6.205") => who.insurer.number = ext,
            _ => {}
        }
    }
    if let Some(p) = child(role, "patient") {
        who.kana = child(p, "name").and_then(|n| n.text()).map(|t| t.trim().to_string());
        who.sex = match child(p, "administrativeGenderCode").and_then(|g| g.attribute("code")) {
            Some("1") => Some(Sex::Male),
            Some("2") => Some(Sex::Female),
            _ => None,
        };
        who.birth_date = date_attr(child(p, "birthTime"));
    }
    let date = date_attr(path(root, &["documentationOf", "serviceEvent", "effectiveTime"]))
        .ok_or_else(|| CdaFileError::Shape("no checkup date (documentationOf/serviceEvent/effectiveTime)".into()))?;
    // 報告区分 (1.2.392.200119.6.1001): 10 = 特定健診情報; other reports are employer checkups.
    let kind = match child(root, "code").and_then(|c| c.attribute("code")) {
        Some("10") => CheckupKind::Tokutei,
        _ => CheckupKind::Periodic,
    };
    let institution = path(root, &["author", "assignedAuthor", "representedOrganization", "name"])
        .and_then(|n| n.text())
        .map(str::to_string);
    let mut out = ParsedRecords::of(vec![], 0);
    let mut results = Vec::new();
    for o in root.descendants().filter(|n| n.is_element() && n.tag_name().name() == "observation") {
        let Some(code_el) = child(o, "code") else { continue };
        // A battery group (code nullFlavor="NA") holds its members as nested observations.
        let Some(code) = code_el.attribute("code") else { continue };
        out.rows_read += 1;
        let ln = line(o);
        let display = code_el.attribute("displayName").unwrap_or("").to_string();
        let system = code_el.attribute("codeSystem").unwrap_or(ITEM_SYSTEM);
        let err = |reason: String| RowError { line: ln, field: format!("observation {code}"), reason };
        let values: Vec<Node> = o.children().filter(|c| c.is_element() && c.tag_name().name() == "value").collect();
        let raw = values
            .iter()
            .map(|v| {
                v.attribute("value")
                    .map(|x| format!("{x}{}", v.attribute("unit").map(|u| format!(" {u}")).unwrap_or_default()))
                    .or_else(|| v.attribute("code").map(|c| format!("{}|{c}", v.attribute("codeSystem").unwrap_or(""))))
                    .or_else(|| v.text().map(str::to_string))
                    .or_else(|| v.attribute("nullFlavor").map(|f| format!("nullFlavor={f}")))
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join("; ");
        let def = if system == ITEM_SYSTEM { table.by_jlac10(code) } else { None };
        let Some(def) = def else {
            out.unmapped.push(Unmapped {
                line: ln,
                identity: who.clone(),
                date: Some(date),
                source_code: code.to_string(),
                source_text: display,
                raw,
                unit: values.first().and_then(|v| v.attribute("unit")).map(str::to_string),
            });
            continue;
        };
        let mut flag = child(o, "interpretationCode").and_then(|i| match i.attribute("code") {
            Some("H") => Some(RangeFlag::High),
            Some("L") => Some(RangeFlag::Low),
            _ => None,
        });
        // 入力範囲外: a second value, CD of 2.16.840.1.113883.5.83.
        if let Some(f) = values.iter().find(|v| v.attribute("codeSystem") == Some(FLAG_SYSTEM)) {
            flag = match f.attribute("code") {
                Some("H") => Some(RangeFlag::High),
                Some("L") => Some(RangeFlag::Low),
                _ => flag,
            };
        }
        let main = values.iter().find(|v| v.attribute("codeSystem") != Some(FLAG_SYSTEM));
        let value: Result<ResultValue, String> = if o.attribute("negationInd") == Some("true") {
            Ok(ResultValue::NotDone)
        } else if let Some(v) = main {
            if v.attribute("nullFlavor").is_some() {
                Ok(ResultValue::NotMeasured)
            } else {
                match v.attribute((XSI, "type")) {
                    Some("PQ") => match v.attribute("value").and_then(|x| x.trim().parse::<f64>().ok()) {
                        Some(x) => {
                            let from = v.attribute("unit").unwrap_or(def.unit.as_str());
                            let scale = v.attribute("value").and_then(crate::value::decimal_scale);
                            units
                                .convert_scaled(def.item.as_str(), x, scale, from, &def.unit)
                                .map(|(value, scale)| ResultValue::Number {
                                    value,
                                    unit: def.unit.as_str().into(),
                                    comparator: None,
                                    flag,
                                    scale,
                                })
                                .map_err(|e| e.to_string())
                        }
                        None => Err(format!("PQ value {:?} is not a number", v.attribute("value").unwrap_or(""))),
                    },
                    Some("CD") | Some("CO") => {
                        let vs = v.attribute("codeSystem").unwrap_or("");
                        let vc = v.attribute("code").unwrap_or("");
                        table.value_for_source(&def.item, vs, vc).map(|c| ResultValue::Code(c.to_string())).ok_or_else(
                            || format!("value {vs}|{vc} maps to no value of {} ({})", def.item, def.name_ja),
                        )
                    }
                    Some("ST") => Ok(ResultValue::Text(v.text().unwrap_or("").trim().to_string())),
                    other => Err(format!("value type {other:?} is not PQ, CD, CO or ST")),
                }
            }
        } else if let Some(f) = flag {
            Ok(ResultValue::FlagOnly(f))
        } else {
            Err("no value and not marked as not done (negationInd)".into())
        };
        // Blank text is no datum (an empty ST or valueString): absent, as a blank CSV cell.
        if matches!(&value, Ok(ResultValue::Text(t)) if t.trim().is_empty()) {
            continue;
        }
        match value {
            Ok(value) => results.push(ItemResult {
                line: ln,
                column: format!("observation {code}").into(),
                item: def.item,
                source_code: code.into(),
                source_text: display.into(),
                raw,
                source_unit: main.and_then(|v| v.attribute("unit")).map(Into::into),
                value,
                warning: None,
            }),
            Err(reason) => out.errors.push(err(reason)),
        }
    }
    out.records.push(Record {
        line: line(root),
        identity: who,
        date,
        kind: EventKind::Checkup,
        subkind: Some(kind.as_str().into()),
        title: kind.label_ja().into(),
        producer: Producer::Institution,
        detail: json!({ "institution": institution, "format": "MHLW CDA" }),
        results,
    });
    Ok(out)
}

/// Most entries an archive may hold.
pub const MAX_ENTRIES: usize = 100_000;
/// Most bytes all entries of an archive may unpack to (a zip bomb ends here, with an error).
pub const MAX_ARCHIVE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// Whether bytes are a ZIP archive.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Reads an MHLW archive (送付用アーカイブファイル仕様, docs/sources.md [MHLW-CDA]): every `DATA/h….xml` is one CDA document; the index
/// (`ix08…`) must count the XML files of DATA and CLAIMS; claims, summary and schemas are left
/// alone. Errors and unmapped items name the entry and its line.
pub fn parse_archive(bytes: &[u8], table: &ItemTable, units: &UnitTable) -> Result<ParsedRecords, CdaFileError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| CdaFileError::Shape(format!("not a ZIP archive: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(CdaFileError::Shape(format!("{} entries: more than {MAX_ENTRIES}", zip.len())));
    }
    let mut out = ParsedRecords::of(vec![], 0);
    let mut counted = 0u64;
    let mut declared: Option<u64> = None;
    let mut total = 0u64;
    let mut documents = 0usize;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| CdaFileError::Shape(format!("entry {i}: {e}")))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map_err(|e| CdaFileError::Shape(format!("entry {i}: {e}")))?.to_string();
        // Inner names carry no semantics beyond the folder and the first letter (送付用アーカイブファイル仕様, docs/sources.md [MHLW-CDA]).
        let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
        let file = parts.last().copied().unwrap_or("").to_ascii_lowercase();
        let folder = parts.iter().rev().nth(1).map(|f| f.to_ascii_uppercase()).unwrap_or_default();
        let is_xml = file.ends_with(".xml");
        let wanted = is_xml && ((folder == "DATA" && file.starts_with('h')) || file.starts_with("ix"));
        if is_xml && (folder == "DATA" || folder == "CLAIMS") {
            counted += 1;
        }
        if !wanted {
            continue;
        }
        let mut buf = Vec::new();
        entry
            .by_ref()
            .take(MAX_BYTES as u64 + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CdaFileError::Shape(format!("{name}: {e}")))?;
        if buf.len() > MAX_BYTES {
            return Err(CdaFileError::TooLarge(buf.len()));
        }
        total += buf.len() as u64;
        if total > MAX_ARCHIVE_BYTES {
            return Err(CdaFileError::Shape(format!("the archive unpacks to more than {MAX_ARCHIVE_BYTES} bytes")));
        }
        if file.starts_with("ix") {
            let text = std::str::from_utf8(&buf).map_err(|_| CdaFileError::Encoding)?;
            let doc = Document::parse_with_options(
                text,
                ParsingOptions { allow_dtd: false, nodes_limit: 10_000, ..ParsingOptions::default() },
            )
            .map_err(|e| CdaFileError::Xml(format!("{name}: {e}")))?;
            declared = doc
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == "totalRecordCount")
                .and_then(|n| n.attribute("value"))
                .and_then(|v| v.parse().ok());
            continue;
        }
        documents += 1;
        match parse(&buf, table, units) {
            Ok(mut one) => {
                for e in &mut one.errors {
                    e.field = format!("{name}: {}", e.field);
                }
                for u in &mut one.unmapped {
                    u.source_text = format!("{} ({name})", u.source_text);
                }
                out.rows_read += one.rows_read;
                out.records.extend(one.records);
                out.errors.extend(one.errors);
                out.unmapped.extend(one.unmapped);
            }
            Err(e) => out.errors.push(RowError { line: 0, field: name.clone(), reason: e.to_string() }),
        }
    }
    if documents == 0 {
        return Err(CdaFileError::Shape("the archive holds no DATA/h….xml document".into()));
    }
    if let Some(d) = declared
        && d != counted
    {
        return Err(CdaFileError::Shape(format!(
            "the index declares {d} records (totalRecordCount) but DATA and CLAIMS hold {counted} XML files"
        )));
    }
    Ok(out)
}
