//! Tenants and the record written in batches; a failing batch writes nothing.

use crate::*;

pub(crate) async fn tenants_and_records(store: &dyn Store) -> World {
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
    let on = iphr_store::spans_on(&spans, d(2021, 3, 31));
    assert_eq!(on[&w.persons[0].id].department, "総務部");
    assert_eq!(on[&w.persons[1].id].work_regime, WorkRegime::ResearchDevelopment);
    let on = iphr_store::spans_on(&spans, d(2021, 4, 1));
    assert_eq!(on[&w.persons[0].id].department, "製造部");
    assert_eq!(on[&w.persons[0].id].valid_to, None);
    assert!(iphr_store::spans_on(&spans, d(2015, 3, 31)).is_empty());
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
    expected.sort_by_key(|a| a.item);
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

pub(crate) async fn batches_are_atomic(store: &dyn Store, w: &World) {
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

/// Unit-C drafts stay off the timeline until finalised (once: a second finalisation is a
/// conflict and writes nothing); a corrected event keeps every earlier version.
pub(crate) async fn drafts_and_corrections(store: &dyn Store, w: &World) {
    let c = w.company.id;
    let p = &w.persons[0];
    let at = |h: u32| chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap().and_hms_opt(h, 0, 0).unwrap().and_utc();
    let mut draft = iphr_store::RecordDraft {
        company_id: c,
        id: uuid::Uuid::now_v7(),
        person_id: p.id,
        employment_id: w.employments[0].id,
        form: "return_to_work".into(),
        fields: [("step".to_string(), "3".to_string()), ("notes".to_string(), "睡眠は改善".to_string())].into(),
        author: "doctor".into(),
        updated_at: at(9),
    };
    store.save_record_draft(&draft).await.unwrap();
    draft.fields.insert("notes".into(), "睡眠は改善。通勤訓練を開始".into());
    draft.updated_at = at(10);
    store.save_record_draft(&draft).await.unwrap();
    let drafts = store.record_drafts(c, p.id).await.unwrap();
    assert_eq!(drafts, vec![draft.clone()], "saved again: one draft, the latest text");
    assert_eq!(store.record_draft(c, draft.id).await.unwrap(), Some(draft.clone()));
    assert!(store.record_drafts(c, w.persons[1].id).await.unwrap().is_empty());
    let before = store.timeline(c, p.id).await.unwrap().len();

    let mut ev = w.checkup.clone();
    ev.id = EventId::new();
    ev.kind = EventKind::Interview;
    ev.subkind = Some("return_to_work".into());
    ev.title = "復職面談".into();
    ev.detail = serde_json::json!({ "notes": "睡眠は改善。通勤訓練を開始", "status": "final" });
    let batch = Batch { events: vec![ev.clone()], ..Batch::default() };
    store.finalise_record_draft(c, draft.id, &batch).await.unwrap();
    assert!(store.record_drafts(c, p.id).await.unwrap().is_empty());
    assert_eq!(store.timeline(c, p.id).await.unwrap().len(), before + 1);
    // Twice: a conflict, and nothing more is written.
    let mut again = batch.clone();
    again.events[0].id = EventId::new();
    assert!(matches!(store.finalise_record_draft(c, draft.id, &again).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.timeline(c, p.id).await.unwrap().len(), before + 1);

    // Corrections: each replaced version kept, newest first.
    assert!(store.event_history(c, ev.id).await.unwrap().is_empty());
    let mut v2 = ev.clone();
    v2.detail = serde_json::json!({ "notes": "睡眠は改善。通勤訓練を2週間", "status": "final" });
    store.correct_event(c, &v2, "doctor", "期間の誤記", at(11)).await.unwrap();
    let mut v3 = v2.clone();
    v3.title = "復職面談(第3ステップ)".into();
    store.correct_event(c, &v3, "nurse", "表題", at(12)).await.unwrap();
    assert_eq!(store.event(c, ev.id).await.unwrap(), Some(v3.clone()));
    let h = store.event_history(c, ev.id).await.unwrap();
    assert_eq!(h.iter().map(|v| v.version).collect::<Vec<_>>(), vec![2, 1]);
    assert_eq!(h[0].event, v2);
    assert_eq!((h[0].superseded_by.as_str(), h[0].reason.as_str(), h[0].superseded_at), ("nurse", "表題", at(12)));
    assert_eq!(h[1].event, ev);
    assert_eq!(h[1].reason, "期間の誤記");
    let mut unknown = v3.clone();
    unknown.id = EventId::new();
    assert!(matches!(store.correct_event(c, &unknown, "doctor", "x", at(13)).await, Err(StoreError::NotFound(_))));
}

/// Departments nest (部 → 課 → 係): a worker's header names the whole path, the HR state keeps
/// each department's parent.
pub(crate) async fn nested_departments(store: &dyn Store) {
    let mut w = world();
    w.company = Company { id: CompanyId::new(), name: "入れ子株式会社".into() };
    store.create_company(&w.company).await.unwrap();
    let est = Establishment { company_id: w.company.id, id: EstablishmentId::new(), name: "本社".into() };
    let dept = |name: &str, parent: Option<DepartmentId>| Department {
        company_id: w.company.id,
        id: DepartmentId::new(),
        establishment_id: est.id,
        parent_id: parent,
        name: name.into(),
    };
    let bu = dept("製造部", None);
    let ka = dept("製造一課", Some(bu.id));
    let kakari = dept("一係", Some(ka.id));
    let mut p = w.persons[0].clone();
    p.id = PersonId::new();
    let e = Employment {
        company_id: w.company.id,
        id: EmploymentId::new(),
        person_id: p.id,
        employee_number: "N001".into(),
        hire_date: d(2020, 4, 1),
        leave_date: None,
    };
    let a = Assignment {
        company_id: w.company.id,
        id: AssignmentId::new(),
        employment_id: e.id,
        valid_from: d(2020, 4, 1),
        valid_to: None,
        establishment_id: est.id,
        department_id: kakari.id,
        position: "一般".into(),
        work_content: "組立".into(),
        night_work: false,
        work_regime: WorkRegime::General,
    };
    let batch = Batch {
        establishments: vec![est],
        departments: vec![bu.clone(), ka.clone(), kakari.clone()],
        persons: vec![p],
        employments: vec![e.clone()],
        assignments: vec![a],
        ..Batch::default()
    };
    store.insert_batch(&batch).await.unwrap();
    let h = store.worker(w.company.id, e.id).await.unwrap().unwrap();
    assert_eq!(h.assignments[0].department, "製造部 製造一課 一係");
    let hr = store.hr_state(w.company.id).await.unwrap();
    let parents: Vec<(String, Option<DepartmentId>)> =
        hr.departments.iter().map(|d| (d.name.clone(), d.parent_id)).collect();
    for (name, parent) in [("製造部", None), ("製造一課", Some(bu.id)), ("一係", Some(ka.id))] {
        assert!(parents.contains(&(name.to_string(), parent)), "{name}: {parents:?}");
    }
}
