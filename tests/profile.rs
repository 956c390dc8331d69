//! `buffersim profile` and `buffersim synth` (issue 6): the profile recovers what a synthetic
//! history was generated from, writes a scenario that runs, and says clearly what it did with
//! malformed or messy input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use buffersim::model::scenario::Scenario;
use buffersim::profile::check;
use buffersim::profile::classify::{Abc, AbcCuts, Posture, Xyz, XyzCuts};
use buffersim::profile::synth::{self, PlantedOutage, PlantedSurge, SynthData, SynthOptions};
use buffersim::profile::{InputFiles, ItemProfile, Profile, ProfileOptions};

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Synthetic history written into a fresh folder.
fn synthetic(options: &SynthOptions) -> (tempfile::TempDir, SynthData, InputFiles) {
    let dir = tempfile::tempdir().unwrap();
    let data = synth::generate(options);
    synth::write(&data, dir.path()).unwrap();
    let files = InputFiles {
        demand: dir.path().join("demand.csv"),
        deliveries: Some(dir.path().join("deliveries.csv")),
        items: Some(dir.path().join("items.csv")),
    };
    (dir, data, files)
}

fn item<'a>(profile: &'a Profile, id: &str) -> &'a ItemProfile {
    profile.items.iter().find(|i| i.item == id).unwrap()
}

/// Relative standard error of a coefficient of variation from n independent values with this
/// kurtosis: sample sd ≈ sqrt((κ − 1)/4n), sample mean cv/√n, taken as independent.
fn cv_relative_se(cv: f64, kurtosis: f64, n: f64) -> f64 {
    ((kurtosis - 1.0) / (4.0 * n) + cv * cv / n).sqrt()
}

#[test]
fn the_profile_recovers_demand_parameters_and_classes() {
    let (_dir, data, files) = synthetic(&SynthOptions::default());
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    assert_eq!(profile.items.len(), data.items.len());
    let mut classified = 0;
    for truth in &data.items {
        let p = item(&profile, &truth.id);
        let s = &p.demand.stats;
        assert_eq!(
            s.period_days,
            if truth.weekly { 7 } else { 1 },
            "{}",
            truth.id
        );
        let days = (s.periods * s.period_days as usize) as f64;
        let mean_tolerance = 4.0 * truth.sd / days.sqrt();
        assert!(
            (s.mean - truth.mean).abs() <= mean_tolerance,
            "{}: mean {} vs {} ± {mean_tolerance}",
            truth.id,
            s.mean,
            truth.mean
        );
        // Weekly totals: fewer, less heavy-tailed values.
        let (n, kurtosis) = if truth.weekly {
            (s.periods as f64, 3.0 + (truth.kurtosis - 3.0) / 7.0)
        } else {
            (days, truth.kurtosis)
        };
        let cv_tolerance = 4.0 * truth.cv * cv_relative_se(truth.cv, kurtosis, n);
        assert!(
            (s.cv - truth.cv).abs() <= cv_tolerance,
            "{}: CV {} vs {} ± {cv_tolerance}",
            truth.id,
            s.cv,
            truth.cv
        );
        let cuts = AbcCuts::default();
        let clear_abc = [cuts.a, cuts.a + cuts.b]
            .iter()
            .all(|cut| (truth.share_above - cut).abs() > 0.03);
        if clear_abc {
            assert_eq!(p.abc, truth.abc, "{}", truth.id);
            classified += 1;
        }
        let xyz = XyzCuts::default();
        if [xyz.x, xyz.y]
            .iter()
            .all(|cut| (truth.cv - cut).abs() > cv_tolerance)
        {
            assert_eq!(p.xyz, truth.xyz, "{}", truth.id);
        }
        if truth.seasonal {
            assert!(s.seasonality.strong(), "{}: {:?}", truth.id, s.seasonality);
            assert_eq!(p.recommendation.posture, Posture::Prebuild, "{}", truth.id);
        } else {
            assert!(!s.seasonality.strong(), "{}: {:?}", truth.id, s.seasonality);
        }
    }
    assert!(
        classified >= 25,
        "only {classified} items away from the ABC cut-offs"
    );
    // Every cell of the matrix is filled, as generated.
    for abc in [Abc::A, Abc::B, Abc::C] {
        for xyz in [Xyz::X, Xyz::Y, Xyz::Z] {
            assert!(profile.items.iter().any(|i| i.abc == abc && i.xyz == xyz));
        }
    }
}

#[test]
fn the_profile_recovers_supplier_performance() {
    let (_dir, data, files) = synthetic(&SynthOptions::default());
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    for truth in &data.suppliers {
        let s = profile.suppliers.iter().find(|s| s.id == truth.id).unwrap();
        let n = s.deliveries as f64;
        assert!(n > 300.0, "{}: {n} deliveries", truth.id);
        let on_time_se = (truth.on_time * (1.0 - truth.on_time) / n).sqrt();
        assert!(
            (s.on_time_rate - truth.on_time).abs() <= 4.0 * on_time_se,
            "{}: on time {} vs {}",
            truth.id,
            s.on_time_rate,
            truth.on_time
        );
        let lead_se = s.lead_time_sd / n.sqrt();
        assert!(
            (s.lead_time_mean - truth.lead_time_mean).abs() <= 4.0 * lead_se,
            "{}: lead time {} vs {}",
            truth.id,
            s.lead_time_mean,
            truth.lead_time_mean
        );
    }
}

#[test]
fn postures_follow_the_rules() {
    let (_dir, _data, files) = synthetic(&SynthOptions::default());
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    for p in &profile.items {
        let rec = &p.recommendation;
        assert!(!rec.summary.is_empty(), "{}", p.item);
        match rec.posture {
            Posture::Kanban | Posture::MinMax => {
                assert!(matches!(p.abc, Abc::A | Abc::B), "{}", p.item);
                assert_ne!(p.xyz, Xyz::Z, "{}", p.item);
                assert!(
                    p.supply.on_time >= 0.95 && p.supply.lead_mean <= 5.0,
                    "{}",
                    p.item
                );
                assert!(!rec.reasons_for.is_empty(), "{}", p.item);
            }
            Posture::ReorderPoint => assert!(!rec.reasons_against.is_empty(), "{}", p.item),
            Posture::Prebuild => assert!(p.demand.stats.seasonality.strong(), "{}", p.item),
            Posture::NoDemand => panic!("{} has demand", p.item),
        }
    }
    // The reliable local supplier's stable, valuable items are the kanban candidates.
    let kanban = profile
        .items
        .iter()
        .filter(|p| p.recommendation.posture == Posture::Kanban)
        .count();
    assert!(kanban >= 1, "no kanban item");
}

