//! The daily loop stepping [`LANES`] runs of one item under one policy together, day by day.
//!
//! In the scalar loop, whether a shipment arrives today, whether demand goes unmet, whether the
//! rule orders and whether a receipt closes a cycle with a stockout are branches that follow
//! the random paths, and the processor guesses them wrong a few hundred times a run. Here the
//! steps every day takes (receipts, demand, the review's trigger, end-of-day levels) run over
//! the lanes without a branch, on arrays the compiler vectorises: a lane with nothing due adds
//! zero, which leaves every figure bit for bit as the scalar loop leaves it (sums start at
//! zero and no level is ever a negative zero). What happens on some days only (placing an
//! order, shipping from a queue) is done for the lanes that need it, found by a mask, by the
//! scalar loop's own steps on that lane's figures, so the two loops cannot drift apart; the
//! engine's tests check that they agree bit for bit.
//!
//! Only items whose mitigations these steps cover are stepped in lanes: one supplier, no
//! strategic reserve, no expediting, no failover ([`steps_in_lanes`]). Others go through the
//! scalar loop.
//!
//! The lanes report their days to no recorder ([`crate::simulation::trace`]): a traced run is
//! replayed through the scalar loop, whose figures these equal bit for bit, so the lanes need
//! no second kind of recording.

// Each lane's figures sit in several arrays at the same index, so the loops run over lane
// numbers rather than over one array.
#![allow(clippy::needless_range_loop)]

use super::{
    ItemSetup, OrderRule, Pipeline, Sourcing, State, Stock, finish_counters, for_each_segment,
    record_shipment,
};
use crate::foundation::math::min_fast;
use crate::foundation::vector::Vector;
use crate::model::levels::LevelSegment;
use crate::model::policy::ItemPolicy;
use crate::simulation::metrics::{ItemCounters, MonthMark};
use crate::simulation::supply_paths::{SupplierDays, SupplyPaths};
use crate::simulation::trace::NoRecorder;

/// Runs stepped together: the width of a lane mask.
pub(crate) const LANES: usize = 16;

/// A set of lanes, bit `l` for lane `l`.
pub(super) type LaneMask = u16;

/// Whether the lane loop covers this item under this policy.
pub(crate) fn steps_in_lanes(setup: &ItemSetup, policy: &ItemPolicy) -> bool {
    setup.sourcing == Sourcing::Split
        && setup.links.len() == 1
        && setup.shelf_life.is_none()
        && policy.reserve <= 0.0
        && policy.expedite.is_none()
}

/// A buffer of figures laid out day by day and lane by lane whose first figure starts a cache
/// line (64 bytes), and so does every day's (16 figures, two lines): a vector load or store
/// that straddles two lines costs twice. A `Vec<f64>` is only sure to start on 16 bytes.
#[derive(Debug)]
pub(crate) struct LaneDays {
    values: Vec<f64>,
    start: usize,
    len: usize,
}

impl LaneDays {
    /// `days` days of zeros.
    pub(crate) fn zeroed(days: usize) -> Self {
        let len = days * LANES;
        let values = vec![0.0; len + 7];
        // At most 7 figures in; failing that (never on a real target), start unaligned.
        let start = values.as_ptr().align_offset(64).min(7);
        LaneDays { values, start, len }
    }
}

impl std::ops::Deref for LaneDays {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        &self.values[self.start..self.start + self.len]
    }
}

impl std::ops::DerefMut for LaneDays {
    fn deref_mut(&mut self) -> &mut [f64] {
        &mut self.values[self.start..self.start + self.len]
    }
}

