//! Export of checkups as MHLW 特定健診・事業者健診 CDA documents (特定健診情報ファイル, HL7 CDA R2,
//! the 第4期 schema `hc08_V08.xsd`, namespace `urn:hl7-org:v3`; 特定健診情報ファイル仕様, docs/sources.md [MHLW-CDA]): one
//! document per checkup event, and optionally an MHLW archive (送付用アーカイブ, §1.2) with the
//! index (交換用基本情報 `ix08_V08.xml`) and the summary (集計情報 `su08_V08.xml`).
//!
//! What a document holds: the examinee (kana name, sex, birth date, the employee number as
//! 当事者間固有の利用者ID `1.2.392.200119.6.299`), the checkup date, the institution's name, and
//! every datum with an MHLW item code: PQ with the XML unit, CD/CO with the code of the item's
//! value set, ST; 未実施 as `negationInd="true"`; 測定不能 as a value with `nullFlavor="NI"`; the
//! producer's H/L as `interpretationCode`, and H/L without a number (入力範囲外) as the second
//! value of `2.16.840.1.113883.5.83`. Items of the 特定健診 set go into section 01010, the others
//! into 01990 (任意追加項目). Data without a code, coded values outside the MHLW value set and
//! numbers with a comparator (a PQ has none) are left out and returned as [`Skipped`].
//! Not written: battery groups (一連検査グループ; the members are written flat, which the schema
//! and the importers accept), the doctor's name as `author`, reference ranges, 受診券 and insurer
//! identifiers (iphr's export rows do not carry them).

use crate::export::Who;
use crate::mhlw::{Entry, EntryValue, MhlwTable, Skipped};
use crate::units::UnitTable;
use chrono::NaiveDate;
use iphr_domain::event::{CheckupKind, Event};
use iphr_domain::observation::{Observation, RangeFlag};
use iphr_domain::ohcc::ItemTable;
use std::fmt::Write as _;

/// The namespace of the archive's index and summary (第三期 onwards; 交換用基本情報 ix08 / 集計情報 su08, docs/sources.md [MHLW-CDA]).
pub const MHLW_NS: &str = "https://www.mhlw.go.jp/stf/seisakunitsuite/bunya/0000161103.html";
/// The common sender number of 事業主 without an institution number (送付用アーカイブファイル仕様, docs/sources.md [MHLW-CDA]).
pub const EMPLOYER_SENDER: &str = "6631111116";

/// One checkup event with its data.
#[derive(Debug, Clone)]
pub struct Checkup<'a> {
    /// The checkup event.
    pub event: &'a Event,
    /// Its observations.
    pub observations: Vec<&'a Observation>,
}

impl Checkup<'_> {
    /// 特定健診 (報告区分 10, program 010) or another checkup (報告区分 41 事業者健診, program 030).
    pub fn is_tokutei(&self) -> bool {
        self.event.subkind.as_deref() == Some(CheckupKind::Tokutei.as_str())
    }

    /// The institution named in the event's details.
    pub fn institution(&self) -> Option<&str> {
        self.event.detail.get("institution").and_then(|v| v.as_str()).filter(|s| !s.is_empty())
    }
}

/// One exported document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The checkup date.
    pub date: NaiveDate,
    /// 特定健診 (報告区分 10).
    pub tokutei: bool,
    /// Data written.
    pub data: usize,
    /// The document.
    pub xml: String,
}

/// Why an archive could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CdaExportError {
    /// No documents.
    #[error("no documents to put into an archive")]
    Empty,
    /// More documents than the index can count.
    #[error("{0} documents: more than the 99999999 an index (totalRecordCount) can count")]
    TooMany(usize),
    /// The ZIP writer.
    #[error("archive entry {entry}: {reason}")]
    Zip {
        /// Entry name.
        entry: String,
        /// Reason.
        reason: String,
    },
}

/// Escapes text and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold are dropped.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

fn flag_code(f: RangeFlag) -> (&'static str, &'static str) {
    match f {
        RangeFlag::High => ("H", "以上"),
        RangeFlag::Low => ("L", "以下"),
    }
}

