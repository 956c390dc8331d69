//! The report of a run: charts, `report.html` and `report.md`, built from summary.json alone
//! (a [`SavedSummary`], read back or taken from a fresh run).
//!
//! `report.html` is one self-contained file: inline CSS with a print stylesheet, the charts as
//! inline SVG, no scripts, no network. `report.md` holds the same tables and links the charts
//! as `charts/NAME.svg`. Metric definitions are taken from the README's "Metrics" section at
//! compile time, so the report and the README cannot drift apart.

mod board;
mod inputs;
mod suppliers;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::foundation::format::group_thousands;
use crate::foundation::stats::Interval;
use crate::presentation::charts::{self, Chart, ChartError};
use crate::presentation::format::{ValueKind, loop_days};
use crate::results::files::{FileSet, WriteError};
use crate::results::justification::Justification;
use crate::results::saved::{ReadError, SavedEstimate, SavedPolicy, SavedResilience, SavedSummary};

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The results folder's summary.json could not be read back.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A chart could not be drawn.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// A file of the report could not be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// What a report wrote.
#[derive(Debug)]
pub struct Written {
    /// Every file written: each chart as SVG and PNG, then report.html and report.md.
    pub files: Vec<PathBuf>,
    /// How many charts were drawn (each written twice, as SVG and PNG).
    pub charts: usize,
}

/// A section of the report drawn by a layer above this one (an analysis of the results
/// folder: `analysis::folder`), placed after the per-item tables and before the key inputs,
/// and linked from the contents. `html` and `markdown` are its body, below its heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// The anchor of the section in report.html (`analysis-sweep`).
    pub id: String,
    /// Its heading, plain text.
    pub title: String,
    /// Its body in HTML, self-contained as the rest (no scripts, nothing fetched); links to
    /// files are relative to the folder.
    pub html: String,
    /// Its body in Markdown, charts linked rather than inlined.
    pub markdown: String,
}

/// The pages of a report; its charts are `charts/NAME.svg` and `charts/NAME.png`.
const REPORT_PAGES: [&str; 2] = ["report.html", "report.md"];

/// Retire every file a report may hold, so that a result without a report removes the report
/// of an earlier result: it would describe a summary that is no longer there.
pub(crate) fn retire_report(files: &mut FileSet) {
    for page in REPORT_PAGES {
        files.retire(page);
    }
    for name in charts::ALL_NAMES {
        for ext in ["svg", "png"] {
            files.retire(format!("charts/{name}.{ext}"));
        }
    }
}

/// Draw the charts and add `charts/*.svg`, `charts/*.png`, `report.html` and `report.md` to
/// `files`; the charts of an earlier report that this one does not hold (an item chart when
/// the scenario now has one item) are retired. `sections` go after the per-item tables.
/// Returns the number of charts drawn.
pub(crate) fn add_report(
    summary: &SavedSummary,
    sections: &[Section],
    files: &mut FileSet,
) -> Result<usize, ChartError> {
    let charts = charts::render_all(summary)?;
    retire_report(files);
    let html = to_html(summary, &charts, sections);
    let md = to_markdown(summary, &charts, sections);
    let drawn = charts.len();
    for chart in charts {
        files.add(format!("charts/{}.svg", chart.name), chart.svg);
        files.add(format!("charts/{}.png", chart.name), chart.png);
    }
    files.add("report.html", html);
    files.add("report.md", md);
    Ok(drawn)
}

/// Draw the charts and write `charts/*.svg`, `charts/*.png`, `report.html` and `report.md`
/// into `dir`, as a whole ([`FileSet`]). Charts of an earlier report that this one does not
/// hold are removed. `sections` go after the per-item tables.
pub fn write_report(
    summary: &SavedSummary,
    sections: &[Section],
    dir: &Path,
) -> Result<Written, ReportError> {
    let mut files = FileSet::new(dir);
    let charts = add_report(summary, sections, &mut files)?;
    let committed = files.commit()?;
    Ok(Written {
        files: committed.written,
        charts,
    })
}

/// A stock level: whole numbers without decimals (whole-unit items have whole levels).
fn level(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        group_thousands(x, 0)
    } else {
        group_thousands(x, 2)
    }
}

fn opt_level(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), level)
}

