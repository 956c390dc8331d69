//! The terminal comparison table that `run` prints: one column per policy, all items together,
//! in blocks of policies that fit the terminal.

use std::fmt::Write as _;

use crate::foundation::format::group_thousands;
use crate::foundation::stats::{Estimate, Interval};
use crate::presentation::format::{NO_INTERVAL, ValueKind, loop_days};
use crate::presentation::terminal;
use crate::results::summary::{DisruptionSummary, Resilience, Summary};
use crate::simulation::metrics::Metric;
use crate::simulation::supplier_metrics::{BudgetMetric, SupplierMetric};
use indexmap::IndexMap;

/// The metrics shown in the terminal table, with how to show them. Metrics that are zero for
/// every policy (no expediting, no rejections…) are left out of the table.
const TABLE: [(Metric, Format); 22] = [
    (Metric::FillRate, Format::Percent),
    (Metric::StockoutRate, Format::Percent),
    (Metric::StockoutDayRate, Format::Percent),
    (Metric::CycleServiceLevel, Format::Percent),
    (Metric::AvgOnHandUnits, Format::Number),
    (Metric::DaysOfSupply, Format::Number),
    (Metric::InventoryTurns, Format::Number),
    (Metric::CarryingCost, Format::Money),
    (Metric::OrderingCost, Format::Money),
    (Metric::StockoutCost, Format::Money),
    (Metric::ExpediteCost, Format::Money),
    (Metric::PurchasePremiumCost, Format::Money),
    (Metric::ExpiryCost, Format::Money),
    (Metric::ObsolescenceCost, Format::Money),
    (Metric::TotalCost, Format::Money),
    (Metric::OrdersPerYear, Format::Number),
    (Metric::SupplierOnTimeRate, Format::Percent),
    (Metric::ExpeditedUnits, Format::Number),
    (Metric::RejectedUnits, Format::Number),
    (Metric::CancelledUnits, Format::Number),
    (Metric::ExpiredUnits, Format::Number),
    (Metric::TimeToRecover, Format::Number),
];

#[derive(Clone, Copy)]
enum Format {
    Percent,
    Number,
    Money,
}

impl Format {
    fn value(self, x: f64) -> String {
        match self {
            Format::Percent => format!("{:.2}%", 100.0 * x),
            Format::Number => group_thousands(x, if x.abs() < 100.0 { 2 } else { 0 }),
            Format::Money => group_thousands(x, 0),
        }
    }

    /// A mean with the half-width of its 95% confidence interval.
    fn estimate(self, e: &Estimate) -> String {
        let half = plus_minus(e.ci95, |half| match self {
            Format::Percent => format!("{:.2}", 100.0 * half),
            _ => Format::Number.value(half),
        });
        format!("{} {half}", self.value(e.mean))
    }
}

/// "±0.09": the half-width of an interval, written by `write`; "±n/a" where there is none
/// (a single run, [`NO_INTERVAL`]).
fn plus_minus(ci: Option<Interval>, write: impl Fn(f64) -> String) -> String {
    ci.map_or_else(
        || "±n/a".to_string(),
        |ci| format!("±{}", write(ci.half_width())),
    )
}

