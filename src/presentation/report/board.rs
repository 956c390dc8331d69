//! The summary a report opens with, for a board or an auditor: what was compared, which
//! policy meets the targets at the lowest cost (with its cost, service and intervals), what
//! the runner-up would change, and the largest risks — the disruption that raises the
//! stockout rate most, the item most at risk, the worst 5% of runs.
//!
//! Every figure is a [`Piece::Figure`] that names where in summary.json it comes from
//! (`data-path`) and its exact value (`data-value`), so a test can check each one against the
//! file the report was drawn from.

use crate::foundation::format::group_thousands;
use crate::foundation::stats::Interval;
use crate::model::metric::Metric;
use crate::presentation::format::{NO_INTERVAL, ValueKind};
use crate::results::saved::{SavedEstimate, SavedPolicy, SavedSummary};
use crate::results::targets::{TargetBound, TargetResult, Verdict};

/// A run of text or a figure.
pub(crate) enum Piece {
    /// Plain text.
    Text(String),
    /// Emphasised text (a policy's name in the verdict).
    Strong(String),
    /// A figure as printed, with where summary.json holds it and its exact value.
    Figure {
        text: String,
        path: String,
        value: String,
    },
}

/// A paragraph of the summary.
pub(crate) type Paragraph = Vec<Piece>;

/// The summary block: its paragraphs and, when the scenario has targets, the verdict of each
/// policy on each target.
pub(crate) struct Board {
    pub paragraphs: Vec<Paragraph>,
    pub targets: Option<TargetGrid>,
}

/// The targets table: one row per target, one column per policy.
pub(crate) struct TargetGrid {
    pub header: Vec<String>,
    pub rows: Vec<(String, Vec<(Verdict, String)>)>,
}

/// What costs are counted in, as labels write it: the scenario's currency, or "money units"
/// when it does not say.
pub(crate) fn currency(s: &SavedSummary) -> &str {
    s.currency.as_deref().unwrap_or("money units")
}

/// A metric's label with its unit: "Stockout rate (%)", "Total cost (EUR per year)".
pub(crate) fn label_with_unit(s: &SavedSummary, name: &str) -> String {
    match Metric::from_name(name) {
        Some(m) => format!("{} ({})", m.label(), m.unit_label(currency(s))),
        None => name.replace('_', " "),
    }
}

/// A target in words: "Stockout rate at most 2.00%".
pub(crate) fn target_text(t: &TargetResult) -> String {
    let kind = ValueKind::of(&t.metric);
    let label = Metric::from_name(&t.metric).map_or(t.metric.as_str(), |m| m.label());
    let side = match t.bound {
        TargetBound::AtMost => "at most",
        TargetBound::AtLeast => "at least",
    };
    format!("{label} {side} {}", kind.value(t.value))
}

fn text(s: impl Into<String>) -> Piece {
    Piece::Text(s.into())
}

fn figure(kind: ValueKind, x: f64, path: String) -> Piece {
    Piece::Figure {
        text: kind.value(x),
        path,
        value: format!("{x}"),
    }
}

/// "8.31% [8.22%, 8.41%]" as pieces: the mean, then its interval, each end a figure.
fn estimate(out: &mut Paragraph, kind: ValueKind, e: &SavedEstimate, path: &str) {
    out.push(figure(kind, e.mean, format!("{path}.mean")));
    interval(out, kind, e.ci95, path, "ci95");
}

fn interval(out: &mut Paragraph, kind: ValueKind, ci: Option<Interval>, path: &str, key: &str) {
    match ci {
        Some(ci) => {
            out.push(text(" ["));
            out.push(figure(kind, ci.low, format!("{path}.{key}_low")));
            out.push(text(", "));
            out.push(figure(kind, ci.high, format!("{path}.{key}_high")));
            out.push(text("]"));
        }
        None => out.push(text(format!(" [{NO_INTERVAL}]"))),
    }
}

/// A money estimate with its currency: "41,200 [40,900, 41,500] EUR a year".
fn cost(out: &mut Paragraph, s: &SavedSummary, e: &SavedEstimate, path: &str) {
    estimate(out, ValueKind::Money, e, path);
    out.push(text(format!(" {} a year", currency(s))));
}

fn metric_path(policy: usize, metric: &str) -> String {
    format!("policies.{policy}.metrics.{metric}")
}

