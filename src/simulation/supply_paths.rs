//! What every supplier does on every day of one run: capacity, cancellations, transport
//! delays, lead-time drift and rejection rates as the run's disruptions leave them, and the
//! lead times and inspection results of the days something ships.

use std::cell::Cell;

use rand::Rng;

use crate::foundation::rng::{SimRng, draw_at, unit_from_bits};
use crate::model::disruption::{Disruption, Effect, Spell};
use crate::model::supply::Supplier;

/// What every supplier does on every day of one run, shared by all items and policies of the
/// run so that they face the same supply path.
///
/// Disruptions are known for the whole run up front (capacity, cancellations, transport
/// delays, lead-time drift, rejection rates per day). Lead times and rejections are drawn
/// lazily: the draws for a shipment dispatched on day t come from a counter-based stream,
/// `draw_at(key, position)`, so they are the same whichever item or policy asks first, and are
/// only computed for days on which something ships — most days ship nothing under most rules.
/// Chunk-local: the caches use `Cell`, so one `SupplyPaths` never crosses threads.
#[derive(Debug)]
pub struct SupplyPaths<'a> {
    suppliers: &'a [Supplier],
    horizon: usize,
    /// Per supplier, what is particular to the current run.
    runs: Vec<SupplierRun>,
    days: Vec<Day>,
    /// Draws made lazily, per supplier-day.
    drawn: Vec<Cell<Drawn>>,
}

/// One supplier's facts for the current run, referred to by [`SupplierDays`] so that the
/// copies of it the daily loop makes stay small.
#[derive(Clone, Debug)]
struct SupplierRun {
    /// Key of the supplier's lead-time stream.
    key: u64,
    /// A cell holds a draw of this run only when its stamp matches, so a new run needs no
    /// pass over the cells.
    stamp: u32,
    /// The transport delays: the days each event lasts and the extra transit days it adds. A
    /// shipment is held up by the longest delay among the events it meets; with the events
    /// listed, finding it costs one look per event rather than one per day in transit.
    delays: Vec<(Spell, u32)>,
    /// The stretches of days disruptions changed: the next run restores only these, the other
    /// days are still normal.
    dirty: Vec<Spell>,
}

/// What disruptions do to one supplier on one day.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Day {
    /// Fraction of normal capacity available (0 during an outage).
    capacity_factor: f64,
    /// Orders waiting at the supplier are cancelled.
    cancel: bool,
    /// Lead time multiplier for a shipment dispatched on this day.
    lead_time_factor: f64,
    /// Chance that a shipment dispatched on this day is rejected at receiving.
    rejection_probability: f64,
    /// Some disruption reduces capacity, delays transport or stretches lead times today.
    disrupted: bool,
}

/// Lazily drawn facts of one supplier-day, valid in the run whose stamp they carry (stamp 0:
/// never drawn).
#[derive(Clone, Copy, Debug, Default)]
struct Drawn {
    stamp: u32,
    lead_time: u32,
    quoted: u32,
    rejected: bool,
}

/// What the draws say about a shipment dispatched on a given day.
#[derive(Clone, Copy, Debug)]
pub struct Shipment {
    /// Days from dispatch to arrival.
    pub lead_time: u32,
    /// The lead time promised to an order placed on the day of dispatch.
    pub(crate) quoted: u32,
    /// Whether the shipment fails inspection at receiving.
    pub rejected: bool,
}

/// One supplier's days of one run.
#[derive(Clone, Copy, Debug)]
pub struct SupplierDays<'a> {
    supplier: &'a Supplier,
    run: &'a SupplierRun,
    days: &'a [Day],
    drawn: &'a [Cell<Drawn>],
}

