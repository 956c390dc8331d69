//! Shards: a simulation cut into parts that run on several machines (`--shard K/N`), and the
//! merge of their partial results into the results of the whole simulation (`buffersim
//! merge`), byte for byte those of one machine (issue 25).
//!
//! A shard simulates a contiguous block of whole chunks of runs ([`shard_runs`]): the runs
//! draw from streams of their own index, and the accumulators merge the same whatever their
//! grouping (`foundation::stats`), so neither the cut nor the machines change a figure.

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::model::scenario::Scenario;
use crate::results::partial::{
    Origin, Partial, Shard, check_partials, origin, partial_file, scenario_fingerprint,
};
use crate::simulation::engine::{CHUNK_RUNS, Outcome, merge_parts, shard_runs, simulate_part};

/// A shard simulated: its runs and the bytes of its partial-result file.
pub struct ShardResult {
    /// The runs it simulated (empty for a shard beyond the last chunk).
    pub runs: Range<u64>,
    /// Its partial-result file ([`crate::results::partial`]).
    pub file: Vec<u8>,
}

/// Simulate shard `shard` of `command`'s simulation of `scenario` with `seed` and `runs` runs
/// (and, for `compare`, paired differences against policy `baseline`); `progress` hears the
/// shard's runs merged so far.
pub fn simulate_shard(
    scenario: &Scenario,
    command: &str,
    (seed, runs): (u64, u64),
    baseline: Option<usize>,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<ShardResult> {
    let part_runs = shard_runs(shard.index, shard.count, runs);
    let part = simulate_part(
        scenario,
        seed,
        baseline,
        (part_runs.clone(), runs),
        progress,
    );
    let baseline_name = baseline.map(|b| scenario.policies[b].name.clone());
    let origin = origin(command, scenario, (seed, runs), baseline_name);
    Ok(ShardResult {
        runs: part_runs,
        file: partial_file(&origin, shard, &part)?,
    })
}

/// The partials merged: the scenario they were simulated from, their origin, and the outcome
/// of the whole simulation.
pub struct Merged {
    /// The scenario, read again and checked against the partials' fingerprint.
    pub scenario: Scenario,
    /// What the partials are parts of.
    pub origin: Origin,
    /// For `compare`, the baseline policy's index.
    pub baseline: Option<usize>,
    /// The outcome of every run, as one machine would have simulated it.
    pub outcome: Outcome,
    /// The partial-result files merged.
    pub files: Vec<PathBuf>,
}

/// Check and merge the partial results `given` (files, or the folders shards wrote). The
/// scenario is read again from where the shards read it, or from `scenario` when given (a
/// cluster's paths may differ from this machine's), and must be the one they simulated.
pub fn merge(given: &[PathBuf], scenario: Option<&Path>) -> anyhow::Result<Merged> {
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
    let scenario_path = scenario.unwrap_or(&origin.scenario);
    let scenario = Scenario::load(scenario_path).map_err(|e| {
        anyhow::anyhow!(
            "{e}\n(merge reads the scenario the shards simulated{}; give --scenario FILE if it \
             is elsewhere on this machine)",
            if scenario.is_none() {
                format!(", '{}'", origin.scenario.display())
            } else {
                String::new()
            }
        )
    })?;
    if scenario_fingerprint(&scenario) != origin.scenario_fingerprint {
        anyhow::bail!(
            "the scenario '{}' is not the one the shards simulated: its fingerprint is {}, the \
             partials' {} (it was edited since, or is another file); give the scenario they \
             ran with via --scenario, or run the shards again",
            scenario_path.display(),
            scenario_fingerprint(&scenario),
            origin.scenario_fingerprint
        );
    }
    let baseline = match &origin.baseline {
        None => None,
        Some(name) => Some(
            scenario
                .policies
                .iter()
                .position(|p| &p.name == name)
                .ok_or_else(|| anyhow::anyhow!("the scenario has no policy '{name}'"))?,
        ),
    };
    let outcome = merge_parts(
        &scenario,
        origin.seed,
        baseline,
        origin.runs,
        partials.iter().map(Partial::read_part),
    )?;
    Ok(Merged {
        scenario,
        baseline,
        outcome,
        files: partials.into_iter().map(|p| p.path).collect(),
        origin,
    })
}
