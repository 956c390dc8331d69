//! The numeric fields of one entity of a scenario document, and which of them a PARAM's field
//! path names: every number in file order with its full key path, the virtual `mean` of a
//! distribution that has none, the absent optional fields with a documented default, whether
//! each is integral, and the shortest path that names each alone (for error messages).
//!
//! Only the entity's table is looked at here, never the document around it or the text: the
//! rules of the module documentation's **Field paths**, **Virtual `mean`**, **Whole numbers**
//! and **Defaults** in one place, with the tables of keys they depend on.

use toml::{Table, Value};

use super::{EntityKind, quote};

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
const INTEGER_FIELDS: [&str; 15] = [
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
    "order_cycle_days",
    "shelf_life_days",
    "every_days",
];

/// Optional top-level fields with a documented numeric default (README, "Scenario format"):
/// kind, field, default, integral.
const DEFAULTS: [(EntityKind, &str, f64, bool); 17] = [
    (EntityKind::Simulation, "horizon_days", 365.0, true),
    (EntityKind::Simulation, "warmup_days", 0.0, true),
    (EntityKind::Simulation, "runs", 1000.0, true),
    // Not offered beside `start_date`, which gives it (see `ALTERNATIVES`).
    (EntityKind::Simulation, "start_day_of_year", 0.0, true),
    (EntityKind::Supplier, "on_time_probability", 1.0, false),
    (EntityKind::Supplier, "min_order_quantity", 0.0, false),
    (EntityKind::Supplier, "rejection_probability", 0.0, false),
    (EntityKind::Supplier, "unit_cost_premium", 0.0, false),
    (EntityKind::Supplier, "min_order_value", 0.0, false),
    (EntityKind::Supplier, "delivery_cost", 0.0, false),
    // Every day; not offered beside `order_days` (see `ALTERNATIVES`).
    (EntityKind::Supplier, "order_cycle_days", 1.0, true),
    (EntityKind::Item, "carrying_rate", 0.25, false),
    (EntityKind::Item, "order_cost", 0.0, false),
    (EntityKind::Item, "stockout_penalty", 0.0, false),
    (EntityKind::Item, "trend_per_year", 0.0, false),
    (EntityKind::Item, "obsolescence_rate", 0.0, false),
    (EntityKind::Policy, "reserve_days", 0.0, false),
];

/// Defaults left out when the entity has the field they are an alternative to (kind, default,
/// the other field): a supplier takes orders on weekdays or every R days, not both, so a
/// supplier with `order_days` has no `order_cycle_days` to set; a scenario with `start_date`
/// has its day of the year from the date.
const ALTERNATIVES: [(EntityKind, &str, &str); 2] = [
    (EntityKind::Supplier, "order_cycle_days", "order_days"),
    (EntityKind::Simulation, "start_day_of_year", "start_date"),
];

/// How a field's value is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Access {
    /// A number at the path.
    Number,
    /// The virtual mean of the distribution table at the path less its last key.
    Mean,
    /// An optional field the entity leaves out; setting it adds it.
    Default,
}

/// One numeric field of an entity.
#[derive(Clone, Debug)]
pub(super) struct Field {
    /// Key path within the entity.
    pub(super) keys: Vec<String>,
    /// Whether each key is the only key of its table (a variant that may be left out).
    sole: Vec<bool>,
    pub(super) current: f64,
    pub(super) integral: bool,
    pub(super) access: Access,
}

/// Every numeric field of an entity, in file order, then the absent defaults.
pub(super) fn fields(entity: &Table, kind: EntityKind) -> Vec<Field> {
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
        let replaced = ALTERNATIVES
            .iter()
            .any(|&(k2, field, other)| k2 == kind && field == name && entity.contains_key(other));
        if k == kind && !entity.contains_key(name) && !replaced {
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

pub(super) fn as_number(value: &Value) -> Option<f64> {
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
pub(super) fn find<'a>(query: &[String], all: &'a [Field]) -> Vec<&'a Field> {
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
pub(super) fn short_path(kind: EntityKind, field: &Field, all: &[Field]) -> Vec<String> {
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

pub(super) fn join_path(prefix: &str, keys: &[String]) -> String {
    let mut out = prefix.to_string();
    for k in keys {
        out.push('.');
        out.push_str(&quote(k));
    }
    out
}

/// The rules are checked as a sweep meets them: through `resolve` on the shared test document.
#[cfg(test)]
mod tests {
    use crate::analysis::param::ParamError;
    use crate::analysis::param::test_support::{target, value_after};

    /// The fields an error lists: those available, or the candidates.
    fn listed(e: &ParamError) -> &[String] {
        match e {
            ParamError::NoField { available, .. } => available,
            ParamError::Ambiguous { candidates, .. } => candidates,
            other => panic!("{other:?}"),
        }
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
}
