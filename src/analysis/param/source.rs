//! The scenario as text and as a document: TOML or JSON (by the path's extension) read into
//! one `toml::Value`, written back in the same format, and validated as a scenario exactly like
//! a file ([`scenario_from`], [`scenario_with`]).
//!
//! Apart from the field access because it is the only part that knows about files, formats and
//! validation; the rest of the module works on the document alone.

use std::path::Path;

use anyhow::Context as _;
use toml::{Table, Value};

use crate::model::scenario::{Scenario, ScenarioError};

use super::access::set;
use super::{Param, ParamError};

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
        line: None,
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

#[cfg(test)]
mod tests {
    use super::*;

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
