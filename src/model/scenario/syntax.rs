//! Messages for a scenario that does not parse or has the wrong shape, in a planner's words.
//!
//! The parsers name Rust types ("expected f64", "expected i64", "struct RawItem") and, for a
//! field that takes one of several forms, only the shape they wanted ("wanted string or table"
//! from toml, "expected value" from serde_json for `"lead_time": 2`). The types become words
//! ("a number", "a whole number"), and a field that takes one of several forms — a days
//! distribution, a demand model, an order quantity, a surge factor, a rule, an effect, an
//! occurrence — given something else gets an example of the form it takes, written in the
//! file's own format, with the value found where it fits (`lead_time = 2` is told
//! `lead_time = { fixed = 2 }`).

use super::lines::Fields;

/// The file's format, for the words and examples of messages.
#[derive(Clone, Copy, PartialEq)]
enum Format {
    Toml,
    Json,
}

/// The message for a TOML text that does not deserialize.
pub(super) fn toml_message(error: &toml::de::Error, source: &str) -> String {
    let message = plain_words(&error.to_string(), Format::Toml);
    let hint = error.span().and_then(|span| {
        let fields = Fields::toml(source)?;
        hint_at(&fields, source, span.start, error.message(), Format::Toml)
    });
    with_hint(message, hint)
}

/// The message for a JSON text that does not deserialize; `fields` when the text is
/// well-formed JSON.
pub(super) fn json_message(
    error: &serde_json::Error,
    source: &str,
    fields: Option<&Fields>,
) -> String {
    let message = plain_words(&error.to_string(), Format::Json);
    let hint = fields.and_then(|fields| {
        let offset = offset_of(source, error.line(), error.column())?;
        hint_at(fields, source, offset, &message, Format::Json)
    });
    with_hint(message, hint)
}

fn with_hint(message: String, hint: Option<String>) -> String {
    match hint {
        Some(hint) => format!("{}\n{hint}", message.trim_end()),
        None => message.trim_end().to_string(),
    }
}

/// Byte offset of a 1-based line and column (serde_json counts columns in bytes).
fn offset_of(source: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = source
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    Some(start + column.saturating_sub(1))
}

