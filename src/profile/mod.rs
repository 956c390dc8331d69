//! From history to scenario: item and supplier profiles, ABC-XYZ segmentation and a
//! recommended posture per item, written out as `profile.csv`, `suppliers.csv`, `profile.md`
//! and a runnable `scenario.toml`.
//!
//! The path, one module per step:
//! 1. `input` reads the CSV exports (`csv` is the reader), turning unreadable cells into
//!    errors that name file, line and column ([`InputError`]), and messy rows into `notes`;
//! 2. `series` lays each item's demand out on a grid of days or weeks;
//! 3. `demand_fit` measures demand (mean, CV, intermittency, seasonality, trend) and fits
//!    the simulator's demand models (`goodness` holds the fit measures);
//! 4. [`disruptions`] finds the stretches in which a supplier was late or shipped nothing, and
//!    `supplier_fit` measures delivery performance and fits lead-time models on the stable
//!    times outside them;
//! 5. [`surges`] finds the stretches in which an item's demand stood far above its normal
//!    level; the demand fit of step 3 is given the stable periods only;
//! 6. [`classify`] assigns ABC and XYZ classes and recommends a posture with its reasons, and
//!    [`qualify`] checks the JIT prerequisites of each item's suppliers;
//! 7. [`mod@write`] and [`scenario_out`] write the files.
//!
//! Method and thresholds are documented in README.md, "From history to scenario".

pub mod check;
pub mod classify;
pub(crate) mod csv;
pub use crate::foundation::date;
pub(crate) mod demand_fit;
pub mod disruptions;
pub mod drift;
pub(crate) mod goodness;
pub(crate) mod input;
pub(crate) mod notes;
pub mod qualify;
pub mod risk;
pub mod scenario_out;
pub(crate) mod series;
pub(crate) mod sheet;
pub(crate) mod supplier_fit;
pub mod surges;
pub mod synth;
pub mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::foundation::format::group_thousands;
use crate::results::files::Committed;

use classify::{Abc, AbcCuts, ItemFacts, Recommendation, Xyz, XyzCuts};
use date::Date;
use demand_fit::DemandProfile;
use disruptions::DisruptionHistory;
use input::{Criticality, Delivery, DemandHistory, ItemMaster};
use notes::{DataNote, Notes};
use risk::{ImpactFacts, SourceView, SupplyView};
use series::DemandSeries;
use supplier_fit::SupplierProfile;
use surges::SurgeHistory;

pub use csv::InputError;

/// Order cost per order line when the item master gives none.
pub(crate) const DEFAULT_ORDER_COST: f64 = 25.0;

/// Unit cost of an item whose cost no input gives (its ABC class is then by quantity).
pub(crate) const DEFAULT_UNIT_COST: f64 = 1.0;

/// Supplier id given to items without any known supplier.
pub const UNKNOWN_SUPPLIER: &str = "unknown-supplier";

/// The input files: ERP exports as CSV (README, "From history to scenario").
#[derive(Clone, Debug)]
pub struct InputFiles {
    /// Demand history: one row per item and date (or week) with the quantity demanded.
    pub demand: PathBuf,
    /// Delivery history: orders with ordered, promised and received dates, from which each
    /// supplier's lead times, on-time rate and rejections are measured; without it suppliers
    /// get default figures.
    pub deliveries: Option<PathBuf>,
    /// Item master: unit cost, criticality, suppliers, container size, shelf life and order
    /// cost per item; without it defaults are used (and noted).
    pub items: Option<PathBuf>,
}

/// Classification settings.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProfileOptions {
    /// ABC cut-offs on the share of annual value (default 80% / 15% / 5%).
    pub abc: AbcCuts,
    /// XYZ cut-offs on the coefficient of variation of demand (default 0.5 and 1.0).
    pub xyz: XyzCuts,
}

