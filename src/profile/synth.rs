//! A synthetic ERP export with known answers: demand history, deliveries and an item master
//! for a few dozen items, so that `buffersim profile` can be shown and tested on data whose
//! classes, demand parameters and supplier performance are known.
//!
//! Items cycle through nine demand archetypes (steady normal, Poisson counts, a seasonal peak
//! in November–December, a rising trend, variable negative-binomial and lognormal demand,
//! lumpy, erratic and slow movers), with annual values falling geometrically so that about a
//! fifth of the items hold 80% of the value. Five suppliers range from a reliable local one
//! (98% on time, 2–4 days) to an overseas one (80% on time, about 24 days). Demand is drawn
//! with the simulator's own samplers, a calendar month at a time at that month's level; the
//! draws come from the crate's named generator, one stream per item (`Stream::Demand`) and per
//! item's deliveries (`Stream::Supplier`), so a seed gives the same files on every machine.
//!
//! Outages can be planted in the deliveries ([`PlantedOutage`]): known stretches in which a
//! supplier shipped nothing, for the profile to find and write into its scenario; and demand
//! surges in the demand history ([`PlantedSurge`]): known stretches in which an item's demand
//! was a multiple of its draws, for the profile to find and to keep out of the item's normal
//! demand.
//!
//! Every fourth item is reported in weekly rows; days (or weeks) without demand have no row.
//! Unless `clean` is set, the export carries the mess real ones do, each kind a few times:
//! one day's demand split over two order lines, returns (negative rows), a row repeated cell
//! for cell, rows appended out of date order, and deliveries of a retired item that has no
//! demand history. None of it changes the demand the profile should find.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::foundation::days::{DayDistribution, DaysSpec};
use crate::foundation::rng::{SimRng, Stream, rng_for, unit_f64};
use crate::model::demand::{DemandDistribution, DemandModel, Units};
use crate::profile::classify::{self, Abc, AbcCuts, Xyz, XyzCuts};
use crate::profile::date::Date;
use crate::profile::demand_fit::day_weighted_mean;
use crate::results::files::{Committed, WriteError};

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    /// Seed of the random draws: the same seed gives the same files (default 1).
    pub seed: u64,
    /// Number of items (default 36).
    pub items: usize,
    /// Length of the history in calendar months (default 24).
    pub months: u32,
    /// First day of the history.
    pub start: Date,
    /// Leave out the deliberate mess.
    pub clean: bool,
    /// Outages planted in the deliveries, known answers for the profile's disruption
    /// detection (none by default).
    pub outages: Vec<PlantedOutage>,
    /// Demand surges planted in the demand history, known answers for the profile's surge
    /// detection (none by default).
    pub surges: Vec<PlantedSurge>,
}

/// A known demand surge: from `start`, for `days` days, the item's demand is `factor` times
/// what was drawn for those days (rounded to whole units). Every other day, and the
/// deliveries, are drawn as without it, so the item's normal level is its truth's `mean`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlantedSurge {
    /// The item's id (`SKU-1001`, …).
    pub item: String,
    /// First day of the surge.
    pub start: Date,
    /// Days it lasts.
    pub days: u32,
    /// Multiplier of the drawn demand.
    pub factor: f64,
}

impl PlantedSurge {
    /// Multiply the days of `path` (day 0 = `start`) that fall in the surge.
    fn apply(&self, start: Date, path: &mut [f64]) {
        let first = self.start.days_since(start).max(0) as usize;
        let last = (self.start.days_since(start) + i64::from(self.days)).max(0) as usize;
        for v in path.iter_mut().take(last).skip(first) {
            *v = (*v * self.factor).round();
        }
    }
}

/// A known outage: from `start`, for `days` days, the supplier ships nothing; every delivery
/// that would have arrived meanwhile arrives on the day it recovers, and none in between.
#[derive(Clone, Debug, PartialEq)]
pub struct PlantedOutage {
    /// The supplier's id (`local-express`, `overseas-mfg`, …).
    pub supplier: String,
    /// First day without deliveries.
    pub start: Date,
    /// Days without deliveries; deliveries resume on `start + days`.
    pub days: u32,
}

impl PlantedOutage {
    /// The day a delivery due to arrive on `received` arrives under the outage.
    fn delay(&self, supplier: &str, received: Date) -> Date {
        let end = self.start.plus(i64::from(self.days));
        if supplier == self.supplier && received >= self.start && received < end {
            end
        } else {
            received
        }
    }
}

