//! Engine throughput, reported in item-days per second (items × policies × horizon days × runs).
//!
//! Groups:
//! * `policy`: one item, one policy, for each kind of replenishment rule, on one thread. The
//!   item and supplier are those of `scenarios/bench-reference.toml` (Normal(50, 10) demand,
//!   lead time uniform on 1–7 days, a two-state outage chain, lost sales, 365 days).
//! * `reference`: `scenarios/bench-reference.toml` end to end, on one and on two threads.
//! * `bare_kernel`: a bare hand-written scalar kernel of the same model
//!   (`benches/support/bare_kernel.rs`), on one and on two threads, with the same runs and
//!   sampling as `reference`: the hardware limit, measured alongside the engine so that the
//!   ratio reference / bare_kernel is comparable across runs while the machine's speed drifts.
//! * `many_items`: 200 items, 5 suppliers in 2 regions each with random outages, four demand
//!   models and two policies, on one thread: the per item-day cost at scale, to set against
//!   the single-item figures.
//! * `shared_suppliers`: the `many_items` catalogue with each supplier's capacity shared by its
//!   40 items (1.3 times their mean demand) and a value minimum on every order, so that every
//!   item is stepped day by day with the others of its supplier; beside it, measured in the
//!   same run, the same catalogue without those constraints. Issue 19 asks the shared one to
//!   reach at least half the rate of the independent one.
//! * `catalogue_variants`: the `many_items` catalogue as it is, with a shelf life of 30 days on
//!   every item (stock issued first-expiring-first, each item-run stepped in the scalar loop),
//!   and with both policies re-sized every calendar month, measured in the same run.
//! * `runs_scaling`: the reference scenario at 10³, 10⁴, 10⁵ and 10⁶ runs on two threads; time
//!   should grow linearly with runs (constant throughput).
//! * `suppliers`: 1,000 single-supplier items on 10 and on 60 suppliers, 64 runs, one thread,
//!   measured in the same run (issue 24 asks 60 suppliers for at least 0.9 of the 10-supplier
//!   rate).
//! * `shards`: `merge` of 1,000 partial results of the reference (one chunk of 64 runs each,
//!   written to files as shards write them), in partials merged per second (issue 25 asks for
//!   under a second per 1,000).
//!
//! Scenarios built here are written to a temporary directory and read back through
//! [`Scenario::load`], so they pass the same validation as files given on the command line.
//!
//! Run with `cargo bench --bench engine`; the whole run takes about three minutes on two cores.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use buffersim::model::scenario::Scenario;
use buffersim::simulation::engine;
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use rayon::prelude::*;
use rayon::{ThreadPool, ThreadPoolBuilder};

#[path = "support/bare_kernel.rs"]
mod bare_kernel;
#[path = "../tests/support/catalogue.rs"]
mod catalogue;

/// Runs per iteration in the `policy` group.
const POLICY_RUNS: u64 = 2_000;
/// Runs per iteration in the `reference` group.
const REFERENCE_RUNS: u64 = 10_000;
/// Runs per iteration in the `many_items` group.
const MANY_ITEMS_RUNS: u64 = 50;
/// Items in the `many_items` scenario.
const MANY_ITEMS: usize = 200;

fn reference_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench-reference.toml")
}

fn pool(threads: usize) -> ThreadPool {
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot build the rayon thread pool")
}

/// Write `toml` to `dir/name.toml` and load it as a scenario.
fn load_generated(dir: &Path, name: &str, toml: &str) -> Scenario {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml).expect("cannot write the generated scenario");
    Scenario::load(&path).unwrap_or_else(|e| panic!("generated scenario '{name}' is invalid: {e}"))
}

/// Item-days simulated by `runs` runs of `scenario`; checked against the engine's own count.
fn item_days(scenario: &Scenario, runs: u64) -> u64 {
    let per_run = scenario.items.len() as u64
        * scenario.policies.len() as u64
        * u64::from(scenario.horizon_days);
    let check = engine::simulate(scenario, 1, scenario.seed, &|_| {});
    assert_eq!(
        check.item_days, per_run,
        "item-day count disagrees with the engine"
    );
    per_run * runs
}

/// One timed iteration: `runs` runs of `scenario` in `pool`.
fn simulate_in(pool: &ThreadPool, scenario: &Scenario, runs: u64) -> engine::Outcome {
    pool.install(|| engine::simulate(black_box(scenario), runs, scenario.seed, &|_| {}))
}