/// Per-thread buffers of the lane loop, reused across items, policies and batches.
#[derive(Debug)]
pub(crate) struct LaneScratch {
    /// Accepted units due on each day, day by day and lane by lane (`t * LANES + lane`).
    pub(super) arrivals: LaneDays,
    /// Units due on each day that will be rejected at receiving, laid out as `arrivals`.
    pub(super) rejections: LaneDays,
    /// Per lane, units ordered on each day and not yet shipped (the one link's book).
    pub(super) books: Vec<Vec<f64>>,
    /// Per day, the lanes impaired on it (unmet demand, or customers waiting at its end).
    pub(super) impaired: Vec<LaneMask>,
    /// Stock on hand at the end of each measured day, laid out as `arrivals`.
    pub(super) levels: LaneDays,
    /// Each lane's running sums at the end of each month's stretch
    /// ([`ItemSetup::month_ends`]), for the figures by month.
    pub(super) marks: Vec<MonthMark<LANES>>,
}

impl LaneScratch {
    /// Buffers for a horizon of `horizon` days and `month_spans` stretches of months.
    pub(crate) fn new(horizon: usize, month_spans: usize) -> Self {
        LaneScratch {
            arrivals: LaneDays::zeroed(horizon),
            rejections: LaneDays::zeroed(horizon),
            books: vec![vec![0.0; horizon]; LANES],
            impaired: vec![0; horizon],
            levels: LaneDays::zeroed(horizon),
            marks: vec![[[0.0; LANES]; 3]; month_spans],
        }
    }

    /// Whether lane `lane` was impaired on day `t` in the last batch simulated.
    pub(crate) fn impaired(&self, lane: usize, t: usize) -> bool {
        self.impaired[t] >> lane & 1 == 1
    }

    /// End-of-day stock on hand of the last batch, at `t * LANES + lane` (entries of unmeasured
    /// days are stale).
    pub(crate) fn levels(&self) -> &[f64] {
        &self.levels
    }

    /// Each lane's running sums at the end of each month's stretch in the last batch.
    pub(crate) fn marks(&self) -> &[MonthMark<LANES>] {
        &self.marks
    }

    /// Note the lanes' running sums in `hot` at the end of month stretch `span`.
    #[inline]
    pub(super) fn mark(&mut self, span: usize, hot: &Hot) {
        self.marks[span] = [hot.demand, hot.served, hot.on_hand_unit_days];
    }
}

/// The figures every day reads and changes, one entry per lane.
#[derive(Clone, Copy, Debug, Default)]
#[repr(align(64))]
pub(super) struct Hot {
    on_hand: [f64; LANES],
    backorders: [f64; LANES],
    in_transit: [f64; LANES],
    queued: [f64; LANES],
    /// 1 while the current replenishment cycle has had a stockout, else 0.
    stockout_in_cycle: [f64; LANES],
    /// The first day on which each lane's supplier can ship or cancel orders waiting for it
    /// (infinite while none wait): the dispatch step runs for a lane from that day on.
    dispatch_day: [f64; LANES],
    // The counters only the daily steps change; the order and shipping steps keep theirs in
    // each lane's scalar state.
    demand: [f64; LANES],
    served: [f64; LANES],
    short: [f64; LANES],
    stockout_days: [f64; LANES],
    delivered: [f64; LANES],
    rejected: [f64; LANES],
    cycles: [f64; LANES],
    stockout_cycles: [f64; LANES],
    on_hand_unit_days: [f64; LANES],
    backorder_unit_days: [f64; LANES],
    pipeline_unit_days: [f64; LANES],
}

