//! Every file committed under `results/` is what the program makes today, byte for byte.
//!
//! Each reference folder is made by one command of [`REFERENCES`]. Each test runs its command
//! into a temporary folder and compares every file it writes with the committed one, so a
//! change to a figure, a chart or a report must be deliberate; and every committed file must be
//! made by some command, so no result can go stale unnoticed (issue 18, item 18: an
//! `optimize.json` had lost a field that a fresh run writes, and no test saw it).
//!
//! A reference folder that holds others (the analyses beside a run: `kanban-vs-jic/sweep`
//! in `kanban-vs-jic`) gets their committed files before its commands run, since its report
//! shows them; they are checked by their own references, not again.
//!
//! After a deliberate change, write the fresh files into `results/` instead of comparing:
//!
//! ```sh
//! BUFFERSIM_REGENERATE=1 cargo test --test reference_results -- --test-threads=1
//! ```
//!
//! one test at a time, so that no folder is read while it is rewritten; twice when an
//! analysis changed, so that the report beside it shows the regenerated one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A committed reference folder and the commands that make it (each with `--out` added).
struct Reference {
    folder: &'static str,
    commands: &'static [&'static [&'static str]],
}

const REFERENCES: [Reference; 9] = [
    Reference {
        folder: "kanban-reference",
        commands: &[&["run", "scenarios/kanban-reference.toml", "--report"]],
    },
    Reference {
        folder: "kanban-vs-jic",
        commands: &[
            &["run", "scenarios/kanban-vs-jic.toml", "--report"],
            &["compare", "scenarios/kanban-vs-jic.toml"],
        ],
    },
    Reference {
        folder: "peak-season",
        commands: &[&["run", "scenarios/peak-season.toml", "--report"]],
    },
    Reference {
        folder: "kanban-vs-jic/sweep",
        commands: &[&[
            "sweep",
            "scenarios/kanban-vs-jic.toml",
            "--vary",
            "policy.jic-95.service_level=0.8..0.99:11",
        ]],
    },
    Reference {
        folder: "kanban-vs-jic/stress-asia-typhoon",
        commands: &[&[
            "stress",
            "scenarios/kanban-vs-jic.toml",
            "--disruption",
            "asia-typhoon",
            "--target",
            "stockout_rate<=0.02",
            "--range",
            "5..125",
            "--steps",
            "25",
            "--runs",
            "500",
        ]],
    },
    Reference {
        folder: "kanban-vs-jic/optimize-jic-30d",
        commands: &[&[
            "optimize",
            "scenarios/kanban-vs-jic.toml",
            "--policy",
            "jic-30d",
            "--param",
            "policy.jic-30d.safety_stock_days",
            "--target",
            "stockout_rate<=0.01",
            "--per-item",
            "--justify",
        ]],
    },
    Reference {
        folder: "shared-supplier",
        commands: &[
            &["run", "scenarios/shared-supplier.toml", "--report"],
            &["compare", "scenarios/shared-supplier.toml"],
        ],
    },
    Reference {
        folder: "shared-supplier/guarantee-sensor",
        commands: &[&[
            "sweep",
            "scenarios/shared-supplier.toml",
            "--vary",
            "supplier.contract-maker.guaranteed_share.sensor=0..0.3:4",
        ]],
    },
    Reference {
        folder: "profile-example",
        commands: &[&[
            "profile",
            "scenarios/data/demand.csv",
            "--deliveries",
            "scenarios/data/deliveries.csv",
            "--items",
            "scenarios/data/items.csv",
        ]],
    },
];

/// Committed files that no command makes: a screenshot of a report in a browser.
const NOT_MADE_BY_A_COMMAND: [&str; 1] = ["kanban-vs-jic/report-screenshot.png"];

fn results() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results")
}

