//! Checks against exact textbook values. Tolerances come from the run count: a simulated mean
//! must lie within four standard errors (estimated from the spread over runs) of its target.

mod common;

use std::path::Path;

use buffersim::foundation::stats::Estimate;
use buffersim::model::scenario::Scenario;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;

fn scenario_from(toml: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn simulate(scenario: &Scenario) -> Summary {
    let outcome = engine::simulate(scenario, scenario.runs, scenario.seed, &|_| {});
    Summary::new(scenario, &outcome)
}

fn metric(summary: &Summary, policy: usize, metric: Metric) -> Estimate {
    summary.policies[policy].metrics[metric.name()]
}

/// Standard error of the mean, recovered from the 95% interval.
fn std_error(e: &Estimate) -> f64 {
    let t = buffersim::foundation::math::t_crit_95(e.n);
    e.ci95.expect("an interval from many runs").half_width() / t
}

fn assert_within_4se(e: &Estimate, target: f64, what: &str) {
    let se = std_error(e);
    assert!(
        (e.mean - target).abs() <= 4.0 * se,
        "{what}: simulated {} ± {se} (SE), target {target}",
        e.mean
    );
    assert!(
        se > 0.0,
        "{what}: a zero standard error makes this check vacuous"
    );
}

const NORMAL_ITEM: &str = r#"
[simulation]
horizon_days = 400
warmup_days = 40
runs = 1000
seed = 11
unmet_demand = "backorder"

[[supplier]]
id = "s"
lead_time = { fixed = 4 }

[[item]]
id = "part"
unit_cost = 10
order_cost = 50
units = "continuous"
demand = { normal = { mean = 50, sd = 10 } }
"#;

#[test]
fn reference_kanban_example_sizes_exactly() {
    let sc = Scenario::load(Path::new("scenarios/kanban-reference.toml")).unwrap();
    let k = sc.policies[0].items[0]
        .sizing
        .kanban
        .clone()
        .expect("kanban policy first");
    assert_eq!(k.containers, 5);
    assert_eq!(k.total_units, 125.0);
    assert_eq!(k.days_of_supply, Some(2.5));
}

/// Base-stock with normal demand, fixed lead time L and backorders: with S = μL + zσ√L the
/// chance that a day's demand is not fully served is exactly 1 − Φ(z), so the cycle service
/// level (each day is one cycle) is Φ(z). A reorder point with a tiny lot behaves the same way.
#[test]
fn base_stock_and_reorder_point_reach_their_cycle_service_level() {
    let toml = format!(
        "{NORMAL_ITEM}
[policy.base.rule.base_stock]
service_level = 0.9
[policy.rop.rule.reorder_point]
service_level = 0.9
quantity = {{ fixed = 0.01 }}
"
    );
    let sc = scenario_from(&toml);
    let summary = simulate(&sc);
    for p in 0..2 {
        let csl = metric(&summary, p, Metric::CycleServiceLevel);
        assert_within_4se(&csl, 0.9, &summary.policies[p].policy);
        // Each day is a cycle here, so the share of stockout days is the complement.
        let days = metric(&summary, p, Metric::StockoutDayRate);
        assert_within_4se(&days, 0.1, "stockout day rate");
    }
}

/// With large lots the reorder point is reviewed once a day, so the position is at or below the
/// reorder point when an order is placed: the textbook safety stock then meets its target with
/// room to spare, never less.
#[test]
fn reorder_point_with_eoq_lots_meets_its_target() {
    let toml = format!(
        "{NORMAL_ITEM}
[policy.rop.rule.reorder_point]
service_level = 0.9
quantity = \"eoq\"
"
    );
    let summary = simulate(&scenario_from(&toml));
    let csl = metric(&summary, 0, Metric::CycleServiceLevel);
    assert!(
        csl.mean >= 0.9 - 4.0 * std_error(&csl),
        "CSL {} below target",
        csl.mean
    );
}

/// Little's law: the average pipeline equals mean demand × mean lead time (here uniform on
/// 1–7 days, mean 4), whatever the policy, when every unit demanded is reordered.
#[test]
fn pipeline_obeys_littles_law() {
    let toml = r#"
[simulation]
horizon_days = 400
warmup_days = 60
runs = 1000
seed = 5
unmet_demand = "backorder"

[[supplier]]
id = "s"
lead_time = { uniform = { min = 1, max = 7 } }

[[item]]
id = "part"
unit_cost = 10
container_size = 40
demand = { normal = { mean = 50, sd = 10 } }

[policy.base.rule.base_stock]
service_level = 0.95
[policy.kanban.rule.kanban]
safety_factor = 0.3
"#;
    let summary = simulate(&scenario_from(toml));
    for p in 0..2 {
        let pipeline = metric(&summary, p, Metric::AvgPipelineUnits);
        // Censoring the normal at zero adds less than 1e-5 to the mean; negligible here.
        assert_within_4se(&pipeline, 200.0, &summary.policies[p].policy);
    }
}

/// Deterministic demand and lead time: a base stock of exactly the lead-time demand never runs
/// out and ends every day with an empty shelf.
#[test]
fn deterministic_base_stock_is_exact() {
    let toml = r#"
[simulation]
horizon_days = 365
warmup_days = 5
runs = 3
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = { fixed = 3 }

[[item]]
id = "part"
unit_cost = 2
demand = { deterministic = 10 }

[policy.exact.rule.base_stock]
order_up_to = 30
[policy.weekly.rule.periodic_review]
review_period_days = 7
safety_stock = 0
"#;
    let summary = simulate(&scenario_from(toml));
    assert_eq!(metric(&summary, 0, Metric::FillRate).mean, 1.0);
    assert_eq!(metric(&summary, 0, Metric::AvgOnHandUnits).mean, 0.0);
    assert_eq!(metric(&summary, 0, Metric::AvgPipelineUnits).mean, 30.0);
    assert_eq!(metric(&summary, 0, Metric::OrdersPerYear).mean, 365.0);
    // Weekly review with S = d × (L + R − 1) = 90: reviews on days 7, 14, …, 364 fall in the
    // 360 measured days (52 orders), and the shelf is never short.
    assert_eq!(metric(&summary, 1, Metric::FillRate).mean, 1.0);
    let orders = metric(&summary, 1, Metric::OrdersPerYear).mean;
    assert!(
        (orders - 52.0 * 365.0 / 360.0).abs() < 1e-9,
        "orders per year {orders}"
    );
}

/// A scheduled 30-day outage with no buffer: orders placed during it wait at the supplier, the
/// shelf runs dry three days (the lead time) after it starts, and stays dry 30 days.
#[test]
fn scheduled_outage_loses_exactly_its_demand() {
    let toml = common::deterministic_outage(30, 30);
    let summary = simulate(&scenario_from(&toml));
    assert_eq!(metric(&summary, 0, Metric::LostUnits).mean, 300.0);
    assert_eq!(
        metric(&summary, 0, Metric::StockoutDayRate).mean,
        30.0 / 365.0
    );
}

/// The on-hand fan of a deterministic case is the hand-computed stock path, day by day: a
/// base stock of 100 with 30 units in the pipeline keeps 70 on the shelf (once the first
/// three days have filled the pipeline); a scheduled outage
/// from day 100 stops receipts from day 103, the shelf drains 10 a day to empty on day 109 and
/// stays empty until the queue shipped on day 130 lands on day 133.
#[test]
fn fan_of_a_deterministic_outage_follows_the_hand_computed_path() {
    let toml = common::deterministic_outage(100, 30);
    let scenario = scenario_from(&toml);
    let summary = simulate(&scenario);
    let fan = &summary.policies[0].on_hand_fan;
    assert_eq!(fan.measure, "units");
    assert_eq!(fan.day.len(), 183, "every second day of 365");
    let expected = |day: usize| -> f64 {
        match day {
            // The shelf starts at the base stock and fills the pipeline over the lead time.
            0..=2 => 100.0 - 10.0 * (day + 1) as f64,
            3..=102 => 70.0,
            103..=109 => 70.0 - 10.0 * (day - 102) as f64,
            110..=132 => 0.0,
            _ => f64::NAN,
        }
    };
    for (k, &day) in fan.day.iter().enumerate() {
        assert_eq!(day, 2 * k);
        let want = expected(day);
        if want.is_nan() {
            continue;
        }
        for (q, band) in [("p05", &fan.p05), ("p50", &fan.p50), ("p95", &fan.p95)] {
            assert_eq!(band[k], want, "{q} on day {day}");
        }
    }
    let log = summary.disruptions.as_ref().unwrap();
    assert_eq!(log.by_disruption[0].scheduled, vec![[100, 130]]);
}

/// Common random numbers: two identical policies in one scenario see the same paths and so
/// give bit-identical results.
#[test]
fn identical_policies_give_identical_results() {
    let toml = format!(
        "{NORMAL_ITEM}
[[disruption]]
id = \"flaky\"
effect = {{ supplier_outage = {{ supplier = \"s\" }} }}
occurrence = {{ markov = {{ daily_failure_probability = 0.02, daily_recovery_probability = 0.2 }} }}
[policy.a.rule.reorder_point]
service_level = 0.95
[policy.b.rule.reorder_point]
service_level = 0.95
"
    );
    let summary = simulate(&scenario_from(&toml));
    let a = serde_json::to_string(&summary.policies[0].metrics).unwrap();
    let b = serde_json::to_string(&summary.policies[1].metrics).unwrap();
    assert_eq!(a, b);
}
