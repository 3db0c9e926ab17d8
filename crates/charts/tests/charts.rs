//! The charts as a browser or a PDF engine reads them: well-formed SVG (parsed by roxmltree), the
//! right number of marks at the right places, and the words of the description.

use iphr_charts::{Band, BandLevel, HoursChart, Mark, Month, Point, Threshold, TrendChart};

fn hours() -> HoursChart {
    let values = [30.0, 44.9, 45.0, 45.1, 79.9, 80.0, 80.1, 100.5, 0.0];
    let mut months: Vec<Month> = values
        .iter()
        .enumerate()
        .map(|(i, v)| Month { label: format!("{}月", i + 4), overtime: Some(*v), night_shifts: Some(i as f64) })
        .collect();
    months.push(Month { label: "1月".into(), overtime: None, night_shifts: None });
    HoursChart {
        title: "時間外・休日労働(直近12か月)".into(),
        months,
        thresholds: vec![
            Threshold { hours: 80.0, label: "80h".into(), meaning: "面接指導".into() },
            Threshold { hours: 45.0, label: "45h".into(), meaning: "限度時間".into() },
            Threshold { hours: 100.0, label: "100h".into(), meaning: "上限".into() },
        ],
        night_label: "深夜".into(),
        no_data: "記録なし".into(),
    }
}

fn attr(n: roxmltree::Node<'_, '_>, a: &str) -> f64 {
    n.attribute(a).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

#[test]
fn the_hours_chart_draws_a_bar_per_recorded_month_and_marks_those_over_the_lowest_line() {
    let svg = hours().to_svg();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars: Vec<_> =
        doc.descendants().filter(|n| n.attribute("class").is_some_and(|c| c.starts_with("bar"))).collect();
    assert_eq!(bars.len(), 9, "no bar for the month without attendance");
    let over: Vec<_> = bars.iter().filter(|n| n.attribute("class") == Some("bar over")).collect();
    // 45.0 is not over 45 h; 45.1 is.
    assert_eq!(over.len(), 5);
    let lines: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("threshold")).collect();
    assert_eq!(lines.len(), 3);
    // The bar of exactly 80 h reaches the 80 h line.
    let line80 = lines.first().map(|l| attr(*l, "y1")).unwrap();
    let bar80 = bars.get(5).map(|b| attr(*b, "y")).unwrap();
    assert!((line80 - bar80).abs() <= 0.1, "{line80} vs {bar80}");
    let nights: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("night")).collect();
    assert_eq!(nights.len(), 9);
}

#[test]
fn the_hours_chart_says_in_words_which_months_crossed_which_line() {
    let d = hours().description();
    assert!(d.starts_with("4月 30h(深夜0)、5月 44.9h(深夜1)"), "{d}");
    assert!(d.contains("1月 記録なし"), "{d}");
    assert!(d.contains("45h超(限度時間): 7月・8月・9月・10月・11月"), "{d}");
    assert!(d.contains("80h超(面接指導): 10月・11月"), "{d}");
    assert!(d.contains("100h超(上限): 11月"), "{d}");
    // In the SVG's <desc>, escaped.
    let doc = roxmltree::Document::parse(&hours().to_svg())
        .unwrap()
        .descendants()
        .find(|n| n.has_tag_name("desc"))
        .map(|n| n.text().unwrap_or_default().to_string());
    assert_eq!(doc.as_deref(), Some(d.as_str()));
}

#[test]
fn an_empty_hours_chart_is_still_a_chart() {
    let c = HoursChart {
        title: "t".into(),
        months: vec![],
        thresholds: vec![],
        night_label: String::new(),
        no_data: String::new(),
    };
    roxmltree::Document::parse(&c.to_svg()).unwrap();
}

fn sbp() -> TrendChart {
    let p = |x: f64, year: &str, y: f64, mark| Point { x, tick: year.into(), date: format!("{year}-05-10"), y, mark };
    TrendChart {
        title: "収縮期血圧".into(),
        unit: "mmHg".into(),
        points: vec![
            p(365.0, "2020", 128.0, Mark::Normal),
            p(0.0, "2019", 122.0, Mark::Normal),
            p(730.0, "2021", 146.0, Mark::High),
            p(1095.0, "2022", 162.0, Mark::High),
        ],
        bands: vec![
            Band { lower: Some(130.0), upper: Some(139.0), level: BandLevel::Mild, label: "B".into() },
            Band { lower: None, upper: Some(129.0), level: BandLevel::Normal, label: "A".into() },
            Band { lower: Some(140.0), upper: Some(159.0), level: BandLevel::Watch, label: "C".into() },
            Band { lower: Some(160.0), upper: None, level: BandLevel::Abnormal, label: "D".into() },
        ],
        bands_source: "judgement-ningen-dock-v1".into(),
        decimals: 0,
    }
}

#[test]
fn the_trend_chart_shades_the_bands_and_marks_high_values_by_shape_and_letter() {
    let svg = sbp().to_svg();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bands: Vec<_> = doc.descendants().filter(|n| n.attribute("class") == Some("band")).collect();
    assert_eq!(bands.len(), 4);
    // Bands touch: B's top is C's bottom (130–139 then 140: no sliver at 139.5).
    let (b, c) = (bands.get(1).unwrap(), bands.get(2).unwrap());
    assert!((attr(*b, "y") - (attr(*c, "y") + attr(*c, "height"))).abs() < 0.11);
    let highs = doc.descendants().filter(|n| n.attribute("class") == Some("pt high")).count();
    let normals = doc.descendants().filter(|n| n.attribute("class") == Some("pt")).count();
    assert_eq!((highs, normals), (2, 2));
    assert!(svg.contains(">146H</text>") && svg.contains(">162H</text>") && svg.contains(">122</text>"));
    // The points are drawn left to right whatever their order in.
    let line = doc.descendants().find(|n| n.has_tag_name("polyline")).unwrap();
    let xs: Vec<f64> =
        line.attribute("points").unwrap().split(' ').map(|p| p.split(',').next().unwrap().parse().unwrap()).collect();
    assert!(xs.windows(2).all(|w| w[0] < w[1]), "{xs:?}");
}

#[test]
fn the_trend_chart_says_every_value_and_the_bands_in_words() {
    assert_eq!(
        sbp().description(),
        "2019-05-10 122mmHg、2020-05-10 128mmHg、2021-05-10 146mmHg(H)、2022-05-10 162mmHg(H)、\
         判定区分(judgement-ningen-dock-v1): A 129以下、B 130〜139、C 140〜159、D 160以上"
    );
}

#[test]
fn one_value_and_no_bands_is_a_chart_too() {
    let mut c = sbp();
    c.points.truncate(1);
    c.bands.clear();
    let svg = c.to_svg();
    roxmltree::Document::parse(&svg).unwrap();
    assert!(!svg.contains("polyline"));
}

#[test]
fn text_from_the_caller_is_escaped() {
    let mut c = sbp();
    c.title = "<script>alert(1)</script>".into();
    let svg = c.to_svg();
    assert!(!svg.contains("<script>"));
    roxmltree::Document::parse(&svg).unwrap();
}

#[test]
fn snapshot_of_a_blood_pressure_chart() {
    insta::assert_snapshot!(sbp().to_svg());
}

#[test]
fn snapshot_of_an_hours_chart() {
    insta::assert_snapshot!(hours().to_svg());
}
