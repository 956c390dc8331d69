//! Days of a run as a calendar, for the charts over days (the on-hand fans, a traced run): the
//! months their x axes are marked with. A scenario places day 0 of its runs on a day of the
//! year (`[simulation] start_day_of_year`, 0 = 1 January) in a year of 365 days, as its
//! seasonality does; it has no year, so a horizon longer than a year counts its years
//! ("Jan (yr 2)").

/// Month names as the axes write them.
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The day of the year each month starts on (0-based, 365 days).
const MONTH_STARTS: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

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

/// The month and the day of the month (from 1) of day `day_of_year` of a 365-day year.
fn month_of(day_of_year: u32) -> (usize, u32) {
    let day_of_year = day_of_year % YEAR;
    let month = MONTH_STARTS
        .iter()
        .rposition(|&s| s <= day_of_year)
        .unwrap_or(0);
    (month, day_of_year - MONTH_STARTS[month] + 1)
}

/// "1 Jan": the date of day `day_of_year`.
pub(super) fn date(day_of_year: u32) -> String {
    let (month, day) = month_of(day_of_year);
    format!("{day} {}", MONTHS[month])
}

/// The title of a calendar axis over the days of a run whose day 0 is day `start` of the year.
pub(super) fn axis_title(start: u32) -> String {
    format!("Month (day 0 of a run is {})", date(start))
}

/// Ticks of the days `first..end` of a horizon of `horizon` days whose day 0 is day `start` of
/// the year: one at the start of each month, labelled with its name, and the year counted
/// ("Jan (yr 2)") on each January when the horizon is longer than a year. A stretch that holds
/// fewer than two month starts gets ticks at days of the month instead ("8 Jan"), so that the
/// axis always reads.
pub(super) fn day_ticks(start: u32, first: u32, end: u32, horizon: u32) -> Vec<DayTick> {
    let years = horizon > YEAR;
    let months: Vec<DayTick> = (first..end)
        .filter_map(|d| {
            let day_of_year = (start + d) % YEAR;
            let month = MONTH_STARTS.iter().position(|&s| s == day_of_year)?;
            let year = (start + d) / YEAR;
            let label = if years && month == 0 {
                format!("{} (yr {})", MONTHS[month], year + 1)
            } else {
                MONTHS[month].to_string()
            };
            Some(DayTick {
                day: f64::from(d),
                label,
                rank: year * 12 + month as u32,
            })
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
            label: date(start + d),
            rank: k as u32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_start_where_the_calendar_says() {
        assert_eq!(date(0), "1 Jan");
        assert_eq!(date(31), "1 Feb");
        assert_eq!(date(58), "28 Feb");
        assert_eq!(date(364), "31 Dec");
        assert_eq!(date(365), "1 Jan");
        let ticks = day_ticks(0, 0, 365, 365);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, MONTHS);
        assert_eq!(ticks[1].day, 31.0);
        assert_eq!(ticks[11].day, 334.0);
    }

    #[test]
    fn a_run_starting_mid_year_and_longer_than_a_year_counts_its_years() {
        // Day 0 is 1 July; two years.
        let ticks = day_ticks(181, 0, 730, 730);
        assert_eq!(ticks[0].label, "Jul");
        assert_eq!(ticks[0].day, 0.0);
        let january = ticks.iter().find(|t| t.label.starts_with("Jan")).unwrap();
        assert_eq!(january.label, "Jan (yr 2)");
        assert_eq!(january.day, 184.0);
        assert_eq!(january.rank, 12);
        assert!(ticks.iter().any(|t| t.label == "Jan (yr 3)"));
        // A year or less: no year numbers, even across a new year.
        assert!(
            day_ticks(181, 0, 365, 365)
                .iter()
                .all(|t| !t.label.contains("yr"))
        );
        // After a warm-up the ticks start later: day 59 is 1 March, day 60 the 2nd.
        assert_eq!(day_ticks(0, 59, 365, 365)[0].label, "Mar");
        assert_eq!(day_ticks(0, 60, 365, 365)[0].label, "Apr");
    }

    #[test]
    fn a_short_stretch_is_marked_by_days_of_the_month() {
        let ticks = day_ticks(0, 0, 20, 20);
        let labels: Vec<&str> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["1 Jan", "8 Jan", "15 Jan"]);
    }
}
