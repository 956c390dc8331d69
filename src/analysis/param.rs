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
//!
//! **Entities.** `simulation` takes no id; `policy` takes a policy name; `item`, `supplier` and
//! `disruption` take an `id` (the plural spellings the scenario format accepts, `items`,
//! `suppliers`, `disruptions`, `policies`, work too). An id with a dot in it is quoted:
//! `item."part.7".unit_cost`.
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
//! `review_period_days`, scheduled `duration_days`, …) and kanban `container_size` (whole-unit
//! items need whole containers) are *integral*: values are rounded to the nearest integer when
//! set, and [`Target::integral`] tells a sweep or a search to step by whole numbers. Shifting a
//! whole-day uniform keeps its width, so its mean moves in whole days too (a half-integer when
//! the width is odd). The storage of a number does not decide: `sd = 6` is a real number.
//!
//! **Defaults.** Optional fields with a documented numeric default (`reserve_days` of a policy,
//! `on_time_probability` of a supplier, `carrying_rate` of an item, `horizon_days`, …) can be
//! addressed when the scenario leaves them out: reading gives the default, setting adds them.
//!
//! **Formats.** The scenario is handled as a `toml::Value` document. TOML files are read as
//! they are; JSON scenarios (`.json`) are read into the same value with `serde_json` and
//! written back as JSON, keeping the order of policies. A changed document is written back to
//! text and validated by [`Scenario::from_source`], exactly like a file (comments are not kept,
//! and the line numbers of the written text would not match the user's file, so messages about
//! a changed scenario name fields without lines).

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context as _;
use toml::{Table, Value};

use crate::model::scenario::{Scenario, ScenarioError};

/// Grid points of `PARAM=FROM..TO` when no `:STEPS` is given.
pub const DEFAULT_STEPS: usize = 11;
/// Most grid points a range may ask for: each one is a full simulation.
pub const MAX_STEPS: usize = 1000;

/// The kinds of entity a parameter can address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityKind {
    Simulation,
    Policy,
    Item,
    Supplier,
    Disruption,
}

const KINDS_TEXT: &str = "`simulation`, `policy`, `item`, `supplier` or `disruption`";

impl EntityKind {
    /// The singular name, as written at the start of a PARAM.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Simulation => "simulation",
            EntityKind::Policy => "policy",
            EntityKind::Item => "item",
            EntityKind::Supplier => "supplier",
            EntityKind::Disruption => "disruption",
        }
    }

    fn from_name(name: &str) -> Option<EntityKind> {
        EntityKind::ALL
            .into_iter()
            .find(|k| k.keys().contains(&name))
    }

    const ALL: [EntityKind; 5] = [
        EntityKind::Simulation,
        EntityKind::Policy,
        EntityKind::Item,
        EntityKind::Supplier,
        EntityKind::Disruption,
    ];

    /// The keys the scenario format accepts for this kind (see `model::raw`).
    fn keys(self) -> &'static [&'static str] {
        match self {
            EntityKind::Simulation => &["simulation"],
            EntityKind::Policy => &["policy", "policies"],
            EntityKind::Item => &["item", "items"],
            EntityKind::Supplier => &["supplier", "suppliers"],
            EntityKind::Disruption => &["disruption", "disruptions"],
        }
    }
}

/// Why a parameter could not be parsed, found or set. Every message says what is allowed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error(
        "`{text}` is not a parameter: {reason}; write KIND.ID.FIELD, e.g. \
         `policy.kanban.safety_factor`, `item.widget.demand.sd` or `simulation.horizon_days`"
    )]
    Syntax { text: String, reason: String },
    #[error("`{param}`: unknown kind `{kind}`; a parameter starts with {KINDS_TEXT}")]
    UnknownKind { param: String, kind: String },
    #[error(
        "`{param}`: the scenario has no {kind} `{id}`; {}",
        known_text(kind, known)
    )]
    UnknownId {
        param: String,
        kind: &'static str,
        id: String,
        known: Vec<String>,
    },
    #[error("`{param}`: the scenario has no {what}")]
    Missing { param: String, what: String },
    #[error(
        "`{param}`: {entity} has no numeric field `{field}`; {}",
        list_text("its numeric fields are", available)
    )]
    NoField {
        param: String,
        entity: String,
        field: String,
        available: Vec<String>,
    },
    #[error(
        "`{param}` is ambiguous: {}",
        list_text("it matches several fields; write one of", candidates)
    )]
    Ambiguous {
        param: String,
        candidates: Vec<String>,
    },
    #[error("`{param}` cannot be set for item `{item}`: {reason}")]
    NotPerItem {
        param: String,
        item: String,
        reason: String,
    },
    #[error("`{text}`: `{value}` is not a finite number")]
    NotANumber { text: String, value: String },
    #[error(
        "`{text}`: {reason}; expected PARAM=FROM..TO[:STEPS] (STEPS grid points from FROM to TO, \
         at least 2, default {DEFAULT_STEPS}; e.g. `policy.kanban.safety_factor=0..1:11`) or \
         PARAM=V1,V2,… (e.g. `simulation.horizon_days=180,365,730`)"
    )]
    BadRange { text: String, reason: String },
    #[error("cannot handle scenario '{}' as a document: {message}", path.display())]
    Document { path: PathBuf, message: String },
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

    pub fn kind(&self) -> EntityKind {
        self.kind
    }

    /// The entity's id or policy name (`None` for `simulation`).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
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

