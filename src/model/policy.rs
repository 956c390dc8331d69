//! Replenishment policies: from the rules a scenario names to the one order rule the engine runs.
//!
//! Every rule in the scenario format — kanban, min-max, reorder point, periodic review (R, S),
//! (s, S), (r, Q) and base-stock — reduces after sizing to an [`OrderRule`]: on review days,
//! when the inventory position (on hand + on order − backorders) is at or below a trigger
//! level, order a quantity computed from the position. Sizing (safety stock, reorder points,
//! kanban counts, EOQ) happens once per scenario here; the engine's daily loop only compares
//! and subtracts, so it needs no dispatch on the kind of rule.
//!
//! Timing convention (see the README's event order): an order placed in the review at the end
//! of day t with lead time L is received at the start of day t + L. A rule reviewed every R
//! days must therefore cover the demand of L + R − 1 days (its *protection period*); a daily
//! rule covers the lead time itself, which is what the textbook formulas assume.

use serde::Serialize;

use crate::foundation::date::Calendar;
use crate::foundation::format::group_thousands;
use crate::foundation::math::{ceil_fast, floor_fast, max_fast, norm_ppf};
use crate::model::levels::{LevelSegment, Prebuilds};
use crate::model::limits::{
    DAYS, Limit, MAX_STOCK_LEVEL, POSITIVE_QUANTITY, QUANTITY, SAFETY_FACTOR, shown,
};
use crate::model::raw::{
    RawBaseStock, RawKanban, RawMinMax, RawPeriodicReview, RawQuantity, RawRQ, RawReorderPoint,
    RawRule, RawSS,
};
use crate::model::resize::{PeriodLevels, Resize};

/// The family a rule was written as; kept for reporting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Kanban: a loop of containers; each emptied container is reordered, reviewed daily.
    Kanban,
    /// Min-max: on a review day with the position at or below min, order up to max.
    MinMax,
    /// Reorder point, reviewed daily: at or below it, order the EOQ, fixed lots or up to a
    /// level.
    ReorderPoint,
    /// (R, S): every R days, order up to S.
    PeriodicReview,
    /// (s, S): on a review day with the position at or below s, order up to S.
    #[serde(rename = "s_s")]
    SS,
    /// (r, Q): at or below r, order the fewest lots of Q that lift the position above r;
    /// reviewed daily.
    #[serde(rename = "r_q")]
    RQ,
    /// Base-stock: every day, order up to S, replacing each day's demand one for one.
    BaseStock,
}

impl RuleKind {
    /// The rule's name as written in a scenario file and in the outputs.
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Kanban => "kanban",
            RuleKind::MinMax => "min_max",
            RuleKind::ReorderPoint => "reorder_point",
            RuleKind::PeriodicReview => "periodic_review",
            RuleKind::SS => "s_s",
            RuleKind::RQ => "r_q",
            RuleKind::BaseStock => "base_stock",
        }
    }
}

/// What the engine runs for one item under one policy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OrderRule {
    /// Days between reviews (1 = every day). Reviews fall on days 0, R, 2R, …
    pub(crate) review_period: u32,
    /// Order when the inventory position is at or below this level.
    pub(crate) trigger: f64,
    /// How much to order once triggered.
    pub quantity: Quantity,
}

/// How much to order once triggered, as a function of the inventory position.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// Bring the position up to this level.
    UpTo(f64),
    /// The smallest number of lots of this size that lifts the position above the trigger.
    Lots(f64),
    /// Whole containers: one for every container missing from `target`.
    Containers {
        /// Units in the full loop (containers × size): the position the cards restore.
        target: f64,
        /// Units per container.
        size: f64,
    },
}

impl OrderRule {
    /// The quantity to order at inventory position `position`, zero for none.
    #[inline]
    pub fn order_quantity(&self, position: f64) -> f64 {
        if position > self.trigger {
            return 0.0;
        }
        match self.quantity {
            Quantity::UpTo(level) => max_fast(level - position, 0.0),
            Quantity::Lots(lot) => (floor_fast((self.trigger - position) / lot) + 1.0) * lot,
            Quantity::Containers { target, size } => {
                max_fast(floor_fast((target - position) / size + 1e-9), 0.0) * size
            }
        }
    }

    /// What an item not due to order may add to a joint order at position `position`: up to
    /// its order-up-to level (its can-order level) — up to the level, in whole lots up to the
    /// reorder point plus one lot, or its missing whole containers. Zero at or above it.
    #[inline]
    pub fn top_up(&self, position: f64) -> f64 {
        match self.quantity {
            Quantity::UpTo(level) => max_fast(level - position, 0.0),
            Quantity::Lots(lot) => {
                max_fast(
                    floor_fast((self.trigger + lot - position) / lot + 1e-9),
                    0.0,
                ) * lot
            }
            Quantity::Containers { target, size } => {
                max_fast(floor_fast((target - position) / size + 1e-9), 0.0) * size
            }
        }
    }

    /// The same rule with its stock levels multiplied by `factor` (a seasonal pre-build).
    /// Lot and container sizes stay as they are.
    pub(crate) fn scaled(&self, factor: f64) -> OrderRule {
        let (trigger, quantity) = match self.quantity {
            Quantity::UpTo(level) => (self.trigger * factor, Quantity::UpTo(level * factor)),
            Quantity::Lots(lot) => (self.trigger * factor, Quantity::Lots(lot)),
            // A card is still released as soon as one whole container is missing.
            Quantity::Containers { target, size } => {
                let target = target * factor;
                (target - size, Quantity::Containers { target, size })
            }
        };
        OrderRule {
            review_period: self.review_period,
            trigger,
            quantity,
        }
    }

    /// The same rule for an item counted in whole units: an inventory position is then a whole
    /// number, so a trigger of 123.4 acts as 123 and an order-up-to level of 145.3 as 146.
    /// Rounding the levels once here keeps every order whole without rounding it each day.
    pub(crate) fn in_whole_units(&self) -> OrderRule {
        let quantity = match self.quantity {
            Quantity::UpTo(level) => Quantity::UpTo(ceil_fast(level - 1e-9)),
            Quantity::Lots(lot) => Quantity::Lots(ceil_fast(lot - 1e-9)),
            Quantity::Containers { target, size } => Quantity::Containers {
                target: floor_fast(target + 1e-9),
                size,
            },
        };
        OrderRule {
            review_period: self.review_period,
            trigger: floor_fast(self.trigger + 1e-9),
            quantity,
        }
    }

