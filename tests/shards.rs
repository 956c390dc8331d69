//! Shards (issue 25): a simulation cut into parts simulated apart, by other processes and on
//! other thread counts, merges into exactly the results of one machine; `merge` refuses what
//! is not one simulation's parts, covering every run once.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use buffersim::analysis::compare::Comparison;
use buffersim::analysis::shards::{Job, Merged, merge, simulate_shard};
use buffersim::model::scenario::Scenario;
use buffersim::results::partial::{PARTIAL_FILE, Shard};
use buffersim::results::summary::Summary;
use buffersim::simulation::engine::{self, CHUNK_RUNS, Part};

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

const SCENARIO: &str = "scenarios/kanban-vs-jic.toml";

fn scenario() -> Scenario {
    Scenario::load(Path::new(SCENARIO)).unwrap()
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// The summary.json of one simulation of `runs` runs on `threads` threads.
fn plain_summary(scenario: &Scenario, runs: u64, seed: u64, threads: usize) -> String {
    let outcome = pool(threads).install(|| engine::simulate(scenario, runs, seed, &|_| {}));
    Summary::new(scenario, &outcome).to_json()
}

/// Write each shard of `shards` of a run of `runs` runs into a folder of its own under `dir`,
/// each on a thread count of its own; the folders.
fn write_shards(
    scenario: &Scenario,
    runs: u64,
    seed: u64,
    shards: u64,
    dir: &Path,
) -> Vec<PathBuf> {
    (1..=shards)
        .map(|index| {
            let threads = 1 + (index as usize % 3);
            let shard = Shard {
                index,
                count: shards,
            };
            let result = pool(threads)
                .install(|| simulate_shard(scenario, &Job::Run, (seed, runs), shard, &|_| {}))
                .unwrap();
            let folder = dir.join(format!("shard-{index}-of-{shards}"));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(PARTIAL_FILE), result.file).unwrap();
            folder
        })
        .collect()
}

#[test]
fn issue_25_one_seven_and_sixty_four_shards_give_the_summary_of_one_machine() {
    let scenario = scenario();
    // 70 chunks, the last one cut short: 64 shards get one or two chunks each.
    let runs = 69 * CHUNK_RUNS + 17;
    let seed = 11;
    let expected = plain_summary(&scenario, runs, seed, 2);
    assert_eq!(expected, plain_summary(&scenario, runs, seed, 1));
    for shards in [1, 7, 64] {
        let dir = tempfile::tempdir().unwrap();
        let mut folders = write_shards(&scenario, runs, seed, shards, dir.path());
        // Given in any order.
        folders.reverse();
        folders.rotate_left(shards as usize / 3);
        let merged = merge(&folders, None).unwrap();
        assert_eq!(merged.origin.runs, runs);
        let Merged::Run(outcome) = &merged.merged else {
            panic!("partials of `run` merge into a run");
        };
        let summary = Summary::new(&merged.scenario, outcome).to_json();
        assert!(summary == expected, "{shards} shards: summary.json differs");
    }
}

/// SplitMix64, for the random splits.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below
    }
}