/// The compact comparison table: one column per policy, all items together, mean ± CI
/// half-width, in blocks of policies that fit the terminal ([`terminal::table`]); then a line
/// on how to read the cells, the figures of shared suppliers and budgets where there are any
/// (a table like the first), the disruption log and the kanban loops where a policy uses
/// kanban.
///
/// Rows are labelled with the metric's name as summary.csv spells it, with spaces for
/// underscores (`fill rate` is `fill_rate`): short enough to leave room for three or four
/// policies beside it, and found in the files and the README's metric definitions at once.
pub fn comparison_table(summary: &Summary) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![format!(
        "{} runs, all items",
        group_thousands(summary.runs as f64, 0)
    )];
    header.extend(summary.policies.iter().map(|p| p.policy.clone()));
    rows.push(header);
    for (metric, format) in TABLE {
        let estimates: Vec<Option<&Estimate>> = summary
            .policies
            .iter()
            .map(|p| p.metrics.get(metric.name()))
            .collect();
        if estimates
            .iter()
            .all(|e| e.is_none_or(|e| e.mean == 0.0 && e.ci95.is_none_or(|ci| ci.high == 0.0)))
        {
            continue;
        }
        let mut row = vec![label(metric.name())];
        row.extend(
            estimates
                .iter()
                .map(|e| e.map_or_else(|| "–".to_string(), |e| format.estimate(e))),
        );
        rows.push(row);
    }
    if summary.disruptions.is_some() {
        resilience_rows(summary, &mut rows);
    }
    let mut out = terminal::table(&rows);
    out.push_str(if summary.disruptions.is_some() {
        "cells: mean ± half-width of its 95% confidence interval (worst 1%: p99 [interval]); \
         costs per year\n"
    } else {
        "cells: mean ± half-width of its 95% confidence interval; costs per year\n"
    });
    if let Some(block) = supplier_block(summary) {
        out.push('\n');
        out.push_str(&block);
    }
    if let Some(log) = &summary.disruptions {
        out.push_str(&disruption_log(log));
    }
    let kanban: Vec<String> = summary
        .policies
        .iter()
        .flat_map(|p| {
            p.kanban.iter().map(move |k| {
                format!(
                    "  {} / {}: {} containers × {} = {} units, {}{}{}",
                    p.policy,
                    k.item,
                    k.kanban.containers,
                    k.kanban.container_size,
                    k.kanban.total_units,
                    loop_days(k.kanban.days_of_supply),
                    if k.kanban.days_of_supply.is_some() {
                        " of supply"
                    } else {
                        ""
                    },
                    if k.kanban.computed {
                        ""
                    } else {
                        " (count given)"
                    }
                )
            })
        })
        .collect();
    if !kanban.is_empty() {
        out.push_str("\nkanban loops:\n");
        for line in kanban {
            out.push_str(&terminal::wrap(&line));
            out.push('\n');
        }
    }
    if !summary.targets.is_empty() {
        out.push_str("\ntargets (met: the whole 95% interval of the mean is within):\n");
        for t in &summary.targets {
            let verdicts: Vec<String> = t
                .policies
                .iter()
                .map(|p| format!("{} {}", p.policy, p.verdict.word()))
                .collect();
            let line = format!(
                "  {} {} {}: {}",
                label(&t.metric),
                t.bound.operator(),
                ValueKind::of(&t.metric).value(t.value),
                verdicts.join(", ")
            );
            out.push_str(&terminal::wrap(&line));
            out.push('\n');
        }
    }
    out
}

/// The supplier figures the terminal shows, with how to show them: whether the shared capacity
/// held, how long orders waited for it and how often it cut them, and how many deliveries the
/// joint orders made. The others are in summary.json, summary.csv and the report.
const SUPPLIER_TABLE: [(SupplierMetric, Format); 4] = [
    (SupplierMetric::CapacityUtilisation, Format::Percent),
    (SupplierMetric::BacklogDays, Format::Number),
    (SupplierMetric::AllocationCutDays, Format::Number),
    (SupplierMetric::DeliveriesPerYear, Format::Number),
];

/// The budget figures the terminal shows.
const BUDGET_TABLE: [(BudgetMetric, Format); 2] = [
    (BudgetMetric::BudgetUsed, Format::Percent),
    (BudgetMetric::BudgetBoundDays, Format::Number),
];

