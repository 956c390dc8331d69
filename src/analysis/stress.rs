//! `stress`: how much of a disruption the current buffers survive.
//!
//! A sweep of one disruption's intensity (by default the length of its events; any numeric
//! field, e.g. a surge's factor, with `--param`) under common random numbers, read as a plain
//! answer per policy and per item: the largest value up to which the target still holds at
//! every grid point, with an interval from the target's 95% confidence bounds (the lower end
//! holds even at the upper bound of every point's interval, the upper end at the lower bound).

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::analysis::optimize::{format_param, format_value};
use crate::analysis::param::{self, Param, Vary};
use crate::analysis::sweep::{Axis, Sweep};
use crate::analysis::target::{Statistic, Target};
use crate::foundation::stats::Estimate;

/// The survivable intensity for one policy and unit (all items, or one item).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Survival {
    /// The policy's name.
    pub policy: String,
    /// `(all items)` or the item's id.
    pub unit: String,
    /// The largest grid value up to which the target holds on the mean; none when it fails
    /// at the first value.
    pub survivable: Option<f64>,
    /// The cautious end of the answer's interval: the same read at the bound of each point's
    /// 95% confidence interval that is worse for the target (the upper bound for `<=`).
    pub low: Option<f64>,
    /// The hopeful end: read at the bound that is better for the target (the lower bound for
    /// `<=`).
    pub high: Option<f64>,
    /// Whether the target still holds at the last grid value (the answer is then "at least").
    pub holds_at_end: bool,
}

/// The result of a stress test: how intense a disruption each policy, and each item under
/// it, survives while meeting the target on the mean over runs.
#[derive(Clone, Debug, Serialize)]
pub struct Stress {
    /// The id of the disruption stressed.
    pub disruption: String,
    /// The intensity varied, as a parameter path: by default the length of the events in days
    /// (e.g. `disruption.overseas-outage.duration_days.mean`).
    pub param: String,
    /// The target the policies must keep meeting.
    pub target: Target,
    /// Per policy, all items together, then each item.
    pub survival: Vec<Survival>,
    /// The sweep the answers are read from (written as the sweep's own files).
    #[serde(skip)]
    pub sweep: Sweep,
}

/// The parameter a stress test varies by default: the length of the disruption's events (a
/// scheduled duration, or the mean of a random one).
pub fn default_param(source: &str, path: &Path, disruption: &str) -> anyhow::Result<Param> {
    let doc = param::parse_document(source, path)?;
    let mut last_error = None;
    for field in ["duration_days", "duration_days.mean"] {
        let param: Param = format!("disruption.{disruption}.{field}").parse()?;
        match param::resolve(&doc, &param) {
            Ok(_) => return Ok(param),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.expect("two candidates were tried").into())
}

/// The grid of a stress test: `range` in `steps` points, or by default from 0 to twice the
/// current value (at least 10), every whole number for a whole-number field when that is at
/// most 61 points. By default, values the scenario cannot take (an event shorter than a day)
/// are dropped from the low end of the grid.
pub fn axis(
    source: &str,
    path: &Path,
    param: &Param,
    range: Option<(f64, f64)>,
    steps: Option<usize>,
) -> anyhow::Result<Axis> {
    let doc = param::parse_document(source, path)?;
    let field = param::resolve(&doc, param)?;
    let (lo, hi) = range.unwrap_or((0.0, (2.0 * field.current).max(10.0)));
    // The answer reads the grid upward, from the mildest disruption.
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        anyhow::bail!("--range: the low end must be below the high end, got {lo}..{hi}");
    }
    if steps.is_some_and(|n| n < 2) {
        anyhow::bail!("--steps: a stress test needs at least 2 grid points");
    }
    let steps = steps.unwrap_or(if field.integral && hi - lo <= 60.0 {
        (hi - lo).round() as usize + 1
    } else {
        31
    });
    let vary = Vary::parse(&format!("{param}={lo}..{hi}:{steps}"))?;
    let mut values = vary.for_target(field.integral);
    if range.is_none() {
        let valid = |v: f64| param::scenario_with(source, path, &[(param.clone(), v)]).is_ok();
        let first = values
            .iter()
            .position(|&v| valid(v))
            .unwrap_or(values.len());
        values.drain(..first);
        if values.is_empty() {
            anyhow::bail!("{param}: no value from {lo} to {hi} gives a valid scenario");
        }
    }
    Ok(Axis {
        param: param.to_string(),
        integral: field.integral,
        values,
    })
}

