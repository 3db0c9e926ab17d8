//! Mapping profiles: how one institution's checkup CSV is laid out (docs/import-profiles.md).
//!
//! A profile is a TOML file: the layout (`wide`: one row per examinee and visit, one column per
//! item; `long`: one row per item), the encoding, the identity and date columns, and for every
//! item its OHCC or JLAC10 code, the unit of the source values and the value parser.
//! Columns are named by their header text or by position (`@3`, 1-based).

use iphr_domain::event::CheckupKind;
use iphr_domain::ohcc::{ItemCode, ItemTable};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Row layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// One row per examinee and visit, one column per item.
    Wide,
    /// One row per item.
    Long,
}

/// Encoding of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum EncodingName {
    /// Detect.
    #[default]
    Auto,
    /// UTF-8 (`utf8` or `utf-8`).
    #[serde(alias = "utf-8", alias = "UTF-8", alias = "UTF8")]
    Utf8,
    /// CP932 / Shift_JIS (`cp932`, `shift_jis`, `sjis`, `windows-31j`).
    #[serde(alias = "CP932", alias = "shift_jis", alias = "Shift_JIS", alias = "sjis", alias = "windows-31j")]
    Cp932,
}

/// How a cell becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Parser {
    /// A number with optional comparator and H/L mark, converted to the OHCC unit.
    #[default]
    Number,
    /// A urine grade (－ ± ＋ 2+ 3+).
    Grade,
    /// A code of the item's value set, through `values` where the source uses other codes.
    Coded,
    /// Free text.
    Text,
}

/// Identity columns.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityColumns {
    /// 社員番号.
    pub employee_number: Option<String>,
    /// Full name (family and given separated by a space).
    pub name: Option<String>,
    /// 姓.
    pub family_name: Option<String>,
    /// 名.
    pub given_name: Option<String>,
    /// Full name in kana.
    pub kana: Option<String>,
    /// 生年月日.
    pub birth_date: Option<String>,
    /// 性別.
    pub sex: Option<String>,
    /// Source value → `male` / `female` (default: 1/2, 男/女, M/F).
    #[serde(default)]
    pub sex_values: BTreeMap<String, String>,
    /// 保険者番号.
    pub insurer_number: Option<String>,
    /// 記号.
    pub insured_symbol: Option<String>,
    /// 番号.
    pub insured_number: Option<String>,
}

/// The visit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventColumns {
    /// 受診日.
    pub date: String,
    /// Column with the checkup kind.
    pub kind_column: Option<String>,
    /// Source kind → checkup kind (`periodic`, `hire`, `specific_work`, `special`, `dock`, `tokutei`, `cancer`).
    #[serde(default)]
    pub kind_values: BTreeMap<String, String>,
}

/// One item: in a wide profile with its column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Column (wide layout only).
    pub column: Option<String>,
    /// OHCC item code.
    pub ohcc: Option<String>,
    /// JLAC10 17-character code (mapped through the OHCC conversion table).
    pub jlac10: Option<String>,
    /// Unit of the source values; default: the OHCC unit.
    pub unit: Option<String>,
    /// Parser; default: the item's own (number, grade for urine dipstick items, coded, text).
    #[serde(default)]
    pub parser: Option<Parser>,
    /// Source value → OHCC value code (coded items).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// A separate H/L column (wide layout).
    pub flag_column: Option<String>,
}

/// Columns of a long layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LongColumns {
    /// Item code column.
    pub code: String,
    /// What the codes are: `jlac10`, `ohcc` or `local` (then `[long.local]`).
    pub code_system: CodeSystem,
    /// Item name column (kept as the source text).
    pub name: Option<String>,
    /// Value column.
    pub value: String,
    /// Unit column.
    pub unit: Option<String>,
    /// H/L column.
    pub flag: Option<String>,
    /// Local codes → items.
    #[serde(default)]
    pub local: BTreeMap<String, ItemSpec>,
}

/// The code system of a long layout's code column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeSystem {
    /// JLAC10 17-character codes.
    Jlac10,
    /// OHCC item codes.
    Ohcc,
    /// The institution's own codes, mapped in `[long.local]`.
    Local,
}

