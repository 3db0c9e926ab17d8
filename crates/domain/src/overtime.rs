//! Long working hours: the 面接指導 triggers and the 36協定 caps over monthly hours, by sector
//! profile (`data/overtime-rules-v1.csv`; 安衛法66条の8〜66条の8の4, 労基法36条, 140条, 141条;
//! docs/sources.md [L-ANEI], [L-ANEISOKU], [L-ROKI]). Monthly hours come from attendance (`worktime` computes them from daily
//! records by the official formula).

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub(crate) const RULES_CSV: &str = include_str!("../data/overtime-rules-v1.csv");

/// OHCC item of a month's 時間外・休日労働時間 (the 面接指導 measure, 安衛則52条の2; ohcc-items-v1.csv).
pub const ITEM_OVERTIME_HOLIDAY: &str = "Fb0010000Z";
/// OHCC item of a month's 深夜業回数 (ohcc-items-v1.csv).
pub const ITEM_NIGHT_SHIFTS: &str = "Fc0010000Z";

/// A rule kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 時間外・休日 > 80 h: tell the worker their hours; interview on application.
    InterviewNotice,
    /// 研究開発業務 > 100 h: interview without application.
    InterviewRnd,
    /// 高度プロフェッショナル 健康管理時間 > 100 h: interview without application.
    InterviewKopro,
    /// 法定時間外 > 45 h in the month (special clause).
    Month45,
    /// More than 6 months over 45 h in the 協定 year.
    Over45Months,
    /// 時間外 + 休日 ≥ 100 h in a month.
    Month100,
    /// 時間外 + 休日 average over any 2–6 months > 80 h.
    Avg2To6,
    /// 法定時間外 over the 協定 year > the yearly cap.
    Year720,
}

impl Rule {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "interview_notice" => Rule::InterviewNotice,
            "interview_rnd" => Rule::InterviewRnd,
            "interview_kopro" => Rule::InterviewKopro,
            "month_45" => Rule::Month45,
            "over45_months" => Rule::Over45Months,
            "month_100" => Rule::Month100,
            "avg_2_6" => Rule::Avg2To6,
            "year_720" => Rule::Year720,
            _ => return None,
        })
    }
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Rule::InterviewNotice => "interview_notice",
            Rule::InterviewRnd => "interview_rnd",
            Rule::InterviewKopro => "interview_kopro",
            Rule::Month45 => "month_45",
            Rule::Over45Months => "over45_months",
            Rule::Month100 => "month_100",
            Rule::Avg2To6 => "avg_2_6",
            Rule::Year720 => "year_720",
        }
    }
}

/// One row of the rule table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Threshold {
    /// Threshold (hours; months for `over45_months`).
    pub threshold: f64,
    /// The "approaching" level.
    pub approach: f64,
    /// Verified against the statute.
    pub verified: bool,
    /// Legal basis.
    pub basis: String,
}

/// The rules by profile.
#[derive(Debug, Clone)]
pub struct OvertimeRules {
    /// profile → rule → threshold.
    pub profiles: BTreeMap<String, BTreeMap<Rule, Threshold>>,
    /// First month of the 協定 year (default April).
    pub year_start_month: u32,
}

/// A table problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("overtime rules row {row}: {reason}")]
pub struct OvertimeTableError {
    /// Row.
    pub row: usize,
    /// Reason.
    pub reason: String,
}

impl OvertimeRules {
    /// The embedded table, parsed once per process; an error is a defect of the build.
    pub fn embedded() -> Result<&'static Self, OvertimeTableError> {
        static RULES: OnceLock<Result<OvertimeRules, OvertimeTableError>> = OnceLock::new();
        RULES.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, OvertimeTableError> {
        Self::parse(RULES_CSV)
    }

