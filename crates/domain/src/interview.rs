//! 面接指導の記録 — the MHLW sample 面接指導結果報告書 and 就業上の措置に係る意見書, used for both the
//! long-hours interview (安衛法66条の8, 66条の8の2, 66条の8の4) and the high-stress interview
//! (安衛法66条の10第3項). The record is kept 5 years (安衛則52条の6, 52条の18). Choices are the table
//! `data/interview-form-v1.csv` (source and edition in it); a form is parsed into an
//! [`InterviewReport`] and an [`InterviewOpinion`], every error naming its field.

use crate::postcheckup::LegalWorkCategory;
use crate::stress::Section;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const FORM_CSV: &str = include_str!("../data/interview-form-v1.csv");

/// Which interview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterviewKind {
    /// 長時間労働者の面接指導 (安衛法66条の8 and its R&D / 高プロ variants).
    LongHours,
    /// 高ストレス者の面接指導 (安衛法66条の10第3項).
    HighStress,
}

impl InterviewKind {
    /// Stable text form (the events' subkind).
    pub fn as_str(&self) -> &'static str {
        match self {
            InterviewKind::LongHours => "long_hours",
            InterviewKind::HighStress => "high_stress",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "long_hours" => Some(InterviewKind::LongHours),
            "high_stress" => Some(InterviewKind::HighStress),
            _ => None,
        }
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            InterviewKind::LongHours => "長時間労働者の面接指導",
            InterviewKind::HighStress => "高ストレス者の面接指導",
        }
    }
}

/// One choice of the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// Code as on the form (0–6, a–e).
    pub code: String,
    /// Label.
    pub label_ja: String,
    /// What the choice needs besides: `text`, `date`, `hours`, `time_range` or nothing.
    pub needs: String,
}

/// The form's choices by field (`fatigue`, `findings`, `guidance`, `category`, `hours`, `other`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormTable {
    /// Choices per field, in the form's order.
    pub fields: BTreeMap<String, Vec<Choice>>,
    /// Edition.
    pub edition: String,
}

impl FormTable {
    /// The embedded form table (`data/interview-form-v1.csv`; 長時間労働者への面接指導 — 労働安全衛生法
    /// 第66条の8), parsed once per process; an error is a defect of the build.
    pub fn embedded() -> Result<&'static Self, String> {
        static TABLE: OnceLock<Result<FormTable, String>> = OnceLock::new();
        TABLE.get_or_init(Self::parse_embedded).as_ref().map_err(Clone::clone)
    }

    /// Parses the embedded table (once per process, through [`Self::embedded`]).
    fn parse_embedded() -> Result<Self, String> {
        let mut fields: BTreeMap<String, Vec<Choice>> = BTreeMap::new();
        let mut rdr = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(FORM_CSV.as_bytes());
        for (i, rec) in rdr.records().enumerate() {
            let r = rec.map_err(|e| format!("interview-form row {}: {e}", i + 1))?;
            let f = |k: usize| r.get(k).unwrap_or("").trim().to_string();
            fields.entry(f(0)).or_default().push(Choice { code: f(1), label_ja: f(2), needs: f(3) });
        }
        for k in ["fatigue", "findings", "guidance", "category", "hours", "other"] {
            if !fields.contains_key(k) {
                return Err(format!("interview-form: no rows for {k}"));
            }
        }
        let edition = FORM_CSV
            .lines()
            .find_map(|l| l.strip_prefix("# edition:"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        Ok(Self { fields, edition })
    }

    /// The choices of a field.
    pub fn choices(&self, field: &str) -> &[Choice] {
        self.fields.get(field).map_or(&[], Vec::as_slice)
    }

    fn choice(&self, field: &str, code: &str) -> Option<&Choice> {
        self.choices(field).iter().find(|c| c.code == code)
    }
}

/// A chosen item with its label (as stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chosen {
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
}

/// 面接指導結果報告書.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewReport {
    /// Which interview.
    pub kind: InterviewKind,
    /// 面接実施年月日.
    pub interviewed_on: NaiveDate,
    /// 勤務の状況 (労働時間、労働時間以外の要因).
    pub work_situation: String,
    /// 疲労の蓄積の状況 (長時間労働者: required).
    pub fatigue: Option<Chosen>,
    /// 心理的な負担の状況: the stress check's A / B / C sums (高ストレス者: required).
    pub stress_abc: Option<[u32; 3]>,
    /// 医学的所見に関する特記事項.
    pub psych_notes: String,
    /// その他の心身の状況: `None` = 所見なし, else the finding.
    pub findings: Option<String>,
    /// 本人への指導区分 (several allowed; 0 alone).
    pub guidance: Vec<Chosen>,
    /// 要再面接 の時期.
    pub reinterview_on: Option<NaiveDate>,
    /// その他特記事項.
    pub notes: String,
}

