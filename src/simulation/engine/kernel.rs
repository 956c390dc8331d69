//! The daily loop for one item under one policy in one run: the simulator's hot path.
//!
//! Event order on each day t (the same for every policy; the README documents it):
//! 1. receipts: shipments due on day t arrive; rejected ones leave the pipeline, accepted ones
//!    go on the shelf, fill waiting backorders first, then top up the strategic reserve;
//! 2. demand: served from stock, then from the reserve; the rest is lost or backordered;
//! 3. review: on review days, if the inventory position is at or below the trigger, an order
//!    is placed and split over the item's suppliers (or sent to the backup after a failover);
//!    then, with expediting, a projected run-out before the next receipt is covered by an
//!    expedited order;
//! 4. dispatch: each supplier ships from its queue (oldest first, up to its capacity for the
//!    day; nothing during an outage, when waiting orders may be cancelled); a shipment
//!    dispatched on day t arrives on day t + lead time;
//! 5. end-of-day levels are recorded (on hand, backorders, pipeline).
//!
//! Nothing here allocates: buffers live in [`Scratch`], sized once per worker thread. The rule
//! is plain data ([`OrderRule`]), so there is no dispatch on the kind of policy in the loop;
//! the loop is monomorphised on whether the days are measured, unmet demand is backordered and
//! the item keeps a reserve, so that counting costs no branch and figures an item cannot have
//! cost nothing. Other mitigations an item does not use cost one predictable branch each.
//!
//! The loop reports each day to a [`DayRecorder`], a type parameter: the engine's runs pass
//! [`NoRecorder`], whose empty methods compile away, and `buffersim trace` passes a recorder
//! that keeps every day's figures, so a trace shows what this very code computed.

/// Call `$body` with the state's `BACKORDER` and `RESERVE` as constants, named by the
/// closure-like head: the daily steps are compiled for each, so that counting costs no branch
/// and an item without backorders or a reserve carries neither figure. Used by the single-item
/// loop and by items simulated together, so both take the very same steps.
macro_rules! with_kind {
    ($state:expr, |$b:ident, $r:ident| $body:expr) => {
        match ($state.setup.backorder, $state.reserve_level > 0.0) {
            (false, false) => {
                const $b: bool = false;
                const $r: bool = false;
                $body
            }
            (false, true) => {
                const $b: bool = false;
                const $r: bool = true;
                $body
            }
            (true, false) => {
                const $b: bool = true;
                const $r: bool = false;
                $body
            }
            (true, true) => {
                const $b: bool = true;
                const $r: bool = true;
                $body
            }
        }
    };
}

pub(crate) mod coupled;
pub(crate) mod lanes;
mod shelf;

use crate::foundation::math::{ceil_fast, floor_fast, min_fast};
use crate::model::levels::LevelSegment;
use crate::model::policy::{Expedite, ItemPolicy, OrderRule, scaled_rule};
use crate::model::supply::{MAX_LINKS, round_order};
use crate::simulation::metrics::{ItemCounters, MonthMark};
use crate::simulation::supply_paths::{SupplierDays, SupplyPaths};
use crate::simulation::trace::{DayEnd, DayRecorder, NoRecorder};
use shelf::Shelf;

/// One supplier an item is bought from, with the constraints that shape its orders.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Link {
    pub supplier: usize,
    pub share: f64,
    pub capacity_per_day: f64,
    pub min_order_quantity: f64,
    pub order_multiple: f64,
    /// Whether an order line may come out fractional for a whole-unit item (a split share, or
    /// a fractional minimum or multiple) and so must be rounded up to whole units.
    pub(crate) round_to_whole: bool,
    pub unit_cost_premium: f64,
}

impl Link {
    /// The order line this link takes for `quantity`: at least the minimum, in whole multiples,
    /// in whole units where required (zero or less: no line).
    #[inline(always)]
    fn line_quantity(&self, quantity: f64) -> f64 {
        round_order(
            quantity,
            self.min_order_quantity,
            self.order_multiple,
            self.round_to_whole,
        )
    }

    /// Count an order line of `part` units.
    #[inline(always)]
    fn count_line(&self, counters: &mut ItemCounters, part: f64) {
        counters.order_lines += 1.0;
        counters.purchase_premium += part * self.unit_cost_premium;
    }

    /// Whether a line of `part` units placed on day `t` ships that day: nothing waits ahead of
    /// it (`pending`) and the day's capacity covers it. The dispatch step would ship it that
    /// day, so it skips the queue.
    #[inline(always)]
    fn ships_at_once(&self, days: &SupplierDays<'_>, pending: f64, part: f64, t: usize) -> bool {
        pending == 0.0 && part <= self.capacity_per_day * days.capacity_factor(t)
    }
}

/// How an item's orders go to its suppliers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Sourcing {
    /// Every order is split over the links by share.
    Split,
    /// Orders go to the first link (the primary) unless it has shipped nothing for
    /// `after_days` days in a row; then to the second (the backup).
    Failover { after_days: u32 },
}

