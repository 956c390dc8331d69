//! Streaming statistics over simulation runs: mean, 95% confidence interval of the mean and
//! p05/p50/p95, in memory that does not grow with the number of runs.
//!
//! * Mean and variance use Welford's update (Technometrics 4(3), 1962), which avoids the
//!   cancellation of the textbook sum-of-squares formula when the mean is large compared with
//!   the spread. Partial results are combined with the pairwise formula of Chan, Golub &
//!   LeVeque ("Updating formulae and a pairwise algorithm for computing sample variances",
//!   Stanford STAN-CS-79-773, 1979; also Amer. Statist. 37(3), 1983).
//! * Quantiles come from DDSketch (Masson, Rim & Lee, "DDSketch: a fast and fully-mergeable
//!   quantile sketch with relative-error guarantees", PVLDB 12(12), 2019) with the logarithmic
//!   mapping and dense stores: every returned quantile is within relative error 0.5%
//!   (`QUANTILE_RELATIVE_ACCURACY`) of the exact order statistic of the same rank.
//! * Shares (fill rate, service levels, on-time rate: values between 0 and 1) are sketched by
//!   their distance to the nearer bound, x up to ½ and 1 − x above it, so that a percentile is
//!   within 0.5% of min(x, 1 − x) of the exact one ([`RunningStat::for_share`], issue 18).
//! * The confidence interval is the Student t interval `mean ± t(0.975, n−1)·s/√n`.
//!
//! Determinism: floating-point addition is not associative, so a mean and a variance merged
//! with Chan's formula depend on the order and the grouping of the merges. Here the values of
//! each group (the engine's fixed chunk of runs) are summed by Welford's update, and groups
//! merge through exact sums of their counts, means, squared means and deviations
//! ([`crate::foundation::exact`]), rounded once when read: every estimate is bit-for-bit the
//! same whatever the number of threads, and whether the chunks were merged on one machine or
//! as shards from several (issue 25). The sketches merge by adding integer bucket counts, and
//! their exact extremes by comparison, so their quantiles do not depend on the merges either.

use serde::{Deserialize, Serialize};

use crate::foundation::exact::ExactSum;
use crate::foundation::math::{ceil_fast, max_fast, min_fast, t_crit_95};

/// Relative accuracy of the quantile sketch.
pub(crate) const QUANTILE_RELATIVE_ACCURACY: f64 = 0.005;

/// Ratio between consecutive bucket boundaries, γ = (1+α)/(1−α).
const GAMMA: f64 = (1.0 + QUANTILE_RELATIVE_ACCURACY) / (1.0 - QUANTILE_RELATIVE_ACCURACY);

/// ln γ = 2·atanh(α), written out so that the mapping does not depend on how a platform's
/// `ln` rounds a constant (checked against `GAMMA.ln()` in the tests).
const LN_GAMMA: f64 = 0.010_000_083_334_583_356;

/// Magnitudes below this count as zero: they would otherwise need thousands of buckets each
/// for values that are, for every metric the simulator reports, rounding noise around zero.
const ZERO_THRESHOLD: f64 = 1e-12;

/// Bucket key of `ZERO_THRESHOLD`, the smallest key a store can hold.
const MIN_KEY: i32 = -2763;

/// Bucket key of `f64::MAX`, the largest key a store can hold. Together with `MIN_KEY` this
/// bounds a store at ~74 000 buckets (~600 KB) even for pathological inputs; realistic
/// metrics span a few thousand.
const MAX_KEY: i32 = 70_978;

/// Fewest extra buckets added beyond the requested keys when a store is made or grows; a store
/// that grows adds half its size on each side as well, so that values creeping outward one
/// bucket at a time reallocate only a few times.
///
/// Why not more (it was 128, 2 KiB a store before any value): a catalogue keeps one store or two
/// per metric of every item under every policy, about fifty per item-policy, so 1,000 items
/// under 20 policies hold a million of them; most span a few dozen buckets (the spread of an
/// item's figures over runs), and a fixed margin of 128 on each side was most of their memory.
const GROWTH_MARGIN: i32 = 16;

/// 2⁵²: from here on every finite f64 is a whole number.
const TWO_POW_52: f64 = 4_503_599_627_370_496.0;

/// A 95% confidence interval of a mean (or of a quantile, or of a tail mean).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

impl Interval {
    /// `center ± half`.
    pub(crate) fn around(center: f64, half: f64) -> Self {
        Self {
            low: center - half,
            high: center + half,
        }
    }

    /// Half the width: the "±" of a mean.
    pub fn half_width(&self) -> f64 {
        (self.high - self.low) / 2.0
    }

    /// Whether zero lies outside: a difference whose interval excludes zero is significant.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// The two ends of an interval as written in the result files: numbers, or both `null` where
/// no interval could be computed.
pub(crate) fn interval_ends(interval: Option<Interval>) -> (Option<f64>, Option<f64>) {
    interval.map_or((None, None), |i| (Some(i.low), Some(i.high)))
}

/// Serialise an optional interval, in a struct that flattens it, as the two fields
/// `ci95_low` and `ci95_high`, both `null` where there is none.
pub(crate) fn serialize_ci95<S: serde::Serializer>(
    interval: &Option<Interval>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeStruct as _;
    let (low, high) = interval_ends(*interval);
    let mut fields = serializer.serialize_struct("Interval", 2)?;
    fields.serialize_field("ci95_low", &low)?;
    fields.serialize_field("ci95_high", &high)?;
    fields.end()
}

/// Read back an optional interval that [`serialize_ci95`] wrote into a flattened struct: the
/// two fields `ci95_low` and `ci95_high`, none unless both are numbers.
pub(crate) fn deserialize_ci95<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Interval>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Ends {
        ci95_low: Option<f64>,
        ci95_high: Option<f64>,
    }
    let ends = <Ends as serde::Deserialize>::deserialize(deserializer)?;
    Ok(interval_from_ends(ends.ci95_low, ends.ci95_high))
}

/// An interval read back from its two ends; none unless both are numbers.
pub(crate) fn interval_from_ends(low: Option<f64>, high: Option<f64>) -> Option<Interval> {
    Some(Interval {
        low: low?,
        high: high?,
    })
}

/// One metric's distribution over runs, summarised.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
#[serde(from = "EstimateRecord", into = "EstimateRecord")]
pub struct Estimate {
    /// Mean over runs.
    pub mean: f64,
    /// The Student t 95% confidence interval of the mean; `None` with a single run, where
    /// nothing is known about the spread and no interval can honestly be given (written as
    /// `null` ends in JSON, empty fields in CSV, "n/a" in tables; issue 18, item 7).
    pub ci95: Option<Interval>,
    /// 5th percentile over runs: one run in twenty came out at or below this. Like the other
    /// quantiles, within 0.5% of the exact order statistic x: 0.5% of x, or for a share
    /// ([`RunningStat::for_share`]) 0.5% of min(x, 1 − x).
    pub p05: f64,
    /// Median over runs.
    pub p50: f64,
    /// 95th percentile over runs.
    pub p95: f64,
    /// Number of runs the metric was defined in.
    pub n: u64,
}

impl Estimate {
    /// The upper end of the interval, or the mean where there is none: how far a chart of the
    /// estimate reaches.
    pub fn upper(&self) -> f64 {
        self.ci95.map_or(self.mean, |ci| ci.high)
    }
}

/// An [`Estimate`] as the result files hold it: the interval as two ends, `null` when there
/// is none. Readers of saved results parse the same record.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub(crate) struct EstimateRecord {
    pub(crate) mean: f64,
    pub(crate) ci95_low: Option<f64>,
    pub(crate) ci95_high: Option<f64>,
    pub(crate) p05: f64,
    pub(crate) p50: f64,
    pub(crate) p95: f64,
    pub(crate) n: u64,
}

impl From<EstimateRecord> for Estimate {
    fn from(r: EstimateRecord) -> Self {
        Self {
            mean: r.mean,
            ci95: interval_from_ends(r.ci95_low, r.ci95_high),
            p05: r.p05,
            p50: r.p50,
            p95: r.p95,
            n: r.n,
        }
    }
}

impl From<Estimate> for EstimateRecord {
    fn from(e: Estimate) -> Self {
        let (ci95_low, ci95_high) = interval_ends(e.ci95);
        Self {
            mean: e.mean,
            ci95_low,
            ci95_high,
            p05: e.p05,
            p50: e.p50,
            p95: e.p95,
            n: e.n,
        }
    }
}

/// Streaming summary of one metric over runs.
///
/// Holds the count, mean and sum of squared deviations ([`Moments`]), and quantile sketches
/// (`QuantileSketch`); its size depends on the spread of the values, never on their number.
///
/// Quantiles are accurate relative to the value ([`RunningStat::new`]), or for a share
/// relative to its distance to the nearer of 0 and 1 ([`RunningStat::for_share`]). Statistics
/// merged together must be of the same kind.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RunningStat {
    moments: Moments,
    /// Every value; for a share, the values up to ½.
    sketch: QuantileSketch,
    /// For a share, 1 − x of each value x above ½; `None` for any other statistic, and for a
    /// share until its first value above ½ (a share's values often all lie on one side, and
    /// the sketches of every share of every item-policy of a catalogue add up).
    above_half: Option<Box<QuantileSketch>>,
    /// A share's summary ([`RunningStat::for_share`]).
    share: bool,
}

impl RunningStat {
    /// An empty summary, with no runs yet, whose quantiles are within 0.5% of the value
    /// (`QUANTILE_RELATIVE_ACCURACY`): right for amounts (units, days, money) and for
    /// differences, whatever their scale.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty summary of a share, a value between 0 and 1 such as a fill rate, whose
    /// quantiles are within 0.5% of the value's distance to the nearer bound, min(x, 1 − x).
    ///
    /// Why (issue 18, item 2): accuracy relative to the value is too coarse near 1. Around a
    /// fill rate of 0.988 a bucket of the value sketch is 0.01 wide, wider than the whole
    /// spread over runs (about 0.9864–0.9897 in the case reported: p05, p50 and p95 all came
    /// out 0.98510, the p95 below the true p05). What varies in a rate near 1 is its
    /// complement, the share missed; sketched as 1 − x, the same 0.5% becomes 0.5% of
    /// 1 − 0.988 = 0.012, ±0.00006, and a rate of 0.9999 is still told from 1.
    ///
    /// Why both sides rather than the complement alone: a share crowds near 1 (fill rate,
    /// cycle service level, on-time rate) or near 0 (stockout rate, stockout-day rate)
    /// depending on the metric and on the scenario: under a heavy disruption a fill rate can
    /// fall below ½ and a stockout-day rate rise above it. Values up to ½ are sketched as they
    /// are, as before (a statistic whose values all lie there gives the same bits as
    /// [`RunningStat::new`]), values above ½ by their complement, each in a sketch of its own;
    /// the two sketches hold the lower and the upper values, so every rank is still exact. The
    /// accuracy is never worse than either choice alone: ±0.005·min(x, 1 − x), at most
    /// ±0.0025 (at ½). Values outside [0, 1] are not expected, but still come back in order,
    /// within 0.5% of x (below ½) or of x − 1 (above).
    ///
    /// The cost: one comparison per value pushed (once per run, not per day), and a second
    /// sketch, allocated when the summary is made.
    pub fn for_share() -> Self {
        RunningStat {
            share: true,
            ..Self::default()
        }
    }

    /// Whether this is a share's summary ([`RunningStat::for_share`]).
    pub fn is_share(&self) -> bool {
        self.share
    }

