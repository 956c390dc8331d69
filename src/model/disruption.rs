//! Disruptions: when something goes wrong, and what it does.
//!
//! A disruption is an [`Occurrence`] (the days it is active) paired with an [`Effect`] (what it
//! changes while active). Each disruption draws from its own random stream, so its timing is the
//! same for every policy of a run. Adding a kind of disruption means a new `Effect` variant and
//! the match arms in `Disruption::describe`, `Item::is_reached_by` (scenario) and
//! `SupplyPaths::apply` (simulation);
//! occurrences are shared by all kinds.

use crate::foundation::date::Calendar;
use crate::foundation::days::DayDistribution;
use crate::foundation::format::group_thousands;
use crate::foundation::rng::{SimRng, unit_f64};
use crate::model::limits::MAX_MEAN_SPELL_DAYS;
use crate::model::supply::Supplier;

/// A validated disruption.
#[derive(Clone, Debug)]
pub struct Disruption {
    /// The disruption's unique name in the scenario.
    pub id: String,
    /// The kind the scenario named, for reports (outages, capacity cuts and regional events
    /// share one effect, [`Effect::Capacity`]).
    pub kind: Kind,
    /// What it changes while active.
    pub effect: Effect,
    /// When it is active.
    pub occurrence: Occurrence,
}

/// The kind of disruption as the scenario named it, for reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A supplier, or every supplier of a region, ships nothing.
    SupplierOutage,
    /// A partial outage: a supplier's daily capacity is multiplied by a factor from 0 to 1.
    CapacityCut,
    /// Every supplier of a region is out at once, or cut to a share of its capacity.
    RegionalEvent,
    /// Shipments dispatched or in transit during the event arrive later.
    TransportDelay,
    /// Lead times of shipments dispatched during the event are stretched by a factor.
    LeadTimeDrift,
    /// More shipments than usual fail receiving inspection.
    QualityRejection,
    /// Demand of some items is multiplied by a factor.
    DemandSurge,
}

impl Kind {
    /// The kind's name as written in a scenario file and in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            Kind::SupplierOutage => "supplier_outage",
            Kind::CapacityCut => "capacity_cut",
            Kind::RegionalEvent => "regional_event",
            Kind::TransportDelay => "transport_delay",
            Kind::LeadTimeDrift => "lead_time_drift",
            Kind::QualityRejection => "quality_rejection",
            Kind::DemandSurge => "demand_surge",
        }
    }

    /// Whether it acts on suppliers (as opposed to demand).
    pub(crate) fn is_supply_side(self) -> bool {
        self != Kind::DemandSurge
    }
}

/// What a disruption does while it is active.
#[derive(Clone, Debug)]
pub enum Effect {
    /// Capacity of these suppliers multiplied by `factor` (0: an outage, nothing ships).
    /// With `cancel_orders`, orders waiting at a supplier while it is out are cancelled.
    Capacity {
        /// Indices of the suppliers hit, in the scenario's supplier list.
        suppliers: Vec<usize>,
        /// Share (0–1) of normal daily capacity left.
        factor: f64,
        /// Whether orders waiting at a supplier are cancelled while it ships nothing.
        cancel_orders: bool,
    },
    /// Shipments from these suppliers that are dispatched or in transit during the event
    /// arrive this many days later (drawn once per event).
    TransportDelay {
        /// Indices of the suppliers hit, in the scenario's supplier list.
        suppliers: Vec<usize>,
        /// Days added to the transit of each shipment the event meets; where events overlap,
        /// the longest delay counts.
        extra_days: DayDistribution,
    },
    /// Lead times of shipments dispatched during the event multiplied by `factor`.
    LeadTimeDrift {
        /// Indices of the suppliers hit, in the scenario's supplier list.
        suppliers: Vec<usize>,
        /// Multiplier of the lead time (the result rounded to whole days, at least 1).
        factor: f64,
    },
    /// Shipments dispatched during the event are rejected at receiving with this probability
    /// (instead of the supplier's usual rate, if higher).
    QualityRejection {
        /// Indices of the suppliers hit, in the scenario's supplier list.
        suppliers: Vec<usize>,
        /// Chance (0–1) that a shipment is rejected at receiving.
        probability: f64,
    },
    /// Demand of these items multiplied by a factor drawn once per event.
    DemandSurge {
        /// Indices of the items hit, in the scenario's item list (every item when the
        /// scenario names none).
        items: Vec<usize>,
        /// Multiplier of daily demand while the event lasts.
        factor: Factor,
    },
}

