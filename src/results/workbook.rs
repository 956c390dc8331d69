//! summary.xlsx: the summary as an Excel workbook, for planners who work in spreadsheets.
//!
//! It holds what summary.csv and on_hand.csv hold, one sheet per table, laid out for a person
//! with a spreadsheet rather than for a program: numbers are stored as numbers (shares as
//! fractions shown as percentages, so a formula gets 0.0123, not "1.23%"), every header names its
//! unit, and the sheets a planner filters and sorts come first: one row per policy, then one row
//! per policy and item, each metric a column. An interval that cannot be computed (a single
//! run) is an empty cell, as in the CSV.
//!
//! The same run gives the same bytes: the workbook's creation date is fixed
//! ([`CREATED`]) instead of the clock's, and the zip entries carry no time of their own.

use indexmap::IndexMap;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use crate::foundation::date::Calendar;
use crate::foundation::stats::{Estimate, Interval};
use crate::model::scenario::UnmetDemand;
use crate::results::summary::{Summary, csv_scope, supplier_figure_unit};
use crate::simulation::metrics::{METRICS, Metric};
use crate::simulation::supplier_metrics::{BUDGET_METRICS, SUPPLIER_METRICS};

/// The creation date written into every workbook (its document properties), fixed so that
/// results stay byte-identical from run to run: the date the workbook format was added.
const CREATED: (u16, u8, u8) = (2026, 12, 7);

/// Why the workbook could not be built (the library refuses a sheet or cell it cannot store).
#[derive(Debug, thiserror::Error)]
#[error("cannot build summary.xlsx: {0}")]
pub(crate) struct WorkbookError(#[from] XlsxError);

/// How a column's numbers are shown.
#[derive(Clone, Copy)]
enum Shown {
    /// A share 0–1, shown as a percentage with two decimals.
    Percent,
    /// Money, whole with thousands grouped.
    Money,
    /// Any other figure, with up to two decimals.
    Number,
    /// A whole count (runs, days).
    Whole,
}

impl Shown {
    /// How a supplier's or a budget's figure is shown, from its unit.
    fn of_unit(unit: &str) -> Shown {
        match unit {
            "share" => Shown::Percent,
            "currency" => Shown::Money,
            _ => Shown::Number,
        }
    }

    /// How a metric's values are shown.
    fn of(metric: Metric) -> Shown {
        match metric.unit() {
            "share" => Shown::Percent,
            "currency" | "currency per year" => Shown::Money,
            _ => Shown::Number,
        }
    }

    fn format(self) -> Format {
        Format::new().set_num_format(match self {
            Shown::Percent => "0.00%",
            Shown::Money => "#,##0",
            Shown::Number => "#,##0.00",
            Shown::Whole => "0",
        })
    }
}

/// A header cell: the column's name and, where it has one, its unit.
fn header(name: &str, unit: &str) -> String {
    if unit.is_empty() {
        name.to_string()
    } else {
        format!("{name} ({unit})")
    }
}

/// One sheet being written: the next free row, and the formats its cells use.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    row: u32,
}

impl<'a> Sheet<'a> {
    /// A new sheet named `name`, with `headers` in bold on its first row, frozen above the data.
    fn new(
        workbook: &'a mut Workbook,
        name: &str,
        headers: &[String],
    ) -> Result<Self, WorkbookError> {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name)?;
        let bold = Format::new().set_bold();
        for (col, text) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, text, &bold)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        Ok(Sheet { sheet, row: 1 })
    }

    fn text(&mut self, col: u16, text: &str) -> Result<(), WorkbookError> {
        self.sheet.write_string(self.row, col, text)?;
        Ok(())
    }

    /// A number, or an empty cell where there is none (or where it is not finite, which
    /// no cell may hold).
    fn number(&mut self, col: u16, value: Option<f64>, shown: Shown) -> Result<(), WorkbookError> {
        if let Some(v) = value.filter(|v| v.is_finite()) {
            self.sheet
                .write_number_with_format(self.row, col, v, &shown.format())?;
        }
        Ok(())
    }

    /// An estimate's runs, mean, interval and percentiles, from column `col` on.
    fn estimate(&mut self, col: u16, e: &Estimate, shown: Shown) -> Result<(), WorkbookError> {
        self.number(col, Some(e.n as f64), Shown::Whole)?;
        self.number(col + 1, Some(e.mean), shown)?;
        self.interval(col + 2, e.ci95, shown)?;
        self.number(col + 4, Some(e.p05), shown)?;
        self.number(col + 5, Some(e.p50), shown)?;
        self.number(col + 6, Some(e.p95), shown)
    }

    /// An interval's two ends, both empty where there is none.
    fn interval(
        &mut self,
        col: u16,
        ci: Option<Interval>,
        shown: Shown,
    ) -> Result<(), WorkbookError> {
        self.number(col, ci.map(|c| c.low), shown)?;
        self.number(col + 1, ci.map(|c| c.high), shown)
    }

    fn next_row(&mut self) {
        self.row += 1;
    }

    fn finish(self) {
        self.sheet.set_autofit_max_width(400).autofit();
    }
}

