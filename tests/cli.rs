//! End-to-end tests of the `buffersim` command: examples, reproducibility and bad input.

mod common;

use assert_cmd::Command;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Same scenario and seed, one thread or two: identical bytes.
#[test]
fn results_do_not_depend_on_thread_count() {
    let run = |threads: &str| {
        let out = tempfile::tempdir().unwrap();
        buffersim()
            .args([
                "run",
                "scenarios/kanban-vs-jic.toml",
                "--runs",
                "300",
                "--seed",
                "99",
            ])
            .args(["--threads", threads, "--out"])
            .arg(out.path())
            .assert()
            .success();
        let json = std::fs::read(out.path().join("summary.json")).unwrap();
        let csv = std::fs::read(out.path().join("summary.csv")).unwrap();
        (json, csv)
    };
    let one = run("1");
    assert!(one == run("2"), "1 and 2 threads differ");
    assert!(one == run("3"), "1 and 3 threads differ");
}

#[test]
fn seed_and_runs_flags_are_recorded() {
    let out = tempfile::tempdir().unwrap();
    buffersim()
        .args([
            "run",
            "scenarios/kanban-reference.toml",
            "--runs",
            "70",
            "--seed",
            "5",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("summary.json")).unwrap()).unwrap();
    assert_eq!(json["runs"], 70);
    assert_eq!(json["seed"], 5);
    assert_eq!(json["policies"][0]["metrics"]["fill_rate"]["n"], 70);
    assert_eq!(json["policies"][0]["kanban"][0]["containers"], 5);
    assert!(json["rng"].as_str().unwrap().contains("xoshiro256++"));
}

#[test]
fn validate_shows_the_resolved_scenario() {
    buffersim()
        .args(["validate", "scenarios/kanban-reference.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "kanban loop of widget: 5 × 25 = 125 units (2.50 days)",
        ))
        .stdout(predicates::str::contains("scenario is valid"));
}

/// Writes `contents` as a scenario and runs `buffersim run` on it; returns stderr, after
/// checking the exit code is 2 and nothing panicked.
fn run_bad(contents: &str) -> String {
    run_bad_as("bad.toml", contents)
}

/// As [`run_bad`], for a scenario written to a file of this name.
fn run_bad_as(name: &str, contents: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, contents).unwrap();
    let output = buffersim()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    assert!(
        stderr.contains(name),
        "the message names the file: {stderr}"
    );
    assert!(
        !dir.path().join("out").exists(),
        "nothing is written for a bad scenario"
    );
    stderr
}

const GOOD: &str = r#"
[simulation]
runs = 10

[[supplier]]
id = "acme"
lead_time = { fixed = 2 }

[[item]]
id = "widget"
unit_cost = 3
demand = { normal = { mean = 20, sd = 4 } }

[policy.jic.rule.reorder_point]
service_level = 0.95
quantity = { fixed = 100 }
"#;

#[test]
fn the_good_base_case_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("good.toml");
    std::fs::write(&path, GOOD).unwrap();
    buffersim()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let err = run_bad(&GOOD.replace("service_level = 0.95", "service_levle = 0.95"));
    assert!(err.contains("unknown field `service_levle`"), "{err}");
    assert!(err.contains("line 15"), "{err}");
    assert!(
        err.contains("service_level"),
        "lists what is allowed: {err}"
    );
}

#[test]
fn negative_standard_deviation() {
    let err = run_bad(&GOOD.replace("sd = 4", "sd = -4"));
    assert!(
        err.contains(
            "line 12: item[0].demand.normal.sd: must be from 0 to 1,000,000,000,000 units (got -4)"
        ),
        "{err}"
    );
}

#[test]
fn probability_outside_zero_one() {
    let err = run_bad(&GOOD.replace("service_level = 0.95", "service_level = 1.2"));
    assert!(
        err.contains("policy.jic.rule.reorder_point.service_level"),
        "{err}"
    );
    assert!(err.contains("strictly between 0 and 1 (got 1.2)"), "{err}");
    let err = run_bad(&GOOD.replace(
        "lead_time = { fixed = 2 }",
        "lead_time = { fixed = 2 }\non_time_probability = -0.1",
    ));
    assert!(
        err.contains("supplier[0].on_time_probability: must be a probability between 0 and 1"),
        "{err}"
    );
}

#[test]
fn undefined_supplier() {
    let err = run_bad(&GOOD.replace("demand = {", "suppliers = [\"acne\"]\ndemand = {"));
    assert!(
        err.contains("item[0].suppliers[0]: no supplier has id 'acne'; defined: acme"),
        "{err}"
    );
}

#[test]
fn zero_horizon_and_several_problems_at_once() {
    let err = run_bad(
        &GOOD
            .replace("runs = 10", "runs = 0\nhorizon_days = 0")
            .replace("unit_cost = 3", "unit_cost = -3"),
    );
    assert!(err.contains("3 problems"), "{err}");
    assert!(
        err.contains("simulation.horizon_days: must be a whole number from 1 to 36500 (got 0)"),
        "{err}"
    );
    assert!(err.contains("simulation.runs"), "{err}");
    assert!(
        err.contains("item[0].unit_cost: must be from 0.000001 to 1,000,000,000 (got -3)"),
        "{err}"
    );
}

#[test]
fn toml_syntax_error() {
    let err = run_bad(&GOOD.replace("[simulation]", "[simulation"));
    assert!(err.contains("TOML parse error at line 2"), "{err}");
}

#[test]
fn wrong_type_is_reported_with_its_line() {
    let err = run_bad(&GOOD.replace("runs = 10", "runs = \"many\""));
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("invalid type"), "{err}");
}

#[test]
fn missing_scenario_file() {
    let output = buffersim()
        .args(["run", "no/such/scenario.toml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("cannot read scenario 'no/such/scenario.toml'"),
        "{stderr}"
    );
}

#[test]
fn unwritable_output_folder_fails_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "not a folder").unwrap();
    let output = buffersim()
        .args(["run", "scenarios/kanban-reference.toml", "--out"])
        .arg(blocker.join("results"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("cannot write results to"), "{stderr}");
    assert!(
        output.stdout.is_empty(),
        "no table is printed when results cannot be kept"
    );
}

