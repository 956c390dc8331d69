//! Suppliers: lead times, reliability, order constraints, and what each one does day by day.
//!
//! A supplier receives orders into a queue and ships from it on every day it is able to:
//! at most `capacity_per_day` units per item and day, nothing at all while an outage is active.
//! A shipment dispatched on day t arrives after the lead time drawn for day t, plus lateness for
//! the share of shipments that are late. The "promised" lead time of an order is the lead time
//! quoted on the day it was placed; a shipment that arrives after `order day + quoted lead time`
//! (because it was late, or waited in the queue) counts against the on-time rate.

use crate::days::DayDistribution;
use crate::math::ceil_fast;
use crate::rng::{SimRng, unit_f64};

/// A validated supplier.
#[derive(Clone, Debug)]
pub struct Supplier {
    pub id: String,
    pub lead_time: DayDistribution,
    /// Share of shipments that arrive within the quoted lead time.
    pub on_time_probability: f64,
    /// Extra days of a late shipment; `None` when every shipment is on time.
    pub lateness: Option<DayDistribution>,
    /// Units per item per day; infinite when the scenario sets no limit.
    pub capacity_per_day: f64,
    pub min_order_quantity: f64,
    /// Orders are rounded up to a multiple of this; 0 means no multiple.
    pub order_multiple: f64,
    pub region: Option<String>,
}

impl Supplier {
    /// Mean days from order to receipt when nothing waits in the queue, lateness included.
    pub fn lead_time_mean(&self) -> f64 {
        let late = 1.0 - self.on_time_probability;
        self.lead_time.mean() + self.lateness.as_ref().map_or(0.0, |l| late * l.mean())
    }

    /// Variance of the same, as a mixture of on-time and late shipments.
    pub fn lead_time_variance(&self) -> f64 {
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
pub fn round_order(
    quantity: f64,
    min_order_quantity: f64,
    order_multiple: f64,
    whole_units: bool,
) -> f64 {
    let mut q = quantity.max(min_order_quantity);
    if order_multiple > 0.0 {
        q = ceil_fast(q / order_multiple - 1e-9) * order_multiple;
    }
    if whole_units { ceil_fast(q - 1e-9) } else { q }
}

/// What every supplier does on every day of one run. Built once per run, before any item is
/// simulated, so that all items and all policies of the run face the same supply path.
#[derive(Debug)]
pub struct SupplyPaths {
    horizon: usize,
    /// Fraction of normal capacity available (0 during an outage).
    capacity_factor: Vec<f64>,
    /// Days to arrival of a shipment dispatched that day, lateness included.
    lead_time: Vec<u32>,
    /// Lead time promised for an order placed that day.
    quoted: Vec<u32>,
}

/// One supplier's days of one run.
#[derive(Clone, Copy, Debug)]
pub struct SupplierDays<'a> {
    pub capacity_factor: &'a [f64],
    pub lead_time: &'a [u32],
    pub quoted: &'a [u32],
}

impl SupplyPaths {
    pub fn new(suppliers: usize, horizon: usize) -> Self {
        SupplyPaths {
            horizon,
            capacity_factor: vec![1.0; suppliers * horizon],
            lead_time: vec![1; suppliers * horizon],
            quoted: vec![1; suppliers * horizon],
        }
    }

    /// Draw supplier `index`'s lead times for a new run and clear its disruptions.
    pub fn draw(&mut self, index: usize, supplier: &Supplier, rng: &mut SimRng) {
        let range = index * self.horizon..(index + 1) * self.horizon;
        self.capacity_factor[range.clone()].fill(1.0);
        let quoted = &mut self.quoted[range.clone()];
        let lead_time = &mut self.lead_time[range];
        let late_share = 1.0 - supplier.on_time_probability;
        for (q, lt) in quoted.iter_mut().zip(lead_time.iter_mut()) {
            let base = supplier.lead_time.sample(rng);
            *q = base;
            *lt = base;
            if let Some(lateness) = &supplier.lateness
                && unit_f64(rng) < late_share
            {
                *lt = base + lateness.sample(rng);
            }
        }
    }

    /// Multiply supplier `index`'s capacity on the days `active` marks.
    pub fn scale_capacity(&mut self, index: usize, active: &[bool], factor: f64) {
        let range = index * self.horizon..(index + 1) * self.horizon;
        for (c, &on) in self.capacity_factor[range].iter_mut().zip(active) {
            if on {
                *c *= factor;
            }
        }
    }

    pub fn supplier(&self, index: usize) -> SupplierDays<'_> {
        let range = index * self.horizon..(index + 1) * self.horizon;
        SupplierDays {
            capacity_factor: &self.capacity_factor[range.clone()],
            lead_time: &self.lead_time[range.clone()],
            quoted: &self.quoted[range],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::days::DaysSpec;
    use crate::rng::{Stream, rng_for};

    fn supplier(on_time: f64) -> Supplier {
        Supplier {
            id: "acme".into(),
            lead_time: DayDistribution::new(&DaysSpec::Fixed(3), 1),
            on_time_probability: on_time,
            lateness: (on_time < 1.0).then(|| DayDistribution::new(&DaysSpec::Fixed(2), 1)),
            capacity_per_day: f64::INFINITY,
            min_order_quantity: 40.0,
            order_multiple: 12.0,
            region: None,
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

    #[test]
    fn late_share_matches_probability() {
        let s = supplier(0.8);
        let horizon = 20_000;
        let mut paths = SupplyPaths::new(1, horizon);
        paths.draw(0, &s, &mut rng_for(3, 0, Stream::Supplier(0)));
        let days = paths.supplier(0);
        let late = days.lead_time.iter().filter(|&&l| l == 5).count() as f64 / horizon as f64;
        // Binomial standard error of a share of 0.2 over 20,000 days is 0.0028.
        assert!((late - 0.2).abs() < 4.0 * 0.0028, "late share {late}");
        assert!(days.quoted.iter().all(|&q| q == 3));
    }
}
