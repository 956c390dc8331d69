//! Tracing a run day by day: what the daily loop can report about each day it steps, and a
//! recorder that keeps it.
//!
//! The daily loop ([`crate::simulation::engine::kernel`]) takes a [`DayRecorder`] as a type
//! parameter and calls it at the points where a day's flows are known (a receipt taken in, an
//! order line placed, an expedited order, a cancellation) and once at the end of each day with
//! the day's demand and levels. The engine's own runs pass [`NoRecorder`], whose methods are
//! empty: monomorphised, the calls vanish and the loop compiles to what it was without them
//! (callgrind counts the same instructions). A trace passes an [`ItemTrace`], so the numbers it
//! keeps are those the very same step code computed, not a second simulation with rules of its
//! own that could drift from the engine's.
//!
//! Why a type parameter rather than an `Option<&mut dyn …>` checked in the loop: the check
//! would cost a branch on every day of every run, in a loop where one branch a day is
//! measurable; why not a copy of the loop for tracing: it would be a second engine to keep in
//! step with the first.

/// Where the daily loop reports what happened on a day. Every method does nothing unless a
/// recorder overrides it; flows are reported as they happen, and [`DayRecorder::end_day`]
/// closes the day.
pub(crate) trait DayRecorder {
    /// Units received at the start of the day: `accepted` went on the shelf, `rejected` failed
    /// receiving inspection.
    #[inline(always)]
    fn received(&mut self, accepted: f64, rejected: f64) {
        let _ = (accepted, rejected);
    }

    /// An order line of `units` was placed with a supplier.
    #[inline(always)]
    fn ordered(&mut self, units: f64) {
        let _ = units;
    }

    /// `units` were ordered by expediting.
    #[inline(always)]
    fn expedited(&mut self, units: f64) {
        let _ = units;
    }

    /// A supplier in an outage cancelled `units` of orders waiting in its queue.
    #[inline(always)]
    fn cancelled(&mut self, units: f64) {
        let _ = units;
    }

    /// Units on the shelf whose life ended at the start of the day, written off.
    fn expired(&mut self, units: f64) {
        let _ = units;
    }

    /// Day `t` is over: its demand and how it was met, and the end-of-day levels.
    #[inline(always)]
    fn end_day(&mut self, t: usize, day: &DayEnd) {
        let _ = (t, day);
    }
}

/// The recorder of runs nobody traces: it records nothing and costs nothing.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct NoRecorder;

impl DayRecorder for NoRecorder {}

/// A recorder lent to the loop.
impl<R: DayRecorder> DayRecorder for &mut R {
    #[inline(always)]
    fn received(&mut self, accepted: f64, rejected: f64) {
        (**self).received(accepted, rejected);
    }

    #[inline(always)]
    fn ordered(&mut self, units: f64) {
        (**self).ordered(units);
    }

    #[inline(always)]
    fn expedited(&mut self, units: f64) {
        (**self).expedited(units);
    }

    #[inline(always)]
    fn cancelled(&mut self, units: f64) {
        (**self).cancelled(units);
    }

    fn expired(&mut self, units: f64) {
        (**self).expired(units);
    }

    #[inline(always)]
    fn end_day(&mut self, t: usize, day: &DayEnd) {
        (**self).end_day(t, day);
    }
}

/// A day's demand, how it was met, and the levels at its end, as the daily loop holds them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DayEnd {
    /// Whether the day counts towards the metrics (it is past the warm-up).
    pub(crate) measured: bool,
    pub(crate) demand: f64,
    pub(crate) served: f64,
    /// Demand not served from stock (lost or backordered).
    pub(crate) short: f64,
    pub(crate) on_hand: f64,
    pub(crate) backorders: f64,
    pub(crate) in_transit: f64,
    pub(crate) queued: f64,
    pub(crate) reserve: f64,
}