// ---------------------------------------------------------------------------------------------
// Fields of an entity

/// Keys whose tables are distributions of days: `fixed`, `uniform` and `empirical` ones hold
/// whole days.
const DAYS_KEYS: [&str; 4] = ["lead_time", "lateness", "extra_days", "duration_days"];
/// Keys whose tables are distributions with a virtual `mean`.
const DISTRIBUTION_KEYS: [&str; 6] = [
    "lead_time",
    "lateness",
    "extra_days",
    "duration_days",
    "demand",
    "factor",
];
/// Fields the scenario format types as integers, wherever they appear.
const INTEGER_FIELDS: [&str; 12] = [
    "horizon_days",
    "warmup_days",
    "runs",
    "seed",
    "start_day_of_year",
    "end_day_of_year",
    "after_days",
    "lead_time_days",
    "containers",
    "review_period_days",
    "start_day",
    "repeat_every_days",
];

/// Optional top-level fields with a documented numeric default (README, "Scenario format"):
/// kind, field, default, integral.
const DEFAULTS: [(EntityKind, &str, f64, bool); 13] = [
    (EntityKind::Simulation, "horizon_days", 365.0, true),
    (EntityKind::Simulation, "warmup_days", 0.0, true),
    (EntityKind::Simulation, "runs", 1000.0, true),
    (EntityKind::Simulation, "start_day_of_year", 0.0, true),
    (EntityKind::Supplier, "on_time_probability", 1.0, false),
    (EntityKind::Supplier, "min_order_quantity", 0.0, false),
    (EntityKind::Supplier, "rejection_probability", 0.0, false),
    (EntityKind::Supplier, "unit_cost_premium", 0.0, false),
    (EntityKind::Item, "carrying_rate", 0.25, false),
    (EntityKind::Item, "order_cost", 0.0, false),
    (EntityKind::Item, "stockout_penalty", 0.0, false),
    (EntityKind::Item, "trend_per_year", 0.0, false),
    (EntityKind::Policy, "reserve_days", 0.0, false),
];

/// How a field's value is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Access {
    /// A number at the path.
    Number,
    /// The virtual mean of the distribution table at the path less its last key.
    Mean,
    /// An optional field the entity leaves out; setting it adds it.
    Default,
}

/// One numeric field of an entity.
#[derive(Clone, Debug)]
struct Field {
    /// Key path within the entity.
    keys: Vec<String>,
    /// Whether each key is the only key of its table (a variant that may be left out).
    sole: Vec<bool>,
    current: f64,
    integral: bool,
    access: Access,
}

/// Every numeric field of an entity, in file order, then the absent defaults.
fn fields(entity: &Table, kind: EntityKind) -> Vec<Field> {
    let mut out = Vec::new();
    let continuous = entity.get("units").and_then(Value::as_str) == Some("continuous");
    walk(
        entity,
        &mut Vec::new(),
        &mut Vec::new(),
        continuous,
        &mut out,
    );
    for (k, name, default, integral) in DEFAULTS {
        if k == kind && !entity.contains_key(name) {
            out.push(Field {
                keys: vec![name.to_string()],
                sole: vec![false],
                current: default,
                integral,
                access: Access::Default,
            });
        }
    }
    out
}

fn walk(
    table: &Table,
    keys: &mut Vec<String>,
    sole: &mut Vec<bool>,
    continuous: bool,
    out: &mut Vec<Field>,
) {
    let only = table.len() == 1;
    for (key, value) in table {
        keys.push(key.clone());
        sole.push(only);
        if let Some(current) = as_number(value) {
            let integral = integral_field(keys) || (key == "container_size" && !continuous);
            out.push(Field {
                keys: keys.clone(),
                sole: sole.clone(),
                current,
                integral,
                access: Access::Number,
            });
        } else if let Value::Table(inner) = value {
            if let Some((form, body)) = distribution(key, inner)
                && let Some(current) = distribution_mean(form, body)
            {
                let mut mean_keys = keys.clone();
                mean_keys.push("mean".into());
                let mut mean_sole = sole.clone();
                mean_sole.push(false);
                out.push(Field {
                    keys: mean_keys,
                    sole: mean_sole,
                    current,
                    integral: whole_days(key, form),
                    access: Access::Mean,
                });
            }
            walk(inner, keys, sole, continuous, out);
        }
        keys.pop();
        sole.pop();
    }
}

fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Whether the field at `keys` is typed as an integer by the scenario format.
fn integral_field(keys: &[String]) -> bool {
    let n = keys.len();
    let back = |k: usize| n.checked_sub(k).map(|i| keys[i].as_str());
    if back(1).is_some_and(|last| INTEGER_FIELDS.contains(&last) || last == "duration_days") {
        // A number `duration_days` is a scheduled occurrence's (random ones hold a table).
        return true;
    }
    match (back(3), back(2), back(1)) {
        (_, Some(days), Some("fixed")) => DAYS_KEYS.contains(&days),
        (Some(days), Some("uniform"), Some("min" | "max")) => DAYS_KEYS.contains(&days),
        _ => false,
    }
}

/// The form and body of a distribution table (`{ uniform = { min, max } }`) under `key`.
fn distribution<'a>(key: &str, table: &'a Table) -> Option<(&'a str, &'a Value)> {
    if !DISTRIBUTION_KEYS.contains(&key) || table.len() != 1 {
        return None;
    }
    table
        .iter()
        .next()
        .map(|(form, body)| (form.as_str(), body))
}

