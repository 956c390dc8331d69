//! Special functions the simulator needs for policy sizing and confidence intervals.
//!
//! * `erfc` follows W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969),
//!   relative error below 1e-15 over the whole line.
//! * `norm_ppf` starts from Acklam's rational approximation (relative error 1.15e-9) and
//!   takes one Halley step against `norm_cdf`, which brings it to full double precision.
//! * `t_ppf` uses Hill's algorithm 396 (Comm. ACM 13, 1970) for the Student t quantile,
//!   exact for 1 and 2 degrees of freedom and accurate to ~1e-9 beyond.

// The coefficients are kept digit for digit as published, so they can be checked against the
// sources, even where f64 cannot hold every digit.
#![allow(clippy::excessive_precision)]

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Largest whole number ≤ x, for |x| < 2⁶³. Unlike `f64::floor` this is not a library call
/// on the default x86-64 target, which matters in the daily loop.
#[inline(always)]
pub(crate) fn floor_fast(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x { t - 1.0 } else { t }
}

/// Smallest whole number ≥ x, for |x| < 2⁶³ (see [`floor_fast`]).
#[inline(always)]
pub(crate) fn ceil_fast(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t < x { t + 1.0 } else { t }
}

/// The smaller of two numbers that are never NaN. `f64::min` also handles NaN, which costs a
/// few instructions the daily loop does not need.
#[inline(always)]
pub(crate) fn min_fast(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

/// The larger of two numbers that are never NaN (see [`min_fast`]).
#[inline(always)]
pub(crate) fn max_fast(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// Standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// Standard normal cumulative distribution function.
pub(crate) fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * FRAC_1_SQRT_2)
}

/// Complementary error function (Cody 1969).
pub(crate) fn erfc(x: f64) -> f64 {
    let ax = x.abs();
    let result = if ax < 0.5 {
        return 1.0 - erf_small(x);
    } else if ax < 4.0 {
        erfc_mid(ax)
    } else {
        erfc_large(ax)
    };
    if x < 0.0 { 2.0 - result } else { result }
}

fn erf_small(x: f64) -> f64 {
    const A: [f64; 5] = [
        3.161_123_743_870_565_6,
        1.138_641_541_510_501_6e2,
        3.774_852_376_853_020_2e2,
        3.209_377_589_138_469_5e3,
        1.857_777_061_846_031_5e-1,
    ];
    const B: [f64; 4] = [
        2.360_129_095_234_412_1e1,
        2.440_246_379_344_441_7e2,
        1.282_616_526_077_372_3e3,
        2.844_236_833_439_170_6e3,
    ];
    let z = x * x;
    let mut num = A[4] * z;
    let mut den = z;
    for i in 0..3 {
        num = (num + A[i]) * z;
        den = (den + B[i]) * z;
    }
    x * (num + A[3]) / (den + B[3])
}

fn erfc_mid(y: f64) -> f64 {
    const C: [f64; 9] = [
        5.641_884_969_886_700_9e-1,
        8.883_149_794_388_375_9,
        6.611_919_063_714_162_95e1,
        2.986_351_381_974_001_3e2,
        8.819_522_212_417_690_9e2,
        1.712_047_612_634_070_7e3,
        2.051_078_377_826_071_6e3,
        1.230_339_354_797_997_2e3,
        2.153_115_354_744_038_5e-8,
    ];
    const D: [f64; 8] = [
        1.574_492_611_070_983_5e1,
        1.176_939_508_913_125e2,
        5.371_811_018_620_098_6e2,
        1.621_389_574_566_690_2e3,
        3.290_799_235_733_459_6e3,
        4.362_619_090_143_247_2e3,
        3.439_367_674_143_721_6e3,
        1.230_339_354_803_749_4e3,
    ];
    let mut num = C[8] * y;
    let mut den = y;
    for i in 0..7 {
        num = (num + C[i]) * y;
        den = (den + D[i]) * y;
    }
    let r = (num + C[7]) / (den + D[7]);
    scaled_exp(y) * r
}

fn erfc_large(y: f64) -> f64 {
    const P: [f64; 6] = [
        3.053_266_349_612_323_4e-1,
        3.603_448_999_498_044_4e-1,
        1.257_817_261_112_292_5e-1,
        1.608_378_514_874_227_5e-2,
        6.587_491_615_298_378_5e-4,
        1.631_538_713_730_209_78e-2,
    ];
    const Q: [f64; 5] = [
        2.568_520_192_289_822_4,
        1.872_952_849_923_460_4,
        5.279_051_029_514_284_1e-1,
        6.051_834_131_244_131_9e-2,
        2.335_204_976_268_691_8e-3,
    ];
    const SQRPI: f64 = 5.641_895_835_477_562_9e-1; // 1/sqrt(pi)
    if y >= 26.6 {
        return 0.0;
    }
    let z = 1.0 / (y * y);
    let mut num = P[5] * z;
    let mut den = z;
    for i in 0..4 {
        num = (num + P[i]) * z;
        den = (den + Q[i]) * z;
    }
    let r = z * (num + P[4]) / (den + Q[4]);
    let r = (SQRPI - r) / y;
    scaled_exp(y) * r
}

