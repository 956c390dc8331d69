//! Issue 23, first part: `buffersim profile` never writes a broken or silently wrong scenario.
//! Each defect the issue lists has a fixture under `tests/data/broken/history/` (also checked
//! by the fuzz harness's `broken_input_fixtures_keep_their_verdicts`) and a test here that
//! names what the user is told.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use buffersim::model::scenario::Scenario;
use buffersim::profile::write::write_all;
use buffersim::profile::{InputFiles, Profile, ProfileOptions};

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

fn broken_history(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/broken/history")
        .join(name)
}

fn inputs(dir: &Path) -> InputFiles {
    let given = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
    InputFiles {
        demand: dir.join("demand.csv"),
        deliveries: given("deliveries.csv"),
        items: given("items.csv"),
    }
}

fn error_of(files: &InputFiles) -> String {
    Profile::from_files(files, ProfileOptions::default())
        .unwrap_err()
        .to_string()
}

fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Profile `files`, write its files and load the scenario as `buffersim` would: every
/// scenario `profile` writes must validate.
fn profile_and_load(files: &InputFiles) -> (Profile, Scenario, tempfile::TempDir) {
    let profile = Profile::from_files(files, ProfileOptions::default()).unwrap();
    let out = tempfile::tempdir().unwrap();
    write_all(&profile, out.path()).unwrap();
    let scenario = Scenario::load(&out.path().join("scenario.toml"))
        .unwrap_or_else(|e| panic!("the written scenario is refused: {e:#}"));
    (profile, scenario, out)
}

fn notes_of(profile: &Profile) -> String {
    profile
        .notes
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first 1,500 lines of the shipped history (about six months) read seasonal items as
/// trends below −100% a year, which `validate` refused. Under two years no trend is fitted,
/// and a note says why.
#[test]
fn issue_23_a_short_history_gets_no_trend_and_its_scenario_validates() {
    let dir = broken_history("accepted-six-months-of-seasonal-demand");
    let (profile, scenario, out) = profile_and_load(&inputs(&dir));
    assert_eq!(scenario.items.len(), profile.items.len());
    let notes = notes_of(&profile);
    assert!(
        notes.contains("under two years of history: no trend is fitted"),
        "{notes}"
    );
    let toml = std::fs::read_to_string(out.path().join("scenario.toml")).unwrap();
    assert!(!toml.contains("trend_per_year"), "{toml}");
    let md = std::fs::read_to_string(out.path().join("profile.md")).unwrap();
    assert!(
        md.contains("no trend is fitted"),
        "profile.md lists the note"
    );
    // And the scenario runs.
    buffersim()
        .arg("run")
        .arg(out.path().join("scenario.toml"))
        .args(["--runs", "5", "--quiet", "--out"])
        .arg(out.path().join("run"))
        .assert()
        .success();
}

/// The full shipped history (two years) still finds its trends.
#[test]
fn issue_23_a_two_year_history_keeps_its_trends() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/data");
    let (profile, _, _) = profile_and_load(&inputs(&data));
    assert!(
        !notes_of(&profile).contains("no trend is fitted"),
        "two years is enough"
    );
}

/// `…,1,000` (a thousands separator making an extra cell) was read as quantity 1 without a
/// word; now the row is refused, naming its line.
#[test]
fn issue_23_an_extra_cell_is_refused_with_its_line() {
    let err = error_of(&inputs(&broken_history("refused-extra-cell")));
    assert!(
        err.contains(
            "line 11, column '(record)': has 4 cells but the header names 3 columns (extra: \
             '000'): a thousands separator such as 1,000"
        ),
        "{err}"
    );
    // A trailing delimiter (empty cells past the header) is not a problem.
    let dir = tempfile::tempdir().unwrap();
    let trailing = file(
        dir.path(),
        "demand.csv",
        "date,item,quantity\n2024-01-01,a,1,\n2024-01-02,a,2,,\n",
    );
    let files = InputFiles {
        demand: trailing,
        deliveries: None,
        items: None,
    };
    Profile::from_files(&files, ProfileOptions::default()).unwrap();
}

/// A history of zeros wrote a scenario without items (exit 0); now it is an error, exit 2, and
/// nothing is written.
#[test]
fn issue_23_a_history_without_demand_is_an_error() {
    let fixture = broken_history("refused-zero-history");
    let out = tempfile::tempdir().unwrap();
    buffersim()
        .arg("profile")
        .arg(fixture.join("demand.csv"))
        .arg("--out")
        .arg(out.path().join("p"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "has no demand above zero: every quantity is 0",
        ));
    assert!(!out.path().join("p").exists());
}

/// Dates must lie in the years 1900 to 2200; within them, a history longer than a century is
/// still refused, blaming the odd date out.
#[test]
fn issue_23_dates_out_of_range_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let demand = |text: &str| InputFiles {
        demand: file(dir.path(), "demand.csv", text),
        deliveries: None,
        items: None,
    };
    for (date, line) in [("1899-12-31", 3), ("2201-01-01", 3), ("9999-12-31", 3)] {
        let err = error_of(&demand(&format!(
            "date,item,quantity\n2024-01-01,a,1\n{date},a,2\n"
        )));
        assert!(
            err.contains(&format!(
                "line {line}, column 'date': '{date}' is out of range: dates must be in the \
                 years 1900 to 2200"
            )),
            "{err}"
        );
    }
    let err = error_of(&demand(
        "date,item,quantity\n2024-01-01,a,1\n2024-01-02,a,1\n1901-01-01,a,2\n",
    ));
    assert!(
        err.contains("line 4, column 'date': '1901-01-01' is 44,926 days from the other end"),
        "{err}"
    );
}

/// A delivery received 25 years after its order gave a lead time beyond the scenario's ten
/// years; the row is left out of the supplier's figures, with its line.
#[test]
fn issue_23_a_lead_time_beyond_ten_years_is_left_out_with_its_line() {
    let dir = broken_history("accepted-lead-time-beyond-ten-years");
    let (profile, _, _) = profile_and_load(&inputs(&dir));
    let notes = notes_of(&profile);
    assert!(
        notes.contains(
            "deliveries.csv line 6: local-express / SKU-1001: 9,134 days from the order date \
             2024-01-29 to its promise or receipt, more than the 3650 a scenario allows"
        ),
        "{notes}"
    );
    let supplier = profile
        .suppliers
        .iter()
        .find(|s| s.id == "local-express")
        .unwrap();
    assert!(supplier.lead_time_mean < 30.0);
}

/// Synthetic histories of several sizes and lengths, clean and messy: each written scenario
/// validates.
#[test]
fn issue_23_synthetic_histories_write_valid_scenarios() {
    use buffersim::profile::synth::{self, SynthOptions};
    for (items, months, clean) in [(5, 3, false), (8, 7, true), (12, 13, false), (6, 30, true)] {
        let dir = tempfile::tempdir().unwrap();
        let data = synth::generate(&SynthOptions {
            items,
            months,
            clean,
            ..SynthOptions::default()
        });
        synth::write(&data, dir.path()).unwrap();
        let (profile, scenario, _) = profile_and_load(&inputs(dir.path()));
        assert_eq!(scenario.items.len(), profile.items.len());
    }
}
