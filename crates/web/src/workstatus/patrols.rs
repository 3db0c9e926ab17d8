//! 職場巡視 (安衛則15条: the physician patrols every workplace at least monthly, or every two
//! months with the employer's monthly information; 衛生管理者 weekly, 安衛則11条): records per
//! establishment with the departments visited, places, participants, findings, risk, what is
//! recommended, who must act by when and the follow-up status, with photos; the next due date of
//! each establishment from the company's interval. A patrol is class 1 (the employer acts on it);
//! its photos may show workers and are shown to the roles allowed class 2 only.

use crate::access::Guard;
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::page::{Frame, render};
use askama::Template;
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use iphr_convert::documents::{ContentType, Limits};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::ohcc::Producer;
use iphr_domain::role::Role;
use iphr_domain::tenant::{Company, department_path};
use iphr_domain::{CompanyId, DepartmentId, EventId};
use iphr_postcheckup::workstatus::{PatrolDue, patrols_due};
use iphr_store::{DocumentMeta, DocumentWrite, StoredDocument};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Risk levels of a finding.
const RISKS: [(&str, &str); 3] = [("low", "低"), ("medium", "中"), ("high", "高")];
/// Follow-up status.
const STATUSES: [(&str, &str); 3] = [("open", "未対応"), ("in_progress", "対応中"), ("done", "完了")];

fn label(table: &[(&str, &str)], code: &str) -> String {
    table.iter().find(|(c, _)| *c == code).map_or_else(|| code.to_string(), |(_, l)| (*l).to_string())
}

/// One patrol as listed (the departments visited together).
pub struct PatrolDoc {
    date: chrono::NaiveDate,
    establishment: String,
    departments: Vec<String>,
    fields: Vec<(String, String)>,
    photos: Vec<String>,
}

/// The patrols page.
#[derive(Template)]
#[template(path = "workstatus/patrols.html")]
pub struct PatrolsPage {
    f: Frame,
    company: Company,
    due: Vec<PatrolDue>,
    interval: u32,
    patrols: Vec<PatrolDoc>,
    may_record: bool,
}

/// The form.
#[derive(Template)]
#[template(path = "workstatus/patrol_new.html")]
pub struct NewPage {
    f: Frame,
    company: Company,
    departments: Vec<(String, String)>,
    risks: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    errors: Vec<String>,
    today: String,
}

fn may_record(role: Role) -> bool {
    matches!(role, Role::Physician | Role::Nurse | Role::HealthManager)
}

/// `GET /companies/{cid}/patrols`: the due dates and the patrols, newest first.
pub async fn list(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    let company = guard.company_class(cid, InfoClass::Class1, "workplace patrols").await?;
    let photos_ok = guard.company_allows(cid, InfoClass::Class2).await?;
    let rules =
        iphr_postcheckup::company_rules(guard.store(), cid).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let interval = rules.settings.patrol_interval_months;
    let due = patrols_due(guard.store(), cid, guard.today(), interval)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let hr = guard.store().hr_state(cid).await?;
    let est: BTreeMap<_, _> = hr.establishments.iter().map(|e| (e.id, e.name.clone())).collect();
    let mut events = guard.store().events_of_kind(cid, EventKind::WorkplacePatrol, None).await?;
    events.reverse();
    // The departments of one patrol share its id; older records are one department each.
    let mut patrols: Vec<(String, PatrolDoc)> = Vec::new();
    for e in events {
        let key = e.detail.get("patrol_id").and_then(|v| v.as_str()).map_or_else(|| e.id.to_string(), str::to_string);
        let dept = e.department_id.map(|d| department_path(&hr.departments, d)).unwrap_or_default();
        if let Some((_, p)) = patrols.iter_mut().find(|(k, _)| *k == key) {
            p.departments.push(dept);
            continue;
        }
        let s = |k: &str| e.detail.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        let mut fields = Vec::new();
        for (k, l) in [
            ("places", "場所"),
            ("participants", "参加者"),
            ("finding", "指摘事項"),
            ("findings", "指摘事項"),
            ("risk", "リスク"),
            ("recommendations", "改善の勧告"),
            ("assignee", "対応する人"),
            ("act_by", "対応期限"),
            ("status", "対応状況"),
            ("by", "記録者"),
        ] {
            let v = match k {
                "risk" => label(&RISKS, &s(k)),
                "status" => label(&STATUSES, &s(k)),
                _ => s(k),
            };
            if !v.is_empty() {
                fields.push((l.to_string(), v));
            }
        }
        let establishment = e
            .department_id
            .and_then(|d| hr.departments.iter().find(|x| x.id == d))
            .and_then(|d| est.get(&d.establishment_id).cloned())
            .unwrap_or_default();
        let photos = if photos_ok {
            e.detail
                .get("photos")
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str())
                        .map(|id| format!("/companies/{cid}/patrols/photos/{id}"))
                        .collect()
                })
                .unwrap_or_default()
        } else {
            vec![]
        };
        patrols.push((key, PatrolDoc { date: e.event_date, establishment, departments: vec![dept], fields, photos }));
    }
    if photos_ok {
        guard.audit(Some(cid), None, Some(InfoClass::Class2), true, "read patrol photos").await?;
    }
    let may = may_record(guard.user().actor.role);
    Ok(render(&PatrolsPage {
        f: Frame::of(&guard),
        company,
        due,
        interval,
        patrols: patrols.into_iter().map(|(_, p)| p).take(60).collect(),
        may_record: may,
    }))
}

