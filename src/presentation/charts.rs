//! Charts of a run's results, drawn with plotters into SVG and PNG.
//!
//! Every chart is described first (`Spec`: title, rows, axes, its size), then drawn twice
//! by the same generic code, once on plotters' SVG backend and once on its bitmap backend at
//! twice the size (for print and slides), so the two files always show the same thing.
//!
//! Text takes a pure-Rust path, with no system font library: DejaVu Sans is compiled into the
//! binary (`assets/DejaVuSans.ttf`, `include_bytes!`) and registered with plotters' `ab_glyph`
//! feature, which measures every label (so label areas are sized to the longest policy or
//! item name) and rasterises the PNG text. The SVG files keep text as `<text>` elements with
//! the font list [`FONT`]; DejaVu Sans is wider than the usual substitutes (Verdana aside),
//! so text a viewer draws in another font still fits the room measured for it.
//!
//! Colours: policy `i` is drawn in [`PALETTE`]`[i % 8]` on every chart, the Okabe–Ito
//! colour-blind-safe palette (Okabe & Ito, "Color Universal Design", 2008), ordered so that
//! the first colours are the easiest to tell apart; the scatter chart adds a marker shape per
//! policy, so points can be told apart in grey print too. No other element uses a palette
//! colour, so a chart's series can be counted from its file.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;

use crate::foundation::format::group_thousands;
use crate::presentation::format::ValueKind;
use crate::results::saved::{SavedEstimate, SavedFan, SavedPolicy, SavedSummary};

/// Font family written into SVG text, and the name DejaVu Sans is registered under.
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Okabe–Ito colours, one per policy (by policy order), shared by all charts.
pub const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black (text and axes are dark grey, never pure black)
    RGBColor(0xF0, 0xE4, 0x42), // yellow (last: weakest against white)
];

const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
const AXIS: RGBColor = RGBColor(0x44, 0x44, 0x44);
const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const WHISKER: RGBColor = RGBColor(0x11, 0x11, 0x11);
/// Shading of scheduled disruption windows: a warm grey, never a policy colour.
const DISRUPTED: RGBColor = RGBColor(0xE4, 0xDC, 0xD4);

/// Opacity of the fan chart's outer (p05–p95) and inner (p25–p75) bands.
const FAN_OUTER: f64 = 0.16;
const FAN_INNER: f64 = 0.38;
/// Height of one policy's panel in the fan chart.
const FAN_PANEL_HEIGHT: u32 = 250;

/// Width of every chart in SVG pixels; PNGs are drawn at [`PNG_SCALE`] times this.
pub const WIDTH: u32 = 900;
pub const PNG_SCALE: f64 = 2.0;

/// At most this many items are drawn one by one in the per-item chart; the rest are averaged.
pub const WORST_ITEMS: usize = 12;

