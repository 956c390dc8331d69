//! ABC-XYZ segmentation and the recommended posture of each item, with its reasons.
//!
//! * ABC by annual value (mean daily demand × 365 × unit cost): items are ranked by value and
//!   an item is A while the value share of the items ranked above it is below the A cut-off
//!   (default 80%), B while it is below A + B (default 95%), C otherwise.
//! * XYZ by the coefficient of variation of daily demand: X below 0.5, Y below 1.0, Z from 1.0.
//! * Posture, following the reference texts ("keep JIT where it is safe"): a strongly seasonal
//!   item gets a seasonal pre-build (hybrid); otherwise a decisive reason of value or demand
//!   against lean supply (class C, Z or lumpy demand) makes it just-in-case (reorder point with
//!   safety stock for a service level), and so does the combination of the impact of a
//!   stockout with the fragility of its supply ([`super::risk`]): a medium-impact item on a
//!   fragile supply, any item on a very fragile one. The rest are just-in-time — sized for 99%
//!   service when a stockout's impact is high — kanban for X items whose loop needs a safety
//!   factor of at most 0.5, a tight min-max for the others. A mild seasonality, a trend,
//!   rejections and shelf life are listed but do not decide on their own.

use std::fmt;
use std::str::FromStr;

use super::demand_fit::{DemandProfile, FittedForm, day_weighted_mean, short};
use super::input::Criticality;
use super::risk::{
    self, ImpactFacts, JIT_MAX_LEAD_CV, JIT_MAX_LEAD_DAYS, JIT_MIN_ON_TIME, Level, Score,
    SupplyView, Verdict, pct,
};
use crate::foundation::math::norm_ppf;
/// Share of periods without demand from which demand counts as lumpy.
pub(crate) const LUMPY_ZERO_SHARE: f64 = 0.30;
/// Shelf life (days) up to which a buffer risks spoiling.
pub(crate) const SHORT_SHELF_LIFE_DAYS: f64 = 30.0;
/// Share of units rejected from which rejections are worth a mention.
pub(crate) const NOTABLE_REJECTION_RATE: f64 = 0.02;
/// Cycle service level of any rule of an item whose stockout has a high impact (others are
/// sized for [`JIT_SERVICE_LEVEL`]).
pub(crate) const HIGH_IMPACT_SERVICE_LEVEL: f64 = 0.99;
/// Kanban safety factors are kept within the 0.1–0.5 the reference texts give for JIT loops;
/// an item that needs more is better served by a min-max rule.
pub(crate) const MIN_KANBAN_SAFETY_FACTOR: f64 = 0.1;
pub(crate) const MAX_KANBAN_SAFETY_FACTOR: f64 = 0.5;
/// Annual carrying cost as a share of unit value: the simulator's default, which the written
/// scenario keeps.
pub(crate) const CARRYING_RATE: f64 = 0.25;
/// Service level that sizes the safety stock of a JIT min-max rule and of a kanban loop's
/// safety factor.
pub(crate) const JIT_SERVICE_LEVEL: f64 = 0.95;

/// ABC cut-offs: the value share of class A and of class B (C has the rest).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AbcCuts {
    /// Share 0–1 of annual value held by class A (default 0.80): an item is A while the items
    /// ranked above it hold less than this.
    pub a: f64,
    /// Share 0–1 of annual value held by class B (default 0.15): an item is B while the items
    /// ranked above it hold less than `a + b`.
    pub b: f64,
}

impl Default for AbcCuts {
    fn default() -> Self {
        AbcCuts { a: 0.80, b: 0.15 }
    }
}

impl FromStr for AbcCuts {
    type Err = String;

    /// `80,15` or `80/15/5` (percent of annual value for A, B and optionally C).
    fn from_str(s: &str) -> Result<Self, String> {
        let parts = percentages(s)?;
        let usage = "write the A and B shares of annual value in percent, e.g. 80,15 (or 80/15/5)";
        let (a, b) = match parts[..] {
            [a, b] => (a, b),
            [a, b, c] if (a + b + c - 100.0).abs() < 1e-9 => (a, b),
            [_, _, _] => return Err(format!("the three shares must add up to 100; {usage}")),
            _ => return Err(usage.into()),
        };
        if !(a > 0.0 && b >= 0.0 && a + b <= 100.0) {
            return Err(format!("A must be above 0 and A + B at most 100; {usage}"));
        }
        Ok(AbcCuts {
            a: a / 100.0,
            b: b / 100.0,
        })
    }
}