/// Simulate one item under one policy in [`LANES`] runs at once and write each run's counters
/// to `counters`, exactly as [`super::simulate_item`] would one run at a time. `demand` holds
/// the runs' demand paths day by day (`t * LANES + lane`), `supplies` each run's supply paths.
/// The item must step in lanes ([`steps_in_lanes`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_item_lanes(
    vector: Vector,
    setup: &ItemSetup,
    policy: &ItemPolicy,
    segments: &[LevelSegment],
    demand: &[f64],
    supplies: [&SupplyPaths<'_>; LANES],
    scratch: &mut LaneScratch,
    counters: &mut [ItemCounters; LANES],
) {
    debug_assert!(steps_in_lanes(setup, policy));
    let lanes: [State<'_>; LANES] =
        std::array::from_fn(|l| State::new(setup, policy, &[], supplies[l], NoRecorder));
    let mut batch = Batch {
        hot: Hot::new(lanes[0].stock.on_hand),
        lanes,
        next_review: 0,
    };
    scratch.impaired.fill(0);
    for_each_segment(setup, policy, segments, |rule, piece| {
        let run = match (piece.measured, setup.backorder) {
            (false, false) => run_days_with::<false, false>,
            (false, true) => run_days_with::<false, true>,
            (true, false) => run_days_with::<true, false>,
            (true, true) => run_days_with::<true, true>,
        };
        run(vector, &mut batch, rule, piece.days, demand, scratch);
        if let Some(span) = piece.ends_span {
            scratch.mark(span, &batch.hot);
        }
    });
    for (l, (state, out)) in batch.lanes.iter().zip(counters.iter_mut()).enumerate() {
        state.clear(&mut scratch.books[l..=l]);
        *out = batch.hot.counters(l, state);
    }
    debug_assert!(scratch.arrivals.iter().all(|&a| a == 0.0));
    debug_assert!(scratch.rejections.iter().all(|&a| a == 0.0));
}

/// The runs of a batch as they stand between days: each lane's scalar state (queues, the
/// counters of orders and shipments) and the figures every day changes, lane by lane.
struct Batch<'a> {
    lanes: [State<'a>; LANES],
    hot: Hot,
    /// Every lane reviews on the same days.
    next_review: usize,
}

impl Hot {
    /// Every lane at the start of a run: `on_hand` on the shelf, nothing else anywhere.
    pub(super) fn new(on_hand: f64) -> Self {
        Hot {
            on_hand: [on_hand; LANES],
            dispatch_day: [f64::INFINITY; LANES],
            ..Hot::default()
        }
    }

    /// Each lane's inventory position: on hand, in transit and waiting at the supplier, less
    /// backorders (the scalar loop's [`State::position`] without a reserve, in its order).
    #[inline(always)]
    pub(super) fn positions<const BACKORDER: bool>(&self) -> [f64; LANES] {
        std::array::from_fn(|l| self.position(l, BACKORDER))
    }

    /// Lane `l`'s inventory position (see [`Hot::positions`]).
    #[inline(always)]
    pub(super) fn position(&self, l: usize, backorder: bool) -> f64 {
        let position = self.on_hand[l] + self.in_transit[l] + self.queued[l];
        if backorder {
            position - self.backorders[l]
        } else {
            position
        }
    }

    /// Lane `l`'s counters: the daily ones from here, the others from its scalar state.
    pub(super) fn counters(&self, l: usize, state: &State<'_>) -> ItemCounters {
        let mut c = state.counters;
        c.demand = self.demand[l];
        c.served = self.served[l];
        c.short = self.short[l];
        c.stockout_days = self.stockout_days[l];
        // What ran short was lost or backordered: the same sum.
        if state.setup.backorder {
            c.backordered = self.short[l];
        } else {
            c.lost = self.short[l];
        }
        c.delivered = self.delivered[l];
        c.rejected = self.rejected[l];
        c.cycles = self.cycles[l];
        c.stockout_cycles = self.stockout_cycles[l];
        c.on_hand_unit_days = self.on_hand_unit_days[l];
        c.backorder_unit_days = self.backorder_unit_days[l];
        c.pipeline_unit_days = self.pipeline_unit_days[l];
        finish_counters(c)
    }

    /// Lane `l`'s stock, for a scalar step.
    pub(super) fn stock(&self, l: usize) -> Stock {
        Stock {
            on_hand: self.on_hand[l],
            backorders: self.backorders[l],
            in_transit: self.in_transit[l],
            queued: self.queued[l],
            reserve: 0.0,
        }
    }

    /// Note when lane `l` next has orders its supplier can act on, after a scalar step.
    fn note_dispatch(&mut self, l: usize, state: &State<'_>) {
        self.dispatch_day[l] = if state.stock.queued > 0.0 {
            state.next_dispatch as f64
        } else {
            f64::INFINITY
        };
    }

    /// Take back lane `l`'s stock after a scalar step.
    pub(super) fn set_stock(&mut self, l: usize, stock: Stock) {
        self.on_hand[l] = stock.on_hand;
        self.backorders[l] = stock.backorders;
        self.in_transit[l] = stock.in_transit;
        self.queued[l] = stock.queued;
    }
}

/// The lanes of `mask`, lowest first.
pub(super) fn lanes_of(mut mask: LaneMask) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let l = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            l
        })
    })
}