/// 就業上の措置に係る意見書.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InterviewOpinion {
    /// 就業区分 (0 通常勤務 / 1 就業制限・配慮 / 2 要休業).
    pub category: Chosen,
    /// The legal category it is.
    pub legal: LegalWorkCategory,
    /// 労働時間の短縮 (several; 0 alone).
    pub hours: Vec<Chosen>,
    /// 時間外労働の制限: hours a month.
    pub overtime_limit: Option<u32>,
    /// 就業時間を制限: from–to.
    pub work_time: Option<(NaiveTime, NaiveTime)>,
    /// その他 (労働時間).
    pub hours_other: String,
    /// 労働時間以外の項目 (a–e).
    pub other: Vec<Chosen>,
    /// Their concrete content (required when any is chosen).
    pub other_detail: String,
    /// 措置期間.
    pub period: Option<(NaiveDate, NaiveDate)>,
    /// 職場環境の改善に関する意見.
    pub environment: String,
    /// 医療機関への受診配慮等.
    pub medical: String,
    /// その他 (連絡事項等).
    pub remarks: String,
}

/// A field of the form that is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Field name.
    pub field: String,
    /// Reason (Japanese, for the form).
    pub reason: String,
}

fn err(errors: &mut Vec<FieldError>, field: &str, reason: impl Into<String>) {
    errors.push(FieldError { field: field.into(), reason: reason.into() });
}

