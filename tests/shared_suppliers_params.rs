//! Parameters of shared suppliers and budgets (issue 19): a supplier's value capacity, value
//! minimum, delivery cost and order cycle, and a `[[budget]]`'s amount are read, set and
//! re-validated like every other field; absent ones read the format's defaults; an unknown
//! budget is an error that lists the budgets there are; and a sweep over a budget's amount or a
//! supplier's value minimum gives one point per value.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use buffersim::analysis::param::{self, Param, ParamError, resolve, scenario_with};
use buffersim::model::budget::WhenExceeded;
use buffersim::model::scenario::Scenario;
use buffersim::model::supply::OrderDays;

/// Two items bought from `bulk`, which ships a value per day, wants orders worth at least 400,
/// charges 25 a delivery and takes orders every 7 days; `weekly` takes orders on Mondays and
/// Thursdays; a monthly budget over `bulk` and a weekly one over the whole catalogue.
const SCENARIO: &str = r#"
[simulation]
horizon_days = 120
warmup_days = 10
runs = 4
seed = 11

[[supplier]]
id = "bulk"
lead_time = { fixed = 4 }
capacity_value_per_day = 5000
allocation = "priority"
priority = ["bolt", "nut"]
guaranteed_share = { nut = 0.25 }
min_order_value = 400
delivery_cost = 25
order_cycle_days = 7

[[supplier]]
id = "weekly"
lead_time = { fixed = 2 }
capacity_per_day = 300
order_days = ["mon", "thu"]

[[item]]
id = "bolt"
unit_cost = 2.0
order_cost = 5.0
demand = { normal = { mean = 40, sd = 8 } }
suppliers = ["bulk"]

[[item]]
id = "nut"
unit_cost = 0.5
demand = { poisson = { mean = 60 } }
suppliers = ["bulk"]

[[item]]
id = "washer"
unit_cost = 0.2
demand = { deterministic = 30 }
suppliers = ["weekly"]

[[budget]]
id = "monthly"
amount = 6000
period = "month"
suppliers = ["bulk"]

[[budget]]
id = "all"
amount = 2500
period = "week"
when_exceeded = "trim"

[policy.ss.rule.s_s]
reorder_point = 300
order_up_to = 700
review_period_days = 1
"#;

fn path() -> PathBuf {
    PathBuf::from("shared.toml")
}

fn read(param: &str) -> param::Target {
    let doc = param::parse_document(SCENARIO, &path()).unwrap();
    resolve(&doc, &Param::parse(param).unwrap()).unwrap_or_else(|e| panic!("{param}: {e}"))
}

fn with(changes: &[(&str, f64)]) -> anyhow::Result<Scenario> {
    let changes: Vec<(Param, f64)> = changes
        .iter()
        .map(|(p, v)| (Param::parse(p).unwrap(), *v))
        .collect();
    scenario_with(SCENARIO, &path(), &changes)
}

#[test]
fn the_new_fields_read_what_the_scenario_says() {
    let base = Scenario::from_source(SCENARIO, &path()).unwrap();
    assert_eq!(base.budgets.len(), 2);
    for (param, value, integral) in [
        ("supplier.bulk.capacity_value_per_day", 5000.0, false),
        ("supplier.bulk.min_order_value", 400.0, false),
        ("supplier.bulk.delivery_cost", 25.0, false),
        ("supplier.bulk.order_cycle_days", 7.0, true),
        ("supplier.bulk.guaranteed_share.nut", 0.25, false),
        ("budget.monthly.amount", 6000.0, false),
        ("budgets.all.amount", 2500.0, false),
    ] {
        let t = read(param);
        assert_eq!((t.current, t.integral), (value, integral), "{param}");
    }
    assert_eq!(
        read("supplier.bulk.guaranteed_share.nut").field,
        "supplier.bulk.guaranteed_share.nut"
    );
}

#[test]
fn changed_values_are_validated_and_carried_into_the_scenario() {
    let s = with(&[
        ("supplier.bulk.capacity_value_per_day", 8000.0),
        ("supplier.bulk.min_order_value", 250.0),
        ("supplier.bulk.delivery_cost", 40.0),
        ("supplier.bulk.order_cycle_days", 3.4),
        ("budget.monthly.amount", 9000.0),
        ("budget.all.amount", 1200.0),
    ])
    .unwrap();
    let bulk = &s.suppliers[0];
    assert_eq!(bulk.capacity_value_per_day, 8000.0);
    assert_eq!(bulk.min_order_value, 250.0);
    assert_eq!(bulk.delivery_cost, 40.0);
    assert_eq!(
        bulk.order_days,
        OrderDays::Cycle(3),
        "rounded to whole days"
    );
    assert_eq!(s.budgets[0].amount, 9000.0);
    assert_eq!(s.budgets[0].suppliers, Some(vec![0]));
    assert_eq!(s.budgets[1].amount, 1200.0);
    assert_eq!(s.budgets[1].when_exceeded, WhenExceeded::Trim);

    // Values out of range are refused as a file's would be, naming the field.
    for (param, value, field) in [
        ("budget.monthly.amount", 0.0, "budget[0].amount"),
        (
            "supplier.bulk.min_order_value",
            -5.0,
            "supplier[0].min_order_value",
        ),
        (
            "supplier.bulk.delivery_cost",
            -1.0,
            "supplier[0].delivery_cost",
        ),
        (
            "supplier.bulk.order_cycle_days",
            0.0,
            "supplier[0].order_cycle_days",
        ),
        (
            "supplier.bulk.capacity_value_per_day",
            0.0,
            "supplier[0].capacity_value_per_day",
        ),
    ] {
        let e = format!("{:#}", with(&[(param, value)]).unwrap_err());
        assert!(e.contains(field), "{param}: {e}");
        assert!(e.contains(param), "{param}: the change is named: {e}");
    }
}

