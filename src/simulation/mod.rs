//! The simulation: the engine that plays out runs (chunks, the ordered merge, the daily loop
//! run by run and over lanes) and the streaming accumulators of what each run amounted to.
//! Uses the model and the foundation.
pub mod engine;
pub mod metrics;
pub mod supply_paths;