/// The headers of an estimate's columns (see [`Sheet::estimate`]), in `unit`.
fn estimate_headers(unit: &str) -> Vec<String> {
    let mut headers = vec![header("runs", "")];
    for name in ["mean", "ci95_low", "ci95_high", "p05", "p50", "p95"] {
        headers.push(header(name, unit));
    }
    headers
}

/// The bytes of summary.xlsx for `summary`.
pub(crate) fn summary_workbook(summary: &Summary) -> Result<Vec<u8>, WorkbookError> {
    let mut workbook = Workbook::new();
    let (y, m, d) = CREATED;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("buffersim summary: {}", summary.scenario))
            .set_creation_datetime(&created),
    );
    // The metrics any policy or item has, in definition order: the columns of the wide sheets.
    let metrics: Vec<Metric> = METRICS
        .iter()
        .copied()
        .filter(|m| {
            summary.policies.iter().any(|p| {
                p.metrics.contains_key(m.name())
                    || p.items.iter().any(|i| i.metrics.contains_key(m.name()))
            })
        })
        .collect();
    policies_sheet(&mut workbook, summary, &metrics)?;
    items_sheet(&mut workbook, summary, &metrics)?;
    suppliers_sheets(&mut workbook, summary)?;
    estimates_sheet(&mut workbook, summary)?;
    sizing_sheet(&mut workbook, summary)?;
    if summary.disruptions.is_some() {
        resilience_sheet(&mut workbook, summary)?;
        disruptions_sheet(&mut workbook, summary)?;
    }
    on_hand_sheet(&mut workbook, summary)?;
    about_sheet(&mut workbook, summary)?;
    Ok(workbook.save_to_buffer()?)
}

/// Mean of every metric, one row per policy (all items together).
fn policies_sheet(
    workbook: &mut Workbook,
    summary: &Summary,
    metrics: &[Metric],
) -> Result<(), WorkbookError> {
    let mut headers = vec!["policy".to_string()];
    headers.extend(metrics.iter().map(|m| header(m.name(), m.unit())));
    let mut sheet = Sheet::new(workbook, "Policies", &headers)?;
    for p in &summary.policies {
        sheet.text(0, &p.policy)?;
        for (k, m) in metrics.iter().enumerate() {
            let mean = p.metrics.get(m.name()).map(|e| e.mean);
            sheet.number(1 + k as u16, mean, Shown::of(*m))?;
        }
        sheet.next_row();
    }
    sheet.finish();
    Ok(())
}

/// Mean of every metric, one row per policy and item.
fn items_sheet(
    workbook: &mut Workbook,
    summary: &Summary,
    metrics: &[Metric],
) -> Result<(), WorkbookError> {
    let mut headers = vec!["policy".to_string(), "item".to_string()];
    headers.extend(metrics.iter().map(|m| header(m.name(), m.unit())));
    let mut sheet = Sheet::new(workbook, "Items", &headers)?;
    for p in &summary.policies {
        for item in &p.items {
            sheet.text(0, &p.policy)?;
            sheet.text(1, &item.item)?;
            for (k, m) in metrics.iter().enumerate() {
                let mean = item.metrics.get(m.name()).map(|e| e.mean);
                sheet.number(2 + k as u16, mean, Shown::of(*m))?;
            }
            sheet.next_row();
        }
    }
    sheet.finish();
    Ok(())
}

