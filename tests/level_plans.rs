//! Pre-builds per item and level plans: several windows per policy, windows for some items,
//! and a planner's own dated levels — checked against a deterministic outage counted by hand.
//!
//! The case (see `common::deterministic_outage`): 10 units a day, a fixed lead time of 3
//! days, lost sales, a base stock of 100, and the supplier out from day 100 to day 129. At a
//! base stock S the shelf holds S − 30 (30 units are always in transit); the outage stops
//! receipts from day 103 to day 132, 300 units of demand, so an item loses 300 − (S − 30).
//! At S = 100 that is 230; raised to S = 200 before the outage, 130; to S = 150, 180.

mod common;

use buffersim::model::scenario::Scenario;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;

fn scenario_from(toml: &str) -> Result<Scenario, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).map_err(|e| e.to_string())
}

/// The hand-counted case with a second item, `other`, identical to `part`, and `policy`
/// appended to the base-stock policy `base`.
fn two_items(policy: &str) -> String {
    common::deterministic_outage(100, 30).replace(
        "[[disruption]]",
        "[[item]]\nid = \"other\"\nunit_cost = 2\ndemand = { deterministic = 10 }\n\n\
         [[disruption]]",
    ) + policy
}

fn summary_of(toml: &str) -> Summary {
    let sc = scenario_from(toml).unwrap();
    let outcome = engine::simulate(&sc, sc.runs, sc.seed, &|_| {});
    Summary::new(&sc, &outcome)
}

/// Units lost by each item under the first policy, in item order.
fn lost(summary: &Summary) -> Vec<f64> {
    summary.policies[0]
        .items
        .iter()
        .map(|i| i.metrics[Metric::LostUnits.name()].mean)
        .collect()
}

/// Every figure of item `item` under the first policy, as text, to compare bit for bit.
fn item_figures(summary: &Summary, item: usize) -> String {
    serde_json::to_string(&summary.policies[0].items[item].metrics).unwrap()
}

