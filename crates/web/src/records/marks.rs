//! Which values are outside the reference: marked in every table by a letter and an arrow, not
//! only by colour.

use iphr_charts::Mark;
use iphr_domain::judgement::{Category, Rules, unit_key};
use iphr_domain::observation::{Observation, RangeFlag, Value};
use iphr_domain::person::Sex;

/// Marks a person's values: the institution's H/L flag where it gave one, otherwise the
/// 異常なし (A) band of the 診断区分 table in force on the checkup date for the person's sex
/// (judgement-ningen-dock-v1 or the company's override), compared at the precision of the band.
pub struct Marker<'a> {
    rules: &'a Rules,
    sex: Sex,
}

impl<'a> Marker<'a> {
    /// A marker for a person of `sex` under `rules`.
    pub fn new(rules: &'a Rules, sex: Sex) -> Self {
        Self { rules, sex }
    }

    /// The mark of one value.
    pub fn mark(&self, o: &Observation) -> Mark {
        match o.qualifier.flag {
            Some(RangeFlag::High) => return Mark::High,
            Some(RangeFlag::Low) => return Mark::Low,
            None => {}
        }
        let Value::Number { value, unit } = &o.value else { return Mark::Normal };
        let Some((_, bands)) = self.rules.bands_for_item(o.item.as_str(), self.sex, o.event_date) else {
            return Mark::Normal;
        };
        let normal: Vec<_> = bands.iter().filter(|b| b.category == Category::A).collect();
        let Some(a) = normal.first() else { return Mark::Normal };
        if unit_key(&a.unit) != unit_key(unit) {
            return Mark::Normal;
        }
        let p = 10f64.powi(i32::try_from(a.decimals).unwrap_or(0));
        let v = (value * p).round() / p;
        if a.upper.is_some_and(|u| v > u) {
            Mark::High
        } else if a.lower.is_some_and(|l| v < l) {
            Mark::Low
        } else {
            Mark::Normal
        }
    }
}

/// The mark as shown after a value: `▲H`, `▼L` or nothing.
pub fn mark_text(m: Mark) -> &'static str {
    match m {
        Mark::High => "▲H",
        Mark::Low => "▼L",
        Mark::Normal => "",
    }
}
