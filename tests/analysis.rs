//! The analysis commands: paired comparison, precision control, sweeps, stress tests and
//! optimisation, checked against known answers.

mod common;

use std::path::Path;

use buffersim::analysis::compare::Comparison;
use buffersim::analysis::optimize::{Request, optimize};
use buffersim::analysis::param::Vary;
use buffersim::analysis::precision::Precision;
use buffersim::analysis::target::Target;
use buffersim::analysis::{RunPlan, simulate_plan};
use buffersim::analysis::{stress, sweep};
use buffersim::model::scenario::Scenario;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;

fn example(name: &str) -> Scenario {
    Scenario::load(Path::new(&format!("scenarios/{name}.toml"))).unwrap()
}

fn plan(runs: u64, seed: u64) -> RunPlan {
    RunPlan::fixed(runs, seed)
}

/// Common random numbers make the paired interval of a difference narrower than the interval
/// two independent means would give, and the paired mean is the difference of the means.
#[test]
fn paired_intervals_are_narrower_than_unpaired_ones() {
    let scenario = example("kanban-vs-jic");
    let (outcome, _) = simulate_plan(&scenario, &plan(400, 7), Some(0), &|_| {});
    let comparison = Comparison::new(&scenario, &outcome);
    assert_eq!(comparison.baseline, "kanban");
    assert_eq!(comparison.policies.len(), scenario.policies.len() - 1);
    for p in &comparison.policies {
        for metric in [
            Metric::DaysOfSupply,
            Metric::CarryingCost,
            Metric::StockoutRate,
        ] {
            let d = comparison.get(&p.policy, metric).unwrap();
            // A policy that never runs out has nothing to pair in its stockout rate: the two
            // widths are then equal.
            let (paired, unpaired) = (d.paired_half_width.unwrap(), d.unpaired_half_width.unwrap());
            let narrower = if metric == Metric::StockoutRate && d.policy_mean == 0.0 {
                paired <= unpaired
            } else {
                paired < unpaired
            };
            assert!(
                narrower,
                "{} {}: paired ±{} not narrower than unpaired ±{}",
                p.policy, d.metric, paired, unpaired
            );
            let gap = d.difference - (d.policy_mean - d.baseline_mean);
            assert!(
                gap.abs() <= 1e-9 * d.baseline_mean.abs().max(1.0),
                "{} {}: mean of differences {} vs difference of means {}",
                p.policy,
                d.metric,
                d.difference,
                d.policy_mean - d.baseline_mean
            );
        }
        // Holding more stock than kanban costs more carrying and runs out less: both
        // significant at 400 runs.
        let carrying = comparison.get(&p.policy, Metric::CarryingCost).unwrap();
        assert!(carrying.significant == Some(true) && carrying.difference > 0.0);
    }
    let text = comparison.to_text();
    assert!(text.contains("\njic-95 vs kanban:\n"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("  stockout rate") && l.contains(" −") && l.contains(" pp")),
        "{text}"
    );
}

/// Two identical policies: every paired difference is exactly zero, with a zero-width
/// interval, and nothing is significant.
#[test]
fn identical_policies_differ_by_exactly_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twins.toml");
    let text = std::fs::read_to_string("scenarios/kanban-reference.toml").unwrap();
    let twin = text.replace("[policy.kanban.", "[policy.twin.");
    std::fs::write(&path, format!("{text}\n{}", policy_tables(&twin))).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let twin_index = scenario
        .policies
        .iter()
        .position(|p| p.name == "twin")
        .unwrap();
    let (outcome, _) = simulate_plan(&scenario, &plan(200, 3), Some(0), &|_| {});
    let comparison = Comparison::new(&scenario, &outcome);
    let name = &scenario.policies[twin_index].name;
    for metric in [Metric::StockoutRate, Metric::TotalCost] {
        let d = comparison.get(name, metric).unwrap();
        let ci = d.ci95.unwrap();
        assert_eq!((d.difference, ci.low, ci.high), (0.0, 0.0, 0.0));
        assert_eq!(d.significant, Some(false));
    }
}

/// The `[policy.twin…]` tables of a scenario text.
fn policy_tables(text: &str) -> String {
    let start = text
        .find("[policy.twin")
        .expect("the reference has a kanban policy");
    let end = text[start..]
        .find("\n[policy.digital")
        .map_or(text.len(), |i| start + i);
    text[start..end].to_string()
}

