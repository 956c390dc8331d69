//! Criticality × fragility: how much a stockout of an item would hurt (impact) and how likely
//! its supply is to fail it (fragility), each scored from documented facts, and what their
//! combination allows.
//!
//! The reference texts: "Rate each item on impact-of-stockout and supply fragility. The
//! combination, not either alone, tells you where buffers earn their keep." So a critical item
//! whose supplier is reliable, close and steady stays lean (sized for a higher service), and a
//! fragile supply is buffered where a stockout matters, not where it merely inconveniences.
//!
//! * **Impact** points: criticality high 3, medium (or not given) 1, low 0; class A (the
//!   items holding the first 80% of annual value) +1; a runner (among the items making the
//!   first half of the catalogue's units) +1. Low at 0, medium at 1–2, high from 3 — so a
//!   critical item is always of high impact, and an unmarked item is of high impact only when
//!   it is both an A item and a runner.
//! * **Fragility** points, per fact about the item's supply (the stable times of its
//!   suppliers, share-weighted): on time below 95% 3 (below 80% 4); mean lead time over 5 days
//!   3 (over 30 days 4); lead-time CV over 0.30 3; a supplier without delivery history 3; a
//!   single source 1; several sources all in one region 1; disrupted stretches observed in
//!   its suppliers' deliveries 1 (2 when at least one a year). Low up to 2, medium at 3–4, high
//!   from 5: a failed JIT prerequisite alone makes supply fragile, a single source with an
//!   occasional outage does not.
//!
//! | impact \ fragility | low | medium | high |
//! |---|---|---|---|
//! | low | JIT | JIT | buffer |
//! | medium | JIT | buffer | buffer |
//! | high | JIT at 99% service | buffer at 99% | buffer at 99% |

use std::fmt;

use super::input::Criticality;

/// On-time rate a lean supplier must reach, and the rate below which it counts double.
pub(crate) const JIT_MIN_ON_TIME: f64 = 0.95;
const POOR_ON_TIME: f64 = 0.80;
/// Longest mean lead time (days) for JIT, and a long-haul lead time.
pub(crate) const JIT_MAX_LEAD_DAYS: f64 = 5.0;
const LONG_HAUL_DAYS: f64 = 30.0;
/// Largest lead-time coefficient of variation for JIT.
pub(crate) const JIT_MAX_LEAD_CV: f64 = 0.30;
/// Share of the catalogue's units the runners make.
pub(crate) const RUNNER_SHARE: f64 = 0.50;

/// Points of a failed JIT prerequisite (on time, lead time, its spread, an unknown supplier).
const PREREQUISITE_POINTS: u32 = 3;

/// A level of impact or fragility.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Impact: a stockout merely inconveniences. Fragility: the supply rarely fails.
    Low,
    /// Between the two.
    Medium,
    /// Impact: a stockout stops operations or loses much value. Fragility: the supply fails
    /// in several ways.
    High,
}

impl Level {
    /// Every level, lowest first.
    pub(crate) const ALL: [Level; 3] = [Level::Low, Level::Medium, Level::High];

    /// `low`, `medium` or `high`.
    pub fn label(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A score: its level, its points and the facts that gave them.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The level the points reach.
    pub level: Level,
    /// The points of every fact that scored, added up.
    pub points: u32,
    /// One entry per fact that scored, "(points) fact".
    pub because: Vec<String>,
}

impl Score {
    fn new(factors: Vec<(u32, String)>, medium_from: u32, high_from: u32) -> Score {
        let points = factors.iter().map(|f| f.0).sum();
        let level = if points >= high_from {
            Level::High
        } else if points >= medium_from {
            Level::Medium
        } else {
            Level::Low
        };
        Score {
            level,
            points,
            because: factors
                .into_iter()
                .map(|(p, text)| format!("{text} +{p}"))
                .collect(),
        }
    }

