//! Metrics: what one run of one item under one policy amounted to, and how runs are summarised.
//!
//! The engine counts units and days ([`ItemCounters`]); this module prices them
//! ([`RunTotals`]), derives every reported figure from the totals ([`Metric::value`]) and
//! aggregates the figures over runs in streaming accumulators ([`PolicyStats`]), whose memory
//! does not depend on the number of runs. The README's "Metrics" section defines each figure;
//! keep the two in step.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::foundation::date::MONTH_NAMES;
use crate::foundation::math::min_fast;
use crate::foundation::stats::{
    Estimate, LevelCounts, MeanEstimate, MeanStats, RunningStat, level_key,
};
use crate::model::disruption::Spell;
use crate::model::policy::ItemPolicy;
use crate::model::scenario::{Item, Scenario};
pub use crate::simulation::supplier_metrics::{
    BudgetCounters, BudgetMetric, BudgetStats, SupplierCounters, SupplierMetric, SupplierStats,
};
use crate::simulation::supply_paths::SupplyPaths;

pub use crate::model::metric::{METRICS, Metric};

/// Units and days counted by the engine for one item over the measured days of one run.
/// Flows (demand, orders) are totals; levels (on hand, backorders, pipeline) are sums of
/// end-of-day values, i.e. unit-days.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ItemCounters {
    /// Units demanded.
    pub demand: f64,
    /// Demand served from stock on the day it arose.
    pub served: f64,
    /// Demand not served from stock on the day it arose (lost or backordered).
    pub short: f64,
    /// Units of lost sales (0 when unmet demand is backordered).
    pub lost: f64,
    pub(crate) backordered: f64,
    /// Units handed to customers: served at once, or later from a backorder.
    pub(crate) delivered: f64,
    /// Days on which some demand went unserved from stock.
    pub stockout_days: f64,
    pub(crate) backorder_unit_days: f64,
    /// End-of-day stock on hand (shelf and strategic reserve), summed over the days: divided by
    /// the measured days it is the average stock on hand.
    pub on_hand_unit_days: f64,
    pub(crate) pipeline_unit_days: f64,
    /// Replenishment cycles closed by a receipt, and those of them that had a stockout.
    pub cycles: f64,
    pub(crate) stockout_cycles: f64,
    /// Order lines placed (one per supplier an order goes to).
    pub(crate) order_lines: f64,
    /// Shipments received, and those received by the promised day.
    pub(crate) shipments: f64,
    pub(crate) on_time_shipments: f64,
    /// Units rejected at receiving inspection.
    pub rejected: f64,
    /// Units of orders cancelled by a supplier during an outage.
    pub cancelled: f64,
    /// Units ordered by expediting.
    pub expedited: f64,
    /// Units on the shelf written off when their shelf life ended.
    pub expired: f64,
    /// Extra paid for units bought from suppliers with a unit cost premium (money).
    pub(crate) purchase_premium: f64,
    /// The item's share of the delivery costs of the orders its lines were on (money).
    pub(crate) delivery_cost: f64,
    /// Days to recover from disruption events, summed, and the number of events.
    pub(crate) recovery_days: f64,
    pub(crate) recovery_events: f64,
}

/// One run's totals, priced, for one item or for all items of a policy together.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunTotals {
    /// Calendar days measured (not summed over items).
    pub(crate) measured_days: f64,
    /// Measured days summed over the items added together: the denominator of
    /// [`Metric::StockoutDayRate`].
    pub item_days: f64,
    /// The units and days counted, summed over the items added together.
    pub units: ItemCounters,
    pub(crate) demand_value: f64,
    pub(crate) served_value: f64,
    pub(crate) delivered_value: f64,
    pub(crate) on_hand_value_days: f64,
    /// Cost of holding the stock on hand over the measured days (value on hand × carrying
    /// rate, pro rata per day); not annualised, unlike [`Metric::CarryingCost`].
    pub carrying_cost: f64,
    /// Order lines placed × the item's order cost, over the measured days.
    pub ordering_cost: f64,
    /// Units not served from stock when demanded × the item's stockout penalty, over the
    /// measured days.
    pub stockout_cost: f64,
    pub(crate) expedite_cost: f64,
    pub(crate) purchase_premium: f64,
    /// Units written off at the end of their shelf life × unit cost, over the measured days.
    pub(crate) expiry_cost: f64,
    /// Value stock on hand lost to obsolescence (on-hand value × obsolescence rate, pro rata
    /// per day), over the measured days.
    pub(crate) obsolescence_cost: f64,
}

impl RunTotals {
    /// Price one item's counters.
    pub(crate) fn for_item(
        c: &ItemCounters,
        item: &Item,
        policy: &ItemPolicy,
        measured_days: f64,
    ) -> RunTotals {
        let cost = item.unit_cost;
        let expedite_rate = policy.expedite.map_or(0.0, |e| e.premium_rate);
        RunTotals {
            measured_days,
            item_days: measured_days,
            units: *c,
            demand_value: c.demand * cost,
            served_value: c.served * cost,
            delivered_value: c.delivered * cost,
            on_hand_value_days: c.on_hand_unit_days * cost,
            carrying_cost: c.on_hand_unit_days * cost * item.carrying_rate / 365.0,
            // Adding a zero share changes no bit of the per-line cost.
            ordering_cost: c.order_lines * item.order_cost + c.delivery_cost,
            stockout_cost: c.short * item.stockout_penalty,
            expedite_cost: c.expedited * cost * expedite_rate,
            purchase_premium: c.purchase_premium,
            expiry_cost: c.expired * cost,
            obsolescence_cost: c.on_hand_unit_days * cost * item.obsolescence_rate / 365.0,
        }
    }

