//! The promise every output keeps: no number that is not finite.
//!
//! Texts (CSV, Markdown, HTML, SVG, TOML, the terminal) must not spell one: Rust writes NaN and
//! infinity as `NaN`, `inf` and `-inf`, TOML as `nan` and `inf`. JSON cannot spell one at all:
//! serde_json writes a non-finite number as `null`, silently, so in summary.json a `null` is
//! allowed only where the README documents one (a figure with no defined value, such as the
//! days of supply of a kanban loop for an item without demand).

use std::collections::BTreeSet;

use super::harness::Broken;

/// Words that spell a non-finite number, compared without regard to case.
const NON_FINITE: [&str; 3] = ["nan", "inf", "infinity"];

/// The words of a text: runs of letters and digits (`-inf` is the word `inf`, `NaN%` is `NaN`).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

fn non_finite(word: &str) -> bool {
    NON_FINITE.iter().any(|n| word.eq_ignore_ascii_case(n))
}

/// The non-finite words an input holds as names or text (an item called `inf`, a cell reading
/// `NaN` that became an item id): outputs may echo those, so they are not held against them.
/// Numbers of the input are not names: a `nan` given as a number must never reach an output.
#[derive(Default)]
pub struct Echoes(BTreeSet<String>);

impl Echoes {
    /// The non-finite words among `texts` (the input's names, keys and cells).
    pub fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Echoes {
        Echoes(
            texts
                .into_iter()
                .flat_map(words)
                .filter(|w| non_finite(w))
                .map(str::to_ascii_lowercase)
                .collect(),
        )
    }
}

/// Fails when `text`, the output `name`, spells a non-finite number that is not an echo of the
/// input. Defects are classed by `name`, so give the kind of file ("report.md"), not its path.
pub fn no_non_finite_words(name: &str, text: &str, echoes: &Echoes) -> Result<(), Broken> {
    let found = text.lines().enumerate().find_map(|(k, line)| {
        words(line)
            .find(|w| non_finite(w) && !echoes.0.contains(&w.to_ascii_lowercase()))
            .map(|w| (k + 1, w, line))
    });
    match found {
        None => Ok(()),
        Some((line_number, word, line)) => {
            let line: String = line.trim().chars().take(300).collect();
            Err(Broken::new(
                format!("non-finite number written to {name}"),
                format!("'{word}' in {name}, line {line_number}: {line}"),
            ))
        }
    }
}

/// Fails when summary.json holds a `null` where the README promises a number: anywhere but
/// the documented optional figures.
pub fn nulls_only_where_documented(json: &str) -> Result<(), Broken> {
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| Broken::new("summary.json is not JSON", e.to_string()))?;
    match undocumented_null(&value, &mut Vec::new()) {
        None => Ok(()),
        Some(at) => Err(Broken::new(
            format!("null in summary.json at {}", shape_of(&at)),
            format!("summary.json has null at {at}, where a number is promised"),
        )),
    }
}

/// The figures of summary.json that may be `null`: the resilience figures (overall and per
/// disruption) and the share of runs with events when no run had (or every run had) an event, the tail when it cannot be
/// estimated, a kanban loop's days of supply for an item without demand, and a month's figures
/// when the month had no demand in any run (README, "Output files"). `path` holds the keys down to the `null`, array positions left out.
fn documented_null(path: &[&str]) -> bool {
    matches!(
        path,
        [
            ..,
            "stockout_rate_disrupted_runs"
                | "stockout_rate_undisrupted_runs"
                | "worst_runs"
                | "runs_with_events"
                | "stockout_rate_struck_runs"
                | "stockout_rate_other_runs"
        ] | [.., "kanban", "days_of_supply"]
            | [
                ..,
                "by_month",
                "stockout_rate" | "fill_rate" | "days_of_supply"
            ]
    )
}

/// One step down a JSON document.
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The path of the first undocumented `null` in `value`, e.g. `policies[0].metrics.fill_rate`.
fn undocumented_null<'a>(value: &'a serde_json::Value, path: &mut Vec<Step<'a>>) -> Option<String> {
    match value {
        serde_json::Value::Null => {
            let keys: Vec<&str> = path
                .iter()
                .filter_map(|s| match s {
                    Step::Key(k) => Some(*k),
                    Step::Index(_) => None,
                })
                .collect();
            (!documented_null(&keys)).then(|| written(path))
        }
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(k, v)| {
            path.push(Step::Index(k));
            let found = undocumented_null(v, path);
            path.pop();
            found
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(key, v)| {
            // An interval's ends are null where it cannot be computed: an estimate from a
            // single run (README, "Metrics"); a tail has no count of its own beside them.
            let interval_end = key.ends_with("ci95_low") || key.ends_with("ci95_high");
            let single_run = map
                .get("n")
                .and_then(serde_json::Value::as_u64)
                .is_none_or(|n| n < 2);
            if v.is_null() && interval_end && single_run {
                return None;
            }
            path.push(Step::Key(key));
            let found = undocumented_null(v, path);
            path.pop();
            found
        }),
        _ => None,
    }
}

/// `policies[0].metrics.fill_rate`.
fn written(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) if out.is_empty() => out.push_str(k),
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A path without its positions (`policies[2].metrics.x` → `policies[].metrics.x`), so that
/// one defect is one class whichever policy or item shows it.
fn shape_of(path: &str) -> String {
    let mut shape = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                shape.push_str("[]");
            }
            ']' => in_index = false,
            _ if !in_index => shape.push(c),
            _ => {}
        }
    }
    shape
}