/// Run `days` of the batch in the loop compiled for `vector`.
fn run_days_with<const MEASURE: bool, const BACKORDER: bool>(
    vector: Vector,
    batch: &mut Batch<'_>,
    rule: &OrderRule,
    days: std::ops::Range<usize>,
    demand: &[f64],
    scratch: &mut LaneScratch,
) {
    #[cfg(target_arch = "x86_64")]
    if vector.avx2() {
        // SAFETY: `Vector::avx2` holds only where the processor has AVX2.
        unsafe { run_days_avx2::<MEASURE, BACKORDER>(batch, rule, days, demand, scratch) };
        return;
    }
    let _ = vector;
    run_days::<MEASURE, BACKORDER, false>(batch, rule, days, demand, scratch);
}

/// The daily loop compiled with AVX2 (four lanes per instruction).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn run_days_avx2<const MEASURE: bool, const BACKORDER: bool>(
    batch: &mut Batch<'_>,
    rule: &OrderRule,
    days: std::ops::Range<usize>,
    demand: &[f64],
    scratch: &mut LaneScratch,
) {
    run_days::<MEASURE, BACKORDER, true>(batch, rule, days, demand, scratch);
}

/// The daily loop over all lanes, in the scalar loop's event order. With `AVX2` it must be
/// inlined into a function compiled for AVX2 ([`run_days_avx2`]), as it picks lanes with AVX2
/// instructions.
#[inline(always)]
fn run_days<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    batch: &mut Batch<'_>,
    rule: &OrderRule,
    days: std::ops::Range<usize>,
    demand: &[f64],
    scratch: &mut LaneScratch,
) {
    let Batch {
        lanes,
        hot,
        next_review,
    } = batch;
    let LaneScratch {
        arrivals,
        rejections,
        books,
        impaired,
        levels,
        marks: _,
    } = scratch;
    assert!(
        days.end * LANES <= demand.len()
            && days.end * LANES <= arrivals.len()
            && days.end * LANES <= rejections.len()
            && days.end * LANES <= levels.len()
            && days.end <= impaired.len()
    );
    for t in days {
        let today = t * LANES..(t + 1) * LANES;
        let impaired_today = open_day::<MEASURE, BACKORDER, AVX2>(
            hot,
            &mut arrivals[today.clone()],
            &mut rejections[today.clone()],
            &demand[today.clone()],
        );
        // 3. Review and ordering: every lane reviews on the same days.
        if t == *next_review {
            *next_review += rule.review_period as usize;
            review::<MEASURE, BACKORDER, AVX2>(lanes, hot, rule, t, arrivals, rejections, books);
        }
        // 4. Dispatch, for the lanes whose suppliers hold orders they can act on today.
        for l in lanes_of(lanes_where::<true, AVX2>(&hot.dispatch_day, t as f64)) {
            let state = &mut lanes[l];
            state.stock = hot.stock(l);
            let mut pipe = lane_pipe(arrivals, rejections, books, l);
            state.dispatch(t, &mut pipe);
            hot.set_stock(l, state.stock);
            hot.note_dispatch(l, state);
        }
        // 5. End-of-day levels.
        impaired[t] =
            close_day::<MEASURE, BACKORDER, AVX2>(hot, &mut levels[today], impaired_today);
    }
}