    /// Add another item's totals of the same run.
    pub(crate) fn add(&mut self, o: &RunTotals) {
        self.measured_days = o.measured_days;
        self.item_days += o.item_days;
        let (u, v) = (&mut self.units, &o.units);
        u.demand += v.demand;
        u.served += v.served;
        u.short += v.short;
        u.lost += v.lost;
        u.backordered += v.backordered;
        u.delivered += v.delivered;
        u.stockout_days += v.stockout_days;
        u.backorder_unit_days += v.backorder_unit_days;
        u.on_hand_unit_days += v.on_hand_unit_days;
        u.pipeline_unit_days += v.pipeline_unit_days;
        u.cycles += v.cycles;
        u.stockout_cycles += v.stockout_cycles;
        u.order_lines += v.order_lines;
        u.shipments += v.shipments;
        u.on_time_shipments += v.on_time_shipments;
        u.rejected += v.rejected;
        u.cancelled += v.cancelled;
        u.expedited += v.expedited;
        u.expired += v.expired;
        u.purchase_premium += v.purchase_premium;
        u.delivery_cost += v.delivery_cost;
        u.recovery_days += v.recovery_days;
        u.recovery_events += v.recovery_events;
        self.demand_value += o.demand_value;
        self.served_value += o.served_value;
        self.delivered_value += o.delivered_value;
        self.on_hand_value_days += o.on_hand_value_days;
        self.carrying_cost += o.carrying_cost;
        self.ordering_cost += o.ordering_cost;
        self.stockout_cost += o.stockout_cost;
        self.expedite_cost += o.expedite_cost;
        self.purchase_premium += o.purchase_premium;
        self.expiry_cost += o.expiry_cost;
        self.obsolescence_cost += o.obsolescence_cost;
    }

    fn total_cost(&self) -> f64 {
        self.carrying_cost
            + self.ordering_cost
            + self.stockout_cost
            + self.expedite_cost
            + self.purchase_premium
            + self.expiry_cost
            + self.obsolescence_cost
    }

    fn per_year(&self, amount: f64) -> f64 {
        amount * 365.0 / self.measured_days
    }
}

impl Metric {
    /// An empty accumulator for the metric's values over runs: a share's
    /// ([`Metric::is_share`]) or a value's.
    pub(crate) fn running_stat(self) -> RunningStat {
        if self.is_share() {
            RunningStat::for_share()
        } else {
            RunningStat::new()
        }
    }

    /// Position in the output order (the order of the variants): where the metric's
    /// accumulator sits in [`MetricStats`] and [`PairedStats`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The metric's value for one run, or `None` where it is undefined in that run (a fill
    /// rate without demand, an on-time rate without shipments). Ratios over several items are
    /// weighted by value, so that items counted in different units can be added.
    pub fn value(self, t: &RunTotals) -> Option<f64> {
        let u = &t.units;
        let ratio = |num: f64, den: f64| (den > 0.0).then(|| num / den);
        match self {
            Metric::FillRate => ratio(t.served_value, t.demand_value),
            Metric::StockoutRate => ratio(t.served_value, t.demand_value).map(|f| 1.0 - f),
            Metric::StockoutDayRate => ratio(u.stockout_days, t.item_days),
            Metric::CycleServiceLevel => ratio(u.cycles - u.stockout_cycles, u.cycles),
            Metric::LostUnits => Some(u.lost),
            Metric::BackorderedUnits => Some(u.backordered),
            Metric::AvgBackorderLevel => Some(u.backorder_unit_days / t.measured_days),
            Metric::AvgOnHandUnits => Some(u.on_hand_unit_days / t.measured_days),
            Metric::AvgOnHandValue => Some(t.on_hand_value_days / t.measured_days),
            Metric::AvgPipelineUnits => Some(u.pipeline_unit_days / t.measured_days),
            Metric::DaysOfSupply => ratio(t.on_hand_value_days, t.demand_value),
            Metric::InventoryTurns => ratio(
                t.per_year(t.delivered_value),
                t.on_hand_value_days / t.measured_days,
            ),
            Metric::CarryingCost => Some(t.per_year(t.carrying_cost)),
            Metric::OrderingCost => Some(t.per_year(t.ordering_cost)),
            Metric::StockoutCost => Some(t.per_year(t.stockout_cost)),
            Metric::TotalCost => Some(t.per_year(t.total_cost())),
            Metric::OrdersPerYear => Some(t.per_year(u.order_lines)),
            Metric::SupplierOnTimeRate => ratio(u.on_time_shipments, u.shipments),
            Metric::ExpediteCost => Some(t.per_year(t.expedite_cost)),
            Metric::PurchasePremiumCost => Some(t.per_year(t.purchase_premium)),
            Metric::ExpeditedUnits => Some(u.expedited),
            Metric::RejectedUnits => Some(u.rejected),
            Metric::CancelledUnits => Some(u.cancelled),
            Metric::ExpiredUnits => Some(u.expired),
            Metric::ExpiryCost => Some(t.per_year(t.expiry_cost)),
            Metric::ObsolescenceCost => Some(t.per_year(t.obsolescence_cost)),
            Metric::TimeToRecover => ratio(u.recovery_days, u.recovery_events),
        }
    }
}

/// Streaming accumulators for every metric of one item (or of all items together).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MetricStats {
    stats: Vec<RunningStat>,
}

impl MetricStats {
    /// Empty accumulators, one per metric, shares and amounts each of their kind
    /// ([`Metric::running_stat`]).
    pub fn new() -> Self {
        MetricStats {
            stats: METRICS.iter().map(|m| m.running_stat()).collect(),
        }
    }

    /// Records one run: every metric defined in it gets its value.
    pub fn push(&mut self, totals: &RunTotals) {
        // Every metric's value first, in straight-line code: looking each up in the loop
        // below would jump through a table of metrics, an indirect branch the processor
        // mispredicts about once a run in every four metrics.
        let values = METRICS.map(|metric| metric.value(totals));
        for (value, stat) in values.into_iter().zip(&mut self.stats) {
            if let Some(v) = value {
                stat.push(v);
            }
        }
    }

    /// Folds in the accumulators of other runs (merge in a fixed order for reproducible bits).
    pub fn merge(&mut self, other: &MetricStats) {
        for (a, b) in self.stats.iter_mut().zip(&other.stats) {
            a.merge(b);
        }
    }

    /// The accumulator of one metric.
    pub fn get(&self, metric: Metric) -> &RunningStat {
        &self.stats[metric.index()]
    }

    /// Every metric that was defined in at least one run, in output order.
    pub(crate) fn estimates(&self) -> IndexMap<&'static str, Estimate> {
        METRICS
            .iter()
            .filter_map(|m| self.get(*m).estimate().map(|e| (m.name(), e)))
            .collect()
    }
}

