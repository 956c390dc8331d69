//! Exact sums of floating-point numbers, whose result does not depend on the order or the
//! grouping of the terms.
//!
//! Why: a statistic merged from partial results (chunks of runs, shards of a simulation run on
//! several machines) must give the same bits however the parts were grouped. Floating-point
//! addition is not associative, so a running mean merged as ((a + b) + c) differs in its last
//! bits from a + (b + c). An exact sum has no rounding at all, so every grouping gives the same
//! value; it is rounded to a float once, when read (issue 25).
//!
//! An [`ExactSum`] is a fixed-point integer in two's complement whose limbs cover only the
//! range of bits its terms have touched: the sums of a simulation's figures span a hundred or
//! two hundred bits (two to four limbs), whatever their scale.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// The limbs of a sum, up to three of them in place: a statistic's merged sums span two to four
/// limbs, and a catalogue keeps three sums for each of its many statistics, so a heap
/// allocation for each would cost more than the sums themselves.
type Limbs = SmallVec<[u64; 3]>;

/// An exact sum: `Σ limbs[i] · 2^(64·(lo + i))`, the limbs read as one two's-complement integer
/// (little-endian). The top limb is always a pure sign limb (all zeros or all ones), so adding a
/// term below it cannot overflow; empty means zero.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Exponent of the lowest limb, in units of 64 bits.
    lo: i32,
    limbs: Limbs,
}

/// A float's exact value as `(negative, mantissa, exponent)`: `±mantissa · 2^exponent`, or
/// `None` for zero. Infinities and NaN are not summed (callers' figures are finite).
fn decompose(x: f64) -> Option<(bool, u64, i32)> {
    debug_assert!(x.is_finite(), "ExactSum: {x} is not finite");
    if x == 0.0 || !x.is_finite() {
        return None;
    }
    let bits = x.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exponent) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), exponent - 1075)
    };
    Some((x < 0.0, mantissa, exponent))
}

impl ExactSum {
    /// Zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the sum is exactly zero.
    pub fn is_zero(&self) -> bool {
        self.limbs.iter().all(|&l| l == 0)
    }

    /// Adds `x` exactly.
    pub fn add(&mut self, x: f64) {
        if let Some((negative, mantissa, exponent)) = decompose(x) {
            self.add_magnitude(&[mantissa], negative, exponent);
        }
    }

    /// Adds `x · n` exactly.
    pub fn add_times(&mut self, x: f64, n: u64) {
        if let Some((negative, mantissa, exponent)) = decompose(x) {
            let product = u128::from(mantissa) * u128::from(n);
            self.add_magnitude(
                &[product as u64, (product >> 64) as u64],
                negative,
                exponent,
            );
        }
    }

    /// Adds `x² · n` exactly.
    pub fn add_square_times(&mut self, x: f64, n: u64) {
        if let Some((_, mantissa, exponent)) = decompose(x) {
            let square = u128::from(mantissa) * u128::from(mantissa);
            let low = u128::from(square as u64) * u128::from(n);
            let high = (square >> 64) * u128::from(n) + (low >> 64);
            let product = [low as u64, high as u64, (high >> 64) as u64];
            self.add_magnitude(&product, false, 2 * exponent);
        }
    }

    /// Adds `other · factor` exactly.
    pub fn add_sum_times(&mut self, other: &ExactSum, factor: f64) {
        let Some((factor_negative, mantissa, exponent)) = decompose(factor) else {
            return;
        };
        let (negative, magnitude) = other.magnitude();
        if magnitude.iter().all(|&l| l == 0) {
            return;
        }
        let product = mul_small(&magnitude, mantissa);
        self.add_magnitude(
            &product,
            negative != factor_negative,
            64 * other.lo + exponent,
        );
    }

    /// Adds `other` exactly.
    pub fn add_sum(&mut self, other: &ExactSum) {
        let (negative, magnitude) = other.magnitude();
        if magnitude.iter().any(|&l| l != 0) {
            self.add_magnitude(&magnitude, negative, 64 * other.lo);
        }
    }

    /// The sum rounded to the nearest float (ties to even).
    pub fn to_f64(&self) -> f64 {
        let (negative, magnitude) = self.magnitude();
        let value = round_to_f64(&magnitude, false, 64 * self.lo);
        if negative { -value } else { value }
    }

