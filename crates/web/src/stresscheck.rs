//! The stress check on the web (安衛法66条の10): the worker's 57-item questionnaire (save and
//! resume; every answer required before submit), their result (profile, high-stress decision,
//! advice, the request for a physician interview — which counts as consent to give the result to
//! the employer, oh-rules.md §4.6), and the implementers' view (answered / not answered, the
//! high-stress list, the group analysis). Results are class `stress`: HR and the health manager
//! see an individual result only with the worker's consent, never the implementers' lists.

use crate::AppState;
use crate::access::Guard;
use crate::auth::{CurrentUser, check_csrf};
use crate::error::AppError;
use crate::forms::field;
use crate::views::{Frame, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, Utc};
use iphr_domain::event::{Event, EventKind};
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Provenance, Qualifier, Value};
use iphr_domain::ohcc::{DataAtr, DataKind, ItemCode, Producer};
use iphr_domain::policy::ConsentGrant;
use iphr_domain::role::Role;
use iphr_domain::stress::{Answers, Method, Section, SheetResult, StressRules};
use iphr_domain::tenant::Company;
use iphr_domain::{CompanyId, EmploymentId, EventId, ObservationId, PersonId};
use iphr_store::{Batch, StressCampaign};
use serde::Deserialize;

fn rules() -> Result<&'static StressRules, AppError> {
    StressRules::embedded().map_err(|e| AppError::Internal(e.to_string()))
}

/// The worker's own employment and company (a worker account is linked to a person).
pub(crate) async fn own_employment(
    state: &AppState,
    user: &CurrentUser,
) -> Result<(CompanyId, EmploymentId, PersonId), AppError> {
    let person = user
        .actor
        .person_id
        .ok_or_else(|| AppError::NotFound("no personal record is linked to this account".into()))?;
    let e = state
        .store
        .employments_of_person(person)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound("no employment".into()))?;
    Ok((e.company_id, e.id, person))
}

/// The campaign open today, else the latest one that has started.
async fn current_campaign(
    state: &AppState,
    company: CompanyId,
    today: NaiveDate,
) -> Result<Option<StressCampaign>, AppError> {
    let all = state.store.stress_campaigns(company).await?;
    Ok(all
        .iter()
        .find(|c| c.starts_on <= today && today <= c.ends_on)
        .or_else(|| all.iter().find(|c| c.starts_on <= today))
        .cloned())
}

/// The worker's sheet in a campaign's period (the last).
async fn own_sheet(
    state: &AppState,
    c: &StressCampaign,
    person: PersonId,
) -> Result<Option<iphr_store::StressSheet>, AppError> {
    Ok(state
        .store
        .stress_sheets(c.company_id, c.starts_on, c.ends_on)
        .await?
        .into_iter()
        .filter(|s| s.person_id == person)
        .max_by_key(|s| s.date))
}

/// One question as shown.
pub struct QuestionDoc {
    number: u8,
    text: String,
    section: String,
    choices: [&'static str; 4],
    answer: u8,
    missing: bool,
}

fn choices(section: Section) -> [&'static str; 4] {
    match section {
        Section::A => ["そうだ", "まあそうだ", "ややちがう", "ちがう"],
        Section::B => ["ほとんどなかった", "ときどきあった", "しばしばあった", "ほとんどいつもあった"],
        Section::C => ["非常に", "かなり", "多少", "全くない"],
        Section::D => ["満足", "まあ満足", "やや不満足", "不満足"],
    }
}

fn section_title(section: Section) -> &'static str {
    match section {
        Section::A => "A あなたの仕事についてうかがいます。最もあてはまるものに○を付けてください。",
        Section::B => "B 最近 1 か月間のあなたの状態についてうかがいます。",
        Section::C => "C あなたの周りの方々についてうかがいます。",
        Section::D => "D 満足度について",
    }
}

