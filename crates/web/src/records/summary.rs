//! The summary panel of the worker page — the deck's 活用例: where the worker works and with what
//! exposure and protection, their hours and night work, the stress-check result, the conditions
//! under treatment and the medication, the latest judgement and the measures in force, what is
//! open, and the last interview and opinion — each part as the viewer may see it.
//!
//! Everything but the judgement is derived from the [`VisibleRecord`] the policy already filtered
//! (so HR sees what class 1 and work data allow, and nothing else); the judgement is read through
//! [`PersonAccess::read`] with the classes it shows.

use crate::access::{PersonAccess, Shown, VisibleEvent, VisibleRecord};
use crate::error::AppError;
use chrono::{Datelike, Months, NaiveDate};
use iphr_charts::{HoursChart, Month, Threshold};
use iphr_domain::event::{CheckupKind, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::judgement::Rules;
use iphr_domain::observation::Value;
use iphr_domain::overtime::Rule;
use iphr_domain::postcheckup::TreatmentStatus;
use iphr_domain::special;
use iphr_domain::stress::{Answers, Method, StressRules};
use iphr_domain::{EventId, policy::Decision};
use iphr_store::JudgementRecord;
use std::collections::BTreeMap;

/// One assignment of the history.
#[derive(Debug, Clone)]
pub struct AssignmentDoc {
    /// From.
    pub from: NaiveDate,
    /// To (open: current).
    pub to: Option<NaiveDate>,
    /// 事業場.
    pub establishment: String,
    /// 所属 (課/係).
    pub department: String,
    /// 職位.
    pub position: String,
    /// 作業内容 (work data; empty when not shown).
    pub work_content: String,
    /// Night work (work data).
    pub night_work: bool,
}

/// A current exposure.
#[derive(Debug, Clone)]
pub struct ExposureDoc {
    /// Agent.
    pub agent: String,
    /// Statute (有機則 …).
    pub regulation: String,
    /// Protection used (保護具).
    pub protection: String,
    /// Since.
    pub since: NaiveDate,
}

/// A special checkup due.
#[derive(Debug, Clone)]
pub struct DueDoc {
    /// The checkup.
    pub checkup: String,
    /// Last done.
    pub last: Option<NaiveDate>,
    /// Due.
    pub due: NaiveDate,
    /// Past due.
    pub overdue: bool,
}

/// The hours of the last 12 recorded months.
#[derive(Debug, Clone)]
pub struct HoursDoc {
    /// The chart (inline SVG).
    pub svg: String,
    /// The last month shown (`2026年3月`).
    pub until: String,
    /// Months over each line of the profile, lowest first: "45時間超 3か月".
    pub over: Vec<String>,
    /// Highest month.
    pub max: f64,
    /// Night shifts in the 12 months, where recorded.
    pub nights: Option<f64>,
}

/// The latest stress check as shown.
#[derive(Debug, Clone)]
pub struct StressDoc {
    /// Answer date.
    pub date: NaiveDate,
    /// 高ストレス (None: only that it was taken is shown).
    pub high: Option<bool>,
    /// The scales at 評価点 1–2 (the stressful end of the profile), by name with the level.
    pub low_scales: Vec<(String, u8)>,
    /// 19 scales scored (the full profile is on the event page).
    pub scored: bool,
    /// Link to the event.
    pub link: String,
}

/// A condition with its treatment status over time.
#[derive(Debug, Clone)]
pub struct ConditionDoc {
    /// Condition.
    pub name: String,
    /// Current status label.
    pub status: String,
    /// Treated now (治療中 / 復職後).
    pub current: bool,
    /// Every status with its date and source, oldest first.
    pub history: Vec<(NaiveDate, String)>,
}

/// A medication.
#[derive(Debug, Clone)]
pub struct MedicationDoc {
    /// Drug and dosage.
    pub drug: String,
    /// For.
    pub condition: String,
    /// Since.
    pub since: NaiveDate,
}

/// The latest judgement and what was decided on it.
#[derive(Debug, Clone)]
pub struct JudgementDoc {
    /// Checkup date.
    pub checkup_date: NaiveDate,
    /// Checkup kind.
    pub checkup_kind: String,
    /// 総合判定 (letter and label), where class 2 may be seen.
    pub overall: Option<String>,
    /// Items at C or worse with their values and marks, where class 2 may be seen.
    pub findings: Vec<String>,
    /// 就業区分 decided.
    pub work_category: Option<String>,
    /// Measures decided.
    pub measures: Vec<String>,
    /// Valid until.
    pub valid_until: Option<NaiveDate>,
    /// Link to the checkup.
    pub link: String,
}

/// An employment decision (就業上の措置) and whether it is in force.
#[derive(Debug, Clone)]
pub struct MeasureDoc {
    /// Decided on.
    pub date: NaiveDate,
    /// What.
    pub what: String,
    /// Until.
    pub until: Option<NaiveDate>,
    /// In force today.
    pub in_force: bool,
}

/// Something open, with its deadline.
#[derive(Debug, Clone)]
pub struct TaskDoc {
    /// What.
    pub what: String,
    /// Deadline.
    pub due: Option<NaiveDate>,
    /// Past the deadline.
    pub overdue: bool,
    /// Where to act.
    pub link: Option<String>,
}

/// A reference to an event.
#[derive(Debug, Clone)]
pub struct EventRef {
    /// Date.
    pub date: NaiveDate,
    /// Title.
    pub title: String,
    /// Link.
    pub link: String,
}

/// The summary panel.
#[derive(Debug, Clone, Default)]
pub struct SummaryDoc {
    /// Assignments, newest first.
    pub assignments: Vec<AssignmentDoc>,
    /// Whether work data is shown (作業内容, 深夜業, exposures, hours).
    pub work: bool,
    /// Whether treatment and medication (class 3) may be seen at all: otherwise the card says the
    /// handling rules withhold them rather than "none".
    pub treatment_visible: bool,
    /// Current exposures.
    pub exposures: Vec<ExposureDoc>,
    /// Special checkups due for the exposures and night work.
    pub special_due: Vec<DueDoc>,
    /// Hours.
    pub hours: Option<HoursDoc>,
    /// Latest stress check.
    pub stress: Option<StressDoc>,
    /// Conditions.
    pub conditions: Vec<ConditionDoc>,
    /// Current medication.
    pub medication: Vec<MedicationDoc>,
    /// Latest judgement.
    pub judgement: Option<JudgementDoc>,
    /// Employment decisions of the last two years, newest first.
    pub measures: Vec<MeasureDoc>,
    /// Open tasks, soonest first.
    pub tasks: Vec<TaskDoc>,
    /// The last interview.
    pub last_interview: Option<EventRef>,
    /// The last opinion.
    pub last_opinion: Option<EventRef>,
}

/// What the summary is computed with.
pub struct SummaryCtx<'a> {
    /// The company's rule tables (the overtime lines of its sector profile).
    pub rules: &'a Rules,
    /// The stress-check tables.
    pub stress: &'a StressRules,
    /// Today (Japan).
    pub today: NaiveDate,
    /// The worker page's URL (links are under it).
    pub base: String,
}

