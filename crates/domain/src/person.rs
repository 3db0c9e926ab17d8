//! The person (the owner of the lifelong record), their employments and assignments.
//!
//! The record is the person's and lifelong (the deck's 人生シームレスな記録): a person may be
//! employed by several companies over a life; workplace records belong to an employment and
//! carry its company, the person's own records belong to the person.

use crate::normalize::search_key;
use crate::{AssignmentId, CompanyId, DepartmentId, EmploymentId, EstablishmentId, ExposureId, PersonId};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// 性別 as recorded on the 健康診断個人票 (様式第5号) and in the 特定健診 CDA (1 male, 2 female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    Male,
    /// 女
    Female,
}

impl Sex {
    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sex that is not `male` or `female`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sex {0:?} (expected male or female)")]
pub struct UnknownSex(pub String);

impl FromStr for Sex {
    type Err = UnknownSex;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "male" | "M" | "m" | "1" | "男" | "男性" => Ok(Sex::Male),
            "female" | "F" | "f" | "2" | "女" | "女性" => Ok(Sex::Female),
            other => Err(UnknownSex(other.to_string())),
        }
    }
}

/// Health-insurance identifiers (保険者番号, 被保険者証等記号・番号). Never the My Number
/// (個人番号): iphr has no field for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsurerIds {
    /// 保険者番号 (8 digits for employee insurance).
    pub insurer_number: Option<String>,
    /// 被保険者証等記号.
    pub symbol: Option<String>,
    /// 被保険者証等番号.
    pub number: Option<String>,
}

/// A person: the subject and owner of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Id.
    pub id: PersonId,
    /// 姓.
    pub family_name: String,
    /// 名.
    pub given_name: String,
    /// 姓 (カナ).
    pub family_kana: String,
    /// 名 (カナ).
    pub given_kana: String,
    /// 性別.
    pub sex: Sex,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// Insurer identifiers.
    pub insurer: InsurerIds,
    /// 氏名 as the source delivered it, before it was split and normalised for the record
    /// (`normalize::name_for_record`); `None` when not known.
    #[serde(default)]
    pub name_as_delivered: Option<String>,
    /// Kana as the source delivered it (half-width, hiragana …), before `normalize::kana_for_record`.
    #[serde(default)]
    pub kana_as_delivered: Option<String>,
}

impl Person {
    /// Full name, family name first.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.family_name, self.given_name)
    }
    /// Full name in kana.
    pub fn full_kana(&self) -> String {
        format!("{} {}", self.family_kana, self.given_kana)
    }
    /// Age in completed years on a date.
    pub fn age_on(&self, date: NaiveDate) -> i32 {
        age_on(self.birth_date, date)
    }
    /// The normalised search key over name and kana (see [`search_key`]).
    pub fn search_key(&self) -> String {
        search_key(&format!("{}{} {}{}", self.family_name, self.given_name, self.family_kana, self.given_kana))
    }
}

/// Age in completed years on `date` for someone born on `birth`.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> i32 {
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// An employment: a person at a company (雇用).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Employment {
    /// Company (tenant).
    pub company_id: CompanyId,
    /// Id.
    pub id: EmploymentId,
    /// The person.
    pub person_id: PersonId,
    /// 社員番号 — unique within the company.
    pub employee_number: String,
    /// 雇入れ日.
    pub hire_date: NaiveDate,
    /// 退職日.
    pub leave_date: Option<NaiveDate>,
}

/// An assignment within an employment: where and what the person works, over time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Company (tenant).
    pub company_id: CompanyId,
    /// Id.
    pub id: AssignmentId,
    /// Employment.
    pub employment_id: EmploymentId,
    /// From (inclusive).
    pub valid_from: NaiveDate,
    /// To (inclusive); `None` while current.
    pub valid_to: Option<NaiveDate>,
    /// 事業場.
    pub establishment_id: EstablishmentId,
    /// 職制.
    pub department_id: DepartmentId,
    /// 役職.
    pub position: String,
    /// 作業内容.
    pub work_content: String,
    /// 深夜業 (22:00–5:00) — a 特定業務 under 安衛則13条1項3号ヌ, with a checkup every 6 months (安衛則45条).
    pub night_work: bool,
    /// 労働時間制度: which long-hours rules apply (研究開発業務, 高度プロフェッショナル or general).
    #[serde(default)]
    pub work_regime: WorkRegime,
}

