//! The upload pages: the form with the user's receipts, the preview, the progress and the
//! receipt, and the commit and discard actions.

use super::*;

/// `GET /companies/{cid}/uploads` page.
#[derive(Template)]
#[template(path = "uploads/uploads.html")]
pub struct UploadsPage {
    f: Frame,
    company: Company,
    /// Kinds this user may upload: (value, label).
    kinds: Vec<(String, String)>,
    /// Shipped profiles: (stem, name).
    profiles: Vec<(String, String)>,
    /// This user's uploads to the company (receipts).
    mine: Vec<Upload>,
    max_mib: usize,
}

/// `GET /companies/{cid}/uploads`: the form and the user's receipts.
pub async fn page(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    let company = company_for_upload(&guard, cid).await?;
    let kinds = UploadKind::ALL
        .iter()
        .filter(|k| may_upload(&guard.user().actor, cid, **k))
        .map(|k| (k.as_str().to_string(), k.label_ja().to_string()))
        .collect();
    let profiles = iphr_convert::profile::SHIPPED
        .iter()
        .filter_map(|(stem, _)| {
            let p = iphr_convert::profile::shipped(stem)?.ok()?;
            Some((stem.to_string(), p.name))
        })
        .collect();
    let mine = guard.store().uploads_of_user(cid, guard.user().actor.user_id, 50).await?;
    Ok(render(&UploadsPage { f: Frame::of(&guard), company, kinds, profiles, mine, max_mib: MAX_UPLOAD >> 20 }))
}

/// The parts of the upload form.
#[derive(Default)]
struct Form {
    csrf: String,
    kind: String,
    profile: String,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_form(mut m: Multipart) -> Result<Form, AppError> {
    let mut f = Form::default();
    let bad = |e: axum::extract::multipart::MultipartError| AppError::BadRequest(format!("upload: {e}"));
    while let Some(field) = m.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                f.file_name = field.file_name().unwrap_or("upload").to_string();
                f.bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            "csrf" => f.csrf = field.text().await.map_err(bad)?,
            "kind" => f.kind = field.text().await.map_err(bad)?,
            "profile" => f.profile = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    Ok(f)
}

/// `POST /companies/{cid}/uploads` (multipart: csrf, kind, profile, file): stages the file, reads
/// it in a dry run and shows the preview.
pub async fn upload(guard: Guard, Path(cid): Path<CompanyId>, multipart: Multipart) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    check_csrf(guard.user(), &form.csrf)?;
    guard.company(cid).await?;
    let kind = UploadKind::parse(&form.kind).ok_or_else(|| AppError::BadRequest(format!("kind: {:?}", form.kind)))?;
    if !may_upload(&guard.user().actor, cid, kind) {
        guard
            .audit(Some(cid), None, Some(class_of(kind)), false, format!("upload {}: role may not", kind.as_str()))
            .await?;
        return Err(AppError::Forbidden(format!("this role may not upload {}", kind.label_ja())));
    }
    if form.bytes.is_empty() {
        return Err(AppError::BadRequest("file: choose a file (it was empty)".into()));
    }
    let profile = (kind == UploadKind::CheckupCsv).then(|| form.profile.clone());
    if let Some(p) = &profile
        && iphr_convert::profile::shipped(p).is_none()
    {
        return Err(AppError::BadRequest(format!("profile: {p:?} is not a shipped profile")));
    }
    let now = guard.state().now();
    let mut u = Upload {
        company_id: cid,
        id: uuid::Uuid::now_v7(),
        user_id: guard.user().actor.user_id,
        login: guard.user().actor.login.clone(),
        role: guard.user().actor.role.as_str().to_string(),
        kind: kind.as_str().to_string(),
        profile,
        file_name: form.file_name.chars().filter(|c| !c.is_control()).take(200).collect(),
        sha256: hex::encode(Sha256::digest(&form.bytes)),
        size: i64::try_from(form.bytes.len()).unwrap_or(i64::MAX),
        status: UploadStatus::Previewed,
        phase: "preview".into(),
        report: None,
        created_at: now,
        updated_at: now,
    };
    // The dry run: what the import would do; a file that cannot be read at all is a receipt too.
    match run(
        guard.state(),
        &u,
        &form.bytes,
        Options { dry_run: true, allow_partial: false, now: Some(guard.state().now()), ..Options::default() },
        None,
    )
    .await
    {
        Ok(report) => u.report = Some(report.to_string()),
        Err(reason) => {
            u.status = UploadStatus::Failed;
            u.phase = "unreadable".into();
            u.report = Some(serde_json::json!({ "outcome": "failed", "reason": reason }).to_string());
        }
    }
    let bytes: &[u8] = if u.status == UploadStatus::Failed { &[] } else { &form.bytes };
    guard.store().create_upload(&u, bytes).await?;
    guard
        .audit(
            Some(cid),
            None,
            Some(class_of(kind)),
            true,
            format!("upload {} {} ({} bytes, sha256 {})", u.kind, u.file_name, u.size, u.sha256),
        )
        .await?;
    Ok(Redirect::to(&format!("/companies/{cid}/uploads/{}", u.id)).into_response())
}

