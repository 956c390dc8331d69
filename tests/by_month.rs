//! When in the year (issue 21, item 5): the stockout rate, fill rate and days of supply of each
//! calendar month, in summary.json, summary.csv and the report, checked against answers worked
//! out by hand on scenarios whose days can be followed one by one.

use std::path::Path;

use assert_cmd::Command;
use buffersim::model::scenario::Scenario;
use buffersim::results::summary::{MonthFigures, PolicySummary, Summary};
use buffersim::simulation::engine::simulate;
use serde_json::Value;

/// One item, 10 units a day (unit cost 2), 30 on hand, bought from a supplier with a lead time
/// of one day under an order-up-to 30 reviewed daily, lost sales, a year from 1 January (no
/// dates) with `simulation` and `extra` added, and a scheduled outage of the supplier.
///
/// Day by day: each day receives yesterday's 10, sells 10 and ends with 20 on hand, orders 10.
/// During the outage (days 59–88, 1 to 30 March) orders wait at the supplier: 1 March receives
/// the last 10 shipped and ends with 20, 2 March ends with 10, 3 March with 0, each ordering 10;
/// with 30 waiting the position is back at 30, so nothing more is ordered, and 4 to 31 March
/// (28 days) sell nothing. On 31 March (day 89) the supplier is up again and ships the 30
/// waiting, received on 1 April, which then ends with 20 as before.
fn outage_in_march(simulation: &str, extra: &str) -> String {
    format!(
        "[simulation]\nhorizon_days = 365\nruns = 40\nunmet_demand = \"lost\"\n{simulation}\n\n\
         [[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\n\
         [[item]]\nid = \"a\"\nunit_cost = 2\ninitial_on_hand = 30\ndemand = {{ deterministic = 10 }}\n\n\
         [[disruption]]\nid = \"stop\"\neffect = {{ supplier_outage = {{ supplier = \"maker\" }} }}\n\
         occurrence = {{ scheduled = {{ start_day = 59, duration_days = 30 }} }}\n\n\
         {extra}\
         [policy.daily.rule.periodic_review]\nreview_period_days = 1\norder_up_to = 30\n"
    )
}

fn scenario(text: &str) -> Scenario {
    Scenario::from_source(text, Path::new("by_month.toml")).unwrap()
}

fn summary(text: &str) -> Summary {
    let sc = scenario(text);
    let outcome = simulate(&sc, sc.runs, sc.seed, &|_| {});
    Summary::new(&sc, &outcome)
}