#[test]
fn the_written_scenario_loads_and_runs() {
    let (dir, data, files) = synthetic(&SynthOptions {
        items: 14,
        months: 18,
        ..SynthOptions::default()
    });
    let out = dir.path().join("profile");
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let written = buffersim::profile::write::write_all(&profile, &out).unwrap();
    assert_eq!(written.len(), 6);
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.items.len(), data.items.len());
    let names: Vec<&str> = scenario.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["all-jit", "all-jic", "recommended"]);
    let csv = std::fs::read_to_string(out.join("profile.csv")).unwrap();
    assert_eq!(csv.lines().count(), data.items.len() + 1);
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("## ABC-XYZ matrix") && md.contains("## Data notes"));
    buffersim()
        .args(["run"])
        .arg(out.join("scenario.toml"))
        .args(["--runs", "20", "--out"])
        .arg(dir.path().join("run"))
        .assert()
        .success()
        .stdout(predicates::str::contains("recommended"));
}

#[test]
fn synth_and_profile_commands_work_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    buffersim()
        .args([
            "synth", "--items", "10", "--months", "13", "--seed", "3", "--out",
        ])
        .arg(&data)
        .assert()
        .success();
    let out = dir.path().join("out");
    buffersim()
        .arg("profile")
        .arg(data.join("demand.csv"))
        .arg("--deliveries")
        .arg(data.join("deliveries.csv"))
        .arg("--items")
        .arg(data.join("items.csv"))
        .args(["--abc", "70,20", "--xyz", "0.4,0.9", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("ABC-XYZ"))
        .stderr(predicates::str::contains("warning: demand.csv line"));
    for file in [
        "profile.csv",
        "suppliers.csv",
        "profile.md",
        "scenario.toml",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("A: the first 70% of value, B: the next 20%"));
    assert!(md.contains("X < 0.4, Y < 0.9"));
}

/// Issue 23: outages planted in the deliveries are found (supplier, start and length within a
/// week: deliveries are a few days apart), left out of the suppliers' stable figures, and
/// written into the scenario as outages at the planted rate (stretches per year of history).
#[test]
fn issue_23_planted_outages_are_found_and_written_as_disruptions() {
    let outage = |supplier: &str, start: &str, days| PlantedOutage {
        supplier: supplier.into(),
        start: buffersim::profile::date::Date::parse(start).unwrap(),
        days,
    };
    let planted = vec![
        outage("local-express", "2024-06-03", 30),
        outage("overseas-mfg", "2024-10-01", 45),
        outage("local-express", "2025-03-10", 21),
    ];
    let (dir, data, files) = synthetic(&SynthOptions {
        outages: planted.clone(),
        ..SynthOptions::default()
    });
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let found = &profile.disruptions.stretches;
    assert_eq!(found.len(), planted.len(), "{found:#?}");
    for p in &planted {
        let s = found
            .iter()
            .find(|s| s.supplier == p.supplier && (-7..=7).any(|k| p.start.plus(k) == s.start))
            .unwrap_or_else(|| panic!("{p:?} not found in {found:#?}"));
        assert!(s.stopped, "{s:?}");
        assert!(
            (i64::from(s.days()) - i64::from(p.days)).abs() <= 7,
            "{s:?} for {p:?}"
        );
    }
    // The stable figures leave the outages out: the on-time rates are the generated ones.
    for id in ["local-express", "overseas-mfg"] {
        let supplier = profile.suppliers.iter().find(|s| s.id == id).unwrap();
        let truth = data.suppliers.iter().find(|s| s.id == id).unwrap();
        let se = (truth.on_time * (1.0 - truth.on_time) / supplier.deliveries as f64).sqrt();
        assert!(supplier.left_out > 0, "{id}");
        assert!(
            (supplier.on_time_rate - truth.on_time).abs() <= 4.0 * se,
            "{id}: on time {} against {}",
            supplier.on_time_rate,
            truth.on_time
        );
    }
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let csv = std::fs::read_to_string(out.join("disruptions.csv")).unwrap();
    assert_eq!(csv.lines().count(), planted.len() + 1);
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.disruptions.len(), 2);
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let years = 2.0;
    for (id, supplier, stretches) in [
        ("local-express-outage", "local-express", 2.0),
        ("overseas-mfg-outage", "overseas-mfg", 1.0),
    ] {
        let d = table["disruption"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no disruption {id} in\n{text}"));
        assert_eq!(
            d["effect"]["supplier_outage"]["supplier"].as_str(),
            Some(supplier)
        );
        let rate = d["occurrence"]["random"]["rate_per_year"]
            .as_float()
            .unwrap();
        assert!(
            (rate - stretches / years).abs() < 0.02,
            "{id}: rate {rate} against {}",
            stretches / years
        );
    }
}

/// Issue 23: an outage of two suppliers of one region at once (the deliveries' `region`
/// column) is one regional event, written as one `regional_event` of the region rather than
/// an outage per supplier; an outage of a supplier alone stays its own.
#[test]
fn issue_23_a_regional_outage_is_one_regional_disruption() {
    let outage = |supplier: &str, start: &str, days| PlantedOutage {
        supplier: supplier.into(),
        start: buffersim::profile::date::Date::parse(start).unwrap(),
        days,
    };
    let planted = vec![
        outage("local-express", "2024-06-03", 30),
        outage("overseas-mfg", "2024-10-01", 45),
        outage("specialist", "2024-10-03", 40),
    ];
    let (dir, _, files) = synthetic(&SynthOptions {
        outages: planted,
        ..SynthOptions::default()
    });
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let history = &profile.disruptions;
    assert_eq!(history.stretches.len(), 3, "{:#?}", history.stretches);
    assert_eq!(history.regions["specialist"], "asia");
    assert_eq!(history.regions["local-express"], "home");
    assert_eq!(history.regional.len(), 1, "{:#?}", history.regional);
    let event = &history.regional[0];
    assert_eq!(event.region, "asia");
    assert_eq!(event.suppliers, ["overseas-mfg", "specialist"]);
    let planted_start = buffersim::profile::date::Date::parse("2024-10-01").unwrap();
    assert!(
        (-7..=7).any(|k| planted_start.plus(k) == event.start),
        "{event:?}"
    );
    assert!((i64::from(event.days()) - 45).abs() <= 7, "{event:?}");
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.disruptions.len(), 2);
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let disruptions = table["disruption"].as_array().unwrap();
    let ids: Vec<&str> = disruptions
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["local-express-outage", "asia-regional-outage"],
        "{text}"
    );
    let regional = &disruptions[1];
    assert_eq!(
        regional["effect"]["regional_event"]["region"].as_str(),
        Some("asia")
    );
    let rate = regional["occurrence"]["random"]["rate_per_year"]
        .as_float()
        .unwrap();
    assert!((rate - 0.5).abs() < 0.02, "rate {rate}");
    let csv = std::fs::read_to_string(out.join("disruptions.csv")).unwrap();
    assert_eq!(
        csv.lines().filter(|l| l.contains(",asia,asia ")).count(),
        2,
        "{csv}"
    );
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("| asia | "), "{md}");
}