use iphr_domain::overtime::{ITEM_NIGHT_SHIFTS as NIGHT_ITEM, ITEM_OVERTIME_HOLIDAY as OVERTIME_ITEM};

fn detail_str<'e>(e: &'e VisibleEvent, key: &str) -> Option<&'e str> {
    if e.shown != Shown::Full {
        return None;
    }
    e.event.detail.get(key).and_then(|v| v.as_str()).filter(|s| !s.is_empty())
}

fn detail_date(e: &VisibleEvent, key: &str) -> Option<NaiveDate> {
    detail_str(e, key).and_then(|s| s.parse().ok())
}

fn link(ctx: &SummaryCtx<'_>, id: EventId) -> String {
    format!("{}/events/{id}", ctx.base)
}

/// Builds the panel.
pub async fn summary(p: &PersonAccess<'_>, r: &VisibleRecord, ctx: &SummaryCtx<'_>) -> Result<SummaryDoc, AppError> {
    let mut s = SummaryDoc {
        work: r.work,
        treatment_visible: !matches!(p.decision(InfoClass::Class3), Decision::Deny { .. }),
        ..SummaryDoc::default()
    };
    assignments(p, r, &mut s);
    if r.work {
        exposures_and_due(p, r, ctx, &mut s);
        s.hours = hours(r, ctx);
    }
    s.stress = stress(p, r, ctx);
    conditions(r, &mut s);
    medication(r, ctx, &mut s);
    measures(r, ctx, &mut s);
    let last = |kinds: &[EventKind], skip: &str| {
        r.events
            .iter()
            .find(|e| kinds.contains(&e.event.kind) && e.event.subkind.as_deref() != Some(skip))
            .map(|e| EventRef { date: e.event.event_date, title: e.event.title.clone(), link: link(ctx, e.event.id) })
    };
    s.last_interview = last(&[EventKind::Interview], "high_stress_application");
    s.last_opinion = last(&[EventKind::Opinion], "");
    judgement_and_tasks(p, r, ctx, &mut s).await?;
    Ok(s)
}