    /// Adds one run's value. Values must be finite: a NaN or infinity is a bug in the metric.
    pub fn push(&mut self, x: f64) {
        debug_assert!(
            x.is_finite(),
            "RunningStat::push({x}): value must be finite"
        );
        self.moments.push(x);
        if self.share && x > 0.5 {
            // Exact: 1 − x is a float for every x in [½, 2] (Sterbenz), and 1 − (1 − x) = x.
            self.above_half
                .get_or_insert_with(Box::default)
                .add(1.0 - x);
        } else {
            self.sketch.add(x);
        }
    }

    /// Folds `other` into `self`.
    ///
    /// Counts, quantiles, the mean and the variance do not depend on the order or the grouping
    /// of merges, only on the values and on the groups they were pushed in ([`Moments`]).
    ///
    /// # Panics
    ///
    /// If one is a share's summary ([`RunningStat::for_share`]) and the other is not: their
    /// sketches do not add up.
    pub fn merge(&mut self, other: &RunningStat) {
        assert_eq!(
            self.is_share(),
            other.is_share(),
            "RunningStat::merge: a share's summary merged with another kind"
        );
        if other.count() == 0 {
            return;
        }
        if let Some(theirs) = &other.above_half {
            self.above_half
                .get_or_insert_with(Box::default)
                .merge(theirs);
        }
        self.moments.merge(&other.moments);
        self.sketch.merge(&other.sketch);
    }

    /// Number of values pushed (runs in which the metric was defined).
    pub fn count(&self) -> u64 {
        self.moments.count()
    }

    /// Mean over runs; NaN when no value was pushed.
    pub fn mean(&self) -> f64 {
        self.moments.summary().mean()
    }

    /// Sample variance (divisor n−1); 0 for fewer than two values, where it is undefined but
    /// a zero spread is the only sensible thing to report.
    pub fn variance(&self) -> f64 {
        self.moments.summary().variance()
    }

    /// Standard error of the mean, s/√n; NaN when empty.
    pub fn std_error(&self) -> f64 {
        self.moments.summary().std_error()
    }

    /// Quantile `q` (0–1) over runs: the value of rank `q·(n−1)` (rounded down) in ascending
    /// order, within 0.5% (`QUANTILE_RELATIVE_ACCURACY`) of that value x, or for a share of
    /// min(x, 1 − x); NaN when empty or when `q` is outside [0, 1].
    pub fn quantile(&self, q: f64) -> f64 {
        if !self.share {
            return self.sketch.quantile(q);
        }
        let below = self.sketch.count;
        let above_count = self.above_half.as_ref().map_or(0, |above| above.count);
        let Some(rank) = rank_of(q, below + above_count) else {
            return f64::NAN;
        };
        if let Some(above) = self.above_half.as_ref().filter(|_| rank >= below) {
            // The values above ½ ascend as their complements descend: the one of rank `rank`
            // overall is the complement of rank `n − 1 − rank` in `above`. Each sketch keeps
            // its answers within its own exact extremes, so the two sides never cross.
            1.0 - above.at_rank(below + above.count - 1 - rank)
        } else {
            self.sketch.at_rank(rank)
        }
    }

    /// The 95% confidence interval of the mean; `None` with fewer than two values, when
    /// nothing is known yet about the spread.
    pub fn ci95(&self) -> Option<Interval> {
        self.moments.summary().ci95()
    }

    /// Half-width of the 95% confidence interval of the mean, `t(0.975, n−1)·s/√n`; `None`
    /// with fewer than two values. Computed directly rather than from the interval's ends,
    /// whose difference would round.
    pub(crate) fn half_width_95(&self) -> Option<f64> {
        self.moments.summary().half_width_95()
    }

    /// Mean, Student t 95% interval of the mean and p05/p50/p95; `None` when empty. With a
    /// single run there is no spread to estimate, and the estimate has no interval.
    pub fn estimate(&self) -> Option<Estimate> {
        let summary = self.moments.summary();
        if summary.n == 0 {
            return None;
        }
        Some(Estimate {
            mean: summary.mean,
            ci95: summary.ci95(),
            p05: self.quantile(0.05),
            p50: self.quantile(0.5),
            p95: self.quantile(0.95),
            n: summary.n,
        })
    }
}

/// A statistic's count, mean and sum of squared deviations, in a form whose merges do not
/// depend on their order or grouping.
///
/// Values pushed here are summed by Welford's update, as one group; groups merged in (the
/// engine's chunks of runs, or a shard's whole part) are kept as exact sums ([`Groups`]). The
/// mean and the variance are read from the groups' sums, which are exact, so merging chunks
/// ((a + b) + c) or (a + (b + c)), on one machine or on several, gives the same bits (issue
/// 25): the result depends only on which values were pushed together, and the engine always
/// pushes one chunk of runs together.
///
/// A statistic merged from one group alone reads exactly that group's Welford figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Moments {
    n: u64,
    mean: f64,
    /// Sum of squared deviations from the current mean (Welford's M2).
    m2: f64,
    /// The groups merged in; `None` until a second group arrives, so that the accumulators of
    /// a chunk (pushed, never merged) stay three numbers.
    merged: Option<Box<Groups>>,
}

impl Moments {
    /// Adds one value (finite) to this statistic's own group.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        debug_assert!(x.is_finite(), "Moments::push({x}): value must be finite");
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Values pushed and merged.
    pub(crate) fn count(&self) -> u64 {
        self.n + self.merged.as_ref().map_or(0, |groups| groups.n)
    }

    /// Folds `other` into `self`: its own group and its merged groups join `self`'s groups.
    pub(crate) fn merge(&mut self, other: &Moments) {
        if other.count() == 0 {
            return;
        }
        if self.count() == 0 {
            *self = other.clone();
            return;
        }
        let groups = self.merged.get_or_insert_with(Box::default);
        groups.add_group(other.n, other.mean, other.m2);
        if let Some(theirs) = &other.merged {
            groups.add(theirs);
        }
    }

    /// Count, mean and sum of squared deviations of every value.
    pub(crate) fn summary(&self) -> Summary {
        match &self.merged {
            None => Summary {
                n: self.n,
                mean: self.mean,
                m2: self.m2,
            },
            Some(groups) => {
                let mut all = (**groups).clone();
                all.add_group(self.n, self.mean, self.m2);
                all.summary()
            }
        }
    }
}

/// Groups of values merged into a statistic, as exact sums over the groups `g` of their count
/// `n_g`, `n_g·mean_g`, `n_g·mean_g²` and `M2_g`: sums of floats added without rounding
/// ([`ExactSum`]), so that they do not depend on the order the groups arrive in.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Groups {
    n: u64,
    sum: ExactSum,
    sum_of_squares: ExactSum,
    m2: ExactSum,
}

impl Groups {
    fn add_group(&mut self, n: u64, mean: f64, m2: f64) {
        if n == 0 {
            return;
        }
        self.n += n;
        self.sum.add_times(mean, n);
        self.sum_of_squares.add_square_times(mean, n);
        self.m2.add(m2);
    }

    fn add(&mut self, other: &Groups) {
        self.n += other.n;
        self.sum.add_sum(&other.sum);
        self.sum_of_squares.add_sum(&other.sum_of_squares);
        self.m2.add_sum(&other.m2);
    }

    /// The mean is the groups' total over their count, rounded once. The sum of squared
    /// deviations adds to the groups' own the spread of their means around it (Chan et al.'s
    /// pairwise formula, summed over every group at once):
    /// `Σ M2_g + Σ n_g·(mean_g − mean)²`, where the second sum is computed exactly as
    /// `Σ n_g·mean_g² − 2·mean·Σ n_g·mean_g + n·mean²`, never negative, and zero when every
    /// group has the same mean (a constant figure keeps a zero spread).
    fn summary(&self) -> Summary {
        if self.n == 0 {
            return Summary::default();
        }
        let mean = self.sum.div_to_f64(self.n);
        let mut m2 = self.sum_of_squares.clone();
        m2.add_sum_times(&self.sum, -2.0 * mean);
        m2.add_square_times(mean, self.n);
        m2.add_sum(&self.m2);
        Summary {
            n: self.n,
            mean,
            m2: m2.to_f64(),
        }
    }
}

/// A statistic's count, mean and sum of squared deviations, read from its [`Moments`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Summary {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Summary {
    /// The mean; NaN when empty.
    fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Sample variance (divisor n−1); 0 for fewer than two values.
    fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }

    /// Standard error of the mean, s/√n; NaN when empty.
    fn std_error(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            (self.variance() / self.n as f64).sqrt()
        }
    }

    /// Half-width of the Student t 95% interval of the mean; `None` with fewer than two values.
    fn half_width_95(&self) -> Option<f64> {
        (self.n >= 2).then(|| t_crit_95(self.n) * self.std_error())
    }

    fn ci95(&self) -> Option<Interval> {
        self.half_width_95()
            .map(|half| Interval::around(self.mean, half))
    }
}

/// Streaming mean of one figure over runs, without percentiles: the [`Moments`] a
/// [`RunningStat`] keeps, so that its mean and interval are those a [`RunningStat`] would give
/// for the same values, at a fraction of the cost per value (no sketch). For the many small
/// figures of a run, such as the figures by calendar month, where only the mean and its
/// interval are reported.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanStat {
    moments: Moments,
}

impl MeanStat {
    /// Adds one run's value (finite).
    #[inline]
    pub fn push(&mut self, x: f64) {
        self.moments.push(x);
    }

    /// Folds `other` into `self` (in any order: [`Moments`]).
    pub fn merge(&mut self, other: &MeanStat) {
        self.moments.merge(&other.moments);
    }

    /// Number of values pushed.
    pub fn count(&self) -> u64 {
        self.moments.count()
    }

    /// Mean and Student t 95% interval of the mean (none with a single value); `None` when
    /// empty.
    pub fn estimate(&self) -> Option<MeanEstimate> {
        let summary = self.moments.summary();
        if summary.n == 0 {
            return None;
        }
        Some(MeanEstimate {
            mean: summary.mean,
            ci95: summary.ci95(),
            n: summary.n,
        })
    }
}

/// Streaming means of `K` figures of a run that are defined together (pushed together or not
/// at all), such as a month's stockout rate, fill rate and days of supply: each figure's
/// [`MeanStat`] update and merge, the count kept, stepped and converted once for all of them.
/// Figure `k` is exactly the [`MeanStat`] of its values ([`MeanStats::figure`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "MeanStatsRecord", try_from = "MeanStatsRecord")]
pub struct MeanStats<const K: usize> {
    n: u64,
    mean: [f64; K],
    m2: [f64; K],
    /// Each figure's merged groups ([`Moments`]); `None` until a second group arrives.
    merged: Option<Box<[Groups; K]>>,
}

/// [`MeanStats`] as a partial-result file holds it: serde has no arrays of any length `K`.
#[derive(Clone, Serialize, Deserialize)]
pub struct MeanStatsRecord {
    n: u64,
    mean: Vec<f64>,
    m2: Vec<f64>,
    merged: Option<Vec<Groups>>,
}

impl<const K: usize> From<MeanStats<K>> for MeanStatsRecord {
    fn from(stats: MeanStats<K>) -> Self {
        MeanStatsRecord {
            n: stats.n,
            mean: stats.mean.to_vec(),
            m2: stats.m2.to_vec(),
            merged: stats.merged.map(|groups| groups.to_vec()),
        }
    }
}

impl<const K: usize> TryFrom<MeanStatsRecord> for MeanStats<K> {
    type Error = String;

