//! OHCC — the occupational-health common code (産業保健共通コード) of the iPHR deck.
//!
//! Layout (the iPHR material, docs/sources.md [IPHR]; docs/ohcc.md §0; the ④/⑤ split and the value tables are iphr's decision, see
//! docs/ohcc.md): 13 characters
//!
//! ```text
//!  A  c  001  0000 Z  M k 1
//!  ①  ②  ③    ④    ⑤  ⑥ (kind, producer, sequence)
//!  └─ core (5) ─┘└ item ATR (5) ┘└ data ATR (3) ┘
//! ```
//!
//! The code table lists *items* (the first 10 characters); the data ATR describes each stored
//! datum (what kind of value, who produced it, which repetition).

use crate::info_class::InfoClass;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// The version of the embedded item table; stored with every coded datum.
pub const TABLE_VERSION: &str = "ohcc-items-v1";

const ITEMS_CSV: &str = include_str!("../data/ohcc-items-v1.csv");
const VALUES_CSV: &str = include_str!("../data/ohcc-values-v1.csv");
const JLAC10_MAP_CSV: &str = include_str!("../data/ohcc-jlac10-map-v1.csv");
const VALUE_MAP_CSV: &str = include_str!("../data/ohcc-value-map-v1.csv");

/// Why a text is not an OHCC code or item code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OhccError {
    /// Wrong length.
    #[error("OHCC {code:?}: expected {expected} characters, got {got}")]
    Length {
        /// The text.
        code: String,
        /// Expected length.
        expected: usize,
        /// Actual length.
        got: usize,
    },
    /// A character in the wrong class at a position.
    #[error("OHCC {code:?}: position {position} ({part}) must be {expected}")]
    Char {
        /// The text.
        code: String,
        /// 1-based position.
        position: usize,
        /// Which part of the code.
        part: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

/// One character position of a code: its part's name, what is expected, and the test.
type CharRule = (&'static str, &'static str, fn(char) -> bool);

fn check_chars(code: &str, rules: &[CharRule]) -> Result<(), OhccError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != rules.len() {
        return Err(OhccError::Length { code: code.to_string(), expected: rules.len(), got: chars.len() });
    }
    for (i, (c, (part, expected, ok))) in chars.iter().zip(rules).enumerate() {
        if !ok(*c) {
            return Err(OhccError::Char { code: code.to_string(), position: i + 1, part, expected });
        }
    }
    Ok(())
}

fn upper(c: char) -> bool {
    c.is_ascii_uppercase()
}
fn lower(c: char) -> bool {
    c.is_ascii_lowercase()
}
fn digit(c: char) -> bool {
    c.is_ascii_digit()
}

const ITEM_RULES: [CharRule; 10] = [
    ("① 大項目", "an upper-case letter", upper),
    ("② 中項目", "a lower-case letter", lower),
    ("③ 主項目", "a digit", digit),
    ("③ 主項目", "a digit", digit),
    ("③ 主項目", "a digit", digit),
    ("④ 項目ATR分類", "a digit", digit),
    ("④ 項目ATR分類", "a digit", digit),
    ("④ 項目ATR分類", "a digit", digit),
    ("④ 項目ATR分類", "a digit", digit),
    ("⑤ 細項目", "an upper-case letter", upper),
];

/// An OHCC item code: core (①②③) and item ATR (④⑤), 10 characters, e.g. `Ac0010000Z` (身長).
///
/// Held inline (its 10 ASCII characters, no allocation): a converted file copies one per result.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ItemCode([u8; ITEM_LEN]);

/// Characters of an item code.
const ITEM_LEN: usize = 10;

impl ItemCode {
    /// Parses and validates an item code.
    pub fn parse(s: &str) -> Result<Self, OhccError> {
        check_chars(s, &ITEM_RULES)?;
        // Validated: ITEM_LEN ASCII characters.
        let bytes: [u8; ITEM_LEN] = s.as_bytes().try_into().map_err(|_| OhccError::Length {
            code: s.to_string(),
            expected: ITEM_LEN,
            got: s.chars().count(),
        })?;
        Ok(Self(bytes))
    }
    /// The text form.
    pub fn as_str(&self) -> &str {
        // Always ASCII (checked by `parse`).
        std::str::from_utf8(&self.0).unwrap_or("")
    }
    /// ① 大項目 — the field (A 一般健診 … F 勤務状況).
    pub fn field(&self) -> char {
        self.0.first().map_or('?', |b| char::from(*b))
    }
    /// The 5-character core code (①②③).
    pub fn core(&self) -> &str {
        self.as_str().get(..5).unwrap_or("")
    }
}