fn assignments(p: &PersonAccess<'_>, r: &VisibleRecord, s: &mut SummaryDoc) {
    s.assignments = p
        .header
        .assignments
        .iter()
        .map(|a| AssignmentDoc {
            from: a.assignment.valid_from,
            to: a.assignment.valid_to,
            establishment: a.establishment.clone(),
            department: a.department.clone(),
            position: a.assignment.position.clone(),
            work_content: if r.work { a.assignment.work_content.clone() } else { String::new() },
            night_work: r.work && a.assignment.night_work,
        })
        .collect();
}

fn exposures_and_due(p: &PersonAccess<'_>, r: &VisibleRecord, ctx: &SummaryCtx<'_>, s: &mut SummaryDoc) {
    let current: Vec<_> = p.header.exposures.iter().filter(|x| x.valid_to.is_none_or(|t| t >= ctx.today)).collect();
    s.exposures = current
        .iter()
        .map(|x| ExposureDoc {
            agent: x.agent_name.clone(),
            regulation: x.regulation.clone(),
            protection: x.protection.clone(),
            since: x.valid_from,
        })
        .collect();
    let mut exposures: Vec<(String, NaiveDate)> =
        current.iter().map(|x| (x.regulation.clone(), x.valid_from)).collect();
    if let Some(a) = p.header.assignments.first().filter(|a| a.assignment.night_work && a.assignment.valid_to.is_none())
    {
        exposures.push(("深夜業".into(), a.assignment.valid_from));
    }
    let done: Vec<special::DoneCheckup> = r
        .events
        .iter()
        .filter(|e| e.event.kind == EventKind::Checkup)
        .map(|e| {
            let basis = e.event.detail.get("basis").and_then(|b| b.as_str()).unwrap_or("");
            special::DoneCheckup {
                date: e.event.event_date,
                kind: e.event.subkind.clone().unwrap_or_default(),
                text: if basis.is_empty() && e.event.title == "特殊健康診断" {
                    String::new()
                } else {
                    format!("{basis} {}", e.event.title)
                },
            }
        })
        .collect();
    if let Ok(table) = special::table() {
        s.special_due =
            special::due(table, &exposures, &done, ctx.today, i64::from(ctx.rules.settings.special_due_soon_days))
                .into_iter()
                .map(|d| DueDoc {
                    overdue: d.status == special::DueStatus::Overdue,
                    checkup: d.checkup_ja,
                    last: d.last,
                    due: d.due,
                })
                .collect();
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d)
}

