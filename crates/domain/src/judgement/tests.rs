use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn num(item: &str, v: f64, unit: &str) -> Fact {
    Fact { item: item.into(), value: Value::Number { value: v, unit: unit.into() }, comparator: None, flag: None }
}

fn code(item: &str, c: &str) -> Fact {
    Fact { item: item.into(), value: Value::Coded { code: c.into() }, comparator: None, flag: None }
}

fn rules() -> &'static Rules {
    match Rules::embedded() {
        Ok(r) => r,
        Err(e) => {
            panic!("embedded rules: {e}")
        }
    }
}

const MALE: Sex = Sex::Male;
const FEMALE: Sex = Sex::Female;
const NOW: &str = "2025-06-01";
const OLD: &str = "2020-06-01";

fn judge_with(r: &Rules, date: &str, sex: Sex, facts: &[Fact]) -> CheckupJudgement {
    let c = CheckupFacts {
        date: d(date),
        kind: Some(CheckupKind::Periodic),
        submitted_on: None,
        sex,
        birth_date: d("1975-05-01"),
        facts,
    };
    r.judge(&c, &NotationOnly)
}

fn item<'a>(j: &'a CheckupJudgement, key: &str) -> Option<&'a ItemResult> {
    j.items.iter().find(|i| i.key == key)
}

fn cat_of(r: &Rules, date: &str, sex: Sex, f: Fact, key: &str) -> Option<Category> {
    let j = judge_with(r, date, sex, &[f]);
    item(&j, key).and_then(|i| i.value_category)
}

use Category::{A, B, C, D};

