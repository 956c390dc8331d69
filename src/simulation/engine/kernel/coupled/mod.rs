//! Items simulated together: the daily loop for a group of items coupled by what they share —
//! a supplier's capacity, a supplier's value minimum, order days or delivery cost, or a
//! purchase budget.
//!
//! The steps of a day are the single-item loop's own pieces ([`State::open_day`],
//! [`State::position`], [`State::count_line`], [`State::ship_now`], [`State::queue_line`],
//! [`State::expedite`], [`State::ship_oldest`], [`State::close_day`]), called item by item,
//! with what the items share decided in between, once for the group:
//!
//! 1–2. every item takes in its receipts and serves its demand;
//! 3. every item (in file order) that reviews asks for its order lines; then for each supplier
//!    (in file order) the day's lines become one order: dropped on a day the supplier takes no
//!    orders, topped up or raised to its value minimum, held or trimmed by the budgets, and
//!    its delivery cost shared by value; the order ships at once if nothing waits at the
//!    supplier and the day's capacity covers it, else it queues;
//! 4. every item expedites;
//! 5. each supplier ships from its queue within the day's capacity, shared by its allocation
//!    rule (guaranteed shares first);
//! 6. every item's end-of-day levels.
//!
//! With one item and nothing shared these are the single-item loop's steps in its order, so a
//! group gives each item's figures bit for bit as the item simulated alone (a test forces
//! every item of the example scenarios through here and compares).

pub(crate) mod lanes;

use super::{
    ItemSetup, Link, Pipeline, Queue, Scratch, Served, Sourcing, State, Sums, segment_days,
    segment_rule,
};
use crate::foundation::math::floor_fast;
use crate::model::budget::{BudgetPeriod, WhenExceeded};
use crate::model::policy::{OrderRule, Policy};
use crate::model::scenario::Scenario;
use crate::model::supply::{Allocation, OrderDays, round_order};
use crate::simulation::metrics::{BudgetCounters, ItemCounters, SupplierCounters};
use crate::simulation::supply_paths::{SupplierDays, SupplyPaths};
use crate::simulation::trace::DayRecorder;

/// An item's place at a supplier: its index in the group, its link to the supplier (index and
/// terms, kept here so that counting a line does not look them up in the item's setup), and
/// the price it pays there (unit cost plus the supplier's premium), which values its lines.
#[derive(Clone, Copy, Debug)]
struct Member {
    k: usize,
    link: usize,
    terms: Link,
    price: f64,
}

/// How a supplier shares a short day's capacity (members by their index in the supplier's
/// list).
#[derive(Clone, Debug)]
enum Sharing {
    Fifo,
    Proportional,
    /// Members in the order they are served.
    Priority(Vec<usize>),
}

/// A supplier of a group, with the members it sells to.
#[derive(Clone, Debug)]
struct SharedSupplier {
    /// Index in the scenario.
    supplier: usize,
    /// Capacity per day, in units or (with `in_value`) in value; infinite without a limit.
    capacity: f64,
    in_value: bool,
    sharing: Sharing,
    /// The group's items bought from it, in file order.
    members: Vec<Member>,
    /// Guaranteed shares of the capacity: (member, share).
    guaranteed: Vec<(usize, f64)>,
    min_order_value: f64,
    order_days: OrderDays,
    delivery_cost: f64,
    /// The group budgets its orders count against.
    budgets: Vec<usize>,
}

/// A budget of a group.
#[derive(Clone, Debug)]
struct SharedBudget {
    /// Index in the scenario.
    budget: usize,
    amount: f64,
    period: BudgetPeriod,
    when_exceeded: WhenExceeded,
    /// The budget available over the measured days (the same in every run).
    available: f64,
}

/// Items simulated together, and what they share; prepared once per scenario.
#[derive(Clone, Debug)]
pub(crate) struct GroupSetup {
    /// Indices in the scenario of the group's items, in file order.
    pub(crate) items: Vec<usize>,
    suppliers: Vec<SharedSupplier>,
    /// For each item of the group and each of its links: the supplier's index in the group,
    /// the item's among the supplier's members, and the price it pays there.
    slots: Vec<Vec<(usize, usize, f64)>>,
    budgets: Vec<SharedBudget>,
    start_day_of_year: u32,
}

