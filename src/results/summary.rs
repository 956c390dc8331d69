//! The summary of a simulation: what summary.json, summary.csv and on_hand.csv hold.
//!
//! Nothing here depends on wall-clock time, so the same scenario and seed give byte-identical
//! files.

use std::io::{self, Write};

use indexmap::IndexMap;
use serde::Serialize;

use crate::results::files::{csv_field, csv_interval, json_text, text_of, write_json_text};
use crate::results::inputs::Inputs;
use crate::results::targets::TargetResult;

use crate::foundation::date::Date;
use crate::foundation::rng::RNG_ALGORITHM;
use crate::foundation::stats::{Estimate, Interval, MeanEstimate, Tail};
use crate::model::policy::{KanbanSizing, Sizing};
use crate::model::scenario::{Scenario, UnmetDemand};
use crate::simulation::engine::Outcome;
use crate::simulation::metrics::{ItemSummary, MONTH_METRICS, Metric};
use crate::simulation::supplier_metrics::{
    BUDGET_METRICS, BudgetMetric, BudgetStats, SUPPLIER_METRICS, SupplierMetric, SupplierStats,
};

/// The summary of a simulation, as written to summary.json: for every policy, each metric's
/// mean with its 95% confidence interval and its 5th, 50th and 95th percentiles over runs, for
/// all items together and per item, with how each item's rule was sized.
///
/// Built from an engine [`Outcome`] by [`Summary::new`]; written with [`Summary::to_json`] and
/// [`Summary::to_csv`], and read back as [`crate::results::saved::SavedSummary`].
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// Number of simulated runs (Monte Carlo replications) the figures are taken over.
    pub runs: u64,
    /// The master seed; with the run index it fixes every random draw, so the same scenario
    /// and seed give the same figures.
    pub seed: u64,
    /// Days simulated in each run, the warm-up included.
    pub horizon_days: u32,
    /// Days at the start of each run that are simulated but not measured, so that the figures
    /// do not depend on the starting stock.
    pub warmup_days: u32,
    /// The day of the year (0 = 1 January, in a year of 365 days) that day 0 of each run falls
    /// on: where seasonality and dated events sit, and how charts over days name the months.
    pub start_day_of_year: u32,
    /// The date of day 0 of each run (`simulation.start_date`), which gives every day its
    /// date; absent when the scenario gives none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<Date>,
    /// What happens to demand not served from stock: lost sales or backorders.
    pub unmet_demand: UnmetDemand,
    /// What money is counted in (`simulation.currency`); absent when the scenario does not
    /// say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The random number generator and how its streams are seeded, for reproducibility.
    pub rng: &'static str,
    /// Minor version of the `rand` crate the simulator is built with (`"0.10"`): with `rng`,
    /// what a reader needs to know that the random numbers are reproducible.
    pub rand_version: &'static str,
    /// The scenario's `[targets]` and each policy's verdict; absent without targets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetResult>,
    /// One summary per policy, in scenario order.
    pub policies: Vec<PolicySummary>,
    /// What the disruptions amounted to (the same for every policy); absent without any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disruptions: Option<DisruptionSummary>,
    /// What precision control achieved, when the run used it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::results::precision::PrecisionReport>,
    /// Why each buffer is what it is, when the run comes from `optimize --justify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<crate::results::justification::Justification>,
    /// What the scenario assumed: suppliers, items, disruptions, policies' settings.
    pub inputs: Inputs,
}

/// An estimate for a quantity that is zero in every run (no runs at all cannot happen).
const ZERO: Estimate = Estimate {
    mean: 0.0,
    ci95: Some(Interval {
        low: 0.0,
        high: 0.0,
    }),
    p05: 0.0,
    p50: 0.0,
    p95: 0.0,
    n: 0,
};

/// The disruption log of a simulation, aggregated over runs.
#[derive(Clone, Debug, Serialize)]
pub struct DisruptionSummary {
    /// Share of runs with at least one event in the measured days.
    pub(crate) runs_with_events: Option<Estimate>,
    /// Supplier-days with reduced capacity, delayed transport or drifted lead times, per run.
    pub disrupted_supplier_days: Estimate,
    /// Each disruption's events and active days, in scenario order.
    pub by_disruption: Vec<DisruptionLog>,
}