/// (analyte item, unit, sex, date, value, expected) — below, at and above every threshold.
#[test]
fn every_numeric_threshold_below_at_and_above() {
    let r = rules();
    /// (analyte, item, unit, sex, date, value, category expected).
    type Case = (&'static str, &'static str, &'static str, Sex, &'static str, f64, Option<Category>);
    #[rustfmt::skip]
    let cases: &[Case] = &[
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 18.4, Some(C)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 18.5, Some(A)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 24.9, Some(A)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 25.0, Some(C)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 24.94, Some(A)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 24.95, Some(C)),
        ("BMI", "Ac0040000Z", "kg/m2", MALE, NOW, 40.0, Some(C)),
        ("WAIST", "Ac0030000Z", "cm", MALE, NOW, 84.9, Some(A)),
        ("WAIST", "Ac0030000Z", "cm", MALE, NOW, 85.0, Some(C)),
        ("WAIST", "Ac0030000Z", "cm", FEMALE, NOW, 85.0, Some(A)),
        ("WAIST", "Ac0030000Z", "cm", FEMALE, NOW, 89.9, Some(A)),
        ("WAIST", "Ac0030000Z", "cm", FEMALE, NOW, 90.0, Some(C)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 129.0, Some(A)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 130.0, Some(B)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 139.0, Some(B)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 140.0, Some(C)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 159.0, Some(C)),
        ("SBP", "Af0010001X", "mmHg", MALE, NOW, 160.0, Some(D)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 84.0, Some(A)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 85.0, Some(B)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 89.0, Some(B)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 90.0, Some(C)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 99.0, Some(C)),
        ("DBP", "Af0020001X", "mmHg", FEMALE, NOW, 100.0, Some(D)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 30.0, Some(A)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 31.0, Some(B)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 35.0, Some(B)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 36.0, Some(C)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 50.0, Some(C)),
        ("AST", "Ah0010000Z", "U/L", MALE, NOW, 51.0, Some(D)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 30.0, Some(A)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 31.0, Some(B)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 40.0, Some(B)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 41.0, Some(C)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 50.0, Some(C)),
        ("ALT", "Ah0020000Z", "U/L", MALE, NOW, 51.0, Some(D)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 50.0, Some(A)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 51.0, Some(B)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 80.0, Some(B)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 81.0, Some(C)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 100.0, Some(C)),
        ("GGT", "Ah0030000Z", "U/L", FEMALE, NOW, 101.0, Some(D)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 59.0, Some(D)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 60.0, Some(A)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 119.0, Some(A)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 120.0, Some(B)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 139.0, Some(B)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 140.0, Some(C)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 179.0, Some(C)),
        ("LDL", "Ai0010000Z", "mg/dL", MALE, NOW, 180.0, Some(D)),
        // HDL: the 2024-04 change (corrections §3).
        ("HDL", "Ai0020000Z", "mg/dL", MALE, NOW, 40.0, Some(A)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, NOW, 39.0, Some(C)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, NOW, 30.0, Some(C)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, NOW, 29.0, Some(D)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, OLD, 35.0, Some(C)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, OLD, 34.0, Some(D)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, "2024-03-31", 30.0, Some(D)),
        ("HDL", "Ai0020000Z", "mg/dL", MALE, "2024-04-01", 30.0, Some(C)),
        // TG: 2016 edition and the current one.
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 29.0, Some(D)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 30.0, Some(A)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 149.0, Some(A)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 150.0, Some(B)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 299.0, Some(B)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 300.0, Some(C)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 499.0, Some(C)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, NOW, 500.0, Some(D)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, OLD, 199.0, Some(B)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, OLD, 200.0, Some(C)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, OLD, 399.0, Some(C)),
        ("TG", "Ai0030000Z", "mg/dL", MALE, OLD, 400.0, Some(D)),
        ("TG_RANDOM", "Ai0040000Z", "mg/dL", MALE, NOW, 174.0, Some(A)),
        ("TG_RANDOM", "Ai0040000Z", "mg/dL", MALE, NOW, 175.0, None),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 89.0, Some(D)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 90.0, Some(A)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 149.0, Some(A)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 150.0, Some(B)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 169.0, Some(B)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 170.0, Some(C)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 209.0, Some(C)),
        ("NONHDL", "Ai0050000Z", "mg/dL", MALE, NOW, 210.0, Some(D)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 99.0, Some(A)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 100.0, Some(B)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 109.0, Some(B)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 110.0, Some(C)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 125.0, Some(C)),
        ("FPG", "Aj0010000Z", "mg/dL", MALE, NOW, 126.0, Some(D)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 5.5, Some(A)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 5.6, Some(B)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 5.9, Some(B)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 6.0, Some(C)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 6.4, Some(C)),
        ("HBA1C", "Aj0030000Z", "%", MALE, NOW, 6.5, Some(D)),
        // Haemoglobin, by sex and edition.
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 12.0, Some(D)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 12.1, Some(C)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 13.0, Some(C)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 13.1, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 16.3, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 16.4, Some(B)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 18.0, Some(B)),
        ("HB", "Ag0010000Z", "g/dL", MALE, NOW, 18.1, Some(D)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 11.0, Some(D)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 11.1, Some(C)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 12.0, Some(C)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 12.1, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 14.5, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 14.6, Some(B)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 16.0, Some(B)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, NOW, 16.1, Some(D)),
        ("HB", "Ag0010000Z", "g/dL", MALE, OLD, 12.0, Some(C)),
        ("HB", "Ag0010000Z", "g/dL", MALE, OLD, 11.9, Some(D)),
        ("HB", "Ag0010000Z", "g/dL", MALE, OLD, 16.6, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, OLD, 14.6, Some(A)),
        ("HB", "Ag0010000Z", "g/dL", FEMALE, OLD, 16.0, Some(D)),
        // RBC: categories only in the 2016 edition.
        ("RBC", "Ag0020000Z", "10*4/uL", MALE, OLD, 359.0, Some(D)),
        ("RBC", "Ag0020000Z", "10*4/uL", MALE, OLD, 400.0, Some(A)),
        ("RBC", "Ag0020000Z", "10*4/uL", FEMALE, OLD, 489.0, Some(A)),
        ("RBC", "Ag0020000Z", "10*4/uL", FEMALE, OLD, 490.0, Some(B)),
        ("RBC", "Ag0020000Z", "10*4/uL", MALE, NOW, 450.0, None),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.00, Some(A)),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.01, Some(B)),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.09, Some(B)),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.10, Some(C)),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.29, Some(C)),
        ("CRE", "Am0010000Z", "mg/dL", MALE, NOW, 1.30, Some(D)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 0.70, Some(A)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 0.71, Some(B)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 0.79, Some(B)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 0.80, Some(C)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 0.99, Some(C)),
        ("CRE", "Am0010000Z", "mg/dL", FEMALE, NOW, 1.00, Some(D)),
        ("EGFR", "Am0020000Z", "mL/min/1.73m2", MALE, NOW, 60.0, Some(A)),
        ("EGFR", "Am0020000Z", "mL/min/1.73m2", MALE, NOW, 59.9, Some(C)),
        ("EGFR", "Am0020000Z", "mL/min/1.73m2", MALE, NOW, 45.0, Some(C)),
        ("EGFR", "Am0020000Z", "mL/min/1.73m2", MALE, NOW, 44.9, Some(D)),
        ("EGFR", "Am0020000Z", "mL/min/1.73m2", MALE, OLD, 44.9, None),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 2.0, Some(C)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 2.1, Some(A)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 7.0, Some(A)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 7.1, Some(B)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 7.9, Some(B)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 8.0, Some(C)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 8.9, Some(C)),
        ("UA", "Am0030000Z", "mg/dL", MALE, NOW, 9.0, Some(D)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 9.9, Some(D)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 10.0, Some(C)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 14.5, Some(A)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 32.9, Some(A)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 33.0, Some(B)),
        ("PLT", "Ag0050000Z", "10*4/uL", MALE, NOW, 40.0, Some(D)),
        ("TP", "Ah0070000Z", "g/dL", MALE, NOW, 6.5, Some(A)),
        ("TP", "Ah0070000Z", "g/dL", MALE, NOW, 8.0, None),
        ("TP", "Ah0070000Z", "g/dL", MALE, OLD, 8.0, Some(A)),
        ("TP", "Ah0070000Z", "g/dL", MALE, OLD, 9.1, Some(D)),
        ("ALB", "Ah0080000Z", "g/dL", MALE, NOW, 3.9, Some(A)),
        ("ALB", "Ah0080000Z", "g/dL", MALE, NOW, 3.8, None),
        ("ALB", "Ah0080000Z", "g/dL", MALE, OLD, 3.5, Some(D)),
    ];
    for (key, code, unit, sex, date, v, want) in cases {
        let got = cat_of(r, date, *sex, num(code, *v, unit), key);
        assert_eq!(got, *want, "{key} {v} {unit} {sex:?} on {date}");
    }
}