/// Everything learnt about one item.
#[derive(Clone, Debug)]
pub struct ItemProfile {
    /// The item's id, as in the demand file.
    pub item: String,
    /// First day of the item's history: the demand file's first date, or the item's own first
    /// row when it was introduced later (noted).
    pub start: Date,
    /// Demand statistics (mean, CV, intermittency, seasonality, trend) and the fitted model.
    pub demand: DemandProfile,
    pub(crate) whole_units: bool,
    /// Cost of one unit: from the item master, else the demand file, else 1 (the ABC class is
    /// then by quantity).
    pub unit_cost: f64,
    pub(crate) annual_value: f64,
    pub(crate) value_share: f64,
    /// Value share of the items ranked above this one.
    pub share_above: f64,
    /// Value class: A, B or C by share of annual value.
    pub abc: Abc,
    /// Variability class: X, Y or Z by the coefficient of variation of demand.
    pub xyz: Xyz,
    /// How much a stockout hurts (item master; medium when not given).
    pub criticality: Criticality,
    /// (supplier id, share of orders).
    pub sourcing: Vec<(String, f64)>,
    /// Units per container (kanban card or pack): from the item master, else half a day's
    /// mean demand rounded up to a round quantity.
    pub container_size: f64,
    /// Cost of placing one order line (item master; 25 when not given, a placeholder).
    pub order_cost: f64,
    /// Units returned (negative rows), not counted as demand.
    pub returned_units: f64,
    /// The item's supply as the posture sees it: its suppliers and their share-weighted
    /// on-time rate and lead time.
    pub supply: SupplyView,
    /// The recommended posture and rule, with the reasons for and against JIT.
    pub recommendation: Recommendation,
    /// The JIT prerequisites (on time, lead time, MOQ) and which fail.
    pub qualification: qualify::Qualification,
    /// Minimum order quantity from the item master.
    pub moq: Option<f64>,
}

/// The profile of a whole history.
#[derive(Clone, Debug)]
pub struct Profile {
    /// The files it was read from.
    pub files: InputFiles,
    /// The classification settings used.
    pub options: ProfileOptions,
    /// First and last date of the demand history.
    pub(crate) first_date: Date,
    pub(crate) last_date: Date,
    /// Every item of the demand file, sorted by id.
    pub items: Vec<ItemProfile>,
    /// Every supplier: those of the delivery file, sorted by id, then those items are bought
    /// from without any delivery history (default figures).
    pub suppliers: Vec<SupplierProfile>,
    /// The suppliers' disrupted stretches, left out of their figures and written into the
    /// scenario as disruptions.
    pub disruptions: DisruptionHistory,
    /// The items' demand surges, left out of their demand fits and written into the scenario
    /// as demand-surge disruptions.
    pub surges: SurgeHistory,
    /// What was noticed in the data and done about it (printed as warnings, listed in
    /// profile.md).
    pub notes: Vec<DataNote>,
    /// Against a previous profile, when one is given (`--previous`): which items changed
    /// class or posture since.
    pub drift: Option<drift::Drift>,
    /// The recommendation simulated against the blanket postures, when it was checked
    /// ([`check::check`]); the items' recommendations are as the check left them.
    pub check: Option<check::RecommendationCheck>,
}

impl Profile {
    /// Read the inputs and profile every item and supplier.
    pub fn from_files(files: &InputFiles, options: ProfileOptions) -> Result<Profile, InputError> {
        let files = &files.with_workbook_sheets();
        let mut notes = Notes::default();
        let history = input::read_demand(&files.demand, &mut notes)?;
        let known: HashSet<String> = history.rows.iter().map(|r| r.item.clone()).collect();
        let deliveries = match &files.deliveries {
            Some(path) => input::read_deliveries(path, &known, &mut notes)?,
            None => Vec::new(),
        };
        let master = match &files.items {
            Some(path) => input::read_items(path, &known, &mut notes)?,
            None => HashMap::new(),
        };
        let series = series::build(&history, &mut notes);
        // A scenario needs an item with demand: refuse rather than write one that cannot run.
        if series.iter().all(|s| s.values.iter().all(|&v| v == 0.0)) {
            return Err(InputError::Nothing {
                path: files.demand.clone(),
                what: "demand above zero: every quantity is 0, so the scenario would have no \
                       items; give a history with at least one item that was demanded"
                    .into(),
            });
        }
        // `read_demand` fails rather than return a history without rows.
        let first_date = history.rows.iter().map(|r| r.date).min().expect("rows");
        let last_date = history.rows.iter().map(|r| r.date).max().expect("rows");
        // Open orders are overdue against the last day either file has seen.
        let seen = deliveries
            .iter()
            .flat_map(|d| [Some(d.ordered_on), d.received_on])
            .flatten()
            .max()
            .map_or(last_date, |d| d.max(last_date));
        let disruptions = disruptions::detect(&deliveries, seen);
        let mut suppliers = supplier_fit::profile(&deliveries, &disruptions, seen);
        let ordered = units_ordered(&deliveries);
        let none = BTreeMap::new();
        let sourcing: Vec<Vec<(String, f64)>> = series
            .iter()
            .map(|s| {
                let units = ordered.get(s.item.as_str()).unwrap_or(&none);
                sourcing_of(&s.item, master.get(&s.item), units, &mut notes)
            })
            .collect();
        add_unobserved_suppliers(&mut suppliers, &sourcing, &mut notes);
        note_suppliers(&suppliers, &mut notes);
        note_coverage(
            &series,
            files.items.is_some().then_some(&master),
            &mut notes,
        );
        let (stable, surges) = stable_series(&series);
        let items = profile_items(
            &series,
            &stable,
            sourcing,
            &ItemSources {
                history: &history,
                master: &master,
                suppliers: &suppliers,
                disruptions: &disruptions,
            },
            options,
            &mut notes,
        );
        Ok(Profile {
            files: files.clone(),
            options,
            first_date,
            last_date,
            items,
            suppliers,
            disruptions,
            surges,
            notes: notes.finish(),
            drift: None,
            check: None,
        })
    }

