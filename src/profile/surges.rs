//! Demand surges: stretches in which an item's demand stood far above its normal level, told
//! apart from its normal times.
//!
//! The reference texts ask that disrupted and stable stretches be looked at separately. On the
//! demand side, a month in which an item sold three times its usual amount is an event, not
//! ordinary variability: averaged into the item's demand it inflates the mean and the spread of
//! every normal day (so every buffer sized from them), while the surge itself, the event a
//! buffer exists for, vanishes into a fatter distribution. So surges are found first, reported
//! with their dates, left out of the item's demand fit ([`super::demand_fit`] is given the
//! stable periods only, [`DemandSeries::without`]) and written into the scenario as
//! `demand_surge` disruptions of their own ([`super::scenario_out`]).
//!
//! Definitions (README, "Demand surges"):
//! * an item's demand is looked at in *weeks*: its weekly rows, or its days in blocks of seven
//!   from its first day (a last, partial block is not judged);
//! * its *normal level* is the median week m, its *spread* the median absolute deviation of the
//!   weeks from m, scaled by 1.4826 so that it estimates a standard deviation for normal data,
//!   and never taken below sqrt(m) (the spread of a Poisson count of that mean), so that a
//!   history of near-identical weeks does not make every small rise a surge. Median and MAD
//!   ignore the surge itself: a surge of up to half the history cannot move them much;
//! * a *surge week* has demand above m + [`SURGE_SPREADS`] × spread; a *surge* is a run of at
//!   least [`MIN_SURGE_WEEKS`] consecutive surge weeks (a single high week is a large order,
//!   not an event);
//! * a run that meets another run of a different year at the same time of year (within a
//!   week) recurs: it is the item's season, not a surge, and is not counted (a history under
//!   two years cannot show this, so there a seasonal peak far above the year's median can be
//!   read as a surge);
//! * items whose median week has no demand at all are not judged (intermittent demand: a lump
//!   cannot be told from a surge), nor items with fewer than [`MIN_WEEKS`] whole weeks;
//! * a surge's *factor* is its weeks' mean demand over the mean of the item's weeks outside
//!   every surge (the normal-times level the scenario's demand model describes), its *peak*
//!   the highest of its weeks over that level.
//!
//! The baseline is the item's whole history, so on an item whose demand swings with the
//! season, the seasonal swing widens the spread: only surges well beyond it are found there.

use std::collections::BTreeMap;

use super::date::Date;
use super::series::DemandSeries;

/// A surge week lies this many spreads (scaled MADs) above the median week.
pub(crate) const SURGE_SPREADS: f64 = 5.0;
/// Fewest consecutive surge weeks that make a surge.
pub(crate) const MIN_SURGE_WEEKS: usize = 2;
/// Fewest whole weeks of history before surges are looked for.
pub(crate) const MIN_WEEKS: usize = 13;
/// Scales a median absolute deviation to a standard deviation (normal data).
const MAD_SCALE: f64 = 1.4826;

/// A stretch of weeks in which an item's demand stood far above its normal level.
#[derive(Clone, Debug, PartialEq)]
pub struct Surge {
    /// The item's id.
    pub item: String,
    /// First day of its first week.
    pub start: Date,
    /// The day after its last week.
    pub end: Date,
    /// Weeks in it.
    pub weeks: usize,
    /// Mean demand of its weeks over the item's normal weekly level.
    pub factor: f64,
    /// The highest of its weeks over the normal weekly level.
    pub peak: f64,
}

impl Surge {
    /// Length in days.
    pub fn days(&self) -> u32 {
        self.end
            .days_since(self.start)
            .clamp(1, i64::from(u32::MAX)) as u32
    }
}

/// What an item's weeks were measured against.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurgeBaseline {
    /// The median week's demand.
    pub median_week: f64,
    /// The demand above which a week is a surge week.
    pub threshold_week: f64,
}

