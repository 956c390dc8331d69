//! summary.xlsx (issue 22, item 6): the summary as a workbook, read back with a spreadsheet
//! reader: the sheets a planner expects, numbers stored as numbers equal to summary.json's,
//! units in the headers, empty cells where a single run gives no interval, and the same bytes
//! from the same run.

use assert_cmd::Command;
use calamine::{Data, Reader, open_workbook_auto};

fn run(runs: &str, out: &std::path::Path) {
    Command::cargo_bin("buffersim")
        .unwrap()
        .args([
            "run",
            "scenarios/kanban-vs-jic.toml",
            "--runs",
            runs,
            "--out",
        ])
        .arg(out)
        .assert()
        .success();
}

#[test]
fn the_workbook_holds_the_summary_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a");
    run("40", &out);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let mut book = open_workbook_auto(out.join("summary.xlsx")).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Policies",
            "Items",
            "Estimates",
            "Sizing",
            "Resilience",
            "Disruptions",
            "On hand",
            "About"
        ]
    );
    let policies = book.worksheet_range("Policies").unwrap();
    let header: Vec<String> = policies
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "policy");
    assert!(
        header.contains(&"fill_rate (share)".to_string()),
        "{header:?}"
    );
    assert!(header.contains(&"total_cost (currency per year)".to_string()));
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.starts_with(&format!("{name} (")))
            .unwrap()
    };
    for (k, row) in policies.rows().skip(1).enumerate() {
        let policy = &json["policies"][k];
        assert_eq!(
            row[0],
            Data::String(policy["policy"].as_str().unwrap().to_string())
        );
        for metric in ["fill_rate", "total_cost", "days_of_supply"] {
            let mean = policy["metrics"][metric]["mean"].as_f64().unwrap();
            // Spreadsheets hold 15 significant digits; the last bits may differ.
            let Data::Float(cell) = row[column(metric)] else {
                panic!("{metric}: not a number: {:?}", row[column(metric)]);
            };
            assert!(
                (cell - mean).abs() <= 1e-14 * mean.abs(),
                "{metric}: {cell} vs {mean}"
            );
        }
    }
    // Every estimate of summary.csv's policy rows is a row of the Estimates sheet, but the
    // figures by month (README, "Output files", summary.xlsx).
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let estimates = book.worksheet_range("Estimates").unwrap();
    let policy_rows = csv
        .lines()
        .skip(1)
        .filter(|l| {
            !l.starts_with("(all policies)")
                && !l.contains(",stockout_rate_")
                && !l.contains(",month:")
        })
        .count();
    assert_eq!(estimates.rows().count() - 1, policy_rows);

    // The same run gives the same bytes.
    let again = dir.path().join("b");
    run("40", &again);
    assert!(
        std::fs::read(out.join("summary.xlsx")).unwrap()
            == std::fs::read(again.join("summary.xlsx")).unwrap()
    );
}

#[test]
fn a_single_run_leaves_the_interval_cells_empty() {
    let dir = tempfile::tempdir().unwrap();
    run("1", dir.path());
    let mut book = open_workbook_auto(dir.path().join("summary.xlsx")).unwrap();
    let estimates = book.worksheet_range("Estimates").unwrap();
    let mut rows = estimates.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    let low = header.iter().position(|h| h == "ci95_low").unwrap();
    for row in rows {
        assert_eq!(row[low], Data::Empty);
        assert!(matches!(row[low + 3], Data::Float(_)), "p05 is a number");
    }
}