/// The colour of policy `index`.
pub fn policy_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The colour of policy `index` as `#RRGGBB`, as the SVG files write it.
pub fn policy_colour_hex(index: usize) -> String {
    let RGBColor(r, g, b) = policy_colour(index);
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Every chart the reporter can draw, by file stem.
pub const ALL_NAMES: [&str; 6] = [
    "stockout-rate",
    "days-of-supply",
    "cost-service",
    "on-hand",
    "cost-breakdown",
    "item-stockout-rate",
];

/// Cost metrics stacked in the cost breakdown, with their labels: each one present in the
/// summary gets a segment, so cost kinds the engine adds later appear without a change here.
pub const COST_PARTS: [(&str, &str); 5] = [
    ("carrying_cost", "carrying"),
    ("ordering_cost", "ordering"),
    ("stockout_cost", "stockout"),
    ("expedite_cost", "expediting"),
    ("purchase_premium_cost", "purchase premium"),
];

/// Opacity of each stacked segment over the policy colour, darkest first.
const PART_ALPHA: [f64; 5] = [1.0, 0.62, 0.36, 0.18, 0.07];

/// A drawn chart.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File stem: `charts/NAME.svg` and `charts/NAME.png`.
    pub name: &'static str,
    /// What is compared.
    pub title: String,
    /// How to read it: the chart's subtitle, also the figure's description in report.html.
    pub caption: String,
    /// Size of the SVG; the PNG is [`PNG_SCALE`] times larger.
    pub width: u32,
    pub height: u32,
    /// Number of policies drawn.
    pub series: usize,
    pub svg: String,
    pub png: Vec<u8>,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart '{name}': {message}")]
pub struct ChartError {
    pub name: &'static str,
    pub message: String,
}

/// Draw every chart the summary has data for: the per-item chart only when there are two
/// items or more (with one it would repeat the first chart).
pub fn render_all(summary: &SavedSummary) -> Result<Vec<Chart>, ChartError> {
    ensure_font();
    let mut specs = vec![
        stockout_rate(summary),
        days_of_supply(summary),
        cost_service(summary),
    ];
    // Summaries written before the engine recorded stock paths have no fan to draw.
    specs.extend(on_hand_fan(summary));
    specs.push(cost_breakdown(summary));
    if summary.item_names().len() >= 2 {
        specs.push(item_stockout_rate(summary));
    }
    // Charts are independent: draw them on all cores (the output does not depend on it).
    specs.par_iter().map(render).collect()
}

fn ensure_font() {
    static REGISTERED: OnceLock<()> = OnceLock::new();
    REGISTERED.get_or_init(|| {
        // The font is compiled in, so it always parses; the fallback name covers text that
        // plotters styles itself.
        for name in [FONT, "sans-serif"] {
            if plotters::style::register_font(name, FontStyle::Normal, FONT_BYTES).is_err() {
                panic!("the embedded DejaVu Sans does not parse");
            }
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Descriptions

/// A chart before it is drawn: everything needed to lay it out on any backend.
struct Spec {
    name: &'static str,
    title: String,
    subtitle: Vec<String>,
    caption: String,
    height: u32,
    series: usize,
    plot: Plot,
    legend: Vec<LegendEntry>,
}

struct LegendEntry {
    label: String,
    colour: RGBAColor,
    marker: Marker,
}

#[derive(Clone, Copy)]
enum Marker {
    Square,
    Shape(usize),
}

/// A horizontal band: one policy (or one policy within an item's group).
struct Bar {
    colour: RGBColor,
    estimate: Option<SavedEstimate>,
    /// Drawn lighter and without an interval (an average of other items).
    faint: bool,
}

/// A row of a categorical chart: its label and its bars, top to bottom.
struct Row {
    label: String,
    bars: Vec<Bar>,
}

struct Segment {
    label: &'static str,
    alpha: f64,
    value: f64,
}

struct StackRow {
    label: String,
    colour: RGBColor,
    segments: Vec<Segment>,
    total: Option<SavedEstimate>,
}

struct Point {
    colour: RGBColor,
    index: usize,
    x: SavedEstimate,
    y: SavedEstimate,
}

/// A value axis: its description (with units) and how its ticks are written.
struct Axis {
    desc: String,
    kind: ValueKind,
    max: f64,
}

/// One policy's panel of the fan chart.
struct FanPanel {
    label: String,
    colour: RGBColor,
    fan: SavedFan,
}

/// A scheduled disruption's window `[start, end)` in days, with its name.
struct Window {
    label: String,
    days: (f64, f64),
}

enum Plot {
    /// Bars with a 95% CI whisker and a value label.
    Bars {
        rows: Vec<Row>,
        axis: Axis,
    },
    /// p05–p95 band, median line, mean with CI.
    Spread {
        rows: Vec<Row>,
        axis: Axis,
        unit: &'static str,
    },
    Stacked {
        rows: Vec<StackRow>,
        axis: Axis,
    },
    Scatter {
        points: Vec<Point>,
        x: Axis,
        y: Axis,
    },
    /// One panel per policy: percentile bands over time, shaded disruption windows.
    Fans {
        panels: Vec<FanPanel>,
        windows: Vec<Window>,
        /// The first day charted (after the warm-up); the x axis ends at `x.max`.
        first_day: f64,
        x: Axis,
        y: Axis,
    },
    /// A sweep: one line per policy over the parameter, its confidence band around it.
    Curves {
        series: Vec<CurveSeries>,
        x: Span,
        y: Span,
        target: Option<TargetLine>,
    },
    /// A two-parameter sweep of one policy.
    HeatMap(Box<HeatMap>),
    /// Cost against stockout rate for every (policy, value), the efficient frontier joined.
    Frontier {
        points: Vec<FrontierPoint>,
        /// Indices into `points`, by cost.
        frontier: Vec<usize>,
        x: Span,
        y: Span,
    },
}

/// Room for a text in pixels at scale 1, measured with the embedded font.
fn text_width(text: &str, size: f64) -> u32 {
    (FONT, size)
        .into_font()
        .box_size(text)
        .map_or(text.chars().count() as u32 * size as u32, |(w, _)| w)
}

/// Break `text` into lines no wider than `max` pixels.
fn wrap(text: &str, size: f64, max: u32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size) > max && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

const TITLE_SIZE: f64 = 21.0;
const SUBTITLE_SIZE: f64 = 14.5;
const LABEL_SIZE: f64 = 15.0;
const TICK_SIZE: f64 = 14.0;
const VALUE_SIZE: f64 = 13.5;
const PAD: u32 = 16;

fn header_height(subtitle: &[String]) -> u32 {
    44 + 19 * subtitle.len() as u32 + 6
}

fn subtitle(text: &str) -> Vec<String> {
    wrap(text, SUBTITLE_SIZE, WIDTH - 2 * PAD)
}

/// Height of the value axis (tick labels and description) under the plot.
const X_AXIS_HEIGHT: u32 = 58;

fn legend_width(entries: &[LegendEntry]) -> u32 {
    let widest = entries
        .iter()
        .map(|e| text_width(&e.label, LABEL_SIZE))
        .max()
        .unwrap_or(0);
    widest + 44
}

/// Where a chart's legend goes: in a column right of the plot while that costs at most a
/// quarter of the width and fits the plot's height, otherwise in rows of columns above it,
/// so long names never squeeze the plot.
#[derive(Clone, Copy)]
enum LegendPlace {
    None,
    Right {
        width: u32,
    },
    Top {
        columns: usize,
        column_width: u32,
        height: u32,
    },
}

const LEGEND_STEP: u32 = 24;

fn legend_place(spec: &Spec) -> LegendPlace {
    if spec.legend.is_empty() {
        return LegendPlace::None;
    }
    let width = legend_width(&spec.legend);
    let body = spec.height - header_height(&spec.subtitle);
    let column = 18 + LEGEND_STEP * spec.legend.len() as u32;
    // Fan panels need the full width more than a legend needs a column.
    let panels = matches!(spec.plot, Plot::Fans { .. });
    if width <= WIDTH / 4 && column <= body && !panels {
        LegendPlace::Right { width }
    } else {
        let columns = ((WIDTH - 2 * PAD) / width).max(1) as usize;
        let rows = spec.legend.len().div_ceil(columns) as u32;
        LegendPlace::Top {
            columns,
            column_width: width,
            height: LEGEND_STEP * rows + 14,
        }
    }
}

/// The chart's full height: its plot, and a legend above it if it has one there.
fn total_height(spec: &Spec) -> u32 {
    match legend_place(spec) {
        LegendPlace::Top { height, .. } => spec.height + height,
        _ => spec.height,
    }
}

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

fn runs_text(summary: &SavedSummary) -> String {
    format!("{} runs", group_thousands(summary.runs as f64, 0))
}

/// Chart 1: stockout rate (all items) by policy, with 95% CIs.
fn stockout_rate(summary: &SavedSummary) -> Spec {
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
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.ci95_high);
    let sub = subtitle(&format!(
        "Share of demand not served from stock when it arose, all items together; bar: mean \
         over {}, whisker: its 95% confidence interval.",
        runs_text(summary)
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
        },
        legend: Vec::new(),
    }
}

/// Chart 2: days of supply by policy, its spread over runs.
fn days_of_supply(summary: &SavedSummary) -> Spec {
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
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| {
        e.p95.max(e.ci95_high)
    });
    let sub = subtitle(&format!(
        "Average stock on hand in days of average demand, all items, over {}. Box: 5th to 95th \
         percentile of runs; thick line: median; dot: mean with its 95% confidence interval.",
        runs_text(summary)
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
        },
        legend: Vec::new(),
    }
}

/// Chart 3: carrying cost against stockout rate, one point per policy.
fn cost_service(summary: &SavedSummary) -> Spec {
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
        .map(|p| p.x.p95.max(p.x.ci95_high))
        .fold(0.0, f64::max);
    let y_max = points
        .iter()
        .map(|p| p.y.p95.max(p.y.ci95_high))
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
                desc: "Carrying cost (currency per year)".into(),
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

/// Chart 4: stock on hand over the horizon, one fan per policy, scheduled disruptions shaded.
fn on_hand_fan(summary: &SavedSummary) -> Option<Spec> {
    let panels: Vec<FanPanel> = summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Some(FanPanel {
                label: p.policy.clone(),
                colour: policy_colour(i),
                fan: p.on_hand_fan.clone()?,
            })
        })
        .collect::<Option<_>>()?;
    let in_units = panels.first()?.fan.measure == "units";
    let y_max = panels
        .iter()
        .flat_map(|p| &p.fan.p95)
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let windows: Vec<Window> = summary
        .disruptions
        .iter()
        .flat_map(|d| &d.by_disruption)
        .flat_map(|d| {
            d.scheduled.iter().map(|&[start, end]| Window {
                label: d.disruption.clone(),
                days: (start as f64, end as f64),
            })
        })
        .collect();
    let what = if in_units {
        "Stock on hand in units"
    } else {
        "Value of stock on hand (units × unit cost, all items)"
    };
    let shaded = if windows.is_empty() {
        String::new()
    } else {
        " Shaded: days of scheduled disruptions.".to_string()
    };
    let sub = subtitle(&format!(
        "{what} at the end of each day, over {}: the line is each day's median over runs, the dark band \
         holds the middle half of runs (25th–75th percentile), the light band 90% of them \
         (5th–95th).{shaded}",
        runs_text(summary)
    ));
    let mut legend = vec![
        LegendEntry {
            label: "5th–95th percentile".into(),
            colour: MUTED.mix(FAN_OUTER),
            marker: Marker::Square,
        },
        LegendEntry {
            label: "25th–75th percentile".into(),
            colour: MUTED.mix(FAN_INNER),
            marker: Marker::Square,
        },
        LegendEntry {
            label: "median".into(),
            colour: MUTED.to_rgba(),
            marker: Marker::Square,
        },
    ];
    if !windows.is_empty() {
        legend.push(LegendEntry {
            label: "scheduled disruption".into(),
            colour: DISRUPTED.to_rgba(),
            marker: Marker::Square,
        });
    }
    let rows = panels.len().div_ceil(fan_columns(panels.len())) as u32;
    Some(Spec {
        name: "on-hand",
        title: "Stock on hand over the horizon by policy: spread over runs".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + rows * FAN_PANEL_HEIGHT + 8,
        subtitle: sub,
        series: panels.len(),
        plot: Plot::Fans {
            panels,
            windows,
            first_day: summary.warmup_days as f64,
            x: Axis {
                desc: "Day of the horizon".into(),
                kind: ValueKind::Number,
                max: summary.horizon_days as f64,
            },
            y: Axis {
                desc: if in_units {
                    "On hand (units)".into()
                } else {
                    "On hand (currency)".into()
                },
                kind: if in_units {
                    ValueKind::Number
                } else {
                    ValueKind::Money
                },
                max: nonzero(y_max),
            },
        },
        legend,
    })
}

/// Panels side by side in the fan chart: one alone, otherwise two per row.
fn fan_columns(panels: usize) -> usize {
    if panels <= 1 { 1 } else { 2 }
}

/// Chart 5: the yearly cost of each policy, stacked by kind.
fn cost_breakdown(summary: &SavedSummary) -> Spec {
    // Kinds of cost that are zero under every policy (expediting in a scenario that never
    // expedites) are left out of the bars and the legend.
    let parts: Vec<(usize, &str, &'static str)> = COST_PARTS
        .iter()
        .enumerate()
        .filter(|(_, (metric, _))| {
            summary
                .policies
                .iter()
                .any(|p| p.metric(metric).is_some_and(|e| e.mean > 0.0))
        })
        .map(|(k, (metric, label))| (k, *metric, *label))
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
                .map(|&(k, metric, label)| Segment {
                    label,
                    alpha: PART_ALPHA[k],
                    value: p.metric(metric).map_or(0.0, |e| e.mean.max(0.0)),
                })
                .collect(),
            total: p.metric("total_cost").copied(),
        })
        .collect();
    let max = rows
        .iter()
        .map(|r| {
            let sum: f64 = r.segments.iter().map(|s| s.value).sum();
            r.total.map_or(sum, |t| t.ci95_high.max(sum))
        })
        .fold(0.0, f64::max);
    let names: Vec<&str> = parts.iter().map(|p| p.2).collect();
    let sub = subtitle(&format!(
        "Mean yearly cost over {}, all items, split into {} cost (darkest to lightest shade of \
         the policy's colour); whisker: 95% confidence interval of the total.",
        runs_text(summary),
        join_words(&names)
    ));
    let legend = parts
        .iter()
        .map(|&(k, _, label)| LegendEntry {
            label: label.to_string(),
            colour: MUTED.mix(PART_ALPHA[k]),
            marker: Marker::Square,
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
                desc: "Cost (currency per year)".into(),
                kind: ValueKind::Money,
                max: nonzero(max),
            },
        },
        legend,
    }
}

