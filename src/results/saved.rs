//! summary.json read back: [`SavedSummary`] mirrors [`crate::results::summary::Summary`] with
//! owned strings, so it can be read from a results folder (`buffersim report DIR`) as well as
//! taken from a fresh run ([`SavedSummary::from_summary`], which goes through the same serde
//! representation, so both paths give the same report). Unknown fields are ignored, so a
//! summary.json that gained fields still loads.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::foundation::date::{Calendar, Date};
use crate::results::inputs::Inputs;
use crate::results::justification::Justification;
use crate::results::summary::DisruptionExposure;
use crate::results::summary::Summary;
use crate::results::targets::TargetResult;

/// summary.json as read back: the same shape as [`Summary`], with owned strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSummary {
    /// As [`Summary::scenario`]: the scenario's name.
    pub scenario: String,
    /// As [`Summary::runs`]: the number of runs the figures are taken over.
    pub runs: u64,
    /// As [`Summary::seed`]: the master seed.
    pub seed: u64,
    /// As [`Summary::horizon_days`]: days simulated per run, the warm-up included.
    pub horizon_days: u32,
    /// As [`Summary::warmup_days`]: days simulated but not measured at the start of each run.
    pub warmup_days: u32,
    /// As [`Summary::start_day_of_year`]: the day of the year day 0 of a run falls on; 0 (1
    /// January) in summaries written before it was recorded.
    #[serde(default)]
    pub start_day_of_year: u32,
    /// As [`Summary::start_date`]: the date of day 0 of a run, when the scenario gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    /// As [`Summary::unmet_demand`]: `lost` or `backorder`.
    pub unmet_demand: String,
    /// As [`Summary::currency`]: what money is counted in, when the scenario says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// As [`Summary::rng`]: the random number generator and its seeding.
    pub rng: String,
    /// As [`Summary::rand_version`].
    pub rand_version: String,
    /// As [`Summary::targets`]: the scenario's targets and each policy's verdict.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetResult>,
    /// As [`Summary::policies`]: one entry per policy, in scenario order.
    pub policies: Vec<SavedPolicy>,
    /// The disruption log, when the scenario has disruptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disruptions: Option<SavedDisruptions>,
    /// Why each buffer is what it is (`optimize --justify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
    /// As [`Summary::inputs`]: what the scenario assumed; absent from summaries written
    /// before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Inputs>,
}

/// The disruption log (mirrors [`crate::results::summary::DisruptionSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDisruptions {
    pub(crate) runs_with_events: Option<SavedEstimate>,
    /// As [`crate::results::summary::DisruptionSummary::disrupted_supplier_days`]:
    /// supplier-days per run with reduced capacity, delayed transport or drifted lead times.
    pub disrupted_supplier_days: SavedEstimate,
    /// As [`crate::results::summary::DisruptionSummary::by_disruption`]: one entry per
    /// disruption, in scenario order.
    pub by_disruption: Vec<SavedDisruptionLog>,
}

/// One disruption's events and active days per run (mirrors
/// [`crate::results::summary::DisruptionLog`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDisruptionLog {
    /// As [`crate::results::summary::DisruptionLog::disruption`]: the disruption's id.
    pub disruption: String,
    /// As [`crate::results::summary::DisruptionLog::kind`]: `supplier_outage`,
    /// `capacity_cut`, `regional_event`, `transport_delay`, `lead_time_drift`,
    /// `quality_rejection` or `demand_surge`.
    pub kind: String,
    pub(crate) events: SavedEstimate,
    pub(crate) active_days: SavedEstimate,
    /// Days `[start, end)` of a scheduled disruption.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<[usize; 2]>,
}

/// How a policy holds up under disruption (mirrors [`crate::results::summary::Resilience`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedResilience {
    /// As [`crate::results::summary::Resilience::stockout_rate_disrupted_runs`]: the stockout
    /// rate over runs with at least one disruption event.
    pub stockout_rate_disrupted_runs: Option<SavedEstimate>,
    /// As [`crate::results::summary::Resilience::stockout_rate_undisrupted_runs`]: the same
    /// over runs without any.
    pub stockout_rate_undisrupted_runs: Option<SavedEstimate>,
    pub(crate) worst_runs: Option<SavedTail>,
    /// As [`crate::results::summary::Resilience::by_disruption`]: the stockout rate of the
    /// runs each disruption struck and of the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_disruption: Vec<DisruptionExposure>,
}

/// The worst runs, as [`crate::foundation::stats::Tail`] (which holds no strings, so it is
/// read back as it is).
pub(crate) type SavedTail = crate::foundation::stats::Tail;

