//! Shared suppliers, joint orders and budgets in a scenario (issue 19): a scenario using all of
//! them validates and `validate` describes it within the terminal's width; every refusal names
//! its field and its line, says what is allowed, and exits with code 2.

use assert_cmd::Command;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Two items bought from `shared`, a third from `other`; `supplier` is added to `shared`'s
/// table and `budgets` at the end of the file.
fn scenario(supplier: &str, budgets: &str) -> String {
    format!(
        r#"[simulation]
horizon_days = 60
runs = 2
seed = 5

[[supplier]]
id = "shared"
lead_time = {{ fixed = 3 }}
{supplier}

[[supplier]]
id = "other"
lead_time = {{ fixed = 2 }}

[[item]]
id = "gift-set"
unit_cost = 20
demand = {{ deterministic = 10 }}
suppliers = ["shared"]

[[item]]
id = "ribbon"
unit_cost = 1
demand = {{ deterministic = 30 }}
suppliers = ["shared"]

[[item]]
id = "card"
unit_cost = 0.5
demand = {{ deterministic = 5 }}
suppliers = ["other"]

[policy.base.rule.base_stock]
safety_stock_days = 2

{budgets}
"#
    )
}

/// The 1-based line of the first line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no `{needle}` in\n{text}"))
        + 1
}

/// `validate` refuses `text` with exit code 2; its message.
fn refused(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = buffersim().arg("validate").arg(&path).assert().code(2);
    String::from_utf8_lossy(&out.get_output().stderr).to_string()
}

/// Each case: what the supplier adds, the budgets, the field named, a fragment of what the
/// message says, and a fragment of the line the message points at.
const CASES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "capacity_per_day = 100\ncapacity_value_per_day = 500",
        "",
        "supplier[0].capacity_value_per_day",
        "not both",
        "capacity_value_per_day",
    ),
    (
        "capacity_value_per_day = 0",
        "",
        "supplier[0].capacity_value_per_day",
        "must be from 0.000001",
        "capacity_value_per_day",
    ),
    (
        "capacity_per_day = 100\nallocation = \"random\"",
        "",
        "supplier[0].allocation",
        "must be \"fifo\", \"proportional\" or \"priority\" (got \"random\")",
        "allocation",
    ),
    (
        "capacity_per_day = 100\npriority = [\"gift-set\"]",
        "",
        "supplier[0].priority",
        "only used by allocation = \"priority\"",
        "priority = [",
    ),
    (
        "capacity_per_day = 100\nallocation = \"proportional\"\npriority = [\"gift-set\"]",
        "",
        "supplier[0].priority",
        "only used by allocation = \"priority\"",
        "priority = [",
    ),
    (
        "capacity_per_day = 100\nallocation = \"priority\"",
        "",
        "supplier[0].priority",
        "needs the items in order, most important first",
        "[[supplier]]",
    ),
    (
        "capacity_per_day = 100\nallocation = \"priority\"\npriority = [\"gift-set\", \"card\"]",
        "",
        "supplier[0].priority[1]",
        "item 'card' is not bought from supplier 'shared'",
        "priority = [",
    ),
    (
        "capacity_per_day = 100\nallocation = \"priority\"\npriority = [\"ribbon\", \"ribbon\"]",
        "",
        "supplier[0].priority[1]",
        "item 'ribbon' is listed twice",
        "priority = [",
    ),
    (
        "capacity_per_day = 100\nallocation = \"priority\"\npriority = [\"bow\"]",
        "",
        "supplier[0].priority[0]",
        "'bow' is not an item of the scenario",
        "priority = [",
    ),
    (
        "capacity_per_day = 100\nguaranteed_share = { gift-set = 0.7, ribbon = 0.5 }",
        "",
        "supplier[0].guaranteed_share",
        "add up to at most 1 (got 1.2)",
        "guaranteed_share",
    ),
    (
        "capacity_per_day = 100\nguaranteed_share = { gift-set = 1.5 }",
        "",
        "supplier[0].guaranteed_share.gift-set",
        "must be",
        "guaranteed_share",
    ),
    (
        "capacity_per_day = 100\nguaranteed_share = { gift-set = -0.1 }",
        "",
        "supplier[0].guaranteed_share.gift-set",
        "must be",
        "guaranteed_share",
    ),
    (
        "guaranteed_share = { gift-set = 0.5 }",
        "",
        "supplier[0].guaranteed_share",
        "set capacity_per_day or capacity_value_per_day",
        "guaranteed_share",
    ),
    (
        "capacity_per_day = 100\nguaranteed_share = { card = 0.5 }",
        "",
        "supplier[0].guaranteed_share.card",
        "item 'card' is not bought from supplier 'shared'",
        "guaranteed_share",
    ),
    (
        "order_days = [\"mon\", \"funday\"]",
        "",
        "supplier[0].order_days[1]",
        "must be a weekday, one of mon, tue, wed, thu, fri, sat, sun",
        "order_days",
    ),
    (
        "order_days = []",
        "",
        "supplier[0].order_days",
        "at least one weekday",
        "order_days",
    ),
    (
        "order_days = [\"mon\"]\norder_cycle_days = 7",
        "",
        "supplier[0].order_cycle_days",
        "not both",
        "order_cycle_days",
    ),
    (
        "order_cycle_days = 0",
        "",
        "supplier[0].order_cycle_days",
        "(got 0)",
        "order_cycle_days",
    ),
    (
        "min_order_value = -10",
        "",
        "supplier[0].min_order_value",
        "must be from 0",
        "min_order_value",
    ),
    (
        "delivery_cost = -1",
        "",
        "supplier[0].delivery_cost",
        "must be from 0",
        "delivery_cost",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 100\nperiod = \"year\"",
        "budget[0].period",
        "must be \"week\" or \"month\" (got \"year\")",
        "period",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 100\nperiod = \"week\"\nwhen_exceeded = \"never\"",
        "budget[0].when_exceeded",
        "must be \"wait\"",
        "when_exceeded",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 100\nperiod = \"week\"\nsuppliers = [\"shared\", \"nobody\"]",
        "budget[0].suppliers[1]",
        "'nobody' is not a supplier of the scenario",
        "suppliers = [\"shared\", \"nobody\"]",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 100\nperiod = \"week\"\nsuppliers = []",
        "budget[0].suppliers",
        "must name at least one supplier",
        "suppliers = []",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 0\nperiod = \"month\"",
        "budget[0].amount",
        "must be from 0.000001",
        "amount",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = -500\nperiod = \"month\"",
        "budget[0].amount",
        "(got -500)",
        "amount",
    ),
    (
        "",
        "[[budget]]\nid = \"b\"\namount = 100\nperiod = \"month\"\n\n\
         [[budget]]\nid = \"b\"\namount = 200\nperiod = \"week\"",
        "budget[1].id",
        "'b' is already used by budget[0]",
        "id = \"b\"",
    ),
    (
        "",
        "[[budget]]\nid = \" \"\namount = 100\nperiod = \"month\"",
        "budget[0].id",
        "must not be empty",
        "id = \" \"",
    ),
];

