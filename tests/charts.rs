//! The chart fixes of issue 22, item 3: the cost breakdown's legend shows the colours its bars
//! are drawn in; the efficient frontier labels every efficient point and puts expediting on its
//! cost axis; a two-parameter sweep draws heat maps only for the policies it changes; the
//! charts over days are marked with months; and every item has an on-hand fan of its own, the
//! hand-computed stock path in a deterministic case, the same bytes at any thread count.
//!
//! Set `CHARTS_OUT=DIR` to also write the charts drawn here to DIR, to look at them.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use buffersim::model::scenario::Scenario;
use buffersim::presentation::charts::{
    self, Chart, FRONTIER_COST, FRONTIER_NAME, FrontierChart, FrontierPoint, PALETTE,
};
use buffersim::results::saved::{SavedFan, SavedSummary};
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::{ITEM_FAN_MAX_POINTS, ITEM_FANS};

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

fn scenario_from(toml: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn summary_of(scenario: &Scenario, runs: u64) -> Summary {
    let outcome = engine::simulate(scenario, runs, scenario.seed, &|_| {});
    Summary::new(scenario, &outcome)
}

fn saved_run(path: &str, runs: u64) -> SavedSummary {
    let scenario = Scenario::load(Path::new(path)).unwrap();
    SavedSummary::from_summary(&summary_of(&scenario, runs))
}

fn save(chart: &Chart, suffix: &str) {
    if let Some(dir) = std::env::var_os("CHARTS_OUT") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        let stem = format!("{}{suffix}", chart.name);
        std::fs::write(dir.join(format!("{stem}.svg")), &chart.svg).unwrap();
        std::fs::write(dir.join(format!("{stem}.png")), &chart.png).unwrap();
    }
}

fn chart<'a>(charts: &'a [Chart], name: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no chart {name}"))
}

/// A rectangle of an SVG file: its box, fill and opacity.
#[derive(Clone, Debug)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    fill: String,
    opacity: String,
}

/// A text of an SVG file: its anchor point, its alignment and what it says.
#[derive(Clone, Debug)]
struct Text {
    x: f64,
    y: f64,
    anchor: String,
    text: String,
}

struct Svg {
    rects: Vec<Rect>,
    texts: Vec<Text>,
    /// Polylines stroked in a palette colour: (colour, points).
    lines: Vec<(String, Vec<(f64, f64)>)>,
}

fn parse(chart: &Chart) -> Svg {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{}: not well-formed SVG: {e}", chart.name));
    let num = |n: roxmltree::Node, a: &str| n.attribute(a).map_or(0.0, |v| v.parse().unwrap());
    let palette: Vec<String> = (0..PALETTE.len()).map(charts::policy_colour_hex).collect();
    let mut svg = Svg {
        rects: Vec::new(),
        texts: Vec::new(),
        lines: Vec::new(),
    };
    for node in doc.descendants().filter(|n| n.is_element()) {
        match node.tag_name().name() {
            "rect" => svg.rects.push(Rect {
                x: num(node, "x"),
                y: num(node, "y"),
                w: num(node, "width"),
                h: num(node, "height"),
                fill: node.attribute("fill").unwrap_or("none").to_uppercase(),
                opacity: node.attribute("opacity").unwrap_or("1").to_string(),
            }),
            "text" => svg.texts.push(Text {
                x: num(node, "x"),
                y: num(node, "y"),
                anchor: node.attribute("text-anchor").unwrap_or("start").to_string(),
                text: node.text().unwrap_or("").trim().to_string(),
            }),
            "polyline" => {
                if let Some(c) = node.attribute("stroke")
                    && palette.iter().any(|p| p.eq_ignore_ascii_case(c))
                {
                    let points = node
                        .attribute("points")
                        .unwrap_or("")
                        .split_whitespace()
                        .map(|p| {
                            let (x, y) = p.split_once(',').unwrap();
                            (x.parse().unwrap(), y.parse().unwrap())
                        })
                        .collect();
                    svg.lines.push((c.to_uppercase(), points));
                }
            }
            _ => {}
        }
    }
    svg
}

