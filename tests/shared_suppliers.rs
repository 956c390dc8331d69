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

/// `buffersim run` on the scenario `text` in a fresh folder; its summary.json.
fn run(text: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    buffersim()
        .arg("run")
        .arg(&path)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
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
        let demand: f64 = traced[k].iter().map(|d| d.demand).sum();
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

/// Units short on days 0–9: 10 on day 0 (nothing on hand, nothing on order), then `odd` on
/// odd days and `even` on even days.
fn cycle(odd: f64, even: f64) -> Vec<f64> {
    (0..10)
        .map(|t| match t {
            0 => 10.0,
            t if t % 2 == 1 => odd,
            _ => even,
        })
        .collect()
}

/// The worked example under the three rules.
///
/// Every day both items want 10 and the supplier ships 12.
/// - fifo: day 0 queues a 10 and b 10 (20 > 12); a's line comes first in file order, so a
///   ships 10 and b 2; both lose 10 on day 0. Day 1 receives a 10, b 2: a loses 0, b 8; a
///   orders 10 (position 0), b 2 (position 8 still queued). The queue holds b 8 (day 0), then
///   a 10 and b 2 (day 1): b 8 ships first, then a 4. Day 2 receives a 4, b 8: a loses 6, b 2;
///   a orders 4 (6 queued), b 8 (2 queued); the queue a 6 and b 2 (day 1), a 4 and b 8 (day 2)
///   ships a 6, b 2, a 4, leaving b 8 of day 2 waiting — as at the end of day 0, so the two
///   days repeat: from day 1, odd days a 0 / b 8 short, even days a 6 / b 2.
///   a: 10 + 4 × 6 = 34; b: 10 + 5 × 8 + 4 × 2 = 58.
/// - proportional: day 0 ships 12 × 10/20 = 6 each; from then on each item receives 6, loses
///   4, orders back to 10 (4 queued + 6) and the queue (10 each) ships 6 each again.
///   a = b = 10 + 9 × 4 = 46.
/// - priority b first: b is always served in full (10), a gets the 2 left: b loses 10 on day 0
///   only; a receives 2 and loses 8 every day after day 0 (its queue 8 + its new line 2 = 10).
///   a = 10 + 9 × 8 = 82, b = 10.
#[test]
fn the_worked_example_shares_a_short_capacity_by_each_rule() {
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
        [
            ("a", 46.0, &after_day_0(4.0)),
            ("b", 46.0, &after_day_0(4.0)),
        ],
    );
    assert_short(
        &worked_example("allocation = \"priority\"\npriority = [\"b\", \"a\"]"),
        [
            ("a", 82.0, &after_day_0(8.0)),
            ("b", 10.0, &after_day_0(0.0)),
        ],
    );
}

/// (1) A guaranteed share: the worked example under fifo with half of the 12 units reserved for
/// `b` (6 a day, shipped from b's own queue first), then a quarter (3 a day).
///
/// - b = 0.5: day 0 ships b 6 (its share), then fifo gives the 6 left to a (oldest line, first
///   in file order): a 6, b 6. Every later day each item receives 6, loses 4 and orders 6 (4
///   still queued); b's share ships its 4 of yesterday and 2 of today, fifo then ships a's 4 of
///   yesterday and 2 of today: 6 each again. a = b = 10 + 9 × 4 = 46.
/// - b = 0.25: day 0 ships b 3, then a 9 (fifo), leaving a 1, b 7 queued. Day 1 receives a 9,
///   b 3: a loses 1, b 7; a orders 9, b 3. b's share ships 3 of its day-0 7; fifo ships the
///   day-0 lines a 1, b 4, then 4 of a's day-1 9: a 5 and b 7 shipped, a 5 and b 3 queued.
///   Day 2 receives a 5, b 7: a loses 5, b 3; a orders 5, b 7; b's share ships its day-1 3,
///   fifo a's day-1 5 and 4 of a's day-2 5: a 9, b 3 shipped, a 1 and b 7 queued — the end of
///   day 0 again. From day 1: odd days a 1 / b 7 short, even days a 5 / b 3.
///   a = 10 + 5 × 1 + 4 × 5 = 35; b = 10 + 5 × 7 + 4 × 3 = 57.
/// - b = 0.5 with b's demand 4 a day: day 0 ships b 6 and a 6 (both lose all: a 10, b 4).
///   Days 1 and 2 b's share ships 6 of b's queue, oldest first, and a gets the other 6; b
///   keeps 2 then 4 on hand, a loses 4 a day. From day 3 b orders only 4 a day (its 4
///   on hand + 2 queued, then nothing queued): its share leaves 2 unused, which go to a: a
///   ships 8 on day 3 and every day after, receives 8 from day 4 and loses 2 a day.
///   a = 10 + 3 × 4 + 6 × 2 = 34; b = 4.
#[test]
fn a_guaranteed_share_ships_first_and_the_rest_goes_by_the_rule() {
    let with_share = |share: &str| {
        worked_example(&format!(
            "allocation = \"fifo\"\nguaranteed_share = {{ b = {share} }}"
        ))
    };
    assert_short(
        &with_share("0.5"),
        [("a", 46.0, &cycle(4.0, 4.0)), ("b", 46.0, &cycle(4.0, 4.0))],
    );
    assert_short(
        &with_share("0.25"),
        [("a", 35.0, &cycle(1.0, 5.0)), ("b", 57.0, &cycle(7.0, 3.0))],
    );
    // What b's reservation does not need goes to a.
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\ncapacity_per_day = 12\n\
         guaranteed_share = {{ b = 0.5 }}\n\n{}{}{}",
        simulation(10),
        item("a", 1.0, 0.0, 10.0, ""),
        item("b", 1.0, 0.0, 4.0, ""),
        daily_up_to(10)
    );
    assert_short(
        &text,
        [
            (
                "a",
                34.0,
                &[10.0, 4.0, 4.0, 4.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
            ),
            (
                "b",
                4.0,
                &[4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            ),
        ],
    );
}

/// The worked example with a capacity in value: 24 a day, `a` at unit cost 2 and `b` at 1, so
/// that a unit of a takes twice the capacity of a unit of b.
fn in_value(allocation: &str) -> String {
    format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\
         capacity_value_per_day = 24\n{allocation}\n\n{}{}{}",
        simulation(10),
        item("a", 2.0, 0.0, 10.0, ""),
        item("b", 1.0, 0.0, 10.0, ""),
        daily_up_to(10)
    )
}

