//! Every run's figures, kept in run order, for those who do their own statistics on them.
//!
//! `buffersim run --per-run FILE.csv` and the Python package's `Results.per_run` hand back one
//! row per run: every metric of every policy, over all items and for each item. Row `r` is run
//! `r`, so two policies' rows are paired under common random numbers.
//!
//! This is the one accumulator whose memory grows with the run count (the figures of each
//! run: policies × (items + 1) × metrics numbers), which is why the engine keeps it only when
//! asked ([`Simulation::keep_per_run`]). It is kept like the others all the same: each chunk
//! of runs fills its own rows and the chunks' rows are appended in chunk order, so the rows
//! are in run order, bit for bit the same at any thread count.
//!
//! [`Simulation::keep_per_run`]: crate::simulation::engine::Simulation::keep_per_run

use crate::model::metric::{METRICS, Metric};
use crate::simulation::metrics::RunTotals;

/// The figures of consecutive runs: for each run, policy and scope (all items, then each
/// item), every metric's value, NaN where the metric is undefined in the run (a fill rate
/// without demand).
#[derive(Clone, Debug, PartialEq)]
pub struct PerRun {
    policies: usize,
    /// Scopes per policy: all items, then each item.
    scopes: usize,
    /// The run of the first row (set by the first run offered).
    first: u64,
    /// Row-major: run, policy, scope, metric.
    values: Vec<f64>,
}

impl PerRun {
    /// No runs yet, for a scenario of `policies` policies and `items` items.
    pub(crate) fn new(policies: usize, items: usize) -> Self {
        PerRun {
            policies,
            scopes: items + 1,
            first: 0,
            values: Vec::new(),
        }
    }

    fn row_len(&self) -> usize {
        self.policies * self.scopes * METRICS.len()
    }

    /// Runs kept.
    pub fn runs(&self) -> u64 {
        match self.row_len() {
            0 => 0,
            n => (self.values.len() / n) as u64,
        }
    }

    /// Note run `run`'s totals of item `item` (`None`: all items) under policy `policy`.
    ///
    /// A chunk's rows start at the first run offered: the engine offers a chunk's runs from
    /// its first one on (each item's runs in order, and the chunk's first batch first), so
    /// a later run of the chunk only ever adds rows after it.
    pub(crate) fn offer(
        &mut self,
        run: u64,
        (item, policy): (Option<usize>, usize),
        totals: &RunTotals,
    ) {
        if self.values.is_empty() {
            self.first = run;
        }
        debug_assert!(
            run >= self.first,
            "run {run} offered after run {}",
            self.first
        );
        let row_len = self.row_len();
        let row = run.saturating_sub(self.first) as usize;
        if self.values.len() < (row + 1) * row_len {
            self.values.resize((row + 1) * row_len, f64::NAN);
        }
        let scope = item.map_or(0, |i| i + 1);
        let at = row * row_len + (policy * self.scopes + scope) * METRICS.len();
        for (slot, metric) in self.values[at..at + METRICS.len()].iter_mut().zip(METRICS) {
            *slot = metric.value(totals).unwrap_or(f64::NAN);
        }
    }

    /// Append the rows of the runs that follow these (the next chunk's).
    pub(crate) fn append(&mut self, next: &PerRun) {
        if self.values.is_empty() {
            self.first = next.first;
        }
        self.values.extend_from_slice(&next.values);
    }

    /// The value of `metric` in run `run` (counted from the first run kept) under policy
    /// `policy`, of item `item` or (`None`) of all items; NaN where it is undefined.
    pub fn value(&self, run: u64, policy: usize, item: Option<usize>, metric: Metric) -> f64 {
        let scope = item.map_or(0, |i| i + 1);
        let at = run as usize * self.row_len()
            + (policy * self.scopes + scope) * METRICS.len()
            + metric.index();
        self.values[at]
    }

    /// The value of `metric` in every run, run by run, under policy `policy`, of item `item`
    /// or (`None`) of all items; NaN where it is undefined.
    pub fn column(&self, policy: usize, item: Option<usize>, metric: Metric) -> Vec<f64> {
        (0..self.runs())
            .map(|r| self.value(r, policy, item, metric))
            .collect()
    }

    /// Every value of run `run` in storage order: policy by policy, all items then each item,
    /// every metric in output order ([`METRICS`]).
    pub fn row(&self, run: u64) -> &[f64] {
        let n = self.row_len();
        &self.values[run as usize * n..(run as usize + 1) * n]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(lost: f64) -> RunTotals {
        let mut t = RunTotals::default();
        t.units.lost = lost;
        t.measured_days = 1.0;
        t
    }

    #[test]
    fn chunks_appended_in_order_give_rows_in_run_order() {
        let mut first = PerRun::new(2, 1);
        let mut second = PerRun::new(2, 1);
        for run in 0..3 {
            for p in 0..2 {
                first.offer(run, (Some(0), p), &totals(run as f64 + p as f64));
                first.offer(run, (None, p), &totals(10.0 * run as f64));
            }
        }
        for run in 3..5 {
            second.offer(run, (None, 1), &totals(run as f64));
        }
        let mut all = PerRun::new(2, 1);
        all.append(&first);
        all.append(&second);
        assert_eq!(all.runs(), 5);
        assert_eq!(
            all.column(1, Some(0), Metric::LostUnits)[..3],
            [1.0, 2.0, 3.0]
        );
        assert_eq!(all.value(4, 1, None, Metric::LostUnits), 4.0);
        // Undefined figures (no demand: no fill rate) and figures never offered are NaN.
        assert!(all.value(0, 0, None, Metric::FillRate).is_nan());
        assert!(all.value(4, 0, Some(0), Metric::LostUnits).is_nan());
    }
}