    /// The day after the history ends, where a simulation of the scenario starts: the day after
    /// the last date, or after the last week when every item is weekly.
    pub(crate) fn scenario_start(&self) -> Date {
        let weekly = self.items.iter().all(|i| i.demand.stats.period_days == 7);
        self.last_date.plus(if weekly { 7 } else { 1 })
    }
}

/// Items the item master leaves out.
fn note_coverage(
    series: &[DemandSeries],
    master: Option<&HashMap<String, ItemMaster>>,
    notes: &mut Notes,
) {
    if let Some(master) = master {
        for s in series.iter().filter(|s| !master.contains_key(&s.item)) {
            notes.row(
                "item not in the item master",
                "",
                None,
                format!(
                    "item '{}' is not in the item master: defaults are used for it",
                    s.item
                ),
            );
        }
    }
}

/// Each item's series without its demand surges (the stable stretches its demand is fitted
/// to), and the surges of every item.
fn stable_series(series: &[DemandSeries]) -> (Vec<DemandSeries>, SurgeHistory) {
    let mut history = SurgeHistory::default();
    let stable = series
        .iter()
        .map(|s| {
            let found = surges::detect(s);
            history.years.insert(
                s.item.clone(),
                (s.values.len() as f64 * f64::from(s.period_days)).max(1.0) / 365.25,
            );
            if let Some(baseline) = found.baseline {
                history.baselines.insert(s.item.clone(), baseline);
            }
            history.surges.extend(found.surges);
            s.without(&found.set_aside)
        })
        .collect();
    (stable, history)
}

/// What each item's profile draws on besides its own demand.
struct ItemSources<'a> {
    history: &'a DemandHistory,
    master: &'a HashMap<String, ItemMaster>,
    suppliers: &'a [SupplierProfile],
    disruptions: &'a DisruptionHistory,
}

