//! `buffersim trace` (issue 22, item 4): chosen runs day by day. A trace's totals over its
//! measured days are that run's figures in the summary; a deterministic case follows the
//! hand-computed day-by-day path; `--worst K` picks the runs with the highest stockout rate,
//! whatever the thread count; bad requests exit with code 2 and say why.

mod common;

use std::collections::HashMap;
use std::path::Path;

use assert_cmd::Command;
use buffersim::analysis::trace;
use buffersim::model::scenario::Scenario;
use buffersim::results::trace::RunTrace;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// One row of `trace-run-N.csv`, by column name.
struct Row(HashMap<String, String>);

impl Row {
    fn num(&self, column: &str) -> f64 {
        self.0[column]
            .parse()
            .unwrap_or_else(|_| panic!("{column}: {}", self.0[column]))
    }
    fn text(&self, column: &str) -> &str {
        &self.0[column]
    }
}

/// The rows of a trace CSV (no field of these scenarios needs quoting).
fn read_trace(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "day",
            "measured",
            "item",
            "demand",
            "served",
            "short",
            "lost",
            "backordered",
            "receipts",
            "rejected",
            "ordered",
            "order_lines",
            "expedited",
            "cancelled",
            "expired",
            "queued_at_supplier",
            "in_transit",
            "on_hand",
            "reserve",
            "disruptions"
        ]
    );
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), header.len(), "{line}");
            Row(header
                .iter()
                .zip(fields)
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .collect())
        })
        .collect()
}

/// Runs `buffersim trace` with `args` into `out`; returns stdout.
fn run_trace(args: &[&str], out: &Path) -> String {
    let output = buffersim()
        .arg("trace")
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "trace {args:?}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

/// Sums of a column over the measured rows of one item, in day order (the engine's order).
fn measured_sum(rows: &[Row], item: &str, column: &str) -> f64 {
    rows.iter()
        .filter(|r| r.text("item") == item && r.text("measured") == "true")
        .map(|r| r.num(column))
        .sum()
}

/// (1) Run 0 traced equals the summary of a simulation of one run (run 0) at the same seed,
/// to the bit: per item and for all items, under every policy of the kanban example (lanes,
/// failover, split sourcing, a reserve, expediting, backorders, warm-up, disruptions).
#[test]
fn a_traces_totals_are_the_runs_figures_in_the_summary() {
    let file = "scenarios/kanban-vs-jic.toml";
    let scenario = Scenario::load(Path::new(file)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let seed = "11";
    buffersim()
        .args(["run", file, "--runs", "1", "--seed", seed, "--out"])
        .arg(dir.path().join("run"))
        .assert()
        .success();
    // summary.csv writes each mean as the shortest text that reads back as the same number
    // (as the trace does), and Rust reads it back exactly.
    let csv = std::fs::read_to_string(dir.path().join("run").join("summary.csv")).unwrap();
    let summary: HashMap<(String, String, String), f64> = csv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let mean = f[4].parse().ok()?;
            Some(((f[0].into(), f[1].into(), f[2].into()), mean))
        })
        .collect();
    let mean = |policy: &str, item: &str, metric: &str| -> f64 {
        summary[&(policy.to_string(), item.to_string(), metric.to_string())]
    };
    let measured = f64::from(scenario.horizon_days - scenario.warmup_days);
    for policy in &scenario.policies {
        let out = dir.path().join(format!("trace-{}", policy.name));
        run_trace(
            &[
                file,
                "--policy",
                &policy.name,
                "--run",
                "0",
                "--runs",
                "1",
                "--seed",
                seed,
            ],
            &out,
        );
        let rows = read_trace(&out.join("trace-run-0.csv"));
        assert_eq!(
            rows.len(),
            scenario.horizon_days as usize * scenario.items.len()
        );
        assert_eq!(
            rows.iter()
                .filter(|r| r.text("measured") == "false")
                .count(),
            scenario.warmup_days as usize * scenario.items.len(),
            "warm-up days are traced and marked"
        );
        let (mut served_value, mut demand_value, mut lines) = (0.0, 0.0, 0.0);
        for item in &scenario.items {
            let mean = |m: &str| mean(&policy.name, &item.id, m);
            let sum = |c: &str| measured_sum(&rows, &item.id, c);
            let what = format!("{}, {}", policy.name, item.id);
            let (served, demand) = (sum("served"), sum("demand"));
            assert_eq!(
                mean("fill_rate"),
                served * item.unit_cost / (demand * item.unit_cost),
                "{what}: fill rate"
            );
            assert_eq!(
                mean("backordered_units"),
                sum("short"),
                "{what}: units short"
            );
            assert_eq!(mean("lost_units"), sum("lost"), "{what}: lost");
            assert_eq!(
                mean("orders_per_year"),
                sum("order_lines") * 365.0 / measured,
                "{what}: order lines"
            );
            let stockout_days = rows
                .iter()
                .filter(|r| r.text("item") == item.id && r.text("measured") == "true")
                .filter(|r| r.num("short") > 0.0)
                .count() as f64;
            assert_eq!(
                mean("stockout_day_rate"),
                stockout_days / measured,
                "{what}: stockout days"
            );
            let on_hand: f64 = rows
                .iter()
                .filter(|r| r.text("item") == item.id && r.text("measured") == "true")
                .map(|r| r.num("on_hand") + r.num("reserve"))
                .sum();
            assert_eq!(
                mean("avg_on_hand_units"),
                on_hand / measured,
                "{what}: on hand"
            );
            assert_eq!(
                mean("expedited_units"),
                sum("expedited"),
                "{what}: expedited"
            );
            assert_eq!(mean("rejected_units"), sum("rejected"), "{what}: rejected");
            served_value += served * item.unit_cost;
            demand_value += demand * item.unit_cost;
            lines += sum("order_lines");
        }
        let all = |m: &str| mean(&policy.name, "(all items)", m);
        assert_eq!(
            all("fill_rate"),
            served_value / demand_value,
            "{}: fill rate",
            policy.name
        );
        assert_eq!(
            all("orders_per_year"),
            lines * 365.0 / measured,
            "{}: orders",
            policy.name
        );
    }
}

