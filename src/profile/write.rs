//! The profile's files: `profile.csv` (one row per item), `suppliers.csv` (one row per
//! supplier), `disruptions.csv` (one row per disrupted stretch of a supplier), `surges.csv`
//! (one row per demand surge of an item), a readable `profile.md`, `scenario.toml` (see
//! [`super::scenario_out`]), and against a previous profile `drift.csv` ([`super::drift`]),
//! written as a whole: all new, or after an interruption, once the next command has recovered
//! the folder, the earlier ones untouched ([`FileSet`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::classify::{Abc, Posture, Xyz};
use super::csv::file_name;
use super::date::MONTH_NAMES;
use super::demand_fit::{FittedForm, num, short};
use super::disruptions::{DisruptionHistory, MIN_STRETCH_DELIVERIES, Stretch};
use super::drift::{DRIFT_FILE, Drift, Standing};
use super::qualify::{MAX_LEAD_DAYS, MIN_ON_TIME};
use super::risk::Level;
use super::supplier_fit::{DaysForm, SupplierProfile};
use super::surges::{MIN_SURGE_WEEKS, MIN_WEEKS, SURGE_SPREADS, SurgeHistory};
use super::{ItemProfile, Profile};
use crate::results::files::{Committed, FileSet, WriteError};

/// Write every file of the profile into `dir`, as a whole; returns their paths.
pub fn write_all(profile: &Profile, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    commit_profile(profile, dir).map(|committed| committed.written)
}

/// Write every file of the profile into `dir`, as a whole; what was done, for stderr.
/// Without a previous profile, a `drift.csv` an earlier profile left in `dir` is removed: it
/// compared another history.
pub(crate) fn commit_profile(profile: &Profile, dir: &Path) -> Result<Committed, WriteError> {
    let mut set = FileSet::new(dir);
    for (name, text) in [
        ("profile.csv", profile_csv(profile)),
        ("suppliers.csv", suppliers_csv(profile)),
        ("disruptions.csv", disruptions_csv(&profile.disruptions)),
        ("surges.csv", surges_csv(&profile.surges)),
        ("profile.md", profile_md(profile)),
        ("scenario.toml", super::scenario_out::scenario_toml(profile)),
    ] {
        set.add(name, text);
    }
    match &profile.drift {
        Some(drift) => set.add(DRIFT_FILE, drift_csv(drift)),
        None => set.retire(DRIFT_FILE),
    }
    set.commit()
}

/// Write each (file name, text) into `dir`, all of them as a whole ([`FileSet`]).
pub(crate) fn commit_files<'a>(
    dir: &Path,
    files: impl IntoIterator<Item = (&'a str, String)>,
) -> Result<Committed, WriteError> {
    let mut set = FileSet::new(dir);
    for (name, text) in files {
        set.add(name, text);
    }
    set.commit()
}

/// A CSV field, quoted when it holds a delimiter, a quote or a line break.
fn field(text: &str) -> Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

/// The header line of a CSV file.
fn csv_header(columns: &[&str]) -> String {
    csv_line(&columns.iter().map(|c| c.to_string()).collect::<Vec<_>>())
}

fn csv_line(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|c| field(c).into_owned())
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

const PROFILE_COLUMNS: &[&str] = &[
    "item",
    "abc",
    "xyz",
    "annual_value",
    "value_share",
    "unit_cost",
    "history_start",
    "periods",
    "period_days",
    "mean_daily",
    "sd_daily",
    "cv",
    "zero_share",
    "seasonality_strength",
    "seasonality_p_value",
    "seasonal_indices",
    "trend_per_year",
    "trend_t",
    "returned_units",
    "units",
    "demand_model",
    "fit_aic",
    "fit_ks_distance",
    "fit_ks_p_value",
    "fit_note",
    "criticality",
    "impact",
    "impact_points",
    "fragility",
    "fragility_points",
    "service_level",
    "suppliers",
    "supplier_on_time",
    "lead_time_mean",
    "lead_time_sd",
    "container_size",
    "posture",
    "rule",
    "summary",
    "reasons_for",
    "reasons_against",
    "moq",
    "jit_on_time",
    "jit_lead_time",
    "jit_moq",
    "jit_fails",
    "check",
];

