//! The recommendation checked by simulation: the `recommended` policy of the written scenario
//! against `all-jit` and `all-jic`, run by run on the same demand, lead times and disruptions.
//!
//! The rules that give each item its posture weigh facts one by one; whether the catalogue
//! they make is better than either blanket posture is a question for the simulator. So:
//!
//! 1. The scenario is simulated once, the three policies paired. For each item, the rule of
//!    `all-jit` (kanban, safety factor 0.2) and of `all-jic` (reorder point, 95% service, EOQ
//!    lots) are compared with its recommended rule on the item's own figures: an alternative
//!    *beats* the recommendation when it is significantly cheaper in total cost and not
//!    significantly more often out of stock, or significantly less often out of stock and
//!    not significantly dearer (95% intervals of the difference of the two means, taken as
//!    independent: the runs are paired, which would only narrow them, so a change is made
//!    only where the evidence is at least this strong). Of the alternatives that beat it, the
//!    cheaper replaces the recommendation, and the item's reasons say so, with the figures.
//!    Items of a scenario written by `profile` share no capacity, order or budget, so an item's
//!    figures under a rule do not depend on the other items' rules.
//! 2. When any item changed, the scenario is written again and simulated again, and the
//!    catalogue figures of the three policies and the paired differences of `recommended`
//!    against the other two are reported (profile.md), with a verdict in words: where the
//!    recommendation still loses on both service and cost, it is said plainly.
//!
//! Costs include the placeholder stockout penalty and order cost of the written scenario; the
//! check is only as good as they are, which profile.md says next to the figures.

use std::fmt::Write as _;
use std::path::Path;

use super::Profile;
use super::classify::{Posture, Rule};
use super::scenario_out::{ALL_JIT_SAFETY_FACTOR, scenario_toml};
use crate::analysis::compare::{Comparison, signed};
use crate::analysis::{RunPlan, simulate_plan};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::{Interval, RunningStat};
use crate::model::scenario::{Scenario, ScenarioError};
use crate::simulation::engine::Outcome;
use crate::simulation::metrics::Metric;

/// Runs of the check unless asked otherwise…
pub const DEFAULT_RUNS: u64 = 500;
/// …but at most this many item-days (items × 3 policies × horizon × runs) by default, so that
/// a catalogue of thousands of items is checked in seconds…
const DEFAULT_ITEM_DAYS: u64 = 200_000_000;
/// …and never fewer runs than this by default.
const MIN_DEFAULT_RUNS: u64 = 100;

/// The three policies of a written scenario, in its order.
const ALL_JIT: usize = 0;
const ALL_JIC: usize = 1;
const RECOMMENDED: usize = 2;
const POLICY_NAMES: [&str; 3] = ["all-jit", "all-jic", "recommended"];

/// What the tables say where no run defines a figure.
const UNDEFINED: &str = "undefined";

/// The figures the check reports for each policy and difference.
const REPORTED: [Metric; 4] = [
    Metric::StockoutRate,
    Metric::FillRate,
    Metric::CarryingCost,
    Metric::TotalCost,
];

/// The check of a profile's recommendation.
#[derive(Clone, Debug)]
pub struct RecommendationCheck {
    /// Runs simulated (each time).
    pub runs: u64,
    /// The scenario's seed.
    pub seed: u64,
    /// The items whose recommendation the first simulation changed.
    pub changes: Vec<Change>,
    /// Catalogue figures of `all-jit`, `all-jic` and `recommended` (as changed), in that order:
    /// per metric of [`REPORTED`], the mean and its 95% interval.
    pub policies: Vec<PolicyFigures>,
    /// `recommended` against `all-jit` and `all-jic`: per metric, the paired difference
    /// (the other policy minus `recommended`) and its 95% interval.
    pub against: Vec<PolicyFigures>,
}

/// One policy's figures (or one difference).
#[derive(Clone, Debug)]
pub struct PolicyFigures {
    /// The policy's name.
    pub policy: &'static str,
    /// Per metric of [`REPORTED`]: the mean (none where no run defines the metric, e.g. a
    /// stockout rate without demand), and its 95% interval when there is one.
    pub figures: Vec<(Metric, Option<f64>, Option<Interval>)>,
}