fn hours(r: &VisibleRecord, ctx: &SummaryCtx<'_>) -> Option<HoursDoc> {
    let mut by_month: BTreeMap<NaiveDate, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for e in r.events.iter().filter(|e| e.event.kind == EventKind::AttendanceMonth) {
        let m = month_start(e.event.event_date);
        if m > ctx.today {
            continue;
        }
        for o in &e.observations {
            let Value::Number { value, .. } = o.value else { continue };
            let slot = by_month.entry(m).or_default();
            match o.item.as_str() {
                OVERTIME_ITEM => slot.0 = Some(value),
                NIGHT_ITEM => slot.1 = Some(value),
                _ => {}
            }
        }
    }
    let last = *by_month.keys().next_back()?;
    let first = last.checked_sub_months(Months::new(11)).unwrap_or(last);
    let cross_year = first.year() != last.year();
    let months: Vec<Month> = (0..12)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(|m| {
            let (overtime, night_shifts) = by_month.get(&m).copied().unwrap_or((None, None));
            let label = if cross_year && (m.month() == 1 || m == first) {
                format!("{}/{}", m.year() % 100, m.month())
            } else {
                format!("{}月", m.month())
            };
            Month { label, overtime, night_shifts }
        })
        .collect();
    // The lines of the company's sector profile (overtime-rules-v1.csv or its override); a line
    // the profile does not have is not drawn.
    let thresholds: Vec<Threshold> =
        [(Rule::Month45, "限度時間"), (Rule::InterviewNotice, "面接指導の対象"), (Rule::Month100, "月の上限")]
            .into_iter()
            .filter_map(|(rule, meaning)| {
                ctx.rules.overtime_threshold(rule).map(|hours| Threshold {
                    hours,
                    label: format!("{hours}h"),
                    meaning: meaning.to_string(),
                })
            })
            .collect();
    let values: Vec<f64> = months.iter().filter_map(|m| m.overtime).collect();
    let nights: Vec<f64> = months.iter().filter_map(|m| m.night_shifts).collect();
    // Months over the 限度時間 and the 面接指導 line (the cap is drawn, not counted).
    let over = [Rule::Month45, Rule::InterviewNotice]
        .into_iter()
        .filter_map(|rule| ctx.rules.overtime_threshold(rule))
        .map(|h| format!("{h}時間超 {}か月", values.iter().filter(|v| **v > h).count()))
        .collect();
    let chart = HoursChart {
        title: format!("時間外・休日労働と深夜業の回数({}年{}月までの12か月)", last.year(), last.month()),
        months,
        thresholds,
        night_label: "深夜".into(),
        no_data: "記録なし".into(),
    };
    Some(HoursDoc {
        svg: chart.to_svg(),
        until: format!("{}年{}月", last.year(), last.month()),
        over,
        max: values.iter().copied().fold(0.0, f64::max),
        nights: (!nights.is_empty()).then(|| nights.iter().sum()),
    })
}

fn stress(p: &PersonAccess<'_>, r: &VisibleRecord, ctx: &SummaryCtx<'_>) -> Option<StressDoc> {
    let e = r.events.iter().find(|e| e.event.kind == EventKind::StressCheck)?;
    let mut doc = StressDoc {
        date: e.event.event_date,
        high: None,
        low_scales: vec![],
        scored: false,
        link: link(ctx, e.event.id),
    };
    // The high-stress judgement where the viewer sees it (in full or processed).
    doc.high = e.observations.iter().find_map(|o| match (&o.value, o.item.as_str()) {
        (Value::Coded { code }, "Cz0010000Z") => Some(code == "yes" || code == "1"),
        _ => None,
    });
    if e.shown == Shown::Full {
        let answers: Option<Vec<u8>> = e
            .event
            .detail
            .get("answers")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok())).collect());
        if let Some(Ok(answers)) = answers.map(Answers::parse) {
            let sheet = ctx.stress.score(&answers, p.header.person.sex);
            let method = detail_str(e, "method").and_then(Method::parse).unwrap_or(Method::Sum);
            doc.high = Some(sheet.high(method));
            doc.scored = true;
            doc.low_scales = ctx
                .stress
                .scales
                .iter()
                .zip(&sheet.scales)
                .filter(|(_, sc)| sc.hyoka <= 2)
                .map(|(s, sc)| (s.name_ja.clone(), sc.hyoka))
                .collect();
        }
    }
    Some(doc)
}

fn conditions(r: &VisibleRecord, s: &mut SummaryDoc) {
    let mut by_name: BTreeMap<String, Vec<(NaiveDate, TreatmentStatus, String)>> = BTreeMap::new();
    // Oldest first.
    for e in r.events.iter().rev().filter(|e| e.event.kind == EventKind::Treatment && e.shown == Shown::Full) {
        let Some(name) = detail_str(e, "condition") else { continue };
        let status =
            detail_str(e, "status").and_then(TreatmentStatus::parse_any).unwrap_or(TreatmentStatus::InTreatment);
        let source = detail_str(e, "source").unwrap_or(match e.event.producer {
            iphr_domain::ohcc::Producer::AttendingPhysician => "主治医",
            iphr_domain::ohcc::Producer::Physician => "産業医",
            _ => "記録",
        });
        by_name.entry(name.to_string()).or_default().push((e.event.event_date, status, source.to_string()));
    }
    let mut out: Vec<ConditionDoc> = by_name
        .into_iter()
        .filter_map(|(name, h)| {
            let (_, last, _) = h.last()?;
            Some(ConditionDoc {
                name,
                status: last.label_ja().into(),
                current: last.is_current(),
                history: h.iter().map(|(d, st, src)| (*d, format!("{}({src})", st.label_ja()))).collect(),
            })
        })
        .collect();
    out.sort_by(|a, b| b.current.cmp(&a.current).then_with(|| a.name.cmp(&b.name)));
    s.conditions = out;
}

