//! Calendar dates (`simulation.start_date`): a date wherever a day is given, weekdays, months
//! and leap years of the real calendar, and the errors that name a date that cannot be placed.

use std::path::Path;

use assert_cmd::Command;
use buffersim::analysis::trace::{Pick, Request, trace};
use buffersim::model::scenario::Scenario;
use buffersim::simulation::trace::TraceDay;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Run 0 of the scenario `text` under its first policy, day by day, for its first item.
fn days(text: &str) -> Vec<TraceDay> {
    let scenario = Scenario::from_source(text, Path::new("dates.toml")).unwrap();
    let request = Request {
        policy: 0,
        item: None,
        pick: Pick::Run(0),
        runs: scenario.runs,
        seed: scenario.seed,
    };
    let traces = trace(&scenario, &request, &|_| {}).unwrap();
    traces.traced[0].items[0].days.clone()
}

/// The days on which the item placed an order line.
fn order_days_of(days: &[TraceDay]) -> Vec<usize> {
    days.iter()
        .filter(|d| d.order_lines > 0)
        .map(|d| d.day)
        .collect()
}

/// The days on which the item was short.
fn short_days_of(days: &[TraceDay]) -> Vec<usize> {
    days.iter()
        .filter(|d| d.lost > 0.0)
        .map(|d| d.day)
        .collect()
}

/// One item (demand 10 a day, 30 on hand, lead time 1, ordering up to 30 every day, lost
/// sales) over four weeks, bought from a supplier with `supplier_extra`.
fn ordering(simulation_extra: &str, supplier_extra: &str) -> String {
    format!(
        "[simulation]\nhorizon_days = 28\nruns = 1\nunmet_demand = \"lost\"\n{simulation_extra}\n\n\
         [[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n{supplier_extra}\n\n\
         [[item]]\nid = \"a\"\nunit_cost = 1\ninitial_on_hand = 30\ndemand = {{ deterministic = 10 }}\n\n\
         [policy.daily.rule.periodic_review]\nreview_period_days = 1\norder_up_to = 30\n"
    )
}

/// Order days follow the weekdays of the dates. 7 January 2027 is a Thursday: orders on
/// Mondays and Thursdays are placed on days 0 (Thu), 4 (Mon), 7, 11, 14, 18, 21 and 25. Day 0
/// orders 10 (back to 30, received on day 1); Thursday's 30 lasts Friday to Sunday, so each
/// Monday (days 4, 11, 18, 25) is 10 short and orders 30, which lasts to Thursday.
#[test]
fn order_days_follow_the_weekday_of_each_date() {
    let text = ordering("start_date = 2027-01-07", "order_days = [\"mon\", \"thu\"]");
    let traced = days(&text);
    assert_eq!(order_days_of(&traced), [0, 4, 7, 11, 14, 18, 21, 25]);
    assert_eq!(short_days_of(&traced), [4, 11, 18, 25]);
    // Without a date, day 0 is a Monday (days 0, 3, 7, …).
    let monday = days(&ordering("", "order_days = [\"mon\", \"thu\"]"));
    assert_eq!(order_days_of(&monday), [0, 3, 7, 10, 14, 17, 21, 24]);
}