fn profile_items(
    series: &[DemandSeries],
    stable: &[DemandSeries],
    sourcing: Vec<Vec<(String, f64)>>,
    sources: &ItemSources<'_>,
    options: ProfileOptions,
    notes: &mut Notes,
) -> Vec<ItemProfile> {
    // Each item's fit is its own (no sums across items), so the order of work does not change
    // the result; `collect` keeps the items' order. Demand is fitted to the stable periods,
    // the weeks of its surges set aside (the normal-times demand).
    let demand: Vec<DemandProfile> = {
        use rayon::prelude::*;
        stable.par_iter().map(demand_fit::profile).collect()
    };
    note_short_histories(series, &demand, notes);
    let costs: Vec<f64> = series
        .iter()
        .map(|s| unit_cost_of(&s.item, sources, notes))
        .collect();
    let values: Vec<f64> = demand
        .iter()
        .zip(&costs)
        .map(|(d, c)| d.stats.mean * 365.0 * c)
        .collect();
    let total: f64 = values.iter().sum::<f64>().max(f64::MIN_POSITIVE);
    let classes = classify::abc_classes(&values, options.abc);
    let units: Vec<f64> = demand.iter().map(|d| d.stats.mean).collect();
    let runners = risk::runners(&units);
    series
        .iter()
        .zip(demand)
        .zip(sourcing)
        .enumerate()
        .map(|(i, ((s, demand), sourcing))| {
            let master = sources.master.get(&s.item).cloned().unwrap_or_default();
            let supply = supply_view(&sourcing, sources.suppliers, sources.disruptions);
            let container_size = container_of(s, &master, demand.stats.mean, notes);
            let xyz = classify::xyz_class(demand.stats.cv, options.xyz);
            let facts = ItemFacts {
                abc: classes[i].0,
                xyz,
                value_share: values[i] / total,
                demand: &demand,
                impact: ImpactFacts {
                    criticality: master.criticality.unwrap_or(Criticality::Medium),
                    criticality_given: master.criticality.is_some(),
                    class_a: classes[i].0 == Abc::A,
                    runner: runners[i],
                },
                supply: &supply,
                shelf_life_days: master.shelf_life_days,
                container_size,
                whole_units: s.whole_units,
                unit_cost: costs[i],
                order_cost: master.order_cost.unwrap_or(DEFAULT_ORDER_COST),
            };
            let recommendation = classify::recommend(&facts);
            let qualification = qualify::qualify(
                supply.on_time,
                !supply.sources.is_empty() && supply.sources.iter().all(|s| s.observed),
                supply.lead_mean,
                master.moq,
                demand.stats.mean,
            );
            ItemProfile {
                item: s.item.clone(),
                start: s.start,
                whole_units: s.whole_units,
                unit_cost: costs[i],
                annual_value: values[i],
                value_share: values[i] / total,
                share_above: classes[i].1,
                abc: classes[i].0,
                xyz,
                criticality: facts.impact.criticality,
                container_size,
                order_cost: master.order_cost.unwrap_or(DEFAULT_ORDER_COST),
                returned_units: sources
                    .history
                    .returned
                    .get(&s.item)
                    .copied()
                    .unwrap_or(0.0),
                demand,
                sourcing,
                supply,
                recommendation,
                qualification,
                moq: master.moq,
            }
        })
        .collect()
}

/// Items with demand but under two years of history get no trend: one note lists them.
fn note_short_histories(series: &[DemandSeries], demand: &[DemandProfile], notes: &mut Notes) {
    let short: Vec<&str> = series
        .iter()
        .zip(demand)
        .filter(|(_, d)| !d.stats.trend.fitted && d.stats.total > 0.0)
        .map(|(s, _)| s.item.as_str())
        .collect();
    if short.is_empty() {
        return;
    }
    const LISTED: usize = 10;
    let more = short.len().saturating_sub(LISTED);
    notes.general(
        "",
        format!(
            "{} item{} ({}{}) {} under two years of history: no trend is fitted, as a \
             seasonal rise or fall cannot be told from a trend before each month is seen twice; \
             their level is the history's mean",
            short.len(),
            if short.len() == 1 { "" } else { "s" },
            short[..short.len().min(LISTED)].join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            if short.len() == 1 { "has" } else { "have" },
        ),
    );
}

/// Unit cost from the item master, else the demand file, else the default (noted).
fn unit_cost_of(item: &str, sources: &ItemSources<'_>, notes: &mut Notes) -> f64 {
    let from_master = sources.master.get(item).and_then(|m| m.unit_cost);
    let from_demand = sources.history.unit_costs.get(item).copied();
    from_master.or(from_demand).unwrap_or_else(|| {
        notes.row(
            "no unit cost",
            "",
            None,
            format!(
                "item '{item}' has no unit cost in any input: {DEFAULT_UNIT_COST} is used, so \
                 its ABC class is by quantity"
            ),
        );
        DEFAULT_UNIT_COST
    })
}

