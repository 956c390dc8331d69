//! Scenarios shared by several test files.

/// One item with a deterministic demand of 10 a day, one supplier with a fixed lead time of 3
/// days, lost sales, and a scheduled outage (`fire`) from day 100 for `outage_days` days; one
/// policy `base`, a base stock of `order_up_to` units. Every figure follows by hand.
pub fn deterministic_outage(order_up_to: u32, outage_days: u32) -> String {
    format!(
        r#"
[simulation]
horizon_days = 365
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = {{ fixed = 3 }}

[[item]]
id = "part"
unit_cost = 2
demand = {{ deterministic = 10 }}

[[disruption]]
id = "fire"
effect = {{ supplier_outage = {{ supplier = "s" }} }}
occurrence = {{ scheduled = {{ start_day = 100, duration_days = {outage_days} }} }}

[policy.base.rule.base_stock]
order_up_to = {order_up_to}
"#
    )
}
