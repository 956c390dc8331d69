//! The Monte Carlo engine: plays out runs of a scenario under every policy.
//!
//! Invariants (ARCHITECTURE.md repeats them):
//! * **Streams.** Each run draws from streams derived from `(seed, run index, component)`
//!   ([`crate::rng`]); nothing depends on which thread runs it.
//! * **Common random numbers.** Per run, disruptions, supplier paths (lead times, lateness,
//!   rejections) and each item's demand path are drawn once, before any policy is simulated;
//!   every policy then replays the same paths, so differences between policies are paired.
//! * **Streaming aggregation.** Runs are cut into fixed chunks of [`CHUNK_RUNS`]; a chunk is
//!   simulated sequentially into its own accumulators, chunks run in parallel, and their
//!   accumulators are merged in chunk order as they finish (module `ordered`). Results are
//!   byte-identical for any thread count, and memory depends on how far simulation may run
//!   ahead of the merge, not on the number of runs.

pub mod kernel;
mod ordered;

use crate::demand::{DemandSampler, round_whole};
use crate::disruption::Spell;
use crate::metrics::{DisruptionStats, FanLayout, PairedStats, PolicyStats, RunTotals};
use crate::rng::{Stream, rng_for};
use crate::scenario::{Scenario, UnmetDemand};
use crate::supply::SupplyPaths;
use kernel::{ItemSetup, Link, Scratch, Sourcing};

/// Runs simulated one after another into one set of accumulators.
pub const CHUNK_RUNS: u64 = 64;

/// What the engine hands back: accumulators per policy, in the scenario's policy order, and
/// the statistics of the disruptions themselves (the same for every policy).
#[derive(Clone, Debug)]
pub struct Outcome {
    pub runs: u64,
    pub seed: u64,
    pub policies: Vec<PolicyStats>,
    pub disruptions: DisruptionStats,
    /// The days and measure of the policies' on-hand distributions ([`PolicyStats::on_hand`]).
    pub fan: FanLayout,
    /// Item-days simulated (items × policies × horizon days × runs), for the speed report.
    pub item_days: u64,
    /// Run-by-run differences against a baseline policy, when asked for.
    pub paired: Option<PairedStats>,
}

/// Everything derived from the scenario once, before the first run.
struct Prepared<'a> {
    scenario: &'a Scenario,
    samplers: Vec<DemandSampler>,
    setups: Vec<ItemSetup>,
    /// For each item, the disruptions that can reach it (through its suppliers or its demand).
    reaching: Vec<Vec<usize>>,
    max_links: usize,
    fan: FanLayout,
    /// The policy paired differences are taken against, if any.
    baseline: Option<usize>,
}

impl<'a> Prepared<'a> {
    fn new(scenario: &'a Scenario, baseline: Option<usize>) -> Self {
        let horizon = scenario.horizon_days as usize;
        let setups: Vec<ItemSetup> = scenario
            .items
            .iter()
            .map(|item| ItemSetup {
                horizon,
                warmup: scenario.warmup_days as usize,
                backorder: scenario.unmet_demand == UnmetDemand::Backorder,
                whole_units: item.whole_units(),
                sourcing: match item.failover_after_days {
                    Some(after_days) => Sourcing::Failover { after_days },
                    None => Sourcing::Split,
                },
                links: item
                    .sourcing
                    .iter()
                    .map(|s| {
                        let sup = &scenario.suppliers[s.supplier];
                        Link {
                            supplier: s.supplier,
                            // A failover sends whole orders to one link at a time.
                            share: if item.failover_after_days.is_some() {
                                1.0
                            } else {
                                s.share
                            },
                            capacity_per_day: sup.capacity_per_day,
                            min_order_quantity: sup.min_order_quantity,
                            order_multiple: sup.order_multiple,
                            round_to_whole: item.whole_units()
                                && (s.share != 1.0
                                    || sup.order_multiple.fract() != 0.0
                                    || sup.min_order_quantity.fract() != 0.0),
                            unit_cost_premium: sup.unit_cost_premium,
                        }
                    })
                    .collect(),
            })
            .collect();
        let reaching = scenario
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                scenario
                    .disruptions
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.reaches(i, item))
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        Prepared {
            scenario,
            samplers: scenario.items.iter().map(|i| i.demand.sampler()).collect(),
            max_links: setups.iter().map(|s| s.links.len()).max().unwrap_or(0),
            setups,
            reaching,
            fan: FanLayout::new(scenario),
            baseline,
        }
    }
}

