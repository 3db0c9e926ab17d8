//! The workflow steps: recorded from the checkup page's forms, the API, and the dashboard's bulk confirmation.

use super::checkup::{checkup_person, read_checkup};
use super::*;
use iphr_store::StoreError;

/// The classes a step writes: the 就業区分 and HR's acknowledgement are class 1 (措置), the
/// rest (guidance, contacts about values, follow-up) class 2.
fn step_class(step: &Step) -> InfoClass {
    match step {
        Step::Opinion(_) | Step::HrAck { .. } => InfoClass::Class1,
        _ => InfoClass::Class2,
    }
}

/// Records a step after the policy and role checks (the caller checked the CSRF token);
/// shared by the form, the API and the bulk confirmation.
async fn record_step(
    guard: &Guard,
    person: &PersonAccess<'_>,
    evid: EventId,
    step: Step,
) -> Result<JudgementRecord, AppError> {
    let cid = person.company();
    let class = step_class(&step);
    person.require(class).await?;
    let actor = &guard.user().actor;
    person.require_role(step.allowed_for(actor.role), step.name()).await?;
    let (login, role, today, now, person_id) =
        (actor.login.clone(), actor.role, guard.today(), guard.state().now(), person.person());
    let name = step.name();
    person
        .write(class, name, |s| async move {
            let judgement =
                s.judgement(cid, evid).await?.ok_or_else(|| StoreError::NotFound(format!("judgement of {evid}")))?;
            if matches!(step, Step::HrAck { .. }) && judgement.work_category.is_none() {
                // The store refuses it too: the acknowledgement needs the opinion it acknowledges.
                return Err(StoreError::Conflict(
                    "医師の意見 (就業区分) がまだないため、人事確認はできません。".into(),
                ));
            }
            // What the step puts on the worker's timeline: the opinion (and treatment
            // statuses), or the employer's decision on the opinion in force.
            let current = match &step {
                Step::HrAck { .. } => s.steps(cid, evid).await?.into_iter().rev().find_map(|s| match s.step {
                    Step::Opinion(o) => Some(o),
                    _ => None,
                }),
                _ => None,
            };
            let subject = iphr_domain::postcheckup::StepSubject {
                company_id: cid,
                person_id,
                employment_id: judgement.employment_id,
                checkup: evid,
                checkup_date: judgement.checkup_date,
            };
            let records = iphr_domain::postcheckup::step_events(&step, current.as_ref(), subject, today, &login);
            s.append_step(&StepWrite {
                company_id: cid,
                event_id: evid,
                step,
                by_login: login,
                by_role: role,
                at: now,
                records,
            })
            .await
        })
        .await
}

fn opt_date(pairs: &[(String, String)], k: &str) -> Result<Option<NaiveDate>, AppError> {
    let v = field(pairs, k).trim();
    if v.is_empty() {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| AppError::BadRequest(format!("{k}: {v:?} is not a date (YYYY-MM-DD)")))
}