/// One disruption's events and active days per run.
#[derive(Clone, Debug, Serialize)]
pub struct DisruptionLog {
    /// The disruption's id in the scenario.
    pub disruption: String,
    /// What kind of disruption it is (supplier outage, capacity cut, transport delay, …).
    pub kind: crate::model::disruption::Kind,
    pub(crate) events: Estimate,
    pub(crate) active_days: Estimate,
    /// Days `[start, end)` of the horizon on which a scheduled disruption is active (the same
    /// in every run); empty for random and Markov occurrences.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scheduled: Vec<[usize; 2]>,
}

/// How a policy holds up when things go wrong.
#[derive(Clone, Debug, Serialize)]
pub struct Resilience {
    /// Stockout rate (all items, a share 0–1 of demand) over the runs with at least one
    /// disruption event in the measured days; `None` when no run had one.
    pub stockout_rate_disrupted_runs: Option<Estimate>,
    /// The same over the runs without any disruption event; `None` when every run had one.
    pub stockout_rate_undisrupted_runs: Option<Estimate>,
    /// The worst runs: p99 of the stockout rate and the mean of the worst 5% of runs (CVaR).
    pub(crate) worst_runs: Option<Tail>,
    /// Per disruption, the stockout rate of runs in which it struck and of runs in which it
    /// did not: what each disruption costs this policy.
    pub by_disruption: Vec<DisruptionExposure>,
}

/// A policy's stockout rate (all items) in the runs a disruption struck (had an event in the
/// measured days) and in the runs it did not.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct DisruptionExposure {
    /// The disruption's id.
    pub disruption: String,
    /// Over the runs in which it had an event; `None` when it struck no run.
    pub stockout_rate_struck_runs: Option<Estimate>,
    /// Over the runs in which it had none; `None` when it struck every run (a scheduled
    /// disruption inside the measured days).
    pub stockout_rate_other_runs: Option<Estimate>,
}

/// One policy's figures: its metrics for all items together and per item, how each item's
/// rule was sized, and, with disruptions, how it holds up under them.
#[derive(Clone, Debug, Serialize)]
pub struct PolicySummary {
    /// The policy's name in the scenario.
    pub policy: String,
    /// Every metric for all items together (ratios weighted by value), by metric name
    /// (`fill_rate`, `stockout_rate`, `total_cost`, …; see the README, "Metrics"), in the
    /// order metrics are defined. A metric undefined in every run is left out.
    pub metrics: IndexMap<&'static str, Estimate>,
    /// The same metrics per item, in scenario order.
    pub items: Vec<ItemSummary>,
    /// How each item's rule was sized.
    pub sizing: Vec<ItemSizing>,
    /// The kanban loops of the items this policy runs on kanban.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kanban: Vec<ItemKanban>,
    /// Present when the scenario has disruptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resilience: Option<Resilience>,
    /// When in the year: the stockout rate, fill rate and days of supply of all items by
    /// calendar month, one entry per month the measured days reach, from the first measured
    /// day's month on (see the README, "Figures by month").
    pub by_month: Vec<MonthFigures>,
    /// The figures of each supplier whose items are simulated together (they share its
    /// capacity, or its value minimum, order days, delivery cost or a budget ties them), in
    /// scenario order; absent when there is none, so the summaries of scenarios without
    /// shared suppliers are what they were.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppliers: Vec<SupplierSummary>,
    /// The figures of each budget, in scenario order; absent without budgets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<BudgetSummary>,
    /// Percentiles over runs of the stock on hand on each sampled day, for the fan chart.
    pub on_hand_fan: OnHandFanSummary,
}

/// A policy's figures over the measured days of one calendar month (all items, pooled over
/// the years of the horizon): each the mean over runs with its 95% interval, `null` where the
/// month had no demand in any run (the figure is undefined there, as a fill rate without
/// demand is).
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct MonthFigures {
    /// The month's three-letter English name (`Jan` … `Dec`).
    pub month: String,
    /// Share of the month's demand (by value) not served from stock on the day it arose.
    pub stockout_rate: Option<MeanEstimate>,
    /// Share of the month's demand (by value) served from stock on the day it arose.
    pub fill_rate: Option<MeanEstimate>,
    /// The month's stock on hand over its demand: days of the month's demand the average
    /// stock on hand of the month covers.
    pub days_of_supply: Option<MeanEstimate>,
}

