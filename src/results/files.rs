//! The files of a results folder: replaced as a whole, checked for writability before a long
//! simulation, and encoded the same way everywhere (pretty JSON ending in a line break, CSV
//! fields quoted only where needed).
//!
//! # A command's files are replaced as a whole
//!
//! A command's result is several files that belong together: `run` writes summary.json,
//! summary.csv and on_hand.csv, and with `--report` the charts, report.html and report.md drawn
//! from them. Writing each file atomically is not enough: a command stopped between two renames
//! (`kill -9`, a power cut) leaves a folder with some files of the new result and some of the
//! old, each whole and each wrong beside the others. So a command gathers its files in a
//! [`FileSet`] and commits them together:
//!
//! 1. it takes the folder's lock ([`FolderLock`], `DIR/.buffersim.lock`), so that commands
//!    writing into one folder at the same time take turns;
//! 2. it recovers the folder from any earlier command that was interrupted (below);
//! 3. it writes every file into a staging folder inside the results folder,
//!    `DIR/.buffersim-staging-PID-N/`, and syncs them to disk;
//! 4. it writes the journal (the files to put in place, and the command's own earlier files
//!    to remove) into the staging folder, atomically: from then on the new result is complete
//!    on disk, and any later command can finish putting it in place;
//! 5. it renames each staged file into place, removes the files listed, and then removes the
//!    journal and the staging folder.
//!
//! A commit notes which of its files were there before ([`Committed::replaced`]) and, for the
//! file the command names ([`FileSet::describe_by`]), what that file said: a command whose
//! files replace an earlier result of its own says so, with the earlier result's parameters,
//! seed and runs (issue 22, item 7), rather than replacing a planner's earlier run in silence.
//!
//! Recovery runs at the start of every commit, in the writability check before a simulation,
//! and before `buffersim report` reads a folder, always under the lock. A staging folder with a
//! journal is rolled forward: the renames and removals that remain are done (each step can be
//! done twice without harm, so recovery interrupted in turn is recovered the same way). A
//! staging folder without one is deleted: its command stopped before its result was complete,
//! and had not touched the folder's files yet. The `.NAME.PID.tmp` files that the per-file
//! writer of earlier versions could leave behind are deleted too. So after any interruption,
//! the next command that touches the folder leaves it with the old result or the new one, whole,
//! and no temporary files.
//!
//! Why not a temporary folder beside the results folder, renamed over it when complete? A
//! results folder is shared: `run` and `compare` both write into `results/<scenario>/`, and
//! `sweep`, `stress` and `optimize` keep their own subfolders in it. Renaming a folder replaces
//! everything in it (and POSIX refuses to rename a folder over a non-empty one), so the unit
//! that can be swapped is one command's set of files, not the folder; the journal makes that
//! set's renames a single step for every later command. Why not a manifest written last that
//! readers check? Every reader would have to know it (a person opening report.html does not),
//! and the old files would be gone before the new ones were complete. A reader that does not
//! take the lock may still see the few milliseconds of renames half done; buffersim's own
//! readers wait for the lock.

use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::foundation::stats::Interval;

/// A result as pretty-printed JSON ending in a line break, as every JSON file is written.
pub(crate) fn json_text<T: Serialize>(value: &T) -> String {
    // Results are plain data (strings, numbers, lists, maps with string keys), which always
    // serialise; non-finite numbers come out as `null`.
    let mut json = serde_json::to_string_pretty(value).expect("results are plain data");
    json.push('\n');
    json
}

/// Write `value` to `out` as [`json_text`] gives it, as it is serialised: the text of a large
/// result is never held whole.
pub(crate) fn write_json_text<T: Serialize>(
    out: &mut dyn std::io::Write,
    value: &T,
) -> std::io::Result<()> {
    // `serde_json::to_writer_pretty` writes exactly what `to_string_pretty` returns; an error
    // can only be the writer's.
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    out.write_all(b"\n")
}

