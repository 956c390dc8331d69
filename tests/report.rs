//! The reporter: chart files (valid SVG, decodable PNG, one series per policy), report.html
//! and report.md, the `report` command and `run --report`, and a snapshot of report.md.
//!
//! Regenerate the snapshot after a deliberate change with
//! `UPDATE_SNAPSHOTS=1 cargo test --test report`.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use buffersim::foundation::stats::{Interval, MeanEstimate};
use buffersim::model::scenario::Scenario;
use buffersim::presentation::charts::{self, ALL_NAMES, PALETTE, WORST_ITEMS};
use buffersim::presentation::report;
use buffersim::results::saved::{
    SavedEstimate, SavedFan, SavedItem, SavedPolicy, SavedSizing, SavedSummary,
};
use buffersim::results::summary::{MonthFigures, Summary};

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

fn palette_hex() -> Vec<String> {
    (0..PALETTE.len()).map(charts::policy_colour_hex).collect()
}

/// A parsed SVG chart: its size and the palette colours its elements use.
struct SvgChart {
    width: u32,
    height: u32,
    /// Distinct palette colours used as a fill or stroke: one per policy drawn.
    colours: BTreeSet<String>,
    /// Rectangles filled with a palette colour at full opacity (bars).
    solid_bars: usize,
    /// Text elements: (x, y, text-anchor, font-size, text).
    texts: Vec<(f64, f64, String, f64, String)>,
}

fn parse_svg(path: &Path) -> SvgChart {
    let text = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&text)
        .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", path.display()));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{}", path.display());
    let palette = palette_hex();
    let mut colours = BTreeSet::new();
    let mut solid_bars = 0;
    let mut texts = Vec::new();
    let num = |n: roxmltree::Node, a: &str| n.attribute(a).map_or(0.0, |v| v.parse().unwrap());
    for node in root.descendants().filter(|n| n.is_element()) {
        for attr in ["fill", "stroke"] {
            if let Some(c) = node.attribute(attr)
                && palette.iter().any(|p| p.eq_ignore_ascii_case(c))
            {
                colours.insert(c.to_uppercase());
            }
        }
        if node.has_tag_name("rect")
            && node
                .attribute("fill")
                .is_some_and(|c| palette.iter().any(|p| p.eq_ignore_ascii_case(c)))
            && node.attribute("opacity") == Some("1")
        {
            solid_bars += 1;
        }
        if node.has_tag_name("text") {
            texts.push((
                num(node, "x"),
                num(node, "y"),
                node.attribute("text-anchor").unwrap_or("start").to_string(),
                num(node, "font-size"),
                node.text().unwrap_or("").trim().to_string(),
            ));
        }
    }
    SvgChart {
        width: root.attribute("width").unwrap().parse().unwrap(),
        height: root.attribute("height").unwrap().parse().unwrap(),
        colours,
        solid_bars,
        texts,
    }
}

/// Decode a PNG; returns its size and the palette colours that fill at least 30 of its pixels
/// (anti-aliased text makes a few pixels of any grey).
fn decode_png(path: &Path) -> (u32, u32, BTreeSet<usize>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()));
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let mut counts = [0usize; PALETTE.len()];
    for px in buf[..info.buffer_size()].chunks_exact(3) {
        if let Some(i) = PALETTE
            .iter()
            .position(|c| (c.0, c.1, c.2) == (px[0], px[1], px[2]))
        {
            counts[i] += 1;
        }
    }
    let found = (0..PALETTE.len()).filter(|&i| counts[i] >= 30).collect();
    (info.width, info.height, found)
}

/// A fresh run of an example scenario with few runs, summarised as summary.json holds it.
fn small_run(scenario: &str, runs: u64) -> SavedSummary {
    let scenario = Scenario::load(Path::new(scenario)).unwrap();
    let outcome = buffersim::simulation::engine::simulate(&scenario, runs, scenario.seed, &|_| {});
    SavedSummary::from_summary(&Summary::new(&scenario, &outcome))
}

