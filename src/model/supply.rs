//! Suppliers: lead times, reliability and order constraints.
//!
//! A supplier receives orders into a queue and ships from it on every day it is able to: at most
//! its capacity for the day, shared by every item bought from it (the [`Allocation`] rule says
//! how when the queue holds more), nothing at all while an outage is active. Orders may have to
//! reach a value together ([`Supplier::min_order_value`]), may be taken only on some days
//! ([`OrderDays`]), and carry a fixed cost shared by their lines.
//! A shipment dispatched on day t arrives after the lead time drawn for day t, plus lateness for
//! the share of shipments that are late. The "promised" lead time of an order is the lead time
//! quoted on the day it was placed; a shipment that arrives after `order day + quoted lead time`
//! (because it was late, or waited in the queue) counts against the on-time rate. What each
//! supplier does day by day in one run is [`crate::simulation::supply_paths::SupplyPaths`].

use crate::foundation::days::DayDistribution;
use crate::foundation::math::{ceil_fast, max_fast};

/// Most suppliers one item can be split over: the scenario refuses more, and the daily loop
/// keeps that many supplier slots per item without allocating.
pub const MAX_LINKS: usize = 8;

/// A validated supplier.
#[derive(Clone, Debug)]
pub struct Supplier {
    /// The supplier's unique name in the scenario.
    pub id: String,
    /// Days from dispatch to receipt of an on-time shipment (at least 1). The lead time quoted
    /// to an order is the one drawn for the day it is placed.
    pub lead_time: DayDistribution,
    /// Share of shipments that arrive within the quoted lead time.
    pub on_time_probability: f64,
    /// Extra days of a late shipment; `None` when every shipment is on time.
    pub lateness: Option<DayDistribution>,
    /// Units per day, shared by every item bought from the supplier; infinite when the
    /// scenario sets no limit.
    pub capacity_per_day: f64,
    /// Value (units × the item's price from this supplier) per day, shared like the units;
    /// infinite when the scenario sets no limit. A scenario sets at most one of the two.
    pub capacity_value_per_day: f64,
    /// How a day's capacity is shared when the queue holds more than it.
    pub allocation: Allocation,
    /// Share of the day's capacity reserved for an item (item index, share): the item ships up
    /// to it first, and what it does not need goes to the others.
    pub guaranteed: Vec<(usize, f64)>,
    /// Least value of the lines a day's order to this supplier holds together (0: none).
    pub min_order_value: f64,
    /// The days on which the supplier takes orders.
    pub order_days: OrderDays,
    /// Fixed cost of each order placed with the supplier (all lines of one day), shared by its
    /// lines in proportion to their value.
    pub delivery_cost: f64,
    /// Each order line is raised to at least this many units (0: no minimum).
    pub min_order_quantity: f64,
    /// Orders are rounded up to a multiple of this; 0 means no multiple.
    pub order_multiple: f64,
    /// Free-text region (e.g. `"asia"`): region-wide disruptions hit every supplier in it.
    pub region: Option<String>,
    /// Share of shipments rejected at receiving inspection in normal times.
    pub rejection_probability: f64,
    /// Extra cost per unit bought from this supplier.
    pub unit_cost_premium: f64,
}

/// How a supplier shares a day's capacity among its items when the queue holds more.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Allocation {
    /// Oldest line first, whatever its item; lines of one day in item order.
    #[default]
    Fifo,
    /// Each item gets the share of the capacity its waiting units are of the queue.
    Proportional,
    /// Items in this order (item indices, most important first; items not listed follow in
    /// file order), each served in full, oldest line first, before the next.
    Priority(Vec<usize>),
}

impl Allocation {
    /// The name a scenario gives the rule.
    pub fn name(&self) -> &'static str {
        match self {
            Allocation::Fifo => "fifo",
            Allocation::Proportional => "proportional",
            Allocation::Priority(_) => "priority",
        }
    }
}

/// The days on which a supplier takes orders.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum OrderDays {
    /// Every day.
    #[default]
    Every,
    /// These weekdays.
    Weekdays {
        /// Whether the supplier takes orders on each weekday, Monday first.
        open: [bool; 7],
        /// The weekday of day 0 of a run (0 = Monday): that of `simulation.start_date`, or
        /// Monday in a scenario without dates. Carried here so that the daily loop finds a
        /// day's weekday without knowing the calendar.
        first_weekday: u8,
    },
    /// Days 0, R, 2R, … (a joint review cycle of R days).
    Cycle(u32),
}

impl OrderDays {
    /// Whether the supplier takes orders on day `t`.
    #[inline]
    pub fn takes_orders(&self, t: usize) -> bool {
        match self {
            OrderDays::Every => true,
            OrderDays::Weekdays {
                open,
                first_weekday,
            } => open[(t + usize::from(*first_weekday)) % 7],
            OrderDays::Cycle(every) => t.is_multiple_of(*every as usize),
        }
    }

