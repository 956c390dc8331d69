//! [`DemandSampler`]: one run's daily demand path, drawn from a [`DemandModel`] with each day's
//! multiplier, and the scalar draws it is made of (the censored normal and the lognormal from
//! the ziggurat, Doornik 2005; Poisson and the gamma–Poisson negative binomial from
//! `rand_distr`: Knuth below λ = 12, Ahrens & Dieter 1982 above, gamma by Marsaglia & Tsang
//! 2000). [`DemandModel::sampler`] is here too: it chooses, family by family, between the count
//! tables of `tables.rs` and these draws, and hands out the [`LaneSampler`] where it applies,
//! so the sampler's representation is seen by this file alone.
//!
//! The unit tests check every family's draws against the model: moments, the exact pmf of the
//! count families, seasonality, trend, the calendar and reproducibility.

use std::sync::Arc;

use rand_distr::{Distribution, Gamma, Poisson};

use crate::foundation::math::max_fast;
use crate::foundation::normal::standard_normal;
use crate::foundation::rng::{SimRng, unit_f64};

use super::lanes::LaneSampler;
use super::tables::{MonthlyTables, negative_binomial_table, poisson_table};
use super::{DemandDistribution, DemandModel, Units, round_whole};
use crate::foundation::date::{Calendar, Date, MonthWalk};

impl DemandModel {
    /// Everything needed to draw paths fast (precomputed tables etc.). Built once per scenario.
    pub(crate) fn sampler(&self) -> DemandSampler {
        self.build_sampler(true)
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
            start_date: self.start_date,
        }
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

/// Everything needed to draw demand paths of one model fast. `Send + Sync`, shared by all
/// threads of a simulation.
#[derive(Clone, Debug)]
pub(crate) struct DemandSampler {
    kind: Kind,
    /// Monthly multipliers, negative ones clamped to 0.
    seasonality: [f64; 12],
    trend_per_day: f64,
    /// No seasonality and no trend: every multiplier is 1.
    flat: bool,
    whole: bool,
    /// As [`DemandModel::start_date`].
    start_date: Option<Date>,
}

impl DemandSampler {
    /// The sampler that draws several runs' paths together, for the models it covers.
    pub(crate) fn in_lanes(&self) -> Option<LaneSampler> {
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
    /// day-of-year (first_day_of_year + t) % 365 (0 = 1 January, 365-day years), or, when the
    /// model has a start date, on that date plus t days. The multiplier
    /// m_t = seasonality\[month\] · (1 + trend · t/365), floored at 0, scales the
    /// distribution's level: normal(μm, σm), Poisson(λm), negative binomial with mean μm and
    /// the same shape, lognormal/uniform/empirical/deterministic draw × m. Whole units round
    /// the result to the nearest whole number (Poisson and NB are already whole). No
    /// allocation. Each day's draws depend only on the model, the day and the stream, never
    /// on the values drawn before, so paths are reproducible. The rejection samplers
    /// (ziggurat, Poisson above λ = 12 and gamma) use a variable number of raw draws; the
    /// table samplers and uniform families use exactly one per day, deterministic and trace
    /// none.
    pub(crate) fn fill_path(&self, rng: &mut SimRng, first_day_of_year: u32, path: &mut [f64]) {
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
                let mut months = self.months(first_day_of_year);
                for out in path.iter_mut() {
                    let table = &tables.tables[tables.month[months.month()] as usize];
                    *out = f64::from(table.sample(&mut local));
                    months.step();
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
        let mut months = self.months(first_day_of_year);
        for (t, out) in path.iter_mut().enumerate() {
            let m = self.multiplier(months.month(), t);
            *out = draw(rng, m);
            months.step();
        }
    }

    /// The months of a path's days: the calendar's from the scenario's start date, if it has
    /// one, else those of a 365-day year from `first_day_of_year`.
    fn months(&self, first_day_of_year: u32) -> MonthWalk {
        MonthWalk::new(Calendar::new(self.start_date, first_day_of_year))
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
    use crate::model::demand::test_support::{FLAT, model, negative_binomial_pmf, poisson_pmf};

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
                start_date: None,
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
            start_date: None,
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

    /// With a start date, the months are the calendar's: 29 February 2028 is in February.
    #[test]
    fn a_start_date_puts_leap_days_in_february() {
        let mut seasonality = FLAT;
        seasonality[1] = 2.0;
        let mut m = DemandModel {
            distribution: DemandDistribution::Deterministic { value: 10.0 },
            seasonality,
            trend_per_year: 0.0,
            units: Units::Continuous,
            start_date: None,
        };
        // 28 February of the 365-day year is followed by 1 March.
        assert_eq!(path(&m.sampler(), 0, 58, 3), [20.0, 10.0, 10.0]);
        m.start_date = Date::parse("2028-02-28");
        assert_eq!(path(&m.sampler(), 0, 58, 3), [20.0, 20.0, 10.0]);
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
            start_date: None,
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
                start_date: None,
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
            start_date: None,
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
                    start_date: None,
                };
                let xs = path(&m.sampler(), 110, 0, 2_000);
                assert!(
                    xs.iter().all(|&x| x >= 0.0 && x == x.round()),
                    "{distribution:?} gave a fraction"
                );
                // Continuous units do give fractions (except the count families).
                let c = DemandModel {
                    units: Units::Continuous,
                    start_date: None,
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
                    start_date: None,
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
}