/// The surges of every item.
#[derive(Clone, Debug, Default)]
pub struct SurgeHistory {
    /// Every surge, by item id, then start.
    pub surges: Vec<Surge>,
    /// Each judged item's baseline.
    pub baselines: BTreeMap<String, SurgeBaseline>,
    /// Each item's history in years, over which its surges' rate is counted.
    pub years: BTreeMap<String, f64>,
}

impl SurgeHistory {
    /// The surges of one item.
    pub fn of<'a>(&'a self, item: &'a str) -> impl Iterator<Item = &'a Surge> + 'a {
        self.surges.iter().filter(move |s| s.item == item)
    }
}

/// An item's surges, its baseline (when it was judged) and, per period of its grid, whether
/// the period lies in a surge.
pub(crate) struct ItemSurges {
    pub(crate) surges: Vec<Surge>,
    pub(crate) baseline: Option<SurgeBaseline>,
    pub(crate) set_aside: Vec<bool>,
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Find the surges of one item.
pub(crate) fn detect(series: &DemandSeries) -> ItemSurges {
    let mut out = ItemSurges {
        surges: Vec::new(),
        baseline: None,
        set_aside: vec![false; series.values.len()],
    };
    // Periods per week: 7 days, or 1 weekly row.
    let per_week = if series.period_days == 7 { 1 } else { 7 };
    if series.period_days != 1 && series.period_days != 7 {
        return out;
    }
    let weeks: Vec<f64> = series
        .values
        .chunks_exact(per_week)
        .map(|w| w.iter().sum())
        .collect();
    if weeks.len() < MIN_WEEKS {
        return out;
    }
    let mut sorted = weeks.clone();
    sorted.sort_by(f64::total_cmp);
    let m = median(&sorted);
    if m <= 0.0 {
        return out;
    }
    let mut deviations: Vec<f64> = weeks.iter().map(|w| (w - m).abs()).collect();
    deviations.sort_by(f64::total_cmp);
    let spread = (MAD_SCALE * median(&deviations)).max(m.sqrt());
    let threshold = m + SURGE_SPREADS * spread;
    out.baseline = Some(SurgeBaseline {
        median_week: m,
        threshold_week: threshold,
    });
    // Runs of surge weeks.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut k = 0;
    while k < weeks.len() {
        if weeks[k] > threshold {
            let first = k;
            while k < weeks.len() && weeks[k] > threshold {
                k += 1;
            }
            if k - first >= MIN_SURGE_WEEKS {
                runs.push((first, k));
            }
        } else {
            k += 1;
        }
    }
    let week_days = i64::from(series.period_days) * per_week as i64;
    let date = |w: usize| series.start.plus(w as i64 * week_days);
    let runs = not_recurring(&runs, date);
    if runs.is_empty() {
        return out;
    }
    let in_run = |w: usize| runs.iter().any(|&(a, b)| w >= a && w < b);
    let normal: Vec<f64> = (0..weeks.len())
        .filter(|&w| !in_run(w))
        .map(|w| weeks[w])
        .collect();
    // Surges take at most half the weeks (they lie above the median), so `normal` has weeks.
    let level = (normal.iter().sum::<f64>() / normal.len().max(1) as f64).max(f64::MIN_POSITIVE);
    for &(a, b) in &runs {
        for flag in &mut out.set_aside[a * per_week..b * per_week] {
            *flag = true;
        }
        let slice = &weeks[a..b];
        out.surges.push(Surge {
            item: series.item.clone(),
            start: series.start.plus(a as i64 * week_days),
            end: series.start.plus(b as i64 * week_days),
            weeks: b - a,
            factor: slice.iter().sum::<f64>() / slice.len() as f64 / level,
            peak: slice.iter().copied().fold(0.0, f64::max) / level,
        });
    }
    out
}

/// Days of slack when runs of two years are compared.
const RECURRENCE_SLACK_DAYS: i64 = 7;

/// The runs (of weeks, `[first, end)`) that do not recur: a run that meets another run of a
/// different year at the same time of year (within a week) is the item's season, not a surge.
fn not_recurring(runs: &[(usize, usize)], date: impl Fn(usize) -> Date) -> Vec<(usize, usize)> {
    let span = |&(a, b): &(usize, usize)| (date(a), date(b));
    runs.iter()
        .filter(|run| {
            let (start, end) = span(run);
            !runs.iter().any(|other| {
                let (o_start, o_end) = span(other);
                let years = (start.days_since(o_start) as f64 / 365.25).round() as i64;
                if years == 0 {
                    return false;
                }
                let shift = (years as f64 * 365.25).round() as i64;
                o_start.plus(shift) < end.plus(RECURRENCE_SLACK_DAYS)
                    && start < o_end.plus(shift + RECURRENCE_SLACK_DAYS)
            })
        })
        .copied()
        .collect()
}

/// Surges of several items that overlap in time, joined: one event of the catalogue.
#[derive(Clone, Debug)]
pub(crate) struct SurgeEvent<'a> {
    pub(crate) surges: Vec<&'a Surge>,
}