#[test]
fn every_refusal_names_its_field_and_line() {
    for &(supplier, budgets, field, says, at) in CASES {
        let text = scenario(supplier, budgets);
        let err = refused(&text);
        // The line of the field: the line of the supplier's or the budget's table holding it,
        // or for a missing field the table's header. A duplicate id is the second one's.
        let start = if budgets.is_empty() {
            line_of(&text, "[[supplier]]")
        } else if field.starts_with("budget[1]") {
            text.rfind("[[budget]]")
                .map(|i| text[..i].lines().count() + 1)
                .unwrap()
        } else {
            line_of(&text, "[[budget]]")
        };
        let line = text
            .lines()
            .enumerate()
            .skip(start - 1)
            .find(|(_, l)| l.contains(at))
            .map(|(i, _)| i + 1)
            .unwrap_or_else(|| panic!("{field}: no `{at}`"));
        let expected = format!("line {line}: {field}: ");
        let found = err
            .lines()
            .find(|l| l.contains(&format!("{field}: ")))
            .unwrap_or_else(|| panic!("{field}: not named in\n{err}"));
        assert!(
            found.trim_start().starts_with(&expected),
            "{field}: expected `{expected}`, got `{found}`"
        );
        assert!(found.contains(says), "{field}: `{says}` not in `{found}`");
        let message = &found[found.find(&format!("{field}: ")).unwrap()..];
        assert!(
            !message.contains("  "),
            "{field}: runs of spaces in `{found}`"
        );
    }
}

/// Every problem of a scenario is listed at once, not the first only.
#[test]
fn all_the_problems_are_listed_together() {
    let text = scenario(
        "capacity_per_day = 100\ncapacity_value_per_day = 500\nallocation = \"any\"\n\
         delivery_cost = -1",
        "[[budget]]\nid = \"b\"\namount = 0\nperiod = \"day\"",
    );
    let err = refused(&text);
    assert!(err.contains("(5 problems)"), "{err}");
}

/// A valid scenario using every new field validates, and `validate` describes its suppliers and
/// budgets, every line at most 100 columns.
#[test]
fn a_scenario_with_shared_suppliers_and_budgets_validates() {
    let text = scenario(
        "capacity_value_per_day = 800\nallocation = \"priority\"\n\
         priority = [\"ribbon\", \"gift-set\"]\nguaranteed_share = { gift-set = 0.25 }\n\
         min_order_value = 150\norder_days = [\"Monday\", \"thu\"]\ndelivery_cost = 30",
        "[[budget]]\nid = \"monthly\"\namount = 5000\nperiod = \"month\"\n\
         suppliers = [\"shared\"]\n\n[[budget]]\nid = \"weekly\"\namount = 900\n\
         period = \"week\"\nwhen_exceeded = \"trim\"",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, &text).unwrap();
    let out = buffersim().arg("validate").arg(&path).assert().success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    for line in stdout.lines() {
        assert!(line.chars().count() <= 100, "too wide: {line}");
    }
    // Wrapped lines are joined again to look for phrases.
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "capacity 800/day in value (units × price), shared by 2 items",
        "when short, by priority: ribbon, gift-set",
        "guaranteed shares: gift-set 25%",
        "taken on mon, thu (day 0 is a Monday)",
        "worth at least 150 together",
        "delivery cost 30 each",
        "purchase budgets:",
        "monthly: 5,000 a calendar month for orders to shared",
        "weekly: 900 a week (days 0–6, 7–13, …) for orders to every supplier",
        "cut to what is left (trim)",
    ] {
        assert!(flat.contains(expected), "`{expected}` not in\n{stdout}");
    }
    // `other` has none of the new terms: its line is as it was.
    assert!(
        stdout.contains("  other: lead time 2.00 ± 0.00 days (on time 100%)\n\n"),
        "{stdout}"
    );
}