/// 労働時間制度 of an assignment, as far as the 面接指導 rules and the 36協定 caps differ by it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkRegime {
    /// The general rules (安衛法66条の8; 労基法36条 caps).
    #[default]
    General,
    /// 新たな技術、商品又は役務の研究開発に係る業務 — exempt from the caps (労基法36条11項);
    /// interview over 100 h without application (安衛法66条の8の2).
    ResearchDevelopment,
    /// 高度プロフェッショナル制度 (労基法41条の2) — 健康管理時間; interview over 100 h beyond
    /// 40 h a week (安衛法66条の8の4).
    HighlyProfessional,
}

impl WorkRegime {
    /// Every regime.
    pub const ALL: [WorkRegime; 3] =
        [WorkRegime::General, WorkRegime::ResearchDevelopment, WorkRegime::HighlyProfessional];

    /// Stable text form (stored).
    pub fn as_str(&self) -> &'static str {
        match self {
            WorkRegime::General => "general",
            WorkRegime::ResearchDevelopment => "rnd",
            WorkRegime::HighlyProfessional => "kopro",
        }
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            WorkRegime::General => "一般",
            WorkRegime::ResearchDevelopment => "研究開発業務",
            WorkRegime::HighlyProfessional => "高度プロフェッショナル",
        }
    }

    /// Parses the stored form, the Japanese label or the usual short forms of HR files
    /// (blank = general).
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim() {
            "" | "general" | "一般" | "通常" => WorkRegime::General,
            "rnd" | "研究開発" | "研究開発業務" | "新技術等研究開発業務" => {
                WorkRegime::ResearchDevelopment
            }
            "kopro" | "高プロ" | "高度プロフェッショナル" | "高度プロフェッショナル制度" => {
                WorkRegime::HighlyProfessional
            }
            _ => return None,
        })
    }
}

/// An exposure period: a hazardous agent the person works with (有機溶剤, 鉛, 特定化学物質 …)
/// and the protection used. The kinds are OHCC items under ① D (see docs/ohcc.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exposure {
    /// Company (tenant).
    pub company_id: CompanyId,
    /// Id.
    pub id: ExposureId,
    /// Employment.
    pub employment_id: EmploymentId,
    /// The agent, e.g. `toluene` (with its display name).
    pub agent: String,
    /// Display name, e.g. トルエン.
    pub agent_name: String,
    /// 有機溶剤中毒予防規則 etc.: the statute that governs the special checkup, e.g. `有機則`.
    pub regulation: String,
    /// From.
    pub valid_from: NaiveDate,
    /// To; `None` while current.
    pub valid_to: Option<NaiveDate>,
    /// 保護具, e.g. 防毒マスク.
    pub protection: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_boundaries() {
        let b = NaiveDate::from_ymd_opt(1980, 4, 2);
        let d1 = NaiveDate::from_ymd_opt(2026, 4, 1);
        let d2 = NaiveDate::from_ymd_opt(2026, 4, 2);
        let (Some(b), Some(d1), Some(d2)) = (b, d1, d2) else { unreachable!() };
        assert_eq!(age_on(b, d1), 45);
        assert_eq!(age_on(b, d2), 46);
    }

    #[test]
    fn sex_parses() {
        assert_eq!("2".parse::<Sex>(), Ok(Sex::Female));
        assert_eq!("男".parse::<Sex>(), Ok(Sex::Male));
        assert!("x".parse::<Sex>().is_err());
    }
}
