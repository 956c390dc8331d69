//! Issue 26: every run's figures, in run order (`run --per-run`, the Python package's
//! `per_run`), the same at any thread count and averaging to the summary's means.

use std::path::Path;

use assert_cmd::Command;
use buffersim::analysis::{RunPlan, simulate_plan, simulate_plan_per_run};
use buffersim::model::metric::METRICS;
use buffersim::model::scenario::Scenario;

fn plan(runs: u64, seed: u64) -> RunPlan {
    RunPlan::fixed(runs, seed)
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// Rows are in run order whichever thread simulated which chunk, and keeping them changes no
/// figure of the summary.
#[test]
fn issue_26_per_run_rows_are_in_run_order_at_any_thread_count() {
    for name in ["kanban-vs-jic", "shared-supplier"] {
        let scenario = Scenario::load(Path::new(&format!("scenarios/{name}.toml"))).unwrap();
        // Three chunks and a cut one.
        let plan = plan(3 * 64 + 17, 11);
        let (one, _, rows_one) =
            in_pool(1, || simulate_plan_per_run(&scenario, &plan, None, &|_| {}));
        let (_, _, rows_three) =
            in_pool(3, || simulate_plan_per_run(&scenario, &plan, None, &|_| {}));
        assert_eq!(rows_one.runs(), plan.runs);
        for run in 0..plan.runs {
            let (a, b) = (rows_one.row(run), rows_three.row(run));
            assert!(
                a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{name}: run {run} differs between 1 and 3 threads"
            );
        }
        let (plain, _) = in_pool(2, || simulate_plan(&scenario, &plan, None, &|_| {}));
        assert_eq!(
            format!("{:?}", one.policies),
            format!("{:?}", plain.policies)
        );
        for (p, stats) in one.policies.iter().enumerate() {
            let scopes = std::iter::once((None, &stats.all))
                .chain(stats.items.iter().enumerate().map(|(i, s)| (Some(i), s)));
            for (item, metrics) in scopes {
                for metric in METRICS {
                    let values: Vec<f64> = rows_one
                        .column(p, item, metric)
                        .into_iter()
                        .filter(|v| !v.is_nan())
                        .collect();
                    let stat = metrics.get(metric);
                    assert_eq!(values.len() as u64, stat.count(), "{name} {metric:?}");
                    if values.is_empty() {
                        continue;
                    }
                    let mean = values.iter().sum::<f64>() / values.len() as f64;
                    let expected = stat.mean();
                    assert!(
                        (mean - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                        "{name} policy {p} item {item:?} {metric:?}: {mean} vs {expected}"
                    );
                }
            }
        }
    }
}

/// `run --per-run FILE.csv` writes one row per run, the summary beside it unchanged.
#[test]
fn issue_26_run_writes_one_row_per_run() {
    let dir = tempfile::tempdir().unwrap();
    let run = |per_run: bool| {
        let out = dir.path().join(if per_run { "with" } else { "without" });
        let mut cmd = Command::cargo_bin("buffersim").unwrap();
        cmd.args([
            "--quiet",
            "run",
            "scenarios/kanban-vs-jic.toml",
            "--runs",
            "70",
        ])
        .arg("--out")
        .arg(&out);
        if per_run {
            cmd.arg("--per-run").arg(dir.path().join("runs.csv"));
        }
        cmd.assert().success();
        std::fs::read(out.join("summary.json")).unwrap()
    };
    assert!(run(true) == run(false), "--per-run changed summary.json");
    let csv = std::fs::read_to_string(dir.path().join("runs.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 71);
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "run");
    assert_eq!(header[1], "kanban/(all items)/fill_rate");
    for (r, line) in lines[1..].iter().enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), header.len());
        assert_eq!(cells[0], r.to_string());
    }
    let bad = Command::cargo_bin("buffersim")
        .unwrap()
        .args(["run", "scenarios/kanban-vs-jic.toml", "--runs", "5"])
        .arg("--out")
        .arg(dir.path())
        .args(["--per-run", "runs.txt"])
        .assert()
        .failure();
    let stderr = String::from_utf8_lossy(&bad.get_output().stderr).into_owned();
    assert!(
        stderr.contains("--per-run: give a CSV file name"),
        "{stderr}"
    );
}