fn medication(r: &VisibleRecord, ctx: &SummaryCtx<'_>, s: &mut SummaryDoc) {
    for e in r.events.iter().filter(|e| e.event.kind == EventKind::Medication && e.shown == Shown::Full) {
        // A prescription that ended is not current medication.
        if detail_date(e, "until").or_else(|| detail_date(e, "end")).is_some_and(|u| u < ctx.today) {
            continue;
        }
        let drug = detail_str(e, "drug").unwrap_or(&e.event.title).to_string();
        if s.medication.iter().any(|m| m.drug == drug) {
            continue;
        }
        s.medication.push(MedicationDoc {
            drug,
            condition: detail_str(e, "condition").unwrap_or_default().to_string(),
            since: e.event.event_date,
        });
    }
}

fn measures(r: &VisibleRecord, ctx: &SummaryCtx<'_>, s: &mut SummaryDoc) {
    let since = ctx.today.checked_sub_months(Months::new(24)).unwrap_or(ctx.today);
    let mut newest_open = true;
    for e in r.events.iter().filter(|e| e.event.kind == EventKind::EmploymentDecision && e.event.event_date >= since) {
        let until = detail_date(e, "until").or_else(|| detail_date(e, "valid_until"));
        // Without an end date a decision holds until the next one replaces it.
        let in_force = match until {
            Some(u) => u >= ctx.today,
            None => newest_open,
        };
        newest_open = false;
        let what = e.event.title.strip_prefix("就業上の措置: ").unwrap_or(&e.event.title).to_string();
        s.measures.push(MeasureDoc { date: e.event.event_date, what, until, in_force });
    }
}