/// Chart 6: stockout rate per item for each policy, the worst items one by one.
fn item_stockout_rate(summary: &SavedSummary) -> Spec {
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
                            ci95_low: avg,
                            ci95_high: avg,
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
    let max = max_of(rows.iter().flat_map(|r| &r.bars), |e| e.ci95_high);
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
        },
        legend: policies_legend(summary, false),
    }
}

fn max_of<'a>(bars: impl Iterator<Item = &'a Bar>, f: impl Fn(&SavedEstimate) -> f64) -> f64 {
    nonzero(
        bars.filter_map(|b| b.estimate.as_ref())
            .map(f)
            .fold(0.0, f64::max),
    )
}

/// An axis maximum that leaves room to draw when every value is zero.
fn nonzero(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max
    } else {
        1e-3
    }
}

fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

// ---------------------------------------------------------------------------------------------
// Descriptions: analysis charts (`sweep`)
//
// Drawn from plain data the analyses fill in, with the same fonts, sizes and palette rule as
// the report: policy `i` in `policy_colour(i)` with marker shape `i`, nothing else in a palette
// colour (the heat map's scale is a grey-to-teal ramp that avoids them).

/// File stems of the sweep curves, by the metric they chart.
pub const SWEEP_CURVE_NAMES: [(&str, &str); 5] = [
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

/// File stems of the heat maps, one per policy, by policy index.
pub const HEAT_MAP_NAMES: [&str; 16] = [
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

/// An axis of an analysis chart: its description with its unit, and how values are written.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisSpec {
    pub desc: String,
    pub kind: ValueKind,
}

/// One grid point of a sweep curve: the metric's mean over runs and its 95% confidence
/// interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurvePoint {
    pub x: f64,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// One policy's curve.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveSeries {
    pub label: String,
    /// Its index in the scenario's policy order: decides its colour and marker.
    pub policy_index: usize,
    pub points: Vec<CurvePoint>,
}

/// A horizontal reference line, e.g. a stockout-rate target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    pub value: f64,
    pub label: String,
}

/// A sweep: a metric (y) against the parameter varied (x), one curve per policy.
#[derive(Clone, Debug, PartialEq)]
pub struct CurveChart {
    /// File stem, e.g. from [`sweep_curve_name`].
    pub name: &'static str,
    pub title: String,
    /// What was run (scenario, parameter, grid); the chart adds how to read it.
    pub subtitle: String,
    /// Runs behind each point.
    pub runs: u64,
    /// The parameter, e.g. `policy.kanban.safety_factor (share of lead-time demand)`.
    pub x: AxisSpec,
    /// The metric, e.g. `Stockout rate (% of demand)`.
    pub y: AxisSpec,
    pub series: Vec<CurveSeries>,
    pub target: Option<TargetLine>,
}

/// A two-parameter sweep of one policy: a metric's mean in each cell of the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatMapChart {
    /// File stem, e.g. from [`heat_map_name`].
    pub name: &'static str,
    pub title: String,
    /// What was run; the chart adds how to read it.
    pub subtitle: String,
    pub runs: u64,
    pub policy: String,
    pub policy_index: usize,
    /// The first parameter, across, and its grid values (left to right).
    pub x: AxisSpec,
    pub x_values: Vec<f64>,
    /// The second parameter, up, and its grid values (bottom to top).
    pub y: AxisSpec,
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
    pub policy_index: usize,
    /// Mean carrying cost per year.
    pub cost: f64,
    /// Mean stockout rate (a share).
    pub stockout_rate: f64,
    /// The parameter value(s) of the point, written beside it when it is on the frontier
    /// (e.g. from [`value_labels`]).
    pub label: String,
}

