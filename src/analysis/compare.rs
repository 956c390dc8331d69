//! `compare`: every policy against a baseline, run by run, under common random numbers.
//!
//! Each run plays every policy on the same demand, lead times and disruptions, so the
//! difference between two policies can be taken run by run and averaged: its confidence
//! interval (the paired one) is much narrower than the one that comparing two independent
//! means would give, because the luck of the run cancels out. Both widths are reported, so
//! the gain from pairing is visible.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::foundation::format::group_thousands;
use crate::foundation::math::t_crit_95;
use crate::foundation::stats::{Interval, RunningStat};
use crate::model::scenario::Scenario;
use crate::presentation::format::NO_INTERVAL;
use crate::presentation::terminal;
use crate::results::files::{csv_field, csv_interval, optional};
use crate::simulation::engine::Outcome;
use crate::simulation::metrics::{METRICS, Metric};

/// The metrics a comparison line shows, in order; the files hold every metric.
pub(crate) const HEADLINE: [Metric; 5] = [
    Metric::StockoutRate,
    Metric::FillRate,
    Metric::DaysOfSupply,
    Metric::CarryingCost,
    Metric::TotalCost,
];

/// A metric's name as the analyses hold it. Spelled `&'static str`, serde would read the
/// field as borrowed from the file, which no file outlives; the name is read back through
/// [`Metric::from_name`] instead.
type StaticName = &'static str;

/// One policy against the baseline, one metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The metric's name (`stockout_rate`, `total_cost`, …; README, "Metrics").
    #[serde(deserialize_with = "crate::analysis::metric_name")]
    pub metric: StaticName,
    /// The baseline's mean of the metric (all items together), over the runs it is defined in.
    pub baseline_mean: f64,
    /// The policy's mean of the metric, likewise.
    pub policy_mean: f64,
    /// Mean of the run-by-run differences `policy − baseline`, in the metric's unit (a share
    /// 0–1 for rates, money per year for costs).
    pub difference: f64,
    /// The 95% confidence interval of the paired difference, written as `ci95_low` and
    /// `ci95_high`; none (`null`) from a single run, where no spread can be estimated.
    #[serde(
        flatten,
        serialize_with = "crate::foundation::stats::serialize_ci95",
        deserialize_with = "crate::foundation::stats::deserialize_ci95"
    )]
    pub ci95: Option<Interval>,
    /// The interval excludes zero: the policies differ at the 5% level. `None` (`null`)
    /// without an interval: a difference that cannot be judged is not called significant.
    pub significant: Option<bool>,
    /// Half-width of the paired 95% interval of the difference; `None` without an interval.
    pub paired_half_width: Option<f64>,
    /// Half-width of the 95% interval of the difference of two independent means (Welch),
    /// which a comparison without common random numbers would have had; its ratio to the
    /// paired half-width is the gain from pairing. `None` from a single run.
    pub unpaired_half_width: Option<f64>,
    /// Runs where both figures are defined.
    pub n: u64,
}

/// One policy against the baseline, every metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyComparison {
    /// The policy's name in the scenario.
    pub policy: String,
    /// One difference per metric defined in paired runs, in the order metrics are defined.
    pub differences: Vec<Difference>,
}

/// The comparison of every policy with the baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The scenario's name.
    pub scenario: String,
    /// Number of runs simulated; every policy played the same runs.
    pub runs: u64,
    /// The master seed.
    pub seed: u64,
    /// The name of the policy every other is compared with.
    pub baseline: String,
    /// Every policy but the baseline, in scenario order.
    pub policies: Vec<PolicyComparison>,
}

impl Comparison {
    /// Read the comparison from an outcome simulated with paired differences.
    pub fn new(scenario: &Scenario, outcome: &Outcome) -> Comparison {
        let paired = outcome
            .paired
            .as_ref()
            .expect("compare simulates with a baseline");
        let base = &outcome.policies[paired.baseline].all;
        let policies = scenario
            .policies
            .iter()
            .enumerate()
            .filter(|&(p, _)| p != paired.baseline)
            .map(|(p, policy)| PolicyComparison {
                policy: policy.name.clone(),
                differences: METRICS
                    .iter()
                    .filter_map(|&m| {
                        difference(
                            m,
                            paired.get(p, m),
                            outcome.policies[p].all.get(m),
                            base.get(m),
                        )
                    })
                    .collect(),
            })
            .collect();
        Comparison {
            scenario: scenario.name.clone(),
            runs: outcome.runs,
            seed: outcome.seed,
            baseline: scenario.policies[paired.baseline].name.clone(),
            policies,
        }
    }

    /// The difference of `policy` from the baseline in `metric`, if the policy is compared
    /// and the metric was defined in paired runs.
    pub fn get(&self, policy: &str, metric: Metric) -> Option<&Difference> {
        self.policies
            .iter()
            .find(|p| p.policy == policy)?
            .differences
            .iter()
            .find(|d| d.metric == metric.name())
    }

    /// The comparison as pretty-printed JSON (compare.json).
    pub fn to_json(&self) -> String {
        crate::results::files::json_text(self)
    }

