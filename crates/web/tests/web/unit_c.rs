//! Unit-C records (issue 13): a 復職面談 written as a draft, taken up again, refused while a
//! required field is empty, finalised once; what reaches HR (the 就業上の配慮 only); a correction
//! keeping the earlier version; a nurse refused the physician's form; a 健康相談 HR never learns of.

use crate::common::{demo, get, login, send};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use iphr_demo::{DemoConfig, SHOWCASE_WORKER, WorkerGenerator};
use iphr_domain::event::EventKind;
use iphr_domain::info_class::InfoClass;

fn cfg() -> DemoConfig {
    DemoConfig { companies: 1, workers: 20, years: 2, seed: 3, as_of: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Posts a form; the status and the redirect target.
async fn post_form(app: &axum::Router, s: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
    let req = Request::post(path)
        .header(header::COOKIE, format!("iphr_session={s}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.join("&")))
        .unwrap();
    let (st, h, b) = send(app, req).await;
    let loc = h.iter().find(|(k, _)| k.eq_ignore_ascii_case("location")).map(|(_, v)| v.clone()).unwrap_or_default();
    (st, loc, b)
}

#[tokio::test]
async fn a_return_to_work_interview_from_draft_to_final_and_corrected() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = d.store.employments_of_person(person).await.unwrap()[0].id;
    let base = format!("/companies/{cid}/workers/{eid}");
    let (doc, csrf) = login(&d.app, "doctor").await;
    let before = d.store.timeline(cid, person).await.unwrap().len();

    // The form says which field reaches HR.
    let (st, page) = get(&d.app, &doc, &format!("{base}/records/new?form=return_to_work")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        page.contains("就業上の配慮(勤務時間・業務内容・期間)</label> <span class=\"to-hr\">人事に伝わる</span>"),
        "{page}"
    );
    assert!(page.contains("本人の状態(睡眠・生活リズム・症状) <small>(必須)</small></label> <span class=\"oh-only\">"));

    // A draft: off the timeline, listed on the worker page, taken up again.
    let (st, loc, _) = post_form(
        &d.app,
        &doc,
        &format!("{base}/records"),
        &[
            ("csrf", &csrf),
            ("form", "return_to_work"),
            ("draft", ""),
            ("action", "save"),
            ("date", "2026-04-20"),
            ("f_step", "3"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(loc.starts_with(&format!("{base}/records/")) && loc.ends_with("?saved=1"), "{loc}");
    let draft = loc.trim_start_matches(&format!("{base}/records/")).trim_end_matches("?saved=1").to_string();
    assert_eq!(d.store.timeline(cid, person).await.unwrap().len(), before);
    let (_, worker) = get(&d.app, &doc, &base).await;
    assert!(worker.contains(&format!("<a href=\"{base}/records/{draft}\">復職面談(")), "the draft is listed");
    let (st, again) = get(&d.app, &doc, &loc).await;
    assert_eq!(st, StatusCode::OK);
    assert!(again.contains("下書きを保存しました") && again.contains("<option value=\"3\" selected>"));

    // Finalising with a required field empty: refused, the field named, nothing written.
    let fields = |condition: &'static str| {
        vec![
            ("form", "return_to_work"),
            ("action", "finalise"),
            ("date", "2026-04-20"),
            ("f_step", "3"),
            ("f_condition", condition),
            ("f_considerations", "短時間勤務(6時間)から開始、1か月は残業なし"),
        ]
    };
    let mut f = fields("");
    f.push(("csrf", &csrf));
    f.push(("draft", &draft));
    let (st, _, body) = post_form(&d.app, &doc, &format!("{base}/records"), &f).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("本人の状態(睡眠・生活リズム・症状): 入力してください"));
    assert_eq!(d.store.timeline(cid, person).await.unwrap().len(), before);

    // Final: the record (class 3) and the 就業上の配慮 (class 1) on the timeline; the draft gone.
    let mut f = fields("睡眠は7時間、日中の眠気なし");
    f.push(("csrf", &csrf));
    f.push(("draft", &draft));
    let (st, loc, _) = post_form(&d.app, &doc, &format!("{base}/records"), &f).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let timeline = d.store.timeline(cid, person).await.unwrap();
    assert_eq!(timeline.len(), before + 2);
    let rec = timeline.iter().find(|e| e.subkind.as_deref() == Some("return_to_work")).unwrap();
    assert_eq!(
        (rec.kind, rec.content_class, rec.title.as_str()),
        (EventKind::Interview, InfoClass::Class3, "復職面談")
    );
    let op =
        timeline.iter().find(|e| e.kind == EventKind::Opinion && e.title == "復職面談に基づく就業上の配慮").unwrap();
    assert_eq!(op.content_class, InfoClass::Class1);
    assert!(d.store.record_drafts(cid, person).await.unwrap().is_empty());
    // The event page: the fields by the form's labels, signed.
    let (_, ev) = get(&d.app, &doc, &loc).await;
    assert!(
        ev.contains("<dt>手引きのステップ</dt><dd>第3ステップ 職場復帰の可否の判断及び職場復帰支援プランの作成</dd>"),
        "{ev}"
    );
    assert!(ev.contains("<dt>記録者(確定)</dt><dd>産業 太郎("));
    // Once only: the same draft again is a conflict and writes nothing.
    let (st, _, _) = post_form(&d.app, &doc, &format!("{base}/records"), &f).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(d.store.timeline(cid, person).await.unwrap().len(), before + 2);

    // HR: the measure, never the interview — not even that it took place.
    let (hr, _) = login(&d.app, "jinji").await;
    let (_, page) = get(&d.app, &hr, &format!("{base}?kind=opinion")).await;
    assert!(page.contains("復職面談に基づく就業上の配慮"));
    let (_, page) = get(&d.app, &hr, &format!("{base}/events/{}", op.id)).await;
    assert!(page.contains("短時間勤務(6時間)から開始"), "HR reads the measure");
    assert!(!page.contains("睡眠は7時間"));
    let (_, page) = get(&d.app, &hr, &base).await;
    assert!(!page.contains(&format!("/events/{}", rec.id)) && !page.contains("睡眠は7時間"));
    let (st, _) = get(&d.app, &hr, &format!("{base}/events/{}", rec.id)).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get(&d.app, &hr, &format!("{base}/records/new?form=return_to_work")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // A correction needs a reason and keeps the version it replaces.
    let correct = format!("{base}/events/{}/correct", rec.id);
    let (st, page) = get(&d.app, &doc, &correct).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("睡眠は7時間、日中の眠気なし"));
    let mut c = vec![("csrf", csrf.as_str()), ("date", "2026-04-20"), ("f_step", "4"), ("f_condition", "睡眠は7時間")];
    let (st, _, body) = post_form(&d.app, &doc, &correct, &c).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("訂正の理由: 入力してください"));
    c.push(("reason", "ステップの誤記"));
    let (st, _, _) = post_form(&d.app, &doc, &correct, &c).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let history = d.store.event_history(cid, rec.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].reason, "ステップの誤記");
    assert_eq!(history[0].event.detail["fields"]["step"], "3");
    let (_, ev) = get(&d.app, &doc, &format!("{base}/events/{}", rec.id)).await;
    assert!(
        ev.contains("第4ステップ 最終的な職場復帰の決定")
            && ev.contains("<h2>訂正履歴</h2>")
            && ev.contains("ステップの誤記")
    );
}

#[tokio::test]
async fn a_nurse_writes_a_consultation_but_not_the_physician_s_form() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = d.store.employments_of_person(person).await.unwrap()[0].id;
    let base = format!("/companies/{cid}/workers/{eid}");
    let (nurse, csrf) = login(&d.app, "nurse").await;
    let (st, _) = get(&d.app, &nurse, &format!("{base}/records/new?form=return_to_work")).await;
    assert_eq!(st, StatusCode::FORBIDDEN, "復職面談 is the physician's");
    let (st, _) = get(&d.app, &nurse, &format!("{base}/records/new?form=nothing")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, loc, _) = post_form(
        &d.app,
        &nurse,
        &format!("{base}/records"),
        &[
            ("csrf", &csrf),
            ("form", "consultation"),
            ("draft", ""),
            ("action", "finalise"),
            ("date", "2026-04-21"),
            ("f_topic", "肩こりと眼精疲労"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER, "{loc}");
    let rec = d
        .store
        .timeline(cid, person)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.subkind.as_deref() == Some("consultation"))
        .unwrap();
    // Nothing of it reaches HR: no 就業上の配慮 field, and the fact of it is class 3.
    let (hr, _) = login(&d.app, "jinji").await;
    let (_, page) = get(&d.app, &hr, &format!("{base}?kind=interview")).await;
    assert!(!page.contains("健康相談"), "HR learns of the consultation");
    let (_, page) = get(&d.app, &nurse, &format!("{base}?kind=interview")).await;
    assert!(page.contains(&format!("/events/{}\">健康相談</a>", rec.id)));
    // A wrong CSRF token writes nothing.
    let (st, _, _) = post_form(
        &d.app,
        &nurse,
        &format!("{base}/records"),
        &[
            ("csrf", "forged"),
            ("form", "consultation"),
            ("action", "finalise"),
            ("date", "2026-04-22"),
            ("f_topic", "x"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// A multipart body of files and fields.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let b = "XiphrBoundary42";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!("--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

#[tokio::test]
async fn documents_uploaded_shown_and_downloaded_by_oh_staff_only() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = d.store.employments_of_person(person).await.unwrap()[0].id;
    let base = format!("/companies/{cid}/workers/{eid}");
    let (doc, csrf) = login(&d.app, "doctor").await;
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let png: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    let send_files = |files: Vec<(&'static str, &'static [u8])>, s: String, csrf: String| {
        let app = d.app.clone();
        let base = base.clone();
        async move {
            let (ct, body) = multipart(&[("csrf", &csrf), ("title", ""), ("date", "2026-04-15")], &files);
            let req = Request::post(format!("{base}/documents"))
                .header(header::COOKIE, format!("iphr_session={s}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap();
            send(&app, req).await
        }
    };
    let attachments = || async {
        d.store.timeline(cid, person).await.unwrap().into_iter().filter(|e| e.kind == EventKind::Attachment).count()
    };
    let before = attachments().await;
    // One file that is no document refuses them all, each named.
    let zip: &'static [u8] = b"PK\x03\x04rest";
    let (st, _, body) =
        send_files(vec![("主治医意見書.pdf", pdf), ("まとめ.zip", zip)], doc.clone(), csrf.clone()).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("まとめ.zip: zip 形式(または Office 文書)です"), "{body}");
    assert_eq!(attachments().await, before);
    // Two documents: both on the timeline in one write.
    let (st, h, _) = send_files(vec![("主治医意見書.pdf", pdf), ("写真.png", png)], doc.clone(), csrf.clone()).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(h.iter().any(|(k, v)| k == "location" && v.ends_with("?kind=attachment#timeline")));
    assert_eq!(attachments().await, before + 2);
    // The same bytes again change nothing.
    let (st, _, _) = send_files(vec![("主治医意見書(再).pdf", pdf)], doc.clone(), csrf.clone()).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert_eq!(attachments().await, before + 2);
    let docs = d.store.documents_of_person(cid, person).await.unwrap();
    let opinion = docs.iter().find(|m| m.content_type == "application/pdf").unwrap();
    assert_eq!((opinion.title.as_str(), opinion.document_date), ("主治医意見書", NaiveDate::from_ymd_opt(2026, 4, 15)));

    // Shown in a frame of the event page, and downloaded.
    let url = format!("{base}/documents/{}", opinion.id);
    let (_, ev) = get(&d.app, &doc, &format!("{base}/events/{}", opinion.event_id.unwrap())).await;
    assert!(ev.contains(&format!("<iframe src=\"{url}\"")), "{ev}");
    let req = Request::get(&url).header(header::COOKIE, format!("iphr_session={doc}")).body(Body::empty()).unwrap();
    let (st, h, body) = send(&d.app, req).await;
    assert_eq!(st, StatusCode::OK);
    let hv = |k: &str| h.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    assert_eq!(hv("content-type"), "application/pdf");
    assert!(hv("content-disposition").starts_with("inline; filename*=UTF-8''"));
    assert_eq!(
        (hv("content-security-policy").as_str(), hv("x-frame-options").as_str()),
        ("frame-ancestors 'self'", "SAMEORIGIN")
    );
    assert_eq!(hv("cache-control"), "no-store");
    assert!(body.starts_with("%PDF-1.4"));
    let req = Request::get(format!("{url}?download=1"))
        .header(header::COOKIE, format!("iphr_session={doc}"))
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = send(&d.app, req).await;
    assert!(h.iter().any(|(k, v)| k == "content-disposition" && v.starts_with("attachment;")));
    // Pages keep their own frame rules.
    let req = Request::get(&base).header(header::COOKIE, format!("iphr_session={doc}")).body(Body::empty()).unwrap();
    let (_, h, _) = send(&d.app, req).await;
    assert!(h.iter().any(|(k, v)| k == "x-frame-options" && v == "DENY"));

    // HR: neither the document nor the upload; both refusals audited.
    let (hr, hr_csrf) = login(&d.app, "jinji").await;
    let (st, _) = get(&d.app, &hr, &url).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _, _) = send_files(vec![("x.pdf", pdf)], hr.clone(), hr_csrf).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let denied = d
        .store
        .list_audit(&iphr_store::AuditFilter {
            company_id: Some(cid),
            person_id: Some(person),
            denied_only: true,
            limit: 100,
        })
        .await
        .unwrap();
    assert!(denied.iter().any(|a| a.action.contains("/documents/")), "the refused read is audited");
    assert!(denied.iter().any(|a| a.action == format!("POST {base}/documents")), "the refused upload is audited");
    // The physician's read of it is audited too.
    let reads = d
        .store
        .list_audit(&iphr_store::AuditFilter {
            company_id: Some(cid),
            person_id: Some(person),
            denied_only: false,
            limit: 200,
        })
        .await
        .unwrap();
    assert!(reads.iter().any(|a| a.allowed && a.action == format!("GET {url}") && a.login == "doctor"));
}

#[tokio::test]
async fn treatment_and_medication_entered_by_staff_feed_the_summary() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    // Worker 2: whoever it is, the entries below are what the summary must show.
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(2);
    let eid = d.store.employments_of_person(person).await.unwrap()[0].id;
    let base = format!("/companies/{cid}/workers/{eid}");
    let (nurse, csrf) = login(&d.app, "nurse").await;
    let record = |form: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let mut f = vec![
            ("csrf", csrf.clone()),
            ("form", form.to_string()),
            ("draft", String::new()),
            ("action", "finalise".into()),
        ];
        f.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        f
    };
    for fields in [
        record(
            "condition_status",
            vec![
                ("date", "2026-03-01"),
                ("f_condition", "2型糖尿病"),
                ("f_status", "untreated"),
                ("f_source", "checkup"),
            ],
        ),
        record(
            "condition_status",
            vec![
                ("date", "2026-04-10"),
                ("f_condition", "2型糖尿病"),
                ("f_status", "in_treatment"),
                ("f_source", "attending"),
            ],
        ),
        record(
            "medication",
            vec![("date", "2026-04-10"), ("f_drug", "メトホルミン錠250mg 1日2回"), ("f_condition", "2型糖尿病")],
        ),
        record(
            "medication",
            vec![("date", "2025-01-10"), ("f_drug", "ロキソプロフェン錠60mg 頓用"), ("f_until", "2025-02-01")],
        ),
        record(
            "attending_opinion",
            vec![("date", "2026-04-12"), ("f_disease", "2型糖尿病"), ("f_work", "2"), ("f_measures", "夜勤を避ける")],
        ),
    ] {
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (st, loc, body) = post_form(&d.app, &nurse, &format!("{base}/records"), &refs).await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{loc} {body}");
    }
    let (_, page) = get(&d.app, &nurse, &base).await;
    let treatment = &page[page.find("id=\"sum-treatment\"").unwrap()..];
    let treatment = &treatment[..treatment.find("</section>").unwrap()];
    assert!(treatment.contains("<b>2型糖尿病</b> <span class=\"chip current\">治療中</span>"), "{treatment}");
    assert!(treatment.contains("2026-03-01 未治療(健診結果) → 2026-04-10 治療中(主治医の情報)"), "{treatment}");
    assert!(treatment.contains("メトホルミン錠250mg 1日2回(2型糖尿病) 2026-04-10〜"));
    assert!(!treatment.contains("ロキソプロフェン"), "an ended prescription is not current");
    // The attending physician's opinion is a class-3 document record, in words.
    let ev = d
        .store
        .timeline(cid, person)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.subkind.as_deref() == Some("attending_opinion"))
        .unwrap();
    assert_eq!(ev.kind, EventKind::Attachment);
    let (_, page) = get(&d.app, &nurse, &format!("{base}/events/{}", ev.id)).await;
    assert!(page.contains("<dt>就業継続の可否</dt><dd>条件付きで可(就業上の措置があれば可能)</dd>"), "{page}");
    // HR sees none of it.
    let (hr, _) = login(&d.app, "jinji").await;
    let (_, page) = get(&d.app, &hr, &base).await;
    for hidden in ["2型糖尿病", "メトホルミン", "主治医意見書"] {
        assert!(!page.contains(hidden), "HR sees {hidden}");
    }
}

#[tokio::test]
async fn workplace_patrols_with_photos_and_due_dates() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let hr_state = d.store.hr_state(cid).await.unwrap();
    let dept = |name: &str| hr_state.departments.iter().find(|x| x.name == name).unwrap().id;
    let (paint, general) = (dept("塗装課"), dept("総務部"));
    let (doc, csrf) = login(&d.app, "doctor").await;
    let post = |fields: Vec<(&'static str, String)>, photos: Vec<(&'static str, &'static [u8])>, s: String| {
        let app = d.app.clone();
        async move {
            let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (ct, body) = multipart(&f, &[]);
            // Photos go under the name "photo".
            let mut body = body;
            let tail = "--XiphrBoundary42--\r\n".to_string();
            body.truncate(body.len() - tail.len());
            for (name, bytes) in photos {
                body.extend_from_slice(format!("--XiphrBoundary42\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
                body.extend_from_slice(bytes);
                body.extend_from_slice(b"\r\n");
            }
            body.extend_from_slice(tail.as_bytes());
            let req = Request::post(format!("/companies/{cid}/patrols"))
                .header(header::COOKIE, format!("iphr_session={s}"))
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap();
            send(&app, req).await
        }
    };
    let patrols = || async { d.store.events_of_kind(cid, EventKind::WorkplacePatrol, None).await.unwrap() };
    let before = patrols().await.len();
    // The demo's last patrol is months before today: overdue.
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/patrols")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("▲期限超過"), "{page}");
    // Wrong input: every problem named, nothing written.
    let gif: &'static [u8] = b"GIF89a....";
    let (st, _, body) = post(
        vec![
            ("csrf", csrf.clone()),
            ("date", "2026-12-01".into()),
            ("findings", String::new()),
            ("risk", "high".into()),
            ("status", "open".into()),
        ],
        vec![("a.gif", gif)],
        doc.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    for e in [
        "巡視した職場: 一つ以上選んでください",
        "指摘事項: 入力してください",
        "a.gif: 写真(JPEG・PNG・HEIC)ではありません",
    ] {
        assert!(body.contains(e), "{e}");
    }
    assert_eq!(patrols().await.len(), before);
    // Two departments in one patrol, with a photo.
    let png: &'static [u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3];
    let today = chrono::Utc::now().date_naive();
    let (st, _, _) = post(
        vec![
            ("csrf", csrf.clone()),
            ("date", today.to_string()),
            ("department", paint.to_string()),
            ("department", general.to_string()),
            ("places", "塗装ブース、事務室".into()),
            ("findings", "有機溶剤の容器のふたが開放されていた".into()),
            ("risk", "high".into()),
            ("recommendations", "使用後は密閉。作業主任者が確認".into()),
            ("assignee", "塗装課長".into()),
            ("act_by", today.to_string()),
            ("status", "open".into()),
        ],
        vec![("booth.png", png)],
        doc.clone(),
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let all = patrols().await;
    let new: Vec<_> = all.iter().filter(|e| e.detail.get("patrol_id").is_some()).collect();
    assert_eq!(new.len(), 2);
    assert_eq!(new[0].detail["patrol_id"], new[1].detail["patrol_id"]);
    let photo_id = new
        .iter()
        .find_map(|e| e.detail["photos"].as_array().and_then(|a| a.first()).and_then(|p| p.as_str()))
        .unwrap()
        .to_string();
    // The photo is not a document waiting for a worker.
    assert!(d.store.unassigned_documents(cid).await.unwrap().is_empty());
    let (_, page) = get(&d.app, &doc, &format!("/companies/{cid}/patrols")).await;
    assert!(
        page.contains("本社事業場: 製造部 塗装課、総務部") || page.contains("本社事業場: 総務部、製造部 塗装課"),
        "{page}"
    );
    assert!(page.contains(&format!("/companies/{cid}/patrols/photos/{photo_id}")));
    assert!(!page.contains("▲期限超過"), "just patrolled");
    // HR: the findings (class 1), never the photos.
    let (hr, _) = login(&d.app, "jinji").await;
    let (st, page) = get(&d.app, &hr, &format!("/companies/{cid}/patrols")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("有機溶剤の容器のふたが開放されていた") && !page.contains("<img"));
    let (st, _) = get(&d.app, &hr, &format!("/companies/{cid}/patrols/photos/{photo_id}")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get(&d.app, &hr, &format!("/companies/{cid}/patrols/new")).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = get(&d.app, &doc, &format!("/companies/{cid}/patrols/photos/{photo_id}")).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn the_visit_page_lists_what_is_due_and_records_the_visit() {
    use iphr_domain::ohcc::Producer;
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let g = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap();
    let (p2, p3) = (g.person_id(2), g.person_id(3));
    let emp = |p| {
        let store = d.store.clone();
        async move { store.employments_of_person(p).await.unwrap()[0].id }
    };
    let (e2, e3) = (emp(p2).await, emp(p3).await);
    let today = chrono::Utc::now().date_naive();
    let ev = |p, e, sub: &str, on: NaiveDate, detail: serde_json::Value| iphr_domain::event::Event {
        company_id: cid,
        id: iphr_domain::EventId::new(),
        person_id: Some(p),
        employment_id: Some(e),
        department_id: None,
        kind: EventKind::Interview,
        subkind: Some(sub.into()),
        event_date: on,
        title: "x".into(),
        content_class: InfoClass::Class1,
        producer: Producer::Worker,
        detail,
        source_doc: None,
    };
    // Worker 2 applied for the high-stress interview 40 days ago and has had none since; worker 3's
    // return-to-work interview set the next one for next week.
    let batch = iphr_store::Batch {
        events: vec![
            ev(p2, e2, "high_stress_application", today - chrono::Duration::days(40), serde_json::json!({})),
            ev(
                p3,
                e3,
                "return_to_work",
                today - chrono::Duration::days(20),
                serde_json::json!({ "form": "return_to_work", "fields": { "step": "5", "next": (today + chrono::Duration::days(7)).to_string() } }),
            ),
        ],
        ..iphr_store::Batch::default()
    };
    d.store.insert_batch(&batch).await.unwrap();
    let (doc, csrf) = login(&d.app, "doctor").await;
    let (st, page) = get(&d.app, &doc, &format!("/companies/{cid}/visit")).await;
    assert_eq!(st, StatusCode::OK);
    let queue = &page[page.find("id=\"queue\"").unwrap()..];
    assert!(
        queue.contains(&format!("/companies/{cid}/workers/{e2}\">")) && queue.contains("高ストレス者の面接指導(申出)")
    );
    assert!(queue.contains(&format!("/companies/{cid}/workers/{e3}\">")) && queue.contains("復職面談(次回予定)"));
    assert!(
        page.contains("<td><a href=\"#queue\">高ストレス者の面接指導(申出)</a></td><td>1</td><td>▲1</td>"),
        "over a month: overdue"
    );
    // The interview held: off the queue.
    let held = iphr_store::Batch {
        events: vec![ev(p2, e2, "high_stress", today, serde_json::json!({}))],
        ..iphr_store::Batch::default()
    };
    d.store.insert_batch(&held).await.unwrap();
    let (_, page) = get(&d.app, &doc, &format!("/companies/{cid}/visit")).await;
    assert!(!page[page.find("id=\"queue\"").unwrap()..].contains("高ストレス者の面接指導(申出)</td>"));

    // The visit record: errors named, then recorded with its hours.
    let url = format!("/companies/{cid}/visit");
    let (st, _, body) =
        post_form(&d.app, &doc, &url, &[("csrf", &csrf), ("date", "2026-12-01"), ("start", "15:00"), ("end", "14:00")])
            .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("終了時刻: 開始時刻より後にしてください") && body.contains("行ったこと: 一つ以上選んでください")
    );
    let (st, _, _) = post_form(
        &d.app,
        &doc,
        &url,
        &[
            ("csrf", &csrf),
            ("date", "2026-12-01"),
            ("start", "14:00"),
            ("end", "15:30"),
            ("activity", "patrol"),
            ("activity", "committee"),
            ("notes", "衛生委員会で長時間労働の状況を報告"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let (_, page) = get(&d.app, &doc, &url).await;
    assert!(
        page.contains("<td>2026-12-01</td><td>14:00〜15:30</td><td>1.50</td><td>職場巡視・衛生委員会</td>"),
        "{page}"
    );
    // A visit is the company's: on no worker's timeline.
    assert!(d.store.timeline(cid, p2).await.unwrap().iter().all(|e| e.kind != EventKind::Visit));
    // HR: not the page; a nurse reads it but does not record visits.
    let (hr, _) = login(&d.app, "jinji").await;
    assert_eq!(get(&d.app, &hr, &url).await.0, StatusCode::FORBIDDEN);
    let (nurse, ncsrf) = login(&d.app, "nurse").await;
    assert_eq!(get(&d.app, &nurse, &url).await.0, StatusCode::OK);
    let (st, _, _) = post_form(
        &d.app,
        &nurse,
        &url,
        &[("csrf", &ncsrf), ("date", "2026-12-01"), ("start", "14:00"), ("end", "15:00"), ("activity", "patrol")],
    )
    .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unassigned_documents_are_opened_and_given_to_a_worker() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let id = uuid::Uuid::now_v7();
    let now = chrono::Utc::now();
    let meta = iphr_store::DocumentMeta {
        company_id: cid,
        id,
        person_id: None,
        employment_id: None,
        event_id: None,
        sha256: "ab".repeat(32),
        original_path: "scans/診断書_9999.pdf".into(),
        content_type: "application/pdf".into(),
        size: 9,
        document_date: NaiveDate::from_ymd_opt(2026, 3, 1),
        title: "診断書".into(),
        employee_number: Some("9999".into()),
        unmatched_reason: Some("unknown employee number 9999".into()),
        imported_at: now,
        imported_by: "admin".into(),
        source_sha256: "cd".repeat(32),
        assigned_at: None,
        assigned_by: None,
    };
    let write = iphr_store::DocumentWrite {
        documents: vec![iphr_store::StoredDocument { meta, bytes: b"%PDF-1.4\n".to_vec() }],
        ..Default::default()
    };
    d.store.insert_documents(&write).await.unwrap();
    let (doc, csrf) = login(&d.app, "doctor").await;
    let url = format!("/companies/{cid}/documents/unassigned");
    let (st, page) = get(&d.app, &doc, &url).await;
    assert_eq!(st, StatusCode::OK);
    assert!(page.contains("scans/診断書_9999.pdf") && page.contains("社員番号に該当する労働者がいません"));
    let (st, body) = get(&d.app, &doc, &format!("{url}/{id}")).await;
    assert_eq!((st, body.as_str()), (StatusCode::OK, "%PDF-1.4\n"));
    // An unknown number: said, nothing assigned.
    let (st, _, body) =
        post_form(&d.app, &doc, &format!("{url}/{id}"), &[("csrf", &csrf), ("employee_number", "Z999")]).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("社員番号 Z999 の労働者を特定できません"));
    // The showcase's number: on the timeline, off the queue.
    let (st, _, _) =
        post_form(&d.app, &doc, &format!("{url}/{id}"), &[("csrf", &csrf), ("employee_number", "A000002")]).await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    assert!(
        d.store
            .timeline(cid, person)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == EventKind::Attachment && e.title == "診断書")
    );
    assert!(d.store.unassigned_documents(cid).await.unwrap().is_empty());
    // HR: refused.
    let (hr, _) = login(&d.app, "jinji").await;
    assert_eq!(get(&d.app, &hr, &url).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn an_opinion_letter_gives_hr_the_measure_and_its_period_never_the_reasons() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let person = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap().person_id(SHOWCASE_WORKER);
    let eid = d.store.employments_of_person(person).await.unwrap()[0].id;
    let base = format!("/companies/{cid}/workers/{eid}");
    let (doc, csrf) = login(&d.app, "doctor").await;
    let (_, form) = get(&d.app, &doc, &format!("{base}/records/new?form=opinion_letter")).await;
    assert!(form.contains("意見の理由(医学的な所見)</label> <span class=\"oh-only\">"));
    assert!(form.contains("措置の期間(まで)</label> <span class=\"to-hr\">人事に伝わる</span>"));
    let (st, _, _) = post_form(
        &d.app,
        &doc,
        &format!("{base}/records"),
        &[
            ("csrf", &csrf),
            ("form", "opinion_letter"),
            ("draft", ""),
            ("action", "finalise"),
            ("date", "2026-04-20"),
            ("f_basis", "checkup"),
            ("f_category", "restricted"),
            ("f_measures", "深夜業を月4回までとする"),
            ("f_valid_until", "2026-07-31"),
            ("f_reasons", "血圧 182/112、頭痛あり。降圧薬の調整中"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::SEE_OTHER);
    let timeline = d.store.timeline(cid, person).await.unwrap();
    let letter = timeline.iter().find(|e| e.subkind.as_deref() == Some("opinion_letter")).unwrap();
    assert_eq!((letter.kind, letter.content_class), (EventKind::Opinion, InfoClass::Class2));
    let hr_part = timeline.iter().find(|e| e.title == "意見書に基づく就業上の配慮").unwrap();
    let (hr, _) = login(&d.app, "jinji").await;
    let (st, page) = get(&d.app, &hr, &format!("{base}/events/{}", hr_part.id)).await;
    assert_eq!(st, StatusCode::OK);
    for shown in ["就業区分: 就業制限", "就業上の措置: 深夜業を月4回までとする", "措置の期間(まで): 2026-07-31"]
    {
        assert!(page.contains(shown), "HR reads {shown}: {page}");
    }
    assert!(!page.contains("血圧 182/112"));
    let (st, page) = get(&d.app, &hr, &format!("{base}/events/{}", letter.id)).await;
    assert!(st == StatusCode::FORBIDDEN || !page.contains("血圧 182/112"), "the reasons stay with OH staff");
}

#[tokio::test]
async fn the_demo_holds_every_kind_of_interview_record() {
    let d = demo(cfg(), vec![], false).await;
    let cid = d.companies[0].company.id;
    let g = WorkerGenerator::new(cfg(), &d.companies[0]).unwrap();
    let mut kinds: Vec<String> = Vec::new();
    for i in [SHOWCASE_WORKER, iphr_demo::RETURN_TO_WORK_WORKER] {
        let p = g.person_id(i);
        let e = &d.store.employments_of_person(p).await.unwrap()[0];
        assert!(e.leave_date.is_none(), "worker {i} is employed in this demo");
        for ev in d.store.timeline(cid, p).await.unwrap() {
            if let Some(f) = ev.detail.get("form").and_then(|f| f.as_str()) {
                kinds.push(f.to_string());
            }
        }
    }
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, vec!["consultation", "health_guidance", "pre_leave", "return_to_work", "ryoritsu"]);
}

#[tokio::test]
async fn a_patrol_naming_a_department_of_another_company_is_refused_with_a_word() {
    let d = demo(DemoConfig { companies: 2, ..cfg() }, vec![], false).await;
    let (c0, c1) = (d.companies[0].company.id, d.companies[1].company.id);
    let other = d.store.hr_state(c1).await.unwrap().departments[0].id;
    let mine = d.store.hr_state(c0).await.unwrap().departments[0].id;
    let (doc, csrf) = login(&d.app, "doctor").await;
    let fields: Vec<(&str, String)> = vec![
        ("csrf", csrf),
        ("date", "2026-12-01".into()),
        ("department", mine.to_string()),
        ("department", other.to_string()),
        ("findings", "通路に荷物".into()),
        ("risk", "low".into()),
        ("status", "open".into()),
    ];
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (ct, body) = multipart(&f, &[]);
    let req = Request::post(format!("/companies/{c0}/patrols"))
        .header(header::COOKIE, format!("iphr_session={doc}"))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let (st, _, page) = send(&d.app, req).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(page.contains("巡視した職場: この会社の職場でないものが含まれています"));
    assert!(
        d.store
            .events_of_kind(c0, EventKind::WorkplacePatrol, None)
            .await
            .unwrap()
            .iter()
            .all(|e| e.detail.get("patrol_id").is_none())
    );
}