/// A CSV table: the header, then one line per row.
fn csv_table<T>(columns: &[&str], rows: &[T], cells: impl Fn(&T) -> Vec<String>) -> String {
    let mut out = csv_header(columns);
    for row in rows {
        out.push_str(&csv_line(&cells(row)));
    }
    out
}

/// One row per item; lists inside a cell are separated by " | " (reasons) or ";" (numbers).
pub(crate) fn profile_csv(profile: &Profile) -> String {
    csv_table(PROFILE_COLUMNS, &profile.items, |item| {
        profile_row(profile, item)
    })
}

fn profile_row(profile: &Profile, item: &ItemProfile) -> Vec<String> {
    let s = &item.demand.stats;
    let fit = &item.demand.fit;
    let assessed = |f: fn(&super::goodness::Assessment) -> f64| {
        fit.assessment
            .as_ref()
            .map_or_else(String::new, |a| num(f(a)))
    };
    let rec = &item.recommendation;
    vec![
        item.item.clone(),
        item.abc.to_string(),
        item.xyz.to_string(),
        num(item.annual_value),
        num(item.value_share),
        num(item.unit_cost),
        item.start.to_string(),
        s.periods.to_string(),
        s.period_days.to_string(),
        num(s.mean),
        num(s.sd),
        num(s.cv),
        num(s.zero_share),
        num(s.seasonality.strength),
        num(s.seasonality.p_value),
        s.seasonality
            .indices
            .iter()
            .map(|v| num(*v))
            .collect::<Vec<_>>()
            .join(";"),
        num(s.trend.per_year),
        num(s.trend.t_stat),
        num(item.returned_units),
        if item.whole_units {
            "whole"
        } else {
            "continuous"
        }
        .into(),
        fit.model.describe(),
        assessed(|a| a.aic),
        assessed(|a| a.ks_distance),
        assessed(|a| a.ks_p_value),
        fit.note.clone().unwrap_or_default(),
        item.criticality.label().into(),
        rec.impact.level.label().into(),
        rec.impact.points.to_string(),
        rec.fragility.level.label().into(),
        rec.fragility.points.to_string(),
        num(rec.service_level),
        sourcing_text(item),
        num(item.supply.on_time),
        num(item.supply.lead_mean),
        num(item.supply.lead_sd),
        num(item.container_size),
        rec.posture.key().into(),
        rec.rule.as_ref().map_or_else(String::new, |r| r.describe()),
        rec.summary.clone(),
        rec.reasons_for.join(" | "),
        rec.reasons_against.join(" | "),
        item.moq.map_or_else(String::new, num),
        item.qualification.on_time.key().into(),
        item.qualification.lead_time.key().into(),
        item.qualification.moq.key().into(),
        item.qualification.failures.join(" | "),
        check_cell(profile, item),
    ]
}

/// `kept`, `replaced by all-jic` (or `all-jit`), or empty when the recommendation was not
/// checked by simulation or the item has no rule.
fn check_cell(profile: &Profile, item: &ItemProfile) -> String {
    let Some(check) = &profile.check else {
        return String::new();
    };
    if item.recommendation.rule.is_none() {
        return String::new();
    }
    check
        .changes
        .iter()
        .find(|c| c.item == item.item)
        .map_or_else(|| "kept".into(), |c| format!("replaced by {}", c.to_policy))
}

/// "a" for one supplier, "a 70%; b 30%" for several.
fn sourcing_text(item: &ItemProfile) -> String {
    if item.sourcing.len() == 1 {
        return item.sourcing[0].0.clone();
    }
    item.sourcing
        .iter()
        .map(|(s, share)| format!("{s} {:.0}%", share * 100.0))
        .collect::<Vec<_>>()
        .join("; ")
}