    /// The stock a rule aims to hold at the start: its order-up-to level, its reorder point
    /// plus one lot, or its full set of kanban containers.
    pub(crate) fn target_stock(&self) -> f64 {
        match self.quantity {
            Quantity::UpTo(level) => level,
            Quantity::Lots(lot) => self.trigger + lot,
            Quantity::Containers { target, .. } => target,
        }
    }
}

/// What an item's demand and supply look like to the sizing formulas.
#[derive(Clone, Debug)]
pub struct ItemContext {
    /// Mean daily demand d, in units: the year's average with seasonality, trend ignored.
    pub mean_daily_demand: f64,
    /// Standard deviation of daily demand σd, in units, scaled like the mean.
    pub demand_sd: f64,
    /// Mean lead time L in days, over the item's suppliers by share, lateness included.
    pub lead_time_mean: f64,
    /// Standard deviation of the lead time σL, in days.
    pub lead_time_sd: f64,
    /// Value of one unit, for the EOQ's holding cost.
    pub unit_cost: f64,
    /// Annual carrying cost as a share of unit value, for the EOQ.
    pub carrying_rate: f64,
    /// Cost per order line, for the EOQ.
    pub order_cost: f64,
    /// The item's kanban container quantity, if any: the default container of a kanban rule
    /// and order quantity of a min-max rule.
    pub container_size: Option<f64>,
    pub(crate) whole_units: bool,
    /// The item's shelf life in days, if its stock expires: sized levels are capped to the
    /// stock its demand can use within it ([`ShelfLifeCap`]).
    pub(crate) shelf_life_days: Option<u32>,
}

/// How a rule was sized, for `validate`, the terminal and summary.json.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    /// The family the rule was written as.
    pub rule: RuleKind,
    /// Mean daily demand d the formulas used, in units (see [`ItemContext`]).
    pub mean_daily_demand: f64,
    /// Standard deviation of daily demand σd, in units.
    pub demand_sd: f64,
    /// Mean lead time L, in days, lateness included.
    pub lead_time_mean: f64,
    /// Standard deviation of the lead time σL, in days.
    pub lead_time_sd: f64,
    /// Review period R, in days (1 = reviewed every day).
    pub review_period_days: u32,
    /// Days of demand the safety stock protects against (lead time + review period − 1).
    pub protection_days: f64,
    /// Safety stock in units, where the level was derived from one; absent when the level was
    /// given or the rule takes none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safety_stock: Option<f64>,
    /// Trigger level: reorder point, min, or the level at which a kanban card is released.
    pub reorder_point: f64,
    /// Lot ordered each time, in units: the EOQ, a fixed lot or one kanban container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_quantity: Option<f64>,
    /// Order-up-to level S, the max of a min-max rule or the kanban loop's total, in units.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_up_to: Option<f64>,
    /// The kanban loop, for kanban rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kanban: Option<KanbanSizing>,
    /// For an item whose stock expires, where the rule's target stock was above what demand
    /// uses within the shelf life.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shelf_life: Option<ShelfLifeCap>,
    /// Under a policy that re-sizes its rules, the levels of each period; the figures above
    /// are the year's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_period: Vec<PeriodLevels>,
    /// The levels of each entry of the item's level plan under the policy, from its first
    /// day to the next entry's (or the end of the horizon); before the first, the figures
    /// above hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<PeriodLevels>,
}

impl Sizing {
    /// The levels of `rule`, sized as this says, over the days `start_day..end_day`: one
    /// period of a re-sized rule or one entry of a level plan, for reports.
    pub(crate) fn period_levels(
        &self,
        rule: &OrderRule,
        (start_day, end_day): (u32, u32),
    ) -> PeriodLevels {
        PeriodLevels {
            start_day,
            end_day,
            mean_daily_demand: self.mean_daily_demand,
            reorder_point: rule.trigger,
            order_quantity: self.order_quantity,
            order_up_to: self.order_up_to.map(|_| rule.target_stock()),
            containers: self.kanban.as_ref().map(|k| k.containers),
        }
    }
}

/// A rule's target stock against an item's shelf life. Stock above what demand uses within
/// the shelf life expires on the shelf, so a rule that sized its levels (from a service
/// level, a safety stock, a kanban safety factor or the EOQ) is lowered to it; levels the
/// scenario gave are kept, and `validate` warns.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct ShelfLifeCap {
    /// The item's shelf life, in days.
    pub shelf_life_days: u32,
    /// The most stock the rule may aim at: mean daily demand × (mean lead time + shelf life −
    /// 1), in units. A position at this level puts, after the day's receipt, the demand of
    /// the shelf life on the shelf, so the last unit received is issued on its last day.
    pub usable_stock: f64,
    /// The rule's target stock as sized (order-up-to level, reorder point plus lot, or the
    /// full kanban loop), in units.
    pub target_before: f64,
    /// Whether the levels were lowered to `usable_stock` (a sized rule) or kept (given).
    pub capped: bool,
}

/// The kanban loop of one item: containers × size, and how many days of demand it holds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KanbanSizing {
    /// Containers (kanban cards) in the loop.
    pub containers: u32,
    /// Units per container.
    pub container_size: f64,
    /// Units in the full loop: containers × container size.
    pub total_units: f64,
    /// Days of mean demand the full loop holds: total units / mean daily demand; `None`
    /// (`null` in summary.json) for an item without demand, where no number of days is defined.
    pub days_of_supply: Option<f64>,
    /// True when the count was computed from the formula, false when the scenario gave it.
    pub computed: bool,
}

/// A problem found while sizing a rule: the field (relative to the rule) and what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleProblem {
    /// Field path relative to the rule, e.g. `kanban.container_size`.
    pub field: String,
    /// What is wrong, with the value found.
    pub message: String,
}

pub(crate) fn problem(field: &str, message: impl Into<String>) -> RuleProblem {
    RuleProblem {
        field: field.to_string(),
        message: message.into(),
    }
}