/// Left out, the new supplier fields read the format's defaults, and setting one adds it; a
/// supplier with `order_days` offers no `order_cycle_days` (it may not have both), and an
/// unlimited capacity has no number to vary.
#[test]
fn absent_supplier_fields_read_their_defaults() {
    let base = Scenario::from_source(SCENARIO, &path()).unwrap();
    let weekly = &base.suppliers[1];
    assert_eq!(
        read("supplier.weekly.min_order_value").current,
        weekly.min_order_value
    );
    assert_eq!(
        read("supplier.weekly.delivery_cost").current,
        weekly.delivery_cost
    );
    let s = with(&[
        ("supplier.weekly.min_order_value", 100.0),
        ("supplier.weekly.delivery_cost", 12.5),
    ])
    .unwrap();
    assert_eq!(s.suppliers[1].min_order_value, 100.0);
    assert_eq!(s.suppliers[1].delivery_cost, 12.5);

    let doc = param::parse_document(SCENARIO, &path()).unwrap();
    let e = resolve(
        &doc,
        &Param::parse("supplier.weekly.order_cycle_days").unwrap(),
    )
    .unwrap_err();
    assert!(matches!(e, ParamError::NoField { .. }), "{e}");
    let e = resolve(
        &doc,
        &Param::parse("supplier.weekly.capacity_value_per_day").unwrap(),
    )
    .unwrap_err();
    let ParamError::NoField { available, .. } = &e else {
        panic!("{e}")
    };
    for listed in [
        "supplier.weekly.capacity_per_day",
        "supplier.weekly.min_order_value",
        "supplier.weekly.delivery_cost",
    ] {
        assert!(available.iter().any(|a| a == listed), "{available:?}");
    }

    // A supplier without order days reads an order cycle of 1 day: every day.
    let text = SCENARIO.replace("order_days = [\"mon\", \"thu\"]\n", "");
    let doc = param::parse_document(&text, &path()).unwrap();
    let t = resolve(
        &doc,
        &Param::parse("supplier.weekly.order_cycle_days").unwrap(),
    )
    .unwrap();
    assert_eq!((t.current, t.integral), (1.0, true));
    let s = Scenario::from_source(&text, &path()).unwrap();
    assert_eq!(s.suppliers[1].order_days, OrderDays::Every);
    let changed = scenario_with(
        &text,
        &path(),
        &[(
            Param::parse("supplier.weekly.order_cycle_days").unwrap(),
            2.0,
        )],
    )
    .unwrap();
    assert_eq!(changed.suppliers[1].order_days, OrderDays::Cycle(2));
}

