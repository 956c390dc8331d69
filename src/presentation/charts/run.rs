//! The charts of a run, drawn from its saved summary (`summary.json`): stockout rate, days of
//! supply, the cost–service trade-off, the cost breakdown and the stockout rate per item. Each
//! is a description (a [`Spec`]) for the drawing machinery in `draw`; the on-hand fan, the
//! other chart of a run, has its own file (`fan`) for its own drawing.

use plotters::prelude::*;

use crate::presentation::format::ValueKind;
use crate::results::saved::{SavedEstimate, SavedPolicy, SavedSummary};

use super::draw::{
    Axis, Bar, LegendEntry, Marker, Point, Reference, Row, Segment, Spec, StackRow, X_AXIS_HEIGHT,
    header_height, nonzero, runs_text, subtitle,
};
use crate::results::targets::TargetBound;

/// The scenario's target on `metric` (all items), as a line to draw: "target ≤ 1.00%".
fn target_on(summary: &SavedSummary, metric: &str) -> Option<Reference> {
    let t = summary.targets.iter().find(|t| t.metric == metric)?;
    let sign = match t.bound {
        TargetBound::AtMost => "≤",
        TargetBound::AtLeast => "≥",
    };
    Some(Reference {
        value: t.value,
        label: format!("target {sign} {}", ValueKind::of(metric).value(t.value)),
    })
}
use super::{COST_PARTS, CostPart, Hatch, Plot, WORST_ITEMS, cost_axis, policy_colour};

fn policies_legend(summary: &SavedSummary, marker: bool) -> Vec<LegendEntry> {
    summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| LegendEntry {
            label: p.policy.clone(),
            colour: policy_colour(i).to_rgba(),
            marker: if marker {
                Marker::Shape(i)
            } else {
                Marker::Square
            },
        })
        .collect()
}

/// How a subtitle mentions the target line, if there is one.
fn target_note(target: &Option<Reference>) -> String {
    target.as_ref().map_or_else(String::new, |t| {
        format!("; dashed line: the scenario's {}", t.label)
    })
}

/// Chart 1: stockout rate (all items) by policy, with 95% CIs.
pub(super) fn stockout_rate(summary: &SavedSummary) -> Spec {
    let rows: Vec<Row> = summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| Row {
            label: p.policy.clone(),
            bars: vec![Bar {
                colour: policy_colour(i),
                estimate: p.metric("stockout_rate").copied(),
                faint: false,
            }],
        })
        .collect();
    let target = target_on(summary, "stockout_rate");
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.upper())
        .max(target.as_ref().map_or(0.0, |t| t.value * 1.1));
    let sub = subtitle(&format!(
        "Share of demand not served from stock when it arose, all items together; bar: mean \
         over {}, whisker: its 95% confidence interval{}.",
        runs_text(summary),
        target_note(&target)
    ));
    Spec {
        name: "stockout-rate",
        title: "Stockout rate by policy".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + 12 + 44 * rows.len() as u32 + X_AXIS_HEIGHT + 8,
        subtitle: sub,
        series: rows.len(),
        plot: Plot::Bars {
            rows,
            axis: Axis {
                desc: "Stockout rate (% of demand)".into(),
                kind: ValueKind::Percent,
                max,
            },
            target,
        },
        legend: Vec::new(),
    }
}

/// Chart 2: days of supply by policy, its spread over runs.
pub(super) fn days_of_supply(summary: &SavedSummary) -> Spec {
    let rows: Vec<Row> = summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| Row {
            label: p.policy.clone(),
            bars: vec![Bar {
                colour: policy_colour(i),
                estimate: p.metric("days_of_supply").copied(),
                faint: false,
            }],
        })
        .collect();
    let target = target_on(summary, "days_of_supply");
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.p95.max(e.upper()))
        .max(target.as_ref().map_or(0.0, |t| t.value * 1.1));
    let sub = subtitle(&format!(
        "Average stock on hand in days of average demand, all items, over {}. Box: 5th to 95th \
         percentile of runs; thick line: median; dot: mean with its 95% confidence \
         interval{}.",
        runs_text(summary),
        target_note(&target)
    ));
    Spec {
        name: "days-of-supply",
        title: "Days of supply by policy: spread over runs".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + 12 + 48 * rows.len() as u32 + X_AXIS_HEIGHT + 8,
        subtitle: sub,
        series: rows.len(),
        plot: Plot::Spread {
            rows,
            axis: Axis {
                desc: "Days of supply (days)".into(),
                kind: ValueKind::Number,
                max,
            },
            unit: "days",
            target,
        },
        legend: Vec::new(),
    }
}

