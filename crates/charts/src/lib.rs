//! Server-side SVG charts: the same markup is embedded in the pages (inline `<svg>`) and, later,
//! in the typst PDFs of the reports. No scripts, no external resources; every chart carries a
//! `<title>` and a `<desc>` that says in words what it draws (the values, the lines crossed), and
//! marks abnormal values by shape and letter as well as by colour (JIS X 8341-3 / WCAG 1.4.1: colour
//! is not the only means of conveying information).
//!
//! The charts know nothing of iphr's domain: the caller passes labels, values and bands already
//! decided (which thresholds, which judgement bands of which edition).

#![forbid(unsafe_code)]

mod hours;
mod svg;
mod trend;

pub use hours::{HoursChart, Month, Threshold};
pub use trend::{Band, BandLevel, Mark, Point, TrendChart};