/// Size a rule for one item.
pub fn resolve(raw: &RawRule, ctx: &ItemContext) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let problems = number_problems(raw);
    if !problems.is_empty() {
        return Err(problems);
    }
    let (rule, mut sizing) = match raw {
        RawRule::Kanban(k) => kanban(k, ctx),
        RawRule::MinMax(m) => min_max(m, ctx),
        RawRule::ReorderPoint(r) => reorder_point(r, ctx),
        RawRule::PeriodicReview(p) => periodic_review(p, ctx),
        RawRule::SS(s) => s_s(s, ctx),
        RawRule::RQ(r) => r_q(r, ctx),
        RawRule::BaseStock(b) => base_stock(b, ctx),
    }?;
    let rule = match ctx.shelf_life_days {
        Some(life) => cap_to_shelf_life(rule, &mut sizing, raw, ctx, life),
        None => rule,
    };
    Ok((rule, sizing))
}

/// Whether the rule computed a level from the item's demand rather than taking every level
/// as given: a safety stock or service level, a kanban safety factor, or the EOQ.
fn sized(raw: &RawRule, sizing: &Sizing) -> bool {
    sizing.safety_stock.is_some()
        || sizing.kanban.as_ref().is_some_and(|k| k.computed)
        || matches!(raw, RawRule::ReorderPoint(r) if matches!(r.quantity, RawQuantity::Eoq))
}

/// `rule` for an item whose stock lives `life` days: where its target stock exceeds what
/// demand uses within the shelf life ([`ShelfLifeCap`]), noted in `sizing` and, for a sized
/// rule, lowered to it — an order-up-to level (and a trigger above it) to the usable stock;
/// a lot to at most the usable stock and the reorder point to what leaves room for one lot;
/// a kanban loop to the whole containers that fit (at least one).
fn cap_to_shelf_life(
    rule: OrderRule,
    sizing: &mut Sizing,
    raw: &RawRule,
    ctx: &ItemContext,
    life: u32,
) -> OrderRule {
    let mut usable = ctx.mean_daily_demand * (ctx.lead_time_mean + f64::from(life) - 1.0);
    if ctx.whole_units {
        usable = (usable + 1e-9).floor();
    }
    let before = rule.target_stock();
    if before <= usable {
        return rule;
    }
    let capped = sized(raw, sizing);
    sizing.shelf_life = Some(ShelfLifeCap {
        shelf_life_days: life,
        usable_stock: usable,
        target_before: before,
        capped,
    });
    if !capped {
        return rule;
    }
    let (trigger, quantity) = match rule.quantity {
        Quantity::UpTo(level) => {
            let level = level.min(usable);
            sizing.order_up_to = Some(level);
            (rule.trigger.min(level), Quantity::UpTo(level))
        }
        Quantity::Lots(lot) => {
            // Without demand nothing is usable, but a lot stays a lot: the trigger alone
            // keeps the stock at nothing.
            let lot = if usable > 0.0 { lot.min(usable) } else { lot };
            sizing.order_quantity = Some(lot);
            (rule.trigger.min(usable - lot), Quantity::Lots(lot))
        }
        Quantity::Containers { size, .. } => {
            let containers = ((usable / size + 1e-9).floor()).max(1.0);
            let target = containers * size;
            sizing.order_up_to = Some(target);
            if let Some(k) = &mut sizing.kanban {
                k.containers = containers as u32;
                k.total_units = target;
                k.days_of_supply =
                    (ctx.mean_daily_demand > 0.0).then(|| target / ctx.mean_daily_demand);
            }
            (target - size, Quantity::Containers { target, size })
        }
    };
    sizing.reorder_point = trigger;
    OrderRule {
        review_period: rule.review_period,
        trigger,
        quantity,
    }
}

/// Every number of a rule outside its range: the same for every item, so a scenario reports
/// them once per rule (and [`resolve`] refuses to size a rule with any).
pub(crate) fn number_problems(raw: &RawRule) -> Vec<RuleProblem> {
    numbers(raw)
        .into_iter()
        .filter_map(|(field, value, limit)| {
            let message = limit.check(value?).err()?;
            Some(problem(&field, message))
        })
        .collect()
}

/// Every number a rule gives (absent ones as `None`), with its field and allowed range: all
/// are checked, and every one out of range reported, before the rule is sized. The whole
/// numbers (containers, review periods) and the service level, which has no unit, are checked
/// where they are used.
fn numbers(raw: &RawRule) -> Vec<(String, Option<f64>, &'static Limit)> {
    let field = |name: &str| name.to_string();
    let safety = |rule: &str, units: Option<f64>, days: Option<f64>| {
        [
            (format!("{rule}.safety_stock"), units, &QUANTITY),
            (format!("{rule}.safety_stock_days"), days, &DAYS),
        ]
    };
    let mut out = Vec::new();
    match raw {
        RawRule::Kanban(k) => out.extend([
            (
                field("kanban.safety_factor"),
                k.safety_factor,
                &SAFETY_FACTOR,
            ),
            (
                field("kanban.container_size"),
                k.container_size,
                &POSITIVE_QUANTITY,
            ),
        ]),
        RawRule::MinMax(m) => {
            out.extend([
                (field("min_max.min"), m.min, &QUANTITY),
                (field("min_max.max"), m.max, &QUANTITY),
                (
                    field("min_max.order_quantity"),
                    m.order_quantity,
                    &POSITIVE_QUANTITY,
                ),
            ]);
            out.extend(safety("min_max", m.safety_stock, m.safety_stock_days));
        }
        RawRule::ReorderPoint(r) => {
            let (fixed, up_to) = match r.quantity {
                RawQuantity::Eoq => (None, None),
                RawQuantity::Fixed(q) => (Some(q), None),
                RawQuantity::OrderUpTo(s) => (None, Some(s)),
            };
            out.extend([
                (
                    field("reorder_point.reorder_point"),
                    r.reorder_point,
                    &QUANTITY,
                ),
                (
                    field("reorder_point.quantity.fixed"),
                    fixed,
                    &POSITIVE_QUANTITY,
                ),
                (
                    field("reorder_point.quantity.order_up_to"),
                    up_to,
                    &QUANTITY,
                ),
            ]);
            out.extend(safety("reorder_point", r.safety_stock, r.safety_stock_days));
        }
        RawRule::PeriodicReview(p) => {
            out.push((
                field("periodic_review.order_up_to"),
                p.order_up_to,
                &QUANTITY,
            ));
            out.extend(safety(
                "periodic_review",
                p.safety_stock,
                p.safety_stock_days,
            ));
        }
        RawRule::SS(s) => out.extend([
            (field("s_s.reorder_point"), Some(s.reorder_point), &QUANTITY),
            (field("s_s.order_up_to"), Some(s.order_up_to), &QUANTITY),
        ]),
        RawRule::RQ(r) => out.extend([
            (field("r_q.reorder_point"), Some(r.reorder_point), &QUANTITY),
            (
                field("r_q.order_quantity"),
                Some(r.order_quantity),
                &POSITIVE_QUANTITY,
            ),
        ]),
        RawRule::BaseStock(b) => {
            out.push((field("base_stock.order_up_to"), b.order_up_to, &QUANTITY));
            out.extend(safety("base_stock", b.safety_stock, b.safety_stock_days));
        }
    }
    out
}

