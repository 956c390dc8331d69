//! What `validate` prints: the scenario as it resolves, with every derived quantity.

use std::fmt::Write as _;

use crate::foundation::format::group_thousands;
use crate::model::budget::{Budget, BudgetPeriod, WhenExceeded};
use crate::model::policy::ShelfLifeCap;
use crate::model::resize::{PeriodLevels, describe_plan};
use crate::model::scenario::{Scenario, UnmetDemand};
use crate::model::supply::{Allocation, OrderDays};
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
    if let Some(start) = scenario.start_date {
        let calendar = scenario.calendar();
        let last = calendar.date(scenario.horizon_days - 1).unwrap_or(start);
        let _ = writeln!(
            out,
            "dates: day 0 is {start} (a {}), day {} is {last}",
            OrderDays::WEEKDAY_NAMES[start.weekday()],
            scenario.horizon_days - 1
        );
    }
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
    for (j, s) in scenario.suppliers.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}: lead time {:.2} ± {:.2} days (on time {:.0}%){}",
            s.id,
            s.lead_time_mean(),
            s.lead_time_variance().sqrt(),
            100.0 * s.on_time_probability,
            s.region
                .as_ref()
                .map_or_else(String::new, |r| format!(", region {r}"))
        );
        for line in supplier_terms(scenario, j) {
            let _ = writeln!(out, "    {line}");
        }
    }
    if !scenario.budgets.is_empty() {
        let _ = writeln!(out, "\npurchase budgets:");
        for b in &scenario.budgets {
            let _ = writeln!(out, "  {}: {}", b.id, budget_terms(scenario, b));
        }
    }
    let _ = writeln!(out, "\nitems:");
    for item in &scenario.items {
        let (lt, lt_sd) = item.lead_time_moments(&scenario.suppliers);
        let mut ages = String::new();
        if let Some(days) = item.shelf_life_days {
            let _ = write!(ages, ", shelf life {days} days");
        }
        if item.obsolescence_rate > 0.0 {
            let _ = write!(
                ages,
                ", obsolescence {}% a year",
                group_thousands(100.0 * item.obsolescence_rate, 2)
            );
        }
        let _ = writeln!(
            out,
            "  {}: demand {:.2} ± {:.2} per day, lead time {:.2} ± {:.2} days, unit cost {}{ages}",
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
                d.describe(&scenario.suppliers, &item_ids, scenario.calendar())
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
        for (item, ip) in scenario.items.iter().zip(&policy.items) {
            if let Some(cap) = &ip.sizing.shelf_life {
                let _ = writeln!(out, "{}", terminal::wrap(&shelf_life_line(&item.id, cap)));
            }
        }
        if let Some(r) = &policy.resize {
            let _ = writeln!(out, "  re-sized {}:", r.describe());
            for (item, ip) in scenario.items.iter().zip(&policy.items) {
                let line = resized_line(&item.id, &ip.sizing.by_period);
                let _ = writeln!(out, "{}", terminal::wrap(&line));
            }
        }
        let item_ids: Vec<String> = scenario.items.iter().map(|i| i.id.clone()).collect();
        for window in &policy.prebuilds.0 {
            let line = format!(
                "  pre-build: {}",
                window.describe(scenario.calendar(), &item_ids)
            );
            let _ = writeln!(out, "{}", terminal::wrap(&line));
        }
        for (item, ip) in scenario.items.iter().zip(&policy.items) {
            if !ip.sizing.plan.is_empty() {
                let plan = describe_plan(&item.id, &ip.sizing.plan, scenario.calendar());
                let _ = writeln!(out, "{}", terminal::wrap(&format!("  level plan, {plan}")));
            }
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

/// A number as the scenario would write it: whole when it is whole, else with two decimals.
fn amount(x: f64) -> String {
    let s = group_thousands(x, 2);
    s.strip_suffix(".00").map_or(s.clone(), str::to_string)
}

/// An amount of money, in the scenario's currency when it names one.
fn money(scenario: &Scenario, x: f64) -> String {
    match &scenario.currency {
        Some(c) => format!("{} {c}", amount(x)),
        None => amount(x),
    }
}

/// What supplier `j` says beyond its lead times, a line each: its capacity, who shares it and
/// how when it is short; the days it takes orders, the value an order must reach and what a
/// delivery costs. Nothing for a supplier without any of them.
fn supplier_terms(scenario: &Scenario, j: usize) -> Vec<String> {
    let s = &scenario.suppliers[j];
    let items: Vec<&str> = scenario
        .items
        .iter()
        .filter(|item| item.sourcing.iter().any(|src| src.supplier == j))
        .map(|item| item.id.as_str())
        .collect();
    let mut lines = Vec::new();
    let capacity = if s.capacity_per_day.is_finite() {
        Some(format!("{} units/day", amount(s.capacity_per_day)))
    } else if s.capacity_value_per_day.is_finite() {
        Some(format!(
            "{}/day in value (units × price)",
            money(scenario, s.capacity_value_per_day)
        ))
    } else {
        None
    };
    if let Some(capacity) = capacity {
        let mut line = format!("capacity {capacity}");
        if items.len() > 1 {
            let _ = write!(line, ", shared by {} items", items.len());
            let rule = match &s.allocation {
                Allocation::Fifo => "oldest order line first (fifo)".to_string(),
                Allocation::Proportional => {
                    "in proportion to what each item waits for (proportional)".to_string()
                }
                Allocation::Priority(order) => {
                    let named: Vec<&str> = order
                        .iter()
                        .map(|&i| scenario.items[i].id.as_str())
                        .collect();
                    let rest = if order.len() < items.len() {
                        ", then the others in file order"
                    } else {
                        ""
                    };
                    format!("by priority: {}{rest}", named.join(", "))
                }
            };
            let _ = write!(line, "; when short, {rule}");
        }
        if !s.guaranteed.is_empty() {
            let shares: Vec<String> = s
                .guaranteed
                .iter()
                .map(|&(i, share)| format!("{} {}%", scenario.items[i].id, amount(100.0 * share)))
                .collect();
            let _ = write!(line, "; guaranteed shares: {}", shares.join(", "));
        }
        lines.push(line);
    }
    let mut orders = Vec::new();
    if s.order_days != OrderDays::Every {
        let days = match s.order_days {
            OrderDays::Weekdays { first_weekday, .. } => {
                let day0 = match scenario.start_date {
                    Some(date) => format!(
                        "day 0, {date}, is a {}",
                        OrderDays::WEEKDAY_NAMES[usize::from(first_weekday)]
                    ),
                    None => "day 0 is a Monday".into(),
                };
                format!("on {} ({day0})", s.order_days.describe())
            }
            _ => s.order_days.describe(),
        };
        orders.push(format!("taken {days}"));
    }
    if s.min_order_value > 0.0 {
        orders.push(format!(
            "worth at least {} together (topped up toward order-up-to levels, then raised)",
            money(scenario, s.min_order_value)
        ));
    }
    if s.delivery_cost > 0.0 {
        orders.push(format!(
            "delivery cost {} each, shared by the lines by value",
            money(scenario, s.delivery_cost)
        ));
    }
    if !orders.is_empty() {
        lines.push(format!("orders: {}", orders.join("; ")));
    }
    lines
}

/// A budget in words: its amount per period, what it covers and what happens beyond it.
fn budget_terms(scenario: &Scenario, b: &Budget) -> String {
    let period = match b.period {
        BudgetPeriod::Week => "a week (days 0–6, 7–13, …)",
        BudgetPeriod::Month { .. } => "a calendar month",
    };
    let covers = match &b.suppliers {
        None => "orders to every supplier".to_string(),
        Some(list) => {
            let ids: Vec<&str> = list
                .iter()
                .map(|&j| scenario.suppliers[j].id.as_str())
                .collect();
            format!("orders to {}", ids.join(", "))
        }
    };
    let beyond = match b.when_exceeded {
        WhenExceeded::Wait => "an order line that does not fit waits for the budget (wait)",
        WhenExceeded::Trim => "an order line that does not fit is cut to what is left (trim)",
    };
    format!(
        "{} {period} for {covers}; {beyond}",
        money(scenario, b.amount)
    )
}

/// What a shelf life did to an item's rule: its target stock lowered to what demand uses
/// before the stock expires, or, for levels the scenario gave, a warning that stock will
/// expire.
fn shelf_life_line(item: &str, cap: &ShelfLifeCap) -> String {
    let usable = group_thousands(cap.usable_stock, 2);
    let before = group_thousands(cap.target_before, 2);
    let life = cap.shelf_life_days;
    if cap.capped {
        format!(
            "  shelf life of {item} ({life} days): target stock capped from {before} to \
             {usable} units, the demand it can use before the stock expires"
        )
    } else {
        format!(
            "  warning: {item}'s given levels aim at {before} units, more than the {usable} \
             its demand can use before its {life}-day shelf life ends: stock will expire"
        )
    }
}

/// How a re-sized rule's levels move over its periods: the range of each level, lowest to
/// highest ("reorder point 40–80").
fn resized_line(item: &str, periods: &[PeriodLevels]) -> String {
    let range = |values: Vec<f64>| -> Option<String> {
        let lo = values.iter().copied().reduce(f64::min)?;
        let hi = values.iter().copied().reduce(f64::max)?;
        Some(if lo == hi {
            group_thousands(lo, 2)
        } else {
            format!("{}–{}", group_thousands(lo, 2), group_thousands(hi, 2))
        })
    };
    let mut parts = vec![format!(
        "demand {} a day",
        range(periods.iter().map(|p| p.mean_daily_demand).collect()).unwrap_or_default()
    )];
    let figures: [(&str, Vec<f64>); 4] = [
        (
            "containers",
            periods
                .iter()
                .filter_map(|p| p.containers)
                .map(f64::from)
                .collect(),
        ),
        (
            "reorder point",
            periods.iter().map(|p| p.reorder_point).collect(),
        ),
        (
            "order qty",
            periods.iter().filter_map(|p| p.order_quantity).collect(),
        ),
        (
            "order-up-to",
            periods.iter().filter_map(|p| p.order_up_to).collect(),
        ),
    ];
    for (name, values) in figures {
        if let Some(r) = range(values) {
            parts.push(format!("{name} {r}"));
        }
    }
    format!(
        "    {item} over {} periods: {}",
        periods.len(),
        parts.join(", ")
    )
}
