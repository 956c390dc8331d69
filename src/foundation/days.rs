//! Distributions over whole days: supplier lead times, lateness of late deliveries and
//! disruption durations.
//!
//! Every scenario distribution is turned, once, into a probability table over whole days and
//! sampled by inversion: one `unit_f64` draw and a guide table (Chen & Asau, "On generating
//! random variates from an empirical distribution", AIIE Trans. 6, 1974), which finds the
//! day in O(1) expected steps (fewer than two comparisons on average). Working from the table
//! rather than from the continuous distribution means the moments reported by
//! [`DayDistribution::mean`] and [`DayDistribution::variance`] are exactly those of what is
//! simulated, so policy sizing and simulation cannot disagree.
//!
//! Continuous specs are discretised exactly, P(k) = F(k + ½) − F(k − ½), i.e. each draw is
//! rounded to the nearest day. The lognormal's upper tail is cut where its survival falls below
//! 1e-12 and that mass is given to the last day.

use crate::foundation::math::norm_cdf;

/// A distribution over whole days as written in a scenario (already validated:
/// min ≤ mode ≤ max, sd ≥ 0, mean > 0, non-empty lists).
#[derive(Clone, Debug, PartialEq)]
pub enum DaysSpec {
    /// Always this many days.
    Fixed(u32),
    /// Integers `min..=max`, each equally likely.
    Uniform {
        /// Fewest days.
        min: u32,
        /// Most days.
        max: u32,
    },
    /// Continuous triangular distribution, rounded to the nearest day.
    Triangular {
        /// Lower end, in days.
        min: f64,
        /// Most likely value, in days.
        mode: f64,
        /// Upper end, in days.
        max: f64,
    },
    /// Lognormal with this mean and sd of the days themselves, rounded to the nearest day.
    Lognormal {
        /// Mean, in days.
        mean: f64,
        /// Standard deviation, in days.
        sd: f64,
    },
    /// Observed values, resampled with equal weight.
    Empirical(Vec<u32>),
}

/// Survival probability below which the lognormal tail is folded into the last day.
const TAIL: f64 = 1e-12;

/// Hard cap on the length of a lognormal table. Only reached by absurd specs (sd hundreds of
/// times the mean); beyond it the remaining tail is folded into the last day like the 1e-12
/// tail, and the reported moments still describe exactly what is simulated.
const MAX_TABLE_DAYS: usize = 1 << 20;

/// A discrete distribution over consecutive integers `first, first + 1, …`, sampled by
/// inversion with a guide table. Shared with the demand module, whose Poisson and negative
/// binomial tables are the same kind of object.
#[derive(Clone, Debug)]
pub(crate) struct IntegerTable {
    first: u32,
    /// Cumulative probabilities; the last entry is exactly 1.
    cdf: Box<[f64]>,
    /// `guide[i]` is the smallest index whose cumulative probability exceeds `i / cells`; one
    /// extra entry at the end catches a draw that rounds to `cells` when scaled.
    guide: Box<[u32]>,
    /// Number of guide cells (`guide.len() - 1`).
    guide_cells: u64,
}

impl IntegerTable {
    /// Builds the table from probabilities of `first, first + 1, …`. The weights need not sum
    /// exactly to one: they are normalised, so mass lost when a tail was cut is spread
    /// proportionally (it is below 1e-12 wherever this is used).
    pub(crate) fn from_pmf(first: u32, pmf: &[f64]) -> IntegerTable {
        assert!(
            !pmf.is_empty(),
            "a probability table needs at least one entry"
        );
        let total: f64 = pmf.iter().sum();
        assert!(
            total > 0.0 && total.is_finite(),
            "probabilities must sum to a positive number"
        );
        let mut cdf = Vec::with_capacity(pmf.len());
        let mut running = 0.0;
        for &p in pmf {
            running += p;
            cdf.push((running / total).min(1.0));
        }
        // Exactly one, so that every draw in [0, 1) finds an entry and the search stops.
        *cdf.last_mut().expect("non-empty") = 1.0;

        // One guide cell per entry keeps the expected search length below two comparisons.
        let cells = cdf.len();
        let mut guide = Vec::with_capacity(cells + 1);
        let mut k = 0usize;
        for i in 0..cells {
            let threshold = i as f64 / cells as f64;
            while cdf[k] <= threshold {
                k += 1;
            }
            guide.push(k as u32);
        }
        guide.push((cells - 1) as u32);
        IntegerTable {
            first,
            cdf: cdf.into_boxed_slice(),
            guide: guide.into_boxed_slice(),
            guide_cells: cells as u64,
        }
    }

