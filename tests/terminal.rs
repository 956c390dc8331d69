//! What the commands print, and what they replace (issue 22, items 5 and 7): every stdout line
//! fits 100 columns, `sweep` prints what changes, `--quiet` and `--format json` do what they
//! say; `synth` refuses a folder with files, a command that replaces an earlier result says
//! so, and a profiled scenario writes its results beside the profile.

use std::path::Path;

use assert_cmd::Command;

const WIDTH: usize = 100;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Run `buffersim ARGS` in the project folder; its stdout and stderr, after checking it
/// succeeded.
fn output(args: &[&str]) -> (String, String) {
    let run = buffersim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .assert()
        .success();
    let out = run.get_output();
    (
        String::from_utf8(out.stdout.clone()).unwrap(),
        String::from_utf8(out.stderr.clone()).unwrap(),
    )
}

/// Every line of `text` is at most [`WIDTH`] characters.
fn assert_fits(what: &str, text: &str) {
    for line in text.lines() {
        let width = line.chars().count();
        assert!(
            width <= WIDTH,
            "{what}: a line of {width} columns:\n{line}\n\nin:\n{text}"
        );
    }
}

/// The words of `text` in order, one space apart: what a wrapped line says.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `text` shows `name`: whole, or broken after one of its hyphens over two lines of
/// a table's header.
fn shows(text: &str, name: &str) -> bool {
    text.contains(name)
        || name
            .match_indices('-')
            .any(|(i, _)| text.contains(&name[..=i]) && text.contains(&name[i + 1..]))
}

/// `scenarios/kanban-vs-jic.toml` with every policy renamed to a name of 40 characters.
fn long_names_scenario(dir: &Path) -> (std::path::PathBuf, Vec<String>) {
    let mut text = std::fs::read_to_string("scenarios/kanban-vs-jic.toml").unwrap();
    let mut names = Vec::new();
    for policy in ["jic-95-rush", "jic-95", "jic-30d", "hybrid", "kanban"] {
        let long: String = format!("{policy}-policy-with-a-long-descriptive-name")
            .chars()
            .take(40)
            .collect();
        assert_eq!(long.chars().count(), 40);
        text = text.replace(&format!("[policy.{policy}."), &format!("[policy.{long}."));
        text = text.replace(&format!("[policy.{policy}]"), &format!("[policy.{long}]"));
        names.push(long);
    }
    let path = dir.join("long-names.toml");
    std::fs::write(&path, text).unwrap();
    (path, names)
}

