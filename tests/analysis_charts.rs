//! The sweep charts: each is valid SVG and a decodable PNG of the same size, draws exactly one
//! palette colour per policy it shows (and none besides), and labels its axes with units.
//! Eight policies and 21 grid points are covered.
//!
//! Set `ANALYSIS_CHARTS_OUT=DIR` to also write the charts to DIR, to look at them.

use std::collections::BTreeSet;

use buffersim::foundation::stats::Interval;
use buffersim::presentation::charts::{
    self, AxisSpec, Chart, CurveChart, CurvePoint, CurveSeries, FRONTIER_NAME, FrontierChart,
    FrontierPoint, HeatMapChart, PALETTE, TargetLine,
};
use buffersim::presentation::format::ValueKind;

const NAMES: [&str; 8] = [
    "kanban",
    "jic-95",
    "jic-95-rush",
    "jic-30d",
    "hybrid with a long descriptive name",
    "min-max",
    "base-stock",
    "periodic-review",
];

/// 21 values from 0 to 1.
fn grid() -> Vec<f64> {
    (0..21).map(|i| f64::from(i) / 20.0).collect()
}

fn stockout(k: usize, x: f64) -> f64 {
    0.09 * (-3.0 * x).exp() * (1.0 + 0.12 * k as f64) + 0.002
}

fn cost(k: usize, x: f64) -> f64 {
    12_000.0 * (1.0 + 1.4 * x) * (1.0 + 0.07 * k as f64)
}

/// One curve per policy over the grid: `point(k, x)` is policy k's (x, mean, half-width).
fn series(policies: usize, point: impl Fn(usize, f64) -> (f64, f64, f64)) -> Vec<CurveSeries> {
    (0..policies)
        .map(|k| CurveSeries {
            label: NAMES[k].to_string(),
            policy_index: k,
            points: grid()
                .into_iter()
                .map(|x| {
                    let (x, mean, half) = point(k, x);
                    CurvePoint {
                        x,
                        mean,
                        ci95: Some(Interval {
                            low: mean - half,
                            high: mean + half,
                        }),
                    }
                })
                .collect(),
        })
        .collect()
}

fn curves(policies: usize) -> Chart {
    charts::sweep_curves(CurveChart {
        name: charts::sweep_curve_name("stockout_rate").unwrap(),
        title: "Stockout rate against the safety factor".into(),
        subtitle: "kanban-vs-jic: policy.kanban.safety_factor from 0 to 1 in 21 steps".into(),
        runs: 2000,
        x: AxisSpec {
            desc: "policy.kanban.safety_factor (share of lead-time demand)".into(),
            kind: ValueKind::Number,
        },
        y: AxisSpec {
            desc: "Stockout rate (% of demand)".into(),
            kind: ValueKind::Percent,
        },
        series: series(policies, |k, x| (x, stockout(k, x), stockout(k, x) * 0.1)),
        target: Some(TargetLine {
            value: 0.02,
            label: "target 2%".into(),
        }),
    })
    .unwrap()
}

fn heat_map(index: usize, size: (usize, usize)) -> Chart {
    let xs: Vec<f64> = (0..size.0).map(|i| i as f64 * 0.05).collect();
    let ys: Vec<f64> = (0..size.1).map(|j| 10.0 + 2.0 * j as f64).collect();
    let means = ys
        .iter()
        .map(|&y| {
            xs.iter()
                .enumerate()
                .map(|(i, &x)| (i != 3).then(|| stockout(index, x) * y / 20.0))
                .collect()
        })
        .collect();
    charts::sweep_heat_map(HeatMapChart {
        name: charts::heat_map_name(index).unwrap(),
        title: format!(
            "Stockout rate of {}: safety factor × outage length",
            NAMES[index]
        ),
        subtitle: "kanban-vs-jic, two parameters varied together".into(),
        runs: 1000,
        policy: NAMES[index].into(),
        policy_index: index,
        x: AxisSpec {
            desc: "policy.kanban.safety_factor (share)".into(),
            kind: ValueKind::Number,
        },
        x_values: xs,
        y: AxisSpec {
            desc: "disruption.overseas-outage.duration_days.mean (days)".into(),
            kind: ValueKind::Number,
        },
        y_values: ys,
        metric: AxisSpec {
            desc: "Stockout rate (% of demand)".into(),
            kind: ValueKind::Percent,
        },
        means,
    })
    .unwrap()
}

