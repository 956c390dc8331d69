//! per_run.csv: every run's figures, one row per run (`buffersim run --per-run FILE.csv`).
//!
//! The columns after `run` are named `POLICY/ITEM/METRIC`, `ITEM` being `(all items)` for
//! the policy's figures over all items, as in summary.csv; a cell is empty where the metric is
//! undefined in the run (a fill rate without demand). Numbers are written in the shortest form
//! that reads back as the same number, so a paired analysis in R or a spreadsheet starts from
//! the engine's own values.

use crate::model::metric::METRICS;
use crate::model::scenario::Scenario;
use crate::results::files::csv_field;
use crate::simulation::per_run::PerRun;

/// The text of a per-run CSV of `scenario`'s runs.
pub fn per_run_csv(scenario: &Scenario, rows: &PerRun) -> String {
    let scopes: Vec<&str> = std::iter::once("(all items)")
        .chain(scenario.items.iter().map(|i| i.id.as_str()))
        .collect();
    let mut out = String::from("run");
    for policy in &scenario.policies {
        for scope in &scopes {
            for metric in METRICS {
                out.push(',');
                out.push_str(&csv_field(&format!(
                    "{}/{scope}/{}",
                    policy.name,
                    metric.name()
                )));
            }
        }
    }
    out.push('\n');
    for run in 0..rows.runs() {
        out.push_str(&run.to_string());
        for &v in rows.row(run) {
            out.push(',');
            if v.is_finite() {
                out.push_str(&v.to_string());
            }
        }
        out.push('\n');
    }
    out
}
