//! Issue 19: the figures of shared suppliers and budgets reach the user — summary.json,
//! summary.csv, summary.xlsx, the report and the `run` table — and stay out of the files of
//! scenarios without them.
//!
//! The output layer is tested on an outcome whose supplier and budget accumulators are filled
//! by hand with known values, so every figure is known, and once end to end on a run whose
//! shared capacity is plainly the bottleneck; the engine's own counts are tested where they
//! are made.

use std::path::Path;

use buffersim::foundation::stats::RunningStat;
use buffersim::model::scenario::Scenario;
use buffersim::presentation::report::write_report;
use buffersim::presentation::table::comparison_table;
use buffersim::results::saved::SavedSummary;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine::{Outcome, simulate};
use buffersim::simulation::supplier_metrics::{
    BUDGET_METRICS, BudgetMetric, BudgetStats, SUPPLIER_METRICS, SupplierMetric, SupplierStats,
};
use serde_json::Value;

/// Two items sharing `east-fab`'s 12 units a day, a third bought from `west` (no capacity
/// limit, a delivery cost), and a monthly budget over the catalogue; two policies.
const SHARED: &str = r#"
[simulation]
horizon_days = 120
warmup_days = 20
runs = 4
unmet_demand = "lost"
currency = "EUR"

[[supplier]]
id = "east-fab"
lead_time = { fixed = 2 }
capacity_per_day = 12

[[supplier]]
id = "west"
lead_time = { fixed = 3 }
delivery_cost = 50

[[item]]
id = "a"
unit_cost = 5
demand = { deterministic = 10 }
suppliers = ["east-fab"]

[[item]]
id = "b"
unit_cost = 5
demand = { deterministic = 10 }
suppliers = ["east-fab"]

[[item]]
id = "c"
unit_cost = 2
demand = { deterministic = 4 }
suppliers = ["west"]

[[budget]]
id = "monthly"
amount = 20000
period = "month"

[policy.lean.rule.base_stock]
order_up_to = 40

[policy.safe.rule.base_stock]
order_up_to = 80
"#;

fn scenario(text: &str) -> Scenario {
    Scenario::from_source(text, Path::new("shared.toml")).unwrap()
}

/// Accumulators holding, for figure k, `values[k] × (1 + 0.01 r)` in each run r of `runs`
/// (a mean of `values[k] × 1.015` over four runs); `None` leaves a figure undefined in every
/// run.
fn stats_of(values: &[Option<f64>], share: &[bool], runs: usize) -> Vec<RunningStat> {
    values
        .iter()
        .zip(share)
        .map(|(v, &share)| {
            let mut s = if share {
                RunningStat::for_share()
            } else {
                RunningStat::new()
            };
            if let Some(v) = v {
                for r in 0..runs {
                    s.push(v * (1.0 + 0.01 * r as f64));
                }
            }
            s
        })
        .collect()
}

/// `east-fab`'s figures under policy `p`: all defined.
fn east_fab(p: usize) -> SupplierStats {
    let values = [
        Some(0.8 - 0.1 * p as f64),
        Some(30.0),
        Some(2.5),
        Some(120.0),
        Some(1_400.0),
        Some(300.0),
    ];
    supplier(&values)
}

/// `west`'s figures: an unlimited capacity, so no utilisation.
fn west() -> SupplierStats {
    supplier(&[
        None,
        Some(0.0),
        Some(0.0),
        Some(0.0),
        Some(80.0),
        Some(52.0),
    ])
}

fn supplier(values: &[Option<f64>; 6]) -> SupplierStats {
    let share: Vec<bool> = SUPPLIER_METRICS
        .iter()
        .map(|m| *m == SupplierMetric::CapacityUtilisation)
        .collect();
    SupplierStats::from_stats(stats_of(values, &share, 4))
}

fn budget() -> BudgetStats {
    let share: Vec<bool> = BUDGET_METRICS
        .iter()
        .map(|m| *m == BudgetMetric::BudgetUsed)
        .collect();
    BudgetStats::from_stats(stats_of(&[Some(0.6), Some(36.5)], &share, 4))
}

/// The outcome of simulating [`SHARED`], its supplier and budget figures set by hand.
fn outcome(sc: &Scenario) -> Outcome {
    let mut outcome = simulate(sc, 4, 7, &|_| {});
    for (p, stats) in outcome.policies.iter_mut().enumerate() {
        stats.suppliers = vec![east_fab(p), west()];
        stats.budgets = vec![budget()];
    }
    outcome
}

