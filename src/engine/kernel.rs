//! The daily loop for one item under one policy in one run: the simulator's hot path.
//!
//! Event order on each day t (the same for every policy; the README documents it):
//! 1. receipts: shipments due on day t go on the shelf and first serve waiting backorders;
//! 2. demand: served from stock; the rest is lost or backordered;
//! 3. review: on review days, if the inventory position is at or below the trigger, an order
//!    is placed and split over the item's suppliers;
//! 4. dispatch: each supplier that is not in an outage ships from its queue (oldest first, up
//!    to its daily capacity); a shipment dispatched on day t arrives on day t + lead time;
//! 5. end-of-day levels are recorded (on hand, backorders, pipeline).
//!
//! Nothing here allocates: buffers live in [`Scratch`], sized once per chunk of runs. The rule
//! is plain data ([`OrderRule`]), so there is no dispatch on the kind of policy in the loop;
//! warm-up and measured days run in two monomorphised copies of the loop so that counting costs
//! no branch.

use crate::math::min_fast;
use crate::metrics::ItemCounters;
use crate::policy::{ItemPolicy, LevelSegment, OrderRule};
use crate::supply::{SupplierDays, SupplyPaths, round_order};

/// One supplier an item is bought from, with the constraints that shape its orders.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    pub supplier: usize,
    pub share: f64,
    pub capacity_per_day: f64,
    pub min_order_quantity: f64,
    pub order_multiple: f64,
    /// Whether an order line may come out fractional for a whole-unit item (a split share, or
    /// a fractional minimum or multiple) and so must be rounded up to whole units.
    pub round_to_whole: bool,
}

/// What the loop needs to know about an item, prepared once per scenario.
#[derive(Clone, Debug)]
pub struct ItemSetup {
    pub horizon: usize,
    pub warmup: usize,
    pub backorder: bool,
    pub whole_units: bool,
    pub links: Vec<Link>,
}

/// Per-thread buffers, reused across items, policies and runs.
#[derive(Debug)]
pub struct Scratch {
    /// Units due to arrive at the start of each day.
    arrivals: Vec<f64>,
    /// For each link, units ordered on each day and not yet shipped.
    books: Vec<Vec<f64>>,
}

