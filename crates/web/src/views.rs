//! View models (shared by pages and the API) and the askama page templates.

use crate::access::PersonAccess;
use crate::auth::CurrentUser;
use crate::i18n::Lang;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use iphr_domain::event::Event;
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Value};
use iphr_domain::ohcc::{DataKind, ItemTable};
use iphr_domain::policy::Decision;
use iphr_domain::role::Role;
use iphr_domain::tenant::Company;
use iphr_store::{Page, User, WorkerRow};
use serde::Serialize;

/// Renders a template, or a 500 page if it fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// The header of a worker: identity and work status.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderDoc {
    /// Company.
    pub company_id: String,
    /// Employment.
    pub employment_id: String,
    /// Person.
    pub person_id: String,
    /// 社員番号.
    pub employee_number: String,
    /// Name.
    pub name: String,
    /// Kana.
    pub kana: String,
    /// Sex (male/female).
    pub sex: String,
    /// Sex label.
    pub sex_label: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Age today.
    pub age: i32,
    /// Hired.
    pub hire_date: NaiveDate,
    /// Left.
    pub leave_date: Option<NaiveDate>,
    /// Current 事業場.
    pub establishment: String,
    /// Current 職制.
    pub department: String,
    /// Position.
    pub position: String,
    /// Work content.
    pub work_content: String,
    /// Night work.
    pub night_work: bool,
    /// 労働時間制度 (label; the long-hours rules differ by it).
    pub work_regime: String,
    /// Exposures (work data; omitted where the policy says so).
    pub exposures: Vec<ExposureDoc>,
}

/// An exposure.
#[derive(Debug, Clone, Serialize)]
pub struct ExposureDoc {
    /// Agent.
    pub agent: String,
    /// Statute.
    pub regulation: String,
    /// Protection.
    pub protection: String,
    /// From.
    pub valid_from: NaiveDate,
    /// To.
    pub valid_to: Option<NaiveDate>,
}

/// One observation as shown.
#[derive(Debug, Clone, Serialize)]
pub struct ObsDoc {
    /// Full 13-character OHCC.
    pub ohcc: String,
    /// Item name.
    pub name: String,
    /// Value as text (coded values by their label).
    pub value: String,
    /// Number, where numeric.
    pub number: Option<f64>,
    /// Unit.
    pub unit: String,
    /// Information class.
    pub info_class: InfoClass,
    /// Original code.
    pub source_code: Option<String>,
    /// Original value.
    pub raw_value: Option<String>,
    /// Source document.
    pub source_doc: Option<String>,
    /// Table version.
    pub table_version: String,
}

/// How much of an event's content is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// Everything the policy allows per datum.
    Full,
    /// Judgements only (加工).
    Processed,
    /// Only the fact that the event happened.
    Hidden,
}

/// A timeline entry.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineDoc {
    /// Event id.
    pub event_id: String,
    /// Date.
    pub date: NaiveDate,
    /// Kind.
    pub kind: String,
    /// Kind label.
    pub kind_label: String,
    /// Subkind.
    pub subkind: Option<String>,
    /// Title.
    pub title: String,
    /// Class of the content.
    pub content_class: InfoClass,
    /// What is shown.
    pub shown: Shown,
    /// Kind-specific details (when shown in full).
    pub detail: Option<serde_json::Value>,
    /// Observations shown.
    pub observations: Vec<ObsDoc>,
    /// Observations withheld by the policy.
    pub withheld: usize,
}

/// A worker as the policy lets the user see them.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerDoc {
    /// Header.
    pub header: HeaderDoc,
    /// Timeline, newest first.
    pub timeline: Vec<TimelineDoc>,
}

/// The text of a value: numbers as written, coded values by their label.
pub fn value_text(items: &ItemTable, o: &Observation, lang: Lang) -> String {
    match &o.value {
        Value::Number { value, .. } => match o.qualifier.scale {
            Some(_) => o.qualifier.format(*value),
            None if value.fract() == 0.0 => format!("{value:.0}"),
            None => format!("{value}"),
        },
        Value::Coded { code } => items
            .value_label(&o.item, code)
            .map(|v| if lang == Lang::En { v.label_en.clone() } else { v.label_ja.clone() })
            .unwrap_or_else(|| code.clone()),
        Value::Text { text } => text.clone(),
        Value::Document { title, .. } => title.clone(),
        Value::NotDone => {
            if lang == Lang::En {
                "not done".into()
            } else {
                "未実施".into()
            }
        }
        Value::NotMeasured => {
            if lang == Lang::En {
                "not measured".into()
            } else {
                "未測定".into()
            }
        }
        Value::BeyondRange => {
            if lang == Lang::En {
                "beyond range".into()
            } else {
                "測定範囲外".into()
            }
        }
    }
}