    /// One row per policy and metric.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "policy,baseline,metric,n,baseline_mean,policy_mean,difference,ci95_low,ci95_high,\
             significant,paired_half_width,unpaired_half_width\n",
        );
        for p in &self.policies {
            for d in &p.differences {
                let _ = writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    csv_field(&p.policy),
                    csv_field(&self.baseline),
                    d.metric,
                    d.n,
                    d.baseline_mean,
                    d.policy_mean,
                    d.difference,
                    csv_interval(d.ci95),
                    optional(d.significant),
                    optional(d.paired_half_width),
                    optional(d.unpaired_half_width)
                );
            }
        }
        out
    }

    /// The terminal text: per policy, a table of the headline differences with their
    /// intervals and how much narrower pairing made each interval; every line fits the
    /// terminal ([`terminal::WIDTH`]).
    pub fn to_text(&self) -> String {
        let mut out = terminal::wrap(&format!(
            "paired comparison against '{}' over {} runs (seed {}), 95% confidence intervals",
            self.baseline,
            group_thousands(self.runs as f64, 0),
            self.seed
        ));
        out.push_str(
            "\n* = significant (the interval excludes 0); rates in percentage points (pp)\n\
             pairing: how many times wider the interval would be without common random numbers\n",
        );
        for p in &self.policies {
            out.push('\n');
            out.push_str(&terminal::wrap(&format!(
                "{} vs {}:",
                p.policy, self.baseline
            )));
            out.push('\n');
            let mut rows = vec![
                ["metric", "difference", "95% interval", "pairing"]
                    .map(String::from)
                    .to_vec(),
            ];
            rows.extend(HEADLINE.iter().filter_map(|&m| {
                let d = self.get(&p.policy, m)?;
                Some(vec![
                    m.name().replace('_', " "),
                    signed(m, d.difference, true),
                    interval(m, d),
                    pairing_gain(d).unwrap_or_default(),
                ])
            }));
            out.push_str(&terminal::table_indented(&rows, 2));
        }
        out
    }
}

fn difference(
    metric: Metric,
    paired: &RunningStat,
    policy: &RunningStat,
    baseline: &RunningStat,
) -> Option<Difference> {
    let estimate = paired.estimate()?;
    let n = policy.count().min(baseline.count());
    let unpaired = (n >= 2).then(|| {
        let (a, b) = (policy.count() as f64, baseline.count() as f64);
        t_crit_95(n) * (policy.variance() / a + baseline.variance() / b).sqrt()
    });
    Some(Difference {
        metric: metric.name(),
        baseline_mean: baseline.mean(),
        policy_mean: policy.mean(),
        difference: estimate.mean,
        ci95: estimate.ci95,
        significant: estimate.ci95.map(|ci| ci.excludes_zero()),
        paired_half_width: paired.half_width_95(),
        unpaired_half_width: unpaired,
        n: estimate.n,
    })
}

/// "[−3.30, −2.90]*": the interval of a difference, starred when significant.
fn interval(metric: Metric, d: &Difference) -> String {
    let star = if d.significant == Some(true) { "*" } else { "" };
    let interval = d.ci95.map_or_else(
        || NO_INTERVAL.to_string(),
        |ci| {
            format!(
                "{}, {}",
                signed(metric, ci.low, false),
                signed(metric, ci.high, false)
            )
        },
    );
    format!("[{interval}]{star}")
}

/// "1.2×": how many times narrower the paired interval is than the unpaired one (nothing when
/// the paired interval has no width, e.g. both policies never run out).
pub(crate) fn pairing_gain(d: &Difference) -> Option<String> {
    let ratio = d.unpaired_half_width? / d.paired_half_width?;
    ratio.is_finite().then(|| format!("{ratio:.1}×"))
}

/// A difference with its sign (− as the minus sign) and its unit.
pub(crate) fn signed(metric: Metric, x: f64, unit: bool) -> String {
    let sign = if x < 0.0 { "−" } else { "+" };
    format!("{sign}{}", magnitude(metric, x.abs(), unit))
}

/// Rates in percentage points, money in thousands per year, other figures as numbers.
fn magnitude(metric: Metric, x: f64, unit: bool) -> String {
    let name = metric.name();
    let (text, suffix) = if name.ends_with("_rate") || name.ends_with("service_level") {
        (format!("{:.2}", 100.0 * x), " pp")
    } else if name.ends_with("_cost") {
        if x >= 1e5 {
            (format!("{:.1}k", x / 1e3), "/yr")
        } else {
            (group_thousands(x, 0), "/yr")
        }
    } else {
        (format!("{x:.2}"), "")
    };
    if unit {
        format!("{text}{suffix}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_written_with_sign_and_unit() {
        assert_eq!(signed(Metric::StockoutRate, -0.031, true), "−3.10 pp");
        assert_eq!(signed(Metric::CarryingCost, 41_200.0, true), "+41,200/yr");
        assert_eq!(signed(Metric::CarryingCost, 412_000.0, false), "+412.0k");
        assert_eq!(signed(Metric::DaysOfSupply, 2.5, true), "+2.50");
    }
}
