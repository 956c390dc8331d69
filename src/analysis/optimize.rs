//! `optimize`: the smallest value of a buffer parameter that meets a target.
//!
//! Every candidate value is simulated with the same seed, so all candidates see the same
//! demand, lead times and disruptions (common random numbers): a larger buffer then does at
//! least as well run by run, and the search can bisect. Each candidate starts with the plan's
//! runs; where its verdict is uncertain (the confidence bound straddles the target), runs are
//! doubled, up to a cap, and only then is an uncertain candidate counted as failing (it keeps
//! its `uncertain` verdict, and every verdict its reason: the confidence bound that decided
//! it, with its value). With
//! `per_item`, every item gets its own value (written as the item's own rule in the policy),
//! and the items' searches run in lockstep, one simulation per step for all of them: items
//! simulated alone do not interact in the engine, so each one's result is its own (items that
//! share a supplier's capacity, a joint order or a budget are searched in the same lockstep,
//! each step with the others' current values).
//!
//! While searching, only the policy being sized is simulated, and with `per_item` only the
//! items still searching (with those they are simulated together with): each run's paths are
//! drawn once, whichever policies and items replay them, so their figures are exactly those
//! they have beside the others, at the cost of what is searched. When runs are doubled, only
//! the items still uncertain get them; the others keep their verdicts and the runs behind them. The chosen values are simulated once more with every policy, for
//! the results' other figures.

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Value;

use crate::analysis::param::{self, Param};
use crate::analysis::target::{Measured, Statistic, Target, Verdict};
use crate::analysis::{format_estimate, format_param, format_value};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::model::scenario::Scenario;
use crate::presentation::terminal;
use crate::simulation::engine::{Outcome, Simulation};
use crate::simulation::metrics::{Metric, MetricStats};

/// What to optimise.
#[derive(Clone, Debug)]
pub struct Request {
    /// Index of the policy whose parameter is searched, in scenario order.
    pub policy: usize,
    /// The buffer parameter searched, a field of that policy (e.g.
    /// `policy.jic-30d.safety_stock_days`).
    pub param: Param,
    /// What the chosen value must achieve, for the policy as a whole or for every item.
    pub target: Target,
    /// Confidence of each verdict, e.g. 0.95.
    pub confidence: f64,
    /// Search one value per item (each written as the item's own rule) rather than one value
    /// for the whole policy, and judge the target per item.
    pub per_item: bool,
    /// Search range; by default from 0 (0.5 for a service level) to a doubling bracket.
    pub range: Option<(f64, f64)>,
    /// Stop bisecting when the bracket is this narrow (whole-number parameters stop at 1).
    pub tolerance: Option<f64>,
    /// Runs each candidate is first simulated with.
    pub runs: u64,
    /// Most runs a candidate is simulated with while its verdict is uncertain (runs are
    /// doubled up to this cap; a verdict still uncertain here counts as failing).
    pub max_runs: u64,
    /// The master seed; every candidate uses it, so all see the same random numbers.
    pub seed: u64,
    /// Whether the final simulation at the chosen values gives every policy's figures (the
    /// chosen scenario's summary and report, `--justify`), or the sized policy's alone, which
    /// is all the answers need: the other policies would cost as much again each (issue 24,
    /// item 4).
    pub every_policy: bool,
}

/// One candidate value and what it gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// The parameter value tried.
    pub value: f64,
    /// The target's statistic at that value, its confidence bounds, runs and verdict.
    pub measured: Measured,
}