/// A monthly budget of 25 over one item worth 1 (demand 10 a day, 10 on hand, lead time 1,
/// ordering up to 10 daily, lost sales): each month places two lines of 10 and holds the
/// rest. From 27 February 2028 the month turns after three days (27, 28, 29 February), from
/// 27 February 2027 after two.
#[test]
fn budget_months_follow_calendar_months_and_leap_years() {
    let text = |start: &str| {
        format!(
            "[simulation]\nhorizon_days = 10\nruns = 1\nunmet_demand = \"lost\"\nstart_date = {start}\n\n\
             [[supplier]]\nid = \"maker\"\nlead_time = {{ fixed = 1 }}\n\n\
             [[budget]]\nid = \"monthly\"\namount = 25\nperiod = \"month\"\n\n\
             [[item]]\nid = \"a\"\nunit_cost = 1\ninitial_on_hand = 10\ndemand = {{ deterministic = 10 }}\n\n\
             [policy.daily.rule.periodic_review]\nreview_period_days = 1\norder_up_to = 10\n"
        )
    };
    // 2028: February has days 0–2; day 2's line waits; 1 March (day 3) finds the shelf empty.
    let leap = days(&text("2028-02-27"));
    assert_eq!(order_days_of(&leap), [0, 1, 3, 4]);
    assert_eq!(short_days_of(&leap), [3, 6, 7, 8, 9]);
    // 2027: 1 March is day 2, whose line the new month's budget pays for.
    let common = days(&text("2027-02-27"));
    assert_eq!(order_days_of(&common), [0, 1, 2, 3]);
    assert_eq!(short_days_of(&common), [5, 6, 7, 8, 9]);
}

/// A scenario with a random demand and a scheduled outage starting on `start_day`, written as
/// given.
fn outage(start_day: &str) -> String {
    format!(
        "[simulation]\nhorizon_days = 365\nruns = 40\nseed = 7\nstart_date = 2027-01-05\n\n\
         [[supplier]]\nid = \"maker\"\nlead_time = {{ uniform = {{ min = 3, max = 9 }} }}\n\n\
         [[item]]\nid = \"a\"\nunit_cost = 4\ndemand = {{ normal = {{ mean = 20, sd = 6 }} }}\n\
         seasonality = [1, 1, 1, 1, 1.2, 1.4, 1.4, 1.2, 1, 1, 0.9, 0.8]\n\n\
         [[disruption]]\nid = \"fire\"\neffect = {{ supplier_outage = {{ supplier = \"maker\" }} }}\n\
         occurrence = {{ scheduled = {{ start_day = {start_day}, duration_days = 21 }} }}\n\n\
         [policy.base.rule.base_stock]\nsafety_stock_days = 5\n\n\
         [policy.pre.rule.base_stock]\nsafety_stock_days = 5\n\
         [policy.pre.prebuild]\nstart_day_of_year = 60\nend_day_of_year = 120\nfactor = 1.5\n"
    )
}

/// `buffersim run` on `text`; its summary.json, without the lines that name the file.
fn summary(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = dir.path().join("out");
    buffersim()
        .arg("run")
        .arg(&path)
        .args(["-q", "--threads", "1", "--out"])
        .arg(&out)
        .assert()
        .success();
    std::fs::read_to_string(out.join("summary.json")).unwrap()
}

/// Day 100 from 5 January 2027 is 15 April 2027: the same outage given by day number, by a
/// TOML date and by a date string gives the same results, byte for byte; so does a pre-build
/// window given by dates whose days of the year are those given by number (2 March 2027 is
/// day 60 of the year, 1 May day 120).
#[test]
fn a_scheduled_disruption_given_by_date_equals_the_same_by_day_number() {
    let by_number = summary(&outage("100"));
    assert_eq!(summary(&outage("2027-04-15")), by_number);
    assert_eq!(summary(&outage("\"2027-04-15\"")), by_number);
    let dated_window = outage("100").replace(
        "start_day_of_year = 60\nend_day_of_year = 120",
        "start_day_of_year = 2027-03-02\nend_day_of_year = \"2027-05-01\"",
    );
    assert_eq!(summary(&dated_window), by_number);
    // A different day changes them: the comparison can tell.
    assert_ne!(summary(&outage("101")), by_number);
}

