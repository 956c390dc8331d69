//! Analyses over many simulations: comparisons, sweeps, stress tests and optimisation, and
//! traces of chosen runs day by day.

pub mod compare;
pub mod folder;
pub(crate) mod justify;
pub mod optimize;
pub mod param;
pub mod precision;
pub mod shards;
pub mod stress;
pub mod sweep;
pub mod target;
pub mod trace;

use indexmap::IndexMap;

use crate::foundation::stats::Estimate;
use crate::model::scenario::Scenario;
use crate::presentation::format::ValueKind;
use crate::results::precision::PrecisionReport;
use crate::simulation::engine::{Outcome, Simulation};
use crate::simulation::metrics::{ItemSummary, Metric};
use crate::simulation::per_run::PerRun;
use precision::Precision;

/// How many runs to simulate: a fixed count, or until a metric is precise enough.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunPlan {
    /// Runs to simulate (Monte Carlo replications); under precision control, the runs to
    /// start with.
    pub runs: u64,
    /// The master seed; with the run index it fixes every random draw, so analyses that give
    /// every candidate the same seed compare them on the same demand and disruptions (common
    /// random numbers).
    pub seed: u64,
    /// With precision control, `runs` is where it starts.
    pub precision: Option<Precision>,
    /// The metric precision control watches.
    pub metric: Metric,
}

impl RunPlan {
    /// Exactly `runs` runs from `seed`, without precision control.
    pub fn fixed(runs: u64, seed: u64) -> Self {
        RunPlan {
            runs,
            seed,
            precision: None,
            metric: Metric::StockoutRate,
        }
    }
}

/// Simulate `scenario` as `plan` says, with paired differences against `baseline` if given.
/// Under precision control the watched half-width is the widest over policies: of the paired
/// difference with a baseline, of the metric itself without.
pub fn simulate_plan(
    scenario: &Scenario,
    plan: &RunPlan,
    baseline: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> (Outcome, Option<PrecisionReport>) {
    let mut simulation = Simulation::new(scenario, plan.seed, baseline);
    let report = simulate_into(&mut simulation, plan, progress);
    (simulation.into_outcome(), report)
}

/// As [`simulate_plan`], keeping every run's figures as well, in run order (`run --per-run`;
/// memory grows with the runs).
pub fn simulate_plan_per_run(
    scenario: &Scenario,
    plan: &RunPlan,
    baseline: Option<usize>,
    progress: &(dyn Fn(u64) + Sync),
) -> (Outcome, Option<PrecisionReport>, PerRun) {
    let mut simulation = Simulation::new(scenario, plan.seed, baseline);
    simulation.keep_per_run();
    let report = simulate_into(&mut simulation, plan, progress);
    let rows = simulation.per_run().cloned().unwrap_or_else(|| {
        // Kept since asked for above: never reached.
        PerRun::new(scenario.policies.len(), scenario.items.len())
    });
    (simulation.into_outcome(), report, rows)
}

/// Run `simulation` as `plan` says; the precision report under precision control.
fn simulate_into(
    simulation: &mut Simulation<'_>,
    plan: &RunPlan,
    progress: &(dyn Fn(u64) + Sync),
) -> Option<PrecisionReport> {
    match plan.precision {
        None => {
            simulation.extend_to(plan.runs, progress);
            None
        }
        Some(precision) => Some(precision::run_until_precise(
            simulation,
            plan.runs,
            precision,
            plan.metric.name(),
            |sim| widest_half_width(&sim.outcome(), plan.metric),
            progress,
        )),
    }
}

/// The widest 95% half-width of `metric` over the policies (of the paired differences when
/// the outcome has them); `None` while some interval cannot be computed (fewer than two runs).
pub fn widest_half_width(outcome: &Outcome, metric: Metric) -> Option<f64> {
    let halves: Vec<Option<f64>> = match &outcome.paired {
        Some(paired) => (0..outcome.policies.len())
            .filter(|&p| p != paired.baseline)
            .map(|p| paired.get(p, metric).half_width_95())
            .collect(),
        None => outcome
            .policies
            .iter()
            .map(|p| p.all.get(metric).half_width_95())
            .collect(),
    };
    halves
        .into_iter()
        .try_fold(0.0, |widest: f64, half| Some(widest.max(half?)))
}

// How every analysis writes numbers in its texts. They live at the folder's root, which its
// files may all use, so that `target` (judging) and `optimize`, `stress`, `sweep`, `justify`
// (reporting) share them without using each other in a circle.

/// A parameter value: whole numbers without decimals, others with up to four significant
/// decimals.
pub(crate) fn format_param(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// A metric's value as the reports write it.
pub(crate) fn format_value(metric: Metric, v: f64) -> String {
    ValueKind::of(metric.name()).value(v)
}

/// A metric's mean and 95% interval as the reports write them: "98.40% [98.10%, 98.70%]".
pub(crate) fn format_estimate(metric: Metric, e: &Estimate) -> String {
    ValueKind::of(metric.name()).estimate(e)
}

// How every analysis reads its own files back (`folder`, for the report of a results folder):
// metric names are `&'static str` and `Metric` in memory, and only the names this version
// knows are accepted, so a file of another program is refused with the name it used.

pub(crate) use crate::model::metric::by_name as metric_by_name;

/// A metric's name read back, as the `&'static str` the analyses hold.
pub(crate) fn metric_name<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<&'static str, D::Error> {
    metric_by_name(d).map(Metric::name)
}

/// Every metric's estimate by name, read back in the order written.
pub(crate) fn metric_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<IndexMap<&'static str, Estimate>, D::Error> {
    let map = <IndexMap<String, Estimate> as serde::Deserialize>::deserialize(d)?;
    map.into_iter()
        .map(|(name, e)| match Metric::from_name(&name) {
            Some(m) => Ok((m.name(), e)),
            None => Err(serde::de::Error::custom(format!("unknown metric `{name}`"))),
        })
        .collect()
}

/// Each item's metrics read back ([`ItemSummary`]).
pub(crate) fn item_summaries<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Vec<ItemSummary>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Item {
        item: String,
        #[serde(deserialize_with = "metric_map")]
        metrics: IndexMap<&'static str, Estimate>,
    }
    let items = <Vec<Item> as serde::Deserialize>::deserialize(d)?;
    Ok(items
        .into_iter()
        .map(|i| ItemSummary {
            item: i.item,
            metrics: i.metrics,
            // A sweep keeps no fans: its points are compared by their figures.
            on_hand_fan: None,
        })
        .collect())
}