/// The three ways of stating a safety stock; at most one may be given.
struct SafetySpec {
    units: Option<f64>,
    days: Option<f64>,
    service_level: Option<f64>,
}

impl SafetySpec {
    fn is_given(&self) -> bool {
        self.units.is_some() || self.days.is_some() || self.service_level.is_some()
    }

    /// Safety stock for a protection period of `protection` days:
    /// z · sqrt(P·σd² + d²·σL²) for a service level, d · days, or the units given.
    fn resolve(
        &self,
        prefix: &str,
        ctx: &ItemContext,
        protection: f64,
    ) -> Result<Option<f64>, Vec<RuleProblem>> {
        let given = [
            self.units.is_some(),
            self.days.is_some(),
            self.service_level.is_some(),
        ];
        if given.iter().filter(|&&g| g).count() > 1 {
            return Err(vec![problem(
                prefix,
                "give at most one of safety_stock, safety_stock_days and service_level",
            )]);
        }
        // Their ranges were checked by `resolve`.
        if let Some(units) = self.units {
            return Ok(Some(units));
        }
        if let Some(days) = self.days {
            return Ok(Some(days * ctx.mean_daily_demand));
        }
        if let Some(level) = self.service_level {
            if !(level > 0.0 && level < 1.0) {
                return Err(vec![problem(
                    &format!("{prefix}.service_level"),
                    format!(
                        "must be a probability strictly between 0 and 1 (got {}); e.g. 0.95",
                        shown(level)
                    ),
                )]);
            }
            let z = norm_ppf(level);
            let d = ctx.mean_daily_demand;
            let variance = protection * ctx.demand_sd.powi(2) + d * d * ctx.lead_time_sd.powi(2);
            return Ok(Some((z * variance.sqrt()).max(0.0)));
        }
        Ok(None)
    }
}

fn review_period(field: &str, days: i64) -> Result<u32, Vec<RuleProblem>> {
    if (1..=3650).contains(&days) {
        Ok(days as u32)
    } else {
        Err(vec![problem(
            field,
            format!("must be a whole number of days from 1 to 3650 (got {days})"),
        )])
    }
}

/// Whole-unit items hold whole units: stock levels are rounded up.
fn level(ctx: &ItemContext, value: f64) -> f64 {
    if ctx.whole_units {
        (value - 1e-9).ceil()
    } else {
        value
    }
}

fn protection_days(ctx: &ItemContext, review: u32) -> f64 {
    ctx.lead_time_mean + f64::from(review) - 1.0
}

fn base_sizing(rule: RuleKind, ctx: &ItemContext, review: u32) -> Sizing {
    Sizing {
        rule,
        mean_daily_demand: ctx.mean_daily_demand,
        demand_sd: ctx.demand_sd,
        lead_time_mean: ctx.lead_time_mean,
        lead_time_sd: ctx.lead_time_sd,
        review_period_days: review,
        protection_days: protection_days(ctx, review),
        safety_stock: None,
        reorder_point: 0.0,
        order_quantity: None,
        order_up_to: None,
        kanban: None,
        shelf_life: None,
        by_period: Vec::new(),
        plan: Vec::new(),
    }
}

fn kanban(k: &RawKanban, ctx: &ItemContext) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let size = match k.container_size.or(ctx.container_size) {
        Some(size) => {
            if ctx.whole_units && size.fract() != 0.0 {
                return Err(vec![problem(
                    "kanban.container_size",
                    format!(
                        "must be a whole number for an item counted in whole units (got {size})"
                    ),
                )]);
            }
            size
        }
        None => {
            return Err(vec![problem(
                "kanban.container_size",
                "a kanban rule needs a container size: set container_size on the item or the rule",
            )]);
        }
    };
    let (containers, computed) = match (k.containers, k.safety_factor) {
        (Some(_), Some(_)) => {
            return Err(vec![problem(
                "kanban",
                "give either containers or safety_factor, not both",
            )]);
        }
        (Some(n), None) => {
            if !(1..=i64::from(MAX_KANBAN_CONTAINERS)).contains(&n) {
                return Err(vec![problem(
                    "kanban.containers",
                    format!(
                        "must be a whole number from 1 to {} (got {n})",
                        group_thousands(f64::from(MAX_KANBAN_CONTAINERS), 0)
                    ),
                )]);
            }
            (n as u32, false)
        }
        (None, Some(alpha)) => {
            let count = kanban_count(ctx.mean_daily_demand, ctx.lead_time_mean, alpha, size);
            // A computed loop is held to the same limit as a given one rather than counted in
            // a wider type: a loop of more than a million cards is a container sized for
            // another scale of demand (at 10¹² units a day and containers of 25 it would be
            // 96 billion cards), and what a planner needs then is the container size that
            // makes a workable loop, not a report of billions of cards. Capping the count
            // instead (as a `u32` once did) would silently size a loop that covers a
            // fraction of the lead time.
            match u32::try_from(count) {
                Ok(n) if n <= MAX_KANBAN_CONTAINERS => (n, true),
                _ => {
                    let units = ctx.mean_daily_demand * ctx.lead_time_mean * (1.0 + alpha);
                    let smallest = level(ctx, units / f64::from(MAX_KANBAN_CONTAINERS));
                    return Err(vec![problem(
                        "kanban.safety_factor",
                        format!(
                            "sizes the loop at {} containers of {size} units, more than the \
                             {} a kanban loop may have: use a container_size of at least {} \
                             units, or give containers",
                            group_thousands(count as f64, 0),
                            group_thousands(f64::from(MAX_KANBAN_CONTAINERS), 0),
                            group_thousands(smallest, 0),
                        ),
                    )]);
                }
            }
        }
        (None, None) => {
            return Err(vec![problem(
                "kanban",
                "give containers (a count) or safety_factor (typically 0.1–0.5) to size the loop",
            )]);
        }
    };
    let total = f64::from(containers) * size;
    let rule = OrderRule {
        review_period: 1,
        trigger: total - size,
        quantity: Quantity::Containers {
            target: total,
            size,
        },
    };
    let mut sizing = base_sizing(RuleKind::Kanban, ctx, 1);
    sizing.reorder_point = rule.trigger;
    sizing.order_quantity = Some(size);
    sizing.order_up_to = Some(total);
    sizing.kanban = Some(KanbanSizing {
        containers,
        container_size: size,
        total_units: total,
        days_of_supply: (ctx.mean_daily_demand > 0.0).then(|| total / ctx.mean_daily_demand),
        computed,
    });
    Ok((rule, sizing))
}

