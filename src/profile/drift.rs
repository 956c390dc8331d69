//! Review drift: which items changed class or posture since a previous profile.
//!
//! The reference texts ask for the segmentation to be reviewed every quarter: demand moves an
//! item from A to B or from X to Z, a supplier's record moves it from JIT to JIC. Given the
//! folder of an earlier `buffersim profile` (or its `profile.csv`), the new profile is read
//! against it item by item: ABC class, XYZ class and recommended posture before and now, and
//! the items that are new or no longer in the history. The earlier file is read as any input
//! is — a wrong or missing column, or a class or posture this version does not know, is an
//! error naming the file, the line and the column.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::ItemProfile;
use super::classify::Posture;
use super::csv::{Column, InputError, Problems, RowProblem, Table};

/// The file of a profile folder that is compared.
pub const PROFILE_FILE: &str = "profile.csv";
/// The file the comparison is written to, beside the profile's others.
pub const DRIFT_FILE: &str = "drift.csv";

const ITEM: Column = Column::new("item", &["item"]);
const ABC: Column = Column::new("abc", &["abc"]);
const XYZ: Column = Column::new("xyz", &["xyz"]);
const POSTURE: Column = Column::new("posture", &["posture"]);

/// One item's classes and posture in one profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// ABC class: `A`, `B` or `C`.
    pub abc: String,
    /// XYZ class: `X`, `Y` or `Z`.
    pub xyz: String,
    /// Posture key, as in `profile.csv` (`jit-kanban`, `jic-reorder-point`, …).
    pub posture: String,
}

/// How one item stands now against the previous profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemDrift {
    /// The item's id.
    pub item: String,
    /// Its standing in the previous profile; none for an item new since.
    pub before: Option<Standing>,
    /// Its standing now; none for an item no longer in the history.
    pub now: Option<Standing>,
}

impl ItemDrift {
    /// What changed, in a word or two: `new`, `dropped`, `class`, `posture`, `class and
    /// posture`, or `unchanged`.
    pub fn change(&self) -> &'static str {
        match (&self.before, &self.now) {
            (None, _) => "new",
            (_, None) => "dropped",
            (Some(b), Some(n)) => {
                let class = b.abc != n.abc || b.xyz != n.xyz;
                match (class, b.posture != n.posture) {
                    (true, true) => "class and posture",
                    (true, false) => "class",
                    (false, true) => "posture",
                    (false, false) => "unchanged",
                }
            }
        }
    }
}

/// The new profile against a previous one: every item of either, in id order.
#[derive(Clone, Debug)]
pub struct Drift {
    /// The previous profile's `profile.csv`.
    pub previous: PathBuf,
    /// Every item of either profile, sorted by id.
    pub items: Vec<ItemDrift>,
}

impl Drift {
    /// Items whose class or posture changed, or that came or went.
    pub fn changed(&self) -> impl Iterator<Item = &ItemDrift> {
        self.items.iter().filter(|d| d.change() != "unchanged")
    }

    /// The section of `profile.md`: how many items changed, and a table of them.
    pub(crate) fn to_markdown(&self) -> String {
        let mut out = String::new();
        let count = |change: &str| self.items.iter().filter(|d| d.change() == change).count();
        let _ = writeln!(
            out,
            "Against the previous profile `{}`: {} items changed class, {} posture, {} both; \
             {} are new and {} no longer in the history; {} are unchanged. `drift.csv` lists \
             every item.\n",
            self.previous.display(),
            count("class"),
            count("posture"),
            count("class and posture"),
            count("new"),
            count("dropped"),
            count("unchanged"),
        );
        if self.changed().next().is_none() {
            let _ = writeln!(out, "No item changed class or posture.");
            return out;
        }
        out.push_str(
            "| item | change | class before | class now | posture before | posture now |\n",
        );
        out.push_str("|---|---|---|---|---|---|\n");
        let class = |s: &Option<Standing>| {
            s.as_ref()
                .map_or_else(|| "—".to_string(), |s| format!("{}{}", s.abc, s.xyz))
        };
        let posture = |s: &Option<Standing>| {
            s.as_ref().map_or_else(
                || "—".to_string(),
                |s| {
                    Posture::from_key(&s.posture)
                        .map_or_else(|| s.posture.clone(), |p| p.label().to_string())
                },
            )
        };
        for d in self.changed() {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                d.item,
                d.change(),
                class(&d.before),
                class(&d.now),
                posture(&d.before),
                posture(&d.now)
            );
        }
        out
    }

    /// One line for the terminal.
    pub(crate) fn summary_line(&self) -> String {
        let n = self.changed().count();
        format!(
            "since the previous profile: {n} of {} items changed class or posture, came or went \
             (profile.md, drift.csv)",
            self.items.len()
        )
    }
}