/// (2) A deterministic case, day by day: demand 10 a day, lead time 3, a base stock of 100,
/// lost sales, the supplier out on days 100–129. The shelf holds 70 with 30 in transit; from
/// day 100 orders queue at the supplier, receipts stop from day 103, the shelf is empty from
/// day 109 and sales are lost on days 110–132, until the queue shipped on day 130 arrives on
/// day 133.
#[test]
fn a_deterministic_outage_is_traced_day_by_day() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("outage.toml");
    std::fs::write(&path, common::deterministic_outage(100, 30)).unwrap();
    let out = dir.path().join("trace");
    let stdout = run_trace(
        &[path.to_str().unwrap(), "--policy", "base", "--run", "1"],
        &out,
    );
    let rows = read_trace(&out.join("trace-run-1.csv"));
    assert_eq!(rows.len(), 365);
    // (on hand, in transit, queued, receipts, ordered, lost) at the end of day t.
    let expected = |t: usize| -> (f64, f64, f64, f64, f64, f64) {
        match t {
            0..=2 => (
                90.0 - 10.0 * t as f64,
                10.0 * (t + 1) as f64,
                0.0,
                0.0,
                10.0,
                0.0,
            ),
            3..=99 => (70.0, 30.0, 0.0, 10.0, 10.0, 0.0),
            100..=102 => (
                70.0,
                10.0 * (102 - t) as f64,
                10.0 * (t - 99) as f64,
                10.0,
                10.0,
                0.0,
            ),
            103..=109 => (
                70.0 - 10.0 * (t - 102) as f64,
                0.0,
                10.0 * (t - 99) as f64,
                0.0,
                10.0,
                0.0,
            ),
            110..=129 => (0.0, 0.0, 100.0, 0.0, 0.0, 10.0),
            130..=132 => (0.0, 100.0, 0.0, 0.0, 0.0, 10.0),
            133 => (90.0, 10.0, 0.0, 100.0, 10.0, 0.0),
            134 => (80.0, 20.0, 0.0, 0.0, 10.0, 0.0),
            135 => (70.0, 30.0, 0.0, 0.0, 10.0, 0.0),
            _ => (70.0, 30.0, 0.0, 10.0, 10.0, 0.0),
        }
    };
    for (t, row) in rows.iter().enumerate() {
        let (on_hand, in_transit, queued, receipts, ordered, lost) = expected(t);
        let got = (
            row.num("on_hand"),
            row.num("in_transit"),
            row.num("queued_at_supplier"),
            row.num("receipts"),
            row.num("ordered"),
            row.num("lost"),
        );
        assert_eq!(
            got,
            (on_hand, in_transit, queued, receipts, ordered, lost),
            "day {t}: (on hand, in transit, queued, receipts, ordered, lost)"
        );
        assert_eq!(row.num("day"), t as f64);
        assert_eq!(row.text("measured"), "true", "no warm-up");
        assert_eq!(row.num("demand"), 10.0);
        assert_eq!(row.num("served") + row.num("short"), 10.0);
        assert_eq!(row.num("short"), lost, "lost sales: short is lost");
        assert_eq!(row.num("backordered"), 0.0);
        assert_eq!(row.num("order_lines"), f64::from(u8::from(ordered > 0.0)));
        let fire = if (100..130).contains(&t) { "fire" } else { "" };
        assert_eq!(row.text("disruptions"), fire, "day {t}");
    }
    assert!(
        stdout.contains(
            "run 1: 23 stockout days, 230 units short; first stockout on day 110 during fire"
        ),
        "{stdout}"
    );
    let md = std::fs::read_to_string(out.join("trace.md")).unwrap();
    assert!(md.contains("## Run 1"), "{md}");
    assert!(md.contains("named with `--run`"), "{md}");
    // The chart: an SVG that parses, with the outage shaded and named.
    let svg = std::fs::read_to_string(out.join("trace-run-1.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(
        doc.descendants()
            .any(|n| n.is_element() && n.text().map(str::trim) == Some("fire")),
        "the outage is named on the chart"
    );
    let png = std::fs::read(out.join("trace-run-1.png")).unwrap();
    assert_eq!(&png[1..4], b"PNG");
}

