//! A small CSV reader for ERP exports, and the errors that point at a file, a line and a column.
//!
//! Inputs are simple (a header row, then one record per line), so a hand-written reader is
//! enough: fields may be double-quoted (`""` inside quotes is a quote), the delimiter is a comma,
//! or a semicolon or tab when the header has those and no comma (spreadsheets in many locales
//! export that way), a UTF-8 byte-order mark is skipped, and blank lines are passed over.
//! Column names are matched without regard to case, spaces, hyphens or underscores.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::foundation::text::{TextError, read_text};

/// Most row problems listed in one error; the rest are counted.
const MAX_LISTED_PROBLEMS: usize = 20;

/// A CSV file read into memory: the header and the records with their line numbers.
#[derive(Debug)]
pub(crate) struct Table {
    pub path: PathBuf,
    /// Column names as written in the header.
    pub(crate) header: Vec<String>,
    pub rows: Vec<Row>,
}

/// One record and the line it came from (1 = the header).
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub line: usize,
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `index`, trimmed; empty when the row is short.
    pub(crate) fn cell(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", |c| c.trim())
    }
}

/// Why an input file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The file could not be read.
    #[error("cannot read '{}': {cause}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error reading it.
        cause: std::io::Error,
    },
    /// The file is not UTF-8 text: a workbook given where its CSV export was meant, or text
    /// saved in another encoding.
    #[error(
        "'{}' {what}: give it as a CSV text file (in a spreadsheet: Save As, \"CSV UTF-8\"), or a \
         workbook under its own name (.xlsx, .xls, .ods)",
        path.display()
    )]
    NotText {
        /// The file.
        path: PathBuf,
        /// What it is instead, as words completing "'file' …".
        what: String,
    },
    /// The file has no header line.
    #[error("'{}' is empty: its first line must name the columns, e.g. `{example}`", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
        /// A header line the file could have, to show the expected columns.
        example: String,
    },
    /// A required column is not in the header.
    #[error(
        "'{}' has no {wanted} column (accepted names: {accepted}); its columns are: {found}",
        path.display()
    )]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column wanted, quoted.
        wanted: String,
        /// The names accepted for it, comma-separated.
        accepted: String,
        /// The header's columns as written.
        found: String,
    },
    /// Cells that cannot be read (not a number, not a date, …), every one listed with its line
    /// and column.
    #[error("'{}' has {} bad row{}:\n{}{}", path.display(), problems.len() + more,
        if problems.len() + more == 1 { "" } else { "s" },
        problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"),
        if *more > 0 { format!("\n  … and {more} more") } else { String::new() })]
    Rows {
        /// The file.
        path: PathBuf,
        /// The first problems found (at most 20), in file order.
        problems: Vec<RowProblem>,
        /// How many more were found and not listed.
        more: usize,
    },
    /// The file has nothing usable, e.g. no demand rows.
    #[error("'{}' has no {what}", path.display())]
    Nothing {
        /// The file.
        path: PathBuf,
        /// What it lacks, as a phrase completing "has no …".
        what: String,
    },
}

/// What is wrong with one cell.
#[derive(Debug, Clone, PartialEq)]
pub struct RowProblem {
    /// Line of the file, counting from 1.
    pub line: usize,
    /// The column as the header names it, or `(header)` / `(record)` for a problem of the
    /// whole line.
    pub column: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column '{}': {}",
            self.line, self.column, self.message
        )
    }
}

/// Row problems of one file, collected so that all of them are reported at once.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    listed: Vec<RowProblem>,
    more: usize,
}

impl Problems {
    pub(crate) fn push(&mut self, problem: RowProblem) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    /// Record the problem of a cell that failed to parse, if it did.
    pub(crate) fn check<T>(&mut self, result: Result<T, RowProblem>) -> Option<T> {
        result.map_err(|p| self.push(p)).ok()
    }

    /// `Ok` when nothing was wrong, else every problem as one error for `path`.
    pub(crate) fn into_result(self, path: &Path) -> Result<(), InputError> {
        if self.listed.is_empty() {
            Ok(())
        } else {
            Err(InputError::Rows {
                path: path.to_path_buf(),
                problems: self.listed,
                more: self.more,
            })
        }
    }
}

/// A column the reader looks for: what it is called in messages and the names it accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Column {
    pub name: &'static str,
    pub(crate) aliases: &'static [&'static str],
}

