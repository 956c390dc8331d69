//! The command line: argument shapes (clap) and the calls they make into the library.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analysis::RunPlan;
use crate::analysis::compare::Comparison;
use crate::analysis::folder::{self, Drawn, Kind};
use crate::analysis::param::Vary;
use crate::analysis::precision::Precision;
use crate::analysis::shards::{Job, Merged};
use crate::analysis::target::Target;
use crate::analysis::{optimize, stress, sweep, trace};
use crate::model::scenario::{MAX_RUNS, Scenario};
use crate::presentation::describe::describe;
use crate::presentation::report;
use crate::presentation::table::comparison_table;
use crate::results::files::{Committed, FileSet, FolderLock, check_writable};
use crate::results::partial::{PARTIAL_FILE, Shard};
use crate::results::precision::PrecisionReport;
use crate::results::saved::SavedSummary;
use crate::results::summary::Summary;
use crate::results::summary_files::add_summary;
use crate::simulation::engine::{CHUNK_RUNS, Outcome};
use crate::simulation::metrics::{METRICS, Metric};
use crate::simulation::per_run::PerRun;

/// The whole command line: which command to run, with its arguments. `main` parses it and
/// hands it to [`run`].
#[derive(Debug, Parser)]
#[command(
    name = "buffersim",
    version,
    about = "Monte Carlo disruption simulator for inventory buffers"
)]
pub struct Cli {
    /// Print nothing but errors: no table, no progress, no notes of files written (exit
    /// codes are unchanged).
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The command given.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands of `buffersim`, one variant each, with their arguments.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Simulate a scenario under each of its policies and compare them.
    Run(RunArgs),
    /// Paired comparison of every policy with a baseline under common random numbers.
    Compare(CompareArgs),
    /// The smallest value of a buffer parameter that meets a target.
    Optimize(OptimizeArgs),
    /// One or two parameters over a grid, every point under common random numbers.
    Sweep(SweepArgs),
    /// How long an outage (or how large a surge) the current buffers survive.
    Stress(StressArgs),
    /// One policy's chosen runs day by day: a run by its number, or the worst runs by a metric.
    Trace(TraceArgs),
    /// Merge the partial results of shards (`run --shard`, `compare --shard`) into the results
    /// of the whole simulation, byte for byte those of one machine.
    Merge(MergeArgs),
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
    /// Profile an ERP export (ABC-XYZ, supplier performance, a posture per item) and write a
    /// runnable scenario.
    Profile(ProfileArgs),
    /// Write a synthetic demand, delivery and item-master history with known answers.
    Synth(SynthArgs),
}

/// Arguments of `buffersim profile`: the ERP exports to read, where to write the profile and
/// the scenario, and the ABC and XYZ class limits.
#[derive(Debug, clap::Args)]
pub struct ProfileArgs {
    /// Demand history, a CSV file or a workbook (`book.xlsx`, or `book.xlsx:Sheet`): date, item,
    /// quantity; optional unit_cost, period. A workbook's `deliveries` and `items` sheets are
    /// read too when the options below are not given.
    pub demand: PathBuf,
    /// Deliveries, CSV or a workbook's sheet: supplier, item, order_date, promised_date, received_date, quantity_ordered,
    /// quantity_received; optional quantity_rejected.
    #[arg(long)]
    pub deliveries: Option<PathBuf>,
    /// Item master, CSV or a workbook's sheet: item; optional unit_cost, criticality, suppliers, container_size,
    /// shelf_life_days, order_cost.
    #[arg(long)]
    pub items: Option<PathBuf>,
    /// Folder for profile.csv, suppliers.csv, disruptions.csv, profile.md and scenario.toml
    /// (default: `results/profile-<demand file stem>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// ABC cut-offs: percent of annual value for A and B, e.g. 80,15 (or 80/15/5).
    #[arg(long, default_value = "80,15")]
    pub abc: crate::profile::classify::AbcCuts,
    /// XYZ cut-offs: upper limits of the daily-demand CV for X and Y.
    #[arg(long, default_value = "0.5,1.0")]
    pub xyz: crate::profile::classify::XyzCuts,
    /// A previous profile (its folder, or its profile.csv): report which items changed class
    /// or posture since, in profile.md and drift.csv.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Runs of the simulated check of the recommendation against all-JIT and all-JIC (0: no
    /// check); by default 500, fewer for a large catalogue (at least 100).
    #[arg(long, value_name = "N")]
    pub check_runs: Option<u64>,
}

/// Arguments of `buffersim synth`: where to write the synthetic history, and how large and
/// long it is.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Folder for demand.csv, deliveries.csv, items.csv and truth.csv.
    #[arg(long, default_value = "scenarios/data")]
    pub out: PathBuf,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Number of items.
    #[arg(long, default_value_t = 36)]
    pub items: usize,
    /// Months of history (from 1 January 2024).
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// Leave out the deliberate mess (split lines, returns, repeats, unsorted rows).
    #[arg(long)]
    pub(crate) clean: bool,
    /// Write into a folder that already holds files, replacing synth's four files there.
    #[arg(long)]
    pub(crate) force: bool,
    /// Plant N supplier outages in the deliveries (known answers for `profile`).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) outages: usize,
    /// Plant N demand surges in the demand history (known answers for `profile`).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) surges: usize,
}

/// Arguments of `buffersim run`: the scenario, how many runs from which seed, and where the
/// summary (and, with `--report`, the charts and report) go.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub(crate) sim: SimArgs,
    /// Folder for summary.json, summary.csv and on_hand.csv (default:
    /// `results/<scenario file stem>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write charts/*.svg, charts/*.png, report.html and report.md into the folder.
    #[arg(long)]
    pub report: bool,
    /// Also write every run's figures to this CSV file, one row per run (columns
    /// `POLICY/ITEM/METRIC`), for paired analyses elsewhere. Its memory grows with the runs.
    #[arg(long, value_name = "FILE.csv")]
    pub per_run: Option<PathBuf>,
    /// Simulate only shard K of N (from 1) of the runs, and write its partial result
    /// (partial.bsim) into the folder, for `buffersim merge` (default folder:
    /// `results/<scenario file stem>/shard-K-of-N/`).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub(crate) format: FormatArg,
}