/// Chart 3: carrying cost against stockout rate, one point per policy.
pub(super) fn cost_service(summary: &SavedSummary) -> Spec {
    let points: Vec<Point> = summary
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            Some(Point {
                colour: policy_colour(i),
                index: i,
                x: *p.metric("carrying_cost")?,
                y: *p.metric("stockout_rate")?,
            })
        })
        .collect();
    let x_max = points
        .iter()
        .map(|p| p.x.p95.max(p.x.upper()))
        .fold(0.0, f64::max);
    let y_max = points
        .iter()
        .map(|p| p.y.p95.max(p.y.upper()))
        .fold(0.0, f64::max);
    let sub = subtitle(&format!(
        "One marker per policy, all items: the mean over {} with its 95% confidence interval \
         (thick); thin lines span the 5th to 95th percentile of runs. Lower and further left is \
         better.",
        runs_text(summary)
    ));
    Spec {
        name: "cost-service",
        title: "Cost–service trade-off: carrying cost against stockout rate".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + 430,
        subtitle: sub,
        series: points.len(),
        plot: Plot::Scatter {
            points,
            x: Axis {
                desc: cost_axis("Carrying cost per year", summary.currency.as_deref()),
                kind: ValueKind::Money,
                max: nonzero(x_max),
            },
            y: Axis {
                desc: "Stockout rate (% of demand)".into(),
                kind: ValueKind::Percent,
                max: nonzero(y_max),
            },
        },
        legend: policies_legend(summary, true),
    }
}

/// Chart 5: the yearly cost of each policy, stacked by kind.
pub(super) fn cost_breakdown(summary: &SavedSummary) -> Spec {
    // Kinds of cost that are zero under every policy (expediting in a scenario that never
    // expedites) are left out of the bars and the legend.
    let parts: Vec<&CostPart> = COST_PARTS
        .iter()
        .filter(|part| {
            summary
                .policies
                .iter()
                .any(|p| p.metric(part.metric).is_some_and(|e| e.mean > 0.0))
        })
        .collect();
    let rows: Vec<StackRow> = summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| StackRow {
            label: p.policy.clone(),
            colour: policy_colour(i),
            segments: parts
                .iter()
                .map(|part| Segment {
                    label: part.label,
                    alpha: part.alpha,
                    hatch: part.hatch,
                    value: p.metric(part.metric).map_or(0.0, |e| e.mean.max(0.0)),
                })
                .collect(),
            total: p.metric("total_cost").copied(),
        })
        .collect();
    let max = rows
        .iter()
        .map(|r| {
            let sum: f64 = r.segments.iter().map(|s| s.value).sum();
            r.total.map_or(sum, |t| t.upper().max(sum))
        })
        .fold(0.0, f64::max);
    let names: Vec<&str> = parts.iter().map(|p| p.label).collect();
    let hatched: Vec<&str> = parts
        .iter()
        .filter(|p| p.hatch != Hatch::None)
        .map(|p| p.label)
        .collect();
    let hatching = if hatched.is_empty() {
        String::new()
    } else {
        format!(", {} hatched", join_words(&hatched))
    };
    let sub = subtitle(&format!(
        "Mean yearly cost over {}, all items, by kind: {}, left to right, from the darkest to \
         the lightest shade of the policy's colour{hatching} (the legend shows each kind under \
         the policies that have it). Whisker: 95% confidence interval of the total.",
        runs_text(summary),
        join_words(&names)
    ));
    // Each kind's swatch shows its shade in the colour of every policy whose bar has it, as
    // the bars draw it.
    let legend = parts
        .iter()
        .enumerate()
        .map(|(k, part)| LegendEntry {
            label: part.label.to_string(),
            colour: policy_colour(0).mix(part.alpha),
            marker: Marker::Shades {
                policies: rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.segments[k].value > 0.0)
                    .map(|(i, _)| i)
                    .collect(),
                alpha: part.alpha,
                hatch: part.hatch,
            },
        })
        .collect();
    Spec {
        name: "cost-breakdown",
        title: "Total cost per year by policy, by kind of cost".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + 12 + 48 * rows.len() as u32 + X_AXIS_HEIGHT + 8,
        subtitle: sub,
        series: rows.len(),
        plot: Plot::Stacked {
            rows,
            axis: Axis {
                desc: cost_axis("Cost per year", summary.currency.as_deref()),
                kind: ValueKind::Money,
                max: nonzero(max),
            },
        },
        legend,
    }
}

