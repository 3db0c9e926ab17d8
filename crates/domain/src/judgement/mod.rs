//! 診断区分 and the other post-checkup rules, as data.
//!
//! - **診断区分** per item and overall from reference values — 日本人間ドック・予防医療学会 判定区分
//!   (`data/judgement-ningen-dock-v1.csv`, one row per band with the edition in force, its sources
//!   and a verified flag; analytes and their OHCC items in `data/judgement-analytes-v1.csv`;
//!   combined items in `data/judgement-combinations-v1.csv`).
//! - **Urgent values** in two tiers (`data/urgent-values-v1.csv`; to be reviewed by the physician).
//! - **指導区分** proposal and the 就業区分 candidate (`data/guidance-v1.csv`).
//! - **Deadlines** and settings (`data/postcheckup-settings-v1.csv`; 安衛則51条の2).
//! - **二次健康診断等給付** screen (`data/niji-screen-v1.csv`; 労災保険法26条).
//! - **特定保健指導 階層化** 第4期 (`data/tokutei-stratification-4th.csv`).
//!
//! Every table can be overridden per company with rows in the same format ([`Rules::with_override`]).
//! Sources: 日本人間ドック・予防医療学会「判定区分」(2016-04-01 PDF and the current table as quoted
//! 2024–2025); 標準的な健診・保健指導プログラム (令和6年度版); 安衛則51条の2; 労災保険法26条; the decisions
//! on conflicting or missing society values are in `docs/rules/judgement-corrections.md`
//! (判定区分の補正記録), the full list in `docs/sources.md`.

mod judge;
mod model;
mod tables;

pub use model::*;
pub use tables::{NotationOnly, RuleTableError, Rules, UnitConvert, unit_key};

use crate::event::CheckupKind;
use crate::observation::{Comparator, RangeFlag, Value};
use crate::person::Sex;
use crate::postcheckup::{GuidanceLevel, WorkCategory};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

const ANALYTES_CSV: &str = include_str!("../../data/judgement-analytes-v1.csv");

const THRESHOLDS_CSV: &str = include_str!("../../data/judgement-ningen-dock-v1.csv");

const COMBINATIONS_CSV: &str = include_str!("../../data/judgement-combinations-v1.csv");

const URGENT_CSV: &str = include_str!("../../data/urgent-values-v1.csv");

const SETTINGS_CSV: &str = include_str!("../../data/postcheckup-settings-v1.csv");

const GUIDANCE_CSV: &str = include_str!("../../data/guidance-v1.csv");

const NIJI_CSV: &str = include_str!("../../data/niji-screen-v1.csv");

const STRAT_CSV: &str = include_str!("../../data/tokutei-stratification-4th.csv");

/// The OHCC item of the institution's overall 診断区分 (総合判定).
pub const INSTITUTION_OVERALL_ITEM: &str = "Az0010000Z";

/// The OHCC item of the smoking question (特定健診 質問票).
pub const SMOKING_ITEM: &str = "Aa0070000Z";

/// The rule tables a company can override, by name.
pub const TABLE_NAMES: [&str; 9] =
    ["analytes", "thresholds", "combinations", "urgent", "settings", "guidance", "niji", "stratification", "overtime"];

/// The embedded text of a rule table (what `iphr rules show` prints and a company override copies).
pub fn embedded_table(name: &str) -> Option<&'static str> {
    Some(match name {
        "analytes" => ANALYTES_CSV,
        "thresholds" => THRESHOLDS_CSV,
        "combinations" => COMBINATIONS_CSV,
        "urgent" => URGENT_CSV,
        "settings" => SETTINGS_CSV,
        "guidance" => GUIDANCE_CSV,
        "niji" => NIJI_CSV,
        "stratification" => STRAT_CSV,
        "overtime" => crate::overtime::RULES_CSV,
        _ => return None,
    })
}

fn add_months(d: NaiveDate, m: u32) -> NaiveDate {
    d.checked_add_months(Months::new(m)).unwrap_or(d)
}

fn round_to(v: f64, decimals: u32) -> f64 {
    let f = 10f64.powi(decimals as i32);
    (v * f).round() / f
}

/// A number with a fixed count of decimals (half away from zero), without the float formatter's
/// exact-digit machinery for the common small values.
fn fmt_num(v: f64, decimals: u32) -> String {
    let scale = 10i64.pow(decimals.min(6));
    let scaled = (v * scale as f64).round();
    if !scaled.is_finite() || scaled.abs() > 1e15 {
        return format!("{v:.prec$}", prec = decimals as usize);
    }
    let n = scaled as i64;
    let (sign, n) = if n < 0 { ("-", -n) } else { ("", n) };
    if decimals == 0 {
        format!("{sign}{n}")
    } else {
        format!("{sign}{}.{:0width$}", n / scale, n % scale, width = decimals.min(6) as usize)
    }
}

/// The age reached during the fiscal year (April–March) of a date (特定健診: 年度内に達する年齢;
/// 標準的な健診・保健指導プログラム 令和6年度版). By 年齢計算ニ関スル法律 an age is reached at the end
/// of the day before the birthday, so someone born on 1 April reaches it on 31 March, inside the fiscal
/// year: the age reached is the ordinary age on the 1 April that follows the fiscal year.
pub fn age_at_fiscal_year_end(birth: NaiveDate, on: NaiveDate) -> u32 {
    let next_fy_year = if on.month() >= 4 { on.year() + 1 } else { on.year() };
    let day_after = NaiveDate::from_ymd_opt(next_fy_year, 4, 1).unwrap_or(on);
    let mut age = day_after.year() - birth.year();
    if (day_after.month(), day_after.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod fmt_tests {
    use super::fmt_num;

    #[test]
    fn numbers_keep_the_precision_of_the_bounds() {
        assert_eq!(fmt_num(24.95, 1), "25.0");
        assert_eq!(fmt_num(24.94, 1), "24.9");
        assert_eq!(fmt_num(130.0, 0), "130");
        assert_eq!(fmt_num(0.7, 2), "0.70");
        assert_eq!(fmt_num(-1.25, 1), "-1.3");
        assert_eq!(fmt_num(5.0, 1), "5.0");
    }
}