/// What the loop needs to know about an item, prepared once per scenario.
#[derive(Clone, Debug)]
pub(crate) struct ItemSetup {
    pub horizon: usize,
    pub(crate) warmup: usize,
    pub backorder: bool,
    pub(crate) whole_units: bool,
    /// Days a unit may be issued after it is received (`None`: it never expires).
    pub(crate) shelf_life: Option<usize>,
    pub(crate) links: Vec<Link>,
    pub sourcing: Sourcing,
    /// Where each of the months' stretches of measured days ends, in day order (the figures by
    /// month, [`crate::simulation::metrics::MonthLayout`]): the daily loop's stretches are cut
    /// there, and the item-run's running sums noted at each, so that a month's figures are
    /// differences of those sums and the loop does no work of its own for months.
    pub(crate) month_ends: Vec<usize>,
}

/// Per-thread buffers, reused across items, policies and runs.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// Accepted units due to arrive at the start of each day.
    arrivals: Vec<f64>,
    /// Units due on each day that will be rejected at receiving.
    rejections: Vec<f64>,
    /// For each link, units ordered on each day and not yet shipped.
    books: Vec<Vec<f64>>,
    /// Days on which the item could not serve all demand or had customers waiting: a day is
    /// impaired in the current item-run when its entry equals `stamp`, so the buffer never
    /// needs clearing.
    impaired: Vec<u32>,
    stamp: u32,
    /// Stock on hand (with the reserve) at the end of each measured day of the last item-run,
    /// for the on-hand fan chart.
    levels: Vec<f64>,
    /// The last item-run's running sums at the end of each month's stretch
    /// ([`ItemSetup::month_ends`]), for the figures by month.
    marks: Vec<MonthMark<1>>,
}

impl Scratch {
    /// Buffers for a horizon of `horizon` days, items with up to `max_links` suppliers and
    /// `month_spans` stretches of months.
    pub(crate) fn new(horizon: usize, max_links: usize, month_spans: usize) -> Self {
        Scratch {
            arrivals: vec![0.0; horizon],
            rejections: vec![0.0; horizon],
            books: vec![vec![0.0; horizon]; max_links],
            impaired: vec![0; horizon],
            stamp: 0,
            levels: vec![0.0; horizon],
            marks: vec![[[0.0]; 3]; month_spans],
        }
    }

    /// The pipeline (stride 1) and the day records, borrowed apart.
    fn parts(&mut self) -> (Pipeline<'_>, DayBooks<'_>) {
        (
            Pipeline {
                arrivals: &mut self.arrivals,
                rejections: &mut self.rejections,
                books: &mut self.books,
                stride: 1,
                lane: 0,
            },
            DayBooks {
                impaired: &mut self.impaired,
                stamp: self.stamp,
                levels: &mut self.levels,
            },
        )
    }

    /// Start a new item-run: a new stamp marks its impaired days.
    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After 2³² item-runs the stamps wrap: start the buffer afresh.
            self.impaired.fill(0);
            self.stamp = 1;
        }
    }

    /// Whether the item was impaired (unmet demand, or backorders outstanding at the end of
    /// the day) on day `t` of the last simulated item-run.
    pub(crate) fn impaired(&self, t: usize) -> bool {
        self.impaired[t] == self.stamp
    }

    /// Stock on hand, with the reserve, at the end of each measured day of the last item-run
    /// (entries of unmeasured days are stale).
    pub(crate) fn levels(&self) -> &[f64] {
        &self.levels
    }

    /// The last item-run's running sums at the end of each month's stretch.
    pub(crate) fn marks(&self) -> &[MonthMark<1>] {
        &self.marks
    }

    /// Note the item-run's running sums in `counters` at the end of month stretch `span`.
    #[inline]
    fn mark(&mut self, span: usize, counters: &ItemCounters) {
        self.marks[span] = month_mark(counters);
    }
}

/// The supplier queue of one link during a run.
#[derive(Clone, Copy, Debug, Default)]
struct Queue {
    /// Oldest order day that may still hold unshipped units.
    head: usize,
    /// Units ordered and not yet shipped.
    pending: f64,
}

/// Expediting state: the annual cap and the next day anything is due in.
#[derive(Clone, Copy, Debug)]
struct Expediting {
    terms: Expedite,
    year: usize,
    used_this_year: f64,
    /// Earliest day after today with accepted units due (or the horizon if none).
    next_receipt: usize,
}

/// The stock figures that every day reads and changes. The daily loop works on a copy in
/// locals, which the compiler keeps in registers, and hands it back to the state around the
/// steps that do not come every day.
#[derive(Clone, Copy, Debug)]
struct Stock {
    on_hand: f64,
    backorders: f64,
    in_transit: f64,
    queued: f64,
    reserve: f64,
}

/// The pipeline buffers of [`Scratch`], borrowed apart from the daily records so that the loop
/// holds every buffer's address in a register rather than reading it from the scratch after
/// each store.
///
/// Arrivals and rejections may hold several runs stepped together (see [`lanes`]): day `t` of
/// lane `lane` is then at `t * stride + lane`. The scalar loop has one lane (stride 1), the
/// steps that are not daily index through [`Pipeline::slot`].
struct Pipeline<'s> {
    arrivals: &'s mut [f64],
    rejections: &'s mut [f64],
    /// For each link, units ordered on each day and not yet shipped (this lane's).
    books: &'s mut [Vec<f64>],
    stride: usize,
    lane: usize,
}

impl Pipeline<'_> {
    /// Where day `t` of this pipeline's lane is kept in `arrivals` and `rejections`.
    #[inline(always)]
    fn slot(&self, t: usize) -> usize {
        t * self.stride + self.lane
    }
}

