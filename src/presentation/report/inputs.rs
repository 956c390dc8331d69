//! "Key inputs": what the scenario assumed, as tables — the suppliers (lead time,
//! reliability, minimums, capacity; and where the scenario uses them, how a short capacity is
//! shared, order days, value minimums, delivery costs and the purchase budgets their orders
//! count against), the items (costs, demand, sourcing), every disruption with its occurrence
//! and effect, and what sets each policy apart beyond its rules (pre-build, strategic reserve,
//! expediting). With the sizing tables, a reader sees why two policies' figures differ.
//!
//! A column of the suppliers table that only shared suppliers or budgets fill is left out when
//! no supplier fills it, so the table of a scenario without them is the one it always was.

use crate::foundation::format::group_thousands;
use crate::results::inputs::{BudgetInput, Inputs, PolicyInput, SupplierInput};
use crate::results::saved::SavedSummary;

use super::{Table, level};

fn dash() -> String {
    "–".to_string()
}

fn opt(v: Option<f64>, show: impl Fn(f64) -> String) -> String {
    v.map_or_else(dash, show)
}

fn percent(x: f64) -> String {
    format!("{}%", group_thousands(100.0 * x, 1).trim_end_matches(".0"))
}

/// One row per supplier.
pub(super) fn suppliers(s: &SavedSummary, inputs: &Inputs) -> Table {
    let currency = super::board::currency(s);
    let money = |x: f64| group_thousands(x, 2);
    let any = |has: fn(&SupplierInput) -> bool| inputs.suppliers.iter().any(has);
    let in_value = any(|sup| sup.capacity_value_per_day.is_some());
    let shares = any(|sup| sup.allocation.is_some() || !sup.guaranteed_share.is_empty());
    let order_days = any(|sup| sup.order_days.is_some());
    let min_value = any(|sup| sup.min_order_value.is_some());
    let delivery = any(|sup| sup.delivery_cost.is_some());
    let budgets = !inputs.budgets.is_empty();

    let mut header = vec![
        "supplier".to_string(),
        "region".to_string(),
        "lead time (days)".to_string(),
        "on time".to_string(),
        "capacity / day".to_string(),
        "min. order".to_string(),
        "order multiple".to_string(),
        "rejected".to_string(),
        format!("unit cost premium ({currency})"),
    ];
    if in_value {
        header[4] = "capacity / day (all its items)".to_string();
    }
    let extra = [
        (shares, "when capacity is short".to_string()),
        (order_days, "order days".to_string()),
        (min_value, format!("min. order value ({currency})")),
        (delivery, format!("delivery cost ({currency} / order)")),
        (budgets, "purchase budgets".to_string()),
    ];
    header.extend(extra.iter().filter(|(on, _)| *on).map(|(_, h)| h.clone()));
    let rows = inputs
        .suppliers
        .iter()
        .map(|sup| {
            let capacity = match (sup.capacity_per_day, sup.capacity_value_per_day) {
                (Some(units), _) if in_value => format!("{} units", level(units)),
                (None, Some(value)) => format!("{} {currency}", level(value)),
                (units, _) => opt(units, level),
            };
            let mut row = vec![
                sup.supplier.clone(),
                sup.region.clone().unwrap_or_else(dash),
                format!("{:.2} ± {:.2}", sup.lead_time_mean, sup.lead_time_sd),
                percent(sup.on_time_probability),
                capacity,
                opt(sup.min_order_quantity, level),
                opt(sup.order_multiple, level),
                opt(sup.rejection_probability, percent),
                opt(sup.unit_cost_premium, money),
            ];
            let cells = [
                (shares, sharing(sup)),
                (order_days, sup.order_days.clone().unwrap_or_else(dash)),
                (min_value, opt(sup.min_order_value, money)),
                (delivery, opt(sup.delivery_cost, money)),
                (
                    budgets,
                    budgets_of(&sup.supplier, &inputs.budgets, currency),
                ),
            ];
            row.extend(cells.into_iter().filter(|(on, _)| *on).map(|(_, c)| c));
            row
        })
        .collect();
    Table { header, rows }
}