impl SynthOptions {
    /// Plant `outages` supplier outages and `surges` demand surges at known places (`synth
    /// --outages N --surges N`): spread evenly over the history, the outages cycling through
    /// the suppliers (21, 28 or 35 days), the surges through the items with steady daily demand
    /// (the first archetype's, and the Poisson counts', not reported weekly), 21 days at three
    /// times the drawn demand. Histories shorter than 120 days get none.
    pub fn plant(&mut self, outages: usize, surges: usize) {
        let end = self.start.plus_months(self.months);
        let days = end.days_since(self.start);
        if days < 120 {
            return;
        }
        let room = days - 90;
        for k in 0..outages {
            self.outages.push(PlantedOutage {
                supplier: SUPPLIER_IDS[k % SUPPLIER_IDS.len()].to_string(),
                start: self.start.plus(30 + k as i64 * room / outages as i64),
                days: 21 + 7 * (k % 3) as u32,
            });
        }
        let steady: Vec<usize> = (0..self.items)
            .filter(|&i| (i % 9 == 0 || i % 9 == 3) && i % 4 != 2)
            .collect();
        if steady.is_empty() {
            return;
        }
        for k in 0..surges {
            self.surges.push(PlantedSurge {
                item: format!("SKU-{}", 1001 + steady[k % steady.len()]),
                start: self.start.plus(45 + k as i64 * room / surges as i64),
                days: 21,
                factor: 3.0,
            });
        }
    }
}

impl Default for SynthOptions {
    fn default() -> Self {
        SynthOptions {
            seed: 1,
            items: 36,
            months: 24,
            start: Date::from_ymd(2024, 1, 1).expect("a valid date"),
            clean: false,
            outages: Vec::new(),
            surges: Vec::new(),
        }
    }
}

/// What an item was generated from, and the classes that implies.
#[derive(Clone, Debug)]
pub struct ItemTruth {
    /// The item's id (`SKU-1001`, `SKU-1002`, …).
    pub id: String,
    pub(crate) archetype: &'static str,
    /// Expected mean of daily demand over the history, in units.
    pub mean: f64,
    /// Expected standard deviation of daily demand over the history (seasonal and trend
    /// swings included), in units.
    pub sd: f64,
    /// Coefficient of variation of daily demand: `sd / mean`.
    pub cv: f64,
    /// Kurtosis of one day's demand at the base level (3 for a normal), for tolerances.
    pub kurtosis: f64,
    /// Cost of one unit, chosen so that the item's expected annual value follows the designed
    /// geometric decline.
    pub unit_cost: f64,
    /// ABC class by expected annual value, at the default cut-offs (80% / 15% / 5%).
    pub abc: Abc,
    /// Value share of the items ranked above it, by expected annual value.
    pub share_above: f64,
    /// XYZ class of `cv`, at the default cut-offs (0.5 and 1.0).
    pub xyz: Xyz,
    /// Demand peaks in November–December and dips in May–June, swinging ±50%.
    pub seasonal: bool,
    /// The demand file reports the item in weekly totals rather than daily rows.
    pub weekly: bool,
    /// Ids of the suppliers it is bought from (one, or two for every sixth item).
    pub suppliers: Vec<String>,
    pub(crate) critical: bool,
}

/// What a supplier was generated from.
#[derive(Clone, Debug)]
pub struct SupplierTruth {
    /// The supplier's id (`local-express`, `overseas-mfg`, …).
    pub id: &'static str,
    /// Probability 0–1 that a delivery arrives by the promised date.
    pub on_time: f64,
    /// Expected lead time from order to receipt, lateness included.
    pub lead_time_mean: f64,
}

/// The generated files and the truth behind them.
#[derive(Clone, Debug)]
pub struct SynthData {
    /// What each item was drawn from, in id order.
    pub items: Vec<ItemTruth>,
    /// What each of the five suppliers was drawn from.
    pub suppliers: Vec<SupplierTruth>,
    /// The text of demand.csv: `date,item,quantity`, one row per item and day (or week) with
    /// demand, plus the deliberate mess unless `clean` was set.
    pub demand_csv: String,
    pub(crate) deliveries_csv: String,
    pub(crate) items_csv: String,
    pub(crate) truth_csv: String,
}