    /// Parses a table in the embedded format.
    pub fn parse(text: &str) -> Result<Self, OvertimeTableError> {
        let mut profiles: BTreeMap<String, BTreeMap<Rule, Threshold>> = BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let err = |reason: String| OvertimeTableError { row: i + 1, reason };
            let r = rec.map_err(|e| err(e.to_string()))?;
            let f = |k: usize| r.get(k).unwrap_or("").trim();
            let rule = Rule::parse(f(1)).ok_or_else(|| err(format!("rule {:?}", f(1))))?;
            let num = |k: usize| f(k).parse::<f64>().map_err(|_| err(format!("{:?} is not a number", f(k))));
            profiles.entry(f(0).to_string()).or_default().insert(
                rule,
                Threshold { threshold: num(2)?, approach: num(3)?, verified: f(4) == "yes", basis: f(5).to_string() },
            );
        }
        if !profiles.contains_key("general") {
            return Err(OvertimeTableError { row: 0, reason: "no general profile".into() });
        }
        Ok(Self { profiles, year_start_month: 4 })
    }

    /// The first day of the 協定 year containing `month`.
    pub fn year_start(&self, month: NaiveDate) -> NaiveDate {
        let y = if month.month() >= self.year_start_month { month.year() } else { month.year() - 1 };
        NaiveDate::from_ymd_opt(y, self.year_start_month, 1).unwrap_or(month)
    }
}

/// One month of a worker's hours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MonthHours {
    /// 時間外・休日労働 for the 面接指導 rule (total − days ÷ 7 × 40).
    pub overtime_holiday: f64,
    /// 法定時間外労働 (beyond 8 h a day / 40 h a week).
    pub statutory_overtime: f64,
    /// 法定休日労働.
    pub holiday: f64,
    /// Night shifts.
    pub night_shifts: f64,
    /// 健康管理時間 beyond 40 h a week (高度プロフェッショナル).
    pub health_management: Option<f64>,
}

/// How serious a flag is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Close to a threshold.
    Approaching,
    /// A duty arises (notice, interview).
    Notice,
    /// A cap is exceeded.
    Violation,
}

/// A flag on a worker's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Rule.
    pub rule: Rule,
    /// Level.
    pub level: Level,
    /// The value compared.
    pub value: f64,
    /// The threshold.
    pub threshold: f64,
    /// Message.
    pub message_ja: String,
}

/// The evaluation of a worker's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthResult {
    /// The month's hours.
    pub hours: MonthHours,
    /// 法定時間外 in the 協定 year through this month.
    pub year_statutory_overtime: f64,
    /// Months over 45 h in the 協定 year through this month.
    pub over45_months: u32,
    /// The highest 2–6-month average of 時間外+休日 ending this month, with its window.
    pub max_average: Option<(u32, f64)>,
    /// Flags.
    pub flags: Vec<Flag>,
}

/// Who the worker is for the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerKind {
    /// 研究開発業務 (exempt from the caps; interview over 100 h).
    pub rnd: bool,
    /// 高度プロフェッショナル (no working-hour rules; 健康管理時間).
    pub kopro: bool,
}

