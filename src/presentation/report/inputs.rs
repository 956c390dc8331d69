//! "Key inputs": what the scenario assumed, as tables — the suppliers (lead time,
//! reliability, minimums, capacity), the items (costs, demand, sourcing), every disruption
//! with its occurrence and effect, and what sets each policy apart beyond its rules
//! (pre-build, strategic reserve, expediting). With the sizing tables, a reader sees why two
//! policies' figures differ.

use crate::foundation::format::group_thousands;
use crate::results::inputs::{Inputs, PolicyInput};
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
    let header = vec![
        "supplier".to_string(),
        "region".to_string(),
        "lead time (days)".to_string(),
        "on time".to_string(),
        "capacity / day".to_string(),
        "min. order".to_string(),
        "order multiple".to_string(),
        "rejected".to_string(),
        format!("unit cost premium ({})", super::board::currency(s)),
    ];
    let rows = inputs
        .suppliers
        .iter()
        .map(|sup| {
            vec![
                sup.supplier.clone(),
                sup.region.clone().unwrap_or_else(dash),
                format!("{:.2} ± {:.2}", sup.lead_time_mean, sup.lead_time_sd),
                percent(sup.on_time_probability),
                opt(sup.capacity_per_day, level),
                opt(sup.min_order_quantity, level),
                opt(sup.order_multiple, level),
                opt(sup.rejection_probability, percent),
                opt(sup.unit_cost_premium, |x| group_thousands(x, 2)),
            ]
        })
        .collect();
    Table { header, rows }
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
    let rows = inputs
        .items
        .iter()
        .map(|i| {
            vec![
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
            ]
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
