//! `buffersim profile --previous`: review drift against an earlier profile — which items
//! changed class or posture, which came and went — checked against a previous profile edited
//! by hand, so that every change is known.

use std::path::Path;

use assert_cmd::Command;

fn buffersim() -> Command {
    Command::cargo_bin("buffersim").unwrap()
}

/// Profile the synthetic history in `data` into `out`, against `previous` when given.
fn profile(data: &Path, out: &Path, previous: Option<&Path>) -> assert_cmd::assert::Assert {
    let mut cmd = buffersim();
    cmd.arg("profile")
        .arg(data.join("demand.csv"))
        .arg("--deliveries")
        .arg(data.join("deliveries.csv"))
        .arg("--items")
        .arg(data.join("items.csv"))
        .arg("--out")
        .arg(out);
    if let Some(previous) = previous {
        cmd.arg("--previous").arg(previous);
    }
    cmd.assert()
}

/// The rows of a drift.csv (no cell of which is quoted): item, change, and the six standings.
fn drift_rows(dir: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(dir.join("drift.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "item,change,abc_before,abc_now,xyz_before,xyz_now,posture_before,posture_now"
    );
    lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn drift_names_each_item_that_changed_class_or_posture_came_or_went() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    buffersim()
        .args([
            "synth", "--items", "12", "--months", "18", "--clean", "--out",
        ])
        .arg(&data)
        .assert()
        .success();
    let first = tmp.path().join("first");
    profile(&data, &first, None).success();
    assert!(!first.join("drift.csv").exists());

    // The same history against itself: every item unchanged.
    let same = tmp.path().join("same");
    profile(&data, &same, Some(&first))
        .success()
        .stdout(predicates::str::contains(
            "since the previous profile: 0 of 12 items changed class or posture",
        ));
    let rows = drift_rows(&same);
    assert_eq!(rows.len(), 12);
    assert!(rows.iter().all(|r| r[1] == "unchanged"), "{rows:?}");
    let md = std::fs::read_to_string(same.join("profile.md")).unwrap();
    assert!(md.contains("## Since the previous profile"));
    assert!(md.contains("No item changed class or posture."));

    // A previous profile edited by hand: the first item one ABC class lower, the second on
    // another posture, the third missing, and an item the history no longer has.
    let now: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| (r[0].clone(), r[3].clone(), r[5].clone(), r[7].clone()))
        .collect();
    let lower = |abc: &str| {
        if abc == "C" {
            "A"
        } else if abc == "B" {
            "C"
        } else {
            "B"
        }
    };
    let other = |posture: &str| {
        if posture == "jic-reorder-point" {
            "jit-kanban"
        } else {
            "jic-reorder-point"
        }
    };
    let mut csv = String::from("item,abc,xyz,posture\n");
    for (k, (item, abc, xyz, posture)) in now.iter().enumerate() {
        match k {
            0 => csv += &format!("{item},{},{xyz},{posture}\n", lower(abc)),
            1 => csv += &format!("{item},{abc},{xyz},{}\n", other(posture)),
            2 => {}
            _ => csv += &format!("{item},{abc},{xyz},{posture}\n"),
        }
    }
    csv += "zz-retired,A,X,jit-kanban\n";
    let edited = tmp.path().join("edited.csv");
    std::fs::write(&edited, &csv).unwrap();
    let review = tmp.path().join("review");
    profile(&data, &review, Some(&edited))
        .success()
        .stdout(predicates::str::contains(
            "since the previous profile: 4 of 13 items changed class or posture",
        ));
    let rows = drift_rows(&review);
    let change = |item: &str| {
        rows.iter()
            .find(|r| r[0] == item)
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert_eq!(change(&now[0].0), "class");
    assert_eq!(change(&now[1].0), "posture");
    assert_eq!(change(&now[2].0), "new");
    assert_eq!(change("zz-retired"), "dropped");
    assert_eq!(rows.iter().filter(|r| r[1] == "unchanged").count(), 9);
    let md = std::fs::read_to_string(review.join("profile.md")).unwrap();
    assert!(
        md.contains(
            "1 items changed class, 1 posture, 0 both; 1 are new and 1 no longer in the \
             history; 9 are unchanged"
        ),
        "{md}"
    );
    assert!(md.contains(&format!("| {} | class |", now[0].0)));

    // Profiled again without a previous profile, the folder loses its stale comparison.
    profile(&data, &review, None).success();
    assert!(!review.join("drift.csv").exists());
    assert!(
        !std::fs::read_to_string(review.join("profile.md"))
            .unwrap()
            .contains("Since the previous profile")
    );
}

#[test]
fn a_previous_profile_that_cannot_be_read_is_an_error_naming_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    buffersim()
        .args([
            "synth", "--items", "4", "--months", "12", "--clean", "--out",
        ])
        .arg(&data)
        .assert()
        .success();
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "item,abc,xyz,posture\nsku-1,A,X,jit-kanban\nsku-2,A,Q,jit-bogus\nsku-1,B,X,none\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let stderr = String::from_utf8(
        profile(&data, &out, Some(&bad))
            .code(2)
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    for expected in [
        "line 3, column 'xyz': 'Q' is not one of X, Y, Z",
        "line 3, column 'posture': 'jit-bogus' is not one of jit-kanban",
        "line 4, column 'item': item 'sku-1' is listed again (first at line 2)",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    // Nothing is written when the previous profile cannot be read.
    assert!(!out.exists());

    let missing = tmp.path().join("no-such-profile");
    let stderr = String::from_utf8(
        profile(&data, &out, Some(&missing))
            .code(2)
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    assert!(stderr.contains("no-such-profile"), "{stderr}");

    let columns = tmp.path().join("columns.csv");
    std::fs::write(&columns, "item,abc,xyz\nsku-1,A,X\n").unwrap();
    let stderr = String::from_utf8(
        profile(&data, &out, Some(&columns))
            .code(2)
            .get_output()
            .stderr
            .clone(),
    )
    .unwrap();
    assert!(stderr.contains("'posture'"), "{stderr}");
}
