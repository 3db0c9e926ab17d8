//! Tests of the stress-check scoring: the MHLW test vectors, both sexes and both methods, and
//! band edges.

use super::*;

#[test]
fn iso_risk_lines_lie_on_their_risk() {
    let Ok(r) = StressRules::embedded() else { panic!("tables") };
    let h = &r.hanteizu;
    for risk in [80.0, 100.0, 120.0, 150.0] {
        for x in [3.0, 6.5, 8.7, 12.0] {
            assert!((h.risk_demand_control(x, h.control_at(x, risk)) - risk).abs() < 1e-9);
            assert!((h.risk_support(x, h.cowork_at(x, risk)) - risk).abs() < 1e-9);
        }
    }
    // The national means are the 100 line.
    assert!((h.control_at(h.mean_quant, 100.0) - h.mean_ctrl).abs() < 1e-12);
}

fn setup() -> (&'static [Item], SumCriteria) {
    match (items(), SumCriteria::mhlw_example()) {
        (Ok(i), Ok(c)) => (i, *c),
        other => unreachable!("{other:?}"),
    }
}

#[test]
fn tables_load() {
    let (items, c) = setup();
    assert_eq!(items.len(), 57);
    assert_eq!(c, SumCriteria { b_alone: 77, ac: 76, b_with_ac: 63 });
    // Reverse items in the sum method: A1–A7, A11–A13, A15, B1–B3 (実施マニュアル 評価基準の例（その1）).
    let rev: Vec<u8> = items.iter().filter(|i| i.reverse_in_sum).map(|i| i.number).collect();
    assert_eq!(rev, vec![1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 15, 18, 19, 20]);
}

fn sheet(a: u8, b: u8, c: u8) -> Answers {
    // Every item of a section answered so that each scores `a`, `b`, `c` after reversal.
    let (items, _) = setup();
    let v = items
        .iter()
        .map(|i| {
            let want = match i.section {
                Section::A => a,
                Section::B => b,
                Section::C => c,
                Section::D => 1,
            };
            if i.reverse_in_sum { 5 - want } else { want }
        })
        .collect();
    match Answers::parse(v) {
        Ok(s) => s,
        Err(e) => unreachable!("{e}"),
    }
}

#[test]
fn sum_method_boundaries() {
    let (items, crit) = setup();
    // All 1s: A 17, B 29, C 9, not high stress.
    assert_eq!(score_sum(items, &sheet(1, 1, 1), crit), SumResult { a: 17, b: 29, c: 9, high_stress: false });
    // All 4s: A 68, B 116, C 36.
    assert_eq!(score_sum(items, &sheet(4, 4, 4), crit), SumResult { a: 68, b: 116, c: 36, high_stress: true });
    // B exactly 77 (27×3 − … ): build by hand on the answer vector.
    let mut v = sheet(1, 2, 1).as_slice().to_vec(); // B = 58
    let b_items: Vec<usize> =
        items.iter().enumerate().filter(|(_, i)| i.section == Section::B).map(|(k, _)| k).collect();
    let bump = |v: &mut Vec<u8>, n: usize| {
        // raise n B-points: each step moves one item's score from 2 to 3
        for &k in b_items.iter().take(n) {
            if let Some(x) = v.get_mut(k) {
                let rev = items.get(k).is_some_and(|i| i.reverse_in_sum);
                *x = if rev { 5 - 3 } else { 3 };
            }
        }
    };
    bump(&mut v, 19); // B = 58 + 19 = 77
    let r = score_sum(items, &Answers::parse(v.clone()).unwrap_or_else(|_| unreachable!()), crit);
    assert_eq!((r.b, r.high_stress), (77, true));
    let mut v76 = sheet(1, 2, 1).as_slice().to_vec();
    bump(&mut v76, 18); // B = 76, A + C = 26
    let r = score_sum(items, &Answers::parse(v76).unwrap_or_else(|_| unreachable!()), crit);
    assert_eq!((r.b, r.high_stress), (76, false));
    // A + C = 76 and B = 63: high; A + C = 75: not.
    // A = 4×17 = 68, C = 8 needs C 9 min → use A 68 + C 9 = 77 ≥ 76 and B at 58 (all 2s): not high (B < 63).
    let r = score_sum(items, &sheet(4, 2, 1), crit);
    assert_eq!((r.a + r.c, r.b, r.high_stress), (77, 58, false));
    let mut v = sheet(4, 2, 1).as_slice().to_vec();
    bump(&mut v, 5); // B = 63
    let r = score_sum(items, &Answers::parse(v).unwrap_or_else(|_| unreachable!()), crit);
    assert_eq!((r.a + r.c, r.b, r.high_stress), (77, 63, true));
    let mut v = sheet(4, 2, 1).as_slice().to_vec();
    bump(&mut v, 4); // B = 62
    let r = score_sum(items, &Answers::parse(v).unwrap_or_else(|_| unreachable!()), crit);
    assert_eq!((r.b, r.high_stress), (62, false));
}

#[test]
fn answers_are_validated() {
    assert_eq!(Answers::parse(vec![1; 56]), Err(AnswerError::Count(56)));
    let mut v = vec![1; 57];
    v[9] = 5;
    assert_eq!(Answers::parse(v), Err(AnswerError::Range { item: 10, value: 5 }));
}

fn rules() -> &'static StressRules {
    match StressRules::embedded() {
        Ok(r) => r,
        Err(e) => unreachable!("{e}"),
    }
}

fn digits(s: &str) -> Answers {
    match Answers::parse(s.bytes().map(|b| b - b'0').collect()) {
        Ok(a) => a,
        Err(e) => unreachable!("{e}"),
    }
}