/// Random splits of the runs into chunk-aligned parts, each simulated on a random thread count
/// and merged in a random order, give the figures of one simulation bit for bit: the summary,
/// and with a baseline the paired comparison.
#[test]
fn issue_25_random_splits_and_thread_counts_merge_exactly() {
    let scenario = scenario();
    let runs = 12 * CHUNK_RUNS + 5;
    let chunks = runs.div_ceil(CHUNK_RUNS);
    let seed = 3;
    let expected = plain_summary(&scenario, runs, seed, 1);
    let compared = |outcome: &engine::Outcome| Comparison::new(&scenario, outcome).to_json();
    let expected_comparison = compared(
        &pool(1)
            .install(|| {
                buffersim::analysis::simulate_plan(
                    &scenario,
                    &buffersim::analysis::RunPlan::fixed(runs, seed),
                    Some(0),
                    &|_| {},
                )
            })
            .0,
    );
    let mut rng = SplitMix(2025);
    for case in 0..8 {
        // Cut points between chunks, each chunk boundary cut with probability ½.
        let mut cuts = vec![0];
        cuts.extend((1..chunks).filter(|_| rng.next(2) == 0));
        cuts.push(chunks);
        let baseline = (case % 2 == 1).then_some(0);
        let mut parts: Vec<Part> = cuts
            .windows(2)
            .map(|w| {
                let part = w[0] * CHUNK_RUNS..(w[1] * CHUNK_RUNS).min(runs);
                let threads = 1 + rng.next(3) as usize;
                pool(threads).install(|| {
                    engine::simulate_part(&scenario, seed, baseline, (part, runs), &|_| {})
                })
            })
            .collect();
        // Through the encoding of a partial-result file, as between machines.
        parts = parts
            .iter()
            .map(|p| postcard::from_bytes(&postcard::to_stdvec(p).unwrap()).unwrap())
            .collect();
        let mut order = Vec::new();
        while !parts.is_empty() {
            let at = rng.next(parts.len() as u64) as usize;
            order.push(parts.swap_remove(at));
        }
        let mut merge = engine::Merge::new(&scenario, seed, baseline);
        order.iter().for_each(|part| merge.add(part));
        let outcome = merge.finish(runs);
        let cut_at = format!("case {case}, cut at chunks {cuts:?}");
        assert!(
            Summary::new(&scenario, &outcome).to_json() == expected,
            "{cut_at}: summary differs"
        );
        if baseline.is_some() {
            assert!(
                compared(&outcome) == expected_comparison,
                "{cut_at}: comparison differs"
            );
        }
    }
}

/// What the command line does: shards in processes of their own, merged into the files of a
/// plain run (summary, CSV, on-hand distribution, workbook, and the report and its charts)
/// and, for `compare`, of a plain comparison; a shard run again writes the same partial.
#[test]
fn issue_25_shards_from_the_command_line_merge_into_a_plain_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (command, files, report) in [
        (
            "run",
            &[
                "summary.json",
                "summary.csv",
                "on_hand.csv",
                "summary.xlsx",
                "report.html",
                "report.md",
                "charts/stockout-rate.svg",
            ][..],
            &["--report"][..],
        ),
        ("compare", &["compare.json", "compare.csv"][..], &[][..]),
    ] {
        let shard_dir = |k: u64| d.join(format!("{command}-{k}"));
        for k in 1..=3 {
            buffersim()
                .args(["--quiet", command, SCENARIO, "--runs", "300", "--seed", "5"])
                .args(["--threads", &k.to_string(), "--shard", &format!("{k}/3")])
                .arg("--out")
                .arg(shard_dir(k))
                .assert()
                .success();
        }
        let first = std::fs::read(shard_dir(1).join(PARTIAL_FILE)).unwrap();
        buffersim()
            .args(["--quiet", command, SCENARIO, "--runs", "300", "--seed", "5"])
            .args(["--threads", "2", "--shard", "1/3", "--out"])
            .arg(shard_dir(1))
            .assert()
            .success();
        assert_eq!(
            std::fs::read(shard_dir(1).join(PARTIAL_FILE)).unwrap(),
            first,
            "{command}: a shard run again writes the same partial"
        );
        let merged = d.join(format!("{command}-merged"));
        buffersim()
            .arg("merge")
            .arg(shard_dir(3))
            .arg(shard_dir(1).join(PARTIAL_FILE))
            .arg(shard_dir(2))
            .args(report)
            .arg("--out")
            .arg(&merged)
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "merged 3 partial results of 300 runs",
            ));
        let plain = d.join(format!("{command}-plain"));
        buffersim()
            .args(["--quiet", command, SCENARIO, "--runs", "300", "--seed", "5"])
            .args(report)
            .arg("--out")
            .arg(&plain)
            .assert()
            .success();
        for file in files {
            assert!(
                std::fs::read(merged.join(file)).unwrap()
                    == std::fs::read(plain.join(file)).unwrap(),
                "{command}: {file} of the merge differs from the plain run's"
            );
        }
    }
}

