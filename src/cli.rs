//! The command line: argument shapes (clap) and the calls they make into the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::document::{self, SavedSummary};
use crate::engine;
use crate::report::{self, Summary};
use crate::scenario::Scenario;

#[derive(Debug, Parser)]
#[command(
    name = "buffersim",
    version,
    about = "Monte Carlo disruption simulator for inventory buffers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario under each of its policies and compare them.
    Run(RunArgs),
    /// Check a scenario without running it and show what it resolves to.
    Validate {
        /// Scenario file (.toml or .json).
        scenario: PathBuf,
    },
    /// Make the charts and report.html/report.md of an earlier run from its summary.json.
    Report {
        /// Results folder of a run (holding summary.json), e.g. results/kanban-vs-jic.
        results_dir: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// Number of runs (overrides simulation.runs).
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (overrides simulation.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Folder for summary.json and summary.csv (default: `results/<scenario file stem>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write charts/*.svg, charts/*.png, report.html and report.md into the folder.
    #[arg(long)]
    pub report: bool,
}

/// Execute a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run(args) => run_scenario(&args),
        Command::Validate { scenario } => {
            let scenario = Scenario::load(&scenario)?;
            let text = format!("{}\nscenario is valid\n", report::describe(&scenario));
            std::io::stdout().lock().write_all(text.as_bytes())?;
            Ok(())
        }
        Command::Report { results_dir } => {
            let started = Instant::now();
            let summary = SavedSummary::load(&results_dir)?;
            write_report(&summary, &results_dir, started)
        }
    }
}

/// Write the report of `summary` into `dir` and say on stderr what was written, and how long
/// it took since `started` (the report's cost does not grow with the run count: it works from
/// the summary).
fn write_report(summary: &SavedSummary, dir: &Path, started: Instant) -> anyhow::Result<()> {
    let written = document::write_report(summary, dir)?;
    let elapsed = started.elapsed();
    for path in &written.files {
        eprintln!("wrote {}", path.display());
    }
    eprintln!(
        "report: {} charts, report.html and report.md in {:.2} s",
        written.charts,
        elapsed.as_secs_f64()
    );
    Ok(())
}

fn run_scenario(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let runs = args.runs.unwrap_or(scenario.runs);
    if runs == 0 {
        anyhow::bail!("--runs must be at least 1");
    }
    let seed = args.seed.unwrap_or(scenario.seed);
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("results").join(scenario.stem()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .map_err(|e| anyhow::anyhow!("cannot start {:?} worker threads: {e}", args.threads))?;

    report::check_writable(&out)?;

    let bar = Progress::new(runs);
    let started = Instant::now();
    let outcome =
        pool.install(|| engine::simulate(&scenario, runs, seed, &|done| bar.update(done)));
    let elapsed = started.elapsed();
    bar.finish();

    let summary = Summary::new(&scenario, &outcome);
    let written = report::write_summary(&summary, &out)?;
    std::io::stdout()
        .lock()
        .write_all(report::comparison_table(&summary).as_bytes())?;
    for path in written {
        eprintln!("wrote {}", path.display());
    }
    eprintln!("{}", speed_line(outcome.item_days, elapsed));
    if args.report {
        let started = Instant::now();
        write_report(&SavedSummary::from_summary(&summary), &out, started)?;
    }
    Ok(())
}

/// "simulated 36.5 million item-days in 0.41 s (89.0 million item-days/s)"
fn speed_line(item_days: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-9);
    format!(
        "simulated {:.1} million item-days in {:.2} s ({:.1} million item-days/s)",
        item_days as f64 / 1e6,
        secs,
        item_days as f64 / secs / 1e6
    )
}

/// A progress bar on stderr that appears only for runs longer than a second, and only when
/// stderr is a terminal.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
}

impl Progress {
    fn new(runs: u64) -> Self {
        let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    fn update(&self, done: u64) {
        if self.enabled && self.bar.is_hidden() && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        self.bar.set_position(done);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
