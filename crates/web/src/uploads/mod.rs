//! The upload page: the same import engine as `iphr import`, on the web. A file is received,
//! staged in the database (several stateless servers share it), read in a dry run and shown — the
//! parsed rows, the counts, every error with its row and field — and imported on the user's
//! commit, in the background with its progress shown until the receipt.
//!
//! Who uploads what ([`may_upload`]): physicians and OH nurses any kind for the companies they
//! serve, HR and the health manager the HR master and attendance, a checkup institution
//! (健診機関) checkup results for the companies that contract it. An institution sees its own
//! file's rows and errors while it uploads, never what the store holds (no matched, unchanged or
//! corrected counts), and afterwards only the receipt.

mod pages;
pub mod queue;

use crate::progress::Run;

use crate::access::Guard;
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::field;
use crate::page::{Frame, render};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Multipart, Path};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use iphr_domain::CompanyId;
use iphr_domain::info_class::InfoClass;
use iphr_domain::policy::{UploadKind, may_upload};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_import::Options;
use iphr_store::{Upload, UploadStatus};
use sha2::{Digest, Sha256};

/// The routes of the uploads.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/companies/{cid}/uploads",
            get(pages::page).post(pages::upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD + (1 << 20))),
        )
        .route("/companies/{cid}/uploads/{id}", get(pages::show))
        .route("/companies/{cid}/documents/unassigned", get(queue::page))
        .route("/companies/{cid}/documents/unassigned/{id}", get(queue::document).post(queue::assign))
        .route("/companies/{cid}/uploads/{id}/status", get(pages::status))
        .route("/companies/{cid}/uploads/{id}/commit", post(pages::commit))
        .route("/companies/{cid}/uploads/{id}/discard", post(pages::discard))
}

/// The largest file the web takes (bigger files go through `iphr import`, which streams).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

/// Rows shown in the preview.
const PREVIEW_ROWS: usize = 20;

/// The class of what a kind of file holds (for the audit entry of the upload).
fn class_of(kind: UploadKind) -> InfoClass {
    match kind {
        UploadKind::CheckupCsv | UploadKind::Cda | UploadKind::Fhir => InfoClass::Class2,
        UploadKind::Hr | UploadKind::Attendance => InfoClass::Work,
        UploadKind::Stress => InfoClass::Stress,
    }
}

async fn company_for_upload(guard: &Guard, cid: CompanyId) -> Result<Company, AppError> {
    let company = guard.company(cid).await?;
    if !UploadKind::ALL.iter().any(|k| may_upload(&guard.user().actor, cid, *k)) {
        guard.audit(Some(cid), None, None, false, "upload: role may not upload").await?;
        return Err(AppError::Forbidden("this role uploads no files".into()));
    }
    Ok(company)
}

/// The upload if it is this user's (anyone else: not found, audited).
async fn own_upload(guard: &Guard, cid: CompanyId, id: uuid::Uuid) -> Result<Upload, AppError> {
    match guard.store().upload(cid, id).await? {
        Some(u) if u.user_id == guard.user().actor.user_id => Ok(u),
        _ => {
            guard.audit(Some(cid), None, None, false, format!("upload {id}: not this user's")).await?;
            Err(AppError::NotFound(format!("upload {id}")))
        }
    }
}

/// Runs the import of an upload: a dry run for the preview, or the real one.
async fn run(
    state: &AppState,
    u: &Upload,
    bytes: &[u8],
    options: Options,
    progress: Option<&Run>,
) -> Result<serde_json::Value, String> {
    let kind = UploadKind::parse(&u.kind).ok_or_else(|| format!("kind {:?}", u.kind))?;
    let store = state.store.as_ref();
    let by = u.login.as_str();
    let name = u.file_name.as_str();
    let e = |x: iphr_import::ImportError| x.to_string();
    let out = match kind {
        UploadKind::CheckupCsv => {
            let stem = u.profile.as_deref().unwrap_or("");
            let profile = iphr_convert::profile::shipped(stem)
                .ok_or_else(|| format!("profile {stem:?}: not a shipped profile"))?
                .map_err(|x| x.to_string())?;
            let tell = |pass, read, total| {
                if let Some(run) = progress {
                    run.update(pass, read, total);
                }
            };
            serde_json::to_value(
                iphr_import::import_checkup_csv_chunked(
                    store,
                    u.company_id,
                    &profile,
                    name,
                    iphr_import::CsvInput::Bytes(bytes),
                    by,
                    options,
                    iphr_import::checkup::CHUNK_ROWS,
                    &tell,
                )
                .await
                .map_err(e)?,
            )
        }
        UploadKind::Cda => serde_json::to_value(
            iphr_import::import_cda(store, u.company_id, name, bytes, None, by, options).await.map_err(e)?,
        ),
        UploadKind::Fhir => serde_json::to_value(
            iphr_import::import_fhir(store, u.company_id, name, bytes, None, by, options).await.map_err(e)?,
        ),
        UploadKind::Attendance => serde_json::to_value(
            iphr_import::import_attendance(store, u.company_id, name, bytes, by, options).await.map_err(e)?,
        ),
        UploadKind::Stress => serde_json::to_value(
            iphr_import::import_stress(store, u.company_id, name, bytes, by, options).await.map_err(e)?,
        ),
        UploadKind::Hr => serde_json::to_value(
            iphr_import::import_hr(store, u.company_id, name, bytes, state.today(), by, options).await.map_err(e)?,
        ),
    };
    out.map_err(|x| x.to_string())
}
