//! History mutants into `profile`: the ERP exports of `scenarios/data` (demand, deliveries, item
//! master) for a few items, damaged the ways exports are — extreme or unreadable quantities,
//! impossible and far-off dates, empty and extra cells, thousands separators, rows and columns
//! repeated, lost or swapped, histories of zeros, another delimiter, another encoding — then
//! profiled, its files written and checked, and the scenario it writes run like any other.
//!
//! `profile` may refuse an input (with a message naming the file and line); it must never
//! panic nor write a number that is not finite, and every scenario it writes must validate and
//! run (issue 23): one that buffersim refuses fails the run.

use std::path::Path;

use buffersim::profile::date::Date;
use buffersim::profile::write::{terminal_summary, write_all};
use buffersim::profile::{InputFiles, Profile, ProfileOptions};
use rand::RngExt;
use rand::seq::{IndexedMutRandom, IndexedRandom, SliceRandom};

use super::bytes;
use super::finite::{Echoes, no_non_finite_words};
use super::harness::{Broken, Case, Outcome, Rng, Target};
use super::scenario::{check_scenario_file, one_thread, read_output};
use super::tree::typo;

const DEMAND: &str = "demand.csv";
const DELIVERIES: &str = "deliveries.csv";
const ITEMS: &str = "items.csv";

/// Numbers a reader takes, at the edges: zero, negative (a return), tiny, beyond any real
/// catalogue, the largest and smallest doubles, more digits than a double holds.
const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "-1e308",
    "0.0000001",
    "1e12",
    "1e15",
    "1e308",
    "1.7976931348623157e308",
    "1e-308",
    "5e-324",
    "9007199254740993",
    "+5",
    "1e5",
    ".5",
    "3.",
    " 7 ",
];

/// Numbers as exports write them wrongly: not finite, thousands separators, units, other
/// digits.
const BAD_NUMBERS: &[&str] = &[
    "NaN", "inf", "-inf", "Infinity", "1,000", "1 000", "1.000,5", "12.5.3", "0x10", "5%", "$5",
    "١٢",
];

/// Dates a reader takes, at the edges: the ends of the calendar, before 1970, a leap day, a
/// time after the date.
const DATES: &[&str] = &[
    "9999-12-31",
    "0000-01-01",
    "0001-01-01",
    "1969-12-31",
    "2100-03-01",
    "2024-02-29",
    "2024-01-01T08:00",
    "2024-01-01 25:99",
];

/// Dates as exports write them wrongly: days that do not exist, other orders and separators.
const BAD_DATES: &[&str] = &[
    "2023-02-29",
    "2024-02-30",
    "2024-13-01",
    "2024-00-10",
    "24-01-01",
    "2024/01/01",
    "01.02.2024",
    "2024-1-1",
    "20240101",
    "2024-01-01T",
];

/// Text where anything may be written: words where numbers belong, the words the item master
/// knows and some it does not, list separators, quotes, other scripts.
const TEXTS: &[&str] = &[
    "ten",
    "N/A",
    "null",
    "-",
    "TRUE",
    "low",
    "high",
    "critical",
    "urgent",
    "week",
    "day",
    "month",
    "a;b",
    "x|y",
    ";",
    "|",
    "\"",
    "'",
    "ü",
    "SKU-1001 ",
    "unknown",
];

/// Shifts of an item's dates: a day, a week (weekly rows), a year, ten years (an item that
/// starts late, or a history longer than any buffer needs), and back before the others.
const SHIFTS: &[i64] = &[1, 7, 365, 3650, -3650, 100_000];

/// A CSV file as its header and rows of cells. The seeds have no quoted fields, so they are
/// split on commas; mutants are written with quotes where a cell needs them.
#[derive(Clone)]
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(text: &str) -> Table {
        let mut lines = text
            .lines()
            .map(|l| l.split(',').map(str::to_string).collect());
        Table {
            header: lines.next().expect("a header"),
            rows: lines.collect(),
        }
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The rows whose `item` cell is one of `items`.
    fn of_items(&self, items: &[&str]) -> Table {
        let col = self.column("item").expect("an item column");
        Table {
            header: self.header.clone(),
            rows: self
                .rows
                .iter()
                .filter(|r| items.contains(&r[col].as_str()))
                .cloned()
                .collect(),
        }
    }

    /// The text of the file, cells quoted where they hold the delimiter, a quote or a line
    /// break.
    fn write(&self, delimiter: char) -> String {
        let cell = |c: &String| {
            if c.contains([delimiter, '"', '\n']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c.clone()
            }
        };
        let line = |cells: &Vec<String>| {
            cells
                .iter()
                .map(cell)
                .collect::<Vec<_>>()
                .join(&delimiter.to_string())
        };
        let mut out = line(&self.header);
        for row in &self.rows {
            out.push('\n');
            out.push_str(&line(row));
        }
        out.push('\n');
        out
    }
}

