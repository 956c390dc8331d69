//! The chart of a traced run (`buffersim trace`): one panel per item over every day of the run,
//! with stock on hand, the customers' backlog (or the sales lost each day), the orders placed,
//! and the days of the disruptions that reach the item shaded as the on-hand fan shades its
//! scheduled disruptions. The frame, the axes, the text and the shading come from `draw`.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::presentation::format::ValueKind;
use crate::results::trace::{RunTrace, RunTraces, TracedItem};
use crate::simulation::trace::TraceDay;

use super::calendar::{DayTick, axis_title, day_ticks};
use super::draw::{
    Axis, Ctx, DISRUPTED, DrawResult, LegendEntry, Marker, Spec, WINDOW_NAME_SIZE,
    WINDOW_NAME_STEP, Window, draw_day_axis, fail, header_height, nonzero, panel_frame,
    shade_windows, subtitle, text_width, tick_format, value_chart,
};
use super::{MUTED, Plot, WIDTH, WORST_ITEMS, policy_colour};

/// Customers' backlog and lost sales: a dark red, never a policy colour.
const SHORT: RGBColor = RGBColor(0xA8, 0x1E, 0x2C);
/// Orders placed: a neutral grey, so the policy's line stays the eye-catcher.
const ORDERS: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Height of one item's panel.
const PANEL_HEIGHT: u32 = 240;

/// One item's panel.
pub(super) struct TracePanel {
    label: String,
    colour: RGBColor,
    days: Vec<TraceDay>,
    windows: Vec<Window>,
    /// The line of names the warm-up's name is written on.
    warmup_row: u32,
    /// Lines of names at the top of the panel.
    name_lines: u32,
    backorder: bool,
    y_max: f64,
}

/// The items drawn: all of them up to [`WORST_ITEMS`], else the ones with the most units short
/// (ties in scenario order), shown in scenario order.
fn drawn_items(run: &RunTrace) -> Vec<&TracedItem> {
    if run.items.len() <= WORST_ITEMS {
        return run.items.iter().collect();
    }
    let mut order: Vec<usize> = (0..run.items.len()).collect();
    order.sort_by(|&a, &b| {
        let short = |k: usize| run.items[k].totals.units.short;
        short(b).total_cmp(&short(a)).then(a.cmp(&b))
    });
    order.truncate(WORST_ITEMS);
    order.sort_unstable();
    order.into_iter().map(|k| &run.items[k]).collect()
}

/// The shaded days of an item's disruptions, and the line of names the warm-up's name goes on.
/// Each disruption is named at its first event, and at any later one wide enough for its
/// name, so that many short events do not bury the panel in names; names that would overlap
/// go on lines further down.
fn windows(traces: &RunTraces, item: &TracedItem) -> (Vec<Window>, u32) {
    // The plot takes the chart's width less the y axis and margins: about 120 pixels.
    let px_per_day = f64::from(WIDTH - 120) / f64::from(traces.horizon_days.max(1));
    let half = f64::from(traces.horizon_days) / 2.0;
    let width = |name: &str| f64::from(text_width(name, WINDOW_NAME_SIZE) + 6);
    let mut named = Vec::new();
    let mut lines = NameLines::default();
    let windows = item
        .events
        .iter()
        .map(|&(k, spell)| {
            let (start, end) = (spell.start as f64, spell.end as f64);
            let id = &traces.disruptions[k];
            let wide = (end - start) * px_per_day >= width(id);
            let first = !named.contains(&k);
            named.push(k);
            if !(first || wide) {
                return Window {
                    label: String::new(),
                    days: (start, end),
                    row: 0,
                };
            }
            // Where `shade_windows` writes the name: from the start in the left half, up to
            // the end in the right half.
            let span = if start > half {
                (end * px_per_day - width(id), end * px_per_day)
            } else {
                (start * px_per_day, start * px_per_day + width(id))
            };
            Window {
                label: id.clone(),
                days: (start, end),
                row: lines.place(span),
            }
        })
        .collect();
    let warmup = f64::from(traces.warmup_days) * px_per_day;
    let warmup_row = lines.place((warmup - width(WARMUP), warmup));
    (windows, warmup_row)
}