#[test]
fn every_chart_is_valid_and_holds_one_series_per_policy() {
    let summary = small_run("scenarios/kanban-vs-jic.toml", 50);
    let policies = summary.policies.len();
    let items = summary.item_names().len();
    assert!(items >= 2, "the example has several items");
    let dir = tempfile::tempdir().unwrap();
    let written = report::write_report(&summary, &[], dir.path()).unwrap();
    assert_eq!(written.charts, ALL_NAMES.len());

    for name in ALL_NAMES {
        let svg_path = dir.path().join("charts").join(format!("{name}.svg"));
        let png_path = dir.path().join("charts").join(format!("{name}.png"));
        assert!(svg_path.is_file() && png_path.is_file(), "{name} missing");
        let svg = parse_svg(&svg_path);
        assert_eq!(
            svg.colours.len(),
            policies,
            "{name}: one colour per policy, got {:?}",
            svg.colours
        );
        let (w, h, png_colours) = decode_png(&png_path);
        assert_eq!(
            (w, h),
            (
                (svg.width as f64 * charts::PNG_SCALE) as u32,
                (svg.height as f64 * charts::PNG_SCALE) as u32
            ),
            "{name}: the PNG is the SVG at the PNG scale"
        );
        // Bars of a zero stockout rate have no width; markers, boxes and cost bars always
        // show their policy's colour.
        assert!(
            png_colours.iter().all(|&i| i < policies),
            "{name}: only the policies' colours"
        );
        if ["days-of-supply", "cost-service", "cost-breakdown"].contains(&name) {
            assert_eq!(
                png_colours.len(),
                policies,
                "{name}: every policy's colour appears in the PNG"
            );
        }
        // Every policy is named on the chart, on the axis or in the legend.
        for p in &summary.policies {
            assert!(
                svg.texts.iter().any(|t| t.4 == p.policy),
                "{name}: policy {} is not labelled",
                p.policy
            );
        }
    }

    let bars = |name: &str| parse_svg(&dir.path().join(format!("charts/{name}.svg"))).solid_bars;
    assert_eq!(bars("stockout-rate"), policies, "one bar per policy");
    let fan = std::fs::read_to_string(dir.path().join("charts/on-hand.svg")).unwrap();
    assert_eq!(
        fan.matches("<polygon").count(),
        2 * policies,
        "two percentile bands per policy's panel"
    );
    assert_eq!(
        bars("item-stockout-rate"),
        items.min(WORST_ITEMS) * policies + policies,
        "one bar per item and policy, plus the legend's swatches"
    );
}

#[test]
fn report_html_is_self_contained_and_names_what_it_holds() {
    let summary = small_run("scenarios/kanban-vs-jic.toml", 30);
    let dir = tempfile::tempdir().unwrap();
    report::write_report(&summary, &[], dir.path()).unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg ").count(), ALL_NAMES.len());
    for forbidden in ["<script", "<link", "src=", "url(", "@import"] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    // The only URL is the SVG namespace, which browsers never fetch.
    let urls = html.matches("http").count();
    let namespaces = html.matches("http://www.w3.org/2000/svg").count();
    assert_eq!(urls, namespaces);
    assert!(html.contains("@media print"));
    assert!(html.contains("This report holds 8 charts"));
    assert!(html.contains("Stock on hand over the horizon"));
    assert!(html.contains(&format!("seed {}", summary.seed)));
    for p in &summary.policies {
        assert!(html.contains(&p.policy));
    }
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    for name in ALL_NAMES {
        assert!(
            md.contains(&format!("](charts/{name}.svg)")),
            "{name} not linked"
        );
    }
}

