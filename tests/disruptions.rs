//! Every disruption kind and mitigation, checked against hand calculations.
//!
//! Most cases use one deterministic item: 10 units a day, a fixed lead time of 3 days, a
//! base-stock level of exactly the lead-time demand (30, no buffer) and lost sales. In steady
//! state every receipt is sold the day it arrives, so each day without a receipt loses exactly
//! 10 units, and the effect of a disruption can be counted by hand.

use buffersim::foundation::days::{DayDistribution, DaysSpec};
use buffersim::foundation::rng::{Stream, rng_for};
use buffersim::foundation::stats::Estimate;
use buffersim::model::disruption::{Disruption, Effect, Kind, Occurrence};
use buffersim::model::scenario::Scenario;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;
use buffersim::simulation::supply_paths::SupplyPaths;

fn scenario_from(toml: &str) -> Scenario {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn run(toml: &str) -> Summary {
    let sc = scenario_from(toml);
    let outcome = engine::simulate(&sc, sc.runs, sc.seed, &|_| {});
    Summary::new(&sc, &outcome)
}

fn item(summary: &Summary, policy: usize, item: usize, metric: Metric) -> Estimate {
    summary.policies[policy].items[item].metrics[metric.name()]
}

fn lean(extra: &str) -> String {
    format!(
        r#"
[simulation]
horizon_days = 365
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = {{ fixed = 3 }}
region = "asia"

[[item]]
id = "part"
unit_cost = 2
demand = {{ deterministic = 10 }}

[policy.lean.rule.base_stock]
order_up_to = 30
{extra}
"#
    )
}

const DAYS_100_TO_129: &str =
    "occurrence = { scheduled = { start_day = 100, duration_days = 30 } }";

#[test]
fn outage_with_cancelled_orders() {
    let summary = run(&lean(&format!(
        "[[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"s\", cancel_orders = true }} }}\n{DAYS_100_TO_129}"
    )));
    // The shelf is dry from day 103 (the last pre-outage order lands on day 102) until the
    // first post-outage order lands on day 133: 30 days.
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 300.0);
    // Orders placed during the outage are cancelled the same day and placed again: 10, 20,
    // then 30 a day for the remaining 27 days.
    assert_eq!(
        item(&summary, 0, 0, Metric::CancelledUnits).mean,
        10.0 + 20.0 + 30.0 * 28.0
    );
}

/// Issue 18, item 1: orders cancelled during the warm-up are not counted, like every other
/// figure of the warm-up days. The same outage as above, on days 10–39: with a 60-day warm-up
/// nothing of it is measured; without one, the cancellations are those counted above.
#[test]
fn issue_18_cancellations_in_the_warm_up_are_not_counted() {
    let outage = "[[disruption]]\nid = \"fire\"\neffect = { supplier_outage = { supplier = \"s\", cancel_orders = true } }\noccurrence = { scheduled = { start_day = 10, duration_days = 30 } }";
    let with_warmup = lean(outage).replace("runs = 2\n", "runs = 2\nwarmup_days = 60\n");
    let summary = run(&with_warmup);
    assert_eq!(item(&summary, 0, 0, Metric::CancelledUnits).mean, 0.0);
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 0.0);
    let summary = run(&lean(outage));
    assert_eq!(
        item(&summary, 0, 0, Metric::CancelledUnits).mean,
        10.0 + 20.0 + 30.0 * 28.0
    );
}

/// One item of 10 a day from one supplier with a fixed lead time of 10 days, a base stock of
/// `order_up_to`, lost sales, and `disruption` (a TOML `[[disruption]]` table).
fn long_lead(order_up_to: u32, disruption: &str) -> String {
    lean(disruption)
        .replace("lead_time = { fixed = 3 }", "lead_time = { fixed = 10 }")
        .replace("order_up_to = 30", &format!("order_up_to = {order_up_to}"))
}