impl SupplierDays<'_> {
    /// Fraction of normal capacity available on `day` (0 during an outage).
    #[inline]
    pub fn capacity_factor(&self, day: usize) -> f64 {
        self.days[day].capacity_factor
    }

    /// Whether orders waiting at the supplier are cancelled on `day`.
    #[inline]
    pub(crate) fn cancels(&self, day: usize) -> bool {
        self.days[day].cancel
    }

    /// The lead time promised to an order placed on `day`.
    #[inline]
    pub(crate) fn quoted(&self, day: usize) -> u32 {
        self.drawn(day).quoted
    }

    /// A shipment dispatched on `day`: its lead time, whether it is rejected, and the lead time
    /// promised to an order placed that day, from one look-up of the day's draws.
    #[inline]
    pub fn shipment(&self, day: usize) -> Shipment {
        let drawn = self.drawn(day);
        Shipment {
            lead_time: drawn.lead_time,
            quoted: drawn.quoted,
            rejected: drawn.rejected,
        }
    }

    #[inline(always)]
    fn drawn(&self, day: usize) -> Drawn {
        let cached = self.drawn[day].get();
        if cached.stamp == self.run.stamp {
            cached
        } else {
            self.draw(day)
        }
    }

    /// Draw day `day`'s shipment: the quoted lead time, lateness for a late shipment, drift and
    /// transport delays from disruptions, and the receiving inspection. Four counter positions
    /// per day: quoted lead time, whether late, how late, whether rejected.
    ///
    /// Inlined into the order and dispatch steps: as a call, it made the daily loop save and
    /// restore every floating-point register it holds around each shipment (callgrind: 11%
    /// fewer instructions per run under a rule that orders every day, 5% on the speed
    /// reference, with it inlined).
    #[inline(always)]
    fn draw(&self, day: usize) -> Drawn {
        let s = self.supplier;
        let d = self.days[day];
        let counter = 4 * day as u64;
        let quoted = if s.lead_time.is_constant() {
            s.lead_time.min()
        } else {
            s.lead_time.sample_bits(draw_at(self.run.key, counter))
        };
        let mut lead_time = quoted;
        if let Some(lateness) = &s.lateness
            && unit_from_bits(draw_at(self.run.key, counter + 1)) >= s.on_time_probability
        {
            lead_time += if lateness.is_constant() {
                lateness.min()
            } else {
                lateness.sample_bits(draw_at(self.run.key, counter + 2))
            };
        }
        if d.lead_time_factor != 1.0 {
            lead_time = ((f64::from(lead_time) * d.lead_time_factor + 0.5) as u32).max(1);
        }
        if !self.run.delays.is_empty() {
            // The longest delay of any event the shipment meets between dispatch and arrival.
            let end = (day + lead_time as usize).min(self.days.len());
            lead_time += self
                .run
                .delays
                .iter()
                .filter(|(spell, _)| day < end && spell.start < end && spell.end > day)
                .map(|&(_, extra)| extra)
                .max()
                .unwrap_or(0);
        }
        let rejected = d.rejection_probability > 0.0
            && unit_from_bits(draw_at(self.run.key, counter + 3)) < d.rejection_probability;
        let drawn = Drawn {
            stamp: self.run.stamp,
            lead_time,
            quoted,
            rejected,
        };
        self.drawn[day].set(drawn);
        drawn
    }
}

impl<'a> SupplyPaths<'a> {
    /// Apply one run's events of `disruption` to the supply paths (supply-side effects; demand
    /// surges are applied to demand paths by the engine). Per-event sizes are drawn from `rng`
    /// in event order, after the events themselves.
    pub fn apply(&mut self, disruption: &Disruption, spells: &[Spell], rng: &mut SimRng) {
        let supply = self;
        match &disruption.effect {
            Effect::Capacity {
                suppliers,
                factor,
                cancel_orders,
            } => {
                for &j in suppliers {
                    supply.scale_capacity(j, spells, *factor, *cancel_orders);
                }
            }
            Effect::TransportDelay {
                suppliers,
                extra_days,
            } => {
                for spell in spells {
                    let extra = extra_days.sample(rng);
                    for &j in suppliers {
                        supply.delay_transport(j, *spell, extra);
                    }
                }
            }
            Effect::LeadTimeDrift { suppliers, factor } => {
                for &j in suppliers {
                    supply.scale_lead_time(j, spells, *factor);
                }
            }
            Effect::QualityRejection {
                suppliers,
                probability,
            } => {
                for &j in suppliers {
                    supply.raise_rejection(j, spells, *probability);
                }
            }
            Effect::DemandSurge { .. } => {}
        }
    }

    /// Room for the days of `suppliers` over a horizon of `horizon` days, allocated once and
    /// reused run after run; each supplier is readied for a run by [`SupplyPaths::reset`].
    pub fn new(suppliers: &'a [Supplier], horizon: usize) -> Self {
        let cells = suppliers.len() * horizon;
        SupplyPaths {
            suppliers,
            horizon,
            runs: vec![
                SupplierRun {
                    key: 0,
                    stamp: 1,
                    delays: Vec::new(),
                    dirty: Vec::new(),
                };
                suppliers.len()
            ],
            days: suppliers
                .iter()
                .flat_map(|s| {
                    std::iter::repeat_n(Self::normal_day(s.rejection_probability), horizon)
                })
                .collect(),
            drawn: (0..cells).map(|_| Cell::new(Drawn::default())).collect(),
        }
    }

    fn normal_day(rejection_probability: f64) -> Day {
        Day {
            capacity_factor: 1.0,
            cancel: false,
            lead_time_factor: 1.0,
            rejection_probability,
            disrupted: false,
        }
    }

