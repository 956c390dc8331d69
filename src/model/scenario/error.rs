//! Scenario errors: what is wrong, where (file, field, line), and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a scenario's values.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Dotted path of the field, e.g. `item[0].demand.normal.sd`.
    pub field: String,
    /// 1-based line of the field (or of its nearest enclosing table) where the format knows it.
    pub line: Option<usize>,
    /// What is wrong, with the value found and, where it helps, how to fix it.
    pub message: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read scenario '{}': {cause}", path.display())]
    Read {
        /// The scenario file.
        path: PathBuf,
        /// Why reading failed.
        cause: std::io::Error,
    },
    /// The file is not text: a spreadsheet, say, given where its scenario was meant.
    #[error("'{}' {what}: give a scenario in TOML or JSON (a .toml or .json text file)", path.display())]
    NotText {
        /// The scenario file.
        path: PathBuf,
        /// What it is instead, as words completing "'file' …".
        what: String,
    },
    /// The file is not valid TOML or JSON, or its shape is wrong: an unknown or misspelt
    /// field, a missing one, a value of the wrong type.
    #[error("invalid scenario '{}': {message}", path.display())]
    Syntax {
        /// The scenario file.
        path: PathBuf,
        /// The parser's message, with the line and column where it found the problem.
        message: String,
        /// The 1-based line where the parser found the problem, where it says.
        line: Option<usize>,
    },
    /// The file parses, but values break range or cross-field rules; every problem found is
    /// listed.
    #[error("{}", invalid_message(path, problems))]
    Invalid {
        /// The scenario file.
        path: PathBuf,
        /// Every problem found, in the order they were checked.
        problems: Vec<Problem>,
    },
}

impl ScenarioError {
    /// The scenario file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            ScenarioError::Read { path, .. }
            | ScenarioError::NotText { path, .. }
            | ScenarioError::Syntax { path, .. }
            | ScenarioError::Invalid { path, .. } => path,
        }
    }

    /// The problems as data, for those who handle errors in a program (the Python package):
    /// every problem of an invalid scenario; the one problem of a file that does not parse,
    /// with its line and no field; none when the file could not be read.
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            ScenarioError::Read { .. } | ScenarioError::NotText { .. } => Vec::new(),
            ScenarioError::Syntax { message, line, .. } => vec![Problem {
                field: String::new(),
                line: *line,
                message: message.clone(),
            }],
            ScenarioError::Invalid { problems, .. } => problems.clone(),
        }
    }
}

fn invalid_message(path: &std::path::Path, problems: &[Problem]) -> String {
    let mut out = String::new();
    let count = match problems.len() {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    out.push_str(&format!("invalid scenario '{}' ({count}):", path.display()));
    for p in problems {
        out.push_str("\n  ");
        out.push_str(&p.to_string());
    }
    out
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}: {}", self.field, self.message),
            None => write!(f, "{}: {}", self.field, self.message),
        }
    }
}