/// How a unit of the OHCC table is shown: UCUM annotations (`{score}`) and counts in words.
pub fn unit_label(unit: &str, lang: Lang) -> &str {
    match (unit, lang) {
        ("{score}", Lang::Ja) => "点",
        ("{score}", Lang::En) => "points",
        ("count", Lang::Ja) => "回",
        ("count", Lang::En) => "times",
        ("d", Lang::Ja) => "日",
        ("d", Lang::En) => "days",
        (u, _) if u.starts_with('{') && u.ends_with('}') => "",
        (u, _) => u,
    }
}

/// An observation for display.
pub fn obs_doc(items: &ItemTable, o: &Observation, lang: Lang) -> ObsDoc {
    let def = items.get(&o.item);
    ObsDoc {
        ohcc: format!("{}{}", o.item, o.atr),
        name: def
            .map(|d| if lang == Lang::En { d.name_en.clone() } else { d.name_ja.clone() })
            .unwrap_or_else(|| o.item.to_string()),
        value: {
            let mut v = value_text(items, o, lang);
            if let Some(c) = o.qualifier.comparator {
                v = format!("{}{v}", c.symbol());
            }
            if let Some(f) = o.qualifier.flag {
                v = format!("{v} {}", f.letter());
            }
            v
        },
        number: match o.value {
            Value::Number { value, .. } => Some(value),
            _ => None,
        },
        unit: match &o.value {
            Value::Number { unit, .. } => unit_label(unit, lang).to_string(),
            _ => String::new(),
        },
        info_class: o.info_class,
        source_code: o.provenance.source_code.clone(),
        raw_value: o.provenance.raw_value.clone(),
        source_doc: o.provenance.source_doc.clone(),
        table_version: o.provenance.table_version.clone(),
    }
}

/// The observations of an event that the user may see, and how many were withheld.
pub fn visible_observations<'o>(
    p: &PersonAccess,
    user: &CurrentUser,
    shown: Shown,
    obs: impl Iterator<Item = &'o Observation>,
    read: &mut Vec<InfoClass>,
) -> (Vec<&'o Observation>, usize) {
    let mut out = Vec::new();
    let mut withheld = 0;
    for o in obs {
        let d = p.decision_for(user, o.info_class, o.event_id);
        let ok = match (shown, d) {
            (Shown::Hidden, _) => false,
            (_, Decision::Deny { .. }) => false,
            (Shown::Processed, _) | (_, Decision::AllowProcessed) => o.atr.kind == DataKind::Judgement,
            (Shown::Full, Decision::Allow) => true,
        };
        if ok {
            read.push(o.info_class);
            out.push(o);
        } else {
            withheld += 1;
        }
    }
    (out, withheld)
}

/// How much of an event the user may see.
pub fn event_shown(p: &PersonAccess, user: &CurrentUser, e: &Event) -> Option<Shown> {
    if !p.decision_for(user, e.kind.summary_class(), e.id).is_allowed() {
        return None;
    }
    Some(match p.decision_for(user, e.content_class, e.id) {
        Decision::Allow => Shown::Full,
        Decision::AllowProcessed => Shown::Processed,
        Decision::Deny { .. } => Shown::Hidden,
    })
}

/// Builds the worker document: header and the timeline filtered by the policy. Returns the
/// classes read, for the audit log.
pub fn worker_doc(
    items: &ItemTable,
    p: &PersonAccess,
    user: &CurrentUser,
    events: &[Event],
    observations: &[Observation],
) -> (WorkerDoc, Vec<InfoClass>) {
    let lang = user.lang;
    let h = &p.header;
    let mut read = vec![InfoClass::Identity];
    let current = h.assignments.first();
    let show_work = p.decision(user, InfoClass::Work).is_allowed();
    if show_work {
        read.push(InfoClass::Work);
    }
    let header = HeaderDoc {
        company_id: h.employment.company_id.to_string(),
        employment_id: h.employment.id.to_string(),
        person_id: h.person.id.to_string(),
        employee_number: h.employment.employee_number.clone(),
        name: h.person.full_name(),
        kana: h.person.full_kana(),
        sex: h.person.sex.as_str().into(),
        sex_label: if lang == Lang::En { h.person.sex.as_str().into() } else { h.person.sex.label_ja().into() },
        birth_date: h.person.birth_date,
        age: h.person.age_on(Utc::now().date_naive()),
        hire_date: h.employment.hire_date,
        leave_date: h.employment.leave_date,
        establishment: current.map(|a| a.establishment.clone()).unwrap_or_default(),
        department: current.map(|a| a.department.clone()).unwrap_or_default(),
        position: current.map(|a| a.assignment.position.clone()).unwrap_or_default(),
        work_content: if show_work {
            current.map(|a| a.assignment.work_content.clone()).unwrap_or_default()
        } else {
            String::new()
        },
        night_work: show_work && current.is_some_and(|a| a.assignment.night_work),
        work_regime: current.map(|a| a.assignment.work_regime.label_ja().to_string()).unwrap_or_default(),
        exposures: if show_work {
            h.exposures
                .iter()
                .map(|x| ExposureDoc {
                    agent: x.agent_name.clone(),
                    regulation: x.regulation.clone(),
                    protection: x.protection.clone(),
                    valid_from: x.valid_from,
                    valid_to: x.valid_to,
                })
                .collect()
        } else {
            vec![]
        },
    };
    let mut by_event: std::collections::HashMap<iphr_domain::EventId, Vec<&Observation>> =
        std::collections::HashMap::new();
    for o in observations {
        by_event.entry(o.event_id).or_default().push(o);
    }
    let mut timeline = Vec::with_capacity(events.len());
    for e in events {
        let Some(shown) = event_shown(p, user, e) else {
            continue;
        };
        read.push(e.kind.summary_class());
        let obs = by_event.get(&e.id).map(|v| v.as_slice()).unwrap_or(&[]);
        let (visible, withheld) = visible_observations(p, user, shown, obs.iter().copied(), &mut read);
        if shown == Shown::Full {
            read.push(e.content_class);
        }
        timeline.push(TimelineDoc {
            event_id: e.id.to_string(),
            date: e.event_date,
            kind: e.kind.as_str().into(),
            kind_label: if lang == Lang::En { e.kind.label_en().into() } else { e.kind.label_ja().into() },
            subkind: e.subkind.clone(),
            title: e.title.clone(),
            content_class: e.content_class,
            shown,
            detail: (shown == Shown::Full).then(|| e.detail.clone()),
            observations: visible.into_iter().map(|o| obs_doc(items, o, lang)).collect(),
            withheld,
        });
    }
    (WorkerDoc { header, timeline }, read)
}