impl GroupSetup {
    /// The group of `items` (scenario indices, ascending): every supplier they buy from, and
    /// every budget whose orders they may count against.
    pub(crate) fn new(scenario: &Scenario, items: Vec<usize>, setups: &[ItemSetup]) -> Self {
        let mut suppliers: Vec<SharedSupplier> = Vec::new();
        let mut touched: Vec<usize> = items
            .iter()
            .flat_map(|&i| setups[i].links.iter().map(|l| l.supplier))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        let budgets: Vec<SharedBudget> = scenario
            .budgets
            .iter()
            .enumerate()
            .filter(|(_, b)| touched.iter().any(|&j| b.covers(j)))
            .map(|(n, b)| SharedBudget {
                budget: n,
                amount: b.amount,
                period: b.period,
                when_exceeded: b.when_exceeded,
                available: budget_available(
                    b.amount,
                    b.period,
                    scenario.start_day_of_year,
                    scenario.warmup_days as usize..scenario.horizon_days as usize,
                ),
            })
            .collect();
        for &j in &touched {
            let sup = &scenario.suppliers[j];
            let members: Vec<Member> = items
                .iter()
                .enumerate()
                .filter_map(|(k, &i)| {
                    let link = setups[i].links.iter().position(|l| l.supplier == j)?;
                    Some(Member {
                        k,
                        link,
                        terms: setups[i].links[link],
                        price: scenario.items[i].unit_cost + sup.unit_cost_premium,
                    })
                })
                .collect();
            let member_of = |item: usize| members.iter().position(|m| items[m.k] == item);
            let sharing = match &sup.allocation {
                Allocation::Fifo => Sharing::Fifo,
                Allocation::Proportional => Sharing::Proportional,
                Allocation::Priority(order) => {
                    let mut ranked: Vec<usize> =
                        order.iter().filter_map(|&i| member_of(i)).collect();
                    for m in 0..members.len() {
                        if !ranked.contains(&m) {
                            ranked.push(m);
                        }
                    }
                    Sharing::Priority(ranked)
                }
            };
            let (capacity, in_value) = if sup.capacity_value_per_day.is_finite() {
                (sup.capacity_value_per_day, true)
            } else {
                (sup.capacity_per_day, false)
            };
            suppliers.push(SharedSupplier {
                supplier: j,
                capacity,
                in_value,
                sharing,
                guaranteed: sup
                    .guaranteed
                    .iter()
                    .filter_map(|&(i, share)| Some((member_of(i)?, share)))
                    .collect(),
                members,
                min_order_value: sup.min_order_value,
                order_days: sup.order_days,
                delivery_cost: sup.delivery_cost,
                budgets: budgets
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| scenario.budgets[b.budget].covers(j))
                    .map(|(n, _)| n)
                    .collect(),
            });
        }
        let slots = (0..items.len())
            .map(|k| {
                setups[items[k]]
                    .links
                    .iter()
                    .map(|link| {
                        let s = suppliers
                            .iter()
                            .position(|sup| sup.supplier == link.supplier)
                            .unwrap_or(0);
                        let m = suppliers[s]
                            .members
                            .iter()
                            .position(|m| m.k == k)
                            .unwrap_or(0);
                        (s, m, suppliers[s].members[m].price)
                    })
                    .collect()
            })
            .collect();
        GroupSetup {
            items,
            suppliers,
            slots,
            budgets,
            start_day_of_year: scenario.start_day_of_year,
        }
    }

    /// Indices in the scenario of the group's suppliers, in file order.
    pub(crate) fn suppliers(&self) -> impl Iterator<Item = usize> + '_ {
        self.suppliers.iter().map(|s| s.supplier)
    }

    /// Indices in the scenario of the group's budgets, in file order.
    pub(crate) fn budgets(&self) -> impl Iterator<Item = usize> + '_ {
        self.budgets.iter().map(|b| b.budget)
    }
}

/// The budget available over `days`: the whole amount of every period with a day among them.
/// A period only partly among them (the one the warm-up ends in) counts in full, so that what
/// was spent in its measured days, which may be all of its amount, is never more than what was
/// available.
fn budget_available(
    amount: f64,
    period: BudgetPeriod,
    start_day_of_year: u32,
    days: std::ops::Range<usize>,
) -> f64 {
    let (Some(first), Some(last)) = (days.clone().next(), days.last()) else {
        return 0.0;
    };
    let periods =
        period.index(last, start_day_of_year) - period.index(first, start_day_of_year) + 1;
    amount * periods as f64
}

/// What a group's run under one policy counted.
#[derive(Clone, Debug, Default)]
pub(crate) struct GroupCounters {
    /// Per item of the group.
    pub(crate) items: Vec<ItemCounters>,
    /// Per supplier of the group ([`GroupSetup::suppliers`]).
    pub(crate) suppliers: Vec<SupplierCounters>,
    /// Per budget of the group ([`GroupSetup::budgets`]).
    pub(crate) budgets: Vec<BudgetCounters>,
}

impl GroupCounters {
    /// Count each limited supplier's capacity over the measured `days` of a run: what the
    /// dispatch step had to give each day, added in day order. Counted once the run is done,
    /// so that a day on which nothing waits costs the dispatch step no look at the supplier.
    pub(super) fn count_capacity(
        &mut self,
        group: &GroupSetup,
        supply: &SupplyPaths,
        days: std::ops::Range<usize>,
    ) {
        for (counters, sup) in self.suppliers.iter_mut().zip(&group.suppliers) {
            if sup.capacity.is_finite() {
                let paths = supply.supplier(sup.supplier);
                for t in days.clone() {
                    counters.capacity += sup.capacity * paths.capacity_factor(t);
                }
            }
        }
    }

    /// Start a run of `group`: its suppliers' and budgets' figures at zero, each budget's
    /// availability noted.
    fn start(&mut self, group: &GroupSetup) {
        self.suppliers.clear();
        self.suppliers
            .resize(group.suppliers.len(), SupplierCounters::default());
        self.budgets.clear();
        self.budgets
            .resize(group.budgets.len(), BudgetCounters::default());
        for (counters, budget) in self.budgets.iter_mut().zip(&group.budgets) {
            counters.available = budget.available;
        }
    }
}

