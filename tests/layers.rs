//! The plan of `src/` is checked, not just drawn: every module imports only from its own layer
//! or the layers below it, and no two modules of one folder import each other, however
//! indirectly. ARCHITECTURE.md lists the layers and what each may use; this test holds the
//! code to it and names the offending import or cycle when it does not.
//!
//! What counts as an import: every `crate::…` and `super::…` path in the code (in `use` lines,
//! grouped imports and inline paths alike, unit tests included), resolved to the deepest module
//! file it names. Comments and string literals are skipped, so a doc link is not an import.
//!
//! A folder's `mod.rs` (or the `name.rs` beside a `name/` folder) is the folder itself: its
//! children may use what it declares and it may re-export them, so imports between a folder
//! and its own children are not cycles. Cycles are looked for between siblings: the files and
//! sub-folders of each folder, the layers being the siblings of `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The layers, lowest first; a module may use its own layer and those listed before it.
/// Layers of one rank (analysis and profile) may use each other, but not in a cycle.
const LAYERS: &[(&str, u32)] = &[
    ("foundation", 0),
    ("model", 1),
    ("simulation", 2),
    ("results", 3),
    ("presentation", 4),
    ("analysis", 5),
    ("profile", 5),
    ("cli", 6),
];

/// Files directly in `src/` belong to the top layer: the crate root, the binary and the CLI.
const TOP_FILES: &[&str] = &["lib.rs", "main.rs", "cli.rs"];

#[test]
fn layers_import_only_downward_and_siblings_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&src);
    assert!(
        problems.is_empty(),
        "the module plan is broken (see ARCHITECTURE.md, Layers):\n  {}",
        problems.join("\n  ")
    );
}

/// The check itself fails on an upward import and on a cycle between siblings: a tree with
/// exactly those faults, written to a temporary folder.
#[test]
fn an_upward_import_and_a_sibling_cycle_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let files: &[(&str, &str)] = &[
        (
            "lib.rs",
            "pub mod foundation;\npub mod model;\npub mod cli;\n",
        ),
        ("cli.rs", "use crate::model::scenario::Scenario;\n"),
        ("foundation/mod.rs", "pub mod math;\n"),
        // The deliberate upward import: the foundation reaching into the model, written as
        // a grouped import over two lines.
        (
            "foundation/math.rs",
            "use crate::{\n    model::scenario::MAX_LINKS,\n};\n// crate::cli::run is a comment\nconst S: &str = \"crate::cli\";\n",
        ),
        (
            "model/mod.rs",
            "pub mod scenario;\npub mod supply;\npub mod disruption;\n",
        ),
        ("model/scenario.rs", "use super::supply::Supplier;\n"),
        // supply → disruption → supply: a cycle between siblings, one of them inline.
        (
            "model/supply.rs",
            "fn f() -> crate::model::disruption::Spell { todo!() }\n",
        ),
        (
            "model/disruption.rs",
            "use super::{supply::{self, Supplier}};\n",
        ),
    ];
    for (path, text) in files {
        let path = src.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let problems = check(src);
    assert_eq!(
        problems,
        [
            "foundation/math.rs imports crate::model::scenario::MAX_LINKS: the foundation layer \
             may not use the model layer above it",
            "cycle between modules of model/: disruption → supply → disruption \
             (model/disruption.rs uses super::supply; model/supply.rs uses \
             crate::model::disruption::Spell)",
        ]
    );
}

/// Every broken rule in the tree under `src`, one line each, in a fixed order.
fn check(src: &Path) -> Vec<String> {
    let files = rust_files(src);
    let mut imports: Vec<Import> = Vec::new();
    for file in &files {
        let text = fs::read_to_string(src.join(file)).unwrap();
        let module = module_path(file);
        for path in paths_in(&code_only(&text)) {
            if let Some(target) = resolve(src, &module, &path) {
                imports.push(Import {
                    from: file.clone(),
                    written: path.join("::"),
                    target,
                });
            }
        }
    }
    let mut problems = Vec::new();
    for import in &imports {
        let (from, to) = (layer_of(&import.from), layer_of_module(&import.target));
        if let (Some(from), Some(to)) = (from, to)
            && rank(to) > rank(from)
        {
            problems.push(format!(
                "{} imports {}: the {from} layer may not use the {to} layer above it",
                import.from.display(),
                import.written
            ));
        }
    }
    problems.extend(sibling_cycles(&imports));
    problems
}

