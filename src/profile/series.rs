//! Laying each item's demand rows out on a grid of days or weeks, gaps filled with zero.
//!
//! The grid of an item runs from the first date of the file (or from the item's own first row,
//! when that comes more than [`LATE_START_DAYS`] later: the item was introduced then) to the
//! last date of the file. Rows on the same day (or in the same week) are added up: several
//! order lines of one day are one day's demand.
//!
//! Weekly rows: an item is read as weekly when its rows say `period = week`, or, without a
//! period column, when it has at least [`MIN_WEEKLY_ROWS`] distinct dates that are all a whole
//! number of weeks apart. A weekly row's date is the first day of its week; a last week that
//! runs past the file's last date counts only if the item has a row in it. Daily statistics of
//! weekly items are derived from the weekly totals taking the days of a week as independent
//! draws around the week's level (mean ÷ 7; see [`super::demand_fit`] for the spread).

use std::collections::BTreeMap;

use super::date::Date;
use super::input::{DemandHistory, DemandRow, Period};
use super::notes::Notes;

/// An item whose first row comes this many days after the file's first date is taken to have
/// been introduced on that row's date.
pub(crate) const LATE_START_DAYS: i64 = 90;

/// Fewest distinct dates before rows a whole number of weeks apart are read as weekly.
pub(crate) const MIN_WEEKLY_ROWS: usize = 8;

/// One item's demand per period (day or week), oldest first.
#[derive(Clone, Debug)]
pub(crate) struct DemandSeries {
    pub item: String,
    /// First day of the first period.
    pub start: Date,
    /// 1 for daily periods, 7 for weekly ones.
    pub period_days: u32,
    pub values: Vec<f64>,
    /// Every quantity was a whole number.
    pub(crate) whole_units: bool,
    /// When some periods were set aside (the weeks of a demand surge, see
    /// [`super::surges`]): the grid position of each value, and the grid's length. `None`:
    /// `values` is the whole grid.
    pub(crate) grid: Option<(Vec<usize>, usize)>,
}

impl DemandSeries {
    /// Position on the grid of value `i`.
    pub(crate) fn grid_index(&self, i: usize) -> usize {
        self.grid.as_ref().map_or(i, |(kept, _)| kept[i])
    }

    /// Periods of the whole grid, those set aside included.
    pub(crate) fn grid_len(&self) -> usize {
        self.grid
            .as_ref()
            .map_or(self.values.len(), |&(_, len)| len)
    }

    /// The series without the periods marked in `set_aside` (a flag per period of the grid):
    /// the stable stretches of the history. `self` when nothing is set aside.
    pub(crate) fn without(&self, set_aside: &[bool]) -> DemandSeries {
        if !set_aside.iter().any(|&s| s) {
            return self.clone();
        }
        let kept: Vec<usize> = (0..self.values.len())
            .filter(|&i| !set_aside.get(i).copied().unwrap_or(false))
            .collect();
        DemandSeries {
            values: kept.iter().map(|&i| self.values[i]).collect(),
            grid: Some((kept, self.values.len())),
            ..self.clone()
        }
    }

    /// First day of value `i`'s period.
    pub(crate) fn date_of(&self, i: usize) -> Date {
        self.start
            .plus(self.grid_index(i) as i64 * i64::from(self.period_days))
    }

    /// Calendar month (0 = January) a period belongs to: that of its first day.
    pub(crate) fn month_of(&self, i: usize) -> usize {
        self.date_of(i).month0()
    }
}

/// One series per item, ordered by item id.
pub(crate) fn build(history: &DemandHistory, notes: &mut Notes) -> Vec<DemandSeries> {
    let mut by_item: BTreeMap<&str, Vec<&DemandRow>> = BTreeMap::new();
    for row in &history.rows {
        by_item.entry(&row.item).or_default().push(row);
    }
    let first = history.rows.iter().map(|r| r.date).min();
    let last = history.rows.iter().map(|r| r.date).max();
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut detected_weekly = Vec::new();
    let out = by_item
        .into_iter()
        .map(|(item, mut rows)| {
            rows.sort_by_key(|r| r.date);
            let period = period_of(item, &rows, &history.file, notes);
            if period == Period::Week && rows.iter().all(|r| r.period.is_none()) {
                detected_weekly.push(item);
            }
            let start = start_of(item, &rows, first, period, notes);
            series(item, &rows, start, last, period)
        })
        .collect();
    if !detected_weekly.is_empty() {
        notes.general(
            &history.file,
            format!(
                "{} item{} ({}) have dates that are all whole weeks apart: their rows are read \
                 as weekly totals for the week starting on the date (add a period column with \
                 day or week to say otherwise)",
                detected_weekly.len(),
                if detected_weekly.len() == 1 { "" } else { "s" },
                detected_weekly.join(", ")
            ),
        );
    }
    out
}