/// `synth --outages N --surges N` plants known events, says where on stderr, and `profile`
/// finds them.
#[test]
fn synth_plants_outages_and_surges_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let assert = buffersim()
        .args(["synth", "--outages", "2", "--surges", "3", "--out"])
        .arg(&data)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(
        stderr.matches("planted an outage of").count(),
        2,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("planted a demand surge of").count(),
        3,
        "{stderr}"
    );
    let out = dir.path().join("out");
    buffersim()
        .arg("profile")
        .arg(data.join("demand.csv"))
        .arg("--deliveries")
        .arg(data.join("deliveries.csv"))
        .arg("--items")
        .arg(data.join("items.csv"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut options = SynthOptions::default();
    options.plant(2, 3);
    let surges = std::fs::read_to_string(out.join("surges.csv")).unwrap();
    for p in &options.surges {
        assert!(
            surges
                .lines()
                .any(|l| l.starts_with(&format!("{},", p.item))
                    && (-7..=7).any(|k| l.contains(&format!(",{},", p.start.plus(k))))),
            "{p:?} not in\n{surges}"
        );
    }
    let disruptions = std::fs::read_to_string(out.join("disruptions.csv")).unwrap();
    for p in &options.outages {
        assert!(
            disruptions
                .lines()
                .any(|l| l.starts_with(&format!("{},", p.supplier))
                    && (-7..=7).any(|k| l.contains(&format!(",{},", p.start.plus(k))))),
            "{p:?} not in\n{disruptions}"
        );
    }
    Scenario::load(&out.join("scenario.toml")).unwrap();
}

/// Issue 23: the JIT prerequisites of the reference texts are checked per item, each failing
/// on its own: on time above 95%, lead time under 5 days, MOQ at most a week of demand (the
/// texts' example: 1,000-unit minimum orders against about 200 a week).
#[test]
fn issue_23_supplier_qualification_names_the_prerequisite_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let day0 = buffersim::profile::date::Date::parse("2024-01-01").unwrap();
    let mut demand = String::from("date,item,quantity\n");
    for k in 0..200 {
        for (item, q) in [("a", 50), ("b", 50), ("c", 50), ("d", 30)] {
            demand.push_str(&format!("{},{item},{}\n", day0.plus(k), q + k % 3));
        }
    }
    let mut deliveries = String::from(
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,\
         quantity_received,quantity_rejected\n",
    );
    // fast: 2 days, always on time; late-co: 2 days, one in ten 2 days late; far: 8 days.
    for k in 0..190 {
        let ordered = day0.plus(k);
        for (supplier, item, lead, late) in [
            ("fast", "a", 2, 0),
            ("late-co", "b", 2, if k % 10 == 0 { 2 } else { 0 }),
            ("far", "c", 8, 0),
            ("fast", "d", 2, 0),
        ] {
            let promised = ordered.plus(lead);
            deliveries.push_str(&format!(
                "{supplier},{item},{ordered},{promised},{},50,50,0\n",
                promised.plus(late)
            ));
        }
    }
    let items =
        "item,unit_cost,suppliers,moq\na,5,fast,100\nb,5,late-co,\nc,5,far,\nd,5,fast,1000\n";
    let files = InputFiles {
        demand: file(dir.path(), "demand.csv", &demand),
        deliveries: Some(file(dir.path(), "deliveries.csv", &deliveries)),
        items: Some(file(dir.path(), "items.csv", items)),
    };
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    use buffersim::profile::qualify::Check;
    let q = |id: &str| item(&profile, id).qualification.clone();
    let a = q("a");
    assert!(a.qualified() && a.failures.is_empty(), "{a:?}");
    assert_eq!(
        (a.on_time, a.lead_time, a.moq),
        (Check::Pass, Check::Pass, Check::Pass)
    );
    let b = q("b");
    assert_eq!(
        (b.on_time, b.lead_time, b.moq),
        (Check::Fail, Check::Pass, Check::Unknown)
    );
    assert_eq!(b.failures, ["on time 90.0% (needs above 95%)"]);
    let c = q("c");
    assert_eq!((c.on_time, c.lead_time), (Check::Pass, Check::Fail));
    assert_eq!(c.failures, ["lead time 8.0 days (needs under 5)"]);
    let d = q("d");
    assert_eq!(d.moq, Check::Fail);
    assert!(!d.qualified());
    assert_eq!(
        d.failures,
        ["MOQ 1000 against a weekly demand of 217 (needs at most a week)"]
    );
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let csv = std::fs::read_to_string(out.join("profile.csv")).unwrap();
    // The last six columns: moq, jit_on_time, jit_lead_time, jit_moq, jit_fails and check
    // (empty: not checked by simulation here); earlier cells may hold quoted commas.
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",moq,jit_on_time,jit_lead_time,jit_moq,jit_fails,check")
    );
    let row_d: Vec<&str> = csv
        .lines()
        .find(|l| l.starts_with("d,"))
        .unwrap()
        .rsplitn(7, ',')
        .collect();
    assert_eq!(
        &row_d[..6],
        [
            "",
            "MOQ 1000 against a weekly demand of 217 (needs at most a week)",
            "fail",
            "pass",
            "pass",
            "1000"
        ]
    );
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("## Supplier qualification"), "{md}");
    assert!(
        md.contains("| c | 100.0% (pass) | 8.0 (fail) | — | no | lead time 8.0 days"),
        "{md}"
    );
}

