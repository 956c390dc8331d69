//! Daily demand models and the fast samplers that draw demand paths from them.
//!
//! A model is a distribution at multiplier 1, twelve monthly multipliers and a linear trend.
//! Day t of a run gets the multiplier m_t = seasonality\[month\] · (1 + trend · t / 365), which
//! scales the distribution's level: every family is a scale family in its level except
//! Poisson (λm) and negative binomial (mean μm, same shape r), which stay count distributions.
//!
//! Sampling methods, chosen for speed (a path is drawn for every item of every run):
//!
//! * Normal: 256-layer ziggurat (`foundation::normal`, Doornik 2005), μ + σz, censored at
//!   zero. Lognormal: exp of the same normal draw.
//! * Poisson and negative binomial without trend and with monthly means below 1,000: exact
//!   inverse-CDF tables, one per distinct monthly mean, sampled with one uniform draw and a
//!   guide table (Chen & Asau 1974). The probabilities are built by the pmf's ratio recurrence
//!   outward from the mode (no factorials, no underflow) and cut where a geometric bound puts
//!   the remaining tail below 1e-12. Otherwise, and whenever the level changes daily: the
//!   `rand_distr` Poisson (Knuth below λ = 12, Ahrens & Dieter 1982 above) and, for the
//!   negative binomial, its gamma–Poisson mixture (gamma by Marsaglia & Tsang 2000).
//! * Uniform and empirical: one uniform draw, scaled or used as an index.
//!
//! Whole units round each day's demand to the nearest whole number with
//! `(x + 0.5) as i64 as f64`: two conversion instructions rather than a call to `round`
//! (and, unlike `u64`, conversions x86_64 has single instructions for).
//!
//! This file is the model itself: its families, monthly multipliers, trend and moments, the
//! calendar, and the rounding to whole units that every sampler shares. Drawing is split by
//! job, so that each file holds one concept:
//!
//! * `tables.rs`: the exact probability tables of the count families, built once per scenario;
//! * `sampler.rs`: `DemandSampler`, one run's daily path, and `DemandModel::sampler`, which
//!   builds it (choosing between the tables and the scalar draws);
//! * `lanes.rs`: `LaneSampler`, the paths of several runs drawn together over lanes.
//!
//! `sampler.rs` uses `tables.rs` and `lanes.rs`, never the other way round (`tests/layers.rs`).

mod lanes;
mod sampler;
mod tables;

pub(crate) use lanes::LaneSampler;
pub(crate) use sampler::DemandSampler;

use std::sync::Arc;

use crate::foundation::date::Date;
use crate::foundation::math::{max_fast, min_fast, norm_cdf, norm_pdf};

/// Whether demand comes in whole units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Units {
    /// Every day's demand is rounded to a whole number.
    Whole,
    /// Demand is a real number (litres, kilograms, metres).
    Continuous,
}

/// The distribution of one day's demand at multiplier 1.
#[derive(Clone, Debug, PartialEq)]
pub enum DemandDistribution {
    /// The same demand every day.
    Deterministic {
        /// Units demanded each day.
        value: f64,
    },
    /// Normal; negative draws become 0 (censored at zero).
    Normal {
        /// Mean of the normal before censoring, in units per day.
        mean: f64,
        /// Standard deviation before censoring, in units per day.
        sd: f64,
    },
    /// Poisson counts.
    Poisson {
        /// Mean (and variance) of the daily count, in units per day.
        mean: f64,
    },
    /// Gamma–Poisson mixture for lumpy demand; requires sd² > mean (otherwise it is treated as
    /// Poisson, the limit of infinite shape).
    NegativeBinomial {
        /// Mean, in units per day.
        mean: f64,
        /// Standard deviation, in units per day.
        sd: f64,
    },
    /// Lognormal with this mean and sd of demand itself.
    Lognormal {
        /// Mean of daily demand (not of its logarithm), in units per day.
        mean: f64,
        /// Standard deviation of daily demand, in units per day.
        sd: f64,
    },
    /// Whole units: integers min..=max, each equally likely; Continuous: U(min, max).
    Uniform {
        /// Least daily demand, in units.
        min: f64,
        /// Greatest daily demand, in units.
        max: f64,
    },
    /// Observed daily values, resampled with replacement.
    Empirical {
        /// Observed daily demands, in units, each drawn with equal probability.
        values: Vec<f64>,
    },
    /// History replayed day by day: day t of a run gets values\[t\] (repeating from the start
    /// if the run is longer than the trace); no randomness, no seasonality or trend.
    Trace {
        /// Recorded daily demands, in units, from the first simulated day on.
        values: Arc<[f64]>,
    },
}

