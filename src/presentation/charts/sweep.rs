//! The analysis charts: a sweep's curves (a metric against the parameter varied, one line per
//! policy), the heat map of a two-parameter sweep, and the efficient frontier on the
//! cost–service plane. Here are their public types and functions (re-exported by the
//! folder), their descriptions, and the drawing only they need: axes with both ends
//! ([`Span`]), the heat map's colour scale, the frontier's labels. The drawing machinery they
//! share with the run charts is in `draw`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::foundation::format::group_thousands;
use crate::foundation::stats::{Interval, interval_ends};
use crate::presentation::format::ValueKind;

use super::draw::{
    Ctx, DrawResult, Frame, LABEL_SIZE, LegendEntry, Marker, MarkerPart, PAD, Rows, Spec,
    TICK_SIZE, VALUE_SIZE, ValueChart, X_AXIS_HEIGHT, blend, draw_legend, draw_marker, fail,
    header_height, luminance, marker_sized, plot_size, render, subtitle, text_width, trim_zeros,
    value_chart,
};
use super::{
    AXIS, Chart, ChartError, FONT, MUTED, PALETTE, Plot, TEXT, WIDTH, cost_axis, ensure_font,
    policy_colour,
};

// ---------------------------------------------------------------------------------------------
// Descriptions: analysis charts (`sweep`)
//
// Drawn from plain data the analyses fill in, with the same fonts, sizes and palette rule as
// the report: policy `i` in `policy_colour(i)` with marker shape `i`, nothing else in a palette
// colour (the heat map's scale is a grey-to-teal ramp that avoids them).

/// File stems of the sweep curves, by the metric they chart.
pub(crate) const SWEEP_CURVE_NAMES: [(&str, &str); 5] = [
    ("stockout_rate", "sweep-stockout-rate"),
    ("fill_rate", "sweep-fill-rate"),
    ("carrying_cost", "sweep-carrying-cost"),
    ("total_cost", "sweep-total-cost"),
    ("days_of_supply", "sweep-days-of-supply"),
];

/// The file stem of the sweep curve of `metric`, if it is one a sweep charts.
pub fn sweep_curve_name(metric: &str) -> Option<&'static str> {
    SWEEP_CURVE_NAMES
        .iter()
        .find(|(m, _)| *m == metric)
        .map(|(_, name)| *name)
}

/// The file stem of the curve of a stress test's target metric when a sweep charts it
/// otherwise not.
pub const TARGET_CURVE_NAME: &str = "sweep-target";

/// File stems of the heat maps, one per policy, by policy index.
pub(crate) const HEAT_MAP_NAMES: [&str; 16] = [
    "heat-map-0",
    "heat-map-1",
    "heat-map-2",
    "heat-map-3",
    "heat-map-4",
    "heat-map-5",
    "heat-map-6",
    "heat-map-7",
    "heat-map-8",
    "heat-map-9",
    "heat-map-10",
    "heat-map-11",
    "heat-map-12",
    "heat-map-13",
    "heat-map-14",
    "heat-map-15",
];

/// The file stem of policy `index`'s heat map (`None` past [`HEAT_MAP_NAMES`]).
pub fn heat_map_name(index: usize) -> Option<&'static str> {
    HEAT_MAP_NAMES.get(index).copied()
}

/// The file stem of the efficient-frontier chart.
pub const FRONTIER_NAME: &str = "efficient-frontier";

/// Every file stem a sweep's (or a stress test's) charts may have: the curves, the target's
/// curve, the heat maps and the frontier. A new result removes those it does not draw, so a
/// one-parameter sweep leaves no heat map of an earlier two-parameter sweep behind.
pub(crate) fn analysis_chart_names() -> impl Iterator<Item = &'static str> {
    SWEEP_CURVE_NAMES
        .iter()
        .map(|(_, name)| *name)
        .chain([TARGET_CURVE_NAME])
        .chain(HEAT_MAP_NAMES)
        .chain([FRONTIER_NAME])
}

/// An axis of an analysis chart: its description with its unit, and how values are written.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSpec {
    /// The axis title: what is measured, with its unit.
    pub desc: String,
    /// How the axis's values are written (percent, money, number).
    pub kind: ValueKind,
}

/// One grid point of a sweep curve: the metric's mean over runs and its 95% confidence
/// interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    /// The parameter's value at the grid point.
    pub x: f64,
    /// The metric's mean over runs.
    pub mean: f64,
    /// The mean's 95% confidence interval; none from a single run (no band is drawn).
    pub ci95: Option<Interval>,
}

/// One policy's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveSeries {
    /// The policy's name, as the legend shows it.
    pub label: String,
    /// Its index in the scenario's policy order: decides its colour and marker.
    pub policy_index: usize,
    /// The grid points, in the order of the parameter's values.
    pub points: Vec<CurvePoint>,
}

/// A horizontal reference line, e.g. a stockout-rate target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    /// Where the line is drawn, in the metric's units (a share for rates).
    pub value: f64,
    /// What the line is, written beside it (e.g. `target 2%`).
    pub label: String,
}

/// A sweep: a metric (y) against the parameter varied (x), one curve per policy.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveChart {
    /// File stem, e.g. from [`sweep_curve_name`].
    pub name: &'static str,
    /// The chart's heading: the metric against the parameter.
    pub title: String,
    /// What was run (scenario, parameter, grid); the chart adds how to read it.
    pub subtitle: String,
    /// Runs behind each point.
    pub runs: u64,
    /// The parameter, e.g. `policy.kanban.safety_factor (share of lead-time demand)`.
    pub x: AxisSpec,
    /// The metric, e.g. `Stockout rate (% of demand)`.
    pub y: AxisSpec,
    /// One curve per policy.
    pub series: Vec<CurveSeries>,
    /// A target to draw across the chart, when the analysis had one.
    pub target: Option<TargetLine>,
}

/// A two-parameter sweep of one policy: a metric's mean in each cell of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMapChart {
    /// File stem, e.g. from [`heat_map_name`].
    pub name: &'static str,
    /// The chart's heading: the metric over the two parameters.
    pub title: String,
    /// What was run; the chart adds how to read it.
    pub subtitle: String,
    /// Runs behind each cell.
    pub runs: u64,
    /// The policy mapped.
    pub policy: String,
    /// Its index in the scenario's policy order: decides its colour.
    pub policy_index: usize,
    /// The first parameter, across, and its grid values (left to right).
    pub x: AxisSpec,
    /// The first parameter's grid values.
    pub x_values: Vec<f64>,
    /// The second parameter, up, and its grid values (bottom to top).
    pub y: AxisSpec,
    /// The second parameter's grid values.
    pub y_values: Vec<f64>,
    /// The metric that colours the cells and is written in them.
    pub metric: AxisSpec,
    /// `means[j][i]`: the metric's mean at `y_values[j]` and `x_values[i]`; `None` where
    /// nothing was run.
    pub means: Vec<Vec<Option<f64>>>,
}

