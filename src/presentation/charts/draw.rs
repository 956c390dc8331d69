//! The machinery every chart shares. The description of a chart before it is drawn
//! ([`Spec`] and its parts: rows of bars, stacked rows, points, value axes, legend entries);
//! text measured with the embedded font, and the layout built on it (the header, where the
//! legend goes, label areas); and the generic drawing: a chart rendered on the SVG and the
//! bitmap backend, bars, spreads, stacked bars, the scatter chart, value charts and their
//! frames, legends, markers and tick labels.
//!
//! The families of charts (`run`, `fan`, `sweep`) build on this file; it knows none of them
//! and leaves the plot itself to `super::draw_plot`, so the dependency points one way.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::foundation::format::group_thousands;
use crate::foundation::stats::Interval;
use crate::presentation::format::ValueKind;
use crate::results::saved::{SavedEstimate, SavedSummary};

use super::calendar::DayTick;
use super::glyph::GlyphBitmap;
use super::{
    AXIS, Chart, ChartError, FONT, GRID, Hatch, MUTED, PNG_SCALE, Plot, REFERENCE, TEXT, WHISKER,
    WIDTH, draw_plot, policy_colour,
};

// ---------------------------------------------------------------------------------------------
// Descriptions

/// A chart before it is drawn: everything needed to lay it out on any backend.
pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) title: String,
    pub(super) subtitle: Vec<String>,
    pub(super) caption: String,
    pub(super) height: u32,
    pub(super) series: usize,
    pub(super) plot: Plot,
    pub(super) legend: Vec<LegendEntry>,
}

pub(super) struct LegendEntry {
    pub(super) label: String,
    pub(super) colour: RGBAColor,
    pub(super) marker: Marker,
}

#[derive(Clone)]
pub(super) enum Marker {
    Square,
    Shape(usize),
    /// What a shaded area of one kind looks like under each policy that draws one: a swatch in
    /// stripes, one per policy of `policies` (indices, in policy order), each its colour at
    /// `alpha` with `hatch` over it. The legend of a chart whose areas are in the policies'
    /// colours and tell kinds apart by shade shows the shades as they are drawn, not in a grey
    /// standing for them.
    Shades {
        policies: Vec<usize>,
        alpha: f64,
        hatch: Hatch,
    },
}

impl Marker {
    /// Width of the marker in a legend, at scale 1.
    fn width(&self) -> u32 {
        match self {
            Marker::Shades { policies, .. } => (SWATCH / 2 * policies.len() as u32).max(SWATCH),
            Marker::Square | Marker::Shape(_) => SWATCH,
        }
    }
}

/// Side of a legend's square swatch (and height of a striped one).
const SWATCH: u32 = 14;

/// A horizontal band: one policy (or one policy within an item's group).
pub(super) struct Bar {
    pub(super) colour: RGBColor,
    pub(super) estimate: Option<SavedEstimate>,
    /// Drawn lighter and without an interval (an average of other items).
    pub(super) faint: bool,
}

/// A row of a categorical chart: its label and its bars, top to bottom.
pub(super) struct Row {
    pub(super) label: String,
    pub(super) bars: Vec<Bar>,
}

pub(super) struct Segment {
    pub(super) label: &'static str,
    pub(super) alpha: f64,
    pub(super) hatch: Hatch,
    pub(super) value: f64,
}

pub(super) struct StackRow {
    pub(super) label: String,
    pub(super) colour: RGBColor,
    pub(super) segments: Vec<Segment>,
    pub(super) total: Option<SavedEstimate>,
}

pub(super) struct Point {
    pub(super) colour: RGBColor,
    pub(super) index: usize,
    pub(super) x: SavedEstimate,
    pub(super) y: SavedEstimate,
}

/// Days of a disruption's event `[start, end)`, with its name: shaded on charts over days.
pub(super) struct Window {
    /// The name written at the window's top (nothing when empty).
    pub(super) label: String,
    pub(super) days: (f64, f64),
    /// The line of names it is written on, from the top (0), so names of windows close
    /// together do not overwrite each other.
    pub(super) row: u32,
}

/// Size of the names of shaded windows, and the height of one line of them.
pub(super) const WINDOW_NAME_SIZE: f64 = VALUE_SIZE - 1.5;
pub(super) const WINDOW_NAME_STEP: u32 = 15;