fn summary() -> Summary {
    let sc = scenario(SHARED);
    Summary::new(&sc, &outcome(&sc))
}

#[test]
fn summary_json_lists_each_suppliers_and_budgets_figures_per_policy() {
    let json: Value = serde_json::from_str(&summary().to_json()).unwrap();
    for (p, policy) in json["policies"].as_array().unwrap().iter().enumerate() {
        let suppliers = policy["suppliers"].as_array().unwrap();
        assert_eq!(suppliers.len(), 2);
        assert_eq!(suppliers[0]["supplier"], "east-fab");
        assert_eq!(suppliers[0]["metrics"].as_object().unwrap().len(), 6);
        let util = &suppliers[0]["metrics"]["capacity_utilisation"];
        let mean = util["mean"].as_f64().unwrap();
        let expected = (0.8 - 0.1 * p as f64) * 1.015;
        assert!((mean - expected).abs() < 1e-12, "{mean} vs {expected}");
        for key in ["ci95_low", "ci95_high", "p05", "p50", "p95", "n"] {
            assert!(util[key].is_number(), "{key}: {util}");
        }
        assert_eq!(util["n"], 4);
        // Undefined in every run: left out, as an item's metric would be.
        assert_eq!(suppliers[1]["supplier"], "west");
        assert!(
            suppliers[1]["metrics"]
                .get("capacity_utilisation")
                .is_none()
        );
        assert!(suppliers[1]["metrics"].get("deliveries_per_year").is_some());
        let budgets = policy["budgets"].as_array().unwrap();
        assert_eq!(budgets.len(), 1);
        assert_eq!(budgets[0]["budget"], "monthly");
        assert!(budgets[0]["metrics"]["budget_used"]["mean"].is_number());
        assert!(budgets[0]["metrics"]["budget_bound_days_per_year"]["mean"].is_number());
    }
}

#[test]
fn the_figures_are_written_in_definition_order() {
    // Read through an ordered map: `serde_json::Value` would sort the names.
    let saved = SavedSummary::from_json(&summary().to_json()).unwrap();
    let names: Vec<&str> = saved.policies[0].suppliers[0]
        .metrics
        .keys()
        .map(String::as_str)
        .collect();
    let all: Vec<&str> = SUPPLIER_METRICS.iter().map(|m| m.name()).collect();
    assert_eq!(names, all);
    let names: Vec<&str> = saved.policies[0].budgets[0]
        .metrics
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(names, ["budget_used", "budget_bound_days_per_year"]);
}

#[test]
fn a_supplier_without_counts_is_left_out() {
    let sc = scenario(SHARED);
    let mut outcome = outcome(&sc);
    for stats in &mut outcome.policies {
        stats.suppliers[1] =
            SupplierStats::from_stats(vec![RunningStat::new(); SUPPLIER_METRICS.len()]);
    }
    let json: Value = serde_json::from_str(&Summary::new(&sc, &outcome).to_json()).unwrap();
    let suppliers = json["policies"][0]["suppliers"].as_array().unwrap();
    assert_eq!(suppliers.len(), 1);
    assert_eq!(suppliers[0]["supplier"], "east-fab");
}

#[test]
fn summary_csv_marks_supplier_and_budget_rows_in_the_item_column() {
    let csv = summary().to_csv();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        "policy,item,metric,n,mean,ci95_low,ci95_high,p05,p50,p95"
            .split(',')
            .collect::<Vec<_>>()
    );
    let find = |policy: &str, item: &str, metric: &str| {
        rows.iter()
            .find(|r| r[0] == policy && r[1] == item && r[2] == metric)
            .cloned()
    };
    let row = find("safe", "supplier:east-fab", "capacity_utilisation").unwrap();
    assert_eq!(row.len(), 10);
    assert_eq!(row[3], "4");
    let mean: f64 = row[4].parse().unwrap();
    assert!((mean - 0.7 * 1.015).abs() < 1e-12);
    assert!(find("lean", "supplier:west", "deliveries_per_year").is_some());
    assert!(find("lean", "supplier:west", "capacity_utilisation").is_none());
    assert!(find("lean", "budget:monthly", "budget_used").is_some());
    // Each policy's supplier and budget rows follow its own item rows.
    let at = |policy: &str, item: &str| {
        rows.iter()
            .position(|r| r[0] == policy && r[1] == item)
            .unwrap()
    };
    assert!(at("lean", "c") < at("lean", "supplier:east-fab"));
    assert!(at("lean", "budget:monthly") < at("safe", "(all items)"));
}