/// Issue 18, item 3: time to recover counts the shortfall an event causes after it ends, and
/// measures the impaired stretch. Each case by hand, with a base stock of 110 (10 on hand at
/// the end of a normal day, 100 on order) or 100 (none on hand):
/// - a 3-day outage (days 100–102) holds back the orders of those days until day 103; the
///   shelf, with no arrival on days 110–112, runs dry on days 111 and 112, and is back on day
///   113, when the held-back orders land: 2 days (the event itself saw no shortfall);
/// - a 5-day transport delay on days 100–101 slows every shipment in transit then (dispatched
///   on days 91–101), so nothing lands on days 101–105: short on days 102–105, back on day
///   106: 4 days;
/// - every shipment dispatched on day 100 rejected (with nothing on hand at the end of a day):
///   short on day 110 only, when it lands and is rejected: 1 day.
#[test]
fn issue_18_time_to_recover_counts_shortfalls_after_the_event() {
    for (order_up_to, effect, start, days, expected) in [
        (110, "supplier_outage = { supplier = \"s\" }", 100, 3, 2.0),
        (
            110,
            "transport_delay = { region = \"asia\", extra_days = { fixed = 5 } }",
            100,
            2,
            4.0,
        ),
        (
            100,
            "quality_rejection = { supplier = \"s\", probability = 1.0 }",
            100,
            1,
            1.0,
        ),
    ] {
        let disruption = format!(
            "[[disruption]]\nid = \"event\"\neffect = {{ {effect} }}\n\
             occurrence = {{ scheduled = {{ start_day = {start}, duration_days = {days} }} }}"
        );
        let summary = run(&long_lead(order_up_to, &disruption));
        assert_eq!(
            item(&summary, 0, 0, Metric::TimeToRecover).mean,
            expected,
            "{effect}"
        );
    }
}

#[test]
fn capacity_cut_ships_a_share_of_capacity() {
    let toml = lean(&format!(
        "[[disruption]]\nid = \"slow\"\neffect = {{ capacity_cut = {{ supplier = \"s\", factor = 0.5 }} }}\n{DAYS_100_TO_129}"
    ))
    .replace("region = \"asia\"", "region = \"asia\"\ncapacity_per_day = 12");
    let summary = run(&toml);
    // 6 a day ship during the cut, so 4 a day are lost for 30 days (days 103–132); after it
    // the supplier ships 12 a day and the shelf never runs dry again.
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 120.0);
}

#[test]
fn regional_event_hits_every_supplier_of_the_region_and_no_other() {
    let toml = r#"
[simulation]
horizon_days = 365
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "shanghai"
lead_time = { fixed = 3 }
region = "asia"

[[supplier]]
id = "shenzhen"
lead_time = { fixed = 3 }
region = "asia"

[[supplier]]
id = "lyon"
lead_time = { fixed = 3 }
region = "europe"

[[item]]
id = "a"
unit_cost = 2
demand = { deterministic = 10 }
suppliers = ["shanghai"]

[[item]]
id = "b"
unit_cost = 2
demand = { deterministic = 10 }
suppliers = ["shenzhen"]

[[item]]
id = "c"
unit_cost = 2
demand = { deterministic = 10 }
suppliers = ["lyon"]

[[disruption]]
id = "typhoon"
effect = { regional_event = { region = "asia" } }
occurrence = { scheduled = { start_day = 100, duration_days = 30 } }

[policy.lean.rule.base_stock]
order_up_to = 30
"#;
    let summary = run(toml);
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 300.0);
    assert_eq!(item(&summary, 0, 1, Metric::LostUnits).mean, 300.0);
    assert_eq!(item(&summary, 0, 2, Metric::LostUnits).mean, 0.0);
    assert_eq!(
        summary
            .disruptions
            .as_ref()
            .unwrap()
            .disrupted_supplier_days
            .mean,
        60.0
    );
}

/// Two suppliers each out a share p of days: independent outages leave both out together a
/// share p² of days; one regional event takes both out together a share p.
#[test]
fn correlated_failure_needs_a_regional_event() {
    let horizon = 400_000;
    let regions = [Some("asia".to_string()), Some("asia".to_string())];
    let suppliers: Vec<_> = regions
        .iter()
        .enumerate()
        .map(|(j, region)| buffersim::model::supply::Supplier {
            region: region.clone(),
            ..buffersim::model::supply::Supplier::plain(
                format!("s{j}"),
                DayDistribution::new(&DaysSpec::Fixed(2), 1),
            )
        })
        .collect();
    // Mean 90 days up, 10 down: p = 0.1.
    let chain = Occurrence::Markov {
        fail: 1.0 / 90.0,
        recover: 0.1,
    };
    let outage = |targets: Vec<usize>| Disruption {
        id: "x".into(),
        kind: Kind::SupplierOutage,
        effect: Effect::Capacity {
            suppliers: targets,
            factor: 0.0,
            cancel_orders: false,
        },
        occurrence: chain.clone(),
    };
    let both_down = |disruptions: &[Disruption]| {
        let mut paths = SupplyPaths::new(&suppliers, horizon);
        for j in 0..2 {
            paths.reset(j, &mut rng_for(1, 0, Stream::Supplier(j)));
        }
        for (k, d) in disruptions.iter().enumerate() {
            let mut rng = rng_for(1, 0, Stream::Disruption(k));
            let mut spells = Vec::new();
            d.occurrence.spells(&mut rng, horizon, &mut spells);
            paths.apply(d, &spells, &mut rng);
        }
        let (a, b) = (paths.supplier(0), paths.supplier(1));
        (0..horizon)
            .filter(|&t| a.capacity_factor(t) == 0.0 && b.capacity_factor(t) == 0.0)
            .count() as f64
            / horizon as f64
    };
    let independent = both_down(&[outage(vec![0]), outage(vec![1])]);
    let regional = both_down(&[outage(vec![0, 1])]);
    // Spells of ~100 days make days correlated: ~4,000 independent cycles, so the standard
    // error of a share near 0.1 is about 0.005 and near 0.01 about 0.0016; four of them.
    assert!(
        (independent - 0.01).abs() < 0.0065,
        "independent: {independent}"
    );
    assert!((regional - 0.1).abs() < 0.02, "regional: {regional}");
}

