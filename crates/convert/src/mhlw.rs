//! The MHLW 第4期 XML item table (XML用特定健診項目情報, 特定健診・事業者健診 CDA)
//! and its result-code value sets (結果コードOID), as the exporters need them: for every
//! 17-character item code (特定健診項目コード, OID 1.2.392.200119.6.1005) its XML type (PQ, CD,
//! CO, ST), number format, XML unit (UCUM), method code (検査方法コード, OID
//! 1.2.392.200119.6.1007) and value set; and, per OHCC item, the codes it can be written as.
//! The tables are embedded (`data/mhlw-items-4th.csv`, `data/mhlw-value-codes.csv`): the item table
//! published by MHLW with the 第4期 電子的な標準様式, and its OID table's value sets, which agree with
//! the code systems of the eCheckupReport IG 1.5.0 (docs/sources.md: MHLW-XMLTAB, MHLW-OID, ECHECKUP).

use iphr_domain::ohcc::{ItemCode, ItemTable};
use std::collections::BTreeMap;

const ITEMS_CSV: &str = include_str!("../data/mhlw-items-4th.csv");
const VALUES_CSV: &str = include_str!("../data/mhlw-value-codes.csv");

/// The XML data type of an item (データ型 of the MHLW table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XmlType {
    /// A physical quantity: number and unit.
    Pq,
    /// A code of the item's value set.
    Cd,
    /// An ordinal code of the item's value set (urine grades …).
    Co,
    /// Text.
    St,
}

impl XmlType {
    /// The `xsi:type` name.
    pub fn as_str(&self) -> &'static str {
        match self {
            XmlType::Pq => "PQ",
            XmlType::Cd => "CD",
            XmlType::Co => "CO",
            XmlType::St => "ST",
        }
    }
}

/// One row of the MHLW item table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MhlwItem {
    /// 17-character item code.
    pub code: String,
    /// 項目名.
    pub display: String,
    /// XML data type.
    pub xml_type: XmlType,
    /// 数値型の場合の形式 (`NNN.N`), empty for other types.
    pub format: String,
    /// XML用単位 (UCUM-like), empty where the item has none (視力).
    pub unit: String,
    /// XML検査方法コード, empty where none.
    pub method: String,
    /// 結果コードOID of CD/CO items.
    pub value_oid: String,
    /// 区分番号 (10 身体計測, 500 質問票 …).
    pub category: u32,
    /// Whether the item belongs to the 特定健診 set (実施区分 column not 0).
    pub tokutei: bool,
}

impl MhlwItem {
    /// Decimals of the number format (`NNN.N` → 1).
    pub fn decimals(&self) -> usize {
        self.format.split_once('.').map_or(0, |(_, d)| d.len())
    }
}

/// A problem in an embedded table, naming the row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} row {row}, field {field}: {reason}")]
pub struct MhlwTableError {
    /// Which table.
    pub table: &'static str,
    /// 1-based data row.
    pub row: usize,
    /// Field.
    pub field: &'static str,
    /// Reason.
    pub reason: String,
}

/// The MHLW item table with its value sets, joined to the OHCC item table.
#[derive(Debug, Clone)]
pub struct MhlwTable {
    items: BTreeMap<String, MhlwItem>,
    /// OHCC item → its 17-character codes in MHLW table order.
    by_item: BTreeMap<ItemCode, Vec<String>>,
    /// (OID, code) → display.
    values: BTreeMap<(String, String), String>,
    /// OID → its codes in table order.
    codes_of: BTreeMap<String, Vec<String>>,
}

#[derive(serde::Deserialize)]
struct ItemRow {
    code17: String,
    display_name: String,
    xml_type: String,
    format: String,
    ucum_unit: String,
    method_code: String,
    result_code_oid: String,
    category_no: String,
    req_tokutei: String,
}

#[derive(serde::Deserialize)]
struct ValueRow {
    oid: String,
    code: String,
    display: String,
}