impl From<crate::person::WorkRegime> for WorkerKind {
    fn from(r: crate::person::WorkRegime) -> Self {
        use crate::person::WorkRegime;
        WorkerKind { rnd: r == WorkRegime::ResearchDevelopment, kopro: r == WorkRegime::HighlyProfessional }
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

/// Evaluates `month` for a worker with their monthly history (months keyed by their first day;
/// missing months count as no data: averages need every month of their window).
pub fn evaluate(
    rules: &OvertimeRules,
    profile: &str,
    kind: WorkerKind,
    history: &BTreeMap<NaiveDate, MonthHours>,
    month: NaiveDate,
) -> Option<MonthResult> {
    let month = first_of_month(month);
    let hours = *history.get(&month)?;
    let table = rules.profiles.get(profile).or_else(|| rules.profiles.get("general"))?;
    let mut flags = Vec::new();
    let mut check = |rule: Rule, value: f64, strictly: bool, level: Level, msg: &dyn Fn(f64) -> String| {
        let Some(t) = table.get(&rule) else { return };
        let over = if strictly { value > t.threshold } else { value >= t.threshold };
        if over {
            flags.push(Flag { rule, level, value, threshold: t.threshold, message_ja: msg(t.threshold) });
        } else if value >= t.approach {
            flags.push(Flag {
                rule,
                level: Level::Approaching,
                value,
                threshold: t.threshold,
                message_ja: format!("{} に接近", msg(t.threshold)),
            });
        }
    };
    let oh = hours.overtime_holiday;
    // 高度プロフェッショナル: no working-hour rules, only 健康管理時間.
    if kind.kopro {
        if let Some(h) = hours.health_management {
            check(Rule::InterviewKopro, h, true, Level::Notice, &|t| {
                format!("健康管理時間 {t}時間超: 面接指導 (申出不要)")
            });
        }
    } else {
        check(Rule::InterviewNotice, oh, true, Level::Notice, &|t| {
            format!("時間外・休日 {t}時間超: 本人へ通知、申出により面接指導")
        });
        if kind.rnd {
            check(Rule::InterviewRnd, oh, true, Level::Notice, &|t| {
                format!("研究開発業務 {t}時間超: 面接指導 (申出不要)")
            });
        }
    }
    let start = rules.year_start(month);
    let in_year: Vec<&MonthHours> = history.range(start..=month).map(|(_, h)| h).collect();
    let year_statutory_overtime: f64 = in_year.iter().map(|h| h.statutory_overtime).sum();
    let over45_threshold = table.get(&Rule::Month45).map_or(45.0, |t| t.threshold);
    let over45_months = in_year.iter().filter(|h| h.statutory_overtime > over45_threshold).count() as u32;
    let mut max_average: Option<(u32, f64)> = None;
    for k in 2..=6u32 {
        let Some(from) = month.checked_sub_months(Months::new(k - 1)) else { continue };
        let window: Vec<&MonthHours> = history.range(from..=month).map(|(_, h)| h).collect();
        if window.len() as u32 != k {
            continue;
        }
        let avg = window.iter().map(|h| h.statutory_overtime + h.holiday).sum::<f64>() / f64::from(k);
        if max_average.is_none_or(|(_, m)| avg > m) {
            max_average = Some((k, avg));
        }
    }
    // 研究開発業務 and 高度プロフェッショナル are exempt from the 36協定 caps.
    if !kind.rnd && !kind.kopro {
        let so = hours.statutory_overtime;
        check(Rule::Month45, so, true, Level::Notice, &|t| format!("法定時間外 {t}時間超 (特別条項、年6回まで)"));
        check(Rule::Over45Months, f64::from(over45_months), true, Level::Violation, &|t| {
            format!("月{over45_threshold}時間超が協定年度で{t}回超")
        });
        check(Rule::Month100, so + hours.holiday, false, Level::Violation, &|t| format!("時間外+休日 {t}時間以上"));
        if let Some((k, avg)) = max_average {
            check(Rule::Avg2To6, avg, true, Level::Violation, &|t| format!("時間外+休日 {k}か月平均 {t}時間超"));
        }
        check(Rule::Year720, year_statutory_overtime, true, Level::Violation, &|t| {
            format!("法定時間外 協定年度累計 {t}時間超")
        });
    }
    Some(MonthResult { hours, year_statutory_overtime, over45_months, max_average, flags })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default()
    }

    fn rules() -> &'static OvertimeRules {
        match OvertimeRules::embedded() {
            Ok(r) => r,
            Err(e) => unreachable!("{e}"),
        }
    }

    fn h(oh: f64, so: f64, hol: f64) -> MonthHours {
        MonthHours { overtime_holiday: oh, statutory_overtime: so, holiday: hol, ..Default::default() }
    }

    fn flags(r: &Option<MonthResult>) -> Vec<(Rule, Level)> {
        r.as_ref().map(|r| r.flags.iter().map(|f| (f.rule, f.level)).collect()).unwrap_or_default()
    }