async fn new_page(guard: &Guard, cid: CompanyId, errors: Vec<String>) -> Result<NewPage, AppError> {
    let company = guard.company(cid).await?;
    let hr = guard.store().hr_state(cid).await?;
    // Each department with its establishment (a company may have several).
    let est = |id| hr.establishments.iter().find(|e| e.id == id).map_or("", |e| e.name.as_str());
    let mut departments: Vec<(String, String)> = hr
        .departments
        .iter()
        .map(|d| (d.id.to_string(), format!("{} {}", est(d.establishment_id), department_path(&hr.departments, d.id))))
        .collect();
    departments.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(NewPage {
        f: Frame::of(guard),
        company,
        departments,
        risks: RISKS.iter().map(|(c, l)| ((*c).to_string(), (*l).to_string())).collect(),
        statuses: STATUSES.iter().map(|(c, l)| ((*c).to_string(), (*l).to_string())).collect(),
        errors,
        today: guard.today().to_string(),
    })
}

/// `GET /companies/{cid}/patrols/new`.
pub async fn new(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    guard.company_class(cid, InfoClass::Class1, "workplace patrols").await?;
    guard.require_role(Some(cid), may_record(guard.user().actor.role), "record a workplace patrol").await?;
    Ok(render(&new_page(&guard, cid, vec![]).await?))
}