/// Weekly or daily, from the period column or from the spacing of the dates.
fn period_of(item: &str, rows: &[&DemandRow], file: &str, notes: &mut Notes) -> Period {
    let given: Vec<Period> = rows.iter().filter_map(|r| r.period).collect();
    if !given.is_empty() {
        let weeks = given.iter().filter(|&&p| p == Period::Week).count();
        let period = if weeks * 2 > given.len() {
            Period::Week
        } else {
            Period::Day
        };
        if weeks != 0 && weeks != given.len() {
            notes.general(
                file,
                format!(
                    "item '{item}' mixes day and week rows ({weeks} of {} are weeks): read as \
                     {} rows",
                    given.len(),
                    if period == Period::Week {
                        "week"
                    } else {
                        "day"
                    }
                ),
            );
        }
        return period;
    }
    let mut dates: Vec<Date> = rows.iter().map(|r| r.date).collect();
    dates.dedup();
    let weekly =
        dates.len() >= MIN_WEEKLY_ROWS && dates.windows(2).all(|w| w[1].days_since(w[0]) % 7 == 0);
    if weekly { Period::Week } else { Period::Day }
}

/// The file's first date, or the item's own first date when it was introduced later.
fn start_of(
    item: &str,
    rows: &[&DemandRow],
    file_start: Date,
    period: Period,
    notes: &mut Notes,
) -> Date {
    let own = rows[0].date;
    let late = own.days_since(file_start);
    if late > LATE_START_DAYS {
        notes.general(
            "",
            format!(
                "item '{item}': first row on {own}, {late} days after the history starts \
                 ({file_start}): profiled from {own}, as if introduced then"
            ),
        );
        return own;
    }
    match period {
        Period::Day => file_start,
        // Weeks stay aligned with the item's own week starts.
        Period::Week => own.plus(-(late / 7) * 7),
    }
}

fn series(
    item: &str,
    rows: &[&DemandRow],
    start: Date,
    last: Date,
    period: Period,
) -> DemandSeries {
    let period_days: u32 = match period {
        Period::Day => 1,
        Period::Week => 7,
    };
    let step = i64::from(period_days);
    // Whole periods up to the file's last date; a last, partial week counts only if the item
    // has a row in it (a weekly export dates its last week by its first day).
    let whole = ((last.days_since(start) + 1) / step).max(1) as usize;
    let last_row = (rows[rows.len() - 1].date.days_since(start) / step) as usize;
    let mut values = vec![0.0; whole.max(last_row + 1)];
    for row in rows {
        values[(row.date.days_since(start) / step) as usize] += row.quantity;
    }
    DemandSeries {
        item: item.to_string(),
        start,
        period_days,
        values,
        whole_units: rows.iter().all(|r| r.quantity.fract() == 0.0),
        grid: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(date: &str, item: &str, quantity: f64) -> DemandRow {
        DemandRow {
            date: Date::parse(date).unwrap(),
            item: item.into(),
            quantity,
            period: None,
        }
    }

    #[test]
    fn gaps_are_zero_and_same_day_rows_add_up() {
        let history = DemandHistory {
            file: "d.csv".into(),
            rows: vec![
                row("2024-01-03", "a", 5.0),
                row("2024-01-01", "a", 2.0),
                row("2024-01-01", "a", 1.0),
                row("2024-01-05", "b", 1.5),
            ],
            ..DemandHistory::default()
        };
        let mut notes = Notes::default();
        let series = build(&history, &mut notes);
        assert_eq!(series[0].values, vec![3.0, 0.0, 5.0, 0.0, 0.0]);
        assert!(series[0].whole_units);
        assert_eq!(series[1].values, vec![0.0, 0.0, 0.0, 0.0, 1.5]);
        assert!(!series[1].whole_units);
    }

    #[test]
    fn rows_a_week_apart_are_weekly() {
        let start = Date::parse("2024-01-01").unwrap();
        let rows: Vec<DemandRow> = (0..10)
            .filter(|w| *w != 4)
            .map(|w| DemandRow {
                date: start.plus(7 * w),
                ..row("2024-01-01", "w", 70.0)
            })
            .collect();
        let history = DemandHistory {
            file: "d.csv".into(),
            rows,
            ..DemandHistory::default()
        };
        let mut notes = Notes::default();
        let series = build(&history, &mut notes);
        assert_eq!(series[0].period_days, 7);
        // Ten weeks from the first row to the file's last date (a week with a row).
        assert_eq!(series[0].values.len(), 10);
        assert_eq!(series[0].values[4], 0.0);
        assert!(notes.finish()[0].message.contains("weekly"));
    }
}