/// (2) A capacity in value (24 a day; a is worth 2, b 1; both want 10 units, worth 30).
///
/// - fifo: day 0 ships a 10 (worth 20), then b 4 (the 4 left). Day 1 receives a 10, b 4: b
///   loses 6; a orders 10, b 4; b's 6 of day 0 ship first (6), then 9 of a's 10 (18). Day 2
///   receives a 9, b 6: a loses 1, b 4; a orders 9, b 6; the day-1 lines a 1 (2) and b 4 (4)
///   ship, then a's 9 (18): b's 6 of day 2 wait — the end of day 0 again. From day 1: odd days
///   a 0 / b 6 short, even days a 1 / b 4. a = 10 + 4 × 1 = 14; b = 10 + 5 × 6 + 4 × 4 = 56.
///   (In units, 24 a day would cover both items' 20.)
/// - proportional, by value: day 0 a's 20 and b's 10 of the 30 waiting share 24: a 16 (8
///   units), b 8 (8 units). Every later day each loses 2, orders 8 (2 queued), and the queue
///   (10 units each) ships 8 units each again. a = b = 10 + 9 × 2 = 28.
/// - priority b first: b ships its 10 (10), a 7 units (14) of what is left: a loses 3 every day
///   after day 0 (3 queued + 7 ordered = 10, of which 7 ship). a = 10 + 9 × 3 = 37, b = 10.
#[test]
fn a_capacity_in_value_counts_each_unit_at_its_price() {
    assert_short(
        &in_value(""),
        [("a", 14.0, &cycle(0.0, 1.0)), ("b", 56.0, &cycle(6.0, 4.0))],
    );
    assert_short(
        &in_value("allocation = \"proportional\""),
        [("a", 28.0, &cycle(2.0, 2.0)), ("b", 28.0, &cycle(2.0, 2.0))],
    );
    assert_short(
        &in_value("allocation = \"priority\"\npriority = [\"b\", \"a\"]"),
        [("a", 37.0, &cycle(3.0, 3.0)), ("b", 10.0, &cycle(0.0, 0.0))],
    );
}

/// Two items of one supplier with a value minimum (lead time 1, no capacity limit), over 20
/// days: `a` worth 2 with a demand of 10 a day, `b` worth 1 with 5 a day, both starting with
/// 50 on hand, under one (s, S) rule: reorder point 20, order-up-to 50, reviewed daily.
fn value_minimum(supplier_extra: &str) -> String {
    format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n{supplier_extra}\n\n{}{}\
         [policy.ss.rule.s_s]\nreorder_point = 20\norder_up_to = 50\n",
        simulation(20),
        item("a", 2.0, 50.0, 10.0, ""),
        item("b", 1.0, 50.0, 5.0, "")
    )
}

/// (3) A value minimum forcing joint orders. Orders arrive the next morning, so no demand is
/// ever lost; what changes is when and how much each item orders.
///
/// - No minimum: a falls to 20 every third day from day 2 (50 − 3 × 10) and orders 30 on days
///   2, 5, 8, 11, 14, 17; b falls to 20 on day 5 (50 − 6 × 5) and orders 30 on days 5, 11, 17.
/// - Minimum 70: a's line of day 2 (30 units, worth 60) is short of it; b is topped up toward
///   its order-up-to level: its position 35 gives a line of 15 (15): 75 ≥ 70. b is back at 50
///   every time a orders, so every order is a 30 + b 15, on a's days: 6 lines each, a 180
///   units, b 90.
/// - Minimum 100: the top-up gives 75 < 100, so both lines are raised by 100/75: a 40, b 20.
///   a's position is then 60 and reaches 20 four days later: orders on days 2, 6, 10, 14, 18,
///   each a 40 + b 20 (b at 35 each time): 5 lines each, a 200 units, b 100.
/// - Minimum 100 and an order multiple of 10: day 2, b's top-up of 15 is rounded to 20, 80 <
///   100, raised by 1.25: a 37.5 → 40, b 25 → 30 (worth 110). Day 6: a 30 (a at 60 − 40),
///   b's top-up 5 → 10 (b at 65 − 20 = 45), 70 < 100, raised by 10/7: a 42.9 → 50, b 14.3 →
///   20. Day 11: a at 70 − 50 = 20 orders 30, b at 65 − 25 = 40 tops up 10: raised again to
///   a 50, b 20. Day 16: a at 20 orders 30, b at 60 − 25 = 35 tops up 15 → 20: raised to a
///   40, b 30. 4 lines each: a 40 + 50 + 50 + 40 = 180 units, b 30 + 20 + 20 + 30 = 100.
#[test]
fn a_value_minimum_tops_the_other_items_up_and_then_raises_every_line() {
    let per_year = |lines: f64| lines * 365.0 / 20.0;
    for (extra, a_days, b_days, a_units, b_units) in [
        (
            "",
            vec![2, 5, 8, 11, 14, 17],
            vec![5, 11, 17],
            vec![30.0; 6],
            vec![30.0; 3],
        ),
        (
            "min_order_value = 70",
            vec![2, 5, 8, 11, 14, 17],
            vec![2, 5, 8, 11, 14, 17],
            vec![30.0; 6],
            vec![15.0; 6],
        ),
        (
            "min_order_value = 100",
            vec![2, 6, 10, 14, 18],
            vec![2, 6, 10, 14, 18],
            vec![40.0; 5],
            vec![20.0; 5],
        ),
        (
            "min_order_value = 100\norder_multiple = 10",
            vec![2, 6, 11, 16],
            vec![2, 6, 11, 16],
            vec![40.0, 50.0, 50.0, 40.0],
            vec![30.0, 20.0, 20.0, 30.0],
        ),
    ] {
        let text = value_minimum(extra);
        let summary = run(&text);
        let traced = days(&text);
        for (k, (id, when, units)) in [("a", &a_days, &a_units), ("b", &b_days, &b_units)]
            .into_iter()
            .enumerate()
        {
            let what = format!("{extra:?}, {id}");
            assert_eq!(&order_days_of(&traced[k]), when, "{what}: order days");
            let ordered: Vec<f64> = when.iter().map(|&t| traced[k][t].ordered).collect();
            assert_eq!(&ordered, units, "{what}: units ordered");
            assert_close(
                item_metric(&summary, "ss", id, "orders_per_year"),
                per_year(when.len() as f64),
                &format!("{what}: orders per year"),
            );
            assert_close(
                item_metric(&summary, "ss", id, "lost_units"),
                0.0,
                &format!("{what}: nothing short"),
            );
        }
    }
}