/// A validated demand model: distribution, 12 monthly multipliers (January first), linear
/// trend.
#[derive(Clone, Debug)]
pub struct DemandModel {
    /// One day's demand at multiplier 1, before seasonality and trend.
    pub distribution: DemandDistribution,
    /// Monthly multipliers of the demand level, January first (all 1 without seasonality).
    /// Day 0 of a run falls on [`crate::model::scenario::Scenario::start_day_of_year`].
    pub seasonality: [f64; 12],
    /// Demand level × (1 + trend_per_year · t / 365) on day t of the run.
    pub trend_per_year: f64,
    /// Whether daily demand (and so every order) is in whole units.
    pub units: Units,
    /// The date of day 0 of a run (`simulation.start_date`), when the scenario gives one: the
    /// seasonality then follows the calendar's months, leap days included; without it, the
    /// months of a 365-day year from [`crate::model::scenario::Scenario::start_day_of_year`].
    pub start_date: Option<Date>,
}

/// Days in each month of a 365-day year.
pub(crate) const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

impl DemandModel {
    /// Mean of one day's demand at multiplier 1, of the distribution as simulated (the
    /// censored normal: μΦ(μ/σ) + σφ(μ/σ)). Rounding to whole units is ignored except where it
    /// defines the support: whole-unit uniforms are over integers and a whole-unit
    /// deterministic demand is its rounded value.
    pub(crate) fn base_mean(&self) -> f64 {
        match &self.distribution {
            DemandDistribution::Deterministic { value } => match self.units {
                Units::Whole => round_whole(*value),
                Units::Continuous => *value,
            },
            DemandDistribution::Normal { mean, sd } => censored_normal_moments(*mean, *sd).0,
            DemandDistribution::Poisson { mean } => *mean,
            DemandDistribution::NegativeBinomial { mean, .. } => *mean,
            DemandDistribution::Lognormal { mean, .. } => *mean,
            DemandDistribution::Uniform { min, max } => {
                let (lo, hi) = self.uniform_bounds(*min, *max);
                0.5 * (lo + hi)
            }
            DemandDistribution::Empirical { values } => mean_and_sd(values, 0).0,
            DemandDistribution::Trace { values } => mean_and_sd(values, 1).0,
        }
    }

    /// Standard deviation of one day's demand at multiplier 1, of the distribution as
    /// simulated (the censored normal exactly). The extra variance from rounding to whole
    /// units (about 1/12 unit² for a spread-out distribution) is ignored.
    pub(crate) fn base_sd(&self) -> f64 {
        match &self.distribution {
            DemandDistribution::Deterministic { .. } => 0.0,
            DemandDistribution::Normal { mean, sd } => censored_normal_moments(*mean, *sd).1,
            DemandDistribution::Poisson { mean } => mean.max(0.0).sqrt(),
            DemandDistribution::NegativeBinomial { mean, sd } => {
                if sd * sd > *mean {
                    *sd
                } else {
                    mean.max(0.0).sqrt()
                }
            }
            DemandDistribution::Lognormal { sd, .. } => *sd,
            DemandDistribution::Uniform { min, max } => match self.units {
                Units::Whole => {
                    let (lo, hi) = self.uniform_bounds(*min, *max);
                    let n = hi - lo + 1.0;
                    ((n * n - 1.0) / 12.0).sqrt()
                }
                Units::Continuous => (max - min).abs() / 12f64.sqrt(),
            },
            DemandDistribution::Empirical { values } => mean_and_sd(values, 0).1,
            DemandDistribution::Trace { values } => mean_and_sd(values, 1).1,
        }
    }