fn frontier_data(policies: usize) -> Vec<FrontierPoint> {
    let labels = charts::value_labels(ValueKind::Number, &grid());
    (0..policies)
        .flat_map(|k| {
            grid()
                .into_iter()
                .zip(labels.clone())
                .map(move |(x, label)| FrontierPoint {
                    policy_index: k,
                    cost: cost(k, x),
                    stockout_rate: stockout(k, x) * (1.0 - 0.1 * (k % 3) as f64),
                    label,
                })
        })
        .collect()
}

fn frontier(policies: usize) -> Chart {
    charts::efficient_frontier(FrontierChart {
        name: FRONTIER_NAME,
        title: "Efficient frontier: carrying cost against stockout rate".into(),
        subtitle: "kanban-vs-jic: policy.kanban.safety_factor from 0 to 1".into(),
        runs: 2000,
        policies: NAMES.iter().map(|n| n.to_string()).collect(),
        points: frontier_data(policies),
        currency: Some("EUR".into()),
    })
    .unwrap()
}

fn save(chart: &Chart, suffix: &str) {
    if let Some(dir) = std::env::var_os("ANALYSIS_CHARTS_OUT") {
        let dir = std::path::Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        let stem = format!("{}{suffix}", chart.name);
        std::fs::write(dir.join(format!("{stem}.svg")), &chart.svg).unwrap();
        std::fs::write(dir.join(format!("{stem}.png")), &chart.png).unwrap();
    }
}

/// What a chart's files hold: palette colours drawn, and its texts.
struct Drawn {
    colours: BTreeSet<String>,
    texts: Vec<String>,
}

fn check(chart: &Chart) -> Drawn {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{}: not well-formed SVG: {e}", chart.name));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.attribute("width"),
        Some(chart.width.to_string().as_str())
    );
    assert_eq!(
        root.attribute("height"),
        Some(chart.height.to_string().as_str())
    );
    let palette: Vec<String> = (0..PALETTE.len()).map(charts::policy_colour_hex).collect();
    let mut colours = BTreeSet::new();
    let mut texts = Vec::new();
    for node in root.descendants().filter(|n| n.is_element()) {
        for attr in ["fill", "stroke"] {
            if let Some(c) = node.attribute(attr)
                && palette.iter().any(|p| p.eq_ignore_ascii_case(c))
            {
                colours.insert(c.to_uppercase());
            }
        }
        if node.has_tag_name("text") {
            texts.push(node.text().unwrap_or("").trim().to_string());
        }
    }
    let decoder = png::Decoder::new(std::io::Cursor::new(&chart.png));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!(info.width, chart.width * 2, "{}", chart.name);
    assert_eq!(info.height, chart.height * 2, "{}", chart.name);
    assert!(!chart.caption.is_empty());
    Drawn { colours, texts }
}

fn hexes(indices: impl Iterator<Item = usize>) -> BTreeSet<String> {
    indices.map(charts::policy_colour_hex).collect()
}

#[test]
fn sweep_curves_draw_one_colour_per_policy_with_bands_and_a_target() {
    for policies in [1, 3, 8] {
        let chart = curves(policies);
        save(&chart, &format!("-{policies}"));
        let drawn = check(&chart);
        assert_eq!(drawn.colours, hexes(0..policies));
        assert_eq!(chart.series, policies);
        assert_eq!(chart.name, "sweep-stockout-rate");
        for text in [
            "Stockout rate (% of demand)",
            "policy.kanban.safety_factor (share of lead-time demand)",
            "target 2%",
        ] {
            assert!(drawn.texts.iter().any(|t| t == text), "{text}");
        }
        assert!(chart.caption.contains("95% confidence interval"));
        assert!(chart.caption.contains("2,000 runs"));
        // Every policy's name in the legend.
        for name in &NAMES[..policies] {
            assert!(drawn.texts.iter().any(|t| t == name), "{name}");
        }
        // A translucent band per policy.
        let bands = roxmltree::Document::parse(&chart.svg)
            .unwrap()
            .descendants()
            .filter(|n| n.has_tag_name("polygon") && n.attribute("opacity") == Some("0.16"))
            .count();
        assert_eq!(bands, policies);
    }
}

#[test]
fn money_curves_without_a_target_start_where_the_values_are() {
    let series = series(2, |k, x| (10.0 + 20.0 * x, cost(k, x) + 50_000.0, 900.0));
    let chart = charts::sweep_curves(CurveChart {
        name: charts::sweep_curve_name("total_cost").unwrap(),
        title: "Total cost against the outage length".into(),
        subtitle: String::new(),
        runs: 1,
        x: AxisSpec {
            desc: "disruption.overseas-outage.duration_days.mean (days)".into(),
            kind: ValueKind::Number,
        },
        y: AxisSpec {
            desc: "Total cost (currency per year)".into(),
            kind: ValueKind::Money,
        },
        series,
        target: None,
    })
    .unwrap();
    save(&chart, "");
    let drawn = check(&chart);
    assert_eq!(drawn.colours, hexes(0..2));
    assert!(chart.caption.contains("each the mean over 1 run;"));
    assert!(!drawn.texts.iter().any(|t| t == "0"), "{:?}", drawn.texts);
}

