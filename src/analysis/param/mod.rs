//! One numeric field of a scenario, addressed by a path, read and changed.
//!
//! Sweeps (`buffersim sweep SCENARIO --vary PARAM=FROM..TO[:STEPS]`) and optimisation
//! (`--param PARAM`) change one number of a scenario and run it again. A PARAM names an entity,
//! then a field inside it:
//!
//! | PARAM | the field |
//! |---|---|
//! | `simulation.horizon_days` | `[simulation] horizon_days` |
//! | `policy.kanban.safety_factor` | `[policy.kanban.rule.kanban] safety_factor` |
//! | `policy.jic-95-rush.expedite.premium_rate` | `[policy.jic-95-rush.expedite] premium_rate` |
//! | `policy.hybrid.items.controller-board.safety_factor` | the item's own rule in that policy |
//! | `item.widget.demand.sd` | `demand = { normal = { mean, sd } }` of the `[[item]]` with `id = "widget"` |
//! | `supplier.acme.lead_time.mean` | the mean of the supplier's lead-time distribution |
//! | `disruption.port.rate_per_year` | `occurrence = { random = { rate_per_year, … } }` |
//! | `supplier.acme.min_order_value` | the value a day's order to the supplier must reach |
//! | `budget.monthly.amount` | the amount of the `[[budget]]` with `id = "monthly"` |
//!
//! **Entities.** `simulation` takes no id; `policy` takes a policy name; `item`, `supplier`,
//! `disruption` and `budget` take an `id` (the plural spellings the scenario format accepts,
//! `items`, `suppliers`, `disruptions`, `budgets`, `policies`, work too). An id with a dot in
//! it is quoted: `item."part.7".unit_cost`.
//!
//! **Field paths.** Every number of the entity has a full key path, e.g.
//! `occurrence.random.duration_days.uniform.min`. A PARAM's field names it when its segments
//! appear in that path in order and the last one is the field itself: keys before the first
//! segment may be left out, and between two segments only the key of a one-key table (the
//! variant of a choice: the `kanban` of `rule = { kanban = { … } }`, the `normal` of
//! `demand = { normal = { … } }`) may be. Exactly one field must match; when several do, the one
//! whose full path was written wins, so a full path always works. Errors list what is there.
//!
//! **Virtual `mean`.** A distribution with no `mean` of its own (lead times, lateness, event
//! durations, delays, demand, surge factors written as `fixed`, `deterministic`, `uniform`,
//! `triangular` or `empirical`) has a `mean` field all the same: reading it gives the
//! distribution's mean as written (before days are discretised), and setting it shifts the
//! distribution without changing its shape: the fixed value becomes the new one, both ends of a
//! uniform, all three points of a triangular and every value of an empirical list move by the
//! difference.
//!
//! **Whole numbers.** Fields the format types as integers (days of `fixed`, `uniform` and
//! `empirical` day distributions, `horizon_days`, `warmup_days`, `runs`, `containers`,
//! `review_period_days`, scheduled `duration_days`, a supplier's `order_cycle_days`, …) and
//! kanban `container_size` (whole-unit items need whole containers) are *integral*: values are
//! rounded to the nearest integer when set, and [`Target::integral`] tells a sweep or a search
//! to step by whole numbers. Shifting a whole-day uniform keeps its width, so its mean moves in
//! whole days too (a half-integer when the width is odd). The storage of a number does not
//! decide: `sd = 6` is a real number.
//!
//! **Defaults.** Optional fields with a documented numeric default (`reserve_days` of a policy,
//! `on_time_probability`, `min_order_value` or `delivery_cost` of a supplier, `carrying_rate`
//! of an item, `horizon_days`, …) can be addressed when the scenario leaves them out: reading
//! gives the default, setting adds them. A supplier's `order_cycle_days` reads 1 (it takes
//! orders every day) unless the supplier names `order_days`, which it may not be given beside;
//! `start_day_of_year` likewise reads 0 unless the scenario gives `start_date`.
//! Fields whose absence means "no limit" (`capacity_per_day`, `capacity_value_per_day`) have
//! no number to read, so only a scenario that sets them can vary them.
//!
//! **Formats.** The scenario is handled as a `toml::Value` document. TOML files are read as
//! they are; JSON scenarios (`.json`) are read into the same value with `serde_json` and
//! written back as JSON, keeping the order of policies. A changed document is written back to
//! text and validated by [`Scenario::from_source`], exactly like a file (comments are not kept,
//! and the line numbers of the written text would not match the user's file, so messages about
//! a changed scenario name fields without lines).
//!
//! **In the code.** This file parses a PARAM ([`Param`]) and holds the errors of the whole
//! module; `fields.rs` lists the numeric fields of an entity and decides which one a PARAM
//! names, `access.rs` finds the entity in a document and reads or writes the field
//! ([`resolve`], [`set`], [`set_for_item`]), `source.rs` turns scenario text into a document and
//! back ([`scenario_with`]), and `vary.rs` parses the value grids of a sweep ([`Vary`]).
//! Dependencies between them point one way: `source.rs` uses `access.rs`, which uses
//! `fields.rs` (`tests/layers.rs`).
//!
//! [`Scenario::from_source`]: crate::model::scenario::Scenario::from_source