impl MonthFigures {
    /// The figure of `metric` (one of [`MONTH_METRICS`]).
    pub fn get(&self, metric: Metric) -> Option<&MeanEstimate> {
        match metric {
            Metric::StockoutRate => self.stockout_rate.as_ref(),
            Metric::FillRate => self.fill_rate.as_ref(),
            Metric::DaysOfSupply => self.days_of_supply.as_ref(),
            _ => None,
        }
    }
}

/// One supplier's figures under a policy (`capacity_utilisation`, `backlog_days`, …; see the
/// README, "Metrics"): each an estimate over runs like an item's metrics, keyed by name in
/// the order [`SUPPLIER_METRICS`] defines; a figure undefined in every run (the utilisation of
/// an unlimited capacity) is left out.
#[derive(Clone, Debug, Serialize)]
pub struct SupplierSummary {
    /// The supplier's id.
    pub supplier: String,
    /// Estimate of each figure defined in at least one run, by [`SupplierMetric::name`].
    pub metrics: IndexMap<&'static str, Estimate>,
}

/// One budget's figures under a policy (`budget_used`, `budget_bound_days_per_year`), as
/// [`SupplierSummary`].
#[derive(Clone, Debug, Serialize)]
pub struct BudgetSummary {
    /// The budget's id.
    pub budget: String,
    /// Estimate of each figure defined in at least one run, by [`BudgetMetric::name`].
    pub metrics: IndexMap<&'static str, Estimate>,
}

/// The unit of a supplier or budget figure, as the workbook's headers and the report's labels
/// give it (`share`, `units`, `days`, `days per year`, `currency`, `per year`); `None` for a
/// name that is not one.
pub(crate) fn supplier_figure_unit(name: &str) -> Option<&'static str> {
    let supplier = SUPPLIER_METRICS.iter().find(|m| m.name() == name);
    if let Some(m) = supplier {
        return Some(match m {
            SupplierMetric::CapacityUtilisation => "share",
            SupplierMetric::BacklogUnits => "units",
            SupplierMetric::BacklogDays => "days",
            SupplierMetric::AllocationCutDays => "days per year",
            SupplierMetric::ValuePerDelivery => "currency",
            SupplierMetric::DeliveriesPerYear => "per year",
        });
    }
    let budget = BUDGET_METRICS.iter().find(|m| m.name() == name)?;
    Some(match budget {
        BudgetMetric::BudgetUsed => "share",
        BudgetMetric::BudgetBoundDays => "days per year",
    })
}

fn supplier_estimates(stats: &SupplierStats) -> IndexMap<&'static str, Estimate> {
    SUPPLIER_METRICS
        .iter()
        .filter_map(|m| stats.get(*m).estimate().map(|e| (m.name(), e)))
        .collect()
}

fn budget_estimates(stats: &BudgetStats) -> IndexMap<&'static str, Estimate> {
    BUDGET_METRICS
        .iter()
        .filter_map(|m| stats.get(*m).estimate().map(|e| (m.name(), e)))
        .collect()
}

/// Stock on hand over the horizon across runs (a policy's, or an item's): percentiles per
/// sampled day, for the fan charts.
pub use crate::simulation::metrics::OnHandFanSummary;

/// How one item's ordering rule was sized under a policy: the demand and lead-time figures
/// used, the protection period, safety stock, trigger level and order quantities.
#[derive(Clone, Debug, Serialize)]
pub struct ItemSizing {
    /// The item's id.
    pub item: String,
    /// The sizing itself (written inline in summary.json, next to `item`).
    #[serde(flatten)]
    pub sizing: Sizing,
}

/// The kanban loop of one item a policy runs on kanban.
#[derive(Clone, Debug, Serialize)]
pub struct ItemKanban {
    /// The item's id.
    pub item: String,
    /// Containers, container size, the units and days of supply they hold (written inline in
    /// summary.json, next to `item`).
    #[serde(flatten)]
    pub kanban: KanbanSizing,
}

