//! Workers and their records.

use crate::names::{FAMILY, FEMALE, MALE};
use crate::{DemoCompany, DemoConfig, DeptProfile, id_on, rng_for, start_date};
use chrono::{Datelike, Duration, NaiveDate};
use iphr_domain::event::{CheckupKind, Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Provenance, Value};
use iphr_domain::ohcc::{DataAtr, DataKind, ItemCode, ItemTable, Producer};
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person, Sex, WorkRegime, age_on};
use iphr_domain::policy::ConsentGrant;
use iphr_domain::role::Role;
use iphr_domain::stress::{self, Answers, SumCriteria};
use iphr_domain::tenant::Department;
use iphr_domain::{AssignmentId, CompanyId, EmploymentId, EventId, ExposureId, ObservationId, PersonId};
use iphr_store::Batch;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

mod checkups;
mod ctx;
mod work;

use ctx::Ctx;

/// OHCC items the demo writes (see crates/domain/data/ohcc-items-v1.csv).
mod codes {
    pub const HEIGHT: &str = "Ac0010000Z";
    pub const WEIGHT: &str = "Ac0020000Z";
    pub const WAIST: &str = "Ac0030000Z";
    pub const BMI: &str = "Ac0040000Z";
    pub const SBP: &str = "Af0010001A";
    pub const DBP: &str = "Af0020001A";
    pub const HB: &str = "Ag0010000Z";
    pub const RBC: &str = "Ag0020000Z";
    pub const AST: &str = "Ah0010000Z";
    pub const ALT: &str = "Ah0020000Z";
    pub const GGT: &str = "Ah0030000Z";
    pub const LDL: &str = "Ai0010000Z";
    pub const HDL: &str = "Ai0020000Z";
    pub const TG: &str = "Ai0030000Z";
    pub const FPG: &str = "Aj0010000Z";
    pub const HBA1C: &str = "Aj0030000Z";
    pub const URINE_PROTEIN: &str = "Ak0010000Z";
    pub const URINE_SUGAR: &str = "Ak0020000Z";
    pub const MED_BP: &str = "Aa0040000Z";
    pub const MED_GLUCOSE: &str = "Aa0050000Z";
    pub const MED_LIPIDS: &str = "Aa0060000Z";
    pub const SMOKING: &str = "Aa0070000Z";
    pub const OVERALL: &str = "Az0010000Z";
    pub const DIAGNOSIS: &str = "Az0020000Z";
    pub const STRESS_A: &str = "Ca1010001Z";
    pub const STRESS_B: &str = "Cb1010001Z";
    pub const STRESS_C: &str = "Cc1010001Z";
    pub const HIGH_STRESS: &str = "Cz0010000Z";
    pub const OVERTIME_HOLIDAY: &str = "Fb0010000Z";
    pub const STATUTORY_OVERTIME: &str = "Fb0020000Z";
    pub const HOLIDAY_WORK: &str = "Fb0030000Z";
    pub const TOTAL_HOURS: &str = "Fb0040000Z";
    pub const NIGHT_SHIFTS: &str = "Fc0010000Z";
    pub const WORK_CATEGORY: &str = "Ea0010000Z";
    pub const GUIDANCE: &str = "Eb0010000Z";
    pub const INTERVIEW: &str = "Ec0010000Z";
    pub const PATROL: &str = "Ed0010000Z";
    // Items many employers add to the statutory set (class 3 under the 指針).
    pub const CREATININE: &str = "Am0010000Z";
    pub const EGFR: &str = "Am0020000Z";
    pub const URIC_ACID: &str = "Am0030000Z";
    pub const URINE_BLOOD: &str = "Ak0030000Z";
    // 有機則 biological monitoring: value and 分布 (生物学的モニタリング, docs/sources.md [ANZENINFO]).
    pub const HIPPURIC: &str = "Ba0100000Z";
    pub const HIPPURIC_DIST: &str = "Ba0100900D";
    pub const METHYLHIPPURIC: &str = "Ba0110000Z";
    pub const METHYLHIPPURIC_DIST: &str = "Ba0110900D";
}

pub(crate) fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

fn days_in_month(d: NaiveDate) -> i64 {
    (next_month(d) - NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)).num_days()
}

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    // Box–Muller; deterministic for a given stream.
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random();
    mean + sd * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    let i = rng.random_range(0..xs.len());
    // Slices here are constant, non-empty tables.
    &xs[i]
}