/// Run `run` of `policy` traced through the library, every item.
fn traced_run(
    scenario: &Scenario,
    policy: usize,
    item: Option<usize>,
    run: u64,
    runs: u64,
    seed: u64,
) -> RunTrace {
    let request = trace::Request {
        policy,
        item,
        pick: trace::Pick::Run(run),
        runs,
        seed,
    };
    let mut traces = trace::trace(scenario, &request, &|_| {}).unwrap();
    traces.traced.remove(0)
}

/// A run's fill rate over the items traced, from their days: served value / demand value over
/// the measured days, in day order as the engine adds them.
fn fill_rate(scenario: &Scenario, run: &RunTrace) -> f64 {
    let (mut served, mut demand) = (0.0, 0.0);
    for traced in &run.items {
        let cost = scenario
            .items
            .iter()
            .find(|i| i.id == traced.item)
            .unwrap()
            .unit_cost;
        let measured = || traced.days.iter().filter(|d| d.measured);
        served += measured().map(|d| d.served).sum::<f64>() * cost;
        demand += measured().map(|d| d.demand).sum::<f64>() * cost;
    }
    served / demand
}

/// Every file of a folder, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// The runs `buffersim trace --worst` listed on stdout, in order.
fn listed_runs(stdout: &str) -> Vec<u64> {
    stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("run "))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect()
}

/// (3) `--worst K` traces the K runs with the highest stockout rate, highest first (ties to the
/// earlier run), as each run traced alone says; the same runs and bytes on one thread and two.
/// 150 runs: three chunks, merged in any order by two threads.
#[test]
fn worst_runs_have_the_highest_stockout_rates_on_any_thread_count() {
    let file = "scenarios/kanban-vs-jic.toml";
    let scenario = Scenario::load(Path::new(file)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (runs, seed) = (150, 3);
    // Each run's stockout rate from its own day-by-day figures.
    let mut rates: Vec<(f64, u64)> = (0..runs)
        .map(|run| {
            (
                1.0 - fill_rate(&scenario, &traced_run(&scenario, 0, None, run, runs, seed)),
                run,
            )
        })
        .collect();
    rates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let expected: Vec<u64> = rates[..5].iter().map(|&(_, run)| run).collect();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("worst-{threads}"));
        let stdout = run_trace(
            &[
                file,
                "--policy",
                "kanban",
                "--worst",
                "5",
                "--runs",
                "150",
                "--seed",
                "3",
                "--threads",
                threads,
            ],
            &out,
        );
        assert_eq!(
            listed_runs(&stdout),
            expected,
            "{threads} threads: {stdout}"
        );
        for (&run, &(rate, _)) in expected.iter().zip(&rates) {
            let line = stdout
                .lines()
                .find(|l| l.trim().starts_with(&format!("run {run}:")))
                .unwrap();
            let shown = format!("stockout_rate {:.2}%", 100.0 * rate);
            assert!(line.contains(&shown), "{line} should show {shown}");
        }
        outputs.push((stdout, files(&out)));
    }
    assert!(outputs[0] == outputs[1], "1 and 2 threads differ");
    let names: Vec<&str> = outputs[0].1.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 5 * 3 + 1, "{names:?}");
    assert!(names.contains(&"trace.md"));
}

