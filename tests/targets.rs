//! `[targets]` and `simulation.currency` in a scenario: what is accepted, what is refused
//! (exit code 2, the field and its line named), and what the report's summary says when
//! every policy, some or none meet the targets.

use assert_cmd::Command;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// A one-item scenario with demand of 10 ± 3 a day and a fixed lead time, whose two policies
/// differ only in their safety stock: the lean one runs short now and then (a stockout rate
/// of about 0.1%), the buffered one (six days of demand, 9σ of lead-time demand) never.
fn scenario(extra_simulation: &str, targets: &str) -> String {
    format!(
        r#"[simulation]
horizon_days = 200
warmup_days = 20
runs = 20
seed = 3
{extra_simulation}

{targets}

[[supplier]]
id = "s"
lead_time = {{ fixed = 5 }}
on_time_probability = 1.0

[[item]]
id = "a"
unit_cost = 10.0
carrying_rate = 0.2
order_cost = 50.0
stockout_penalty = 5.0
demand = {{ normal = {{ mean = 10, sd = 3 }} }}

[policy.lean.rule.reorder_point]
safety_stock = 0
quantity = "eoq"

[policy.buffered.rule.reorder_point]
safety_stock = 60
quantity = "eoq"
"#
    )
}

fn write(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_bad_target_or_currency_is_refused_with_its_field_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, targets, field, says) in [
        (
            "",
            "[targets]\nstockout_rat = \"<= 2%\"",
            "targets.stockout_rat",
            "is not a metric",
        ),
        (
            "",
            "[targets]\nstockout_rate = \"2%\"",
            "targets.stockout_rate",
            "'<= VALUE' or '>= VALUE'",
        ),
        (
            "",
            "[targets]\nfill_rate = \">= 120%\"",
            "targets.fill_rate",
            "outside what fill_rate can be",
        ),
        (
            "currency = \"\"",
            "",
            "simulation.currency",
            "1 to 12 characters",
        ),
    ] {
        let path = write(&dir, &scenario(extra, targets));
        let out = buffersim().arg("validate").arg(&path).assert().code(2);
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(field), "{field}: {err}");
        assert!(err.contains(says), "{field}: {err}");
        assert!(err.contains("line"), "{field}: no line in {err}");
    }
}

/// `buffersim run SCENARIO --report -q --out OUT`, which must succeed.
fn run_with_report(scenario: &std::path::Path, out: &std::path::Path) {
    buffersim()
        .arg("run")
        .arg(scenario)
        .args(["--report", "-q", "--out"])
        .arg(out)
        .assert()
        .success();
}

fn report(extra: &str, targets: &str) -> (String, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, &scenario(extra, targets));
    let out = dir.path().join("out");
    run_with_report(&path, &out);
    let html = std::fs::read_to_string(out.join("report.md")).unwrap();
    let json =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    (html, json)
}

#[test]
fn the_summary_names_the_cheapest_policy_that_meets_every_target() {
    let (md, json) = report(
        "currency = \"EUR\"",
        "[targets]\nstockout_rate = \"<= 0.01%\"",
    );
    assert_eq!(json["currency"], "EUR");
    let verdicts: Vec<&str> = json["targets"][0]["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(verdicts, ["missed", "met"], "{}", json["targets"]);
    assert!(
        md.contains("**buffered** meets every target at the lowest cost"),
        "{md}"
    );
    assert!(md.contains("EUR a year"), "{md}");
    assert!(md.contains("Total cost (EUR per year)"), "{md}");
}

#[test]
fn the_summary_says_when_no_policy_meets_every_target() {
    let (md, _) = report(
        "",
        "[targets]\nstockout_rate = \"<= 0%\"\ndays_of_supply = \"<= 1\"",
    );
    assert!(
        md.contains("No policy meets every target with 95% confidence. Closest: "),
        "{md}"
    );
    assert!(md.contains("money units"), "{md}");
}

#[test]
fn without_targets_the_summary_ranks_by_total_cost() {
    let (md, json) = report("", "");
    assert!(json.get("targets").is_none());
    assert!(md.contains("No targets are set"), "{md}");
    assert!(md.contains("Lowest total cost: **"), "{md}");
}

#[test]
fn run_and_validate_print_the_targets() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &scenario(
            "currency = \"EUR\"",
            "[targets]\nstockout_rate = \"<= 0.01%\"",
        ),
    );
    let out = buffersim().arg("validate").arg(&path).assert().success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(text.contains("costs in EUR"), "{text}");
    assert!(text.contains("stockout_rate <= 0.0001"), "{text}");
    let out = buffersim()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(
        text.contains("stockout rate <= 0.01%: lean missed, buffered met"),
        "{text}"
    );
}

#[test]
fn the_charts_draw_the_targets_as_lines_and_costs_in_the_currency() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &scenario(
            "currency = \"EUR\"",
            "[targets]\nstockout_rate = \"<= 0.01%\"\ndays_of_supply = \"<= 25\"",
        ),
    );
    let out = dir.path().join("out");
    run_with_report(&path, &out);
    let chart =
        |name: &str| std::fs::read_to_string(out.join(format!("charts/{name}.svg"))).unwrap();
    assert!(chart("stockout-rate").contains("target ≤ 0.01%"));
    assert!(chart("days-of-supply").contains("target ≤ 25.00"));
    assert!(chart("cost-service").contains("(EUR)"));
    assert!(chart("cost-breakdown").contains("(EUR)"));
    // Without targets, no line.
    let path = write(&dir, &scenario("", ""));
    run_with_report(&path, &out);
    assert!(!chart("stockout-rate").contains("target"));
    assert!(!chart("cost-service").contains("(EUR)"));
}