/// A multiplier, fixed or drawn once per event.
#[derive(Clone, Debug, PartialEq)]
pub enum Factor {
    /// The same multiplier for every event.
    Fixed(f64),
    /// Drawn uniformly between `min` and `max`.
    Uniform {
        /// Smallest multiplier.
        min: f64,
        /// Largest multiplier.
        max: f64,
    },
    /// Drawn from a triangular distribution.
    Triangular {
        /// Smallest multiplier.
        min: f64,
        /// Most likely multiplier.
        mode: f64,
        /// Largest multiplier.
        max: f64,
    },
}

impl Factor {
    /// One event's multiplier, drawn by inversion (one uniform draw, none when fixed).
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match *self {
            Factor::Fixed(f) => f,
            Factor::Uniform { min, max } => min + (max - min) * unit_f64(rng),
            Factor::Triangular { min, mode, max } => {
                // Inversion of the triangular CDF.
                let u = unit_f64(rng);
                let split = (mode - min) / (max - min);
                if u < split {
                    min + (u * (max - min) * (mode - min)).sqrt()
                } else {
                    max - ((1.0 - u) * (max - min) * (max - mode)).sqrt()
                }
            }
        }
    }

    /// Mean multiplier over events.
    pub fn mean(&self) -> f64 {
        match *self {
            Factor::Fixed(f) => f,
            Factor::Uniform { min, max } => (min + max) / 2.0,
            Factor::Triangular { min, mode, max } => (min + mode + max) / 3.0,
        }
    }
}

/// When a disruption is active. Days are counted from 0, the first simulated day.
#[derive(Clone, Debug)]
pub enum Occurrence {
    /// Events start at random, `rate_per_year` on average (a Bernoulli trial on each day that
    /// is not already disrupted, with probability rate / 365), and last a random number of days.
    Random {
        /// Mean number of events started per year (365 days), at most 365.
        rate_per_year: f64,
        /// Days each event lasts.
        duration: DayDistribution,
    },
    /// A two-state chain: on each day an active disruption ends with probability `recover`, and
    /// an inactive one starts with probability `fail`. Runs start in the inactive state.
    Markov {
        /// Daily chance (0–1) that an inactive disruption starts (mean days up = 1 / fail).
        fail: f64,
        /// Daily chance (above 0, at most 1) that an active disruption ends (mean days down =
        /// 1 / recover).
        recover: f64,
    },
    /// Active from `start_day` for `duration_days`, repeated every `repeat_every_days` if set.
    Scheduled {
        /// First active day (0 = the first simulated day).
        start_day: u32,
        /// Days each event lasts.
        duration_days: u32,
        /// Days from the start of one event to the start of the next, at least the duration;
        /// `None` for a single event.
        repeat_every_days: Option<u32>,
    },
}

/// One event: active on days `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spell {
    /// First active day (0 = the first simulated day).
    pub start: usize,
    /// Day after the last active day.
    pub end: usize,
}

