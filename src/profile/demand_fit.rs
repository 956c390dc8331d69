//! Per-item demand statistics (mean, spread, intermittency, seasonality, trend) and the demand
//! model written into the scenario.
//!
//! Statistics are of daily demand over the item's history grid (see [`super::series`]):
//! * CV = standard deviation / mean of daily demand; intermittency = share of periods with no
//!   demand.
//! * Trend and seasonality are fitted together as level = μ · s(month) · (1 + τ·(t − t̄)/365):
//!   τ by least squares on the deseasonalised history (its t statistic from the residuals),
//!   the twelve monthly indices s as the month's mean of the detrended history over the overall
//!   mean (day-weighted average 1), alternating three times.
//! * Seasonality strength is the standard deviation of the monthly indices with their sampling
//!   noise taken out: sqrt(max(0, Σ w·(s − 1)² − Σ w·Var(s))), w = share of the year's days;
//!   0.3 means the monthly level swings about ±30% around the year's mean. Its significance is
//!   a one-way analysis of variance of the detrended history by calendar month (between-month
//!   sum of squares over the within-month mean square, against χ² with 11 degrees of freedom).
//!
//! The model: every family the simulator supports is fitted by the method of moments, at the
//! levels above when seasonality or trend is material; the one with the lowest AIC is kept if
//! the Kolmogorov–Smirnov test does not reject it at 5% (see [`super::goodness`]); otherwise
//! the history itself (deseasonalised) is resampled as an empirical distribution. Weekly
//! histories are fitted on weekly totals, with the family's weekly distribution (normal with 7×
//! the daily variance, Poisson 7λ, negative binomial with 7× the shape); having no daily values
//! to resample, they keep the best family even when the test rejects it (flagged). Their daily
//! statistics take the days of a week as independent draws around the week's level: mean =
//! weekly mean ÷ 7, daily variance = (weekly variance − 49·v)/7 + v, where v is the variance of
//! the daily level implied by the material seasonality and trend (0 without them).

use super::date::MONTH_NAMES;
use super::goodness::{
    Assessment, Model, Sample, assess, count_cdf_sorted, ln_gamma, lognormal_cdf,
    lognormal_parameters, mean_sd, rounded_log_prob,
};
use super::series::DemandSeries;
use crate::foundation::math::{norm_cdf, norm_pdf};
use crate::model::demand::DAYS_IN_MONTH;
pub(crate) use crate::model::demand::DemandDistribution;

/// Seasonality is written into the scenario when at least this strong…
pub(crate) const SEASONAL_MIN_STRENGTH: f64 = 0.10;
/// …and significant at this level.
pub(crate) const SEASONAL_MAX_P_VALUE: f64 = 0.001;
/// Seasonality at least this strong calls for a seasonal pre-build (the hybrid posture).
pub(crate) const STRONG_SEASONAL_STRENGTH: f64 = 0.20;
/// A trend is written into the scenario when at least this large per year…
pub(crate) const TREND_MIN_PER_YEAR: f64 = 0.05;
/// …and its t statistic at least this large.
pub(crate) const TREND_MIN_T: f64 = 3.0;
/// No trend is fitted to a history shorter than this, about two years: before each calendar
/// month is seen twice, a seasonal item's rise or fall cannot be told from a trend (six months
/// of the example history read as −227% a year). 700 days rather than 730, so that two
/// calendar years of weekly rows (104 whole weeks, 728 days) count as two years.
pub(crate) const TREND_MIN_DAYS: f64 = 700.0;
/// A fitted family is kept unless the Kolmogorov–Smirnov test rejects it at this level.
pub(crate) const FIT_MIN_P_VALUE: f64 = 0.05;

/// Statistics of an item's daily demand over its history.
#[derive(Clone, Debug)]
pub struct DemandStats {
    /// Number of periods (days or weeks) in the history.
    pub periods: usize,
    pub period_days: u32,
    pub mean: f64,
    pub sd: f64,
    /// sd / mean (0 when there is no demand).
    pub cv: f64,
    /// Share of periods without demand.
    pub(crate) zero_share: f64,
    /// Units demanded over the history.
    pub total: f64,
    pub seasonality: Seasonality,
    pub(crate) trend: Trend,
}

/// Monthly pattern of the demand level.
#[derive(Clone, Debug)]
pub struct Seasonality {
    /// Level of each month relative to the year's mean, January first (day-weighted mean 1).
    pub indices: [f64; 12],
    pub(crate) strength: f64,
    /// P-value of the month effect; 1 when not tested.
    pub(crate) p_value: f64,
    /// False when the history is too short (less than a year, or a month without data).
    pub(crate) tested: bool,
}

