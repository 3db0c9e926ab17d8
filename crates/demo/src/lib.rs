//! # iphr-demo
//!
//! A deterministic synthetic population: companies, establishments, departments, workers with
//! their assignments and exposures, and ten years of records — periodic, night-work and special
//! checkups with realistic values by age and sex (abnormal and some urgent values), stress checks,
//! monthly attendance with some long-hours months, interviews, opinions, employment measures,
//! treatments, patrols and consents.
//!
//! The same [`DemoConfig`] (seed and as-of date) gives the same data, ids included, on every
//! backend. Nothing here is real: names are drawn from common-name lists, values from
//! distributions. The values imitate what a checkup institution delivers; iphr's own judgement
//! rules are separate.

pub mod documents;
mod names;
mod people;

use chrono::{Datelike, NaiveDate};
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, Department, Establishment};
use iphr_domain::{CompanyId, DepartmentId, EstablishmentId, PersonId, uuid_v7_from_parts};
use iphr_store::Batch;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use people::{RETURN_TO_WORK_WORKER, SHOWCASE_WORKER, WorkerGenerator};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoConfig {
    /// Number of companies (at least 1).
    pub companies: u32,
    /// Number of workers in total; the first company gets half.
    pub workers: u32,
    /// Years of history before the as-of date.
    pub years: u32,
    /// Seed.
    pub seed: u64,
    /// The day the population is generated "as of".
    pub as_of: NaiveDate,
}

impl DemoConfig {
    /// Workers of company `index` (0-based): the first gets half (rounded up), the others
    /// share the rest evenly, the earlier ones taking the remainder.
    pub fn workers_of(&self, index: u32) -> u32 {
        let n = self.companies.max(1);
        if n == 1 {
            return self.workers;
        }
        let first = self.workers.div_ceil(2);
        if index == 0 {
            return first;
        }
        let rest = self.workers - first;
        let others = n - 1;
        rest / others + u32::from(index - 1 < rest % others)
    }
}

/// A demo account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// Login.
    pub login: String,
    /// Password (printed by `iphr serve --demo`).
    pub password: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Companies served.
    pub companies: Vec<CompanyId>,
    /// For the worker account.
    pub person_id: Option<PersonId>,
}

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "iphr-demo";

/// One company of the demo with its structure.
#[derive(Debug, Clone)]
pub struct DemoCompany {
    /// Index (0-based).
    pub index: u32,
    /// The company.
    pub company: Company,
    /// Establishments.
    pub establishments: Vec<Establishment>,
    /// Departments with their profile (workers are placed in these).
    pub departments: Vec<(Department, DeptProfile)>,
    /// Departments of the hierarchy above or below them (company 0: 製造部 over 製造第一課 and
    /// 塗装課, and 塗装課 一係 where the showcase worker works).
    pub nested: Vec<Department>,
}

/// What kind of work a department does (drives exposures, night work, overtime).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeptProfile {
    /// Organic-solvent work (塗装, 洗浄).
    pub solvents: bool,
    /// Share of night workers (0–1).
    pub night_share: f64,
    /// Typical monthly overtime (hours).
    pub overtime_mean: f64,
    /// Research and development (long-hours rules differ).
    pub rnd: bool,
}

const COMPANY_NAMES: [&str; 8] = [
    "株式会社みなと精機",
    "北九州化成株式会社",
    "さくらソフトウェア株式会社",
    "株式会社あおば物流",
    "東和電子工業株式会社",
    "株式会社ひかり食品",
    "西日本塗装株式会社",
    "株式会社つばさ建設",
];

struct DeptDef {
    name: &'static str,
    profile: DeptProfile,
}

const fn dept(name: &'static str, solvents: bool, night_share: f64, overtime_mean: f64, rnd: bool) -> DeptDef {
    DeptDef { name, profile: DeptProfile { solvents, night_share, overtime_mean, rnd } }
}