/// An item whose recommended rule the simulation replaced.
#[derive(Clone, Debug)]
pub struct Change {
    /// The item's id.
    pub item: String,
    /// The rule recommended before the check.
    pub from: Rule,
    /// The policy whose rule beat it.
    pub to_policy: &'static str,
    /// What was found, in words.
    pub because: String,
}

/// The runs a check makes by default: [`DEFAULT_RUNS`], fewer for a large catalogue.
pub fn default_runs(profile: &Profile) -> u64 {
    let items = profile
        .items
        .iter()
        .filter(|i| i.recommendation.rule.is_some())
        .count() as u64;
    let per_run = (items * 3 * u64::from(super::scenario_out::HORIZON_DAYS)).max(1);
    (DEFAULT_ITEM_DAYS / per_run).clamp(MIN_DEFAULT_RUNS, DEFAULT_RUNS)
}

/// Simulate the recommendation against the blanket postures, replace what loses (the items'
/// recommendations change in `profile`) and report.
pub fn check(profile: &mut Profile, runs: u64) -> Result<RecommendationCheck, ScenarioError> {
    let scenario = written_scenario(profile)?;
    let seed = scenario.seed;
    let outcome = simulate(&scenario, runs, seed);
    let changes = change_losers(profile, &scenario, &outcome, runs);
    let outcome = if changes.is_empty() {
        outcome
    } else {
        simulate(&written_scenario(profile)?, runs, seed)
    };
    let comparison = Comparison::new(&scenario, &outcome);
    let policies = (0..POLICY_NAMES.len())
        .map(|p| PolicyFigures {
            policy: POLICY_NAMES[p],
            figures: REPORTED
                .iter()
                .map(|&m| {
                    let s = outcome.policies[p].all.get(m);
                    let mean = (s.count() > 0 && s.mean().is_finite()).then(|| s.mean());
                    (m, mean, mean.and(s.ci95()))
                })
                .collect(),
        })
        .collect();
    let against = [ALL_JIT, ALL_JIC]
        .iter()
        .map(|&p| PolicyFigures {
            policy: POLICY_NAMES[p],
            figures: REPORTED
                .iter()
                .filter_map(|&m| {
                    let d = comparison.get(POLICY_NAMES[p], m)?;
                    Some((m, Some(d.difference), d.ci95))
                })
                .collect(),
        })
        .collect();
    Ok(RecommendationCheck {
        runs,
        seed,
        changes,
        policies,
        against,
    })
}

/// The scenario `profile` writes, read back as `run` would read it. It always validates (the
/// profile's fuzz tests hold it to that); an error here is reported, not hidden.
fn written_scenario(profile: &Profile) -> Result<Scenario, ScenarioError> {
    Scenario::from_source(&scenario_toml(profile), Path::new("scenario.toml"))
}

fn simulate(scenario: &Scenario, runs: u64, seed: u64) -> Outcome {
    debug_assert_eq!(
        scenario
            .policies
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        POLICY_NAMES
    );
    simulate_plan(
        scenario,
        &RunPlan::fixed(runs, seed),
        Some(RECOMMENDED),
        &|_| {},
    )
    .0
}

/// A difference of two independent means with its 95% interval (normal: at hundreds of runs
/// the t quantile is 1.96 to two decimals).
fn difference(a: &RunningStat, b: &RunningStat) -> Option<(f64, Interval)> {
    if a.count() < 2 || b.count() < 2 {
        return None;
    }
    let d = a.mean() - b.mean();
    let se = (a.std_error().powi(2) + b.std_error().powi(2)).sqrt();
    (d.is_finite() && se.is_finite()).then_some((
        d,
        Interval {
            low: d - 1.96 * se,
            high: d + 1.96 * se,
        },
    ))
}

