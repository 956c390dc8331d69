//! One report per results folder (issue 22, item 2): report.html and report.md show the
//! compare, sweep, stress and optimize results beside the run, with figures equal to their
//! files, their charts and working links; a folder with a summary alone has none of them; a
//! broken analysis file is left out with a warning and a notice in the report; and an analysis
//! command redraws the report beside it.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use buffersim::presentation::format::ValueKind;
use serde_json::Value;

fn buffersim() -> Command {
    let mut cmd = Command::cargo_bin("buffersim").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn committed(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("results")
        .join(folder)
}

/// Copy a folder's files, subfolders included (not the ones `skip` names).
fn copy_folder(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if skip.contains(&name.as_str()) {
            continue;
        }
        if entry.file_type().unwrap().is_dir() {
            copy_folder(&entry.path(), &to.join(&name), &[]);
        } else {
            std::fs::copy(entry.path(), to.join(&name)).unwrap();
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// The `<section id="ID">…</section>` of report.html.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let end = html[start..].find("</section>").unwrap();
    &html[start..start + end]
}

/// The table row whose cells begin with `first` (the row label) and `then`.
fn row<'a>(html: &'a str, first: &str, then: &[String]) -> &'a str {
    let mut start = format!("<tr><th scope=\"row\">{first}</th>");
    for cell in then {
        start.push_str(&format!("<td>{cell}</td>"));
    }
    let at = html
        .find(&start)
        .unwrap_or_else(|| panic!("no row beginning {start}"));
    let end = html[at..].find("</tr>").unwrap();
    &html[at..at + end]
}