    /// Average daily demand over a 365-day year including seasonality (day-weighted average
    /// of the multipliers × base_mean), trend ignored. Exact for every family, because each
    /// one's mean is proportional to its level. Trace: the mean of the trace.
    pub(crate) fn annual_daily_mean(&self) -> f64 {
        match &self.distribution {
            DemandDistribution::Trace { values } => mean_and_sd(values, 1).0,
            _ => self.average_multiplier() * self.base_mean(),
        }
    }

    /// Sd used for sizing: base_sd scaled by the same average multiplier (trace: the sample
    /// sd). For normal-like families that is the sd at the average level; for Poisson and the
    /// negative binomial, whose sd grows more slowly than the level, it overstates the sd when
    /// the average multiplier exceeds 1 and understates it below 1 (equal at 1, the usual
    /// normalisation of seasonal indices).
    pub(crate) fn annual_daily_sd(&self) -> f64 {
        match &self.distribution {
            DemandDistribution::Trace { values } => mean_and_sd(values, 1).1,
            _ => self.average_multiplier() * self.base_sd(),
        }
    }

    /// Day-weighted average of the monthly multipliers over a 365-day year.
    fn average_multiplier(&self) -> f64 {
        self.seasonality
            .iter()
            .zip(DAYS_IN_MONTH)
            .map(|(s, d)| s * f64::from(d))
            .sum::<f64>()
            / 365.0
    }

    /// Support of a uniform as simulated: the integers inside [min, max] for whole units
    /// (the nearest integer to the midpoint if there is none), the interval itself otherwise.
    fn uniform_bounds(&self, min: f64, max: f64) -> (f64, f64) {
        let (min, max) = (min.min(max), min.max(max));
        match self.units {
            Units::Continuous => (min, max),
            Units::Whole => {
                let (lo, hi) = (min.ceil(), max.floor());
                if lo <= hi {
                    (lo, hi)
                } else {
                    let mid = (0.5 * (min + max) + 0.5).floor();
                    (mid, mid)
                }
            }
        }
    }
}

/// Nearest whole number for x ≥ 0 (negative values become 0; halves round up), without a
/// library call.
#[inline(always)]
pub(crate) fn round_whole(x: f64) -> f64 {
    const TWO_POW_52: f64 = 4_503_599_627_370_496.0;
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    let y = max_fast(x, 0.0) + 0.5;
    // Below 2⁵², adding and taking away 2⁵² leaves y rounded to a whole number (halves to
    // even); one less where that rounded up gives the floor of y. From 2⁵² on every float is
    // whole, and the floor stops at 2⁶³ as an integer cast does. Floating point only: an
    // integer cast needs two integer registers for its saturation, which the demand loop
    // needs for the generator.
    let below = min_fast(y, TWO_POW_52);
    let r = (below + TWO_POW_52) - TWO_POW_52;
    let floor_below = r - if r > below { 1.0 } else { 0.0 };
    if y < TWO_POW_52 {
        floor_below
    } else {
        min_fast(y, TWO_POW_63)
    }
}

/// [`round_whole`] by way of `floor`, which gives the same value for every input (the tests
/// check it): where `floor` is a single instruction (SSE4.1 and later), four lanes are rounded
/// in four instructions, against some twenty for `round_whole`'s comparisons and selections.
#[inline(always)]
pub(crate) fn round_whole_by_floor(x: f64) -> f64 {
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    min_fast((max_fast(x, 0.0) + 0.5).floor(), TWO_POW_63)
}