/// A supplier's behaviour.
struct SupplierSpec {
    id: &'static str,
    /// Written in the deliveries' `region` column.
    region: &'static str,
    lead_time: DaysSpec,
    on_time: f64,
    lateness: DaysSpec,
    /// Chance a delivery is short, and chance it has rejected units.
    short: f64,
    rejects: f64,
}

fn suppliers() -> Vec<SupplierSpec> {
    let spec = |id, lead_time, on_time, lateness, short, rejects| SupplierSpec {
        id,
        region: region_of(id),
        lead_time,
        on_time,
        lateness,
        short,
        rejects,
    };
    vec![
        spec(
            "local-express",
            DaysSpec::Fixed(2),
            0.98,
            DaysSpec::Uniform { min: 1, max: 2 },
            0.01,
            0.005,
        ),
        spec(
            "regional-parts",
            DaysSpec::Triangular {
                min: 2.5,
                mode: 4.0,
                max: 6.5,
            },
            0.97,
            DaysSpec::Uniform { min: 1, max: 3 },
            0.02,
            0.01,
        ),
        spec(
            "budget-supply",
            DaysSpec::Uniform { min: 3, max: 6 },
            0.86,
            DaysSpec::Uniform { min: 2, max: 7 },
            0.05,
            0.06,
        ),
        spec(
            "overseas-mfg",
            DaysSpec::Lognormal {
                mean: 24.0,
                sd: 5.0,
            },
            0.80,
            DaysSpec::Triangular {
                min: 1.5,
                mode: 5.0,
                max: 14.5,
            },
            0.03,
            0.02,
        ),
        spec(
            "specialist",
            DaysSpec::Uniform { min: 8, max: 12 },
            0.93,
            DaysSpec::Uniform { min: 1, max: 4 },
            0.02,
            0.01,
        ),
    ]
}

/// The region of a generated supplier: the overseas manufacturer and the specialist share
/// one, so that an outage of both is a regional event; the three others are near.
pub fn region_of(supplier: &str) -> &'static str {
    match supplier {
        "overseas-mfg" | "specialist" => "asia",
        _ => "home",
    }
}

/// The ids of the five generated suppliers.
pub const SUPPLIER_IDS: [&str; 5] = [
    "local-express",
    "regional-parts",
    "budget-supply",
    "overseas-mfg",
    "specialist",
];

/// A demand archetype: its distribution at level 1 and what shapes its level.
struct Archetype {
    name: &'static str,
    distribution: DemandDistribution,
    seasonal: bool,
    trend_per_year: f64,
    supplier: usize,
}

/// The nine archetypes, scaled up a little on each pass through them.
fn archetype(index: usize, pass: usize) -> Archetype {
    let k = 1.0 + 0.3 * pass as f64;
    let (name, distribution, seasonal, trend, supplier) = match index % 9 {
        0 => (
            "steady",
            DemandDistribution::Normal {
                mean: 80.0 * k,
                sd: 16.0 * k,
            },
            false,
            0.0,
            0,
        ),
        1 => (
            "variable",
            DemandDistribution::NegativeBinomial {
                mean: 20.0 * k,
                sd: 14.0 * k,
            },
            false,
            0.0,
            1,
        ),
        2 => (
            "lumpy",
            DemandDistribution::NegativeBinomial { mean: 1.5, sd: 2.4 },
            false,
            0.0,
            2,
        ),
        3 => (
            "counts",
            DemandDistribution::Poisson { mean: 30.0 * k },
            false,
            0.0,
            4,
        ),
        4 => (
            "seasonal",
            DemandDistribution::Poisson { mean: 25.0 * k },
            true,
            0.0,
            1,
        ),
        5 => (
            "erratic",
            DemandDistribution::NegativeBinomial {
                mean: 8.0,
                sd: 13.0,
            },
            false,
            0.0,
            3,
        ),
        6 => (
            "trend",
            DemandDistribution::Normal {
                mean: 60.0 * k,
                sd: 12.0 * k,
            },
            false,
            0.25,
            0,
        ),
        7 => (
            "variable-lognormal",
            DemandDistribution::Lognormal {
                mean: 15.0 * k,
                sd: 10.0 * k,
            },
            false,
            0.0,
            (pass % 2) * 3,
        ),
        _ => (
            "slow",
            DemandDistribution::Poisson { mean: 0.6 },
            false,
            0.0,
            if pass.is_multiple_of(2) { 4 } else { 2 },
        ),
    };
    Archetype {
        name,
        distribution,
        seasonal,
        trend_per_year: trend,
        supplier: (supplier + pass) % 5,
    }
}

