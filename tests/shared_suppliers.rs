//! Shared suppliers, joint orders and budgets (issue 19): items that share a supplier's
//! capacity, a value minimum, order days or a delivery cost, or a purchase budget are simulated
//! together, day by day. Each case here is small and deterministic, so that its figures follow
//! by hand: the derivation is in the test's comment and the expected numbers are exact
//! (compared within 1e-9, for float noise only). The summary's figures come from
//! `buffersim run`; the day-by-day paths from the library's trace of run 0.
//!
//! Conventions of every case (README, Event order): day t receives what was shipped on day
//! t − 1 (lead time 1), then serves its demand, then reviews; a line ships the day it is
//! placed when nothing waits at the supplier and the day's capacity covers the day's lines,
//! else it queues and the day's dispatch shares the capacity by the allocation rule. With
//! `periodic_review` every day and order-up-to S the day's line is S − (on hand + queued + in
//! transit) after the day's demand.

use std::path::Path;

use assert_cmd::Command;
use buffersim::analysis::trace::{Pick, Request, trace};
use buffersim::model::scenario::Scenario;
use buffersim::simulation::trace::TraceDay;
use serde_json::Value;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// `a` and `b` equal within float noise.
fn assert_close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-9, "{what}: got {a}, expected {b}");
}

/// The `[simulation]` table of a single deterministic run with lost sales.
fn simulation(horizon_days: u32) -> String {
    format!(
        "[simulation]\nhorizon_days = {horizon_days}\nruns = 1\nseed = 1\nunmet_demand = \"lost\"\n"
    )
}

/// An item with a deterministic demand and a given opening stock.
fn item(id: &str, unit_cost: f64, initial_on_hand: f64, demand: f64, extra: &str) -> String {
    format!(
        "[[item]]\nid = \"{id}\"\nunit_cost = {unit_cost}\ninitial_on_hand = {initial_on_hand}\n\
         demand = {{ deterministic = {demand} }}\n{extra}\n"
    )
}

/// One policy `daily`: every item orders up to `order_up_to` every day.
fn daily_up_to(order_up_to: u32) -> String {
    format!(
        "[policy.daily.rule.periodic_review]\nreview_period_days = 1\norder_up_to = {order_up_to}\n"
    )
}

