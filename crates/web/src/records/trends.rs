//! A worker's checkup values over the years: the usual panels (trend-panels-v1.csv), then every
//! other numeric item, each as a chart with the 診断区分 bands in force shaded and the values
//! outside the reference marked. Built from the record as the policy shows it.

use super::marks::Marker;
use crate::access::{Shown, VisibleRecord};
use crate::i18n::Lang;
use chrono::NaiveDate;
use iphr_charts::{Band, BandLevel, Point, TrendChart};
use iphr_domain::event::EventKind;
use iphr_domain::judgement::{Category, Rules, unit_key};
use iphr_domain::observation::Value;
use iphr_domain::ohcc::{DataKind, ItemTable};
use iphr_domain::panels::trend_panels;
use iphr_domain::person::Sex;
use std::collections::BTreeMap;

/// One chart.
#[derive(Debug, Clone)]
pub struct ChartDoc {
    /// Item code (the anchor of the chart).
    pub item: String,
    /// Item name.
    pub name: String,
    /// The SVG.
    pub svg: String,
    /// Values drawn.
    pub values: usize,
    /// Of which marked H or L.
    pub marked: usize,
    /// The bands' edition, where shaded.
    pub edition: String,
}

/// A panel of charts.
#[derive(Debug, Clone)]
pub struct PanelDoc {
    /// Label.
    pub label: String,
    /// Charts.
    pub charts: Vec<ChartDoc>,
}

/// Days from the Common Era: the time axis.
fn x_of(d: NaiveDate) -> f64 {
    f64::from(chrono::Datelike::num_days_from_ce(&d))
}

fn level(c: Category) -> BandLevel {
    match c {
        Category::A => BandLevel::Normal,
        Category::B => BandLevel::Mild,
        Category::C => BandLevel::Watch,
        _ => BandLevel::Abnormal,
    }
}

/// The charts of the numeric checkup values in `r`, by panel.
pub fn panels(items: &ItemTable, rules: &Rules, sex: Sex, r: &VisibleRecord, lang: Lang) -> Vec<PanelDoc> {
    let marker = Marker::new(rules, sex);
    // Item → values (oldest first), from checkups shown in full.
    let mut series: BTreeMap<String, Vec<(NaiveDate, f64, iphr_charts::Mark, String)>> = BTreeMap::new();
    for e in r.events.iter().rev().filter(|e| e.event.kind == EventKind::Checkup && e.shown == Shown::Full) {
        for o in &e.observations {
            let Value::Number { value, unit } = &o.value else { continue };
            if o.atr.kind == DataKind::Judgement {
                continue;
            }
            series.entry(o.item.to_string()).or_default().push((o.event_date, *value, marker.mark(o), unit.clone()));
        }
    }
    let chart = |code: &str| -> Option<ChartDoc> {
        let values = series.get(code)?;
        let def = items.get_str(code);
        let name =
            def.map_or(code.to_string(), |d| if lang == Lang::En { d.name_en.clone() } else { d.name_ja.clone() });
        let unit = values.last().map(|v| v.3.clone()).unwrap_or_default();
        let latest = values.last().map(|v| v.0)?;
        let mut edition = String::new();
        let bands: Vec<Band> = match rules.bands_for_item(code, sex, latest) {
            Some((_, bands)) if bands.iter().all(|b| unit_key(&b.unit) == unit_key(&unit)) => {
                edition = bands.first().map(|b| b.edition.clone()).unwrap_or_default();
                bands
                    .iter()
                    .map(|b| Band {
                        lower: b.lower,
                        upper: b.upper,
                        level: level(b.category),
                        label: b.category.as_str().to_string(),
                    })
                    .collect()
            }
            _ => vec![],
        };
        let decimals = values
            .iter()
            .map(|v| {
                let s = format!("{}", v.1);
                s.split_once('.').map_or(0, |(_, d)| d.len())
            })
            .max()
            .unwrap_or(0)
            .min(2);
        // A year with two checkups (特定業務 every six months) ticks by month.
        let per_year = |y: i32| values.iter().filter(|v| chrono::Datelike::year(&v.0) == y).count();
        let points: Vec<Point> = values
            .iter()
            .map(|(d, v, m, _)| Point {
                x: x_of(*d),
                tick: {
                    let y = chrono::Datelike::year(d);
                    if per_year(y) > 1 { format!("{}/{}", y % 100, chrono::Datelike::month(d)) } else { y.to_string() }
                },
                date: d.to_string(),
                y: *v,
                mark: *m,
            })
            .collect();
        let marked = points.iter().filter(|p| p.mark != iphr_charts::Mark::Normal).count();
        let svg = TrendChart {
            title: name.clone(),
            unit: super::views::unit_label(&unit, lang).to_string(),
            points,
            bands,
            bands_source: edition.clone(),
            decimals,
        }
        .to_svg();
        Some(ChartDoc { item: code.to_string(), name, svg, values: values.len(), marked, edition })
    };
    let mut out = Vec::new();
    let mut drawn: Vec<String> = Vec::new();
    for p in trend_panels().unwrap_or_default() {
        let charts: Vec<ChartDoc> = p.item_codes().filter_map(&chart).collect();
        drawn.extend(p.item_codes().map(str::to_string));
        if !charts.is_empty() {
            out.push(PanelDoc {
                label: if lang == Lang::En { p.label_en.clone() } else { p.label_ja.clone() },
                charts,
            });
        }
    }
    let others: Vec<ChartDoc> = series.keys().filter(|k| !drawn.contains(k)).filter_map(|k| chart(k)).collect();
    if !others.is_empty() {
        out.push(PanelDoc {
            label: if lang == Lang::En { "Other items".into() } else { "その他の項目".into() },
            charts: others,
        });
    }
    out
}