/// The name of the warm-up's end.
const WARMUP: &str = "warm-up";

/// Lines of names over a panel: each name goes on the first line where it overlaps none.
#[derive(Default)]
struct NameLines {
    /// Per line, the spans (in pixels) taken.
    taken: Vec<Vec<(f64, f64)>>,
}

impl NameLines {
    fn place(&mut self, (from, to): (f64, f64)) -> u32 {
        let free = |line: &Vec<(f64, f64)>| line.iter().all(|&(a, b)| to <= a || b <= from);
        let row = match self.taken.iter().position(free) {
            Some(row) => row,
            None => {
                self.taken.push(Vec::new());
                self.taken.len() - 1
            }
        };
        self.taken[row].push((from, to));
        row as u32
    }
}

/// The chart of one traced run.
pub(super) fn trace_spec(traces: &RunTraces, run: &RunTrace) -> Spec {
    let colour = policy_colour(traces.policy_index);
    let items = drawn_items(run);
    let panels: Vec<TracePanel> = items
        .iter()
        .map(|item| {
            let y_max = item
                .days
                .iter()
                .map(|d| {
                    (d.on_hand + d.reserve)
                        .max(d.backordered)
                        .max(d.lost)
                        .max(d.ordered)
                })
                .fold(0.0, f64::max);
            let (windows, warmup_row) = windows(traces, item);
            let name_lines = windows
                .iter()
                .filter(|w| !w.label.is_empty())
                .map(|w| w.row + 1)
                .chain([if traces.warmup_days > 0 {
                    warmup_row + 1
                } else {
                    0
                }])
                .max()
                .unwrap_or(0);
            TracePanel {
                label: item.item.clone(),
                colour,
                days: item.days.clone(),
                windows,
                warmup_row,
                name_lines,
                backorder: traces.backorder,
                y_max: nonzero(y_max),
            }
        })
        .collect();
    let reserve = run
        .items
        .iter()
        .any(|i| i.days.iter().any(|d| d.reserve > 0.0));
    let shortfall = if traces.backorder {
        "the red area the units customers wait for (the backlog)"
    } else {
        "the red bars the sales lost each day"
    };
    let some = if items.len() < run.items.len() {
        format!(
            " The {} items with the most units short of {} are drawn.",
            items.len(),
            run.items.len()
        )
    } else {
        String::new()
    };
    let warmup = if traces.warmup_days > 0 {
        " Days left of the vertical line are warm-up, not measured."
    } else {
        ""
    };
    let sub = subtitle(&format!(
        "Units at the end of each day of run {} (seed {}): the line is stock on hand{}, {shortfall}; \
         grey bars are the units ordered on the day. Shaded: days on which a disruption that \
         reaches the item was active.{warmup}{some}",
        run.run,
        traces.seed,
        if reserve { " with the reserve" } else { "" },
    ));
    let mut legend = vec![
        LegendEntry {
            label: if reserve {
                "on hand (with the reserve)".into()
            } else {
                "on hand".into()
            },
            colour: colour.to_rgba(),
            marker: Marker::Square,
        },
        LegendEntry {
            label: if traces.backorder {
                "backlog".into()
            } else {
                "lost sales".into()
            },
            colour: SHORT.to_rgba(),
            marker: Marker::Square,
        },
        LegendEntry {
            label: "ordered".into(),
            colour: ORDERS.to_rgba(),
            marker: Marker::Square,
        },
    ];
    if panels.iter().any(|p| !p.windows.is_empty()) {
        legend.push(LegendEntry {
            label: "disruption".into(),
            colour: DISRUPTED.to_rgba(),
            marker: Marker::Square,
        });
    }
    Spec {
        name: "trace-run",
        title: format!(
            "Run {} of policy '{}', day by day — {}",
            run.run, traces.policy, traces.scenario
        ),
        caption: sub.join(" "),
        height: header_height(&sub) + panels.len() as u32 * PANEL_HEIGHT + 8,
        subtitle: sub,
        series: 1,
        plot: Plot::Trace {
            panels,
            warmup: f64::from(traces.warmup_days),
            ticks: day_ticks(
                traces.calendar(),
                0,
                traces.horizon_days,
                traces.horizon_days,
            ),
            x: Axis {
                desc: axis_title(traces.calendar()),
                kind: ValueKind::Number,
                max: f64::from(traces.horizon_days),
            },
        },
        legend,
    }
}