fn observation_xml(out: &mut String, e: &Entry) {
    let code = &e.mhlw.code;
    let neg = if matches!(e.value, EntryValue::NotDone) { " negationInd=\"true\"" } else { "" };
    let _ = writeln!(out, "          <entry>\n            <observation classCode=\"OBS\" moodCode=\"EVN\"{neg}>");
    let _ = writeln!(out, "              <code code=\"{}\" displayName=\"{}\"/>", esc(code), esc(&e.mhlw.display));
    let mut interpretation = None;
    match &e.value {
        EntryValue::Number { text, unit, flag, .. } => {
            let unit = unit.as_deref().map(|u| format!(" unit=\"{}\"", esc(u))).unwrap_or_default();
            let _ = writeln!(out, "              <value xsi:type=\"PQ\" value=\"{}\"{unit}/>", esc(text));
            interpretation = *flag;
        }
        EntryValue::Code { oid, code, display } => {
            let display = display.as_deref().map(|d| format!(" displayName=\"{}\"", esc(d))).unwrap_or_default();
            let _ = writeln!(
                out,
                "              <value xsi:type=\"{}\" code=\"{}\" codeSystem=\"{}\"{display}/>",
                e.mhlw.xml_type.as_str(),
                esc(code),
                esc(oid)
            );
        }
        EntryValue::Text(t) => {
            let _ = writeln!(out, "              <value xsi:type=\"ST\">{}</value>", esc(t));
        }
        EntryValue::NotDone => {}
        EntryValue::NotMeasured => {
            let _ = writeln!(out, "              <value xsi:type=\"{}\" nullFlavor=\"NI\"/>", e.mhlw.xml_type.as_str());
        }
        EntryValue::FlagOnly(f) => {
            let (c, d) = flag_code(*f);
            let _ = writeln!(
                out,
                "              <value xsi:type=\"CD\" code=\"{c}\" codeSystem=\"2.16.840.1.113883.5.83\" displayName=\"{d}\"/>"
            );
        }
    }
    if let Some(f) = interpretation {
        let _ = writeln!(out, "              <interpretationCode code=\"{}\"/>", flag_code(f).0);
    }
    if !e.mhlw.method.is_empty() && !matches!(e.value, EntryValue::NotDone) {
        let _ = writeln!(out, "              <methodCode code=\"{}\"/>", esc(&e.mhlw.method));
    }
    let _ = writeln!(out, "            </observation>\n          </entry>");
}

fn section_xml(out: &mut String, code: &str, title: &str, entries: &[&Entry]) {
    if entries.is_empty() {
        return;
    }
    let _ = writeln!(out, "      <component>\n        <section>");
    let _ = writeln!(
        out,
        "          <code code=\"{code}\" codeSystem=\"1.2.392.200119.6.1010\" displayName=\"{title}\"/>\n          <title>{title}</title>\n          <text/>"
    );
    for e in entries {
        observation_xml(out, e);
    }
    let _ = writeln!(out, "        </section>\n      </component>");
}

/// The CDA document of one checkup (`issued`: 文書発行日 and 作成日), with the data left out.
pub fn document(
    ohcc: &ItemTable,
    mhlw: &MhlwTable,
    units: &UnitTable,
    who: &Who,
    checkup: &Checkup,
    issued: NaiveDate,
) -> (Document, Vec<Skipped>) {
    let (entries, skipped) = crate::mhlw::entries(ohcc, mhlw, units, &checkup.observations, false);
    let tokutei = checkup.is_tokutei();
    let (report, program) = if tokutei { ("10", "010") } else { ("41", "030") };
    let date = checkup.event.event_date;
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<ClinicalDocument xmlns=\"urn:hl7-org:v3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n");
    x.push_str("  <typeId root=\"2.16.840.1.113883.1.3\" extension=\"POCD_HD000040\"/>\n  <id nullFlavor=\"NI\"/>\n");
    let _ = writeln!(x, "  <code code=\"{report}\" codeSystem=\"1.2.392.200119.6.1001\"/>");
    let _ = writeln!(x, "  <title>{}</title>", esc(&checkup.event.title));
    let _ = writeln!(x, "  <effectiveTime value=\"{}\"/>\n  <confidentialityCode code=\"N\"/>", ymd(issued));
    x.push_str("  <recordTarget>\n    <patientRole>\n");
    if who.employee_number.is_empty() {
        x.push_str("      <id nullFlavor=\"NI\"/>\n");
    } else {
        let _ = writeln!(x, "      <id root=\"1.2.392.200119.6.299\" extension=\"{}\"/>", esc(&who.employee_number));
    }
    x.push_str("      <patient>\n");
    // Generators write the kana name without spaces (特定健診情報ファイル仕様).
    let kana: String = who.kana.chars().filter(|c| !c.is_whitespace()).collect();
    let _ = writeln!(x, "        <name>{}</name>", esc(&kana));
    match who.sex.as_str() {
        "male" => x.push_str("        <administrativeGenderCode code=\"1\" codeSystem=\"1.2.392.200119.6.1104\"/>\n"),
        "female" => x.push_str("        <administrativeGenderCode code=\"2\" codeSystem=\"1.2.392.200119.6.1104\"/>\n"),
        _ => {}
    }
    let _ = writeln!(x, "        <birthTime value=\"{}\"/>", ymd(who.birth_date));
    x.push_str("      </patient>\n    </patientRole>\n  </recordTarget>\n");
    let organization = |x: &mut String, indent: &str| {
        let _ = writeln!(x, "{indent}<representedOrganization>\n{indent}  <id nullFlavor=\"NI\"/>");
        if let Some(name) = checkup.institution() {
            let _ = writeln!(x, "{indent}  <name>{}</name>", esc(name));
        }
        let _ = writeln!(x, "{indent}</representedOrganization>");
    };
    let _ = writeln!(
        x,
        "  <author>\n    <time value=\"{}\"/>\n    <assignedAuthor>\n      <id nullFlavor=\"NI\"/>",
        ymd(issued)
    );
    organization(&mut x, "      ");
    x.push_str("    </assignedAuthor>\n  </author>\n");
    x.push_str("  <custodian>\n    <assignedCustodian>\n      <representedCustodianOrganization>\n        <id nullFlavor=\"NI\"/>\n      </representedCustodianOrganization>\n    </assignedCustodian>\n  </custodian>\n");
    let _ = writeln!(
        x,
        "  <documentationOf>\n    <serviceEvent>\n      <code code=\"{program}\" codeSystem=\"1.2.392.200119.6.1002\"/>\n      <effectiveTime value=\"{}\"/>",
        ymd(date)
    );
    if checkup.institution().is_some() {
        x.push_str("      <performer typeCode=\"PRF\">\n        <assignedEntity>\n          <id nullFlavor=\"NI\"/>\n");
        organization(&mut x, "          ");
        x.push_str("        </assignedEntity>\n      </performer>\n");
    }
    x.push_str("    </serviceEvent>\n  </documentationOf>\n  <component>\n    <structuredBody>\n");
    let (main, other): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| e.mhlw.tokutei);
    if main.is_empty() && other.is_empty() {
        // The schema wants a section: an empty one says the checkup has no exportable data.
        x.push_str("      <component>\n        <section>\n          <code code=\"01010\" codeSystem=\"1.2.392.200119.6.1010\" displayName=\"検査・問診結果セクション\"/>\n          <text/>\n        </section>\n      </component>\n");
    }
    section_xml(&mut x, "01010", "検査・問診結果セクション", &main);
    section_xml(&mut x, "01990", "任意追加項目セクション", &other);
    x.push_str("    </structuredBody>\n  </component>\n</ClinicalDocument>\n");
    (Document { date, tokutei, data: entries.len(), xml: x }, skipped)
}