impl Stress {
    /// Read the survivable intensity of every policy and unit from a finished sweep.
    pub fn new(disruption: &str, target: Target, sweep: Sweep) -> Stress {
        let values = &sweep.axes[0].values;
        let items: Vec<String> = sweep.points[0].policies[0]
            .items
            .iter()
            .map(|i| i.item.clone())
            .collect();
        let mut survival = Vec::new();
        for (p, policy) in sweep.policies().iter().enumerate() {
            let units = std::iter::once((None, "(all items)".to_string()))
                .chain(items.iter().cloned().enumerate().map(|(i, n)| (Some(i), n)));
            for (item, unit) in units {
                let estimates: Vec<Option<Estimate>> = (0..values.len())
                    .map(|k| sweep.estimate(k, p, item, target.metric))
                    .collect();
                let reach = |pick: &dyn Fn(&Estimate) -> f64| {
                    last_holding(values, &estimates, |e| target_holds(&target, pick(e)))
                };
                let (mean, cautious, hopeful) = if target.at_most {
                    (
                        reach(&|e| e.mean),
                        reach(&|e| e.ci95_high),
                        reach(&|e| e.ci95_low),
                    )
                } else {
                    (
                        reach(&|e| e.mean),
                        reach(&|e| e.ci95_low),
                        reach(&|e| e.ci95_high),
                    )
                };
                survival.push(Survival {
                    policy: policy.clone(),
                    unit,
                    survivable: mean,
                    low: cautious,
                    high: hopeful,
                    holds_at_end: mean == values.last().copied(),
                });
            }
        }
        Stress {
            disruption: disruption.to_string(),
            param: sweep.axes[0].param.clone(),
            target,
            survival,
            sweep,
        }
    }

    /// The answers as pretty-printed JSON (stress.json; the sweep is written apart).
    pub fn to_json(&self) -> String {
        crate::results::files::json_text(self)
    }

    /// The plain-language answer: per policy, all items, then each item.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let keeps = match self.target.statistic {
            Statistic::Mean => String::new(),
            Statistic::Quantile(q) => format!("the {:.0}th percentile of ", 100.0 * q),
        };
        let bound = format_value(self.target.metric, self.target.value);
        let relation = if self.target.at_most {
            "under"
        } else {
            "above"
        };
        for s in &self.survival {
            let what = if s.unit == "(all items)" {
                format!("policy '{}'", s.policy)
            } else {
                format!("  item '{}'", s.unit)
            };
            let answer = match s.survivable {
                None => format!(
                    "misses the target even at {} = {}",
                    self.param,
                    format_param(self.sweep.axes[0].values[0])
                ),
                Some(v) => {
                    let interval = format!(
                        "[{}, {}]",
                        s.low.map_or("none".into(), format_param),
                        s.high.map_or("none".into(), format_param)
                    );
                    let at_least = if s.holds_at_end { "at least " } else { "" };
                    format!(
                        "'{}' up to {at_least}{} = {} {interval} keeps {keeps}the {} {relation} {bound}",
                        self.disruption,
                        self.param,
                        format_param(v),
                        self.target.metric.name().replace('_', " ")
                    )
                }
            };
            let _ = writeln!(out, "{what}: {answer}");
        }
        out
    }
}

fn target_holds(target: &Target, value: f64) -> bool {
    if target.at_most {
        value <= target.value
    } else {
        value >= target.value
    }
}

/// The last grid value up to which `holds` is true at every point (none if it fails at the
/// first); a point without a figure ends the run.
fn last_holding(
    values: &[f64],
    estimates: &[Option<Estimate>],
    holds: impl Fn(&Estimate) -> bool,
) -> Option<f64> {
    let mut last = None;
    for (v, e) in values.iter().zip(estimates) {
        match e {
            Some(e) if holds(e) => last = Some(*v),
            _ => break,
        }
    }
    last
}