/// Long names and many policies: the chart grows to fit its labels, labels do not overlap,
/// and the per-item chart keeps the worst items and sums up the rest.
#[test]
fn eight_policies_and_thirty_character_names_fit() {
    let summary = synthetic(8, 40, 30);
    let charts = charts::render_all(&summary).unwrap();
    assert_eq!(charts.len(), ALL_NAMES.len());
    let dir = tempfile::tempdir().unwrap();
    for chart in &charts {
        let path = dir.path().join(format!("{}.svg", chart.name));
        std::fs::write(&path, &chart.svg).unwrap();
        let svg = parse_svg(&path);
        assert_eq!(svg.colours.len(), 8, "{}", chart.name);
        // Right-aligned texts are the category labels: each one fits left of its anchor
        // (at 0.55 em per character, more than DejaVu Sans needs for these names), and no
        // two overlap vertically.
        let mut labels: Vec<_> = svg.texts.iter().filter(|t| t.2 == "end").collect();
        for t in &labels {
            let needed = t.4.chars().count() as f64 * 0.55 * t.3;
            assert!(t.0 >= needed, "{}: label '{}' is cut off", chart.name, t.4);
        }
        labels.sort_by(|a, b| a.1.total_cmp(&b.1));
        for pair in labels.windows(2) {
            if (pair[0].0 - pair[1].0).abs() < 1.0 {
                assert!(
                    pair[1].1 - pair[0].1 >= pair[0].3,
                    "{}: labels '{}' and '{}' overlap",
                    chart.name,
                    pair[0].4,
                    pair[1].4
                );
            }
        }
        // Nothing is drawn past the right edge: start-anchored texts begin inside.
        for t in svg.texts.iter().filter(|t| t.2 == "start") {
            assert!(
                t.0 < svg.width as f64,
                "{}: '{}' off the chart",
                chart.name,
                t.4
            );
        }
    }
    let items = charts
        .iter()
        .find(|c| c.name == "item-stockout-rate")
        .unwrap();
    assert!(
        items
            .svg
            .contains(&format!("{} other items (average)", 40 - WORST_ITEMS))
    );
    assert!(items.title.contains(&format!("the worst {WORST_ITEMS}")));
}

/// A summary with `policies` policies and `items` items, names `len` characters long.
fn synthetic(policies: usize, items: usize, len: usize) -> SavedSummary {
    let name = |prefix: &str, i: usize| {
        let mut s = format!("{prefix}-{i}-");
        while s.len() < len {
            s.push(char::from(b'a' + (s.len() % 26) as u8));
        }
        s
    };
    let est = |mean: f64| SavedEstimate {
        mean,
        ci95: Some(Interval {
            low: mean * 0.97,
            high: mean * 1.03,
        }),
        p05: mean * 0.7,
        p50: mean,
        p95: mean * 1.4,
        n: 100,
    };
    let metrics = |k: f64| {
        [
            ("fill_rate", 1.0 - 0.01 * k),
            ("stockout_rate", 0.01 * k),
            ("days_of_supply", 3.0 + 2.0 * k),
            ("carrying_cost", 1000.0 * (k + 1.0)),
            ("ordering_cost", 500.0),
            ("stockout_cost", 20000.0 * k),
            ("total_cost", 1500.0 + 1000.0 * k + 20000.0 * k),
        ]
        .into_iter()
        .map(|(n, v)| (n.to_string(), est(v)))
        .collect()
    };
    SavedSummary {
        scenario: "synthetic".into(),
        runs: 100,
        seed: 1,
        horizon_days: 365,
        warmup_days: 0,
        start_day_of_year: 0,
        start_date: None,
        unmet_demand: "backorder".into(),
        currency: None,
        rng: "test".into(),
        rand_version: "0.10".into(),
        targets: Vec::new(),
        policies: (0..policies)
            .map(|p| SavedPolicy {
                policy: name("policy", p),
                metrics: metrics(p as f64 + 0.5),
                items: (0..items)
                    .map(|i| SavedItem {
                        item: name("item", i),
                        metrics: metrics(p as f64 * 0.3 + (i % 7) as f64 * 0.4),
                        // The first twelve items have fans of their own, as the engine gives.
                        on_hand_fan: (i < 12).then(|| synthetic_fan(p as f64 + i as f64)),
                    })
                    .collect(),
                sizing: (0..items)
                    .map(|i| SavedSizing {
                        item: name("item", i),
                        rule: "reorder_point".into(),
                        mean_daily_demand: 10.0,
                        demand_sd: 2.0,
                        lead_time_mean: 5.0,
                        lead_time_sd: 1.0,
                        review_period_days: 1,
                        protection_days: 5.0,
                        safety_stock: Some(6.0),
                        reorder_point: 56.0,
                        order_quantity: Some(100.0),
                        order_up_to: None,
                        kanban: None,
                        shelf_life: None,
                        by_period: Vec::new(),
                        plan: Vec::new(),
                    })
                    .collect(),
                kanban: Vec::new(),
                resilience: None,
                by_month: synthetic_months(p as f64),
                suppliers: Vec::new(),
                budgets: Vec::new(),
                on_hand_fan: Some(synthetic_fan(p as f64)),
            })
            .collect(),
        disruptions: None,
        justification: None,
        inputs: None,
    }
}

