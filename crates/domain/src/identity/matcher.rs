//! Identity matching over many records: the same answers as [`iphr_domain::identity::find`],
//! from an index of the candidates built once (finding a person is then a few look-ups instead
//! of a walk over every employee of the company).
//!
//! The matcher keeps its own compact copy of the candidates (their ids, birth date and sex, and
//! their strings in one buffer: ~100 bytes an employee) and, per rule, a sorted index of a 64-bit
//! hash of the rule's normalised key (16 bytes an employee): a company of 400,000 employees takes
//! ~50 MB. A store fills a [`MatcherBuilder`] row by row, so the list of candidates is never held
//! whole. A hash names the candidates a rule *could* keep; [`find`] over them compares the real
//! keys, so a collision costs a comparison, never a wrong answer.

use crate::identity::{Candidate, Incoming, Match, find};
use crate::normalize::search_key;
use crate::person::Sex;
use crate::{EmploymentId, PersonId};
use std::hash::{Hash, Hasher};

/// One candidate, its strings in the matcher's buffer.
struct Entry {
    employment_id: EmploymentId,
    person_id: PersonId,
    birth_date: chrono::NaiveDate,
    sex: Sex,
    /// Where its strings start in the buffer.
    at: u32,
    /// Byte lengths of employee number, kana, insurer number, insured symbol and insured
    /// number; [`ABSENT`] for a missing one.
    lens: [u32; 5],
}

const ABSENT: u32 = u32::MAX;

/// The candidates of a company, indexed by each rule of [`find`].
pub struct Matcher {
    entries: Vec<Entry>,
    strings: String,
    by_number: Vec<(u64, u32)>,
    by_kana: Vec<(u64, u32)>,
    by_insurer: Vec<(u64, u32)>,
}

/// A fixed (unkeyed, deterministic) 64-bit hash.
fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

fn number_hash(number: &str) -> u64 {
    hash_of(&search_key(number))
}

fn kana_hash(kana: &str, birth: chrono::NaiveDate, sex: Sex) -> u64 {
    hash_of(&(search_key(kana), birth, sex))
}

fn insurer_hash(insurer: &str, number: &str, symbol: Option<&str>) -> u64 {
    hash_of(&(search_key(insurer), search_key(number), symbol.map(search_key).unwrap_or_default()))
}

/// Positions whose hash is `h` in a sorted index.
fn hits(index: &[(u64, u32)], h: u64) -> impl Iterator<Item = usize> + '_ {
    let from = index.partition_point(|e| e.0 < h);
    index.get(from..).unwrap_or_default().iter().take_while(move |e| e.0 == h).map(|e| e.1 as usize)
}

/// Builds a [`Matcher`] one candidate at a time.
pub struct MatcherBuilder {
    m: Matcher,
}

impl MatcherBuilder {
    /// A builder for about `n` candidates.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            m: Matcher {
                entries: Vec::with_capacity(n),
                strings: String::with_capacity(n.saturating_mul(32)),
                by_number: Vec::with_capacity(n),
                by_kana: Vec::with_capacity(n),
                by_insurer: Vec::new(),
            },
        }
    }

    /// Adds a candidate; its index is the number added before it.
    pub fn push(&mut self, c: &Candidate) {
        let m = &mut self.m;
        let (Ok(i), Ok(at)) = (u32::try_from(m.entries.len()), u32::try_from(m.strings.len())) else { return };
        m.by_number.push((number_hash(&c.employee_number), i));
        m.by_kana.push((kana_hash(&c.kana, c.birth_date, c.sex), i));
        if let (Some(ins), Some(num)) = (c.insurer_number.as_deref(), c.insured_number.as_deref()) {
            m.by_insurer.push((insurer_hash(ins, num, c.insured_symbol.as_deref()), i));
        }
        let fields = [
            Some(c.employee_number.as_str()),
            Some(c.kana.as_str()),
            c.insurer_number.as_deref(),
            c.insured_symbol.as_deref(),
            c.insured_number.as_deref(),
        ];
        let mut lens = [ABSENT; 5];
        for (len, f) in lens.iter_mut().zip(fields) {
            if let Some(f) = f {
                *len = u32::try_from(f.len()).unwrap_or(0);
                m.strings.push_str(f.get(..*len as usize).unwrap_or_default());
            }
        }
        m.entries.push(Entry {
            employment_id: c.employment_id,
            person_id: c.person_id,
            birth_date: c.birth_date,
            sex: c.sex,
            at,
            lens,
        });
    }

    /// The matcher.
    pub fn build(mut self) -> Matcher {
        let m = &mut self.m;
        for index in [&mut m.by_number, &mut m.by_kana, &mut m.by_insurer] {
            index.sort_unstable();
            index.shrink_to_fit();
        }
        m.entries.shrink_to_fit();
        m.strings.shrink_to_fit();
        self.m
    }
}