fn whole_days(key: &str, form: &str) -> bool {
    DAYS_KEYS.contains(&key) && matches!(form, "fixed" | "uniform" | "empirical")
}

/// The mean of a distribution that has no `mean` field; `None` for the others.
fn distribution_mean(form: &str, body: &Value) -> Option<f64> {
    let num = |k: &str| body.get(k).and_then(as_number);
    match form {
        "fixed" | "deterministic" => as_number(body),
        "uniform" => Some((num("min")? + num("max")?) / 2.0),
        "triangular" => Some((num("min")? + num("mode")? + num("max")?) / 3.0),
        "empirical" => {
            let values = body
                .as_array()?
                .iter()
                .map(as_number)
                .collect::<Option<Vec<f64>>>()?;
            (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
        }
        _ => None,
    }
}

/// Whether `query` names the field at `keys` (see the module documentation): the last segment
/// is the field, and between matched segments only one-key tables' keys are left out.
fn names(query: &[String], keys: &[String], sole: &[bool]) -> bool {
    let (Some((q_last, q_rest)), Some((k_last, k_rest))) = (query.split_last(), keys.split_last())
    else {
        return false;
    };
    if q_last != k_last {
        return false;
    }
    if q_rest.is_empty() {
        return true;
    }
    for j in (0..k_rest.len()).rev() {
        if names(q_rest, &k_rest[..=j], &sole[..=j]) {
            return true;
        }
        if !sole[j] {
            return false;
        }
    }
    false
}

/// The fields `query` names; a field whose full path is the query wins alone.
fn find<'a>(query: &[String], all: &'a [Field]) -> Vec<&'a Field> {
    if let Some(exact) = all.iter().find(|f| f.keys == query) {
        return vec![exact];
    }
    all.iter()
        .filter(|f| names(query, &f.keys, &f.sole))
        .collect()
}

/// The shortest readable field path that names `field` alone among `all`: it starts at a
/// policy's field for its `rule` fields (`policy.kanban.safety_factor`), at the table for its
/// other fields (`expedite.premium_rate`, `items.ITEM.…`), at the distribution for a
/// distribution's fields (`lead_time.min`, `demand.sd`), and at the field itself otherwise;
/// the keys of variant tables in between are left out.
fn short_path(kind: EntityKind, field: &Field, all: &[Field]) -> Vec<String> {
    let n = field.keys.len();
    let latest = if kind == EntityKind::Policy {
        if field.keys[0] == "rule" { n - 1 } else { 0 }
    } else {
        field.keys[..n - 1]
            .iter()
            .rposition(|k| DISTRIBUTION_KEYS.contains(&k.as_str()))
            .unwrap_or(n - 1)
    };
    for start in (0..=latest).rev() {
        if start + 1 < n && field.sole[start] {
            continue;
        }
        let compact: Vec<String> = (start..n)
            .filter(|&i| {
                // An item's id under `items` stays even when it is the only one.
                let id = i > 0 && field.keys[i - 1] == "items";
                i == start || i + 1 == n || !field.sole[i] || id
            })
            .map(|i| field.keys[i].clone())
            .collect();
        for query in [compact, field.keys[start..].to_vec()] {
            if let [only] = find(&query, all).as_slice()
                && std::ptr::eq(*only, field)
            {
                return query;
            }
        }
    }
    field.keys.clone()
}

fn join_path(prefix: &str, keys: &[String]) -> String {
    let mut out = prefix.to_string();
    for k in keys {
        out.push('.');
        out.push_str(&quote(k));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Resolving and setting

/// One step from a value to a value inside it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

fn get<'a>(doc: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    steps.iter().try_fold(doc, |v, s| match s {
        Step::Key(k) => v.get(k.as_str()),
        Step::Index(i) => v.get(*i),
    })
}

fn get_mut<'a>(doc: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    steps.iter().try_fold(doc, |v, s| match s {
        Step::Key(k) => v.get_mut(k.as_str()),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// The field a parameter resolved to in one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The field holds whole numbers: values set are rounded, and sweeps and searches should
    /// step by whole numbers.
    pub integral: bool,
    /// Its value in the scenario: for a virtual `mean`, the distribution's mean; for an
    /// optional field the scenario leaves out, its default.
    pub current: f64,
    /// The field's full path as a PARAM, e.g. `policy.kanban.rule.kanban.safety_factor`.
    pub field: String,
    /// Where the entity is in the document.
    entity: Vec<Step>,
    /// Key path within the entity.
    keys: Vec<String>,
    access: Access,
}

impl Target {
    fn location(&self) -> Vec<Step> {
        let mut steps = self.entity.clone();
        steps.extend(self.keys.iter().cloned().map(Step::Key));
        steps
    }
}

