//! Items simulated together, [`LANES`] runs at a time.
//!
//! The daily steps of each item (receipts, demand, the review's trigger, end-of-day levels) run
//! over the lanes as in the single-item lane loop ([`crate::simulation::engine::kernel::lanes`]),
//! with its own pieces. What the items share is then decided lane by lane, by the very steps
//! of a group's run simulated alone ([`GroupDay::orders`], [`GroupDay::dispatch_all`]): each
//! lane keeps its own [`Decisions`] and counts, and an item's scalar state in the lane gets its
//! stock from the lanes only for the steps that read or change it, and gives it back after
//! ([`Items`]). A lane in which nothing was asked and nothing waits costs no more than a look
//! at each supplier's capacity.
//!
//! Only groups whose items all step in lanes under the policy are stepped so
//! ([`steps_in_lanes`]: one supplier, no reserve, no expediting); a traced run is replayed one
//! run at a time, whose figures these equal bit for bit (the engine's tests compare).

// Each lane's figures sit in several arrays at the same index, so the loops run over lane
// numbers rather than over one array.
#![allow(clippy::needless_range_loop)]

use super::{Decisions, GroupCounters, GroupDay, GroupSetup, Items};
use crate::foundation::vector::Vector;
use crate::model::policy::{OrderRule, Policy};
use crate::simulation::engine::kernel::lanes::{
    Hot, LANES, LaneDays, LaneMask, LaneScratch, close_day, indicator, lane_pipe, lanes_of,
    lanes_where, open_day, ship_now, steps_in_lanes,
};
use crate::simulation::engine::kernel::{
    ItemSetup, Link, Pipeline, State, segment_days, segment_rule,
};
use crate::simulation::supply_paths::{SupplierDays, SupplyPaths};
use crate::simulation::trace::NoRecorder;

/// Whether the lane loop covers `group` under `policy`: every item steps in lanes.
pub(crate) fn group_steps_in_lanes(
    group: &GroupSetup,
    setups: &[ItemSetup],
    policy: &Policy,
) -> bool {
    group
        .items
        .iter()
        .all(|&i| steps_in_lanes(&setups[i], &policy.items[i]))
}

/// Bytes of per-thread buffers the lane loop needs for each item of a group (its pipeline,
/// books, levels and demand over the horizon, in every lane).
pub(crate) fn lane_bytes_per_item(horizon: usize) -> usize {
    // Arrivals, rejections, levels and demand laid out by lane, and each lane's book.
    horizon * LANES * 8 * 5 + horizon * 2
}

/// Per-thread buffers of one group's lane loop: each lane's decisions, and the items' rules
/// and links (each item's one supplier) at hand for the daily review.
#[derive(Debug)]
pub(crate) struct GroupLaneScratch {
    decisions: Vec<Decisions>,
    rules: Vec<OrderRule>,
    links: Vec<Link>,
}

impl GroupLaneScratch {
    pub(crate) fn new(group: &GroupSetup) -> Self {
        GroupLaneScratch {
            decisions: (0..LANES).map(|_| Decisions::new(group)).collect(),
            rules: Vec::with_capacity(group.items.len()),
            links: Vec::with_capacity(group.items.len()),
        }
    }
}

/// The group's items in one lane: their pipelines, and their stock and next review day, which
/// the lanes keep and the decisions load into the lane's scalar states as they need them.
struct LaneItems<'x, 'b> {
    items: &'x mut [ItemBuffers<'b>],
    hots: &'x mut [Hot],
    reviews: &'x mut [[f64; LANES]],
    lane: usize,
    backorder: bool,
}

impl Items<NoRecorder> for LaneItems<'_, '_> {
    #[inline]
    fn pipe(&mut self, k: usize) -> Pipeline<'_> {
        let item = &mut self.items[k];
        lane_pipe(item.arrivals, item.rejections, item.books, self.lane)
    }

    #[inline]
    fn load(&self, k: usize, state: &mut State<'_>) {
        state.stock = self.hots[k].stock(self.lane);
    }

    #[inline]
    fn store(&mut self, k: usize, state: &State<'_>) {
        self.hots[k].set_stock(self.lane, state.stock);
    }

    #[inline]
    fn position(&self, k: usize, _: &State<'_>) -> f64 {
        self.hots[k].position(self.lane, self.backorder)
    }

    #[inline]
    fn review_by(&mut self, k: usize, _: &mut State<'_>, day: usize) {
        let review = &mut self.reviews[k][self.lane];
        *review = review.min(day as f64);
    }

    // Inlined: it is called for most lines, and a call costs the order step its registers.
    #[inline(always)]
    fn ship_now(
        &mut self,
        k: usize,
        state: &mut State<'_>,
        (_, days): (usize, &SupplierDays<'_>),
        t: usize,
        part: f64,
    ) {
        let item = &mut self.items[k];
        let mut pipe = lane_pipe(item.arrivals, item.rejections, item.books, self.lane);
        ship_now(
            state,
            &mut self.hots[k],
            self.lane,
            days,
            t,
            part,
            &mut pipe,
        );
    }
}

