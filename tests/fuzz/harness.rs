//! The loop both targets share: make a mutant from a seeded generator, check it with panics
//! caught, tally what happened, keep the first mutant of every kind of defect.
//!
//! A [`Target`] knows how to make a mutant ([`Target::mutant`]) and how to run it through the
//! library ([`Target::check`]); everything else — reproducibility, panic capture, the tally,
//! the failure folders — lives here once.

use std::collections::BTreeMap;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator every mutation draws from: a named algorithm (the project's rule), one stream
/// per (seed, target, iteration), so iteration `i` of a seed is the same mutant however the run
/// was split, and can be made again on its own with `BUFFERSIM_FUZZ_START=i`.
pub type Rng = Xoshiro256PlusPlus;

/// Settings of one fuzz run, from the environment, with the defaults of the bounded run that
/// `cargo test` makes.
pub struct Config {
    /// `BUFFERSIM_FUZZ_SEED`: the master seed.
    pub seed: u64,
    /// `BUFFERSIM_FUZZ_START`: the first iteration (to replay iteration `i` alone, start there
    /// with one iteration).
    pub start: u64,
    /// `BUFFERSIM_FUZZ_ITERATIONS`: scenario mutants to check.
    pub scenario_iterations: u64,
    /// `BUFFERSIM_FUZZ_HISTORY_ITERATIONS`: history mutants to check (default: as many as
    /// scenario mutants).
    pub history_iterations: u64,
    /// Where the mutants that found a defect are written, one folder each; the slowest mutant
    /// of each target goes beside it, in `fuzz-slowest`.
    pub failures: PathBuf,
}

impl Config {
    /// The settings the environment gives, else the bounded run's: `iterations` scenario
    /// mutants and `history_iterations` history mutants, from seed 18 (the issue that asked
    /// for them). `BUFFERSIM_FUZZ_ITERATIONS` alone sets both counts.
    pub fn from_env(iterations: u64, history_iterations: u64) -> Config {
        let number = |name: &str, default: u64| match std::env::var(name) {
            Ok(text) => text
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("{name} must be a whole number, got '{text}'")),
            Err(_) => default,
        };
        let scenario_iterations = number("BUFFERSIM_FUZZ_ITERATIONS", iterations);
        let history_default = if std::env::var_os("BUFFERSIM_FUZZ_ITERATIONS").is_some() {
            scenario_iterations
        } else {
            history_iterations
        };
        Config {
            seed: number("BUFFERSIM_FUZZ_SEED", 18),
            start: number("BUFFERSIM_FUZZ_START", 0),
            scenario_iterations,
            history_iterations: number("BUFFERSIM_FUZZ_HISTORY_ITERATIONS", history_default),
            failures: Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures"),
        }
    }

    /// The iterations to run of a target asked for `count` mutants.
    pub fn range(&self, count: u64) -> Range<u64> {
        self.start..self.start.saturating_add(count)
    }
}

/// The generator of iteration `iteration` of `target` under `seed`.
pub fn rng_for(seed: u64, target: &str, iteration: u64) -> Rng {
    // FNV-1a of the target's name keeps the two targets' streams apart under one seed;
    // `seed_from_u64` then spreads the combined key through SplitMix64.
    let name = target.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let key = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(name)
        .rotate_left(29)
        ^ iteration;
    Rng::seed_from_u64(key)
}

/// One input to check: the files it consists of, and how it was made.
#[derive(Clone, Debug)]
pub struct Case {
    /// How the mutant was made, one step a line: what a person needs to see the defect.
    pub recipe: Vec<String>,
    /// File names and contents: the target knows its files by their names.
    pub files: Vec<(String, Vec<u8>)>,
}

impl Case {
    /// Write the files into `dir` (which exists and is empty).
    pub fn write(&self, dir: &Path) {
        for (name, bytes) in &self.files {
            std::fs::write(dir.join(name), bytes)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", dir.join(name).display()));
        }
    }

