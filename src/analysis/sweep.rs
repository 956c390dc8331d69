//! `sweep`: one or two parameters over a grid, every point under common random numbers.
//!
//! Every grid point is the scenario with the parameters set, simulated with the same seed and
//! run count, so the points differ only by the parameters: curves over the grid are as smooth
//! as the model makes them (a larger safety stock never does worse run by run), and their
//! differences are paired.

use std::fmt::Write as _;
use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::analysis::param::{self, Vary};
use crate::analysis::target::{Statistic, Target};
use crate::analysis::{RunPlan, simulate_plan};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::presentation::charts::{
    self, AxisSpec, Chart, CurveChart, CurvePoint, CurveSeries, TargetLine,
};
use crate::presentation::format::ValueKind;
use crate::presentation::terminal;
use crate::results::files::{FileSet, csv_field, csv_interval};
use crate::results::summary::Summary;
use crate::simulation::metrics::{ItemSummary, Metric};

/// One parameter of a sweep and the values it takes.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Axis {
    /// The parameter, as its path (e.g. `policy.jic-95.service_level`).
    pub param: String,
    /// The field takes whole numbers (days, containers), so the values are rounded.
    pub integral: bool,
    /// The grid values, in the field's own unit, in the order given.
    pub values: Vec<f64>,
}

/// One policy at one grid point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointPolicy {
    /// The policy's name.
    pub policy: String,
    /// Every metric for all items together, by name, as in
    /// [`crate::results::summary::PolicySummary::metrics`].
    #[serde(deserialize_with = "crate::analysis::metric_map")]
    pub metrics: IndexMap<&'static str, Estimate>,
    /// The same metrics per item, in scenario order.
    #[serde(deserialize_with = "crate::analysis::item_summaries")]
    pub items: Vec<ItemSummary>,
}

/// One grid point: the parameters' values and every policy's figures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Point {
    /// The value of each axis' parameter at this point, in axis order.
    pub values: Vec<f64>,
    /// Runs simulated at this point (the plan's runs, or more under precision control).
    pub runs: u64,
    /// Every policy's figures, in scenario order.
    pub policies: Vec<PointPolicy>,
}

/// A finished sweep.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Sweep {
    /// The scenario's name.
    pub scenario: String,
    /// The master seed every point was simulated with (common random numbers).
    pub seed: u64,
    /// The one or two parameters varied.
    pub axes: Vec<Axis>,
    /// Row-major: the last axis varies fastest.
    pub points: Vec<Point>,
    /// What costs are counted in (`simulation.currency`), when the scenario says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// Resolve each varied parameter in the scenario (`source`, read from `path`) and give it its
/// grid values, rounded for whole-number fields.
pub fn axes(source: &str, path: &Path, varies: &[Vary]) -> anyhow::Result<Vec<Axis>> {
    let doc = param::parse_document(source, path)?;
    varies
        .iter()
        .map(|v| {
            let field = param::resolve(&doc, &v.param)?;
            Ok(Axis {
                param: v.param.to_string(),
                integral: field.integral,
                values: v.for_target(field.integral),
            })
        })
        .collect()
}