/// Most days an on-hand fan chart samples: every day of a half-year horizon, every second day
/// of a year, and so on. Enough for a smooth chart; fewer points keep its cost per run small.
pub(crate) const FAN_MAX_POINTS: usize = 183;

/// Most items with an on-hand fan of their own (in units), the first ones in scenario order:
/// each costs its policy a fan's memory (about a megabyte of counts once runs are counted), so
/// a scenario of hundreds of items does not hold hundreds of them.
pub const ITEM_FANS: usize = 12;

/// Most days an item's own fan samples: about weekly over a year (every day of a horizon of
/// up to 53 measured days, every second day up to 106, and so on). Fewer points than the
/// policy's fan keep the items' memory and the cost per run small.
pub const ITEM_FAN_MAX_POINTS: usize = 53;

/// What the on-hand fan chart samples: which days, and how items add up.
///
/// With one item the fan is in units; with several, units of different items do not add, so
/// it is the value on hand (units × unit cost) summed over items, and the first
/// [`ITEM_FANS`] items have a fan of their own in units, over fewer days
/// ([`ITEM_FAN_MAX_POINTS`]). A single item has none: the policy's fan is the item's.
#[derive(Clone, Debug, PartialEq)]
pub struct FanLayout {
    /// Days of the horizon sampled, evenly spaced over the measured days: every `stride`-th
    /// day from the first measured day.
    pub days: Vec<usize>,
    stride: usize,
    /// Per item, what one unit on hand counts for.
    pub(crate) weights: Vec<f64>,
    pub(crate) in_units: bool,
    /// Whether every sampled level is a whole number (one item in whole units).
    pub(crate) whole_units: bool,
    /// Days of the horizon the items' own fans sample, evenly spaced over the measured days
    /// from the first; empty with a single item.
    pub item_days: Vec<usize>,
    /// Per item with a fan of its own (the first [`ITEM_FANS`] of several), whether it counts
    /// whole units.
    pub(crate) item_whole_units: Vec<bool>,
}

impl FanLayout {
    /// The fan's days and item weights for a scenario: at most 183 days, evenly spaced over
    /// the measured days.
    pub fn new(scenario: &Scenario) -> FanLayout {
        let (first, end) = (
            scenario.warmup_days as usize,
            scenario.horizon_days as usize,
        );
        let stride = (end - first).div_ceil(FAN_MAX_POINTS).max(1);
        let in_units = scenario.items.len() == 1;
        let fanned: &[Item] = if in_units {
            &[]
        } else {
            &scenario.items[..scenario.items.len().min(ITEM_FANS)]
        };
        let item_stride = (end - first).div_ceil(ITEM_FAN_MAX_POINTS).max(1);
        FanLayout {
            days: (first..end).step_by(stride).collect(),
            stride,
            weights: scenario
                .items
                .iter()
                .map(|item| if in_units { 1.0 } else { item.unit_cost })
                .collect(),
            in_units,
            whole_units: in_units && scenario.items[0].whole_units(),
            item_days: if fanned.is_empty() {
                Vec::new()
            } else {
                (first..end).step_by(item_stride).collect()
            },
            item_whole_units: fanned.iter().map(Item::whole_units).collect(),
        }
    }

    /// How many items have a fan of their own: none with a single item, else the first
    /// [`ITEM_FANS`].
    pub fn item_fans(&self) -> usize {
        self.item_whole_units.len()
    }

    /// Note one item's end-of-day levels in `N` runs stepped together (`levels[t * N + lane]`,
    /// day by day and lane by lane; `N` = 1 for one run) in its policy's accumulators `stats`.
    /// With a single item, its levels are the fan's values: their keys go straight into the
    /// policy's fan. With several, each run's `paths` entry sums the items' weighted levels on
    /// the fan's days (the levels of the item that is `first` in its block of items replace the
    /// path's, each further item's add to them); the run then hands its path to the fan once
    /// all items are in ([`FanLayout::sums_items`]); and an item with a fan of its own notes its
    /// levels' keys there, as a single item's go into the policy's.
    #[inline]
    pub(crate) fn note_item<const N: usize>(
        &self,
        (item, first): (usize, bool),
        levels: &[f64],
        stats: &mut PolicyStats,
        paths: [&mut [f64]; N],
    ) {
        if self.in_units {
            stats.on_hand.push_lanes::<N>(&self.days, levels);
        } else {
            self.add_weighted((item, first), levels, paths);
            if let Some(fan) = stats.item_on_hand.get_mut(item) {
                fan.push_lanes::<N>(&self.item_days, levels);
            }
        }
    }

    /// Whether runs sum their items' levels in a path of their own, to be pushed to the fan
    /// at the end of the run (several items), rather than noting them at once (one item).
    pub(crate) fn sums_items(&self) -> bool {
        !self.in_units
    }

    /// Add item `item`'s weighted levels of `N` runs on the fan's days into each run's path
    /// (replace the path's, if the item `starts` the sum), read in the order the levels are
    /// kept.
    #[inline]
    fn add_weighted<const N: usize>(
        &self,
        (item, starts): (usize, bool),
        levels: &[f64],
        mut paths: [&mut [f64]; N],
    ) {
        let weight = self.weights[item];
        let first = self.days.first().copied().unwrap_or(0);
        for k in 0..self.days.len() {
            // Indexed rather than through `step_by`, which the compiler steps less cheaply.
            let day = &levels[(first + k * self.stride) * N..][..N];
            for (path, &level) in paths.iter_mut().zip(day) {
                let value = level * weight;
                if starts {
                    path[k] = value;
                } else {
                    path[k] += value;
                }
            }
        }
    }
}