/// A workplace patrol record of one department (安衛則15条).
pub(crate) fn patrol_event(
    rng: &mut ChaCha8Rng,
    company: CompanyId,
    d: &Department,
    profile: DeptProfile,
    day: NaiveDate,
) -> Event {
    let findings: &[&str] = if profile.solvents {
        &[
            "局所排気装置の稼働良好",
            "有機溶剤の容器のふたが開放されていた。作業主任者に是正を指示",
            "防毒マスクの吸収缶の交換記録を確認",
        ]
    } else {
        &["通路に荷物。整理整頓を指示", "照度良好、作業姿勢に問題なし", "VDT作業の休憩取得を確認", "休憩室の換気良好"]
    };
    Event {
        company_id: company,
        id: EventId(id_on(rng, day)),
        person_id: None,
        employment_id: None,
        department_id: Some(d.id),
        kind: EventKind::WorkplacePatrol,
        subkind: None,
        event_date: day,
        title: format!("職場巡視 {}", d.name),
        content_class: InfoClass::Class1,
        producer: Producer::Physician,
        detail: json!({ "department": d.name, "finding": pick(rng, findings), "item": codes::PATROL }),
        source_doc: Some("demo".into()),
    }
}

/// Generates the workers of one demo company, in batches.
pub struct WorkerGenerator<'a> {
    cfg: DemoConfig,
    company: &'a DemoCompany,
    table: &'static ItemTable,
    stress_items: &'static [stress::Item],
    criteria: SumCriteria,
    source: String,
}

struct Latent {
    height: f64,
    bmi: f64,
    sbp_off: f64,
    ldl_off: f64,
    hdl_off: f64,
    tg_factor: f64,
    diabetic_from: Option<i32>,
    drinker: bool,
    anemic: bool,
    stress: f64,
    overtime_off: f64,
    /// The least overtime of each of the last three months before the as-of date (the showcase
    /// worker's long hours lately; 0 for everyone else).
    recent_floor: f64,
}

/// The worker of company 0 who is the deck's 活用例: moved from 製造第一課 to 塗装課 three years
/// ago, works with toluene wearing an organic-vapour mask, on nights, with long hours lately, a
/// high stress-check result and hypertension under treatment — so that every part of the
/// physician's summary has something to show (the `worker` account is worker 0).
pub const SHOWCASE_WORKER: u32 = 1;

/// The worker of company 0 whose record holds a leave and the return to work (休業前の面談, 復職面談
/// of the 手引き's steps, 両立支援).
pub const RETURN_TO_WORK_WORKER: u32 = 4;

impl<'a> WorkerGenerator<'a> {
    /// A generator for a company.
    pub fn new(cfg: DemoConfig, company: &'a DemoCompany) -> Result<Self, String> {
        Ok(Self {
            cfg,
            company,
            table: ItemTable::embedded().map_err(|e| e.to_string())?,
            stress_items: stress::items().map_err(|e| e.to_string())?,
            criteria: *SumCriteria::mhlw_example().map_err(|e| e.to_string())?,
            source: format!("demo:seed={}:as-of={}", cfg.seed, cfg.as_of),
        })
    }

    /// The person id of worker `i` (without generating the rest).
    pub fn person_id(&self, i: u32) -> PersonId {
        let mut rng = rng_for(self.cfg.seed, &[3, u64::from(self.company.index), u64::from(i)]);
        PersonId(id_on(&mut rng, start_date(&self.cfg)))
    }

    /// Workers `from..to` and all their records.
    pub fn batch(&self, from: u32, to: u32) -> Batch {
        let mut b = Batch::default();
        for i in from..to {
            self.worker(i, &mut b);
        }
        b
    }