/// Mean and sd of a normal(μ, σ) censored at zero, max(X, 0). With a = μ/σ:
/// E = μΦ(a) + σφ(a) and E[max(X,0)²] = (μ² + σ²)Φ(a) + μσφ(a).
fn censored_normal_moments(mu: f64, sigma: f64) -> (f64, f64) {
    if sigma <= 0.0 {
        return (mu.max(0.0), 0.0);
    }
    let a = mu / sigma;
    let (cdf, pdf) = (norm_cdf(a), norm_pdf(a));
    let mean = mu * cdf + sigma * pdf;
    let second = (mu * mu + sigma * sigma) * cdf + mu * sigma * pdf;
    (mean, (second - mean * mean).max(0.0).sqrt())
}

/// Mean and sd of a list; `ddof` 0 for the population sd (resampling with equal weight), 1
/// for the sample sd (a trace is one sample of history).
fn mean_and_sd(values: &[f64], ddof: usize) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n <= ddof {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - ddof) as f64).sqrt())
}

/// Helpers shared by the unit tests of this folder's files.
#[cfg(test)]
mod test_support {
    use super::*;

    pub(super) const FLAT: [f64; 12] = [1.0; 12];

    pub(super) fn model(distribution: DemandDistribution, units: Units) -> DemandModel {
        DemandModel {
            distribution,
            seasonality: FLAT,
            trend_per_year: 0.0,
            units,
            start_date: None,
        }
    }

    /// Exact Poisson pmf by the recurrence from P(0) = e^{−λ} (fine for λ below ~700).
    pub(super) fn poisson_pmf(lambda: f64, len: usize) -> Vec<f64> {
        let mut p = vec![(-lambda).exp()];
        for k in 1..len {
            p.push(p[k - 1] * lambda / k as f64);
        }
        p
    }

    /// Exact negative binomial pmf from P(0) = p^r, P(k) = P(k−1)·(k−1+r)/k·(1−p),
    /// p = r/(r+μ).
    pub(super) fn negative_binomial_pmf(mean: f64, sd: f64, len: usize) -> Vec<f64> {
        let r = mean * mean / (sd * sd - mean);
        let p = r / (r + mean);
        let mut out = vec![p.powf(r)];
        for k in 1..len {
            out.push(out[k - 1] * (k as f64 - 1.0 + r) / k as f64 * (1.0 - p));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::rng::{Stream, rng_for, unit_f64};

    #[test]
    fn rounding_to_whole_units_matches_an_integer_cast() {
        let by_cast = |x: f64| (max_fast(x, 0.0) + 0.5) as i64 as f64;
        let mut values = vec![
            -3.0,
            -0.0,
            0.0,
            0.49,
            0.5,
            1.5,
            2.5,
            2.499_999_999_999_999_6,
            1e15 + 0.5,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9.3e18,
            f64::MAX,
            f64::INFINITY,
        ];
        let mut rng = rng_for(1, 0, Stream::Demand(0));
        values.extend((0..100_000).map(|_| 1e3 * unit_f64(&mut rng)));
        values.extend((0..1000).map(|k| f64::from(k) * 0.5));
        for x in values {
            assert_eq!(round_whole(x).to_bits(), by_cast(x).to_bits(), "{x}");
            assert_eq!(
                round_whole_by_floor(x).to_bits(),
                by_cast(x).to_bits(),
                "{x}"
            );
        }
    }

    /// The month lengths the annual averages weight by are those the sampler walks.
    #[test]
    fn months_of_the_year() {
        let calendar = crate::foundation::date::Calendar::Days365 {
            start_day_of_year: 0,
        };
        let days_per_month = (0..365).fold([0u32; 12], |mut acc, d| {
            acc[calendar.month(d)] += 1;
            acc
        });
        assert_eq!(days_per_month, DAYS_IN_MONTH);
    }
}
