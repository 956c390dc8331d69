//! The Monte Carlo engine: plays out runs of a scenario under every policy.
//!
//! Invariants (ARCHITECTURE.md repeats them):
//! * **Streams.** Each run draws from streams derived from `(seed, run index, component)`
//!   ([`crate::rng`]); nothing depends on which thread runs it.
//! * **Common random numbers.** Per run, supplier paths (lead times, lateness, outages) and each
//!   item's demand path are drawn once, before any policy is simulated; every policy then
//!   replays the same paths, so differences between policies are paired.
//! * **Streaming aggregation.** Runs are cut into fixed chunks of [`CHUNK_RUNS`]; a chunk is
//!   simulated sequentially into its own accumulators, chunks run in parallel in waves, and
//!   their accumulators are merged in chunk order. Results are byte-identical for any thread
//!   count, and memory depends on the wave size, not on the number of runs.

pub mod kernel;

use rayon::prelude::*;

use crate::demand::DemandSampler;
use crate::metrics::{PolicyStats, RunTotals};
use crate::rng::{Stream, rng_for};
use crate::scenario::{Scenario, UnmetDemand};
use crate::supply::SupplyPaths;
use kernel::{ItemSetup, Link, Scratch};

/// Runs simulated one after another into one set of accumulators.
pub const CHUNK_RUNS: u64 = 64;

/// What the engine hands back: accumulators per policy, in the scenario's policy order.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub runs: u64,
    pub seed: u64,
    pub policies: Vec<PolicyStats>,
    /// Item-days simulated (items × policies × horizon days × runs), for the speed report.
    pub item_days: u64,
}

/// Everything derived from the scenario once, before the first run.
struct Prepared<'a> {
    scenario: &'a Scenario,
    samplers: Vec<DemandSampler>,
    setups: Vec<ItemSetup>,
    max_links: usize,
}

impl<'a> Prepared<'a> {
    fn new(scenario: &'a Scenario) -> Self {
        let horizon = scenario.horizon_days as usize;
        let setups: Vec<ItemSetup> = scenario
            .items
            .iter()
            .map(|item| ItemSetup {
                horizon,
                warmup: scenario.warmup_days as usize,
                backorder: scenario.unmet_demand == UnmetDemand::Backorder,
                whole_units: item.whole_units(),
                links: item
                    .sourcing
                    .iter()
                    .map(|s| {
                        let sup = &scenario.suppliers[s.supplier];
                        Link {
                            supplier: s.supplier,
                            share: s.share,
                            capacity_per_day: sup.capacity_per_day,
                            min_order_quantity: sup.min_order_quantity,
                            order_multiple: sup.order_multiple,
                            round_to_whole: item.whole_units()
                                && (s.share != 1.0
                                    || sup.order_multiple.fract() != 0.0
                                    || sup.min_order_quantity.fract() != 0.0),
                        }
                    })
                    .collect(),
            })
            .collect();
        Prepared {
            scenario,
            samplers: scenario.items.iter().map(|i| i.demand.sampler()).collect(),
            max_links: setups.iter().map(|s| s.links.len()).max().unwrap_or(0),
            setups,
        }
    }
}

/// Simulate `runs` runs with master seed `seed`, in the current rayon thread pool.
/// `progress` is called with the number of runs finished after each wave.
pub fn simulate(
    scenario: &Scenario,
    runs: u64,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> Outcome {
    let prepared = Prepared::new(scenario);
    let chunks = runs.div_ceil(CHUNK_RUNS);
    // The wave size only bounds memory; merging in chunk order keeps results independent of it.
    let wave = (2 * rayon::current_num_threads()).max(1) as u64;
    let mut total = empty_stats(scenario);
    let mut first = 0;
    while first < chunks {
        let last = (first + wave).min(chunks);
        let parts: Vec<Vec<PolicyStats>> = (first..last)
            .into_par_iter()
            .map(|chunk| {
                let start = chunk * CHUNK_RUNS;
                run_chunk(&prepared, seed, start..(start + CHUNK_RUNS).min(runs))
            })
            .collect();
        for part in &parts {
            for (t, p) in total.iter_mut().zip(part) {
                t.merge(p);
            }
        }
        progress((last * CHUNK_RUNS).min(runs));
        first = last;
    }
    let item_days = runs
        * scenario.items.len() as u64
        * scenario.policies.len() as u64
        * u64::from(scenario.horizon_days);
    Outcome {
        runs,
        seed,
        policies: total,
        item_days,
    }
}

fn empty_stats(scenario: &Scenario) -> Vec<PolicyStats> {
    scenario
        .policies
        .iter()
        .map(|_| PolicyStats::new(scenario.items.len()))
        .collect()
}

/// Per-thread buffers for a chunk of runs.
struct ChunkBuffers<'a> {
    supply: SupplyPaths<'a>,
    active: Vec<bool>,
    demand: Vec<f64>,
    scratch: Scratch,
    all_items: Vec<RunTotals>,
}

fn run_chunk(prepared: &Prepared<'_>, seed: u64, runs: std::ops::Range<u64>) -> Vec<PolicyStats> {
    let sc = prepared.scenario;
    let horizon = sc.horizon_days as usize;
    let mut buffers = ChunkBuffers {
        supply: SupplyPaths::new(&sc.suppliers, horizon),
        active: vec![false; horizon],
        demand: vec![0.0; horizon],
        scratch: Scratch::new(horizon, prepared.max_links),
        all_items: vec![RunTotals::default(); sc.policies.len()],
    };
    let mut stats = empty_stats(sc);
    for run in runs {
        simulate_run(prepared, seed, run, &mut buffers, &mut stats);
    }
    stats
}

/// One run: draw the shared paths, then replay them under every policy.
fn simulate_run(
    prepared: &Prepared<'_>,
    seed: u64,
    run: u64,
    b: &mut ChunkBuffers<'_>,
    stats: &mut [PolicyStats],
) {
    let sc = prepared.scenario;
    for j in 0..sc.suppliers.len() {
        b.supply
            .reset(j, &mut rng_for(seed, run, Stream::Supplier(j)));
    }
    for (k, disruption) in sc.disruptions.iter().enumerate() {
        disruption.occurrence.fill_active(
            &mut rng_for(seed, run, Stream::Disruption(k)),
            &mut b.active,
        );
        disruption.apply(&b.active, &mut b.supply);
    }
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
        for (p, policy) in sc.policies.iter().enumerate() {
            let counters = kernel::simulate_item(
                &prepared.setups[i],
                &policy.items[i],
                &policy.segments,
                &b.demand,
                &b.supply,
                &mut b.scratch,
            );
            let totals = RunTotals::for_item(&counters, item, measured_days);
            stats[p].items[i].push(&totals);
            b.all_items[p].add(&totals);
        }
    }
    for (p, totals) in b.all_items.iter().enumerate() {
        stats[p].all.push(totals);
    }
}
