//! The worker search and person merges with their undo.

use crate::*;

pub(crate) async fn search(store: &dyn Store, w: &World) {
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

pub(crate) async fn merges(store: &dyn Store) {
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