const DEPARTMENTS: [DeptDef; 8] = [
    dept("製造第一課", false, 0.35, 22.0, false),
    dept("塗装課", true, 0.2, 20.0, false),
    dept("品質保証課", false, 0.1, 18.0, false),
    dept("研究開発部", true, 0.0, 35.0, true),
    dept("営業部", false, 0.0, 28.0, false),
    dept("総務部", false, 0.0, 12.0, false),
    dept("情報システム部", false, 0.05, 30.0, false),
    dept("物流センター", false, 0.3, 25.0, false),
];

/// A deterministic RNG for a path of indices under the seed.
pub(crate) fn rng_for(seed: u64, path: &[u64]) -> ChaCha8Rng {
    // splitmix64 over the path: independent streams per company, worker and purpose.
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    for p in path {
        x = x.wrapping_add(p.wrapping_mul(0xBF58_476D_1CE4_E5B9)).wrapping_add(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 29;
    }
    ChaCha8Rng::seed_from_u64(x)
}

/// A reproducible UUIDv7 for a date (its millisecond part) from the RNG.
pub(crate) fn id_on(rng: &mut ChaCha8Rng, date: NaiveDate) -> uuid::Uuid {
    let ms = date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0).max(0) as u64
        + rng.random_range(0..86_400_000u64);
    uuid_v7_from_parts(ms, rng.random())
}

/// The companies of the demo with their establishments and departments.
pub fn companies(cfg: &DemoConfig) -> Vec<DemoCompany> {
    let start = start_date(cfg);
    (0..cfg.companies.max(1))
        .map(|index| {
            let mut rng = rng_for(cfg.seed, &[1, u64::from(index)]);
            let base = COMPANY_NAMES.get(index as usize % COMPANY_NAMES.len()).copied().unwrap_or("株式会社デモ");
            let name = if (index as usize) < COMPANY_NAMES.len() {
                base.to_string()
            } else {
                format!("{base} 第{}", index as usize / COMPANY_NAMES.len() + 1)
            };
            let company = Company { id: CompanyId(id_on(&mut rng, start)), name };
            let est_names: &[&str] =
                if cfg.workers_of(index) > 2000 { &["本社工場", "第二工場"] } else { &["本社事業場"] };
            let establishments: Vec<Establishment> = est_names
                .iter()
                .map(|n| Establishment {
                    company_id: company.id,
                    id: EstablishmentId(id_on(&mut rng, start)),
                    name: (*n).to_string(),
                })
                .collect();
            let n_depts = if index == 0 { DEPARTMENTS.len() } else { 4 + (index as usize % 3) };
            let departments: Vec<(Department, DeptProfile)> = DEPARTMENTS
                .iter()
                .cycle()
                .skip(index as usize)
                .take(n_depts)
                .enumerate()
                .map(|(k, d)| {
                    let est = establishments
                        .get(k % establishments.len())
                        .map(|e| e.id)
                        .unwrap_or(EstablishmentId(uuid::Uuid::nil()));
                    (
                        Department {
                            company_id: company.id,
                            id: DepartmentId(id_on(&mut rng, start)),
                            establishment_id: est,
                            parent_id: None,
                            name: d.name.to_string(),
                        },
                        d.profile,
                    )
                })
                .collect();
            // Company 0's factory is organised 部 → 課 → 係.
            let mut nested = Vec::new();
            if index == 0 {
                let mut departments = departments;
                let est = departments.iter().find(|(d, _)| d.name == "塗装課").map(|(d, _)| d.establishment_id);
                if let Some(est) = est {
                    let bu = Department {
                        company_id: company.id,
                        id: DepartmentId(id_on(&mut rng, start)),
                        establishment_id: est,
                        parent_id: None,
                        name: "製造部".into(),
                    };
                    for (d, _) in departments.iter_mut().filter(|(d, _)| d.name == "製造第一課" || d.name == "塗装課")
                    {
                        if d.establishment_id == est {
                            d.parent_id = Some(bu.id);
                        }
                    }
                    let paint = departments.iter().find(|(d, _)| d.name == "塗装課").map(|(d, _)| d.id);
                    nested.push(Department {
                        company_id: company.id,
                        id: DepartmentId(id_on(&mut rng, start)),
                        establishment_id: est,
                        parent_id: paint,
                        name: "一係".into(),
                    });
                    nested.insert(0, bu);
                }
                return DemoCompany { index, company, establishments, departments, nested };
            }
            DemoCompany { index, company, establishments, departments, nested }
        })
        .collect()
}

