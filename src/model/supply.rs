//! Suppliers: lead times, reliability and order constraints.
//!
//! A supplier receives orders into a queue and ships from it on every day it is able to:
//! at most `capacity_per_day` units per item and day, nothing at all while an outage is active.
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
    /// Units per item per day; infinite when the scenario sets no limit.
    pub capacity_per_day: f64,
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

impl Supplier {
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
            id: "acme".into(),
            lead_time: DayDistribution::new(&DaysSpec::Fixed(3), 1),
            on_time_probability: on_time,
            lateness: (on_time < 1.0).then(|| DayDistribution::new(&DaysSpec::Fixed(2), 1)),
            capacity_per_day: f64::INFINITY,
            min_order_quantity: 40.0,
            order_multiple: 12.0,
            region: None,
            rejection_probability: 0.0,
            unit_cost_premium: 0.0,
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