/// One day of one item in a traced run: the columns of `trace-run-N.csv` (README, "Trace").
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TraceDay {
    /// Day of the horizon, from 0.
    pub day: usize,
    /// Whether the day is past the warm-up, and so counted in every metric.
    pub measured: bool,
    /// Units demanded (demand surges included).
    pub demand: f64,
    /// Units served from stock on the day: from the shelf, then from the strategic reserve.
    pub served: f64,
    /// Units demanded and not served from stock on the day (`demand − served`): lost, or
    /// backordered.
    pub short: f64,
    /// Units of lost sales (the day's shortfall when unmet demand is lost; otherwise 0).
    pub lost: f64,
    /// Units customers are waiting for at the end of the day: the backlog (0 with lost sales).
    pub backordered: f64,
    /// Units received at the start of the day and put on the shelf (accepted at inspection).
    pub receipts: f64,
    /// Units received on the day and rejected at receiving inspection.
    pub rejected: f64,
    /// Units ordered from suppliers on the day (all order lines).
    pub ordered: f64,
    /// Order lines placed on the day (one per supplier an order goes to).
    pub order_lines: u32,
    /// Units ordered by expediting on the day.
    pub expedited: f64,
    /// Units of waiting orders a supplier cancelled during an outage on the day.
    pub cancelled: f64,
    /// Units on the shelf whose life ended at the start of the day, written off (items with
    /// a shelf life).
    pub expired: f64,
    /// Units ordered and not yet shipped by the supplier, at the end of the day.
    pub queued_at_supplier: f64,
    /// Units shipped and not yet received, at the end of the day.
    pub in_transit: f64,
    /// Units on the shelf at the end of the day (the strategic reserve apart).
    pub on_hand: f64,
    /// Units in the strategic reserve at the end of the day.
    pub reserve: f64,
}

/// The recorder of one item in a traced run: one [`TraceDay`] per day of the horizon.
#[derive(Clone, Debug)]
pub(crate) struct ItemTrace {
    /// Whether unmet demand is backordered (else lost).
    backorder: bool,
    /// The flows of the day in progress.
    today: TraceDay,
    days: Vec<TraceDay>,
}

impl ItemTrace {
    /// An empty trace of `horizon` days (allocated once, so recording allocates nothing).
    pub(crate) fn new(horizon: usize, backorder: bool) -> Self {
        ItemTrace {
            backorder,
            today: TraceDay::default(),
            days: Vec::with_capacity(horizon),
        }
    }

    /// The days recorded, in order.
    pub(crate) fn into_days(self) -> Vec<TraceDay> {
        self.days
    }
}

impl DayRecorder for ItemTrace {
    fn received(&mut self, accepted: f64, rejected: f64) {
        // What does not go on the shelf is not a receipt (the loop takes in nothing then).
        self.today.receipts += if accepted > 0.0 { accepted } else { 0.0 };
        self.today.rejected += rejected;
    }

    fn ordered(&mut self, units: f64) {
        self.today.ordered += units;
        self.today.order_lines += 1;
    }

    fn expedited(&mut self, units: f64) {
        self.today.expedited += units;
    }

    fn cancelled(&mut self, units: f64) {
        self.today.cancelled += units;
    }

    fn expired(&mut self, units: f64) {
        self.today.expired += units;
    }

    fn end_day(&mut self, t: usize, day: &DayEnd) {
        let flows = std::mem::take(&mut self.today);
        // Adding zero writes a level that is a negative zero as zero.
        self.days.push(TraceDay {
            day: t,
            measured: day.measured,
            demand: day.demand,
            served: day.served,
            short: day.short,
            lost: if self.backorder { 0.0 } else { day.short },
            backordered: day.backorders + 0.0,
            queued_at_supplier: day.queued + 0.0,
            in_transit: day.in_transit + 0.0,
            on_hand: day.on_hand + 0.0,
            reserve: day.reserve + 0.0,
            ..flows
        });
    }
}