    /// Read a case back from a folder written by [`Case::write`] (a fixture, or a saved
    /// failure): every file but the notes the harness adds.
    pub fn read(dir: &Path) -> Case {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("a folder entry").path())
            .filter(|path| path.is_file())
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?.to_string();
                (!NOTE_FILES.contains(&name.as_str()))
                    .then(|| (name, std::fs::read(&path).expect("a fixture file")))
            })
            .collect();
        files.sort();
        Case {
            recipe: vec![format!("read from {}", dir.display())],
            files,
        }
    }
}

/// Files in a case folder that are notes for people (and the fixture test), not input.
const NOTE_FILES: [&str; 2] = ["recipe.txt", "expect.txt"];

/// What checking one mutant came to when nothing broke.
pub struct Outcome {
    /// Whether the input was taken (a scenario validated, a history profiled) rather than
    /// refused with a message.
    pub accepted: bool,
    /// What happened, for the tally: "refused: invalid", "simulated and reported", …
    pub label: &'static str,
    /// The message of a refusal, or what a tally line should show an example of.
    pub note: Option<String>,
}

/// A promise the library broke on a mutant.
pub struct Broken {
    /// The kind of defect, the same for every mutant that shows it: the failures are grouped
    /// by it, and the first mutant of each kind is kept.
    pub class: String,
    /// What exactly was wrong with this mutant.
    pub detail: String,
}

impl Broken {
    /// A defect of kind `class`.
    pub fn new(class: impl Into<String>, detail: impl Into<String>) -> Broken {
        Broken {
            class: class.into(),
            detail: detail.into(),
        }
    }
}

/// Something the library does to an input, with the promises it must keep.
pub trait Target {
    /// Short name, in the tally, the generator's stream and the failure folders.
    fn name(&self) -> &'static str;
    /// A mutant, drawn from `rng` alone.
    fn mutant(&self, rng: &mut Rng) -> Case;
    /// Run the case (written into the empty folder `dir`) through the library; a panic is
    /// caught by the caller.
    fn check(&self, case: &Case, dir: &Path) -> Result<Outcome, Broken>;
}

/// Run `case` through `target` in a fresh folder under `work`, with panics caught and turned
/// into a [`Broken`] named by where they happened.
pub fn check_caught(target: &dyn Target, case: &Case, work: &Path) -> Result<Outcome, Broken> {
    let dir = work.join("case");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    case.write(&dir);
    take_last_panic();
    match panic::catch_unwind(AssertUnwindSafe(|| target.check(case, &dir))) {
        // Messages name the files by their scratch path: shorter without it.
        Ok(Ok(mut outcome)) => {
            let prefix = format!("{}/", dir.display());
            outcome.note = outcome.note.map(|n| n.replace(&prefix, ""));
            Ok(outcome)
        }
        Ok(Err(broken)) => Err(broken),
        Err(_) => {
            let seen = take_last_panic().unwrap_or_default();
            let location = seen.location.unwrap_or_else(|| "an unknown place".into());
            let message = seen.message.unwrap_or_else(|| "(no message)".into());
            Err(Broken::new(
                format!("panic at {location}"),
                format!("panicked at {location}: {message}"),
            ))
        }
    }
}

/// What one target's run found.
pub struct Tally {
    target: &'static str,
    /// How many mutants ended each way, by [`Outcome::label`], with up to three examples of
    /// their notes.
    outcomes: BTreeMap<&'static str, (u64, Vec<String>)>,
    /// Defects by class: how many mutants showed it, the first one's iteration, detail and
    /// saved folder.
    defects: BTreeMap<String, Defect>,
    /// The mutant that took longest: a slow path is a defect of its own kind, and a long run
    /// should say where its time went.
    slowest: Option<Slowest>,
    iterations: u64,
    elapsed: Duration,
}

struct Slowest {
    took: Duration,
    iteration: u64,
    case: Case,
}

struct Defect {
    count: u64,
    iteration: u64,
    detail: String,
    saved: PathBuf,
}

impl Tally {
    /// True when no mutant broke a promise.
    pub fn clean(&self) -> bool {
        self.defects.is_empty()
    }