    /// The sum divided by `n` (at least 1), rounded to the nearest float (ties to even): an
    /// exact quotient, such as a constant's sum over its count, comes back exactly.
    pub fn div_to_f64(&self, n: u64) -> f64 {
        assert!(n > 0, "ExactSum::div_to_f64 by zero");
        let (negative, mut magnitude) = self.magnitude();
        // Two limbs of zeros below, so that the quotient keeps at least 64 significant bits.
        magnitude.splice(0..0, [0, 0]);
        let mut remainder = 0u128;
        for limb in magnitude.iter_mut().rev() {
            let current = (remainder << 64) | u128::from(*limb);
            *limb = (current / u128::from(n)) as u64;
            remainder = current % u128::from(n);
        }
        let value = round_to_f64(&magnitude, remainder != 0, 64 * (self.lo - 2));
        if negative { -value } else { value }
    }

    /// The sign and the absolute value's limbs (at `lo`).
    fn magnitude(&self) -> (bool, Vec<u64>) {
        let negative = self.limbs.last().is_some_and(|&top| top >> 63 == 1);
        let mut limbs = self.limbs.to_vec();
        if negative {
            let mut carry = true;
            for limb in &mut limbs {
                let (sum, overflow) = (!*limb).overflowing_add(u64::from(carry));
                *limb = sum;
                carry = overflow;
            }
        }
        (negative, limbs)
    }

    /// Adds `±magnitude · 2^exponent` (the magnitude little-endian in 64-bit limbs).
    fn add_magnitude(&mut self, magnitude: &[u64], negative: bool, exponent: i32) {
        // Split the exponent into whole limbs and a shift within one.
        let limb = exponent.div_euclid(64);
        let shift = exponent.rem_euclid(64) as u32;
        // The shifted term, on the stack for the few limbs of a float's products (the merges
        // of every chunk go through here), on the heap for a whole sum's.
        let mut stack = [0u64; 6];
        let mut heap = Vec::new();
        let term: &mut [u64] = if magnitude.len() < stack.len() {
            &mut stack[..=magnitude.len()]
        } else {
            heap.resize(magnitude.len() + 1, 0);
            &mut heap
        };
        let mut carried = 0u64;
        for (slot, &m) in term.iter_mut().zip(magnitude) {
            *slot = (m << shift) | carried;
            carried = if shift == 0 { 0 } else { m >> (64 - shift) };
        }
        term[magnitude.len()] = carried;
        let used = term.iter().rposition(|&l| l != 0).map_or(1, |top| top + 1);
        let term = &term[..used];
        // Room for the term's limbs and one more above it, for the sign.
        self.cover(limb, limb + term.len() as i32);
        let start = (limb - self.lo) as usize;
        let mut carry = false;
        if negative {
            // Subtracting: add the term's complement, with a borrow through the limbs above.
            let mut first = true;
            for (i, slot) in self.limbs[start..].iter_mut().enumerate() {
                let t = !term.get(i).copied().unwrap_or(0);
                let (s1, o1) = slot.overflowing_add(t);
                let (s2, o2) = s1.overflowing_add(u64::from(carry || first));
                *slot = s2;
                carry = o1 || o2;
                first = false;
            }
        } else {
            for (i, slot) in self.limbs[start..].iter_mut().enumerate() {
                if i >= term.len() && !carry {
                    break;
                }
                let t = term.get(i).copied().unwrap_or(0);
                let (s1, o1) = slot.overflowing_add(t);
                let (s2, o2) = s1.overflowing_add(u64::from(carry));
                *slot = s2;
                carry = o1 || o2;
            }
        }
        self.normalise();
    }

    /// Make limbs `from..=to` (in units of 64 bits) part of the window, extending the sign
    /// above and zeros below.
    fn cover(&mut self, from: i32, to: i32) {
        if self.limbs.is_empty() {
            self.lo = from;
            self.limbs = Limbs::from_elem(0, (to - from + 1) as usize);
            return;
        }
        if from < self.lo {
            let extra = (self.lo - from) as usize;
            self.limbs.insert_many(0, std::iter::repeat_n(0, extra));
            self.lo = from;
        }
        let hi = self.lo + self.limbs.len() as i32 - 1;
        if to > hi {
            let sign = self.sign_limb();
            self.limbs
                .extend(std::iter::repeat_n(sign, (to - hi) as usize));
        }
    }

