//! Scenarios: reading a scenario file and turning it into validated, ready-to-simulate values.
//!
//! Two layers, as in ripgrep's argument handling: `model::raw` holds the file's shape (serde denies
//! unknown fields and reports them with their line), and [`Scenario`] holds values that have
//! passed every range and cross-field rule. All problems of the second layer are collected and
//! reported together, each with its field path and, for TOML files, its line.

pub(crate) mod error;
mod level_plans;
mod lines;
mod syntax;
mod trace;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use crate::model::raw::UnmetDemand;
pub use error::{Problem, ScenarioError};

use crate::foundation::date::{Calendar, Date};
use crate::foundation::days::{DayDistribution, DaysSpec};
use crate::foundation::text::{TextError, read_text};
use crate::model::budget::{Budget, BudgetPeriod, WhenExceeded};
use crate::model::demand::{DemandDistribution, DemandModel, Units};
use crate::model::disruption::{Disruption, Effect, Factor, Kind, Occurrence};
use indexmap::IndexMap;

use crate::model::levels;
use crate::model::limits::{
    CARRYING_RATE, DAYS, Limit, MEAN_SPELL_DAYS, MONEY, MULTIPLIER, OBSOLESCENCE_RATE,
    POSITIVE_MULTIPLIER, POSITIVE_QUANTITY, POSITIVE_VALUE, PREMIUM_RATE, QUANTITY, SHARE,
    SHARE_OR_NONE, TREND, UNIT_COST, shown,
};
use crate::model::metric::{METRICS, Metric};
use crate::model::policy::{self, Expedite, ItemContext, ItemPolicy, OrderRule, Policy};
use crate::model::raw::{
    RawBudget, RawDay, RawDays, RawDemand, RawEffect, RawFactor, RawItem, RawOccurrence, RawResize,
    RawRule, RawScenario, RawSimulation, RawSupplier, RawUnits,
};
use crate::model::resize::{self, PeriodLevels, Resize, ResizeEvery};
use crate::model::supply::{Allocation, MAX_LINKS, OrderDays, Supplier};
use crate::model::target::Target;
use level_plans::PlanDays;
use lines::Fields;

/// Most runs a scenario or a command may ask for: a billion simulated years is far past any
/// precision a planner needs, and keeps run counts and their sums exact in every counter.
pub const MAX_RUNS: u64 = 1_000_000_000;

/// A scenario whose every value has been checked.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Title shown in outputs: `simulation.name`, or the file name without its extension.
    pub name: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// Days simulated per run, warm-up included.
    pub horizon_days: u32,
    /// First days of every run left out of every metric, while the pipeline fills; shorter
    /// than the horizon.
    pub warmup_days: u32,
    /// Number of runs (possible years) to simulate.
    pub runs: u64,
    /// Master seed every run's random streams are derived from: same scenario and seed, same
    /// results.
    pub seed: u64,
    /// Day of the year (0 = 1 January) on which day 0 of every run falls: given, or the day of
    /// the year of `start_date` (a 29 February counting as 28 February).
    pub start_day_of_year: u32,
    /// The date of day 0 of every run (`simulation.start_date`), when the scenario gives one:
    /// then every day has a date, and weekdays, months and seasons are the calendar's.
    pub start_date: Option<Date>,
    /// Whether demand that cannot be served from stock is lost or backordered.
    pub unmet_demand: UnmetDemand,
    /// The folder `simulation.results` names for the scenario's results, relative to the
    /// scenario file, resolved against its folder; `None` for the default, `results/<stem>/`
    /// ([`Scenario::results_dir`]).
    pub results: Option<PathBuf>,
    /// What money is counted in (`simulation.currency`, e.g. "EUR"), for labels only: every
    /// cost and value is in it. `None` when the scenario does not say.
    pub currency: Option<String>,
    /// What the planner requires of the policies (`[targets]`), on the mean over runs of a
    /// metric of all items together, in file order.
    pub targets: Vec<Target>,
    /// The suppliers, in file order; items and disruptions refer to them by index.
    pub suppliers: Vec<Supplier>,
    /// Purchase budgets (`[[budget]]`), in file order.
    pub budgets: Vec<Budget>,
    /// The items, in file order; at least one.
    pub items: Vec<Item>,
    /// The disruptions, in file order.
    pub disruptions: Vec<Disruption>,
    /// The policies to compare, in file order, each sized for every item; at least one.
    pub policies: Vec<Policy>,
}

/// A validated item.
#[derive(Clone, Debug)]
pub struct Item {
    /// The item's unique name in the scenario.
    pub id: String,
    /// Value of one unit (money, > 0): prices the stock on hand and expediting, and weights
    /// ratios such as the fill rate when items are added together.
    pub unit_cost: f64,
    /// Carrying cost per year as a fraction of unit value.
    pub carrying_rate: f64,
    /// Cost per order line (an order split over two suppliers is two lines).
    pub order_cost: f64,
    /// Cost per unit not served from stock when demanded (lost or backordered).
    pub stockout_penalty: f64,
    /// Kanban container quantity, in units; also the min-max order quantity when a rule gives
    /// none.
    pub container_size: Option<f64>,
    pub(crate) initial_on_hand: Option<f64>,
    /// Mean daily demand the planner expects in each calendar month, January first
    /// (`forecast_per_month`): what rules re-sized by period are sized for, in place of the
    /// demand model's seasonality and trend. The simulation still draws demand from the model,
    /// so a forecast that misses shows what the miss costs.
    pub forecast_per_month: Option<[f64; 12]>,
    /// Days a unit can be used after the day it is received (`shelf_life_days`): a unit
    /// received on day r may be issued on days r … r + life − 1 and is written off at the
    /// start of day r + life. `None`: stock never expires.
    pub shelf_life_days: Option<u32>,
    /// Share of its value that stock on hand loses in a year (`obsolescence_rate`): it goes
    /// out of style or is superseded. Priced like carrying, on the average stock on hand.
    pub obsolescence_rate: f64,
    /// Daily demand: distribution, seasonality and trend.
    pub demand: DemandModel,
    /// The suppliers the item is bought from and each one's share of every order; under a
    /// failover, the primary (share 1) then the backup (share 0).
    pub sourcing: Vec<Source>,
    /// Primary-with-failover: orders go to `sourcing[0]` until it has shipped nothing for this
    /// many days in a row, then to `sourcing[1]`.
    pub(crate) failover_after_days: Option<u32>,
}

/// One supplier an item is bought from and the share of each order it gets.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Source {
    /// Index of the supplier in [`Scenario::suppliers`].
    pub supplier: usize,
    /// Share (0–1) of each order placed with it; the shares of an item add up to 1.
    pub share: f64,
}

impl Item {
    /// Whether `disruption` can reach this item, number `index` of the scenario: through one
    /// of its suppliers, or through its demand.
    pub(crate) fn is_reached_by(&self, index: usize, disruption: &Disruption) -> bool {
        match &disruption.effect {
            Effect::DemandSurge { items, .. } => items.contains(&index),
            Effect::Capacity { suppliers, .. }
            | Effect::TransportDelay { suppliers, .. }
            | Effect::LeadTimeDrift { suppliers, .. }
            | Effect::QualityRejection { suppliers, .. } => self
                .sourcing
                .iter()
                .any(|s| suppliers.contains(&s.supplier)),
        }
    }

    pub(crate) fn whole_units(&self) -> bool {
        self.demand.units == Units::Whole
    }

    /// Mean and standard deviation of the lead time an order of this item sees, over its
    /// suppliers weighted by share.
    pub(crate) fn lead_time_moments(&self, suppliers: &[Supplier]) -> (f64, f64) {
        let mean: f64 = self
            .sourcing
            .iter()
            .map(|s| s.share * suppliers[s.supplier].lead_time_mean())
            .sum();
        let second: f64 = self
            .sourcing
            .iter()
            .map(|s| {
                let sup = &suppliers[s.supplier];
                s.share * (sup.lead_time_variance() + sup.lead_time_mean().powi(2))
            })
            .sum();
        (mean, (second - mean * mean).max(0.0).sqrt())
    }
}

