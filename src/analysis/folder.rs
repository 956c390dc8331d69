//! One report per results folder: the analyses beside a run's summary, as sections of its
//! report.
//!
//! A scenario's results folder holds what `run` wrote (summary.json, from which the report is
//! drawn) and what the analyses wrote beside it. [`Analyses::read`] finds them by the files
//! they write:
//!
//! - `compare.json` at the folder's root: a comparison (`compare`);
//! - every subfolder holding `sweep.json`: a sweep (`sweep/` by default), or, when it also
//!   holds `stress.json`, a stress test (`stress-DISRUPTION/`);
//! - every subfolder holding `optimize.json`: an optimisation (`optimize-POLICY/`).
//!
//! A subfolder given another name with `--out` is found all the same. Each becomes one
//! [`Section`] of report.html and report.md, in that order (comparison, sweeps, stress tests,
//! optimisations, each kind by folder name): its figures read back from the JSON the command
//! wrote (the analyses' own types, deserialised), its charts inlined from the SVG files the
//! command drew (never redrawn here, so the report shows what the command made), the runs and
//! seed it was made with, and relative links to its files.
//!
//! # A file that cannot be read
//!
//! An analysis whose file is malformed, or not what buffersim writes (another program's
//! `compare.json`, a sweep whose points do not fit its grid), is left out of the report with a
//! warning, not an error: the report of the run is still drawn, and in the analysis' place it
//! holds a short section that names the file and says what is wrong, so that a reader of
//! report.html, who never sees the warning on stderr, learns that something is missing. An
//! error would have cost more than it protects: `run --report` would lose a simulation to a
//! stray file beside it, and an analysis command that has written its own results would fail
//! because of another's.
//!
//! # When the report is redrawn
//!
//! `buffersim report DIR` and `run --report` draw the report with every analysis present.
//! When `compare` writes into a folder, or `sweep`, `stress` or `optimize` into a subfolder of
//! one, that already holds a report (report.html and the summary.json it is drawn from), that
//! report is redrawn so that it stays current ([`redraw_after`]). A folder without a report is
//! left without one: drawing a report is asked for, never imposed.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::analysis::compare::{self, Comparison};
use crate::analysis::optimize::Optimization;
use crate::analysis::param::Param;
use crate::analysis::stress::{ALL_ITEMS, Reading, Stress};
use crate::analysis::sweep::{CHARTED, Sweep};
use crate::analysis::target::Statistic;
use crate::analysis::{format_param, format_value};
use crate::foundation::format::group_thousands;
use crate::foundation::stats::Estimate;
use crate::presentation::charts::{self, ChartError};
use crate::presentation::format::ValueKind;
use crate::presentation::report::{
    self, Section, Table, esc, estimate_cell, html_table, inline_svg_source, md_table,
};
use crate::results::files::{Committed, FileSet, FolderLock, WriteError};
use crate::results::justification::Justification;
use crate::results::saved::{self, SavedSummary};
use crate::simulation::metrics::Metric;

/// What an analysis is, by the file it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `compare`: compare.json at the folder's root.
    Compare,
    /// `sweep`: a subfolder with sweep.json.
    Sweep,
    /// `stress`: a subfolder with stress.json (and the sweep.json it was read from).
    Stress,
    /// `optimize`: a subfolder with optimize.json.
    Optimize,
}

impl Kind {
    /// The file that says what the analysis is.
    fn main_file(self) -> &'static str {
        match self {
            Kind::Compare => "compare.json",
            Kind::Sweep => "sweep.json",
            Kind::Stress => "stress.json",
            Kind::Optimize => "optimize.json",
        }
    }

    /// What such a file is, for messages: "a buffersim comparison".
    fn what(self) -> &'static str {
        match self {
            Kind::Compare => "a buffersim comparison",
            Kind::Sweep => "a buffersim sweep",
            Kind::Stress => "a buffersim stress test",
            Kind::Optimize => "a buffersim optimisation",
        }
    }

    /// What it is, in a sentence: "comparison".
    fn noun(self) -> &'static str {
        self.what().trim_start_matches("a buffersim ")
    }

    /// The command that writes it.
    fn command(self) -> &'static str {
        match self {
            Kind::Compare => "compare",
            Kind::Sweep => "sweep",
            Kind::Stress => "stress",
            Kind::Optimize => "optimize",
        }
    }
}

/// Why an analysis could not be read back.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// A file could not be read.
    #[error("cannot read '{}': {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        cause: std::io::Error,
    },
    /// A file is not JSON of the shape the command writes.
    #[error("'{}' is not {what}: {cause}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What it should have been.
        what: &'static str,
        /// What the JSON reader said.
        cause: serde_json::Error,
    },
    /// A file has the shape, but figures that do not fit together.
    #[error("'{}' is not a consistent {}: {problem}", path.display(), &what[2..])]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// What it should have been.
        what: &'static str,
        /// What does not fit.
        problem: String,
    },
    /// The analysis' folder could not be locked (to recover it from an interrupted command,
    /// and to read it whole).
    #[error(transparent)]
    Lock(#[from] WriteError),
    /// The summary of an optimisation's chosen values (`--justify`) could not be read.
    #[error(transparent)]
    Summary(#[from] saved::ReadError),
}

/// The analyses of a results folder, as sections of its report.
#[derive(Debug, Default)]
pub struct Analyses {
    /// One section per analysis found, in report order; an analysis that could not be read
    /// has a short section in its place saying so.
    pub sections: Vec<Section>,
    /// The analyses shown, by folder (`compare.json` for a comparison, `sweep/`, …).
    pub shown: Vec<String>,
    /// One line per analysis left out, naming its file and what is wrong with it.
    pub warnings: Vec<String>,
}

/// An analysis found in a folder: its kind, and its subfolder (empty for the folder itself).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Found {
    kind: Kind,
    folder: String,
}

