//! buffersim: Monte Carlo disruption simulator for inventory buffers.
pub mod math;
pub mod rng;