/// One policy at one grid point of a sweep, on the cost–service plane.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierPoint {
    /// The policy's index in the scenario's order: decides its colour and marker.
    pub policy_index: usize,
    /// Mean cost per year of holding and rescuing stock ([`FRONTIER_COST`]): carrying,
    /// expediting and purchase premium cost together.
    pub cost: f64,
    /// Mean stockout rate (a share).
    pub stockout_rate: f64,
    /// The parameter value(s) of the point, written beside it when it is on the frontier
    /// (e.g. from [`value_labels`]).
    pub label: String,
}

/// Every (policy, grid point) of a sweep: the cost of holding and rescuing stock against the
/// stockout rate, with the efficient frontier.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierChart {
    /// File stem, normally [`FRONTIER_NAME`].
    pub name: &'static str,
    /// The chart's heading.
    pub title: String,
    /// What was run; the chart adds how to read it.
    pub subtitle: String,
    /// Runs behind each point.
    pub runs: u64,
    /// Policy names by index, for the legend (only policies with points are listed).
    pub policies: Vec<String>,
    /// Every policy at every grid point.
    pub points: Vec<FrontierPoint>,
    /// What costs are counted in (the scenario's `currency`), for the cost axis.
    pub currency: Option<String>,
}

/// Draw a sweep's curves.
pub fn sweep_curves(chart: CurveChart) -> Result<Chart, ChartError> {
    ensure_font();
    render(&curves_spec(chart))
}

/// Draw one policy's heat map of a two-parameter sweep.
pub fn sweep_heat_map(chart: HeatMapChart) -> Result<Chart, ChartError> {
    ensure_font();
    render(&heat_map_spec(chart))
}

/// Draw the cost–service plane of a sweep with its efficient frontier.
pub fn efficient_frontier(chart: FrontierChart) -> Result<Chart, ChartError> {
    ensure_font();
    render(&frontier_spec(chart))
}

/// The points no other point dominates, as indices sorted by cost (then stockout rate):
/// point `i` is on the frontier unless some point has a cost and a stockout rate both lower
/// or equal, one of them strictly lower. Equal points are all kept; points with a value that
/// is not finite are left out.
pub fn frontier_points(points: &[(f64, f64)]) -> Vec<usize> {
    let finite = |&(c, r): &(f64, f64)| c.is_finite() && r.is_finite();
    let dominated = |a: (f64, f64)| {
        points
            .iter()
            .filter(|p| finite(p))
            .any(|&b| b.0 <= a.0 && b.1 <= a.1 && (b.0 < a.0 || b.1 < a.1))
    };
    let mut out: Vec<usize> = (0..points.len())
        .filter(|&i| finite(&points[i]) && !dominated(points[i]))
        .collect();
    out.sort_by(|&a, &b| {
        let (pa, pb) = (points[a], points[b]);
        pa.0.total_cmp(&pb.0)
            .then(pa.1.total_cmp(&pb.1))
            .then(a.cmp(&b))
    });
    out
}

/// Labels for grid values: as few decimals as writes every value exactly (at most 4), so a
/// grid of 0.05 steps reads 0.05, 0.1, 0.15 and one of whole days reads 10, 11, 12.
pub fn value_labels(kind: ValueKind, values: &[f64]) -> Vec<String> {
    let scale = if kind == ValueKind::Percent {
        100.0
    } else {
        1.0
    };
    let exact = |d: usize| {
        values.iter().all(|v| {
            let x = v * scale;
            let p = 10f64.powi(d as i32);
            ((x * p).round() / p - x).abs() <= 1e-9 * x.abs().max(1.0)
        })
    };
    let decimals = (0..=4).find(|&d| exact(d)).unwrap_or(4);
    values
        .iter()
        .map(|v| {
            let text = group_thousands(v * scale, decimals);
            if kind == ValueKind::Percent {
                format!("{text}%")
            } else {
                text
            }
        })
        .collect()
}

/// A value short enough for a heat-map cell: two significant digits at least.
fn compact_value(kind: ValueKind, v: f64) -> String {
    let a = v.abs();
    match kind {
        ValueKind::Percent => {
            let decimals = if 100.0 * a < 1.0 {
                2
            } else if 100.0 * a < 10.0 {
                1
            } else {
                0
            };
            format!("{:.*}%", decimals, 100.0 * v)
        }
        ValueKind::Money if a >= 1e6 => format!("{:.1}M", v / 1e6),
        ValueKind::Money if a >= 1e4 => format!("{:.0}k", v / 1e3),
        ValueKind::Money => group_thousands(v, 0),
        ValueKind::Number => {
            let decimals = if a < 10.0 {
                2
            } else if a < 100.0 {
                1
            } else {
                0
            };
            group_thousands(v, decimals)
        }
    }
}

/// An axis with both ends: the analysis charts do not always start at zero.
pub(super) struct Span {
    desc: String,
    kind: ValueKind,
    lo: f64,
    hi: f64,
}

impl Span {
    /// A value axis holding `values` with a margin, from zero when the values are not
    /// negative and zero is near enough to keep the differences readable.
    fn values(axis: AxisSpec, values: impl Iterator<Item = f64>) -> Span {
        let (lo, hi) = finite_bounds(values).unwrap_or((0.0, 0.0));
        let span = if hi > lo {
            hi - lo
        } else if hi.abs() > 0.0 {
            hi.abs() * 0.2
        } else {
            1e-3
        };
        let from_zero = lo >= 0.0 && (lo <= 0.4 * hi || lo - 0.06 * span < 0.0);
        Span {
            desc: axis.desc,
            kind: axis.kind,
            lo: if from_zero { 0.0 } else { lo - 0.06 * span },
            hi: hi + 0.08 * span,
        }
    }

    /// A parameter axis from the first to the last grid value, with room for the markers.
    fn grid(axis: AxisSpec, values: impl Iterator<Item = f64>) -> Span {
        let (lo, hi) = finite_bounds(values).unwrap_or((0.0, 1.0));
        let pad = if hi > lo {
            0.03 * (hi - lo)
        } else {
            (0.1 * hi.abs()).max(0.5)
        };
        Span {
            desc: axis.desc,
            kind: axis.kind,
            lo: lo - pad,
            hi: hi + pad,
        }
    }

    /// Tick labels with the decimals the axis's tick spacing needs.
    fn format(&self) -> impl Fn(&f64) -> String + use<> {
        let (kind, scale) = (self.kind, percent_scale(self.kind));
        let step = (self.hi - self.lo).abs() * scale / 8.0;
        let decimals = if step > 0.0 {
            ((-step.log10()).ceil() + 1.0).clamp(0.0, 6.0) as usize
        } else {
            0
        };
        move |v: &f64| {
            let text = trim_zeros(group_thousands(v * scale, decimals));
            match kind {
                ValueKind::Percent => format!("{text}%"),
                _ => text,
            }
        }
    }
}

fn percent_scale(kind: ValueKind) -> f64 {
    if kind == ValueKind::Percent {
        100.0
    } else {
        1.0
    }
}

fn finite_bounds(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((f64::min(lo, v), f64::max(hi, v))),
        })
}

fn runs_count(runs: u64) -> String {
    let noun = if runs == 1 { "run" } else { "runs" };
    format!("{} {noun}", group_thousands(runs as f64, 0))
}