impl Seasonality {
    /// Strong and significant enough to be written into the scenario.
    pub(crate) fn material(&self) -> bool {
        self.tested && self.p_value < SEASONAL_MAX_P_VALUE && self.strength >= SEASONAL_MIN_STRENGTH
    }

    /// Strong enough to call for a seasonal pre-build.
    pub fn strong(&self) -> bool {
        self.material() && self.strength >= STRONG_SEASONAL_STRENGTH
    }

    /// Months whose level is at least 15% above the year's mean, in calendar order starting
    /// after the quietest month (so a peak across the new year reads Nov, Dec, Jan).
    pub(crate) fn peak_months(&self) -> Vec<usize> {
        let quietest = (0..12)
            .min_by(|&a, &b| self.indices[a].total_cmp(&self.indices[b]))
            .unwrap_or(0);
        (1..=12)
            .map(|k| (quietest + k) % 12)
            .filter(|&m| self.indices[m] >= 1.15)
            .collect()
    }

    /// The peak months as text: "Oct–Jan" when they run together, else "Mar, Nov, Dec".
    pub(crate) fn peak_text(&self) -> String {
        let months = self.peak_months();
        let names: Vec<&str> = months.iter().map(|&m| MONTH_NAMES[m]).collect();
        let contiguous = months.windows(2).all(|w| (w[0] + 1) % 12 == w[1]);
        match (names.first(), names.last()) {
            (Some(first), Some(last)) if contiguous && names.len() > 1 => format!("{first}–{last}"),
            _ => names.join(", "),
        }
    }
}

/// Linear trend of the demand level.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Trend {
    /// Change of the level per year, as a share of the mean level.
    pub(crate) per_year: f64,
    pub(crate) t_stat: f64,
    /// The history is long enough ([`TREND_MIN_DAYS`]) for a trend to be fitted; when it is not,
    /// `per_year` and `t_stat` are 0.
    pub(crate) fitted: bool,
}

impl Trend {
    const NONE: Trend = Trend {
        per_year: 0.0,
        t_stat: 0.0,
        fitted: false,
    };

    pub(crate) fn material(&self) -> bool {
        self.fitted && self.per_year.abs() >= TREND_MIN_PER_YEAR && self.t_stat.abs() >= TREND_MIN_T
    }
}

/// How a fitted demand distribution (one of the simulator's own, with its daily parameters at
/// multiplier 1) is named, written into a scenario, described and rescaled. A trace is never
/// fitted; it is treated as the empirical distribution of its values.
pub(crate) trait FittedForm {
    /// The scenario's name of the family.
    fn name(&self) -> &'static str;
    /// The model as a scenario's `demand` value, e.g. `{ poisson = { mean = 12.3 } }`.
    fn toml(&self) -> String;
    /// Short description for tables: `poisson(mean 12.3)`.
    fn describe(&self) -> String;
    /// Daily mean and standard deviation at multiplier 1 (before rounding and censoring).
    fn moments(&self) -> (f64, f64);
    /// The same family with its level multiplied by `factor` (the negative binomial keeps its
    /// shape, as the simulator does when it scales a level).
    fn scaled(&self, factor: f64) -> Self;
}

/// A trace's values as an empirical distribution.
fn resampled(values: &[f64]) -> DemandDistribution {
    DemandDistribution::Empirical {
        values: values.to_vec(),
    }
}