/// An MHLW archive of documents (`created`: 作成日): one root folder named
/// `<sender>_<receiver>_<YYYYMMDD>0_<実施区分>` holding `ix08_V08.xml`, `su08_V08.xml` and
/// `DATA/h….xml`. The sender is the common 事業主 number [`EMPLOYER_SENDER`] (no receiver);
/// 実施区分 is 1 (特定健診) when every document is a 特定健診, else 4 (他の健診結果の受領分).
/// The summary's amounts are 0: no claims (CLAIMS/) are written, and no XSD/ folder.
pub fn archive(documents: &[Document], created: NaiveDate) -> Result<Vec<u8>, CdaExportError> {
    use std::io::Write;
    if documents.is_empty() {
        return Err(CdaExportError::Empty);
    }
    if documents.len() > 99_999_999 {
        return Err(CdaExportError::TooMany(documents.len()));
    }
    let service = if documents.iter().all(|d| d.tokutei) { "1" } else { "4" };
    let root = format!("{EMPLOYER_SENDER}_00000000_{}0_{service}/", ymd(created));
    let index = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<index xmlns=\"{MHLW_NS}\">\n  <interactionType code=\"1\"/>\n  <creationTime value=\"{}\"/>\n  <sender>\n    <id root=\"1.2.392.200119.6.102\" extension=\"{EMPLOYER_SENDER}\"/>\n  </sender>\n  <serviceEventType code=\"{service}\"/>\n  <totalRecordCount value=\"{}\"/>\n</index>\n",
        ymd(created),
        documents.len()
    );
    let summary = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<summary xmlns=\"{MHLW_NS}\">\n  <serviceEventType code=\"{service}\"/>\n  <totalSubjectCount value=\"{}\"/>\n  <totalCostAmount value=\"0\" currency=\"JPY\"/>\n  <totalPaymentAmount value=\"0\" currency=\"JPY\"/>\n  <totalClaimAmount value=\"0\" currency=\"JPY\"/>\n</summary>\n",
        documents.len()
    );
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: String, bytes: &[u8]| -> Result<(), CdaExportError> {
        let zerr = |e: String| CdaExportError::Zip { entry: name.clone(), reason: e };
        z.start_file(name.as_str(), opts).map_err(|e| zerr(e.to_string()))?;
        z.write_all(bytes).map_err(|e| zerr(e.to_string()))
    };
    put(format!("{root}ix08_V08.xml"), index.as_bytes())?;
    put(format!("{root}su08_V08.xml"), summary.as_bytes())?;
    for (i, d) in documents.iter().enumerate() {
        // h + sender (10) + 作成日 (8) + serial (8), as ORCA names them.
        put(format!("{root}DATA/h{EMPLOYER_SENDER}{}{:08}.xml", ymd(created), i + 1), d.xml.as_bytes())?;
    }
    z.finish().map_err(|e| CdaExportError::Zip { entry: "(central directory)".into(), reason: e.to_string() })?;
    Ok(buf.into_inner())
}