/// How a day's demand was met.
#[derive(Clone, Copy, Debug)]
struct Served {
    demand: f64,
    served: f64,
    short: f64,
}

/// The running sums the daily loop keeps in locals (registers) rather than in the counters.
#[derive(Clone, Copy, Debug)]
struct Sums {
    demand: f64,
    served: f64,
    on_hand_unit_days: f64,
    backorder_unit_days: f64,
    pipeline_unit_days: f64,
}

impl Sums {
    #[inline(always)]
    fn of(counters: &ItemCounters) -> Self {
        Sums {
            demand: counters.demand,
            served: counters.served,
            on_hand_unit_days: counters.on_hand_unit_days,
            backorder_unit_days: counters.backorder_unit_days,
            pipeline_unit_days: counters.pipeline_unit_days,
        }
    }

    #[inline(always)]
    fn store(&self, counters: &mut ItemCounters) {
        counters.demand = self.demand;
        counters.served = self.served;
        counters.on_hand_unit_days = self.on_hand_unit_days;
        counters.backorder_unit_days = self.backorder_unit_days;
        counters.pipeline_unit_days = self.pipeline_unit_days;
    }
}

/// What the figures by month read of an item-run's running sums at the end of a month's
/// stretch: demand, demand served and stock on hand summed over days.
#[inline]
fn month_mark(counters: &ItemCounters) -> MonthMark<1> {
    [
        [counters.demand],
        [counters.served],
        [counters.on_hand_unit_days],
    ]
}

/// The per-day records of an item-run: impaired days (marked with the item-run's stamp), and
/// the end-of-day stock on hand of measured days.
struct DayBooks<'s> {
    impaired: &'s mut [u32],
    stamp: u32,
    levels: &'s mut [f64],
}

/// One item-run between days. `R` hears of each day's flows and levels ([`DayRecorder`]);
/// without a trace it is [`NoRecorder`], which takes no room and no instructions.
struct State<'a, R: DayRecorder = NoRecorder> {
    stock: Stock,
    reserve_level: f64,
    stockout_in_cycle: bool,
    next_review: usize,
    /// First day on which a supplier holding waiting orders can ship or cancel them: while
    /// every such supplier is out, the daily loop does not call the dispatch step at all.
    next_dispatch: usize,
    queues: [Queue; MAX_LINKS],
    expediting: Option<Expediting>,
    /// The ages of the stock on hand, for an item whose stock expires.
    shelf: Option<Shelf>,
    counters: ItemCounters,
    setup: &'a ItemSetup,
    demand: &'a [f64],
    suppliers: [Option<SupplierDays<'a>>; MAX_LINKS],
    recorder: R,
}

/// Simulate one item under one policy for one run and return what was counted, telling
/// `recorder` about every day ([`NoRecorder`] unless the run is traced).
///
/// Kept out of line: inlined into the run loop, the daily loop would compete for registers
/// with the caller's state.
#[inline(never)]
pub(crate) fn simulate_item<R: DayRecorder>(
    setup: &ItemSetup,
    policy: &ItemPolicy,
    segments: &[LevelSegment],
    demand: &[f64],
    supply: &SupplyPaths,
    scratch: &mut Scratch,
    recorder: R,
) -> ItemCounters {
    scratch.next_stamp();
    let mut state = State::new(setup, policy, demand, supply, recorder);
    for_each_segment(setup, policy, segments, |rule, piece| {
        if piece.measured {
            state.run_segment::<true>(rule, piece.days, scratch);
        } else {
            state.run_segment::<false>(rule, piece.days, scratch);
        }
        if let Some(span) = piece.ends_span {
            scratch.mark(span, &state.counters);
        }
    });
    state.clear(&mut scratch.books);
    debug_assert!(scratch.arrivals.iter().all(|&a| a == 0.0));
    debug_assert!(scratch.rejections.iter().all(|&a| a == 0.0));
    state.finish()
}

/// An item-run's counters once its last day is done.
fn finish_counters(mut counters: ItemCounters) -> ItemCounters {
    // Delivered so far holds backorders filled from receipts; add what was served at once.
    counters.delivered += counters.served;
    counters
}

/// Call `run(rule, piece)` for each stretch of the horizon with its own rule (the policy's,
/// or scaled for a pre-build), its own measuring (warm-up days are not measured) and within
/// one month's stretch ([`segment_days`]), in day order.
fn for_each_segment(
    setup: &ItemSetup,
    policy: &ItemPolicy,
    segments: &[LevelSegment],
    mut run: impl FnMut(&OrderRule, Piece),
) {
    for (k, segment) in segments.iter().enumerate() {
        let rule = segment_rule(setup, policy, k, segment);
        for piece in segment_days(setup, segment) {
            run(&rule, piece);
        }
    }
}

/// The rule of an item in stretch `k` of the horizon: its own for the stretch when it has
/// windows of its own or a level plan; else the policy's, or its period's under a policy that
/// re-sizes, scaled for a pre-build.
fn segment_rule(
    setup: &ItemSetup,
    policy: &ItemPolicy,
    k: usize,
    segment: &LevelSegment,
) -> OrderRule {
    if let Some(rule) = policy.by_segment.get(k) {
        return *rule;
    }
    let rule = policy.by_period.get(segment.period).unwrap_or(&policy.rule);
    scaled_rule(rule, segment.factor, setup.whole_units)
}