/// Every (policy, grid point) of a sweep: carrying cost against stockout rate, with the
/// efficient frontier.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierChart {
    /// File stem, normally [`FRONTIER_NAME`].
    pub name: &'static str,
    pub title: String,
    /// What was run; the chart adds how to read it.
    pub subtitle: String,
    pub runs: u64,
    /// Policy names by index, for the legend (only policies with points are listed).
    pub policies: Vec<String>,
    pub points: Vec<FrontierPoint>,
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
struct Span {
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
            .flat_map(|p| [p.low, p.high, p.mean])
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
struct HeatMap {
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

/// Frontier chart: every (policy, grid point), the efficient ones joined and labelled.
fn frontier_spec(f: FrontierChart) -> Spec {
    let pairs: Vec<(f64, f64)> = f.points.iter().map(|p| (p.cost, p.stockout_rate)).collect();
    let frontier = frontier_points(&pairs);
    let x = Span::values(
        AxisSpec {
            desc: "Carrying cost (currency per year)".into(),
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
    let sub = lead_and_reading(
        &f.subtitle,
        &format!(
            "One marker per policy and value run: the mean over {}. The dark line joins the \
             efficient points (no other point has both a lower or equal carrying cost and a \
             lower or equal stockout rate), labelled with their value; faded markers are \
             dominated. Lower and further left is better.",
            runs_count(f.runs)
        ),
    );
    let legend = policy_entries(f.points.iter().map(|p| {
        let name = f
            .policies
            .get(p.policy_index)
            .cloned()
            .unwrap_or_else(|| format!("policy {}", p.policy_index + 1));
        (p.policy_index, name)
    }));
    Spec {
        name: f.name,
        title: f.title,
        caption: sub.join(" "),
        height: header_height(&sub) + 460,
        subtitle: sub,
        series: legend.len(),
        plot: Plot::Frontier {
            points: f.points,
            frontier,
            x,
            y,
        },
        legend,
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing

type DrawResult = Result<(), String>;

fn fail<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Pixel sizes at a scale: 1 for SVG, [`PNG_SCALE`] for PNG.
#[derive(Clone, Copy)]
struct Ctx {
    scale: f64,
}

impl Ctx {
    fn px(self, v: u32) -> u32 {
        (v as f64 * self.scale).round() as u32
    }
    fn pxi(self, v: i32) -> i32 {
        (v as f64 * self.scale).round() as i32
    }
    fn font(self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&TEXT)
    }
    fn muted(self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&MUTED)
    }
}

fn render(spec: &Spec) -> Result<Chart, ChartError> {
    let chart_error = |message: String| ChartError {
        name: spec.name,
        message,
    };
    let height = total_height(spec);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        draw(&root, spec, Ctx { scale: 1.0 }).map_err(chart_error)?;
        root.present().map_err(|e| chart_error(e.to_string()))?;
    }
    let ctx = Ctx { scale: PNG_SCALE };
    let (w, h) = (ctx.px(WIDTH), ctx.px(height));
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = GlyphBitmap(BitMapBackend::with_buffer(&mut pixels, (w, h))).into_drawing_area();
        draw(&root, spec, ctx).map_err(chart_error)?;
        root.present().map_err(|e| chart_error(e.to_string()))?;
    }
    let png = encode_png(&pixels, w, h).map_err(|e| chart_error(e.to_string()))?;
    Ok(Chart {
        name: spec.name,
        title: spec.title.clone(),
        caption: spec.caption.clone(),
        width: WIDTH,
        height,
        series: spec.series,
        svg,
        png,
    })
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, png::EncodingError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Choosing the filter per line makes these flat-colour images about 40% smaller at no
    // measurable cost (`Compression::Best` would save a third more but take 2–4 times longer).
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(rgb)?;
    writer.finish()?;
    Ok(out)
}

fn draw<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, spec: &Spec, ctx: Ctx) -> DrawResult {
    root.fill(&WHITE).map_err(fail)?;
    let pad = ctx.pxi(PAD as i32);
    root.draw_text(&spec.title, &ctx.font(TITLE_SIZE), (pad, ctx.pxi(14)))
        .map_err(fail)?;
    for (i, line) in spec.subtitle.iter().enumerate() {
        root.draw_text(
            line,
            &ctx.muted(SUBTITLE_SIZE),
            (pad, ctx.pxi(44 + 19 * i as i32)),
        )
        .map_err(fail)?;
    }
    let (_, body) = root.split_vertically(ctx.px(header_height(&spec.subtitle)));
    let plot = match legend_place(spec) {
        LegendPlace::None => body,
        LegendPlace::Right { width } => {
            let (plot, legend) = body.split_horizontally(body.dim_in_pixel().0 - ctx.px(width));
            let at = |i: usize| (ctx.pxi(8), ctx.pxi(18 + (LEGEND_STEP * i as u32) as i32));
            draw_legend(&legend, &spec.legend, at, ctx)?;
            plot
        }
        LegendPlace::Top {
            columns,
            column_width,
            height,
        } => {
            let (legend, plot) = body.split_vertically(ctx.px(height));
            let at = |i: usize| {
                let (row, column) = ((i / columns) as u32, (i % columns) as u32);
                (
                    ctx.pxi((PAD + column * column_width) as i32),
                    ctx.pxi((14 + LEGEND_STEP * row) as i32),
                )
            };
            draw_legend(&legend, &spec.legend, at, ctx)?;
            plot
        }
    };
    match &spec.plot {
        Plot::Bars { rows, axis } => draw_bars(&plot, rows, axis, ctx),
        Plot::Spread { rows, axis, unit } => draw_spread(&plot, rows, axis, unit, ctx),
        Plot::Stacked { rows, axis } => draw_stacked(&plot, rows, axis, ctx),
        Plot::Scatter { points, x, y } => draw_scatter(&plot, points, x, y, ctx),
        Plot::Fans {
            panels,
            windows,
            first_day,
            x,
            y,
        } => draw_fans(&plot, panels, windows, (*first_day, x, y), ctx),
        Plot::Curves {
            series,
            x,
            y,
            target,
        } => draw_curves(&plot, series, (x, y), target.as_ref(), ctx),
        Plot::HeatMap(map) => draw_heat_map(&plot, map, ctx),
        Plot::Frontier {
            points,
            frontier,
            x,
            y,
        } => draw_frontier(&plot, points, frontier, (x, y), ctx),
    }
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    at: impl Fn(usize) -> (i32, i32),
    ctx: Ctx,
) -> DrawResult {
    for (i, e) in entries.iter().enumerate() {
        let (x, y) = at(i);
        let c = (x + ctx.pxi(7), y);
        match e.marker {
            Marker::Square => area
                .draw(&Rectangle::new(
                    [
                        (c.0 - ctx.pxi(7), c.1 - ctx.pxi(7)),
                        (c.0 + ctx.pxi(7), c.1 + ctx.pxi(7)),
                    ],
                    e.colour.filled(),
                ))
                .and_then(|_| {
                    area.draw(&Rectangle::new(
                        [
                            (c.0 - ctx.pxi(7), c.1 - ctx.pxi(7)),
                            (c.0 + ctx.pxi(7), c.1 + ctx.pxi(7)),
                        ],
                        AXIS.mix(0.6).stroke_width(1),
                    ))
                })
                .map_err(fail)?,
            Marker::Shape(k) => {
                for part in marker(k, e.colour, ctx) {
                    match part {
                        MarkerPart::Disc(d) => area.draw(&(EmptyElement::at(c) + d)),
                        MarkerPart::Shape(p) => area.draw(&(EmptyElement::at(c) + p)),
                    }
                    .map_err(fail)?;
                }
            }
        }
        area.draw_text(
            &e.label,
            &ctx.font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
            (x + ctx.pxi(22), y),
        )
        .map_err(fail)?;
    }
    Ok(())
}

/// One layer of a marker, in pixels around its centre.
enum MarkerPart {
    Disc(Circle<(i32, i32), i32>),
    Shape(Polygon<(i32, i32)>),
}

/// The marker of policy `k` in the scatter chart: circle, square, triangle, diamond, then the
/// same four hollow; each with a dark outline.
fn marker(k: usize, colour: RGBAColor, ctx: Ctx) -> Vec<MarkerPart> {
    marker_sized(k, colour, 7.5, ctx)
}

/// [`marker`] with a radius of `size` pixels (at scale 1).
fn marker_sized(k: usize, colour: RGBAColor, size: f64, ctx: Ctx) -> Vec<MarkerPart> {
    let r = size * ctx.scale;
    let layers = [
        (r + ctx.scale, WHISKER.filled()),
        (r, colour.filled()),
        (r * 0.5, WHITE.filled()),
    ];
    let hollow = k % 8 >= 4;
    let layers = &layers[..if hollow { 3 } else { 2 }];
    let shape: &[(f64, f64)] = match k % 4 {
        0 => {
            return layers
                .iter()
                .map(|&(radius, style)| {
                    MarkerPart::Disc(Circle::new((0, 0), radius.round() as i32, style))
                })
                .collect();
        }
        1 => &[(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
        2 => &[(0.0, -1.1), (1.0, 0.7), (-1.0, 0.7)],
        _ => &[(0.0, -1.15), (1.15, 0.0), (0.0, 1.15), (-1.15, 0.0)],
    };
    layers
        .iter()
        .map(|&(radius, style)| {
            let points: Vec<(i32, i32)> = shape
                .iter()
                .map(|&(x, y)| ((x * radius).round() as i32, (y * radius).round() as i32))
                .collect();
            MarkerPart::Shape(Polygon::new(points, style))
        })
        .collect()
}

/// Tick labels of a value axis: decimals as the axis needs them, without trailing zeros (so
/// "2%", "2.5%", "3%").
fn tick_format(kind: ValueKind, max: f64) -> impl Fn(&f64) -> String {
    move |v: &f64| match kind {
        ValueKind::Percent => {
            let decimals = if max < 0.02 {
                2
            } else if max < 0.2 {
                1
            } else {
                0
            };
            format!("{}%", trim_zeros(format!("{:.*}", decimals, 100.0 * v)))
        }
        ValueKind::Money => group_thousands(*v, 0),
        ValueKind::Number => trim_zeros(group_thousands(*v, if max < 10.0 { 1 } else { 0 })),
    }
}

/// "2.50" → "2.5", "3.00" → "3": decimals without trailing zeros.
fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Width of the label area left of a categorical axis.
fn category_label_width(labels: impl Iterator<Item = String>) -> u32 {
    labels
        .map(|l| text_width(&l, LABEL_SIZE))
        .max()
        .unwrap_or(0)
        + 18
}

type CategoryChart<'a, DB> =
    ChartContext<'a, DB, Cartesian2d<plotters::coord::types::RangedCoordf64, Rows>>;

/// The categorical axis: `n` rows centred on 0 … n − 1, one tick per row and no others.
/// (plotters' `with_key_points` wrapper over an f64 range cannot take a label formatter.)
#[derive(Clone, Copy)]
struct Rows {
    n: usize,
}

impl Ranged for Rows {
    type ValueType = f64;
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;

    fn map(&self, value: &f64, (lo, hi): (i32, i32)) -> i32 {
        let (start, end) = (-0.5, self.n as f64 - 0.5);
        let t = (value - start) / (end - start);
        lo + (t * f64::from(hi - lo)).round() as i32
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            (0..self.n).map(|i| i as f64).collect()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        -0.5..self.n as f64 - 0.5
    }
}

/// A chart with the value on x and one band per row on y, the first row at the top: row `r`
/// of `n` is centred on y = n − 1 − r.
fn category_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    labels: &[String],
    axis: &Axis,
    x_max: f64,
    ctx: Ctx,
) -> Result<CategoryChart<'a, DB>, String> {
    let n = labels.len().max(1);
    let label_w = category_label_width(labels.iter().cloned());
    let mut chart = ChartBuilder::on(area)
        .margin_top(ctx.px(12))
        .margin_right(ctx.px(34))
        .margin_left(ctx.px(PAD))
        .margin_bottom(ctx.px(8))
        .x_label_area_size(ctx.px(X_AXIS_HEIGHT - 8))
        .y_label_area_size(ctx.px(label_w))
        .build_cartesian_2d(0.0..x_max, Rows { n })
        .map_err(fail)?;
    let fmt_x = tick_format(axis.kind, axis.max);
    let fmt_y = |v: &f64| {
        let r = n as i64 - 1 - v.round() as i64;
        usize::try_from(r)
            .ok()
            .and_then(|r| labels.get(r))
            .cloned()
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(0)
        .x_labels(8)
        .bold_line_style(GRID.stroke_width(ctx.px(1)))
        .axis_style(AXIS.stroke_width(ctx.px(1)))
        .set_all_tick_mark_size(ctx.px(5))
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .x_label_style(ctx.font(TICK_SIZE))
        .y_label_style(ctx.font(LABEL_SIZE))
        .axis_desc_style(ctx.font(LABEL_SIZE))
        .x_desc(axis.desc.clone())
        .draw()
        .map_err(fail)?;
    Ok(chart)
}

/// A CI whisker from `lo` to `hi` at height `y`, caps `cap` high (in y units).
fn whisker<DB: DrawingBackend>(
    chart: &mut CategoryChart<'_, DB>,
    (lo, hi): (f64, f64),
    y: f64,
    cap: f64,
    ctx: Ctx,
) -> DrawResult {
    let style = WHISKER.stroke_width(ctx.px(2));
    chart
        .draw_series([
            PathElement::new(vec![(lo, y), (hi, y)], style),
            PathElement::new(vec![(lo, y - cap), (lo, y + cap)], style),
            PathElement::new(vec![(hi, y - cap), (hi, y + cap)], style),
        ])
        .map_err(fail)?;
    Ok(())
}

fn value_label<DB: DrawingBackend>(
    chart: &mut CategoryChart<'_, DB>,
    text: String,
    at: (f64, f64),
    ctx: Ctx,
) -> DrawResult {
    let style = ctx.font(VALUE_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    chart
        .draw_series(std::iter::once(
            EmptyElement::at(at) + Text::new(text, (ctx.pxi(7), 0), style),
        ))
        .map_err(fail)?;
    Ok(())
}

/// Room to the right of the largest value for its label, as a share of the axis.
fn with_label_room(max: f64, label: &str, plot_width: u32) -> f64 {
    let room = (text_width(label, VALUE_SIZE) + 16) as f64 / plot_width.max(1) as f64;
    max / (1.0 - room.min(0.5))
}

fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    axis: &Axis,
    ctx: Ctx,
) -> DrawResult {
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let n = rows.len();
    let per_row = rows.iter().map(|r| r.bars.len()).max().unwrap_or(1).max(1);
    let fmt = axis.kind;
    let plot_w = area.dim_in_pixel().0 as f64 / ctx.scale
        - category_label_width(labels.iter().cloned()) as f64
        - 50.0;
    let band = 0.82 / per_row as f64;
    let thick = if per_row == 1 { 0.3 } else { band * 0.42 };
    // Value labels only where a bar is tall enough for one.
    let bar_px = area.dim_in_pixel().1 as f64 / ctx.scale / (n as f64 + 1.0) * band;
    let labelled = per_row == 1 || bar_px >= 13.0;
    let x_max = if labelled {
        with_label_room(axis.max, "88.88%", plot_w as u32)
    } else {
        axis.max * 1.04
    };
    let mut chart = category_chart(area, &labels, axis, x_max, ctx)?;
    for (r, row) in rows.iter().enumerate() {
        let centre = (n - 1 - r) as f64;
        if per_row > 1 && r + 1 < n {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, centre - 0.5), (x_max, centre - 0.5)],
                    GRID.stroke_width(ctx.px(1)),
                )))
                .map_err(fail)?;
        }
        for (j, bar) in row.bars.iter().enumerate() {
            let y = if per_row == 1 {
                centre
            } else {
                centre + 0.41 - (j as f64 + 0.5) * band
            };
            let Some(e) = bar.estimate else {
                value_label(&mut chart, "no data".into(), (0.0, y), ctx)?;
                continue;
            };
            let fill = if bar.faint {
                bar.colour.mix(0.45)
            } else {
                bar.colour.to_rgba()
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - thick), (e.mean.max(0.0), y + thick)],
                    fill.filled(),
                )))
                .map_err(fail)?;
            let end = if bar.faint {
                e.mean
            } else {
                whisker(
                    &mut chart,
                    (e.ci95_low.max(0.0), e.ci95_high),
                    y,
                    thick * 0.6,
                    ctx,
                )?;
                e.ci95_high
            };
            if labelled {
                value_label(&mut chart, fmt.value(e.mean), (end, y), ctx)?;
            }
        }
    }
    Ok(())
}