mod access;
mod fields;
mod source;
mod vary;

pub use access::{Target, resolve, resolve_for_item, set, set_for_item};
pub use source::{parse_document, scenario_from, scenario_with, to_source};
pub use vary::Vary;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// Grid points of `PARAM=FROM..TO` when no `:STEPS` is given.
pub(crate) const DEFAULT_STEPS: usize = 11;
/// Most grid points a range may ask for: each one is a full simulation.
pub(crate) const MAX_STEPS: usize = 1000;

/// The kinds of entity a parameter can address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    /// The `[simulation]` table (horizon, warm-up, runs, …); takes no id.
    Simulation,
    /// A policy, named by its name in the scenario.
    Policy,
    /// An item, named by its `id`.
    Item,
    /// A supplier, named by its `id`.
    Supplier,
    /// A disruption, named by its `id`.
    Disruption,
    /// A purchase budget (`[[budget]]`), named by its `id`.
    Budget,
}

const KINDS_TEXT: &str = "`simulation`, `policy`, `item`, `supplier`, `disruption` or `budget`";

impl EntityKind {
    /// The singular name, as written at the start of a PARAM.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Simulation => "simulation",
            EntityKind::Policy => "policy",
            EntityKind::Item => "item",
            EntityKind::Supplier => "supplier",
            EntityKind::Disruption => "disruption",
            EntityKind::Budget => "budget",
        }
    }

    fn from_name(name: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.keys().contains(&name))
    }

    const ALL: [EntityKind; 6] = [
        EntityKind::Simulation,
        EntityKind::Policy,
        EntityKind::Item,
        EntityKind::Supplier,
        EntityKind::Disruption,
        EntityKind::Budget,
    ];

    /// The keys the scenario format accepts for this kind (see `model::raw`).
    fn keys(self) -> &'static [&'static str] {
        match self {
            EntityKind::Simulation => &["simulation"],
            EntityKind::Policy => &["policy", "policies"],
            EntityKind::Item => &["item", "items"],
            EntityKind::Supplier => &["supplier", "suppliers"],
            EntityKind::Disruption => &["disruption", "disruptions"],
            EntityKind::Budget => &["budget", "budgets"],
        }
    }
}