impl Scenario {
    /// Read and validate a scenario file (`.toml`, or `.json` with the same structure).
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let source = Scenario::read_source(path)?;
        Scenario::from_source(&source, path)
    }

    /// The text of a scenario file; a file that is not text (a spreadsheet given by mistake)
    /// is named as such.
    pub fn read_source(path: &Path) -> Result<String, ScenarioError> {
        read_text(path).map_err(|e| match e {
            TextError::Io(cause) => ScenarioError::Read {
                path: path.to_path_buf(),
                cause,
            },
            TextError::NotText(what) => ScenarioError::NotText {
                path: path.to_path_buf(),
                what: what.to_string(),
            },
        })
    }

    /// Validate the text of a scenario as if read from `path` (which decides the format by
    /// its extension, names the scenario in messages and anchors relative trace files).
    /// Analyses that change a parameter go through here, so a changed scenario is checked
    /// exactly like a file.
    pub fn from_source(source: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        // JSON is indexed first, for its keys given twice (serde_json keeps the last without
        // a word; TOML refuses them as it parses); TOML only when a problem needs a line.
        let json_fields = if is_json { Fields::json(source) } else { None };
        if let Some(fields) = &json_fields
            && !fields.duplicates.is_empty()
        {
            return Err(ScenarioError::Invalid {
                path: path.to_path_buf(),
                problems: fields.duplicates.iter().map(duplicate_problem).collect(),
            });
        }
        let raw: RawScenario = if is_json {
            serde_json::from_str(source).map_err(|e| ScenarioError::Syntax {
                path: path.to_path_buf(),
                message: syntax::json_message(&e, source, json_fields.as_ref()),
                line: (e.line() > 0).then_some(e.line()),
            })?
        } else {
            toml::from_str(source).map_err(|e| ScenarioError::Syntax {
                path: path.to_path_buf(),
                message: syntax::toml_message(&e, source),
                line: e
                    .span()
                    .and_then(|span| source.get(..span.start))
                    .map(|before| before.matches('\n').count() + 1),
            })?
        };
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Validator::new(base_dir)
            .scenario(raw, path)
            .map_err(|mut problems| {
                let fields = json_fields.or_else(|| Fields::toml(source));
                if let Some(fields) = fields {
                    for p in &mut problems {
                        p.line = fields.line_of(source, &p.field);
                    }
                }
                ScenarioError::Invalid {
                    path: path.to_path_buf(),
                    problems,
                }
            })
    }

    /// Where the scenario's results go unless `--out` says otherwise: the folder its
    /// `simulation.results` names, or `results/<file stem>/` (from the working folder).
    /// `profile` writes `results = "."` into the scenarios it makes, so that their results go
    /// beside the profile rather than into one `results/scenario/` shared by every profile.
    pub fn results_dir(&self) -> PathBuf {
        self.results
            .clone()
            .unwrap_or_else(|| Path::new("results").join(self.stem()))
    }

    /// The file name without its extension: where results go by default.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    }

    /// Where the days of a run fall in the year.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.start_date, self.start_day_of_year)
    }

    /// Days over which metrics are measured (the horizon less the warm-up).
    pub(crate) fn measured_days(&self) -> u32 {
        self.horizon_days - self.warmup_days
    }
}

/// A date as a scenario writes it: `YYYY-MM-DD`, and nothing more (no time of day).
fn parse_date(text: &str) -> Option<Date> {
    (text.trim().len() == 10)
        .then(|| Date::parse(text))
        .flatten()
}

/// A key given twice in one JSON object, as a problem of the scenario.
fn duplicate_problem(d: &lines::Duplicate) -> Problem {
    let key = d.path.rsplit('.').next().unwrap_or(&d.path);
    Problem {
        field: d.path.clone(),
        line: Some(d.lines.1),
        message: format!(
            "'{key}' is given twice in the same object (lines {} and {}); JSON readers keep \
             only the last, silently: give each its own name, or remove one",
            d.lines.0, d.lines.1
        ),
    }
}

/// Collects problems while turning raw values into validated ones.
struct Validator<'a> {
    base_dir: &'a Path,
    problems: Vec<Problem>,
    /// `simulation.start_date`, once read: what dates elsewhere in the file are counted from.
    start_date: Option<Date>,
}

impl<'a> Validator<'a> {
    fn new(base_dir: &'a Path) -> Self {
        Validator {
            base_dir,
            problems: Vec::new(),
            start_date: None,
        }
    }