/// exp(-y²) computed in two parts to avoid cancellation (Cody's trick).
fn scaled_exp(y: f64) -> f64 {
    let ysq = (y * 16.0).trunc() / 16.0;
    let del = (y - ysq) * (y + ysq);
    (-ysq * ysq).exp() * (-del).exp()
}

/// Standard normal quantile: the z with `norm_cdf(z) == p`, for p in (0, 1).
pub fn norm_ppf(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let x = acklam(p);
    // One Halley refinement step.
    let e = norm_cdf(x) - p;
    let u = e * (2.0 * PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

fn acklam(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p < P_LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -acklam(1.0 - p)
    }
}

/// Student t quantile for `df` degrees of freedom (Hill 1970, algorithm 396).
pub(crate) fn t_ppf(p: f64, df: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || df <= 0.0 {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    let upper = p > 0.5;
    // Hill's algorithm works with the two-tailed probability.
    let two_tail = 2.0 * if upper { 1.0 - p } else { p };
    let t = hill_two_tailed(two_tail, df);
    if upper { t } else { -t }
}

fn hill_two_tailed(p: f64, n: f64) -> f64 {
    if (n - 2.0).abs() < f64::EPSILON {
        return (2.0 / (p * (2.0 - p)) - 2.0).sqrt();
    }
    let half_pi = PI / 2.0;
    if (n - 1.0).abs() < f64::EPSILON {
        let p = p * half_pi;
        return p.cos() / p.sin();
    }
    let a = 1.0 / (n - 0.5);
    let b = 48.0 / (a * a);
    let mut c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    let d = ((94.5 / (b + c) - 3.0) / b + 1.0) * (a * half_pi).sqrt() * n;
    let mut x = d * p;
    let mut y = x.powf(2.0 / n);
    if y > 0.05 + a {
        // Asymptotic inverse expansion about the normal.
        x = norm_ppf(p * 0.5);
        y = x * x;
        if n < 5.0 {
            c += 0.3 * (n - 4.5) * (x + 0.6);
        }
        c += (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = a * y * y;
        y = if y > 0.002 {
            y.exp() - 1.0
        } else {
            0.5 * y * y + y
        };
    } else {
        y = ((1.0 / (((n + 6.0) / (n * y) - 0.089 * d - 0.822) * (n + 2.0) * 3.0)
            + 0.5 / (n + 4.0))
            * y
            - 1.0)
            * (n + 1.0)
            / (n + 2.0)
            + 1.0 / y;
    }
    (n * y).sqrt()
}

/// Two-sided 95% critical value for a mean estimated from `n` observations.
pub fn t_crit_95(n: u64) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    t_ppf(0.975, (n - 1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_rounding_matches_the_library() {
        for x in [
            -3.5,
            -3.0,
            -2.7,
            -0.2,
            -0.0,
            0.0,
            0.2,
            1.0,
            1.5,
            2.999_999_9,
            1e15 + 0.5,
        ] {
            assert_eq!(floor_fast(x), x.floor(), "floor({x})");
            assert_eq!(ceil_fast(x), x.ceil(), "ceil({x})");
        }
    }

    #[test]
    fn normal_cdf_matches_tables() {
        // Values from Abramowitz & Stegun table 26.1.
        let cases = [
            (0.0, 0.5),
            (1.0, 0.841_344_746_068_543),
            (1.644_853_626_951_472, 0.95),
            (-1.959_963_984_540_054, 0.025),
            (3.0, 0.998_650_101_968_37),
            (-6.0, 9.865_876_450_376_946e-10),
        ];
        for (x, p) in cases {
            let got = norm_cdf(x);
            assert!(((got - p) / p).abs() < 1e-12, "cdf({x}) = {got}, want {p}");
        }
    }

    #[test]
    fn normal_quantile_inverts_cdf() {
        for &p in &[
            1e-10,
            1e-4,
            0.01,
            0.025,
            0.05,
            0.3,
            0.5,
            0.8,
            0.95,
            0.975,
            0.999,
            1.0 - 1e-9,
        ] {
            let z = norm_ppf(p);
            assert!(
                (norm_cdf(z) - p).abs() < 1e-14 * p.max(1e-3) * 1e3,
                "p={p} z={z}"
            );
        }
        assert!((norm_ppf(0.95) - 1.644_853_626_951_472).abs() < 1e-12);
        assert!((norm_ppf(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
    }

    #[test]
    fn t_quantile_matches_tables() {
        // Two-sided 95% critical values t(0.975, df).
        let cases = [
            (1.0, 12.706_204_736_174_7),
            (2.0, 4.302_652_729_749_464),
            (3.0, 3.182_446_305_284_263),
            (5.0, 2.570_581_835_636_314),
            (10.0, 2.228_138_851_986_273),
            (30.0, 2.042_272_456_301_238),
            (999.0, 1.962_341_461_133_449),
        ];
        for (df, t) in cases {
            let got = t_ppf(0.975, df);
            assert!((got - t).abs() < 1e-6 * t, "t({df}) = {got}, want {t}");
            assert!((t_ppf(0.025, df) + t).abs() < 1e-6 * t);
        }
    }
}
