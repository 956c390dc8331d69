//! Daily demand models and the fast samplers that draw demand paths from them.
//!
//! A model is a distribution at multiplier 1, twelve monthly multipliers and a linear trend.
//! Day t of a run gets the multiplier m_t = seasonality\[month\] · (1 + trend · t / 365), which
//! scales the distribution's level: every family is a scale family in its level except
//! Poisson (λm) and negative binomial (mean μm, same shape r), which stay count distributions.
//!
//! Sampling methods, chosen for speed (a path is drawn for every item of every run):
//!
//! * Normal: 256-layer ziggurat ([`crate::foundation::normal`], Doornik 2005), μ + σz, censored at
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

use std::sync::Arc;

use rand_distr::{Distribution, Gamma, Poisson};

use crate::foundation::normal::{standard_normal, standard_normals};

use crate::foundation::days::IntegerTable;
use crate::foundation::math::{max_fast, min_fast, norm_cdf, norm_pdf};
use crate::foundation::rng::{LaneStreams, SimRng, unit_f64};
use crate::foundation::vector::Vector;

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
    Deterministic { value: f64 },
    /// Normal; negative draws become 0 (censored at zero).
    Normal { mean: f64, sd: f64 },
    /// Poisson counts.
    Poisson { mean: f64 },
    /// Gamma–Poisson mixture for lumpy demand; requires sd² > mean (otherwise it is treated as
    /// Poisson, the limit of infinite shape).
    NegativeBinomial { mean: f64, sd: f64 },
    /// Lognormal with this mean and sd of demand itself.
    Lognormal { mean: f64, sd: f64 },
    /// Whole units: integers min..=max, each equally likely; Continuous: U(min, max).
    Uniform { min: f64, max: f64 },
    /// Observed daily values, resampled with replacement.
    Empirical { values: Vec<f64> },
    /// History replayed day by day: day t of a run gets values\[t\] (repeating from the start
    /// if the run is longer than the trace); no randomness, no seasonality or trend.
    Trace { values: Arc<[f64]> },
}

/// A validated demand model: distribution, 12 monthly multipliers (January first), linear
/// trend.
#[derive(Clone, Debug)]
pub struct DemandModel {
    pub distribution: DemandDistribution,
    pub seasonality: [f64; 12],
    /// Demand level × (1 + trend_per_year · t / 365) on day t of the run.
    pub trend_per_year: f64,
    pub units: Units,
}

/// Days in each month of a 365-day year.
pub const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/// Month of every day of the year, so the daily loop looks it up instead of dividing.
static MONTH_OF_DAY: [u8; 365] = month_table();

const fn month_table() -> [u8; 365] {
    let mut out = [0u8; 365];
    let mut month = 0;
    let mut end = DAYS_IN_MONTH[0] as usize;
    let mut day = 0;
    while day < 365 {
        if day == end {
            month += 1;
            end += DAYS_IN_MONTH[month] as usize;
        }
        out[day] = month as u8;
        day += 1;
    }
    out
}

/// Month (0 = January) of a day of the year in a 365-day year (taken modulo 365).
pub fn month_of_day(day_of_year: u32) -> usize {
    MONTH_OF_DAY[(day_of_year % 365) as usize] as usize
}

/// Poisson and negative binomial tables are built only for monthly means below this: above
/// it a table has thousands of entries and the rejection sampler is as fast.
const TABLE_MAX_MEAN: f64 = 1000.0;

/// Tables are cut where the remaining tail probability is below this.
const TABLE_TAIL: f64 = 1e-12;

/// Longest table built (very lumpy negative binomials have long tails); beyond it the
/// gamma–Poisson mixture is used instead.
const TABLE_MAX_LEN: usize = 1 << 16;