/// Peak in November–December, trough in May–June, swinging ±50%; day-weighted mean 1.
fn seasonal_indices() -> [f64; 12] {
    let raw: [f64; 12] = std::array::from_fn(|m| {
        1.0 + 0.5 * (2.0 * std::f64::consts::PI * (m as f64 - 10.5) / 12.0).cos()
    });
    let mean = day_weighted_mean(&raw);
    raw.map(|s| s / mean)
}

/// Mean, variance and kurtosis of one day's demand at level `m` (rounding to whole units adds
/// about 1/12 unit² to the continuous families).
fn moments(distribution: &DemandDistribution, m: f64) -> (f64, f64, f64) {
    let model = DemandModel {
        distribution: distribution.clone(),
        seasonality: [1.0; 12],
        trend_per_year: 0.0,
        units: Units::Whole,
        start_date: None,
    };
    let (mean, sd) = (model.base_mean(), model.base_sd());
    match *distribution {
        DemandDistribution::Poisson { mean } => (mean * m, mean * m, 3.0 + 1.0 / (mean * m)),
        DemandDistribution::NegativeBinomial { mean, sd } => {
            let r = mean * mean / (sd * sd - mean);
            let mu = mean * m;
            (mu, mu + mu * mu / r, 3.0 + 6.0 / r + r / (mu * (r + mu)))
        }
        DemandDistribution::Lognormal { .. } => {
            let s2 = (1.0 + (sd / mean).powi(2)).ln();
            let excess = (4.0 * s2).exp() + 2.0 * (3.0 * s2).exp() + 3.0 * (2.0 * s2).exp() - 6.0;
            (mean * m, (sd * m).powi(2) + 1.0 / 12.0, 3.0 + excess)
        }
        _ => (mean * m, (sd * m).powi(2) + 1.0 / 12.0, 3.0),
    }
}

/// One item while it is being generated.
struct Plan {
    id: String,
    archetype: Archetype,
    /// Demand level of each calendar month of the history.
    levels: Vec<(Date, usize, f64)>,
    weekly: bool,
    suppliers: Vec<usize>,
    critical: bool,
    value_weight: f64,
}

/// Generate the files.
pub fn generate(options: &SynthOptions) -> SynthData {
    let start = options.start;
    let end = start.plus_months(options.months);
    let days = end.days_since(start).max(1) as usize;
    let specs = suppliers();
    let plans = plan_items(options, start, end);
    let mut demand_rows: Vec<(Date, String, f64)> = Vec::new();
    let mut truth = Vec::new();
    let mut means = Vec::new();
    for (i, plan) in plans.iter().enumerate() {
        let mut rng = rng_for(options.seed, 0, Stream::Demand(i));
        let mut path = draw_path(plan, days, &mut rng);
        // After the draws, so that planting a surge leaves every other day as it was.
        for surge in options.surges.iter().filter(|s| s.item == plan.id) {
            surge.apply(start, &mut path);
        }
        push_rows(plan, start, &path, &mut demand_rows);
        let (mean, var, kurtosis) = expected_moments(plan, days);
        means.push(mean);
        truth.push((mean, var.sqrt(), kurtosis));
    }
    // Unit costs make each item's expected annual value follow the designed decline.
    let total_weight: f64 = plans.iter().map(|p| p.value_weight).sum();
    let costs: Vec<f64> = plans
        .iter()
        .zip(&means)
        .map(|(p, m)| {
            let value = 5_000_000.0 * p.value_weight / total_weight;
            ((value / (365.0 * m)) * 100.0).round().max(1.0) / 100.0
        })
        .collect();
    let values: Vec<f64> = means
        .iter()
        .zip(&costs)
        .map(|(m, c)| m * 365.0 * c)
        .collect();
    let classes = classify::abc_classes(&values, AbcCuts::default());
    let items: Vec<ItemTruth> = plans
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let (mean, sd, kurtosis) = truth[i];
            ItemTruth {
                id: p.id.clone(),
                archetype: p.archetype.name,
                mean,
                sd,
                cv: sd / mean,
                kurtosis,
                unit_cost: costs[i],
                abc: classes[i].0,
                share_above: classes[i].1,
                xyz: classify::xyz_class(sd / mean, XyzCuts::default()),
                seasonal: p.archetype.seasonal,
                weekly: p.weekly,
                suppliers: p
                    .suppliers
                    .iter()
                    .map(|&s| specs[s].id.to_string())
                    .collect(),
                critical: p.critical,
            }
        })
        .collect();
    let mut mess_rng = rng_for(options.seed, 0, Stream::Disruption(0));
    if !options.clean {
        add_demand_mess(&mut demand_rows, &mut mess_rng);
    }
    let deliveries = deliveries_csv(options, &plans, &means, &specs, start, end);
    SynthData {
        suppliers: specs
            .iter()
            .map(|s| {
                let lead = DayDistribution::new(&s.lead_time, 1).mean();
                let late = DayDistribution::new(&s.lateness, 1).mean();
                SupplierTruth {
                    id: s.id,
                    on_time: s.on_time,
                    lead_time_mean: lead + (1.0 - s.on_time) * late,
                }
            })
            .collect(),
        demand_csv: demand_csv(&demand_rows),
        deliveries_csv: deliveries,
        items_csv: items_csv(&items, &plans),
        truth_csv: truth_csv(&items),
        items,
    }
}

