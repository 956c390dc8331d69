//! Output: the terminal comparison table, summary.json and summary.csv.
//!
//! Files are written atomically (a temporary file in the same folder, then a rename), so an
//! interrupted run never leaves half a result. Nothing here depends on wall-clock time, so the
//! same scenario and seed give byte-identical files.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Serialize;

use crate::engine::Outcome;
use crate::metrics::{FanLayout, ItemSummary, Metric, OnHandFan};
use crate::policy::{KanbanSizing, Sizing};
use crate::rng::RNG_ALGORITHM;
use crate::scenario::{Scenario, UnmetDemand};
use crate::stats::{Estimate, Tail};

/// The summary of a simulation, as written to summary.json.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub scenario: String,
    pub runs: u64,
    pub seed: u64,
    pub horizon_days: u32,
    pub warmup_days: u32,
    pub unmet_demand: UnmetDemand,
    pub rng: &'static str,
    pub rand_version: &'static str,
    pub policies: Vec<PolicySummary>,
    /// What the disruptions amounted to (the same for every policy); absent without any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disruptions: Option<DisruptionSummary>,
    /// What precision control achieved, when the run used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::analysis::precision::PrecisionReport>,
    /// Why each buffer is what it is, when the run comes from `optimize --justify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<crate::analysis::justify::Justification>,
}

/// An estimate for a quantity that is zero in every run (no runs at all cannot happen).
const ZERO: Estimate = Estimate {
    mean: 0.0,
    ci95_low: 0.0,
    ci95_high: 0.0,
    p05: 0.0,
    p50: 0.0,
    p95: 0.0,
    n: 0,
};

/// The disruption log of a simulation, aggregated over runs.
#[derive(Clone, Debug, Serialize)]
pub struct DisruptionSummary {
    /// Share of runs with at least one event in the measured days.
    pub runs_with_events: Option<Estimate>,
    /// Supplier-days with reduced capacity, delayed transport or drifted lead times, per run.
    pub disrupted_supplier_days: Estimate,
    pub by_disruption: Vec<DisruptionLog>,
}

/// One disruption's events and active days per run.
#[derive(Clone, Debug, Serialize)]
pub struct DisruptionLog {
    pub disruption: String,
    pub kind: crate::disruption::Kind,
    pub events: Estimate,
    pub active_days: Estimate,
    /// Days `[start, end)` of the horizon on which a scheduled disruption is active (the same
    /// in every run); empty for random and Markov occurrences.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<[usize; 2]>,
}

