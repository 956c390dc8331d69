//! Whether each policy met the scenario's `[targets]`, judged on the 95% confidence interval
//! of the metric's mean over runs, so that "met" is a claim the runs support and not luck:
//! met when the whole interval is within the target, missed when the whole interval is
//! outside it, undecided when the target lies inside the interval (more runs would tell) or
//! there is no interval (a single run).

use serde::{Deserialize, Serialize};

use crate::foundation::stats::Estimate;
use crate::model::target::Target;

/// One target of the scenario and each policy's verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetResult {
    /// The metric bounded, by its name in the outputs.
    pub metric: String,
    /// `at_most` (the mean must stay at or below `value`) or `at_least`.
    pub bound: TargetBound,
    /// The bound, in the metric's unit (a share 0–1 for rates).
    pub value: f64,
    /// Each policy's verdict, in scenario order.
    pub policies: Vec<PolicyVerdict>,
}

/// Which side of its value a target keeps the metric on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetBound {
    /// The mean must stay at or below the value.
    AtMost,
    /// The mean must stay at or above the value.
    AtLeast,
}

/// One policy's verdict on one target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyVerdict {
    /// The policy's name.
    pub policy: String,
    /// Met, missed or undecided.
    pub verdict: Verdict,
}

/// A verdict on a target from the 95% confidence interval of the mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is within the target.
    Met,
    /// The whole interval is outside the target.
    Missed,
    /// The target lies inside the interval, or there is no interval (one run).
    Undecided,
    /// The metric is undefined in every run (a fill rate without demand).
    Undefined,
}

impl Verdict {
    /// The verdict in a word, as reports print it.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Missed => "missed",
            Verdict::Undecided => "undecided",
            Verdict::Undefined => "undefined",
        }
    }
}

impl TargetBound {
    /// The comparison as written in a condition: `<=` or `>=`.
    pub fn operator(self) -> &'static str {
        match self {
            TargetBound::AtMost => "<=",
            TargetBound::AtLeast => ">=",
        }
    }

    /// Whether `x` is on the target's side of `value`.
    pub fn holds(self, x: f64, value: f64) -> bool {
        match self {
            TargetBound::AtMost => x <= value,
            TargetBound::AtLeast => x >= value,
        }
    }
}

/// The verdict on `bound value` of an estimate of the mean (`None`: undefined in every run).
pub fn judge(estimate: Option<&Estimate>, bound: TargetBound, value: f64) -> Verdict {
    let Some(e) = estimate else {
        return Verdict::Undefined;
    };
    let Some(ci) = e.ci95 else {
        return Verdict::Undecided;
    };
    if bound.holds(ci.low, value) && bound.holds(ci.high, value) {
        Verdict::Met
    } else if !bound.holds(ci.low, value) && !bound.holds(ci.high, value) {
        Verdict::Missed
    } else {
        Verdict::Undecided
    }
}

impl TargetResult {
    /// Judge every policy's all-items estimate of the target's metric; `estimates` gives, per
    /// policy in scenario order, its name and a lookup of its estimates by metric name.
    pub fn new<'a>(
        target: &Target,
        policies: impl Iterator<Item = (&'a str, Option<&'a Estimate>)>,
    ) -> TargetResult {
        let bound = if target.at_most {
            TargetBound::AtMost
        } else {
            TargetBound::AtLeast
        };
        TargetResult {
            metric: target.metric.name().to_string(),
            bound,
            value: target.value,
            policies: policies
                .map(|(policy, e)| PolicyVerdict {
                    policy: policy.to_string(),
                    verdict: judge(e, bound, target.value),
                })
                .collect(),
        }
    }

    /// The verdict of `policy`, if it was judged.
    pub fn verdict_of(&self, policy: &str) -> Option<Verdict> {
        self.policies
            .iter()
            .find(|p| p.policy == policy)
            .map(|p| p.verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::stats::Interval;

    fn estimate(mean: f64, low: f64, high: f64) -> Estimate {
        Estimate {
            mean,
            ci95: Some(Interval { low, high }),
            p05: low,
            p50: mean,
            p95: high,
            n: 100,
        }
    }

    #[test]
    fn a_target_is_met_only_when_the_whole_interval_is_within_it() {
        let at_most = TargetBound::AtMost;
        let e = estimate(0.015, 0.012, 0.018);
        assert_eq!(judge(Some(&e), at_most, 0.02), Verdict::Met);
        assert_eq!(judge(Some(&e), at_most, 0.018), Verdict::Met);
        assert_eq!(judge(Some(&e), at_most, 0.016), Verdict::Undecided);
        assert_eq!(judge(Some(&e), at_most, 0.01), Verdict::Missed);
        let at_least = TargetBound::AtLeast;
        assert_eq!(judge(Some(&e), at_least, 0.01), Verdict::Met);
        assert_eq!(judge(Some(&e), at_least, 0.02), Verdict::Missed);
        assert_eq!(judge(None, at_least, 0.02), Verdict::Undefined);
        let one_run = Estimate { ci95: None, ..e };
        assert_eq!(judge(Some(&one_run), at_most, 0.5), Verdict::Undecided);
    }
}