/// Why a parameter could not be parsed, found or set. Every message says what is allowed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    /// The PARAM is not of the form `KIND.ID.FIELD` (or `simulation.FIELD`).
    #[error(
        "`{text}` is not a parameter: {reason}; write KIND.ID.FIELD, e.g. \
         `policy.kanban.safety_factor`, `item.widget.demand.sd` or `simulation.horizon_days`"
    )]
    Syntax {
        /// The PARAM as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The PARAM starts with something other than an entity kind.
    #[error("`{param}`: unknown kind `{kind}`; a parameter starts with {KINDS_TEXT}")]
    UnknownKind {
        /// The PARAM as written.
        param: String,
        /// Its first segment.
        kind: String,
    },
    /// The scenario has no entity of that kind with that id.
    #[error(
        "`{param}`: the scenario has no {kind} `{id}`; {}",
        known_text(kind, known)
    )]
    UnknownId {
        /// The PARAM as written.
        param: String,
        /// The entity kind, singular (`policy`, `item`, …).
        kind: &'static str,
        /// The id asked for.
        id: String,
        /// The ids (or policy names) the scenario has, to choose from.
        known: Vec<String>,
    },
    /// Something the PARAM needs is not in the scenario document: the `[simulation]` table, an
    /// entity not of the form the format expects, or a field gone since it was resolved.
    #[error("`{param}`: the scenario has no {what}")]
    Missing {
        /// The PARAM (or the field's full path).
        param: String,
        /// What is missing, as a phrase that completes "the scenario has no …".
        what: String,
    },
    /// The entity has no numeric field the PARAM's field path names.
    #[error(
        "`{param}`: {entity} has no numeric field `{field}`; {}",
        list_text("its numeric fields are", available)
    )]
    NoField {
        /// The PARAM as written.
        param: String,
        /// The entity as the message names it: policy `kanban`, or `[simulation]`.
        entity: String,
        /// The field path asked for.
        field: String,
        /// The entity's numeric fields, as PARAMs, to choose from.
        available: Vec<String>,
    },
    /// The field path names several fields of the entity.
    #[error(
        "`{param}` is ambiguous: {}",
        list_text("it matches several fields; write one of", candidates)
    )]
    Ambiguous {
        /// The PARAM as written.
        param: String,
        /// The fields it matches, as PARAMs that name each one alone.
        candidates: Vec<String>,
    },
    /// The PARAM cannot be given one item's own value: only fields of a policy's `rule` can.
    #[error("`{param}` cannot be set for item `{item}`: {reason}")]
    NotPerItem {
        /// The PARAM as written.
        param: String,
        /// The item's id.
        item: String,
        /// Why not.
        reason: String,
    },
    /// A value is not a finite number.
    #[error("`{text}`: `{value}` is not a finite number")]
    NotANumber {
        /// The `PARAM=…` text, or the field, the value was for.
        text: String,
        /// The value as written.
        value: String,
    },
    /// A sweep's `PARAM=FROM..TO[:STEPS]` or `PARAM=V1,V2,…` is malformed.
    #[error(
        "`{text}`: {reason}; expected PARAM=FROM..TO[:STEPS] (STEPS grid points from FROM to TO, \
         at least 2, default {DEFAULT_STEPS}; e.g. `policy.kanban.safety_factor=0..1:11`) or \
         PARAM=V1,V2,… (e.g. `simulation.horizon_days=180,365,730`)"
    )]
    BadRange {
        /// The text as written.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The scenario's text could not be turned into a document, or the document back into text.
    #[error("cannot handle scenario '{}' as a document: {message}", path.display())]
    Document {
        /// The scenario file.
        path: PathBuf,
        /// The parser's or writer's message.
        message: String,
    },
}

/// An error about `text` with a reason, as the variant `make` builds it.
fn because(text: &str, make: fn(String, String) -> ParamError) -> impl Fn(&str) -> ParamError + '_ {
    move |reason: &str| make(text.to_string(), reason.to_string())
}

fn known_text(kind: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!("it has no {kind} at all")
    } else {
        let names: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
        format!("its {kind} names are {}", names.join(", "))
    }
}