const SUPPLIER_COLUMNS: &[&str] = &[
    "supplier",
    "observed",
    "deliveries",
    "open_orders",
    "lead_time_mean",
    "lead_time_sd",
    "on_time_rate",
    "late_deliveries",
    "mean_days_late",
    "fill_rate",
    "rejection_rate",
    "lead_time_model",
    "lead_time_ks_p_value",
    "lateness_model",
    "items",
    "disrupted_deliveries_left_out",
];

/// One row per supplier.
pub(crate) fn suppliers_csv(profile: &Profile) -> String {
    csv_table(SUPPLIER_COLUMNS, &profile.suppliers, supplier_row)
}

fn supplier_row(s: &SupplierProfile) -> Vec<String> {
    vec![
        s.id.clone(),
        s.observed.to_string(),
        s.deliveries.to_string(),
        s.open_orders.to_string(),
        num(s.lead_time_mean),
        num(s.lead_time_sd),
        num(s.on_time_rate),
        s.late_deliveries.to_string(),
        num(s.mean_days_late),
        num(s.fill_rate),
        num(s.rejection_rate),
        s.lead_time.model.toml(),
        s.lead_time
            .assessment
            .map_or_else(String::new, |a| num(a.ks_p_value)),
        s.lateness
            .as_ref()
            .map_or_else(String::new, |l| l.model.toml()),
        s.items.join(";"),
        s.left_out.to_string(),
    ]
}

const DISRUPTION_COLUMNS: &[&str] = &[
    "supplier",
    "start",
    "end",
    "days",
    "kind",
    "ongoing",
    "deliveries",
    "max_days_late",
    "slowdown",
    "threshold_days_late",
    "region",
    "regional_event",
];

/// One row per disrupted stretch, by supplier and start.
pub(crate) fn disruptions_csv(history: &DisruptionHistory) -> String {
    let indexed: Vec<(usize, &Stretch)> = history.stretches.iter().enumerate().collect();
    csv_table(DISRUPTION_COLUMNS, &indexed, |&(i, s)| {
        vec![
            s.supplier.clone(),
            s.start.to_string(),
            s.end.to_string(),
            s.days().to_string(),
            stretch_kind(s).into(),
            s.ongoing.to_string(),
            s.deliveries.to_string(),
            s.max_days_late.to_string(),
            num(s.slowdown),
            history
                .thresholds
                .get(&s.supplier)
                .map_or_else(String::new, i64::to_string),
            history
                .regions
                .get(&s.supplier)
                .cloned()
                .unwrap_or_default(),
            history
                .regional_event_of(i)
                .map_or_else(String::new, |e| format!("{} {}", e.region, e.start)),
        ]
    })
}

const SURGE_COLUMNS: &[&str] = &[
    "item",
    "start",
    "end",
    "days",
    "weeks",
    "factor",
    "peak",
    "median_week",
    "threshold_week",
];

const DRIFT_COLUMNS: &[&str] = &[
    "item",
    "change",
    "abc_before",
    "abc_now",
    "xyz_before",
    "xyz_now",
    "posture_before",
    "posture_now",
];

/// `drift.csv`: one row per item of either profile, its standing before and now.
pub(crate) fn drift_csv(drift: &Drift) -> String {
    let part = |s: &Option<Standing>, f: fn(&Standing) -> &str| {
        s.as_ref().map_or_else(String::new, |s| f(s).to_string())
    };
    csv_table(DRIFT_COLUMNS, &drift.items, |d| {
        vec![
            d.item.clone(),
            d.change().to_string(),
            part(&d.before, |s| &s.abc),
            part(&d.now, |s| &s.abc),
            part(&d.before, |s| &s.xyz),
            part(&d.now, |s| &s.xyz),
            part(&d.before, |s| &s.posture),
            part(&d.now, |s| &s.posture),
        ]
    })
}