impl RunArgs {
    /// The run plan the arguments give for `scenario` (runs, seed, precision control),
    /// checked as the command checks it: for those who drive the library with the command's
    /// options (the Python package).
    pub fn plan(&self, scenario: &Scenario) -> anyhow::Result<RunPlan> {
        self.sim.plan(scenario)
    }

    /// The worker threads `--threads` asks for, checked.
    pub fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        self.sim.pool()
    }
}

/// What a command prints on stdout.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum OutputFormat {
    /// Tables and sentences for people, at most 100 columns wide.
    #[default]
    Text,
    /// The JSON the command writes to its main file (summary.json, compare.json, …), for
    /// scripts; the files are written all the same.
    Json,
}

/// `--format`: shared by the commands that write a JSON result.
#[derive(Debug, clap::Args)]
pub(crate) struct FormatArg {
    /// What to print on stdout: `text` (tables for people) or `json` (the result file's JSON,
    /// for scripts).
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
}

/// Most worker threads `--threads` may ask for: far more than any machine has cores, few enough
/// that starting them takes no noticeable time.
const MAX_THREADS: usize = 1024;

/// How many runs, from which seed, on how many threads: shared by every simulating command,
/// `trace` included.
#[derive(Debug, clap::Args)]
pub(crate) struct RunsArgs {
    /// Number of runs (overrides simulation.runs); with --precision, the runs to start from.
    #[arg(long)]
    pub runs: Option<u64>,
    /// Master seed (overrides simulation.seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl RunsArgs {
    /// The runs to simulate, `--runs` or the scenario's, checked.
    pub(crate) fn runs(&self, scenario: &Scenario) -> anyhow::Result<u64> {
        let runs = self.runs.unwrap_or(scenario.runs);
        if !(1..=MAX_RUNS).contains(&runs) {
            anyhow::bail!("--runs must be from 1 to {MAX_RUNS} (got {runs})");
        }
        Ok(runs)
    }

    /// The master seed, `--seed` or the scenario's.
    pub(crate) fn seed(&self, scenario: &Scenario) -> u64 {
        self.seed.unwrap_or(scenario.seed)
    }

    pub(crate) fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        if let Some(threads) = self.threads
            && !(1..=MAX_THREADS).contains(&threads)
        {
            anyhow::bail!(
                "--threads must be from 1 to {MAX_THREADS} (got {threads}); results do not \
                 depend on it, and one per core (the default) is fastest"
            );
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0))
            .build()
            .map_err(|e| anyhow::anyhow!("cannot start {:?} worker threads: {e}", self.threads))
    }
}

/// The runs, seed and threads of every simulating command, and the precision control of those
/// that can add runs until an estimate is precise enough.
#[derive(Debug, clap::Args)]
pub(crate) struct SimArgs {
    #[command(flatten)]
    pub(crate) base: RunsArgs,
    /// Keep adding runs (in whole chunks of 64, deterministically) until the 95% confidence
    /// interval half-width of --precision-metric is at most this, e.g. 0.002 for ±0.2
    /// percentage points of a rate.
    #[arg(long)]
    pub precision: Option<f64>,
    /// The metric --precision watches (any metric name of summary.csv).
    #[arg(long, default_value = "stockout_rate")]
    pub(crate) precision_metric: String,
    /// Most runs --precision may spend (default 1,000,000), or optimize may spend on one
    /// uncertain candidate (default 16 × --runs).
    #[arg(long)]
    pub max_runs: Option<u64>,
}

impl SimArgs {
    /// The run plan for `scenario`, checked.
    pub(crate) fn plan(&self, scenario: &Scenario) -> anyhow::Result<RunPlan> {
        let runs = self.base.runs(scenario)?;
        if let Some(max) = self.max_runs
            && !(1..=MAX_RUNS).contains(&max)
        {
            anyhow::bail!("--max-runs must be from 1 to {MAX_RUNS} (got {max})");
        }
        let metric = parse_metric(&self.precision_metric, "--precision-metric")?;
        let precision = match self.precision {
            None => None,
            Some(h) if h > 0.0 && h.is_finite() => Some(Precision {
                half_width: h,
                max_runs: self
                    .max_runs
                    .unwrap_or(crate::analysis::precision::DEFAULT_MAX_RUNS)
                    .max(runs),
            }),
            Some(h) => anyhow::bail!("--precision must be a positive half-width, got {h}"),
        };
        Ok(RunPlan {
            runs,
            seed: self.base.seed(scenario),
            precision,
            metric,
        })
    }

    pub(crate) fn pool(&self) -> anyhow::Result<rayon::ThreadPool> {
        self.base.pool()
    }
}

/// A metric named on the command line, or an error listing the names.
pub(crate) fn parse_metric(name: &str, option: &str) -> anyhow::Result<Metric> {
    Metric::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = METRICS.iter().map(|m| m.name()).collect();
        anyhow::anyhow!(
            "{option}: unknown metric '{name}'; metrics are: {}",
            names.join(", ")
        )
    })
}

/// Arguments of `buffersim sweep`: the scenario and the one or two parameters to vary over a
/// grid.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// `PARAM=FROM..TO[:STEPS]` or `PARAM=V1,V2,…`, e.g. `policy.kanban.safety_factor=0..1:11`;
    /// once or twice.
    #[arg(long, required = true)]
    pub vary: Vec<String>,
    #[command(flatten)]
    pub(crate) sim: SimArgs,
    /// Simulate only shard K of N (from 1) of the runs at every grid point, and write its
    /// partial result (partial.bsim) into the folder, for `buffersim merge` (default folder:
    /// `results/<scenario file stem>/shard-K-of-N/`).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub(crate) format: FormatArg,
    /// Folder for sweep.json, sweep.csv and charts/ (default: `results/<scenario file
    /// stem>/sweep/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `buffersim stress`: the disruption to intensify, the target that must keep