#[test]
fn json_scenarios_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    std::fs::write(
        &path,
        r#"{"simulation": {"runs": 20},
            "supplier": [{"id": "acme", "lead_time": {"fixed": 2}}],
            "item": [{"id": "w", "unit_cost": 3, "container_size": 10, "demand": {"poisson": {"mean": 8}}}],
            "policy": {"kanban": {"rule": {"kanban": {"safety_factor": 0.3}}}}}"#,
    )
    .unwrap();
    buffersim()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    std::fs::write(&path, r#"{"simulation": {"runs": -1}}"#).unwrap();
    let output = buffersim().arg("validate").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn disruption_problems_are_all_reported() {
    let bad = GOOD.to_string()
        + r#"
[[disruption]]
id = "storm"
effect = { regional_event = { region = "mars" } }
occurrence = { markov = { mean_days_up = 10 } }

[[disruption]]
id = "promo"
effect = { demand_surge = { items = ["gizmo"], factor = { fixed = 2 } } }
occurrence = { scheduled = { start_day = 10, duration_days = 0 } }
"#;
    let err = run_bad(&bad);
    assert!(err.contains("4 problems"), "{err}");
    assert!(
        err.contains("disruption[0].effect.regional_event.region: no supplier is in region 'mars'"),
        "{err}"
    );
    assert!(
        err.contains("disruption[0].occurrence.markov: give daily_failure_probability"),
        "{err}"
    );
    assert!(
        err.contains("disruption[1].effect.demand_surge.items[0]: no item has id 'gizmo'"),
        "{err}"
    );
    assert!(
        err.contains("disruption[1].occurrence.scheduled.duration_days"),
        "{err}"
    );
}

#[test]
fn absurd_negative_binomial_is_an_error_not_a_panic() {
    let err = run_bad(&GOOD.replace(
        "demand = { normal = { mean = 20, sd = 4 } }",
        "demand = { negative_binomial = { mean = 20, sd = 1e200 } }",
    ));
    assert!(
        err.contains(
            "item[0].demand.negative_binomial.sd: must be from 0 to 1,000,000,000,000 units (got 1e200)"
        ),
        "{err}"
    );
}

/// The analysis commands reject bad parameters, targets and names with exit code 2 and a
/// message that lists what is allowed.
#[test]
fn analysis_commands_explain_bad_input() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "sweep",
                "scenarios/kanban-vs-jic.toml",
                "--vary",
                "policy.nope.x=1..2",
            ],
            "its policy names are",
        ),
        (
            &[
                "sweep",
                "scenarios/kanban-vs-jic.toml",
                "--vary",
                "policy.kanban.safety_factor=a..b",
            ],
            "is not a finite number",
        ),
        (
            &[
                "optimize",
                "scenarios/kanban-vs-jic.toml",
                "--policy",
                "kanban",
                "--param",
                "policy.kanban.safety_factor",
                "--target",
                "stockout<=0.02",
            ],
            "metrics are: fill_rate",
        ),
        (
            &[
                "compare",
                "scenarios/kanban-vs-jic.toml",
                "--baseline",
                "nope",
            ],
            "its policies are: kanban",
        ),
        (
            &[
                "stress",
                "scenarios/kanban-vs-jic.toml",
                "--disruption",
                "nope",
                "--target",
                "stockout_rate<=0.02",
            ],
            "its disruption names are",
        ),
    ];
    for (args, message) in cases {
        buffersim()
            .args(args)
            .assert()
            .code(2)
            .stderr(predicates::str::contains(message));
    }
}

/// Issue 18, item 10: lead-time distributions that cannot be tabulated are refused with the
/// field named (validate panicked on them: a lognormal whose spread overflows, a triangular
/// whose minimum is reported as negative and then tabulated anyway).
#[test]
fn issue_18_untabulable_lead_times_are_refused() {
    for (lead_time, field, says) in [
        (
            "{ lognormal = { mean = 1e-308, sd = 1 } }",
            "lead_time.lognormal.sd",
            "at most 100 times the mean",
        ),
        (
            "{ triangular = { min = -1e308, mode = 2, max = 5 } }",
            "lead_time.triangular.min",
            "must be from 0 to 3,650 days (got -1e308)",
        ),
        (
            "{ triangular = { min = -inf, mode = 2, max = 5 } }",
            "lead_time.triangular.min",
            "must be from 0 to 3,650 days (got -inf)",
        ),
    ] {
        let stderr = run_bad(&GOOD.replace("{ fixed = 2 }", lead_time));
        assert!(
            stderr.contains(field) && stderr.contains(says),
            "{lead_time}: {stderr}"
        );
    }
}

/// Issue 18, item 7: from a single run no confidence interval can be computed. Tables say
/// "n/a" instead of "±0.00", the files hold `null` (JSON) or empty fields (CSV), never `inf`,
/// `compare` marks no difference significant, and analyses that judge by intervals refuse.
#[test]
fn issue_18_a_single_run_has_no_interval() {
    let out = tempfile::tempdir().unwrap();
    let one_run = ["scenarios/kanban-vs-jic.toml", "--runs", "1", "--out"];
    let run = buffersim()
        .arg("run")
        .args(one_run)
        .arg(out.path())
        .arg("--report")
        .assert()
        .success();
    let table = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    assert!(table.contains("±n/a"), "{table}");
    assert!(!table.contains("±0.00"), "{table}");
    let read = |name: &str| std::fs::read_to_string(out.path().join(name)).unwrap();
    let json = read("summary.json");
    assert!(json.contains("\"ci95_low\": null") && json.contains("\"ci95_high\": null"));
    let csv = read("summary.csv");
    assert!(
        csv.lines().skip(1).all(|l| l.split(',').nth(5) == Some("")),
        "{csv}"
    );
    assert!(read("report.md").contains("[n/a: 1 run]"));
    // The summary written with nulls reads back.
    buffersim().arg("report").arg(out.path()).assert().success();

    let compare = buffersim()
        .arg("compare")
        .args(one_run)
        .arg(out.path())
        .assert()
        .success();
    let text = String::from_utf8(compare.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains("[n/a: 1 run]") && !text.contains("]*"),
        "{text}"
    );
    let json = read("compare.json");
    for field in [
        "significant",
        "paired_half_width",
        "unpaired_half_width",
        "ci95_low",
    ] {
        assert!(
            json.contains(&format!("\"{field}\": null")),
            "{field}: {json}"
        );
    }
    let csv = read("compare.csv");
    assert!(csv.lines().skip(1).all(|l| l.ends_with(",,,,,")), "{csv}");
    for text in [read("summary.json"), read("summary.csv"), json, csv] {
        assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
    }

    let stress = buffersim()
        .args([
            "stress",
            "scenarios/kanban-vs-jic.toml",
            "--disruption",
            "asia-typhoon",
        ])
        .args(["--target", "fill_rate>=95%", "--runs", "1", "--out"])
        .arg(out.path().join("stress"))
        .assert()
        .code(2);
    let stderr = String::from_utf8(stress.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("needs at least 2 runs"), "{stderr}");
    let optimize = buffersim()
        .args([
            "optimize",
            "scenarios/kanban-vs-jic.toml",
            "--policy",
            "jic-95",
        ])
        .args([
            "--param",
            "policy.jic-95.safety_stock_days",
            "--target",
            "fill_rate>=95%",
        ])
        .args(["--runs", "1", "--max-runs", "1", "--out"])
        .arg(out.path().join("optimize"))
        .assert()
        .code(2);
    let stderr = String::from_utf8(optimize.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("needs at least 2 runs"), "{stderr}");
}