/// One row per demand surge, by item and start.
pub(crate) fn surges_csv(history: &SurgeHistory) -> String {
    csv_table(SURGE_COLUMNS, &history.surges, |s| {
        let baseline = history.baselines.get(&s.item);
        vec![
            s.item.clone(),
            s.start.to_string(),
            s.end.to_string(),
            s.days().to_string(),
            s.weeks.to_string(),
            num((s.factor * 1000.0).round() / 1000.0),
            num((s.peak * 1000.0).round() / 1000.0),
            baseline.map_or_else(String::new, |b| num(b.median_week)),
            baseline.map_or_else(String::new, |b| num(b.threshold_week)),
        ]
    })
}

/// `stopped` (nothing shipped) or `slow` (deliveries late beyond the threshold).
fn stretch_kind(s: &Stretch) -> &'static str {
    if s.stopped { "stopped" } else { "slow" }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Items, value share and item list of each ABC-XYZ cell.
struct Cell {
    items: usize,
    value_share: f64,
}

fn matrix(profile: &Profile) -> [[Cell; 3]; 3] {
    let mut cells: [[Cell; 3]; 3] = std::array::from_fn(|_| {
        std::array::from_fn(|_| Cell {
            items: 0,
            value_share: 0.0,
        })
    });
    for item in &profile.items {
        let cell = &mut cells[abc_index(item.abc)][xyz_index(item.xyz)];
        cell.items += 1;
        cell.value_share += item.value_share;
    }
    cells
}

fn abc_index(abc: Abc) -> usize {
    match abc {
        Abc::A => 0,
        Abc::B => 1,
        Abc::C => 2,
    }
}

fn xyz_index(xyz: Xyz) -> usize {
    match xyz {
        Xyz::X => 0,
        Xyz::Y => 1,
        Xyz::Z => 2,
    }
}

/// The ABC-XYZ matrix as Markdown rows: "n items, share of value" per cell, with totals.
fn matrix_md(profile: &Profile) -> String {
    let cells = matrix(profile);
    let cell = |n: usize, share: f64| format!("{n} ({})", percent(share));
    let mut out = String::from("| | X | Y | Z | all |\n|---|---|---|---|---|\n");
    for (row, abc) in cells.iter().zip(["A", "B", "C"]) {
        let n: usize = row.iter().map(|c| c.items).sum();
        let v: f64 = row.iter().map(|c| c.value_share).sum();
        let _ = writeln!(
            out,
            "| **{abc}** | {} | {} | {} | {} |",
            cell(row[0].items, row[0].value_share),
            cell(row[1].items, row[1].value_share),
            cell(row[2].items, row[2].value_share),
            cell(n, v)
        );
    }
    let column = |j: usize| {
        let n: usize = cells.iter().map(|r| r[j].items).sum();
        let v: f64 = cells.iter().map(|r| r[j].value_share).sum();
        cell(n, v)
    };
    let _ = writeln!(
        out,
        "| **all** | {} | {} | {} | {} |",
        column(0),
        column(1),
        column(2),
        cell(profile.items.len(), 1.0)
    );
    out
}

/// Items per cell of impact × fragility, with the postures they got.
fn risk_md(profile: &Profile, out: &mut String) {
    out.push_str(
        "Impact of a stockout (criticality, value class, share of units) against the \
         fragility of the item's supply (on time, lead time and its spread, sources, regions, \
         disrupted stretches); the points of each item are in `profile.csv` and its reasons \
         below. Lean supply where the combination allows it, a deliberate buffer where it does \
         not (README, \"Posture rules\"). Items per cell, and how many of them are JIT:\n\n",
    );
    out.push_str("| impact \\ fragility | low | medium | high |\n|---|---|---|---|\n");
    for impact in Level::ALL.into_iter().rev() {
        let cells: Vec<String> = Level::ALL
            .into_iter()
            .map(|fragility| {
                let items: Vec<&ItemProfile> = profile
                    .items
                    .iter()
                    .filter(|i| {
                        let r = &i.recommendation;
                        r.posture != Posture::NoDemand
                            && r.impact.level == impact
                            && r.fragility.level == fragility
                    })
                    .collect();
                let lean = items.iter().filter(|i| i.recommendation.posture.is_lean());
                format!("{} ({} JIT)", items.len(), lean.count())
            })
            .collect();
        let _ = writeln!(out, "| **{impact}** | {} |", cells.join(" | "));
    }
}