/// The answer for the policy as a whole or for one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// `(all items)` or the item's id.
    pub unit: String,
    /// The smallest value found that meets the target; none if even the top of the range
    /// fails.
    pub value: Option<f64>,
    /// The candidate that decided the answer, with its verdict's reason: the chosen value
    /// meeting the target; or, when none does, the largest value tried (the top of the range,
    /// as widened) not meeting it.
    pub deciding: Option<Candidate>,
    /// The target's metric at the chosen value (or the top of the range, if none meets), over
    /// the runs of the final simulation; the same holds for the figures below.
    pub metric: Option<Estimate>,
    /// The target's statistic there (the mean, or the quantile a quantile target names) with
    /// its confidence bounds and verdict.
    pub achieved: Option<Measured>,
    /// Carrying cost per year there: what the buffer costs to hold.
    pub carrying_cost: Option<Estimate>,
    /// Total cost per year there (carrying, ordering, stockout, expedite, purchase premium).
    pub total_cost: Option<Estimate>,
    /// Fill rate there: the share 0–1 of demand served from stock when it arose.
    pub fill_rate: Option<Estimate>,
    /// The largest value tried that did not meet the target, just below the chosen one; none
    /// when no value meets the target (nothing is chosen to be below), or when nothing below
    /// the chosen value was tried.
    pub below: Option<Candidate>,
    /// Every candidate, in the order tried.
    pub tried: Vec<Candidate>,
}

/// The result of an optimisation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Optimization {
    /// The scenario's name.
    pub scenario: String,
    /// The name of the policy searched.
    pub policy: String,
    /// The parameter searched, as its full path.
    pub param: String,
    /// The target the chosen values meet.
    pub target: Target,
    /// Confidence of each verdict, e.g. 0.95.
    pub confidence: f64,
    /// The parameter takes whole numbers (e.g. kanban containers), so the search stops at a
    /// bracket of 1.
    pub integral: bool,
    /// The search range `(low, high)` as first set; a top that fails is widened (without an
    /// explicit range), and the values tried beyond it are in each answer's `tried`.
    pub range: (f64, f64),
    /// The master seed every candidate was simulated with.
    pub seed: u64,
    /// Runs of the final simulation at the chosen values.
    pub runs: u64,
    /// One answer for the policy as a whole, or one per item (`per_item`), in scenario order.
    pub answers: Vec<Answer>,
    /// The scenario with the chosen values, for the justification and the report.
    #[serde(skip)]
    pub chosen: Option<Scenario>,
    /// The final simulation of `chosen`, whose figures the answers give.
    #[serde(skip)]
    pub outcome: Option<Outcome>,
}

/// The search state of one unit (the whole policy, or one item).
struct Search {
    unit: String,
    /// Item index, or none for all items together.
    item: Option<usize>,
    lo: f64,
    hi: f64,
    /// `lo` is known to fail (it was tried), `hi` to meet.
    lo_fails: bool,
    hi_meets: bool,
    tried: Vec<Candidate>,
    done: bool,
}

impl Search {
    /// The value to try next, or none when the bracket is narrow enough.
    fn next(&self, integral: bool, tolerance: f64) -> Option<f64> {
        if self.done {
            return None;
        }
        if !self.hi_meets {
            return Some(self.hi);
        }
        if !self.lo_fails {
            return Some(self.lo);
        }
        let gap = self.hi - self.lo;
        if integral {
            (gap > 1.0).then(|| (self.lo + (gap / 2.0).floor()).max(self.lo + 1.0))
        } else {
            (gap > tolerance).then(|| self.lo + gap / 2.0)
        }
    }
}