/// Chart 6: stockout rate per item for each policy, the worst items one by one.
pub(super) fn item_stockout_rate(summary: &SavedSummary) -> Spec {
    let items = summary.item_names();
    let estimate = |p: &SavedPolicy, i: usize| {
        p.items
            .get(i)
            .and_then(|it| it.metrics.get("stockout_rate"))
            .copied()
    };
    // Worst first: by the item's highest mean stockout rate under any policy.
    let worst_of = |i: usize| {
        summary
            .policies
            .iter()
            .filter_map(|p| estimate(p, i).map(|e| e.mean))
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| worst_of(b).total_cmp(&worst_of(a)).then(a.cmp(&b)));
    let shown = order.len().min(WORST_ITEMS);
    let (top, rest) = order.split_at(shown);
    let mut rows: Vec<Row> = top
        .iter()
        .map(|&i| Row {
            label: items[i].to_string(),
            bars: summary
                .policies
                .iter()
                .enumerate()
                .map(|(k, p)| Bar {
                    colour: policy_colour(k),
                    estimate: estimate(p, i),
                    faint: false,
                })
                .collect(),
        })
        .collect();
    if !rest.is_empty() {
        rows.push(Row {
            label: format!("{} other items (average)", rest.len()),
            bars: summary
                .policies
                .iter()
                .enumerate()
                .map(|(k, p)| {
                    let means: Vec<f64> = rest
                        .iter()
                        .filter_map(|&i| estimate(p, i).map(|e| e.mean))
                        .collect();
                    let avg = means.iter().sum::<f64>() / means.len().max(1) as f64;
                    Bar {
                        colour: policy_colour(k),
                        estimate: (!means.is_empty()).then_some(SavedEstimate {
                            mean: avg,
                            ci95: None,
                            p05: avg,
                            p50: avg,
                            p95: avg,
                            n: 0,
                        }),
                        faint: true,
                    }
                })
                .collect(),
        });
    }
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.upper());
    let what = if rest.is_empty() {
        format!("All {} items", items.len())
    } else {
        format!(
            "The {shown} items (of {}) with the highest stockout rate under any policy, worst \
             first; the last row is the plain average of the other {}",
            items.len(),
            rest.len()
        )
    };
    let sub = subtitle(&format!(
        "{what}. Bar: mean over {}, whisker: its 95% confidence interval.",
        runs_text(summary)
    ));
    let per_bar = (64 / summary.policies.len().max(1) as u32).clamp(9, 18);
    let group = per_bar * summary.policies.len() as u32 + 16;
    Spec {
        name: "item-stockout-rate",
        title: if rest.is_empty() {
            "Stockout rate per item, by policy".into()
        } else {
            format!("Stockout rate per item, by policy: the worst {shown}")
        },
        caption: sub.join(" "),
        height: header_height(&sub) + 12 + group * rows.len() as u32 + X_AXIS_HEIGHT + 8,
        subtitle: sub,
        series: summary.policies.len(),
        plot: Plot::Bars {
            rows,
            axis: Axis {
                desc: "Stockout rate (% of demand)".into(),
                kind: ValueKind::Percent,
                max,
            },
            // The scenario's targets are on all items together, not on each item.
            target: None,
        },
        legend: policies_legend(summary, false),
    }
}

/// Chart "When in the year": the stockout rate (all items) of each calendar month by policy,
/// with 95% CIs; `None` for a summary without figures by month (written before they existed).
pub(super) fn stockout_by_month(summary: &SavedSummary) -> Option<Spec> {
    let months = &summary.policies.first()?.by_month;
    if months.is_empty() {
        return None;
    }
    let rows: Vec<Row> = months
        .iter()
        .enumerate()
        .map(|(m, month)| Row {
            label: month.month.clone(),
            bars: summary
                .policies
                .iter()
                .enumerate()
                .map(|(k, p)| Bar {
                    colour: policy_colour(k),
                    estimate: p.by_month.get(m).and_then(|f| f.stockout_rate).map(|e| {
                        SavedEstimate {
                            mean: e.mean,
                            ci95: e.ci95,
                            p05: e.mean,
                            p50: e.mean,
                            p95: e.mean,
                            n: e.n,
                        }
                    }),
                    faint: false,
                })
                .collect(),
        })
        .collect();
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.upper());
    let sub = subtitle(&format!(
        "Share of each calendar month's demand not served from stock when it arose, all items \
         together, the months of every year of the horizon pooled; bar: mean over {}, whisker: \
         its 95% confidence interval; no data: no demand in the month.",
        runs_text(summary)
    ));
    let per_bar = (64 / summary.policies.len().max(1) as u32).clamp(9, 18);
    let group = per_bar * summary.policies.len() as u32 + 16;
    Some(Spec {
        name: "stockout-by-month",
        title: "When in the year: stockout rate by month".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + 12 + group * rows.len() as u32 + X_AXIS_HEIGHT + 8,
        subtitle: sub,
        series: summary.policies.len(),
        plot: Plot::Bars {
            rows,
            axis: Axis {
                desc: "Stockout rate (% of the month's demand)".into(),
                kind: ValueKind::Percent,
                max,
            },
            // The scenario's targets are on the whole horizon, not on each month.
            target: None,
        },
        legend: policies_legend(summary, false),
    })
}

fn max_of<'a>(bars: impl Iterator<Item = &'a Bar>, f: impl Fn(&SavedEstimate) -> f64) -> f64 {
    nonzero(
        bars.filter_map(|b| b.estimate.as_ref())
            .map(f)
            .fold(0.0, f64::max),
    )
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_joined_as_a_list() {
        assert_eq!(join_words(&["a"]), "a");
        assert_eq!(join_words(&["a", "b", "c"]), "a, b and c");
    }
}
