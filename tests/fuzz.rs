//! The fuzz harness: robustness as a habit (issue 18).
//!
//! Mutants of the example scenarios go through load, a short simulation, the summary files and
//! the report; mutants of the example ERP history go through `profile`, and the scenario it
//! writes through the same path. Every check runs under `catch_unwind`, and fails on a panic
//! or on a number that is not finite in any output (see `fuzz/finite.rs` for exactly what is
//! promised). It runs on stable Rust with the crates the project already has: a seeded
//! generator, mutations that know the shape of the inputs, and a loop.
//!
//! `cargo test` makes a bounded run from a fixed seed (under a minute in the test profile on
//! two cores). A longer run, about twenty minutes in release, is one command (README,
//! "Fuzzing"):
//!
//! ```sh
//! BUFFERSIM_FUZZ_ITERATIONS=60000 BUFFERSIM_FUZZ_HISTORY_ITERATIONS=20000 BUFFERSIM_FUZZ_SEED=7 \
//!     cargo test --release --test fuzz -- --nocapture
//! ```
//!
//! Each mutant that finds a defect is written to `target/tmp/fuzz-failures/`, with
//! `recipe.txt` saying how it was made and the command that makes it again; a fixed defect's
//! mutant then becomes a fixture under `tests/data/broken/`, checked by
//! [`broken_input_fixtures_keep_their_verdicts`].

mod fuzz {
    pub mod bytes;
    pub mod finite;
    pub mod harness;
    pub mod history;
    pub mod scenario;
    pub mod tree;
}

use std::path::Path;

use fuzz::harness::{Case, Config, QuietPanics, Target, check_caught, fuzz, scratch};
use fuzz::history::Histories;
use fuzz::scenario::{SIMULATED, Scenarios};

/// Scenario mutants of the bounded run.
const SCENARIO_ITERATIONS: u64 = 600;

/// History mutants of the bounded run.
const HISTORY_ITERATIONS: u64 = 400;

/// The bounded run: a fixed seed, so it finds the same thing every time, and a number of
/// mutants that fits the test budget. `BUFFERSIM_FUZZ_*` make it longer (module docs).
#[test]
fn mutants_neither_panic_nor_write_non_finite_numbers() {
    let config = Config::from_env(SCENARIO_ITERATIONS, HISTORY_ITERATIONS);
    let scenarios = Scenarios::load();
    let histories = Histories::load();
    let runs = [
        fuzz(
            &scenarios,
            &config,
            config.range(config.scenario_iterations),
        ),
        fuzz(&histories, &config, config.range(config.history_iterations)),
    ];
    let report: String = runs.iter().map(|t| t.report(config.seed)).collect();
    eprintln!("{report}");
    assert!(
        runs.iter().all(|t| t.clean()),
        "the fuzz run found defects; each one's first mutant is saved with its recipe:\n{report}"
    );
    // A run that refuses everything tests nothing beyond the parser.
    assert!(
        config.scenario_iterations < 100 || runs[0].count(SIMULATED) * 20 >= runs[0].iterations(),
        "fewer than one scenario mutant in twenty was valid:\n{report}"
    );
}

/// Each seed is valid as it is: a seed the format no longer takes would quietly leave its
/// features out of the fuzzing.
#[test]
fn the_seeds_are_valid() {
    let scenarios = Scenarios::load();
    let _quiet = QuietPanics::install();
    let work = scratch();
    for (name, case) in scenarios.seed_cases() {
        match check_caught(&scenarios, &case, work.path()) {
            Ok(outcome) => assert!(outcome.accepted, "{name}: {:?}", outcome.note),
            Err(broken) => panic!("{name}: {}", broken.detail),
        }
    }
}

/// One fixture per kind of broken input the harness makes, and per defect it found:
/// `tests/data/broken/<target>/<verdict>-<what>/` holds the input files (laid out as the
/// harness saves a failing mutant) and, optionally, `expect.txt`, a line the refusal must
/// contain. The verdict is `refused` (an error message) or `accepted` (a scenario that runs and
/// reports, a history that profiles). Whatever the verdict, the harness's promises hold:
/// nothing panics, no output spells a non-finite number.
#[test]
fn broken_input_fixtures_keep_their_verdicts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/broken");
    let scenarios = Scenarios::load();
    let histories = Histories::load();
    let targets: [&dyn Target; 2] = [&scenarios, &histories];
    let _quiet = QuietPanics::install();
    let work = scratch();
    let mut checked = 0;
    let mut failures = Vec::new();
    for target in targets {
        let dir = root.join(target.name());
        let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        fixtures.sort();
        for fixture in fixtures {
            checked += 1;
            let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
            let expect_accepted = match name.split('-').next() {
                Some("accepted") => true,
                Some("refused") => false,
                _ => panic!("{name}: a fixture's name starts with accepted- or refused-"),
            };
            let expected = std::fs::read_to_string(fixture.join("expect.txt")).ok();
            let case = Case::read(&fixture);
            match check_caught(target, &case, work.path()) {
                Err(broken) => failures.push(format!("{name}: {}", broken.detail)),
                Ok(outcome) if outcome.accepted != expect_accepted => failures.push(format!(
                    "{name}: expected {}, got '{}' {:?}",
                    if expect_accepted {
                        "accepted"
                    } else {
                        "refused"
                    },
                    outcome.label,
                    outcome.note
                )),
                Ok(outcome) => {
                    if let Some(line) = expected.as_deref().map(str::trim)
                        && !outcome.note.as_deref().unwrap_or_default().contains(line)
                    {
                        failures.push(format!(
                            "{name}: the message lacks '{line}': {:?}",
                            outcome.note
                        ));
                    }
                }
            }
        }
    }
    assert!(checked > 0, "no fixtures under {}", root.display());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
