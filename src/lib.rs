//! buffersim: Monte Carlo disruption simulator for inventory buffers.
//!
//! The crate is built in layers, each in its own folder, each using only the layers below it
//! (ARCHITECTURE.md draws the plan; `tests/layers.rs` checks it):
//!
//! 1. [`foundation`] — mathematics, random streams, statistics, day distributions;
//! 2. [`model`] — the scenario file and the validated domain: demand, suppliers, disruptions,
//!    policies sized for every item;
//! 3. [`simulation`] — the engine and the streaming accumulators;
//! 4. [`results`] — the summary of a simulation as data, its files, read back;
//! 5. [`presentation`] — terminal tables, charts, the HTML and Markdown report;
//! 6. [`analysis`] (comparisons, sweeps, stress tests, optimisation, chosen runs traced day by
//!    day) and [`profile`] (from ERP history to a scenario);
//! 7. [`cli`] — the commands, a thin layer over the rest.
// The public API is what the CLI, the tests and the benchmarks use, and all of it is
// documented; everything else is `pub(crate)`. CI turns these warnings into errors.
#![warn(unreachable_pub, missing_docs)]
// The API docs are built with private items (`cargo doc --document-private-items`, as CI
// does), so public docs may link to the crate-private items that explain them.
#![allow(rustdoc::private_intra_doc_links)]

pub mod analysis;
pub mod cli;
pub mod foundation;
pub mod model;
pub mod presentation;
pub mod profile;
pub mod results;
pub mod simulation;