/// `GET /me/stresscheck` page.
#[derive(Template)]
#[template(path = "stress_form.html")]
pub struct FormPage {
    f: Frame,
    campaign: Option<StressCampaign>,
    questions: Vec<QuestionDoc>,
    sections: Vec<(String, String)>,
    submitted: bool,
    saved: bool,
    missing: Vec<u8>,
    /// The last reminder (受検勧奨) the worker received for this campaign.
    reminded: Option<NaiveDate>,
}

/// Query of the form page.
#[derive(Deserialize, Default)]
pub struct FormParams {
    /// Just saved.
    #[serde(default)]
    saved: Option<String>,
}

fn questions(rules: &StressRules, answers: &[u8], missing: &[u8]) -> Vec<QuestionDoc> {
    rules
        .items
        .iter()
        .map(|it| QuestionDoc {
            number: it.number,
            text: it.text_ja.clone(),
            section: format!("{:?}", it.section),
            choices: choices(it.section),
            answer: answers.get(usize::from(it.number) - 1).copied().unwrap_or(0),
            missing: missing.contains(&it.number),
        })
        .collect()
}

fn sections() -> Vec<(String, String)> {
    [Section::A, Section::B, Section::C, Section::D]
        .iter()
        .map(|s| (format!("{s:?}"), section_title(*s).to_string()))
        .collect()
}

/// `GET /me/stresscheck`: the questionnaire of the open campaign, with the saved answers.
pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<FormParams>,
) -> Result<Response, AppError> {
    if user.actor.role != Role::Worker {
        return Err(AppError::Forbidden("the questionnaire is answered by the worker".into()));
    }
    let (cid, eid, person) = own_employment(&state, &user).await?;
    let guard = Guard::new(&state, &user, "GET /me/stresscheck");
    let access = guard.person(cid, eid).await?;
    guard.require(&access, InfoClass::Stress).await?;
    let rules = rules()?;
    let today = crate::postcheckup::today_jst();
    // Open now, and the worker still employed when it started.
    let leave = access.header.employment.leave_date;
    let campaign = current_campaign(&state, cid, today)
        .await?
        .filter(|c| today <= c.ends_on && leave.is_none_or(|d| d >= c.starts_on));
    let mut submitted = false;
    let mut answers = vec![0u8; 57];
    let mut reminded = None;
    if let Some(c) = &campaign {
        submitted = own_sheet(&state, c, person).await?.is_some();
        reminded = state
            .store
            .stress_reminders(cid, c.id)
            .await?
            .iter()
            .filter(|r| r.person_id == person)
            .map(|r| crate::postcheckup::jst_date(r.sent_at))
            .max();
        if let Some(d) = state.store.stress_draft(cid, c.id, person).await? {
            answers = d.bytes().map(|b| b.saturating_sub(b'0')).collect();
        }
    }
    Ok(render(&FormPage {
        f: Frame::new(&user, "/me/stresscheck"),
        questions: questions(rules, &answers, &[]),
        sections: sections(),
        campaign,
        submitted,
        saved: p.saved.is_some(),
        missing: vec![],
        reminded,
    }))
}

