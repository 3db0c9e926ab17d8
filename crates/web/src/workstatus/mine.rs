//! The worker's own hours: the last six months, the notices, and the application for the
//! interview (安衛則52条の3).

use super::{STEPS, interview_due, record};
use crate::access::Guard;
use crate::auth::check_csrf;
use crate::error::AppError;
use crate::forms::field;
use crate::page::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::response::{IntoResponse, Redirect, Response};
use iphr_domain::info_class::InfoClass;
use std::collections::HashMap;

/// `GET /me/hours` page.
#[derive(Template)]
#[template(path = "workstatus/my_hours.html")]
pub struct MyHoursPage {
    f: Frame,
    months: Vec<(String, f64, bool, bool, bool)>,
}

/// `GET /me/hours`: the worker's own hours of the last six months, the notices, and the
/// application for the interview.
pub async fn mine(guard: Guard) -> Result<Response, AppError> {
    let access = guard.own_person().await?;
    let (company, person) = (access.company(), access.person());
    let company_rules =
        iphr_postcheckup::company_rules(guard.store(), company).await.map_err(|e| AppError::Internal(e.to_string()))?;
    let today = guard.today();
    let months = access
        .read(&[InfoClass::Work], |s| async move {
            let (rules, profile) = (&company_rules.overtime, company_rules.settings.overtime_profile.as_str());
            // The worker's own steps, from their timeline once: month → steps done.
            let mut done: HashMap<String, Vec<String>> = HashMap::new();
            for e in s.timeline(company, person).await? {
                let Some(month) = e.detail.get("month").and_then(|m| m.as_str()) else { continue };
                if let Some((name, _, _)) =
                    STEPS.iter().find(|(_, k, sub)| *k == e.kind && e.subkind.as_deref() == Some(*sub))
                {
                    done.entry(month.to_string()).or_default().push((*name).to_string());
                }
            }
            let mut months = Vec::new();
            for k in 1..=6u32 {
                let Some(m) = today.checked_sub_months(chrono::Months::new(k)) else { continue };
                let label = m.format("%Y-%m").to_string();
                let Some(first) = iphr_postcheckup::hours::parse_month(&label) else { continue };
                // Only this worker's attendance is read.
                let recs = iphr_postcheckup::hours::month_hours(s, company, first, rules, profile, Some(person))
                    .await
                    .map_err(|e| iphr_store::StoreError::Backend(e.to_string()))?;
                let Some(r) = recs.into_iter().next() else { continue };
                let steps = done.get(&label);
                let has = |x: &str| steps.is_some_and(|v| v.iter().any(|y| y == x));
                months.push((
                    label.clone(),
                    r.result.hours.overtime_holiday,
                    interview_due(&r.result),
                    has("notice"),
                    has("application"),
                ));
            }
            Ok(months)
        })
        .await?;
    Ok(render(&MyHoursPage { f: Frame::of(&guard), months }))
}

/// `POST /me/hours/apply`: the worker applies for the interview for a month.
pub async fn apply(guard: Guard, body: Bytes) -> Result<Response, AppError> {
    let mut pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    let access = guard.own_person().await?;
    pairs.retain(|(k, _)| k != "step");
    pairs.push(("step".into(), "application".into()));
    record(&guard, &access, &pairs).await?;
    Ok(Redirect::to("/me/hours").into_response())
}