/// "subtitle. reading": the caller's account of what was run, then how to read the chart.
fn lead_and_reading(lead: &str, reading: &str) -> Vec<String> {
    let lead = lead.trim().trim_end_matches('.');
    if lead.is_empty() {
        subtitle(reading)
    } else {
        subtitle(&format!("{lead}. {reading}"))
    }
}

/// One legend entry per policy drawn (first appearance order by index), with its marker.
fn policy_entries(policies: impl Iterator<Item = (usize, String)>) -> Vec<LegendEntry> {
    let mut seen: Vec<(usize, String)> = Vec::new();
    for (i, label) in policies {
        if !seen.iter().any(|(k, _)| *k == i) {
            seen.push((i, label));
        }
    }
    seen.sort_by_key(|(i, _)| *i);
    seen.into_iter()
        .map(|(i, label)| LegendEntry {
            label,
            colour: policy_colour(i).to_rgba(),
            marker: Marker::Shape(i),
        })
        .collect()
}

/// Sweep chart: the metric against the parameter, a band for each curve's interval.
fn curves_spec(c: CurveChart) -> Spec {
    let points = || c.series.iter().flat_map(|s| &s.points);
    let x = Span::grid(c.x, points().map(|p| p.x));
    let target_value = c.target.as_ref().map(|t| t.value);
    let y = Span::values(
        c.y,
        points()
            .flat_map(|p| {
                let (low, high) = interval_ends(p.ci95);
                [low, high, Some(p.mean)].into_iter().flatten()
            })
            .chain(target_value),
    );
    let target = match &c.target {
        Some(t) => format!(" Dashed line: {}.", t.label),
        None => String::new(),
    };
    let sub = lead_and_reading(
        &c.subtitle,
        &format!(
            "One line per policy through the values run (markers), each the mean over {}; \
             band: the 95% confidence interval of that mean.{target}",
            runs_count(c.runs)
        ),
    );
    let legend = policy_entries(c.series.iter().map(|s| (s.policy_index, s.label.clone())));
    Spec {
        name: c.name,
        title: c.title,
        caption: sub.join(" "),
        height: header_height(&sub) + 430,
        subtitle: sub,
        series: legend.len(),
        plot: Plot::Curves {
            series: c.series,
            x,
            y,
            target: c.target,
        },
        legend,
    }
}

/// One policy's heat map, laid out for its grid: the cell size, the font that fits a cell's
/// value, and the key strip above the grid.
pub(super) struct HeatMap {
    policy: LegendEntry,
    x: AxisSpec,
    x_labels: Vec<String>,
    y: AxisSpec,
    y_labels: Vec<String>,
    metric: AxisSpec,
    means: Vec<Vec<Option<f64>>>,
    /// The colour scale's ends.
    range: (f64, f64),
    /// Font size of the values in the cells; `None` when no size fits.
    cell_font: Option<f64>,
    y_label_w: u32,
    /// Every how many columns the x axis is labelled (all when the labels fit).
    x_every: usize,
    /// Height of the key strip (policy and colour scale): one row, or two when they do not
    /// fit side by side.
    key_rows: u32,
}

/// Margin right of the heat map's grid.
const HEAT_RIGHT: u32 = 18;
/// Width of the heat map's colour scale bar.
const SCALE_BAR: u32 = 240;
/// Height of one row of the heat map's key strip.
const KEY_ROW: u32 = 44;
/// The heat map's sequential scale, light to dark: a warm light grey to a dark teal, never a
/// policy colour (checked by [`ramp`]).
const RAMP: [RGBColor; 3] = [
    RGBColor(0xEC, 0xE8, 0xDC),
    RGBColor(0x72, 0xA8, 0xA5),
    RGBColor(0x12, 0x3E, 0x4A),
];
/// Luminance below which white text reads better than dark text (their WCAG contrast ratios
/// are equal at about 0.21).
const DARK_CELL: f64 = 0.21;

fn heat_map_spec(h: HeatMapChart) -> Spec {
    let x_labels = value_labels(h.x.kind, &h.x_values);
    let y_labels = value_labels(h.y.kind, &h.y_values);
    let nx = x_labels.len().max(1);
    let ny = y_labels.len().max(1);
    let y_label_w = y_labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE))
        .max()
        .unwrap_or(0)
        + 44;
    // The grid's width as the chart builder will leave it.
    let cell_w = (WIDTH - PAD - HEAT_RIGHT - y_label_w) as f64 / nx as f64;
    let widest_x = x_labels
        .iter()
        .map(|l| text_width(l, TICK_SIZE))
        .max()
        .unwrap_or(0);
    let x_every = ((f64::from(widest_x) + 10.0) / cell_w).ceil().max(1.0) as usize;
    // Tall enough for the y axis's description, which runs along the grid.
    let desc_h = f64::from(text_width(&h.y.desc, LABEL_SIZE) + 24) / ny as f64;
    let cell_h = (cell_w * 0.62).clamp(24.0, 48.0).max(desc_h).ceil() as u32;
    let range = finite_bounds(h.means.iter().flatten().flatten().copied()).unwrap_or((0.0, 0.0));
    let texts: Vec<String> = h
        .means
        .iter()
        .flatten()
        .flatten()
        .map(|&v| compact_value(h.metric.kind, v))
        .collect();
    let cell_font = [VALUE_SIZE, 12.5, 11.5, 10.5, 9.5]
        .into_iter()
        .find(|&size| {
            let widest = texts.iter().map(|t| text_width(t, size)).max().unwrap_or(0);
            widest as f64 + 6.0 <= cell_w && size + 6.0 <= cell_h as f64
        });
    let policy = LegendEntry {
        label: format!("policy: {}", h.policy),
        colour: policy_colour(h.policy_index).to_rgba(),
        marker: Marker::Square,
    };
    let key_w = PAD
        + 22
        + text_width(&policy.label, LABEL_SIZE)
        + 32
        + text_width(&h.metric.desc, LABEL_SIZE)
        + 12
        + SCALE_BAR
        + 34;
    let key_rows = if key_w <= WIDTH { 1 } else { 2 };
    let written = if cell_font.is_some() {
        " (written in it)"
    } else {
        ""
    };
    let sub = lead_and_reading(
        &h.subtitle,
        &format!(
            "Policy {}: each cell is one pair of values, coloured by the mean {} over {}{written}; \
             darker is higher (scale above the grid).",
            h.policy,
            h.metric.desc.to_lowercase(),
            runs_count(h.runs)
        ),
    );
    let body = key_rows * KEY_ROW + 12 + ny as u32 * cell_h + X_AXIS_HEIGHT + 8;
    Spec {
        name: h.name,
        title: h.title,
        caption: sub.join(" "),
        height: header_height(&sub) + body,
        subtitle: sub,
        series: 1,
        plot: Plot::HeatMap(Box::new(HeatMap {
            policy,
            x: h.x,
            x_labels,
            y: h.y,
            y_labels,
            metric: h.metric,
            means: h.means,
            range,
            cell_font,
            y_label_w,
            x_every,
            key_rows,
        })),
        legend: Vec::new(),
    }
}