/// `tests/bjsq57-test-vectors.csv` (answer patterns with their expected sums, 素点 and flags, computed
/// from the manual's criteria and 素点換算表 — not an MHLW worked example; docs/sources.md), every
/// row, both sexes and both methods.
#[test]
fn official_test_vectors() {
    use crate::person::Sex;
    let r = rules();
    let text = include_str!("../../tests/bjsq57-test-vectors.csv");
    let mut n = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        let num = |i: usize| get(i).parse::<u32>().unwrap_or(u32::MAX);
        let a = digits(get(1));
        let m = r.score(&a, Sex::Male);
        let w = r.score(&a, Sex::Female);
        let case = get(0);
        assert_eq!((m.sum.a, m.sum.b, m.sum.c), (num(2), num(3), num(4)), "{case} sum");
        assert_eq!(m.high_sum, get(6) == "True", "{case} sum method");
        assert_eq!((m.soten_a, m.soten_b, m.soten_c), (num(7), num(8), num(9)), "{case} soten M");
        assert_eq!(m.high_soten, get(10) == "True", "{case} soten M high");
        assert_eq!((w.soten_a, w.soten_b, w.soten_c), (num(11), num(12), num(13)), "{case} soten F");
        assert_eq!(w.high_soten, get(14) == "True", "{case} soten F high");
        n += 1;
    }
    assert_eq!(n, 10);
}

#[test]
fn every_band_edge_of_every_scale_for_both_sexes() {
    // Each band's edges map to its column and 評価点; one below the lowest band and one above
    // the highest find nothing (raw scores cannot go there).
    let r = rules();
    for b in &r.bands {
        for raw in [b.raw_from, b.raw_to] {
            let hit =
                r.bands.iter().find(|x| x.scale == b.scale && x.sex == b.sex && x.raw_from <= raw && raw <= x.raw_to);
            assert_eq!(
                hit.map(|x| (x.column, x.hyoka)),
                Some((b.column, b.hyoka)),
                "{} {:?} {raw}",
                r.scales[b.scale].code,
                b.sex
            );
        }
    }
    // Bands of a scale and sex are contiguous and cover the raw range.
    for (si, s) in r.scales.iter().enumerate() {
        for sex in [crate::person::Sex::Male, crate::person::Sex::Female] {
            let mut v: Vec<&SotenBand> = r.bands.iter().filter(|b| b.scale == si && b.sex == sex).collect();
            v.sort_by_key(|b| b.raw_from);
            assert!(v.len() >= 4, "{} {sex:?}", s.code);
            for w in v.windows(2) {
                assert_eq!(w[0].raw_to + 1, w[1].raw_from, "{} {sex:?} gap", s.code);
            }
        }
    }
}

#[test]
fn worked_example_and_scale_formulas() {
    let r = rules();
    // All answers 1: 量的負担 = 15 − 3 = 12 (highest burden), 技能の活用度 = A11 = 1, 活気 = 3.
    let m = r.score(&digits(&"1".repeat(57)), crate::person::Sex::Male);
    let raw = |c: &str| m.scales.iter().find(|s| s.code == c).map(|s| s.raw);
    assert_eq!(raw("A_QUANT"), Some(12));
    assert_eq!(raw("A_SKILL"), Some(1));
    assert_eq!(raw("B_VIGOR"), Some(3));
    assert_eq!(raw("A_INTERP"), Some(10 - 2 + 1));
    assert_eq!(raw("B_SOMA"), Some(11));
    assert_eq!(raw("D_SATIS"), Some(8));
    assert_eq!(m.scales.len(), 19);
    assert_eq!(r.scales[0].ohcc, "Ca0010000Z");
    assert_eq!(r.scales[0].level_item(), "Ca0010002Z");
    assert_eq!(r.scales[18].level_item(), "Cd0010002Z");
    // The MHLW worked example's sums (A 21, B 7, C 4) are high stress under both parts.
    let c = r.soten;
    assert!(7 <= c.b_alone && 21 + 4 <= c.ac && 7 <= c.b_with_ac);
    // Boundaries of the 素点換算 criterion: B 12 high, 13 not (alone); A+C 26 with B 17 high, B 18 not.
    let high = |a: u32, b: u32, cc: u32| b <= c.b_alone || (a + cc <= c.ac && b <= c.b_with_ac);
    assert!(high(40, 12, 15) && !high(40, 13, 15));
    assert!(high(20, 17, 6) && !high(20, 18, 6) && !high(21, 17, 6));
}

#[test]
fn group_analysis() {
    let r = rules();
    let a = digits(&"2".repeat(57));
    let sheets: Vec<(&Answers, bool)> = (0..12).map(|i| (&a, i % 4 == 0)).collect();
    let g = r.group(&sheets);
    // 15 − 6 = 9 for every factor.
    assert_eq!((g.quant, g.control, g.boss, g.cowork), (9.0, 9.0, 9.0, 9.0));
    let dc = 100.0 * ((9.0 - 8.7) * 0.076 + (9.0 - 8.0) * -0.089f64).exp();
    let sup = 100.0 * ((9.0 - 7.6) * -0.097 + (9.0 - 8.1) * -0.097f64).exp();
    assert!((g.risk_demand_control - dc).abs() < 1e-9 && (g.risk_support - sup).abs() < 1e-9);
    assert!((g.total_risk - dc * sup / 100.0).abs() < 1e-9);
    assert_eq!((g.n, g.high_stress, g.disclosable), (12, 3, true));
    assert!(!r.group(&sheets[..9]).disclosable, "groups under 10 are not given to the employer");
    assert!(r.group(&sheets[..10]).disclosable);
}
