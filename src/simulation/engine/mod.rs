//! The Monte Carlo engine: plays out runs of a scenario under every policy.
//!
//! Invariants (ARCHITECTURE.md repeats them):
//! * **Streams.** Each run draws from streams derived from `(seed, run index, component)`
//!   ([`crate::foundation::rng`]); nothing depends on which thread runs it.
//! * **Common random numbers.** Per run, disruptions, supplier paths (lead times, lateness,
//!   rejections) and each item's demand path are drawn once, before any policy is simulated;
//!   every policy then replays the same paths, so differences between policies are paired.
//! * **Streaming aggregation.** Runs are cut into fixed chunks of [`CHUNK_RUNS`]; a chunk is
//!   simulated sequentially into its own accumulators, chunks run in parallel, and their
//!   accumulators are merged in chunk order as they finish (module `ordered`). Results are
//!   byte-identical for any thread count, and memory depends on how far simulation may run
//!   ahead of the merge, not on the number of runs.
//! * **Pieces.** A large catalogue's chunk may be simulated in pieces, each for some blocks of
//!   items ([`ItemBlocks`], [`Piece`]): when runs are too few to keep every thread busy with
//!   whole chunks, or a chunk's accumulators would be large. Sums over items are grouped by
//!   block, whatever the pieces, so the pieces change no result.
//! * **Batches.** Within a chunk, runs go in batches of 16 (`LANES`): each run's shared paths are
//!   drawn, then each item-policy is stepped in all runs of the batch at once by the lane loop
//!   (`kernel::lanes`) where it covers the item, else run by run. Every accumulator still
//!   receives the runs in order, and the lane loop computes the scalar loop's figures bit for
//!   bit, so batching changes no result.
//! * **Replay.** Any run can be simulated again alone from its index (module `replay`), through
//!   the same steps as in a batch, with a recorder listening to the daily loop: that is how
//!   `buffersim trace` shows a run day by day.

pub(crate) mod kernel;
mod ordered;
pub(crate) mod replay;
#[cfg(test)]
#[path = "../../../tests/support/catalogue.rs"]
#[allow(unreachable_pub)]
mod test_catalogue;

/// The generated catalogue of `tests/support/catalogue.rs` (`items` items, `policies`
/// policies, `runs` runs), written into `dir` and loaded, with one of its suppliers' capacity
/// shared: its items, spread through the catalogue, are simulated together as a group.
#[cfg(test)]
fn coupled_catalogue(
    dir: &std::path::Path,
    (items, policies, runs): (usize, usize, u64),
) -> Scenario {
    let path = dir.join("catalogue.toml");
    let text = test_catalogue::catalogue_toml(items, policies, runs).replace(
        "id = \"eu-4\"\nregion = \"europe\"\n",
        "id = \"eu-4\"\nregion = \"europe\"\ncapacity_per_day = 900\n",
    );
    std::fs::write(&path, text).unwrap();
    Scenario::load(&path).unwrap()
}

use std::ops::Range;

use crate::foundation::rng::{Stream, rng_for};
use crate::foundation::vector::Vector;
use crate::model::demand::{DemandSampler, LaneSampler, round_whole};
use crate::model::disruption::{Disruption, Effect, Spell};
use crate::model::scenario::{Scenario, UnmetDemand};
use crate::simulation::metrics::{
    DisruptionStats, FanLayout, ItemCounters, MonthLayout, MonthSums, PairedStats, PolicyStats,
    RunTotals,
};
use crate::simulation::per_run::PerRun;
use crate::simulation::supply_paths::SupplyPaths;
use crate::simulation::trace::{DayRecorder, NoRecorder};
use crate::simulation::worst::{RankedRun, WorstBy, WorstRuns};
use kernel::coupled::lanes::{
    GroupLaneScratch, group_steps_in_lanes, lane_bytes_per_item, simulate_group_lanes,
};
use kernel::coupled::{GroupCounters, GroupScratch, GroupSetup, simulate_group};
use kernel::lanes::{LANES, LaneDays, LaneScratch};
use kernel::{ItemSetup, Link, Scratch, Sourcing};

/// Runs simulated one after another into one set of accumulators.
pub const CHUNK_RUNS: u64 = 64;

/// What the engine hands back: accumulators per policy, in the scenario's policy order, and
/// the statistics of the disruptions themselves (the same for every policy).
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Number of runs simulated.
    pub runs: u64,
    /// Master seed the runs' random streams were derived from.
    pub seed: u64,
    /// Accumulators of each policy, in the scenario's policy order.
    pub policies: Vec<PolicyStats>,
    /// The disruption log: events and disrupted days per run, the same for every policy.
    pub disruptions: DisruptionStats,
    /// The days and measure of the policies' on-hand distributions ([`PolicyStats::on_hand`]).
    pub fan: FanLayout,
    /// The calendar months of the policies' figures by month ([`PolicyStats::by_month`]).
    pub months: MonthLayout,
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
    /// For each item, parallel to `reaching`: the days after an event's end within which a
    /// shortfall of the item is still the event's doing ([`aftermath_days`]).
    aftermath: Vec<Vec<usize>>,
    max_links: usize,
    fan: FanLayout,
    months: MonthLayout,
    /// The policy paired differences are taken against, if any.
    baseline: Option<usize>,
    /// The worst runs to keep by a metric, if asked for ([`Simulation::keep_worst`]).
    worst: Option<WorstBy>,
    /// Whether every run's figures are kept ([`Simulation::keep_per_run`]).
    per_run: bool,
    /// For each policy, whether it is simulated ([`Simulation::only_policy`]): all of them
    /// unless an analysis needs one alone.
    simulated: Vec<bool>,
    /// For each item, whether it is simulated ([`Simulation::only_items`]): all of them unless
    /// an analysis needs some alone. An item simulated together with others takes its whole
    /// group along.
    items_simulated: Vec<bool>,
    /// Runs are stepped [`LANES`] at a time by the lane loop compiled for this instruction set,
    /// or, without, one at a time.
    lanes: Option<Vector>,
    /// For each item and policy, whether the lane loop covers the item under the policy.
    in_lanes: Vec<Vec<bool>>,
    /// The groups of items simulated together, day by day, because they share a supplier's
    /// capacity, a joint order or a budget (`kernel::coupled`).
    groups: Vec<GroupSetup>,
    /// For each item, the group it is simulated in, if any.
    group_of: Vec<Option<usize>>,
    /// For each group, whether its runs are stepped in lanes under every policy (every item
    /// steps in lanes, and the group's lane buffers fit [`GROUP_LANE_MEMORY`]).
    group_lanes: Vec<bool>,
    /// For each supplier, whether it couples its items (its figures are counted then).
    coupling: Vec<bool>,
    /// For each item, the sampler that draws the demand of a batch's runs together, if its
    /// model has one, no surge changes its demand and every policy steps it in lanes (otherwise
    /// each run's own path is needed).
    lane_samplers: Vec<Option<LaneSampler>>,
    /// The order items are simulated in, cut into blocks ([`ItemBlocks`]).
    blocks: ItemBlocks,
}

/// Items are simulated in blocks of at least this many (whole groups of coupled items), and
/// the figures over all items are summed block by block ([`ItemBlocks`]).
const BLOCK_ITEMS: usize = 64;

/// The order items are simulated in, and its cut into blocks: the unit of work a chunk of runs
/// can be shared out by, so that a large catalogue keeps every thread busy and its
/// accumulators bounded when runs are few (a chunk's items simulated in several pieces, each
/// with its own accumulators).
///
/// Figures over all items are sums over items of each run's totals (and of its on-hand and
/// monthly sums). Floating-point sums depend on how they are grouped, so the grouping is fixed
/// by the scenario alone: each block's items are summed in order, and the blocks' sums are
/// added in block order, however the blocks were shared out between threads. A catalogue of
/// at most [`BLOCK_ITEMS`] items is one block, summed item by item.
struct ItemBlocks {
    /// The items in the order they are simulated: each item alone in the scenario's order, and
    /// the items of a group together, at their first item's place.
    order: Vec<usize>,
    /// For each item, its place in `order`.
    place: Vec<usize>,
    /// Each block's places in `order`, in order; never empty.
    blocks: Vec<Range<usize>>,
    /// For each item, whether it is the first of its block: its levels start the block's
    /// on-hand sums.
    starts_block: Vec<bool>,
}

impl ItemBlocks {
    /// Blocks of at least [`BLOCK_ITEMS`] items (the last one may be smaller) of the items,
    /// each simulated alone or in its group of `groups` (`group_of`), never cutting a group.
    fn new(groups: &[GroupSetup], group_of: &[Option<usize>]) -> Self {
        let items = group_of.len();
        let mut order = Vec::with_capacity(items);
        let mut blocks = Vec::new();
        let mut start = 0;
        for (i, &group) in group_of.iter().enumerate() {
            match group {
                Some(g) if groups[g].items[0] == i => order.extend(&groups[g].items),
                Some(_) => continue,
                None => order.push(i),
            }
            if order.len() - start >= BLOCK_ITEMS {
                blocks.push(start..order.len());
                start = order.len();
            }
        }
        if start < order.len() || blocks.is_empty() {
            blocks.push(start..order.len());
        }
        let mut place = vec![0; items];
        for (k, &i) in order.iter().enumerate() {
            place[i] = k;
        }
        let mut starts_block = vec![false; items];
        for block in &blocks {
            if let Some(&i) = order.get(block.start) {
                starts_block[i] = true;
            }
        }
        ItemBlocks {
            order,
            place,
            blocks,
            starts_block,
        }
    }

    /// The places of blocks `blocks` in the order.
    fn places(&self, blocks: &Range<usize>) -> Range<usize> {
        self.blocks[blocks.start].start..self.blocks[blocks.end - 1].end
    }
}

impl<'a> Prepared<'a> {
    fn new(scenario: &'a Scenario, baseline: Option<usize>) -> Self {
        Self::grouped(scenario, baseline, false)
    }