/// The single-item model of `bench-reference.toml` under one policy rule, given as the TOML
/// inline table that follows `[policy.<name>.rule]`.
fn single_item_toml(name: &str, rule: &str) -> String {
    format!(
        r#"[simulation]
name = "policy {name}"
horizon_days = 365
warmup_days = 0
seed = 1
unmet_demand = "lost"

[[supplier]]
id = "supplier"
lead_time = {{ uniform = {{ min = 1, max = 7 }} }}

[[item]]
id = "item"
unit_cost = 10
demand = {{ normal = {{ mean = 50, sd = 10 }} }}

[[disruption]]
id = "outage"
effect = {{ supplier_outage = {{ supplier = "supplier" }} }}
occurrence = {{ markov = {{ daily_failure_probability = 0.01, daily_recovery_probability = 0.1 }} }}

[policy.{name}.rule]
{rule}
"#
    )
}

/// Every kind of rule, with levels of the same order as the reference (s, S) = (250, 550):
/// lead-time demand is about 200 units.
const POLICIES: [(&str, &str); 7] = [
    (
        "kanban",
        "kanban = { safety_factor = 0.3, container_size = 50 }",
    ),
    ("min_max", "min_max = { min = 250, max = 550 }"),
    (
        "reorder_point",
        "reorder_point = { reorder_point = 250, quantity = { fixed = 300 } }",
    ),
    (
        "periodic_review",
        "periodic_review = { review_period_days = 7, order_up_to = 650 }",
    ),
    ("s_s", "s_s = { reorder_point = 250, order_up_to = 550 }"),
    ("r_q", "r_q = { reorder_point = 250, order_quantity = 300 }"),
    ("base_stock", "base_stock = { order_up_to = 300 }"),
];

fn bench_policy(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let one = pool(1);
    let mut group = c.benchmark_group("policy");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, rule) in POLICIES {
        let scenario = load_generated(dir.path(), name, &single_item_toml(name, rule));
        group.throughput(Throughput::Elements(item_days(&scenario, POLICY_RUNS)));
        group.bench_function(name, |b| {
            b.iter(|| simulate_in(&one, &scenario, POLICY_RUNS));
        });
    }
    group.finish();
}

/// A group of long iterations: ten samples of one iteration each after a second's warm-up,
/// measured for `seconds` (criterion's least, for runs of whole simulations).
fn flat_group<'c>(c: &'c mut Criterion, name: &str, seconds: u64) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(seconds));
    group
}

/// The `reference` and `bare_kernel` groups, sampled alike so that their figures compare.
fn reference_group<'c>(
    c: &'c mut Criterion,
    name: &str,
    item_days: u64,
) -> BenchmarkGroup<'c, WallTime> {
    let mut group = flat_group(c, name, 5);
    group.throughput(Throughput::Elements(item_days));
    group
}

fn bench_reference(c: &mut Criterion) {
    let scenario = Scenario::load(&reference_path()).expect("cannot load bench-reference.toml");
    let mut group = reference_group(c, "reference", item_days(&scenario, REFERENCE_RUNS));
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(format!("{threads}_thread"), |b| {
            b.iter(|| simulate_in(&pool, &scenario, REFERENCE_RUNS));
        });
    }
    group.finish();
}

/// One timed iteration of the bare kernel: `runs` runs in `pool`, in the engine's chunks of
/// [`engine::CHUNK_RUNS`] runs.
fn bare_in(pool: &ThreadPool, seed: u64, runs: u64) -> bare_kernel::BareTotals {
    if pool.current_num_threads() == 1 {
        return bare_kernel::run_bare(black_box(seed), 0..runs);
    }
    pool.install(|| {
        (0..runs.div_ceil(engine::CHUNK_RUNS))
            .into_par_iter()
            .map(|chunk| {
                let start = chunk * engine::CHUNK_RUNS;
                bare_kernel::run_bare(
                    black_box(seed),
                    start..(start + engine::CHUNK_RUNS).min(runs),
                )
            })
            .reduce(
                bare_kernel::BareTotals::default,
                bare_kernel::BareTotals::merge,
            )
    })
}

fn bench_bare_kernel(c: &mut Criterion) {
    let mut group = reference_group(c, "bare_kernel", REFERENCE_RUNS * bare_kernel::HORIZON_DAYS);
    for threads in [1, 2] {
        let pool = pool(threads);
        group.bench_function(format!("{threads}_thread"), |b| {
            b.iter(|| bare_in(&pool, 1, REFERENCE_RUNS));
        });
    }
    group.finish();
}

/// 200 items over 5 suppliers in 2 regions, every supplier with random outages; demand cycles
/// through normal, poisson, negative binomial and lognormal; kanban and reorder-point policies.
fn many_items_toml() -> String {
    catalogue_toml(Catalogue::Independent)
}