/// Run the search. `source` is the scenario's text, read from `path`.
pub fn optimize(
    scenario: &Scenario,
    source: &str,
    path: &Path,
    request: &Request,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<Optimization> {
    let doc = param::parse_document(source, path)?;
    let policy_name = &scenario.policies[request.policy].name;
    let mut searches: Vec<Search> = Vec::new();
    let units: Vec<(String, Option<usize>)> = if request.per_item {
        scenario
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.clone(), Some(i)))
            .collect()
    } else {
        vec![("(all items)".to_string(), None)]
    };
    let field = resolve(
        &doc,
        request,
        units[0].1.map(|i| scenario.items[i].id.as_str()),
    )?;
    // From here on the parameter is written as its full path: once per-item rules exist, a
    // short path would match both the policy's rule and the items' own.
    let request = &Request {
        param: if request.per_item {
            param::resolve(&doc, &request.param)?.field.parse()?
        } else {
            request.param.clone()
        },
        ..request.clone()
    };
    // A purchase budget is sized for the whole catalogue under the policy: more budget, more
    // stock, as with a policy's own levels.
    let budget = request.param.kind() == param::EntityKind::Budget;
    if budget && request.per_item {
        anyhow::bail!(
            "--param {} is a budget of the whole catalogue (or of its suppliers): it is sized \
             for all items together, without --per-item",
            request.param
        );
    }
    if !budget && param_policy(&request.param) != Some(policy_name.as_str()) {
        anyhow::bail!(
            "--param {} does not belong to policy '{policy_name}': write policy.{policy_name}.FIELD \
             (or budget.ID.amount for a purchase budget)",
            request.param
        );
    }
    let integral = field.integral;
    let (lo, hi) = match request.range {
        Some(range) => range,
        None => {
            let (lo, hi) = default_range(&request.param, field.current);
            (
                lowest_valid(&doc, path, request, scenario, lo, hi, integral),
                hi,
            )
        }
    };
    if lo.is_nan() || hi.is_nan() || lo >= hi {
        anyhow::bail!("--range: the low end must be below the high end, got {lo}..{hi}");
    }
    let tolerance = request.tolerance.unwrap_or((hi - lo) / 200.0);
    for (unit, item) in units {
        searches.push(Search {
            unit,
            item,
            lo,
            hi,
            lo_fails: false,
            hi_meets: false,
            tried: Vec::new(),
            done: false,
        });
    }
    let mut widen = 0;
    loop {
        let candidates: Vec<Option<f64>> = searches
            .iter()
            .map(|s| s.next(integral, tolerance))
            .collect();
        if candidates.iter().all(Option::is_none) {
            break;
        }
        let values: Vec<f64> = searches
            .iter()
            .zip(&candidates)
            .map(|(s, c)| c.unwrap_or(s.hi))
            .collect();
        let candidate_scenario = with_values(&doc, path, request, scenario, &values)?;
        let measured = evaluate(
            &candidate_scenario,
            request,
            &searches,
            &candidates,
            progress,
        );
        let mut top_failed = false;
        for ((search, value), m) in searches.iter_mut().zip(&candidates).zip(measured) {
            let (Some(value), Some(m)) = (value, m) else {
                continue;
            };
            let meets = m.verdict == Verdict::Meets;
            search.tried.push(Candidate {
                value: *value,
                measured: m,
            });
            if !search.hi_meets {
                // The top of the range: it must meet, or the range is widened (by default).
                if meets {
                    search.hi_meets = true;
                } else {
                    top_failed = true;
                }
            } else if meets {
                search.hi = *value;
                if !search.lo_fails && *value == search.lo {
                    search.done = true;
                }
            } else {
                search.lo = *value;
                search.lo_fails = true;
            }
        }
        if top_failed {
            if request.range.is_some() || widen >= 6 {
                for s in searches.iter_mut().filter(|s| !s.hi_meets) {
                    s.done = true;
                }
            } else {
                widen += 1;
                let valid = |v: f64| {
                    with_values(
                        &doc,
                        path,
                        request,
                        scenario,
                        &vec![v; scenario.items.len()],
                    )
                    .is_ok()
                };
                for s in searches.iter_mut().filter(|s| !s.hi_meets) {
                    match next_top(&valid, &request.param, s.hi, integral) {
                        Some(top) => {
                            s.lo = s.hi;
                            s.lo_fails = true;
                            s.hi = top;
                        }
                        // The top is already the largest value the scenario allows.
                        None => s.done = true,
                    }
                }
            }
        }
    }
    let values: Vec<f64> = searches.iter().map(|s| s.hi).collect();
    let chosen = with_values(&doc, path, request, scenario, &values)?;
    let runs = searches
        .iter()
        .flat_map(|s| s.tried.iter().map(|c| c.measured.runs))
        .max()
        .unwrap_or(request.runs);
    let mut simulation = Simulation::new(&chosen, request.seed, None);
    if !request.every_policy {
        simulation.only_policy(request.policy);
    }
    simulation.extend_to(runs, progress);
    let outcome = simulation.into_outcome();
    let answers = searches
        .into_iter()
        .map(|s| answer(s, &outcome, request))
        .collect();
    Ok(Optimization {
        scenario: scenario.name.clone(),
        policy: policy_name.clone(),
        param: request.param.to_string(),
        target: request.target,
        confidence: request.confidence,
        integral,
        range: (lo, hi),
        seed: request.seed,
        runs: outcome.runs,
        answers,
        chosen: Some(chosen),
        outcome: Some(outcome),
    })
}