/// The scale colour of `t` in [0, 1]: linear between the [`RAMP`] stops, nudged off any
/// palette colour it would hit exactly.
fn ramp(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let at = t * (RAMP.len() - 1) as f64;
    let k = (at.floor() as usize).min(RAMP.len() - 2);
    let f = at - k as f64;
    let (a, b) = (RAMP[k], RAMP[k + 1]);
    let mix = |u: u8, v: u8| (f64::from(u) + (f64::from(v) - f64::from(u)) * f).round() as u8;
    let c = RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2));
    if PALETTE.contains(&c) {
        RGBColor(c.0, c.1, c.2 ^ 1)
    } else {
        c
    }
}

/// What the frontier chart's x axis measures: the cost of holding stock and of rescuing it
/// when it runs short, the side of the trade-off a buffer's size moves against the stockout
/// rate. Ordering and stockout costs are left out: the stockout rate is the other axis, and
/// ordering does not grow with the buffer.
pub const FRONTIER_COST: &str = "Holding and rescue cost per year";

/// Height of the frontier chart's plot, under its header.
const FRONTIER_PLOT: u32 = 460;

/// Most efficient points labelled with their values; more are numbered, with a key.
const MAX_WRITTEN: usize = 12;

/// Frontier chart: every (policy, grid point), the efficient ones joined and labelled.
fn frontier_spec(f: FrontierChart) -> Spec {
    let pairs: Vec<(f64, f64)> = f.points.iter().map(|p| (p.cost, p.stockout_rate)).collect();
    let frontier = frontier_points(&pairs);
    let x = Span::values(
        AxisSpec {
            desc: cost_axis(
                &format!("{FRONTIER_COST} (carrying + expediting + purchase premium)"),
                f.currency.as_deref(),
            ),
            kind: ValueKind::Money,
        },
        pairs.iter().map(|p| p.0),
    );
    let y = Span::values(
        AxisSpec {
            desc: "Stockout rate (% of demand)".into(),
            kind: ValueKind::Percent,
        },
        pairs.iter().map(|p| p.1),
    );
    let legend = policy_entries(f.points.iter().map(|p| {
        let name = f
            .policies
            .get(p.policy_index)
            .cloned()
            .unwrap_or_else(|| format!("policy {}", p.policy_index + 1));
        (p.policy_index, name)
    }));
    let reading = |numbered: bool| {
        let labels = if numbered {
            "numbered by cost (their values in the key below)"
        } else {
            "labelled with their values"
        };
        lead_and_reading(
            &f.subtitle,
            &format!(
                "One marker per policy and value run: the mean over {}. Cost: carrying, \
                 expediting and purchase premium cost per year, what holding stock and rescuing \
                 it cost (ordering and stockout costs are left out; the stockout rate is the \
                 other axis). The dark line joins the efficient points (no other point has both \
                 a lower or equal cost and a lower or equal stockout rate), {labels}; faded \
                 markers are dominated. Lower and further left is better.",
                runs_count(f.runs)
            ),
        )
    };
    let sub = reading(false);
    let mut spec = Spec {
        name: f.name,
        title: f.title,
        caption: sub.join(" "),
        height: header_height(&sub) + FRONTIER_PLOT,
        subtitle: sub,
        series: legend.len(),
        plot: Plot::Frontier {
            points: f.points,
            frontier,
            x,
            y,
            labels: Vec::new(),
            key: None,
        },
        legend,
    };
    // The labels are laid out here, in the plot as it will be drawn, so that a chart whose
    // efficient points cannot all be labelled in words gets room for a key of numbers.
    let written = frontier_layout(&spec, None);
    let (labels, key) = match written {
        Some(labels) => (labels, None),
        None => {
            let sub = reading(true);
            spec.caption = sub.join(" ");
            spec.height = header_height(&sub) + FRONTIER_PLOT;
            spec.subtitle = sub;
            let key = frontier_key(&spec, &f.policies);
            spec.height += key.height;
            let labels = frontier_layout(&spec, Some(&key)).unwrap_or_default();
            (labels, Some(key))
        }
    };
    if let Plot::Frontier {
        labels: l, key: k, ..
    } = &mut spec.plot
    {
        *l = labels;
        *k = key;
    }
    spec
}

/// One efficient point's label, laid out at scale 1: its text and its box relative to the
/// point's marker centre, in pixels; a leader line joins a box set away from its point.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct FrontierLabel {
    /// The point, an index into the chart's points.
    point: usize,
    text: String,
    /// `[left, top, right, bottom]`, relative to the marker's centre.
    rect: [f64; 4],
    leader: bool,
}

/// The key of a numbered frontier: number, policy and value of each efficient point, in
/// columns under the plot.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct FrontierKey {
    /// Per efficient point, by cost: its number, its point (an index into the chart's points)
    /// and its value.
    entries: Vec<(String, usize, String)>,
    columns: usize,
    column_width: u32,
    /// Height of the key under the plot.
    height: u32,
}

/// Height of a line of the frontier's key, and of its heading.
const KEY_LINE: u32 = 20;

fn frontier_key(spec: &Spec, policies: &[String]) -> FrontierKey {
    let Plot::Frontier {
        points, frontier, ..
    } = &spec.plot
    else {
        unreachable!("the frontier's spec holds a frontier");
    };
    let entries: Vec<(String, usize, String)> = frontier
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let p = &points[i];
            let text = match policies.get(p.policy_index) {
                Some(name) => format!("{name}: {}", p.label),
                None => p.label.clone(),
            };
            ((k + 1).to_string(), i, text)
        })
        .collect();
    let column_width = entries
        .iter()
        .map(|(n, _, label)| key_entry_width(n, label))
        .max()
        .unwrap_or(0)
        + 24;
    let columns = ((WIDTH - 2 * PAD) / column_width.max(1)).max(1) as usize;
    let rows = entries.len().div_ceil(columns) as u32;
    FrontierKey {
        entries,
        columns,
        column_width,
        height: KEY_LINE + rows * KEY_LINE + 10,
    }
}

/// A key entry's width: its marker, its number and its value.
fn key_entry_width(number: &str, label: &str) -> u32 {
    KEY_MARKER_ROOM + text_width(number, VALUE_SIZE) + 8 + text_width(label, VALUE_SIZE)
}

/// Room for the marker before a key entry.
const KEY_MARKER_ROOM: u32 = 20;