    /// Mutants checked.
    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// How many mutants ended with this label.
    pub fn count(&self, label: &str) -> u64 {
        self.outcomes.get(label).map_or(0, |(n, _)| *n)
    }

    /// The run in a few lines: outcomes with examples, the slowest mutant, and every defect
    /// with where its first mutant was saved.
    pub fn report(&self, seed: u64) -> String {
        let mut out = format!(
            "{}: {} mutants in {:.1} s (seed {seed})\n",
            self.target,
            self.iterations,
            self.elapsed.as_secs_f64(),
        );
        if let Some(s) = &self.slowest {
            out.push_str(&format!(
                "  slowest: iteration {} in {:.2} s ({})\n",
                s.iteration,
                s.took.as_secs_f64(),
                s.case.recipe.join("; ")
            ));
        }
        for (label, (count, examples)) in &self.outcomes {
            out.push_str(&format!("  {count:>8}  {label}\n"));
            for example in examples {
                let lines: Vec<&str> = example.lines().map(str::trim).collect();
                let short: String = lines.join(" / ").chars().take(200).collect();
                out.push_str(&format!("              e.g. {short}\n"));
            }
        }
        for (class, d) in &self.defects {
            out.push_str(&format!(
                "  DEFECT ({} mutants): {class}\n    first: iteration {}, saved in {}\n    {}\n",
                d.count,
                d.iteration,
                d.saved.display(),
                d.detail.replace('\n', "\n    ")
            ));
        }
        out
    }
}

