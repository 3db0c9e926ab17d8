//! Web uploads: one commit wins.

use crate::*;

pub(crate) async fn uploads(store: &dyn Store, w: &World) {
    use iphr_store::{Upload, UploadStatus};
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
        .set_upload_status(
            w.company.id,
            a.id,
            &iphr_store::UploadMove {
                from: UploadStatus::Previewed,
                to: UploadStatus::Importing,
                phase: "writing",
                report: None,
                at: later,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_upload_status(
                w.company.id,
                a.id,
                &iphr_store::UploadMove {
                    from: UploadStatus::Previewed,
                    to: UploadStatus::Importing,
                    phase: "writing",
                    report: None,
                    at: later
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.upload_bytes(w.company.id, a.id).await.unwrap().is_some(), "kept while importing");
    store
        .set_upload_status(
            w.company.id,
            a.id,
            &iphr_store::UploadMove {
                from: UploadStatus::Importing,
                to: UploadStatus::Imported,
                phase: "done",
                report: Some("{\"imported\":2}"),
                at: later,
            },
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
            &iphr_store::UploadMove {
                from: UploadStatus::Previewed,
                to: UploadStatus::Discarded,
                phase: "discarded",
                report: None,
                at: later,
            },
        )
        .await
        .unwrap();
    assert_eq!(store.upload(w.company.id, b.id).await.unwrap().unwrap().report, b.report);
}
