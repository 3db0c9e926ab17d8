//! # iphr-store-conformance
//!
//! The conformance story: one story run against every backend, so that SQLite and PostgreSQL
//! behave the same. Each backend crate calls [`run`] from its tests with a fresh, migrated, empty
//! store. A dev-only crate: production builds never compile it.
//!
//! The story is split by aggregate as `iphr_store` is: [`maintenance`], [`records`], [`people`],
//! [`auth`], [`policy`], [`import`], [`postcheckup`], [`uploads`], [`documents`].
//!
//! Failures panic with the step that failed (this crate is test support).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod auth;
pub mod documents;
pub mod import;
pub mod maintenance;
pub mod people;
pub mod policy;
pub mod postcheckup;
pub mod records;
pub mod uploads;

pub use policy::{ConsentScopeCase, assert_consents_scoped, row_statements, seed_class_wide_stress_consents};

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use iphr_domain::audit::AuditEntry;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Provenance, Value};
use iphr_domain::ohcc::{DataAtr, ItemCode, Producer};
use iphr_domain::person::{Assignment, Employment, Exposure, InsurerIds, Person, Sex, WorkRegime};
use iphr_domain::policy::{Access, ConsentGrant, PolicyOverride};
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, Department, Establishment};
use iphr_domain::*;
use iphr_store::{AuditFilter, Batch, Session, Store, StoreError, User, WorkerQuery};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A small world: one company, one establishment, two departments, two persons.
pub struct World {
    /// The company.
    pub company: Company,
    /// Persons: 山田 太郎 (E001) and 佐藤 花子 (E002).
    pub persons: Vec<Person>,
    /// Their employments.
    pub employments: Vec<Employment>,
    /// Departments: 製造部 and 総務部.
    pub departments: Vec<Department>,
    /// The checkup event of person 0.
    pub checkup: Event,
    /// The batch that wrote it all.
    pub batch: Batch,
}