/// A block for the suppliers whose items are simulated together and for the budgets, one
/// column per policy like the table above: a heading row per supplier (budget), then its
/// figures, `undefined` where no run defines one (the utilisation of an unlimited capacity);
/// `None` when the summary has none.
fn supplier_block(summary: &Summary) -> Option<String> {
    let mut suppliers: Vec<&str> = Vec::new();
    let mut budgets: Vec<&str> = Vec::new();
    for p in &summary.policies {
        for s in &p.suppliers {
            if !suppliers.contains(&s.supplier.as_str()) {
                suppliers.push(&s.supplier);
            }
        }
        for b in &p.budgets {
            if !budgets.contains(&b.budget.as_str()) {
                budgets.push(&b.budget);
            }
        }
    }
    if suppliers.is_empty() && budgets.is_empty() {
        return None;
    }
    let cell = |metrics: Option<&IndexMap<&'static str, Estimate>>, name: &str, f: Format| {
        metrics.map_or_else(
            || "–".to_string(),
            |m| {
                m.get(name)
                    .map_or_else(|| "undefined".to_string(), |e| f.estimate(e))
            },
        )
    };
    let mut header = vec!["suppliers, budgets".to_string()];
    header.extend(summary.policies.iter().map(|p| p.policy.clone()));
    let mut rows = vec![header];
    for id in suppliers {
        rows.push(vec![format!("supplier {id}:")]);
        for (metric, format) in SUPPLIER_TABLE {
            let mut row = vec![format!("  {}", label(metric.name()))];
            row.extend(summary.policies.iter().map(|p| {
                let metrics = p.suppliers.iter().find(|s| s.supplier == id);
                cell(metrics.map(|s| &s.metrics), metric.name(), format)
            }));
            rows.push(row);
        }
    }
    for id in budgets {
        rows.push(vec![format!("budget {id}:")]);
        for (metric, format) in BUDGET_TABLE {
            let mut row = vec![format!("  {}", label(metric.name()))];
            row.extend(summary.policies.iter().map(|p| {
                let metrics = p.budgets.iter().find(|b| b.budget == id);
                cell(metrics.map(|b| &b.metrics), metric.name(), format)
            }));
            rows.push(row);
        }
    }
    Some(terminal::table(&rows))
}

/// A row's label: the metric's name with spaces for underscores.
fn label(name: &str) -> String {
    name.replace('_', " ")
}

/// Rows for how each policy holds up under disruption (all items): the stockout rate by kind
/// of run, under a heading row of its own so that the labels stay short.
fn resilience_rows(summary: &Summary, rows: &mut Vec<Vec<String>>) {
    let percent =
        |e: Option<&Estimate>| e.map_or_else(|| "–".to_string(), |e| Format::Percent.estimate(e));
    let cells = |label: &str, cell: &dyn Fn(&Resilience) -> String| {
        let mut row = vec![label.to_string()];
        row.extend(
            summary
                .policies
                .iter()
                .map(|p| p.resilience.as_ref().map_or_else(|| "–".into(), cell)),
        );
        row
    };
    rows.push(vec!["stockout rate by run:".to_string()]);
    rows.push(cells("  runs with events", &|r| {
        percent(r.stockout_rate_disrupted_runs.as_ref())
    }));
    rows.push(cells("  runs without events", &|r| {
        percent(r.stockout_rate_undisrupted_runs.as_ref())
    }));
    rows.push(cells("  worst 1% (p99)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                let ci = t.quantile_ci95.map_or_else(
                    || NO_INTERVAL.to_string(),
                    |ci| format!("{:.2}, {:.2}", 100.0 * ci.low, 100.0 * ci.high),
                );
                format!("{:.2}% [{ci}]", 100.0 * t.quantile)
            },
        )
    }));
    rows.push(cells("  worst 5% (mean)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                format!(
                    "{:.2}% {}",
                    100.0 * t.tail_mean,
                    plus_minus(t.tail_mean_ci95, |h| format!("{:.2}", 100.0 * h))
                )
            },
        )
    }));
}

/// The disruption log: what happened, per run, the same for every policy.
fn disruption_log(log: &DisruptionSummary) -> String {
    let mut out = String::from("\ndisruptions per run (the same for every policy):\n");
    for d in &log.by_disruption {
        let line = format!(
            "  {} ({}): {:.2} events {}, {:.1} active days {}",
            d.disruption,
            d.kind.name(),
            d.events.mean,
            plus_minus(d.events.ci95, |h| format!("{h:.2}")),
            d.active_days.mean,
            plus_minus(d.active_days.ci95, |h| format!("{h:.1}"))
        );
        let _ = writeln!(out, "{}", terminal::wrap(&line));
    }
    let e = &log.disrupted_supplier_days;
    let _ = write!(
        out,
        "  disrupted supplier-days: {:.1} {}",
        e.mean,
        plus_minus(e.ci95, |h| format!("{h:.1}"))
    );
    if let Some(share) = &log.runs_with_events {
        let _ = write!(
            out,
            "; runs with at least one event: {:.1}%",
            100.0 * share.mean
        );
    }
    out.push('\n');
    out
}
