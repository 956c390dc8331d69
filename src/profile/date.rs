//! Calendar dates as day numbers, so history can be laid out on a grid of days without a date
//! library.
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

    #[test]
    fn months_are_added_with_clamping() {
        let d = Date::parse("2024-01-31").unwrap();
        assert_eq!(d.plus_months(1).to_string(), "2024-02-29");
        assert_eq!(d.plus_months(24).to_string(), "2026-01-31");
    }
}