/// The frontier's labels laid out in the plot `spec` will draw: the points' values (no `key`),
/// `None` when there are more than [`MAX_WRITTEN`] or some cannot be placed clear of every
/// other label, marker and the frontier's line; or their numbers (with the `key` under the
/// plot), each placed as clear as the plot allows.
fn frontier_layout(spec: &Spec, key: Option<&FrontierKey>) -> Option<Vec<FrontierLabel>> {
    let Plot::Frontier {
        points,
        frontier,
        x,
        y,
        ..
    } = &spec.plot
    else {
        return Some(Vec::new());
    };
    if key.is_none() && frontier.len() > MAX_WRITTEN {
        return None;
    }
    let (w, h) = plot_size(spec);
    let h = h - key.map_or(0, |k| k.height);
    // The chart as `draw_frontier` builds it, on a backend that is thrown away, for the
    // pixels of every point.
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
    let chart = span_chart(&root, (x, y), Ctx { scale: 1.0 }).ok()?;
    let pixel = |p: &FrontierPoint| {
        let (px, py) = chart.backend_coord(&(p.cost, p.stockout_rate));
        (f64::from(px), f64::from(py))
    };
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let bounds = [
        f64::from(xs.start),
        f64::from(ys.start),
        f64::from(xs.end),
        f64::from(ys.end),
    ];
    let markers: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.cost.is_finite() && p.stockout_rate.is_finite())
        .map(pixel)
        .collect();
    let centres: Vec<(f64, f64)> = frontier.iter().map(|&i| pixel(&points[i])).collect();
    let texts: Vec<String> = match key {
        None => frontier.iter().map(|&i| points[i].label.clone()).collect(),
        Some(k) => k.entries.iter().map(|(n, _, _)| n.clone()).collect(),
    };
    let widths: Vec<f64> = texts
        .iter()
        .map(|t| f64::from(text_width(t, VALUE_SIZE)) + 4.0)
        .collect();
    let boxes = place_labels(&centres, &widths, &markers, bounds, key.is_some())?;
    Some(
        frontier
            .iter()
            .zip(texts)
            .zip(boxes)
            .zip(&centres)
            .map(|(((&i, text), (b, leader)), &(cx, cy))| FrontierLabel {
                point: i,
                text,
                rect: [b[0] - cx, b[1] - cy, b[2] - cx, b[3] - cy],
                leader,
            })
            .collect(),
    )
}

/// Height of a frontier label's box.
const LABEL_H: f64 = VALUE_SIZE + 3.0;

/// Boxes for labels `widths` wide at the points `centres` (pixels at scale 1, the frontier's
/// points by cost), in `bounds` (`[left, top, right, bottom]`), each with whether it stands
/// away from its point (a leader line joins them). Each label goes in the first place, of
/// eight around its point at growing distances, that overlaps no label placed before it, no
/// marker (`markers`: every point drawn) and not the frontier's line, and whose leader crosses
/// no label. Below and left of the frontier come first: no point lies there, since a point
/// there would dominate the frontier's. Where no place is clear, `force` takes the place
/// that overlaps least; without it, there is no layout (`None`).
pub(super) fn place_labels(
    centres: &[(f64, f64)],
    widths: &[f64],
    markers: &[(f64, f64)],
    bounds: [f64; 4],
    force: bool,
) -> Option<Vec<([f64; 4], bool)>> {
    let r = FRONTIER_MARKER + 2.0;
    let marker_boxes: Vec<[f64; 4]> = markers
        .iter()
        .map(|&(x, y)| [x - r, y - r, x + r, y + r])
        .collect();
    let segments: Vec<[(f64, f64); 2]> = centres.windows(2).map(|w| [w[0], w[1]]).collect();
    let gap = FRONTIER_MARKER + 4.0;
    // South-west first, then the other sides; (x, y) signs, y down.
    let directions = [
        (-1.0, 1.0),
        (0.0, 1.0),
        (-1.0, 0.0),
        (1.0, 1.0),
        (-1.0, -1.0),
        (0.0, -1.0),
        (1.0, 0.0),
        (1.0, -1.0),
    ];
    let mut placed: Vec<([f64; 4], bool)> = Vec::with_capacity(centres.len());
    for (&(cx, cy), &w) in centres.iter().zip(widths) {
        let mut candidates = Vec::new();
        for (ring, extra) in [0.0, 14.0, 30.0, 50.0, 76.0].into_iter().enumerate() {
            for &(ux, uy) in &directions {
                // Diagonally, a box's near corner just clears the marker.
                let d = if ux != 0.0 && uy != 0.0 {
                    0.8 * (gap + extra)
                } else {
                    gap + extra
                };
                let x0 = match ux {
                    u if u < 0.0 => cx - d - w,
                    u if u > 0.0 => cx + d,
                    _ => cx - w / 2.0,
                };
                let y0 = match uy {
                    u if u < 0.0 => cy - d - LABEL_H,
                    u if u > 0.0 => cy + d,
                    _ => cy - LABEL_H / 2.0,
                };
                let b = [x0, y0, x0 + w, y0 + LABEL_H];
                if b[0] >= bounds[0] && b[1] >= bounds[1] && b[2] <= bounds[2] && b[3] <= bounds[3]
                {
                    candidates.push((b, ring > 0));
                }
            }
        }
        let taken: Vec<[f64; 4]> = placed.iter().map(|(b, _)| *b).collect();
        // What a place costs: the area it shares with other labels (weighted most), markers
        // and the frontier's line, and labels its leader crosses.
        let cost = |&(b, leader): &([f64; 4], bool)| {
            let labels: f64 = taken.iter().map(|t| overlap(t, &b)).sum();
            let marks: f64 = marker_boxes.iter().map(|m| overlap(m, &b)).sum();
            let line = segments.iter().filter(|s| crosses(s, &b)).count() as f64;
            let through = if leader {
                let end = nearest_in(&b, (cx, cy));
                taken
                    .iter()
                    .filter(|t| crosses(&[(cx, cy), end], t))
                    .count() as f64
            } else {
                0.0
            };
            10.0 * labels + marks + 50.0 * line + 200.0 * through
        };
        let clear = candidates.iter().find(|c| cost(c) == 0.0).copied();
        let chosen = match clear {
            Some(c) => c,
            None if force => candidates
                .iter()
                .copied()
                .min_by(|a, b| cost(a).total_cmp(&cost(b)))
                .unwrap_or(([cx - w / 2.0, cy, cx + w / 2.0, cy + LABEL_H], false)),
            None => return None,
        };
        placed.push(chosen);
    }
    Some(placed)
}

/// The area two boxes share.
fn overlap(a: &[f64; 4], b: &[f64; 4]) -> f64 {
    let w = a[2].min(b[2]) - a[0].max(b[0]);
    let h = a[3].min(b[3]) - a[1].max(b[1]);
    if w > 0.0 && h > 0.0 { w * h } else { 0.0 }
}

/// The point of box `b` nearest to `p`.
fn nearest_in(b: &[f64; 4], (x, y): (f64, f64)) -> (f64, f64) {
    (x.clamp(b[0], b[2]), y.clamp(b[1], b[3]))
}

