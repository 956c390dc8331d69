//! `buffersim trace`: chosen runs of one policy, day by day — a run named by its index, or the
//! worst runs by a metric.
//!
//! A run is fixed by the seed and its index, so it can be replayed alone
//! ([`crate::simulation::engine::replay`]), through the engine's own steps with a recorder
//! listening to the daily loop. To find the worst runs, every run is simulated as `run` would
//! simulate it while a bounded heap keeps the K worst ([`crate::simulation::worst`]); then only
//! those are replayed. The replay of each must give the totals the simulation ranked, to the
//! bit: a check made on every trace, so that a trace can never show another run than the one
//! the summary counted.

use rayon::prelude::*;

use crate::model::scenario::{Scenario, UnmetDemand};
use crate::presentation::charts::{Chart, ChartError, trace_chart};
use crate::presentation::trace::trace_markdown;
use crate::results::files::FileSet;
use crate::results::trace::{
    RunTrace, RunTraces, Selection, TracedItem, is_trace_file, trace_csv, trace_file_stem,
};
use crate::simulation::engine::Simulation;
use crate::simulation::engine::replay::Replay;
use crate::simulation::metrics::Metric;
use crate::simulation::trace::ItemTrace;
use crate::simulation::worst::{RankedRun, WorstBy};

/// Most runs one trace may hold: each writes a CSV of horizon × items rows and a chart.
pub const MAX_TRACED_RUNS: usize = 100;

/// Which runs to trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pick {
    /// The run with this index (from 0).
    Run(u64),
    /// The `count` worst runs by `metric`.
    Worst {
        /// How many runs.
        count: usize,
        /// What ranks them ([`Metric::higher_is_better`] says which end is worst).
        metric: Metric,
    },
}

/// What to trace.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// The policy, by index in the scenario.
    pub policy: usize,
    /// The one item to trace (and, with [`Pick::Worst`], whose figure ranks the runs); `None`
    /// for every item, ranked by the policy's figure over all items.
    pub item: Option<usize>,
    /// Which runs.
    pub pick: Pick,
    /// The runs to choose from: `0..runs`.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
}

impl Request {
    /// Whether the runs asked for exist: a run number below the run count, a number of worst
    /// runs from 1 to [`MAX_TRACED_RUNS`] and no more than the runs. (The policy and item are
    /// indices, checked when they were looked up by name.)
    pub fn check(&self) -> anyhow::Result<()> {
        match self.pick {
            Pick::Run(run) if run >= self.runs => anyhow::bail!(
                "--run {run} is not one of the {} runs: runs are numbered from 0, so give --run \
                 from 0 to {}, or more --runs",
                self.runs,
                self.runs - 1
            ),
            Pick::Worst { count, .. } if !(1..=MAX_TRACED_RUNS).contains(&count) => {
                anyhow::bail!(
                    "--worst must be from 1 to {MAX_TRACED_RUNS} (got {count}): each run traced \
                     writes a day-by-day CSV and a chart"
                )
            }
            Pick::Worst { count, .. } if count as u64 > self.runs => anyhow::bail!(
                "--worst {count} asks for more runs than the {} simulated; give --worst {} or \
                 less, or more --runs",
                self.runs,
                self.runs
            ),
            _ => Ok(()),
        }
    }
}