/// The calendar months of the measured days, for the figures by month: which months the
/// measured days fall in, and the stretches of days of each.
///
/// Months are calendar months of the year (January to December) on the scenario's calendar
/// (`start_date`, or the 365-day year from `start_day_of_year`), pooled over the years of a
/// horizon longer than a year: the Januaries of a two-year horizon make one month. They are
/// listed in the order the measured days first reach them, from the first measured day's month.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthLayout {
    /// Each month's number (0 = January), in the order the measured days reach them.
    pub months: Vec<usize>,
    /// Stretches of consecutive measured days within one month, in day order, each with its
    /// month's place in `months`.
    spans: Vec<(std::ops::Range<usize>, usize)>,
    /// Per item, what one unit counts for: its unit cost, as the figures of all items weigh
    /// items by value.
    weights: Vec<f64>,
}

/// An item-run's running sums over its measured days at the end of one of the months'
/// stretches, for `N` runs stepped together: demand, demand served from stock (and the
/// reserve), and end-of-day stock on hand (with the reserve) summed over days, each run's in
/// its lane. A stretch's figures are the differences of its marks and the last stretch's.
pub(crate) type MonthMark<const N: usize> = [[f64; N]; 3];

/// One run's units of one calendar month, valued and summed over a policy's items: what the
/// month's figures are made of.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct MonthSums {
    pub(crate) demand_value: f64,
    pub(crate) served_value: f64,
    pub(crate) on_hand_value_days: f64,
}

impl MonthSums {
    /// Add the same run's month of other items.
    pub(crate) fn add(&mut self, other: &MonthSums) {
        self.demand_value += other.demand_value;
        self.served_value += other.served_value;
        self.on_hand_value_days += other.on_hand_value_days;
    }
}

impl MonthLayout {
    /// The months of a scenario's measured days.
    pub fn new(scenario: &Scenario) -> MonthLayout {
        let calendar = scenario.calendar();
        let (first, end) = (
            scenario.warmup_days as usize,
            scenario.horizon_days as usize,
        );
        let mut months: Vec<usize> = Vec::new();
        let mut spans: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
        for t in first..end {
            let month = calendar.month(t as u32) % 12;
            let slot = months.iter().position(|&m| m == month).unwrap_or_else(|| {
                months.push(month);
                months.len() - 1
            });
            match spans.last_mut() {
                Some((days, last)) if *last == slot && days.end == t => days.end = t + 1,
                _ => spans.push((t..t + 1, slot)),
            }
        }
        MonthLayout {
            months,
            spans,
            weights: scenario.items.iter().map(|item| item.unit_cost).collect(),
        }
    }

    /// The three-letter names of the months, in the layout's order.
    pub fn labels(&self) -> Vec<&'static str> {
        self.months.iter().map(|&m| MONTH_NAMES[m]).collect()
    }

    /// How many stretches of consecutive measured days within one month there are.
    pub(crate) fn spans(&self) -> usize {
        self.spans.len()
    }

    /// Where each stretch of consecutive measured days within one month ends, in day order:
    /// the daily loop notes its running sums there ([`MonthMark`]).
    pub(crate) fn span_ends(&self) -> Vec<usize> {
        self.spans.iter().map(|(days, _)| days.end).collect()
    }

    /// Add item `item`'s valued demand, served demand and stock on hand of `N` runs stepped
    /// together (`N` = 1 for one run) into each run's month sums. `marks` are the item-run's
    /// running sums at the end of each stretch ([`MonthLayout::span_ends`]): a stretch's sums
    /// are the difference of its mark and the one before (zero before the first), valued and
    /// added to its month. The same operations for a run however it was stepped, so the lanes
    /// give the bits of runs one at a time. In whole units the differences are exact, so they
    /// are the stretch's days summed from zero; in fractional units they may differ from that
    /// in the last bits.
    #[inline]
    pub(crate) fn note_item<const N: usize>(
        &self,
        item: usize,
        marks: &[MonthMark<N>],
        mut sums: [&mut [MonthSums]; N],
    ) {
        let weight = self.weights[item];
        let mut before: MonthMark<N> = [[0.0; N]; 3];
        for ((_, slot), mark) in self.spans.iter().zip(marks) {
            for (l, run) in sums.iter_mut().enumerate() {
                let month = &mut run[*slot];
                month.demand_value += (mark[0][l] - before[0][l]) * weight;
                month.served_value += (mark[1][l] - before[1][l]) * weight;
                month.on_hand_value_days += (mark[2][l] - before[2][l]) * weight;
            }
            before = *mark;
        }
    }
}

/// A policy's figures by calendar month over runs ([`MonthLayout`]): per month, the stockout
/// rate, fill rate and days of supply of all items together, each defined as the whole
/// horizon's figure is, over the month's measured days only.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MonthStats {
    /// Per month of the layout: stockout rate, fill rate, days of supply, defined in the same
    /// runs and so counted together.
    pub(crate) months: Vec<MeanStats<3>>,
}

/// The figures by month, in the order of [`MonthStats`]' accumulators.
pub const MONTH_METRICS: [Metric; 3] =
    [Metric::StockoutRate, Metric::FillRate, Metric::DaysOfSupply];

impl MonthStats {
    /// Empty accumulators for `months` months.
    pub fn new(months: usize) -> Self {
        MonthStats {
            months: vec![MeanStats::default(); months],
        }
    }

    /// Record one run's month sums. A month without demand in the run leaves its figures
    /// undefined in that run, as the whole horizon's fill rate is without demand.
    pub(crate) fn push(&mut self, sums: &[MonthSums]) {
        for (stats, m) in self.months.iter_mut().zip(sums) {
            if m.demand_value > 0.0 {
                // At most 1: a month's served demand is its stretches' differences of running
                // sums, which in fractional units may round above its demand by a few ulps.
                let fill = min_fast(m.served_value / m.demand_value, 1.0);
                stats.push([1.0 - fill, fill, m.on_hand_value_days / m.demand_value]);
            }
        }
    }

    /// Folds in the accumulators of other runs (merge in a fixed order for reproducible bits).
    pub fn merge(&mut self, other: &MonthStats) {
        for (a, b) in self.months.iter_mut().zip(&other.months) {
            a.merge(b);
        }
    }

    /// Month `slot`'s estimates of [`MONTH_METRICS`], each `None` where it was undefined in
    /// every run.
    pub fn estimates(&self, slot: usize) -> [Option<MeanEstimate>; 3] {
        let stats = &self.months[slot];
        std::array::from_fn(|k| stats.figure(k).estimate())
    }
}