/// Simulate every point of the grid `axes` spans (one or two parameters).
pub fn run(
    source: &str,
    path: &Path,
    axes: Vec<Axis>,
    plan: &RunPlan,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<Sweep> {
    let grid = grid(&axes);
    let mut points = Vec::with_capacity(grid.len());
    let mut last = None;
    for (k, values) in grid.iter().enumerate() {
        progress(k, grid.len());
        let scenario = point_scenario(source, path, &axes, values)?;
        let (outcome, _) = simulate_plan(&scenario, plan, None, &|_| {});
        points.push(point(values.clone(), &scenario, &outcome));
        last = Some(scenario);
    }
    progress(grid.len(), grid.len());
    Ok(assemble(axes, plan.seed, points, last.as_ref()))
}

/// Every point of the grid `axes` spans, as the values of its parameters, the last axis
/// fastest.
pub fn grid_points(axes: &[Axis]) -> Vec<Vec<f64>> {
    grid(axes)
}

/// The scenario (text `source`, read from `path`) at the grid point where `axes` take `values`.
pub fn point_scenario(
    source: &str,
    path: &Path,
    axes: &[Axis],
    values: &[f64],
) -> anyhow::Result<crate::model::scenario::Scenario> {
    let changes: Vec<(param::Param, f64)> = axes
        .iter()
        .map(|a| a.param.parse())
        .zip(values.iter().copied())
        .map(|(param, value)| param.map(|p| (p, value)))
        .collect::<Result<_, _>>()?;
    param::scenario_with(source, path, &changes)
}

/// The figures of the grid point where the parameters take `values`, from the outcome of its
/// scenario.
pub fn point(
    values: Vec<f64>,
    scenario: &crate::model::scenario::Scenario,
    outcome: &crate::simulation::engine::Outcome,
) -> Point {
    let summary = Summary::new(scenario, outcome);
    Point {
        values,
        runs: outcome.runs,
        policies: summary
            .policies
            .into_iter()
            .map(|p| PointPolicy {
                policy: p.policy,
                metrics: p.metrics,
                // The figures of each point; a point's stock paths are not charted.
                items: p
                    .items
                    .into_iter()
                    .map(|item| ItemSummary {
                        on_hand_fan: None,
                        ..item
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The sweep of `points` over `axes` with master seed `seed`; the scenario's name and
/// currency come from a point's scenario (`scenario`, none for an empty grid).
pub fn assemble(
    axes: Vec<Axis>,
    seed: u64,
    points: Vec<Point>,
    scenario: Option<&crate::model::scenario::Scenario>,
) -> Sweep {
    Sweep {
        scenario: scenario.map(|s| s.name.clone()).unwrap_or_default(),
        seed,
        axes,
        points,
        currency: scenario.and_then(|s| s.currency.clone()),
    }
}

/// Every combination of the axes' values, the last axis fastest.
fn grid(axes: &[Axis]) -> Vec<Vec<f64>> {
    axes.iter().fold(vec![Vec::new()], |acc, axis| {
        acc.iter()
            .flat_map(|prefix| {
                axis.values.iter().map(move |&v| {
                    let mut p = prefix.clone();
                    p.push(v);
                    p
                })
            })
            .collect()
    })
}

/// The metrics a sweep charts, one curve chart each.
pub(crate) const CHARTED: [Metric; 5] = [
    Metric::StockoutRate,
    Metric::FillRate,
    Metric::CarryingCost,
    Metric::TotalCost,
    Metric::DaysOfSupply,
];

impl Sweep {
    /// "policy.a.x × policy.b.y"
    pub(crate) fn params_text(&self) -> String {
        let params: Vec<&str> = self.axes.iter().map(|a| a.param.as_str()).collect();
        params.join(" × ")
    }

    /// The policies' names, in scenario order (the same at every point).
    pub fn policies(&self) -> Vec<String> {
        self.points.first().map_or_else(Vec::new, |p| {
            p.policies.iter().map(|q| q.policy.clone()).collect()
        })
    }

    /// A metric of a policy (all items, or one item) at a point.
    pub fn estimate(
        &self,
        point: usize,
        policy: usize,
        item: Option<usize>,
        metric: Metric,
    ) -> Option<Estimate> {
        let p = &self.points[point].policies[policy];
        let metrics = match item {
            Some(i) => &p.items[i].metrics,
            None => &p.metrics,
        };
        metrics.get(metric.name()).copied()
    }

    /// Compact JSON: a grid holds every metric of every policy and item at every point, and
    /// is read by programs (the CSV is the table for people).
    pub fn to_json(&self) -> String {
        let mut json = serde_json::to_string(self).expect("plain data serialises");
        json.push('\n');
        json
    }

    /// One row per point, policy, item (`(all items)` first) and metric.
    pub fn to_csv(&self) -> String {
        let params: Vec<String> = self.axes.iter().map(|a| csv_field(&a.param)).collect();
        let mut out = format!(
            "{},policy,item,metric,n,mean,ci95_low,ci95_high,p05,p50,p95\n",
            params.join(",")
        );
        for point in &self.points {
            let values: Vec<String> = point.values.iter().map(f64::to_string).collect();
            for p in &point.policies {
                let all = std::iter::once(("(all items)", &p.metrics));
                let items = p.items.iter().map(|i| (i.item.as_str(), &i.metrics));
                for (item, metrics) in all.chain(items) {
                    for (name, e) in metrics {
                        let _ = writeln!(
                            out,
                            "{},{},{},{name},{},{},{},{},{},{}",
                            values.join(","),
                            csv_field(&p.policy),
                            csv_field(item),
                            e.n,
                            e.mean,
                            csv_interval(e.ci95),
                            e.p05,
                            e.p50,
                            e.p95
                        );
                    }
                }
            }
        }
        out
    }

    /// The terminal text: what changes over the grid. Each policy the parameters change gets
    /// a table of the charted metrics' means, one row per grid point; the policies they do not
    /// touch (the same figures at every point, under common random numbers) are listed once,
    /// together, rather than at every point (issue 22, item 5: 44 of 55 lines repeated them).
    pub fn to_text(&self) -> String {
        let what = format!(
            "{} points, {} runs each (seed {}), common random numbers",
            self.points.len(),
            group_thousands(self.points.first().map_or(0, |p| p.runs) as f64, 0),
            self.seed
        );
        let line = format!("sweep of {} over {what}", self.params_text());
        let mut out = if line.chars().count() <= terminal::WIDTH {
            line
        } else {
            format!(
                "{}\n{what}",
                terminal::wrap(&format!("sweep of {}:", self.params_text()))
            )
        };
        out.push('\n');
        let means = |k: usize, p: usize| {
            CHARTED.iter().map(move |&m| {
                self.estimate(k, p, None, m).map_or_else(
                    || "–".to_string(),
                    |e| ValueKind::of(m.name()).value(e.mean),
                )
            })
        };
        let metric_names = CHARTED.iter().map(|m| m.name().replace('_', " "));
        let (constant, changing): (Vec<usize>, Vec<usize>) =
            (0..self.policies().len()).partition(|&p| self.is_constant(p));
        for &p in &changing {
            // Only the parameters the policy's figures move with, and one row per value of
            // them; their values are one label, so that a table split into blocks repeats
            // all of them.
            let moves: Vec<usize> = (0..self.axes.len())
                .filter(|&a| self.moves_with(p, a))
                .collect();
            let labels = self.axis_labels();
            let mut header = vec![
                moves
                    .iter()
                    .map(|&a| labels[a].as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ];
            header.extend(metric_names.clone());
            let mut rows = vec![header];
            for (k, point) in self.points.iter().enumerate() {
                if (0..self.axes.len()).any(|a| !moves.contains(&a) && self.position(k, a) > 0) {
                    continue;
                }
                let values: Vec<String> = moves
                    .iter()
                    .map(|&a| crate::analysis::format_param(point.values[a]))
                    .collect();
                let mut row = vec![values.join(", ")];
                row.extend(means(k, p));
                rows.push(row);
            }
            let still: Vec<&str> = (0..self.axes.len())
                .filter(|a| !moves.contains(a))
                .map(|a| self.axes[a].param.as_str())
                .collect();
            let heading = if still.is_empty() {
                format!("{}:", self.points[0].policies[p].policy)
            } else {
                format!(
                    "{} (the same at every {}):",
                    self.points[0].policies[p].policy,
                    still.join(", ")
                )
            };
            out.push('\n');
            out.push_str(&terminal::wrap(&heading));
            out.push('\n');
            out.push_str(&terminal::table_indented(&rows, 2));
        }
        if !constant.is_empty() {
            let mut header = vec!["policy".to_string()];
            header.extend(metric_names);
            let mut rows = vec![header];
            rows.extend(constant.iter().map(|&p| {
                let mut row = vec![self.points[0].policies[p].policy.clone()];
                row.extend(means(0, p));
                row
            }));
            out.push('\n');
            out.push_str(&terminal::wrap(&format!(
                "the same at every point ({} {} not change them):",
                self.params_text(),
                if self.axes.len() == 1 { "does" } else { "do" }
            )));
            out.push('\n');
            out.push_str(&terminal::table_indented(&rows, 2));
        }
        out
    }

    /// Whether a policy's figures (every metric, all items together) are the same at every
    /// point of a grid of several: the parameters do not touch it.
    pub(crate) fn is_constant(&self, policy: usize) -> bool {
        self.points.len() > 1 && (1..self.points.len()).all(|k| self.same_figures(policy, 0, k))
    }

    /// Whether a policy's figures change with axis `axis`: some point differs from the point
    /// with that axis at its first value and the other axes where they are.
    pub(crate) fn moves_with(&self, policy: usize, axis: usize) -> bool {
        let stride = self.stride(axis);
        (0..self.points.len())
            .any(|k| !self.same_figures(policy, k, k - self.position(k, axis) * stride))
    }

    /// Points apart by one step of `axis` in the row-major grid.
    fn stride(&self, axis: usize) -> usize {
        self.axes[axis + 1..]
            .iter()
            .map(|a| a.values.len())
            .product()
    }

    /// The index of point `k`'s value on `axis`.
    pub(crate) fn position(&self, k: usize, axis: usize) -> usize {
        (k / self.stride(axis)) % self.axes[axis].values.len().max(1)
    }

    /// A policy's figures, every metric of all items together, are the same at two points.
    fn same_figures(&self, policy: usize, k: usize, l: usize) -> bool {
        let (a, b) = (
            &self.points[k].policies[policy].metrics,
            &self.points[l].policies[policy].metrics,
        );
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|((n, x), (m, y))| n == m && x.mean == y.mean)
    }

    /// The headers of the parameters' columns: each parameter's field (`service_level`,
    /// `lead_time.mean`), or its whole path where two parameters end in the same field.
    pub(crate) fn axis_labels(&self) -> Vec<String> {
        let field = |a: &Axis| {
            a.param
                .parse::<param::Param>()
                .map_or_else(|_| a.param.clone(), |p| p.field_label())
        };
        let fields: Vec<String> = self.axes.iter().map(field).collect();
        if fields.len() == 2 && fields[0] == fields[1] {
            self.axes.iter().map(|a| a.param.clone()).collect()
        } else {
            fields
        }
    }

    /// The charts: a curve per charted metric (one parameter), or a heat map of the stockout
    /// rate per policy the parameters change (two parameters; `heat-map-N` for policy N); and
    /// the efficient frontier. A `target` on the mean
    /// (a stress test's) is drawn as a dashed line on its metric's curve, so that the reader
    /// sees where each curve crosses it; a metric not charted otherwise gets a curve of its
    /// own for it ([`charts::TARGET_CURVE_NAME`]).
    pub fn charts(&self, target: Option<&Target>) -> Result<Vec<Chart>, charts::ChartError> {
        let runs = self.points.first().map_or(0, |p| p.runs);
        let policies = self.policies();
        let what = format!(
            "{}: {} over {} points, {} runs each, same seed at every point.",
            self.scenario,
            self.params_text(),
            self.points.len(),
            group_thousands(runs as f64, 0)
        );
        let mut charts = Vec::new();
        if self.axes.len() == 1 {
            let target = target.filter(|t| t.statistic == Statistic::Mean);
            let target_chart = target
                .filter(|t| !CHARTED.contains(&t.metric))
                .map(|t| (t.metric, charts::TARGET_CURVE_NAME));
            let curves = CHARTED
                .iter()
                .filter_map(|&m| Some((m, charts::sweep_curve_name(m.name())?)))
                .chain(target_chart);
            for (metric, name) in curves {
                let series = (0..policies.len())
                    .map(|p| CurveSeries {
                        label: policies[p].clone(),
                        policy_index: p,
                        points: (0..self.points.len())
                            .filter_map(|k| {
                                self.estimate(k, p, None, metric).map(|e| CurvePoint {
                                    x: self.points[k].values[0],
                                    mean: e.mean,
                                    ci95: e.ci95,
                                })
                            })
                            .collect(),
                    })
                    .collect();
                charts.push(charts::sweep_curves(CurveChart {
                    name,
                    title: format!("{} against {}", metric_title(metric), self.axes[0].param),
                    subtitle: what.clone(),
                    runs,
                    x: AxisSpec {
                        desc: self.axes[0].param.clone(),
                        kind: ValueKind::Number,
                    },
                    y: metric_axis(metric, self.currency.as_deref()),
                    series,
                    target: target.filter(|t| t.metric == metric).map(target_line),
                })?);
            }
        } else {
            // A heat map only for the policies the parameters change: the others' would be one
            // colour, the same figure in every cell (the terminal text lists them once). Their
            // files from an earlier sweep are retired with the charts not drawn.
            for (p, policy) in policies.iter().enumerate() {
                if self.is_constant(p) {
                    continue;
                }
                let Some(name) = charts::heat_map_name(p) else {
                    break;
                };
                let (xs, ys) = (&self.axes[0].values, &self.axes[1].values);
                let means = (0..ys.len())
                    .map(|j| {
                        (0..xs.len())
                            .map(|i| {
                                self.estimate(i * ys.len() + j, p, None, Metric::StockoutRate)
                                    .map(|e| e.mean)
                            })
                            .collect()
                    })
                    .collect();
                charts.push(charts::sweep_heat_map(charts::HeatMapChart {
                    name,
                    title: format!("Stockout rate of '{policy}' over the grid"),
                    subtitle: what.clone(),
                    runs,
                    policy: policy.clone(),
                    policy_index: p,
                    x: AxisSpec {
                        desc: self.axes[0].param.clone(),
                        kind: ValueKind::Number,
                    },
                    x_values: xs.clone(),
                    y: AxisSpec {
                        desc: self.axes[1].param.clone(),
                        kind: ValueKind::Number,
                    },
                    y_values: ys.clone(),
                    metric: metric_axis(Metric::StockoutRate, self.currency.as_deref()),
                    means,
                })?);
            }
        }
        let points = self.frontier_points(policies.len());
        charts.push(charts::efficient_frontier(charts::FrontierChart {
            name: charts::FRONTIER_NAME,
            title: "Efficient frontier: cost of holding and rescuing stock against stockout rate"
                .into(),
            subtitle: what,
            runs,
            policies,
            points,
            currency: self.currency.clone(),
        })?);
        Ok(charts)
    }

    /// Every policy at every grid point on the cost–service plane: the cost of holding and
    /// rescuing stock ([`charts::FRONTIER_COST`]: carrying, expediting and purchase premium
    /// cost, the mean of their sum being the sum of their means) against the stockout rate. A
    /// policy the parameters do not touch ([`Sweep::is_constant`]) is one point, labelled
    /// "any"; one that moves with one parameter of two has a point per value of that one,
    /// labelled with the parameter's field and value.
    fn frontier_points(&self, policies: usize) -> Vec<charts::FrontierPoint> {
        let mut out = Vec::new();
        for p in 0..policies {
            let at = |k: usize| {
                let carrying = self.estimate(k, p, None, Metric::CarryingCost)?;
                let rescue: f64 = [Metric::ExpediteCost, Metric::PurchasePremiumCost]
                    .into_iter()
                    .filter_map(|m| self.estimate(k, p, None, m))
                    .map(|e| e.mean)
                    .sum();
                let rate = self.estimate(k, p, None, Metric::StockoutRate)?;
                Some((carrying.mean + rescue, rate.mean))
            };
            // A point per value of the parameters the policy's figures move with: in a grid of
            // two, a policy that moves with one has the same figures all along the other.
            let moves: Vec<usize> = if self.is_constant(p) {
                Vec::new()
            } else {
                (0..self.axes.len())
                    .filter(|&a| self.moves_with(p, a))
                    .collect()
            };
            let labels = self.axis_labels();
            for k in 0..self.points.len() {
                if (0..self.axes.len()).any(|a| !moves.contains(&a) && self.position(k, a) > 0) {
                    continue;
                }
                let Some((cost, rate)) = at(k) else {
                    continue;
                };
                let value = |a: usize| crate::analysis::format_param(self.points[k].values[a]);
                let label = if moves.is_empty() {
                    "any".to_string()
                } else if moves.len() < self.axes.len() {
                    // Which parameter, since the others are left out.
                    let named: Vec<String> = moves
                        .iter()
                        .map(|&a| format!("{} {}", labels[a], value(a)))
                        .collect();
                    named.join(", ")
                } else {
                    let values: Vec<String> = moves.iter().map(|&a| value(a)).collect();
                    values.join(", ")
                };
                out.push(charts::FrontierPoint {
                    policy_index: p,
                    cost,
                    stockout_rate: rate,
                    label,
                });
            }
        }
        out
    }

    /// Add sweep.json, sweep.csv and the charts (SVG and PNG, with `target` drawn as in
    /// [`Sweep::charts`]) to `files`; the charts of an earlier sweep that this one does not
    /// draw are retired.
    pub(crate) fn add_files(
        &self,
        files: &mut FileSet,
        target: Option<&Target>,
    ) -> Result<(), charts::ChartError> {
        let drawn = self.charts(target)?;
        files.add("sweep.json", self.to_json());
        files.add("sweep.csv", self.to_csv());
        for name in charts::analysis_chart_names() {
            for ext in ["svg", "png"] {
                files.retire(format!("charts/{name}.{ext}"));
            }
        }
        for chart in drawn {
            files.add(format!("charts/{}.svg", chart.name), chart.svg);
            files.add(format!("charts/{}.png", chart.name), chart.png);
        }
        Ok(())
    }
}

/// The dashed line of a target on the mean: "target ≤ 2.00%".
fn target_line(target: &Target) -> TargetLine {
    TargetLine {
        value: target.value,
        label: format!(
            "target {} {}",
            if target.at_most { "≤" } else { "≥" },
            ValueKind::of(target.metric.name()).value(target.value)
        ),
    }
}

/// "Stockout rate", "Carrying cost"…
fn metric_title(metric: Metric) -> String {
    let name = metric.name().replace('_', " ");
    let mut chars = name.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// The value axis of a metric, with its unit.
fn metric_axis(metric: Metric, currency: Option<&str>) -> AxisSpec {
    let kind = ValueKind::of(metric.name());
    let unit = match kind {
        ValueKind::Percent => "%",
        // Costs are per year: "Total cost per year", in the currency once there is one.
        ValueKind::Money => {
            return AxisSpec {
                desc: charts::cost_axis(&format!("{} per year", metric_title(metric)), currency),
                kind,
            };
        }
        ValueKind::Number if metric == Metric::DaysOfSupply => "days",
        ValueKind::Number => "units",
    };
    AxisSpec {
        desc: format!("{} ({unit})", metric_title(metric)),
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_varies_the_last_axis_fastest() {
        let axis = |values: Vec<f64>| Axis {
            param: "p".into(),
            integral: false,
            values,
        };
        let g = grid(&[axis(vec![1.0, 2.0]), axis(vec![10.0, 20.0, 30.0])]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[1], vec![1.0, 20.0]);
        assert_eq!(g[3], vec![2.0, 10.0]);
    }
}