/// The parsers' names of Rust types, as words.
fn plain_words(message: &str, format: Format) -> String {
    let table = match format {
        Format::Toml => "a table",
        Format::Json => "an object",
    };
    let mut out = message
        .replace("expected f64", "expected a number")
        .replace("expected f32", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected i32", "expected a whole number")
        .replace("expected u64", "expected a whole number of zero or more")
        .replace("expected u32", "expected a whole number of zero or more")
        .replace("expected usize", "expected a whole number of zero or more")
        .replace("expected a map", &format!("expected {table}"))
        .replace("expected a sequence", "expected a list")
        .replace("wanted string or table", "expected a string or a table");
    // `struct RawItem`, `enum RawDays`: the shape, not the type's name.
    for (kind, words) in [("struct Raw", table), ("enum Raw", "one of its forms")] {
        while let Some(at) = out.find(kind) {
            let end = out[at + kind.len()..]
                .find(|c: char| !c.is_alphanumeric())
                .map_or(out.len(), |n| at + kind.len() + n);
            out.replace_range(at..end, words);
        }
    }
    out
}

/// The example for the field at `offset`, if it takes one of several forms and the message
/// does not already list them.
fn hint_at(
    fields: &Fields,
    source: &str,
    offset: usize,
    message: &str,
    format: Format,
) -> Option<String> {
    let lists_them = ["unknown variant", "unknown field", "missing field"]
        .iter()
        .any(|m| message.contains(m));
    if lists_them {
        return None;
    }
    let (field, found) = fields.field_at(source, offset)?;
    hint(field, found.trim(), format)
}

/// A field that takes one of several forms: what it is, and how it is written.
fn hint(field: &str, found: &str, format: Format) -> Option<String> {
    let segments: Vec<&str> = field
        .split('.')
        .map(|s| s.split('[').next().unwrap_or(s))
        .collect();
    let key = *segments.last()?;
    let number = |default: &str| {
        let n = found.trim_matches('"');
        if n.parse::<f64>().is_ok_and(f64::is_finite) {
            n.to_string()
        } else {
            default.to_string()
        }
    };
    let whole = |default: &str| {
        let n = found.trim_matches('"');
        if n.parse::<u32>().is_ok() {
            n.to_string()
        } else {
            default.to_string()
        }
    };
    // (what it is, the example in TOML, the example in JSON, what else it may be)
    let (what, toml, json, rest): (&str, String, String, &str) = match segments.as_slice() {
        ["supplier", "lead_time" | "lateness"]
        | ["disruption", "effect", "transport_delay", "extra_days"]
        | ["disruption", "occurrence", "random", "duration_days"] => {
            let n = whole("2");
            (
                "a days distribution",
                format!("{key} = {{ fixed = {n} }}"),
                format!("\"{key}\": {{\"fixed\": {n}}}"),
                "for always the same number of days; or uniform, triangular, lognormal or \
                 empirical (README, \"Days distributions\")",
            )
        }
        ["item", "demand"] => {
            let n = number("50");
            (
                "a demand model",
                format!("demand = {{ deterministic = {n} }}"),
                format!("\"demand\": {{\"deterministic\": {n}}}"),
                "for the same demand every day; or normal, poisson, negative_binomial, \
                 lognormal, uniform, empirical or trace (README, \"Demand models\")",
            )
        }
        [
            "policy",
            _,
            "rule" | "items",
            ..,
            "reorder_point",
            "quantity",
        ] => {
            let n = number("300");
            (
                "the quantity ordered",
                format!("quantity = {{ fixed = {n} }}"),
                format!("\"quantity\": {{\"fixed\": {n}}}"),
                "for lots of that size; or \"eoq\", or { order_up_to = … } (README, \"Policies\")",
            )
        }
        ["disruption", "effect", "demand_surge", "factor"] => {
            let n = number("1.8");
            (
                "a surge factor",
                format!("factor = {{ fixed = {n} }}"),
                format!("\"factor\": {{\"fixed\": {n}}}"),
                "for the same factor every event; or uniform or triangular \
                 (README, \"[[disruption]]\")",
            )
        }
        ["policy", _, "rule"] | ["policy", _, "items", _] => (
            "a replenishment rule",
            format!("{key} = {{ base_stock = {{ service_level = 0.95 }} }}"),
            format!("\"{key}\": {{\"base_stock\": {{\"service_level\": 0.95}}}}"),
            "or kanban, min_max, reorder_point, periodic_review, s_s or r_q, each a table of \
             its fields (README, \"Policies\")",
        ),
        ["disruption", "effect"] => (
            "what the disruption does",
            "effect = { supplier_outage = { supplier = \"acme\" } }".into(),
            "\"effect\": {\"supplier_outage\": {\"supplier\": \"acme\"}}".into(),
            "or capacity_cut, regional_event, transport_delay, lead_time_drift, \
             quality_rejection or demand_surge (README, \"[[disruption]]\")",
        ),
        ["disruption", "occurrence"] => (
            "when the disruption happens",
            "occurrence = { scheduled = { start_day = 120, duration_days = 30 } }".into(),
            "\"occurrence\": {\"scheduled\": {\"start_day\": 120, \"duration_days\": 30}}".into(),
            "or random or markov (README, \"[[disruption]]\")",
        ),
        ["item", "units"] => (
            "how demand is counted",
            "units = \"whole\"".into(),
            "\"units\": \"whole\"".into(),
            "or \"continuous\"",
        ),
        ["simulation", "unmet_demand"] => (
            "what happens to demand that cannot be served",
            "unmet_demand = \"backorder\"".into(),
            "\"unmet_demand\": \"backorder\"".into(),
            "or \"lost\"",
        ),
        _ => return None,
    };
    let example = match format {
        Format::Toml => toml,
        Format::Json => json,
    };
    Some(format!(
        "{field} is {what}, written e.g. `{example}` {rest}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_become_words() {
        assert_eq!(
            plain_words("invalid type: string \"x\", expected f64", Format::Toml),
            "invalid type: string \"x\", expected a number"
        );
        assert_eq!(
            plain_words(
                "invalid type: integer `5`, expected struct RawSimulation",
                Format::Json
            ),
            "invalid type: integer `5`, expected an object"
        );
    }

    #[test]
    fn a_form_is_suggested_with_the_value_found() {
        assert_eq!(
            hint("supplier[0].lead_time", "2", Format::Toml).unwrap(),
            "supplier[0].lead_time is a days distribution, written e.g. \
             `lead_time = { fixed = 2 }` for always the same number of days; or uniform, \
             triangular, lognormal or empirical (README, \"Days distributions\")"
        );
        assert!(
            hint("item[3].demand", "12.5", Format::Json)
                .unwrap()
                .contains("`\"demand\": {\"deterministic\": 12.5}`")
        );
        assert!(
            hint(
                "policy.a.items.w.reorder_point.quantity",
                "40",
                Format::Toml
            )
            .unwrap()
            .contains("`quantity = { fixed = 40 }`")
        );
        assert_eq!(hint("item[0].unit_cost", "\"x\"", Format::Toml), None);
    }
}
