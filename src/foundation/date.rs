//! Calendar dates as day numbers, so history can be laid out on a grid of days and the days of
//! a run can be given dates, without a date library; [`Calendar`], where the days of a run fall
//! in the year.
//!
//! Conversions follow Howard Hinnant's `days_from_civil` / `civil_from_days` algorithms
//! ("chrono-Compatible Low-Level Date Algorithms", 2013), exact for the proleptic Gregorian
//! calendar.

use std::fmt;

/// A calendar date, stored as the number of days since 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// The date of year `y`, month `m` (1–12), day `d` (1–31), if it exists.
    pub(crate) fn from_ymd(y: i64, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = i64::from((m + 9) % 12);
        let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        Some(Date(era * 146_097 + doe - 719_468))
    }

    /// Parse `YYYY-MM-DD` (ERP exports often add a time: `YYYY-MM-DDTHH:MM…` or
    /// `YYYY-MM-DD HH:MM…` are read as their date).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let date = match text.get(10..11) {
            Some("T" | " ") => &text[..10],
            _ => text,
        };
        let mut parts = date.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y) && digits(m) && digits(d)) {
            return None;
        }
        Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// Year, month (1–12) and day (1–31).
    pub(crate) fn ymd(self) -> (i64, u32, u32) {
        let z = self.0 + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d)
    }

    /// Month, 0 = January.
    pub(crate) fn month0(self) -> usize {
        (self.ymd().1 - 1) as usize
    }

    /// Day of the year in the simulator's 365-day calendar (0 = 1 January): 29 February
    /// counts as 28 February, and later days of a leap year move back by one.
    pub(crate) fn day_of_year_365(self) -> u32 {
        let (_, m, d) = self.ymd();
        let before: u32 = (1..m).map(|month| days_in_month(2001, month)).sum();
        before + d.min(days_in_month(2001, m)) - 1
    }

    /// The date `days` later (earlier when negative).
    pub fn plus(self, days: i64) -> Date {
        Date(self.0 + days)
    }

    /// Days from `earlier` to `self`.
    pub(crate) fn days_since(self, earlier: Date) -> i64 {
        self.0 - earlier.0
    }

    /// Day of the week, 0 = Monday (1970-01-01, day 0 of the count, was a Thursday).
    pub(crate) fn weekday(self) -> usize {
        (self.0 + 3).rem_euclid(7) as usize
    }

    /// The same day `months` months later, clamped to the month's last day.
    pub(crate) fn plus_months(self, months: u32) -> Date {
        let (y, m, d) = self.ymd();
        let index = y * 12 + i64::from(m - 1) + i64::from(months);
        let (y, m) = (index.div_euclid(12), (index.rem_euclid(12) + 1) as u32);
        Date::from_ymd(y, m, d.min(days_in_month(y, m))).expect("a clamped day exists")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Where the days of a run fall in the year: what seasonality, pre-build windows, budget
/// months and weekdays are counted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calendar {
    /// No dates: day 0 of a run is day `start_day_of_year` (0 = 1 January) of a year of 365
    /// days that repeats, with no leap days, as scenarios without `start_date` have always
    /// counted.
    Days365 {
        /// Day of the year of day 0.
        start_day_of_year: u32,
    },
    /// Day 0 of a run is this date, and every day after is the next date of the Gregorian
    /// calendar, leap days included.
    Dated(Date),
}

impl Calendar {
    /// The calendar of runs whose day 0 is `start_date`, or, without one, day
    /// `start_day_of_year` of the 365-day year.
    pub fn new(start_date: Option<Date>, start_day_of_year: u32) -> Calendar {
        start_date.map_or(Calendar::Days365 { start_day_of_year }, Calendar::Dated)
    }

    /// The date of day `t` of a run, if the runs have dates.
    pub fn date(self, t: u32) -> Option<Date> {
        match self {
            Calendar::Days365 { .. } => None,
            Calendar::Dated(start) => Some(start.plus(i64::from(t))),
        }
    }

    /// Day of the year of day `t` in the simulator's 365-day numbering (0 = 1 January,
    /// 364 = 31 December): with dates, a 29 February counts as 28 February, the day whose
    /// seasonal factor and pre-build it shares.
    pub fn day_of_year(self, t: u32) -> u32 {
        match self {
            Calendar::Days365 { start_day_of_year } => (start_day_of_year + t) % YEAR,
            Calendar::Dated(start) => start.plus(i64::from(t)).day_of_year_365(),
        }
    }

