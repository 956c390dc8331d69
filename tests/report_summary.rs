//! The summary a report opens with: every figure in it is the figure summary.json holds, as
//! printed. Each figure of the summary block is a `span.fig` naming its place in summary.json
//! (`data-path`, e.g. `policies.2.metrics.total_cost.mean`) and its exact value
//! (`data-value`); this test reads both back, checks the value against the file, and checks
//! that the printed text rounds from it. It covers every committed report and a fresh run.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

/// Every `span.fig` of the `<section id="summary">`: (path, value, printed text).
fn summary_figures(html: &str) -> Vec<(String, String, String)> {
    let start = html
        .find("<section id=\"summary\">")
        .expect("report.html has a summary section");
    let end = start + html[start..].find("</section>").expect("summary ends");
    let block = &html[start..end];
    let mut figures = Vec::new();
    let mut rest = block;
    while let Some(at) = rest.find("data-path=\"") {
        rest = &rest[at + 11..];
        let path = rest[..rest.find('"').unwrap()].to_string();
        let at = rest.find("data-value=\"").expect("a figure has a value");
        rest = &rest[at + 12..];
        let value = rest[..rest.find('"').unwrap()].to_string();
        let open = rest.find('>').unwrap();
        let close = rest.find("</span>").unwrap();
        let text = rest[open + 1..close].to_string();
        figures.push((path, value, text));
    }
    figures
}

/// The JSON value at a dotted path (`policies.2.metrics.total_cost.mean`).
fn at<'a>(json: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(json, |v, key| match key.parse::<usize>() {
            Ok(i) if v.is_array() => v.get(i),
            _ => v.get(key),
        })
}

/// Whether `text` ("1.23%", "41,200", "7.05") is `value` rounded to the digits it shows.
fn prints(text: &str, value: f64) -> bool {
    let (number, scale) = match text.strip_suffix('%') {
        Some(n) => (n, 0.01),
        None => (text, 1.0),
    };
    let number = number.replace(',', "");
    let decimals = number.split_once('.').map_or(0, |(_, d)| d.len());
    let Ok(shown) = number.parse::<f64>() else {
        return false;
    };
    let half_step = 0.5 * 10f64.powi(-(decimals as i32)) * scale;
    (shown * scale - value).abs() <= half_step * (1.0 + 1e-9) + 1e-12
}

fn check_report(dir: &Path) -> usize {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let figures = summary_figures(&html);
    for (path, value, text) in &figures {
        let held = at(&json, path)
            .unwrap_or_else(|| panic!("{}: {path} is not in summary.json", dir.display()));
        match held {
            Value::Number(n) => {
                let held = n.as_f64().unwrap();
                let shown: f64 = value.parse().unwrap();
                assert_eq!(shown, held, "{}: {path}", dir.display());
                assert!(
                    prints(text, held),
                    "{}: {path} is {held} but printed '{text}'",
                    dir.display()
                );
            }
            Value::String(s) => {
                assert_eq!(s, value, "{}: {path}", dir.display());
                assert_eq!(s, text, "{}: {path}", dir.display());
            }
            other => panic!("{}: {path} is {other}, not a figure", dir.display()),
        }
    }
    figures.len()
}

#[test]
fn printing_rounds_to_the_digits_shown() {
    assert!(prints("1.23%", 0.0123));
    assert!(prints("1.23%", 0.012_349));
    assert!(!prints("1.23%", 0.012_36));
    assert!(prints("41,200", 41_199.6));
    assert!(!prints("41,200", 41_201.0));
    assert!(prints("7.05", 7.046));
}

#[test]
fn every_figure_of_a_fresh_summary_is_the_one_in_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    Command::cargo_bin("buffersim")
        .unwrap()
        .args([
            "run",
            "scenarios/kanban-vs-jic.toml",
            "--runs",
            "200",
            "--report",
            "-q",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    // The scenario has targets: the board names the cheapest policy that meets them all.
    assert!(
        html.contains("meets every target at the lowest cost"),
        "{html}"
    );
    let figures = check_report(dir.path());
    // Cost, stockout rate and days of supply with intervals for two policies, the risks,
    // and a verdict per target and policy.
    assert!(figures >= 30, "only {figures} figures in the summary");
}

#[test]
fn every_figure_of_the_committed_summaries_is_the_one_in_summary_json() {
    let mut checked = 0;
    for entry in walk(Path::new("results")) {
        if entry.ends_with("report.html") {
            let dir = entry.parent().unwrap();
            if dir.join("summary.json").exists() {
                check_report(dir);
                checked += 1;
            }
        }
    }
    assert!(checked >= 3, "only {checked} committed reports");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_summary_without_policies_is_refused_not_ranked() {
    let dir = tempfile::tempdir().unwrap();
    let committed = std::fs::read_to_string("results/kanban-reference/summary.json").unwrap();
    let mut json: Value = serde_json::from_str(&committed).unwrap();
    json["policies"] = Value::Array(Vec::new());
    std::fs::write(dir.path().join("summary.json"), json.to_string()).unwrap();
    let out = Command::cargo_bin("buffersim")
        .unwrap()
        .arg("report")
        .arg(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("no policy"), "{err}");
}