/// The policy a `policy.NAME.…` parameter belongs to.
fn param_policy(param: &Param) -> Option<&str> {
    (param.kind() == param::EntityKind::Policy)
        .then(|| param.id())
        .flatten()
}

fn resolve(doc: &Value, request: &Request, item: Option<&str>) -> anyhow::Result<param::Target> {
    Ok(match item {
        Some(item) => param::resolve_for_item(doc, &request.param, item)?,
        None => param::resolve(doc, &request.param)?,
    })
}

/// From 0 (0.5 for a service level) to twice the current value (or 1, or 0.999 for a service
/// level).
fn default_range(param: &Param, current: f64) -> (f64, f64) {
    if is_service_level(param) {
        (0.5, 0.999)
    } else {
        (0.0, (2.0 * current).max(1.0))
    }
}

/// The bottom of the default range: `lo`, or the first value above it the scenario accepts
/// (one kanban container, not zero), among whole numbers or 64 steps up to `hi`.
fn lowest_valid(
    doc: &Value,
    path: &Path,
    request: &Request,
    scenario: &Scenario,
    lo: f64,
    hi: f64,
    integral: bool,
) -> f64 {
    let step = if integral { 1.0 } else { (hi - lo) / 64.0 };
    (0..64)
        .map(|k| lo + k as f64 * step)
        .take_while(|&v| v <= hi)
        .find(|&v| {
            with_values(doc, path, request, scenario, &vec![v; scenario.items.len()]).is_ok()
        })
        .unwrap_or(lo)
}

/// The next top of the range when `hi` does not meet the target: [`widened`], or where the
/// scenario does not allow that value (a field's documented limit, such as 3,650 days of
/// safety stock), the largest value between the two that it allows, found by bisection on
/// validation alone; none when `hi` is already the largest. Without this, widening would step
/// past the limit and stop the search with a range error instead of an answer.
fn next_top(valid: &dyn Fn(f64) -> bool, param: &Param, hi: f64, integral: bool) -> Option<f64> {
    let wide = widened(param, hi, integral);
    if valid(wide) {
        return Some(wide);
    }
    let (mut allowed, mut refused) = (hi, wide);
    for _ in 0..64 {
        let mid = if integral {
            ((allowed + refused) / 2.0).floor()
        } else {
            (allowed + refused) / 2.0
        };
        if mid <= allowed || mid >= refused {
            break;
        }
        if valid(mid) {
            allowed = mid;
        } else {
            refused = mid;
        }
    }
    (allowed > hi).then_some(allowed)
}

/// The next top of the range when it does not meet the target, before any limit.
fn widened(param: &Param, hi: f64, integral: bool) -> f64 {
    if is_service_level(param) {
        1.0 - (1.0 - hi) / 10.0
    } else if integral {
        (2.0 * hi).max(hi + 1.0)
    } else {
        2.0 * hi
    }
}

fn is_service_level(param: &Param) -> bool {
    param.as_str().ends_with("service_level")
}

/// The scenario with each unit's value: one value for the whole policy, or one per item.
fn with_values(
    doc: &Value,
    path: &Path,
    request: &Request,
    scenario: &Scenario,
    values: &[f64],
) -> anyhow::Result<Scenario> {
    let mut doc = doc.clone();
    if request.per_item {
        for (item, &value) in scenario.items.iter().zip(values) {
            param::set_for_item(&mut doc, &request.param, &item.id, value)?;
        }
    } else {
        param::set(&mut doc, &request.param, values[0])?;
    }
    Ok(param::scenario_from(&doc, path)?)
}