/// Shading of disruption windows: a warm grey, never a policy colour.
pub(super) const DISRUPTED: RGBColor = RGBColor(0xE4, 0xDC, 0xD4);

/// A value axis: its description (with units) and how its ticks are written.
pub(super) struct Axis {
    pub(super) desc: String,
    pub(super) kind: ValueKind,
    pub(super) max: f64,
}

/// A value marked across a chart's rows: the scenario's target on the metric charted, with
/// what it is ("target ≤ 1.00%").
pub(super) struct Reference {
    pub(super) value: f64,
    pub(super) label: String,
}

/// Draw `reference` as a dashed line across the `n` rows of a category chart, its label at the
/// top: in the text colour, not a policy's, so it reads as a rule and not as a series.
fn reference_line<DB: DrawingBackend>(
    chart: &mut CategoryChart<'_, DB>,
    reference: Option<&Reference>,
    n: usize,
    ctx: Ctx,
) -> DrawResult {
    let Some(r) = reference else {
        return Ok(());
    };
    let (bottom, top) = (-0.5, n as f64 - 0.5);
    let steps = 4 * n.max(1) * 3;
    let style = REFERENCE.stroke_width(ctx.px(2));
    // Dashes: every other of `steps` pieces of the line.
    let dashes = (0..steps).step_by(2).map(|k| {
        let at = |k: usize| bottom + (top - bottom) * k as f64 / steps as f64;
        PathElement::new(vec![(r.value, at(k)), (r.value, at(k + 1))], style)
    });
    chart.draw_series(dashes).map_err(fail)?;
    let label = ctx
        .font(TICK_SIZE)
        .color(&REFERENCE)
        .pos(Pos::new(HPos::Left, VPos::Top));
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((r.value, top))
                + Text::new(r.label.clone(), (ctx.pxi(4), ctx.pxi(2)), label),
        ))
        .map_err(fail)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Text and layout

/// Room for a text in pixels at scale 1, measured with the embedded font.
pub(super) fn text_width(text: &str, size: f64) -> u32 {
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
pub(super) const LABEL_SIZE: f64 = 15.0;
pub(super) const TICK_SIZE: f64 = 14.0;
pub(super) const VALUE_SIZE: f64 = 13.5;
pub(super) const PAD: u32 = 16;

pub(super) fn header_height(subtitle: &[String]) -> u32 {
    44 + 19 * subtitle.len() as u32 + 6
}

pub(super) fn subtitle(text: &str) -> Vec<String> {
    wrap(text, SUBTITLE_SIZE, WIDTH - 2 * PAD)
}

/// Height of the value axis (tick labels and description) under the plot.
pub(super) const X_AXIS_HEIGHT: u32 = 58;

fn legend_width(entries: &[LegendEntry]) -> u32 {
    let widest = entries
        .iter()
        .map(|e| e.marker.width() + 8 + text_width(&e.label, LABEL_SIZE))
        .max()
        .unwrap_or(0);
    widest + 22
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
    // Panels over days need the full width more than a legend needs a column.
    let panels = matches!(
        spec.plot,
        Plot::Fans { .. } | Plot::ItemFans { .. } | Plot::Trace { .. }
    );
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

/// The size at scale 1 of the area `draw` leaves for the plot, under the header and beside or
/// under the legend: what a chart that lays out its own labels before drawing
/// (the frontier's) lays them out in.
pub(super) fn plot_size(spec: &Spec) -> (u32, u32) {
    let height = spec.height - header_height(&spec.subtitle);
    match legend_place(spec) {
        LegendPlace::Right { width } => (WIDTH - width, height),
        LegendPlace::None | LegendPlace::Top { .. } => (WIDTH, height),
    }
}

/// The chart's full height: its plot, and a legend above it if it has one there.
fn total_height(spec: &Spec) -> u32 {
    match legend_place(spec) {
        LegendPlace::Top { height, .. } => spec.height + height,
        _ => spec.height,
    }
}

/// How many runs a summary's chart stands on, as its subtitle says it ("10,000 runs"); for a
/// single run it says why no whisker is drawn.
pub(super) fn runs_text(summary: &SavedSummary) -> String {
    match summary.runs {
        1 => "a single run (no confidence intervals: one run cannot show the spread)".to_string(),
        runs => format!("{} runs", group_thousands(runs as f64, 0)),
    }
}

/// An axis maximum that leaves room to draw when every value is zero.
pub(super) fn nonzero(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max
    } else {
        1e-3
    }
}

// ---------------------------------------------------------------------------------------------
// Drawing

pub(super) type DrawResult = Result<(), String>;

pub(super) fn fail<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// Pixel sizes at a scale: 1 for SVG, [`PNG_SCALE`] for PNG.
#[derive(Clone, Copy)]
pub(super) struct Ctx {
    pub(super) scale: f64,
}

impl Ctx {
    pub(super) fn px(self, v: u32) -> u32 {
        (v as f64 * self.scale).round() as u32
    }
    pub(super) fn pxi(self, v: i32) -> i32 {
        (v as f64 * self.scale).round() as i32
    }
    pub(super) fn font(self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&TEXT)
    }
    pub(super) fn muted(self, size: f64) -> TextStyle<'static> {
        (FONT, size * self.scale).into_font().color(&MUTED)
    }
}