/// A month's (mean, ci95 low, ci95 high, n) of one figure, or `None` where it is undefined.
fn figure(m: &MonthFigures, name: &str) -> Option<(f64, f64, f64, u64)> {
    let e = match name {
        "stockout_rate" => m.stockout_rate,
        "fill_rate" => m.fill_rate,
        "days_of_supply" => m.days_of_supply,
        _ => panic!("{name}"),
    }?;
    let ci = e.ci95.expect("an interval over 40 runs");
    Some((e.mean, ci.low, ci.high, e.n))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Every run is the same, so each figure's mean is the hand-worked value and its interval has
/// no width. March sold 30 of 310 (3 of 31 days' demand) and held 20 + 10 + 0 unit-days; every
/// other month sold all it was asked for and held 20 a day against 10 sold: two days of supply.
#[test]
fn stockouts_of_an_outage_fall_in_its_month() {
    let s = summary(&outage_in_march("", ""));
    let months = &s.policies[0].by_month;
    let labels: Vec<&str> = months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(labels, MONTHS);
    for m in months {
        let (stockout, fill, days) = if m.month == "Mar" {
            (1.0 - 3.0 / 31.0, 3.0 / 31.0, 30.0 / 310.0)
        } else {
            (0.0, 1.0, 2.0)
        };
        for (name, want) in [
            ("stockout_rate", stockout),
            ("fill_rate", fill),
            ("days_of_supply", days),
        ] {
            let (mean, low, high, n) = figure(m, name).unwrap();
            assert!(
                (mean - want).abs() < 1e-12,
                "{} {name}: {mean} ≠ {want}",
                m.month
            );
            assert_eq!((low, high, n), (mean, mean, 40), "{} {name}", m.month);
        }
    }
    // The whole horizon: 280 of 3,650 units short.
    let whole = s.policies[0].metrics["stockout_rate"].mean;
    assert!((whole - 280.0 / 3650.0).abs() < 1e-12, "{whole}");
}

/// Over the months, the fill rates weighted by each month's demand make the whole horizon's,
/// and the days of supply weighted so make its days of supply (every run alike, so the means
/// are the runs' values): the months split the horizon's figures, nothing lost or counted
/// twice. With a warm-up of 45 days the measured days start on 15 February: January has no
/// measured day and is left out, and February counts its last 14 days.
#[test]
fn months_split_the_whole_horizons_figures() {
    let s = summary(&outage_in_march("warmup_days = 45", ""));
    let p = &s.policies[0];
    let labels: Vec<&str> = p.by_month.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(labels, MONTHS[1..]);
    // Measured days per month: 14 of February (15 to 28), then whole months.
    let days_in = |month: &str| match month {
        "Feb" => 14.0,
        "Apr" | "Jun" | "Sep" | "Nov" => 30.0,
        _ => 31.0,
    };
    let fill = assert_months_split_the_horizon(p, days_in);
    assert!((fill - 2920.0 / 3200.0).abs() < 1e-12, "{fill}");
}

/// The months' figures, weighted by their demand (10 a day over `days_in` measured days),
/// add up to the whole horizon's fill rate and days of supply; the horizon's fill rate.
fn assert_months_split_the_horizon(p: &PolicySummary, days_in: impl Fn(&str) -> f64) -> f64 {
    let (mut served, mut demand, mut unit_days) = (0.0, 0.0, 0.0);
    for m in &p.by_month {
        let d = 10.0 * days_in(&m.month);
        served += figure(m, "fill_rate").unwrap().0 * d;
        unit_days += figure(m, "days_of_supply").unwrap().0 * d;
        demand += d;
    }
    let fill = p.metrics["fill_rate"].mean;
    let days = p.metrics["days_of_supply"].mean;
    assert_eq!(demand, 3200.0);
    assert!(
        (served / demand - fill).abs() < 1e-12,
        "{served} / {demand} vs {fill}"
    );
    assert!(
        (unit_days / demand - days).abs() < 1e-12,
        "{unit_days} / {demand} vs {days}"
    );
    fill
}

/// Months cut where the daily loop's stretches are cut too: a leap year from 1 January 2028
/// with 45 days of warm-up (the measured days start on 15 February, so February counts 15 days,
/// 29 February included), a pre-build window from 20 February to 10 March (its edges and the
/// warm-up's end fall inside months, and the month's end inside the window) and the outage of
/// March. A month's figures are read from the item-run's running sums where its days end; the
/// months still split the whole horizon's figures, nothing lost or counted twice.
#[test]
fn months_cut_inside_a_prebuild_window_split_the_horizon() {
    let text = outage_in_march(
        "start_date = 2028-01-01\nwarmup_days = 45",
        "[policy.daily.prebuild]\nstart_day_of_year = 2028-02-20\n\
         end_day_of_year = 2028-03-10\nfactor = 2\n\n",
    )
    .replace("start_day = 59", "start_day = 2028-03-01");
    let s = summary(&text);
    let p = &s.policies[0];
    let labels: Vec<&str> = p.by_month.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(labels, MONTHS[1..]);
    // Measured days per month: 15 of February (15 to 29), whole months, 30 of December.
    let days_in = |month: &str| match month {
        "Feb" => 15.0,
        "Apr" | "Jun" | "Sep" | "Nov" | "Dec" => 30.0,
        _ => 31.0,
    };
    assert_months_split_the_horizon(p, days_in);
    // The outage's stockouts fall in March alone.
    for m in &p.by_month {
        let stockout = figure(m, "stockout_rate").unwrap().0;
        assert_eq!(stockout > 0.0, m.month == "Mar", "{} {stockout}", m.month);
    }
}

/// A dated horizon lists its months from the first measured day's on and pools the same month
/// of different years: from 15 September 2026 with 20 days of warm-up, the measured days run
/// from 5 October 2026 to 14 September 2027, so October comes first and September last. An
/// outage from 1 to 30 March 2027 (days 167–196) falls in March alone.
#[test]
fn a_dated_horizon_starts_at_its_first_measured_month() {
    let text = outage_in_march("start_date = 2026-09-15\nwarmup_days = 20", "")
        .replace("start_day = 59", "start_day = 2027-03-01");
    let s = summary(&text);
    let p = &s.policies[0];
    let labels: Vec<&str> = p.by_month.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(
        labels,
        [
            "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep"
        ]
    );
    for m in &p.by_month {
        let stockout = figure(m, "stockout_rate").unwrap().0;
        if m.month == "Mar" {
            assert!((stockout - 28.0 / 31.0).abs() < 1e-12, "{stockout}");
        } else {
            assert_eq!(stockout, 0.0, "{}", m.month);
        }
    }
}

/// Over two years the Marches of both are one month: each run's March sums both Marches' days
/// (62 days, 280 short the first year and none the second), and the other months are the
/// two years' together.
#[test]
fn the_same_month_of_two_years_is_pooled() {
    let text = outage_in_march("", "").replace("horizon_days = 365", "horizon_days = 730");
    let s = summary(&text);
    let p = &s.policies[0];
    assert_eq!(p.by_month.len(), 12);
    let march = p.by_month.iter().find(|m| m.month == "Mar").unwrap();
    let stockout = figure(march, "stockout_rate").unwrap().0;
    assert!((stockout - 280.0 / 620.0).abs() < 1e-12, "{stockout}");
}

/// A month without demand in any run has no stockout rate, fill rate or days of supply: null
/// in summary.json, no row in summary.csv, "no data" in the chart; the months with demand are
/// there as ever.
#[test]
fn a_month_without_demand_is_undefined() {
    let text = outage_in_march("", "").replace(
        "demand = { deterministic = 10 }",
        "demand = { deterministic = 10 }\nseasonality = [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]",
    );
    let s = summary(&text);
    let json: Value = serde_json::from_str(&s.to_json()).unwrap();
    let months = json["policies"][0]["by_month"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    let june = &months[5];
    assert_eq!(june["month"], "Jun");
    for name in ["stockout_rate", "fill_rate", "days_of_supply"] {
        assert!(june[name].is_null(), "June {name}: {}", june[name]);
        assert!(months[6][name].is_object(), "July {name}");
    }
    assert!(!s.to_json().contains("NaN"));
    let csv = s.to_csv();
    assert!(!csv.contains("month:Jun,"), "{csv}");
    assert!(
        csv.contains("daily,month:Jul,fill_rate,40,1,1,1,,,\n"),
        "{csv}"
    );
}

/// summary.csv holds three rows per month, after the policy's item rows, in the month order of
/// summary.json: `month:Mar` in the item column, the mean and its interval, no percentiles.
#[test]
fn summary_csv_has_a_row_per_month_and_figure() {
    let csv = summary(&outage_in_march("", "")).to_csv();
    let rows: Vec<&str> = csv.lines().filter(|l| l.contains(",month:")).collect();
    assert_eq!(rows.len(), 36);
    assert_eq!(rows[0], "daily,month:Jan,stockout_rate,40,0,0,0,,,");
    assert_eq!(rows[1], "daily,month:Jan,fill_rate,40,1,1,1,,,");
    assert_eq!(rows[2], "daily,month:Jan,days_of_supply,40,2,2,2,,,");
    let march: Vec<&str> = rows[6].split(',').collect();
    assert_eq!(&march[..4], ["daily", "month:Mar", "stockout_rate", "40"]);
    let mean: f64 = march[4].parse().unwrap();
    assert!((mean - 28.0 / 31.0).abs() < 1e-12, "{mean}");
}

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// The figures by month do not depend on the number of threads: summary.json's bytes are the
/// same on one thread and on two, over runs with random demand and outages that give every
/// month runs with and without stockouts (peak season, 300 runs: chunks of 64 merged in
/// order).
#[test]
fn figures_by_month_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/peak-season.toml");
    let mut texts = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(threads);
        buffersim()
            .args([
                "run",
                "--quiet",
                "--runs",
                "300",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .arg(&scenario)
            .assert()
            .success();
        texts.push(std::fs::read_to_string(out.join("summary.json")).unwrap());
    }
    assert!(
        texts[0] == texts[1],
        "summary.json differs between 1 and 2 threads"
    );
    let json: Value = serde_json::from_str(&texts[0]).unwrap();
    let december = &json["policies"][0]["by_month"][11];
    assert_eq!(december["month"], "Dec");
    let rate = december["stockout_rate"]["mean"].as_f64().unwrap();
    assert!(rate > 0.0 && rate < 1.0, "{rate}");
    assert!(december["stockout_rate"]["ci95_low"].as_f64().unwrap() < rate);
}

/// The report draws the stockout rate by month, one bar per policy and month, with its
/// definition beneath the title; a summary written before the figures by month has no such
/// chart.
#[test]
fn the_report_shows_when_in_the_year_stockouts_fall() {
    let dir = tempfile::tempdir().unwrap();
    let scenario_file = dir.path().join("outage.toml");
    std::fs::write(&scenario_file, outage_in_march("", "")).unwrap();
    let out = dir.path().join("out");
    buffersim()
        .args(["run", "--quiet", "--report", "--out"])
        .arg(&out)
        .arg(&scenario_file)
        .assert()
        .success();
    let svg = std::fs::read_to_string(out.join("charts/stockout-by-month.svg")).unwrap();
    assert!(svg.contains("When in the year: stockout rate by month"));
    assert!(svg.contains("Share of each calendar month"));
    // March's bar is labelled with its rate, the other months' with zero.
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let labels: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::trim)
        .filter(|t| t.ends_with('%') && t.contains('.'))
        .collect();
    let mut want = vec!["0.00%"; 12];
    want[2] = "90.32%";
    assert_eq!(labels, want);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"chart-stockout-by-month\""));
    // Without figures by month (an older summary), no chart and no error.
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    for p in json["policies"].as_array_mut().unwrap() {
        p.as_object_mut().unwrap().remove("by_month");
    }
    std::fs::write(out.join("summary.json"), json.to_string()).unwrap();
    buffersim()
        .args(["report", "--quiet"])
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("charts/stockout-by-month.svg").exists());
}