/// How a policy holds up when things go wrong.
#[derive(Clone, Debug, Serialize)]
pub struct Resilience {
    /// Stockout rate (all items) in runs with at least one disruption event, and in runs
    /// without any.
    pub stockout_rate_disrupted_runs: Option<Estimate>,
    pub stockout_rate_undisrupted_runs: Option<Estimate>,
    /// The worst runs: p99 of the stockout rate and the mean of the worst 5% of runs (CVaR).
    pub worst_runs: Option<Tail>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PolicySummary {
    pub policy: String,
    /// All items together.
    pub metrics: IndexMap<&'static str, Estimate>,
    pub items: Vec<ItemSummary>,
    /// How each item's rule was sized.
    pub sizing: Vec<ItemSizing>,
    /// The kanban loops of the items this policy runs on kanban.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kanban: Vec<ItemKanban>,
    /// Present when the scenario has disruptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resilience: Option<Resilience>,
    pub on_hand_fan: OnHandFanSummary,
}

/// Stock on hand over the horizon across runs: percentiles per sampled day, for the fan chart.
#[derive(Clone, Debug, Serialize)]
pub struct OnHandFanSummary {
    /// `units` (one item) or `value` (several items: units × unit cost, summed).
    pub measure: &'static str,
    /// Days of the horizon sampled (0-based, like scheduled disruption days).
    pub day: Vec<usize>,
    pub p05: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
}

impl OnHandFanSummary {
    fn new(fan: &FanLayout, levels: &OnHandFan) -> Self {
        let days = levels.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95], fan.whole_units);
        let q = |k: usize| days.iter().map(|day| day[k]).collect();
        OnHandFanSummary {
            measure: if fan.in_units { "units" } else { "value" },
            day: fan.days.clone(),
            p05: q(0),
            p25: q(1),
            p50: q(2),
            p75: q(3),
            p95: q(4),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemSizing {
    pub item: String,
    #[serde(flatten)]
    pub sizing: Sizing,
}

#[derive(Clone, Debug, Serialize)]
pub struct ItemKanban {
    pub item: String,
    #[serde(flatten)]
    pub kanban: KanbanSizing,
}

impl Summary {
    pub fn new(scenario: &Scenario, outcome: &Outcome) -> Summary {
        let policies = scenario
            .policies
            .iter()
            .zip(&outcome.policies)
            .map(|(policy, stats)| PolicySummary {
                policy: policy.name.clone(),
                metrics: stats.all.estimates(),
                items: scenario
                    .items
                    .iter()
                    .zip(&stats.items)
                    .map(|(item, s)| ItemSummary {
                        item: item.id.clone(),
                        metrics: s.estimates(),
                    })
                    .collect(),
                sizing: scenario
                    .items
                    .iter()
                    .zip(&policy.items)
                    .map(|(item, ip)| ItemSizing {
                        item: item.id.clone(),
                        sizing: ip.sizing.clone(),
                    })
                    .collect(),
                kanban: scenario
                    .items
                    .iter()
                    .zip(&policy.items)
                    .filter_map(|(item, ip)| {
                        ip.sizing.kanban.clone().map(|kanban| ItemKanban {
                            item: item.id.clone(),
                            kanban,
                        })
                    })
                    .collect(),
                resilience: (!scenario.disruptions.is_empty()).then(|| Resilience {
                    stockout_rate_disrupted_runs: stats.stockout_disrupted.estimate(),
                    stockout_rate_undisrupted_runs: stats.stockout_undisrupted.estimate(),
                    worst_runs: stats.all.get(Metric::StockoutRate).tail(0.99, 0.05),
                }),
                on_hand_fan: OnHandFanSummary::new(&outcome.fan, &stats.on_hand),
            })
            .collect();
        let log = &outcome.disruptions;
        let disruptions = (!scenario.disruptions.is_empty()).then(|| DisruptionSummary {
            runs_with_events: log.runs_with_events.estimate(),
            disrupted_supplier_days: log.disrupted_supplier_days.estimate().unwrap_or(ZERO),
            by_disruption: scenario
                .disruptions
                .iter()
                .enumerate()
                .map(|(k, d)| DisruptionLog {
                    disruption: d.id.clone(),
                    kind: d.kind,
                    events: log.events[k].estimate().unwrap_or(ZERO),
                    active_days: log.active_days[k].estimate().unwrap_or(ZERO),
                    scheduled: d
                        .occurrence
                        .scheduled_spells(scenario.horizon_days as usize)
                        .iter()
                        .map(|s| [s.start, s.end])
                        .collect(),
                })
                .collect(),
        });
        Summary {
            scenario: scenario.name.clone(),
            runs: outcome.runs,
            seed: outcome.seed,
            horizon_days: scenario.horizon_days,
            warmup_days: scenario.warmup_days,
            unmet_demand: scenario.unmet_demand,
            rng: RNG_ALGORITHM,
            rand_version: "0.10",
            policies,
            disruptions,
            precision: None,
            justification: None,
        }
    }

    pub fn to_json(&self) -> String {
        json_text(self)
    }

    /// One row per policy, item (`(all items)` for the policy as a whole) and metric.
    /// One row per policy, item (`(all items)` for the policy as a whole) and metric; then
    /// the resilience figures of each policy (the tail rows give the statistic as `mean` and
    /// its interval, with no percentiles), and the disruption log under `(all policies)`.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("policy,item,metric,n,mean,ci95_low,ci95_high,p05,p50,p95\n");
        for p in &self.policies {
            let all = std::iter::once(("(all items)", &p.metrics));
            let items = p.items.iter().map(|i| (i.item.as_str(), &i.metrics));
            for (item, metrics) in all.chain(items) {
                for (name, e) in metrics {
                    csv_estimate(&mut out, &p.policy, item, name, e);
                }
            }
            if let Some(r) = &p.resilience {
                let rows = [
                    (
                        "stockout_rate_disrupted_runs",
                        &r.stockout_rate_disrupted_runs,
                    ),
                    (
                        "stockout_rate_undisrupted_runs",
                        &r.stockout_rate_undisrupted_runs,
                    ),
                ];
                for (name, e) in rows {
                    if let Some(e) = e {
                        csv_estimate(&mut out, &p.policy, "(all items)", name, e);
                    }
                }
                if let Some(t) = &r.worst_runs {
                    let n = p
                        .metrics
                        .get(Metric::StockoutRate.name())
                        .map_or(0, |e| e.n);
                    let policy = csv_field(&p.policy);
                    let _ = writeln!(
                        out,
                        "{policy},(all items),stockout_rate_p99,{n},{},{},{},,,",
                        t.quantile, t.quantile_ci95_low, t.quantile_ci95_high
                    );
                    let _ = writeln!(
                        out,
                        "{policy},(all items),stockout_rate_worst_5pct_mean,{n},{},{},{},,,",
                        t.tail_mean, t.tail_mean_ci95_low, t.tail_mean_ci95_high
                    );
                }
            }
        }
        if let Some(log) = &self.disruptions {
            for d in &log.by_disruption {
                csv_estimate(
                    &mut out,
                    "(all policies)",
                    &d.disruption,
                    "events",
                    &d.events,
                );
                csv_estimate(
                    &mut out,
                    "(all policies)",
                    &d.disruption,
                    "active_days",
                    &d.active_days,
                );
            }
            let e = &log.disrupted_supplier_days;
            csv_estimate(
                &mut out,
                "(all policies)",
                "(all suppliers)",
                "disrupted_supplier_days",
                e,
            );
            if let Some(e) = &log.runs_with_events {
                csv_estimate(
                    &mut out,
                    "(all policies)",
                    "(all disruptions)",
                    "runs_with_events",
                    e,
                );
            }
        }
        out
    }
}

impl Summary {
    /// The on-hand fan of every policy: one row per policy and sampled day.
    pub fn on_hand_csv(&self) -> String {
        let mut out = String::from("policy,day,measure,p05,p25,p50,p75,p95\n");
        for p in &self.policies {
            let f = &p.on_hand_fan;
            for (k, day) in f.day.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{day},{},{},{},{},{},{}",
                    csv_field(&p.policy),
                    f.measure,
                    f.p05[k],
                    f.p25[k],
                    f.p50[k],
                    f.p75[k],
                    f.p95[k]
                );
            }
        }
        out
    }
}