/// Days the daily loop runs in one go: measured or not, and whether they end one of the
/// months' stretches of measured days ([`ItemSetup::month_ends`]), and which.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Piece {
    pub(super) days: std::ops::Range<usize>,
    pub(super) measured: bool,
    /// The month stretch these days end, if they end one: the running sums are noted then.
    pub(super) ends_span: Option<usize>,
}

/// A stretch's warm-up days (not measured), then its measured days cut at the ends of the
/// months' stretches, in day order; no piece is empty. Cutting changes no figure: the loop
/// takes up each piece where the last one left off.
fn segment_days<'s>(
    setup: &'s ItemSetup,
    segment: &LevelSegment,
) -> impl Iterator<Item = Piece> + 's {
    let (start, end) = (segment.start as usize, segment.end as usize);
    let split = setup.warmup.clamp(start, end);
    let ends = &setup.month_ends[..];
    // The first month's end after the warm-up days.
    let mut next = ends.partition_point(|&e| e <= split);
    let mut from = split;
    let warm = (start < split).then_some(Piece {
        days: start..split,
        measured: false,
        ends_span: None,
    });
    warm.into_iter().chain(std::iter::from_fn(move || {
        if from >= end {
            return None;
        }
        let piece = match ends.get(next) {
            Some(&e) if e <= end => {
                next += 1;
                Piece {
                    days: from..e,
                    measured: true,
                    ends_span: Some(next - 1),
                }
            }
            _ => Piece {
                days: from..end,
                measured: true,
                ends_span: None,
            },
        };
        from = piece.days.end;
        Some(piece)
    }))
}

impl<'a, R: DayRecorder> State<'a, R> {
    /// The state of one item-run at the start of day 0, reporting its days to `recorder`.
    fn new(
        setup: &'a ItemSetup,
        policy: &ItemPolicy,
        demand: &'a [f64],
        supply: &'a SupplyPaths,
        recorder: R,
    ) -> Self {
        let mut suppliers = [None; MAX_LINKS];
        for (slot, link) in suppliers.iter_mut().zip(&setup.links) {
            *slot = Some(supply.supplier(link.supplier));
        }
        State {
            stock: Stock {
                // Adding zero turns a negative zero into zero, so that no later step can
                // change the sign of an unchanged level.
                on_hand: policy.initial_on_hand + 0.0,
                backorders: 0.0,
                in_transit: 0.0,
                queued: 0.0,
                reserve: policy.reserve,
            },
            reserve_level: policy.reserve,
            stockout_in_cycle: false,
            next_review: 0,
            next_dispatch: 0,
            queues: [Queue::default(); MAX_LINKS],
            expediting: policy.expedite.map(|terms| Expediting {
                terms,
                year: 0,
                used_this_year: 0.0,
                next_receipt: setup.horizon,
            }),
            shelf: setup
                .shelf_life
                .map(|life| Shelf::new(life, setup.horizon, policy.initial_on_hand)),
            counters: ItemCounters::default(),
            setup,
            demand,
            suppliers,
            recorder,
        }
    }

    /// The counters of the finished item-run.
    fn finish(self) -> ItemCounters {
        finish_counters(self.counters)
    }

    /// Leave the scratch buffers all zero for the next item, touching only what this run
    /// wrote: receipts beyond the horizon are never booked, receipts within it are cleared as
    /// they are taken in, and queues are cleared from their oldest unshipped order.
    fn clear(&self, books: &mut [Vec<f64>]) {
        for (queue, book) in self.queues.iter().zip(&mut books[..self.setup.links.len()]) {
            let from = queue.head.min(book.len());
            book[from..].fill(0.0);
        }
    }

    /// Run `days` in the copy of the daily loop made for this item's way of handling unmet
    /// demand and for whether it keeps a reserve: most items keep none and lose unmet demand,
    /// and their loop then carries neither figure.
    #[inline(always)]
    fn run_segment<const MEASURE: bool>(
        &mut self,
        rule: &OrderRule,
        days: std::ops::Range<usize>,
        scratch: &mut Scratch,
    ) {
        // A reserve level of zero keeps the reserve at zero all run.
        with_kind!(self, |B, RES| self
            .run_days::<MEASURE, B, RES>(rule, days, scratch));
    }