/// The policies in the order a planner would choose them: those that meet every target
/// before the others (by how many targets they meet), then by total cost.
fn ranking(s: &SavedSummary) -> Vec<usize> {
    let met = |p: &SavedPolicy| {
        s.targets
            .iter()
            .filter(|t| t.verdict_of(&p.policy) == Some(Verdict::Met))
            .count()
    };
    let cost = |p: &SavedPolicy| p.metric("total_cost").map_or(f64::INFINITY, |e| e.mean);
    let mut order: Vec<usize> = (0..s.policies.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&s.policies[a], &s.policies[b]);
        met(pb)
            .cmp(&met(pa))
            .then(cost(pa).total_cmp(&cost(pb)))
            .then(a.cmp(&b))
    });
    order
}

impl Board {
    /// The summary of `s`.
    pub(crate) fn new(s: &SavedSummary) -> Board {
        let mut paragraphs = vec![compared(s)];
        let order = ranking(s);
        let chosen = order[0];
        let meets_all = |i: usize| {
            s.targets
                .iter()
                .all(|t| t.verdict_of(&s.policies[i].policy) == Some(Verdict::Met))
        };
        paragraphs.push(verdict(s, chosen, meets_all(chosen)));
        if let Some(&next) = order.get(1) {
            paragraphs.push(runner_up(s, chosen, next, meets_all(next)));
        }
        paragraphs.extend(risks(s, chosen));
        let targets = (!s.targets.is_empty()).then(|| TargetGrid {
            header: std::iter::once("target".to_string())
                .chain(s.policies.iter().map(|p| p.policy.clone()))
                .collect(),
            rows: s
                .targets
                .iter()
                .map(|t| {
                    let cells = t
                        .policies
                        .iter()
                        .map(|v| {
                            let e = s
                                .policies
                                .iter()
                                .find(|p| p.policy == v.policy)
                                .and_then(|p| p.metric(&t.metric));
                            let detail = e
                                .map_or_else(String::new, |e| ValueKind::of(&t.metric).estimate(e));
                            (v.verdict, detail)
                        })
                        .collect();
                    (target_text(t), cells)
                })
                .collect(),
        });
        Board {
            paragraphs,
            targets,
        }
    }
}

/// "4 policies compared on 3 items over 2,000 simulated years of 365 days, under 4
/// disruptions: …".
fn compared(s: &SavedSummary) -> Paragraph {
    let names: Vec<String> = s.policies.iter().map(|p| p.policy.clone()).collect();
    let items = s.item_names().len().max(1);
    let warmup = if s.warmup_days == 0 {
        String::new()
    } else {
        format!(" (the first {} not measured)", s.warmup_days)
    };
    let mut line = format!(
        "{} {} compared ({}) on {} item{} over {} simulated runs of {} days each{warmup}",
        s.policies.len(),
        if s.policies.len() == 1 {
            "policy"
        } else {
            "policies"
        },
        names.join(", "),
        items,
        if items == 1 { "" } else { "s" },
        group_thousands(s.runs as f64, 0),
        s.horizon_days,
    );
    match &s.disruptions {
        Some(d) => {
            let ids: Vec<&str> = d
                .by_disruption
                .iter()
                .map(|x| x.disruption.as_str())
                .collect();
            line.push_str(&format!(
                ", under {} disruption{}: {}.",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" },
                ids.join(", ")
            ));
        }
        None => line.push_str(", with no disruptions assumed."),
    }
    if s.targets.is_empty() {
        line.push_str(
            " No targets are set (a scenario's `[targets]` section sets them), so policies \
             are ranked by total cost.",
        );
    } else {
        let targets: Vec<String> = s.targets.iter().map(target_text).collect();
        line.push_str(&format!(
            " Targets: {}. A target is met when the whole 95% confidence interval of the mean \
             is within it.",
            targets.join("; ")
        ));
    }
    vec![text(line)]
}

/// The recommended policy, or the closest one when none meets every target.
fn verdict(s: &SavedSummary, chosen: usize, meets_all: bool) -> Paragraph {
    let p = &s.policies[chosen];
    let mut out = Vec::new();
    if s.targets.is_empty() {
        out.push(text("Lowest total cost: "));
        out.push(Piece::Strong(p.policy.clone()));
        out.push(text(", at "));
    } else if meets_all {
        out.push(Piece::Strong(p.policy.clone()));
        out.push(text(" meets every target at the lowest cost: "));
    } else {
        let met = s
            .targets
            .iter()
            .filter(|t| t.verdict_of(&p.policy) == Some(Verdict::Met))
            .count();
        out.push(text(
            "No policy meets every target with 95% confidence. Closest: ",
        ));
        out.push(Piece::Strong(p.policy.clone()));
        out.push(text(format!(
            ", which meets {met} of {}, at ",
            s.targets.len()
        )));
    }
    service_and_cost(&mut out, s, chosen);
    out
}

