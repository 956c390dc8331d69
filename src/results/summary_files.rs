//! The files a summary is written as: summary.json, summary.csv, on_hand.csv and summary.xlsx,
//! added to a command's results together.

use crate::results::files::FileSet;
use crate::results::summary::Summary;
use crate::results::workbook::{WorkbookError, summary_workbook};

/// The files of a summary, as a command adds them to its results.
pub(crate) const SUMMARY_FILES: [&str; 4] =
    ["summary.json", "summary.csv", "on_hand.csv", "summary.xlsx"];

/// Add summary.json, summary.csv, on_hand.csv and summary.xlsx to `files`.
pub(crate) fn add_summary(summary: &Summary, files: &mut FileSet) -> Result<(), WorkbookError> {
    let contents = [
        summary.to_json().into_bytes(),
        summary.to_csv().into_bytes(),
        summary.on_hand_csv().into_bytes(),
        summary_workbook(summary)?,
    ];
    for (name, bytes) in SUMMARY_FILES.into_iter().zip(contents) {
        files.add(name, bytes);
    }
    Ok(())
}