/// `buffersim run` on the scenario `text` (with `args`) in a fresh folder; its summary.json.
fn run_with(text: &str, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    buffersim()
        .arg("run")
        .arg(&path)
        .args(args)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn run(text: &str) -> Value {
    run_with(text, &[])
}

/// The mean of an item's metric under a policy in a summary.json.
fn item_metric(summary: &Value, policy: &str, item: &str, metric: &str) -> f64 {
    let policy = summary["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["policy"] == policy)
        .unwrap_or_else(|| panic!("no policy {policy}"));
    let item = policy["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == item)
        .unwrap_or_else(|| panic!("no item {item}"));
    item["metrics"][metric]["mean"]
        .as_f64()
        .unwrap_or_else(|| panic!("{metric}: {}", item["metrics"][metric]))
}

/// Run 0 of the scenario `text` under its first policy, day by day: each item's days, in
/// scenario order.
fn days(text: &str) -> Vec<Vec<TraceDay>> {
    let scenario = Scenario::from_source(text, Path::new("shared.toml")).unwrap();
    let request = Request {
        policy: 0,
        item: None,
        pick: Pick::Run(0),
        runs: scenario.runs,
        seed: scenario.seed,
    };
    let traces = trace(&scenario, &request, &|_| {}).unwrap();
    traces.traced[0]
        .items
        .iter()
        .map(|i| i.days.clone())
        .collect()
}

/// A column of one item's days.
fn col(days: &[TraceDay], f: impl Fn(&TraceDay) -> f64) -> Vec<f64> {
    days.iter().map(f).collect()
}

/// The days on which an item placed an order line.
fn order_days_of(days: &[TraceDay]) -> Vec<usize> {
    days.iter()
        .filter(|d| d.order_lines > 0)
        .map(|d| d.day)
        .collect()
}

/// The worked example of the issue: one supplier `maker` (lead time 1, 12 units a day shared
/// by two items), items `a` and `b` at unit cost 1 with no opening stock and a demand of 10 a
/// day each, lost sales, every item ordering up to 10 every day, over 10 days.
fn worked_example(allocation: &str) -> String {
    format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\ncapacity_per_day = 12\n\
         {allocation}\n\n{}{}{}",
        simulation(10),
        item("a", 1.0, 0.0, 10.0, ""),
        item("b", 1.0, 0.0, 10.0, ""),
        daily_up_to(10)
    )
}

/// Units short of each item (lost sales) in the summary and day by day.
fn assert_short(text: &str, expected: [(&str, f64, &[f64]); 2]) {
    let summary = run(text);
    let traced = days(text);
    for (k, (id, total, by_day)) in expected.into_iter().enumerate() {
        let demand = 10.0 * traced[k].len() as f64;
        assert_close(
            item_metric(&summary, "daily", id, "lost_units"),
            total,
            &format!("{id}: units short"),
        );
        assert_close(
            item_metric(&summary, "daily", id, "stockout_rate") * demand,
            total,
            &format!("{id}: stockout rate × demand"),
        );
        assert_eq!(col(&traced[k], |d| d.lost), by_day, "{id}: short by day");
    }
}

/// The worked example under the three rules.
///
/// Every day both items want 10 and the supplier ships 12.
/// - fifo: day 0 queues a 10 and b 10 (20 > 12); a's line comes first in file order, so a
///   ships 10 and b 2; both lose 10 on day 0. Day 1 receives a 10, b 2: a loses 0, b 8; a
///   orders 10 (position 0), b 2 (position 8 still queued). The queue holds b 8 (day 0), then
///   a 10 and b 2 (day 1): b 8 ships first, then a 4. Day 2 receives a 4, b 8: a loses 6, b 2;
///   a orders 4 (6 queued), b 8 (2 queued); the queue a 6 and b 2 (day 1), a 4 and b 8 (day 2)
///   ships a 6, b 2, a 4, leaving b 8 of day 2 — the state of the end of day 0 with the items'
///   roles in the cycle: from day 1, odd days a 0 / b 8 short, even days a 6 / b 2.
///   a: 10 + 4 × 6 = 34; b: 10 + 5 × 8 + 4 × 2 = 58.
/// - proportional: day 0 ships 12 × 10/20 = 6 each; from then on each item receives 6, loses
///   4, orders back to 10 (4 queued + 6) and the queue (10 each) ships 6 each again.
///   a = b = 10 + 9 × 4 = 46.
/// - priority b first: b is always served in full (10), a gets the 2 left: b loses 10 on day 0
///   only; a receives 2 and loses 8 every day after day 0 (its queue 8 + its new line 2 = 10).
///   a = 10 + 9 × 8 = 82, b = 10.
#[test]
fn the_worked_example_shares_a_short_capacity_by_each_rule() {
    let cycle = |odd: f64, even: f64| -> Vec<f64> {
        (0..10)
            .map(|t| match t {
                0 => 10.0,
                t if t % 2 == 1 => odd,
                _ => even,
            })
            .collect()
    };
    let after_day_0 = |v: f64| cycle(v, v);
    assert_short(
        &worked_example(""),
        [("a", 34.0, &cycle(0.0, 6.0)), ("b", 58.0, &cycle(8.0, 2.0))],
    );
    assert_short(
        &worked_example("allocation = \"fifo\""),
        [("a", 34.0, &cycle(0.0, 6.0)), ("b", 58.0, &cycle(8.0, 2.0))],
    );
    assert_short(
        &worked_example("allocation = \"proportional\""),
        [("a", 46.0, &after_day_0(4.0)), ("b", 46.0, &after_day_0(4.0))],
    );
    assert_short(
        &worked_example("allocation = \"priority\"\npriority = [\"b\", \"a\"]"),
        [("a", 82.0, &after_day_0(8.0)), ("b", 10.0, &after_day_0(0.0))],
    );
}
