//! What `validate` prints: the scenario as it resolves, with every derived quantity.

use std::fmt::Write as _;

use crate::foundation::format::group_thousands;
use crate::model::scenario::{Scenario, UnmetDemand};
use crate::presentation::format::loop_days;
use crate::presentation::terminal;

/// What `validate` prints: the scenario as it resolves, with every derived quantity; every line
/// fits the terminal ([`terminal::WIDTH`]).
pub fn describe(scenario: &Scenario) -> String {
    terminal::wrap_all(&description(scenario))
}

fn description(scenario: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario '{}': {} days (warm-up {}), {} runs, seed {}, unmet demand {}",
        scenario.name,
        scenario.horizon_days,
        scenario.warmup_days,
        scenario.runs,
        scenario.seed,
        match scenario.unmet_demand {
            UnmetDemand::Lost => "lost",
            UnmetDemand::Backorder => "backordered",
        }
    );
    let _ = writeln!(
        out,
        "results folder: {}{}",
        scenario.results_dir().display(),
        if scenario.results.is_some() {
            " (simulation.results)"
        } else {
            ""
        }
    );
    if let Some(currency) = &scenario.currency {
        let _ = writeln!(out, "costs in {currency}");
    }
    if !scenario.targets.is_empty() {
        let targets: Vec<String> = scenario.targets.iter().map(|t| t.to_string()).collect();
        let _ = writeln!(
            out,
            "targets (on the mean over runs, met when its whole 95% interval is within): {}",
            targets.join(", ")
        );
    }
    let _ = writeln!(out, "\nsuppliers:");
    for s in &scenario.suppliers {
        let _ = writeln!(
            out,
            "  {}: lead time {:.2} ± {:.2} days (on time {:.0}%){}{}",
            s.id,
            s.lead_time_mean(),
            s.lead_time_variance().sqrt(),
            100.0 * s.on_time_probability,
            if s.capacity_per_day.is_finite() {
                format!(", capacity {}/day", s.capacity_per_day)
            } else {
                String::new()
            },
            s.region
                .as_ref()
                .map_or_else(String::new, |r| format!(", region {r}"))
        );
    }
    let _ = writeln!(out, "\nitems:");
    for item in &scenario.items {
        let (lt, lt_sd) = item.lead_time_moments(&scenario.suppliers);
        let _ = writeln!(
            out,
            "  {}: demand {:.2} ± {:.2} per day, lead time {:.2} ± {:.2} days, unit cost {}",
            item.id,
            item.demand.annual_daily_mean(),
            item.demand.annual_daily_sd(),
            lt,
            lt_sd,
            item.unit_cost
        );
    }
    if !scenario.disruptions.is_empty() {
        let _ = writeln!(out, "\ndisruptions:");
        let item_ids: Vec<String> = scenario.items.iter().map(|i| i.id.clone()).collect();
        for d in &scenario.disruptions {
            let _ = writeln!(
                out,
                "  {}: {}",
                d.id,
                d.describe(&scenario.suppliers, &item_ids)
            );
        }
    }
    for policy in &scenario.policies {
        let _ = writeln!(out, "\npolicy '{}':", policy.name);
        let mut rows = vec![
            [
                "item",
                "rule",
                "review",
                "safety stock",
                "reorder point",
                "order qty",
                "order-up-to",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (item, ip) in scenario.items.iter().zip(&policy.items) {
            let s = &ip.sizing;
            let opt = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| group_thousands(x, 2));
            rows.push(vec![
                item.id.clone(),
                s.rule.name().into(),
                format!("{}d", s.review_period_days),
                opt(s.safety_stock),
                group_thousands(s.reorder_point, 2),
                opt(s.order_quantity),
                opt(s.order_up_to),
            ]);
        }
        out.push_str(&terminal::table_indented(&rows, 2));
        // The loops below the table, not in a column of it: a loop's description is as wide
        // as the rest of the row together.
        for (item, ip) in scenario.items.iter().zip(&policy.items) {
            if let Some(k) = &ip.sizing.kanban {
                let line = format!(
                    "  kanban loop of {}: {} × {} = {} units ({})",
                    item.id,
                    k.containers,
                    k.container_size,
                    k.total_units,
                    loop_days(k.days_of_supply)
                );
                let _ = writeln!(out, "{}", terminal::wrap(&line));
            }
        }
        if let Some(p) = &policy.prebuild {
            let _ = writeln!(out, "  pre-build: {}", p.describe());
        }
        let reserves: Vec<String> = scenario
            .items
            .iter()
            .zip(&policy.items)
            .filter(|(_, ip)| ip.reserve > 0.0)
            .map(|(item, ip)| format!("{} {}", item.id, group_thousands(ip.reserve, 2)))
            .collect();
        if !reserves.is_empty() {
            let _ = writeln!(out, "  strategic reserve (units): {}", reserves.join(", "));
        }
        if let Some(e) = policy.items.first().and_then(|ip| ip.expedite) {
            let _ = writeln!(out, "  expediting: {}", e.describe());
        }
    }
    for item in scenario
        .items
        .iter()
        .filter(|i| i.failover_after_days.is_some())
    {
        let (primary, backup) = (item.sourcing[0].supplier, item.sourcing[1].supplier);
        let _ = writeln!(
            out,
            "\nfailover: {} is bought from {} and moves to {} after {} days without shipments",
            item.id,
            scenario.suppliers[primary].id,
            scenario.suppliers[backup].id,
            item.failover_after_days.unwrap_or_default()
        );
    }
    out
}