    fn try_from(record: MeanStatsRecord) -> Result<Self, String> {
        let wrong = || format!("figures of {K} means expected");
        Ok(MeanStats {
            n: record.n,
            mean: record.mean.try_into().map_err(|_| wrong())?,
            m2: record.m2.try_into().map_err(|_| wrong())?,
            merged: match record.merged {
                None => None,
                Some(groups) => Some(Box::new(groups.try_into().map_err(|_| wrong())?)),
            },
        })
    }
}

impl<const K: usize> Default for MeanStats<K> {
    fn default() -> Self {
        MeanStats {
            n: 0,
            mean: [0.0; K],
            m2: [0.0; K],
            merged: None,
        }
    }
}

impl<const K: usize> MeanStats<K> {
    /// Adds one run's value of each figure (finite): [`MeanStat::push`] for each, in order.
    #[inline]
    pub fn push(&mut self, xs: [f64; K]) {
        self.n += 1;
        let n = self.n as f64;
        for ((mean, m2), x) in self.mean.iter_mut().zip(&mut self.m2).zip(xs) {
            debug_assert!(x.is_finite(), "MeanStats::push({x}): value must be finite");
            let delta = x - *mean;
            *mean += delta / n;
            *m2 += delta * (x - *mean);
        }
    }

    fn count(&self) -> u64 {
        self.n + self.merged.as_ref().map_or(0, |groups| groups[0].n)
    }

    /// Folds `other` into `self` ([`MeanStat::merge`] for each figure).
    pub fn merge(&mut self, other: &MeanStats<K>) {
        if other.count() == 0 {
            return;
        }
        if self.count() == 0 {
            *self = other.clone();
            return;
        }
        let groups = self
            .merged
            .get_or_insert_with(|| Box::new(std::array::from_fn(|_| Groups::default())));
        for (k, group) in groups.iter_mut().enumerate() {
            group.add_group(other.n, other.mean[k], other.m2[k]);
            if let Some(theirs) = &other.merged {
                group.add(&theirs[k]);
            }
        }
    }

    /// Figure `k`'s running mean.
    pub fn figure(&self, k: usize) -> MeanStat {
        MeanStat {
            moments: Moments {
                n: self.n,
                mean: self.mean[k],
                m2: self.m2[k],
                merged: self
                    .merged
                    .as_ref()
                    .map(|groups| Box::new(groups[k].clone())),
            },
        }
    }
}

/// A figure's mean over runs with its 95% interval, without percentiles ([`MeanStat`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct MeanEstimate {
    /// Mean over the runs the figure was defined in.
    pub mean: f64,
    /// The Student t 95% confidence interval of the mean; `None` with a single run.
    #[serde(
        flatten,
        serialize_with = "serialize_ci95",
        deserialize_with = "deserialize_ci95"
    )]
    pub ci95: Option<Interval>,
    /// Number of runs the figure was defined in.
    pub n: u64,
}

/// Mergeable quantile sketch (DDSketch, Masson, Rim & Lee, VLDB 2019) with relative accuracy
/// [`QUANTILE_RELATIVE_ACCURACY`]; handles negative values, zeros and positive values.
///
/// A magnitude `|x|` goes to bucket `i = ⌈log_γ |x|⌉`, which covers `(γ^(i−1), γ^i]`; the
/// bucket is reported as `2γ^i/(γ+1) = (1−α)·γ^i`, within relative error α of every value in
/// it. Positive and negative values have stores of their own, and magnitudes below 1e-12
/// are counted as zero so that exact zeros come back as exactly 0.0. The exact minimum and
/// maximum are kept as well: they are returned for the extreme ranks and bound every other
/// answer, so a sample of identical values reports that value exactly.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct QuantileSketch {
    positive: DenseStore,
    /// Made for the first negative value: most figures are never negative, and a store in
    /// every sketch of every item-policy of a catalogue is a quarter of their size.
    negative: Option<Box<DenseStore>>,
    zero_count: u64,
    count: u64,
    /// Exact extremes; meaningful only while `count > 0`.
    min: f64,
    max: f64,
    /// Some value added was not a whole number. While every value is whole (counts of events,
    /// units, 0/1 flags) quantiles are rounded to whole numbers, so a median of 1 event reads
    /// 1, not the bucket's 0.995.
    fractional: bool,
}

impl QuantileSketch {
    #[cfg(test)]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds one value. NaN is a caller bug: it panics in debug builds and is ignored in
    /// release builds; infinities land in the outermost bucket.
    #[inline]
    pub(crate) fn add(&mut self, x: f64) {
        debug_assert!(!x.is_nan(), "QuantileSketch::add: NaN");
        if x.is_nan() {
            return;
        }
        let magnitude = x.abs();
        // `x.fract() != 0.0` without calling `trunc` (a library call on x86-64): below 2⁵²
        // the truncation is exact through i64; every finite value above is whole, and an
        // infinity's fraction is NaN. Once one value was fractional, no need to look again.
        if !self.fractional {
            self.fractional = if magnitude < TWO_POW_52 {
                x as i64 as f64 != x
            } else {
                magnitude.is_infinite()
            };
        }
        if magnitude < ZERO_THRESHOLD {
            self.zero_count += 1;
        } else if x > 0.0 {
            self.positive.add(key_of(magnitude));
        } else {
            self.negative
                .get_or_insert_with(Box::default)
                .add(key_of(magnitude));
        }
        // −0 becomes +0, so that which of the two is the minimum never depends on the order of
        // merges (`f64::min` may return either).
        let x = x + 0.0;
        if self.count == 0 {
            self.min = x;
            self.max = x;
        } else {
            // Neither is NaN, so plain comparisons do (without `f64::min`'s NaN handling); on
            // equal values the old extreme stays, as it does with `f64::min` and `f64::max`.
            if x < self.min {
                self.min = x;
            }
            if x > self.max {
                self.max = x;
            }
        }
        self.count += 1;
    }

    /// Adds `other`'s bucket counts to `self`'s: the result is exactly the sketch of the
    /// concatenated samples, whatever the merge order.
    pub(crate) fn merge(&mut self, other: &QuantileSketch) {
        if other.count == 0 {
            return;
        }
        self.fractional |= other.fractional;
        self.positive.merge(&other.positive);
        if let Some(theirs) = &other.negative {
            self.negative.get_or_insert_with(Box::default).merge(theirs);
        }
        self.zero_count += other.zero_count;
        if self.count == 0 {
            self.min = other.min;
            self.max = other.max;
        } else {
            self.min = self.min.min(other.min);
            self.max = self.max.max(other.max);
        }
        self.count += other.count;
    }

    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// The value of rank `q·(n−1)` (rounded down) in ascending order, within relative error
    /// α; NaN when empty or when `q` is outside [0, 1].
    pub(crate) fn quantile(&self, q: f64) -> f64 {
        rank_of(q, self.count).map_or(f64::NAN, |rank| self.at_rank(rank))
    }

    /// The value of 0-based `rank` (below the count) in ascending order, within relative
    /// error α, and within the exact minimum and maximum.
    fn at_rank(&self, rank: u64) -> f64 {
        let last = self.count - 1;
        // The extreme ranks are known exactly.
        if rank == 0 {
            return self.min;
        }
        if rank == last {
            return self.max;
        }
        let negatives = self.negative.as_ref().map_or(0, |store| store.total);
        let value = if let Some(store) = self.negative.as_ref().filter(|_| rank < negatives) {
            // Negative values in ascending order have descending magnitudes.
            -bucket_value(store.settled().key_at_rank(negatives - 1 - rank))
        } else if rank < negatives + self.zero_count {
            0.0
        } else {
            bucket_value(
                self.positive
                    .settled()
                    .key_at_rank(rank - negatives - self.zero_count),
            )
        };
        let value = value.clamp(self.min, self.max);
        if self.fractional {
            value
        } else {
            value.round()
        }
    }

    /// Number of buckets allocated across both stores (for tests of the memory bound).
    #[cfg(test)]
    fn buckets(&self) -> usize {
        self.positive.counts.len() + self.negative.as_ref().map_or(0, |store| store.counts.len())
    }
}

/// The rank `q·(n−1)`, rounded down, of quantile `q` among `count` values; `None` when there
/// are none or `q` is outside [0, 1].
fn rank_of(q: f64, count: u64) -> Option<u64> {
    if count == 0 || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let last = count - 1;
    Some(((q * last as f64).floor() as u64).min(last))
}

/// Bucket key of a magnitude `x >= ZERO_THRESHOLD`, clamped to the finite range so that an
/// infinity cannot request an absurd allocation.
#[inline]
fn key_of(x: f64) -> i32 {
    // `ceil_fast` is exact here (|ln x / ln γ| < 71,000) and, unlike `ceil`, not a library call.
    (ceil_fast(x.min(f64::MAX).ln() / LN_GAMMA) as i32).clamp(MIN_KEY, MAX_KEY)
}

/// Representative magnitude of bucket `key`: `2γ^key/(γ+1)`, which equals `(1−α)·γ^key`.
#[inline]
fn bucket_value(key: i32) -> f64 {
    2.0 / (GAMMA + 1.0) * (key as f64 * LN_GAMMA).exp()
}

/// Bucket counts for keys `offset .. offset + counts.len()`, grown at either end on demand.
///
/// The first [`PENDING_KEYS`] keys are only noted, and counted when there are more, or when
/// the store is read: the engine's stores each see one chunk of runs, a few dozen values, and
/// allocating and zeroing buckets for the whole range of keys they span would cost more than
/// the values themselves. Stores merged together stay noted keys while they hold no more than
/// that: a catalogue's final statistics at a few dozen runs are a million stores (about fifty
/// per item-policy), and counted in buckets each would take the range its values span, a few
/// kilobytes, where their keys take a few hundred bytes (issue 24, item 1).
///
/// Buckets count in the narrowest width that holds them ([`BucketCounts`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct DenseStore {
    offset: i32,
    counts: BucketCounts,
    /// Keys added and not yet counted in `counts`, as their distance from `MIN_KEY`
    /// ([`noted`]): 16 bits hold every key up to values of 10²⁷², and a catalogue's stores at
    /// a few dozen runs are mostly noted keys (a key that does not fit is counted at once).
    pending: Vec<u16>,
    /// Values in the store, counted or pending.
    total: u64,
}

/// Keys a store notes before it counts them in buckets.
const PENDING_KEYS: usize = 128;

/// A key as a store notes it, if it fits: its distance from `MIN_KEY`.
#[inline]
fn noted(key: i32) -> Option<u16> {
    u16::try_from(key - MIN_KEY).ok()
}

/// The key a store noted as `noted`.
#[inline]
fn key_noted(noted: u16) -> i32 {
    i32::from(noted) + MIN_KEY
}

impl DenseStore {
    #[inline]
    fn add(&mut self, key: i32) {
        self.total += 1;
        if self.counts.is_empty()
            && self.pending.len() < PENDING_KEYS
            && let Some(noted) = noted(key)
        {
            // Grown as keys come rather than reserved: a chunk of 64 runs notes 64 keys.
            self.pending.push(noted);
            return;
        }
        self.settle();
        self.count(key);
    }

    fn count(&mut self, key: i32) {
        self.cover(key, key);
        self.counts.add((key - self.offset) as usize, 1);
    }

    /// Count each of the noted keys `keys` in its bucket (without changing `total`).
    fn count_keys(&mut self, keys: &[u16]) {
        if let (Some(&lo), Some(&hi)) = (keys.iter().min(), keys.iter().max()) {
            self.cover(key_noted(lo), key_noted(hi));
            let offset = self.offset;
            self.counts
                .add_ones(keys.iter().map(|&key| (key_noted(key) - offset) as usize));
        }
    }