impl Found {
    /// The path of a file of the analysis, relative to the report's folder, `/` between
    /// folders: what a link in the report names.
    fn rel(&self, file: &str) -> String {
        if self.folder.is_empty() {
            file.to_string()
        } else {
            format!("{}/{file}", self.folder)
        }
    }

    /// The section's anchor: `analysis-` and the folder (or the kind, at the root), with
    /// anything but letters, digits, `-` and `_` made `-`.
    fn id(&self) -> String {
        let name = if self.folder.is_empty() {
            self.kind.command()
        } else {
            &self.folder
        };
        let clean: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("analysis-{clean}")
    }

    /// How the analysis is named in lines and lists: `compare.json`, `sweep/`.
    fn label(&self) -> String {
        if self.folder.is_empty() {
            self.kind.main_file().to_string()
        } else {
            format!("{}/", self.folder)
        }
    }
}

/// The analyses in `dir`, in report order (see the module documentation).
fn find(dir: &Path) -> Vec<Found> {
    let mut found = Vec::new();
    if dir.join(Kind::Compare.main_file()).is_file() {
        found.push(Found {
            kind: Kind::Compare,
            folder: String::new(),
        });
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    let mut folders: Vec<Found> = entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            if !entry.file_type().ok()?.is_dir() {
                return None;
            }
            // Not names that cannot be written in a link, nor staging folders and the like.
            let folder = entry.file_name().into_string().ok()?;
            if folder.starts_with('.') || folder == "charts" {
                return None;
            }
            let path = entry.path();
            let kind = [Kind::Stress, Kind::Optimize, Kind::Sweep]
                .into_iter()
                .find(|k| path.join(k.main_file()).is_file())?;
            Some(Found { kind, folder })
        })
        .collect();
    folders.sort();
    found.extend(folders);
    found
}

impl Analyses {
    /// Find the analyses in the results folder `dir` and make their sections; `scenario` is
    /// the name in the folder's summary.json, so that an analysis of a scenario since renamed
    /// says which it was made from. The caller holds the lock of `dir`; each subfolder's own
    /// lock is taken while it is read.
    pub fn read(dir: &Path, scenario: &str) -> Analyses {
        let mut analyses = Analyses::default();
        for found in find(dir) {
            match section(dir, &found, scenario) {
                Ok(section) => {
                    analyses.sections.push(section);
                    analyses.shown.push(found.label());
                }
                Err(e) => {
                    analyses.warnings.push(format!(
                        "warning: left the {} in '{}' out of the report: {e}",
                        found.kind.noun(),
                        found.label()
                    ));
                    analyses.sections.push(unreadable(dir, &found, &e));
                }
            }
        }
        analyses
    }
}

/// Read one analysis, under its folder's lock (a subfolder: the caller holds the lock of
/// `dir` itself), and make its section.
fn section(dir: &Path, found: &Found, scenario: &str) -> Result<Section, AnalysisError> {
    let folder = dir.join(&found.folder);
    let _lock = if found.folder.is_empty() {
        None
    } else {
        FolderLock::existing(&folder)?
    };
    let exists = |file: &str| folder.join(file).is_file();
    let links = |files: &[&str]| -> String {
        let present: Vec<String> = files
            .iter()
            .filter(|f| exists(f))
            .map(|f| link(&found.rel(f)))
            .collect();
        present.join(", ")
    };
    let mut body = Body::default();
    let title = match found.kind {
        Kind::Compare => {
            let c: Comparison = read_json(&folder.join("compare.json"), Kind::Compare)?;
            compare_body(
                &mut body,
                &c,
                scenario,
                &links(&["compare.json", "compare.csv"]),
            );
            format!("Compared with {} (paired, run by run)", c.baseline)
        }
        Kind::Sweep => {
            let s = read_sweep(&folder.join("sweep.json"))?;
            sweep_body(
                &mut body,
                &s,
                scenario,
                &links(&["sweep.json", "sweep.csv"]),
            );
            charts_body(&mut body, &folder, found)?;
            format!("Sweep of {}", field_labels(&s))
        }
        Kind::Stress => {
            let path = folder.join("stress.json");
            let mut s: Stress = read_json(&path, Kind::Stress)?;
            s.sweep = read_sweep(&folder.join("sweep.json"))?;
            if s.sweep.axes.len() != 1 {
                return Err(AnalysisError::Inconsistent {
                    path: folder.join("sweep.json"),
                    what: Kind::Stress.what(),
                    problem: format!(
                        "a stress test varies one parameter; this sweep varies {}",
                        s.sweep.axes.len()
                    ),
                });
            }
            let files = links(&["stress.json", "sweep.json", "sweep.csv"]);
            stress_body(&mut body, &s, scenario, &files);
            charts_body(&mut body, &folder, found)?;
            format!("Stress test of {}", s.disruption)
        }
        Kind::Optimize => {
            let o: Optimization = read_json(&folder.join("optimize.json"), Kind::Optimize)?;
            let justification = if exists("summary.json") {
                SavedSummary::load(&folder)?.justification
            } else {
                None
            };
            let files = links(&[
                "optimize.json",
                "justify.md",
                "report.html",
                "summary.json",
                "summary.csv",
            ]);
            optimize_body(&mut body, &o, scenario, &files, justification.as_ref());
            format!(
                "Smallest {} for {}",
                field_label(&o.param),
                o.policy.as_str()
            )
        }
    };
    Ok(body.section(found.id(), title))
}