/// An item's lane buffers, borrowed apart for a stretch of days: the daily steps index them
/// without going through the buffers' alignment each time.
struct ItemBuffers<'b> {
    arrivals: &'b mut [f64],
    rejections: &'b mut [f64],
    books: &'b mut [Vec<f64>],
    impaired: &'b mut [LaneMask],
    levels: &'b mut [f64],
}

/// The group's runs between days: per lane, the items' scalar states (queues, the counters
/// of orders and shipments, each in the group's item order); per item, the figures every day
/// changes, lane by lane, and the day of each lane's next review.
struct Batch<'a> {
    states: [Vec<State<'a>>; LANES],
    hots: Vec<Hot>,
    reviews: Vec<[f64; LANES]>,
}

/// Simulate a group's items under `policy` in [`LANES`] runs at once and write each run's
/// counts to `out`, exactly as [`super::simulate_group`] would one run at a time. `items`
/// holds one lane buffer per item of the group, `demand` each item's demand in the runs, day
/// by day (`t * LANES + lane`), `supplies` each run's supply paths. The group must step in
/// lanes ([`group_steps_in_lanes`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_group_lanes(
    vector: Vector,
    group: &GroupSetup,
    setups: &[ItemSetup],
    policy: &Policy,
    supplies: [&SupplyPaths<'_>; LANES],
    (items, demand): (&mut [LaneScratch], &[LaneDays]),
    scratch: &mut GroupLaneScratch,
    out: &mut [GroupCounters; LANES],
) {
    debug_assert!(group_steps_in_lanes(group, setups, policy));
    let n = group.items.len();
    let (items, demand) = (&mut items[..n], &demand[..n]);
    let states: [Vec<State<'_>>; LANES] = std::array::from_fn(|l| {
        group
            .items
            .iter()
            .map(|&i| State::new(&setups[i], &policy.items[i], &[], supplies[l], NoRecorder))
            .collect()
    });
    let mut batch = Batch {
        hots: states[0]
            .iter()
            .map(|s| Hot::new(s.stock.on_hand))
            .collect(),
        reviews: vec![[0.0; LANES]; n],
        states,
    };
    for o in out.iter_mut() {
        o.start(group);
    }
    for d in &mut scratch.decisions {
        d.start_run();
    }
    scratch.links.clear();
    scratch
        .links
        .extend(group.items.iter().map(|&i| setups[i].links[0]));
    for item in items.iter_mut() {
        item.impaired.fill(0);
    }
    let first = &setups[group.items[0]];
    let backorder = first.backorder;
    for (k, segment) in policy.segments.iter().enumerate() {
        scratch.rules.clear();
        scratch.rules.extend(
            group
                .items
                .iter()
                .map(|&i| segment_rule(&setups[i], &policy.items[i], k, segment)),
        );
        for piece in segment_days(first, segment) {
            let run = match (piece.measured, backorder) {
                (false, false) => run_days_with::<false, false>,
                (false, true) => run_days_with::<false, true>,
                (true, false) => run_days_with::<true, false>,
                (true, true) => run_days_with::<true, true>,
            };
            let lane_group = LaneGroup {
                group,
                supplies,
                items: &mut *items,
                demand,
                scratch: &mut *scratch,
                out: &mut *out,
            };
            run(vector, &mut batch, piece.days, lane_group);
            if let Some(span) = piece.ends_span {
                for (item, hot) in items.iter_mut().zip(&batch.hots) {
                    item.mark(span, hot);
                }
            }
        }
    }
    let setup = &setups[group.items[0]];
    for (l, o) in out.iter_mut().enumerate() {
        o.count_capacity(group, supplies[l], setup.warmup..setup.horizon);
        o.items.clear();
        for (k, state) in batch.states[l].iter().enumerate() {
            state.clear(&mut items[k].books[l..=l]);
            o.items.push(batch.hots[k].counters(l, state));
        }
    }
}

/// What a stretch of days of the lane loop works on, beside the batch.
struct LaneGroup<'g, 's, 'x> {
    group: &'g GroupSetup,
    supplies: [&'s SupplyPaths<'s>; LANES],
    items: &'x mut [LaneScratch],
    demand: &'x [LaneDays],
    scratch: &'x mut GroupLaneScratch,
    out: &'x mut [GroupCounters; LANES],
}