/// Issue 22, item 5: no line any command prints on stdout is wider than 100 columns, for every
/// example scenario and with policies of 40-character names.
#[test]
fn issue_22_item_5_no_stdout_line_of_any_command_exceeds_100_columns() {
    let out = tempfile::tempdir().unwrap();
    let o = |name: &str| out.path().join(name).display().to_string();
    let (long, names) = long_names_scenario(out.path());
    let long = long.display().to_string();
    let scenarios = [
        "scenarios/kanban-reference.toml",
        "scenarios/kanban-vs-jic.toml",
        "scenarios/peak-season.toml",
        "scenarios/bench-reference.toml",
        long.as_str(),
    ];
    for (k, scenario) in scenarios.iter().enumerate() {
        let dir = o(&format!("s{k}"));
        let (text, _) = output(&["validate", scenario]);
        assert_fits(&format!("validate {scenario}"), &text);
        let (text, _) = output(&["run", scenario, "--runs", "40", "--out", &dir]);
        assert_fits(&format!("run {scenario}"), &text);
        let (text, _) = output(&["run", scenario, "--runs", "1", "--out", &dir]);
        assert_fits(&format!("run --runs 1 {scenario}"), &text);
        if !scenario.contains("bench") {
            let (text, _) = output(&["compare", scenario, "--runs", "40", "--out", &dir]);
            assert_fits(&format!("compare {scenario}"), &text);
        }
    }
    let (text, _) = output(&["run", &long, "--runs", "40", "--out", &o("long")]);
    for name in &names {
        assert!(shows(&text, name), "{name} in:\n{text}");
    }
    let jic = &names[1];
    let analyses: Vec<Vec<String>> = vec![
        vec![
            "trace".into(),
            "scenarios/kanban-vs-jic.toml".into(),
            "--policy".into(),
            "jic-95".into(),
            "--worst".into(),
            "3".into(),
        ],
        vec![
            "sweep".into(),
            "scenarios/kanban-vs-jic.toml".into(),
            "--vary".into(),
            "policy.jic-95.service_level=0.8..0.99:4".into(),
        ],
        vec![
            "sweep".into(),
            "scenarios/kanban-vs-jic.toml".into(),
            "--vary".into(),
            "policy.jic-95.service_level=0.8,0.95".into(),
            "--vary".into(),
            "supplier.overseas.lead_time.mean=12,18".into(),
        ],
        vec![
            "sweep".into(),
            long.clone(),
            "--vary".into(),
            format!("policy.{jic}.service_level=0.8,0.95"),
        ],
        vec![
            "stress".into(),
            "scenarios/kanban-vs-jic.toml".into(),
            "--disruption".into(),
            "asia-typhoon".into(),
            "--target".into(),
            "stockout_rate<=0.02".into(),
            "--steps".into(),
            "4".into(),
        ],
        vec![
            "stress".into(),
            long.clone(),
            "--disruption".into(),
            "overseas-outage".into(),
            "--target".into(),
            "stockout_rate<=0.02".into(),
            "--steps".into(),
            "3".into(),
        ],
        vec![
            "stress".into(),
            "scenarios/peak-season.toml".into(),
            "--disruption".into(),
            "promotion".into(),
            "--target".into(),
            "fill_rate>=0.99".into(),
            "--steps".into(),
            "3".into(),
        ],
        vec![
            "optimize".into(),
            "scenarios/kanban-vs-jic.toml".into(),
            "--policy".into(),
            "jic-30d".into(),
            "--param".into(),
            "policy.jic-30d.safety_stock_days".into(),
            "--target".into(),
            "stockout_rate<=0.01".into(),
            "--per-item".into(),
            "--max-runs".into(),
            "64".into(),
        ],
        vec![
            "optimize".into(),
            long.clone(),
            "--policy".into(),
            jic.clone(),
            "--param".into(),
            format!("policy.{jic}.service_level"),
            "--target".into(),
            "supplier_on_time_rate>=99%".into(),
            "--max-runs".into(),
            "64".into(),
        ],
    ];
    for (k, args) in analyses.iter().enumerate() {
        let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
        let dir = o(&format!("a{k}"));
        args.extend(["--runs", "16", "--out", &dir]);
        let (text, _) = output(&args);
        assert_fits(&args.join(" "), &text);
    }
    let profile = o("profile");
    let (text, _) = output(&[
        "profile",
        "scenarios/data/demand.csv",
        "--deliveries",
        "scenarios/data/deliveries.csv",
        "--items",
        "scenarios/data/items.csv",
        "--out",
        &profile,
    ]);
    assert_fits("profile", &text);
    let scenario = format!("{profile}/scenario.toml");
    let (text, _) = output(&["run", &scenario, "--runs", "8"]);
    assert_fits("run of a profiled scenario", &text);
    let (text, _) = output(&["report", &profile]);
    assert_fits("report", &text);
}