/// The container size of the item master, else a derived one; a fractional size of an item
/// counted in whole units is rounded up (noted).
fn container_of(s: &DemandSeries, master: &ItemMaster, mean: f64, notes: &mut Notes) -> f64 {
    let size = given_container(s, master, mean, notes);
    // A kanban loop holds at most `MAX_KANBAN_CONTAINERS`: over the longest lead time a
    // scenario takes (3,650 days) at twice the demand (any safety factor profile writes), a
    // smaller container would need more, and the scenario would be refused.
    let smallest = mean * 3650.0 * 2.0 / f64::from(crate::model::policy::MAX_KANBAN_CONTAINERS);
    if size >= smallest {
        return size;
    }
    // A round size at least `smallest` (the derived size is half its argument, rounded up).
    let larger = classify::derived_container_size(smallest * 2.0);
    notes.row(
        "container too small",
        "",
        None,
        format!(
            "item '{}': a container of {size} units is too small for a kanban loop at {} units \
             a day (over {} containers): {larger} is used",
            s.item,
            group_thousands(mean, 0),
            group_thousands(f64::from(crate::model::policy::MAX_KANBAN_CONTAINERS), 0)
        ),
    );
    larger
}

/// The container of the item master (rounded up to a whole unit for items counted in units),
/// else the derived one.
fn given_container(s: &DemandSeries, master: &ItemMaster, mean: f64, notes: &mut Notes) -> f64 {
    match master.container_size {
        Some(size) if s.whole_units && size.fract() != 0.0 => {
            notes.row(
                "fractional container",
                "",
                None,
                format!(
                    "item '{}' is counted in whole units but its container holds {size}: \
                     rounded up to {}",
                    s.item,
                    size.ceil()
                ),
            );
            size.ceil()
        }
        Some(size) => size,
        None => classify::derived_container_size(mean),
    }
}

/// Units ordered of each item from each supplier, read in one pass over the deliveries (a
/// pass per item made `profile` quadratic: half of its time on 5,000 items).
fn units_ordered(deliveries: &[Delivery]) -> HashMap<&str, BTreeMap<&str, f64>> {
    let mut units: HashMap<&str, BTreeMap<&str, f64>> = HashMap::new();
    for d in deliveries {
        *units
            .entry(&d.item)
            .or_default()
            .entry(&d.supplier)
            .or_default() += d.quantity_ordered.max(1e-9);
    }
    units
}

/// The suppliers of an item and their shares: the item master's list, else the suppliers that
/// delivered it, else the unknown supplier (noted). Shares follow the units ordered from each
/// supplier (`units`, from [`units_ordered`]), equal when a listed supplier has no orders of
/// the item.
fn sourcing_of(
    item: &str,
    master: Option<&ItemMaster>,
    units: &BTreeMap<&str, f64>,
    notes: &mut Notes,
) -> Vec<(String, f64)> {
    let mut listed: Vec<&str> = master
        .map(|m| m.suppliers.iter().map(String::as_str).collect())
        .unwrap_or_default();
    listed.dedup();
    let names: Vec<&str> = if listed.is_empty() {
        units.keys().copied().collect()
    } else {
        listed
    };
    let by_units = names.iter().all(|n| units.contains_key(n));
    let total: f64 = names.iter().filter_map(|n| units.get(n)).sum();
    let mut sources: Vec<(String, f64)> = names
        .iter()
        .map(|&n| {
            let share = if by_units {
                units[n] / total
            } else {
                1.0 / names.len() as f64
            };
            (n.to_string(), share)
        })
        .collect();
    let max = crate::model::supply::MAX_LINKS;
    if sources.len() > max {
        sources.sort_by(|a, b| b.1.total_cmp(&a.1));
        sources.truncate(max);
        let total: f64 = sources.iter().map(|s| s.1).sum();
        sources.iter_mut().for_each(|s| s.1 /= total);
        notes.row(
            "too many suppliers",
            "",
            None,
            format!("item '{item}' has more than {max} suppliers: the {max} largest are kept"),
        );
    }
    if sources.is_empty() {
        notes.row(
            "no supplier",
            "",
            None,
            format!(
                "item '{item}' has no known supplier (no item-master entry, no deliveries): the \
                 scenario buys it from '{UNKNOWN_SUPPLIER}' with a {}-day lead time",
                supplier_fit::DEFAULT_LEAD_TIME_DAYS
            ),
        );
        sources.push((UNKNOWN_SUPPLIER.to_string(), 1.0));
    }
    sources
}