/// The variants of the generated catalogue.
#[derive(Clone, Copy, PartialEq)]
enum Catalogue {
    /// As in `many_items`: nothing ties the items together.
    Independent,
    /// Each supplier's capacity shared by its items, and a value minimum on its orders.
    Shared,
    /// Every item's stock expires 30 days after it is received.
    ShelfLife,
    /// Both policies re-sized every calendar month.
    Monthly,
}

/// The mean daily demand of item `i` of the generated catalogues.
fn catalogue_mean(i: usize) -> usize {
    // Means from 5 to 203 units a day, spread over the items.
    5 + (i * 37) % 199
}

/// The `many_items` catalogue; shared, each supplier's capacity (1.3 times its items' mean
/// demand) is shared by its items and its orders must reach a value of 2,000.
fn catalogue_toml(variant: Catalogue) -> String {
    let mut s = String::from(
        r#"[simulation]
name = "many items"
horizon_days = 365
warmup_days = 0
seed = 1
unmet_demand = "lost"
"#,
    );
    let suppliers = [
        ("eu-1", "europe", "{ uniform = { min = 1, max = 7 } }"),
        ("eu-2", "europe", "{ fixed = 3 }"),
        ("eu-3", "europe", "{ uniform = { min = 2, max = 5 } }"),
        (
            "asia-1",
            "asia",
            "{ triangular = { min = 10, mode = 14, max = 24 } }",
        ),
        ("asia-2", "asia", "{ lognormal = { mean = 12, sd = 4 } }"),
    ];
    for (j, (id, region, lead_time)) in suppliers.iter().enumerate() {
        write!(
            s,
            "\n[[supplier]]\nid = \"{id}\"\nregion = \"{region}\"\nlead_time = {lead_time}\n"
        )
        .unwrap();
        if variant == Catalogue::Shared {
            let demand: usize = (0..MANY_ITEMS)
                .filter(|i| i % suppliers.len() == j)
                .map(catalogue_mean)
                .sum();
            write!(
                s,
                "capacity_per_day = {}\nmin_order_value = 2000\n",
                demand * 13 / 10
            )
            .unwrap();
        }
    }
    for i in 0..MANY_ITEMS {
        let mean = catalogue_mean(i);
        let sd = mean / 3 + 3; // sd² > mean for every mean here, as the negative binomial needs
        let demand = match i % 4 {
            0 => format!("{{ normal = {{ mean = {mean}, sd = {sd} }} }}"),
            1 => format!("{{ poisson = {{ mean = {mean} }} }}"),
            2 => format!("{{ negative_binomial = {{ mean = {mean}, sd = {sd} }} }}"),
            _ => format!("{{ lognormal = {{ mean = {mean}, sd = {sd} }} }}"),
        };
        let container = (mean * 2).div_ceil(10) * 10;
        let unit_cost = 1 + (i * 13) % 150;
        let (supplier, _, _) = suppliers[i % suppliers.len()];
        write!(
            s,
            "\n[[item]]\nid = \"item-{i:03}\"\nunit_cost = {unit_cost}\norder_cost = 50\n\
             stockout_penalty = {unit_cost}\ncontainer_size = {container}\ndemand = {demand}\n\
             suppliers = [\"{supplier}\"]\n"
        )
        .unwrap();
        if variant == Catalogue::ShelfLife {
            s.push_str("shelf_life_days = 30\n");
        }
    }
    for (id, _, _) in suppliers {
        write!(
            s,
            "\n[[disruption]]\nid = \"{id}-outage\"\n\
             effect = {{ supplier_outage = {{ supplier = \"{id}\" }} }}\n\
             occurrence = {{ random = {{ rate_per_year = 2, duration_days = {{ uniform = {{ min = 3, max = 20 }} }} }} }}\n"
        )
        .unwrap();
    }
    s.push_str(
        r#"
[policy.kanban.rule.kanban]
safety_factor = 0.3

[policy.reorder-point.rule.reorder_point]
service_level = 0.95
quantity = "eoq"
"#,
    );
    if variant == Catalogue::Monthly {
        s.push_str(
            "\n[policy.kanban.resize]\nevery = \"month\"\n\n\
             [policy.reorder-point.resize]\nevery = \"month\"\n",
        );
    }
    s
}

fn bench_many_items(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let scenario = load_generated(dir.path(), "many-items", &many_items_toml());
    assert_eq!(scenario.items.len(), MANY_ITEMS);
    let one = pool(1);
    let mut group = flat_group(c, "many_items", 8);
    group.throughput(Throughput::Elements(item_days(&scenario, MANY_ITEMS_RUNS)));
    group.bench_function("200_items_2_policies", |b| {
        b.iter(|| simulate_in(&one, &scenario, MANY_ITEMS_RUNS));
    });
    group.finish();
}

