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
//!
//! The folder: this file holds what callers use (the constants, [`Chart`], [`ChartError`],
//! [`render_all`] and the analysis charts' types and functions, re-exported from `sweep`),
//! the font and the colour scheme, and `Plot`, the one type that names every kind of chart,
//! with the dispatch that draws it. `draw` holds the parts of a description, the layout and
//! the generic drawing on both backends; `run` the charts of a saved summary; `fan` the
//! on-hand fan chart; `sweep` the analysis charts (sweep curves, heat maps, the efficient
//! frontier); `trace` the chart of a traced run (`buffersim trace`); `glyph` the PNG text. The families use `draw` and not each other, and `draw`
//! uses none of them: it reaches a family's drawing only through `Plot` here, so the files
//! depend on each other one way.

mod calendar;
mod draw;
mod fan;
mod glyph;
mod run;
mod sweep;
mod trace;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use rayon::prelude::*;

pub(crate) use sweep::analysis_chart_names;
pub use sweep::{
    AxisSpec, CurveChart, CurvePoint, CurveSeries, FRONTIER_COST, FRONTIER_NAME, FrontierChart,
    FrontierPoint, HeatMapChart, TARGET_CURVE_NAME, TargetLine, efficient_frontier,
    frontier_points, heat_map_name, sweep_curve_name, sweep_curves, sweep_heat_map, value_labels,
};

use crate::results::saved::SavedSummary;
use crate::results::trace::{RunTrace, RunTraces};

use calendar::DayTick;
use draw::{
    Axis, Ctx, DrawResult, Point, Reference, Row, StackRow, Window, draw_bars, draw_scatter,
    draw_spread, draw_stacked, render,
};
use fan::{FanPanel, ItemPanel, draw_fans, draw_item_fans, on_hand_fan, on_hand_items};
use run::{
    cost_breakdown, cost_service, days_of_supply, item_stockout_rate, stockout_by_month,
    stockout_rate,
};
use sweep::{FrontierKey, FrontierLabel, HeatMap, Span, draw_curves, draw_frontier, draw_heat_map};
use trace::{TracePanel, draw_traces, trace_spec};

/// Font family written into SVG text, and the name DejaVu Sans is registered under.
pub(crate) const FONT: &str = "DejaVu Sans, Verdana, sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../../assets/DejaVuSans.ttf");

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
/// A target's line: a dark red that is none of the policies' colours.
const REFERENCE: RGBColor = RGBColor(0xB3, 0x26, 0x1E);

/// Width of every chart in SVG pixels; PNGs are drawn at [`PNG_SCALE`] times this.
pub(crate) const WIDTH: u32 = 900;
/// How many times larger than the SVG the PNG is drawn, for print and slides.
pub const PNG_SCALE: f64 = 2.0;

/// At most this many items are drawn one by one in the per-item chart; the rest are averaged.
pub const WORST_ITEMS: usize = 12;

/// The colour of policy `index`.
pub(crate) fn policy_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// The colour of policy `index` as `#RRGGBB`, as the SVG files write it.
pub fn policy_colour_hex(index: usize) -> String {
    let RGBColor(r, g, b) = policy_colour(index);
    format!("#{r:02X}{g:02X}{b:02X}")
}

/// Every chart the reporter can draw, by file stem.
pub const ALL_NAMES: [&str; 8] = [
    "stockout-rate",
    "days-of-supply",
    "cost-service",
    "on-hand",
    "stockout-by-month",
    "cost-breakdown",
    "item-stockout-rate",
    "on-hand-items",
];

/// One kind of cost in the cost breakdown: its metric, its label, and how its segment of a
/// policy's bar is drawn (the legend draws the same).
pub(crate) struct CostPart {
    pub(crate) metric: &'static str,
    pub(crate) label: &'static str,
    /// Opacity of the policy's colour.
    alpha: f64,
    /// Lines over the shade, so the lightest kinds differ by more than a shade of a colour.
    hatch: Hatch,
}

/// Cost metrics stacked in the cost breakdown, darkest first: each one present in the summary
/// gets a segment, so cost kinds the engine adds later appear without a change here. A kind is
/// its shade of the policy's colour (lightness, which reads without telling hues apart) and,
/// for the two lightest, a hatching; its place in the bar is the same in every row.
pub(crate) const COST_PARTS: [CostPart; 5] = [
    CostPart {
        metric: "carrying_cost",
        label: "carrying",
        alpha: 1.0,
        hatch: Hatch::None,
    },
    CostPart {
        metric: "ordering_cost",
        label: "ordering",
        alpha: 0.62,
        hatch: Hatch::None,
    },
    CostPart {
        metric: "stockout_cost",
        label: "stockout",
        alpha: 0.36,
        hatch: Hatch::None,
    },
    CostPart {
        metric: "expedite_cost",
        label: "expediting",
        alpha: 0.18,
        hatch: Hatch::Rising,
    },
    CostPart {
        metric: "purchase_premium_cost",
        label: "purchase premium",
        alpha: 0.07,
        hatch: Hatch::Falling,
    },
];

/// Lines drawn over a shaded area in its policy's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hatch {
    None,
    /// Lines rising to the right (`/`).
    Rising,
    /// Lines falling to the right (`\`).
    Falling,
}

