//! Structure-aware mutations of a scenario document (a TOML tree): the mistakes people make in
//! a scenario and the values no one thought of, each applied where it means something — a
//! number set to an extreme, a value of another type, a table or an `[[item]]` deleted or
//! given twice, a key misspelt, a table taken from another scenario.
//!
//! Nothing here knows the scenario format: the seeds are the grammar. Keys to rename to, text
//! to put in and tables to splice in all come from the seed scenarios, so a new field of the
//! format is fuzzed as soon as an example uses it.

use rand::RngExt;
use rand::seq::IndexedRandom;
use toml::Value;

use super::harness::Rng;

/// One step from a node to a child: a table's key, or an array's position.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// Where a node is, from the root down.
type Path = Vec<Step>;

/// `item[1].demand.normal.mean`.
fn written(path: &[Step]) -> String {
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

/// Every node under `value`, parents before children, with its path below `prefix`.
fn nodes(value: &Value, prefix: &mut Path, out: &mut Vec<Path>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Table(t) => t.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect(),
        _ => Vec::new(),
    };
    for (step, child) in children {
        prefix.push(step);
        out.push(prefix.clone());
        nodes(child, prefix, out);
        prefix.pop();
    }
}

fn all_nodes(root: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    nodes(root, &mut Vec::new(), &mut out);
    out
}

fn get<'v>(root: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(root, |node, step| match (node, step) {
        (Value::Table(t), Step::Key(k)) => t.get(k),
        (Value::Array(a), Step::Index(i)) => a.get(*i),
        _ => None,
    })
}

fn get_mut<'v>(root: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(root, |node, step| match (node, step) {
        (Value::Table(t), Step::Key(k)) => t.get_mut(k),
        (Value::Array(a), Step::Index(i)) => a.get_mut(*i),
        _ => None,
    })
}

/// Take the node at `path` out of its parent.
fn remove(root: &mut Value, path: &[Step]) -> Option<Value> {
    let (last, parent) = path.split_last()?;
    match (get_mut(root, parent)?, last) {
        (Value::Table(t), Step::Key(k)) => t.remove(k),
        (Value::Array(a), Step::Index(i)) if *i < a.len() => Some(a.remove(*i)),
        _ => None,
    }
}

/// Put `value` into the table or array at `parent`: under `key` in a table, at `index` (or the
/// end) of an array. False when `parent` is neither.
fn insert(root: &mut Value, parent: &[Step], key: &str, index: usize, value: Value) -> bool {
    match get_mut(root, parent) {
        Some(Value::Table(t)) => {
            t.insert(key.to_string(), value);
            true
        }
        Some(Value::Array(a)) => {
            a.insert(index.min(a.len()), value);
            true
        }
        _ => false,
    }
}

/// Whole numbers at and beyond the edges of every range the format has: days (3,650,
/// 36,500), containers (1,000,000), runs (10⁹), what an `i64`, a `u32` and a double hold
/// exactly.
const INTEGERS: &[i64] = &[
    0,
    -1,
    1,
    2,
    7,
    364,
    365,
    3_650,
    3_651,
    36_500,
    36_501,
    1_000_000,
    1_000_001,
    1_000_000_000,
    1_000_000_001,
    u32::MAX as i64,
    u32::MAX as i64 + 1,
    (1 << 53) + 1,
    i64::MAX,
    i64::MAX - 1,
    i64::MIN,
];

/// Decimal numbers at and beyond the edges: the smallest positive quantity (0.000001), 10⁹
/// money, 10¹² quantities, 10¹⁵ stock levels, 100 multipliers, probabilities at 0 and 1, the
/// smallest and largest doubles, and the three values that are not finite.
const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    -1.0,
    0.5,
    0.999_999_999,
    1.000_000_001,
    1e-6,
    9.99e-7,
    1e-9,
    1e9,
    1.000_001e9,
    1e12,
    1.000_001e12,
    1e15,
    1e16,
    100.0,
    100.000_001,
    3650.5,
    1e-308,
    5e-324,
    f64::MIN_POSITIVE,
    1e308,
    -1e308,
    f64::MAX,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

/// Text to put where something else belongs: empty, blank, digits, words the format knows as
/// other choices, non-ASCII, long, control characters. Never a word that spells a non-finite
/// number, so that such a word in an output is always a defect (see `finite`).
const TEXTS: &[&str] = &[
    "",
    " ",
    "x",
    "0",
    "1.5",
    "1e308",
    "true",
    "eoq",
    "lost",
    "backorder",
    "whole",
    "continuous",
    "ü-名前",
    "tab\there",
    "line\nbreak",
    "quote\"'",
    "\u{0}",
    "\u{202e}rtl",
];

/// The mutations, and the material they draw on.
pub struct Mutator {
    /// Every seed document, for splices.
    donors: Vec<(String, Value)>,
    /// Every key the seeds use, for renames to a key that exists elsewhere.
    keys: Vec<String>,
    /// Every text value of the seeds (ids, names, regions), for cross-references that point
    /// at the wrong kind of thing.
    texts: Vec<String>,
}

