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
use std::cell::Cell;

use rand::Rng;

use crate::rng::{SimRng, draw_at, unit_from_bits};

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

/// What every supplier does on every day of one run, shared by all items and policies of the
/// run so that they face the same supply path.
///
/// Outages are known for the whole run up front (`capacity_factor`). Lead times are drawn
/// lazily: the lead time of a shipment dispatched on day t comes from a counter-based stream,
/// `draw_at(key, day)`, so it is the same whichever item or policy asks first, and is only
/// computed for days on which something ships — most days ship nothing under most rules.
/// Chunk-local: the caches use `Cell`, so one `SupplyPaths` never crosses threads.
#[derive(Debug)]
pub struct SupplyPaths<'a> {
    suppliers: &'a [Supplier],
    horizon: usize,
    /// Per supplier, the key of its lead-time stream for the current run.
    keys: Vec<u64>,
    /// Fraction of normal capacity available (0 during an outage).
    capacity_factor: Vec<f64>,
    /// Days to arrival of a shipment dispatched that day, lateness included; 0 = not drawn yet.
    lead_time: Vec<Cell<u32>>,
    /// Lead time promised for an order placed that day; valid once `lead_time` is drawn.
    quoted: Vec<Cell<u32>>,
}

/// One supplier's days of one run.
#[derive(Clone, Copy, Debug)]
pub struct SupplierDays<'a> {
    pub capacity_factor: &'a [f64],
    supplier: &'a Supplier,
    key: u64,
    lead_time: &'a [Cell<u32>],
    quoted: &'a [Cell<u32>],
}

impl SupplierDays<'_> {
    /// Days from dispatch to arrival for a shipment dispatched on `day`.
    #[inline]
    pub fn lead_time(&self, day: usize) -> u32 {
        let cached = self.lead_time[day].get();
        if cached != 0 { cached } else { self.draw(day) }
    }

    /// The lead time promised to an order placed on `day`.
    #[inline]
    pub fn quoted(&self, day: usize) -> u32 {
        if self.lead_time[day].get() == 0 {
            self.draw(day);
        }
        self.quoted[day].get()
    }

    /// Draw day `day`'s lead time: the quoted lead time, plus lateness for a late shipment.
    /// Three counter positions per day: quoted lead time, whether late, how late.
    #[inline]
    fn draw(&self, day: usize) -> u32 {
        let s = self.supplier;
        let counter = 3 * day as u64;
        let base = if s.lead_time.is_constant() {
            s.lead_time.min()
        } else {
            s.lead_time.sample_bits(draw_at(self.key, counter))
        };
        let mut total = base;
        if let Some(lateness) = &s.lateness
            && unit_from_bits(draw_at(self.key, counter + 1)) >= s.on_time_probability
        {
            total += if lateness.is_constant() {
                lateness.min()
            } else {
                lateness.sample_bits(draw_at(self.key, counter + 2))
            };
        }
        self.quoted[day].set(base);
        self.lead_time[day].set(total);
        total
    }
}

impl<'a> SupplyPaths<'a> {
    pub fn new(suppliers: &'a [Supplier], horizon: usize) -> Self {
        let cells = suppliers.len() * horizon;
        SupplyPaths {
            suppliers,
            horizon,
            keys: vec![0; suppliers.len()],
            capacity_factor: vec![1.0; cells],
            lead_time: (0..cells).map(|_| Cell::new(0)).collect(),
            quoted: (0..cells).map(|_| Cell::new(0)).collect(),
        }
    }

    /// Start a new run for supplier `index`: a fresh lead-time stream, no disruptions.
    pub fn reset(&mut self, index: usize, rng: &mut SimRng) {
        let range = index * self.horizon..(index + 1) * self.horizon;
        self.keys[index] = rng.next_u64();
        self.capacity_factor[range.clone()].fill(1.0);
        for cell in &self.lead_time[range] {
            cell.set(0);
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
            supplier: &self.suppliers[index],
            key: self.keys[index],
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
    fn lead_times_do_not_depend_on_the_order_they_are_asked_for() {
        let mut s = supplier(0.7);
        s.lead_time = DayDistribution::new(&DaysSpec::Uniform { min: 1, max: 7 }, 1);
        let suppliers = [s];
        let mut forward = SupplyPaths::new(&suppliers, 100);
        let mut backward = SupplyPaths::new(&suppliers, 100);
        forward.reset(0, &mut rng_for(3, 4, Stream::Supplier(0)));
        backward.reset(0, &mut rng_for(3, 4, Stream::Supplier(0)));
        let f: Vec<u32> = (0..100).map(|t| forward.supplier(0).lead_time(t)).collect();
        let mut b: Vec<u32> = (0..100)
            .rev()
            .map(|t| backward.supplier(0).lead_time(t))
            .collect();
        b.reverse();
        assert_eq!(f, b);
        assert!(f.iter().any(|&l| l != f[0]), "lead times vary");
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
        let suppliers = [s];
        let mut paths = SupplyPaths::new(&suppliers, horizon);
        paths.reset(0, &mut rng_for(3, 0, Stream::Supplier(0)));
        let days = paths.supplier(0);
        let late = (0..horizon).filter(|&t| days.lead_time(t) == 5).count() as f64 / horizon as f64;
        // Binomial standard error of a share of 0.2 over 20,000 days is 0.0028.
        assert!((late - 0.2).abs() < 4.0 * 0.0028, "late share {late}");
        assert!((0..horizon).all(|t| days.quoted(t) == 3));
    }
}