/// XYZ cut-offs on the coefficient of variation of daily demand.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct XyzCuts {
    /// Items with a CV below this are X, steady (default 0.5).
    pub x: f64,
    /// Items with a CV below this (and not X) are Y, variable (default 1.0); the rest are Z.
    pub y: f64,
}

impl Default for XyzCuts {
    fn default() -> Self {
        XyzCuts { x: 0.5, y: 1.0 }
    }
}

impl FromStr for XyzCuts {
    type Err = String;

    /// `0.5,1.0`: X below the first CV, Y below the second.
    fn from_str(s: &str) -> Result<Self, String> {
        let usage = "write the X and Y upper limits of the CV, e.g. 0.5,1.0";
        match percentages(s)?[..] {
            [x, y] if x > 0.0 && y > x => Ok(XyzCuts { x, y }),
            [_, _] => Err(format!("need 0 < X limit < Y limit; {usage}")),
            _ => Err(usage.into()),
        }
    }
}

fn percentages(s: &str) -> Result<Vec<f64>, String> {
    s.split([',', '/'])
        .map(|p| {
            p.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("'{}' is not a number", p.trim()))
        })
        .collect()
}

/// Value class: the ABC of ABC-XYZ analysis, by share of annual value (Pareto).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Abc {
    /// The few items that hold most of the value (by default the first 80%).
    A,
    /// The middle band (by default the next 15%).
    B,
    /// The many items that hold the rest of the value.
    C,
}

/// Variability class: the XYZ of ABC-XYZ analysis, by the coefficient of variation of demand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Xyz {
    /// Steady demand (CV below 0.5 by default): well suited to JIT.
    X,
    /// Variable demand (CV below 1.0 by default).
    Y,
    /// Erratic or sporadic demand (CV of 1.0 or more by default): hard to run lean.
    Z,
}

impl fmt::Display for Abc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Abc::A => "A",
            Abc::B => "B",
            Abc::C => "C",
        })
    }
}

impl fmt::Display for Xyz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Xyz::X => "X",
            Xyz::Y => "Y",
            Xyz::Z => "Z",
        })
    }
}

/// ABC class of each value and the value share of the items ranked above it.
pub(crate) fn abc_classes(values: &[f64], cuts: AbcCuts) -> Vec<(Abc, f64)> {
    let total: f64 = values.iter().sum();
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]).then(i.cmp(&j)));
    let mut out = vec![(Abc::C, 1.0); values.len()];
    let mut above = 0.0;
    for i in order {
        let share_above = if total > 0.0 { above / total } else { 1.0 };
        let class = if share_above < cuts.a - 1e-12 {
            Abc::A
        } else if share_above < cuts.a + cuts.b - 1e-12 {
            Abc::B
        } else {
            Abc::C
        };
        out[i] = (class, share_above);
        above += values[i];
    }
    out
}

/// XYZ class of a coefficient of variation.
pub(crate) fn xyz_class(cv: f64, cuts: XyzCuts) -> Xyz {
    if cv < cuts.x {
        Xyz::X
    } else if cv < cuts.y {
        Xyz::Y
    } else {
        Xyz::Z
    }
}

/// What an item is recommended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Posture {
    /// JIT: a kanban loop.
    Kanban,
    /// JIT: a tight min-max (the ERP "digital kanban").
    MinMax,
    /// JIC: reorder point with safety stock for a service level.
    ReorderPoint,
    /// Hybrid: stock built up for the seasonal peak.
    Prebuild,
    /// No demand in the history: nothing to stock.
    NoDemand,
}

impl Posture {
    /// Every posture.
    pub(crate) const ALL: [Posture; 5] = [
        Posture::Kanban,
        Posture::MinMax,
        Posture::ReorderPoint,
        Posture::Prebuild,
        Posture::NoDemand,
    ];