const PART_WINDOW: &str = "
[[policy.base.prebuild]]
start_day_of_year = 60
end_day_of_year = 130
factor = 2
items = [\"part\"]
";

#[test]
fn a_per_item_pre_build_lifts_that_items_levels_only() {
    let plain = summary_of(&two_items(""));
    assert_eq!(lost(&plain), vec![230.0, 230.0]);
    let raised = summary_of(&two_items(PART_WINDOW));
    assert_eq!(lost(&raised), vec![130.0, 230.0]);
    // The other item is untouched, bit for bit, though the window cuts the policy's stretches.
    assert_eq!(item_figures(&raised, 1), item_figures(&plain, 1));
    assert!(
        raised.policies[0].items[0].metrics[Metric::AvgOnHandUnits.name()].mean
            > plain.policies[0].items[0].metrics[Metric::AvgOnHandUnits.name()].mean
    );
}

#[test]
fn a_window_for_some_items_overrides_the_policys_window_on_its_days() {
    // Every item × 1.5 (S = 150) from day 50 to 140; part × 2 from day 60 to 130; a third
    // window for every item after the outage changes nothing of what is lost.
    let windows = format!(
        "{PART_WINDOW}
[[policy.base.prebuild]]
start_day_of_year = 50
end_day_of_year = 140
factor = 1.5

[[policy.base.prebuild]]
start_day_of_year = 200
end_day_of_year = 250
factor = 3
"
    );
    let summary = summary_of(&two_items(&windows));
    assert_eq!(lost(&summary), vec![130.0, 180.0]);
    let sc = scenario_from(&two_items(&windows)).unwrap();
    let policy = &sc.policies[0];
    assert_eq!(policy.prebuilds.0.len(), 3);
    // Only the item a window names has rules of its own.
    assert_eq!(policy.items[0].by_segment.len(), policy.segments.len());
    assert!(policy.items[1].by_segment.is_empty());
}

#[test]
fn a_dated_level_plan_holds_the_levels_it_gives_and_equals_the_same_window() {
    let plan = "
[[policy.base.plan.part]]
from = 2027-03-02
base_stock = { order_up_to = 200 }

[[policy.base.plan.part]]
from = 2027-05-11
base_stock = { order_up_to = 100 }
";
    let dated = |policy: &str| {
        two_items(policy).replace("[simulation]\n", "[simulation]\nstart_date = 2027-01-01\n")
    };
    let planned = summary_of(&dated(plan));
    assert_eq!(lost(&planned), vec![130.0, 230.0]);
    // 2 March is day 60 and 11 May day 130: the plan gives the levels the window does, so
    // every figure is the same, bit for bit.
    let window = summary_of(&dated(PART_WINDOW));
    assert_eq!(item_figures(&planned, 0), item_figures(&window, 0));
    assert_eq!(item_figures(&planned, 1), item_figures(&window, 1));

    let sc = scenario_from(&dated(plan)).unwrap();
    let levels = &sc.policies[0].items[0].sizing.plan;
    let spans: Vec<(u32, u32, Option<f64>)> = levels
        .iter()
        .map(|l| (l.start_day, l.end_day, l.order_up_to))
        .collect();
    assert_eq!(spans, vec![(60, 130, Some(200.0)), (130, 365, Some(100.0))]);
    assert!(sc.policies[0].items[1].sizing.plan.is_empty());
}

#[test]
fn a_plan_from_day_0_holds_until_its_next_entry() {
    // From day 0 the base stock is 60 (30 on the shelf), so the outage would lose
    // 300 − 30 = 270; raised to 330 from day 95, 300 are on the shelf when it starts and
    // nothing is lost. Raised only after the outage, from day 200, the 270 are lost.
    let plan = "
[[policy.base.plan.part]]
from = 0
base_stock = { order_up_to = 60 }

[[policy.base.plan.part]]
from = 95
base_stock = { order_up_to = 330 }
";
    assert_eq!(lost(&summary_of(&two_items(plan))), vec![0.0, 230.0]);
    let early = plan.replace("from = 95", "from = 200");
    assert_eq!(lost(&summary_of(&two_items(&early))), vec![270.0, 230.0]);
}

#[test]
fn items_stepped_together_follow_their_own_windows_too() {
    // A shared capacity far above demand steps both items together; nothing else changes.
    let shared = |policy: &str| {
        two_items(policy).replace(
            "lead_time = { fixed = 3 }",
            "lead_time = { fixed = 3 }\ncapacity_per_day = 1000",
        )
    };
    assert_eq!(lost(&summary_of(&shared(PART_WINDOW))), vec![130.0, 230.0]);
    let plan = "
[[policy.base.plan.other]]
from = 60
base_stock = { order_up_to = 150 }
";
    assert_eq!(lost(&summary_of(&shared(plan))), vec![230.0, 180.0]);
}

#[test]
fn windows_and_plans_that_cannot_hold_are_refused_with_their_field() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "[[policy.base.prebuild]]\nstart_day_of_year = 10\nend_day_of_year = 40\nfactor = 2\n\
             [[policy.base.prebuild]]\nstart_day_of_year = 30\nend_day_of_year = 50\nfactor = 3\n",
            "policy.base.prebuild[1].start_day_of_year",
            "policy.base.prebuild[0] both raise the levels of every item on day 30",
        ),
        (
            "[[policy.base.prebuild]]\nstart_day_of_year = 10\nend_day_of_year = 40\nfactor = 2\n\
             items = [\"part\", \"nope\"]\n",
            "policy.base.prebuild[0].items[1]",
            "no item has id 'nope'",
        ),
        (
            "[policy.base.prebuild]\nstart_day_of_year = 10\nend_day_of_year = 40\nfactor = 2\n\
             items = []\n",
            "policy.base.prebuild.items",
            "leave items out for every item",
        ),
        (
            "[[policy.base.plan.nope]]\nfrom = 3\nbase_stock = { order_up_to = 10 }\n",
            "policy.base.plan.nope",
            "no item has id 'nope'",
        ),
        (
            "[[policy.base.plan.part]]\nfrom = 365\nbase_stock = { order_up_to = 10 }\n",
            "policy.base.plan.part[0].from",
            "to 364, the last of the horizon (got 365)",
        ),
        (
            "[[policy.base.plan.part]]\nfrom = 30\nbase_stock = { order_up_to = 10 }\n\
             [[policy.base.plan.part]]\nfrom = 30\nbase_stock = { order_up_to = 20 }\n",
            "policy.base.plan.part[1].from",
            "must start after the entry before it (day 30)",
        ),
        (
            "[[policy.base.plan.part]]\nfrom = 30\nmin_max = { min = 10, max = 20 }\n",
            "policy.base.plan.part[0].min_max",
            "follows a base_stock rule under this policy",
        ),
    ];
    for (policy, field, message) in cases {
        let err = scenario_from(&two_items(policy)).unwrap_err();
        assert!(
            err.contains(field) && err.contains(message),
            "{policy}\n→ {err}"
        );
    }
    // A plan entry with no rule, or a rule mistyped, is a format error naming it.
    for (entry, message) in [
        ("from = 30\n", "needs the item's rule"),
        ("from = 30\nbase_stok = { order_up_to = 10 }\n", "base_stok"),
        ("base_stock = { order_up_to = 10 }\n", "from"),
    ] {
        let policy = format!("[[policy.base.plan.part]]\n{entry}");
        let err = scenario_from(&two_items(&policy)).unwrap_err();
        assert!(err.contains(message), "{entry}\n→ {err}");
    }
}