/// Issue 22, item 5: eight policies of 40-character names go into blocks of policies, each
/// repeating the row labels, all within 100 columns.
#[test]
fn issue_22_item_5_the_run_table_of_many_long_policies_is_split_into_blocks() {
    let mut scenario = String::from(
        "[simulation]\nruns = 20\n\n[[supplier]]\nid = \"s\"\nlead_time = { fixed = 3 }\n\n\
         [[item]]\nid = \"part\"\nunit_cost = 2\norder_cost = 10\n\
         demand = { normal = { mean = 20, sd = 5 } }\n\n\
         [[disruption]]\nid = \"fire\"\neffect = { supplier_outage = { supplier = \"s\" } }\n\
         occurrence = { random = { rate_per_year = 2, duration_days = { fixed = 5 } } }\n",
    );
    let names: Vec<String> = (0..8)
        .map(|p| format!("rop-at-{}-percent-service-with-long-name", 90 + p))
        .collect();
    assert!(names.iter().all(|n| n.chars().count() == 40));
    for (p, name) in names.iter().enumerate() {
        scenario.push_str(&format!(
            "\n[policy.{name}.rule.reorder_point]\nservice_level = 0.9{p}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.toml");
    std::fs::write(&path, scenario).unwrap();
    let out = dir.path().join("out").display().to_string();
    let (text, _) = output(&["run", &path.display().to_string(), "--out", &out]);
    assert_fits("run of eight long policies", &text);
    let blocks: Vec<&str> = text
        .split("\n\n")
        .filter(|b| b.contains("runs, all items"))
        .collect();
    // Three policies to a block, their names over two lines.
    assert_eq!(blocks.len(), 3, "{text}");
    for block in &blocks {
        for label in [
            "fill rate",
            "total cost",
            "stockout rate by run:",
            "  worst 1% (p99)",
        ] {
            assert!(block.contains(label), "{label} in:\n{block}");
        }
    }
    for name in &names {
        assert!(shows(&text, name), "{name} in:\n{text}");
    }
    assert!(text.contains("cells: mean ± half-width"), "{text}");
}

/// Issue 22, item 5: a sweep prints the policies its parameter changes at every point, and
/// those it does not touch once, together, with a note.
#[test]
fn issue_22_item_5_sweep_prints_unchanged_policies_once() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().display().to_string();
    let (text, _) = output(&[
        "sweep",
        "scenarios/kanban-vs-jic.toml",
        "--vary",
        "policy.jic-95.service_level=0.8..0.99:5",
        "--runs",
        "16",
        "--out",
        &dir,
    ]);
    assert!(text.contains("\njic-95:\n"), "{text}");
    assert!(
        text.contains(
            "the same at every point (policy.jic-95.service_level does not change them):"
        ),
        "{text}"
    );
    for unchanged in ["kanban", "jic-95-rush", "jic-30d", "hybrid"] {
        let rows = text
            .lines()
            .filter(|l| l.split_whitespace().next() == Some(unchanged))
            .count();
        assert_eq!(rows, 1, "{unchanged} in:\n{text}");
    }
    // One row per grid point for the policy that changes, under its header.
    let jic = text.split("\njic-95:\n").nth(1).unwrap();
    let rows = jic
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| l.trim_start().starts_with('0'))
        .count();
    assert_eq!(rows, 5, "{text}");
    // A second parameter the policy does not move with is said, not repeated.
    let (text, _) = output(&[
        "sweep",
        "scenarios/kanban-vs-jic.toml",
        "--vary",
        "policy.jic-95.service_level=0.8,0.95",
        "--vary",
        "policy.kanban.safety_factor=0.1,0.5",
        "--runs",
        "16",
        "--out",
        &dir,
    ]);
    assert!(
        text.contains("jic-95 (the same at every policy.kanban.safety_factor):"),
        "{text}"
    );
    assert!(
        text.contains("kanban (the same at every policy.jic-95.service_level):"),
        "{text}"
    );
}

/// Issue 22, item 5: `--quiet` prints nothing, on stdout or stderr, on every command, and
/// errors all the same, with the same exit code.
#[test]
fn issue_22_item_5_quiet_prints_nothing_but_errors() {
    let dir = tempfile::tempdir().unwrap();
    let o = |name: &str| dir.path().join(name).display().to_string();
    let (run, compare, sweep, stress, optimize, profile, synth) = (
        o("run"),
        o("compare"),
        o("sweep"),
        o("stress"),
        o("optimize"),
        o("profile"),
        o("synth"),
    );
    let commands: Vec<Vec<&str>> = vec![
        vec![
            "run",
            "scenarios/kanban-reference.toml",
            "--runs",
            "8",
            "--out",
            &run,
        ],
        vec!["report", &run],
        vec!["validate", "scenarios/kanban-reference.toml"],
        vec![
            "compare",
            "scenarios/kanban-reference.toml",
            "--runs",
            "8",
            "--out",
            &compare,
        ],
        vec![
            "sweep",
            "scenarios/kanban-reference.toml",
            "--vary",
            "policy.kanban.safety_factor=0.1,0.3",
            "--runs",
            "8",
            "--out",
            &sweep,
        ],
        vec![
            "stress",
            "scenarios/peak-season.toml",
            "--disruption",
            "promotion",
            "--target",
            "stockout_rate<=0.05",
            "--steps",
            "2",
            "--runs",
            "4",
            "--out",
            &stress,
        ],
        vec![
            "optimize",
            "scenarios/kanban-reference.toml",
            "--policy",
            "digital-kanban",
            "--param",
            "policy.digital-kanban.safety_stock_days",
            "--target",
            "stockout_rate<=0.05",
            "--runs",
            "8",
            "--max-runs",
            "16",
            "--out",
            &optimize,
        ],
        vec![
            "profile",
            "scenarios/data/demand.csv",
            "--deliveries",
            "scenarios/data/deliveries.csv",
            "--out",
            &profile,
        ],
        vec!["synth", "--items", "3", "--months", "2", "--out", &synth],
    ];
    for args in &commands {
        // Twice: the second replaces the first, which is said only without --quiet.
        for _ in 0..2 {
            buffersim()
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(args)
                .arg("--quiet")
                .args(if args[0] == "synth" {
                    &["--force"][..]
                } else {
                    &[]
                })
                .assert()
                .success()
                .stdout("")
                .stderr("");
        }
    }
    let bad = buffersim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "no-such-scenario.toml", "--quiet"])
        .assert()
        .code(2);
    let err = String::from_utf8(bad.get_output().stderr.clone()).unwrap();
    assert!(err.starts_with("error: "), "{err}");
    assert!(bad.get_output().stdout.is_empty());
}

