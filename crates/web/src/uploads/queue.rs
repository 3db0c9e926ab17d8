//! 未割当の文書 — documents of a bundle that named no worker (no pattern match, an unknown or
//! ambiguous 社員番号) wait here, as in `iphr queue documents`: each can be opened and given to a
//! worker by 社員番号, which puts it on that worker's timeline. Documents are class 3: the roles
//! allowed class 3 outright only; every view, download and assignment audited.

use crate::access::Guard;
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::{field, pairs};
use crate::page::{Frame, render};
use crate::render::{Disposition, document_response};
use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::CompanyId;
use iphr_domain::info_class::InfoClass;
use iphr_domain::tenant::Company;
use iphr_store::DocumentMeta;

/// The queue page.
#[derive(Template)]
#[template(path = "uploads/unassigned.html")]
pub struct QueuePage {
    f: Frame,
    company: Company,
    docs: Vec<DocumentMeta>,
    error: Option<String>,
}

impl QueuePage {
    /// Why a document waits, in words.
    pub fn reason(&self, d: &DocumentMeta) -> String {
        let r = d.unmatched_reason.as_deref().unwrap_or_default();
        if r.starts_with("unknown") || r.contains("unknown employee") {
            "社員番号に該当する労働者がいません".into()
        } else if r.contains("ambiguous") {
            "社員番号に該当する労働者が複数います".into()
        } else if r.contains("pattern") || r.contains("no employee number") {
            "ファイル名から社員番号を読めません".into()
        } else {
            "労働者を特定できません".into()
        }
    }
}

async fn show(guard: &Guard, cid: CompanyId, error: Option<String>) -> Result<QueuePage, AppError> {
    let company = guard.company_class(cid, InfoClass::Class3, "unassigned documents").await?;
    let docs = guard.store().unassigned_documents(cid).await?;
    Ok(QueuePage { f: Frame::of(guard), company, docs, error })
}

/// `GET /companies/{cid}/documents/unassigned`.
pub async fn page(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    Ok(render(&show(&guard, cid, None).await?))
}

/// `GET /companies/{cid}/documents/unassigned/{id}`: the document itself (inline where a browser
/// shows it).
pub async fn document(guard: Guard, Path((cid, id)): Path<(CompanyId, uuid::Uuid)>) -> Result<Response, AppError> {
    guard.company_class(cid, InfoClass::Class3, "unassigned document").await?;
    let doc = guard
        .store()
        .document(cid, id)
        .await?
        .filter(|d| d.meta.person_id.is_none() && d.meta.event_id.is_none())
        .ok_or_else(|| AppError::NotFound(format!("document {id}")))?;
    let how =
        if crate::render::browser_shows(&doc.meta.content_type) { Disposition::Inline } else { Disposition::Download };
    let file = doc.meta.original_path.rsplit('/').next().unwrap_or("document").to_string();
    let res = document_response(doc.bytes, &doc.meta.content_type, &file, how);
    Ok(res)
}

/// `POST /companies/{cid}/documents/unassigned/{id}` (csrf, employee_number): gives the document
/// to the worker of that 社員番号; an unknown or ambiguous number is said on the page (400).
pub async fn assign(
    guard: Guard,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    guard.company_class(cid, InfoClass::Class3, "assign a document").await?;
    let no = field(&pairs, "employee_number").to_string();
    if no.is_empty() {
        let pg = show(&guard, cid, Some("社員番号を入力してください".into())).await?;
        return Ok((StatusCode::BAD_REQUEST, render(&pg)).into_response());
    }
    let by = guard.user().actor.login.clone();
    match iphr_import::assign_document(guard.store(), cid, id, &iphr_import::PersonRef::EmployeeNumber(no.clone()), &by)
        .await
    {
        Ok(meta) => {
            guard
                .audit(
                    Some(cid),
                    meta.person_id,
                    Some(InfoClass::Class3),
                    true,
                    format!("write document assignment {id}"),
                )
                .await?;
            Ok(Redirect::to(&format!("/companies/{cid}/documents/unassigned")).into_response())
        }
        Err(e) => {
            let msg = match e.to_string() {
                m if m.contains("unassigned document") => "この文書はもう割り当てられています".to_string(),
                _ => format!("社員番号 {no} の労働者を特定できません"),
            };
            let pg = show(&guard, cid, Some(msg)).await?;
            Ok((StatusCode::BAD_REQUEST, render(&pg)).into_response())
        }
    }
}