struct Import {
    /// The importing file, relative to `src/`.
    from: PathBuf,
    /// The path as written (`super::` kept), for the message.
    written: String,
    /// The module it resolves to, from the crate root (`["model", "supply"]`).
    target: Vec<String>,
}

fn rust_files(src: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(src).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The module a file defines, from the crate root: `model/demand/mod.rs` → `[model, demand]`.
fn module_path(file: &Path) -> Vec<String> {
    let mut parts: Vec<String> = file
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

/// The layer a file belongs to.
fn layer_of(file: &Path) -> Option<&'static str> {
    let first = file.iter().next()?.to_string_lossy().into_owned();
    if file.iter().count() == 1 {
        return TOP_FILES.contains(&first.as_str()).then_some("cli");
    }
    layer_named(&first)
}

/// The layer a module (from the crate root) belongs to.
fn layer_of_module(module: &[String]) -> Option<&'static str> {
    match module.first() {
        None => Some("cli"),
        Some(first) if first == "cli" => Some("cli"),
        Some(first) => layer_named(first),
    }
}

fn layer_named(name: &str) -> Option<&'static str> {
    LAYERS.iter().find(|(n, _)| *n == name).map(|(n, _)| *n)
}

fn rank(layer: &str) -> u32 {
    LAYERS.iter().find(|(n, _)| *n == layer).unwrap().1
}

/// The text with comments, string literals and character literals blanked out (each
/// replaced by a space), so that only code is searched for paths.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            // A raw string: r"…" or r#"…"#, closed by a quote and as many hashes.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push(' ');
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(' ');
        } else if c == '\'' {
            // A character literal ('x', '\n', '\'') or a lifetime ('a): only the former is skipped.
            if next == Some('\\') {
                i += 2;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push(' ');
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push(' ');
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// Every path that starts at `crate` or `super`, with groups expanded:
/// `crate::a::{b, c::{self, d}}` gives `crate::a::b`, `crate::a::c`, `crate::a::c::d`.
fn paths_in(code: &str) -> Vec<Vec<String>> {
    let tokens = tokenize(code);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts = (tokens[i] == "crate" || tokens[i] == "super")
            && tokens.get(i + 1).is_some_and(|t| t == "::")
            && (i == 0 || tokens[i - 1] != "::");
        if starts {
            let (paths, end) = parse_tree(&tokens, i, Vec::new());
            out.extend(paths);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Identifiers, `::` and single punctuation characters.
fn tokenize(code: &str) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            tokens.push("::".to_string());
            i += 2;
        } else {
            if !c.is_whitespace() {
                tokens.push(c.to_string());
            }
            i += 1;
        }
    }
    tokens
}

/// A use tree from token `i`: segments joined by `::`, ending in a name, `*` or a `{…}` group.
/// Returns the full paths and the index after the tree.
fn parse_tree(
    tokens: &[String],
    mut i: usize,
    mut prefix: Vec<String>,
) -> (Vec<Vec<String>>, usize) {
    loop {
        match tokens.get(i).map(String::as_str) {
            Some("{") => {
                let mut out = Vec::new();
                i += 1;
                loop {
                    match tokens.get(i).map(String::as_str) {
                        Some("}") | None => return (out, i + 1),
                        Some(",") => i += 1,
                        Some("self") => {
                            out.push(prefix.clone());
                            i += 1;
                        }
                        _ => {
                            let (paths, end) = parse_tree(tokens, i, prefix.clone());
                            out.extend(paths);
                            i = end;
                        }
                    }
                }
            }
            Some("*") => return (vec![prefix], i + 1),
            Some(t) if t.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                prefix.push(t.to_string());
                if tokens.get(i + 1).is_some_and(|t| t == "::") {
                    i += 2;
                } else {
                    return (vec![prefix], i + 1);
                }
            }
            _ => return (vec![prefix], i),
        }
    }
}

