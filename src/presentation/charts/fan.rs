//! The on-hand fan chart: stock on hand over the horizon, one panel per policy with its
//! percentile bands and median, scheduled disruptions shaded. Its description and its drawing
//! are together here, since no other chart lays out percentile bands over days; the frame, the
//! axes, the text and the shaded disruption windows come from `draw`.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::presentation::format::ValueKind;
use crate::results::saved::{SavedFan, SavedSummary};

use super::calendar::{DayTick, axis_title, day_ticks};
use super::draw::{
    Axis, Ctx, DISRUPTED, DrawResult, LegendEntry, Marker, Spec, Window, draw_day_axis, fail,
    header_height, nonzero, panel_frame, runs_text, shade_windows, subtitle, tick_format,
    value_chart,
};
use super::{Hatch, Plot, cost_axis, policy_colour};

/// Opacity of the fan chart's outer (p05–p95) and inner (p25–p75) bands.
const FAN_OUTER: f64 = 0.16;
const FAN_INNER: f64 = 0.38;
/// Height of one policy's panel in the fan chart.
const FAN_PANEL_HEIGHT: u32 = 250;

/// One policy's panel of the fan chart.
pub(super) struct FanPanel {
    label: String,
    colour: RGBColor,
    fan: SavedFan,
}

/// Chart 4: stock on hand over the horizon, one fan per policy, scheduled disruptions shaded.
pub(super) fn on_hand_fan(summary: &SavedSummary) -> Option<Spec> {
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
    let windows = scheduled_windows(summary);
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
    let legend = fan_legend(summary.policies.len(), !windows.is_empty());
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
            ticks: fan_ticks(summary),
            x: day_axis(summary),
            y: Axis {
                desc: if in_units {
                    "On hand (units)".into()
                } else {
                    cost_axis("Value on hand", summary.currency.as_deref())
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

/// The days of the scheduled disruptions, named: shaded on the fan charts (random and Markov
/// disruptions strike on other days in each run, so they widen the bands instead).
fn scheduled_windows(summary: &SavedSummary) -> Vec<Window> {
    summary
        .disruptions
        .iter()
        .flat_map(|d| &d.by_disruption)
        .flat_map(|d| {
            d.scheduled.iter().map(|&[start, end]| Window {
                label: d.disruption.clone(),
                days: (start as f64, end as f64),
                row: 0,
            })
        })
        .collect()
}

/// The day axis of both fan charts: the measured days of the horizon, labelled by month.
fn day_axis(summary: &SavedSummary) -> Axis {
    Axis {
        desc: axis_title(summary.calendar()),
        kind: ValueKind::Number,
        max: summary.horizon_days as f64,
    }
}

/// The ticks of a fan chart's calendar axis, over the measured days.
fn fan_ticks(summary: &SavedSummary) -> Vec<DayTick> {
    day_ticks(
        summary.calendar(),
        summary.warmup_days,
        summary.horizon_days,
        summary.horizon_days,
    )
}

/// The legend of a fan chart: each band and the median as drawn under every policy (the
/// panels are in the policies' colours), and the shading of scheduled disruptions if any.
fn fan_legend(policies: usize, shaded: bool) -> Vec<LegendEntry> {
    let shades = |label: &str, alpha: f64| LegendEntry {
        label: label.into(),
        colour: policy_colour(0).mix(alpha),
        marker: Marker::Shades {
            policies: (0..policies).collect(),
            alpha,
            hatch: Hatch::None,
        },
    };
    let mut legend = vec![
        shades("5th–95th percentile", FAN_OUTER),
        shades("25th–75th percentile", FAN_INNER),
        shades("median", 1.0),
    ];
    if shaded {
        legend.push(LegendEntry {
            label: "scheduled disruption".into(),
            colour: DISRUPTED.to_rgba(),
            marker: Marker::Square,
        });
    }
    legend
}

/// Panels side by side in the fan chart: one alone, otherwise two per row.
fn fan_columns(panels: usize) -> usize {
    if panels <= 1 { 1 } else { 2 }
}

pub(super) fn draw_fans<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[FanPanel],
    windows: &[Window],
    axes: (f64, &[DayTick], &Axis, &Axis),
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
    (first_day, ticks, x, y): (f64, &[DayTick], &Axis, &Axis),
    ctx: Ctx,
) -> DrawResult {
    let fmt_x = tick_format(x.kind, x.max);
    let fmt_y = tick_format(y.kind, y.max);
    let y_max = y.max * 1.05;
    // The x axis is the calendar's: months, drawn by `draw_day_axis`.
    let frame = panel_frame(&panel.label, &fmt_y, y_max, 0);
    let mut chart = value_chart(
        area,
        (first_day..x.max, 0.0..y_max),
        (&fmt_x, &fmt_y),
        (&x.desc, &y.desc),
        &frame,
        ctx,
    )?;
    draw_day_axis(area, &chart, ticks, frame.tick_mark, ctx)?;
    shade_windows(&mut chart, windows, (first_day, x.max, y_max), ctx)?;
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

/// Height of one item's panel in the per-item chart.
const ITEM_PANEL_HEIGHT: u32 = 230;

/// One item's panel of the per-item chart: every policy's fan of the item, in units.
pub(super) struct ItemPanel {
    label: String,
    /// Per policy with a fan of the item: its colour and the fan.
    fans: Vec<(RGBColor, SavedFan)>,
    /// The panel's y scale: the highest 75th percentile of any policy, so that the panels of
    /// items counted in different units each use their height.
    y_max: f64,
}

/// Chart 7: stock on hand of each item in units, one panel per item with every policy's
/// median and middle half of runs; drawn when at least two items have fans of their own (a
/// single item's is the `on-hand` chart).
pub(super) fn on_hand_items(summary: &SavedSummary) -> Option<Spec> {
    let items = summary.item_names();
    let panels: Vec<ItemPanel> = (0..items.len())
        .filter_map(|i| {
            let fans: Vec<(RGBColor, SavedFan)> = summary
                .policies
                .iter()
                .enumerate()
                .filter_map(|(k, p)| {
                    let fan = p.items.get(i)?.on_hand_fan.clone()?;
                    Some((policy_colour(k), fan))
                })
                .collect();
            if fans.is_empty() {
                return None;
            }
            let y_max = fans
                .iter()
                .flat_map(|(_, f)| f.p75.iter().chain(&f.p50))
                .copied()
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            Some(ItemPanel {
                label: items[i].to_string(),
                fans,
                y_max: nonzero(y_max),
            })
        })
        .collect();
    if panels.len() < 2 {
        return None;
    }
    let windows = scheduled_windows(summary);
    let shaded = if windows.is_empty() {
        ""
    } else {
        " Shaded: days of scheduled disruptions."
    };
    let some = if panels.len() < items.len() {
        format!(
            " The first {} of {} items have fans of their own (on_hand.csv holds them).",
            panels.len(),
            items.len()
        )
    } else {
        String::new()
    };
    let sub = subtitle(&format!(
        "Units of each item on hand at the end of the day, over {}, sampled about weekly: one \
         panel per item, each with its own scale; in each, every policy's median over runs \
         (line) and the middle half of runs (band, 25th–75th percentile; the 5th and 95th are \
         in on_hand.csv).{shaded}{some}",
        runs_text(summary)
    ));
    let mut legend: Vec<LegendEntry> = summary
        .policies
        .iter()
        .enumerate()
        .map(|(k, p)| LegendEntry {
            label: p.policy.clone(),
            colour: policy_colour(k).to_rgba(),
            marker: Marker::Square,
        })
        .collect();
    legend.push(LegendEntry {
        label: "25th–75th percentile".into(),
        colour: policy_colour(0).mix(ITEM_BAND),
        marker: Marker::Shades {
            policies: (0..summary.policies.len()).collect(),
            alpha: ITEM_BAND,
            hatch: Hatch::None,
        },
    });
    if !windows.is_empty() {
        legend.push(LegendEntry {
            label: "scheduled disruption".into(),
            colour: DISRUPTED.to_rgba(),
            marker: Marker::Square,
        });
    }
    let rows = panels.len().div_ceil(fan_columns(panels.len())) as u32;
    Some(Spec {
        name: "on-hand-items",
        title: "Stock on hand per item over the horizon, by policy".into(),
        caption: sub.join(" "),
        height: header_height(&sub) + rows * ITEM_PANEL_HEIGHT + 8,
        subtitle: sub,
        series: summary.policies.len(),
        plot: Plot::ItemFans {
            panels,
            windows,
            first_day: summary.warmup_days as f64,
            ticks: fan_ticks(summary),
            x: day_axis(summary),
        },
        legend,
    })
}

/// Opacity of each policy's band in the per-item chart: lighter than the fan's inner band,
/// since several overlap.
const ITEM_BAND: f64 = 0.22;

pub(super) fn draw_item_fans<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panels: &[ItemPanel],
    windows: &[Window],
    (first_day, ticks, x): (f64, &[DayTick], &Axis),
    ctx: Ctx,
) -> DrawResult {
    let columns = fan_columns(panels.len());
    let rows = panels.len().div_ceil(columns);
    let (_, body) = area.split_vertically(ctx.px(4));
    let (body, _) = body.split_vertically(ctx.px(rows as u32 * ITEM_PANEL_HEIGHT));
    for (panel, cell) in panels.iter().zip(body.split_evenly((rows, columns))) {
        let fmt_x = tick_format(x.kind, x.max);
        let fmt_y = tick_format(ValueKind::Number, panel.y_max);
        let y_max = panel.y_max * 1.08;
        let frame = panel_frame(&panel.label, &fmt_y, y_max, 0);
        let mut chart = value_chart(
            &cell,
            (first_day..x.max, 0.0..y_max),
            (&fmt_x, &fmt_y),
            (&x.desc, "On hand (units)"),
            &frame,
            ctx,
        )?;
        draw_day_axis(&cell, &chart, ticks, frame.tick_mark, ctx)?;
        shade_windows(&mut chart, windows, (first_day, x.max, y_max), ctx)?;
        // Bands first, so that no band hides a median.
        chart
            .draw_series(panel.fans.iter().map(|(colour, fan)| {
                let day = |k: usize| fan.day[k] as f64;
                // A level above the scale (a 75th percentile far above the others') is drawn
                // at the top.
                let clip = |v: f64| v.min(y_max);
                let mut outline: Vec<(f64, f64)> = (0..fan.day.len())
                    .map(|k| (day(k), clip(fan.p25[k])))
                    .collect();
                outline.extend((0..fan.day.len()).rev().map(|k| (day(k), clip(fan.p75[k]))));
                Polygon::new(outline, colour.mix(ITEM_BAND).filled())
            }))
            .map_err(fail)?;
        chart
            .draw_series(panel.fans.iter().map(|(colour, fan)| {
                PathElement::new(
                    (0..fan.day.len())
                        .map(|k| (fan.day[k] as f64, fan.p50[k].min(y_max)))
                        .collect::<Vec<_>>(),
                    colour.stroke_width(ctx.px(2)),
                )
            }))
            .map_err(fail)?;
    }
    Ok(())
}