/// A file read back as `T`, or an error naming it.
fn read_json<T: DeserializeOwned>(path: &Path, kind: Kind) -> Result<T, AnalysisError> {
    let text = std::fs::read_to_string(path).map_err(|cause| AnalysisError::Read {
        path: path.to_path_buf(),
        cause,
    })?;
    serde_json::from_str(&text).map_err(|cause| AnalysisError::Malformed {
        path: path.to_path_buf(),
        what: kind.what(),
        cause,
    })
}

/// A sweep read back and checked: every point fits the grid and has the same policies and
/// items as the first, so that nothing below indexes past what is there.
fn read_sweep(path: &Path) -> Result<Sweep, AnalysisError> {
    let sweep: Sweep = read_json(path, Kind::Sweep)?;
    check_sweep(&sweep).map_err(|problem| AnalysisError::Inconsistent {
        path: path.to_path_buf(),
        what: Kind::Sweep.what(),
        problem,
    })?;
    Ok(sweep)
}

fn check_sweep(sweep: &Sweep) -> Result<(), String> {
    if !(1..=2).contains(&sweep.axes.len()) {
        return Err(format!(
            "a sweep varies one or two parameters, not {}",
            sweep.axes.len()
        ));
    }
    if let Some(axis) = sweep.axes.iter().find(|a| a.values.is_empty()) {
        return Err(format!("{} has no values", axis.param));
    }
    let grid: usize = sweep.axes.iter().map(|a| a.values.len()).product();
    if sweep.points.len() != grid {
        return Err(format!(
            "{} points for a grid of {grid}",
            sweep.points.len()
        ));
    }
    let first = &sweep.points[0];
    if first.policies.is_empty() {
        return Err("the points have no policies".to_string());
    }
    let items = |p: &crate::analysis::sweep::PointPolicy| -> Vec<String> {
        p.items.iter().map(|i| i.item.clone()).collect()
    };
    let first_items = items(&first.policies[0]);
    for (k, point) in sweep.points.iter().enumerate() {
        if point.values.len() != sweep.axes.len() {
            return Err(format!(
                "point {} has {} values for {} parameters",
                k + 1,
                point.values.len(),
                sweep.axes.len()
            ));
        }
        let names = point.policies.iter().map(|p| p.policy.as_str());
        if !names.eq(first.policies.iter().map(|p| p.policy.as_str())) {
            return Err(format!("point {} has other policies than the first", k + 1));
        }
        if point.policies.iter().any(|p| items(p) != first_items) {
            return Err(format!("point {} has other items than the first", k + 1));
        }
    }
    Ok(())
}

/// The short section in the place of an analysis that could not be read; its files are named
/// relative to the folder `dir`, as the report's links are.
fn unreadable(dir: &Path, found: &Found, e: &AnalysisError) -> Section {
    let mut body = Body::default();
    let prefix = format!("'{}{}", dir.display(), std::path::MAIN_SEPARATOR);
    let why = format!("{e}.").replace(&prefix, "'");
    body.para(&format!(
        "The {} in {} could not be read, so it is not in this report: {} Run `buffersim {}` \
         again to write it anew, or remove its files; then redraw the report with `buffersim \
         report`.",
        found.kind.noun(),
        code(&found.label()),
        plain(&why),
        found.kind.command()
    ));
    body.section(
        found.id(),
        format!("Not shown: the {} in {}", found.kind.noun(), found.label()),
    )
}

// ---------------------------------------------------------------------------------------------
// The sections

/// "`name`", for text written in the sections' Markdown-like inline form.
fn code(s: &str) -> String {
    format!("`{}`", s.replace('`', "'"))
}

/// Text without the characters the inline form gives a meaning to.
fn plain(s: &str) -> String {
    s.replace('`', "'").replace('[', "(").replace(']', ")")
}

/// A link to a file of the folder, its path as the text.
fn link(rel: &str) -> String {
    format!("[{}]({})", plain(rel), href(rel))
}

