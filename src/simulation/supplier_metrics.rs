//! Figures of suppliers and budgets: what a supplier shared among the items bought from it,
//! and how much of a budget the orders used. Counted by the engine's coupled path
//! (`engine::coupled`), for the suppliers whose items are simulated together and for every
//! budget; a run's counts become the figures here, and streaming accumulators keep their
//! distribution over runs like the items' metrics.

use crate::foundation::stats::RunningStat;

/// What one supplier did in one run under one policy, over the measured days.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SupplierCounters {
    /// Units shipped.
    pub shipped_units: f64,
    /// Their value (units × price paid).
    pub shipped_value: f64,
    /// Capacity the supplier had, summed over the days (outages and cuts included): in units,
    /// or in value for a capacity in value; 0 when its capacity is unlimited.
    pub capacity: f64,
    /// What the shipments used of it, in the same measure.
    pub capacity_used: f64,
    /// Units waiting in the supplier's queue at the end of each day, summed over the days.
    pub backlog_unit_days: f64,
    /// Units shipped × the days each waited in the queue (dispatch day − order day).
    pub wait_unit_days: f64,
    /// Days on which the supplier could ship (not in an outage) and its capacity left units
    /// waiting: days on which the allocation cut some item's order.
    pub cut_days: f64,
    /// Orders placed with the supplier (all lines of a day are one order, one delivery).
    pub deliveries: f64,
    /// Their value.
    pub ordered_value: f64,
    /// Orders raised to reach the value minimum, by topping other items up or raising lines.
    pub joint_top_ups: f64,
}

/// What one budget saw in one run under one policy, over the measured days.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BudgetCounters {
    /// Value ordered against the budget.
    pub spent: f64,
    /// The budget available over the measured days: its amount for each period with a
    /// measured day (a period only partly measured counts in full).
    pub available: f64,
    /// Days on which an order line was held back or trimmed by the budget.
    pub bound_days: f64,
}

/// A figure of a supplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SupplierMetric {
    /// Share of the capacity the shipments used (undefined for an unlimited capacity).
    CapacityUtilisation,
    /// Mean units waiting in the queue at the end of a day.
    BacklogUnits,
    /// Mean days a shipped unit waited in the queue (undefined when nothing shipped).
    BacklogDays,
    /// Days per year on which the capacity left orders waiting.
    AllocationCutDays,
    /// Mean value of an order (undefined without orders).
    ValuePerDelivery,
    /// Orders placed per year.
    DeliveriesPerYear,
}

/// Every supplier figure, in output order.
pub const SUPPLIER_METRICS: [SupplierMetric; 6] = [
    SupplierMetric::CapacityUtilisation,
    SupplierMetric::BacklogUnits,
    SupplierMetric::BacklogDays,
    SupplierMetric::AllocationCutDays,
    SupplierMetric::ValuePerDelivery,
    SupplierMetric::DeliveriesPerYear,
];

impl SupplierMetric {
    /// The name in the files.
    pub fn name(self) -> &'static str {
        match self {
            SupplierMetric::CapacityUtilisation => "capacity_utilisation",
            SupplierMetric::BacklogUnits => "backlog_units",
            SupplierMetric::BacklogDays => "backlog_days",
            SupplierMetric::AllocationCutDays => "allocation_cut_days_per_year",
            SupplierMetric::ValuePerDelivery => "value_per_delivery",
            SupplierMetric::DeliveriesPerYear => "deliveries_per_year",
        }
    }

    /// Its value in one run of `measured_days` days; `None` where undefined.
    pub fn value(self, c: &SupplierCounters, measured_days: f64) -> Option<f64> {
        let per_year = |x: f64| x * 365.0 / measured_days;
        match self {
            SupplierMetric::CapacityUtilisation => {
                (c.capacity > 0.0).then(|| (c.capacity_used / c.capacity).min(1.0))
            }
            SupplierMetric::BacklogUnits => Some(c.backlog_unit_days / measured_days),
            SupplierMetric::BacklogDays => {
                (c.shipped_units > 0.0).then(|| c.wait_unit_days / c.shipped_units)
            }
            SupplierMetric::AllocationCutDays => Some(per_year(c.cut_days)),
            SupplierMetric::ValuePerDelivery => {
                (c.deliveries > 0.0).then(|| c.ordered_value / c.deliveries)
            }
            SupplierMetric::DeliveriesPerYear => Some(per_year(c.deliveries)),
        }
    }
}