/// A mapping profile.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Name shown in reports.
    pub name: String,
    /// The checkup institution (recorded on each visit).
    pub institution: Option<String>,
    /// Its 医療機関番号 (10 digits: 都道府県番号, 点数表番号, 医療機関コード), recorded on each visit
    /// and written in FHIR exports (the Bundle identifier of the eCheckup IG).
    pub institution_number: Option<String>,
    /// Layout.
    pub layout: Layout,
    /// Encoding.
    #[serde(default)]
    pub encoding: EncodingName,
    /// Field delimiter (one character; default `,`).
    #[serde(default = "comma")]
    pub delimiter: char,
    /// Data lines starting with this are skipped (e.g. CC2X's third `#` header line).
    pub comment_prefix: Option<String>,
    /// Physical lines before the header: every line counts, blank ones too (a title line and a
    /// blank line are 2).
    #[serde(default)]
    pub skip_lines: usize,
    /// Lines of the header (default 1): with 2 or more, a column is named by the text of any
    /// one of its header cells or by all of them joined with `/` (`血液検査/AST`).
    #[serde(default = "one")]
    pub header_rows: usize,
    /// The header text expected at positions (`"@3" = "社員番号"`): a file whose header differs
    /// there is refused, naming the column — positional columns are otherwise never checked.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A line whose first cell starts with this (e.g. `合計`) is the footer: it and every line
    /// after it are not data.
    pub footer_prefix: Option<String>,
    /// The last N non-blank lines of the file are a footer (totals, notes), not data.
    #[serde(default)]
    pub footer_lines: usize,
    /// Checkup kind when no kind column says otherwise.
    #[serde(default = "periodic")]
    pub checkup_kind: String,
    /// Identity columns.
    pub identity: IdentityColumns,
    /// Visit columns.
    pub event: EventColumns,
    /// Items (wide layout).
    #[serde(default)]
    pub items: Vec<ItemSpec>,
    /// Long layout columns.
    pub long: Option<LongColumns>,
}

fn one() -> usize {
    1
}
fn comma() -> char {
    ','
}
fn periodic() -> String {
    "periodic".into()
}

/// A problem in a profile, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("profile {profile}: {field}: {reason}")]
pub struct ProfileError {
    /// Profile file or name.
    pub profile: String,
    /// Field (e.g. `items[3].ohcc`).
    pub field: String,
    /// Reason.
    pub reason: String,
}

/// An item spec resolved against the OHCC table.
#[derive(Debug, Clone)]
pub struct ResolvedItem {
    /// The OHCC item.
    pub item: ItemCode,
    /// The code as the source names it (JLAC10 or OHCC or local).
    pub source_code: String,
    /// The spec.
    pub spec: ItemSpec,
}