/// The text a writer of a result writes (into memory, where it always succeeds).
pub(crate) fn text_of(
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> String {
    let mut bytes = Vec::new();
    write(&mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("results are written as UTF-8")
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The two ends of a confidence interval as CSV fields, "low,high"; both empty where no
/// interval could be computed (a single run).
pub(crate) fn csv_interval(interval: Option<Interval>) -> String {
    interval.map_or_else(|| ",".to_string(), |i| format!("{},{}", i.low, i.high))
}

/// An optional figure as a CSV field: empty where there is none.
pub(crate) fn optional<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write results to '{}': {cause}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub(crate) cause: std::io::Error,
}

impl WriteError {
    fn new(path: &Path, cause: std::io::Error) -> WriteError {
        WriteError {
            path: path.to_path_buf(),
            cause,
        }
    }
}

/// The lock file of a results folder, held while a command recovers, reads or replaces it.
const LOCK_NAME: &str = ".buffersim.lock";

/// Staging folders are named `.buffersim-staging-PID-N`.
const STAGING_PREFIX: &str = ".buffersim-staging-";

/// The journal in a staging folder; its presence marks the staging as complete.
const JOURNAL_NAME: &str = "journal";

/// What the writability check of earlier versions wrote, and removed unless interrupted.
const OLD_WRITE_CHECK: &str = ".buffersim-write-check";

/// The subfolder commands write into, besides the folder itself. Recovery looks for stale
/// temporary files there too, but never in the subfolders of other commands (`sweep/`,
/// `stress-*/`, `optimize-*/`): those are recovered by the commands that write them.
const SUBFOLDERS: [&str; 1] = ["charts"];

/// Staging folders made by this process so far, so that each has a name of its own.
static STAGINGS: AtomicU64 = AtomicU64::new(0);

/// The files one command writes into a results folder, committed together by
/// [`FileSet::commit`]: after it returns, or after an interruption once the next command has
/// recovered the folder, the folder holds all of them or, untouched, the files it held before.
///
/// Besides the files it writes, a command names its own files that an earlier result may have
/// left and this one does not make ([`FileSet::retire`]): the chart of a second item when the
/// scenario now has one, or the report of an earlier `run --report` after a `run` without
/// `--report`, which would otherwise describe a summary.json that is gone. They are removed in
/// the same commit. Files of other commands, and other commands' subfolders, are never touched.
///
/// A file may be given as the bytes it holds ([`FileSet::add`]) or as what writes them
/// ([`FileSet::add_written`]): the summary of a large catalogue is hundreds of megabytes, and
/// written straight into the staging folder, item by item, it is never held in memory whole.
#[derive(Debug)]
pub(crate) struct FileSet<'a> {
    dir: PathBuf,
    /// Each file's name in the folder (`summary.json`, `charts/on-hand.svg`) and its contents,
    /// in the order they were added.
    files: Vec<(String, Contents<'a>)>,
    /// Files the command owns that are removed unless `files` holds them.
    retired: Vec<String>,
    /// Tests of the names of files the command owns that cannot be listed in advance (the
    /// traces of earlier runs): the folder's files they accept are retired as well.
    retired_matching: Vec<fn(&str) -> bool>,
    /// The file whose earlier contents describe an earlier result ([`FileSet::describe_by`]).
    main: Option<String>,
}

/// What writes a file's contents when its set is staged.
type Writer<'a> = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a>;

/// A file's contents in a [`FileSet`]: its bytes, or what writes them when the set is staged.
enum Contents<'a> {
    Bytes(Vec<u8>),
    Written(Writer<'a>),
}

impl std::fmt::Debug for Contents<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Contents::Bytes(bytes) => write!(f, "{} bytes", bytes.len()),
            Contents::Written(_) => f.write_str("written when staged"),
        }
    }
}

/// What a commit did: the files written, in the order they were added, those of them that
/// replaced a file of the same name, the retired files that were there and are gone, and what
/// recovering the folder first took.
#[derive(Debug)]
pub(crate) struct Committed {
    dir: PathBuf,
    pub(crate) written: Vec<PathBuf>,
    /// The files written that the folder held before: an earlier result, now replaced.
    pub(crate) replaced: Vec<PathBuf>,
    pub(crate) removed: Vec<PathBuf>,
    pub(crate) recovery: Recovery,
    /// What the earlier result's main file said it was ([`FileSet::describe_by`]), if it was
    /// there and said.
    earlier: Option<String>,
}

impl Committed {
    /// What to tell the user on stderr: the notes of the recovery, then `wrote PATH` for each
    /// file written and `removed PATH` for each file removed.
    pub(crate) fn lines(&self) -> Vec<String> {
        let mut lines = self.recovery.notes();
        lines.extend(
            self.written
                .iter()
                .map(|p| format!("wrote {}", p.display())),
        );
        lines.extend(
            self.removed
                .iter()
                .map(|p| format!("removed {}", p.display())),
        );
        lines
    }

    /// "note: replaced the earlier results of `run` in 'results/x' (seed 7, 2,000 runs): 3
    /// files", when the commit replaced files of an earlier result; what the earlier result
    /// was comes from its main file ([`FileSet::describe_by`]): its parameters, seed and runs.
    /// A command writes its files as a whole and replaces its own earlier ones as a whole
    /// (the module documentation); this says so, rather than replacing them in silence.
    pub(crate) fn replaced_note(&self, command: &str) -> Option<String> {
        if self.replaced.is_empty() {
            return None;
        }
        let what = self
            .earlier
            .as_deref()
            .map_or_else(String::new, |d| format!(" ({d})"));
        let n = self.replaced.len();
        Some(format!(
            "note: replaced the earlier results of `{command}` in '{}'{what}: {n} file{}",
            self.dir.display(),
            if n == 1 { "" } else { "s" }
        ))
    }
}