/// A parameter value as the reports write it: up to four decimals, trailing zeros dropped.
fn param(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn value(metric: &str, x: f64) -> String {
    ValueKind::of(metric).value(x)
}

/// A difference of shares in percentage points, with its sign.
fn points(x: f64) -> String {
    format!("{}{:.2}", if x < 0.0 { "−" } else { "+" }, 100.0 * x.abs())
}

/// The report of a copy of results/kanban-vs-jic, redrawn by `buffersim report`.
fn kanban_vs_jic_report() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("kanban-vs-jic");
    copy_folder(&committed("kanban-vs-jic"), &folder, &[]);
    let output = buffersim().arg("report").arg(&folder).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("4 analyses"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    (dir, folder, stderr)
}

#[test]
fn the_kanban_vs_jic_report_shows_its_four_analyses_with_the_figures_of_their_files() {
    let (_dir, folder, _) = kanban_vs_jic_report();
    let html = read(&folder.join("report.html"));
    let md = read(&folder.join("report.md"));
    // Redrawn from the same files, the committed report comes out byte for byte.
    assert!(
        html == read(&committed("kanban-vs-jic/report.html")),
        "results/kanban-vs-jic/report.html is stale: `buffersim report results/kanban-vs-jic`"
    );

    // Each analysis has its section, linked from the contents, after the per-item tables and
    // before the key inputs.
    let ids = [
        "analysis-compare",
        "analysis-sweep",
        "analysis-stress-asia-typhoon",
        "analysis-optimize-jic-30d",
    ];
    let items = html.find("<section id=\"items\">").unwrap();
    let inputs = html.find("<section id=\"inputs\">").unwrap();
    for id in ids {
        assert!(
            html.contains(&format!("<a href=\"#{id}\">")),
            "{id} not in the contents"
        );
        let at = html.find(&format!("<section id=\"{id}\">")).unwrap();
        assert!(items < at && at < inputs, "{id} out of place");
    }
    for title in [
        "## Compared with kanban",
        "## Sweep of service_level",
        "## Stress test of asia-typhoon",
        "## Smallest safety_stock_days for jic-30d",
    ] {
        assert!(md.contains(title), "report.md has no {title}");
    }

    // compare: baseline, policy, difference, interval, significance per headline metric.
    let compare = json(&folder.join("compare.json"));
    let text = section(&html, "analysis-compare");
    assert!(text.contains("2,000 runs, seed 7"), "{text}");
    let baseline = compare["baseline"].as_str().unwrap();
    for policy in compare["policies"].as_array().unwrap() {
        let name = policy["policy"].as_str().unwrap();
        for d in policy["differences"].as_array().unwrap() {
            let metric = d["metric"].as_str().unwrap();
            if !["stockout_rate", "fill_rate"].contains(&metric) {
                continue;
            }
            let f = |k: &str| d[k].as_f64().unwrap();
            let cells = [
                value(metric, f("baseline_mean")),
                value(metric, f("policy_mean")),
                format!("{} pp", points(f("difference"))),
                format!("[{}, {}]", points(f("ci95_low")), points(f("ci95_high"))),
                if d["significant"].as_bool().unwrap() {
                    "yes"
                } else {
                    "no"
                }
                .to_string(),
            ];
            let label = buffersim::simulation::metrics::Metric::from_name(metric)
                .unwrap()
                .label();
            row(text, label, &cells);
        }
        assert!(text.contains(&format!(
            "<h3><code>{name}</code> against <code>{baseline}</code></h3>"
        )));
    }

    // sweep: per grid point, the figures of the policy it touches; the others once.
    let sweep = json(&folder.join("sweep/sweep.json"));
    let text = section(&html, "analysis-sweep");
    assert!(
        text.contains("11 points, 2,000 runs each, seed 7"),
        "{text}"
    );
    for point in sweep["points"].as_array().unwrap() {
        let v = point["values"][0].as_f64().unwrap();
        let jic = &point["policies"][1];
        assert_eq!(jic["policy"], "jic-95");
        let mean = jic["metrics"]["stockout_rate"]["mean"].as_f64().unwrap();
        let found = row(text, &param(v), &[]);
        assert!(
            found.contains(&format!("<td>{}<span", value("stockout_rate", mean))),
            "{found}"
        );
    }
    for untouched in ["kanban", "jic-95-rush", "jic-30d", "hybrid"] {
        let label = format!("<th scope=\"row\">{untouched}</th>");
        assert_eq!(text.matches(&label).count(), 1, "{untouched} listed once");
    }
    let charts = std::fs::read_dir(folder.join("sweep/charts"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "svg")
        .count();
    assert_eq!(text.matches("<figure ").count(), charts);
    assert_eq!(text.matches("<svg ").count(), charts);
    assert!(text.contains("<a href=\"sweep/charts/efficient-frontier.svg\">"));

    // stress: the verdict and survivable value of every policy and item.
    let stress = json(&folder.join("stress-asia-typhoon/stress.json"));
    let text = section(&html, "analysis-stress-asia-typhoon");
    assert!(text.contains("500 runs each, seed 7"), "{text}");
    assert!(text.contains("stockout rate at or below 2.00%"), "{text}");
    for s in stress["survival"].as_array().unwrap() {
        let unit = match s["unit"].as_str().unwrap() {
            "(all items)" => "all items",
            other => other,
        };
        let found = row(text, s["policy"].as_str().unwrap(), &[unit.to_string()]);
        let verdict = match s["verdict"].as_str().unwrap() {
            "holds_up_to" => "holds up to the value, misses beyond",
            "holds_throughout" => "holds over the whole range",
            "misses_at_start" => "misses the target even at 5",
            "unaffected" => "unaffected: not reached, not judged",
            other => panic!("verdict {other}"),
        };
        let survivable = match s["survivable"].as_f64() {
            Some(v) if s["holds_at_end"].as_bool().unwrap() => format!("at least {}", param(v)),
            Some(v) => param(v),
            None => "–".to_string(),
        };
        let reading = match (s["low"].as_f64(), s["high"].as_f64()) {
            (Some(l), Some(h)) => format!("[{}, {}]", param(l), param(h)),
            _ => "–".to_string(),
        };
        let expected = format!("<td>{verdict}</td><td>{survivable}</td><td>{reading}</td>");
        assert!(found.contains(&expected), "{found}\nexpected {expected}");
    }
    assert!(text.contains("stress-asia-typhoon/charts/sweep-stockout-rate.svg"));

    // optimize: the value chosen per item, its figure with interval, the value just below;
    // the justification of --justify.
    let optimize = json(&folder.join("optimize-jic-30d/optimize.json"));
    let text = section(&html, "analysis-optimize-jic-30d");
    assert!(text.contains("32,000 runs"), "{text}");
    assert!(text.contains("(seed 7)"), "{text}");
    for a in optimize["answers"].as_array().unwrap() {
        let unit = a["unit"].as_str().unwrap();
        let mean = a["metric"]["mean"].as_f64().unwrap();
        let (low, high) = (
            a["metric"]["ci95_low"].as_f64().unwrap(),
            a["metric"]["ci95_high"].as_f64().unwrap(),
        );
        let found = row(text, unit, &[param(a["value"].as_f64().unwrap())]);
        let metric = format!(
            "<td>{}<span class=\"sub\">[{}, {}]</span></td>",
            value("stockout_rate", mean),
            value("stockout_rate", low),
            value("stockout_rate", high)
        );
        assert!(found.contains(&metric), "{found}\nexpected {metric}");
        let below = &a["below"];
        let below = format!(
            "<td>{}<span class=\"sub\">{}</span></td>",
            param(below["value"].as_f64().unwrap()),
            value(
                "stockout_rate",
                below["measured"]["value"].as_f64().unwrap()
            )
        );
        assert!(found.contains(&below), "{found}\nexpected {below}");
    }
    let summary = json(&folder.join("optimize-jic-30d/summary.json"));
    assert!(text.contains("Buffer justification: policy <code>jic-30d</code>"));
    for item in summary["justification"]["items"].as_array().unwrap() {
        for reason in item["reasons"].as_array().unwrap() {
            let line = reason["text"]
                .as_str()
                .unwrap()
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;");
            assert!(text.contains(&line), "justification lacks {line}");
        }
    }
}

#[test]
fn the_report_links_only_to_files_that_exist_and_stays_self_contained() {
    let (_dir, folder, _) = kanban_vs_jic_report();
    let html = read(&folder.join("report.html"));
    let md = read(&folder.join("report.md"));
    let mut links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect();
    links.extend(
        md.split("](")
            .skip(1)
            .map(|rest| rest.split(')').next().unwrap().to_string()),
    );
    let mut files = 0;
    for link in &links {
        if let Some(anchor) = link.strip_prefix('#') {
            assert!(
                html.contains(&format!("id=\"{anchor}\"")),
                "no anchor {anchor}"
            );
            continue;
        }
        assert!(!link.contains(':'), "not a relative link: {link}");
        let path = link.replace("%20", " ");
        assert!(folder.join(&path).is_file(), "{link} does not resolve");
        files += 1;
    }
    // The analyses' files and charts: 2 for compare, 2 + 6 × 2 for the sweep, 3 + 6 × 2 for
    // the stress test, 5 for the optimisation; and the Markdown's 18 charts.
    assert!(files >= 36 + 18, "{files} links to files");

    let mut ids: Vec<&str> = html
        .split(" id=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    let all = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all, "every anchor once");

    for forbidden in ["<script", "<link", "src=", "url(", "@import", "<iframe"] {
        assert!(
            !html.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    // The only URL is the SVG namespace, which browsers never fetch: one per chart, the run's
    // 8 (with the items' on-hand fans and the stockout rate by month) and the analyses' 12.
    assert_eq!(html.matches("http").count(), 20);
    assert_eq!(html.matches("http://www.w3.org/2000/svg").count(), 20);
}

#[test]
fn a_folder_with_only_a_summary_has_no_analysis_section() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        committed("kanban-vs-jic/summary.json"),
        dir.path().join("summary.json"),
    )
    .unwrap();
    // Folders of other commands, and of no command, are not analyses.
    std::fs::create_dir_all(dir.path().join("trace-kanban")).unwrap();
    std::fs::write(dir.path().join("trace-kanban/trace.md"), "# trace\n").unwrap();
    std::fs::create_dir_all(dir.path().join("notes")).unwrap();
    let output = buffersim().arg("report").arg(dir.path()).output().unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("analys"), "{stderr}");
    let html = read(&dir.path().join("report.html"));
    assert!(!html.contains("analysis-"));
    let md = read(&dir.path().join("report.md"));
    assert!(!md.contains("## Compared with"));
    assert!(!md.contains("## Sweep of"));
}

/// A malformed, foreign or inconsistent analysis file is left out of the report with a warning
/// naming it (exit 0, no panic); the report says so in its place, and shows the other
/// analyses; `run --report` beside it still writes its results.
#[test]
fn a_broken_analysis_file_is_left_out_with_a_warning_and_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path();
    copy_folder(&committed("kanban-vs-jic"), folder, &["optimize-jic-30d"]);
    let broken = [
        ("{ \"scenario\": \"x\", \"runs\": 2", "EOF while parsing"),
        ("[1, 2, 3]", "invalid type"),
        (
            "{ \"scenario\": \"x\", \"runs\": 2, \"seed\": 1, \"baseline\": \"a\", \"policies\": \
             [ { \"policy\": \"b\", \"differences\": [ { \"metric\": \"bogus_rate\" } ] } ] }",
            "unknown metric `bogus_rate`",
        ),
    ];
    for (text, cause) in broken {
        std::fs::write(folder.join("compare.json"), text).unwrap();
        let output = buffersim().arg("report").arg(folder).output().unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            stderr.contains("warning: left the comparison in 'compare.json' out of the report"),
            "{stderr}"
        );
        assert!(stderr.contains("is not a buffersim comparison"), "{stderr}");
        assert!(stderr.contains(cause), "{stderr}");
        assert!(stderr.contains("2 analyses"), "{stderr}");
        let html = read(&folder.join("report.html"));
        let notice = section(&html, "analysis-compare");
        assert!(notice.contains("Not shown: the comparison in compare.json"));
        // Named as the links are, relative to the folder.
        assert!(notice.contains("'compare.json' is not a buffersim comparison"));
        assert!(!notice.contains(&folder.display().to_string()));
        assert!(html.contains("<section id=\"analysis-sweep\">"));
        assert!(html.contains("<section id=\"analysis-stress-asia-typhoon\">"));
    }

    // A sweep whose points do not fit its grid.
    std::fs::remove_file(folder.join("compare.json")).unwrap();
    let path = folder.join("sweep/sweep.json");
    let mut sweep = json(&path);
    sweep["points"].as_array_mut().unwrap().pop();
    std::fs::write(&path, sweep.to_string()).unwrap();
    let output = buffersim().arg("report").arg(folder).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("is not a consistent buffersim sweep: 10 points for a grid of 11"),
        "{stderr}"
    );

    // `run --report` keeps its simulation, and says what it left out.
    let output = buffersim()
        .args([
            "run",
            "scenarios/kanban-vs-jic.toml",
            "--runs",
            "20",
            "--report",
        ])
        .arg("--out")
        .arg(folder)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("warning: left the sweep in 'sweep/'"),
        "{stderr}"
    );
    assert!(stderr.contains("1 analysis"), "{stderr}");
    assert_eq!(json(&folder.join("summary.json"))["runs"], 20);
}