    fn worker(&self, i: u32, b: &mut Batch) {
        let cfg = &self.cfg;
        let cid = self.company.company.id;
        let mut rng = rng_for(cfg.seed, &[3, u64::from(self.company.index), u64::from(i)]);
        let start = start_date(cfg);
        let person_id = PersonId(id_on(&mut rng, start));
        let showcase = self.company.index == 0 && i == SHOWCASE_WORKER;
        let male_share = if self.company.index == 0 { 0.7 } else { 0.55 };
        let sex = if showcase || rng.random::<f64>() < male_share { Sex::Male } else { Sex::Female };
        let (family, fkana) = *pick(&mut rng, &FAMILY);
        let (given, gkana) = if sex == Sex::Male { *pick(&mut rng, &MALE) } else { *pick(&mut rng, &FEMALE) };
        let age = if showcase { 47 } else { rng.random_range(20..65) };
        let birth = cfg.as_of - Duration::days(age * 365 + rng.random_range(0..365));
        let max_tenure_days = ((age - 18) * 365).max(30);
        let tenure = if showcase {
            20 * 365
        } else if rng.random::<f64>() < 0.08 {
            rng.random_range(0..365)
        } else {
            rng.random_range(0..max_tenure_days)
        };
        let hire = cfg.as_of - Duration::days(tenure);
        let leave = if !showcase && rng.random::<f64>() < 0.06 && tenure > 60 {
            Some(hire + Duration::days(rng.random_range(30..tenure)))
        } else {
            None
        };
        let person = Person {
            id: person_id,
            family_name: family.into(),
            given_name: given.into(),
            family_kana: fkana.into(),
            given_kana: gkana.into(),
            sex,
            birth_date: birth,
            insurer: InsurerIds {
                insurer_number: Some(format!("06{:02}{:04}", 13 + self.company.index % 30, 1000 + self.company.index)),
                symbol: Some(format!("{}", 100 + self.company.index)),
                number: Some(format!("{}", i + 1)),
            },
            name_as_delivered: None,
            kana_as_delivered: None,
        };
        let letter = char::from(b'A' + (self.company.index % 26) as u8);
        let employment = Employment {
            company_id: cid,
            id: EmploymentId(id_on(&mut rng, hire)),
            person_id,
            employee_number: format!("{letter}{:06}", i + 1),
            hire_date: hire,
            leave_date: leave,
        };
        let end = leave.unwrap_or(cfg.as_of).min(cfg.as_of);
        let win_start = hire.max(start);

        // Assignments: one department, or a move within the window.
        let n = self.company.departments.len();
        let first_dept = rng.random_range(0..n);
        let moved = rng.random::<f64>() < 0.2 && (end - win_start).num_days() > 400;
        let move_day = if moved {
            Some(win_start + Duration::days(rng.random_range(180..(end - win_start).num_days() - 180).max(1)))
        } else {
            None
        };
        let mut spans = vec![(first_dept, hire, move_day.map(|d| d - Duration::days(1)))];
        if let Some(m) = move_day {
            spans.push(((first_dept + 1 + rng.random_range(0..n.max(2) - 1)) % n, m, None));
        }
        let by_name = |name: &str| self.company.departments.iter().position(|(d, _)| d.name == name);
        if showcase && let (Some(mfg), Some(paint)) = (by_name("製造第一課"), by_name("塗装課")) {
            let moved_on = (end - Duration::days(3 * 365)).max(hire + Duration::days(30));
            spans = vec![(mfg, hire, Some(moved_on - Duration::days(1))), (paint, moved_on, None)];
        }
        let current = spans.last().map(|s| s.0).unwrap_or(first_dept);
        let positions = ["一般", "一般", "一般", "主任", "係長", "課長"];
        let mut night_worker = false;
        let mut solvent_worker = false;
        for (k, (di, from, to)) in spans.iter().enumerate() {
            let Some((d, profile)) = self.company.departments.get(*di) else {
                continue;
            };
            let night = if showcase { k == spans.len() - 1 } else { rng.random::<f64>() < profile.night_share };
            if k == spans.len() - 1 {
                night_worker = night;
                solvent_worker = profile.solvents;
            }
            // The showcase works in 塗装課 一係 (the deck's 課/係).
            let kakari = self.company.nested.iter().find(|n| n.parent_id == Some(d.id) && n.name == "一係");
            let department_id = match kakari {
                Some(sub) if showcase && k == spans.len() - 1 => sub.id,
                _ => d.id,
            };
            b.assignments.push(Assignment {
                company_id: cid,
                id: AssignmentId(id_on(&mut rng, *from)),
                employment_id: employment.id,
                valid_from: *from,
                valid_to: to.map(|t| t.min(end)).or(leave),
                establishment_id: d.establishment_id,
                department_id,
                position: (*pick(&mut rng, &positions)).to_string(),
                work_content: work_content(&d.name, night),
                night_work: night,
                work_regime: if profile.rnd { WorkRegime::ResearchDevelopment } else { WorkRegime::General },
            });
            if profile.solvents {
                let (agent, name) = if showcase {
                    ("toluene", "トルエン")
                } else {
                    *pick(&mut rng, &[("toluene", "トルエン"), ("xylene", "キシレン"), ("ethyl_acetate", "酢酸エチル")])
                };
                let mask =
                    if showcase || rng.random::<f64>() < 0.9 { "防毒マスク(有機ガス用)" } else { "なし" };
                b.exposures.push(Exposure {
                    company_id: cid,
                    id: ExposureId(id_on(&mut rng, *from)),
                    employment_id: employment.id,
                    agent: agent.into(),
                    agent_name: name.into(),
                    regulation: "有機則".into(),
                    valid_from: *from,
                    valid_to: to.map(|t| t.min(end)).or(leave),
                    protection: mask.into(),
                });
            }
        }
        let profile = self.company.departments.get(current).map(|d| d.1).unwrap_or(crate::DeptProfile {
            solvents: false,
            night_share: 0.0,
            overtime_mean: 20.0,
            rnd: false,
        });

        let mut lat = Latent {
            height: if sex == Sex::Male { normal(&mut rng, 171.0, 5.8) } else { normal(&mut rng, 158.0, 5.4) },
            bmi: normal(&mut rng, if sex == Sex::Male { 23.6 } else { 21.6 }, 3.2).clamp(16.0, 40.0),
            sbp_off: normal(&mut rng, 0.0, 10.0) + if rng.random::<f64>() < 0.01 { 45.0 } else { 0.0 },
            ldl_off: normal(&mut rng, 0.0, 25.0),
            hdl_off: normal(&mut rng, 0.0, 11.0),
            tg_factor: normal(&mut rng, 0.0, 0.45).exp(),
            diabetic_from: (rng.random::<f64>() < 0.07).then(|| rng.random_range(35..70)),
            drinker: rng.random::<f64>() < if sex == Sex::Male { 0.15 } else { 0.04 },
            anemic: sex == Sex::Female && rng.random::<f64>() < 0.06,
            stress: normal(&mut rng, 0.0, 1.0),
            overtime_off: normal(&mut rng, 0.0, 8.0),
            recent_floor: 0.0,
        };
        if showcase {
            lat.sbp_off = 36.0;
            lat.diabetic_from = None;
            lat.stress = 3.6;
            lat.overtime_off = 18.0;
            lat.recent_floor = 84.0;
        }

        let agent = b.exposures.last().filter(|x| x.employment_id == employment.id).map(|x| x.agent.clone());
        let mut ctx =
            Ctx { rng, emp: &employment, person: &person, b, wg: self, treated: false, treated_cond: None, showcase };
        // Checkups: hire checkup, periodic (yearly), night-work (安衛則45条: every 6 months),
        // special (有機則29条: every 6 months).
        let month = [6u32, 5, 9, 10, 7][self.company.index as usize % 5];
        if hire >= win_start {
            let before = Duration::days(ctx.rng.random_range(0..20));
            ctx.checkup(CheckupKind::Hire, hire - before, &lat, solvent_worker);
        }
        let mut y = win_start.year();
        while let Some(day) = NaiveDate::from_ymd_opt(y, month, 1) {
            if day > end {
                break;
            }
            let day = day + Duration::days(ctx.rng.random_range(0..25));
            // A few workers miss the last year's checkup (the coverage view lists them).
            let missed = !showcase && day + Duration::days(365) > cfg.as_of && ctx.rng.random::<f64>() < 0.04;
            if day >= win_start && day <= end && day > hire + Duration::days(90) && !missed {
                ctx.checkup(CheckupKind::Periodic, day, &lat, solvent_worker);
                let half = day + Duration::days(182);
                if night_worker && half <= end {
                    ctx.checkup(CheckupKind::SpecificWork, half, &lat, false);
                }
            }
            y += 1;
        }
        if solvent_worker {
            let mut d = win_start + Duration::days(30);
            while d <= end {
                ctx.special_checkup(d, agent.as_deref());
                d += Duration::days(182);
            }
        }
        // Stress checks every October.
        let mut y = win_start.year();
        while let Some(day) = NaiveDate::from_ymd_opt(y, 10, 1) {
            if day > end {
                break;
            }
            let day = day + Duration::days(ctx.rng.random_range(0..20));
            if day >= win_start && day <= end && ctx.rng.random::<f64>() < 0.92 {
                ctx.stress_check(day, &lat, profile);
            }
            y += 1;
        }
        // Attendance per month.
        let mut m = NaiveDate::from_ymd_opt(win_start.year(), win_start.month(), 1).unwrap_or(win_start);
        while m <= end {
            let last = next_month(m) - Duration::days(1);
            if last <= cfg.as_of {
                ctx.attendance(m, &lat, profile, night_worker);
            }
            m = next_month(m);
        }
        if showcase {
            ctx.showcase_records();
        }
        // Company 0's worker 4 came back from a leave: the pre-leave talk, the return-to-work
        // steps and the 両立支援 talk that followed (each kind of interview in the demo).
        if self.company.index == 0 && i == RETURN_TO_WORK_WORKER && leave.is_none() {
            ctx.return_to_work_records();
        }
        b.persons.push(person);
        b.employments.push(employment);
    }
}

fn work_content(dept: &str, night: bool) -> String {
    let base = match dept {
        "製造第一課" => "機械加工・組立",
        "塗装課" => "スプレー塗装(有機溶剤)",
        "品質保証課" => "製品検査",
        "研究開発部" => "研究開発(試薬取扱い)",
        "営業部" => "営業・外勤",
        "総務部" => "事務",
        "情報システム部" => "システム開発(VDT作業)",
        "物流センター" => "フォークリフト・荷役",
        _ => "一般業務",
    };
    if night { format!("{base}(交替制・深夜業あり)") } else { base.to_string() }
}
