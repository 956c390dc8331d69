//! Data notes: what the profile did about messy input (duplicates, returns, unsorted rows,
//! unknown items…). Every one names the file and row and says what was done, so nothing is
//! dropped silently; they are printed as warnings and listed in profile.md.

use std::collections::BTreeMap;
use std::fmt;

/// Rows listed one by one for each kind of note; the rest of that kind are counted.
const MAX_ROWS_PER_KIND: usize = 10;

/// One thing the profile noticed in the data and what it did about it.
#[derive(Debug, Clone, PartialEq)]
pub struct DataNote {
    /// File name (not the full path), or empty for notes about the data as a whole.
    pub file: String,
    /// Line of the file (1 = the header), when the note is about one row.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DataNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.is_empty(), self.line) {
            (true, _) => write!(f, "{}", self.message),
            (false, Some(line)) => write!(f, "{} line {line}: {}", self.file, self.message),
            (false, None) => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Collects notes, listing at most a few rows of each kind per file and counting the rest.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    notes: Vec<DataNote>,
    /// (file, kind) → (rows listed, rows counted beyond that, what was done).
    kinds: BTreeMap<(String, &'static str), (usize, usize)>,
}

impl Notes {
    /// A note about one row (or, without a line, one item); `kind` groups notes of the same
    /// sort for the cap on how many are listed.
    pub(crate) fn row(
        &mut self,
        kind: &'static str,
        file: &str,
        line: impl Into<Option<usize>>,
        message: impl Into<String>,
    ) {
        let entry = self.kinds.entry((file.to_string(), kind)).or_default();
        if entry.0 < MAX_ROWS_PER_KIND {
            entry.0 += 1;
            self.notes.push(DataNote {
                file: file.to_string(),
                line: line.into(),
                message: message.into(),
            });
        } else {
            entry.1 += 1;
        }
    }

    /// A note about a whole file (`file` may be empty for the data as a whole).
    pub(crate) fn general(&mut self, file: &str, message: impl Into<String>) {
        self.notes.push(DataNote {
            file: file.to_string(),
            line: None,
            message: message.into(),
        });
    }

    /// Every note, with a count of the rows of each kind that were not listed.
    pub(crate) fn finish(mut self) -> Vec<DataNote> {
        for ((file, kind), (_, more)) in &self.kinds {
            if *more > 0 {
                self.notes.push(DataNote {
                    file: file.clone(),
                    line: None,
                    message: format!(
                        "{more} more rows like that ({kind}), handled the same way; not listed"
                    ),
                });
            }
        }
        self.notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_beyond_the_cap_are_counted_not_lost() {
        let mut notes = Notes::default();
        for line in 2..30 {
            notes.row("return", "demand.csv", line, "a return");
        }
        notes.general("", "whole data");
        let all = notes.finish();
        assert_eq!(all.len(), MAX_ROWS_PER_KIND + 2);
        assert_eq!(all[0].to_string(), "demand.csv line 2: a return");
        assert!(all.last().unwrap().message.starts_with("18 more rows"));
    }
}