impl Scratch {
    pub fn new(horizon: usize, max_links: usize) -> Self {
        Scratch {
            arrivals: vec![0.0; horizon],
            books: vec![vec![0.0; horizon]; max_links],
        }
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

struct State<'a> {
    on_hand: f64,
    backorders: f64,
    in_transit: f64,
    queued: f64,
    stockout_in_cycle: bool,
    next_review: usize,
    queues: [Queue; MAX_LINKS],
    counters: ItemCounters,
    setup: &'a ItemSetup,
    demand: &'a [f64],
    suppliers: [Option<SupplierDays<'a>>; MAX_LINKS],
}

/// Most suppliers one item can be split over.
pub const MAX_LINKS: usize = 8;

/// Simulate one item under one policy for one run and return what was counted.
pub fn simulate_item(
    setup: &ItemSetup,
    policy: &ItemPolicy,
    segments: &[LevelSegment],
    demand: &[f64],
    supply: &SupplyPaths,
    scratch: &mut Scratch,
) -> ItemCounters {
    let mut suppliers = [None; MAX_LINKS];
    for (slot, link) in suppliers.iter_mut().zip(&setup.links) {
        *slot = Some(supply.supplier(link.supplier));
    }
    let mut state = State {
        on_hand: policy.initial_on_hand,
        backorders: 0.0,
        in_transit: 0.0,
        queued: 0.0,
        stockout_in_cycle: false,
        next_review: 0,
        queues: [Queue::default(); MAX_LINKS],
        counters: ItemCounters::default(),
        setup,
        demand,
        suppliers,
    };
    for segment in segments {
        let rule = match (segment.factor == 1.0, setup.whole_units) {
            (true, _) => policy.rule,
            (false, false) => policy.rule.scaled(segment.factor),
            (false, true) => policy.rule.scaled(segment.factor).in_whole_units(),
        };
        let (start, end) = (segment.start as usize, segment.end as usize);
        let split = setup.warmup.clamp(start, end);
        state.run_days::<false>(&rule, start..split, scratch);
        state.run_days::<true>(&rule, split..end, scratch);
    }
    state.clear(scratch);
    // Delivered so far holds backorders filled from receipts; add what was served at once.
    state.counters.delivered += state.counters.served;
    state.counters
}

impl State<'_> {
    /// Leave the scratch buffers all zero for the next item, touching only what this run
    /// wrote: receipts beyond the horizon are never booked, receipts within it are cleared as
    /// they are taken in, and queues are cleared from their oldest unshipped order.
    fn clear(&self, scratch: &mut Scratch) {
        for (queue, book) in self
            .queues
            .iter()
            .zip(&mut scratch.books[..self.setup.links.len()])
        {
            let from = queue.head.min(book.len());
            book[from..].fill(0.0);
        }
        debug_assert!(scratch.arrivals.iter().all(|&a| a == 0.0));
    }

    #[inline(always)]
    fn run_days<const MEASURE: bool>(
        &mut self,
        rule: &OrderRule,
        days: std::ops::Range<usize>,
        scratch: &mut Scratch,
    ) {
        let backorder = self.setup.backorder;
        // Lets the compiler drop the bounds checks on the daily reads below.
        assert!(days.end <= self.demand.len() && days.end <= scratch.arrivals.len());
        for t in days {
            // 1. Receipts.
            let receipt = scratch.arrivals[t];
            if receipt > 0.0 {
                // Cleared as it is consumed, so the buffer is all zeros again at the end.
                scratch.arrivals[t] = 0.0;
                self.receive::<MEASURE>(receipt);
            }
            // 2. Demand.
            let d = self.demand[t];
            let served = min_fast(d, self.on_hand);
            self.on_hand -= served;
            let short = d - served;
            if MEASURE {
                self.counters.demand += d;
                self.counters.served += served;
            }
            if short > 0.0 {
                self.stock_out::<MEASURE>(short, backorder);
            }
            // 3. Review and ordering.
            if t == self.next_review {
                self.next_review += rule.review_period as usize;
                let position = self.on_hand + self.in_transit + self.queued - self.backorders;
                let quantity = rule.order_quantity(position);
                if quantity > 0.0 {
                    self.place_order::<MEASURE>(t, quantity, scratch);
                }
            }
            // 4. Dispatch.
            if self.queued > 0.0 {
                self.dispatch(t, scratch);
            }
            // 5. End-of-day levels.
            if MEASURE {
                self.counters.on_hand_unit_days += self.on_hand;
                self.counters.backorder_unit_days += self.backorders;
                self.counters.pipeline_unit_days += self.in_transit + self.queued;
            }
        }
    }

    #[inline]
    fn receive<const MEASURE: bool>(&mut self, receipt: f64) {
        self.on_hand += receipt;
        self.in_transit -= receipt;
        if MEASURE {
            self.counters.cycles += 1.0;
            if self.stockout_in_cycle {
                self.counters.stockout_cycles += 1.0;
            }
        }
        self.stockout_in_cycle = false;
        if self.backorders > 0.0 {
            let filled = min_fast(self.backorders, self.on_hand);
            self.on_hand -= filled;
            self.backorders -= filled;
            if MEASURE {
                self.counters.delivered += filled;
            }
        }
    }

    #[inline]
    fn stock_out<const MEASURE: bool>(&mut self, short: f64, backorder: bool) {
        self.stockout_in_cycle = true;
        if backorder {
            self.backorders += short;
        }
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

    #[inline(always)]
    fn place_order<const MEASURE: bool>(&mut self, t: usize, quantity: f64, scratch: &mut Scratch) {
        for (i, link) in self.setup.links.iter().enumerate() {
            let part = round_order(
                quantity * link.share,
                link.min_order_quantity,
                link.order_multiple,
                link.round_to_whole,
            );
            if part <= 0.0 {
                continue;
            }
            if MEASURE {
                self.counters.order_lines += 1.0;
            }
            let Some(days) = &self.suppliers[i] else {
                continue;
            };
            let queue = &mut self.queues[i];
            if queue.pending == 0.0 && part <= link.capacity_per_day * days.capacity_factor[t] {
                // Nothing waits ahead of it and today's capacity covers it: the dispatch step
                // would ship it today, so ship it now and skip the queue.
                queue.head = t + 1;
                self.in_transit += part;
                record_shipment(
                    &mut self.counters,
                    &mut scratch.arrivals,
                    self.setup,
                    days,
                    t,
                    t,
                    part,
                );
                continue;
            }
            scratch.books[i][t] += part;
            queue.pending += part;
            self.queued += part;
        }
    }

    /// Ship from each supplier's queue, oldest order first, within the day's capacity.
    #[inline(always)]
    fn dispatch(&mut self, t: usize, scratch: &mut Scratch) {
        for (i, link) in self.setup.links.iter().enumerate() {
            let queue = &mut self.queues[i];
            if queue.pending <= 0.0 {
                continue;
            }
            let Some(days) = &self.suppliers[i] else {
                continue;
            };
            let factor = days.capacity_factor[t];
            if factor <= 0.0 {
                continue;
            }
            let mut capacity = link.capacity_per_day * factor;
            let book = &mut scratch.books[i];
            while queue.head <= t && capacity > 0.0 {
                let order_day = queue.head;
                let waiting = book[order_day];
                if waiting <= 0.0 {
                    queue.head += 1;
                    continue;
                }
                let shipped = min_fast(waiting, capacity);
                book[order_day] = waiting - shipped;
                capacity -= shipped;
                queue.pending -= shipped;
                self.queued -= shipped;
                self.in_transit += shipped;
                record_shipment(
                    &mut self.counters,
                    &mut scratch.arrivals,
                    self.setup,
                    days,
                    order_day,
                    t,
                    shipped,
                );
                if book[order_day] <= 0.0 {
                    queue.head += 1;
                }
            }
            if queue.pending < 1e-9 {
                // Guard against a residue of rounding: a queue is empty or holds real units.
                self.queued -= queue.pending;
                queue.pending = 0.0;
                book[queue.head.min(t + 1)..=t].fill(0.0);
                queue.head = t + 1;
            }
        }
    }
}

/// Book a shipment of `shipped` units, ordered on `order_day` and dispatched on day `t`, to
/// arrive after the lead time drawn for day `t`; count it against the promised day.
#[inline]
fn record_shipment(
    counters: &mut ItemCounters,
    arrivals: &mut [f64],
    setup: &ItemSetup,
    days: &SupplierDays<'_>,
    order_day: usize,
    t: usize,
    shipped: f64,
) {
    let arrival = t + days.lead_time(t) as usize;
    if arrival < setup.horizon {
        arrivals[arrival] += shipped;
        if arrival >= setup.warmup {
            counters.shipments += 1.0;
            if arrival <= order_day + days.quoted(order_day) as usize {
                counters.on_time_shipments += 1.0;
            }
        }
    }
}