/// Whether the segment `s` passes through the inside of box `b` (Liang–Barsky clipping).
fn crosses(s: &[(f64, f64); 2], b: &[f64; 4]) -> bool {
    let [(x0, y0), (x1, y1)] = *s;
    let (dx, dy) = (x1 - x0, y1 - y0);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, x0 - b[0]),
        (dx, b[2] - x0),
        (-dy, y0 - b[1]),
        (dy, b[3] - y0),
    ] {
        if p == 0.0 {
            if q <= 0.0 {
                return false;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    t1 - t0 > 1e-9
}

// ---------------------------------------------------------------------------------------------
// Drawing: analysis charts

/// Opacity of a sweep curve's confidence band.
const CURVE_BAND: f64 = 0.16;
/// Radius of the markers at a sweep's grid points, and on the frontier chart.
const CURVE_MARKER: f64 = 4.5;
const FRONTIER_MARKER: f64 = 6.0;
/// Opacity of the frontier chart's dominated markers.
const DOMINATED: f64 = 0.4;
/// The efficient frontier's line: dark grey, not the palette's black.
const FRONTIER: RGBColor = RGBColor(0x33, 0x33, 0x33);

/// A [`value_chart`] over two spans, with tick labels written for their ranges.
fn span_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (x, y): (&Span, &Span),
    ctx: Ctx,
) -> Result<ValueChart<'a, DB>, String> {
    let (fmt_x, fmt_y) = (x.format(), y.format());
    let y_tick_w = (0..=8)
        .map(|k| y.lo + (y.hi - y.lo) * f64::from(k) / 8.0)
        .map(|v| text_width(&fmt_y(&v), TICK_SIZE))
        .max()
        .unwrap_or(40);
    value_chart(
        area,
        (x.lo..x.hi, y.lo..y.hi),
        (&fmt_x, &fmt_y),
        (&x.desc, &y.desc),
        &Frame::full(y_tick_w),
        ctx,
    )
}

pub(super) fn draw_curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    series: &[CurveSeries],
    axes: (&Span, &Span),
    target: Option<&TargetLine>,
    ctx: Ctx,
) -> DrawResult {
    let (x, _) = axes;
    let mut chart = span_chart(area, axes, ctx)?;
    // Each curve's points in x order, without points that cannot be drawn.
    let curves: Vec<(RGBColor, usize, Vec<CurvePoint>)> = series
        .iter()
        .map(|s| {
            let mut points: Vec<CurvePoint> = s
                .points
                .iter()
                .filter(|p| {
                    let (low, high) = interval_ends(p.ci95);
                    [Some(p.x), Some(p.mean), low, high]
                        .into_iter()
                        .flatten()
                        .all(f64::is_finite)
                })
                .copied()
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            (policy_colour(s.policy_index), s.policy_index, points)
        })
        .collect();
    // Bands first, so that no band hides a line; a curve without intervals (one run) has none.
    chart
        .draw_series(curves.iter().filter_map(|(colour, _, points)| {
            let intervals: Option<Vec<(f64, Interval)>> =
                points.iter().map(|p| Some((p.x, p.ci95?))).collect();
            let intervals = intervals?;
            let mut outline: Vec<(f64, f64)> =
                intervals.iter().map(|(x, ci)| (*x, ci.low)).collect();
            outline.extend(intervals.iter().rev().map(|(x, ci)| (*x, ci.high)));
            Some(Polygon::new(outline, colour.mix(CURVE_BAND).filled()))
        }))
        .map_err(fail)?;
    if let Some(t) = target {
        chart
            .draw_series(std::iter::once(plotters::element::DashedPathElement::new(
                vec![(x.lo, t.value), (x.hi, t.value)],
                ctx.px(7),
                ctx.px(5),
                MUTED.stroke_width(ctx.px(2)),
            )))
            .map_err(fail)?;
    }
    chart
        .draw_series(curves.iter().map(|(colour, _, points)| {
            PathElement::new(
                points.iter().map(|p| (p.x, p.mean)).collect::<Vec<_>>(),
                colour.stroke_width(ctx.px(2)),
            )
        }))
        .map_err(fail)?;
    for (colour, index, points) in &curves {
        for p in points {
            let parts = marker_sized(*index, colour.to_rgba(), CURVE_MARKER, ctx);
            draw_marker(&mut chart, (p.x, p.mean), parts)?;
        }
    }
    // The target's label last, on a light backing, at the end of the line where the curves
    // are farther from it: they often cross the line near one end, and a label hidden under
    // markers names nothing (nor should it hide them).
    if let Some(t) = target {
        let clearance = |end: f64| {
            curves
                .iter()
                .flat_map(|(_, _, points)| points.iter().filter(|p| p.x == end))
                .map(|p| (p.mean - t.value).abs())
                .fold(f64::INFINITY, f64::min)
        };
        let first = curves.iter().filter_map(|(_, _, p)| p.first()).map(|p| p.x);
        let last = curves.iter().filter_map(|(_, _, p)| p.last()).map(|p| p.x);
        let (lo, hi) = (first.fold(x.hi, f64::min), last.fold(x.lo, f64::max));
        let at_left = clearance(lo) > clearance(hi);
        let w = ctx.pxi(text_width(&t.label, VALUE_SIZE) as i32);
        let (h, gap, bottom) = (ctx.pxi(14), ctx.pxi(6), ctx.pxi(-5));
        let (anchor, hpos, left) = if at_left {
            (x.lo, HPos::Left, gap)
        } else {
            (x.hi, HPos::Right, -gap - w)
        };
        let style = ctx.muted(VALUE_SIZE).pos(Pos::new(hpos, VPos::Bottom));
        let text_x = if at_left { left } else { left + w };
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((anchor, t.value))
                    + Rectangle::new(
                        [
                            (left - ctx.pxi(3), bottom - h - ctx.pxi(1)),
                            (left + w + ctx.pxi(3), bottom + ctx.pxi(2)),
                        ],
                        WHITE.mix(0.85).filled(),
                    )
                    + Text::new(t.label.clone(), (text_x, bottom), style),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

pub(super) fn draw_heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: &HeatMap,
    ctx: Ctx,
) -> DrawResult {
    let (key, grid) = area.split_vertically(ctx.px(h.key_rows * KEY_ROW));
    draw_heat_key(&key, h, ctx)?;
    let (nx, ny) = (h.x_labels.len().max(1), h.y_labels.len().max(1));
    let mut chart = ChartBuilder::on(&grid)
        .margin_top(ctx.px(12))
        .margin_right(ctx.px(HEAT_RIGHT))
        .margin_left(ctx.px(PAD))
        .margin_bottom(ctx.px(8))
        .x_label_area_size(ctx.px(X_AXIS_HEIGHT))
        .y_label_area_size(ctx.px(h.y_label_w))
        .build_cartesian_2d(Rows { n: nx }, Rows { n: ny })
        .map_err(fail)?;
    let label = |labels: &[String], every: usize, v: &f64| {
        let i = v.round().max(0.0) as usize;
        if i.is_multiple_of(every) {
            labels.get(i).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let fmt_x = |v: &f64| label(&h.x_labels, h.x_every, v);
    let fmt_y = |v: &f64| label(&h.y_labels, 1, v);
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx)
        .y_labels(ny)
        .axis_style(AXIS.stroke_width(ctx.px(1)))
        .set_all_tick_mark_size(ctx.px(5))
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .label_style(ctx.font(TICK_SIZE))
        .axis_desc_style(ctx.font(LABEL_SIZE))
        .x_desc(h.x.desc.clone())
        .y_desc(h.y.desc.clone())
        .draw()
        .map_err(fail)?;
    let (lo, hi) = h.range;
    let shade = |v: f64| ramp(if hi > lo { (v - lo) / (hi - lo) } else { 0.5 });
    for (j, row) in h.means.iter().enumerate().take(ny) {
        for (i, cell) in row.iter().enumerate().take(nx) {
            let (cx, cy) = (i as f64, j as f64);
            let corners = [(cx - 0.5, cy - 0.5), (cx + 0.5, cy + 0.5)];
            let fill = cell.filter(|v| v.is_finite()).map_or(WHITE, shade);
            chart
                .draw_series([
                    Rectangle::new(corners, fill.filled()),
                    Rectangle::new(corners, WHITE.stroke_width(ctx.px(2))),
                ])
                .map_err(fail)?;
            let Some(size) = h.cell_font else { continue };
            let (text, colour) = match cell {
                Some(v) if v.is_finite() => {
                    let dark = luminance(blend(fill, 1.0)) < DARK_CELL;
                    (
                        compact_value(h.metric.kind, *v),
                        if dark { WHITE } else { TEXT },
                    )
                }
                _ => ("–".to_string(), MUTED),
            };
            let style = (FONT, size * ctx.scale)
                .into_font()
                .color(&colour)
                .pos(Pos::new(HPos::Center, VPos::Center));
            chart
                .draw_series(std::iter::once(Text::new(text, (cx, cy), style)))
                .map_err(fail)?;
        }
    }
    Ok(())
}

/// The heat map's key: the policy, then the colour scale with its ends and middle.
fn draw_heat_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: &HeatMap,
    ctx: Ctx,
) -> DrawResult {
    let middle = |row: u32| ctx.pxi((KEY_ROW * row + KEY_ROW / 2 - 6) as i32);
    let policy_at = |_: usize| (ctx.pxi(PAD as i32), middle(0));
    draw_legend(area, std::slice::from_ref(&h.policy), policy_at, ctx)?;
    let row = h.key_rows - 1;
    let left = WIDTH - HEAT_RIGHT - 16 - SCALE_BAR;
    let top = KEY_ROW * row + KEY_ROW / 2 - 12;
    let (x0, y0, y1) = (
        ctx.pxi(left as i32),
        ctx.pxi(top as i32),
        ctx.pxi(top as i32 + 12),
    );
    area.draw_text(
        &h.metric.desc,
        &ctx.font(LABEL_SIZE)
            .pos(Pos::new(HPos::Right, VPos::Center)),
        (x0 - ctx.pxi(12), (y0 + y1) / 2),
    )
    .map_err(fail)?;
    const STEPS: u32 = 60;
    for k in 0..STEPS {
        let from = ctx.pxi((left + SCALE_BAR * k / STEPS) as i32);
        let to = ctx.pxi((left + SCALE_BAR * (k + 1) / STEPS) as i32);
        let colour = ramp((f64::from(k) + 0.5) / f64::from(STEPS));
        area.draw(&Rectangle::new([(from, y0), (to, y1)], colour.filled()))
            .map_err(fail)?;
    }
    area.draw(&Rectangle::new(
        [(x0, y0), (ctx.pxi((left + SCALE_BAR) as i32), y1)],
        AXIS.mix(0.6).stroke_width(1),
    ))
    .map_err(fail)?;
    let (lo, hi) = h.range;
    for (t, pos) in [(0.0, HPos::Left), (0.5, HPos::Center), (1.0, HPos::Right)] {
        let x = ctx.pxi((f64::from(left) + t * f64::from(SCALE_BAR)).round() as i32);
        area.draw_text(
            &compact_value(h.metric.kind, lo + t * (hi - lo)),
            &ctx.muted(VALUE_SIZE).pos(Pos::new(pos, VPos::Top)),
            (x, y1 + ctx.pxi(4)),
        )
        .map_err(fail)?;
    }
    Ok(())
}

pub(super) fn draw_frontier<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (points, frontier): (&[FrontierPoint], &[usize]),
    axes: (&Span, &Span),
    (labels, key): (&[FrontierLabel], Option<&FrontierKey>),
    ctx: Ctx,
) -> DrawResult {
    let (plot, key_area) = match key {
        Some(k) => {
            let (plot, under) = area.split_vertically(area.dim_in_pixel().1 - ctx.px(k.height));
            (plot, Some(under))
        }
        None => (area.clone(), None),
    };
    let mut chart = span_chart(&plot, axes, ctx)?;
    let at = |p: &FrontierPoint| (p.cost, p.stockout_rate);
    chart
        .draw_series(std::iter::once(PathElement::new(
            frontier.iter().map(|&i| at(&points[i])).collect::<Vec<_>>(),
            FRONTIER.stroke_width(ctx.px(2)),
        )))
        .map_err(fail)?;
    // Dominated points first and faded, the frontier's on top of them.
    let drawable = |p: &&FrontierPoint| p.cost.is_finite() && p.stockout_rate.is_finite();
    let dominated = (0..points.len()).filter(|i| !frontier.contains(i));
    for (i, alpha) in dominated
        .map(|i| (i, DOMINATED))
        .chain(frontier.iter().map(|&i| (i, 1.0)))
    {
        let p = &points[i];
        if !drawable(&p) {
            continue;
        }
        let k = p.policy_index;
        let mut parts = marker_sized(k, policy_colour(k).mix(alpha), FRONTIER_MARKER, ctx);
        if alpha < 1.0 {
            // The faded colour over a white marker (its outline and fill), so it fades towards
            // white rather than towards the outline's dark.
            let under = marker_sized(k, WHITE.to_rgba(), FRONTIER_MARKER, ctx);
            parts = under.into_iter().chain(parts.into_iter().skip(1)).collect();
        }
        draw_marker(&mut chart, at(p), parts)?;
    }
    draw_frontier_labels(&mut chart, points, labels, ctx)?;
    if let (Some(k), Some(under)) = (key, key_area) {
        draw_frontier_key(&under, points, k, ctx)?;
    }
    Ok(())
}

