//! The key inputs of a summary: what the scenario assumed, written beside the figures it led
//! to, so that a report drawn from summary.json alone can say why two policies differ — the
//! suppliers (lead time, reliability, minimums, capacity and how it is shared, order days,
//! value minimums and delivery costs), the items (costs, demand, sourcing), every disruption
//! with its occurrence and effect, the purchase budgets, and each policy's settings beyond its
//! rules (pre-build, strategic reserve, expediting). The rules and the levels they resolve to
//! are the policies' `sizing`.
//!
//! Every field added since the first summaries is left out when the scenario does not use it
//! (and read as absent from older files), so a summary of a scenario without shared suppliers
//! or budgets is written as before, byte for byte.

use serde::{Deserialize, Serialize};

use crate::foundation::format::group_thousands;
use crate::model::budget::Budget;
use crate::model::resize::describe_plan;
use crate::model::scenario::{Item, Scenario};
use crate::model::supply::{Allocation, OrderDays, Supplier};

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
    /// Every purchase budget (`[[budget]]`), in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetInput>,
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
    /// Units per day it can ship, shared by every item bought from it; absent when unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_per_day: Option<f64>,
    /// Value (units × price) per day it can ship, shared like the units; absent when unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_value_per_day: Option<f64>,
    /// How a short day's capacity is shared: `proportional` or `priority`; absent for `fifo`
    /// (the oldest order line first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation: Option<String>,
    /// The items in the order `priority` serves them, most important first (the others follow
    /// in file order); empty unless the allocation is `priority`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<String>,
    /// Shares of the day's capacity reserved for items; empty without guarantees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guaranteed_share: Vec<ItemShare>,
    /// Least value of a day's order to it, all items' lines together; absent when 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_order_value: Option<f64>,
    /// The days it takes orders, in words ("mon, thu", "every 7 days"); absent when every day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_days: Option<String>,
    /// Fixed cost of each order placed with it, shared by its lines by value; absent when 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_cost: Option<f64>,
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

/// A share of something for one item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemShare {
    /// The item's id.
    pub item: String,
    /// The share, from 0 to 1.
    pub share: f64,
}

