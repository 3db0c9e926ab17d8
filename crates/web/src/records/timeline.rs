//! The timeline of the worker page: newest first, filtered by kind and period, paged on the
//! server; monthly attendance folded into one row per year unless attendance is the filter.

use super::marks::Marker;
use super::views::{TimelineDoc, timeline_doc};
use crate::access::VisibleRecord;
use crate::i18n::Lang;
use crate::page::url_encode;
use chrono::{Datelike, NaiveDate};
use iphr_domain::event::EventKind;
use iphr_domain::observation::Value;
use iphr_domain::ohcc::ItemTable;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Rows per page.
pub const ROWS_PER_PAGE: usize = 30;

/// The filter of the timeline (query parameters of the worker page).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct TimelineParams {
    /// One event kind (its stable text form); empty for every kind.
    #[serde(default)]
    pub kind: String,
    /// From (YYYY-MM-DD); empty for the beginning.
    #[serde(default)]
    pub from: String,
    /// To (YYYY-MM-DD); empty for today.
    #[serde(default)]
    pub to: String,
    /// 1-based page.
    #[serde(default)]
    pub page: Option<usize>,
}

/// One year of monthly attendance folded into a row.
#[derive(Debug, Clone)]
pub struct AttendanceYear {
    /// Year.
    pub year: i32,
    /// Months recorded.
    pub months: usize,
    /// Mean 時間外・休日労働 hours.
    pub mean: f64,
    /// Highest month: label and hours.
    pub max: (String, f64),
    /// The 面接指導 line of the company's profile (hours), where it has one.
    pub line: Option<f64>,
    /// Months over it.
    pub over_line: usize,
    /// Night shifts in the year, where recorded.
    pub nights: Option<f64>,
    /// The year's months, unfolded (a filtered timeline).
    pub link: String,
}

/// A row of the timeline.
#[derive(Debug, Clone)]
pub enum Row {
    /// An event.
    Event(Box<TimelineDoc>),
    /// A year of attendance.
    Year(AttendanceYear),
}

/// One page of the timeline.
#[derive(Debug, Clone)]
pub struct TimelinePage {
    /// Rows.
    pub rows: Vec<Row>,
    /// Page number.
    pub page: usize,
    /// Pages.
    pub pages: usize,
    /// Events matching the filter.
    pub total: usize,
    /// The filter as given (for the form).
    pub kind: String,
    /// From.
    pub from: String,
    /// To.
    pub to: String,
    /// Kinds offered: stable form, label, selected.
    pub kinds: Vec<(String, String, bool)>,
    /// The worker page URL.
    pub base: String,
    /// A filter value that could not be read (shown to the user, the rest of the filter applies).
    pub error: Option<String>,
}

impl TimelinePage {
    /// URL of another page with the same filter.
    pub fn page_url(&self, n: usize) -> String {
        format!(
            "{}?kind={}&from={}&to={}&page={n}#timeline",
            self.base,
            url_encode(&self.kind),
            url_encode(&self.from),
            url_encode(&self.to)
        )
    }
}

/// A month of attendance: its date, 時間外・休日労働 hours and night shifts where recorded.
type MonthHours = (NaiveDate, Option<f64>, Option<f64>);

use iphr_domain::overtime::{ITEM_NIGHT_SHIFTS as NIGHT_ITEM, ITEM_OVERTIME_HOLIDAY as OVERTIME_ITEM};

fn date(s: &str) -> Result<Option<NaiveDate>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| format!("日付 {s} を読めません(例: 2025-04-01)"))
}

/// The page of `r` that `p` asks for.
pub fn page(
    items: &ItemTable,
    r: &VisibleRecord,
    p: &TimelineParams,
    marker: &Marker<'_>,
    interview_line: Option<f64>,
    lang: Lang,
    base: &str,
) -> TimelinePage {
    let mut error = None;
    let kind: Option<EventKind> = p.kind.parse().ok();
    if kind.is_none() && !p.kind.is_empty() {
        error = Some("種類の指定を読めません".to_string());
    }
    let from = date(&p.from).unwrap_or_else(|e| {
        error = Some(e);
        None
    });
    let to = date(&p.to).unwrap_or_else(|e| {
        error = Some(e);
        None
    });
    let present: Vec<EventKind> =
        EventKind::ALL.into_iter().filter(|k| r.events.iter().any(|e| e.event.kind == *k)).collect();
    let kinds = present
        .iter()
        .map(|k| {
            let label = if lang == Lang::En { k.label_en() } else { k.label_ja() };
            (k.as_str().to_string(), label.to_string(), Some(*k) == kind)
        })
        .collect();
    let selected: Vec<_> = r
        .events
        .iter()
        .filter(|e| kind.is_none_or(|k| e.event.kind == k))
        .filter(|e| from.is_none_or(|f| e.event.event_date >= f) && to.is_none_or(|t| e.event.event_date <= t))
        .collect();
    let total = selected.len();
    // Fold attendance by year unless attendance is what was asked for.
    let fold = kind != Some(EventKind::AttendanceMonth);
    let mut years: BTreeMap<i32, Vec<MonthHours>> = BTreeMap::new();
    if fold {
        for e in selected.iter().filter(|e| e.event.kind == EventKind::AttendanceMonth) {
            let num = |item: &str| {
                e.observations.iter().find(|o| o.item.as_str() == item).and_then(|o| match o.value {
                    Value::Number { value, .. } => Some(value),
                    _ => None,
                })
            };
            years.entry(e.event.event_date.year()).or_default().push((
                e.event.event_date,
                num(OVERTIME_ITEM),
                num(NIGHT_ITEM),
            ));
        }
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut seen_year: Vec<i32> = Vec::new();
    for e in selected {
        if fold && e.event.kind == EventKind::AttendanceMonth {
            let y = e.event.event_date.year();
            if seen_year.contains(&y) {
                continue;
            }
            seen_year.push(y);
            let months = years.get(&y).cloned().unwrap_or_default();
            let hours: Vec<(NaiveDate, f64)> = months.iter().filter_map(|(d, h, _)| h.map(|h| (*d, h))).collect();
            let max = hours.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
            let nights: Vec<f64> = months.iter().filter_map(|(_, _, n)| *n).collect();
            rows.push(Row::Year(AttendanceYear {
                year: y,
                months: months.len(),
                mean: if hours.is_empty() { 0.0 } else { hours.iter().map(|h| h.1).sum::<f64>() / hours.len() as f64 },
                max: max.map(|(d, h)| (format!("{}月", d.month()), h)).unwrap_or_default(),
                line: interview_line,
                over_line: interview_line.map_or(0, |l| hours.iter().filter(|h| h.1 > l).count()),
                nights: (!nights.is_empty()).then(|| nights.iter().sum()),
                link: format!("{base}?kind=attendance_month&from={y}-01-01&to={y}-12-31#timeline"),
            }));
            continue;
        }
        rows.push(Row::Event(Box::new(timeline_doc(items, e, lang, marker))));
    }
    let pages = rows.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page_no = p.page.unwrap_or(1).clamp(1, pages);
    let rows: Vec<Row> = rows.into_iter().skip((page_no - 1) * ROWS_PER_PAGE).take(ROWS_PER_PAGE).collect();
    TimelinePage {
        rows,
        page: page_no,
        pages,
        total,
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        from: from.map(|d| d.to_string()).unwrap_or_default(),
        to: to.map(|d| d.to_string()).unwrap_or_default(),
        kinds,
        base: base.to_string(),
        error,
    }
}