/// Most rows the `Estimates` sheet gives the items' own estimates (a row per policy, item and
/// metric): beyond this the sheet holds the policies', suppliers' and budgets' rows only, and
/// the `About` sheet says that every item's estimates are in summary.csv.
///
/// Why (issue 24, item 1): the rows grow with items × policies × metrics, 480,000 for 1,000
/// items under 20 policies, and a workbook is built whole in memory (about 100 bytes a cell,
/// ten cells a row); from 5,000 items under 20 policies they would not even fit a sheet's
/// 1,048,576 rows. A planner reads a catalogue's items in the `Items` sheet (the means, one row
/// per item and policy) and filters the intervals and percentiles in summary.csv. 100,000 rows
/// keep every example and a catalogue of a few hundred items whole.
pub(crate) const ITEM_ESTIMATE_ROWS_MAX: usize = 100_000;

/// Whether the `Estimates` sheet gives the items' own rows ([`ITEM_ESTIMATE_ROWS_MAX`]).
fn item_estimates_shown(summary: &Summary) -> bool {
    let rows: usize = summary
        .policies
        .iter()
        .flat_map(|p| &p.items)
        .map(|i| i.metrics.len())
        .sum();
    rows <= ITEM_ESTIMATE_ROWS_MAX
}

/// Every estimate with its interval and percentiles, as summary.csv has them; the unit is a
/// column of its own, since it changes from row to row.
fn estimates_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let mut headers = ["policy", "item", "metric", "unit"]
        .map(String::from)
        .to_vec();
    headers.extend(estimate_headers(""));
    let mut sheet = Sheet::new(workbook, "Estimates", &headers)?;
    let shown = item_estimates_shown(summary);
    for p in &summary.policies {
        let all = std::iter::once(("(all items)", &p.metrics));
        let items = p
            .items
            .iter()
            .filter(|_| shown)
            .map(|i| (i.item.as_str(), &i.metrics));
        for (item, metrics) in all.chain(items) {
            for (name, e) in metrics {
                let Some(metric) = Metric::from_name(name) else {
                    continue;
                };
                sheet.text(0, &p.policy)?;
                sheet.text(1, item)?;
                sheet.text(2, name)?;
                sheet.text(3, metric.unit())?;
                sheet.estimate(4, e, Shown::of(metric))?;
                sheet.next_row();
            }
        }
        let suppliers = p
            .suppliers
            .iter()
            .map(|s| (csv_scope("supplier", &s.supplier), &s.metrics));
        let budgets = p
            .budgets
            .iter()
            .map(|b| (csv_scope("budget", &b.budget), &b.metrics));
        for (scope, metrics) in suppliers.chain(budgets) {
            for (name, e) in metrics {
                let unit = supplier_figure_unit(name).unwrap_or("");
                sheet.text(0, &p.policy)?;
                sheet.text(1, &scope)?;
                sheet.text(2, name)?;
                sheet.text(3, unit)?;
                sheet.estimate(4, e, Shown::of_unit(unit))?;
                sheet.next_row();
            }
        }
    }
    sheet.finish();
    Ok(())
}

/// Mean of every supplier figure, one row per policy and supplier whose items are simulated
/// together (sheet `Suppliers`), then of every budget figure, one row per policy and budget
/// (`Budgets`); each sheet only when it has rows.
fn suppliers_sheets(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let suppliers = summary.policies.iter().flat_map(|p| {
        p.suppliers
            .iter()
            .map(move |s| (p.policy.as_str(), s.supplier.as_str(), &s.metrics))
    });
    let names = SUPPLIER_METRICS.map(|m| m.name());
    figures_sheet(workbook, "Suppliers", "supplier", &names, suppliers)?;
    let budgets = summary.policies.iter().flat_map(|p| {
        p.budgets
            .iter()
            .map(move |b| (p.policy.as_str(), b.budget.as_str(), &b.metrics))
    });
    let names = BUDGET_METRICS.map(|m| m.name());
    figures_sheet(workbook, "Budgets", "budget", &names, budgets)
}

