//! Imports: source files, corrections with history, held and unmapped records, writes in parts.

use crate::*;

pub(crate) async fn imports(store: &dyn Store, w: &World) {
    use iphr_store::{Correction, ImportWrite, QueueEntry, SourceFile, UnmappedEntry};
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
    let mapping = iphr_store::SourceMapping {
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
    let remap = iphr_store::SourceMapping { item: "Am0020000Z".into(), ..mapping };
    store.apply_import(&ImportWrite { mapping: Some(remap.clone()), ..ImportWrite::default() }).await.unwrap();
    assert_eq!(store.source_mappings(c, "p").await.unwrap(), vec![remap]);
    assert!(store.source_mappings(c, "q").await.unwrap().is_empty());
}

/// An import written in parts inside one transaction: a later part sees the earlier ones,
/// nothing is visible outside before the commit, and a transaction dropped (or failing) part-way
/// writes nothing.
pub(crate) async fn imports_in_parts(store: &dyn Store) {
    use iphr_store::{ImportWrite, SourceFile};
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
    ob.sort_by_key(|a| a.item);
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
            .list_audit(&iphr_store::AuditFilter { company_id: Some(c), limit: 1000, ..Default::default() })
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
