//! Targets such as `stockout_rate<=0.02` or `p95 stockout_rate <= 5%`, and whether a set of
//! runs meets one with a given confidence — with the reason, in words: the confidence bound
//! that decided the verdict and its value, so that a verdict such as "98.02% misses
//! `fill_rate >= 98%`" can be read and defended (it did not: its lower bound did).

use serde::{Deserialize, Serialize};

use crate::analysis::format_value;
use crate::foundation::format::group_thousands;
use crate::foundation::math::norm_ppf;
use crate::foundation::stats::RunningStat;
use crate::presentation::format::ValueKind;

pub use crate::model::target::{Statistic, Target};

/// The answer for one set of runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// Met, with the confidence asked for: the bound on the target's side is within it.
    Meets,
    /// Missed, with the confidence asked for: even the bound on the other side is outside it.
    Fails,
    /// The runs cannot tell: the target lies between the bounds. Not shown to meet it, so a
    /// search counts it as a miss.
    Uncertain,
}

/// Which one-sided confidence bound of the statistic decided a verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Bound {
    Lower,
    Upper,
}

/// A target's statistic measured on a set of runs, with the one-sided bounds used to judge it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    /// The statistic's estimate: the mean over runs, or the quantile over runs.
    pub value: f64,
    /// The statistic's lower confidence bound at the confidence asked for (one-sided).
    pub low: f64,
    /// The statistic's upper confidence bound at the confidence asked for (one-sided).
    pub high: f64,
    /// Runs the metric was defined in, which the statistic is taken over.
    pub runs: u64,
    pub(crate) verdict: Verdict,
    /// The bound that decided the verdict: for `<=`, the upper one when the target is met or
    /// not shown to be met, the lower one when even it misses (the reverse for `>=`).
    pub(crate) decided_by: Bound,
    /// The verdict and its reason in words, e.g. "not shown to meet the target: the 95% lower
    /// confidence bound of the mean is 97.90%, below 98.00% (the upper bound is 98.14%: 2,000
    /// runs cannot tell)".
    pub reason: String,
}

impl Target {
    /// Judge `stat` (the metric over runs) against the target with `confidence` (e.g. 0.95):
    /// the mean through its one-sided normal bound `mean ± z·SE`; a quantile through the
    /// distribution-free bound on its rank, the quantiles at levels `q ± z·√(q(1−q)/n)`.
    pub fn measure(&self, stat: &RunningStat, confidence: f64) -> Option<Measured> {
        let n = stat.count();
        if n == 0 {
            return None;
        }
        let z = norm_ppf(confidence);
        let (value, low, high) = match self.statistic {
            Statistic::Mean => {
                let margin = if n < 2 {
                    f64::INFINITY
                } else {
                    z * stat.std_error()
                };
                (stat.mean(), stat.mean() - margin, stat.mean() + margin)
            }
            Statistic::Quantile(q) => {
                let margin = z * (q * (1.0 - q) / n as f64).sqrt();
                (
                    stat.quantile(q),
                    stat.quantile((q - margin).max(0.0)),
                    stat.quantile((q + margin).min(1.0)),
                )
            }
        };
        // The bound on the target's side must be within it for the target to be met; the
        // bound on the other side outside it for the target to be missed.
        let (near, far) = if self.at_most {
            ((Bound::Upper, high), (Bound::Lower, low))
        } else {
            ((Bound::Lower, low), (Bound::Upper, high))
        };
        let (verdict, decided_by) = if self.within(near.1) {
            (Verdict::Meets, near.0)
        } else if !self.within(far.1) {
            (Verdict::Fails, far.0)
        } else {
            (Verdict::Uncertain, near.0)
        };
        let reason = self.reason(confidence, verdict, near, far, n);
        Some(Measured {
            value,
            low,
            high,
            runs: n,
            verdict,
            decided_by,
            reason,
        })
    }