#[test]
fn white_cells_are_converted_from_the_ohcc_unit() {
    // OHCC stores 白血球数 in /uL; the rule is in 10^3/uL.
    struct PerUl;
    impl UnitConvert for PerUl {
        fn convert(&self, _item: &str, v: f64, from: &str, to: &str) -> Option<f64> {
            match (from, to) {
                ("/uL", "10^3/uL") => Some(v / 1000.0),
                _ => NotationOnly.convert("", v, from, to),
            }
        }
    }
    let r = rules();
    let c = |v: f64| {
        let facts = [num("Ag0040000Z", v, "/uL")];
        let cf = CheckupFacts {
            date: d(NOW),
            kind: Some(CheckupKind::Periodic),
            submitted_on: None,
            sex: MALE,
            birth_date: d("1980-01-01"),
            facts: &facts,
        };
        let j = r.judge(&cf, &PerUl);
        item(&j, "WBC").and_then(|i| i.value_category)
    };
    assert_eq!(c(3000.0), Some(D));
    assert_eq!(c(3100.0), Some(A));
    assert_eq!(c(8400.0), Some(A));
    assert_eq!(c(8500.0), Some(B));
    assert_eq!(c(10000.0), Some(D));
    // Without a conversion the value is listed, not judged.
    let j = judge_with(r, NOW, MALE, &[num("Ag0040000Z", 6000.0, "/uL")]);
    let w = item(&j, "WBC");
    assert_eq!(w.and_then(|i| i.value_category), None);
    assert!(w.and_then(|i| i.not_judged.clone()).is_some_and(|s| s.contains("に換算できません")), "{w:?}");
}

#[test]
fn a_value_in_another_unit_is_not_judged_and_says_why() {
    let r = rules();
    let j = judge_with(r, NOW, MALE, &[num("Aj0010000Z", 7.0, "mmol/L")]);
    let f = item(&j, "FPG");
    assert_eq!(f.and_then(|i| i.value_category), None);
    assert_eq!(
        f.and_then(|i| i.not_judged.clone()).as_deref(),
        Some("単位 mmol/L を判定基準の単位 mg/dL に換算できません")
    );
    assert_eq!(j.overall, None);
}

#[test]
fn missing_values_are_skipped_and_not_done_is_listed() {
    let r = rules();
    let j = judge_with(r, NOW, MALE, &[]);
    assert!(j.items.is_empty());
    assert_eq!(j.overall, None);
    let nd = Fact { item: "Ai0010000Z".into(), value: Value::NotDone, comparator: None, flag: None };
    let j = judge_with(r, NOW, MALE, &[nd, num("Ah0010000Z", 20.0, "U/L")]);
    assert_eq!(item(&j, "LDL").and_then(|i| i.not_judged.clone()).as_deref(), Some("未実施"));
    assert_eq!(j.overall, Some(A));
}