    /// As [`Prepared::new`]; with `all_together`, every item is simulated in one group, as if
    /// something coupled them all (the tests check that this changes no item's figures).
    fn grouped(scenario: &'a Scenario, baseline: Option<usize>, all_together: bool) -> Self {
        let horizon = scenario.horizon_days as usize;
        let months = MonthLayout::new(scenario);
        let setups: Vec<ItemSetup> = scenario
            .items
            .iter()
            .map(|item| ItemSetup {
                horizon,
                warmup: scenario.warmup_days as usize,
                backorder: scenario.unmet_demand == UnmetDemand::Backorder,
                whole_units: item.whole_units(),
                shelf_life: item.shelf_life_days.map(|days| days as usize),
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
                month_ends: months.span_ends(),
            })
            .collect();
        let reaching: Vec<Vec<usize>> = scenario
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                scenario
                    .disruptions
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| item.is_reached_by(i, d))
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        let (coupling, components) = coupled_items(scenario, all_together);
        let mut group_of = vec![None; scenario.items.len()];
        let groups: Vec<GroupSetup> = components
            .into_iter()
            .enumerate()
            .map(|(g, items)| {
                for &i in &items {
                    group_of[i] = Some(g);
                }
                GroupSetup::new(scenario, items, &setups)
            })
            .collect();
        let in_lanes: Vec<Vec<bool>> = setups
            .iter()
            .enumerate()
            .map(|(i, setup)| {
                scenario
                    .policies
                    .iter()
                    .map(|policy| {
                        group_of[i].is_none()
                            && kernel::lanes::steps_in_lanes(setup, &policy.items[i])
                    })
                    .collect()
            })
            .collect();
        let group_lanes: Vec<bool> = groups
            .iter()
            .map(|group| {
                group.items.len() * lane_bytes_per_item(horizon) <= GROUP_LANE_MEMORY
                    && scenario
                        .policies
                        .iter()
                        .all(|policy| group_steps_in_lanes(group, &setups, policy))
            })
            .collect();
        let samplers: Vec<DemandSampler> =
            scenario.items.iter().map(|i| i.demand.sampler()).collect();
        let lane_samplers = samplers
            .iter()
            .enumerate()
            .map(|(i, sampler)| {
                let surged = reaching[i]
                    .iter()
                    .any(|&k| !scenario.disruptions[k].kind.is_supply_side());
                let all_in_lanes = match group_of[i] {
                    Some(g) => group_lanes[g],
                    None => in_lanes[i].iter().all(|&l| l),
                };
                sampler.in_lanes().filter(|_| !surged && all_in_lanes)
            })
            .collect();
        let aftermath = reaching
            .iter()
            .enumerate()
            .map(|(i, reaching): (usize, &Vec<usize>)| {
                reaching
                    .iter()
                    .map(|&k| aftermath_days(scenario, i, &scenario.disruptions[k]))
                    .collect()
            })
            .collect();
        let some_in_lanes = in_lanes.iter().flatten().any(|&l| l) || group_lanes.iter().any(|&l| l);
        let blocks = ItemBlocks::new(&groups, &group_of);
        Prepared {
            blocks,
            scenario,
            lanes: (some_in_lanes && lanes_fit(scenario)).then(Vector::detect),
            in_lanes,
            groups,
            group_of,
            group_lanes,
            coupling,
            lane_samplers,
            samplers,
            max_links: setups.iter().map(|s| s.links.len()).max().unwrap_or(0),
            setups,
            reaching,
            aftermath,
            fan: FanLayout::new(scenario),
            months,
            baseline,
            worst: None,
            per_run: false,
            simulated: vec![true; scenario.policies.len()],
            items_simulated: vec![true; scenario.items.len()],
        }
    }
}

impl Prepared<'_> {
    /// Simulate every item of a group of which some item is simulated: they are stepped
    /// together.
    fn take_groups_along(&mut self) {
        for group in &self.groups {
            if group.items.iter().any(|&i| self.items_simulated[i]) {
                for &i in &group.items {
                    self.items_simulated[i] = true;
                }
            }
        }
    }

    /// The policies simulated, in the scenario's order.
    fn simulated_policies(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.simulated.len()).filter(|&p| self.simulated[p])
    }
}

/// Which suppliers couple their items, and the groups of items that must be simulated together
/// (each in file order, groups in the order of their first item): items buying from a
/// coupling supplier ([`crate::model::supply::Supplier::couples`]) or counted against a budget,
/// joined through every supplier and budget they share. With `all_together`, one group holds
/// every item.
fn coupled_items(scenario: &Scenario, all_together: bool) -> (Vec<bool>, Vec<Vec<usize>>) {
    let n = scenario.items.len();
    let buyers = |j: usize| -> Vec<usize> {
        (0..n)
            .filter(|&i| scenario.items[i].sourcing.iter().any(|s| s.supplier == j))
            .collect()
    };
    let coupling: Vec<bool> = (0..scenario.suppliers.len())
        .map(|j| scenario.suppliers[j].couples(buyers(j).len()))
        .collect();
    // Union-find over items: a root per set, the smallest item index.
    let mut root: Vec<usize> = (0..n).collect();
    let mut in_group = vec![all_together; n];
    fn find(root: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while root[r] != r {
            r = root[r];
        }
        root[i] = r;
        r
    }
    let join = |items: &[usize], root: &mut Vec<usize>, in_group: &mut Vec<bool>| {
        for &i in items {
            in_group[i] = true;
        }
        if let Some(&first) = items.first() {
            for &i in &items[1..] {
                let (a, b) = (find(root, first), find(root, i));
                root[a.max(b)] = a.min(b);
            }
        }
    };
    if all_together {
        join(&(0..n).collect::<Vec<_>>(), &mut root, &mut in_group);
    }
    for (j, &couples) in coupling.iter().enumerate() {
        if couples {
            join(&buyers(j), &mut root, &mut in_group);
        }
    }
    for budget in &scenario.budgets {
        let items: Vec<usize> = (0..n)
            .filter(|&i| {
                scenario.items[i]
                    .sourcing
                    .iter()
                    .any(|s| budget.covers(s.supplier))
            })
            .collect();
        join(&items, &mut root, &mut in_group);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_root = vec![usize::MAX; n];
    for i in (0..n).filter(|&i| in_group[i]) {
        let r = find(&mut root, i);
        if group_of_root[r] == usize::MAX {
            group_of_root[r] = groups.len();
            groups.push(Vec::new());
        }
        groups[group_of_root[r]].push(i);
    }
    (coupling, groups)
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
    simulation.into_outcome()
}

/// A simulation that can be extended run by run: the runs `0..n` of a scenario and seed, whose
/// results are byte-identical to `simulate(scenario, n, seed)` however `n` was reached.
/// Extending from a whole number of chunks ([`CHUNK_RUNS`]) only simulates the new runs;
/// extending from a cut chunk simulates everything again. Analyses use it to add runs only
/// where a decision is still uncertain.
pub(crate) struct Simulation<'a> {
    prepared: Prepared<'a>,
    seed: u64,
    runs: u64,
    total: ChunkStats,
}

impl<'a> Simulation<'a> {
    /// No runs yet; with `baseline`, paired differences against that policy are kept as well.
    pub(crate) fn new(scenario: &'a Scenario, seed: u64, baseline: Option<usize>) -> Self {
        let prepared = Prepared::new(scenario, baseline);
        Simulation {
            total: ChunkStats::new(&prepared),
            prepared,
            seed,
            runs: 0,
        }
    }

    /// Runs simulated so far.
    pub(crate) fn runs(&self) -> u64 {
        self.runs
    }

    /// Keep, from now on, the worst runs as `by` says (streaming: a bounded heap per chunk,
    /// so memory stays flat in the run count). Runs already simulated are simulated again.
    pub(crate) fn keep_worst(&mut self, by: WorstBy) {
        self.prepared.worst = Some(by);
        self.total = ChunkStats::new(&self.prepared);
        self.runs = 0;
    }

    /// The worst runs kept so far, worst first (empty unless [`Simulation::keep_worst`] asked
    /// for them). Runs in which the metric is undefined are never kept.
    pub(crate) fn worst_runs(&self) -> Vec<RankedRun> {
        self.total
            .worst
            .as_ref()
            .map_or_else(Vec::new, WorstRuns::worst_first)
    }

    /// Simulate, from now on, policy `policy` alone: the other policies' figures stay empty.
    /// What `policy` gets is exactly what it gets with all of them, since each run's paths are
    /// drawn once whichever policies replay them (`optimize` sizes one policy so, at the cost
    /// of one policy). Runs already simulated are simulated again.
    pub(crate) fn only_policy(&mut self, policy: usize) {
        debug_assert!(
            self.prepared.baseline.is_none(),
            "paired differences need every policy"
        );
        for (p, simulated) in self.prepared.simulated.iter_mut().enumerate() {
            *simulated = p == policy;
        }
        self.total = ChunkStats::new(&self.prepared);
        self.runs = 0;
    }

    /// Simulate, from now on, only the items `items` marks (with the others they are
    /// simulated together with): their figures are exactly those they have beside every item,
    /// the other items' figures and the figures over all items stay empty (`optimize
    /// --per-item` stops paying for items whose value is settled). Runs already simulated are
    /// simulated again.
    pub(crate) fn only_items(&mut self, items: &[bool]) {
        debug_assert!(
            self.prepared.baseline.is_none(),
            "paired differences need every item"
        );
        self.prepared.items_simulated.copy_from_slice(items);
        self.prepared.take_groups_along();
        self.total = ChunkStats::new(&self.prepared);
        self.runs = 0;
    }

    /// Simulate, from the next run on, only the items `keep` marks (with the others they are
    /// simulated together with): the items stopped keep the figures of the runs simulated so
    /// far, and the figures over all items stop with them (`optimize --per-item` gives more
    /// runs only to the items whose verdict is uncertain). Only after a whole number of
    /// chunks: a cut chunk is simulated again from the start by the next extension, so
    /// nothing is stopped then.
    pub(crate) fn stop_items(&mut self, keep: &[bool]) {
        if !self.runs.is_multiple_of(CHUNK_RUNS) {
            return;
        }
        for (simulated, &kept) in self.prepared.items_simulated.iter_mut().zip(keep) {
            *simulated &= kept;
        }
        self.prepared.take_groups_along();
    }

    /// Keep, from now on, every run's figures in run order (memory grows with the runs, so
    /// only on request). Runs already simulated are simulated again.
    pub(crate) fn keep_per_run(&mut self) {
        self.prepared.per_run = true;
        self.total = ChunkStats::new(&self.prepared);
        self.runs = 0;
    }

    /// Every run's figures so far ([`Simulation::keep_per_run`]), `None` unless asked for.
    pub(crate) fn per_run(&self) -> Option<&PerRun> {
        self.total.per_run.as_ref()
    }

    /// Simulate runs `self.runs()..runs` (nothing if there are already as many).
    pub(crate) fn extend_to(&mut self, runs: u64, progress: &(dyn Fn(u64) + Sync)) {
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
        let chunks = first_chunk..runs.div_ceil(CHUNK_RUNS);
        run_chunks(
            &self.prepared,
            self.seed,
            chunks,
            runs,
            &mut self.total,
            progress,
        );
        self.runs = runs;
    }

    /// The results of the runs so far.
    pub(crate) fn outcome(&self) -> Outcome {
        self.outcome_of(
            self.total.policies.clone(),
            self.total.disruptions.clone(),
            self.total.paired.clone(),
        )
    }

    /// The results of the runs so far, without copying the accumulators (a catalogue's take
    /// as much memory as its simulation).
    pub(crate) fn into_outcome(mut self) -> Outcome {
        let total = std::mem::replace(&mut self.total, ChunkStats::for_items(&self.prepared, 0));
        self.outcome_of(total.policies, total.disruptions, total.paired)
    }

    fn outcome_of(
        &self,
        mut policies: Vec<PolicyStats>,
        disruptions: DisruptionStats,
        paired: Option<PairedStats>,
    ) -> Outcome {
        let scenario = self.prepared.scenario;
        for policy in &mut policies {
            policy.finish();
        }
        Outcome {
            runs: self.runs,
            seed: self.seed,
            policies,
            disruptions,
            fan: self.prepared.fan.clone(),
            months: self.prepared.months.clone(),
            item_days: self.runs
                * scenario.items.len() as u64
                * self.prepared.simulated.iter().filter(|&&s| s).count() as u64
                * u64::from(scenario.horizon_days),
            paired,
        }
    }
}

/// Simulate chunks `chunks` of a simulation of `runs` runs (the last chunk cut at `runs`) and
/// merge them into `total`; `progress` hears the runs merged so far, counted from run 0.
///
/// Each chunk is simulated in [`pieces_per_chunk`] pieces, each for the items of some of its
/// blocks ([`ItemBlocks`]); the pieces are merged in order, and a chunk's figures over all
/// items are counted once its last piece is in ([`Assembly`]). How many pieces changes no
/// result.
fn run_chunks(
    prepared: &Prepared<'_>,
    seed: u64,
    chunks: Range<u64>,
    runs: u64,
    total: &mut ChunkStats,
    progress: &(dyn Fn(u64) + Sync),
) {
    let threads = rayon::current_num_threads();
    let pieces = pieces_per_chunk(prepared, threads, chunks.end - chunks.start);
    run_pieces(prepared, seed, (chunks, runs), pieces, total, progress);
}