    /// The daily loop. Without `BACKORDER` the backorders stay zero, without `RESERVE` the
    /// reserve does; leaving them out of the sums changes no bit of the results, since adding
    /// or subtracting zero leaves every figure as it is.
    #[inline(always)]
    fn run_days<const MEASURE: bool, const BACKORDER: bool, const RESERVE: bool>(
        &mut self,
        rule: &OrderRule,
        days: std::ops::Range<usize>,
        scratch: &mut Scratch,
    ) {
        let failover_after = match self.setup.sourcing {
            Sourcing::Failover { after_days } => Some(after_days),
            Sourcing::Split => None,
        };
        let expediting = self.expediting.is_some();
        let demand = self.demand;
        let Scratch {
            arrivals,
            rejections,
            books,
            impaired,
            stamp,
            levels,
            marks: _,
        } = scratch;
        let stamp = *stamp;
        let (impaired, levels) = (&mut impaired[..], &mut levels[..]);
        let mut pipe = Pipeline {
            arrivals,
            rejections,
            books,
            stride: 1,
            lane: 0,
        };
        // Lets the compiler drop the bounds checks on the daily reads below.
        assert!(
            days.end <= demand.len()
                && days.end <= pipe.arrivals.len()
                && days.end <= pipe.rejections.len()
                && days.end <= impaired.len()
                && days.end <= levels.len()
        );
        // What every day touches lives in locals. Receipts and orders, inlined, change the
        // stock figures in place; the rarer steps kept out of line (failover, dispatch) and
        // expediting get them through `self.stock`, handed over before and taken back after. Each
        // counter still adds the same terms in the same order, so the sums are bit for bit
        // those of a loop on the fields.
        let mut stock = self.stock;
        let mut next_review = self.next_review;
        let mut sums = Sums::of(&self.counters);
        let mut days_out = DayBooks {
            impaired,
            stamp,
            levels,
        };
        for t in days {
            // 1–2. Receipts and demand.
            let served = self.open_day::<MEASURE, BACKORDER, RESERVE>(
                &mut stock,
                &mut sums,
                t,
                &mut pipe,
                &mut days_out,
            );
            // 3. Failover, review and ordering.
            if let Some(after_days) = failover_after
                && self.queues[0].pending > 0.0
                && self.primary_down(t, after_days)
            {
                self.stock = stock;
                self.fail_over::<MEASURE>(t, &mut pipe);
                stock = self.stock;
            }
            if t == next_review {
                next_review += rule.review_period as usize;
                let quantity = rule.order_quantity(self.position::<BACKORDER, RESERVE>(&stock));
                if quantity > 0.0 {
                    self.place_order::<MEASURE>(&mut stock, t, quantity, &mut pipe);
                }
            }
            if expediting {
                self.stock = stock;
                self.expedite::<MEASURE>(t, &mut pipe);
                stock = self.stock;
            }
            // 4. Dispatch.
            if stock.queued > 0.0 && t >= self.next_dispatch {
                self.stock = stock;
                self.dispatch(t, &mut pipe);
                stock = self.stock;
            }
            // 5. End-of-day levels.
            self.close_day::<MEASURE, BACKORDER, RESERVE>(
                &stock,
                &mut sums,
                t,
                served,
                &mut days_out,
            );
        }
        self.stock = stock;
        self.next_review = next_review;
        sums.store(&mut self.counters);
    }

    /// Steps 1 and 2 of day `t`: take in what is due, then serve the day's demand (from the
    /// shelf, then the reserve; the rest lost or backordered). Returns how the demand was met.
    #[inline(always)]
    fn open_day<const MEASURE: bool, const BACKORDER: bool, const RESERVE: bool>(
        &mut self,
        stock: &mut Stock,
        sums: &mut Sums,
        t: usize,
        pipe: &mut Pipeline<'_>,
        books: &mut DayBooks<'_>,
    ) -> Served {
        if self.shelf.is_some() {
            self.expire::<MEASURE>(stock, t);
        }
        // 1. Receipts.
        let slot = pipe.slot(t);
        let due = pipe.arrivals[slot];
        if due > 0.0 {
            // Cleared as it is consumed, so the buffer is all zeros again at the end.
            pipe.arrivals[slot] = 0.0;
            self.receive::<MEASURE>(stock, due, t, pipe);
        }
        // 2. Demand.
        let d = self.demand[t];
        let mut served = min_fast(d, stock.on_hand);
        stock.on_hand -= served;
        if let Some(shelf) = &mut self.shelf {
            shelf.issue(served, stock.on_hand);
        }
        let mut short = d - served;
        if RESERVE && short > 0.0 && stock.reserve > 0.0 {
            let drawn = min_fast(short, stock.reserve);
            stock.reserve -= drawn;
            served += drawn;
            short -= drawn;
        }
        // Counted at once, so that the day's demand need not be kept until the day ends.
        if MEASURE {
            sums.demand += d;
            sums.served += served;
        }
        if short > 0.0 {
            if BACKORDER {
                stock.backorders += short;
            }
            self.stock_out::<MEASURE>(short, BACKORDER);
            // Impaired: demand went unmet today.
            books.impaired[t] = books.stamp;
        }
        Served {
            demand: d,
            served,
            short,
        }
    }

    /// The inventory position the rule reviews: on hand, plus what is in transit and waiting
    /// at suppliers, less backorders; a drawn-down reserve lowers it, so the rule orders to
    /// refill it.
    #[inline(always)]
    fn position<const BACKORDER: bool, const RESERVE: bool>(&self, stock: &Stock) -> f64 {
        let mut position = stock.on_hand;
        if RESERVE {
            position += stock.reserve - self.reserve_level;
        }
        position = position + stock.in_transit + stock.queued;
        if BACKORDER {
            position -= stock.backorders;
        }
        position
    }

    /// Step 5 of day `t`: the end-of-day levels, counted and told to the recorder.
    #[inline(always)]
    fn close_day<const MEASURE: bool, const BACKORDER: bool, const RESERVE: bool>(
        &mut self,
        stock: &Stock,
        sums: &mut Sums,
        t: usize,
        day: Served,
        books: &mut DayBooks<'_>,
    ) {
        // Impaired as well: customers are still waiting tonight.
        if BACKORDER && stock.backorders > 0.0 {
            books.impaired[t] = books.stamp;
        }
        if MEASURE {
            let level = if RESERVE {
                stock.on_hand + stock.reserve
            } else {
                stock.on_hand
            };
            books.levels[t] = level;
            sums.on_hand_unit_days += level;
            if BACKORDER {
                sums.backorder_unit_days += stock.backorders;
            }
            sums.pipeline_unit_days += stock.in_transit + stock.queued;
        }
        self.recorder.end_day(
            t,
            &DayEnd {
                measured: MEASURE,
                demand: day.demand,
                served: day.served,
                short: day.short,
                on_hand: stock.on_hand,
                backorders: stock.backorders,
                in_transit: stock.in_transit,
                queued: stock.queued,
                reserve: stock.reserve,
            },
        );
    }