#[test]
fn heat_maps_use_their_policy_colour_only_and_write_values_that_fit() {
    for (index, size) in [(0, (5, 4)), (4, (21, 21)), (7, (11, 6)), (2, (41, 3))] {
        let chart = heat_map(index, size);
        save(&chart, "");
        let drawn = check(&chart);
        assert_eq!(chart.name, format!("heat-map-{index}"));
        // The policy's swatch: its colour, and no other palette colour (the scale avoids them).
        assert_eq!(drawn.colours, hexes(std::iter::once(index)));
        assert_eq!(chart.series, 1);
        assert!(
            drawn
                .texts
                .iter()
                .any(|t| t == "Stockout rate (% of demand)")
        );
        assert!(
            drawn
                .texts
                .iter()
                .any(|t| t == "disruption.overseas-outage.duration_days.mean (days)")
        );
        // The cell left out is marked, and the others carry their values where they fit.
        let cells = drawn.texts.iter().filter(|t| t.ends_with('%')).count();
        if size.0 <= 21 {
            assert!(drawn.texts.iter().any(|t| t == "–"));
            assert!(cells >= size.0 * size.1 - size.1, "{cells}");
            assert!(chart.caption.contains("(written in it)"));
        } else {
            // Cells too narrow for a value: the colour alone, and the caption says so.
            assert!(!chart.caption.contains("(written in it)"));
            assert!(!drawn.texts.iter().any(|t| t == "–"));
        }
    }
    assert_eq!(charts::heat_map_name(16), None);
}

#[test]
fn the_frontier_chart_joins_and_labels_the_efficient_points() {
    for policies in [1, 8] {
        let chart = frontier(policies);
        save(&chart, &format!("-{policies}"));
        let drawn = check(&chart);
        assert_eq!(drawn.colours, hexes(0..policies));
        assert_eq!(chart.series, policies);
        let cost = format!(
            "{} (carrying + expediting + purchase premium) (EUR)",
            charts::FRONTIER_COST
        );
        for text in [cost.as_str(), "Stockout rate (% of demand)"] {
            assert!(drawn.texts.iter().any(|t| t == text), "{text}");
        }
        // Every frontier point is labelled with its value, or numbered with its value in the
        // key ("policy: value").
        let points = frontier_data(policies);
        let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.cost, p.stockout_rate)).collect();
        let on = charts::frontier_points(&pairs);
        for &i in &on {
            let label = &points[i].label;
            let keyed = format!("{}: {label}", NAMES[points[i].policy_index]);
            assert!(
                drawn.texts.iter().any(|t| t == label || *t == keyed),
                "{label} of {}",
                NAMES[points[i].policy_index]
            );
        }
    }
}

#[test]
fn frontier_points_are_the_undominated_ones_by_cost() {
    let points = [
        (3.0, 0.10), // 0: dominated by 1
        (2.0, 0.10), // 1
        (1.0, 0.30), // 2
        (5.0, 0.01), // 3
        (2.0, 0.10), // 4: equal to 1, kept
        (4.0, 0.05), // 5
        (4.0, 0.06), // 6: dominated by 5 (same cost, higher rate)
        (f64::NAN, 0.0),
    ];
    assert_eq!(charts::frontier_points(&points), [2, 1, 4, 5, 3]);
    assert!(charts::frontier_points(&[]).is_empty());
}

#[test]
fn grid_values_get_the_decimals_they_need() {
    let labels = |kind, values: &[f64]| charts::value_labels(kind, values);
    assert_eq!(
        labels(ValueKind::Number, &[0.0, 0.05, 0.1, 0.15]),
        ["0.00", "0.05", "0.10", "0.15"]
    );
    assert_eq!(labels(ValueKind::Number, &[10.0, 20.0]), ["10", "20"]);
    assert_eq!(
        labels(ValueKind::Percent, &[0.9, 0.95, 0.99]),
        ["90%", "95%", "99%"]
    );
    assert_eq!(
        labels(ValueKind::Money, &[1500.0, 25_000.0]),
        ["1,500", "25,000"]
    );
}