/// holding, and the range of intensities to try.
#[derive(Debug, clap::Args)]
pub struct StressArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// The disruption to intensify (its id).
    #[arg(long)]
    pub disruption: String,
    /// What must keep holding, on the mean over runs, e.g. "stockout_rate<=0.02".
    #[arg(long)]
    pub target: String,
    /// The field varied (default: the length of the disruption's events:
    /// disruption.ID.duration_days, or its .mean for random events).
    #[arg(long)]
    pub param: Option<String>,
    /// Range LO..HI (default: 0 to twice the current value, at least 10).
    #[arg(long)]
    pub range: Option<String>,
    /// Grid points (default: every whole number up to 61 points, else 31).
    #[arg(long)]
    pub steps: Option<usize>,
    #[command(flatten)]
    pub(crate) sim: SimArgs,
    #[command(flatten)]
    pub(crate) format: FormatArg,
    /// Folder for stress.json, sweep.csv and charts/ (default: `results/<scenario file
    /// stem>/stress-<disruption>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `buffersim optimize`: the policy and buffer parameter to size, the target the
/// smallest value must meet and with what confidence, and the search range.
#[derive(Debug, clap::Args)]
pub struct OptimizeArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// The policy whose buffer is sized.
    #[arg(long)]
    pub policy: String,
    /// The buffer parameter, e.g. policy.jic.safety_stock_days or policy.kanban.safety_factor.
    #[arg(long)]
    pub param: String,
    /// What must hold, e.g. "stockout_rate<=0.02", "fill_rate >= 99%" or
    /// "p95 stockout_rate <= 5%".
    #[arg(long)]
    pub target: String,
    /// Confidence that a value meets the target (one-sided).
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Size each item separately (its own rule in the policy) against its own figures.
    #[arg(long)]
    pub per_item: bool,
    /// Search range LO..HI (default: 0 to twice the current value, widened while the top fails;
    /// 0.5..0.999 for a service level).
    #[arg(long)]
    pub range: Option<String>,
    /// Stop when the bracket is this narrow (default: 1/200 of the range; 1 for whole numbers).
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// Also write justify.md and a report with each buffer's documented reason.
    #[arg(long)]
    pub(crate) justify: bool,
    #[command(flatten)]
    pub(crate) sim: SimArgs,
    #[command(flatten)]
    pub(crate) format: FormatArg,
    /// Folder for optimize.json (default: `results/<scenario file stem>/optimize-<policy>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `buffersim trace`: the scenario and policy, which runs (one by its number, or
/// the worst by a metric), which item, and where the traces go.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("runs_traced").required(true).args(["run", "worst"])))]
#[command(mut_arg("runs", |a| a.help(
    "Number of runs (overrides simulation.runs): the runs --worst chooses from, and the bound \
     of --run"
)))]
pub struct TraceArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// The policy whose runs are traced.
    #[arg(long)]
    pub policy: String,
    /// Trace this run: runs are numbered from 0 (to --runs − 1); with the seed, the number
    /// fixes every random draw of the run.
    #[arg(long, value_name = "N")]
    pub run: Option<u64>,
    /// Trace the K worst of --runs runs by --by (1 to 100): every run is simulated, the K
    /// worst are kept as they go, then traced.
    #[arg(long, value_name = "K")]
    pub worst: Option<usize>,
    /// The metric --worst ranks runs by (any metric name of summary.csv; default
    /// stockout_rate); the worst end is the lowest for fill_rate, cycle_service_level,
    /// supplier_on_time_rate and inventory_turns, the highest for every other.
    #[arg(long, value_name = "METRIC", conflicts_with = "run")]
    pub by: Option<String>,
    /// Trace only this item (its id); with --worst, runs are ranked by this item's figure
    /// rather than the policy's over all items.
    #[arg(long)]
    pub item: Option<String>,
    #[command(flatten)]
    pub(crate) sim: RunsArgs,
    /// Folder for trace.md and each run's trace-run-N.csv, .svg and .png (default:
    /// `results/<scenario file stem>/trace-<policy>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `buffersim compare`: the scenario and the baseline policy every other policy
/// is compared with.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Scenario file (.toml or .json).
    pub scenario: PathBuf,
    /// The policy every other is compared with (default: the first in the scenario).
    #[arg(long)]
    pub baseline: Option<String>,
    #[command(flatten)]
    pub(crate) sim: SimArgs,
    /// Simulate only shard K of N (from 1) of the runs, and write its partial result
    /// (partial.bsim) into the folder, for `buffersim merge` (default folder:
    /// `results/<scenario file stem>/shard-K-of-N/`).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub(crate) format: FormatArg,
    /// Folder for compare.json and compare.csv (default: `results/<scenario file stem>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Arguments of `buffersim merge`: the partial results and where the merged results go.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Partial results: the folders that `--shard` runs wrote, or their partial.bsim files,
    /// covering every run exactly once, in any order.
    #[arg(required = true, value_name = "PART")]
    pub parts: Vec<PathBuf>,
    /// Folder for the merged results: what `run` (or `compare`) writes.
    #[arg(long)]
    pub out: PathBuf,
    /// The scenario file, when it is not where the shards read it (another machine's path);
    /// it must be the same scenario.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Also write charts/*.svg, charts/*.png, report.html and report.md (partials of `run`).
    #[arg(long)]
    pub report: bool,
    #[command(flatten)]
    pub(crate) format: FormatArg,
}