#[test]
fn the_saved_summary_reads_the_figures_back() {
    let summary = summary();
    let saved = SavedSummary::from_summary(&summary);
    assert_eq!(saved.supplier_names(), ["east-fab", "west"]);
    assert_eq!(saved.budget_names(), ["monthly"]);
    let lean = &saved.policies[0];
    let e = lean
        .supplier_figure("east-fab", "backlog_days")
        .expect("read back");
    assert!((e.mean - 2.5 * 1.015).abs() < 1e-12);
    assert!(
        lean.supplier_figure("west", "capacity_utilisation")
            .is_none()
    );
    assert!(lean.budget_figure("monthly", "budget_used").is_some());
    // Written again, the read-back summary is the same JSON.
    let again: Value = serde_json::to_value(&saved).unwrap();
    let first: Value = serde_json::from_str(&summary.to_json()).unwrap();
    assert_eq!(
        again["policies"][1]["suppliers"],
        first["policies"][1]["suppliers"]
    );
    assert_eq!(
        again["policies"][1]["budgets"],
        first["policies"][1]["budgets"]
    );
}

#[test]
fn a_summary_written_before_supplier_figures_reads_back_without_them() {
    let old = r#"{"scenario":"s","runs":1,"seed":1,"horizon_days":3,"warmup_days":0,
        "unmet_demand":"lost","rng":"x","rand_version":"x",
        "policies":[{"policy":"lean","metrics":{}}]}"#;
    let saved = SavedSummary::from_json(old).unwrap();
    assert!(saved.policies[0].suppliers.is_empty());
    assert!(saved.policies[0].budgets.is_empty());
    assert!(saved.supplier_names().is_empty());
}

#[test]
fn scenarios_without_shared_suppliers_or_budgets_have_no_such_entries() {
    let text = r#"
[simulation]
horizon_days = 60
runs = 3

[[supplier]]
id = "s"
lead_time = { fixed = 2 }

[[item]]
id = "a"
unit_cost = 1
demand = { deterministic = 10 }

[policy.base.rule.base_stock]
order_up_to = 40
"#;
    let sc = scenario(text);
    let summary = Summary::new(&sc, &simulate(&sc, 3, 1, &|_| {}));
    let json: Value = serde_json::from_str(&summary.to_json()).unwrap();
    let policy = &json["policies"][0];
    assert!(policy.get("suppliers").is_none(), "{policy}");
    assert!(policy.get("budgets").is_none());
    assert!(!summary.to_csv().contains("supplier:"));
    assert!(!comparison_table(&summary).contains("suppliers, budgets"));
}

#[test]
fn the_report_has_a_table_per_supplier_and_budget_with_definitions() {
    let saved = SavedSummary::from_summary(&summary());
    let dir = tempfile::tempdir().unwrap();
    write_report(&saved, &[], dir.path()).unwrap();
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    for text in [&md, &html] {
        assert!(!text.contains("NaN"), "no number that is none");
    }
    let section = md
        .split("## Suppliers and budgets\n")
        .nth(1)
        .expect("the section")
        .split("\n## ")
        .next()
        .unwrap();
    assert!(section.contains("### Supplier east-fab"));
    assert!(section.contains("### Supplier west"));
    assert!(section.contains("### Budget monthly"));
    assert!(section.contains("| figure | lean | safe |"));
    // 0.8 × 1.015 (the four runs' mean) as a percentage, with its interval.
    assert!(
        section.contains("| Capacity utilisation (%) | 81.20% ["),
        "{section}"
    );
    assert!(section.contains("| Value per delivery (EUR) | 1,421 ["));
    // West's capacity is unlimited: its utilisation is undefined, with the reason.
    assert!(
        section.contains("undefined (unlimited capacity)"),
        "{section}"
    );
    assert!(section.contains("| Budget used (%) | 60.90% ["));
    // Every figure is defined in the metric definitions, from the README.
    let defs = md.split("## Metric definitions").nth(1).unwrap();
    for name in SUPPLIER_METRICS
        .iter()
        .map(|m| m.name())
        .chain(BUDGET_METRICS.iter().map(|m| m.name()))
    {
        let row = defs
            .lines()
            .find(|l| l.contains(&format!("| `{name}` |")))
            .unwrap_or_else(|| panic!("no definition of {name}"));
        assert!(
            !row.contains("not defined in this version's README"),
            "{row}"
        );
    }
    assert!(html.contains("<section id=\"suppliers\">\n<h2>Suppliers and budgets</h2>"));
    assert!(html.contains("<a href=\"#suppliers\">Suppliers and budgets</a>"));
    assert!(html.contains("undefined<span class=\"sub\">(unlimited capacity)</span>"));
}