/// Distribution over runs of the stock on hand on each day of a [`FanLayout`], in memory that
/// does not grow with the number of runs.
///
/// Runs only note each level's histogram key (`level_key`, a few integer operations), kept
/// day by day: a day's keys sit side by side, so that runs stepped together note theirs in one
/// go and a merge moves a day's keys as one block. The keys are counted into counts per day
/// once 1,024 runs' are in (`PENDING_RUNS`). The counts of all days together are megabytes (each
/// day's span a few thousand counters), more than a core's cache: counted a chunk of runs at a
/// time, each key would fetch a line of counts from memory; counted a day at a time for many
/// runs, that day's counts stay in the cache for all of them. Counts add exactly, so neither
/// when nor in which order keys are counted changes a result.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct OnHandFan {
    points: usize,
    /// Keys noted and not yet counted: day `d` of the `r`-th run at `d * row + r`.
    keys: Vec<u16>,
    /// Runs each day's row has room for: grown by doubling up to [`PENDING_RUNS`].
    row: usize,
    /// Runs whose keys are noted and not yet counted.
    runs: usize,
    /// Counts per day, filled when keys are first counted.
    counts: Vec<LevelCounts>,
}

/// Runs whose keys a fan keeps before counting them: enough for each day's counts to be
/// fetched once for many keys, few enough for the keys to stay in the cache
/// (`PENDING_RUNS` × days × 2 bytes, 366 KiB at the fan's most days).
const PENDING_RUNS: usize = 1024;

impl OnHandFan {
    /// An empty fan over `points` days (the number of days of its [`FanLayout`]).
    pub fn new(points: usize) -> Self {
        OnHandFan {
            points,
            ..Default::default()
        }
    }

    /// Note one run's levels on the fan's days.
    pub fn push(&mut self, path: &[f64]) {
        debug_assert_eq!(path.len(), self.points);
        let run = self.make_room(1);
        for (day, &level) in path.iter().enumerate() {
            self.keys[day * self.row + run] = level_key(level);
        }
    }

    /// Note the levels of `N` runs stepped together, kept day by day and lane by lane
    /// (`levels[t * N + lane]`), on the fan's `days`: with a single item, its levels are the
    /// fan's values; with several, each item's are its own fan's.
    pub(crate) fn push_lanes<const N: usize>(&mut self, days: &[usize], levels: &[f64]) {
        debug_assert_eq!(days.len(), self.points);
        let first = self.make_room(N);
        // Day by day along the rows, each day's `N` keys side by side.
        for (row, &day) in self.keys.chunks_exact_mut(self.row).zip(days) {
            let keys: &mut [u16; N] = (&mut row[first..first + N]).try_into().expect("N keys");
            let levels: &[f64; N] = levels[day * N..][..N].try_into().expect("N levels");
            for (key, &level) in keys.iter_mut().zip(levels) {
                *key = level_key(level);
            }
        }
    }

    /// Take in `other`'s keys and counts. The engine merges a chunk while the other threads go
    /// on simulating, so this runs on one thread.
    pub fn merge(&mut self, other: &OnHandFan) {
        if other.runs > 0 {
            let first = self.make_room(other.runs);
            for day in 0..self.points {
                self.keys[day * self.row + first..][..other.runs]
                    .copy_from_slice(&other.keys[day * other.row..][..other.runs]);
            }
        }
        if !other.counts.is_empty() {
            for (mine, theirs) in self.counts_mut().iter_mut().zip(&other.counts) {
                mine.merge(theirs);
            }
        }
    }

    /// Room for the keys of `runs` more runs (at most [`PENDING_RUNS`]): the rows are grown, or
    /// the keys noted so far counted. Returns the first of the new runs' places in a row.
    fn make_room(&mut self, runs: usize) -> usize {
        debug_assert!(runs <= PENDING_RUNS);
        if self.runs + runs > PENDING_RUNS {
            self.count_pending();
        }
        if self.runs + runs > self.row {
            // At least a chunk's runs (the engine's 64), so that a chunk's fan grows only once.
            let row = (self.runs + runs)
                .next_power_of_two()
                .clamp(64, PENDING_RUNS);
            let mut keys = vec![0; self.points * row];
            for day in 0..self.points {
                keys[day * row..][..self.runs]
                    .copy_from_slice(&self.keys[day * self.row..][..self.runs]);
            }
            self.keys = keys;
            self.row = row;
        }
        let first = self.runs;
        self.runs += runs;
        first
    }

    /// Count the keys noted so far.
    pub(crate) fn count_pending(&mut self) {
        if self.runs == 0 {
            return;
        }
        self.counts_mut();
        for (day, counts) in self.counts.iter_mut().enumerate() {
            counts.add_keys(&self.keys[day * self.row..][..self.runs]);
        }
        self.runs = 0;
    }

    fn counts_mut(&mut self) -> &mut [LevelCounts] {
        if self.counts.is_empty() {
            self.counts = vec![LevelCounts::default(); self.points];
        }
        &mut self.counts
    }

    /// For each day of the fan, the `qs` quantiles (ascending) over runs of its level (no
    /// days if no run was noted).
    ///
    /// The keys not yet counted are counted with a copy of one day's counts at a time, never
    /// into counts for every day: counted whole, the fans of a catalogue's twenty policies took
    /// 180 MB at 64 runs (each day's counts span the range of levels seen, with room to grow),
    /// where their keys take 2 MB (issue 24, item 1). Counts add exactly, so the quantiles are
    /// the same either way.
    pub(crate) fn quantiles(&self, qs: &[f64], whole_units: bool) -> Vec<Vec<f64>> {
        if self.runs == 0 {
            return self
                .counts
                .iter()
                .map(|day| day.quantiles(qs, whole_units))
                .collect();
        }
        (0..self.points)
            .map(|day| {
                let mut counts = self.counts.get(day).cloned().unwrap_or_default();
                counts.add_keys(&self.keys[day * self.row..][..self.runs]);
                counts.quantiles(qs, whole_units)
            })
            .collect()
    }
}