/// Execute a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let quiet = cli.quiet;
    let console = |format: &FormatArg| Console::new(quiet, format.format);
    match cli.command {
        Command::Run(args) => run_scenario(&args, console(&args.format)?),
        Command::Compare(args) => compare(&args, console(&args.format)?),
        Command::Optimize(args) => optimize(&args, console(&args.format)?),
        Command::Sweep(args) => sweep(&args, console(&args.format)?),
        Command::Stress(args) => stress(&args, console(&args.format)?),
        Command::Trace(args) => trace_runs(&args, Console::text(quiet)),
        Command::Merge(args) => merge(&args, console(&args.format)?),
        Command::Validate { scenario } => {
            let scenario = Scenario::load(&scenario)?;
            Console::text(quiet).result(&format!("{}\nscenario is valid\n", describe(&scenario)))
        }
        Command::Report { results_dir } => redraw_report(&results_dir, Console::text(quiet)),
        Command::Profile(args) => {
            let console = Console::text(quiet);
            let done = crate::profile::run(
                &crate::profile::InputFiles {
                    demand: args.demand,
                    deliveries: args.deliveries,
                    items: args.items,
                },
                crate::profile::ProfileOptions {
                    abc: args.abc,
                    xyz: args.xyz,
                },
                args.out.as_deref(),
                args.previous.as_deref(),
                args.check_runs,
            )?;
            console.notes(done.warnings);
            console.result(&done.summary)?;
            console.committed("profile", &done.committed);
            Ok(())
        }
        Command::Synth(args) => {
            let console = Console::text(quiet);
            let mut options = crate::profile::synth::SynthOptions {
                seed: args.seed,
                items: args.items,
                months: args.months,
                clean: args.clean,
                ..crate::profile::synth::SynthOptions::default()
            };
            options.plant(args.outages, args.surges);
            let committed = crate::profile::synth::run(&options, &args.out, args.force)?;
            console.committed("synth", &committed);
            for o in &options.outages {
                console.note(&format!(
                    "planted an outage of {} from {} for {} days",
                    o.supplier, o.start, o.days
                ));
            }
            for s in &options.surges {
                console.note(&format!(
                    "planted a demand surge of {} from {} for {} days, ×{}",
                    s.item, s.start, s.days, s.factor
                ));
            }
            console.note(&format!(
                "{} items over {} months from {}, seed {}",
                options.items, options.months, options.start, options.seed
            ));
            Ok(())
        }
    }
}

/// What a command says, and where: its result on stdout (text for people, or the JSON of its
/// result file with `--format json`), what it did on stderr (progress, speed, files written
/// and replaced). With `--quiet`, nothing but errors, which `main` prints.
#[derive(Clone, Copy)]
struct Console {
    quiet: bool,
    format: OutputFormat,
}

impl Console {
    /// The console of a command with a JSON result; `--quiet` and `--format json` contradict
    /// each other (nothing on stdout, or the JSON there), so they are refused together.
    fn new(quiet: bool, format: OutputFormat) -> anyhow::Result<Console> {
        if quiet && format == OutputFormat::Json {
            anyhow::bail!(
                "--quiet prints nothing, --format json prints the result's JSON on stdout: give \
                 one of them"
            );
        }
        Ok(Console { quiet, format })
    }

    /// The console of a command whose result is text only.
    fn text(quiet: bool) -> Console {
        Console {
            quiet,
            format: OutputFormat::Text,
        }
    }

    /// Print the result on stdout: `text`, or with `--format json` what `json` makes.
    fn show(
        self,
        text: impl FnOnce() -> String,
        json: impl FnOnce() -> String,
    ) -> anyhow::Result<()> {
        match self.format {
            OutputFormat::Text => self.result(&text()),
            OutputFormat::Json => self.result(&json()),
        }
    }

    /// Print `text` on stdout.
    fn result(self, text: &str) -> anyhow::Result<()> {
        if !self.quiet {
            std::io::stdout().lock().write_all(text.as_bytes())?;
        }
        Ok(())
    }

    /// Say one line on stderr.
    fn note(self, line: &str) {
        if !self.quiet {
            eprintln!("{line}");
        }
    }

    /// Say each line on stderr.
    fn notes(self, lines: Vec<String>) {
        for line in lines {
            self.note(&line);
        }
    }

    /// Say what a commit of `command`'s files did: the folder's recovery, the files written
    /// and removed, and whether they replaced an earlier result.
    fn committed(self, command: &str, committed: &Committed) {
        self.notes(committed.lines());
        if let Some(note) = committed.replaced_note(command) {
            self.note(&note);
        }
    }

    /// Whether a progress display may be drawn: on a terminal, and not `--quiet`.
    fn progress(self) -> bool {
        !self.quiet && std::io::stderr().is_terminal()
    }
}

/// Say on stderr the analyses a report left out, how many charts it drew and analyses it
/// shows, and how long it took since `started` (the report's cost does not grow with the run
/// count: it works from the summary and the analyses' files).
fn report_line(console: Console, drawn: Drawn, started: Instant) {
    console.notes(drawn.warnings);
    let analyses = match drawn.shown.len() {
        0 => String::new(),
        1 => ", 1 analysis".to_string(),
        n => format!(", {n} analyses"),
    };
    console.note(&format!(
        "report: {} charts{analyses}, report.html and report.md in {:.2} s",
        drawn.charts,
        started.elapsed().as_secs_f64()
    ));
}

/// `buffersim report DIR`: the report of the run in DIR with every analysis beside it
/// ([`folder::redraw_report`]).
fn redraw_report(dir: &Path, console: Console) -> anyhow::Result<()> {
    let started = Instant::now();
    let (committed, drawn) = folder::redraw_report(dir)?;
    // Redrawing a report replaces the earlier one by design: no note of it.
    console.notes(committed.lines());
    report_line(console, drawn, started);
    Ok(())
}

/// After `kind`'s command wrote into `out`: redraw the report of the folder that shows it,
/// if it has one, and say so in one line (with a line per analysis left out). The command's
/// own results are in by then, so a report that cannot be redrawn is a warning, not an error.
fn redraw_after(kind: Kind, out: &Path, console: Console) {
    match folder::redraw_after(kind, out) {
        None => {}
        Some(Ok((dir, _, drawn))) => {
            console.notes(drawn.warnings);
            console.note(&format!(
                "report: redrew {} with {}",
                dir.join("report.html").display(),
                match drawn.shown.len() {
                    0 => "none of the folder's analyses".to_string(),
                    1 => "the 1 analysis of the folder".to_string(),
                    n => format!("the {n} analyses of the folder"),
                }
            ));
        }
        Some(Err(e)) => console.note(&format!(
            "warning: could not redraw the report beside '{}': {e:#}",
            out.display()
        )),
    }
}