/// The analysis commands redraw the report of the folder they write into (compare) or beside
/// (sweep, stress, optimize), when it has one, and say so in one line; a folder without a
/// report gets none.
#[test]
fn an_analysis_redraws_the_report_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("kanban-vs-jic");
    let scenario = "scenarios/kanban-vs-jic.toml";
    buffersim()
        .args(["run", scenario, "--runs", "20", "--report", "--out"])
        .arg(&folder)
        .assert()
        .success();
    let commands: [(&str, Vec<&str>, &str); 4] = [
        ("", vec!["compare", scenario], "analysis-compare"),
        (
            "sweep",
            vec![
                "sweep",
                scenario,
                "--vary",
                "policy.jic-95.service_level=0.8..0.9:2",
            ],
            "analysis-sweep",
        ),
        (
            "stress-asia-typhoon",
            vec![
                "stress",
                scenario,
                "--disruption",
                "asia-typhoon",
                "--target",
                "stockout_rate<=0.02",
                "--range",
                "5..25",
                "--steps",
                "2",
            ],
            "analysis-stress-asia-typhoon",
        ),
        (
            "optimize-jic-30d",
            vec![
                "optimize",
                scenario,
                "--policy",
                "jic-30d",
                "--param",
                "policy.jic-30d.safety_stock_days",
                "--target",
                "stockout_rate<=0.05",
                "--range",
                "0..20",
                "--max-runs",
                "40",
            ],
            "analysis-optimize-jic-30d",
        ),
    ];
    for (n, (sub, args, id)) in commands.iter().enumerate() {
        let output = buffersim()
            .args(args)
            .args(["--runs", "20", "--out"])
            .arg(folder.join(sub))
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        let redrew: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("report: redrew"))
            .collect();
        assert_eq!(redrew.len(), 1, "{stderr}");
        assert!(redrew[0].contains("report.html"), "{stderr}");
        let analyses = if n == 0 {
            "the 1 analysis".to_string()
        } else {
            format!("the {} analyses", n + 1)
        };
        assert!(redrew[0].contains(&analyses), "{stderr}");
        let html = read(&folder.join("report.html"));
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }

    // Without a report, an analysis draws none.
    let bare = dir.path().join("bare");
    buffersim()
        .args(["run", scenario, "--runs", "20", "--out"])
        .arg(&bare)
        .assert()
        .success();
    let output = buffersim()
        .args(["compare", scenario, "--runs", "20", "--out"])
        .arg(&bare)
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8(output.stderr).unwrap().contains("redrew"));
    assert!(!bare.join("report.html").exists());
}