    /// Count the pending keys in buckets.
    fn settle(&mut self) {
        if !self.pending.is_empty() {
            // Once keys are counted, later keys are counted straight away (`add`): the list is
            // not used again, and its memory is given back.
            let pending = std::mem::take(&mut self.pending);
            self.count_keys(&pending);
        }
    }

    /// The store with every key counted: itself, or a settled copy if keys are pending.
    fn settled(&self) -> std::borrow::Cow<'_, DenseStore> {
        if self.pending.is_empty() {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut copy = self.clone();
            copy.settle();
            std::borrow::Cow::Owned(copy)
        }
    }

    fn merge(&mut self, other: &DenseStore) {
        if other.total == 0 {
            return;
        }
        if self.counts.is_empty()
            && other.counts.is_empty()
            && self.pending.len() + other.pending.len() <= PENDING_KEYS
        {
            self.pending.extend_from_slice(&other.pending);
            self.total += other.total;
            return;
        }
        self.settle();
        self.count_keys(&other.pending);
        self.total += other.total;
        // Only the occupied part of `other`'s buckets needs room here.
        let Some((first, last)) = other.counts.occupied() else {
            return;
        };
        let lo = other.offset + first as i32;
        let hi = other.offset + last as i32;
        self.cover(lo, hi);
        let start = (lo - self.offset) as usize;
        for k in 0..=last - first {
            let theirs = other.counts.get(first + k);
            if theirs > 0 {
                self.counts.add(start + k, theirs);
            }
        }
    }

    /// Makes sure keys `lo..=hi` have buckets; reallocates only when they do not yet.
    fn cover(&mut self, lo: i32, hi: i32) {
        if self.counts.is_empty() {
            let new_lo = (lo - GROWTH_MARGIN).max(MIN_KEY);
            let new_hi = (hi + GROWTH_MARGIN).min(MAX_KEY);
            self.offset = new_lo;
            self.counts = BucketCounts::zeroed((new_hi - new_lo + 1) as usize);
            return;
        }
        let cur_lo = self.offset;
        let cur_hi = self.offset + self.counts.len() as i32 - 1;
        if lo >= cur_lo && hi <= cur_hi {
            return;
        }
        let margin = GROWTH_MARGIN.max(self.counts.len() as i32 / 2);
        let new_lo = if lo < cur_lo {
            (lo - margin).max(MIN_KEY)
        } else {
            cur_lo
        };
        let new_hi = if hi > cur_hi {
            (hi + margin).min(MAX_KEY)
        } else {
            cur_hi
        };
        self.counts = self
            .counts
            .regrown((cur_lo - new_lo) as usize, (new_hi - new_lo + 1) as usize);
        self.offset = new_lo;
    }

    /// Key of the bucket holding the value of 0-based `rank` in ascending key order.
    fn key_at_rank(&self, rank: u64) -> i32 {
        let mut seen = 0u64;
        for i in 0..self.counts.len() {
            seen += u64::from(self.counts.get(i));
            if seen > rank {
                return self.offset + i as i32;
            }
        }
        // Unreachable for rank < total; the last bucket is the safe answer.
        self.offset + self.counts.len() as i32 - 1
    }
}

/// A bucket count of one width ([`BucketCounts`]).
trait Count: Copy {
    /// The count with `n` more values, if it fits the width.
    fn plus(self, n: u32) -> Option<Self>;
}

impl Count for u8 {
    #[inline]
    fn plus(self, n: u32) -> Option<Self> {
        u8::try_from(n).ok().and_then(|n| self.checked_add(n))
    }
}

impl Count for u16 {
    #[inline]
    fn plus(self, n: u32) -> Option<Self> {
        u16::try_from(n).ok().and_then(|n| self.checked_add(n))
    }
}

impl Count for u32 {
    #[inline]
    fn plus(self, n: u32) -> Option<Self> {
        // At most a billion runs: never more than 2³² values in a bucket.
        Some(self + n)
    }
}

/// Count `n` more values in each bucket of `counts` that `indices` names, until one would not
/// fit the width: then stop before it, leave it next in `indices`, and say so.
#[inline]
fn count_each<T: Count, I: Iterator<Item = usize>>(
    counts: &mut [T],
    indices: &mut std::iter::Peekable<I>,
    n: u32,
) -> bool {
    while let Some(&i) = indices.peek() {
        match counts[i].plus(n) {
            Some(sum) => counts[i] = sum,
            None => return true,
        }
        indices.next();
    }
    false
}