/// The parameters, seed and runs of an earlier result, read from its main JSON file `json`: the
/// fields every result file names the same way (`param` or the `param` of each of `axes`,
/// `seed`, `runs` or the `runs` of its first grid point). Nothing when the file says none.
/// Read as it streams past, since a catalogue's summary.json is many megabytes.
fn describe_earlier(json: &Path) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        param: String,
    }
    #[derive(Deserialize)]
    struct Point {
        runs: u64,
    }
    #[derive(Deserialize)]
    struct Head {
        param: Option<String>,
        axes: Option<Vec<Named>>,
        seed: Option<u64>,
        runs: Option<u64>,
        points: Option<Vec<Point>>,
    }
    let file = std::io::BufReader::with_capacity(1 << 16, std::fs::File::open(json).ok()?);
    let head: Head = serde_json::from_reader(file).ok()?;
    let mut parts: Vec<String> = head.param.into_iter().collect();
    if let Some(axes) = head.axes {
        let params: Vec<String> = axes.into_iter().map(|a| a.param).collect();
        parts.push(params.join(" × "));
    }
    if let Some(seed) = head.seed {
        parts.push(format!("seed {seed}"));
    }
    let runs = head
        .runs
        .or_else(|| head.points.and_then(|p| p.first().map(|p| p.runs)));
    if let Some(runs) = runs {
        parts.push(format!(
            "{} run{}",
            crate::foundation::format::group_thousands(runs as f64, 0),
            if runs == 1 { "" } else { "s" }
        ));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

impl<'a> FileSet<'a> {
    /// An empty set of files for the results folder `dir`.
    pub(crate) fn new(dir: &Path) -> FileSet<'a> {
        FileSet {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            retired: Vec::new(),
            retired_matching: Vec::new(),
            main: None,
        }
    }

    /// Name the file whose earlier contents, if the commit replaces it, say what the earlier
    /// result was ([`Committed::replaced_note`]): `summary.json` for a run, `sweep.json` for a
    /// sweep.
    pub(crate) fn describe_by(&mut self, name: impl Into<String>) {
        self.main = Some(name.into());
    }

    /// Add the file `name` (relative to the folder, `/` between folders) with `contents`; a
    /// name added again replaces its contents.
    pub(crate) fn add(&mut self, name: impl Into<String>, contents: impl Into<Vec<u8>>) {
        self.put(name.into(), Contents::Bytes(contents.into()));
    }

    /// Add the file `name` as [`FileSet::add`] does, its contents written by `write` into the
    /// staging folder when the set is committed (through a buffer; `write` need not buffer).
    pub(crate) fn add_written(
        &mut self,
        name: impl Into<String>,
        write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()> + 'a,
    ) {
        self.put(name.into(), Contents::Written(Box::new(write)));
    }

    fn put(&mut self, name: String, contents: Contents<'a>) {
        assert!(
            valid_name(&name),
            "not a file name in a results folder: {name}"
        );
        match self.files.iter_mut().find(|(n, _)| *n == name) {
            Some(file) => file.1 = contents,
            None => self.files.push((name, contents)),
        }
    }

    /// Remove the command's own file `name` in the same commit, unless the set adds it.
    pub(crate) fn retire(&mut self, name: impl Into<String>) {
        let name = name.into();
        assert!(
            valid_name(&name),
            "not a file name in a results folder: {name}"
        );
        if !self.retired.contains(&name) {
            self.retired.push(name);
        }
    }

    /// Remove, in the same commit, every file of the folder itself (not of its subfolders)
    /// whose name `owns` accepts, unless the set adds it: for a command whose earlier files
    /// have names it cannot know (`trace-run-N.csv` of the runs an earlier trace chose). The
    /// folder is read when the set is committed, under its lock, so a file another command
    /// wrote in the meantime is seen.
    pub(crate) fn retire_matching(&mut self, owns: fn(&str) -> bool) {
        self.retired_matching.push(owns);
    }

    /// Write the files into the folder (creating it if needed) as a whole, and remove the
    /// retired files that are there: under the folder's lock, after recovering it.
    pub(crate) fn commit(self) -> Result<Committed, WriteError> {
        let mut lock = FolderLock::create(&self.dir)?;
        self.commit_locked(&mut lock)
    }

    /// [`FileSet::commit`] under a lock already held (taken before reading the folder, as
    /// `buffersim report` does, so that no other command replaces what was read).
    pub(crate) fn commit_locked(self, lock: &mut FolderLock) -> Result<Committed, WriteError> {
        debug_assert_eq!(lock.dir, self.dir, "the lock of another folder");
        let recovery = std::mem::take(&mut lock.recovery);
        let dir = self.dir.clone();
        // Read under the lock, after recovery: what the folder holds now is what is replaced.
        let replaced: Vec<PathBuf> = self
            .files
            .iter()
            .map(|(name, _)| target(&self.dir, name))
            .filter(|path| std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()))
            .collect();
        let earlier = self
            .main
            .as_ref()
            .map(|name| target(&self.dir, name))
            .filter(|path| replaced.contains(path))
            .and_then(|path| describe_earlier(&path));
        let staged = self.stage()?;
        staged.apply()?;
        Ok(Committed {
            dir,
            written: staged.written,
            replaced,
            removed: staged.removed,
            recovery,
            earlier,
        })
    }

    /// Steps 3 and 4: every file written and synced in a fresh staging folder, then the
    /// journal. Without the journal nothing in the folder has changed, and an error removes
    /// the staging folder again.
    fn stage(self) -> Result<Staged, WriteError> {
        let n = STAGINGS.fetch_add(1, Ordering::Relaxed);
        let staging = self
            .dir
            .join(format!("{STAGING_PREFIX}{}-{n}", std::process::id()));
        std::fs::create_dir(&staging).map_err(|cause| WriteError::new(&self.dir, cause))?;
        let mut retired = self.retired.clone();
        if !self.retired_matching.is_empty() {
            let entries = std::fs::read_dir(&self.dir).map_err(|cause| {
                let _ = std::fs::remove_dir_all(&staging);
                WriteError::new(&self.dir, cause)
            })?;
            let mut matching: Vec<String> = entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| valid_name(name) && self.retired_matching.iter().any(|m| m(name)))
                .filter(|name| !retired.contains(name))
                .collect();
            // Listed in a fixed order, whatever order the folder lists them in.
            matching.sort();
            retired.extend(matching);
        }
        let journal = Journal {
            put: self.files.iter().map(|(name, _)| name.clone()).collect(),
            remove: retired
                .iter()
                .filter(|name| !self.files.iter().any(|(n, _)| n == *name))
                .filter(|name| {
                    std::fs::symlink_metadata(target(&self.dir, name)).is_ok_and(|m| m.is_file())
                })
                .cloned()
                .collect(),
        };
        let files = self.files;
        let written = (|| {
            for (k, (name, contents)) in files.into_iter().enumerate() {
                write_synced(&staging.join(k.to_string()), contents)
                    .map_err(|cause| WriteError::new(&target(&self.dir, &name), cause))?;
            }
            let fail = |cause| WriteError::new(&self.dir, cause);
            // The staged files' names must be on disk before the journal that promises them.
            sync_dir(&staging).map_err(fail)?;
            let text = serde_json::to_vec(&journal).expect("a journal is plain data");
            let tmp = staging.join(format!("{JOURNAL_NAME}.tmp"));
            write_synced(&tmp, Contents::Bytes(text)).map_err(fail)?;
            std::fs::rename(&tmp, staging.join(JOURNAL_NAME)).map_err(fail)?;
            sync_dir(&staging).map_err(fail)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        Ok(Staged {
            written: journal.put.iter().map(|n| target(&self.dir, n)).collect(),
            removed: journal
                .remove
                .iter()
                .map(|n| target(&self.dir, n))
                .collect(),
            dir: self.dir,
            staging,
            journal,
        })
    }
}

