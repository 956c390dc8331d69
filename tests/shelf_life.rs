//! Stock that expires (`shelf_life_days`) and loses value (`obsolescence_rate`), checked
//! against cases computed by hand.
//!
//! One deterministic item: 10 units a day, a fixed lead time of 1 day, lost sales, a unit cost
//! of 2 and a shelf life of 3 days (a unit received on day r may be issued on days r, r + 1
//! and r + 2, and is written off at the start of day r + 3).

use buffersim::model::scenario::Scenario;
use buffersim::presentation::describe::describe;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;

fn scenario_from(toml: &str) -> Result<Scenario, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).map_err(|e| e.to_string())
}

fn perishable(item_extra: &str, policies: &str) -> String {
    format!(
        r#"
[simulation]
horizon_days = 20
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = {{ fixed = 1 }}
region = "eu"

[[item]]
id = "milk"
unit_cost = 2
carrying_rate = 0.25
demand = {{ deterministic = 10 }}
shelf_life_days = 3
{item_extra}

{policies}
"#
    )
}

fn run(toml: &str) -> (Scenario, Summary) {
    let sc = scenario_from(toml).unwrap_or_else(|e| panic!("{e}"));
    let outcome = engine::simulate(&sc, sc.runs, sc.seed, &|_| {});
    let summary = Summary::new(&sc, &outcome);
    (sc, summary)
}

fn mean(summary: &Summary, policy: usize, metric: Metric) -> f64 {
    summary.policies[policy].items[0].metrics[metric.name()].mean
}

#[test]
fn stock_past_its_life_is_written_off_first_expiring_first() {
    // 50 units at the start, reordered up to 50 only when none is left. Each cycle of four
    // days: 30 served on days r … r + 2, 20 written off at the start of day r + 3, that day's
    // 10 lost and 50 ordered, received the next day. Five cycles in 20 days.
    let toml = perishable(
        "initial_on_hand = 50",
        "[policy.late.rule.s_s]\nreorder_point = 0\norder_up_to = 50",
    );
    let (_, summary) = run(&toml);
    assert_eq!(mean(&summary, 0, Metric::ExpiredUnits), 100.0);
    assert_eq!(mean(&summary, 0, Metric::LostUnits), 50.0);
    assert_eq!(mean(&summary, 0, Metric::FillRate), 0.75);
    // 100 units at 2 over 20 days, per year.
    let expiry = mean(&summary, 0, Metric::ExpiryCost);
    assert!((expiry - 200.0 * 365.0 / 20.0).abs() < 1e-9, "{expiry}");
    // The total cost holds it beside carrying, ordering and stockouts (no penalty here).
    let parts = mean(&summary, 0, Metric::CarryingCost) + mean(&summary, 0, Metric::OrderingCost);
    let total = mean(&summary, 0, Metric::TotalCost);
    assert!(
        (total - parts - expiry).abs() < 1e-9,
        "{total} vs {parts} + {expiry}"
    );
}

#[test]
fn a_sized_rule_is_capped_to_the_stock_its_demand_uses_before_it_expires() {
    // Base stock from 5 days of safety stock: 10 × 1 + 50 = 60. Demand uses 10 × (1 + 3 − 1)
    // = 30 units before they expire: the level is capped to 30. Then every day 30 units sit on
    // the shelf after the receipt, 10 from each of the last three days, and the oldest are
    // sold on their last day: nothing expires, nothing is lost, 20 units each night.
    let toml = perishable(
        "obsolescence_rate = 0.5",
        "[policy.sized.rule.base_stock]\nsafety_stock_days = 5\n\n\
         [policy.given.rule.base_stock]\norder_up_to = 60",
    );
    let (sc, summary) = run(&toml);
    let cap = sc.policies[0].items[0].sizing.shelf_life.clone().unwrap();
    assert!(cap.capped);
    assert_eq!(
        (cap.shelf_life_days, cap.usable_stock, cap.target_before),
        (3, 30.0, 60.0)
    );
    assert_eq!(sc.policies[0].items[0].sizing.order_up_to, Some(30.0));
    assert_eq!(mean(&summary, 0, Metric::ExpiredUnits), 0.0);
    assert_eq!(mean(&summary, 0, Metric::FillRate), 1.0);
    assert_eq!(mean(&summary, 0, Metric::AvgOnHandUnits), 20.0);
    // Obsolescence: an average 40 of stock value losing half of it a year.
    let obsolete = mean(&summary, 0, Metric::ObsolescenceCost);
    assert!((obsolete - 20.0).abs() < 1e-9, "{obsolete}");

    // A level the scenario gives is kept, and stock expires: 60 units at the start, 30 of
    // them still there at the start of day 3.
    let given = sc.policies[1].items[0].sizing.shelf_life.clone().unwrap();
    assert!(!given.capped);
    assert_eq!(sc.policies[1].items[0].sizing.order_up_to, Some(60.0));
    assert!(mean(&summary, 1, Metric::ExpiredUnits) >= 30.0);

    // The key inputs of summary.json and the report carry the shelf life and the rate.
    let inputs = buffersim::results::inputs::Inputs::new(&sc);
    assert_eq!(inputs.items[0].shelf_life_days, Some(3));
    assert_eq!(inputs.items[0].obsolescence_rate, Some(0.5));

    // validate says both.
    let text = describe(&sc);
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("shelf life of milk (3 days): target stock capped from 60.00 to 30.00 units"),
        "{text}"
    );
    assert!(
        text.contains("milk's given levels aim at 60.00 units, more than the 30.00"),
        "{text}"
    );
    assert!(
        text.contains("unit cost 2, shelf life 3 days, obsolescence 50.00% a year"),
        "{text}"
    );
}

