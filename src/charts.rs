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

use crate::document::{ReportError, SavedEstimate, SavedFan, SavedPolicy, SavedSummary, ValueKind};
use crate::report::group_thousands;

/// Font family written into SVG text, and the name DejaVu Sans is registered under.
pub const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");

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

/// Draw every chart the summary has data for: the per-item chart only when there are two
/// items or more (with one it would repeat the first chart).
pub fn render_all(summary: &SavedSummary) -> Result<Vec<Chart>, ReportError> {
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

fn render(spec: &Spec) -> Result<Chart, ReportError> {
    let chart_error = |message: String| ReportError::Chart {
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
    let r = 7.5 * ctx.scale;
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
    move |v: &f64| {
        let trim = |s: String| {
            if s.contains('.') {
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                s
            }
        };
        match kind {
            ValueKind::Percent => {
                let decimals = if max < 0.02 {
                    2
                } else if max < 0.2 {
                    1
                } else {
                    0
                };
                format!("{}%", trim(format!("{:.*}", decimals, 100.0 * v)))
            }
            ValueKind::Money => group_thousands(*v, 0),
            ValueKind::Number => trim(group_thousands(*v, if max < 10.0 { 1 } else { 0 })),
        }
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
    let mut chart = ChartBuilder::on(area)
        .margin_top(ctx.px(12))
        .margin_right(ctx.px(34))
        .margin_left(ctx.px(PAD))
        .margin_bottom(ctx.px(8))
        .x_label_area_size(ctx.px(X_AXIS_HEIGHT - 8))
        .y_label_area_size(ctx.px(y_tick_w + 40))
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .x_labels(8)
        .y_labels(8)
        .bold_line_style(GRID.stroke_width(ctx.px(1)))
        .axis_style(AXIS.stroke_width(ctx.px(1)))
        .set_all_tick_mark_size(ctx.px(5))
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .label_style(ctx.font(TICK_SIZE))
        .axis_desc_style(ctx.font(LABEL_SIZE))
        .x_desc(x.desc.clone())
        .y_desc(y.desc.clone())
        .draw()
        .map_err(fail)?;
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
        let at = (p.x.mean, p.y.mean);
        for part in marker(p.index, p.colour.to_rgba(), ctx) {
            match part {
                MarkerPart::Disc(d) => chart.draw_series(std::iter::once(EmptyElement::at(at) + d)),
                MarkerPart::Shape(s) => {
                    chart.draw_series(std::iter::once(EmptyElement::at(at) + s))
                }
            }
            .map_err(fail)?;
        }
    }
    Ok(())
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
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.label, ctx.font(LABEL_SIZE))
        .margin_top(ctx.px(6))
        .margin_right(ctx.px(22))
        .margin_left(ctx.px(PAD))
        .margin_bottom(ctx.px(4))
        .x_label_area_size(ctx.px(X_AXIS_HEIGHT - 12))
        .y_label_area_size(ctx.px(y_tick_w + 36))
        .build_cartesian_2d(first_day..x.max, 0.0..y_max)
        .map_err(fail)?;
    chart
        .configure_mesh()
        .max_light_lines(0)
        .x_labels(6)
        .y_labels(5)
        .bold_line_style(GRID.stroke_width(ctx.px(1)))
        .axis_style(AXIS.stroke_width(ctx.px(1)))
        .set_all_tick_mark_size(ctx.px(4))
        .x_label_formatter(&fmt_x)
        .y_label_formatter(&fmt_y)
        .label_style(ctx.font(TICK_SIZE))
        .axis_desc_style(ctx.font(TICK_SIZE))
        .x_desc(x.desc.clone())
        .y_desc(y.desc.clone())
        .draw()
        .map_err(fail)?;
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
    fn words_are_joined_as_a_list() {
        assert_eq!(join_words(&["a"]), "a");
        assert_eq!(join_words(&["a", "b", "c"]), "a, b and c");
    }
}
