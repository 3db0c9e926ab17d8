//! A worker's documents in the web: several PDFs or images uploaded at once to the worker's
//! timeline (the type from the bytes, never the name; a size cap; anything else refused and named,
//! nothing half-written; the same bytes twice stored once), shown in the page (PDF in a frame,
//! images inline) and downloaded — every view and download audited as a read of class 3 (文書 such
//! as 主治医意見書 are 指針 class 3).

use crate::access::{Guard, PersonAccess};
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::page::{Frame, render};
use crate::render::{Disposition, document_response};
use askama::Template;
use axum::extract::{Multipart, Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use iphr_convert::documents::{ContentType, Limits};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::role::Role;
use iphr_domain::{CompanyId, EmploymentId, EventId};
use iphr_store::{DocumentMeta, DocumentWrite, StoredDocument};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Most bytes of one request of files (several documents of at most 50 MiB each).
pub const MAX_REQUEST: usize = 200 * 1024 * 1024;

/// The upload page.
#[derive(Template)]
#[template(path = "records/documents_new.html")]
pub struct UploadPage {
    f: Frame,
    name: String,
    base: String,
    errors: Vec<String>,
    max_mib: u64,
}

async fn uploader<'g>(guard: &'g Guard, cid: CompanyId, eid: EmploymentId) -> Result<PersonAccess<'g>, AppError> {
    let p = guard.person(cid, eid).await?;
    let role = guard.user().actor.role;
    p.require_role(matches!(role, Role::Physician | Role::Nurse), "attach documents").await?;
    p.require(InfoClass::Class3).await?;
    Ok(p)
}

fn upload_page(guard: &Guard, p: &PersonAccess<'_>, errors: Vec<String>) -> UploadPage {
    UploadPage {
        f: Frame::of(guard),
        name: p.header.person.full_name(),
        base: format!("/companies/{}/workers/{}", p.company(), p.employment()),
        errors,
        max_mib: Limits::default().max_document / (1024 * 1024),
    }
}

/// `GET /companies/{cid}/workers/{eid}/documents/new`.
pub async fn new(guard: Guard, Path((cid, eid)): Path<(CompanyId, EmploymentId)>) -> Result<Response, AppError> {
    let p = uploader(&guard, cid, eid).await?;
    Ok(render(&upload_page(&guard, &p, vec![])))
}