#[test]
fn beyond_range_marks_use_the_open_band() {
    let r = rules();
    let h =
        Fact { item: "Ai0030000Z".into(), value: Value::BeyondRange, comparator: None, flag: Some(RangeFlag::High) };
    let j = judge_with(r, NOW, MALE, std::slice::from_ref(&h));
    assert_eq!(item(&j, "TG").and_then(|i| i.value_category), Some(D));
    assert_eq!(j.urgent_tier, Some(UrgentTier::Referral));
}

#[test]
fn blood_pressure_is_the_worse_of_systolic_and_diastolic_from_the_mean_of_two_readings() {
    let r = rules();
    let j = judge_with(
        r,
        NOW,
        MALE,
        &[
            num("Af0010001A", 128.0, "mmHg"),
            num("Af0010001B", 132.0, "mmHg"),
            num("Af0020001A", 92.0, "mmHg"),
            num("Af0020001B", 90.0, "mmHg"),
        ],
    );
    assert_eq!(item(&j, "SBP").map(|i| i.value.as_str()), Some("130"));
    assert_eq!(item(&j, "SBP").and_then(|i| i.value_category), Some(B));
    assert_eq!(item(&j, "DBP").and_then(|i| i.value_category), Some(C));
    assert_eq!(item(&j, "BP").and_then(|i| i.category), Some(C));
    assert_eq!(item(&j, "SBP").and_then(|i| i.part_of.clone()).as_deref(), Some("BP"));
    assert_eq!(j.overall, Some(C));
    // The institution's mean (X) wins over the readings.
    let j = judge_with(r, NOW, MALE, &[num("Af0010001X", 161.0, "mmHg"), num("Af0010001A", 120.0, "mmHg")]);
    assert_eq!(item(&j, "BP").and_then(|i| i.category), Some(D));
}

#[test]
fn combined_glucose_rule() {
    let r = rules();
    let g = |fpg: f64, a1c: f64| {
        let j = judge_with(r, NOW, MALE, &[num("Aj0010000Z", fpg, "mg/dL"), num("Aj0030000Z", a1c, "%")]);
        item(&j, "GLUCOSE").and_then(|i| i.category)
    };
    // The cases of 判定区分の補正記録 (docs/rules/judgement-corrections.md).
    assert_eq!(g(130.0, 6.0), Some(C));
    assert_eq!(g(130.0, 6.6), Some(D));
    assert_eq!(g(126.0, 6.5), Some(D));
    assert_eq!(g(125.0, 6.5), Some(C));
    assert_eq!(g(99.0, 6.5), Some(C));
    assert_eq!(g(99.0, 5.5), Some(A));
    assert_eq!(g(100.0, 5.5), Some(B));
    assert_eq!(g(99.0, 5.6), Some(B));
    assert_eq!(g(109.0, 5.9), Some(B));
    assert_eq!(g(110.0, 5.5), Some(C));
    // Only one measured: its own bands.
    let j = judge_with(r, NOW, MALE, &[num("Aj0010000Z", 126.0, "mg/dL")]);
    assert_eq!(item(&j, "GLUCOSE").and_then(|i| i.category), Some(D));
}

#[test]
fn urine_protein_with_occult_blood() {
    let r = rules();
    let u = |p: &str, b: Option<&str>| {
        let mut f = vec![code("Ak0010000Z", p)];
        if let Some(b) = b {
            f.push(code("Ak0030000Z", b));
        }
        let j = judge_with(r, NOW, FEMALE, &f);
        item(&j, "UPRO_UOB").and_then(|i| i.category)
    };
    assert_eq!(u("neg", None), Some(A));
    assert_eq!(u("trace", None), Some(B));
    assert_eq!(u("1p", None), Some(C));
    assert_eq!(u("2p", None), Some(D));
    assert_eq!(u("3p", None), Some(D));
    assert_eq!(u("1p", Some("1p")), Some(D));
    assert_eq!(u("1p", Some("trace")), Some(C));
    assert_eq!(u("trace", Some("2p")), Some(B));
    // Occult blood keeps its own item.
    let j = judge_with(r, NOW, FEMALE, &[code("Ak0030000Z", "2p")]);
    assert_eq!(item(&j, "UOB").and_then(|i| i.category), Some(D));
    assert_eq!(item(&j, "UOB").and_then(|i| i.verified), Some(Verified::Partial));
}