#[test]
fn a_reserve_of_stock_that_expires_is_refused_and_shelf_lives_are_checked() {
    let toml = perishable(
        "",
        "[policy.reserve]\nreserve_days = 2\n[policy.reserve.rule.base_stock]\norder_up_to = 30",
    );
    let err = scenario_from(&toml).unwrap_err();
    assert!(err.contains("policy.reserve.reserve_days"), "{err}");
    assert!(err.contains("has a shelf life"), "{err}");

    let toml = perishable("", "[policy.p.rule.base_stock]\norder_up_to = 30")
        .replace("shelf_life_days = 3", "shelf_life_days = 0");
    let err = scenario_from(&toml).unwrap_err();
    assert!(err.contains("item[0].shelf_life_days"), "{err}");
    assert!(err.contains("from 1 to 3650"), "{err}");

    let toml = perishable(
        "obsolescence_rate = 1.5",
        "[policy.p.rule.base_stock]\norder_up_to = 30",
    );
    let err = scenario_from(&toml).unwrap_err();
    assert!(err.contains("item[0].obsolescence_rate"), "{err}");
}

#[test]
fn items_without_a_shelf_life_never_expire() {
    let toml = perishable("", "[policy.p.rule.base_stock]\norder_up_to = 60")
        .replace("shelf_life_days = 3", "");
    let (_, summary) = run(&toml);
    assert_eq!(mean(&summary, 0, Metric::ExpiredUnits), 0.0);
    assert_eq!(mean(&summary, 0, Metric::ExpiryCost), 0.0);
    assert_eq!(mean(&summary, 0, Metric::ObsolescenceCost), 0.0);
}

#[test]
fn shelf_life_and_obsolescence_are_parameters_of_sweep_stress_and_optimize() {
    use buffersim::analysis::param::{Param, scenario_with};
    let text = perishable("", "[policy.p.rule.base_stock]\nsafety_stock_days = 5");
    let path = std::path::Path::new("case.toml");
    let changes = [
        (Param::parse("item.milk.shelf_life_days").unwrap(), 5.0),
        (Param::parse("item.milk.obsolescence_rate").unwrap(), 0.2),
    ];
    let sc = scenario_with(&text, path, &changes).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(sc.items[0].shelf_life_days, Some(5));
    assert_eq!(sc.items[0].obsolescence_rate, 0.2);
    // A longer life lets the sized level reach further: 10 × (1 + 5 − 1) = 50.
    let cap = sc.policies[0].items[0].sizing.shelf_life.clone().unwrap();
    assert_eq!((cap.usable_stock, cap.target_before), (50.0, 60.0));
}

#[test]
fn an_item_without_demand_keeps_a_positive_lot_under_the_cap() {
    let toml = perishable(
        "units = \"continuous\"",
        "[policy.p.rule.reorder_point]\nsafety_stock = 5\nquantity = \"eoq\"",
    )
    .replace("deterministic = 10", "deterministic = 0")
    .replace("unit_cost = 2", "unit_cost = 2\norder_cost = 10");
    let (sc, summary) = run(&toml);
    let sizing = &sc.policies[0].items[0].sizing;
    assert!(sizing.order_quantity.unwrap() > 0.0);
    assert!(mean(&summary, 0, Metric::TotalCost).is_finite());
}
