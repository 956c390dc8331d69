//! The foundation: mathematics, random streams, statistics and day distributions that know
//! nothing of inventory. Everything above builds on it; it uses nothing else in the crate.
pub mod date;
pub mod days;
pub mod exact;
pub(crate) mod format;
pub mod math;
pub(crate) mod normal;
pub mod rng;
pub mod stats;
pub(crate) mod text;
pub(crate) mod vector;