/// Reads a step from the checkup page's forms.
fn step_from_form(pairs: &[(String, String)]) -> Result<Step, AppError> {
    let text = |k: &str| field(pairs, k).trim().to_string();
    Ok(match field(pairs, "step") {
        "guidance" => Step::Guidance {
            level: GuidanceLevel::parse(field(pairs, "level"))
                .ok_or_else(|| AppError::BadRequest("level: choose a 指導区分".into()))?,
            note: text("note"),
        },
        "opinion" => {
            let category = WorkCategory::parse(field(pairs, "category"))
                .ok_or_else(|| AppError::BadRequest("category: choose a 就業区分".into()))?;
            let measures = pairs
                .iter()
                .filter(|(k, _)| k == "measure")
                .map(|(_, v)| Measure::parse(v).ok_or_else(|| AppError::BadRequest(format!("measure: {v:?}"))))
                .collect::<Result<Vec<_>, _>>()?;
            if category == WorkCategory::Restriction && measures.is_empty() && text("measures_text").is_empty() {
                return Err(AppError::BadRequest("measure: 要制限 needs at least one measure".into()));
            }
            let conditions = if text("condition").is_empty() {
                vec![]
            } else {
                vec![ConditionStatus {
                    condition: text("condition"),
                    status: TreatmentStatus::parse(field(pairs, "treatment"))
                        .ok_or_else(|| AppError::BadRequest("treatment: choose a status".into()))?,
                }]
            };
            Step::Opinion(Opinion {
                category,
                measures,
                measures_text: text("measures_text"),
                reasons: text("reasons"),
                opinion: text("opinion"),
                valid_until: opt_date(pairs, "valid_until")?,
                review_on: opt_date(pairs, "review_on")?,
                conditions,
            })
        }
        "hr_ack" => Step::HrAck { note: text("note") },
        "urgent_contact" => Step::UrgentContact { reached: field(pairs, "reached") == "yes", outcome: text("outcome") },
        "referral_closed" => Step::ReferralClosed { outcome: text("outcome") },
        "followup_closed" => Step::FollowupClosed { note: text("note") },
        "health_guidance" => Step::HealthGuidance {
            phase: GuidancePhase::parse(field(pairs, "phase"))
                .ok_or_else(|| AppError::BadRequest("phase: plan, session or outcome".into()))?,
            date: opt_date(pairs, "date")?.ok_or_else(|| AppError::BadRequest("date: required".into()))?,
            note: text("note"),
        },
        other => return Err(AppError::BadRequest(format!("step: {other:?}"))),
    })
}

/// `POST /companies/{cid}/checkups/{evid}/steps` (form).
pub async fn post_step(
    guard: Guard,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let step = step_from_form(&pairs)?;
    let back = match (&step, field(&pairs, "back")) {
        (Step::HrAck { .. }, _) => format!("/companies/{cid}/measures"),
        _ => format!("/companies/{cid}/checkups/{evid}"),
    };
    let person = checkup_person(&guard, cid, evid).await?;
    record_step(&guard, &person, evid, step).await?;
    Ok(Redirect::to(&back).into_response())
}

/// `POST /api/v1/companies/{cid}/checkups/{evid}/steps` (JSON step; `X-CSRF-Token` header).
pub async fn post_step_api(
    guard: ApiGuard,
    Path((cid, evid)): Path<(CompanyId, EventId)>,
    headers: HeaderMap,
    Json(step): Json<Step>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
    check_csrf(guard.user(), token)?;
    let person = checkup_person(&guard, cid, evid).await?;
    let r = record_step(&guard, &person, evid, step).await?;
    Ok(Json(serde_json::json!({ "event_id": r.event_id, "stage": r.stage })))
}

/// `POST /companies/{cid}/postcheckup/bulk-normal`: the physician confirms 通常勤務 for the
/// selected checkups (candidate 通常勤務可, no urgent value); one decision per worker, each audited.
pub async fn bulk_normal(guard: Guard, Path(cid): Path<CompanyId>, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    if guard.user().actor.role != Role::Physician {
        return guard.refuse(Some(cid), None, None, "only a physician decides").await;
    }
    let ids: Vec<EventId> = pairs
        .iter()
        .filter(|(k, _)| k == "event")
        .map(|(_, v)| v.parse::<EventId>().map_err(|_| AppError::BadRequest(format!("event: {v:?}"))))
        .collect::<Result<_, _>>()?;
    if ids.is_empty() {
        return Err(AppError::BadRequest("event: select at least one checkup".into()));
    }
    for evid in ids {
        let person = checkup_person(&guard, cid, evid).await?;
        let (r, _) = read_checkup(&person, cid, evid).await?;
        if r.result.work_candidate != Some(WorkCategory::Normal)
            || r.result.urgent_tier.is_some()
            || r.opinion_at.is_some()
        {
            // Not a bulk case (the page offers only these): left for one-by-one review.
            continue;
        }
        let step = Step::Opinion(Opinion {
            category: WorkCategory::Normal,
            measures: vec![],
            measures_text: String::new(),
            reasons: "一括確認: 所見なし又は通常勤務可".into(),
            opinion: "通常勤務可".into(),
            valid_until: None,
            review_on: None,
            conditions: vec![],
        });
        record_step(&guard, &person, evid, step).await?;
    }
    Ok(Redirect::to(&format!("/companies/{cid}/postcheckup?section=opinion_due")).into_response())
}
