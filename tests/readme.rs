//! The README as a user guide (issue 22, item 8): its tutorial is true and its links lead
//! somewhere.
//!
//! - Every scenario of `scenarios/tutorial/` validates and runs.
//! - The tutorial's TOML blocks are the files' own lines: step 1 is shown whole, and every line
//!   a later step adds or changes is shown, so a file and the README cannot drift apart.
//! - The output the tutorial shows is what its commands print today, line for line (`…` marks
//!   lines left out).
//! - Every `](#anchor)` link resolves to a heading (GitHub's anchors), every relative link to a
//!   file (and its anchor, for Markdown files), in README.md and in `docs/`; the contents list
//!   links every `##` section.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A fenced code block: its language (empty when none) and its lines, with the prose between
/// it and the block before it.
struct Block {
    lang: String,
    lines: Vec<String>,
    before: String,
}

/// The fenced code blocks of `text`, in order.
fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut open: Option<Block> = None;
    for line in text.lines() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(lang)) => {
                open = Some(Block {
                    lang: lang.trim().to_string(),
                    lines: Vec::new(),
                    before: std::mem::take(&mut prose),
                });
            }
            (Some(_), Some(_)) => out.push(open.take().unwrap()),
            (Some(block), None) => block.lines.push(line.to_string()),
            (None, None) => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// The lines of `text` outside code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        } else if !inside {
            out.push(line);
        }
    }
    out
}

/// The headings of a Markdown text: level and text, code blocks skipped.
fn headings(text: &str) -> Vec<(usize, String)> {
    prose_lines(text)
        .into_iter()
        .filter_map(|line| {
            let level = line.chars().take_while(|&c| c == '#').count();
            let rest = line[level..].strip_prefix(' ')?;
            (level >= 1).then(|| (level, rest.trim().to_string()))
        })
        .collect()
}

/// GitHub's anchor of a heading: lower case, every character but letters, digits, spaces,
/// `-` and `_` removed, spaces made `-`.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown text: each heading's slug, a repeated one with `-1`, `-2`, …
fn anchors(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, heading) in headings(text) {
        let base = slug(&heading);
        let mut anchor = base.clone();
        let mut n = 0;
        while out.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        out.insert(anchor);
    }
    out
}

/// The targets of the links of a Markdown text, inline code and code blocks left out.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in prose_lines(text) {
        // Drop inline code spans: what is between backticks is not a link.
        let plain: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, part)| part)
            .collect();
        let mut rest = plain.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    out
}

/// The text from the `##` heading `title` up to the next `##` heading.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let head = format!("\n## {title}\n");
    let start = text
        .find(&head)
        .unwrap_or_else(|| panic!("README has no section '## {title}'"));
    let body = &text[start + 1..];
    let mut inside = false;
    let mut offset = 0;
    for (i, line) in body.split_inclusive('\n').enumerate() {
        if line.trim_start().starts_with("```") {
            inside = !inside;
        }
        if i > 0 && !inside && line.starts_with("## ") {
            return &body[..offset];
        }
        offset += line.len();
    }
    body
}