/// One item bought from a supplier that takes orders only on some days: demand 10 a day, 30 on
/// hand, lead time 1, ordering up to 30 every day, over four weeks (day 0 is a Monday).
fn order_days_scenario(supplier_extra: &str) -> String {
    format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n{supplier_extra}\n\n{}{}",
        simulation(28),
        item("a", 1.0, 30.0, 10.0, ""),
        daily_up_to(30)
    )
}

/// (4) Order days.
///
/// - Mondays and Thursdays (days 0, 3, 7, 10, 14, 17, 21, 24): day 0 orders 10 (back to 30);
///   the lines of days 1 and 2 are not placed; day 3 finds the shelf empty and orders 30,
///   which lasts Friday to Sunday; Monday's demand finds nothing (10 short), and Monday orders
///   30 again, which lasts to Thursday. Short 10 on days 7, 14, 21: 30 units, 8 lines.
/// - Every 4 days (days 0, 4, …, 24): after day 0's 10, each order of 30 lasts three days and
///   the fourth is short: 10 short on days 4, 8, 12, 16, 20, 24 (60 units), 7 lines.
#[test]
fn order_days_hold_every_line_to_the_next_day_the_supplier_takes_orders() {
    for (extra, lines, short_days) in [
        (
            "order_days = [\"mon\", \"thu\"]",
            vec![0, 3, 7, 10, 14, 17, 21, 24],
            vec![7, 14, 21],
        ),
        (
            "order_cycle_days = 4",
            vec![0, 4, 8, 12, 16, 20, 24],
            vec![4, 8, 12, 16, 20, 24],
        ),
    ] {
        let text = order_days_scenario(extra);
        let summary = run(&text);
        let traced = &days(&text)[0];
        assert_eq!(order_days_of(traced), lines, "{extra}: order days");
        let short: Vec<usize> = traced
            .iter()
            .filter(|d| d.lost > 0.0)
            .map(|d| d.day)
            .collect();
        assert_eq!(short, short_days, "{extra}: days short");
        assert_close(
            item_metric(&summary, "daily", "a", "lost_units"),
            10.0 * short_days.len() as f64,
            &format!("{extra}: units short"),
        );
        assert_close(
            item_metric(&summary, "daily", "a", "orders_per_year"),
            lines.len() as f64 * 365.0 / 28.0,
            &format!("{extra}: orders per year"),
        );
    }
}

/// (5) A delivery cost of 40 per order, shared by the lines' value: `a` (worth 3, order cost 5
/// a line) orders 10 every day; `b` (worth 1, order cost 2 a line) is reviewed every other day
/// and orders 10 on day 0 (40 − 30 after the day's demand), then 20. Over 10 days:
/// - day 0: a 30 of 40 → 30, b 10 of 40 → 10;
/// - odd days: a alone → 40;
/// - days 2, 4, 6, 8: a 30 of 50 → 24, b 20 of 50 → 16.
///
/// a: 30 + 5 × 40 + 4 × 24 = 326 of delivery cost and 10 × 5 of order cost = 376 in 10 days,
/// 376 × 36.5 = 13,724 a year; b: 10 + 4 × 16 = 74 and 5 × 2 = 84, 3,066 a year. The ten
/// deliveries' 400 are all charged.
#[test]
fn a_delivery_cost_is_shared_by_the_value_of_the_days_lines() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\ndelivery_cost = 40\n\n{}{}{}\
         [policy.daily.items.b.periodic_review]\nreview_period_days = 2\norder_up_to = 40\n",
        simulation(10),
        item("a", 3.0, 20.0, 10.0, "order_cost = 5"),
        item("b", 1.0, 40.0, 10.0, "order_cost = 2"),
        daily_up_to(20)
    );
    let summary = run(&text);
    let traced = days(&text);
    assert_eq!(order_days_of(&traced[0]), (0..10).collect::<Vec<_>>());
    assert_eq!(order_days_of(&traced[1]), [0, 2, 4, 6, 8]);
    assert_close(
        item_metric(&summary, "daily", "a", "ordering_cost"),
        13_724.0,
        "a: ordering cost",
    );
    assert_close(
        item_metric(&summary, "daily", "b", "ordering_cost"),
        3_066.0,
        "b: ordering cost",
    );
    assert_close(
        item_metric(&summary, "daily", "a", "lost_units")
            + item_metric(&summary, "daily", "b", "lost_units"),
        0.0,
        "nothing short",
    );
}

/// Two items of one supplier under a weekly purchase budget (lead time 1, no capacity limit),
/// over four weeks: `a` worth 2 and `b` worth 1, each with 10 on hand and a demand of 10 a day,
/// ordering up to 10 every day — 30 of spending a day when nothing is held back.
fn weekly_budget(amount: u32, when_exceeded: &str, supplier_extra: &str) -> String {
    format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n{supplier_extra}\n\n\
         [[budget]]\nid = \"weekly\"\namount = {amount}\nperiod = \"week\"\n\
         when_exceeded = \"{when_exceeded}\"\n\n{}{}{}",
        simulation(28),
        item("a", 2.0, 10.0, 10.0, ""),
        item("b", 1.0, 10.0, 10.0, ""),
        daily_up_to(10)
    )
}