    /// The calendar month day `t` falls in, counted from January of day 0's year
    /// (year × 12 + month, January = 0): it never decreases, and two days share it exactly
    /// when they are in the same month of the same year.
    pub fn month(self, t: u32) -> usize {
        match self {
            Calendar::Days365 { start_day_of_year } => {
                let day = (start_day_of_year + t) as usize;
                let (year, day_of_year) = (day / YEAR as usize, (day % YEAR as usize) as u32);
                let month = (1..12)
                    .take_while(|&m| day_of_year >= MONTH_STARTS_365[m])
                    .count();
                year * 12 + month
            }
            Calendar::Dated(start) => {
                let (first_year, _, _) = start.ymd();
                let (y, m, _) = start.plus(i64::from(t)).ymd();
                (y - first_year) as usize * 12 + (m - 1) as usize
            }
        }
    }
}

/// The calendar month of consecutive days of a run, a day at a time and without dividing: what
/// the demand sampler's daily loop reads each day's seasonal factor from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MonthWalk {
    /// The current day's month, 0 = January.
    month0: u32,
    /// Days left in the month, the current one included.
    left: u32,
    /// The current year, on a calendar with dates (whose Februaries may have 29 days); `None`
    /// for the 365-day year.
    year: Option<i64>,
}

impl MonthWalk {
    /// The walk from day 0 of a run on `calendar`.
    pub(crate) fn new(calendar: Calendar) -> MonthWalk {
        match calendar {
            Calendar::Days365 { start_day_of_year } => {
                let day = start_day_of_year % YEAR;
                let month0 = (1..12).take_while(|&m| day >= MONTH_STARTS_365[m]).count();
                let end = MONTH_STARTS_365.get(month0 + 1).copied().unwrap_or(YEAR);
                MonthWalk {
                    month0: month0 as u32,
                    left: end - day,
                    year: None,
                }
            }
            Calendar::Dated(date) => {
                let (y, m, d) = date.ymd();
                MonthWalk {
                    month0: m - 1,
                    left: days_in_month(y, m) - d + 1,
                    year: Some(y),
                }
            }
        }
    }

    /// The current day's month, 0 = January.
    #[inline(always)]
    pub(crate) fn month(&self) -> usize {
        self.month0 as usize
    }

    /// On to the next day.
    #[inline(always)]
    pub(crate) fn step(&mut self) {
        self.left -= 1;
        if self.left == 0 {
            self.next_month();
        }
    }

    fn next_month(&mut self) {
        self.month0 = (self.month0 + 1) % 12;
        if self.month0 == 0 {
            self.year = self.year.map(|y| y + 1);
        }
        // A year that is not a leap year stands for the 365-day year.
        self.left = days_in_month(self.year.unwrap_or(2001), self.month0 + 1);
    }
}

impl Calendar {
    /// The day of the month (from 1) of day `t`.
    pub fn day_of_month(self, t: u32) -> u32 {
        match self {
            Calendar::Days365 { .. } => {
                let day_of_year = self.day_of_year(t);
                let month = (1..12)
                    .take_while(|&m| day_of_year >= MONTH_STARTS_365[m])
                    .count();
                day_of_year - MONTH_STARTS_365[month] + 1
            }
            Calendar::Dated(start) => start.plus(i64::from(t)).ymd().2,
        }
    }

    /// "8 Jan": the day of the month and the month's name of day `t`.
    pub fn day_and_month(self, t: u32) -> String {
        format!(
            "{} {}",
            self.day_of_month(t),
            MONTH_NAMES[self.month(t) % 12]
        )
    }
}

/// Dates are written as text, `YYYY-MM-DD`, in the files the results are kept in.
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a date YYYY-MM-DD, got {text:?}"))
        })
    }
}

/// Days in the simulator's year without dates.
const YEAR: u32 = 365;

/// The day of a 365-day year each month starts on (0 = 1 January).
const MONTH_STARTS_365: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