/// Suppliers that items are bought from but that delivered nothing get a default profile.
fn add_unobserved_suppliers(
    suppliers: &mut Vec<SupplierProfile>,
    sourcing: &[Vec<(String, f64)>],
    notes: &mut Notes,
) {
    let mut known: HashSet<String> = suppliers.iter().map(|s| s.id.clone()).collect();
    for (id, _) in sourcing.iter().flatten() {
        if known.insert(id.clone()) {
            if id != UNKNOWN_SUPPLIER {
                notes.general(
                    "",
                    format!(
                        "supplier '{id}' has no delivery history: the scenario gives it a {}-day \
                         lead time, always on time; its items are not recommended JIT",
                        supplier_fit::DEFAULT_LEAD_TIME_DAYS
                    ),
                );
            }
            suppliers.push(SupplierProfile::unobserved(id));
        }
    }
}

fn note_suppliers(suppliers: &[SupplierProfile], notes: &mut Notes) {
    for s in suppliers.iter().filter(|s| s.same_day > 0) {
        notes.general(
            "",
            format!(
                "supplier '{}': deliveries received the day they were ordered ({}) count as 1 \
                 day in the scenario (its shortest lead time)",
                s.id, s.same_day
            ),
        );
    }
    for s in suppliers.iter().filter(|s| s.open_orders > 0) {
        notes.general(
            "",
            format!(
                "supplier '{}': orders not received yet ({}) are counted as open, not in lead \
                 times or rates",
                s.id, s.open_orders
            ),
        );
    }
}

fn supply_view(
    sourcing: &[(String, f64)],
    suppliers: &[SupplierProfile],
    disruptions: &DisruptionHistory,
) -> SupplyView {
    SupplyView::new(
        sourcing
            .iter()
            .filter_map(|(id, share)| {
                let stretches = disruptions.of(id).count();
                suppliers.iter().find(|s| &s.id == id).map(|s| SourceView {
                    supplier: id.clone(),
                    share: *share,
                    on_time: s.on_time_rate,
                    lead_mean: s.lead_time_mean,
                    lead_sd: s.lead_time_sd,
                    rejection_rate: s.rejection_rate,
                    observed: s.observed,
                    region: disruptions.regions.get(id).cloned(),
                    stretches,
                    stretches_per_year: stretches as f64 / disruptions.years.max(1e-9),
                })
            })
            .collect(),
    )
}

/// The default results folder of a demand file: `results/profile-<file stem>/`.
pub(crate) fn default_out_dir(demand: &Path) -> PathBuf {
    let stem = demand
        .file_stem()
        .map_or_else(|| "demand".into(), |s| s.to_string_lossy().into_owned());
    Path::new("results").join(format!("profile-{stem}"))
}

/// What `buffersim profile` did, for the command line to tell: the data notes (warnings), the
/// short summary for stdout and the files written.
pub(crate) struct ProfileRun {
    pub(crate) warnings: Vec<String>,
    pub(crate) summary: String,
    pub(crate) committed: Committed,
}

/// `buffersim profile`: profile the inputs, against the profile in `previous` when given, and
/// write the files into `out` (default: `results/profile-<demand file stem>/`); the scenario written there puts its own results
/// beside it (`results = "."`, see [`scenario_out`]).
pub(crate) fn run(
    files: &InputFiles,
    options: ProfileOptions,
    out: Option<&Path>,
    previous: Option<&Path>,
    check_runs: Option<u64>,
) -> anyhow::Result<ProfileRun> {
    // Inputs first: nothing is written, not even the folder, when they cannot be read.
    let mut profile = Profile::from_files(files, options)?;
    let runs = check_runs.unwrap_or_else(|| check::default_runs(&profile));
    if runs > 0 {
        profile.check = Some(check::check(&mut profile, runs)?);
    }
    if let Some(previous) = previous {
        profile.drift = Some(drift::compare(previous, &profile.items)?);
    }
    let out = out.map_or_else(|| default_out_dir(&files.demand), Path::to_path_buf);
    let committed = write::commit_profile(&profile, &out)?;
    Ok(ProfileRun {
        warnings: profile
            .notes
            .iter()
            .map(|n| format!("warning: {n}"))
            .collect(),
        summary: write::terminal_summary(&profile),
        committed,
    })
}
