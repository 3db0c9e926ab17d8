//! Writing SVG text: escaping, numbers, a linear scale.

use std::fmt::Write;

/// Escapes text for an XML text node or an attribute value.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with one decimal (enough for a screen or a PDF; keeps the markup short).
pub(crate) fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// A value as a reader wants it: at most `decimals` decimals, trailing zeros dropped.
pub(crate) fn value(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A linear map from a data interval onto a pixel interval (the pixel interval may run backwards,
/// as the y axis does).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub(crate) d0: f64,
    pub(crate) d1: f64,
    pub(crate) p0: f64,
    pub(crate) p1: f64,
}

impl Scale {
    pub(crate) fn at(&self, v: f64) -> f64 {
        if (self.d1 - self.d0).abs() < f64::EPSILON {
            return (self.p0 + self.p1) / 2.0;
        }
        self.p0 + (v - self.d0) / (self.d1 - self.d0) * (self.p1 - self.p0)
    }
}

/// "Nice" tick values covering `lo..=hi` (1, 2, 5 × 10ⁿ steps), at most about `max` of them.
pub(crate) fn ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || max == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / max as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let mut out = Vec::new();
    let mut t = (lo / step).ceil() * step;
    while t <= hi + step * 1e-9 {
        // Avoid -0 and float noise such as 0.30000000000000004.
        out.push(((t / step).round() * step * 1e6).round() / 1e6 + 0.0);
        t += step;
    }
    out
}

/// Opens an `<svg>` with its accessible name and description.
pub(crate) fn open(out: &mut String, class: &str, width: f64, height: f64, title: &str, desc: &str) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" font-family="sans-serif" font-size="10"><title>{}</title><desc>{}</desc>"#,
        esc(class),
        n(width),
        n(height),
        n(width),
        n(height),
        esc(title),
        esc(desc)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_control_characters() {
        assert_eq!(esc("<a & \"b\">'\u{1}"), "&lt;a &amp; &quot;b&quot;&gt;&#39;");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.04), "12");
        assert_eq!(n(12.06), "12.1");
        assert_eq!(value(6.50, 1), "6.5");
        assert_eq!(value(140.0, 1), "140");
        assert_eq!(value(0.25, 2), "0.25");
    }

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        assert_eq!(ticks(0.0, 100.0, 5), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(ticks(5.1, 6.9, 4), vec![5.5, 6.0, 6.5]);
        assert_eq!(ticks(3.0, 3.0, 4), vec![3.0]);
    }

    #[test]
    fn a_scale_maps_both_ends_and_a_flat_range_to_the_middle() {
        let s = Scale { d0: 0.0, d1: 100.0, p0: 200.0, p1: 0.0 };
        assert_eq!(s.at(0.0), 200.0);
        assert_eq!(s.at(100.0), 0.0);
        assert_eq!(s.at(25.0), 150.0);
        let flat = Scale { d0: 5.0, d1: 5.0, p0: 0.0, p1: 10.0 };
        assert_eq!(flat.at(5.0), 5.0);
    }
}