    /// "high (7: critical +3, class A +1)".
    pub fn describe(&self) -> String {
        if self.because.is_empty() {
            format!("{} ({})", self.level, self.points)
        } else {
            format!(
                "{} ({}: {})",
                self.level,
                self.points,
                self.because.join(", ")
            )
        }
    }
}

/// What the impact of a stockout is scored on.
pub(crate) struct ImpactFacts {
    pub criticality: Criticality,
    pub criticality_given: bool,
    pub class_a: bool,
    pub runner: bool,
}

/// How much a stockout of the item would hurt.
pub(crate) fn impact(f: &ImpactFacts) -> Score {
    let mut factors = Vec::new();
    let label = if f.criticality_given {
        format!("criticality {}", f.criticality.label())
    } else {
        "criticality not given (medium)".into()
    };
    factors.push((
        match f.criticality {
            Criticality::High => 3,
            Criticality::Medium => 1,
            Criticality::Low => 0,
        },
        label,
    ));
    if f.class_a {
        factors.push((1, "class A".into()));
    }
    if f.runner {
        factors.push((
            1,
            format!(
                "a runner (among the items making {:.0}% of units)",
                RUNNER_SHARE * 100.0
            ),
        ));
    }
    factors.retain(|f| f.0 > 0);
    Score::new(factors, 1, 3)
}

/// One supplier of an item, as the posture sees it.
#[derive(Clone, Debug)]
pub struct SourceView {
    /// The supplier's id.
    pub supplier: String,
    /// Share 0–1 of the item's orders placed with this supplier.
    pub share: f64,
    /// The supplier's on-time rate: share 0–1 of deliveries received by the promised date.
    pub on_time: f64,
    /// The supplier's mean lead time, order to receipt, in days.
    pub lead_mean: f64,
    pub(crate) lead_sd: f64,
    pub(crate) rejection_rate: f64,
    /// False when there is no delivery history.
    pub(crate) observed: bool,
    /// The supplier's region, when the deliveries give one.
    pub(crate) region: Option<String>,
    /// Disrupted stretches found in its deliveries, and how many a year that is.
    pub(crate) stretches: usize,
    pub(crate) stretches_per_year: f64,
}

/// An item's supply: its suppliers and their share-weighted figures.
#[derive(Clone, Debug)]
pub struct SupplyView {
    pub(crate) sources: Vec<SourceView>,
    /// On-time rate weighted by the suppliers' shares (a share 0–1).
    pub on_time: f64,
    /// Mean lead time in days, weighted by the suppliers' shares.
    pub lead_mean: f64,
    pub(crate) lead_sd: f64,
}

impl SupplyView {
    /// Share-weighted on-time rate and the mean and sd of the lead-time mixture.
    pub fn new(sources: Vec<SourceView>) -> SupplyView {
        let total: f64 = sources.iter().map(|s| s.share).sum::<f64>().max(1e-12);
        let w = |s: &SourceView| s.share / total;
        let on_time = sources.iter().map(|s| w(s) * s.on_time).sum();
        let lead_mean: f64 = sources.iter().map(|s| w(s) * s.lead_mean).sum();
        let second: f64 = sources
            .iter()
            .map(|s| w(s) * (s.lead_sd.powi(2) + s.lead_mean.powi(2)))
            .sum();
        SupplyView {
            lead_sd: (second - lead_mean * lead_mean).max(0.0).sqrt(),
            sources,
            on_time,
            lead_mean,
        }
    }