/// The first day of the generated history.
pub fn start_date(cfg: &DemoConfig) -> NaiveDate {
    NaiveDate::from_ymd_opt(cfg.as_of.year() - cfg.years as i32, cfg.as_of.month(), 1).unwrap_or(cfg.as_of)
}

/// The company-level batch: establishments, departments and the monthly workplace patrols
/// (安衛則15条: the physician patrols at least monthly), each of one department in turn.
pub fn company_batch(cfg: &DemoConfig, c: &DemoCompany) -> Batch {
    let mut rng = rng_for(cfg.seed, &[2, u64::from(c.index)]);
    let mut events = Vec::new();
    let mut month = start_date(cfg);
    let mut k = 0usize;
    while month <= cfg.as_of {
        if let Some((d, profile)) = c.departments.get(k % c.departments.len().max(1)) {
            let day = NaiveDate::from_ymd_opt(month.year(), month.month(), rng.random_range(5..=25)).unwrap_or(month);
            if day <= cfg.as_of {
                events.push(people::patrol_event(&mut rng, c.company.id, d, *profile, day));
            }
        }
        k += 1;
        month = people::next_month(month);
    }
    events.extend(work_environment_events(cfg, c));
    Batch {
        establishments: c.establishments.clone(),
        // Parents before children (the foreign key of a row's parent is written first).
        departments: c
            .nested
            .iter()
            .filter(|d| d.parent_id.is_none())
            .cloned()
            .chain(c.departments.iter().map(|(d, _)| d.clone()))
            .chain(c.nested.iter().filter(|d| d.parent_id.is_some()).cloned())
            .collect(),
        events,
        ..Batch::default()
    }
}

/// Work-environment results of the solvent departments (安衛法65条: 有機溶剤 measured every 6
/// months, 管理区分 mostly 第1; a yearly CREATE-SIMPLE assessment, 安衛法57条の3) — the shape
/// `iphr import work-environment` stores. A generator of its own, so the rest stays as it was.
fn work_environment_events(cfg: &DemoConfig, c: &DemoCompany) -> Vec<iphr_domain::event::Event> {
    use iphr_domain::event::{Event, EventKind};
    let mut rng = rng_for(cfg.seed, &[3, u64::from(c.index)]);
    let mut events = Vec::new();
    for (d, _) in c.departments.iter().filter(|(_, p)| p.solvents) {
        let mut day = start_date(cfg);
        let mut half = 0u32;
        while day <= cfg.as_of {
            let roll: f64 = rng.random();
            let class: u8 = if roll < 0.07 {
                3
            } else if roll < 0.27 {
                2
            } else {
                1
            };
            let event = |id: uuid::Uuid, subkind: &str, title: String, detail: serde_json::Value| Event {
                company_id: c.company.id,
                id: iphr_domain::EventId(id),
                person_id: None,
                employment_id: None,
                department_id: Some(d.id),
                kind: EventKind::WorkEnvironment,
                subkind: Some(subkind.into()),
                event_date: day,
                title,
                content_class: EventKind::WorkEnvironment.default_content_class(),
                producer: iphr_domain::ohcc::Producer::HrSystem,
                detail,
                source_doc: Some("demo".into()),
            };
            let unit = format!("{} 塗装ブース", d.name);
            events.push(event(
                id_on(&mut rng, day),
                "measurement",
                format!("作業環境測定 {unit} トルエン 第{class}管理区分"),
                serde_json::json!({
                    "unit_workplace": unit, "agent": "トルエン", "method": "作業環境測定",
                    "management_class": class, "estimate": null, "limit": 20.0, "unit": "ppm",
                    "risk_level": null, "note": "", "source": "demo",
                }),
            ));
            if half % 2 == 1 {
                let level = *["I", "II-A", "II-B", "III"].get(rng.random_range(0..4usize)).unwrap_or(&"I");
                let unit = format!("{} 洗浄工程", d.name);
                events.push(event(
                    id_on(&mut rng, day),
                    "risk_assessment",
                    format!("リスクアセスメント(CREATE-SIMPLE) {unit} キシレン リスクレベル{level}"),
                    serde_json::json!({
                        "unit_workplace": unit, "agent": "キシレン", "method": "CREATE-SIMPLE",
                        "management_class": null, "estimate": 12.0, "limit": 50.0, "unit": "ppm",
                        "risk_level": level, "note": "", "source": "demo",
                    }),
                ));
            }
            half += 1;
            match day.checked_add_months(chrono::Months::new(6)) {
                Some(next) => day = next,
                None => break,
            }
        }
    }
    events
}

