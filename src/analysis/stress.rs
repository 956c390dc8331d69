//! `stress`: how much of a disruption the current buffers survive.
//!
//! A sweep of one disruption's intensity (by default the length of its events; any numeric
//! field, e.g. a surge's factor, with `--param`) under common random numbers, read as a plain
//! answer per policy and per item: the largest value up to which the target still holds at
//! every grid point, with an interval from the target's 95% confidence bounds (the lower end
//! holds even at the upper bound of every point's interval, the upper end at the lower bound).
//!
//! A unit the disruption cannot reach (an item bought only from suppliers it does not touch,
//! and whose demand it does not surge; a policy none of whose items it reaches) is reported as
//! unaffected, not judged: whether such a unit meets the target has nothing to do with the
//! disruption, so reading "survives at least the whole range" or "misses even the mildest"
//! into its figures would blame or credit the disruption for what the unit does on its own.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::param::{self, Param, Vary};
use crate::analysis::sweep::{Axis, Sweep};
use crate::analysis::target::{Statistic, Target};
use crate::analysis::{format_param, format_value};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::model::scenario::Scenario;
use crate::presentation::charts::ChartError;
use crate::presentation::terminal;
use crate::results::files::FileSet;

/// The survivable intensity for one policy and unit (all items, or one item).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Survival {
    /// The policy's name.
    pub policy: String,
    /// `(all items)` or the item's id.
    pub unit: String,
    /// Whether the disruption can reach the unit at all: an item through one of its
    /// suppliers, or through its demand (a surge); all items, through any of them. When it
    /// cannot, the verdict is `unaffected` and the figures below are empty.
    pub reached: bool,
    /// The answer in one word; see [`Reading`].
    pub verdict: Reading,
    /// The largest grid value up to which the target holds on the mean; none when it fails
    /// at the first value, or when the unit is unaffected.
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

/// What a stress test says of one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// The disruption cannot reach the unit, so its intensity has nothing to do with whether
    /// the unit meets the target: not judged.
    Unaffected,
    /// The target holds up to `survivable` and fails at the next grid value.
    HoldsUpTo,
    /// The target holds at every grid value: the unit survives at least the whole range.
    HoldsThroughout,
    /// The target fails at the first grid value already.
    MissesAtStart,
}

/// The result of a stress test: how intense a disruption each policy, and each item under
/// it, survives while meeting the target on the mean over runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
    /// The sweep the answers are read from (written as the sweep's own files, and read back
    /// from them).
    #[serde(skip)]
    pub sweep: Sweep,
}