/// Lead times a supplier quotes (fixed 3 days) under one disruption, day by day.
fn lead_times_under(toml_effect: &str, occurrence: &str) -> Vec<u32> {
    let sc = scenario_from(&lean(&format!(
        "[[disruption]]\nid = \"d\"\neffect = {toml_effect}\noccurrence = {occurrence}"
    )));
    let horizon = sc.horizon_days as usize;
    let mut paths = SupplyPaths::new(&sc.suppliers, horizon);
    paths.reset(0, &mut rng_for(1, 0, Stream::Supplier(0)));
    let d = &sc.disruptions[0];
    let mut rng = rng_for(1, 0, Stream::Disruption(0));
    let mut spells = Vec::new();
    d.occurrence.spells(&mut rng, horizon, &mut spells);
    paths.apply(d, &spells, &mut rng);
    (0..horizon)
        .map(|t| paths.supplier(0).shipment(t).lead_time)
        .collect()
}

#[test]
fn transport_delay_holds_shipments_in_transit() {
    let lead = lead_times_under(
        "{ transport_delay = { supplier = \"s\", extra_days = { fixed = 5 } } }",
        "{ scheduled = { start_day = 100, duration_days = 10 } }",
    );
    // Port congestion on days 100–109: a shipment dispatched on day t is in transit on days
    // t … t+2, so those dispatched on days 98–109 meet it and take 5 days more.
    assert_eq!(lead[97], 3);
    assert!(
        lead[98..110].iter().all(|&l| l == 8),
        "{:?}",
        &lead[95..112]
    );
    assert_eq!(lead[110], 3);
    // And a lean item pays for it: the pipeline a base stock of 30 allows cannot carry
    // 10 a day over 8 days.
    let lost = |extra: &str| item(&run(&lean(extra)), 0, 0, Metric::LostUnits).mean;
    assert_eq!(lost(""), 0.0);
    assert!(
        lost(
            "[[disruption]]\nid = \"port\"\neffect = { transport_delay = { supplier = \"s\", extra_days = { fixed = 5 } } }\noccurrence = { scheduled = { start_day = 100, duration_days = 10 } }"
        ) >= 50.0
    );
}

#[test]
fn lead_time_drift_stretches_lead_times() {
    let lead = lead_times_under(
        "{ lead_time_drift = { supplier = \"s\", factor = 2.0 } }",
        "{ scheduled = { start_day = 100, duration_days = 30 } }",
    );
    assert_eq!(lead[99], 3);
    assert!(lead[100..130].iter().all(|&l| l == 6));
    assert_eq!(lead[130], 3);
}

#[test]
fn demand_surge_multiplies_demand_of_its_items_only() {
    let toml = lean(&format!(
        "[[disruption]]\nid = \"promo\"\neffect = {{ demand_surge = {{ items = [\"part\"], factor = {{ fixed = 2.0 }} }} }}\n{DAYS_100_TO_129}"
    ))
    .replace(
        "[policy.lean.rule.base_stock]",
        "[[item]]\nid = \"other\"\nunit_cost = 2\ndemand = { deterministic = 10 }\n\n[policy.lean.rule.base_stock]",
    );
    let summary = run(&toml);
    // Each surge day sells the 10 that arrive and loses the other 10.
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 300.0);
    assert_eq!(item(&summary, 0, 1, Metric::LostUnits).mean, 0.0);
}

