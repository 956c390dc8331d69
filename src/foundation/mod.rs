//! The foundation: mathematics, random streams, statistics and day distributions that know
//! nothing of inventory. Everything above builds on it; it uses nothing else in the crate.
pub mod days;
pub mod format;
pub mod math;
pub mod normal;
pub mod rng;
pub mod stats;
pub mod vector;