fn run_scenario(args: &RunArgs, console: Console) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let plan = args.sim.plan(&scenario)?;
    if let Some(shard) = args.shard {
        refuse_with_shard(&[
            (args.per_run.is_some(), "--per-run"),
            (args.report, "--report"),
        ])?;
        let job = ShardJob {
            job: Job::Run,
            scenario: &scenario,
            plan: &plan,
            sim: &args.sim,
        };
        return run_shard(job, shard, &args.out, console);
    }
    let out = out_dir(&args.out, &scenario);
    console.notes(check_writable(&out)?.notes());
    let per_run = match &args.per_run {
        Some(file) => Some(per_run_target(file)?),
        None => None,
    };
    if let Some((dir, name)) = &per_run
        && *dir == out
        && matches!(name.as_str(), "summary.csv" | "on_hand.csv")
    {
        anyhow::bail!(
            "--per-run: '{name}' is a file of the run itself in '{}'; give another name, e.g. \
             per_run.csv",
            out.display()
        );
    }
    let (outcome, precision, rows) = simulate(
        &scenario,
        &plan,
        (None, per_run.is_some()),
        &args.sim,
        console,
    )?;
    let per_run = per_run.zip(rows);
    write_run(
        (&scenario, outcome, precision),
        per_run,
        (&out, args.report),
        console,
    )
}

/// Write the results of `run`: the summary files of `outcome` into `out`, with the report when
/// asked for, and every run's figures when kept (`per_run`: the folder, the file name and the
/// rows); then say what was written.
fn write_run(
    (scenario, outcome, precision): (&Scenario, Outcome, Option<PrecisionReport>),
    per_run: Option<((PathBuf, String), PerRun)>,
    (out, report): (&Path, bool),
    console: Console,
) -> anyhow::Result<()> {
    let mut summary = Summary::new(scenario, &outcome);
    // The accumulators are in the summary now: their memory is given back before the files
    // are written.
    drop(outcome);
    summary.precision = precision;
    // The summary and its report are one result: written together, or neither. The folder
    // is locked before its analyses are read for the report, so none changes meanwhile.
    let summary = std::rc::Rc::new(summary);
    let mut lock = FolderLock::create(out)?;
    let mut files = FileSet::new(out);
    add_summary(&summary, &mut files)?;
    files.describe_by("summary.json");
    // The per-run file goes with the summary when it is in the results folder, else it is
    // committed on its own in its folder, after the summary.
    let mut per_run_files = None;
    if let Some(((dir, name), rows)) = &per_run {
        let csv = crate::results::per_run::per_run_csv(scenario, rows);
        if *dir == out {
            files.add(name.clone(), csv);
        } else {
            let mut own = FileSet::new(dir);
            own.add(name.clone(), csv);
            per_run_files = Some(own);
        }
    }
    let started = Instant::now();
    let charts = if report {
        let saved = SavedSummary::from_summary(&summary);
        Some(folder::add_report(&saved, out, &mut files)?)
    } else {
        report::retire_report(&mut files);
        None
    };
    let committed = files.commit_locked(&mut lock)?;
    drop(lock);
    let per_run_committed = per_run_files.map(FileSet::commit).transpose()?;
    console.show(|| comparison_table(&summary), || summary.to_json())?;
    console.committed("run", &committed);
    if let Some(committed) = &per_run_committed {
        console.committed("run", committed);
    }
    match charts {
        Some(charts) => report_line(console, charts, started),
        None if !committed.removed.is_empty() => console.note(&format!(
            "note: removed the report of an earlier `run --report` from '{}': it described \
             the summary.json this run replaced; `buffersim report {}` draws one for this run",
            out.display(),
            out.display()
        )),
        None => {}
    }
    Ok(())
}

/// What `compare` checks before simulating: the run plan and the baseline policy's index.
fn compare_plan(args: &CompareArgs, scenario: &Scenario) -> anyhow::Result<(RunPlan, usize)> {
    let plan = args.sim.plan(scenario)?;
    let baseline = match &args.baseline {
        None => 0,
        Some(name) => policy_index(scenario, name, "--baseline")?,
    };
    if scenario.policies.len() < 2 {
        anyhow::bail!(
            "compare needs at least two policies; '{}' has one",
            scenario.path.display()
        );
    }
    Ok((plan, baseline))
}

/// The comparison `compare` makes of `scenario` with these arguments (their scenario path
/// aside), without writing or printing anything; `progress` hears the runs merged so far.
pub fn compare_scenario(
    args: &CompareArgs,
    scenario: &Scenario,
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<Comparison> {
    let (plan, baseline) = compare_plan(args, scenario)?;
    let (outcome, _) = args
        .sim
        .pool()?
        .install(|| crate::analysis::simulate_plan(scenario, &plan, Some(baseline), progress));
    Ok(Comparison::new(scenario, &outcome))
}

fn compare(args: &CompareArgs, console: Console) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let (plan, baseline) = compare_plan(args, &scenario)?;
    if let Some(shard) = args.shard {
        let job = ShardJob {
            job: Job::Compare { baseline },
            scenario: &scenario,
            plan: &plan,
            sim: &args.sim,
        };
        return run_shard(job, shard, &args.out, console);
    }
    let out = out_dir(&args.out, &scenario);
    console.notes(check_writable(&out)?.notes());
    let (outcome, _, _) = simulate(
        &scenario,
        &plan,
        (Some(baseline), false),
        &args.sim,
        console,
    )?;
    write_compare(&scenario, &outcome, &out, console)
}

/// Write the results of `compare` (compare.json and compare.csv) into `out`, say so, and
/// redraw the report beside them.
fn write_compare(
    scenario: &Scenario,
    outcome: &Outcome,
    out: &Path,
    console: Console,
) -> anyhow::Result<()> {
    let comparison = Comparison::new(scenario, outcome);
    let mut files = FileSet::new(out);
    files.add("compare.json", comparison.to_json());
    files.add("compare.csv", comparison.to_csv());
    files.describe_by("compare.json");
    let committed = files.commit()?;
    console.show(|| comparison.to_text(), || comparison.to_json())?;
    console.committed("compare", &committed);
    redraw_after(Kind::Compare, out, console);
    Ok(())
}

/// A shard of a simulating command: what it simulates, with which runs and threads.
struct ShardJob<'a> {
    job: Job<'a>,
    scenario: &'a Scenario,
    plan: &'a RunPlan,
    sim: &'a SimArgs,
}