/// Whether an alternative beats the recommendation, from the intervals of its differences
/// (alternative minus recommendation) in total cost and stockout rate: significantly cheaper
/// and not significantly more often out of stock, or the other way round.
fn beats(cost: Interval, stockout: Interval) -> bool {
    let cheaper = cost.high < 0.0;
    let dearer = cost.low > 0.0;
    let safer = stockout.high < 0.0;
    let riskier = stockout.low > 0.0;
    (cheaper && !riskier) || (safer && !dearer)
}

/// Replace every item's recommended rule that an alternative beats (module documentation).
fn change_losers(
    profile: &mut Profile,
    scenario: &Scenario,
    outcome: &Outcome,
    runs: u64,
) -> Vec<Change> {
    let alternatives = [
        (
            ALL_JIT,
            Posture::Kanban,
            Rule::Kanban {
                safety_factor: ALL_JIT_SAFETY_FACTOR,
            },
        ),
        (
            ALL_JIC,
            Posture::ReorderPoint,
            Rule::ReorderPoint {
                service_level: 0.95,
            },
        ),
    ];
    let mut changes = Vec::new();
    for item in &mut profile.items {
        let Some(rule) = item.recommendation.rule.clone() else {
            continue;
        };
        let Some(i) = scenario.items.iter().position(|s| s.id == item.item) else {
            continue;
        };
        let figures = |p: usize, m: Metric| outcome.policies[p].items[i].get(m);
        let mut best: Option<(f64, usize, Posture, Rule, String)> = None;
        for (p, posture, alternative) in &alternatives {
            if *alternative == rule {
                continue;
            }
            let Some((cost, cost_ci)) = difference(
                figures(*p, Metric::TotalCost),
                figures(RECOMMENDED, Metric::TotalCost),
            ) else {
                continue;
            };
            let Some((stockout, stockout_ci)) = difference(
                figures(*p, Metric::StockoutRate),
                figures(RECOMMENDED, Metric::StockoutRate),
            ) else {
                continue;
            };
            if !beats(cost_ci, stockout_ci) {
                continue;
            }
            if best.as_ref().is_some_and(|b| b.0 <= cost) {
                continue;
            }
            let because = format!(
                "checked by simulation ({runs} runs): {} ({}) had a \
                 stockout rate of {} against {} ({} pp, 95% interval {} to {}) and a total \
                 cost {} a year ({} to {})",
                POLICY_NAMES[*p],
                alternative.describe(),
                percent(figures(*p, Metric::StockoutRate).mean()),
                percent(figures(RECOMMENDED, Metric::StockoutRate).mean()),
                signed_pp(stockout),
                signed_pp(stockout_ci.low),
                signed_pp(stockout_ci.high),
                money_signed(cost),
                money_signed(cost_ci.low),
                money_signed(cost_ci.high),
            );
            best = Some((cost, *p, *posture, alternative.clone(), because));
        }
        let Some((_, p, posture, alternative, because)) = best else {
            continue;
        };
        let rec = &mut item.recommendation;
        let text = format!("{because}: it replaces {}", rule.describe());
        if posture.is_lean() {
            rec.reasons_for.push(text);
        } else {
            rec.reasons_against.push(text);
        }
        let head = rec
            .summary
            .split_once(" → ")
            .map_or(rec.summary.as_str(), |(head, _)| head)
            .to_string();
        rec.summary = format!(
            "{head} → {} (after the simulated check; the rules gave {})",
            alternative.describe(),
            rule.describe()
        );
        rec.posture = posture;
        rec.rule = Some(alternative);
        changes.push(Change {
            item: item.item.clone(),
            from: rule,
            to_policy: POLICY_NAMES[p],
            because,
        });
    }
    changes
}