/// Simulate a candidate and measure each searching unit, doubling the runs while a verdict
/// is uncertain (up to the cap); a verdict still uncertain at the cap stays so, and the
/// search counts it as not meeting the target.
fn evaluate(
    scenario: &Scenario,
    request: &Request,
    searches: &[Search],
    candidates: &[Option<f64>],
    progress: &(dyn Fn(u64) + Sync),
) -> Vec<Option<Measured>> {
    // Only the policy being sized: the others would cost as much and change nothing of it.
    let mut simulation = Simulation::new(scenario, request.seed, None);
    simulation.only_policy(request.policy);
    if request.per_item {
        // Items whose value is settled are not measured at this step: they cost nothing.
        let mut searching = vec![false; scenario.items.len()];
        for (s, c) in searches.iter().zip(candidates) {
            if let (Some(i), Some(_)) = (s.item, c) {
                searching[i] = true;
            }
        }
        simulation.only_items(&searching);
    }
    let mut runs = request.runs;
    loop {
        simulation.extend_to(runs, progress);
        let outcome = simulation.outcome();
        let measured: Vec<Option<Measured>> = searches
            .iter()
            .zip(candidates)
            .map(|(s, c)| {
                c.and_then(|_| {
                    let stats = unit_stats(&outcome, request.policy, s.item);
                    request
                        .target
                        .measure(stats.get(request.target.metric), request.confidence)
                })
            })
            .collect();
        let uncertain = measured
            .iter()
            .flatten()
            .any(|m| m.verdict == Verdict::Uncertain);
        if !uncertain || runs >= request.max_runs {
            return measured;
        }
        if request.per_item {
            // More runs only for the items still uncertain; the others keep their verdicts.
            let mut uncertain = vec![false; scenario.items.len()];
            for (s, m) in searches.iter().zip(&measured) {
                if let (Some(i), Some(m)) = (s.item, m)
                    && m.verdict == Verdict::Uncertain
                {
                    uncertain[i] = true;
                }
            }
            simulation.stop_items(&uncertain);
        }
        let next = (2 * runs).div_ceil(crate::simulation::engine::CHUNK_RUNS)
            * crate::simulation::engine::CHUNK_RUNS;
        runs = next.min(request.max_runs);
    }
}

fn unit_stats(outcome: &Outcome, policy: usize, item: Option<usize>) -> &MetricStats {
    let stats = &outcome.policies[policy];
    match item {
        Some(i) => &stats.items[i],
        None => &stats.all,
    }
}

fn answer(search: Search, outcome: &Outcome, request: &Request) -> Answer {
    let stats = unit_stats(outcome, request.policy, search.item);
    let estimate = |m: Metric| stats.get(m).estimate();
    let value = search.hi_meets.then_some(search.hi);
    let largest_miss = search
        .tried
        .iter()
        .filter(|c| c.measured.verdict != Verdict::Meets)
        .max_by(|a, b| a.value.total_cmp(&b.value))
        .cloned();
    // With a value chosen, the verdict that chose it, and the largest miss below it; without,
    // the miss at the top of the range, and nothing "just below" a value that is not there.
    let (deciding, below) = match value {
        Some(v) => (
            search
                .tried
                .iter()
                .rev()
                .find(|c| c.value == v && c.measured.verdict == Verdict::Meets)
                .cloned(),
            largest_miss,
        ),
        None => (largest_miss, None),
    };
    Answer {
        unit: search.unit,
        value,
        deciding,
        metric: estimate(request.target.metric),
        achieved: request
            .target
            .measure(stats.get(request.target.metric), request.confidence),
        carrying_cost: estimate(Metric::CarryingCost),
        total_cost: estimate(Metric::TotalCost),
        fill_rate: estimate(Metric::FillRate),
        below,
        tried: search.tried,
    }
}