/// The lanes whose entry is positive.
#[inline(always)]
fn mask_of<const AVX2: bool>(values: &[f64; LANES]) -> LaneMask {
    lanes_where::<false, AVX2>(values, 0.0)
}

/// The lanes whose entry is at most `threshold` (with `AT_MOST`), or above it (without).
///
/// Compared a vector at a time, each vector's result taken as a few bits: the compiler does
/// not find this for a loop over the lanes. With `AVX2` (only inlined into a function compiled
/// for it), four lanes per comparison; without, two (SSE2, which every x86-64 processor has).
/// Two lanes at a time in the AVX2 loop cost 4% more instructions on the speed reference.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) fn lanes_where<const AT_MOST: bool, const AVX2: bool>(
    values: &[f64; LANES],
    threshold: f64,
) -> LaneMask {
    use std::arch::x86_64::{
        _CMP_GT_OQ, _CMP_LE_OQ, _mm_cmpgt_pd, _mm_cmple_pd, _mm_loadu_pd, _mm_movemask_pd,
        _mm_set1_pd, _mm256_cmp_pd, _mm256_loadu_pd, _mm256_movemask_pd, _mm256_set1_pd,
    };
    let mut mask = 0;
    if AVX2 {
        // SAFETY: with `AVX2` this is inlined only into `run_days_avx2`, which runs only where
        // the processor has AVX2; the loads read four entries of a chunk of four.
        unsafe {
            let threshold = _mm256_set1_pd(threshold);
            for (k, quad) in values.chunks_exact(4).enumerate() {
                let quad = _mm256_loadu_pd(quad.as_ptr());
                let holds = if AT_MOST {
                    _mm256_cmp_pd::<_CMP_LE_OQ>(quad, threshold)
                } else {
                    _mm256_cmp_pd::<_CMP_GT_OQ>(quad, threshold)
                };
                mask |= (_mm256_movemask_pd(holds) as LaneMask) << (4 * k);
            }
        }
    } else {
        // SAFETY: these intrinsics need SSE2, which every x86-64 processor has; the loads read
        // two entries of a chunk of two.
        unsafe {
            let threshold = _mm_set1_pd(threshold);
            for (k, pair) in values.chunks_exact(2).enumerate() {
                let pair = _mm_loadu_pd(pair.as_ptr());
                let holds = if AT_MOST {
                    _mm_cmple_pd(pair, threshold)
                } else {
                    _mm_cmpgt_pd(pair, threshold)
                };
                mask |= (_mm_movemask_pd(holds) as LaneMask) << (2 * k);
            }
        }
    }
    mask
}

/// The lanes whose entry is at most `threshold` (with `AT_MOST`), or above it (without).
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
pub(super) fn lanes_where<const AT_MOST: bool, const AVX2: bool>(
    values: &[f64; LANES],
    threshold: f64,
) -> LaneMask {
    let mut mask = 0;
    for (l, &v) in values.iter().enumerate() {
        let holds = if AT_MOST {
            v <= threshold
        } else {
            v > threshold
        };
        mask |= LaneMask::from(holds) << l;
    }
    mask
}

/// 1 where `holds`, else 0: a comparison's mask and-ed with 1.0 in vector code. The integer
/// detour of `f64::from(u8::from(holds))` costs three more instructions per vector, and written
/// as a selection (`if holds { 1.0 } else { 0.0 }`) the compiler turned the whole receipts loop
/// into masked loads and stores.
#[inline(always)]
pub(super) fn indicator(holds: bool) -> f64 {
    f64::from_bits(u64::from(holds).wrapping_neg() & 1f64.to_bits())
}