/// Accumulators of one policy: per item, and for all items together.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PolicyStats {
    /// Per item, in the scenario's order.
    pub items: Vec<MetricStats>,
    /// All items together: unit counts summed, ratios weighted by value.
    pub all: MetricStats,
    /// Distribution over runs of the stock on hand on each day of the [`FanLayout`].
    pub on_hand: OnHandFan,
    /// Per item with a fan of its own ([`FanLayout::item_fans`]), in scenario order: the
    /// distribution over runs of its units on hand on the layout's item days.
    pub item_on_hand: Vec<OnHandFan>,
    /// Stockout rate (all items) of runs with at least one disruption event, and without.
    pub(crate) stockout_disrupted: RunningStat,
    pub(crate) stockout_undisrupted: RunningStat,
    /// Per disruption, the stockout rate (all items) of runs in which it had an event, and of
    /// runs in which it had none: which disruption the policy is most exposed to.
    pub(crate) by_disruption: Vec<[RunningStat; 2]>,
    /// Per supplier, in the scenario's order: its figures over runs (counted for suppliers
    /// whose items are simulated together, [`crate::model::supply::Supplier::couples`]).
    pub suppliers: Vec<SupplierStats>,
    /// Per budget, in the scenario's order.
    pub budgets: Vec<BudgetStats>,
    /// The figures of all items by calendar month ([`MonthLayout`]).
    pub by_month: MonthStats,
}

impl PolicyStats {
    /// Empty accumulators for `items` items, `disruptions` disruptions and the fans of `fan`.
    pub fn new(items: usize, disruptions: usize, fan: &FanLayout) -> Self {
        Self::with_suppliers(items, disruptions, fan, 0, 0)
    }

    /// The same accumulators with room for the figures of `months` calendar months.
    pub(crate) fn with_months(mut self, months: usize) -> Self {
        self.by_month = MonthStats::new(months);
        self
    }

    /// Empty accumulators as [`Self::new`], with room for `suppliers` suppliers' and `budgets`
    /// budgets' figures.
    pub fn with_suppliers(
        items: usize,
        disruptions: usize,
        fan: &FanLayout,
        suppliers: usize,
        budgets: usize,
    ) -> Self {
        let stockout = Metric::StockoutRate.running_stat();
        PolicyStats {
            suppliers: vec![SupplierStats::new(); suppliers],
            budgets: vec![BudgetStats::new(); budgets],
            items: vec![MetricStats::new(); items],
            all: MetricStats::new(),
            on_hand: OnHandFan::new(fan.days.len()),
            item_on_hand: vec![OnHandFan::new(fan.item_days.len()); fan.item_fans()],
            stockout_disrupted: Metric::StockoutRate.running_stat(),
            stockout_undisrupted: Metric::StockoutRate.running_stat(),
            by_disruption: vec![[stockout.clone(), stockout]; disruptions],
            by_month: MonthStats::default(),
        }
    }

    /// Record the all-items totals of one run; `struck[k]` tells whether disruption `k` had
    /// an event in its measured days. With a single item (not `several_items`), the
    /// all-items figures are the item's: they are copied once at the end ([`Self::finish`])
    /// instead of being pushed twice per run.
    pub(crate) fn push_all(&mut self, totals: &RunTotals, struck: &[bool], several_items: bool) {
        if several_items {
            self.all.push(totals);
        }
        if let Some(rate) = Metric::StockoutRate.value(totals) {
            if struck.contains(&true) {
                self.stockout_disrupted.push(rate);
            } else {
                self.stockout_undisrupted.push(rate);
            }
            for (stats, &hit) in self.by_disruption.iter_mut().zip(struck) {
                stats[usize::from(!hit)].push(rate);
            }
        }
    }

    /// Record one run's stock on hand on the fan's days.
    pub(crate) fn push_on_hand(&mut self, path: &[f64]) {
        self.on_hand.push(path);
    }

    /// Complete the accumulators once every run is in. The fans' keys not yet counted stay
    /// as they are: [`OnHandFan::quantiles`] counts them a day at a time.
    pub fn finish(&mut self) {
        if let [only] = self.items.as_slice() {
            self.all = only.clone();
        }
    }

    /// Folds in the accumulators of other runs. Merges in any order and grouping give the same
    /// figures ([`crate::foundation::stats`]).
    pub fn merge(&mut self, other: &PolicyStats) {
        for (a, b) in self.items.iter_mut().zip(&other.items) {
            a.merge(b);
        }
        self.merge_catalogue(other);
    }

    /// Folds in the accumulators of other runs of some items only: `other`'s `k`-th item is the
    /// scenario's item `items[k]`.
    pub(crate) fn merge_items(&mut self, other: &PolicyStats, items: &[usize]) {
        debug_assert_eq!(items.len(), other.items.len());
        for (&i, b) in items.iter().zip(&other.items) {
            self.items[i].merge(b);
        }
        self.merge_catalogue(other);
    }

    /// Everything [`Self::merge`] folds in but the items' own figures.
    fn merge_catalogue(&mut self, other: &PolicyStats) {
        self.all.merge(&other.all);
        self.on_hand.merge(&other.on_hand);
        for (a, b) in self.item_on_hand.iter_mut().zip(&other.item_on_hand) {
            a.merge(b);
        }
        self.stockout_disrupted.merge(&other.stockout_disrupted);
        self.stockout_undisrupted.merge(&other.stockout_undisrupted);
        for (a, b) in self.by_disruption.iter_mut().zip(&other.by_disruption) {
            a[0].merge(&b[0]);
            a[1].merge(&b[1]);
        }
        for (a, b) in self.suppliers.iter_mut().zip(&other.suppliers) {
            a.merge(b);
        }
        for (a, b) in self.budgets.iter_mut().zip(&other.budgets) {
            a.merge(b);
        }
        self.by_month.merge(&other.by_month);
    }
}

/// Paired differences against a baseline policy: for each policy and metric, the run-by-run
/// difference `policy − baseline` over runs where both are defined. Under common random
/// numbers the two figures of a run share their demand and disruptions, so the difference
/// varies far less than either figure: its confidence interval is the paired one. A
/// difference of two shares lies between −1 and 1 and crowds around 0, not near a bound, so
/// its percentiles are sketched relative to the value, like an amount's.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PairedStats {
    /// Index of the baseline policy in the scenario's policies.
    pub baseline: usize,
    /// `[policy][metric]`, metrics in output order ([`Metric::index`]); the baseline's own row
    /// stays empty.
    pub differences: Vec<Vec<RunningStat>>,
}