    /// Every source has a delivery history.
    pub(crate) fn observed(&self) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|s| s.observed)
    }

    pub(crate) fn names(&self) -> String {
        self.sources
            .iter()
            .map(|s| s.supplier.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The sources without delivery history, "a, b".
    pub(crate) fn unobserved_names(&self) -> String {
        self.sources
            .iter()
            .filter(|s| !s.observed)
            .map(|s| s.supplier.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Coefficient of variation of the lead time.
    pub(crate) fn lead_cv(&self) -> f64 {
        self.lead_sd / self.lead_mean.max(1e-9)
    }

    /// The one region every source is in, when there are several sources and the deliveries
    /// name the same region for all of them.
    pub(crate) fn one_region(&self) -> Option<&str> {
        let first = self.sources.first()?.region.as_deref()?;
        (self.sources.len() > 1
            && self
                .sources
                .iter()
                .all(|s| s.region.as_deref() == Some(first)))
        .then_some(first)
    }

    /// Disrupted stretches of its sources a year, weighted by their shares.
    fn stretches_per_year(&self) -> f64 {
        let total: f64 = self.sources.iter().map(|s| s.share).sum::<f64>().max(1e-12);
        self.sources
            .iter()
            .map(|s| s.share / total * s.stretches_per_year)
            .sum()
    }
}

/// How likely the item's supply is to fail it.
pub(crate) fn fragility(supply: &SupplyView) -> Score {
    let mut factors: Vec<(u32, String)> = Vec::new();
    if !supply.observed() {
        factors.push((
            PREREQUISITE_POINTS,
            format!("no delivery history for {}", supply.unobserved_names()),
        ));
    } else {
        let on_time = supply.on_time;
        if on_time < POOR_ON_TIME {
            factors.push((
                PREREQUISITE_POINTS + 1,
                format!("on time {} (< {})", pct(on_time), pct(POOR_ON_TIME)),
            ));
        } else if on_time < JIT_MIN_ON_TIME {
            factors.push((
                PREREQUISITE_POINTS,
                format!("on time {} (< {})", pct(on_time), pct(JIT_MIN_ON_TIME)),
            ));
        }
        let lead = supply.lead_mean;
        if lead > LONG_HAUL_DAYS {
            factors.push((
                PREREQUISITE_POINTS + 1,
                format!("lead time {lead:.1} days (> {LONG_HAUL_DAYS:.0})"),
            ));
        } else if lead > JIT_MAX_LEAD_DAYS {
            factors.push((
                PREREQUISITE_POINTS,
                format!("lead time {lead:.1} days (> {JIT_MAX_LEAD_DAYS:.0})"),
            ));
        }
        if supply.lead_cv() > JIT_MAX_LEAD_CV {
            factors.push((
                PREREQUISITE_POINTS,
                format!(
                    "lead-time CV {:.2} (> {JIT_MAX_LEAD_CV:.2})",
                    supply.lead_cv()
                ),
            ));
        }
        let rate = supply.stretches_per_year();
        let stretches: usize = supply.sources.iter().map(|s| s.stretches).sum();
        if stretches > 0 {
            factors.push((
                if rate >= 1.0 { 2 } else { 1 },
                format!(
                    "{stretches} disrupted stretch{} observed ({rate:.1} a year)",
                    if stretches == 1 { "" } else { "es" }
                ),
            ));
        }
    }
    if supply.sources.len() == 1 {
        factors.push((1, "single source".into()));
    }
    if let Some(region) = supply.one_region() {
        factors.push((1, format!("every source in region {region}")));
    }
    Score::new(factors, 3, 5)
}

/// What the combination of impact and fragility allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Lean supply, sized for the usual service.
    Lean,
    /// Lean supply, sized for the higher service of a high-impact item.
    LeanHighService,
    /// A deliberate buffer.
    Buffer,
}

/// The matrix of the module's documentation.
pub(crate) fn verdict(impact: Level, fragility: Level) -> Verdict {
    match (impact, fragility) {
        (Level::High, Level::Low) => Verdict::LeanHighService,
        (_, Level::High) | (Level::Medium | Level::High, Level::Medium) => Verdict::Buffer,
        _ => Verdict::Lean,
    }
}

/// Runners: the items, ranked by mean daily units, while the units of the items ranked above
/// make less than [`RUNNER_SHARE`] of the catalogue's (so the item that crosses the line is
/// one).
pub(crate) fn runners(units: &[f64]) -> Vec<bool> {
    let total: f64 = units.iter().filter(|u| u.is_finite()).sum();
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| units[b].total_cmp(&units[a]).then(a.cmp(&b)));
    let mut out = vec![false; units.len()];
    let mut above = 0.0;
    for i in order {
        out[i] = total > 0.0 && units[i] > 0.0 && above / total < RUNNER_SHARE - 1e-12;
        above += units[i];
    }
    out
}

pub(crate) fn pct(x: f64) -> String {
    let p = x * 100.0;
    if (p - p.round()).abs() < 0.05 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(on_time: f64, lead: f64, sd: f64) -> SourceView {
        SourceView {
            supplier: "s".into(),
            share: 1.0,
            on_time,
            lead_mean: lead,
            lead_sd: sd,
            rejection_rate: 0.0,
            observed: true,
            region: None,
            stretches: 0,
            stretches_per_year: 0.0,
        }
    }

    #[test]
    fn supply_mixture_has_the_right_moments() {
        let s = |share, mean| SourceView {
            share,
            on_time: 0.9,
            ..source(0.9, mean, 1.0)
        };
        let view = SupplyView::new(vec![s(0.5, 2.0), s(0.5, 4.0)]);
        assert!((view.lead_mean - 3.0).abs() < 1e-12);
        assert!((view.lead_sd - 2f64.sqrt()).abs() < 1e-12);
        assert!((view.on_time - 0.9).abs() < 1e-12);
    }

    #[test]
    fn impact_points_add_up() {
        let f = |criticality, given, class_a, runner| {
            let s = impact(&ImpactFacts {
                criticality,
                criticality_given: given,
                class_a,
                runner,
            });
            (s.points, s.level)
        };
        use Criticality::*;
        assert_eq!(f(High, true, false, false), (3, Level::High));
        assert_eq!(f(Medium, false, true, true), (3, Level::High));
        assert_eq!(f(Medium, false, true, false), (2, Level::Medium));
        assert_eq!(f(Medium, true, false, false), (1, Level::Medium));
        assert_eq!(f(Low, true, true, false), (1, Level::Medium));
        assert_eq!(f(Low, true, false, false), (0, Level::Low));
    }

    #[test]
    fn fragility_points_add_up() {
        let one = |s: SourceView| fragility(&SupplyView::new(vec![s]));
        // Reliable, close and steady, single source: 1 point, low.
        let good = one(source(0.97, 2.0, 0.3));
        assert_eq!((good.points, good.level), (1, Level::Low));
        assert_eq!(good.because, ["single source +1"]);
        // One outage in the history: still low.
        let outage = one(SourceView {
            stretches: 1,
            stretches_per_year: 0.5,
            ..source(0.97, 2.0, 0.3)
        });
        assert_eq!((outage.points, outage.level), (2, Level::Low));
        // An outage a year on a single source: medium.
        let yearly = one(SourceView {
            stretches: 2,
            stretches_per_year: 1.0,
            ..source(0.97, 2.0, 0.3)
        });
        assert_eq!((yearly.points, yearly.level), (3, Level::Medium));
        // A failed prerequisite alone (two sources): medium; two failures: high.
        let two = |on_time, lead, sd| {
            fragility(&SupplyView::new(vec![
                SourceView {
                    share: 0.5,
                    ..source(on_time, lead, sd)
                },
                SourceView {
                    share: 0.5,
                    supplier: "t".into(),
                    ..source(on_time, lead, sd)
                },
            ]))
        };
        let late = two(0.90, 2.0, 0.3);
        assert_eq!((late.points, late.level), (3, Level::Medium));
        let far_and_late = two(0.90, 8.0, 1.0);
        assert_eq!((far_and_late.points, far_and_late.level), (6, Level::High));
        let poor = two(0.70, 2.0, 0.3);
        assert_eq!(poor.points, 4);
        // Two sources in one region.
        let regional = fragility(&SupplyView::new(vec![
            SourceView {
                share: 0.5,
                region: Some("asia".into()),
                ..source(0.97, 2.0, 0.3)
            },
            SourceView {
                share: 0.5,
                region: Some("asia".into()),
                ..source(0.97, 2.0, 0.3)
            },
        ]));
        assert_eq!(regional.because, ["every source in region asia +1"]);
        // No delivery history.
        let unseen = one(SourceView {
            observed: false,
            ..source(1.0, 3.0, 0.0)
        });
        assert_eq!((unseen.points, unseen.level), (4, Level::Medium));
    }

    #[test]
    fn the_combination_decides_not_either_alone() {
        use Level::*;
        assert_eq!(verdict(High, Low), Verdict::LeanHighService);
        assert_eq!(verdict(High, Medium), Verdict::Buffer);
        assert_eq!(verdict(Medium, Low), Verdict::Lean);
        assert_eq!(verdict(Medium, Medium), Verdict::Buffer);
        assert_eq!(verdict(Low, Medium), Verdict::Lean);
        assert_eq!(verdict(Low, High), Verdict::Buffer);
    }

    #[test]
    fn runners_make_half_the_units() {
        // 50, 25, 15, 10: the first item alone is under 50% above it (0), the second has 50%
        // above it.
        assert_eq!(
            runners(&[15.0, 50.0, 10.0, 25.0]),
            [false, true, false, false]
        );
        assert_eq!(runners(&[30.0, 30.0, 40.0]), [true, false, true]);
        assert_eq!(runners(&[0.0, 0.0]), [false, false]);
    }
}
