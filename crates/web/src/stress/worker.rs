//! The worker's side: the questionnaire (save and resume; every answer required before
//! submit), their result, and the application for the physician interview.

use super::*;

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
#[template(path = "stress/stress_form.html")]
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
pub async fn form(guard: Guard, Query(p): Query<FormParams>) -> Result<Response, AppError> {
    worker_only(&guard, "the questionnaire is answered by the worker")?;
    let access = guard.own_person().await?;
    access.require(InfoClass::Stress).await?;
    let (cid, person) = (access.company(), access.person());
    let rules = rules()?;
    let today = guard.today();
    // Open now, and the worker still employed when it started.
    let leave = access.header.employment.leave_date;
    let campaign =
        current_campaign(&guard, cid).await?.filter(|c| today <= c.ends_on && leave.is_none_or(|d| d >= c.starts_on));
    let mut submitted = false;
    let mut answers = vec![0u8; 57];
    let mut reminded = None;
    if let Some(c) = &campaign {
        submitted = own_sheet(&access, c).await?.is_some();
        let campaign_id = c.id;
        let (reminders, draft) = access
            .read(&[InfoClass::Stress], |s| async move {
                Ok((s.stress_reminders(cid, campaign_id).await?, s.stress_draft(cid, campaign_id, person).await?))
            })
            .await?;
        reminded = reminders.iter().filter(|r| r.person_id == person).map(|r| japan_date(r.sent_at)).max();
        if let Some(d) = draft {
            answers = d.bytes().map(|b| b.saturating_sub(b'0')).collect();
        }
    }
    Ok(render(&FormPage {
        f: Frame::of(&guard),
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
    (person, employment): (PersonId, EmploymentId),
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
pub async fn post_form(guard: Guard, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    worker_only(&guard, "the questionnaire is answered by the worker")?;
    let access = guard.own_person().await?;
    access.require(InfoClass::Stress).await?;
    let (cid, eid, person) = (access.company(), access.employment(), access.person());
    let today = guard.today();
    let campaign = current_campaign(&guard, cid)
        .await?
        .filter(|c| {
            today <= c.ends_on
                && field(&pairs, "campaign") == c.id.to_string()
                && access.header.employment.leave_date.is_none_or(|d| d >= c.starts_on)
        })
        .ok_or_else(|| AppError::BadRequest("campaign: no stress check is open".into()))?;
    if own_sheet(&access, &campaign).await?.is_some() {
        return Err(AppError::BadRequest("campaign: already answered".into()));
    }
    let answers: Vec<u8> = (1..=57)
        .map(|n| match field(&pairs, &format!("q{n}")) {
            v @ ("1" | "2" | "3" | "4") => v.parse().unwrap_or(0),
            _ => 0,
        })
        .collect();
    let text: String = answers.iter().map(|a| char::from(b'0' + a)).collect();
    let now = guard.state().now();
    let campaign_id = campaign.id;
    let save_draft = |text: String| {
        access.write(InfoClass::Stress, "stress-check draft", move |s| async move {
            s.save_stress_draft(cid, campaign_id, person, &text, now).await
        })
    };
    if field(&pairs, "action") != "submit" {
        save_draft(text).await?;
        return Ok(Redirect::to("/me/stresscheck?saved=1").into_response());
    }
    let rules = rules()?;
    let missing: Vec<u8> = (1..=57u8).filter(|n| answers.get(usize::from(*n) - 1) == Some(&0)).collect();
    if !missing.is_empty() {
        // Keep what was answered, and say which are missing.
        save_draft(text).await?;
        let page = render(&FormPage {
            f: Frame::of(&guard),
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
    let batch = sheet_batch(rules, &r, &sheet, method, &campaign, (person, eid), today)?;
    access
        .write(InfoClass::Stress, "stress-check answers", |s| async move {
            s.submit_stress(&batch, cid, campaign_id, person).await
        })
        .await?;
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
#[template(path = "stress/stress_result.html")]
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

async fn has_applied(person: &PersonAccess<'_>, since: NaiveDate) -> Result<bool, AppError> {
    let (company, who) = (person.company(), person.person());
    person
        .read(&[InfoClass::Class1], |s| async move {
            Ok(s.timeline(company, who).await?.iter().any(|e| {
                e.kind == EventKind::Interview
                    && e.subkind.as_deref() == Some("high_stress_application")
                    && e.event_date >= since
            }))
        })
        .await
}

/// `GET /me/stresscheck/result`: the worker's own result — profile, decision, advice.
pub async fn result(guard: Guard) -> Result<Response, AppError> {
    worker_only(&guard, "the result page is the worker's own")?;
    let access = guard.own_person().await?;
    access.require(InfoClass::Stress).await?;
    let campaign = current_campaign(&guard, access.company())
        .await?
        .ok_or_else(|| AppError::NotFound("no stress-check campaign".into()))?;
    let sheet = own_sheet(&access, &campaign).await?.ok_or_else(|| AppError::NotFound("no answers yet".into()))?;
    let rules = rules()?;
    let answers = Answers::parse(sheet.answers.clone()).map_err(|e| AppError::Internal(e.to_string()))?;
    let r = rules.score(&answers, access.header.person.sex);
    let method = Method::parse(&campaign.method).unwrap_or(Method::Sum);
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
    let applied = has_applied(&access, campaign.starts_on).await?;
    Ok(render(&ResultPage {
        f: Frame::of(&guard),
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
pub async fn apply(guard: Guard, body: Bytes) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    worker_only(&guard, "only the worker applies")?;
    let access = guard.own_person().await?;
    access.require(InfoClass::Stress).await?;
    let (cid, eid, person) = (access.company(), access.employment(), access.person());
    let today = guard.today();
    let campaign =
        current_campaign(&guard, cid).await?.ok_or_else(|| AppError::BadRequest("no stress-check campaign".into()))?;
    let Some(sheet) = own_sheet(&access, &campaign).await? else {
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
    if !has_applied(&access, campaign.starts_on).await? {
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
        let what =
            format!("interview application (consent to the employer: the result of stress check {})", sheet.event_id);
        let batch = Batch { events: vec![ev], consents, ..Batch::default() };
        access.write(InfoClass::Stress, &what, |s| async move { s.insert_batch(&batch).await }).await?;
    }
    Ok(Redirect::to("/me/stresscheck/result").into_response())
}