#[test]
fn treatment_makes_e_apart_and_flags_poor_control() {
    let r = rules();
    let facts = [num("Af0010001X", 150.0, "mmHg"), code("Aa0040000Z", "yes"), num("Ah0030000Z", 60.0, "U/L")];
    let j = judge_with(r, NOW, MALE, &facts);
    let bp = item(&j, "BP");
    assert_eq!(bp.and_then(|i| i.category), Some(Category::E));
    assert_eq!(bp.and_then(|i| i.value_category), Some(C));
    assert!(bp.is_some_and(|i| i.poorly_controlled));
    assert!(j.has_treated && j.poorly_controlled);
    // Overall from the rest (γ-GT 60 = B).
    assert_eq!(j.overall, Some(B));
    assert_eq!(j.guidance, Some(GuidanceLevel::Medical));
    // Well controlled: not flagged.
    let j = judge_with(r, NOW, MALE, &[num("Af0010001X", 120.0, "mmHg"), code("Aa0040000Z", "yes")]);
    assert!(!j.poorly_controlled);
    assert_eq!(j.overall, Some(Category::E));
    // The ranking is a setting.
    let above = r.with_override("settings", "key,value,source\ne_ranking,above_d,test\n");
    let above = above.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(judge_with(&above, NOW, MALE, &facts).overall, Some(Category::E));
    let by_value = r.with_override("settings", "key,value,source\ne_ranking,by_value,test\n");
    let by_value = by_value.unwrap_or_else(|e| panic!("{e}"));
    let j = judge_with(&by_value, NOW, MALE, &facts);
    assert_eq!(j.overall, Some(C));
    assert_eq!(item(&j, "BP").and_then(|i| i.category), Some(C));
}

#[test]
fn overall_is_the_worst_item_and_unverified_rows_are_marked() {
    let r = rules();
    let j = judge_with(
        r,
        NOW,
        MALE,
        &[num("Ah0010000Z", 31.0, "U/L"), num("Ai0010000Z", 150.0, "mg/dL"), num("Ac0040000Z", 22.0, "kg/m2")],
    );
    assert_eq!(j.overall, Some(C));
    assert!(!j.uses_unverified);
    let j = judge_with(r, NOW, MALE, &[num("Ai0030000Z", 200.0, "mg/dL")]);
    assert_eq!(item(&j, "TG").and_then(|i| i.verified), Some(Verified::Partial));
    assert!(j.uses_unverified);
}

#[test]
fn institution_judgement_is_kept_and_differences_shown() {
    let r = rules();
    let j = judge_with(r, NOW, MALE, &[num("Ah0010000Z", 60.0, "U/L"), code(INSTITUTION_OVERALL_ITEM, "C6")]);
    assert_eq!(j.overall, Some(D));
    assert_eq!(j.institution_overall.as_deref(), Some("C6"));
    assert!(j.differs_from_institution);
    let j = judge_with(r, NOW, MALE, &[num("Ah0010000Z", 60.0, "U/L"), code(INSTITUTION_OVERALL_ITEM, "D2")]);
    assert!(!j.differs_from_institution);
}