impl DemandModel {
    /// Mean of one day's demand at multiplier 1, of the distribution as simulated (the
    /// censored normal: μΦ(μ/σ) + σφ(μ/σ)). Rounding to whole units is ignored except where it
    /// defines the support: whole-unit uniforms are over integers and a whole-unit
    /// deterministic demand is its rounded value.
    pub fn base_mean(&self) -> f64 {
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
    pub fn base_sd(&self) -> f64 {
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
    pub fn annual_daily_mean(&self) -> f64 {
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
    pub fn annual_daily_sd(&self) -> f64 {
        match &self.distribution {
            DemandDistribution::Trace { values } => mean_and_sd(values, 1).1,
            _ => self.average_multiplier() * self.base_sd(),
        }
    }

    /// Everything needed to draw paths fast (precomputed tables etc.). Built once per scenario.
    pub fn sampler(&self) -> DemandSampler {
        self.build_sampler(true)
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

    /// `allow_tables = false` forces the `rand_distr` fallbacks (so tests can check them at
    /// small means too).
    fn build_sampler(&self, allow_tables: bool) -> DemandSampler {
        let whole = self.units == Units::Whole;
        let seasonality = self.seasonality.map(|s| s.max(0.0));
        let monthly_means = |mean: f64| seasonality.map(|s| mean.max(0.0) * s);
        let tables_usable = allow_tables && self.trend_per_year == 0.0;
        let kind = match &self.distribution {
            DemandDistribution::Deterministic { value } => Kind::Scaled(Scaled::Constant(*value)),
            DemandDistribution::Normal { mean, sd } => {
                if *sd > 0.0 {
                    Kind::Scaled(Scaled::Normal {
                        mean: *mean,
                        sd: *sd,
                    })
                } else {
                    Kind::Scaled(Scaled::Constant(mean.max(0.0)))
                }
            }
            DemandDistribution::Poisson { mean } => {
                let tables = tables_usable
                    .then(|| MonthlyTables::build(monthly_means(*mean), poisson_table))
                    .flatten();
                match tables {
                    Some(t) => Kind::Tables(t),
                    None => Kind::Poisson {
                        mean: mean.max(0.0),
                    },
                }
            }
            DemandDistribution::NegativeBinomial { mean, sd } => {
                let excess = sd * sd - mean;
                if excess > 0.0 && *mean > 0.0 {
                    // Var = μ + μ²/r, so the shape r = μ²/(σ² − μ); it stays fixed when the
                    // level is scaled.
                    let shape = mean * mean / excess;
                    let tables = tables_usable
                        .then(|| {
                            MonthlyTables::build(monthly_means(*mean), |m| {
                                negative_binomial_table(m, shape)
                            })
                        })
                        .flatten();
                    match tables {
                        Some(t) => Kind::Tables(t),
                        None => Kind::NegativeBinomial {
                            gamma: Gamma::new(shape, 1.0).expect("positive finite shape"),
                            scale: mean / shape,
                        },
                    }
                } else {
                    // sd² ≤ mean is not overdispersed: the Poisson limit (r → ∞).
                    let poisson = DemandModel {
                        distribution: DemandDistribution::Poisson { mean: *mean },
                        ..self.clone()
                    };
                    return poisson.build_sampler(allow_tables);
                }
            }
            DemandDistribution::Lognormal { mean, sd } => {
                if *mean <= 0.0 {
                    Kind::Scaled(Scaled::Constant(0.0))
                } else if *sd <= 0.0 {
                    Kind::Scaled(Scaled::Constant(*mean))
                } else {
                    let s2 = (1.0 + (sd / mean) * (sd / mean)).ln();
                    Kind::Scaled(Scaled::Lognormal {
                        mu: mean.ln() - 0.5 * s2,
                        sigma: s2.sqrt(),
                    })
                }
            }
            DemandDistribution::Uniform { min, max } => {
                let (lo, hi) = self.uniform_bounds(*min, *max);
                if hi <= lo {
                    Kind::Scaled(Scaled::Constant(lo))
                } else if whole {
                    Kind::Scaled(Scaled::UniformWhole {
                        min: lo,
                        count: hi - lo + 1.0,
                    })
                } else {
                    Kind::Scaled(Scaled::UniformContinuous {
                        min: lo,
                        width: hi - lo,
                    })
                }
            }
            DemandDistribution::Empirical { values } => {
                if values.is_empty() {
                    Kind::Scaled(Scaled::Constant(0.0))
                } else {
                    Kind::Scaled(Scaled::Empirical {
                        values: values.clone().into_boxed_slice(),
                        count: values.len() as f64,
                    })
                }
            }
            DemandDistribution::Trace { values } => {
                let needs_rounding = whole && values.iter().any(|&v| round_whole(v) != v);
                let values = if needs_rounding {
                    values.iter().map(|&v| round_whole(v)).collect()
                } else {
                    Arc::clone(values)
                };
                Kind::Trace(values)
            }
        };
        DemandSampler {
            kind,
            seasonality,
            trend_per_day: self.trend_per_year / 365.0,
            flat: self.trend_per_year == 0.0 && seasonality.iter().all(|&s| s == 1.0),
            whole,
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

/// Inverse-CDF table of Poisson(λ), or `None` if too long.
fn poisson_table(lambda: f64) -> Option<IntegerTable> {
    // w(k+1)/w(k) = λ/(k+1), falling: the ratio at k bounds every later one.
    count_table(lambda.floor(), |k| lambda / (k + 1.0), 0.0, |k| k / lambda)
}

/// Inverse-CDF table of the negative binomial with this mean and shape r, or `None` if too
/// long. P(k) ∝ Γ(k+r)/k! · q^k with q = μ/(r+μ).
fn negative_binomial_table(mean: f64, shape: f64) -> Option<IntegerTable> {
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
struct MonthlyTables {
    tables: Box<[IntegerTable]>,
    /// Index into `tables` for each month.
    month: [u8; 12],
}

impl MonthlyTables {
    /// `None` if any monthly mean is too large for a table or its table would be too long.
    fn build(
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

/// Families whose draw at multiplier m is m times the draw at multiplier 1.
#[derive(Clone, Debug)]
enum Scaled {
    Constant(f64),
    /// Censored at zero after scaling, which commutes with scaling by m ≥ 0.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// exp(mu + sigma·z).
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    UniformContinuous {
        min: f64,
        width: f64,
    },
    /// min + ⌊u·count⌋.
    UniformWhole {
        min: f64,
        count: f64,
    },
    Empirical {
        values: Box<[f64]>,
        count: f64,
    },
}

#[derive(Clone, Debug)]
enum Kind {
    Scaled(Scaled),
    /// Poisson or negative binomial, no trend: a table per month.
    Tables(MonthlyTables),
    /// Poisson(mean · m) from `rand_distr`, built for each day's level.
    Poisson {
        mean: f64,
    },
    /// Poisson(G · scale · m) with G ~ Gamma(shape, 1): negative binomial with mean
    /// shape · scale · m and the model's shape.
    NegativeBinomial {
        gamma: Gamma<f64>,
        scale: f64,
    },
    Trace(Arc<[f64]>),
}

/// Draws the demand paths of several runs together: normal demand without seasonality or trend
/// (the common case), whose draws step in lanes ([`standard_normals`]). Obtained from
/// [`DemandSampler::in_lanes`].
#[derive(Clone, Copy, Debug)]
pub struct LaneSampler {
    mean: f64,
    sd: f64,
    whole: bool,
}

impl LaneSampler {
    /// Fill `paths[t * N + l]` with day t of the path [`DemandSampler::fill_path`] draws from
    /// `rngs[l]`, bit for bit, for as many days as `paths` holds; each generator ends where
    /// `fill_path` leaves it.
    pub fn fill<const N: usize>(&self, vector: Vector, rngs: &mut [SimRng; N], paths: &mut [f64]) {
        #[cfg(target_arch = "x86_64")]
        if vector.avx2() {
            // SAFETY: `Vector::avx2` holds only where the processor has AVX2.
            unsafe { self.fill_avx2(rngs, paths) };
            return;
        }
        let _ = vector;
        self.fill_lanes::<N, false>(rngs, paths);
    }

    /// [`LaneSampler::fill`] compiled with AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn fill_avx2<const N: usize>(&self, rngs: &mut [SimRng; N], paths: &mut [f64]) {
        self.fill_lanes::<N, true>(rngs, paths);
    }

    /// With `FLOOR_INSTRUCTION`, whole units are rounded with [`round_whole_by_floor`], which
    /// only a function compiled for SSE4.1 or later (as AVX2 is) turns into one instruction;
    /// elsewhere `floor` is a library call, and [`round_whole`] is cheaper.
    #[inline(always)]
    fn fill_lanes<const N: usize, const FLOOR_INSTRUCTION: bool>(
        &self,
        rngs: &mut [SimRng; N],
        paths: &mut [f64],
    ) {
        let mut streams = LaneStreams::new(rngs);
        for day in paths.chunks_exact_mut(N) {
            let z = standard_normals(&mut streams);
            for (out, z) in day.iter_mut().zip(z) {
                // As `normal`, then rounded as `fill_scaled` rounds.
                let x = max_fast(self.mean + self.sd * z, 0.0);
                *out = match (self.whole, FLOOR_INSTRUCTION) {
                    (false, _) => x,
                    (true, false) => round_whole(x),
                    (true, true) => round_whole_by_floor(x),
                };
            }
        }
        for (l, rng) in rngs.iter_mut().enumerate() {
            *rng = streams.lane(l);
        }
    }
}

/// Everything needed to draw demand paths of one model fast. `Send + Sync`, shared by all
/// threads of a simulation.
#[derive(Clone, Debug)]
pub struct DemandSampler {
    kind: Kind,
    /// Monthly multipliers, negative ones clamped to 0.
    seasonality: [f64; 12],
    trend_per_day: f64,
    /// No seasonality and no trend: every multiplier is 1.
    flat: bool,
    whole: bool,
}

impl DemandSampler {
    /// The sampler that draws several runs' paths together, for the models it covers.
    pub fn in_lanes(&self) -> Option<LaneSampler> {
        match self.kind {
            Kind::Scaled(Scaled::Normal { mean, sd }) if self.flat => Some(LaneSampler {
                mean,
                sd,
                whole: self.whole,
            }),
            _ => None,
        }
    }

    /// Fill `path[t]` with the demand of day t = 0..path.len() of a run, where day t falls on
    /// day-of-year (first_day_of_year + t) % 365 (0 = 1 January, 365-day years). The
    /// multiplier m_t = seasonality\[month\] · (1 + trend · t/365), floored at 0, scales the
    /// distribution's level: normal(μm, σm), Poisson(λm), negative binomial with mean μm and
    /// the same shape, lognormal/uniform/empirical/deterministic draw × m. Whole units round
    /// the result to the nearest whole number (Poisson and NB are already whole). No
    /// allocation. Each day's draws depend only on the model, the day and the stream, never
    /// on the values drawn before, so paths are reproducible. The rejection samplers
    /// (ziggurat, Poisson above λ = 12 and gamma) use a variable number of raw draws; the
    /// table samplers and uniform families use exactly one per day, deterministic and trace
    /// none.
    pub fn fill_path(&self, rng: &mut SimRng, first_day_of_year: u32, path: &mut [f64]) {
        match &self.kind {
            Kind::Scaled(scaled) => {
                if self.whole {
                    self.fill_family::<true>(scaled, rng, first_day_of_year, path)
                } else {
                    self.fill_family::<false>(scaled, rng, first_day_of_year, path)
                }
            }
            Kind::Tables(tables) => {
                // A local copy of the generator stays in registers (see `fill_scaled`).
                let mut local = rng.clone();
                let mut day = first_day_of_year % 365;
                for out in path.iter_mut() {
                    let month = MONTH_OF_DAY[day as usize] as usize;
                    let table = &tables.tables[tables.month[month] as usize];
                    *out = f64::from(table.sample(&mut local));
                    day += 1;
                    if day == 365 {
                        day = 0;
                    }
                }
                *rng = local;
            }
            Kind::Poisson { mean } => {
                self.fill_counts(rng, first_day_of_year, path, |r, m| poisson(r, mean * m))
            }
            Kind::NegativeBinomial { gamma, scale } => {
                self.fill_counts(rng, first_day_of_year, path, |r, m| {
                    let rate = gamma.sample(r) * scale * m;
                    poisson(r, rate)
                })
            }
            Kind::Trace(values) => {
                if values.is_empty() {
                    path.fill(0.0);
                } else {
                    for chunk in path.chunks_mut(values.len()) {
                        chunk.copy_from_slice(&values[..chunk.len()]);
                    }
                }
            }
        }
    }

    /// Dispatch on the scale family once per path, so each loop is specialised.
    fn fill_family<const WHOLE: bool>(
        &self,
        scaled: &Scaled,
        rng: &mut SimRng,
        first_day_of_year: u32,
        path: &mut [f64],
    ) {
        let day = first_day_of_year;
        match scaled {
            Scaled::Constant(c) => self.fill_scaled::<WHOLE>(rng, day, path, |_| *c),
            Scaled::Normal { mean, sd } => {
                self.fill_scaled::<WHOLE>(rng, day, path, |r| normal(r, *mean, *sd))
            }
            Scaled::Lognormal { mu, sigma } => {
                self.fill_scaled::<WHOLE>(rng, day, path, |r| lognormal(r, *mu, *sigma))
            }
            Scaled::UniformContinuous { min, width } => {
                self.fill_scaled::<WHOLE>(rng, day, path, |r| min + width * unit_f64(r))
            }
            // Truncation of u·count ≥ 0 is the floor.
            Scaled::UniformWhole { min, count } => self.fill_scaled::<WHOLE>(rng, day, path, |r| {
                min + (unit_f64(r) * count) as i64 as f64
            }),
            // u < 1 keeps u·count below count in floating point, so the index is in range.
            Scaled::Empirical { values, count } => self
                .fill_scaled::<WHOLE>(rng, day, path, |r| values[(unit_f64(r) * count) as usize]),
        }
    }

    /// The multiplier of day `t` in month `month`.
    #[inline(always)]
    fn multiplier(&self, month: usize, t: usize) -> f64 {
        (self.seasonality[month] * (1.0 + self.trend_per_day * t as f64)).max(0.0)
    }

    /// Loop for the scale families: draw at multiplier 1, scale, round if `WHOLE`.
    #[inline(always)]
    fn fill_scaled<const WHOLE: bool>(
        &self,
        rng: &mut SimRng,
        first_day_of_year: u32,
        path: &mut [f64],
        mut draw: impl FnMut(&mut SimRng) -> f64,
    ) {
        // The loops draw from a local copy of the generator, which the compiler keeps in
        // registers as long as its address goes nowhere (the normal sampler's cold path takes
        // it by value): through `rng`, its state would be loaded and stored on every draw.
        let mut local = rng.clone();
        if self.flat {
            // No seasonality and no trend: skip the calendar (most items, and the hot case).
            // Two days per step, in day order: half the loop's own instructions per draw.
            let mut one = |out: &mut f64| {
                let x = draw(&mut local);
                *out = if WHOLE { round_whole(x) } else { x };
            };
            let mut pairs = path.chunks_exact_mut(2);
            for pair in &mut pairs {
                one(&mut pair[0]);
                one(&mut pair[1]);
            }
            pairs.into_remainder().iter_mut().for_each(one);
        } else {
            self.fill_counts(&mut local, first_day_of_year, path, |r, m| {
                let x = draw(r) * m;
                if WHOLE { round_whole(x) } else { x }
            });
        }
        *rng = local;
    }

    /// Loop over the days of a path with each day's multiplier.
    #[inline(always)]
    fn fill_counts(
        &self,
        rng: &mut SimRng,
        first_day_of_year: u32,
        path: &mut [f64],
        mut draw: impl FnMut(&mut SimRng, f64) -> f64,
    ) {
        let mut day = first_day_of_year % 365;
        for (t, out) in path.iter_mut().enumerate() {
            let m = self.multiplier(MONTH_OF_DAY[day as usize] as usize, t);
            *out = draw(rng, m);
            day += 1;
            if day == 365 {
                day = 0;
            }
        }
    }
}

/// Normal draw censored at zero.
#[inline(always)]
fn normal(rng: &mut SimRng, mean: f64, sd: f64) -> f64 {
    let z = standard_normal(rng);
    max_fast(mean + sd * z, 0.0)
}

#[inline(always)]
fn lognormal(rng: &mut SimRng, mu: f64, sigma: f64) -> f64 {
    let z = standard_normal(rng);
    (mu + sigma * z).exp()
}

/// Poisson draw at a level that may change every day. A zero level draws nothing; a level
/// beyond `rand_distr`'s limit (1.8e19) returns the level, whose relative sd is below 1e-9.
#[inline(always)]
fn poisson(rng: &mut SimRng, lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 0.0;
    }
    match Poisson::new(lambda) {
        Ok(p) => p.sample(rng),
        Err(_) => lambda,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::rng::{Stream, rng_for};

    const FLAT: [f64; 12] = [1.0; 12];

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

    fn model(distribution: DemandDistribution, units: Units) -> DemandModel {
        DemandModel {
            distribution,
            seasonality: FLAT,
            trend_per_year: 0.0,
            units,
        }
    }

    fn path(sampler: &DemandSampler, seed: u64, first_day: u32, len: usize) -> Vec<f64> {
        let mut rng = rng_for(seed, 0, Stream::Demand(0));
        let mut out = vec![f64::NAN; len];
        sampler.fill_path(&mut rng, first_day, &mut out);
        out
    }

    /// Sample mean, variance and fourth central moment.
    fn moments(xs: &[f64]) -> (f64, f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        let m4 = xs.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
        (mean, var, m4)
    }

    /// Draws 200,000 independent days (flat seasonality, no trend) and checks them against
    /// `base_mean` and `base_sd`:
    /// * mean: |x̄ − μ| < 4σ/√n, σ the analytic sd (CLT for the sample mean);
    /// * variance: |s² − σ²| < 4·sqrt((μ4 − σ⁴)/n), the asymptotic sd of the sample variance,
    ///   with μ4 estimated by the sample's fourth central moment (consistent; for these
    ///   light-tailed distributions its error at this n is a few percent of the bound).
    fn check_moments(m: &DemandModel, allow_tables: bool, seed: u64) {
        let n = 200_000;
        let xs = path(&m.build_sampler(allow_tables), seed, 0, n);
        let (mean, var, m4) = moments(&xs);
        let (mu, sigma) = (m.base_mean(), m.base_sd());
        let nf = n as f64;
        let mean_tol = 4.0 * sigma / nf.sqrt() + 1e-12;
        assert!(
            (mean - mu).abs() < mean_tol,
            "{:?}: sample mean {mean}, analytic {mu} ± {mean_tol}",
            m.distribution
        );
        let var_tol = 4.0 * ((m4 - var * var).max(0.0) / nf).sqrt() + 1e-12;
        assert!(
            (var - sigma * sigma).abs() < var_tol,
            "{:?}: sample variance {var}, analytic {} ± {var_tol}",
            m.distribution,
            sigma * sigma
        );
    }

    #[test]
    fn months_of_the_year() {
        assert_eq!(month_of_day(0), 0);
        assert_eq!(month_of_day(30), 0);
        assert_eq!(month_of_day(31), 1);
        assert_eq!(month_of_day(58), 1);
        assert_eq!(month_of_day(59), 2);
        assert_eq!(month_of_day(334), 11);
        assert_eq!(month_of_day(364), 11);
        assert_eq!(month_of_day(365), 0);
        let days_per_month = (0..365).fold([0u32; 12], |mut acc, d| {
            acc[month_of_day(d)] += 1;
            acc
        });
        assert_eq!(days_per_month, DAYS_IN_MONTH);
    }

    #[test]
    fn sampler_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<DemandSampler>();
    }

    #[test]
    fn deterministic_moments() {
        let m = model(
            DemandDistribution::Deterministic { value: 7.5 },
            Units::Continuous,
        );
        assert_eq!((m.base_mean(), m.base_sd()), (7.5, 0.0));
        assert!(path(&m.sampler(), 1, 0, 100).iter().all(|&x| x == 7.5));
        let w = model(
            DemandDistribution::Deterministic { value: 7.4 },
            Units::Whole,
        );
        assert_eq!(w.base_mean(), 7.0);
        assert!(path(&w.sampler(), 1, 0, 100).iter().all(|&x| x == 7.0));
    }

    #[test]
    fn normal_moments_censored_and_not() {
        // μ/σ = 0.5: about 31% of draws are censored, so the censored formulas matter.
        let censored = DemandDistribution::Normal {
            mean: 5.0,
            sd: 10.0,
        };
        let m = model(censored, Units::Continuous);
        assert!(m.base_mean() > 5.0 + 1.0, "censoring raises the mean");
        check_moments(&m, true, 10);
        let plain = model(
            DemandDistribution::Normal {
                mean: 100.0,
                sd: 15.0,
            },
            Units::Continuous,
        );
        assert!((plain.base_mean() - 100.0).abs() < 1e-9);
        assert!((plain.base_sd() - 15.0).abs() < 1e-9);
        check_moments(&plain, true, 11);
    }

    #[test]
    fn poisson_moments_tables_and_fallback() {
        for (mean, seed) in [(0.3, 20), (4.0, 21), (37.5, 22), (600.0, 23)] {
            let m = model(DemandDistribution::Poisson { mean }, Units::Whole);
            assert!(matches!(m.sampler().kind, Kind::Tables(_)));
            check_moments(&m, true, seed);
            check_moments(&m, false, seed + 100);
        }
        // Above the table limit the sampler falls back to rand_distr.
        let big = model(DemandDistribution::Poisson { mean: 5000.0 }, Units::Whole);
        assert!(matches!(big.sampler().kind, Kind::Poisson { .. }));
        check_moments(&big, true, 24);
    }

    #[test]
    fn negative_binomial_moments_tables_and_fallback() {
        // Shapes r = μ²/(σ² − μ): 2.27, 0.29 (very lumpy), 9.
        for (mean, sd, seed) in [(5.0, 4.0, 30), (2.0, 4.0, 31), (30.0, 10.954_451, 32)] {
            let m = model(
                DemandDistribution::NegativeBinomial { mean, sd },
                Units::Whole,
            );
            assert!(matches!(m.sampler().kind, Kind::Tables(_)));
            check_moments(&m, true, seed);
            check_moments(&m, false, seed + 100);
        }
        let big = model(
            DemandDistribution::NegativeBinomial {
                mean: 3000.0,
                sd: 200.0,
            },
            Units::Whole,
        );
        assert!(matches!(big.sampler().kind, Kind::NegativeBinomial { .. }));
        check_moments(&big, true, 33);
        // Not overdispersed: treated as Poisson, sd √μ.
        let under = model(
            DemandDistribution::NegativeBinomial { mean: 9.0, sd: 2.0 },
            Units::Whole,
        );
        assert_eq!(under.base_sd(), 3.0);
        check_moments(&under, true, 34);
    }

    #[test]
    fn lognormal_moments() {
        let m = model(
            DemandDistribution::Lognormal {
                mean: 20.0,
                sd: 10.0,
            },
            Units::Continuous,
        );
        check_moments(&m, true, 40);
    }

    #[test]
    fn uniform_moments() {
        let c = model(
            DemandDistribution::Uniform { min: 2.0, max: 8.0 },
            Units::Continuous,
        );
        assert_eq!(c.base_mean(), 5.0);
        assert!((c.base_sd() - 6.0 / 12f64.sqrt()).abs() < 1e-12);
        check_moments(&c, true, 50);
        // Whole: integers 2..=8, discrete uniform, variance (7² − 1)/12 = 4.
        let w = model(
            DemandDistribution::Uniform { min: 2.0, max: 8.0 },
            Units::Whole,
        );
        assert_eq!(w.base_mean(), 5.0);
        assert!((w.base_sd() - 2.0).abs() < 1e-12);
        check_moments(&w, true, 51);
        let xs = path(&w.sampler(), 52, 0, 10_000);
        for k in 2..=8 {
            assert!(xs.contains(&(k as f64)), "integer {k} never drawn");
        }
        assert!(xs.iter().all(|&x| (2.0..=8.0).contains(&x)));
    }

    #[test]
    fn empirical_moments() {
        let values = vec![0.0, 0.0, 3.0, 4.0, 4.0, 10.0, 25.0];
        let m = model(
            DemandDistribution::Empirical {
                values: values.clone(),
            },
            Units::Continuous,
        );
        let (mean, var, _) = moments(&values);
        assert!((m.base_mean() - mean).abs() < 1e-12);
        assert!((m.base_sd() - var.sqrt()).abs() < 1e-12);
        check_moments(&m, true, 60);
        assert!(
            path(&m.sampler(), 61, 0, 1000)
                .iter()
                .all(|x| values.contains(x))
        );
    }

    /// Exact Poisson pmf by the recurrence from P(0) = e^{−λ} (fine for λ below ~700).
    fn poisson_pmf(lambda: f64, len: usize) -> Vec<f64> {
        let mut p = vec![(-lambda).exp()];
        for k in 1..len {
            p.push(p[k - 1] * lambda / k as f64);
        }
        p
    }

    /// Exact negative binomial pmf from P(0) = p^r, P(k) = P(k−1)·(k−1+r)/k·(1−p),
    /// p = r/(r+μ).
    fn negative_binomial_pmf(mean: f64, sd: f64, len: usize) -> Vec<f64> {
        let r = mean * mean / (sd * sd - mean);
        let p = r / (r + mean);
        let mut out = vec![p.powf(r)];
        for k in 1..len {
            out.push(out[k - 1] * (k as f64 - 1.0 + r) / k as f64 * (1.0 - p));
        }
        out
    }

    /// Pearson's statistic of `draws` against `pmf`, with bins [0, edges[0]),
    /// [edges[0], edges[1]), …, [edges[last], ∞). Degrees of freedom: `edges.len()`.
    fn chi_square(draws: &[f64], pmf: &[f64], edges: &[usize]) -> f64 {
        let bin = |k: usize| edges.iter().take_while(|&&e| k >= e).count();
        let mut observed = vec![0.0; edges.len() + 1];
        for &x in draws {
            assert_eq!(x, x.round(), "count draws are whole");
            observed[bin(x as usize)] += 1.0;
        }
        let mut expected = vec![0.0; edges.len() + 1];
        for (k, &p) in pmf.iter().enumerate() {
            expected[bin(k)] += p;
        }
        // The last bin is open: its probability is the complement.
        let last = edges.len();
        expected[last] = 1.0 - expected[..last].iter().sum::<f64>();
        let n = draws.len() as f64;
        observed
            .iter()
            .zip(&expected)
            .map(|(o, e)| {
                assert!(
                    e * n >= 5.0,
                    "expected count {} too small for the test",
                    e * n
                );
                (o - e * n).powi(2) / (e * n)
            })
            .sum()
    }

    /// Goodness of fit of the Poisson and negative binomial samplers (tables, and the
    /// rand_distr fallback for comparison) against the exact pmf: 100,000 draws, fixed seeds,
    /// rejected above the chi-square critical value at p = 0.001 (tabulated, e.g. Abramowitz
    /// & Stegun table 26.8: 11 df → 31.264, 15 df → 37.697, 20 df → 45.315).
    #[test]
    fn count_distributions_fit_exact_pmf() {
        let n = 100_000;
        let bins = |lo: usize, hi: usize, step: usize| (lo..=hi).step_by(step).collect::<Vec<_>>();
        let cases: [(DemandDistribution, Vec<f64>, Vec<usize>, f64); 4] = [
            (
                DemandDistribution::Poisson { mean: 4.0 },
                poisson_pmf(4.0, 100),
                bins(1, 11, 1),
                31.264,
            ),
            (
                DemandDistribution::Poisson { mean: 250.0 },
                poisson_pmf(250.0, 600),
                bins(215, 285, 5),
                37.697,
            ),
            (
                DemandDistribution::NegativeBinomial { mean: 5.0, sd: 4.0 },
                negative_binomial_pmf(5.0, 4.0, 400),
                bins(1, 15, 1),
                37.697,
            ),
            (
                DemandDistribution::NegativeBinomial { mean: 2.0, sd: 4.0 },
                negative_binomial_pmf(2.0, 4.0, 2000),
                bins(1, 20, 1),
                45.315,
            ),
        ];
        for (seed, (distribution, pmf, edges, critical)) in cases.into_iter().enumerate() {
            let m = model(distribution, Units::Whole);
            for allow_tables in [true, false] {
                let draws = path(&m.build_sampler(allow_tables), 70 + seed as u64, 0, n);
                let stat = chi_square(&draws, &pmf, &edges);
                assert!(
                    stat < critical,
                    "{:?} (tables: {allow_tables}): chi-square {stat} ≥ {critical}",
                    m.distribution
                );
            }
        }
    }

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

    /// January (multiplier 2) averages twice February (multiplier 1): each month's average
    /// over 2,000 runs is within 4 sample sd/√n of its level.
    #[test]
    fn seasonality_scales_the_level() {
        let mut seasonality = FLAT;
        seasonality[0] = 2.0;
        let distributions = [
            DemandDistribution::Poisson { mean: 6.0 },
            DemandDistribution::NegativeBinomial { mean: 6.0, sd: 5.0 },
            DemandDistribution::Normal { mean: 6.0, sd: 3.0 },
            DemandDistribution::Lognormal { mean: 6.0, sd: 3.0 },
            DemandDistribution::Uniform {
                min: 0.0,
                max: 12.0,
            },
            DemandDistribution::Empirical {
                values: vec![1.0, 5.0, 12.0],
            },
        ];
        for (i, distribution) in distributions.into_iter().enumerate() {
            let m = DemandModel {
                distribution,
                seasonality,
                trend_per_year: 0.0,
                units: Units::Continuous,
            };
            let sampler = m.sampler();
            let mut rng = rng_for(80 + i as u64, 0, Stream::Demand(0));
            let mut jan = Vec::new();
            let mut feb = Vec::new();
            let mut days = [0.0; 59];
            for _ in 0..2_000 {
                sampler.fill_path(&mut rng, 0, &mut days);
                jan.extend_from_slice(&days[..31]);
                feb.extend_from_slice(&days[31..]);
            }
            let (mj, vj, _) = moments(&jan);
            let (mf, vf, _) = moments(&feb);
            let mu = m.base_mean();
            let tol_j = 4.0 * (vj / jan.len() as f64).sqrt();
            let tol_f = 4.0 * (vf / feb.len() as f64).sqrt();
            assert!(
                (mj - 2.0 * mu).abs() < tol_j,
                "{:?}: January {mj}",
                m.distribution
            );
            assert!(
                (mf - mu).abs() < tol_f,
                "{:?}: February {mf}",
                m.distribution
            );
        }
    }

    #[test]
    fn calendar_and_start_day() {
        let mut seasonality = FLAT;
        seasonality[0] = 2.0;
        seasonality[11] = 3.0;
        let m = DemandModel {
            distribution: DemandDistribution::Deterministic { value: 10.0 },
            seasonality,
            trend_per_year: 0.0,
            units: Units::Continuous,
        };
        let s = m.sampler();
        let xs = path(&s, 0, 0, 59);
        assert!(xs[..31].iter().all(|&x| x == 20.0));
        assert!(xs[31..].iter().all(|&x| x == 10.0));
        // Starting on 31 December: one December day, then January, wrapping the year.
        let xs = path(&s, 0, 364, 3);
        assert_eq!(xs, [30.0, 20.0, 20.0]);
        // Starting day 365 is day 0 again.
        assert_eq!(path(&s, 0, 365, 1), [20.0]);
        // Annual mean: day-weighted average multiplier (31·2 + 31·3 + 303·1)/365.
        let avg = (31.0 * 2.0 + 31.0 * 3.0 + 303.0) / 365.0;
        assert!((m.annual_daily_mean() - avg * 10.0).abs() < 1e-12);
        let year = path(&s, 0, 0, 365);
        assert!((year.iter().sum::<f64>() / 365.0 - m.annual_daily_mean()).abs() < 1e-12);
    }

    #[test]
    fn annual_moments_match_simulated_year() {
        let mut seasonality = FLAT;
        seasonality[0] = 2.0;
        let m = DemandModel {
            distribution: DemandDistribution::Normal {
                mean: 10.0,
                sd: 4.0,
            },
            seasonality,
            trend_per_year: 0.0,
            units: Units::Continuous,
        };
        let avg = (31.0 * 2.0 + 334.0) / 365.0;
        assert!((m.annual_daily_mean() - avg * m.base_mean()).abs() < 1e-12);
        assert!((m.annual_daily_sd() - avg * m.base_sd()).abs() < 1e-12);
        // 400 simulated years; each year's average has sd at most 2σ/√365 (January's
        // sd is 2σ), so the grand average is within 4·2σ/√(365·400).
        let s = m.sampler();
        let mut rng = rng_for(90, 0, Stream::Demand(0));
        let mut year = [0.0; 365];
        let mut total = 0.0;
        for _ in 0..400 {
            s.fill_path(&mut rng, 0, &mut year);
            total += year.iter().sum::<f64>();
        }
        let grand = total / (365.0 * 400.0);
        let tol = 4.0 * 2.0 * m.base_sd() / (365.0f64 * 400.0).sqrt();
        assert!(
            (grand - m.annual_daily_mean()).abs() < tol,
            "grand mean {grand}"
        );
    }

    /// Trend 1.0 doubles the level after a year: exactly for a deterministic demand, and
    /// within 4 sample sd/√runs for the stochastic families on day 365 versus day 0.
    #[test]
    fn trend_doubles_level_after_a_year() {
        let mut m = model(
            DemandDistribution::Deterministic { value: 10.0 },
            Units::Continuous,
        );
        m.trend_per_year = 1.0;
        let xs = path(&m.sampler(), 0, 0, 366);
        assert_eq!(xs[0], 10.0);
        assert_eq!(xs[365], 20.0);
        assert!((xs[73] - 12.0).abs() < 1e-12);

        let distributions = [
            DemandDistribution::Poisson { mean: 5.0 },
            DemandDistribution::NegativeBinomial { mean: 5.0, sd: 4.0 },
            DemandDistribution::Normal { mean: 5.0, sd: 2.0 },
        ];
        for (i, distribution) in distributions.into_iter().enumerate() {
            let m = DemandModel {
                distribution,
                seasonality: FLAT,
                trend_per_year: 1.0,
                units: Units::Whole,
            };
            let s = m.sampler();
            assert!(
                !matches!(s.kind, Kind::Tables(_)),
                "a trend rules out tables"
            );
            let mut rng = rng_for(100 + i as u64, 0, Stream::Demand(0));
            let mut days = [0.0; 366];
            let (mut first, mut last) = (Vec::new(), Vec::new());
            for _ in 0..20_000 {
                s.fill_path(&mut rng, 0, &mut days);
                first.push(days[0]);
                last.push(days[365]);
            }
            let (m0, v0, _) = moments(&first);
            let (m1, v1, _) = moments(&last);
            let n = first.len() as f64;
            let mu = m.base_mean();
            assert!(
                (m0 - mu).abs() < 4.0 * (v0 / n).sqrt(),
                "{:?}: day 0 {m0}",
                m.distribution
            );
            assert!(
                (m1 - 2.0 * mu).abs() < 4.0 * (v1 / n).sqrt(),
                "{:?}: day 365 {m1}",
                m.distribution
            );
        }
    }

    #[test]
    fn trace_is_replayed_exactly() {
        let values: Arc<[f64]> = Arc::from(vec![3.5, 0.0, 7.25, 1.0]);
        let mut seasonality = FLAT;
        seasonality[0] = 5.0;
        let m = DemandModel {
            distribution: DemandDistribution::Trace {
                values: Arc::clone(&values),
            },
            seasonality,
            trend_per_year: 2.0,
            units: Units::Continuous,
        };
        let s = m.sampler();
        let xs = path(&s, 0, 0, 4);
        assert_eq!(xs, values[..]);
        // Longer runs repeat the trace; no seasonality or trend applies.
        let xs = path(&s, 0, 0, 10);
        assert_eq!(xs, [3.5, 0.0, 7.25, 1.0, 3.5, 0.0, 7.25, 1.0, 3.5, 0.0]);
        // No randomness: the stream is untouched.
        assert_eq!(xs, path(&s, 99, 200, 10));
        let mean = (3.5 + 0.0 + 7.25 + 1.0) / 4.0;
        assert_eq!(m.base_mean(), mean);
        assert_eq!(m.annual_daily_mean(), mean);
        let sample_var = [3.5, 0.0, 7.25, 1.0]
            .iter()
            .map(|x: &f64| (x - mean).powi(2))
            .sum::<f64>()
            / 3.0;
        assert!((m.annual_daily_sd() - sample_var.sqrt()).abs() < 1e-12);
        // Whole units round each day.
        let w = DemandModel {
            units: Units::Whole,
            ..m
        };
        assert_eq!(path(&w.sampler(), 0, 0, 4), [4.0, 0.0, 7.0, 1.0]);
    }

    fn all_distributions() -> Vec<DemandDistribution> {
        vec![
            DemandDistribution::Deterministic { value: 3.3 },
            DemandDistribution::Normal { mean: 4.0, sd: 3.0 },
            DemandDistribution::Poisson { mean: 3.7 },
            DemandDistribution::Poisson { mean: 2500.0 },
            DemandDistribution::NegativeBinomial { mean: 3.7, sd: 3.0 },
            DemandDistribution::Lognormal { mean: 4.0, sd: 3.0 },
            DemandDistribution::Uniform { min: 0.5, max: 9.5 },
            DemandDistribution::Empirical {
                values: vec![0.3, 2.6, 7.1],
            },
            DemandDistribution::Trace {
                values: Arc::from(vec![1.2, 3.7, 0.0]),
            },
        ]
    }

    #[test]
    fn whole_units_give_integers() {
        let mut seasonality = FLAT;
        seasonality[0] = 1.37;
        for distribution in all_distributions() {
            for trend_per_year in [0.0, 0.3] {
                let m = DemandModel {
                    distribution: distribution.clone(),
                    seasonality,
                    trend_per_year,
                    units: Units::Whole,
                };
                let xs = path(&m.sampler(), 110, 0, 2_000);
                assert!(
                    xs.iter().all(|&x| x >= 0.0 && x == x.round()),
                    "{distribution:?} gave a fraction"
                );
                // Continuous units do give fractions (except the count families).
                let c = DemandModel {
                    units: Units::Continuous,
                    ..m
                };
                let xs = path(&c.sampler(), 110, 0, 2_000);
                let counts = matches!(
                    distribution,
                    DemandDistribution::Poisson { .. }
                        | DemandDistribution::NegativeBinomial { .. }
                );
                assert_eq!(
                    xs.iter().all(|&x| x == x.round()),
                    counts,
                    "{distribution:?}"
                );
            }
        }
    }

    #[test]
    fn same_seed_same_path() {
        let mut seasonality = FLAT;
        seasonality[3] = 1.5;
        for distribution in all_distributions() {
            for trend_per_year in [0.0, 0.5] {
                let m = DemandModel {
                    distribution: distribution.clone(),
                    seasonality,
                    trend_per_year,
                    units: Units::Continuous,
                };
                let s = m.sampler();
                let a = path(&s, 120, 17, 500);
                assert_eq!(a, path(&s, 120, 17, 500), "{distribution:?}");
                assert_eq!(a, path(&m.sampler(), 120, 17, 500), "{distribution:?}");
                let random = !matches!(
                    distribution,
                    DemandDistribution::Deterministic { .. } | DemandDistribution::Trace { .. }
                );
                assert_eq!(a != path(&s, 121, 17, 500), random, "{distribution:?}");
            }
        }
    }

    /// The lane sampler draws, lane by lane, the paths `fill_path` draws from the same
    /// generators, and leaves each generator where `fill_path` does: over 2,000 days of 16
    /// runs, so that every lane goes through the ziggurat's rare paths (about one draw in a
    /// hundred) many times; whole units and continuous, on both instruction sets.
    #[test]
    fn lane_sampler_draws_the_paths_of_fill_path() {
        use rand::Rng;
        const LANES: usize = 16;
        const DAYS: usize = 2_000;
        for units in [Units::Whole, Units::Continuous] {
            let m = model(
                DemandDistribution::Normal {
                    mean: 20.0,
                    sd: 9.0,
                },
                units,
            );
            let sampler = m.sampler();
            let lanes = sampler
                .in_lanes()
                .expect("flat normal demand draws in lanes");
            for vector in [Vector::baseline(), Vector::detect()] {
                let streams = |run: u64| rng_for(5, run, Stream::Demand(2));
                let mut rngs: [SimRng; LANES] = std::array::from_fn(|l| streams(l as u64));
                let mut paths = vec![0.0; DAYS * LANES];
                lanes.fill(vector, &mut rngs, &mut paths);
                for (l, rng) in rngs.iter_mut().enumerate() {
                    let mut alone = streams(l as u64);
                    let mut path = vec![0.0; DAYS];
                    sampler.fill_path(&mut alone, 0, &mut path);
                    let lane: Vec<f64> = paths.iter().skip(l).step_by(LANES).copied().collect();
                    assert!(lane == path, "{units:?}, {vector:?}: lane {l} differs");
                    assert_eq!(rng.next_u64(), alone.next_u64(), "lane {l}'s generator");
                }
            }
        }
        let seasonal = DemandModel {
            seasonality: [1.2; 12],
            ..model(
                DemandDistribution::Normal {
                    mean: 20.0,
                    sd: 9.0,
                },
                Units::Whole,
            )
        };
        assert!(
            seasonal.sampler().in_lanes().is_none(),
            "seasonal demand is drawn run by run"
        );
    }
}