/// The stored data of a submitted sheet: the event (answers in its details) and the coded scores.
fn sheet_batch(
    rules: &StressRules,
    r: &SheetResult,
    answers: &Answers,
    method: Method,
    campaign: &StressCampaign,
    person: PersonId,
    employment: EmploymentId,
    date: NaiveDate,
) -> Result<Batch, AppError> {
    let company = campaign.company_id;
    let ev = Event {
        company_id: company,
        id: EventId::new(),
        person_id: Some(person),
        employment_id: Some(employment),
        department_id: None,
        kind: EventKind::StressCheck,
        subkind: Some("bjsq57".into()),
        event_date: date,
        title: "ストレスチェック(57項目)".into(),
        content_class: EventKind::StressCheck.default_content_class(),
        producer: Producer::Worker,
        detail: serde_json::json!({
            "questionnaire": "bjsq57", "source": "web", "answers": answers.as_slice(),
            "campaign": campaign.id, "method": method.as_str(),
        }),
        source_doc: None,
    };
    let mut obs = Vec::new();
    let mut push = |item: &str, kind: DataKind, producer: Producer, value: Value| -> Result<(), AppError> {
        obs.push(Observation {
            company_id: company,
            id: ObservationId::new(),
            event_id: ev.id,
            person_id: person,
            employment_id: Some(employment),
            item: ItemCode::parse(item).map_err(|e| AppError::Internal(e.to_string()))?,
            atr: DataAtr { kind, producer, seq: 1 },
            value,
            qualifier: Qualifier::default(),
            info_class: InfoClass::Stress,
            event_date: date,
            provenance: Provenance {
                source_code: None,
                source_text: None,
                raw_value: None,
                source_doc: Some(format!("web:stresscheck:{}", campaign.id)),
                table_version: rules.version.clone(),
            },
        });
        Ok(())
    };
    let num = |v: f64| Value::Number { value: v, unit: "{score}".into() };
    for (s, sc) in rules.scales.iter().zip(&r.scales) {
        push(&s.ohcc, DataKind::Measured, Producer::Worker, num(f64::from(sc.raw)))?;
        push(&s.level_item(), DataKind::Judgement, Producer::OhStaff, num(f64::from(sc.hyoka)))?;
    }
    for (item, v) in [
        ("Ca1010001Z", r.sum.a),
        ("Cb1010001Z", r.sum.b),
        ("Cc1010001Z", r.sum.c),
        ("Ca1010002Z", r.soten_a),
        ("Cb1010002Z", r.soten_b),
        ("Cc1010002Z", r.soten_c),
    ] {
        push(item, DataKind::Measured, Producer::Worker, num(f64::from(v)))?;
    }
    let high = if r.high(method) { "yes" } else { "no" };
    push("Cz0010000Z", DataKind::Judgement, Producer::OhStaff, Value::Coded { code: high.into() })?;
    Ok(Batch { events: vec![ev], observations: obs, ..Batch::default() })
}