fn list_text(lead: &str, entries: &[String]) -> String {
    if entries.is_empty() {
        return "it has no numeric fields".into();
    }
    let mut out = format!("{lead}:");
    for e in entries {
        out.push_str("\n  ");
        out.push_str(e);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Parameters

/// A parsed PARAM: the entity's kind and id, and the field's path segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    text: String,
    kind: EntityKind,
    id: Option<String>,
    field: Vec<String>,
}

impl Param {
    /// Parse `KIND.ID.FIELD…` (`simulation.FIELD…` has no id). Only the syntax is checked here;
    /// [`resolve`] finds the field in a scenario.
    pub fn parse(text: &str) -> Result<Param, ParamError> {
        let text = text.trim();
        let syntax = because(text, |text, reason| ParamError::Syntax { text, reason });
        let segments = split_segments(text).map_err(|r| syntax(&r))?;
        let Some((first, rest)) = segments.split_first() else {
            return Err(syntax("it is empty"));
        };
        let kind = EntityKind::from_name(first).ok_or_else(|| ParamError::UnknownKind {
            param: text.to_string(),
            kind: first.clone(),
        })?;
        let (id, field) = if kind == EntityKind::Simulation {
            (None, rest)
        } else {
            let Some((id, field)) = rest.split_first() else {
                return Err(syntax(&format!("no {} id after `{first}`", kind.name())));
            };
            (Some(id.clone()), field)
        };
        if field.is_empty() {
            return Err(syntax("it names no field"));
        }
        Ok(Param {
            text: text.to_string(),
            kind,
            id,
            field: field.to_vec(),
        })
    }

    /// The PARAM as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The kind of entity the PARAM addresses.
    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// The entity's id or policy name (`None` for `simulation`).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The field as a column header or a short line names it: its last key
    /// (`service_level`), with the key before it when the last is a part of a distribution
    /// (`lead_time.mean`, `duration_days.max`). The whole PARAM is said once beside it.
    pub fn field_label(&self) -> String {
        match self.field.as_slice() {
            [.., field, last] if ["mean", "sd", "min", "max", "mode"].contains(&last.as_str()) => {
                format!("{field}.{last}")
            }
            [.., last] => last.clone(),
            [] => self.text.clone(),
        }
    }

    /// `policy.kanban`, `simulation`: the entity as a PARAM prefix.
    fn entity_text(&self) -> String {
        match &self.id {
            Some(id) => format!("{}.{}", self.kind.name(), quote(id)),
            None => self.kind.name().to_string(),
        }
    }
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Param {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Param, ParamError> {
        Param::parse(s)
    }
}

/// Split on dots outside double quotes; quotes only group.
fn split_segments(text: &str) -> Result<Vec<String>, String> {
    let mut segments = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => segments.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    segments.push(current);
    if text.is_empty() {
        return Ok(Vec::new());
    }
    if segments.iter().any(|s| s.is_empty()) {
        return Err("it has an empty segment (two dots in a row, or a dot at an end)".into());
    }
    Ok(segments)
}

/// A segment as written in a PARAM: quoted when it holds a dot.
fn quote(segment: &str) -> String {
    if segment.contains('.') {
        format!("\"{segment}\"")
    } else {
        segment.to_string()
    }
}

/// The scenario document the unit tests of this folder's files address, and ways to read and
/// change it.
#[cfg(test)]
mod test_support {
    use std::path::Path;

    use toml::Value;

    use super::*;

    pub(super) const DOC: &str = r#"
[simulation]
horizon_days = 365
runs = 100

[[supplier]]
id = "acme"
lead_time = { triangular = { min = 10, mode = 14, max = 24 } }
lateness = { uniform = { min = 1, max = 5 } }
on_time_probability = 0.9

[[supplier]]
id = "slow"
lead_time = { lognormal = { mean = 6.0, sd = 2.0 } }

[[supplier]]
id = "near"
lead_time = { fixed = 2 }

[[item]]
id = "widget"
unit_cost = 12.0
container_size = 25
demand = { normal = { mean = 50, sd = 6 } }

[[item]]
id = "part.7"
unit_cost = 3.0
demand = { empirical = [1.0, 2.0, 6.0] }

[[disruption]]
id = "port"
effect = { supplier_outage = { supplier = "acme" } }
occurrence = { random = { rate_per_year = 1.0, duration_days = { uniform = { min = 10, max = 41 } } } }

[[disruption]]
id = "strike"
effect = { supplier_outage = { supplier = "acme" } }
occurrence = { scheduled = { start_day = 100, duration_days = 14 } }

[policy.kanban.rule.kanban]
safety_factor = 0.2

[policy.jic.rule.reorder_point]
service_level = 0.95

[policy.hybrid]
reserve_days = 5

[policy.hybrid.rule.reorder_point]
safety_stock_days = 30

[policy.hybrid.items.widget.kanban]
safety_factor = 0.3
"#;

    pub(super) fn doc() -> Value {
        parse_document(DOC, Path::new("t.toml")).unwrap()
    }

    pub(super) fn target(text: &str) -> Result<Target, ParamError> {
        resolve(&doc(), &Param::parse(text).unwrap())
    }

    pub(super) fn value_after(text: &str, value: f64, read: &str) -> f64 {
        let mut d = doc();
        set(&mut d, &Param::parse(text).unwrap(), value).unwrap();
        resolve(&d, &Param::parse(read).unwrap()).unwrap().current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_checked_for_syntax() {
        for (text, fragment) in [
            ("", "it is empty"),
            ("policy", "no policy id"),
            ("policy.kanban", "names no field"),
            ("item..unit_cost", "empty segment"),
            ("item.\"a.unit_cost", "not closed"),
        ] {
            let e = Param::parse(text).unwrap_err();
            assert!(e.to_string().contains(fragment), "{text}: {e}");
        }
        let e = Param::parse("widget.unit_cost").unwrap_err();
        assert!(matches!(e, ParamError::UnknownKind { .. }));
        assert!(e.to_string().contains("`simulation`, `policy`"), "{e}");
    }
}
