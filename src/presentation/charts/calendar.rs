//! Days of a run as a calendar, for the charts over days (the on-hand fans, a traced run): the
//! months their x axes are marked with. A scenario with `start_date` gives every day its date,
//! and the axes the calendar's months and years; one without places day 0 on a day of the
//! year (`start_day_of_year`, 0 = 1 January) in a year of 365 days, as its seasonality does,
//! and has no year, so a horizon longer than a year counts its years ("Jan (yr 2)").

use crate::foundation::date::{Calendar, MONTH_NAMES};

const YEAR: u32 = 365;

/// A tick of a calendar axis: a day of the horizon and its label.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DayTick {
    /// The day of the horizon the tick marks the start of.
    pub(super) day: f64,
    pub(super) label: String,
    /// Its place in the tick sequence (months counted from the first January): a chart too
    /// narrow for every label writes those whose rank is a multiple of a step, so that the
    /// labels left are every quarter, every half-year, every January…
    pub(super) rank: u32,
}

/// The title of a calendar axis over the days of a run on `calendar`.
pub(super) fn axis_title(calendar: Calendar) -> String {
    match calendar.date(0) {
        Some(date) => format!("Month (day 0 of a run is {date})"),
        None => format!("Month (day 0 of a run is {})", calendar.day_and_month(0)),
    }
}

/// Ticks of the days `first..end` of a horizon of `horizon` days on `calendar`: one at the
/// start of each month, labelled with its name. With dates, each January carries its year
/// ("Jan 2028"); without, the year is counted ("Jan (yr 2)") on each January when the horizon
/// is longer than a year. A stretch that holds fewer than two month starts gets ticks at days
/// of the month instead ("8 Jan"), so that the axis always reads.
pub(super) fn day_ticks(calendar: Calendar, first: u32, end: u32, horizon: u32) -> Vec<DayTick> {
    let years = horizon > YEAR;
    let months: Vec<DayTick> = (first..end)
        .filter(|&d| calendar.day_of_month(d) == 1)
        .map(|d| {
            let rank = calendar.month(d) as u32;
            let month = (rank % 12) as usize;
            let label = match calendar.date(d) {
                Some(date) if month == 0 => format!("{} {}", MONTH_NAMES[0], date.ymd().0),
                None if years && month == 0 => format!("{} (yr {})", MONTH_NAMES[0], rank / 12 + 1),
                _ => MONTH_NAMES[month].to_string(),
            };
            DayTick {
                day: f64::from(d),
                label,
                rank,
            }
        })
        .collect();
    if months.len() >= 2 {
        return months;
    }
    // A short stretch: days of the month, a few to the axis.
    let days = end.saturating_sub(first).max(1);
    let step = [1, 2, 7, 14, 28]
        .into_iter()
        .find(|&s| days / s <= 8)
        .unwrap_or(28);
    (first..end)
        .step_by(step as usize)
        .enumerate()
        .map(|(k, d)| DayTick {
            day: f64::from(d),
            label: calendar.day_and_month(d),
            rank: k as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(start_day_of_year: u32) -> Calendar {
        Calendar::Days365 { start_day_of_year }
    }

    #[test]
    fn months_start_where_the_calendar_says() {
        let date = |t| from(0).day_and_month(t);
        assert_eq!(date(0), "1 Jan");
        assert_eq!(date(31), "1 Feb");
        assert_eq!(date(58), "28 Feb");
        assert_eq!(date(364), "31 Dec");
        assert_eq!(date(365), "1 Jan");
        assert_eq!(axis_title(from(31)), "Month (day 0 of a run is 1 Feb)");
        let ticks = day_ticks(from(0), 0, 365, 365);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, MONTH_NAMES);
        assert_eq!(ticks[1].day, 31.0);
        assert_eq!(ticks[11].day, 334.0);
    }

    #[test]
    fn a_run_starting_mid_year_and_longer_than_a_year_counts_its_years() {
        // Day 0 is 1 July; two years.
        let ticks = day_ticks(from(181), 0, 730, 730);
        assert_eq!(ticks[0].label, "Jul");
        assert_eq!(ticks[0].day, 0.0);
        let january = ticks.iter().find(|t| t.label.starts_with("Jan")).unwrap();
        assert_eq!(january.label, "Jan (yr 2)");
        assert_eq!(january.day, 184.0);
        assert_eq!(january.rank, 12);
        assert!(ticks.iter().any(|t| t.label == "Jan (yr 3)"));
        // A year or less: no year numbers, even across a new year.
        assert!(
            day_ticks(from(181), 0, 365, 365)
                .iter()
                .all(|t| !t.label.contains("yr"))
        );
        // After a warm-up the ticks start later: day 59 is 1 March, day 60 the 2nd.
        assert_eq!(day_ticks(from(0), 59, 365, 365)[0].label, "Mar");
        assert_eq!(day_ticks(from(0), 60, 365, 365)[0].label, "Apr");
    }

    #[test]
    fn a_short_stretch_is_marked_by_days_of_the_month() {
        let ticks = day_ticks(from(0), 0, 20, 20);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["1 Jan", "8 Jan", "15 Jan"]);
    }

    /// With dates, months are the calendar's (a leap February has 29 days) and each January
    /// is named with its year.
    #[test]
    fn dated_axes_follow_the_calendar_and_name_the_years() {
        let calendar = Calendar::new(crate::foundation::date::Date::parse("2027-12-15"), 0);
        assert_eq!(axis_title(calendar), "Month (day 0 of a run is 2027-12-15)");
        let ticks = day_ticks(calendar, 0, 120, 120);
        let labels: Vec<(&str, f64)> = ticks.iter().map(|t| (t.label.as_str(), t.day)).collect();
        assert_eq!(
            labels,
            [
                ("Jan 2028", 17.0),
                ("Feb", 48.0),
                ("Mar", 77.0),
                ("Apr", 108.0)
            ]
        );
        assert_eq!(ticks[0].rank, 12);
        let short = day_ticks(calendar, 0, 10, 10);
        assert_eq!(short[0].label, "15 Dec");
    }
}