/// (6) A weekly budget binding on known days (weeks are days 0–6, 7–13, …; a's line is taken
/// before b's).
///
/// - 160 a week, wait: days 0–4 spend 150, leaving 10. Day 5: a's 20 does not fit and waits;
///   b's 10 does. Day 6: a runs out (10 short), both lines wait (nothing left). Day 7, a new
///   week: a is short again (nothing ordered on day 6) and so is b (its day-6 line waited);
///   both order. Each week repeats it: a short on days 6, 7, 13, 14, 20, 21, 27 (70), b on
///   days 7, 14, 21 (30); a's lines on days 0–4, 7–11, 14–18, 21–25 (20), b's also on days
///   5, 12, 19 and 26 (24). The budget held a line back on days 5, 6, 12, 13, 19, 20, 26, 27.
/// - 165 a week, trim: day 5 has 15 left: a's line is cut to 7 whole units (14), b's to the
///   1 left. Day 6: a receives 7 (3 short), b 1 (9 short); both lines are cut to nothing. Day
///   7: both short 10, and the week starts again. a: 4 × 3 + 3 × 10 = 42 short, b: 4 × 9 + 3
///   × 10 = 66; lines on days 0–5 of each week (24 each).
/// - 160 a week, wait, and a value minimum of 30: day 5 the budget lets only b's 10 through,
///   which is below the minimum, so nothing is ordered (and nothing spent); day 6 again. Both
///   items are short on days 6, 7, 13, 14, 20, 21, 27 (70 each), lines on days 0–4 of each
///   week (20 each).
#[test]
fn a_weekly_budget_holds_back_or_trims_the_lines_that_do_not_fit() {
    let weeks = |days: &[usize]| -> Vec<usize> {
        (0..4)
            .flat_map(|w| days.iter().map(move |d| 7 * w + d))
            .filter(|&d| d < 28)
            .collect()
    };
    let summary_short = |text: &str, a: f64, b: f64| {
        let summary = run(text);
        for (id, short) in [("a", a), ("b", b)] {
            assert_close(
                item_metric(&summary, "daily", id, "lost_units"),
                short,
                &format!("{id}: units short"),
            );
        }
    };

    let text = weekly_budget(160, "wait", "");
    summary_short(&text, 70.0, 30.0);
    let traced = days(&text);
    let short_days = |d: &[TraceDay]| -> Vec<usize> {
        d.iter().filter(|d| d.lost > 0.0).map(|d| d.day).collect()
    };
    assert_eq!(short_days(&traced[0]), weeks(&[6, 7]));
    assert_eq!(short_days(&traced[1]), weeks(&[7]));
    assert!(
        traced
            .iter()
            .flatten()
            .all(|d| d.lost == 0.0 || d.lost == 10.0)
    );
    assert_eq!(order_days_of(&traced[0]), weeks(&[0, 1, 2, 3, 4]));
    assert_eq!(order_days_of(&traced[1]), weeks(&[0, 1, 2, 3, 4, 5]));
    // The days the budget bound: a's line (its position calls for one every day) was held.
    let held: Vec<usize> = (0..28).filter(|t| traced[0][*t].order_lines == 0).collect();
    assert_eq!(held, weeks(&[5, 6]));

    let text = weekly_budget(165, "trim", "");
    summary_short(&text, 42.0, 66.0);
    let traced = days(&text);
    for (k, (cut, short)) in [(7.0, 3.0), (1.0, 9.0)].into_iter().enumerate() {
        assert_eq!(order_days_of(&traced[k]), weeks(&[0, 1, 2, 3, 4, 5]));
        for t in weeks(&[5]) {
            assert_eq!(traced[k][t].ordered, cut, "item {k}, day {t}: line cut");
            assert_eq!(
                traced[k][t + 1].lost,
                short,
                "item {k}, day {}: short",
                t + 1
            );
        }
    }

    let text = weekly_budget(160, "wait", "min_order_value = 30");
    summary_short(&text, 70.0, 70.0);
    let traced = days(&text);
    for d in &traced {
        assert_eq!(short_days(d), weeks(&[6, 7]));
        assert_eq!(order_days_of(d), weeks(&[0, 1, 2, 3, 4]));
    }
}

/// A monthly budget follows the calendar from `start_day_of_year`: starting on 29 January
/// (day 28 of the year), January has days 0–2 of the run and February starts on day 3. One
/// item worth 1, a demand of 10 a day, 10 on hand, ordering up to 10 daily, 25 a month:
/// January places days 0 and 1 (20) and holds day 2's line (5 left); February's first day
/// finds the shelf empty (10 short) and places 10, day 4 another 10, and from day 5 the 5 left
/// hold every line: short on days 3, 6, 7, 8, 9 (50), lines on days 0, 1, 3, 4.
#[test]
fn a_monthly_budget_renews_on_the_first_of_each_calendar_month() {
    let text = format!(
        "{}start_day_of_year = 28\n\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\n\
         [[budget]]\nid = \"monthly\"\namount = 25\nperiod = \"month\"\n\n{}{}",
        simulation(10),
        item("a", 1.0, 10.0, 10.0, ""),
        daily_up_to(10)
    );
    let summary = run(&text);
    assert_close(
        item_metric(&summary, "daily", "a", "lost_units"),
        50.0,
        "units short",
    );
    let traced = &days(&text)[0];
    assert_eq!(order_days_of(traced), [0, 1, 3, 4]);
    assert_eq!(
        col(traced, |d| d.lost),
        [0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 10.0, 10.0, 10.0, 10.0]
    );
}

