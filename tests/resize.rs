//! Levels that follow demand (`[policy.NAME.resize]`): each period's rule is the rule's own
//! formula on that period's expected demand, checked month by month against the formulas, and
//! a run under deterministic seasonal demand counted by hand.

use buffersim::model::policy::Quantity;
use buffersim::model::scenario::Scenario;
use buffersim::results::summary::Summary;
use buffersim::simulation::engine;
use buffersim::simulation::metrics::Metric;

fn scenario_from(toml: &str) -> Result<Scenario, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.toml");
    std::fs::write(&path, toml).unwrap();
    Scenario::load(&path).map_err(|e| e.to_string())
}

/// 10 units a day, twice that from September to December; a fixed lead time of `lead` days.
fn seasonal(lead: u32, item_extra: &str, policies: &str) -> String {
    format!(
        r#"
[simulation]
horizon_days = 365
runs = 2
unmet_demand = "lost"

[[supplier]]
id = "s"
lead_time = {{ fixed = {lead} }}
region = "eu"

[[item]]
id = "gift"
unit_cost = 5
order_cost = 20
container_size = 10
demand = {{ deterministic = 10 }}
seasonality = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]
{item_extra}

{policies}
"#
    )
}

/// Days in each month of the 365-day year.
const MONTH_DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn month_demand(month: usize) -> f64 {
    if month >= 8 { 20.0 } else { 10.0 }
}

#[test]
fn monthly_kanban_and_min_max_are_their_formulas_on_each_months_demand() {
    let toml = seasonal(
        4,
        "",
        "[policy.kanban.rule.kanban]\nsafety_factor = 0.5\n\
         [policy.kanban.resize]\nevery = \"month\"\n\n\
         [policy.minmax.rule.min_max]\nreview_period_days = 7\nsafety_stock_days = 2\n\
         order_quantity = 50\n[policy.minmax.resize]\nevery = \"month\"",
    );
    let sc = scenario_from(&toml).unwrap();
    let (kanban, minmax) = (&sc.policies[0].items[0], &sc.policies[1].items[0]);
    assert_eq!(kanban.by_period.len(), 12);
    assert_eq!(minmax.by_period.len(), 12);
    let mut start = 0;
    for (m, days) in MONTH_DAYS.iter().enumerate() {
        let d = month_demand(m);
        // Kanban: ceil(d × L × (1 + α) / size) containers of 10; a card at target − size.
        let containers = (d * 4.0 * 1.5 / 10.0).ceil();
        let target = containers * 10.0;
        assert_eq!(
            kanban.by_period[m].quantity,
            Quantity::Containers { target, size: 10.0 }
        );
        let levels = &kanban.sizing.by_period[m];
        assert_eq!(levels.containers, Some(containers as u32), "month {m}");
        assert_eq!((levels.start_day, levels.end_day), (start, start + days));
        assert_eq!(levels.mean_daily_demand, d);
        assert_eq!(levels.reorder_point, target - 10.0);
        // Min-max reviewed weekly: min = d × (L + R − 1) + 2 days of d; max = min + 50.
        let min = d * (4.0 + 7.0 - 1.0) + 2.0 * d;
        assert_eq!(minmax.sizing.by_period[m].reorder_point, min, "month {m}");
        assert_eq!(minmax.by_period[m].quantity, Quantity::UpTo(min + 50.0));
        start += days;
    }
    // The year's sizing stays beside them: the day-weighted average demand.
    let annual = (243.0 * 10.0 + 122.0 * 20.0) / 365.0;
    assert!((kanban.sizing.mean_daily_demand - annual).abs() < 1e-12);
}

#[test]
fn a_look_ahead_sizes_for_the_demand_one_lead_time_later_and_periods_may_be_days() {
    // August (days 212–242) looking 4 days ahead: days 216–246, of which 243–246 are in
    // September at 20 a day.
    let toml = seasonal(
        4,
        "",
        "[policy.ahead.rule.base_stock]\nsafety_stock = 0\n\
         [policy.ahead.resize]\nevery = \"month\"\nlook_ahead = true\n\n\
         [policy.fortnight.rule.base_stock]\nsafety_stock = 0\n\
         [policy.fortnight.resize]\nevery_days = 14",
    );
    let sc = scenario_from(&toml).unwrap();
    let ahead = &sc.policies[0].items[0].sizing.by_period;
    let august = (27.0 * 10.0 + 4.0 * 20.0) / 31.0;
    assert_eq!(ahead[7].mean_daily_demand, august);
    // Base stock S = d × L in whole units.
    assert_eq!(ahead[7].order_up_to, Some((august * 4.0 - 1e-9).ceil()));
    let inputs = buffersim::results::inputs::Inputs::new(&sc);
    assert_eq!(
        inputs.policies[0].resize.as_deref(),
        Some("every calendar month, for the demand one lead time ahead")
    );
    let fortnight = &sc.policies[1].items[0].sizing.by_period;
    assert_eq!(fortnight.len(), 27);
    assert_eq!((fortnight[26].start_day, fortnight[26].end_day), (364, 365));
    // Days 238–251 hold 5 days of August and 9 of September.
    assert_eq!(
        fortnight[17].mean_daily_demand,
        (5.0 * 10.0 + 9.0 * 20.0) / 14.0
    );
}