    /// The posture whose `profile.csv` key is `key`.
    pub(crate) fn from_key(key: &str) -> Option<Posture> {
        Posture::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The posture for people: `JIT (kanban)`, `JIC (reorder point)`, …
    pub fn label(self) -> &'static str {
        match self {
            Posture::Kanban => "JIT (kanban)",
            Posture::MinMax => "JIT (min-max)",
            Posture::ReorderPoint => "JIC (reorder point)",
            Posture::Prebuild => "hybrid (seasonal pre-build)",
            Posture::NoDemand => "none (no demand)",
        }
    }

    /// Just-in-time: kanban or min-max.
    pub(crate) fn is_lean(self) -> bool {
        matches!(self, Posture::Kanban | Posture::MinMax)
    }

    /// Short machine-friendly name for CSV.
    pub(crate) fn key(self) -> &'static str {
        match self {
            Posture::Kanban => "jit-kanban",
            Posture::MinMax => "jit-min-max",
            Posture::ReorderPoint => "jic-reorder-point",
            Posture::Prebuild => "hybrid-prebuild",
            Posture::NoDemand => "none",
        }
    }
}

/// The replenishment rule the recommended policy gives an item, with its numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    /// A kanban loop sized by the simulator's formula.
    Kanban {
        /// Share of lead-time demand added to the loop as safety: what covers the spread of
        /// lead-time demand at a 95% service level plus half a container, at least 0.1,
        /// rounded up to hundredths.
        safety_factor: f64,
    },
    /// A tight min-max (the ERP "digital kanban").
    MinMax {
        /// Cycle service level (0–1) the min's safety stock is sized for: 0.95, or 0.99 for
        /// an item whose stockout has a high impact.
        service_level: f64,
        /// Units ordered at a time: one container.
        order_quantity: f64,
    },
    /// A reorder point with safety stock, ordering economic lots (EOQ).
    ReorderPoint {
        /// Cycle service level (0–1) the safety stock is sized for: 0.95, or 0.99 for an
        /// item whose stockout has a high impact.
        service_level: f64,
    },
    /// Min-max at the levels of the peak month: the stock a seasonal pre-build reaches.
    PeakMinMax {
        /// Units: the peak month's lead-time demand plus safety stock for the service level.
        min: f64,
        /// Units: `min` plus an economic order quantity at the peak rate (at least one
        /// container).
        max: f64,
        /// The peak month's daily demand relative to the year's average (e.g. 1.5 for 50%
        /// above), rounded to hundredths.
        peak_factor: f64,
    },
}

impl Rule {
    /// The rule in words: "kanban, safety factor 0.2", "reorder point, 95% service, EOQ lots".
    pub fn describe(&self) -> String {
        match self {
            Rule::Kanban { safety_factor } => format!("kanban, safety factor {safety_factor}"),
            Rule::MinMax {
                service_level,
                order_quantity,
            } => format!(
                "min-max, {:.0}% service, lots of {}",
                service_level * 100.0,
                short(*order_quantity)
            ),
            Rule::ReorderPoint { service_level } => {
                format!(
                    "reorder point, {:.0}% service, EOQ lots",
                    service_level * 100.0
                )
            }
            Rule::PeakMinMax {
                min,
                max,
                peak_factor,
            } => format!(
                "min-max {} / {} (levels of the peak month, ×{peak_factor:.2})",
                short(*min),
                short(*max),
            ),
        }
    }
}

/// What the posture is decided on, besides demand.
pub(crate) struct ItemFacts<'a> {
    pub abc: Abc,
    pub xyz: Xyz,
    pub(crate) value_share: f64,
    pub demand: &'a DemandProfile,
    /// How much a stockout would hurt: criticality (and whether the item master gives it),
    /// value class and whether the item is a runner ([`risk::impact`]).
    pub impact: ImpactFacts,
    pub supply: &'a SupplyView,
    pub(crate) shelf_life_days: Option<f64>,
    pub container_size: f64,
    pub(crate) whole_units: bool,
    pub unit_cost: f64,
    pub order_cost: f64,
}

