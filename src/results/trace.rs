//! Traced runs as data, and `trace-run-N.csv`: chosen runs of one policy, day by day and item
//! by item, as the engine's daily loop computed them (`buffersim trace`).
//!
//! The records are plain data of the results layer, so that the presentation can draw and
//! describe them without knowing how the runs were chosen and replayed (the analysis layer
//! does that).

use std::fmt::Write as _;

use crate::foundation::date::{Calendar, Date};
use crate::model::disruption::Spell;
use crate::simulation::metrics::{Metric, RunTotals};
use crate::simulation::trace::TraceDay;

use super::files::csv_field;

/// Why the traced runs are the ones traced.
#[derive(Clone, Debug, PartialEq)]
pub enum Selection {
    /// The run was named (`--run N`).
    Given,
    /// The `count` worst runs by `metric` (`--worst K --by METRIC`), of the item `item` or of
    /// all items (`None`).
    Worst {
        /// What the runs were ranked by.
        metric: Metric,
        /// The item whose figure ranked them; `None` for the policy's figure over all items.
        item: Option<String>,
        /// How many runs were asked for.
        count: usize,
    },
}

/// The runs `buffersim trace` traced, and what they were chosen from.
#[derive(Clone, Debug)]
pub struct RunTraces {
    /// The scenario's name.
    pub scenario: String,
    /// The policy traced.
    pub policy: String,
    /// Its position in the scenario, which gives it its colour in every chart.
    pub policy_index: usize,
    /// The runs the traced ones were chosen from (`0..runs`).
    pub runs: u64,
    /// The master seed: with the run index, it fixes every random draw of a run.
    pub seed: u64,
    /// Days simulated per run, the warm-up included.
    pub horizon_days: u32,
    /// Days at the start of a run that are simulated but not measured.
    pub warmup_days: u32,
    /// The day of the year (0 = 1 January) day 0 of a run falls on.
    pub start_day_of_year: u32,
    /// The date of day 0 of a run, when the scenario gives one.
    pub start_date: Option<Date>,
    /// Whether unmet demand is backordered (else lost).
    pub backorder: bool,
    /// Why these runs.
    pub selection: Selection,
    /// The one item traced (`--item`), or `None` for every item.
    pub item: Option<String>,
    /// The scenario's disruption ids, in its order: what [`TracedItem::events`] refers to.
    pub disruptions: Vec<String>,
    /// The runs traced, in the order chosen (worst first).
    pub traced: Vec<RunTrace>,
}

/// One traced run.
#[derive(Clone, Debug)]
pub struct RunTrace {
    /// The run's index (from 0).
    pub run: u64,
    /// The ranking metric's value in the run, when the runs were ranked.
    pub ranked: Option<f64>,
    /// The policy's totals over all items in the run: what the summary's policy-level figures
    /// of this run are made of.
    pub all: RunTotals,
    /// The items traced, in scenario order.
    pub items: Vec<TracedItem>,
}

impl RunTraces {
    /// Where the days of the runs fall in the year.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.start_date, self.start_day_of_year)
    }

    /// "day 77", or with dates "day 77 (2027-03-23)": a day of a run as people read it.
    pub fn day_name(&self, day: usize) -> String {
        match self.calendar().date(day as u32) {
            Some(date) => format!("day {day} ({date})"),
            None => format!("day {day}"),
        }
    }
}

/// One item of a traced run.
#[derive(Clone, Debug)]
pub struct TracedItem {
    /// The item's id.
    pub item: String,
    /// The item's totals in the run (over the measured days).
    pub totals: RunTotals,
    /// Every day of the horizon, the warm-up included.
    pub days: Vec<TraceDay>,
    /// The run's events of the disruptions that can reach the item (through its suppliers or
    /// its demand): the disruption's index in [`RunTraces::disruptions`], and its days.
    pub events: Vec<(usize, Spell)>,
}

impl TracedItem {
    /// The disruptions reaching the item that are active on `day`, each once, in scenario
    /// order.
    pub fn active_on(&self, day: usize) -> Vec<usize> {
        let mut active: Vec<usize> = self
            .events
            .iter()
            .filter(|(_, s)| s.start <= day && day < s.end)
            .map(|&(k, _)| k)
            .collect();
        active.sort_unstable();
        active.dedup();
        active
    }
}

/// The first measured day on which a traced item ran short, the items short that day, and the
/// disruptions reaching them that were active then.
#[derive(Clone, Debug, PartialEq)]
pub struct FirstStockout {
    /// The day (from 0).
    pub day: usize,
    /// The first day of the shortfall still going on then: `day`, or a day of the warm-up
    /// when some of the items were short every day since.
    pub began: usize,
    /// The items short that day.
    pub items: Vec<String>,
    /// Indices into [`RunTraces::disruptions`], in scenario order.
    pub disruptions: Vec<usize>,
}

