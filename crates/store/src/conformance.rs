//! The conformance suite: one story run against every backend, so that SQLite and
//! PostgreSQL behave the same. Each backend crate calls [`run`] from its tests with a fresh,
//! migrated, empty store.
//!
//! Failures panic with the step that failed (this module is test support).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::{AuditFilter, Batch, Session, Store, StoreError, User, WorkerQuery};
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
    migrations_are_idempotent(store).await;
    let w = tenants_and_records(store).await;
    search(store, &w).await;
    batches_are_atomic(store, &w).await;
    users_and_sessions(store, &w).await;
    audit_and_policy(store, &w).await;
    imports(store, &w).await;
    postcheckup(store, &w).await;
    uploads(store, &w).await;
    stats_and_wipe(store, &w).await;
    merges(store).await;
    documents(store).await;
    imports_in_parts(store).await;
}

async fn migrations_are_idempotent(store: &dyn Store) {
    store.migrate().await.expect("second migrate is a no-op");
    assert!(!store.has_data().await.unwrap(), "a fresh store holds no data");
}

async fn tenants_and_records(store: &dyn Store) -> World {
    let w = world();
    store.create_company(&w.company).await.unwrap();
    let other = Company { id: CompanyId::new(), name: "Ａ社".into() };
    store.create_company(&other).await.unwrap();
    assert!(matches!(store.create_company(&other).await, Err(StoreError::Conflict(_))));
    let names: Vec<_> = store.list_companies().await.unwrap().into_iter().map(|c| c.name).collect();
    // Names sort in code-point (byte) order on every backend.
    assert_eq!(names, vec!["株式会社テスト製作所".to_string(), "Ａ社".to_string()]);
    assert_eq!(store.get_company(other.id).await.unwrap(), Some(other.clone()));
    assert_eq!(store.get_company(CompanyId::new()).await.unwrap(), None);

    store.insert_batch(&w.batch).await.unwrap();
    assert!(store.has_data().await.unwrap());

    // Worker header: person, employment, assignments newest first, exposures.
    let h = store.worker(w.company.id, w.employments[0].id).await.unwrap().expect("worker");
    assert_eq!(h.person, w.persons[0]);
    assert_eq!(h.employment, w.employments[0]);
    assert_eq!(h.assignments.len(), 2);
    assert_eq!(h.assignments[0].department, "製造部");
    assert_eq!(h.assignments[0].establishment, "本社工場");
    assert!(h.assignments[0].assignment.night_work);
    assert_eq!(h.assignments[0].assignment.valid_to, None);
    assert_eq!(h.assignments[0].assignment.work_regime, WorkRegime::General);

    // Assignment history: who was where, under which 労働時間制度, on a date.
    let spans = store.assignment_history(w.company.id).await.unwrap();
    assert_eq!(spans.len(), 3);
    let on = crate::spans_on(&spans, d(2021, 3, 31));
    assert_eq!(on[&w.persons[0].id].department, "総務部");
    assert_eq!(on[&w.persons[1].id].work_regime, WorkRegime::ResearchDevelopment);
    let on = crate::spans_on(&spans, d(2021, 4, 1));
    assert_eq!(on[&w.persons[0].id].department, "製造部");
    assert_eq!(on[&w.persons[0].id].valid_to, None);
    assert!(crate::spans_on(&spans, d(2015, 3, 31)).is_empty());
    assert!(store.assignment_history(CompanyId::new()).await.unwrap().is_empty());
    assert_eq!(h.assignments[1].assignment.valid_to, Some(d(2021, 3, 31)));
    assert_eq!(h.exposures.len(), 1);
    assert_eq!(h.exposures[0].agent_name, "トルエン");
    // Tenancy: the same employment under another company is not found.
    assert_eq!(store.worker(other.id, w.employments[0].id).await.unwrap(), None);

    // Timeline: own events and the patrol of the department at the time, newest first.
    let t = store.timeline(w.company.id, w.persons[0].id).await.unwrap();
    let titles: Vec<_> = t.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, vec!["ストレスチェック", "製造部 巡視", "定期健康診断"]);
    assert_eq!(t[2], w.checkup);
    let t1 = store.timeline(w.company.id, w.persons[1].id).await.unwrap();
    let titles1: Vec<_> = t1.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles1, vec!["定期健康診断", "総務部 巡視"]);
    assert!(store.timeline(other.id, w.persons[0].id).await.unwrap().is_empty());

    // Observations come back exactly, all value kinds and provenance.
    let obs = store.event_observations(w.company.id, w.checkup.id).await.unwrap();
    let mut expected = w.batch.observations.clone();
    expected.sort_by(|a, b| a.item.cmp(&b.item));
    assert_eq!(obs, expected);
    assert_eq!(store.person_observations(w.company.id, w.persons[0].id).await.unwrap().len(), 4);
    assert!(store.person_observations(other.id, w.persons[0].id).await.unwrap().is_empty());
    assert_eq!(store.event(w.company.id, w.checkup.id).await.unwrap(), Some(w.checkup.clone()));
    assert_eq!(store.event(other.id, w.checkup.id).await.unwrap(), None);

    let emps = store.employments_of_person(w.persons[1].id).await.unwrap();
    assert_eq!(emps, vec![w.employments[1].clone()]);
    let consents = store.consents_of_person(w.persons[0].id).await.unwrap();
    assert_eq!(consents, w.batch.consents);
    assert!(store.consents_of_person(w.persons[1].id).await.unwrap().is_empty());
    w
}

async fn search(store: &dyn Store, w: &World) {
    let q = |text: &str, offset, limit| WorkerQuery { text: text.into(), offset, limit };
    let all = store.search_workers(w.company.id, &q("", 0, 50)).await.unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.rows.iter().map(|r| r.employee_number.as_str()).collect::<Vec<_>>(), vec!["E001", "E002"]);
    assert_eq!(all.rows[0].name, "山田 太郎");
    assert_eq!(all.rows[0].kana, "ヤマダ タロウ");
    assert_eq!(all.rows[0].department.as_deref(), Some("製造部"));
    assert_eq!(all.rows[1].department.as_deref(), Some("総務部"));
    // Kana in half-width or hiragana, kanji, employee number in full width.
    for (text, want) in [("ﾔﾏﾀﾞ", "E001"), ("はなこ", "E002"), ("佐藤", "E002"), ("ｅ００２", "E002"), ("太郎", "E001")]
    {
        let r = store.search_workers(w.company.id, &q(text, 0, 50)).await.unwrap();
        assert_eq!(r.total, 1, "search {text:?}");
        assert_eq!(r.rows[0].employee_number, want, "search {text:?}");
    }
    // LIKE wildcards in the query are literal.
    assert_eq!(store.search_workers(w.company.id, &q("%", 0, 50)).await.unwrap().total, 0);
    assert_eq!(store.search_workers(w.company.id, &q("_", 0, 50)).await.unwrap().total, 0);
    // Paging.
    let p2 = store.search_workers(w.company.id, &q("", 1, 1)).await.unwrap();
    assert_eq!((p2.total, p2.rows.len()), (2, 1));
    assert_eq!(p2.rows[0].employee_number, "E002");
    // Another company sees nobody.
    assert_eq!(store.search_workers(CompanyId::new(), &q("", 0, 50)).await.unwrap().total, 0);
}