/// With `--item`, runs are ranked by that item's figure (here the lowest fill rate of the
/// enclosure), and only its rows are written.
#[test]
fn worst_runs_of_one_item_by_another_metric() {
    let file = "scenarios/kanban-vs-jic.toml";
    let scenario = Scenario::load(Path::new(file)).unwrap();
    let (runs, seed) = (60, scenario.seed);
    let enclosure = scenario.items.iter().position(|i| i.id == "enclosure");
    let mut fill: Vec<(f64, u64)> = (0..runs)
        .map(|run| {
            (
                fill_rate(
                    &scenario,
                    &traced_run(&scenario, 1, enclosure, run, runs, seed),
                ),
                run,
            )
        })
        .collect();
    fill.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("two");
    let stdout = run_trace(
        &[
            file,
            "--policy",
            "jic-95",
            "--item",
            "enclosure",
            "--by",
            "fill_rate",
            "--worst",
            "2",
            "--runs",
            "60",
        ],
        &out,
    );
    assert!(
        stdout.contains("by fill_rate of item enclosure, the lowest first"),
        "{stdout}"
    );
    let expected: Vec<u64> = fill[..2].iter().map(|&(_, run)| run).collect();
    assert_eq!(listed_runs(&stdout), expected, "{stdout}");
    for run in expected {
        let rows = read_trace(&out.join(format!("trace-run-{run}.csv")));
        assert!(rows.iter().all(|r| r.text("item") == "enclosure"));
    }
}

/// A second trace into the same folder replaces the first: the files of runs it did not
/// trace are removed.
#[test]
fn a_new_trace_retires_the_runs_of_an_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("trace");
    let file = "scenarios/kanban-reference.toml";
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    run_trace(&[file, "--policy", "kanban", "--run", "3"], &out);
    run_trace(&[file, "--policy", "kanban", "--run", "4"], &out);
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "notes.txt",
            "trace-run-4.csv",
            "trace-run-4.png",
            "trace-run-4.svg",
            "trace.md"
        ]
    );
}

/// (4) Bad requests exit with code 2, say what is wrong and how to fix it, and write nothing.
#[test]
fn bad_trace_requests_exit_2_with_a_clear_message() {
    let file = "scenarios/kanban-vs-jic.toml";
    let cases: [(&[&str], &str); 10] = [
        (
            &["--policy", "nope", "--run", "0"],
            "--policy: no policy 'nope' in the scenario; its policies are: kanban, jic-95, \
             jic-95-rush, jic-30d, hybrid",
        ),
        (
            &["--policy", "kanban", "--run", "0", "--item", "widget"],
            "--item: no item 'widget' in the scenario; its items are: controller-board, \
             power-supply, enclosure",
        ),
        (
            &["--policy", "kanban", "--run", "50", "--runs", "50"],
            "--run 50 is not one of the 50 runs: runs are numbered from 0, so give --run from \
             0 to 49, or more --runs",
        ),
        (
            &["--policy", "kanban", "--run", "2000"],
            "--run 2000 is not one of the 2000 runs",
        ),
        (
            &["--policy", "kanban", "--worst", "0"],
            "--worst must be from 1 to 100 (got 0)",
        ),
        (
            &["--policy", "kanban", "--worst", "20", "--runs", "10"],
            "--worst 20 asks for more runs than the 10 simulated",
        ),
        (
            &["--policy", "kanban", "--worst", "2", "--by", "fill"],
            "--by: unknown metric 'fill'; metrics are: fill_rate, stockout_rate",
        ),
        (&["--policy", "kanban"], "--run <N>"),
        (
            &["--policy", "kanban", "--run", "1", "--by", "fill_rate"],
            "cannot be used with '--by <METRIC>'",
        ),
        (
            &["--policy", "kanban", "--run", "1", "--worst", "2"],
            "cannot be used with",
        ),
    ];
    for (args, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let output = buffersim()
            .arg("trace")
            .arg(file)
            .args(args)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(!out.exists(), "{args:?}: nothing is written");
    }
}