/// `POST /me/stresscheck`: save (partial allowed) or submit (every answer required).
pub async fn post_form(State(state): State<AppState>, user: CurrentUser, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    if user.actor.role != Role::Worker {
        return Err(AppError::Forbidden("the questionnaire is answered by the worker".into()));
    }
    let (cid, eid, person) = own_employment(&state, &user).await?;
    let guard = Guard::new(&state, &user, "POST /me/stresscheck");
    let access = guard.person(cid, eid).await?;
    guard.require(&access, InfoClass::Stress).await?;
    let today = crate::postcheckup::today_jst();
    let campaign = current_campaign(&state, cid, today)
        .await?
        .filter(|c| {
            today <= c.ends_on
                && field(&pairs, "campaign") == c.id.to_string()
                && access.header.employment.leave_date.is_none_or(|d| d >= c.starts_on)
        })
        .ok_or_else(|| AppError::BadRequest("campaign: no stress check is open".into()))?;
    if own_sheet(&state, &campaign, person).await?.is_some() {
        return Err(AppError::BadRequest("campaign: already answered".into()));
    }
    let answers: Vec<u8> = (1..=57)
        .map(|n| match field(&pairs, &format!("q{n}")) {
            v @ ("1" | "2" | "3" | "4") => v.parse().unwrap_or(0),
            _ => 0,
        })
        .collect();
    let text: String = answers.iter().map(|a| char::from(b'0' + a)).collect();
    if field(&pairs, "action") != "submit" {
        state.store.save_stress_draft(cid, campaign.id, person, &text, Utc::now()).await?;
        guard.wrote(&access, InfoClass::Stress, "stress-check draft").await?;
        return Ok(Redirect::to("/me/stresscheck?saved=1").into_response());
    }
    let rules = rules()?;
    let missing: Vec<u8> = (1..=57u8).filter(|n| answers.get(usize::from(*n) - 1) == Some(&0)).collect();
    if !missing.is_empty() {
        // Keep what was answered, and say which are missing.
        state.store.save_stress_draft(cid, campaign.id, person, &text, Utc::now()).await?;
        let page = render(&FormPage {
            f: Frame::new(&user, "/me/stresscheck"),
            questions: questions(rules, &answers, &missing),
            sections: sections(),
            campaign: Some(campaign),
            submitted: false,
            saved: false,
            missing,
            reminded: None,
        });
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    let sheet = Answers::parse(answers).map_err(|e| AppError::BadRequest(e.to_string()))?;
    let method = Method::parse(&campaign.method).unwrap_or(Method::Sum);
    let r = rules.score(&sheet, access.header.person.sex);
    let batch = sheet_batch(rules, &r, &sheet, method, &campaign, person, eid, today)?;
    state.store.submit_stress(&batch, cid, campaign.id, person).await?;
    guard.wrote(&access, InfoClass::Stress, "stress-check answers").await?;
    Ok(Redirect::to("/me/stresscheck/result").into_response())
}

/// One bar of the profile.
pub struct BarDoc {
    name: String,
    level: u8,
    width: u32,
    y: u32,
    low: bool,
}

/// `GET /me/stresscheck/result` page.
#[derive(Template)]
#[template(path = "stress_result.html")]
pub struct ResultPage {
    f: Frame,
    campaign: StressCampaign,
    date: NaiveDate,
    high: bool,
    method: String,
    bars: Vec<BarDoc>,
    chart_height: u32,
    sum: (u32, u32, u32),
    soten: (u32, u32, u32),
    applied: bool,
}

async fn has_applied(
    state: &AppState,
    company: CompanyId,
    person: PersonId,
    since: NaiveDate,
) -> Result<bool, AppError> {
    Ok(state.store.timeline(company, person).await?.iter().any(|e| {
        e.kind == EventKind::Interview
            && e.subkind.as_deref() == Some("high_stress_application")
            && e.event_date >= since
    }))
}

/// `GET /me/stresscheck/result`: the worker's own result — profile, decision, advice.
pub async fn result(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    if user.actor.role != Role::Worker {
        return Err(AppError::Forbidden("the result page is the worker's own".into()));
    }
    let (cid, eid, person) = own_employment(&state, &user).await?;
    let guard = Guard::new(&state, &user, "GET /me/stresscheck/result");
    let access = guard.person(cid, eid).await?;
    guard.require(&access, InfoClass::Stress).await?;
    let today = crate::postcheckup::today_jst();
    let campaign = current_campaign(&state, cid, today)
        .await?
        .ok_or_else(|| AppError::NotFound("no stress-check campaign".into()))?;
    let sheet =
        own_sheet(&state, &campaign, person).await?.ok_or_else(|| AppError::NotFound("no answers yet".into()))?;
    let rules = rules()?;
    let answers = Answers::parse(sheet.answers.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
    let r = rules.score(&answers, access.header.person.sex);
    let method = Method::parse(&campaign.method).unwrap_or(Method::Sum);
    guard.read(&access, &[InfoClass::Stress]).await?;
    let bars: Vec<BarDoc> = rules
        .scales
        .iter()
        .zip(&r.scales)
        .enumerate()
        .map(|(i, (s, sc))| BarDoc {
            name: s.name_ja.clone(),
            level: sc.hyoka,
            width: u32::from(sc.hyoka) * 40,
            y: 24 * i as u32,
            low: sc.hyoka <= 2,
        })
        .collect();
    let applied = has_applied(&state, cid, person, campaign.starts_on).await?;
    Ok(render(&ResultPage {
        f: Frame::new(&user, "/me/stresscheck/result"),
        chart_height: 24 * bars.len() as u32,
        bars,
        date: sheet.date,
        high: r.high(method),
        method: match method {
            Method::Sum => "合計点数を使う方法 (評価基準の例その1)".into(),
            Method::Soten => "素点換算表を使う方法 (評価基準の例その2)".into(),
        },
        sum: (r.sum.a, r.sum.b, r.sum.c),
        soten: (r.soten_a, r.soten_b, r.soten_c),
        campaign,
        applied,
    }))
}

/// `POST /me/stresscheck/apply`: a high-stress worker asks for the physician interview
/// (面接指導の申出, 安衛法66条の10第3項). The application counts as consent to give the employer
/// (HR and the health manager) the result of this check (安衛則52条の13第2項: the profile, the
/// high-stress decision and the need for an interview — never the answers, never other checks):
/// a consent scoped to this check's event. A worker who is not high-stress is refused and
/// pointed to the health consultation.
pub async fn apply(State(state): State<AppState>, user: CurrentUser, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    if user.actor.role != Role::Worker {
        return Err(AppError::Forbidden("only the worker applies".into()));
    }
    let (cid, eid, person) = own_employment(&state, &user).await?;
    let guard = Guard::new(&state, &user, "POST /me/stresscheck/apply");
    let access = guard.person(cid, eid).await?;
    guard.require(&access, InfoClass::Stress).await?;
    let today = crate::postcheckup::today_jst();
    let campaign = current_campaign(&state, cid, today)
        .await?
        .ok_or_else(|| AppError::BadRequest("no stress-check campaign".into()))?;
    let Some(sheet) = own_sheet(&state, &campaign, person).await? else {
        return Err(AppError::BadRequest("answer the questionnaire first".into()));
    };
    let answers = Answers::parse(sheet.answers.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
    let method = Method::parse(&campaign.method).unwrap_or(Method::Sum);
    if !rules()?.score(&answers, access.header.person.sex).high(method) {
        // The interview is for high-stress workers (安衛則52条の15); the others are offered the
        // health consultation. Refused, audited, nothing consented.
        guard
            .audit(Some(cid), Some(person), Some(InfoClass::Stress), false, "interview application: not high-stress")
            .await?;
        return Err(AppError::Forbidden(
            "面接指導の申出は高ストレス者が対象です。気になることは産業保健スタッフの健康相談をご利用ください。".into(),
        ));
    }
    if !has_applied(&state, cid, person, campaign.starts_on).await? {
        let ev = Event {
            company_id: cid,
            id: EventId::new(),
            person_id: Some(person),
            employment_id: Some(eid),
            department_id: None,
            kind: EventKind::Interview,
            subkind: Some("high_stress_application".into()),
            event_date: today,
            title: "高ストレス者の面接指導の申出".into(),
            content_class: InfoClass::Class1,
            producer: Producer::Worker,
            detail: serde_json::json!({
                "basis": "安衛法66条の10第3項", "campaign": campaign.id, "applied_on": today,
                "stress_check": sheet.event_id,
            }),
            source_doc: None,
        };
        let consents = [Role::Hr, Role::HealthManager]
            .into_iter()
            .map(|r| ConsentGrant {
                person_id: person,
                company_id: cid,
                info_class: InfoClass::Stress,
                grantee_role: r,
                event_id: Some(sheet.event_id),
            })
            .collect();
        state.store.insert_batch(&Batch { events: vec![ev], consents, ..Batch::default() }).await?;
        guard
            .wrote(
                &access,
                InfoClass::Stress,
                &format!(
                    "interview application (consent to the employer: the result of stress check {})",
                    sheet.event_id
                ),
            )
            .await?;
    }
    Ok(Redirect::to("/me/stresscheck/result").into_response())
}

/// A row of the high-stress list.
pub struct HighRow {
    employment_id: String,
    employee_number: String,
    name: String,
    department: String,
    date: NaiveDate,
    b: u32,
    ac: u32,
    applied: bool,
    /// The 面接指導 recorded (date).
    interviewed: Option<NaiveDate>,
}

/// A group row.
pub struct GroupRow {
    name: String,
    r: iphr_domain::stress::GroupResult,
}

/// A target who has not answered.
pub struct NotAnsweredRow {
    employee_number: String,
    name: String,
    /// Reminders sent (dates, JST).
    reminded: Vec<String>,
}

/// One 仕事のストレス判定図 (SVG geometry in pixels).
pub struct Chart {
    id: &'static str,
    title: &'static str,
    x_label: &'static str,
    y_label: &'static str,
    /// Axis ticks: (position, label).
    x_ticks: Vec<(f64, String)>,
    y_ticks: Vec<(f64, String)>,
    /// Iso-risk lines: x1, y1, x2, y2, risk label.
    lines: Vec<(f64, f64, f64, f64, String)>,
    /// Groups: x, y, name, disclosable.
    points: Vec<(f64, f64, String, bool)>,
}

/// The two 判定図 of the groups: 量-コントロール and 職場の支援, with the iso-risk lines at
/// 80/100/120/150 (national average 100) — the chart the Technote describes.
fn charts(h: &iphr_domain::stress::Hanteizu, groups: &[GroupRow]) -> Vec<Chart> {
    // Group means of three items each (1–4 reversed into 15 − sum): 3–12.
    const LO: f64 = 3.0;
    const HI: f64 = 12.0;
    const SIZE: f64 = 300.0;
    const LEFT: f64 = 50.0;
    const TOP: f64 = 20.0;
    let px = |v: f64| LEFT + (v.clamp(LO, HI) - LO) / (HI - LO) * SIZE;
    let py = |v: f64| TOP + SIZE - (v.clamp(LO, HI) - LO) / (HI - LO) * SIZE;
    let ticks = |f: &dyn Fn(f64) -> f64| (3..=12).step_by(3).map(|v| (f(f64::from(v)), v.to_string())).collect();
    let chart =
        |id, title, x_label, y_label, at: &dyn Fn(f64, f64) -> f64, xy: &dyn Fn(&GroupRow) -> (f64, f64)| Chart {
            id,
            title,
            x_label,
            y_label,
            x_ticks: ticks(&px),
            y_ticks: ticks(&py),
            lines: [80.0, 100.0, 120.0, 150.0]
                .iter()
                .map(|r| (px(LO), py(at(LO, *r)), px(HI), py(at(HI, *r)), format!("{r:.0}")))
                .collect(),
            points: groups
                .iter()
                .map(|g| {
                    let (x, y) = xy(g);
                    (px(x), py(y), g.name.clone(), g.r.disclosable)
                })
                .collect(),
        };
    vec![
        chart(
            "hanteizu-demand",
            "量-コントロール判定図",
            "仕事の量的負担",
            "仕事のコントロール",
            &|x, r| h.control_at(x, r),
            &|g| (g.r.quant, g.r.control),
        ),
        chart(
            "hanteizu-support",
            "職場の支援判定図",
            "上司の支援",
            "同僚の支援",
            &|x, r| h.cowork_at(x, r),
            &|g| (g.r.boss, g.r.cowork),
        ),
    ]
}

/// `GET /companies/{cid}/stresscheck` page.
#[derive(Template)]
#[template(path = "stress_admin.html")]
pub struct AdminPage {
    f: Frame,
    company: Company,
    campaigns: Vec<StressCampaign>,
    campaign: Option<StressCampaign>,
    targets: usize,
    answered: usize,
    not_answered: Vec<NotAnsweredRow>,
    high: Vec<HighRow>,
    groups: Vec<GroupRow>,
    charts: Vec<Chart>,
    reminded: Option<usize>,
    is_physician: bool,
}

/// Admin query.
#[derive(Deserialize, Default)]
pub struct AdminParams {
    /// Campaign id.
    #[serde(default)]
    campaign: Option<uuid::Uuid>,
    /// Workers just reminded (after the POST).
    #[serde(default)]
    reminded: Option<usize>,
}

/// `GET /companies/{cid}/stresscheck`: the implementers' view (physician, nurse): who answered,
/// who did not (with the reminders sent), the high-stress list, and the group analysis by the
/// department at the time of answering, with the 判定図.
pub async fn admin(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(cid): Path<CompanyId>,
    Query(p): Query<AdminParams>,
) -> Result<Response, AppError> {
    let path = format!("/companies/{cid}/stresscheck");
    let guard = Guard::new(&state, &user, format!("GET {path}"));
    let company = guard.company_class(cid, InfoClass::Stress, "stress-check implementer view").await?;
    let campaigns = state.store.stress_campaigns(cid).await?;
    let campaign = match p.campaign {
        Some(id) => campaigns.iter().find(|c| c.id == id).cloned(),
        None => campaigns.first().cloned(),
    };
    let (mut targets, mut answered, mut not_answered, mut high, mut groups, mut chart_list) =
        (0, 0, vec![], vec![], vec![], vec![]);
    if let Some(c) = &campaign {
        let rules = rules()?;
        let a = iphr_postcheckup::stress::analyse(state.store.as_ref(), rules, c)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Interview applications since the campaign began, in one query (not one per worker).
        let applied: std::collections::HashSet<PersonId> = state
            .store
            .events_of_kind(cid, EventKind::Interview, Some("high_stress_application"))
            .await?
            .into_iter()
            .filter(|e| e.event_date >= c.starts_on)
            .filter_map(|e| e.person_id)
            .collect();
        let mut interviewed: std::collections::HashMap<PersonId, NaiveDate> = std::collections::HashMap::new();
        for e in state.store.events_of_kind(cid, EventKind::Interview, Some("high_stress")).await? {
            if let Some(p) = e.person_id
                && e.event_date >= c.starts_on
            {
                interviewed.insert(p, e.event_date);
            }
        }
        targets = a.targets;
        answered = a.scored.len();
        let method = a.method;
        high = a
            .scored
            .iter()
            .filter(|x| x.high)
            .map(|x| HighRow {
                employment_id: x.worker.employment_id.to_string(),
                employee_number: x.worker.employee_number.clone(),
                name: x.worker.name.clone(),
                department: x.department.clone(),
                date: x.date,
                b: if method == Method::Sum { x.result.sum.b } else { x.result.soten_b },
                ac: if method == Method::Sum {
                    x.result.sum.a + x.result.sum.c
                } else {
                    x.result.soten_a + x.result.soten_c
                },
                applied: applied.contains(&x.worker.person_id),
                interviewed: interviewed.get(&x.worker.person_id).copied(),
            })
            .collect();
        not_answered = a
            .not_answered
            .iter()
            .map(|n| NotAnsweredRow {
                employee_number: n.worker.employee_number.clone(),
                name: n.worker.name.clone(),
                reminded: n.reminded.iter().map(|t| crate::postcheckup::jst_date(*t).to_string()).collect(),
            })
            .collect();
        groups = a.groups.into_iter().map(|(name, r)| GroupRow { name, r }).collect();
        chart_list = charts(&rules.hanteizu, &groups);
    }
    Ok(render(&AdminPage {
        f: Frame::new(&user, path),
        company,
        campaigns,
        campaign,
        targets,
        answered,
        not_answered,
        high,
        groups,
        charts: chart_list,
        reminded: p.reminded,
        is_physician: user.actor.role == Role::Physician,
    }))
}

/// `POST /companies/{cid}/stresscheck/{campaign}/remind`: the implementers remind every target
/// who has not answered (受検勧奨); each reminder is recorded and shown to the worker.
pub async fn remind(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((cid, campaign)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(&user, field(&pairs, "csrf"))?;
    let guard = Guard::new(&state, &user, format!("POST /companies/{cid}/stresscheck/{campaign}/remind"));
    guard.company_class(cid, InfoClass::Stress, "stress-check reminders").await?;
    let c = state
        .store
        .stress_campaigns(cid)
        .await?
        .into_iter()
        .find(|c| c.id == campaign)
        .ok_or_else(|| AppError::NotFound(format!("campaign {campaign}")))?;
    let reminded = iphr_postcheckup::stress::remind(state.store.as_ref(), rules()?, &c, &user.actor.login, Utc::now())
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    guard
        .audit(
            Some(cid),
            None,
            Some(InfoClass::Class1),
            true,
            format!("stress-check reminders: {} workers", reminded.len()),
        )
        .await?;
    Ok(Redirect::to(&format!("/companies/{cid}/stresscheck?campaign={campaign}&reminded={}", reminded.len()))
        .into_response())
}