async fn batches_are_atomic(store: &dyn Store, w: &World) {
    // A batch whose last part conflicts (employee number E001 taken) writes nothing.
    let newcomer = Person { id: PersonId::new(), family_name: "新井".into(), ..w.persons[1].clone() };
    let b = Batch {
        persons: vec![newcomer.clone()],
        employments: vec![Employment {
            company_id: w.company.id,
            id: EmploymentId::new(),
            person_id: newcomer.id,
            employee_number: "E001".into(),
            hire_date: d(2026, 4, 1),
            leave_date: None,
        }],
        ..Batch::default()
    };
    assert!(matches!(store.insert_batch(&b).await, Err(StoreError::Conflict(_))));
    let s = store.stats().await.unwrap();
    assert_eq!(s.persons, 2, "the person of the refused batch was not written");
    assert_eq!(
        store
            .search_workers(w.company.id, &WorkerQuery { text: "新井".into(), offset: 0, limit: 10 })
            .await
            .unwrap()
            .total,
        0
    );
}

async fn users_and_sessions(store: &dyn Store, w: &World) {
    let doc = User {
        id: UserId::new(),
        login: "doctor".into(),
        display_name: "産業 医子".into(),
        role: Role::Physician,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$x$y".into(),
        person_id: None,
        companies: vec![w.company.id],
        disabled: false,
    };
    store.create_user(&doc).await.unwrap();
    assert!(matches!(
        store.create_user(&User { id: UserId::new(), ..doc.clone() }).await,
        Err(StoreError::Conflict(_))
    ));
    let worker = User {
        id: UserId::new(),
        login: "yamada".into(),
        display_name: "山田 太郎".into(),
        role: Role::Worker,
        password_hash: "h".into(),
        person_id: Some(w.persons[0].id),
        companies: vec![],
        disabled: false,
    };
    store.create_user(&worker).await.unwrap();
    assert_eq!(store.user_by_login("doctor").await.unwrap(), Some(doc.clone()));
    assert_eq!(store.user(worker.id).await.unwrap(), Some(worker.clone()));
    assert_eq!(store.user_by_login("nobody").await.unwrap(), None);
    let second = Company { id: CompanyId::new(), name: "第二工業".into() };
    store.create_company(&second).await.unwrap();
    store.assign_company(doc.id, second.id).await.unwrap();
    store.assign_company(doc.id, second.id).await.unwrap(); // twice: no error, no duplicate
    let mut want = vec![w.company.id, second.id];
    want.sort();
    assert_eq!(store.user(doc.id).await.unwrap().unwrap().companies, want);
    store.set_password("doctor", "new-hash").await.unwrap();
    assert_eq!(store.user_by_login("doctor").await.unwrap().unwrap().password_hash, "new-hash");
    assert!(matches!(store.set_password("nobody", "x").await, Err(StoreError::NotFound(_))));
    assert_eq!(
        store.list_users().await.unwrap().iter().map(|u| u.login.as_str()).collect::<Vec<_>>(),
        vec!["doctor", "yamada"]
    );

    let now = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    let s = Session {
        id_hash: "ab".repeat(32),
        user_id: doc.id,
        csrf_token: "csrf".into(),
        created_at: now,
        expires_at: now + Duration::hours(8),
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(store.session(&s.id_hash).await.unwrap(), Some(s.clone()));
    let old = Session { id_hash: "cd".repeat(32), expires_at: now - Duration::seconds(1), ..s.clone() };
    store.create_session(&old).await.unwrap();
    assert_eq!(store.delete_expired_sessions(now).await.unwrap(), 1);
    assert_eq!(store.session(&old.id_hash).await.unwrap(), None);
    store.delete_session(&s.id_hash).await.unwrap();
    assert_eq!(store.session(&s.id_hash).await.unwrap(), None);

    for i in 0..3 {
        store.record_login_attempt("doctor", false, now + Duration::minutes(i)).await.unwrap();
    }
    store.record_login_attempt("doctor", true, now + Duration::minutes(5)).await.unwrap();
    assert_eq!(store.failed_logins_since("doctor", now).await.unwrap(), 3);
    assert_eq!(store.failed_logins_since("doctor", now + Duration::seconds(30)).await.unwrap(), 2);
    assert_eq!(store.failed_logins_since("other", now).await.unwrap(), 0);
}

async fn audit_and_policy(store: &dyn Store, w: &World) {
    let at = Utc.with_ymd_and_hms(2026, 4, 1, 10, 0, 0).unwrap();
    let entry = |allowed: bool, person: Option<PersonId>| AuditEntry {
        id: AuditId::new(),
        at,
        user_id: Some(UserId::new()),
        login: "hr1".into(),
        role: Some(Role::Hr),
        action: "GET /api/v1/x".into(),
        company_id: Some(w.company.id),
        person_id: person,
        info_class: Some(InfoClass::Class2),
        allowed,
        detail: if allowed { String::new() } else { "policy".into() },
    };
    let a = entry(true, Some(w.persons[0].id));
    let b = entry(false, Some(w.persons[0].id));
    let c = entry(false, Some(w.persons[1].id));
    for e in [&a, &b, &c] {
        store.append_audit(e).await.unwrap();
    }
    let all = store
        .list_audit(&AuditFilter { company_id: Some(w.company.id), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(all, vec![c.clone(), b.clone(), a.clone()], "newest first");
    let denied = store
        .list_audit(&AuditFilter {
            person_id: Some(w.persons[0].id),
            denied_only: true,
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(denied, vec![b]);
    let one = store.list_audit(&AuditFilter { limit: 1, ..Default::default() }).await.unwrap();
    assert_eq!(one, vec![c]);

    assert!(store.policy_overrides(w.company.id).await.unwrap().is_empty());
    let o = PolicyOverride { role: Role::HealthManager, info_class: InfoClass::Class3, access: Access::Deny };
    store.set_policy_override(w.company.id, o).await.unwrap();
    let o2 = PolicyOverride { access: Access::Allow, ..o };
    store.set_policy_override(w.company.id, o2).await.unwrap();
    assert_eq!(store.policy_overrides(w.company.id).await.unwrap(), vec![o2]);
}

async fn imports(store: &dyn Store, w: &World) {
    use crate::{Correction, ImportWrite, QueueEntry, SourceFile, UnmappedEntry};
    let c = w.company.id;
    // Identity candidates: every employment with kana, birth date and sex.
    let cands = store.identity_candidates(c).await.unwrap();
    assert_eq!(cands.len(), 2);
    assert_eq!((cands[0].employee_number.as_str(), cands[0].kana.as_str()), ("E001", "ヤマダ タロウ"));
    assert_eq!(cands[0].insurer_number.as_deref(), Some("06130012"));
    // The matcher read as a stream holds the same candidates in the same order.
    let m = store.identity_matcher(c).await.unwrap();
    assert_eq!((0..m.len()).filter_map(|i| m.candidate(i)).collect::<Vec<_>>(), cands);
    let by_number =
        iphr_domain::identity::Incoming { employee_number: Some("Ｅ００１".into()), ..Default::default() };
    assert!(matches!(m.find(&by_number), iphr_domain::identity::Match::Matched { index: 0, .. }));
    // Events on (person, date): the checkup and its observations; other dates and kinds not.
    let (ev, obs) = store
        .events_on(c, EventKind::Checkup, &[(w.persons[0].id, d(2025, 6, 10)), (w.persons[1].id, d(2020, 1, 1))])
        .await
        .unwrap();
    assert_eq!(ev, vec![w.checkup.clone()]);
    assert_eq!(obs.len(), 4);
    let (ev, _) = store.events_on(c, EventKind::StressCheck, &[(w.persons[0].id, d(2025, 6, 10))]).await.unwrap();
    assert!(ev.is_empty());

    let at = Utc.with_ymd_and_hms(2026, 4, 2, 9, 0, 0).unwrap();
    let file = SourceFile {
        company_id: c,
        id: uuid::Uuid::now_v7(),
        kind: "checkup-csv".into(),
        sha256: "ab".repeat(32),
        file_name: "kekka.csv".into(),
        profile: Some("p".into()),
        encoding: Some("CP932".into()),
        imported_at: at,
        imported_by: "doctor".into(),
        summary: serde_json::json!({"read": 1}),
    };
    let old = obs.iter().find(|o| o.item.as_str() == "Ac0010000Z").unwrap().clone();
    let mut new = old.clone();
    new.value = Value::Number { value: 171.0, unit: "cm".into() };
    new.qualifier.scale = Some(0);
    assert_eq!(old.qualifier.scale, Some(1), "the scale as inserted");
    new.provenance.raw_value = Some("１７１".into());
    new.provenance.source_doc = Some(format!("sf:{}#line=2", file.id));
    let queue = QueueEntry {
        company_id: c,
        id: uuid::Uuid::now_v7(),
        source_file_id: file.id,
        line: 3,
        reason: "unknown".into(),
        identity: serde_json::json!({"employee_number": "X9"}),
        candidates: serde_json::json!([]),
        payload: serde_json::json!({"results": [{"item": "Ac0010000Z", "raw": "160"}]}),
        status: "open".into(),
        created_at: at,
    };
    let unmapped = UnmappedEntry {
        company_id: c,
        id: uuid::Uuid::now_v7(),
        source_file_id: file.id,
        line: 4,
        source_system: "p".into(),
        source_code: "K9".into(),
        source_text: "ペプシノゲン".into(),
        raw_value: "45.2".into(),
        unit: Some("ng/mL".into()),
        person_id: Some(w.persons[0].id),
        event_date: Some(d(2025, 6, 10)),
        status: "open".into(),
        created_at: at,
    };
    let write = ImportWrite {
        source_file: Some(file.clone()),
        corrections: vec![Correction { old: old.clone(), new: new.clone() }],
        queue: vec![queue.clone()],
        unmapped: vec![unmapped.clone()],
        ..ImportWrite::default()
    };
    store.apply_import(&write).await.unwrap();
    assert_eq!(store.source_file(c, "checkup-csv", &file.sha256).await.unwrap(), Some(file.clone()));
    assert_eq!(store.source_file(c, "cda", &file.sha256).await.unwrap(), None);
    let now = store.event_observations(c, w.checkup.id).await.unwrap();
    assert_eq!(now.iter().find(|o| o.id == old.id), Some(&new), "corrected in place");
    let h = store.observation_history(c, old.id).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].observation, old, "the old value, whole");
    assert_eq!(h[0].superseded_by, new.provenance.source_doc.clone().unwrap());
    assert_eq!(store.identity_queue(c).await.unwrap(), vec![queue.clone()]);
    assert_eq!(store.unmapped_items(c).await.unwrap(), vec![unmapped.clone()]);
    // The same file twice is a conflict, and nothing of that write lands.
    let again = ImportWrite { source_file: Some(file), ..ImportWrite::default() };
    assert!(matches!(store.apply_import(&again).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.identity_queue(c).await.unwrap().len(), 1);
    // Resolving a held record closes its queue entry; resolving it twice is refused.
    let resolve = ImportWrite { resolved: vec![queue.id], ..ImportWrite::default() };
    store.apply_import(&resolve).await.unwrap();
    assert!(store.identity_queue(c).await.unwrap().is_empty());
    assert!(matches!(store.apply_import(&resolve).await, Err(StoreError::NotFound(_))));
    // A mapping is saved (and replaced), and the held item it converts closes.
    let mapping = crate::SourceMapping {
        company_id: c,
        source_system: "p".into(),
        source_code: "K9".into(),
        item: "Am0010000Z".into(),
        created_at: at,
        created_by: "doctor".into(),
    };
    let map = ImportWrite { mapped: vec![unmapped.id], mapping: Some(mapping.clone()), ..ImportWrite::default() };
    store.apply_import(&map).await.unwrap();
    assert!(store.unmapped_items(c).await.unwrap().is_empty());
    assert_eq!(store.source_mappings(c, "p").await.unwrap(), vec![mapping.clone()]);
    let remap = crate::SourceMapping { item: "Am0020000Z".into(), ..mapping };
    store.apply_import(&ImportWrite { mapping: Some(remap.clone()), ..ImportWrite::default() }).await.unwrap();
    assert_eq!(store.source_mappings(c, "p").await.unwrap(), vec![remap]);
    assert!(store.source_mappings(c, "q").await.unwrap().is_empty());
}

async fn postcheckup(store: &dyn Store, w: &World) {
    use crate::{JudgementFilter, JudgementWrite, RuleOverride, Section, StepWrite};
    use iphr_domain::judgement::{CheckupFacts, NotationOnly, Rules};
    use iphr_domain::postcheckup::{GuidanceLevel, Measure, Opinion, Step, WorkCategory};
    let c = w.company.id;
    let rules = Rules::embedded().unwrap();
    let items = rules.items_read();
    let checkups = store.checkups_to_judge(c, None, &items, None, 100).await.unwrap();
    assert_eq!(checkups.len(), 2, "both checkups of the company");
    let mine = checkups.iter().find(|k| k.event_id == w.checkup.id).unwrap();
    // Only the items the rules read: urine protein, not height or text.
    assert_eq!(mine.facts.len(), 1);
    assert_eq!(mine.facts[0].item, "Ak0010000Z");
    assert_eq!(mine.sex, w.persons[0].sex);
    assert_eq!(mine.kind.as_deref(), Some("periodic"));
    assert_eq!(store.checkups_to_judge(c, Some(d(2025, 6, 11)), &items, None, 100).await.unwrap().len(), 1);
    // Pages in event-id order.
    let first = store.checkups_to_judge(c, None, &items, None, 1).await.unwrap();
    let second = store.checkups_to_judge(c, None, &items, first.last().map(|k| k.event_id), 1).await.unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));
    assert!(first[0].event_id < second[0].event_id);
    assert!(store.checkups_to_judge(c, None, &items, second.last().map(|k| k.event_id), 1).await.unwrap().is_empty());
    let judge = |k: &crate::CheckupToJudge| {
        let facts = CheckupFacts {
            date: k.date,
            kind: k.kind.as_deref().and_then(iphr_domain::event::CheckupKind::parse),
            submitted_on: None,
            sex: k.sex,
            birth_date: k.birth_date,
            facts: &k.facts,
        };
        JudgementWrite {
            event_id: k.event_id,
            person_id: k.person_id,
            employment_id: k.employment_id,
            checkup_date: k.date,
            checkup_kind: k.kind.clone(),
            result: rules.judge(&facts, &NotationOnly),
            prior_opinion: None,
        }
    };
    let writes: Vec<_> = checkups.iter().map(judge).collect();
    let at = Utc.with_ymd_and_hms(2025, 12, 1, 9, 0, 0).unwrap();
    let s = store.save_judgements(c, &writes, at).await.unwrap();
    assert_eq!((s.judged, s.new, s.changed, s.unchanged), (2, 2, 0, 0));
    store.finish_judging(c).await.unwrap();
    let s = store.save_judgements(c, &writes, at).await.unwrap();
    assert_eq!((s.judged, s.new, s.changed, s.unchanged), (2, 0, 0, 2), "judging again writes nothing");
    let j = store.judgement(c, w.checkup.id).await.unwrap().unwrap();
    assert_eq!(j.result.overall.map(|o| o.as_str()), Some("D"));
    assert!(j.latest);
    assert_eq!(j.stage, "judged");
    assert_eq!(j.employee_number.as_deref(), Some(w.employments[0].employee_number.as_str()));
    assert_eq!(j.result.opinion_due, Some(d(2025, 9, 10)));
    assert_eq!(j.result.followup_due, Some(d(2025, 9, 8)));
    // Stored compactly: labels and sources come back from the rule tables.
    assert!(j.result.items.iter().all(|i| i.source.is_empty()));

    let today = d(2025, 12, 1);
    let counts = store.dashboard_counts(c, today, at - Duration::hours(24)).await.unwrap();
    assert_eq!(counts.judged, 2);
    // The other checkup has no kind: not a statutory checkup, no opinion due.
    assert_eq!((counts.opinion_due, counts.opinion_overdue), (1, 1));
    assert_eq!(counts.followup, 1);
    assert_eq!((counts.panic, counts.referral, counts.niji, counts.hr_pending), (0, 0, 0, 0));
    let due =
        JudgementFilter { latest_only: true, section: Some(Section::OpinionDue), today, since: None, limit: Some(1) };
    assert_eq!(store.judgements(c, &due).await.unwrap().len(), 1);

    let step = |step: Step, role: Role, h: u32| StepWrite {
        company_id: c,
        event_id: w.checkup.id,
        step,
        by_login: format!("{role:?}").to_lowercase(),
        by_role: role,
        at: Utc.with_ymd_and_hms(2025, 12, 2, h, 0, 0).unwrap(),
        records: vec![],
    };
    let j = store
        .append_step(&step(Step::Guidance { level: GuidanceLevel::Medical, note: String::new() }, Role::Nurse, 9))
        .await
        .unwrap();
    assert_eq!((j.stage.as_str(), j.guidance.as_deref()), ("guidance_set", Some("medical")));
    let opinion = Opinion {
        category: WorkCategory::Restriction,
        measures: vec![Measure::OvertimeLimit, Measure::FewerNightShifts],
        measures_text: "月20時間まで".into(),
        reasons: "尿蛋白2+".into(),
        opinion: "精密検査を受けること".into(),
        valid_until: Some(d(2026, 3, 31)),
        review_on: Some(d(2026, 3, 1)),
        conditions: vec![iphr_domain::postcheckup::ConditionStatus {
            condition: "高血圧症".into(),
            status: iphr_domain::postcheckup::TreatmentStatus::InTreatment,
        }],
    };
    // The opinion's timeline records are written in the step's transaction.
    let subject = iphr_domain::postcheckup::StepSubject {
        company_id: c,
        person_id: w.persons[0].id,
        employment_id: Some(w.employments[0].id),
        checkup: w.checkup.id,
        checkup_date: w.checkup.event_date,
    };
    let records =
        iphr_domain::postcheckup::step_events(&Step::Opinion(opinion.clone()), None, subject, today, "doctor");
    let j = store
        .append_step(&StepWrite { records: records.clone(), ..step(Step::Opinion(opinion), Role::Physician, 10) })
        .await
        .unwrap();
    assert_eq!(j.stage, "opinion_set");
    let timeline = store.timeline(c, w.persons[0].id).await.unwrap();
    assert!(records.iter().all(|r| timeline.contains(r)), "the opinion is on the timeline");
    assert_eq!(j.work_category, Some(WorkCategory::Restriction));
    assert_eq!(j.measures, vec!["overtime_limit", "fewer_night_shifts", "月20時間まで"]);
    assert_eq!(j.valid_until, Some(d(2026, 3, 31)));
    let counts = store.dashboard_counts(c, today, at).await.unwrap();
    assert_eq!((counts.opinion_due, counts.hr_pending), (0, 1));
    // Issue 11.12: the other checkup has no opinion: nothing to acknowledge, nothing written.
    let other = writes.iter().map(|x| x.event_id).find(|e| *e != w.checkup.id).unwrap();
    let mut early = step(Step::HrAck { note: String::new() }, Role::Hr, 11);
    early.event_id = other;
    assert!(matches!(store.append_step(&early).await, Err(StoreError::Conflict(_))));
    assert!(store.steps(c, other).await.unwrap().is_empty());
    let j = store.append_step(&step(Step::HrAck { note: "了解".into() }, Role::Hr, 11)).await.unwrap();
    assert_eq!(j.stage, "hr_acknowledged");
    assert_eq!(store.dashboard_counts(c, today, at).await.unwrap().hr_pending, 0);
    // A guidance correction later does not move the stage back.
    let j = store
        .append_step(&step(Step::Guidance { level: GuidanceLevel::Health, note: "訂正".into() }, Role::Nurse, 12))
        .await
        .unwrap();
    assert_eq!((j.stage.as_str(), j.guidance.as_deref()), ("hr_acknowledged", Some("health")));
    let j = store.append_step(&step(Step::FollowupClosed { note: String::new() }, Role::Physician, 13)).await.unwrap();
    assert_eq!(j.stage, "closed");
    assert_eq!(store.dashboard_counts(c, today, at).await.unwrap().followup, 0);
    let steps = store.steps(c, w.checkup.id).await.unwrap();
    let names: Vec<_> = steps.iter().map(|s| s.step.name()).collect();
    assert_eq!(names, vec!["guidance", "opinion", "hr_ack", "guidance", "followup_closed"]);
    assert_eq!(steps[1].by_role, Role::Physician);
    // Re-judging keeps the workflow state.
    let mut changed = writes.clone();
    changed[0].result.rules_version = "changed".into();
    let s = store.save_judgements(c, &changed, at).await.unwrap();
    assert_eq!((s.changed, s.unchanged), (1, 1));
    let j = store.judgement(c, w.checkup.id).await.unwrap().unwrap();
    assert_eq!((j.stage.as_str(), j.work_category), ("closed", Some(WorkCategory::Restriction)));
    // No judgement: no step.
    let mut orphan = step(Step::HrAck { note: String::new() }, Role::Hr, 14);
    orphan.event_id = EventId::new();
    assert!(matches!(store.append_step(&orphan).await, Err(StoreError::NotFound(_))));

    // Rule overrides per company.
    assert!(store.rule_overrides(c).await.unwrap().is_empty());
    let o = RuleOverride {
        table: "settings".into(),
        content: "key,value,source\nfollowup_days,60,社内\n".into(),
        updated_by: "doctor".into(),
        updated_at: at,
    };
    store.set_rule_override(c, &o).await.unwrap();
    store
        .set_rule_override(
            c,
            &RuleOverride { content: "key,value,source\nfollowup_days,45,社内\n".into(), ..o.clone() },
        )
        .await
        .unwrap();
    let got = store.rule_overrides(c).await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].content.contains("45"));
    store.set_rule_override(c, &RuleOverride { content: String::new(), ..o }).await.unwrap();
    assert!(store.rule_overrides(c).await.unwrap().is_empty());
}