/// Three-letter English month names, January first.
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_day_numbers() {
        assert_eq!(Date::parse("1970-01-01"), Some(Date(0)));
        for text in ["2024-02-29", "2000-03-01", "1999-12-31", "2025-07-15"] {
            let d = Date::parse(text).unwrap();
            assert_eq!(d.to_string(), text);
            assert_eq!(d.plus(1).days_since(d), 1);
        }
        assert_eq!(
            Date::parse("2024-03-01")
                .unwrap()
                .days_since(Date::parse("2024-02-28").unwrap()),
            2
        );
    }

    #[test]
    fn rejects_what_is_not_a_date() {
        for text in [
            "2023-02-29",
            "2024-13-01",
            "24-01-01",
            "2024/01/01",
            "",
            "01.02.2024",
        ] {
            assert_eq!(Date::parse(text), None, "{text}");
        }
        assert!(Date::parse("2024-05-06T10:00:00").is_some());
        assert!(Date::parse("2024-05-06 10:00").is_some());
    }

    #[test]
    fn day_of_year_follows_the_365_day_calendar() {
        let doy = |s: &str| Date::parse(s).unwrap().day_of_year_365();
        assert_eq!(doy("2023-01-01"), 0);
        assert_eq!(doy("2023-12-31"), 364);
        assert_eq!(doy("2024-02-29"), 58);
        assert_eq!(doy("2024-03-01"), 59);
        assert_eq!(doy("2024-12-31"), 364);
    }

    /// Dates and day numbers of a run round-trip across year ends and leap days.
    #[test]
    fn run_days_and_dates_round_trip_across_year_ends_and_leap_days() {
        let start = Date::parse("2027-12-30").unwrap();
        let calendar = Calendar::Dated(start);
        for (t, text) in [
            (0, "2027-12-30"),
            (1, "2027-12-31"),
            (2, "2028-01-01"),
            (61, "2028-02-29"),
            (62, "2028-03-01"),
            (368, "2029-01-01"),
        ] {
            let date = calendar.date(t).unwrap();
            assert_eq!(date.to_string(), text, "day {t}");
            assert_eq!(Date::parse(text).unwrap().days_since(start), i64::from(t));
        }
        // 29 February shares 28 February's day of the year; 1 March follows it.
        assert_eq!(calendar.day_of_year(61), 58);
        assert_eq!(calendar.day_of_year(60), 58);
        assert_eq!(calendar.day_of_year(62), 59);
        assert_eq!(calendar.day_of_year(2), 0);
        // Months: December 2027, then January 2028 (12), February (13) holds the leap day.
        assert_eq!(calendar.month(1), 11);
        assert_eq!(calendar.month(2), 12);
        assert_eq!(calendar.month(61), 13);
        assert_eq!(calendar.month(62), 14);
        // 2028-01-01 is a Saturday, 2027-12-30 a Thursday.
        assert_eq!(Date::parse("2028-01-01").unwrap().weekday(), 5);
        assert_eq!(start.weekday(), 3);
        assert_eq!(Date::parse("1970-01-05").unwrap().weekday(), 0);
    }

    #[test]
    fn a_calendar_without_dates_counts_a_365_day_year() {
        let calendar = Calendar::Days365 {
            start_day_of_year: 334,
        };
        assert_eq!(calendar.date(0), None);
        assert_eq!(calendar.day_of_year(31), 0);
        assert_eq!(calendar.month(30), 11);
        assert_eq!(calendar.month(31), 12);
        assert_eq!(calendar.month(31 + 59), 14);
        assert_eq!(calendar.day_and_month(0), "1 Dec");
        assert_eq!(calendar.day_and_month(30), "31 Dec");
        assert_eq!(calendar.day_and_month(31), "1 Jan");
        let dated = Calendar::new(Date::parse("2028-02-28"), 99);
        assert_eq!(dated.day_and_month(1), "29 Feb");
        assert_eq!(dated.day_and_month(2), "1 Mar");
    }

    #[test]
    fn month_walks_count_the_days_of_each_month() {
        let count = |calendar: Calendar, days: u32| {
            let mut walk = MonthWalk::new(calendar);
            let mut counts = Vec::new();
            for t in 0..days {
                assert_eq!(walk.month() % 12, calendar.month(t) % 12, "day {t}");
                let m = calendar.month(t) - calendar.month(0);
                if counts.len() <= m {
                    counts.push(0);
                }
                counts[m] += 1;
                walk.step();
            }
            counts
        };
        let year = count(
            Calendar::Days365 {
                start_day_of_year: 0,
            },
            365,
        );
        assert_eq!(year, [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
        // From 28 February 2028: 2 days of February (the 28th and 29th), then March.
        let leap = count(Calendar::Dated(Date::parse("2028-02-28").unwrap()), 400);
        assert_eq!(leap[..3], [2, 31, 30]);
        // Across the year end into 2029, whose February has 28 days.
        assert_eq!(leap[11..13], [31, 28]);
        // From 15 December of the 365-day year: 17 days of December, then January.
        let wrap = count(
            Calendar::Days365 {
                start_day_of_year: 348,
            },
            40,
        );
        assert_eq!(wrap, [17, 23]);
    }

    #[test]
    fn months_are_added_with_clamping() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.plus_months(1).to_string(), "2024-02-29");
        assert_eq!(d.plus_months(24).to_string(), "2026-01-31");
    }
}
