//! The allowed range of the numbers of a scenario, and the one check every number goes through.
//!
//! Every range is finite, so `nan`, `inf` and `-inf` (which TOML accepts as literals) are
//! refused wherever a number is. The bounds are generous for any real catalogue — prices up to
//! a billion per unit, quantities up to 10¹² units (a day's demand, a lot, a stock level given
//! outright), days up to ten years, shares from 0 to 1 — and small enough that what is
//! computed from them stays finite: a day's demand at most 10¹² × 100 (seasonality) × 100
//! (a surge) × 10⁴ (a century of the steepest trend), priced at 10⁹ over 36,500 days, is about
//! 4 · 10³³, and its square, which the variance accumulators hold, about 10⁶⁷, against
//! 1.8 · 10³⁰⁸ for a float. Quantities greater than zero start at 10⁻⁶ rather than at the
//! smallest float, so that dividing by one (rounding an order up to a multiple, counting kanban
//! containers) cannot overflow either. Stock levels a rule derives (reorder points, order-up-to
//! levels, economic order quantities) are held to [`MAX_STOCK_LEVEL`].

use crate::foundation::format::group_thousands;

/// An allowed range of one number of a scenario: `low` (excluded if `low_open`) to `high`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limit {
    pub(crate) low: f64,
    low_open: bool,
    pub(crate) high: f64,
    /// Unit written after the upper bound in messages: `" units"`, `" days"` or nothing.
    unit: &'static str,
}

impl Limit {
    /// `low` to `high`, both included.
    pub(crate) const fn closed(low: f64, high: f64, unit: &'static str) -> Limit {
        Limit {
            low,
            low_open: false,
            high,
            unit,
        }
    }

    /// Greater than `low`, at most `high`.
    pub(crate) const fn above(low: f64, high: f64, unit: &'static str) -> Limit {
        Limit {
            low,
            low_open: true,
            high,
            unit,
        }
    }

    /// `Ok(value)` inside the range, else the message "must be … (got …)".
    pub(crate) fn check(&self, value: f64) -> Result<f64, String> {
        let above_low = if self.low_open {
            value > self.low
        } else {
            value >= self.low
        };
        if above_low && value <= self.high {
            Ok(value)
        } else {
            Err(format!("must be {} (got {})", self.allowed(), shown(value)))
        }
    }

    /// What is allowed, as words completing "must be …". A `high` of `f64::MAX` is no bound
    /// but finiteness, and goes unsaid.
    pub(crate) fn allowed(&self) -> String {
        let (low, high, unit) = (number(self.low), number(self.high), self.unit);
        if self.high == f64::MAX {
            let relation = if self.low_open {
                "greater than"
            } else {
                "at least"
            };
            format!("{relation} {low}{unit}")
        } else if self.low_open {
            format!("greater than {low} and at most {high}{unit}")
        } else {
            format!("from {low} to {high}{unit}")
        }
    }
}

/// Most units in a quantity the scenario gives: a day's demand, a lot, a stock level.
pub(crate) const MAX_QUANTITY: f64 = 1e12;

/// Quantities that may be zero: demand, safety stocks, levels given outright, minimum orders.
pub(crate) const QUANTITY: Limit = Limit::closed(0.0, MAX_QUANTITY, " units");

/// Quantities that must be more than nothing: lots, containers, order multiples, capacities,
/// the mean of a Poisson or lognormal demand.
pub(crate) const POSITIVE_QUANTITY: Limit = Limit::closed(1e-6, MAX_QUANTITY, " units");

/// Most money per unit or per order.
pub(crate) const MAX_MONEY: f64 = 1e9;

/// The value of one unit.
pub(crate) const UNIT_COST: Limit = Limit::closed(1e-6, MAX_MONEY, "");

/// Money per unit or per order that may be zero: order costs, stockout penalties, premiums.
pub(crate) const MONEY: Limit = Limit::closed(0.0, MAX_MONEY, "");

/// A value over many units and items (a day's capacity in value, a purchase budget): up to a
/// day's largest quantity at the largest price, 10¹⁵.
pub(crate) const POSITIVE_VALUE: Limit = Limit::closed(1e-6, 1e15, "");