fn plan_items(options: &SynthOptions, start: Date, end: Date) -> Vec<Plan> {
    // About a fifth of the items hold 80% of the value: weight q^i with q^(n/5) = 0.2.
    let n = options.items.max(1);
    let q = 0.2f64.powf(1.0 / (n as f64 / 5.0).max(1.0));
    let season = seasonal_indices();
    let middle = start.plus(end.days_since(start) / 2);
    (0..n)
        .map(|i| {
            let archetype = archetype(i % 9, i / 9);
            let mut levels = Vec::new();
            let mut month_start = start;
            while month_start < end {
                let next = month_start.plus_months(1).min(end);
                let mid = month_start.plus(next.days_since(month_start) / 2);
                let s = if archetype.seasonal {
                    season[month_start.month0()]
                } else {
                    1.0
                };
                let t = 1.0 + archetype.trend_per_year * mid.days_since(middle) as f64 / 365.0;
                levels.push((month_start, next.days_since(month_start) as usize, s * t));
                month_start = next;
            }
            let mut suppliers = vec![archetype.supplier];
            if i % 6 == 5 {
                suppliers.push((archetype.supplier + 1) % 5);
            }
            Plan {
                id: format!("SKU-{}", 1001 + i),
                weekly: i % 4 == 2,
                critical: i % 7 == 3,
                value_weight: q.powi(i as i32),
                suppliers,
                levels,
                archetype,
            }
        })
        .collect()
}

/// Daily demand over the history, a calendar month at a time at that month's level.
fn draw_path(plan: &Plan, days: usize, rng: &mut SimRng) -> Vec<f64> {
    let mut path = vec![0.0; days];
    let mut offset = 0;
    for &(_, len, level) in &plan.levels {
        let model = DemandModel {
            distribution: plan.archetype.distribution.clone(),
            seasonality: [level; 12],
            trend_per_year: 0.0,
            units: Units::Whole,
            start_date: None,
        };
        model
            .sampler()
            .fill_path(rng, 0, &mut path[offset..offset + len]);
        offset += len;
    }
    path
}

/// Expected mean, variance and base-level kurtosis of daily demand over the history.
fn expected_moments(plan: &Plan, days: usize) -> (f64, f64, f64) {
    let mut sum = 0.0;
    let mut second = 0.0;
    for &(_, len, level) in &plan.levels {
        let (m, v, _) = moments(&plan.archetype.distribution, level);
        sum += len as f64 * m;
        second += len as f64 * (v + m * m);
    }
    let mean = sum / days as f64;
    let kurtosis = moments(&plan.archetype.distribution, 1.0).2;
    (mean, second / days as f64 - mean * mean, kurtosis)
}

/// Rows of days (or whole weeks) with demand.
fn push_rows(plan: &Plan, start: Date, path: &[f64], rows: &mut Vec<(Date, String, f64)>) {
    let step = if plan.weekly { 7 } else { 1 };
    for (k, chunk) in path.chunks_exact(step).enumerate() {
        let quantity: f64 = chunk.iter().sum();
        if quantity > 0.0 {
            rows.push((start.plus((k * step) as i64), plan.id.clone(), quantity));
        }
    }
}