/// 1 if either of two indicators (each 0 or 1) is 1, else 0: their bits or-ed (those of 1.0
/// or-ed with themselves or with zero's are 1.0's). As a maximum, the compiler turned it into
/// a masked store, which is slow on some processors.
#[inline(always)]
fn either(a: f64, b: f64) -> f64 {
    debug_assert!((a == 0.0 || a == 1.0) && (b == 0.0 || b == 1.0));
    f64::from_bits(a.to_bits() | b.to_bits())
}

/// Steps 1 and 2 of a day over the lanes: receipts due today (`due`, of which `rejected` fail
/// inspection), then today's `demand`. Returns the lanes that stocked out.
#[inline(always)]
pub(super) fn open_day<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    hot: &mut Hot,
    due: &mut [f64],
    rejected: &mut [f64],
    demand: &[f64],
) -> LaneMask {
    receive::<MEASURE, BACKORDER>(hot, due, rejected);
    serve::<MEASURE, BACKORDER, AVX2>(hot, demand)
}

/// Step 5 of a day over the lanes: the end-of-day levels, written to `levels` on a measured
/// day. Returns the lanes impaired today: `impaired` (those that stocked out) and those with
/// customers still waiting.
#[inline(always)]
pub(super) fn close_day<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    hot: &mut Hot,
    levels: &mut [f64],
    mut impaired: LaneMask,
) -> LaneMask {
    if BACKORDER {
        impaired |= mask_of::<AVX2>(&hot.backorders);
    }
    if MEASURE {
        end_of_day::<BACKORDER>(hot, levels);
    }
    impaired
}

/// Step 1 of a day, receipts: what is due (nothing on most days) goes on the shelf and fills
/// backorders.
#[inline(always)]
fn receive<const MEASURE: bool, const BACKORDER: bool>(
    hot: &mut Hot,
    due: &mut [f64],
    rejected: &mut [f64],
) {
    let (due, rejected) = (&mut due[..LANES], &mut rejected[..LANES]);
    for l in 0..LANES {
        let arrived = due[l];
        due[l] = 0.0;
        let failed = rejected[l];
        rejected[l] = 0.0;
        hot.in_transit[l] -= arrived;
        if MEASURE {
            hot.rejected[l] += failed;
        }
        let receipt = arrived - failed;
        let received = receipt > 0.0;
        // 1 if the receipt closes a cycle, else 0.
        let closes = indicator(received);
        hot.on_hand[l] += receipt * closes;
        if MEASURE {
            hot.cycles[l] += closes;
            hot.stockout_cycles[l] += closes * hot.stockout_in_cycle[l];
        }
        hot.stockout_in_cycle[l] *= 1.0 - closes;
        if BACKORDER {
            let filled = if received {
                min_fast(hot.backorders[l], hot.on_hand[l])
            } else {
                0.0
            };
            hot.on_hand[l] -= filled;
            hot.backorders[l] -= filled;
            if MEASURE {
                hot.delivered[l] += filled;
            }
        }
    }
}

/// Step 2 of a day, demand: served from stock, the rest lost or backordered. Returns the lanes
/// that stocked out.
#[inline(always)]
fn serve<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    hot: &mut Hot,
    demand: &[f64],
) -> LaneMask {
    let demand = &demand[..LANES];
    let mut shortfall = [0.0; LANES];
    for l in 0..LANES {
        let d = demand[l];
        let served = min_fast(d, hot.on_hand[l]);
        hot.on_hand[l] -= served;
        let short = d - served;
        shortfall[l] = short;
        let stocked_out = indicator(short > 0.0);
        if MEASURE {
            hot.demand[l] += d;
            hot.served[l] += served;
            hot.short[l] += short;
            hot.stockout_days[l] += stocked_out;
        }
        if BACKORDER {
            hot.backorders[l] += short;
        }
        hot.stockout_in_cycle[l] = either(hot.stockout_in_cycle[l], stocked_out);
    }
    mask_of::<AVX2>(&shortfall)
}