    fn sign_limb(&self) -> u64 {
        match self.limbs.last() {
            Some(&top) if top >> 63 == 1 => u64::MAX,
            _ => 0,
        }
    }

    /// Keep one pure sign limb on top and no more, and no zero limbs at the bottom.
    fn normalise(&mut self) {
        let sign = self.sign_limb();
        if self.limbs.last() != Some(&sign) {
            self.limbs.push(sign);
        }
        while self.limbs.len() >= 2 {
            let n = self.limbs.len();
            let (top, next) = (self.limbs[n - 1], self.limbs[n - 2]);
            // The top limb is redundant when the one below it already carries the sign.
            if top == sign && (next >> 63 == 1) == (sign == u64::MAX) {
                self.limbs.pop();
            } else {
                break;
            }
        }
        let zeros = self
            .limbs
            .iter()
            .take(self.limbs.len() - 1)
            .take_while(|&&l| l == 0)
            .count();
        if zeros > 0 {
            self.limbs.drain(..zeros);
            self.lo += zeros as i32;
        }
        if self.limbs.iter().all(|&l| l == 0) {
            self.limbs.clear();
            self.lo = 0;
        }
    }
}

/// `magnitude · n`, little-endian limbs.
fn mul_small(magnitude: &[u64], n: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(magnitude.len() + 1);
    let mut carry = 0u128;
    for &m in magnitude {
        let product = u128::from(m) * u128::from(n) + carry;
        out.push(product as u64);
        carry = product >> 64;
    }
    out.push(carry as u64);
    out
}

/// `magnitude · 2^exponent` rounded to the nearest float (ties to even), where `sticky` says
/// that some nonzero amount below the magnitude's last bit was dropped (a division's remainder).
fn round_to_f64(magnitude: &[u64], sticky: bool, exponent: i32) -> f64 {
    let Some(top) = magnitude.iter().rposition(|&l| l != 0) else {
        return 0.0;
    };
    let zeros = magnitude[top].leading_zeros();
    // The 64 most significant bits, and whether anything below them is nonzero.
    let below = if top > 0 { magnitude[top - 1] } else { 0 };
    let high = if zeros == 0 {
        magnitude[top]
    } else {
        (magnitude[top] << zeros) | (below >> (64 - zeros))
    };
    let dropped_in_below = if zeros == 0 {
        below != 0
    } else {
        below << zeros != 0
    };
    let dropped = sticky
        || (top > 0 && dropped_in_below)
        || magnitude[..top.saturating_sub(1)].iter().any(|&l| l != 0);
    // With a set top bit the 11 bits below the float's 53 decide the rounding; a dropped
    // remainder is folded into the lowest, so that the hardware conversion rounds correctly.
    let bits = high | u64::from(dropped);
    let value = bits as f64;
    scale_by_power_of_two(value, exponent + 64 * top as i32 - zeros as i32)
}

