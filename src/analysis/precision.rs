//! Precision control: add runs, in whole chunks and deterministically, until a confidence
//! interval is as narrow as asked, or a cap is reached.

use crate::results::precision::PrecisionReport;
use crate::simulation::engine::{CHUNK_RUNS, Simulation};

/// How precise an estimate must be, and how many runs may be spent on it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Largest acceptable half-width of the 95% confidence interval, in the metric's units
    /// (a share for rates: 0.002 is ±0.2 percentage points).
    pub half_width: f64,
    /// Most runs that may be spent; the simulation stops here even if the interval is still
    /// wider than `half_width` (the report then says it was not reached).
    pub max_runs: u64,
}

/// Runs spent on the default cap of `--max-runs`.
pub(crate) const DEFAULT_MAX_RUNS: u64 = 1_000_000;

/// Runs to aim for next: what the `1/√n` law says is needed for `target` given the `current`
/// half-width at `runs`, with 10% to spare; at least one more chunk, at most `max_runs`, and
/// rounded up to whole chunks so that the results stay those of a plain run of that size.
pub(crate) fn next_runs(runs: u64, current: Option<f64>, target: f64, max_runs: u64) -> u64 {
    let ratio = match current {
        Some(current) if current.is_finite() => (current / target).powi(2) * 1.1,
        _ => 2.0,
    };
    // Never more than 8× at once: an early spread estimate can be far off.
    let wanted = (runs as f64 * ratio.clamp(1.0, 8.0)).ceil() as u64;
    let wanted = wanted.max(runs + CHUNK_RUNS).div_ceil(CHUNK_RUNS) * CHUNK_RUNS;
    wanted.min(max_runs)
}

/// Extend `simulation` from `initial_runs` until `half_width(simulation)` is at most the target
/// or the cap is reached. `initial_runs` is rounded up to whole chunks.
pub(crate) fn run_until_precise(
    simulation: &mut Simulation<'_>,
    initial_runs: u64,
    precision: Precision,
    metric: &str,
    half_width: impl Fn(&Simulation<'_>) -> Option<f64>,
    progress: &(dyn Fn(u64) + Sync),
) -> PrecisionReport {
    let first = initial_runs.div_ceil(CHUNK_RUNS) * CHUNK_RUNS;
    simulation.extend_to(first.min(precision.max_runs), progress);
    loop {
        let achieved = half_width(simulation);
        let runs = simulation.runs();
        let reached = achieved.is_some_and(|a| a <= precision.half_width);
        if reached || runs >= precision.max_runs {
            return PrecisionReport {
                metric: metric.to_string(),
                target_half_width: precision.half_width,
                achieved_half_width: achieved,
                runs,
                reached,
            };
        }
        let next = next_runs(runs, achieved, precision.half_width, precision.max_runs);
        simulation.extend_to(next, progress);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_runs_follows_the_square_root_law_in_whole_chunks() {
        // Twice too wide: four times the runs, with 10% to spare.
        assert_eq!(next_runs(1024, Some(0.02), 0.01, 1_000_000), 4544);
        // Nothing known yet: double.
        assert_eq!(next_runs(64, None, 0.01, 1_000_000), 128);
        // Almost there: still at least one more chunk.
        assert_eq!(next_runs(1024, Some(0.01001), 0.01, 1_000_000), 1152);
        // Far off: at most 8× at once, and never past the cap.
        assert_eq!(next_runs(128, Some(1.0), 0.001, 1_000_000), 1024);
        assert_eq!(next_runs(1024, Some(1.0), 0.001, 2000), 2000);
    }
}