/// A year of stock on hand in units, every second day, swinging with the season.
/// Twelve months from July, the stockout rate rising to December under each policy.
fn synthetic_months(k: f64) -> Vec<MonthFigures> {
    let names = [
        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    ];
    let est = |mean: f64| {
        Some(MeanEstimate {
            mean,
            ci95: Some(Interval {
                low: mean * 0.9,
                high: mean * 1.1,
            }),
            n: 100,
        })
    };
    names
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let stockout = 0.01 * (1.0 + k) * (1.0 + (m as f64 - 5.0).abs().recip().min(4.0));
            MonthFigures {
                month: (*name).to_string(),
                stockout_rate: est(stockout),
                fill_rate: est(1.0 - stockout),
                days_of_supply: est(12.0 - m as f64 * 0.5),
            }
        })
        .collect()
}

fn synthetic_fan(level: f64) -> SavedFan {
    let day: Vec<usize> = (0..365).step_by(2).collect();
    let at = |spread: f64| {
        day.iter()
            .map(|&d| {
                (100.0 * (level + 1.0) * (1.0 + 0.3 * (d as f64 / 58.0).sin()) + spread).max(0.0)
            })
            .collect()
    };
    SavedFan {
        measure: "units".into(),
        p05: at(-60.0),
        p25: at(-25.0),
        p50: at(0.0),
        p75: at(25.0),
        p95: at(60.0),
        day,
    }
}

/// report.md's tables, from a fixed summary.json (so engine changes do not move them).
#[test]
fn report_md_tables_snapshot() {
    let fixture = std::fs::read_to_string("tests/data/report-summary.json").unwrap();
    let summary = SavedSummary::from_json(&fixture).unwrap();
    let dir = tempfile::tempdir().unwrap();
    report::write_report(&summary, &[], dir.path()).unwrap();
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    // The definitions come from the README; checked here for completeness, not snapshotted,
    // so that rewording the README does not fail this test.
    let (tables, definitions) = md.split_once("## Metric definitions").unwrap();
    for name in summary.policies[0].metrics.keys() {
        assert!(definitions.contains(&format!("| `{name}` |")), "{name}");
    }
    assert!(!definitions.contains("not defined"), "{definitions}");
    let snapshot = Path::new("tests/snapshots/report.md");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(snapshot, tables).unwrap();
    }
    let expected = std::fs::read_to_string(snapshot)
        .expect("tests/snapshots/report.md missing: run with UPDATE_SNAPSHOTS=1");
    assert!(
        tables == expected,
        "report.md differs from tests/snapshots/report.md (after a deliberate change, \
         regenerate with UPDATE_SNAPSHOTS=1 cargo test --test report):\n{tables}"
    );
}

