//! One checkup item over the years, with the judgement bands (判定区分) in force shaded behind the
//! line, and every value outside the reference marked by a triangle and a letter (H above, L below).

use crate::svg::{Scale, esc, n, open, ticks, value};
use std::fmt::Write;

/// How a value stands against the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Within the reference.
    Normal,
    /// Above it (or flagged H by the institution).
    High,
    /// Below it (or flagged L).
    Low,
}

impl Mark {
    fn letter(self) -> &'static str {
        match self {
            Mark::Normal => "",
            Mark::High => "H",
            Mark::Low => "L",
        }
    }
}

/// One value.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Position on the time axis (e.g. days since an epoch): only the differences count.
    pub x: f64,
    /// Tick label under the point (e.g. `2024`).
    pub tick: String,
    /// The date in full, for the description (e.g. `2024-05-10`).
    pub date: String,
    /// The value.
    pub y: f64,
    /// Its mark.
    pub mark: Mark,
}

/// How far from normal a band is (drawn from pale green to red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BandLevel {
    /// 異常なし.
    Normal,
    /// 軽度異常.
    Mild,
    /// 要再検査・生活改善.
    Watch,
    /// 要精密検査・治療.
    Abnormal,
}

impl BandLevel {
    fn fill(self) -> &'static str {
        match self {
            BandLevel::Normal => "#e3f4e1",
            BandLevel::Mild => "#fbf6d9",
            BandLevel::Watch => "#fde7cf",
            BandLevel::Abnormal => "#f9d6d5",
        }
    }
}

/// One band: `lower ..= upper` (open where `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Lower bound.
    pub lower: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
    /// Level.
    pub level: BandLevel,
    /// Label drawn in the band (e.g. the category letter `B`).
    pub label: String,
}

/// The chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TrendChart {
    /// Accessible name (the item, e.g. `収縮期血圧`).
    pub title: String,
    /// Unit shown after values.
    pub unit: String,
    /// Values, any order (drawn by `x`).
    pub points: Vec<Point>,
    /// Bands in force; may be empty.
    pub bands: Vec<Band>,
    /// Where the bands come from, for the description (e.g. the table's edition).
    pub bands_source: String,
    /// Decimals of the values.
    pub decimals: usize,
}

const W: f64 = 360.0;
const H: f64 = 180.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 18.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 24.0;