/// A sheet of `(policy, id, figures)` rows, a column per figure of `names`; none without rows.
fn figures_sheet<'a>(
    workbook: &mut Workbook,
    title: &str,
    id: &str,
    names: &[&str],
    rows: impl Iterator<Item = (&'a str, &'a str, &'a IndexMap<&'static str, Estimate>)>,
) -> Result<(), WorkbookError> {
    let mut rows = rows.peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    let unit = |name: &str| supplier_figure_unit(name).unwrap_or("");
    let mut headers = vec!["policy".to_string(), id.to_string()];
    headers.extend(names.iter().map(|n| header(n, unit(n))));
    let mut sheet = Sheet::new(workbook, title, &headers)?;
    for (policy, id, metrics) in rows {
        sheet.text(0, policy)?;
        sheet.text(1, id)?;
        for (k, name) in names.iter().enumerate() {
            let mean = metrics.get(name).map(|e| e.mean);
            sheet.number(2 + k as u16, mean, Shown::of_unit(unit(name)))?;
        }
        sheet.next_row();
    }
    sheet.finish();
    Ok(())
}

/// How each policy sized each item's rule.
fn sizing_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let headers = [
        header("policy", ""),
        header("item", ""),
        header("rule", ""),
        header("mean daily demand", "units/day"),
        header("demand sd", "units/day"),
        header("lead time mean", "days"),
        header("lead time sd", "days"),
        header("review period", "days"),
        header("protection period", "days"),
        header("safety stock", "units"),
        header("reorder point", "units"),
        header("order quantity", "units"),
        header("order up to", "units"),
        header("kanban containers", ""),
        header("container size", "units"),
        header("kanban days of supply", "days"),
    ];
    let mut sheet = Sheet::new(workbook, "Sizing", &headers)?;
    for p in &summary.policies {
        for sizing in &p.sizing {
            let s = &sizing.sizing;
            sheet.text(0, &p.policy)?;
            sheet.text(1, &sizing.item)?;
            sheet.text(2, s.rule.name())?;
            let numbers = [
                Some(s.mean_daily_demand),
                Some(s.demand_sd),
                Some(s.lead_time_mean),
                Some(s.lead_time_sd),
                Some(f64::from(s.review_period_days)),
                Some(s.protection_days),
                s.safety_stock,
                Some(s.reorder_point),
                s.order_quantity,
                s.order_up_to,
                s.kanban.as_ref().map(|k| f64::from(k.containers)),
                s.kanban.as_ref().map(|k| k.container_size),
                s.kanban.as_ref().and_then(|k| k.days_of_supply),
            ];
            for (k, value) in numbers.into_iter().enumerate() {
                sheet.number(3 + k as u16, value, Shown::Number)?;
            }
            sheet.next_row();
        }
    }
    sheet.finish();
    Ok(())
}

/// Each policy's stockout rate with and without disruption events, and in its worst runs.
fn resilience_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let mut headers = vec![header("policy", ""), header("figure", "")];
    headers.extend(estimate_headers("share"));
    let mut sheet = Sheet::new(workbook, "Resilience", &headers)?;
    for p in &summary.policies {
        let Some(r) = &p.resilience else {
            continue;
        };
        let estimates = [
            (
                "stockout_rate_disrupted_runs",
                &r.stockout_rate_disrupted_runs,
            ),
            (
                "stockout_rate_undisrupted_runs",
                &r.stockout_rate_undisrupted_runs,
            ),
        ];
        for (name, e) in estimates {
            if let Some(e) = e {
                sheet.text(0, &p.policy)?;
                sheet.text(1, name)?;
                sheet.estimate(2, e, Shown::Percent)?;
                sheet.next_row();
            }
        }
        if let Some(t) = &r.worst_runs {
            let runs = p
                .metrics
                .get(Metric::StockoutRate.name())
                .map(|e| e.n as f64);
            let tails = [
                ("stockout_rate_p99", t.quantile, t.quantile_ci95),
                (
                    "stockout_rate_worst_5pct_mean",
                    t.tail_mean,
                    t.tail_mean_ci95,
                ),
            ];
            for (name, value, ci) in tails {
                sheet.text(0, &p.policy)?;
                sheet.text(1, name)?;
                sheet.number(2, runs, Shown::Whole)?;
                sheet.number(3, Some(value), Shown::Percent)?;
                sheet.interval(4, ci, Shown::Percent)?;
                sheet.next_row();
            }
        }
    }
    sheet.finish();
    Ok(())
}