fn percent(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

fn signed_pp(x: f64) -> String {
    format!(
        "{}{:.2}",
        if x < 0.0 { "−" } else { "+" },
        (x * 100.0).abs()
    )
}

fn money_signed(x: f64) -> String {
    format!(
        "{}{}",
        if x < 0.0 { "−" } else { "+" },
        group_thousands(x.abs(), 0)
    )
}

fn figure(metric: Metric, x: f64) -> String {
    if metric.name().ends_with("_cost") {
        group_thousands(x, 0)
    } else {
        percent(x)
    }
}

fn interval(metric: Metric, ci: Option<Interval>, difference: bool) -> String {
    let Some(ci) = ci else {
        return "—".into();
    };
    if difference {
        format!(
            "[{}, {}]",
            signed(metric, ci.low, false),
            signed(metric, ci.high, false)
        )
    } else {
        format!("[{}, {}]", figure(metric, ci.low), figure(metric, ci.high))
    }
}

/// The header of a table of the reported metrics, each with its interval.
fn table_header() -> String {
    let mut out = String::from("| policy |");
    for m in REPORTED {
        let _ = write!(out, " {} | 95% interval |", m.label());
    }
    out.push_str("\n|---|");
    for _ in REPORTED {
        out.push_str("---|---|");
    }
    out.push('\n');
    out
}

impl RecommendationCheck {
    /// The section of profile.md.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "The scenario's three policies simulated over {} runs (seed {}), each run playing \
             every policy on the same demand, lead times and disruptions. Costs hold the \
             scenario's placeholder order cost and stockout penalty: replace them with your \
             own and run `buffersim compare scenario.toml --baseline recommended` before \
             drawing conclusions about cost.\n",
            self.runs, self.seed
        );
        out.push_str(&table_header());
        for p in &self.policies {
            let _ = write!(out, "| `{}` |", p.policy);
            for (m, mean, ci) in &p.figures {
                let _ = write!(
                    out,
                    " {} | {} |",
                    mean.map_or_else(|| UNDEFINED.into(), |x| figure(*m, x)),
                    interval(*m, *ci, false)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "\nPaired differences, the other policy minus `recommended` (* where the interval \
             excludes 0):\n"
        );
        out.push_str(&table_header());
        for p in &self.against {
            let _ = write!(out, "| `{}` |", p.policy);
            for (m, d, ci) in &p.figures {
                let star = if ci.is_some_and(|c| c.excludes_zero()) {
                    "*"
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    " {}{star} | {} |",
                    d.map_or_else(|| UNDEFINED.into(), |x| signed(*m, x, true)),
                    interval(*m, *ci, true)
                );
            }
            out.push('\n');
        }
        let _ = writeln!(out);
        for line in self.verdict() {
            let _ = writeln!(out, "{line}\n");
        }
        if self.changes.is_empty() {
            let _ = writeln!(
                out,
                "No item's recommended rule was beaten by the all-JIT or the all-JIC rule on \
                 its own figures (significantly cheaper and not significantly more often out of \
                 stock, or the other way round)."
            );
        } else {
            let _ = writeln!(
                out,
                "The first simulation found {} item{} whose recommended rule the all-JIT or \
                 all-JIC rule beat on the item's own figures (significantly cheaper and not \
                 significantly more often out of stock, or the other way round); their \
                 recommendation was changed, and the figures above are of the changed \
                 `recommended`:\n",
                self.changes.len(),
                if self.changes.len() == 1 { "" } else { "s" }
            );
            let _ = writeln!(
                out,
                "| item | rule from the posture rules | replaced by | why |"
            );
            let _ = writeln!(out, "|---|---|---|---|");
            for c in &self.changes {
                let _ = writeln!(
                    out,
                    "| {} | {} | `{}` | {} |",
                    c.item,
                    c.from.describe(),
                    c.to_policy,
                    c.because
                );
            }
        }
        out
    }

    /// One sentence per other policy: where `recommended` stands against it in service and in
    /// total cost.
    pub fn verdict(&self) -> Vec<String> {
        self.against
            .iter()
            .map(|p| {
                let judged = |metric: Metric| {
                    p.figures
                        .iter()
                        .find(|f| f.0 == metric)
                        .and_then(|f| f.2)
                        .map(|ci| {
                            if ci.low > 0.0 {
                                1
                            } else if ci.high < 0.0 {
                                -1
                            } else {
                                0
                            }
                        })
                };
                // The other policy minus recommended: a positive stockout difference means
                // recommended is out of stock less often; a positive cost difference means
                // recommended is cheaper.
                let service = judged(Metric::StockoutRate);
                let cost = judged(Metric::TotalCost);
                let name = p.policy;
                match (service, cost) {
                    (Some(s), Some(c)) => match (s, c) {
                        (1, 1) => format!(
                            "Against `{name}`, `recommended` is better on both service and total \
                             cost."
                        ),
                        (-1, -1) => format!(
                            "**Against `{name}`, `recommended` loses on both service and total \
                             cost.** No single item's change was supported by its own figures, \
                             so the loss is the sum of differences each within the noise of \
                             {} runs; consider `{name}` for the items where it is cheaper, \
                             `buffersim optimize --per-item` to size each item's levels, or \
                             more runs (`--check-runs`).",
                            self.runs
                        ),
                        (1, -1) => format!(
                            "Against `{name}`, `recommended` is out of stock less often but \
                             costs more in total: the buffers it holds cost more than the \
                             stockouts they avoid at the scenario's penalties."
                        ),
                        (-1, 1) => format!(
                            "Against `{name}`, `recommended` costs less in total but is out of \
                             stock more often: it trades service for cost at the scenario's \
                             penalties."
                        ),
                        (1, 0) | (0, 1) => format!(
                            "Against `{name}`, `recommended` is better on {} and no different \
                             on {} at this number of runs.",
                            if s == 1 { "service" } else { "total cost" },
                            if s == 1 { "total cost" } else { "service" }
                        ),
                        (-1, 0) | (0, -1) => format!(
                            "Against `{name}`, `recommended` is worse on {} and no different \
                             on {} at this number of runs.",
                            if s == -1 { "service" } else { "total cost" },
                            if s == -1 { "total cost" } else { "service" }
                        ),
                        _ => format!(
                            "Against `{name}`, no difference in service or total cost is \
                             significant at this number of runs."
                        ),
                    },
                    _ => format!(
                        "Against `{name}`, service and total cost cannot be judged: the \
                         check has too few runs for an interval."
                    ),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ci(low: f64, high: f64) -> Interval {
        Interval { low, high }
    }

    #[test]
    fn an_alternative_beats_only_on_significant_evidence() {
        // Cheaper, service no different: beats. Cheaper but more stockouts: a trade-off, not
        // a win.
        assert!(beats(ci(-10.0, -1.0), ci(-0.01, 0.01)));
        assert!(!beats(ci(-10.0, -1.0), ci(0.001, 0.01)));
        // Fewer stockouts, cost no different: beats; fewer stockouts but dearer: no.
        assert!(beats(ci(-1.0, 1.0), ci(-0.02, -0.01)));
        assert!(!beats(ci(1.0, 2.0), ci(-0.02, -0.01)));
        // Nothing significant, or worse: no.
        assert!(!beats(ci(-1.0, 1.0), ci(-0.01, 0.01)));
        assert!(!beats(ci(1.0, 2.0), ci(0.01, 0.02)));
        // Identical runs (zero-width intervals at 0) are no evidence.
        assert!(!beats(ci(0.0, 0.0), ci(0.0, 0.0)));
    }

    #[test]
    fn independent_differences_widen_with_both_spreads() {
        let mut a = RunningStat::new();
        let mut b = RunningStat::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            a.push(x);
            b.push(x * 2.0);
        }
        // Means 2.5 and 5; variances 5/3 and 20/3; standard errors sqrt(5/12), sqrt(20/12).
        let (d, ci) = difference(&a, &b).unwrap();
        assert!((d + 2.5).abs() < 1e-12);
        let se = (5.0f64 / 12.0 + 20.0 / 12.0).sqrt();
        assert!((ci.high - (d + 1.96 * se)).abs() < 1e-12);
        assert!((ci.low - (d - 1.96 * se)).abs() < 1e-12);
        let mut one = RunningStat::new();
        one.push(1.0);
        assert!(difference(&one, &b).is_none());
    }
}