impl Mutator {
    /// A mutator drawing on these seeds (name, document).
    pub fn new(seeds: &[(String, Value)]) -> Mutator {
        let mut keys = std::collections::BTreeSet::new();
        let mut texts = std::collections::BTreeSet::new();
        for (_, doc) in seeds {
            for path in all_nodes(doc) {
                if let Some(Step::Key(k)) = path.last() {
                    keys.insert(k.clone());
                }
                if let Some(Value::String(s)) = get(doc, &path) {
                    texts.insert(s.clone());
                }
            }
        }
        Mutator {
            donors: seeds.to_vec(),
            keys: keys.into_iter().collect(),
            texts: texts.into_iter().collect(),
        }
    }

    /// Apply one mutation to `doc`, saying what it did in `recipe`.
    pub fn mutate(&self, doc: &mut Value, rng: &mut Rng, recipe: &mut Vec<String>) {
        let paths = all_nodes(doc);
        let Some(path) = paths.choose(rng).cloned() else {
            // Everything was deleted: start again from a donor's table.
            let (name, donor) = self.donors.choose(rng).expect("seeds");
            *doc = donor.clone();
            recipe.push(format!("the document was empty: replace it with {name}"));
            return;
        };
        let numbers: Vec<&Path> = paths
            .iter()
            .filter(|p| matches!(get(doc, p), Some(Value::Integer(_) | Value::Float(_))))
            .collect();
        match rng.random_range(0..16) {
            0..=4 => {
                let path = numbers.choose(rng).copied().unwrap_or(&path).clone();
                let value = self.extreme(get(doc, &path), rng);
                recipe.push(format!("set {} = {}", written(&path), shown(&value)));
                *get_mut(doc, &path).expect("a node") = value;
            }
            5..=6 => {
                let value = self.other_type(get(doc, &path).expect("a node"), rng);
                recipe.push(format!("retype {} as {}", written(&path), shown(&value)));
                *get_mut(doc, &path).expect("a node") = value;
            }
            7..=8 => {
                remove(doc, &path);
                recipe.push(format!("delete {}", written(&path)));
            }
            9..=10 => self.duplicate(doc, &path, recipe),
            11..=12 => self.splice(doc, rng, recipe),
            13..=14 => self.rename(doc, &path, rng, recipe),
            _ => self.swap_siblings(doc, &path, rng, recipe),
        }
    }