/// Trace the runs `request` asks for. `progress` hears how many runs the search for the worst
/// runs has simulated.
pub fn trace(
    scenario: &Scenario,
    request: &Request,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<RunTraces> {
    request.check()?;
    let (runs, selection): (Vec<(u64, Option<RankedRun>)>, _) = match request.pick {
        Pick::Run(run) => (vec![(run, None)], Selection::Given),
        Pick::Worst { count, metric } => {
            let mut simulation = Simulation::new(scenario, request.seed, None);
            simulation.keep_worst(WorstBy {
                policy: request.policy,
                item: request.item,
                metric,
                count,
            });
            simulation.extend_to(request.runs, progress);
            let worst = simulation
                .worst_runs()
                .into_iter()
                .map(|r| (r.run, Some(r)))
                .collect();
            let selection = Selection::Worst {
                metric,
                item: request.item.map(|i| scenario.items[i].id.clone()),
                count,
            };
            (worst, selection)
        }
    };
    let mut replay = Replay::new(scenario, request.seed);
    let traced = runs
        .into_iter()
        .map(|(run, ranked)| replay_run(scenario, &mut replay, request, run, ranked))
        .collect::<anyhow::Result<_>>()?;
    Ok(RunTraces {
        scenario: scenario.name.clone(),
        policy: scenario.policies[request.policy].name.clone(),
        policy_index: request.policy,
        runs: request.runs,
        seed: request.seed,
        horizon_days: scenario.horizon_days,
        warmup_days: scenario.warmup_days,
        start_day_of_year: scenario.start_day_of_year,
        start_date: scenario.start_date,
        backorder: scenario.unmet_demand == UnmetDemand::Backorder,
        selection,
        item: request.item.map(|i| scenario.items[i].id.clone()),
        disruptions: scenario.disruptions.iter().map(|d| d.id.clone()).collect(),
        traced,
    })
}

/// Replay run `run` with every item recorded, keep the items asked for, and check the replay
/// against the totals the simulation ranked it by.
fn replay_run(
    scenario: &Scenario,
    replay: &mut Replay<'_>,
    request: &Request,
    run: u64,
    ranked: Option<RankedRun>,
) -> anyhow::Result<RunTrace> {
    let horizon = scenario.horizon_days as usize;
    let backorder = scenario.unmet_demand == UnmetDemand::Backorder;
    let mut recorders: Vec<ItemTrace> = scenario
        .items
        .iter()
        .map(|_| ItemTrace::new(horizon, backorder))
        .collect();
    let replayed = replay.replay(run, request.policy, &mut recorders);
    if let Some(ranked) = &ranked {
        let replayed_totals = request.item.map_or(&replayed.all, |i| &replayed.items[i]);
        if *replayed_totals != ranked.totals {
            anyhow::bail!(
                "internal error: replaying run {run} gave other totals than simulating it; \
                 please report this with the scenario and seed {}",
                request.seed
            );
        }
    }
    let items = recorders
        .into_iter()
        .enumerate()
        .filter(|&(i, _)| request.item.is_none_or(|only| only == i))
        .map(|(i, recorder)| {
            let item = &scenario.items[i];
            TracedItem {
                item: item.id.clone(),
                totals: replayed.items[i],
                days: recorder.into_days(),
                events: scenario
                    .disruptions
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| item.is_reached_by(i, d))
                    .flat_map(|(k, _)| replayed.spells[k].iter().map(move |&s| (k, s)))
                    .collect(),
            }
        })
        .collect();
    Ok(RunTrace {
        run,
        ranked: ranked.map(|r| r.value),
        all: replayed.all,
        items,
    })
}

/// Add the trace's files to `files`: each run's `trace-run-N.csv`, `.svg` and `.png`, and
/// `trace.md`; the files of runs an earlier trace chose into the same folder are retired.
pub(crate) fn add_files(traces: &RunTraces, files: &mut FileSet) -> Result<(), ChartError> {
    // Runs are independent: drawn on all cores, added in the order chosen.
    let drawn: Vec<(String, Chart)> = traces
        .traced
        .par_iter()
        .map(|run| Ok((trace_csv(traces, run), trace_chart(traces, run)?)))
        .collect::<Result<_, ChartError>>()?;
    for (run, (csv, chart)) in traces.traced.iter().zip(drawn) {
        let stem = trace_file_stem(run.run);
        files.add(format!("{stem}.csv"), csv);
        files.add(format!("{stem}.svg"), chart.svg);
        files.add(format!("{stem}.png"), chart.png);
    }
    files.add("trace.md", trace_markdown(traces));
    files.retire_matching(is_trace_file);
    Ok(())
}