/// A posture with every reason for and against lean (JIT) supply.
#[derive(Clone, Debug)]
pub struct Recommendation {
    /// JIT (kanban or min-max), JIC (reorder point) or hybrid (seasonal pre-build).
    pub posture: Posture,
    /// The rule the `recommended` policy of scenario.toml gives the item; none without demand.
    pub rule: Option<Rule>,
    /// Reasons that favour JIT.
    pub reasons_for: Vec<String>,
    /// Reasons against JIT (for holding a buffer).
    pub reasons_against: Vec<String>,
    /// One line: "AX, supplier on-time 97%, lead time 3 ± 0.5 days → kanban".
    pub summary: String,
    /// The impact of a stockout ([`risk::impact`]).
    pub impact: Score,
    /// The fragility of the item's supply ([`risk::fragility`]).
    pub fragility: Score,
    /// Cycle service level the rule is sized for: 0.95, or 0.99 for a high-impact item.
    pub service_level: f64,
}

/// The reasons found so far; `decisive` marks a reason against that rules JIT out.
#[derive(Default)]
struct Reasons {
    for_jit: Vec<String>,
    against: Vec<String>,
    decisive: bool,
    /// Short facts for the one-line summary.
    facts: Vec<String>,
}

impl Reasons {
    fn pro(&mut self, text: String) {
        self.for_jit.push(text);
    }

    fn con(&mut self, text: String, decisive: bool) {
        self.against.push(text);
        self.decisive |= decisive;
    }
}