/// An annual carrying rate, as a fraction of unit value per year (the reference texts use
/// 0.20–0.30).
pub(crate) const CARRYING_RATE: Limit = Limit::closed(0.0, 10.0, " a year");
/// A share of value lost in a year: at most all of it.
pub(crate) const OBSOLESCENCE_RATE: Limit = Limit::closed(0.0, 1.0, " a year");

/// A premium as a fraction of unit cost (expediting).
pub(crate) const PREMIUM_RATE: Limit = Limit::closed(0.0, 100.0, "");

/// Days of demand (safety stock, strategic reserve).
pub(crate) const DAYS: Limit = Limit::closed(0.0, 3650.0, " days");

/// Mean length of an up or down spell of a two-state disruption.
pub(crate) const MEAN_SPELL_DAYS: Limit = Limit::closed(1.0, MAX_MEAN_SPELL_DAYS, " days");

/// Longest mean spell of a two-state disruption, in days: a century.
pub(crate) const MAX_MEAN_SPELL_DAYS: f64 = 36_500.0;

/// Multipliers of demand that may be zero: seasonality, demand surges.
pub(crate) const MULTIPLIER: Limit = Limit::closed(0.0, 100.0, "");

/// Multipliers that must be more than zero: pre-build levels, lead-time drift.
pub(crate) const POSITIVE_MULTIPLIER: Limit = Limit::above(0.0, 100.0, "");

/// A kanban safety factor: the loop's extra cover over the lead time's demand.
pub(crate) const SAFETY_FACTOR: Limit = Limit::closed(0.0, 100.0, "");

/// Linear demand trend per year (−1: demand falls to zero within a year).
pub(crate) const TREND: Limit = Limit::closed(-1.0, 100.0, " a year");

/// A supplier's share of an item's orders.
/// A share that may be zero (a guaranteed share of a capacity: zero guarantees nothing).
pub(crate) const SHARE_OR_NONE: Limit = Limit::closed(0.0, 1.0, "");

pub(crate) const SHARE: Limit = Limit::above(0.0, 1.0, "");

/// Highest stock level a rule may reach once sized (pre-build included), in units. Up to
/// 2⁵³ ≈ 9 · 10¹⁵ a float counts every whole unit exactly; 10¹⁵ leaves room for the demand
/// that arrives while stock is at that level.
pub(crate) const MAX_STOCK_LEVEL: f64 = 1e15;

/// A number as the message shows a bound: whole numbers grouped by thousands, others as
/// written.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        group_thousands(x, 0)
    } else {
        shown(x)
    }
}

/// A number as found in a scenario, for "(got …)": as written for everyday values, in
/// scientific notation at the extremes (Rust would print 1e308 with 308 zeros), and `nan`,
/// `inf`, `-inf` as TOML writes them.
pub(crate) fn shown(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else if x != 0.0 && !(1e-6..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_range_is_finite_and_says_what_is_allowed() {
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 1e308] {
            assert!(QUANTITY.check(bad).is_err(), "{bad}");
            assert!(POSITIVE_MULTIPLIER.check(bad).is_err(), "{bad}");
        }
        assert_eq!(QUANTITY.check(0.0), Ok(0.0));
        assert_eq!(
            QUANTITY.check(f64::NAN).unwrap_err(),
            "must be from 0 to 1,000,000,000,000 units (got nan)"
        );
        assert_eq!(
            UNIT_COST.check(-3.0).unwrap_err(),
            "must be from 0.000001 to 1,000,000,000 (got -3)"
        );
        assert_eq!(
            POSITIVE_MULTIPLIER.check(0.0).unwrap_err(),
            "must be greater than 0 and at most 100 (got 0)"
        );
        assert_eq!(
            DAYS.check(1e308).unwrap_err(),
            "must be from 0 to 3,650 days (got 1e308)"
        );
        assert_eq!(shown(-f64::INFINITY), "-inf");
        assert_eq!(shown(0.25), "0.25");
        assert_eq!(shown(1e-300), "1e-300");
    }
}