impl RunTrace {
    /// The first measured day some traced item could not serve all demand from stock.
    pub fn first_stockout(&self) -> Option<FirstStockout> {
        let horizon = self.items.first()?.days.len();
        let day = (0..horizon).find(|&t| {
            self.items
                .iter()
                .any(|i| i.days[t].measured && i.days[t].short > 0.0)
        })?;
        let short: Vec<&TracedItem> = self
            .items
            .iter()
            .filter(|i| i.days[day].short > 0.0)
            .collect();
        let mut disruptions: Vec<usize> = short.iter().flat_map(|i| i.active_on(day)).collect();
        disruptions.sort_unstable();
        disruptions.dedup();
        let mut began = day;
        while began > 0 && short.iter().any(|i| i.days[began - 1].short > 0.0) {
            began -= 1;
        }
        Some(FirstStockout {
            day,
            began,
            items: short.iter().map(|i| i.item.clone()).collect(),
            disruptions,
        })
    }

    /// The totals of the items traced: the policy's over all items, or the one item's.
    pub fn traced_totals(&self) -> &RunTotals {
        match self.items.as_slice() {
            [one] => &one.totals,
            _ => &self.all,
        }
    }
}

/// The file names of run `run`'s trace: `trace-run-N` with `.csv`, `.svg` and `.png`.
pub(crate) fn trace_file_stem(run: u64) -> String {
    format!("trace-run-{run}")
}

/// Whether `name` is a file `buffersim trace` writes: `trace.md`, or a run's CSV or chart.
pub(crate) fn is_trace_file(name: &str) -> bool {
    if name == "trace.md" {
        return true;
    }
    let Some(rest) = name.strip_prefix("trace-run-") else {
        return false;
    };
    let Some((run, ext)) = rest.split_once('.') else {
        return false;
    };
    !run.is_empty()
        && run.bytes().all(|b| b.is_ascii_digit())
        && ["csv", "svg", "png"].contains(&ext)
}

/// The columns of `trace-run-N.csv` (README, "Trace"); a scenario with `start_date` has a
/// `date` column after `day`.
pub const TRACE_COLUMNS: [&str; 20] = [
    "day",
    "measured",
    "item",
    "demand",
    "served",
    "short",
    "lost",
    "backordered",
    "receipts",
    "rejected",
    "ordered",
    "order_lines",
    "expedited",
    "cancelled",
    "expired",
    "queued_at_supplier",
    "in_transit",
    "on_hand",
    "reserve",
    "disruptions",
];

/// A figure as the engine holds it: the shortest text that reads back as the same number, so
/// that sums of the column equal the engine's sums bit for bit.
fn figure(x: f64) -> String {
    // Adding zero writes a negative zero as 0.
    format!("{}", x + 0.0)
}

/// `trace-run-N.csv` of one traced run: one row per day and item, day by day (every item of
/// day 0, then of day 1, …), warm-up days included and marked.
pub(crate) fn trace_csv(traces: &RunTraces, run: &RunTrace) -> String {
    let calendar = traces.calendar();
    let mut columns = TRACE_COLUMNS.to_vec();
    if traces.start_date.is_some() {
        columns.insert(1, "date");
    }
    let mut out = columns.join(",");
    out.push('\n');
    let horizon = run.items.first().map_or(0, |i| i.days.len());
    let ids: Vec<String> = run.items.iter().map(|i| csv_field(&i.item)).collect();
    for t in 0..horizon {
        for (item, id) in run.items.iter().zip(&ids) {
            let d = &item.days[t];
            let active: Vec<&str> = item
                .active_on(t)
                .into_iter()
                .map(|k| traces.disruptions[k].as_str())
                .collect();
            let date = calendar
                .date(d.day as u32)
                .map_or_else(String::new, |date| format!(",{date}"));
            let _ = writeln!(
                out,
                "{}{date},{},{id},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                d.day,
                d.measured,
                figure(d.demand),
                figure(d.served),
                figure(d.short),
                figure(d.lost),
                figure(d.backordered),
                figure(d.receipts),
                figure(d.rejected),
                figure(d.ordered),
                d.order_lines,
                figure(d.expedited),
                figure(d.cancelled),
                figure(d.expired),
                figure(d.queued_at_supplier),
                figure(d.in_transit),
                figure(d.on_hand),
                figure(d.reserve),
                csv_field(&active.join(";")),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trace_files_are_told_from_others() {
        for name in [
            "trace.md",
            "trace-run-0.csv",
            "trace-run-1412.svg",
            "trace-run-7.png",
        ] {
            assert!(is_trace_file(name), "{name}");
        }
        for name in [
            "summary.json",
            "trace-run-.csv",
            "trace-run-1.json",
            "trace-run-x.csv",
            "charts/trace-run-1.svg",
            "trace-run-1.csv.tmp",
        ] {
            assert!(!is_trace_file(name), "{name}");
        }
    }

    #[test]
    fn active_disruptions_are_listed_once_in_scenario_order() {
        let item = TracedItem {
            item: "a".into(),
            totals: RunTotals::default(),
            days: Vec::new(),
            events: vec![
                (2, Spell { start: 5, end: 8 }),
                (0, Spell { start: 6, end: 7 }),
                (2, Spell { start: 7, end: 9 }),
            ],
        };
        assert_eq!(item.active_on(4), Vec::<usize>::new());
        assert_eq!(item.active_on(6), [0, 2]);
        assert_eq!(item.active_on(7), [2]);
        assert_eq!(item.active_on(9), Vec::<usize>::new());
    }
}
