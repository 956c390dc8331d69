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
    pub message: String,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario '{}': {cause}", path.display())]
    Read {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("invalid scenario '{}': {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}", invalid_message(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
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
