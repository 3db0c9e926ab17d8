//! Information classes of every datum.
//!
//! Source: 労働者の心身の状態に関する情報の適正な取扱いのために事業者が講ずべき措置に関する指針
//! (MHLW, 2018-09-07, revised 2022-03-31), its table of three classes (docs/sources.md [G-KENKOJOHO]).
//! Stress-check individual results are outside class 2 (安衛法66条の10, 2項: the employer gets them
//! only with the worker's consent). Identity and work data are not health information but are
//! personal data; the person's own records (self-recorded, medical) are theirs.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The class of a datum, which the access policy decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfoClass {
    /// Who the worker is: name, kana, employee number, department, position.
    Identity,
    /// 指針 class 1 — information the employer must handle for its 安衛法 duties: whether a
    /// checkup was taken, whether an interview was applied for, physicians' opinions and the
    /// measures taken.
    Class1,
    /// 指針 class 2 — statutory checkup items and their re-tests, interview (面接指導) results:
    /// collected without consent, handled under the 取扱規程.
    Class2,
    /// 指針 class 3 — non-statutory items, 精密検査, 保健指導, 健康相談, 両立支援 letters …:
    /// the worker's prior consent is required.
    Class3,
    /// ストレスチェック individual results: the worker and the implementers only; the employer
    /// only with consent (安衛法66条の10).
    Stress,
    /// Work data (勤怠, 職制, 作業内容, ばく露): HR's own data.
    Work,
    /// The person's own records (self-recorded, medical information): consent for anyone else.
    Personal,
}

impl InfoClass {
    /// Every class.
    pub const ALL: [InfoClass; 7] = [
        InfoClass::Identity,
        InfoClass::Class1,
        InfoClass::Class2,
        InfoClass::Class3,
        InfoClass::Stress,
        InfoClass::Work,
        InfoClass::Personal,
    ];

    /// Stable text form.
    pub fn as_str(&self) -> &'static str {
        match self {
            InfoClass::Identity => "identity",
            InfoClass::Class1 => "class1",
            InfoClass::Class2 => "class2",
            InfoClass::Class3 => "class3",
            InfoClass::Stress => "stress",
            InfoClass::Work => "work",
            InfoClass::Personal => "personal",
        }
    }

    /// Japanese label.
    pub fn label_ja(&self) -> &'static str {
        match self {
            InfoClass::Identity => "本人特定情報",
            InfoClass::Class1 => "第1区分(受診の有無・意見・措置)",
            InfoClass::Class2 => "第2区分(法定項目の結果・面接指導結果)",
            InfoClass::Class3 => "第3区分(法定外項目・精密検査・保健指導等)",
            InfoClass::Stress => "ストレスチェック個人結果",
            InfoClass::Work => "勤務情報",
            InfoClass::Personal => "本人の医療・自己記録情報",
        }
    }

    /// Whether the class is health information (要配慮個人情報): reads are audited.
    pub fn is_health(&self) -> bool {
        !matches!(self, InfoClass::Identity | InfoClass::Work)
    }
}

impl fmt::Display for InfoClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A class name that is not one of [`InfoClass::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown information class {0:?}")]
pub struct UnknownInfoClass(pub String);

impl FromStr for InfoClass {
    type Err = UnknownInfoClass;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InfoClass::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownInfoClass(s.to_string()))
    }
}