/// Benchmark group `name`: each variant of the generated catalogue on one thread, measured in
/// the same run so that their rates compare.
fn bench_catalogues(c: &mut Criterion, name: &str, variants: &[(&str, Catalogue)]) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let one = pool(1);
    let mut group = flat_group(c, name, 8);
    for &(variant_name, variant) in variants {
        let scenario = load_generated(dir.path(), variant_name, &catalogue_toml(variant));
        group.throughput(Throughput::Elements(item_days(&scenario, MANY_ITEMS_RUNS)));
        group.bench_function(format!("200_items_{variant_name}"), |b| {
            b.iter(|| simulate_in(&one, &scenario, MANY_ITEMS_RUNS));
        });
    }
    group.finish();
}

fn bench_shared_suppliers(c: &mut Criterion) {
    bench_catalogues(
        c,
        "shared_suppliers",
        &[
            ("independent", Catalogue::Independent),
            ("shared", Catalogue::Shared),
        ],
    );
}

fn bench_catalogue_variants(c: &mut Criterion) {
    bench_catalogues(
        c,
        "catalogue_variants",
        &[
            ("as_is", Catalogue::Independent),
            ("shelf_life", Catalogue::ShelfLife),
            ("resized_monthly", Catalogue::Monthly),
        ],
    );
}

fn bench_runs_scaling(c: &mut Criterion) {
    let scenario = Scenario::load(&reference_path()).expect("cannot load bench-reference.toml");
    let two = pool(2);
    let mut group = c.benchmark_group("runs_scaling");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    for runs in [1_000u64, 10_000, 100_000, 1_000_000] {
        // Ten samples of one iteration: 10⁵ runs take about half a second, 10⁶ about four.
        let secs = match runs {
            1_000_000.. => 45,
            100_000.. => 8,
            _ => 4,
        };
        group
            .measurement_time(Duration::from_secs(secs))
            .throughput(Throughput::Elements(item_days(&scenario, runs)));
        group.bench_with_input(BenchmarkId::from_parameter(runs), &runs, |b, &runs| {
            b.iter(|| simulate_in(&two, &scenario, runs));
        });
    }
    group.finish();
}

/// Items of the `suppliers` group's catalogues.
const SUPPLIER_ITEMS: usize = 1_000;

/// 1,000 items, each bought from one of `suppliers` suppliers (item `i` from supplier
/// `i mod suppliers`), every supplier with random outages; normal demand, one reorder-point
/// policy. Only the number of suppliers differs between the catalogues of the group.
fn suppliers_toml(suppliers: usize) -> String {
    let mut s = String::from(
        "[simulation]\nname = \"suppliers\"\nhorizon_days = 365\nwarmup_days = 0\nseed = 1\n\
         unmet_demand = \"lost\"\n",
    );
    for j in 0..suppliers {
        write!(
            s,
            "\n[[supplier]]\nid = \"s{j}\"\nlead_time = {{ uniform = {{ min = 2, max = 9 }} }}\n\n\
             [[disruption]]\nid = \"s{j}-outage\"\n\
             effect = {{ supplier_outage = {{ supplier = \"s{j}\" }} }}\n\
             occurrence = {{ random = {{ rate_per_year = 2, duration_days = {{ uniform = {{ min = 3, max = 20 }} }} }} }}\n"
        )
        .unwrap();
    }
    for i in 0..SUPPLIER_ITEMS {
        let mean = catalogue_mean(i);
        write!(
            s,
            "\n[[item]]\nid = \"item-{i:04}\"\nunit_cost = {}\norder_cost = 50\n\
             demand = {{ normal = {{ mean = {mean}, sd = {} }} }}\nsuppliers = [\"s{}\"]\n",
            1 + (i * 13) % 150,
            mean / 3 + 3,
            i % suppliers
        )
        .unwrap();
    }
    s.push_str(
        "\n[policy.reorder-point.rule.reorder_point]\nservice_level = 0.95\nquantity = \"eoq\"\n",
    );
    s
}