impl Summary {
    /// The summary of a simulation of `scenario`: estimates from the outcome's accumulators,
    /// the sizing of every rule, and, when the scenario has disruptions, the resilience
    /// figures and the disruption log. Precision and justification records are left empty
    /// for the analyses that fill them.
    pub fn new(scenario: &Scenario, outcome: &Outcome) -> Summary {
        let policies: Vec<PolicySummary> = scenario
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
                    .enumerate()
                    .map(|(i, (item, s))| ItemSummary {
                        item: item.id.clone(),
                        metrics: s.estimates(),
                        on_hand_fan: OnHandFanSummary::item(&outcome.fan, &stats.item_on_hand, i),
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
                    by_disruption: scenario
                        .disruptions
                        .iter()
                        .zip(&stats.by_disruption)
                        .map(|(d, [struck, other])| DisruptionExposure {
                            disruption: d.id.clone(),
                            stockout_rate_struck_runs: struck.estimate(),
                            stockout_rate_other_runs: other.estimate(),
                        })
                        .collect(),
                }),
                by_month: outcome
                    .months
                    .labels()
                    .iter()
                    .enumerate()
                    .map(|(slot, month)| {
                        let [stockout_rate, fill_rate, days_of_supply] =
                            stats.by_month.estimates(slot);
                        MonthFigures {
                            month: (*month).to_string(),
                            stockout_rate,
                            fill_rate,
                            days_of_supply,
                        }
                    })
                    .collect(),
                // Only the suppliers whose items were simulated together have counts, and a
                // budget without any run counted (none can be) says nothing either.
                suppliers: scenario
                    .suppliers
                    .iter()
                    .zip(&stats.suppliers)
                    .filter(|(_, s)| s.counted())
                    .map(|(supplier, s)| SupplierSummary {
                        supplier: supplier.id.clone(),
                        metrics: supplier_estimates(s),
                    })
                    .collect(),
                budgets: scenario
                    .budgets
                    .iter()
                    .zip(&stats.budgets)
                    .filter(|(_, s)| s.stats.iter().any(|x| x.count() > 0))
                    .map(|(budget, s)| BudgetSummary {
                        budget: budget.id.clone(),
                        metrics: budget_estimates(s),
                    })
                    .collect(),
                on_hand_fan: OnHandFanSummary::policy(&outcome.fan, &stats.on_hand),
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
        let targets = scenario
            .targets
            .iter()
            .map(|t| {
                TargetResult::new(
                    t,
                    policies.iter().map(|p: &PolicySummary| {
                        (p.policy.as_str(), p.metrics.get(t.metric.name()))
                    }),
                )
            })
            .collect();
        Summary {
            scenario: scenario.name.clone(),
            runs: outcome.runs,
            seed: outcome.seed,
            horizon_days: scenario.horizon_days,
            warmup_days: scenario.warmup_days,
            start_day_of_year: scenario.start_day_of_year,
            start_date: scenario.start_date,
            unmet_demand: scenario.unmet_demand,
            currency: scenario.currency.clone(),
            targets,
            rng: RNG_ALGORITHM,
            rand_version: "0.10",
            policies,
            disruptions,
            precision: None,
            justification: None,
            inputs: Inputs::new(scenario),
        }
    }

    /// The text of summary.json (pretty-printed JSON, metrics in definition order).
    pub fn to_json(&self) -> String {
        json_text(self)
    }