/// Most containers in a kanban loop, given (`containers`) or computed from a safety factor.
pub const MAX_KANBAN_CONTAINERS: u32 = 1_000_000;

/// Number of kanban containers: ceil(d × L × (1 + safety factor) / container size), at least
/// 1 (and at most `u64::MAX`, far beyond any loop the scenario accepts: see
/// [`MAX_KANBAN_CONTAINERS`]).
pub fn kanban_count(daily_demand: f64, lead_time: f64, safety_factor: f64, size: f64) -> u64 {
    let exact = daily_demand * lead_time * (1.0 + safety_factor) / size;
    // Guard against 4.800000000001 becoming 5 when the true value is 4.8 exactly (and against
    // 5.0000000001 becoming 6): counts within 1e-9 of a whole number are that number.
    let count = (exact - 1e-9).ceil();
    count.clamp(1.0, u64::MAX as f64) as u64
}

fn min_max(m: &RawMinMax, ctx: &ItemContext) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let review = review_period("min_max.review_period_days", m.review_period_days)?;
    let mut sizing = base_sizing(RuleKind::MinMax, ctx, review);
    let safety = SafetySpec {
        units: m.safety_stock,
        days: m.safety_stock_days,
        service_level: m.service_level,
    };
    let min = stock_level(
        Level {
            rule: "min_max",
            field: "min",
            explicit: m.min,
            safety_required: false,
        },
        &safety,
        ctx,
        &mut sizing,
    )?;
    let max = match (m.max, m.order_quantity) {
        (Some(_), Some(_)) => {
            return Err(vec![problem(
                "min_max",
                "give max or order_quantity, not both",
            )]);
        }
        (Some(max), None) => {
            if max <= min {
                return Err(vec![problem(
                    "min_max.max",
                    format!("must be greater than min ({min}) (got {max})"),
                )]);
            }
            max
        }
        (None, quantity) => match quantity.or(ctx.container_size) {
            Some(q) => min + q,
            None => {
                return Err(vec![problem(
                    "min_max.max",
                    "needs max, order_quantity, or a container_size on the item \
                     (max = min + one kanban quantity)",
                )]);
            }
        },
    };
    sizing.order_up_to = Some(max);
    let rule = OrderRule {
        review_period: review,
        trigger: min,
        quantity: Quantity::UpTo(max),
    };
    Ok((rule, sizing))
}

fn reorder_point(
    r: &RawReorderPoint,
    ctx: &ItemContext,
) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let mut sizing = base_sizing(RuleKind::ReorderPoint, ctx, 1);
    let safety = SafetySpec {
        units: r.safety_stock,
        days: r.safety_stock_days,
        service_level: r.service_level,
    };
    let trigger = stock_level(
        Level {
            rule: "reorder_point",
            field: "reorder_point",
            explicit: r.reorder_point,
            safety_required: true,
        },
        &safety,
        ctx,
        &mut sizing,
    )?;
    let quantity = match r.quantity {
        RawQuantity::Eoq => {
            let eoq = economic_order_quantity(ctx)
                .map_err(|m| vec![problem("reorder_point.quantity", m)])?;
            let eoq = level(ctx, eoq);
            sizing.order_quantity = Some(eoq);
            Quantity::Lots(eoq)
        }
        RawQuantity::Fixed(q) => {
            sizing.order_quantity = Some(q);
            Quantity::Lots(q)
        }
        RawQuantity::OrderUpTo(s) => {
            if s <= trigger {
                return Err(vec![problem(
                    "reorder_point.quantity.order_up_to",
                    format!("must be greater than the reorder point ({trigger}) (got {s})"),
                )]);
            }
            sizing.order_up_to = Some(s);
            Quantity::UpTo(s)
        }
    };
    Ok((
        OrderRule {
            review_period: 1,
            trigger,
            quantity,
        },
        sizing,
    ))
}

/// EOQ = sqrt(2 · annual demand · order cost / (carrying rate · unit cost)).
fn economic_order_quantity(ctx: &ItemContext) -> Result<f64, String> {
    if ctx.order_cost <= 0.0 {
        return Err("EOQ needs the item's order_cost to be greater than zero; \
                    or give quantity = { fixed = N }"
            .into());
    }
    let holding = ctx.carrying_rate * ctx.unit_cost;
    if holding <= 0.0 {
        return Err("EOQ needs a carrying_rate and unit_cost greater than zero".into());
    }
    let annual = 365.0 * ctx.mean_daily_demand;
    // Without demand (an item, or a re-sized month, that sells nothing) the formula gives no
    // lot: the smallest lot a scenario may give instead, so that an order is a finite number
    // of lots.
    Ok((2.0 * annual * ctx.order_cost / holding)
        .sqrt()
        .max(POSITIVE_QUANTITY.low))
}

