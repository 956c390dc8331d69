//! The model: what a scenario file says (its shapes, read with every problem collected) and
//! the validated domain it becomes — items and their demand, suppliers, disruptions, and the
//! policies sized for every item. Uses only the foundation.
pub mod budget;
pub mod demand;
pub mod disruption;
pub mod levels;
pub(crate) mod limits;
pub mod metric;
pub mod policy;
pub(crate) mod raw;
pub mod resize;
pub mod scenario;
pub mod supply;
pub mod target;