fn draw_spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    axis: &Axis,
    unit: &str,
    ctx: Ctx,
) -> DrawResult {
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let n = rows.len();
    let plot_w = area.dim_in_pixel().0 as f64 / ctx.scale
        - category_label_width(labels.iter().cloned()) as f64
        - 50.0;
    let x_max = with_label_room(axis.max, &format!("mean 888.88 {unit}"), plot_w as u32);
    let mut chart = category_chart(area, &labels, axis, x_max, ctx)?;
    for (r, row) in rows.iter().enumerate() {
        let y = (n - 1 - r) as f64;
        let Some(bar) = row.bars.first() else {
            continue;
        };
        let Some(e) = bar.estimate else {
            value_label(&mut chart, "no data".into(), (0.0, y), ctx)?;
            continue;
        };
        let c = bar.colour;
        chart
            .draw_series([
                Rectangle::new([(e.p05, y - 0.3), (e.p95, y + 0.3)], c.mix(0.28).filled()),
                Rectangle::new(
                    [(e.p05, y - 0.3), (e.p95, y + 0.3)],
                    c.stroke_width(ctx.px(1)),
                ),
            ])
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(e.p50, y - 0.3), (e.p50, y + 0.3)],
                c.stroke_width(ctx.px(4)),
            )))
            .map_err(fail)?;
        whisker(&mut chart, (e.ci95_low, e.ci95_high), y, 0.1, ctx)?;
        chart
            .draw_series([
                Circle::new((e.mean, y), ctx.px(6), WHISKER.filled()),
                Circle::new((e.mean, y), ctx.px(4), WHITE.filled()),
            ])
            .map_err(fail)?;
        let label = format!("mean {} {unit}", ValueKind::Number.value(e.mean));
        value_label(&mut chart, label, (e.p95.max(e.ci95_high), y), ctx)?;
    }
    Ok(())
}