/// Simulate `runs` runs with master seed `seed`, in the current rayon thread pool.
/// `progress` is called with the number of runs merged so far, in increasing order, as chunks
/// of runs are merged.
pub fn simulate(
    scenario: &Scenario,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let mut simulation = Simulation::new(scenario, seed, None);
    simulation.extend_to(runs, progress);
    simulation.outcome()
}

/// A simulation that can be extended run by run: the runs `0..n` of a scenario and seed, whose
/// results are byte-identical to `simulate(scenario, n, seed)` however `n` was reached.
/// Extending from a whole number of chunks ([`CHUNK_RUNS`]) only simulates the new runs;
/// extending from a cut chunk simulates everything again. Analyses use it to add runs only
/// where a decision is still uncertain.
pub struct Simulation<'a> {
    prepared: Prepared<'a>,
    seed: u64,
    runs: u64,
    total: ChunkStats,
}

impl<'a> Simulation<'a> {
    /// No runs yet; with `baseline`, paired differences against that policy are kept as well.
    pub fn new(scenario: &'a Scenario, seed: u64, baseline: Option<usize>) -> Self {
        let prepared = Prepared::new(scenario, baseline);
        Simulation {
            total: ChunkStats::new(&prepared),
            prepared,
            seed,
            runs: 0,
        }
    }

    /// Runs simulated so far.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Simulate runs `self.runs()..runs` (nothing if there are already as many).
    pub fn extend_to(&mut self, runs: u64, progress: &(dyn Fn(u64) + Sync)) {
        if runs <= self.runs {
            return;
        }
        if !self.runs.is_multiple_of(CHUNK_RUNS) {
            // The last chunk was cut short: start again, so that the results stay those of a
            // plain simulation of `runs` runs.
            self.total = ChunkStats::new(&self.prepared);
            self.runs = 0;
        }
        let first_chunk = self.runs / CHUNK_RUNS;
        let chunks = runs.div_ceil(CHUNK_RUNS);
        let threads = rayon::current_num_threads();
        let (prepared, seed) = (&self.prepared, self.seed);
        ordered::run_in_order(
            first_chunk..chunks,
            threads,
            window_chunks(prepared, threads),
            &mut self.total,
            || {
                let mut buffers = ChunkBuffers::new(prepared);
                move |chunk| {
                    let start = chunk * CHUNK_RUNS;
                    let chunk_runs = start..(start + CHUNK_RUNS).min(runs);
                    run_chunk(prepared, seed, chunk_runs, &mut buffers)
                }
            },
            ChunkStats::merge,
            |merged| progress((merged * CHUNK_RUNS).min(runs)),
        );
        self.runs = runs;
    }

    /// The results of the runs so far.
    pub fn outcome(&self) -> Outcome {
        let scenario = self.prepared.scenario;
        let mut policies = self.total.policies.clone();
        for policy in &mut policies {
            policy.finish();
        }
        Outcome {
            runs: self.runs,
            seed: self.seed,
            policies,
            disruptions: self.total.disruptions.clone(),
            fan: self.prepared.fan.clone(),
            item_days: self.runs
                * scenario.items.len() as u64
                * scenario.policies.len() as u64
                * u64::from(scenario.horizon_days),
            paired: self.total.paired.clone(),
        }
    }
}

/// Accumulators of chunks simulated but not yet merged may hold this much memory at once.
const WINDOW_MEMORY: usize = 16 << 20;