/// Which stock level a rule is sizing, for [`stock_level`].
struct Level<'a> {
    rule: &'a str,
    field: &'a str,
    explicit: Option<f64>,
    /// Whether the rule needs one of the ways of giving the level (a reorder point does; a
    /// min-max rule without safety stock simply covers the protection period).
    safety_required: bool,
}

/// A rule's trigger or order-up-to level: given explicitly, or the demand of the protection
/// period plus a safety stock. Records both in `sizing`.
fn stock_level(
    level_of: Level<'_>,
    safety: &SafetySpec,
    ctx: &ItemContext,
    sizing: &mut Sizing,
) -> Result<f64, Vec<RuleProblem>> {
    let Level {
        rule,
        field,
        explicit,
        safety_required,
    } = level_of;
    let value = match explicit {
        Some(value) => {
            if safety.is_given() {
                return Err(vec![problem(
                    &format!("{rule}.{field}"),
                    format!("give {field}, or a safety stock to derive it from, not both"),
                )]);
            }
            value
        }
        None => {
            let ss = match safety.resolve(rule, ctx, sizing.protection_days)? {
                Some(ss) => ss,
                None if !safety_required => 0.0,
                None => {
                    return Err(vec![problem(
                        rule,
                        format!("give {field}, safety_stock, safety_stock_days or service_level"),
                    )]);
                }
            };
            sizing.safety_stock = Some(ss);
            level(ctx, ctx.mean_daily_demand * sizing.protection_days + ss)
        }
    };
    sizing.reorder_point = value;
    Ok(value)
}

/// The order-up-to rules: (R, S) and base-stock.
fn order_up_to_rule(
    kind: RuleKind,
    review: u32,
    explicit: Option<f64>,
    safety: SafetySpec,
    ctx: &ItemContext,
) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let mut sizing = base_sizing(kind, ctx, review);
    let level_of = Level {
        rule: kind.name(),
        field: "order_up_to",
        explicit,
        safety_required: true,
    };
    let s = stock_level(level_of, &safety, ctx, &mut sizing)?;
    sizing.order_up_to = Some(s);
    Ok((
        OrderRule {
            review_period: review,
            trigger: s,
            quantity: Quantity::UpTo(s),
        },
        sizing,
    ))
}

fn periodic_review(
    p: &RawPeriodicReview,
    ctx: &ItemContext,
) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let review = review_period("periodic_review.review_period_days", p.review_period_days)?;
    let safety = SafetySpec {
        units: p.safety_stock,
        days: p.safety_stock_days,
        service_level: p.service_level,
    };
    order_up_to_rule(RuleKind::PeriodicReview, review, p.order_up_to, safety, ctx)
}

fn base_stock(
    b: &RawBaseStock,
    ctx: &ItemContext,
) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let safety = SafetySpec {
        units: b.safety_stock,
        days: b.safety_stock_days,
        service_level: b.service_level,
    };
    order_up_to_rule(RuleKind::BaseStock, 1, b.order_up_to, safety, ctx)
}

fn s_s(raw: &RawSS, ctx: &ItemContext) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let review = review_period("s_s.review_period_days", raw.review_period_days)?;
    if raw.order_up_to <= raw.reorder_point {
        return Err(vec![problem(
            "s_s.order_up_to",
            format!(
                "must be greater than reorder_point ({}) (got {})",
                raw.reorder_point, raw.order_up_to
            ),
        )]);
    }
    let mut sizing = base_sizing(RuleKind::SS, ctx, review);
    sizing.reorder_point = raw.reorder_point;
    sizing.order_up_to = Some(raw.order_up_to);
    let rule = OrderRule {
        review_period: review,
        trigger: raw.reorder_point,
        quantity: Quantity::UpTo(raw.order_up_to),
    };
    Ok((rule, sizing))
}

fn r_q(raw: &RawRQ, ctx: &ItemContext) -> Result<(OrderRule, Sizing), Vec<RuleProblem>> {
    let mut sizing = base_sizing(RuleKind::RQ, ctx, 1);
    sizing.reorder_point = raw.reorder_point;
    sizing.order_quantity = Some(raw.order_quantity);
    let rule = OrderRule {
        review_period: 1,
        trigger: raw.reorder_point,
        quantity: Quantity::Lots(raw.order_quantity),
    };
    Ok((rule, sizing))
}

/// Why the stock levels a sized rule reaches — its target, raised by a pre-build to `peak`
/// times (1 without one), plus the strategic reserve — are too high to simulate, if they are:
/// beyond [`MAX_STOCK_LEVEL`] whole units are not counted exactly. Each number may be within
/// its range and their product not.
pub(crate) fn excessive_levels(rule: &OrderRule, peak: f64, reserve: f64) -> Option<String> {
    let highest = rule.target_stock() * peak + reserve;
    if highest <= MAX_STOCK_LEVEL {
        return None;
    }
    let included = if peak > 1.0 || reserve > 0.0 {
        " (pre-build and reserve included)"
    } else {
        ""
    };
    Some(format!(
        "the rule's stock levels reach {highest:.2e} units{included}, more than the \
         1,000,000,000,000,000 (1e15) a level may reach, beyond which whole units are not \
         counted exactly: check the item's demand, costs and lead times, and the rule's safety \
         stock"
    ))
}

/// One entry of a planner's level plan for an item: from `from_day` of the run (until the
/// next entry or the end of the horizon) the item follows `rule`, whatever re-sizing and
/// pre-build windows would give it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PlannedLevels {
    pub(crate) from_day: u32,
    pub(crate) rule: OrderRule,
}

/// `rule` with its stock levels times `factor`, rounded up to whole units for an item in
/// whole units; the rule itself for a factor of 1. The engine's stretches and an item's own
/// rules per stretch scale the same way.
pub(crate) fn scaled_rule(rule: &OrderRule, factor: f64, whole_units: bool) -> OrderRule {
    match (factor == 1.0, whole_units) {
        (true, _) => *rule,
        (false, false) => rule.scaled(factor),
        (false, true) => rule.scaled(factor).in_whole_units(),
    }
}