/// One policy's figures (mirrors [`crate::results::summary::PolicySummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPolicy {
    /// As [`crate::results::summary::PolicySummary::policy`]: the policy's name.
    pub policy: String,
    /// As [`crate::results::summary::PolicySummary::metrics`]: every metric for all items
    /// together, by name, in the order written.
    pub metrics: IndexMap<String, SavedEstimate>,
    /// As [`crate::results::summary::PolicySummary::items`]: the metrics per item.
    #[serde(default)]
    pub items: Vec<SavedItem>,
    /// As [`crate::results::summary::PolicySummary::sizing`]: how each item's rule was sized.
    #[serde(default)]
    pub sizing: Vec<SavedSizing>,
    /// As [`crate::results::summary::PolicySummary::kanban`]: the kanban loops, if any.
    #[serde(default)]
    pub kanban: Vec<SavedKanbanLoop>,
    /// As [`crate::results::summary::PolicySummary::resilience`]: present when the scenario
    /// has disruptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resilience: Option<SavedResilience>,
    /// As [`crate::results::summary::PolicySummary::by_month`]: the figures by calendar month;
    /// empty in summaries written before they existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_month: Vec<crate::results::summary::MonthFigures>,
    /// As [`crate::results::summary::PolicySummary::suppliers`]: the figures of the suppliers
    /// whose items are simulated together; empty without any, and in summaries written
    /// before suppliers had figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppliers: Vec<SavedSupplier>,
    /// As [`crate::results::summary::PolicySummary::budgets`]: the figures of each budget;
    /// empty without budgets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<SavedBudget>,
    /// Absent in summaries written before the fan chart existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_hand_fan: Option<SavedFan>,
}

/// One supplier's figures under a policy (mirrors
/// [`crate::results::summary::SupplierSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSupplier {
    /// The supplier's id.
    pub supplier: String,
    /// Every figure defined in at least one run, by name (`capacity_utilisation`, …).
    pub metrics: IndexMap<String, SavedEstimate>,
}

/// One budget's figures under a policy (mirrors [`crate::results::summary::BudgetSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedBudget {
    /// The budget's id.
    pub budget: String,
    /// Every figure defined in at least one run, by name (`budget_used`, …).
    pub metrics: IndexMap<String, SavedEstimate>,
}

/// Stock on hand over the horizon (mirrors [`crate::results::summary::OnHandFanSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedFan {
    /// As [`crate::results::summary::OnHandFanSummary::measure`]: `units` or `value`.
    pub measure: String,
    /// As [`crate::results::summary::OnHandFanSummary::day`]: the sampled days (0-based).
    pub day: Vec<usize>,
    /// As [`crate::results::summary::OnHandFanSummary::p05`]: 5th percentile of stock on hand
    /// per sampled day.
    pub p05: Vec<f64>,
    /// 25th percentile per sampled day.
    pub p25: Vec<f64>,
    /// Median per sampled day.
    pub p50: Vec<f64>,
    /// 75th percentile per sampled day.
    pub p75: Vec<f64>,
    /// 95th percentile per sampled day.
    pub p95: Vec<f64>,
}

/// One item's metrics under a policy (mirrors [`crate::simulation::metrics::ItemSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedItem {
    /// The item's id.
    pub item: String,
    /// Every metric of the item defined in at least one run, by name.
    pub metrics: IndexMap<String, SavedEstimate>,
    /// As [`crate::simulation::metrics::ItemSummary::on_hand_fan`]: the item's own on-hand
    /// fan in units; absent for a single item, past the first twelve, and in summaries
    /// written before items had fans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_hand_fan: Option<SavedFan>,
}

/// One metric over runs, as [`crate::foundation::stats::Estimate`] (which holds no strings,
/// so it is read back as it is; an interval written with `null` ends reads back as none).
pub type SavedEstimate = crate::foundation::stats::Estimate;