    fn range(&self, index: usize) -> std::ops::Range<usize> {
        index * self.horizon..(index + 1) * self.horizon
    }

    /// Start a new run for supplier `index`: a fresh lead-time stream, no disruptions.
    pub fn reset(&mut self, index: usize, rng: &mut SimRng) {
        let range = self.range(index);
        let run = &mut self.runs[index];
        run.key = rng.next_u64();
        run.delays.clear();
        let normal = Self::normal_day(self.suppliers[index].rejection_probability);
        let days = &mut self.days[range.clone()];
        for spell in run.dirty.drain(..) {
            days[spell.start..spell.end].fill(normal);
        }
        run.stamp = run.stamp.wrapping_add(1);
        if run.stamp == 0 {
            // After 2³² runs the stamps wrap: start the cells afresh.
            for cell in &self.drawn[range] {
                cell.set(Drawn::default());
            }
            run.stamp = 1;
        }
    }

    fn days_of(&mut self, index: usize, spell: Spell) -> &mut [Day] {
        let range = self.range(index);
        self.runs[index].dirty.push(spell);
        &mut self.days[range][spell.start..spell.end]
    }

    /// Multiply supplier `index`'s capacity during `spells`; with `cancel`, waiting orders are
    /// cancelled on days it ships nothing.
    pub(crate) fn scale_capacity(
        &mut self,
        index: usize,
        spells: &[Spell],
        factor: f64,
        cancel: bool,
    ) {
        let reduces = factor < 1.0;
        for &spell in spells {
            let days = self.days_of(index, spell);
            for day in days.iter_mut() {
                day.capacity_factor *= factor;
            }
            if cancel {
                for day in days.iter_mut() {
                    day.cancel |= day.capacity_factor == 0.0;
                }
            }
            if reduces {
                for day in days.iter_mut() {
                    day.disrupted = true;
                }
            }
        }
    }

    /// Shipments of supplier `index` in transit during `spell` take `extra` more days.
    pub(crate) fn delay_transport(&mut self, index: usize, spell: Spell, extra: u32) {
        if spell.start < spell.end {
            self.runs[index].delays.push((spell, extra));
        }
        for day in self.days_of(index, spell) {
            day.disrupted = true;
        }
    }

    /// Multiply supplier `index`'s lead times for shipments dispatched during `spells`.
    pub(crate) fn scale_lead_time(&mut self, index: usize, spells: &[Spell], factor: f64) {
        for &spell in spells {
            for day in self.days_of(index, spell) {
                day.lead_time_factor *= factor;
                day.disrupted |= factor != 1.0;
            }
        }
    }

    /// Raise supplier `index`'s rejection probability to at least `probability` during `spells`.
    pub(crate) fn raise_rejection(&mut self, index: usize, spells: &[Spell], probability: f64) {
        for &spell in spells {
            for day in self.days_of(index, spell) {
                day.rejection_probability = day.rejection_probability.max(probability);
            }
        }
    }

    /// Days of the run on which supplier `index` runs below full capacity.
    ///
    /// Only days in the stretches disruptions changed can be disrupted, so only those are
    /// looked at. A day in several overlapping stretches (events of different disruptions)
    /// counts once, in the first; the stretches of a single disruption come in order and never
    /// overlap.
    pub(crate) fn disrupted_days(&self, index: usize, measured: std::ops::Range<usize>) -> usize {
        let days = &self.days[self.range(index)];
        let dirty = &self.runs[index].dirty;
        let disjoint = dirty.windows(2).all(|w| w[0].end <= w[1].start);
        let mut count = 0;
        for (k, spell) in dirty.iter().enumerate() {
            let from = spell.start.max(measured.start);
            let to = spell.end.min(measured.end).max(from);
            count += if disjoint {
                days[from..to].iter().filter(|d| d.disrupted).count()
            } else {
                let earlier = &dirty[..k];
                (from..to)
                    .filter(|&t| {
                        days[t].disrupted && !earlier.iter().any(|s| s.start <= t && t < s.end)
                    })
                    .count()
            };
        }
        count
    }