    /// Take in what is due on day `t`: rejected units leave the pipeline, the rest go on the
    /// shelf.
    #[inline(always)]
    fn receive<const MEASURE: bool>(
        &mut self,
        stock: &mut Stock,
        due: f64,
        t: usize,
        pipe: &mut Pipeline<'_>,
    ) {
        stock.in_transit -= due;
        let rejected = pipe.rejections[t];
        let receipt = if rejected > 0.0 {
            pipe.rejections[t] = 0.0;
            if MEASURE {
                self.counters.rejected += rejected;
            }
            due - rejected
        } else {
            due
        };
        self.recorder.received(receipt, rejected);
        if receipt <= 0.0 {
            return;
        }
        stock.on_hand += receipt;
        if let Some(shelf) = &mut self.shelf {
            shelf.put(t, receipt);
        }
        if MEASURE {
            self.counters.cycles += 1.0;
            if self.stockout_in_cycle {
                self.counters.stockout_cycles += 1.0;
            }
        }
        self.stockout_in_cycle = false;
        if stock.backorders > 0.0 {
            let filled = min_fast(stock.backorders, stock.on_hand);
            stock.on_hand -= filled;
            stock.backorders -= filled;
            if let Some(shelf) = &mut self.shelf {
                shelf.issue(filled, stock.on_hand);
            }
            if MEASURE {
                self.counters.delivered += filled;
            }
        }
        if stock.reserve < self.reserve_level {
            let refill = min_fast(self.reserve_level - stock.reserve, stock.on_hand);
            stock.on_hand -= refill;
            stock.reserve += refill;
            if let Some(shelf) = &mut self.shelf {
                shelf.issue(refill, stock.on_hand);
            }
        }
    }

    /// Write off the stock on the shelf whose life is over at the start of day `t`.
    #[cold]
    #[inline(never)]
    fn expire<const MEASURE: bool>(&mut self, stock: &mut Stock, t: usize) {
        let Some(shelf) = &mut self.shelf else {
            return;
        };
        let expired = shelf.expire(t, stock.on_hand);
        if expired <= 0.0 {
            return;
        }
        stock.on_hand -= expired;
        if MEASURE {
            self.counters.expired += expired;
        }
        self.recorder.expired(expired);
    }

    /// Count a shortfall (the caller adds it to the backorders where customers wait).
    #[inline]
    fn stock_out<const MEASURE: bool>(&mut self, short: f64, backorder: bool) {
        self.stockout_in_cycle = true;
        if MEASURE {
            self.counters.short += short;
            self.counters.stockout_days += 1.0;
            if backorder {
                self.counters.backordered += short;
            } else {
                self.counters.lost += short;
            }
        }
    }

    /// Order `quantity` on day `t`: split over the item's suppliers by share, or all to one
    /// of them under a failover.
    #[inline(always)]
    fn place_order<const MEASURE: bool>(
        &mut self,
        stock: &mut Stock,
        t: usize,
        quantity: f64,
        pipe: &mut Pipeline<'_>,
    ) {
        let setup = self.setup;
        match setup.sourcing {
            // One supplier, the usual case: no loop to set up.
            Sourcing::Split if setup.links.len() == 1 => {
                self.order_line::<MEASURE>(stock, 0, t, quantity * setup.links[0].share, pipe);
            }
            Sourcing::Split => {
                for (i, link) in setup.links.iter().enumerate() {
                    self.order_line::<MEASURE>(stock, i, t, quantity * link.share, pipe);
                }
            }
            Sourcing::Failover { after_days } => {
                let link = if self.primary_down(t, after_days) {
                    1
                } else {
                    0
                };
                self.order_line::<MEASURE>(stock, link, t, quantity, pipe);
            }
        }
    }

    /// The primary has been out long enough: what waits in its queue is re-ordered from the
    /// backup.
    #[cold]
    #[inline(never)]
    fn fail_over<const MEASURE: bool>(&mut self, t: usize, pipe: &mut Pipeline<'_>) {
        let waiting = self.queues[0].pending;
        self.clear_queue(0, t, pipe);
        let mut stock = self.stock;
        self.order_line::<MEASURE>(&mut stock, 1, t, waiting, pipe);
        self.stock = stock;
    }

    /// Whether the primary supplier has shipped nothing on each of the last `after_days` days.
    #[cold]
    #[inline(never)]
    fn primary_down(&self, t: usize, after_days: u32) -> bool {
        let Some(primary) = &self.suppliers[0] else {
            return false;
        };
        let after = after_days as usize;
        t + 1 >= after && (t + 1 - after..=t).all(|day| primary.capacity_factor(day) == 0.0)
    }

