//! Reading the rule tables (embedded, and a company's overrides merged row by row).

use super::*;

/// A problem in a rule table, naming the table, row and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("rule table {table}, row {row}, field {field}: {reason}")]
pub struct RuleTableError {
    /// Table name.
    pub table: String,
    /// 1-based data row (0 = the table as a whole).
    pub row: usize,
    /// Field.
    pub field: String,
    /// Reason.
    pub reason: String,
}

fn terr(table: &str, row: usize, field: &str, reason: impl Into<String>) -> RuleTableError {
    RuleTableError { table: table.into(), row, field: field.into(), reason: reason.into() }
}

/// Converts a value between units for the rules (implemented by the conversion crate's unit table).
pub trait UnitConvert {
    /// `value` in `from` expressed in `to`, for the OHCC `item`; `None` when no conversion is known.
    fn convert(&self, item: &str, value: f64, from: &str, to: &str) -> Option<f64>;
}

/// Unit conversion that only accepts notation variants of the same unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotationOnly;

/// A unit spelled for comparison: `10^4/uL`, `10*4/uL` and `10^4/μL` are the same.
pub fn unit_key(u: &str) -> String {
    u.trim().replace('*', "^").replace(['μ', 'µ'], "u").replace(' ', "").to_lowercase()
}

impl UnitConvert for NotationOnly {
    fn convert(&self, _item: &str, value: f64, from: &str, to: &str) -> Option<f64> {
        if from == to {
            return Some(value);
        }
        (unit_key(from) == unit_key(to)).then_some(value)
    }
}

/// The rule tables (embedded, possibly with company overrides).
#[derive(Debug, Clone)]
pub struct Rules {
    /// Version label: the embedded editions plus `+company` when overridden.
    pub version: String,
    /// Analytes.
    pub analytes: Vec<Analyte>,
    /// Bands.
    pub bands: Vec<Band>,
    /// Combined items.
    pub combinations: Vec<Combination>,
    /// Urgent rows.
    pub urgent: Vec<UrgentRule>,
    /// Settings.
    pub settings: Settings,
    /// Guidance per category letter.
    pub guidance: BTreeMap<String, GuidanceRow>,
    /// 二次健診 screen.
    pub niji: BTreeMap<String, f64>,
    /// Stratification thresholds.
    pub strat: BTreeMap<String, f64>,
    /// The long-hours rules (面接指導 triggers and 36協定 caps) by sector profile.
    pub overtime: crate::overtime::OvertimeRules,
    pub(super) texts: BTreeMap<String, String>,
    /// Per analyte (by position in `analytes`): its bands, the decimals of its bounds, its
    /// urgent rows.
    pub(super) by_analyte: Vec<Vec<usize>>,
    pub(super) decimals: Vec<u32>,
    pub(super) urgent_of: Vec<Vec<usize>>,
}

type Row = BTreeMap<String, String>;

fn read_rows(table: &str, text: &str) -> Result<Vec<Row>, RuleTableError> {
    let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| terr(table, 0, "header", e.to_string()))?.clone();
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| terr(table, i + 1, "row", e.to_string()))?;
        out.push(headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect());
    }
    Ok(out)
}

fn field<'a>(table: &str, i: usize, r: &'a Row, f: &str) -> Result<&'a str, RuleTableError> {
    r.get(f).map(String::as_str).ok_or_else(|| terr(table, i + 1, f, "missing column"))
}

fn opt_num(table: &str, i: usize, r: &Row, f: &str) -> Result<Option<(f64, u32)>, RuleTableError> {
    let s = field(table, i, r, f)?;
    if s.is_empty() {
        return Ok(None);
    }
    let v: f64 = s.parse().map_err(|_| terr(table, i + 1, f, format!("{s:?} is not a number")))?;
    let decimals = s.split_once('.').map_or(0, |(_, d)| d.len() as u32);
    Ok(Some((v, decimals)))
}

fn date(table: &str, i: usize, r: &Row, f: &str) -> Result<Option<NaiveDate>, RuleTableError> {
    let s = field(table, i, r, f)?;
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| terr(table, i + 1, f, format!("{s:?} is not a date (YYYY-MM-DD)")))
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

fn edition_of(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# edition:").map(|e| e.trim().to_string()))
}

