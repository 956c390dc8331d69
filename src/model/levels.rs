//! How a policy's stock levels move through a run: seasonal pre-build windows, for every item
//! of the policy or for some, a planner's own dated levels, and the stretches of constant
//! levels the engine runs.
//!
//! The engine never looks at a window or a date: the horizon is cut once into
//! [`LevelSegment`]s, stretches over which every item's rule is fixed, and each stretch runs
//! with plain rules. An item that follows only the policy's windows takes its rule (its
//! period's, under re-sizing) times the stretch's factor; an item with windows of its own or a
//! level plan has a rule for every stretch ([`ItemPolicy::by_segment`], made by
//! [`item_segment_rules`]).
//!
//! [`ItemPolicy::by_segment`]: crate::model::policy::ItemPolicy::by_segment
//! [`item_segment_rules`]: crate::model::policy::item_segment_rules

use crate::foundation::date::Calendar;
use crate::model::limits::POSITIVE_MULTIPLIER;

/// A stretch of days over which a policy's stock levels are fixed: one re-sizing period's
/// rule, multiplied by one factor, under one entry of every item's level plan.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LevelSegment {
    /// First day of the stretch (day 0 is the first simulated day).
    pub start: u32,
    /// Day after the last day of the stretch.
    pub end: u32,
    /// Multiplier of the stock levels from the policy's windows for every item (1 outside
    /// them); an item with windows of its own has its rules in `by_segment` instead.
    pub factor: f64,
    /// The re-sizing period the stretch is in ([`ItemPolicy::by_period`]; 0 for a policy
    /// whose rules are sized once).
    ///
    /// [`ItemPolicy::by_period`]: crate::model::policy::ItemPolicy::by_period
    pub period: usize,
}

/// A policy's pre-build windows, in the order the scenario gives them.
///
/// On a day that windows for some items cover, those decide the items' factor; the windows
/// for every item decide it otherwise (validation makes sure two windows of the same kind
/// never cover the same day for the same item, so the order does not matter).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prebuilds(pub Vec<Prebuild>);

impl Prebuilds {
    /// Whether the policy has no window.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The factor on `day_of_year` of the windows for every item (1 outside them).
    pub(crate) fn policy_factor(&self, day_of_year: u32) -> f64 {
        self.0
            .iter()
            .find(|w| w.items.is_empty() && w.contains(day_of_year))
            .map_or(1.0, |w| w.factor)
    }

    /// The factor on `day_of_year` of `item`: its own window's if one covers the day, the
    /// policy's otherwise.
    pub(crate) fn item_factor(&self, item: usize, day_of_year: u32) -> f64 {
        self.0
            .iter()
            .find(|w| w.items.contains(&item) && w.contains(day_of_year))
            .map_or_else(|| self.policy_factor(day_of_year), |w| w.factor)
    }

    /// Whether some window names `item`.
    pub(crate) fn names(&self, item: usize) -> bool {
        self.0.iter().any(|w| w.items.contains(&item))
    }

    /// The highest factor any window gives `item`, at least 1: how far its levels may rise.
    pub(crate) fn peak(&self, item: usize) -> f64 {
        self.0
            .iter()
            .filter(|w| w.applies_to(item))
            .fold(1.0, |peak, w| peak.max(w.factor))
    }

    /// For two windows of the same kind (both for every item, or both for one item) that
    /// cover a common day of the year: their positions and the first such day.
    pub(crate) fn overlap(&self) -> Option<(usize, usize, u32)> {
        let windows = &self.0;
        for (a, wa) in windows.iter().enumerate() {
            for (b, wb) in windows.iter().enumerate().skip(a + 1) {
                let same_kind = if wa.items.is_empty() {
                    wb.items.is_empty()
                } else {
                    wa.items.iter().any(|i| wb.items.contains(i))
                };
                if !same_kind {
                    continue;
                }
                if let Some(day) = (0..365).find(|&d| wa.contains(d) && wb.contains(d)) {
                    return Some((a, b, day));
                }
            }
        }
        None
    }
}