/// `buffersim validate` on `text`: its exit code and stderr.
fn validate(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dated.toml");
    std::fs::write(&path, text).unwrap();
    let out = buffersim().arg("validate").arg(&path).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A date outside the horizon, before day 0, or without a start date to count it from is an
/// error that names the field, its line and the date, with what is allowed.
#[test]
fn a_date_that_cannot_be_placed_is_an_error_naming_it() {
    let (code, err) = validate(&outage("2028-01-05"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("dated.toml"), "{err}");
    assert!(
        err.contains("disruption[0].occurrence.scheduled.start_day"),
        "{err}"
    );
    assert!(
        err.contains(
            "disruption 'fire' starts on 2028-01-05 (day 365), after the horizon of 365 days \
             (days 0 to 364, 2027-01-05 to 2028-01-04)"
        ),
        "{err}"
    );
    assert!(err.contains("line 20"), "{err}");

    let (code, err) = validate(&outage("2026-12-31"));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("2026-12-31 is before start_date (2027-01-05), day 0 of every run"),
        "{err}"
    );

    let (code, err) = validate(&outage("2027-04-15").replace("start_date = 2027-01-05\n", ""));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("is a date (2027-04-15), but the scenario has no start date"),
        "{err}"
    );

    let (code, err) = validate(&outage("\"2027-02-30\""));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("must be a day number or a date YYYY-MM-DD"),
        "{err}"
    );

    let window = outage("100").replace(
        "start_day_of_year = 60\nend_day_of_year = 120",
        "start_day_of_year = 2028-03-02\nend_day_of_year = 2028-05-01",
    );
    let (code, err) = validate(&window);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("policy.pre.prebuild.start_day_of_year"),
        "{err}"
    );
    assert!(
        err.contains("the pre-build window's date 2028-03-02 (day 422 of the run) is outside the horizon (2027-01-05 to 2028-01-04"),
        "{err}"
    );

    let both = outage("100").replace(
        "start_date = 2027-01-05",
        "start_date = 2027-01-05\nstart_day_of_year = 4",
    );
    let (code, err) = validate(&both);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("give start_date or start_day_of_year, not both"),
        "{err}"
    );

    let (code, err) = validate(&outage("100").replace("2027-01-05", "5"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("simulation.start_date"), "{err}");
    assert!(err.contains("must be a date"), "{err}");
}

/// `validate` says which date day 0 is, and on which date a scheduled disruption starts.
#[test]
fn validate_names_the_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dated.toml");
    std::fs::write(&path, outage("2027-04-15")).unwrap();
    let out = buffersim().arg("validate").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("dates: day 0 is 2027-01-05 (a Tuesday), day 364 is 2028-01-04"),
        "{text}"
    );
    assert!(
        text.contains("scheduled from day 100 (2027-04-15) for 21 days"),
        "{text}"
    );
    assert!(
        text.contains("stock levels × 1.5 from day 60 to day 120 of the year (2 Mar up to 1 May)"),
        "{text}"
    );
}

/// A traced run of a dated scenario has a `date` column beside the day, and trace.md gives
/// the horizon's dates; without a start date the CSV has no such column.
#[test]
fn traces_label_days_with_dates() {
    let traced = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dated.toml");
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("out");
        buffersim()
            .arg("trace")
            .arg(&path)
            .args(["--policy", "base", "--run", "0", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        (
            std::fs::read_to_string(out.join("trace-run-0.csv")).unwrap(),
            std::fs::read_to_string(out.join("trace.md")).unwrap(),
        )
    };
    let (csv, md) = traced(&outage("2027-04-15"));
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("day,date,measured,item,demand,"),
        "{}",
        lines[0]
    );
    assert!(lines[1].starts_with("0,2027-01-05,true,a,"), "{}", lines[1]);
    assert!(
        lines[365].starts_with("364,2028-01-04,true,a,"),
        "{}",
        lines[365]
    );
    assert!(
        md.contains("over days 0–364, 2027-01-05 to 2028-01-04 (no warm-up)"),
        "{md}"
    );

    let (csv, _) = traced(&outage("100").replace("start_date = 2027-01-05\n", ""));
    assert!(csv.starts_with("day,measured,item,"));
}