/// A relative path as a URL: `/` kept, anything but letters, digits and `-._~` percent-encoded.
fn href(rel: &str) -> String {
    let mut out = String::new();
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// "runs each" or "runs": a count with thousands separators.
fn runs_text(runs: u64) -> String {
    format!(
        "{} run{}",
        group_thousands(runs as f64, 0),
        if runs == 1 { "" } else { "s" }
    )
}

/// " (made from scenario 'X')" when the analysis was made from a scenario of another name
/// than the folder's summary.
fn other_scenario(analysis: &str, summary: &str) -> String {
    if analysis.is_empty() || analysis == summary {
        String::new()
    } else {
        format!(" Made from the scenario {}.", code(analysis))
    }
}

/// "Stockout rate": the metric's label for people, as the run's tables write it.
fn metric_label(metric: &str) -> String {
    crate::simulation::metrics::Metric::from_name(metric)
        .map_or_else(|| metric.replace('_', " "), |m| m.label().to_string())
}

/// A parameter's field as a column names it (`service_level`), from its whole path.
fn field_label(param: &str) -> String {
    param
        .parse::<Param>()
        .map_or_else(|_| param.to_string(), |p| p.field_label())
}

fn field_labels(sweep: &Sweep) -> String {
    let labels: Vec<String> = sweep.axes.iter().map(|a| field_label(&a.param)).collect();
    labels.join(" × ")
}

/// "0.8, 0.819, …, 0.99 (11 values)": a grid's values, all of them when there are few.
fn grid_text(values: &[f64]) -> String {
    let all: Vec<String> = values.iter().map(|&v| format_param(v)).collect();
    if all.len() <= 12 {
        format!("{} ({} values)", all.join(", "), all.len())
    } else {
        format!(
            "{}, {}, …, {} ({} values)",
            all[0],
            all[1],
            all[all.len() - 1],
            all.len()
        )
    }
}

/// The comparison: per policy, the headline metrics of baseline and policy, the difference
/// with its interval, whether it is significant, and what pairing gained.
fn compare_body(body: &mut Body, c: &Comparison, scenario: &str, files: &str) {
    body.para(&format!(
        "Every policy against the baseline {}, run by run on the same demand, lead times and \
         disruptions (common random numbers): {}, seed {}.{} A difference is policy − \
         baseline, rates in percentage points (pp) and costs per year; it is significant when \
         its 95% confidence interval excludes zero (n/a: a single run gives no interval). \
         The pairing gain is how many times wider the interval would be without common random \
         numbers. Files: {files} (every metric).",
        code(&c.baseline),
        runs_text(c.runs),
        c.seed,
        other_scenario(&c.scenario, scenario),
    ));
    for p in &c.policies {
        body.heading(&format!(
            "{} against {}",
            code(&p.policy),
            code(&c.baseline)
        ));
        let header = vec![
            "metric".to_string(),
            format!("{} (baseline)", c.baseline),
            p.policy.clone(),
            "difference".to_string(),
            "95% interval".to_string(),
            "significant".to_string(),
            "pairing gain".to_string(),
        ];
        let rows = compare::HEADLINE
            .iter()
            .filter_map(|&m| {
                let d = c.get(&p.policy, m)?;
                let kind = ValueKind::of(m.name());
                Some(vec![
                    metric_label(m.name()),
                    kind.value(d.baseline_mean),
                    kind.value(d.policy_mean),
                    compare::signed(m, d.difference, true),
                    d.ci95.map_or_else(
                        || "n/a".to_string(),
                        |ci| {
                            format!(
                                "[{}, {}]",
                                compare::signed(m, ci.low, false),
                                compare::signed(m, ci.high, false)
                            )
                        },
                    ),
                    match d.significant {
                        Some(true) => "yes".to_string(),
                        Some(false) => "no".to_string(),
                        None => "n/a".to_string(),
                    },
                    compare::pairing_gain(d).unwrap_or_else(|| "–".to_string()),
                ])
            })
            .collect();
        body.table(&Table { header, rows });
    }
}

/// The charted metrics of a policy at a point, one cell each: the mean, its interval below.
fn charted_cells(sweep: &Sweep, point: usize, policy: usize) -> Vec<String> {
    CHARTED
        .iter()
        .map(|&m| {
            sweep
                .estimate(point, policy, None, m)
                .map_or_else(|| "–".to_string(), |e| cell(m, &e))
        })
        .collect()
}

fn cell(metric: Metric, e: &Estimate) -> String {
    estimate_cell(ValueKind::of(metric.name()), e)
}

/// The sweep: what was varied, then what changes, as the terminal text says it (a table per
/// policy the parameters touch, one row per value of the parameters it moves with), and the
/// policies they do not touch once.
fn sweep_body(body: &mut Body, sweep: &Sweep, scenario: &str, files: &str) {
    let runs = sweep.points.first().map_or(0, |p| p.runs);
    let axes: Vec<String> = sweep
        .axes
        .iter()
        .map(|a| format!("{} over {}", code(&a.param), grid_text(&a.values)))
        .collect();
    body.para(&format!(
        "{}: {} points, {} each, seed {}, every point on the same random numbers (common \
         random numbers), so the points differ by the parameter{} alone.{} Each figure is \
         the mean over runs with its 95% confidence interval below it. Files: {files} (every \
         metric of every policy and item at every point).",
        axes.join("; "),
        sweep.points.len(),
        runs_text(runs),
        sweep.seed,
        if sweep.axes.len() == 1 { "" } else { "s" },
        other_scenario(&sweep.scenario, scenario),
    ));
    let policies = sweep.policies();
    let (constant, changing): (Vec<usize>, Vec<usize>) =
        (0..policies.len()).partition(|&p| sweep.is_constant(p));
    let metric_names = CHARTED.iter().map(|m| metric_label(m.name()));
    let labels = sweep.axis_labels();
    for &p in &changing {
        let moves: Vec<usize> = (0..sweep.axes.len())
            .filter(|&a| sweep.moves_with(p, a))
            .collect();
        let still: Vec<String> = (0..sweep.axes.len())
            .filter(|a| !moves.contains(a))
            .map(|a| code(&sweep.axes[a].param))
            .collect();
        body.heading(&if still.is_empty() {
            code(&policies[p])
        } else {
            format!(
                "{} (the same at every {})",
                code(&policies[p]),
                still.join(", ")
            )
        });
        let first = moves
            .iter()
            .map(|&a| labels[a].as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut header = vec![if first.is_empty() {
            "point".to_string()
        } else {
            first
        }];
        header.extend(metric_names.clone());
        let rows = (0..sweep.points.len())
            .filter(|&k| {
                (0..sweep.axes.len()).all(|a| moves.contains(&a) || sweep.position(k, a) == 0)
            })
            .map(|k| {
                let values: Vec<String> = moves
                    .iter()
                    .map(|&a| format_param(sweep.points[k].values[a]))
                    .collect();
                let mut row = vec![values.join(", ")];
                row.extend(charted_cells(sweep, k, p));
                row
            })
            .collect();
        body.table(&Table { header, rows });
    }
    if !constant.is_empty() {
        let names: Vec<String> = constant.iter().map(|&p| code(&policies[p])).collect();
        body.heading("Policies the sweep does not touch");
        body.para(&format!(
            "{} {} the same at every point: {} {} not change {}.",
            names.join(", "),
            if names.len() == 1 { "is" } else { "are" },
            sweep
                .axes
                .iter()
                .map(|a| code(&a.param))
                .collect::<Vec<_>>()
                .join(" and "),
            if sweep.axes.len() == 1 { "does" } else { "do" },
            if names.len() == 1 { "it" } else { "them" }
        ));
        let mut header = vec!["policy".to_string()];
        header.extend(metric_names);
        let rows = constant
            .iter()
            .map(|&p| {
                let mut row = vec![policies[p].clone()];
                row.extend(charted_cells(sweep, 0, p));
                row
            })
            .collect();
        body.table(&Table { header, rows });
    }
}

/// The stress test: the disruption, the target, and per policy and item the verdict in words
/// with the survivable value.
fn stress_body(body: &mut Body, stress: &Stress, scenario: &str, files: &str) {
    let sweep = &stress.sweep;
    let values = &sweep.axes[0].values;
    let runs = sweep.points.first().map_or(0, |p| p.runs);
    let target = &stress.target;
    let keeps = match target.statistic {
        Statistic::Mean => "on the mean over runs".to_string(),
        Statistic::Quantile(q) => format!("at the {:.0}th percentile over runs", 100.0 * q),
    };
    body.para(&format!(
        "How much of the disruption {} each policy survives: {} over {}, {} each, seed {}, \
         every value on the same random numbers.{} Target: the {} {} {} {keeps}. A policy \
         holds up to a value when the target holds at every value tried up to it; the \
         interval is the same reading at the worse and at the better end of each point's 95% \
         confidence interval. Files: {files}.",
        code(&stress.disruption),
        code(&stress.param),
        grid_text(values),
        runs_text(runs),
        sweep.seed,
        other_scenario(&sweep.scenario, scenario),
        metric_label(target.metric.name()).to_lowercase(),
        if target.at_most {
            "at or below"
        } else {
            "at or above"
        },
        format_value(target.metric, target.value),
    ));
    let first = values
        .first()
        .map_or_else(String::new, |&v| format_param(v));
    let header = [
        "policy",
        "items",
        "verdict",
        "survivable value",
        "95% reading",
    ]
    .map(String::from)
    .to_vec();
    let rows = stress
        .survival
        .iter()
        .map(|s| {
            let verdict = match s.verdict {
                Reading::Unaffected => "unaffected: not reached, not judged".to_string(),
                Reading::HoldsUpTo => "holds up to the value, misses beyond".to_string(),
                Reading::HoldsThroughout => "holds over the whole range".to_string(),
                Reading::MissesAtStart => format!("misses the target even at {first}"),
            };
            let value = s.survivable.map_or_else(
                || "–".to_string(),
                |v| {
                    format!(
                        "{}{}",
                        if s.holds_at_end { "at least " } else { "" },
                        format_param(v)
                    )
                },
            );
            let reading = if s.low.is_none() && s.high.is_none() {
                "–".to_string()
            } else {
                format!(
                    "[{}, {}]",
                    s.low.map_or("none".into(), format_param),
                    s.high.map_or("none".into(), format_param)
                )
            };
            let unit = if s.unit == ALL_ITEMS {
                "all items".to_string()
            } else {
                s.unit.clone()
            };
            vec![s.policy.clone(), unit, verdict, value, reading]
        })
        .collect();
    body.table(&Table { header, rows });
    let unaffected: Vec<String> = stress
        .survival
        .iter()
        .filter(|s| s.verdict == Reading::Unaffected)
        .map(|s| {
            let unit = if s.unit == ALL_ITEMS {
                "all its items".to_string()
            } else {
                code(&s.unit)
            };
            let why = stress.unaffected(s);
            let why = why.strip_prefix("unaffected: ").unwrap_or(&why);
            format!("{}, {unit}: {}", code(&s.policy), plain(why))
        })
        .collect();
    if !unaffected.is_empty() {
        body.para(
            "Not judged, because the disruption cannot reach them (so its intensity has \
             nothing to do with whether they meet the target):",
        );
        body.list(&unaffected);
    }
}

/// The optimisation: the search, then per item (or for the policy) the value chosen and what
/// it achieves, and the value just below; with `--justify`, each buffer's reasons.
fn optimize_body(
    body: &mut Body,
    o: &Optimization,
    scenario: &str,
    files: &str,
    justification: Option<&Justification>,
) {
    let metric = o.target.metric;
    let field = field_label(&o.param);
    let statistic = match o.target.statistic {
        Statistic::Mean => "the mean over runs".to_string(),
        Statistic::Quantile(q) => format!("the {}th percentile over runs", 100.0 * q),
    };
    body.para(&format!(
        "The smallest {} for policy {} that meets {} on {statistic} with {:.0}% confidence, \
         searched from {} to {} with every candidate on the same random numbers (seed {}); the \
         figures are from a final simulation of {} at the chosen value{}, each the mean over \
         runs with its 95% confidence interval below it.{} Files: {files}.",
        code(&o.param),
        code(&o.policy),
        code(&o.target.to_string()),
        100.0 * o.confidence,
        format_param(o.range.0),
        format_param(o.range.1),
        o.seed,
        runs_text(o.runs),
        if o.answers.len() > 1 { "s" } else { "" },
        other_scenario(&o.scenario, scenario),
    ));
    let per_item = o.answers.iter().any(|a| a.unit != ALL_ITEMS);
    let name = metric_label(metric.name());
    let header = vec![
        if per_item { "item" } else { "policy" }.to_string(),
        "chosen value".to_string(),
        name.clone(),
        "carrying cost / year".to_string(),
        "total cost / year".to_string(),
        format!("just below ({name})"),
    ];
    let estimate = |m: Metric, e: &Option<Estimate>| {
        e.as_ref().map_or_else(|| "n/a".to_string(), |e| cell(m, e))
    };
    let rows = o
        .answers
        .iter()
        .map(|a| {
            let unit = if a.unit == ALL_ITEMS {
                o.policy.clone()
            } else {
                a.unit.clone()
            };
            let chosen = match a.value {
                Some(v) => format_param(v),
                None => format!(
                    "none up to {}",
                    format_param(a.deciding.as_ref().map_or(o.range.1, |c| c.value))
                ),
            };
            let achieved = match (o.target.statistic, &a.achieved) {
                (Statistic::Quantile(q), Some(m)) => format!(
                    "p{} {}\n[{}, {}]",
                    100.0 * q,
                    format_value(metric, m.value),
                    format_value(metric, m.low),
                    format_value(metric, m.high)
                ),
                _ => estimate(metric, &a.metric),
            };
            let below = a.below.as_ref().map_or_else(
                || "–".to_string(),
                |b| {
                    format!(
                        "{}\n{}",
                        format_param(b.value),
                        format_value(metric, b.measured.value)
                    )
                },
            );
            vec![
                unit,
                chosen,
                achieved,
                estimate(Metric::CarryingCost, &a.carrying_cost),
                estimate(Metric::TotalCost, &a.total_cost),
                below,
            ]
        })
        .collect();
    body.table(&Table { header, rows });
    if let Some(j) = justification {
        body.heading(&format!("Buffer justification: policy {}", code(&j.policy)));
        body.para(&j.preamble());
        for item in &j.items {
            let rows: Vec<(String, String)> = item
                .reasons
                .iter()
                .map(|r| (r.topic.clone(), r.text.clone()))
                .collect();
            body.reasons(&item.item, &rows);
        }
        return;
    }
    // Without a justification (`--justify`), the verdicts that decided each value say why.
    let reasons: Vec<String> = o
        .answers
        .iter()
        .map(|a| {
            let unit = if a.unit == ALL_ITEMS {
                code(&o.policy)
            } else {
                code(&a.unit)
            };
            let mut line = match &a.deciding {
                Some(c) => format!(
                    "{unit}: {field} = {} {}",
                    format_param(c.value),
                    plain(&c.measured.reason)
                ),
                None => format!("{unit}: nothing was tried"),
            };
            if let Some(m) = a.unconfirmed() {
                let _ = write!(line, "; in the final simulation, {}", plain(&m.reason));
            }
            match (&a.below, a.value) {
                (Some(b), _) => {
                    let _ = write!(
                        line,
                        "; just below, {field} = {} {}",
                        format_param(b.value),
                        plain(&b.measured.reason)
                    );
                }
                (None, Some(_)) => line.push_str(
                    "; nothing below it was tried: it is the bottom of the range searched",
                ),
                (None, None) => {}
            }
            line
        })
        .collect();
    body.para("Why each value, by the verdicts that decided it:");
    body.list(&reasons);
}

/// The charts an analysis drew, inlined from its SVG files (`charts/*.svg` of its folder):
/// in the order the analyses draw them, then any others by name.
fn charts_body(body: &mut Body, folder: &Path, found: &Found) -> Result<(), AnalysisError> {
    let dir = folder.join("charts");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            Some(name.strip_suffix(".svg")?.to_string())
        })
        .collect();
    let order: Vec<&str> = charts::analysis_chart_names().collect();
    names.sort_by_key(|n| {
        (
            order.iter().position(|o| o == n).unwrap_or(order.len()),
            n.clone(),
        )
    });
    for name in names {
        let path = dir.join(format!("{name}.svg"));
        let svg =
            std::fs::read_to_string(&path).map_err(|cause| AnalysisError::Read { path, cause })?;
        let png = dir.join(format!("{name}.png")).is_file();
        let rel = found.rel(&format!("charts/{name}"));
        body.chart(&format!("{}-{name}", found.id()), &rel, &svg, png);
    }
    Ok(())
}

