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

use crate::AppState;
use crate::access::Guard;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::forms::field;
use crate::views::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use iphr_domain::CompanyId;
use iphr_domain::info_class::InfoClass;
use iphr_domain::policy::{UploadKind, may_upload};
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_import::Options;
use iphr_store::{Upload, UploadStatus};
use sha2::{Digest, Sha256};

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

/// `GET /companies/{cid}/uploads` page.
#[derive(Template)]
#[template(path = "uploads.html")]
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

async fn company_for_upload(guard: &Guard<'_>, user: &CurrentUser, cid: CompanyId) -> Result<Company, AppError> {
    let company = guard.company(cid).await?;
    if !UploadKind::ALL.iter().any(|k| may_upload(&user.actor, cid, *k)) {
        guard.audit(Some(cid), None, None, false, "upload: role may not upload").await?;
        return Err(AppError::Forbidden("this role uploads no files".into()));
    }
    Ok(company)
}

/// `GET /companies/{cid}/uploads`: the form and the user's receipts.
pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/uploads");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let company = company_for_upload(&guard, &user, cid).await?;
    let kinds = UploadKind::ALL
        .iter()
        .filter(|k| may_upload(&user.actor, cid, **k))
        .map(|k| (k.as_str().to_string(), k.label_ja().to_string()))
        .collect();
    let profiles = iphr_convert::profile::SHIPPED
        .iter()
        .filter_map(|(stem, _)| {
            let p = iphr_convert::profile::shipped(stem)?.ok()?;
            Some((stem.to_string(), p.name))
        })
        .collect();
    let mine = state.store.uploads_of_user(cid, user.actor.user_id, 50).await?;
    Ok(render(&UploadsPage { f: Frame::new(&user, path), company, kinds, profiles, mine, max_mib: MAX_UPLOAD >> 20 }))
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

/// The imports this server is running, by upload: what the status fragment shows while one runs
/// (the step and how far into the file it is). Other servers behind the same load balancer read
/// the step this server writes to the upload's row every few seconds.
#[derive(Default)]
pub struct ImportProgress {
    runs: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::sync::Arc<Run>>>,
}

/// One import running: its step and the bytes of the file read in it.
pub struct Run {
    started: std::time::Instant,
    pass: std::sync::atomic::AtomicU8,
    read: std::sync::atomic::AtomicU64,
    total: std::sync::atomic::AtomicU64,
}

impl Run {
    fn new() -> Self {
        Self { started: std::time::Instant::now(), pass: 0.into(), read: 0.into(), total: 0.into() }
    }

    fn update(&self, pass: iphr_import::Pass, read: u64, total: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let n = match pass {
            iphr_import::Pass::Reading => 1,
            iphr_import::Pass::Converting => 2,
            iphr_import::Pass::Writing => 3,
        };
        self.pass.store(n, Relaxed);
        self.read.store(read, Relaxed);
        self.total.store(total, Relaxed);
    }

    /// The step as shown ("変換 42% · 12 秒") and the share of the whole import done (percent),
    /// when known. Converting is counted as the first fifth, writing as the rest (it is the
    /// slow part).
    fn shown(&self) -> (String, Option<u8>) {
        use std::sync::atomic::Ordering::Relaxed;
        let secs = self.started.elapsed().as_secs();
        let (read, total) = (self.read.load(Relaxed), self.total.load(Relaxed));
        let within: u64 = read.min(total).saturating_mul(100).checked_div(total).unwrap_or(0);
        let share = |p: u64| u8::try_from(p.min(100)).ok();
        let (label, overall) = match self.pass.load(Relaxed) {
            1 => ("読込", None),
            2 => ("変換", share(within / 5)),
            3 => ("照合・書込", share(20 + within * 4 / 5)),
            _ => return (format!("取込中 · {secs} 秒"), None),
        };
        (format!("{label} {within}% · {secs} 秒"), overall)
    }
}