/// Where the entity of `kind` and `id` is, and its table; errors name `param`.
fn locate<'a>(
    doc: &'a Value,
    kind: EntityKind,
    id: Option<&str>,
    param: &str,
) -> Result<(Vec<Step>, &'a Table), ParamError> {
    let found = kind
        .keys()
        .iter()
        .find_map(|k| doc.get(*k).map(|v| (*k, v)));
    let unknown = |known: Vec<String>| ParamError::UnknownId {
        param: param.to_string(),
        kind: kind.name(),
        id: id.unwrap_or_default().to_string(),
        known,
    };
    let missing = |what: String| ParamError::Missing {
        param: param.to_string(),
        what,
    };
    let Some((key, value)) = found else {
        return match kind {
            EntityKind::Simulation => Err(missing("[simulation] table".into())),
            _ => Err(unknown(Vec::new())),
        };
    };
    let mut steps = vec![Step::Key(key.to_string())];
    let id = id.unwrap_or_default();
    let entity = match (kind, value) {
        (EntityKind::Simulation, Value::Table(t)) => Some(t),
        (EntityKind::Policy, Value::Table(policies)) => {
            let t = policies.get(id).and_then(Value::as_table);
            if t.is_none() {
                return Err(unknown(policies.keys().cloned().collect()));
            }
            steps.push(Step::Key(id.to_string()));
            t
        }
        (_, Value::Array(list)) => {
            let id_of = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_string);
            let Some(i) = list.iter().position(|v| id_of(v).as_deref() == Some(id)) else {
                return Err(unknown(list.iter().filter_map(id_of).collect()));
            };
            steps.push(Step::Index(i));
            list[i].as_table()
        }
        _ => None,
    };
    let entity =
        entity.ok_or_else(|| missing(format!("`{key}` of the form the format expects")))?;
    Ok((steps, entity))
}

/// Find the field `param` names in the scenario document `doc`.
pub fn resolve(doc: &Value, param: &Param) -> Result<Target, ParamError> {
    let (entity, table) = locate(doc, param.kind, param.id(), &param.text)?;
    let all = fields(table, param.kind);
    let prefix = param.entity_text();
    let short = |f: &Field| join_path(&prefix, &short_path(param.kind, f, &all));
    match find(&param.field, &all).as_slice() {
        [field] => Ok(Target {
            integral: field.integral,
            current: field.current,
            field: join_path(&prefix, &field.keys),
            entity,
            keys: field.keys.clone(),
            access: field.access,
        }),
        [] => Err(ParamError::NoField {
            param: param.text.clone(),
            entity: match param.id() {
                Some(id) => format!("{} `{id}`", param.kind.name()),
                None => "[simulation]".into(),
            },
            field: param.field.join("."),
            available: all.iter().map(short).collect(),
        }),
        several => Err(ParamError::Ambiguous {
            param: param.text.clone(),
            candidates: several.iter().map(|f| short(f)).collect(),
        }),
    }
}

/// Set the field `param` names to `value` (rounded if the field is integral; a virtual mean
/// shifts its distribution).
pub fn set(doc: &mut Value, param: &Param, value: f64) -> Result<(), ParamError> {
    let target = resolve(doc, param)?;
    write(doc, &target, value)
}

fn number(value: f64, integral: bool) -> Value {
    if integral {
        Value::Integer(value.round() as i64)
    } else {
        Value::Float(value)
    }
}

fn write(doc: &mut Value, target: &Target, value: f64) -> Result<(), ParamError> {
    if !value.is_finite() {
        return Err(ParamError::NotANumber {
            text: target.field.clone(),
            value: value.to_string(),
        });
    }
    let location = target.location();
    let lost = || ParamError::Missing {
        param: target.field.clone(),
        what: "such field any more".into(),
    };
    match target.access {
        Access::Number | Access::Default => {
            let (Some(Step::Key(key)), parent) = (location.last(), &location[..location.len() - 1])
            else {
                return Err(lost());
            };
            let table = get_mut(doc, parent)
                .and_then(Value::as_table_mut)
                .ok_or_else(lost)?;
            table.insert(key.clone(), number(value, target.integral));
        }
        Access::Mean => {
            let wrapper = get_mut(doc, &location[..location.len() - 1])
                .and_then(Value::as_table_mut)
                .ok_or_else(lost)?;
            shift(wrapper, target.current, value, target.integral);
        }
    }
    Ok(())
}

