//! Document bundles: matched, waiting and assigned documents.

use crate::*;

pub(crate) fn document(w: &World, path: &str, bytes: &[u8], person: Option<usize>) -> iphr_store::StoredDocument {
    use std::hash::{Hash, Hasher};
    // Any 64 hex digits do here: the store keys on them and does not recompute them.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    let at = Utc.with_ymd_and_hms(2024, 6, 1, 9, 0, 0).unwrap();
    iphr_store::StoredDocument {
        meta: iphr_store::DocumentMeta {
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

pub(crate) fn attachment(w: &World, person: usize, doc: uuid::Uuid) -> Event {
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

pub(crate) async fn documents(store: &dyn Store) {
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
    let source = iphr_store::SourceFile {
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
    let write = iphr_store::DocumentWrite {
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
    let again = iphr_store::DocumentWrite { documents: vec![fresh.clone(), matched.clone()], ..Default::default() };
    assert!(matches!(store.insert_documents(&again).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.document(w.company.id, fresh.meta.id).await.unwrap(), None, "nothing of a refused write");
    // The same bytes in another company are that company's own document.
    let mut theirs = document(&w, "x.pdf", &pdf, None);
    theirs.meta.company_id = other.id;
    store.insert_documents(&iphr_store::DocumentWrite { documents: vec![theirs], ..Default::default() }).await.unwrap();

    // Assigning by hand: the event goes on the timeline, the document leaves the queue.
    let before = store.timeline(w.company.id, w.persons[1].id).await.unwrap().len();
    let a = iphr_store::DocumentAssignment {
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
    let twice = iphr_store::DocumentAssignment { event: attachment(&w, 1, waiting.meta.id), ..a.clone() };
    assert!(matches!(store.assign_document(w.company.id, &twice).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.timeline(w.company.id, w.persons[1].id).await.unwrap().len(), before + 1);
    // Another company cannot assign it.
    let foreign = iphr_store::DocumentAssignment { document_id: fresh.meta.id, ..a };
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
