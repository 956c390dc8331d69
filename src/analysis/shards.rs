//! Shards: a simulation cut into parts that run on several machines (`--shard K/N`), and the
//! merge of their partial results into the results of the whole simulation (`buffersim
//! merge`), byte for byte those of one machine (issue 25).
//!
//! A shard simulates a contiguous block of whole chunks of runs
//! ([`crate::simulation::engine::shard_runs`]): the runs draw from streams of their own index,
//! and the accumulators merge the same whatever their grouping (`foundation::stats`), so
//! neither the cut nor the machines change a figure. A shard of `sweep` simulates the same
//! runs at every grid point.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::analysis::sweep::{self, Axis, Sweep};
use crate::model::scenario::Scenario;
use crate::results::partial::{
    Origin, Partial, Shard, check_partials, origin, partial_file, scenario_fingerprint,
};
use crate::simulation::engine::{CHUNK_RUNS, Merge, Outcome, Part, shard_runs, simulate_part};

/// What a shard is a part of: the command and what it simulates.
pub enum Job<'a> {
    /// `run`: the scenario under each of its policies.
    Run,
    /// `compare`: the same, with paired differences against a baseline policy.
    Compare {
        /// The baseline policy's index.
        baseline: usize,
    },
    /// `sweep`: the scenario at every point of a grid.
    Sweep {
        /// The scenario's text.
        source: &'a str,
        /// Where it was read from.
        path: &'a Path,
        /// The grid's parameters and values.
        axes: &'a [Axis],
    },
}

impl Job<'_> {
    /// The command's name.
    pub fn command(&self) -> &'static str {
        match self {
            Job::Run => "run",
            Job::Compare { .. } => "compare",
            Job::Sweep { .. } => "sweep",
        }
    }
}

/// A shard simulated: its runs and the bytes of its partial-result file.
pub struct ShardResult {
    /// The runs it simulated (empty for a shard beyond the last chunk).
    pub runs: Range<u64>,
    /// Its partial-result file ([`crate::results::partial`]).
    pub file: Vec<u8>,
    /// Item-days simulated (items × policies × horizon days × runs, at every grid point), for
    /// the speed report.
    pub item_days: u64,
}