/// (7) An outage of a shared supplier and the backlog after it, under fifo. Two items worth 1,
/// 20 on hand, a demand of 10 a day each, ordering up to 20 every day; the supplier ships 25 a
/// day (lead time 1) and is out on days 3–5.
///
/// Until day 2 each item receives 10 and orders 10 a day, ending each day with 10 on hand.
/// Days 3 and 4: the lines (10 each a day) queue; day 4 receives nothing and ends with 0; day
/// 5 is 10 short and orders nothing (20 queued). Day 6, the outage over: 10 short again, no
/// order; the queue — a 10, b 10 of day 3, a 10, b 10 of day 4 — ships oldest first: day 3's
/// 20, then 5 of a's day-4 line. Day 7 receives a 15, b 10: a ends with 5, b with 0; each
/// orders 10 (a: 5 on hand + 5 queued; b: 10 queued); the queue a 5, b 10 (day 4), a 10, b 10
/// (day 7) ships a 5, b 10, a 10. Day 8 receives a 15, b 10 (a ends with 10, b with 0); each
/// orders 10; b's day-7 10 ships, then a 10 and b 5 of day 8. Day 9 receives a 10, b 15: b
/// ends with 5 and orders 10 (5 queued), and the queue (b 5, a 10, b 10) ships in full. Day 10
/// receives b 15 and both are back to 10 on hand: nothing is short after day 6.
/// Short: a 20, b 20, on days 5 and 6.
#[test]
fn after_an_outage_a_shared_supplier_ships_its_backlog_oldest_first() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\ncapacity_per_day = 25\n\n{}{}\
         [[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"maker\" }} }}\n\
         occurrence = {{ scheduled = {{ start_day = 3, duration_days = 3 }} }}\n\n{}",
        simulation(14),
        item("a", 1.0, 20.0, 10.0, ""),
        item("b", 1.0, 20.0, 10.0, ""),
        daily_up_to(20)
    );
    let summary = run(&text);
    let traced = days(&text);
    // Days 0–13: (lost, receipts, queued at the end of the day, on hand at the end of the day).
    let expected_a = [
        (0.0, 0.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 10.0, 10.0),
        (0.0, 0.0, 20.0, 0.0),
        (10.0, 0.0, 20.0, 0.0),
        (10.0, 0.0, 5.0, 0.0),
        (0.0, 15.0, 0.0, 5.0),
        (0.0, 15.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
    ];
    let expected_b = [
        (0.0, 0.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 10.0, 10.0),
        (0.0, 0.0, 20.0, 0.0),
        (10.0, 0.0, 20.0, 0.0),
        (10.0, 0.0, 10.0, 0.0),
        (0.0, 10.0, 10.0, 0.0),
        (0.0, 10.0, 5.0, 0.0),
        (0.0, 15.0, 0.0, 5.0),
        (0.0, 15.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
        (0.0, 10.0, 0.0, 10.0),
    ];
    for (k, (id, expected)) in [("a", expected_a), ("b", expected_b)]
        .into_iter()
        .enumerate()
    {
        let got: Vec<(f64, f64, f64, f64)> = traced[k]
            .iter()
            .map(|d| (d.lost, d.receipts, d.queued_at_supplier, d.on_hand))
            .collect();
        assert_eq!(
            got, expected,
            "{id}: (lost, receipts, queued, on hand) by day"
        );
        assert_close(
            item_metric(&summary, "daily", id, "lost_units"),
            20.0,
            &format!("{id}: units short"),
        );
    }
}

/// A random scenario that couples two items in every way at once: Poisson demand, random lead
/// times with late shipments, random outages of the shared supplier, a shared capacity with a
/// guaranteed share, proportional allocation, a value minimum, a delivery cost and a monthly
/// budget; two policies, `first` and `second`, that are the same (s, S) rule.
const RANDOM_COUPLED: &str = r#"[simulation]
horizon_days = 120
warmup_days = 20
runs = 400
seed = 5

[[supplier]]
id = "maker"
lead_time = { uniform = { min = 2, max = 5 } }
on_time_probability = 0.9
lateness = { fixed = 2 }
capacity_per_day = 24
allocation = "proportional"
guaranteed_share = { b = 0.3 }
min_order_value = 150
delivery_cost = 30

[[budget]]
id = "monthly"
amount = 2500
period = "month"

[[item]]
id = "a"
unit_cost = 4
order_cost = 5
demand = { poisson = { mean = 10 } }

[[item]]
id = "b"
unit_cost = 2
demand = { poisson = { mean = 8 } }

[[disruption]]
id = "strike"
effect = { supplier_outage = { supplier = "maker" } }
occurrence = { random = { rate_per_year = 3, duration_days = { uniform = { min = 2, max = 8 } } } }

[policy.first.rule.s_s]
reorder_point = 50
order_up_to = 90
review_period_days = 2

[policy.second.rule.s_s]
reorder_point = 50
order_up_to = 90
review_period_days = 2
"#;

/// (8) A policy compared with itself differs by exactly nothing, and a coupled scenario's
/// results are the same bytes at one thread and at two.
#[test]
fn coupled_runs_are_paired_exactly_and_independent_of_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coupled.toml");
    std::fs::write(&path, RANDOM_COUPLED).unwrap();

    let out = dir.path().join("compare");
    buffersim()
        .arg("compare")
        .arg(&path)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let compare: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    let differences = compare["policies"][0]["differences"].as_array().unwrap();
    assert_eq!(compare["policies"][0]["policy"], "second");
    assert!(differences.len() > 10, "{differences:?}");
    let mut compared = 0;
    for d in differences {
        // Metrics undefined in every run have no difference at all.
        if d["difference"].is_null() {
            continue;
        }
        compared += 1;
        assert_eq!(d["difference"].as_f64(), Some(0.0), "{d}");
        assert_eq!(d["baseline_mean"], d["policy_mean"], "{d}");
        assert_eq!(d["paired_half_width"].as_f64(), Some(0.0), "{d}");
        assert_eq!(d["significant"], false, "{d}");
    }
    assert!(compared > 10);

    let summary = |threads: &str| {
        let out = dir.path().join(format!("threads-{threads}"));
        buffersim()
            .arg("run")
            .arg(&path)
            .args(["-q", "--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        std::fs::read(out.join("summary.json")).unwrap()
    };
    let one = summary("1");
    assert!(
        one == summary("2"),
        "summary.json differs between 1 and 2 threads"
    );
    // The scenario does couple: the outages and the shared capacity leave some demand short.
    let json: Value = serde_json::from_slice(&one).unwrap();
    assert!(item_metric(&json, "first", "a", "backordered_units") > 0.0);
}

/// (9) `buffersim trace` replays a coupled run: its per-item totals over the measured days are
/// that run's figures in the summary of `buffersim run`.
#[test]
fn a_traced_coupled_run_adds_up_to_the_runs_figures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("coupled.toml");
    std::fs::write(&path, RANDOM_COUPLED).unwrap();
    let run_out = dir.path().join("run");
    buffersim()
        .arg("run")
        .arg(&path)
        .args(["-q", "--runs", "1", "--out"])
        .arg(&run_out)
        .assert()
        .success();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(run_out.join("summary.json")).unwrap())
            .unwrap();
    let trace_out = dir.path().join("trace");
    buffersim()
        .arg("trace")
        .arg(&path)
        .args([
            "-q", "--policy", "first", "--run", "0", "--runs", "1", "--out",
        ])
        .arg(&trace_out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(trace_out.join("trace-run-0.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 2 * 120);
    let measured_days = 100.0;
    for id in ["a", "b"] {
        let sum = |column: &str| -> f64 {
            rows.iter()
                .filter(|r| r[at("item")] == id && r[at("measured")] == "true")
                .map(|r| r[at(column)].parse::<f64>().unwrap())
                .sum()
        };
        let near = |got: f64, expected: f64, what: &str| {
            assert!(
                (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
                "{id}: {what}: trace {expected}, summary {got}"
            );
        };
        let metric = |m: &str| item_metric(&summary, "first", id, m);
        near(metric("backordered_units"), sum("short"), "units short");
        near(
            metric("fill_rate"),
            sum("served") / sum("demand"),
            "fill rate",
        );
        near(
            metric("orders_per_year"),
            sum("order_lines") * 365.0 / measured_days,
            "order lines",
        );
        assert!(sum("order_lines") > 0.0 && sum("short") > 0.0, "{id}");
    }
}

/// Demand of two items, day by day, as a trace file: a fixed, irregular history (so that the
/// items' demand does not depend on their place in the scenario, as a random stream would).
fn demand_history(days: usize) -> String {
    let mut text = String::from("a,b\n");
    let mut x: u64 = 12345;
    for _ in 0..days {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let a = 4 + (x >> 33) % 13;
        let b = 2 + (x >> 45) % 9;
        text.push_str(&format!("{a},{b}\n"));
    }
    text
}

/// A scenario with two suppliers (each with a capacity of its own, random lead times, the
/// second out now and then) and the items `items` (`a` bought from `a_from`, `b` from `b_from`).
fn uncoupled(items: &[&str], a_from: &str, b_from: &str, shared_capacity: &str) -> String {
    let mut text = format!(
        r#"[simulation]
horizon_days = 150
warmup_days = 10
runs = 40
seed = 9

[[supplier]]
id = "s1"
lead_time = {{ uniform = {{ min = 1, max = 4 }} }}
capacity_per_day = 12

[[supplier]]
id = "s2"
lead_time = {{ uniform = {{ min = 2, max = 6 }} }}
on_time_probability = 0.8
lateness = {{ fixed = 3 }}
capacity_per_day = 8

[[supplier]]
id = "shared"
lead_time = {{ uniform = {{ min = 1, max = 3 }} }}
{shared_capacity}

[[disruption]]
id = "outage"
effect = {{ supplier_outage = {{ supplier = "s2" }} }}
occurrence = {{ random = {{ rate_per_year = 4, duration_days = {{ uniform = {{ min = 3, max = 9 }} }} }} }}

[[disruption]]
id = "cut"
effect = {{ capacity_cut = {{ supplier = "shared", factor = 0.5 }} }}
occurrence = {{ scheduled = {{ start_day = 40, duration_days = 20 }} }}
"#
    );
    for &id in items {
        let (cost, from) = if id == "a" { (3, a_from) } else { (2, b_from) };
        text.push_str(&format!(
            "\n[[item]]\nid = \"{id}\"\nunit_cost = {cost}\norder_cost = 4\n\
             demand = {{ trace = {{ file = \"demand.csv\", column = \"{id}\" }} }}\n\
             suppliers = [\"{from}\"]\n"
        ));
    }
    text.push_str(
        "\n[policy.base.rule.base_stock]\norder_up_to = 45\n\n\
         [policy.minmax.rule.s_s]\nreorder_point = 25\norder_up_to = 60\nreview_period_days = 3\n",
    );
    text
}

/// (10) Items that share nothing that couples them have exactly the figures each has alone:
/// each on a supplier of its own with a capacity, both on a supplier without any limit, and —
/// simulated together, through the coupled path — on a supplier whose shared capacity never
/// binds. Each item's metrics, under each policy, are the same JSON as in the scenario holding
/// only that item.
#[test]
fn items_that_share_no_constraint_have_the_figures_they_have_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("demand.csv"), demand_history(150)).unwrap();
    let summary = |name: &str, text: &str| -> Value {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join(name);
        buffersim()
            .arg("run")
            .arg(&path)
            .args(["-q", "--out"])
            .arg(&out)
            .assert()
            .success();
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
    };
    let metrics = |json: &Value, policy: usize, id: &str| -> String {
        let item = json["policies"][policy]["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == id)
            .unwrap();
        serde_json::to_string(&item["metrics"]).unwrap()
    };
    for (case, a_from, b_from, capacity) in [
        ("own", "s1", "s2", ""),
        ("unlimited", "shared", "shared", ""),
        ("never-binds", "shared", "shared", "capacity_per_day = 1000"),
    ] {
        let both = summary(case, &uncoupled(&["a", "b"], a_from, b_from, capacity));
        for id in ["a", "b"] {
            let alone = summary(
                &format!("{case}-{id}"),
                &uncoupled(&[id], a_from, b_from, capacity),
            );
            for policy in 0..2 {
                assert_eq!(
                    metrics(&both, policy, id),
                    metrics(&alone, policy, id),
                    "{case}: item {id}, policy {policy}"
                );
            }
        }
        // Demand went short, so the figures compared are not empty ones.
        for id in ["a", "b"] {
            assert!(
                item_metric(&both, "minmax", id, "backordered_units") > 0.0,
                "{case}: {id}"
            );
        }
    }
}

/// (3, continued) Top-ups and raised lines stay in whole units and whole lots. `a` as in the
/// value-minimum case ((s, S) 20/50, worth 2, 10 a day); `b` (worth 1, 5 a day) follows an
/// (r, Q) rule, reorder point 20 and lots of 15; a minimum of 70. Positions after the day's
/// demand:
/// - day 2: a at 20 orders 30 (60); b at 35 may join only with whole lots up to r + Q = 35:
///   none. 60 < 70: a's line is raised by 70/60 to 35.
/// - day 5: b at 20 orders one lot, 15 (15); a at 25 is topped up by 25 (50): 65 < 70, so
///   both are raised by 70/65 = 1.077 and rounded up to whole units: a 26.9 → 27, b 16.2 →
///   17 (worth 71).
/// - day 9: a at 12 orders 38 and b at 17 orders 15: 91, no top-up.
/// - days 12, 15 and 18: a at 20 orders 30 and b at 17 orders 15: 75.
#[test]
fn raised_lines_are_whole_units_and_lots_top_up_whole() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\nmin_order_value = 70\n\n\
         {}{}[policy.ss.rule.s_s]\nreorder_point = 20\norder_up_to = 50\n\n\
         [policy.ss.items.b.r_q]\nreorder_point = 20\norder_quantity = 15\n",
        simulation(20),
        item("a", 2.0, 50.0, 10.0, ""),
        item("b", 1.0, 50.0, 5.0, "")
    );
    let traced = days(&text);
    let lines = |k: usize| -> Vec<(usize, f64)> {
        traced[k]
            .iter()
            .filter(|d| d.order_lines > 0)
            .map(|d| (d.day, d.ordered))
            .collect()
    };
    assert_eq!(
        lines(0),
        [
            (2, 35.0),
            (5, 27.0),
            (9, 38.0),
            (12, 30.0),
            (15, 30.0),
            (18, 30.0)
        ]
    );
    assert_eq!(
        lines(1),
        [(5, 17.0), (9, 15.0), (12, 15.0), (15, 15.0), (18, 15.0)]
    );
}

/// Two items counted in kilograms (continuous units) at awkward prices, bought from a supplier
/// with a value minimum of 100, each ordering up to 12.7 every day: most days' lines are worth
/// far less, so other items are topped up and the lines raised to the minimum — to a value
/// that float arithmetic may put a hair below 100 (100/3.1 kg at 3.1).
fn raised_to_the_minimum(budget: &str) -> String {
    format!(
        r#"[simulation]
horizon_days = 100
runs = 10
seed = 1
unmet_demand = "lost"

[[supplier]]
id = "maker"
lead_time = {{ fixed = 1 }}
min_order_value = 100

{budget}

[[item]]
id = "a"
unit_cost = 3.1
units = "continuous"
demand = {{ lognormal = {{ mean = 3.3, sd = 1.1 }} }}

[[item]]
id = "b"
unit_cost = 0.7
units = "continuous"
demand = {{ lognormal = {{ mean = 2.9, sd = 1.3 }} }}

[policy.p.rule.base_stock]
order_up_to = 12.7
"#
    )
}

/// A budget that never binds changes nothing: the order raised to the value minimum is not
/// dropped as "below the minimum" when the budgets are checked, for the float noise of its
/// value. (It was, on day 18 of run 4: a line of 100/3.1 kg, worth 99.999…99.)
#[test]
fn a_budget_that_never_binds_leaves_orders_raised_to_the_minimum_alone() {
    let without = run(&raised_to_the_minimum(""));
    let with = run(&raised_to_the_minimum(
        "[[budget]]\nid = \"ample\"\namount = 1000000\nperiod = \"week\"",
    ));
    for k in 0..2 {
        let metrics = |json: &Value| json["policies"][0]["items"][k]["metrics"].to_string();
        assert!(
            metrics(&without) == metrics(&with),
            "item {k}: orders per year {} without the budget, {} with it",
            without["policies"][0]["items"][k]["metrics"]["orders_per_year"]["mean"],
            with["policies"][0]["items"][k]["metrics"]["orders_per_year"]["mean"]
        );
    }
    assert_close(
        item_metric(&with, "p", "a", "lost_units"),
        0.0,
        "nothing short",
    );
}

/// A budget takes the day's lines in item (file) order, the lines of items topped up to a
/// value minimum included. `a` (2 a day) and `b` (10 a day), both worth 1 with 50 on hand,
/// under (s, S) 20/50; a value minimum of 40 and a weekly budget of 40 that trims. Day 2: b at
/// 20 orders 30; a at 44 is topped up by 6: 36 < 40, so both are raised by 40/36: a 6.7 → 7,
/// b 33.3 → 34 (41). The budget takes a's 7 first (33 left) and trims b's line to 33: 40, the
/// minimum, so the order goes out as a 7, b 33 — not b 34 and a cut to 6, as it would in the
/// order the lines were asked for.
#[test]
fn a_budget_takes_the_days_lines_in_item_order_top_ups_included() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\nmin_order_value = 40\n\n\
         [[budget]]\nid = \"weekly\"\namount = 40\nperiod = \"week\"\nwhen_exceeded = \"trim\"\n\n\
         {}{}[policy.ss.rule.s_s]\nreorder_point = 20\norder_up_to = 50\n",
        simulation(4),
        item("a", 1.0, 50.0, 2.0, ""),
        item("b", 1.0, 50.0, 10.0, "")
    );
    let traced = days(&text);
    assert_eq!(col(&traced[0], |d| d.ordered), [0.0, 0.0, 7.0, 0.0]);
    assert_eq!(col(&traced[1], |d| d.ordered), [0.0, 0.0, 33.0, 0.0]);
}

