//! Disrupted stretches of a supplier's delivery history, told apart from its stable times.
//!
//! The reference texts ask that disrupted and normal times be looked at separately rather than
//! averaged: a month-long outage folded into a supplier's lead-time fit makes every normal
//! delivery look slower and less reliable than it is, while the outage itself — the event a
//! buffer exists for — vanishes into a fatter tail. So the stretches are found first, reported
//! with their dates, left out of the supplier's lead-time fit ([`super::supplier_fit`]) and
//! written into the scenario as disruptions of their own ([`super::scenario_out`]).
//!
//! Definitions (README, "Disrupted and stable stretches"):
//! * a supplier's *threshold* is the larger of [`MIN_THRESHOLD_DAYS`] and the median quoted
//!   lead time (promised − ordered) of its orders: a delivery later than that took at least
//!   twice as long as quoted. Promised dates are fixed when an order is placed, so a
//!   disruption cannot raise its own threshold, as a percentile of the observed lateness would;
//! * a delivery is *disrupted* when it was received more than the threshold after its promised
//!   date, or is still open more than the threshold after it (an order that was due and never
//!   came);
//! * disrupted deliveries are taken in promised-date order and joined into one stretch while
//!   the next one was due before the stretch's supply resumed (the latest receipt among its
//!   deliveries, or the history's last day when one is still open); a stretch needs at least
//!   [`MIN_STRETCH_DELIVERIES`] disrupted deliveries, so a single lost order is not an event;
//! * a stretch is *stopped* (nothing shipped) when the supplier delivered nothing at all for
//!   at least the threshold before supply resumed; it then starts the day after the last
//!   receipt before that gap (or at its first missed due date, if later). Otherwise it is
//!   *slow* (deliveries kept arriving, late) and starts at its first missed due date. It ends on
//!   the day supply resumed; its length is end − start, at least one day;
//! * a delivery is *left out* of the stable figures when it was due (promised) within a
//!   stretch, or is disrupted and arrived when the stretch's supply resumed.
//! * a supplier's *region* is the one its delivery rows give most often (the `region`
//!   column); stretches of suppliers of one region that overlap in time are joined, and a
//!   group of them from at least two suppliers is a *regional event*: one disruption of the
//!   region rather than one per supplier.

use std::collections::BTreeMap;

use super::date::Date;
use super::input::Delivery;

/// The threshold never falls below a week: a few days late is ordinary lateness, which the
/// supplier's `lateness` fit describes.
pub(crate) const MIN_THRESHOLD_DAYS: i64 = 7;

/// Fewest disrupted deliveries that make a stretch.
pub(crate) const MIN_STRETCH_DELIVERIES: usize = 2;

/// A stretch of a supplier's history in which its deliveries were disrupted.
#[derive(Clone, Debug, PartialEq)]
pub struct Stretch {
    /// The supplier's id.
    pub supplier: String,
    /// First day of the stretch.
    pub start: Date,
    /// The day supply resumed (the history's last day + 1 when it had not).
    pub end: Date,
    /// Nothing was delivered for at least the threshold (an outage), rather than late.
    pub stopped: bool,
    /// Still going when the history ends: its length is a lower bound.
    pub ongoing: bool,
    /// Disrupted deliveries in it.
    pub deliveries: usize,
    /// Most days late (or overdue at the history's end) of its deliveries.
    pub max_days_late: i64,
    /// Mean of (actual ÷ quoted lead time) over its received deliveries: how much slower
    /// orders were (1 when none was received).
    pub slowdown: f64,
}

impl Stretch {
    /// Length in days, at least 1.
    pub fn days(&self) -> u32 {
        self.end
            .days_since(self.start)
            .clamp(1, i64::from(u32::MAX)) as u32
    }

    /// Whether a delivery belongs to the stretch: due within it, or disrupted and delivered
    /// (or still awaited) when supply resumed.
    fn holds(&self, d: &Delivery, threshold: i64, last_date: Date) -> bool {
        let resumed = d.received_on.unwrap_or_else(|| last_date.plus(1));
        (d.promised_on >= self.start && d.promised_on < self.end)
            || (is_disrupted(d, threshold, last_date)
                && resumed >= self.start
                && resumed <= self.end)
    }
}

