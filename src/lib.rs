//! buffersim: Monte Carlo disruption simulator for inventory buffers.
pub mod charts;
pub mod cli;
pub mod days;
pub mod demand;
pub mod disruption;
pub mod document;
pub mod engine;
pub mod math;
pub mod metrics;
pub mod normal;
pub mod policy;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod stats;
pub mod supply;
