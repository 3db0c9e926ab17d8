//! The implementers' view (physician, nurse): who answered, who did not (with the reminders
//! sent), the high-stress list, the group analysis with the 判定図, and the reminders.

use super::*;

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
#[template(path = "stress/stress_admin.html")]
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
    guard: Guard,
    Path(cid): Path<CompanyId>,
    Query(p): Query<AdminParams>,
) -> Result<Response, AppError> {
    let company = guard.company_class(cid, InfoClass::Stress, "stress-check implementer view").await?;
    let campaigns = guard.store().stress_campaigns(cid).await?;
    let campaign = match p.campaign {
        Some(id) => campaigns.iter().find(|c| c.id == id).cloned(),
        None => campaigns.first().cloned(),
    };
    let (mut targets, mut answered, mut not_answered, mut high, mut groups, mut chart_list) =
        (0, 0, vec![], vec![], vec![], vec![]);
    if let Some(c) = &campaign {
        let rules = rules()?;
        let a = iphr_postcheckup::stress::analyse(guard.store(), rules, c)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Interview applications since the campaign began, in one query (not one per worker).
        let applied: std::collections::HashSet<PersonId> = guard
            .store()
            .events_of_kind(cid, EventKind::Interview, Some("high_stress_application"))
            .await?
            .into_iter()
            .filter(|e| e.event_date >= c.starts_on)
            .filter_map(|e| e.person_id)
            .collect();
        let mut interviewed: std::collections::HashMap<PersonId, NaiveDate> = std::collections::HashMap::new();
        for e in guard.store().events_of_kind(cid, EventKind::Interview, Some("high_stress")).await? {
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
                reminded: n.reminded.iter().map(|t| japan_date(*t).to_string()).collect(),
            })
            .collect();
        groups = a.groups.into_iter().map(|(name, r)| GroupRow { name, r }).collect();
        chart_list = charts(&rules.hanteizu, &groups);
    }
    Ok(render(&AdminPage {
        f: Frame::of(&guard),
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
        is_physician: guard.user().actor.role == Role::Physician,
    }))
}

/// `POST /companies/{cid}/stresscheck/{campaign}/remind`: the implementers remind every target
/// who has not answered (受検勧奨); each reminder is recorded and shown to the worker.
pub async fn remind(
    guard: Guard,
    Path((cid, campaign)): Path<(CompanyId, uuid::Uuid)>,
    body: Bytes,
) -> Result<Response, AppError> {
    let pairs = crate::forms::pairs(&body);
    check_csrf(guard.user(), field(&pairs, "csrf"))?;
    guard.company_class(cid, InfoClass::Stress, "stress-check reminders").await?;
    let c = guard
        .store()
        .stress_campaigns(cid)
        .await?
        .into_iter()
        .find(|c| c.id == campaign)
        .ok_or_else(|| AppError::NotFound(format!("campaign {campaign}")))?;
    let reminded =
        iphr_postcheckup::stress::remind(guard.store(), rules()?, &c, &guard.user().actor.login, guard.state().now())
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