#[test]
fn a_report_without_supplier_figures_has_no_suppliers_section() {
    let text = SHARED.replace(
        "[[budget]]\nid = \"monthly\"\namount = 20000\nperiod = \"month\"\n",
        "",
    );
    let sc = scenario(&text);
    let mut outcome = simulate(&sc, 2, 7, &|_| {});
    for stats in &mut outcome.policies {
        stats.suppliers.clear();
        stats.budgets.clear();
    }
    let saved = SavedSummary::from_summary(&Summary::new(&sc, &outcome));
    let dir = tempfile::tempdir().unwrap();
    write_report(&saved, &[], dir.path()).unwrap();
    let md = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(!md.contains("\n## Suppliers"));
    assert!(!md.contains("capacity_utilisation"));
}

#[test]
fn the_run_table_adds_a_supplier_block_within_100_columns() {
    let table = comparison_table(&summary());
    for line in table.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }
    let block = table.split("suppliers, budgets").nth(1).expect("the block");
    assert!(block.contains("supplier east-fab:"));
    assert!(block.contains("  capacity utilisation"));
    assert!(block.contains("81.20% ±"), "{block}");
    assert!(block.contains("budget monthly:"));
    assert!(block.contains("  budget used"));
    // West's utilisation is undefined: said so, not a number.
    let west = block.split("supplier west:").nth(1).unwrap();
    let util = west
        .lines()
        .find(|l| l.contains("capacity utilisation"))
        .unwrap();
    assert_eq!(util.matches("undefined").count(), 2, "{util}");
}

/// Two items of 10 a day sharing a supplier that ships 12 a day: the capacity is used nearly
/// in full, orders wait for it, and it cuts them on nearly every day. Run end to end.
#[test]
fn a_shared_capacity_is_reported_from_a_real_run() {
    let scenario = r#"
[simulation]
horizon_days = 200
warmup_days = 20
runs = 20
unmet_demand = "lost"

[[supplier]]
id = "shared"
lead_time = { fixed = 2 }
capacity_per_day = 12

[[item]]
id = "a"
unit_cost = 5
demand = { deterministic = 10 }

[[item]]
id = "b"
unit_cost = 5
demand = { deterministic = 10 }

[policy.base.rule.base_stock]
order_up_to = 40
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.toml");
    std::fs::write(&path, scenario).unwrap();
    let out = dir.path().join("results");
    let run = assert_cmd::Command::cargo_bin("buffersim")
        .unwrap()
        .arg("run")
        .arg(&path)
        .arg("--report")
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(run.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("supplier shared:"), "{stdout}");
    for line in stdout.lines() {
        assert!(line.chars().count() <= 100, "{line}");
    }

    let saved = SavedSummary::load(&out).unwrap();
    assert_eq!(saved.supplier_names(), ["shared"]);
    assert!(saved.budget_names().is_empty());
    let policy = &saved.policies[0];
    let figure = |name: &str| policy.supplier_figure("shared", name).unwrap().mean;
    // 20 a day asked of 12 a day: the capacity is the bottleneck.
    let used = figure("capacity_utilisation");
    assert!((0.9..=1.0).contains(&used), "{used}");
    assert!(figure("allocation_cut_days_per_year") > 300.0);
    assert!(figure("backlog_units") > 0.0);
    assert!(figure("backlog_days") > 0.0);
    assert!(figure("deliveries_per_year") <= 365.0);
    assert_eq!(
        policy
            .supplier_figure("shared", "capacity_utilisation")
            .unwrap()
            .n,
        20
    );

    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(csv.contains("\nbase,supplier:shared,capacity_utilisation,20,"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("\n## Suppliers\n"));
    assert!(md.contains("### Supplier shared"));
    assert!(!md.contains("NaN"));
}