/// How a supplier shares a short day's capacity: its rule, and the shares it guarantees.
fn sharing(sup: &SupplierInput) -> String {
    let limited = sup.capacity_per_day.is_some() || sup.capacity_value_per_day.is_some();
    let mut parts = Vec::new();
    match sup.allocation.as_deref() {
        Some("priority") => parts.push(format!("priority: {}", sup.priority.join(", "))),
        Some("proportional") => parts.push("in proportion to what each item waits for".into()),
        Some(other) => parts.push(other.to_string()),
        None if limited => parts.push("oldest order first".into()),
        None => {}
    }
    if !sup.guaranteed_share.is_empty() {
        let list: Vec<String> = sup
            .guaranteed_share
            .iter()
            .map(|g| format!("{} {}", g.item, percent(g.share)))
            .collect();
        parts.push(format!("guaranteed {}", list.join(", ")));
    }
    if parts.is_empty() {
        dash()
    } else {
        parts.join("; ")
    }
}

/// The budgets a supplier's orders count against, in words.
fn budgets_of(supplier: &str, budgets: &[BudgetInput], currency: &str) -> String {
    let list: Vec<String> = budgets
        .iter()
        .filter(|b| {
            b.suppliers
                .as_ref()
                .is_none_or(|list| list.iter().any(|s| s == supplier))
        })
        .map(|b| {
            format!(
                "{}: {} {currency} a {}{}, {}",
                b.budget,
                level(b.amount),
                b.period,
                if b.suppliers.is_none() {
                    " (all suppliers)"
                } else {
                    ""
                },
                match b.when_exceeded.as_str() {
                    "trim" => "orders beyond it trimmed",
                    _ => "orders beyond it wait",
                }
            )
        })
        .collect();
    if list.is_empty() {
        dash()
    } else {
        list.join("; ")
    }
}

/// One row per item.
pub(super) fn items(s: &SavedSummary, inputs: &Inputs) -> Table {
    let currency = super::board::currency(s);
    let header = vec![
        "item".to_string(),
        format!("unit cost ({currency})"),
        "carrying rate / year".to_string(),
        format!("order cost ({currency})"),
        format!("stockout penalty ({currency} / unit)"),
        "demand / day".to_string(),
        "bought from".to_string(),
    ];
    // Columns for stock that ages only where some item's does.
    let shelf_life = inputs.items.iter().any(|i| i.shelf_life_days.is_some());
    let obsolescence = inputs.items.iter().any(|i| i.obsolescence_rate.is_some());
    let mut header = header;
    if shelf_life {
        header.push("shelf life".to_string());
    }
    if obsolescence {
        header.push("obsolescence / year".to_string());
    }
    let rows = inputs
        .items
        .iter()
        .map(|i| {
            let mut row = vec![
                i.item.clone(),
                group_thousands(i.unit_cost, 2),
                percent(i.carrying_rate),
                group_thousands(i.order_cost, 2),
                group_thousands(i.stockout_penalty, 2),
                format!(
                    "{} ± {}",
                    group_thousands(i.mean_daily_demand, 2),
                    group_thousands(i.demand_sd, 2)
                ),
                i.sourcing.clone(),
            ];
            if shelf_life {
                row.push(
                    i.shelf_life_days
                        .map_or_else(|| "–".to_string(), |d| format!("{d} days")),
                );
            }
            if obsolescence {
                row.push(i.obsolescence_rate.map_or_else(|| "–".to_string(), percent));
            }
            row
        })
        .collect();
    Table { header, rows }
}

/// One row per disruption: what it hits and when.
pub(super) fn disruptions(inputs: &Inputs) -> Option<Table> {
    if inputs.disruptions.is_empty() {
        return None;
    }
    let header = ["disruption", "what it hits and when"]
        .map(String::from)
        .to_vec();
    let rows = inputs
        .disruptions
        .iter()
        .map(|d| vec![d.disruption.clone(), d.description.clone()])
        .collect();
    Some(Table { header, rows })
}