/// Parses a submitted form: `values(name)` gives every value of a field (checkboxes repeat).
pub fn parse_form(
    table: &FormTable,
    kind: InterviewKind,
    values: &dyn Fn(&str) -> Vec<String>,
) -> Result<(InterviewReport, InterviewOpinion), Vec<FieldError>> {
    let mut e = Vec::new();
    let one = |k: &str| values(k).into_iter().map(|v| v.trim().to_string()).find(|v| !v.is_empty()).unwrap_or_default();
    let date = |e: &mut Vec<FieldError>, k: &str, required: bool| -> Option<NaiveDate> {
        let v = one(k);
        if v.is_empty() {
            if required {
                err(e, k, "日付を入力してください");
            }
            return None;
        }
        NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map_err(|_| err(e, k, format!("{v:?} は日付 (YYYY-MM-DD) ではありません")))
            .ok()
    };
    let pick_one = |e: &mut Vec<FieldError>, field: &str, required: bool| -> Option<Chosen> {
        let v = one(field);
        if v.is_empty() {
            if required {
                err(e, field, "選択してください");
            }
            return None;
        }
        match table.choice(field, &v) {
            Some(c) => Some(Chosen { code: c.code.clone(), label: c.label_ja.clone() }),
            None => {
                err(e, field, format!("{v:?} は選択肢にありません"));
                None
            }
        }
    };
    let pick_many = |e: &mut Vec<FieldError>, field: &str| -> Vec<Chosen> {
        let mut out: Vec<Chosen> = Vec::new();
        for v in values(field).iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            match table.choice(field, v) {
                Some(c) if !out.iter().any(|x| x.code == c.code) => {
                    out.push(Chosen { code: c.code.clone(), label: c.label_ja.clone() })
                }
                Some(_) => {}
                None => err(e, field, format!("{v:?} は選択肢にありません")),
            }
        }
        out.sort_by(|a, b| a.code.cmp(&b.code));
        out
    };
    let interviewed_on = date(&mut e, "interviewed_on", true);
    let fatigue = pick_one(&mut e, "fatigue", kind == InterviewKind::LongHours);
    let stress_abc = {
        let raw = [one("stress_a"), one("stress_b"), one("stress_c")];
        if raw.iter().all(String::is_empty) {
            if kind == InterviewKind::HighStress {
                err(&mut e, "stress_a", "ストレスチェックの A・B・C の合計点を入力してください");
            }
            None
        } else {
            // Each section's sum lies between its item count and four times it (every item is
            // answered 1–4; the 57 items and their sections: stress::items, data/bjsq57-items.csv).
            let counts = crate::stress::items().map_or([0u32; 3], |items| {
                [Section::A, Section::B, Section::C]
                    .map(|sec| u32::try_from(items.iter().filter(|i| i.section == sec).count()).unwrap_or(0))
            });
            let mut abc = [0u32; 3];
            for (i, ((name, v), n_items)) in
                ["stress_a", "stress_b", "stress_c"].iter().zip(raw.iter()).zip(counts).enumerate()
            {
                match v.parse::<u32>() {
                    Ok(n) if (n_items..=4 * n_items).contains(&n) => {
                        if let Some(slot) = abc.get_mut(i) {
                            *slot = n;
                        }
                    }
                    _ => err(&mut e, name, format!("{v:?} は合計点ではありません ({n_items}〜{} 点)", 4 * n_items)),
                }
            }
            Some(abc)
        }
    };
    let findings = match pick_one(&mut e, "findings", true).map(|c| c.code) {
        Some(c) if c == "1" => {
            let t = one("findings_text");
            if t.is_empty() {
                err(&mut e, "findings_text", "所見ありの場合は内容を記入してください");
            }
            Some(t)
        }
        _ => None,
    };
    let guidance = pick_many(&mut e, "guidance");
    if guidance.is_empty() {
        err(&mut e, "guidance", "本人への指導区分を1つ以上選択してください");
    }
    if guidance.len() > 1 && guidance.iter().any(|g| g.code == "0") {
        err(&mut e, "guidance", "「措置不要」は他の区分と同時に選べません");
    }
    let reinterview_on = date(&mut e, "reinterview_on", guidance.iter().any(|g| g.code == "3"));

    let category = pick_one(&mut e, "category", true);
    let hours = pick_many(&mut e, "hours");
    if hours.len() > 1 && hours.iter().any(|h| h.code == "0") {
        err(&mut e, "hours", "「特に指示なし」は他の措置と同時に選べません");
    }
    let overtime_limit = if hours.iter().any(|h| h.code == "1") {
        let v = one("overtime_limit");
        // A limit at or above 100 h restricts nothing: 時間外・休日 is below 100 h a month by law
        // (労基法36条6項2号; overtime-rules-v1 month_100).
        match v.parse::<u32>() {
            Ok(n) if n < 100 => Some(n),
            _ => {
                err(&mut e, "overtime_limit", format!("時間外労働の上限 (時間/月) を 0〜99 で入力してください: {v:?}"));
                None
            }
        }
    } else {
        None
    };
    let work_time = if hours.iter().any(|h| h.code == "3") {
        let t = |k: &str| NaiveTime::parse_from_str(&one(k), "%H:%M").ok();
        match (t("work_from"), t("work_to")) {
            (Some(a), Some(b)) if a < b => Some((a, b)),
            _ => {
                err(&mut e, "work_from", "就業時間の制限は開始・終了 (HH:MM、開始が先) を入力してください");
                None
            }
        }
    } else {
        None
    };
    let hours_other = one("hours_other");
    if hours.iter().any(|h| h.code == "6") && hours_other.is_empty() {
        err(&mut e, "hours_other", "「その他」の内容を記入してください");
    }
    let other = pick_many(&mut e, "other");
    let other_detail = one("other_detail");
    if !other.is_empty() && other_detail.is_empty() {
        err(&mut e, "other_detail", "労働時間以外の措置の内容を具体的に記述してください");
    }
    let has_measures = hours.iter().any(|h| h.code != "0") || !other.is_empty();
    if category.as_ref().is_some_and(|c| c.code == "0") && has_measures {
        err(&mut e, "category", "「通常勤務」に就業上の措置は付けられません (就業制限・配慮を選んでください)");
    }
    let period = match (date(&mut e, "period_from", false), date(&mut e, "period_to", false)) {
        (Some(a), Some(b)) if a <= b => Some((a, b)),
        (Some(_), Some(_)) => {
            err(&mut e, "period_to", "措置期間の終わりが始まりより前です");
            None
        }
        (None, None) => {
            if has_measures {
                err(&mut e, "period_from", "措置には期間を入力してください");
            }
            None
        }
        _ => {
            err(&mut e, "period_to", "措置期間は始まりと終わりを入力してください");
            None
        }
    };
    if !e.is_empty() {
        return Err(e);
    }
    let (Some(interviewed_on), Some(category)) = (interviewed_on, category) else {
        return Err(vec![FieldError { field: "category".into(), reason: "選択してください".into() }]);
    };
    let legal = match category.code.as_str() {
        "0" => LegalWorkCategory::Normal,
        "2" => LegalWorkCategory::Leave,
        _ => LegalWorkCategory::Restricted,
    };
    Ok((
        InterviewReport {
            kind,
            interviewed_on,
            work_situation: one("work_situation"),
            fatigue,
            stress_abc,
            psych_notes: one("psych_notes"),
            findings,
            guidance,
            reinterview_on,
            notes: one("notes"),
        },
        InterviewOpinion {
            category,
            legal,
            hours,
            overtime_limit,
            work_time,
            hours_other,
            other,
            other_detail,
            period,
            environment: one("environment"),
            medical: one("medical"),
            remarks: one("remarks"),
        },
    ))
}

#[cfg(test)]
mod tests;