async fn uploads(store: &dyn Store, w: &World) {
    use crate::{Upload, UploadStatus};
    let at = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    let user = UserId::new();
    let up = |n: u32| Upload {
        company_id: w.company.id,
        id: uuid::Uuid::now_v7(),
        user_id: user,
        login: "kenshin".into(),
        role: "institution".into(),
        kind: "checkup-csv".into(),
        profile: Some("minato-wide".into()),
        file_name: format!("結果{n}.csv"),
        sha256: format!("{n:064}"),
        size: 12,
        status: UploadStatus::Previewed,
        phase: "preview".into(),
        report: Some("{\"read\":2}".into()),
        created_at: at + Duration::minutes(i64::from(n)),
        updated_at: at + Duration::minutes(i64::from(n)),
    };
    let (a, b) = (up(1), up(2));
    store.create_upload(&a, b"id,name\n1,x\n").await.unwrap();
    store.create_upload(&b, b"other").await.unwrap();
    assert_eq!(store.upload(w.company.id, a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.upload_bytes(w.company.id, a.id).await.unwrap().as_deref(), Some(&b"id,name\n1,x\n"[..]));
    // Another company sees nothing.
    assert_eq!(store.upload(CompanyId::new(), a.id).await.unwrap(), None);
    assert_eq!(store.upload_bytes(CompanyId::new(), a.id).await.unwrap(), None);
    // Newest first, this user only.
    let mine: Vec<_> = store.uploads_of_user(w.company.id, user, 10).await.unwrap().into_iter().map(|u| u.id).collect();
    assert_eq!(mine, vec![b.id, a.id]);
    assert!(store.uploads_of_user(w.company.id, UserId::new(), 10).await.unwrap().is_empty());
    // Only one commit wins; a final status drops the bytes and keeps the receipt.
    let later = at + Duration::hours(1);
    store
        .set_upload_status(w.company.id, a.id, UploadStatus::Previewed, UploadStatus::Importing, "writing", None, later)
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_upload_status(
                w.company.id,
                a.id,
                UploadStatus::Previewed,
                UploadStatus::Importing,
                "writing",
                None,
                later
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.upload_bytes(w.company.id, a.id).await.unwrap().is_some(), "kept while importing");
    store
        .set_upload_status(
            w.company.id,
            a.id,
            UploadStatus::Importing,
            UploadStatus::Imported,
            "done",
            Some("{\"imported\":2}"),
            later,
        )
        .await
        .unwrap();
    let r = store.upload(w.company.id, a.id).await.unwrap().unwrap();
    assert_eq!(
        (r.status, r.phase.as_str(), r.report.as_deref(), r.updated_at),
        (UploadStatus::Imported, "done", Some("{\"imported\":2}"), later)
    );
    assert_eq!(store.upload_bytes(w.company.id, a.id).await.unwrap(), None, "the bytes are dropped");
    // A status change without a report keeps the preview's.
    store
        .set_upload_status(
            w.company.id,
            b.id,
            UploadStatus::Previewed,
            UploadStatus::Discarded,
            "discarded",
            None,
            later,
        )
        .await
        .unwrap();
    assert_eq!(store.upload(w.company.id, b.id).await.unwrap().unwrap().report, b.report);
}

async fn stats_and_wipe(store: &dyn Store, w: &World) {
    let s = store.stats().await.unwrap();
    assert_eq!(s.persons, 2);
    assert_eq!(s.users.get("physician"), Some(&1));
    assert_eq!(s.users.get("worker"), Some(&1));
    let c = s.companies.iter().find(|c| c.company_id == w.company.id).unwrap();
    assert_eq!(
        (c.establishments, c.departments, c.employments, c.assignments, c.exposures, c.observations, c.consents),
        (1, 2, 2, 3, 1, 4, 2)
    );
    assert_eq!(c.events.get("checkup"), Some(&2));
    assert_eq!(c.events.get("stress_check"), Some(&1));
    assert_eq!(c.events.get("workplace_patrol"), Some(&2));
    assert_eq!(s.companies.len(), 3);
    // Stats are ordered by company id, so two backends print the same.
    let mut ids: Vec<_> = s.companies.iter().map(|c| c.company_id).collect();
    let sorted = {
        let mut v = ids.clone();
        v.sort();
        v
    };
    assert_eq!(ids, sorted);
    ids.clear();

    store.wipe().await.unwrap();
    assert!(!store.has_data().await.unwrap());
    // The audit log survives a wipe.
    assert_eq!(store.list_audit(&AuditFilter { limit: 10, ..Default::default() }).await.unwrap().len(), 3);
}

async fn merges(store: &dyn Store) {
    // The same human recorded twice (a second employee number after a re-hire): merge, undo.
    let w = world();
    store.create_company(&w.company).await.unwrap();
    store.insert_batch(&w.batch).await.unwrap();
    let (kept, twin) = (w.persons[0].id, w.persons[1].id);
    let before_kept = store.timeline(w.company.id, kept).await.unwrap();
    let before_twin = store.timeline(w.company.id, twin).await.unwrap();
    let twin_obs = store.person_observations(w.company.id, twin).await.unwrap().len();
    let kept_obs = store.person_observations(w.company.id, kept).await.unwrap().len();
    assert!(matches!(store.merge_persons(kept, kept, "doctor").await, Err(StoreError::Conflict(_))));
    let m = store.merge_persons(kept, twin, "doctor").await.unwrap();
    assert_eq!((m.kept, m.merged, m.merged_by.as_str()), (kept, twin, "doctor"));
    assert_eq!(store.employments_of_person(kept).await.unwrap().len(), 2);
    assert!(store.employments_of_person(twin).await.unwrap().is_empty());
    let after = store.timeline(w.company.id, kept).await.unwrap();
    assert_eq!(
        after.iter().filter(|e| e.person_id.is_some()).count(),
        before_kept.iter().chain(&before_twin).filter(|e| e.person_id.is_some()).count()
    );
    assert_eq!(store.person_observations(w.company.id, kept).await.unwrap().len(), kept_obs + twin_obs);
    // The twin's employment is now found under the kept person's name.
    let found =
        store.search_workers(w.company.id, &WorkerQuery { text: "ヤマダ".into(), offset: 0, limit: 10 }).await.unwrap();
    assert_eq!(found.total, 2);
    assert!(matches!(store.merge_persons(kept, twin, "doctor").await, Err(StoreError::Conflict(_))), "merged already");
    assert_eq!(store.person_merge(m.id).await.unwrap(), Some(m.clone()));
    // Undo: exactly back.
    let u = store.undo_merge(m.id, "nurse").await.unwrap();
    assert_eq!(u.undone_by.as_deref(), Some("nurse"));
    assert_eq!(store.timeline(w.company.id, kept).await.unwrap(), before_kept);
    assert_eq!(store.timeline(w.company.id, twin).await.unwrap(), before_twin);
    assert_eq!(store.employments_of_person(twin).await.unwrap(), vec![w.employments[1].clone()]);
    assert_eq!(
        store
            .search_workers(w.company.id, &WorkerQuery { text: "ヤマダ".into(), offset: 0, limit: 10 })
            .await
            .unwrap()
            .total,
        1
    );
    assert!(matches!(store.undo_merge(m.id, "nurse").await, Err(StoreError::Conflict(_))));
    assert_eq!(store.companies_of_person(kept).await.unwrap(), vec![w.company.id]);
    store.wipe().await.unwrap();
}

// ---- document bundles ----

fn document(w: &World, path: &str, bytes: &[u8], person: Option<usize>) -> crate::StoredDocument {
    use std::hash::{Hash, Hasher};
    // Any 64 hex digits do here: the store keys on them and does not recompute them.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let at = Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap();
    crate::StoredDocument {
        meta: crate::DocumentMeta {
            company_id: w.company.id,
            id: uuid::Uuid::now_v7(),
            person_id: person.map(|i| w.persons[i].id),
            employment_id: person.map(|i| w.employments[i].id),
            event_id: None,
            sha256: format!("{:064x}", h.finish()),
            original_path: path.into(),
            content_type: "application/pdf".into(),
            size: i64::try_from(bytes.len()).unwrap(),
            document_date: Some(d(2024, 5, 10)),
            title: "精密検査結果".into(),
            employee_number: person.map(|i| w.employments[i].employee_number.clone()),
            unmatched_reason: if person.is_some() { None } else { Some("no pattern match".into()) },
            imported_at: at,
            imported_by: "cli".into(),
            source_sha256: "b".repeat(64),
            assigned_at: None,
            assigned_by: None,
        },
        bytes: bytes.to_vec(),
    }
}

fn attachment(w: &World, person: usize, doc: uuid::Uuid) -> Event {
    Event {
        company_id: w.company.id,
        id: EventId::new(),
        person_id: Some(w.persons[person].id),
        employment_id: Some(w.employments[person].id),
        department_id: None,
        kind: EventKind::Attachment,
        subkind: Some("document".into()),
        event_date: d(2024, 5, 10),
        title: "精密検査結果".into(),
        content_class: InfoClass::Class3,
        producer: Producer::OhStaff,
        detail: serde_json::json!({ "document_id": doc }),
        source_doc: Some(doc.to_string()),
    }
}

async fn documents(store: &dyn Store) {
    let w = world();
    store.create_company(&w.company).await.unwrap();
    store.insert_batch(&w.batch).await.unwrap();
    let other = Company { id: CompanyId::new(), name: "別会社".into() };
    store.create_company(&other).await.unwrap();
    // Every byte value survives the round trip.
    let pdf: Vec<u8> = b"%PDF-1.4\n".iter().copied().chain((0..=255u8).cycle().take(3000)).collect();
    let mut matched = document(&w, "A/E001_2024-05-10_精密検査結果.pdf", &pdf, Some(0));
    let event = attachment(&w, 0, matched.meta.id);
    matched.meta.event_id = Some(event.id);
    let waiting = document(&w, "scan0001.pdf", b"%PDF-1.4 waiting", None);
    let source = crate::SourceFile {
        company_id: w.company.id,
        id: uuid::Uuid::now_v7(),
        kind: "documents".into(),
        sha256: "b".repeat(64),
        file_name: "bundle.zip".into(),
        profile: Some("{employee_number}_{date}_{title}.pdf".into()),
        encoding: None,
        imported_at: matched.meta.imported_at,
        imported_by: "cli".into(),
        summary: serde_json::json!({ "read": 2 }),
    };
    let write = crate::DocumentWrite {
        source_file: Some(source.clone()),
        documents: vec![matched.clone(), waiting.clone()],
        events: vec![event.clone()],
        assignments: vec![],
    };
    store.insert_documents(&write).await.unwrap();
    assert_eq!(
        store.source_file(w.company.id, "documents", &source.sha256).await.unwrap().map(|f| f.id),
        Some(source.id)
    );
    let got = store.document(w.company.id, matched.meta.id).await.unwrap().unwrap();
    assert_eq!(got, matched, "bytes and metadata as written");
    assert_eq!(store.document(other.id, matched.meta.id).await.unwrap(), None, "another company sees nothing");
    let hashes = vec![matched.meta.sha256.clone(), "0".repeat(64)];
    let known = store.documents_by_sha256(w.company.id, &hashes).await.unwrap();
    assert_eq!(known, vec![matched.meta.clone()]);
    assert!(store.documents_by_sha256(other.id, &hashes).await.unwrap().is_empty());
    assert_eq!(store.unassigned_documents(w.company.id).await.unwrap(), vec![waiting.meta.clone()]);
    assert!(store.unassigned_documents(other.id).await.unwrap().is_empty());
    let t = store.timeline(w.company.id, w.persons[0].id).await.unwrap();
    assert!(t.contains(&event), "the attachment is on the worker's timeline");
    assert_eq!(store.documents_of_person(w.company.id, w.persons[0].id).await.unwrap(), vec![matched.meta.clone()]);

    // The same document again is a conflict, and the whole write is undone.
    let fresh = document(&w, "new.pdf", b"%PDF-1.4 fresh", None);
    let again = crate::DocumentWrite { documents: vec![fresh.clone(), matched.clone()], ..Default::default() };
    assert!(matches!(store.insert_documents(&again).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.document(w.company.id, fresh.meta.id).await.unwrap(), None, "nothing of a refused write");
    // The same bytes in another company are that company's own document.
    let mut theirs = document(&w, "x.pdf", &pdf, None);
    theirs.meta.company_id = other.id;
    store.insert_documents(&crate::DocumentWrite { documents: vec![theirs], ..Default::default() }).await.unwrap();

    // Assigning by hand: the event goes on the timeline, the document leaves the queue.
    let before = store.timeline(w.company.id, w.persons[1].id).await.unwrap().len();
    let a = crate::DocumentAssignment {
        document_id: waiting.meta.id,
        person_id: w.persons[1].id,
        employment_id: w.employments[1].id,
        event: attachment(&w, 1, waiting.meta.id),
        assigned_by: "nurse".into(),
        assigned_at: Utc.with_ymd_and_hms(2024, 6, 2, 9, 0, 0).unwrap(),
    };
    let m = store.assign_document(w.company.id, &a).await.unwrap();
    assert_eq!(
        (m.person_id, m.event_id, m.assigned_by.as_deref()),
        (Some(w.persons[1].id), Some(a.event.id), Some("nurse"))
    );
    assert_eq!(m.unmatched_reason, None);
    assert!(store.unassigned_documents(w.company.id).await.unwrap().is_empty());
    assert_eq!(store.timeline(w.company.id, w.persons[1].id).await.unwrap().len(), before + 1);
    // Not waiting any more: refused, and its event is not written.
    let twice = crate::DocumentAssignment { event: attachment(&w, 1, waiting.meta.id), ..a.clone() };
    assert!(matches!(store.assign_document(w.company.id, &twice).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.timeline(w.company.id, w.persons[1].id).await.unwrap().len(), before + 1);
    // Another company cannot assign it.
    let foreign = crate::DocumentAssignment { document_id: fresh.meta.id, ..a };
    assert!(store.assign_document(other.id, &foreign).await.is_err());
    // A merge moves the merged person's documents; its undo moves them back.
    let before_0 = store.documents_of_person(w.company.id, w.persons[0].id).await.unwrap().len();
    let merge = store.merge_persons(w.persons[0].id, w.persons[1].id, "doctor").await.unwrap();
    assert!(store.documents_of_person(w.company.id, w.persons[1].id).await.unwrap().is_empty());
    assert_eq!(store.documents_of_person(w.company.id, w.persons[0].id).await.unwrap().len(), before_0 + 1);
    store.undo_merge(merge.id, "doctor").await.unwrap();
    assert_eq!(store.documents_of_person(w.company.id, w.persons[1].id).await.unwrap().len(), 1);
    assert_eq!(store.documents_of_person(w.company.id, w.persons[0].id).await.unwrap().len(), before_0);
    store.wipe().await.unwrap();
    assert!(!store.has_data().await.unwrap());
}

/// An import written in parts inside one transaction: a later part sees the earlier ones,
/// nothing is visible outside before the commit, and a transaction dropped (or failing) part-way
/// writes nothing.
async fn imports_in_parts(store: &dyn Store) {
    use crate::{ImportWrite, SourceFile};
    let w = world();
    store.create_company(&w.company).await.unwrap();
    store.insert_batch(&w.batch).await.unwrap();
    let c = w.company.id;
    let p = &w.persons[0];
    let date = d(2026, 5, 20);
    let event =
        Event { id: EventId::new(), event_date: date, source_doc: Some("sf:parts#line=2".into()), ..w.checkup.clone() };
    let template = w.batch.observations.iter().find(|o| o.event_id == w.checkup.id).unwrap().clone();
    let obs = |item: &str, v: f64| Observation {
        id: ObservationId::new(),
        event_id: event.id,
        event_date: date,
        item: ItemCode::parse(item).unwrap(),
        value: Value::Number { value: v, unit: "cm".into() },
        ..template.clone()
    };
    let file = |sha: &str| SourceFile {
        company_id: c,
        id: uuid::Uuid::now_v7(),
        kind: "checkup-csv".into(),
        sha256: sha.repeat(64),
        file_name: "parts.csv".into(),
        profile: Some("p".into()),
        encoding: Some("CP932".into()),
        imported_at: Utc.with_ymd_and_hms(2026, 5, 21, 9, 0, 0).unwrap(),
        imported_by: "doctor".into(),
        summary: serde_json::json!({"read": 2}),
    };
    let key = [(p.id, date)];

    let first = obs("Ac0010000Z", 170.0);
    let second = obs("Ac0020000Z", 65.0);
    let mut tx = store.begin_import().await.unwrap();
    let part1 = ImportWrite {
        batch: Batch { events: vec![event.clone()], observations: vec![first.clone()], ..Batch::default() },
        ..ImportWrite::default()
    };
    tx.write(&part1).await.unwrap();
    let (ev, ob) = tx.events_on(c, EventKind::Checkup, &key).await.unwrap();
    assert_eq!((ev, ob), (vec![event.clone()], vec![first.clone()]), "a later part sees the earlier ones");
    let (ev, _) = store.events_on(c, EventKind::Checkup, &key).await.unwrap();
    assert!(ev.is_empty(), "nothing is visible outside before the commit");
    let f = file("c");
    let part2 = ImportWrite {
        source_file: Some(f.clone()),
        batch: Batch { observations: vec![second.clone()], ..Batch::default() },
        ..ImportWrite::default()
    };
    tx.write(&part2).await.unwrap();
    tx.commit().await.unwrap();
    let (ev, mut ob) = store.events_on(c, EventKind::Checkup, &key).await.unwrap();
    ob.sort_by(|a, b| a.item.cmp(&b.item));
    assert_eq!((ev, ob), (vec![event.clone()], vec![first.clone(), second.clone()]));
    assert_eq!(store.source_file(c, "checkup-csv", &f.sha256).await.unwrap(), Some(f.clone()));

    // Dropped part-way: nothing of it lands, and the next import can start.
    let other = Event { id: EventId::new(), event_date: d(2026, 5, 27), ..event.clone() };
    let entry = |detail: &str| iphr_domain::audit::AuditEntry {
        id: iphr_domain::AuditId::new(),
        at: chrono::Utc::now(),
        user_id: None,
        login: "import".into(),
        role: None,
        action: "import checkup-csv".into(),
        company_id: Some(c),
        person_id: None,
        info_class: None,
        allowed: true,
        detail: detail.into(),
    };
    let audited = |detail: &'static str| async move {
        let all = store
            .list_audit(&crate::AuditFilter { company_id: Some(c), limit: 1000, ..Default::default() })
            .await
            .unwrap();
        all.iter().any(|a| a.detail == detail)
    };
    let mut tx = store.begin_import().await.unwrap();
    tx.write(&ImportWrite {
        source_file: Some(file("d")),
        batch: Batch { events: vec![other.clone()], ..Batch::default() },
        audit: vec![entry("dropped import")],
        ..ImportWrite::default()
    })
    .await
    .unwrap();
    drop(tx);
    assert!(!audited("dropped import").await, "the audit entry of an import lands only with it");
    let mut tx = store.begin_import().await.unwrap();
    // A failing part (the same file again): the transaction is not committed, nothing lands.
    tx.write(&ImportWrite {
        batch: Batch { events: vec![other.clone()], ..Batch::default() },
        ..ImportWrite::default()
    })
    .await
    .unwrap();
    let again = tx.write(&ImportWrite { source_file: Some(f.clone()), ..ImportWrite::default() }).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    drop(tx);
    let (ev, _) = store.events_on(c, EventKind::Checkup, &[(p.id, d(2026, 5, 27))]).await.unwrap();
    assert!(ev.is_empty(), "a dropped or failed import writes nothing");
    assert_eq!(store.source_file(c, "checkup-csv", &"d".repeat(64)).await.unwrap(), None);
    // apply_import still works after them.
    store
        .apply_import(&ImportWrite {
            source_file: Some(file("e")),
            audit: vec![entry("applied import")],
            ..ImportWrite::default()
        })
        .await
        .unwrap();
    assert!(audited("applied import").await);
}

/// Issue 11.10, the migration that scopes consents (`0013_consent_scope.sql`), as a story both
/// backends run: [`seed_class_wide_stress_consents`] writes the world with class-wide
/// stress-check consents for both persons, the backend test runs [`row_statements`] of its
/// migration on its own connection, and [`assert_consents_scoped`] checks the outcome.
pub struct ConsentScopeCase {
    /// The world written.
    pub world: World,
}

/// Writes the world plus a class-wide (unscoped) stress-check consent for each of its two
/// persons, as interview applications recorded them before 0013.
pub async fn seed_class_wide_stress_consents(store: &dyn Store) -> ConsentScopeCase {
    let world = world();
    let wide = |person| ConsentGrant {
        person_id: person,
        company_id: world.company.id,
        info_class: InfoClass::Stress,
        grantee_role: Role::Hr,
        event_id: None,
    };
    store.create_company(&world.company).await.expect("company");
    let mut batch = world.batch.clone();
    batch.consents.extend([wide(world.persons[0].id), wide(world.persons[1].id)]);
    store.insert_batch(&batch).await.expect("insert");
    ConsentScopeCase { world }
}

/// The statements of a migration that change rows (its `ALTER TABLE` and comment lines left
/// out: the migrated schema has them already).
pub fn row_statements(migration_sql: &str) -> Vec<String> {
    let body: String = migration_sql
        .lines()
        .filter(|l| !l.starts_with("ALTER TABLE") && !l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n");
    body.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// After the row statements ran: person 0's class-wide consent is scoped to their stress check
/// (next to the world's own scoped one), other classes are untouched, and person 1, who has no
/// stress check, has no consent left.
pub async fn assert_consents_scoped(store: &dyn Store, case: &ConsentScopeCase) {
    let w = &case.world;
    let check = w.batch.events.iter().find(|e| e.kind == EventKind::StressCheck).expect("stress check");
    let c0 = store.consents_of_person(w.persons[0].id).await.expect("consents");
    let stress: Vec<&ConsentGrant> = c0.iter().filter(|c| c.info_class == InfoClass::Stress).collect();
    assert_eq!(stress.len(), 2, "the world's scoped consent and the converted one: {c0:?}");
    assert!(stress.iter().all(|c| c.event_id == Some(check.id)), "{c0:?}");
    assert!(c0.iter().any(|c| c.info_class == InfoClass::Class3 && c.event_id.is_none()), "other classes untouched");
    assert!(store.consents_of_person(w.persons[1].id).await.expect("consents").is_empty(), "no stress check: revoked");
}