impl TrendChart {
    /// The value range drawn: the values and the normal band's bounds, padded.
    fn range(&self) -> (f64, f64) {
        let mut lo = self.points.iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
        let mut hi = self.points.iter().map(|p| p.y).fold(f64::NEG_INFINITY, f64::max);
        for b in self.bands.iter().filter(|b| b.level == BandLevel::Normal) {
            for v in [b.lower, b.upper].into_iter().flatten() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if !lo.is_finite() || !hi.is_finite() {
            return (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.02).max(0.5);
        let lo = if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad };
        (lo, hi + pad)
    }

    /// The bands sorted from low to high, each reaching up to the next one's lower bound (the
    /// tables write inclusive bounds such as 129 / 130, which would leave slivers).
    fn spans(&self) -> Vec<(f64, f64, &Band)> {
        let mut bands: Vec<&Band> = self.bands.iter().collect();
        bands.sort_by(|a, b| a.lower.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY)));
        let mut out = Vec::new();
        for (i, b) in bands.iter().enumerate() {
            let from = b.lower.unwrap_or(f64::NEG_INFINITY);
            let to = bands
                .get(i + 1)
                .and_then(|next| next.lower)
                .filter(|l| b.upper.is_none_or(|u| *l - u <= 1.0 + f64::EPSILON))
                .or(b.upper)
                .unwrap_or(f64::INFINITY);
            out.push((from, to, *b));
        }
        out
    }

    /// The SVG markup.
    pub fn to_svg(&self) -> String {
        let (lo, hi) = self.range();
        let y = Scale { d0: lo, d1: hi, p0: H - BOTTOM, p1: TOP };
        let x0 = self.points.iter().map(|p| p.x).fold(f64::INFINITY, f64::min);
        let x1 = self.points.iter().map(|p| p.x).fold(f64::NEG_INFINITY, f64::max);
        let inset = 16.0;
        let x = Scale { d0: x0, d1: x1, p0: LEFT + inset, p1: W - RIGHT - inset };
        let mut out = String::with_capacity(4096);
        open(&mut out, "chart trend", W, H, &self.title, &self.description());
        for (from, to, b) in self.spans() {
            let (a, z) = (from.max(lo), to.min(hi));
            if z <= a {
                continue;
            }
            let (top, bottom) = (y.at(z), y.at(a));
            let _ = write!(
                out,
                r##"<rect class="band" x="{}" y="{}" width="{}" height="{}" fill="{}"/><text x="{}" y="{}" text-anchor="end" fill="#777">{}</text>"##,
                n(LEFT),
                n(top),
                n(W - LEFT - RIGHT),
                n(bottom - top),
                b.level.fill(),
                n(W - RIGHT - 2.0),
                n((top + bottom) / 2.0 + 3.0),
                esc(&b.label)
            );
        }
        for t in ticks(lo, hi, 4) {
            let py = y.at(t);
            let _ = write!(
                out,
                r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-opacity="0.08"/><text x="{}" y="{}" text-anchor="end" fill="#555">{}</text>"##,
                n(LEFT),
                n(py),
                n(W - RIGHT),
                n(py),
                n(LEFT - 3.0),
                n(py + 3.0),
                value(t, self.decimals.max(1))
            );
        }
        let mut points: Vec<&Point> = self.points.iter().collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        if points.len() > 1 {
            let path: Vec<String> = points.iter().map(|p| format!("{},{}", n(x.at(p.x)), n(y.at(p.y)))).collect();
            let _ = write!(
                out,
                r##"<polyline points="{}" fill="none" stroke="#2c3e50" stroke-width="1.5"/>"##,
                path.join(" ")
            );
        }
        for p in &points {
            let (px, py) = (x.at(p.x), y.at(p.y));
            let tip = esc(&format!("{} {}{} {}", p.date, value(p.y, self.decimals), self.unit, p.mark.letter()));
            match p.mark {
                Mark::Normal => {
                    let _ = write!(
                        out,
                        r##"<circle class="pt" cx="{}" cy="{}" r="3" fill="#2c3e50"><title>{}</title></circle>"##,
                        n(px),
                        n(py),
                        tip.trim_end()
                    );
                }
                Mark::High | Mark::Low => {
                    let d = if p.mark == Mark::High { -1.0 } else { 1.0 };
                    let _ = write!(
                        out,
                        r##"<path class="pt {}" d="M{} {}L{} {}L{} {}Z" fill="#c0392b"><title>{}</title></path>"##,
                        if p.mark == Mark::High { "high" } else { "low" },
                        n(px),
                        n(py + 5.0 * d),
                        n(px - 4.5),
                        n(py - 3.5 * d),
                        n(px + 4.5),
                        n(py - 3.5 * d),
                        tip
                    );
                }
            }
            let label = format!("{}{}", value(p.y, self.decimals), p.mark.letter());
            let ly = if p.mark == Mark::Low { py + 14.0 } else { py - 7.0 };
            let _ = write!(
                out,
                r##"<text x="{}" y="{}" text-anchor="middle"{}>{}</text><text x="{}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
                n(px),
                n(ly),
                if p.mark == Mark::Normal { "" } else { r##" fill="#c0392b" font-weight="bold""## },
                esc(&label),
                n(px),
                n(H - BOTTOM + 14.0),
                esc(&p.tick)
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

    /// The description in words: every value with its mark, then the bands.
    pub fn description(&self) -> String {
        let mut points: Vec<&Point> = self.points.iter().collect();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut parts: Vec<String> = points
            .iter()
            .map(|p| {
                let m = p.mark.letter();
                let m = if m.is_empty() { String::new() } else { format!("({m})") };
                format!("{} {}{}{m}", p.date, value(p.y, self.decimals), self.unit)
            })
            .collect();
        if !self.bands.is_empty() {
            let mut bands: Vec<&Band> = self.bands.iter().collect();
            bands.sort_by(|a, b| a.lower.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.lower.unwrap_or(f64::NEG_INFINITY)));
            let text: Vec<String> = bands
                .iter()
                .map(|b| match (b.lower, b.upper) {
                    (Some(l), Some(u)) => format!("{} {}〜{}", b.label, value(l, 3), value(u, 3)),
                    (Some(l), None) => format!("{} {}以上", b.label, value(l, 3)),
                    (None, Some(u)) => format!("{} {}以下", b.label, value(u, 3)),
                    (None, None) => b.label.clone(),
                })
                .collect();
            let source = if self.bands_source.is_empty() { String::new() } else { format!("({})", self.bands_source) };
            parts.push(format!("判定区分{source}: {}", text.join("、")));
        }
        parts.join("、")
    }
}