/// Read the previous profile at `previous` (its folder or its `profile.csv`) and set the
/// items of the new profile against it.
pub(crate) fn compare(previous: &Path, items: &[ItemProfile]) -> Result<Drift, InputError> {
    let path = if previous.is_dir() {
        previous.join(PROFILE_FILE)
    } else {
        previous.to_path_buf()
    };
    let before = read_standings(&path)?;
    let mut now: HashMap<&str, Standing> = items
        .iter()
        .map(|i| {
            (
                i.item.as_str(),
                Standing {
                    abc: i.abc.to_string(),
                    xyz: i.xyz.to_string(),
                    posture: i.recommendation.posture.key().to_string(),
                },
            )
        })
        .collect();
    let mut out: Vec<ItemDrift> = before
        .into_iter()
        .map(|(item, standing)| ItemDrift {
            now: now.remove(item.as_str()),
            item,
            before: Some(standing),
        })
        .collect();
    out.extend(now.into_iter().map(|(item, standing)| ItemDrift {
        item: item.to_string(),
        before: None,
        now: Some(standing),
    }));
    out.sort_by(|a, b| a.item.cmp(&b.item));
    Ok(Drift {
        previous: path,
        items: out,
    })
}

/// Each item's standing in a `profile.csv`; every cell that is not a class or posture of this
/// version, and every item listed twice, is an error naming its line.
fn read_standings(path: &Path) -> Result<Vec<(String, Standing)>, InputError> {
    let table = Table::read(
        path,
        "item,abc,xyz,…,posture,… (the profile.csv of buffersim profile)",
    )?;
    let columns = [
        table.require(ITEM)?,
        table.require(ABC)?,
        table.require(XYZ)?,
        table.require(POSTURE)?,
    ];
    let postures = Posture::ALL.map(Posture::key);
    let mut problems = Problems::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for row in &table.rows {
        let [item, abc, xyz, posture] = columns.map(|c| row.cell(c).to_string());
        let allowed: [(&str, &String, &[&str]); 3] = [
            ("abc", &abc, &["A", "B", "C"]),
            ("xyz", &xyz, &["X", "Y", "Z"]),
            ("posture", &posture, &postures),
        ];
        let mut ok = true;
        if item.is_empty() {
            problems.push(RowProblem {
                line: row.line,
                column: "item".into(),
                message: "is empty; every row of a profile names its item".into(),
            });
            ok = false;
        }
        for (column, value, values) in allowed {
            if !values.contains(&value.as_str()) {
                problems.push(RowProblem {
                    line: row.line,
                    column: column.into(),
                    message: format!(
                        "'{value}' is not one of {} (is this the profile.csv of buffersim \
                         profile?)",
                        values.join(", ")
                    ),
                });
                ok = false;
            }
        }
        if let Some(first) = seen.get(&item) {
            problems.push(RowProblem {
                line: row.line,
                column: "item".into(),
                message: format!("item '{item}' is listed again (first at line {first})"),
            });
            ok = false;
        }
        seen.insert(item.clone(), row.line);
        if ok {
            out.push((item, Standing { abc, xyz, posture }));
        }
    }
    problems.into_result(path)?;
    Ok(out)
}