    /// Place one order line of `quantity` with link `i` on day `t`.
    #[inline(always)]
    fn order_line<const MEASURE: bool>(
        &mut self,
        stock: &mut Stock,
        i: usize,
        t: usize,
        quantity: f64,
        pipe: &mut Pipeline<'_>,
    ) {
        let link = self.setup.links[i];
        let part = link.line_quantity(quantity);
        if part <= 0.0 {
            return;
        }
        self.count_line::<MEASURE>(&link, part);
        // A copy, so that no reference into the state reaches the out-of-line draws and the
        // state can stay in registers.
        let Some(days) = self.suppliers[i] else {
            return;
        };
        if link.ships_at_once(&days, self.queues[i].pending, part, t) {
            self.ship_now(stock, i, t, part, pipe);
            return;
        }
        self.queue_line(stock, i, t, part, pipe);
    }

    /// Count an order line of `part` units with `link` (one of the item's links, which the
    /// caller has at hand) and tell the recorder.
    #[inline(always)]
    fn count_line<const MEASURE: bool>(&mut self, link: &Link, part: f64) {
        if MEASURE {
            link.count_line(&mut self.counters, part);
        }
        self.recorder.ordered(part);
    }

    /// Ship an order line of `part` units placed with link `i` on day `t` that same day:
    /// nothing waits ahead of it and the day's capacity covers it.
    #[inline(always)]
    fn ship_now(
        &mut self,
        stock: &mut Stock,
        i: usize,
        t: usize,
        part: f64,
        pipe: &mut Pipeline<'_>,
    ) {
        let Some(days) = self.suppliers[i] else {
            return;
        };
        self.queues[i].head = t + 1;
        stock.in_transit += part;
        let arrival = record_shipment(&mut self.counters, pipe, self.setup, &days, t, t, part);
        self.note_arrival(arrival);
    }

    /// Put an order line of `part` units placed on day `t` in link `i`'s queue.
    #[inline(always)]
    fn queue_line(
        &mut self,
        stock: &mut Stock,
        i: usize,
        t: usize,
        part: f64,
        pipe: &mut Pipeline<'_>,
    ) {
        let queue = &mut self.queues[i];
        if queue.pending == 0.0 {
            // Nothing older waits: the dispatch step need not look at the days before.
            queue.head = t;
        }
        pipe.books[i][t] += part;
        queue.pending += part;
        stock.queued += part;
        self.next_dispatch = self.next_dispatch.min(t);
    }

    /// Keep the expediting check's "next receipt" up to date.
    #[inline(always)]
    fn note_arrival(&mut self, arrival: Option<usize>) {
        if let (Some(e), Some(day)) = (&mut self.expediting, arrival) {
            e.next_receipt = e.next_receipt.min(day);
        }
    }

    /// Expediting: if stock on hand will not last until the next receipt at mean demand, and
    /// an expedited order can arrive before then, order the shortfall at a premium (within the
    /// annual cap). Expedited orders come by a premium channel that outages do not stop.
    #[inline(always)]
    fn expedite<const MEASURE: bool>(&mut self, t: usize, pipe: &mut Pipeline<'_>) {
        let horizon = self.setup.horizon;
        let whole = self.setup.whole_units;
        let Some(e) = &mut self.expediting else {
            return;
        };
        if t / 365 != e.year {
            e.year = t / 365;
            e.used_this_year = 0.0;
        }
        if e.next_receipt <= t {
            e.next_receipt = (t + 1..horizon)
                .find(|&day| pipe.arrivals[pipe.slot(day)] > 0.0)
                .unwrap_or(horizon);
        }
        if self.stock.in_transit + self.stock.queued <= 0.0 {
            // Nothing on order: the rule itself will order when the position calls for it.
            return;
        }
        // The next receipt: the first shipment due, and no later than one mean lead time
        // from now (orders waiting at a supplier that is out have no due day yet).
        let next_receipt = e.next_receipt.min(t + e.terms.cover_days as usize);
        let arrival = t + e.terms.lead_time_days as usize;
        if arrival >= next_receipt || arrival >= horizon {
            return;
        }
        // Demand of days t+1 … next receipt − 1 must come from today's stock.
        let cover_days = (next_receipt - t - 1) as f64;
        let shortfall = e.terms.mean_daily_demand * cover_days + self.stock.backorders
            - self.stock.on_hand
            - self.stock.reserve;
        let room = e.terms.max_units_per_year - e.used_this_year;
        if shortfall <= 0.0 || room <= 0.0 {
            return;
        }
        let mut quantity = min_fast(shortfall, room);
        if whole {
            quantity = min_fast(ceil_fast(quantity - 1e-9), room.floor().max(0.0));
            if quantity <= 0.0 {
                return;
            }
        }
        e.used_this_year += quantity;
        e.next_receipt = e.next_receipt.min(arrival);
        let slot = pipe.slot(arrival);
        pipe.arrivals[slot] += quantity;
        self.stock.in_transit += quantity;
        if MEASURE {
            self.counters.expedited += quantity;
        }
        self.recorder.expedited(quantity);
    }

    /// Ship from each supplier's queue, oldest order first, within the day's capacity; or, on
    /// an outage day that cancels orders, drop the queue.
    ///
    /// Out of line: it runs only while orders wait, and inlined its loop over the links costs
    /// the daily loop registers (callgrind: 2% fewer instructions per run on the speed
    /// reference with it out of line).
    #[inline(never)]
    fn dispatch(&mut self, t: usize, pipe: &mut Pipeline<'_>) {
        self.ship_from_queues(t, pipe);
        self.next_dispatch = self.first_active_day(t + 1);
    }

