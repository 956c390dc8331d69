//! Levels that follow demand: a policy's rules re-sized for each calendar month (or every N
//! days) from the demand expected in that period, instead of once for the year.
//!
//! The reference texts advise adjusting kanban quantities monthly to each month's demand and
//! raising them before expected spikes. A re-sized rule is the same rule — the same formula
//! with the same inputs the scenario gives — sized with each period's expected daily demand
//! (and its spread) in place of the year's average: whatever the formula computes from demand
//! moves (a kanban's container count, a reorder point or order-up-to level derived from a
//! service level or safety stock, an EOQ lot), and whatever the scenario gives as a number
//! (a container count, a fixed level or lot) stays.

use serde::{Deserialize, Serialize};

use crate::foundation::date::Calendar;
use crate::foundation::format::group_thousands;
use crate::model::demand::{DemandDistribution, DemandModel};

/// How often a policy's rules are re-sized (`[policy.NAME.resize]`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Resize {
    /// The periods: calendar months, or every so many days from day 0.
    pub every: ResizeEvery,
    /// Size each period's rule for the demand one mean lead time later, when the orders
    /// placed in the period arrive, rather than for the period's own demand.
    pub look_ahead: bool,
}

/// The periods of a [`Resize`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResizeEvery {
    /// Each calendar month: of the real calendar with `start_date`, else of the 365-day year
    /// counted from `start_day_of_year`.
    Month,
    /// Every so many days: days 0 … N − 1, N … 2N − 1, …
    Days(u32),
}

impl Resize {
    /// The periods over a horizon of `horizon` days on `calendar`, as day ranges of the run,
    /// in order.
    pub(crate) fn periods(&self, horizon: u32, calendar: Calendar) -> Vec<(u32, u32)> {
        let mut out: Vec<(u32, u32)> = Vec::new();
        // The month of each year, so that a horizon of several years has a period for each.
        let key = |day: u32| match self.every {
            ResizeEvery::Month => calendar.month(day),
            ResizeEvery::Days(n) => (day / n) as usize,
        };
        for day in 0..horizon {
            match out.last_mut() {
                Some(last) if key(last.0) == key(day) => last.1 = day + 1,
                _ => out.push((day, day + 1)),
            }
        }
        out
    }

    /// One line for people: "monthly", "every 14 days", with the look-ahead.
    pub fn describe(&self) -> String {
        let every = match self.every {
            ResizeEvery::Month => "every calendar month".to_string(),
            ResizeEvery::Days(n) => format!("every {n} days"),
        };
        if self.look_ahead {
            format!("{every}, for the demand one lead time ahead")
        } else {
            every
        }
    }
}

/// The mean daily demand expected over the days `start..end` of the run (shifted by `shift`
/// days, the look-ahead), on `calendar`.
///
/// The expected demand of day t is the item's `forecast` for the month of t where it has one;
/// otherwise its demand model's mean × the month's seasonality × the trend on day t (1 + trend
/// · t / 365, at least 0). A recorded trace has no expected level of its own: it keeps
/// `annual_mean`, the year's, unless it has a forecast.
pub(crate) fn expected_daily_demand(
    model: &DemandModel,
    forecast: Option<&[f64; 12]>,
    annual_mean: f64,
    (start, end): (u32, u32),
    shift: u32,
    calendar: Calendar,
) -> f64 {
    let is_trace = matches!(model.distribution, DemandDistribution::Trace { .. });
    let expected = |t: u32| -> f64 {
        let month = calendar.month(t) % 12;
        match forecast {
            Some(forecast) => forecast[month],
            None if is_trace => annual_mean,
            None => {
                let trend = (1.0 + model.trend_per_year * f64::from(t) / 365.0).max(0.0);
                model.base_mean() * model.seasonality[month] * trend
            }
        }
    };
    let days = (start + shift)..(end + shift);
    let n = f64::from(days.len() as u32);
    days.map(expected).sum::<f64>() / n
}

/// One period's levels of a re-sized rule, for `validate`, summary.json and reports.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodLevels {
    /// First day of the period (day 0 is the first simulated day).
    pub start_day: u32,
    /// Day after its last day.
    pub end_day: u32,
    /// Mean daily demand the rule was sized for in the period, in units.
    pub mean_daily_demand: f64,
    /// Trigger level: reorder point, min, or the level at which a kanban card is released.
    pub reorder_point: f64,
    /// Lot ordered each time, where the rule orders lots or containers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_quantity: Option<f64>,
    /// Order-up-to level, max, or the kanban loop's total.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_up_to: Option<f64>,
    /// Kanban containers in the loop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub containers: Option<u32>,
}

impl PeriodLevels {
    /// The levels in a few words, for people: "reorder point 300, order-up-to 700", or for a
    /// kanban loop "6 containers of 50".
    pub fn describe_levels(&self) -> String {
        let level = |x: f64| group_thousands(x, 2);
        match (self.containers, self.order_quantity, self.order_up_to) {
            (Some(n), Some(size), _) => format!("{n} containers of {}", level(size)),
            (_, Some(lot), _) => {
                format!(
                    "reorder point {}, lots of {}",
                    level(self.reorder_point),
                    level(lot)
                )
            }
            (_, None, Some(up_to)) => format!(
                "reorder point {}, order-up-to {}",
                level(self.reorder_point),
                level(up_to)
            ),
            (_, None, None) => format!("reorder point {}", level(self.reorder_point)),
        }
    }
}

/// An item's level plan in one line: "item a: from day 0, reorder point 120, order-up-to
/// 300; from day 257 (15 Sep), …", the dates shown when the runs on `calendar` have them.
pub fn describe_plan(item: &str, entries: &[PeriodLevels], calendar: Calendar) -> String {
    let parts: Vec<String> = entries
        .iter()
        .map(|e| {
            let date = match calendar {
                Calendar::Dated(_) => format!(" ({})", calendar.day_and_month(e.start_day)),
                Calendar::Days365 { .. } => String::new(),
            };
            format!("from day {}{date}, {}", e.start_day, e.describe_levels())
        })
        .collect();
    format!("item {item}: {}", parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::date::Date;

    #[test]
    fn months_follow_the_calendar_from_day_0() {
        let monthly = Resize {
            every: ResizeEvery::Month,
            look_ahead: false,
        };
        let from = |start_day_of_year| Calendar::Days365 { start_day_of_year };
        // From 1 January: January, February, the first days of March.
        assert_eq!(
            monthly.periods(65, from(0)),
            vec![(0, 31), (31, 59), (59, 65)]
        );
        // From 20 December (day 353) over the year end: 12 days of December, then January.
        assert_eq!(
            monthly.periods(50, from(353)),
            vec![(0, 12), (12, 43), (43, 50)]
        );
        // Two years of months: 24 periods.
        assert_eq!(monthly.periods(730, from(0)).len(), 24);
        // On the real calendar, February 2028 has 29 days.
        let dated = Calendar::Dated(Date::parse("2028-02-01").unwrap());
        assert_eq!(monthly.periods(40, dated), vec![(0, 29), (29, 40)]);
        let fortnightly = Resize {
            every: ResizeEvery::Days(14),
            look_ahead: true,
        };
        assert_eq!(
            fortnightly.periods(30, from(100)),
            vec![(0, 14), (14, 28), (28, 30)]
        );
    }
}