    fn report(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            field: field.into(),
            line: None,
            message: message.into(),
        });
    }

    /// Reports `value` unless `limit` allows it; returns it either way, since nothing is
    /// simulated once a problem has been found.
    fn within(&mut self, field: &str, value: f64, limit: &Limit) -> f64 {
        if let Err(message) = limit.check(value) {
            self.report(field, message);
        }
        value
    }

    fn probability(&mut self, field: &str, value: f64) -> f64 {
        if !(0.0..=1.0).contains(&value) {
            self.report(
                field,
                format!(
                    "must be a probability between 0 and 1 (got {})",
                    shown(value)
                ),
            );
        }
        value
    }

    fn whole_in(
        &mut self,
        field: &str,
        value: i64,
        range: std::ops::RangeInclusive<i64>,
        hint: &str,
    ) -> u32 {
        if !range.contains(&value) {
            self.report(
                field,
                format!(
                    "must be a whole number from {} to {} (got {value}){hint}",
                    range.start(),
                    range.end()
                ),
            );
            return *range.start() as u32;
        }
        value as u32
    }

    /// Where day 0 falls: `start_date` (which gives every later date too) or
    /// `start_day_of_year`, not both. Returns the day of the year and keeps the date for the
    /// dates given elsewhere in the file.
    fn start(&mut self, sim: &RawSimulation) -> u32 {
        let date = sim.start_date.as_ref().and_then(|raw| {
            let text = match raw {
                RawDay::Date(text) => text,
                RawDay::Number(n) => {
                    self.report(
                        "simulation.start_date",
                        format!(
                            "must be a date, the date of day 0 of every run, e.g. \
                             start_date = 2027-01-04 (got {n}); a day of the year is \
                             start_day_of_year"
                        ),
                    );
                    return None;
                }
            };
            let date = parse_date(text);
            if date.is_none() {
                self.report(
                    "simulation.start_date",
                    format!(
                        "must be a date YYYY-MM-DD, e.g. start_date = 2027-01-04 (got {text:?})"
                    ),
                );
            }
            date
        });
        self.start_date = date;
        match (date, sim.start_day_of_year) {
            (Some(date), Some(_)) => {
                self.report(
                    "simulation.start_day_of_year",
                    format!(
                        "give start_date or start_day_of_year, not both: start_date ({date}) \
                         already places day 0 on day {} of the year; remove start_day_of_year",
                        date.day_of_year_365()
                    ),
                );
                date.day_of_year_365()
            }
            (Some(date), None) => date.day_of_year_365(),
            (None, given) => self.whole_in(
                "simulation.start_day_of_year",
                given.unwrap_or(0),
                0..=364,
                " (0 = 1 January)",
            ),
        }
    }

    /// The day of the run (days since `start_date`, possibly negative or past the horizon) of
    /// a date given at `field`, with the date; `None`, reported, when the text is not a date
    /// or the scenario has no start date to count it from.
    fn date_in_run(&mut self, field: &str, text: &str) -> Option<(Date, i64)> {
        let Some(date) = parse_date(text) else {
            self.report(
                field,
                format!(
                    "must be a day number or a date YYYY-MM-DD, e.g. 2027-09-15 (got {text:?})"
                ),
            );
            return None;
        };
        let Some(start) = self.start_date else {
            self.report(
                field,
                format!(
                    "is a date ({date}), but the scenario has no start date to count it from: \
                     add start_date = 2027-01-04 (the date of day 0) under [simulation], or \
                     give a day number"
                ),
            );
            return None;
        };
        Some((date, date.days_since(start)))
    }

    /// The dates of a run of `horizon` days, for messages: "2027-01-04 to 2027-12-31".
    fn horizon_dates(&self, horizon: u32) -> String {
        match self.start_date {
            Some(start) => format!("{start} to {}", start.plus(i64::from(horizon.max(1)) - 1)),
            None => String::new(),
        }
    }

    fn scenario(mut self, raw: RawScenario, path: &Path) -> Result<Scenario, Vec<Problem>> {
        let sim = &raw.simulation;
        let horizon = self.whole_in(
            "simulation.horizon_days",
            sim.horizon_days,
            1..=36_500,
            "; e.g. 365",
        );
        let warmup = self.whole_in("simulation.warmup_days", sim.warmup_days, 0..=36_499, "");
        if sim.warmup_days >= sim.horizon_days && sim.horizon_days >= 1 {
            self.report(
                "simulation.warmup_days",
                format!(
                    "must be shorter than horizon_days ({}) (got {})",
                    sim.horizon_days, sim.warmup_days
                ),
            );
        }
        let runs = self.whole_in(
            "simulation.runs",
            sim.runs,
            1..=MAX_RUNS as i64,
            "; e.g. runs = 10000",
        );
        let start_day = self.start(sim);
        let results = sim
            .results
            .as_deref()
            .and_then(|folder| self.results_folder(folder));
        let currency = sim.currency.as_deref().and_then(|c| self.currency(c));
        let targets = self.targets(&raw.targets);

        let mut suppliers = self.suppliers(&raw.suppliers);
        let supplier_index: HashMap<&str, usize> = raw
            .suppliers
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let items = self.items(&raw.items, &supplier_index, horizon);
        self.supplier_items(&raw.suppliers, &items, &mut suppliers);
        let budgets = self.budgets(&raw.budgets, &supplier_index);
        // Checks against the horizon are left out when the horizon itself is refused.
        let known_horizon = (1..=36_500).contains(&sim.horizon_days).then_some(horizon);
        let disruptions = self.disruptions(&raw, &supplier_index, &items, known_horizon);

        if !self.problems.is_empty() {
            // Rules cannot be sized for items that are not valid, but their own numbers can
            // be checked, so that they are reported with the rest.
            for (name, p) in &raw.policies {
                self.rule_numbers(&format!("policy.{name}.rule"), &p.rule);
                for (id, rule) in &p.items {
                    self.rule_numbers(&format!("policy.{name}.items.{id}"), rule);
                }
            }
            return Err(self.problems);
        }
        let calendar = Calendar::new(self.start_date, start_day);
        let policies = self.policies(&raw, &items, &suppliers, horizon, calendar);
        if !self.problems.is_empty() {
            return Err(self.problems);
        }
        let name = sim.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
        });
        Ok(Scenario {
            name,
            path: path.to_path_buf(),
            horizon_days: horizon,
            warmup_days: warmup,
            runs: u64::from(runs),
            seed: sim.seed,
            start_day_of_year: start_day,
            start_date: self.start_date,
            unmet_demand: sim.unmet_demand,
            results,
            currency,
            targets,
            suppliers,
            budgets,
            items,
            disruptions,
            policies,
        })
    }

    /// `simulation.results`: a folder, relative to the scenario file's folder (an absolute
    /// path is taken as it is), with `.` and `..` steps resolved in the text, so that
    /// `results = "."` names the scenario's own folder as `results/acme`, not
    /// `results/acme/.`.
    fn results_folder(&mut self, folder: &str) -> Option<PathBuf> {
        if folder.trim().is_empty() || folder.chars().any(char::is_control) {
            self.report(
                "simulation.results",
                format!(
                    "must name a folder for the results, relative to the scenario file, e.g. \
                     results = \".\" (beside it) or results = \"results/peak\" (got {folder:?})"
                ),
            );
            return None;
        }
        let mut resolved = PathBuf::new();
        for part in self.base_dir.join(folder).components() {
            match part {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir
                    if matches!(
                        resolved.components().next_back(),
                        Some(std::path::Component::Normal(_))
                    ) =>
                {
                    resolved.pop();
                }
                other => resolved.push(other),
            }
        }
        if resolved.as_os_str().is_empty() {
            resolved.push(".");
        }
        Some(resolved)
    }

    /// `simulation.currency`: a short name or symbol for labels ("EUR", "USD", "€").
    fn currency(&mut self, currency: &str) -> Option<String> {
        let trimmed = currency.trim();
        if trimmed.is_empty()
            || trimmed.chars().count() > 12
            || trimmed.chars().any(char::is_control)
        {
            self.report(
                "simulation.currency",
                format!(
                    "must name what costs are counted in, in 1 to 12 characters, e.g. currency = \
                     \"EUR\" or currency = \"$\" (got {currency:?})"
                ),
            );
            return None;
        }
        Some(trimmed.to_string())
    }

    /// `[targets]`: per metric, a condition on its mean over runs (all items together), e.g.
    /// `stockout_rate = "<= 2%"` or `fill_rate = ">= 98%"`.
    fn targets(&mut self, raw: &IndexMap<String, String>) -> Vec<Target> {
        let mut targets = Vec::new();
        for (metric, condition) in raw {
            let field = format!("targets.{metric}");
            if Metric::from_name(metric).is_none() {
                let names: Vec<&str> = METRICS.iter().map(|m| m.name()).collect();
                self.report(
                    field,
                    format!(
                        "'{metric}' is not a metric; a target names one of: {}",
                        names.join(", ")
                    ),
                );
                continue;
            }
            let condition = condition.trim();
            if !(condition.starts_with('<') || condition.starts_with('>')) {
                self.report(
                    field,
                    format!(
                        "must be a condition on the mean over runs, '<= VALUE' or '>= VALUE', \
                         e.g. {metric} = \"<= 2%\" (got {condition:?})"
                    ),
                );
                continue;
            }
            match Target::parse(&format!("{metric} {condition}")) {
                Ok(target) => targets.push(target),
                Err(message) => self.report(field, message),
            }
        }
        targets
    }

    fn unique_ids<'r>(&mut self, kind: &str, ids: impl Iterator<Item = &'r str>) {
        let mut seen = HashMap::new();
        for (i, id) in ids.enumerate() {
            if id.trim().is_empty() {
                self.report(format!("{kind}[{i}].id"), "must not be empty");
            } else if let Some(first) = seen.insert(id, i) {
                self.report(
                    format!("{kind}[{i}].id"),
                    format!("'{id}' is already used by {kind}[{first}]"),
                );
            }
        }
    }

    fn suppliers(&mut self, raw: &[RawSupplier]) -> Vec<Supplier> {
        self.unique_ids("supplier", raw.iter().map(|s| s.id.as_str()));
        raw.iter()
            .enumerate()
            .map(|(i, s)| self.supplier(&format!("supplier[{i}]"), s))
            .collect()
    }

    fn supplier(&mut self, at: &str, s: &RawSupplier) -> Supplier {
        let lead_time = self.days(&format!("{at}.lead_time"), &s.lead_time, 1);
        let on_time = self.probability(&format!("{at}.on_time_probability"), s.on_time_probability);
        let lateness = match (&s.lateness, on_time < 1.0) {
            (Some(l), _) => Some(self.days(&format!("{at}.lateness"), l, 1)),
            (None, true) => {
                self.report(
                    format!("{at}.lateness"),
                    "on_time_probability is below 1, so the lateness of late shipments is needed, \
                     e.g. lateness = { uniform = { min = 1, max = 5 } }",
                );
                None
            }
            (None, false) => None,
        };
        let capacity = match s.capacity_per_day {
            Some(c) => self.within(&format!("{at}.capacity_per_day"), c, &POSITIVE_QUANTITY),
            None => f64::INFINITY,
        };
        let moq = self.within(
            &format!("{at}.min_order_quantity"),
            s.min_order_quantity,
            &QUANTITY,
        );
        let multiple = match s.order_multiple {
            Some(m) => self.within(&format!("{at}.order_multiple"), m, &POSITIVE_QUANTITY),
            None => 0.0,
        };
        let rejection_probability = self.probability(
            &format!("{at}.rejection_probability"),
            s.rejection_probability,
        );
        let unit_cost_premium = self.within(
            &format!("{at}.unit_cost_premium"),
            s.unit_cost_premium,
            &MONEY,
        );
        let capacity_value = match s.capacity_value_per_day {
            Some(c) => {
                if s.capacity_per_day.is_some() {
                    self.report(
                        format!("{at}.capacity_value_per_day"),
                        "a supplier's capacity is in units (capacity_per_day) or in value \
                         (capacity_value_per_day), not both",
                    );
                }
                self.within(&format!("{at}.capacity_value_per_day"), c, &POSITIVE_VALUE)
            }
            None => f64::INFINITY,
        };
        let min_order_value =
            self.within(&format!("{at}.min_order_value"), s.min_order_value, &MONEY);
        let delivery_cost = self.within(&format!("{at}.delivery_cost"), s.delivery_cost, &MONEY);
        let order_days = self.order_days(at, s);
        Supplier {
            id: s.id.clone(),
            capacity_value_per_day: capacity_value,
            // Items are known later: `supplier_items` fills in priorities and guarantees.
            allocation: Allocation::Fifo,
            guaranteed: Vec::new(),
            min_order_value,
            order_days,
            delivery_cost,
            rejection_probability,
            unit_cost_premium,
            lead_time,
            on_time_probability: on_time,
            lateness: lateness.filter(|_| on_time < 1.0),
            capacity_per_day: capacity,
            min_order_quantity: moq,
            order_multiple: multiple,
            region: s.region.clone(),
        }
    }

    /// One end of a pre-build window (`field` of `at`): a day of the year as written, or the
    /// day of the year of a date, which must fall within the horizon (the `end`, which is not
    /// part of the window, may be the day after it), with that date's day of the run. `None`
    /// for a date that cannot be placed.
    fn window_end(
        &mut self,
        at: &str,
        field: &str,
        raw: &RawDay,
        horizon: u32,
        end: bool,
    ) -> Option<(Option<i64>, i64)> {
        let text = match raw {
            RawDay::Number(day) => return Some((None, *day)),
            RawDay::Date(text) => text,
        };
        let field = format!("{at}.{field}");
        let (date, day) = self.date_in_run(&field, text)?;
        let last = i64::from(horizon) - i64::from(!end);
        if !(0..=last).contains(&day) {
            self.report(
                &field,
                format!(
                    "the pre-build window's date {date} (day {day} of the run) is outside the \
                     horizon ({}, days 0 to {}): give a date within it, or lengthen horizon_days",
                    self.horizon_dates(horizon),
                    horizon - 1
                ),
            );
            return None;
        }
        Some((Some(day), i64::from(date.day_of_year_365())))
    }

    /// `order_days` (weekdays) or `order_cycle_days` (every R days), at most one of them.
    fn order_days(&mut self, at: &str, s: &RawSupplier) -> OrderDays {
        match (&s.order_days, s.order_cycle_days) {
            (Some(_), Some(_)) => {
                self.report(
                    format!("{at}.order_cycle_days"),
                    "a supplier takes orders on weekdays (order_days) or every R days \
                     (order_cycle_days), not both",
                );
                OrderDays::Every
            }
            (Some(names), None) => {
                let first_weekday = self.start_date.map_or(0, Date::weekday);
                let day0 = match self.start_date {
                    Some(date) => format!(
                        "day 0 of a run, {date}, is a {}",
                        OrderDays::WEEKDAY_NAMES[first_weekday]
                    ),
                    None => "day 0 of a run is a Monday".into(),
                };
                let mut open = [false; 7];
                for (k, name) in names.iter().enumerate() {
                    let key = name.trim().to_ascii_lowercase();
                    let day = (0..7).find(|&d| {
                        key == OrderDays::WEEKDAYS[d]
                            || key == OrderDays::WEEKDAY_NAMES[d].to_ascii_lowercase()
                    });
                    match day {
                        Some(d) => open[d] = true,
                        None => self.report(
                            format!("{at}.order_days[{k}]"),
                            format!(
                                "must be a weekday, one of {} ({day0}) (got {name:?})",
                                OrderDays::WEEKDAYS.join(", ")
                            ),
                        ),
                    }
                }
                if names.is_empty() {
                    self.report(
                        format!("{at}.order_days"),
                        "must name at least one weekday, e.g. order_days = [\"mon\", \"thu\"]",
                    );
                    return OrderDays::Every;
                }
                if open.iter().all(|&d| d) {
                    OrderDays::Every
                } else {
                    OrderDays::Weekdays {
                        open,
                        first_weekday: first_weekday as u8,
                    }
                }
            }
            (None, Some(every)) => {
                let every = self.whole_in(&format!("{at}.order_cycle_days"), every, 1..=3650, "");
                if every == 1 {
                    OrderDays::Every
                } else {
                    OrderDays::Cycle(every)
                }
            }
            (None, None) => OrderDays::Every,
        }
    }

    /// What a supplier says about the items bought from it: the allocation rule with its
    /// priority order, and the guaranteed shares of its capacity.
    fn supplier_items(&mut self, raw: &[RawSupplier], items: &[Item], suppliers: &mut [Supplier]) {
        let item_index: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.as_str(), i))
            .collect();
        for (j, (s, supplier)) in raw.iter().zip(suppliers.iter_mut()).enumerate() {
            let at = format!("supplier[{j}]");
            let buys = |i: usize| items[i].sourcing.iter().any(|src| src.supplier == j);
            let item_of = |this: &mut Self, field: String, id: &str| -> Option<usize> {
                match item_index.get(id) {
                    Some(&i) if buys(i) => Some(i),
                    Some(_) => {
                        this.report(
                            field,
                            format!("item '{id}' is not bought from supplier '{}'", s.id),
                        );
                        None
                    }
                    None => {
                        this.report(field, format!("'{id}' is not an item of the scenario"));
                        None
                    }
                }
            };
            let mut priority: Vec<usize> = Vec::new();
            for (k, id) in s.priority.iter().flatten().enumerate() {
                let field = format!("{at}.priority[{k}]");
                match item_of(self, field.clone(), id) {
                    // An item listed twice would be served twice over.
                    Some(i) if priority.contains(&i) => {
                        self.report(field, format!("item '{id}' is listed twice"));
                    }
                    Some(i) => priority.push(i),
                    None => {}
                }
            }
            supplier.allocation = match s.allocation.as_deref().map(str::trim) {
                None | Some("fifo") => Allocation::Fifo,
                Some("proportional") => Allocation::Proportional,
                Some("priority") => {
                    if s.priority.is_none() {
                        self.report(
                            format!("{at}.priority"),
                            "allocation = \"priority\" needs the items in order, most important \
                             first, e.g. priority = [\"gift-set\", \"ribbon\"]",
                        );
                    }
                    Allocation::Priority(priority)
                }
                Some(other) => {
                    self.report(
                        format!("{at}.allocation"),
                        format!(
                            "must be \"fifo\", \"proportional\" or \"priority\" (got {other:?})"
                        ),
                    );
                    Allocation::Fifo
                }
            };
            if s.priority.is_some() && !matches!(supplier.allocation, Allocation::Priority(_)) {
                self.report(
                    format!("{at}.priority"),
                    "an item order is only used by allocation = \"priority\"",
                );
            }
            let mut guaranteed = Vec::new();
            for (id, &share) in s.guaranteed_share.iter().flatten() {
                let field = format!("{at}.guaranteed_share.{id}");
                // Zero guarantees nothing: allowed, so that a sweep can start from it.
                let share = self.within(&field, share, &SHARE_OR_NONE);
                if let Some(i) = item_of(self, field, id)
                    && share > 0.0
                {
                    guaranteed.push((i, share));
                }
            }
            let total: f64 = guaranteed.iter().map(|(_, g)| g).sum();
            if total > 1.0 + 1e-9 {
                self.report(
                    format!("{at}.guaranteed_share"),
                    format!(
                        "the guaranteed shares add up to at most 1 (got {})",
                        shown(total)
                    ),
                );
            }
            if !guaranteed.is_empty()
                && supplier.capacity_per_day.is_infinite()
                && supplier.capacity_value_per_day.is_infinite()
            {
                self.report(
                    format!("{at}.guaranteed_share"),
                    "guarantees a share of a capacity: set capacity_per_day or \
                     capacity_value_per_day",
                );
            }
            supplier.guaranteed = guaranteed;
        }
    }

    /// `[[budget]]`: purchase budgets per week or month.
    fn budgets(&mut self, raw: &[RawBudget], supplier_index: &HashMap<&str, usize>) -> Vec<Budget> {
        self.unique_ids("budget", raw.iter().map(|b| b.id.as_str()));
        raw.iter()
            .enumerate()
            .map(|(k, b)| {
                let at = format!("budget[{k}]");
                let amount = self.within(&format!("{at}.amount"), b.amount, &POSITIVE_VALUE);
                let period = match b.period.trim() {
                    "week" => BudgetPeriod::Week,
                    "month" => BudgetPeriod::Month {
                        start_date: self.start_date,
                    },
                    other => {
                        self.report(
                            format!("{at}.period"),
                            format!("must be \"week\" or \"month\" (got {other:?})"),
                        );
                        BudgetPeriod::Week
                    }
                };
                let when_exceeded = match b.when_exceeded.trim() {
                    "wait" => WhenExceeded::Wait,
                    "trim" => WhenExceeded::Trim,
                    other => {
                        self.report(
                            format!("{at}.when_exceeded"),
                            format!(
                                "must be \"wait\" (the order waits until the budget allows it) \
                                 or \"trim\" (the order is cut to what is left) (got {other:?})"
                            ),
                        );
                        WhenExceeded::Wait
                    }
                };
                let suppliers = b.suppliers.as_ref().map(|ids| {
                    if ids.is_empty() {
                        self.report(
                            format!("{at}.suppliers"),
                            "must name at least one supplier; leave it out for a budget over the \
                             whole catalogue",
                        );
                    }
                    ids.iter()
                        .enumerate()
                        .filter_map(|(n, id)| match supplier_index.get(id.as_str()) {
                            Some(&j) => Some(j),
                            None => {
                                self.report(
                                    format!("{at}.suppliers[{n}]"),
                                    format!("'{id}' is not a supplier of the scenario"),
                                );
                                None
                            }
                        })
                        .collect()
                });
                Budget {
                    id: b.id.clone(),
                    amount,
                    period,
                    suppliers,
                    when_exceeded,
                }
            })
            .collect()
    }

    /// A whole-day distribution; `minimum` days is the smallest value allowed.
    fn days(&mut self, at: &str, raw: &RawDays, minimum: u32) -> DayDistribution {
        let min = i64::from(minimum);
        let spec = match raw {
            RawDays::Fixed(d) => {
                DaysSpec::Fixed(self.whole_in(&format!("{at}.fixed"), *d, min..=3650, ""))
            }
            RawDays::Uniform { min: lo, max: hi } => {
                let lo_v = self.whole_in(&format!("{at}.uniform.min"), *lo, min..=3650, "");
                let hi_v = self.whole_in(&format!("{at}.uniform.max"), *hi, min..=3650, "");
                if hi < lo {
                    self.report(
                        format!("{at}.uniform.max"),
                        format!("must be at least min ({lo}) (got {hi})"),
                    );
                }
                DaysSpec::Uniform {
                    min: lo_v,
                    max: hi_v.max(lo_v),
                }
            }
            RawDays::Triangular {
                min: lo,
                mode,
                max: hi,
            } => {
                if DAYS.check(*lo).is_err() {
                    self.within(&format!("{at}.triangular.min"), *lo, &DAYS);
                    return DayDistribution::new(&DaysSpec::Fixed(minimum), minimum);
                }
                if !(lo <= mode && mode <= hi && lo < hi && *hi <= 3650.0) {
                    self.report(
                        format!("{at}.triangular"),
                        format!(
                            "needs min ≤ mode ≤ max with min < max ≤ 3650 (got {}, {}, {})",
                            shown(*lo),
                            shown(*mode),
                            shown(*hi)
                        ),
                    );
                    return DayDistribution::new(&DaysSpec::Fixed(minimum), minimum);
                }
                DaysSpec::Triangular {
                    min: *lo,
                    mode: *mode,
                    max: *hi,
                }
            }
            RawDays::Lognormal { mean, sd } => {
                let mean_ok = *mean > 0.0 && *mean <= 3650.0;
                if !mean_ok {
                    self.report(
                        format!("{at}.lognormal.mean"),
                        format!("must be between 0 and 3650 days (got {})", shown(*mean)),
                    );
                }
                // Beyond 100 times the mean the spread of the logarithm overflows for tiny
                // means, and no lead time is that erratic: refuse rather than build a table
                // of nothing.
                let sd_ok = *sd >= 0.0 && *sd <= 3650.0 && (!mean_ok || *sd <= 100.0 * mean);
                if !sd_ok {
                    self.report(
                        format!("{at}.lognormal.sd"),
                        format!(
                            "must be zero or more, at most 3650 and at most 100 times the mean \
                             (got {} with mean {})",
                            shown(*sd),
                            shown(*mean)
                        ),
                    );
                }
                if !(mean_ok && sd_ok) {
                    return DayDistribution::new(&DaysSpec::Fixed(minimum), minimum);
                }
                DaysSpec::Lognormal {
                    mean: *mean,
                    sd: *sd,
                }
            }
            RawDays::Empirical(values) => {
                if values.is_empty() {
                    self.report(
                        format!("{at}.empirical"),
                        "needs at least one observed value",
                    );
                    return DayDistribution::new(&DaysSpec::Fixed(minimum), minimum);
                }
                let days = values
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| {
                        self.whole_in(&format!("{at}.empirical[{i}]"), v, min..=3650, "")
                    })
                    .collect();
                DaysSpec::Empirical(days)
            }
        };
        DayDistribution::new(&spec, minimum)
    }

    fn items(
        &mut self,
        raw: &[RawItem],
        suppliers: &HashMap<&str, usize>,
        horizon: u32,
    ) -> Vec<Item> {
        if raw.is_empty() {
            self.report("item", "the scenario needs at least one [[item]]");
        }
        self.unique_ids("item", raw.iter().map(|i| i.id.as_str()));
        raw.iter()
            .enumerate()
            .map(|(i, item)| self.item(&format!("item[{i}]"), item, suppliers, horizon))
            .collect()
    }

    fn item(
        &mut self,
        at: &str,
        raw: &RawItem,
        suppliers: &HashMap<&str, usize>,
        horizon: u32,
    ) -> Item {
        let units = match raw.units {
            RawUnits::Whole => Units::Whole,
            RawUnits::Continuous => Units::Continuous,
        };
        let distribution = self.demand(&format!("{at}.demand"), &raw.demand, units, horizon);
        let is_trace = matches!(distribution, DemandDistribution::Trace { .. });
        let seasonality = match &raw.seasonality {
            Some(_) if is_trace => {
                self.report(
                    format!("{at}.seasonality"),
                    "a trace is replayed as recorded: remove seasonality",
                );
                [1.0; 12]
            }
            Some(values) => self.seasonality(&format!("{at}.seasonality"), values),
            None => [1.0; 12],
        };
        if raw.trend_per_year != 0.0 && is_trace {
            self.report(
                format!("{at}.trend_per_year"),
                "a trace is replayed as recorded: remove the trend",
            );
        }
        let trend = self.within(&format!("{at}.trend_per_year"), raw.trend_per_year, &TREND);
        let end_level = 1.0 + trend * f64::from(horizon.saturating_sub(1)) / 365.0;
        if TREND.check(trend).is_ok() && end_level < 0.0 {
            self.report(
                format!("{at}.trend_per_year"),
                format!(
                    "takes demand below zero before the horizon ends (got {})",
                    raw.trend_per_year
                ),
            );
        }
        if let Some(size) = raw.container_size {
            self.within(&format!("{at}.container_size"), size, &POSITIVE_QUANTITY);
        }
        if let Some(initial) = raw.initial_on_hand {
            self.within(&format!("{at}.initial_on_hand"), initial, &QUANTITY);
        }
        Item {
            id: raw.id.clone(),
            unit_cost: self.within(&format!("{at}.unit_cost"), raw.unit_cost, &UNIT_COST),
            carrying_rate: self.within(
                &format!("{at}.carrying_rate"),
                raw.carrying_rate,
                &CARRYING_RATE,
            ),
            order_cost: self.within(&format!("{at}.order_cost"), raw.order_cost, &MONEY),
            stockout_penalty: self.within(
                &format!("{at}.stockout_penalty"),
                raw.stockout_penalty,
                &MONEY,
            ),
            container_size: raw.container_size,
            initial_on_hand: raw.initial_on_hand,
            forecast_per_month: raw
                .forecast_per_month
                .as_ref()
                .map(|values| self.forecast(&format!("{at}.forecast_per_month"), values)),
            shelf_life_days: raw
                .shelf_life_days
                .map(|days| self.whole_in(&format!("{at}.shelf_life_days"), days, 1..=3650, "")),
            obsolescence_rate: self.within(
                &format!("{at}.obsolescence_rate"),
                raw.obsolescence_rate,
                &OBSOLESCENCE_RATE,
            ),
            demand: DemandModel {
                distribution,
                seasonality,
                trend_per_year: raw.trend_per_year,
                units,
                start_date: self.start_date,
            },
            failover_after_days: raw.failover.as_ref().map(|f| {
                self.whole_in(
                    &format!("{at}.failover.after_days"),
                    f.after_days,
                    1..=3650,
                    "",
                )
            }),
            sourcing: self.sourcing(at, raw, suppliers),
        }
    }

    /// A forecast of mean daily demand for each calendar month, January first.
    fn forecast(&mut self, at: &str, values: &[f64]) -> [f64; 12] {
        let mut out = [0.0; 12];
        if values.len() != 12 {
            self.report(
                at,
                format!(
                    "needs 12 monthly mean daily demands, January first (got {})",
                    values.len()
                ),
            );
            return out;
        }
        for (i, &v) in values.iter().enumerate() {
            out[i] = self.within(&format!("{at}[{i}]"), v, &QUANTITY);
        }
        out
    }

    fn seasonality(&mut self, at: &str, values: &[f64]) -> [f64; 12] {
        let mut out = [1.0; 12];
        if values.len() != 12 {
            self.report(
                at,
                format!(
                    "needs 12 monthly multipliers, January first (got {})",
                    values.len()
                ),
            );
            return out;
        }
        for (i, &v) in values.iter().enumerate() {
            out[i] = self.within(&format!("{at}[{i}]"), v, &MULTIPLIER);
        }
        if out.iter().all(|&v| v == 0.0) {
            self.report(at, "multipliers must not all be zero");
        }
        out
    }

    fn demand(
        &mut self,
        at: &str,
        raw: &RawDemand,
        units: Units,
        horizon: u32,
    ) -> DemandDistribution {
        let whole = units == Units::Whole;
        match raw {
            RawDemand::Deterministic(v) => DemandDistribution::Deterministic {
                value: self.within(&format!("{at}.deterministic"), *v, &QUANTITY),
            },
            RawDemand::Normal { mean, sd } => DemandDistribution::Normal {
                mean: self.within(&format!("{at}.normal.mean"), *mean, &QUANTITY),
                sd: self.within(&format!("{at}.normal.sd"), *sd, &QUANTITY),
            },
            RawDemand::Poisson { mean } => DemandDistribution::Poisson {
                mean: self.within(&format!("{at}.poisson.mean"), *mean, &POSITIVE_QUANTITY),
            },
            RawDemand::NegativeBinomial { mean, sd } => {
                let mean_ok = POSITIVE_QUANTITY.check(*mean).is_ok();
                let sd_ok = QUANTITY.check(*sd).is_ok();
                self.within(
                    &format!("{at}.negative_binomial.mean"),
                    *mean,
                    &POSITIVE_QUANTITY,
                );
                self.within(&format!("{at}.negative_binomial.sd"), *sd, &QUANTITY);
                // Within these ranges the gamma mixing shape mean² / (sd² − mean) is at least
                // 10⁻¹² / 10²⁴, a positive number.
                if mean_ok && sd_ok && sd * sd <= *mean {
                    self.report(
                        format!("{at}.negative_binomial.sd"),
                        format!(
                            "must exceed sqrt(mean) = {:.4} (variance above the mean is what makes demand \
                             lumpy; use poisson when it is not) (got {sd})",
                            mean.sqrt()
                        ),
                    );
                }
                DemandDistribution::NegativeBinomial {
                    mean: *mean,
                    sd: *sd,
                }
            }
            RawDemand::Lognormal { mean, sd } => DemandDistribution::Lognormal {
                mean: self.within(&format!("{at}.lognormal.mean"), *mean, &POSITIVE_QUANTITY),
                sd: self.within(&format!("{at}.lognormal.sd"), *sd, &QUANTITY),
            },
            RawDemand::Uniform { min, max } => {
                let values = [("min", *min), ("max", *max)];
                if self.all_within(&format!("{at}.uniform"), &values, &QUANTITY) && max < min {
                    self.report(
                        format!("{at}.uniform.max"),
                        format!("must be at least min ({min}) (got {max})"),
                    );
                }
                if whole && (min.fract() != 0.0 || max.fract() != 0.0) {
                    self.report(
                        format!("{at}.uniform"),
                        "whole-unit items draw whole numbers: min and max must be whole (or set units = \"continuous\")",
                    );
                }
                DemandDistribution::Uniform {
                    min: *min,
                    max: *max,
                }
            }
            RawDemand::Empirical(values) => {
                if values.is_empty() {
                    self.report(
                        format!("{at}.empirical"),
                        "needs at least one observed daily value",
                    );
                }
                for (i, &v) in values.iter().enumerate() {
                    self.within(&format!("{at}.empirical[{i}]"), v, &QUANTITY);
                }
                DemandDistribution::Empirical {
                    values: values.clone(),
                }
            }
            RawDemand::Trace { file, column } => {
                match trace::read_column(&self.base_dir.join(file), column) {
                    Ok(values) if values.len() < horizon as usize => {
                        self.report(
                            format!("{at}.trace"),
                            format!(
                                "'{file}' column '{column}' has {} days of history, fewer than horizon_days ({horizon})",
                                values.len()
                            ),
                        );
                        DemandDistribution::Trace {
                            values: Arc::from(values),
                        }
                    }
                    Ok(values) => DemandDistribution::Trace {
                        values: Arc::from(values),
                    },
                    Err(message) => {
                        self.report(format!("{at}.trace"), message);
                        DemandDistribution::Trace {
                            values: Arc::from(Vec::new()),
                        }
                    }
                }
            }
        }
    }

    fn sourcing(
        &mut self,
        at: &str,
        raw: &RawItem,
        suppliers: &HashMap<&str, usize>,
    ) -> Vec<Source> {
        let lookup = |this: &mut Self, field: String, id: &str| match suppliers.get(id) {
            Some(&i) => Some(i),
            None => {
                let mut known: Vec<&str> = suppliers.keys().copied().collect();
                known.sort_unstable();
                this.report(
                    field,
                    format!("no supplier has id '{id}'; defined: {}", known.join(", ")),
                );
                None
            }
        };
        if let Some(f) = &raw.failover {
            if !raw.suppliers.is_empty() || !raw.sourcing.is_empty() {
                self.report(
                    format!("{at}.failover"),
                    "give failover, suppliers or sourcing, only one of them",
                );
                return Vec::new();
            }
            if f.primary == f.backup {
                self.report(
                    format!("{at}.failover.backup"),
                    "must differ from the primary",
                );
            }
            let primary = lookup(self, format!("{at}.failover.primary"), &f.primary);
            let backup = lookup(self, format!("{at}.failover.backup"), &f.backup);
            return match (primary, backup) {
                (Some(p), Some(b)) => vec![
                    Source {
                        supplier: p,
                        share: 1.0,
                    },
                    Source {
                        supplier: b,
                        share: 0.0,
                    },
                ],
                _ => Vec::new(),
            };
        }
        match (raw.suppliers.is_empty(), raw.sourcing.is_empty()) {
            (false, false) => {
                self.report(
                    format!("{at}.sourcing"),
                    "give suppliers (equal shares) or sourcing (with shares), not both",
                );
                Vec::new()
            }
            (false, true) => {
                let share = 1.0 / raw.suppliers.len() as f64;
                raw.suppliers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, id)| lookup(self, format!("{at}.suppliers[{i}]"), id))
                    .map(|supplier| Source { supplier, share })
                    .collect()
            }
            (true, false) => {
                let mut total = 0.0;
                let sources: Vec<Source> = raw
                    .sourcing
                    .iter()
                    .enumerate()
                    .filter_map(|(i, s)| {
                        let share =
                            self.within(&format!("{at}.sourcing[{i}].share"), s.share, &SHARE);
                        total += share;
                        lookup(self, format!("{at}.sourcing[{i}].supplier"), &s.supplier)
                            .map(|supplier| Source { supplier, share })
                    })
                    .collect();
                if (total - 1.0).abs() > 1e-6 {
                    self.report(
                        format!("{at}.sourcing"),
                        format!("shares must add up to 1 (got {total})"),
                    );
                }
                sources
            }
            _ if raw.suppliers.len().max(raw.sourcing.len()) > MAX_LINKS => {
                self.report(
                    format!("{at}.sourcing"),
                    format!("an item can be split over at most {MAX_LINKS} suppliers"),
                );
                Vec::new()
            }
            (true, true) if suppliers.len() == 1 => vec![Source {
                supplier: 0,
                share: 1.0,
            }],
            (true, true) => {
                self.report(
                    format!("{at}.suppliers"),
                    "the scenario has several suppliers: name the ones this item is bought from, e.g. suppliers = [\"acme\"]",
                );
                Vec::new()
            }
        }
    }

    fn disruptions(
        &mut self,
        raw: &RawScenario,
        suppliers: &HashMap<&str, usize>,
        items: &[Item],
        horizon: Option<u32>,
    ) -> Vec<Disruption> {
        self.unique_ids("disruption", raw.disruptions.iter().map(|d| d.id.as_str()));
        let mut out = Vec::new();
        for (i, d) in raw.disruptions.iter().enumerate() {
            let at = format!("disruption[{i}]");
            // Both halves are checked, so every problem is reported at once.
            let effect = self.effect(&format!("{at}.effect"), &d.effect, raw, suppliers, items);
            let occurrence = self.occurrence(&format!("{at}.occurrence"), &d.occurrence);
            if let (Occurrence::Scheduled { start_day, .. }, Some(horizon)) = (&occurrence, horizon)
                && *start_day >= horizon
            {
                let (on, dates, before) = match (self.start_date, &d.occurrence) {
                    (
                        Some(start),
                        RawOccurrence::Scheduled {
                            start_day: RawDay::Date(_),
                            ..
                        },
                    ) => (
                        format!("{} (day {start_day})", start.plus(i64::from(*start_day))),
                        format!(", {}", self.horizon_dates(horizon)),
                        start.plus(i64::from(horizon)).to_string(),
                    ),
                    _ => (
                        format!("day {start_day}"),
                        String::new(),
                        format!("day {horizon}"),
                    ),
                };
                self.report(
                    format!("{at}.occurrence.scheduled.start_day"),
                    format!(
                        "disruption '{}' starts on {on}, after the horizon of {horizon} \
                         days (days 0 to {}{dates}), so it would never happen: start it before \
                         {before} or lengthen horizon_days",
                        d.id,
                        horizon - 1
                    ),
                );
            }
            let Some((kind, effect)) = effect else {
                continue;
            };
            out.push(Disruption {
                id: d.id.clone(),
                kind,
                effect,
                occurrence,
            });
        }
        out
    }

    fn effect(
        &mut self,
        at: &str,
        raw: &RawEffect,
        scenario: &RawScenario,
        suppliers: &HashMap<&str, usize>,
        items: &[Item],
    ) -> Option<(Kind, Effect)> {
        let targets =
            |this: &mut Self, kind: &str, supplier: &Option<String>, region: &Option<String>| {
                this.supplier_targets(
                    &format!("{at}.{kind}"),
                    supplier.as_deref(),
                    region.as_deref(),
                    scenario,
                    suppliers,
                )
            };
        let (kind, effect) = match raw {
            RawEffect::SupplierOutage {
                supplier,
                region,
                cancel_orders,
            } => (
                Kind::SupplierOutage,
                Effect::Capacity {
                    suppliers: targets(self, "supplier_outage", supplier, region)?,
                    factor: 0.0,
                    cancel_orders: *cancel_orders,
                },
            ),
            RawEffect::CapacityCut {
                supplier,
                region,
                factor,
            } => {
                let suppliers = targets(self, "capacity_cut", supplier, region)?;
                if !(0.0..=1.0).contains(factor) {
                    self.report(
                        format!("{at}.capacity_cut.factor"),
                        format!(
                            "must be between 0 (nothing ships) and 1 (full capacity) (got {})",
                            shown(*factor)
                        ),
                    );
                }
                (
                    Kind::CapacityCut,
                    Effect::Capacity {
                        suppliers,
                        factor: *factor,
                        cancel_orders: false,
                    },
                )
            }
            RawEffect::RegionalEvent {
                region,
                capacity_factor,
                cancel_orders,
            } => {
                let suppliers = targets(self, "regional_event", &None, &Some(region.clone()))?;
                if !(0.0..=1.0).contains(capacity_factor) {
                    self.report(
                        format!("{at}.regional_event.capacity_factor"),
                        format!(
                            "must be between 0 (nothing ships) and 1 (got {})",
                            shown(*capacity_factor)
                        ),
                    );
                }
                let effect = Effect::Capacity {
                    suppliers,
                    factor: *capacity_factor,
                    cancel_orders: *cancel_orders,
                };
                (Kind::RegionalEvent, effect)
            }
            RawEffect::TransportDelay {
                supplier,
                region,
                extra_days,
            } => {
                let suppliers = targets(self, "transport_delay", supplier, region)?;
                let extra_days =
                    self.days(&format!("{at}.transport_delay.extra_days"), extra_days, 1);
                (
                    Kind::TransportDelay,
                    Effect::TransportDelay {
                        suppliers,
                        extra_days,
                    },
                )
            }
            RawEffect::LeadTimeDrift {
                supplier,
                region,
                factor,
            } => {
                let suppliers = targets(self, "lead_time_drift", supplier, region)?;
                self.within(
                    &format!("{at}.lead_time_drift.factor"),
                    *factor,
                    &POSITIVE_MULTIPLIER,
                );
                (
                    Kind::LeadTimeDrift,
                    Effect::LeadTimeDrift {
                        suppliers,
                        factor: *factor,
                    },
                )
            }
            RawEffect::QualityRejection {
                supplier,
                region,
                probability,
            } => {
                let suppliers = targets(self, "quality_rejection", supplier, region)?;
                let probability =
                    self.probability(&format!("{at}.quality_rejection.probability"), *probability);
                (
                    Kind::QualityRejection,
                    Effect::QualityRejection {
                        suppliers,
                        probability,
                    },
                )
            }
            RawEffect::DemandSurge { items: ids, factor } => {
                let targets: Vec<usize> = if ids.is_empty() {
                    (0..items.len()).collect()
                } else {
                    ids.iter()
                        .enumerate()
                        .filter_map(
                            |(k, id)| match items.iter().position(|item| &item.id == id) {
                                Some(index) => Some(index),
                                None => {
                                    self.report(
                                        format!("{at}.demand_surge.items[{k}]"),
                                        format!("no item has id '{id}'"),
                                    );
                                    None
                                }
                            },
                        )
                        .collect()
                };
                let factor = self.factor(&format!("{at}.demand_surge.factor"), factor);
                (
                    Kind::DemandSurge,
                    Effect::DemandSurge {
                        items: targets,
                        factor,
                    },
                )
            }
        };
        Some((kind, effect))
    }

    /// The suppliers a supplier-side effect hits: one by id, or all of a region.
    fn supplier_targets(
        &mut self,
        at: &str,
        supplier: Option<&str>,
        region: Option<&str>,
        scenario: &RawScenario,
        suppliers: &HashMap<&str, usize>,
    ) -> Option<Vec<usize>> {
        match (supplier, region) {
            (Some(id), None) => match suppliers.get(id) {
                Some(&j) => Some(vec![j]),
                None => {
                    self.report(
                        format!("{at}.supplier"),
                        format!("no supplier has id '{id}'"),
                    );
                    None
                }
            },
            (None, Some(region)) => {
                let hit: Vec<usize> = scenario
                    .suppliers
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.region.as_deref() == Some(region))
                    .map(|(j, _)| j)
                    .collect();
                if hit.is_empty() {
                    self.report(
                        format!("{at}.region"),
                        format!("no supplier is in region '{region}'"),
                    );
                    return None;
                }
                Some(hit)
            }
            _ => {
                self.report(at.to_string(), "name either a supplier or a region it hits");
                None
            }
        }
    }

    /// Whether every one of `values` (named fields of `at`) is within `limit`, each one out of
    /// it reported.
    fn all_within(&mut self, at: &str, values: &[(&str, f64)], limit: &Limit) -> bool {
        let mut ok = true;
        for &(field, value) in values {
            ok &= limit.check(value).is_ok();
            self.within(&format!("{at}.{field}"), value, limit);
        }
        ok
    }

    fn factor(&mut self, at: &str, raw: &RawFactor) -> Factor {
        match *raw {
            RawFactor::Fixed(f) => {
                Factor::Fixed(self.within(&format!("{at}.fixed"), f, &MULTIPLIER))
            }
            RawFactor::Uniform { min, max } => {
                let at = format!("{at}.uniform");
                if self.all_within(&at, &[("min", min), ("max", max)], &MULTIPLIER) && min > max {
                    self.report(at, format!("needs min ≤ max (got {min}, {max})"));
                }
                Factor::Uniform { min, max }
            }
            RawFactor::Triangular { min, mode, max } => {
                let values = [("min", min), ("mode", mode), ("max", max)];
                let at_form = format!("{at}.triangular");
                if self.all_within(&at_form, &values, &MULTIPLIER)
                    && !(min <= mode && mode <= max && min < max)
                {
                    self.report(
                        at_form,
                        format!("needs min ≤ mode ≤ max with min < max (got {min}, {mode}, {max})"),
                    );
                }
                Factor::Triangular { min, mode, max }
            }
        }
    }

    fn occurrence(&mut self, at: &str, raw: &RawOccurrence) -> Occurrence {
        match raw {
            RawOccurrence::Random {
                rate_per_year,
                duration_days,
            } => {
                if !(*rate_per_year > 0.0 && *rate_per_year <= 365.0) {
                    self.report(
                        format!("{at}.random.rate_per_year"),
                        format!(
                            "must be greater than 0 and at most 365 events a year (got {})",
                            shown(*rate_per_year)
                        ),
                    );
                }
                let duration = self.days(&format!("{at}.random.duration_days"), duration_days, 1);
                Occurrence::Random {
                    rate_per_year: *rate_per_year,
                    duration,
                }
            }
            RawOccurrence::Markov {
                daily_failure_probability,
                daily_recovery_probability,
                mean_days_up,
                mean_days_down,
            } => {
                let probabilities = (daily_failure_probability, daily_recovery_probability);
                let means = (mean_days_up, mean_days_down);
                let (fail, recover) = match (probabilities, means) {
                    ((Some(f), Some(r)), (None, None)) => (
                        self.probability(&format!("{at}.markov.daily_failure_probability"), *f),
                        self.probability(&format!("{at}.markov.daily_recovery_probability"), *r),
                    ),
                    ((None, None), (Some(up), Some(down))) => {
                        let values = [("mean_days_up", *up), ("mean_days_down", *down)];
                        self.all_within(&format!("{at}.markov"), &values, &MEAN_SPELL_DAYS);
                        (1.0 / up.max(1.0), 1.0 / down.max(1.0))
                    }
                    _ => {
                        self.report(
                            format!("{at}.markov"),
                            "give daily_failure_probability and daily_recovery_probability, \
                             or mean_days_up and mean_days_down",
                        );
                        (0.0, 1.0)
                    }
                };
                if recover == 0.0 {
                    self.report(
                        format!("{at}.markov.daily_recovery_probability"),
                        "must be greater than zero, or the outage never ends",
                    );
                }
                Occurrence::Markov { fail, recover }
            }
            RawOccurrence::Scheduled {
                start_day,
                duration_days,
                repeat_every_days,
            } => {
                let field = format!("{at}.scheduled.start_day");
                let start = match start_day {
                    RawDay::Number(day) => self.whole_in(
                        &field,
                        *day,
                        0..=36_500,
                        " (day 0 is the first simulated day)",
                    ),
                    RawDay::Date(text) => match self.date_in_run(&field, text) {
                        Some((date, day)) if day < 0 => {
                            self.report(
                                &field,
                                format!(
                                    "{date} is before start_date ({}), day 0 of every run: \
                                     start the disruption on or after it",
                                    date.plus(-day)
                                ),
                            );
                            0
                        }
                        Some((_, day)) => u32::try_from(day).unwrap_or(u32::MAX),
                        None => 0,
                    },
                };
                let duration = self.whole_in(
                    &format!("{at}.scheduled.duration_days"),
                    *duration_days,
                    1..=36_500,
                    "",
                );
                let repeat = repeat_every_days.map(|r| {
                    let r = self.whole_in(
                        &format!("{at}.scheduled.repeat_every_days"),
                        r,
                        1..=36_500,
                        "",
                    );
                    if r < duration {
                        self.report(
                            format!("{at}.scheduled.repeat_every_days"),
                            format!("must be at least duration_days ({duration}) (got {r})"),
                        );
                    }
                    r
                });
                Occurrence::Scheduled {
                    start_day: start,
                    duration_days: duration,
                    repeat_every_days: repeat,
                }
            }
        }
    }

    /// Reports the numbers of `rule` (at `at`) that are out of range; whether there were none.
    fn rule_numbers(&mut self, at: &str, rule: &RawRule) -> bool {
        let problems = policy::number_problems(rule);
        let ok = problems.is_empty();
        for pr in problems {
            self.report(format!("{at}.{}", pr.field), pr.message);
        }
        ok
    }

    fn policies(
        &mut self,
        raw: &RawScenario,
        items: &[Item],
        suppliers: &[Supplier],
        horizon: u32,
        calendar: Calendar,
    ) -> Vec<Policy> {
        if raw.policies.is_empty() {
            self.report(
                "policy",
                "the scenario needs at least one policy, e.g. [policy.kanban.rule.kanban] safety_factor = 0.2",
            );
        }
        let contexts: Vec<ItemContext> = items
            .iter()
            .map(|item| item_context(item, suppliers))
            .collect();
        let mut out = Vec::new();
        for (name, p) in &raw.policies {
            let at = format!("policy.{name}");
            for id in p.items.keys() {
                if !items.iter().any(|i| &i.id == id) {
                    self.report(format!("{at}.items.{id}"), format!("no item has id '{id}'"));
                }
            }
            let prebuilds = self.prebuilds((&at, name), &p.prebuild, items, horizon, calendar);
            let mut plans: HashMap<&str, PlanDays> = HashMap::new();
            for (id, entries) in &p.plan {
                let plan_at = format!("{at}.plan.{id}");
                if items.iter().any(|i| &i.id == id) {
                    plans.insert(id.as_str(), self.plan_days(plan_at, entries, horizon));
                } else {
                    self.report(plan_at, format!("no item has id '{id}'"));
                }
            }
            self.within(&format!("{at}.reserve_days"), p.reserve_days, &DAYS);
            let resize = p
                .resize
                .as_ref()
                .and_then(|r| self.resize(&format!("{at}.resize"), r))
                .map(|r| (r, r.periods(horizon, calendar)));
            let expedite = p.expedite.as_ref().map(|e| Expedite {
                lead_time_days: self.whole_in(
                    &format!("{at}.expedite.lead_time_days"),
                    e.lead_time_days,
                    1..=3650,
                    "",
                ),
                premium_rate: self.within(
                    &format!("{at}.expedite.premium_rate"),
                    e.premium_rate,
                    &PREMIUM_RATE,
                ),
                max_units_per_year: match e.max_units_per_year {
                    Some(cap) => self.within(
                        &format!("{at}.expedite.max_units_per_year"),
                        cap,
                        &POSITIVE_QUANTITY,
                    ),
                    None => f64::INFINITY,
                },
                mean_daily_demand: 0.0,
                cover_days: 1,
            });
            // A rule's own numbers are reported once, not once for every item following it.
            let rule_ok = self.rule_numbers(&format!("{at}.rule"), &p.rule);
            let overrides_ok: HashMap<&str, bool> = p
                .items
                .iter()
                .map(|(id, r)| {
                    (
                        id.as_str(),
                        self.rule_numbers(&format!("{at}.items.{id}"), r),
                    )
                })
                .collect();
            let mut cuts: Vec<u32> = plans.values().flat_map(|p| p.days.clone()).collect();
            cuts.sort_unstable();
            cuts.dedup();
            let periods = resize.as_ref().map_or(&[][..], |(_, p)| &p[..]);
            let segments = levels::level_segments(horizon, calendar, &prebuilds, periods, &cuts);
            let mut item_policies = Vec::new();
            for (index, (item, ctx)) in items.iter().zip(&contexts).enumerate() {
                let (rule_at, raw_rule, numbers_ok) = match p.items.get(&item.id) {
                    Some(r) => (
                        format!("{at}.items.{}", item.id),
                        r,
                        overrides_ok[item.id.as_str()],
                    ),
                    None => (format!("{at}.rule"), &p.rule, rule_ok),
                };
                if !numbers_ok {
                    continue;
                }
                if item.shelf_life_days.is_some() && p.reserve_days > 0.0 {
                    // A reserve held for emergencies would expire on the shelf unless it were
                    // rotated through daily stock, which is not modelled.
                    self.report(
                        format!("{at}.reserve_days"),
                        format!(
                            "item '{}' has a shelf life: a strategic reserve of stock that \
                             expires is not modelled; remove reserve_days or give the item \
                             no shelf_life_days",
                            item.id
                        ),
                    );
                }
                match policy::resolve(raw_rule, ctx) {
                    Ok((rule, mut sizing)) => {
                        let rule = if item.whole_units() {
                            rule.in_whole_units()
                        } else {
                            rule
                        };
                        let reserve = p.reserve_days * ctx.mean_daily_demand;
                        let peak = prebuilds.peak(index);
                        if let Some(message) = policy::excessive_levels(&rule, peak, reserve) {
                            self.report(rule_at.clone(), format!("item '{}': {message}", item.id));
                        }
                        let by_period = match &resize {
                            Some((r, periods)) => {
                                let (rules, levels) = self.resized(
                                    &rule_at,
                                    (item, ctx, raw_rule),
                                    (r, periods),
                                    calendar,
                                    peak,
                                    reserve,
                                );
                                sizing.by_period = levels;
                                rules
                            }
                            None => Vec::new(),
                        };
                        let planned = match plans.get(item.id.as_str()) {
                            Some(plan) => {
                                let (planned, levels) =
                                    self.planned(plan, (item, ctx, sizing.rule), horizon, reserve);
                                sizing.plan = levels;
                                planned
                            }
                            None => Vec::new(),
                        };
                        let by_segment = if prebuilds.names(index) || !planned.is_empty() {
                            policy::item_segment_rules(
                                &segments,
                                calendar,
                                &prebuilds,
                                index,
                                (&rule, &by_period, item.whole_units()),
                                &planned,
                            )
                        } else {
                            Vec::new()
                        };
                        // Stock at the start is the plan's target when it starts on day 0,
                        // else the first period's under a re-sizing policy, the year's
                        // otherwise.
                        let rule = by_period.first().copied().unwrap_or(rule);
                        let start_target = match planned.first() {
                            Some(p) if p.from_day == 0 => p.rule.target_stock(),
                            _ => rule.target_stock(),
                        };
                        item_policies.push(ItemPolicy {
                            by_period,
                            by_segment,
                            initial_on_hand: item.initial_on_hand.unwrap_or(start_target),
                            rule,
                            sizing,
                            reserve: if item.whole_units() {
                                (reserve - 1e-9).ceil().max(0.0)
                            } else {
                                reserve
                            },
                            expedite: expedite.map(|e| Expedite {
                                mean_daily_demand: ctx.mean_daily_demand,
                                cover_days: (ctx.lead_time_mean - 1e-9).ceil().max(1.0) as u32,
                                ..e
                            }),
                        })
                    }
                    Err(problems) => {
                        for pr in problems {
                            self.report(
                                format!("{rule_at}.{}", pr.field),
                                format!("item '{}': {}", item.id, pr.message),
                            );
                        }
                    }
                }
            }
            out.push(Policy {
                name: name.clone(),
                items: item_policies,
                segments,
                prebuilds,
                resize: resize.map(|(r, _)| r),
            });
        }
        out
    }

    /// A policy's `[resize]` table: calendar months or every N days, and the look-ahead.
    fn resize(&mut self, at: &str, raw: &RawResize) -> Option<Resize> {
        let every = match (&raw.every, raw.every_days) {
            (Some(every), None) if every == "month" => ResizeEvery::Month,
            (Some(every), None) => {
                self.report(
                    format!("{at}.every"),
                    format!("must be \"month\" (got \"{every}\"), or give every_days instead"),
                );
                return None;
            }
            (None, Some(days)) => {
                ResizeEvery::Days(self.whole_in(&format!("{at}.every_days"), days, 1..=3650, ""))
            }
            (Some(_), Some(_)) => {
                self.report(at, "give every = \"month\" or every_days, not both");
                return None;
            }
            (None, None) => {
                self.report(
                    at,
                    "give every = \"month\" (each calendar month) or every_days = N",
                );
                return None;
            }
        };
        Some(Resize {
            every,
            look_ahead: raw.look_ahead,
        })
    }

    /// An item's rule sized for each re-sizing period from the demand expected in it: the
    /// rules the engine runs (whole for an item in whole units) and their levels for reports.
    /// A period the rule cannot be sized for, or whose levels are too high, is reported.
    fn resized(
        &mut self,
        rule_at: &str,
        (item, annual, raw_rule): (&Item, &ItemContext, &RawRule),
        (resize, periods): (&Resize, &[(u32, u32)]),
        calendar: Calendar,
        peak: f64,
        reserve: f64,
    ) -> (Vec<OrderRule>, Vec<PeriodLevels>) {
        let mut rules = Vec::with_capacity(periods.len());
        let mut levels = Vec::with_capacity(periods.len());
        for &(start, end) in periods {
            let ctx = period_context(item, annual, (start, end), calendar, resize);
            let at = format!("item '{}', days {start}–{}", item.id, end - 1);
            match policy::resolve(raw_rule, &ctx) {
                Ok((rule, sizing)) => {
                    let rule = if item.whole_units() {
                        rule.in_whole_units()
                    } else {
                        rule
                    };
                    if let Some(message) = policy::excessive_levels(&rule, peak, reserve) {
                        self.report(rule_at, format!("{at}: {message}"));
                    }
                    rules.push(rule);
                    levels.push(sizing.period_levels(&rule, (start, end)));
                }
                Err(problems) => {
                    for pr in problems {
                        self.report(
                            format!("{rule_at}.{}", pr.field),
                            format!("{at}: {}", pr.message),
                        );
                    }
                    return (Vec::new(), Vec::new());
                }
            }
        }
        (rules, levels)
    }
}