/// A chart's title, the first text an SVG file holds (the charts draw their title first);
/// the file's name without it.
fn svg_title(svg: &str, name: &str) -> String {
    svg.split("<text")
        .nth(1)
        .and_then(|t| t.split_once('>'))
        .and_then(|(_, rest)| rest.split_once("</text>"))
        .map(|(text, _)| {
            text.trim()
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| name.replace('-', " "))
}

// ---------------------------------------------------------------------------------------------
// A section's body, written once for both pages

/// A section's body as HTML and Markdown together. Text is given in an inline form that reads
/// as Markdown: `code` and [text](href); HTML gets it escaped, with code spans and links.
#[derive(Default)]
struct Body {
    html: String,
    md: String,
}

impl Body {
    fn para(&mut self, text: &str) {
        let _ = writeln!(self.html, "<p>{}</p>", inline_html(text));
        let _ = writeln!(self.md, "{text}\n");
    }

    fn heading(&mut self, text: &str) {
        let _ = writeln!(self.html, "<h3>{}</h3>", inline_html(text));
        let _ = writeln!(self.md, "### {text}\n");
    }

    fn list(&mut self, lines: &[String]) {
        self.html.push_str("<ul>\n");
        for line in lines {
            let _ = writeln!(self.html, "<li>{}</li>", inline_html(line));
            let _ = writeln!(self.md, "- {line}");
        }
        self.html.push_str("</ul>\n");
        self.md.push('\n');
    }

    fn table(&mut self, t: &Table) {
        html_table(&mut self.html, t, "metrics", false);
        md_table(&mut self.md, t);
    }

    /// One item's reasons (a justification): a heading and one row per topic.
    fn reasons(&mut self, item: &str, rows: &[(String, String)]) {
        let _ = writeln!(
            self.html,
            "<h4>{}</h4>\n<div class=\"table-wrap\"><table class=\"defs\">\n<tbody>",
            esc(item)
        );
        let _ = writeln!(
            self.md,
            "#### {}\n\n| | |\n|---|---|",
            report::md_cell(item)
        );
        for (topic, text) in rows {
            let _ = writeln!(
                self.html,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                esc(topic),
                esc(text)
            );
            let _ = writeln!(
                self.md,
                "| **{}** | {} |",
                report::md_cell(topic),
                report::md_cell(text)
            );
        }
        self.html.push_str("</tbody></table></div>\n");
        self.md.push('\n');
    }

    /// A chart file inlined (HTML) or linked (Markdown); `rel` is its path without `.svg`.
    fn chart(&mut self, id: &str, rel: &str, svg: &str, png: bool) {
        let title = svg_title(svg, rel.rsplit('/').next().unwrap_or(rel));
        let svg_href = href(&format!("{rel}.svg"));
        let mut links = format!("<a href=\"{svg_href}\">{}.svg</a>", esc(rel));
        if png {
            let _ = write!(
                links,
                " · <a href=\"{}\">{}.png</a>",
                href(&format!("{rel}.png")),
                esc(rel)
            );
        }
        let _ = writeln!(
            self.html,
            "<figure id=\"{}\">\n{}\n<figcaption>{links}</figcaption>\n</figure>",
            esc(id),
            inline_svg_source(svg, None, &title)
        );
        let _ = writeln!(
            self.md,
            "![{}]({svg_href})\n",
            report::md_cell(&plain(&title))
        );
    }

    fn section(self, id: String, title: String) -> Section {
        Section {
            id,
            title,
            html: self.html,
            markdown: self.md,
        }
    }
}

/// The inline form as HTML: escaped text, `code` spans and [text](href) links.
fn inline_html(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['`', '[']) {
        out.push_str(&esc(&rest[..at]));
        let tail = &rest[at..];
        if let Some(inner) = tail.strip_prefix('`')
            && let Some(end) = inner.find('`')
        {
            let _ = write!(out, "<code>{}</code>", esc(&inner[..end]));
            rest = &inner[end + 1..];
            continue;
        }
        if let Some(inner) = tail.strip_prefix('[')
            && let Some((label, after)) = inner.split_once("](")
            && let Some((target, after)) = after.split_once(')')
        {
            let _ = write!(
                out,
                "<a href=\"{}\">{}</a>",
                esc(target),
                inline_html(label)
            );
            rest = after;
            continue;
        }
        out.push_str(&esc(&tail[..1]));
        rest = &tail[1..];
    }
    out.push_str(&esc(rest));
    out
}