fn csv_estimate(out: &mut String, policy: &str, item: &str, metric: &str, e: &Estimate) {
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{},{},{}",
        csv_field(policy),
        csv_field(item),
        metric,
        e.n,
        e.mean,
        e.ci95_low,
        e.ci95_high,
        e.p05,
        e.p50,
        e.p95
    );
}

/// A result as pretty-printed JSON ending in a line break, as every JSON file is written.
pub fn json_text<T: Serialize>(value: &T) -> String {
    // Results are plain data (strings, numbers, lists, maps with string keys), which always
    // serialise; non-finite numbers come out as `null`.
    let mut json = serde_json::to_string_pretty(value).expect("results are plain data");
    json.push('\n');
    json
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Why results could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write results to '{}': {cause}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub cause: std::io::Error,
}

/// Write `contents` to `path` atomically: a temporary file beside it, synced, then renamed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let fail = |cause| WriteError {
        path: path.to_path_buf(),
        cause,
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|cause| WriteError {
        path: dir.to_path_buf(),
        cause,
    })?;
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(fail)
}

/// Make sure results can be written to `dir` before spending time on a simulation.
pub fn check_writable(dir: &Path) -> Result<(), WriteError> {
    write_atomic(&dir.join(".buffersim-write-check"), b"")?;
    std::fs::remove_file(dir.join(".buffersim-write-check")).map_err(|cause| WriteError {
        path: dir.to_path_buf(),
        cause,
    })
}