/// Login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Language.
    pub lang: Lang,
    /// Login CSRF token.
    pub csrf: String,
    /// Error message.
    pub error: Option<&'static str>,
}

/// The frame every logged-in page shares.
pub struct Frame {
    /// Language.
    pub lang: Lang,
    /// User display name.
    pub user_name: String,
    /// Role label.
    pub role_label: String,
    /// The role.
    pub role: Role,
    /// CSRF token for forms.
    pub csrf: String,
    /// The current path (for the language switch).
    pub path: String,
}

impl Frame {
    /// The frame for a user and a path.
    pub fn new(user: &CurrentUser, path: impl Into<String>) -> Self {
        Self {
            lang: user.lang,
            user_name: user.display_name.clone(),
            role_label: if user.lang == Lang::En {
                user.actor.role.label_en().into()
            } else {
                user.actor.role.label_ja().into()
            },
            role: user.actor.role,
            csrf: user.csrf.clone(),
            path: path.into(),
        }
    }
    /// Whether the user is a worker.
    pub fn is_worker(&self) -> bool {
        self.role == Role::Worker
    }
    /// Physician, nurse or health manager: the post-checkup dashboard.
    pub fn is_oh_staff(&self) -> bool {
        matches!(self.role, Role::Physician | Role::Nurse | Role::HealthManager)
    }
    /// Physician or nurse: the stress-check implementers (実施者).
    pub fn is_implementer(&self) -> bool {
        matches!(self.role, Role::Physician | Role::Nurse)
    }
    /// Whether the user is admin.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// A checkup institution: uploads only.
    pub fn is_institution(&self) -> bool {
        self.role == Role::Institution
    }
    /// Whether the role uploads files (which kinds is decided per company and kind).
    pub fn uploads(&self) -> bool {
        !matches!(self.role, Role::Worker | Role::Admin)
    }
}

/// Companies page.
#[derive(Template)]
#[template(path = "companies.html")]
pub struct CompaniesPage {
    /// Frame.
    pub f: Frame,
    /// Companies.
    pub companies: Vec<Company>,
}

/// Worker list page.
#[derive(Template)]
#[template(path = "workers.html")]
pub struct WorkersPage {
    /// Frame.
    pub f: Frame,
    /// Company.
    pub company: Company,
    /// Query text.
    pub q: String,
    /// Results.
    pub page: Page<WorkerRow>,
    /// Page number (1-based).
    pub page_no: u32,
    /// Pages.
    pub pages: u32,
}

impl WorkersPage {
    /// URL of another page of the same search.
    pub fn page_url(&self, n: &u32) -> String {
        format!("/companies/{}/workers?q={}&page={n}", self.company.id, url_encode(&self.q))
    }
}

/// Worker page.
#[derive(Template)]
#[template(path = "worker.html")]
pub struct WorkerPage {
    /// Frame.
    pub f: Frame,
    /// Company.
    pub company: Company,
    /// The document.
    pub doc: WorkerDoc,
}

/// Event detail page.
#[derive(Template)]
#[template(path = "event.html")]
pub struct EventPage {
    /// Frame.
    pub f: Frame,
    /// Company.
    pub company: Company,
    /// Worker header.
    pub header: HeaderDoc,
    /// The entry.
    pub entry: TimelineDoc,
    /// Details as pretty JSON.
    pub detail_json: String,
}

/// Users page (admin).
#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    /// Frame.
    pub f: Frame,
    /// Users.
    pub users: Vec<User>,
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}