impl fmt::Debug for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ItemCode({:?})", self.as_str())
    }
}

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl FromStr for ItemCode {
    type Err = OhccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
impl TryFrom<String> for ItemCode {
    type Error = OhccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<ItemCode> for String {
    fn from(c: ItemCode) -> Self {
        c.as_str().to_string()
    }
}

/// ⑥ データATR, first character: what kind of datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DataKind {
    /// M — measured value.
    Measured,
    /// Q — qualitative / categorical.
    Qualitative,
    /// J — judgement (診断区分, 指導区分, 就業区分).
    Judgement,
    /// T — free text.
    Text,
    /// D — document or image reference.
    Document,
}

impl DataKind {
    /// The code letter.
    pub fn letter(&self) -> char {
        match self {
            DataKind::Measured => 'M',
            DataKind::Qualitative => 'Q',
            DataKind::Judgement => 'J',
            DataKind::Text => 'T',
            DataKind::Document => 'D',
        }
    }
    fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'M' => DataKind::Measured,
            'Q' => DataKind::Qualitative,
            'J' => DataKind::Judgement,
            'T' => DataKind::Text,
            'D' => DataKind::Document,
            _ => return None,
        })
    }
}

/// ⑥ データATR, second character: who produced the datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Producer {
    /// k — 健診機関 (checkup institution).
    Institution,
    /// s — 産業保健スタッフ (OH staff).
    OhStaff,
    /// d — 産業医 (occupational physician).
    Physician,
    /// h — 主治医 (attending physician).
    AttendingPhysician,
    /// w — the worker (self-report).
    Worker,
    /// e — employer / HR system.
    HrSystem,
}

impl Producer {
    /// The code letter.
    pub fn letter(&self) -> char {
        match self {
            Producer::Institution => 'k',
            Producer::OhStaff => 's',
            Producer::Physician => 'd',
            Producer::AttendingPhysician => 'h',
            Producer::Worker => 'w',
            Producer::HrSystem => 'e',
        }
    }
    /// From the code letter.
    pub fn from_letter(c: char) -> Option<Self> {
        Some(match c {
            'k' => Producer::Institution,
            's' => Producer::OhStaff,
            'd' => Producer::Physician,
            'h' => Producer::AttendingPhysician,
            'w' => Producer::Worker,
            'e' => Producer::HrSystem,
            _ => return None,
        })
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Producer::Institution => "健診機関",
            Producer::OhStaff => "産業保健スタッフ",
            Producer::Physician => "産業医",
            Producer::AttendingPhysician => "主治医",
            Producer::Worker => "本人",
            Producer::HrSystem => "人事システム",
        }
    }
}

/// ⑥ データATR: kind, producer and sequence (1–9, e.g. the re-examination number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DataAtr {
    /// Kind of datum.
    pub kind: DataKind,
    /// Who produced it.
    pub producer: Producer,
    /// Sequence 1–9.
    pub seq: u8,
}

impl DataAtr {
    /// Parses the 3-character data ATR.
    pub fn parse(s: &str) -> Result<Self, OhccError> {
        let err = |position, part, expected| OhccError::Char { code: s.to_string(), position, part, expected };
        let chars: Vec<char> = s.chars().collect();
        let [k, p, n] = chars.as_slice() else {
            return Err(OhccError::Length { code: s.to_string(), expected: 3, got: chars.len() });
        };
        let kind = DataKind::from_letter(*k).ok_or_else(|| err(1, "⑥ データATR kind", "one of M Q J T D"))?;
        let producer = Producer::from_letter(*p).ok_or_else(|| err(2, "⑥ データATR producer", "one of k s d h w e"))?;
        let seq = n.to_digit(10).filter(|d| *d >= 1).ok_or_else(|| err(3, "⑥ データATR sequence", "a digit 1-9"))?;
        Ok(Self { kind, producer, seq: seq as u8 })
    }
}