/// Issue 23: demand surges planted in the history are found (item, start and length within a
/// week: demand is judged in weeks), written into the scenario as demand surges at the planted
/// rate, items that surged together sharing one disruption, and left out of the items' normal
/// demand: the fitted mean is the planted base level, not the level the surges inflate.
#[test]
fn issue_23_planted_surges_are_found_and_kept_out_of_normal_demand() {
    let surge = |item: &str, start: &str, days, factor| PlantedSurge {
        item: item.into(),
        start: buffersim::profile::date::Date::parse(start).unwrap(),
        days,
        factor,
    };
    // SKU-1001: steady normal, 80 a day; SKU-1004: Poisson counts, 30 a day; SKU-1010: steady
    // normal, 104 a day. The last two surge together once, in a week that does not start on
    // the history's weekday.
    let planted = vec![
        surge("SKU-1001", "2024-03-04", 28, 3.0),
        surge("SKU-1001", "2025-05-05", 21, 2.5),
        surge("SKU-1004", "2024-09-04", 21, 3.0),
        surge("SKU-1010", "2024-09-04", 21, 3.0),
    ];
    let (dir, data, files) = synthetic(&SynthOptions {
        surges: planted.clone(),
        ..SynthOptions::default()
    });
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let found = &profile.surges.surges;
    assert_eq!(found.len(), planted.len(), "{found:#?}");
    for p in &planted {
        let s = found
            .iter()
            .find(|s| s.item == p.item && (-7..=7).any(|k| p.start.plus(k) == s.start))
            .unwrap_or_else(|| panic!("{p:?} not found in {found:#?}"));
        assert!(
            (i64::from(s.days()) - i64::from(p.days)).abs() <= 7,
            "{s:?} for {p:?}"
        );
        assert!(
            s.factor > 1.8 && s.factor < p.factor * 1.1,
            "{s:?} for {p:?}"
        );
    }
    // The normal level is the planted base level (within four standard errors of a mean of
    // the stable days), while the mean of the whole history is inflated well beyond that.
    let demand = std::fs::read_to_string(&files.demand).unwrap();
    for id in ["SKU-1001", "SKU-1004", "SKU-1010"] {
        let truth = data.items.iter().find(|t| t.id == id).unwrap();
        let fitted = item(&profile, id);
        let n = fitted.demand.stats.periods as f64;
        let se = truth.sd / n.sqrt();
        assert!(
            (fitted.demand.stats.mean - truth.mean).abs() <= 4.0 * se,
            "{id}: normal mean {} against the planted {}",
            fitted.demand.stats.mean,
            truth.mean
        );
        assert!(n < 730.0 - 20.0, "{id}: {n} days kept");
        let total: f64 = demand
            .lines()
            .filter(|l| l.split(',').nth(1) == Some(id))
            .filter_map(|l| l.split(',').nth(2)?.parse::<f64>().ok())
            .filter(|q| *q > 0.0)
            .sum();
        let whole_mean = total / 731.0;
        assert!(
            whole_mean > truth.mean + 8.0 * se,
            "{id}: the surges should inflate the whole-history mean ({whole_mean})"
        );
    }
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let csv = std::fs::read_to_string(out.join("surges.csv")).unwrap();
    assert_eq!(csv.lines().count(), planted.len() + 1);
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("## Demand surges") && md.contains("| SKU-1001 | 2024-03-04 |"));
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.disruptions.len(), 2);
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    let years = 731.0 / 365.25;
    for (id, items, events) in [
        ("SKU-1001-surge", vec!["SKU-1001"], 2.0),
        (
            "surge-SKU-1004-and-1-more",
            vec!["SKU-1004", "SKU-1010"],
            1.0,
        ),
    ] {
        let d = table["disruption"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"].as_str() == Some(id))
            .unwrap_or_else(|| panic!("no disruption {id} in\n{text}"));
        let named: Vec<&str> = d["effect"]["demand_surge"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(named, items);
        let rate = d["occurrence"]["random"]["rate_per_year"]
            .as_float()
            .unwrap();
        assert!(
            (rate - events / years).abs() < 0.02,
            "{id}: rate {rate} against {}",
            events / years
        );
    }
    buffersim()
        .args(["run"])
        .arg(out.join("scenario.toml"))
        .args(["--runs", "20", "--out"])
        .arg(dir.path().join("run"))
        .assert()
        .success();
}

/// Issue 23: a stretch in which deliveries kept arriving, but late beyond the threshold, is
/// slow rather than stopped, and is written as a lead-time drift that the scenario accepts.
#[test]
fn issue_23_a_slow_stretch_is_written_as_a_lead_time_drift() {
    let dir = tempfile::tempdir().unwrap();
    let day0 = buffersim::profile::date::Date::parse("2024-01-01").unwrap();
    let mut demand = String::from("date,item,quantity\n");
    for k in 0..200 {
        demand.push_str(&format!("{},a,{}\n", day0.plus(k), 10 + k % 3));
    }
    let mut deliveries = String::from(
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,\
         quantity_received,quantity_rejected\n",
    );
    // Daily orders quoted at 5 days; those due on days 100–129 arrive 20 days late.
    for k in 0..190 {
        let (ordered, promised) = (day0.plus(k), day0.plus(k + 5));
        let late = if (100..130).contains(&(k + 5)) { 20 } else { 0 };
        deliveries.push_str(&format!(
            "slow-co,a,{ordered},{promised},{},10,10,0\n",
            promised.plus(late)
        ));
    }
    let files = InputFiles {
        demand: file(dir.path(), "demand.csv", &demand),
        deliveries: Some(file(dir.path(), "deliveries.csv", &deliveries)),
        items: None,
    };
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let found = &profile.disruptions.stretches;
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(!found[0].stopped && found[0].start == day0.plus(100));
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.disruptions.len(), 1);
    let text = std::fs::read_to_string(out.join("scenario.toml")).unwrap();
    assert!(
        text.contains("lead_time_drift = { supplier = \"slow-co\", factor = 5"),
        "{text}"
    );
}

