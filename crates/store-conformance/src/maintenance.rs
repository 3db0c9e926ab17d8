//! Migrations run twice, counts, and the demo wipe.

use crate::*;

pub(crate) async fn migrations_are_idempotent(store: &dyn Store) {
    store.migrate().await.expect("second migrate is a no-op");
    assert!(!store.has_data().await.unwrap(), "a fresh store holds no data");
}

pub(crate) async fn stats_and_wipe(store: &dyn Store, w: &World) {
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