    /// Cumulative probabilities, for tests that compare tables with exact distributions.
    #[cfg(test)]
    pub(crate) fn cdf(&self) -> &[f64] {
        &self.cdf
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.cdf.len()
    }

    /// First value of the table.
    pub(crate) fn first(&self) -> u32 {
        self.first
    }

    /// Inversion of one uniform draw: start at the guide cell's entry (which no draw in the
    /// cell can be below) and step up to the first cumulative probability above the draw.
    #[inline]
    pub(crate) fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        self.sample_bits(rng.next_u64())
    }

    /// [`Self::sample`] from 64 random bits already drawn.
    #[inline]
    pub(crate) fn sample_bits(&self, raw: u64) -> u32 {
        let bits = raw >> 11;
        let u = bits as f64 * (1.0 / (1u64 << 53) as f64);
        // The guide cell floor(u · cells), in integer arithmetic: exact, and cheaper than a
        // float-to-integer conversion with its saturation checks.
        let cell = ((u128::from(bits) * u128::from(self.guide_cells)) >> 53) as usize;
        let mut k = self.guide[cell] as usize;
        while self.cdf[k] <= u {
            k += 1;
        }
        self.first + k as u32
    }
}

/// The same distribution as a probability table over whole days, ready to sample.
#[derive(Clone, Debug)]
pub struct DayDistribution {
    table: IntegerTable,
    mean: f64,
    variance: f64,
}

impl DayDistribution {
    /// Continuous specs are discretised exactly: P(k) = F(k+0.5) − F(k−0.5); any mass below
    /// `minimum` is moved to `minimum` (a lead time of zero days is not a delivery); the
    /// lognormal tail beyond where the survival drops below 1e-12 is folded into the last day.
    pub fn new(spec: &DaysSpec, minimum: u32) -> DayDistribution {
        let (lo, pmf) = match spec {
            DaysSpec::Fixed(d) => (i64::from(*d), vec![1.0]),
            DaysSpec::Uniform { min, max } => {
                let (a, b) = (*min.min(max), *min.max(max));
                (i64::from(a), vec![1.0; (b - a) as usize + 1])
            }
            DaysSpec::Triangular { min, mode, max } => triangular_pmf(*min, *mode, *max),
            DaysSpec::Lognormal { mean, sd } => lognormal_pmf(*mean, *sd, minimum),
            DaysSpec::Empirical(values) => {
                assert!(!values.is_empty(), "an empirical distribution needs values");
                let a = *values.iter().min().expect("non-empty");
                let b = *values.iter().max().expect("non-empty");
                let mut counts = vec![0.0; (b - a) as usize + 1];
                for &v in values {
                    counts[(v - a) as usize] += 1.0;
                }
                (i64::from(a), counts)
            }
        };
        Self::from_pmf(lo, &pmf, minimum)
    }