/// Split the horizon into stretches of constant stock levels — one factor of the policy's
/// windows within one re-sizing period (`periods`: day ranges in order, empty when the rules
/// are sized once) — cut as well where a window for some items opens or closes and at every
/// day of `cuts` (the days a level plan changes), so the engine's daily loop runs each
/// stretch with fixed levels for every item.
pub(crate) fn level_segments(
    horizon: u32,
    calendar: Calendar,
    prebuilds: &Prebuilds,
    periods: &[(u32, u32)],
    cuts: &[u32],
) -> Vec<LevelSegment> {
    let own_windows: Vec<&Prebuild> = prebuilds.0.iter().filter(|w| !w.items.is_empty()).collect();
    let mut period = 0;
    let mut segments: Vec<LevelSegment> = Vec::new();
    for day in 0..horizon {
        while periods.get(period).is_some_and(|&(_, end)| day >= end) {
            period += 1;
        }
        let day_of_year = calendar.day_of_year(day);
        let factor = prebuilds.policy_factor(day_of_year);
        let cut = cuts.contains(&day)
            || (day > 0
                && own_windows
                    .iter()
                    .any(|w| w.contains(day_of_year) != w.contains(calendar.day_of_year(day - 1))));
        match segments.last_mut() {
            Some(last) if !cut && last.factor == factor && last.period == period => {
                last.end = day + 1;
            }
            _ => segments.push(LevelSegment {
                start: day,
                end: day + 1,
                factor,
                period,
            }),
        }
    }
    segments
}

/// A seasonal pre-build: stock levels multiplied by `factor` from `start_day_of_year` up to
/// (not including) `end_day_of_year`, every year; a window may wrap past 31 December.
#[derive(Clone, Debug, PartialEq)]
pub struct Prebuild {
    /// First day of the window, as a day of the year (0 = 1 January).
    pub start_day_of_year: u32,
    pub(crate) end_day_of_year: u32,
    /// Multiplier of the stock levels (reorder points, order-up-to levels, kanban totals)
    /// within the window; lot and container sizes are unchanged.
    pub factor: f64,
    /// The items the window raises, by index in the scenario's item order; empty for every
    /// item of the policy.
    pub(crate) items: Vec<usize>,
}