/// The committed example data profiles without surprises and reproduces the committed output.
#[test]
fn the_committed_example_is_current() {
    let files = InputFiles {
        demand: "scenarios/data/demand.csv".into(),
        deliveries: Some("scenarios/data/deliveries.csv".into()),
        items: Some("scenarios/data/items.csv".into()),
    };
    let fresh = synth::generate(&SynthOptions::default());
    let committed = std::fs::read_to_string(&files.demand).unwrap();
    assert!(
        committed == fresh.demand_csv,
        "scenarios/data is not what `buffersim synth` writes; regenerate it"
    );
    let mut profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let runs = check::default_runs(&profile);
    profile.check = Some(check::check(&mut profile, runs).unwrap());
    let toml = buffersim::profile::scenario_out::scenario_toml(&profile);
    let committed = std::fs::read_to_string("results/profile-example/scenario.toml").unwrap();
    assert!(
        committed == toml,
        "results/profile-example is stale; regenerate it with `buffersim profile` (see README)"
    );
}

/// Write `text` as `name` in a fresh folder.
fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn demand_only(path: PathBuf) -> InputFiles {
    InputFiles {
        demand: path,
        deliveries: None,
        items: None,
    }
}

fn error_of(files: &InputFiles) -> String {
    Profile::from_files(files, ProfileOptions::default())
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_csvs_give_errors_naming_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let missing = error_of(&demand_only(file(
        d,
        "m.csv",
        "date,sku_code,qty\n2024-01-01,a,1\n",
    )));
    assert!(
        missing.contains("m.csv") && missing.contains("no 'item' column"),
        "{missing}"
    );
    assert!(missing.contains("accepted names: item, sku"), "{missing}");
    assert!(
        missing.contains("its columns are: date, sku_code, qty"),
        "{missing}"
    );

    let bad_date = error_of(&demand_only(file(
        d,
        "d.csv",
        "date,item,quantity\n2024-01-01,a,1\n2024-13-01,a,2\n",
    )));
    assert!(bad_date.contains("d.csv"), "{bad_date}");
    assert!(
        bad_date.contains(
            "line 3, column 'date': '2024-13-01' is not a date; write dates as YYYY-MM-DD"
        ),
        "{bad_date}"
    );

    let bad_number = error_of(&demand_only(file(
        d,
        "q.csv",
        "date,item,quantity\n2024-01-01,a,1\n2024-01-02,a,1\n2024-01-03,a,ten\n2024-01-04,,3\n",
    )));
    assert!(bad_number.contains("q.csv' has 2 bad rows"), "{bad_number}");
    assert!(
        bad_number.contains("line 4, column 'quantity': 'ten' is not a number"),
        "{bad_number}"
    );
    assert!(
        bad_number.contains("line 5, column 'item': is empty"),
        "{bad_number}"
    );

    let demand = file(d, "ok.csv", "date,item,quantity\n2024-01-01,a,1\n");
    let deliveries = file(
        d,
        "del.csv",
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,quantity_received\n\
         s,a,2024-01-01,01/05/2024,2024-01-05,10,10\n",
    );
    let err = error_of(&InputFiles {
        deliveries: Some(deliveries),
        ..demand_only(demand.clone())
    });
    assert!(
        err.contains("del.csv") && err.contains("line 2, column 'promised_date'"),
        "{err}"
    );

    let items = file(d, "it.csv", "item,criticality,unit_cost\na,urgent,-2\n");
    let err = error_of(&InputFiles {
        items: Some(items),
        ..demand_only(demand.clone())
    });
    assert!(
        err.contains(
            "line 2, column 'criticality': 'urgent' is not a criticality; write low, medium or high"
        ),
        "{err}"
    );
    assert!(
        err.contains("line 2, column 'unit_cost': must be from 0.000001"),
        "{err}"
    );

    let quote = error_of(&demand_only(file(
        d,
        "qu.csv",
        "date,item,quantity\n2024-01-01,\"a,1\n",
    )));
    assert!(
        quote.contains("line 2") && quote.contains("not closed"),
        "{quote}"
    );
    let empty = error_of(&demand_only(file(d, "e.csv", "\n\n")));
    assert!(empty.contains("e.csv' is empty"), "{empty}");
    let absent = error_of(&demand_only(d.join("nowhere.csv")));
    assert!(
        absent.contains("cannot read") && absent.contains("nowhere.csv"),
        "{absent}"
    );
}

#[test]
fn a_malformed_csv_exits_with_code_2_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let demand = file(
        dir.path(),
        "demand.csv",
        "date,item,quantity\n2024-01-01,a,1\n2024-02-30,a,2\n",
    );
    buffersim()
        .arg("profile")
        .arg(&demand)
        .arg("--out")
        .arg(dir.path().join("out"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("error: "))
        .stderr(predicates::str::contains("demand.csv"))
        .stderr(predicates::str::contains("line 3, column 'date'"));
    assert!(
        !dir.path().join("out").exists(),
        "nothing is written for bad input"
    );
    buffersim()
        .arg("profile")
        .arg(&demand)
        .args(["--abc", "90,20"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("A + B at most 100"));
}

#[test]
fn messy_data_is_handled_and_every_action_is_noted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut demand = String::from("date,item,quantity\n");
    for day in 1..=28 {
        demand.push_str(&format!("2024-02-{day:02},bolt,{}\n", 10 + day % 3));
    }
    demand.push_str("2024-02-05,bolt,12\n"); // line 30: repeats line 6
    demand.push_str("2024-02-07,bolt,-4\n"); // line 31: a return
    demand.push_str("2024-02-02,nut,3\n2024-02-01,nut,2\n"); // line 33: out of order
    let demand = file(d, "demand.csv", &demand);
    let deliveries = file(
        d,
        "deliveries.csv",
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,quantity_received,quantity_rejected\n\
         acme,bolt,2024-02-01,2024-02-04,2024-02-04,50,50,0\n\
         acme,washer,2024-02-02,2024-02-05,2024-02-06,20,20,0\n\
         acme,bolt,2024-02-10,2024-02-13,2024-02-12,50,50,60\n\
         acme,bolt,2024-02-20,2024-02-23,,50,0,0\n",
    );
    let files = InputFiles {
        demand,
        deliveries: Some(deliveries),
        items: None,
    };
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let notes: Vec<String> = profile.notes.iter().map(|n| n.to_string()).collect();
    let has = |text: &str| notes.iter().any(|n| n.contains(text));
    assert!(
        has("demand.csv line 30: repeats line 6 cell for cell: counted once"),
        "{notes:#?}"
    );
    assert!(
        has("demand.csv line 31: bolt on 2024-02-07: quantity -4 is a return"),
        "{notes:#?}"
    );
    assert!(
        has("demand.csv line 33: nut on 2024-02-01 comes after its row of 2024-02-02"),
        "{notes:#?}"
    );
    assert!(
        has("deliveries.csv line 3: item 'washer' has no demand history"),
        "{notes:#?}"
    );
    assert!(
        has("deliveries.csv line 4: 60 units rejected but 50 received"),
        "{notes:#?}"
    );
    assert!(has("orders not received yet (1)"), "{notes:#?}");
    let bolt = item(&profile, "bolt");
    assert_eq!(bolt.returned_units, 4.0);
    assert_eq!(
        bolt.demand.stats.total,
        (1..=28).map(|d| 10 + d % 3).sum::<i32>() as f64
    );
    let acme = &profile.suppliers[0];
    assert_eq!((acme.deliveries, acme.open_orders), (3, 1));
    assert!((acme.on_time_rate - 2.0 / 3.0).abs() < 1e-12);
    let md = buffersim::profile::write::profile_md(&profile);
    let data_notes = md.split("## Data notes").nth(1).unwrap();
    assert!(
        data_notes.contains("line 31") && data_notes.contains("washer"),
        "{data_notes}"
    );
    // Items without a supplier are still simulated, from a flagged default supplier.
    let nut = item(&profile, "nut");
    assert_eq!(nut.sourcing[0].0, buffersim::profile::UNKNOWN_SUPPLIER);
    assert_eq!(nut.recommendation.posture, Posture::ReorderPoint);
    assert!(has("item 'nut' has no known supplier"), "{notes:#?}");
}