/// A line worth more than a whole period's budget would never fit, so even under "wait" it is
/// trimmed to what is left. One item worth 1, 10 a day, 100 on hand, (s, S) 20/100, a weekly
/// budget of 50. Day 7 (week 1): at 20 it orders 80, cut to 50. Day 12 at 20 and day 13 at 10
/// find nothing left. Day 14 (week 2): at 0 it orders 100, cut to 50, which lasts to day 19;
/// days 17–19 find nothing left (the budget is spent), days 20 and 21 are short, and day 21
/// (week 3) orders 50 again. 20 units short, 3 lines of 50.
#[test]
fn a_line_larger_than_a_whole_period_is_trimmed_even_when_waiting() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\n\
         [[budget]]\nid = \"weekly\"\namount = 50\nperiod = \"week\"\n\n\
         {}[policy.ss.rule.s_s]\nreorder_point = 20\norder_up_to = 100\n",
        simulation(22),
        item("a", 1.0, 100.0, 10.0, "")
    );
    let summary = run(&text);
    assert_close(
        item_metric(&summary, "ss", "a", "lost_units"),
        20.0,
        "units short",
    );
    let traced = &days(&text)[0];
    let lines: Vec<(usize, f64)> = traced
        .iter()
        .filter(|d| d.order_lines > 0)
        .map(|d| (d.day, d.ordered))
        .collect();
    assert_eq!(lines, [(7, 50.0), (14, 50.0), (21, 50.0)]);
    let short: Vec<usize> = traced
        .iter()
        .filter(|d| d.lost > 0.0)
        .map(|d| d.day)
        .collect();
    assert_eq!(short, [20, 21]);
}

