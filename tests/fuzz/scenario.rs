//! Scenario mutants into load, a short simulation, the summary files and the report: the path of
//! `buffersim run --report`, through the library.
//!
//! Seeds are the example scenarios (`scenarios/*.toml`) and `tests/fuzz/seeds/*.toml`, which
//! holds the forms the examples leave out. A mutant is a seed with one to four structural
//! mutations (`tree`), written as TOML or as JSON (the same structure, in a `.json` file), and
//! sometimes raw byte damage on top (`bytes`); a few are the seed's own text, damaged.

use std::path::{Path, PathBuf};

use buffersim::model::scenario::{Scenario, ScenarioError};
use buffersim::presentation::describe::describe;
use buffersim::presentation::report::write_report;
use buffersim::presentation::table::comparison_table;
use buffersim::results::saved::SavedSummary;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine::simulate;
use rand::RngExt;
use rand::seq::IndexedRandom;

use super::bytes;
use super::finite::{Echoes, no_non_finite_words, nulls_only_where_documented};
use super::harness::{Broken, Case, Outcome, Rng, Target};
use super::tree::Mutator;

/// Most runs a mutant simulates: one batch of 16 runs stepped together and 4 more one at a
/// time, so both kernels run; the statistics of a handful of runs are where undefined
/// figures (a single run, no variance) show up.
const MAX_RUNS: u64 = 20;

/// Most item-days (horizon × items × policies × runs) a mutant may simulate: mutants may ask
/// for a 100-year horizon, and the harness should spend its time on many mutants rather than
/// on a few long ones. Beyond it, fewer runs (at least one).
const MAX_ITEM_DAYS: u64 = 2_000_000;

/// The label of a mutant that was valid, simulated and reported.
pub const SIMULATED: &str = "valid: simulated and reported";

/// The trace file `tests/fuzz/seeds/every-feature.toml` replays; written beside every mutant.
const TRACE: &str = "trace.csv";

/// A seed scenario: where it came from, its text and its parsed document.
struct Seed {
    name: String,
    text: String,
    doc: toml::Value,
}

/// The scenario target: its seeds, the mutator drawing on them, and the one-thread pool the
/// simulations run on.
pub struct Scenarios {
    seeds: Vec<Seed>,
    mutator: Mutator,
    trace: Vec<u8>,
    pool: rayon::ThreadPool,
}

impl Scenarios {
    /// Read the seeds.
    pub fn load() -> Scenarios {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut paths: Vec<PathBuf> = ["scenarios", "tests/fuzz/seeds"]
            .iter()
            .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("a seed folder"))
            .map(|entry| entry.expect("a folder entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        paths.sort();
        let seeds: Vec<Seed> = paths
            .iter()
            .map(|path| {
                let text = std::fs::read_to_string(path).expect("a seed scenario");
                let doc = toml::Value::Table(text.parse().expect("a seed parses as TOML"));
                let name = path.file_name().expect("a file").to_string_lossy().into();
                Seed { name, text, doc }
            })
            .collect();
        let named: Vec<(String, toml::Value)> = seeds
            .iter()
            .map(|s| (s.name.clone(), s.doc.clone()))
            .collect();
        Scenarios {
            mutator: Mutator::new(&named),
            seeds,
            trace: std::fs::read(root.join("tests/fuzz/seeds").join(TRACE)).expect("trace.csv"),
            pool: one_thread(),
        }
    }

    /// Each seed as a case of its own, unmutated: the fuzz test checks first that they are
    /// all valid, since a seed the format no longer takes would quietly narrow the fuzzing.
    pub fn seed_cases(&self) -> Vec<(String, Case)> {
        self.seeds
            .iter()
            .map(|s| {
                let files = vec![
                    ("mutant.toml".into(), s.text.clone().into_bytes()),
                    (TRACE.into(), self.trace.clone()),
                ];
                let recipe = vec![format!("{} as it is", s.name)];
                (s.name.clone(), Case { recipe, files })
            })
            .collect()
    }
}

/// Simulations run on one thread: results never depend on the thread count, and a mutant's
/// handful of runs fits in one chunk, which one thread simulates anyway.
pub fn one_thread() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool")
}

impl Target for Scenarios {
    fn name(&self) -> &'static str {
        "scenario"
    }

    fn mutant(&self, rng: &mut Rng) -> Case {
        let seed = self.seeds.choose(rng).expect("seeds");
        let mut recipe = vec![format!("from {}", seed.name)];
        let mut doc = seed.doc.clone();
        let form = rng.random_range(0..10);
        if form != 0 {
            // One mutation most often: each is likely to make the scenario invalid, and the
            // valid mutants are the ones that reach the engine and the report.
            let count = *[1, 1, 1, 1, 2, 2, 3, 4].choose(rng).expect("counts");
            for _ in 0..count {
                self.mutator.mutate(&mut doc, rng, &mut recipe);
            }
        }
        let (name, mut text) = match form {
            // The seed's own text, comments and inline tables as people write them.
            0 => ("mutant.toml", seed.text.clone().into_bytes()),
            1..=2 => ("mutant.json", json_text(&doc)),
            _ => match toml::to_string(&doc) {
                Ok(text) => ("mutant.toml", text.into_bytes()),
                // A document TOML cannot write (a mutation made it so) still has a JSON form.
                Err(_) => ("mutant.json", json_text(&doc)),
            },
        };
        let damaged = if form == 0 { 1.0 } else { 0.2 };
        if rng.random_bool(damaged) {
            for _ in 0..rng.random_range(1..=3) {
                bytes::mutate(&mut text, rng, &mut recipe);
            }
        }
        Case {
            recipe,
            files: vec![(name.into(), text), (TRACE.into(), self.trace.clone())],
        }
    }

    fn check(&self, case: &Case, dir: &Path) -> Result<Outcome, Broken> {
        let scenario = case
            .files
            .iter()
            .map(|(name, _)| dir.join(name))
            .find(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
            .expect("a case with a scenario file");
        check_scenario_file(&scenario, &self.pool)
    }
}