/// One purchase budget as the scenario describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BudgetInput {
    /// The budget's id.
    pub budget: String,
    /// Value that may be ordered in each period.
    pub amount: f64,
    /// `week` or `month` (calendar months).
    pub period: String,
    /// The suppliers whose orders count against it; absent for the whole catalogue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppliers: Option<Vec<String>>,
    /// What happens to an order line that does not fit: `wait` or `trim`.
    pub when_exceeded: String,
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
    /// Days its stock can be used after it is received; absent when it never expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_life_days: Option<u32>,
    /// Share of its value stock on hand loses in a year; absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub obsolescence_rate: Option<f64>,
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
    /// The seasonal pre-build windows, in words, separated by "; "; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prebuild: Option<String>,
    /// The items' level plans, one line per item with a plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<String>,
    /// How often the rules are re-sized for the demand expected, in words; absent when they
    /// are sized once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize: Option<String>,
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
            suppliers: scenario
                .suppliers
                .iter()
                .map(|s| SupplierInput::new(s, &item_ids))
                .collect(),
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
                    shelf_life_days: item.shelf_life_days,
                    obsolescence_rate: (item.obsolescence_rate > 0.0)
                        .then_some(item.obsolescence_rate),
                })
                .collect(),
            disruptions: scenario
                .disruptions
                .iter()
                .map(|d| DisruptionInput {
                    disruption: d.id.clone(),
                    description: d.describe(&scenario.suppliers, &item_ids, scenario.calendar()),
                })
                .collect(),
            budgets: scenario
                .budgets
                .iter()
                .map(|b| BudgetInput::new(b, &scenario.suppliers))
                .collect(),
            policies: scenario
                .policies
                .iter()
                .map(|p| PolicyInput {
                    policy: p.name.clone(),
                    prebuild: (!p.prebuilds.is_empty()).then(|| {
                        let windows: Vec<String> = p
                            .prebuilds
                            .0
                            .iter()
                            .map(|w| w.describe(scenario.calendar(), &item_ids))
                            .collect();
                        windows.join("; ")
                    }),
                    plan: scenario
                        .items
                        .iter()
                        .zip(&p.items)
                        .filter(|(_, ip)| !ip.sizing.plan.is_empty())
                        .map(|(item, ip)| {
                            describe_plan(&item.id, &ip.sizing.plan, scenario.calendar())
                        })
                        .collect(),
                    resize: p.resize.map(|r| r.describe()),
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
    fn new(s: &Supplier, item_ids: &[String]) -> SupplierInput {
        let positive = |x: f64| (x > 0.0).then_some(x);
        let finite = |x: f64| x.is_finite().then_some(x);
        SupplierInput {
            supplier: s.id.clone(),
            region: s.region.clone(),
            lead_time_mean: s.lead_time_mean(),
            lead_time_sd: s.lead_time_variance().sqrt(),
            on_time_probability: s.on_time_probability,
            capacity_per_day: finite(s.capacity_per_day),
            capacity_value_per_day: finite(s.capacity_value_per_day),
            allocation: (s.allocation != Allocation::Fifo).then(|| s.allocation.name().into()),
            priority: match &s.allocation {
                Allocation::Priority(order) => order.iter().map(|&i| item_ids[i].clone()).collect(),
                _ => Vec::new(),
            },
            guaranteed_share: s
                .guaranteed
                .iter()
                .map(|&(i, share)| ItemShare {
                    item: item_ids[i].clone(),
                    share,
                })
                .collect(),
            min_order_value: positive(s.min_order_value),
            order_days: (s.order_days != OrderDays::Every).then(|| s.order_days.describe()),
            delivery_cost: positive(s.delivery_cost),
            min_order_quantity: positive(s.min_order_quantity),
            order_multiple: positive(s.order_multiple),
            rejection_probability: positive(s.rejection_probability),
            unit_cost_premium: positive(s.unit_cost_premium),
        }
    }
}

impl BudgetInput {
    fn new(b: &Budget, suppliers: &[Supplier]) -> BudgetInput {
        BudgetInput {
            budget: b.id.clone(),
            amount: b.amount,
            period: b.period.name().into(),
            suppliers: b
                .suppliers
                .as_ref()
                .map(|list| list.iter().map(|&j| suppliers[j].id.clone()).collect()),
            when_exceeded: b.when_exceeded.name().into(),
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const PLAIN: &str = r#"
[simulation]
runs = 1

[[supplier]]
id = "s"
lead_time = { fixed = 3 }
capacity_per_day = 100

[[item]]
id = "a"
unit_cost = 2
demand = { deterministic = 10 }

[policy.base.rule.base_stock]
order_up_to = 50
"#;

    fn inputs(text: &str) -> Inputs {
        Inputs::new(&Scenario::from_source(text, Path::new("t.toml")).unwrap())
    }

    /// A scenario without shared suppliers or budgets writes the inputs it always wrote, and
    /// inputs written before them read back.
    #[test]
    fn the_new_fields_are_absent_unless_used() {
        let json = serde_json::to_string(&inputs(PLAIN)).unwrap();
        for absent in [
            "budgets",
            "capacity_value_per_day",
            "allocation",
            "priority",
            "guaranteed_share",
            "min_order_value",
            "order_days",
            "delivery_cost",
        ] {
            assert!(!json.contains(absent), "{absent}: {json}");
        }
        let old = r#"{"suppliers": [{"supplier": "s", "lead_time_mean": 3.0, "lead_time_sd": 0.0,
            "on_time_probability": 1.0, "capacity_per_day": 100.0}],
            "items": [], "policies": []}"#;
        let read: Inputs = serde_json::from_str(old).unwrap();
        assert!(read.budgets.is_empty());
        assert_eq!(read.suppliers[0].capacity_per_day, Some(100.0));
        assert_eq!(read.suppliers[0].allocation, None);
    }

    #[test]
    fn shared_suppliers_and_budgets_are_carried_and_read_back() {
        let text = PLAIN.replace(
            "capacity_per_day = 100",
            "capacity_value_per_day = 500\nallocation = \"priority\"\npriority = [\"a\"]\n\
             guaranteed_share = { a = 0.5 }\nmin_order_value = 40\norder_days = [\"tue\"]\n\
             delivery_cost = 7.5",
        ) + "\n[[budget]]\nid = \"b\"\namount = 900\nperiod = \"week\"\nsuppliers = [\"s\"]\n";
        let inputs = inputs(&text);
        let s = &inputs.suppliers[0];
        assert_eq!(s.capacity_per_day, None);
        assert_eq!(s.capacity_value_per_day, Some(500.0));
        assert_eq!(s.allocation.as_deref(), Some("priority"));
        assert_eq!(s.priority, ["a"]);
        assert_eq!(
            s.guaranteed_share,
            [ItemShare {
                item: "a".into(),
                share: 0.5
            }]
        );
        assert_eq!(s.min_order_value, Some(40.0));
        assert_eq!(s.order_days.as_deref(), Some("tue"));
        assert_eq!(s.delivery_cost, Some(7.5));
        assert_eq!(
            inputs.budgets,
            [BudgetInput {
                budget: "b".into(),
                amount: 900.0,
                period: "week".into(),
                suppliers: Some(vec!["s".into()]),
                when_exceeded: "wait".into(),
            }]
        );
        let json = serde_json::to_string(&inputs).unwrap();
        assert_eq!(serde_json::from_str::<Inputs>(&json).unwrap(), inputs);
    }
}
