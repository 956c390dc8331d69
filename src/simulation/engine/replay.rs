//! One run simulated again alone, from its index, with a recorder listening to every day.
//!
//! A run's randomness comes only from `(seed, run index, stream)`, so a run played alone draws
//! what it drew among its chunk. The replay takes the steps a chunk takes for each of its runs
//! (`RunBuffers::start_run`, `note_item_spells`, `draw_demand`, `simulate`, `end_run`), with
//! the scalar daily loop; where the chunk stepped the run in lanes, the lane loop gives the
//! scalar loop's figures bit for bit (the engine's tests), so the replayed run is the run the
//! summary counted. The tests below check it run by run against the figures the lanes gave.

use crate::model::disruption::Spell;
use crate::model::scenario::Scenario;
use crate::simulation::metrics::RunTotals;
use crate::simulation::trace::DayRecorder;

use super::kernel::Scratch;
use super::{ChunkStats, GroupBuffers, Prepared, RunBuffers};

/// What a replayed run amounted to under the policy replayed.
#[derive(Clone, Debug)]
pub(crate) struct Replayed {
    /// Each item's totals in the run, in the scenario's item order.
    pub(crate) items: Vec<RunTotals>,
    /// The totals of all items together: what the summary's policy-level metrics are made of.
    pub(crate) all: RunTotals,
    /// Each disruption's events in the run, in the scenario's disruption order.
    pub(crate) spells: Vec<Vec<Spell>>,
}

/// Replays runs of one scenario and seed, one at a time, reusing its buffers.
pub(crate) struct Replay<'a> {
    prepared: Prepared<'a>,
    seed: u64,
    run: RunBuffers<'a>,
    scratch: Scratch,
    groups: GroupBuffers,
}

impl<'a> Replay<'a> {
    pub(crate) fn new(scenario: &'a Scenario, seed: u64) -> Self {
        let prepared = Prepared::new(scenario, None);
        let run = RunBuffers::new(&prepared);
        let scratch = Scratch::new(
            scenario.horizon_days as usize,
            prepared.max_links,
            prepared.months.spans(),
        );
        let groups = GroupBuffers::new(&prepared);
        Replay {
            groups,
            prepared,
            seed,
            run,
            scratch,
        }
    }

