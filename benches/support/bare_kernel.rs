//! A bare, hand-written scalar kernel for the model of `scenarios/bench-reference.toml`: the
//! yardstick the engine's speed is measured against.
//!
//! The speed issue compares the engine with a bare scalar kernel of the same model; the target
//! is two-thirds of the kernel's throughput on one core. Timing both in the same process, one
//! after the other, gives a ratio (engine / bare) that holds still while the machine's own speed
//! drifts (this VM varies by ±25% from hour to hour), where absolute figures do not.
//!
//! The model, with every parameter a constant: one item; daily demand Normal(50, 10), floored
//! at 0 and rounded to whole units; lead time uniform on 1–7 days; one supplier whose outage is
//! a two-state Markov chain (if up, fails with probability 0.01 a day; if down, recovers with
//! probability 0.1 a day), during which no order is placed while orders in transit still
//! arrive; an (s, S) = (250, 550) rule on the inventory position (on hand + on order); lost
//! sales; 365 days starting with 550 on hand; no warm-up.
//!
//! Each day, in the engine's order: the supplier's state steps (runs start up and day 0 is
//! already a step); receipts due today arrive; demand is served from stock and the rest is lost;
//! if the supplier is up and the position is at or below s, an order for S − position is
//! placed, to arrive lead-time days later; end-of-day stock is counted.
//!
//! One xoshiro256++ stream per run, seeded from (seed, run), so results do not depend on how
//! runs are split over threads. The pipeline is a ring of 8 days (lead times are at most 7), all
//! state is in registers or on the stack, and nothing allocates. The draws are not those of the
//! engine (which keeps a stream per source of randomness), so totals agree with it only
//! statistically.

use std::ops::Range;

use rand::{Rng, RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rand_xoshiro::Xoshiro256PlusPlus;

/// Days simulated per run.
pub const HORIZON_DAYS: u64 = 365;

const DEMAND_MEAN: f64 = 50.0;
const DEMAND_SD: f64 = 10.0;
const REORDER_POINT: i64 = 250;
const ORDER_UP_TO: i64 = 550;
const DAILY_FAILURE: f64 = 0.01;
const DAILY_RECOVERY: f64 = 0.1;
/// Ring buffer length: a power of two above the longest lead time (7 days).
const RING: usize = 8;

/// Sums over runs: a checksum for `black_box`, and enough to compare rates with the engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BareTotals {
    pub runs: u64,
    /// Days on which some demand went unmet.
    pub stockout_days: u64,
    /// Units of demand.
    pub demand_units: i64,
    /// Units of demand lost.
    pub lost_units: i64,
    /// End-of-day on-hand stock summed over days.
    pub on_hand_unit_days: i64,
    /// Orders placed.
    pub orders: u64,
}

impl BareTotals {
    /// The totals of two disjoint sets of runs.
    pub fn merge(self, other: Self) -> Self {
        Self {
            runs: self.runs + other.runs,
            stockout_days: self.stockout_days + other.stockout_days,
            demand_units: self.demand_units + other.demand_units,
            lost_units: self.lost_units + other.lost_units,
            on_hand_unit_days: self.on_hand_unit_days + other.on_hand_unit_days,
            orders: self.orders + other.orders,
        }
    }
}

/// `next_u64() < threshold(p)` happens with probability `p` (to within 2⁻⁶⁴).
fn threshold(p: f64) -> u64 {
    (p * 18_446_744_073_709_551_616.0) as u64
}

/// Simulate `runs` (run indices) of the reference model from `seed`.
pub fn run_bare(seed: u64, runs: Range<u64>) -> BareTotals {
    let fail = threshold(DAILY_FAILURE);
    let recover = threshold(DAILY_RECOVERY);
    let mut totals = BareTotals::default();
    for run in runs {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ run);
        let mut pipeline = [0i64; RING];
        let mut on_hand = ORDER_UP_TO;
        let mut on_order = 0i64;
        let mut up = true;
        let mut stockout_days = 0u64;
        let mut demand_units = 0i64;
        let mut lost_units = 0i64;
        let mut on_hand_unit_days = 0i64;
        let mut orders = 0u64;
        for day in 0..HORIZON_DAYS as usize {
            // Supplier state: up fails below `fail`, down recovers below `recover`.
            let u = rng.next_u64();
            up = if up { u >= fail } else { u < recover };
            // Receipts.
            let slot = day % RING;
            let due = pipeline[slot];
            pipeline[slot] = 0;
            on_hand += due;
            on_order -= due;
            // Demand: clamp at 0, round half up by truncation (f64::round is a library call).
            let z: f64 = rng.sample(StandardNormal);
            let d = ((DEMAND_MEAN + DEMAND_SD * z).max(0.0) + 0.5) as i64;
            let served = d.min(on_hand);
            on_hand -= served;
            let short = d - served;
            stockout_days += u64::from(short > 0);
            demand_units += d;
            lost_units += short;
            // Review: (s, S) on the position, only while the supplier is up.
            let position = on_hand + on_order;
            if up && position <= REORDER_POINT {
                let lead = rng.random_range(1..=7usize);
                let quantity = ORDER_UP_TO - position;
                pipeline[(day + lead) % RING] += quantity;
                on_order += quantity;
                orders += 1;
            }
            on_hand_unit_days += on_hand;
        }
        totals = totals.merge(BareTotals {
            runs: 1,
            stockout_days,
            demand_units,
            lost_units,
            on_hand_unit_days,
            orders,
        });
    }
    totals
}