    fn one(m: MonthHours, kind: WorkerKind) -> Vec<(Rule, Level)> {
        let mut hist = BTreeMap::new();
        hist.insert(d(2025, 6), m);
        flags(&evaluate(rules(), "general", kind, &hist, d(2025, 6)))
    }

    #[test]
    fn interview_thresholds_below_at_and_above() {
        let g = WorkerKind::default();
        assert_eq!(one(h(71.9, 0.0, 0.0), g), vec![]);
        assert_eq!(one(h(72.0, 0.0, 0.0), g), vec![(Rule::InterviewNotice, Level::Approaching)]);
        assert_eq!(one(h(80.0, 0.0, 0.0), g), vec![(Rule::InterviewNotice, Level::Approaching)]);
        assert_eq!(one(h(80.1, 0.0, 0.0), g), vec![(Rule::InterviewNotice, Level::Notice)]);
        let rnd = WorkerKind { rnd: true, kopro: false };
        assert_eq!(
            one(h(100.0, 0.0, 0.0), rnd),
            vec![(Rule::InterviewNotice, Level::Notice), (Rule::InterviewRnd, Level::Approaching)]
        );
        assert_eq!(
            one(h(100.5, 0.0, 0.0), rnd),
            vec![(Rule::InterviewNotice, Level::Notice), (Rule::InterviewRnd, Level::Notice)]
        );
        // R&D work is exempt from the caps: 100 h of statutory overtime raises no cap flag.
        assert!(!one(h(120.0, 100.0, 0.0), rnd).iter().any(|(r, _)| matches!(r, Rule::Month100 | Rule::Month45)));
        let kopro = WorkerKind { rnd: false, kopro: true };
        let m = MonthHours { health_management: Some(100.5), ..h(150.0, 150.0, 0.0) };
        assert_eq!(one(m, kopro), vec![(Rule::InterviewKopro, Level::Notice)]);
        let m = MonthHours { health_management: Some(100.0), ..h(0.0, 0.0, 0.0) };
        assert_eq!(one(m, kopro), vec![(Rule::InterviewKopro, Level::Approaching)]);
    }

    #[test]
    fn monthly_caps_below_at_and_above() {
        let g = WorkerKind::default();
        assert_eq!(one(h(0.0, 39.9, 0.0), g), vec![]);
        assert_eq!(one(h(0.0, 40.0, 0.0), g), vec![(Rule::Month45, Level::Approaching)]);
        assert_eq!(one(h(0.0, 45.0, 0.0), g), vec![(Rule::Month45, Level::Approaching)]);
        assert_eq!(one(h(0.0, 45.5, 0.0), g), vec![(Rule::Month45, Level::Notice)]);
        // 100 h: 時間外 + 休日, "less than 100" — 99.9 approaches, 100 violates.
        assert!(one(h(0.0, 80.0, 19.9), g).contains(&(Rule::Month100, Level::Approaching)));
        assert!(one(h(0.0, 80.0, 20.0), g).contains(&(Rule::Month100, Level::Violation)));
        assert!(!one(h(0.0, 80.0, 9.9), g).iter().any(|(r, _)| *r == Rule::Month100));
    }