/// [`run_chunks`] with each chunk cut into `pieces` pieces (at most one per block).
fn run_pieces(
    prepared: &Prepared<'_>,
    seed: u64,
    (chunks, runs): (Range<u64>, u64),
    pieces: u64,
    total: &mut ChunkStats,
    progress: &(dyn Fn(u64) + Sync),
) {
    debug_assert!((1..=prepared.blocks.blocks.len() as u64).contains(&pieces));
    let threads = rayon::current_num_threads();
    let mut assembly = Assembly {
        prepared,
        total,
        sums: Vec::new(),
        struck: Vec::new(),
    };
    ordered::run_in_order(
        chunks.start * pieces..chunks.end * pieces,
        threads,
        window_pieces(prepared, threads, pieces),
        &mut assembly,
        || {
            let mut buffers = ChunkBuffers::new(prepared);
            move |index| {
                let piece = Piece::nth(prepared, index, pieces, runs);
                run_piece(prepared, seed, &piece, &mut buffers)
            }
        },
        Assembly::add,
        |merged| progress(((merged / pieces) * CHUNK_RUNS).min(runs)),
    );
}

/// A piece of a chunk's work: the chunk's runs for the items of a range of its blocks.
struct Piece {
    runs: Range<u64>,
    blocks: Range<usize>,
    /// Whether it is its chunk's last piece.
    last: bool,
}

impl Piece {
    /// Piece `index` of a simulation of `runs` runs whose chunks are cut into `pieces` pieces
    /// each: piece `index % pieces` of chunk `index / pieces`, the blocks shared out evenly.
    fn nth(prepared: &Prepared<'_>, index: u64, pieces: u64, runs: u64) -> Piece {
        let (chunk, k) = (index / pieces, index % pieces);
        let blocks = prepared.blocks.blocks.len() as u64;
        let start = chunk * CHUNK_RUNS;
        Piece {
            runs: start..(start + CHUNK_RUNS).min(runs),
            blocks: (blocks * k / pieces) as usize..(blocks * (k + 1) / pieces) as usize,
            last: k + 1 == pieces,
        }
    }

    /// Whether it holds the chunk's first block, which counts the runs' disruptions.
    fn first(&self) -> bool {
        self.blocks.start == 0
    }
}

/// Most memory the accumulators of one piece of a chunk should take: a chunk whose would take
/// more is cut into more pieces (up to one per block).
const PIECE_MEMORY: usize = 8 << 20;

/// How many pieces each chunk is cut into: one, unless there are too few chunks for four pieces
/// a thread (so that a large catalogue at few runs keeps every thread busy), or a chunk's
/// accumulators would take more than [`PIECE_MEMORY`] (so that memory is bounded by the items
/// simulated together, not by the catalogue). At most one piece per block. Every run's figures
/// and the worst runs are kept whole chunks at a time (their order is the chunk's).
fn pieces_per_chunk(prepared: &Prepared<'_>, threads: usize, chunks: u64) -> u64 {
    let blocks = prepared.blocks.blocks.len() as u64;
    if blocks == 1 || prepared.per_run || prepared.worst.is_some() {
        return 1;
    }
    let for_threads = if threads > 1 {
        (4 * threads as u64).div_ceil(chunks.max(1))
    } else {
        1
    };
    let for_memory = chunk_bytes(prepared).div_ceil(PIECE_MEMORY) as u64;
    for_threads.max(for_memory).clamp(1, blocks)
}

/// A piece's accumulators and, until they are counted, its runs' sums over its items.
struct PieceStats {
    /// The place of the piece's first item in the blocks' order: its `k`-th item's figures
    /// are `stats`' `k`-th.
    first: usize,
    stats: ChunkStats,
    /// The runs' sums over the piece's items, to be added to the other pieces' before the
    /// figures over all items are counted: per block of the piece, each run's, except that the
    /// chunk's first blocks are summed into one; empty once counted (a whole chunk's piece
    /// counts them itself).
    sums: Vec<Vec<CatalogueSums>>,
    /// With the chunk's first block: per run, whether each disruption had an event in its
    /// measured days, run after run.
    struck: Vec<bool>,
    runs: Range<u64>,
    last: bool,
}

/// The total the pieces are merged into, in order, and the chunk being assembled: its runs'
/// sums over the items of the pieces in so far.
struct Assembly<'p, 'a, 't> {
    prepared: &'p Prepared<'a>,
    total: &'t mut ChunkStats,
    sums: Vec<CatalogueSums>,
    struck: Vec<bool>,
}

impl Assembly<'_, '_, '_> {
    /// Merge the next piece; once it is its chunk's last, count the chunk's figures over all
    /// items, as a chunk simulated in one piece counts them.
    fn add(&mut self, piece: PieceStats) {
        let items = piece.stats.policies.first().map_or(0, |p| p.items.len());
        let order = &self.prepared.blocks.order[piece.first..][..items];
        self.total.merge_items(&piece.stats, order);
        if piece.sums.is_empty() {
            return;
        }
        for block in piece.sums {
            if self.sums.is_empty() {
                self.sums = block;
            } else {
                for (sums, more) in self.sums.iter_mut().zip(&block) {
                    sums.add(more);
                }
            }
        }
        if !piece.struck.is_empty() {
            self.struck = piece.struck;
        }
        if piece.last {
            let mut chunk = ChunkStats::for_items(self.prepared, 0);
            count_catalogue_runs(
                self.prepared,
                piece.runs,
                (&self.sums, &self.struck),
                &mut chunk,
            );
            self.total.merge_items(&chunk, &[]);
            self.sums.clear();
            self.struck.clear();
        }
    }
}

/// The accumulators of a contiguous range of a simulation's runs, simulated apart from the
/// others: a shard's part ([`simulate_part`]), written to a partial-result file and merged
/// with the other parts by [`Merge`] into exactly the outcome of one simulation of all
/// the runs, whatever the parts, their order and the threads each was simulated on.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Part {
    /// The runs simulated.
    pub runs: Range<u64>,
    stats: ChunkStats,
}

/// Where the runs of chunk-aligned shard `shard` (from 1) of `shards` fall in a simulation of
/// `runs` runs: the chunks ([`CHUNK_RUNS`]) are dealt out in contiguous blocks as evenly as
/// they go, the first shards taking one fewer where they do not divide. With more shards than
/// chunks, some shards have no runs.
pub fn shard_runs(shard: u64, shards: u64, runs: u64) -> Range<u64> {
    debug_assert!((1..=shards).contains(&shard));
    let chunks = runs.div_ceil(CHUNK_RUNS);
    let first = |k: u64| (u128::from(chunks) * u128::from(k) / u128::from(shards)) as u64;
    let start = (first(shard - 1) * CHUNK_RUNS).min(runs);
    let end = (first(shard) * CHUNK_RUNS).min(runs);
    start..end
}

/// Simulate runs `part` of a simulation of `runs` runs with master seed `seed` (with
/// `baseline`, the paired differences against that policy as well): `part` starts on a chunk
/// boundary and ends on one or at `runs` ([`shard_runs`]). `progress` hears the runs of the
/// part merged so far.
pub fn simulate_part(
    scenario: &Scenario,
    seed: u64,
    baseline: Option<usize>,
    (part, runs): (Range<u64>, u64),
    progress: &(dyn Fn(u64) + Sync),
) -> Part {
    debug_assert!(part.start.is_multiple_of(CHUNK_RUNS) && part.end <= runs);
    debug_assert!(part.end.is_multiple_of(CHUNK_RUNS) || part.end == runs);
    let prepared = Prepared::new(scenario, baseline);
    let mut stats = ChunkStats::new(&prepared);
    let chunks = part.start / CHUNK_RUNS..part.end.div_ceil(CHUNK_RUNS);
    let start = part.start;
    run_chunks(&prepared, seed, chunks, runs, &mut stats, &|done| {
        progress(done - start)
    });
    Part { runs: part, stats }
}

/// The merge of parts that cover every run of a simulation once (checked by the caller,
/// `results::partial`), simulated from the same scenario, seed and baseline: its outcome is
/// byte for byte that of [`simulate`] (and, with a baseline, of a comparison's simulation).
/// Parts are added one at a time, in any order, so memory holds the total and one part
/// whatever their number.
pub struct Merge<'a> {
    simulation: Simulation<'a>,
}

impl<'a> Merge<'a> {
    /// Nothing merged yet.
    pub fn new(scenario: &'a Scenario, seed: u64, baseline: Option<usize>) -> Self {
        Merge {
            simulation: Simulation::new(scenario, seed, baseline),
        }
    }

    /// Merge `part` in.
    pub fn add(&mut self, part: &Part) {
        self.simulation.total.merge(&part.stats);
    }

    /// The outcome of the simulation of `runs` runs the parts make up.
    pub fn finish(mut self, runs: u64) -> Outcome {
        self.simulation.runs = runs;
        self.simulation.into_outcome()
    }
}

/// Accumulators of chunks simulated but not yet merged may hold this much memory at once.
const WINDOW_MEMORY: usize = 16 << 20;

/// How many pieces of chunks (`pieces` a chunk) may be simulated ahead of the merge. No thread
/// waits for another unless one runs this far ahead while a piece before it is still running,
/// so a few pieces per thread are enough; more would only hold more memory and merge colder
/// accumulators.
fn window_pieces(prepared: &Prepared<'_>, threads: usize, pieces: u64) -> u64 {
    let piece_bytes = chunk_bytes(prepared).div_ceil(pieces as usize).max(1);
    let per_thread = (WINDOW_MEMORY / (piece_bytes * threads)).clamp(2, 8);
    (per_thread * threads) as u64
}

/// About how much memory the accumulators of a chunk of runs take.
fn chunk_bytes(prepared: &Prepared<'_>) -> usize {
    let scenario = prepared.scenario;
    // Per policy: each item's and the all-items metrics (a running statistic with its noted
    // sketch keys, about 700 bytes each), and the fan charts' keys (2 bytes a day and run, for
    // the policy's fan and the items' own).
    let metric_bytes = (scenario.items.len() + 1) * crate::simulation::metrics::METRICS.len() * 700;
    let fan = &prepared.fan;
    let fan_days = fan.days.len() + fan.item_fans() * fan.item_days.len();
    let fan_bytes = fan_days * CHUNK_RUNS as usize * 2;
    scenario.policies.len().max(1) * (metric_bytes + fan_bytes)
}

/// The accumulators of one chunk of runs (or of all runs, once merged). Merged in any order
/// and grouping they give the same figures (`foundation::stats`), which is what lets shards
/// simulated apart be merged exactly ([`Part`]); the worst runs and every run's figures are
/// kept on one machine only.
#[derive(serde::Serialize, serde::Deserialize)]
struct ChunkStats {
    policies: Vec<PolicyStats>,
    disruptions: DisruptionStats,
    paired: Option<PairedStats>,
    #[serde(skip)]
    worst: Option<WorstRuns>,
    #[serde(skip)]
    per_run: Option<PerRun>,
}

impl ChunkStats {
    /// Empty accumulators for every item.
    fn new(prepared: &Prepared<'_>) -> Self {
        Self::for_items(prepared, prepared.scenario.items.len())
    }

