//! The physician's visit to a company (嘱託産業医の訪問日): what is due today — urgent values,
//! opinions, interview applications waiting (高ストレス, 長時間労働), return-to-work follow-ups,
//! the patrol, special checkups — the interview queue, and the visit record (date, hours, what
//! was done) that the 産業医活動記録 of the reports reads. The page needs class 2 outright (as the
//! dashboard); return-to-work follow-ups are listed only for roles allowed class 3.

use super::*;
use iphr_domain::event::{Event, EventKind};
use iphr_domain::ohcc::Producer;
use iphr_domain::visit::{activities, label};
use iphr_domain::{EventId, PersonId};
use std::collections::HashMap;

/// One line of the agenda.
pub struct AgendaDoc {
    what: String,
    count: usize,
    overdue: usize,
    link: String,
}

/// One worker waiting for an interview.
pub struct QueueDoc {
    name: String,
    employee_number: String,
    what: String,
    since: NaiveDate,
    link: String,
}

/// A visit as listed.
pub struct VisitDoc {
    date: NaiveDate,
    time: String,
    hours: String,
    activities: String,
    notes: String,
    by: String,
}

/// The page.
#[derive(Template)]
#[template(path = "postcheckup/visit.html")]
pub struct VisitPage {
    f: Frame,
    company: Company,
    today: NaiveDate,
    agenda: Vec<AgendaDoc>,
    queue: Vec<QueueDoc>,
    visits: Vec<VisitDoc>,
    activities: Vec<(String, String)>,
    may_record: bool,
    errors: Vec<String>,
}

/// Workers whose application (`applied`) has no interview (`held`) on or after it.
fn waiting(
    events: &[Event],
    applied: &str,
    held: &str,
) -> Vec<(PersonId, Option<iphr_domain::EmploymentId>, NaiveDate)> {
    let mut last_applied: HashMap<PersonId, (Option<iphr_domain::EmploymentId>, NaiveDate)> = HashMap::new();
    let mut last_held: HashMap<PersonId, NaiveDate> = HashMap::new();
    for e in events {
        let Some(p) = e.person_id else { continue };
        match e.subkind.as_deref() {
            Some(s) if s == applied => {
                let slot = last_applied.entry(p).or_insert((e.employment_id, e.event_date));
                if e.event_date >= slot.1 {
                    *slot = (e.employment_id, e.event_date);
                }
            }
            Some(s) if s == held => {
                let slot = last_held.entry(p).or_insert(e.event_date);
                *slot = (*slot).max(e.event_date);
            }
            _ => {}
        }
    }
    let mut out: Vec<_> = last_applied
        .into_iter()
        .filter(|(p, (_, d))| last_held.get(p).is_none_or(|h| h < d))
        .map(|(p, (emp, d))| (p, emp, d))
        .collect();
    out.sort_by_key(|x| x.2);
    out
}