/// A figure of a budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetMetric {
    /// Share of the budget of the measured periods that orders used (at most 1).
    BudgetUsed,
    /// Days per year on which the budget held back or trimmed an order.
    BudgetBoundDays,
}

/// Every budget figure, in output order.
pub const BUDGET_METRICS: [BudgetMetric; 2] =
    [BudgetMetric::BudgetUsed, BudgetMetric::BudgetBoundDays];

impl BudgetMetric {
    /// The name in the files.
    pub fn name(self) -> &'static str {
        match self {
            BudgetMetric::BudgetUsed => "budget_used",
            BudgetMetric::BudgetBoundDays => "budget_bound_days_per_year",
        }
    }

    /// Its value in one run of `measured_days` days.
    pub fn value(self, c: &BudgetCounters, measured_days: f64) -> Option<f64> {
        match self {
            BudgetMetric::BudgetUsed => (c.available > 0.0).then(|| c.spent / c.available),
            BudgetMetric::BudgetBoundDays => Some(c.bound_days * 365.0 / measured_days),
        }
    }
}

/// A kind of figure kept per supplier or per budget: each run's counts become its value.
pub trait Figure: Copy + PartialEq + 'static {
    /// What a run counts.
    type Counts;
    /// Every figure of the kind, in output order.
    const ALL: &'static [Self];
    /// Its value in one run of `measured_days` days; `None` where undefined.
    fn value(self, counts: &Self::Counts, measured_days: f64) -> Option<f64>;
    /// Whether it is a share (from 0 to 1), whose percentiles are sketched by their distance
    /// to the nearer of 0 and 1.
    fn is_share(self) -> bool;
}

impl Figure for SupplierMetric {
    type Counts = SupplierCounters;
    const ALL: &'static [Self] = &SUPPLIER_METRICS;
    fn value(self, counts: &SupplierCounters, measured_days: f64) -> Option<f64> {
        SupplierMetric::value(self, counts, measured_days)
    }
    fn is_share(self) -> bool {
        self == SupplierMetric::CapacityUtilisation
    }
}

impl Figure for BudgetMetric {
    type Counts = BudgetCounters;
    const ALL: &'static [Self] = &BUDGET_METRICS;
    fn value(self, counts: &BudgetCounters, measured_days: f64) -> Option<f64> {
        BudgetMetric::value(self, counts, measured_days)
    }
    fn is_share(self) -> bool {
        self == BudgetMetric::BudgetUsed
    }
}

/// Accumulators of one supplier's or budget's figures over runs, in the order of
/// [`Figure::ALL`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(bound = "")]
pub struct FigureStats<F> {
    /// One per figure.
    pub stats: Vec<RunningStat>,
    figures: std::marker::PhantomData<F>,
}

/// A supplier's figures over runs.
pub type SupplierStats = FigureStats<SupplierMetric>;
/// A budget's figures over runs.
pub type BudgetStats = FigureStats<BudgetMetric>;

impl<F: Figure> FigureStats<F> {
    pub(crate) fn new() -> Self {
        Self::from_stats(
            F::ALL
                .iter()
                .map(|f| {
                    if f.is_share() {
                        RunningStat::for_share()
                    } else {
                        RunningStat::new()
                    }
                })
                .collect(),
        )
    }

    /// Accumulators already filled, one per figure in the order of [`Figure::ALL`].
    pub fn from_stats(stats: Vec<RunningStat>) -> Self {
        FigureStats {
            stats,
            figures: std::marker::PhantomData,
        }
    }

    /// Record one run's counts.
    pub(crate) fn push(&mut self, counts: &F::Counts, measured_days: f64) {
        for (stat, figure) in self.stats.iter_mut().zip(F::ALL) {
            if let Some(v) = figure.value(counts, measured_days) {
                stat.push(v);
            }
        }
    }

    /// The accumulator of `figure`.
    pub fn get(&self, figure: F) -> &RunningStat {
        let k = F::ALL.iter().position(|&f| f == figure).unwrap_or(0);
        &self.stats[k]
    }

    /// Whether any run was counted (only suppliers whose items are simulated together are).
    pub fn counted(&self) -> bool {
        self.stats.iter().any(|s| s.count() > 0)
    }

    pub(crate) fn merge(&mut self, other: &Self) {
        for (a, b) in self.stats.iter_mut().zip(&other.stats) {
            a.merge(b);
        }
    }
}