/// (posture, items, value share) for every posture that occurs, in a fixed order.
fn posture_counts(profile: &Profile) -> Vec<(Posture, usize, f64)> {
    let mut counts: Vec<(Posture, usize, f64)> = Vec::new();
    for item in &profile.items {
        let p = item.recommendation.posture;
        match counts.iter_mut().find(|c| c.0 == p) {
            Some(c) => {
                c.1 += 1;
                c.2 += item.value_share;
            }
            None => counts.push((p, 1, item.value_share)),
        }
    }
    counts.sort_by_key(|c| c.0);
    counts
}

/// The readable report.
pub fn profile_md(profile: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Inventory profile\n");
    let _ = writeln!(
        out,
        "History from {} to {} ({} items, {} suppliers), read from {}.\n",
        profile.first_date,
        profile.last_date,
        profile.items.len(),
        profile.suppliers.iter().filter(|s| s.observed).count(),
        input_list(profile)
    );
    let _ = writeln!(
        out,
        "ABC by annual value (A: the first {:.0}% of value, B: the next {:.0}%, C: the rest); \
         XYZ by the coefficient of variation of daily demand (X < {}, Y < {}, Z ≥ {}).\n",
        profile.options.abc.a * 100.0,
        profile.options.abc.b * 100.0,
        profile.options.xyz.x,
        profile.options.xyz.y,
        profile.options.xyz.y
    );
    let _ = writeln!(out, "## ABC-XYZ matrix\n");
    let _ = writeln!(out, "Items per cell (share of annual value):\n");
    out.push_str(&matrix_md(profile));
    let _ = writeln!(out, "\n## Recommended postures\n");
    out.push_str("| posture | items | share of value |\n|---|---|---|\n");
    for (posture, n, share) in posture_counts(profile) {
        let _ = writeln!(out, "| {} | {n} | {} |", posture.label(), percent(share));
    }
    let _ = writeln!(out, "\n## Criticality × fragility\n");
    risk_md(profile, &mut out);
    if let Some(check) = &profile.check {
        let _ = writeln!(out, "\n## The recommendation, simulated\n");
        out.push_str(&check.to_markdown());
    }
    if let Some(drift) = &profile.drift {
        let _ = writeln!(out, "\n## Since the previous profile\n");
        out.push_str(&drift.to_markdown());
    }
    let _ = writeln!(out, "\n## Items\n");
    items_md(profile, &mut out);
    let _ = writeln!(out, "\n## Supplier qualification\n");
    qualification_md(profile, &mut out);
    let _ = writeln!(out, "\n## Why each posture\n");
    for item in &profile.items {
        reasons_md(item, &mut out);
    }
    let _ = writeln!(out, "\n## Suppliers\n");
    suppliers_md(&profile.suppliers, &mut out);
    let _ = writeln!(out, "\n## Disrupted stretches\n");
    disruptions_md(profile, &mut out);
    let _ = writeln!(out, "\n## Demand surges\n");
    surges_md(profile, &mut out);
    let _ = writeln!(out, "\n## Scenario\n");
    let _ = writeln!(
        out,
        "`scenario.toml` holds the fitted items and suppliers and three policies: `all-jit` \
         (kanban for every item, safety factor 0.2), `all-jic` (reorder point at 95% service, \
         EOQ lots) and `recommended` (each item's posture above). Compare them with\n\n\
         ```sh\nbuffersim run scenario.toml --report\n```\n\nCosts marked as defaults in the \
         file (order cost, stockout penalty, carrying rate) are placeholders: replace them with \
         your own before drawing conclusions about cost."
    );
    let _ = writeln!(out, "\n## Data notes\n");
    if profile.notes.is_empty() {
        let _ = writeln!(out, "Nothing to report: every row was used as it was.");
    }
    for note in &profile.notes {
        let _ = writeln!(out, "- {}", note.to_string().replace('|', "\\|"));
    }
    out
}