/// Move the distribution in `wrapper` (`{ uniform = { min, max } }`) from mean `from` to `to`.
fn shift(wrapper: &mut Table, from: f64, to: f64, integral: bool) {
    let Some((form, body)) = wrapper.iter_mut().next() else {
        return;
    };
    let delta = if integral {
        (to - from).round()
    } else {
        to - from
    };
    let moved = |v: &Value| as_number(v).map(|x| number(x + delta, integral));
    match form.as_str() {
        "fixed" | "deterministic" => *body = number(to, integral),
        "uniform" if integral => {
            // Keep the width, whole days at both ends: the mean moves by whole days.
            let num = |k: &str| body.get(k).and_then(as_number).unwrap_or(0.0);
            let width = (num("max") - num("min")).round();
            let min = (to - width / 2.0).round();
            if let Some(t) = body.as_table_mut() {
                t.insert("min".into(), number(min, true));
                t.insert("max".into(), number(min + width, true));
            }
        }
        "empirical" => {
            if let Some(values) = body.as_array_mut() {
                for v in values.iter_mut() {
                    if let Some(m) = moved(v) {
                        *v = m;
                    }
                }
            }
        }
        _ => {
            if let Some(t) = body.as_table_mut() {
                for key in ["min", "mode", "max"] {
                    if let Some(m) = t.get(key).and_then(moved) {
                        t.insert(key.into(), m);
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One item of a policy

/// The field a policy-wide `rule` parameter has for one item: the item's own rule in that
/// policy if it has one, otherwise the policy's rule (and the item's own rule to create, a
/// copy of it).
fn item_target(
    doc: &Value,
    param: &Param,
    item: &str,
) -> Result<(Target, Option<Value>), ParamError> {
    let rule = resolve(doc, param)?;
    let refuse = |reason: String| ParamError::NotPerItem {
        param: param.text.clone(),
        item: item.to_string(),
        reason,
    };
    if param.kind != EntityKind::Policy
        || rule.access != Access::Number
        || rule.keys.first().map(String::as_str) != Some("rule")
        || rule.keys.len() < 3
    {
        return Err(refuse(format!(
            "it resolves to `{}`, which is not a field of a policy's `rule` (only those can be \
             given per item)",
            rule.field
        )));
    }
    locate(doc, EntityKind::Item, Some(item), &param.text)?;
    let policy = param.id().unwrap_or_default();
    let mut own = rule.entity.clone();
    own.extend([Step::Key("items".into()), Step::Key(item.into())]);
    let rule_kind = &rule.keys[1];
    let mut keys = vec!["items".to_string(), item.to_string()];
    keys.extend(rule.keys[1..].iter().cloned());
    let target = |current: f64| Target {
        integral: rule.integral,
        current,
        field: join_path(&param.entity_text(), &keys),
        entity: rule.entity.clone(),
        keys: keys.clone(),
        access: Access::Number,
    };
    match get(doc, &own) {
        None => {
            let copy = get(doc, &rule.entity)
                .and_then(|p| p.get("rule"))
                .cloned()
                .ok_or_else(|| refuse(format!("policy `{policy}` has no `rule`")))?;
            Ok((target(rule.current), Some(copy)))
        }
        Some(existing) => {
            let Some(own_rule) = existing.get(rule_kind.as_str()) else {
                let other = existing
                    .as_table()
                    .and_then(|t| t.keys().next().cloned())
                    .unwrap_or_default();
                return Err(refuse(format!(
                    "the item has its own `{other}` rule in policy `{policy}`, not a \
                     `{rule_kind}` rule; address its fields as `policy.{}.items.{}.{other}.FIELD`",
                    quote(policy),
                    quote(item)
                )));
            };
            let current = get(
                own_rule,
                &rule.keys[2..]
                    .iter()
                    .cloned()
                    .map(Step::Key)
                    .collect::<Vec<_>>(),
            )
            .and_then(as_number)
            .ok_or_else(|| {
                refuse(format!(
                    "the item's own `{rule_kind}` rule in policy `{policy}` has no `{}` (it is \
                     sized another way)",
                    rule.keys[2..].join(".")
                ))
            })?;
            Ok((target(current), None))
        }
    }
}

/// The field a policy-wide `rule` parameter (`policy.jic.service_level`) has for one item:
/// from the item's own rule in that policy (`policy.jic.items.ITEM.…`) if it has one,
/// otherwise the policy's value, which [`set_for_item`] would copy into a new item rule.
pub fn resolve_for_item(doc: &Value, param: &Param, item: &str) -> Result<Target, ParamError> {
    item_target(doc, param, item).map(|(target, _)| target)
}

/// Set a policy-wide `rule` parameter for one item only: write it into the item's own rule in
/// that policy (`policy.NAME.items.ITEM.<rule kind>`), created as a copy of the policy's `rule`
/// when the item has none, so each item can get its own buffer. An item whose own rule is of
/// another kind, or is sized another way, is an error.
pub fn set_for_item(
    doc: &mut Value,
    param: &Param,
    item: &str,
    value: f64,
) -> Result<(), ParamError> {
    let (target, create) = item_target(doc, param, item)?;
    if let Some(rule) = create {
        let lost = || ParamError::Missing {
            param: param.text.clone(),
            what: format!(
                "table `{}.items` to add item `{item}` to",
                param.entity_text()
            ),
        };
        let policy = get_mut(doc, &target.entity)
            .and_then(Value::as_table_mut)
            .ok_or_else(lost)?;
        let items = policy
            .entry("items")
            .or_insert_with(|| Value::Table(Table::new()))
            .as_table_mut()
            .ok_or_else(lost)?;
        items.insert(item.to_string(), rule);
    }
    write(doc, &target, value)
}

// ---------------------------------------------------------------------------------------------
// Documents and scenarios

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Read a scenario's text as a document: TOML, or JSON for a `.json` path.
pub fn parse_document(source: &str, path: &Path) -> Result<Value, ParamError> {
    let document = |message: String| ParamError::Document {
        path: path.to_path_buf(),
        message,
    };
    if is_json(path) {
        // Straight into a `toml::Value`, whose tables keep their order (serde_json's own maps
        // would sort the policies by name).
        serde_json::from_str::<Value>(source).map_err(|e| document(e.to_string()))
    } else {
        toml::from_str::<Table>(source)
            .map(Value::Table)
            .map_err(|e| document(e.to_string()))
    }
}

/// Write a document back as scenario text in the format `path` names.
pub fn to_source(doc: &Value, path: &Path) -> Result<String, ParamError> {
    let document = |message: String| ParamError::Document {
        path: path.to_path_buf(),
        message,
    };
    if is_json(path) {
        serde_json::to_string_pretty(doc).map_err(|e| document(e.to_string()))
    } else {
        toml::to_string(doc).map_err(|e| document(e.to_string()))
    }
}

/// Validate a (changed) document as the scenario at `path`, exactly like a file.
pub fn scenario_from(doc: &Value, path: &Path) -> Result<Scenario, ScenarioError> {
    let text = to_source(doc, path).map_err(|e| ScenarioError::Syntax {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    Scenario::from_source(&text, path).map_err(|e| match e {
        // Lines of the re-written text would not match the user's file.
        ScenarioError::Invalid { path, mut problems } => {
            for p in &mut problems {
                p.line = None;
            }
            ScenarioError::Invalid { path, problems }
        }
        other => other,
    })
}

/// The scenario `source` (read from `path`) with each parameter set to its value, validated.
pub fn scenario_with(
    source: &str,
    path: &Path,
    changes: &[(Param, f64)],
) -> anyhow::Result<Scenario> {
    let mut doc = parse_document(source, path)?;
    for (param, value) in changes {
        set(&mut doc, param, *value)?;
    }
    scenario_from(&doc, path).with_context(|| {
        let list: Vec<String> = changes.iter().map(|(p, v)| format!("{p} = {v}")).collect();
        format!("with {}", list.join(", "))
    })
}

// ---------------------------------------------------------------------------------------------
// Grids

/// A parameter and the values to give it: `PARAM=FROM..TO[:STEPS]` or `PARAM=V1,V2,…`.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub param: Param,
    /// In the order given: a range runs from FROM to TO (either way), both included.
    pub values: Vec<f64>,
}

impl Vary {
    /// Parse `PARAM=FROM..TO[:STEPS]` (STEPS grid points, at least 2, default
    /// [`DEFAULT_STEPS`], at most [`MAX_STEPS`]; FROM above TO runs downwards) or
    /// `PARAM=V1,V2,…`.
    pub fn parse(text: &str) -> Result<Vary, ParamError> {
        let text = text.trim();
        let bad = because(text, |text, reason| ParamError::BadRange { text, reason });
        let Some((param, spec)) = text.split_once('=') else {
            return Err(bad("there is no `=`"));
        };
        let param = Param::parse(param)?;
        let spec = spec.trim();
        let value = |s: &str| -> Result<f64, ParamError> {
            let s = s.trim();
            if s.is_empty() {
                return Err(bad("a value is missing"));
            }
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| ParamError::NotANumber {
                    text: text.to_string(),
                    value: s.to_string(),
                })
        };
        let values = if let Some((from, rest)) = spec.split_once("..") {
            let (to, steps) = match rest.split_once(':') {
                Some((to, steps)) => {
                    let steps = steps.trim().parse::<usize>().map_err(|_| {
                        bad(&format!("STEPS `{}` is not a whole number", steps.trim()))
                    })?;
                    (to, steps)
                }
                None => (rest, DEFAULT_STEPS),
            };
            let (from, to) = (value(from)?, value(to)?);
            if !(2..=MAX_STEPS).contains(&steps) {
                return Err(bad(&format!(
                    "STEPS must be from 2 to {MAX_STEPS} (got {steps})"
                )));
            }
            if from == to {
                return Err(bad("FROM and TO are the same"));
            }
            (0..steps)
                .map(|i| tidy(from + (to - from) * i as f64 / (steps - 1) as f64))
                .collect()
        } else {
            spec.split(',')
                .map(value)
                .collect::<Result<Vec<f64>, _>>()?
        };
        Ok(Vary { param, values })
    }

    /// The values for a field: rounded to whole numbers for an integral field
    /// ([`Target::integral`]), with repeats dropped (first occurrence kept).
    pub fn for_target(&self, integral: bool) -> Vec<f64> {
        if !integral {
            return self.values.clone();
        }
        let mut out: Vec<f64> = Vec::with_capacity(self.values.len());
        for v in &self.values {
            let r = v.round() + 0.0;
            if !out.contains(&r) {
                out.push(r);
            }
        }
        out
    }
}

impl FromStr for Vary {
    type Err = ParamError;
    fn from_str(s: &str) -> Result<Vary, ParamError> {
        Vary::parse(s)
    }
}

/// A grid value without the float noise of its arithmetic (0.30000000000000004 → 0.3).
fn tidy(v: f64) -> f64 {
    format!("{v:.12e}").parse::<f64>().unwrap_or(v) + 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
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

    fn doc() -> Value {
        parse_document(DOC, Path::new("t.toml")).unwrap()
    }

    fn target(text: &str) -> Result<Target, ParamError> {
        resolve(&doc(), &Param::parse(text).unwrap())
    }

    /// The fields an error lists: those available, or the candidates.
    fn listed(e: &ParamError) -> &[String] {
        match e {
            ParamError::NoField { available, .. } => available,
            ParamError::Ambiguous { candidates, .. } => candidates,
            other => panic!("{other:?}"),
        }
    }

    fn value_after(text: &str, value: f64, read: &str) -> f64 {
        let mut d = doc();
        set(&mut d, &Param::parse(text).unwrap(), value).unwrap();
        resolve(&d, &Param::parse(read).unwrap()).unwrap().current
    }

    #[test]
    fn short_and_full_paths_resolve_to_the_same_field() {
        for (short, full, value) in [
            (
                "policy.kanban.safety_factor",
                "policy.kanban.rule.kanban.safety_factor",
                0.2,
            ),
            (
                "policy.jic.service_level",
                "policy.jic.rule.reorder_point.service_level",
                0.95,
            ),
            ("item.widget.demand.sd", "item.widget.demand.normal.sd", 6.0),
            (
                "supplier.slow.lead_time.mean",
                "supplier.slow.lead_time.lognormal.mean",
                6.0,
            ),
            (
                "disruption.port.rate_per_year",
                "disruption.port.occurrence.random.rate_per_year",
                1.0,
            ),
            ("simulation.horizon_days", "simulation.horizon_days", 365.0),
        ] {
            let a = target(short).unwrap();
            assert_eq!(a.field, full, "{short}");
            assert_eq!(a.current, value, "{short}");
            assert_eq!(target(full).unwrap(), a);
        }
        // Plural kinds and quoted ids.
        assert_eq!(target("items.widget.unit_cost").unwrap().current, 12.0);
        let quoted = target("item.\"part.7\".unit_cost").unwrap();
        assert_eq!(quoted.field, "item.\"part.7\".unit_cost");
    }

    #[test]
    fn only_variant_tables_may_be_skipped_between_segments() {
        // `random` is the only key of `occurrence`, `kanban` the only key of `rule`.
        assert!(target("disruption.port.occurrence.rate_per_year").is_ok());
        assert!(target("policy.kanban.rule.safety_factor").is_ok());
        // `effect` is not a wrapper of `rate_per_year`.
        assert!(matches!(
            target("disruption.port.effect.rate_per_year"),
            Err(ParamError::NoField { .. })
        ));
    }

    #[test]
    fn virtual_means_read_and_shift_distributions() {
        let t = target("disruption.port.duration_days.mean").unwrap();
        assert_eq!((t.current, t.integral), (25.5, true));
        let t = target("supplier.acme.lead_time.mean").unwrap();
        assert_eq!((t.current, t.integral), (16.0, false));
        assert!(target("supplier.near.lead_time.mean").unwrap().integral);
        assert_eq!(target("item.\"part.7\".demand.mean").unwrap().current, 3.0);

        // Triangular: all three points move.
        assert_eq!(
            value_after(
                "supplier.acme.lead_time.mean",
                20.0,
                "supplier.acme.lead_time.mode"
            ),
            18.0
        );
        // Whole-day uniform of odd width 31: width kept, both ends whole.
        let mut d = doc();
        let p = Param::parse("disruption.port.duration_days.mean").unwrap();
        set(&mut d, &p, 30.0).unwrap();
        let body = get(
            &d,
            &[
                Step::Key("disruption".into()),
                Step::Index(0),
                Step::Key("occurrence".into()),
                Step::Key("random".into()),
                Step::Key("duration_days".into()),
                Step::Key("uniform".into()),
            ],
        )
        .unwrap();
        assert_eq!(body.get("min"), Some(&Value::Integer(15)));
        assert_eq!(body.get("max"), Some(&Value::Integer(46)));
        assert_eq!(resolve(&d, &p).unwrap().current, 30.5);
        // Fixed days: rounded.
        assert_eq!(
            value_after("supplier.near.lead_time.mean", 3.4, "supplier.near.fixed"),
            3.0
        );
        // Empirical demand: every value moves.
        assert_eq!(
            value_after(
                "item.\"part.7\".demand.mean",
                5.0,
                "item.\"part.7\".demand.mean"
            ),
            5.0
        );
        // Lognormal has a real mean: no virtual one beside it.
        assert_eq!(
            target("supplier.slow.lead_time.mean").unwrap().field,
            "supplier.slow.lead_time.lognormal.mean"
        );
    }

    #[test]
    fn integral_fields_follow_the_format_not_the_storage() {
        assert!(target("simulation.horizon_days").unwrap().integral);
        assert!(target("disruption.strike.duration_days").unwrap().integral);
        assert!(target("supplier.acme.lateness.max").unwrap().integral);
        assert!(target("item.widget.container_size").unwrap().integral);
        // Written as integers, typed as reals.
        assert!(!target("item.widget.demand.sd").unwrap().integral);
        assert!(!target("supplier.acme.lead_time.min").unwrap().integral);
        let mut d = doc();
        let p = Param::parse("simulation.horizon_days").unwrap();
        set(&mut d, &p, 400.6).unwrap();
        assert_eq!(
            d["simulation"]["horizon_days"],
            Value::Integer(401),
            "rounded, kept an integer"
        );
    }

    #[test]
    fn absent_fields_with_defaults_can_be_read_and_set() {
        let t = target("policy.kanban.reserve_days").unwrap();
        assert_eq!((t.current, t.integral), (0.0, false));
        assert_eq!(target("simulation.warmup_days").unwrap().current, 0.0);
        assert_eq!(
            value_after(
                "policy.kanban.reserve_days",
                7.0,
                "policy.kanban.reserve_days"
            ),
            7.0
        );
        assert_eq!(target("policy.hybrid.reserve_days").unwrap().current, 5.0);
    }

    #[test]
    fn errors_list_what_is_there() {
        let e = target("item.gadget.unit_cost").unwrap_err();
        assert!(
            matches!(&e, ParamError::UnknownId { known, .. } if known == &["widget", "part.7"])
        );
        assert!(e.to_string().contains("`widget`, `part.7`"), "{e}");

        let e = target("policy.nope.safety_factor").unwrap_err();
        assert!(e.to_string().contains("`kanban`, `jic`, `hybrid`"), "{e}");

        let e = target("supplier.acme.speed").unwrap_err();
        let available = listed(&e);
        for expected in [
            "supplier.acme.lead_time.min",
            "supplier.acme.lead_time.mean",
            "supplier.acme.lateness.mean",
            "supplier.acme.on_time_probability",
            "supplier.acme.unit_cost_premium",
        ] {
            assert!(available.iter().any(|a| a == expected), "{available:?}");
        }
        // Every listed name resolves, to a different field.
        let fields: Vec<String> = available.iter().map(|a| target(a).unwrap().field).collect();
        let mut unique = fields.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), fields.len());

        let e = target("supplier.acme.min").unwrap_err();
        assert_eq!(
            listed(&e),
            ["supplier.acme.lead_time.min", "supplier.acme.lateness.min"]
        );
        assert!(
            e.to_string().contains("\n  supplier.acme.lateness.min"),
            "{e}"
        );

        let e = target("policy.hybrid.speed").unwrap_err();
        assert_eq!(
            listed(&e),
            [
                "policy.hybrid.reserve_days",
                "policy.hybrid.safety_stock_days",
                "policy.hybrid.items.widget.safety_factor"
            ]
        );

        let e = target("simulation.speed").unwrap_err();
        assert!(
            e.to_string()
                .contains("[simulation] has no numeric field `speed`"),
            "{e}"
        );
    }

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

    #[test]
    fn a_rule_field_can_be_set_for_one_item() {
        let mut d = doc();
        let p = Param::parse("policy.jic.service_level").unwrap();
        let before = resolve_for_item(&d, &p, "widget").unwrap();
        assert_eq!(before.current, 0.95);
        assert_eq!(
            before.field,
            "policy.jic.items.widget.reorder_point.service_level"
        );
        set_for_item(&mut d, &p, "widget", 0.99).unwrap();
        let own = &d["policy"]["jic"]["items"]["widget"]["reorder_point"];
        assert_eq!(own["service_level"], Value::Float(0.99));
        // The policy's own rule is unchanged, and the next change goes to the same place.
        assert!(
            resolve(&d, &p)
                .unwrap_err()
                .to_string()
                .contains("ambiguous")
        );
        let whole = Param::parse("policy.jic.rule.service_level").unwrap();
        assert_eq!(resolve(&d, &whole).unwrap().current, 0.95);
        set_for_item(&mut d, &whole, "widget", 0.9).unwrap();
        assert_eq!(resolve_for_item(&d, &whole, "widget").unwrap().current, 0.9);

        // An existing own rule of another kind, a field outside `rule`, an unknown item.
        let hybrid = Param::parse("policy.hybrid.rule.safety_stock_days").unwrap();
        let e = set_for_item(&mut d, &hybrid, "widget", 5.0).unwrap_err();
        assert!(e.to_string().contains("own `kanban` rule"), "{e}");
        let reserve = Param::parse("policy.hybrid.reserve_days").unwrap();
        assert!(matches!(
            set_for_item(&mut d, &reserve, "widget", 5.0),
            Err(ParamError::NotPerItem { .. })
        ));
        let e = set_for_item(&mut d, &whole, "gadget", 0.9).unwrap_err();
        assert!(
            matches!(e, ParamError::UnknownId { kind: "item", .. }),
            "{e}"
        );
    }

    #[test]
    fn ranges_and_lists_parse_into_grids() {
        let v = Vary::parse("policy.kanban.safety_factor=0..1").unwrap();
        assert_eq!(v.values.len(), DEFAULT_STEPS);
        assert_eq!(v.values[3], 0.3);
        assert_eq!(v.param.as_str(), "policy.kanban.safety_factor");
        let v = Vary::parse("simulation.horizon_days = 400..100:4").unwrap();
        assert_eq!(v.values, [400.0, 300.0, 200.0, 100.0]);
        let v = Vary::parse("item.widget.demand.sd=1,2.5,-1e-1").unwrap();
        assert_eq!(v.values, [1.0, 2.5, -0.1]);
        let v = Vary::parse("disruption.port.duration_days.mean=10..12:5").unwrap();
        assert_eq!(v.for_target(true), [10.0, 11.0, 12.0]);
        assert_eq!(v.for_target(false).len(), 5);

        for (text, fragment) in [
            ("policy.kanban.safety_factor", "no `=`"),
            ("policy.kanban.safety_factor=0..1:1", "STEPS must be"),
            ("policy.kanban.safety_factor=0..1:x", "not a whole number"),
            ("policy.kanban.safety_factor=1..1", "the same"),
            ("policy.kanban.safety_factor=0..", "missing"),
            (
                "policy.kanban.safety_factor=a..1",
                "`a` is not a finite number",
            ),
            ("policy.kanban.safety_factor=1,,2", "missing"),
            ("policy.kanban.safety_factor=nan", "not a finite number"),
        ] {
            let e = Vary::parse(text).unwrap_err();
            assert!(e.to_string().contains(fragment), "{text}: {e}");
        }
        let e = Vary::parse("x=1").unwrap_err();
        assert!(matches!(e, ParamError::UnknownKind { .. }));
        assert!(
            ParamError::BadRange {
                text: "x".into(),
                reason: "r".into()
            }
            .to_string()
            .contains("PARAM=FROM..TO[:STEPS]")
        );
    }

    #[test]
    fn json_documents_keep_their_policy_order() {
        let json = r#"{"simulation": {"runs": 10}, "policy": {"zeta": {"rule": {"kanban": {"safety_factor": 0.2}}},
            "alpha": {"rule": {"kanban": {"containers": 3}}}}}"#;
        let path = Path::new("s.json");
        let mut d = parse_document(json, path).unwrap();
        set(
            &mut d,
            &Param::parse("policy.alpha.containers").unwrap(),
            4.2,
        )
        .unwrap();
        let text = to_source(&d, path).unwrap();
        assert!(text.find("zeta") < text.find("alpha"), "{text}");
        assert!(text.contains("\"containers\": 4"), "{text}");
    }
}
