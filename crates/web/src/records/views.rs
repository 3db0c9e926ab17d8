//! The worker record as shown: view models shared by the pages and the API, and the page
//! templates. What is shown was decided by [`PersonAccess`](crate::access::PersonAccess); these
//! builders only format it.

use super::detail::{Field, ScaleRow};
use super::marks::{Marker, mark_text};
use super::summary::SummaryDoc;
use super::timeline::{Row, TimelinePage};
use super::trends::PanelDoc;
use crate::access::{PersonAccess, Shown, VisibleEvent, VisibleRecord};
use crate::i18n::Lang;
use crate::page::{Frame, url_encode};
use askama::Template;
use chrono::NaiveDate;
use iphr_domain::info_class::InfoClass;
use iphr_domain::observation::{Observation, Value};
use iphr_domain::ohcc::ItemTable;
use iphr_domain::tenant::Company;
use iphr_store::{Page, WorkerRow};
use serde::Serialize;

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
    /// Outside the reference: `▲H` or `▼L` (the institution's flag, or the 異常なし band of the
    /// 診断区分 table in force); empty within.
    pub mark: String,
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

/// An observation for display, marked by `marker`.
pub fn obs_doc(items: &ItemTable, o: &Observation, lang: Lang, marker: &Marker<'_>) -> ObsDoc {
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
            v
        },
        mark: mark_text(marker.mark(o)).to_string(),
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

/// The header of a person as shown: identity always, work data where `work` is allowed; the
/// age on `today` (Japan).
pub fn header_doc(p: &PersonAccess<'_>, work: bool, lang: Lang, today: NaiveDate) -> HeaderDoc {
    let h = &p.header;
    let current = h.assignments.first();
    HeaderDoc {
        company_id: h.employment.company_id.to_string(),
        employment_id: h.employment.id.to_string(),
        person_id: h.person.id.to_string(),
        employee_number: h.employment.employee_number.clone(),
        name: h.person.full_name(),
        kana: h.person.full_kana(),
        sex: h.person.sex.as_str().into(),
        sex_label: if lang == Lang::En { h.person.sex.as_str().into() } else { h.person.sex.label_ja().into() },
        birth_date: h.person.birth_date,
        age: h.person.age_on(today),
        hire_date: h.employment.hire_date,
        leave_date: h.employment.leave_date,
        establishment: current.map(|a| a.establishment.clone()).unwrap_or_default(),
        department: current.map(|a| a.department.clone()).unwrap_or_default(),
        position: current.map(|a| a.assignment.position.clone()).unwrap_or_default(),
        work_content: if work {
            current.map(|a| a.assignment.work_content.clone()).unwrap_or_default()
        } else {
            String::new()
        },
        night_work: work && current.is_some_and(|a| a.assignment.night_work),
        work_regime: current.map(|a| a.assignment.work_regime.label_ja().to_string()).unwrap_or_default(),
        exposures: if work {
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
    }
}

/// A timeline entry as shown.
pub fn timeline_doc(items: &ItemTable, v: &VisibleEvent, lang: Lang, marker: &Marker<'_>) -> TimelineDoc {
    let e = &v.event;
    TimelineDoc {
        event_id: e.id.to_string(),
        date: e.event_date,
        kind: e.kind.as_str().into(),
        kind_label: if lang == Lang::En { e.kind.label_en().into() } else { e.kind.label_ja().into() },
        subkind: e.subkind.clone(),
        title: e.title.clone(),
        content_class: e.content_class,
        shown: v.shown,
        detail: (v.shown == Shown::Full).then(|| e.detail.clone()),
        observations: v.observations.iter().map(|o| obs_doc(items, o, lang, marker)).collect(),
        withheld: v.withheld,
    }
}

/// The worker document: the header and the timeline as shown.
pub fn worker_doc(
    items: &ItemTable,
    p: &PersonAccess<'_>,
    r: &VisibleRecord,
    lang: Lang,
    today: NaiveDate,
    marker: &Marker<'_>,
) -> WorkerDoc {
    WorkerDoc {
        header: header_doc(p, r.work, lang, today),
        timeline: r.events.iter().map(|v| timeline_doc(items, v, lang, marker)).collect(),
    }
}

/// Companies page.
#[derive(Template)]
#[template(path = "records/companies.html")]
pub struct CompaniesPage {
    /// Frame.
    pub f: Frame,
    /// Companies.
    pub companies: Vec<Company>,
}

/// Worker list page.
#[derive(Template)]
#[template(path = "records/workers.html")]
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

/// Worker page: the identity line, the summary panel and a page of the timeline.
#[derive(Template)]
#[template(path = "records/worker.html")]
pub struct WorkerPage {
    /// Frame.
    pub f: Frame,
    /// Company.
    pub company: Company,
    /// Identity and current work.
    pub header: HeaderDoc,
    /// The summary panel.
    pub summary: SummaryDoc,
    /// The timeline page.
    pub tl: TimelinePage,
    /// Some checkup value may be charted.
    pub has_trends: bool,
    /// The record forms this user writes: key, title.
    pub write_forms: Vec<(String, String)>,
    /// This user's view of the worker's drafts: link, form title, last saved.
    pub drafts: Vec<(String, String, String)>,
}

/// The trend charts of a worker.
#[derive(Template)]
#[template(path = "records/trends.html")]
pub struct TrendsPage {
    /// Frame.
    pub f: Frame,
    /// Identity.
    pub header: HeaderDoc,
    /// The worker page URL.
    pub base: String,
    /// Panels.
    pub panels: Vec<PanelDoc>,
}

/// Event detail page.
#[derive(Template)]
#[template(path = "records/event.html")]
pub struct EventPage {
    /// Frame.
    pub f: Frame,
    /// Company.
    pub company: Company,
    /// Worker header.
    pub header: HeaderDoc,
    /// The entry.
    pub entry: TimelineDoc,
    /// The subkind in words (empty when none).
    pub subkind: String,
    /// The details in words.
    pub fields: Vec<Field>,
    /// A stress check's 19-scale profile (where its answers are shown).
    pub profile: Vec<ScaleRow>,
    /// Earlier versions of a corrected record: when, by whom, why, its title then.
    pub history: Vec<(String, String, String, String)>,
    /// Where to correct it (a role that writes its form).
    pub correct: Option<String>,
    /// An attached document.
    pub document: Option<DocView>,
}

/// An attached document on the event page.
#[derive(Debug, Clone)]
pub struct DocView {
    /// Its URL (shown inline; `?download=1` to download).
    pub url: String,
    /// A PDF (shown in a frame).
    pub pdf: bool,
    /// An image a browser shows (JPEG, PNG).
    pub image: bool,
}