/// Precision control adds whole chunks of runs until the interval is narrow enough, and its
/// results are exactly those of a plain run of the final size.
#[test]
fn precision_control_stops_when_precise_and_matches_a_plain_run() {
    let scenario = example("kanban-reference");
    let target = 0.0003;
    let mut with_precision = plan(64, 5);
    with_precision.precision = Some(Precision {
        half_width: target,
        max_runs: 100_000,
    });
    let (outcome, report) = simulate_plan(&scenario, &with_precision, None, &|_| {});
    let report = report.unwrap();
    assert!(report.reached && report.achieved_half_width.unwrap() <= target);
    assert_eq!(report.runs, outcome.runs);
    assert!(outcome.runs > 64 && outcome.runs.is_multiple_of(64));
    let widest = buffersim::analysis::widest_half_width(&outcome, Metric::StockoutRate);
    assert_eq!(widest, report.achieved_half_width);
    let plain = engine::simulate(&scenario, outcome.runs, 5, &|_| {});
    assert_eq!(
        Summary::new(&scenario, &outcome).to_json(),
        Summary::new(&scenario, &plain).to_json()
    );
    // A cap below what the target needs stops at the cap and says so.
    with_precision.precision = Some(Precision {
        half_width: 1e-6,
        max_runs: 256,
    });
    let (capped, report) = simulate_plan(&scenario, &with_precision, None, &|_| {});
    let report = report.unwrap();
    assert!(!report.reached);
    assert_eq!((capped.runs, report.runs), (256, 256));
}

/// Optimisation against the textbook answer: normal demand, a fixed lead time of L days,
/// backorders and no disruption; the smallest base-stock safety stock reaching a 95% cycle
/// service level is z·σ·√L (z = Φ⁻¹(0.95)). Judged on the point estimate (confidence 0.5), the
/// answer may miss that by the sampling error of the service level where the search crosses
/// it (four standard errors, turned into units through the slope φ(z)/(σ√L) of the service
/// level in the safety stock), plus the search's tolerance.
#[test]
fn optimize_finds_the_textbook_safety_stock() {
    let source = r#"
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

[policy.base.rule.base_stock]
safety_stock = 0
"#;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("textbook.toml");
    std::fs::write(&path, source).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let request = Request {
        policy: 0,
        param: "policy.base.safety_stock".parse().unwrap(),
        target: Target::parse("cycle_service_level >= 0.95").unwrap(),
        confidence: 0.5,
        per_item: false,
        range: Some((0.0, 80.0)),
        tolerance: Some(0.1),
        runs: 1000,
        max_runs: 1000,
        seed: 11,
        every_policy: false,
    };
    let result = optimize(&scenario, source, &path, &request, &|_| {}).unwrap();
    let answer = &result.answers[0];
    let chosen = answer.value.expect("a safety stock meets the target");
    let (sigma, lead_time) = (10.0_f64, 4.0_f64);
    let z = buffersim::foundation::math::norm_ppf(0.95);
    let textbook = z * sigma * lead_time.sqrt();
    let csl = answer.metric.unwrap();
    let se = csl.ci95.unwrap().half_width() / buffersim::foundation::math::t_crit_95(csl.n);
    let slope = buffersim::foundation::math::norm_pdf(z) / (sigma * lead_time.sqrt());
    let tolerance = 4.0 * se / slope + 0.1;
    assert!(
        (chosen - textbook).abs() <= tolerance,
        "safety stock {chosen} vs textbook {textbook:.2} (tolerance {tolerance:.2})"
    );
    assert!(
        csl.mean >= 0.95,
        "the chosen value meets the target: {}",
        csl.mean
    );
    let below = answer
        .below
        .as_ref()
        .expect("a smaller value was tried and failed");
    assert!(below.value < chosen && below.measured.value < 0.95);
    assert!(
        chosen - below.value <= 0.1 + 1e-9,
        "bisected to the tolerance"
    );
}