/// `POST /companies/{cid}/patrols` (multipart): one event per department visited, the photos
/// stored with the first; everything checked first, one transaction.
pub async fn record(guard: Guard, Path(cid): Path<CompanyId>, mut m: Multipart) -> Result<Response, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("巡視記録の受け取りに失敗しました: {e}"))
    };
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    let mut depts: Vec<String> = Vec::new();
    let mut photos: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(field) = m.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "photo" => {
                let file = field.file_name().unwrap_or("写真").to_string();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                if !bytes.is_empty() {
                    photos.push((file, bytes));
                }
            }
            "department" => depts.push(field.text().await.map_err(bad)?),
            _ => {
                let v = field.text().await.map_err(bad)?;
                fields.insert(name, v.trim().to_string());
            }
        }
    }
    check_csrf(guard.user(), fields.get("csrf").map_or("", String::as_str))?;
    guard.company_class(cid, InfoClass::Class1, "workplace patrols").await?;
    guard.require_role(Some(cid), may_record(guard.user().actor.role), "record a workplace patrol").await?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let hr = guard.store().hr_state(cid).await?;
    let mut errors = Vec::new();
    let date = chrono::NaiveDate::parse_from_str(&get("date"), "%Y-%m-%d");
    if date.is_err() {
        errors.push(format!("巡視日: {} を読めません(例: 2026-04-01)", get("date")));
    }
    // Every department sent must be one of the company's: none is dropped without a word.
    let chosen: Vec<DepartmentId> = depts
        .iter()
        .filter_map(|d| d.parse().ok())
        .map(DepartmentId)
        .filter(|d| hr.departments.iter().any(|x| x.id == *d))
        .collect();
    if chosen.len() < depts.len() {
        errors.push("巡視した職場: この会社の職場でないものが含まれています".into());
    } else if chosen.is_empty() {
        errors.push("巡視した職場: 一つ以上選んでください".into());
    }
    if get("findings").is_empty() {
        errors.push("指摘事項: 入力してください(指摘なしならそう書いてください)".into());
    }
    let act_by = get("act_by");
    if !act_by.is_empty() && chrono::NaiveDate::parse_from_str(&act_by, "%Y-%m-%d").is_err() {
        errors.push(format!("対応期限: {act_by} を読めません"));
    }
    if !RISKS.iter().any(|(c, _)| *c == get("risk")) {
        errors.push("リスク: 選んでください".into());
    }
    if !STATUSES.iter().any(|(c, _)| *c == get("status")) {
        errors.push("対応状況: 選んでください".into());
    }
    let limits = Limits::default();
    let mut accepted = Vec::new();
    for (name, bytes) in photos {
        match ContentType::sniff(&bytes) {
            Some(t @ (ContentType::Jpeg | ContentType::Png | ContentType::Heic))
                if bytes.len() as u64 <= limits.max_document =>
            {
                accepted.push((name, bytes, t));
            }
            Some(ContentType::Jpeg | ContentType::Png | ContentType::Heic) => {
                errors.push(format!("{name}: 大きすぎます"))
            }
            _ => errors.push(format!("{name}: 写真(JPEG・PNG・HEIC)ではありません")),
        }
    }
    if !errors.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, render(&new_page(&guard, cid, errors).await?)).into_response());
    }
    let date = date.unwrap_or_else(|_| guard.today());
    let patrol_id = uuid::Uuid::now_v7();
    let first_event = EventId::new();
    let now = guard.state().now();
    let mut write = DocumentWrite::default();
    let mut photo_ids = Vec::new();
    for (name, bytes, t) in accepted {
        let id = uuid::Uuid::now_v7();
        let sha = hex::encode(Sha256::digest(&bytes));
        photo_ids.push(id.to_string());
        write.documents.push(StoredDocument {
            meta: DocumentMeta {
                company_id: cid,
                id,
                person_id: None,
                employment_id: None,
                event_id: Some(first_event),
                sha256: sha.clone(),
                original_path: name.clone(),
                content_type: t.mime().to_string(),
                size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                document_date: Some(date),
                title: format!("職場巡視の写真 {name}"),
                employee_number: None,
                unmatched_reason: None,
                imported_at: now,
                imported_by: guard.user().actor.login.clone(),
                source_sha256: sha,
                assigned_at: None,
                assigned_by: None,
            },
            bytes,
        });
    }
    for (i, d) in chosen.iter().enumerate() {
        let path = department_path(&hr.departments, *d);
        write.events.push(Event {
            company_id: cid,
            id: if i == 0 { first_event } else { EventId::new() },
            person_id: None,
            employment_id: None,
            department_id: Some(*d),
            kind: EventKind::WorkplacePatrol,
            subkind: Some("patrol".into()),
            event_date: date,
            title: format!("職場巡視 {path}"),
            content_class: InfoClass::Class1,
            producer: if guard.user().actor.role == Role::Physician { Producer::Physician } else { Producer::OhStaff },
            detail: serde_json::json!({
                "patrol_id": patrol_id, "department": path, "places": get("places"), "participants": get("participants"),
                "findings": get("findings"), "risk": get("risk"), "recommendations": get("recommendations"),
                "assignee": get("assignee"), "act_by": act_by, "status": get("status"), "photos": photo_ids,
                "by": guard.user().display_name,
            }),
            source_doc: None,
        });
    }
    guard.store().insert_documents(&write).await?;
    guard
        .audit(
            Some(cid),
            None,
            Some(InfoClass::Class1),
            true,
            format!("write workplace patrol ({} departments)", chosen.len()),
        )
        .await?;
    Ok(Redirect::to(&format!("/companies/{cid}/patrols")).into_response())
}

/// `GET /companies/{cid}/patrols/photos/{id}`: a patrol photo, for the roles allowed class 2.
pub async fn photo(guard: Guard, Path((cid, id)): Path<(CompanyId, uuid::Uuid)>) -> Result<Response, AppError> {
    guard.company_class(cid, InfoClass::Class2, "patrol photo").await?;
    let doc = guard
        .store()
        .document(cid, id)
        .await?
        .filter(|d| d.meta.person_id.is_none() && d.meta.event_id.is_some())
        .ok_or_else(|| AppError::NotFound(format!("photo {id}")))?;
    let res =
        crate::render::document_response(doc.bytes, &doc.meta.content_type, "", crate::render::Disposition::Embedded);
    Ok(res)
}