/// How one item's rule was sized (mirrors [`crate::results::summary::ItemSizing`] and the
/// [`crate::model::policy::Sizing`] written inline in it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSizing {
    /// The item's id.
    pub item: String,
    /// The rule's kind as written in summary.json (`kanban`, `min_max`, `reorder_point`, …).
    pub rule: String,
    /// As [`crate::model::policy::Sizing::mean_daily_demand`]: units per day.
    pub mean_daily_demand: f64,
    /// As [`crate::model::policy::Sizing::demand_sd`]: units per day.
    pub demand_sd: f64,
    /// As [`crate::model::policy::Sizing::lead_time_mean`]: days.
    pub lead_time_mean: f64,
    /// As [`crate::model::policy::Sizing::lead_time_sd`]: days.
    pub lead_time_sd: f64,
    /// As [`crate::model::policy::Sizing::review_period_days`].
    pub review_period_days: u32,
    /// As [`crate::model::policy::Sizing::protection_days`]: days of demand the safety stock
    /// covers.
    pub protection_days: f64,
    /// As [`crate::model::policy::Sizing::safety_stock`]: units, when the rule has one.
    #[serde(default)]
    pub safety_stock: Option<f64>,
    /// As [`crate::model::policy::Sizing::reorder_point`]: the trigger level, in units.
    pub reorder_point: f64,
    /// As [`crate::model::policy::Sizing::order_quantity`]: the lot (or container) size in
    /// units, when the rule orders fixed lots.
    #[serde(default)]
    pub order_quantity: Option<f64>,
    /// As [`crate::model::policy::Sizing::order_up_to`]: the level in units that orders bring
    /// the stock position up to, when the rule has one.
    #[serde(default)]
    pub order_up_to: Option<f64>,
    /// As [`crate::model::policy::Sizing::kanban`]: the kanban loop, for kanban rules.
    #[serde(default)]
    pub kanban: Option<SavedKanban>,
    /// As [`crate::model::policy::Sizing::shelf_life`]: the rule against the item's shelf
    /// life, where its target was above what demand uses before stock expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_life: Option<crate::model::policy::ShelfLifeCap>,
    /// As [`crate::model::policy::Sizing::by_period`]: each period's levels under a policy
    /// that re-sizes its rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_period: Vec<crate::model::resize::PeriodLevels>,
    /// As [`crate::model::policy::Sizing::plan`]: each entry's levels of the item's level
    /// plan.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<crate::model::resize::PeriodLevels>,
}

/// A kanban loop (mirrors [`crate::model::policy::KanbanSizing`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedKanban {
    /// As [`crate::model::policy::KanbanSizing::containers`]: the number of containers (cards).
    pub containers: u32,
    /// As [`crate::model::policy::KanbanSizing::container_size`]: units per container.
    pub container_size: f64,
    /// As [`crate::model::policy::KanbanSizing::total_units`]: containers × size.
    pub total_units: f64,
    /// As [`crate::model::policy::KanbanSizing::days_of_supply`]: the loop's units in days of
    /// mean demand; `None` (`null`) for an item without demand.
    #[serde(default)]
    pub days_of_supply: Option<f64>,
    /// As [`crate::model::policy::KanbanSizing::computed`]: false when the scenario gave the
    /// container count.
    pub computed: bool,
}

/// The kanban loop of one item (mirrors [`crate::results::summary::ItemKanban`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedKanbanLoop {
    /// The item's id.
    pub item: String,
    /// The loop, written inline next to `item`.
    #[serde(flatten)]
    pub kanban: SavedKanban,
}

/// Why a summary.json could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The folder holds no summary.json.
    #[error(
        "no summary.json in '{}': give the results folder of a run \
         (`buffersim run SCENARIO` writes one, by default results/<scenario>/)",
        dir.display()
    )]
    NoSummary {
        /// The folder given.
        dir: PathBuf,
    },
    /// summary.json exists but could not be read.
    #[error("cannot read '{}': {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error reading it.
        cause: std::io::Error,
    },
    /// summary.json was read but is not JSON of a summary's shape.
    #[error("'{}' is not a buffersim summary: {cause}", path.display())]
    BadSummary {
        /// The file.
        path: PathBuf,
        /// Where and why parsing failed.
        cause: serde_json::Error,
    },
    /// summary.json has a summary's shape but its parts disagree (a fan whose percentile
    /// rows are not one per sampled day), as a hand-edited or truncated file can.
    #[error("'{}' is not a consistent buffersim summary: {problem}", path.display())]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// What disagrees, naming the policy and the field.
        problem: String,
    },
}

