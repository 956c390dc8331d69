//! Parameters of the example scenarios: each documented PARAM form resolves to the right
//! value, a changed scenario validates and carries the new value into its sizing, errors list
//! the alternatives, per-item overrides are created, and every field of every entity can be
//! written back unchanged.

use std::path::{Path, PathBuf};

use buffersim::analysis::param::{
    self, Param, ParamError, Target, Vary, resolve, resolve_for_item, scenario_with, set_for_item,
};
use buffersim::foundation::days::DayDistribution;
use buffersim::model::demand::DemandDistribution;
use buffersim::model::disruption::{Effect, Factor, Occurrence};
use buffersim::model::scenario::Scenario;

fn example(name: &str) -> (String, PathBuf) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    (text, path)
}

fn target(name: &str, param: &str) -> Target {
    let (text, path) = example(name);
    let doc = param::parse_document(&text, &path).unwrap();
    resolve(&doc, &Param::parse(param).unwrap()).unwrap_or_else(|e| panic!("{name}: {param}: {e}"))
}

fn error(name: &str, param: &str) -> ParamError {
    let (text, path) = example(name);
    let doc = param::parse_document(&text, &path).unwrap();
    resolve(&doc, &Param::parse(param).unwrap()).unwrap_err()
}

/// The fields an error lists: those available, or the candidates.
fn listed(e: &ParamError) -> &[String] {
    match e {
        ParamError::NoField { available, .. } => available,
        ParamError::Ambiguous { candidates, .. } => candidates,
        other => panic!("{other:?}"),
    }
}

/// The kanban loop of an item under a policy is sized with this safety factor.
fn assert_kanban_sized(s: &Scenario, policy: &str, item: &str, safety_factor: f64) {
    let sizing = &s.policies[policy_index(s, policy)].items[item_index(s, item)].sizing;
    let loop_ = sizing.kanban.as_ref().unwrap();
    assert_eq!(
        u64::from(loop_.containers),
        buffersim::model::policy::kanban_count(
            sizing.mean_daily_demand,
            sizing.lead_time_mean,
            safety_factor,
            loop_.container_size
        ),
        "{policy}: {item}"
    );
}

fn changed(name: &str, changes: &[(&str, f64)]) -> Scenario {
    let (text, path) = example(name);
    let changes: Vec<(Param, f64)> = changes
        .iter()
        .map(|(p, v)| (Param::parse(p).unwrap(), *v))
        .collect();
    scenario_with(&text, &path, &changes).unwrap_or_else(|e| panic!("{name}: {e:#}"))
}

fn policy_index(s: &Scenario, name: &str) -> usize {
    s.policies.iter().position(|p| p.name == name).unwrap()
}

fn item_index(s: &Scenario, id: &str) -> usize {
    s.items.iter().position(|i| i.id == id).unwrap()
}