/// The rule of `item` on every stretch of `segments`: its plan's entry where one has begun,
/// else its period's rule (`by_period`, or `rule` when sized once) times its own factor that
/// day. For an item with windows of its own or a level plan (see [`Prebuilds::names`]).
pub(crate) fn item_segment_rules(
    segments: &[LevelSegment],
    calendar: Calendar,
    prebuilds: &Prebuilds,
    item: usize,
    (rule, by_period, whole_units): (&OrderRule, &[OrderRule], bool),
    plan: &[PlannedLevels],
) -> Vec<OrderRule> {
    segments
        .iter()
        .map(
            |segment| match plan.iter().rev().find(|p| p.from_day <= segment.start) {
                Some(planned) => planned.rule,
                None => {
                    let base = by_period.get(segment.period).unwrap_or(rule);
                    let factor = prebuilds.item_factor(item, calendar.day_of_year(segment.start));
                    scaled_rule(base, factor, whole_units)
                }
            },
        )
        .collect()
}

/// One named policy of a scenario, sized for every item.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The policy's name, as in `[policy.NAME]`.
    pub name: String,
    /// One entry per item, in the scenario's item order.
    pub items: Vec<ItemPolicy>,
    /// The seasonal pre-build windows, for every item or for some (none without a pre-build).
    pub prebuilds: Prebuilds,
    /// How often the rules are re-sized for the demand expected, if they are.
    pub resize: Option<Resize>,
    /// The horizon cut into stretches of constant stock levels, in order (a single stretch of
    /// factor 1 without a pre-build, re-sizing or level plan).
    pub segments: Vec<LevelSegment>,
}

/// One item's rule under one policy.
#[derive(Clone, Debug)]
pub struct ItemPolicy {
    /// The order rule the engine runs, its levels whole for an item in whole units: sized
    /// for the year, or, under a policy that re-sizes, for the first period.
    pub rule: OrderRule,
    /// Under a policy that re-sizes ([`Policy::resize`]), the rule of each period, in order
    /// ([`LevelSegment::period`]); empty otherwise.
    pub by_period: Vec<OrderRule>,
    /// For an item with pre-build windows of its own or a level plan, its rule on each of the
    /// policy's stretches ([`Policy::segments`]), scaled and planned already; empty for an
    /// item that follows the policy's windows alone.
    pub by_segment: Vec<OrderRule>,
    /// How the rule was sized, for reports.
    pub sizing: Sizing,
    pub(crate) initial_on_hand: f64,
    /// Strategic reserve in units: drawn only when the shelf is empty, refilled first.
    pub reserve: f64,
    /// Expediting terms, if the policy expedites.
    pub expedite: Option<Expedite>,
}

/// Expediting terms of a policy for one item.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Expedite {
    /// Days from placing an expedited order to receiving it.
    pub(crate) lead_time_days: u32,
    /// Extra cost per expedited unit, as a fraction of its unit cost.
    pub premium_rate: f64,
    /// Most units expedited per simulated year.
    pub(crate) max_units_per_year: f64,
    /// Mean daily demand the run-out projection uses.
    pub mean_daily_demand: f64,
    /// How far ahead the projection looks when orders wait at a supplier with no due day: the
    /// item's mean lead time, rounded up.
    pub(crate) cover_days: u32,
}

