//! Choosing a distribution and saying how well it fits: Akaike's information criterion on the
//! likelihood of the observations, and the Kolmogorov–Smirnov distance between their empirical
//! distribution and the model's.
//!
//! Observations need not be identically distributed: each belongs to a group with its own level
//! (a seasonal month, a month along a trend), and the model's distribution function is the
//! average of the groups' distribution functions, weighted by their number of observations.
//! That is the expectation of the empirical distribution function of independent, differently
//! distributed observations, so the distance keeps its meaning.
//!
//! * AIC = 2k − 2 ln L (Akaike, IEEE Trans. Autom. Control 19(6), 1974); for whole units L is
//!   a product of probabilities of whole numbers, so counts and rounded continuous families are
//!   compared on the same footing.
//! * The p-value of the distance D over n observations is Kolmogorov's limiting distribution
//!   at (√n + 0.12 + 0.11/√n)·D (Stephens, JASA 69, 1974). With parameters estimated from the
//!   same data and with whole-number data the test is conservative: a model it rejects fits
//!   badly.
//! * `ln_gamma` is Lanczos' approximation with g = 7, n = 9 (about 15 significant digits).

use std::f64::consts::PI;

use crate::foundation::math::norm_cdf;

/// A fitted distribution whose level can be scaled (seasonality, trend).
pub(crate) trait Model {
    /// Number of parameters estimated from the data (for AIC).
    fn parameters(&self) -> usize;
    /// Log probability of `x` (whole units) or log density (continuous) at this level.
    fn log_prob(&self, x: f64, level: f64) -> f64;
    /// P(X ≤ x) at this level.
    fn cdf(&self, x: f64, level: f64) -> f64;
    /// `cdf` at ascending points; count models override it to share one running sum.
    fn cdf_sorted(&self, points: &[f64], level: f64) -> Vec<f64> {
        points.iter().map(|&x| self.cdf(x, level)).collect()
    }
}

/// Observations, each with the group (level) it belongs to.
pub(crate) struct Sample<'a> {
    pub values: &'a [f64],
    /// Group of each value: an index into `levels`.
    pub groups: &'a [usize],
    pub levels: &'a [f64],
    /// Whole numbers: distribution functions are step functions on the integers.
    pub(crate) discrete: bool,
}

/// How well a model fits a sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assessment {
    pub(crate) aic: f64,
    /// Largest gap between the empirical and the model distribution function.
    pub(crate) ks_distance: f64,
    pub(crate) ks_p_value: f64,
}

/// Likelihood and Kolmogorov–Smirnov distance of `model` on `sample`.
pub(crate) fn assess(model: &dyn Model, sample: &Sample<'_>) -> Assessment {
    // Each distinct (group, value) once, times its count: counts repeat, and the log
    // probabilities (log-gamma functions) were most of `profile`'s time.
    let mut pairs: Vec<(usize, f64)> = sample
        .groups
        .iter()
        .copied()
        .zip(sample.values.iter().copied())
        .collect();
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut log_likelihood = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let (g, x) = pairs[i];
        let run = pairs[i..]
            .iter()
            .take_while(|p| p.0 == g && p.1 == x)
            .count();
        log_likelihood += run as f64 * model.log_prob(x, sample.levels[g]);
        i += run;
    }
    let aic = if log_likelihood.is_finite() {
        2.0 * model.parameters() as f64 - 2.0 * log_likelihood
    } else {
        f64::INFINITY
    };
    let ks_distance = ks_distance(model, sample);
    Assessment {
        aic,
        ks_distance,
        ks_p_value: kolmogorov_p_value(ks_distance, sample.values.len()),
    }
}

fn ks_distance(model: &dyn Model, sample: &Sample<'_>) -> f64 {
    let n = sample.values.len();
    if n == 0 {
        return 0.0;
    }
    let mut sorted = sample.values.to_vec();
    sorted.sort_by(f64::total_cmp);
    // Distinct values with the share of observations at or below them.
    let mut distinct: Vec<(f64, f64, f64)> = Vec::new(); // (x, share below, share at or below)
    for (i, &x) in sorted.iter().enumerate() {
        match distinct.last_mut() {
            Some(last) if last.0 == x => last.2 = (i + 1) as f64 / n as f64,
            _ => distinct.push((x, i as f64 / n as f64, (i + 1) as f64 / n as f64)),
        }
    }
    // A step function on the integers changes only at whole numbers, so the largest gap lies at
    // an observed value or just below one.
    let points: Vec<f64> = if sample.discrete {
        let mut p: Vec<f64> = distinct.iter().flat_map(|d| [d.0 - 1.0, d.0]).collect();
        p.dedup();
        p
    } else {
        distinct.iter().map(|d| d.0).collect()
    };
    let mut weights = vec![0.0; sample.levels.len()];
    for &g in sample.groups {
        weights[g] += 1.0 / n as f64;
    }
    let mut model_cdf = vec![0.0; points.len()];
    for (g, &w) in weights.iter().enumerate() {
        if w > 0.0 {
            for (acc, f) in model_cdf
                .iter_mut()
                .zip(model.cdf_sorted(&points, sample.levels[g]))
            {
                *acc += w * f;
            }
        }
    }
    let at = |x: f64| {
        let i = points.partition_point(|&p| p < x);
        model_cdf.get(i).copied().unwrap_or(1.0)
    };
    distinct
        .iter()
        .map(|&(x, below, upto)| {
            let just_below = if sample.discrete { at(x - 1.0) } else { at(x) };
            (upto - at(x)).abs().max((below - just_below).abs())
        })
        .fold(0.0, f64::max)
}