/// Run `days` of the batch in the loop compiled for `vector`.
fn run_days_with<const MEASURE: bool, const BACKORDER: bool>(
    vector: Vector,
    batch: &mut Batch<'_>,
    days: std::ops::Range<usize>,
    lane_group: LaneGroup<'_, '_, '_>,
) {
    #[cfg(target_arch = "x86_64")]
    if vector.avx2() {
        // SAFETY: `Vector::avx2` holds only where the processor has AVX2.
        unsafe { run_days_avx2::<MEASURE, BACKORDER>(batch, days, lane_group) };
        return;
    }
    let _ = vector;
    run_days::<MEASURE, BACKORDER, false>(batch, days, lane_group);
}

/// The daily loop compiled with AVX2 (four lanes per instruction).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_days_avx2<const MEASURE: bool, const BACKORDER: bool>(
    batch: &mut Batch<'_>,
    days: std::ops::Range<usize>,
    lane_group: LaneGroup<'_, '_, '_>,
) {
    run_days::<MEASURE, BACKORDER, true>(batch, days, lane_group);
}

/// The daily loop over all items and lanes, in the order of a group's run simulated alone.
/// With `AVX2` it must be inlined into a function compiled for AVX2 ([`run_days_avx2`]).
#[inline(always)]
fn run_days<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    batch: &mut Batch<'_>,
    days: std::ops::Range<usize>,
    lane_group: LaneGroup<'_, '_, '_>,
) {
    let LaneGroup {
        group,
        supplies,
        items,
        demand,
        scratch,
        out,
    } = lane_group;
    let GroupLaneScratch {
        decisions,
        rules,
        links,
    } = scratch;
    let Batch {
        states,
        hots,
        reviews,
    } = batch;
    // Per stretch, not per day: a handful of allocations per policy and batch.
    let mut items: Vec<ItemBuffers<'_>> = items
        .iter_mut()
        .map(|item| ItemBuffers {
            arrivals: &mut item.arrivals,
            rejections: &mut item.rejections,
            books: &mut item.books,
            impaired: &mut item.impaired,
            levels: &mut item.levels,
        })
        .collect();
    let items = &mut items[..];
    let first = days.start;
    let last = days.end.checked_sub(1).filter(|&l| l >= first);
    for t in days {
        let today = t * LANES..(t + 1) * LANES;
        // 6 of the day before, and 1–3, item by item: receipts, demand, and the review's
        // lines, each lane's in item order. An item's end of day touches only its own figures,
        // so it may wait until its turn on the next day, which spares a pass over the items.
        for (k, hot) in hots.iter_mut().enumerate() {
            let item = &mut items[k];
            if t > first {
                close::<MEASURE, BACKORDER, AVX2>(hot, item, t - 1);
            }
            item.impaired[t] = open_day::<MEASURE, BACKORDER, AVX2>(
                hot,
                &mut item.arrivals[today.clone()],
                &mut item.rejections[today.clone()],
                &demand[k][today.clone()],
            );
            let review = &mut reviews[k];
            let reviewing = lanes_where::<true, AVX2>(review, t as f64);
            if reviewing == 0 {
                continue;
            }
            let rule = &rules[k];
            let positions = hot.positions::<BACKORDER>();
            // The rule orders nothing above its trigger.
            let ordering = reviewing & lanes_where::<true, AVX2>(&positions, rule.trigger);
            let period = f64::from(rule.review_period);
            for l in 0..LANES {
                // The lanes that review today review next a period later.
                review[l] += period * indicator(review[l] <= t as f64);
            }
            // Each item here orders from one supplier ([`steps_in_lanes`]): its one line.
            let link = &links[k];
            for l in lanes_of(ordering) {
                let quantity = rule.order_quantity(positions[l]);
                if quantity > 0.0 {
                    let part = link.line_quantity(quantity * link.share);
                    decisions[l].add_line(group, k, 0, part);
                }
            }
        }
        // 3, continued, and 5 (no item here expedites), lane by lane.
        for l in 0..LANES {
            let mut day = GroupDay {
                group,
                supply: supplies[l],
                out: &mut out[l],
                rules,
            };
            let mut items = LaneItems {
                items: &mut *items,
                hots,
                reviews,
                lane: l,
                backorder: BACKORDER,
            };
            let (d, states) = (&mut decisions[l], &mut states[l]);
            day.orders::<MEASURE, NoRecorder>(t, states, &mut items, d);
            day.dispatch_all::<MEASURE, NoRecorder>(t, states, &mut items, d);
        }
    }
    // 6. End of the last day.
    if let Some(t) = last {
        for (hot, item) in hots.iter_mut().zip(items.iter_mut()) {
            close::<MEASURE, BACKORDER, AVX2>(hot, item, t);
        }
    }
}

/// Step 6 of day `t` for one item: its end-of-day levels, and the lanes impaired on the day.
#[inline(always)]
fn close<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    hot: &mut Hot,
    item: &mut ItemBuffers<'_>,
    t: usize,
) {
    item.impaired[t] = close_day::<MEASURE, BACKORDER, AVX2>(
        hot,
        &mut item.levels[t * LANES..(t + 1) * LANES],
        item.impaired[t],
    );
}