impl Matcher {
    /// Indexes the candidates (their order is kept: indices are positions in `candidates`).
    pub fn new(candidates: &[Candidate]) -> Self {
        let mut b = MatcherBuilder::with_capacity(candidates.len());
        for c in candidates {
            b.push(c);
        }
        b.build()
    }

    /// This matcher with `extra` candidates after its own (their indices follow).
    pub fn with(&self, extra: &[Candidate]) -> Matcher {
        let mut b = MatcherBuilder::with_capacity(self.len() + extra.len());
        for c in (0..self.len()).filter_map(|i| self.candidate(i)).chain(extra.iter().cloned()) {
            b.push(&c);
        }
        b.build()
    }

    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The person and employment of candidate `index`.
    pub fn ids(&self, index: usize) -> Option<(PersonId, EmploymentId)> {
        self.entries.get(index).map(|e| (e.person_id, e.employment_id))
    }

    /// Candidate `index`, whole.
    pub fn candidate(&self, index: usize) -> Option<Candidate> {
        let e = self.entries.get(index)?;
        let mut at = e.at as usize;
        let mut fields = e.lens.iter().map(|&len| {
            (len != ABSENT).then(|| {
                let s = self.strings.get(at..at + len as usize).unwrap_or_default().to_string();
                at += len as usize;
                s
            })
        });
        let mut next = || fields.next().flatten();
        Some(Candidate {
            employment_id: e.employment_id,
            person_id: e.person_id,
            employee_number: next().unwrap_or_default(),
            kana: next().unwrap_or_default(),
            birth_date: e.birth_date,
            sex: e.sex,
            insurer_number: next(),
            insured_symbol: next(),
            insured_number: next(),
        })
    }

    /// What [`find`] answers for `incoming` over all the candidates (indices into them).
    pub fn find(&self, incoming: &Incoming) -> Match {
        // Every rule of `find` keeps only candidates that satisfy its own test, in order; so
        // `find` over the candidates any rule could keep gives the same answer as over all.
        let mut pool: Vec<usize> = Vec::new();
        if let Some(no) = incoming.employee_number.as_deref().map(search_key).filter(|k| !k.is_empty()) {
            pool.extend(hits(&self.by_number, hash_of(&no)));
        }
        if let (Some(kana), Some(birth), Some(sex)) = (incoming.kana.as_deref(), incoming.birth_date, incoming.sex) {
            pool.extend(hits(&self.by_kana, kana_hash(kana, birth, sex)));
        }
        if let (Some(ins), Some(num)) = (incoming.insurer_number.as_deref(), incoming.insured_number.as_deref()) {
            pool.extend(hits(&self.by_insurer, insurer_hash(ins, num, incoming.insured_symbol.as_deref())));
        }
        pool.sort_unstable();
        pool.dedup();
        let subset: Vec<Candidate> = pool.iter().filter_map(|&i| self.candidate(i)).collect();
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
    use crate::identity::tests::cand;
    use chrono::NaiveDate;
    use proptest::prelude::*;

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
            let m = Matcher::new(&cs);
            prop_assert_eq!(m.find(&incoming), find(&incoming, &cs));
            prop_assert_eq!((0..cs.len()).filter_map(|i| m.candidate(i)).collect::<Vec<_>>(), cs.clone());
        }
    }
}