/// The tutorial's scenario files, in step order.
fn tutorial_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios/tutorial"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "scenarios/tutorial/ holds {files:?}");
    files
}

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Run `buffersim ARGS` in the project folder, its results (for the commands that write
/// some) in `out`; its stdout, after checking it succeeded.
fn stdout_of(args: &[&str], out: &Path) -> String {
    let mut command = buffersim();
    command.current_dir(root()).args(args);
    let writes = ["run", "compare", "sweep", "stress", "optimize", "trace"];
    if args.first().is_some_and(|a| writes.contains(a)) {
        command.arg("--out").arg(out);
    }
    let assert = command.assert().success();
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

#[test]
fn every_tutorial_scenario_validates_and_runs() {
    for file in tutorial_files() {
        let path = file.strip_prefix(root()).unwrap().to_str().unwrap();
        let text = stdout_of(&["validate", path], Path::new("."));
        assert!(text.contains("scenario is valid"), "{path}:\n{text}");
        let out = tempfile::tempdir().unwrap();
        stdout_of(&["run", path, "--runs", "50"], out.path());
        assert!(out.path().join("summary.json").is_file(), "{path}");
    }
}

/// The last `scenarios/tutorial/….toml` that `prose` names, if any.
fn named_file(prose: &str) -> Option<String> {
    let mut last = None;
    let mut rest = prose;
    while let Some(at) = rest.find("scenarios/tutorial/") {
        let name: String = rest[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
            .collect();
        let name = name.trim_end_matches('.');
        if name.ends_with(".toml") {
            last = Some(name.to_string());
        }
        rest = &rest[at + "scenarios/tutorial/".len()..];
    }
    last
}

/// Whether `part` is a run of consecutive lines of `whole`.
fn is_run_of_lines(part: &[String], whole: &[&str]) -> bool {
    !part.is_empty()
        && whole
            .windows(part.len())
            .any(|w| w.iter().zip(part).all(|(a, b)| a == b))
}

#[test]
fn the_tutorials_toml_blocks_are_the_files_lines() {
    let readme = read(&root().join("README.md"));
    let tutorial = section(&readme, "Tutorial: a first scenario");
    let files = tutorial_files();
    let mut shown: Vec<(String, Vec<String>)> = Vec::new();
    // A block belongs to the file the prose before it names last, or else to the file of the
    // block before it.
    let mut current: Option<String> = None;
    for block in blocks(tutorial) {
        if let Some(name) = named_file(&block.before) {
            current = Some(name);
        }
        if block.lang != "toml" {
            continue;
        }
        let name = current.clone().unwrap_or_else(|| {
            panic!(
                "a TOML block of the tutorial names no scenarios/tutorial/ file before it:\n{}",
                block.lines.join("\n")
            )
        });
        let text = read(&root().join(&name));
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            is_run_of_lines(&block.lines, &lines),
            "the tutorial shows lines that are not in {name} as shown:\n{}",
            block.lines.join("\n")
        );
        shown.push((name, block.lines));
    }
    // The first step is shown whole.
    let first = files[0].strip_prefix(root()).unwrap().to_str().unwrap();
    let whole: Vec<String> = read(&files[0]).lines().map(String::from).collect();
    assert!(
        shown
            .iter()
            .any(|(name, lines)| name == first && *lines == whole),
        "the tutorial does not show {first} whole"
    );
    // Every line a later step adds or changes is shown for that step, and every line it drops
    // is one whose key a shown line sets anew.
    for pair in files.windows(2) {
        let before = read(&pair[0]);
        let after = read(&pair[1]);
        let name = pair[1].strip_prefix(root()).unwrap().to_str().unwrap();
        let old: BTreeSet<&str> = before.lines().collect();
        let new: BTreeSet<&str> = after.lines().collect();
        let shown_here: BTreeSet<&str> = shown
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, lines)| lines.iter().map(String::as_str))
            .collect();
        for line in new.difference(&old) {
            assert!(
                line.trim().is_empty() || shown_here.contains(line),
                "{name} has a line the tutorial does not show: {line}"
            );
        }
        let key = |line: &str| line.split('=').next().unwrap().trim().to_string();
        for line in old.difference(&new) {
            assert!(
                line.trim().is_empty() || shown_here.iter().any(|s| key(s) == key(line)),
                "{name} drops a line of the step before that the tutorial does not replace: \
                 {line}"
            );
        }
    }
}

/// How the README runs buffersim.
const CARGO_RUN: &str = "cargo run --release -- ";

/// The words of a shell command line: split at spaces, `"…"` kept whole (without its quotes),
/// a `#` comment left out.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted && word.is_empty() => break,
            c if c.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    assert!(!quoted, "an unclosed quote in: {line}");
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Every `cargo run --release -- …` command of `text`: in `sh` blocks, and in inline code in
/// the prose (which may run over several lines).
fn commands(text: &str) -> Vec<String> {
    let prose = prose_lines(text).join(" ");
    let prose = prose.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: Vec<String> = prose
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|code| code.starts_with(CARGO_RUN))
        .map(String::from)
        .collect();
    for block in blocks(text).iter().filter(|b| b.lang == "sh") {
        out.extend(
            block
                .lines
                .iter()
                .filter(|l| l.starts_with(CARGO_RUN))
                .cloned(),
        );
    }
    out
}

