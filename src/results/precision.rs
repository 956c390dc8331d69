//! What precision control achieved, as written into summary.json and printed after a run.

use serde::Serialize;

use crate::foundation::format::group_thousands;

/// What precision control achieved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrecisionReport {
    /// The metric whose interval was controlled, and what was asked.
    pub metric: String,
    pub(crate) target_half_width: f64,
    /// The half-width reached; `None` (JSON `null`) when the runs allowed were too few to
    /// compute one (a single run).
    pub achieved_half_width: Option<f64>,
    pub runs: u64,
    pub reached: bool,
}

impl PrecisionReport {
    /// "stockout_rate: 95% CI half-width 0.00093 ≤ 0.001 after 4,096 runs"
    pub fn line(&self) -> String {
        let verdict = if self.reached {
            format!("≤ {}", self.target_half_width)
        } else {
            format!(
                "> {} (not reached: --max-runs caps the runs)",
                self.target_half_width
            )
        };
        let achieved = self
            .achieved_half_width
            .map_or_else(|| "n/a (one run)".to_string(), |a| format!("{a:.3e}"));
        format!(
            "precision: {} 95% CI half-width {achieved} {verdict} after {} runs",
            self.metric,
            group_thousands(self.runs as f64, 0)
        )
    }
}