#[test]
fn summary_json_reads_back_in_order() {
    let scenario = Scenario::load(Path::new("scenarios/kanban-reference.toml")).unwrap();
    let outcome = buffersim::simulation::engine::simulate(&scenario, 20, 3, &|_| {});
    let summary = Summary::new(&scenario, &outcome);
    let saved = SavedSummary::from_summary(&summary);
    assert_eq!(saved.runs, 20);
    assert_eq!(saved.seed, 3);
    for (a, b) in summary.policies.iter().zip(&saved.policies) {
        assert_eq!(a.policy, b.policy);
        let names: Vec<&str> = a.metrics.keys().copied().collect();
        let read: Vec<&str> = b.metrics.keys().map(String::as_str).collect();
        assert_eq!(names, read, "metrics keep their order");
        assert_eq!(a.sizing.len(), b.sizing.len());
    }
}

#[test]
fn a_report_without_an_item_chart_removes_the_old_one() {
    let fixture = std::fs::read_to_string("tests/data/report-summary.json").unwrap();
    let mut summary = SavedSummary::from_json(&fixture).unwrap();
    let dir = tempfile::tempdir().unwrap();
    report::write_report(&summary, &[], dir.path()).unwrap();
    let item_chart = dir.path().join("charts/item-stockout-rate.svg");
    assert!(item_chart.is_file());
    for p in &mut summary.policies {
        p.items.truncate(1);
        p.sizing.truncate(1);
    }
    let written = report::write_report(&summary, &[], dir.path()).unwrap();
    assert_eq!(written.charts, 4);
    assert!(!item_chart.exists());
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("This report holds 4 charts"));
}

#[test]
fn run_with_report_and_report_command_write_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    buffersim()
        .args([
            "run",
            "scenarios/kanban-reference.toml",
            "--runs",
            "50",
            "--report",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains("report.html"));
    let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
    let first: Vec<Vec<u8>> = ["report.html", "report.md", "charts/stockout-rate.png"]
        .iter()
        .map(|f| read(f))
        .collect();
    // One item: no per-item chart.
    assert!(!dir.path().join("charts/item-stockout-rate.svg").exists());
    buffersim()
        .arg("report")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicates::str::contains("6 charts"));
    let second: Vec<Vec<u8>> = ["report.html", "report.md", "charts/stockout-rate.png"]
        .iter()
        .map(|f| read(f))
        .collect();
    assert!(
        first == second,
        "the report from summary.json alone is the same"
    );
}

#[test]
fn report_command_errors_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = buffersim().arg("report").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("no summary.json in"), "{stderr}");

    std::fs::write(dir.path().join("summary.json"), "{ \"scenario\": 3 }").unwrap();
    let output = buffersim().arg("report").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("is not a buffersim summary"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Issue 18, item 9: an item without demand has no days of supply in its kanban loop. The
/// figure is written as a documented `null`, never as a number; `run --report` and `report`
/// on the summary it wrote both succeed and say "no demand".
#[test]
fn issue_18_undefined_figures_reach_the_report_without_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("idle.toml");
    std::fs::write(
        &scenario,
        r#"
[simulation]
horizon_days = 100
runs = 10

[[supplier]]
id = "s"
lead_time = { fixed = 3 }

[[item]]
id = "idle"
unit_cost = 2
initial_on_hand = 20
demand = { deterministic = 0 }

[policy.loop.rule.kanban]
safety_factor = 0.2
container_size = 10
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    buffersim()
        .arg("run")
        .arg(&scenario)
        .arg("--report")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let kanban = &json["policies"][0]["kanban"][0]["kanban"];
    assert!(kanban["days_of_supply"].is_null(), "{kanban}");
    buffersim().arg("report").arg(&out).assert().success();
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("no demand"), "{md}");
}