    /// Write summary.json, the text of [`Self::to_json`], to `out` as it is made, never whole
    /// in memory.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        write_json_text(out, self)
    }

    /// The text of summary.csv ([`Self::write_csv`]).
    pub fn to_csv(&self) -> String {
        text_of(|out| self.write_csv(out))
    }

    /// The text of summary.csv: one row per policy, item (`(all items)` for the policy as a
    /// whole) and metric, each policy's item rows followed by its supplier and budget figures
    /// (the `item` column naming the supplier as `supplier:ID`, the budget as `budget:ID`), its
    /// figures by calendar month (`month:Jan`, … with the mean and its interval, no
    /// percentiles; a month's figure undefined in every run has no row) and its resilience
    /// figures (the tail rows give the statistic as `mean` and its interval,
    /// with no percentiles); then the disruption log under `(all policies)`.
    pub fn write_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"policy,item,metric,n,mean,ci95_low,ci95_high,p05,p50,p95\n")?;
        for p in &self.policies {
            let all = std::iter::once(("(all items)", &p.metrics));
            let items = p.items.iter().map(|i| (i.item.as_str(), &i.metrics));
            for (item, metrics) in all.chain(items) {
                for (name, e) in metrics {
                    csv_estimate(out, &p.policy, item, name, e)?;
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
                    csv_estimate(out, &p.policy, &scope, name, e)?;
                }
            }
            for m in &p.by_month {
                let scope = csv_scope("month", &m.month);
                for metric in MONTH_METRICS {
                    if let Some(e) = m.get(metric) {
                        writeln!(
                            out,
                            "{},{scope},{},{},{},{},,,",
                            csv_field(&p.policy),
                            metric.name(),
                            e.n,
                            e.mean,
                            csv_interval(e.ci95)
                        )?;
                    }
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
                        csv_estimate(out, &p.policy, "(all items)", name, e)?;
                    }
                }
                if let Some(t) = &r.worst_runs {
                    let n = p
                        .metrics
                        .get(Metric::StockoutRate.name())
                        .map_or(0, |e| e.n);
                    let policy = csv_field(&p.policy);
                    writeln!(
                        out,
                        "{policy},(all items),stockout_rate_p99,{n},{},{},,,",
                        t.quantile,
                        csv_interval(t.quantile_ci95)
                    )?;
                    writeln!(
                        out,
                        "{policy},(all items),stockout_rate_worst_5pct_mean,{n},{},{},,,",
                        t.tail_mean,
                        csv_interval(t.tail_mean_ci95)
                    )?;
                }
            }
        }
        if let Some(log) = &self.disruptions {
            for d in &log.by_disruption {
                csv_estimate(out, "(all policies)", &d.disruption, "events", &d.events)?;
                csv_estimate(
                    out,
                    "(all policies)",
                    &d.disruption,
                    "active_days",
                    &d.active_days,
                )?;
            }
            let e = &log.disrupted_supplier_days;
            csv_estimate(
                out,
                "(all policies)",
                "(all suppliers)",
                "disrupted_supplier_days",
                e,
            )?;
            if let Some(e) = &log.runs_with_events {
                csv_estimate(
                    out,
                    "(all policies)",
                    "(all disruptions)",
                    "runs_with_events",
                    e,
                )?;
            }
        }
        Ok(())
    }
}

impl Summary {
    /// The on-hand fans of every policy: one row per policy, item (`(all items)` for the
    /// policy's fan, first) and sampled day, for the items with a fan of their own.
    pub fn on_hand_csv(&self) -> String {
        text_of(|out| self.write_on_hand_csv(out))
    }

    /// Write on_hand.csv, the text of [`Self::on_hand_csv`], to `out`.
    pub fn write_on_hand_csv(&self, out: &mut dyn Write) -> io::Result<()> {
        // A dated scenario names each day's date beside its number.
        let dates = self.start_date;
        out.write_all(if dates.is_some() {
            b"policy,item,day,date,measure,p05,p25,p50,p75,p95\n"
        } else {
            b"policy,item,day,measure,p05,p25,p50,p75,p95\n"
        })?;
        for p in &self.policies {
            let items = p
                .items
                .iter()
                .filter_map(|i| Some((i.item.as_str(), i.on_hand_fan.as_ref()?)));
            for (item, f) in std::iter::once(("(all items)", &p.on_hand_fan)).chain(items) {
                for (k, day) in f.day.iter().enumerate() {
                    let date = dates
                        .map_or_else(String::new, |start| format!(",{}", start.plus(*day as i64)));
                    writeln!(
                        out,
                        "{},{},{day}{date},{},{},{},{},{},{}",
                        csv_field(&p.policy),
                        csv_field(item),
                        f.measure,
                        f.p05[k],
                        f.p25[k],
                        f.p50[k],
                        f.p75[k],
                        f.p95[k]
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// What the `item` column of summary.csv holds for a supplier's or a budget's rows:
/// `supplier:ID`, `budget:ID`.
pub(crate) fn csv_scope(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

fn csv_estimate(
    out: &mut dyn Write,
    policy: &str,
    item: &str,
    metric: &str,
    e: &Estimate,
) -> io::Result<()> {
    writeln!(
        out,
        "{},{},{},{},{},{},{},{},{}",
        csv_field(policy),
        csv_field(item),
        metric,
        e.n,
        e.mean,
        csv_interval(e.ci95),
        e.p05,
        e.p50,
        e.p95
    )
}
