//! Parallel work merged in a fixed order: the engine's chunks of runs.
//!
//! Each worker claims the next chunk, simulates it and hands it in. The worker that hands in
//! the next chunk to merge merges it, and every chunk finished after it, while the others go
//! on simulating: there is no barrier at which threads wait for one another, and the merge
//! of one chunk overlaps the simulation of the next. Merging in chunk order keeps floating-point
//! sums, and so results, independent of the thread count. A chunk may only start within a
//! window of the next chunk to merge, which bounds the memory of unmerged results.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Run every chunk of `chunks` on `threads` workers (in the current rayon pool) and merge the
/// results into `total` with `merge`, in chunk order. Each worker calls `worker_run` once for
/// the function it runs its chunks with, which so keeps its buffers from chunk to chunk. At
/// most `window` chunks are run or held ahead of the merge. `merged` is called, from one
/// thread at a time and in increasing order, with the index one past the last chunk merged.
///
/// The chunk runs and `merge` must not use rayon themselves: a worker waiting inside a rayon join could
/// pick up another worker's task, which may then wait for room behind a chunk that the
/// suspended worker holds.
pub(super) fn run_in_order<T: Send, P: Send, R: FnMut(u64) -> P>(
    chunks: Range<u64>,
    threads: usize,
    window: u64,
    total: &mut T,
    worker_run: impl Fn() -> R + Sync,
    merge: impl Fn(&mut T, P) + Sync,
    merged: impl Fn(u64) + Sync,
) {
    let order = OrderedMerge::new(total, chunks.start, window.max(1));
    let claimed = AtomicU64::new(chunks.start);
    let worker = || {
        let mut run = worker_run();
        loop {
            let chunk = claimed.fetch_add(1, Ordering::Relaxed);
            if chunk >= chunks.end {
                break;
            }
            if !order.wait_for_room(chunk) {
                break;
            }
            let abandon_on_panic = Abandon(&order);
            order.hand_in(chunk, run(chunk), &merge, &merged);
            std::mem::forget(abandon_on_panic);
        }
    };
    if threads <= 1 {
        worker();
    } else {
        rayon::scope(|s| {
            for _ in 0..threads {
                s.spawn(|_| worker());
            }
        });
    }
}

/// The merge's shared state: the total, and the chunks finished ahead of it.
struct OrderedMerge<'t, T, P> {
    frontier: Mutex<Frontier<P>>,
    /// Signalled when the frontier advances, for workers waiting for room in the window.
    advanced: Condvar,
    /// Only the merging worker locks it, so it is never contended.
    total: Mutex<&'t mut T>,
    window: u64,
}

struct Frontier<P> {
    /// The next chunk to merge.
    next: u64,
    /// Chunks finished before the ones ahead of them.
    waiting: BTreeMap<u64, P>,
    /// A worker is merging; only one does at a time.
    merging: bool,
    /// A worker panicked: the others stop instead of waiting for its chunk.
    abandoned: bool,
}

/// Marks the merge abandoned if dropped, which happens only when `run` or `merge` panics;
/// rayon then passes the panic on once the other workers have stopped.
struct Abandon<'a, 't, T, P>(&'a OrderedMerge<'t, T, P>);

impl<T, P> Drop for Abandon<'_, '_, T, P> {
    fn drop(&mut self) {
        self.0.frontier().abandoned = true;
        self.0.advanced.notify_all();
    }
}

impl<'t, T, P> OrderedMerge<'t, T, P> {
    fn new(total: &'t mut T, first_chunk: u64, window: u64) -> Self {
        OrderedMerge {
            frontier: Mutex::new(Frontier {
                next: first_chunk,
                waiting: BTreeMap::new(),
                merging: false,
                abandoned: false,
            }),
            advanced: Condvar::new(),
            total: Mutex::new(total),
            window,
        }
    }