impl Profile {
    /// Parses a profile; `origin` names it in errors (the file path).
    pub fn parse(origin: &str, text: &str) -> Result<Self, ProfileError> {
        let p: Profile = toml::from_str(text).map_err(|e| ProfileError {
            profile: origin.into(),
            field: "(file)".into(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        let err = |field: String, reason: String| ProfileError { profile: origin.into(), field, reason };
        if let Some(n) = &p.institution_number
            && !crate::fhir_export::valid_institution_number(n)
        {
            return Err(err(
                "institution_number".into(),
                format!("{n:?} is not a 医療機関番号 (10 digits: 都道府県番号 00–47, 点数表番号 1–3, 7 digits)"),
            ));
        }
        if !(1..=10).contains(&p.header_rows) {
            return Err(err("header_rows".into(), format!("{} header lines: give 1 to 10", p.header_rows)));
        }
        for (k, v) in &p.headers {
            if column_position(k).is_none() {
                return Err(err(format!("headers.{k}"), "a key is a position \"@N\" (1-based)".into()));
            }
            if v.trim().is_empty() {
                return Err(err(format!("headers.{k}"), "empty: give the header text expected there".into()));
            }
        }
        if p.footer_prefix.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return Err(err("footer_prefix".into(), "empty: it would make every line a footer".into()));
        }
        if p.footer_prefix.is_some() && p.footer_lines > 0 {
            return Err(err("footer_lines".into(), "give footer_prefix or footer_lines, not both".into()));
        }
        if CheckupKind::parse(&p.checkup_kind).is_none() {
            return Err(err("checkup_kind".into(), format!("unknown kind {:?}", p.checkup_kind)));
        }
        for (k, v) in &p.event.kind_values {
            if CheckupKind::parse(v).is_none() {
                return Err(err(format!("event.kind_values.{k}"), format!("unknown kind {v:?}")));
            }
        }
        match p.layout {
            Layout::Wide if p.items.is_empty() => {
                return Err(err("items".into(), "a wide profile lists its items".into()));
            }
            Layout::Wide if p.items.iter().any(|i| i.column.is_none()) => {
                let i = p.items.iter().position(|i| i.column.is_none()).unwrap_or(0);
                return Err(err(format!("items[{i}].column"), "missing".into()));
            }
            Layout::Long if p.long.is_none() => {
                return Err(err("long".into(), "a long profile has a [long] table".into()));
            }
            _ => {}
        }
        if p.identity.employee_number.is_none() && (p.identity.kana.is_none() || p.identity.birth_date.is_none()) {
            return Err(err(
                "identity".into(),
                "needs employee_number, or kana and birth_date (and sex) to match persons".into(),
            ));
        }
        Ok(p)
    }

    /// Resolves every item to its OHCC item; an unknown code is a profile error.
    pub fn resolve_items(&self, origin: &str, table: &ItemTable) -> Result<Vec<ResolvedItem>, ProfileError> {
        let specs: Vec<(String, &ItemSpec)> = match self.layout {
            Layout::Wide => self.items.iter().enumerate().map(|(i, s)| (format!("items[{i}]"), s)).collect(),
            Layout::Long => self
                .long
                .as_ref()
                .map(|l| l.local.iter().map(|(k, s)| (format!("long.local.{k}"), s)).collect())
                .unwrap_or_default(),
        };
        specs.into_iter().map(|(field, s)| resolve(origin, &field, s, table)).collect()
    }
}

/// The 0-based column of a positional spec `@N` (N ≥ 1).
pub fn column_position(spec: &str) -> Option<usize> {
    spec.strip_prefix('@')?.parse::<usize>().ok()?.checked_sub(1)
}

/// Resolves one spec.
pub fn resolve(origin: &str, field: &str, s: &ItemSpec, table: &ItemTable) -> Result<ResolvedItem, ProfileError> {
    let err = |f: &str, reason: String| ProfileError { profile: origin.into(), field: format!("{field}.{f}"), reason };
    let (def, source_code) = match (&s.ohcc, &s.jlac10) {
        (Some(o), None) => {
            (table.get_str(o).ok_or_else(|| err("ohcc", format!("{o} is not in the OHCC table")))?, o.clone())
        }
        (None, Some(j)) => {
            (table.by_jlac10(j).ok_or_else(|| err("jlac10", format!("{j} maps to no OHCC item")))?, j.clone())
        }
        _ => return Err(err("ohcc", "give exactly one of ohcc or jlac10".into())),
    };
    for code in s.values.values() {
        if table.value_label(&def.item, code).is_none() {
            return Err(err("values", format!("{code:?} is not in the value set of {}", def.item)));
        }
    }
    Ok(ResolvedItem { item: def.item, source_code, spec: s.clone() })
}

/// The mapping profiles shipped in `profiles/` (file stem, TOML text), for the web upload page;
/// the CLI reads any profile file (`--profile PATH`).
pub const SHIPPED: [(&str, &str); 5] = [
    ("minato-wide", include_str!("../../../profiles/minato-wide.toml")),
    ("sakura-cp932", include_str!("../../../profiles/sakura-cp932.toml")),
    ("hokuto-long", include_str!("../../../profiles/hokuto-long.toml")),
    ("cc2x", include_str!("../../../profiles/cc2x.toml")),
    ("iphr-export", include_str!("../../../profiles/iphr-export.toml")),
];

/// A shipped profile by its file stem.
pub fn shipped(stem: &str) -> Option<Result<Profile, ProfileError>> {
    SHIPPED.iter().find(|(s, _)| *s == stem).map(|(s, text)| Profile::parse(&format!("profiles/{s}.toml"), text))
}