/// The deepest module file a path names, from the crate root, or `None` for a path that
/// leaves the crate (none do) or names nothing in `src`.
fn resolve(src: &Path, module: &[String], path: &[String]) -> Option<Vec<String>> {
    let mut base: Vec<String> = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("super") => {
            base = module.to_vec();
            while rest.first().is_some_and(|s| s == "super") {
                base.pop()?;
                rest = &rest[1..];
            }
        }
        _ => return None,
    }
    for segment in rest {
        let mut candidate = base.clone();
        candidate.push(segment.clone());
        if module_file(src, &candidate).is_some() {
            base = candidate;
        } else {
            break;
        }
    }
    Some(base)
}

fn module_file(src: &Path, module: &[String]) -> Option<PathBuf> {
    if module.is_empty() {
        return Some(src.join("lib.rs"));
    }
    let joined: PathBuf = module.iter().collect();
    [
        src.join(&joined).with_extension("rs"),
        src.join(&joined).join("mod.rs"),
    ]
    .into_iter()
    .find(|p| p.is_file())
}

/// Cycles among the children of every folder: `a` → `b` when a file in `a` imports a module in
/// `b` (a child being a file or a sub-folder, with the `name.rs` beside a `name/` folder).
fn sibling_cycles(imports: &[Import]) -> Vec<String> {
    // For each folder (as a module path), the edges between its children, with one import
    // that makes each edge, for the message.
    type Edges = BTreeMap<(String, String), String>;
    let mut folders: BTreeMap<Vec<String>, Edges> = BTreeMap::new();
    for import in imports {
        let from = module_path(&import.from);
        let to = &import.target;
        // The deepest folder both lie strictly inside; the children of it that hold each.
        let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
        if common >= from.len() || common >= to.len() {
            continue; // one is the other, or contains it
        }
        let folder = from[..common].to_vec();
        let edge = (from[common].clone(), to[common].clone());
        let witness = format!("{} uses {}", import.from.display(), import.written);
        folders
            .entry(folder)
            .or_default()
            .entry(edge)
            .or_insert(witness);
    }
    let mut problems = Vec::new();
    for (folder, edges) in &folders {
        for cycle in cycles(edges.keys()) {
            let witnesses: Vec<&str> = cycle
                .windows(2)
                .map(|w| edges[&(w[0].clone(), w[1].clone())].as_str())
                .collect();
            let place = if folder.is_empty() {
                "src/".to_string()
            } else {
                format!("{}/", folder.join("/"))
            };
            problems.push(format!(
                "cycle between modules of {place}: {} ({})",
                cycle.join(" → "),
                witnesses.join("; ")
            ));
        }
    }
    problems
}

/// One cycle (closed: first node repeated last) for each strongly connected group of two or
/// more nodes, starting from the group's first node in name order.
fn cycles<'a>(edges: impl Iterator<Item = &'a (String, String)>) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().insert(b);
        next.entry(b).or_default();
    }
    let reaches = |from: &str, to: &str| -> Option<Vec<String>> {
        // Shortest path by breadth-first search, so the cycle named is a short one.
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut frontier = vec![from];
        while !frontier.is_empty() {
            let mut after = Vec::new();
            for node in frontier {
                for &n in &next[node] {
                    if n == to {
                        let mut path = vec![node.to_string()];
                        let mut at = node;
                        while at != from {
                            at = previous[at];
                            path.push(at.to_string());
                        }
                        path.reverse();
                        path.push(to.to_string());
                        return Some(path);
                    }
                    if n != from && !previous.contains_key(n) {
                        previous.insert(n, node);
                        after.push(n);
                    }
                }
            }
            frontier = after;
        }
        None
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for &node in next.keys() {
        if seen.contains(node) {
            continue;
        }
        if let Some(cycle) = reaches(node, node) {
            seen.extend(cycle.iter().cloned());
            out.push(cycle);
        }
    }
    out
}
