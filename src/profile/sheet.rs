//! Inputs given as spreadsheet workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) rather than CSV.
//!
//! Planners keep their history in Excel; asking them to save each sheet as CSV first is one
//! step too many, and a workbook given where a CSV was expected is the most common input
//! mistake. A workbook is read into the same [`Table`] a CSV file gives, so every check and
//! message after this point is the same: rows are numbered as the spreadsheet numbers them
//! (the header is row 1, like line 1 of a CSV file), and the file is named `book.xlsx:sheet`.
//!
//! Which sheet: the one named after a colon (`history.xlsx:Demand`); else the sheet named after
//! the input (`demand`, `deliveries` or `items`, compared without case, spaces or
//! underscores); else the first sheet. A demand workbook that also holds `deliveries` and
//! `items` sheets supplies them when they are not given ([`InputFiles::with_workbook_sheets`]).
//!
//! Cells become the text a CSV export would hold: numbers as plain decimals (whole numbers
//! without a decimal point), dates as `YYYY-MM-DD` (a time of day is dropped: history is daily
//! or weekly), errors such as `#N/A` as written, which the readers then refuse with the row
//! and column.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, open_workbook_auto};

use super::InputFiles;
use super::csv::{InputError, Row, Table, normalise};

/// Read the input `role` (`demand`, `deliveries`, `items`) from `path`: a workbook's sheet
/// ([`SheetSource`]) or a CSV file; `example` is a header shown when it is empty.
pub(crate) fn read_table(path: &Path, role: &str, example: &str) -> Result<Table, InputError> {
    match SheetSource::of(path) {
        Some(workbook) => workbook.read(role, example),
        None => Table::read(path, example),
    }
}

/// File extensions read as workbooks.
const WORKBOOK_EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xlsb", "xls", "ods"];

/// A workbook named as an input, and the sheet asked for after a colon, if any.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SheetSource {
    file: PathBuf,
    sheet: Option<String>,
}

impl SheetSource {
    /// The workbook `path` names (`book.xlsx` or `book.xlsx:Sheet`), or `None` when it names
    /// another kind of file.
    pub(crate) fn of(path: &Path) -> Option<SheetSource> {
        let text = path.to_str()?;
        WORKBOOK_EXTENSIONS.iter().find_map(|ext| {
            let lower = text.to_ascii_lowercase();
            let dot_ext = format!(".{ext}");
            if lower.ends_with(&dot_ext) {
                return Some(SheetSource {
                    file: path.to_path_buf(),
                    sheet: None,
                });
            }
            let at = lower.rfind(&format!("{dot_ext}:"))? + dot_ext.len();
            Some(SheetSource {
                file: PathBuf::from(&text[..at]),
                sheet: Some(text[at + 1..].to_string()),
            })
        })
    }

    /// Read the sheet for the input `role` (`demand`, `deliveries`, `items`) into a table.
    pub(crate) fn read(&self, role: &str, example: &str) -> Result<Table, InputError> {
        let mut workbook = open_workbook_auto(&self.file).map_err(|e| InputError::Read {
            path: self.file.clone(),
            cause: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        })?;
        let names = workbook.sheet_names();
        let name = self.pick(&names, role)?;
        let shown = PathBuf::from(format!("{}:{name}", self.file.display()));
        let range = workbook
            .worksheet_range(&name)
            .map_err(|e| InputError::Read {
                path: shown.clone(),
                cause: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            })?;
        let first_row = range.start().map_or(0, |(row, _)| row as usize);
        let first_col = range.start().map_or(0, |(_, col)| col as usize);
        let mut rows = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                // Cells left of the used range are empty: keep columns where they are.
                let mut texts = vec![String::new(); first_col];
                texts.extend(cells.iter().map(cell_text));
                Row {
                    line: first_row + i + 1,
                    cells: texts,
                }
            })
            .filter(|row| row.cells.iter().any(|c| !c.trim().is_empty()));
        let header = rows.next().ok_or_else(|| InputError::Empty {
            path: shown.clone(),
            example: example.to_string(),
        })?;
        Ok(Table {
            path: shown,
            header: header.cells.iter().map(|h| h.trim().to_string()).collect(),
            rows: rows.collect(),
        })
    }

    /// The sheet to read: the one asked for, else the one named after the input, else the
    /// first.
    fn pick(&self, names: &[String], role: &str) -> Result<String, InputError> {
        let listed = || {
            names
                .iter()
                .map(|n| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.sheet {
            Some(wanted) => names
                .iter()
                .find(|n| *n == wanted || normalise(n) == normalise(wanted))
                .cloned()
                .ok_or_else(|| InputError::Nothing {
                    path: self.file.clone(),
                    what: format!("sheet '{wanted}' (its sheets: {})", listed()),
                }),
            None => names
                .iter()
                .find(|n| normalise(n) == role)
                .or_else(|| names.first())
                .cloned()
                .ok_or_else(|| InputError::Nothing {
                    path: self.file.clone(),
                    what: "sheets".to_string(),
                }),
        }
    }

    /// Whether the workbook has a sheet named after the input `role`.
    fn has_sheet(&self, role: &str) -> bool {
        open_workbook_auto(&self.file)
            .map(|w| w.sheet_names().iter().any(|n| normalise(n) == role))
            .unwrap_or(false)
    }
}

impl InputFiles {
    /// These inputs, with deliveries and items taken from the demand workbook's sheets of
    /// those names when they are not given on their own.
    pub(crate) fn with_workbook_sheets(&self) -> InputFiles {
        let mut files = self.clone();
        let Some(source) = SheetSource::of(&self.demand).filter(|s| s.sheet.is_none()) else {
            return files;
        };
        let sheet = |role: &str| {
            source
                .has_sheet(role)
                .then(|| PathBuf::from(format!("{}:{role}", source.file.display())))
        };
        files.deliveries = files.deliveries.or_else(|| sheet("deliveries"));
        files.items = files.items.or_else(|| sheet("items"));
        files
    }
}

/// A cell as a CSV export would hold it.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{d:02}")
        }
        Data::DateTime(dt) => number_text(dt.as_f64()),
        Data::Error(e) => e.to_string(),
    }
}

/// A number as plain decimal text: whole numbers without a decimal point, others as the
/// shortest text that reads back as the same number.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workbook_paths_name_their_sheet_after_a_colon() {
        assert_eq!(SheetSource::of(Path::new("history.csv")), None);
        assert_eq!(
            SheetSource::of(Path::new("data/History.XLSX")),
            Some(SheetSource {
                file: PathBuf::from("data/History.XLSX"),
                sheet: None
            })
        );
        assert_eq!(
            SheetSource::of(Path::new("data/history.xlsx:Sales 2024")),
            Some(SheetSource {
                file: PathBuf::from("data/history.xlsx"),
                sheet: Some("Sales 2024".to_string())
            })
        );
    }

    #[test]
    fn cells_read_as_a_csv_export_would_write_them() {
        assert_eq!(cell_text(&Data::Float(12.0)), "12");
        assert_eq!(cell_text(&Data::Float(0.1)), "0.1");
        assert_eq!(cell_text(&Data::Float(1e21)), "1000000000000000000000");
        assert_eq!(cell_text(&Data::Int(-3)), "-3");
        let date =
            calamine::ExcelDateTime::new(45_658.75, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&Data::DateTime(date)), "2025-01-01");
    }
}