pub(super) fn render(spec: &Spec) -> Result<Chart, ChartError> {
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
    draw_plot(&plot, &spec.plot, ctx)
}

pub(super) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    at: impl Fn(usize) -> (i32, i32),
    ctx: Ctx,
) -> DrawResult {
    for (i, e) in entries.iter().enumerate() {
        let (x, y) = at(i);
        let c = (x + ctx.pxi(7), y);
        let half = ctx.pxi(SWATCH as i32 / 2);
        let outline = |right: i32| {
            Rectangle::new(
                [(x, c.1 - half), (right, c.1 + half)],
                AXIS.mix(0.6).stroke_width(1),
            )
        };
        match &e.marker {
            Marker::Square => area
                .draw(&Rectangle::new(
                    [(x, c.1 - half), (x + 2 * half, c.1 + half)],
                    e.colour.filled(),
                ))
                .and_then(|_| area.draw(&outline(x + 2 * half)))
                .map_err(fail)?,
            Marker::Shape(k) => {
                for part in marker(*k, e.colour, ctx) {
                    match part {
                        MarkerPart::Disc(d) => area.draw(&(EmptyElement::at(c) + d)),
                        MarkerPart::Shape(p) => area.draw(&(EmptyElement::at(c) + p)),
                    }
                    .map_err(fail)?;
                }
            }
            Marker::Shades {
                policies,
                alpha,
                hatch,
            } => {
                let stripe = ctx.pxi(e.marker.width() as i32) / policies.len().max(1) as i32;
                for (k, &policy) in policies.iter().enumerate() {
                    let left = x + stripe * k as i32;
                    let right = if k + 1 == policies.len() {
                        x + ctx.pxi(e.marker.width() as i32)
                    } else {
                        left + stripe
                    };
                    let corners = [(left, c.1 - half), (right, c.1 + half)];
                    let colour = policy_colour(policy);
                    area.draw(&Rectangle::new(corners, colour.mix(*alpha).filled()))
                        .map_err(fail)?;
                    for line in hatch_lines(corners, *hatch, ctx) {
                        area.draw(&PathElement::new(
                            line.to_vec(),
                            colour.stroke_width(ctx.px(1)),
                        ))
                        .map_err(fail)?;
                    }
                }
                area.draw(&outline(x + ctx.pxi(e.marker.width() as i32)))
                    .map_err(fail)?;
            }
        }
        area.draw_text(
            &e.label,
            &ctx.font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Center)),
            (x + ctx.pxi(e.marker.width() as i32 + 8), y),
        )
        .map_err(fail)?;
    }
    Ok(())
}

/// Spacing of hatching lines, at scale 1.
const HATCH_STEP: i32 = 5;

/// The lines of `hatch` across the pixel rectangle `[(x0, y0), (x1, y1)]`, each clipped to it:
/// 45° lines [`HATCH_STEP`] pixels apart (at scale 1), placed on a grid fixed to the backend's
/// origin so that the hatching of neighbouring areas lines up.
pub(super) fn hatch_lines(
    [(x0, y0), (x1, y1)]: [(i32, i32); 2],
    hatch: Hatch,
    ctx: Ctx,
) -> Vec<[(i32, i32); 2]> {
    let (x0, x1) = (x0.min(x1), x0.max(x1));
    let (y0, y1) = (y0.min(y1), y0.max(y1));
    let step = ctx.pxi(HATCH_STEP).max(2);
    let mut lines = Vec::new();
    match hatch {
        Hatch::None => {}
        // x + y = c: rising to the right (y grows downwards).
        Hatch::Rising => {
            let first = (x0 + y0).div_euclid(step) * step + step;
            for c in (first..x1 + y1).step_by(step as usize) {
                let (from, to) = ((c - y1).max(x0), (c - y0).min(x1));
                if from < to {
                    lines.push([(from, c - from), (to, c - to)]);
                }
            }
        }
        // x − y = c: falling to the right.
        Hatch::Falling => {
            let first = (x0 - y1).div_euclid(step) * step + step;
            for c in (first..x1 - y0).step_by(step as usize) {
                let (from, to) = ((c + y0).max(x0), (c + y1).min(x1));
                if from < to {
                    lines.push([(from, from - c), (to, to - c)]);
                }
            }
        }
    }
    lines
}