/// A staging folder with its journal: the new result, complete, not yet in place.
struct Staged {
    dir: PathBuf,
    staging: PathBuf,
    journal: Journal,
    written: Vec<PathBuf>,
    removed: Vec<PathBuf>,
}

impl Staged {
    /// Step 5.
    fn apply(&self) -> Result<(), WriteError> {
        roll_forward(&self.dir, &self.staging, &self.journal)
    }
}

/// What a staging folder's journal lists: the files to put in place, by name in the folder
/// (the staged copy of `put[k]` is the staging folder's file `k`), and the files to remove.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Journal {
    put: Vec<String>,
    remove: Vec<String>,
}

/// A name a results folder may hold: relative, `/` between folders, no `.` or `..` steps,
/// nothing of buffersim's own bookkeeping. Journals read back are held to it too, so that a
/// staging folder found in a folder from elsewhere cannot move or remove files outside it.
fn valid_name(name: &str) -> bool {
    !name.starts_with(".buffersim")
        && !name.contains('\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// The path of the file `name` in `dir`.
fn target(dir: &Path, name: &str) -> PathBuf {
    name.split('/')
        .fold(dir.to_path_buf(), |path, part| path.join(part))
}

/// Create `path`, write `contents` and sync them to disk.
fn write_synced(path: &Path, contents: Contents<'_>) -> std::io::Result<()> {
    let mut file = File::create_new(path)?;
    match contents {
        Contents::Bytes(bytes) => file.write_all(&bytes)?,
        Contents::Written(write) => {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut file);
            write(&mut buffered)?;
            buffered.flush()?;
        }
    }
    file.sync_all()
}

/// Make the names in `dir` (files created, renamed or removed) durable. A no-op where folders
/// cannot be opened as files (Windows), which makes renames durable by itself.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// Put a complete staging folder's files in place, remove the files its journal lists, then
/// remove the journal and the staging folder. Every step can be done again: a staged file
/// that is gone has been renamed into place already (files are staged before the journal is
/// written, and nothing else renames them), a file to remove that is gone has been removed.
fn roll_forward(dir: &Path, staging: &Path, journal: &Journal) -> Result<(), WriteError> {
    let mut touched = vec![dir.to_path_buf()];
    let mut touch = |path: &Path| {
        if let Some(parent) = path.parent()
            && !touched.iter().any(|t| t == parent)
        {
            touched.push(parent.to_path_buf());
        }
    };
    for (k, name) in journal.put.iter().enumerate() {
        let from = staging.join(k.to_string());
        let to = target(dir, name);
        let fail = |cause| WriteError::new(&to, cause);
        match std::fs::symlink_metadata(&from) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(fail(e)),
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(fail)?;
        }
        std::fs::rename(&from, &to).map_err(fail)?;
        touch(&to);
    }
    for name in &journal.remove {
        let path = target(dir, name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(cause) => return Err(WriteError::new(&path, cause)),
        }
        touch(&path);
    }
    // A subfolder the removals emptied (charts/ after a run without --report) goes too; one
    // that holds anything else stays.
    for sub in touched.iter().skip(1) {
        if sub
            .read_dir()
            .is_ok_and(|mut entries| entries.next().is_none())
        {
            let _ = std::fs::remove_dir(sub);
        }
    }
    for d in &touched {
        if d.is_dir() {
            sync_dir(d).map_err(|cause| WriteError::new(d, cause))?;
        }
    }
    let fail = |cause| WriteError::new(dir, cause);
    std::fs::remove_file(staging.join(JOURNAL_NAME)).map_err(fail)?;
    std::fs::remove_dir_all(staging).map_err(fail)?;
    // Once the staging folder is gone for good, the next command may replace these files;
    // a journal that came back after a power cut would undo that.
    sync_dir(dir).map_err(fail)
}