    /// The verdict in words with the bound that decided it: its confidence, the statistic it
    /// bounds, its value, and how it compares with the target's.
    fn reason(
        &self,
        confidence: f64,
        verdict: Verdict,
        near: (Bound, f64),
        far: (Bound, f64),
        runs: u64,
    ) -> String {
        let of = match self.statistic {
            Statistic::Mean => "the mean".to_string(),
            Statistic::Quantile(q) => format!("p{}", 100.0 * q),
        };
        // With 50% confidence there is no margin: the estimate itself decides.
        let bound = |side: Bound| {
            if confidence == 0.5 {
                format!("the estimate of {of}")
            } else {
                let side = match side {
                    Bound::Lower => "lower",
                    Bound::Upper => "upper",
                };
                let level = group_thousands(100.0 * confidence, 1);
                let level = level.trim_end_matches(".0");
                format!("the {level}% {side} confidence bound of {of}")
            }
        };
        let (bound_value, target_value) = self.side_by_side(near.1);
        let (inside, outside) = if self.at_most {
            ("at or below", "above")
        } else {
            ("at or above", "below")
        };
        match verdict {
            Verdict::Meets => format!(
                "meets the target: {} is {bound_value}, {inside} {target_value} ({} runs)",
                bound(near.0),
                group_thousands(runs as f64, 0)
            ),
            Verdict::Fails => {
                let (far_value, target_value) = self.side_by_side(far.1);
                format!(
                    "misses the target: even {} is {far_value}, {outside} {target_value} ({} \
                     runs)",
                    bound(far.0),
                    group_thousands(runs as f64, 0)
                )
            }
            Verdict::Uncertain => format!(
                "not shown to meet the target: {} is {bound_value}, {outside} {target_value} \
                 (the {} bound is {}: {} runs cannot tell)",
                bound(near.0),
                match far.0 {
                    Bound::Lower => "lower",
                    Bound::Upper => "upper",
                },
                self.side_by_side(far.1).0,
                group_thousands(runs as f64, 0)
            ),
        }
    }