impl MhlwTable {
    /// The embedded tables, joined to the OHCC item table (through its JLAC10 map).
    pub fn embedded(ohcc: &ItemTable) -> Result<Self, MhlwTableError> {
        let mut items = BTreeMap::new();
        let mut by_item: BTreeMap<ItemCode, Vec<String>> = BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(ITEMS_CSV.as_bytes());
        for (i, rec) in rdr.deserialize::<ItemRow>().enumerate() {
            let err = |field: &'static str, reason: String| MhlwTableError {
                table: "mhlw-items-4th",
                row: i + 1,
                field,
                reason,
            };
            let r = rec.map_err(|e| err("(row)", e.to_string()))?;
            let xml_type = match r.xml_type.as_str() {
                "PQ" => XmlType::Pq,
                "CD" => XmlType::Cd,
                "CO" => XmlType::Co,
                "ST" => XmlType::St,
                other => return Err(err("xml_type", format!("unknown {other:?}"))),
            };
            let category = r.category_no.parse().map_err(|_| err("category_no", format!("{:?}", r.category_no)))?;
            if let Some(def) = ohcc.by_jlac10(&r.code17) {
                by_item.entry(def.item).or_default().push(r.code17.clone());
            }
            items.insert(
                r.code17.clone(),
                MhlwItem {
                    code: r.code17,
                    display: r.display_name,
                    xml_type,
                    format: r.format,
                    unit: r.ucum_unit,
                    method: r.method_code,
                    value_oid: r.result_code_oid,
                    category,
                    tokutei: !r.req_tokutei.is_empty() && r.req_tokutei != "0",
                },
            );
        }
        let mut values = BTreeMap::new();
        let mut codes_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(VALUES_CSV.as_bytes());
        for (i, rec) in rdr.deserialize::<ValueRow>().enumerate() {
            let r = rec.map_err(|e| MhlwTableError {
                table: "mhlw-value-codes",
                row: i + 1,
                field: "(row)",
                reason: e.to_string(),
            })?;
            codes_of.entry(r.oid.clone()).or_default().push(r.code.clone());
            values.insert((r.oid, r.code), r.display);
        }
        Ok(Self { items, by_item, values, codes_of })
    }

    /// A row by its 17-character code.
    pub fn get(&self, code: &str) -> Option<&MhlwItem> {
        self.items.get(code)
    }

    /// The code an OHCC datum is written as: the source code it came with when that code maps
    /// to the same item, else the item's own JLAC10 code, else the first code of the MHLW table
    /// that maps to the item. `None`: the item has no MHLW code.
    pub fn code_for(&self, ohcc: &ItemTable, item: &ItemCode, source_code: Option<&str>) -> Option<&MhlwItem> {
        let same = |c: &str| ohcc.by_jlac10(c).is_some_and(|d| d.item == *item);
        source_code
            .filter(|c| same(c))
            .and_then(|c| self.items.get(c))
            .or_else(|| ohcc.get(item).filter(|d| same(&d.jlac10)).and_then(|d| self.items.get(&d.jlac10)))
            .or_else(|| self.by_item.get(item).and_then(|v| v.first()).and_then(|c| self.items.get(c)))
    }

    /// The code of a value set (OID) that the importers read back as this OHCC value of the item.
    pub fn source_value(&self, ohcc: &ItemTable, item: &ItemCode, oid: &str, value: &str) -> Option<&str> {
        self.codes_of.get(oid)?.iter().find(|c| ohcc.value_for_source(item, oid, c) == Some(value)).map(String::as_str)
    }

    /// The display of a value-set code.
    pub fn value_display(&self, oid: &str, code: &str) -> Option<&str> {
        self.values.get(&(oid.to_string(), code.to_string())).map(String::as_str)
    }
}

/// Why a datum is left out of a CDA or FHIR document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// The item has no 17-character MHLW/JLAC10 code.
    NoCode,
    /// The coded value has no code in the item's MHLW value set.
    NoValueCode(String),
    /// A number with a comparator (`<5`): a CDA PQ has none.
    Comparator(String),
    /// The value's kind cannot be written as the item's XML type (a document reference …).
    ValueKind(String),
    /// The item is in the checkup twice (another producer or sequence): one document holds one
    /// value per item.
    Duplicate(String),
    /// A blank text (stored before blank cells were read as absent): no datum to write.
    Blank,
}

