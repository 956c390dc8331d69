//! What `buffersim trace` says about the runs it traced: `trace.md` (which runs, why, and each
//! run's totals item by item) and the short summary it prints.
//!
//! Every figure is the engine's count for the run over its measured days, the same numbers
//! the run contributed to the summary's metrics; the day-by-day CSV adds up to them.

use std::fmt::Write as _;

use crate::foundation::format::group_thousands;
use crate::presentation::format::ValueKind;
use crate::results::trace::{RunTrace, RunTraces, Selection};
use crate::simulation::metrics::{Metric, RunTotals};

/// A metric's value in one run as people read it, or "n/a" where it is undefined (a fill rate
/// without demand).
fn metric_text(metric: Metric, totals: &RunTotals) -> String {
    metric
        .value(totals)
        .map_or_else(|| "n/a".into(), |v| ValueKind::of(metric.name()).value(v))
}

/// Units as people read them: whole numbers grouped, fractions with two decimals.
fn units(x: f64) -> String {
    group_thousands(x, if x.fract() == 0.0 { 0 } else { 2 })
}

/// "the 3 worst of 2,000 runs (seed 7) by stockout_rate of all items, the highest first" or
/// "run 5 of 2,000 runs (seed 7)".
fn selection_text(traces: &RunTraces) -> String {
    let runs = group_thousands(traces.runs as f64, 0);
    match &traces.selection {
        Selection::Given => {
            let run = traces.traced.first().map_or(0, |r| r.run);
            format!("run {run} of {runs} (seed {})", traces.seed)
        }
        Selection::Worst {
            metric,
            item,
            count,
        } => {
            let of = item
                .as_deref()
                .map_or_else(|| "all items".to_string(), |i| format!("item {i}"));
            let order = if metric.higher_is_better() {
                "the lowest first"
            } else {
                "the highest first"
            };
            let found = traces.traced.len();
            let shortfall = if found < *count {
                format!(
                    " ({count} asked for; {} defined in only {found} runs)",
                    metric.name()
                )
            } else {
                String::new()
            };
            format!(
                "the {found} worst of {runs} runs (seed {}) by {} of {of}, {order}{shortfall}",
                traces.seed,
                metric.name()
            )
        }
    }
}

/// "first stockout on day 77 (controller-board) during overseas-outage, asia-port-congestion";
/// with dates, the date first among the notes: "on day 77 (2027-03-23; controller-board)".
fn first_stockout_text(traces: &RunTraces, run: &RunTrace) -> String {
    let Some(first) = run.first_stockout() else {
        return "no stockout on a measured day".into();
    };
    let mut notes = Vec::new();
    if let Some(date) = traces.calendar().date(first.day as u32) {
        notes.push(date.to_string());
    }
    if run.items.len() > 1 {
        notes.push(first.items.join(", "));
    }
    if first.began < first.day {
        notes.push(format!(
            "short since {}, in the warm-up",
            traces.day_name(first.began)
        ));
    }
    let items = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join("; "))
    };
    let during = if first.disruptions.is_empty() {
        "with no disruption active".to_string()
    } else {
        let ids: Vec<&str> = first
            .disruptions
            .iter()
            .map(|&k| traces.disruptions[k].as_str())
            .collect();
        format!("during {}", ids.join(", "))
    };
    format!("first stockout on day {}{items} {during}", first.day)
}

/// ", 2027-01-05 to 2028-01-04": the dates of the horizon, when the runs have dates.
fn dates_of_days(traces: &RunTraces) -> String {
    let calendar = traces.calendar();
    match (
        calendar.date(0),
        calendar.date(traces.horizon_days.saturating_sub(1)),
    ) {
        (Some(first), Some(last)) => format!(", {first} to {last}"),
        _ => String::new(),
    }
}

/// One line per traced run: the ranking value, stockout days, units short, the first stockout.
fn run_line(traces: &RunTraces, run: &RunTrace) -> String {
    let totals = run.traced_totals();
    let ranked = match (&traces.selection, run.ranked) {
        (Selection::Worst { metric, .. }, Some(v)) => {
            format!(
                "{} {}; ",
                metric.name(),
                ValueKind::of(metric.name()).value(v)
            )
        }
        _ => String::new(),
    };
    let days = if run.items.len() > 1 {
        "item-days short"
    } else {
        "stockout days"
    };
    format!(
        "run {}: {ranked}{} {days}, {} units short; {}",
        run.run,
        units(totals.units.stockout_days),
        units(totals.units.short),
        first_stockout_text(traces, run)
    )
}

/// "policy 'kanban', all items" or "policy 'kanban', item controller-board".
fn scope_text(traces: &RunTraces) -> String {
    match &traces.item {
        Some(item) => format!("policy '{}', item {item}", traces.policy),
        None => format!("policy '{}', all items", traces.policy),
    }
}

