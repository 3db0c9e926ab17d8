//! Identity matching over many records: the same answers as [`iphr_domain::identity::find`],
//! from an index of the candidates built once (finding a person is then a few hash look-ups
//! instead of a walk over every employee of the company).

use iphr_domain::identity::{Candidate, Incoming, Match, find};
use iphr_domain::normalize::search_key;
use iphr_domain::person::Sex;
use std::collections::HashMap;

/// The candidates of a company, indexed by each rule of [`find`].
pub struct Matcher<'a> {
    candidates: &'a [Candidate],
    by_number: HashMap<String, Vec<usize>>,
    by_kana: HashMap<(String, chrono::NaiveDate, Sex), Vec<usize>>,
    by_insurer: HashMap<(String, String, String), Vec<usize>>,
}

impl<'a> Matcher<'a> {
    /// Indexes the candidates.
    pub fn new(candidates: &'a [Candidate]) -> Self {
        let mut by_number: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_kana: HashMap<(String, chrono::NaiveDate, Sex), Vec<usize>> = HashMap::new();
        let mut by_insurer: HashMap<(String, String, String), Vec<usize>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate() {
            by_number.entry(search_key(&c.employee_number)).or_default().push(i);
            by_kana.entry((search_key(&c.kana), c.birth_date, c.sex)).or_default().push(i);
            if let (Some(ins), Some(num)) = (c.insurer_number.as_deref(), c.insured_number.as_deref()) {
                let sym = c.insured_symbol.as_deref().map(search_key).unwrap_or_default();
                by_insurer.entry((search_key(ins), search_key(num), sym)).or_default().push(i);
            }
        }
        Self { candidates, by_number, by_kana, by_insurer }
    }

    /// The candidates.
    pub fn candidates(&self) -> &'a [Candidate] {
        self.candidates
    }

    /// What [`find`] answers for `incoming` over all the candidates (indices into them).
    pub fn find(&self, incoming: &Incoming) -> Match {
        // Every rule of `find` keeps only candidates that satisfy its own test, in order; so
        // `find` over the candidates any rule could keep gives the same answer as over all.
        let mut pool: Vec<usize> = Vec::new();
        if let Some(no) = incoming.employee_number.as_deref().map(search_key).filter(|k| !k.is_empty()) {
            pool.extend(self.by_number.get(&no).into_iter().flatten());
        }
        if let (Some(kana), Some(birth), Some(sex)) =
            (incoming.kana.as_deref().map(search_key), incoming.birth_date, incoming.sex)
        {
            pool.extend(self.by_kana.get(&(kana, birth, sex)).into_iter().flatten());
        }
        if let (Some(ins), Some(num)) = (incoming.insurer_number.as_deref(), incoming.insured_number.as_deref()) {
            let sym = incoming.insured_symbol.as_deref().map(search_key).unwrap_or_default();
            pool.extend(self.by_insurer.get(&(search_key(ins), search_key(num), sym)).into_iter().flatten());
        }
        pool.sort_unstable();
        pool.dedup();
        let subset: Vec<Candidate> = pool.iter().filter_map(|&i| self.candidates.get(i).cloned()).collect();
        let back = |i: usize| pool.get(i).copied().unwrap_or(usize::MAX);
        match find(incoming, &subset) {
            Match::Matched { index, by } => Match::Matched { index: back(index), by },
            Match::Conflict { index, reason } => Match::Conflict { index: back(index), reason },
            Match::Ambiguous { indices, by } => {
                Match::Ambiguous { indices: indices.into_iter().map(back).collect(), by }
            }
            Match::Unknown => Match::Unknown,
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use iphr_domain::{EmploymentId, PersonId};
    use proptest::prelude::*;

    fn cand(no: &str, kana: &str, birth: NaiveDate, sex: Sex, ins: Option<(&str, &str, &str)>) -> Candidate {
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

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(1980, 1, day).unwrap()
    }

    proptest! {
        /// Small alphabets so that numbers, kana, dates and insurer ids collide often.
        #[test]
        fn same_answers_as_find(
            cands in proptest::collection::vec(
                ("[AＡ]?[12１]", "[アイ]{0,2}", 1u32..3, any::<bool>(), proptest::option::of(("[01]", "[xy]?", "[5５]"))),
                0..8),
            inc in (proptest::option::of("[AＡ]?[12１]"), proptest::option::of("[アイ ]{0,3}"), proptest::option::of(1u32..3),
                    proptest::option::of(any::<bool>()), proptest::option::of("[01]"), proptest::option::of("[xy]?"), proptest::option::of("[5５]")),
        ) {
            let cs: Vec<Candidate> = cands.iter().map(|(n, k, b, m, ins)| cand(n, k, d(*b), if *m { Sex::Male } else { Sex::Female },
                ins.as_ref().map(|(a, s, n)| (a.as_str(), s.as_str(), n.as_str())))).collect();
            let incoming = Incoming {
                employee_number: inc.0.clone(),
                kana: inc.1.clone(),
                birth_date: inc.2.map(d),
                sex: inc.3.map(|m| if m { Sex::Male } else { Sex::Female }),
                insurer_number: inc.4.clone(),
                insured_symbol: inc.5.clone(),
                insured_number: inc.6.clone(),
            };
            prop_assert_eq!(Matcher::new(&cs).find(&incoming), find(&incoming, &cs));
        }
    }
}
