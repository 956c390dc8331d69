//! Targets such as `stockout_rate<=0.02` or `p95 stockout_rate <= 5%`, and whether a set of
//! runs meets one with a given confidence.

use std::fmt;

use serde::Serialize;

use crate::foundation::math::norm_ppf;
use crate::foundation::stats::RunningStat;
use crate::simulation::metrics::{METRICS, Metric};

/// What a target constrains: the mean over runs, or a quantile over runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub(crate) enum Statistic {
    Mean,
    /// The quantile at this level, e.g. 0.95 for p95.
    Quantile(f64),
}

/// A bound on a metric: `[pNN] METRIC <= VALUE` (or `>=`; `<` and `>` read the same, the
/// simulator's figures being continuous). A value ending in `%` is a share: `5%` is 0.05.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Target {
    /// The metric bounded (written by name in JSON).
    #[serde(serialize_with = "metric_name")]
    pub metric: Metric,
    pub(crate) statistic: Statistic,
    /// True for `<=`: the figure must stay at or below `value`.
    pub(crate) at_most: bool,
    /// The bound, in the metric's unit (a share 0–1 for rates, even when written as `5%`).
    pub value: f64,
}

/// The answer for one set of runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Verdict {
    /// Met, with the confidence asked for.
    Meets,
    /// Missed, with the confidence asked for.
    Fails,
    /// The runs cannot tell yet.
    Uncertain,
}

/// A target's statistic measured on a set of runs, with the one-sided bounds used to judge it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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
}

impl Target {
    /// Read a target as the command line writes it: `[pNN] METRIC <= VALUE` or `>=`, e.g.
    /// `stockout_rate<=0.02`, `fill_rate >= 99%` or `p95 stockout_rate <= 5%`. The error
    /// says what is wrong and what is expected (the metrics' names, for an unknown one).
    pub fn parse(text: &str) -> Result<Target, String> {
        let form = "expected '[pNN] METRIC <= VALUE' or '>=', e.g. 'stockout_rate<=0.02' or \
                    'p95 stockout_rate <= 5%'";
        let (at, op_len, at_most) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|op| text.find(op).map(|at| (at, op.len(), op.starts_with('<'))))
            .ok_or_else(|| format!("target '{text}': no comparison; {form}"))?;
        let (left, right) = (text[..at].trim(), text[at + op_len..].trim());
        let mut words = left.split_whitespace().collect::<Vec<_>>();
        let statistic = match words.as_slice() {
            [q, _] => {
                let level = q
                    .strip_prefix('p')
                    .and_then(|n| n.parse::<f64>().ok())
                    .filter(|n| *n > 0.0 && *n < 100.0)
                    .ok_or_else(|| {
                        format!("target '{text}': '{q}' is not a percentile like p95")
                    })?;
                words.remove(0);
                Statistic::Quantile(level / 100.0)
            }
            [_] => Statistic::Mean,
            _ => return Err(format!("target '{text}': {form}")),
        };
        let metric = Metric::from_name(words[0]).ok_or_else(|| {
            let names: Vec<&str> = METRICS.iter().map(|m| m.name()).collect();
            format!(
                "target '{text}': unknown metric '{}'; metrics are: {}",
                words[0],
                names.join(", ")
            )
        })?;
        let value = match right.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().map(|v| v / 100.0),
            None => right.parse::<f64>(),
        }
        .map_err(|_| format!("target '{text}': '{right}' is not a number; {form}"))?;
        Ok(Target {
            metric,
            statistic,
            at_most,
            value,
        })
    }

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
        let (sure_meets, sure_fails) = if self.at_most {
            (high <= self.value, low > self.value)
        } else {
            (low >= self.value, high < self.value)
        };
        let verdict = if sure_meets {
            Verdict::Meets
        } else if sure_fails {
            Verdict::Fails
        } else {
            Verdict::Uncertain
        };
        Some(Measured {
            value,
            low,
            high,
            runs: n,
            verdict,
        })
    }
}

fn metric_name<S: serde::Serializer>(metric: &Metric, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(metric.name())
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Statistic::Quantile(q) = self.statistic {
            write!(f, "p{} ", 100.0 * q)?;
        }
        let op = if self.at_most { "<=" } else { ">=" };
        write!(f, "{} {op} {}", self.metric.name(), self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