async fn page(guard: &Guard, cid: CompanyId, errors: Vec<String>) -> Result<VisitPage, AppError> {
    let company = guard.company_class(cid, InfoClass::Class2, "visit agenda").await?;
    let rules = company_rules(guard, cid).await?;
    let (today, now) = (guard.today(), guard.state().now());
    let store = guard.store();
    let counts = store
        .dashboard_counts(cid, today, now - Duration::hours(i64::from(rules.settings.panic_contact_hours)))
        .await?;
    let dash = format!("/companies/{cid}/postcheckup");
    let mut agenda = vec![
        AgendaDoc {
            what: "緊急連絡(緊急値)".into(),
            count: counts.panic as usize,
            overdue: counts.panic_overdue as usize,
            link: format!("{dash}?section=panic"),
        },
        AgendaDoc {
            what: "医師の意見(健診結果)".into(),
            count: counts.opinion_due as usize,
            overdue: counts.opinion_overdue as usize,
            link: format!("{dash}?section=opinion_due"),
        },
        AgendaDoc {
            what: "要精密検査の結果確認".into(),
            count: counts.followup as usize,
            overdue: 0,
            link: format!("{dash}?section=followup"),
        },
    ];
    // Interview applications without an interview since (the interview follows 遅滞なく; past one month —
    // a practice default, not a statute — they are shown as overdue).
    let interviews = store.events_of_kind(cid, EventKind::Interview, None).await?;
    let hr = store.hr_state(cid).await?;
    let who: HashMap<PersonId, (String, String, iphr_domain::EmploymentId)> = hr
        .employees
        .iter()
        .filter(|e| e.employment.leave_date.is_none_or(|l| l > today))
        .map(|e| (e.person.id, (e.person.full_name(), e.employment.employee_number.clone(), e.employment.id)))
        .collect();
    let mut queue = Vec::new();
    for (applied, held, what) in [
        ("high_stress_application", "high_stress", "高ストレス者の面接指導(申出)"),
        ("long_hours_application", "long_hours", "長時間労働者の面接指導(申出)"),
    ] {
        let list = waiting(&interviews, applied, held);
        let overdue =
            list.iter().filter(|x| x.2.checked_add_months(chrono::Months::new(1)).is_some_and(|d| d < today)).count();
        agenda.push(AgendaDoc { what: what.into(), count: list.len(), overdue, link: "#queue".into() });
        for (p, _, since) in list {
            if let Some((name, no, eid)) = who.get(&p) {
                queue.push(QueueDoc {
                    name: name.clone(),
                    employee_number: no.clone(),
                    what: what.into(),
                    since,
                    link: format!("/companies/{cid}/workers/{eid}"),
                });
            }
        }
    }
    // Return-to-work follow-ups: the next interview a 復職面談 set, due within two weeks.
    if guard.company_allows(cid, InfoClass::Class3).await? {
        let soon = today + Duration::days(14);
        let mut latest: HashMap<PersonId, &Event> = HashMap::new();
        for e in interviews.iter().filter(|e| e.subkind.as_deref() == Some("return_to_work")) {
            if let Some(p) = e.person_id
                && latest.get(&p).is_none_or(|x| x.event_date <= e.event_date)
            {
                latest.insert(p, e);
            }
        }
        let mut n = 0;
        for (p, e) in latest {
            let next = e
                .detail
                .get("fields")
                .and_then(|f| f.get("next"))
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<NaiveDate>().ok());
            if let (Some(next), Some((name, no, eid))) = (next, who.get(&p))
                && next <= soon
            {
                n += 1;
                queue.push(QueueDoc {
                    name: name.clone(),
                    employee_number: no.clone(),
                    what: "復職面談(次回予定)".into(),
                    since: next,
                    link: format!("/companies/{cid}/workers/{eid}"),
                });
            }
        }
        agenda.push(AgendaDoc {
            what: "復職面談のフォロー(2週間以内)".into(),
            count: n,
            overdue: 0,
            link: "#queue".into(),
        });
        guard.audit(Some(cid), None, Some(InfoClass::Class3), true, "read return-to-work follow-ups").await?;
    }
    let due = iphr_postcheckup::workstatus::patrols_due(store, cid, today, rules.settings.patrol_interval_months)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    agenda.push(AgendaDoc {
        what: "職場巡視".into(),
        count: due.iter().filter(|d| d.due <= today + Duration::days(7)).count(),
        overdue: due.iter().filter(|d| d.overdue).count(),
        link: format!("/companies/{cid}/patrols"),
    });
    let special =
        iphr_postcheckup::workstatus::special_due(store, cid, today, i64::from(rules.settings.special_due_soon_days))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
    agenda.push(AgendaDoc {
        what: "特殊健診・特定業務健診".into(),
        count: special.iter().filter(|s| s.status != iphr_domain::special::DueStatus::Scheduled).count(),
        overdue: special.iter().filter(|s| s.status == iphr_domain::special::DueStatus::Overdue).count(),
        link: format!("{dash}#work-status"),
    });
    queue.sort_by_key(|q| q.since);
    let mut visits: Vec<VisitDoc> = store
        .events_of_kind(cid, EventKind::Visit, None)
        .await?
        .into_iter()
        .rev()
        .take(24)
        .map(|e| {
            let s = |k: &str| e.detail.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let acts: Vec<String> = e
                .detail
                .get("activities")
                .and_then(|a| a.as_array())
                .map(|a| a.iter().filter_map(|x| x.as_str()).map(label).collect())
                .unwrap_or_default();
            let remote = e.detail.get("remote").and_then(|r| r.as_bool()) == Some(true);
            VisitDoc {
                date: e.event_date,
                time: format!("{}〜{}{}", s("start"), s("end"), if remote { "(オンライン)" } else { "" }),
                hours: e.detail.get("hours").and_then(|h| h.as_f64()).map(|h| format!("{h:.2}")).unwrap_or_default(),
                activities: acts.join("・"),
                notes: s("notes"),
                by: s("by"),
            }
        })
        .collect();
    visits.truncate(24);
    Ok(VisitPage {
        f: Frame::of(guard),
        company,
        today,
        agenda,
        queue,
        visits,
        activities: activities().unwrap_or_default().iter().map(|a| (a.code.clone(), a.label_ja.clone())).collect(),
        may_record: guard.user().actor.role == Role::Physician,
        errors,
    })
}