/// What a column of the seeds holds, which decides the values worth trying in it.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Date,
    Number,
    Text,
}

fn kind_of(header: &str) -> Kind {
    if header.contains("date") {
        Kind::Date
    } else if header.contains("quantity")
        || header.contains("cost")
        || header.ends_with("size")
        || header.ends_with("days")
    {
        Kind::Number
    } else {
        Kind::Text
    }
}

/// The history target: the three seed files, and the pool the written scenarios run on.
pub struct Histories {
    demand: Table,
    deliveries: Table,
    items: Table,
    pool: rayon::ThreadPool,
}

impl Histories {
    /// Read the seed files.
    pub fn load() -> Histories {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
        let table = |name: &str| {
            Table::parse(&std::fs::read_to_string(data.join(name)).expect("a seed history"))
        };
        Histories {
            demand: table(DEMAND),
            deliveries: table(DELIVERIES),
            items: table(ITEMS),
            pool: one_thread(),
        }
    }
}

impl Target for Histories {
    fn name(&self) -> &'static str {
        "history"
    }

    fn mutant(&self, rng: &mut Rng) -> Case {
        let col = self.items.column("item").expect("an item column");
        let ids: Vec<&str> = self.items.rows.iter().map(|r| r[col].as_str()).collect();
        let count = rng.random_range(1..=4);
        let chosen: Vec<&str> = ids.sample(rng, count).copied().collect();
        let mut recipe = vec![format!("items {}", chosen.join(", "))];
        let mut demand = self.demand.of_items(&chosen);
        if rng.random_bool(0.3) {
            // A short history: under a year, under eight weeks, a single day.
            let len = *[1, 7, 30, 60, 200, 400].choose(rng).expect("lengths");
            let start = rng.random_range(0..demand.rows.len().saturating_sub(len).max(1));
            demand.rows = demand.rows.into_iter().skip(start).take(len).collect();
            recipe.push(format!("demand rows {start}.. ({len} rows)"));
        }
        let mut files: Vec<(&str, Table)> = vec![(DEMAND, demand)];
        for (name, table) in [(DELIVERIES, &self.deliveries), (ITEMS, &self.items)] {
            if rng.random_bool(0.85) {
                files.push((name, table.of_items(&chosen)));
            } else {
                recipe.push(format!("no {name}"));
            }
        }
        for _ in 0..rng.random_range(1..=4) {
            // The demand file most, as it decides most of the profile.
            let k = if rng.random_bool(0.5) {
                0
            } else {
                rng.random_range(0..files.len())
            };
            let (name, table) = &mut files[k];
            mutate(table, rng, &mut recipe);
            if let Some(step) = recipe.last_mut() {
                *step = format!("{name}: {step}");
            }
        }
        let mut written: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|(name, table)| {
                let delimiter = *[',', ',', ',', ',', ',', ',', ';', '\t']
                    .choose(rng)
                    .expect("delimiters");
                (name.to_string(), table.write(delimiter).into_bytes())
            })
            .collect();
        if rng.random_bool(0.15) {
            let (name, text) = written.choose_mut(rng).expect("files");
            bytes::mutate(text, rng, &mut recipe);
            if let Some(step) = recipe.last_mut() {
                *step = format!("{name}: {step}");
            }
        }
        Case {
            recipe,
            files: written,
        }
    }

    fn check(&self, case: &Case, dir: &Path) -> Result<Outcome, Broken> {
        let given = |name: &str| {
            case.files
                .iter()
                .any(|(n, _)| n == name)
                .then(|| dir.join(name))
        };
        let files = InputFiles {
            demand: dir.join(DEMAND),
            deliveries: given(DELIVERIES),
            items: given(ITEMS),
        };
        let mut profile = match Profile::from_files(&files, ProfileOptions::default()) {
            Ok(profile) => profile,
            Err(e) => {
                return Ok(Outcome {
                    accepted: false,
                    label: "refused: the history cannot be read",
                    note: Some(e.to_string()),
                });
            }
        };
        // The recommendation checked by simulation, as `profile` does (a few runs: what is
        // checked here is that the check runs and writes finite figures).
        let checked = self
            .pool
            .install(|| buffersim::profile::check::check(&mut profile, 4))
            .map_err(|e| {
                Broken::new(
                    "profile wrote a scenario that buffersim refuses",
                    e.to_string(),
                )
            })?;
        profile.check = Some(checked);
        let out = dir.join("profile");
        write_all(&profile, &out)
            .map_err(|e| Broken::new("profile cannot write its files", e.to_string()))?;
        let inputs: Vec<String> = case
            .files
            .iter()
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
            .collect();
        let echoes = Echoes::of(inputs.iter().map(String::as_str));
        no_non_finite_words(
            "the profile terminal summary",
            &terminal_summary(&profile),
            &echoes,
        )?;
        for name in [
            "profile.csv",
            "suppliers.csv",
            "disruptions.csv",
            "surges.csv",
            "profile.md",
            "scenario.toml",
        ] {
            let text = read_output(&out.join(name))?;
            no_non_finite_words(name, &text, &echoes)?;
        }
        // The property of issue 23: every scenario `profile` writes validates and runs.
        let run = check_scenario_file(&out.join("scenario.toml"), &self.pool)?;
        if !run.accepted {
            return Err(Broken::new(
                "profile wrote a scenario that buffersim refuses",
                run.note.unwrap_or_default(),
            ));
        }
        Ok(Outcome {
            accepted: true,
            label: "profiled: its scenario.toml runs",
            note: None,
        })
    }
}