impl SavedSummary {
    /// Where the days of a run fall in the year: what the charts over days name the months
    /// by.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.start_date, self.start_day_of_year)
    }

    /// The summary of a fresh run, through the same JSON as summary.json (through text, not
    /// `serde_json::Value`, whose maps would sort the metrics by name).
    pub fn from_summary(summary: &Summary) -> SavedSummary {
        SavedSummary::from_json(&summary.to_json())
            .expect("a Summary always reads back as a SavedSummary (checked by a test)")
    }

    /// Parse the text of a summary.json.
    pub fn from_json(json: &str) -> Result<SavedSummary, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Read `dir/summary.json`.
    pub fn load(dir: &Path) -> Result<SavedSummary, ReadError> {
        let path = dir.join("summary.json");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ReadError::NoSummary {
                    dir: dir.to_path_buf(),
                });
            }
            Err(cause) => return Err(ReadError::Read { path, cause }),
        };
        let summary = SavedSummary::from_json(&text).map_err(|cause| ReadError::BadSummary {
            path: path.clone(),
            cause,
        })?;
        summary
            .check()
            .map_err(|problem| ReadError::Inconsistent { path, problem })?;
        Ok(summary)
    }

    /// The agreements the charts rely on that the JSON's shape cannot state: each on-hand fan
    /// has one value per sampled day in every percentile row. A summary read back is input
    /// like any other, so a broken one is refused with a message rather than drawn.
    pub(crate) fn check(&self) -> Result<(), String> {
        // The report ranks the policies and names the first: a summary needs one to rank.
        if self.policies.is_empty() {
            return Err("it lists no policy (`policies` is empty)".to_string());
        }
        for policy in &self.policies {
            let items = policy
                .items
                .iter()
                .filter_map(|i| Some((format!(", item '{}'", i.item), i.on_hand_fan.as_ref()?)));
            let fans = policy
                .on_hand_fan
                .as_ref()
                .map(|f| (String::new(), f))
                .into_iter()
                .chain(items);
            for (at, fan) in fans {
                let days = fan.day.len();
                for (name, row) in [
                    ("p05", &fan.p05),
                    ("p25", &fan.p25),
                    ("p50", &fan.p50),
                    ("p75", &fan.p75),
                    ("p95", &fan.p95),
                ] {
                    if row.len() != days {
                        return Err(format!(
                            "policy '{}'{at}: on_hand_fan.{name} has {} values for {days} sampled \
                             days",
                            policy.policy,
                            row.len()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Names of the items, in scenario order (from the first policy; all policies share them).
    pub fn item_names(&self) -> Vec<&str> {
        self.policies.first().map_or_else(Vec::new, |p| {
            p.items.iter().map(|i| i.item.as_str()).collect()
        })
    }

    /// Ids of the suppliers with figures, in scenario order, over all policies (each policy
    /// lists the same ones; a hand-edited file may not).
    pub fn supplier_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.policies {
            for s in &p.suppliers {
                if !names.contains(&s.supplier.as_str()) {
                    names.push(&s.supplier);
                }
            }
        }
        names
    }

    /// Ids of the budgets with figures, in scenario order, over all policies.
    pub fn budget_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.policies {
            for b in &p.budgets {
                if !names.contains(&b.budget.as_str()) {
                    names.push(&b.budget);
                }
            }
        }
        names
    }
}

impl SavedPolicy {
    /// A policy-level (all items) metric, if it was defined in at least one run.
    pub fn metric(&self, name: &str) -> Option<&SavedEstimate> {
        self.metrics.get(name)
    }

    /// A figure of supplier `supplier`, if the policy has the supplier and the figure was
    /// defined in at least one run.
    pub fn supplier_figure(&self, supplier: &str, name: &str) -> Option<&SavedEstimate> {
        self.suppliers
            .iter()
            .find(|s| s.supplier == supplier)?
            .metrics
            .get(name)
    }

    /// A figure of budget `budget`, as [`SavedPolicy::supplier_figure`].
    pub fn budget_figure(&self, budget: &str, name: &str) -> Option<&SavedEstimate> {
        self.budgets
            .iter()
            .find(|b| b.budget == budget)?
            .metrics
            .get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_summary_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = SavedSummary::load(dir.path()).unwrap_err();
        assert!(matches!(err, ReadError::NoSummary { .. }));
        assert!(err.to_string().contains("no summary.json"));
    }

    /// Issue 18, item 11: a fan whose rows differ in length is refused with the policy and
    /// the row named, not drawn (drawing it indexed past the end of a row).
    #[test]
    fn issue_18_a_fan_with_rows_of_other_lengths_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let summary = r#"{"scenario":"s","runs":1,"seed":1,"horizon_days":3,"warmup_days":0,
            "unmet_demand":"lost","rng":"x","rand_version":"x","policies":[{"policy":"lean",
            "metrics":{},"items":[],"on_hand_fan":{"measure":"units","day":[0,1,2],
            "p05":[1,2,3],"p25":[1,2,3],"p50":[1,2],"p75":[1,2,3],"p95":[1,2,3]}}]}"#;
        std::fs::write(dir.path().join("summary.json"), summary).unwrap();
        let err = SavedSummary::load(dir.path()).unwrap_err();
        assert!(matches!(err, ReadError::Inconsistent { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("policy 'lean': on_hand_fan.p50 has 2 values for 3 sampled days"),
            "{err}"
        );
    }
}