/// An order line asked for on the current day, at one supplier.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// The item's index in the group, and in the supplier's members.
    k: usize,
    member: usize,
    link: usize,
    part: f64,
    price: f64,
}

/// What one run's decisions of a group keep from day to day and within a day: the day's lines
/// per supplier, what each item asked for, where each budget stands, and which suppliers have
/// orders waiting. Runs stepped in lanes keep one per lane.
#[derive(Debug)]
pub(super) struct Decisions {
    /// Per supplier, the day's lines, in the order they were asked for (at most one a member;
    /// a top-up, which is rare, finds a member's line by a look through them).
    lines: Vec<Vec<Line>>,
    /// Per item, the units its lines of the day ask for, over all its suppliers.
    asked: Vec<f64>,
    /// The items with something in `asked`, to clear at the end of the day.
    asking: Vec<usize>,
    /// Per supplier, the members with units waiting in its queue, in member order: kept
    /// exact, so that the dispatch looks at the members that wait and a day with none waiting
    /// costs no pass over the members.
    queued: Vec<Vec<usize>>,
    /// Per supplier and member, the member's queue there as its state holds it (units
    /// waiting, and the oldest order day while units wait), copied after every step that
    /// queues, ships from the queue or cancels it: the dispatch and its first-in-first-out
    /// scans read a short array of the supplier's members instead of visiting each item's
    /// state. A line shipped at once leaves the queue empty and is not copied.
    queues: Vec<Vec<Queue>>,
    /// Per budget: the period it is in, what is left of it, whether it bound today, and what
    /// would be left after the order being decided.
    budget_period: Vec<usize>,
    budget_left: Vec<f64>,
    budget_bound: Vec<bool>,
    budget_trial: Vec<f64>,
}

impl Decisions {
    pub(super) fn new(group: &GroupSetup) -> Self {
        let b = group.budgets.len();
        Decisions {
            lines: group
                .suppliers
                .iter()
                .map(|s| Vec::with_capacity(s.members.len()))
                .collect(),
            asked: vec![0.0; group.items.len()],
            asking: Vec::with_capacity(group.items.len()),
            queued: group
                .suppliers
                .iter()
                .map(|s| Vec::with_capacity(s.members.len()))
                .collect(),
            queues: group
                .suppliers
                .iter()
                .map(|s| vec![Queue::default(); s.members.len()])
                .collect(),
            budget_period: vec![0; b],
            budget_left: vec![0.0; b],
            budget_bound: vec![false; b],
            budget_trial: vec![0.0; b],
        }
    }

    /// Start a run: nothing waits, no budget period has begun.
    pub(super) fn start_run(&mut self) {
        for queued in &mut self.queued {
            queued.clear();
        }
        for queues in &mut self.queues {
            queues.fill(Queue::default());
        }
        self.budget_period.fill(usize::MAX);
    }

    /// Add item `k`'s line of `part` units with its link `link` to the day's lines (none if
    /// `part` is not positive).
    #[inline(always)]
    fn add_line(&mut self, group: &GroupSetup, k: usize, link: usize, part: f64) {
        if part > 0.0 {
            let (s, member, price) = group.slots[k][link];
            self.ask(k, part);
            self.lines[s].push(Line {
                k,
                member,
                link,
                part,
                price,
            });
        }
    }

    /// Add `part` units to what item `k` asked for today.
    #[inline(always)]
    fn ask(&mut self, k: usize, part: f64) {
        if self.asked[k] == 0.0 {
            self.asking.push(k);
        }
        self.asked[k] += part;
    }
}