/// Apply one mutation to a table, saying what it did in `recipe`.
fn mutate(table: &mut Table, rng: &mut Rng, recipe: &mut Vec<String>) {
    let width = table.header.len();
    if table.rows.is_empty() || width == 0 {
        table.rows.push(vec![String::new(); width.max(1)]);
        recipe.push("add an empty row".into());
        return;
    }
    let r = rng.random_range(0..table.rows.len());
    let c = rng.random_range(0..width);
    let header = table.header[c].clone();
    match rng.random_range(0..13) {
        0..=3 => {
            // A value of the column's kind, at an edge (mostly, so that the history is read and
            // the edge reaches the profile) or malformed.
            let readable = rng.random_bool(0.7);
            let pool = match (kind_of(&header), readable) {
                (Kind::Date, true) => DATES,
                (Kind::Date, false) => BAD_DATES,
                (Kind::Number, true) => NUMBERS,
                (Kind::Number, false) => BAD_NUMBERS,
                (Kind::Text, _) => TEXTS,
            };
            let value = (*pool.choose(rng).expect("values")).to_string();
            recipe.push(format!("row {r} {header} = {value:?}"));
            set(table, r, c, value);
        }
        4 => {
            let value = if rng.random_bool(0.5) { "" } else { "  " };
            recipe.push(format!("row {r} {header} = {value:?}"));
            set(table, r, c, value.to_string());
        }
        5 => {
            let value = (*TEXTS.choose(rng).expect("texts")).to_string();
            recipe.push(format!("row {r} {header} = {value:?}"));
            set(table, r, c, value);
        }
        6 => mutate_rows(table, r, rng, recipe),
        7 => mutate_columns(table, c, rng, recipe),
        8 => {
            // A history of zeros: a number column (the quantity, in the demand file) set to 0
            // for one item or for all.
            let numbers: Vec<usize> = (0..width)
                .filter(|&k| kind_of(&table.header[k]) == Kind::Number)
                .collect();
            let c = numbers.choose(rng).copied().unwrap_or(c);
            let item_col = table.column("item");
            let item = item_col.and_then(|i| table.rows[r].get(i).cloned());
            let all = rng.random_bool(0.3);
            for row in table.rows.iter_mut() {
                let of_item = item_col.and_then(|i| row.get(i)) == item.as_ref();
                if (all || of_item) && c < row.len() {
                    row[c] = "0".into();
                }
            }
            let whose = if all {
                "every row".to_string()
            } else {
                format!("item {}", item.unwrap_or_default())
            };
            recipe.push(format!("{} = 0 for {whose}", table.header[c]));
        }
        9 => shift_dates(table, r, rng, recipe),
        10 => {
            // A period column, for all rows or one: weekly, daily, or a word it does not know.
            let value = *["week", "day", "month", "", "WEEK"]
                .choose(rng)
                .expect("periods");
            let col = table.column("period").unwrap_or_else(|| {
                table.header.push("period".into());
                table
                    .rows
                    .iter_mut()
                    .for_each(|row| row.push(String::new()));
                width
            });
            let all = rng.random_bool(0.5);
            for (k, row) in table.rows.iter_mut().enumerate() {
                if (all || k == r) && col < row.len() {
                    row[col] = value.into();
                }
            }
            recipe.push(format!(
                "period = {value:?} in {}",
                if all { "every row" } else { "one row" }
            ));
        }
        11 => {
            // A surge: the quantities of a run of rows multiplied, as a promotion or a panic
            // buy would (the demand file; other files have no plain quantity column).
            let Some(q) = table.column("quantity") else {
                recipe.push("no quantity column to surge".into());
                return;
            };
            let len = rng.random_range(10..=150);
            let factor = *[2.0, 3.0, 10.0, 1e6].choose(rng).expect("factors");
            for row in table.rows.iter_mut().skip(r).take(len) {
                if let Some(v) = row.get(q).and_then(|v| v.trim().parse::<f64>().ok()) {
                    row[q] = format!("{}", v * factor);
                }
            }
            recipe.push(format!("quantity ×{factor} in rows {r}..{}", r + len));
        }
        _ => {
            table.rows.shuffle(rng);
            recipe.push("shuffle the rows".into());
        }
    }
}

