//! Partial-result files: what a shard of a simulation writes (`--shard K/N`), and what
//! `buffersim merge` checks and merges into the results of one simulation of every run.
//!
//! A partial-result file is one line of JSON, the header, then the body: the accumulators of
//! the shard's runs ([`Part`]), one per simulation of the command (one for `run` and
//! `compare`, one per grid point for `sweep`), in postcard's binary encoding. The header says where the body
//! comes from (program and format version, the command, the scenario's fingerprint, seed,
//! runs, options, the shard's runs) and how long it is, with its SHA-256 checksum, so that a
//! file cut short by a crash or damaged on the way is named as such rather than merged.
//!
//! The body is written in one piece by the results folder's commit, so a shard interrupted
//! while writing leaves no partial at all, and a shard run again writes the same bytes.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::scenario::Scenario;
use crate::simulation::engine::{CHUNK_RUNS, Part};

/// The name of the partial-result file in the folder a shard writes.
pub const PARTIAL_FILE: &str = "partial.bsim";

/// What the header's `format` says.
const FORMAT: &str = "buffersim partial result";

/// The version of the partial-result format; a file of another is refused.
const FORMAT_VERSION: u32 = 1;

/// A shard's place among its shards: shard `index` (from 1) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The shard, from 1.
    pub index: u64,
    /// How many shards the runs are cut into.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `K/N`, with K from 1 to N.
    fn from_str(text: &str) -> Result<Shard, String> {
        let wrong = || {
            format!(
                "--shard must be K/N, shard K (from 1) of N, e.g. 2/8; got '{text}'. On a Slurm \
                 job array of N tasks give --shard \"$SLURM_ARRAY_TASK_ID/N\" with --array=1-N \
                 (see cluster/slurm/)"
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(wrong)?;
        let (index, count) = (
            k.trim().parse::<u64>().map_err(|_| wrong())?,
            n.trim().parse::<u64>().map_err(|_| wrong())?,
        );
        if count == 0 || !(1..=count).contains(&index) {
            return Err(wrong());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a partial result is a part of: every field must be the same in all the partials
/// merged together (the shard and its runs aside).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The program's version and the commit it was built from ([`program_version`]): the
    /// engine's figures may change between them.
    pub program_version: String,
    /// The command that simulated it: `run` or `compare`.
    pub command: String,
    /// The scenario file the shard read (made absolute), where `merge` reads it again.
    pub scenario: PathBuf,
    /// SHA-256 of the scenario as loaded: every parameter and every trace value
    /// ([`scenario_fingerprint`]), so that a scenario edited between the shards, or between
    /// the shards and the merge, is caught.
    pub scenario_fingerprint: String,
    /// The master seed.
    pub seed: u64,
    /// Runs of the whole simulation.
    pub runs: u64,
    /// Runs per chunk of the engine: shards are cut on its chunks.
    pub chunk_runs: u64,
    /// For `compare`, the baseline policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// For `sweep`, the grid: its parameters and their values, one simulation per point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<serde_json::Value>,
}

/// The header line of a partial-result file.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    format_version: u32,
    #[serde(flatten)]
    origin: Origin,
    /// The shard that wrote it.
    shard: Shard,
    /// Its runs, `first_run` included, `end_run` not.
    first_run: u64,
    end_run: u64,
    /// Length and SHA-256 of the body that follows the header line.
    body_bytes: u64,
    body_sha256: String,
}

/// SHA-256 of `scenario` as loaded, where it is aside (its path, and its results folder, which
/// is resolved against it): its parameters, trace values and options as the engine sees them,
/// written out by their debug form (which holds no hash map, so it is the same from run to run
/// of the same program). The same scenario in another folder, as a cluster's nodes and the
/// machine that merges may see it, has the same fingerprint.
pub fn scenario_fingerprint(scenario: &Scenario) -> String {
    let mut loaded = scenario.clone();
    loaded.path = PathBuf::new();
    loaded.results = None;
    hex(&Sha256::digest(format!("{loaded:?}").as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bytes of the partial-result file of `parts` (each of the same runs), simulated by
/// `shard` as `origin` says.
pub fn partial_file(origin: &Origin, shard: Shard, parts: &[Part]) -> anyhow::Result<Vec<u8>> {
    let runs = parts.first().map_or(0..0, |p| p.runs.clone());
    debug_assert!(parts.iter().all(|p| p.runs == runs));
    let body = postcard::to_stdvec(parts)
        .map_err(|e| anyhow::anyhow!("cannot encode the shard's results: {e}"))?;
    let header = Header {
        format: FORMAT.to_string(),
        format_version: FORMAT_VERSION,
        origin: origin.clone(),
        shard,
        first_run: runs.start,
        end_run: runs.end,
        body_bytes: body.len() as u64,
        body_sha256: hex(&Sha256::digest(&body)),
    };
    let mut bytes = serde_json::to_vec(&header)?;
    bytes.push(b'\n');
    bytes.extend_from_slice(&body);
    Ok(bytes)
}

/// A partial-result file whose header was read and checked on its own.
#[derive(Clone, Debug)]
pub struct Partial {
    /// The file.
    pub path: PathBuf,
    header: Header,
}

impl Partial {
    /// What the partial is a part of.
    pub fn origin(&self) -> &Origin {
        &self.header.origin
    }

    /// Its runs.
    pub fn runs(&self) -> Range<u64> {
        self.header.first_run..self.header.end_run
    }

    /// Read the header of the partial `given`: a partial-result file, or the folder a shard
    /// wrote (holding [`PARTIAL_FILE`]).
    pub fn open(given: &Path) -> anyhow::Result<Partial> {
        let path = if given.is_dir() {
            given.join(PARTIAL_FILE)
        } else {
            given.to_path_buf()
        };
        let file = std::fs::File::open(&path).map_err(|e| {
            if given.is_dir() {
                anyhow::anyhow!(
                    "'{}' holds no partial result ({PARTIAL_FILE}: {e}); give the folders or \
                     files that `--shard` runs wrote",
                    given.display()
                )
            } else {
                anyhow::anyhow!("cannot read partial result '{}': {e}", path.display())
            }
        })?;
        let mut line = Vec::new();
        BufReader::new(file)
            .take(1 << 20)
            .read_until(b'\n', &mut line)
            .map_err(|e| anyhow::anyhow!("cannot read partial result '{}': {e}", path.display()))?;
        let not_partial = |why: &str| {
            anyhow::anyhow!(
                "'{}' is not a complete partial result of buffersim ({why}); give the files or \
                 folders that `run --shard` or `compare --shard` wrote",
                path.display()
            )
        };
        if line.last() != Some(&b'\n') {
            return Err(not_partial("no header line"));
        }
        let header: Header = serde_json::from_slice(&line)
            .map_err(|e| not_partial(&format!("its header does not read: {e}")))?;
        if header.format != FORMAT {
            return Err(not_partial(&format!("its format is '{}'", header.format)));
        }
        if header.format_version != FORMAT_VERSION {
            anyhow::bail!(
                "partial result '{}' is of format version {}; this buffersim ({}) reads version \
                 {FORMAT_VERSION}: merge with the buffersim that ran the shards",
                path.display(),
                header.format_version,
                program_version()
            );
        }
        Ok(Partial { path, header })
    }

    /// Read the body and check it against the header: complete, undamaged, and holding the
    /// runs the header names, for each simulation of the command.
    pub fn read_parts(&self) -> anyhow::Result<Vec<Part>> {
        let bytes = std::fs::read(&self.path).map_err(|e| {
            anyhow::anyhow!("cannot read partial result '{}': {e}", self.path.display())
        })?;
        let start = bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1);
        let body = &bytes[start..];
        let expected = self.header.body_bytes;
        if (body.len() as u64) < expected {
            anyhow::bail!(
                "partial result '{}' is cut short: {} of its {expected} bytes of results are \
                 there (a shard that crashed or a copy that stopped); run shard {} again",
                self.path.display(),
                body.len(),
                self.header.shard
            );
        }
        if body.len() as u64 != expected || hex(&Sha256::digest(body)) != self.header.body_sha256 {
            anyhow::bail!(
                "partial result '{}' is damaged: its checksum does not match its header; run \
                 shard {} again",
                self.path.display(),
                self.header.shard
            );
        }
        let parts: Vec<Part> = postcard::from_bytes(body).map_err(|e| {
            anyhow::anyhow!(
                "partial result '{}' does not read ({e}); run shard {} again",
                self.path.display(),
                self.header.shard
            )
        })?;
        if parts.iter().any(|part| part.runs != self.runs()) {
            anyhow::bail!(
                "partial result '{}' is damaged: its header and its results name other runs",
                self.path.display()
            );
        }
        Ok(parts)
    }
}

/// Check that `partials` come from one simulation (every [`Origin`] field the same) and cover
/// its runs exactly once, on the engine's chunks; every problem is named, with the partials
/// and the runs it concerns. Returns their common origin.
pub fn check_partials(partials: &[Partial]) -> anyhow::Result<Origin> {
    let Some(first) = partials.first() else {
        anyhow::bail!("merge needs at least one partial result");
    };
    let origin = first.origin();
    let mut problems = Vec::new();
    for other in &partials[1..] {
        for (field, mine, theirs) in differences(origin, other.origin()) {
            problems.push(format!(
                "'{}' differs from '{}' in {field}: {theirs} instead of {mine}",
                other.path.display(),
                first.path.display()
            ));
        }
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "the partial results are not parts of one simulation; partials merge only when \
             they come from the same program version, command, scenario, seed, runs and \
             options:\n  {}",
            problems.join("\n  ")
        );
    }
    let runs = origin.runs;
    let mut by_start: Vec<&Partial> = partials.iter().collect();
    by_start.sort_by_key(|p| (p.header.first_run, p.header.end_run));
    let mut covered_to = 0u64;
    let mut last: Option<&Partial> = None;
    for partial in by_start {
        let range = partial.runs();
        let aligned = range.start.is_multiple_of(origin.chunk_runs)
            && (range.end.is_multiple_of(origin.chunk_runs) || range.end == runs)
            && range.start <= range.end
            && range.end <= runs;
        if !aligned {
            problems.push(format!(
                "'{}' holds runs {} of {runs}, which are not whole chunks of {} runs",
                partial.path.display(),
                run_range(&range),
                origin.chunk_runs
            ));
            continue;
        }
        if range.is_empty() {
            continue;
        }
        if range.start > covered_to {
            problems.push(format!(
                "runs {} are missing: no partial holds them",
                run_range(&(covered_to..range.start))
            ));
        } else if range.start < covered_to
            && let Some(before) = last
        {
            problems.push(format!(
                "runs {} are in two partials, '{}' and '{}'",
                run_range(&(range.start..covered_to.min(range.end))),
                before.path.display(),
                partial.path.display()
            ));
        }
        if range.end >= covered_to {
            covered_to = range.end;
            last = Some(partial);
        }
    }
    if covered_to < runs {
        problems.push(format!(
            "runs {} are missing: no partial holds them",
            run_range(&(covered_to..runs))
        ));
    }
    if !problems.is_empty() {
        anyhow::bail!(
            "the partial results do not cover the {runs} runs exactly once (runs are \
             counted from 0):\n  {}\nrun the missing shards, or leave out a partial given \
             twice",
            problems.join("\n  ")
        );
    }
    Ok(origin.clone())
}

/// `a–b` for runs `a..b+1`, or `a` for one run.
fn run_range(range: &Range<u64>) -> String {
    if range.end == range.start + 1 {
        range.start.to_string()
    } else {
        format!("{}–{}", range.start, range.end.saturating_sub(1))
    }
}

/// The fields in which two origins differ: name, first's value, second's value.
fn differences(a: &Origin, b: &Origin) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let mut compare = |field, x: String, y: String| {
        if x != y {
            out.push((field, x, y));
        }
    };
    compare(
        "program version",
        a.program_version.clone(),
        b.program_version.clone(),
    );
    compare("command", a.command.clone(), b.command.clone());
    compare(
        "scenario (its fingerprint; the file may have been edited)",
        format!("{} ({})", a.scenario_fingerprint, a.scenario.display()),
        format!("{} ({})", b.scenario_fingerprint, b.scenario.display()),
    );
    compare("seed", a.seed.to_string(), b.seed.to_string());
    compare("runs", a.runs.to_string(), b.runs.to_string());
    compare(
        "runs per chunk",
        a.chunk_runs.to_string(),
        b.chunk_runs.to_string(),
    );
    let name = |b: &Option<String>| b.clone().unwrap_or_else(|| "none".to_string());
    compare("baseline", name(&a.baseline), name(&b.baseline));
    let grid =
        |g: &Option<serde_json::Value>| g.as_ref().map_or("none".to_string(), |g| g.to_string());
    compare("the sweep's grid", grid(&a.grid), grid(&b.grid));
    out
}

/// This program's version and, when it was built from a git checkout, the commit:
/// `0.1.0 (3fc1384a2b7d)`.
pub fn program_version() -> String {
    match env!("BUFFERSIM_COMMIT") {
        "" => env!("CARGO_PKG_VERSION").to_string(),
        commit => format!("{} ({commit})", env!("CARGO_PKG_VERSION")),
    }
}

/// The origin of a shard of `command` on `scenario` (with, for `compare`, its baseline, and
/// for `sweep`, its grid).
pub fn origin(
    command: &str,
    scenario: &Scenario,
    (seed, runs): (u64, u64),
    (baseline, grid): (Option<String>, Option<serde_json::Value>),
) -> Origin {
    Origin {
        program_version: program_version(),
        command: command.to_string(),
        scenario: std::path::absolute(&scenario.path).unwrap_or_else(|_| scenario.path.clone()),
        scenario_fingerprint: scenario_fingerprint(scenario),
        seed,
        runs,
        chunk_runs: CHUNK_RUNS,
        baseline,
        grid,
    }
}