/// Every file below `dir`, as paths relative to it.
fn files_below(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

/// The committed files a reference folder's commands must make: those below it, less the
/// folders of other references inside it and the files no command makes.
fn committed_files(reference: &Reference) -> BTreeSet<PathBuf> {
    let folder = Path::new(reference.folder);
    files_below(&results().join(folder))
        .into_iter()
        .filter(|file| {
            let whole = folder.join(file);
            let nested = REFERENCES.iter().any(|other| {
                other.folder.len() > reference.folder.len() && whole.starts_with(other.folder)
            });
            let listed = NOT_MADE_BY_A_COMMAND.iter().any(|n| whole == Path::new(n));
            !nested && !listed
        })
        .collect()
}

/// The reference folders inside `reference`'s, relative to it.
fn nested(reference: &Reference) -> Vec<PathBuf> {
    REFERENCES
        .iter()
        .filter(|other| other.folder.len() > reference.folder.len())
        .filter_map(|other| {
            let inner = Path::new(other.folder)
                .strip_prefix(reference.folder)
                .ok()?;
            Some(inner.to_path_buf())
        })
        .collect()
}

/// Run the commands of `REFERENCES[index]` into a temporary folder and compare (or, with
/// `BUFFERSIM_REGENERATE` set, write) every file they make, both ways: a file they make that
/// differs or is not committed, and a committed file they no longer make, both fail.
fn check(index: usize) {
    let reference = &REFERENCES[index];
    let fresh = tempfile::tempdir().unwrap();
    let committed = results().join(reference.folder);
    let inner = nested(reference);
    for folder in &inner {
        for file in files_below(&committed.join(folder)) {
            let to = fresh.path().join(folder).join(&file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(committed.join(folder).join(&file), to).unwrap();
        }
    }
    for args in reference.commands {
        Command::cargo_bin("buffersim")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(*args)
            .arg("--out")
            .arg(fresh.path())
            .assert()
            .success();
    }
    let made: BTreeSet<PathBuf> = files_below(fresh.path())
        .into_iter()
        .filter(|file| !inner.iter().any(|folder| file.starts_with(folder)))
        .collect();
    if std::env::var_os("BUFFERSIM_REGENERATE").is_some() {
        for file in committed_files(reference).difference(&made) {
            std::fs::remove_file(committed.join(file)).unwrap();
        }
        for file in &made {
            let path = committed.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::copy(fresh.path().join(file), path).unwrap();
        }
        return;
    }
    let mut problems = Vec::new();
    for file in &made {
        let now = std::fs::read(fresh.path().join(file)).unwrap();
        match std::fs::read(committed.join(file)) {
            Ok(then) if then == now => {}
            Ok(_) => problems.push(format!("{} differs", file.display())),
            Err(_) => problems.push(format!("{} is not committed", file.display())),
        }
    }
    for file in committed_files(reference).difference(&made) {
        problems.push(format!("{} is no longer made", file.display()));
    }
    assert!(
        problems.is_empty(),
        "results/{}/ is stale ({}): after a deliberate change, regenerate it with \
         `BUFFERSIM_REGENERATE=1 cargo test --test reference_results`",
        reference.folder,
        problems.join("; ")
    );
}

#[test]
fn kanban_reference_run_and_report() {
    check(0);
}

#[test]
fn kanban_vs_jic_run_report_and_compare() {
    check(1);
}

#[test]
fn peak_season_run_and_report() {
    check(2);
}

#[test]
fn kanban_vs_jic_sweep() {
    check(3);
}

#[test]
fn kanban_vs_jic_stress() {
    check(4);
}

#[test]
fn kanban_vs_jic_optimize() {
    check(5);
}

#[test]
fn profile_example() {
    check(8);
}

#[test]
fn shared_supplier_run_report_and_compare() {
    check(6);
}

#[test]
fn shared_supplier_guarantee_sweep() {
    check(7);
}

/// Every committed file lies in a reference folder (or is listed as made by no command), so
/// no file under results/ escapes the checks above.
#[test]
fn every_committed_result_belongs_to_a_reference() {
    let orphans: Vec<String> = files_below(&results())
        .into_iter()
        .filter(|file| {
            !REFERENCES.iter().any(|r| file.starts_with(r.folder))
                && !NOT_MADE_BY_A_COMMAND.iter().any(|n| file == Path::new(n))
        })
        .map(|file| format!("results/{}", file.display()))
        .collect();
    assert!(
        orphans.is_empty(),
        "committed results that no command of tests/reference_results.rs makes: {}",
        orphans.join(", ")
    );
}
