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
    // 有機則 biological monitoring: value and 分布 (seed-domain.md §3.1).
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
}

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
        let male_share = if self.company.index == 0 { 0.7 } else { 0.55 };
        let sex = if rng.random::<f64>() < male_share { Sex::Male } else { Sex::Female };
        let (family, fkana) = *pick(&mut rng, &FAMILY);
        let (given, gkana) = if sex == Sex::Male { *pick(&mut rng, &MALE) } else { *pick(&mut rng, &FEMALE) };
        let age = rng.random_range(20..65);
        let birth = cfg.as_of - Duration::days(age * 365 + rng.random_range(0..365));
        let max_tenure_days = ((age - 18) * 365).max(30);
        let tenure =
            if rng.random::<f64>() < 0.08 { rng.random_range(0..365) } else { rng.random_range(0..max_tenure_days) };
        let hire = cfg.as_of - Duration::days(tenure);
        let leave = if rng.random::<f64>() < 0.06 && tenure > 60 {
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
        let current = spans.last().map(|s| s.0).unwrap_or(first_dept);
        let positions = ["一般", "一般", "一般", "主任", "係長", "課長"];
        let mut night_worker = false;
        let mut solvent_worker = false;
        for (k, (di, from, to)) in spans.iter().enumerate() {
            let Some((d, profile)) = self.company.departments.get(*di) else {
                continue;
            };
            let night = rng.random::<f64>() < profile.night_share;
            if k == spans.len() - 1 {
                night_worker = night;
                solvent_worker = profile.solvents;
            }
            b.assignments.push(Assignment {
                company_id: cid,
                id: AssignmentId(id_on(&mut rng, *from)),
                employment_id: employment.id,
                valid_from: *from,
                valid_to: to.map(|t| t.min(end)).or(leave),
                establishment_id: d.establishment_id,
                department_id: d.id,
                position: (*pick(&mut rng, &positions)).to_string(),
                work_content: work_content(&d.name, night),
                night_work: night,
                work_regime: if profile.rnd { WorkRegime::ResearchDevelopment } else { WorkRegime::General },
            });
            if profile.solvents {
                let (agent, name) = *pick(
                    &mut rng,
                    &[("toluene", "トルエン"), ("xylene", "キシレン"), ("ethyl_acetate", "酢酸エチル")],
                );
                let mask = if rng.random::<f64>() < 0.9 { "防毒マスク(有機ガス用)" } else { "なし" };
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

        let lat = Latent {
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
        };

        let agent = b.exposures.last().filter(|x| x.employment_id == employment.id).map(|x| x.agent.clone());
        let mut ctx = Ctx { rng, emp: &employment, person: &person, b, wg: self, treated: false, treated_cond: None };
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
            if day >= win_start && day <= end && day > hire + Duration::days(90) {
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

struct Ctx<'g, 'b> {
    rng: ChaCha8Rng,
    emp: &'g Employment,
    person: &'g Person,
    b: &'b mut Batch,
    wg: &'g WorkerGenerator<'g>,
    treated: bool,
    /// The condition under treatment (for the questionnaire's 服薬 answers).
    treated_cond: Option<&'static str>,
}

impl Ctx<'_, '_> {
    fn event(
        &mut self,
        kind: EventKind,
        subkind: Option<&str>,
        date: NaiveDate,
        title: String,
        producer: Producer,
        detail: serde_json::Value,
    ) -> EventId {
        let id = EventId(id_on(&mut self.rng, date));
        self.b.events.push(Event {
            company_id: self.emp.company_id,
            id,
            person_id: Some(self.person.id),
            employment_id: Some(self.emp.id),
            department_id: None,
            kind,
            subkind: subkind.map(str::to_string),
            event_date: date,
            title,
            content_class: kind.default_content_class(),
            producer,
            detail,
            source_doc: Some(self.wg.source.clone()),
        });
        id
    }

    fn obs(&mut self, event: EventId, date: NaiveDate, item: &str, kind: DataKind, producer: Producer, value: Value) {
        let Ok(code) = ItemCode::parse(item) else {
            return;
        };
        let Some(def) = self.wg.table.get(&code) else {
            return;
        };
        let raw = match &value {
            Value::Number { value, .. } => format!("{value}"),
            Value::Coded { code } => code.clone(),
            Value::Text { text } => text.clone(),
            Value::Document { title, .. } => title.clone(),
            other => other.kind().to_string(),
        };
        let (jlac, name, class) = (def.jlac10.clone(), def.name_ja.clone(), def.info_class);
        self.b.observations.push(Observation {
            company_id: self.emp.company_id,
            id: ObservationId(id_on(&mut self.rng, date)),
            event_id: event,
            person_id: self.person.id,
            employment_id: Some(self.emp.id),
            item: code,
            atr: DataAtr { kind, producer, seq: 1 },
            value,
            qualifier: Default::default(),
            info_class: class,
            event_date: date,
            provenance: Provenance {
                source_code: (!jlac.is_empty()).then_some(jlac),
                source_text: Some(name),
                raw_value: Some(raw),
                source_doc: Some(self.wg.source.clone()),
                table_version: self.wg.table.version.clone(),
            },
        });
    }

    fn num(&mut self, ev: EventId, date: NaiveDate, item: &str, v: f64) {
        let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
        self.obs(ev, date, item, DataKind::Measured, Producer::Institution, Value::Number { value: v, unit });
    }

    fn coded(&mut self, ev: EventId, date: NaiveDate, item: &str, kind: DataKind, producer: Producer, code: &str) {
        self.obs(ev, date, item, kind, producer, Value::Coded { code: code.into() });
    }

    fn checkup(&mut self, kind: CheckupKind, date: NaiveDate, lat: &Latent, _solvent: bool) {
        let age = f64::from(age_on(self.person.birth_date, date));
        let male = self.person.sex == Sex::Male;
        let years_on = (age - 20.0).max(0.0);
        let title = kind.label_ja().to_string();
        // The institutions of the shipped profiles, with their (fictional) 医療機関番号.
        let (institution, number) =
            [("公益財団法人 みなと健診センター", "1319990011"), ("医療法人 さくら会 健診クリニック", "4019990022")]
                [usize::from(self.person.id.0.as_bytes()[15] % 2)];
        let ev = self.event(
            EventKind::Checkup,
            Some(kind.as_str()),
            date,
            title,
            Producer::Institution,
            json!({ "institution": institution, "institution_number": number }),
        );
        let r = &mut self.rng;
        let bmi = (lat.bmi + 0.08 * years_on + normal(r, 0.0, 0.5)).clamp(15.0, 45.0);
        let h = lat.height;
        let weight = round1(bmi * (h / 100.0).powi(2));
        let bmi = round1(weight / (h / 100.0).powi(2));
        let waist = round1(if male { 2.6 * bmi + 22.0 } else { 2.5 * bmi + 24.0 } + normal(r, 0.0, 3.0));
        let sbp = (102.0
            + 0.55 * years_on
            + 1.3 * (bmi - 22.0)
            + if male { 6.0 } else { 0.0 }
            + lat.sbp_off
            + normal(r, 0.0, 7.0))
        .round()
        .clamp(80.0, 230.0);
        let dbp = (0.62 * sbp + normal(r, 0.0, 6.0) - 4.0).round().clamp(45.0, 140.0);
        let hb = round1(if lat.anemic {
            normal(r, 10.6, 0.9)
        } else if male {
            normal(r, 14.9, 1.0)
        } else {
            normal(r, 13.1, 0.9)
        });
        let rbc = (if male { normal(r, 490.0, 32.0) } else { normal(r, 440.0, 30.0) }
            * if lat.anemic { 0.88 } else { 1.0 })
        .round();
        let ggt = (if lat.drinker { normal(r, 4.6, 0.5) } else { normal(r, if male { 3.3 } else { 2.8 }, 0.4) })
            .exp()
            .round()
            .max(5.0);
        let ast = (normal(r, 3.05, 0.25).exp() + if lat.drinker { 8.0 } else { 0.0 }).round();
        let alt = (normal(r, 2.9 + 0.05 * (bmi - 22.0), 0.35).exp()).round().max(5.0);
        let ldl = (105.0 + 0.9 * years_on + lat.ldl_off + normal(r, 0.0, 10.0)).round().clamp(40.0, 300.0);
        let hdl = (if male { 55.0 } else { 68.0 } - 0.8 * (bmi - 22.0) + lat.hdl_off + normal(r, 0.0, 4.0))
            .round()
            .clamp(20.0, 120.0);
        let tg = ((if male { 95.0 } else { 70.0 })
            * lat.tg_factor
            * (1.0 + 0.06 * (bmi - 22.0))
            * normal(r, 0.0, 0.2).exp())
        .round()
        .clamp(25.0, 1500.0);
        let diabetic = lat.diabetic_from.is_some_and(|a| age >= f64::from(a));
        let fpg = if diabetic {
            normal(r, if self.treated { 135.0 } else { 160.0 }, 25.0)
        } else {
            normal(r, 88.0 + 0.15 * years_on + 0.6 * (bmi - 22.0), 7.0)
        }
        .round()
        .clamp(60.0, 450.0);
        let hba1c = round1(((fpg + 46.7) / 28.7 + normal(r, 0.0, 0.2)).clamp(4.0, 14.0));
        let protein = {
            let x: f64 = r.random();
            if x < 0.90 {
                "neg"
            } else if x < 0.95 {
                "trace"
            } else if x < 0.985 {
                "1p"
            } else if x < 0.997 {
                "2p"
            } else {
                "3p"
            }
        };
        let sugar = if fpg >= 200.0 {
            "2p"
        } else if fpg >= 170.0 {
            "1p"
        } else {
            "neg"
        };
        for (item, v) in [
            (codes::HEIGHT, round1(h)),
            (codes::WEIGHT, weight),
            (codes::WAIST, waist),
            (codes::BMI, bmi),
            (codes::SBP, sbp),
            (codes::DBP, dbp),
            (codes::HB, hb),
            (codes::RBC, rbc),
            (codes::AST, ast),
            (codes::ALT, alt),
            (codes::GGT, ggt),
            (codes::LDL, ldl),
            (codes::HDL, hdl),
            (codes::TG, tg),
            (codes::FPG, fpg),
            (codes::HBA1C, hba1c),
        ] {
            self.num(ev, date, item, v);
        }
        self.coded(ev, date, codes::URINE_PROTEIN, DataKind::Qualitative, Producer::Institution, protein);
        self.coded(ev, date, codes::URINE_SUGAR, DataKind::Qualitative, Producer::Institution, sugar);
        // 問診 (特定健診 標準的な質問票 1–3, 8), delivered with the institution's results as in the MHLW
        // XML: medication answers follow the treatment started after an earlier checkup; a quarter
        // of the workforce smokes.
        let cond = self.treated_cond;
        let smoker = self.person.id.0.as_bytes()[14].is_multiple_of(4);
        for (item, yes) in [
            (codes::MED_BP, cond == Some("高血圧症")),
            (codes::MED_GLUCOSE, cond == Some("2型糖尿病")),
            (codes::MED_LIPIDS, cond == Some("脂質異常症")),
            (codes::SMOKING, smoker),
        ] {
            self.coded(ev, date, item, DataKind::Qualitative, Producer::Institution, if yes { "yes" } else { "no" });
        }
        if kind != CheckupKind::SpecificWork {
            // Non-statutory items the employer added (class 3).
            let r = &mut self.rng;
            let cr =
                (if male { normal(r, 0.88, 0.12) } else { normal(r, 0.66, 0.1) } + 0.004 * years_on).clamp(0.3, 8.0);
            let cr = (cr * 100.0).round() / 100.0;
            // 日本腎臓学会 eGFR式: 194 × Cr^-1.094 × age^-0.287 (× 0.739 for women).
            let egfr = round1(194.0 * cr.powf(-1.094) * age.max(18.0).powf(-0.287) * if male { 1.0 } else { 0.739 });
            let ua = round1(
                (if male { normal(r, 6.0, 1.1) } else { normal(r, 4.5, 0.9) } + 0.08 * (bmi - 22.0)).clamp(1.5, 12.0),
            );
            let blood = if r.random::<f64>() < if male { 0.05 } else { 0.12 } { "1p" } else { "neg" };
            self.num(ev, date, codes::CREATININE, cr);
            self.num(ev, date, codes::EGFR, egfr);
            self.num(ev, date, codes::URIC_ACID, ua);
            self.coded(ev, date, codes::URINE_BLOOD, DataKind::Qualitative, Producer::Institution, blood);
        }
        // The institution's own overall 診断区分, as delivered with the results (imitated; iphr
        // judges from its rule tables separately).
        let overall = if sbp >= 160.0
            || dbp >= 100.0
            || fpg >= 126.0
            || hba1c >= 6.5
            || ldl >= 180.0
            || hb < 10.0
            || ggt >= 200.0
        {
            "D"
        } else if sbp >= 140.0
            || dbp >= 90.0
            || fpg >= 110.0
            || ldl >= 140.0
            || tg >= 300.0
            || ggt >= 101.0
            || alt >= 51.0
            || protein != "neg" && protein != "trace"
        {
            "C"
        } else if sbp >= 130.0 || ldl >= 120.0 || bmi >= 25.0 || fpg >= 100.0 || hdl < 40.0 {
            "B"
        } else {
            "A"
        };
        self.coded(ev, date, codes::OVERALL, DataKind::Judgement, Producer::Institution, overall);
        let diagnosis = match overall {
            "D" if sbp >= 160.0 => "高血圧。要精密検査・治療",
            "D" if fpg >= 126.0 || hba1c >= 6.5 => "糖尿病の疑い。要精密検査・治療",
            "D" => "要精密検査・治療",
            "C" => "要再検査・生活改善",
            "B" => "軽度異常あり",
            _ => "異常なし",
        };
        self.obs(
            ev,
            date,
            codes::DIAGNOSIS,
            DataKind::Text,
            Producer::Institution,
            Value::Text { text: diagnosis.into() },
        );

        // 安衛法66条の4: the physician's opinion for workers with findings; 66条の5: the measure.
        if matches!(overall, "C" | "D") {
            let op_date = date + Duration::days(self.rng.random_range(20..75));
            if op_date <= self.wg.cfg.as_of {
                let restrict = overall == "D" && (sbp >= 180.0 || fpg >= 250.0);
                let (code, label) = if restrict { ("1", "就業制限") } else { ("0", "通常勤務") };
                let op = self.event(
                    EventKind::Opinion,
                    Some("post_checkup"),
                    op_date,
                    format!("健診結果に基づく医師の意見: {label}"),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の4", "checkup_date": date.to_string(), "category": label,
                            "measures": if restrict { vec!["時間外労働の制限", "深夜業の回数の減少"] } else { vec![] },
                            "review": if restrict { Some((op_date + Duration::days(90)).to_string()) } else { None } }),
                );
                self.coded(op, op_date, codes::WORK_CATEGORY, DataKind::Judgement, Producer::Physician, code);
                self.coded(
                    op,
                    op_date,
                    codes::GUIDANCE,
                    DataKind::Judgement,
                    Producer::OhStaff,
                    if overall == "D" { "4" } else { "1" },
                );
                if restrict {
                    let dd = op_date + Duration::days(7);
                    if dd <= self.wg.cfg.as_of {
                        self.event(
                            EventKind::EmploymentDecision,
                            Some("post_checkup"),
                            dd,
                            "就業上の措置: 時間外労働の制限(月20時間まで)".into(),
                            Producer::HrSystem,
                            json!({ "basis": "安衛法66条の5", "measure": "時間外労働の制限", "limit_hours": 20, "until": (dd + Duration::days(90)).to_string() }),
                        );
                    }
                }
            }
            if overall == "D" && !self.treated && self.rng.random::<f64>() < 0.6 {
                self.treated = true;
                let td = date + Duration::days(self.rng.random_range(30..120));
                if td <= self.wg.cfg.as_of {
                    let cond = if sbp >= 160.0 {
                        "高血圧症"
                    } else if fpg >= 126.0 || hba1c >= 6.5 {
                        "2型糖尿病"
                    } else {
                        "脂質異常症"
                    };
                    self.treated_cond = Some(cond);
                    let drug = match cond {
                        "高血圧症" => "アムロジピン錠5mg 1日1回",
                        "2型糖尿病" => "メトホルミン錠250mg 1日2回",
                        _ => "ロスバスタチン錠2.5mg 1日1回",
                    };
                    self.event(
                        EventKind::Treatment,
                        None,
                        td,
                        format!("{cond} 治療開始"),
                        Producer::AttendingPhysician,
                        json!({ "condition": cond, "status": "治療中" }),
                    );
                    self.event(
                        EventKind::Medication,
                        None,
                        td,
                        drug.to_string(),
                        Producer::AttendingPhysician,
                        json!({ "drug": drug, "condition": cond }),
                    );
                }
            }
        }
    }

    fn special_checkup(&mut self, date: NaiveDate, agent: Option<&str>) {
        if date > self.wg.cfg.as_of {
            return;
        }
        let x: f64 = self.rng.random();
        // Urinary metabolite: mostly low, a few above the 分布 boundaries.
        let (item, dist_item, value, b1, b2): (&str, &str, f64, f64, f64) = match agent {
            Some("xylene") => {
                let v = if x < 0.93 {
                    self.rng.random_range(0.02..0.45)
                } else if x < 0.99 {
                    self.rng.random_range(0.55..1.4)
                } else {
                    self.rng.random_range(1.6..2.5)
                };
                (codes::METHYLHIPPURIC, codes::METHYLHIPPURIC_DIST, v, 0.5, 1.5)
            }
            Some("toluene") => {
                let v = if x < 0.93 {
                    self.rng.random_range(0.05..0.9)
                } else if x < 0.99 {
                    self.rng.random_range(1.1..2.4)
                } else {
                    self.rng.random_range(2.6..3.5)
                };
                (codes::HIPPURIC, codes::HIPPURIC_DIST, v, 1.0, 2.5)
            }
            _ => ("", "", 0.0, 0.0, 0.0),
        };
        let value = (value * 100.0).round() / 100.0;
        // 分布 boundaries from the 有機則 個人票 (seed-domain.md §3.1: 馬尿酸 1 / 2.5 g/L, メチル馬尿酸 0.5 / 1.5 g/L).
        let dist = if value <= b1 {
            1
        } else if value <= b2 {
            2
        } else {
            3
        };
        let ev = self.event(
            EventKind::Checkup,
            Some(CheckupKind::Special.as_str()),
            date,
            "有機溶剤健康診断".into(),
            Producer::Institution,
            json!({
                "basis": "有機則29条",
                "findings": if dist == 1 { "所見なし" } else { "尿中代謝物 分布2以上: 作業環境の確認を要す" },
                "institution": "公益財団法人 みなと健診センター",
                "institution_number": "1319990011",
            }),
        );
        if !item.is_empty() {
            self.num(ev, date, item, value);
            self.coded(ev, date, dist_item, DataKind::Qualitative, Producer::Institution, &dist.to_string());
        }
    }

    fn stress_check(&mut self, date: NaiveDate, lat: &Latent, profile: DeptProfile) {
        let level = lat.stress + normal(&mut self.rng, 0.0, 0.6) + (profile.overtime_mean - 20.0) / 30.0;
        let answers: Vec<u8> = self
            .wg
            .stress_items
            .iter()
            .map(|it| {
                // A stressed person's answers score higher in the sum method.
                let score = (2.0 + 0.55 * level + normal(&mut self.rng, 0.0, 0.8)).round().clamp(1.0, 4.0) as u8;
                if it.reverse_in_sum { 5 - score } else { score }
            })
            .collect();
        let Ok(answers) = Answers::parse(answers) else {
            return;
        };
        let r = stress::score_sum(self.wg.stress_items, &answers, self.wg.criteria);
        let ev = self.event(
            EventKind::StressCheck,
            Some("bjsq57"),
            date,
            "ストレスチェック(57項目)".into(),
            Producer::Worker,
            json!({ "answers": answers.as_slice(), "method": "sum", "criteria": "stress-sum-criteria-v1" }),
        );
        for (item, v) in [(codes::STRESS_A, r.a), (codes::STRESS_B, r.b), (codes::STRESS_C, r.c)] {
            let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(ev, date, item, DataKind::Measured, Producer::Worker, Value::Number { value: f64::from(v), unit });
        }
        self.coded(
            ev,
            date,
            codes::HIGH_STRESS,
            DataKind::Judgement,
            Producer::Physician,
            if r.high_stress { "yes" } else { "no" },
        );
        if r.high_stress && self.rng.random::<f64>() < 0.35 {
            // The application for the 面接指導 counts as consent to give the result to the employer
            // (安衛則52条の16; oh-rules.md §4.6).
            let applied = date + Duration::days(self.rng.random_range(7..30));
            let held = applied + Duration::days(self.rng.random_range(7..30));
            if held <= self.wg.cfg.as_of {
                // To that check's result only (安衛法66条の10第2項).
                self.b.consents.push(ConsentGrant {
                    person_id: self.person.id,
                    company_id: self.emp.company_id,
                    info_class: InfoClass::Stress,
                    grantee_role: Role::Hr,
                    event_id: Some(ev),
                });
                let iv = self.event(
                    EventKind::Interview,
                    Some("high_stress"),
                    held,
                    "高ストレス者の面接指導".into(),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の10", "applied_on": applied.to_string(), "scores": { "A": r.a, "B": r.b, "C": r.c } }),
                );
                self.obs(
                    iv,
                    held,
                    codes::INTERVIEW,
                    DataKind::Text,
                    Producer::Physician,
                    Value::Text {
                        text: "業務量の偏りによる心理的負担。睡眠不足あり。上司との面談を勧める。".into()
                    },
                );
                let op = self.event(
                    EventKind::Opinion,
                    Some("high_stress"),
                    held,
                    "面接指導に基づく医師の意見: 通常勤務(要配慮)".into(),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の10 5項", "category": "通常勤務", "consideration": "業務量の調整" }),
                );
                self.coded(op, held, codes::WORK_CATEGORY, DataKind::Judgement, Producer::Physician, "0");
            }
        }
    }

    fn attendance(&mut self, month: NaiveDate, lat: &Latent, profile: DeptProfile, night: bool) {
        let r = &mut self.rng;
        let spike = r.random::<f64>() < 0.025;
        let base = profile.overtime_mean + lat.overtime_off + normal(r, 0.0, 9.0);
        let mut overtime = (base + if spike { r.random_range(40.0..75.0) } else { 0.0 }).max(0.0);
        // Seasonal peak in March.
        if month.month() == 3 {
            overtime *= 1.25;
        }
        let holiday = if r.random::<f64>() < 0.15 { 8.0 * f64::from(r.random_range(1..=2u8)) } else { 0.0 };
        let overtime = round1(overtime);
        let total_ot = round1(overtime + holiday);
        let days = days_in_month(month) as f64;
        // oh-rules.md §5.2: 時間外・休日労働 = total hours − days ÷ 7 × 40.
        let total = round1(days / 7.0 * 40.0 + total_ot);
        let nights = if night { f64::from(r.random_range(4..=10u8)) } else { 0.0 };
        let title = format!("{}年{}月 勤怠", month.year(), month.month());
        let ev = self.event(
            EventKind::AttendanceMonth,
            None,
            month,
            title,
            Producer::HrSystem,
            json!({ "month": format!("{:04}-{:02}", month.year(), month.month()) }),
        );
        for (item, v) in [
            (codes::OVERTIME_HOLIDAY, total_ot),
            (codes::STATUTORY_OVERTIME, overtime),
            (codes::HOLIDAY_WORK, holiday),
            (codes::TOTAL_HOURS, total),
        ] {
            let unit = self.wg.table.get_str(item).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(ev, month, item, DataKind::Measured, Producer::HrSystem, Value::Number { value: v, unit });
        }
        if night {
            let unit = self.wg.table.get_str(codes::NIGHT_SHIFTS).map(|d| d.unit.clone()).unwrap_or_default();
            self.obs(
                ev,
                month,
                codes::NIGHT_SHIFTS,
                DataKind::Measured,
                Producer::HrSystem,
                Value::Number { value: nights, unit },
            );
        }
        // 安衛法66条の8: over 80 h → the worker is told and may apply; most do in the demo.
        if total_ot > 80.0 && self.rng.random::<f64>() < 0.7 {
            let held = next_month(month) + Duration::days(self.rng.random_range(5..25));
            if held <= self.wg.cfg.as_of {
                let iv = self.event(
                    EventKind::Interview,
                    Some("long_hours"),
                    held,
                    format!("長時間労働者の面接指導({}年{}月 {:.1}時間)", month.year(), month.month(), total_ot),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の8", "month": format!("{:04}-{:02}", month.year(), month.month()), "overtime_hours": total_ot }),
                );
                self.obs(
                    iv,
                    held,
                    codes::INTERVIEW,
                    DataKind::Text,
                    Producer::Physician,
                    Value::Text {
                        text: "疲労の蓄積あり。睡眠5時間程度。抑うつ症状なし。".into()
                    },
                );
                let restrict = total_ot > 100.0;
                let op = self.event(
                    EventKind::Opinion,
                    Some("long_hours"),
                    held,
                    format!("面接指導に基づく医師の意見: {}", if restrict { "就業制限" } else { "通常勤務" }),
                    Producer::Physician,
                    json!({ "basis": "安衛法66条の8 4項", "category": if restrict { "就業制限" } else { "通常勤務" },
                            "measures": if restrict { vec!["時間外労働の制限"] } else { vec![] } }),
                );
                self.coded(
                    op,
                    held,
                    codes::WORK_CATEGORY,
                    DataKind::Judgement,
                    Producer::Physician,
                    if restrict { "1" } else { "0" },
                );
                if restrict {
                    let dd = held + Duration::days(5);
                    if dd <= self.wg.cfg.as_of {
                        self.event(
                            EventKind::EmploymentDecision,
                            Some("long_hours"),
                            dd,
                            "就業上の措置: 時間外労働の制限(月45時間まで)".into(),
                            Producer::HrSystem,
                            json!({ "basis": "安衛法66条の8 5項", "measure": "時間外労働の制限", "limit_hours": 45 }),
                        );
                    }
                }
            }
        }
    }
}