impl Prebuild {
    /// The window from `start_day_of_year` up to `end_day_of_year`, days of the year as written
    /// or as the dates given for them fall (see [`Calendar::day_of_year`]), for every item;
    /// or each field wrong and why.
    pub(crate) fn new(
        start_day_of_year: i64,
        end_day_of_year: i64,
        factor: f64,
    ) -> Result<Prebuild, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        for (field, value) in [
            ("start_day_of_year", start_day_of_year),
            ("end_day_of_year", end_day_of_year),
        ] {
            if !(0..365).contains(&value) {
                problems.push((
                    field,
                    format!("must be a day of the year from 0 (1 January) to 364 (got {value})"),
                ));
            }
        }
        if start_day_of_year == end_day_of_year {
            problems.push((
                "end_day_of_year",
                "must differ from start_day_of_year".to_string(),
            ));
        }
        if let Err(message) = POSITIVE_MULTIPLIER.check(factor) {
            problems.push(("factor", message));
        }
        if problems.is_empty() {
            Ok(Prebuild {
                start_day_of_year: start_day_of_year as u32,
                end_day_of_year: end_day_of_year as u32,
                factor,
                items: Vec::new(),
            })
        } else {
            Err(problems)
        }
    }

    /// Why the window touches no day of a run of `horizon` days on `calendar`, or `None` when
    /// it does: a pre-build that never applies is a mistake to report, not a policy to
    /// simulate.
    pub(crate) fn outside(&self, horizon: u32, calendar: Calendar) -> Option<String> {
        if (0..horizon.min(366)).any(|day| self.contains(calendar.day_of_year(day))) {
            return None;
        }
        let first_day_of_year = calendar.day_of_year(0);
        let starts_on = (self.start_day_of_year + 365 - first_day_of_year) % 365;
        Some(format!(
            "the pre-build window (day of the year {} up to {}) starts on day {starts_on} of \
             the run, after the horizon of {horizon} days (which starts on day of the year \
             {first_day_of_year}), so it would never apply: move the window or lengthen \
             horizon_days",
            self.start_day_of_year, self.end_day_of_year
        ))
    }

    /// One line for people: "stock levels × 1.4 from day 240 to day 300 of the year", and
    /// when the runs on `calendar` have dates, the days of the month too: "(29 Aug up to
    /// 28 Oct)"; a window for some items names them ("for items a, b"), `item_ids` being the
    /// scenario's items in order.
    pub fn describe(&self, calendar: Calendar, item_ids: &[String]) -> String {
        let dates = match calendar {
            Calendar::Days365 { .. } => String::new(),
            Calendar::Dated(_) => {
                let name = |day_of_year| {
                    Calendar::Days365 {
                        start_day_of_year: day_of_year,
                    }
                    .day_and_month(0)
                };
                format!(
                    " ({} up to {})",
                    name(self.start_day_of_year),
                    name(self.end_day_of_year)
                )
            }
        };
        let items = match self.items.as_slice() {
            [] => String::new(),
            [one] => format!(" for item {}", item_ids[*one]),
            several => {
                let names: Vec<&str> = several.iter().map(|&i| item_ids[i].as_str()).collect();
                format!(" for items {}", names.join(", "))
            }
        };
        format!(
            "stock levels × {} from day {} to day {} of the year{dates}{items}",
            self.factor, self.start_day_of_year, self.end_day_of_year
        )
    }

    /// Whether the window raises `item`'s levels.
    fn applies_to(&self, item: usize) -> bool {
        self.items.is_empty() || self.items.contains(&item)
    }

    fn contains(&self, day_of_year: u32) -> bool {
        if self.start_day_of_year < self.end_day_of_year {
            (self.start_day_of_year..self.end_day_of_year).contains(&day_of_year)
        } else {
            day_of_year >= self.start_day_of_year || day_of_year < self.end_day_of_year
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prebuild_segments_wrap_the_year() {
        let p = Prebuild {
            start_day_of_year: 300,
            end_day_of_year: 20,
            factor: 1.5,
            items: Vec::new(),
        };
        let segment = |start, end, factor, period| LevelSegment {
            start,
            end,
            factor,
            period,
        };
        let calendar = Calendar::Days365 {
            start_day_of_year: 0,
        };
        assert_eq!(
            level_segments(400, calendar, &Prebuilds(vec![p]), &[], &[]),
            vec![
                segment(0, 20, 1.5, 0),
                segment(20, 300, 1.0, 0),
                segment(300, 385, 1.5, 0),
                segment(385, 400, 1.0, 0),
            ]
        );
        assert_eq!(
            level_segments(10, calendar, &Prebuilds::default(), &[], &[]),
            vec![segment(0, 10, 1.0, 0)]
        );
        // Re-sizing periods cut the stretches too: a pre-build from day 10 to 40 over
        // periods of 0–31, 31–59, 59–60.
        let p = Prebuild {
            start_day_of_year: 10,
            end_day_of_year: 40,
            factor: 2.0,
            items: Vec::new(),
        };
        assert_eq!(
            level_segments(
                60,
                calendar,
                &Prebuilds(vec![p]),
                &[(0, 31), (31, 59), (59, 60)],
                &[]
            ),
            vec![
                segment(0, 10, 1.0, 0),
                segment(10, 31, 2.0, 0),
                segment(31, 40, 2.0, 1),
                segment(40, 59, 1.0, 1),
                segment(59, 60, 1.0, 2),
            ]
        );
    }

    #[test]
    fn windows_for_some_items_cut_the_stretches_and_win_over_the_policy_s() {
        let window = |start, end, factor, items: Vec<usize>| Prebuild {
            start_day_of_year: start,
            end_day_of_year: end,
            factor,
            items,
        };
        let calendar = Calendar::Days365 {
            start_day_of_year: 0,
        };
        // Every item × 1.5 on days 10–29; item 1 × 3 on days 20–39; a plan entry on day 50.
        let prebuilds = Prebuilds(vec![
            window(10, 30, 1.5, vec![]),
            window(20, 40, 3.0, vec![1]),
        ]);
        let segments = level_segments(60, calendar, &prebuilds, &[], &[50]);
        let spans: Vec<(u32, u32, f64)> = segments
            .iter()
            .map(|s| (s.start, s.end, s.factor))
            .collect();
        assert_eq!(
            spans,
            vec![
                (0, 10, 1.0),
                (10, 20, 1.5),
                (20, 30, 1.5),
                (30, 40, 1.0),
                (40, 50, 1.0),
                (50, 60, 1.0)
            ]
        );
        assert_eq!(prebuilds.item_factor(0, 25), 1.5);
        assert_eq!(prebuilds.item_factor(1, 25), 3.0);
        assert_eq!(prebuilds.item_factor(1, 15), 1.5);
        assert_eq!(prebuilds.item_factor(1, 35), 3.0);
        assert_eq!((prebuilds.peak(0), prebuilds.peak(1)), (1.5, 3.0));
        assert_eq!(prebuilds.overlap(), None);

        // Two windows for every item on a common day, or for a common item, are reported.
        let clash = Prebuilds(vec![
            window(10, 30, 1.5, vec![]),
            window(29, 40, 2.0, vec![]),
        ]);
        assert_eq!(clash.overlap(), Some((0, 1, 29)));
        let clash = Prebuilds(vec![
            window(300, 20, 1.5, vec![0, 2]),
            window(5, 6, 2.0, vec![2]),
        ]);
        assert_eq!(clash.overlap(), Some((0, 1, 5)));
        let fine = Prebuilds(vec![
            window(300, 20, 1.5, vec![0]),
            window(5, 6, 2.0, vec![2]),
        ]);
        assert_eq!(fine.overlap(), None);
    }
}