/// The stretches of every supplier, and what they were measured against.
#[derive(Clone, Debug, Default)]
pub struct DisruptionHistory {
    /// Every stretch, by supplier id, then start.
    pub stretches: Vec<Stretch>,
    /// Each supplier's threshold in days late.
    pub thresholds: BTreeMap<String, i64>,
    /// Length of the delivery history in years (first order to last date seen), over which
    /// the stretches' rate is counted.
    pub years: f64,
    /// Each supplier's region, where the deliveries give one.
    pub regions: BTreeMap<String, String>,
    /// Stretches of several suppliers of one region that overlapped: regional events.
    pub regional: Vec<RegionalEvent>,
}

/// Overlapping stretches of at least two suppliers of one region.
#[derive(Clone, Debug, PartialEq)]
pub struct RegionalEvent {
    /// The region.
    pub region: String,
    /// First day of its first stretch.
    pub start: Date,
    /// The day the last of its suppliers resumed.
    pub end: Date,
    /// Its suppliers, sorted.
    pub suppliers: Vec<String>,
    /// Indices of its stretches in [`DisruptionHistory::stretches`].
    pub stretches: Vec<usize>,
}

impl RegionalEvent {
    /// Length in days, at least 1.
    pub fn days(&self) -> u32 {
        self.end
            .days_since(self.start)
            .clamp(1, i64::from(u32::MAX)) as u32
    }
}

impl DisruptionHistory {
    /// The stretches of one supplier.
    pub fn of<'a>(&'a self, supplier: &'a str) -> impl Iterator<Item = &'a Stretch> + 'a {
        self.stretches
            .iter()
            .filter(move |s| s.supplier == supplier)
    }

    /// The regional event a stretch (by index) belongs to, if any.
    pub fn regional_event_of(&self, stretch: usize) -> Option<&RegionalEvent> {
        self.regional
            .iter()
            .find(|e| e.stretches.contains(&stretch))
    }

    /// Whether a delivery belongs to a disrupted stretch rather than to the supplier's stable
    /// times: disrupted itself, or due within one of its supplier's stretches.
    pub(crate) fn leaves_out(&self, d: &Delivery, last_date: Date) -> bool {
        let threshold = self
            .thresholds
            .get(&d.supplier)
            .copied()
            .unwrap_or(MIN_THRESHOLD_DAYS);
        self.of(&d.supplier)
            .any(|s| s.holds(d, threshold, last_date))
    }
}

/// Days between the promised date and the receipt (or the history's last day, when open).
fn days_late(d: &Delivery, last_date: Date) -> i64 {
    d.received_on
        .unwrap_or_else(|| last_date.plus(1))
        .days_since(d.promised_on)
}

fn is_disrupted(d: &Delivery, threshold: i64, last_date: Date) -> bool {
    days_late(d, last_date) > threshold
}

/// A supplier's threshold: the larger of a week and its median quoted lead time.
fn threshold(rows: &[&Delivery]) -> i64 {
    let mut quoted: Vec<i64> = rows
        .iter()
        .map(|d| d.promised_on.days_since(d.ordered_on))
        .collect();
    quoted.sort_unstable();
    let median = quoted.get(quoted.len() / 2).copied().unwrap_or(0);
    median.max(MIN_THRESHOLD_DAYS)
}

/// Find the stretches in the deliveries; `last_date` is the history's last day, against which
/// open orders are overdue.
pub(crate) fn detect(deliveries: &[Delivery], last_date: Date) -> DisruptionHistory {
    let mut by_supplier: BTreeMap<&str, Vec<&Delivery>> = BTreeMap::new();
    for d in deliveries {
        by_supplier.entry(&d.supplier).or_default().push(d);
    }
    let mut history = DisruptionHistory {
        years: years_of(deliveries, last_date),
        ..DisruptionHistory::default()
    };
    for (supplier, rows) in by_supplier {
        let threshold = threshold(&rows);
        history.thresholds.insert(supplier.to_string(), threshold);
        history
            .stretches
            .extend(stretches_of(supplier, &rows, threshold, last_date));
        if let Some(region) = region_of(&rows) {
            history.regions.insert(supplier.to_string(), region);
        }
    }
    history.regional = regional_events(&history.stretches, &history.regions);
    history
}