fn input_list(profile: &Profile) -> String {
    let files = &profile.files;
    let mut names = vec![format!("`{}`", file_name(&files.demand))];
    for path in [&files.deliveries, &files.items].into_iter().flatten() {
        names.push(format!("`{}`", file_name(path)));
    }
    names.join(", ")
}

fn items_md(profile: &Profile, out: &mut String) {
    out.push_str(
        "| item | class | mean/day | CV | no demand | seasonality | trend | demand model | fit (KS p) \
         | suppliers | on time | lead time (days) | posture |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for item in &profile.items {
        let s = &item.demand.stats;
        let season = if s.seasonality.strong() || s.seasonality.material() {
            let top = s.seasonality.indices.iter().copied().fold(0.0, f64::max);
            let peak = s
                .seasonality
                .indices
                .iter()
                .position(|&v| v == top)
                .map_or("", |m| MONTH_NAMES[m]);
            format!("{:.2} (peak {peak} ×{:.2})", s.seasonality.strength, top)
        } else if s.seasonality.tested {
            format!("{:.2} (none)", s.seasonality.strength)
        } else {
            "n/a".into()
        };
        let trend = if s.trend.material() {
            format!("{:+.0}%/yr", s.trend.per_year * 100.0)
        } else {
            "—".into()
        };
        let fit = match (&item.demand.fit.assessment, &item.demand.fit.note) {
            (Some(a), None) => format!("{:.3}", a.ks_p_value),
            (Some(a), Some(_)) => format!("{:.3} (poor)", a.ks_p_value),
            (None, _) => "resampled".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {:.2} | {} | {season} | {trend} | {} | {fit} | {} | {} | {} ± {} | {} |",
            item.item,
            item.abc,
            item.xyz,
            short(s.mean),
            s.cv,
            percent(s.zero_share),
            item.demand.fit.model.describe(),
            sourcing_text(item),
            percent(item.supply.on_time),
            format_args!("{:.1}", item.supply.lead_mean),
            format_args!("{:.1}", item.supply.lead_sd),
            item.recommendation.posture.label()
        );
    }
}

fn qualification_md(profile: &Profile, out: &mut String) {
    let _ = writeln!(
        out,
        "The JIT prerequisites of the reference texts, per item, against its suppliers' \
         share-weighted figures in stable times: on time above {:.0}%, lead time under {} \
         days, and a minimum order quantity (item master) of at most a week of normal \
         demand. A supplier without delivery history fails the first (unknown); an item \
         without an MOQ is not checked on it.\n",
        MIN_ON_TIME * 100.0,
        num(MAX_LEAD_DAYS)
    );
    out.push_str(
        "| item | on time | lead time (days) | MOQ (weeks of demand) | qualified | fails |\n\
         |---|---|---|---|---|---|\n",
    );
    for item in &profile.items {
        let q = &item.qualification;
        let _ = writeln!(
            out,
            "| {} | {} ({}) | {:.1} ({}) | {} | {} | {} |",
            item.item,
            percent(item.supply.on_time),
            q.on_time,
            item.supply.lead_mean,
            q.lead_time,
            match (item.moq, q.moq_weeks) {
                (Some(m), Some(w)) => format!("{} ({w:.2}, {})", short(m), q.moq),
                (Some(m), None) => format!("{} ({})", short(m), q.moq),
                _ => "—".into(),
            },
            if q.qualified() { "yes" } else { "no" },
            q.failures.join("; ")
        );
    }
}