/// Builds the world's batch (not yet written).
pub fn world() -> World {
    let company = Company { id: CompanyId::new(), name: "株式会社テスト製作所".into() };
    let est = Establishment { company_id: company.id, id: EstablishmentId::new(), name: "本社工場".into() };
    let dept = |name: &str| Department {
        company_id: company.id,
        id: DepartmentId::new(),
        establishment_id: est.id,
        parent_id: None,
        name: name.into(),
    };
    let departments = vec![dept("製造部"), dept("総務部")];
    let persons = vec![
        Person {
            id: PersonId::new(),
            family_name: "山田".into(),
            given_name: "太郎".into(),
            family_kana: "ヤマダ".into(),
            given_kana: "タロウ".into(),
            sex: Sex::Male,
            birth_date: d(1980, 4, 2),
            insurer: InsurerIds {
                insurer_number: Some("06130012".into()),
                symbol: Some("12".into()),
                number: Some("345".into()),
            },
            name_as_delivered: Some("山田　太郎".into()),
            kana_as_delivered: Some("ﾔﾏﾀﾞ ﾀﾛｳ".into()),
        },
        Person {
            id: PersonId::new(),
            family_name: "佐藤".into(),
            given_name: "花子".into(),
            family_kana: "サトウ".into(),
            given_kana: "ハナコ".into(),
            sex: Sex::Female,
            birth_date: d(1992, 11, 30),
            insurer: InsurerIds::default(),
            name_as_delivered: None,
            kana_as_delivered: None,
        },
    ];
    let employments: Vec<Employment> = persons
        .iter()
        .enumerate()
        .map(|(i, p)| Employment {
            company_id: company.id,
            id: EmploymentId::new(),
            person_id: p.id,
            employee_number: format!("E00{}", i + 1),
            hire_date: d(2015, 4, 1),
            leave_date: None,
        })
        .collect();
    let assignments = vec![
        Assignment {
            company_id: company.id,
            id: AssignmentId::new(),
            employment_id: employments[0].id,
            valid_from: d(2015, 4, 1),
            valid_to: Some(d(2021, 3, 31)),
            establishment_id: est.id,
            department_id: departments[1].id,
            position: "一般".into(),
            work_content: "事務".into(),
            night_work: false,
            work_regime: WorkRegime::General,
        },
        Assignment {
            company_id: company.id,
            id: AssignmentId::new(),
            employment_id: employments[0].id,
            valid_from: d(2021, 4, 1),
            valid_to: None,
            establishment_id: est.id,
            department_id: departments[0].id,
            position: "主任".into(),
            work_content: "塗装".into(),
            night_work: true,
            work_regime: WorkRegime::General,
        },
        Assignment {
            company_id: company.id,
            id: AssignmentId::new(),
            employment_id: employments[1].id,
            valid_from: d(2015, 4, 1),
            valid_to: None,
            establishment_id: est.id,
            department_id: departments[1].id,
            position: "一般".into(),
            work_content: "経理".into(),
            night_work: false,
            work_regime: WorkRegime::ResearchDevelopment,
        },
    ];
    let exposures = vec![Exposure {
        company_id: company.id,
        id: ExposureId::new(),
        employment_id: employments[0].id,
        agent: "toluene".into(),
        agent_name: "トルエン".into(),
        regulation: "有機則".into(),
        valid_from: d(2021, 4, 1),
        valid_to: None,
        protection: "防毒マスク".into(),
    }];
    let ev = |kind: EventKind, date: NaiveDate, person: Option<usize>, dept: Option<usize>, title: &str| Event {
        company_id: company.id,
        id: EventId::new(),
        person_id: person.map(|i| persons[i].id),
        employment_id: person.map(|i| employments[i].id),
        department_id: dept.map(|i| departments[i].id),
        kind,
        subkind: None,
        event_date: date,
        title: title.into(),
        content_class: kind.default_content_class(),
        producer: Producer::Institution,
        detail: serde_json::json!({"note": title}),
        source_doc: Some("test".into()),
    };
    let mut checkup = ev(EventKind::Checkup, d(2025, 6, 10), Some(0), None, "定期健康診断");
    checkup.subkind = Some("periodic".into());
    let events = vec![
        checkup.clone(),
        ev(EventKind::StressCheck, d(2025, 10, 1), Some(0), None, "ストレスチェック"),
        ev(EventKind::Checkup, d(2025, 6, 11), Some(1), None, "定期健康診断"),
        // Patrol of 製造部 while person 0 worked there: on their timeline.
        ev(EventKind::WorkplacePatrol, d(2025, 7, 1), None, Some(0), "製造部 巡視"),
        // Patrol of 総務部 after person 0 left it: not on their timeline, on person 1's.
        ev(EventKind::WorkplacePatrol, d(2024, 7, 1), None, Some(1), "総務部 巡視"),
    ];
    let obs = |item: &str, atr: &str, value: Value, class: InfoClass| Observation {
        company_id: company.id,
        id: ObservationId::new(),
        event_id: checkup.id,
        person_id: persons[0].id,
        employment_id: Some(employments[0].id),
        item: ItemCode::parse(item).unwrap(),
        atr: DataAtr::parse(atr).unwrap(),
        value,
        qualifier: Default::default(),
        info_class: class,
        event_date: checkup.event_date,
        provenance: Provenance {
            source_code: Some("9N001000000000001".into()),
            source_text: Some("身長".into()),
            raw_value: Some("170.5".into()),
            source_doc: Some("sha256:abc#row=2".into()),
            table_version: "ohcc-items-v1".into(),
        },
    };
    let mut observations = vec![
        obs("Ac0010000Z", "Mk1", Value::Number { value: 170.5, unit: "cm".into() }, InfoClass::Class2),
        obs("Ak0010000Z", "Qk1", Value::Coded { code: "2p".into() }, InfoClass::Class2),
        obs("Az0020000Z", "Tk1", Value::Text { text: "特記なし".into() }, InfoClass::Class2),
        obs(
            "Ee0010000Z",
            "Dh1",
            Value::Document { reference: "sha256:ff00".into(), title: "主治医意見書.pdf".into() },
            InfoClass::Class3,
        ),
    ];
    // The decimals the number was written with (issue 11.5) are stored and read back.
    if let Some(o) = observations.first_mut() {
        o.qualifier.scale = Some(1);
    }
    // One consent to a whole class, one to the result of the stress check only.
    let stress_check = events.get(1).map(|e| e.id);
    let consents = vec![
        ConsentGrant {
            person_id: persons[0].id,
            company_id: company.id,
            info_class: InfoClass::Class3,
            grantee_role: Role::HealthManager,
            event_id: None,
        },
        ConsentGrant {
            person_id: persons[0].id,
            company_id: company.id,
            info_class: InfoClass::Stress,
            grantee_role: Role::Hr,
            event_id: stress_check,
        },
    ];
    let batch = Batch {
        establishments: vec![est],
        departments: departments.clone(),
        persons: persons.clone(),
        employments: employments.clone(),
        assignments,
        exposures,
        events,
        observations,
        consents,
    };
    World { company, persons, employments, departments, checkup, batch }
}

/// Runs the whole story against a fresh, migrated, empty store.
pub async fn run(store: &dyn Store) {
    maintenance::migrations_are_idempotent(store).await;
    let w = records::tenants_and_records(store).await;
    people::search(store, &w).await;
    records::batches_are_atomic(store, &w).await;
    records::drafts_and_corrections(store, &w).await;
    auth::users_and_sessions(store, &w).await;
    policy::audit_and_policy(store, &w).await;
    import::imports(store, &w).await;
    postcheckup::postcheckup(store, &w).await;
    uploads::uploads(store, &w).await;
    maintenance::stats_and_wipe(store, &w).await;
    records::nested_departments(store).await;
    people::merges(store).await;
    documents::documents(store).await;
    import::imports_in_parts(store).await;
}