/// A sweep of the safety stock under common random numbers: the stockout rate never rises as
/// the buffer grows (every point replays the same demand, lead times and outages, and a
/// larger buffer does at least as well run by run).
#[test]
fn sweeping_safety_stock_gives_a_non_increasing_stockout_rate() {
    let path = Path::new("scenarios/kanban-vs-jic.toml");
    let source = std::fs::read_to_string(path).unwrap();
    let vary: Vary = "policy.jic-30d.safety_stock_days=0..30:7".parse().unwrap();
    let axes = sweep::axes(&source, path, &[vary]).unwrap();
    let grid = sweep::run(&source, path, axes, &plan(200, 7), &|_, _| {}).unwrap();
    assert_eq!(grid.points.len(), 7);
    let policy = grid.policies().iter().position(|p| p == "jic-30d").unwrap();
    let rates: Vec<f64> = (0..7)
        .map(|k| {
            grid.estimate(k, policy, None, Metric::StockoutRate)
                .unwrap()
                .mean
        })
        .collect();
    assert!(rates[0] > rates[6], "the buffer matters here: {rates:?}");
    for pair in rates.windows(2) {
        assert!(
            pair[1] <= pair[0],
            "stockout rate rose with the buffer: {rates:?}"
        );
    }
    // The other policies do not depend on the parameter: identical at every point.
    let kanban: Vec<f64> = (0..7)
        .map(|k| {
            grid.estimate(k, 0, None, Metric::StockoutRate)
                .unwrap()
                .mean
        })
        .collect();
    assert!(kanban.iter().all(|&r| r == kanban[0]));
    let csv = grid.to_csv();
    assert!(csv.starts_with("policy.jic-30d.safety_stock_days,policy,item,metric,"));
}

/// A stress test against a hand calculation: deterministic demand of 10 a day, a lead time of
/// 3 days and a base stock of 100 leave 70 units on the shelf; a scheduled outage stops
/// receipts 3 days after it starts and they resume 3 days after it ends, so the shelf covers
/// an outage of up to 70 ÷ 10 = 7 days without a single lost sale, and no longer.
#[test]
fn stress_finds_the_outage_the_buffer_covers() {
    let source = &common::deterministic_outage(100, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fire.toml");
    std::fs::write(&path, source).unwrap();
    let param = stress::default_param(source, &path, "fire").unwrap();
    assert_eq!(param.as_str(), "disruption.fire.duration_days");
    let axis = stress::axis(source, &path, &param, Some((1.0, 14.0)), Some(14)).unwrap();
    assert_eq!(axis.values, (1..=14).map(f64::from).collect::<Vec<_>>());
    let grid = sweep::run(source, &path, vec![axis], &plan(2, 1), &|_, _| {}).unwrap();
    let target = Target::parse("stockout_rate <= 0").unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let reached = stress::reached_items(&scenario, "fire").unwrap();
    assert_eq!(reached, [true]);
    let result = stress::Stress::new("fire", &reached, target, grid);
    let all = &result.survival[0];
    assert_eq!(all.survivable, Some(70.0 / 10.0));
    assert_eq!(
        (all.low, all.high),
        (Some(7.0), Some(7.0)),
        "deterministic: no spread"
    );
    assert!(!all.holds_at_end);
    let text = result.to_text();
    assert!(
        text.contains("disruption.fire.duration_days from 1 to 14"),
        "{text}"
    );
    assert!(
        text.contains("\npolicy 'base': holds up to 7 [7, 7]\n"),
        "{text}"
    );
    // The target is drawn on its metric's curve; a metric a sweep does not chart gets a
    // curve of its own to draw it on.
    let charts = result.sweep.charts(Some(&result.target)).unwrap();
    let stockout = charts
        .iter()
        .find(|c| c.name == "sweep-stockout-rate")
        .unwrap();
    assert!(stockout.svg.contains("target ≤ 0.00%"));
    let lost = Target::parse("lost_units <= 10").unwrap();
    let charts = result.sweep.charts(Some(&lost)).unwrap();
    let own = charts.iter().find(|c| c.name == "sweep-target").unwrap();
    assert!(own.title.starts_with("Lost units against"), "{}", own.title);
    assert!(own.svg.contains("target ≤ 10.00"));
}

/// A disruption that reaches no item (an outage of a supplier nothing is bought from): every
/// line, the policy's included, says unaffected, and nothing is judged.
#[test]
fn issue_18_stress_reports_a_policy_it_cannot_reach_as_unaffected() {
    let source = common::deterministic_outage(100, 5)
        .replace(
            "[[item]]",
            "[[supplier]]\nid = \"idle\"\nlead_time = { fixed = 3 }\n\n[[item]]\nsuppliers = [\"s\"]",
        )
        .replace("supplier_outage = { supplier = \"s\" }", "supplier_outage = { supplier = \"idle\" }");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("idle.toml");
    std::fs::write(&path, &source).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let reached = stress::reached_items(&scenario, "fire").unwrap();
    assert_eq!(reached, [false]);
    let param = stress::default_param(&source, &path, "fire").unwrap();
    let axis = stress::axis(&source, &path, &param, Some((1.0, 14.0)), Some(3)).unwrap();
    let grid = sweep::run(&source, &path, vec![axis], &plan(2, 1), &|_, _| {}).unwrap();
    let target = Target::parse("stockout_rate <= 0").unwrap();
    let result = stress::Stress::new("fire", &reached, target, grid);
    assert_eq!(result.survival.len(), 2);
    for s in &result.survival {
        assert!(
            !s.reached && s.verdict == stress::Reading::Unaffected,
            "{s:?}"
        );
        assert_eq!((s.survivable, s.holds_at_end), (None, false));
    }
    let text = result.to_text();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "policy 'base': unaffected: 'fire' reaches none of its items (the target holds at \
             every value tried)"
        ),
        "{text}"
    );
}

