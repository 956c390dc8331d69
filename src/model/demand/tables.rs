//! Exact inverse-CDF tables of the count families, Poisson and negative binomial: one per
//! distinct monthly mean, sampled by [`IntegerTable`] with one uniform draw and a guide table
//! (Chen & Asau 1974). The probabilities are built by the pmf's ratio recurrence outward from
//! the mode (no factorials, no underflow) and cut where a geometric bound puts the remaining
//! tail below 1e-12; a table that would be too long is refused, and the sampler falls back to
//! `rand_distr`.
//!
//! Apart from the sampler because building a table is numerical work of its own, done once per
//! scenario and checked against the exact pmf by its own tests, while the sampler's loops run
//! for every day of every run.

use crate::foundation::days::IntegerTable;

/// Poisson and negative binomial tables are built only for monthly means below this: above
/// it a table has thousands of entries and the rejection sampler is as fast.
const TABLE_MAX_MEAN: f64 = 1000.0;

/// Tables are cut where the remaining tail probability is below this.
const TABLE_TAIL: f64 = 1e-12;

/// Longest table built (very lumpy negative binomials have long tails); beyond it the
/// gamma–Poisson mixture is used instead.
const TABLE_MAX_LEN: usize = 1 << 16;

/// Inverse-CDF table of Poisson(λ), or `None` if too long.
pub(super) fn poisson_table(lambda: f64) -> Option<IntegerTable> {
    // w(k+1)/w(k) = λ/(k+1), falling: the ratio at k bounds every later one.
    count_table(lambda.floor(), |k| lambda / (k + 1.0), 0.0, |k| k / lambda)
}

/// Inverse-CDF table of the negative binomial with this mean and shape r, or `None` if too
/// long. P(k) ∝ Γ(k+r)/k! · q^k with q = μ/(r+μ).
pub(super) fn negative_binomial_table(mean: f64, shape: f64) -> Option<IntegerTable> {
    let q = mean / (shape + mean);
    // Mode ⌊(r−1)μ/r⌋ for r > 1, else 0.
    let mode = if shape > 1.0 {
        ((shape - 1.0) * mean / shape).floor()
    } else {
        0.0
    };
    // w(k+1)/w(k) = (k+r)/(k+1)·q tends to q: falling for r > 1, rising towards q for r < 1,
    // so max(ratio at k, q) bounds every later ratio.
    count_table(
        mode,
        |k| (k + shape) / (k + 1.0) * q,
        q,
        |k| k / ((k - 1.0 + shape) * q),
    )
}

/// Builds a count distribution's table from its pmf ratios, outward from the mode (weight 1
/// there, so nothing overflows or underflows before the cut). `up(k)` is w(k+1)/w(k) and
/// `up_limit` its limit, so that max(up(k), up_limit) bounds the ratios beyond k; `down(k)`
/// is w(k−1)/w(k), which falls as k falls below the mode. A tail is cut when the geometric
/// series of that ratio bounds it below 1e-12 of the mass so far (which is at most the total
/// mass, so the cut is conservative). Returns `None` above `TABLE_MAX_LEN` entries.
fn count_table(
    mode: f64,
    up: impl Fn(f64) -> f64,
    up_limit: f64,
    down: impl Fn(f64) -> f64,
) -> Option<IntegerTable> {
    let mut upper = vec![1.0];
    let mut total = 1.0;
    let mut k = mode;
    let mut w = 1.0;
    loop {
        let ratio = up(k).max(up_limit);
        if ratio < 1.0 && w * ratio / (1.0 - ratio) < TABLE_TAIL * total {
            break;
        }
        w *= up(k);
        k += 1.0;
        upper.push(w);
        total += w;
        if upper.len() > TABLE_MAX_LEN {
            return None;
        }
    }
    let mut lower = Vec::new();
    let mut k = mode;
    let mut w = 1.0;
    while k > 0.0 {
        let ratio = down(k);
        if ratio < 1.0 && w * ratio / (1.0 - ratio) < TABLE_TAIL * total {
            break;
        }
        w *= ratio;
        k -= 1.0;
        lower.push(w);
        total += w;
        if upper.len() + lower.len() > TABLE_MAX_LEN {
            return None;
        }
    }
    let first = k as u32;
    lower.reverse();
    lower.extend_from_slice(&upper);
    Some(IntegerTable::from_pmf(first, &lower))
}

/// One table per distinct monthly mean.
#[derive(Clone, Debug)]
pub(super) struct MonthlyTables {
    pub(super) tables: Box<[IntegerTable]>,
    /// Index into `tables` for each month.
    pub(super) month: [u8; 12],
}

impl MonthlyTables {
    /// `None` if any monthly mean is too large for a table or its table would be too long.
    pub(super) fn build(
        means: [f64; 12],
        table: impl Fn(f64) -> Option<IntegerTable>,
    ) -> Option<MonthlyTables> {
        if !means.iter().all(|&m| m < TABLE_MAX_MEAN) {
            return None;
        }
        let mut distinct: Vec<f64> = Vec::new();
        let mut tables = Vec::new();
        let mut month = [0u8; 12];
        for (slot, &mean) in month.iter_mut().zip(&means) {
            let index = match distinct.iter().position(|&d| d == mean) {
                Some(i) => i,
                None => {
                    distinct.push(mean);
                    tables.push(table(mean)?);
                    distinct.len() - 1
                }
            };
            *slot = index as u8;
        }
        Some(MonthlyTables {
            tables: tables.into_boxed_slice(),
            month,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demand::test_support::{negative_binomial_pmf, poisson_pmf};

    /// Largest absolute difference between a table's cumulative probabilities and the exact
    /// cdf over its range, and the exact mass left outside the range.
    fn table_error(t: &IntegerTable, exact: &[f64]) -> (f64, f64) {
        let first = t.first() as usize;
        let mut cdf: f64 = exact[..first].iter().sum();
        let below = cdf;
        let mut worst: f64 = 0.0;
        for (i, &c) in t.cdf().iter().enumerate() {
            cdf += exact[first + i];
            worst = worst.max((c - cdf).abs());
        }
        (worst, below + (1.0 - cdf))
    }

    /// The tables are the exact distributions up to the 1e-12 tail cut: cumulative
    /// probabilities agree with the exact pmf summed from 0 to within 1e-11, and less than
    /// 1e-11 of the mass lies outside them (rounding of the exact sums is ~1e-14).
    #[test]
    fn tables_match_exact_distributions() {
        for lambda in [0.0, 0.2, 4.0, 37.5, 300.0, 650.0] {
            let t = poisson_table(lambda).expect("short enough");
            let (worst, outside) = table_error(&t, &poisson_pmf(lambda, 3000));
            assert!(worst < 1e-11, "Poisson({lambda}): cdf off by {worst}");
            assert!(outside < 1e-11, "Poisson({lambda}): {outside} left out");
        }
        for (mean, shape) in [(0.5, 0.05), (2.0, 0.3), (40.0, 3.0), (900.0, 50.0)] {
            let t = negative_binomial_table(mean, shape).expect("short enough");
            let sd = (mean + mean * mean / shape).sqrt();
            let (worst, outside) = table_error(&t, &negative_binomial_pmf(mean, sd, 40_000));
            assert!(worst < 1e-11, "NB({mean}, r = {shape}): cdf off by {worst}");
            assert!(
                outside < 1e-11,
                "NB({mean}, r = {shape}): {outside} left out"
            );
        }
        // A very long tail is refused rather than built.
        assert!(negative_binomial_table(900.0, 0.001).is_none());
    }
}