    /// The weekday names of a scenario, Monday first.
    pub const WEEKDAYS: [&'static str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    /// The weekdays' names in full, Monday first.
    pub const WEEKDAY_NAMES: [&'static str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];

    /// In words: "every day", "mon, thu", "every 7 days".
    pub fn describe(&self) -> String {
        match self {
            OrderDays::Every => "every day".into(),
            OrderDays::Weekdays { open, .. } => OrderDays::WEEKDAYS
                .iter()
                .zip(open)
                .filter(|(_, on)| **on)
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
            OrderDays::Cycle(every) => format!("every {every} days"),
        }
    }
}

impl Supplier {
    /// A supplier with lead time `lead_time` and nothing else: always on time, unlimited,
    /// no minimums, no region, no rejections, no premium, orders taken every day.
    pub fn plain(id: impl Into<String>, lead_time: DayDistribution) -> Self {
        Supplier {
            id: id.into(),
            lead_time,
            on_time_probability: 1.0,
            lateness: None,
            capacity_per_day: f64::INFINITY,
            capacity_value_per_day: f64::INFINITY,
            allocation: Allocation::Fifo,
            guaranteed: Vec::new(),
            min_order_value: 0.0,
            order_days: OrderDays::Every,
            delivery_cost: 0.0,
            min_order_quantity: 0.0,
            order_multiple: 0.0,
            region: None,
            rejection_probability: 0.0,
            unit_cost_premium: 0.0,
        }
    }

    /// Whether the supplier couples the items bought from it, so that they must be simulated
    /// together: a capacity shared by `items` (more than one) items, a value minimum, order days
    /// or a delivery cost.
    pub fn couples(&self, items: usize) -> bool {
        let shared_capacity = self.capacity_per_day.is_finite()
            || self.capacity_value_per_day.is_finite()
            || !self.guaranteed.is_empty();
        (shared_capacity && items > 1)
            || self.capacity_value_per_day.is_finite()
            || self.min_order_value > 0.0
            || self.order_days != OrderDays::Every
            || self.delivery_cost > 0.0
    }

    /// Mean days from order to receipt when nothing waits in the queue, lateness included.
    pub fn lead_time_mean(&self) -> f64 {
        let late = 1.0 - self.on_time_probability;
        self.lead_time.mean() + self.lateness.as_ref().map_or(0.0, |l| late * l.mean())
    }

    /// Variance of the same, as a mixture of on-time and late shipments.
    pub(crate) fn lead_time_variance(&self) -> f64 {
        let p = self.on_time_probability;
        let base = self.lead_time.variance();
        match &self.lateness {
            Some(l) => base + (1.0 - p) * l.variance() + p * (1.0 - p) * l.mean() * l.mean(),
            None => base,
        }
    }
}

/// An order line as a supplier accepts it: at least the minimum order quantity, rounded up to
/// a multiple of the order multiple (0 for none), and to whole units where the item is counted
/// in units.
#[inline]
pub(crate) fn round_order(
    quantity: f64,
    min_order_quantity: f64,
    order_multiple: f64,
    whole_units: bool,
) -> f64 {
    let mut q = max_fast(quantity, min_order_quantity);
    if order_multiple > 0.0 {
        q = ceil_fast(q / order_multiple - 1e-9) * order_multiple;
    }
    if whole_units { ceil_fast(q - 1e-9) } else { q }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::foundation::days::DaysSpec;

    /// A supplier quoting 3 days, late by 2 days for the share `1 − on_time`, with an
    /// order minimum of 40 in multiples of 12.
    pub(crate) fn supplier(on_time: f64) -> Supplier {
        Supplier {
            on_time_probability: on_time,
            lateness: (on_time < 1.0).then(|| DayDistribution::new(&DaysSpec::Fixed(2), 1)),
            min_order_quantity: 40.0,
            order_multiple: 12.0,
            ..Supplier::plain("acme", DayDistribution::new(&DaysSpec::Fixed(3), 1))
        }
    }

    #[test]
    fn orders_respect_moq_and_multiple() {
        assert_eq!(round_order(5.0, 40.0, 12.0, true), 48.0);
        assert_eq!(round_order(48.0, 40.0, 12.0, true), 48.0);
        assert_eq!(round_order(49.0, 40.0, 12.0, true), 60.0);
        assert_eq!(round_order(2.5, 0.0, 0.0, true), 3.0);
        assert_eq!(round_order(2.5, 0.0, 0.0, false), 2.5);
    }

    #[test]
    fn lateness_mixture_moments() {
        let s = supplier(0.8);
        assert!((s.lead_time_mean() - (3.0 + 0.2 * 2.0)).abs() < 1e-12);
        assert!((s.lead_time_variance() - 0.8 * 0.2 * 4.0).abs() < 1e-12);
    }
}