/// The efficient points' labels where [`frontier_layout`] put them: leader lines first, then
/// each label on a light ground (so grid lines and the frontier do not cross it).
fn draw_frontier_labels<DB: DrawingBackend>(
    chart: &mut ValueChart<'_, DB>,
    points: &[FrontierPoint],
    labels: &[FrontierLabel],
    ctx: Ctx,
) -> DrawResult {
    let s = ctx.scale;
    let px = |v: f64| (v * s).round() as i32;
    let at = |l: &FrontierLabel| (points[l.point].cost, points[l.point].stockout_rate);
    for l in labels.iter().filter(|l| l.leader) {
        // From the marker's edge to the nearest point of the label's box.
        let (ex, ey) = nearest_in(&l.rect, (0.0, 0.0));
        let len = ex.hypot(ey);
        if len <= FRONTIER_MARKER + 2.0 {
            continue;
        }
        let start = (FRONTIER_MARKER + 1.5) / len;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at(l))
                    + PathElement::new(
                        vec![(px(ex * start), px(ey * start)), (px(ex), px(ey))],
                        MUTED.stroke_width(ctx.px(1)),
                    ),
            ))
            .map_err(fail)?;
    }
    for l in labels {
        let [x0, y0, x1, y1] = l.rect;
        let style = ctx
            .font(VALUE_SIZE)
            .pos(Pos::new(HPos::Center, VPos::Center));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at(l))
                    + Rectangle::new(
                        [(px(x0), px(y0)), (px(x1), px(y1))],
                        WHITE.mix(0.85).filled(),
                    )
                    + Text::new(
                        l.text.clone(),
                        (px((x0 + x1) / 2.0), px((y0 + y1) / 2.0)),
                        style,
                    ),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