impl SkipReason {
    /// A short label to group skipped data by.
    pub fn label(&self) -> &'static str {
        match self {
            SkipReason::NoCode => "no code",
            SkipReason::NoValueCode(_) => "value not in the MHLW value set",
            SkipReason::Comparator(_) => "comparator",
            SkipReason::ValueKind(_) => "value kind",
            SkipReason::Duplicate(_) => "second datum of the item",
            SkipReason::Blank => "blank text",
        }
    }
}

/// A datum left out of an exported document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The checkup date.
    pub date: chrono::NaiveDate,
    /// OHCC item.
    pub item: ItemCode,
    /// Its name.
    pub name: String,
    /// Why.
    pub reason: SkipReason,
}

/// Formats a number to an item's format (`NNN.N` → one decimal) where that keeps the value,
/// else with the digits it needs: an export never rounds a stored value.
pub fn format_number(value: f64, decimals: usize) -> String {
    let fixed = format!("{value:.decimals$}");
    if fixed.parse::<f64>().is_ok_and(|x| x == value) { fixed } else { format!("{value}") }
}

/// A value as a CDA or FHIR document writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryValue {
    /// A number (PQ, Quantity), formatted to the item's format.
    Number {
        /// The number as written.
        text: String,
        /// The value.
        value: f64,
        /// The unit written (the XML unit where the importers read it back unchanged, else the
        /// OHCC unit); `None` for items without one.
        unit: Option<String>,
        /// `<`, `>=` … (FHIR only).
        comparator: Option<iphr_domain::observation::Comparator>,
        /// The producer's H/L.
        flag: Option<iphr_domain::observation::RangeFlag>,
    },
    /// A code of the item's MHLW value set.
    Code {
        /// 結果コードOID.
        oid: String,
        /// The code.
        code: String,
        /// Its display.
        display: Option<String>,
    },
    /// Text.
    Text(String),
    /// 未実施.
    NotDone,
    /// 測定不能.
    NotMeasured,
    /// Beyond the input range, only H or L (入力範囲外 without a number).
    FlagOnly(iphr_domain::observation::RangeFlag),
}

/// One datum ready to write: the observation, its MHLW item and its value.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The observation.
    pub observation: &'a iphr_domain::observation::Observation,
    /// Its MHLW item row.
    pub mhlw: &'a MhlwItem,
    /// The value.
    pub value: EntryValue,
}