impl fmt::Display for DataAtr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}{}", self.kind.letter(), self.producer.letter(), self.seq)
    }
}

/// A full 13-character OHCC: item code and data ATR, e.g. `Ac0010000ZMk1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Ohcc {
    /// The item (①–⑤).
    pub item: ItemCode,
    /// The data ATR (⑥).
    pub atr: DataAtr,
}

impl Ohcc {
    /// Parses and validates a 13-character code.
    pub fn parse(s: &str) -> Result<Self, OhccError> {
        let n = s.chars().count();
        if n != 13 || !s.is_ascii() {
            return Err(OhccError::Length { code: s.to_string(), expected: 13, got: n });
        }
        let (item, atr) = s.split_at(10);
        Ok(Self { item: ItemCode::parse(item)?, atr: DataAtr::parse(atr)? })
    }
}

impl fmt::Display for Ohcc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.item, self.atr)
    }
}
impl TryFrom<String> for Ohcc {
    type Error = OhccError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<Ohcc> for String {
    fn from(c: Ohcc) -> Self {
        c.to_string()
    }
}

/// The kind of value an item holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// A number with a unit.
    Number,
    /// A code from the item's value set.
    Coded,
    /// Free text.
    Text,
    /// A document reference.
    Document,
}

/// One row of the item table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDef {
    /// The item code.
    pub item: ItemCode,
    /// Japanese name.
    pub name_ja: String,
    /// English name.
    pub name_en: String,
    /// The iPHR unit (empty for coded and text items).
    pub unit: String,
    /// Kind of value.
    pub value_kind: ValueKind,
    /// A 安衛則 statutory item.
    pub statutory: bool,
    /// Information class under the 2018 指針.
    pub info_class: InfoClass,
    /// JLAC10 17-character code where one exists.
    pub jlac10: String,
    /// `M` or `F` for a sex-specific item.
    pub sex_specific: String,
    /// Where the row comes from.
    pub source: String,
}

/// One coded value of an item's value set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodedValue {
    /// Code.
    pub code: String,
    /// Japanese label.
    pub label_ja: String,
    /// English label.
    pub label_en: String,
}

/// A problem in an embedded or supplied code table, naming the row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} row {row}, field {field}: {reason}")]
pub struct TableError {
    /// Which table.
    pub table: String,
    /// 1-based data row (the header is row 0).
    pub row: usize,
    /// Field name.
    pub field: String,
    /// Reason.
    pub reason: String,
}

#[derive(Deserialize)]
struct ItemRow {
    item: String,
    name_ja: String,
    name_en: String,
    unit: String,
    value_kind: String,
    statutory: String,
    info_class: String,
    jlac10: String,
    sex_specific: String,
    source: String,
}

#[derive(Deserialize)]
struct ValueRow {
    item: String,
    code: String,
    label_ja: String,
    label_en: String,
}

/// The OHCC item table with its value sets, versioned.
#[derive(Debug, Clone)]
pub struct ItemTable {
    /// Table version (stored with every datum).
    pub version: String,
    items: BTreeMap<ItemCode, ItemDef>,
    values: BTreeMap<ItemCode, Vec<CodedValue>>,
    by_jlac10: BTreeMap<String, ItemCode>,
    /// (OID, source code, item or `*`) → OHCC value code.
    value_map: BTreeMap<(String, String, String), String>,
}

impl ItemTable {
    /// The table embedded in this build (`data/ohcc-items-v1.csv`, `data/ohcc-values-v1.csv`, with
    /// the JLAC10 and value maps), parsed once per process: every call returns the same table. An
    /// error is a defect of the build (every call reports it).
    pub fn embedded() -> Result<&'static Self, TableError> {
        static TABLE: OnceLock<Result<ItemTable, TableError>> = OnceLock::new();
        TABLE.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, TableError> {
        let mut t = Self::from_csv(TABLE_VERSION, ITEMS_CSV, VALUES_CSV)?;
        t.add_jlac10_map(JLAC10_MAP_CSV)?;
        t.add_value_map(VALUE_MAP_CSV)?;
        Ok(t)
    }