/// "41,200 [..] EUR a year, with a stockout rate of 1.20% [..] and 14.2 [..] days of supply."
fn service_and_cost(out: &mut Paragraph, s: &SavedSummary, i: usize) {
    let p = &s.policies[i];
    if let Some(e) = p.metric("total_cost") {
        cost(out, s, e, &metric_path(i, "total_cost"));
    }
    if let Some(e) = p.metric("stockout_rate") {
        out.push(text(", with a stockout rate of "));
        estimate(out, ValueKind::Percent, e, &metric_path(i, "stockout_rate"));
    }
    if let Some(e) = p.metric("days_of_supply") {
        out.push(text(" and "));
        estimate(out, ValueKind::Number, e, &metric_path(i, "days_of_supply"));
        out.push(text(" days of supply"));
    }
    out.push(text("."));
}

/// What choosing the runner-up instead would change: its cost and service.
fn runner_up(s: &SavedSummary, chosen: usize, next: usize, meets_all: bool) -> Paragraph {
    let mut out = vec![
        text("Runner-up: "),
        Piece::Strong(s.policies[next].policy.clone()),
    ];
    if !s.targets.is_empty() {
        out.push(text(if meets_all {
            " (meets every target)"
        } else {
            " (does not meet every target)"
        }));
    }
    out.push(text(", at "));
    service_and_cost(&mut out, s, next);
    let (a, b) = (&s.policies[chosen], &s.policies[next]);
    if let (Some(ca), Some(cb)) = (a.metric("total_cost"), b.metric("total_cost")) {
        let diff = cb.mean - ca.mean;
        let word = if diff >= 0.0 { "more" } else { "less" };
        let share = if ca.mean > 0.0 {
            format!("{:+.1}%, ", 100.0 * diff / ca.mean)
        } else {
            String::new()
        };
        out.push(text(format!(
            " Choosing it would cost {} {} {word} a year ({share}from the two means; \
             `buffersim compare` gives the paired interval of the difference).",
            group_thousands(diff.abs(), 0),
            currency(s)
        )));
    }
    out
}

/// The largest risks for the chosen policy.
fn risks(s: &SavedSummary, i: usize) -> Vec<Paragraph> {
    let p = &s.policies[i];
    let mut out = Vec::new();
    if let Some(r) = &p.resilience {
        let worst = r
            .by_disruption
            .iter()
            .enumerate()
            .filter_map(|(k, d)| {
                let (hit, other) = (
                    d.stockout_rate_struck_runs.as_ref()?,
                    d.stockout_rate_other_runs.as_ref()?,
                );
                Some((k, d, hit, other, hit.mean - other.mean))
            })
            .max_by(|a, b| a.4.total_cmp(&b.4).then(b.0.cmp(&a.0)));
        if let Some((k, d, hit, other, _)) = worst {
            let path = format!("policies.{i}.resilience.by_disruption.{k}");
            let mut para = vec![
                text("Largest disruption risk for "),
                Piece::Strong(p.policy.clone()),
                text(format!(
                    ": {}. In the runs it strikes the stockout rate is ",
                    d.disruption
                )),
            ];
            estimate(
                &mut para,
                ValueKind::Percent,
                hit,
                &format!("{path}.stockout_rate_struck_runs"),
            );
            para.push(text(", against "));
            estimate(
                &mut para,
                ValueKind::Percent,
                other,
                &format!("{path}.stockout_rate_other_runs"),
            );
            para.push(text(" in the others."));
            out.push(para);
        }
        if let Some(t) = &r.worst_runs {
            let path = format!("policies.{i}.resilience.worst_runs");
            let mut para = vec![text(format!(
                "In the worst {}% of runs under {} the stockout rate averages ",
                group_thousands(100.0 * t.tail_share, 0),
                p.policy
            ))];
            para.push(figure(
                ValueKind::Percent,
                t.tail_mean,
                format!("{path}.tail_mean"),
            ));
            interval(
                &mut para,
                ValueKind::Percent,
                t.tail_mean_ci95,
                &path,
                "tail_mean_ci95",
            );
            para.push(text("."));
            out.push(para);
        }
    }
    if p.items.len() >= 2 {
        let worst = p
            .items
            .iter()
            .enumerate()
            .filter_map(|(k, it)| Some((k, it, it.metrics.get("stockout_rate")?)))
            .max_by(|a, b| a.2.mean.total_cmp(&b.2.mean).then(b.0.cmp(&a.0)));
        if let Some((k, it, e)) = worst {
            let mut para = vec![text(format!(
                "Item most at risk under {}: {}, with a stockout rate of ",
                p.policy, it.item
            ))];
            estimate(
                &mut para,
                ValueKind::Percent,
                e,
                &format!("policies.{i}.items.{k}.metrics.stockout_rate"),
            );
            para.push(text("."));
            out.push(para);
        }
    }
    out
}
