//! The files of a results folder: written atomically, checked for writability before a long
//! simulation, and encoded the same way everywhere (pretty JSON ending in a line break, CSV
//! fields quoted only where needed).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::foundation::stats::Interval;

/// A result as pretty-printed JSON ending in a line break, as every JSON file is written.
pub(crate) fn json_text<T: Serialize>(value: &T) -> String {
    // Results are plain data (strings, numbers, lists, maps with string keys), which always
    // serialise; non-finite numbers come out as `null`.
    let mut json = serde_json::to_string_pretty(value).expect("results are plain data");
    json.push('\n');
    json
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

/// Write `contents` to `path` atomically: a temporary file beside it, synced, then renamed.
pub(crate) fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let fail = |cause| WriteError {
        path: path.to_path_buf(),
        cause,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|cause| WriteError {
        path: dir.to_path_buf(),
        cause,
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Make sure results can be written to `dir` before spending time on a simulation.
pub(crate) fn check_writable(dir: &Path) -> Result<(), WriteError> {
    write_atomic(&dir.join(".buffersim-write-check"), b"")?;
    std::fs::remove_file(dir.join(".buffersim-write-check")).map_err(|cause| WriteError {
        path: dir.to_path_buf(),
        cause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