fn days(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// Recommend a posture for one item.
pub(crate) fn recommend(facts: &ItemFacts<'_>) -> Recommendation {
    let stats = &facts.demand.stats;
    let class = format!("{}{}", facts.abc, facts.xyz);
    let impact = risk::impact(&facts.impact);
    let fragility = risk::fragility(facts.supply);
    let verdict = risk::verdict(impact.level, fragility.level);
    let service_level = if impact.level == Level::High {
        HIGH_IMPACT_SERVICE_LEVEL
    } else {
        JIT_SERVICE_LEVEL
    };
    if stats.total <= 0.0 {
        return Recommendation {
            posture: Posture::NoDemand,
            rule: None,
            reasons_for: Vec::new(),
            reasons_against: vec!["no demand in the history".into()],
            summary: format!("{class}, no demand → nothing to stock"),
            impact,
            fragility,
            service_level,
        };
    }
    let mut r = Reasons::default();
    value_reasons(facts, &mut r);
    demand_reasons(facts, &mut r);
    supply_reasons(facts, &mut r);
    other_reasons(facts, &mut r);
    risk_reasons(&impact, &fragility, verdict, &mut r);
    let mut posture = if stats.seasonality.strong() {
        Posture::Prebuild
    } else if r.decisive || verdict == Verdict::Buffer {
        Posture::ReorderPoint
    } else if facts.xyz == Xyz::X {
        Posture::Kanban
    } else {
        Posture::MinMax
    };
    let factor = kanban_factor(facts, service_level);
    if posture == Posture::Kanban && factor > MAX_KANBAN_SAFETY_FACTOR {
        r.con(
            format!(
                "a kanban loop would need a safety factor of {factor:.2} (> \
                 {MAX_KANBAN_SAFETY_FACTOR:.2}) to cover lead-time demand at {:.0}% service \
                 with containers of {}: a tight min-max instead",
                service_level * 100.0,
                short(facts.container_size)
            ),
            false,
        );
        posture = Posture::MinMax;
    }
    let rule = rule_for(posture, facts, factor, service_level);
    let mut head = vec![class];
    head.extend(r.facts);
    head.push(format!(
        "impact {} × fragility {}",
        impact.level, fragility.level
    ));
    Recommendation {
        summary: format!(
            "{} → {}",
            head.join(", "),
            rule.as_ref().map_or_else(String::new, Rule::describe)
        ),
        posture,
        rule,
        reasons_for: r.for_jit,
        reasons_against: r.against,
        impact,
        fragility,
        service_level,
    }
}

/// The combination of impact and fragility, as a reason for or against lean supply.
fn risk_reasons(impact: &Score, fragility: &Score, verdict: Verdict, r: &mut Reasons) {
    let combination = format!(
        "impact {} × fragility {}",
        impact.describe(),
        fragility.describe()
    );
    match verdict {
        Verdict::Lean => r.pro(format!("{combination}: lean supply is safe enough")),
        Verdict::LeanHighService => r.pro(format!(
            "{combination}: a stockout would hurt, but the supply is robust: lean supply sized \
             for {:.0}% service",
            HIGH_IMPACT_SERVICE_LEVEL * 100.0
        )),
        Verdict::Buffer => r.con(format!("{combination}: hold a deliberate buffer"), true),
    }
}

fn value_reasons(f: &ItemFacts<'_>, r: &mut Reasons) {
    let share = pct(f.value_share);
    match f.abc {
        Abc::A | Abc::B => r.pro(format!(
            "class {}: {share} of annual value, so carrying cost matters",
            f.abc
        )),
        Abc::C => r.con(
            format!("class C: {share} of annual value; a buffer costs little"),
            true,
        ),
    }
}

fn demand_reasons(f: &ItemFacts<'_>, r: &mut Reasons) {
    let s = &f.demand.stats;
    let cv = format!("{:.2}", s.cv);
    match f.xyz {
        Xyz::X => r.pro(format!("X: stable demand (CV {cv})")),
        Xyz::Y => r.con(
            format!("Y: variable demand (CV {cv}): a min-max rather than a kanban loop"),
            false,
        ),
        Xyz::Z => r.con(format!("Z: erratic demand (CV {cv})"), true),
    }
    let unit = if s.period_days == 7 { "weeks" } else { "days" };
    if s.zero_share >= LUMPY_ZERO_SHARE {
        r.con(
            format!(
                "lumpy: no demand in {} of {unit} (≥ {})",
                pct(s.zero_share),
                pct(LUMPY_ZERO_SHARE)
            ),
            true,
        );
        r.facts.push("lumpy".into());
    }
    let season = &s.seasonality;
    if season.strong() {
        let top = season.indices.iter().copied().fold(0.0, f64::max);
        r.con(
            format!(
                "seasonal: strength {:.2}, peak {} up to ×{top:.2}: stock must be built before \
                 the peak",
                season.strength,
                season.peak_text(),
            ),
            true,
        );
        r.facts.push(format!("seasonal ×{top:.2}"));
    } else if season.material() {
        r.con(
            format!(
                "mild seasonality (strength {:.2}): written into the scenario",
                season.strength
            ),
            false,
        );
    }
    if s.trend.material() {
        r.con(
            format!(
                "trend {:+.0}% a year: review the levels as demand moves",
                s.trend.per_year * 100.0
            ),
            false,
        );
    }
}

/// The supply's facts for and against lean supply. None decides on its own: they are weighed
/// together, with the impact of a stockout, by the fragility score ([`risk::fragility`]).
fn supply_reasons(f: &ItemFacts<'_>, r: &mut Reasons) {
    let supply = f.supply;
    if !supply.observed() {
        r.con(
            format!(
                "no delivery history for {}: reliability and lead time not confirmed",
                supply.unobserved_names()
            ),
            false,
        );
        r.facts.push("supplier unprofiled".into());
        return;
    }
    let who = if supply.sources.len() == 1 {
        format!("supplier {}", supply.names())
    } else {
        format!("suppliers {}", supply.names())
    };
    let on_time = pct(supply.on_time);
    if supply.on_time >= JIT_MIN_ON_TIME {
        r.pro(format!(
            "{who} on time {on_time} (≥ {})",
            pct(JIT_MIN_ON_TIME)
        ));
    } else {
        r.con(
            format!("{who} on time {on_time} (< {})", pct(JIT_MIN_ON_TIME)),
            false,
        );
    }
    r.facts.push(format!("supplier on-time {on_time}"));
    let lead = format!(
        "lead time {} ± {} days",
        days(supply.lead_mean),
        days(supply.lead_sd)
    );
    r.facts.push(lead.clone());
    let cv = supply.lead_cv();
    let short = supply.lead_mean <= JIT_MAX_LEAD_DAYS;
    let steady = cv <= JIT_MAX_LEAD_CV;
    let limits = format!(
        "≤ {} days, CV ≤ {JIT_MAX_LEAD_CV:.2}",
        days(JIT_MAX_LEAD_DAYS)
    );
    match (short, steady) {
        (true, true) => r.pro(format!(
            "{lead}: short and consistent (CV {cv:.2}; {limits})"
        )),
        (false, true) => r.con(
            format!("long {lead} (> {} days)", days(JIT_MAX_LEAD_DAYS)),
            false,
        ),
        (true, false) => r.con(
            format!("inconsistent {lead} (CV {cv:.2} > {JIT_MAX_LEAD_CV:.2})"),
            false,
        ),
        (false, false) => r.con(format!("long and inconsistent {lead} (CV {cv:.2})"), false),
    }
    if supply.sources.len() == 1 {
        r.con(
            format!(
                "single source ({}): a second source or a small reserve would hedge it",
                supply.names()
            ),
            false,
        );
    } else {
        r.pro(format!("multi-sourced ({})", supply.names()));
    }
    for s in &supply.sources {
        if s.rejection_rate >= NOTABLE_REJECTION_RATE {
            r.con(
                format!(
                    "{} rejects {} of units at inspection",
                    s.supplier,
                    pct(s.rejection_rate)
                ),
                false,
            );
        }
    }
}

fn other_reasons(f: &ItemFacts<'_>, r: &mut Reasons) {
    match (f.impact.criticality, f.impact.criticality_given) {
        (Criticality::High, _) => {
            r.con(
                "critical: a stockout would stop operations (weighed with the supply's \
                 fragility)"
                    .into(),
                false,
            );
            r.facts.push("critical".into());
        }
        (c, true) => r.pro(format!("not critical (criticality {})", c.label())),
        (_, false) => {}
    }
    if let Some(life) = f.shelf_life_days.filter(|&l| l <= SHORT_SHELF_LIFE_DAYS) {
        r.pro(format!(
            "shelf life {} days: a large buffer would expire",
            days(life)
        ));
    }
}

/// The kanban safety factor that covers the spread of lead-time demand at the item's service
/// level: α = (z·sqrt(L·σ² + d²·σL²) + size/2) / (d·L). A loop triggers an order only when a
/// whole container is empty, so its stock position after ordering averages n·size − size/2;
/// half a container is added for that.
fn kanban_factor(f: &ItemFacts<'_>, service_level: f64) -> f64 {
    let (d, sd) = (f.demand.stats.mean, f.demand.stats.sd);
    let (lead, lead_sd) = (f.supply.lead_mean.max(1.0), f.supply.lead_sd);
    let spread = (lead * sd * sd + d * d * lead_sd * lead_sd).sqrt();
    (norm_ppf(service_level) * spread + f.container_size / 2.0) / (d * lead).max(1e-9)
}

fn rule_for(
    posture: Posture,
    f: &ItemFacts<'_>,
    kanban_factor: f64,
    service_level: f64,
) -> Option<Rule> {
    let (lead, lead_sd) = (f.supply.lead_mean.max(1.0), f.supply.lead_sd);
    match posture {
        Posture::Kanban => Some(Rule::Kanban {
            safety_factor: (kanban_factor.max(MIN_KANBAN_SAFETY_FACTOR) * 100.0).ceil() / 100.0,
        }),
        Posture::MinMax => Some(Rule::MinMax {
            service_level,
            order_quantity: f.container_size,
        }),
        Posture::ReorderPoint => Some(Rule::ReorderPoint { service_level }),
        Posture::Prebuild => Some(peak_levels(f, lead, lead_sd, service_level)),
        Posture::NoDemand => None,
    }
}

/// Min and max sized on the peak month's demand: d·L + z·sqrt(L·σ² + d²·σL²) at the peak level,
/// plus an economic lot at the peak rate (at least one container).
fn peak_levels(f: &ItemFacts<'_>, lead: f64, lead_sd: f64, service_level: f64) -> Rule {
    let indices = f.demand.stats.seasonality.indices;
    let peak = indices.iter().copied().fold(0.0, f64::max) / day_weighted_mean(&indices).max(1e-9);
    let (_, base_sd) = f.demand.fit.model.moments();
    let (d, sd) = (f.demand.stats.mean * peak, base_sd * peak);
    let z = norm_ppf(service_level);
    let min = d * lead + z * (lead * sd * sd + d * d * lead_sd * lead_sd).sqrt();
    let round = |x: f64| if f.whole_units { x.ceil() } else { x };
    let min = round(min);
    // A buffered item orders economic lots (EOQ at the peak rate), at least a container.
    let holding = CARRYING_RATE * f.unit_cost;
    let eoq = (2.0 * 365.0 * d * f.order_cost / holding.max(1e-9)).sqrt();
    Rule::PeakMinMax {
        min,
        max: round(min + eoq.max(f.container_size)),
        peak_factor: (peak * 100.0).round() / 100.0,
    }
}

/// A container size when the item master gives none: half a day's mean demand (as in the
/// reference texts' example: 50 a day, containers of 25), rounded up to a "nice" quantity
/// (1, 2, 2.5, 5 × powers of ten, whole), at least 1.
pub(crate) fn derived_container_size(mean_daily: f64) -> f64 {
    if !mean_daily.is_finite() {
        return 1.0;
    }
    let target = (mean_daily / 2.0).max(1.0);
    let mut scale = 1.0;
    loop {
        for step in [1.0, 2.0, 2.5, 5.0] {
            let size: f64 = step * scale;
            if size >= target && size.fract() == 0.0 {
                return size;
            }
        }
        scale *= 10.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_follows_cumulative_value_share() {
        // Shares 50, 25, 10, 8, 4, 3 %: A while less than 80% lies above (so the item that
        // crosses 80% is still A), B while less than 95% does.
        let values = [50.0, 25.0, 10.0, 8.0, 4.0, 3.0];
        let classes: Vec<Abc> = abc_classes(&values, AbcCuts::default())
            .into_iter()
            .map(|c| c.0)
            .collect();
        assert_eq!(classes, [Abc::A, Abc::A, Abc::A, Abc::B, Abc::B, Abc::C]);
        let unsorted = [3.0, 50.0, 8.0];
        let c = abc_classes(&unsorted, AbcCuts::default());
        assert_eq!(c[1], (Abc::A, 0.0));
    }

    #[test]
    fn cut_offs_parse_and_reject_nonsense() {
        assert_eq!(
            "70,20".parse::<AbcCuts>().unwrap(),
            AbcCuts { a: 0.7, b: 0.2 }
        );
        assert_eq!("80/15/5".parse::<AbcCuts>().unwrap(), AbcCuts::default());
        assert!("80/15/10".parse::<AbcCuts>().is_err());
        assert!("90,20".parse::<AbcCuts>().is_err());
        assert!("x,1".parse::<AbcCuts>().unwrap_err().contains("'x'"));
        assert_eq!(
            "0.4,0.9".parse::<XyzCuts>().unwrap(),
            XyzCuts { x: 0.4, y: 0.9 }
        );
        assert!("1,0.5".parse::<XyzCuts>().is_err());
        assert_eq!(xyz_class(0.49, XyzCuts::default()), Xyz::X);
        assert_eq!(xyz_class(0.5, XyzCuts::default()), Xyz::Y);
        assert_eq!(xyz_class(1.0, XyzCuts::default()), Xyz::Z);
    }

    #[test]
    fn container_sizes_are_nice_numbers() {
        assert_eq!(derived_container_size(0.3), 1.0);
        assert_eq!(derived_container_size(8.0), 5.0);
        assert_eq!(derived_container_size(50.0), 25.0);
        assert_eq!(derived_container_size(42.0), 25.0);
        assert_eq!(derived_container_size(130.0), 100.0);
        assert_eq!(derived_container_size(5.0), 5.0);
    }
}