    /// The lock on the frontier. A worker that panicked has already failed the whole run
    /// (rayon passes the panic on), so a poisoned lock is simply taken over.
    fn frontier(&self) -> MutexGuard<'_, Frontier<P>> {
        self.frontier.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Block until `chunk` is within the window of the next chunk to merge; false if the
    /// work was abandoned. Chunks are claimed in order and the chunk at the frontier is always
    /// running or finished, never waiting, so this cannot wait forever.
    fn wait_for_room(&self, chunk: u64) -> bool {
        let mut frontier = self.frontier();
        while chunk >= frontier.next + self.window && !frontier.abandoned {
            frontier = self
                .advanced
                .wait(frontier)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !frontier.abandoned
    }

    /// Hand in a finished chunk. If nobody is merging, merge every chunk that is next in order.
    fn hand_in(&self, chunk: u64, part: P, merge: impl Fn(&mut T, P), merged: impl Fn(u64)) {
        let mut frontier = self.frontier();
        frontier.waiting.insert(chunk, part);
        if frontier.merging {
            // The merging worker will find it when it gets there.
            return;
        }
        frontier.merging = true;
        loop {
            let next = frontier.next;
            let Some(part) = frontier.waiting.remove(&next) else {
                break;
            };
            drop(frontier);
            merge(
                &mut self.total.lock().unwrap_or_else(PoisonError::into_inner),
                part,
            );
            frontier = self.frontier();
            frontier.next = next + 1;
            self.advanced.notify_all();
            drop(frontier);
            merged(next + 1);
            frontier = self.frontier();
        }
        frontier.merging = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use std::time::Duration;

    /// Chunks that take random times on more threads than the window holds still merge in
    /// chunk order, each once, with progress reported in order.
    #[test]
    fn chunks_merge_in_order_whatever_finishes_first() {
        for (threads, window) in [(1, 1), (2, 1), (3, 2), (4, 3), (6, 16)] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut total = Vec::new();
            let progress = Mutex::new(Vec::new());
            pool.install(|| {
                run_in_order(
                    3..40,
                    threads,
                    window,
                    &mut total,
                    || {
                        |chunk| {
                            let mut rng = Xoshiro256PlusPlus::seed_from_u64(chunk);
                            std::thread::sleep(Duration::from_micros(rng.random_range(0..2_000)));
                            vec![chunk]
                        }
                    },
                    |total: &mut Vec<u64>, part: Vec<u64>| total.extend_from_slice(&part),
                    |merged| progress.lock().unwrap().push(merged),
                );
            });
            assert_eq!(
                total,
                (3..40).collect::<Vec<_>>(),
                "{threads} threads, window {window}"
            );
            assert_eq!(progress.into_inner().unwrap(), (4..=40).collect::<Vec<_>>());
        }
    }

    /// No chunk starts more than the window ahead of the merge.
    #[test]
    fn chunks_start_within_the_window() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        // Counted in `merge`, which finishes before the frontier moves on.
        let merged_so_far = AtomicU64::new(0);
        let mut total = 0u64;
        let mut started_too_early = Vec::new();
        let too_early = Mutex::new(&mut started_too_early);
        pool.install(|| {
            run_in_order(
                0..60,
                4,
                2,
                &mut total,
                || {
                    |chunk| {
                        let merged = merged_so_far.load(Ordering::SeqCst);
                        if chunk >= merged + 2 {
                            too_early.lock().unwrap().push((chunk, merged));
                        }
                        std::thread::sleep(Duration::from_micros(200 * (chunk % 3)));
                        1
                    }
                },
                |total, part| {
                    *total += part;
                    merged_so_far.fetch_add(1, Ordering::SeqCst);
                },
                |_| {},
            );
        });
        assert_eq!(total, 60);
        assert_eq!(
            started_too_early,
            [],
            "(chunk, chunks merged when it started)"
        );
    }

    /// A chunk that panics, in its run or in its merge, stops the work and the panic reaches
    /// the caller; the workers waiting for room behind it do not wait forever (the work runs
    /// on its own thread, so that a hang fails the test rather than stalling it).
    #[test]
    fn a_panicking_chunk_stops_the_others() {
        for fails_in_merge in [false, true] {
            let (report, outcome) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(3)
                    .build()
                    .unwrap();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    pool.install(|| {
                        run_in_order(
                            0..50,
                            3,
                            1,
                            &mut 0u64,
                            || {
                                |chunk| {
                                    std::thread::sleep(Duration::from_micros(300));
                                    assert!(fails_in_merge || chunk != 5, "chunk 5 fails");
                                    chunk
                                }
                            },
                            |total, part| {
                                assert!(!fails_in_merge || part != 5, "chunk 5 fails to merge");
                                *total += part;
                            },
                            |_| {},
                        );
                    })
                }));
                let _ = report.send(result.is_err());
            });
            assert_eq!(
                outcome.recv_timeout(Duration::from_secs(60)),
                Ok(true),
                "fails in merge: {fails_in_merge} (Ok(true): the panic came through)"
            );
        }
    }
}