    /// Folds mass below `minimum` onto it, trims zero-probability ends and builds the table.
    fn from_pmf(lo: i64, pmf: &[f64], minimum: u32) -> DayDistribution {
        let minimum = i64::from(minimum);
        let start = lo.max(minimum);
        let mut folded: Vec<f64> = Vec::with_capacity(pmf.len());
        let mut below = 0.0;
        for (i, &p) in pmf.iter().enumerate() {
            let day = lo + i as i64;
            if day < start {
                below += p;
            } else {
                folded.push(p);
            }
        }
        if folded.is_empty() {
            // The whole distribution lies below the minimum.
            folded.push(0.0);
        }
        folded[0] += below;

        // Report min()/max() as days that can actually occur.
        let first_nonzero = folded.iter().position(|&p| p > 0.0).unwrap_or(0);
        let last_nonzero = folded.iter().rposition(|&p| p > 0.0).unwrap_or(0);
        let probs = &folded[first_nonzero..=last_nonzero];
        let first = start + first_nonzero as i64;

        let total: f64 = probs.iter().sum();
        let mean = probs
            .iter()
            .enumerate()
            .map(|(i, &p)| p * (first + i as i64) as f64)
            .sum::<f64>()
            / total;
        // Centred sum: accurate even when the mean is large and the spread small.
        let variance = probs
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                let d = (first + i as i64) as f64 - mean;
                p * d * d
            })
            .sum::<f64>()
            / total;
        let first = u32::try_from(first).expect("days fit in u32");
        DayDistribution {
            table: IntegerTable::from_pmf(first, probs),
            mean,
            variance,
        }
    }

    /// Mean of the table, so sizing formulas use exactly what is simulated.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Variance of the table.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// Standard deviation of the table.
    pub fn sd(&self) -> f64 {
        self.variance.sqrt()
    }

    /// Smallest day with positive probability.
    pub fn min(&self) -> u32 {
        self.table.first()
    }

    /// Largest day with positive probability.
    pub fn max(&self) -> u32 {
        self.table.first() + (self.table.len() - 1) as u32
    }

    /// True when only one day is possible.
    pub(crate) fn is_constant(&self) -> bool {
        self.table.len() == 1
    }

    /// Inverse-CDF lookup from one `unit_f64` draw via the guide table, O(1) expected. A
    /// constant distribution returns without drawing, so a fixed lead time leaves the
    /// supplier's stream untouched.
    #[inline]
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        if self.table.len() == 1 {
            return self.table.first();
        }
        self.table.sample(rng)
    }

    /// A draw from 64 random bits already drawn (for counter-based streams).
    #[inline]
    pub(crate) fn sample_bits(&self, bits: u64) -> u32 {
        self.table.sample_bits(bits)
    }
}

/// Exact discretisation of the triangular distribution: returns the first day and the
/// probabilities of the days whose half-open unit interval meets [min, max].
fn triangular_pmf(a: f64, c: f64, b: f64) -> (i64, Vec<f64>) {
    let lo = (a + 0.5).floor() as i64;
    if b <= a {
        return (lo, vec![1.0]);
    }
    let c = c.clamp(a, b);
    // Triangular CDF; each branch is only reached when its denominator is positive.
    let cdf = |x: f64| {
        if x <= a {
            0.0
        } else if x >= b {
            1.0
        } else if x < c {
            (x - a) * (x - a) / ((b - a) * (c - a))
        } else {
            1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
        }
    };
    let hi = (b + 0.5).floor() as i64;
    let pmf = (lo..=hi)
        .map(|k| cdf(k as f64 + 0.5) - cdf(k as f64 - 0.5))
        .collect();
    (lo, pmf)
}