/// (7, continued) The same outage cancelling the orders waiting at the supplier: every item's
/// lines are cancelled, each day of the outage. Day 3's lines (10 each) are cancelled; days 4
/// and 5 each order 20 (nothing on hand or on order) and see them cancelled: 50 cancelled
/// each. Days 5 and 6 are short 10 each. Day 6 orders 20 each (40 > 25): fifo ships a 20 and
/// b 5. Day 7 a receives 20 (no shortfall), b 5 (5 short); b's 15 of day 6 then ship before
/// a's new line. a 20 short, b 25.
#[test]
fn an_outage_that_cancels_orders_cancels_every_items_lines() {
    let text = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\ncapacity_per_day = 25\n\n{}{}\
         [[disruption]]\nid = \"fire\"\n\
         effect = {{ supplier_outage = {{ supplier = \"maker\", cancel_orders = true }} }}\n\
         occurrence = {{ scheduled = {{ start_day = 3, duration_days = 3 }} }}\n\n{}",
        simulation(14),
        item("a", 1.0, 20.0, 10.0, ""),
        item("b", 1.0, 20.0, 10.0, ""),
        daily_up_to(20)
    );
    let summary = run(&text);
    let traced = days(&text);
    for (k, (id, short, day_7)) in [("a", 20.0, 20.0), ("b", 25.0, 5.0)]
        .into_iter()
        .enumerate()
    {
        assert_close(
            item_metric(&summary, "daily", id, "lost_units"),
            short,
            &format!("{id}: units short"),
        );
        assert_close(
            item_metric(&summary, "daily", id, "cancelled_units"),
            50.0,
            &format!("{id}: units cancelled"),
        );
        assert_eq!(
            col(&traced[k][3..6], |d| d.cancelled),
            [10.0, 20.0, 20.0],
            "{id}"
        );
        assert_eq!(traced[k][7].receipts, day_7, "{id}: receipts of day 7");
    }
}