impl SurgeEvent<'_> {
    pub(crate) fn start(&self) -> Date {
        self.surges.iter().map(|s| s.start).min().expect("a surge")
    }

    pub(crate) fn end(&self) -> Date {
        self.surges.iter().map(|s| s.end).max().expect("a surge")
    }
}

/// Items struck by the same events, and those events: one disruption of the scenario.
#[derive(Clone, Debug)]
pub(crate) struct SurgeGroup<'a> {
    /// Item ids, sorted.
    pub(crate) items: Vec<String>,
    /// The events, each with the group's own surges in it only.
    pub(crate) events: Vec<SurgeEvent<'a>>,
    /// Years of history over which the events are counted (the longest of the items').
    pub(crate) years: f64,
}

/// Surges joined into events (overlapping in time, across items), and items grouped by the
/// events that struck them: items that surged together every time share one disruption (a
/// surge of a group of items, or of the whole catalogue); an item that surged alone has its
/// own.
pub(crate) fn groups(history: &SurgeHistory) -> Vec<SurgeGroup<'_>> {
    let mut sorted: Vec<&Surge> = history.surges.iter().collect();
    sorted.sort_by(|a, b| a.start.cmp(&b.start).then(a.item.cmp(&b.item)));
    // Event index of each surge.
    let mut events: Vec<Vec<&Surge>> = Vec::new();
    let mut end: Option<Date> = None;
    for s in sorted {
        match (events.last_mut(), end) {
            (Some(event), Some(e)) if s.start < e => {
                event.push(s);
                end = Some(e.max(s.end));
            }
            _ => {
                events.push(vec![s]);
                end = Some(s.end);
            }
        }
    }
    // Each item's signature: the events it took part in.
    let mut signature: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (e, event) in events.iter().enumerate() {
        for s in event {
            let list = signature.entry(s.item.as_str()).or_default();
            if list.last() != Some(&e) {
                list.push(e);
            }
        }
    }
    let mut by_signature: BTreeMap<Vec<usize>, Vec<&str>> = BTreeMap::new();
    for (item, events) in signature {
        by_signature.entry(events).or_default().push(item);
    }
    let mut out: Vec<SurgeGroup<'_>> = by_signature
        .into_iter()
        .map(|(signature, items)| SurgeGroup {
            events: signature
                .iter()
                .map(|&e| SurgeEvent {
                    surges: events[e]
                        .iter()
                        .copied()
                        .filter(|s| items.contains(&s.item.as_str()))
                        .collect(),
                })
                .collect(),
            years: items
                .iter()
                .filter_map(|i| history.years.get(*i))
                .copied()
                .fold(0.0, f64::max)
                .max(1.0 / 365.25),
            items: items.into_iter().map(String::from).collect(),
        })
        .collect();
    out.sort_by(|a, b| a.items.cmp(&b.items));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(values: Vec<f64>) -> DemandSeries {
        DemandSeries {
            item: "i".into(),
            start: Date::parse("2024-01-01").unwrap(),
            period_days: 1,
            whole_units: true,
            values,
            grid: None,
        }
    }

    /// 52 weeks of 10 ± 2 a day; weeks 20–23 at three times that.
    fn with_surge() -> DemandSeries {
        daily(
            (0..364)
                .map(|d| {
                    let base = 10.0 + f64::from((d * 7 % 5) as u8) - 2.0;
                    if (140..168).contains(&d) {
                        base * 3.0
                    } else {
                        base
                    }
                })
                .collect(),
        )
    }

    #[test]
    fn a_surge_is_found_with_its_dates_and_factor() {
        let found = detect(&with_surge());
        assert_eq!(found.surges.len(), 1);
        let s = &found.surges[0];
        assert_eq!(s.start, Date::parse("2024-01-01").unwrap().plus(140));
        assert_eq!((s.days(), s.weeks), (28, 4));
        assert!((s.factor - 3.0).abs() < 0.05, "{s:?}");
        assert_eq!(found.set_aside.iter().filter(|&&f| f).count(), 28);
        assert!(found.set_aside[140] && !found.set_aside[139] && !found.set_aside[168]);
    }

    #[test]
    fn one_high_week_and_an_intermittent_item_are_not_surges() {
        let mut values = with_surge().values;
        for v in &mut values[140..168] {
            *v /= 3.0;
        }
        for v in &mut values[70..77] {
            *v *= 5.0;
        }
        assert!(detect(&daily(values)).surges.is_empty());
        let lumpy: Vec<f64> = (0..364)
            .map(|d| if d % 30 == 0 { 50.0 } else { 0.0 })
            .collect();
        let found = detect(&daily(lumpy));
        assert!(found.surges.is_empty() && found.baseline.is_none());
    }

    #[test]
    fn a_peak_in_the_same_weeks_of_each_year_is_a_season_not_a_surge() {
        let values: Vec<f64> = (0..728)
            .map(|d| {
                let base = 10.0 + f64::from((d * 7 % 5) as u8) - 2.0;
                let in_season = (140..168).contains(&(d % 364)) || (602..623).contains(&d);
                if in_season { base * 3.0 } else { base }
            })
            .collect();
        let found = detect(&daily(values));
        // Weeks 20–23 of both years recur; weeks 86–88 (a surge of the second year only) do not.
        assert_eq!(found.surges.len(), 1, "{:?}", found.surges);
        assert_eq!(
            found.surges[0].start,
            Date::parse("2024-01-01").unwrap().plus(602)
        );
    }

    #[test]
    fn items_that_surge_together_form_one_group() {
        let day0 = Date::parse("2024-01-01").unwrap();
        let surge = |item: &str, start: i64, days: i64| Surge {
            item: item.into(),
            start: day0.plus(start),
            end: day0.plus(start + days),
            weeks: (days / 7) as usize,
            factor: 2.0,
            peak: 2.5,
        };
        let history = SurgeHistory {
            surges: vec![
                surge("a", 100, 21),
                surge("b", 107, 21),
                surge("a", 300, 14),
                surge("b", 301, 14),
                surge("c", 500, 14),
            ],
            baselines: BTreeMap::new(),
            years: [("a", 2.0), ("b", 2.0), ("c", 2.0)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        };
        let groups = groups(&history);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].items, ["a", "b"]);
        assert_eq!(groups[0].events.len(), 2);
        assert_eq!(groups[0].events[0].start(), day0.plus(100));
        assert_eq!(groups[0].events[0].end(), day0.plus(128));
        assert_eq!(groups[1].items, ["c"]);
    }
}
