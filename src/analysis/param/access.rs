//! Reading and writing the field a PARAM names in a scenario document: the entity found by
//! kind and id ([`resolve`] and its errors), the value written back (rounded when integral; a
//! virtual mean shifts its distribution), and the per-item variants that give one item of a
//! policy its own rule ([`resolve_for_item`], [`set_for_item`]).
//!
//! The document is a `toml::Value` whether the scenario was TOML or JSON; turning text into a
//! document and back is `source.rs`'s job, deciding which field a path names is `fields.rs`'s.

use toml::{Table, Value};

use super::fields::{Access, Field, as_number, fields, find, join_path, short_path};
use super::{EntityKind, Param, ParamError, quote};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::param::test_support::{doc, target, value_after};

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
}
