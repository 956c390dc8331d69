//! The presentation: what people read — the terminal table, `validate`'s description, the
//! charts and the HTML and Markdown report. Draws from the results and never from the analyses
//! that produced them.
pub mod charts;
pub mod describe;
pub mod format;
pub mod report;
pub mod table;
