//! The presentation: what people read — the terminal table, what fits a terminal (`terminal`),
//! `validate`'s description, the charts and the HTML and Markdown report, and what a trace
//! says about its runs. Draws from the results and never from the analyses that produced them.
pub mod charts;
pub mod describe;
pub mod format;
pub mod report;
pub mod table;
pub(crate) mod terminal;
pub(crate) mod trace;