fn is_palette(colour: &str) -> bool {
    (0..PALETTE.len()).any(|i| charts::policy_colour_hex(i).eq_ignore_ascii_case(colour))
}

/// Issue 22, item 3: the cost breakdown's legend was grey while its bars are drawn in the
/// policies' colours. Each kind's legend swatch now holds exactly the (colour, opacity) pairs
/// its bar segments are drawn in, one stripe per policy, and the hatched kinds are hatched in
/// both.
#[test]
fn issue_22_cost_breakdown_legend_shows_the_colours_its_bars_use() {
    let summary = saved_run("scenarios/kanban-vs-jic.toml", 60);
    let charts = charts::render_all(&summary).unwrap();
    let breakdown = chart(&charts, "cost-breakdown");
    save(breakdown, "");
    let svg = parse(breakdown);
    let kinds = [
        "carrying",
        "ordering",
        "stockout",
        "expediting",
        "purchase premium",
    ];
    let policies = summary.policies.len();
    let mut in_legend: BTreeSet<(String, String)> = BTreeSet::new();
    let mut legend_rects = 0;
    let mut opacities = BTreeSet::new();
    let mut legend_rows = Vec::new();
    let legend_labels = svg
        .texts
        .iter()
        .filter(|t| t.anchor == "start" && kinds.contains(&t.text.as_str()));
    for label in legend_labels {
        // The swatch: palette-coloured stripes centred on the label's line, left of it.
        let stripes: Vec<&Rect> = svg
            .rects
            .iter()
            .filter(|r| {
                is_palette(&r.fill)
                    && (r.y + r.h / 2.0 - label.y).abs() < 1.0
                    && r.x < label.x
                    && r.x > label.x - 90.0
            })
            .collect();
        assert!(!stripes.is_empty(), "{}: a swatch", label.text);
        let colours: BTreeSet<&str> = stripes.iter().map(|r| r.fill.as_str()).collect();
        assert_eq!(
            colours.len(),
            stripes.len(),
            "{}: a stripe per policy",
            label.text
        );
        assert!(stripes.len() <= policies);
        let alphas: BTreeSet<&str> = stripes.iter().map(|r| r.opacity.as_str()).collect();
        assert_eq!(alphas.len(), 1, "{}: one shade", label.text);
        assert!(
            opacities.insert(stripes[0].opacity.clone()),
            "shades differ"
        );
        legend_rects += stripes.len();
        in_legend.extend(stripes.iter().map(|r| (r.fill.clone(), r.opacity.clone())));
        legend_rows.push((label.text.clone(), label.y, stripes[0].x));
    }
    assert!(legend_rows.len() >= 3, "{legend_rows:?}");
    // The bars: every other palette-filled rectangle.
    let legend_left = legend_rows
        .iter()
        .map(|r| r.2)
        .fold(f64::INFINITY, f64::min);
    let bars: Vec<&Rect> = svg
        .rects
        .iter()
        .filter(|r| is_palette(&r.fill) && r.x + r.w <= legend_left)
        .collect();
    let in_bars: BTreeSet<(String, String)> = bars
        .iter()
        .map(|r| (r.fill.clone(), r.opacity.clone()))
        .collect();
    assert_eq!(
        bars.len() + legend_rects,
        svg.rects.iter().filter(|r| is_palette(&r.fill)).count()
    );
    assert_eq!(
        in_legend, in_bars,
        "the legend's colours are the bars' colours"
    );
    // Each kind's swatch is the kind's segments: the same shade, in the colours of the
    // policies whose bars have it (expediting under the policy that expedites).
    for alpha in &opacities {
        let of = |set: &BTreeSet<(String, String)>| -> BTreeSet<String> {
            set.iter()
                .filter(|(_, a)| a == alpha)
                .map(|(c, _)| c.clone())
                .collect()
        };
        assert_eq!(of(&in_legend), of(&in_bars), "shade {alpha}");
    }
    // Every policy's bar is drawn, so every policy's colour is in the legend somewhere.
    let legend_colours: BTreeSet<&str> = in_legend.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(legend_colours.len(), policies);
    // Hatching: where the bars are hatched, so is the legend, in the same colours.
    let (legend_lines, bar_lines): (Vec<_>, Vec<_>) = svg
        .lines
        .iter()
        .partition(|(_, points)| points.iter().all(|p| p.0 >= legend_left));
    let colours = |lines: &[&(String, Vec<(f64, f64)>)]| -> BTreeSet<String> {
        lines.iter().map(|(c, _)| c.clone()).collect()
    };
    assert_eq!(colours(&legend_lines), colours(&bar_lines));
    let hatched = legend_rows
        .iter()
        .any(|r| ["expediting", "purchase premium"].contains(&r.0.as_str()));
    assert_eq!(hatched, !legend_lines.is_empty());
    // No "currency" on any chart: costs are "per year", in the currency the scenario names.
    for c in &charts {
        assert!(!c.svg.contains("currency"), "{}", c.name);
    }
    // The scenario names its currency (EUR): the cost axis says it.
    assert!(
        svg.texts.iter().any(|t| t.text == "Cost per year (EUR)"),
        "the cost axis"
    );
}