/// Write summary.json, summary.csv and on_hand.csv into `dir`.
pub fn write_summary(summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    let files = [
        ("summary.json", summary.to_json()),
        ("summary.csv", summary.to_csv()),
        ("on_hand.csv", summary.on_hand_csv()),
    ];
    files
        .into_iter()
        .map(|(name, contents)| {
            let path = dir.join(name);
            write_atomic(&path, contents.as_bytes()).map(|()| path)
        })
        .collect()
}

/// The metrics shown in the terminal table, with how to show them. Metrics that are zero for
/// every policy (no expediting, no rejections…) are left out of the table.
const TABLE: [(Metric, Format); 19] = [
    (Metric::FillRate, Format::Percent),
    (Metric::StockoutRate, Format::Percent),
    (Metric::StockoutDayRate, Format::Percent),
    (Metric::CycleServiceLevel, Format::Percent),
    (Metric::AvgOnHandUnits, Format::Number),
    (Metric::DaysOfSupply, Format::Number),
    (Metric::InventoryTurns, Format::Number),
    (Metric::CarryingCost, Format::Money),
    (Metric::OrderingCost, Format::Money),
    (Metric::StockoutCost, Format::Money),
    (Metric::ExpediteCost, Format::Money),
    (Metric::PurchasePremiumCost, Format::Money),
    (Metric::TotalCost, Format::Money),
    (Metric::OrdersPerYear, Format::Number),
    (Metric::SupplierOnTimeRate, Format::Percent),
    (Metric::ExpeditedUnits, Format::Number),
    (Metric::RejectedUnits, Format::Number),
    (Metric::CancelledUnits, Format::Number),
    (Metric::TimeToRecover, Format::Number),
];

#[derive(Clone, Copy)]
enum Format {
    Percent,
    Number,
    Money,
}

impl Format {
    fn value(self, x: f64) -> String {
        match self {
            Format::Percent => format!("{:.2}%", 100.0 * x),
            Format::Number => group_thousands(x, if x.abs() < 100.0 { 2 } else { 0 }),
            Format::Money => group_thousands(x, 0),
        }
    }

    /// A mean with the half-width of its 95% confidence interval.
    fn estimate(self, e: &Estimate) -> String {
        let half = (e.ci95_high - e.ci95_low) / 2.0;
        let half = match self {
            Format::Percent => format!("{:.2}", 100.0 * half),
            _ => Format::Number.value(half),
        };
        format!("{} ±{half}", self.value(e.mean))
    }
}