/// How many chunks may be simulated ahead of the merge. No thread waits for another unless one
/// runs this far ahead while a chunk before it is still running, so a few chunks per thread
/// are enough; more would only hold more memory and merge colder accumulators.
fn window_chunks(prepared: &Prepared<'_>, threads: usize) -> u64 {
    let scenario = prepared.scenario;
    // Per policy: each item's and the all-items metrics (a running statistic with its noted
    // sketch keys, about 700 bytes each), and the fan chart's keys (2 bytes a day and run).
    let metric_bytes = (scenario.items.len() + 1) * crate::metrics::METRICS.len() * 700;
    let fan_bytes = prepared.fan.days.len() * CHUNK_RUNS as usize * 2;
    let chunk_bytes = scenario.policies.len().max(1) * (metric_bytes + fan_bytes);
    let per_thread = (WINDOW_MEMORY / (chunk_bytes * threads)).clamp(2, 8);
    (per_thread * threads) as u64
}

/// The accumulators of one chunk of runs (or of all runs, once merged).
struct ChunkStats {
    policies: Vec<PolicyStats>,
    disruptions: DisruptionStats,
    paired: Option<PairedStats>,
}

impl ChunkStats {
    fn new(prepared: &Prepared<'_>) -> Self {
        let scenario = prepared.scenario;
        ChunkStats {
            policies: scenario
                .policies
                .iter()
                .map(|_| PolicyStats::new(scenario.items.len(), prepared.fan.days.len()))
                .collect(),
            disruptions: DisruptionStats::new(scenario.disruptions.len()),
            paired: prepared
                .baseline
                .map(|b| PairedStats::new(b, scenario.policies.len())),
        }
    }

    fn merge(&mut self, other: &ChunkStats) {
        for (a, b) in self.policies.iter_mut().zip(&other.policies) {
            a.merge(b);
        }
        self.disruptions.merge(&other.disruptions);
        if let (Some(mine), Some(theirs)) = (&mut self.paired, &other.paired) {
            mine.merge(theirs);
        }
    }
}

/// A worker's buffers, kept from chunk to chunk: every run overwrites what it reads.
struct ChunkBuffers<'a> {
    supply: SupplyPaths<'a>,
    /// Events of each disruption in the current run.
    spells: Vec<Vec<Spell>>,
    /// Demand multipliers of each disruption in the current run (all 1 unless it is a surge).
    surges: Vec<Vec<f64>>,
    /// Events that reach the current item.
    item_spells: Vec<Spell>,
    demand: Vec<f64>,
    scratch: Scratch,
    all_items: Vec<RunTotals>,
    /// Per policy, the current run's stock on hand on the fan's days: units with a single
    /// item, value summed over items with several.
    on_hand: Vec<Vec<f64>>,
}

impl<'a> ChunkBuffers<'a> {
    fn new(prepared: &Prepared<'a>) -> Self {
        let sc = prepared.scenario;
        let horizon = sc.horizon_days as usize;
        ChunkBuffers {
            supply: SupplyPaths::new(&sc.suppliers, horizon),
            spells: vec![Vec::new(); sc.disruptions.len()],
            surges: sc
                .disruptions
                .iter()
                .map(|d| {
                    if d.kind.is_supply_side() {
                        Vec::new()
                    } else {
                        vec![1.0; horizon]
                    }
                })
                .collect(),
            item_spells: Vec::new(),
            demand: vec![0.0; horizon],
            scratch: Scratch::new(horizon, prepared.max_links),
            all_items: vec![RunTotals::default(); sc.policies.len()],
            on_hand: vec![vec![0.0; prepared.fan.days.len()]; sc.policies.len()],
        }
    }
}

/// Simulate `runs` one after another into accumulators of their own, with a worker's buffers.
fn run_chunk(
    prepared: &Prepared<'_>,
    seed: u64,
    runs: std::ops::Range<u64>,
    buffers: &mut ChunkBuffers<'_>,
) -> ChunkStats {
    let mut stats = ChunkStats::new(prepared);
    for run in runs {
        simulate_run(prepared, seed, run, buffers, &mut stats);
    }
    stats
}