    /// Empty accumulators for `items` items (the items of a piece of a chunk, [`PieceStats`]).
    fn for_items(prepared: &Prepared<'_>, items: usize) -> Self {
        let scenario = prepared.scenario;
        ChunkStats {
            policies: scenario
                .policies
                .iter()
                .map(|_| {
                    PolicyStats::with_suppliers(
                        items,
                        scenario.disruptions.len(),
                        &prepared.fan,
                        scenario.suppliers.len(),
                        scenario.budgets.len(),
                    )
                    .with_months(prepared.months.months.len())
                })
                .collect(),
            disruptions: DisruptionStats::new(scenario.disruptions.len()),
            paired: prepared
                .baseline
                .map(|b| PairedStats::new(b, scenario.policies.len())),
            worst: prepared.worst.map(WorstRuns::new),
            per_run: prepared
                .per_run
                .then(|| PerRun::new(scenario.policies.len(), scenario.items.len())),
        }
    }

    fn merge(&mut self, other: &ChunkStats) {
        for (a, b) in self.policies.iter_mut().zip(&other.policies) {
            a.merge(b);
        }
        self.merge_catalogue(other);
    }

    /// Merge accumulators of some items only: `other`'s `k`-th item is the scenario's item
    /// `items[k]`.
    fn merge_items(&mut self, other: &ChunkStats, items: &[usize]) {
        for (a, b) in self.policies.iter_mut().zip(&other.policies) {
            a.merge_items(b, items);
        }
        self.merge_catalogue(other);
    }

    /// Everything but the policies' accumulators.
    fn merge_catalogue(&mut self, other: &ChunkStats) {
        self.disruptions.merge(&other.disruptions);
        if let (Some(mine), Some(theirs)) = (&mut self.paired, &other.paired) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.worst, &other.worst) {
            mine.merge(theirs);
        }
        if let (Some(mine), Some(theirs)) = (&mut self.per_run, &other.per_run) {
            mine.append(theirs);
        }
    }
}

/// What one run of a batch draws and gathers: its shared paths and its totals.
struct RunBuffers<'a> {
    /// The run's index.
    run: u64,
    supply: SupplyPaths<'a>,
    /// Events of each disruption in the run.
    spells: Vec<Vec<Spell>>,
    /// Demand multipliers of each disruption in the run (all 1 unless it is a surge).
    surges: Vec<Vec<f64>>,
    /// Per disruption, whether it had an event in the measured days of the run.
    struck: Vec<bool>,
    /// Events that reach the current item.
    /// The events of the current run that reach the current item, with their aftermath.
    item_spells: Vec<(Spell, usize)>,
    /// The current item's demand path.
    demand: Vec<f64>,
    /// The run's sums over the items of the current block.
    sums: CatalogueSums,
    /// The place in the blocks' order of the first item the accumulators are kept for: item
    /// `i`'s are the `place[i] - first`-th ([`ItemBlocks`]).
    first: usize,
}

/// One run's sums over some items, per policy: what the figures over all items are made of.
#[derive(Clone)]
struct CatalogueSums {
    /// Per policy, the run's totals.
    totals: Vec<RunTotals>,
    /// Per policy, the run's stock on hand on the fan's days: units with a single item, value
    /// summed over items with several.
    on_hand: Vec<Vec<f64>>,
    /// Per policy, the run's sums of each calendar month ([`MonthLayout`]).
    months: Vec<Vec<MonthSums>>,
}

impl CatalogueSums {
    fn new(prepared: &Prepared<'_>) -> Self {
        let policies = prepared.scenario.policies.len();
        CatalogueSums {
            totals: vec![RunTotals::default(); policies],
            on_hand: vec![vec![0.0; prepared.fan.days.len()]; policies],
            months: vec![vec![MonthSums::default(); prepared.months.months.len()]; policies],
        }
    }

    /// Start again for the next items. The on-hand sums are not cleared: the first item's
    /// levels replace them ([`FanLayout::note_item`]).
    fn reset(&mut self, measured_days: f64) {
        for totals in &mut self.totals {
            *totals = RunTotals {
                measured_days,
                ..RunTotals::default()
            };
        }
        for months in &mut self.months {
            months.fill(MonthSums::default());
        }
    }

    /// Add the same run's sums over the next items.
    fn add(&mut self, more: &CatalogueSums) {
        for (totals, theirs) in self.totals.iter_mut().zip(&more.totals) {
            totals.add(theirs);
        }
        for (path, theirs) in self.on_hand.iter_mut().zip(&more.on_hand) {
            for (level, their) in path.iter_mut().zip(theirs) {
                *level += their;
            }
        }
        for (months, theirs) in self.months.iter_mut().zip(&more.months) {
            for (month, their) in months.iter_mut().zip(theirs) {
                month.add(their);
            }
        }
    }
}

impl<'a> RunBuffers<'a> {
    fn new(prepared: &Prepared<'a>) -> Self {
        let sc = prepared.scenario;
        let horizon = sc.horizon_days as usize;
        RunBuffers {
            run: 0,
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
            struck: vec![false; sc.disruptions.len()],
            item_spells: Vec::new(),
            demand: vec![0.0; horizon],
            sums: CatalogueSums::new(prepared),
            first: 0,
        }
    }

    /// Draw the paths run `run` shares between items and policies (suppliers, disruptions),
    /// and note its disruptions in `stats`, if given.
    fn start_run(
        &mut self,
        prepared: &Prepared<'_>,
        (seed, run): (u64, u64),
        stats: Option<&mut ChunkStats>,
    ) {
        let sc = prepared.scenario;
        let horizon = sc.horizon_days as usize;
        self.run = run;
        for j in 0..sc.suppliers.len() {
            self.supply
                .reset(j, &mut rng_for(seed, run, Stream::Supplier(j)));
        }
        for (k, disruption) in sc.disruptions.iter().enumerate() {
            let mut rng = rng_for(seed, run, Stream::Disruption(k));
            disruption
                .occurrence
                .spells(&mut rng, horizon, &mut self.spells[k]);
            if disruption.kind.is_supply_side() {
                self.supply.apply(disruption, &self.spells[k], &mut rng);
            } else {
                disruption.surge_factors(&self.spells[k], &mut rng, &mut self.surges[k]);
            }
        }
        if let Some(stats) = stats {
            stats.disruptions.push_run(
                sc,
                &self.spells,
                &self.supply,
                sc.warmup_days as usize..horizon,
                &mut self.struck,
            );
        }
    }

    /// Draw item `i`'s demand path in run `run`, surges included.
    fn draw_demand(&mut self, prepared: &Prepared<'_>, seed: u64, run: u64, i: usize) {
        fill_demand(prepared, (seed, run), i, &self.surges, &mut self.demand);
    }

    /// Group `g`'s items under policy `p` in this run, their demand paths drawn into `gb`
    /// ([`GroupBuffers::draw`]), item `k` of the group told to `recorders[k]`; each item's
    /// totals are counted as [`RunBuffers::simulate`] counts one item's, in the group's item
    /// order, and left in `gb.totals`, and the figures of the suppliers and budgets the group
    /// holds are counted.
    fn simulate_group<R: DayRecorder>(
        &mut self,
        prepared: &Prepared<'_>,
        (g, p): (usize, usize),
        gb: &mut GroupBuffers,
        stats: &mut ChunkStats,
        recorders: &mut [R],
    ) {
        let sc = prepared.scenario;
        let group = &prepared.groups[g];
        let scratch = &mut gb.scratch[g];
        simulate_group(
            group,
            &prepared.setups,
            &sc.policies[p],
            &gb.demand[..group.items.len()],
            &self.supply,
            scratch,
            recorders,
            &mut gb.counters,
        );
        gb.totals.clear();
        for (k, &i) in group.items.iter().enumerate() {
            self.note_item_spells(prepared, i);
            let items = &scratch.items[k];
            let totals = self.finish_item(prepared, stats, (i, p), gb.counters.items[k], |t| {
                items.impaired(t)
            });
            gb.totals.push(totals);
            prepared.fan.note_item::<1>(
                (i, prepared.blocks.starts_block[i]),
                items.levels(),
                &mut stats.policies[p],
                [&mut self.sums.on_hand[p]],
            );
            prepared
                .months
                .note_item::<1>(i, items.marks(), [&mut self.sums.months[p]]);
        }
        push_group_figures(prepared, (g, p), &gb.counters, stats);
    }

    /// List the events of the run that reach item `i` and start in the measured days, each
    /// with its aftermath in days.
    fn note_item_spells(&mut self, prepared: &Prepared<'_>, i: usize) {
        let sc = prepared.scenario;
        self.item_spells.clear();
        for (&k, &aftermath) in prepared.reaching[i].iter().zip(&prepared.aftermath[i]) {
            self.item_spells.extend(
                self.spells[k]
                    .iter()
                    .filter(|s| s.start >= sc.warmup_days as usize)
                    .map(|&s| (s, aftermath)),
            );
        }
    }

    /// Count item `i`'s run under policy `p` from its counters and its impaired days (the
    /// caller notes its levels in the fan), and return the item's totals in the run.
    fn finish_item(
        &mut self,
        prepared: &Prepared<'_>,
        stats: &mut ChunkStats,
        (i, p): (usize, usize),
        mut counters: ItemCounters,
        impaired: impl Fn(usize) -> bool,
    ) -> RunTotals {
        let sc = prepared.scenario;
        let horizon = sc.horizon_days as usize;
        for &(spell, aftermath) in &self.item_spells {
            counters.recovery_days += recovery_days(spell, aftermath, horizon, &impaired) as f64;
            counters.recovery_events += 1.0;
        }
        let policy = &sc.policies[p].items[i];
        let measured_days = f64::from(sc.measured_days());
        let totals = RunTotals::for_item(&counters, &sc.items[i], policy, measured_days);
        stats.policies[p].items[prepared.blocks.place[i] - self.first].push(&totals);
        if let Some(worst) = &mut stats.worst {
            worst.offer(self.run, (Some(i), p), &totals);
        }
        if let Some(rows) = &mut stats.per_run {
            rows.offer(self.run, (Some(i), p), &totals);
        }
        self.sums.totals[p].add(&totals);
        totals
    }

    /// Item `i` under policy `p` in this run alone, its days told to `recorder`; returns the
    /// item's totals in the run.
    fn simulate<R: DayRecorder>(
        &mut self,
        prepared: &Prepared<'_>,
        (i, p): (usize, usize),
        scratch: &mut Scratch,
        stats: &mut ChunkStats,
        recorder: R,
    ) -> RunTotals {
        let policy = &prepared.scenario.policies[p];
        let counters = kernel::simulate_item(
            &prepared.setups[i],
            &policy.items[i],
            &policy.segments,
            &self.demand,
            &self.supply,
            scratch,
            recorder,
        );
        let totals = self.finish_item(prepared, stats, (i, p), counters, |t| scratch.impaired(t));
        prepared.fan.note_item::<1>(
            (i, prepared.blocks.starts_block[i]),
            scratch.levels(),
            &mut stats.policies[p],
            [&mut self.sums.on_hand[p]],
        );
        prepared
            .months
            .note_item::<1>(i, scratch.marks(), [&mut self.sums.months[p]]);
        totals
    }
}

/// Count the figures over all items of runs `runs`, from each run's sums over the items and
/// whether each disruption had an event in its measured days (`struck`, run after run).
fn count_catalogue_runs(
    prepared: &Prepared<'_>,
    runs: Range<u64>,
    (sums, struck): (&[CatalogueSums], &[bool]),
    stats: &mut ChunkStats,
) {
    let disruptions = prepared.scenario.disruptions.len();
    for (q, (run, sums)) in runs.zip(sums).enumerate() {
        let struck = &struck[q * disruptions..(q + 1) * disruptions];
        count_catalogue_run(prepared, run, sums, struck, stats);
    }
}