/// `x` with `decimals` decimals and thin thousands separators (commas).
pub fn group_thousands(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// The compact comparison table: one column per policy, all items together, mean ± CI
/// half-width. Followed by the kanban loops where a policy uses kanban.
pub fn comparison_table(summary: &Summary) -> String {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec![format!("{} runs, all items", summary.runs)];
    header.extend(summary.policies.iter().map(|p| p.policy.clone()));
    rows.push(header);
    for (metric, format) in TABLE {
        let estimates: Vec<Option<&Estimate>> = summary
            .policies
            .iter()
            .map(|p| p.metrics.get(metric.name()))
            .collect();
        if estimates
            .iter()
            .all(|e| e.is_none_or(|e| e.mean == 0.0 && e.ci95_high == 0.0))
        {
            continue;
        }
        let mut row = vec![metric.name().to_string()];
        row.extend(
            estimates
                .iter()
                .map(|e| e.map_or_else(|| "–".to_string(), |e| format.estimate(e))),
        );
        rows.push(row);
    }
    if summary.disruptions.is_some() {
        resilience_rows(summary, &mut rows);
    }
    let mut out = render(&rows);
    if let Some(log) = &summary.disruptions {
        out.push_str(&disruption_log(log));
    }
    let kanban: Vec<String> = summary
        .policies
        .iter()
        .flat_map(|p| {
            p.kanban.iter().map(move |k| {
                format!(
                    "  {} / {}: {} containers × {} = {} units, {:.2} days of supply{}",
                    p.policy,
                    k.item,
                    k.kanban.containers,
                    k.kanban.container_size,
                    k.kanban.total_units,
                    k.kanban.days_of_supply,
                    if k.kanban.computed {
                        ""
                    } else {
                        " (count given)"
                    }
                )
            })
        })
        .collect();
    if !kanban.is_empty() {
        out.push_str("\nkanban loops:\n");
        for line in kanban {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Rows for how each policy holds up under disruption (all items).
fn resilience_rows(summary: &Summary, rows: &mut Vec<Vec<String>>) {
    let percent =
        |e: Option<&Estimate>| e.map_or_else(|| "–".to_string(), |e| Format::Percent.estimate(e));
    let cells = |label: &str, cell: &dyn Fn(&Resilience) -> String| {
        let mut row = vec![label.to_string()];
        row.extend(
            summary
                .policies
                .iter()
                .map(|p| p.resilience.as_ref().map_or_else(|| "–".into(), cell)),
        );
        row
    };
    rows.push(cells("stockout_rate, runs with events", &|r| {
        percent(r.stockout_rate_disrupted_runs.as_ref())
    }));
    rows.push(cells("stockout_rate, runs without", &|r| {
        percent(r.stockout_rate_undisrupted_runs.as_ref())
    }));
    rows.push(cells("stockout_rate, worst 1% (p99)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                format!(
                    "{:.2}% [{:.2}, {:.2}]",
                    100.0 * t.quantile,
                    100.0 * t.quantile_ci95_low,
                    100.0 * t.quantile_ci95_high
                )
            },
        )
    }));
    rows.push(cells("stockout_rate, worst 5% (mean)", &|r| {
        r.worst_runs.map_or_else(
            || "–".into(),
            |t| {
                format!(
                    "{:.2}% ±{:.2}",
                    100.0 * t.tail_mean,
                    50.0 * (t.tail_mean_ci95_high - t.tail_mean_ci95_low)
                )
            },
        )
    }));
}

/// The disruption log: what happened, per run, the same for every policy.
fn disruption_log(log: &DisruptionSummary) -> String {
    let mut out = String::from("\ndisruptions per run (the same for every policy):\n");
    for d in &log.by_disruption {
        let _ = writeln!(
            out,
            "  {} ({}): {:.2} events ±{:.2}, {:.1} active days ±{:.1}",
            d.disruption,
            d.kind.name(),
            d.events.mean,
            (d.events.ci95_high - d.events.ci95_low) / 2.0,
            d.active_days.mean,
            (d.active_days.ci95_high - d.active_days.ci95_low) / 2.0
        );
    }
    let e = &log.disrupted_supplier_days;
    let _ = write!(
        out,
        "  disrupted supplier-days: {:.1} ±{:.1}",
        e.mean,
        (e.ci95_high - e.ci95_low) / 2.0
    );
    if let Some(share) = &log.runs_with_events {
        let _ = write!(
            out,
            "; runs with at least one event: {:.1}%",
            100.0 * share.mean
        );
    }
    out.push('\n');
    out
}

/// Align a table of cells: first column left, the others right.
fn render(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str("  ");
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
        }
        out.push('\n');
        if r == 0 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (columns - 1)));
            out.push('\n');
        }
    }
    out
}