fn draw_stacked<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[StackRow],
    axis: &Axis,
    ctx: Ctx,
) -> DrawResult {
    let labels: Vec<String> = rows.iter().map(|r| r.label.clone()).collect();
    let n = rows.len();
    let plot_w = area.dim_in_pixel().0 as f64 / ctx.scale
        - category_label_width(labels.iter().cloned()) as f64
        - 50.0;
    let x_max = with_label_room(axis.max, "888,888,888", plot_w as u32);
    let mut chart = category_chart(area, &labels, axis, x_max, ctx)?;
    let px_per_unit = plot_w / x_max;
    for (r, row) in rows.iter().enumerate() {
        let y = (n - 1 - r) as f64;
        // A white underlay, so grid lines do not show through the light segments.
        let sum: f64 = row.segments.iter().map(|s| s.value.max(0.0)).sum();
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.32), (sum, y + 0.32)],
                WHITE.filled(),
            )))
            .map_err(fail)?;
        let mut start = 0.0;
        for s in &row.segments {
            if s.value <= 0.0 {
                continue;
            }
            let end = start + s.value;
            let fill = row.colour.mix(s.alpha);
            chart
                .draw_series([
                    Rectangle::new([(start, y - 0.32), (end, y + 0.32)], fill.filled()),
                    Rectangle::new(
                        [(start, y - 0.32), (end, y + 0.32)],
                        row.colour.stroke_width(ctx.px(1)),
                    ),
                ])
                .map_err(fail)?;
            // Name the segment inside it when it fits.
            if (text_width(s.label, VALUE_SIZE) + 10) as f64 <= s.value * px_per_unit {
                let on = blend(row.colour, s.alpha);
                let style = (FONT, VALUE_SIZE * ctx.scale)
                    .into_font()
                    .color(if luminance(on) < 0.4 { &WHITE } else { &TEXT })
                    .pos(Pos::new(HPos::Center, VPos::Center));
                chart
                    .draw_series(std::iter::once(Text::new(
                        s.label.to_string(),
                        ((start + end) / 2.0, y),
                        style,
                    )))
                    .map_err(fail)?;
            }
            start = end;
        }
        let end = match row.total {
            Some(t) => {
                whisker(&mut chart, (t.ci95_low.max(0.0), t.ci95_high), y, 0.12, ctx)?;
                t.ci95_high.max(start)
            }
            None => start,
        };
        let total = row.total.map_or(start, |t| t.mean);
        value_label(&mut chart, ValueKind::Money.value(total), (end, y), ctx)?;
    }
    Ok(())
}

/// The colour `c` at opacity `alpha` over white.
fn blend(c: RGBColor, alpha: f64) -> (f64, f64, f64) {
    let f = |v: u8| (v as f64 / 255.0) * alpha + (1.0 - alpha);
    (f(c.0), f(c.1), f(c.2))
}

/// Relative luminance (WCAG 2) of an sRGB colour with channels in [0, 1].
fn luminance((r, g, b): (f64, f64, f64)) -> f64 {
    let lin = |v: f64| {
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

fn draw_scatter<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[Point],
    x: &Axis,
    y: &Axis,
    ctx: Ctx,
) -> DrawResult {
    let fmt_x = tick_format(x.kind, x.max);
    let fmt_y = tick_format(y.kind, y.max);
    let x_max = x.max * 1.06;
    let y_max = y.max * 1.08;
    let y_tick_w = [0.0, y_max / 2.0, y_max]
        .iter()
        .map(|v| text_width(&fmt_y(v), TICK_SIZE))
        .max()
        .unwrap_or(40);
    let mut chart = value_chart(
        area,
        (0.0..x_max, 0.0..y_max),
        (&fmt_x, &fmt_y),
        (&x.desc, &y.desc),
        &Frame::full(y_tick_w),
        ctx,
    )?;
    let thin = |c: RGBColor| c.mix(0.55).stroke_width(ctx.px(2));
    let thick = |c: RGBColor| c.stroke_width(ctx.px(4));
    for p in points {
        let (px, py) = (p.x.mean, p.y.mean);
        chart
            .draw_series([
                PathElement::new(vec![(p.x.p05, py), (p.x.p95, py)], thin(p.colour)),
                PathElement::new(vec![(px, p.y.p05), (px, p.y.p95)], thin(p.colour)),
                PathElement::new(
                    vec![(p.x.ci95_low, py), (p.x.ci95_high, py)],
                    thick(p.colour),
                ),
                PathElement::new(
                    vec![(px, p.y.ci95_low), (px, p.y.ci95_high)],
                    thick(p.colour),
                ),
            ])
            .map_err(fail)?;
    }
    // Markers last, so no line hides one.
    for p in points {
        let parts = marker(p.index, p.colour.to_rgba(), ctx);
        draw_marker(&mut chart, (p.x.mean, p.y.mean), parts)?;
    }
    Ok(())
}

type ValueChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// How a value axis writes its tick labels.
type TickFormat<'a> = dyn Fn(&f64) -> String + 'a;

/// The layout of a value chart's frame, at scale 1.
struct Frame<'a> {
    caption: Option<&'a str>,
    /// Margins above, right of and below the chart (left of it: [`PAD`]).
    margins: (u32, u32, u32),
    /// Room below the plot for the x axis, and left of it for the y axis.
    label_areas: (u32, u32),
    /// Ticks wanted on the x and y axes.
    ticks: (usize, usize),
    tick_mark: u32,
    desc_size: f64,
}

impl Frame<'_> {
    /// The frame of a full-size chart (the scatter chart, the analysis charts), whose y tick
    /// labels are at most `y_tick_w` wide.
    fn full(y_tick_w: u32) -> Frame<'static> {
        Frame {
            caption: None,
            margins: (12, 34, 8),
            label_areas: (X_AXIS_HEIGHT - 8, y_tick_w + 40),
            ticks: (8, 8),
            tick_mark: 5,
            desc_size: LABEL_SIZE,
        }
    }
}

/// A chart with a value on each axis, its grid and both axes drawn.
fn value_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    (x_range, y_range): (std::ops::Range<f64>, std::ops::Range<f64>),
    (fmt_x, fmt_y): (&TickFormat<'_>, &TickFormat<'_>),
    (x_desc, y_desc): (&str, &str),
    frame: &Frame<'_>,
    ctx: Ctx,
) -> Result<ValueChart<'a, DB>, String> {
    let mut builder = ChartBuilder::on(area);
    if let Some(caption) = frame.caption {
        builder.caption(caption, ctx.font(LABEL_SIZE));
    }
    let (top, right, bottom) = frame.margins;
    let mut chart = builder
        .margin_top(ctx.px(top))
        .margin_right(ctx.px(right))
        .margin_left(ctx.px(PAD))
        .margin_bottom(ctx.px(bottom))
        .x_label_area_size(ctx.px(frame.label_areas.0))
        .y_label_area_size(ctx.px(frame.label_areas.1))
        .build_cartesian_2d(x_range, y_range)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .x_labels(frame.ticks.0)
        .y_labels(frame.ticks.1)
        .bold_line_style(GRID.stroke_width(ctx.px(1)))
        .axis_style(AXIS.stroke_width(ctx.px(1)))
        .set_all_tick_mark_size(ctx.px(frame.tick_mark))
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .label_style(ctx.font(TICK_SIZE))
        .axis_desc_style(ctx.font(frame.desc_size))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(fail)?;
    Ok(chart)
}

