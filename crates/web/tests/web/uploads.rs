//! The upload page: preview (parsed rows, counts, errors), commit in the background, receipt; who
//! may upload which kind; a checkup institution sees its own file while uploading and afterwards
//! only the receipt, and nothing of the company's records.

use crate::common::{demo, get, login, post, send};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use iphr_demo::DemoConfig;
use iphr_domain::CompanyId;
use iphr_store::{AuditFilter, UploadStatus};

fn fixture(p: &str) -> Vec<u8> {
    std::fs::read(std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(p)).unwrap()
}

/// Posts the multipart upload form (session, CSRF token; company, kind, profile; file name and
/// bytes); returns the status and the Location.
async fn upload(
    app: &Router,
    (s, t): (&str, &str),
    cid: CompanyId,
    (kind, profile): (&str, &str),
    name: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    let b = "----iphr-test-boundary";
    let mut body = Vec::new();
    for (k, v) in [("csrf", t), ("kind", kind), ("profile", profile)] {
        body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{b}--\r\n").as_bytes());
    let req = Request::post(format!("/companies/{cid}/uploads"))
        .header(header::COOKIE, format!("iphr_session={s}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={b}"))
        .body(Body::from(body))
        .unwrap();
    let (st, h, body) = send(app, req).await;
    let loc = h.iter().find(|(k, _)| k == "location").map(|(_, v)| v.clone()).unwrap_or(body);
    (st, loc)
}

/// Waits for the background import to end.
async fn wait(store: &std::sync::Arc<dyn iphr_store::Store>, cid: CompanyId, id: uuid::Uuid) -> iphr_store::Upload {
    for _ in 0..200 {
        let u = store.upload(cid, id).await.unwrap().unwrap();
        if u.status.is_final() {
            return u;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not end");
}

fn id_of(loc: &str) -> uuid::Uuid {
    loc.rsplit('/').next().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_commit_receipt_and_who_may_upload() {
    let cfg = DemoConfig {
        companies: 1,
        workers: 20,
        years: 1,
        seed: 3,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 4, 1).unwrap(),
    };
    let d = demo(cfg, vec![], false).await;
    let (app, store) = (d.app.clone(), d.store.clone());
    let cid: CompanyId = d.companies[0].company.id;

    // The nurse uploads the HR master: preview, then commit in the background, then the receipt.
    let (n, nt) = login(&app, "nurse").await;
    let (st, page) = get(&app, &n, &format!("/companies/{cid}/uploads")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("value=\"checkup-csv\"") && page.contains("value=\"hr\"") && page.contains("みなと健診センター")
    );
    let (st, loc) = upload(&app, (&n, &nt), cid, ("hr", ""), "hr-2024.csv", &fixture("hr/hr-2024.csv")).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let hr_id = id_of(&loc);
    let (st, page) = get(&app, &n, &loc).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("取り込めます (プレビュー)") && page.contains("<th>新規</th><td>3</td>"), "{page}");
    assert_eq!(
        store
            .hr_state(cid)
            .await
            .unwrap()
            .employees
            .iter()
            .filter(|e| e.employment.employee_number.starts_with("A0001"))
            .count(),
        0,
        "the preview writes nothing"
    );
    // While another server imports it, the status shows the step that server wrote to the row.
    let importing = |from, to, phase: &'static str| {
        let store = store.clone();
        async move {
            store
                .set_upload_status(
                    cid,
                    hr_id,
                    &iphr_store::UploadMove { from, to, phase, report: None, at: chrono::Utc::now() },
                )
                .await
                .unwrap()
        }
    };
    importing(UploadStatus::Previewed, UploadStatus::Importing, "照合・書込 40% · 9 秒").await;
    let (st, frag) = get(&app, &n, &format!("{loc}/status")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(frag.contains("照合・書込 40% · 9 秒") && frag.contains("<progress aria-label"), "{frag}");
    importing(UploadStatus::Importing, UploadStatus::Previewed, "preview").await;
    let (st, _) = post(&app, &n, &format!("{loc}/commit"), format!("csrf={nt}")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    // A second commit of the same upload is refused (whichever server gets it).
    assert_eq!(post(&app, &n, &format!("{loc}/commit"), format!("csrf={nt}")).await.0, StatusCode::BAD_REQUEST);
    let u = wait(&store, cid, hr_id).await;
    assert_eq!(u.status, UploadStatus::Imported, "{:?}", u.report);
    assert_eq!(store.upload_bytes(cid, hr_id).await.unwrap(), None, "the bytes are dropped");
    assert_eq!(
        store
            .hr_state(cid)
            .await
            .unwrap()
            .employees
            .iter()
            .filter(|e| e.employment.employee_number.starts_with("A0001"))
            .count(),
        3
    );
    let (_, page) = get(&app, &n, &loc).await;
    assert!(page.contains("取り込みました"), "{page}");
    assert_eq!(get(&app, &n, &format!("{loc}/status")).await.0, StatusCode::OK);

    // The checkup institution uploads a checkup CSV with errors: it sees its own rows and errors,
    // never what the store holds.
    let (k, kt) = login(&app, "kenshin").await;
    let (st, page) = get(&app, &k, &format!("/companies/{cid}/uploads")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("value=\"checkup-csv\"") && !page.contains("value=\"hr\""), "checkup results only");
    let errors = fixture("checkup-csv/minato-wide-errors.csv");
    let (st, loc) = upload(&app, (&k, &kt), cid, ("checkup-csv", "minato-wide"), "結果.csv", &errors).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let (_, page) = get(&app, &k, &loc).await;
    assert!(page.contains("id=\"errors\"") && page.contains("id=\"preview\""), "{page}");
    assert!(
        page.contains("<th>読込行数</th>") && !page.contains("変更なし") && !page.contains("本人確認待ち"),
        "{page}"
    );
    assert!(page.contains("エラーがあります"));
    // The good file: commit; afterwards the receipt only.
    let (_, loc) = upload(
        &app,
        (&k, &kt),
        cid,
        ("checkup-csv", "minato-wide"),
        "結果2.csv",
        &fixture("checkup-csv/minato-wide.csv"),
    )
    .await;
    let id = id_of(&loc);
    let (_, page) = get(&app, &k, &loc).await;
    assert!(page.contains("A000101") && page.contains("ヤマダ タロウ"), "its own rows: {page}");
    assert_eq!(post(&app, &k, &format!("{loc}/commit"), format!("csrf={kt}")).await.0, StatusCode::SEE_OTHER);
    let u = wait(&store, cid, id).await;
    assert_eq!(u.status, UploadStatus::Imported, "{:?}", u.report);
    let (_, page) = get(&app, &k, &loc).await;
    assert!(
        page.contains("id=\"receipt\"")
            && page.contains(&u.sha256)
            && !page.contains("id=\"preview\"")
            && !page.contains("A000101"),
        "{page}"
    );
    assert!(!page.contains("取込</th>") && !page.contains("新規受診"), "no stored-state counts: {page}");
    // The checkups are in the record (the physician sees them).
    let yamada = store
        .hr_state(cid)
        .await
        .unwrap()
        .employees
        .into_iter()
        .find(|e| e.employment.employee_number == "A000101")
        .unwrap();
    assert!(
        store
            .timeline(cid, yamada.person.id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == iphr_domain::event::EventKind::Checkup)
    );

    // The institution reads nothing else, and uploads nothing but checkup results.
    for path in [
        format!("/companies/{cid}/workers"),
        format!("/companies/{cid}/postcheckup"),
        format!("/companies/{cid}/workers/{}", yamada.employment.id),
        format!("/api/v1/companies/{cid}/workers"),
    ] {
        let st = get(&app, &k, &path).await.0;
        assert!(st == StatusCode::FORBIDDEN, "{path}: {st}");
    }
    assert_eq!(
        upload(&app, (&k, &kt), cid, ("hr", ""), "hr.csv", &fixture("hr/hr-2025.csv")).await.0,
        StatusCode::FORBIDDEN
    );
    // Nor another user's upload.
    assert_eq!(get(&app, &k, &format!("/companies/{cid}/uploads/{hr_id}")).await.0, StatusCode::NOT_FOUND);
    // HR uploads its own data, not checkups; the worker nothing.
    let (h, ht) = login(&app, "jinji").await;
    assert_eq!(
        upload(&app, (&h, &ht), cid, ("checkup-csv", "minato-wide"), "x.csv", &fixture("checkup-csv/minato-wide.csv"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (st, _) = upload(&app, (&h, &ht), cid, ("hr", ""), "hr-2025.csv", &fixture("hr/hr-2025.csv")).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (w, wt) = login(&app, "worker").await;
    assert_eq!(get(&app, &w, &format!("/companies/{cid}/uploads")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(upload(&app, (&w, &wt), cid, ("stress", ""), "s.csv", b"x").await.0, StatusCode::FORBIDDEN);
    // A bad CSRF token is refused before anything is read.
    assert_eq!(
        upload(&app, (&n, "nope"), cid, ("hr", ""), "hr.csv", &fixture("hr/hr-2024.csv")).await.0,
        StatusCode::FORBIDDEN
    );
    let denied = store.list_audit(&AuditFilter { denied_only: true, limit: 200, ..Default::default() }).await.unwrap();
    assert!(denied.iter().filter(|e| e.action == format!("POST /companies/{cid}/uploads")).count() >= 3);
    // Discarding a preview drops it.
    let (_, loc) = upload(&app, (&n, &nt), cid, ("hr", ""), "hr-2025.csv", &fixture("hr/hr-2025.csv")).await;
    assert_eq!(post(&app, &n, &format!("{loc}/discard"), format!("csrf={nt}")).await.0, StatusCode::SEE_OTHER);
    let u = store.upload(cid, id_of(&loc)).await.unwrap().unwrap();
    assert_eq!((u.status, store.upload_bytes(cid, u.id).await.unwrap()), (UploadStatus::Discarded, None));
}