/// One layer of a marker, in pixels around its centre.
pub(super) enum MarkerPart {
    Disc(Circle<(i32, i32), i32>),
    Shape(Polygon<(i32, i32)>),
}

/// The marker of policy `k` in the scatter chart: circle, square, triangle, diamond, then the
/// same four hollow; each with a dark outline.
fn marker(k: usize, colour: RGBAColor, ctx: Ctx) -> Vec<MarkerPart> {
    marker_sized(k, colour, 7.5, ctx)
}

/// [`marker`] with a radius of `size` pixels (at scale 1).
pub(super) fn marker_sized(k: usize, colour: RGBAColor, size: f64, ctx: Ctx) -> Vec<MarkerPart> {
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
pub(super) fn tick_format(kind: ValueKind, max: f64) -> impl Fn(&f64) -> String {
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
pub(super) fn trim_zeros(s: String) -> String {
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
pub(super) struct Rows {
    pub(super) n: usize,
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
/// A confidence interval as a whisker, clipped below at `floor` (0 for a quantity that
/// cannot be negative); nothing where there is no interval (a single run), so that a chart
/// never draws a zero-width certainty. Returns the right end of what was drawn, if anything.
fn whisker<DB: DrawingBackend>(
    chart: &mut CategoryChart<'_, DB>,
    ci: Option<Interval>,
    floor: f64,
    y: f64,
    cap: f64,
    ctx: Ctx,
) -> Result<Option<f64>, String> {
    let Some(ci) = ci else {
        return Ok(None);
    };
    let (lo, hi) = (ci.low.max(floor), ci.high);
    let style = WHISKER.stroke_width(ctx.px(2));
    chart
        .draw_series([
            PathElement::new(vec![(lo, y), (hi, y)], style),
            PathElement::new(vec![(lo, y - cap), (lo, y + cap)], style),
            PathElement::new(vec![(hi, y - cap), (hi, y + cap)], style),
        ])
        .map_err(fail)?;
    Ok(Some(hi))
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

pub(super) fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    axis: &Axis,
    target: Option<&Reference>,
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
                None
            } else {
                whisker(&mut chart, e.ci95, 0.0, y, thick * 0.6, ctx)?
            };
            let end = end.unwrap_or(e.mean);
            if labelled {
                value_label(&mut chart, fmt.value(e.mean), (end, y), ctx)?;
            }
        }
    }
    reference_line(&mut chart, target, n, ctx)
}

pub(super) fn draw_spread<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Row],
    axis: &Axis,
    unit: &str,
    target: Option<&Reference>,
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
        let right = whisker(&mut chart, e.ci95, f64::NEG_INFINITY, y, 0.1, ctx)?;
        chart
            .draw_series([
                Circle::new((e.mean, y), ctx.px(6), WHISKER.filled()),
                Circle::new((e.mean, y), ctx.px(4), WHITE.filled()),
            ])
            .map_err(fail)?;
        let label = format!("mean {} {unit}", ValueKind::Number.value(e.mean));
        let right = right.map_or(e.p95, |r| e.p95.max(r));
        value_label(&mut chart, label, (right, y), ctx)?;
    }
    reference_line(&mut chart, target, n, ctx)
}

