//! The audit log, the company's policy overrides, and the migration that scopes stress-check consents.

use crate::*;

pub(crate) async fn audit_and_policy(store: &dyn Store, w: &World) {
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