#[test]
fn an_unknown_budget_or_budget_field_is_named_with_the_alternatives() {
    let doc = param::parse_document(SCENARIO, &path()).unwrap();
    let e = resolve(&doc, &Param::parse("budget.yearly.amount").unwrap()).unwrap_err();
    assert!(
        matches!(&e, ParamError::UnknownId { kind: "budget", known, .. } if known == &["monthly", "all"]),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("the scenario has no budget `yearly`"),
        "{text}"
    );
    assert!(text.contains("`monthly`, `all`"), "{text}");

    let e = resolve(&doc, &Param::parse("budget.monthly.limit").unwrap()).unwrap_err();
    let ParamError::NoField { available, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(available, &["budget.monthly.amount"]);

    // A scenario without budgets says it has none.
    let doc =
        param::parse_document(&SCENARIO[..SCENARIO.find("[[budget]]").unwrap()], &path()).unwrap();
    let e = resolve(&doc, &Param::parse("budget.monthly.amount").unwrap()).unwrap_err();
    assert!(e.to_string().contains("it has no budget at all"), "{e}");

    // The kinds a parameter may start with include budgets.
    let e = Param::parse("budgett.monthly.amount").unwrap_err();
    assert!(e.to_string().contains("`budget`"), "{e}");
}

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// `buffersim sweep` over `vary` on the scenario: the grid points of sweep.json.
fn sweep(vary: &str) -> Vec<Vec<f64>> {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("shared.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = dir.path().join("sweep");
    buffersim()
        .arg("sweep")
        .arg(&scenario)
        .args(["--vary", vary, "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let points = json["points"].as_array().unwrap();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    for p in points {
        assert_eq!(p["policies"].as_array().unwrap().len(), 1, "{vary}");
    }
    // Every point has rows in sweep.csv, under its own value.
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with(&format!("{},", vary.split('=').next().unwrap())),
        "{header}"
    );
    points
        .iter()
        .map(|p| {
            p["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn a_sweep_over_a_budget_or_a_value_minimum_gives_one_point_per_value() {
    assert_eq!(
        sweep("budget.monthly.amount=2000..6000:3"),
        [[2000.0], [4000.0], [6000.0]]
    );
    assert_eq!(
        sweep("supplier.bulk.min_order_value=0,200,800"),
        [[0.0], [200.0], [800.0]]
    );
}

/// A supplier's `order_cycle_days` steps in whole days in a sweep, like every other number of
/// days.
#[test]
fn grids_of_order_cycles_step_by_whole_days() {
    let vary = param::Vary::parse("supplier.bulk.order_cycle_days=1..3:5").unwrap();
    let t = read(vary.param.as_str());
    assert!(t.integral);
    assert_eq!(vary.for_target(t.integral), [1.0, 2.0, 3.0]);
}

/// Every numeric field of every supplier and budget of the scenario, written back with its
/// own value, gives a valid scenario.
#[test]
fn every_supplier_and_budget_field_can_be_set_to_its_value() {
    let base = Scenario::from_source(SCENARIO, Path::new("shared.toml")).unwrap();
    let doc = param::parse_document(SCENARIO, &path()).unwrap();
    let entities = base
        .suppliers
        .iter()
        .map(|s| format!("supplier.{}", s.id))
        .chain(base.budgets.iter().map(|b| format!("budget.{}", b.id)));
    for entity in entities {
        let probe = Param::parse(&format!("{entity}.no_such_field")).unwrap();
        let Err(ParamError::NoField { available, .. }) = resolve(&doc, &probe) else {
            panic!("{entity}: no NoField error");
        };
        for field in available {
            let param = Param::parse(&field).unwrap();
            let t = resolve(&doc, &param).unwrap_or_else(|e| panic!("{field}: {e}"));
            let s = scenario_with(SCENARIO, &path(), &[(param, t.current)])
                .unwrap_or_else(|e| panic!("{field}: {e:#}"));
            assert_eq!(s.budgets, base.budgets, "{field}");
        }
    }
}

/// Two items bought from one supplier under a monthly purchase budget that binds: about 9,600
/// a month of demand at cost against 9,000 of budget.
const BUDGETED: &str = r#"
[simulation]
horizon_days = 365
warmup_days = 45
runs = 100
seed = 3
unmet_demand = "backorder"

[[supplier]]
id = "maker"
lead_time = { fixed = 5 }

[[item]]
id = "a"
unit_cost = 10.0
order_cost = 50
stockout_penalty = 5
demand = { poisson = { mean = 20 } }

[[item]]
id = "b"
unit_cost = 4.0
order_cost = 50
stockout_penalty = 2
demand = { poisson = { mean = 30 } }

[[budget]]
id = "monthly"
amount = 9000
period = "month"

[policy.jic.rule.reorder_point]
service_level = 0.95
quantity = "eoq"
"#;

/// `optimize` sizes a purchase budget: the smallest monthly amount under which the policy
/// meets its target. Below the demand's value the budget starves the items, so the answer
/// lies above 9,600 a month, and it meets the target.
#[test]
fn optimize_sizes_a_budget_for_the_whole_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("budgeted.toml");
    std::fs::write(&scenario, BUDGETED).unwrap();
    let out = dir.path().join("optimize");
    buffersim()
        .arg("optimize")
        .arg(&scenario)
        .args([
            "--policy",
            "jic",
            "--param",
            "budget.monthly.amount",
            "--target",
            "stockout_rate<=0.02",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap();
    let answer = &json["answers"][0];
    let amount = answer["value"].as_f64().unwrap();
    assert!(amount > 9_600.0 && amount < 18_000.0, "{amount}");
    let high = answer["deciding"]["measured"]["high"].as_f64().unwrap();
    assert!(high <= 0.02, "{high}");
    // A budget is the catalogue's: it is not sized item by item.
    buffersim()
        .arg("optimize")
        .arg(&scenario)
        .args([
            "--policy",
            "jic",
            "--param",
            "budget.monthly.amount",
            "--target",
            "stockout_rate<=0.02",
            "--per-item",
            "-q",
            "--out",
        ])
        .arg(dir.path().join("per-item"))
        .assert()
        .code(2);
}
