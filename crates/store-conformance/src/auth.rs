//! Users, their companies, sessions and login attempts.

use crate::*;

pub(crate) async fn users_and_sessions(store: &dyn Store, w: &World) {
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