/// The key of a numbered frontier: a heading, then each efficient point's marker, number and
/// value in columns, by cost.
fn draw_frontier_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[FrontierPoint],
    key: &FrontierKey,
    ctx: Ctx,
) -> DrawResult {
    area.draw_text(
        "Efficient points by cost: number, policy: value",
        &ctx.muted(VALUE_SIZE)
            .pos(Pos::new(HPos::Left, VPos::Center)),
        (ctx.pxi(PAD as i32), ctx.pxi(KEY_LINE as i32 / 2)),
    )
    .map_err(fail)?;
    let rows = key.entries.len().div_ceil(key.columns).max(1);
    for (k, (number, point, label)) in key.entries.iter().enumerate() {
        // Down the first column, then the next.
        let (column, row) = ((k / rows) as u32, (k % rows) as u32);
        let x = PAD + column * key.column_width;
        let y = KEY_LINE + row * KEY_LINE + KEY_LINE / 2;
        let index = points[*point].policy_index;
        let centre = (ctx.pxi(x as i32 + 7), ctx.pxi(y as i32));
        for part in marker_sized(index, policy_colour(index).to_rgba(), 5.0, ctx) {
            match part {
                MarkerPart::Disc(d) => area.draw(&(EmptyElement::at(centre) + d)),
                MarkerPart::Shape(p) => area.draw(&(EmptyElement::at(centre) + p)),
            }
            .map_err(fail)?;
        }
        let text_x = x + KEY_MARKER_ROOM;
        let left = Pos::new(HPos::Left, VPos::Center);
        area.draw_text(
            number,
            &ctx.font(VALUE_SIZE).pos(left),
            (ctx.pxi(text_x as i32), ctx.pxi(y as i32)),
        )
        .map_err(fail)?;
        area.draw_text(
            label,
            &ctx.font(VALUE_SIZE).pos(left),
            (
                ctx.pxi((text_x + text_width(number, VALUE_SIZE) + 8) as i32),
                ctx.pxi(y as i32),
            ),
        )
        .map_err(fail)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heat_map_scale_runs_light_to_dark_and_avoids_the_palette() {
        let lum = |c: RGBColor| luminance(blend(c, 1.0));
        let mut previous = f64::INFINITY;
        for k in 0..=1000 {
            let c = ramp(f64::from(k) / 1000.0);
            assert!(!PALETTE.contains(&c), "{c:?}");
            assert!(lum(c) <= previous + 1e-9, "not darker at {k}");
            previous = lum(c);
        }
        assert!(lum(ramp(0.0)) > 0.7 && lum(ramp(1.0)) < DARK_CELL);
        assert_ne!(FRONTIER, PALETTE[6]);
    }

    #[test]
    fn segments_cross_the_boxes_they_pass_through() {
        let b = [10.0, 10.0, 20.0, 20.0];
        assert!(crosses(&[(0.0, 0.0), (30.0, 30.0)], &b));
        assert!(crosses(&[(15.0, 0.0), (15.0, 12.0)], &b));
        assert!(!crosses(&[(0.0, 0.0), (30.0, 5.0)], &b));
        assert!(!crosses(&[(0.0, 25.0), (8.0, 0.0)], &b));
        assert_eq!(overlap(&b, &[15.0, 15.0, 30.0, 30.0]), 25.0);
        assert_eq!(overlap(&b, &[20.0, 10.0, 30.0, 20.0]), 0.0);
    }

    /// Labels go below and left of a frontier first, clear of each other and of every marker;
    /// points too crowded for labels in words have no layout unless forced, and a forced layout
    /// still gives every point its place.
    #[test]
    fn frontier_labels_are_placed_clear_of_each_other() {
        ensure_font();
        let bounds = [0.0, 0.0, 600.0, 400.0];
        let centres: Vec<(f64, f64)> = (0..6)
            .map(|k| (100.0 + 80.0 * k as f64, 60.0 + 50.0 * k as f64))
            .collect();
        let widths = vec![40.0; centres.len()];
        let placed = place_labels(&centres, &widths, &centres, bounds, false).unwrap();
        let r = FRONTIER_MARKER + 2.0;
        for (k, (b, _)) in placed.iter().enumerate() {
            assert!(b[0] >= 0.0 && b[2] <= 600.0 && b[1] >= 0.0 && b[3] <= 400.0);
            for (c, _) in &placed[k + 1..] {
                assert_eq!(overlap(b, c), 0.0);
            }
            for &(x, y) in &centres {
                assert_eq!(overlap(b, &[x - r, y - r, x + r, y + r]), 0.0);
            }
        }
        // The first choice is south-west of the point.
        let (b, leader) = placed[0];
        assert!(b[2] < centres[0].0 && b[1] > centres[0].1 && !leader);
        // Twenty points on top of one another.
        let crowded = vec![(300.0, 200.0); 20];
        let widths = vec![60.0; 20];
        assert!(place_labels(&crowded, &widths, &crowded, bounds, false).is_none());
        let forced = place_labels(&crowded, &widths, &crowded, bounds, true).unwrap();
        assert_eq!(forced.len(), 20);
    }

    #[test]
    fn frontier_points_are_undominated_and_sorted_by_cost() {
        let points = [(2.0, 0.1), (1.0, 0.2), (2.0, 0.05), (3.0, 0.05), (0.5, 0.5)];
        assert_eq!(frontier_points(&points), [4, 1, 2]);
        // Two equal points are both efficient.
        assert_eq!(frontier_points(&[(1.0, 1.0), (1.0, 1.0)]), [0, 1]);
        assert_eq!(frontier_points(&[(f64::INFINITY, 0.0), (1.0, 1.0)]), [1]);
    }

    #[test]
    fn span_ticks_get_the_decimals_their_spacing_needs() {
        ensure_font();
        let span = |kind, lo, hi| Span {
            desc: String::new(),
            kind,
            lo,
            hi,
        };
        let f = span(ValueKind::Number, 0.9, 0.99).format();
        assert_eq!(
            (f(&0.9), f(&0.925)),
            ("0.9".to_string(), "0.925".to_string())
        );
        let f = span(ValueKind::Percent, 0.0, 0.2).format();
        assert_eq!(
            (f(&0.05), f(&0.025)),
            ("5%".to_string(), "2.5%".to_string())
        );
        let f = span(ValueKind::Money, 0.0, 40_000.0).format();
        assert_eq!(f(&25_000.0), "25,000");
        // Values far from zero do not start the axis at zero; values near it do.
        let s = Span::values(
            AxisSpec {
                desc: String::new(),
                kind: ValueKind::Money,
            },
            [60_000.0, 80_000.0].into_iter(),
        );
        assert!(s.lo > 50_000.0 && s.hi > 80_000.0);
        let s = Span::values(
            AxisSpec {
                desc: String::new(),
                kind: ValueKind::Percent,
            },
            [0.01, 0.09].into_iter(),
        );
        assert_eq!(s.lo, 0.0);
    }
}