/// Step 5 of a measured day: the end-of-day levels.
#[inline(always)]
fn end_of_day<const BACKORDER: bool>(hot: &mut Hot, levels: &mut [f64]) {
    let levels = &mut levels[..LANES];
    for l in 0..LANES {
        let level = hot.on_hand[l];
        levels[l] = level;
        hot.on_hand_unit_days[l] += level;
        if BACKORDER {
            hot.backorder_unit_days[l] += hot.backorders[l];
        }
        hot.pipeline_unit_days[l] += hot.in_transit[l] + hot.queued[l];
    }
}

/// Lane `l`'s view of the pipeline, for a scalar step.
pub(super) fn lane_pipe<'s>(
    arrivals: &'s mut [f64],
    rejections: &'s mut [f64],
    books: &'s mut [Vec<f64>],
    l: usize,
) -> Pipeline<'s> {
    Pipeline {
        arrivals,
        rejections,
        books: &mut books[l..=l],
        stride: LANES,
        lane: l,
    }
}

/// A review day: each lane's position against the rule, and an order for the lanes it calls
/// for.
#[inline(always)]
fn review<const MEASURE: bool, const BACKORDER: bool, const AVX2: bool>(
    lanes: &mut [State<'_>; LANES],
    hot: &mut Hot,
    rule: &OrderRule,
    t: usize,
    arrivals: &mut [f64],
    rejections: &mut [f64],
    books: &mut [Vec<f64>],
) {
    let positions = hot.positions::<BACKORDER>();
    // The rule orders nothing above its trigger.
    for l in lanes_of(lanes_where::<true, AVX2>(&positions, rule.trigger)) {
        let quantity = rule.order_quantity(positions[l]);
        if quantity > 0.0 {
            let pipe = lane_pipe(arrivals, rejections, books, l);
            order::<MEASURE>(&mut lanes[l], hot, l, t, quantity, pipe);
        }
    }
}

/// Lane `l` orders `quantity` on day `t` from its one supplier: the scalar loop's order line
/// ([`State::order_line`]) on the lane's figures. A line that ships at once (the usual case)
/// changes only what is in transit and the lane's scalar counters; one that waits in the queue
/// goes through the scalar step.
#[inline(always)]
fn order<const MEASURE: bool>(
    state: &mut State<'_>,
    hot: &mut Hot,
    l: usize,
    t: usize,
    quantity: f64,
    mut pipe: Pipeline<'_>,
) {
    let link = state.setup.links[0];
    let part = link.line_quantity(quantity * link.share);
    if part <= 0.0 {
        return;
    }
    if MEASURE {
        link.count_line(&mut state.counters, part);
    }
    let Some(days) = state.suppliers[0] else {
        return;
    };
    if link.ships_at_once(&days, state.queues[0].pending, part, t) {
        ship_now(state, hot, l, &days, t, part, &mut pipe);
        return;
    }
    let mut stock = hot.stock(l);
    state.queue_line(&mut stock, 0, t, part, &mut pipe);
    state.stock = stock;
    hot.set_stock(l, stock);
    hot.note_dispatch(l, state);
}

/// Lane `l` ships a line of `part` units placed on day `t` with its one link (`days`, its
/// supplier's) that same day: the scalar loop's [`State::ship_now`] on the lane's figures,
/// which changes only what is in transit and the lane's scalar counters, so the rest of the
/// lane's stock need not be loaded.
#[inline(always)]
pub(super) fn ship_now(
    state: &mut State<'_>,
    hot: &mut Hot,
    l: usize,
    days: &SupplierDays<'_>,
    t: usize,
    part: f64,
    pipe: &mut Pipeline<'_>,
) {
    state.queues[0].head = t + 1;
    hot.in_transit[l] += part;
    // Lanes have no expediting, which alone needs the arrival day.
    let _ = record_shipment(&mut state.counters, pipe, state.setup, days, t, t, part);
}