pub(super) fn draw_stacked<DB: DrawingBackend>(
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
            if s.hatch != Hatch::None {
                // Lines in pixels, anchored at the segment's top left corner.
                let anchor = (start, y + 0.32);
                let origin = chart.backend_coord(&anchor);
                let corners = [origin, chart.backend_coord(&(end, y - 0.32))];
                chart
                    .draw_series(
                        hatch_lines(corners, s.hatch, ctx)
                            .into_iter()
                            .map(|[a, b]| {
                                let rel = |(px, py): (i32, i32)| (px - origin.0, py - origin.1);
                                EmptyElement::at(anchor)
                                    + PathElement::new(
                                        vec![rel(a), rel(b)],
                                        row.colour.stroke_width(ctx.px(1)),
                                    )
                            }),
                    )
                    .map_err(fail)?;
            }
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
                whisker(&mut chart, t.ci95, 0.0, y, 0.12, ctx)?.map_or(start, |hi| hi.max(start))
            }
            None => start,
        };
        let total = row.total.map_or(start, |t| t.mean);
        value_label(&mut chart, ValueKind::Money.value(total), (end, y), ctx)?;
    }
    Ok(())
}

/// The colour `c` at opacity `alpha` over white.
pub(super) fn blend(c: RGBColor, alpha: f64) -> (f64, f64, f64) {
    let f = |v: u8| (v as f64 / 255.0) * alpha + (1.0 - alpha);
    (f(c.0), f(c.1), f(c.2))
}

/// Relative luminance (WCAG 2) of an sRGB colour with channels in [0, 1].
pub(super) fn luminance((r, g, b): (f64, f64, f64)) -> f64 {
    let lin = |v: f64| {
        if v <= 0.039_28 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

pub(super) fn draw_scatter<DB: DrawingBackend>(
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
            ])
            .map_err(fail)?;
        // The intervals of the means, where a single run did not leave them undefined.
        let intervals = [
            p.x.ci95.map(|ci| vec![(ci.low, py), (ci.high, py)]),
            p.y.ci95.map(|ci| vec![(px, ci.low), (px, ci.high)]),
        ];
        chart
            .draw_series(
                intervals
                    .into_iter()
                    .flatten()
                    .map(|line| PathElement::new(line, thick(p.colour))),
            )
            .map_err(fail)?;
    }
    // Markers last, so no line hides one.
    for p in points {
        let parts = marker(p.index, p.colour.to_rgba(), ctx);
        draw_marker(&mut chart, (p.x.mean, p.y.mean), parts)?;
    }
    Ok(())
}

pub(super) type ValueChart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// How a value axis writes its tick labels.
pub(super) type TickFormat<'a> = dyn Fn(&f64) -> String + 'a;

/// The layout of a value chart's frame, at scale 1.
pub(super) struct Frame<'a> {
    pub(super) caption: Option<&'a str>,
    /// Margins above, right of and below the chart (left of it: [`PAD`]).
    pub(super) margins: (u32, u32, u32),
    /// Room below the plot for the x axis, and left of it for the y axis.
    pub(super) label_areas: (u32, u32),
    /// Ticks wanted on the x and y axes.
    pub(super) ticks: (usize, usize),
    pub(super) tick_mark: u32,
    pub(super) desc_size: f64,
}

impl Frame<'_> {
    /// The frame of a full-size chart (the scatter chart, the analysis charts), whose y tick
    /// labels are at most `y_tick_w` wide.
    pub(super) fn full(y_tick_w: u32) -> Frame<'static> {
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
/// The frame of one small panel in a grid of day charts (the on-hand fan's, a trace's): its
/// caption above, room left of the plot for the widest tick label of `fmt_y` up to `y_max`,
/// and `x_ticks` ticks along the days.
pub(super) fn panel_frame<'a>(
    caption: &'a str,
    fmt_y: &TickFormat<'_>,
    y_max: f64,
    x_ticks: usize,
) -> Frame<'a> {
    let y_tick_w = [0.0, y_max / 2.0, y_max]
        .iter()
        .map(|v| text_width(&fmt_y(v), TICK_SIZE))
        .max()
        .unwrap_or(40);
    Frame {
        caption: Some(caption),
        margins: (6, 22, 4),
        label_areas: (X_AXIS_HEIGHT - 12, y_tick_w + 36),
        ticks: (x_ticks, 5),
        tick_mark: 4,
        desc_size: TICK_SIZE,
    }
}

pub(super) fn value_chart<'a, DB: DrawingBackend>(
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