/// Set a cell, even of a row that has lost cells.
fn set(table: &mut Table, r: usize, c: usize, value: String) {
    let row = &mut table.rows[r];
    if c >= row.len() {
        row.resize(c + 1, String::new());
    }
    row[c] = value;
}

/// Duplicate, delete or swap a row; give it a cell too many or too few.
fn mutate_rows(table: &mut Table, r: usize, rng: &mut Rng, recipe: &mut Vec<String>) {
    match rng.random_range(0..5) {
        0 => {
            let row = table.rows[r].clone();
            table.rows.insert(r, row);
            recipe.push(format!("duplicate row {r}"));
        }
        1 => {
            table.rows.remove(r);
            recipe.push(format!("delete row {r}"));
        }
        2 => {
            let other = rng.random_range(0..table.rows.len());
            table.rows.swap(r, other);
            recipe.push(format!("swap rows {r} and {other}"));
        }
        3 => {
            table.rows[r].push("extra".into());
            recipe.push(format!("an extra cell in row {r}"));
        }
        _ => {
            table.rows[r].pop();
            recipe.push(format!("a cell missing in row {r}"));
        }
    }
}

/// Delete, duplicate or swap a column, or misname its header.
fn mutate_columns(table: &mut Table, c: usize, rng: &mut Rng, recipe: &mut Vec<String>) {
    let header = table.header[c].clone();
    match rng.random_range(0..6) {
        0 => {
            table.header.remove(c);
            for row in table.rows.iter_mut().filter(|row| c < row.len()) {
                row.remove(c);
            }
            recipe.push(format!("delete column {header}"));
        }
        1 => {
            table.header.push(header.clone());
            for row in &mut table.rows {
                let cell = row.get(c).cloned().unwrap_or_default();
                row.push(cell);
            }
            recipe.push(format!("duplicate column {header}"));
        }
        2 => {
            let other = rng.random_range(0..table.header.len());
            table.header.swap(c, other);
            recipe.push(format!("swap the headers of columns {c} and {other}"));
        }
        3 => {
            let other = table.header[rng.random_range(0..table.header.len())].clone();
            table.header[c] = other.clone();
            recipe.push(format!("rename header {header} to {other} (given twice)"));
        }
        4 => {
            table.header[c] = String::new();
            recipe.push(format!("blank header {header}"));
        }
        _ => {
            let new = typo(&header, rng);
            recipe.push(format!("rename header {header} to {new}"));
            table.header[c] = new;
        }
    }
}

/// Move every date of the item of row `r` by one of [`SHIFTS`].
fn shift_dates(table: &mut Table, r: usize, rng: &mut Rng, recipe: &mut Vec<String>) {
    let days = *SHIFTS.choose(rng).expect("shifts");
    let item_col = table.column("item");
    let item = item_col.and_then(|i| table.rows[r].get(i).cloned());
    let date_cols: Vec<usize> = (0..table.header.len())
        .filter(|&c| kind_of(&table.header[c]) == Kind::Date)
        .collect();
    for row in table.rows.iter_mut() {
        if item_col.and_then(|i| row.get(i)) != item.as_ref() {
            continue;
        }
        for &c in &date_cols {
            if let Some(date) = row.get(c).and_then(|cell| Date::parse(cell)) {
                row[c] = date.plus(days).to_string();
            }
        }
    }
    recipe.push(format!(
        "dates of {} moved by {days} days",
        item.unwrap_or_default()
    ));
}
