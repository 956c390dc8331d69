//! The terminal comparison table that `run` prints: one column per policy, all items together.

use std::fmt::Write as _;

use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::presentation::format::loop_days;
use crate::results::summary::{DisruptionSummary, Resilience, Summary};
use crate::simulation::metrics::Metric;

/// The metrics shown in the terminal table, with how to show them. Metrics that are zero for
/// every policy (no expediting, no rejections…) are left out of the table.
const TABLE: [(Metric, Format); 19] = [
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
    (Metric::TotalCost, Format::Money),
    (Metric::OrdersPerYear, Format::Number),
    (Metric::SupplierOnTimeRate, Format::Percent),
    (Metric::ExpeditedUnits, Format::Number),
    (Metric::RejectedUnits, Format::Number),
    (Metric::CancelledUnits, Format::Number),
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
        let half = (e.ci95_high - e.ci95_low) / 2.0;
        let half = match self {
            Format::Percent => format!("{:.2}", 100.0 * half),
            _ => Format::Number.value(half),
        };
        format!("{} ±{half}", self.value(e.mean))
    }
}

/// The compact comparison table: one column per policy, all items together, mean ± CI
/// half-width. Followed by the kanban loops where a policy uses kanban.
pub fn comparison_table(summary: &Summary) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![format!("{} runs, all items", summary.runs)];
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
            .all(|e| e.is_none_or(|e| e.mean == 0.0 && e.ci95_high == 0.0))
        {
            continue;
        }
        let mut row = vec![metric.name().to_string()];
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
    let mut out = render(&rows);
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
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Rows for how each policy holds up under disruption (all items).
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
    rows.push(cells("stockout_rate, runs with events", &|r| {
        percent(r.stockout_rate_disrupted_runs.as_ref())
    }));
    rows.push(cells("stockout_rate, runs without", &|r| {
        percent(r.stockout_rate_undisrupted_runs.as_ref())
    }));
    rows.push(cells("stockout_rate, worst 1% (p99)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                format!(
                    "{:.2}% [{:.2}, {:.2}]",
                    100.0 * t.quantile,
                    100.0 * t.quantile_ci95_low,
                    100.0 * t.quantile_ci95_high
                )
            },
        )
    }));
    rows.push(cells("stockout_rate, worst 5% (mean)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                format!(
                    "{:.2}% ±{:.2}",
                    100.0 * t.tail_mean,
                    50.0 * (t.tail_mean_ci95_high - t.tail_mean_ci95_low)
                )
            },
        )
    }));
}

/// The disruption log: what happened, per run, the same for every policy.
fn disruption_log(log: &DisruptionSummary) -> String {
    let mut out = String::from("\ndisruptions per run (the same for every policy):\n");
    for d in &log.by_disruption {
        let _ = writeln!(
            out,
            "  {} ({}): {:.2} events ±{:.2}, {:.1} active days ±{:.1}",
            d.disruption,
            d.kind.name(),
            d.events.mean,
            (d.events.ci95_high - d.events.ci95_low) / 2.0,
            d.active_days.mean,
            (d.active_days.ci95_high - d.active_days.ci95_low) / 2.0
        );
    }
    let e = &log.disrupted_supplier_days;
    let _ = write!(
        out,
        "  disrupted supplier-days: {:.1} ±{:.1}",
        e.mean,
        (e.ci95_high - e.ci95_low) / 2.0
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

/// Align a table of cells: first column left, the others right.
pub(crate) fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
        if r == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (columns - 1)));
            out.push('\n');
        }
    }
    out
}