impl PairedStats {
    /// Empty accumulators for `policies` policies against policy number `baseline`.
    pub fn new(baseline: usize, policies: usize) -> Self {
        PairedStats {
            baseline,
            differences: vec![vec![RunningStat::new(); METRICS.len()]; policies],
        }
    }

    /// Record one run, given each policy's all-items totals.
    pub fn push(&mut self, totals: &[RunTotals]) {
        let base = &totals[self.baseline];
        for (p, policy) in totals.iter().enumerate() {
            if p == self.baseline {
                continue;
            }
            for (stat, metric) in self.differences[p].iter_mut().zip(METRICS) {
                if let (Some(a), Some(b)) = (metric.value(policy), metric.value(base)) {
                    stat.push(a - b);
                }
            }
        }
    }

    /// Folds in the differences of other runs (merge in a fixed order for reproducible bits).
    pub fn merge(&mut self, other: &PairedStats) {
        for (mine, theirs) in self.differences.iter_mut().zip(&other.differences) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
    }

    /// The differences `policy − baseline` of one metric over runs.
    pub fn get(&self, policy: usize, metric: Metric) -> &RunningStat {
        &self.differences[policy][metric.index()]
    }
}

/// What the disruptions themselves amounted to, run by run (the same for every policy).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DisruptionStats {
    /// Per disruption: events that touched the measured days, and active measured days.
    pub(crate) events: Vec<RunningStat>,
    pub(crate) active_days: Vec<RunningStat>,
    /// Supplier-days with reduced capacity, delayed transport or drifted lead times.
    pub disrupted_supplier_days: RunningStat,
    /// 1 for a run with at least one event, 0 otherwise: its mean is the share of such runs.
    pub(crate) runs_with_events: RunningStat,
}

impl DisruptionStats {
    /// Empty accumulators for a scenario's `disruptions` disruptions.
    pub fn new(disruptions: usize) -> Self {
        DisruptionStats {
            events: vec![RunningStat::new(); disruptions],
            active_days: vec![RunningStat::new(); disruptions],
            disrupted_supplier_days: RunningStat::new(),
            runs_with_events: RunningStat::new(),
        }
    }

    /// Record one run, and note in `struck` which disruptions had an event in the measured
    /// days.
    pub(crate) fn push_run(
        &mut self,
        scenario: &Scenario,
        spells: &[Vec<Spell>],
        supply: &SupplyPaths<'_>,
        measured: std::ops::Range<usize>,
        struck: &mut [bool],
    ) {
        let mut any = false;
        for (k, events) in spells.iter().enumerate() {
            let (mut count, mut days) = (0usize, 0usize);
            for s in events {
                let (start, end) = (s.start.max(measured.start), s.end.min(measured.end));
                if start < end {
                    count += 1;
                    days += end - start;
                }
            }
            any |= count > 0;
            struck[k] = count > 0;
            self.events[k].push(count as f64);
            self.active_days[k].push(days as f64);
        }
        let supplier_days: usize = (0..scenario.suppliers.len())
            .map(|j| supply.disrupted_days(j, measured.clone()))
            .sum();
        self.disrupted_supplier_days.push(supplier_days as f64);
        self.runs_with_events.push(if any { 1.0 } else { 0.0 });
    }

    /// Folds in the log of other runs (merge in a fixed order for reproducible bits).
    pub fn merge(&mut self, other: &DisruptionStats) {
        for (a, b) in self.events.iter_mut().zip(&other.events) {
            a.merge(b);
        }
        for (a, b) in self.active_days.iter_mut().zip(&other.active_days) {
            a.merge(b);
        }
        self.disrupted_supplier_days
            .merge(&other.disrupted_supplier_days);
        self.runs_with_events.merge(&other.runs_with_events);
    }
}

/// Summary of one metric set, as written to summary.json.
#[derive(Clone, Debug, Serialize)]
pub struct ItemSummary {
    /// The item's id.
    pub item: String,
    /// Estimate of each metric defined in at least one run, keyed by [`Metric::name`], in
    /// output order.
    pub metrics: IndexMap<&'static str, Estimate>,
    /// The item's own on-hand fan in units, for the first [`ITEM_FANS`] items of a scenario
    /// with several (a single item's is its policy's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_hand_fan: Option<OnHandFanSummary>,
}

/// Stock on hand over the horizon across runs: percentiles per sampled day, for the fan
/// charts; a policy's (all items) or an item's.
#[derive(Clone, Debug, Serialize)]
pub struct OnHandFanSummary {
    /// `units` (one item, or an item's own fan) or `value` (a policy's over several items:
    /// units × unit cost, summed).
    pub measure: &'static str,
    /// Days of the horizon sampled (0-based, like scheduled disruption days).
    pub day: Vec<usize>,
    /// 5th percentile over runs of the end-of-day stock on hand (reserve included), one per
    /// entry of `day`, in the unit `measure` names.
    pub p05: Vec<f64>,
    /// 25th percentile, as `p05`.
    pub p25: Vec<f64>,
    /// Median, as `p05`.
    pub p50: Vec<f64>,
    /// 75th percentile, as `p05`.
    pub p75: Vec<f64>,
    /// 95th percentile, as `p05`.
    pub p95: Vec<f64>,
}

impl OnHandFanSummary {
    /// A policy's fan: all items together ([`PolicyStats::on_hand`]).
    pub(crate) fn policy(fan: &FanLayout, levels: &OnHandFan) -> Self {
        let measure = if fan.in_units { "units" } else { "value" };
        Self::from_levels(measure, &fan.days, levels, fan.whole_units)
    }

    /// Item `item`'s own fan, if it has one ([`PolicyStats::item_on_hand`]).
    pub(crate) fn item(fan: &FanLayout, levels: &[OnHandFan], item: usize) -> Option<Self> {
        let whole_units = *fan.item_whole_units.get(item)?;
        Some(Self::from_levels(
            "units",
            &fan.item_days,
            levels.get(item)?,
            whole_units,
        ))
    }