/// Three shards of 300 runs of the example in `dir`: the folders.
fn three_shards(dir: &Path, seed: &str) -> Vec<PathBuf> {
    (1..=3)
        .map(|k| {
            let out = dir.join(format!("s{seed}-{k}"));
            buffersim()
                .args(["--quiet", "run", SCENARIO, "--runs", "300", "--seed", seed])
                .args(["--shard", &format!("{k}/3"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect()
}

/// `merge` on `parts`: fails with exit code 2 and a message holding every one of `expected`.
fn refused(parts: &[PathBuf], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let output = buffersim()
        .arg("merge")
        .args(parts)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "merge must fail with code 2");
    let stderr = String::from_utf8_lossy(&output.stderr);
    for e in expected {
        assert!(stderr.contains(e), "expected '{e}' in:\n{stderr}");
    }
    assert!(
        !dir.path().join("merged").join("summary.json").exists(),
        "nothing is written"
    );
}

#[test]
fn issue_25_merge_refuses_gaps_overlaps_and_mismatches() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shards = three_shards(d, "5");
    // Shard 2 of 3 holds runs 64–191 (chunks 1 and 2 of 5).
    refused(
        &[shards[0].clone(), shards[2].clone()],
        &["runs 64–191 are missing: no partial holds them"],
    );
    refused(
        &[
            shards[0].clone(),
            shards[1].clone(),
            shards[1].clone(),
            shards[2].clone(),
        ],
        &["runs 64–191 are in two partials"],
    );
    refused(
        &[shards[0].clone(), shards[1].clone()],
        &["runs 192–299 are missing"],
    );
    // A partial of another buffersim version (its header edited as another version writes it).
    let other_version = d.join("other-version.bsim");
    let bytes = std::fs::read(shards[1].join(PARTIAL_FILE)).unwrap();
    let text = String::from_utf8_lossy(&bytes[..bytes.iter().position(|&b| b == b'\n').unwrap()])
        .replace(
            &format!(
                "\"program_version\":\"{}\"",
                buffersim::results::partial::program_version()
            ),
            "\"program_version\":\"0.0.1\"",
        );
    let mut edited = text.into_bytes();
    edited.extend_from_slice(&bytes[bytes.iter().position(|&b| b == b'\n').unwrap()..]);
    std::fs::write(&other_version, edited).unwrap();
    refused(
        &[shards[0].clone(), other_version, shards[2].clone()],
        &["in program version: 0.0.1 instead of"],
    );
    let other_seed = three_shards(d, "6");
    refused(
        &[shards[0].clone(), other_seed[1].clone(), shards[2].clone()],
        &["differs from", "in seed: 6 instead of 5"],
    );
    // A folder without a partial, and a file that is not one.
    refused(&[d.to_path_buf()], &["holds no partial result"]);
    let not_partial = d.join("notes.txt");
    std::fs::write(&not_partial, "{\"format\": \"something else\"}\n").unwrap();
    refused(&[not_partial], &["is not a complete partial result"]);
}

#[test]
fn issue_25_merge_names_a_partial_cut_short_or_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shards = three_shards(d, "5");
    let bytes = std::fs::read(shards[1].join(PARTIAL_FILE)).unwrap();
    let cut = d.join("cut.bsim");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    refused(
        &[shards[0].clone(), cut, shards[2].clone()],
        &["is cut short", "run shard 2/3 again"],
    );
    let mut damaged = bytes.clone();
    let last = damaged.len() - 10;
    damaged[last] ^= 0x40;
    let damaged_file = d.join("damaged.bsim");
    std::fs::write(&damaged_file, damaged).unwrap();
    refused(
        &[shards[0].clone(), damaged_file, shards[2].clone()],
        &["is damaged: its checksum does not match"],
    );
    // Cut inside the header line.
    let header_cut = d.join("header-cut.bsim");
    std::fs::write(&header_cut, &bytes[..40]).unwrap();
    refused(&[header_cut], &["is not a complete partial result"]);
}

#[test]
fn issue_25_merge_refuses_a_scenario_edited_since_the_shards_ran() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let copy = d.join("scenario.toml");
    // With a results folder of its own, which is resolved against the scenario's folder.
    let text = std::fs::read_to_string(SCENARIO)
        .unwrap()
        .replace("seed = 7\n", "seed = 7\nresults = \"out\"\n");
    assert!(text.contains("results = \"out\""));
    std::fs::write(&copy, &text).unwrap();
    let shards: Vec<PathBuf> = (1..=2)
        .map(|k| {
            let out = d.join(format!("s{k}"));
            buffersim()
                .args(["--quiet", "run"])
                .arg(&copy)
                .args(["--runs", "100", "--shard", &format!("{k}/2"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    std::fs::write(&copy, text.replace("seed = 7", "seed = 8")).unwrap();
    refused(
        &shards,
        &["is not the one the shards simulated", "fingerprint"],
    );
    // The scenario as it was, given in another folder (its results folder, relative to it,
    // moves with it), merges.
    std::fs::create_dir(d.join("elsewhere")).unwrap();
    let elsewhere = d.join("elsewhere/scenario.toml");
    std::fs::write(&elsewhere, &text).unwrap();
    buffersim()
        .arg("--quiet")
        .arg("merge")
        .args(&shards)
        .arg("--scenario")
        .arg(&elsewhere)
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
}

#[test]
fn issue_25_shard_options_are_checked() {
    for (args, expected) in [
        (&["--shard", "0/3"][..], "--shard must be K/N"),
        (&["--shard", "4/3"][..], "--shard must be K/N"),
        (&["--shard", "two"][..], "--shard must be K/N"),
        (
            &["--shard", "1/2", "--precision", "0.01"][..],
            "--shard and --precision",
        ),
        (
            &["--shard", "1/2", "--report"][..],
            "give --report to `buffersim merge`",
        ),
        (
            &["--shard", "1/2", "--per-run", "x.csv"][..],
            "--shard and --per-run",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let output = buffersim()
            .args(["run", SCENARIO, "--runs", "100"])
            .args(args)
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // More shards than chunks: the shards beyond the runs are empty, and still merge.
    let dir = tempfile::tempdir().unwrap();
    let folders: Vec<PathBuf> = (1..=4)
        .map(|k| {
            let out = dir.path().join(format!("s{k}"));
            buffersim()
                .args(["--quiet", "run", SCENARIO, "--runs", "100", "--shard"])
                .arg(format!("{k}/4"))
                .arg("--out")
                .arg(&out)
                .assert()
                .success();
            out
        })
        .collect();
    buffersim()
        .arg("--quiet")
        .arg("merge")
        .args(&folders)
        .arg("--out")
        .arg(dir.path().join("merged"))
        .assert()
        .success();
    let plain = dir.path().join("plain");
    buffersim()
        .args(["--quiet", "run", SCENARIO, "--runs", "100", "--out"])
        .arg(&plain)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("merged/summary.json")).unwrap(),
        std::fs::read(plain.join("summary.json")).unwrap()
    );
}

/// A sweep split over shards merges into the sweep's own results: every grid point's figures,
/// the CSV and the charts' data.
#[test]
fn issue_25_a_sweep_split_over_shards_merges_into_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sweep = |extra: &[&str], out: &Path| {
        buffersim()
            .args(["--quiet", "sweep", SCENARIO, "--runs", "200", "--seed", "9"])
            .args(["--vary", "policy.kanban.safety_factor=0..1:3"])
            .args(extra)
            .arg("--out")
            .arg(out)
            .assert()
            .success();
    };
    let shards: Vec<PathBuf> = (1..=3)
        .map(|k| {
            let out = d.join(format!("s{k}"));
            sweep(&["--shard", &format!("{k}/3"), "--threads", "1"], &out);
            out
        })
        .collect();
    buffersim()
        .arg("--quiet")
        .arg("merge")
        .args(shards.iter().rev())
        .arg("--out")
        .arg(d.join("merged"))
        .assert()
        .success();
    sweep(&[], &d.join("plain"));
    for file in ["sweep.json", "sweep.csv"] {
        assert!(
            std::fs::read(d.join("merged").join(file)).unwrap()
                == std::fs::read(d.join("plain").join(file)).unwrap(),
            "{file} of the merge differs from the sweep's"
        );
    }
    // Shards of another grid are not parts of this sweep.
    let other = d.join("other");
    buffersim()
        .args(["--quiet", "sweep", SCENARIO, "--runs", "200", "--seed", "9"])
        .args([
            "--vary",
            "policy.kanban.safety_factor=0..1:4",
            "--shard",
            "2/3",
        ])
        .arg("--out")
        .arg(&other)
        .assert()
        .success();
    refused(
        &[shards[0].clone(), other, shards[2].clone()],
        &["in the sweep's grid"],
    );
}