/// The x axis of a chart over days as a calendar ([`super::calendar::day_ticks`]): a tick at
/// each of `ticks`, a grid line up the plot where ticks are far enough apart, and the labels
/// under the axis, as many as fit side by side: every tick's where they all fit, else those
/// whose rank is a multiple of the smallest step that fits (every second month, every
/// quarter, half-year, January, …). Drawn into `area`, the chart's own drawing area, right
/// after [`value_chart`] (built with no x ticks of its own), so that the series cover the grid.
pub(super) fn draw_day_axis<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ValueChart<'_, DB>,
    ticks: &[DayTick],
    tick_mark: u32,
    ctx: Ctx,
) -> DrawResult {
    let (y_lo, y_hi) = {
        let r = chart.y_range();
        (r.start, r.end)
    };
    let base = area.get_base_pixel();
    let at = |day: f64| {
        let (x, y) = chart.backend_coord(&(day, y_lo));
        (x - base.0, y - base.1)
    };
    let top = chart.backend_coord(&(0.0, y_hi)).1 - base.1;
    // Placement at scale 1, so that the SVG and the PNG write the same labels.
    let xs: Vec<f64> = ticks
        .iter()
        .map(|t| f64::from(at(t.day).0) / ctx.scale)
        .collect();
    let widths: Vec<f64> = ticks
        .iter()
        .map(|t| f64::from(text_width(&t.label, TICK_SIZE)))
        .collect();
    let fits = |step: u32| {
        let mut right = f64::NEG_INFINITY;
        for ((t, &x), &w) in ticks.iter().zip(&xs).zip(&widths) {
            if t.rank % step == 0 {
                if x - w / 2.0 < right + 8.0 {
                    return false;
                }
                right = x + w / 2.0;
            }
        }
        true
    };
    let step = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|&s| fits(s))
        .unwrap_or(1200);
    let closest = xs
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    for (t, &x) in ticks.iter().zip(&xs) {
        let labelled = t.rank % step == 0;
        let (px, py) = at(t.day);
        if labelled || closest >= 6.0 {
            area.draw(&PathElement::new(
                vec![(px, top), (px, py)],
                GRID.stroke_width(ctx.px(1)),
            ))
            .map_err(fail)?;
        }
        let mark = if labelled { tick_mark } else { tick_mark / 2 };
        area.draw(&PathElement::new(
            vec![(px, py), (px, py + ctx.pxi(mark as i32))],
            AXIS.stroke_width(ctx.px(1)),
        ))
        .map_err(fail)?;
        if labelled {
            area.draw_text(
                &t.label,
                &ctx.font(TICK_SIZE).pos(Pos::new(HPos::Center, VPos::Top)),
                (
                    ctx.pxi(x.round() as i32),
                    py + ctx.pxi(tick_mark as i32 + 3),
                ),
            )
            .map_err(fail)?;
        }
    }
    Ok(())
}

/// Shade each window's days over the full height (`0..y_max`) of a chart over days that
/// starts on `first_day` and ends on `x_max`, and name it at its top, inside the plot, ending
/// at its right edge when it sits in the right half so the name never runs off the chart.
pub(super) fn shade_windows<DB: DrawingBackend>(
    chart: &mut ValueChart<'_, DB>,
    windows: &[Window],
    (first_day, x_max, y_max): (f64, f64, f64),
    ctx: Ctx,
) -> DrawResult {
    chart
        .draw_series(windows.iter().map(|w| {
            let days = (w.days.0.max(first_day), w.days.1.max(first_day));
            Rectangle::new([(days.0, 0.0), (days.1, y_max)], DISRUPTED.filled())
        }))
        .map_err(fail)?;
    let name_style = |right: bool| {
        let h = if right { HPos::Right } else { HPos::Left };
        ctx.muted(WINDOW_NAME_SIZE).pos(Pos::new(h, VPos::Top))
    };
    // A window without a name is only shaded (another window names its disruption).
    chart
        .draw_series(windows.iter().filter(|w| !w.label.is_empty()).map(|w| {
            let right = w.days.0 > (first_day + x_max) / 2.0;
            let (at, dx) = if right { (w.days.1, -3) } else { (w.days.0, 3) };
            let dy = 3 + (w.row * WINDOW_NAME_STEP) as i32;
            EmptyElement::at((at, y_max))
                + Text::new(
                    w.label.clone(),
                    (ctx.pxi(dx), ctx.pxi(dy)),
                    name_style(right),
                )
        }))
        .map_err(fail)?;
    Ok(())
}

/// A marker's layers centred on a point of a value chart.
pub(super) fn draw_marker<DB: DrawingBackend>(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presentation::charts::ensure_font;

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
}