/// Count run `run`'s figures over all items, from its `sums` over them, in `stats`; `struck[k]`
/// tells whether disruption `k` had an event in the run's measured days.
fn count_catalogue_run(
    prepared: &Prepared<'_>,
    run: u64,
    sums: &CatalogueSums,
    struck: &[bool],
    stats: &mut ChunkStats,
) {
    if prepared.items_simulated.contains(&false) {
        // Some items only: no figures over all items.
        return;
    }
    let several_items = prepared.scenario.items.len() > 1;
    for (p, totals) in sums.totals.iter().enumerate() {
        if !prepared.simulated[p] {
            continue;
        }
        stats.policies[p].push_all(totals, struck, several_items);
        if let Some(worst) = &mut stats.worst {
            worst.offer(run, (None, p), totals);
        }
        if let Some(rows) = &mut stats.per_run {
            rows.offer(run, (None, p), totals);
        }
        if prepared.fan.sums_items() {
            stats.policies[p].push_on_hand(&sums.on_hand[p]);
        }
        stats.policies[p].by_month.push(&sums.months[p]);
    }
    if let Some(paired) = &mut stats.paired {
        paired.push(&sums.totals);
    }
}

/// Per-thread buffers for a chunk of runs.
struct ChunkBuffers<'a> {
    /// One per run of a batch: [`LANES`] if the scenario steps runs in lanes, else one.
    runs: Vec<RunBuffers<'a>>,
    scratch: Scratch,
    /// The lane loop's buffers, if runs are stepped in lanes.
    lanes: Option<LaneBuffers>,
    groups: GroupBuffers,
    /// A whole chunk's runs' sums over all items and the disruptions that struck them
    /// ([`PieceStats`]), kept from chunk to chunk.
    sums: Vec<CatalogueSums>,
    struck: Vec<bool>,
}

/// The buffers of the lane loop.
struct LaneBuffers {
    vector: Vector,
    scratch: LaneScratch,
    /// The current item's demand in each run of the batch, day by day (`t * LANES + lane`).
    demand: LaneDays,
    counters: [ItemCounters; LANES],
}