/// A store's bucket counts, all in the narrowest of 8, 16 and 32 bits that holds the largest;
/// a count that outgrows its width widens them all. A store takes one value per run, and a
/// simulation has at most a billion runs (`model::scenario::MAX_RUNS`), under 2³².
///
/// A catalogue's final statistics are about fifty stores per item-policy, each of a few hundred
/// buckets at a thousand runs, most of them counting a handful of values: in 32 bits they were
/// most of the memory of a 1,000-item, 20-policy catalogue at 1,000 runs (issue 24, item 1).
#[derive(Clone, Debug, Serialize, Deserialize)]
enum BucketCounts {
    Narrow(Vec<u8>),
    Medium(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for BucketCounts {
    fn default() -> Self {
        BucketCounts::Narrow(Vec::new())
    }
}

impl BucketCounts {
    /// `len` empty buckets.
    fn zeroed(len: usize) -> Self {
        BucketCounts::Narrow(vec![0; len])
    }

    fn len(&self) -> usize {
        match self {
            BucketCounts::Narrow(c) => c.len(),
            BucketCounts::Medium(c) => c.len(),
            BucketCounts::Wide(c) => c.len(),
        }
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bucket `i`'s count.
    #[inline]
    fn get(&self, i: usize) -> u32 {
        match self {
            BucketCounts::Narrow(c) => u32::from(c[i]),
            BucketCounts::Medium(c) => u32::from(c[i]),
            BucketCounts::Wide(c) => c[i],
        }
    }

    /// Count `n` more values in bucket `i`, widening every count if this one needs it.
    #[inline]
    fn add(&mut self, i: usize, n: u32) {
        self.add_ones_or(std::iter::once(i), n);
    }

    /// Count one more value in each of buckets `indices` (a bucket may come more than once).
    #[inline]
    fn add_ones(&mut self, indices: impl Iterator<Item = usize>) {
        self.add_ones_or(indices, 1);
    }

    /// Count `n` more values in each of buckets `indices`, one width at a time: the counts are
    /// widened only when one outgrows its width, and counting goes on from that bucket.
    #[inline]
    fn add_ones_or(&mut self, indices: impl Iterator<Item = usize>, n: u32) {
        let mut indices = indices.peekable();
        loop {
            let full = match self {
                BucketCounts::Narrow(c) => count_each(c, &mut indices, n),
                BucketCounts::Medium(c) => count_each(c, &mut indices, n),
                BucketCounts::Wide(c) => count_each(c, &mut indices, n),
            };
            if !full {
                return;
            }
            self.widen();
        }
    }

    /// The same counts one width wider.
    fn widen(&mut self) {
        *self = match self {
            BucketCounts::Narrow(c) => BucketCounts::Medium(c.iter().map(|&n| n.into()).collect()),
            BucketCounts::Medium(c) => BucketCounts::Wide(c.iter().map(|&n| n.into()).collect()),
            BucketCounts::Wide(c) => BucketCounts::Wide(std::mem::take(c)),
        };
    }

    /// The same counts in the same width, with `before` empty buckets before them and empty
    /// buckets after them up to `len` in all.
    fn regrown(&self, before: usize, len: usize) -> Self {
        fn regrow<T: Copy + Default>(counts: &[T], before: usize, len: usize) -> Vec<T> {
            let mut grown = vec![T::default(); len];
            grown[before..before + counts.len()].copy_from_slice(counts);
            grown
        }
        match self {
            BucketCounts::Narrow(c) => BucketCounts::Narrow(regrow(c, before, len)),
            BucketCounts::Medium(c) => BucketCounts::Medium(regrow(c, before, len)),
            BucketCounts::Wide(c) => BucketCounts::Wide(regrow(c, before, len)),
        }
    }

    /// The first and last buckets that count something, if any does.
    fn occupied(&self) -> Option<(usize, usize)> {
        let first = (0..self.len()).find(|&i| self.get(i) > 0)?;
        let last = (0..self.len()).rfind(|&i| self.get(i) > 0)?;
        Some((first, last))
    }

    /// Values counted in every bucket.
    #[cfg(test)]
    fn sum(&self) -> u64 {
        (0..self.len()).map(|i| u64::from(self.get(i))).sum()
    }
}

/// Sub-buckets per power of two of a level key, as a bit count: 2⁷ = 128 buckets per octave,
/// equally wide within it, so a level reported as its bucket's midpoint is within 1/256 ≈ 0.4%
/// of the true value, and whole numbers below 256 have buckets of their own.
const LEVEL_SUB_BITS: u32 = 7;

/// Levels below this are counted as zero (no stock).
const LEVEL_ZERO: f64 = 1.0 / 1024.0;

/// Levels above this land in the last bucket (2⁵⁰ units or currency).
const LEVEL_MAX: f64 = (1u64 << 50) as f64;

/// The top bits of `LEVEL_ZERO`'s representation: the first positive bucket.
const LEVEL_BASE: u64 = LEVEL_ZERO.to_bits() >> (52 - LEVEL_SUB_BITS);

/// Bucket key of a non-negative level (stock on hand on one day) for a log-linear histogram
/// as in HdrHistogram: 0 for (practically) no stock, otherwise read from the exponent and the
/// first seven mantissa bits of the level's IEEE-754 representation.
///
/// It plays the role of [`QuantileSketch`] where values come hundreds of times per run (one
/// per day charted) and the sketch's logarithm would cost more than the day it describes: a
/// key costs a few integer operations, and counts per key merge by addition, so quantiles do
/// not depend on the order runs are merged in.
#[inline]
pub(crate) fn level_key(level: f64) -> u16 {
    // Without a branch: a level below `LEVEL_ZERO` is raised to `LEVEL_BELOW_ZERO`, in the
    // sub-bucket just below the first, whose key comes out 0.
    let bounded = max_fast(min_fast(level, LEVEL_MAX), LEVEL_BELOW_ZERO);
    let bits = bounded.to_bits() >> (52 - LEVEL_SUB_BITS);
    (bits + 1 - LEVEL_BASE) as u16
}

/// The smallest level in the sub-bucket just below `LEVEL_ZERO`: key 0.
const LEVEL_BELOW_ZERO: f64 = f64::from_bits((LEVEL_BASE - 1) << (52 - LEVEL_SUB_BITS));

/// The levels bucket `key > 0` holds: `[low, high)`.
fn level_bounds(key: u16) -> (f64, f64) {
    let edge = |k: u64| f64::from_bits((k - 1 + LEVEL_BASE) << (52 - LEVEL_SUB_BITS));
    (edge(u64::from(key)), edge(u64::from(key) + 1))
}

/// Counts of levels per [`level_key`], stored for the range of keys seen so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct LevelCounts {
    offset: u16,
    counts: Vec<u64>,
}

impl LevelCounts {
    #[inline]
    pub(crate) fn add(&mut self, key: u16, n: u64) {
        match self.counts.get_mut(slot(key, self.offset)) {
            Some(count) => *count += n,
            None => self.grow_and_add(key, n),
        }
    }

    /// Count one of each of `keys` (one day's levels in a block of runs).
    pub(crate) fn add_keys(&mut self, keys: &[u16]) {
        if keys.is_empty() {
            return;
        }
        let (low, high) = keys.iter().fold((u16::MAX, 0), |(low, high), &key| {
            (low.min(key), high.max(key))
        });
        // Room for the keys' whole range first, so that counting them is one add each.
        self.add(low, 0);
        self.add(high, 0);
        let (offset, counts) = (self.offset, &mut self.counts[..]);
        for &key in keys {
            counts[slot(key, offset)] += 1;
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, key: u16, n: u64) {
        self.grow(key);
        self.counts[usize::from(key - self.offset)] += n;
    }

    /// Make room for `key`, with a margin of half an octave or of the current size, whichever
    /// is larger, so that levels drifting outward reallocate only a few times.
    fn grow(&mut self, key: u16) {
        let margin = (1u16 << (LEVEL_SUB_BITS - 1)).max(self.counts.len() as u16);
        let wanted = (key.saturating_sub(margin), key.saturating_add(margin));
        let (lo, hi) = if self.counts.is_empty() {
            wanted
        } else {
            let last = self.offset + (self.counts.len() - 1) as u16;
            (self.offset.min(wanted.0), last.max(wanted.1))
        };
        let mut counts = vec![0; usize::from(hi - lo) + 1];
        let at = usize::from(self.offset.saturating_sub(lo));
        if !self.counts.is_empty() {
            counts[at..at + self.counts.len()].copy_from_slice(&self.counts);
        }
        self.offset = lo;
        self.counts = counts;
    }

    pub(crate) fn merge(&mut self, other: &LevelCounts) {
        let (Some(first), Some(last)) = (
            other.counts.iter().position(|&n| n > 0),
            other.counts.iter().rposition(|&n| n > 0),
        ) else {
            return;
        };
        // Make room for both ends once, then add the counts side by side.
        let (lo, hi) = (other.offset + first as u16, other.offset + last as u16);
        self.add(lo, 0);
        self.add(hi, 0);
        let at = usize::from(lo - self.offset);
        for (mine, theirs) in self.counts[at..]
            .iter_mut()
            .zip(&other.counts[first..=last])
        {
            *mine += theirs;
        }
    }

    /// One level of rank: see [`Self::quantiles`].
    #[cfg(test)]
    pub(crate) fn quantile(&self, q: f64, whole_units: bool) -> f64 {
        self.quantiles(&[q], whole_units)[0]
    }

    /// For each of `qs` (ascending), in one pass over the counts, the level of rank `q·(n−1)`
    /// (rounded down) in ascending order: 0 for the zero bucket, otherwise the midpoint of the
    /// bucket that holds it, or with `whole_units` the one whole number in a bucket narrower
    /// than a unit (so whole levels below 256 are exact). NaN when empty.
    pub(crate) fn quantiles(&self, qs: &[f64], whole_units: bool) -> Vec<f64> {
        debug_assert!(qs.is_sorted());
        let n: u64 = self.counts.iter().sum();
        if n == 0 {
            return vec![f64::NAN; qs.len()];
        }
        let mut out = Vec::with_capacity(qs.len());
        let (mut index, mut seen) = (0, self.counts[0]);
        for &q in qs {
            let rank = ((q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64).min(n - 1);
            while seen <= rank {
                index += 1;
                seen += self.counts[index];
            }
            out.push(level_value(self.offset + index as u16, whole_units));
        }
        out
    }
}

/// Where `key` is counted in counts starting at key `offset`. One comparison with the length
/// of the counts then covers both ends: below the offset, the difference wraps past every index
/// the counts can have (they never reach beyond key 2¹⁶ − 1).
#[inline(always)]
fn slot(key: u16, offset: u16) -> usize {
    usize::from(key.wrapping_sub(offset))
}

/// The level reported for bucket `key`: see [`LevelCounts::quantiles`].
fn level_value(key: u16, whole_units: bool) -> f64 {
    if key == 0 {
        return 0.0;
    }
    let (low, high) = level_bounds(key);
    match whole_units {
        true if high - low <= 1.0 => low.ceil(),
        true => ((low + high) / 2.0).round(),
        false => (low + high) / 2.0,
    }
}

/// The worst runs of a metric where larger is worse: a high quantile and the expected value
/// beyond it (conditional value at risk), each with a 95% confidence interval (none with a
/// single run).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(from = "TailRecord", into = "TailRecord")]
pub(crate) struct Tail {
    /// The quantile level, e.g. 0.99 for p99.
    pub level: f64,
    pub quantile: f64,
    pub(crate) quantile_ci95: Option<Interval>,
    /// Share of runs in the tail, e.g. 0.05 for the worst 5%.
    pub(crate) tail_share: f64,
    /// Mean of the worst `tail_share` of runs (CVaR).
    pub(crate) tail_mean: f64,
    pub(crate) tail_mean_ci95: Option<Interval>,
}

/// A [`Tail`] as the result files hold it: intervals as two ends, `null` when there are none.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct TailRecord {
    pub(crate) level: f64,
    pub(crate) quantile: f64,
    pub(crate) quantile_ci95_low: Option<f64>,
    pub(crate) quantile_ci95_high: Option<f64>,
    pub(crate) tail_share: f64,
    pub(crate) tail_mean: f64,
    pub(crate) tail_mean_ci95_low: Option<f64>,
    pub(crate) tail_mean_ci95_high: Option<f64>,
}

impl From<TailRecord> for Tail {
    fn from(r: TailRecord) -> Self {
        Self {
            level: r.level,
            quantile: r.quantile,
            quantile_ci95: interval_from_ends(r.quantile_ci95_low, r.quantile_ci95_high),
            tail_share: r.tail_share,
            tail_mean: r.tail_mean,
            tail_mean_ci95: interval_from_ends(r.tail_mean_ci95_low, r.tail_mean_ci95_high),
        }
    }
}

impl From<Tail> for TailRecord {
    fn from(t: Tail) -> Self {
        let (quantile_ci95_low, quantile_ci95_high) = interval_ends(t.quantile_ci95);
        let (tail_mean_ci95_low, tail_mean_ci95_high) = interval_ends(t.tail_mean_ci95);
        Self {
            level: t.level,
            quantile: t.quantile,
            quantile_ci95_low,
            quantile_ci95_high,
            tail_share: t.tail_share,
            tail_mean: t.tail_mean,
            tail_mean_ci95_low,
            tail_mean_ci95_high,
        }
    }
}

impl RunningStat {
    /// Tail statistics: the `level` quantile with a distribution-free interval from the order
    /// statistics whose ranks are n·level ∓ 1.96·sqrt(n·level·(1 − level)); and the mean of the
    /// worst `tail_share` of runs, CVaR = VaR + E[(X − VaR)⁺] / β, by integrating the quantile
    /// function over the tail (200 midpoints), with the asymptotic standard error
    /// sqrt(Var((X − VaR)⁺) / (β² n)) (Rockafellar & Uryasev 2000; Manistre & Hancock 2005).
    /// Quantiles come from the sketch, so values carry its accuracy: 0.5% of the value, or for
    /// a share 0.5% of its distance to the nearer bound.
    pub(crate) fn tail(&self, level: f64, tail_share: f64) -> Option<Tail> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let spread = 1.959_963_984_540_054 * (nf * level * (1.0 - level)).sqrt();
        let rank_q = |rank: f64| self.quantile((rank / nf).clamp(0.0, 1.0));
        let beta = tail_share;
        let var = self.quantile(1.0 - beta);
        const STEPS: usize = 200;
        let (mut excess, mut excess_sq) = (0.0, 0.0);
        for k in 0..STEPS {
            let u = 1.0 - beta + beta * (k as f64 + 0.5) / STEPS as f64;
            let over = (self.quantile(u) - var).max(0.0);
            excess += over / STEPS as f64;
            excess_sq += over * over / STEPS as f64;
        }
        // E[(X − VaR)⁺] = β · mean excess over the tail; likewise for the square.
        let (m1, m2) = (beta * excess, beta * excess_sq);
        let cvar = var + m1 / beta;
        let se = ((m2 - m1 * m1).max(0.0) / (beta * beta * nf)).sqrt();
        let spread_known = n >= 2;
        Some(Tail {
            level,
            quantile: self.quantile(level),
            quantile_ci95: spread_known.then(|| Interval {
                low: rank_q(nf * level - spread),
                high: rank_q(nf * level + spread),
            }),
            tail_share,
            tail_mean: cvar,
            tail_mean_ci95: spread_known
                .then(|| Interval::around(cvar, 1.959_963_984_540_054 * se)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `K` figures counted together give each figure the bits of its own [`MeanStat`], pushed
    /// and merged in the same order.
    #[test]
    fn mean_stats_are_their_figures_mean_stats_bit_for_bit() {
        let mut rng = SplitMix(7);
        let mut parts: Vec<(MeanStats<3>, [MeanStat; 3])> = Vec::new();
        for size in [0, 1, 5, 17] {
            let mut together = MeanStats::<3>::default();
            let mut alone = std::array::from_fn::<MeanStat, 3, _>(|_| MeanStat::default());
            for _ in 0..size {
                let xs = [rng.unit(), 1.0 - rng.unit(), 30.0 * rng.unit()];
                together.push(xs);
                for (stat, x) in alone.iter_mut().zip(xs) {
                    stat.push(x);
                }
            }
            parts.push((together, alone));
        }
        let (mut together, mut alone) = (
            MeanStats::<3>::default(),
            std::array::from_fn::<MeanStat, 3, _>(|_| MeanStat::default()),
        );
        for (t, a) in &parts {
            together.merge(t);
            for (stat, part) in alone.iter_mut().zip(a) {
                stat.merge(part);
            }
            for (k, stat) in alone.iter().enumerate() {
                assert_eq!(together.figure(k), *stat);
            }
        }
        assert_eq!(together.figure(2).count(), 23);
    }

    /// SplitMix64 (Steele, Lea & Flood 2014): a self-contained test generator, so these tests
    /// do not move when the simulator's own streams change.
    struct SplitMix(u64);

    impl SplitMix {
        fn next_u64(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in [0, 1) with 53 random bits.
        fn unit(&mut self) -> f64 {
            (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
        }

        /// Standard normal by Box–Muller (one of the pair; the other is discarded).
        fn normal(&mut self) -> f64 {
            let u1 = 1.0 - self.unit(); // (0, 1], so ln is finite
            let u2 = self.unit();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    const QS: [f64; 13] = [
        0.0, 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0,
    ];

    /// The sketch must return, for every q, a value within relative error α of the exact order
    /// statistic of rank ⌊q(n−1)⌋. Buckets are ordered like the values, so the rank is exact
    /// and the only slack allowed is floating-point rounding at bucket boundaries.
    fn assert_quantiles_accurate(sample: &[f64], what: &str) {
        let mut sketch = QuantileSketch::new();
        for &x in sample {
            sketch.add(x);
        }
        let mut sorted = sample.to_vec();
        sorted.sort_by(f64::total_cmp);
        let last = sorted.len() - 1;
        for q in QS {
            let exact = sorted[(q * last as f64).floor() as usize];
            let got = sketch.quantile(q);
            if exact.abs() < ZERO_THRESHOLD {
                assert_eq!(got, exact, "{what}: q={q} got {got}, exact {exact}");
            } else {
                let rel = ((got - exact) / exact).abs();
                assert!(
                    rel <= QUANTILE_RELATIVE_ACCURACY + 1e-9,
                    "{what}: q={q} got {got}, exact {exact}, relative error {rel}"
                );
            }
        }
    }

    /// The error a share's quantile may have (`RunningStat::for_share`): 0.5% of the exact
    /// value's distance to the nearer of 0 and 1, and nothing at 0 or 1; plus the rounding of
    /// 1 − v, half an ulp of 1.
    fn share_tolerance(exact: f64) -> f64 {
        let distance = exact.abs().min((1.0 - exact).abs());
        QUANTILE_RELATIVE_ACCURACY * distance * (1.0 + 1e-9) + f64::EPSILON / 2.0
    }

    /// A share's statistic, pushed in one stream or in chunks of 64 merged in order (as the
    /// engine does), must give the same bits, and for every q a value within
    /// [`share_tolerance`] of the exact order statistic of rank ⌊q(n−1)⌋.
    fn assert_share_quantiles_accurate(sample: &[f64], what: &str) {
        let mut whole = RunningStat::for_share();
        sample.iter().for_each(|&x| whole.push(x));
        let mut merged = RunningStat::for_share();
        for chunk in sample.chunks(64) {
            let mut part = RunningStat::for_share();
            chunk.iter().for_each(|&x| part.push(x));
            merged.merge(&part);
        }
        let mut sorted = sample.to_vec();
        sorted.sort_by(f64::total_cmp);
        let last = sorted.len() - 1;
        for q in QS {
            let exact = sorted[(q * last as f64).floor() as usize];
            let got = whole.quantile(q);
            assert_eq!(got.to_bits(), merged.quantile(q).to_bits(), "{what}: q={q}");
            assert!(
                (got - exact).abs() <= share_tolerance(exact),
                "{what}: q={q} got {got}, exact {exact}, allowed ±{:e}",
                share_tolerance(exact)
            );
        }
    }

    /// Issue 18, item 2: rates near 1 came out as coarse as the value sketch's buckets there,
    /// about 0.01 wide around 0.988: with the true spread over runs 0.9864–0.9897, p05, p50 and
    /// p95 all read 0.98510. A share's statistic sketches them by 1 − x: each percentile is
    /// within 0.5% of 1 − x of the exact order statistic, ±0.00007 here.
    #[test]
    fn issue_18_percentiles_of_rates_near_one_match_exact_order_statistics() {
        let mut rng = SplitMix(18);
        let sample: Vec<f64> = (0..5_000).map(|_| 0.9864 + 0.0033 * rng.unit()).collect();
        let mut stat = RunningStat::for_share();
        sample.iter().for_each(|&x| stat.push(x));
        let e = stat.estimate().unwrap();
        let mut sorted = sample.clone();
        sorted.sort_by(f64::total_cmp);
        let exact = |q: f64| sorted[(q * (sorted.len() - 1) as f64).floor() as usize];
        for (name, got, q) in [
            ("p05", e.p05, 0.05),
            ("p50", e.p50, 0.5),
            ("p95", e.p95, 0.95),
        ] {
            let exact = exact(q);
            assert!(
                (got - exact).abs() <= QUANTILE_RELATIVE_ACCURACY * (1.0 - exact) + 1e-15,
                "{name}: got {got:.6}, exact {exact:.6}"
            );
        }
        assert!(e.p05 < e.p50 && e.p50 < e.p95, "{e:?}");
        assert_share_quantiles_accurate(&sample, "rates in [0.9864, 0.9897]");
    }

    /// Shares anywhere in [0, 1]: crowded at 1 (fill rates, with many runs at exactly 1),
    /// crowded at 0 (stockout rates, with many at exactly 0), spread over the whole range
    /// with both bounds and ½ itself; and each side of ½ alone.
    #[test]
    fn share_quantiles_within_accuracy_over_the_whole_range() {
        let mut rng = SplitMix(19);
        let near_one: Vec<f64> = (0..20_000)
            .map(|i| match i % 10 {
                0..3 => 1.0,
                _ => 1.0 - (0.02 * rng.normal().exp()).min(1.0),
            })
            .collect();
        assert_share_quantiles_accurate(&near_one, "near 1");
        let near_zero: Vec<f64> = near_one.iter().map(|&x| 1.0 - x).collect();
        assert_share_quantiles_accurate(&near_zero, "near 0");
        let mut spread: Vec<f64> = (0..10_000).map(|_| rng.unit()).collect();
        spread.extend([0.0, 0.5, 0.5, 1.0, 0.5f64.next_up(), 0.5f64.next_down()]);
        assert_share_quantiles_accurate(&spread, "over [0, 1]");
        let below: Vec<f64> = (0..3_000).map(|_| 0.5 * rng.unit()).collect();
        assert_share_quantiles_accurate(&below, "below ½");
        let above: Vec<f64> = (0..3_000).map(|_| 1.0 - 0.5 * rng.unit()).collect();
        assert_share_quantiles_accurate(&above, "above ½");
        assert_share_quantiles_accurate(&[0.7], "one value");
    }

    /// Shares up to ½ (stockout rates, as a rule) are sketched as they were before shares had
    /// their own kind: the same bits as a value's statistic.
    #[test]
    fn shares_up_to_one_half_are_sketched_as_values() {
        let mut rng = SplitMix(20);
        let (mut share, mut value) = (RunningStat::for_share(), RunningStat::new());
        for i in 0..5_000 {
            let x = if i % 3 == 0 {
                0.0
            } else {
                (0.01 * rng.normal().exp()).min(0.5)
            };
            share.push(x);
            value.push(x);
        }
        for q in QS {
            assert_eq!(share.quantile(q).to_bits(), value.quantile(q).to_bits());
        }
        assert_eq!(share.estimate(), value.estimate());
    }

    #[test]
    #[should_panic(expected = "a share's summary merged with another kind")]
    fn a_share_does_not_merge_with_a_value() {
        let mut share = RunningStat::for_share();
        share.push(0.9);
        RunningStat::new().merge(&share);
    }

    #[test]
    fn ln_gamma_constant_and_key_bounds() {
        assert!((LN_GAMMA - GAMMA.ln()).abs() < 1e-15);
        assert_eq!(key_of(ZERO_THRESHOLD), MIN_KEY);
        assert_eq!(key_of(f64::MAX), MAX_KEY);
        assert_eq!(key_of(f64::INFINITY), MAX_KEY);
        // Representative value is within α of both ends of its bucket.
        for key in [-2000, -1, 0, 1, 500, 2700] {
            let upper = (key as f64 * LN_GAMMA).exp();
            let lower = upper / GAMMA;
            let v = bucket_value(key);
            assert!(((v - upper) / upper).abs() <= QUANTILE_RELATIVE_ACCURACY + 1e-12);
            assert!(((v - lower) / lower).abs() <= QUANTILE_RELATIVE_ACCURACY + 1e-12);
        }
    }

    #[test]
    fn quantiles_of_positive_sample() {
        // Lognormal spanning several decades, like costs or stock-out durations.
        let mut rng = SplitMix(1);
        let sample: Vec<f64> = (0..20_000).map(|_| (3.0 * rng.normal()).exp()).collect();
        assert_quantiles_accurate(&sample, "lognormal");
        let sample: Vec<f64> = (0..5_000).map(|_| 1.0 + 1e6 * rng.unit()).collect();
        assert_quantiles_accurate(&sample, "uniform");
    }

    #[test]
    fn quantiles_of_mixed_sign_sample() {
        let mut rng = SplitMix(2);
        let sample: Vec<f64> = (0..20_000).map(|_| 100.0 * rng.normal() - 30.0).collect();
        assert_quantiles_accurate(&sample, "normal");
        let sample: Vec<f64> = (0..5_000).map(|_| -(2.0 * rng.normal()).exp()).collect();
        assert_quantiles_accurate(&sample, "negative lognormal");
    }

    #[test]
    fn quantiles_of_zero_heavy_sample() {
        // Most runs have no stock-out at all; the rest spread over both signs.
        let mut rng = SplitMix(3);
        let sample: Vec<f64> = (0..20_000)
            .map(|_| {
                let u = rng.unit();
                if u < 0.6 {
                    0.0
                } else if u < 0.7 {
                    -50.0 * rng.unit()
                } else {
                    (2.0 * rng.normal()).exp()
                }
            })
            .collect();
        assert_quantiles_accurate(&sample, "zero-heavy");
        let mut sketch = QuantileSketch::new();
        sample.iter().for_each(|&x| sketch.add(x));
        assert_eq!(sketch.quantile(0.5).to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn noted_keys_read_and_merge_like_counted_ones() {
        let mut rng = SplitMix(5);
        let sample: Vec<f64> = (0..100).map(|_| 20.0 * rng.normal()).collect();
        // Fewer values than a store notes before counting: the keys are only noted.
        let mut noted = QuantileSketch::new();
        sample.iter().for_each(|&x| noted.add(x));
        assert!(noted.positive.counts.is_empty() && !noted.positive.pending.is_empty());
        // Merged into an empty sketch, the keys stay noted while there are few.
        let mut merged = QuantileSketch::new();
        merged.merge(&noted);
        assert!(merged.positive.counts.is_empty() && !merged.positive.pending.is_empty());
        // Merged three times, they are more than a store notes, and are counted in buckets.
        let mut counted = merged.clone();
        counted.merge(&noted);
        counted.merge(&noted);
        assert!(counted.positive.pending.is_empty() && !counted.positive.counts.is_empty());
        let mut thrice = noted.clone();
        (0..2).for_each(|_| sample.iter().for_each(|&x| thrice.add(x)));
        // More values than that: the first ones are counted on the way.
        let mut grown = noted.clone();
        (0..PENDING_KEYS).for_each(|_| grown.add(1.0));
        assert!(grown.positive.pending.is_empty());
        let mut both = merged.clone();
        (0..PENDING_KEYS).for_each(|_| both.add(1.0));
        for q in QS {
            assert_eq!(noted.quantile(q).to_bits(), merged.quantile(q).to_bits());
            assert_eq!(thrice.quantile(q).to_bits(), counted.quantile(q).to_bits());
            assert_eq!(grown.quantile(q).to_bits(), both.quantile(q).to_bits());
        }
    }

    #[test]
    fn merge_matches_single_stream() {
        let mut rng = SplitMix(4);
        let sample: Vec<f64> = (0..30_001).map(|_| 1e3 + 50.0 * rng.normal()).collect();
        let mut whole = RunningStat::new();
        sample.iter().for_each(|&x| whole.push(x));

        let chunks: Vec<RunningStat> = [&sample[..7], &sample[7..12_000], &sample[12_000..]]
            .iter()
            .map(|chunk| {
                let mut s = RunningStat::new();
                chunk.iter().for_each(|&x| s.push(x));
                s
            })
            .collect();
        let mut forward = RunningStat::new();
        chunks.iter().for_each(|c| forward.merge(c));
        let mut backward = RunningStat::new();
        chunks.iter().rev().for_each(|c| backward.merge(c));

        for merged in [&forward, &backward] {
            assert_eq!(merged.count(), whole.count());
            assert_eq!(merged.sketch.count(), whole.sketch.count());
            for q in QS {
                assert_eq!(
                    merged.quantile(q).to_bits(),
                    whole.quantile(q).to_bits(),
                    "q={q}"
                );
            }
            let rel_mean = ((merged.mean() - whole.mean()) / whole.mean()).abs();
            let rel_var = ((merged.variance() - whole.variance()) / whole.variance()).abs();
            assert!(rel_mean < 1e-12, "mean off by {rel_mean}");
            assert!(rel_var < 1e-12, "variance off by {rel_var}");
        }

        // Merging an empty summary changes nothing, and neither does merging into one.
        let mut copy = whole.clone();
        copy.merge(&RunningStat::new());
        assert_eq!(copy.estimate(), whole.estimate());
        let mut empty = RunningStat::new();
        empty.merge(&whole);
        assert_eq!(empty.estimate(), whole.estimate());
    }

    #[test]
    fn merging_in_the_same_order_is_bit_identical() {
        let build = || {
            let mut rng = SplitMix(5);
            let mut total = RunningStat::new();
            for _ in 0..16 {
                let mut chunk = RunningStat::new();
                for _ in 0..1_000 {
                    chunk.push(rng.normal() * 7.0 + 0.1);
                }
                total.merge(&chunk);
            }
            total
        };
        let (a, b) = (build(), build());
        let (ea, eb) = (a.estimate().unwrap(), b.estimate().unwrap());
        let bits = |e: Estimate| {
            let ci = e.ci95.unwrap();
            [e.mean, ci.low, ci.high, e.p05, e.p50, e.p95].map(f64::to_bits)
        };
        assert_eq!(bits(ea), bits(eb));
        assert_eq!(a.variance().to_bits(), b.variance().to_bits());
        assert_eq!(ea.n, 16_000);
    }

    /// Chunks merged in any grouping and any order, as shards of a simulation run on several
    /// machines are, give the same bits as chunks merged one after another (issue 25).
    #[test]
    fn merging_in_any_grouping_is_bit_identical() {
        let mut rng = SplitMix(11);
        let chunks: Vec<(RunningStat, MeanStats<2>)> = (0..23)
            .map(|c| {
                let (mut stat, mut means) = (RunningStat::for_share(), MeanStats::<2>::default());
                // Chunks of unequal sizes, the last one cut short as a run count can cut it.
                for _ in 0..if c == 22 { 5 } else { 64 } {
                    let x = (0.9 + 0.05 * rng.normal()).clamp(0.0, 1.0);
                    stat.push(x);
                    means.push([x, 1e6 + 3.0 * rng.normal()]);
                }
                (stat, means)
            })
            .collect();
        let bits = |stat: &RunningStat, means: &MeanStats<2>| {
            let e = stat.estimate().unwrap();
            let ci = e.ci95.unwrap();
            let m = means.figure(1).estimate().unwrap();
            [
                e.mean,
                ci.low,
                ci.high,
                e.p05,
                e.p50,
                e.p95,
                stat.variance(),
                m.mean,
            ]
            .map(f64::to_bits)
        };
        let (mut one, mut one_means) = (RunningStat::for_share(), MeanStats::<2>::default());
        for (stat, means) in &chunks {
            one.merge(stat);
            one_means.merge(means);
        }
        let expected = bits(&one, &one_means);
        for split in 0..40u64 {
            // Random cuts into shards, each merged alone, then the shards merged in a random
            // order.
            let mut shards: Vec<(RunningStat, MeanStats<2>)> = Vec::new();
            for (c, (stat, means)) in chunks.iter().enumerate() {
                if c == 0 || rng.next_u64().is_multiple_of(3) {
                    shards.push((RunningStat::for_share(), MeanStats::default()));
                }
                let shard = shards.last_mut().unwrap();
                shard.0.merge(stat);
                shard.1.merge(means);
            }
            let (mut total, mut total_means) =
                (RunningStat::for_share(), MeanStats::<2>::default());
            while !shards.is_empty() {
                let at = (rng.next_u64() % shards.len() as u64) as usize;
                let (stat, means) = shards.swap_remove(at);
                total.merge(&stat);
                total_means.merge(&means);
            }
            assert_eq!(bits(&total, &total_means), expected, "split {split}");
        }
        // And the merged figures are those of the values themselves, to rounding.
        let all: Vec<f64> = {
            let mut rng = SplitMix(11);
            (0..22 * 64 + 5)
                .map(|_| {
                    let x = (0.9 + 0.05 * rng.normal()).clamp(0.0, 1.0);
                    rng.normal();
                    x
                })
                .collect()
        };
        let n = all.len() as f64;
        let mean = all.iter().sum::<f64>() / n;
        let variance = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        assert!((one.mean() - mean).abs() < 1e-14, "{} {mean}", one.mean());
        assert!((one.variance() / variance - 1.0).abs() < 1e-12);
    }

    /// A constant merged from many chunks keeps exactly its value and a zero spread.
    #[test]
    fn a_constant_merged_from_chunks_has_no_spread() {
        for x in [0.1, 1.0 / 3.0, 12_345.678_9, -7e-5, 0.0] {
            let mut total = RunningStat::new();
            for _ in 0..10 {
                let mut chunk = RunningStat::new();
                (0..64).for_each(|_| chunk.push(x));
                total.merge(&chunk);
            }
            assert_eq!(total.mean(), x);
            assert_eq!(total.variance(), 0.0);
            let ci = total.ci95().unwrap();
            assert_eq!((ci.low, ci.high), (x, x));
        }
    }

    #[test]
    fn constant_sample_returns_the_constant_exactly() {
        let shares = [
            0.0,
            1.0,
            0.5,
            0.3,
            0.7,
            0.988,
            1e-13,
            1.0 - 1e-13,
            0.5f64.next_up(),
        ];
        let constants = [3.7, -2.5, 1e9, 1e-13, 0.1 + 0.2]
            .map(|c| (c, RunningStat::new()))
            .into_iter()
            .chain(shares.map(|c| (c, RunningStat::for_share())));
        for (c, mut s) in constants {
            for _ in 0..1_001 {
                s.push(c);
            }
            for q in QS {
                assert_eq!(s.quantile(q), c, "constant {c}, q={q}");
            }
            let e = s.estimate().unwrap();
            assert_eq!((e.p05, e.p50, e.p95), (c, c, c));
            let ci = e.ci95.unwrap();
            assert_eq!((e.mean, ci.low, ci.high), (c, c, c));
        }
    }

    #[test]
    fn all_zero_sample_returns_zero_exactly() {
        let mut s = RunningStat::new();
        for _ in 0..500 {
            s.push(0.0);
        }
        for q in QS {
            assert_eq!(s.quantile(q).to_bits(), 0.0f64.to_bits(), "q={q}");
        }
        assert_eq!(s.sketch.buckets(), 0, "zeros need no buckets");
    }

    #[test]
    fn quantiles_are_monotone_in_q() {
        let mut rng = SplitMix(6);
        let mut sketch = QuantileSketch::new();
        for i in 0..10_000 {
            let x = if i % 5 == 0 { 0.0 } else { rng.normal() * 10.0 };
            sketch.add(x);
        }
        let mut previous = f64::NEG_INFINITY;
        for i in 0..=2_000 {
            let v = sketch.quantile(i as f64 / 2_000.0);
            assert!(
                v >= previous,
                "quantile decreased at q={}",
                i as f64 / 2_000.0
            );
            previous = v;
        }
        assert!(sketch.quantile(-0.1).is_nan() && sketch.quantile(1.1).is_nan());
        assert!(QuantileSketch::new().quantile(0.5).is_nan());
    }

    /// Property: for either kind of statistic and samples of every shape (a share's also
    /// beyond [0, 1], which no metric gives but which must not break the order), quantiles
    /// rise with q, the extreme ranks are the exact minimum and maximum, and every quantile
    /// lies between them.
    #[test]
    fn quantiles_are_monotone_and_within_min_and_max() {
        let mut rng = SplitMix(21);
        let mut samples: Vec<(&str, RunningStat, Vec<f64>)> = Vec::new();
        let mixed: Vec<f64> = (0..10_000)
            .map(|i| if i % 5 == 0 { 0.0 } else { rng.normal() * 10.0 })
            .collect();
        samples.push(("mixed signs", RunningStat::new(), mixed));
        let counts: Vec<f64> = (0..5_000).map(|_| (rng.unit() * 7.0).floor()).collect();
        samples.push(("whole numbers", RunningStat::new(), counts));
        let rates: Vec<f64> = (0..10_000)
            .map(|i| match i % 7 {
                0 => 1.0,
                1 => 0.0,
                2 => 0.5,
                3 => 1.0 - 0.01 * rng.unit(),
                _ => rng.unit(),
            })
            .collect();
        samples.push(("rates", RunningStat::for_share(), rates));
        let beyond: Vec<f64> = (0..5_000).map(|_| rng.unit() * 3.0 - 1.0).collect();
        samples.push(("beyond [0, 1]", RunningStat::for_share(), beyond));
        let just_under_one: Vec<f64> = (0..3_000).map(|_| 0.9999 + 1e-4 * rng.unit()).collect();
        samples.push(("just under 1", RunningStat::for_share(), just_under_one));
        for (what, mut stat, sample) in samples {
            sample.iter().for_each(|&x| stat.push(x));
            let min = sample.iter().copied().fold(f64::INFINITY, f64::min);
            let max = sample.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(stat.quantile(0.0), min, "{what}");
            assert_eq!(stat.quantile(1.0), max, "{what}");
            let mut previous = f64::NEG_INFINITY;
            for i in 0..=2_000 {
                let q = i as f64 / 2_000.0;
                let v = stat.quantile(q);
                assert!(v >= previous, "{what}: quantile decreased at q={q}");
                assert!((min..=max).contains(&v), "{what}: q={q} gave {v}");
                previous = v;
            }
            assert!(stat.quantile(-0.1).is_nan() && stat.quantile(1.1).is_nan());
        }
        assert!(RunningStat::for_share().quantile(0.5).is_nan());
        assert_eq!(RunningStat::for_share().estimate(), None);
    }

    #[test]
    fn confidence_interval_contains_mean_and_is_absent_for_one_run() {
        assert_eq!(RunningStat::new().estimate(), None);

        let mut one = RunningStat::new();
        one.push(42.5);
        let e = one.estimate().unwrap();
        assert_eq!(
            e,
            Estimate {
                mean: 42.5,
                ci95: None,
                p05: 42.5,
                p50: 42.5,
                p95: 42.5,
                n: 1
            }
        );

        // 1..=5: mean 3, s² = 2.5, half-width t(0.975, 4)·√(2.5/5).
        let mut five = RunningStat::new();
        (1..=5).for_each(|i| five.push(i as f64));
        let e = five.estimate().unwrap();
        assert_eq!(e.mean, 3.0);
        assert!((five.variance() - 2.5).abs() < 1e-15);
        let half = 2.776_445_105_197_799 * 0.5f64.sqrt();
        let ci = e.ci95.unwrap();
        assert!((ci.high - 3.0 - half).abs() < 1e-6);
        assert!((3.0 - ci.low - half).abs() < 1e-6);
        assert!(ci.low < e.mean && e.mean < ci.high);
    }

    #[test]
    fn welford_is_stable_with_a_large_offset() {
        // The naive Σx² − n·mean² formula loses every digit here.
        let mut s = RunningStat::new();
        for d in [4.0, 7.0, 13.0, 16.0] {
            s.push(1e9 + d);
        }
        assert!((s.mean() - (1e9 + 10.0)).abs() < 1e-6);
        assert!(
            (s.variance() - 30.0).abs() < 1e-6,
            "variance {}",
            s.variance()
        );
    }

    #[test]
    fn confidence_interval_coverage_is_95_percent() {
        let (mu, sigma) = (10.0, 2.0);
        let reps = 2_000;
        let mut rng = SplitMix(7);
        let mut covered = 0;
        for _ in 0..reps {
            let mut s = RunningStat::new();
            for _ in 0..30 {
                s.push(mu + sigma * rng.normal());
            }
            let ci = s.ci95().unwrap();
            if ci.low <= mu && mu <= ci.high {
                covered += 1;
            }
        }
        let share = covered as f64 / reps as f64;
        let se = (0.95f64 * 0.05 / reps as f64).sqrt();
        assert!(
            (share - 0.95).abs() < 4.0 * se,
            "coverage {share}, expected 0.95 ± {}",
            4.0 * se
        );
    }

    #[test]
    fn bucket_counts_widen_as_they_fill_and_keep_every_value() {
        // One bucket past 2⁸ and then past 2¹⁶ values, beside buckets with a few.
        let mut sketch = QuantileSketch::new();
        let mut narrow = QuantileSketch::new();
        for x in [3.0, 7.0, 7.0, 11.0] {
            sketch.add(x);
            narrow.add(x);
        }
        for _ in 0..300 {
            sketch.add(5.0);
        }
        assert!(matches!(sketch.positive.counts, BucketCounts::Medium(_)));
        for _ in 0..70_000 {
            sketch.add(5.0);
        }
        assert!(matches!(sketch.positive.counts, BucketCounts::Wide(_)));
        assert_eq!(sketch.positive.counts.sum(), 70_304);
        // Merged either way, a wide store and a narrow one give the same counts.
        narrow.positive.settle();
        assert!(matches!(narrow.positive.counts, BucketCounts::Narrow(_)));
        let mut wide_first = sketch.clone();
        wide_first.merge(&narrow);
        let mut narrow_first = narrow.clone();
        narrow_first.merge(&sketch);
        for q in [0.0, 0.00003, 0.5, 0.99999, 1.0] {
            assert_eq!(wide_first.quantile(q), narrow_first.quantile(q), "q {q}");
        }
        assert_eq!(wide_first.quantile(0.0), 3.0);
        assert_eq!(wide_first.quantile(0.5), 5.0);
        assert_eq!(wide_first.quantile(1.0), 11.0);
        assert_eq!(narrow_first.positive.counts.sum(), 70_308);
    }

    #[test]
    fn a_key_too_far_to_note_is_counted_at_once() {
        let mut sketch = QuantileSketch::new();
        sketch.add(2.0);
        assert_eq!(sketch.positive.pending.len(), 1);
        // About 10³⁰⁰: beyond the keys 16 bits note, so every key so far is counted.
        sketch.add(1e300);
        assert!(sketch.positive.pending.is_empty());
        assert_eq!(sketch.positive.counts.sum(), 2);
        assert_eq!(sketch.quantile(0.0), 2.0);
        assert_eq!(sketch.quantile(1.0), 1e300);
    }

    #[test]
    fn a_narrow_spread_takes_few_buckets_and_no_noted_keys() {
        // An item's figure over runs: 1,000 values within ±5% of 100, about ten buckets.
        let mut rng = SplitMix(9);
        let mut sketch = QuantileSketch::new();
        for _ in 0..1_000 {
            sketch.add(100.0 * (1.0 + 0.05 * (2.0 * rng.unit() - 1.0)));
        }
        let span = (key_of(105.0) - key_of(95.0) + 1) as usize;
        assert!(sketch.buckets() <= 2 * (span + 2 * GROWTH_MARGIN as usize));
        // Once counted, the keys noted before are not kept.
        assert_eq!(sketch.positive.pending.capacity(), 0);
    }

    #[test]
    fn memory_is_bounded_by_spread_not_count() {
        let mut rng = SplitMix(8);
        // Magnitudes log-uniform over [1e-9, 1e12], both signs.
        let mut draw = || {
            let x = 10f64.powf(-9.0 + 21.0 * rng.unit());
            if rng.unit() < 0.5 { -x } else { x }
        };
        let mut sketch = QuantileSketch::new();
        for _ in 0..20_000 {
            sketch.add(draw());
        }
        // Make sure both stores reach both ends of the range.
        for x in [1e-9, 1e12, -1e-9, -1e12] {
            sketch.add(x);
        }
        // A store grows by half its size on each side: at most twice the range it covers.
        let per_store = 2 * (key_of(1e12) - key_of(1e-9) + 1 + 2 * GROWTH_MARGIN) as usize;
        assert!(
            sketch.buckets() <= 2 * per_store,
            "{} buckets",
            sketch.buckets()
        );

        // Once the range is covered, further pushes grow no store (their counts may widen).
        let before = sketch.buckets();
        for _ in 0..200_000 {
            sketch.add(draw());
        }
        assert_eq!(sketch.buckets(), before);
        assert_eq!(sketch.count(), 220_004);
    }

    #[test]
    fn estimate_serialises_fields_in_declared_order() {
        let e = Estimate {
            mean: 1.0,
            ci95: Some(Interval {
                low: 0.5,
                high: 1.5,
            }),
            p05: 0.25,
            p50: 1.0,
            p95: 2.0,
            n: 3,
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"mean":1.0,"ci95_low":0.5,"ci95_high":1.5,"p05":0.25,"p50":1.0,"p95":2.0,"n":3}"#
        );
        // A single run: no interval, both ends null (issue 18, item 7).
        let one = Estimate {
            ci95: None,
            n: 1,
            ..e
        };
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            r#"{"mean":1.0,"ci95_low":null,"ci95_high":null,"p05":0.25,"p50":1.0,"p95":2.0,"n":1}"#
        );
    }

    #[test]
    fn tail_of_an_exponential_sample() {
        // Exp(1): p99 = ln 100, VaR95 = ln 20, CVaR95 = 1 + ln 20, and
        // Var((X − VaR)⁺) = β·E[(X − VaR)² | tail] − (β·1)² = 0.05·2 − 0.05² = 0.0975.
        let mut stat = RunningStat::new();
        let n = 100_000;
        for k in 0..n {
            stat.push(-(1.0 - (k as f64 + 0.5) / n as f64).ln());
        }
        let tail = stat.tail(0.99, 0.05).unwrap();
        let accuracy = 2.0 * QUANTILE_RELATIVE_ACCURACY;
        assert!(
            (tail.quantile / 100f64.ln() - 1.0).abs() < accuracy,
            "{tail:?}"
        );
        let ci = tail.quantile_ci95.unwrap();
        assert!(ci.low <= tail.quantile && tail.quantile <= ci.high);
        assert!(
            (tail.tail_mean / (1.0 + 20f64.ln()) - 1.0).abs() < accuracy,
            "{tail:?}"
        );
        let se = (0.0975f64 / (0.05 * 0.05 * n as f64)).sqrt();
        let half = tail.tail_mean_ci95.unwrap().half_width();
        assert!(
            (half / 1.959_963_984_540_054 / se - 1.0).abs() < 0.1,
            "half-width {half}, se {se}"
        );
    }

    fn level_counts(levels: impl IntoIterator<Item = f64>) -> LevelCounts {
        let mut counts = LevelCounts::default();
        for x in levels {
            counts.add(level_key(x), 1);
        }
        counts
    }

    #[test]
    fn level_keys_are_those_of_the_definition() {
        // The definition: 0 below `LEVEL_ZERO`, else the top bits of min(level, LEVEL_MAX).
        let defined = |level: f64| -> u16 {
            if level < LEVEL_ZERO {
                return 0;
            }
            let bits = level.min(LEVEL_MAX).to_bits() >> (52 - LEVEL_SUB_BITS);
            (bits - LEVEL_BASE + 1) as u16
        };
        let mut levels = vec![
            0.0,
            -0.0,
            -1.0,
            f64::MIN_POSITIVE,
            LEVEL_BELOW_ZERO,
            LEVEL_ZERO,
            LEVEL_MAX,
            LEVEL_MAX * 2.0,
            f64::MAX,
            f64::INFINITY,
        ];
        for edge in [LEVEL_ZERO, LEVEL_BELOW_ZERO, 1.0, 255.0, 256.0, LEVEL_MAX] {
            levels.extend([edge.next_down(), edge, edge.next_up()]);
        }
        let mut rng = SplitMix(5);
        levels.extend((0..10_000).map(|_| (rng.unit() * 60.0 - 20.0).exp2()));
        levels.extend((0..2_000).map(|i| f64::from(i) * 0.5));
        for level in levels {
            assert_eq!(level_key(level), defined(level), "level {level:e}");
        }
        assert_eq!(level_key(LEVEL_BELOW_ZERO), 0);
        assert_eq!(level_key(LEVEL_ZERO), 1);
    }

    #[test]
    fn keys_counted_together_equal_keys_counted_one_by_one() {
        // Keys that start in the middle and then fall below and above the range seen so far,
        // so that counting grows the store.
        let keys: Vec<u16> = (0..300u32)
            .map(|i| level_key(f64::from((i * 7919) % 1000) * if i % 5 == 0 { 40.0 } else { 1.0 }))
            .collect();
        for (from, to) in [(0, 300), (0, 1), (150, 300), (7, 8), (300, 300)] {
            let mut together = LevelCounts::default();
            together.add(level_key(500.0), 1);
            together.add_keys(&keys[from..to]);
            let mut one_by_one = LevelCounts::default();
            one_by_one.add(level_key(500.0), 1);
            for &key in &keys[from..to] {
                one_by_one.add(key, 1);
            }
            // The stores may span different ranges; each key's count must be the same.
            let count = |c: &LevelCounts, key: u16| {
                c.counts
                    .get(usize::from(key.wrapping_sub(c.offset)))
                    .copied()
                    .unwrap_or(0)
            };
            for key in 0..=u16::MAX {
                assert_eq!(count(&together, key), count(&one_by_one, key), "key {key}");
            }
            let total = |c: &LevelCounts| c.counts.iter().sum::<u64>();
            assert_eq!(total(&together), 1 + (to - from) as u64);
        }
    }

    /// Levels in a fan chart: every quantile within half a bucket (1/256) of the exact order
    /// statistic, zeros exactly.
    #[test]
    fn level_quantiles_within_half_a_bucket() {
        let mut rng = SplitMix(11);
        let sample: Vec<f64> = (0..20_000)
            .map(|i| match i % 5 {
                0 => 0.0,
                1 => 1e-5,
                _ => (300.0 + 120.0 * rng.normal()).max(0.0) * (1.0 + 30.0 * rng.unit()),
            })
            .collect();
        let counts = level_counts(sample.iter().copied());
        let mut sorted = sample.clone();
        sorted.sort_by(f64::total_cmp);
        let last = sorted.len() - 1;
        for q in QS {
            let exact = sorted[(q * last as f64).floor() as usize];
            let got = counts.quantile(q, false);
            if exact < LEVEL_ZERO {
                assert_eq!(got, 0.0, "q={q}");
            } else {
                let rel = ((got - exact) / exact).abs();
                assert!(rel <= 1.0 / 256.0 + 1e-12, "q={q}: {got} vs {exact}");
            }
        }
        let mut extremes = level_counts([f64::INFINITY, 1e300, 5.0]);
        extremes.add(level_key(0.0), 2);
        assert_eq!(extremes.quantile(0.0, false), 0.0);
        assert_eq!(extremes.quantile(1.0, false), extremes.quantile(0.8, false));
    }

    /// Whole units below 256 have buckets no wider than a unit: their quantiles are exact.
    #[test]
    fn level_quantiles_of_small_whole_units_are_exact() {
        let counts = level_counts((0..256).map(f64::from));
        for x in 0..256 {
            let q = (f64::from(x) + 0.25) / 255.0;
            assert_eq!(counts.quantile(q.min(1.0), true), f64::from(x));
        }
        let big = level_counts([1000.0]);
        assert_eq!(
            big.quantile(0.5, true),
            1002.0,
            "rounded midpoint of [1000, 1004)"
        );
        assert!(LevelCounts::default().quantile(0.5, true).is_nan());
    }
}
