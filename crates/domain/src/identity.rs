//! Person identity: which person an incoming record is about.
//!
//! Order (issue "Data conversion system", Person identity): the employee number within the
//! company; else normalised kana + birth date + sex; else the insurer identifiers. Ambiguous or
//! unknown identities go to a review queue — never a silent merge or a new duplicate person.
//! A match by employee number whose birth date contradicts the file is a conflict, also queued.

pub mod matcher;
pub use matcher::{Matcher, MatcherBuilder};

use crate::normalize::search_key;
use crate::person::Sex;
use crate::{EmploymentId, PersonId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A person employed by the company, as a matching candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Employment.
    pub employment_id: EmploymentId,
    /// Person.
    pub person_id: PersonId,
    /// 社員番号.
    pub employee_number: String,
    /// Kana (family and given, as stored).
    pub kana: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// 保険者番号.
    pub insurer_number: Option<String>,
    /// 記号.
    pub insured_symbol: Option<String>,
    /// 番号.
    pub insured_number: Option<String>,
}

/// What a file says about who a record is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incoming {
    /// 社員番号.
    pub employee_number: Option<String>,
    /// Kana.
    pub kana: Option<String>,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Sex.
    pub sex: Option<Sex>,
    /// 保険者番号.
    pub insurer_number: Option<String>,
    /// 記号.
    pub insured_symbol: Option<String>,
    /// 番号.
    pub insured_number: Option<String>,
}

/// How a person was found, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Match {
    /// Exactly one candidate.
    Matched {
        /// Index into the candidates.
        index: usize,
        /// By what.
        by: MatchedBy,
    },
    /// No candidate.
    Unknown,
    /// Several candidates.
    Ambiguous {
        /// Their indices.
        indices: Vec<usize>,
        /// By what they matched.
        by: MatchedBy,
    },
    /// The employee number matched but the birth date or sex contradicts it.
    Conflict {
        /// The candidate.
        index: usize,
        /// What contradicts.
        reason: String,
    },
}

/// The rule that matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// 社員番号.
    EmployeeNumber,
    /// Kana, birth date and sex.
    KanaBirthSex,
    /// Insurer identifiers.
    Insurer,
}

fn key(s: &str) -> String {
    search_key(s)
}

fn one_or_many(indices: Vec<usize>, by: MatchedBy) -> Option<Match> {
    match indices.as_slice() {
        [] => None,
        [i] => Some(Match::Matched { index: *i, by }),
        _ => Some(Match::Ambiguous { indices, by }),
    }
}