// ---------------------------------------------------------------------------------------------
// Drawing the report with its analyses

/// What drawing a folder's report with its analyses did.
#[derive(Debug)]
pub(crate) struct Drawn {
    /// Charts drawn for the run (the analyses' charts are their own files, inlined).
    pub(crate) charts: usize,
    /// The analyses shown, by folder.
    pub(crate) shown: Vec<String>,
    /// One line per analysis left out.
    pub(crate) warnings: Vec<String>,
}

/// Add the report of `summary` with every analysis in `dir` to `files` (`run --report`,
/// `buffersim report`). The caller holds the lock of `dir`.
pub(crate) fn add_report(
    summary: &SavedSummary,
    dir: &Path,
    files: &mut FileSet,
) -> Result<Drawn, ChartError> {
    let analyses = Analyses::read(dir, &summary.scenario);
    let charts = report::add_report(summary, &analyses.sections, files)?;
    Ok(Drawn {
        charts,
        shown: analyses.shown,
        warnings: analyses.warnings,
    })
}

/// `buffersim report DIR`: read summary.json and write the report beside it with every
/// analysis in the folder, under the folder's lock, so that the folder is recovered from an
/// interrupted command before it is read and no other command replaces summary.json before
/// the report drawn from it is in.
pub(crate) fn redraw_report(dir: &Path) -> anyhow::Result<(Committed, Drawn)> {
    let lock = FolderLock::existing(dir)?;
    let summary = SavedSummary::load(dir)?;
    let mut lock = match lock {
        Some(lock) => lock,
        None => FolderLock::create(dir)?,
    };
    let mut files = FileSet::new(dir);
    let drawn = add_report(&summary, dir, &mut files)?;
    let committed = files.commit_locked(&mut lock)?;
    Ok((committed, drawn))
}