/// The disruption log: events and active days per run, the same for every policy.
fn disruptions_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let Some(log) = &summary.disruptions else {
        return Ok(());
    };
    let mut headers = vec![
        header("disruption", ""),
        header("kind", ""),
        header("figure", ""),
    ];
    headers.extend(estimate_headers("per run"));
    let mut sheet = Sheet::new(workbook, "Disruptions", &headers)?;
    let mut row = |disruption: &str, kind: &str, figure: &str, e: &Estimate, shown: Shown| {
        sheet.text(0, disruption)?;
        sheet.text(1, kind)?;
        sheet.text(2, figure)?;
        sheet.estimate(3, e, shown)?;
        sheet.next_row();
        Ok::<(), WorkbookError>(())
    };
    for d in &log.by_disruption {
        row(
            &d.disruption,
            d.kind.name(),
            "events",
            &d.events,
            Shown::Number,
        )?;
        row(
            &d.disruption,
            d.kind.name(),
            "active days",
            &d.active_days,
            Shown::Number,
        )?;
    }
    row(
        "(all suppliers)",
        "",
        "disrupted supplier-days",
        &log.disrupted_supplier_days,
        Shown::Number,
    )?;
    if let Some(e) = &log.runs_with_events {
        row(
            "(all disruptions)",
            "",
            "share of runs with events",
            e,
            Shown::Percent,
        )?;
    }
    sheet.finish();
    Ok(())
}

/// Stock on hand over the horizon: percentiles over runs per sampled day, one row per policy
/// and day.
fn on_hand_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let measure = summary
        .policies
        .first()
        .map_or("units", |p| p.on_hand_fan.measure);
    let unit = if measure == "units" {
        "units"
    } else {
        "currency"
    };
    let calendar = Calendar::new(summary.start_date, summary.start_day_of_year);
    let dated = summary.start_date.is_some();
    let mut headers = vec![header("policy", ""), header("day", "")];
    if dated {
        headers.push(header("date", ""));
    }
    let first = headers.len() as u16;
    headers.extend(["p05", "p25", "p50", "p75", "p95"].map(|q| header(q, unit)));
    let mut sheet = Sheet::new(workbook, "On hand", &headers)?;
    let shown = if measure == "units" {
        Shown::Number
    } else {
        Shown::Money
    };
    for p in &summary.policies {
        let f = &p.on_hand_fan;
        for (k, day) in f.day.iter().enumerate() {
            sheet.text(0, &p.policy)?;
            sheet.number(1, Some(*day as f64), Shown::Whole)?;
            if let Some(date) = calendar.date(*day as u32) {
                sheet.text(2, &date.to_string())?;
            }
            for (col, q) in [&f.p05, &f.p25, &f.p50, &f.p75, &f.p95].iter().enumerate() {
                sheet.number(first + col as u16, q.get(k).copied(), shown)?;
            }
            sheet.next_row();
        }
    }
    sheet.finish();
    Ok(())
}