/// Split order lines, returns, a repeated row and rows out of order.
fn add_demand_mess(rows: &mut Vec<(Date, String, f64)>, rng: &mut SimRng) {
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out = Vec::with_capacity(rows.len() + 64);
    for row in rows.drain(..) {
        let u = unit_f64(rng);
        if u < 0.01 && row.2 >= 3.0 {
            let first = (row.2 / 3.0).floor();
            out.push((row.0, row.1.clone(), first));
            out.push((row.0, row.1, row.2 - first));
        } else if u > 0.997 {
            let returned = (row.2 / 4.0).ceil();
            out.push(row.clone());
            out.push((row.0, row.1, -returned));
        } else {
            out.push(row);
        }
    }
    if out.len() > 200 {
        let repeated = out[100].clone();
        out.insert(101, repeated);
        for index in [150, 60] {
            let moved = out.remove(index);
            out.push(moved);
        }
    }
    *rows = out;
}

fn demand_csv(rows: &[(Date, String, f64)]) -> String {
    let mut out = String::from("date,item,quantity\n");
    for (date, item, quantity) in rows {
        let _ = writeln!(out, "{date},{item},{quantity}");
    }
    out
}

/// Orders at a fixed cadence (weekly for the top 40% of items by value, fortnightly for the
/// rest) for the demand of the interval, each drawn against its supplier's behaviour.
fn deliveries_csv(
    options: &SynthOptions,
    plans: &[Plan],
    means: &[f64],
    specs: &[SupplierSpec],
    start: Date,
    end: Date,
) -> String {
    let lead: Vec<DayDistribution> = specs
        .iter()
        .map(|s| DayDistribution::new(&s.lead_time, 1))
        .collect();
    let late: Vec<DayDistribution> = specs
        .iter()
        .map(|s| DayDistribution::new(&s.lateness, 1))
        .collect();
    let mut out = String::from(
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,\
         quantity_received,quantity_rejected,region\n",
    );
    let last_day = end.plus(-1);
    let mut items: Vec<(&str, f64, &[usize])> = plans
        .iter()
        .zip(means)
        .map(|(p, &m)| (p.id.as_str(), m, p.suppliers.as_slice()))
        .collect();
    if !options.clean {
        items.push(("SKU-0999-RETIRED", 5.0, &[1]));
    }
    for (i, (item, mean, sources)) in items.into_iter().enumerate() {
        let mut rng = rng_for(options.seed, 0, Stream::Supplier(i));
        let cadence = if i * 10 < plans.len() * 4 { 7 } else { 14 };
        let quantity = (mean * cadence as f64).round().max(1.0);
        let mut ordered_on = start.plus((i % cadence) as i64);
        while ordered_on <= last_day {
            let s = if sources.len() > 1 && unit_f64(&mut rng) >= 0.7 {
                sources[1]
            } else {
                sources[0]
            };
            let spec = &specs[s];
            let promised = ordered_on.plus(i64::from(lead[s].sample(&mut rng)));
            let received = if unit_f64(&mut rng) < spec.on_time {
                promised
            } else {
                promised.plus(i64::from(late[s].sample(&mut rng)))
            };
            // After the draws, so that planting an outage leaves every other delivery as it was.
            let received = options
                .outages
                .iter()
                .fold(received, |r, outage| outage.delay(spec.id, r));
            let (short, reject, fraction) = (
                unit_f64(&mut rng) < spec.short,
                unit_f64(&mut rng) < spec.rejects,
                unit_f64(&mut rng),
            );
            if received > last_day {
                let _ = writeln!(
                    out,
                    "{},{item},{ordered_on},{promised},,{quantity},0,0,{}",
                    spec.id, spec.region
                );
            } else {
                let got = if short {
                    (quantity * (0.6 + 0.35 * fraction)).round()
                } else {
                    quantity
                };
                let rejected = if reject {
                    (got * (0.2 + 0.8 * fraction)).ceil()
                } else {
                    0.0
                };
                let _ = writeln!(
                    out,
                    "{},{item},{ordered_on},{promised},{received},{quantity},{got},{rejected},{}",
                    spec.id, spec.region
                );
            }
            ordered_on = ordered_on.plus(cadence as i64);
        }
    }
    out
}

