//! Reading a file that should be text (a scenario, a CSV export), and saying what it is when it
//! is not: a spreadsheet workbook given where its CSV export was meant is the usual case, and
//! "stream did not contain valid UTF-8" does not tell a planner that.

use std::fmt;
use std::path::Path;

/// Why a file could not be read as text.
#[derive(Debug)]
pub(crate) enum TextError {
    /// The file could not be read at all (missing, unreadable).
    Io(std::io::Error),
    /// The file was read, but is not UTF-8 text.
    NotText(NotText),
}

/// What a file that is not UTF-8 text looks like, for the message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NotText {
    /// A file whose first bytes say what it is: words completing "'file' …".
    Known(&'static str),
    /// A binary file of no kind recognised.
    Binary,
    /// Text in an encoding other than UTF-8: the first line with a byte that is not UTF-8.
    OtherEncoding {
        /// 1-based line of the first byte that is not UTF-8.
        line: usize,
    },
}

impl fmt::Display for NotText {
    /// Words completing "'file' …".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotText::Known(what) => f.write_str(what),
            NotText::Binary => f.write_str("is not a text file"),
            NotText::OtherEncoding { line } => write!(
                f,
                "is not UTF-8 text (line {line} has a character in another encoding)"
            ),
        }
    }
}

/// The contents of `path` as text.
pub(crate) fn read_text(path: &Path) -> Result<String, TextError> {
    let bytes = std::fs::read(path).map_err(TextError::Io)?;
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        TextError::NotText(classify(bytes, e.utf8_error().valid_up_to()))
    })
}

/// What bytes that are not UTF-8 (the first bad one at `bad`) look like.
fn classify(bytes: &[u8], bad: usize) -> NotText {
    const SIGNATURES: [(&[u8], &str); 5] = [
        (
            b"PK\x03\x04",
            "is a spreadsheet workbook (.xlsx, .ods) or another zip archive, not a text file",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
            "is an Excel 97-2003 workbook (.xls), not a text file",
        ),
        (b"%PDF", "is a PDF document, not a text file"),
        (
            b"\xFF\xFE",
            "is UTF-16 text (as Excel's \"Unicode Text\" saves it), not UTF-8",
        ),
        (b"\xFE\xFF", "is UTF-16 text, not UTF-8"),
    ];
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return NotText::Known(what);
    }
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return NotText::Binary;
    }
    NotText::OtherEncoding {
        line: bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_what_a_file_that_is_not_text_looks_like() {
        let zip = b"PK\x03\x04\x14\x00\x06\x00\xff";
        assert_eq!(
            classify(zip, 8).to_string(),
            "is a spreadsheet workbook (.xlsx, .ods) or another zip archive, not a text file"
        );
        assert_eq!(classify(b"a\0\xff", 2), NotText::Binary);
        assert_eq!(
            classify(b"id,name\n1,caf\xe9\n", 12),
            NotText::OtherEncoding { line: 2 }
        );
    }
}