/// The demo accounts, one per role: the physician and the nurse serve every company, the
/// health manager, HR and the checkup institution (an upload-only account) the first company; the worker is the first company's first worker.
pub fn accounts(companies: &[DemoCompany], worker_person: Option<PersonId>) -> Vec<DemoAccount> {
    let all: Vec<CompanyId> = companies.iter().map(|c| c.company.id).collect();
    let first: Vec<CompanyId> = all.first().copied().into_iter().collect();
    let acct = |login: &str, name: &str, role, companies: Vec<CompanyId>, person_id| DemoAccount {
        login: login.into(),
        password: DEMO_PASSWORD.into(),
        display_name: name.into(),
        role,
        companies,
        person_id,
    };
    vec![
        acct("doctor", "産業 太郎", Role::Physician, all.clone(), None),
        acct("nurse", "保健 花子", Role::Nurse, all, None),
        acct("eisei", "衛生 一郎", Role::HealthManager, first.clone(), None),
        acct("jinji", "人事 次郎", Role::Hr, first.clone(), None),
        acct("worker", "デモ労働者", Role::Worker, vec![], worker_person),
        acct("admin", "システム管理者", Role::Admin, vec![], None),
        acct("kenshin", "みなと健診センター", Role::Institution, first, None),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(companies: u32, workers: u32) -> DemoConfig {
        DemoConfig {
            companies,
            workers,
            years: 5,
            seed: 7,
            as_of: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default(),
        }
    }

    #[test]
    fn worker_split() {
        let c = cfg(3, 300);
        assert_eq!((c.workers_of(0), c.workers_of(1), c.workers_of(2)), (150, 75, 75));
        let c = cfg(3, 301);
        assert_eq!((c.workers_of(0), c.workers_of(1), c.workers_of(2)), (151, 75, 75));
        let c = cfg(4, 60);
        assert_eq!((c.workers_of(0), c.workers_of(1), c.workers_of(2), c.workers_of(3)), (30, 10, 10, 10));
        let c = cfg(3, 7);
        assert_eq!((c.workers_of(0), c.workers_of(1), c.workers_of(2)), (4, 2, 1));
        assert_eq!(cfg(1, 9).workers_of(0), 9);
    }

    #[test]
    fn companies_are_deterministic() {
        let a = companies(&cfg(3, 300));
        let b = companies(&cfg(3, 300));
        assert_eq!(a.len(), 3);
        assert_eq!(
            a.iter().map(|c| c.company.id).collect::<Vec<_>>(),
            b.iter().map(|c| c.company.id).collect::<Vec<_>>()
        );
        assert_eq!(a[0].company.name, "株式会社みなと精機");
        assert_eq!(a[0].departments.len(), 8);
        let other = companies(&DemoConfig { seed: 8, ..cfg(3, 300) });
        assert_ne!(a[0].company.id, other[0].company.id);
    }
}