#[test]
fn weekly_rows_are_spread_over_their_days() {
    let dir = tempfile::tempdir().unwrap();
    let mut demand = String::from("date,item,quantity,period\n");
    let start = buffersim::profile::date::Date::parse("2024-01-01").unwrap();
    for week in 0..20 {
        demand.push_str(&format!(
            "{},gear,{}\n",
            start.plus(7 * week),
            70 + 14 * (week % 2)
        ));
    }
    let profile = Profile::from_files(
        &demand_only(file(dir.path(), "w.csv", &demand)),
        ProfileOptions::default(),
    )
    .unwrap();
    let gear = &item(&profile, "gear").demand.stats;
    assert_eq!((gear.period_days, gear.periods), (7, 20));
    assert!((gear.mean - 11.0).abs() < 1e-12);
}

/// Issue 22, item 6: the shipped history, given as one workbook with a sheet per input (dates
/// as Excel dates, numbers as numbers), profiles exactly as the CSV files do; deliveries and
/// items are found on their sheets without being named; a sheet named after a colon is read;
/// a sheet that does not exist is an error listing the sheets.
#[test]
fn a_workbook_profiles_as_its_csv_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("history.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for name in ["demand", "deliveries", "items"] {
        let text = std::fs::read_to_string(format!("scenarios/data/{name}.csv")).unwrap();
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        for (col, h) in header.iter().enumerate() {
            sheet.write_string(0, col as u16, *h).unwrap();
        }
        for (row, line) in lines.enumerate() {
            let row = row as u32 + 1;
            for (col, cell) in line.split(',').enumerate() {
                let col = col as u16;
                if cell.is_empty() {
                    continue;
                }
                if header[col as usize].ends_with("date") {
                    let day = rust_xlsxwriter::ExcelDateTime::parse_from_str(cell).unwrap();
                    sheet
                        .write_datetime_with_format(row, col, &day, &date)
                        .unwrap();
                } else if let Ok(x) = cell.parse::<f64>() {
                    sheet.write_number(row, col, x).unwrap();
                } else {
                    sheet.write_string(row, col, cell).unwrap();
                }
            }
        }
    }
    workbook.save(&book).unwrap();

    let profile = |args: &[&std::ffi::OsStr], out: &str| {
        buffersim()
            .arg("profile")
            .args(args)
            .arg("--out")
            .arg(dir.path().join(out))
            .assert()
            .success();
        ["profile.csv", "suppliers.csv"]
            .map(|f| std::fs::read_to_string(dir.path().join(out).join(f)).unwrap())
    };
    let data = Path::new("scenarios/data");
    let from_csv = profile(
        &[
            data.join("demand.csv").as_os_str(),
            "--deliveries".as_ref(),
            data.join("deliveries.csv").as_os_str(),
            "--items".as_ref(),
            data.join("items.csv").as_os_str(),
        ],
        "csv",
    );
    let from_book = profile(&[book.as_os_str()], "book");
    assert!(from_csv == from_book, "the workbook profiles differently");

    let demand_sheet = dir.path().join("history.xlsx:Demand");
    let named = profile(&[demand_sheet.as_os_str()], "named");
    assert_eq!(named[0].lines().count(), from_csv[0].lines().count());

    let missing = dir.path().join("history.xlsx:Sales");
    let output = buffersim()
        .arg("profile")
        .arg(&missing)
        .arg("--out")
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("has no sheet 'Sales' (its sheets: 'demand', 'deliveries', 'items')"),
        "{stderr}"
    );
}

/// A folder of `tests/data/broken/history/` (the fuzz harness's fixtures).
fn broken_history(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/broken/history")
        .join(name)
}

