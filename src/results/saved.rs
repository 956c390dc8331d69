//! summary.json read back: [`SavedSummary`] mirrors [`crate::results::summary::Summary`] with
//! owned strings, so it can be read from a results folder (`buffersim report DIR`) as well as
//! taken from a fresh run ([`SavedSummary::from_summary`], which goes through the same serde
//! representation, so both paths give the same report). Unknown fields are ignored, so a
//! summary.json that gained fields still loads.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::results::justification::Justification;
use crate::results::summary::Summary;

/// summary.json as read back: the same shape as [`Summary`], with owned strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSummary {
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub horizon_days: u32,
    pub warmup_days: u32,
    pub unmet_demand: String,
    pub rng: String,
    pub rand_version: String,
    pub policies: Vec<SavedPolicy>,
    /// The disruption log, when the scenario has disruptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disruptions: Option<SavedDisruptions>,
    /// Why each buffer is what it is (`optimize --justify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<Justification>,
}

/// The disruption log (mirrors [`crate::results::summary::DisruptionSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDisruptions {
    pub(crate) runs_with_events: Option<SavedEstimate>,
    pub disrupted_supplier_days: SavedEstimate,
    pub by_disruption: Vec<SavedDisruptionLog>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedDisruptionLog {
    pub disruption: String,
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
    pub stockout_rate_disrupted_runs: Option<SavedEstimate>,
    pub stockout_rate_undisrupted_runs: Option<SavedEstimate>,
    pub(crate) worst_runs: Option<SavedTail>,
}

/// The worst runs (mirrors [`crate::foundation::stats::Tail`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SavedTail {
    pub level: f64,
    pub quantile: f64,
    pub(crate) quantile_ci95_low: f64,
    pub(crate) quantile_ci95_high: f64,
    pub(crate) tail_share: f64,
    pub(crate) tail_mean: f64,
    pub(crate) tail_mean_ci95_low: f64,
    pub(crate) tail_mean_ci95_high: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPolicy {
    pub policy: String,
    /// All items together.
    pub metrics: IndexMap<String, SavedEstimate>,
    #[serde(default)]
    pub items: Vec<SavedItem>,
    #[serde(default)]
    pub sizing: Vec<SavedSizing>,
    #[serde(default)]
    pub kanban: Vec<SavedKanbanLoop>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resilience: Option<SavedResilience>,
    /// Absent in summaries written before the fan chart existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_hand_fan: Option<SavedFan>,
}

/// Stock on hand over the horizon (mirrors [`crate::results::summary::OnHandFanSummary`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedFan {
    pub measure: String,
    pub day: Vec<usize>,
    pub p05: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedItem {
    pub item: String,
    pub metrics: IndexMap<String, SavedEstimate>,
}

/// One metric over runs (mirrors [`crate::foundation::stats::Estimate`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedEstimate {
    pub mean: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub p05: f64,
    pub p50: f64,
    pub p95: f64,
    pub n: u64,
}

/// How one item's rule was sized (mirrors `report::ItemSizing`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedSizing {
    pub item: String,
    pub rule: String,
    pub mean_daily_demand: f64,
    pub demand_sd: f64,
    pub lead_time_mean: f64,
    pub lead_time_sd: f64,
    pub review_period_days: u32,
    pub protection_days: f64,
    #[serde(default)]
    pub safety_stock: Option<f64>,
    pub reorder_point: f64,
    #[serde(default)]
    pub order_quantity: Option<f64>,
    #[serde(default)]
    pub order_up_to: Option<f64>,
    #[serde(default)]
    pub kanban: Option<SavedKanban>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedKanban {
    pub containers: u32,
    pub container_size: f64,
    pub total_units: f64,
    pub days_of_supply: f64,
    pub computed: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedKanbanLoop {
    pub item: String,
    #[serde(flatten)]
    pub kanban: SavedKanban,
}

/// Why a summary.json could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "no summary.json in '{}': give the results folder of a run \
         (`buffersim run SCENARIO` writes one, by default results/<scenario>/)",
        dir.display()
    )]
    NoSummary { dir: PathBuf },
    #[error("cannot read '{}': {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("'{}' is not a buffersim summary: {cause}", path.display())]
    BadSummary {
        path: PathBuf,
        cause: serde_json::Error,
    },
}

impl SavedSummary {
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
        SavedSummary::from_json(&text).map_err(|cause| ReadError::BadSummary { path, cause })
    }

    /// Names of the items, in scenario order (from the first policy; all policies share them).
    pub fn item_names(&self) -> Vec<&str> {
        self.policies.first().map_or_else(Vec::new, |p| {
            p.items.iter().map(|i| i.item.as_str()).collect()
        })
    }
}

impl SavedPolicy {
    /// A policy-level (all items) metric, if it was defined in at least one run.
    pub fn metric(&self, name: &str) -> Option<&SavedEstimate> {
        self.metrics.get(name)
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
}