impl FittedForm for DemandDistribution {
    fn name(&self) -> &'static str {
        match self {
            DemandDistribution::Deterministic { .. } => "deterministic",
            DemandDistribution::Normal { .. } => "normal",
            DemandDistribution::Poisson { .. } => "poisson",
            DemandDistribution::NegativeBinomial { .. } => "negative_binomial",
            DemandDistribution::Lognormal { .. } => "lognormal",
            DemandDistribution::Uniform { .. } => "uniform",
            DemandDistribution::Empirical { .. } | DemandDistribution::Trace { .. } => "empirical",
        }
    }

    fn toml(&self) -> String {
        match self {
            DemandDistribution::Deterministic { value } => {
                format!("{{ deterministic = {} }}", num(*value))
            }
            DemandDistribution::Normal { mean, sd }
            | DemandDistribution::NegativeBinomial { mean, sd }
            | DemandDistribution::Lognormal { mean, sd } => format!(
                "{{ {} = {{ mean = {}, sd = {} }} }}",
                self.name(),
                num(*mean),
                num(*sd)
            ),
            DemandDistribution::Poisson { mean } => {
                format!("{{ poisson = {{ mean = {} }} }}", num(*mean))
            }
            DemandDistribution::Uniform { min, max } => format!(
                "{{ uniform = {{ min = {}, max = {} }} }}",
                num(*min),
                num(*max)
            ),
            DemandDistribution::Empirical { values } => format!(
                "{{ empirical = [{}] }}",
                values
                    .iter()
                    .map(|v| num(*v))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DemandDistribution::Trace { values } => resampled(values).toml(),
        }
    }

    fn describe(&self) -> String {
        match self {
            DemandDistribution::Deterministic { value } => {
                format!("deterministic({})", short(*value))
            }
            DemandDistribution::Normal { mean, sd }
            | DemandDistribution::NegativeBinomial { mean, sd }
            | DemandDistribution::Lognormal { mean, sd } => {
                format!("{}(mean {}, sd {})", self.name(), short(*mean), short(*sd))
            }
            DemandDistribution::Poisson { mean } => format!("poisson(mean {})", short(*mean)),
            DemandDistribution::Uniform { min, max } => {
                format!("uniform({}–{})", short(*min), short(*max))
            }
            DemandDistribution::Empirical { values } => format!("empirical({} days)", values.len()),
            DemandDistribution::Trace { values } => resampled(values).describe(),
        }
    }

    fn moments(&self) -> (f64, f64) {
        match self {
            DemandDistribution::Deterministic { value } => (*value, 0.0),
            DemandDistribution::Normal { mean, sd }
            | DemandDistribution::NegativeBinomial { mean, sd }
            | DemandDistribution::Lognormal { mean, sd } => (*mean, *sd),
            DemandDistribution::Poisson { mean } => (*mean, mean.sqrt()),
            DemandDistribution::Uniform { min, max } => {
                (0.5 * (min + max), (max - min) / 12f64.sqrt())
            }
            DemandDistribution::Empirical { values } => mean_sd(values),
            DemandDistribution::Trace { values } => mean_sd(values),
        }
    }

    fn scaled(&self, factor: f64) -> DemandDistribution {
        match self {
            DemandDistribution::Deterministic { value } => DemandDistribution::Deterministic {
                value: value * factor,
            },
            DemandDistribution::Normal { mean, sd } => DemandDistribution::Normal {
                mean: mean * factor,
                sd: sd * factor,
            },
            DemandDistribution::Poisson { mean } => DemandDistribution::Poisson {
                mean: mean * factor,
            },
            DemandDistribution::NegativeBinomial { mean, sd } => {
                let shape = mean * mean / (sd * sd - mean);
                let m = mean * factor;
                DemandDistribution::NegativeBinomial {
                    mean: m,
                    sd: (m + m * m / shape).sqrt(),
                }
            }
            DemandDistribution::Lognormal { mean, sd } => DemandDistribution::Lognormal {
                mean: mean * factor,
                sd: sd * factor,
            },
            DemandDistribution::Uniform { min, max } => DemandDistribution::Uniform {
                min: min * factor,
                max: max * factor,
            },
            DemandDistribution::Empirical { values } => DemandDistribution::Empirical {
                values: values.iter().map(|v| v * factor).collect(),
            },
            DemandDistribution::Trace { values } => resampled(values).scaled(factor),
        }
    }
}

/// A number for people: three significant digits (no decimals from 100 on, or for a whole
/// number).
pub(crate) fn short(x: f64) -> String {
    let decimals = match x.abs() {
        a if a >= 100.0 || a.fract() == 0.0 => 0,
        a if a >= 10.0 => 1,
        a if a >= 1.0 => 2,
        a => (2 - a.log10().floor() as i64).clamp(2, 12) as usize,
    };
    format!("{x:.decimals$}")
}