/// The region a supplier's rows give most often (the first by name among equals).
fn region_of(rows: &[&Delivery]) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows.iter().filter_map(|d| d.region.as_deref()) {
        *counts.entry(r).or_default() += 1;
    }
    let most = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|&(_, n)| n == most)
        .map(|(r, _)| r.to_string())
}

/// Stretches of the suppliers of each region joined while they overlap; a group with at least
/// two suppliers is a regional event.
fn regional_events(
    stretches: &[Stretch],
    regions: &BTreeMap<String, String>,
) -> Vec<RegionalEvent> {
    let mut by_region: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in stretches.iter().enumerate() {
        if let Some(region) = regions.get(&s.supplier) {
            by_region.entry(region).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for (region, mut members) in by_region {
        members.sort_by_key(|&i| (stretches[i].start, i));
        let mut groups: Vec<(Vec<usize>, Date)> = Vec::new();
        for i in members {
            let s = &stretches[i];
            match groups.last_mut() {
                Some((group, end)) if s.start < *end => {
                    group.push(i);
                    *end = (*end).max(s.end);
                }
                _ => groups.push((vec![i], s.end)),
            }
        }
        for (group, end) in groups {
            let mut suppliers: Vec<String> = group
                .iter()
                .map(|&i| stretches[i].supplier.clone())
                .collect();
            suppliers.sort();
            suppliers.dedup();
            if suppliers.len() < 2 {
                continue;
            }
            out.push(RegionalEvent {
                region: region.to_string(),
                start: group
                    .iter()
                    .map(|&i| stretches[i].start)
                    .min()
                    .expect("a stretch"),
                end,
                suppliers,
                stretches: group,
            });
        }
    }
    out
}

/// Years from the first order to `last_date` (at least a day).
fn years_of(deliveries: &[Delivery], last_date: Date) -> f64 {
    let first = deliveries.iter().map(|d| d.ordered_on).min();
    first.map_or(1.0, |first| {
        (last_date.days_since(first) + 1).max(1) as f64 / 365.25
    })
}

fn stretches_of(
    supplier: &str,
    rows: &[&Delivery],
    threshold: i64,
    last_date: Date,
) -> Vec<Stretch> {
    let mut disrupted: Vec<&Delivery> = rows
        .iter()
        .copied()
        .filter(|d| is_disrupted(d, threshold, last_date))
        .collect();
    disrupted.sort_by_key(|d| d.promised_on);
    let resumes = |d: &Delivery| d.received_on.unwrap_or_else(|| last_date.plus(1));
    let mut groups: Vec<Vec<&Delivery>> = Vec::new();
    let mut group_end = None;
    for d in disrupted {
        match (groups.last_mut(), group_end) {
            (Some(group), Some(end)) if d.promised_on < end => {
                group.push(d);
                group_end = Some(end.max(resumes(d)));
            }
            _ => {
                groups.push(vec![d]);
                group_end = Some(resumes(d));
            }
        }
    }
    let mut receipts: Vec<Date> = rows.iter().filter_map(|d| d.received_on).collect();
    receipts.sort_unstable();
    groups
        .into_iter()
        .filter(|g| g.len() >= MIN_STRETCH_DELIVERIES)
        .map(|group| {
            let end = group.iter().map(|d| resumes(d)).max().expect("a group");
            let first_due = group.iter().map(|d| d.promised_on).min().expect("a group");
            let before = receipts.iter().rev().find(|&&r| r < end).copied();
            let stopped = before.is_none_or(|r| end.days_since(r) > threshold);
            let start = match before {
                Some(r) if stopped => first_due.max(r.plus(1)),
                _ => first_due,
            };
            let ratios: Vec<f64> = group
                .iter()
                .filter_map(|d| {
                    let quoted = d.promised_on.days_since(d.ordered_on).max(1) as f64;
                    d.received_on
                        .map(|r| r.days_since(d.ordered_on).max(1) as f64 / quoted)
                })
                .collect();
            Stretch {
                supplier: supplier.to_string(),
                start,
                end,
                stopped,
                ongoing: group.iter().any(|d| d.received_on.is_none()),
                deliveries: group.len(),
                max_days_late: group
                    .iter()
                    .map(|d| days_late(d, last_date))
                    .max()
                    .unwrap_or(0),
                slowdown: if ratios.is_empty() {
                    1.0
                } else {
                    ratios.iter().sum::<f64>() / ratios.len() as f64
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(ordered: Date, quoted: i64, received: Option<i64>) -> Delivery {
        Delivery {
            supplier: "s".into(),
            item: "i".into(),
            ordered_on: ordered,
            promised_on: ordered.plus(quoted),
            received_on: received.map(|r| ordered.plus(r)),
            quantity_ordered: 10.0,
            quantity_received: 10.0,
            quantity_rejected: 0.0,
            region: None,
        }
    }

    /// Daily orders quoted at 5 days; nothing ships from day 100 to day 129.
    fn with_outage() -> (Vec<Delivery>, Date, Date) {
        let day0 = Date::parse("2024-01-01").unwrap();
        let (out, back) = (day0.plus(100), day0.plus(130));
        let rows = (0..200)
            .map(|k| {
                let ordered = day0.plus(k);
                let due = ordered.plus(5);
                let received = if due >= out && due < back { back } else { due };
                delivery(ordered, 5, Some(received.days_since(ordered)))
            })
            .collect();
        (rows, out, day0.plus(210))
    }

    #[test]
    fn an_outage_is_found_with_its_dates() {
        let (rows, out, last) = with_outage();
        let history = detect(&rows, last);
        assert_eq!(history.thresholds["s"], MIN_THRESHOLD_DAYS);
        assert_eq!(history.stretches.len(), 1, "{:?}", history.stretches);
        let s = &history.stretches[0];
        assert_eq!(s.start, out);
        assert_eq!(s.days(), 30);
        assert!(s.stopped && !s.ongoing);
        assert_eq!(s.max_days_late, 30);
    }

    #[test]
    fn overlapping_stretches_of_one_region_are_one_regional_event() {
        let (rows, out, last) = with_outage();
        let mut all: Vec<Delivery> = Vec::new();
        for (supplier, region, shift) in [("a", "asia", 0), ("b", "asia", 5), ("c", "home", 3)] {
            all.extend(rows.iter().map(|d| Delivery {
                supplier: supplier.into(),
                region: Some(region.into()),
                ordered_on: d.ordered_on.plus(shift),
                promised_on: d.promised_on.plus(shift),
                received_on: d.received_on.map(|r| r.plus(shift)),
                ..d.clone()
            }));
        }
        let history = detect(&all, last.plus(10));
        assert_eq!(history.stretches.len(), 3);
        assert_eq!(history.regions["b"], "asia");
        assert_eq!(history.regional.len(), 1, "{:?}", history.regional);
        let event = &history.regional[0];
        assert_eq!((event.region.as_str(), event.start), ("asia", out));
        assert_eq!(event.suppliers, ["a", "b"]);
        assert_eq!(event.days(), 35);
        assert!(history.regional_event_of(2).is_none());
    }

    #[test]
    fn ordinary_lateness_and_a_single_lost_order_are_not_stretches() {
        let day0 = Date::parse("2024-01-01").unwrap();
        let mut rows: Vec<Delivery> = (0..100)
            .map(|k| delivery(day0.plus(k), 5, Some(5 + k % 7)))
            .collect();
        rows.push(delivery(day0.plus(20), 5, Some(60)));
        assert!(detect(&rows, day0.plus(120)).stretches.is_empty());
    }

    #[test]
    fn deliveries_of_a_stretch_are_left_out() {
        let (rows, out, last) = with_outage();
        let history = detect(&rows, last);
        let left: Vec<&Delivery> = rows
            .iter()
            .filter(|d| history.leaves_out(d, last))
            .collect();
        assert!(left.iter().all(|d| d.promised_on >= out));
        assert_eq!(left.len(), 30);
    }
}