    /// Adds a map from MHLW value-set codes (OID and code) to OHCC value codes
    /// (`oid,source_code,item,code,…`; item `*` for every item using the OID).
    pub fn add_value_map(&mut self, csv_text: &str) -> Result<(), TableError> {
        #[derive(Deserialize)]
        struct MapRow {
            oid: String,
            source_code: String,
            item: String,
            code: String,
        }
        let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
        for (i, rec) in rdr.deserialize::<MapRow>().enumerate() {
            let err = |field: &str, reason: String| TableError {
                table: "ohcc-value-map".into(),
                row: i + 1,
                field: field.into(),
                reason,
            };
            let r = rec.map_err(|e| err("(row)", e.to_string()))?;
            if r.item != "*" {
                let item = ItemCode::parse(&r.item).map_err(|e| err("item", e.to_string()))?;
                if self.value_label(&item, &r.code).is_none() {
                    return Err(err("code", format!("{:?} is not in the value set of {item}", r.code)));
                }
            }
            self.value_map.insert((r.oid, r.source_code, r.item), r.code);
        }
        Ok(())
    }

    /// The OHCC value code of an item for a code of an MHLW value set (OID), where the map has
    /// one that belongs to the item's value set.
    pub fn value_for_source(&self, item: &ItemCode, oid: &str, code: &str) -> Option<&str> {
        let specific = self.value_map.get(&(oid.to_string(), code.to_string(), item.to_string()));
        let any = || self.value_map.get(&(oid.to_string(), code.to_string(), "*".to_string()));
        specific.or_else(any).map(String::as_str).filter(|c| self.value_label(item, c).is_some())
    }

    /// Adds a JLAC10 → item conversion table (`jlac10,item,…`): method variants of one item
    /// (e.g. LDL by the direct or the UV method) map to the same OHCC item.
    pub fn add_jlac10_map(&mut self, csv_text: &str) -> Result<(), TableError> {
        #[derive(Deserialize)]
        struct MapRow {
            jlac10: String,
            item: String,
        }
        let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
        for (i, rec) in rdr.deserialize::<MapRow>().enumerate() {
            let err = |field: &str, reason: String| TableError {
                table: "ohcc-jlac10-map".into(),
                row: i + 1,
                field: field.into(),
                reason,
            };
            let r = rec.map_err(|e| err("(row)", e.to_string()))?;
            let item = ItemCode::parse(&r.item).map_err(|e| err("item", e.to_string()))?;
            if !self.items.contains_key(&item) {
                return Err(err("item", format!("{item} is not in the item table")));
            }
            if r.jlac10.len() != 17 || !r.jlac10.is_ascii() {
                return Err(err("jlac10", format!("{:?} is not a 17-character JLAC10 code", r.jlac10)));
            }
            if let Some(prev) = self.by_jlac10.get(&r.jlac10)
                && *prev != item
            {
                return Err(err("jlac10", format!("{} already maps to {prev}", r.jlac10)));
            }
            self.by_jlac10.insert(r.jlac10, item);
        }
        Ok(())
    }