/// One run: draw the shared paths, then replay them under every policy.
fn simulate_run(
    prepared: &Prepared<'_>,
    seed: u64,
    run: u64,
    b: &mut ChunkBuffers<'_>,
    stats: &mut ChunkStats,
) {
    let sc = prepared.scenario;
    let horizon = sc.horizon_days as usize;
    let measured = sc.warmup_days as usize..horizon;
    for j in 0..sc.suppliers.len() {
        b.supply
            .reset(j, &mut rng_for(seed, run, Stream::Supplier(j)));
    }
    for (k, disruption) in sc.disruptions.iter().enumerate() {
        let mut rng = rng_for(seed, run, Stream::Disruption(k));
        disruption
            .occurrence
            .spells(&mut rng, horizon, &mut b.spells[k]);
        if disruption.kind.is_supply_side() {
            disruption.apply_to_supply(&b.spells[k], &mut rng, &mut b.supply);
        } else {
            disruption.surge_factors(&b.spells[k], &mut rng, &mut b.surges[k]);
        }
    }
    let disrupted = stats
        .disruptions
        .push_run(sc, &b.spells, &b.supply, measured.clone());

    let measured_days = f64::from(sc.measured_days());
    for totals in &mut b.all_items {
        *totals = RunTotals {
            measured_days,
            ..RunTotals::default()
        };
    }
    for (i, item) in sc.items.iter().enumerate() {
        let mut rng = rng_for(seed, run, Stream::Demand(i));
        prepared.samplers[i].fill_path(&mut rng, sc.start_day_of_year, &mut b.demand);
        b.item_spells.clear();
        for &k in &prepared.reaching[i] {
            if !sc.disruptions[k].kind.is_supply_side() {
                apply_surge(&b.surges[k], &mut b.demand, item.whole_units());
            }
            b.item_spells
                .extend(b.spells[k].iter().filter(|s| s.start >= measured.start));
        }
        for (p, policy) in sc.policies.iter().enumerate() {
            let mut counters = kernel::simulate_item(
                &prepared.setups[i],
                &policy.items[i],
                &policy.segments,
                &b.demand,
                &b.supply,
                &mut b.scratch,
            );
            for spell in &b.item_spells {
                counters.recovery_days +=
                    recovery_days(*spell, horizon, |t| b.scratch.impaired(t)) as f64;
                counters.recovery_events += 1.0;
            }
            let totals = RunTotals::for_item(&counters, item, &policy.items[i], measured_days);
            stats.policies[p].items[i].push(&totals);
            b.all_items[p].add(&totals);
            prepared
                .fan
                .note_item(i, b.scratch.levels(), &mut b.on_hand[p]);
        }
    }
    for (p, totals) in b.all_items.iter().enumerate() {
        stats.policies[p].push_all(totals, disrupted);
        stats.policies[p].push_on_hand(&b.on_hand[p]);
    }
    if let Some(paired) = &mut stats.paired {
        paired.push(&b.all_items);
    }
}

/// Multiply a demand path by a surge's daily factors (rounding again for whole units).
fn apply_surge(factors: &[f64], demand: &mut [f64], whole_units: bool) {
    for (d, &f) in demand.iter_mut().zip(factors) {
        if f != 1.0 {
            *d = if whole_units {
                round_whole(*d * f)
            } else {
                *d * f
            };
        }
    }
}

/// Days from the start of an event until the item is back to normal: 0 if it was never
/// impaired (unmet demand or customers waiting) during the event; otherwise the days until the
/// first unimpaired day at or after the event's end (the horizon, if that never comes).
pub fn recovery_days(spell: Spell, horizon: usize, impaired: impl Fn(usize) -> bool) -> usize {
    let end = spell.end.min(horizon);
    if !(spell.start..end).any(&impaired) {
        return 0;
    }
    let back = (end..horizon).find(|&d| !impaired(d)).unwrap_or(horizon);
    back - spell.start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_counts_from_event_start_to_first_normal_day_after_it() {
        let mut impaired = [false; 20];
        let spell = Spell { start: 5, end: 10 };
        assert_eq!(
            recovery_days(spell, 20, |t| impaired[t]),
            0,
            "never impaired: nothing to recover"
        );
        impaired[8..13].fill(true);
        assert_eq!(recovery_days(spell, 20, |t| impaired[t]), 13 - 5);
        impaired[13..].fill(true);
        assert_eq!(
            recovery_days(spell, 20, |t| impaired[t]),
            20 - 5,
            "censored at the horizon"
        );
        let mut early = [false; 20];
        early[6] = true;
        assert_eq!(
            recovery_days(spell, 20, |t| early[t]),
            10 - 5,
            "impaired, back to normal when it ends"
        );
    }
}