    fn from_levels(
        measure: &'static str,
        days: &[usize],
        levels: &OnHandFan,
        whole_units: bool,
    ) -> Self {
        let quantiles = levels.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95], whole_units);
        let q = |k: usize| quantiles.iter().map(|day| day[k]).collect();
        OnHandFanSummary {
            measure,
            day: days.to_vec(),
            p05: q(0),
            p25: q(1),
            p50: q(2),
            p75: q(3),
            p95: q(4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_weighted_ratios_and_annualised_costs() {
        let mut a = RunTotals {
            measured_days: 182.5,
            item_days: 182.5,
            ..Default::default()
        };
        a.units.demand = 100.0;
        a.units.served = 90.0;
        a.demand_value = 1000.0;
        a.served_value = 900.0;
        a.carrying_cost = 50.0;
        a.on_hand_value_days = 182.5 * 200.0;
        a.units.stockout_days = 5.0;
        let mut b = a;
        b.demand_value = 3000.0;
        b.served_value = 3000.0;
        b.units.stockout_days = 0.0;
        let mut all = a;
        all.add(&b);
        assert_eq!(Metric::FillRate.value(&a), Some(0.9));
        assert_eq!(Metric::FillRate.value(&all), Some(3900.0 / 4000.0));
        assert_eq!(Metric::StockoutDayRate.value(&all), Some(5.0 / 365.0));
        assert_eq!(Metric::CarryingCost.value(&a), Some(100.0));
        assert_eq!(Metric::AvgOnHandValue.value(&all), Some(400.0));
        // 200 of value on hand against 1000/182.5 of demand value a day.
        assert!((Metric::DaysOfSupply.value(&a).unwrap() - 36.5).abs() < 1e-12);
        assert_eq!(Metric::SupplierOnTimeRate.value(&a), None);
    }

    /// Runs merged chunk by chunk (their keys counted PENDING_RUNS runs at a time), merged as
    /// totals of totals, or counted all at once give the same fan.
    #[test]
    fn fan_quantiles_do_not_depend_on_how_runs_were_merged() {
        let points = 5;
        let runs = 2 * PENDING_RUNS + 300;
        let level = |run: usize, day: usize| ((run * 7919 + day * 104_729) % 997) as f64 * 0.5;
        let chunk = |runs: std::ops::Range<usize>| {
            let mut fan = OnHandFan::new(points);
            for run in runs {
                let path: Vec<f64> = (0..points).map(|day| level(run, day)).collect();
                fan.push(&path);
            }
            fan
        };
        let qs = [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0];
        let at_once = chunk(0..runs).quantiles(&qs, false);
        assert_eq!(at_once.len(), points);
        // Chunks of 64 into one total: twice 1,024 runs counted, 300 runs left pending.
        let mut total = OnHandFan::new(points);
        for first in (0..runs).step_by(64) {
            total.merge(&chunk(first..(first + 64).min(runs)));
        }
        assert_eq!(total.runs, 300);
        assert_eq!(total.quantiles(&qs, false), at_once);
        // Two totals with keys pending and counted, merged; then with everything counted.
        let (mut left, mut right) = (OnHandFan::new(points), OnHandFan::new(points));
        left.merge(&chunk(0..1500));
        right.merge(&chunk(1500..runs));
        left.merge(&right);
        assert_eq!(left.quantiles(&qs, false), at_once);
        left.count_pending();
        assert_eq!(left.runs, 0);
        assert_eq!(left.quantiles(&qs, false), at_once);
        // Runs noted four at a time, their levels day by day and lane by lane.
        let days: Vec<usize> = (0..points).collect();
        let mut in_lanes = OnHandFan::new(points);
        for first in (0..runs).step_by(4) {
            let levels: Vec<f64> = (0..points)
                .flat_map(|day| (first..first + 4).map(move |run| level(run, day)))
                .collect();
            in_lanes.push_lanes::<4>(&days, &levels);
        }
        assert_eq!(in_lanes.quantiles(&qs, false), at_once);
        // The exact order statistics, within half a bucket.
        for (day, quantiles) in at_once.iter().enumerate() {
            let mut levels: Vec<f64> = (0..runs).map(|run| level(run, day)).collect();
            levels.sort_by(f64::total_cmp);
            let median = levels[(0.5 * (runs - 1) as f64) as usize];
            assert!((quantiles[3] - median).abs() <= median / 256.0 + 1e-12);
        }
    }

    /// The shares are the metrics defined as a share in [0, 1]; their accumulators sketch
    /// them by the distance to the nearer bound, and so do the resilience summary's stockout
    /// rates; everything else, paired differences included, is sketched relative to the value.
    #[test]
    fn shares_are_the_rates_between_zero_and_one() {
        let shares: Vec<&str> = METRICS
            .iter()
            .filter(|m| m.is_share())
            .map(|m| m.name())
            .collect();
        assert_eq!(
            shares,
            [
                "fill_rate",
                "stockout_rate",
                "stockout_day_rate",
                "cycle_service_level",
                "supplier_on_time_rate"
            ]
        );
        let stats = MetricStats::new();
        for m in METRICS {
            assert_eq!(stats.get(m).is_share(), m.is_share(), "{}", m.name());
        }
        let layout = FanLayout {
            days: vec![0, 1, 2],
            stride: 1,
            weights: vec![1.0, 1.0],
            in_units: false,
            whole_units: false,
            item_days: vec![0, 2],
            item_whole_units: vec![true, true],
        };
        let policy = PolicyStats::new(2, 0, &layout);
        assert_eq!(policy.item_on_hand.len(), 2);
        assert!(policy.stockout_disrupted.is_share() && policy.stockout_undisrupted.is_share());
        assert!(
            policy
                .items
                .iter()
                .all(|i| i.get(Metric::FillRate).is_share())
        );
        let paired = PairedStats::new(0, 2);
        assert!(!paired.get(1, Metric::FillRate).is_share());
    }

    #[test]
    fn names_round_trip() {
        for m in METRICS {
            assert_eq!(Metric::from_name(m.name()), Some(m));
            assert_eq!(METRICS[m.index()], m);
        }
    }
}
