//! The worst runs of a simulation by one metric, kept while the runs stream past.
//!
//! `buffersim trace --worst K` wants the K runs in which a policy did worst, out of any number
//! of runs. Keeping every run's value would make memory grow with the run count, which the
//! engine never does; a bounded heap keeps the K worst seen so far, so memory is K entries per
//! chunk of runs. Each chunk keeps its own and the chunks' heaps are merged like every other
//! accumulator; since runs are ranked by a total order (the value, then the run index), the K
//! worst of all runs are the same whichever chunks merge first, so the choice does not depend
//! on the thread count.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use crate::simulation::metrics::{Metric, RunTotals};

/// Which runs to keep: the `count` worst by `metric` of policy `policy`, over all its items or
/// of one item.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct WorstBy {
    pub(crate) policy: usize,
    /// The item whose figure ranks the runs; `None` for the policy's figure over all items.
    pub(crate) item: Option<usize>,
    pub(crate) metric: Metric,
    pub(crate) count: usize,
}

/// A run, its value of the ranking metric, and the totals the value was computed from (kept so
/// that a replay of the run can be checked against what the simulation counted).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RankedRun {
    /// The run's index (from 0): with the seed, it fixes every random draw of the run.
    pub run: u64,
    /// The metric's value in the run.
    pub value: f64,
    /// The run's totals that were ranked (of the item ranked, or of all items).
    pub totals: RunTotals,
}

/// A run in the order of badness: worse first when compared as greater.
#[derive(Clone, Copy, Debug)]
struct Badness {
    /// The value turned so that larger is worse (negated for metrics where higher is better),
    /// with a negative zero written as zero so equal values tie.
    key: f64,
    ranked: RankedRun,
}

impl Ord for Badness {
    fn cmp(&self, other: &Self) -> Ordering {
        // Of two runs with the same value, the earlier one counts as worse: a fixed choice.
        self.key
            .total_cmp(&other.key)
            .then_with(|| other.ranked.run.cmp(&self.ranked.run))
    }
}

impl PartialOrd for Badness {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Badness {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Badness {}

/// The worst runs seen so far ([`WorstBy`]): a heap whose top is the least bad run kept, so a
/// worse run replaces it in O(log K).
#[derive(Clone, Debug)]
pub(crate) struct WorstRuns {
    by: WorstBy,
    kept: BinaryHeap<Reverse<Badness>>,
}

impl WorstRuns {
    pub(crate) fn new(by: WorstBy) -> Self {
        WorstRuns {
            by,
            kept: BinaryHeap::with_capacity(by.count + 1),
        }
    }

    /// Offer run `run`'s totals of item `item` (`None`: all items) under policy `policy`:
    /// kept if they are what is ranked, the metric is defined in the run and it is among the
    /// worst so far.
    #[inline]
    pub(crate) fn offer(
        &mut self,
        run: u64,
        (item, policy): (Option<usize>, usize),
        totals: &RunTotals,
    ) {
        if policy != self.by.policy || item != self.by.item {
            return;
        }
        if let Some(value) = self.by.metric.value(totals) {
            self.keep(RankedRun {
                run,
                value,
                totals: *totals,
            });
        }
    }

    fn keep(&mut self, ranked: RankedRun) {
        if self.by.count == 0 {
            return;
        }
        let turned = if self.by.metric.higher_is_better() {
            -ranked.value
        } else {
            ranked.value
        };
        let entry = Badness {
            key: turned + 0.0,
            ranked,
        };
        if self.kept.len() < self.by.count {
            self.kept.push(Reverse(entry));
        } else if let Some(Reverse(least)) = self.kept.peek()
            && entry > *least
        {
            self.kept.pop();
            self.kept.push(Reverse(entry));
        }
    }

    /// Fold in the runs another chunk kept.
    pub(crate) fn merge(&mut self, other: &WorstRuns) {
        debug_assert_eq!(self.by, other.by);
        for Reverse(entry) in &other.kept {
            self.keep(entry.ranked);
        }
    }

    /// The runs kept, worst first.
    pub(crate) fn worst_first(&self) -> Vec<RankedRun> {
        let mut entries: Vec<Badness> = self.kept.iter().map(|Reverse(e)| *e).collect();
        entries.sort_by(|a, b| b.cmp(a));
        entries.into_iter().map(|e| e.ranked).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(run: u64, value: f64) -> RankedRun {
        RankedRun {
            run,
            value,
            totals: RunTotals::default(),
        }
    }

    fn worst(metric: Metric, count: usize, values: &[(u64, f64)]) -> Vec<u64> {
        let mut w = WorstRuns::new(WorstBy {
            policy: 0,
            item: None,
            metric,
            count,
        });
        for &(run, value) in values {
            w.keep(ranked(run, value));
        }
        w.worst_first().iter().map(|r| r.run).collect()
    }

    #[test]
    fn keeps_the_worst_in_either_direction_ties_to_the_earlier_run() {
        let values = [(0, 0.1), (1, 0.3), (2, 0.0), (3, 0.3), (4, 0.2), (5, 0.05)];
        assert_eq!(worst(Metric::StockoutRate, 3, &values), [1, 3, 4]);
        assert_eq!(worst(Metric::FillRate, 3, &values), [2, 5, 0]);
        assert_eq!(worst(Metric::StockoutRate, 10, &values), [1, 3, 4, 0, 5, 2]);
        assert!(worst(Metric::StockoutRate, 0, &values).is_empty());
    }

    /// Kept by chunks in any grouping and merged in any order: the same runs, in the same
    /// order.
    #[test]
    fn merging_in_any_order_keeps_the_same_runs() {
        let values: Vec<(u64, f64)> = (0..200u64)
            .map(|r| (r, ((r * 7919) % 37) as f64 / 37.0))
            .collect();
        let by = WorstBy {
            policy: 0,
            item: None,
            metric: Metric::StockoutRate,
            count: 9,
        };
        let all = worst(by.metric, by.count, &values);
        for chunk in [1, 7, 64, 200] {
            let mut parts: Vec<WorstRuns> = values
                .chunks(chunk)
                .map(|part| {
                    let mut w = WorstRuns::new(by);
                    for &(run, value) in part {
                        w.keep(ranked(run, value));
                    }
                    w
                })
                .collect();
            parts.reverse();
            let mut merged = WorstRuns::new(by);
            for part in &parts {
                merged.merge(part);
            }
            let runs: Vec<u64> = merged.worst_first().iter().map(|r| r.run).collect();
            assert_eq!(runs, all, "chunks of {chunk}");
        }
    }
}