/// `GET /companies/{cid}/visit`.
pub async fn show(guard: Guard, Path(cid): Path<CompanyId>) -> Result<Response, AppError> {
    Ok(render(&page(&guard, cid, vec![]).await?))
}

/// `POST /companies/{cid}/visit`: records a visit (physician only): date, start and end, online
/// or on site, what was done, notes.
pub async fn record(guard: Guard, Path(cid): Path<CompanyId>, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    guard.company_class(cid, InfoClass::Class1, "visit record").await?;
    guard.require_role(Some(cid), guard.user().actor.role == Role::Physician, "record a visit").await?;
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(field(&pairs, "date"), "%Y-%m-%d");
    if date.is_err() {
        errors.push(format!("訪問日: {} を読めません(例: 2026-04-01)", field(&pairs, "date")));
    }
    let time =
        |k: &str, l: &str, errors: &mut Vec<String>| match chrono::NaiveTime::parse_from_str(field(&pairs, k), "%H:%M")
        {
            Ok(t) => Some(t),
            Err(_) => {
                errors.push(format!("{l}: {} を読めません(例: 14:00)", field(&pairs, k)));
                None
            }
        };
    let (start, end) = (time("start", "開始時刻", &mut errors), time("end", "終了時刻", &mut errors));
    let hours = match (start, end) {
        (Some(s), Some(e)) if e > s => (e - s).num_minutes() as f64 / 60.0,
        (Some(_), Some(_)) => {
            errors.push("終了時刻: 開始時刻より後にしてください".into());
            0.0
        }
        _ => 0.0,
    };
    let known = activities().unwrap_or_default();
    let acts: Vec<String> = pairs.iter().filter(|(k, _)| k == "activity").map(|(_, v)| v.clone()).collect();
    if acts.is_empty() {
        errors.push("行ったこと: 一つ以上選んでください".into());
    }
    if let Some(bad) = acts.iter().find(|a| !known.iter().any(|k| &k.code == *a)) {
        errors.push(format!("行ったこと: {bad} は選択肢にありません"));
    }
    if !errors.is_empty() {
        return Ok((axum::http::StatusCode::BAD_REQUEST, render(&page(&guard, cid, errors).await?)).into_response());
    }
    let date = date.unwrap_or_else(|_| guard.today());
    let event = Event {
        company_id: cid,
        id: EventId::new(),
        person_id: None,
        employment_id: None,
        department_id: None,
        kind: EventKind::Visit,
        subkind: None,
        event_date: date,
        title: format!("産業医の訪問 {date}"),
        content_class: InfoClass::Class1,
        producer: Producer::Physician,
        detail: serde_json::json!({
            "start": field(&pairs, "start"), "end": field(&pairs, "end"), "hours": (hours * 100.0).round() / 100.0,
            "remote": field(&pairs, "remote") == "yes", "activities": acts, "notes": field(&pairs, "notes"),
            "by": guard.user().display_name,
        }),
        source_doc: None,
    };
    guard.store().insert_batch(&iphr_store::Batch { events: vec![event], ..iphr_store::Batch::default() }).await?;
    guard.audit(Some(cid), None, Some(InfoClass::Class1), true, "write visit record").await?;
    Ok(Redirect::to(&format!("/companies/{cid}/visit")).into_response())
}