/// Refuse, with `--shard`, the options `given` marks as given: what they ask for is done by
/// `merge`, or needs every run on one machine.
fn refuse_with_shard(given: &[(bool, &str)]) -> anyhow::Result<()> {
    for &(given, option) in given {
        if given {
            let why = match option {
                "--report" => "give --report to `buffersim merge`, which writes the results",
                _ => "it needs every run on one machine; leave it out, or run without --shard",
            };
            anyhow::bail!("--shard and {option} do not go together: {why}");
        }
    }
    Ok(())
}

/// Simulate shard `shard` of `job` and write its partial result into `out` (default
/// `results/<stem>/shard-K-of-N/`).
fn run_shard(
    job: ShardJob<'_>,
    shard: Shard,
    out: &Option<PathBuf>,
    console: Console,
) -> anyhow::Result<()> {
    if job.plan.precision.is_some() {
        anyhow::bail!(
            "--shard and --precision do not go together: precision control decides the runs \
             as it goes, which the shards cannot agree on; give --runs (e.g. the runs a \
             --precision run on one machine reported)"
        );
    }
    let out = out.clone().unwrap_or_else(|| {
        job.scenario
            .results_dir()
            .join(format!("shard-{}-of-{}", shard.index, shard.count))
    });
    console.notes(check_writable(&out)?.notes());
    let pool = job.sim.pool()?;
    let runs = crate::simulation::engine::shard_runs(shard.index, shard.count, job.plan.runs);
    let bar = Progress::new(runs.end - runs.start, console.progress());
    let started = Instant::now();
    let result = pool.install(|| {
        crate::analysis::shards::simulate_shard(
            job.scenario,
            &job.job,
            (job.plan.seed, job.plan.runs),
            shard,
            &|done| bar.update(done),
        )
    })?;
    bar.finish();
    console.note(&speed_line(result.item_days, started.elapsed()));
    let mut files = FileSet::new(&out);
    files.add(PARTIAL_FILE, result.file);
    files.describe_by(PARTIAL_FILE);
    let committed = files.commit()?;
    let what = if result.runs.is_empty() {
        format!(
            "shard {shard}: no runs (the {} runs make fewer chunks of {CHUNK_RUNS} than there \
             are shards); its empty partial result still counts in the merge",
            job.plan.runs
        )
    } else {
        format!(
            "shard {shard}: runs {}–{} of {} (counted from 0)",
            result.runs.start,
            result.runs.end - 1,
            job.plan.runs
        )
    };
    console.show(
        || format!("{what}\nmerge the shards with `buffersim merge PART... --out DIR`\n"),
        || {
            serde_json::json!({
                "shard": shard.to_string(),
                "first_run": result.runs.start,
                "end_run": result.runs.end,
                "runs": job.plan.runs,
                "partial": out.join(PARTIAL_FILE),
            })
            .to_string()
                + "\n"
        },
    )?;
    console.committed(job.job.command(), &committed);
    Ok(())
}

/// `buffersim merge`: check the partials, merge them, and write what the command that
/// simulated them writes.
fn merge(args: &MergeArgs, console: Console) -> anyhow::Result<()> {
    console.notes(check_writable(&args.out)?.notes());
    let started = Instant::now();
    let merged = crate::analysis::shards::merge(&args.parts, args.scenario.as_deref())?;
    console.note(&format!(
        "merged {} partial result{} of {} runs in {:.2} s",
        merged.files.len(),
        if merged.files.len() == 1 { "" } else { "s" },
        merged.origin.runs,
        started.elapsed().as_secs_f64()
    ));
    if args.report && !matches!(merged.merged, Merged::Run(_)) {
        anyhow::bail!(
            "--report draws the report of a run; the results of `{}` are shown in the report \
             of the run whose folder they are merged into",
            merged.origin.command
        );
    }
    match merged.merged {
        Merged::Compare(outcome) => write_compare(&merged.scenario, &outcome, &args.out, console),
        Merged::Run(outcome) => write_run(
            (&merged.scenario, outcome, None),
            None,
            (&args.out, args.report),
            console,
        ),
        Merged::Sweep(result) => write_sweep(&result, &args.out, console),
    }
}

/// The search `optimize` makes with these arguments, checked as the command checks them.
fn optimize_request(args: &OptimizeArgs, scenario: &Scenario) -> anyhow::Result<optimize::Request> {
    let plan = args.sim.plan(scenario)?;
    let request = optimize::Request {
        policy: policy_index(scenario, &args.policy, "--policy")?,
        param: args.param.parse()?,
        target: Target::parse(&args.target).map_err(|e| anyhow::anyhow!("--target: {e}"))?,
        confidence: match args.confidence {
            c if c > 0.0 && c < 1.0 => c,
            c => anyhow::bail!("--confidence must be between 0 and 1, e.g. 0.95; got {c}"),
        },
        per_item: args.per_item,
        range: args.range.as_deref().map(parse_range).transpose()?,
        tolerance: match args.tolerance {
            Some(t) if !(t > 0.0 && t.is_finite()) => {
                anyhow::bail!("--tolerance must be a number greater than zero, e.g. 0.5; got {t}")
            }
            t => t,
        },
        runs: plan.runs,
        max_runs: args.sim.max_runs.unwrap_or(16 * plan.runs).max(plan.runs),
        seed: plan.seed,
        every_policy: args.justify,
    };
    if request.max_runs < 2 {
        anyhow::bail!(
            "optimize judges each candidate by a confidence bound, which needs at least 2 runs; \
             give --max-runs 2 or more"
        );
    }
    Ok(request)
}

/// The search `optimize` makes in `scenario` (whose text `source` was read from `path`) with
/// these arguments (their scenario path aside), without writing or printing anything.
pub fn optimize_scenario(
    args: &OptimizeArgs,
    (scenario, source, path): (&Scenario, &str, &Path),
    progress: &(dyn Fn(u64) + Sync),
) -> anyhow::Result<optimize::Optimization> {
    let request = optimize_request(args, scenario)?;
    args.sim
        .pool()?
        .install(|| optimize::optimize(scenario, source, path, &request, progress))
}