fn random_duration(s: &Scenario, id: &str) -> (f64, f64) {
    let d = s.disruptions.iter().find(|d| d.id == id).unwrap();
    match &d.occurrence {
        Occurrence::Random {
            rate_per_year,
            duration,
        } => (*rate_per_year, duration.mean()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_documented_forms_resolve_to_their_fields() {
    let cases: [(&str, &str, &str, f64, bool); 14] = [
        (
            "kanban-vs-jic.toml",
            "policy.kanban.safety_factor",
            "policy.kanban.rule.kanban.safety_factor",
            0.2,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "policy.jic-95.service_level",
            "policy.jic-95.rule.reorder_point.service_level",
            0.95,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "policy.jic-30d.safety_stock_days",
            "policy.jic-30d.rule.reorder_point.safety_stock_days",
            30.0,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "policy.hybrid.reserve_days",
            "policy.hybrid.reserve_days",
            5.0,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "policy.jic-95-rush.expedite.premium_rate",
            "policy.jic-95-rush.expedite.premium_rate",
            0.35,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "policy.hybrid.items.controller-board.safety_factor",
            "policy.hybrid.items.controller-board.kanban.safety_factor",
            0.2,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "disruption.overseas-outage.duration_days.mean",
            "disruption.overseas-outage.occurrence.random.duration_days.mean",
            25.0,
            true,
        ),
        (
            "kanban-vs-jic.toml",
            "disruption.asia-typhoon.rate_per_year",
            "disruption.asia-typhoon.occurrence.random.rate_per_year",
            0.5,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "item.power-supply.demand.sd",
            "item.power-supply.demand.normal.sd",
            20.0,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "item.controller-board.unit_cost",
            "item.controller-board.unit_cost",
            180.0,
            false,
        ),
        (
            "kanban-vs-jic.toml",
            "supplier.overseas.lead_time.mean",
            "supplier.overseas.lead_time.mean",
            16.0,
            false,
        ),
        (
            "peak-season.toml",
            "supplier.contract-manufacturer.lead_time.mean",
            "supplier.contract-manufacturer.lead_time.lognormal.mean",
            6.0,
            false,
        ),
        (
            "kanban-reference.toml",
            "supplier.local-supplier.on_time_probability",
            "supplier.local-supplier.on_time_probability",
            1.0,
            false,
        ),
        (
            "kanban-reference.toml",
            "simulation.horizon_days",
            "simulation.horizon_days",
            365.0,
            true,
        ),
    ];
    for (file, short, full, current, integral) in cases {
        let t = target(file, short);
        assert_eq!(t.field, full, "{file}: {short}");
        assert!(
            (t.current - current).abs() < 1e-12,
            "{short}: {}",
            t.current
        );
        assert_eq!(t.integral, integral, "{short}");
        assert_eq!(target(file, full), t, "{file}: the full path {full}");
    }
}

#[test]
fn changed_scenarios_validate_and_carry_the_new_values() {
    let s = changed(
        "kanban-vs-jic.toml",
        &[
            ("policy.kanban.safety_factor", 0.6),
            ("policy.jic-95.service_level", 0.99),
            ("policy.hybrid.reserve_days", 10.0),
            ("policy.jic-95-rush.expedite.premium_rate", 0.5),
            ("disruption.overseas-outage.duration_days.mean", 40.0),
            ("disruption.asia-typhoon.rate_per_year", 2.0),
            ("item.power-supply.demand.sd", 25.0),
            ("item.controller-board.unit_cost", 200.0),
            ("supplier.overseas.lead_time.mean", 20.0),
            ("supplier.domestic.on_time_probability", 0.5),
        ],
    );
    let base = changed("kanban-vs-jic.toml", &[]);
    let board = item_index(&s, "controller-board");
    let power = item_index(&s, "power-supply");

    // Kanban containers follow the formula with the new safety factor.
    assert_kanban_sized(&s, "kanban", "controller-board", 0.6);
    let kanban = policy_index(&s, "kanban");
    let containers = |sc: &Scenario| {
        sc.policies[kanban].items[board]
            .sizing
            .kanban
            .as_ref()
            .unwrap()
            .containers
    };
    assert!(containers(&s) > containers(&base));

    // A higher service level, a larger safety stock.
    let jic = policy_index(&s, "jic-95");
    let ss = |sc: &Scenario| sc.policies[jic].items[board].sizing.safety_stock.unwrap();
    assert!(ss(&s) > ss(&base));

    let hybrid = policy_index(&s, "hybrid");
    let item = &s.policies[hybrid].items[power];
    // Whole units: the reserve is rounded up.
    assert_eq!(
        item.reserve,
        (10.0 * item.sizing.mean_daily_demand - 1e-9).ceil()
    );

    let rush = policy_index(&s, "jic-95-rush");
    assert_eq!(
        s.policies[rush].items[board].expedite.unwrap().premium_rate,
        0.5
    );

    // Whole-day uniform 10..40 shifted to mean 40: 25..55.
    assert_eq!(random_duration(&s, "overseas-outage"), (1.0, 40.0));
    assert_eq!(random_duration(&s, "asia-typhoon").0, 2.0);

    match s.items[power].demand.distribution {
        DemandDistribution::Normal { sd, .. } => assert_eq!(sd, 25.0),
        ref other => panic!("{other:?}"),
    }
    assert_eq!(s.items[board].unit_cost, 200.0);

    // Triangular 10/14/24 shifted to 14/18/28: the simulated mean (discretised) moves by 4.
    let lead = |sc: &Scenario| {
        let sup = sc.suppliers.iter().find(|x| x.id == "overseas").unwrap();
        sup.lead_time.mean()
    };
    assert!((lead(&s) - lead(&base) - 4.0).abs() < 1e-6);
    let domestic = s.suppliers.iter().find(|x| x.id == "domestic").unwrap();
    assert_eq!(domestic.on_time_probability, 0.5);
    // Nothing else moved: the policies keep their order.
    let names = |sc: &Scenario| {
        sc.policies
            .iter()
            .map(|p| p.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&s), names(&base));
}

#[test]
fn peak_season_and_the_kanban_reference_can_be_changed() {
    let s = changed(
        "peak-season.toml",
        &[
            ("disruption.promotion.factor.mean", 3.0),
            ("policy.kanban-prebuild.prebuild.factor", 2.0),
            ("supplier.contract-manufacturer.lead_time.mean", 8.0),
            ("item.gift-set.demand.mean", 100.0),
            ("disruption.holiday-staffing.duration_days", 20.4),
        ],
    );
    let promotion = s.disruptions.iter().find(|d| d.id == "promotion").unwrap();
    match &promotion.effect {
        Effect::DemandSurge { factor, .. } => {
            assert_eq!(*factor, Factor::Uniform { min: 2.5, max: 3.5 })
        }
        other => panic!("{other:?}"),
    }
    let prebuild = policy_index(&s, "kanban-prebuild");
    assert_eq!(s.policies[prebuild].prebuilds.0[0].factor, 2.0);
    let staffing = s
        .disruptions
        .iter()
        .find(|d| d.id == "holiday-staffing")
        .unwrap();
    assert!(matches!(
        staffing.occurrence,
        Occurrence::Scheduled {
            duration_days: 20,
            ..
        }
    ));
    let gift = item_index(&s, "gift-set");
    assert_eq!(
        s.items[gift].demand.distribution,
        DemandDistribution::Poisson { mean: 100.0 }
    );

    let s = changed(
        "kanban-reference.toml",
        &[
            ("simulation.horizon_days", 730.0),
            ("supplier.local-supplier.lead_time.mean", 4.0),
        ],
    );
    assert_eq!(s.horizon_days, 730);
    let expected = DayDistribution::new(&buffersim::foundation::days::DaysSpec::Fixed(4), 1);
    assert_eq!(s.suppliers[0].lead_time.mean(), expected.mean());
    // (50 × 4 × 1.2) / 25 = 9.6: 10 containers.
    let kanban = policy_index(&s, "kanban");
    assert_eq!(
        s.policies[kanban].items[0]
            .sizing
            .kanban
            .as_ref()
            .unwrap()
            .containers,
        10
    );
}

#[test]
fn errors_name_the_alternatives() {
    let e = error("kanban-vs-jic.toml", "item.widget.unit_cost");
    let text = e.to_string();
    for id in ["controller-board", "power-supply", "enclosure"] {
        assert!(text.contains(&format!("`{id}`")), "{text}");
    }

    let e = error("kanban-vs-jic.toml", "policy.jit.safety_factor");
    assert!(e.to_string().contains("`jic-95-rush`"), "{e}");

    let e = error("kanban-vs-jic.toml", "item.enclosure.demand.variance");
    let available = listed(&e);
    for field in [
        "item.enclosure.unit_cost",
        "item.enclosure.demand.mean",
        "item.enclosure.demand.sd",
        "item.enclosure.container_size",
    ] {
        assert!(available.iter().any(|a| a == field), "{available:?}");
    }
    // Each listed field is a PARAM that resolves.
    for field in available {
        target("kanban-vs-jic.toml", field);
    }

    let e = error("kanban-vs-jic.toml", "supplier.overseas.min");
    assert!(matches!(e, ParamError::Ambiguous { .. }));
    assert_eq!(
        listed(&e),
        [
            "supplier.overseas.lead_time.min",
            "supplier.overseas.lateness.min"
        ]
    );

    let e = Param::parse("factory.a.b").unwrap_err();
    assert!(matches!(e, ParamError::UnknownKind { .. }));
    let e = error("kanban-reference.toml", "disruption.port.rate_per_year");
    assert!(e.to_string().contains("it has no disruption at all"), "{e}");

    // A value the scenario rules out: the message names the field, not a line of the
    // re-written text.
    let (text, path) = example("kanban-reference.toml");
    let bad = [(Param::parse("policy.kanban.safety_factor").unwrap(), -2.0)];
    let e = scenario_with(&text, &path, &bad).unwrap_err();
    let message = format!("{e:#}");
    assert!(
        message.contains("policy.kanban.safety_factor = -2"),
        "{message}"
    );
    assert!(message.contains("safety_factor"), "{message}");
    assert!(!message.contains("line "), "{message}");
}

#[test]
fn a_rule_parameter_can_be_given_to_one_item() {
    let (text, path) = example("kanban-vs-jic.toml");
    let mut doc = param::parse_document(&text, &path).unwrap();
    let level = Param::parse("policy.jic-95.service_level").unwrap();
    assert_eq!(
        resolve_for_item(&doc, &level, "enclosure").unwrap().current,
        0.95
    );
    set_for_item(&mut doc, &level, "enclosure", 0.995).unwrap();
    let s = param::scenario_from(&doc, &path).unwrap();
    let base = Scenario::from_source(&text, &path).unwrap();
    let jic = policy_index(&s, "jic-95");
    let enclosure = item_index(&s, "enclosure");
    let board = item_index(&s, "controller-board");
    let ss = |sc: &Scenario, i: usize| sc.policies[jic].items[i].sizing.safety_stock.unwrap();
    assert!(ss(&s, enclosure) > ss(&base, enclosure));
    assert_eq!(ss(&s, board), ss(&base, board));
    // The copy keeps the rule's other settings.
    assert_eq!(
        s.policies[jic].items[enclosure].sizing.order_quantity,
        base.policies[jic].items[enclosure].sizing.order_quantity
    );

    // The hybrid's controller board already has its own kanban rule.
    let factor = Param::parse("policy.kanban.safety_factor").unwrap();
    set_for_item(&mut doc, &factor, "power-supply", 0.5).unwrap();
    let days = Param::parse("policy.hybrid.safety_stock_days").unwrap();
    let e = set_for_item(&mut doc, &days, "controller-board", 10.0).unwrap_err();
    assert!(e.to_string().contains("own `kanban` rule"), "{e}");
    set_for_item(&mut doc, &days, "enclosure", 45.0).unwrap();
    let s = param::scenario_from(&doc, &path).unwrap();
    assert_kanban_sized(&s, "kanban", "power-supply", 0.5);
    assert_kanban_sized(&s, "kanban", "enclosure", 0.2);
    let hybrid = policy_index(&s, "hybrid");
    let sizing = &s.policies[hybrid].items[enclosure].sizing;
    assert!((sizing.safety_stock.unwrap() - 45.0 * sizing.mean_daily_demand).abs() < 1e-6);
}

/// Every numeric field of every entity of every example, written back with its own value,
/// gives a valid scenario: the listing, resolution and writing agree with the format.
#[test]
fn every_field_of_every_example_can_be_set_to_its_value() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let base = Scenario::from_source(&text, &path).unwrap();
        let doc = param::parse_document(&text, &path).unwrap();
        let mut entities = vec!["simulation".to_string()];
        entities.extend(base.policies.iter().map(|p| format!("policy.{}", p.name)));
        entities.extend(base.items.iter().map(|i| format!("item.{}", i.id)));
        entities.extend(base.suppliers.iter().map(|s| format!("supplier.{}", s.id)));
        entities.extend(
            base.disruptions
                .iter()
                .map(|d| format!("disruption.{}", d.id)),
        );
        for entity in entities {
            let probe = Param::parse(&format!("{entity}.no_such_field")).unwrap();
            let Err(ParamError::NoField { available, .. }) = resolve(&doc, &probe) else {
                panic!("{entity}: no NoField error");
            };
            assert!(!available.is_empty(), "{entity}");
            for field in available {
                let param = Param::parse(&field).unwrap();
                let t = resolve(&doc, &param).unwrap_or_else(|e| panic!("{field}: {e}"));
                let s = scenario_with(&text, &path, &[(param, t.current)])
                    .unwrap_or_else(|e| panic!("{}: {field}: {e:#}", path.display()));
                assert_eq!(s.policies.len(), base.policies.len());
                assert_eq!(s.horizon_days, base.horizon_days, "{field}");
            }
        }
    }
}

#[test]
fn grids_of_integral_fields_step_by_whole_days() {
    let vary = Vary::parse("disruption.overseas-outage.duration_days.mean=10..14:9").unwrap();
    let t = target("kanban-vs-jic.toml", vary.param.as_str());
    assert!(t.integral);
    assert_eq!(vary.for_target(t.integral), [10.0, 11.0, 12.0, 13.0, 14.0]);
    let vary = Vary::parse("policy.kanban.safety_factor=0.5..0:6").unwrap();
    let t = target("kanban-vs-jic.toml", vary.param.as_str());
    assert_eq!(vary.for_target(t.integral), [0.5, 0.4, 0.3, 0.2, 0.1, 0.0]);
}

/// The defaults a parameter reads for an absent field are the ones the scenario format applies.
#[test]
fn absent_fields_read_the_formats_defaults() {
    let text = r#"
[simulation]
seed = 3

[[supplier]]
id = "s"
lead_time = { fixed = 2 }

[[item]]
id = "i"
unit_cost = 4.0
demand = { deterministic = 10 }

[policy.p.rule.base_stock]
safety_stock_days = 1
"#;
    let path = Path::new("defaults.toml");
    let s = Scenario::from_source(text, path).unwrap();
    let doc = param::parse_document(text, path).unwrap();
    let read = |p: &str| {
        let t = resolve(&doc, &Param::parse(p).unwrap()).unwrap();
        assert_eq!(t.field, p, "an absent field resolves to itself");
        t.current
    };
    assert_eq!(read("simulation.horizon_days"), f64::from(s.horizon_days));
    assert_eq!(read("simulation.warmup_days"), f64::from(s.warmup_days));
    assert_eq!(read("simulation.runs"), s.runs as f64);
    assert_eq!(
        read("simulation.start_day_of_year"),
        f64::from(s.start_day_of_year)
    );
    let sup = &s.suppliers[0];
    assert_eq!(
        read("supplier.s.on_time_probability"),
        sup.on_time_probability
    );
    assert_eq!(
        read("supplier.s.min_order_quantity"),
        sup.min_order_quantity
    );
    assert_eq!(
        read("supplier.s.rejection_probability"),
        sup.rejection_probability
    );
    assert_eq!(read("supplier.s.unit_cost_premium"), sup.unit_cost_premium);
    let item = &s.items[0];
    assert_eq!(read("item.i.carrying_rate"), item.carrying_rate);
    assert_eq!(read("item.i.order_cost"), item.order_cost);
    assert_eq!(read("item.i.stockout_penalty"), item.stockout_penalty);
    assert_eq!(read("item.i.trend_per_year"), item.demand.trend_per_year);
    assert_eq!(
        read("policy.p.reserve_days"),
        s.policies[0].items[0].reserve
    );
    // Setting one adds it.
    let changed = scenario_with(
        text,
        path,
        &[(Param::parse("simulation.warmup_days").unwrap(), 30.0)],
    )
    .unwrap();
    assert_eq!(changed.warmup_days, 30);
}
