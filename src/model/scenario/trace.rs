//! Demand traces: one column of a CSV file of daily history, replayed day by day.

use std::path::Path;

use crate::foundation::text::{TextError, read_text};
use crate::model::limits::QUANTITY;

/// Read the numeric column `column` of the CSV file at `path` (first row: column names).
/// Messages name the file, the line and what is wrong.
pub(super) fn read_column(path: &Path, column: &str) -> Result<Vec<f64>, String> {
    let text = read_text(path).map_err(|e| match e {
        TextError::Io(e) => format!("cannot read trace file '{}': {e}", path.display()),
        TextError::NotText(what) => format!(
            "trace file '{}' {what}: give the demand history as a CSV text file (UTF-8)",
            path.display()
        ),
    })?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(format!("trace file '{}' is empty", path.display()));
    };
    let names: Vec<&str> = header
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .collect();
    let Some(index) = names.iter().position(|&n| n == column) else {
        return Err(format!(
            "trace file '{}' has no column '{column}'; its columns are: {}",
            path.display(),
            names.join(", ")
        ));
    };
    let mut values = Vec::new();
    for (line_no, line) in lines {
        let cell = line
            .split(',')
            .nth(index)
            .map(|s| s.trim().trim_matches('"'))
            .unwrap_or("");
        match cell.parse::<f64>() {
            Ok(v) if QUANTITY.check(v).is_ok() => values.push(v),
            _ => {
                return Err(format!(
                    "trace file '{}' line {}: column '{column}' must hold a demand {} (got '{cell}')",
                    path.display(),
                    line_no + 1,
                    QUANTITY.allowed()
                ));
            }
        }
    }
    Ok(values)
}
