//! Targets such as `stockout_rate<=0.02` or `p95 stockout_rate <= 5%`: what a planner
//! requires of a metric, read from the command line (`optimize`, `stress`) or from a
//! scenario's `[targets]`. Whether a set of runs meets one is judged where the runs are
//! (`analysis::target` for searches, the results for a run's summary).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::metric::{METRICS, Metric};

/// What a target constrains: the mean over runs, or a quantile over runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Statistic {
    /// The mean over runs.
    Mean,
    /// The quantile at this level, e.g. 0.95 for p95.
    Quantile(f64),
}

/// A bound on a metric: `[pNN] METRIC <= VALUE` (or `>=`; `<` and `>` read the same, the
/// simulator's figures being continuous). A value ending in `%` is a share: `5%` is 0.05.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The metric bounded (written by name in JSON).
    #[serde(
        serialize_with = "metric_name",
        deserialize_with = "crate::model::metric::by_name"
    )]
    pub metric: Metric,
    /// The mean over runs, or a quantile over runs (command-line targets only).
    pub statistic: Statistic,
    /// True for `<=`: the figure must stay at or below `value`.
    pub at_most: bool,
    /// The bound, in the metric's unit (a share 0–1 for rates, even when written as `5%`).
    pub value: f64,
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
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("target '{text}': '{right}' is not a number; {form}"))?;
        // A bound outside what the metric can take is a typo (200% for 98%, a lost minus
        // sign): a search would widen its range to no end, and a stress test would find
        // nothing survivable, for a reason it would not name. Refused before any simulation.
        let (allowed, inside) = if metric.is_share() {
            (
                "a share, from 0% to 100% (0 to 1)",
                (0.0..=1.0).contains(&value),
            )
        } else {
            ("0 or more", value >= 0.0)
        };
        if !inside {
            return Err(format!(
                "target '{text}': '{right}' is outside what {} can be — {allowed}",
                metric.name()
            ));
        }
        Ok(Target {
            metric,
            statistic,
            at_most,
            value,
        })
    }

    /// Whether `x` satisfies the comparison.
    pub fn within(&self, x: f64) -> bool {
        if self.at_most {
            x <= self.value
        } else {
            x >= self.value
        }
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