#[test]
fn urgent_values_in_two_tiers() {
    let r = rules();
    let tier = |facts: &[Fact]| judge_with(r, NOW, MALE, facts).urgent_tier;
    assert_eq!(tier(&[num("Af0010001X", 159.0, "mmHg")]), None);
    assert_eq!(tier(&[num("Af0010001X", 160.0, "mmHg")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Af0010001X", 179.0, "mmHg")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Af0010001X", 180.0, "mmHg")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Af0020001X", 99.0, "mmHg")]), None);
    assert_eq!(tier(&[num("Af0020001X", 100.0, "mmHg")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Af0020001X", 110.0, "mmHg")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Aj0010000Z", 125.0, "mg/dL")]), None);
    assert_eq!(tier(&[num("Aj0010000Z", 126.0, "mg/dL")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Aj0010000Z", 499.0, "mg/dL")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Aj0010000Z", 500.0, "mg/dL")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Aj0010000Z", 51.0, "mg/dL")]), None);
    assert_eq!(tier(&[num("Aj0010000Z", 50.0, "mg/dL")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Aj0030000Z", 6.4, "%")]), None);
    assert_eq!(tier(&[num("Aj0030000Z", 6.5, "%")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Ai0010000Z", 179.0, "mg/dL")]), None);
    assert_eq!(tier(&[num("Ai0010000Z", 180.0, "mg/dL")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Ai0050000Z", 210.0, "mg/dL")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Ai0030000Z", 500.0, "mg/dL")]), Some(UrgentTier::Referral));
    assert_eq!(tier(&[num("Ag0010000Z", 5.1, "g/dL")]), None);
    assert_eq!(tier(&[num("Ag0010000Z", 5.0, "g/dL")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Ah0010000Z", 500.0, "U/L")]), Some(UrgentTier::Panic));
    assert_eq!(tier(&[num("Am0010000Z", 8.0, "mg/dL")]), Some(UrgentTier::Panic));
    // Panic supersedes the referral row for the same analyte: one hit.
    let j = judge_with(r, NOW, MALE, &[num("Af0010001X", 185.0, "mmHg")]);
    assert_eq!(j.urgent.len(), 1);
    assert_eq!(j.urgent.first().map(|u| u.limit.as_str()), Some(">=180 mmHg"));
    assert_eq!(j.work_candidate, Some(WorkCategory::Restriction));
}

#[test]
fn opinion_deadlines() {
    let r = rules();
    let facts = [num("Ah0010000Z", 20.0, "U/L")];
    let mk = |kind, submitted| CheckupFacts {
        date: d("2025-11-30"),
        kind: Some(kind),
        submitted_on: submitted,
        sex: MALE,
        birth_date: d("1980-01-01"),
        facts: &facts,
    };
    assert_eq!(r.judge(&mk(CheckupKind::Periodic, None), &NotationOnly).opinion_due, Some(d("2026-02-28")));
    assert_eq!(r.judge(&mk(CheckupKind::Dock, None), &NotationOnly).opinion_due, None);
    assert_eq!(
        r.judge(&mk(CheckupKind::SelfInitiated, Some(d("2025-12-10"))), &NotationOnly).opinion_due,
        Some(d("2026-02-10"))
    );
    // 要精検 follow-up: D items only, after followup_days.
    let j = judge_with(r, "2025-01-01", MALE, &[num("Ah0010000Z", 51.0, "U/L")]);
    assert_eq!(j.followup_due, Some(d("2025-04-01")));
    let j = judge_with(r, "2025-01-01", MALE, &[num("Ah0010000Z", 50.0, "U/L")]);
    assert_eq!(j.followup_due, None);
}

#[test]
fn niji_candidates_need_all_four() {
    let r = rules();
    let all4 = vec![
        num("Af0010001X", 130.0, "mmHg"),
        num("Ai0030000Z", 150.0, "mg/dL"),
        num("Aj0010000Z", 100.0, "mg/dL"),
        num("Ac0030000Z", 85.0, "cm"),
    ];
    let j = judge_with(r, "2025-05-10", MALE, &all4);
    assert!(j.niji_candidate);
    assert_eq!(j.niji_claim_until, Some(d("2025-08-10")));
    // A woman's waist threshold is 90.
    assert!(!judge_with(r, "2025-05-10", FEMALE, &all4).niji_candidate);
    // One below its threshold: not a candidate.
    let mut three = all4.clone();
    three[0] = num("Af0010001X", 129.0, "mmHg");
    assert!(!judge_with(r, "2025-05-10", MALE, &three).niji_candidate);
    // A 人間ドック is not a 一次健康診断 for the benefit.
    let c = CheckupFacts {
        date: d("2025-05-10"),
        kind: Some(CheckupKind::Dock),
        submitted_on: None,
        sex: MALE,
        birth_date: d("1975-01-01"),
        facts: &all4,
    };
    assert!(!r.judge(&c, &NotationOnly).niji_candidate);
}

#[test]
fn stratification_4th_period() {
    let r = rules();
    let s = |birth: &str, sex: Sex, facts: &[Fact]| {
        let c = CheckupFacts {
            date: d("2025-06-01"),
            kind: Some(CheckupKind::Periodic),
            submitted_on: None,
            sex,
            birth_date: d(birth),
            facts,
        };
        r.judge(&c, &NotationOnly).stratification
    };
    let waist = num("Ac0030000Z", 86.0, "cm");
    let bp = num("Af0010001X", 130.0, "mmHg");
    let tg = num("Ai0030000Z", 150.0, "mg/dL");
    let smoke = code(SMOKING_ITEM, "yes");
    // Age reached during FY2025: born 1986-04-01 reaches 40 on 2026-03-31; born 1986-04-02 does not.
    assert_eq!(s("1986-04-02", MALE, &[waist.clone(), bp.clone()]), None);
    assert_eq!(s("1986-04-01", MALE, &[waist.clone(), bp.clone()]), Some(Stratification::Motivational));
    // Waist group: 2 risks → 積極的支援.
    assert_eq!(s("1970-01-01", MALE, &[waist.clone(), bp.clone(), tg.clone()]), Some(Stratification::Active));
    // Smoking counts only with another risk.
    assert_eq!(s("1970-01-01", MALE, &[waist.clone(), bp.clone(), smoke.clone()]), Some(Stratification::Active));
    assert_eq!(
        s("1970-01-01", MALE, &[waist.clone(), num("Af0010001X", 120.0, "mmHg"), smoke.clone()]),
        Some(Stratification::Information)
    );
    // BMI group needs 3 risks.
    let bmi = num("Ac0040000Z", 26.0, "kg/m2");
    let women_waist = num("Ac0030000Z", 86.0, "cm");
    assert_eq!(
        s("1970-01-01", FEMALE, &[women_waist.clone(), bmi.clone(), bp.clone(), tg.clone()]),
        Some(Stratification::Motivational)
    );
    assert_eq!(
        s("1970-01-01", FEMALE, &[women_waist, bmi, bp.clone(), tg.clone(), num("Aj0030000Z", 5.6, "%")]),
        Some(Stratification::Active)
    );
    // 65–74: 積極的支援 becomes 動機付け支援.
    assert_eq!(s("1960-01-01", MALE, &[waist.clone(), bp.clone(), tg.clone()]), Some(Stratification::Motivational));
    // 75 and over: not applicable.
    assert_eq!(s("1950-01-01", MALE, &[waist.clone(), bp.clone(), tg.clone()]), None);
    // On medication: excluded.
    assert_eq!(
        s("1970-01-01", MALE, &[waist.clone(), bp.clone(), code("Aa0060000Z", "yes")]),
        Some(Stratification::ExcludedMedication)
    );
    // 随時中性脂肪 175 counts only without a fasting value.
    assert_eq!(
        s("1970-01-01", MALE, &[waist.clone(), bp.clone(), num("Ai0040000Z", 175.0, "mg/dL")]),
        Some(Stratification::Active)
    );
    assert_eq!(
        s("1970-01-01", MALE, &[waist.clone(), bp, num("Ai0040000Z", 174.0, "mg/dL")]),
        Some(Stratification::Motivational)
    );
    // No waist, no BMI: incomplete.
    assert_eq!(s("1970-01-01", MALE, &[tg]), Some(Stratification::Incomplete));
}

#[test]
fn fiscal_year_age() {
    // FY2025 = 2025-04-01..2026-03-31.
    assert_eq!(age_at_fiscal_year_end(d("1985-04-01"), d("2025-04-01")), 41);
    assert_eq!(age_at_fiscal_year_end(d("1985-04-02"), d("2025-04-01")), 40);
    assert_eq!(age_at_fiscal_year_end(d("1986-04-01"), d("2025-06-01")), 40);
    assert_eq!(age_at_fiscal_year_end(d("1986-04-02"), d("2026-03-31")), 39);
    assert_eq!(age_at_fiscal_year_end(d("1985-03-31"), d("2025-03-31")), 40);
}

#[test]
fn company_overrides_replace_an_analytes_bands_and_bad_rows_are_named() {
    let r = rules();
    let csv = "analyte,sex,category,lower,upper,qualitative,effective_from,effective_to,unit,verified,edition,source\n\
               SBP,all,A,,139,,2000-01-01,,mmHg,yes,company,社内基準\n\
               SBP,all,D,140,,,2000-01-01,,mmHg,yes,company,社内基準\n";
    let c = r.with_override("thresholds", csv).unwrap_or_else(|e| panic!("{e}"));
    assert!(c.version.ends_with("+company"), "{}", c.version);
    assert_eq!(cat_of(&c, NOW, MALE, num("Af0010001X", 139.0, "mmHg"), "SBP"), Some(A));
    assert_eq!(cat_of(&c, NOW, MALE, num("Af0010001X", 140.0, "mmHg"), "SBP"), Some(D));
    // Other analytes keep the embedded bands.
    assert_eq!(cat_of(&c, NOW, MALE, num("Af0020001X", 85.0, "mmHg"), "DBP"), Some(B));
    // The merged text still reads back.
    assert!(c.table_text("thresholds").is_some_and(|t| t.contains("社内基準")));

    let bad = "analyte,sex,category,lower,upper,qualitative,effective_from,effective_to,unit,verified,edition,source\n\
               SBP,all,Z,,139,,2000-01-01,,mmHg,yes,company,x\n";
    let e = r.with_override("thresholds", bad).err();
    assert_eq!(e.as_ref().map(|e| (e.table.as_str(), e.field.as_str())), Some(("thresholds", "category")));
    let bad = "analyte,sex,category,lower,upper,qualitative,effective_from,effective_to,unit,verified,edition,source\n\
               XYZ,all,A,,139,,2000-01-01,,mmHg,yes,company,x\n";
    assert!(r.with_override("thresholds", bad).err().is_some_and(|e| e.reason.contains("not in the analyte table")));
    assert!(r.with_override("nope", "a\n1\n").is_err());
    assert!(r.with_override("settings", "key,value,source\ne_ranking,sideways,x\n").is_err());
}

#[test]
fn every_embedded_band_judges_its_own_bounds() {
    // Property over the whole table: each numeric band's bounds judge to that band's category on
    // a date the band is in force, for a sex it applies to.
    let r = rules();
    for b in r.bands.iter().filter(|b| b.codes.is_empty()) {
        let Some(a) = r.analytes.iter().find(|a| a.key == b.analyte) else {
            panic!("analyte {}", b.analyte);
        };
        let sex = if b.sex == SexFilter::Female { FEMALE } else { MALE };
        let date = b.effective_to.unwrap_or(d("2026-01-01"));
        let item = a.items.first().cloned().unwrap_or_default();
        for v in [b.lower, b.upper].into_iter().flatten() {
            let got = cat_of(r, &date.to_string(), sex, num(&item, v, &b.unit), &b.analyte);
            assert_eq!(got, Some(b.category), "{} {v} {:?} {date}", b.analyte, b.sex);
        }
    }
}

#[test]
fn embedded_tables_parse_and_are_listed() {
    let r = rules();
    assert_eq!(r.settings.opinion_months, 3);
    assert_eq!(r.settings.e_ranking, ERanking::Apart);
    assert!(r.version.contains("judgement-ningen-dock-v1"), "{}", r.version);
    for n in TABLE_NAMES {
        assert!(embedded_table(n).is_some(), "{n}");
    }
    assert!(r.items_read().contains(&"Aa0040000Z".to_string()));
    assert_eq!(Category::parse("C12"), Some(C));
    assert_eq!(Category::parse("X"), None);
}

#[test]
fn the_bands_of_an_item_are_those_of_its_analyte_in_force_for_the_sex() {
    let r = rules();
    let (a, bands) = r.bands_for_item("Af0010001X", MALE, d(NOW)).unwrap_or_else(|| panic!("SBP bands"));
    assert_eq!(a.key, "SBP");
    let got: Vec<(Category, Option<f64>, Option<f64>)> = bands.iter().map(|b| (b.category, b.lower, b.upper)).collect();
    assert_eq!(
        got,
        vec![
            (Category::A, None, Some(129.0)),
            (Category::B, Some(130.0), Some(139.0)),
            (Category::C, Some(140.0), Some(159.0)),
            (Category::D, Some(160.0), None)
        ]
    );
    // The second reading of the same analyte has the same bands.
    assert_eq!(r.bands_for_item("Af0010001B", MALE, d(NOW)).map(|(_, b)| b.len()), Some(4));
    // Waist: the sex decides (85 cm for men, 90 cm for women).
    let waist = |sex| {
        r.bands_for_item("Ac0030000Z", sex, d(NOW)).map(|(_, b)| b.iter().filter_map(|b| b.lower).collect::<Vec<_>>())
    };
    assert_eq!(waist(MALE), Some(vec![85.0]));
    assert_eq!(waist(FEMALE), Some(vec![90.0]));
    // Qualitative items have no numeric bands; an item no analyte reads has none.
    assert!(r.bands_for_item("Ak0010000Z", MALE, d(NOW)).is_none());
    assert!(r.bands_for_item("Zz9999999Z", MALE, d(NOW)).is_none());
    // Before the first edition in force: none.
    assert!(r.bands_for_item("Af0010001X", MALE, d("2010-01-01")).is_none());
}