    /// Parses a table from its two CSV texts.
    pub fn from_csv(version: &str, items_csv: &str, values_csv: &str) -> Result<Self, TableError> {
        let terr = |table: &str, row: usize, field: &str, reason: String| TableError {
            table: table.to_string(),
            row,
            field: field.to_string(),
            reason,
        };
        let mut items = BTreeMap::new();
        let mut by_jlac10 = BTreeMap::new();
        let mut rdr = csv::Reader::from_reader(items_csv.as_bytes());
        for (i, rec) in rdr.deserialize::<ItemRow>().enumerate() {
            let row = i + 1;
            let r = rec.map_err(|e| terr("ohcc-items", row, "(row)", e.to_string()))?;
            let item = ItemCode::parse(&r.item).map_err(|e| terr("ohcc-items", row, "item", e.to_string()))?;
            let value_kind = match r.value_kind.as_str() {
                "number" => ValueKind::Number,
                "coded" => ValueKind::Coded,
                "text" => ValueKind::Text,
                "document" => ValueKind::Document,
                other => {
                    return Err(terr("ohcc-items", row, "value_kind", format!("unknown {other:?}")));
                }
            };
            let info_class: InfoClass = r.info_class.parse().map_err(|e: crate::info_class::UnknownInfoClass| {
                terr("ohcc-items", row, "info_class", e.to_string())
            })?;
            let statutory = match r.statutory.as_str() {
                "yes" => true,
                "no" => false,
                other => {
                    return Err(terr("ohcc-items", row, "statutory", format!("expected yes or no, got {other:?}")));
                }
            };
            if !r.jlac10.is_empty() {
                by_jlac10.entry(r.jlac10.clone()).or_insert_with(|| item);
            }
            let def = ItemDef {
                item,
                name_ja: r.name_ja,
                name_en: r.name_en,
                unit: r.unit,
                value_kind,
                statutory,
                info_class,
                jlac10: r.jlac10,
                sex_specific: r.sex_specific,
                source: r.source,
            };
            if items.insert(item, def).is_some() {
                return Err(terr("ohcc-items", row, "item", format!("duplicate item {item}")));
            }
        }
        let mut values: BTreeMap<ItemCode, Vec<CodedValue>> = BTreeMap::new();
        let mut rdr = csv::Reader::from_reader(values_csv.as_bytes());
        for (i, rec) in rdr.deserialize::<ValueRow>().enumerate() {
            let row = i + 1;
            let r = rec.map_err(|e| terr("ohcc-values", row, "(row)", e.to_string()))?;
            let item = ItemCode::parse(&r.item).map_err(|e| terr("ohcc-values", row, "item", e.to_string()))?;
            if !items.contains_key(&item) {
                return Err(terr("ohcc-values", row, "item", format!("{item} is not in the item table")));
            }
            values.entry(item).or_default().push(CodedValue {
                code: r.code,
                label_ja: r.label_ja,
                label_en: r.label_en,
            });
        }
        Ok(Self { version: version.to_string(), items, values, by_jlac10, value_map: BTreeMap::new() })
    }

    /// The definition of an item.
    pub fn get(&self, item: &ItemCode) -> Option<&ItemDef> {
        self.items.get(item)
    }

    /// The definition of an item given as text.
    pub fn get_str(&self, item: &str) -> Option<&ItemDef> {
        ItemCode::parse(item).ok().and_then(|c| self.items.get(&c))
    }

    /// The item a JLAC10 17-character code maps to.
    pub fn by_jlac10(&self, code: &str) -> Option<&ItemDef> {
        self.by_jlac10.get(code).and_then(|c| self.items.get(c))
    }

    /// The label of a coded value.
    pub fn value_label(&self, item: &ItemCode, code: &str) -> Option<&CodedValue> {
        self.values.get(item)?.iter().find(|v| v.code == code)
    }

    /// The value set of an item.
    pub fn value_set(&self, item: &ItemCode) -> &[CodedValue] {
        self.values.get(item).map(Vec::as_slice).unwrap_or(&[])
    }