/// What `buffersim trace` prints: which runs, and a line for each.
pub(crate) fn trace_text(traces: &RunTraces) -> String {
    let mut out = format!(
        "traced {} — {}, {}:\n",
        selection_text(traces),
        traces.scenario,
        scope_text(traces)
    );
    if traces.traced.is_empty() {
        out.push_str("  no run has the metric defined, so none was traced\n");
    }
    for run in &traces.traced {
        let _ = writeln!(out, "  {}", run_line(traces, run));
    }
    // Within the terminal's 100 columns, each line wrapped with a hanging indent.
    crate::presentation::terminal::wrap_all(&out)
}

/// `trace.md`: the runs traced and why, each with its totals item by item and its files.
pub(crate) fn trace_markdown(traces: &RunTraces) -> String {
    let mut md = format!(
        "# Trace of policy '{}' — {}\n\n",
        traces.policy, traces.scenario
    );
    let _ = writeln!(
        md,
        "Runs traced: {}. Runs are numbered from 0; with the seed, a run's number fixes every \
         random draw it makes, so `buffersim trace SCENARIO --policy {} --run N --seed {}` \
         traces the same run again.\n",
        selection_text(traces),
        traces.policy,
        traces.seed
    );
    let items = match &traces.item {
        Some(item) => format!("item {item} only (`--item`)"),
        None => "every item".to_string(),
    };
    let warmup = match traces.warmup_days {
        0 => "no warm-up".to_string(),
        w => format!(
            "days 0–{} are warm-up: traced, marked `measured = false` in the CSV, and left out \
             of every figure, as in the summary",
            w - 1
        ),
    };
    let _ = writeln!(
        md,
        "Each run's `trace-run-N.csv` holds {items}, day by day over days 0–{}{} ({warmup}); \
         README, \"Trace\", defines its columns. The figures below are the engine's counts \
         over the measured days: what the run contributed to the summary's metrics, and what \
         the CSV's columns add up to over its measured rows.\n",
        traces.horizon_days.saturating_sub(1),
        dates_of_days(traces),
    );
    let ranked = match &traces.selection {
        Selection::Worst { metric, .. } => Some(*metric),
        Selection::Given => None,
    };
    // The runs at a glance.
    md.push_str("| run |");
    if let Some(metric) = ranked {
        let _ = write!(md, " {} |", metric.name());
    }
    md.push_str(" fill rate | stockout days | units short | first stockout |\n|---|");
    if ranked.is_some() {
        md.push_str("---|");
    }
    md.push_str("---|---|---|---|\n");
    for run in &traces.traced {
        let totals = run.traced_totals();
        let _ = write!(md, "| [{}](#run-{}) |", run.run, run.run);
        if let (Some(metric), Some(v)) = (ranked, run.ranked) {
            let _ = write!(md, " {} |", ValueKind::of(metric.name()).value(v));
        }
        let first = run
            .first_stockout()
            .map_or_else(|| "none".to_string(), |f| traces.day_name(f.day));
        let _ = writeln!(
            md,
            " {} | {} | {} | {first} |",
            metric_text(Metric::FillRate, totals),
            units(totals.units.stockout_days),
            units(totals.units.short),
        );
    }
    for (rank, run) in traces.traced.iter().enumerate() {
        md.push_str(&run_section(traces, run, rank));
    }
    md
}

/// One run's section of `trace.md`.
fn run_section(traces: &RunTraces, run: &RunTrace, rank: usize) -> String {
    let mut md = format!("\n## Run {}\n\n", run.run);
    let why = match (&traces.selection, run.ranked) {
        (Selection::Worst { metric, .. }, Some(v)) => format!(
            "number {} of the worst by {}: {}",
            rank + 1,
            metric.name(),
            ValueKind::of(metric.name()).value(v)
        ),
        _ => "named with `--run`".to_string(),
    };
    let stem = crate::results::trace::trace_file_stem(run.run);
    let _ = writeln!(md, "- traced because: {why}");
    let _ = writeln!(md, "- {}", first_stockout_text(traces, run));
    let _ = writeln!(
        md,
        "- files: [{stem}.csv]({stem}.csv), chart [{stem}.svg]({stem}.svg) ([PNG]({stem}.png))\n"
    );
    let short = if traces.backorder {
        (Metric::BackorderedUnits, "backordered units")
    } else {
        (Metric::LostUnits, "lost units")
    };
    let _ = writeln!(
        md,
        "| item | demand | served | units short | {} | stockout days | fill rate | order lines \
         | avg on hand units |\n|---|---|---|---|---|---|---|---|---|",
        short.1
    );
    let mut rows: Vec<(&str, &RunTotals)> = run
        .items
        .iter()
        .map(|i| (i.item.as_str(), &i.totals))
        .collect();
    if run.items.len() > 1 {
        rows.push(("(all items)", &run.all));
    }
    for (name, t) in rows {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            units(t.units.demand),
            units(t.units.served),
            units(t.units.short),
            metric_text(short.0, t),
            units(t.units.stockout_days),
            metric_text(Metric::FillRate, t),
            units(t.units.order_lines),
            metric_text(Metric::AvgOnHandUnits, t),
        );
    }
    md.push_str(&format!("\n![Run {} day by day]({stem}.svg)\n", run.run));
    md
}