#[test]
fn a_forecast_per_month_replaces_the_demand_models_seasonality_for_sizing() {
    let forecast = "forecast_per_month = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 40]";
    let toml = seasonal(
        4,
        forecast,
        "[policy.p.rule.base_stock]\nsafety_stock = 0\n[policy.p.resize]\nevery = \"month\"",
    );
    let sc = scenario_from(&toml).unwrap();
    let by_period = &sc.policies[0].items[0].sizing.by_period;
    assert_eq!(by_period[0].order_up_to, Some(20.0));
    assert_eq!(by_period[11].order_up_to, Some(160.0));

    let err = scenario_from(&seasonal(
        4,
        "forecast_per_month = [5, 5]",
        "[policy.p.rule.base_stock]\norder_up_to = 40",
    ))
    .unwrap_err();
    assert!(err.contains("item[0].forecast_per_month"), "{err}");
    assert!(err.contains("needs 12 monthly mean daily demands"), "{err}");
    for (resize, field, message) in [
        (
            "every = \"week\"",
            "policy.p.resize.every",
            "must be \"month\"",
        ),
        (
            "every_days = 0",
            "policy.p.resize.every_days",
            "from 1 to 3650",
        ),
        (
            "look_ahead = true",
            "policy.p.resize",
            "give every = \"month\"",
        ),
    ] {
        let toml = seasonal(
            4,
            "",
            &format!("[policy.p.rule.base_stock]\nsafety_stock = 0\n[policy.p.resize]\n{resize}"),
        );
        let err = scenario_from(&toml).unwrap_err();
        assert!(
            err.contains(field) && err.contains(message),
            "{resize}: {err}"
        );
    }
}

#[test]
fn a_base_stock_re_sized_monthly_loses_only_the_day_demand_steps_up() {
    // Lead time 1, no safety stock: S = the month's daily demand. Every day's order of d
    // arrives the next morning and is sold out that day. On 1 September demand doubles: the
    // receipt of 10 ordered under August's level meets 20, and 10 are lost; from then on the
    // level is 20. Sized once for the year, S = ceil(13.34) = 14 loses 6 a day from September
    // to December: 122 days × 6 = 732.
    let toml = seasonal(
        1,
        "",
        "[policy.monthly.rule.base_stock]\nsafety_stock = 0\n\
         [policy.monthly.resize]\nevery = \"month\"\n\n\
         [policy.fixed.rule.base_stock]\nsafety_stock = 0",
    );
    let sc = scenario_from(&toml).unwrap();
    let outcome = engine::simulate(&sc, sc.runs, sc.seed, &|_| {});
    let summary = Summary::new(&sc, &outcome);
    let mean = |p: usize, m: Metric| summary.policies[p].items[0].metrics[m.name()].mean;
    assert_eq!(mean(0, Metric::LostUnits), 10.0);
    assert_eq!(mean(0, Metric::AvgOnHandUnits), 0.0);
    assert_eq!(mean(1, Metric::LostUnits), 732.0);
}

#[test]
fn a_month_without_demand_orders_finite_lots() {
    // Continuous units, no demand from January to August: those months' EOQ is the smallest
    // lot rather than none, and every figure stays finite.
    let toml = seasonal(
        2,
        "units = \"continuous\"",
        "[policy.p.rule.reorder_point]\nsafety_stock = 5\nquantity = \"eoq\"\n\
         [policy.p.resize]\nevery = \"month\"",
    )
    .replace(
        "seasonality = [1, 1, 1, 1, 1, 1, 1, 1,",
        "seasonality = [0, 0, 0, 0, 0, 0, 0, 0,",
    );
    let sc = scenario_from(&toml).unwrap();
    assert_eq!(
        sc.policies[0].items[0].sizing.by_period[0].order_quantity,
        Some(1e-6)
    );
    let outcome = engine::simulate(&sc, sc.runs, sc.seed, &|_| {});
    let summary = Summary::new(&sc, &outcome);
    for metric in [
        Metric::TotalCost,
        Metric::AvgOnHandUnits,
        Metric::OrdersPerYear,
    ] {
        let e = summary.policies[0].items[0].metrics[metric.name()].mean;
        assert!(e.is_finite(), "{}: {e}", metric.name());
    }
}