/// What recovering a results folder did.
#[derive(Debug, Default)]
pub(crate) struct Recovery {
    dir: PathBuf,
    /// Interrupted commits whose journal was found, finished.
    pub(crate) finished: usize,
    /// Interrupted commits without a journal, deleted.
    pub(crate) discarded: usize,
    /// Stale temporary files deleted.
    pub(crate) temporaries: usize,
}

impl Recovery {
    /// One note per kind of repair, for stderr.
    pub(crate) fn notes(&self) -> Vec<String> {
        let dir = self.dir.display();
        let mut notes = Vec::new();
        if self.finished > 0 {
            notes.push(format!(
                "note: finished putting in place the results an interrupted command had \
                 written completely to '{dir}'"
            ));
        }
        if self.discarded > 0 {
            notes.push(format!(
                "note: discarded the incomplete results of an interrupted command in '{dir}'; \
                 the results it held before are untouched"
            ));
        }
        if self.temporaries > 0 {
            notes.push(format!(
                "note: removed {} temporary file{} an interrupted command had left in '{dir}'",
                self.temporaries,
                if self.temporaries == 1 { "" } else { "s" }
            ));
        }
        notes
    }
}

/// A temporary file of the per-file writer of earlier versions, `.NAME.PID.tmp`, or its
/// writability check, `.buffersim-write-check`.
fn is_stale_temporary(name: &str) -> bool {
    if name == OLD_WRITE_CHECK {
        return true;
    }
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    inner.rsplit_once('.').is_some_and(|(file, pid)| {
        !file.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Recover `dir` from interrupted commands (see the module documentation). The caller holds
/// the folder's lock, so no staging folder found belongs to a command still at work.
fn recover(dir: &Path) -> Result<Recovery, WriteError> {
    let fail = |cause| WriteError::new(dir, cause);
    let mut recovery = Recovery {
        dir: dir.to_path_buf(),
        ..Recovery::default()
    };
    let mut stagings = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(fail)? {
        let entry = entry.map_err(fail)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let kind = entry.file_type().map_err(fail)?;
        if name.starts_with(STAGING_PREFIX) && kind.is_dir() {
            stagings.push(entry.path());
        } else if is_stale_temporary(name) && kind.is_file() {
            std::fs::remove_file(entry.path()).map_err(fail)?;
            recovery.temporaries += 1;
        }
    }
    for sub in SUBFOLDERS {
        let sub = dir.join(sub);
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for entry in entries {
            let entry = entry.map_err(fail)?;
            let stale = entry.file_name().to_str().is_some_and(is_stale_temporary);
            if stale && entry.file_type().map_err(fail)?.is_file() {
                std::fs::remove_file(entry.path()).map_err(fail)?;
                recovery.temporaries += 1;
            }
        }
    }
    // Only one staging folder can hold a journal (each commit recovers the folder first and
    // finishes before it lets go of the lock); in name order all the same.
    stagings.sort();
    for staging in stagings {
        let journal_path = staging.join(JOURNAL_NAME);
        match std::fs::read(&journal_path) {
            Ok(text) => {
                let journal = serde_json::from_slice::<Journal>(&text)
                    .ok()
                    .filter(|j| j.put.iter().chain(&j.remove).all(|n| valid_name(n)))
                    .ok_or_else(|| {
                        WriteError::new(
                            &journal_path,
                            std::io::Error::new(
                                std::io::ErrorKind::InvalidData,
                                "an interrupted command's journal is not one buffersim wrote; \
                                 look at its staging folder, then remove it",
                            ),
                        )
                    })?;
                roll_forward(dir, &staging, &journal)?;
                recovery.finished += 1;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::remove_dir_all(&staging).map_err(fail)?;
                recovery.discarded += 1;
            }
            Err(cause) => return Err(WriteError::new(&journal_path, cause)),
        }
    }
    if recovery.discarded + recovery.temporaries > 0 {
        sync_dir(dir).map_err(fail)?;
    }
    Ok(recovery)
}

/// The lock of a results folder: an exclusive lock on `DIR/.buffersim.lock`, held while a
/// command recovers, reads or replaces the folder's files, so that commands writing into one
/// folder take turns. Taking it recovers the folder.
///
/// The lock file is removed when the lock is let go, so that a results folder holds nothing of
/// buffersim's own (results are committed to version control and compared file by file with
/// fresh ones); one left by a killed command is removed by the next. Removing a lock file needs
/// care: a command that opened the file just before it was removed would lock a file no one
/// else can see any more. So after locking, [`FolderLock::create`] checks that the path still
/// names the file it locked, and starts again if not. (On Unix only; elsewhere an open file
/// cannot be removed, and the lock file stays.)
#[derive(Debug)]
pub(crate) struct FolderLock {
    dir: PathBuf,
    file: Option<File>,
    recovery: Recovery,
}

impl FolderLock {
    /// Lock `dir`, creating it if needed, and recover it.
    pub(crate) fn create(dir: &Path) -> Result<FolderLock, WriteError> {
        std::fs::create_dir_all(dir).map_err(|cause| WriteError::new(dir, cause))?;
        Self::lock(dir)
    }

    /// Lock `dir` and recover it if it is a folder; `None` if there is no such folder (a
    /// reader then says what is missing, rather than a lock that cannot be made).
    pub(crate) fn existing(dir: &Path) -> Result<Option<FolderLock>, WriteError> {
        if dir.is_dir() {
            Self::lock(dir).map(Some)
        } else {
            Ok(None)
        }
    }

    fn lock(dir: &Path) -> Result<FolderLock, WriteError> {
        let path = dir.join(LOCK_NAME);
        let fail = |cause| WriteError::new(&path, cause);
        let file = loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(fail)?;
            match file.lock() {
                Ok(()) => {}
                // A file system without locks: commands into one folder at the same time
                // are not kept apart there, but results can still be written and recovered.
                Err(e) if e.kind() == std::io::ErrorKind::Unsupported => break file,
                Err(e) => return Err(fail(e)),
            }
            if still_named(&file, &path).map_err(fail)? {
                break file;
            }
        };
        let mut lock = FolderLock {
            dir: dir.to_path_buf(),
            file: Some(file),
            recovery: Recovery::default(),
        };
        lock.recovery = recover(dir)?;
        Ok(lock)
    }

    /// Let go of the lock, removing the lock file; an error if it cannot be removed.
    fn release(mut self) -> Result<(), WriteError> {
        let path = self.dir.join(LOCK_NAME);
        let result = if cfg!(unix) {
            std::fs::remove_file(&path).map_err(|cause| WriteError::new(&path, cause))
        } else {
            Ok(())
        };
        self.file = None;
        result
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Remove the file while it is still locked: whoever waits for it then finds it gone
        // (see `still_named`) and makes a new one.
        if self.file.is_some() && cfg!(unix) {
            let _ = std::fs::remove_file(self.dir.join(LOCK_NAME));
        }
    }
}

/// Whether `path` still names the file `file` has open (not removed by the command that held
/// the lock before, nor replaced since).
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt as _;
    let open = file.metadata()?;
    match std::fs::metadata(path) {
        Ok(named) => Ok(named.dev() == open.dev() && named.ino() == open.ino()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Where lock files are never removed, the path always names the file locked.
#[cfg(not(unix))]
fn still_named(_file: &File, _path: &Path) -> std::io::Result<bool> {
    Ok(true)
}

/// Make sure results can be written to `dir` before spending time on a simulation: create it,
/// take its lock (which recovers it from an interrupted command) and let go of it again. The
/// lock file is made and removed, so the folder takes new files, and nothing is left behind.
pub(crate) fn check_writable(dir: &Path) -> Result<Recovery, WriteError> {
    let mut lock = FolderLock::create(dir)?;
    let recovery = std::mem::take(&mut lock.recovery);
    lock.release()?;
    Ok(recovery)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every entry below `dir` (folders end in `/`), sorted, with `/` between folders.
    fn entries(dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(dir.to_path_buf(), String::new())];
        while let Some((at, prefix)) = stack.pop() {
            for entry in std::fs::read_dir(&at).unwrap() {
                let entry = entry.unwrap();
                let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
                if entry.file_type().unwrap().is_dir() {
                    out.push(format!("{name}/"));
                    stack.push((entry.path(), format!("{name}/")));
                } else {
                    out.push(name);
                }
            }
        }
        out.sort();
        out
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(target(dir, name)).unwrap()
    }

    fn put(dir: &Path, name: &str, text: &str) {
        let path = target(dir, name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A run's files (summary and a report with `charts` charts), every text saying `which`.
    fn run_files(dir: &Path, which: &str, charts: usize) -> FileSet<'static> {
        let mut set = FileSet::new(dir);
        for name in ["summary.json", "summary.csv", "on_hand.csv"] {
            set.add(name, format!("{name} {which}"));
        }
        for name in ["report.html", "report.md", "charts/a.svg", "charts/b.svg"] {
            set.retire(name);
        }
        for name in ["charts/a.svg", "charts/b.svg"].iter().take(charts) {
            set.add(*name, format!("{name} {which}"));
        }
        if charts > 0 {
            set.add("report.html", format!("report.html {which}"));
            set.add("report.md", format!("report.md {which}"));
        }
        set
    }

    #[test]
    fn issue_18_item_17_a_commit_writes_every_file_and_leaves_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested").join("results");
        let committed = run_files(&out, "first", 2).commit().unwrap();
        assert_eq!(committed.written.len(), 7);
        assert_eq!(committed.written[0], out.join("summary.json"));
        assert!(committed.removed.is_empty());
        let committed = run_files(&out, "second", 2).commit().unwrap();
        assert!(committed.recovery.notes().is_empty());
        assert_eq!(
            entries(&out),
            [
                "charts/",
                "charts/a.svg",
                "charts/b.svg",
                "on_hand.csv",
                "report.html",
                "report.md",
                "summary.csv",
                "summary.json"
            ],
            "no staging folder, journal, lock or temporary file is left"
        );
        assert_eq!(read(&out, "charts/b.svg"), "charts/b.svg second");
        assert_eq!(read(&out, "summary.json"), "summary.json second");
    }

    /// Issue 22, item 4: a trace retires the traces of runs an earlier trace chose, found by
    /// name when it commits, and nothing else.
    #[test]
    fn files_retired_by_name_pattern_are_found_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        for name in ["old-7.csv", "old-9.csv", "keep.csv", "sub/old-1.csv"] {
            put(out, name, "earlier");
        }
        let mut set = FileSet::new(out);
        set.add("old-9.csv", "new");
        set.add("new.md", "new");
        set.retire_matching(|name| name.starts_with("old-"));
        let committed = set.commit().unwrap();
        assert_eq!(committed.removed, [out.join("old-7.csv")]);
        assert_eq!(
            entries(out),
            ["keep.csv", "new.md", "old-9.csv", "sub/", "sub/old-1.csv"]
        );
        assert_eq!(read(out, "old-9.csv"), "new");
    }

    #[test]
    fn issue_18_item_17_stale_own_files_go_and_other_commands_files_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        run_files(out, "with report", 2).commit().unwrap();
        put(out, "compare.json", "compare");
        put(out, "sweep/sweep.json", "sweep");
        put(out, "sweep/charts/a.svg", "a sweep chart of the same name");
        put(out, "stress-fire/stress.json", "stress");
        put(out, "optimize-jic/optimize.json", "optimize");

        // One chart fewer: the other goes, the report is rewritten.
        let committed = run_files(out, "one chart", 1).commit().unwrap();
        assert_eq!(committed.removed, [out.join("charts/b.svg")]);
        assert_eq!(read(out, "charts/a.svg"), "charts/a.svg one chart");

        // No report: the earlier report is gone with its charts (and the emptied charts/).
        let committed = run_files(out, "no report", 0).commit().unwrap();
        assert_eq!(
            committed.removed,
            [
                out.join("report.html"),
                out.join("report.md"),
                out.join("charts/a.svg")
            ]
        );
        assert!(
            committed
                .lines()
                .contains(&format!("removed {}", out.join("report.md").display()))
        );
        assert_eq!(
            entries(out),
            [
                "compare.json",
                "on_hand.csv",
                "optimize-jic/",
                "optimize-jic/optimize.json",
                "stress-fire/",
                "stress-fire/stress.json",
                "summary.csv",
                "summary.json",
                "sweep/",
                "sweep/charts/",
                "sweep/charts/a.svg",
                "sweep/sweep.json",
            ]
        );
        assert_eq!(
            read(out, "sweep/charts/a.svg"),
            "a sweep chart of the same name"
        );
        assert_eq!(read(out, "summary.csv"), "summary.csv no report");
    }

    #[test]
    fn issue_18_item_17_a_complete_staging_folder_is_rolled_forward() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        run_files(out, "old", 2).commit().unwrap();
        put(out, "compare.json", "compare");
        // Interrupted after the journal, before any rename: the lock is let go unused, as
        // when the process is killed.
        let lock = FolderLock::create(out).unwrap();
        let staged = run_files(out, "new", 1).stage().unwrap();
        drop(lock);
        assert_eq!(read(out, "summary.json"), "summary.json old");
        assert!(staged.staging.join(JOURNAL_NAME).is_file());

        let recovery = check_writable(out).unwrap();
        assert_eq!((recovery.finished, recovery.discarded), (1, 0));
        assert!(recovery.notes()[0].contains("finished putting in place"));
        assert_eq!(
            entries(out),
            [
                "charts/",
                "charts/a.svg",
                "compare.json",
                "on_hand.csv",
                "report.html",
                "report.md",
                "summary.csv",
                "summary.json"
            ]
        );
        for name in ["summary.json", "on_hand.csv", "charts/a.svg", "report.md"] {
            assert_eq!(read(out, name), format!("{name} new"));
        }
    }

    #[test]
    fn issue_18_item_17_a_roll_forward_interrupted_halfway_is_finished() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        run_files(out, "old", 2).commit().unwrap();
        let lock = FolderLock::create(out).unwrap();
        let staged = run_files(out, "new", 0).stage().unwrap();
        // Two renames done and one removal, then the process was killed.
        for k in 0..2 {
            let name = &staged.journal.put[k];
            std::fs::rename(staged.staging.join(k.to_string()), target(out, name)).unwrap();
        }
        std::fs::remove_file(out.join("report.html")).unwrap();
        drop(lock);
        assert_eq!(read(out, "summary.csv"), "summary.csv new");
        assert_eq!(read(out, "on_hand.csv"), "on_hand.csv old");

        // The next command's commit finishes it first.
        let mut set = FileSet::new(out);
        set.add("compare.json", "compare");
        let committed = set.commit().unwrap();
        assert_eq!(committed.recovery.finished, 1);
        assert_eq!(
            entries(out),
            ["compare.json", "on_hand.csv", "summary.csv", "summary.json"]
        );
        assert_eq!(read(out, "on_hand.csv"), "on_hand.csv new");
    }

    #[test]
    fn issue_18_item_17_incomplete_staging_and_stale_temporaries_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        run_files(out, "old", 2).commit().unwrap();
        // A command killed while staging: no journal yet.
        put(out, ".buffersim-staging-4242-0/0", "summary.json new");
        put(out, ".buffersim-staging-4242-0/journal.tmp", "{\"put\": [");
        // The per-file writer of earlier versions, killed before its rename.
        put(out, ".summary.json.123.tmp", "half a summary");
        put(out, "charts/.a.svg.77.tmp", "half a chart");
        put(out, ".buffersim-write-check", "");
        put(out, ".buffersim.lock", "");
        // Someone else's hidden files are left alone.
        put(out, ".notes.tmp", "mine");
        put(out, ".x.12a.tmp", "mine too");
        put(
            out,
            "sweep/.sweep.json.5.tmp",
            "the sweep's own, recovered by sweep",
        );

        let recovery = check_writable(out).unwrap();
        assert_eq!(
            (recovery.finished, recovery.discarded, recovery.temporaries),
            (0, 1, 3)
        );
        assert_eq!(recovery.notes().len(), 2);
        assert_eq!(
            entries(out),
            [
                ".notes.tmp",
                ".x.12a.tmp",
                "charts/",
                "charts/a.svg",
                "charts/b.svg",
                "on_hand.csv",
                "report.html",
                "report.md",
                "summary.csv",
                "summary.json",
                "sweep/",
                "sweep/.sweep.json.5.tmp",
            ]
        );
        assert_eq!(read(out, "summary.json"), "summary.json old");
    }

    #[test]
    fn issue_18_item_17_the_writability_check_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a").join("b");
        check_writable(&out).unwrap();
        assert!(out.is_dir());
        assert!(entries(&out).is_empty(), "{:?}", entries(&out));
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "").unwrap();
        assert!(check_writable(&blocker.join("results")).is_err());
    }

    #[test]
    fn issue_18_item_17_commits_into_one_folder_take_turns() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        let lock = FolderLock::create(&out).unwrap();
        let writer = {
            let out = out.clone();
            std::thread::spawn(move || run_files(&out, "other", 1).commit().unwrap())
        };
        std::thread::sleep(std::time::Duration::from_millis(200));
        assert!(
            !out.join("summary.json").exists(),
            "the other command waits for the lock"
        );
        drop(lock);
        writer.join().unwrap();
        assert_eq!(read(&out, "summary.json"), "summary.json other");

        // Many at once: each commit whole, the last one's files in the end.
        let writers: Vec<_> = (0..6)
            .map(|k| {
                let out = out.clone();
                std::thread::spawn(move || {
                    run_files(&out, &k.to_string(), k % 3).commit().unwrap();
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let which = read(&out, "summary.json").replace("summary.json ", "");
        let charts = which.parse::<usize>().unwrap() % 3;
        let mut expected = vec!["on_hand.csv", "summary.csv", "summary.json"];
        if charts > 0 {
            expected.extend(["charts/", "charts/a.svg", "report.html", "report.md"]);
        }
        if charts > 1 {
            expected.push("charts/b.svg");
        }
        expected.sort();
        assert_eq!(entries(&out), expected);
        for name in expected.iter().filter(|n| !n.ends_with('/')) {
            assert_eq!(read(&out, name), format!("{name} {which}"));
        }
    }

    #[test]
    fn issue_18_item_17_a_journal_cannot_reach_outside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("results");
        put(&out, "summary.json", "mine");
        put(dir.path(), "precious.txt", "keep");
        let journal = r#"{"put": ["../stolen.txt"], "remove": ["../precious.txt"]}"#;
        put(&out, ".buffersim-staging-1-0/0", "planted");
        put(&out, ".buffersim-staging-1-0/journal", journal);
        let err = check_writable(&out).unwrap_err();
        assert!(err.to_string().contains("journal"), "{err}");
        assert_eq!(read(dir.path(), "precious.txt"), "keep");
        assert!(!dir.path().join("stolen.txt").exists());
        assert!(!valid_name(".buffersim-staging-1-0/0"));
        assert!(!valid_name("/etc/passwd"));
        assert!(!valid_name("charts//a.svg"));
        assert!(valid_name("charts/a.svg"));
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