fn json_text(doc: &toml::Value) -> Vec<u8> {
    serde_json::to_string_pretty(doc)
        .expect("a TOML document has a JSON form")
        .into_bytes()
}

/// Load the scenario at `path` as `buffersim run` does; if it is valid, simulate a few runs,
/// write the summary, read it back and draw the report in a folder beside it, as `run
/// --report` does, checking every text on the way.
pub fn check_scenario_file(path: &Path, pool: &rayon::ThreadPool) -> Result<Outcome, Broken> {
    let scenario = match Scenario::load(path) {
        Ok(scenario) => scenario,
        Err(e) => return refused(&e),
    };
    let echoes = Echoes::of(names_of(&scenario).iter().map(String::as_str));
    no_non_finite_words("the validate output", &describe(&scenario), &echoes)?;
    let runs = runs_for(&scenario);
    let outcome = pool.install(|| simulate(&scenario, runs, scenario.seed, &|_| {}));
    let summary = Summary::new(&scenario, &outcome);
    let json = summary.to_json();
    nulls_only_where_documented(&json)?;
    for (name, text) in [
        ("summary.json", json.as_str()),
        ("summary.csv", &summary.to_csv()),
        ("the terminal table", &comparison_table(&summary)),
    ] {
        no_non_finite_words(name, text, &echoes)?;
    }
    let out = path.with_file_name("results");
    std::fs::create_dir_all(&out).expect("a results folder");
    std::fs::write(out.join("summary.json"), &json).expect("summary.json");
    // What `buffersim report` does: the summary as read back, not the one in memory.
    let saved = SavedSummary::load(&out)
        .map_err(|e| Broken::new("summary.json of a run does not read back", e.to_string()))?;
    write_report(&saved, &[], &out).map_err(|e| {
        Broken::new(
            "the report of a valid scenario cannot be drawn",
            e.to_string(),
        )
    })?;
    for name in ["report.md", "report.html"] {
        no_non_finite_words(name, &read_output(&out.join(name))?, &echoes)?;
    }
    for chart in std::fs::read_dir(out.join("charts")).expect("charts/") {
        let chart = chart.expect("a chart").path();
        if chart.extension().is_some_and(|e| e == "svg") {
            let name = format!(
                "charts/{}",
                chart.file_name().expect("a file").to_string_lossy()
            );
            no_non_finite_words(&name, &read_output(&chart)?, &echoes)?;
        }
    }
    Ok(Outcome {
        accepted: true,
        label: SIMULATED,
        note: None,
    })
}

/// A refusal, classed by kind; a refusal that names no problem breaks the promise that every
/// problem is reported.
fn refused(e: &ScenarioError) -> Result<Outcome, Broken> {
    let label = match e {
        ScenarioError::Read { .. } => "refused: cannot be read",
        ScenarioError::NotText { .. } => "refused: not text",
        ScenarioError::Syntax { .. } => "refused: syntax or shape",
        ScenarioError::Invalid { problems, .. } => {
            if problems.is_empty() {
                return Err(Broken::new(
                    "a scenario is refused without a problem",
                    e.to_string(),
                ));
            }
            "refused: values out of range or inconsistent"
        }
    };
    Ok(Outcome {
        accepted: false,
        label,
        note: Some(e.to_string()),
    })
}

/// Runs for a mutant: its own, at most [`MAX_RUNS`], fewer when each run is long.
fn runs_for(scenario: &Scenario) -> u64 {
    let per_run = u64::from(scenario.horizon_days)
        * scenario.items.len() as u64
        * scenario.policies.len() as u64;
    (MAX_ITEM_DAYS / per_run.max(1))
        .clamp(1, MAX_RUNS)
        .min(scenario.runs)
}

/// The names a scenario gives, which its outputs echo: its own, its file's, and those of its
/// suppliers (and their regions), items, disruptions and policies.
fn names_of(scenario: &Scenario) -> Vec<String> {
    let suppliers = scenario
        .suppliers
        .iter()
        .flat_map(|s| std::iter::once(&s.id).chain(&s.region));
    [scenario.name.clone(), scenario.stem()]
        .into_iter()
        .chain(suppliers.cloned())
        .chain(scenario.items.iter().map(|i| i.id.clone()))
        .chain(scenario.disruptions.iter().map(|d| d.id.clone()))
        .chain(scenario.policies.iter().map(|p| p.name.clone()))
        .collect()
}

/// An output file as text: outputs are UTF-8, whatever the input was.
pub fn read_output(path: &Path) -> Result<String, Broken> {
    let bytes = std::fs::read(path).expect("an output file");
    String::from_utf8(bytes).map_err(|e| {
        let name = path.file_name().expect("a file").to_string_lossy();
        Broken::new(format!("{name} is not UTF-8"), e.to_string())
    })
}