/// Finds the person an incoming record is about.
pub fn find(incoming: &Incoming, candidates: &[Candidate]) -> Match {
    if let Some(no) = incoming.employee_number.as_deref().map(key).filter(|k| !k.is_empty()) {
        let hits: Vec<usize> =
            candidates.iter().enumerate().filter(|(_, c)| key(&c.employee_number) == no).map(|(i, _)| i).collect();
        if let [i] = hits.as_slice()
            && let Some(c) = candidates.get(*i)
        {
            if let Some(b) = incoming.birth_date.filter(|b| *b != c.birth_date) {
                return Match::Conflict {
                    index: *i,
                    reason: format!("birth date {b} in the file, {} on record", c.birth_date),
                };
            }
            if let Some(s) = incoming.sex.filter(|s| *s != c.sex) {
                return Match::Conflict { index: *i, reason: format!("sex {s} in the file, {} on record", c.sex) };
            }
            return Match::Matched { index: *i, by: MatchedBy::EmployeeNumber };
        }
        if let Some(m) = one_or_many(hits, MatchedBy::EmployeeNumber) {
            return m;
        }
    }
    if let (Some(kana), Some(birth), Some(sex)) = (incoming.kana.as_deref().map(key), incoming.birth_date, incoming.sex)
        && !kana.is_empty()
    {
        let hits = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.birth_date == birth && c.sex == sex && key(&c.kana) == kana)
            .map(|(i, _)| i)
            .collect();
        if let Some(m) = one_or_many(hits, MatchedBy::KanaBirthSex) {
            return m;
        }
    }
    if let (Some(ins), Some(num)) =
        (incoming.insurer_number.as_deref().map(key), incoming.insured_number.as_deref().map(key))
    {
        let sym = incoming.insured_symbol.as_deref().map(key).unwrap_or_default();
        let hits = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.insurer_number.as_deref().map(key) == Some(ins.clone())
                    && c.insured_number.as_deref().map(key) == Some(num.clone())
                    && c.insured_symbol.as_deref().map(key).unwrap_or_default() == sym
            })
            .map(|(i, _)| i)
            .collect();
        if let Some(m) = one_or_many(hits, MatchedBy::Insurer) {
            return m;
        }
    }
    Match::Unknown
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
pub(crate) mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    /// A candidate (also for the matcher's tests).
    pub(crate) fn cand(no: &str, kana: &str, birth: NaiveDate, sex: Sex, ins: Option<(&str, &str, &str)>) -> Candidate {
        Candidate {
            employment_id: EmploymentId::new(),
            person_id: PersonId::new(),
            employee_number: no.into(),
            kana: kana.into(),
            birth_date: birth,
            sex,
            insurer_number: ins.map(|i| i.0.into()),
            insured_symbol: ins.map(|i| i.1.into()),
            insured_number: ins.map(|i| i.2.into()),
        }
    }

    fn cands() -> Vec<Candidate> {
        vec![
            cand("A000101", "ヤマダ タロウ", d(1970, 4, 1), Sex::Male, Some(("06139999", "123", "456"))),
            cand("A000102", "サトウ ハナコ", d(1990, 5, 3), Sex::Female, None),
            cand("A000103", "スズキ イチロウ", d(1985, 6, 12), Sex::Male, None),
            // Two namesakes born the same day.
            cand("A000104", "タナカ ミキ", d(1980, 1, 1), Sex::Female, None),
            cand("A000105", "タナカ ミキ", d(1980, 1, 1), Sex::Female, None),
        ]
    }

    #[test]
    fn by_employee_number_folded() {
        let c = cands();
        let m = find(&Incoming { employee_number: Some("ａ０００１０３".into()), ..Default::default() }, &c);
        assert_eq!(m, Match::Matched { index: 2, by: MatchedBy::EmployeeNumber });
    }

    #[test]
    fn employee_number_with_contradicting_birth_date_is_a_conflict() {
        let c = cands();
        let m = find(
            &Incoming {
                employee_number: Some("A000101".into()),
                birth_date: Some(d(1971, 4, 1)),
                ..Default::default()
            },
            &c,
        );
        assert!(matches!(m, Match::Conflict { index: 0, .. }), "{m:?}");
        let m = find(
            &Incoming { employee_number: Some("A000101".into()), sex: Some(Sex::Female), ..Default::default() },
            &c,
        );
        assert!(matches!(m, Match::Conflict { index: 0, .. }), "{m:?}");
    }

    #[test]
    fn by_kana_birth_sex_in_any_width() {
        let c = cands();
        let m = find(
            &Incoming {
                kana: Some("ｻﾄｳ ﾊﾅｺ".into()),
                birth_date: Some(d(1990, 5, 3)),
                sex: Some(Sex::Female),
                ..Default::default()
            },
            &c,
        );
        assert_eq!(m, Match::Matched { index: 1, by: MatchedBy::KanaBirthSex });
        // Hiragana too.
        let m = find(
            &Incoming {
                kana: Some("さとう　はなこ".into()),
                birth_date: Some(d(1990, 5, 3)),
                sex: Some(Sex::Female),
                ..Default::default()
            },
            &c,
        );
        assert_eq!(m, Match::Matched { index: 1, by: MatchedBy::KanaBirthSex });
        // Wrong sex: unknown, not a guess.
        let m = find(
            &Incoming {
                kana: Some("サトウ ハナコ".into()),
                birth_date: Some(d(1990, 5, 3)),
                sex: Some(Sex::Male),
                ..Default::default()
            },
            &c,
        );
        assert_eq!(m, Match::Unknown);
    }

    #[test]
    fn namesakes_are_ambiguous() {
        let c = cands();
        let m = find(
            &Incoming {
                kana: Some("タナカ ミキ".into()),
                birth_date: Some(d(1980, 1, 1)),
                sex: Some(Sex::Female),
                ..Default::default()
            },
            &c,
        );
        assert_eq!(m, Match::Ambiguous { indices: vec![3, 4], by: MatchedBy::KanaBirthSex });
    }

    #[test]
    fn by_insurer_then_unknown() {
        let c = cands();
        let m = find(
            &Incoming {
                insurer_number: Some("06139999".into()),
                insured_symbol: Some("１２３".into()),
                insured_number: Some("456".into()),
                ..Default::default()
            },
            &c,
        );
        assert_eq!(m, Match::Matched { index: 0, by: MatchedBy::Insurer });
        assert_eq!(find(&Incoming { employee_number: Some("Z9".into()), ..Default::default() }, &c), Match::Unknown);
        assert_eq!(find(&Incoming::default(), &c), Match::Unknown);
    }
}