    /// The first day from `from` on which some supplier with waiting orders has capacity or
    /// cancels them (the horizon if none): on the days before it, dispatch would do nothing.
    fn first_active_day(&self, from: usize) -> usize {
        let horizon = self.setup.horizon;
        let mut first = horizon;
        let links = self.setup.links.len();
        for (queue, days) in self.queues[..links].iter().zip(&self.suppliers) {
            if let Some(days) = days
                && queue.pending > 0.0
            {
                let active = (from..first)
                    .find(|&d| days.capacity_factor(d) > 0.0 || days.cancels(d))
                    .unwrap_or(first);
                first = first.min(active);
            }
        }
        first
    }

    fn ship_from_queues(&mut self, t: usize, pipe: &mut Pipeline<'_>) {
        for i in 0..self.setup.links.len() {
            let link = self.setup.links[i];
            if self.queues[i].pending <= 0.0 {
                continue;
            }
            let Some(days) = self.suppliers[i] else {
                continue;
            };
            if days.cancels(t) {
                self.cancel_queue(i, t, pipe);
                continue;
            }
            let factor = days.capacity_factor(t);
            if factor <= 0.0 {
                continue;
            }
            self.ship_oldest(i, t, t, link.capacity_per_day * factor, pipe);
            self.settle_queue(i, t, pipe);
        }
    }

    /// Ship from link `i`'s queue on day `t`, oldest line first, lines ordered up to day
    /// `through` only, at most `capacity` units. Returns the units shipped and the unit-days
    /// they waited in the queue.
    #[inline(always)]
    fn ship_oldest(
        &mut self,
        i: usize,
        t: usize,
        through: usize,
        mut capacity: f64,
        pipe: &mut Pipeline<'_>,
    ) -> (f64, f64) {
        let Some(days) = self.suppliers[i] else {
            return (0.0, 0.0);
        };
        if self.setup.whole_units {
            // An item counted in units ships whole units (a capacity cut to 12.5 ships 12).
            capacity = floor_fast(capacity + 1e-9);
        }
        let (mut total, mut waited) = (0.0, 0.0);
        while self.queues[i].head <= through && capacity > 0.0 {
            let order_day = self.queues[i].head;
            let waiting = pipe.books[i][order_day];
            if waiting <= 0.0 {
                self.queues[i].head += 1;
                continue;
            }
            let shipped = min_fast(waiting, capacity);
            pipe.books[i][order_day] = waiting - shipped;
            capacity -= shipped;
            total += shipped;
            waited += shipped * (t - order_day) as f64;
            self.queues[i].pending -= shipped;
            self.stock.queued -= shipped;
            self.stock.in_transit += shipped;
            let arrival = record_shipment(
                &mut self.counters,
                pipe,
                self.setup,
                &days,
                order_day,
                t,
                shipped,
            );
            self.note_arrival(arrival);
            if pipe.books[i][order_day] <= 0.0 {
                self.queues[i].head += 1;
            }
        }
        (total, waited)
    }

    /// Guard against a residue of rounding after shipping: a queue is empty or holds real
    /// units.
    #[inline(always)]
    fn settle_queue(&mut self, i: usize, t: usize, pipe: &mut Pipeline<'_>) {
        if self.queues[i].pending < 1e-9 {
            self.clear_queue(i, t, pipe);
        }
    }

    /// The supplier cancels everything waiting in link `i`'s queue. Cancellations on warm-up
    /// days are not counted, like every other figure of those days.
    #[inline(always)]
    fn cancel_queue(&mut self, i: usize, t: usize, pipe: &mut Pipeline<'_>) {
        if t >= self.setup.warmup {
            self.counters.cancelled += self.queues[i].pending;
        }
        self.recorder.cancelled(self.queues[i].pending);
        self.clear_queue(i, t, pipe);
    }

    fn clear_queue(&mut self, i: usize, t: usize, pipe: &mut Pipeline<'_>) {
        let queue = &mut self.queues[i];
        self.stock.queued -= queue.pending;
        queue.pending = 0.0;
        pipe.books[i][queue.head.min(t + 1)..=t].fill(0.0);
        queue.head = t + 1;
    }
}

/// Book a shipment of `shipped` units, ordered on `order_day` and dispatched on day `t`, to
/// arrive after the lead time drawn for day `t` (marked as rejected if it fails inspection);
/// count it against the promised day. Returns the arrival day if within the horizon.
#[inline(always)]
fn record_shipment(
    counters: &mut ItemCounters,
    pipe: &mut Pipeline<'_>,
    setup: &ItemSetup,
    days: &SupplierDays<'_>,
    order_day: usize,
    t: usize,
    shipped: f64,
) -> Option<usize> {
    let shipment = days.shipment(t);
    let arrival = t + shipment.lead_time as usize;
    if arrival >= setup.horizon {
        return None;
    }
    if arrival >= setup.warmup {
        counters.shipments += 1.0;
        // An order shipped the day it is placed needs no second look-up for its promise.
        let quoted = if order_day == t {
            shipment.quoted
        } else {
            days.quoted(order_day)
        };
        if arrival <= order_day + quoted as usize {
            counters.on_time_shipments += 1.0;
        }
    }
    // Rejected units are due like any others and are told apart on arrival.
    let slot = pipe.slot(arrival);
    pipe.arrivals[slot] += shipped;
    if shipment.rejected {
        pipe.rejections[slot] += shipped;
    }
    Some(arrival)
}