fn unmet_demand_text(s: &SavedSummary) -> &str {
    match s.unmet_demand.as_str() {
        "backorder" => "backordered",
        "lost" => "lost",
        other => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Tables, shared by the HTML and the Markdown report

/// A table: header, rows of cells; the first column is a label, the others are numbers. A
/// cell's second line (after `\n`) is a detail: the confidence interval of an estimate, or
/// the days of supply of a kanban loop. HTML shows it smaller below, Markdown after a space.
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// The metrics the report's first table shows, in this order: service, stock, cost. The
/// full table follows, folded.
const HEADLINE: [&str; 9] = [
    "stockout_rate",
    "fill_rate",
    "days_of_supply",
    "inventory_turns",
    "avg_on_hand_value",
    "carrying_cost",
    "expedite_cost",
    "total_cost",
    "supplier_on_time_rate",
];

/// Every metric name in the summary, in output order.
fn metric_names(s: &SavedSummary) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for p in &s.policies {
        for name in p.metrics.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    names
}

/// Metrics of all items together: one row per metric (its label and unit), one column per
/// policy; `headline` keeps the [`HEADLINE`] metrics, else every one.
fn policy_table(s: &SavedSummary, headline: bool) -> Table {
    let mut header = vec!["metric".to_string()];
    header.extend(s.policies.iter().map(|p| p.policy.clone()));
    let names: Vec<&str> = if headline {
        HEADLINE
            .iter()
            .copied()
            .filter(|name| {
                // A cost no policy incurs (no expediting in the scenario) says nothing.
                s.policies.iter().any(|p| {
                    p.metric(name)
                        .is_some_and(|e| e.mean != 0.0 || !name.ends_with("_cost"))
                })
            })
            .collect()
    } else {
        metric_names(s)
    };
    let rows = names
        .iter()
        .map(|name| {
            let kind = ValueKind::of(name);
            let mut row = vec![board::label_with_unit(s, name)];
            row.extend(s.policies.iter().map(|p| {
                p.metric(name)
                    .map_or_else(|| "–".to_string(), |e| estimate_cell(kind, e))
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// How each policy holds up when things go wrong (all items): stockout rate in runs with and
/// without disruption events, and the worst runs.
fn resilience_table(s: &SavedSummary) -> Option<Table> {
    if s.policies.iter().all(|p| p.resilience.is_none()) {
        return None;
    }
    let mut header = vec!["stockout rate".to_string()];
    header.extend(s.policies.iter().map(|p| p.policy.clone()));
    let percent = ValueKind::Percent;
    let cell = |p: &SavedPolicy, pick: &dyn Fn(&SavedResilience) -> Option<String>| {
        p.resilience
            .as_ref()
            .and_then(pick)
            .unwrap_or_else(|| "–".to_string())
    };
    let row = |label: &str, pick: &dyn Fn(&SavedResilience) -> Option<String>| {
        let mut row = vec![label.to_string()];
        row.extend(s.policies.iter().map(|p| cell(p, pick)));
        row
    };
    let tail = |value: f64, ci: Option<Interval>| {
        format!("{}\n{}", percent.value(value), percent.interval(ci))
    };
    let mut rows = vec![
        row("runs with disruption events", &|r| {
            r.stockout_rate_disrupted_runs
                .as_ref()
                .map(|e| estimate_cell(percent, e))
        }),
        row("runs without", &|r| {
            r.stockout_rate_undisrupted_runs
                .as_ref()
                .map(|e| estimate_cell(percent, e))
        }),
        row("worst 1% of runs (p99)", &|r| {
            r.worst_runs.map(|t| tail(t.quantile, t.quantile_ci95))
        }),
        row("worst 5% of runs (mean)", &|r| {
            r.worst_runs.map(|t| tail(t.tail_mean, t.tail_mean_ci95))
        }),
    ];
    // Which disruption a policy is exposed to: its stockout rate in the runs each one struck.
    let ids: Vec<String> = s
        .disruptions
        .iter()
        .flat_map(|d| d.by_disruption.iter().map(|x| x.disruption.clone()))
        .collect();
    for (k, id) in ids.iter().enumerate() {
        rows.insert(
            2 + k,
            row(&format!("runs {id} struck"), &|r| {
                r.by_disruption
                    .get(k)
                    .and_then(|d| d.stockout_rate_struck_runs.as_ref())
                    .map(|e| estimate_cell(percent, e))
            }),
        );
    }
    Some(Table { header, rows })
}

/// The disruption log: per disruption, events and active days per run.
fn disruption_table(s: &SavedSummary) -> Option<Table> {
    let log = s.disruptions.as_ref()?;
    let header = [
        "disruption",
        "kind",
        "events per run",
        "active days per run",
    ]
    .map(String::from)
    .to_vec();
    let number = ValueKind::Number;
    let mut rows: Vec<Vec<String>> = log
        .by_disruption
        .iter()
        .map(|d| {
            vec![
                d.disruption.clone(),
                d.kind.replace('_', " "),
                estimate_cell(number, &d.events),
                estimate_cell(number, &d.active_days),
            ]
        })
        .collect();
    rows.push(vec![
        "all suppliers".to_string(),
        "disrupted supplier-days".to_string(),
        "–".to_string(),
        estimate_cell(number, &log.disrupted_supplier_days),
    ]);
    Some(Table { header, rows })
}

/// An estimate as a table cell: the mean, then its interval on a second line.
pub(crate) fn estimate_cell(kind: ValueKind, e: &SavedEstimate) -> String {
    kind.estimate(e).replacen(" [", "\n[", 1)
}

/// The metrics shown per item.
const ITEM_METRICS: [&str; 3] = ["stockout_rate", "days_of_supply", "total_cost"];

/// One metric per item: one row per item, one column per policy.
fn item_table(s: &SavedSummary, metric: &str) -> Table {
    let mut header = vec!["item".to_string()];
    header.extend(s.policies.iter().map(|p| p.policy.clone()));
    let kind = ValueKind::of(metric);
    let rows = s
        .item_names()
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let mut row = vec![(*item).to_string()];
            row.extend(s.policies.iter().map(|p| {
                p.items
                    .get(i)
                    .and_then(|it| it.metrics.get(metric))
                    .map_or_else(|| "–".to_string(), |e| estimate_cell(kind, e))
            }));
            row
        })
        .collect();
    Table { header, rows }
}

/// How one policy sized each item's rule: the scenario's key inputs and what they resolve to.
fn sizing_table(p: &SavedPolicy) -> Table {
    let header = [
        "item",
        "rule",
        "demand / day",
        "lead time (days)",
        "review (days)",
        "safety stock",
        "reorder point",
        "order qty",
        "order-up-to",
        "kanban loop",
    ]
    .map(String::from)
    .to_vec();
    let rows = p
        .sizing
        .iter()
        .map(|z| {
            vec![
                z.item.clone(),
                z.rule.clone(),
                format!(
                    "{} ± {}",
                    group_thousands(z.mean_daily_demand, 2),
                    group_thousands(z.demand_sd, 2)
                ),
                format!("{:.2} ± {:.2}", z.lead_time_mean, z.lead_time_sd),
                z.review_period_days.to_string(),
                opt_level(z.safety_stock),
                level(z.reorder_point),
                opt_level(z.order_quantity),
                opt_level(z.order_up_to),
                z.kanban.as_ref().map_or_else(
                    || "–".to_string(),
                    |k| {
                        format!(
                            "{} × {} = {}\n{}{}",
                            k.containers,
                            level(k.container_size),
                            level(k.total_units),
                            loop_days(k.days_of_supply),
                            if k.computed { "" } else { ", count given" }
                        )
                    },
                ),
            ]
        })
        .collect();
    Table { header, rows }
}

/// The README's definition of every metric in the summary, in output order: its label with
/// its unit, its name in JSON and CSV, and the definition.
fn definitions(s: &SavedSummary) -> Vec<(String, String, String)> {
    let readme = readme_definitions();
    metric_names(s)
        .into_iter()
        .chain(suppliers::figure_names(s))
        .map(|name| {
            let def = readme.iter().find(|(n, _)| n == name).map_or_else(
                || "(not defined in this version's README)".to_string(),
                |(_, d)| d.clone(),
            );
            let label =
                suppliers::figure_label(s, name).unwrap_or_else(|| board::label_with_unit(s, name));
            (label, name.to_string(), def)
        })
        .collect()
}

/// `(metric, definition)` rows of the README's "Metrics" table, in Markdown.
pub(crate) fn readme_definitions() -> Vec<(String, String)> {
    const README: &str = include_str!("../../README.md");
    let Some(start) = README.find("\n## Metrics") else {
        return Vec::new();
    };
    let section = &README[start + 1..];
    let section = section[3..]
        .find("\n## ")
        .map_or(section, |end| &section[..end + 3]);
    section
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (name, rest) = rest.split_once("` |")?;
            let def = rest.trim().strip_suffix('|')?.trim();
            Some((name.to_string(), def.to_string()))
        })
        .collect()
}

/// The run's settings, one sentence.
fn run_line(s: &SavedSummary) -> String {
    format!(
        "{} runs, {} days per run of which the first {} are warm-up (not measured), unmet \
         demand {}, costs in {}.",
        group_thousands(s.runs as f64, 0),
        s.horizon_days,
        s.warmup_days,
        unmet_demand_text(s),
        board::currency(s),
    )
}

/// How to reproduce the run: seed and random numbers.
fn about_line(s: &SavedSummary) -> String {
    format!(
        "Made with seed {}; random numbers: {} (rand {}). The same scenario, seed and runs give \
         the same figures, byte for byte, on any number of threads.",
        s.seed, s.rng, s.rand_version
    )
}

const READING: &str = "Each figure is the mean over runs with its 95% confidence interval in \
    brackets (Student t). Costs are per year: the measured total × 365 / measured days. \
    Ratios over several items are weighted by value (unit cost).";

fn charts_line(charts: &[Chart]) -> String {
    let titles: Vec<String> = charts.iter().map(|c| c.title.clone()).collect();
    format!(
        "This report holds {} chart{}: {}.",
        charts.len(),
        if charts.len() == 1 { "" } else { "s" },
        titles.join("; ")
    )
}

// ---------------------------------------------------------------------------------------------
// Markdown

pub(crate) fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub(crate) fn md_table(out: &mut String, t: &Table) {
    let _ = writeln!(
        out,
        "| {} |",
        t.header
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let align: Vec<&str> = (0..t.header.len())
        .map(|c| if c == 0 { "---" } else { "--:" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for row in &t.rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter()
                .map(|c| md_cell(c))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out.push('\n');
}

/// The board summary in Markdown: paragraphs, then the targets table.
fn md_board(out: &mut String, b: &board::Board) {
    for para in &b.paragraphs {
        for piece in para {
            match piece {
                board::Piece::Text(t) => out.push_str(t),
                board::Piece::Strong(t) => {
                    let _ = write!(out, "**{}**", md_cell(t));
                }
                board::Piece::Figure { text, .. } => out.push_str(text),
            }
        }
        out.push_str("\n\n");
    }
    if let Some(grid) = &b.targets {
        md_table(out, &targets_table(grid));
    }
}

/// The targets grid as a table: a verdict per policy, with the estimate it was judged on.
fn targets_table(grid: &board::TargetGrid) -> Table {
    Table {
        header: grid.header.clone(),
        rows: grid
            .rows
            .iter()
            .map(|(target, cells)| {
                std::iter::once(target.clone())
                    .chain(
                        cells
                            .iter()
                            .map(|(v, detail)| format!("{}\n{detail}", v.word())),
                    )
                    .collect()
            })
            .collect(),
    }
}

/// The key inputs in Markdown: suppliers, items, disruptions, then each policy's settings
/// and sizing.
fn md_inputs(out: &mut String, s: &SavedSummary) {
    let _ = writeln!(out, "## Key inputs\n");
    if let Some(inp) = &s.inputs {
        let _ = writeln!(out, "### Suppliers\n");
        md_table(out, &inputs::suppliers(s, inp));
        let _ = writeln!(out, "### Items\n");
        md_table(out, &inputs::items(s, inp));
        if let Some(t) = inputs::disruptions(inp) {
            let _ = writeln!(out, "### Disruptions assumed\n");
            md_table(out, &t);
        }
    }
    let _ = writeln!(out, "### Policies\n\n{SIZING_NOTE}\n");
    for p in &s.policies {
        let _ = writeln!(out, "#### Policy `{}`\n", md_cell(&p.policy));
        let settings = policy_settings(s, &p.policy);
        for line in &settings {
            let _ = writeln!(out, "- {line}");
        }
        if !settings.is_empty() {
            out.push('\n');
        }
        md_table(out, &sizing_table(p));
    }
}

/// What sets policy `name` apart beyond its rules, from the summary's inputs.
fn policy_settings(s: &SavedSummary, name: &str) -> Vec<String> {
    s.inputs
        .as_ref()
        .and_then(|inp| inp.policies.iter().find(|p| p.policy == name))
        .map(inputs::policy_settings)
        .unwrap_or_default()
}

const SIZING_NOTE: &str = "How each policy sized each item's rule: mean daily demand ± sd, \
    lead time ± sd (suppliers' lateness included), and the stock levels derived from them, in \
    units.";

/// report.md: the tables in Markdown, with the charts linked as `charts/NAME.svg`.
pub(crate) fn to_markdown(s: &SavedSummary, charts: &[Chart], sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}: buffersim report\n", md_cell(&s.scenario));
    let _ = writeln!(out, "{}\n", run_line(s));

    let _ = writeln!(out, "## Summary\n");
    md_board(&mut out, &board::Board::new(s));
    let _ = writeln!(out, "{READING}\n");

    let _ = writeln!(out, "## Charts\n");
    let _ = writeln!(out, "{}\n", charts_line(charts));
    for c in charts {
        let _ = writeln!(out, "### {}\n", c.title);
        let _ = writeln!(out, "![{}](charts/{}.svg)\n", c.title, c.name);
    }

    let _ = writeln!(out, "## Policies compared (all items)\n");
    md_table(&mut out, &policy_table(s, true));
    let _ = writeln!(out, "### Every metric\n");
    md_table(&mut out, &policy_table(s, false));
    if let Some(t) = resilience_table(s) {
        let _ = writeln!(out, "### Resilience: stockout rate when things go wrong\n");
        md_table(&mut out, &t);
    }
    if let Some(t) = disruption_table(s) {
        let _ = writeln!(out, "### Disruptions per run (the same for every policy)\n");
        md_table(&mut out, &t);
    }

    if !s.item_names().is_empty() {
        let _ = writeln!(out, "## Per item\n");
        for metric in ITEM_METRICS {
            let _ = writeln!(out, "### {}\n", board::label_with_unit(s, metric));
            md_table(&mut out, &item_table(s, metric));
        }
    }

    if suppliers::any(s) {
        let _ = writeln!(
            out,
            "## {}\n\n{}\n",
            suppliers::title(s),
            suppliers::note(s)
        );
        for (heading, t) in suppliers::tables(s) {
            let _ = writeln!(out, "### {}\n", md_cell(&heading));
            md_table(&mut out, &t);
        }
    }

    if let Some(j) = &s.justification {
        out.push_str(&j.to_markdown());
    }

    for section in sections {
        let _ = writeln!(
            out,
            "## {}\n\n{}",
            md_cell(&section.title),
            section.markdown
        );
    }

    md_inputs(&mut out, s);

    let _ = writeln!(out, "## Metric definitions\n");
    let _ = writeln!(
        out,
        "| metric | in JSON and CSV | definition |\n|---|---|---|"
    );
    for (label, name, def) in definitions(s) {
        let _ = writeln!(
            out,
            "| {} | `{name}` | {} |",
            md_cell(&label),
            md_cell(&def)
        );
    }
    let _ = writeln!(out, "\n## About this run\n\n{}", about_line(s));
    out
}

// ---------------------------------------------------------------------------------------------
// HTML

/// The "Buffer justification" section: per item, one row per topic.
fn justification_html(out: &mut String, j: &Justification) {
    let _ = writeln!(
        out,
        "<section id=\"justification\">\n<h2>Buffer justification: policy <code>{}</code></h2>\n\
         <p>{}</p>",
        esc(&j.policy),
        md_inline_to_html(&j.preamble())
    );
    for item in &j.items {
        let _ = writeln!(
            out,
            "<h3>{}</h3>\n<div class=\"table-wrap\"><table class=\"defs\">\n<tbody>",
            esc(&item.item)
        );
        for r in &item.reasons {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
                esc(&r.topic),
                esc(&r.text)
            );
        }
        out.push_str("</tbody></table></div>\n");
    }
    out.push_str("</section>\n");
}

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

/// The README's Markdown definitions as HTML: escaped, with `code` spans.
fn md_inline_to_html(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// A cell, its second line (if any) smaller below the first.
fn html_cell(cell: &str) -> String {
    match cell.split_once('\n') {
        Some((main, detail)) => format!("{}<span class=\"sub\">{}</span>", esc(main), esc(detail)),
        None => esc(cell),
    }
}

pub(crate) fn html_table(out: &mut String, t: &Table, class: &str, swatches: bool) {
    let _ = writeln!(out, "<div class=\"table-wrap\"><table class=\"{class}\">");
    out.push_str("<thead><tr>");
    for (c, h) in t.header.iter().enumerate() {
        if c > 0 && swatches {
            let _ = write!(
                out,
                "<th><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
                charts::policy_colour_hex(c - 1),
                esc(h)
            );
        } else {
            let _ = write!(out, "<th>{}</th>", esc(h));
        }
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            if c == 0 {
                let _ = write!(out, "<th scope=\"row\">{}</th>", esc(cell));
            } else {
                let _ = write!(out, "<td>{}</td>", html_cell(cell));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

const CSS: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #222; font: 15px/1.45 "DejaVu Sans", Verdana, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.3em; }
h2 { font-size: 1.3em; margin: 1.8em 0 0.5em; padding-bottom: 0.2em; border-bottom: 2px solid #e3e5e8; }
h3 { font-size: 1.05em; margin: 1.3em 0 0.4em; }
p { margin: 0.4em 0 0.8em; }
.meta { color: #444; }
nav ol { margin: 0.3em 0 0; padding-left: 1.4em; columns: 2; }
figure { margin: 1.2em 0 1.8em; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid #e3e5e8; }
.table-wrap { overflow-x: auto; margin: 0.4em 0 1em; }
table { border-collapse: collapse; font-size: 0.86em; }
table.metrics, table.defs { width: 100%; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
thead th { text-align: right; border-bottom: 2px solid #c9ccd1; white-space: nowrap; }
thead th:first-child, tbody th { text-align: left; }
tbody th { font-weight: normal; white-space: nowrap; }
#summary { background: #f7f9fb; border: 1px solid #e3e5e8; border-radius: 6px; padding: 4px 16px 8px; margin-top: 1em; }
#summary h2 { border-bottom: none; margin-top: 0.6em; }
.verdict { font-weight: bold; }
table.targets { width: 100%; }
table.targets td { white-space: normal; }
.verdict.met { color: #00734d; }
.verdict.missed { color: #b3261e; }
.verdict.undecided, .verdict.undefined { color: #7a5c00; }
details summary { cursor: pointer; color: #444; margin: 0.3em 0; }
h4 { font-size: 1em; margin: 1.1em 0 0.3em; }
td { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td .sub { display: block; color: #666; font-size: 0.85em; }
table.sizing { width: 100%; }
table.sizing thead th { white-space: normal; vertical-align: bottom; }
table.sizing td:nth-child(2), table.sizing thead th:nth-child(2) { text-align: left; }
table.defs thead th { text-align: left; }
table.defs td { text-align: left; white-space: normal; }
tbody tr:nth-child(even) { background: #fafbfc; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.35em; border-radius: 2px; vertical-align: -0.05em; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; background: #f1f2f4; padding: 0 0.2em; border-radius: 3px; }
footer { margin-top: 2.5em; color: #666; font-size: 0.85em; }
@media (max-width: 700px) { main { padding: 12px; } nav ol { columns: 1; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { background: #fff; font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  details > *:not(summary) { display: block; }
  #inputs { break-before: page; page-break-before: always; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  figure { break-inside: avoid; page-break-inside: avoid; margin: 0.6em 0 1em; }
  figure svg { border: none; max-height: 230mm; }
  .table-wrap { overflow: visible; }
  table { font-size: 7.5pt; break-inside: auto; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th, td { padding: 2px 5px; }
  tbody tr:nth-child(even) { background: none; }
  .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// An SVG chart ready to inline: the backend's own header replaced by one with a role and a
/// label for screen readers (the size stays in the viewBox, CSS scales it to the page).
fn inline_svg(chart: &Chart) -> String {
    let label = format!("{}. {}", chart.title, chart.caption);
    inline_svg_source(&chart.svg, Some((chart.width, chart.height)), &label)
}

/// An SVG chart's source ready to inline, as [`inline_svg`] does: at `size`, or at the size
/// its own header gives (a chart file an analysis wrote), with `label` for screen readers.
pub(crate) fn inline_svg_source(svg: &str, size: Option<(u32, u32)>, label: &str) -> String {
    let body = svg.trim();
    match body.find('>') {
        Some(end) if body.starts_with("<svg") => {
            let header = &body[..end];
            let viewbox = header
                .split("viewBox=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("0 0 900 400");
            let attribute = |name: &str| {
                header
                    .split(&format!(" {name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .and_then(|v| v.parse::<u32>().ok())
            };
            let (w, h) = size
                .or_else(|| Some((attribute("width")?, attribute("height")?)))
                .unwrap_or((900, 400));
            format!(
                "<svg width=\"{w}\" height=\"{h}\" viewBox=\"{viewbox}\" \
                 xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"{}\">{}",
                esc(label),
                &body[end + 1..]
            )
        }
        _ => body.to_string(),
    }
}

/// The board summary in HTML: each figure a `span.fig` naming where summary.json holds it
/// (`data-path`) and its exact value (`data-value`).
fn html_board(out: &mut String, b: &board::Board) {
    for para in &b.paragraphs {
        out.push_str("<p>");
        for piece in para {
            match piece {
                board::Piece::Text(t) => out.push_str(&md_inline_to_html(t)),
                board::Piece::Strong(t) => {
                    let _ = write!(out, "<strong>{}</strong>", esc(t));
                }
                board::Piece::Figure { text, path, value } => {
                    let _ = write!(
                        out,
                        "<span class=\"fig\" data-path=\"{}\" data-value=\"{}\">{}</span>",
                        esc(path),
                        esc(value),
                        esc(text)
                    );
                }
            }
        }
        out.push_str("</p>\n");
    }
    if let Some(grid) = &b.targets {
        let _ = writeln!(
            out,
            "<div class=\"table-wrap\"><table class=\"metrics targets\">"
        );
        out.push_str("<thead><tr>");
        for (c, h) in grid.header.iter().enumerate() {
            if c == 0 {
                let _ = write!(out, "<th>{}</th>", esc(h));
            } else {
                let _ = write!(
                    out,
                    "<th><span class=\"swatch\" style=\"background:{}\"></span>{}</th>",
                    charts::policy_colour_hex(c - 1),
                    esc(h)
                );
            }
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for (r, (target, cells)) in grid.rows.iter().enumerate() {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(target));
            for (c, (verdict, detail)) in cells.iter().enumerate() {
                let _ = write!(
                    out,
                    "<td><span class=\"fig verdict {0}\" data-path=\"targets.{r}.policies.{c}.verdict\" \
                     data-value=\"{0}\">{0}</span><span class=\"sub\">{1}</span></td>",
                    verdict.word(),
                    esc(detail)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table></div>\n");
    }
}

/// The key inputs in HTML: suppliers, items, disruptions, then each policy's settings and
/// sizing.
fn html_inputs(out: &mut String, s: &SavedSummary) {
    out.push_str("<section id=\"inputs\">\n<h2>Key inputs</h2>\n");
    if let Some(inp) = &s.inputs {
        out.push_str("<h3>Suppliers</h3>\n");
        html_table(out, &inputs::suppliers(s, inp), "sizing", false);
        out.push_str("<h3>Items</h3>\n");
        html_table(out, &inputs::items(s, inp), "sizing", false);
        if let Some(t) = inputs::disruptions(inp) {
            out.push_str("<h3>Disruptions assumed</h3>\n");
            html_table(out, &t, "defs", false);
        }
    }
    let _ = writeln!(out, "<h3>Policies</h3>\n<p>{}</p>", esc(SIZING_NOTE));
    for (i, p) in s.policies.iter().enumerate() {
        let _ = writeln!(
            out,
            "<h4><span class=\"swatch\" style=\"background:{}\"></span>Policy <code>{}</code></h4>",
            charts::policy_colour_hex(i),
            esc(&p.policy)
        );
        let settings = policy_settings(s, &p.policy);
        if !settings.is_empty() {
            out.push_str("<ul>\n");
            for line in settings {
                let _ = writeln!(out, "<li>{}</li>", esc(&line));
            }
            out.push_str("</ul>\n");
        }
        html_table(out, &sizing_table(p), "sizing", false);
    }
    out.push_str("</section>\n");
}

/// report.html: one self-contained file (inline CSS and SVG, no scripts, no network).
pub(crate) fn to_html(s: &SavedSummary, charts: &[Chart], sections: &[Section]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — buffersim report</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        esc(&s.scenario)
    );
    let _ = writeln!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>",
        esc(&s.scenario),
        esc(&run_line(s)),
    );

    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    html_board(&mut out, &board::Board::new(s));
    let _ = writeln!(out, "<p class=\"meta\">{}</p>\n</section>", esc(READING));

    let has_items = !s.item_names().is_empty();
    out.push_str("<nav><ol>\n<li><a href=\"#summary\">Summary</a></li>\n");
    for c in charts {
        let _ = writeln!(
            out,
            "<li><a href=\"#chart-{}\">{}</a></li>",
            c.name,
            esc(&c.title)
        );
    }
    out.push_str("<li><a href=\"#policies\">Policies compared</a></li>\n");
    if has_items {
        out.push_str("<li><a href=\"#items\">Per item</a></li>\n");
    }
    if suppliers::any(s) {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            suppliers::ID,
            suppliers::title(s)
        );
    }
    if s.justification.is_some() {
        out.push_str("<li><a href=\"#justification\">Buffer justification</a></li>\n");
    }
    for section in sections {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            esc(&section.id),
            esc(&section.title)
        );
    }
    out.push_str(
        "<li><a href=\"#inputs\">Key inputs</a></li>\n\
         <li><a href=\"#definitions\">Metric definitions</a></li>\n\
         <li><a href=\"#about\">About this run</a></li>\n</ol></nav>\n",
    );

    let _ = writeln!(
        out,
        "<section id=\"charts\">\n<h2>Charts</h2>\n<p>{}</p>",
        esc(&charts_line(charts)),
    );
    for c in charts {
        let _ = writeln!(
            out,
            "<figure id=\"chart-{}\">\n{}\n</figure>",
            c.name,
            inline_svg(c)
        );
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"policies\">\n<h2>Policies compared (all items)</h2>\n");
    html_table(&mut out, &policy_table(s, true), "metrics", true);
    out.push_str("<details>\n<summary>Every metric</summary>\n");
    html_table(&mut out, &policy_table(s, false), "metrics", true);
    out.push_str("</details>\n");
    if let Some(t) = resilience_table(s) {
        out.push_str("<h3>Resilience: stockout rate when things go wrong</h3>\n");
        html_table(&mut out, &t, "metrics", true);
    }
    if let Some(t) = disruption_table(s) {
        out.push_str("<h3>Disruptions per run (the same for every policy)</h3>\n");
        html_table(&mut out, &t, "sizing", false);
    }
    out.push_str("</section>\n");

    if has_items {
        out.push_str("<section id=\"items\">\n<h2>Per item</h2>\n");
        for metric in ITEM_METRICS {
            let _ = writeln!(out, "<h3>{}</h3>", esc(&board::label_with_unit(s, metric)));
            html_table(&mut out, &item_table(s, metric), "metrics", true);
        }
        out.push_str("</section>\n");
    }

    if suppliers::any(s) {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>\n<p>{}</p>",
            suppliers::ID,
            suppliers::title(s),
            md_inline_to_html(&suppliers::note(s))
        );
        for (heading, t) in suppliers::tables(s) {
            let _ = writeln!(out, "<h3>{}</h3>", esc(&heading));
            html_table(&mut out, &t, "metrics", true);
        }
        out.push_str("</section>\n");
    }

    if let Some(j) = &s.justification {
        justification_html(&mut out, j);
    }

    for section in sections {
        let _ = writeln!(
            out,
            "<section id=\"{}\">\n<h2>{}</h2>\n{}</section>",
            esc(&section.id),
            esc(&section.title),
            section.html
        );
    }

    html_inputs(&mut out, s);

    out.push_str(
        "<section id=\"definitions\">\n<h2>Metric definitions</h2>\n\
         <div class=\"table-wrap\"><table class=\"defs\">\n\
         <thead><tr><th>metric</th><th>in JSON and CSV</th><th>definition</th></tr></thead>\n<tbody>\n",
    );
    for (label, name, def) in definitions(s) {
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td><code>{}</code></td><td>{}</td></tr>",
            esc(&label),
            esc(&name),
            md_inline_to_html(&def)
        );
    }
    out.push_str("</tbody></table></div>\n</section>\n");
    let _ = writeln!(
        out,
        "<section id=\"about\">\n<h2>About this run</h2>\n<p>{}</p>\n</section>",
        esc(&about_line(s))
    );
    let _ = writeln!(
        out,
        "<footer>Made by buffersim {} from summary.json.</footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_a_readme_definition() {
        let defs = readme_definitions();
        for m in crate::simulation::metrics::METRICS {
            assert!(
                defs.iter().any(|(n, _)| n == m.name()),
                "README's Metrics table has no row for `{}`",
                m.name()
            );
        }
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(md_inline_to_html("x `a<b` y"), "x <code>a&lt;b</code> y");
    }
}