impl LaneBuffers {
    /// Put item `i`'s demand in a full batch's runs day by day, lane by lane: drawn so by
    /// `sampler`, from the streams of the runs from `first_run` on, or taken from each run's
    /// path.
    fn lay_out_demand(
        &mut self,
        batch: &[RunBuffers<'_>],
        sampler: Option<LaneSampler>,
        (seed, first_run): (u64, u64),
        i: usize,
    ) {
        if let Some(sampler) = sampler {
            draw_in_lanes(sampler, self.vector, (seed, first_run), i, &mut self.demand);
        } else {
            for (l, r) in batch.iter().enumerate() {
                put_in_lane(&r.demand, l, &mut self.demand);
            }
        }
    }

    /// Item `i` under policy `p` in all runs of a full batch at once, counted run by run.
    fn simulate(
        &mut self,
        prepared: &Prepared<'_>,
        batch: &mut [RunBuffers<'_>; LANES],
        (i, p): (usize, usize),
        stats: &mut ChunkStats,
    ) {
        let policy = &prepared.scenario.policies[p];
        let supplies = std::array::from_fn(|l| &batch[l].supply);
        kernel::lanes::simulate_item_lanes(
            self.vector,
            &prepared.setups[i],
            &policy.items[i],
            &policy.segments,
            &self.demand,
            supplies,
            &mut self.scratch,
            &mut self.counters,
        );
        let scratch = &self.scratch;
        for (l, r) in batch.iter_mut().enumerate() {
            let counters = self.counters[l];
            r.finish_item(prepared, stats, (i, p), counters, |t| {
                scratch.impaired(l, t)
            });
        }
        let paths = batch.each_mut().map(|r| r.sums.on_hand[p].as_mut_slice());
        prepared.fan.note_item::<LANES>(
            (i, prepared.blocks.starts_block[i]),
            scratch.levels(),
            &mut stats.policies[p],
            paths,
        );
        let months = batch.each_mut().map(|r| r.sums.months[p].as_mut_slice());
        prepared
            .months
            .note_item::<LANES>(i, scratch.marks(), months);
    }
}

/// Draw item `i`'s demand in the [`LANES`] runs from `first_run` on, day by day and lane by
/// lane, with `sampler` (what each run's own path would be).
fn draw_in_lanes(
    sampler: LaneSampler,
    vector: Vector,
    (seed, first_run): (u64, u64),
    i: usize,
    demand: &mut [f64],
) {
    let mut rngs: [_; LANES] =
        std::array::from_fn(|l| rng_for(seed, first_run + l as u64, Stream::Demand(i)));
    sampler.fill(vector, &mut rngs, demand);
}

/// Put one run's `path` in lane `lane` of `demand`, laid out day by day and lane by lane.
fn put_in_lane(path: &[f64], lane: usize, demand: &mut [f64]) {
    for (t, &d) in path.iter().enumerate() {
        demand[t * LANES + lane] = d;
    }
}

/// Most memory the per-run buffers of one batch may take on one thread for the runs to be
/// stepped in lanes: each run of a batch keeps its own supply and surge paths.
const LANE_MEMORY: usize = 8 << 20;

/// Whether a batch's paths fit in [`LANE_MEMORY`], so that runs of this scenario can be
/// stepped [`LANES`] at a time.
fn lanes_fit(scenario: &Scenario) -> bool {
    let horizon = scenario.horizon_days as usize;
    let surges = scenario
        .disruptions
        .iter()
        .filter(|d| !d.kind.is_supply_side())
        .count();
    // A supplier-day: its facts and its lazily drawn shipment (under 64 bytes).
    let per_run = horizon * (64 * scenario.suppliers.len() + 8 * (surges + 1));
    per_run * LANES <= LANE_MEMORY
}

impl<'a> ChunkBuffers<'a> {
    fn new(prepared: &Prepared<'a>) -> Self {
        let horizon = prepared.scenario.horizon_days as usize;
        let width = if prepared.lanes.is_some() { LANES } else { 1 };
        ChunkBuffers {
            runs: (0..width).map(|_| RunBuffers::new(prepared)).collect(),
            scratch: Scratch::new(horizon, prepared.max_links, prepared.months.spans()),
            groups: GroupBuffers::new(prepared),
            sums: Vec::new(),
            struck: Vec::new(),
            lanes: prepared.lanes.map(|vector| LaneBuffers {
                vector,
                scratch: LaneScratch::new(horizon, prepared.months.spans()),
                demand: LaneDays::zeroed(horizon),
                counters: [ItemCounters::default(); LANES],
            }),
        }
    }
}

/// Simulate `piece`, a batch of runs at a time, into accumulators of its own; a piece that is
/// its chunk's only one counts the figures over all items as well.
fn run_piece(
    prepared: &Prepared<'_>,
    seed: u64,
    piece: &Piece,
    buffers: &mut ChunkBuffers<'_>,
) -> PieceStats {
    let places = prepared.blocks.places(&piece.blocks);
    let runs = (piece.runs.end - piece.runs.start) as usize;
    let slots = if piece.first() { 1 } else { piece.blocks.len() };
    let whole = piece.first() && piece.last;
    let mut out = PieceStats {
        first: places.start,
        stats: ChunkStats::for_items(prepared, places.len()),
        // A whole chunk's sums stay on this thread: the buffers' are used again.
        sums: if whole {
            vec![std::mem::take(&mut buffers.sums)]
        } else {
            vec![vec![CatalogueSums::new(prepared); runs]; slots]
        },
        struck: if whole {
            std::mem::take(&mut buffers.struck)
        } else {
            Vec::new()
        },
        runs: piece.runs.clone(),
        last: piece.last,
    };
    out.struck.clear();
    if let Some(sums) = out.sums.first_mut() {
        sums.resize_with(runs, || CatalogueSums::new(prepared));
    }
    let width = buffers.runs.len() as u64;
    let mut start = piece.runs.start;
    while start < piece.runs.end {
        let end = (start + width).min(piece.runs.end);
        simulate_batch(prepared, seed, (start..end, piece), buffers, &mut out);
        start = end;
    }
    if whole {
        let sums = out.sums.pop().unwrap_or_default();
        count_catalogue_runs(
            prepared,
            piece.runs.clone(),
            (&sums, &out.struck),
            &mut out.stats,
        );
        buffers.sums = sums;
        buffers.struck = std::mem::take(&mut out.struck);
    }
    out
}

/// Simulate `runs` of a chunk whole into accumulators of their own, as [`run_chunks`] would.
#[cfg(test)]
fn run_chunk(
    prepared: &Prepared<'_>,
    seed: u64,
    runs: std::ops::Range<u64>,
    buffers: &mut ChunkBuffers<'_>,
) -> ChunkStats {
    let piece = Piece {
        runs,
        blocks: 0..prepared.blocks.blocks.len(),
        last: true,
    };
    let mut total = ChunkStats::new(prepared);
    let piece = run_piece(prepared, seed, &piece, buffers);
    total.merge_items(&piece.stats, &prepared.blocks.order);
    total
}

/// A batch of runs of a piece: draw each run's shared paths, then replay them under every
/// policy, block by block and item by item, stepping the runs together where the item allows
/// it, and keep each run's sums over each block's items in `out`. Every accumulator receives
/// the runs in order, so the results are those of simulating the runs one after another.
fn simulate_batch(
    prepared: &Prepared<'_>,
    seed: u64,
    (runs, piece): (Range<u64>, &Piece),
    b: &mut ChunkBuffers<'_>,
    out: &mut PieceStats,
) {
    let sc = prepared.scenario;
    let measured_days = f64::from(sc.measured_days());
    let stats = &mut out.stats;
    let batch = &mut b.runs[..(runs.end - runs.start) as usize];
    for (r, run) in batch.iter_mut().zip(runs.clone()) {
        r.start_run(prepared, (seed, run), piece.first().then_some(&mut *stats));
        r.first = out.first;
        if piece.first() {
            out.struck.extend_from_slice(&r.struck);
        }
    }
    for block in piece.blocks.clone() {
        for r in batch.iter_mut() {
            r.sums.reset(measured_days);
        }
        for &i in &prepared.blocks.order[prepared.blocks.blocks[block].clone()] {
            if !prepared.items_simulated[i] {
                continue;
            }
            if let Some(g) = prepared.group_of[i] {
                // A group is simulated where its first item comes, run by run, all its items
                // together.
                if prepared.groups[g].items[0] == i {
                    let gb = &mut b.groups;
                    let full_batch = <&mut [RunBuffers<'_>; LANES]>::try_from(&mut *batch).ok();
                    if let (Some(vector), Some(runs), Some(lanes), true) = (
                        prepared.lanes,
                        full_batch,
                        &mut gb.lanes,
                        prepared.group_lanes[g],
                    ) {
                        lanes.simulate(prepared, vector, seed, runs, g, stats);
                    } else {
                        let mut recorders = vec![NoRecorder; prepared.groups[g].items.len()];
                        for r in batch.iter_mut() {
                            gb.draw(prepared, seed, r, g);
                            for p in prepared.simulated_policies() {
                                r.simulate_group(prepared, (g, p), gb, stats, &mut recorders);
                            }
                        }
                    }
                }
                continue;
            }
            let in_lanes = &prepared.in_lanes[i];
            // Only a full batch steps in lanes; the last, short batch of a chunk goes run by run.
            let mut lanes = b
                .lanes
                .as_mut()
                .filter(|_| batch.len() == LANES && in_lanes.contains(&true));
            // With every policy in lanes, the runs' paths are only needed day by day, lane by lane,
            // and the lane sampler draws them so.
            let sampler = prepared.lane_samplers[i].filter(|_| lanes.is_some());
            for (r, run) in batch.iter_mut().zip(runs.clone()) {
                r.note_item_spells(prepared, i);
                if sampler.is_none() {
                    r.draw_demand(prepared, seed, run, i);
                }
            }
            if let Some(lanes) = &mut lanes {
                lanes.lay_out_demand(batch, sampler, (seed, runs.start), i);
            }
            for (p, &policy_in_lanes) in in_lanes.iter().enumerate() {
                if !prepared.simulated[p] {
                    continue;
                }
                let full_batch = <&mut [RunBuffers<'_>; LANES]>::try_from(&mut *batch).ok();
                if let (Some(lanes), Some(runs)) = (&mut lanes, full_batch)
                    && policy_in_lanes
                {
                    lanes.simulate(prepared, runs, (i, p), stats);
                } else {
                    for r in batch.iter_mut() {
                        r.simulate(prepared, (i, p), &mut b.scratch, stats, NoRecorder);
                    }
                }
            }
        }
        // The block's sums: the chunk's first blocks summed into one, each later block's kept.
        for r in batch.iter_mut() {
            let run = (r.run - piece.runs.start) as usize;
            if piece.first() && block > 0 {
                out.sums[0][run].add(&r.sums);
            } else {
                std::mem::swap(&mut out.sums[block - piece.blocks.start][run], &mut r.sums);
            }
        }
    }
}

/// Count the figures of the suppliers and budgets group `g` holds in one run under policy `p`.
fn push_group_figures(
    prepared: &Prepared<'_>,
    (g, p): (usize, usize),
    counters: &GroupCounters,
    stats: &mut ChunkStats,
) {
    let group = &prepared.groups[g];
    let measured_days = f64::from(prepared.scenario.measured_days());
    let policy = &mut stats.policies[p];
    for (s, j) in group.suppliers().enumerate() {
        if prepared.coupling[j] {
            policy.suppliers[j].push(&counters.suppliers[s], measured_days);
        }
    }
    for (b, n) in group.budgets().enumerate() {
        policy.budgets[n].push(&counters.budgets[b], measured_days);
    }
}

/// Draw item `i`'s demand path in run `run` of `seed` into `demand`, with the run's `surges`.
fn fill_demand(
    prepared: &Prepared<'_>,
    (seed, run): (u64, u64),
    i: usize,
    surges: &[Vec<f64>],
    demand: &mut [f64],
) {
    let sc = prepared.scenario;
    let mut rng = rng_for(seed, run, Stream::Demand(i));
    prepared.samplers[i].fill_path(&mut rng, sc.start_day_of_year, demand);
    for &k in &prepared.reaching[i] {
        if !sc.disruptions[k].kind.is_supply_side() {
            apply_surge(&surges[k], demand, sc.items[i].whole_units());
        }
    }
}

/// The buffers of the groups of items simulated together, per thread.
struct GroupBuffers {
    /// The demand path of each item of the group being simulated.
    demand: Vec<Vec<f64>>,
    /// Per group, its items' buffers.
    scratch: Vec<GroupScratch>,
    counters: GroupCounters,
    /// Each item's totals in the last group-run simulated, in the group's item order.
    totals: Vec<RunTotals>,
    /// The buffers of groups stepped in lanes, if runs are stepped in lanes and some group is.
    lanes: Option<GroupLaneBuffers>,
}

/// Most memory the lane buffers of a group may take on one thread for its runs to be stepped
/// in lanes (about 230 KB per item over a year): a group of a few hundred items. Larger groups
/// are simulated one run at a time.
const GROUP_LANE_MEMORY: usize = 64 << 20;

/// The buffers of groups stepped in lanes, per thread: the lane buffers of the largest such
/// group's items, shared by the groups one after another, and each group's decisions.
struct GroupLaneBuffers {
    items: Vec<LaneScratch>,
    /// Each item's demand in the batch's runs, day by day and lane by lane.
    demand: Vec<LaneDays>,
    /// One run's demand path, drawn before it is laid out by lane.
    path: Vec<f64>,
    /// Per group stepped in lanes, its decisions.
    scratch: Vec<Option<GroupLaneScratch>>,
    counters: Box<[GroupCounters; LANES]>,
}

impl GroupLaneBuffers {
    fn new(prepared: &Prepared<'_>) -> Option<Self> {
        prepared.lanes?;
        let horizon = prepared.scenario.horizon_days as usize;
        let in_lanes = || {
            prepared
                .groups
                .iter()
                .zip(&prepared.group_lanes)
                .filter(|&(_, &l)| l)
        };
        let largest = in_lanes().map(|(g, _)| g.items.len()).max()?;
        Some(GroupLaneBuffers {
            items: (0..largest)
                .map(|_| LaneScratch::new(horizon, prepared.months.spans()))
                .collect(),
            demand: (0..largest).map(|_| LaneDays::zeroed(horizon)).collect(),
            path: vec![0.0; horizon],
            scratch: prepared
                .groups
                .iter()
                .zip(&prepared.group_lanes)
                .map(|(g, &l)| l.then(|| GroupLaneScratch::new(g)))
                .collect(),
            counters: Box::new(std::array::from_fn(|_| GroupCounters::default())),
        })
    }

    /// Group `g` under every policy in all runs of a full batch at once, counted run by run
    /// as [`RunBuffers::simulate_group`] counts them.
    fn simulate(
        &mut self,
        prepared: &Prepared<'_>,
        vector: Vector,
        seed: u64,
        batch: &mut [RunBuffers<'_>; LANES],
        g: usize,
        stats: &mut ChunkStats,
    ) {
        let sc = prepared.scenario;
        let group = &prepared.groups[g];
        let Some(scratch) = &mut self.scratch[g] else {
            return;
        };
        for (k, &i) in group.items.iter().enumerate() {
            let demand = &mut self.demand[k];
            if let Some(sampler) = prepared.lane_samplers[i] {
                draw_in_lanes(sampler, vector, (seed, batch[0].run), i, demand);
            } else {
                for (l, r) in batch.iter().enumerate() {
                    fill_demand(prepared, (seed, r.run), i, &r.surges, &mut self.path);
                    put_in_lane(&self.path, l, demand);
                }
            }
        }
        for p in prepared.simulated_policies() {
            let supplies = std::array::from_fn(|l| &batch[l].supply);
            simulate_group_lanes(
                vector,
                group,
                &prepared.setups,
                &sc.policies[p],
                supplies,
                (&mut self.items, &self.demand),
                scratch,
                &mut self.counters,
            );
            for (l, r) in batch.iter_mut().enumerate() {
                let counters = &self.counters[l];
                for (k, &i) in group.items.iter().enumerate() {
                    r.note_item_spells(prepared, i);
                    let item = &self.items[k];
                    r.finish_item(prepared, stats, (i, p), counters.items[k], |t| {
                        item.impaired(l, t)
                    });
                }
                push_group_figures(prepared, (g, p), counters, stats);
            }
            for (k, &i) in group.items.iter().enumerate() {
                let paths = batch.each_mut().map(|r| r.sums.on_hand[p].as_mut_slice());
                prepared.fan.note_item::<LANES>(
                    (i, prepared.blocks.starts_block[i]),
                    self.items[k].levels(),
                    &mut stats.policies[p],
                    paths,
                );
                let months = batch.each_mut().map(|r| r.sums.months[p].as_mut_slice());
                prepared
                    .months
                    .note_item::<LANES>(i, self.items[k].marks(), months);
            }
        }
    }
}

impl GroupBuffers {
    fn new(prepared: &Prepared<'_>) -> Self {
        let horizon = prepared.scenario.horizon_days as usize;
        let largest = prepared
            .groups
            .iter()
            .map(|g| g.items.len())
            .max()
            .unwrap_or(0);
        GroupBuffers {
            demand: vec![vec![0.0; horizon]; largest],
            scratch: prepared
                .groups
                .iter()
                .map(|g| GroupScratch::new(g, horizon, prepared.max_links, prepared.months.spans()))
                .collect(),
            counters: GroupCounters::default(),
            totals: Vec::with_capacity(largest),
            lanes: GroupLaneBuffers::new(prepared),
        }
    }

    /// Draw the demand paths of group `g`'s items in run `r`.
    fn draw(&mut self, prepared: &Prepared<'_>, seed: u64, r: &RunBuffers<'_>, g: usize) {
        for (k, &i) in prepared.groups[g].items.iter().enumerate() {
            fill_demand(prepared, (seed, r.run), i, &r.surges, &mut self.demand[k]);
        }
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

/// Time to recover from one event, in days: 0 if the item never fell short (unmet demand or
/// customers waiting) from the event's start until `aftermath` days after its end; otherwise
/// the impaired stretch the event caused, from the first day it fell short in that window to
/// the first day after the last shortfall that began in the window on which it was back to
/// normal (the horizon, if that never came).
///
/// The window reaches past the event because supply has memory: an order an outage held back,
/// a transport delay slowed or an inspection rejected arrives up to a lead time after the event
/// ends, and the shelf may run dry only then. Measuring from the first shortfall rather than
/// from the event's start keeps a one-day dip in a long outage a one-day dip.
pub(crate) fn recovery_days(
    spell: Spell,
    aftermath: usize,
    horizon: usize,
    impaired: impl Fn(usize) -> bool,
) -> usize {
    let reach = (spell.end + aftermath).min(horizon);
    let Some(first) = (spell.start..reach).find(|&d| impaired(d)) else {
        return 0;
    };
    let last = (first..reach).rev().find(|&d| impaired(d)).unwrap_or(first);
    let back = (last..horizon).find(|&d| !impaired(d)).unwrap_or(horizon);
    back - first
}

/// Days after an event's end within which a shortfall of item `i` is still the event's doing:
/// the longest an order can take to arrive from any of the item's suppliers (the longest lead
/// time with lateness, stretched by a lead-time drift the event causes, plus the longest extra
/// days of a transport delay it causes), plus the longest review period of the item's rules (an
/// order cancelled by the event is placed again at the next review). Every order the event
/// held back, slowed, cancelled or had rejected has arrived by then.
fn aftermath_days(scenario: &Scenario, i: usize, disruption: &Disruption) -> usize {
    let item = &scenario.items[i];
    let lead = item
        .sourcing
        .iter()
        .map(|source| {
            let supplier = &scenario.suppliers[source.supplier];
            let base = supplier.lead_time.max() + supplier.lateness.as_ref().map_or(0, |l| l.max());
            match &disruption.effect {
                Effect::LeadTimeDrift { suppliers, factor }
                    if suppliers.contains(&source.supplier) =>
                {
                    (f64::from(base) * factor.max(1.0)).ceil() as usize
                }
                Effect::TransportDelay {
                    suppliers,
                    extra_days,
                } if suppliers.contains(&source.supplier) => (base + extra_days.max()) as usize,
                _ => base as usize,
            }
        })
        .max()
        .unwrap_or(0);
    let review = scenario
        .policies
        .iter()
        .map(|p| p.items[i].sizing.review_period_days as usize)
        .max()
        .unwrap_or(1);
    lead + review
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// The full results of `runs` runs (with paired differences), runs stepped as `lanes` says.
    fn outcome_with(scenario: &Scenario, runs: u64, lanes: Option<Vector>) -> String {
        let mut simulation = Simulation::new(scenario, 11, Some(0));
        simulation.prepared.lanes = lanes;
        simulation.extend_to(runs, &|_| {});
        // Debug prints every float in full, so equal text means equal bits.
        format!("{:?}", simulation.outcome())
    }

    /// A scenario file of `scenarios/` with some of its text replaced.
    fn edited(file: &str, edits: &[(&str, &str)]) -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        let mut source = std::fs::read_to_string(&path).unwrap();
        for (from, to) in edits {
            assert!(source.contains(from), "{file} has no '{from}'");
            source = source.replace(from, to);
        }
        Scenario::from_source(&source, &path).unwrap()
    }

    /// `peak-season.toml` with the ribbon bought from a supplier of its own, so that no
    /// capacity is shared and each item is simulated alone, with `edits` besides.
    fn peak_season_uncoupled(edits: &[(&str, &str)]) -> Scenario {
        let mut all = vec![
            (
                "[[item]]\nid = \"ribbon\"",
                "[[supplier]]\nid = \"ribbon-maker\"\nlead_time = { fixed = 4 }\n\
                 capacity_per_day = 300\n\n[[item]]\nid = \"ribbon\"\n\
                 suppliers = [\"ribbon-maker\"]",
            ),
            (
                "demand = { poisson = { mean = 80 } }",
                "demand = { poisson = { mean = 80 } }\nsuppliers = [\"contract-manufacturer\"]",
            ),
        ];
        all.extend_from_slice(edits);
        edited("peak-season.toml", &all)
    }

    /// Stepping runs in lanes changes no bit of any result, whichever instruction set the lane
    /// loop is compiled for: over scenarios with backorders and lost sales, warm-up, a
    /// pre-build, periodic review, minimum and multiple order quantities, capacity limits,
    /// outages that hold or cancel orders, lateness, rejections, transport delays, lead-time
    /// drift and demand surges, and with items the lanes do not cover (failover, split
    /// sourcing) beside those they do. 70 runs: four batches of 16 and a last, short batch
    /// simulated one run at a time.
    #[test]
    fn runs_stepped_in_lanes_match_runs_one_at_a_time() {
        let scenarios = [
            ("bench-reference.toml", edited("bench-reference.toml", &[])),
            (
                "bench-reference.toml, backorders, weekly (R, S)",
                edited(
                    "bench-reference.toml",
                    &[
                        ("\"lost\"", "\"backorder\""),
                        (
                            "[policy.s-s.rule.s_s]",
                            "[policy.weekly.rule.periodic_review]\nreview_period_days = 7\n\
                             order_up_to = 650\n\n[policy.s-s.rule.s_s]",
                        ),
                    ],
                ),
            ),
            ("kanban-vs-jic.toml", edited("kanban-vs-jic.toml", &[])),
            (
                "kanban-vs-jic.toml, lost sales, no warm-up",
                edited(
                    "kanban-vs-jic.toml",
                    &[
                        ("\"backorder\"", "\"lost\""),
                        ("warmup_days = 60", "warmup_days = 0"),
                    ],
                ),
            ),
            (
                "peak-season.toml, one item per capacity",
                peak_season_uncoupled(&[]),
            ),
            (
                "peak-season.toml, one item per capacity, backorders, warm-up, cancelled orders",
                peak_season_uncoupled(&[
                    ("\"lost\"", "\"backorder\""),
                    ("warmup_days = 0", "warmup_days = 30"),
                    (
                        "supplier_outage = { supplier = \"contract-manufacturer\" }",
                        "supplier_outage = { supplier = \"contract-manufacturer\", \
                         cancel_orders = true }",
                    ),
                ]),
            ),
        ];
        for (name, scenario) in &scenarios {
            assert!(
                Prepared::new(scenario, None).lanes.is_some(),
                "{name}: runs should step in lanes"
            );
            assert_lanes_match_runs_one_at_a_time(name, scenario);
        }
    }

    /// 70 runs of `scenario` stepped in lanes, on each instruction set, give the results of
    /// its runs one at a time, bit for bit: four batches of 16 and a last, short batch.
    fn assert_lanes_match_runs_one_at_a_time(name: &str, scenario: &Scenario) {
        let one_at_a_time = outcome_with(scenario, 70, None);
        for vector in [Vector::baseline(), Vector::detect()] {
            assert!(
                outcome_with(scenario, 70, Some(vector)) == one_at_a_time,
                "{name}: {vector:?} lanes differ from runs one at a time"
            );
        }
    }

    /// The figures by month (issue 21, item 5) of runs stepped in lanes, of runs one at a time
    /// and of items simulated together (stepped in lanes and not) are the same, bit for bit,
    /// and are not empty: every month has runs with a stockout somewhere, which the months'
    /// per-day served demand and levels must carry through each path. Peak season with its
    /// items alone and with them coupled by the shared capacity, backorders and a warm-up.
    #[test]
    fn figures_by_month_do_not_depend_on_how_runs_are_stepped() {
        let months = |prepared: Prepared<'_>| {
            let mut simulation = Simulation {
                total: ChunkStats::new(&prepared),
                prepared,
                seed: 11,
                runs: 0,
            };
            simulation.extend_to(70, &|_| {});
            let outcome = simulation.outcome();
            assert_eq!(outcome.months.months, (0..12).collect::<Vec<_>>());
            outcome
                .policies
                .iter()
                .map(|p| p.by_month.months.clone())
                .collect::<Vec<_>>()
        };
        let uncoupled = peak_season_uncoupled(&[
            ("\"lost\"", "\"backorder\""),
            ("warmup_days = 0", "warmup_days = 30"),
        ]);
        let coupled = edited(
            "peak-season.toml",
            &[
                ("\"lost\"", "\"backorder\""),
                ("warmup_days = 0", "warmup_days = 30"),
            ],
        );
        for (name, scenario) in [("alone", &uncoupled), ("coupled", &coupled)] {
            let mut scalar = Prepared::new(scenario, None);
            scalar.lanes = None;
            let reference = months(scalar);
            // Stockouts fall in December in some run under the first policy, and each month
            // has 70 runs with demand.
            let december = reference[0][11].figure(0).estimate().unwrap();
            assert!(
                december.mean > 0.0 && december.n == 70,
                "{name}: {december:?}"
            );
            for vector in [Vector::baseline(), Vector::detect()] {
                let mut lanes = Prepared::new(scenario, None);
                lanes.lanes = Some(vector);
                assert!(
                    months(lanes) == reference,
                    "{name}: {vector:?} lanes differ from runs one at a time by month"
                );
            }
            let together = Prepared::grouped(scenario, None, true);
            assert!(
                months(together) == reference,
                "{name}: items simulated together differ by month"
            );
        }
    }

    /// Issue 18, item 2: in the kanban reference example (1,000 runs) the kanban's fill rate
    /// came out p05 0.97530, p50 = p95 = 0.98510 against exact 0.97445, 0.98127 and 0.98743,
    /// the value sketch's buckets about 0.01 wide there; the digital kanban's, exactly 1 in
    /// all runs but one, read 0.99947 at every percentile. Each run simulated alone gives its
    /// exact value; the percentiles of the simulation must be within 0.5% of min(x, 1 − x) of
    /// the exact order statistics, so they are ordered and lie inside the spread of the runs.
    #[test]
    fn issue_18_rate_percentiles_lie_inside_the_spread_over_runs() {
        use crate::foundation::stats::QUANTILE_RELATIVE_ACCURACY;
        use crate::simulation::metrics::Metric;

        let scenario = edited("kanban-reference.toml", &[]);
        let (runs, seed) = (1_000, scenario.seed);
        let outcome = simulate(&scenario, runs, seed, &|_| {});
        let rates = [
            Metric::FillRate,
            Metric::CycleServiceLevel,
            Metric::StockoutRate,
        ];
        let policies = scenario.policies.len();
        // Each run alone: `exact[policy][rate]` holds the values of the runs it is defined in.
        let mut exact = vec![vec![Vec::new(); rates.len()]; policies];
        let prepared = Prepared::new(&scenario, None);
        let mut buffers = ChunkBuffers::new(&prepared);
        for run in 0..runs {
            let alone = run_chunk(&prepared, seed, run..run + 1, &mut buffers);
            for (p, policy) in alone.policies.iter().enumerate() {
                for (r, &rate) in rates.iter().enumerate() {
                    let stat = policy.items[0].get(rate);
                    if stat.count() == 1 {
                        exact[p][r].push(stat.mean());
                    }
                }
            }
        }
        for (p, policy) in outcome.policies.iter().enumerate() {
            for (r, &rate) in rates.iter().enumerate() {
                let what = format!("{} {}", scenario.policies[p].name, rate.name());
                let values = &mut exact[p][r];
                values.sort_by(f64::total_cmp);
                let e = policy.all.get(rate).estimate().unwrap();
                assert_eq!(e.n as usize, values.len(), "{what}");
                let at = |q: f64| values[(q * (values.len() - 1) as f64).floor() as usize];
                for (name, got, q) in [
                    ("p05", e.p05, 0.05),
                    ("p50", e.p50, 0.5),
                    ("p95", e.p95, 0.95),
                ] {
                    let x = at(q);
                    let allowed = QUANTILE_RELATIVE_ACCURACY * x.min(1.0 - x) + 1e-15;
                    assert!(
                        (got - x).abs() <= allowed,
                        "{what} {name}: got {got:.5}, exact {x:.5} (runs {:.5}–{:.5})",
                        values[0],
                        values[values.len() - 1]
                    );
                }
                // Where the runs spread, so do the percentiles.
                if at(0.05) < at(0.5) && at(0.5) < at(0.95) {
                    assert!(e.p05 < e.p50 && e.p50 < e.p95, "{what}: {e:?}");
                }
            }
        }
        // The case of the issue: the kanban's fill rate does spread.
        let kanban = &exact[0][0];
        assert!(kanban[50] < kanban[500] && kanban[500] < kanban[949]);
    }

    /// Issue 19, item 7: items simulated together day by day, where nothing couples them,
    /// have every figure they have simulated alone, bit for bit: the coupled loop takes the
    /// single-item loop's steps in its order. Over scenarios with backorders and lost sales,
    /// warm-up, a pre-build, periodic review, failover and split sourcing, a reserve,
    /// expediting, capacity limits, outages that hold or cancel orders, rejections, delays,
    /// surges and stock that expires.
    #[test]
    fn items_simulated_together_have_their_figures_alone() {
        let scenarios = [
            ("kanban-vs-jic.toml", edited("kanban-vs-jic.toml", &[])),
            (
                "kanban-reference.toml",
                edited("kanban-reference.toml", &[]),
            ),
            (
                "peak-season.toml, one item per capacity",
                peak_season_uncoupled(&[
                    ("\"lost\"", "\"backorder\""),
                    ("warmup_days = 0", "warmup_days = 30"),
                    (
                        "supplier_outage = { supplier = \"contract-manufacturer\" }",
                        "supplier_outage = { supplier = \"contract-manufacturer\", \
                         cancel_orders = true }",
                    ),
                ]),
            ),
            (
                "peak-season.toml, stock that expires and loses value",
                peak_season_uncoupled(&[
                    (
                        "id = \"gift-set\"",
                        "id = \"gift-set\"\nshelf_life_days = 12\nobsolescence_rate = 0.3",
                    ),
                    ("id = \"ribbon\"", "id = \"ribbon\"\nshelf_life_days = 5"),
                    ("\"lost\"", "\"backorder\""),
                ]),
            ),
        ];
        for (name, scenario) in &scenarios {
            let alone = Prepared::new(scenario, Some(0));
            assert!(
                alone.groups.is_empty(),
                "{name}: nothing should couple the items"
            );
            let together = Prepared::grouped(scenario, Some(0), true);
            assert_eq!(together.groups.len(), 1, "{name}");
            let outcome = |prepared: Prepared<'_>| {
                let mut simulation = Simulation {
                    total: ChunkStats::new(&prepared),
                    prepared,
                    seed: 11,
                    runs: 0,
                };
                simulation.extend_to(70, &|_| {});
                format!("{:?}", simulation.outcome())
            };
            assert!(
                outcome(alone) == outcome(together),
                "{name}: items simulated together differ from items alone"
            );
        }
    }

    /// A catalogue of several blocks of items, with a group of coupled items spread among them,
    /// has the same figures, bit for bit, whether its chunks are simulated whole or in pieces,
    /// on one thread or several, with a last chunk cut short or not: the grouping of every sum
    /// is the scenario's, not the schedule's (issue 24, item 3).
    #[test]
    fn chunks_simulated_in_pieces_have_the_figures_of_whole_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let scenario = coupled_catalogue(dir.path(), (150, 3, 100));
        let prepared = Prepared::new(&scenario, Some(0));
        let blocks = prepared.blocks.blocks.len() as u64;
        assert_eq!(prepared.groups.len(), 1, "one supplier couples its items");
        assert!(blocks >= 2, "{blocks} blocks");
        assert!(
            pieces_per_chunk(&prepared, 2, 1) > 1,
            "one chunk on two threads is cut into pieces"
        );
        for runs in [64_u64, 100] {
            let chunks = runs.div_ceil(CHUNK_RUNS);
            let outcome = |threads: usize, pieces: u64| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let mut simulation = Simulation::new(&scenario, 11, Some(0));
                pool.install(|| {
                    run_pieces(
                        &simulation.prepared,
                        11,
                        (0..chunks, runs),
                        pieces,
                        &mut simulation.total,
                        &|_| {},
                    );
                });
                simulation.runs = runs;
                format!("{:?}", simulation.outcome())
            };
            let whole = outcome(1, 1);
            for (threads, pieces) in [(1, blocks), (2, 2), (3, blocks)] {
                assert!(
                    outcome(threads, pieces) == whole,
                    "{runs} runs, {threads} threads, {pieces} pieces a chunk"
                );
            }
        }
    }

    /// Items coupled by a supplier or a budget and stepped in lanes have every figure they
    /// have with their runs simulated one at a time, bit for bit, whichever instruction set
    /// the lane loop is compiled for: under each allocation rule, guaranteed shares, capacity
    /// in units and in value, value minimums with top-ups, order days and cycles, delivery
    /// costs, weekly and monthly budgets that wait or trim, backorders and lost sales, warm-up,
    /// a pre-build, outages that hold or cancel orders, a capacity cut, lead-time drift and a
    /// demand surge. 70 runs: four batches of 16 and a last, short batch run by run.
    #[test]
    fn coupled_runs_stepped_in_lanes_match_runs_one_at_a_time() {
        let shared = |edits: &[(&str, &str)]| edited("shared-supplier.toml", edits);
        let scenarios = [
            ("shared-supplier.toml", shared(&[])),
            (
                "shared-supplier.toml, proportional, lost sales, no warm-up, cancelling",
                shared(&[
                    ("allocation = \"fifo\"", "allocation = \"proportional\""),
                    ("\"backorder\"", "\"lost\""),
                    ("warmup_days = 60", "warmup_days = 0"),
                    (
                        "supplier_outage = { supplier = \"contract-maker\" }",
                        "supplier_outage = { supplier = \"contract-maker\", \
                         cancel_orders = true }",
                    ),
                ]),
            ),
            (
                "shared-supplier.toml, priority, a guaranteed share, value capacity, order days",
                shared(&[
                    (
                        "allocation = \"fifo\"",
                        "allocation = \"priority\"\npriority = [\"bracket\", \"sensor\"]\n\
                         order_days = [\"mon\", \"wed\", \"fri\"]",
                    ),
                    (
                        "guaranteed_share = { sensor = 0.0 }",
                        "guaranteed_share = { sensor = 0.2 }",
                    ),
                    ("capacity_per_day = 340", "capacity_value_per_day = 4000"),
                    (
                        "[policy.jic-30d.rule.reorder_point]",
                        "[policy.every-5.rule.periodic_review]\nreview_period_days = 5\n\
                         safety_stock_days = 5\n\n[policy.jic-30d.rule.reorder_point]",
                    ),
                ]),
            ),
            (
                "shared-supplier.toml, a weekly budget that waits, an order cycle",
                shared(&[
                    (
                        "delivery_cost = 180",
                        "delivery_cost = 180\norder_cycle_days = 3",
                    ),
                    (
                        "[[item]]\nid = \"sensor\"",
                        "[[budget]]\nid = \"weekly\"\namount = 30000\nperiod = \"week\"\n\n\
                         [[item]]\nid = \"sensor\"",
                    ),
                ]),
            ),
            (
                "shared-supplier.toml, a monthly budget that trims",
                shared(&[(
                    "[[item]]\nid = \"sensor\"",
                    "[[budget]]\nid = \"monthly\"\namount = 100000\nperiod = \"month\"\n\
                     when_exceeded = \"trim\"\n\n[[item]]\nid = \"sensor\"",
                )]),
            ),
            ("peak-season.toml", edited("peak-season.toml", &[])),
            (
                "peak-season.toml, backorders, warm-up",
                edited(
                    "peak-season.toml",
                    &[
                        ("\"lost\"", "\"backorder\""),
                        ("warmup_days = 0", "warmup_days = 30"),
                    ],
                ),
            ),
        ];
        for (name, scenario) in &scenarios {
            let prepared = Prepared::new(scenario, None);
            assert!(
                prepared.lanes.is_some() && prepared.group_lanes == [true],
                "{name}: the group's runs should step in lanes"
            );
            assert_lanes_match_runs_one_at_a_time(name, scenario);
        }
    }

    /// Issue 24, item 4: a policy simulated alone has every figure it has beside the others,
    /// bit for bit (items alone and in lanes, items simulated together, a surge), and the
    /// other policies' figures stay empty.
    #[test]
    fn a_policy_simulated_alone_has_its_figures_beside_the_others() {
        for file in [
            "kanban-vs-jic.toml",
            "shared-supplier.toml",
            "peak-season.toml",
        ] {
            let scenario = edited(file, &[]);
            let mut all = Simulation::new(&scenario, 11, None);
            all.extend_to(70, &|_| {});
            let all = all.outcome();
            for p in 0..scenario.policies.len() {
                let mut alone = Simulation::new(&scenario, 11, None);
                alone.only_policy(p);
                alone.extend_to(70, &|_| {});
                let alone = alone.outcome();
                assert!(
                    format!("{:?}", alone.policies[p]) == format!("{:?}", all.policies[p]),
                    "{file}: policy {p} alone differs from policy {p} beside the others"
                );
                for (q, stats) in alone.policies.iter().enumerate().filter(|&(q, _)| q != p) {
                    let fill_rate = stats.all.get(crate::simulation::metrics::Metric::FillRate);
                    assert_eq!(fill_rate.count(), 0, "{file}: {q}");
                }
                assert_eq!(
                    alone.item_days * scenario.policies.len() as u64,
                    all.item_days
                );
            }
        }
    }

    /// Issue 24, item 4: items simulated without the others have every figure they have
    /// beside them, bit for bit; an item simulated together with others takes them along, and
    /// the items left out (and the figures over all items) stay empty.
    #[test]
    fn items_simulated_without_the_others_have_their_figures_beside_them() {
        use crate::simulation::metrics::Metric;
        for (file, some) in [
            ("kanban-vs-jic.toml", vec![false, true, false]),
            ("kanban-vs-jic.toml", vec![true, false, true]),
            ("shared-supplier.toml", vec![false, true, false, false]),
        ] {
            let scenario = edited(file, &[]);
            let mut all = Simulation::new(&scenario, 11, None);
            all.extend_to(70, &|_| {});
            let all = all.outcome();
            let mut alone = Simulation::new(&scenario, 11, None);
            alone.only_items(&some);
            alone.extend_to(70, &|_| {});
            let simulated = alone.prepared.items_simulated.clone();
            let alone = alone.outcome();
            let everything = simulated.iter().all(|&s| s);
            for (p, policy) in alone.policies.iter().enumerate() {
                if !everything {
                    assert_eq!(policy.all.get(Metric::FillRate).count(), 0, "{file}");
                }
                for (i, stats) in policy.items.iter().enumerate() {
                    if simulated[i] {
                        assert!(
                            format!("{stats:?}") == format!("{:?}", all.policies[p].items[i]),
                            "{file}: item {i} of policy {p} differs"
                        );
                    } else {
                        assert!(!some[i], "{file}: item {i} was asked for");
                        assert_eq!(stats.get(Metric::FillRate).count(), 0, "{file}: item {i}");
                    }
                }
            }
            // Items of one group go together.
            assert_eq!(everything, file == "shared-supplier.toml", "{file}");
        }
    }

    /// Issue 24, item 4: items stopped after 64 runs keep the figures of those 64 runs, and
    /// the items kept go on to have the figures of 192 runs, bit for bit; from a cut chunk
    /// nothing is stopped.
    #[test]
    fn stopped_items_keep_the_figures_of_their_runs() {
        let scenario = edited("kanban-vs-jic.toml", &[]);
        let figures = |runs: u64| {
            let mut simulation = Simulation::new(&scenario, 11, None);
            simulation.extend_to(runs, &|_| {});
            simulation.outcome()
        };
        let (short, long) = (figures(64), figures(192));
        let mut simulation = Simulation::new(&scenario, 11, None);
        simulation.extend_to(64, &|_| {});
        let keep = [false, true, false];
        simulation.stop_items(&keep);
        simulation.extend_to(192, &|_| {});
        let stopped = simulation.outcome();
        for (p, policy) in stopped.policies.iter().enumerate() {
            for (i, stats) in policy.items.iter().enumerate() {
                let expected = if keep[i] { &long } else { &short };
                assert!(
                    format!("{stats:?}") == format!("{:?}", expected.policies[p].items[i]),
                    "item {i} of policy {p}"
                );
            }
            // Over all items, the runs in which every item was simulated.
            assert!(format!("{:?}", policy.all) == format!("{:?}", short.policies[p].all));
        }
        let mut cut = Simulation::new(&scenario, 11, None);
        cut.extend_to(50, &|_| {});
        cut.stop_items(&keep);
        assert!(cut.prepared.items_simulated.iter().all(|&s| s));
    }

    #[test]
    fn recovery_measures_the_impaired_stretch_the_event_caused() {
        let mut impaired = [false; 40];
        let spell = Spell { start: 5, end: 10 };
        assert_eq!(
            recovery_days(spell, 4, 40, |t| impaired[t]),
            0,
            "never impaired: nothing to recover"
        );
        impaired[8..13].fill(true);
        assert_eq!(recovery_days(spell, 4, 40, |t| impaired[t]), 13 - 8);
        impaired[13..].fill(true);
        assert_eq!(
            recovery_days(spell, 4, 40, |t| impaired[t]),
            40 - 8,
            "censored at the horizon"
        );
        // Issue 18, item 3: a shortfall that starts after the event, within its aftermath,
        // is the event's; one that starts later is not.
        let mut late = [false; 40];
        late[12..15].fill(true);
        assert_eq!(recovery_days(spell, 4, 40, |t| late[t]), 3);
        assert_eq!(recovery_days(spell, 2, 40, |t| late[t]), 0);
        // A one-day dip in a long event is a one-day dip, not the event's length.
        let long = Spell { start: 0, end: 30 };
        let mut dip = [false; 40];
        dip[17] = true;
        assert_eq!(recovery_days(long, 4, 40, |t| dip[t]), 1);
        // Two dips in the window: from the first to recovery after the last.
        dip[21..23].fill(true);
        assert_eq!(recovery_days(long, 4, 40, |t| dip[t]), 23 - 17);
    }
}