    /// Simulate run `run` under policy `policy` alone, item `i`'s days told to
    /// `recorders[i]`.
    pub(crate) fn replay<R: DayRecorder>(
        &mut self,
        run: u64,
        policy: usize,
        recorders: &mut [R],
    ) -> Replayed {
        let prepared = &self.prepared;
        let sc = prepared.scenario;
        assert_eq!(recorders.len(), sc.items.len(), "one recorder per item");
        // The run's own accumulators, thrown away: the figures come back as totals.
        let mut stats = ChunkStats::new(prepared);
        let r = &mut self.run;
        r.start_run(prepared, (self.seed, run), Some(&mut stats));
        let measured_days = f64::from(sc.measured_days());
        let mut items = vec![None; sc.items.len()];
        // Summed block by block, as a chunk sums them (`ItemBlocks`).
        let mut all: Option<RunTotals> = None;
        for block in &prepared.blocks.blocks {
            r.sums.reset(measured_days);
            for &i in &prepared.blocks.order[block.clone()] {
                if items[i].is_some() {
                    continue;
                }
                if let Some(g) = prepared.group_of[i] {
                    // Items simulated together, at their first item, as a chunk does.
                    let group = &prepared.groups[g];
                    self.groups.draw(prepared, self.seed, r, g);
                    let mut theirs: Vec<&mut R> = recorders
                        .iter_mut()
                        .enumerate()
                        .filter(|(i, _)| group.items.contains(i))
                        .map(|(_, recorder)| recorder)
                        .collect();
                    r.simulate_group(
                        prepared,
                        (g, policy),
                        &mut self.groups,
                        &mut stats,
                        &mut theirs,
                    );
                    for (&i, totals) in group.items.iter().zip(&self.groups.totals) {
                        items[i] = Some(*totals);
                    }
                    continue;
                }
                r.note_item_spells(prepared, i);
                r.draw_demand(prepared, self.seed, run, i);
                let totals = r.simulate(
                    prepared,
                    (i, policy),
                    &mut self.scratch,
                    &mut stats,
                    &mut recorders[i],
                );
                items[i] = Some(totals);
            }
            let block = r.sums.totals[policy];
            match &mut all {
                None => all = Some(block),
                Some(all) => all.add(&block),
            }
        }
        Replayed {
            items: items.into_iter().flatten().collect(),
            all: all.unwrap_or_default(),
            spells: r.spells.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::engine::Simulation;
    use crate::simulation::metrics::Metric;
    use crate::simulation::trace::{ItemTrace, NoRecorder, TraceDay};
    use crate::simulation::worst::WorstBy;
    use std::path::Path;

    fn scenario(file: &str) -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        Scenario::load(&path).unwrap()
    }

    /// Every run's totals under `policy` (of `item`, or all items), as the normal simulation
    /// of `runs` runs computed them (in lanes where the item allows it).
    fn simulated(
        sc: &Scenario,
        seed: u64,
        runs: u64,
        (policy, item): (usize, Option<usize>),
    ) -> Vec<String> {
        let mut simulation = Simulation::new(sc, seed, None);
        // Total cost is defined in every run, so every run is kept.
        simulation.keep_worst(WorstBy {
            policy,
            item,
            metric: Metric::TotalCost,
            count: runs as usize,
        });
        simulation.extend_to(runs, &|_| {});
        let mut totals = vec![String::new(); runs as usize];
        for ranked in simulation.worst_runs() {
            // Debug prints every float in full, so equal text means equal bits.
            totals[ranked.run as usize] = format!("{:?}", ranked.totals);
        }
        totals
    }

    /// A replayed run's totals, and so every metric, are those the simulation computed for
    /// that run index, bit for bit, for every policy and item: in scenarios whose items step
    /// in lanes (the reference, the kanban example) and whose items do not (failover, split
    /// sourcing, a reserve, expediting, seasonal demand). 48 runs: three full batches of lanes.
    #[test]
    fn a_replayed_run_has_the_figures_the_simulation_gave_it() {
        for file in [
            "bench-reference.toml",
            "kanban-vs-jic.toml",
            "peak-season.toml",
        ] {
            let sc = scenario(file);
            let (seed, runs) = (5, 48);
            let mut replay = Replay::new(&sc, seed);
            let mut recorders = vec![NoRecorder; sc.items.len()];
            for p in 0..sc.policies.len() {
                let replayed: Vec<Replayed> = (0..runs)
                    .map(|run| replay.replay(run, p, &mut recorders))
                    .collect();
                for item in (0..sc.items.len()).map(Some).chain([None]) {
                    let expected = simulated(&sc, seed, runs, (p, item));
                    for (run, r) in replayed.iter().enumerate() {
                        let totals = item.map_or(&r.all, |i| &r.items[i]);
                        assert!(
                            format!("{totals:?}") == expected[run],
                            "{file}, policy {p}, item {item:?}, run {run}: replayed {totals:?}, \
                             simulated {}",
                            expected[run]
                        );
                    }
                }
            }
        }
    }

    /// A catalogue of several blocks of items, with coupled items among them: a replayed run
    /// sums its items block by block as the simulation does, so its totals over all items are
    /// the simulation's bit for bit.
    #[test]
    fn a_replayed_run_of_a_catalogue_has_the_figures_the_simulation_gave_it() {
        let dir = tempfile::tempdir().unwrap();
        let sc = crate::simulation::engine::coupled_catalogue(dir.path(), (150, 1, 20));
        let (seed, runs) = (5, 20);
        let mut replay = Replay::new(&sc, seed);
        assert!(replay.prepared.blocks.blocks.len() > 1 && !replay.prepared.groups.is_empty());
        let mut recorders = vec![NoRecorder; sc.items.len()];
        let expected = simulated(&sc, seed, runs, (0, None));
        for (run, expected) in expected.iter().enumerate() {
            let replayed = replay.replay(run as u64, 0, &mut recorders);
            assert!(
                format!("{:?}", replayed.all) == *expected,
                "run {run}: replayed {:?}, simulated {expected}",
                replayed.all
            );
        }
    }

    /// The recorded days add up, over the measured days, to what the engine counted.
    #[test]
    fn recorded_days_add_up_to_the_counters() {
        for file in ["kanban-vs-jic.toml", "peak-season.toml"] {
            let sc = scenario(file);
            let mut replay = Replay::new(&sc, 3);
            let horizon = sc.horizon_days as usize;
            let backorder = sc.unmet_demand == crate::model::scenario::UnmetDemand::Backorder;
            for p in 0..sc.policies.len() {
                for run in [0, 7] {
                    let mut traces: Vec<ItemTrace> = (0..sc.items.len())
                        .map(|_| ItemTrace::new(horizon, backorder))
                        .collect();
                    let replayed = replay.replay(run, p, &mut traces);
                    for (i, trace) in traces.into_iter().enumerate() {
                        let days: Vec<TraceDay> = trace.into_days();
                        assert_eq!(days.len(), horizon);
                        let c = &replayed.items[i].units;
                        let measured = days.iter().filter(|d| d.measured);
                        let sum = |f: fn(&TraceDay) -> f64| measured.clone().map(f).sum::<f64>();
                        let what = format!("{file}, policy {p}, run {run}, item {i}");
                        assert_eq!(sum(|d| d.demand), c.demand, "{what}: demand");
                        assert_eq!(sum(|d| d.short), c.short, "{what}: short");
                        assert_eq!(sum(|d| d.lost), c.lost, "{what}: lost");
                        assert_eq!(
                            sum(|d| f64::from(u8::from(d.short > 0.0))),
                            c.stockout_days,
                            "{what}: stockout days"
                        );
                        assert_eq!(
                            sum(|d| d.on_hand + d.reserve),
                            c.on_hand_unit_days,
                            "{what}: on hand"
                        );
                        assert_eq!(
                            sum(|d| f64::from(d.order_lines)),
                            c.order_lines,
                            "{what}: order lines"
                        );
                        assert_eq!(sum(|d| d.expedited), c.expedited, "{what}: expedited");
                        assert_eq!(sum(|d| d.cancelled), c.cancelled, "{what}: cancelled");
                        assert_eq!(sum(|d| d.rejected), c.rejected, "{what}: rejected");
                    }
                }
            }
        }
    }
}