/// Issue 18, found by the fuzz harness: a quantity of 1.8e308 made the annual value and the
/// value shares infinite, written as `inf` and `NaN%`. Quantities and costs beyond the largest
/// a scenario takes are refused as bad cells, returns included.
#[test]
fn issue_18_fuzz_quantities_beyond_a_scenario_s_range_are_refused() {
    let fixture = broken_history("refused-quantity-beyond-any-scenario");
    let output = buffersim()
        .arg("profile")
        .arg(fixture.join("demand.csv"))
        .arg("--out")
        .arg(tempfile::tempdir().unwrap().path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "line 11, column 'quantity': must be from -1,000,000,000,000 to \
             1,000,000,000,000 units (got 1.7976931348623157e308)"
        ),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demand = file(
        d,
        "d.csv",
        "date,item,quantity,unit_cost\n2024-01-01,a,-2e12,1\n2024-01-02,a,5,1e10\n",
    );
    let err = error_of(&demand_only(demand.clone()));
    assert!(
        err.contains("line 2, column 'quantity': must be from -1,000,000,000,000"),
        "{err}"
    );
    assert!(
        err.contains(
            "line 3, column 'unit_cost': must be from 0.000001 to 1,000,000,000 (got \
             10000000000)"
        ),
        "{err}"
    );
    let deliveries = file(
        d,
        "del.csv",
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,quantity_received\n\
         s,a,2024-01-01,2024-01-03,2024-01-03,1e13,10\n",
    );
    let items = file(
        d,
        "it.csv",
        "item,container_size,shelf_life_days\na,1e13,99999\n",
    );
    let ok_demand = file(d, "ok.csv", "date,item,quantity\n2024-01-01,a,5\n");
    let err = error_of(&InputFiles {
        deliveries: Some(deliveries),
        ..demand_only(ok_demand.clone())
    });
    assert!(
        err.contains("column 'quantity_ordered': must be from 0 to 1,000,000,000,000 units"),
        "{err}"
    );
    // Any finite shelf life is taken: ERP exports write 99999 for none.
    let err = error_of(&InputFiles {
        items: Some(items),
        ..demand_only(ok_demand)
    });
    assert!(
        err.contains("column 'container_size': must be greater than 0 and at most")
            && !err.contains("shelf_life_days"),
        "{err}"
    );
}

/// Issue 18, found by the fuzz harness: one row dated 9999-12-31 laid every item out over
/// eight thousand years of days without demand (a minute and hundreds of megabytes for a
/// meaningless profile). A date outside the years 1900 to 2200 is refused (issue 23), and so
/// is a history longer than a century, blaming the date that lies far from the rest.
#[test]
fn issue_18_fuzz_a_placeholder_date_is_refused_not_laid_out() {
    let fixture = broken_history("refused-placeholder-date");
    let err = error_of(&demand_only(fixture.join("demand.csv")));
    assert!(
        err.contains(
            "line 62, column 'date': '9999-12-31' is out of range: dates must be in the years \
             1900 to 2200 (a placeholder such as 9999-12-31 or 0001-01-01?); correct or remove \
             the row"
        ),
        "{err}"
    );
    // The odd date out is blamed, at either end.
    let dir = tempfile::tempdir().unwrap();
    let early = file(
        dir.path(),
        "early.csv",
        "date,item,quantity\n2024-01-01,a,1\n0001-01-01,a,2\n2024-01-02,a,3\n",
    );
    let err = error_of(&demand_only(early));
    assert!(err.contains("line 3, column 'date': '0001-01-01'"), "{err}");
}