    /// A number at an edge, or a multiple of `current`: whole if `current` is (mostly), so that
    /// the value gets past the parser and reaches the range checks.
    fn extreme(&self, current: Option<&Value>, rng: &mut Rng) -> Value {
        let whole = matches!(current, Some(Value::Integer(_)));
        let base = match current {
            Some(Value::Integer(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            _ => 1.0,
        };
        match rng.random_range(0..10) {
            0..=1 => {
                // Near the value the seed had: a slip of a digit, a sign, half a day.
                let factor = *[1e6, 1e-6, -1.0, 10.0, 0.1].choose(rng).expect("factors");
                let near = if rng.random_bool(0.3) {
                    base + 0.5
                } else {
                    base * factor
                };
                if whole && near.fract() == 0.0 && near.abs() < 9e18 {
                    Value::Integer(near as i64)
                } else {
                    Value::Float(near)
                }
            }
            k => {
                // Mostly the type the seed had; sometimes the other (`runs = 10.5`).
                let integer = if whole { k < 9 } else { k >= 9 };
                if integer {
                    Value::Integer(*INTEGERS.choose(rng).expect("integers"))
                } else {
                    Value::Float(*FLOATS.choose(rng).expect("floats"))
                }
            }
        }
    }

    /// A value of a different type than `current`.
    fn other_type(&self, current: &Value, rng: &mut Rng) -> Value {
        loop {
            let value = match rng.random_range(0..9) {
                0 => Value::String((*TEXTS.choose(rng).expect("texts")).to_string()),
                1 => Value::String(self.texts.choose(rng).cloned().unwrap_or_default()),
                2 => Value::String("a".repeat(300)),
                3 => Value::Boolean(rng.random_bool(0.5)),
                4 => Value::Integer(*INTEGERS.choose(rng).expect("integers")),
                5 => Value::Float(*FLOATS.choose(rng).expect("floats")),
                6 => Value::Array(match rng.random_range(0..3) {
                    0 => Vec::new(),
                    1 => vec![current.clone()],
                    _ => vec![current.clone(), Value::Integer(1)],
                }),
                7 => {
                    let mut table = toml::Table::new();
                    if rng.random_bool(0.5) {
                        let key = self.keys.choose(rng).cloned().unwrap_or_default();
                        table.insert(key, current.clone());
                    }
                    Value::Table(table)
                }
                _ => Value::Datetime("2024-02-29T07:30:00Z".parse().expect("a datetime")),
            };
            if value.type_str() != current.type_str() {
                return value;
            }
        }
    }

    /// Give an array's element twice (a second `[[item]]` with the same id), or a table's
    /// entry under a second name (a copy of a policy).
    fn duplicate(&self, doc: &mut Value, path: &[Step], recipe: &mut Vec<String>) {
        let Some((last, parent)) = path.split_last() else {
            return;
        };
        let copy = get(doc, path).expect("a node").clone();
        let (key, index) = match last {
            Step::Key(k) => (format!("{k}-copy"), 0),
            Step::Index(i) => (String::new(), i + 1),
        };
        if insert(doc, parent, &key, index, copy) {
            recipe.push(format!("duplicate {}", written(path)));
        }
    }

    /// Take a node of another seed (or this one) and put it in the same place here: a table
    /// from another scenario, a second supplier, a disruption that names suppliers this
    /// scenario does not have.
    fn splice(&self, doc: &mut Value, rng: &mut Rng, recipe: &mut Vec<String>) {
        let (name, donor) = self.donors.choose(rng).expect("seeds");
        let Some(from) = all_nodes(donor).choose(rng).cloned() else {
            return;
        };
        let value = get(donor, &from).expect("a node").clone();
        let (last, parent) = from.split_last().expect("below the root");
        let (key, index) = match last {
            Step::Key(k) => (k.clone(), 0),
            Step::Index(i) => (String::new(), *i),
        };
        if insert(doc, parent, &key, index, value.clone()) {
            recipe.push(format!("splice {} from {name}", written(&from)));
        } else if let Step::Key(top) = &from[0] {
            // This document lacks the place: put the donor's whole top-level entry in.
            let top_value = get(donor, &from[..1]).expect("a node").clone();
            insert(doc, &[], top, 0, top_value);
            recipe.push(format!("splice {top} from {name}"));
        }
    }

    /// Misspell a key, or swap it for another key of the format. An array element has no key:
    /// it is given twice instead.
    fn rename(&self, doc: &mut Value, path: &[Step], rng: &mut Rng, recipe: &mut Vec<String>) {
        let Some((Step::Key(key), parent)) = path.split_last() else {
            return self.duplicate(doc, path, recipe);
        };
        let new = if rng.random_bool(0.5) {
            self.keys.choose(rng).cloned().unwrap_or_default()
        } else {
            typo(key, rng)
        };
        let value = remove(doc, path).expect("a node");
        insert(doc, parent, &new, 0, value);
        recipe.push(format!("rename {} to '{new}'", written(path)));
    }

    /// Swap the values of two keys of one table (`min` and `max`, `start_day` and
    /// `duration_days`), or two elements of an array.
    fn swap_siblings(
        &self,
        doc: &mut Value,
        path: &[Step],
        rng: &mut Rng,
        recipe: &mut Vec<String>,
    ) {
        let Some((_, parent)) = path.split_last() else {
            return;
        };
        match get_mut(doc, parent) {
            Some(Value::Table(t)) if t.len() >= 2 => {
                let keys: Vec<String> = t.keys().cloned().collect();
                let a = keys.choose(rng).expect("keys").clone();
                let b = keys.choose(rng).expect("keys").clone();
                let va = t.get(&a).expect("a key").clone();
                let vb = t.insert(b.clone(), va).expect("a key");
                t.insert(a.clone(), vb);
                recipe.push(format!("swap {a} and {b} in {}", written(parent)));
            }
            Some(Value::Array(arr)) if arr.len() >= 2 => {
                let i = rng.random_range(0..arr.len());
                let j = rng.random_range(0..arr.len());
                arr.swap(i, j);
                recipe.push(format!("swap elements {i} and {j} of {}", written(parent)));
            }
            _ => {
                remove(doc, path);
                recipe.push(format!("delete {}", written(path)));
            }
        }
    }
}

/// A value for a recipe: floats as Rust writes them short (`5e-324`, not 324 digits), long
/// values cut.
fn shown(value: &Value) -> String {
    let text = match value {
        Value::Float(f) => format!("{f:?}"),
        other => other.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(80).collect::<String>())
    } else {
        text
    }
}

/// A slip of the keyboard: a letter dropped, doubled or swapped, the wrong case, `-` for `_`,
/// a plural.
pub fn typo(word: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = word.chars().collect();
    if chars.is_empty() {
        return "x".into();
    }
    let k = rng.random_range(0..chars.len());
    let mut out = chars.clone();
    match rng.random_range(0..6) {
        0 => {
            out.remove(k);
        }
        1 => out.insert(k, chars[k]),
        2 if chars.len() >= 2 => out.swap(k, (k + 1) % chars.len()),
        3 => return word.to_uppercase(),
        4 if word.contains(['_', '-']) => {
            let swapped = |c| match c {
                '_' => '-',
                '-' => '_',
                c => c,
            };
            return word.chars().map(swapped).collect();
        }
        _ => return format!("{word}s"),
    }
    out.into_iter().collect()
}