/// Dates and day numbers round-trip across a year end and a leap day: from 31 December 2027,
/// 1 January 2028 is day 1, 29 February day 60 and 1 March day 61; a TOML date, a string and
/// a JSON string are read alike.
#[test]
fn dates_become_the_day_numbers_of_the_calendar() {
    use buffersim::model::disruption::Occurrence;
    let start_of = |scenario: &Scenario| -> Vec<u32> {
        scenario
            .disruptions
            .iter()
            .map(|d| match d.occurrence {
                Occurrence::Scheduled { start_day, .. } => start_day,
                _ => unreachable!(),
            })
            .collect()
    };
    let toml = |dates: [&str; 3]| {
        let mut text = "[simulation]\nhorizon_days = 400\nstart_date = 2027-12-31\n\n\
                        [[supplier]]\nid = \"maker\"\nlead_time = { fixed = 1 }\n\n\
                        [[item]]\nid = \"a\"\nunit_cost = 1\ndemand = { deterministic = 10 }\n\n\
                        [policy.p.rule.base_stock]\norder_up_to = 20\n"
            .to_string();
        for (k, date) in dates.iter().enumerate() {
            text.push_str(&format!(
                "\n[[disruption]]\nid = \"d{k}\"\neffect = {{ supplier_outage = {{ supplier = \"maker\" }} }}\n\
                 occurrence = {{ scheduled = {{ start_day = {date}, duration_days = 1 }} }}\n"
            ));
        }
        Scenario::from_source(&text, Path::new("leap.toml")).unwrap_or_else(|e| panic!("{e}"))
    };
    let dated = toml(["2028-01-01", "2028-02-29", "\"2028-03-01\""]);
    assert_eq!(start_of(&dated), [1, 60, 61]);
    assert_eq!(start_of(&toml(["1", "60", "61"])), [1, 60, 61]);
    let calendar = dated.calendar();
    for (day, date) in [
        (0, "2027-12-31"),
        (1, "2028-01-01"),
        (60, "2028-02-29"),
        (61, "2028-03-01"),
    ] {
        assert_eq!(calendar.date(day).unwrap().to_string(), date);
    }
    // 31 December is day 364 of the year; 29 February shares 28 February's day 58.
    assert_eq!(dated.start_day_of_year, 364);
    assert_eq!(calendar.day_of_year(60), 58);
    assert_eq!(calendar.day_of_year(61), 59);

    let json = r#"{"simulation": {"horizon_days": 400, "start_date": "2027-12-31"},
        "suppliers": [{"id": "maker", "lead_time": {"fixed": 1}}],
        "items": [{"id": "a", "unit_cost": 1, "demand": {"deterministic": 10}}],
        "disruptions": [{"id": "d", "effect": {"supplier_outage": {"supplier": "maker"}},
                         "occurrence": {"scheduled": {"start_day": "2028-02-29", "duration_days": 1}}}],
        "policies": {"p": {"rule": {"base_stock": {"order_up_to": 20}}}}}"#;
    let from_json = Scenario::from_source(json, Path::new("leap.json")).unwrap();
    assert_eq!(start_of(&from_json), [60]);
    assert_eq!(from_json.start_date, dated.start_date);
}

/// on_hand.csv names each sampled day's date beside its number in a dated scenario, and keeps
/// its columns without one.
#[test]
fn on_hand_csv_dates_its_days() {
    let on_hand = |text: &str| {
        let scenario = Scenario::from_source(text, Path::new("dates.toml")).unwrap();
        let outcome = buffersim::simulation::engine::simulate(&scenario, 4, 1, &|_| {});
        buffersim::results::summary::Summary::new(&scenario, &outcome).on_hand_csv()
    };
    let dated = on_hand(&ordering("start_date = 2027-12-30", ""));
    let mut lines = dated.lines();
    assert_eq!(
        lines.next(),
        Some("policy,item,day,date,measure,p05,p25,p50,p75,p95")
    );
    let rows: Vec<&str> = lines.collect();
    assert!(
        rows[0].starts_with("daily,(all items),0,2027-12-30,"),
        "{}",
        rows[0]
    );
    assert!(
        rows.iter()
            .any(|r| r.starts_with("daily,(all items),2,2028-01-01,"))
    );
    let plain = on_hand(&ordering("", ""));
    assert!(plain.starts_with("policy,item,day,measure,p05,p25,p50,p75,p95\n"));
}