/// Check the mutants of `iterations`, saying how far it got on stderr every half minute (shown
/// with `--nocapture`). Panics print nothing while this runs (see [`QuietPanics`]); they are
/// tallied instead.
pub fn fuzz(target: &dyn Target, config: &Config, iterations: Range<u64>) -> Tally {
    let work = scratch();
    let mut tally = Tally {
        target: target.name(),
        outcomes: BTreeMap::new(),
        defects: BTreeMap::new(),
        slowest: None,
        iterations: 0,
        elapsed: Duration::ZERO,
    };
    let started = Instant::now();
    let mut next_progress = Duration::from_secs(30);
    let _quiet = QuietPanics::install();
    for iteration in iterations.clone() {
        let case = target.mutant(&mut rng_for(config.seed, target.name(), iteration));
        let case_started = Instant::now();
        let result = check_caught(target, &case, work.path());
        let took = case_started.elapsed();
        if tally.slowest.as_ref().is_none_or(|s| took > s.took) {
            tally.slowest = Some(Slowest {
                took,
                iteration,
                case: case.clone(),
            });
        }
        tally.iterations += 1;
        match result {
            Ok(outcome) => {
                let entry = tally.outcomes.entry(outcome.label).or_default();
                entry.0 += 1;
                if let Some(note) = outcome.note.filter(|_| entry.1.len() < 3) {
                    entry.1.push(note);
                }
            }
            Err(broken) => {
                let defect = tally.defects.entry(broken.class).or_insert_with(|| Defect {
                    count: 0,
                    iteration,
                    saved: save(
                        &config.failures,
                        config.seed,
                        target.name(),
                        iteration,
                        &case,
                        &broken.detail,
                    ),
                    detail: broken.detail,
                });
                defect.count += 1;
            }
        }
        if started.elapsed() > next_progress {
            next_progress += Duration::from_secs(30);
            eprintln!(
                "{}: {} of {} mutants, {} defects, {:.0} s",
                target.name(),
                iteration + 1 - iterations.start,
                iterations.end - iterations.start,
                tally.defects.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    tally.elapsed = started.elapsed();
    if let Some(s) = &tally.slowest {
        let dir = config.failures.with_file_name("fuzz-slowest");
        let note = format!("took {:.2} s", s.took.as_secs_f64());
        save(
            &dir,
            config.seed,
            target.name(),
            s.iteration,
            &s.case,
            &note,
        );
    }
    tally
}

/// Keep a mutant in a folder under `root`: its files as they were checked, and `recipe.txt`
/// saying how it was made, how to make it again, and what it `found`. The folder has the
/// layout of a fixture (`tests/data/broken/`).
fn save(root: &Path, seed: u64, target: &str, iteration: u64, case: &Case, found: &str) -> PathBuf {
    let dir = root.join(format!("{target}-seed{seed}-iteration{iteration}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a folder under target/");
    case.write(&dir);
    let recipe = format!(
        "{target} mutant, seed {seed}, iteration {iteration}\nreplay: BUFFERSIM_FUZZ_SEED={seed} \
         BUFFERSIM_FUZZ_START={iteration} BUFFERSIM_FUZZ_ITERATIONS=1 cargo test --test fuzz \
         -- --nocapture\n\nmade by:\n  {}\n\nfound:\n{found}\n",
        case.recipe.join("\n  ")
    );
    std::fs::write(dir.join("recipe.txt"), recipe).expect("recipe.txt");
    dir
}

/// A scratch folder for the mutants' files: in memory where the system has one (`/dev/shm`).
/// Every output is written atomically and synced to disk, which on a disk costs milliseconds
/// a file: most of a mutant's time.
pub fn scratch() -> tempfile::TempDir {
    Some(Path::new("/dev/shm"))
        .filter(|shm| shm.is_dir())
        .and_then(|shm| tempfile::tempdir_in(shm).ok())
        .unwrap_or_else(|| tempfile::tempdir().expect("a scratch folder"))
}

/// What the panic hook saw of the last panic.
#[derive(Default)]
struct PanicSeen {
    location: Option<String>,
    message: Option<String>,
}

/// The last panic the quiet hook saw. The hook runs on the thread that panicked, which for a
/// simulation is a worker of its thread pool, not the thread that catches the panic, so the
/// note is kept process-wide; [`QuietPanics`] lets one loop run at a time, so it is that
/// loop's panic.
static LAST_PANIC: Mutex<Option<PanicSeen>> = Mutex::new(None);

/// Held while a fuzz loop or a fixture test runs: the panic hook and [`LAST_PANIC`] are the
/// process's, so one of them at a time may silence panics and read what was noted.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn take_last_panic() -> Option<PanicSeen> {
    LAST_PANIC
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

/// While true, panics are noted in [`LAST_PANIC`] instead of printed.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Silences panics while it lives: thousands of caught panics would otherwise bury the test
/// log, and each is reported once, by class, in the tally. The hook that notes them is
/// installed once and stays, passing panics to the previous hook whenever no `QuietPanics`
/// lives: a hook cannot be swapped back while a thread is panicking, which is exactly when a
/// failing assertion drops the guard. If the harness itself panics meanwhile, the guard prints
/// what it noted, so that a bug in the harness does not fail silently.
pub struct QuietPanics {
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl QuietPanics {
    /// Silence panics (waiting for any other loop to finish).
    pub fn install() -> QuietPanics {
        static HOOK: Once = Once::new();
        let guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
        HOOK.call_once(|| {
            let previous = panic::take_hook();
            panic::set_hook(Box::new(move |info| {
                if !QUIET.load(Ordering::SeqCst) {
                    return previous(info);
                }
                let seen = PanicSeen {
                    location: info.location().map(|l| l.to_string()),
                    message: info.payload_as_str().map(str::to_string),
                };
                *LAST_PANIC.lock().unwrap_or_else(PoisonError::into_inner) = Some(seen);
            }));
        });
        QUIET.store(true, Ordering::SeqCst);
        QuietPanics {
            _one_at_a_time: guard,
        }
    }
}

impl Drop for QuietPanics {
    fn drop(&mut self) {
        QUIET.store(false, Ordering::SeqCst);
        if std::thread::panicking()
            && let Some(seen) = take_last_panic()
        {
            eprintln!(
                "the fuzz harness itself panicked at {}: {}",
                seen.location.unwrap_or_default(),
                seen.message.unwrap_or_default()
            );
        }
    }
}