impl Occurrence {
    /// The events of one run over `horizon` days, in order. Random and Markov occurrences
    /// are drawn as alternating spells rather than day by day: the number of days until a daily
    /// trial with probability p first succeeds is geometric, so one draw per spell gives
    /// exactly the same process as one draw per day, far cheaper.
    pub fn spells(&self, rng: &mut SimRng, horizon: usize, out: &mut Vec<Spell>) {
        out.clear();
        match self {
            Occurrence::Random {
                rate_per_year,
                duration,
            } => {
                let quiet = WaitForSuccess::new(rate_per_year / 365.0, horizon);
                let mut day = 0;
                while day < horizon {
                    // Quiet days before the next event starts (0 if it starts today).
                    let start = (day + quiet.draw(rng)).min(horizon);
                    if start >= horizon {
                        break;
                    }
                    let end = (start + duration.sample(rng) as usize).min(horizon);
                    out.push(Spell { start, end });
                    day = end;
                }
            }
            Occurrence::Markov { fail, recover } => {
                let (up, down) = (
                    WaitForSuccess::new(*fail, horizon),
                    WaitForSuccess::new(*recover, horizon),
                );
                // Runs start up; day 0 is already a transition, so the first up spell may be empty.
                let mut start = up.draw(rng).min(horizon);
                while start < horizon {
                    let end = (start + 1 + down.draw(rng)).min(horizon);
                    out.push(Spell { start, end });
                    start = (end + 1 + up.draw(rng)).min(horizon);
                }
            }
            Occurrence::Scheduled { .. } => self.push_scheduled(horizon, out),
        }
    }

    /// The events of a scheduled occurrence over `horizon` days (the same in every run);
    /// none for random and Markov occurrences.
    pub(crate) fn scheduled_spells(&self, horizon: usize) -> Vec<Spell> {
        let mut out = Vec::new();
        self.push_scheduled(horizon, &mut out);
        out
    }

    fn push_scheduled(&self, horizon: usize, out: &mut Vec<Spell>) {
        if let Occurrence::Scheduled {
            start_day,
            duration_days,
            repeat_every_days,
        } = self
        {
            let mut start = *start_day as usize;
            while start < horizon {
                out.push(Spell {
                    start,
                    end: (start + *duration_days as usize).min(horizon),
                });
                match repeat_every_days {
                    Some(every) => start += *every as usize,
                    None => break,
                }
            }
        }
    }

    /// Mark the active days of one run in `active` (one entry per day of the horizon); the
    /// tests read occurrences through it.
    #[cfg(test)]
    pub(crate) fn fill_active(&self, rng: &mut SimRng, active: &mut [bool]) {
        let mut spells = Vec::new();
        self.spells(rng, active.len(), &mut spells);
        active.fill(false);
        for s in spells {
            active[s.start..s.end].fill(true);
        }
    }

    /// Long-run share of days active, where it has a closed form (used in documentation and
    /// tests); `None` for schedules.
    pub(crate) fn steady_state_share(&self) -> Option<f64> {
        match self {
            // A chain that never fails is never active (and its share would be `-0` for a
            // failure probability written as `-0`).
            Occurrence::Markov { fail, .. } if *fail <= 0.0 => Some(0.0),
            Occurrence::Markov { fail, recover } => Some(fail / (fail + recover)),
            Occurrence::Random {
                rate_per_year,
                duration,
            } => {
                let p = rate_per_year / 365.0;
                // Each cycle: a geometric idle spell (mean (1 − p)/p days), then an event.
                Some(duration.mean() / (duration.mean() + (1.0 - p) / p))
            }
            Occurrence::Scheduled { .. } => None,
        }
    }
}

/// The number of failed daily trials before the first success, each succeeding with
/// probability `p` (a geometric variable on 0, 1, 2, …), drawn by inversion and capped at `cap`
/// (a horizon), which also covers p = 0. The logarithm of 1 − p is taken once for all the
/// draws of a run.
#[derive(Clone, Copy, Debug)]
struct WaitForSuccess {
    p: f64,
    ln_miss: f64,
    cap: usize,
}

impl WaitForSuccess {
    fn new(p: f64, cap: usize) -> Self {
        WaitForSuccess {
            p,
            // Unused where p ≥ 1 (no wait) or p ≤ 0 (the cap).
            ln_miss: (1.0 - p).ln(),
            cap,
        }
    }