/// The same 1,000 single-supplier items on 10 and on 60 suppliers, 64 runs, one thread,
/// measured in the same run: issue 24 asks the 60-supplier catalogue for at least 0.9 of the
/// 10-supplier rate.
fn bench_suppliers(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let one = pool(1);
    let mut group = flat_group(c, "suppliers", 8);
    for suppliers in [10, 60] {
        let name = format!("{SUPPLIER_ITEMS}_items_{suppliers}_suppliers");
        let scenario = load_generated(dir.path(), &name, &suppliers_toml(suppliers));
        group.throughput(Throughput::Elements(item_days(
            &scenario,
            engine::CHUNK_RUNS,
        )));
        group.bench_function(&name, |b| {
            b.iter(|| simulate_in(&one, &scenario, engine::CHUNK_RUNS));
        });
    }
    group.finish();
}

/// Items of the `few_runs` group's catalogue.
const FEW_RUNS_ITEMS: usize = 5_000;

/// The generated catalogue of `tests/support/catalogue.rs` (items of four demand models, split
/// and failover sourcing over 8 suppliers with outages, a regional event, port congestion, bad
/// batches and a surge) at 5,000 items under one policy, 64 runs (one chunk) on one thread and
/// on two: whether a catalogue keeps both cores busy when its runs are few (issue 24, item 3).
fn bench_few_runs(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let scenario = load_generated(
        dir.path(),
        "few-runs",
        &catalogue::catalogue_toml(FEW_RUNS_ITEMS, 1, engine::CHUNK_RUNS),
    );
    let mut group = flat_group(c, "few_runs", 10);
    group.throughput(Throughput::Elements(item_days(
        &scenario,
        engine::CHUNK_RUNS,
    )));
    for threads in [1, 2] {
        let threads_pool = pool(threads);
        group.bench_function(format!("{FEW_RUNS_ITEMS}_items_{threads}_thread"), |b| {
            b.iter(|| simulate_in(&threads_pool, &scenario, engine::CHUNK_RUNS));
        });
    }
    group.finish();
}

/// Items of the `mixed` group's catalogue.
const MIXED_ITEMS: usize = 100;
/// Runs per iteration in the `mixed` group.
const MIXED_RUNS: u64 = 256;

/// The generated catalogue of `tests/support/catalogue.rs` at 100 items under two policies
/// (kanban and a reorder point), one thread: three items in five split between two suppliers
/// or on failover, and every kind of disruption, the mix whose items leave the lane loop
/// (issue 24, item 2).
fn bench_mixed(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    let scenario = load_generated(
        dir.path(),
        "mixed",
        &catalogue::catalogue_toml(MIXED_ITEMS, 2, MIXED_RUNS),
    );
    let one = pool(1);
    let mut group = flat_group(c, "mixed", 8);
    group.throughput(Throughput::Elements(item_days(&scenario, MIXED_RUNS)));
    group.bench_function(format!("{MIXED_ITEMS}_items_2_policies"), |b| {
        b.iter(|| simulate_in(&one, &scenario, MIXED_RUNS));
    });
    group.finish();
}

/// Partials merged in the `shards` group.
const MERGED_PARTIALS: u64 = 1_000;

/// `merge` of 1,000 partial results of the reference, one chunk of runs each, read from files
/// as the command reads them: what merging the shards of a cluster job costs.
fn bench_shards(c: &mut Criterion) {
    use buffersim::analysis::shards::{Job, merge, simulate_shard};
    use buffersim::results::partial::{PARTIAL_FILE, Shard};
    let scenario = Scenario::load(&reference_path()).expect("cannot load bench-reference.toml");
    let dir = tempfile::tempdir().expect("temporary directory");
    let runs = MERGED_PARTIALS * engine::CHUNK_RUNS;
    let folders: Vec<PathBuf> = pool(2).install(|| {
        (1..=MERGED_PARTIALS)
            .into_par_iter()
            .map(|index| {
                let shard = Shard {
                    index,
                    count: MERGED_PARTIALS,
                };
                let result = simulate_shard(&scenario, &Job::Run, (1, runs), shard, &|_| {})
                    .expect("a shard of the reference");
                let folder = dir.path().join(format!("shard-{index}"));
                std::fs::create_dir_all(&folder).expect("shard folder");
                std::fs::write(folder.join(PARTIAL_FILE), result.file).expect("partial file");
                folder
            })
            .collect()
    });
    let mut group = flat_group(c, "shards", 10);
    group.throughput(Throughput::Elements(MERGED_PARTIALS));
    group.bench_function("merge_1000_partials", |b| {
        b.iter(|| merge(black_box(&folders), None).expect("the partials merge"));
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_policy,
    bench_reference,
    bench_bare_kernel,
    bench_many_items,
    bench_shared_suppliers,
    bench_catalogue_variants,
    bench_runs_scaling,
    bench_suppliers,
    bench_few_runs,
    bench_mixed,
    bench_shards
);
criterion_main!(benches);