/// A parsed row of the preview.
pub struct PreviewRow {
    line: u64,
    who: String,
    date: String,
    items: usize,
    sample: String,
}

/// `GET /companies/{cid}/uploads/{id}`: the preview, the progress or the receipt.
#[derive(Template)]
#[template(path = "uploads/upload.html")]
pub struct UploadPage {
    f: Frame,
    company: Company,
    u: Upload,
    /// Counts shown: (label, number).
    counts: Vec<(String, u64)>,
    /// Errors: (line, field, reason).
    errors: Vec<(u64, String, String)>,
    /// The outcome word of the report (would import, refused …) or the failure.
    outcome: String,
    rows: Vec<PreviewRow>,
    is_institution: bool,
}

/// Labels of a report's counts; an institution sees only what its own file says.
fn counts_of(report: &serde_json::Value, institution: bool) -> Vec<(String, u64)> {
    let r = report.get("report").unwrap_or(report);
    let labels: &[(&str, &str)] = &[
        ("read", "読込行数"),
        ("imported", "取込"),
        ("created", "新規"),
        ("updated", "更新"),
        ("unchanged", "変更なし"),
        ("corrected", "訂正 (履歴に保存)"),
        ("rejected", "除外 (エラー)"),
        ("unmapped", "未対応項目"),
        ("queued", "本人確認待ち"),
        ("new_visits", "新規受診"),
    ];
    labels
        .iter()
        .filter(|(k, _)| !institution || matches!(*k, "read" | "rejected"))
        .filter_map(|(k, l)| r.get(*k).and_then(|v| v.as_u64()).map(|n| (l.to_string(), n)))
        .collect()
}

