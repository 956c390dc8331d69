//! The scenario file as written: serde shapes only.
//!
//! Every struct denies unknown fields, so a typo is reported with its line instead of being
//! ignored. Choices between alternatives are externally tagged enums (`{ normal = { … } }`),
//! which keeps the parser's line information intact. Cross-field rules and value ranges are
//! checked when this is turned into a [`crate::model::scenario::Scenario`], where every problem is
//! collected and reported at once.

use indexmap::IndexMap;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub simulation: RawSimulation,
    #[serde(default, rename = "supplier", alias = "suppliers")]
    pub suppliers: Vec<RawSupplier>,
    #[serde(default, rename = "item", alias = "items")]
    pub items: Vec<RawItem>,
    #[serde(default, rename = "disruption", alias = "disruptions")]
    pub disruptions: Vec<RawDisruption>,
    #[serde(default, rename = "policy", alias = "policies")]
    pub policies: IndexMap<String, RawPolicy>,
    /// `[targets]`: a condition per metric, e.g. `stockout_rate = "<= 2%"`.
    #[serde(default)]
    pub targets: IndexMap<String, String>,
    /// Purchase budgets over the catalogue or some suppliers.
    #[serde(default, rename = "budget", alias = "budgets")]
    pub budgets: Vec<RawBudget>,
}

/// A purchase budget: `[[budget]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBudget {
    pub id: String,
    pub amount: f64,
    pub period: String,
    /// Supplier ids the budget covers; the whole catalogue when absent.
    pub suppliers: Option<Vec<String>>,
    #[serde(default = "default_when_exceeded")]
    pub when_exceeded: String,
}

fn default_when_exceeded() -> String {
    "wait".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    pub name: Option<String>,
    #[serde(default = "default_horizon")]
    pub horizon_days: i64,
    #[serde(default)]
    pub warmup_days: i64,
    #[serde(default = "default_runs")]
    pub runs: i64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub unmet_demand: UnmetDemand,
    /// Day of the year of day 0 (0 = 1 January); 0 unless given. Not beside `start_date`.
    pub start_day_of_year: Option<i64>,
    /// The date of day 0, which gives every day of a run its date.
    pub start_date: Option<RawDay>,
    pub results: Option<String>,
    pub currency: Option<String>,
}

fn default_horizon() -> i64 {
    365
}
fn default_runs() -> i64 {
    1000
}
fn default_seed() -> u64 {
    1
}

/// What happens to demand that cannot be served from stock when it arises.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmetDemand {
    /// The customer goes elsewhere: the sale is lost.
    Lost,
    /// The customer waits: the unit is delivered from the next receipts.
    #[default]
    Backorder,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSupplier {
    pub id: String,
    pub lead_time: RawDays,
    #[serde(default = "one")]
    pub on_time_probability: f64,
    pub lateness: Option<RawDays>,
    pub capacity_per_day: Option<f64>,
    #[serde(default)]
    pub min_order_quantity: f64,
    pub order_multiple: Option<f64>,
    pub region: Option<String>,
    /// Chance that a shipment is rejected at receiving inspection.
    #[serde(default)]
    pub rejection_probability: f64,
    /// Extra cost per unit bought from this supplier (e.g. a dearer backup).
    #[serde(default)]
    pub unit_cost_premium: f64,
    /// Capacity in value (units × price) per day, shared by the items bought from it.
    pub capacity_value_per_day: Option<f64>,
    /// How a short day's capacity is shared: "fifo", "proportional" or "priority".
    pub allocation: Option<String>,
    /// Item ids, most important first, for `allocation = "priority"`.
    pub priority: Option<Vec<String>>,
    /// Share of the capacity reserved for an item, by item id.
    pub guaranteed_share: Option<IndexMap<String, f64>>,
    /// Least value of one order to the supplier (all items' lines of a day).
    #[serde(default)]
    pub min_order_value: f64,
    /// Weekdays on which the supplier takes orders, e.g. ["mon", "thu"].
    pub order_days: Option<Vec<String>>,
    /// The supplier takes orders every this many days (days 0, R, 2R, …).
    pub order_cycle_days: Option<i64>,
    /// Fixed cost of each order placed with the supplier, shared by its lines.
    #[serde(default)]
    pub delivery_cost: f64,
}