/// After `kind`'s command wrote its files into `out`: the folder whose report shows them
/// (`out` itself for a comparison, its parent for the others), when that folder holds a
/// report drawn from a summary; `None` when it holds none.
pub(crate) fn report_showing(kind: Kind, out: &Path) -> Option<PathBuf> {
    let folder = match kind {
        Kind::Compare => out.to_path_buf(),
        _ => match out.parent() {
            Some(p) if p.as_os_str().is_empty() => PathBuf::from("."),
            Some(p) => p.to_path_buf(),
            None => return None,
        },
    };
    (folder.join("report.html").is_file() && folder.join("summary.json").is_file())
        .then_some(folder)
}

/// Redraw the report that shows what `kind`'s command wrote into `out`, if there is one
/// ([`report_showing`]), so that it stays current: the folder redrawn and what was drawn.
pub(crate) fn redraw_after(
    kind: Kind,
    out: &Path,
) -> Option<anyhow::Result<(PathBuf, Committed, Drawn)>> {
    let folder = report_showing(kind, out)?;
    Some(redraw_report(&folder).map(|(committed, drawn)| (folder, committed, drawn)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_becomes_html() {
        assert_eq!(
            inline_html("a `x<y` and [sweep/a b.csv](sweep/a%20b.csv) & more"),
            "a <code>x&lt;y</code> and <a href=\"sweep/a%20b.csv\">sweep/a b.csv</a> &amp; more"
        );
        assert_eq!(inline_html("half `open [not"), "half `open [not");
        assert_eq!(href("stress-a b/sweep.csv"), "stress-a%20b/sweep.csv");
    }

    #[test]
    fn chart_titles_come_from_the_first_text() {
        let svg = "<svg width=\"9\" height=\"5\"><rect/><text x=\"1\">\nCost &amp; service\n\
                   </text><text>sub</text></svg>";
        assert_eq!(svg_title(svg, "x"), "Cost & service");
        let quoted = "<svg><text>Stockout rate of &apos;kanban&apos;</text></svg>";
        assert_eq!(svg_title(quoted, "x"), "Stockout rate of 'kanban'");
        assert_eq!(
            svg_title("<svg></svg>", "sweep-fill-rate"),
            "sweep fill rate"
        );
    }

    #[test]
    fn anchors_are_plain() {
        let found = Found {
            kind: Kind::Sweep,
            folder: "sweep lead.time".to_string(),
        };
        assert_eq!(found.id(), "analysis-sweep-lead-time");
        assert_eq!(found.rel("sweep.csv"), "sweep lead.time/sweep.csv");
    }
}