/// Asymptotic p-value of a Kolmogorov–Smirnov distance `d` over `n` observations, with
/// Stephens' small-sample correction.
pub(crate) fn kolmogorov_p_value(d: f64, n: usize) -> f64 {
    if n == 0 || d <= 0.0 {
        return 1.0;
    }
    let root = (n as f64).sqrt();
    let lambda = (root + 0.12 + 0.11 / root) * d;
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let k = f64::from(k);
        let term = (-2.0 * k * k * lambda * lambda).exp();
        sum += if k as i64 % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Upper tail P(χ²ₖ > x) by the Wilson–Hilferty cube-root normal approximation (good to about
/// three decimals for k ≥ 10, ample for a significance threshold).
pub(crate) fn chi_square_upper_tail(x: f64, k: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let c = 2.0 / (9.0 * k);
    let z = ((x / k).cbrt() - (1.0 - c)) / c.sqrt();
    1.0 - norm_cdf(z)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (PI / (PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Running sum of the probabilities of 0, 1, 2, … read off at ascending points: the
/// distribution function of a count model, from its log probabilities.
pub(crate) fn count_cdf_sorted(points: &[f64], log_prob: impl Fn(f64) -> f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(points.len());
    let mut k = 0.0;
    let mut cumulative = 0.0;
    for &x in points {
        let x = x.floor();
        while k <= x {
            cumulative += log_prob(k).exp();
            k += 1.0;
        }
        out.push(if x < 0.0 { 0.0 } else { cumulative.min(1.0) });
    }
    out
}

/// Probability that a value rounded to the nearest whole number is `k`, from the distribution
/// function of the unrounded value (values below ½ round to zero).
pub(crate) fn rounded_log_prob(k: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    if k < 0.0 || k.fract() != 0.0 {
        return f64::NEG_INFINITY;
    }
    let upper = cdf(k + 0.5);
    let lower = if k == 0.0 { 0.0 } else { cdf(k - 0.5) };
    (upper - lower).max(0.0).ln()
}

/// Log-scale parameters (μ, σ²) of the lognormal with this mean and standard deviation.
pub(crate) fn lognormal_parameters(mean: f64, sd: f64) -> (f64, f64) {
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - 0.5 * s2, s2)
}

/// P(X ≤ x) for the lognormal with this mean and standard deviation.
pub(crate) fn lognormal_cdf(mean: f64, sd: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let (mu, s2) = lognormal_parameters(mean, sd);
    norm_cdf((x.ln() - mu) / s2.sqrt())
}

/// Sample mean and standard deviation (n − 1 in the denominator).
pub(crate) fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (mean, 0.0);
    }
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n - 1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_matches_factorials() {
        for (n, fact) in [(1.0, 1.0), (5.0, 24.0), (11.0, 3_628_800.0)] {
            assert!((ln_gamma(n) - f64::ln(fact)).abs() < 1e-10, "{n}");
        }
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-10);
    }

    #[test]
    fn kolmogorov_tail_has_its_textbook_values() {
        // Q(1.36) ≈ 0.049, Q(1.63) ≈ 0.010 (large n, no correction needed).
        let n = 1_000_000;
        let p = |lambda: f64| kolmogorov_p_value(lambda / (n as f64).sqrt(), n);
        assert!((p(1.358) - 0.05).abs() < 0.002);
        assert!((p(1.628) - 0.01).abs() < 0.001);
        assert_eq!(kolmogorov_p_value(0.0, 10), 1.0);
    }

    #[test]
    fn chi_square_tail_is_close() {
        // χ²₁₁: 19.675 is the 95th percentile, 31.264 the 99.9th.
        assert!((chi_square_upper_tail(19.675, 11.0) - 0.05).abs() < 0.002);
        assert!((chi_square_upper_tail(31.264, 11.0) - 0.001).abs() < 0.0005);
    }

    struct Coin;
    impl Model for Coin {
        fn parameters(&self) -> usize {
            0
        }
        fn log_prob(&self, x: f64, _: f64) -> f64 {
            if x == 0.0 || x == 1.0 {
                0.5f64.ln()
            } else {
                f64::NEG_INFINITY
            }
        }
        fn cdf(&self, x: f64, _: f64) -> f64 {
            if x < 0.0 {
                0.0
            } else if x < 1.0 {
                0.5
            } else {
                1.0
            }
        }
    }

    #[test]
    fn a_perfect_sample_has_zero_distance() {
        let values = [0.0, 1.0, 0.0, 1.0];
        let sample = Sample {
            values: &values,
            groups: &[0; 4],
            levels: &[1.0],
            discrete: true,
        };
        let a = assess(&Coin, &sample);
        assert!(a.ks_distance.abs() < 1e-12);
        assert!((a.aic - 8.0 * 2f64.ln()).abs() < 1e-12);
        let skewed = [0.0, 0.0, 0.0, 1.0];
        let d = assess(
            &Coin,
            &Sample {
                values: &skewed,
                ..sample
            },
        );
        assert!((d.ks_distance - 0.25).abs() < 1e-12);
    }
}