/// Where a group's decisions find what of item `k` lives outside its scalar state: its
/// pipeline and, in runs stepped in lanes, its stock and next review day, which the lanes keep
/// (module `lanes`). A run simulated alone keeps them in the state itself: loading and storing
/// do nothing there.
pub(super) trait Items<R: DayRecorder> {
    /// Item `k`'s pipeline.
    fn pipe(&mut self, k: usize) -> Pipeline<'_>;
    /// Give `state` item `k`'s current stock, before a step that reads or changes it.
    fn load(&self, k: usize, state: &mut State<'_, R>);
    /// Take back item `k`'s stock from `state`, after a step that changed it.
    fn store(&mut self, k: usize, state: &State<'_, R>);
    /// Item `k`'s inventory position, as its rule reviews it.
    fn position(&self, k: usize, state: &State<'_, R>) -> f64;
    /// Item `k` reviews again on day `day` at the latest.
    fn review_by(&mut self, k: usize, state: &mut State<'_, R>, day: usize);
    /// Ship item `k`'s line of `part` units, placed on day `t` with its link `link` (to the
    /// supplier of `days`), that same day ([`State::ship_now`]).
    fn ship_now(
        &mut self,
        k: usize,
        state: &mut State<'_, R>,
        link: (usize, &SupplierDays<'_>),
        t: usize,
        part: f64,
    );
    /// Put item `k`'s line of `part` units, placed on day `t` with its link `link`, in the
    /// link's queue ([`State::queue_line`]).
    fn queue_line(&mut self, k: usize, state: &mut State<'_, R>, link: usize, t: usize, part: f64) {
        self.load(k, state);
        let mut stock = state.stock;
        state.queue_line(&mut stock, link, t, part, &mut self.pipe(k));
        state.stock = stock;
        self.store(k, state);
    }
}

impl<R: DayRecorder> Items<R> for [Scratch] {
    fn pipe(&mut self, k: usize) -> Pipeline<'_> {
        self[k].parts().0
    }

    fn load(&self, _: usize, _: &mut State<'_, R>) {}

    fn store(&mut self, _: usize, _: &State<'_, R>) {}

    fn position(&self, _: usize, state: &State<'_, R>) -> f64 {
        with_kind!(state, |B, RES| state.position::<B, RES>(&state.stock))
    }

    fn review_by(&mut self, _: usize, state: &mut State<'_, R>, day: usize) {
        state.next_review = state.next_review.min(day);
    }

    fn ship_now(
        &mut self,
        k: usize,
        state: &mut State<'_, R>,
        (link, _): (usize, &SupplierDays<'_>),
        t: usize,
        part: f64,
    ) {
        let mut stock = state.stock;
        state.ship_now(&mut stock, link, t, part, &mut self[k].parts().0);
        state.stock = stock;
    }
}

/// Per-thread buffers of a group, reused across runs and policies.
#[derive(Debug)]
pub(crate) struct GroupScratch {
    /// One per item of the group.
    pub(crate) items: Vec<Scratch>,
    decisions: Decisions,
    rules: Vec<OrderRule>,
    served: Vec<Served>,
    /// Per item, the running sums of its daily loop.
    sums: Vec<Sums>,
}

impl GroupScratch {
    pub(crate) fn new(
        group: &GroupSetup,
        horizon: usize,
        max_links: usize,
        month_spans: usize,
    ) -> Self {
        let n = group.items.len();
        GroupScratch {
            items: (0..n)
                .map(|_| Scratch::new(horizon, max_links, month_spans))
                .collect(),
            decisions: Decisions::new(group),
            rules: Vec::with_capacity(n),
            served: Vec::with_capacity(n),
            sums: Vec::with_capacity(n),
        }
    }
}

/// Simulate a group's items under `policy` for one run, item `k`'s days told to
/// `recorders[k]`; the counts go to `out`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_group<R: DayRecorder>(
    group: &GroupSetup,
    setups: &[ItemSetup],
    policy: &Policy,
    demands: &[Vec<f64>],
    supply: &SupplyPaths,
    scratch: &mut GroupScratch,
    recorders: &mut [R],
    out: &mut GroupCounters,
) {
    let GroupScratch {
        items,
        decisions,
        rules,
        served,
        sums,
    } = scratch;
    for s in items.iter_mut() {
        s.next_stamp();
    }
    let mut states: Vec<State<'_, &mut R>> = group
        .items
        .iter()
        .zip(demands)
        .zip(recorders.iter_mut())
        .map(|((&i, demand), recorder)| {
            State::new(&setups[i], &policy.items[i], demand, supply, recorder)
        })
        .collect();
    out.start(group);
    decisions.start_run();
    let first = &setups[group.items[0]];
    for (k, segment) in policy.segments.iter().enumerate() {
        rules.clear();
        rules.extend(
            group
                .items
                .iter()
                .map(|&i| segment_rule(&setups[i], &policy.items[i], k, segment)),
        );
        let mut day = GroupDay {
            group,
            supply,
            out: &mut *out,
            rules,
        };
        for piece in segment_days(first, segment) {
            let books = (&mut **items, &mut *served, &mut *sums);
            if piece.measured {
                day.run_days::<true, _>(&mut states, piece.days, books, decisions);
            } else {
                day.run_days::<false, _>(&mut states, piece.days, books, decisions);
            }
            if let Some(span) = piece.ends_span {
                for (item, state) in items.iter_mut().zip(&states) {
                    item.mark(span, &state.counters);
                }
            }
        }
    }
    let setup = &setups[group.items[0]];
    out.count_capacity(group, supply, setup.warmup..setup.horizon);
    out.items.clear();
    for (state, s) in states.into_iter().zip(items.iter_mut()) {
        state.clear(&mut s.books);
        out.items.push(state.finish());
    }
    debug_assert_eq!(out.items.len(), group.items.len());
}

/// The group-wide steps of a day in one run: what it counts goes to `out`; `rules` are the
/// items' rules in the stretch of the horizon being simulated.
pub(super) struct GroupDay<'g, 's, 'o, 'r> {
    pub(super) group: &'g GroupSetup,
    pub(super) supply: &'s SupplyPaths<'s>,
    pub(super) out: &'o mut GroupCounters,
    pub(super) rules: &'r [OrderRule],
}

impl GroupDay<'_, '_, '_, '_> {
    fn run_days<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        states: &mut [State<'_, R>],
        days: std::ops::Range<usize>,
        (items, served, sums): (&mut [Scratch], &mut Vec<Served>, &mut Vec<Sums>),
        d: &mut Decisions,
    ) {
        sums.clear();
        sums.extend(states.iter().map(|state| Sums::of(&state.counters)));
        served.clear();
        served.resize(
            states.len(),
            Served {
                demand: 0.0,
                served: 0.0,
                short: 0.0,
            },
        );
        let first = days.start;
        let last = days.end.checked_sub(1).filter(|&l| l >= first);
        for t in days {
            // 6 of the day before, and 1–3: receipts, demand, failover and review, item by
            // item. An item's end of day touches only its own figures, so it may wait until
            // its turn on the next day.
            let mut failed_over = false;
            for (k, state) in states.iter_mut().enumerate() {
                let sums = &mut sums[k];
                let rule = &self.rules[k];
                let before = &mut served[k];
                let (mut pipe, mut books) = items[k].parts();
                let quantity = with_kind!(state, |B, RES| {
                    if t > first {
                        let stock = state.stock;
                        state.close_day::<MEASURE, B, RES>(
                            &stock,
                            sums,
                            t - 1,
                            *before,
                            &mut books,
                        );
                    }
                    let mut stock = state.stock;
                    let served = state
                        .open_day::<MEASURE, B, RES>(&mut stock, sums, t, &mut pipe, &mut books);
                    state.stock = stock;
                    if let Sourcing::Failover { after_days } = state.setup.sourcing
                        && state.queues[0].pending > 0.0
                        && state.primary_down(t, after_days)
                    {
                        state.fail_over::<MEASURE>(t, &mut pipe);
                        failed_over = true;
                    }
                    *before = served;
                    let mut quantity = 0.0;
                    if t == state.next_review {
                        state.next_review += rule.review_period as usize;
                        quantity = rule.order_quantity(state.position::<B, RES>(&state.stock));
                    }
                    quantity
                });
                if quantity > 0.0 {
                    ask_lines(self.group, state, k, t, quantity, d);
                }
            }
            if failed_over {
                // A failover empties one queue and may fill another.
                for (s, sup) in self.group.suppliers.iter().enumerate() {
                    for (queue, m) in d.queues[s].iter_mut().zip(&sup.members) {
                        *queue = states[m.k].queues[m.link];
                    }
                    d.queued[s].clear();
                    let queues = &d.queues[s];
                    d.queued[s].extend((0..queues.len()).filter(|&g| queues[g].pending > 0.0));
                }
            }
            // 3, continued: the day's order to each supplier.
            self.orders::<MEASURE, R>(t, states, items, d);
            // 4. Expediting.
            for (k, state) in states.iter_mut().enumerate() {
                if state.expediting.is_some() {
                    state.expedite::<MEASURE>(t, &mut Items::<R>::pipe(items, k));
                }
            }
            // 5. Dispatch.
            self.dispatch_all::<MEASURE, R>(t, states, items, d);
        }
        // 6. End of the last day.
        if let Some(t) = last {
            for (k, state) in states.iter_mut().enumerate() {
                let (_, mut books) = items[k].parts();
                let stock = state.stock;
                let (sums, served) = (&mut sums[k], served[k]);
                with_kind!(state, |B, RES| state
                    .close_day::<MEASURE, B, RES>(&stock, sums, t, served, &mut books));
            }
        }
        for (state, sums) in states.iter_mut().zip(sums.iter()) {
            sums.store(&mut state.counters);
        }
    }

    /// Step 3's group-wide part on day `t`: the day's order to each supplier, from the lines
    /// the items asked for; then what the day asked is forgotten and the budgets that bound
    /// are counted.
    pub(super) fn orders<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        t: usize,
        states: &mut [State<'_, R>],
        items: &mut (impl Items<R> + ?Sized),
        d: &mut Decisions,
    ) {
        for s in 0..self.group.suppliers.len() {
            self.order::<MEASURE, R>(s, t, states, items, d);
        }
        for k in d.asking.drain(..) {
            d.asked[k] = 0.0;
        }
        for (b, bound) in d.budget_bound.iter_mut().enumerate() {
            if MEASURE && *bound {
                self.out.budgets[b].bound_days += 1.0;
            }
            *bound = false;
        }
    }

    /// Step 5 on day `t`: each supplier ships from its queue.
    pub(super) fn dispatch_all<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        t: usize,
        states: &mut [State<'_, R>],
        items: &mut (impl Items<R> + ?Sized),
        d: &mut Decisions,
    ) {
        for s in 0..self.group.suppliers.len() {
            self.dispatch::<MEASURE, R>(s, t, states, items, d);
        }
    }

    /// The day's order to supplier `s` of the group: the lines the items asked for, on an
    /// order day, brought to the value minimum, within the budgets; placed, shipped at once
    /// where nothing waits and the capacity covers it, else queued. The supplier's lines are
    /// cleared for the next day.
    fn order<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        s: usize,
        t: usize,
        states: &mut [State<'_, R>],
        items: &mut (impl Items<R> + ?Sized),
        d: &mut Decisions,
    ) {
        if d.lines[s].is_empty() {
            return;
        }
        self.decide_order::<MEASURE, R>(s, t, states, items, d);
        d.lines[s].clear();
    }

    fn decide_order<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        s: usize,
        t: usize,
        states: &mut [State<'_, R>],
        items: &mut (impl Items<R> + ?Sized),
        d: &mut Decisions,
    ) {
        let group = self.group;
        let sup = &group.suppliers[s];
        if !sup.order_days.takes_orders(t) {
            hold_over(d.lines[s].iter(), t, states, items);
            return;
        }
        let value = |lines: &[Line]| -> f64 { lines.iter().map(|l| l.part * l.price).sum() };
        let mut total = value(&d.lines[s]);
        if below_minimum(total, sup.min_order_value) {
            self.top_up(s, t, states, items, d, &mut total);
            if MEASURE {
                self.out.suppliers[s].joint_top_ups += 1.0;
            }
        }
        if !sup.budgets.is_empty() {
            self.within_budgets::<MEASURE, R>(s, t, states, d);
            total = value(&d.lines[s]);
            hold_over(
                d.lines[s].iter().filter(|l| l.part <= 0.0),
                t,
                states,
                items,
            );
        }
        if total <= 0.0 {
            return;
        }
        // Place the order.
        let days = self.supply.supplier(sup.supplier);
        let factor = days.capacity_factor(t);
        let needed: f64 = d.lines[s]
            .iter()
            .map(|l| {
                if sup.in_value {
                    l.part * l.price
                } else {
                    l.part
                }
            })
            .sum();
        let at_once = d.queued[s].is_empty() && factor > 0.0 && needed <= sup.capacity * factor;
        let already_queued = d.queued[s].len();
        if MEASURE {
            let c = &mut self.out.suppliers[s];
            c.deliveries += 1.0;
            c.ordered_value += total;
        }
        for line in d.lines[s].iter().filter(|l| l.part > 0.0) {
            let state = &mut states[line.k];
            state.count_line::<MEASURE>(&sup.members[line.member].terms, line.part);
            if MEASURE && sup.delivery_cost > 0.0 {
                state.counters.delivery_cost += sup.delivery_cost * line.part * line.price / total;
            }
            if at_once {
                items.ship_now(line.k, state, (line.link, &days), t, line.part);
                if MEASURE {
                    let c = &mut self.out.suppliers[s];
                    c.shipped_units += line.part;
                    c.shipped_value += line.part * line.price;
                    c.capacity_used += if sup.in_value {
                        line.part * line.price
                    } else {
                        line.part
                    };
                }
            } else {
                let queue = &mut d.queues[s][line.member];
                if queue.pending == 0.0 {
                    d.queued[s].push(line.member);
                }
                items.queue_line(line.k, state, line.link, t, line.part);
                *queue = state.queues[line.link];
            }
        }
        if d.queued[s].len() > already_queued {
            // The new ones came in item order, after those already waiting.
            d.queued[s].sort_unstable();
        }
    }

    /// Bring supplier `s`'s order of day `t`, worth `total`, to its value minimum: top the
    /// supplier's items up toward their order-up-to levels in file order, then, if that is not
    /// enough, raise every line in proportion.
    fn top_up<R: DayRecorder>(
        &self,
        s: usize,
        t: usize,
        states: &[State<'_, R>],
        items: &(impl Items<R> + ?Sized),
        d: &mut Decisions,
        total: &mut f64,
    ) {
        let sup = &self.group.suppliers[s];
        let minimum = sup.min_order_value;
        for (member, m) in sup.members.iter().enumerate() {
            if !below_minimum(*total, minimum) {
                return;
            }
            let state = &states[m.k];
            if let Sourcing::Failover { after_days } = state.setup.sourcing {
                // Only the link the item orders from today.
                let active = usize::from(state.primary_down(t, after_days));
                if m.link != active {
                    continue;
                }
            }
            let position = items.position(m.k, state) + d.asked[m.k];
            let room = self.rules[m.k].top_up(position);
            let terms = state.setup.links[m.link];
            let part = terms.line_quantity(room);
            if part <= 0.0 {
                continue;
            }
            d.ask(m.k, part);
            let lines = &mut d.lines[s];
            match lines.iter_mut().find(|l| l.member == member) {
                Some(line) => line.part += part,
                None => {
                    // In item (file) order among the day's lines: budgets take them in it.
                    let at = lines.iter().position(|l| l.k > m.k).unwrap_or(lines.len());
                    lines.insert(
                        at,
                        Line {
                            k: m.k,
                            member,
                            link: m.link,
                            part,
                            price: m.price,
                        },
                    );
                }
            }
            *total += part * m.price;
        }
        if !below_minimum(*total, minimum) || *total <= 0.0 {
            return;
        }
        let factor = minimum / *total;
        *total = 0.0;
        for line in &mut d.lines[s] {
            if line.part > 0.0 {
                // Rounded up as the supplier takes it, and to whole units for an item counted
                // in units: a raised line is fractional even where the rule's own are whole.
                let setup = states[line.k].setup;
                let terms = setup.links[line.link];
                line.part = round_order(
                    line.part * factor,
                    terms.min_order_quantity,
                    terms.order_multiple,
                    setup.whole_units,
                );
            }
            *total += line.part * line.price;
        }
    }

    /// Hold back or trim supplier `s`'s lines of day `t` that do not fit what is left of the
    /// budgets its orders count against; if what remains is below the value minimum, the
    /// whole order waits.
    fn within_budgets<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        s: usize,
        t: usize,
        states: &[State<'_, R>],
        d: &mut Decisions,
    ) {
        let group = self.group;
        let sup = &group.suppliers[s];
        for &b in &sup.budgets {
            let budget = &group.budgets[b];
            let period = budget.period.index(t, group.start_day_of_year);
            if d.budget_period[b] != period {
                d.budget_period[b] = period;
                d.budget_left[b] = budget.amount;
            }
            d.budget_trial[b] = d.budget_left[b];
        }
        let mut total = 0.0;
        for line in d.lines[s].iter_mut().filter(|l| l.part > 0.0) {
            for &b in &sup.budgets {
                let budget = &group.budgets[b];
                let left = d.budget_trial[b];
                let value = line.part * line.price;
                if value <= left {
                    continue;
                }
                d.budget_bound[b] = true;
                let trim = match budget.when_exceeded {
                    WhenExceeded::Trim => true,
                    // A line worth more than a whole period would never fit.
                    WhenExceeded::Wait => value > budget.amount,
                };
                line.part = if trim {
                    let setup = states[line.k].setup;
                    trimmed(
                        line.part,
                        left / line.price,
                        &setup.links[line.link],
                        setup.whole_units,
                    )
                } else {
                    0.0
                };
            }
            for &b in &sup.budgets {
                d.budget_trial[b] -= line.part * line.price;
            }
            total += line.part * line.price;
        }
        if below_minimum(total, sup.min_order_value) {
            // Below the minimum the supplier takes no order: nothing is spent.
            for line in &mut d.lines[s] {
                line.part = 0.0;
            }
            return;
        }
        for &b in &sup.budgets {
            let spent = d.budget_left[b] - d.budget_trial[b];
            d.budget_left[b] = d.budget_trial[b];
            if MEASURE {
                self.out.budgets[b].spent += spent;
            }
        }
    }

    /// Ship from supplier `s`'s queue on day `t`: cancelled in a cancelling outage, nothing in
    /// an outage, else within the day's capacity, guaranteed shares first, the rest by the
    /// allocation rule.
    fn dispatch<const MEASURE: bool, R: DayRecorder>(
        &mut self,
        s: usize,
        t: usize,
        states: &mut [State<'_, R>],
        items: &mut (impl Items<R> + ?Sized),
        d: &mut Decisions,
    ) {
        let group = self.group;
        let sup = &group.suppliers[s];
        let (queued, queues) = (&mut d.queued[s], &mut d.queues[s][..]);
        if queued.is_empty() {
            return;
        }
        let days = self.supply.supplier(sup.supplier);
        let factor = days.capacity_factor(t);
        let capacity = sup.capacity * factor;
        let measure = |g: usize, queues: &[Queue]| {
            let p = queues[g].pending;
            if sup.in_value {
                p * sup.members[g].price
            } else {
                p
            }
        };
        // What waits, in the capacity's measure (the members that wait, in member order:
        // the others would add zeros).
        let queue: f64 = queued.iter().map(|&g| measure(g, queues)).sum();
        if days.cancels(t) {
            for &g in queued.iter() {
                let m = &sup.members[g];
                if queues[g].pending > 0.0 {
                    let state = &mut states[m.k];
                    items.load(m.k, state);
                    state.cancel_queue(m.link, t, &mut items.pipe(m.k));
                    items.store(m.k, state);
                    queues[g] = state.queues[m.link];
                }
            }
            queued.clear();
            return;
        }
        if factor > 0.0 {
            let out = &mut *self.out;
            let mut left = capacity;
            // Ship member `g`'s lines ordered up to day `through`, within `most` of the
            // capacity (in its measure); returns what it used of it.
            let mut ship = |g: usize,
                            through: usize,
                            most: f64,
                            states: &mut [State<'_, R>],
                            queues: &mut [Queue]| {
                let m = &sup.members[g];
                let units = if sup.in_value { most / m.price } else { most };
                let state = &mut states[m.k];
                items.load(m.k, state);
                let mut pipe = items.pipe(m.k);
                let (shipped, waited) = state.ship_oldest(m.link, t, through, units, &mut pipe);
                state.settle_queue(m.link, t, &mut pipe);
                items.store(m.k, state);
                queues[g] = state.queues[m.link];
                if MEASURE {
                    let c = &mut out.suppliers[s];
                    c.shipped_units += shipped;
                    c.shipped_value += shipped * m.price;
                    c.wait_unit_days += waited;
                    c.capacity_used += if sup.in_value {
                        shipped * m.price
                    } else {
                        shipped
                    };
                }
                // All it was allowed: the allowance is spent exactly, whatever the rounding of
                // a value in units.
                if shipped >= units {
                    most
                } else if sup.in_value {
                    shipped * m.price
                } else {
                    shipped
                }
            };
            for &(g, share) in &sup.guaranteed {
                if queues[g].pending > 0.0 {
                    left -= ship(g, t, share * capacity, states, queues);
                }
            }
            if queue <= left {
                // Everything waiting ships, whatever the rule.
                for &g in queued.iter() {
                    if queues[g].pending > 0.0 {
                        ship(g, t, f64::INFINITY, states, queues);
                    }
                }
            } else {
                match &sup.sharing {
                    Sharing::Fifo => {
                        fifo(queued, t, (states, queues), left, &mut ship);
                    }
                    Sharing::Proportional => {
                        let available = left;
                        for &g in queued.iter() {
                            let wanted = measure(g, queues);
                            if wanted <= 0.0 {
                                continue;
                            }
                            // Each member's share is taken from its queue before anything
                            // ships, as shipping one member changes only its own queue.
                            let share = if queue <= available {
                                wanted
                            } else {
                                available * wanted / queue
                            };
                            left -= ship(g, t, share, states, queues);
                        }
                        // What whole units left of the shares goes oldest line first.
                        fifo(queued, t, (states, queues), left, &mut ship);
                    }
                    Sharing::Priority(order) => {
                        for &g in order {
                            if left <= 0.0 {
                                break;
                            }
                            if queues[g].pending > 0.0 {
                                left -= ship(g, t, left, states, queues);
                            }
                        }
                    }
                }
            }
        }
        let backlog: f64 = queued.iter().map(|&g| queues[g].pending).sum();
        queued.retain(|&g| queues[g].pending > 0.0);
        if MEASURE && backlog > 0.0 {
            let c = &mut self.out.suppliers[s];
            c.backlog_unit_days += backlog;
            if factor > 0.0 {
                c.cut_days += 1.0;
            }
        }
    }
}

/// The most of a line of `part` units that `units` allow, in the supplier's multiples
/// (`terms`) and in whole units for an item counted so; nothing below the supplier's minimum.
fn trimmed(part: f64, units: f64, terms: &Link, whole_units: bool) -> f64 {
    let mut q = units.min(part);
    let multiple = terms.order_multiple;
    if multiple > 0.0 {
        q = floor_fast(q / multiple + 1e-9) * multiple;
    }
    if whole_units {
        q = floor_fast(q + 1e-9);
    }
    if q <= 0.0 || q < terms.min_order_quantity {
        0.0
    } else {
        q
    }
}

/// Ship a supplier's waiting lines on day `t`, oldest first (lines of one day in file order),
/// within `left` of its capacity, by `ship` (member, lines up to which day, most of the
/// capacity, the items and the supplier's queues; returns what it used). `queued` are the
/// members with units waiting, `queues` every member's queue at the supplier.
fn fifo<R: DayRecorder>(
    queued: &[usize],
    t: usize,
    (states, queues): (&mut [State<'_, R>], &mut [Queue]),
    mut left: f64,
    ship: &mut impl FnMut(usize, usize, f64, &mut [State<'_, R>], &mut [Queue]) -> f64,
) {
    let mut last = None;
    while left > 0.0 {
        let Some(oldest) = queued
            .iter()
            .map(|&g| queues[g])
            .filter(|q| q.pending > 0.0)
            .map(|q| q.head)
            .min()
            .filter(|&d| d <= t)
        else {
            return;
        };
        if last == Some((oldest, left)) {
            // Nothing moved: less than a whole unit is left for items counted in units.
            return;
        }
        last = Some((oldest, left));
        for &g in queued {
            if left <= 0.0 {
                return;
            }
            let queue = queues[g];
            if queue.pending > 0.0 && queue.head <= oldest {
                left -= ship(g, oldest, left, states, queues);
            }
        }
    }
}

/// Whether an order worth `total` falls short of the value minimum `minimum` (0: none). Lines
/// raised to the minimum may add up to a hair below it (100/3.1 kg at 3.1 is worth
/// 99.999…99 of a minimum of 100): that float noise does not count as short.
fn below_minimum(total: f64, minimum: f64) -> bool {
    minimum > 0.0 && total < minimum * (1.0 - 1e-9)
}

/// The items of `lines`, held back on day `t` (not an order day, or waiting for a budget),
/// review again the next day, so that their order goes out on the first day it can.
fn hold_over<'l, R: DayRecorder>(
    lines: impl Iterator<Item = &'l Line>,
    t: usize,
    states: &mut [State<'_, R>],
    items: &mut (impl Items<R> + ?Sized),
) {
    for line in lines {
        items.review_by(line.k, &mut states[line.k], t + 1);
    }
}

/// The lines item `k` asks for on day `t` for `quantity`: split over its suppliers by share,
/// or all to the one it orders from under a failover, each as the supplier takes it; added to
/// each supplier's lines of the day.
#[inline]
fn ask_lines<R: DayRecorder>(
    group: &GroupSetup,
    state: &State<'_, R>,
    k: usize,
    t: usize,
    quantity: f64,
    d: &mut Decisions,
) {
    let setup = state.setup;
    match setup.sourcing {
        Sourcing::Split => {
            for (i, link) in setup.links.iter().enumerate() {
                d.add_line(group, k, i, link.line_quantity(quantity * link.share));
            }
        }
        Sourcing::Failover { after_days } => {
            let link = usize::from(state.primary_down(t, after_days));
            d.add_line(group, k, link, setup.links[link].line_quantity(quantity));
        }
    }
}