fn optimize(args: &OptimizeArgs, console: Console) -> anyhow::Result<()> {
    let (source, scenario) = read_scenario(&args.scenario)?;
    let request = optimize_request(args, &scenario)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| out_dir(&None, &scenario).join(format!("optimize-{}", args.policy)));
    console.notes(check_writable(&out)?.notes());
    let pool = args.sim.pool()?;
    let started = Instant::now();
    let result =
        pool.install(|| optimize::optimize(&scenario, &source, &args.scenario, &request, &|_| {}))?;
    console.note(&format!(
        "searched in {:.2} s",
        started.elapsed().as_secs_f64()
    ));
    let mut files = FileSet::new(&out);
    files.add("optimize.json", result.to_json());
    files.describe_by("optimize.json");
    crate::analysis::justify::retire_files(&mut files);
    if args.justify {
        crate::analysis::justify::add_files(&result, &mut files)?;
    }
    let committed = files.commit()?;
    console.show(|| result.to_text(), || result.to_json())?;
    console.committed("optimize", &committed);
    redraw_after(Kind::Optimize, &out, console);
    Ok(())
}

/// What `sweep` checks before simulating: the grid's axes and the run plan.
fn sweep_plan(
    args: &SweepArgs,
    scenario: &Scenario,
    source: &str,
    path: &Path,
) -> anyhow::Result<(Vec<sweep::Axis>, RunPlan)> {
    if !(1..=2).contains(&args.vary.len()) {
        anyhow::bail!(
            "--vary: give one or two parameters, got {}",
            args.vary.len()
        );
    }
    let varies: Vec<Vary> = args
        .vary
        .iter()
        .map(|v| v.parse())
        .collect::<Result<_, _>>()?;
    let axes = sweep::axes(source, path, &varies)?;
    Ok((axes, args.sim.plan(scenario)?))
}

/// The sweep `sweep` makes of `scenario` (whose text `source` was read from `path`) with these
/// arguments (their scenario path aside), without writing or printing anything; `progress`
/// hears the grid points started and their number.
pub fn sweep_scenario(
    args: &SweepArgs,
    (scenario, source, path): (&Scenario, &str, &Path),
    progress: &(dyn Fn(usize, usize) + Sync),
) -> anyhow::Result<sweep::Sweep> {
    let (axes, plan) = sweep_plan(args, scenario, source, path)?;
    args.sim
        .pool()?
        .install(|| sweep::run(source, path, axes, &plan, progress))
}

/// `buffersim sweep`. Every sweep of a scenario goes to one folder, `sweep/` beside the
/// scenario's results, unless `--out` names another: a later sweep replaces an earlier one
/// as a whole, and says which sweep it replaced, so a planner who wants to keep both gives
/// the second its own `--out`.
fn sweep(args: &SweepArgs, console: Console) -> anyhow::Result<()> {
    let (source, scenario) = read_scenario(&args.scenario)?;
    let (axes, plan) = sweep_plan(args, &scenario, &source, &args.scenario)?;
    if let Some(shard) = args.shard {
        let job = ShardJob {
            job: Job::Sweep {
                source: &source,
                path: &args.scenario,
                axes: &axes,
            },
            scenario: &scenario,
            plan: &plan,
            sim: &args.sim,
        };
        return run_shard(job, shard, &args.out, console);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| out_dir(&None, &scenario).join("sweep"));
    console.notes(check_writable(&out)?.notes());
    let result = run_grid(&source, &args.scenario, axes, &plan, &args.sim, console)?;
    write_sweep(&result, &out, console)
}

/// Write the results of `sweep` (sweep.json, sweep.csv and its charts) into `out`, say so,
/// and redraw the report beside them.
fn write_sweep(result: &sweep::Sweep, out: &Path, console: Console) -> anyhow::Result<()> {
    let mut files = FileSet::new(out);
    result.add_files(&mut files, None)?;
    files.describe_by("sweep.json");
    let committed = files.commit()?;
    console.show(|| result.to_text(), || result.to_json())?;
    console.committed("sweep", &committed);
    redraw_after(Kind::Sweep, out, console);
    Ok(())
}

fn stress(args: &StressArgs, console: Console) -> anyhow::Result<()> {
    let (source, scenario) = read_scenario(&args.scenario)?;
    let target = Target::parse(&args.target).map_err(|e| anyhow::anyhow!("--target: {e}"))?;
    if target.statistic != crate::analysis::target::Statistic::Mean {
        anyhow::bail!("--target: stress judges the mean over runs; drop the percentile");
    }
    let reached = stress::reached_items(&scenario, &args.disruption)?;
    let param = match &args.param {
        Some(p) => p.parse()?,
        None => stress::default_param(&source, &args.scenario, &args.disruption)?,
    };
    let range = args.range.as_deref().map(parse_range).transpose()?;
    let axis = stress::axis(&source, &args.scenario, &param, range, args.steps)?;
    let plan = args.sim.plan(&scenario)?;
    if plan.runs < 2 {
        anyhow::bail!(
            "stress reads each answer with its confidence interval, which needs at least 2 runs; \
             give --runs 2 or more"
        );
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| out_dir(&None, &scenario).join(format!("stress-{}", args.disruption)));
    console.notes(check_writable(&out)?.notes());
    let grid = run_grid(
        &source,
        &args.scenario,
        vec![axis],
        &plan,
        &args.sim,
        console,
    )?;
    let result = stress::Stress::new(&args.disruption, &reached, target, grid);
    let mut files = FileSet::new(&out);
    result.add_files(&mut files)?;
    files.describe_by("sweep.json");
    let committed = files.commit()?;
    console.show(|| result.to_text(), || result.to_json())?;
    console.committed("stress", &committed);
    redraw_after(Kind::Stress, &out, console);
    Ok(())
}