impl Column {
    pub(crate) const fn new(name: &'static str, aliases: &'static [&'static str]) -> Column {
        Column { name, aliases }
    }
}

impl Table {
    /// Read the CSV file `path`; `example` is a header shown when it is empty.
    pub(crate) fn read(path: &Path, example: &str) -> Result<Table, InputError> {
        let text = read_text(path).map_err(|e| match e {
            TextError::Io(cause) => InputError::Read {
                path: path.to_path_buf(),
                cause,
            },
            TextError::NotText(what) => InputError::NotText {
                path: path.to_path_buf(),
                what: what.to_string(),
            },
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
            .filter(|(_, l)| !l.trim().is_empty());
        let empty = || InputError::Empty {
            path: path.to_path_buf(),
            example: example.to_string(),
        };
        let (header_line, header_text) = lines.next().ok_or_else(empty)?;
        let delimiter = delimiter_of(header_text);
        let mut problems = Problems::default();
        let header = split_record(header_text, delimiter).unwrap_or_else(|message| {
            problems.push(RowProblem {
                line: header_line,
                column: "(header)".into(),
                message,
            });
            Vec::new()
        });
        let mut rows = Vec::new();
        for (line, record) in lines {
            match split_record(record, delimiter) {
                Ok(mut cells) => {
                    // Cells beyond the header's: empty ones (a trailing delimiter) are dropped;
                    // a value there shifted the row (`…,1,000` would read as quantity 1).
                    let width = header.len().max(1);
                    if cells.len() > width {
                        let extra: Vec<&str> = cells[width..]
                            .iter()
                            .map(|c| c.trim())
                            .filter(|c| !c.is_empty())
                            .collect();
                        if !extra.is_empty() {
                            problems.push(RowProblem {
                                line,
                                column: "(record)".into(),
                                message: format!(
                                    "has {} cells but the header names {width} columns (extra: \
                                     '{}'): a thousands separator such as 1,000 or a delimiter \
                                     inside an unquoted value; write 1000, or quote the value",
                                    cells.len(),
                                    extra.join("', '")
                                ),
                            });
                            continue;
                        }
                        cells.truncate(width);
                    }
                    rows.push(Row { line, cells });
                }
                Err(message) => problems.push(RowProblem {
                    line,
                    column: "(record)".into(),
                    message,
                }),
            }
        }
        problems.into_result(path)?;
        Ok(Table {
            path: path.to_path_buf(),
            header: header.into_iter().map(|h| h.trim().to_string()).collect(),
            rows,
        })
    }

    /// The file name, for messages.
    pub(crate) fn file_name(&self) -> String {
        file_name(&self.path)
    }

    /// Index of the column, if the header has it.
    pub(crate) fn find(&self, column: Column) -> Option<usize> {
        self.header.iter().position(|h| {
            let h = normalise(h);
            column.aliases.iter().any(|a| normalise(a) == h)
        })
    }

    /// Index of a column the file must have.
    pub(crate) fn require(&self, column: Column) -> Result<usize, InputError> {
        self.find(column).ok_or_else(|| InputError::MissingColumn {
            path: self.path.clone(),
            wanted: format!("'{}'", column.name),
            accepted: column.aliases.join(", "),
            found: if self.header.is_empty() {
                "(none)".into()
            } else {
                self.header.join(", ")
            },
        })
    }
}

/// The file name of `path`, for messages that should stay short.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// `Unit Cost`, `unit-cost` and `unit_cost` are the same column.
pub(crate) fn normalise(name: &str) -> String {
    name.trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '"'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Comma, unless the header has none and has semicolons or tabs.
fn delimiter_of(header: &str) -> char {
    if header.contains(',') {
        ','
    } else if header.contains(';') {
        ';'
    } else if header.contains('\t') {
        '\t'
    } else {
        ','
    }
}

/// Split one record into fields, honouring double quotes.
fn split_record(line: &str, delimiter: char) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, _) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, c) if c == delimiter => fields.push(std::mem::take(&mut field)),
            (false, _) => field.push(c),
        }
    }
    if quoted {
        return Err("a quoted field is not closed (fields cannot span lines)".into());
    }
    fields.push(field);
    Ok(fields)
}

/// A number of units or money in a cell: plain decimal notation, finite.
pub(crate) fn parse_number(cell: &str) -> Option<f64> {
    cell.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .filter(|_| !cell.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_keep_delimiters_and_quotes() {
        assert_eq!(
            split_record(r#"a,"b,c","say ""hi""",,"#, ',').unwrap(),
            vec!["a", "b,c", "say \"hi\"", "", ""]
        );
        assert!(split_record(r#"a,"open"#, ',').is_err());
    }

    #[test]
    fn column_names_match_loosely() {
        let table = Table {
            path: "x.csv".into(),
            header: vec!["Date".into(), "Unit Cost".into()],
            rows: Vec::new(),
        };
        let cost = Column {
            name: "unit_cost",
            aliases: &["unit_cost"],
        };
        assert_eq!(table.find(cost), Some(1));
        let err = table
            .require(Column {
                name: "item",
                aliases: &["item", "sku"],
            })
            .unwrap_err()
            .to_string();
        assert!(err.contains("no 'item' column"), "{err}");
        assert!(err.contains("Date, Unit Cost"), "{err}");
    }

    #[test]
    fn semicolons_are_detected() {
        assert_eq!(delimiter_of("date;item;quantity"), ';');
        assert_eq!(delimiter_of("date,item"), ',');
    }

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(parse_number(" 12.5 "), Some(12.5));
        assert_eq!(parse_number("-3"), Some(-3.0));
        for bad in ["", "abc", "NaN", "inf", "1,5"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