impl ImportProgress {
    fn start(&self, id: uuid::Uuid) -> std::sync::Arc<Run> {
        let run = std::sync::Arc::new(Run::new());
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(id, run.clone());
        }
        run
    }

    fn end(&self, id: uuid::Uuid) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(&id);
        }
    }

    fn get(&self, id: uuid::Uuid) -> Option<std::sync::Arc<Run>> {
        self.runs.lock().ok().and_then(|runs| runs.get(&id).cloned())
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
            iphr_import::import_hr(store, u.company_id, name, bytes, crate::postcheckup::today_jst(), by, options)
                .await
                .map_err(e)?,
        ),
    };
    out.map_err(|x| x.to_string())
}

/// `POST /companies/{cid}/uploads` (multipart: csrf, kind, profile, file): stages the file, reads
/// it in a dry run and shows the preview.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = read_form(multipart).await?;
    check_csrf(&user, &form.csrf)?;
    let guard = Guard::new(&state, &user, format!("POST /companies/{cid}/uploads"));
    guard.company(cid).await?;
    let kind = UploadKind::parse(&form.kind).ok_or_else(|| AppError::BadRequest(format!("kind: {:?}", form.kind)))?;
    if !may_upload(&user.actor, cid, kind) {
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
    let now = Utc::now();
    let mut u = Upload {
        company_id: cid,
        id: uuid::Uuid::now_v7(),
        user_id: user.actor.user_id,
        login: user.actor.login.clone(),
        role: user.actor.role.as_str().to_string(),
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
    match run(&state, &u, &form.bytes, Options { dry_run: true, allow_partial: false, ..Options::default() }, None)
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
    state.store.create_upload(&u, bytes).await?;
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
#[template(path = "upload.html")]
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

/// The upload if it is this user's (anyone else: not found, audited).
async fn own_upload(
    state: &AppState,
    guard: &Guard<'_>,
    user: &CurrentUser,
    cid: CompanyId,
    id: uuid::Uuid,
) -> Result<Upload, AppError> {
    match state.store.upload(cid, id).await? {
        Some(u) if u.user_id == user.actor.user_id => Ok(u),
        _ => {
            guard.audit(Some(cid), None, None, false, format!("upload {id}: not this user's")).await?;
            Err(AppError::NotFound(format!("upload {id}")))
        }
    }
}

async fn upload_page(
    state: &AppState,
    user: &CurrentUser,
    cid: CompanyId,
    id: uuid::Uuid,
) -> Result<UploadPage, AppError> {
    let path = format!("/companies/{cid}/uploads/{id}");
    let guard = Guard::new(state, user, format!("GET {path}"));
    let company = guard.company(cid).await?;
    let u = own_upload(state, &guard, user, cid, id).await?;
    let institution = user.actor.role == Role::Institution;
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
        let bytes = state.store.upload_bytes(cid, id).await?.unwrap_or_default();
        preview_rows(&u, &bytes)
    } else {
        vec![]
    };
    guard.audit(Some(cid), None, None, true, format!("read upload {id} ({})", u.status.as_str())).await?;
    Ok(UploadPage {
        f: Frame::new(user, path),
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
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
) -> Result<Response, AppError> {
    Ok(render(&upload_page(&state, &user, cid, id).await?))
}

/// `GET /companies/{cid}/uploads/{id}/status`: the progress fragment htmx polls while the import
/// runs (the whole page once it is over).
#[derive(Template)]
#[template(path = "upload_status.html")]
pub struct StatusFragment {
    /// The step as shown.
    phase: String,
    /// Share of the import done, when known (percent).
    percent: Option<u8>,
}

/// `GET /companies/{cid}/uploads/{id}/status`.
pub async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
) -> Result<Response, AppError> {
    let guard = Guard::new(&state, &user, format!("GET /companies/{cid}/uploads/{id}/status"));
    let u = own_upload(&state, &guard, &user, cid, id).await?;
    if u.status.is_final() {
        // Over: the browser reloads the page to show the receipt.
        return Ok(([("HX-Refresh", "true")], "").into_response());
    }
    // This server runs the import: its live progress; else the step the running server wrote.
    let (phase, percent) = match state.progress.get(id) {
        Some(run) => run.shown(),
        None => (u.phase, None),
    };
    Ok(render(&StatusFragment { phase, percent }))
}

/// `POST /companies/{cid}/uploads/{id}/commit` (csrf, allow_partial): imports the staged file in
/// the background; the page shows the progress, then the receipt. Only one commit of an upload
/// runs, whichever server receives it.
pub async fn commit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let guard = Guard::new(&state, &user, format!("POST /companies/{cid}/uploads/{id}/commit"));
    let u = own_upload(&state, &guard, &user, cid, id).await?;
    let kind = UploadKind::parse(&u.kind).ok_or_else(|| AppError::Internal(format!("kind {:?}", u.kind)))?;
    if !may_upload(&user.actor, cid, kind) {
        guard.audit(Some(cid), None, Some(class_of(kind)), false, "commit: role may not upload").await?;
        return Err(AppError::Forbidden("this role may not upload this kind".into()));
    }
    let bytes =
        state.store.upload_bytes(cid, id).await?.ok_or_else(|| AppError::BadRequest("the upload is over".into()))?;
    state
        .store
        .set_upload_status(cid, id, UploadStatus::Previewed, UploadStatus::Importing, "importing", None, Utc::now())
        .await
        .map_err(|_| AppError::BadRequest("this upload is already being imported or is over".into()))?;
    guard.audit(Some(cid), None, Some(class_of(kind)), true, format!("commit upload {id} {}", u.file_name)).await?;
    let options =
        Options { dry_run: false, allow_partial: field(&pairs, "allow_partial") == "1", ..Options::default() };
    let bg = state.clone();
    let live = state.progress.start(id);
    // Every few seconds the step goes to the upload's row, for the other servers (best effort:
    // SQLite, a single server, may be busy with the import's own transaction).
    let ticker = {
        let (store, live) = (state.store.clone(), live.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                let (phase, _) = live.shown();
                let write = store.set_upload_status(
                    cid,
                    id,
                    UploadStatus::Importing,
                    UploadStatus::Importing,
                    &phase,
                    None,
                    Utc::now(),
                );
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
        if let Err(e) =
            bg.store.set_upload_status(cid, id, UploadStatus::Importing, to, phase, Some(&report), Utc::now()).await
        {
            tracing::error!(upload = %id, error = %e, "could not record the end of an upload");
        }
        bg.progress.end(id);
    });
    Ok(Redirect::to(&format!("/companies/{cid}/uploads/{id}")).into_response())
}

/// `POST /companies/{cid}/uploads/{id}/discard`: drops a previewed upload (its bytes go).
pub async fn discard(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, id)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let guard = Guard::new(&state, &user, format!("POST /companies/{cid}/uploads/{id}/discard"));
    own_upload(&state, &guard, &user, cid, id).await?;
    state
        .store
        .set_upload_status(cid, id, UploadStatus::Previewed, UploadStatus::Discarded, "discarded", None, Utc::now())
        .await
        .map_err(|_| AppError::BadRequest("only a previewed upload can be discarded".into()))?;
    guard.audit(Some(cid), None, None, true, format!("discard upload {id}")).await?;
    Ok(Redirect::to(&format!("/companies/{cid}/uploads")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_the_step_and_the_share_of_the_import() {
        let run = Run::new();
        assert_eq!(run.shown(), ("取込中 · 0 秒".to_string(), None));
        run.update(iphr_import::Pass::Converting, 50, 100);
        assert_eq!(run.shown(), ("変換 50% · 0 秒".to_string(), Some(10)));
        run.update(iphr_import::Pass::Writing, 0, 100);
        assert_eq!(run.shown(), ("照合・書込 0% · 0 秒".to_string(), Some(20)));
        run.update(iphr_import::Pass::Writing, 100, 100);
        assert_eq!(run.shown(), ("照合・書込 100% · 0 秒".to_string(), Some(100)));
        // More bytes than the total (a file that grew) stays at 100 %; an empty file at 0 %.
        run.update(iphr_import::Pass::Writing, 150, 100);
        assert_eq!(run.shown().1, Some(100));
        run.update(iphr_import::Pass::Converting, 0, 0);
        assert_eq!(run.shown(), ("変換 0% · 0 秒".to_string(), Some(0)));

        let all = ImportProgress::default();
        let id = uuid::Uuid::now_v7();
        let started = all.start(id);
        started.update(iphr_import::Pass::Reading, 1, 2);
        assert_eq!(all.get(id).map(|r| r.shown().0), Some("読込 50% · 0 秒".to_string()));
        all.end(id);
        assert!(all.get(id).is_none());
    }
}