/// Whole-number parameters are searched on whole numbers from the smallest valid value, and a
/// quantile target is judged on the quantile: the reference kanban loop (demand 50 a day,
/// lead time 2, containers of 25) needs the 5 containers of the textbook formula for its
/// p95 stockout rate to stay under 5%; with 4 it runs short every cycle.
#[test]
fn optimize_counts_kanban_containers_on_a_quantile_target() {
    let text = std::fs::read_to_string("scenarios/kanban-reference.toml").unwrap();
    let source = text.replacen("safety_factor = 0.2", "containers = 9", 1);
    assert_ne!(source, text);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("containers.toml");
    std::fs::write(&path, &source).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let request = Request {
        policy: 0,
        param: "policy.kanban.containers".parse().unwrap(),
        target: Target::parse("p95 stockout_rate <= 5%").unwrap(),
        confidence: 0.95,
        per_item: false,
        range: None,
        tolerance: None,
        runs: 256,
        max_runs: 1024,
        seed: 3,
        every_policy: false,
    };
    let result = optimize(&scenario, &source, &path, &request, &|_| {}).unwrap();
    assert!(result.integral);
    assert_eq!(result.range.0, 1.0, "zero containers is not a valid loop");
    let answer = &result.answers[0];
    assert_eq!(answer.value, Some(5.0));
    assert_eq!(answer.below.as_ref().map(|b| b.value), Some(4.0));
    let achieved = answer.achieved.as_ref().unwrap();
    assert!(
        achieved.high <= 0.05,
        "p95 bound {} within the target",
        achieved.high
    );
}

/// The final simulation at the chosen values pays for the sized policy alone unless every
/// policy's figures are asked for (`--justify`), and the answers are the same either way: each
/// policy replays the same paths whichever others are simulated (issue 24, item 4).
#[test]
fn optimize_simulates_other_policies_only_when_asked() {
    let path = std::path::PathBuf::from("scenarios/kanban-vs-jic.toml");
    let source = std::fs::read_to_string(&path).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    assert!(scenario.policies.len() > 1);
    let request = |every_policy| Request {
        policy: 0,
        param: "policy.kanban.safety_factor".parse().unwrap(),
        target: Target::parse("stockout_rate <= 3%").unwrap(),
        confidence: 0.9,
        per_item: false,
        range: Some((0.0, 2.0)),
        tolerance: Some(0.05),
        runs: 128,
        max_runs: 512,
        seed: 5,
        every_policy,
    };
    let alone = optimize(&scenario, &source, &path, &request(false), &|_| {}).unwrap();
    let every = optimize(&scenario, &source, &path, &request(true), &|_| {}).unwrap();
    assert_eq!(alone.to_json(), every.to_json());
    let counted = |result: &buffersim::analysis::optimize::Optimization, policy: usize| {
        result.outcome.as_ref().unwrap().policies[policy]
            .all
            .get(Metric::StockoutRate)
            .count()
    };
    assert_eq!(counted(&alone, 0), alone.runs);
    assert_eq!(counted(&every, 0), every.runs);
    for policy in 1..scenario.policies.len() {
        assert_eq!(
            counted(&alone, policy),
            0,
            "policy {policy} is not simulated"
        );
        assert_eq!(
            counted(&every, policy),
            every.runs,
            "policy {policy} is simulated"
        );
    }
}