fn errors_of(report: &serde_json::Value) -> Vec<(u64, String, String)> {
    let r = report.get("report").unwrap_or(report);
    r.get("errors")
        .and_then(|e| e.as_array())
        .map(|a| {
            a.iter()
                .map(|e| {
                    let s = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    (e.get("line").and_then(|v| v.as_u64()).unwrap_or(0), s("field"), s("reason"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The first parsed rows of a checkup file (its own content: the uploader sees their file).
fn preview_rows(u: &Upload, bytes: &[u8]) -> Vec<PreviewRow> {
    let (Ok(table), Ok(units)) = (iphr_domain::ohcc::ItemTable::embedded(), iphr_convert::units::UnitTable::embedded())
    else {
        return vec![];
    };
    let records = match UploadKind::parse(&u.kind) {
        Some(UploadKind::CheckupCsv) => {
            let Some(Ok(profile)) = u.profile.as_deref().and_then(iphr_convert::profile::shipped) else {
                return vec![];
            };
            match iphr_convert::checkup_csv::parse(bytes, &profile, &u.file_name, table, units) {
                Ok(p) => iphr_convert::records::checkup_records(&p, &profile, &u.file_name),
                Err(_) => return vec![],
            }
        }
        Some(UploadKind::Cda) => {
            let parsed = if iphr_convert::cda::is_zip(bytes) {
                iphr_convert::cda::parse_archive(bytes, table, units)
            } else {
                iphr_convert::cda::parse(bytes, table, units)
            };
            match parsed {
                Ok(p) => p,
                Err(_) => return vec![],
            }
        }
        Some(UploadKind::Fhir) => match iphr_convert::fhir::parse(bytes, table, units) {
            Ok(p) => p,
            Err(_) => return vec![],
        },
        _ => return vec![],
    };
    records
        .records
        .iter()
        .take(PREVIEW_ROWS)
        .map(|r| {
            let i = &r.identity;
            let who = [
                i.employee_number.clone().unwrap_or_default(),
                format!("{} {}", i.family_name.as_deref().unwrap_or(""), i.given_name.as_deref().unwrap_or(""))
                    .trim()
                    .to_string(),
                i.kana.clone().unwrap_or_default(),
                i.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            ]
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
            let sample = r
                .results
                .iter()
                .take(6)
                .map(|x| format!("{} {}", x.source_text, x.raw))
                .collect::<Vec<_>>()
                .join(" / ");
            PreviewRow { line: r.line, who, date: r.date.to_string(), items: r.results.len(), sample }
        })
        .collect()
}

async fn upload_page(guard: &Guard, cid: CompanyId, id: uuid::Uuid) -> Result<UploadPage, AppError> {
    let company = guard.company(cid).await?;
    let u = own_upload(guard, cid, id).await?;
    let institution = guard.user().actor.role == Role::Institution;
    let report: serde_json::Value =
        u.report.as_deref().and_then(|r| serde_json::from_str(r).ok()).unwrap_or(serde_json::Value::Null);
    let outcome = match (u.status, report.get("outcome").and_then(|o| o.as_str())) {
        (UploadStatus::Failed, _) => {
            format!("読み込めません: {}", report.get("reason").and_then(|r| r.as_str()).unwrap_or(""))
        }
        (UploadStatus::Previewed, Some("dry_run")) => "取り込めます (プレビュー)".into(),
        (UploadStatus::Previewed, Some("refused")) => "エラーがあります: このままでは取り込めません".into(),
        (_, Some("imported")) => "取り込みました".into(),
        (_, Some("refused")) => "エラーのため取り込みませんでした (何も書き込んでいません)".into(),
        (s, _) => s.as_str().into(),
    };
    // The parsed rows while the file is still here; after the commit only the receipt.
    let rows = if u.status == UploadStatus::Previewed {
        let bytes = guard.store().upload_bytes(cid, id).await?.unwrap_or_default();
        preview_rows(&u, &bytes)
    } else {
        vec![]
    };
    guard.audit(Some(cid), None, None, true, format!("read upload {id} ({})", u.status.as_str())).await?;
    Ok(UploadPage {
        f: Frame::of(guard),
        company,
        counts: counts_of(&report, institution),
        errors: if institution && u.status.is_final() { vec![] } else { errors_of(&report) },
        outcome,
        rows,
        is_institution: institution,
        u,
    })
}

/// `GET /companies/{cid}/uploads/{id}`.
pub async fn show(guard: Guard, Path((cid, id)): Path<(CompanyId, uuid::Uuid)>) -> Result<Response, AppError> {
    Ok(render(&upload_page(&guard, cid, id).await?))
}

/// `GET /companies/{cid}/uploads/{id}/status`: the progress fragment htmx polls while the import
/// runs (the whole page once it is over).
#[derive(Template)]
#[template(path = "uploads/upload_status.html")]
pub struct StatusFragment {
    /// The step as shown.
    phase: String,
    /// Share of the import done, when known (percent).
    percent: Option<u8>,
}

/// `GET /companies/{cid}/uploads/{id}/status`.
pub async fn status(guard: Guard, Path((cid, id)): Path<(CompanyId, uuid::Uuid)>) -> Result<Response, AppError> {
    let u = own_upload(&guard, cid, id).await?;
    if u.status.is_final() {
        // Over: the browser reloads the page to show the receipt.
        return Ok(([("HX-Refresh", "true")], "").into_response());
    }
    // This server runs the import: its live progress; else the step the running server wrote.
    let (phase, percent) = match guard.state().progress.get(id) {
        Some(run) => run.shown(),
        None => (u.phase, None),
    };
    Ok(render(&StatusFragment { phase, percent }))
}

/// `POST /companies/{cid}/uploads/{id}/commit` (csrf, allow_partial): imports the staged file in
/// the background; the page shows the progress, then the receipt. Only one commit of an upload
/// runs, whichever server receives it.
pub async fn commit(
    guard: Guard,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let u = own_upload(&guard, cid, id).await?;
    let kind = UploadKind::parse(&u.kind).ok_or_else(|| AppError::Internal(format!("kind {:?}", u.kind)))?;
    if !may_upload(&guard.user().actor, cid, kind) {
        guard.audit(Some(cid), None, Some(class_of(kind)), false, "commit: role may not upload").await?;
        return Err(AppError::Forbidden("this role may not upload this kind".into()));
    }
    let bytes =
        guard.store().upload_bytes(cid, id).await?.ok_or_else(|| AppError::BadRequest("the upload is over".into()))?;
    guard
        .store()
        .set_upload_status(
            cid,
            id,
            &iphr_store::UploadMove {
                from: UploadStatus::Previewed,
                to: UploadStatus::Importing,
                phase: "importing",
                report: None,
                at: guard.state().now(),
            },
        )
        .await
        .map_err(|_| AppError::BadRequest("this upload is already being imported or is over".into()))?;
    guard.audit(Some(cid), None, Some(class_of(kind)), true, format!("commit upload {id} {}", u.file_name)).await?;
    let options = Options {
        dry_run: false,
        allow_partial: field(&pairs, "allow_partial") == "1",
        now: Some(guard.state().now()),
        ..Options::default()
    };
    let bg = guard.state().clone();
    let live = bg.progress.start(id);
    // Every few seconds the step goes to the upload's row, for the other servers (best effort:
    // SQLite, a single server, may be busy with the import's own transaction).
    let ticker = {
        let (state, live) = (bg.clone(), live.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                let (phase, _) = live.shown();
                let change = iphr_store::UploadMove {
                    from: UploadStatus::Importing,
                    to: UploadStatus::Importing,
                    phase: &phase,
                    report: None,
                    at: state.now(),
                };
                let write = state.store.set_upload_status(cid, id, &change);
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), write).await;
            }
        })
    };
    tokio::spawn(async move {
        let outcome = run(&bg, &u, &bytes, options, Some(&live)).await;
        ticker.abort();
        let (to, phase, report) = match outcome {
            Ok(r) => {
                let to = if r.get("outcome").and_then(|o| o.as_str()) == Some("refused") {
                    UploadStatus::Refused
                } else {
                    UploadStatus::Imported
                };
                (to, "done", r)
            }
            Err(reason) => {
                (UploadStatus::Failed, "failed", serde_json::json!({ "outcome": "failed", "reason": reason }))
            }
        };
        let report = report.to_string();
        if let Err(e) = bg
            .store
            .set_upload_status(
                cid,
                id,
                &iphr_store::UploadMove {
                    from: UploadStatus::Importing,
                    to,
                    phase,
                    report: Some(&report),
                    at: bg.now(),
                },
            )
            .await
        {
            tracing::error!(upload = %id, error = %e, "could not record the end of an upload");
        }
        bg.progress.end(id);
    });
    Ok(Redirect::to(&format!("/companies/{cid}/uploads/{id}")).into_response())
}

/// `POST /companies/{cid}/uploads/{id}/discard`: drops a previewed upload (its bytes go).
pub async fn discard(
    guard: Guard,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    own_upload(&guard, cid, id).await?;
    guard
        .store()
        .set_upload_status(
            cid,
            id,
            &iphr_store::UploadMove {
                from: UploadStatus::Previewed,
                to: UploadStatus::Discarded,
                phase: "discarded",
                report: None,
                at: guard.state().now(),
            },
        )
        .await
        .map_err(|_| AppError::BadRequest("only a previewed upload can be discarded".into()))?;
    guard.audit(Some(cid), None, None, true, format!("discard upload {id}")).await?;
    Ok(Redirect::to(&format!("/companies/{cid}/uploads")).into_response())
}