/// Items counted in whole units ship whole units: a proportional share of 13 a day between two
/// items wanting 10 each is 6.5, shipped as 6 each, and the unit left goes to the oldest line
/// (a's, first in file order on day 0): day 1 receives a 7 and b 6. In value (25 a day; a is
/// worth 2, b 1; a's 10 and b's 10 wait, worth 20 and 10) the shares are 16.7 and 8.3 of
/// value, 8 units of a and 8 of b, and of the 1 of value left half a unit of a cannot ship,
/// one of b can: day 1 receives a 8, b 9. Every day's receipts are whole and within capacity.
#[test]
fn whole_units_ship_whole_and_the_rest_of_a_share_goes_to_the_oldest_line() {
    let units = worked_example("allocation = \"proportional\"")
        .replace("capacity_per_day = 12", "capacity_per_day = 13");
    let value = format!(
        "{}\n[[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\
         capacity_value_per_day = 25\nallocation = \"proportional\"\n\n{}{}{}",
        simulation(10),
        item("a", 2.0, 0.0, 10.0, ""),
        item("b", 1.0, 0.0, 10.0, ""),
        daily_up_to(10)
    );
    for (text, first, prices, capacity) in [
        (&units, [7.0, 6.0], [1.0, 1.0], 13.0),
        (&value, [8.0, 9.0], [2.0, 1.0], 25.0),
    ] {
        let items = days(text);
        assert_eq!([items[0][1].receipts, items[1][1].receipts], first);
        for (t, (a, b)) in items[0].iter().zip(&items[1]).enumerate() {
            let received = [a.receipts, b.receipts];
            assert!(
                received.iter().all(|r| r.fract() == 0.0),
                "day {t}: {received:?}"
            );
            let used = received[0] * prices[0] + received[1] * prices[1];
            assert!(used <= capacity, "day {t}: {received:?}");
        }
    }
}