/// The latest checkup of each group (general, special) and what is open on it.
async fn judgement_and_tasks(
    p: &PersonAccess<'_>,
    r: &VisibleRecord,
    ctx: &SummaryCtx<'_>,
    s: &mut SummaryDoc,
) -> Result<(), AppError> {
    let is_special = |e: &&VisibleEvent| e.event.subkind.as_deref() == Some(CheckupKind::Special.as_str());
    let checkups: Vec<&VisibleEvent> = r.events.iter().filter(|e| e.event.kind == EventKind::Checkup).collect();
    let latest: Vec<EventId> = [
        checkups.iter().find(|e| !is_special(e)).map(|e| e.event.id),
        checkups.iter().find(|e| is_special(e)).map(|e| e.event.id),
    ]
    .into_iter()
    .flatten()
    .collect();
    let values = !matches!(p.decision(InfoClass::Class2), Decision::Deny { .. });
    let mut classes = vec![InfoClass::Class1];
    if values {
        classes.push(InfoClass::Class2);
    }
    if !p.decision(InfoClass::Class1).is_allowed() || latest.is_empty() {
        return Ok(());
    }
    let company = p.company();
    let records: Vec<JudgementRecord> = p
        .read(&classes, |st| async move {
            let mut out = Vec::new();
            for id in latest {
                if let Some(j) = st.judgement(company, id).await? {
                    out.push(j);
                }
            }
            Ok(out)
        })
        .await?;
    for j in &records {
        let mut result = j.result.clone();
        ctx.rules.describe(&mut result, j.checkup_date, p.header.person.sex);
        let link = link(ctx, j.event_id);
        let kind = j.checkup_kind.as_deref().and_then(CheckupKind::parse).map_or("健康診断", |k| k.label_ja());
        if s.judgement.is_none() {
            s.judgement = Some(JudgementDoc {
                checkup_date: j.checkup_date,
                checkup_kind: kind.into(),
                overall: values.then(|| j.result.overall.map(|c| format!("{} {}", c.as_str(), c.label_ja()))).flatten(),
                findings: if values {
                    result
                        .items
                        .iter()
                        .filter(|i| i.part_of.is_none() && i.category.is_some_and(|c| c.severity() >= 2))
                        .map(|i| {
                            let label = if i.label_ja.is_empty() { i.key.as_str() } else { i.label_ja.as_str() };
                            let cat = i.category.map(|c| c.as_str()).unwrap_or_default();
                            format!("{label} {}{}({cat})", i.value, i.unit)
                        })
                        .collect()
                } else {
                    vec![]
                },
                work_category: j.work_category.map(|w| format!("{}({})", w.label_ja(), w.legal().label_ja())),
                measures: j.measures.clone(),
                valid_until: j.valid_until,
                link: link.clone(),
            });
        }
        let task = |what: String, due: Option<NaiveDate>| TaskDoc {
            overdue: due.is_some_and(|d| d < ctx.today),
            what,
            due,
            link: Some(link.clone()),
        };
        if values && j.result.urgent_tier.is_some() && j.urgent_closed_at.is_none() {
            s.tasks.push(task(format!("緊急値の連絡({} {kind})", j.checkup_date), None));
        }
        if let Some(due) = j.result.opinion_due.filter(|_| j.opinion_at.is_none()) {
            s.tasks.push(task(format!("医師の意見({} {kind})", j.checkup_date), Some(due)));
        }
        if values && let Some(due) = j.result.followup_due.filter(|_| j.followup_closed_at.is_none()) {
            s.tasks.push(task(format!("要精密検査の結果確認({} {kind})", j.checkup_date), Some(due)));
        }
        if j.work_category.is_some() && j.hr_ack_at.is_none() {
            s.tasks.push(task("就業上の措置の決定(人事の確認待ち)".into(), None));
        }
    }
    interview_tasks(r, ctx, s);
    s.tasks.sort_by_key(|t| (t.due.is_none(), t.due));
    Ok(())
}

/// Interviews asked for and not yet held: a 高ストレス application (遅滞なく; the deadline shown is one
/// month, a practice default, not a statute) and a
/// month over the 面接指導 line without a later 長時間労働 interview.
fn interview_tasks(r: &VisibleRecord, ctx: &SummaryCtx<'_>, s: &mut SummaryDoc) {
    let held_after = |sub: &str, d: NaiveDate| {
        r.events.iter().any(|e| {
            e.event.kind == EventKind::Interview && e.event.subkind.as_deref() == Some(sub) && e.event.event_date >= d
        })
    };
    if let Some(app) = r
        .events
        .iter()
        .find(|e| e.event.kind == EventKind::Interview && e.event.subkind.as_deref() == Some("high_stress_application"))
        && !held_after("high_stress", app.event.event_date)
    {
        let due = app.event.event_date.checked_add_months(Months::new(1));
        s.tasks.push(TaskDoc {
            what: format!("高ストレス者の面接指導(申出 {})", app.event.event_date),
            overdue: due.is_some_and(|d| d < ctx.today),
            due,
            link: Some(link(ctx, app.event.id)),
        });
    }
    let Some(line) = ctx.rules.overtime_threshold(Rule::InterviewNotice) else { return };
    // Months over the line in the last three (a practice window: older ones were for earlier visits).
    let recent = ctx.today.checked_sub_months(Months::new(3)).unwrap_or(ctx.today);
    if let Some(e) = r.events.iter().find(|e| {
        e.event.kind == EventKind::AttendanceMonth
            && e.event.event_date >= recent
            && e.observations.iter().any(|o| {
                o.item.as_str() == OVERTIME_ITEM && matches!(o.value, Value::Number { value, .. } if value > line)
            })
    }) && !held_after("long_hours", e.event.event_date)
    {
        s.tasks.push(TaskDoc {
            what: format!(
                "長時間労働者の面接指導の申出確認({}年{}月 {}時間超)",
                e.event.event_date.year(),
                e.event.event_date.month(),
                line
            ),
            due: None,
            overdue: false,
            link: Some(link(ctx, e.event.id)),
        });
    }
}