fn parse_analytes(text: &str) -> Result<Vec<Analyte>, RuleTableError> {
    let t = "analytes";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let reading = match field(t, i, r, "reading")? {
                "first" => Reading::First,
                "mean" => Reading::Mean,
                other => return Err(terr(t, i + 1, "reading", format!("{other:?}: expected first or mean"))),
            };
            let items = words(field(t, i, r, "items")?);
            if items.is_empty() {
                return Err(terr(t, i + 1, "items", "no OHCC item"));
            }
            let treated = field(t, i, r, "treated_by")?;
            Ok(Analyte {
                key: field(t, i, r, "analyte")?.to_string(),
                label_ja: field(t, i, r, "label_ja")?.to_string(),
                label_en: field(t, i, r, "label_en")?.to_string(),
                items,
                reading,
                treated_by: (!treated.is_empty()).then(|| treated.to_string()),
            })
        })
        .collect()
}

fn parse_bands(text: &str) -> Result<Vec<Band>, RuleTableError> {
    let t = "thresholds";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let sex = match field(t, i, r, "sex")? {
                "all" => SexFilter::All,
                "M" => SexFilter::Male,
                "F" => SexFilter::Female,
                other => return Err(terr(t, i + 1, "sex", format!("{other:?}: expected all, M or F"))),
            };
            let cat = field(t, i, r, "category")?;
            let category = Category::parse(cat)
                .filter(|c| *c != Category::E)
                .ok_or_else(|| terr(t, i + 1, "category", format!("{cat:?}: expected A, B, C, D, D1 or D2")))?;
            let lower = opt_num(t, i, r, "lower")?;
            let upper = opt_num(t, i, r, "upper")?;
            let codes = words(field(t, i, r, "qualitative")?);
            if lower.is_none() && upper.is_none() && codes.is_empty() {
                return Err(terr(t, i + 1, "lower", "a band needs a bound or qualitative codes"));
            }
            let v = field(t, i, r, "verified")?;
            Ok(Band {
                analyte: field(t, i, r, "analyte")?.to_string(),
                sex,
                category,
                lower: lower.map(|x| x.0),
                upper: upper.map(|x| x.0),
                decimals: lower.map_or(0, |x| x.1).max(upper.map_or(0, |x| x.1)),
                codes,
                effective_from: date(t, i, r, "effective_from")?
                    .ok_or_else(|| terr(t, i + 1, "effective_from", "required"))?,
                effective_to: date(t, i, r, "effective_to")?,
                unit: field(t, i, r, "unit")?.to_string(),
                verified: Verified::parse(v)
                    .ok_or_else(|| terr(t, i + 1, "verified", format!("{v:?}: expected yes, partial or no")))?,
                edition: field(t, i, r, "edition")?.to_string(),
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_combinations(text: &str) -> Result<Vec<Combination>, RuleTableError> {
    let t = "combinations";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let method = match field(t, i, r, "method")? {
                "worst" => CombineMethod::Worst,
                "diabetic_pair" => CombineMethod::DiabeticPair,
                "escalate" => CombineMethod::Escalate,
                other => {
                    return Err(terr(
                        t,
                        i + 1,
                        "method",
                        format!("{other:?}: expected worst, diabetic_pair or escalate"),
                    ));
                }
            };
            Ok(Combination {
                group: field(t, i, r, "group")?.to_string(),
                label_ja: field(t, i, r, "label_ja")?.to_string(),
                label_en: field(t, i, r, "label_en")?.to_string(),
                members: words(field(t, i, r, "members")?),
                modifiers: words(field(t, i, r, "modifiers")?),
                method,
                param: field(t, i, r, "param")?.to_string(),
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_urgent(text: &str) -> Result<Vec<UrgentRule>, RuleTableError> {
    let t = "urgent";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let tier = field(t, i, r, "tier")?;
            let v = field(t, i, r, "verified")?;
            let low_le = opt_num(t, i, r, "low_le")?.map(|x| x.0);
            let high_ge = opt_num(t, i, r, "high_ge")?.map(|x| x.0);
            if low_le.is_none() && high_ge.is_none() {
                return Err(terr(t, i + 1, "high_ge", "a row needs low_le or high_ge"));
            }
            Ok(UrgentRule {
                tier: UrgentTier::parse(tier)
                    .ok_or_else(|| terr(t, i + 1, "tier", format!("{tier:?}: expected panic or referral")))?,
                analyte: field(t, i, r, "analyte")?.to_string(),
                unit: field(t, i, r, "unit")?.to_string(),
                low_le,
                high_ge,
                action_ja: field(t, i, r, "action_ja")?.to_string(),
                verified: Verified::parse(v)
                    .ok_or_else(|| terr(t, i + 1, "verified", format!("{v:?}: expected yes, partial or no")))?,
                source: field(t, i, r, "source")?.to_string(),
            })
        })
        .collect()
}

fn parse_key_values(table: &str, text: &str) -> Result<BTreeMap<String, String>, RuleTableError> {
    read_rows(table, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| Ok((field(table, i, r, "key")?.to_string(), field(table, i, r, "value")?.to_string())))
        .collect()
}

fn numbers(table: &str, kv: &BTreeMap<String, String>) -> Result<BTreeMap<String, f64>, RuleTableError> {
    kv.iter()
        .map(|(k, v)| {
            v.parse::<f64>().map(|n| (k.clone(), n)).map_err(|_| terr(table, 0, k, format!("{v:?} is not a number")))
        })
        .collect()
}

fn parse_settings(text: &str) -> Result<Settings, RuleTableError> {
    let t = "settings";
    let kv = parse_key_values(t, text)?;
    let get = |k: &str| kv.get(k).map(String::as_str).ok_or_else(|| terr(t, 0, k, "missing key"));
    let num = |k: &str| -> Result<u32, RuleTableError> {
        let v = get(k)?;
        v.parse().map_err(|_| terr(t, 0, k, format!("{v:?} is not a whole number")))
    };
    Ok(Settings {
        opinion_months: num("opinion_months")?,
        self_initiated_opinion_months: num("self_initiated_opinion_months")?,
        followup_days: num("followup_days")?,
        panic_contact_hours: num("panic_contact_hours")?,
        niji_claim_months: num("niji_claim_months")?,
        e_ranking: match get("e_ranking")? {
            "apart" => ERanking::Apart,
            "above_d" => ERanking::AboveD,
            "by_value" => ERanking::ByValue,
            other => return Err(terr(t, 0, "e_ranking", format!("{other:?}: expected apart, above_d or by_value"))),
        },
        d_split: match get("d_split")? {
            "yes" => true,
            "no" => false,
            other => return Err(terr(t, 0, "d_split", format!("{other:?}: expected yes or no"))),
        },
        overtime_profile: get("overtime_profile")?.to_string(),
        work_env_class_from: match num("work_env_class_from")? {
            n @ 1..=3 => n,
            n => return Err(terr(t, 0, "work_env_class_from", format!("{n}: a 管理区分 is 1, 2 or 3"))),
        },
        work_env_risk_from: {
            let v = get("work_env_risk_from")?;
            if risk_rank(v).is_none() {
                return Err(terr(t, 0, "work_env_risk_from", format!("{v:?}: one of {}", RISK_LEVELS.join(", "))));
            }
            v.to_string()
        },
        special_due_soon_days: num("special_due_soon_days")?,
        finding_from: {
            let v = get("finding_from")?;
            if !matches!(Category::parse(v), Some(Category::B | Category::C | Category::D)) {
                return Err(terr(t, 0, "finding_from", format!("{v:?}: one of B, C, D")));
            }
            v.to_string()
        },
        patrol_interval_months: match num("patrol_interval_months")? {
            n @ 1..=2 => n,
            n => {
                return Err(terr(t, 0, "patrol_interval_months", format!("{n}: 安衛則15条 allows 1 or 2 months")));
            }
        },
    })
}

fn parse_guidance(text: &str) -> Result<BTreeMap<String, GuidanceRow>, RuleTableError> {
    let t = "guidance";
    read_rows(t, text)?
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let g = field(t, i, r, "guidance")?;
            let w = field(t, i, r, "work_candidate")?;
            Ok((
                field(t, i, r, "category")?.to_string(),
                GuidanceRow {
                    guidance: GuidanceLevel::parse(g).ok_or_else(|| {
                        terr(t, i + 1, "guidance", format!("{g:?}: expected none, health or medical"))
                    })?,
                    work_candidate: WorkCategory::parse(w).ok_or_else(|| {
                        terr(
                            t,
                            i + 1,
                            "work_candidate",
                            format!("{w:?}: expected normal, consideration, restriction or leave"),
                        )
                    })?,
                },
            ))
        })
        .collect()
}

/// Merges company rows into an embedded table: rows whose key equals a company row's key are
/// replaced, other embedded rows stay. The key is the given columns.
fn merge_rows(table: &str, base: &str, company: &str, key: &[&str]) -> Result<String, RuleTableError> {
    let base_rows = read_rows(table, base)?;
    let company_rows = read_rows(table, company)?;
    let header: Vec<String> = {
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(base.as_bytes());
        rdr.headers().map_err(|e| terr(table, 0, "header", e.to_string()))?.iter().map(str::to_string).collect()
    };
    let k = |r: &Row| key.iter().map(|c| r.get(*c).cloned().unwrap_or_default()).collect::<Vec<_>>();
    for (i, r) in company_rows.iter().enumerate() {
        for h in &header {
            if !r.contains_key(h) {
                return Err(terr(table, i + 1, h, "missing column in the company table"));
            }
        }
    }
    let replaced: std::collections::HashSet<Vec<String>> = company_rows.iter().map(k).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut write = |r: &Row| {
        w.write_record(header.iter().map(|h| r.get(h).map(String::as_str).unwrap_or("")))
            .map_err(|e| terr(table, 0, "row", e.to_string()))
    };
    write(&header.iter().map(|h| (h.clone(), h.clone())).collect())?;
    for r in base_rows.iter().filter(|r| !replaced.contains(&k(r))) {
        write(r)?;
    }
    for r in &company_rows {
        write(r)?;
    }
    let bytes = w.into_inner().map_err(|e| terr(table, 0, "row", e.to_string()))?;
    let mut out = format!("# edition: {}+company\n", edition_of(base).unwrap_or_default());
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok(out)
}

/// The columns that identify a row of each table when a company overrides it.
fn override_key(table: &str) -> &'static [&'static str] {
    match table {
        "analytes" => &["analyte"],
        // A company replaces every band of an analyte at once (all editions and sexes).
        "thresholds" => &["analyte"],
        "combinations" => &["group"],
        "urgent" => &["tier", "analyte"],
        "guidance" => &["category"],
        "overtime" => &["profile", "rule"],
        _ => &["key"],
    }
}

impl Rules {
    /// The threshold (hours) of a long-hours rule in the company's sector profile
    /// (overtime-rules-v1.csv or its override); `None` where the profile has no such rule (e.g.
    /// no monthly cap for 自動車運転).
    pub fn overtime_threshold(&self, rule: crate::overtime::Rule) -> Option<f64> {
        self.overtime.profiles.get(&self.settings.overtime_profile).and_then(|p| p.get(&rule)).map(|t| t.threshold)
    }

    /// The embedded rule tables, parsed once per process; an error is a defect of the build.
    pub fn embedded() -> Result<&'static Self, RuleTableError> {
        static RULES: OnceLock<Result<Rules, RuleTableError>> = OnceLock::new();
        RULES.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    pub(super) fn parse_embedded() -> Result<Self, RuleTableError> {
        let texts: BTreeMap<String, String> =
            TABLE_NAMES.iter().filter_map(|n| embedded_table(n).map(|t| (n.to_string(), t.to_string()))).collect();
        Self::from_texts(texts)
    }

    /// The table texts in force (embedded, merged with a company's rows).
    pub fn table_text(&self, name: &str) -> Option<&str> {
        self.texts.get(name).map(String::as_str)
    }

    /// These rules with a company's rows for one table merged in (rows with the same key replace
    /// the embedded ones; for thresholds, all bands of an analyte are replaced together).
    pub fn with_override(&self, table: &str, company_csv: &str) -> Result<Self, RuleTableError> {
        self.with_overrides(&[(table, company_csv)])
    }

    /// The rules with several of a company's tables at once (table, rows): every table is merged
    /// first and the whole checked once, so that tables that refer to each other (an urgent or
    /// threshold row for an analyte the company's analyte table adds) combine in any order.
    pub fn with_overrides(&self, overrides: &[(&str, &str)]) -> Result<Self, RuleTableError> {
        if overrides.is_empty() {
            // Nothing to merge: these rules as they are, without parsing their tables again.
            return Ok(self.clone());
        }
        let mut texts = self.texts.clone();
        for (table, company_csv) in overrides {
            let base = texts.get(*table).ok_or_else(|| terr(table, 0, "table", "no such rule table"))?;
            let merged = merge_rows(table, base, company_csv, override_key(table))?;
            texts.insert((*table).to_string(), merged);
        }
        let mut rules = Self::from_texts(texts)?;
        if !overrides.is_empty() {
            rules.version = format!("{}+company", self.version.trim_end_matches("+company"));
        }
        Ok(rules)
    }

    pub(super) fn from_texts(texts: BTreeMap<String, String>) -> Result<Self, RuleTableError> {
        let text = |n: &str| texts.get(n).map(String::as_str).ok_or_else(|| terr(n, 0, "table", "missing"));
        let analytes = parse_analytes(text("analytes")?)?;
        let bands = parse_bands(text("thresholds")?)?;
        let combinations = parse_combinations(text("combinations")?)?;
        let urgent = parse_urgent(text("urgent")?)?;
        let settings = parse_settings(text("settings")?)?;
        let guidance = parse_guidance(text("guidance")?)?;
        let niji = numbers("niji", &parse_key_values("niji", text("niji")?)?)?;
        let strat = numbers("stratification", &parse_key_values("stratification", text("stratification")?)?)?;
        let overtime = crate::overtime::OvertimeRules::parse(text("overtime")?)
            .map_err(|e| terr("overtime", e.row, "row", e.reason))?;
        if !overtime.profiles.contains_key(&settings.overtime_profile) {
            return Err(terr(
                "settings",
                0,
                "overtime_profile",
                format!(
                    "{:?} is not a profile of the overtime table ({})",
                    settings.overtime_profile,
                    overtime.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let known: std::collections::HashSet<&str> = analytes.iter().map(|a| a.key.as_str()).collect();
        for (i, b) in bands.iter().enumerate() {
            if !known.contains(b.analyte.as_str()) {
                return Err(terr(
                    "thresholds",
                    i + 1,
                    "analyte",
                    format!("{:?} is not in the analyte table", b.analyte),
                ));
            }
        }
        for (i, u) in urgent.iter().enumerate() {
            if !known.contains(u.analyte.as_str()) {
                return Err(terr("urgent", i + 1, "analyte", format!("{:?} is not in the analyte table", u.analyte)));
            }
        }
        for (i, c) in combinations.iter().enumerate() {
            for m in c.members.iter().chain(&c.modifiers) {
                if !known.contains(m.as_str()) {
                    return Err(terr("combinations", i + 1, "members", format!("{m:?} is not in the analyte table")));
                }
            }
        }
        for k in [
            "sbp_ge",
            "dbp_ge",
            "ldl_ge",
            "hdl_lt",
            "tg_ge",
            "fpg_ge",
            "hba1c_ge",
            "bmi_ge",
            "waist_m_ge",
            "waist_f_ge",
        ] {
            if !niji.contains_key(k) {
                return Err(terr("niji", 0, k, "missing key"));
            }
        }
        for k in [
            "age_min",
            "age_max",
            "downgrade_age",
            "waist_m_ge",
            "waist_f_ge",
            "bmi_ge",
            "sbp_ge",
            "dbp_ge",
            "tg_fasting_ge",
            "tg_random_ge",
            "hdl_lt",
            "fpg_ge",
            "rpg_ge",
            "hba1c_ge",
        ] {
            if !strat.contains_key(k) {
                return Err(terr("stratification", 0, k, "missing key"));
            }
        }
        let pos: HashMap<&str, usize> = analytes.iter().enumerate().map(|(i, a)| (a.key.as_str(), i)).collect();
        let mut by_analyte: Vec<Vec<usize>> = vec![Vec::new(); analytes.len()];
        let mut decimals: Vec<u32> = vec![0; analytes.len()];
        let mut urgent_of: Vec<Vec<usize>> = vec![Vec::new(); analytes.len()];
        for (i, u) in urgent.iter().enumerate() {
            if let Some(v) = pos.get(u.analyte.as_str()).and_then(|p| urgent_of.get_mut(*p)) {
                v.push(i);
            }
        }
        for (i, b) in bands.iter().enumerate() {
            if let Some(p) = pos.get(b.analyte.as_str()).copied() {
                if let Some(v) = by_analyte.get_mut(p) {
                    v.push(i);
                }
                if let Some(d) = decimals.get_mut(p) {
                    *d = (*d).max(b.decimals);
                }
            }
        }
        let version = ["thresholds", "urgent", "settings"]
            .iter()
            .filter_map(|n| texts.get(*n).and_then(|t| edition_of(t)))
            .collect::<Vec<_>>()
            .join(";");
        Ok(Self {
            version,
            analytes,
            bands,
            combinations,
            urgent,
            settings,
            guidance,
            niji,
            strat,
            overtime,
            texts,
            by_analyte,
            decimals,
            urgent_of,
        })
    }

    /// Every OHCC item the rules read (for loading only what is needed).
    pub fn items_read(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .analytes
            .iter()
            .flat_map(|a| a.items.iter().cloned().chain(a.treated_by.iter().cloned()))
            .chain([INSTITUTION_OVERALL_ITEM.to_string(), SMOKING_ITEM.to_string()])
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// The edition a rule table's text names (`# edition: …`; a company override keeps the
    /// embedded table's comment lines).
    pub fn table_edition(&self, table: &str) -> String {
        self.texts
            .get(table)
            .and_then(|t| t.lines().find_map(|l| l.strip_prefix("# edition:")))
            .map(|e| e.trim().to_string())
            .unwrap_or_default()
    }
}