    #[test]
    fn rolling_averages_and_the_year() {
        let r = rules();
        let g = WorkerKind::default();
        let mut hist = BTreeMap::new();
        // Apr 90, May 70: 2-month average 80.0 (not over), then May 70.2: 80.1 (over).
        hist.insert(d(2025, 4), h(0.0, 60.0, 30.0));
        hist.insert(d(2025, 5), h(0.0, 50.0, 20.0));
        let res = evaluate(r, "general", g, &hist, d(2025, 5));
        assert_eq!(res.as_ref().and_then(|x| x.max_average), Some((2, 80.0)));
        assert!(flags(&res).contains(&(Rule::Avg2To6, Level::Approaching)));
        hist.insert(d(2025, 5), h(0.0, 50.2, 20.0));
        let res = evaluate(r, "general", g, &hist, d(2025, 5));
        assert!(flags(&res).contains(&(Rule::Avg2To6, Level::Violation)));
        // A missing month breaks the window.
        let mut gap = BTreeMap::new();
        gap.insert(d(2025, 3), h(0.0, 90.0, 0.0));
        gap.insert(d(2025, 5), h(0.0, 90.0, 0.0));
        assert_eq!(evaluate(r, "general", g, &gap, d(2025, 5)).and_then(|x| x.max_average), None);
        // Six-month average over 80 while every 2-month average of the last months is lower.
        let mut six = BTreeMap::new();
        for (m, v) in [(10, 100.0), (11, 99.0), (12, 99.0), (1, 60.0), (2, 61.0), (3, 65.0)] {
            six.insert(d(if m >= 10 { 2025 } else { 2026 }, m), h(0.0, v, 0.0));
        }
        let res = evaluate(r, "general", g, &six, d(2026, 3));
        assert_eq!(res.as_ref().and_then(|x| x.max_average).map(|(k, _)| k), Some(6));
        assert!(flags(&res).contains(&(Rule::Avg2To6, Level::Violation)));
        // Months over 45 h counted in the 協定 year (April–March): the 7th is a violation.
        let mut yr = BTreeMap::new();
        for m in 4..=10 {
            yr.insert(d(2025, m), h(0.0, 46.0, 0.0));
        }
        let six_months = evaluate(r, "general", g, &yr, d(2025, 9));
        assert_eq!(six_months.as_ref().map(|x| x.over45_months), Some(6));
        assert!(flags(&six_months).contains(&(Rule::Over45Months, Level::Approaching)));
        let seven = evaluate(r, "general", g, &yr, d(2025, 10));
        assert!(flags(&seven).contains(&(Rule::Over45Months, Level::Violation)));
        // March belongs to the year that began the April before; April starts a new count.
        assert_eq!(r.year_start(d(2026, 3)), d(2025, 4));
        assert_eq!(r.year_start(d(2026, 4)), d(2026, 4));
        // The year: 720 h of statutory overtime is the cap; 720.5 exceeds it; 648 approaches.
        let mut y = BTreeMap::new();
        for m in [4, 5, 6, 7, 8, 9, 10, 11, 12] {
            y.insert(d(2025, m), h(0.0, 80.0, 0.0));
        }
        let res = evaluate(r, "general", g, &y, d(2025, 12));
        assert_eq!(res.as_ref().map(|x| x.year_statutory_overtime), Some(720.0));
        assert!(flags(&res).contains(&(Rule::Year720, Level::Approaching)));
        y.insert(d(2025, 12), h(0.0, 80.5, 0.0));
        assert!(flags(&evaluate(r, "general", g, &y, d(2025, 12))).contains(&(Rule::Year720, Level::Violation)));
    }

    #[test]
    fn sector_profiles() {
        let r = rules();
        let g = WorkerKind::default();
        let mut hist = BTreeMap::new();
        hist.insert(d(2025, 6), h(0.0, 95.0, 10.0));
        // Drivers: no monthly 100 h cap.
        let f = flags(&evaluate(r, "driver", g, &hist, d(2025, 6)));
        assert!(!f.iter().any(|(x, _)| *x == Rule::Month100));
        assert!(f.contains(&(Rule::Month45, Level::Notice)));
        // General: violation.
        assert!(flags(&evaluate(r, "general", g, &hist, d(2025, 6))).contains(&(Rule::Month100, Level::Violation)));
        // Unknown profile: general.
        assert_eq!(
            flags(&evaluate(r, "nope", g, &hist, d(2025, 6))),
            flags(&evaluate(r, "general", g, &hist, d(2025, 6)))
        );
        assert_eq!(r.profiles.get("driver").and_then(|p| p.get(&Rule::Year720)).map(|t| t.threshold), Some(960.0));
        assert!(
            OvertimeRules::parse("profile,rule,threshold,approach,verified,basis\ngeneral,bogus,1,1,yes,x\n").is_err()
        );
    }
}