fn reasons_md(item: &ItemProfile, out: &mut String) {
    let rec = &item.recommendation;
    let _ = writeln!(
        out,
        "- **{}** — {}: {}",
        item.item,
        rec.posture.label(),
        rec.summary
    );
    if !rec.reasons_for.is_empty() {
        let _ = writeln!(out, "  - for JIT: {}", rec.reasons_for.join("; "));
    }
    if !rec.reasons_against.is_empty() {
        let _ = writeln!(out, "  - against JIT: {}", rec.reasons_against.join("; "));
    }
}

fn suppliers_md(suppliers: &[SupplierProfile], out: &mut String) {
    out.push_str(
        "| supplier | deliveries | open | lead time (days) | scenario lead time | on time | days late (mean of late) \
         | fill rate | rejected | items |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for s in suppliers {
        if !s.observed {
            let _ = writeln!(
                out,
                "| {} | 0 | 0 | — | `{}` (default) | — | — | — | — | — |",
                s.id,
                s.lead_time.model.toml()
            );
            continue;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.1} ± {:.1} | `{}` | {} | {} | {} | {} | {} |",
            s.id,
            s.deliveries,
            s.open_orders,
            s.lead_time_mean,
            s.lead_time_sd,
            short_days(&s.lead_time.model.toml()),
            percent(s.on_time_rate),
            if s.late_deliveries > 0 {
                format!("{:.1}", s.mean_days_late)
            } else {
                "—".into()
            },
            percent(s.fill_rate),
            percent(s.rejection_rate),
            s.items.len()
        );
    }
}

fn disruptions_md(profile: &Profile, out: &mut String) {
    let history = &profile.disruptions;
    let _ = writeln!(
        out,
        "A delivery is disrupted when it came more than its supplier's threshold after the \
         promised date, or is still open that long after it; the threshold is the longer of a \
         week and the supplier's median quoted lead time (so the order took at least twice as \
         long as quoted). Disrupted deliveries due before supply resumed form one stretch \
         (at least {MIN_STRETCH_DELIVERIES}); it is *stopped* when nothing at all was delivered \
         for longer than the threshold, *slow* otherwise. Each stretch runs from its first day \
         to the day supply resumed. Deliveries of a stretch are left out of the supplier's \
         figures above, which describe its stable times, and the stretches are written into \
         `scenario.toml` as disruptions (also in `disruptions.csv`).\n"
    );
    if history.stretches.is_empty() {
        let _ = writeln!(out, "No disrupted stretch was found.");
        return;
    }
    out.push_str(
        "| supplier | start | end (supply resumed) | days | kind | deliveries | most days late \
         | threshold |\n|---|---|---|---|---|---|---|---|\n",
    );
    for s in &history.stretches {
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {} | {} | {} | {} | {} |",
            s.supplier,
            s.start,
            s.end,
            if s.ongoing { " (still open)" } else { "" },
            s.days(),
            stretch_kind(s),
            s.deliveries,
            s.max_days_late,
            history.thresholds.get(&s.supplier).copied().unwrap_or(0),
        );
    }
    let _ = writeln!(out);
    if !history.regional.is_empty() {
        let _ = writeln!(
            out,
            "Regional events: stretches of at least two suppliers of one region (the deliveries' \
             `region` column) that overlapped. Each region's events are written into \
             `scenario.toml` as one disruption of the region, instead of one per supplier.\n\n\
             | region | start | end | days | suppliers |\n|---|---|---|---|---|"
        );
        for e in &history.regional {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                e.region,
                e.start,
                e.end,
                e.days(),
                e.suppliers.join(", ")
            );
        }
        let _ = writeln!(out);
    }
    for s in profile.suppliers.iter().filter(|s| s.left_out > 0) {
        let _ = writeln!(
            out,
            "- {}: {} deliver{} of its disrupted stretches left out of its lead time, on-time \
             rate and fill rate ({} kept).",
            s.id,
            s.left_out,
            if s.left_out == 1 { "y" } else { "ies" },
            s.deliveries + s.open_orders
        );
    }
}