/// Issue 22, item 5: `--format json` prints the result's JSON on stdout, the same bytes as the
/// file it writes, for `run`, `compare` and the analyses; with `--quiet` it is refused.
#[test]
fn issue_22_item_5_format_json_prints_the_result_file_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let cases: [(&[&str], &str); 3] = [
        (&["run", "scenarios/kanban-reference.toml"], "summary.json"),
        (
            &["compare", "scenarios/kanban-reference.toml"],
            "compare.json",
        ),
        (
            &[
                "sweep",
                "scenarios/kanban-reference.toml",
                "--vary",
                "policy.kanban.safety_factor=0.1,0.3",
            ],
            "sweep.json",
        ),
    ];
    for (args, file) in cases {
        let mut args = args.to_vec();
        args.extend(["--runs", "8", "--format", "json", "--out", &out]);
        let (text, _) = output(&args);
        let written = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(text, written, "{}", args.join(" "));
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json["seed"], 20_261_122, "{file}");
    }
    let refused = buffersim()
        .args([
            "run",
            "scenarios/kanban-reference.toml",
            "--format",
            "json",
            "--quiet",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(2);
    let err = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("--quiet") && err.contains("--format json"),
        "{err}"
    );
}

/// Issue 22, item 7: `synth` refuses a folder that holds files unless given `--force`, and
/// names the folder and the option; with `--force` it replaces its own files and says so.
#[test]
fn issue_22_item_7_synth_refuses_a_folder_with_files_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(data.join("demand.csv"), "the planner's own export\n").unwrap();
    let refused = buffersim()
        .args(["synth", "--items", "3", "--months", "2", "--out"])
        .arg(&data)
        .assert()
        .code(2);
    let err = String::from_utf8(refused.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains(&format!("'{}'", data.display())) && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(data.join("demand.csv")).unwrap(),
        "the planner's own export\n"
    );
    // The committed data is refused too, and left as it is.
    let before = std::fs::read("scenarios/data/demand.csv").unwrap();
    buffersim()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["synth", "--items", "5"])
        .assert()
        .code(2);
    assert!(std::fs::read("scenarios/data/demand.csv").unwrap() == before);
    // With --force the four files are written, and the one that was there is said replaced.
    let forced = buffersim()
        .args(["synth", "--items", "3", "--months", "2", "--force", "--out"])
        .arg(&data)
        .assert()
        .success();
    let err = String::from_utf8(forced.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("replaced the earlier results of `synth`") && err.contains(": 1 file"),
        "{err}"
    );
    assert!(
        std::fs::read_to_string(data.join("demand.csv"))
            .unwrap()
            .starts_with("date,")
    );
    // A new or empty folder needs no --force.
    buffersim()
        .args(["synth", "--items", "3", "--months", "2", "--out"])
        .arg(dir.path().join("fresh"))
        .assert()
        .success();
}

