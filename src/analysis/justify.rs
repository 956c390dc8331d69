//! `optimize --justify`: the documented reason for each buffer, in a planner's words.
//!
//! For each item: its demand level and variability, its lead time and that lead time's
//! variability, its suppliers' reliability, the disruptions considered with their assumed
//! frequency and length, the buffer chosen, what it costs a year, the service it buys, and
//! what the next-smaller buffer would have risked. Written to `justify.md`, and into
//! summary.json so that the report (`report.html`, `report.md`) carries it as a section.

use crate::analysis::optimize::{Answer, Optimization};
use crate::analysis::{format_estimate, format_param, format_value};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::model::scenario::Scenario;
use crate::presentation::report::{add_report, retire_report};
use crate::results::files::FileSet;
use crate::results::justification::{ItemReasons, Justification, Reason};
use crate::results::saved::SavedSummary;
use crate::results::summary::Summary;
use crate::results::summary_files::{SUMMARY_FILES, add_summary};
use crate::simulation::metrics::Metric;

/// Why each buffer the optimisation chose is what it is; `None` when it chose none.
pub(crate) fn justification(opt: &Optimization) -> Option<Justification> {
    let scenario = opt.chosen.as_ref()?;
    let outcome = opt.outcome.as_ref()?;
    let policy = scenario
        .policies
        .iter()
        .position(|p| p.name == opt.policy)?;
    let items = scenario
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            // Per-item answers are the item's own; otherwise the policy-wide answer.
            let answer = opt
                .answers
                .iter()
                .find(|a| a.unit == item.id)
                .unwrap_or(&opt.answers[0]);
            let stats = &outcome.policies[policy].items[i];
            ItemReasons {
                item: item.id.clone(),
                reasons: reasons(opt, scenario, policy, i, answer, |m| {
                    stats.get(m).estimate()
                }),
            }
        })
        .collect();
    Some(Justification {
        policy: opt.policy.clone(),
        param: opt.param.clone(),
        target: opt.target.to_string(),
        confidence: opt.confidence,
        runs: opt.runs,
        seed: opt.seed,
        items,
    })
}