fn one() -> f64 {
    1.0
}

/// A day as written: a number, or a date "YYYY-MM-DD" (a TOML date literal or a string),
/// which only a scenario with `start_date` can place. Read by hand rather than as an untagged
/// enum, which would lose the parser's line information.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RawDay {
    Number(i64),
    /// The text given, checked when the scenario is validated.
    Date(String),
}

impl<'de> Deserialize<'de> for RawDay {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawDayVisitor)
    }
}

/// The key under which the `toml` crate hands over a date literal as a one-entry map.
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

struct RawDayVisitor;

impl<'de> serde::de::Visitor<'de> for RawDayVisitor {
    type Value = RawDay;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a day number or a date \"YYYY-MM-DD\"")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<RawDay, E> {
        Ok(RawDay::Number(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<RawDay, E> {
        Ok(RawDay::Number(i64::try_from(v).unwrap_or(i64::MAX)))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawDay, E> {
        Ok(RawDay::Date(v.to_string()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<RawDay, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == TOML_DATETIME_KEY => Ok(RawDay::Date(map.next_value()?)),
            _ => Err(serde::de::Error::invalid_type(
                serde::de::Unexpected::Map,
                &self,
            )),
        }
    }
}

/// A number of days: fixed or drawn from a distribution.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawDays {
    Fixed(i64),
    Uniform { min: i64, max: i64 },
    Triangular { min: f64, mode: f64, max: f64 },
    Lognormal { mean: f64, sd: f64 },
    Empirical(Vec<i64>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawItem {
    pub id: String,
    pub unit_cost: f64,
    #[serde(default = "default_carrying_rate")]
    pub carrying_rate: f64,
    #[serde(default)]
    pub order_cost: f64,
    #[serde(default)]
    pub stockout_penalty: f64,
    pub container_size: Option<f64>,
    pub(crate) initial_on_hand: Option<f64>,
    /// Mean daily demand expected in each calendar month, January first, for re-sized rules.
    pub forecast_per_month: Option<Vec<f64>>,
    /// Days a unit can be used after it is received; absent: it never expires.
    pub shelf_life_days: Option<i64>,
    /// Share of its value that stock on hand loses in a year (obsolescence).
    #[serde(default)]
    pub obsolescence_rate: f64,
    pub demand: RawDemand,
    pub seasonality: Option<Vec<f64>>,
    #[serde(default)]
    pub trend_per_year: f64,
    #[serde(default)]
    pub units: RawUnits,
    /// Supplier ids; orders are split equally unless `sourcing` gives shares.
    #[serde(default)]
    pub suppliers: Vec<String>,
    #[serde(default)]
    pub sourcing: Vec<RawSource>,
    /// Primary-with-failover sourcing, instead of `suppliers` or `sourcing`.
    pub failover: Option<RawFailover>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFailover {
    pub primary: String,
    pub backup: String,
    pub after_days: i64,
}

fn default_carrying_rate() -> f64 {
    0.25
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RawUnits {
    #[default]
    Whole,
    Continuous,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSource {
    pub supplier: String,
    pub share: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawDemand {
    Deterministic(f64),
    Normal { mean: f64, sd: f64 },
    Poisson { mean: f64 },
    NegativeBinomial { mean: f64, sd: f64 },
    Lognormal { mean: f64, sd: f64 },
    Uniform { min: f64, max: f64 },
    Empirical(Vec<f64>),
    Trace { file: String, column: String },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDisruption {
    pub id: String,
    pub effect: RawEffect,
    pub occurrence: RawOccurrence,
}

/// What a disruption does while it is active. Supplier-side effects name one `supplier` or
/// every supplier of a `region`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawEffect {
    SupplierOutage {
        supplier: Option<String>,
        region: Option<String>,
        #[serde(default)]
        cancel_orders: bool,
    },
    CapacityCut {
        supplier: Option<String>,
        region: Option<String>,
        factor: f64,
    },
    RegionalEvent {
        region: String,
        #[serde(default)]
        capacity_factor: f64,
        #[serde(default)]
        cancel_orders: bool,
    },
    TransportDelay {
        supplier: Option<String>,
        region: Option<String>,
        extra_days: RawDays,
    },
    LeadTimeDrift {
        supplier: Option<String>,
        region: Option<String>,
        factor: f64,
    },
    QualityRejection {
        supplier: Option<String>,
        region: Option<String>,
        probability: f64,
    },
    DemandSurge {
        /// Item ids; empty means every item.
        #[serde(default)]
        items: Vec<String>,
        factor: RawFactor,
    },
}

/// A multiplier: fixed, or drawn once per event.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawFactor {
    Fixed(f64),
    Uniform { min: f64, max: f64 },
    Triangular { min: f64, mode: f64, max: f64 },
}

/// When a disruption is active.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum RawOccurrence {
    Random {
        rate_per_year: f64,
        duration_days: RawDays,
    },
    Markov {
        daily_failure_probability: Option<f64>,
        daily_recovery_probability: Option<f64>,
        mean_days_up: Option<f64>,
        mean_days_down: Option<f64>,
    },
    Scheduled {
        start_day: RawDay,
        duration_days: i64,
        repeat_every_days: Option<i64>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    pub rule: RawRule,
    #[serde(default)]
    pub items: IndexMap<String, RawRule>,
    /// One pre-build window (a table) or several (an array of tables).
    #[serde(default)]
    pub prebuild: RawPrebuilds,
    /// A planner's own dated levels, per item id.
    #[serde(default)]
    pub plan: IndexMap<String, Vec<RawPlanEntry>>,
    /// Rules re-sized for each period's expected demand.
    pub resize: Option<RawResize>,
    /// Strategic reserve per item, in days of its mean demand.
    #[serde(default)]
    pub reserve_days: f64,
    pub expedite: Option<RawExpedite>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExpedite {
    pub(crate) lead_time_days: i64,
    pub premium_rate: f64,
    pub(crate) max_units_per_year: Option<f64>,
}

/// `[policy.NAME.resize]`: `every = "month"` or `every_days = N`, and `look_ahead`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawResize {
    pub every: Option<String>,
    pub every_days: Option<i64>,
    #[serde(default)]
    pub look_ahead: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPrebuild {
    pub start_day_of_year: RawDay,
    pub(crate) end_day_of_year: RawDay,
    pub factor: f64,
    /// Item ids the window raises; absent for every item of the policy.
    pub items: Option<Vec<String>>,
}

/// A policy's `prebuild`: absent, one table (`[policy.NAME.prebuild]`), or an array of
/// tables (`[[policy.NAME.prebuild]]`). Read by hand rather than as an untagged enum, which
/// would hide a mistyped field behind "did not match any variant".
#[derive(Debug, Default)]
pub(crate) struct RawPrebuilds {
    pub windows: Vec<RawPrebuild>,
    /// Whether they were given as an array, so that messages name `prebuild[1]` rather than
    /// `prebuild`.
    pub listed: bool,
}

impl<'de> Deserialize<'de> for RawPrebuilds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Windows;
        impl<'de> serde::de::Visitor<'de> for Windows {
            type Value = RawPrebuilds;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a pre-build window table, or an array of them")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawPrebuilds, A::Error> {
                let one =
                    RawPrebuild::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(RawPrebuilds {
                    windows: vec![one],
                    listed: false,
                })
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawPrebuilds, A::Error> {
                let mut windows = Vec::new();
                while let Some(window) = seq.next_element()? {
                    windows.push(window);
                }
                Ok(RawPrebuilds {
                    windows,
                    listed: true,
                })
            }
        }
        deserializer.deserialize_any(Windows)
    }
}

/// One entry of an item's level plan: `from` a day or a date, and the item's rule from then
/// on, written as the rule tables of a policy are (`min_max = { min = 300, max = 700 }`).
/// Read by hand so that a mistyped rule is named as one.
#[derive(Debug)]
pub(crate) struct RawPlanEntry {
    pub from: RawDay,
    pub rule: RawRule,
}

impl<'de> Deserialize<'de> for RawPlanEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;
        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = RawPlanEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "a plan entry: `from` (a day or a date) and one rule table, e.g. \
                     { from = 2027-09-15, min_max = { min = 300, max = 700 } }",
                )
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<RawPlanEntry, A::Error> {
                use serde::de::Error;
                let (mut from, mut rule) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    if key == "from" {
                        from = Some(map.next_value::<RawDay>()?);
                    } else if rule.is_some() {
                        return Err(A::Error::custom(format!(
                            "a plan entry holds one rule, found a second: `{key}`"
                        )));
                    } else {
                        let body: toml::Value = map.next_value()?;
                        let table = toml::Table::from_iter([(key, body)]);
                        rule = Some(
                            RawRule::deserialize(toml::Value::Table(table)).map_err(|e| {
                                A::Error::custom(e.to_string().trim_end().to_string())
                            })?,
                        );
                    }
                }
                match (from, rule) {
                    (Some(from), Some(rule)) => Ok(RawPlanEntry { from, rule }),
                    (None, _) => Err(A::Error::missing_field("from")),
                    (_, None) => Err(A::Error::custom(
                        "a plan entry needs the item's rule with its levels from that day, \
                         e.g. min_max = { min = 300, max = 700 }",
                    )),
                }
            }
        }
        deserializer.deserialize_map(Entry)
    }
}

/// The replenishment rules a policy can apply to an item.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawRule {
    Kanban(RawKanban),
    MinMax(RawMinMax),
    ReorderPoint(RawReorderPoint),
    PeriodicReview(RawPeriodicReview),
    #[serde(rename = "s_s")]
    SS(RawSS),
    #[serde(rename = "r_q")]
    RQ(RawRQ),
    BaseStock(RawBaseStock),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKanban {
    pub containers: Option<i64>,
    pub safety_factor: Option<f64>,
    pub container_size: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMinMax {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub order_quantity: Option<f64>,
    #[serde(default = "one_day")]
    pub review_period_days: i64,
    pub safety_stock: Option<f64>,
    pub safety_stock_days: Option<f64>,
    pub service_level: Option<f64>,
}

fn one_day() -> i64 {
    1
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReorderPoint {
    pub reorder_point: Option<f64>,
    pub safety_stock: Option<f64>,
    pub safety_stock_days: Option<f64>,
    pub service_level: Option<f64>,
    #[serde(default)]
    pub quantity: RawQuantity,
}

/// How much a reorder-point rule orders once triggered.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RawQuantity {
    /// Economic order quantity from demand, order cost and carrying cost.
    #[default]
    Eoq,
    /// A fixed lot, repeated until the inventory position is above the reorder point.
    Fixed(f64),
    /// Up to this inventory position.
    OrderUpTo(f64),
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPeriodicReview {
    pub review_period_days: i64,
    pub order_up_to: Option<f64>,
    pub safety_stock: Option<f64>,
    pub safety_stock_days: Option<f64>,
    pub service_level: Option<f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSS {
    pub reorder_point: f64,
    pub order_up_to: f64,
    #[serde(default = "one_day")]
    pub review_period_days: i64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRQ {
    pub reorder_point: f64,
    pub order_quantity: f64,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBaseStock {
    pub order_up_to: Option<f64>,
    pub safety_stock: Option<f64>,
    pub safety_stock_days: Option<f64>,
    pub service_level: Option<f64>,
}