/// `POST /companies/{cid}/workers/{eid}/documents` (multipart: csrf, title, date, file …): every
/// file is checked first; one bad file refuses them all (400, each named); the rest go to the
/// timeline in one transaction.
pub async fn upload(
    guard: Guard,
    Path((cid, eid)): Path<(CompanyId, EmploymentId)>,
    mut m: Multipart,
) -> Result<Response, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("文書の受け取りに失敗しました: {e}"))
    };
    let (mut csrf, mut title, mut date) = (String::new(), String::new(), String::new());
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) = m.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("文書").to_string();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                if !(name.is_empty() && bytes.is_empty()) {
                    files.push((name, bytes));
                }
            }
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "title" => title = field.text().await.map_err(bad)?.trim().to_string(),
            "date" => date = field.text().await.map_err(bad)?.trim().to_string(),
            _ => {}
        }
    }
    check_csrf(guard.user(), &csrf)?;
    let p = uploader(&guard, cid, eid).await?;
    let limits = Limits::default();
    let mut errors = Vec::new();
    if files.is_empty() {
        errors.push("ファイルを選んでください".to_string());
    }
    let on = if date.is_empty() {
        Ok(guard.today())
    } else {
        chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|_| format!("文書の日付 {date} を読めません(例: 2026-04-01)"))
    };
    if let Err(e) = &on {
        errors.push(e.clone());
    }
    let mut accepted: Vec<(String, Vec<u8>, ContentType, String)> = Vec::new();
    for (name, bytes) in files {
        if bytes.len() as u64 > limits.max_document {
            errors.push(format!("{name}: {} MiB を超えています", limits.max_document / (1024 * 1024)));
            continue;
        }
        let Some(ty) = ContentType::sniff(&bytes) else {
            let what = match ContentType::describe_other(&bytes) {
                "an empty file" => "空のファイル",
                "a zip archive (or an Office document)" => "zip 形式(または Office 文書)",
                "an old Office document" => "古い Office 文書",
                "a GIF image" => "GIF 画像",
                "a program" => "プログラム",
                "text" => "テキスト",
                _ => "形式の分からないファイル",
            };
            errors.push(format!("{name}: {what}です。PDF・JPEG・PNG・TIFF・HEIC の文書だけを添付できます"));
            continue;
        };
        let sha = hex::encode(Sha256::digest(&bytes));
        if accepted.iter().any(|a| a.3 == sha) {
            continue;
        }
        accepted.push((name, bytes, ty, sha));
    }
    if !errors.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, render(&upload_page(&guard, &p, errors))).into_response());
    }
    let on = on.unwrap_or_else(|_| guard.today());
    // The same bytes again: stored once per company (importing twice changes nothing).
    let hashes: Vec<String> = accepted.iter().map(|a| a.3.clone()).collect();
    let known: Vec<String> =
        guard.store().documents_by_sha256(cid, &hashes).await?.into_iter().map(|d| d.sha256).collect();
    let now = guard.state().now();
    let by = guard.user().actor.login.clone();
    let mut write = DocumentWrite::default();
    let mut first = None;
    for (name, bytes, ty, sha) in accepted.into_iter().filter(|a| !known.contains(&a.3)) {
        let id = uuid::Uuid::now_v7();
        // The title: as given, else the file name without its extension.
        let doc_title = if title.is_empty() {
            name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem).to_string()
        } else {
            title.clone()
        };
        let meta = DocumentMeta {
            company_id: cid,
            id,
            person_id: Some(p.person()),
            employment_id: Some(eid),
            event_id: None,
            sha256: sha.clone(),
            original_path: name.clone(),
            content_type: ty.mime().to_string(),
            size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            document_date: Some(on),
            title: doc_title.clone(),
            employee_number: None,
            unmatched_reason: None,
            imported_at: now,
            imported_by: by.clone(),
            source_sha256: sha.clone(),
            assigned_at: None,
            assigned_by: None,
        };
        let event = Event {
            company_id: cid,
            id: EventId::new(),
            person_id: Some(p.person()),
            employment_id: Some(eid),
            department_id: None,
            kind: EventKind::Attachment,
            subkind: Some("document".into()),
            event_date: on,
            title: doc_title,
            content_class: InfoClass::Class3,
            producer: Producer::OhStaff,
            detail: serde_json::json!({
                "document_id": id, "original_path": name, "content_type": ty.mime(), "size": bytes.len(),
                "sha256": sha, "uploaded_by": guard.user().display_name,
            }),
            source_doc: Some(id.to_string()),
        };
        first.get_or_insert(event.id);
        write.documents.push(StoredDocument { meta: DocumentMeta { event_id: Some(event.id), ..meta }, bytes });
        write.events.push(event);
    }
    let n = write.documents.len();
    if n > 0 {
        p.write(InfoClass::Class3, &format!("{n} documents"), |s| async move { s.insert_documents(&write).await })
            .await?;
    }
    let base = format!("/companies/{cid}/workers/{eid}");
    Ok(Redirect::to(&match first {
        Some(e) if n == 1 => format!("{base}/events/{e}"),
        _ => format!("{base}?kind=attachment#timeline"),
    })
    .into_response())
}

/// Query of a document.
#[derive(Deserialize, Default)]
pub struct DocParams {
    /// Download instead of showing.
    #[serde(default)]
    download: Option<String>,
}

/// `GET /companies/{cid}/workers/{eid}/documents/{id}[?download=1]`: the bytes as stored, shown
/// in the page where a browser can (PDF, JPEG, PNG) or downloaded; the read audited.
pub async fn document(
    guard: Guard,
    Path((cid, eid, id)): Path<(CompanyId, EmploymentId, uuid::Uuid)>,
    Query(q): Query<DocParams>,
) -> Result<Response, AppError> {
    let p = guard.person(cid, eid).await?;
    let person = p.person();
    let doc = p
        .read(&[InfoClass::Class3], |s| async move { s.document(cid, id).await })
        .await?
        .filter(|d| d.meta.person_id == Some(person))
        .ok_or_else(|| AppError::NotFound(format!("document {id}")))?;
    let inline = q.download.is_none() && crate::render::browser_shows(&doc.meta.content_type);
    let ext = match doc.meta.content_type.as_str() {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/tiff" => "tif",
        _ => "heic",
    };
    let stem = doc.meta.title.trim_end_matches(&format!(".{ext}")).to_string();
    let how = if inline { Disposition::Inline } else { Disposition::Download };
    let mut res = document_response(doc.bytes, &doc.meta.content_type, &format!("{stem}.{ext}"), how);
    let h = res.headers_mut();
    // Shown in a frame of this site's event page, nowhere else.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'self'"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    Ok(res)
}