/// Simulate shard `shard` of `job` on `scenario` with `seed` and `runs` runs; `progress`
/// hears the shard's runs merged so far (of each grid point, for a sweep).
pub fn simulate_shard(
    scenario: &Scenario,
    job: &Job<'_>,
    (seed, runs): (u64, u64),
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<ShardResult> {
    let part_runs = shard_runs(shard.index, shard.count, runs);
    let simulate = |scenario: &Scenario, baseline| {
        simulate_part(
            scenario,
            seed,
            baseline,
            (part_runs.clone(), runs),
            progress,
        )
    };
    let (parts, analysis) = match job {
        Job::Run => (vec![simulate(scenario, None)], (None, None)),
        Job::Compare { baseline } => (
            vec![simulate(scenario, Some(*baseline))],
            (Some(scenario.policies[*baseline].name.clone()), None),
        ),
        Job::Sweep { source, path, axes } => {
            let parts = sweep::grid_points(axes)
                .iter()
                .map(|values| {
                    Ok(simulate(
                        &sweep::point_scenario(source, path, axes, values)?,
                        None,
                    ))
                })
                .collect::<anyhow::Result<Vec<Part>>>()?;
            (parts, (None, Some(serde_json::to_value(axes)?)))
        }
    };
    let origin = origin(job.command(), scenario, (seed, runs), analysis);
    Ok(ShardResult {
        item_days: (part_runs.end - part_runs.start)
            * parts.len() as u64
            * scenario.items.len() as u64
            * scenario.policies.len() as u64
            * u64::from(scenario.horizon_days),
        runs: part_runs,
        file: partial_file(&origin, shard, &parts)?,
    })
}

/// What the partials merge into: the results of the command that simulated them.
pub enum Merged {
    /// `run`'s outcome.
    Run(Outcome),
    /// `compare`'s outcome, with the paired differences.
    Compare(Outcome),
    /// `sweep`'s grid.
    Sweep(Sweep),
}

/// The partials merged, with the scenario they were simulated from and their origin.
pub struct MergedShards {
    /// The scenario, read again and checked against the partials' fingerprint.
    pub scenario: Scenario,
    /// What the partials are parts of.
    pub origin: Origin,
    /// The results, as one machine would have simulated them.
    pub merged: Merged,
    /// The partial-result files merged.
    pub files: Vec<PathBuf>,
}

/// Check and merge the partial results `given` (files, or the folders shards wrote). The
/// scenario is read again from where the shards read it, or from `scenario` when given (a
/// cluster's paths may differ from this machine's), and must be the one they simulated.
///
/// Each partial is read once; the totals of every simulation of the command (every grid point
/// of a sweep) are held while they are read, one partial at a time.
pub fn merge(given: &[PathBuf], scenario: Option<&Path>) -> anyhow::Result<MergedShards> {
    let partials = given
        .iter()
        .map(|p| Partial::open(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let origin = check_partials(&partials)?;
    if origin.chunk_runs != CHUNK_RUNS {
        anyhow::bail!(
            "the partial results were cut in chunks of {} runs; this buffersim cuts chunks of \
             {CHUNK_RUNS}: merge with the buffersim that ran the shards",
            origin.chunk_runs
        );
    }
    let path = scenario.unwrap_or(&origin.scenario);
    let source =
        Scenario::read_source(path).map_err(|e| reread_error(e.into(), &origin, scenario))?;
    let base = Scenario::from_source(&source, path)
        .map_err(|e| reread_error(e.into(), &origin, scenario))?;
    if scenario_fingerprint(&base) != origin.scenario_fingerprint {
        anyhow::bail!(
            "the scenario '{}' is not the one the shards simulated: its fingerprint is {}, the \
             partials' {} (it was edited since, or is another file); give the scenario they \
             ran with via --scenario, or run the shards again",
            path.display(),
            scenario_fingerprint(&base),
            origin.scenario_fingerprint
        );
    }
    let baseline = match &origin.baseline {
        None => None,
        Some(name) => Some(
            base.policies
                .iter()
                .position(|p| &p.name == name)
                .ok_or_else(|| anyhow::anyhow!("the scenario has no policy '{name}'"))?,
        ),
    };
    let (axes, scenarios) = match (&origin.command[..], &origin.grid) {
        ("sweep", Some(grid)) => {
            let axes: Vec<Axis> = serde_json::from_value(grid.clone())
                .map_err(|e| anyhow::anyhow!("the partials' sweep grid does not read: {e}"))?;
            let points = sweep::grid_points(&axes);
            let scenarios = points
                .iter()
                .map(|values| sweep::point_scenario(&source, path, &axes, values))
                .collect::<anyhow::Result<Vec<_>>>()?;
            (Some((axes, points)), scenarios)
        }
        ("run" | "compare", None) => (None, vec![base.clone()]),
        (other, _) => {
            anyhow::bail!("partial results of `{other}` cannot be merged by this buffersim")
        }
    };
    let mut merges: Vec<Merge<'_>> = scenarios
        .iter()
        .map(|s| Merge::new(s, origin.seed, baseline))
        .collect();
    for partial in &partials {
        let parts = partial.read_parts()?;
        if parts.len() != merges.len() {
            anyhow::bail!(
                "partial result '{}' holds {} simulations where {} are expected; run its shard \
                 again",
                partial.path.display(),
                parts.len(),
                merges.len()
            );
        }
        for (merge, part) in merges.iter_mut().zip(&parts) {
            merge.add(part);
        }
    }
    let mut outcomes = merges.into_iter().map(|m| m.finish(origin.runs));
    let merged = match (&origin.command[..], axes) {
        (_, Some((axes, points))) => {
            let points = points
                .into_iter()
                .zip(outcomes)
                .zip(&scenarios)
                .map(|((values, outcome), scenario)| sweep::point(values, scenario, &outcome))
                .collect();
            Merged::Sweep(sweep::assemble(axes, origin.seed, points, scenarios.last()))
        }
        // `run` and `compare` merge into one simulation, made above from the one scenario.
        (command, None) => match (command, outcomes.next()) {
            ("compare", Some(outcome)) => Merged::Compare(outcome),
            (_, Some(outcome)) => Merged::Run(outcome),
            (_, None) => anyhow::bail!("the partial results hold no simulation"),
        },
    };
    Ok(MergedShards {
        scenario: base,
        merged,
        files: partials.into_iter().map(|p| p.path).collect(),
        origin,
    })
}

/// A scenario that cannot be read again for the merge, with where it was looked for.
fn reread_error(e: anyhow::Error, origin: &Origin, given: Option<&Path>) -> anyhow::Error {
    anyhow::anyhow!(
        "{e}\n(merge reads the scenario the shards simulated{}; give --scenario FILE if it is \
         elsewhere on this machine)",
        if given.is_none() {
            format!(", '{}'", origin.scenario.display())
        } else {
            String::new()
        }
    )
}