#[test]
fn every_command_of_the_tutorial_succeeds() {
    let readme = read(&root().join("README.md"));
    let tutorial = section(&readme, "Tutorial: a first scenario");
    let all = commands(tutorial);
    assert!(
        all.len() >= 8,
        "only {} commands in the tutorial",
        all.len()
    );
    for command in all {
        let words = words(&command[CARGO_RUN.len()..]);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let out = tempfile::tempdir().unwrap();
        stdout_of(&args, out.path());
    }
}

/// Every output block of the tutorial — a block without a language after a `sh` block — holds
/// lines its command prints today, in order (`…` stands for lines left out).
#[test]
fn the_tutorials_output_is_what_its_commands_print() {
    let readme = read(&root().join("README.md"));
    let tutorial = section(&readme, "Tutorial: a first scenario");
    let all = blocks(tutorial);
    let mut checked = 0;
    for pair in all.windows(2) {
        let (command, output) = (&pair[0], &pair[1]);
        if command.lang != "sh" || !output.lang.is_empty() || !output.before.trim().is_empty() {
            continue;
        }
        let line = command
            .lines
            .iter()
            .find(|l| l.starts_with(CARGO_RUN))
            .expect("a tutorial command runs buffersim through cargo");
        let words = words(&line[CARGO_RUN.len()..]);
        let args: Vec<&str> = words.iter().map(String::as_str).collect();
        let out = tempfile::tempdir().unwrap();
        let printed = stdout_of(&args, out.path());
        let printed: Vec<&str> = printed.lines().map(str::trim_end).collect();
        let mut from = 0;
        for shown in &output.lines {
            if shown.trim() == "…" {
                continue;
            }
            let found = printed[from..]
                .iter()
                .position(|p| *p == shown.trim_end())
                .unwrap_or_else(|| {
                    panic!(
                        "`{line}` no longer prints, in this order, the line the tutorial \
                         shows:\n{shown}\n\nit prints:\n{}",
                        printed.join("\n")
                    )
                });
            from += found + 1;
        }
        checked += 1;
    }
    assert!(
        checked >= 4,
        "only {checked} output blocks found in the tutorial"
    );
}

/// The Markdown files whose links are checked.
fn documents() -> Vec<PathBuf> {
    let mut out = vec![root().join("README.md"), root().join("ARCHITECTURE.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    out.extend(docs);
    out
}

#[test]
fn every_link_resolves() {
    let mut problems = Vec::new();
    for doc in documents() {
        let text = read(&doc);
        let own = anchors(&text);
        let name = doc.strip_prefix(root()).unwrap().display().to_string();
        for target in links(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let known = if path.is_empty() {
                own.clone()
            } else {
                let file = doc.parent().unwrap().join(path);
                if !file.exists() {
                    problems.push(format!("{name}: no file '{path}' (link '{target}')"));
                    continue;
                }
                if file.extension().is_some_and(|e| e == "md") {
                    anchors(&read(&file))
                } else {
                    BTreeSet::new()
                }
            };
            if let Some(anchor) = anchor
                && !known.contains(anchor)
            {
                problems.push(format!(
                    "{name}: no heading for '#{anchor}' (link '{target}')"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_contents_list_links_every_section() {
    let readme = read(&root().join("README.md"));
    let contents = section(&readme, "Contents");
    let listed: BTreeSet<String> = links(contents)
        .into_iter()
        .filter_map(|t| t.strip_prefix('#').map(String::from))
        .collect();
    let missing: Vec<String> = headings(&readme)
        .into_iter()
        .filter(|(level, text)| *level == 2 && text != "Contents")
        .map(|(_, text)| slug(&text))
        .filter(|anchor| !listed.contains(anchor))
        .collect();
    assert!(
        missing.is_empty(),
        "the README's contents list does not link: {}",
        missing.join(", ")
    );
}

#[test]
fn github_anchors_are_made_as_github_makes_them() {
    assert_eq!(
        slug("Trace: runs day by day (`buffersim trace`)"),
        "trace-runs-day-by-day-buffersim-trace"
    );
    assert_eq!(slug("`[[supplier]]`"), "supplier");
    assert_eq!(
        slug("Terminal output: quiet and JSON"),
        "terminal-output-quiet-and-json"
    );
    let twice = anchors("## Output files\n### Output files\n```\n# not a heading\n```\n");
    assert_eq!(
        twice.into_iter().collect::<Vec<_>>(),
        ["output-files", "output-files-1"]
    );
}