    fn draw(&self, rng: &mut SimRng) -> usize {
        if self.p >= 1.0 {
            return 0;
        }
        if self.p <= 0.0 {
            return self.cap;
        }
        // 1 − u lies in (0, 1], so its logarithm is finite.
        let u = 1.0 - unit_f64(rng);
        let k = (u.ln() / self.ln_miss).min(self.cap as f64);
        k as usize
    }
}

impl Disruption {
    /// One line for people: what it hits and when (with the date a scheduled one starts on,
    /// when the runs on `calendar` have dates).
    pub(crate) fn describe(
        &self,
        suppliers: &[Supplier],
        items: &[String],
        calendar: Calendar,
    ) -> String {
        let names = |ids: &[usize]| -> String {
            ids.iter()
                .map(|&i| format!("'{}'", suppliers[i].id))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let what = match &self.effect {
            Effect::Capacity {
                suppliers: s,
                factor,
                cancel_orders,
            } => {
                let cancel = if *cancel_orders {
                    ", waiting orders cancelled"
                } else {
                    ""
                };
                if *factor == 0.0 {
                    format!(
                        "{} of {}{cancel}",
                        self.kind.name().replace('_', " "),
                        names(s)
                    )
                } else {
                    format!("capacity of {} × {factor}{cancel}", names(s))
                }
            }
            Effect::TransportDelay {
                suppliers: s,
                extra_days,
            } => {
                format!(
                    "shipments from {} delayed {:.1} days on average",
                    names(s),
                    extra_days.mean()
                )
            }
            Effect::LeadTimeDrift {
                suppliers: s,
                factor,
            } => format!("lead times of {} × {factor}", names(s)),
            Effect::QualityRejection {
                suppliers: s,
                probability,
            } => {
                format!(
                    "{:.0}% of shipments from {} rejected",
                    100.0 * probability,
                    names(s)
                )
            }
            Effect::DemandSurge {
                items: targets,
                factor,
            } => {
                let which = if targets.len() == items.len() {
                    "every item".to_string()
                } else {
                    targets
                        .iter()
                        .map(|&i| format!("'{}'", items[i]))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("demand of {which} × {:.2} on average", factor.mean())
            }
        };
        let when = match &self.occurrence {
            Occurrence::Random {
                rate_per_year,
                duration,
            } => format!(
                "at random, {rate_per_year} a year, lasting {:.1} days on average",
                duration.mean()
            ),
            // Its mean days up, 1 / 0, would read "inf".
            Occurrence::Markov { fail, .. } if *fail <= 0.0 => {
                "two-state chain that never starts (its daily failure probability is 0)".to_string()
            }
            Occurrence::Markov { fail, recover } => format!(
                "two-state chain, {} days up and {} days down on average",
                mean_spell_days(*fail),
                mean_spell_days(*recover)
            ),
            Occurrence::Scheduled {
                start_day,
                duration_days,
                repeat_every_days,
            } => {
                let repeat =
                    repeat_every_days.map_or_else(String::new, |r| format!(", every {r} days"));
                let date = calendar
                    .date(*start_day)
                    .map_or_else(String::new, |date| format!(" ({date})"));
                format!("scheduled from day {start_day}{date} for {duration_days} days{repeat}")
            }
        };
        let share = self.steady_state_share().map_or_else(String::new, |s| {
            format!("; active {:.1}% of days in the long run", 100.0 * s)
        });
        format!("{what}, {when}{share}")
    }

    /// Long-run share of days this disruption is active, where it has a closed form.
    pub(crate) fn steady_state_share(&self) -> Option<f64> {
        self.occurrence.steady_state_share()
    }

    /// Demand multipliers of one run for a demand surge: `factors[t]` for every day.
    pub(crate) fn surge_factors(&self, spells: &[Spell], rng: &mut SimRng, factors: &mut [f64]) {
        factors.fill(1.0);
        if let Effect::DemandSurge { factor, .. } = &self.effect {
            for spell in spells {
                factors[spell.start..spell.end].fill(factor.sample(rng));
            }
        }
    }
}

/// The mean length of a spell that ends with daily probability `p` (1 / p), as `describe`
/// writes it. Beyond the longest mean spell the scenario format takes it says so instead:
/// such a spell outlasts any horizon, and for the smallest probabilities 1 / p overflows to
/// infinity.
fn mean_spell_days(p: f64) -> String {
    let days = 1.0 / p;
    if days > MAX_MEAN_SPELL_DAYS {
        format!("more than {}", group_thousands(MAX_MEAN_SPELL_DAYS, 0))
    } else {
        format!("{days:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::days::DaysSpec;
    use crate::foundation::rng::{Stream, rng_for};

    fn share_active(occurrence: &Occurrence, days: usize) -> f64 {
        let mut active = vec![false; days];
        occurrence.fill_active(&mut rng_for(9, 0, Stream::Disruption(0)), &mut active);
        active.iter().filter(|&&a| a).count() as f64 / days as f64
    }

    #[test]
    fn scheduled_outage_covers_exact_days() {
        let o = Occurrence::Scheduled {
            start_day: 120,
            duration_days: 30,
            repeat_every_days: None,
        };
        let mut active = vec![false; 365];
        o.fill_active(&mut rng_for(1, 0, Stream::Disruption(0)), &mut active);
        assert!(active[120..150].iter().all(|&a| a));
        assert_eq!(active.iter().filter(|&&a| a).count(), 30);
        let o = Occurrence::Scheduled {
            start_day: 10,
            duration_days: 5,
            repeat_every_days: Some(100),
        };
        o.fill_active(&mut rng_for(1, 0, Stream::Disruption(0)), &mut active);
        assert_eq!(active.iter().filter(|&&a| a).count(), 20);
        assert!(active[310] && active[314] && !active[315]);
    }

    #[test]
    fn markov_chain_reaches_its_steady_state() {
        let o = Occurrence::Markov {
            fail: 0.01,
            recover: 0.1,
        };
        let share = share_active(&o, 2_000_000);
        let expected = o.steady_state_share().unwrap();
        // Spells are autocorrelated: ~2e6 days / (100 + 10 days per cycle) ≈ 18,000 cycles, so the
        // share's standard error is about 0.002; allow four of them.
        assert!(
            (share - expected).abs() < 0.008,
            "share {share}, expected {expected}"
        );
    }

    #[test]
    fn markov_spells_have_geometric_lengths() {
        // Mean down spell 1/recover = 10 days, mean up spell 1/fail = 100 days.
        let o = Occurrence::Markov {
            fail: 0.01,
            recover: 0.1,
        };
        let mut active = vec![false; 2_000_000];
        o.fill_active(&mut rng_for(4, 0, Stream::Disruption(0)), &mut active);
        let mut spells = [Vec::new(), Vec::new()];
        let mut len = 1;
        for w in active.windows(2) {
            if w[0] == w[1] {
                len += 1;
            } else {
                spells[usize::from(w[0])].push(len as f64);
                len = 1;
            }
        }
        for (state, mean) in [(0, 100.0), (1, 10.0)] {
            let s = &spells[state];
            let m = s.iter().sum::<f64>() / s.len() as f64;
            // Geometric sd ≈ mean; four standard errors.
            assert!(
                (m - mean).abs() < 4.0 * mean / (s.len() as f64).sqrt(),
                "state {state}: {m}"
            );
        }
    }

    #[test]
    fn random_events_have_the_stated_rate_and_length() {
        let duration = DayDistribution::new(&DaysSpec::Fixed(10), 1);
        let o = Occurrence::Random {
            rate_per_year: 3.0,
            duration,
        };
        let share = share_active(&o, 3_650_000);
        let expected = o.steady_state_share().unwrap();
        assert!(
            (share - expected).abs() < 0.004,
            "share {share}, expected {expected}"
        );
    }
}
