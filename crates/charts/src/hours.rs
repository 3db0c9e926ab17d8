//! Overtime of the last months as bars, with the lines the rules draw (e.g. 45 h: the 36協定 limit
//! 限度時間; 80 h: the 面接指導 line of 安衛則52条の2; 100 h: the monthly cap of 労基法36条6項), and
//! the night shifts of each month as a row of numbers under the bars.

use crate::svg::{Scale, esc, n, open, ticks, value};
use std::fmt::Write;

/// One month.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// Label under the bar (e.g. `4月`; `25/4` when the range crosses a year).
    pub label: String,
    /// 時間外・休日労働 hours of the month; `None` when no attendance was recorded.
    pub overtime: Option<f64>,
    /// Night shifts (深夜業の回数) of the month, where recorded.
    pub night_shifts: Option<f64>,
}

/// A horizontal line at a threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// Hours.
    pub hours: f64,
    /// Label at the right end of the line (e.g. `80h`).
    pub label: String,
    /// What crossing it means, for the description (e.g. `面接指導の対象`).
    pub meaning: String,
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct HoursChart {
    /// Accessible name.
    pub title: String,
    /// The months, oldest first.
    pub months: Vec<Month>,
    /// Lines, any order.
    pub thresholds: Vec<Threshold>,
    /// Label of the night-shift row (e.g. `深夜`).
    pub night_label: String,
    /// Word for a month without attendance (e.g. `記録なし`).
    pub no_data: String,
}

const W: f64 = 420.0;
const H: f64 = 176.0;
const LEFT: f64 = 30.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

impl HoursChart {
    /// The SVG markup.
    pub fn to_svg(&self) -> String {
        let max_value = self.months.iter().filter_map(|m| m.overtime).fold(0.0, f64::max);
        let max_line = self.thresholds.iter().map(|t| t.hours).fold(0.0, f64::max);
        let top = (max_value.max(max_line) * 1.08).max(10.0);
        let y = Scale { d0: 0.0, d1: top, p0: H - BOTTOM, p1: TOP };
        let slot = (W - LEFT - RIGHT) / self.months.len().max(1) as f64;
        let mut out = String::with_capacity(4096);
        open(&mut out, "chart hours", W, H, &self.title, &self.description());
        // Axis and grid.
        for t in ticks(0.0, top, 4) {
            let py = y.at(t);
            let _ = write!(
                out,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end" fill="#555">{}</text>"##,
                n(LEFT),
                n(py),
                n(W - RIGHT),
                n(py),
                n(LEFT - 3.0),
                n(py + 3.0),
                value(t, 0)
            );
        }
        // Bars: a month over a line is drawn darker and carries its value above the bar.
        let lowest_line = self.thresholds.iter().map(|t| t.hours).fold(f64::INFINITY, f64::min);
        for (i, m) in self.months.iter().enumerate() {
            let x = LEFT + slot * i as f64;
            let cx = x + slot / 2.0;
            match m.overtime {
                Some(v) => {
                    let over = v > lowest_line;
                    let top_px = y.at(v.max(0.0));
                    let _ = write!(
                        out,
                        r#"<rect class="{}" x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>"#,
                        if over { "bar over" } else { "bar" },
                        n(x + slot * 0.18),
                        n(top_px),
                        n(slot * 0.64),
                        n((H - BOTTOM - top_px).max(0.0)),
                        if over { "#c0392b" } else { "#5b8db8" },
                        esc(&format!("{} {}h", m.label, value(v, 1)))
                    );
                    if over {
                        let _ = write!(
                            out,
                            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
                            n(cx),
                            n(top_px - 2.0),
                            value(v, 0)
                        );
                    }
                }
                None => {
                    let _ = write!(
                        out,
                        r##"<text x="{}" y="{}" text-anchor="middle" fill="#999">–</text>"##,
                        n(cx),
                        n(H - BOTTOM - 3.0)
                    );
                }
            }
            let _ = write!(
                out,
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                n(cx),
                n(H - BOTTOM + 12.0),
                esc(&m.label)
            );
            if let Some(ns) = m.night_shifts {
                let _ = write!(
                    out,
                    r##"<text class="night" x="{}" y="{}" text-anchor="middle" fill="#6c3483">{}</text>"##,
                    n(cx),
                    n(H - BOTTOM + 26.0),
                    value(ns, 0)
                );
            }
        }
        if self.months.iter().any(|m| m.night_shifts.is_some()) {
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" text-anchor="end" fill="#6c3483">{}</text>"##,
                n(LEFT - 3.0),
                n(H - BOTTOM + 26.0),
                esc(&self.night_label)
            );
        }
        // Threshold lines over the bars, dashed, labelled at the right.
        for t in &self.thresholds {
            let py = y.at(t.hours);
            let _ = write!(
                out,
                r##"<line class="threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333" stroke-dasharray="4 3"/><text x="{}" y="{}" fill="#333">{}</text>"##,
                n(LEFT),
                n(py),
                n(W - RIGHT),
                n(py),
                n(W - RIGHT + 3.0),
                n(py + 3.0),
                esc(&t.label)
            );
        }
        let _ = write!(
            out,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#333"/></svg>"##,
            n(LEFT),
            n(H - BOTTOM),
            n(W - RIGHT),
            n(H - BOTTOM)
        );
        out
    }

    /// The description in words: every month's hours and night shifts, and the months over each
    /// line.
    pub fn description(&self) -> String {
        let mut parts: Vec<String> = self
            .months
            .iter()
            .map(|m| {
                let h = m.overtime.map_or_else(|| self.no_data.clone(), |v| format!("{}h", value(v, 1)));
                match m.night_shifts {
                    Some(ns) => format!("{} {h}({}{})", m.label, self.night_label, value(ns, 0)),
                    None => format!("{} {h}", m.label),
                }
            })
            .collect();
        let mut lines: Vec<&Threshold> = self.thresholds.iter().collect();
        lines.sort_by(|a, b| a.hours.total_cmp(&b.hours));
        for t in lines {
            let over: Vec<&str> = self
                .months
                .iter()
                .filter(|m| m.overtime.is_some_and(|v| v > t.hours))
                .map(|m| m.label.as_str())
                .collect();
            if !over.is_empty() {
                parts.push(format!("{}超({}): {}", t.label, t.meaning, over.join("・")));
            }
        }
        parts.join("、")
    }
}