    /// `x` and the target's value as the reports write the metric, with as many more decimals
    /// (up to six) as it takes for two different numbers not to read the same; an unbounded
    /// bound (a single run) as "unbounded".
    fn side_by_side(&self, x: f64) -> (String, String) {
        if !x.is_finite() {
            return (
                "unbounded".to_string(),
                format_value(self.metric, self.value),
            );
        }
        let kind = ValueKind::of(self.metric.name());
        (0..=6)
            .map(|extra| {
                (
                    kind.value_finer(x, extra),
                    kind.value_finer(self.value, extra),
                )
            })
            .find(|(a, b)| a != b || x == self.value)
            .unwrap_or_else(|| (kind.value_finer(x, 6), kind.value_finer(self.value, 6)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::metrics::{METRICS, Metric};

    #[test]
    fn targets_parse_in_their_usual_spellings() {
        let t = Target::parse("stockout_rate<=0.02").unwrap();
        assert_eq!(
            t,
            Target {
                metric: Metric::StockoutRate,
                statistic: Statistic::Mean,
                at_most: true,
                value: 0.02
            }
        );
        let p = Target::parse("p95 stockout_rate <= 5%").unwrap();
        assert_eq!(p.statistic, Statistic::Quantile(0.95));
        assert!((p.value - 0.05).abs() < 1e-15);
        assert!(!Target::parse("fill_rate >= 99%").unwrap().at_most);
        for bad in [
            "stockout_rate",
            "stock_rate<=1",
            "q9 fill_rate<=1",
            "fill_rate<=lots",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(p.to_string(), "p95 stockout_rate <= 0.05");
    }

    #[test]
    fn verdicts_need_the_confidence_asked_for() {
        let target = Target::parse("stockout_rate<=0.5").unwrap();
        let mut stat = RunningStat::new();
        for i in 0..100 {
            stat.push(if i % 2 == 0 { 0.3 } else { 0.5 });
        }
        // Mean 0.4, SE 0.01: clearly below 0.5.
        let m = target.measure(&stat, 0.95).unwrap();
        assert_eq!(m.verdict, Verdict::Meets);
        assert!((m.value - 0.4).abs() < 1e-12);
        let near = Target::parse("stockout_rate<=0.41").unwrap();
        assert_eq!(
            near.measure(&stat, 0.95).unwrap().verdict,
            Verdict::Uncertain
        );
        let far = Target::parse("stockout_rate<=0.35").unwrap();
        assert_eq!(far.measure(&stat, 0.95).unwrap().verdict, Verdict::Fails);
    }

    /// A share above 100% or below 0%, a negative count or cost, or no number at all: no
    /// figure can be held to it, so it is refused with what the metric can take.
    #[test]
    fn issue_18_impossible_targets_are_refused() {
        for (text, allowed) in [
            (
                "fill_rate>=200%",
                "fill_rate can be — a share, from 0% to 100% (0 to 1)",
            ),
            ("fill_rate >= 1.5", "from 0% to 100%"),
            ("stockout_rate<=-1%", "from 0% to 100%"),
            ("p95 supplier_on_time_rate >= 101%", "from 0% to 100%"),
            ("total_cost<=-5", "total_cost can be — 0 or more"),
            ("lost_units <= -0.1", "0 or more"),
            ("carrying_cost <= inf", "is not a number"),
            ("fill_rate >= NaN", "is not a number"),
        ] {
            let err = Target::parse(text).unwrap_err();
            assert!(err.starts_with(&format!("target '{text}': ")), "{err}");
            assert!(err.contains(allowed), "{text}: {err}");
        }
        for fine in [
            "fill_rate >= 100%",
            "stockout_rate <= 0",
            "total_cost <= 0",
            "days_of_supply >= 30",
        ] {
            assert!(Target::parse(fine).is_ok(), "{fine}");
        }
        // The metrics taken for shares are those written as percentages.
        for metric in METRICS {
            assert_eq!(
                metric.is_share(),
                ValueKind::of(metric.name()) == ValueKind::Percent,
                "{}",
                metric.name()
            );
        }
    }

    /// Every verdict names the one-sided bound that decided it and its value, beside the
    /// target's: the bound on the target's side when met or not shown to be, the other one
    /// when even it misses.
    #[test]
    fn issue_18_every_verdict_gives_the_bound_that_decided_it() {
        let mut stat = RunningStat::new();
        for i in 0..100 {
            stat.push(if i % 2 == 0 { 0.3 } else { 0.5 });
        }
        let judge = |target: &str, confidence: f64| {
            Target::parse(target)
                .unwrap()
                .measure(&stat, confidence)
                .unwrap()
        };
        let m = judge("stockout_rate <= 50%", 0.95);
        let (low, high) = (
            format!("{:.2}%", 100.0 * m.low),
            format!("{:.2}%", 100.0 * m.high),
        );
        assert_eq!(m.decided_by, Bound::Upper);
        assert_eq!(
            m.reason,
            format!(
                "meets the target: the 95% upper confidence bound of the mean is {high}, at or \
                 below 50.00% (100 runs)"
            )
        );
        let m = judge("stockout_rate <= 41%", 0.95);
        assert_eq!(
            (m.verdict, m.decided_by),
            (Verdict::Uncertain, Bound::Upper)
        );
        assert_eq!(
            m.reason,
            format!(
                "not shown to meet the target: the 95% upper confidence bound of the mean is \
                 {high}, above 41.00% (the lower bound is {low}: 100 runs cannot tell)"
            )
        );
        let m = judge("stockout_rate <= 35%", 0.95);
        assert_eq!((m.verdict, m.decided_by), (Verdict::Fails, Bound::Lower));
        assert_eq!(
            m.reason,
            format!(
                "misses the target: even the 95% lower confidence bound of the mean is {low}, \
                 above 35.00% (100 runs)"
            )
        );
        // `>=` the other way round; at 50% confidence the estimate itself decides.
        let m = judge("stockout_rate >= 45%", 0.95);
        assert_eq!((m.verdict, m.decided_by), (Verdict::Fails, Bound::Upper));
        assert!(
            m.reason
                .starts_with("misses the target: even the 95% upper confidence bound")
        );
        let m = judge("stockout_rate >= 39%", 0.5);
        assert_eq!(
            m.reason,
            "meets the target: the estimate of the mean is 40.00%, at or above 39.00% (100 runs)"
        );
        let m = judge("p50 stockout_rate >= 60%", 0.975);
        assert!(
            m.reason.starts_with(
                "misses the target: even the 97.5% upper confidence bound of p50 is 49."
            ),
            "{}",
            m.reason
        );
        // A bound that would read the same as the target gets the decimals to tell them apart.
        let target = Target::parse("stockout_rate <= 1%").unwrap();
        assert_eq!(
            target.side_by_side(0.010_04),
            ("1.004%".to_string(), "1.000%".to_string())
        );
        assert_eq!(
            target.side_by_side(0.0123),
            ("1.23%".to_string(), "1.00%".to_string())
        );
    }
}