/// The title of an axis (or a key) of money: `what` ("Carrying cost per year", "Value on
/// hand") in the currency the figures are in, when one is given ("Carrying cost per year
/// (EUR)"). Every chart's cost axis and cost label goes through here, with the scenario's
/// `currency`; a scenario that names none gets a title without a unit of money (rather than
/// the word "currency").
pub fn cost_axis(what: &str, currency: Option<&str>) -> String {
    match currency {
        Some(c) => format!("{what} ({c})"),
        None => what.to_string(),
    }
}

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
    /// Height of the SVG, grown with the number of rows and legend entries.
    pub height: u32,
    /// Number of policies drawn.
    pub series: usize,
    /// The SVG document, text kept as `<text>` elements.
    pub svg: String,
    /// The PNG file's bytes, drawn at [`PNG_SCALE`] times the SVG's size.
    pub png: Vec<u8>,
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart '{name}': {message}")]
pub struct ChartError {
    /// The chart's file stem.
    pub name: &'static str,
    /// What the drawing library reported.
    pub message: String,
}

/// Draw every chart the summary has data for: the per-item charts only when there are two
/// items or more (with one they would repeat the first chart and the fan).
pub fn render_all(summary: &SavedSummary) -> Result<Vec<Chart>, ChartError> {
    ensure_font();
    let mut specs = vec![
        stockout_rate(summary),
        days_of_supply(summary),
        cost_service(summary),
    ];
    // Summaries written before the engine recorded stock paths have no fan to draw.
    specs.extend(on_hand_fan(summary));
    // Summaries written before the figures by month existed have none to draw.
    specs.extend(stockout_by_month(summary));
    specs.push(cost_breakdown(summary));
    if summary.item_names().len() >= 2 {
        specs.push(item_stockout_rate(summary));
    }
    // Items with fans of their own (several items, the first twelve).
    specs.extend(on_hand_items(summary));
    // Charts are independent: draw them on all cores (the output does not depend on it).
    specs.par_iter().map(render).collect()
}

/// Draw the chart of one traced run: its items' stock, backlog or lost sales, and orders over
/// every day, the disruptions that reach each item shaded.
pub(crate) fn trace_chart(traces: &RunTraces, run: &RunTrace) -> Result<Chart, ChartError> {
    ensure_font();
    render(&trace_spec(traces, run))
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

/// What a chart draws under its header: one variant per kind of plot, drawn by the generic
/// code in `draw` (bars, spreads, stacks, the scatter chart) or by its family's file (the
/// fans, the analysis charts). It lives here, above the files, so that `draw` can lay a chart
/// out without knowing the families; [`draw_plot`] sends each variant to its drawing.
enum Plot {
    /// Bars with a 95% CI whisker and a value label.
    Bars {
        rows: Vec<Row>,
        axis: Axis,
        /// The scenario's target on the metric, drawn as a line across the rows.
        target: Option<Reference>,
    },
    /// p05–p95 band, median line, mean with CI.
    Spread {
        rows: Vec<Row>,
        axis: Axis,
        unit: &'static str,
        /// The scenario's target on the metric, drawn as a line across the rows.
        target: Option<Reference>,
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
        /// The ticks of the x axis: the months.
        ticks: Vec<DayTick>,
        x: Axis,
        y: Axis,
    },
    /// One panel per item: every policy's median and middle half of runs over time.
    ItemFans {
        panels: Vec<ItemPanel>,
        windows: Vec<Window>,
        /// The first day charted (after the warm-up); the x axis ends at `x.max`.
        first_day: f64,
        /// The ticks of the x axis: the months.
        ticks: Vec<DayTick>,
        x: Axis,
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
    /// A traced run: one panel per item over every day, the warm-up marked.
    Trace {
        panels: Vec<TracePanel>,
        /// The first measured day.
        warmup: f64,
        /// The ticks of the x axis: the months.
        ticks: Vec<DayTick>,
        x: Axis,
    },
    /// Cost against stockout rate for every (policy, value), the efficient frontier joined.
    Frontier {
        points: Vec<FrontierPoint>,
        /// Indices into `points`, by cost.
        frontier: Vec<usize>,
        x: Span,
        y: Span,
        /// Where each efficient point's label goes, laid out before drawing.
        labels: Vec<FrontierLabel>,
        /// The key of the numbers written at the points, when there were too many labels to
        /// write them out.
        key: Option<FrontierKey>,
    },
}

/// Draw `plot` into `area`, what is left of the chart under its header and legend.
fn draw_plot<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    plot: &Plot,
    ctx: Ctx,
) -> DrawResult {
    match plot {
        Plot::Bars { rows, axis, target } => draw_bars(area, rows, axis, target.as_ref(), ctx),
        Plot::Spread {
            rows,
            axis,
            unit,
            target,
        } => draw_spread(area, rows, axis, unit, target.as_ref(), ctx),
        Plot::Stacked { rows, axis } => draw_stacked(area, rows, axis, ctx),
        Plot::Scatter { points, x, y } => draw_scatter(area, points, x, y, ctx),
        Plot::Fans {
            panels,
            windows,
            first_day,
            ticks,
            x,
            y,
        } => draw_fans(area, panels, windows, (*first_day, ticks, x, y), ctx),
        Plot::ItemFans {
            panels,
            windows,
            first_day,
            ticks,
            x,
        } => draw_item_fans(area, panels, windows, (*first_day, ticks, x), ctx),
        Plot::Curves {
            series,
            x,
            y,
            target,
        } => draw_curves(area, series, (x, y), target.as_ref(), ctx),
        Plot::HeatMap(map) => draw_heat_map(area, map, ctx),
        Plot::Trace {
            panels,
            warmup,
            ticks,
            x,
        } => draw_traces(area, panels, *warmup, (ticks, x), ctx),
        Plot::Frontier {
            points,
            frontier,
            x,
            y,
            labels,
            key,
        } => draw_frontier(
            area,
            (points, frontier),
            (x, y),
            (labels, key.as_ref()),
            ctx,
        ),
    }
}

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
}