fn draw_fans<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[FanPanel],
    windows: &[Window],
    axes: (f64, &Axis, &Axis),
    ctx: Ctx,
) -> DrawResult {
    let columns = fan_columns(panels.len());
    let rows = panels.len().div_ceil(columns);
    let (_, body) = area.split_vertically(ctx.px(4));
    let (body, _) = body.split_vertically(ctx.px(rows as u32 * FAN_PANEL_HEIGHT));
    for (panel, cell) in panels.iter().zip(body.split_evenly((rows, columns))) {
        draw_fan_panel(&cell, panel, windows, axes, ctx)?;
    }
    Ok(())
}

fn draw_fan_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &FanPanel,
    windows: &[Window],
    (first_day, x, y): (f64, &Axis, &Axis),
    ctx: Ctx,
) -> DrawResult {
    let fmt_x = tick_format(x.kind, x.max);
    let fmt_y = tick_format(y.kind, y.max);
    let y_max = y.max * 1.05;
    let y_tick_w = [0.0, y_max / 2.0, y_max]
        .iter()
        .map(|v| text_width(&fmt_y(v), TICK_SIZE))
        .max()
        .unwrap_or(40);
    let frame = Frame {
        caption: Some(&panel.label),
        margins: (6, 22, 4),
        label_areas: (X_AXIS_HEIGHT - 12, y_tick_w + 36),
        ticks: (6, 5),
        tick_mark: 4,
        desc_size: TICK_SIZE,
    };
    let mut chart = value_chart(
        area,
        (first_day..x.max, 0.0..y_max),
        (&fmt_x, &fmt_y),
        (&x.desc, &y.desc),
        &frame,
        ctx,
    )?;
    chart
        .draw_series(windows.iter().map(|w| {
            let days = (w.days.0.max(first_day), w.days.1.max(first_day));
            Rectangle::new([(days.0, 0.0), (days.1, y_max)], DISRUPTED.filled())
        }))
        .map_err(fail)?;
    // Each window named at its top, inside the plot, ending at its right edge when it sits
    // in the right half so the name never runs off the panel.
    let name_style = |right: bool| {
        let h = if right { HPos::Right } else { HPos::Left };
        ctx.muted(VALUE_SIZE - 1.5).pos(Pos::new(h, VPos::Top))
    };
    chart
        .draw_series(windows.iter().map(|w| {
            let right = w.days.0 > (first_day + x.max) / 2.0;
            let (at, dx) = if right { (w.days.1, -3) } else { (w.days.0, 3) };
            EmptyElement::at((at, y_max))
                + Text::new(
                    w.label.clone(),
                    (ctx.pxi(dx), ctx.pxi(3)),
                    name_style(right),
                )
        }))
        .map_err(fail)?;
    let fan = &panel.fan;
    let day = |k: usize| fan.day[k] as f64;
    let band = |low: &[f64], high: &[f64], alpha: f64| {
        let mut outline: Vec<(f64, f64)> = (0..fan.day.len()).map(|k| (day(k), low[k])).collect();
        outline.extend((0..fan.day.len()).rev().map(|k| (day(k), high[k])));
        Polygon::new(outline, panel.colour.mix(alpha).filled())
    };
    chart
        .draw_series([
            band(&fan.p05, &fan.p95, FAN_OUTER),
            band(&fan.p25, &fan.p75, FAN_INNER),
        ])
        .map_err(fail)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            (0..fan.day.len())
                .map(|k| (day(k), fan.p50[k]))
                .collect::<Vec<_>>(),
            panel.colour.stroke_width(ctx.px(2)),
        )))
        .map_err(fail)?;
    Ok(())
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

/// A marker's layers centred on a point of a value chart.
fn draw_marker<DB: DrawingBackend>(
    chart: &mut ValueChart<'_, DB>,
    at: (f64, f64),
    parts: Vec<MarkerPart>,
) -> DrawResult {
    for part in parts {
        match part {
            MarkerPart::Disc(d) => chart.draw_series(std::iter::once(EmptyElement::at(at) + d)),
            MarkerPart::Shape(s) => chart.draw_series(std::iter::once(EmptyElement::at(at) + s)),
        }
        .map_err(fail)?;
    }
    Ok(())
}

fn draw_curves<DB: DrawingBackend>(
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
                .filter(|p| [p.x, p.mean, p.low, p.high].iter().all(|v| v.is_finite()))
                .copied()
                .collect();
            points.sort_by(|a, b| a.x.total_cmp(&b.x));
            (policy_colour(s.policy_index), s.policy_index, points)
        })
        .collect();
    // Bands first, so that no band hides a line.
    chart
        .draw_series(curves.iter().map(|(colour, _, points)| {
            let mut outline: Vec<(f64, f64)> = points.iter().map(|p| (p.x, p.low)).collect();
            outline.extend(points.iter().rev().map(|p| (p.x, p.high)));
            Polygon::new(outline, colour.mix(CURVE_BAND).filled())
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
        let style = ctx
            .muted(VALUE_SIZE)
            .pos(Pos::new(HPos::Right, VPos::Bottom));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((x.hi, t.value))
                    + Text::new(t.label.clone(), (ctx.pxi(-6), ctx.pxi(-5)), style),
            ))
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
    Ok(())
}

fn draw_heat_map<DB: DrawingBackend>(
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

fn draw_frontier<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[FrontierPoint],
    frontier: &[usize],
    axes: (&Span, &Span),
    ctx: Ctx,
) -> DrawResult {
    let mut chart = span_chart(area, axes, ctx)?;
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
    label_frontier(&mut chart, points, frontier, ctx)
}

/// Label the frontier's points with their values: above or below each point, alternately,
/// else beside it, wherever the label overlaps no other label, no frontier marker and stays
/// in the plot; a point with no free place keeps its marker only.
fn label_frontier<DB: DrawingBackend>(
    chart: &mut ValueChart<'_, DB>,
    points: &[FrontierPoint],
    frontier: &[usize],
    ctx: Ctx,
) -> DrawResult {
    // Placement works at scale 1, so the SVG and the PNG make the same choices.
    let s = ctx.scale;
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    let bounds = [
        f64::from(xs.start) / s,
        f64::from(ys.start) / s,
        f64::from(xs.end) / s,
        f64::from(ys.end) / s,
    ];
    let centre = |p: &FrontierPoint| {
        let (x, y) = chart.backend_coord(&(p.cost, p.stockout_rate));
        ((f64::from(x) / s).round(), (f64::from(y) / s).round())
    };
    let centres: Vec<(f64, f64)> = frontier.iter().map(|&i| centre(&points[i])).collect();
    // No label covers a marker.
    let r = FRONTIER_MARKER + 2.0;
    let mut taken: Vec<[f64; 4]> = points
        .iter()
        .filter(|p| p.cost.is_finite() && p.stockout_rate.is_finite())
        .map(|p| {
            let (x, y) = centre(p);
            [x - r, y - r, x + r, y + r]
        })
        .collect();
    let overlaps =
        |a: &[f64; 4], b: &[f64; 4]| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    let h = VALUE_SIZE + 2.0;
    let gap = FRONTIER_MARKER + 4.0;
    for (k, (&i, &(cx, cy))) in frontier.iter().zip(&centres).enumerate() {
        let label = &points[i].label;
        if label.is_empty() {
            continue;
        }
        let w = f64::from(text_width(label, VALUE_SIZE));
        // (dx, dy) of the label's anchor from the point, and the anchor's side.
        let above = (0.0, -(gap + h / 2.0), HPos::Center);
        let below = (0.0, gap + h / 2.0, HPos::Center);
        let right = (gap, 0.0, HPos::Left);
        let left = (-gap, 0.0, HPos::Right);
        let order = if k % 2 == 0 {
            [above, below, right, left]
        } else {
            [below, above, left, right]
        };
        let boxed = |(dx, dy, pos): (f64, f64, HPos)| {
            let x0 = match pos {
                HPos::Left => cx + dx,
                HPos::Center => cx + dx - w / 2.0,
                HPos::Right => cx + dx - w,
            };
            [x0, cy + dy - h / 2.0, x0 + w, cy + dy + h / 2.0]
        };
        let fits = |b: &[f64; 4]| {
            b[0] >= bounds[0]
                && b[1] >= bounds[1]
                && b[2] <= bounds[2]
                && b[3] <= bounds[3]
                && !taken.iter().any(|t| overlaps(t, b))
        };
        let Some(place) = order.into_iter().find(|&c| fits(&boxed(c))) else {
            continue;
        };
        let b = boxed(place);
        taken.push(b);
        let (dx, dy, pos) = place;
        let style = ctx.font(VALUE_SIZE).pos(Pos::new(pos, VPos::Center));
        let offset = ((dx * s).round() as i32, (dy * s).round() as i32);
        // A light ground behind the label, so grid lines and the frontier do not cross it.
        let rel = |x: f64, y: f64| (((x - cx) * s).round() as i32, ((y - cy) * s).round() as i32);
        let at = (points[i].cost, points[i].stockout_rate);
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Rectangle::new(
                        [rel(b[0] - 2.0, b[1]), rel(b[2] + 2.0, b[3])],
                        WHITE.mix(0.85).filled(),
                    ),
            ))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at(at) + Text::new(label.clone(), offset, style),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// PNG text