/// Frontier points for `policies` policies over `values` grid values, with a frontier of
/// `values` points for policy 0 and a few of the others'.
fn frontier_points(policies: usize, values: usize) -> Vec<FrontierPoint> {
    (0..policies)
        .flat_map(|k| {
            (0..values).map(move |j| {
                let x = j as f64 / (values.max(2) - 1) as f64;
                FrontierPoint {
                    policy_index: k,
                    cost: 10_000.0 * (1.0 + 2.0 * x) * (1.0 + 0.15 * k as f64),
                    stockout_rate: 0.08 * (-2.5 * x).exp() * (1.0 - 0.05 * k as f64) + 0.001,
                    label: format!("{:.2}", 0.8 + 0.19 * x),
                }
            })
        })
        .collect()
}

fn frontier(points: Vec<FrontierPoint>, policies: usize) -> Chart {
    charts::efficient_frontier(FrontierChart {
        name: FRONTIER_NAME,
        title: "Efficient frontier".into(),
        subtitle: "a test grid".into(),
        runs: 100,
        policies: (0..policies).map(|k| format!("policy-{k}")).collect(),
        points,
        currency: None,
    })
    .unwrap()
}

/// The boxes behind the frontier's labels (each label is written on a light ground).
fn label_grounds(svg: &Svg) -> Vec<&Rect> {
    svg.rects
        .iter()
        .filter(|r| r.fill == "#FFFFFF" && r.opacity == "0.85")
        .collect()
}