/// What `validate` prints: the scenario as it resolves, with every derived quantity.
pub fn describe(scenario: &Scenario) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario '{}': {} days (warm-up {}), {} runs, seed {}, unmet demand {}",
        scenario.name,
        scenario.horizon_days,
        scenario.warmup_days,
        scenario.runs,
        scenario.seed,
        match scenario.unmet_demand {
            UnmetDemand::Lost => "lost",
            UnmetDemand::Backorder => "backordered",
        }
    );
    let _ = writeln!(out, "\nsuppliers:");
    for s in &scenario.suppliers {
        let _ = writeln!(
            out,
            "  {}: lead time {:.2} ± {:.2} days (on time {:.0}%){}{}",
            s.id,
            s.lead_time_mean(),
            s.lead_time_variance().sqrt(),
            100.0 * s.on_time_probability,
            if s.capacity_per_day.is_finite() {
                format!(", capacity {}/day", s.capacity_per_day)
            } else {
                String::new()
            },
            s.region
                .as_ref()
                .map_or_else(String::new, |r| format!(", region {r}"))
        );
    }
    let _ = writeln!(out, "\nitems:");
    for item in &scenario.items {
        let (lt, lt_sd) = item.lead_time_moments(&scenario.suppliers);
        let _ = writeln!(
            out,
            "  {}: demand {:.2} ± {:.2} per day, lead time {:.2} ± {:.2} days, unit cost {}",
            item.id,
            item.demand.annual_daily_mean(),
            item.demand.annual_daily_sd(),
            lt,
            lt_sd,
            item.unit_cost
        );
    }
    if !scenario.disruptions.is_empty() {
        let _ = writeln!(out, "\ndisruptions:");
        let item_ids: Vec<String> = scenario.items.iter().map(|i| i.id.clone()).collect();
        for d in &scenario.disruptions {
            let _ = writeln!(
                out,
                "  {}: {}",
                d.id,
                d.describe(&scenario.suppliers, &item_ids)
            );
        }
    }
    for policy in &scenario.policies {
        let _ = writeln!(out, "\npolicy '{}':", policy.name);
        let mut rows = vec![
            [
                "item",
                "rule",
                "review",
                "safety stock",
                "reorder point",
                "order qty",
                "order-up-to",
                "kanban",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for (item, ip) in scenario.items.iter().zip(&policy.items) {
            let s = &ip.sizing;
            let opt = |v: Option<f64>| v.map_or_else(|| "–".into(), |x| group_thousands(x, 2));
            rows.push(vec![
                item.id.clone(),
                s.rule.name().into(),
                format!("{}d", s.review_period_days),
                opt(s.safety_stock),
                group_thousands(s.reorder_point, 2),
                opt(s.order_quantity),
                opt(s.order_up_to),
                s.kanban.as_ref().map_or_else(
                    || "–".into(),
                    |k| {
                        format!(
                            "{} × {} = {} ({:.2} days)",
                            k.containers, k.container_size, k.total_units, k.days_of_supply
                        )
                    },
                ),
            ]);
        }
        for line in render(&rows).lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(p) = &policy.prebuild {
            let _ = writeln!(
                out,
                "  pre-build: stock levels × {} from day {} to day {} of the year",
                p.factor, p.start_day_of_year, p.end_day_of_year
            );
        }
        let reserves: Vec<String> = scenario
            .items
            .iter()
            .zip(&policy.items)
            .filter(|(_, ip)| ip.reserve > 0.0)
            .map(|(item, ip)| format!("{} {}", item.id, group_thousands(ip.reserve, 2)))
            .collect();
        if !reserves.is_empty() {
            let _ = writeln!(out, "  strategic reserve (units): {}", reserves.join(", "));
        }
        if let Some(e) = policy.items.first().and_then(|ip| ip.expedite) {
            let cap = if e.max_units_per_year.is_finite() {
                format!(", at most {} units per item and year", e.max_units_per_year)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  expediting: {} day(s), +{:.0}% of unit cost{cap}",
                e.lead_time_days,
                100.0 * e.premium_rate
            );
        }
    }
    for item in scenario
        .items
        .iter()
        .filter(|i| i.failover_after_days.is_some())
    {
        let (primary, backup) = (item.sourcing[0].supplier, item.sourcing[1].supplier);
        let _ = writeln!(
            out,
            "\nfailover: {} is bought from {} and moves to {} after {} days without shipments",
            item.id,
            scenario.suppliers[primary].id,
            scenario.suppliers[backup].id,
            item.failover_after_days.unwrap_or_default()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(1234567.891, 2), "1,234,567.89");
        assert_eq!(group_thousands(-41200.0, 0), "-41,200");
        assert_eq!(group_thousands(999.0, 0), "999");
        assert_eq!(group_thousands(-0.001, 0), "0");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