fn trace_runs(args: &TraceArgs, console: Console) -> anyhow::Result<()> {
    let scenario = Scenario::load(&args.scenario)?;
    let policy = policy_index(&scenario, &args.policy, "--policy")?;
    let item = args
        .item
        .as_deref()
        .map(|name| item_index(&scenario, name, "--item"))
        .transpose()?;
    let pick = match (args.run, args.worst) {
        (Some(run), _) => trace::Pick::Run(run),
        (None, Some(count)) => trace::Pick::Worst {
            count,
            metric: parse_metric(args.by.as_deref().unwrap_or("stockout_rate"), "--by")?,
        },
        (None, None) => anyhow::bail!("give --run N or --worst K"),
    };
    let request = trace::Request {
        policy,
        item,
        pick,
        runs: args.sim.runs(&scenario)?,
        seed: args.sim.seed(&scenario),
    };
    request.check()?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| out_dir(&None, &scenario).join(format!("trace-{}", args.policy)));
    console.notes(check_writable(&out)?.notes());
    let pool = args.sim.pool()?;
    let searching = matches!(pick, trace::Pick::Worst { .. });
    let bar = Progress::new(request.runs, console.progress());
    let started = Instant::now();
    let traces = pool.install(|| {
        trace::trace(&scenario, &request, &|done| {
            if searching {
                bar.update(done);
            }
        })
    })?;
    bar.finish();
    if searching {
        console.note(&format!(
            "simulated {} runs in {:.2} s to find the worst",
            request.runs,
            started.elapsed().as_secs_f64()
        ));
    }
    let mut files = FileSet::new(&out);
    trace::add_files(&traces, &mut files)?;
    let committed = files.commit()?;
    console.result(&crate::presentation::trace::trace_text(&traces))?;
    console.committed("trace", &committed);
    Ok(())
}

/// A scenario's text and its validated form.
fn read_scenario(path: &Path) -> anyhow::Result<(String, Scenario)> {
    let source = Scenario::read_source(path)?;
    let scenario = Scenario::from_source(&source, path)?;
    Ok((source, scenario))
}

/// Simulate a grid on the thread pool, saying how far it got and how long it took.
fn run_grid(
    source: &str,
    path: &Path,
    axes: Vec<sweep::Axis>,
    plan: &RunPlan,
    sim: &SimArgs,
    console: Console,
) -> anyhow::Result<sweep::Sweep> {
    let pool = sim.pool()?;
    let started = Instant::now();
    let verbose = console.progress();
    let result = pool.install(|| {
        sweep::run(source, path, axes, plan, &|done, total| {
            if verbose && done < total {
                eprint!("\rgrid point {}/{total}", done + 1);
            }
        })
    })?;
    if verbose {
        eprintln!();
    }
    console.note(&format!(
        "simulated {} grid points in {:.2} s",
        result.points.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(result)
}

/// `LO..HI`.
fn parse_range(text: &str) -> anyhow::Result<(f64, f64)> {
    let parsed = text.split_once("..").and_then(|(lo, hi)| {
        Some((
            lo.trim().parse::<f64>().ok()?,
            hi.trim().parse::<f64>().ok()?,
        ))
    });
    parsed.ok_or_else(|| anyhow::anyhow!("--range: expected LO..HI, e.g. 0..30; got '{text}'"))
}

/// The index of the policy called `name`, or an error listing the policies.
pub fn policy_index(scenario: &Scenario, name: &str, option: &str) -> anyhow::Result<usize> {
    scenario
        .policies
        .iter()
        .position(|p| p.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
            anyhow::anyhow!(
                "{option}: no policy '{name}' in the scenario; its policies are: {}",
                names.join(", ")
            )
        })
}

/// The index of the item called `name`, or an error listing the items.
fn item_index(scenario: &Scenario, name: &str, option: &str) -> anyhow::Result<usize> {
    scenario
        .items
        .iter()
        .position(|i| i.id == name)
        .ok_or_else(|| {
            let ids: Vec<&str> = scenario.items.iter().map(|i| i.id.as_str()).collect();
            anyhow::anyhow!(
                "{option}: no item '{name}' in the scenario; its items are: {}",
                ids.join(", ")
            )
        })
}

/// `--out`, or the scenario's results folder: its `simulation.results`, else
/// `results/<scenario file stem>/`.
fn out_dir(out: &Option<PathBuf>, scenario: &Scenario) -> PathBuf {
    out.clone().unwrap_or_else(|| scenario.results_dir())
}

/// The folder and file name `--per-run` names, checked before anything is simulated: a CSV
/// file name in a folder that can be written.
fn per_run_target(file: &Path) -> anyhow::Result<(PathBuf, String)> {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--per-run: give a CSV file name, e.g. --per-run runs.csv; got '{}'",
                file.display()
            )
        })?;
    let dir = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    check_writable(&dir)?;
    Ok((dir, name))
}

/// Simulate with a progress bar, then say on stderr how fast it went (and how precise, under
/// precision control); with `per_run`, every run's figures are kept as well.
fn simulate(
    scenario: &Scenario,
    plan: &RunPlan,
    (baseline, per_run): (Option<usize>, bool),
    sim: &SimArgs,
    console: Console,
) -> anyhow::Result<(Outcome, Option<PrecisionReport>, Option<PerRun>)> {
    let pool = sim.pool()?;
    let bar = Progress::new(
        plan.precision.map_or(plan.runs, |p| p.max_runs),
        console.progress(),
    );
    let started = Instant::now();
    let result = pool.install(|| {
        let progress = |done| bar.update(done);
        if per_run {
            let (outcome, report, rows) =
                crate::analysis::simulate_plan_per_run(scenario, plan, baseline, &progress);
            (outcome, report, Some(rows))
        } else {
            let (outcome, report) =
                crate::analysis::simulate_plan(scenario, plan, baseline, &progress);
            (outcome, report, None)
        }
    });
    let elapsed = started.elapsed();
    bar.finish();
    console.note(&speed_line(result.0.item_days, elapsed));
    if let Some(p) = &result.1 {
        console.note(&p.line());
    }
    Ok(result)
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
/// stderr is a terminal and the command is not `--quiet`.
struct Progress {
    bar: ProgressBar,
    started: Instant,
    enabled: bool,
}

impl Progress {
    fn new(runs: u64, enabled: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(runs), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {elapsed} (eta {eta})")
        {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            enabled,
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