/// Which items of `scenario` the disruption `id` can reach (through their suppliers, or their
/// demand for a surge), in scenario order; an error naming the disruptions if there is none
/// called `id`.
pub fn reached_items(scenario: &Scenario, id: &str) -> anyhow::Result<Vec<bool>> {
    let Some(disruption) = scenario.disruptions.iter().find(|d| d.id == id) else {
        let names: Vec<&str> = scenario.disruptions.iter().map(|d| d.id.as_str()).collect();
        anyhow::bail!(
            "--disruption: no disruption '{id}' in the scenario; its disruption names are {}",
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        );
    };
    Ok(scenario
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| item.is_reached_by(i, disruption))
        .collect())
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
    /// Read the survivable intensity of every policy and unit from a finished sweep;
    /// `reached` says which items the disruption can reach, in scenario order (from
    /// [`reached_items`]).
    pub fn new(disruption: &str, reached: &[bool], target: Target, sweep: Sweep) -> Stress {
        let values = &sweep.axes[0].values;
        let items: Vec<String> = sweep.points[0].policies[0]
            .items
            .iter()
            .map(|i| i.item.clone())
            .collect();
        let any_reached = reached.iter().any(|&r| r);
        let mut survival = Vec::new();
        for (p, policy) in sweep.policies().iter().enumerate() {
            let units = std::iter::once((None, ALL_ITEMS.to_string(), any_reached)).chain(
                items
                    .iter()
                    .cloned()
                    .enumerate()
                    .map(|(i, n)| (Some(i), n, reached[i])),
            );
            for (item, unit, is_reached) in units {
                if !is_reached {
                    survival.push(Survival {
                        policy: policy.clone(),
                        unit,
                        reached: false,
                        verdict: Reading::Unaffected,
                        survivable: None,
                        low: None,
                        high: None,
                        holds_at_end: false,
                    });
                    continue;
                }
                let estimates: Vec<Option<Estimate>> = (0..values.len())
                    .map(|k| sweep.estimate(k, p, item, target.metric))
                    .collect();
                // A point without an interval (one run) holds at neither of its bounds: the
                // CLI asks for two runs at least, so this stays a guard.
                let reach = |pick: &dyn Fn(&Estimate) -> Option<f64>| {
                    last_holding(values, &estimates, |e| {
                        pick(e).is_some_and(|v| target_holds(&target, v))
                    })
                };
                let low = |e: &Estimate| e.ci95.map(|ci| ci.low);
                let high = |e: &Estimate| e.ci95.map(|ci| ci.high);
                let mean = reach(&|e| Some(e.mean));
                let (cautious, hopeful) = if target.at_most {
                    (reach(&high), reach(&low))
                } else {
                    (reach(&low), reach(&high))
                };
                let holds_at_end = mean == values.last().copied();
                survival.push(Survival {
                    policy: policy.clone(),
                    unit,
                    reached: true,
                    verdict: match mean {
                        None => Reading::MissesAtStart,
                        Some(_) if holds_at_end => Reading::HoldsThroughout,
                        Some(_) => Reading::HoldsUpTo,
                    },
                    survivable: mean,
                    low: cautious,
                    high: hopeful,
                    holds_at_end,
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

    /// The plain-language answer: what was varied and the target once, then per policy, all
    /// items, then each item, the largest value at which the target holds; every line fits
    /// the terminal ([`terminal::WIDTH`]).
    pub fn to_text(&self) -> String {
        let keeps = match self.target.statistic {
            Statistic::Mean => "on the mean over runs".to_string(),
            Statistic::Quantile(q) => format!("at the {:.0}th percentile over runs", 100.0 * q),
        };
        let relation = if self.target.at_most {
            "under"
        } else {
            "above"
        };
        let values = &self.sweep.axes[0].values;
        let mut out = format!(
            "stress of '{}': {} from {} to {}\n\
             {} points, {} runs each (seed {}), common random numbers\n\
             target: the {} {relation} {} {keeps}\n\
             answers: the largest value at which the target holds [read at the worse and better \
             95% bounds]\n\n",
            self.disruption,
            self.param,
            values
                .first()
                .map_or_else(String::new, |&v| format_param(v)),
            values.last().map_or_else(String::new, |&v| format_param(v)),
            values.len(),
            group_thousands(self.sweep.points.first().map_or(0, |p| p.runs) as f64, 0),
            self.sweep.seed,
            self.target.metric.name().replace('_', " "),
            format_value(self.target.metric, self.target.value),
        );
        for s in &self.survival {
            let what = if s.unit == ALL_ITEMS {
                format!("policy '{}'", s.policy)
            } else {
                format!("  item '{}'", s.unit)
            };
            let answer = match (s.verdict, s.survivable) {
                (Reading::Unaffected, _) => self.unaffected(s),
                (_, None) => format!(
                    "misses the target even at {}",
                    format_param(self.sweep.axes[0].values[0])
                ),
                (_, Some(v)) => format!(
                    "holds up to {}{} [{}, {}]",
                    if s.holds_at_end { "at least " } else { "" },
                    format_param(v),
                    s.low.map_or("none".into(), format_param),
                    s.high.map_or("none".into(), format_param)
                ),
            };
            let _ = writeln!(out, "{what}: {answer}");
        }
        terminal::wrap_all(&out)
    }

    /// Why a unit is not judged, and whether the target holds there all the same: at every
    /// grid value, at none, or at some (only when `--param` varies something other than the
    /// disruption), so that "unaffected" is never read as "safe".
    pub(crate) fn unaffected(&self, s: &Survival) -> String {
        let why = if s.unit == ALL_ITEMS {
            format!("'{}' reaches none of its items", self.disruption)
        } else {
            format!(
                "'{}' reaches neither its suppliers nor its demand",
                self.disruption
            )
        };
        let p = self.sweep.policies().iter().position(|p| *p == s.policy);
        let item = self.sweep.points.first().and_then(|point| {
            point.policies[0]
                .items
                .iter()
                .position(|i| i.item == s.unit)
        });
        let means: Vec<f64> = (0..self.sweep.points.len())
            .filter_map(|k| Some(self.sweep.estimate(k, p?, item, self.target.metric)?.mean))
            .collect();
        let holding = means
            .iter()
            .filter(|&&m| target_holds(&self.target, m))
            .count();
        let same_everywhere = means.windows(2).all(|w| w[0] == w[1]);
        let on_its_own = match means.first() {
            None => String::new(),
            Some(_) if holding == means.len() => {
                " (the target holds at every value tried)".to_string()
            }
            Some(&first) if holding == 0 => format!(
                " (the target is missed at every value tried, for other reasons: {} {}{})",
                self.target.metric.name().replace('_', " "),
                format_value(self.target.metric, first),
                if same_everywhere { "" } else { " at the first" }
            ),
            Some(_) => {
                " (the target holds at some values tried only, for other reasons)".to_string()
            }
        };
        format!("unaffected: {why}{on_its_own}")
    }

    /// Add stress.json and the sweep's files (sweep.json, sweep.csv, charts/, the target
    /// drawn as a line on its metric's chart) to `files`.
    pub(crate) fn add_files(&self, files: &mut FileSet) -> Result<(), ChartError> {
        files.add("stress.json", self.to_json());
        self.sweep.add_files(files, Some(&self.target))
    }
}

/// The unit name of a policy's line for all its items together.
pub(crate) const ALL_ITEMS: &str = "(all items)";

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The typhoon closes the Asian suppliers: the controller board, bought only in Europe, is
    /// out of its reach; the bad batches of the domestic supplier miss the power supply,
    /// bought overseas with a European distributor as backup.
    #[test]
    fn issue_18_reach_follows_the_items_suppliers() {
        let scenario = Scenario::load(Path::new("scenarios/kanban-vs-jic.toml")).unwrap();
        let items: Vec<&str> = scenario.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(items, ["controller-board", "power-supply", "enclosure"]);
        let reach = |id| reached_items(&scenario, id).unwrap();
        assert_eq!(reach("asia-typhoon"), [false, true, true]);
        assert_eq!(reach("domestic-bad-batches"), [true, false, true]);
        let err = reached_items(&scenario, "flood").unwrap_err().to_string();
        assert!(
            err.contains("its disruption names are overseas-outage"),
            "{err}"
        );
    }
}