/// Exact discretisation of a lognormal with the given mean and sd of the days. Starts at
/// `minimum`, whose probability is the whole lower CDF F(minimum + ½) (the fold the caller
/// would otherwise do), and stops at the first day whose upper survival is below 1e-12,
/// which takes that survival.
fn lognormal_pmf(mean: f64, sd: f64, minimum: u32) -> (i64, Vec<f64>) {
    if sd <= 0.0 {
        return ((mean + 0.5).floor() as i64, vec![1.0]);
    }
    let s2 = (1.0 + (sd / mean) * (sd / mean)).ln();
    let s = s2.sqrt();
    let mu = mean.ln() - 0.5 * s2;
    let z = |x: f64| {
        if x > 0.0 {
            (x.ln() - mu) / s
        } else {
            f64::NEG_INFINITY
        }
    };
    // Probability of (x_lo, x_hi], computed from whichever tail avoids cancellation.
    let mass = |x_lo: f64, x_hi: f64| {
        let (zl, zh) = (z(x_lo), z(x_hi));
        if zh <= 0.0 {
            norm_cdf(zh) - norm_cdf(zl)
        } else {
            norm_cdf(-zl) - norm_cdf(-zh)
        }
    };
    let survival = |x: f64| norm_cdf(-z(x));

    let lo = i64::from(minimum);
    let mut pmf = vec![norm_cdf(z(lo as f64 + 0.5))];
    let mut k = lo;
    loop {
        let tail = survival(k as f64 + 0.5);
        if tail < TAIL || pmf.len() >= MAX_TABLE_DAYS {
            *pmf.last_mut().expect("non-empty") += tail;
            break;
        }
        k += 1;
        pmf.push(mass(k as f64 - 0.5, k as f64 + 0.5));
    }
    (lo, pmf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::rng::{Stream, rng_for};

    fn table_sum(d: &DayDistribution) -> f64 {
        // The last cumulative probability is forced to 1; check the increments sum to 1
        // before forcing, i.e. that the second-to-last entry is consistent with the pmf.
        let cdf = &d.table.cdf;
        let mut prev = 0.0;
        let mut sum = 0.0;
        for &c in cdf.iter() {
            assert!(c >= prev, "cumulative probabilities must not decrease");
            sum += c - prev;
            prev = c;
        }
        sum
    }

    fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
        assert!(
            (got - want).abs() <= tol,
            "{what}: got {got}, want {want} ± {tol}"
        );
    }

    /// Sample moments of `n` draws, checked against the table's own mean and variance.
    /// Mean: |x̄ − μ| < 4σ/√n (normal approximation of the sample mean).
    /// Variance: |s² − σ²| < 4·sqrt((μ4 − σ⁴)/n), the asymptotic sd of the sample variance,
    /// with μ4 the exact fourth central moment of the table.
    fn check_sample_moments(d: &DayDistribution, seed: u64) {
        let n = 200_000;
        let mut rng = rng_for(seed, 0, Stream::Supplier(0));
        let mut sum = 0.0;
        let mut sum2 = 0.0;
        for _ in 0..n {
            let x = d.sample(&mut rng);
            assert!(
                x >= d.min() && x <= d.max(),
                "draw {x} outside [{}, {}]",
                d.min(),
                d.max()
            );
            let x = x as f64 - d.mean();
            sum += x;
            sum2 += x * x;
        }
        let nf = n as f64;
        let mean_dev = sum / nf;
        let var = sum2 / nf - mean_dev * mean_dev;
        let sigma = d.sd();
        let mut mu4 = 0.0;
        let mut prev = 0.0;
        for (i, &c) in d.table.cdf.iter().enumerate() {
            let x = (d.min() + i as u32) as f64 - d.mean();
            mu4 += (c - prev) * x.powi(4);
            prev = c;
        }
        assert!(
            mean_dev.abs() <= 4.0 * sigma / nf.sqrt() + 1e-12,
            "sample mean off by {mean_dev}"
        );
        let var_tol = 4.0 * ((mu4 - sigma.powi(4)) / nf).sqrt() + 1e-12;
        assert!(
            (var - d.variance()).abs() <= var_tol,
            "sample variance {var}, table {} ± {var_tol}",
            d.variance()
        );
    }

    #[test]
    fn fixed_is_constant_and_draws_nothing() {
        let d = DayDistribution::new(&DaysSpec::Fixed(7), 1);
        assert!(d.is_constant());
        assert_eq!((d.min(), d.max()), (7, 7));
        assert_eq!((d.mean(), d.variance()), (7.0, 0.0));
        let mut a = rng_for(1, 0, Stream::Supplier(0));
        let mut b = a.clone();
        assert_eq!(d.sample(&mut a), 7);
        use rand::Rng;
        assert_eq!(
            a.next_u64(),
            b.next_u64(),
            "a constant must not consume the stream"
        );
    }

    #[test]
    fn fixed_below_minimum_moves_to_minimum() {
        let d = DayDistribution::new(&DaysSpec::Fixed(0), 1);
        assert_eq!((d.min(), d.max(), d.mean()), (1, 1, 1.0));
    }

    #[test]
    fn uniform_moments_exact() {
        let d = DayDistribution::new(&DaysSpec::Uniform { min: 3, max: 9 }, 1);
        assert_close(table_sum(&d), 1.0, 1e-12, "sum");
        assert_eq!((d.min(), d.max()), (3, 9));
        // Discrete uniform on n = 7 integers: mean (a+b)/2, variance (n²−1)/12.
        assert_close(d.mean(), 6.0, 1e-12, "mean");
        assert_close(d.variance(), 48.0 / 12.0, 1e-12, "variance");
        check_sample_moments(&d, 11);
    }

    #[test]
    fn uniform_respects_minimum() {
        // Days 0..=3 with minimum 2: P(2) = 3/4, P(3) = 1/4.
        let d = DayDistribution::new(&DaysSpec::Uniform { min: 0, max: 3 }, 2);
        assert_eq!((d.min(), d.max()), (2, 3));
        assert_close(d.mean(), 2.25, 1e-12, "mean");
        assert_close(d.variance(), 0.75 * 0.25, 1e-12, "variance");
        let mut rng = rng_for(3, 0, Stream::Supplier(0));
        assert!((0..10_000).all(|_| d.sample(&mut rng) >= 2));
    }

    #[test]
    fn empirical_moments_exact() {
        let values = vec![2, 3, 3, 5, 8, 8, 8, 14];
        let d = DayDistribution::new(&DaysSpec::Empirical(values.clone()), 1);
        assert_close(table_sum(&d), 1.0, 1e-12, "sum");
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (v as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        assert_close(d.mean(), mean, 1e-12, "mean");
        assert_close(d.variance(), var, 1e-12, "variance");
        assert_eq!((d.min(), d.max()), (2, 14));
        check_sample_moments(&d, 12);
        // Values never observed are never drawn.
        let mut rng = rng_for(4, 0, Stream::Supplier(0));
        for _ in 0..10_000 {
            let x = d.sample(&mut rng);
            assert!(values.contains(&x), "drew unobserved {x}");
        }
    }

    #[test]
    fn empirical_respects_minimum() {
        let d = DayDistribution::new(&DaysSpec::Empirical(vec![0, 1, 4, 5]), 2);
        assert_eq!((d.min(), d.max()), (2, 5));
        assert_close(d.mean(), (2.0 + 2.0 + 4.0 + 5.0) / 4.0, 1e-12, "mean");
    }

    #[test]
    fn triangular_close_to_continuous() {
        for (a, c, b, seed) in [(2.0, 5.0, 12.0, 13), (2.3, 5.1, 11.7, 16)] {
            let d = DayDistribution::new(
                &DaysSpec::Triangular {
                    min: a,
                    mode: c,
                    max: b,
                },
                1,
            );
            assert_close(table_sum(&d), 1.0, 1e-12, "sum");
            let mean = (a + b + c) / 3.0;
            let var = (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0;
            // Rounding to the nearest day leaves the mean nearly unchanged and adds about
            // 1/12 to the variance (Sheppard's correction). The correction is only
            // approximate at the triangle's kinks: about 1e-4 on the mean and 1e-2 on the
            // variance for the second case, hence the tolerances.
            assert_close(d.mean(), mean, 1e-3, "mean");
            assert_close(d.variance(), var + 1.0 / 12.0, 0.02, "variance");
            assert_eq!((d.min(), d.max()), (2, 12));
            check_sample_moments(&d, seed);
        }
    }

    #[test]
    fn triangular_degenerate_shapes() {
        // Mode at an end (right-angled triangles) and a point mass.
        for (a, c, b) in [(1.0, 1.0, 6.0), (1.0, 6.0, 6.0)] {
            let d = DayDistribution::new(
                &DaysSpec::Triangular {
                    min: a,
                    mode: c,
                    max: b,
                },
                1,
            );
            assert_close(d.mean(), (a + b + c) / 3.0, 0.02, "mean");
        }
        let d = DayDistribution::new(
            &DaysSpec::Triangular {
                min: 4.2,
                mode: 4.2,
                max: 4.2,
            },
            1,
        );
        assert!(d.is_constant());
        assert_eq!(d.min(), 4);
    }

    #[test]
    fn triangular_respects_minimum() {
        let d = DayDistribution::new(
            &DaysSpec::Triangular {
                min: 0.0,
                mode: 1.0,
                max: 4.0,
            },
            1,
        );
        assert_eq!(d.min(), 1);
        let mut rng = rng_for(5, 0, Stream::Supplier(0));
        assert!((0..10_000).all(|_| d.sample(&mut rng) >= 1));
    }

    #[test]
    fn lognormal_close_to_continuous() {
        let (mean, sd) = (10.0, 4.0);
        let d = DayDistribution::new(&DaysSpec::Lognormal { mean, sd }, 1);
        assert_close(table_sum(&d), 1.0, 1e-12, "sum");
        // Mass below day 1 is ~1e-9 here, so the minimum barely moves the moments; rounding
        // adds 1/12 to the variance (Sheppard), very nearly exact for this smooth density
        // (errors about 5e-8 on the mean and 1e-6 on the variance).
        assert_close(d.mean(), mean, 1e-4, "mean");
        assert_close(d.variance(), sd * sd + 1.0 / 12.0, 1e-4, "variance");
        // The table reaches into the tail: survival 1e-12 at z ≈ 7.03.
        let s = (1.0 + 0.16f64).ln().sqrt();
        let mu = mean.ln() - 0.5 * s * s;
        let tail_day = (mu + 7.034 * s).exp();
        assert!(
            (d.max() as f64 - tail_day).abs() < 2.0,
            "max {} vs {tail_day}",
            d.max()
        );
        check_sample_moments(&d, 14);
    }

    #[test]
    fn lognormal_respects_minimum() {
        // Mean 2, sd 2: P(X < 1.5) is about 0.5, all of which must land on day 2.
        let d = DayDistribution::new(&DaysSpec::Lognormal { mean: 2.0, sd: 2.0 }, 2);
        assert_eq!(d.min(), 2);
        assert_close(table_sum(&d), 1.0, 1e-12, "sum");
        let mut rng = rng_for(6, 0, Stream::Supplier(0));
        assert!((0..10_000).all(|_| d.sample(&mut rng) >= 2));
        check_sample_moments(&d, 15);
        let zero_sd = DayDistribution::new(&DaysSpec::Lognormal { mean: 6.4, sd: 0.0 }, 1);
        assert!(zero_sd.is_constant());
        assert_eq!(zero_sd.min(), 6);
    }

    #[test]
    fn draws_hit_every_day_in_proportion() {
        // Frequencies of each day agree with the table (binomial 4σ bound per cell).
        let d = DayDistribution::new(&DaysSpec::Empirical(vec![1, 2, 2, 3, 3, 3, 3, 9]), 1);
        let n = 160_000;
        let mut counts = [0u32; 10];
        let mut rng = rng_for(7, 0, Stream::Supplier(0));
        for _ in 0..n {
            counts[d.sample(&mut rng) as usize] += 1;
        }
        for (day, p) in [
            (1, 1.0 / 8.0),
            (2, 2.0 / 8.0),
            (3, 4.0 / 8.0),
            (9, 1.0 / 8.0),
        ] {
            let f = counts[day] as f64 / n as f64;
            let tol = 4.0 * (p * (1.0 - p) / n as f64).sqrt();
            assert_close(f, p, tol, "frequency");
        }
        assert_eq!(counts[4..9].iter().sum::<u32>(), 0);
    }

    #[test]
    fn same_seed_same_draws() {
        let d = DayDistribution::new(
            &DaysSpec::Lognormal {
                mean: 20.0,
                sd: 8.0,
            },
            1,
        );
        let draw = |seed| {
            let mut rng = rng_for(seed, 3, Stream::Supplier(1));
            (0..100).map(|_| d.sample(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(9), draw(9));
        assert_ne!(draw(9), draw(10));
    }
}