fn overlap(a: &Rect, b: &Rect) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// Issue 22, item 3: the frontier labelled one point of nine. Every efficient point now has a
/// label on the chart, none over another: its value when there are few, else its number with
/// its policy and value in a key under the plot.
#[test]
fn issue_22_every_efficient_point_is_labelled() {
    for (policies, values, numbered) in [(1, 9, false), (2, 5, false), (4, 21, true)] {
        let points = frontier_points(policies, values);
        let pairs: Vec<(f64, f64)> = points.iter().map(|p| (p.cost, p.stockout_rate)).collect();
        let on = charts::frontier_points(&pairs);
        let drawn = frontier(points.clone(), policies);
        save(&drawn, &format!("-{policies}x{values}"));
        let svg = parse(&drawn);
        let grounds = label_grounds(&svg);
        assert_eq!(grounds.len(), on.len(), "one label per efficient point");
        for (i, a) in grounds.iter().enumerate() {
            for b in &grounds[i + 1..] {
                assert!(!overlap(a, b), "labels overlap: {a:?} {b:?}");
            }
        }
        let texts: Vec<&str> = svg.texts.iter().map(|t| t.text.as_str()).collect();
        for (k, &i) in on.iter().enumerate() {
            let p = &points[i];
            if numbered {
                let number = (k + 1).to_string();
                let keyed = format!("policy-{}: {}", p.policy_index, p.label);
                assert!(texts.contains(&number.as_str()), "number {number}");
                assert!(texts.contains(&keyed.as_str()), "{keyed} in the key");
            } else {
                assert!(texts.contains(&p.label.as_str()), "{}", p.label);
            }
        }
        assert_eq!(drawn.caption.contains("numbered by cost"), numbered);
        // The cost axis holds expediting and the purchase premium, and says so.
        let axis = format!("{FRONTIER_COST} (carrying + expediting + purchase premium)");
        assert!(texts.contains(&axis.as_str()), "{texts:?}");
        assert!(drawn.caption.contains("expediting"));
    }
}

/// The frontier is computed on the cost the chart shows, carrying + expediting + purchase
/// premium, and labels each point of that efficient set.
#[test]
fn issue_22_the_frontier_counts_expediting() {
    let dir = tempfile::tempdir().unwrap();
    buffersim()
        .args([
            "sweep",
            "scenarios/kanban-vs-jic.toml",
            "--vary",
            "policy.jic-95.service_level=0.8..0.99:3",
            "--runs",
            "40",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let sweep: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("sweep.json")).unwrap())
            .unwrap();
    let svg = std::fs::read_to_string(dir.path().join("charts/efficient-frontier.svg")).unwrap();
    assert!(svg.contains(FRONTIER_COST));
    // The chart's points from sweep.json: jic-95 (policy 1) at each value, the others (the
    // same at every value) once.
    let points = sweep["points"].as_array().unwrap();
    let figures = |with_rescue: bool| -> Vec<(f64, f64)> {
        let mut out = Vec::new();
        for p in 0..5 {
            let at: Vec<usize> = if p == 1 {
                (0..points.len()).collect()
            } else {
                vec![0]
            };
            for k in at {
                let metrics = &points[k]["policies"][p]["metrics"];
                let mean = |m: &str| metrics[m]["mean"].as_f64().unwrap_or(0.0);
                let rescue = mean("expedite_cost") + mean("purchase_premium_cost");
                let cost = mean("carrying_cost") + if with_rescue { rescue } else { 0.0 };
                out.push((cost, mean("stockout_rate")));
            }
        }
        out
    };
    let on = charts::frontier_points(&figures(true));
    let carrying_only = charts::frontier_points(&figures(false));
    // The efficient set the chart labels is the one on the cost it shows.
    let drawn = Chart {
        name: FRONTIER_NAME,
        title: String::new(),
        caption: String::new(),
        width: 0,
        height: 0,
        series: 0,
        svg,
        png: Vec::new(),
    };
    assert_eq!(label_grounds(&parse(&drawn)).len(), on.len());
    // On this grid the two efficient sets differ (purchase premiums and expediting move
    // points across the frontier), so which cost the chart is drawn on matters.
    assert_ne!(carrying_only, on);
    // jic-95-rush expedites: its point on the chart is at carrying + expediting + premium.
    let rush = &points[0]["policies"][2];
    assert_eq!(rush["policy"], "jic-95-rush");
    assert!(rush["metrics"]["expedite_cost"]["mean"].as_f64().unwrap() > 0.0);
    // Item fans are not part of a sweep's points.
    assert!(rush["items"][0].get("on_hand_fan").is_none());
}