    /// All items, in code order.
    pub fn items(&self) -> impl Iterator<Item = &ItemDef> {
        self.items.values()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_deck_example_shape() {
        let c = Ohcc::parse("Ac0010000ZMk1");
        let Ok(c) = c else { unreachable!("{c:?}") };
        assert_eq!(c.item.as_str(), "Ac0010000Z");
        assert_eq!(c.item.field(), 'A');
        assert_eq!(c.item.core(), "Ac001");
        assert_eq!(c.atr.kind, DataKind::Measured);
        assert_eq!(c.atr.producer, Producer::Institution);
        assert_eq!(c.atr.seq, 1);
        assert_eq!(c.to_string(), "Ac0010000ZMk1");
    }

    #[test]
    fn rejects_with_position() {
        assert_eq!(
            ItemCode::parse("ac0010000Z"),
            Err(OhccError::Char {
                code: "ac0010000Z".into(),
                position: 1,
                part: "① 大項目",
                expected: "an upper-case letter"
            })
        );
        assert!(matches!(ItemCode::parse("Ac001"), Err(OhccError::Length { expected: 10, got: 5, .. })));
        assert!(matches!(Ohcc::parse("Ac0010000ZMk0"), Err(OhccError::Char { position: 3, .. })));
        assert!(matches!(Ohcc::parse("Ac0010000ZXk1"), Err(OhccError::Char { position: 1, .. })));
        assert!(matches!(Ohcc::parse("Ac0010000ZMx1"), Err(OhccError::Char { position: 2, .. })));
        assert!(matches!(Ohcc::parse("Ａc0010000ZMk1"), Err(OhccError::Length { .. })));
    }

    #[test]
    fn embedded_table_is_parsed_once() {
        let (Ok(a), Ok(b)) = (ItemTable::embedded(), ItemTable::embedded()) else { unreachable!("the table loads") };
        assert!(std::ptr::eq(a, b), "the same table, not a second parse");
        let from_another_thread = std::thread::spawn(|| ItemTable::embedded().map(|t| t as *const ItemTable as usize))
            .join()
            .unwrap_or_else(|_| unreachable!("the thread ends"));
        assert_eq!(from_another_thread, Ok(a as *const ItemTable as usize), "one table per process");
    }

    #[test]
    fn embedded_table_loads_with_demo_items() {
        let t = ItemTable::embedded();
        let Ok(t) = t else { unreachable!("{t:?}") };
        for code in [
            "Ac0010000Z",
            "Ac0020000Z",
            "Ac0030000Z",
            "Ac0040000Z",
            "Af0010001A",
            "Af0020001A",
            "Ag0010000Z",
            "Ah0010000Z",
            "Ah0020000Z",
            "Ah0030000Z",
            "Ai0010000Z",
            "Ai0020000Z",
            "Ai0030000Z",
            "Aj0010000Z",
            "Aj0030000Z",
            "Ak0010000Z",
            "Ak0020000Z",
            "Az0010000Z",
            "Cz0010000Z",
            "Fb0010000Z",
            "Fb0020000Z",
            "Fb0030000Z",
            "Fc0010000Z",
            "Ea0010000Z",
            "Eb0010000Z",
            "Ec0010000Z",
            "Ed0010000Z",
        ] {
            assert!(t.get_str(code).is_some(), "{code} missing from the embedded table");
        }
        assert_eq!(t.get_str("Ac0010000Z").map(|d| d.unit.as_str()), Some("cm"));
        assert_eq!(t.get_str("Af0010001A").map(|d| d.info_class), Some(InfoClass::Class2));
        assert_eq!(t.get_str("Fb0010000Z").map(|d| d.info_class), Some(InfoClass::Work));
        assert_eq!(t.get_str("Cz0010000Z").map(|d| d.info_class), Some(InfoClass::Stress));
        assert_eq!(t.get_str("Ea0010000Z").map(|d| d.info_class), Some(InfoClass::Class1));
        assert_eq!(t.by_jlac10("9N001000000000001").map(|d| d.item.as_str()), Some("Ac0010000Z"));
        // Method variants map to the same item (conversion table).
        for code in ["3F077000002327101", "3F077000002327201", "3F077000002391901"] {
            assert_eq!(t.by_jlac10(code).map(|d| d.item.as_str()), Some("Ai0010000Z"), "{code}");
        }
    }

    #[test]
    fn table_errors_name_row_and_field() {
        let items = "item,name_ja,name_en,unit,value_kind,statutory,info_class,jlac10,sex_specific,source\n\
                     Ac0010000Z,身長,Height,cm,number,yes,class2,,,x\n\
                     Ac0020000Z,体重,Weight,kg,numbr,yes,class2,,,x\n";
        let e = ItemTable::from_csv("t", items, "item,code,label_ja,label_en,source\n");
        assert_eq!(e.err().map(|e| (e.row, e.field)), Some((2, "value_kind".to_string())));
    }

    proptest! {
        #[test]
        fn valid_codes_round_trip(s in "[A-F][a-z][0-9]{3}[0-9]{4}[A-Z][MQJTD][ksdhwe][1-9]") {
            let c = Ohcc::parse(&s);
            prop_assert!(c.is_ok());
            prop_assert_eq!(c.map(|c| c.to_string()).unwrap_or_default(), s);
        }

        #[test]
        fn parser_never_panics(s in "\\PC{0,20}") {
            let _ = Ohcc::parse(&s);
            let _ = ItemCode::parse(&s);
        }
    }
}
