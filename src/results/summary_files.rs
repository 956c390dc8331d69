//! The files a summary is written as: summary.json, summary.csv, on_hand.csv and summary.xlsx,
//! added to a command's results together.

use std::rc::Rc;

use crate::results::files::FileSet;
use crate::results::summary::Summary;
use crate::results::workbook::{WorkbookError, summary_workbook};

/// The files of a summary, as a command adds them to its results.
pub(crate) const SUMMARY_FILES: [&str; 4] =
    ["summary.json", "summary.csv", "on_hand.csv", "summary.xlsx"];

/// Add summary.json, summary.csv, on_hand.csv and summary.xlsx to `files`.
///
/// The text files are written when the set is committed, straight into its staging folder
/// (issue 24, item 1): the summary of 1,000 items under 20 policies is a 150 MB summary.json
/// and a 50 MB summary.csv, which built as strings first doubled the memory a run took.
/// The summary is shared with the writers, which run when `files` is committed.
pub(crate) fn add_summary(summary: &Rc<Summary>, files: &mut FileSet) -> Result<(), WorkbookError> {
    let [json, csv, on_hand, workbook] = SUMMARY_FILES;
    let s = Rc::clone(summary);
    files.add_written(json, move |out| s.write_json(out));
    let s = Rc::clone(summary);
    files.add_written(csv, move |out| s.write_csv(out));
    let s = Rc::clone(summary);
    files.add_written(on_hand, move |out| s.write_on_hand_csv(out));
    files.add(workbook, summary_workbook(summary)?);
    Ok(())
}