impl Expedite {
    /// One line for people: "2 day(s), +35% of unit cost, at most 4000 units per item and
    /// year".
    pub fn describe(&self) -> String {
        let cap = if self.max_units_per_year.is_finite() {
            format!(
                ", at most {} units per item and year",
                self.max_units_per_year
            )
        } else {
            String::new()
        };
        format!(
            "{} day(s), +{:.0}% of unit cost{cap}",
            self.lead_time_days,
            100.0 * self.premium_rate
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> ItemContext {
        ItemContext {
            mean_daily_demand: 50.0,
            demand_sd: 10.0,
            lead_time_mean: 2.0,
            lead_time_sd: 0.0,
            unit_cost: 10.0,
            carrying_rate: 0.25,
            order_cost: 100.0,
            container_size: Some(25.0),
            whole_units: true,
            shelf_life_days: None,
        }
    }

    #[test]
    fn reference_kanban_example() {
        // 50/day, lead time 2, safety factor 0.2, container 25 → 4.8 → 5 containers, 125 units.
        let raw = RawKanban {
            containers: None,
            safety_factor: Some(0.2),
            container_size: None,
        };
        let (rule, sizing) = kanban(&raw, &ctx()).unwrap();
        let k = sizing.kanban.unwrap();
        assert_eq!(k.containers, 5);
        assert_eq!(k.total_units, 125.0);
        assert_eq!(k.days_of_supply, Some(2.5));
        assert!(k.computed);
        assert_eq!(rule.trigger, 100.0);
    }

    #[test]
    fn kanban_orders_one_container_per_empty_container() {
        let rule = OrderRule {
            review_period: 1,
            trigger: 100.0,
            quantity: Quantity::Containers {
                target: 125.0,
                size: 25.0,
            },
        };
        assert_eq!(rule.order_quantity(125.0), 0.0);
        assert_eq!(rule.order_quantity(101.0), 0.0);
        assert_eq!(rule.order_quantity(100.0), 25.0);
        assert_eq!(rule.order_quantity(76.0), 25.0);
        assert_eq!(rule.order_quantity(75.0), 50.0);
        assert_eq!(rule.order_quantity(-10.0), 125.0);
    }

    #[test]
    fn kanban_count_is_exact_at_whole_numbers() {
        assert_eq!(kanban_count(50.0, 2.0, 0.2, 25.0), 5);
        assert_eq!(kanban_count(50.0, 2.0, 0.25, 25.0), 5);
        assert_eq!(kanban_count(50.0, 2.0, 0.26, 25.0), 6);
        assert_eq!(kanban_count(0.1, 1.0, 0.0, 25.0), 1);
        // Beyond 2³² − 1 the count is still exact (it was once capped there).
        assert_eq!(kanban_count(1e12, 2.0, 0.2, 25.0), 96_000_000_000);
    }

    #[test]
    fn lots_lift_position_above_the_reorder_point() {
        let rule = OrderRule {
            review_period: 1,
            trigger: 100.0,
            quantity: Quantity::Lots(30.0),
        };
        assert_eq!(rule.order_quantity(101.0), 0.0);
        assert_eq!(rule.order_quantity(100.0), 30.0);
        assert_eq!(rule.order_quantity(71.0), 30.0);
        assert_eq!(rule.order_quantity(70.0), 60.0);
    }

    #[test]
    fn order_up_to_and_min_max() {
        let rule = OrderRule {
            review_period: 1,
            trigger: 80.0,
            quantity: Quantity::UpTo(200.0),
        };
        assert_eq!(rule.order_quantity(81.0), 0.0);
        assert_eq!(rule.order_quantity(80.0), 120.0);
        assert_eq!(rule.order_quantity(-5.0), 205.0);
        let raw = RawMinMax {
            min: None,
            max: None,
            order_quantity: None,
            review_period_days: 1,
            safety_stock: Some(20.0),
            safety_stock_days: None,
            service_level: None,
        };
        let (rule, _) = min_max(&raw, &ctx()).unwrap();
        assert_eq!(rule.trigger, 120.0); // 50 × 2 + 20
        assert_eq!(rule.quantity, Quantity::UpTo(145.0)); // + one container of 25
    }

    #[test]
    fn reorder_point_from_service_level() {
        let mut c = ctx();
        c.whole_units = false;
        c.lead_time_sd = 0.5;
        let raw = RawReorderPoint {
            reorder_point: None,
            safety_stock: None,
            safety_stock_days: None,
            service_level: Some(0.95),
            quantity: RawQuantity::Eoq,
        };
        let (rule, sizing) = reorder_point(&raw, &c).unwrap();
        let ss = 1.644_853_626_951_472 * (2.0f64 * 100.0 + 2500.0 * 0.25).sqrt();
        assert!((sizing.safety_stock.unwrap() - ss).abs() < 1e-9);
        assert!((rule.trigger - (100.0 + ss)).abs() < 1e-9);
        let eoq = (2.0f64 * 365.0 * 50.0 * 100.0 / 2.5).sqrt();
        assert_eq!(rule.quantity, Quantity::Lots(eoq));
    }

    #[test]
    fn periodic_review_protects_lead_time_plus_review_minus_one() {
        let raw = RawPeriodicReview {
            review_period_days: 7,
            order_up_to: None,
            safety_stock: None,
            safety_stock_days: Some(3.0),
            service_level: None,
        };
        let (rule, sizing) = periodic_review(&raw, &ctx()).unwrap();
        assert_eq!(sizing.protection_days, 8.0);
        assert_eq!(rule.trigger, 50.0 * 8.0 + 150.0);
        assert_eq!(rule.review_period, 7);
    }

    #[test]
    fn conflicting_safety_inputs_are_rejected() {
        let raw = RawBaseStock {
            order_up_to: None,
            safety_stock: Some(1.0),
            safety_stock_days: Some(1.0),
            service_level: None,
        };
        let err = base_stock(&raw, &ctx()).unwrap_err();
        assert!(err[0].message.contains("at most one"));
        let raw = RawBaseStock {
            order_up_to: None,
            safety_stock: None,
            safety_stock_days: None,
            service_level: Some(1.5),
        };
        assert!(
            base_stock(&raw, &ctx()).unwrap_err()[0]
                .field
                .ends_with("service_level")
        );
    }

    #[test]
    fn scaling_raises_levels_but_not_lot_sizes() {
        let kanban = OrderRule {
            review_period: 1,
            trigger: 100.0,
            quantity: Quantity::Containers {
                target: 125.0,
                size: 25.0,
            },
        };
        let up = kanban.scaled(2.0);
        assert_eq!(
            up.quantity,
            Quantity::Containers {
                target: 250.0,
                size: 25.0
            }
        );
        assert_eq!(up.trigger, 225.0);
        let rop = OrderRule {
            review_period: 1,
            trigger: 100.0,
            quantity: Quantity::Lots(40.0),
        };
        assert_eq!(
            rop.scaled(1.5),
            OrderRule {
                review_period: 1,
                trigger: 150.0,
                quantity: Quantity::Lots(40.0)
            }
        );
    }

    #[test]
    fn whole_unit_rules_have_whole_levels() {
        let rule = OrderRule {
            review_period: 1,
            trigger: 123.4,
            quantity: Quantity::UpTo(145.3),
        };
        let whole = rule.in_whole_units();
        assert_eq!(
            (whole.trigger, whole.quantity),
            (123.0, Quantity::UpTo(146.0))
        );
        // Same decisions at every whole position.
        for position in 0..200 {
            let p = f64::from(position);
            assert_eq!(rule.order_quantity(p) > 0.0, whole.order_quantity(p) > 0.0);
            assert_eq!(rule.order_quantity(p).ceil(), whole.order_quantity(p));
        }
        let lots = OrderRule {
            review_period: 1,
            trigger: 99.5,
            quantity: Quantity::Lots(30.2),
        };
        assert_eq!(lots.in_whole_units().quantity, Quantity::Lots(31.0));
    }

    #[test]
    fn an_item_s_own_rules_follow_its_windows_then_its_plan() {
        use crate::model::levels::{Prebuild, level_segments};
        let calendar = Calendar::Days365 {
            start_day_of_year: 0,
        };
        // Every item × 1.5 on days 10–29; item 1 × 3 on days 20–39; a plan entry on day 50.
        let prebuilds = Prebuilds(vec![
            Prebuild {
                items: vec![],
                ..Prebuild::new(10, 30, 1.5).unwrap()
            },
            Prebuild {
                items: vec![1],
                ..Prebuild::new(20, 40, 3.0).unwrap()
            },
        ]);
        let segments = level_segments(60, calendar, &prebuilds, &[], &[50]);
        let rule = OrderRule {
            review_period: 1,
            trigger: 10.0,
            quantity: Quantity::UpTo(20.0),
        };
        let planned = OrderRule {
            review_period: 1,
            trigger: 50.0,
            quantity: Quantity::UpTo(90.0),
        };
        let plan = [PlannedLevels {
            from_day: 50,
            rule: planned,
        }];
        let rules = item_segment_rules(
            &segments,
            calendar,
            &prebuilds,
            1,
            (&rule, &[], true),
            &plan,
        );
        let triggers: Vec<f64> = rules.iter().map(|r| r.trigger).collect();
        assert_eq!(triggers, vec![10.0, 15.0, 30.0, 30.0, 10.0, 50.0]);
    }
}