fn surges_md(profile: &Profile, out: &mut String) {
    let history = &profile.surges;
    let _ = writeln!(
        out,
        "An item's demand is judged in weeks (its days in blocks of seven). A week is a surge \
         week when its demand lies more than {} spreads above the item's median week (the \
         spread: 1.4826 × the median absolute deviation of its weeks, at least the square root \
         of the median); at least {MIN_SURGE_WEEKS} surge weeks in a row make a surge. Items \
         whose median week has no demand, or with fewer than {MIN_WEEKS} weeks, are not judged. \
         The weeks of a surge are left out of the item's demand figures and fit above, which \
         describe its normal times; the surges are written into `scenario.toml` as \
         `demand_surge` disruptions, items that surged together sharing one (also in \
         `surges.csv`). *factor*: the surge's mean week over the item's mean normal week.\n",
        num(SURGE_SPREADS)
    );
    if history.surges.is_empty() {
        let _ = writeln!(out, "No demand surge was found.");
        return;
    }
    out.push_str(
        "| item | start | end | days | factor | peak week | median week | surge above |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for s in &history.surges {
        let baseline = history.baselines.get(&s.item);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | ×{:.2} | ×{:.2} | {} | {} |",
            s.item,
            s.start,
            s.end,
            s.days(),
            s.factor,
            s.peak,
            baseline.map_or_else(String::new, |b| short(b.median_week)),
            baseline.map_or_else(String::new, |b| short(b.threshold_week)),
        );
    }
}

/// Long empirical lists are cut for the table (the full list is in scenario.toml).
fn short_days(toml: &str) -> String {
    if toml.chars().count() > 60 {
        let cut: String = toml.chars().take(56).collect();
        format!("{cut} …")
    } else {
        toml.to_string()
    }
}

/// What `buffersim profile` prints: the matrix and the postures.
pub fn terminal_summary(profile: &Profile) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} items, {} suppliers, history {} to {}\n",
        profile.items.len(),
        profile.suppliers.iter().filter(|s| s.observed).count(),
        profile.first_date,
        profile.last_date
    );
    let cells = matrix(profile);
    let _ = writeln!(out, "ABC-XYZ   {:>14} {:>14} {:>14}", "X", "Y", "Z");
    for (row, abc) in cells.iter().zip(["A", "B", "C"]) {
        let text: Vec<String> = row
            .iter()
            .map(|c| format!("{:>3} ({:>5.1}%)", c.items, c.value_share * 100.0))
            .collect();
        let _ = writeln!(
            out,
            "{abc:<9} {:>14} {:>14} {:>14}",
            text[0], text[1], text[2]
        );
    }
    let _ = writeln!(out, "\nrecommended postures:");
    for (posture, n, share) in posture_counts(profile) {
        let _ = writeln!(
            out,
            "  {:<28} {n:>3} items, {:>5.1}% of value",
            posture.label(),
            share * 100.0
        );
    }
    if let Some(check) = &profile.check {
        let _ = writeln!(
            out,
            "\nrecommended, simulated against all-jit and all-jic ({} runs):",
            check.runs
        );
        for line in check.verdict() {
            let line = format!("  {}", line.replace("**", ""));
            let _ = writeln!(out, "{}", crate::presentation::terminal::wrap(&line));
        }
        if !check.changes.is_empty() {
            let _ = writeln!(
                out,
                "  {} item{} changed after the check (profile.md says why)",
                check.changes.len(),
                if check.changes.len() == 1 { "" } else { "s" }
            );
        }
    }
    if let Some(drift) = &profile.drift {
        let _ = writeln!(out, "\n{}", drift.summary_line());
    }
    out
}