/// What sets a policy apart beyond its rules, one sentence each; empty when nothing does.
pub(super) fn policy_settings(p: &PolicyInput) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(pb) = &p.prebuild {
        out.push(format!("Pre-build: {pb}."));
    }
    for plan in &p.plan {
        out.push(format!("Level plan for {plan}."));
    }
    if let Some(r) = &p.resize {
        out.push(format!(
            "Rules re-sized {r}: each period's levels follow the demand expected in it."
        ));
    }
    if !p.reserve.is_empty() {
        let list: Vec<String> = p
            .reserve
            .iter()
            .map(|r| format!("{} {}", r.item, level(r.units)))
            .collect();
        out.push(format!(
            "Strategic reserve (units held apart for emergencies): {}.",
            list.join(", ")
        ));
    }
    if let Some(e) = &p.expediting {
        out.push(format!("Expediting: {e}."));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::scenario::Scenario;

    const SCENARIO: &str = r#"
[simulation]
runs = 1
currency = "EUR"

[[supplier]]
id = "bulk"
lead_time = { fixed = 3 }
capacity_value_per_day = 5000
allocation = "priority"
priority = ["b", "a"]
guaranteed_share = { a = 0.25 }
min_order_value = 400
order_cycle_days = 7
delivery_cost = 25

[[supplier]]
id = "plain"
lead_time = { fixed = 2 }
capacity_per_day = 300

[[item]]
id = "a"
unit_cost = 2
demand = { deterministic = 10 }
suppliers = ["bulk"]

[[item]]
id = "b"
unit_cost = 1
demand = { deterministic = 10 }
suppliers = ["bulk"]

[[item]]
id = "c"
unit_cost = 1
demand = { deterministic = 10 }
suppliers = ["plain"]

[[budget]]
id = "monthly"
amount = 6000
period = "month"
suppliers = ["bulk"]

[[budget]]
id = "all"
amount = 2500
period = "week"
when_exceeded = "trim"

[policy.base.rule.base_stock]
order_up_to = 50
"#;

    /// A saved summary (the report tests' fixture) with the inputs of `text`.
    fn summary(text: &str) -> (SavedSummary, Inputs) {
        let fixture = include_str!("../../../tests/data/report-summary.json");
        let mut s: SavedSummary = serde_json::from_str(fixture).unwrap();
        s.currency = Some("EUR".into());
        let inputs = Inputs::new(&Scenario::from_source(text, Path::new("t.toml")).unwrap());
        s.inputs = Some(inputs.clone());
        (s, inputs)
    }

    #[test]
    fn shared_suppliers_and_budgets_get_columns_of_their_own() {
        let (s, inputs) = summary(SCENARIO);
        let t = suppliers(&s, &inputs);
        assert_eq!(
            t.header[9..],
            [
                "when capacity is short",
                "order days",
                "min. order value (EUR)",
                "delivery cost (EUR / order)",
                "purchase budgets"
            ]
        );
        assert_eq!(t.header[4], "capacity / day (all its items)");
        assert_eq!(
            t.rows[0][4..]
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            [
                "5,000 EUR",
                "–",
                "–",
                "–",
                "–",
                "priority: b, a; guaranteed a 25%",
                "every 7 days",
                "400.00",
                "25.00",
                "monthly: 6,000 EUR a month, orders beyond it wait; all: 2,500 EUR a week (all \
                 suppliers), orders beyond it trimmed"
            ]
        );
        assert_eq!(t.rows[1][4], "300 units");
        assert_eq!(t.rows[1][9], "oldest order first");
        assert_eq!(
            t.rows[1][13],
            "all: 2,500 EUR a week (all suppliers), orders beyond it trimmed"
        );
    }

    #[test]
    fn a_scenario_without_them_keeps_its_table() {
        let plain = r#"
[simulation]
runs = 1

[[supplier]]
id = "plain"
lead_time = { fixed = 2 }
capacity_per_day = 300

[[item]]
id = "a"
unit_cost = 2
demand = { deterministic = 10 }

[[item]]
id = "b"
unit_cost = 1
demand = { deterministic = 10 }

[policy.base.rule.base_stock]
order_up_to = 50
"#;
        let (s, inputs) = summary(plain);
        let t = suppliers(&s, &inputs);
        assert_eq!(t.header.len(), 9, "{:?}", t.header);
        assert_eq!(t.header[4], "capacity / day");
        assert_eq!(t.rows[0][4], "300");
    }
}