#[test]
fn quality_rejection_removes_units_and_they_are_reordered() {
    let summary = run(&lean(&format!(
        "[[disruption]]\nid = \"bad-batch\"\neffect = {{ quality_rejection = {{ supplier = \"s\", probability = 1.0 }} }}\n{DAYS_100_TO_129}"
    )));
    // Everything shipped on days 100–129 fails inspection on arrival (days 103–132): those
    // days lose their demand; the rejected units are re-ordered and the first good shipment
    // lands on day 133.
    assert_eq!(item(&summary, 0, 0, Metric::RejectedUnits).mean, 300.0);
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 300.0);
}

#[test]
fn expediting_cuts_stockouts_and_costs_exactly_its_premium() {
    let outage = format!(
        "[[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"s\" }} }}\n{DAYS_100_TO_129}"
    );
    let toml = lean(&outage).replace(
        "order_up_to = 30\n",
        "order_up_to = 30\n\n[policy.expedited.rule.base_stock]\norder_up_to = 30\n[policy.expedited.expedite]\nlead_time_days = 1\npremium_rate = 0.5\n",
    );
    let summary = run(&toml);
    let lost = |p| item(&summary, p, 0, Metric::LostUnits).mean;
    assert_eq!(lost(0), 300.0);
    assert!(lost(1) < 50.0, "expediting leaves {} units lost", lost(1));
    let units = item(&summary, 1, 0, Metric::ExpeditedUnits).mean;
    assert!(units > 0.0);
    let cost = item(&summary, 1, 0, Metric::ExpediteCost).mean;
    // Premium = units × unit cost (2) × 0.5, per year (the run is one year).
    assert!(
        (cost - units * 2.0 * 0.5).abs() < 1e-9,
        "cost {cost} for {units} units"
    );
    assert_eq!(item(&summary, 0, 0, Metric::ExpediteCost).mean, 0.0);
}

#[test]
fn failover_moves_orders_to_the_backup() {
    let toml = format!(
        r#"
[simulation]
horizon_days = 365
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "primary"
lead_time = {{ fixed = 3 }}

[[supplier]]
id = "backup"
lead_time = {{ fixed = 3 }}
unit_cost_premium = 1.5

[[item]]
id = "part"
unit_cost = 2
demand = {{ deterministic = 10 }}
failover = {{ primary = "primary", backup = "backup", after_days = 5 }}

[[disruption]]
id = "fire"
effect = {{ supplier_outage = {{ supplier = "primary" }} }}
{DAYS_100_TO_129}

[policy.lean.rule.base_stock]
order_up_to = 30
"#
    );
    let summary = run(&toml);
    // Out from day 100; on day 104 (fifth day out) the 30 units waiting at the primary are
    // re-ordered from the backup and land on day 107: days 103–106 lose 40. The backup then
    // gets the daily orders of days 107–129 (230 units): 260 units at a premium of 1.5.
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 40.0);
    assert_eq!(
        item(&summary, 0, 0, Metric::PurchasePremiumCost).mean,
        260.0 * 1.5
    );
}

#[test]
fn strategic_reserve_is_drawn_when_the_shelf_is_empty_and_refilled() {
    let outage = format!(
        "[[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"s\" }} }}\n{DAYS_100_TO_129}"
    );
    let toml = lean(&outage).replace("order_up_to = 30\n", "order_up_to = 30\nreserve_days = 3\n");
    let toml = toml.replace(
        "[policy.lean.rule.base_stock]\norder_up_to = 30\nreserve_days = 3",
        "[policy.lean]\nreserve_days = 3\n[policy.lean.rule.base_stock]\norder_up_to = 30",
    );
    let summary = run(&toml);
    // 30 units in reserve cover days 103–105; the rule keeps ordering to refill it, so the
    // queue released on day 130 refills reserve and shelf at once: 27 days lost.
    assert_eq!(item(&summary, 0, 0, Metric::LostUnits).mean, 270.0);
    // The reserve is stock held: 30 more units on hand on average than without.
    assert!(item(&summary, 0, 0, Metric::AvgOnHandUnits).mean > 25.0);
}

#[test]
fn time_to_recover_and_resilience_split() {
    let summary = run(&lean(&format!(
        "[[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"s\" }} }}\n{DAYS_100_TO_129}"
    )));
    // Event on day 100; the shelf is short from day 103 to 132 and normal again on day 133:
    // 30 days from the first shortfall (the definition of issue 18, item 3; it counted from the
    // event's start before).
    assert_eq!(item(&summary, 0, 0, Metric::TimeToRecover).mean, 30.0);
    let resilience = summary.policies[0].resilience.as_ref().unwrap();
    assert_eq!(resilience.stockout_rate_disrupted_runs.unwrap().n, 2);
    assert!(resilience.stockout_rate_undisrupted_runs.is_none());
}
