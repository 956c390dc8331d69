//! The simulation: the engine that plays out runs (chunks, the ordered merge, the daily loop
//! run by run and over lanes, a run replayed alone) and the streaming accumulators of what each
//! run amounted to; what the daily loop can report about each day (`trace`), and the worst
//! runs by a metric, kept while runs stream past (`worst`). Uses the model and the foundation.
pub mod engine;
pub mod metrics;
pub mod per_run;
pub mod supplier_metrics;
pub mod supply_paths;
pub mod trace;
pub mod worst;