/// The data of one checkup that a CDA (`comparators = false`) or FHIR (`true`) document can
/// hold, in item order, and those it cannot with the reason. Of several data of one item (other
/// producers or sequences) the institution's first is written.
pub fn entries<'a>(
    ohcc: &ItemTable,
    mhlw: &'a MhlwTable,
    units: &crate::units::UnitTable,
    observations: &[&'a iphr_domain::observation::Observation],
    comparators: bool,
) -> (Vec<Entry<'a>>, Vec<Skipped>) {
    use iphr_domain::observation::Value;
    use iphr_domain::ohcc::Producer;
    let mut sorted: Vec<&iphr_domain::observation::Observation> = observations.to_vec();
    // The datum the importers write (institution, sequence 1) first within an item.
    sorted.sort_by_key(|o| (o.item, !(o.atr.producer == Producer::Institution && o.atr.seq == 1), o.atr.to_string()));
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut last: Option<&ItemCode> = None;
    for o in sorted {
        let name = ohcc.get(&o.item).map(|d| d.name_ja.clone()).unwrap_or_default();
        let skip = |reason: SkipReason| Skipped { date: o.event_date, item: o.item, name: name.clone(), reason };
        if last == Some(&o.item) {
            skipped.push(skip(SkipReason::Duplicate(format!("{}{}", o.item, o.atr))));
            continue;
        }
        last = Some(&o.item);
        let Some(m) = mhlw.code_for(ohcc, &o.item, o.provenance.source_code.as_deref()) else {
            skipped.push(skip(SkipReason::NoCode));
            continue;
        };
        let value = match (&o.value, m.xml_type) {
            (Value::NotDone, _) => Ok(EntryValue::NotDone),
            (Value::NotMeasured, _) => Ok(EntryValue::NotMeasured),
            (Value::BeyondRange, XmlType::Pq) => match o.qualifier.flag {
                Some(f) => Ok(EntryValue::FlagOnly(f)),
                None => Err(SkipReason::ValueKind("beyond the input range without H or L".into())),
            },
            (Value::Number { value, unit }, XmlType::Pq) => {
                if o.qualifier.comparator.is_some() && !comparators {
                    let c = o.qualifier.comparator.map(|c| c.symbol()).unwrap_or("");
                    Err(SkipReason::Comparator(format!("{c}{value}")))
                } else {
                    // The XML unit where the importers convert it back unchanged.
                    let same = |x: f64| units.convert(o.item.as_str(), x, &m.unit, unit).is_ok_and(|y| y == x);
                    let written = if !m.unit.is_empty() && same(1.0) && same(0.0) { &m.unit } else { unit };
                    Ok(EntryValue::Number {
                        text: format_number(*value, m.decimals()),
                        value: *value,
                        unit: (!written.is_empty()).then(|| written.clone()),
                        comparator: o.qualifier.comparator,
                        flag: o.qualifier.flag,
                    })
                }
            }
            (Value::Coded { code }, XmlType::Cd | XmlType::Co) => {
                match mhlw.source_value(ohcc, &o.item, &m.value_oid, code) {
                    Some(c) => Ok(EntryValue::Code {
                        oid: m.value_oid.clone(),
                        code: c.to_string(),
                        display: mhlw.value_display(&m.value_oid, c).map(str::to_string),
                    }),
                    None => Err(SkipReason::NoValueCode(format!("{code} (OID {})", m.value_oid))),
                }
            }
            (Value::Text { text }, XmlType::St) if text.trim().is_empty() => Err(SkipReason::Blank),
            (Value::Text { text }, XmlType::St) => Ok(EntryValue::Text(text.clone())),
            (v, t) => Err(SkipReason::ValueKind(format!("a {} value for an {} item", v.kind(), t.as_str()))),
        };
        match value {
            Ok(value) => out.push(Entry { observation: o, mhlw: m, value }),
            Err(reason) => skipped.push(skip(reason)),
        }
    }
    (out, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> (&'static ItemTable, MhlwTable) {
        let t = match ItemTable::embedded() {
            Ok(t) => t,
            Err(e) => unreachable!("{e}"),
        };
        let m = match MhlwTable::embedded(t) {
            Ok(m) => m,
            Err(e) => unreachable!("{e}"),
        };
        (t, m)
    }

    #[test]
    fn codes_values_and_formats() {
        let (t, m) = tables();
        let sbp = ItemCode::parse("Af0010001A").ok();
        let sbp = sbp.as_ref().and_then(|i| m.code_for(t, i, None));
        assert_eq!(sbp.map(|r| (r.code.as_str(), r.unit.as_str())), Some(("9A751000000000001", "mm[Hg]")));
        // The source code wins when it maps to the same item (LDL by another method).
        let ldl = ItemCode::parse("Ai0010000Z").ok();
        let via = ldl.as_ref().and_then(|i| m.code_for(t, i, Some("3F077000002327201")));
        assert_eq!(via.map(|r| r.code.as_str()), Some("3F077000002327201"));
        let via = ldl.as_ref().and_then(|i| m.code_for(t, i, Some("9N001000000000001")));
        assert_eq!(via.map(|r| r.code.as_str()), Some("3F077000002327101"));
        let protein = ItemCode::parse("Ak0010000Z").ok();
        let code = protein.as_ref().and_then(|i| m.source_value(t, i, "1.2.392.200119.6.2102", "trace"));
        assert_eq!(code, Some("2"));
        assert_eq!(m.value_display("1.2.392.200119.6.2102", "2"), Some("±"));
        assert_eq!(format_number(170.0, 1), "170.0");
        assert_eq!(format_number(0.885, 2), "0.885");
        assert_eq!(format_number(452.0, 0), "452");
    }
}