mod glyph_bitmap {
    use std::sync::OnceLock;

    use plotters::prelude::{BitMapBackend, DrawingBackend};
    use plotters::style::text_anchor::{HPos, VPos};
    use plotters_backend::{
        BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    };

    use super::FONT_BYTES;

    /// plotters' bitmap backend with its own text drawing: plotters 0.3.7 places each `ab_glyph`
    /// glyph at its advance without the glyph's left side bearing, which spaces letters unevenly
    /// ("Stockou t"). Here glyphs are placed at their outline bounds, with kerning, and text is
    /// sized and anchored like the SVG backend does it (font size = plotters size / 1.24, the same
    /// `dy` offsets), so the PNG matches the SVG. Everything else is the bitmap backend's own.
    pub(super) struct GlyphBitmap<'a>(pub(super) BitMapBackend<'a>);

    type BitmapError<'a> = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn glyph_font() -> &'static ab_glyph::FontRef<'static> {
        static FONT_REF: OnceLock<ab_glyph::FontRef<'static>> = OnceLock::new();
        FONT_REF.get_or_init(|| {
            ab_glyph::FontRef::try_from_slice(FONT_BYTES).expect("the embedded DejaVu Sans parses")
        })
    }

    impl<'a> DrawingBackend for GlyphBitmap<'a> {
        type ErrorType = BitmapError<'a>;

        fn get_size(&self) -> (u32, u32) {
            self.0.get_size()
        }

        fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.ensure_prepared()
        }

        fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.present()
        }

        fn draw_pixel(
            &mut self,
            point: BackendCoord,
            color: BackendColor,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.draw_pixel(point, color)
        }

        fn draw_line<S: BackendStyle>(
            &mut self,
            from: BackendCoord,
            to: BackendCoord,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.draw_line(from, to, style)
        }

        fn draw_rect<S: BackendStyle>(
            &mut self,
            upper_left: BackendCoord,
            bottom_right: BackendCoord,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.draw_rect(upper_left, bottom_right, style, fill)
        }

        fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            path: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.draw_path(path, style)
        }

        fn draw_circle<S: BackendStyle>(
            &mut self,
            center: BackendCoord,
            radius: u32,
            style: &S,
            fill: bool,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.draw_circle(center, radius, style, fill)
        }

        fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
            &mut self,
            vert: I,
            style: &S,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.fill_polygon(vert, style)
        }

        fn blit_bitmap(
            &mut self,
            pos: BackendCoord,
            size: (u32, u32),
            src: &[u8],
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            self.0.blit_bitmap(pos, size, src)
        }

        fn draw_text<T: BackendTextStyle>(
            &mut self,
            text: &str,
            style: &T,
            pos: BackendCoord,
        ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
            use ab_glyph::{Font as _, ScaleFont as _};
            let color = style.color();
            if color.alpha == 0.0 {
                return Ok(());
            }
            let font = glyph_font();
            let units_per_em = font.units_per_em().unwrap_or(2048.0);
            // The SVG backend writes font-size = size / 1.24: draw the same em here.
            let em = (style.size() / 1.24) as f32;
            let scaled = font.as_scaled(em * font.height_unscaled() / units_per_em);
            let x_height = font.outline(font.glyph_id('x')).map_or(0.55 * em, |o| {
                // Bounds are in font units; whichever way y points, the larger magnitude
                // is the top of the 'x' (its bottom sits on the baseline).
                o.bounds.max.y.abs().max(o.bounds.min.y.abs()) / units_per_em * em
            });
            let mut glyphs = Vec::with_capacity(text.len());
            let mut caret = 0.0f32;
            let mut previous = None;
            for c in text.chars() {
                let id = scaled.glyph_id(c);
                if let Some(p) = previous {
                    caret += scaled.kern(p, id);
                }
                glyphs
                    .push(id.with_scale_and_position(scaled.scale(), ab_glyph::point(caret, 0.0)));
                caret += scaled.h_advance(id);
                previous = Some(id);
            }
            let dx = match style.anchor().h_pos {
                HPos::Left => 0.0,
                HPos::Center => -caret / 2.0,
                HPos::Right => -caret,
            };
            // Baseline offsets of the SVG backend: dy = 0.76em, 0.5ex, -0.5ex.
            let baseline = match style.anchor().v_pos {
                VPos::Top => 0.76 * em,
                VPos::Center => 0.5 * x_height,
                VPos::Bottom => -0.5 * x_height,
            };
            let transform = style.transform();
            let (w, h) = self.get_size();
            for glyph in glyphs {
                let Some(outline) = scaled.outline_glyph(glyph) else {
                    continue;
                };
                let bounds = outline.px_bounds();
                let mut pixels = Vec::new();
                outline.draw(|x, y, coverage| pixels.push((x, y, coverage)));
                for (x, y, coverage) in pixels {
                    let ox = (bounds.min.x + x as f32 + dx).round() as i32;
                    let oy = (bounds.min.y + y as f32 + baseline).round() as i32;
                    let (tx, ty) = transform.transform(ox, oy);
                    let (px, py) = (pos.0 + tx, pos.1 + ty);
                    if px >= 0 && py >= 0 && (px as u32) < w && (py as u32) < h {
                        self.0.draw_pixel(
                            (px, py),
                            BackendColor {
                                alpha: color.alpha * f64::from(coverage.min(1.0)),
                                rgb: color.rgb,
                            },
                        )?;
                    }
                }
            }
            Ok(())
        }
    }
}

use glyph_bitmap::GlyphBitmap;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_colours_are_distinct_and_not_used_for_text_or_axes() {
        for (i, a) in PALETTE.iter().enumerate() {
            for b in &PALETTE[i + 1..] {
                assert_ne!(a, b);
            }
            for other in [TEXT, MUTED, AXIS, GRID, WHISKER, WHITE] {
                assert_ne!(*a, other);
            }
        }
        assert_eq!(policy_colour_hex(0), "#0072B2");
        assert_eq!(policy_colour(8), policy_colour(0));
    }

    #[test]
    fn long_subtitles_wrap_within_the_chart() {
        ensure_font();
        let text = "word ".repeat(80);
        let lines = wrap(&text, SUBTITLE_SIZE, 400);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(text_width(line, SUBTITLE_SIZE) <= 400, "{line}");
        }
    }

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

    #[test]
    fn words_are_joined_as_a_list() {
        assert_eq!(join_words(&["a"]), "a");
        assert_eq!(join_words(&["a", "b", "c"]), "a, b and c");
    }
}