impl Answer {
    /// The final simulation's verdict on the chosen value when it does not confirm the one
    /// that chose it. The final simulation has the most runs any candidate had, often more
    /// than the chosen value was judged on, and with them its bounds can move back across the
    /// target: its figures are the ones shown, so the reader must be told.
    pub(crate) fn unconfirmed(&self) -> Option<&Measured> {
        self.value?;
        self.achieved
            .as_ref()
            .filter(|m| m.verdict != Verdict::Meets)
    }
}

impl Optimization {
    /// The result as pretty-printed JSON (the scenario and outcome left out).
    pub fn to_json(&self) -> String {
        crate::results::files::json_text(self)
    }

    /// The terminal text: the search once, then per unit the value found and what it achieves,
    /// what it costs, why it meets the target, and the value just below that does not, with
    /// why; or, when no value meets it, the largest value tried and why it does not. Every
    /// line fits the terminal ([`terminal::WIDTH`]): the parameter's whole path is given in
    /// the first line, its field alone after that.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let kind = match self.target.statistic {
            Statistic::Mean => "the mean over runs",
            Statistic::Quantile(_) => "the quantile over runs",
        };
        let field = self
            .param
            .parse::<Param>()
            .map_or_else(|_| self.param.clone(), |p| p.field_label());
        let mut out = format!(
            "smallest {} for policy '{}'\n\
             target: {} on {kind}, with {:.0}% confidence\n\
             searched in {}..{} under common random numbers (seed {})\n",
            self.param,
            self.policy,
            self.target,
            100.0 * self.confidence,
            self.range.0,
            self.range.1,
            self.seed
        );
        let metric = self.target.metric;
        let statistic = match self.target.statistic {
            Statistic::Quantile(q) => format!("p{} ", 100.0 * q),
            Statistic::Mean => String::new(),
        };
        for a in &self.answers {
            let figure = |e: &Option<Estimate>, m: Metric| {
                e.map_or("n/a".to_string(), |e| format_estimate(m, &e))
            };
            // A quantile target reports the quantile it names, with its confidence bounds.
            let achieved = match (self.target.statistic, &a.achieved) {
                (Statistic::Quantile(q), Some(m)) => format!(
                    "p{} {} [{}, {}]",
                    100.0 * q,
                    format_value(metric, m.value),
                    format_value(metric, m.low),
                    format_value(metric, m.high)
                ),
                _ => figure(&a.metric, metric),
            };
            let reason = a
                .deciding
                .as_ref()
                .map_or(String::new(), |c| format!("\n  {}", c.measured.reason));
            out.push('\n');
            match a.value {
                Some(v) => {
                    let _ = writeln!(
                        out,
                        "{}: {field} = {} → {} {achieved}\n  \
                         carrying cost {}/yr, total cost {}/yr ({} runs){reason}",
                        a.unit,
                        format_param(v),
                        metric.name(),
                        figure(&a.carrying_cost, Metric::CarryingCost),
                        figure(&a.total_cost, Metric::TotalCost),
                        group_thousands(self.runs as f64, 0)
                    );
                    if let Some(m) = a.unconfirmed() {
                        let _ = writeln!(out, "  final simulation — {}", m.reason);
                    }
                    match &a.below {
                        Some(b) => {
                            let _ = writeln!(
                                out,
                                "  just below: {field} = {} gives {} {statistic}{}\n    {}",
                                format_param(b.value),
                                metric.name(),
                                format_value(metric, b.measured.value),
                                b.measured.reason
                            );
                        }
                        None => {
                            let _ = writeln!(
                                out,
                                "  nothing below it was tried: it is the bottom of the range \
                                 searched"
                            );
                        }
                    }
                }
                None => {
                    let top = a.deciding.as_ref().map_or(self.range.1, |c| c.value);
                    let widened = if top > self.range.1 {
                        format!(" widened from {}", format_param(self.range.1))
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        out,
                        "{}: not met anywhere up to {field} = {}, the top of the range{widened}; \
                         there {} {achieved}{reason}",
                        a.unit,
                        format_param(top),
                        metric.name(),
                    );
                }
            }
        }
        terminal::wrap_all(&out)
    }
}