/// Issue 22, item 7: a command that replaces an earlier result in its folder says so on
/// stderr, with what the earlier result was; the first one into a folder says nothing of it.
#[test]
fn issue_22_item_7_a_command_says_when_it_replaced_an_earlier_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let run = ["run", "scenarios/kanban-reference.toml", "--out", &out];
    let (_, first) = output(&[&run[..], &["--runs", "64", "--seed", "5"]].concat());
    assert!(!first.contains("replaced"), "{first}");
    let (_, second) = output(&[&run[..], &["--runs", "70"]].concat());
    assert!(
        second.contains(&format!(
            "note: replaced the earlier results of `run` in '{out}' (seed 5, 64 runs): 4 files"
        )),
        "{second}"
    );
    // compare keeps its own files beside the run's: its first result replaces nothing.
    let compare = [
        "compare",
        "scenarios/kanban-reference.toml",
        "--runs",
        "8",
        "--out",
        &out,
    ];
    let (_, first) = output(&compare);
    assert!(!first.contains("replaced"), "{first}");
    let (_, second) = output(&compare);
    assert!(
        second.contains("replaced the earlier results of `compare`") && second.contains("8 runs"),
        "{second}"
    );
    // A second sweep into the default folder says which sweep it replaced.
    let sweeps = dir.path().join("sweeps").display().to_string();
    let sweep = |param: &str| {
        output(&[
            "sweep",
            "scenarios/kanban-reference.toml",
            "--vary",
            param,
            "--runs",
            "8",
            "--out",
            &sweeps,
        ])
        .1
    };
    assert!(!sweep("policy.kanban.safety_factor=0.1,0.3").contains("replaced"));
    let second = sweep("policy.digital-kanban.safety_stock_days=0.2,0.6");
    assert!(
        flat(&second).contains(
            "replaced the earlier results of `sweep` in '{sweeps}' (policy.kanban.safety_factor, \
             seed 20261122, 8 runs)"
                .replace("{sweeps}", &sweeps)
                .as_str()
        ),
        "{second}"
    );
}

/// Issue 22, item 7: the scenario `profile` writes names its own folder for its results
/// (`results = "."`), so `run` on it writes beside the profile, not into a `results/scenario/`
/// shared by every profile; any scenario may name its folder, relative to its file.
#[test]
fn issue_22_item_7_a_profiled_scenario_writes_its_results_beside_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let acme = dir.path().join("acme");
    output(&[
        "profile",
        "scenarios/data/demand.csv",
        "--out",
        &acme.display().to_string(),
    ]);
    let scenario = std::fs::read_to_string(acme.join("scenario.toml")).unwrap();
    assert!(scenario.contains("\nresults = \".\"\n"), "{scenario}");
    // Run from elsewhere: the results go beside the profile all the same.
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    buffersim()
        .current_dir(&elsewhere)
        .arg("run")
        .arg(acme.join("scenario.toml"))
        .args(["--runs", "4"])
        .assert()
        .success();
    assert!(acme.join("summary.json").is_file());
    assert!(acme.join("profile.md").is_file());
    assert!(!elsewhere.join("results").exists());
    // A path relative to the scenario file, `..` resolved.
    let sub = dir.path().join("scenarios");
    std::fs::create_dir(&sub).unwrap();
    let text = std::fs::read_to_string("scenarios/kanban-reference.toml")
        .unwrap()
        .replace(
            "[simulation]\n",
            "[simulation]\nresults = \"../kanban-results\"\n",
        );
    std::fs::write(sub.join("k.toml"), &text).unwrap();
    let validated = buffersim()
        .current_dir(&elsewhere)
        .arg("validate")
        .arg(sub.join("k.toml"))
        .assert()
        .success();
    let described = String::from_utf8(validated.get_output().stdout.clone()).unwrap();
    let expected = dir.path().join("kanban-results");
    assert!(
        described.contains(&format!(
            "results folder: {} (simulation.results)",
            expected.display()
        )),
        "{described}"
    );
    buffersim()
        .current_dir(&elsewhere)
        .arg("run")
        .arg(sub.join("k.toml"))
        .args(["--runs", "4"])
        .assert()
        .success();
    assert!(expected.join("summary.json").is_file());
    // --out still wins.
    let out = dir.path().join("out");
    buffersim()
        .arg("run")
        .arg(sub.join("k.toml"))
        .args(["--runs", "4", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(out.join("summary.json").is_file());
}

/// Issue 22, item 7: `simulation.results` is checked like every field, with its line.
#[test]
fn issue_22_item_7_the_results_key_is_validated_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let text = std::fs::read_to_string("scenarios/kanban-reference.toml")
        .unwrap()
        .replace("seed = 20261122\n", "seed = 20261122\nresults = \" \"\n");
    std::fs::write(&path, text).unwrap();
    let run = buffersim().arg("validate").arg(&path).assert().code(2);
    let err = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("line 12: simulation.results: must name a folder for the results"),
        "{err}"
    );
    let json = dir.path().join("bad.json");
    std::fs::write(
        &json,
        r#"{"simulation": {"results": 3}, "item": [], "policy": {}}"#,
    )
    .unwrap();
    buffersim().arg("validate").arg(&json).assert().code(2);
}
