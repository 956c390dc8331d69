//! The results: the summary of a simulation as data, written to summary.json and summary.csv
//! and read back, the plain records that analyses add to it (what precision control achieved,
//! why each buffer is what it is), traced runs day by day (`trace-run-N.csv`), and the files
//! of a results folder. Uses the simulation and below; the presentation and the analyses build
//! on it.
pub(crate) mod files;
pub mod inputs;
pub(crate) mod justification;
pub mod partial;
pub mod per_run;
pub(crate) mod precision;
pub mod saved;
pub mod summary;
pub(crate) mod summary_files;
pub mod targets;
pub mod trace;
pub(crate) mod workbook;