/// Issue 18, found by the fuzz harness: an item seasonal enough that some calendar months
/// have no demand in any year, and resampled (no family fits), was deseasonalised by dividing
/// those months' zeros by their zero level: scenario.toml got `empirical = [NaN, …]` and a
/// min-max of `NaN / NaN`. Those days are left out of the resampled values.
#[test]
fn issue_18_fuzz_months_without_demand_are_resampled_without_nan() {
    let fixture = broken_history("accepted-months-without-demand");
    let out = tempfile::tempdir().unwrap();
    buffersim()
        .arg("profile")
        .arg(fixture.join("demand.csv"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .success();
    let toml = std::fs::read_to_string(out.path().join("scenario.toml")).unwrap();
    assert!(!toml.contains("NaN"), "{toml}");
    assert!(toml.contains("demand = { empirical = ["), "{toml}");
    let csv = std::fs::read_to_string(out.path().join("profile.csv")).unwrap();
    assert!(
        csv.contains("empirical(368 days)") && !csv.contains("NaN"),
        "{csv}"
    );
    Scenario::load(&out.path().join("scenario.toml")).unwrap();
}

/// Issue 23: the posture comes from the impact of a stockout combined with the fragility of the
/// item's supply, not from either alone. Five items of 50 a day (stable, class A or B):
/// * `a`: critical, on a supplier 2 days away and always on time — robust supply, so JIT
///   (the old rule made every critical item JIC), sized for 99% service;
/// * `b`: critical, on a supplier one delivery in ten late — JIC at 99%;
/// * `c`: low criticality, class B, on the same late supplier — a stockout matters little, so
///   JIT at 95%;
/// * `d`: medium criticality, on a supplier that is on time except for three stretches of
///   12 days late in half a year — a single source failing more than once a year: JIC;
/// * `e`: the runner (most units), cheap (class B), on the robust supplier: impact medium,
///   JIT.
#[test]
fn issue_23_criticality_and_fragility_decide_together() {
    let dir = tempfile::tempdir().unwrap();
    let day0 = buffersim::profile::date::Date::parse("2024-01-01").unwrap();
    let mut demand = String::from("date,item,quantity\n");
    for k in 0..200 {
        for (item, q) in [("a", 50), ("b", 50), ("c", 50), ("d", 50), ("e", 500)] {
            demand.push_str(&format!("{},{item},{}\n", day0.plus(k), q + k % 3));
        }
    }
    let mut deliveries = String::from(
        "supplier,item,order_date,promised_date,received_date,quantity_ordered,\
         quantity_received,quantity_rejected\n",
    );
    for k in 0..190 {
        let ordered = day0.plus(k);
        let stretch = [30..40, 90..100, 150..160].iter().any(|r| r.contains(&k));
        for (supplier, item, late) in [
            ("fast", "a", 0),
            ("late-co", "b", if k % 10 == 0 { 2 } else { 0 }),
            ("late-co", "c", if k % 10 == 0 { 2 } else { 0 }),
            ("shaky", "d", if stretch { 12 } else { 0 }),
            ("fast", "e", 0),
        ] {
            let promised = ordered.plus(2);
            deliveries.push_str(&format!(
                "{supplier},{item},{ordered},{promised},{},50,50,0\n",
                promised.plus(late)
            ));
        }
    }
    let items = "item,unit_cost,criticality,suppliers\na,5,high,fast\nb,5,high,late-co\n\
                 c,1,low,late-co\nd,5,medium,shaky\ne,0.1,medium,fast\n";
    let files = InputFiles {
        demand: file(dir.path(), "demand.csv", &demand),
        deliveries: Some(file(dir.path(), "deliveries.csv", &deliveries)),
        items: Some(file(dir.path(), "items.csv", items)),
    };
    let profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    use buffersim::profile::risk::Level;
    let seen = |id: &str| {
        let p = item(&profile, id);
        let r = &p.recommendation;
        (
            p.abc,
            r.impact.level,
            r.fragility.level,
            r.posture.label(),
            r.service_level,
        )
    };
    let (abc, impact, fragility, posture, service) = seen("a");
    assert_eq!((abc, impact, fragility), (Abc::A, Level::High, Level::Low));
    assert!(posture.starts_with("JIT"), "{posture}");
    assert_eq!(service, 0.99);
    assert_eq!(
        seen("b"),
        (
            Abc::A,
            Level::High,
            Level::Medium,
            "JIC (reorder point)",
            0.99
        )
    );
    let (abc, impact, fragility, posture, service) = seen("c");
    assert_eq!(
        (abc, impact, fragility),
        (Abc::B, Level::Low, Level::Medium)
    );
    assert!(posture.starts_with("JIT"), "{posture}");
    assert_eq!(service, 0.95);
    let d = item(&profile, "d");
    assert_eq!(
        d.recommendation.fragility.because,
        [
            "3 disrupted stretches observed (5.5 a year) +2",
            "single source +1"
        ],
        "{:?}",
        profile.disruptions.stretches
    );
    assert_eq!(
        seen("d"),
        (
            Abc::A,
            Level::Medium,
            Level::Medium,
            "JIC (reorder point)",
            0.95
        )
    );
    let e = item(&profile, "e");
    assert_eq!(
        e.recommendation.impact.points, 2,
        "a runner of medium criticality"
    );
    assert_eq!(e.abc, Abc::B);
    assert!(
        e.recommendation.posture.label().starts_with("JIT"),
        "{:?}",
        e.recommendation.posture
    );
    // The written scenario sizes the rules as decided, and the files say why.
    let out = dir.path().join("profile");
    buffersim::profile::write::write_all(&profile, &out).unwrap();
    let md = std::fs::read_to_string(out.join("profile.md")).unwrap();
    assert!(md.contains("## Criticality × fragility"), "{md}");
    assert!(
        md.contains("| **high** | 1 (1 JIT) | 1 (0 JIT) | 0 (0 JIT) |"),
        "{md}"
    );
    let csv = std::fs::read_to_string(out.join("profile.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().contains(
            ",criticality,impact,impact_points,fragility,fragility_points,service_level,"
        )
    );
    let scenario = Scenario::load(&out.join("scenario.toml")).unwrap();
    assert_eq!(scenario.items.len(), 5);
}

/// Issue 23: the recommendation is simulated against all-JIT and all-JIC. On the committed
/// example the check replaces some items' rules; each replaced item's rule in the written
/// scenario is then the blanket policy's, profile.csv and the reasons say so, and a second
/// check of the changed recommendation changes nothing more (a replaced rule is the
/// alternative itself, and the others were not beaten).
#[test]
fn issue_23_the_recommendation_is_checked_by_simulation() {
    let files = InputFiles {
        demand: "scenarios/data/demand.csv".into(),
        deliveries: Some("scenarios/data/deliveries.csv".into()),
        items: Some("scenarios/data/items.csv".into()),
    };
    let mut profile = Profile::from_files(&files, ProfileOptions::default()).unwrap();
    let before: Vec<_> = profile
        .items
        .iter()
        .map(|i| i.recommendation.rule.clone())
        .collect();
    let done = check::check(&mut profile, 200).unwrap();
    assert_eq!(done.runs, 200);
    assert!(
        !done.changes.is_empty(),
        "the example has rules the check beats"
    );
    for c in &done.changes {
        let i = profile.items.iter().position(|i| i.item == c.item).unwrap();
        assert_eq!(before[i].as_ref(), Some(&c.from));
        let rec = &profile.items[i].recommendation;
        let expected = match c.to_policy {
            "all-jic" => "reorder point, 95% service, EOQ lots",
            "all-jit" => "kanban, safety factor 0.2",
            other => panic!("{other}"),
        };
        assert_eq!(rec.rule.as_ref().unwrap().describe(), expected);
        assert!(
            rec.summary.contains("after the simulated check"),
            "{}",
            rec.summary
        );
        let reasons = [&rec.reasons_for[..], &rec.reasons_against[..]].concat();
        assert!(
            reasons
                .iter()
                .any(|r| r.starts_with("checked by simulation (200 runs")),
            "{reasons:?}"
        );
    }
    // Items not changed keep their rules.
    let changed: Vec<String> = done.changes.iter().map(|c| c.item.clone()).collect();
    for (item, rule) in profile.items.iter().zip(&before) {
        if !changed.contains(&item.item) {
            assert_eq!(&item.recommendation.rule, rule, "{}", item.item);
        }
    }
    // Three policies and two paired comparisons, every figure with an interval.
    let names: Vec<&str> = done.policies.iter().map(|p| p.policy).collect();
    assert_eq!(names, ["all-jit", "all-jic", "recommended"]);
    assert_eq!(done.against.len(), 2);
    assert!(
        done.against
            .iter()
            .all(|p| p.figures.len() == 4 && p.figures.iter().all(|f| f.2.is_some()))
    );
    assert_eq!(done.verdict().len(), 2);
    // Checked again: stable.
    let again = check::check(&mut profile, 200).unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    // The files: profile.csv's last column and the section of profile.md.
    let dir = tempfile::tempdir().unwrap();
    profile.check = Some(done);
    buffersim::profile::write::write_all(&profile, dir.path()).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("profile.csv")).unwrap();
    let last: Vec<&str> = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap())
        .collect();
    assert_eq!(
        last.iter().filter(|c| c.starts_with("replaced by")).count(),
        changed.len()
    );
    assert!(
        last.iter()
            .all(|c| *c == "kept" || c.starts_with("replaced by all-j"))
    );
    let md = std::fs::read_to_string(dir.path().join("profile.md")).unwrap();
    assert!(md.contains("## The recommendation, simulated"), "{md}");
    let scenario = std::fs::read_to_string(dir.path().join("scenario.toml")).unwrap();
    let checked = profile.check.as_ref().unwrap();
    for c in &checked.changes {
        let table = format!("[policy.recommended.items.{}.", c.item);
        if c.to_policy == "all-jic" {
            // The recommended policy's default rule: no table of the item's own.
            assert!(!scenario.contains(&table), "{}", c.item);
        } else {
            assert!(
                scenario.contains(&format!("{table}kanban]\nsafety_factor = 0.2\n")),
                "{}",
                c.item
            );
        }
    }
}