/// The sizing context of `item` for the days `start..end` of the run: its annual context
/// `annual` with the mean daily demand expected over those days
/// ([`resize::expected_daily_demand`], one mean lead time later with a look-ahead) and its
/// spread scaled alike, as the year's follows the seasonality (see
/// [`DemandModel::annual_daily_sd`]).
fn period_context(
    item: &Item,
    annual: &ItemContext,
    days: (u32, u32),
    calendar: Calendar,
    resize: &Resize,
) -> ItemContext {
    let shift = if resize.look_ahead {
        annual.lead_time_mean.round().max(0.0) as u32
    } else {
        0
    };
    let mean = resize::expected_daily_demand(
        &item.demand,
        item.forecast_per_month.as_ref(),
        annual.mean_daily_demand,
        days,
        shift,
        calendar,
    );
    let demand_sd = if annual.mean_daily_demand > 0.0 {
        annual.demand_sd * mean / annual.mean_daily_demand
    } else {
        annual.demand_sd
    };
    ItemContext {
        mean_daily_demand: mean,
        demand_sd,
        ..annual.clone()
    }
}

fn item_context(item: &Item, suppliers: &[Supplier]) -> ItemContext {
    let (lead_time_mean, lead_time_sd) = item.lead_time_moments(suppliers);
    ItemContext {
        mean_daily_demand: item.demand.annual_daily_mean(),
        demand_sd: item.demand.annual_daily_sd(),
        lead_time_mean,
        lead_time_sd,
        unit_cost: item.unit_cost,
        carrying_rate: item.carrying_rate,
        order_cost: item.order_cost,
        container_size: item.container_size,
        whole_units: item.whole_units(),
        shelf_life_days: item.shelf_life_days,
    }
}