/// Issue 22, item 3: a two-parameter sweep drew a heat map for every policy, also for those
/// the parameters do not touch (the same colour in every cell). Only the policies the
/// parameters change get one now, and an earlier sweep's heat maps of the others are retired.
#[test]
fn issue_22_heat_maps_only_for_policies_the_parameters_change() {
    let dir = tempfile::tempdir().unwrap();
    let charts_dir = dir.path().join("charts");
    std::fs::create_dir_all(&charts_dir).unwrap();
    for stale in ["heat-map-0.svg", "heat-map-0.png", "heat-map-2.svg"] {
        std::fs::write(charts_dir.join(stale), "from an earlier sweep").unwrap();
    }
    buffersim()
        .args([
            "sweep",
            "scenarios/kanban-vs-jic.toml",
            "--vary",
            "policy.jic-95.service_level=0.8..0.95:2",
            "--vary",
            "policy.jic-30d.safety_stock_days=10..20:2",
            "--runs",
            "20",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let drawn: BTreeSet<String> = std::fs::read_dir(&charts_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("heat-map-"))
        .collect();
    // jic-95 is policy 1, jic-30d policy 3; kanban, jic-95-rush and hybrid are untouched.
    let expected: BTreeSet<String> = ["heat-map-1", "heat-map-3"]
        .iter()
        .flat_map(|n| [format!("{n}.svg"), format!("{n}.png")])
        .collect();
    assert_eq!(drawn, expected);
}

/// Issue 22, item 3: the on-hand chart counted "day of the horizon". Its x axis, and a traced
/// run's, now name the months from the scenario's start date (2027-01-01), or without one
/// from its start day of the year.
#[test]
fn issue_22_charts_over_days_are_marked_with_months() {
    let summary = saved_run("scenarios/peak-season.toml", 30);
    let charts = charts::render_all(&summary).unwrap();
    for name in ["on-hand", "on-hand-items"] {
        let c = chart(&charts, name);
        save(c, "");
        let svg = parse(c);
        let texts: BTreeSet<&str> = svg.texts.iter().map(|t| t.text.as_str()).collect();
        assert!(
            texts.contains("Jan 2027") && texts.contains("Jul"),
            "{name}: {texts:?}"
        );
        assert!(
            texts.contains("Month (day 0 of a run is 2027-01-01)"),
            "{name}"
        );
        assert!(!c.svg.contains("Day of the horizon"), "{name}");
        // Month labels sit under the axis, centred on their ticks, left to right in order.
        let months: Vec<&Text> = svg
            .texts
            .iter()
            .filter(|t| {
                t.anchor == "middle" && ["Jan 2027", "Mar", "May", "Jul"].contains(&&*t.text)
            })
            .collect();
        let first_panel: Vec<&&Text> = months
            .iter()
            .filter(|t| (t.y - months[0].y).abs() < 1.0 && t.x < 450.0)
            .collect();
        assert!(first_panel.windows(2).all(|w| w[0].x < w[1].x));
    }
    // A horizon of two years from 1 July counts its years on each January; with a start date,
    // each January has its year.
    let mut long = summary.clone();
    long.start_date = None;
    long.start_day_of_year = 181;
    long.horizon_days = 730;
    for p in &mut long.policies {
        p.on_hand_fan = Some(flat_fan((0..730).step_by(4).collect()));
        for item in &mut p.items {
            item.on_hand_fan = Some(flat_fan((0..730).step_by(14).collect()));
        }
    }
    long.disruptions = None;
    let charts = charts::render_all(&long).unwrap();
    for name in ["on-hand", "on-hand-items"] {
        let c = chart(&charts, name);
        save(c, "-two-years");
        assert!(c.svg.contains("Jan (yr 2)"), "{name}");
        assert!(c.svg.contains("Month (day 0 of a run is 1 Jul)"), "{name}");
    }
    long.start_date = buffersim::foundation::date::Date::parse("2027-07-01");
    let charts = charts::render_all(&long).unwrap();
    for name in ["on-hand", "on-hand-items"] {
        let svg = &chart(&charts, name).svg;
        assert!(
            svg.contains("Jan 2028") && svg.contains("Jan 2029"),
            "{name}"
        );
        assert!(!svg.contains("(yr 2)"), "{name}");
    }
    // A traced run.
    let dir = tempfile::tempdir().unwrap();
    buffersim()
        .args([
            "trace",
            "scenarios/peak-season.toml",
            "--policy",
            "kanban",
            "--run",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let svg = std::fs::read_to_string(dir.path().join("trace-run-3.svg")).unwrap();
    for text in [
        "Jan 2027",
        "Jun",
        "Dec",
        "Month (day 0 of a run is 2027-01-01)",
    ] {
        assert!(svg.contains(&format!(">\n{text}\n<")), "trace: {text}");
    }
}

fn flat_fan(day: Vec<usize>) -> SavedFan {
    let at = |v: f64| vec![v; day.len()];
    SavedFan {
        measure: "units".into(),
        p05: at(10.0),
        p25: at(20.0),
        p50: at(30.0),
        p75: at(40.0),
        p95: at(50.0),
        day,
    }
}

/// Two items on one supplier with a fixed lead time of three days, deterministic demand of 10
/// and 4 a day, base stock 100, and a scheduled 30-day outage from day 100: every run has the
/// same stock path, which can be written down by hand.
const TWO_ITEMS: &str = r#"
[simulation]
horizon_days = 365
runs = 40
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = { fixed = 3 }

[[item]]
id = "fast"
unit_cost = 2
demand = { deterministic = 10 }

[[item]]
id = "slow"
unit_cost = 5
demand = { deterministic = 4 }

[[disruption]]
id = "fire"
effect = { supplier_outage = { supplier = "s" } }
occurrence = { scheduled = { start_day = 100, duration_days = 30 } }

[policy.base.rule.base_stock]
order_up_to = 100
"#;

/// An item's fan in a deterministic case is its hand-computed stock path on the sampled days:
/// the shelf starts at the base stock, fills the pipeline over the lead time (3 days of
/// demand), holds 100 − 3d; receipts stop three days into the outage (day 103) and the shelf
/// drains d a day to empty until the queue shipped when the outage ends (day 130) lands on day
/// 133. Forty runs: two full batches of sixteen, stepped together, and eight run by run.
#[test]
fn issue_22_item_fans_follow_the_hand_computed_paths() {
    let scenario = scenario_from(TWO_ITEMS);
    let summary = summary_of(&scenario, scenario.runs);
    let policy = &summary.policies[0];
    assert_eq!(policy.on_hand_fan.measure, "value");
    for (item, demand) in [(0, 10.0), (1, 4.0)] {
        let fan = policy.items[item]
            .on_hand_fan
            .as_ref()
            .expect("an item fan");
        assert_eq!(fan.measure, "units");
        // About weekly: every seventh day of 365.
        assert_eq!(fan.day.len(), 365usize.div_ceil(7));
        assert!(fan.day.len() <= ITEM_FAN_MAX_POINTS);
        let expected = |day: usize| -> f64 {
            let full = 100.0 - 3.0 * demand;
            match day {
                0..=2 => 100.0 - demand * (day + 1) as f64,
                3..=102 => full,
                103..=132 => (full - demand * (day - 102) as f64).max(0.0),
                _ => f64::NAN,
            }
        };
        for (k, &day) in fan.day.iter().enumerate() {
            assert_eq!(day, 7 * k);
            let want = expected(day);
            if want.is_nan() {
                continue;
            }
            for (q, band) in [
                ("p05", &fan.p05),
                ("p25", &fan.p25),
                ("p50", &fan.p50),
                ("p75", &fan.p75),
                ("p95", &fan.p95),
            ] {
                assert_eq!(band[k], want, "item {item} {q} on day {day}");
            }
        }
    }
    // By hand: day 105, fast 70 − 30 = 40 and slow 88 − 12 = 76; day 126, fast empty, slow 0.
    let at = |item: usize, day: usize| {
        let fan = policy.items[item].on_hand_fan.as_ref().unwrap();
        fan.p50[fan.day.iter().position(|&d| d == day).unwrap()]
    };
    assert_eq!((at(0, 105), at(1, 105)), (40.0, 76.0));
    assert_eq!((at(0, 112), at(1, 112)), (0.0, 48.0));
    assert_eq!((at(0, 126), at(1, 126)), (0.0, 0.0));
    // on_hand.csv: the policy's rows, then each item's.
    let csv = summary.on_hand_csv();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("policy,item,day,measure,p05,p25,p50,p75,p95")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 183 + 2 * 53);
    assert!(rows[0].starts_with("base,(all items),0,value,"));
    assert!(rows.contains(&"base,fast,105,units,40,40,40,40,40"));
    assert!(rows.contains(&"base,slow,105,units,76,76,76,76,76"));
    // And the chart of them: a panel per item, the policy's band and median in each.
    let saved = SavedSummary::from_summary(&summary);
    let charts = charts::render_all(&saved).unwrap();
    let items = chart(&charts, "on-hand-items");
    save(items, "-deterministic");
    assert!(items.svg.contains(">\nfast\n<") && items.svg.contains(">\nslow\n<"));
    assert_eq!(items.svg.matches("<polygon").count(), 2, "a band per panel");
}

/// Items past the twelfth have no fan of their own, and a single item has none (its policy's
/// fan is in its units): memory stays bounded however many items a scenario has.
#[test]
fn item_fans_are_capped_and_a_single_item_has_none() {
    let mut toml = String::from(
        "[simulation]\nhorizon_days = 120\nruns = 20\n\n[[supplier]]\nid = \"s\"\n\
         lead_time = { fixed = 2 }\n",
    );
    for i in 0..15 {
        toml.push_str(&format!(
            "\n[[item]]\nid = \"i{i}\"\nunit_cost = 1\ndemand = {{ deterministic = {} }}\n",
            i + 1
        ));
    }
    toml.push_str("\n[policy.base.rule.base_stock]\norder_up_to = 50\n");
    let summary = summary_of(&scenario_from(&toml), 20);
    let fans: Vec<bool> = summary.policies[0]
        .items
        .iter()
        .map(|i| i.on_hand_fan.is_some())
        .collect();
    assert_eq!(fans.iter().filter(|&&f| f).count(), ITEM_FANS);
    assert!(fans[..ITEM_FANS].iter().all(|&f| f));
    let json = summary.to_json();
    assert_eq!(json.matches("\"on_hand_fan\"").count(), 1 + ITEM_FANS);
    let saved = SavedSummary::from_summary(&summary);
    let items = chart(&charts::render_all(&saved).unwrap(), "on-hand-items").clone();
    assert!(items.caption.contains("The first 12 of 15 items"));

    let single = summary_of(
        &Scenario::load(Path::new("scenarios/kanban-reference.toml")).unwrap(),
        20,
    );
    assert!(single.policies[0].items[0].on_hand_fan.is_none());
    let charts = charts::render_all(&SavedSummary::from_summary(&single)).unwrap();
    assert!(charts.iter().all(|c| c.name != "on-hand-items"));
}

/// The items' fans merge by counts, in chunk order: 1 and 3 threads give the same bytes.
#[test]
fn item_fans_do_not_depend_on_the_thread_count() {
    let run = |threads: &str| {
        let dir = tempfile::tempdir().unwrap();
        buffersim()
            .args(["run", "scenarios/kanban-vs-jic.toml", "--runs", "300"])
            .args(["--threads", threads, "--quiet", "--out"])
            .arg(dir.path())
            .assert()
            .success();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
        (read("summary.json"), read("on_hand.csv"))
    };
    let one = run("1");
    assert!(
        one.0.matches("\"on_hand_fan\"").count() > 5,
        "item fans written"
    );
    assert!(one.1.contains(",controller-board,"));
    assert!(one == run("3"), "1 and 3 threads differ");
}
