//! Issue 24, items 1 and 5: the memory `buffersim run` takes is bounded by what it simulates,
//! not by its output files. Measured as the peak resident memory of the command run as a
//! subprocess (not as a time), on a generated catalogue.

#[path = "support/catalogue.rs"]
mod catalogue;

/// The peak resident memory, in KiB, of `buffersim` run with `args` to its end, and whether it
/// succeeded: `wait4` hands back the finished child's resource usage, `ru_maxrss` its
/// high-water mark of resident memory (KiB on Linux). Exact, whatever happens in the child's
/// last milliseconds, which polling `/proc` could miss.
#[cfg(target_os = "linux")]
fn peak_kib(args: &[&std::ffi::OsStr]) -> (i64, bool) {
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_buffersim"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("cannot start buffersim");
    let pid = i32::try_from(child.id()).expect("a process id");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills; the child is ours and not yet waited
    // for (the `Child` handle, dropped below, never waits for it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    drop(child);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (usage.ru_maxrss, ok)
}

/// 300 items under 20 policies at 2 runs, 6,000 item-policies: about a second, in a debug
/// build as in a release one. Before the summary files were written as they are made and the
/// final accumulators kept to what they need (issue 24, item 1), the command peaked at 890 MB
/// here (the summary's files built whole in memory, a workbook with a row per item, policy and
/// metric among them, and the on-hand fans' counts); since, at 130 MB (release and debug
/// builds alike). The bound of 300 MB leaves room for allocators and platforms to differ, and
/// fails well before the old growth: a change that builds the files whole again, or gives
/// every item-policy kilobytes it does not need, costs hundreds of megabytes here.
#[cfg(target_os = "linux")]
#[test]
fn issue_24_a_catalogue_run_stays_within_its_memory_bound() {
    const BOUND_MIB: i64 = 300;
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("catalogue.toml");
    std::fs::write(&scenario, catalogue::catalogue_toml(300, 20, 2)).unwrap();
    let out = dir.path().join("out");
    let (peak, ok) = peak_kib(&[
        "--quiet".as_ref(),
        "run".as_ref(),
        scenario.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(ok, "buffersim run failed");
    assert!(
        out.join("summary.json").is_file() && out.join("summary.xlsx").is_file(),
        "the run wrote its files"
    );
    assert!(
        peak <= BOUND_MIB * 1024,
        "peak resident memory {} MiB, above the bound of {BOUND_MIB} MiB",
        peak / 1024
    );
}

/// Writes a generated catalogue for measuring by hand (docs/performance.md, "Memory"):
/// `CATALOGUE=FILE ITEMS=1000 POLICIES=20 cargo test --test memory -- --ignored write_catalogue`.
#[test]
#[ignore = "writes a catalogue for measuring by hand"]
fn write_catalogue() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("set {name}"));
    let items: usize = var("ITEMS").parse().expect("ITEMS is a number");
    let policies: usize = var("POLICIES").parse().expect("POLICIES is a number");
    std::fs::write(
        var("CATALOGUE"),
        catalogue::catalogue_toml(items, policies, 64),
    )
    .expect("cannot write the catalogue");
}