/// Issue 18, item 6 (follow-up): a default range widened by doubling stops at the field's
/// documented limit (3,650 days of safety stock) and answers "not met up to 3650", rather than
/// stepping past it and failing with a range error.
#[test]
fn issue_18_optimize_widens_no_further_than_the_field_allows() {
    let out = tempfile::tempdir().unwrap();
    let run = buffersim()
        .args([
            "optimize",
            "scenarios/kanban-vs-jic.toml",
            "--policy",
            "jic-30d",
        ])
        .args(["--param", "policy.jic-30d.safety_stock_days"])
        .args([
            "--target",
            "supplier_on_time_rate>=99%",
            "--runs",
            "64",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let text = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    // Lines are wrapped to fit the terminal: read the words in order.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("not met anywhere up to safety_stock_days = 3650"),
        "{text}"
    );
}

/// Issue 18, item 4: justify.md's cost line names every part of the total it quotes, the
/// purchase premium included, with its figure where the item pays one; and a failover item's
/// backup is called the backup, not "0% of orders".
#[test]
fn issue_18_justify_names_the_premium_and_the_backup() {
    let out = tempfile::tempdir().unwrap();
    buffersim()
        .args([
            "optimize",
            "scenarios/kanban-vs-jic.toml",
            "--policy",
            "jic-30d",
        ])
        .args(["--param", "policy.jic-30d.safety_stock_days"])
        .args(["--target", "stockout_rate<=0.05", "--per-item", "--justify"])
        .args(["--runs", "200", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let md = std::fs::read_to_string(out.path().join("justify.md")).unwrap();
    let power = &md[md.find("### power-supply").expect("a section per item")..];
    let power = &power[..power[4..].find("### ").map_or(power.len(), |e| e + 4)];
    assert!(!power.contains("0% of orders"), "{power}");
    assert!(
        power.contains("'distributor' (") && power.contains(", backup"),
        "{power}"
    );
    assert!(power.contains(", purchase premium "), "{power}");
    assert!(
        md.contains("(carrying, ordering, stockout, expediting and purchase premium)"),
        "{md}"
    );
}

/// Issue 18, item 14: command-line numbers outside their range are refused before anything
/// runs (a zero or NaN tolerance searched forever or not at all; a hundred million threads
/// took minutes to start; runs above the scenario format's cap were accepted).
#[test]
fn issue_18_command_line_numbers_out_of_range_are_refused() {
    let optimize = [
        "optimize",
        "scenarios/kanban-reference.toml",
        "--policy",
        "kanban",
        "--param",
        "policy.kanban.safety_factor",
        "--target",
        "stockout_rate<=0.05",
    ];
    for (extra, says) in [
        (
            vec!["--tolerance", "0"],
            "--tolerance must be a number greater than zero",
        ),
        (
            vec!["--tolerance", "NaN"],
            "--tolerance must be a number greater than zero",
        ),
        (
            vec!["--runs", "2000000000"],
            "--runs must be from 1 to 1000000000",
        ),
        (
            vec!["--threads", "100000000"],
            "--threads must be from 1 to 1024",
        ),
        (
            vec!["--max-runs", "0"],
            "--max-runs must be from 1 to 1000000000",
        ),
    ] {
        let output = buffersim()
            .args(optimize)
            .args(&extra)
            .args(["--out", "/nonexistent/never-written"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(says), "{extra:?}: {stderr}");
    }
}

/// `stress --disruption asia-typhoon`: the typhoon closes the Asian suppliers, and the
/// controller board is bought only from the European one. It is reported as unaffected — in
/// the text and in stress.json — not as surviving "at least" the whole range, nor as missing
/// the target "even at" the mildest typhoon; the items the typhoon reaches are still judged.
/// The stockout-rate chart shows the target as a dashed line.
#[test]
fn issue_18_stress_reports_unreached_items_as_unaffected() {
    let out = tempfile::tempdir().unwrap();
    let output = buffersim()
        .args([
            "stress",
            "scenarios/kanban-vs-jic.toml",
            "--disruption",
            "asia-typhoon",
            "--target",
            "stockout_rate<=0.02",
            "--range",
            "5..45",
            "--steps",
            "3",
            "--runs",
            "64",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let board: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("item 'controller-board'"))
        .collect();
    assert_eq!(board.len(), 5, "one line per policy:\n{text}");
    for line in &board {
        assert!(line.contains("unaffected"), "{line}");
        assert!(!line.contains("up to"), "{line}");
        assert!(!line.contains("misses the target even at"), "{line}");
    }
    // The items the typhoon reaches are judged as before.
    for item in ["power-supply", "enclosure"] {
        assert!(
            text.lines()
                .filter(|l| l.contains(&format!("item '{item}'")))
                .all(|l| !l.contains("unaffected")),
            "{text}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("stress.json")).unwrap()).unwrap();
    for s in json["survival"].as_array().unwrap() {
        let unit = s["unit"].as_str().unwrap();
        let reached = unit != "controller-board";
        assert_eq!(s["reached"], reached, "{s}");
        assert_eq!(s["verdict"] == "unaffected", !reached, "{s}");
        if !reached {
            assert!(
                s["survivable"].is_null() && s["holds_at_end"] == false,
                "{s}"
            );
        }
    }
    let chart = std::fs::read_to_string(out.path().join("charts/sweep-stockout-rate.svg")).unwrap();
    assert!(chart.contains("target ≤ 2.00%"), "no target line");
}

/// Targets no figure can meet (a share above 100% or below 0%, a negative cost) are refused
/// before any simulation, with exit code 2 and a message naming the target and what the
/// metric can take; by `optimize` and by `stress` alike.
#[test]
fn issue_18_impossible_targets_are_refused_before_simulating() {
    let optimize = [
        "optimize",
        "scenarios/kanban-vs-jic.toml",
        "--policy",
        "jic-30d",
        "--param",
        "policy.jic-30d.safety_stock_days",
        "--range",
        "0..1",
        "--runs",
        "64",
        "--max-runs",
        "64",
        "--target",
    ];
    let stress = [
        "stress",
        "scenarios/kanban-vs-jic.toml",
        "--disruption",
        "asia-typhoon",
        "--steps",
        "2",
        "--runs",
        "64",
        "--target",
    ];
    let cases: [(&[&str], &str, &str); 5] = [
        (&optimize, "fill_rate>=200%", "from 0% to 100%"),
        (&optimize, "stockout_rate <= -1%", "from 0% to 100%"),
        (
            &optimize,
            "p95 cycle_service_level >= 1.5",
            "from 0% to 100%",
        ),
        (&optimize, "total_cost<=-5", "0 or more"),
        (&stress, "fill_rate>=200%", "from 0% to 100%"),
    ];
    for (command, target, allowed) in cases {
        let out = tempfile::tempdir().unwrap();
        let assert = buffersim()
            .args(command)
            .arg(target)
            .arg("--out")
            .arg(out.path())
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(err.contains(&format!("target '{target}'")), "{err}");
        assert!(err.contains(allowed), "{target}: {err}");
        assert!(
            !err.contains("searched in") && !err.contains("grid points"),
            "{target}: simulated before refusing: {err}"
        );
    }
}

/// Every verdict `optimize` prints or writes comes with the confidence bound that decided
/// it and that bound's value: beside the value chosen and the value just below it, in
/// optimize.json (every candidate tried) and in justify.md.
#[test]
fn issue_18_optimize_gives_the_bound_behind_every_verdict() {
    let out = tempfile::tempdir().unwrap();
    let output = buffersim()
        .args([
            "optimize",
            "scenarios/kanban-vs-jic.toml",
            "--policy",
            "jic-30d",
            "--param",
            "policy.jic-30d.safety_stock_days",
            "--target",
            "fill_rate >= 98%",
            "--per-item",
            "--justify",
            "--runs",
            "64",
            "--max-runs",
            "256",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    // Lines are wrapped to fit the terminal: read the words in order.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Each verdict names the bound that decided it: for `>=`, the lower one when the target
    // is met or not shown to be, the upper one when even that misses.
    let any_bound = "confidence bound of the mean is ";
    let verdicts = ["meets the target", "misses the target", "not shown to meet"];
    let verdict_count: usize = verdicts.iter().map(|v| flat.matches(v).count()).sum();
    assert!(verdict_count > 0, "{text}");
    assert_eq!(flat.matches(any_bound).count(), verdict_count, "{text}");
    assert!(
        flat.contains("meets the target: the 95% lower confidence bound of the mean is 98."),
        "{text}"
    );
    assert!(text.contains("just below"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("optimize.json")).unwrap()).unwrap();
    for answer in json["answers"].as_array().unwrap() {
        let measured = answer["tried"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["measured"])
            .chain([
                &answer["achieved"],
                &answer["below"]["measured"],
                &answer["deciding"]["measured"],
            ]);
        for m in measured {
            let reason = m["reason"].as_str().unwrap_or_default();
            assert!(reason.contains(any_bound), "{m}");
            let side = if m["verdict"] == "meets" {
                "at or above 98.0"
            } else {
                "below 98.0"
            };
            assert!(reason.contains(side), "{m}");
        }
        assert_eq!(answer["deciding"]["measured"]["verdict"], "meets");
    }
    let justify = std::fs::read_to_string(out.path().join("justify.md")).unwrap();
    for line in justify
        .lines()
        .filter(|l| l.contains("**Buffer chosen**") || l.contains("**Next-smaller buffer**"))
    {
        assert!(line.contains(any_bound), "{line}");
    }
}

/// A target no value in the range meets (a base stock reviewed daily orders every day, so it
/// never orders at most once a year, however large): the answer names the largest value
/// tried, after the range was widened, and there is no "just below" value, which only means
/// something next to a value that meets; justify.md says the same.
#[test]
fn issue_18_optimize_says_plainly_when_no_value_meets() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daily.toml");
    std::fs::write(&path, common::deterministic_outage(100, 5)).unwrap();
    let out = dir.path().join("out");
    let output = buffersim()
        .args(["optimize"])
        .arg(&path)
        .args([
            "--policy",
            "base",
            "--param",
            "policy.base.order_up_to",
            "--target",
            "orders_per_year <= 1",
            "--justify",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("optimize.json")).unwrap()).unwrap();
    let answer = &json["answers"][0];
    assert!(
        answer["value"].is_null() && answer["below"].is_null(),
        "{answer}"
    );
    let top = answer["tried"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(top > 200.0, "the range was widened: {top}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(&format!("not met anywhere up to order_up_to = {top}")),
        "{text}"
    );
    assert!(!text.contains("just below"), "{text}");
    let justify = std::fs::read_to_string(out.join("justify.md")).unwrap();
    assert!(!justify.contains("every value tried meets"), "{justify}");
    assert!(justify.contains(&format!("= {top}")), "{justify}");
}

/// Issue 18, item 8: a kanban loop that would need more containers than a loop may have is
/// refused, naming the count and the container size that would do (the count was capped at
/// 2³² − 1 without a word, so at 10¹² units a day the loop covered 0.11 days of demand).
#[test]
fn issue_18_a_kanban_loop_beyond_a_million_containers_is_refused() {
    let err = run_bad(
        &GOOD
            .replace(
                "demand = { normal = { mean = 20, sd = 4 } }",
                "container_size = 25\ndemand = { deterministic = 1e12 }",
            )
            .replace(
                "[policy.jic.rule.reorder_point]\nservice_level = 0.95\nquantity = { fixed = 100 }",
                "[policy.cards.rule.kanban]\nsafety_factor = 0.2",
            ),
    );
    assert!(
        err.contains("policy.cards.rule.kanban.safety_factor: item 'widget': sizes the loop at 96,000,000,000 containers of 25 units"),
        "{err}"
    );
    assert!(
        err.contains("more than the 1,000,000 a kanban loop may have"),
        "{err}"
    );
    assert!(
        err.contains("container_size of at least 2,400,000 units"),
        "{err}"
    );
    let err = run_bad(&GOOD.replace(
        "[policy.jic.rule.reorder_point]\nservice_level = 0.95\nquantity = { fixed = 100 }",
        "[policy.cards.rule.kanban]\ncontainers = 2000000\ncontainer_size = 10",
    ));
    assert!(
        err.contains("kanban.containers: item 'widget': must be a whole number from 1 to 1,000,000 (got 2000000)"),
        "{err}"
    );
}

/// Issue 18, item 15: a scheduled disruption or a pre-build window that starts after the
/// horizon would never happen; it is refused, naming it, its start and the horizon (it passed
/// validation and was silently left out).
#[test]
fn issue_18_events_after_the_horizon_are_refused() {
    let err = run_bad(
        &(GOOD.replace("runs = 10", "runs = 10\nhorizon_days = 365")
            + r#"
[[disruption]]
id = "strike"
effect = { supplier_outage = { supplier = "acme" } }
occurrence = { scheduled = { start_day = 400, duration_days = 10 } }
"#),
    );
    assert!(
        err.contains(
            "line 22: disruption[0].occurrence.scheduled.start_day: disruption 'strike' starts on \
             day 400, after the horizon of 365 days (days 0 to 364), so it would never happen"
        ),
        "{err}"
    );
    let err = run_bad(
        &(GOOD.replace("runs = 10", "runs = 10\nhorizon_days = 60")
            + r#"
[policy.jic.prebuild]
start_day_of_year = 288
end_day_of_year = 364
factor = 1.5
"#),
    );
    assert!(
        err.contains(
            "policy.jic.prebuild.start_day_of_year: policy 'jic': the pre-build window (day of \
             the year 288 up to 364) starts on day 288 of the run, after the horizon of 60 days"
        ),
        "{err}"
    );
}

/// Issue 18, item 12: every number of the scenario format has a finite range. `nan` and `inf`
/// (TOML literals) and values that overflow later were accepted: `order_up_to = nan` never
/// ordered, `inf` gave 2.8·10¹⁹ units on hand, `unit_cost = 1e308` overflowed the costs.
#[test]
fn issue_18_numbers_outside_their_range_are_refused() {
    const RULE: &str =
        "[policy.jic.rule.reorder_point]\nservice_level = 0.95\nquantity = { fixed = 100 }";
    // (text replaced in GOOD, its replacement, what the message must say)
    let cases: &[(&str, &str, &str)] = &[
        (
            RULE,
            "[policy.jic.rule.base_stock]\norder_up_to = nan",
            "policy.jic.rule.base_stock.order_up_to: must be from 0 to 1,000,000,000,000 units (got nan)",
        ),
        (
            RULE,
            "[policy.jic.rule.base_stock]\norder_up_to = inf",
            "policy.jic.rule.base_stock.order_up_to: must be from 0 to 1,000,000,000,000 units (got inf)",
        ),
        (
            RULE,
            "[policy.jic.rule.base_stock]\nsafety_stock_days = 1e308",
            "policy.jic.rule.base_stock.safety_stock_days: must be from 0 to 3,650 days (got 1e308)",
        ),
        (
            RULE,
            "[policy.jic.rule.s_s]\nreorder_point = 10\norder_up_to = -inf",
            "policy.jic.rule.s_s.order_up_to: must be from 0 to 1,000,000,000,000 units (got -inf)",
        ),
        (
            RULE,
            "[policy.jic.rule.r_q]\nreorder_point = 10\norder_quantity = nan",
            "policy.jic.rule.r_q.order_quantity: must be from 0.000001 to 1,000,000,000,000 units (got nan)",
        ),
        (
            RULE,
            "[policy.jic.rule.kanban]\nsafety_factor = inf\ncontainer_size = 10",
            "policy.jic.rule.kanban.safety_factor: must be from 0 to 100 (got inf)",
        ),
        (
            "quantity = { fixed = 100 }",
            "quantity = { order_up_to = nan }",
            "policy.jic.rule.reorder_point.quantity.order_up_to: must be from 0 to 1,000,000,000,000 units (got nan)",
        ),
        (
            "service_level = 0.95",
            "service_level = nan",
            "policy.jic.rule.reorder_point.service_level: item 'widget': must be a probability strictly between 0 and 1 (got nan)",
        ),
        (
            "unit_cost = 3",
            "unit_cost = 1e308",
            "item[0].unit_cost: must be from 0.000001 to 1,000,000,000 (got 1e308)",
        ),
        (
            "unit_cost = 3",
            "unit_cost = 3\ncarrying_rate = nan",
            "item[0].carrying_rate: must be from 0 to 10 a year (got nan)",
        ),
        (
            "unit_cost = 3",
            "unit_cost = 3\norder_cost = inf",
            "item[0].order_cost: must be from 0 to 1,000,000,000 (got inf)",
        ),
        (
            "unit_cost = 3",
            "unit_cost = 3\ntrend_per_year = 1e300",
            "item[0].trend_per_year: must be from -1 to 100 a year (got 1e300)",
        ),
        (
            "unit_cost = 3",
            "unit_cost = 3\nseasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, inf]",
            "item[0].seasonality[11]: must be from 0 to 100 (got inf)",
        ),
        (
            "{ normal = { mean = 20, sd = 4 } }",
            "{ uniform = { min = 0, max = inf } }",
            "item[0].demand.uniform.max: must be from 0 to 1,000,000,000,000 units (got inf)",
        ),
        (
            "{ normal = { mean = 20, sd = 4 } }",
            "{ normal = { mean = nan, sd = 4 } }",
            "item[0].demand.normal.mean: must be from 0 to 1,000,000,000,000 units (got nan)",
        ),
        (
            "{ normal = { mean = 20, sd = 4 } }",
            "{ lognormal = { mean = 1e-300, sd = 4 } }",
            "item[0].demand.lognormal.mean: must be from 0.000001 to 1,000,000,000,000 units (got 1e-300)",
        ),
        (
            "{ normal = { mean = 20, sd = 4 } }",
            "{ empirical = [1, 2, 1e13] }",
            "item[0].demand.empirical[2]: must be from 0 to 1,000,000,000,000 units (got 10000000000000)",
        ),
        (
            "lead_time = { fixed = 2 }",
            "lead_time = { fixed = 2 }\ncapacity_per_day = inf\nmin_order_quantity = nan",
            "supplier[0].capacity_per_day: must be from 0.000001 to 1,000,000,000,000 units (got inf)",
        ),
        (
            "lead_time = { fixed = 2 }",
            "lead_time = { fixed = 2 }\nunit_cost_premium = 1e300",
            "supplier[0].unit_cost_premium: must be from 0 to 1,000,000,000 (got 1e300)",
        ),
        (
            "[policy.jic.rule.reorder_point]",
            "[policy.jic]\nreserve_days = nan\nexpedite = { lead_time_days = 1, premium_rate = inf }\n\n[policy.jic.rule.reorder_point]",
            "policy.jic.expedite.premium_rate: must be from 0 to 100 (got inf)",
        ),
    ];
    for (from, to, says) in cases {
        let err = run_bad(&GOOD.replace(from, to));
        assert!(err.contains(says), "{to}:\n{err}");
    }
    // Everything found is reported at once: the supplier's two fields, the policy's reserve.
    let err = run_bad(&GOOD.replace(
        "lead_time = { fixed = 2 }",
        "lead_time = { fixed = 2 }\ncapacity_per_day = inf\nmin_order_quantity = nan",
    ));
    assert!(
        err.contains(
            "supplier[0].min_order_quantity: must be from 0 to 1,000,000,000,000 units (got nan)"
        ),
        "{err}"
    );
    let err = run_bad(&GOOD.replace(
        "[policy.jic.rule.reorder_point]",
        "[policy.jic]\nreserve_days = nan\n\n[policy.jic.rule.reorder_point]",
    ));
    assert!(
        err.contains("policy.jic.reserve_days: must be from 0 to 3,650 days (got nan)"),
        "{err}"
    );
    // A rule's numbers are reported with the items' problems, though it cannot be sized.
    let err = run_bad(&GOOD.replace("unit_cost = 3", "unit_cost = 1e308").replace(
        "service_level = 0.95",
        "service_level = 0.95\nsafety_stock = nan",
    ));
    assert!(err.contains("item[0].unit_cost: must be from"), "{err}");
    assert!(
        err.contains(
            "policy.jic.rule.reorder_point.safety_stock: must be from 0 to 1,000,000,000,000 units (got nan)"
        ),
        "{err}"
    );

    let disruption = |effect: &str, occurrence: &str| {
        format!(
            "{GOOD}\n[[disruption]]\nid = \"d\"\neffect = {effect}\noccurrence = {occurrence}\n"
        )
    };
    let outage = "{ supplier_outage = { supplier = \"acme\" } }";
    let scheduled = "{ scheduled = { start_day = 10, duration_days = 5 } }";
    for (scenario, says) in [
        (
            disruption(
                "{ lead_time_drift = { supplier = \"acme\", factor = inf } }",
                scheduled,
            ),
            "disruption[0].effect.lead_time_drift.factor: must be greater than 0 and at most 100 (got inf)",
        ),
        (
            disruption("{ demand_surge = { factor = { fixed = nan } } }", scheduled),
            "disruption[0].effect.demand_surge.factor.fixed: must be from 0 to 100 (got nan)",
        ),
        (
            disruption(
                "{ demand_surge = { factor = { triangular = { min = 1, mode = 2, max = inf } } } }",
                scheduled,
            ),
            "disruption[0].effect.demand_surge.factor.triangular.max: must be from 0 to 100 (got inf)",
        ),
        (
            disruption(
                "{ capacity_cut = { supplier = \"acme\", factor = nan } }",
                scheduled,
            ),
            "disruption[0].effect.capacity_cut.factor: must be between 0 (nothing ships) and 1 (full capacity) (got nan)",
        ),
        (
            disruption(
                outage,
                "{ random = { rate_per_year = nan, duration_days = { fixed = 3 } } }",
            ),
            "disruption[0].occurrence.random.rate_per_year: must be greater than 0 and at most 365 events a year (got nan)",
        ),
        (
            disruption(
                outage,
                "{ markov = { mean_days_up = inf, mean_days_down = 5 } }",
            ),
            "disruption[0].occurrence.markov.mean_days_up: must be from 1 to 36,500 days (got inf)",
        ),
        (
            GOOD.to_string()
                + "\n[policy.jic.prebuild]\nstart_day_of_year = 1\nend_day_of_year = 30\nfactor = 1e308\n",
            "policy.jic.prebuild.factor: must be greater than 0 and at most 100 (got 1e308)",
        ),
    ] {
        let err = run_bad(&scenario);
        assert!(err.contains(says), "{scenario}:\n{err}");
    }
}

/// Issue 18, item 12: numbers each within range can still size a stock level that whole units
/// cannot be counted to; that is refused too, naming the item and the level.
#[test]
fn issue_18_stock_levels_beyond_exact_counting_are_refused() {
    let err = run_bad(
        &GOOD
            .replace("{ fixed = 2 }", "{ fixed = 3650 }")
            .replace("mean = 20, sd = 4", "mean = 1e12, sd = 4"),
    );
    assert!(
        err.contains(
            "policy.jic.rule: item 'widget': the rule's stock levels reach 3.65e15 units, more than \
             the 1,000,000,000,000,000 (1e15) a level may reach"
        ),
        "{err}"
    );
}

/// A JSON scenario, two policies (`kanban` twice in `policy`) and a problem value on line 4.
const JSON_GOOD: &str = r#"{"simulation": {"runs": 20},
 "supplier": [{"id": "acme", "lead_time": {"fixed": 2}}],
 "item": [{"id": "w", "unit_cost": 3, "container_size": 10,
           "demand": {"poisson": {"mean": 8}}}],
 "policy": {"kanban": {"rule": {"kanban": {"safety_factor": 0.3}}},
            "jic": {"rule": {"base_stock": {"service_level": 0.95}}}}}"#;

/// Issue 18, item 13: a JSON scenario with two policies of the same name is refused (serde_json
/// kept the second without a word; TOML refuses it), and JSON value errors name their line as
/// TOML ones do.
#[test]
fn issue_18_json_keys_given_twice_and_lines_of_json_problems() {
    let twice = JSON_GOOD.replace(r#""jic": {"rule""#, "\"kanban\": {\"rule\"");
    let err = run_bad_as("bad.json", &twice);
    assert!(
        err.contains(
            "line 6: policy.kanban: 'kanban' is given twice in the same object (lines 5 and 6); \
             JSON readers keep only the last, silently"
        ),
        "{err}"
    );
    // A field given twice in one object is named the same way, all of them at once.
    let err = run_bad_as(
        "bad.json",
        &twice.replace(r#""runs": 20"#, r#""runs": 20, "runs": 30"#),
    );
    assert!(err.contains("2 problems"), "{err}");
    assert!(
        err.contains("line 1: simulation.runs: 'runs' is given twice"),
        "{err}"
    );

    let err = run_bad_as(
        "bad.json",
        &JSON_GOOD
            .replace(r#""mean": 8"#, r#""mean": -8"#)
            .replace(r#""unit_cost": 3"#, r#""unit_cost": 0"#),
    );
    assert!(
        err.contains(
            "line 4: item[0].demand.poisson.mean: must be from 0.000001 to 1,000,000,000,000 units (got -8)"
        ),
        "{err}"
    );
    assert!(
        err.contains("line 3: item[0].unit_cost: must be from 0.000001"),
        "{err}"
    );
    // A missing field points at its object; the plural spelling of a list is found too.
    let err = run_bad_as(
        "bad.json",
        &JSON_GOOD
            .replace(r#""item": ["#, r#""items": ["#)
            .replace(r#""unit_cost": 3"#, r#""unit_cost": -1"#),
    );
    assert!(err.contains("line 3: item[0].unit_cost"), "{err}");
    let err = run_bad_as(
        "bad.json",
        &JSON_GOOD.replace(r#""container_size": 10,"#, ""),
    );
    assert!(
        err.contains("line 5: policy.kanban.rule.kanban.container_size: item 'w': a kanban rule needs a container size"),
        "{err}"
    );
}

/// Issue 18, item 16: shape errors in a planner's words. A field that takes one of several
/// forms, given a bare number, is shown the form (`lead_time = 2` got "wanted string or
/// table"); Rust type names ("expected f64", "i64") become words; a spreadsheet given for a
/// scenario or a CSV is named as such ("stream did not contain valid UTF-8").
#[test]
fn issue_18_shape_errors_say_what_is_expected() {
    let err = run_bad(&GOOD.replace("lead_time = { fixed = 2 }", "lead_time = 2"));
    assert!(err.contains("line 7"), "{err}");
    assert!(
        err.contains(
            "supplier[0].lead_time is a days distribution, written e.g. `lead_time = { fixed = 2 }`"
        ),
        "{err}"
    );
    assert!(err.contains("\"Days distributions\""), "{err}");
    let err = run_bad(&GOOD.replace("demand = { normal = { mean = 20, sd = 4 } }", "demand = 20"));
    assert!(err.contains("`demand = { deterministic = 20 }`"), "{err}");
    let err = run_bad(&GOOD.replace("quantity = { fixed = 100 }", "quantity = 100"));
    assert!(err.contains("`quantity = { fixed = 100 }`"), "{err}");

    let err = run_bad(&GOOD.replace("unit_cost = 3", "unit_cost = \"3 EUR\""));
    assert!(
        err.contains("invalid type: string \"3 EUR\", expected a number"),
        "{err}"
    );
    let err = run_bad(&GOOD.replace("runs = 10", "runs = 1.5"));
    assert!(err.contains("expected a whole number"), "{err}");
    assert!(!err.contains("i64") && !err.contains("f64"), "{err}");

    let err = run_bad_as("bad.json", &JSON_GOOD.replace(r#"{"fixed": 2}"#, "2"));
    assert!(err.contains("line 2 column"), "{err}");
    assert!(
        err.contains("supplier[0].lead_time is a days distribution, written e.g. `\"lead_time\": {\"fixed\": 2}`"),
        "{err}"
    );
    let err = run_bad_as(
        "bad.json",
        &JSON_GOOD.replace(r#""unit_cost": 3"#, r#""unit_cost": "3""#),
    );
    assert!(err.contains("expected a number at line 3"), "{err}");

    // A workbook where a scenario, a demand trace or an ERP export was meant.
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("plan.xlsx");
    std::fs::write(&workbook, b"PK\x03\x04\x14\x00\x06\x00\x08\x00\xa3\xff").unwrap();
    let output = buffersim().arg("validate").arg(&workbook).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("plan.xlsx' is a spreadsheet workbook (.xlsx, .ods) or another zip archive, not a text file: give a scenario in TOML or JSON"),
        "{stderr}"
    );
    let output = buffersim()
        .arg("profile")
        .arg(&workbook)
        .arg("--out")
        .arg(dir.path().join("profile"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // profile reads workbooks (issue 22, item 6): a broken one is a read error naming it.
    assert!(
        stderr.contains("cannot read '") && stderr.contains("plan.xlsx"),
        "{stderr}"
    );
    let latin1 = dir.path().join("history.csv");
    std::fs::write(
        &latin1,
        b"date,widget\n2024-01-01,3\n2024-01-02,4 caf\xe9\n",
    )
    .unwrap();
    let scenario = dir.path().join("trace.toml");
    std::fs::write(
        &scenario,
        GOOD.replace(
            "demand = { normal = { mean = 20, sd = 4 } }",
            "demand = { trace = { file = \"history.csv\", column = \"widget\" } }",
        ),
    )
    .unwrap();
    let output = buffersim().arg("validate").arg(&scenario).output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "history.csv' is not UTF-8 text (line 3 has a character in another encoding)"
        ),
        "{stderr}"
    );
}

/// Two items, two policies, a short horizon: a run that takes little time beyond starting.
const TWO_ITEMS: &str = r#"
[simulation]
horizon_days = 120
warmup_days = 10
runs = 64

[[supplier]]
id = "acme"
lead_time = { fixed = 2 }

[[item]]
id = "widget"
unit_cost = 3
demand = { normal = { mean = 20, sd = 4 } }

[[item]]
id = "gadget"
unit_cost = 5
demand = { poisson = { mean = 8 } }

[policy.jic.rule.reorder_point]
service_level = 0.95
quantity = { fixed = 100 }

[policy.lean.rule.reorder_point]
service_level = 0.8
quantity = { fixed = 40 }
"#;

/// Every file below `dir`, hidden ones included, by its path relative to `dir` (with `/`).
fn files_by_name(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((at, prefix)) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
            if entry.file_type().unwrap().is_dir() {
                stack.push((entry.path(), format!("{name}/")));
            } else {
                out.insert(name, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    out
}

/// Issue 18, item 17: `kill -9` left stale temporary files and folders holding a mix of old
/// and new files. A run killed at any moment of writing its results (summary and report) over
/// an earlier run's leaves, once the next command has touched the folder, exactly the earlier
/// result or the new one, and no temporary file; another command's files and subfolder are
/// left alone. The two runs differ in seed and run count, and one has a report and the other
/// not, so any mix of their files shows.
#[test]
fn issue_18_item_17_a_killed_run_leaves_the_old_result_or_the_new_one_whole() {
    use std::io::BufRead as _;
    use std::process::{Child, ChildStderr, Command, Stdio};
    use std::time::Instant;

    let work = tempfile::tempdir().unwrap();
    let scenario = work.path().join("two-items.toml");
    std::fs::write(&scenario, TWO_ITEMS).unwrap();
    let variants: [&[&str]; 2] = [
        &["--runs", "128", "--seed", "1", "--report"],
        &["--runs", "64", "--seed", "2"],
    ];
    // Start a run and wait until it has simulated: what follows is drawing and writing.
    let start = |k: usize, out: &std::path::Path| -> (Child, std::io::BufReader<ChildStderr>) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_buffersim"))
            .arg("run")
            .arg(&scenario)
            .args(variants[k])
            .arg("--out")
            .arg(out)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.starts_with("simulated") {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "no 'simulated' line"
            );
        }
        (child, stderr)
    };
    // Each result whole, and how long its run takes from the simulation's end to its own.
    let whole: Vec<_> = (0..2)
        .map(|k| {
            let out = work.path().join(format!("whole-{k}"));
            let (mut child, mut stderr) = start(k, &out);
            let simulated = Instant::now();
            std::io::copy(&mut stderr, &mut std::io::sink()).unwrap();
            assert!(child.wait().unwrap().success());
            (files_by_name(&out), simulated.elapsed())
        })
        .collect();
    assert!(whole[0].0.contains_key("report.html") && !whole[1].0.contains_key("report.html"));

    let out = work.path().join("results");
    let (mut child, mut stderr) = start(1, &out);
    std::io::copy(&mut stderr, &mut std::io::sink()).unwrap();
    assert!(child.wait().unwrap().success());
    std::fs::create_dir_all(out.join("sweep")).unwrap();
    std::fs::write(out.join("sweep/sweep.json"), "another command's").unwrap();
    let (mut interrupted, mut incomplete) = (0, 0);
    let tries = 20;
    for i in 0..tries {
        let k = i % 2;
        let delay = whole[k].1.mul_f64((i / 2) as f64 / 8.0);
        let (mut child, stderr) = start(k, &out);
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        drop(stderr);
        for entry in std::fs::read_dir(&out).unwrap() {
            let entry = entry.unwrap();
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".buffersim-staging-")
            {
                if entry.path().join("journal").exists() {
                    interrupted += 1;
                } else {
                    incomplete += 1;
                }
            }
        }
        // The next command in the folder writes files of its own.
        buffersim()
            .arg("compare")
            .arg(&scenario)
            .args(["--runs", "8", "--out"])
            .arg(&out)
            .assert()
            .success();
        let mut now = files_by_name(&out);
        let leftovers: Vec<&String> = now
            .keys()
            .filter(|n| n.contains("/.") || n.starts_with('.') || n.ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "try {i}: left behind: {leftovers:?}");
        assert_eq!(
            now.remove("sweep/sweep.json").unwrap(),
            b"another command's"
        );
        assert!(now.remove("compare.json").is_some() && now.remove("compare.csv").is_some());
        // `compare` redraws the folder's report, when it has one, to hold its comparison: the
        // pages are the report of whichever result is there, and the rest is that result.
        let had_report = now.remove("report.html").is_some();
        assert_eq!(had_report, now.remove("report.md").is_some(), "try {i}");
        let without_pages = |files: &std::collections::BTreeMap<String, Vec<u8>>| {
            let mut files = files.clone();
            let pages = files.remove("report.html").is_some() as usize
                + files.remove("report.md").is_some() as usize;
            (files, pages)
        };
        let which = whole.iter().position(|(files, _)| {
            let (files, pages) = without_pages(files);
            files == now && pages == if had_report { 2 } else { 0 }
        });
        assert!(
            which.is_some(),
            "try {i}: run {k} killed {delay:?} after simulating left a mix of results: {:?}",
            now.iter()
                .map(|(name, bytes)| {
                    let from: Vec<usize> = (0..2)
                        .filter(|&w| whole[w].0.get(name) == Some(bytes))
                        .collect();
                    format!("{name} from {from:?}")
                })
                .collect::<Vec<_>>()
        );
    }
    eprintln!(
        "{tries} runs killed: {interrupted} after their result was complete, {incomplete} \
         before"
    );
}

/// Issue 18, item 17: a `run` without `--report` replaces the summary an earlier report was
/// drawn from, so it removes that report (and says so) rather than leave one that no longer
/// matches; another command's subfolder stays.
#[test]
fn issue_18_item_17_a_run_without_report_removes_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("two-items.toml");
    std::fs::write(&scenario, TWO_ITEMS).unwrap();
    let out = dir.path().join("results");
    let run = |report: bool| {
        let mut cmd = buffersim();
        cmd.arg("run").arg(&scenario).arg("--out").arg(&out);
        if report {
            cmd.arg("--report");
        }
        let output = cmd.output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stderr).unwrap()
    };
    run(true);
    assert!(out.join("report.html").is_file() && out.join("charts/on-hand.svg").is_file());
    std::fs::create_dir_all(out.join("sweep/charts")).unwrap();
    std::fs::write(out.join("sweep/charts/on-hand.svg"), "a sweep's").unwrap();
    let stderr = run(false);
    assert!(
        stderr.contains("note: removed the report of an earlier `run --report`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("removed ") && stderr.contains("report.md"),
        "{stderr}"
    );
    let left: std::collections::BTreeSet<String> = files_by_name(&out).into_keys().collect();
    assert_eq!(
        left,
        [
            "on_hand.csv",
            "summary.csv",
            "summary.json",
            "summary.xlsx",
            "sweep/charts/on-hand.svg"
        ]
        .map(String::from)
        .into()
    );
    assert!(!out.join("charts").exists(), "the emptied charts/ goes too");
}

/// Issue 18, found by the fuzz harness: `validate` described a two-state chain by its mean
/// days up and down, 1 / p, and wrote `-inf days up` for a failure probability of `-0` and
/// `inf days down` for a recovery probability so small that 1 / p overflows. A chain that
/// never starts says so; a spell longer than any the format takes says "more than 36,500".
#[test]
fn issue_18_fuzz_markov_chains_that_never_start_or_never_end_are_described_in_words() {
    let validate = |fixture: &str| {
        let path = format!("tests/data/broken/scenario/{fixture}/mutant.toml");
        let output = buffersim().args(["validate", &path]).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        // Lines wrap at the terminal's width: compare the words.
        let text = String::from_utf8(output.stdout).unwrap();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let never_starts = validate("accepted-markov-chain-that-never-starts");
    assert!(
        never_starts.contains(
            "outage: supplier outage of 's', two-state chain that never starts (its daily \
             failure probability is 0); active 0.0% of days in the long run"
        ),
        "{never_starts}"
    );
    let never_ends = validate("accepted-markov-chain-that-never-recovers");
    assert!(
        never_ends.contains(
            "two-state chain, 100.0 days up and more than 36,500 days down on average; active \
             100.0% of days in the long run"
        ),
        "{never_ends}"
    );
    for text in [never_starts, never_ends] {
        assert!(!text.contains("inf"), "{text}");
    }
}