pub(super) fn draw_traces<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[TracePanel],
    warmup: f64,
    (ticks, x): (&[DayTick], &Axis),
    ctx: Ctx,
) -> DrawResult {
    let (_, body) = area.split_vertically(ctx.px(4));
    let (body, _) = body.split_vertically(ctx.px(panels.len() as u32 * PANEL_HEIGHT));
    for (panel, cell) in panels.iter().zip(body.split_evenly((panels.len(), 1))) {
        draw_panel(&cell, panel, warmup, (ticks, x), ctx)?;
    }
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &TracePanel,
    warmup: f64,
    (ticks, x): (&[DayTick], &Axis),
    ctx: Ctx,
) -> DrawResult {
    let y_desc = "Units";
    let fmt_x = tick_format(x.kind, x.max);
    let fmt_y = tick_format(ValueKind::Number, panel.y_max);
    // Room above the highest figure for the lines of names.
    let y_max = panel.y_max * (1.06 + 0.09 * f64::from(panel.name_lines));
    // The x axis is the calendar's: months, drawn by `draw_day_axis`.
    let frame = panel_frame(&panel.label, &fmt_y, y_max, 0);
    let mut chart = value_chart(
        area,
        (0.0..x.max, 0.0..y_max),
        (&fmt_x, &fmt_y),
        (&x.desc, y_desc),
        &frame,
        ctx,
    )?;
    draw_day_axis(area, &chart, ticks, frame.tick_mark, ctx)?;
    shade_windows(&mut chart, &panel.windows, (0.0, x.max, y_max), ctx)?;
    if warmup > 0.0 {
        chart
            .draw_series([PathElement::new(
                vec![(warmup, 0.0), (warmup, y_max)],
                MUTED.stroke_width(ctx.px(1)),
            )])
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((warmup, y_max))
                    + Text::new(
                        WARMUP,
                        (
                            ctx.pxi(-3),
                            ctx.pxi(3 + (panel.warmup_row * WINDOW_NAME_STEP) as i32),
                        ),
                        ctx.muted(WINDOW_NAME_SIZE)
                            .pos(Pos::new(HPos::Right, VPos::Top)),
                    ),
            ))
            .map_err(fail)?;
    }
    let day = |d: &TraceDay| d.day as f64;
    // Orders: a bar on the day placed, as high as the units ordered.
    chart
        .draw_series(panel.days.iter().filter(|d| d.ordered > 0.0).map(|d| {
            Rectangle::new(
                [(day(d) + 0.15, 0.0), (day(d) + 0.85, d.ordered)],
                ORDERS.mix(0.4).filled(),
            )
        }))
        .map_err(fail)?;
    if panel.backorder {
        // The backlog as an area under its end-of-day level, day by day as steps.
        if panel.days.iter().any(|d| d.backordered > 0.0) {
            let mut outline: Vec<(f64, f64)> = vec![(0.0, 0.0)];
            for d in &panel.days {
                outline.push((day(d), d.backordered));
                outline.push((day(d) + 1.0, d.backordered));
            }
            outline.push((x.max, 0.0));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    SHORT.mix(0.45).filled(),
                )))
                .map_err(fail)?;
        }
    } else {
        chart
            .draw_series(panel.days.iter().filter(|d| d.lost > 0.0).map(|d| {
                Rectangle::new(
                    [(day(d) + 0.1, 0.0), (day(d) + 0.9, d.lost)],
                    SHORT.filled(),
                )
            }))
            .map_err(fail)?;
    }
    // Stock on hand at the end of each day, held until the next day's end: steps.
    let mut line = Vec::with_capacity(2 * panel.days.len());
    for d in &panel.days {
        let level = d.on_hand + d.reserve;
        line.push((day(d), level));
        line.push((day(d) + 1.0, level));
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            line,
            panel.colour.stroke_width(ctx.px(2)),
        )))
        .map_err(fail)?;
    Ok(())
}
