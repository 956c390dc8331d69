//! The key inputs of a summary: what the scenario assumed, written beside the figures it led
//! to, so that a report drawn from summary.json alone can say why two policies differ — the
//! suppliers (lead time, reliability, minimums, capacity), the items (costs, demand,
//! sourcing), every disruption with its occurrence and effect, and each policy's settings
//! beyond its rules (pre-build, strategic reserve, expediting). The rules and the levels they
//! resolve to are the policies' `sizing`.

use serde::{Deserialize, Serialize};

use crate::foundation::format::group_thousands;
use crate::model::scenario::{Item, Scenario};
use crate::model::supply::Supplier;

/// What the scenario assumed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inputs {
    /// Every supplier, in file order.
    pub suppliers: Vec<SupplierInput>,
    /// Every item, in file order.
    pub items: Vec<ItemInput>,
    /// Every disruption, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disruptions: Vec<DisruptionInput>,
    /// Every policy's settings beyond its rules, in file order.
    pub policies: Vec<PolicyInput>,
}

/// One supplier as the scenario describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupplierInput {
    /// The supplier's id.
    pub supplier: String,
    /// Its region, which regional disruptions strike.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Mean days from order to receipt when nothing waits, lateness included.
    pub lead_time_mean: f64,
    /// Standard deviation of the same.
    pub lead_time_sd: f64,
    /// Share of shipments within the quoted lead time.
    pub on_time_probability: f64,
    /// Units per item and day it can ship; absent when unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_per_day: Option<f64>,
    /// Each order line is raised to at least this; absent without a minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_order_quantity: Option<f64>,
    /// Orders are rounded up to a multiple of this; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_multiple: Option<f64>,
    /// Share of shipments rejected at receiving inspection in normal times; absent when 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_probability: Option<f64>,
    /// Extra cost per unit bought from it; absent when 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost_premium: Option<f64>,
}

/// One item as the scenario describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemInput {
    /// The item's id.
    pub item: String,
    /// Value of one unit.
    pub unit_cost: f64,
    /// Carrying cost per year as a share of unit value.
    pub carrying_rate: f64,
    /// Cost per order line.
    pub order_cost: f64,
    /// Cost per unit not served from stock when demanded.
    pub stockout_penalty: f64,
    /// Mean daily demand over a year (seasonality and trend included).
    pub mean_daily_demand: f64,
    /// Standard deviation of daily demand over a year.
    pub demand_sd: f64,
    /// Where it is bought, in words: "overseas", "overseas 70%, domestic 30%", or a failover.
    pub sourcing: String,
}

/// One disruption as the scenario describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisruptionInput {
    /// The disruption's id.
    pub disruption: String,
    /// What it hits and when, in words (as `validate` prints it).
    pub description: String,
}

/// One policy's settings beyond its rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyInput {
    /// The policy's name.
    pub policy: String,
    /// The seasonal pre-build, in words; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prebuild: Option<String>,
    /// The strategic reserve held apart per item, in units (items without one left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserve: Vec<ItemAmount>,
    /// Expediting terms, in words; absent when the policy does not expedite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expediting: Option<String>,
}

/// An amount of one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemAmount {
    /// The item's id.
    pub item: String,
    /// The amount, in the item's units.
    pub units: f64,
}

impl Inputs {
    /// The key inputs of `scenario`.
    pub fn new(scenario: &Scenario) -> Inputs {
        let item_ids: Vec<String> = scenario.items.iter().map(|i| i.id.clone()).collect();
        Inputs {
            suppliers: scenario.suppliers.iter().map(SupplierInput::new).collect(),
            items: scenario
                .items
                .iter()
                .map(|item| ItemInput {
                    item: item.id.clone(),
                    unit_cost: item.unit_cost,
                    carrying_rate: item.carrying_rate,
                    order_cost: item.order_cost,
                    stockout_penalty: item.stockout_penalty,
                    mean_daily_demand: item.demand.annual_daily_mean(),
                    demand_sd: item.demand.annual_daily_sd(),
                    sourcing: sourcing(item, &scenario.suppliers),
                })
                .collect(),
            disruptions: scenario
                .disruptions
                .iter()
                .map(|d| DisruptionInput {
                    disruption: d.id.clone(),
                    description: d.describe(&scenario.suppliers, &item_ids),
                })
                .collect(),
            policies: scenario
                .policies
                .iter()
                .map(|p| PolicyInput {
                    policy: p.name.clone(),
                    prebuild: p.prebuild.as_ref().map(|pb| pb.describe()),
                    reserve: scenario
                        .items
                        .iter()
                        .zip(&p.items)
                        .filter(|(_, ip)| ip.reserve > 0.0)
                        .map(|(item, ip)| ItemAmount {
                            item: item.id.clone(),
                            units: ip.reserve,
                        })
                        .collect(),
                    expediting: p
                        .items
                        .iter()
                        .find_map(|ip| ip.expedite)
                        .map(|e| e.describe()),
                })
                .collect(),
        }
    }
}

impl SupplierInput {
    fn new(s: &Supplier) -> SupplierInput {
        let positive = |x: f64| (x > 0.0).then_some(x);
        SupplierInput {
            supplier: s.id.clone(),
            region: s.region.clone(),
            lead_time_mean: s.lead_time_mean(),
            lead_time_sd: s.lead_time_variance().sqrt(),
            on_time_probability: s.on_time_probability,
            capacity_per_day: s.capacity_per_day.is_finite().then_some(s.capacity_per_day),
            min_order_quantity: positive(s.min_order_quantity),
            order_multiple: positive(s.order_multiple),
            rejection_probability: positive(s.rejection_probability),
            unit_cost_premium: positive(s.unit_cost_premium),
        }
    }
}

/// Where an item is bought, in words.
fn sourcing(item: &Item, suppliers: &[Supplier]) -> String {
    let name = |k: usize| suppliers[item.sourcing[k].supplier].id.clone();
    if let Some(days) = item.failover_after_days {
        return format!(
            "{}, moving to {} after {days} days without shipments",
            name(0),
            name(1)
        );
    }
    if item.sourcing.len() == 1 {
        return name(0);
    }
    item.sourcing
        .iter()
        .enumerate()
        .map(|(k, s)| format!("{} {}%", name(k), group_thousands(100.0 * s.share, 0)))
        .collect::<Vec<_>>()
        .join(", ")
}