fn items_csv(items: &[ItemTruth], plans: &[Plan]) -> String {
    let mut out = String::from(
        "item,unit_cost,criticality,suppliers,container_size,shelf_life_days,order_cost\n",
    );
    for (i, (item, plan)) in items.iter().zip(plans).enumerate() {
        let criticality = if plan.critical {
            "high"
        } else if item.abc == Abc::C {
            "low"
        } else {
            "medium"
        };
        let container = if i.is_multiple_of(2) {
            classify::derived_container_size(item.mean).to_string()
        } else {
            String::new()
        };
        let shelf_life = if i % 8 == 1 { "21" } else { "" };
        let order_cost = if i.is_multiple_of(5) { "80" } else { "" };
        let _ = writeln!(
            out,
            "{},{},{criticality},{},{container},{shelf_life},{order_cost}",
            item.id,
            item.unit_cost,
            item.suppliers.join(";")
        );
    }
    out
}

fn truth_csv(items: &[ItemTruth]) -> String {
    let mut out = String::from(
        "item,archetype,abc,xyz,mean_daily,sd_daily,cv,unit_cost,seasonal,weekly_rows,critical,suppliers\n",
    );
    for t in items {
        let _ = writeln!(
            out,
            "{},{},{},{},{:.4},{:.4},{:.4},{},{},{},{},{}",
            t.id,
            t.archetype,
            t.abc,
            t.xyz,
            t.mean,
            t.sd,
            t.cv,
            t.unit_cost,
            t.seasonal,
            t.weekly,
            t.critical,
            t.suppliers.join(";")
        );
    }
    out
}

/// Write demand.csv, deliveries.csv, items.csv and truth.csv into `dir`, as a whole; returns
/// their paths.
pub fn write(data: &SynthData, dir: &Path) -> Result<Vec<PathBuf>, WriteError> {
    commit(data, dir).map(|committed| committed.written)
}

fn commit(data: &SynthData, dir: &Path) -> Result<Committed, WriteError> {
    crate::profile::write::commit_files(
        dir,
        [
            ("demand.csv", data.demand_csv.clone()),
            ("deliveries.csv", data.deliveries_csv.clone()),
            ("items.csv", data.items_csv.clone()),
            ("truth.csv", data.truth_csv.clone()),
        ],
    )
}

/// `buffersim synth`: generate and write into `dir`; what was written, for stderr.
///
/// A folder that holds anything is refused unless `force` is given: the default folder is the
/// committed `scenarios/data`, and a history written over a planner's own export would be lost
/// without a word (issue 22, item 7). With `force`, the four files are replaced as a whole and
/// anything else in the folder is left alone.
pub(crate) fn run(options: &SynthOptions, dir: &Path, force: bool) -> anyhow::Result<Committed> {
    if options.items == 0 || options.months == 0 {
        anyhow::bail!("--items and --months must be at least 1");
    }
    let holds_files = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if holds_files && !force {
        anyhow::bail!(
            "'{}' already holds files, and synth writes demand.csv, deliveries.csv, items.csv \
             and truth.csv there: choose an empty or new folder with --out, or give --force to \
             replace those four files",
            dir.display()
        );
    }
    Ok(commit(&generate(options), dir)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_files() {
        let options = SynthOptions {
            items: 9,
            months: 3,
            ..SynthOptions::default()
        };
        let a = generate(&options);
        let b = generate(&options);
        assert_eq!(a.demand_csv, b.demand_csv);
        assert_eq!(a.deliveries_csv, b.deliveries_csv);
        let c = generate(&SynthOptions { seed: 2, ..options });
        assert_ne!(a.demand_csv, c.demand_csv);
    }

    #[test]
    fn seasonal_indices_average_one() {
        let s = seasonal_indices();
        assert!((day_weighted_mean(&s) - 1.0).abs() < 1e-12);
        assert!(s[10] > 1.4 && s[11] > 1.4 && s[4] < 0.6);
    }

    #[test]
    fn truth_classes_span_the_matrix() {
        let data = generate(&SynthOptions {
            months: 2,
            ..SynthOptions::default()
        });
        for abc in [Abc::A, Abc::B, Abc::C] {
            for xyz in [Xyz::X, Xyz::Y, Xyz::Z] {
                assert!(
                    data.items.iter().any(|t| t.abc == abc && t.xyz == xyz),
                    "no {abc}{xyz} item"
                );
            }
        }
    }
}