fn reasons(
    opt: &Optimization,
    scenario: &Scenario,
    policy: usize,
    i: usize,
    answer: &Answer,
    figure: impl Fn(Metric) -> Option<Estimate>,
) -> Vec<Reason> {
    let item = &scenario.items[i];
    let sizing = &scenario.policies[policy].items[i].sizing;
    let reason = |topic: &str, text: String| Reason {
        topic: topic.to_string(),
        text,
    };
    let with_ci = |m: Metric| figure(m).map_or("n/a".to_string(), |e| format_estimate(m, &e));
    let cv = if sizing.mean_daily_demand > 0.0 {
        sizing.demand_sd / sizing.mean_daily_demand
    } else {
        0.0
    };
    let suppliers: Vec<String> = item
        .sourcing
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let sup = &scenario.suppliers[s.supplier];
            // A failover item orders from its primary alone until it fails over: the backup's
            // share of orders is no share at all, so the role is said instead.
            let role = match (item.failover_after_days, k) {
                (Some(_), 0) => ", primary".to_string(),
                (Some(_), _) => ", backup".to_string(),
                (None, _) if s.share < 1.0 => format!(", {:.0}% of orders", 100.0 * s.share),
                (None, _) => String::new(),
            };
            format!(
                "'{}' ({:.0}% on time{role}{})",
                sup.id,
                100.0 * sup.on_time_probability,
                if sup.rejection_probability > 0.0 {
                    format!(", {:.1}% rejected", 100.0 * sup.rejection_probability)
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let sourcing = match (item.failover_after_days, item.sourcing.len()) {
        (Some(days), _) => format!(" — primary with failover to the backup after {days} days"),
        (None, 1) => " — single source".to_string(),
        _ => " — split by share".to_string(),
    };
    let item_names: Vec<String> = scenario.items.iter().map(|it| it.id.clone()).collect();
    let disruptions: Vec<String> = scenario
        .disruptions
        .iter()
        .filter(|d| item.is_reached_by(i, d))
        .map(|d| {
            format!(
                "'{}': {}",
                d.id,
                d.describe(&scenario.suppliers, &item_names, scenario.calendar())
            )
        })
        .collect();
    // Each verdict with its reason: the confidence bound that decided it, and its value (of
    // all items together, when the policy was sized as a whole).
    let all_items = answer.unit == "(all items)";
    let deciding = answer.deciding.as_ref().map_or(String::new(), |c| {
        let on = if all_items {
            "judged on all items together: "
        } else {
            ""
        };
        format!(" — {on}{}", c.measured.reason)
    });
    let deciding = match answer.unconfirmed() {
        Some(m) => format!("{deciding}; in the final simulation, {}", m.reason),
        None => deciding,
    };
    let buffer = match answer.value {
        Some(v) => format!(
            "{} = {} ({}: safety stock {}, reorder point {}{}){deciding}",
            opt.param,
            format_param(v),
            sizing.rule.name(),
            sizing
                .safety_stock
                .map_or("n/a".to_string(), |s| group_thousands(s, 1)),
            group_thousands(sizing.reorder_point, 1),
            sizing.kanban.as_ref().map_or(String::new(), |k| format!(
                ", {} kanban containers of {}",
                k.containers, k.container_size
            ))
        ),
        None => format!(
            "none in the range searched: the largest value tried, {} = {}{deciding}",
            opt.param,
            format_param(answer.deciding.as_ref().map_or(opt.range.1, |c| c.value))
        ),
    };
    let metric = opt.target.metric;
    let below = match (&answer.below, answer.value) {
        (_, None) => "none: no buffer in the range searched meets the target".to_string(),
        (Some(b), Some(_)) => format!(
            "{} = {} would give {} {}{} — {}",
            opt.param,
            format_param(b.value),
            metric.name().replace('_', " "),
            format_value(metric, b.measured.value),
            if all_items { " (all items)" } else { "" },
            b.measured.reason
        ),
        (None, Some(_)) => "every value tried meets the target: the buffer is at the bottom of \
                            the range searched"
            .to_string(),
    };
    vec![
        reason(
            "Demand",
            format!(
                "{} units a day on average, standard deviation {} (coefficient of variation {:.2})",
                group_thousands(sizing.mean_daily_demand, 1),
                group_thousands(sizing.demand_sd, 1),
                cv
            ),
        ),
        reason(
            "Lead time",
            format!(
                "{:.1} days on average, standard deviation {:.1} days; the buffer covers {:.1} days \
                 of demand (lead time + review period − 1)",
                sizing.lead_time_mean, sizing.lead_time_sd, sizing.protection_days
            ),
        ),
        reason("Suppliers", format!("{}{sourcing}", suppliers.join(", "))),
        reason(
            "Disruptions considered",
            if disruptions.is_empty() {
                "none reaches this item".to_string()
            } else {
                disruptions.join("; ")
            },
        ),
        reason("Buffer chosen", buffer),
        reason(
            "Cost per year",
            format!(
                "carrying {}{}, total {} (carrying, ordering, stockout, expediting and purchase \
                 premium)",
                with_ci(Metric::CarryingCost),
                if figure(Metric::PurchasePremiumCost).is_some_and(|e| e.mean > 0.0) {
                    format!(
                        ", purchase premium {}",
                        with_ci(Metric::PurchasePremiumCost)
                    )
                } else {
                    String::new()
                },
                with_ci(Metric::TotalCost)
            ),
        ),
        reason(
            "Service it buys",
            format!(
                "stockout rate {}, fill rate {}, {} days of supply on average",
                with_ci(Metric::StockoutRate),
                with_ci(Metric::FillRate),
                figure(Metric::DaysOfSupply)
                    .map_or("n/a".to_string(), |e| format!("{:.1}", e.mean))
            ),
        ),
        reason("Next-smaller buffer", below),
    ]
}

/// Retire every file `--justify` writes besides optimize.json (the summary, `justify.md`,
/// the report), so that an optimisation that justifies nothing (run without `--justify`, or
/// with no value chosen) leaves no justification of an earlier one beside its optimize.json.
pub(crate) fn retire_files(files: &mut FileSet) {
    for name in SUMMARY_FILES {
        files.retire(name);
    }
    files.retire(JUSTIFY_FILE);
    retire_report(files);
}

/// The justification in a planner's words.
const JUSTIFY_FILE: &str = "justify.md";

/// Add the chosen scenario's results with the justification (summary.json, summary.csv,
/// on_hand.csv, summary.xlsx), `justify.md`, and the report with its justification section to
/// `files`; nothing when the optimisation chose no value.
pub(crate) fn add_files(opt: &Optimization, files: &mut FileSet) -> anyhow::Result<()> {
    let (Some(scenario), Some(outcome)) = (&opt.chosen, &opt.outcome) else {
        return Ok(());
    };
    let justification = justification(opt);
    let mut summary = Summary::new(scenario, outcome);
    summary.justification = justification.clone();
    let summary = std::rc::Rc::new(summary);
    add_summary(&summary, files)?;
    if let Some(j) = &justification {
        files.add(JUSTIFY_FILE, j.to_markdown());
    }
    add_report(&SavedSummary::from_summary(&summary), &[], files)?;
    Ok(())
}