/// A number as written in outputs: four decimals (six significant digits below 1), trailing
/// zeros dropped.
pub(crate) fn num(x: f64) -> String {
    let decimals = if x.abs() >= 1.0 || x == 0.0 {
        4
    } else {
        (5 - x.abs().log10().floor() as i64).clamp(4, 15) as usize
    };
    let s = format!("{x:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// The demand model of an item as the scenario gets it.
#[derive(Clone, Debug)]
pub struct DemandFit {
    /// At multiplier 1, at the level where the history ends (where a simulation continues it).
    pub model: DemandDistribution,
    /// Monthly multipliers, when seasonality is material.
    pub seasonality: Option<[f64; 12]>,
    /// Trend per year relative to the level where the history ends, when material.
    pub trend_per_year: f64,
    /// How the chosen family fits (none for an empirical or deterministic model).
    pub(crate) assessment: Option<Assessment>,
    /// Every family tried, with its assessment.
    pub candidates: Vec<(&'static str, Assessment)>,
    /// Why the model is what it is, when that needs saying.
    pub(crate) note: Option<String>,
}

/// Statistics and model of one item.
#[derive(Clone, Debug)]
pub struct DemandProfile {
    pub stats: DemandStats,
    pub fit: DemandFit,
}

/// Profile the demand of one item.
pub(crate) fn profile(series: &DemandSeries) -> DemandProfile {
    let stats = statistics(series);
    let fit = fit(series, &stats);
    DemandProfile { stats, fit }
}

fn statistics(series: &DemandSeries) -> DemandStats {
    let p = f64::from(series.period_days);
    let (seasonality, trend) = seasonality_and_trend(series);
    let (mean, sd) = mean_sd(&series.values);
    let mean = mean / p;
    // Days of a period are taken as independent draws around the period's level: a period
    // total's variance is p·(daily variance around the level) + p²·(variance of the level),
    // so the level's share is taken out before dividing by p, and added back once.
    let level_variance = if p > 1.0 {
        let levels = levels(series, &seasonality, &trend);
        let daily: Vec<f64> = levels
            .groups
            .iter()
            .map(|&g| mean * levels.levels[g])
            .collect();
        let (_, level_sd) = mean_sd(&daily);
        level_sd * level_sd
    } else {
        0.0
    };
    let sd = ((sd * sd - p * p * level_variance).max(0.0) / p + level_variance).sqrt();
    let zeros = series.values.iter().filter(|&&v| v == 0.0).count();
    DemandStats {
        periods: series.values.len(),
        period_days: series.period_days,
        mean,
        sd,
        cv: if mean > 0.0 { sd / mean } else { 0.0 },
        zero_share: zeros as f64 / series.values.len().max(1) as f64,
        total: series.values.iter().sum(),
        seasonality,
        trend,
    }
}

/// Days from the series start to the middle of each period.
fn period_midpoints(series: &DemandSeries) -> Vec<f64> {
    let p = f64::from(series.period_days);
    (0..series.values.len())
        .map(|i| series.grid_index(i) as f64 * p + (p - 1.0) / 2.0)
        .collect()
}

fn seasonality_and_trend(series: &DemandSeries) -> (Seasonality, Trend) {
    let y = &series.values;
    let t = period_midpoints(series);
    let months: Vec<usize> = (0..y.len()).map(|i| series.month_of(i)).collect();
    let span = series.grid_len() as f64 * f64::from(series.period_days);
    let mut counts = [0usize; 12];
    for &m in &months {
        counts[m] += 1;
    }
    let testable = span >= 365.0 && counts.iter().all(|&c| c >= 2);
    let t_mean = t.iter().sum::<f64>() / t.len().max(1) as f64;
    let mut indices = [1.0; 12];
    let trend_fitted = span >= TREND_MIN_DAYS;
    let mut trend = Trend::NONE;
    let mut detrended = y.clone();
    for _ in 0..3 {
        let deseasonalised: Vec<f64> = y
            .iter()
            .zip(&months)
            .map(|(v, &m)| if indices[m] > 0.0 { v / indices[m] } else { *v })
            .collect();
        if trend_fitted {
            trend = linear_trend(&t, &deseasonalised);
        }
        detrended = y
            .iter()
            .zip(&t)
            .map(|(v, ti)| v / trend_factor(trend.per_year, ti - t_mean))
            .collect();
        if testable {
            indices = monthly_indices(&detrended, &months);
        }
    }
    let seasonality = if testable {
        month_effect(&detrended, &months, indices)
    } else {
        Seasonality {
            indices: [1.0; 12],
            strength: 0.0,
            p_value: 1.0,
            tested: false,
        }
    };
    (seasonality, trend)
}

/// The level multiplier of a trend `per_year`, `dt` days from the middle of the history
/// (kept above 5% so that a steep decline never divides by zero).
fn trend_factor(per_year: f64, dt: f64) -> f64 {
    (1.0 + per_year * dt / 365.0).max(0.05)
}

/// Least-squares slope of `x` on `t`, as a share of the mean per year, with its t statistic.
fn linear_trend(t: &[f64], x: &[f64]) -> Trend {
    let n = x.len() as f64;
    let (t_mean, x_mean) = (t.iter().sum::<f64>() / n, x.iter().sum::<f64>() / n);
    let stt: f64 = t.iter().map(|ti| (ti - t_mean).powi(2)).sum();
    if x.len() < 3 || stt <= 0.0 || x_mean <= 0.0 {
        return Trend {
            fitted: true,
            ..Trend::NONE
        };
    }
    let slope = t
        .iter()
        .zip(x)
        .map(|(ti, xi)| (ti - t_mean) * (xi - x_mean))
        .sum::<f64>()
        / stt;
    let residual: f64 = t
        .iter()
        .zip(x)
        .map(|(ti, xi)| (xi - x_mean - slope * (ti - t_mean)).powi(2))
        .sum::<f64>()
        / (n - 2.0);
    let se = (residual / stt).sqrt();
    Trend {
        per_year: slope * 365.0 / x_mean,
        t_stat: if se > 0.0 { slope / se } else { 0.0 },
        fitted: true,
    }
}

/// Monthly means over the overall mean, normalised to a day-weighted average of 1.
fn monthly_indices(x: &[f64], months: &[usize]) -> [f64; 12] {
    let (sums, counts) = month_sums(x, months);
    let means: Vec<f64> = (0..12).map(|m| sums[m] / counts[m].max(1) as f64).collect();
    let average = day_weighted_mean(&means);
    if average <= 0.0 {
        return [1.0; 12];
    }
    std::array::from_fn(|m| means[m] / average)
}

/// Mean of twelve monthly values, each weighted by its month's days in a 365-day year.
pub(crate) fn day_weighted_mean(monthly: &[f64]) -> f64 {
    monthly
        .iter()
        .zip(DAYS_IN_MONTH)
        .map(|(v, d)| v * f64::from(d))
        .sum::<f64>()
        / 365.0
}

fn month_sums(x: &[f64], months: &[usize]) -> ([f64; 12], [usize; 12]) {
    let mut sums = [0.0; 12];
    let mut counts = [0usize; 12];
    for (v, &m) in x.iter().zip(months) {
        sums[m] += v;
        counts[m] += 1;
    }
    (sums, counts)
}

/// Strength and significance of the month effect in `x` (detrended history).
fn month_effect(x: &[f64], months: &[usize], indices: [f64; 12]) -> Seasonality {
    let n = x.len() as f64;
    let (sums, counts) = month_sums(x, months);
    let mean = x.iter().sum::<f64>() / n;
    let month_mean = |m: usize| sums[m] / counts[m] as f64;
    let between: f64 = (0..12)
        .map(|m| counts[m] as f64 * (month_mean(m) - mean).powi(2))
        .sum();
    let within = x
        .iter()
        .zip(months)
        .map(|(v, &m)| (v - month_mean(m)).powi(2))
        .sum::<f64>()
        / (n - 12.0).max(1.0);
    let weight = |m: usize| f64::from(DAYS_IN_MONTH[m]) / 365.0;
    let spread: f64 = (0..12)
        .map(|m| weight(m) * (indices[m] - 1.0).powi(2))
        .sum();
    let noise: f64 = if mean > 0.0 {
        (0..12)
            .map(|m| weight(m) * within / (counts[m] as f64 * mean * mean))
            .sum()
    } else {
        0.0
    };
    let p_value = if within > 0.0 {
        super::goodness::chi_square_upper_tail(between / within, 11.0)
    } else if between > 0.0 {
        0.0
    } else {
        1.0
    };
    Seasonality {
        indices,
        strength: (spread - noise).max(0.0).sqrt(),
        p_value,
        tested: true,
    }
}

/// Level of each period for the fit: seasonality and trend where material, grouped by
/// calendar month of the history (the trend is applied at each month's middle), so the
/// model's distribution function is evaluated once per month rather than once per period.
struct Levels {
    groups: Vec<usize>,
    levels: Vec<f64>,
    /// One level for every period.
    flat: bool,
}

fn levels(series: &DemandSeries, seasonality: &Seasonality, trend: &Trend) -> Levels {
    let seasonal = seasonality.material();
    let trended = trend.material();
    if !seasonal && !trended {
        return Levels {
            groups: vec![0; series.values.len()],
            levels: vec![1.0],
            flat: true,
        };
    }
    let t = period_midpoints(series);
    let t_mean = t.iter().sum::<f64>() / t.len() as f64;
    let (y0, m0, _) = series.start.ymd();
    let mut groups = Vec::with_capacity(t.len());
    let mut members: Vec<(usize, f64, usize)> = Vec::new(); // (month, sum of t, count)
    for (i, &ti) in t.iter().enumerate() {
        let (y, m, _) = series.date_of(i).ymd();
        let g = ((y - y0) * 12 + i64::from(m) - i64::from(m0)) as usize;
        if members.len() <= g {
            members.resize(g + 1, (0, 0.0, 0));
        }
        members[g] = ((m - 1) as usize, members[g].1 + ti, members[g].2 + 1);
        groups.push(g);
    }
    let levels = members
        .iter()
        .map(|&(month, t_sum, count)| {
            let s = if seasonal {
                seasonality.indices[month]
            } else {
                1.0
            };
            let g = if trended && count > 0 {
                trend_factor(trend.per_year, t_sum / count as f64 - t_mean)
            } else {
                1.0
            };
            s * g
        })
        .collect();
    Levels {
        groups,
        levels,
        flat: false,
    }
}

/// A family with its daily parameters, evaluated on periods of `period` days.
struct PeriodModel<'a> {
    model: &'a DemandDistribution,
    period: f64,
    whole: bool,
}

impl PeriodModel<'_> {
    /// Mean and sd of one period's demand at this level, for the normal family.
    fn normal_moments(&self, mean: f64, sd: f64, level: f64) -> (f64, f64) {
        (self.period * mean * level, self.period.sqrt() * sd * level)
    }

    /// Shape of the negative binomial (fixed as the level scales; × period for a sum of days).
    fn nb_shape(mean: f64, sd: f64) -> f64 {
        mean * mean / (sd * sd - mean)
    }
}

impl Model for PeriodModel<'_> {
    fn parameters(&self) -> usize {
        match self.model {
            DemandDistribution::Deterministic { .. }
            | DemandDistribution::Empirical { .. }
            | DemandDistribution::Trace { .. } => 0,
            DemandDistribution::Poisson { .. } => 1,
            _ => 2,
        }
    }

    fn log_prob(&self, x: f64, level: f64) -> f64 {
        let integer = x >= 0.0 && x.fract() == 0.0;
        match *self.model {
            DemandDistribution::Poisson { mean } => {
                let lambda = self.period * mean * level;
                match (integer, lambda > 0.0) {
                    (false, _) => f64::NEG_INFINITY,
                    (true, false) => {
                        if x == 0.0 {
                            0.0
                        } else {
                            f64::NEG_INFINITY
                        }
                    }
                    (true, true) => x * lambda.ln() - lambda - ln_gamma(x + 1.0),
                }
            }
            DemandDistribution::NegativeBinomial { mean, sd } => {
                if !integer {
                    return f64::NEG_INFINITY;
                }
                let r = self.period * Self::nb_shape(mean, sd);
                let m = self.period * mean * level;
                ln_gamma(x + r) - ln_gamma(r) - ln_gamma(x + 1.0)
                    + r * (r / (r + m)).ln()
                    + x * (m / (r + m)).ln()
            }
            DemandDistribution::Normal { mean, sd } => {
                let (m, s) = self.normal_moments(mean, sd, level);
                if self.whole {
                    rounded_log_prob(x, |v| norm_cdf((v - m) / s))
                } else if x == 0.0 {
                    norm_cdf(-m / s).ln()
                } else if x > 0.0 {
                    norm_pdf((x - m) / s).ln() - s.ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            DemandDistribution::Lognormal { mean, sd } => {
                if self.whole {
                    rounded_log_prob(x, |v| lognormal_cdf(mean, sd, v / level))
                } else if x > 0.0 {
                    let (mu, s2) = lognormal_parameters(mean, sd);
                    let mu = mu + level.ln();
                    let z = (x.ln() - mu) / s2.sqrt();
                    norm_pdf(z).ln() - (x * s2.sqrt()).ln()
                } else {
                    f64::NEG_INFINITY
                }
            }
            DemandDistribution::Uniform { min, max } => {
                let inside = x >= min && x <= max;
                match (inside, self.whole) {
                    (false, _) => f64::NEG_INFINITY,
                    (true, true) if !integer => f64::NEG_INFINITY,
                    (true, true) => -(max - min + 1.0).ln(),
                    (true, false) => -(max - min).ln(),
                }
            }
            DemandDistribution::Deterministic { value } => {
                if x == value * self.period {
                    0.0
                } else {
                    f64::NEG_INFINITY
                }
            }
            DemandDistribution::Empirical { .. } | DemandDistribution::Trace { .. } => {
                f64::NEG_INFINITY
            }
        }
    }

    fn cdf(&self, x: f64, level: f64) -> f64 {
        // Whole units: P(X ≤ x) = P(unrounded < ⌊x⌋ + ½).
        let edge = if self.whole { x.floor() + 0.5 } else { x };
        match *self.model {
            DemandDistribution::Poisson { .. } | DemandDistribution::NegativeBinomial { .. } => {
                self.cdf_sorted(&[x], level)[0]
            }
            DemandDistribution::Normal { mean, sd } => {
                let (m, s) = self.normal_moments(mean, sd, level);
                if x < 0.0 {
                    0.0
                } else {
                    norm_cdf((edge - m) / s)
                }
            }
            DemandDistribution::Lognormal { mean, sd } => lognormal_cdf(mean, sd, edge / level),
            DemandDistribution::Uniform { min, max } => {
                if self.whole {
                    ((x.floor() - min + 1.0) / (max - min + 1.0)).clamp(0.0, 1.0)
                } else {
                    ((x - min) / (max - min)).clamp(0.0, 1.0)
                }
            }
            DemandDistribution::Deterministic { value } => {
                f64::from(u8::from(x >= value * self.period))
            }
            DemandDistribution::Empirical { .. } | DemandDistribution::Trace { .. } => 0.0,
        }
    }

    fn cdf_sorted(&self, points: &[f64], level: f64) -> Vec<f64> {
        match self.model {
            DemandDistribution::Poisson { .. } | DemandDistribution::NegativeBinomial { .. } => {
                count_cdf_sorted(points, |k| self.log_prob(k, level))
            }
            _ => points.iter().map(|&x| self.cdf(x, level)).collect(),
        }
    }
}

/// Most units per period for which count families are evaluated (their distribution function
/// is a running sum up to the largest observation).
const MAX_COUNT_FOR_TABLES: f64 = 200_000.0;

/// Method-of-moments fits of every family that can describe the history.
fn candidates(
    values: &[f64],
    levels: &Levels,
    period: f64,
    whole: bool,
) -> Vec<DemandDistribution> {
    let n = values.len() as f64;
    let level_of = |i: usize| levels.levels[levels.groups[i]];
    let level_sum: f64 = (0..values.len()).map(level_of).sum();
    let level_sq: f64 = (0..values.len()).map(|i| level_of(i).powi(2)).sum();
    let mean = values.iter().sum::<f64>() / (period * level_sum);
    let residual = |i: usize| values[i] - period * mean * level_of(i);
    let normal_var = (0..values.len())
        .map(|i| residual(i).powi(2) / (period * level_of(i).powi(2)))
        .sum::<f64>()
        / n;
    let mut out = Vec::new();
    if normal_var > 0.0 {
        out.push(DemandDistribution::Normal {
            mean,
            sd: normal_var.sqrt(),
        });
    }
    let max = values.iter().copied().fold(0.0, f64::max);
    if whole && max <= MAX_COUNT_FOR_TABLES {
        out.push(DemandDistribution::Poisson { mean });
        let excess: f64 = (0..values.len())
            .map(|i| residual(i).powi(2) - period * mean * level_of(i))
            .sum::<f64>()
            / (period * mean * mean * level_sq);
        if excess > 1e-9 {
            out.push(DemandDistribution::NegativeBinomial {
                mean,
                sd: (mean + mean * mean * excess).sqrt(),
            });
        }
    }
    if period == 1.0 {
        let scaled: Vec<f64> = (0..values.len()).map(|i| values[i] / level_of(i)).collect();
        let (m, s) = mean_sd(&scaled);
        let no_zeros = values.iter().all(|&v| v > 0.0);
        if s > 0.0 && (whole || no_zeros) {
            out.push(DemandDistribution::Lognormal { mean: m, sd: s });
        }
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        if levels.flat && max > min {
            out.push(DemandDistribution::Uniform { min, max });
        }
    }
    out
}

fn fit(series: &DemandSeries, stats: &DemandStats) -> DemandFit {
    let levels = levels(series, &stats.seasonality, &stats.trend);
    let period = f64::from(series.period_days);
    let t_mean = period_midpoints(series).iter().sum::<f64>() / series.values.len() as f64;
    // A simulation continues the history: the level where the history ends.
    let end_factor = if stats.trend.material() {
        trend_factor(
            stats.trend.per_year,
            series.grid_len() as f64 * period - t_mean,
        )
    } else {
        1.0
    };
    let mut fit = DemandFit {
        model: DemandDistribution::Deterministic { value: 0.0 },
        seasonality: stats
            .seasonality
            .material()
            .then_some(stats.seasonality.indices),
        // Within the scenario format's range: a decline steeper than the whole level in a year
        // (the level at the end held at 5% of the mean) is written as −100% a year.
        trend_per_year: if stats.trend.material() {
            let range = crate::model::limits::TREND;
            (stats.trend.per_year / end_factor).clamp(range.low, range.high)
        } else {
            0.0
        },
        assessment: None,
        candidates: Vec::new(),
        note: None,
    };
    let first = series.values[0];
    if stats.total <= 0.0 || (levels.flat && series.values.iter().all(|&v| v == first)) {
        fit.model = DemandDistribution::Deterministic {
            value: first / period,
        };
        fit.seasonality = None;
        fit.trend_per_year = 0.0;
        return fit;
    }
    let sample = Sample {
        values: &series.values,
        groups: &levels.groups,
        levels: &levels.levels,
        discrete: series.whole_units,
    };
    for model in candidates(&series.values, &levels, period, series.whole_units) {
        let family = PeriodModel {
            model: &model,
            period,
            whole: series.whole_units,
        };
        let assessment = assess(&family, &sample);
        let better = fit.assessment.is_none_or(|best| assessment.aic < best.aic);
        if assessment.aic.is_finite() && better {
            fit.model = model.clone();
            fit.assessment = Some(assessment);
        }
        fit.candidates.push((model.name(), assessment));
    }
    let rejected = fit
        .assessment
        .is_none_or(|a| a.ks_p_value < FIT_MIN_P_VALUE);
    if rejected && period == 1.0 {
        fit.note = Some(match fit.assessment {
            Some(a) => format!(
                "no family fits (best: {}, KS p = {:.3}): the history is resampled",
                fit.model.name(),
                a.ks_p_value
            ),
            None => "no family fits: the history is resampled".into(),
        });
        // A period whose level is zero (a calendar month without demand in any year) says
        // nothing of the base level: it is left out rather than divided by zero, which wrote
        // NaN into the scenario. Some level is positive, since the history has demand.
        let mut values: Vec<f64> = (0..series.values.len())
            .map(|i| (series.values[i], levels.levels[levels.groups[i]]))
            .filter(|&(_, level)| level > 0.0)
            .map(|(value, level)| value / level)
            .collect();
        values.sort_by(f64::total_cmp);
        fit.model = DemandDistribution::Empirical { values };
        fit.assessment = None;
    } else if rejected {
        fit.note = Some(format!(
            "weekly history: no family passes the KS test; the best by AIC ({}) is used",
            fit.model.name()
        ));
    }
    fit.model = fit.model.scaled(end_factor);
    fit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::date::Date;

    fn series(values: Vec<f64>, period_days: u32) -> DemandSeries {
        DemandSeries {
            item: "x".into(),
            start: Date::parse("2023-01-01").unwrap(),
            period_days,
            whole_units: values.iter().all(|v| v.fract() == 0.0),
            values,
            grid: None,
        }
    }

    #[test]
    fn a_constant_history_is_deterministic() {
        let p = profile(&series(vec![4.0; 400], 1));
        assert_eq!(
            p.fit.model,
            DemandDistribution::Deterministic { value: 4.0 }
        );
        assert_eq!(p.stats.cv, 0.0);
        assert_eq!(p.stats.zero_share, 0.0);
    }

    #[test]
    fn weekly_totals_give_daily_moments() {
        let values: Vec<f64> = (0..104)
            .map(|i| if i % 2 == 0 { 63.0 } else { 77.0 })
            .collect();
        let p = profile(&series(values, 7));
        assert!((p.stats.mean - 10.0).abs() < 1e-12);
        // Weekly totals 70 ± 7: sample sd 7·√(104/103), daily sd that over √7.
        let weekly_sd = 7.0 * (104.0f64 / 103.0).sqrt();
        assert!((p.stats.sd - weekly_sd / 7f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn a_clear_seasonal_pattern_and_trend_are_found() {
        // Demand 20 in winter months, 10 otherwise, rising 20% a year; no noise.
        let s = series(vec![0.0; 730], 1);
        let values: Vec<f64> = (0..730)
            .map(|i| {
                let month = s.month_of(i);
                let base = if (2..10).contains(&month) { 10.0 } else { 20.0 };
                base * (1.0 + 0.2 * (i as f64 - 364.5) / 365.0)
            })
            .collect();
        let p = profile(&series(values, 1));
        let season = &p.stats.seasonality;
        assert!(season.material() && season.strong(), "{season:?}");
        assert!(season.indices[11] > 1.4 && season.indices[5] < 0.8);
        assert!(
            (p.stats.trend.per_year - 0.2).abs() < 0.02,
            "{:?}",
            p.stats.trend
        );
        assert!(p.stats.trend.material());
        assert_eq!(season.peak_months(), vec![10, 11, 0, 1]);
        assert_eq!(season.peak_text(), "Nov–Feb");
    }

    #[test]
    fn the_toml_form_is_the_scenario_form() {
        assert_eq!(
            DemandDistribution::NegativeBinomial { mean: 3.0, sd: 2.5 }.toml(),
            "{ negative_binomial = { mean = 3, sd = 2.5 } }"
        );
        assert_eq!(
            DemandDistribution::Empirical {
                values: vec![0.0, 1.5]
            }
            .toml(),
            "{ empirical = [0, 1.5] }"
        );
        assert_eq!(num(10.0 / 3.0), "3.3333");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(0.00004), "0.00004");
    }

    #[test]
    fn scaling_keeps_the_negative_binomial_shape() {
        let m = DemandDistribution::NegativeBinomial { mean: 4.0, sd: 3.0 }.scaled(2.0);
        // shape = 16 / 5; at mean 8 the variance is 8 + 64 / 3.2 = 28.
        let DemandDistribution::NegativeBinomial { mean, sd } = m else {
            panic!()
        };
        assert_eq!(mean, 8.0);
        assert!((sd * sd - 28.0).abs() < 1e-9);
    }
}