/// `x · 2^k` for any `k`, exact unless the result overflows or is subnormal.
fn scale_by_power_of_two(mut x: f64, mut k: i32) -> f64 {
    const STEP: i32 = 1000;
    while k > STEP {
        x *= f64::from_bits(((1023 + STEP) as u64) << 52);
        k -= STEP;
        if x.is_infinite() {
            return x;
        }
    }
    while k < -STEP {
        x *= f64::from_bits(((1023 - STEP) as u64) << 52);
        k += STEP;
        if x == 0.0 {
            return x;
        }
    }
    x * f64::from_bits(((1023 + k) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(xs: &[f64]) -> ExactSum {
        let mut s = ExactSum::new();
        for &x in xs {
            s.add(x);
        }
        s
    }

    /// A deterministic spread of awkward values: tiny, huge, negative, fractional.
    fn values() -> Vec<f64> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        (0..500)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
                let scale = [1e-9, 0.37, 1.0, 12_345.678, 3.1e8, 7e15][i % 6];
                let sign = if state & 1 == 0 { 1.0 } else { -1.0 };
                sign * unit * scale
            })
            .collect()
    }

    #[test]
    fn sums_do_not_depend_on_order_or_grouping() {
        let xs = values();
        let forward = sum_of(&xs);
        let mut reversed = xs.clone();
        reversed.reverse();
        assert_eq!(sum_of(&reversed), forward);
        for cut in [1, 7, 250, 499] {
            let mut left = sum_of(&xs[..cut]);
            let right = sum_of(&xs[cut..]);
            left.add_sum(&right);
            assert_eq!(left, forward, "cut at {cut}");
        }
    }

    #[test]
    fn cancellation_is_exact() {
        let mut s = ExactSum::new();
        s.add(1e300);
        s.add(1.0);
        s.add(-1e300);
        assert_eq!(s.to_f64(), 1.0);
        s.add(-1.0);
        assert!(s.is_zero());
        assert_eq!(s.to_f64(), 0.0);
        assert_eq!(s, ExactSum::new());
        let mut t = ExactSum::new();
        t.add(-2.5);
        t.add(0.5);
        assert_eq!(t.to_f64(), -2.0);
    }

    #[test]
    fn rounding_is_to_nearest_even() {
        // 1 + 2⁻⁵³ is a tie between 1 and the next float: to even, 1.
        let mut s = ExactSum::new();
        s.add(1.0);
        s.add(2f64.powi(-53));
        assert_eq!(s.to_f64(), 1.0);
        // A hair above the tie rounds up.
        s.add(2f64.powi(-200));
        assert_eq!(s.to_f64(), 1.0 + f64::EPSILON);
        // 0.1 + 0.2 exactly is 0.3000000000000000166…, nearest float 0.30000000000000004.
        assert_eq!(sum_of(&[0.1, 0.2]).to_f64(), 0.1 + 0.2);
    }

    #[test]
    fn the_sum_of_many_values_is_within_half_an_ulp() {
        let xs = values();
        let exact = sum_of(&xs).to_f64();
        // Neumaier's compensated sum is accurate to an ulp or two here.
        let (mut sum, mut compensation) = (0.0f64, 0.0f64);
        for &x in &xs {
            let t = sum + x;
            compensation += if sum.abs() >= x.abs() {
                (sum - t) + x
            } else {
                (x - t) + sum
            };
            sum = t;
        }
        let kahan = sum + compensation;
        assert!(
            (exact - kahan).abs() <= 2.0 * f64::EPSILON * kahan.abs(),
            "{exact} {kahan}"
        );
    }

    #[test]
    fn products_and_quotients_are_exact() {
        let mut s = ExactSum::new();
        s.add_times(0.1, 3);
        assert_eq!(s.div_to_f64(3), 0.1);
        let mut squares = ExactSum::new();
        squares.add_square_times(0.1, 1_000_000_007);
        let mut expected = ExactSum::new();
        let square = u128::from(decompose(0.1).unwrap().1).pow(2);
        expected.add_magnitude(
            &mul_small(&[square as u64, (square >> 64) as u64], 1_000_000_007),
            false,
            2 * decompose(0.1).unwrap().2,
        );
        assert_eq!(squares, expected);
        // x·n − n·x = 0, through a sum times a factor.
        let mut zero = ExactSum::new();
        zero.add_times(12_345.678, 77);
        let mut ones = ExactSum::new();
        ones.add_times(1.0, 77);
        zero.add_sum_times(&ones, -12_345.678);
        assert!(zero.is_zero());
        // 1/3 rounds correctly.
        assert_eq!(sum_of(&[1.0]).div_to_f64(3), 1.0 / 3.0);
        assert_eq!(sum_of(&[-2.0]).div_to_f64(3), -2.0 / 3.0);
        assert_eq!(sum_of(&[7e-300]).div_to_f64(7), 7e-300 / 7.0);
    }

    #[test]
    fn extremes_of_the_range() {
        let mut s = ExactSum::new();
        s.add(f64::MAX);
        s.add(f64::MAX);
        assert_eq!(s.div_to_f64(2), f64::MAX);
        let tiny = f64::from_bits(1);
        let mut t = ExactSum::new();
        t.add(tiny);
        t.add(tiny);
        assert_eq!(t.to_f64(), 2.0 * tiny);
        t.add(-3.0 * tiny);
        assert_eq!(t.to_f64(), -tiny);
    }
}