    /// Supplier number `index`'s days in the current run.
    pub fn supplier(&self, index: usize) -> SupplierDays<'_> {
        let range = self.range(index);
        SupplierDays {
            supplier: &self.suppliers[index],
            run: &self.runs[index],
            days: &self.days[range.clone()],
            drawn: &self.drawn[range],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::days::{DayDistribution, DaysSpec};
    use crate::foundation::rng::{Stream, rng_for};
    use crate::model::supply::tests::supplier;

    #[test]
    fn lead_times_do_not_depend_on_the_order_they_are_asked_for() {
        let mut s = supplier(0.7);
        s.lead_time = DayDistribution::new(&DaysSpec::Uniform { min: 1, max: 7 }, 1);
        let suppliers = [s];
        let mut forward = SupplyPaths::new(&suppliers, 100);
        let mut backward = SupplyPaths::new(&suppliers, 100);
        forward.reset(0, &mut rng_for(3, 4, Stream::Supplier(0)));
        backward.reset(0, &mut rng_for(3, 4, Stream::Supplier(0)));
        let f: Vec<u32> = (0..100)
            .map(|t| forward.supplier(0).shipment(t).lead_time)
            .collect();
        let mut b: Vec<u32> = (0..100)
            .rev()
            .map(|t| backward.supplier(0).shipment(t).lead_time)
            .collect();
        b.reverse();
        assert_eq!(f, b);
        assert!(f.iter().any(|&l| l != f[0]), "lead times vary");
    }

    #[test]
    fn a_shipment_takes_the_longest_delay_it_meets_in_transit() {
        let mut s = supplier(1.0);
        s.lead_time = DayDistribution::new(&DaysSpec::Fixed(6), 1);
        let suppliers = [s];
        let horizon = 60;
        let mut paths = SupplyPaths::new(&suppliers, horizon);
        paths.reset(0, &mut rng_for(1, 0, Stream::Supplier(0)));
        // Overlapping and separate events, one running to the horizon, and an empty one.
        let events = [
            (10, 15, 4),
            (13, 20, 2),
            (30, 31, 7),
            (55, 60, 1),
            (40, 40, 9),
        ];
        for (start, end, extra) in events {
            paths.delay_transport(0, Spell { start, end }, extra);
        }
        let days = paths.supplier(0);
        for t in 0..horizon {
            // Day by day: the largest extra of any event active on a day in transit.
            let in_transit = t..(t + 6).min(horizon);
            let expected = in_transit
                .flat_map(|d| events.iter().filter(move |e| e.0 <= d && d < e.1))
                .map(|e| e.2)
                .max()
                .unwrap_or(0);
            assert_eq!(
                days.shipment(t).lead_time,
                6 + expected,
                "dispatched on day {t}"
            );
        }
    }

    #[test]
    fn disrupted_days_count_each_day_once_however_events_overlap() {
        let suppliers = [supplier(1.0)];
        let horizon = 50;
        let mut paths = SupplyPaths::new(&suppliers, horizon);
        for run in 0..2 {
            paths.reset(0, &mut rng_for(1, run, Stream::Supplier(0)));
            let spell = |start, end| Spell { start, end };
            paths.scale_capacity(0, &[spell(5, 15), spell(12, 20)], 0.5, false);
            paths.delay_transport(0, spell(18, 25 + run as usize), 2);
            // Raising rejections changes the days without disrupting them.
            paths.raise_rejection(0, &[spell(30, 40)], 0.2);
            paths.scale_capacity(0, &[spell(38, 45)], 1.0, false);
            for measured in [0..horizon, 10..20, 22..42] {
                let brute = paths.days[measured.clone()]
                    .iter()
                    .filter(|d| d.disrupted)
                    .count();
                assert_eq!(
                    paths.disrupted_days(0, measured.clone()),
                    brute,
                    "{measured:?}"
                );
            }
        }
        assert_eq!(paths.disrupted_days(0, 0..horizon), 21);
        // The events of one disruption: in order, apart.
        paths.reset(0, &mut rng_for(1, 2, Stream::Supplier(0)));
        let events = [Spell { start: 3, end: 9 }, Spell { start: 9, end: 12 }];
        paths.scale_capacity(0, &events, 0.0, true);
        paths.scale_capacity(0, &[Spell { start: 20, end: 30 }], 1.0, false);
        assert_eq!(paths.disrupted_days(0, 0..horizon), 9);
        assert_eq!(paths.disrupted_days(0, 5..10), 5);
    }

    #[test]
    fn late_share_matches_probability() {
        let s = supplier(0.8);
        let horizon = 20_000;
        let suppliers = [s];
        let mut paths = SupplyPaths::new(&suppliers, horizon);
        paths.reset(0, &mut rng_for(3, 0, Stream::Supplier(0)));
        let days = paths.supplier(0);
        let late = (0..horizon)
            .filter(|&t| days.shipment(t).lead_time == 5)
            .count() as f64
            / horizon as f64;
        // Binomial standard error of a share of 0.2 over 20,000 days is 0.0028.
        assert!((late - 0.2).abs() < 4.0 * 0.0028, "late share {late}");
        assert!((0..horizon).all(|t| days.quoted(t) == 3));
    }
}