/// What the figures stand on: scenario, runs, seed, horizon, and how to read the sheets.
fn about_sheet(workbook: &mut Workbook, summary: &Summary) -> Result<(), WorkbookError> {
    let headers = [header("field", ""), header("value", "")];
    let mut sheet = Sheet::new(workbook, "About", &headers)?;
    let mut fields = vec![
        ("scenario", summary.scenario.clone()),
        ("runs", summary.runs.to_string()),
        ("seed", summary.seed.to_string()),
        ("horizon (days)", summary.horizon_days.to_string()),
        ("warm-up (days)", summary.warmup_days.to_string()),
        (
            "unmet demand",
            match summary.unmet_demand {
                UnmetDemand::Lost => "lost sales",
                UnmetDemand::Backorder => "backordered",
            }
            .to_string(),
        ),
        ("random number generator", summary.rng.to_string()),
        (
            "how to read",
            "Means over runs, with the 95% confidence interval of the mean (ci95_low, \
             ci95_high; empty from a single run) and the 5th, 50th and 95th percentiles over \
             runs. Shares are fractions shown as percentages; costs are per year. The README's \
             \"Metrics\" section defines every metric."
                .to_string(),
        ),
    ];
    if let Some(date) = summary.start_date {
        fields.insert(4, ("start date", format!("{date} (day 0 of every run)")));
    }
    let left_out = (!item_estimates_shown(summary)).then(|| {
        (
            "item estimates",
            format!(
                "The Estimates sheet gives the policies' rows only: the items' would be more \
                 than {} rows. Every item's estimates, with their intervals and percentiles, \
                 are in summary.csv; their means are in the Items sheet.",
                crate::foundation::format::group_thousands(ITEM_ESTIMATE_ROWS_MAX as f64, 0)
            ),
        )
    });
    for (field, value) in fields.into_iter().chain(left_out) {
        sheet.text(0, field)?;
        sheet.text(1, &value)?;
        sheet.next_row();
    }
    sheet.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::foundation::stats::RunningStat;
    use crate::simulation::supplier_metrics::{BudgetStats, SupplierStats};
    use calamine::{Data, Reader, Xlsx};

    /// Issue 19: the supplier and budget figures get a sheet each, a column per figure with
    /// its unit, and their estimates are rows of `Estimates`; undefined figures are empty.
    #[test]
    fn supplier_and_budget_figures_have_sheets_of_their_own() {
        let text = r#"
[simulation]
horizon_days = 60
runs = 2
[[supplier]]
id = "east"
lead_time = { fixed = 2 }
capacity_per_day = 12
[[item]]
id = "a"
unit_cost = 1
demand = { deterministic = 5 }
[[item]]
id = "b"
unit_cost = 1
demand = { deterministic = 5 }
[[budget]]
id = "monthly"
amount = 1000
period = "month"
[policy.base.rule.base_stock]
order_up_to = 40
"#;
        let scenario =
            crate::model::scenario::Scenario::from_source(text, std::path::Path::new("s.toml"))
                .unwrap();
        let mut outcome = crate::simulation::engine::simulate(&scenario, 2, 1, &|_| {});
        let stat = |v: Option<f64>| {
            let mut s = RunningStat::new();
            if let Some(v) = v {
                s.push(v);
                s.push(v);
            }
            s
        };
        for stats in &mut outcome.policies {
            let values = [
                None,
                Some(3.0),
                Some(1.5),
                Some(20.0),
                Some(400.0),
                Some(90.0),
            ];
            stats.suppliers = vec![SupplierStats::from_stats(
                values.into_iter().map(stat).collect(),
            )];
            stats.budgets = vec![BudgetStats::from_stats(vec![
                stat(Some(0.5)),
                stat(Some(12.0)),
            ])];
        }
        let summary = Summary::new(&scenario, &outcome);
        let bytes = summary_workbook(&summary).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            book.sheet_names(),
            [
                "Policies",
                "Items",
                "Suppliers",
                "Budgets",
                "Estimates",
                "Sizing",
                "On hand",
                "About"
            ]
        );
        let suppliers = book.worksheet_range("Suppliers").unwrap();
        let rows: Vec<Vec<Data>> = suppliers.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(rows[0][1], Data::String("supplier".into()));
        assert_eq!(
            rows[0][2],
            Data::String("capacity_utilisation (share)".into())
        );
        assert_eq!(
            rows[0][6],
            Data::String("value_per_delivery (currency)".into())
        );
        assert_eq!(rows[1][1], Data::String("east".into()));
        assert_eq!(rows[1][2], Data::Empty, "undefined: an empty cell");
        assert_eq!(rows[1][6], Data::Float(400.0));
        let budgets = book.worksheet_range("Budgets").unwrap();
        let rows: Vec<Vec<Data>> = budgets.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(rows[0][2], Data::String("budget_used (share)".into()));
        assert_eq!(rows[1][2], Data::Float(0.5));
        let estimates = book.worksheet_range("Estimates").unwrap();
        let found = estimates.rows().any(|r| {
            r[1] == Data::String("supplier:east".into())
                && r[2] == Data::String("backlog_days".into())
                && r[3] == Data::String("days".into())
                && r[5] == Data::Float(1.5)
        });
        assert!(found);
    }

    #[test]
    fn every_metric_has_a_unit_and_shares_are_shown_as_percentages() {
        for m in METRICS {
            assert_eq!(m.is_share(), m.unit() == "share", "{}", m.name());
            assert!(matches!(Shown::of(m), Shown::Percent) == m.is_share());
        }
    }
}
