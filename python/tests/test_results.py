"""Results through Python are the command line's, and per-run arrays are paired runs that
average to the summary's means."""

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import buffersim as bs
from conftest import SCENARIOS


def cli_run(cli, scenario, out, *args):
    subprocess.run(
        [str(cli), "--quiet", "run", str(scenario), "--out", str(out), *args], check=True
    )
    return (out / "summary.json").read_text(), (out / "summary.csv").read_text()


@pytest.mark.parametrize("name", ["kanban-vs-jic", "shared-supplier", "peak-season"])
def test_summary_is_the_command_lines_byte_for_byte(cli, tmp_path, name):
    path = SCENARIOS / f"{name}.toml"
    json_text, csv_text = cli_run(cli, path, tmp_path, "--runs", "150", "--seed", "17")
    results = bs.run(bs.Scenario.load(path), runs=150, seed=17, threads=2)
    assert results.to_json() == json_text
    assert results._native.summary_csv() == csv_text
    frame = results.summary()
    assert list(frame.columns) == [
        "policy", "item", "metric", "n", "mean", "ci95_low", "ci95_high", "p05", "p50", "p95",
    ]
    assert len(frame) == csv_text.count("\n") - 1


def test_results_do_not_depend_on_threads(example):
    scenario = bs.Scenario.load(example)
    one = bs.run(scenario, runs=200, seed=3, threads=1)
    three = bs.run(scenario, runs=200, seed=3, threads=3)
    assert one.to_json() == three.to_json()
    for metric in ["stockout_rate", "total_cost", "avg_on_hand_value"]:
        np.testing.assert_array_equal(one.per_run(metric), three.per_run(metric))


@pytest.mark.parametrize("name", ["kanban-vs-jic", "shared-supplier"])
def test_per_run_arrays_average_to_the_summary_means(name):
    scenario = bs.Scenario.load(SCENARIOS / f"{name}.toml")
    results = bs.run(scenario, runs=130, seed=11)
    summary = results.summary()
    checked = 0
    for item in [None, *scenario.items]:
        for metric in bs.METRICS:
            rows = results.per_run(metric, item)
            assert rows.shape == (130, len(scenario.policies))
            for p, policy in enumerate(scenario.policies):
                row = summary[
                    (summary.policy == policy)
                    & (summary["item"] == (item or "(all items)"))
                    & (summary.metric == metric)
                ]
                column = rows[:, p]
                defined = column[~np.isnan(column)]
                if row.empty:
                    assert defined.size == 0
                    continue
                assert defined.size == int(row.n.iloc[0])
                assert math.isclose(defined.mean(), float(row["mean"].iloc[0]), rel_tol=1e-9, abs_tol=1e-12)
                checked += 1
    assert checked > 100


def test_per_run_rows_are_paired_runs(example):
    # Under common random numbers the paired difference varies less than the difference of
    # two independent samples would.
    results = bs.run(bs.Scenario.load(example), runs=400, seed=8)
    cost = results.per_run("total_cost")
    diff = cost[:, 1] - cost[:, 0]
    unpaired = math.sqrt(cost[:, 0].var() + cost[:, 1].var())
    assert diff.std() < unpaired


def test_per_run_names_unknown_metric_and_item(example):
    results = bs.run(bs.Scenario.load(example), runs=10)
    with pytest.raises(KeyError, match="fill_rate"):
        results.per_run("fill_rat")
    with pytest.raises(KeyError, match="controller-board"):
        results.per_run("fill_rate", item="nope")


def test_on_hand_fan_is_on_hand_csv(example):
    results = bs.run(bs.Scenario.load(example), runs=64)
    fan = results.on_hand_fan()
    assert {"policy", "day", "p05", "p50", "p95"} <= set(fan.columns)
    assert set(fan.policy) == set(results.policies)


def test_from_dict_and_from_toml_give_the_files_results(example):
    tomllib = pytest.importorskip("tomllib")
    text = example.read_text()
    by_file = bs.run(bs.Scenario.load(example), runs=70, seed=1).to_dict()
    by_text = bs.run(bs.Scenario.from_toml(text), runs=70, seed=1).to_dict()
    by_dict = bs.run(bs.Scenario.from_dict(tomllib.loads(text)), runs=70, seed=1).to_dict()
    assert by_file["policies"] == by_text["policies"] == by_dict["policies"]


def test_with_values_uses_sweep_paths(example):
    scenario = bs.Scenario.load(example)
    changed = scenario.with_values({"policy.jic-95.service_level": 0.99})
    assert "0.99" in changed.source
    base = bs.run(scenario, runs=200, seed=4).per_run("stockout_rate")
    more = bs.run(changed, runs=200, seed=4).per_run("stockout_rate")
    p = scenario.policies.index("jic-95")
    assert np.nanmean(more[:, p]) <= np.nanmean(base[:, p])
    # The other policies are untouched, run for run.
    np.testing.assert_array_equal(more[:, 0], base[:, 0])


def test_validate_returns_what_validate_prints(cli, example):
    printed = subprocess.run(
        [str(cli), "validate", str(example)], check=True, capture_output=True, text=True
    ).stdout
    data = bs.Scenario.load(example).validate()
    assert data["valid"] is True
    assert printed == data["text"] + "\nscenario is valid\n"
    assert data["policies"] == ["kanban", "jic-95", "jic-95-rush", "jic-30d", "hybrid"]
    assert data["inputs"]["items"]


def test_progress_is_reported_and_its_errors_raised(example):
    seen = []
    bs.run(bs.Scenario.load(example), runs=200, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (200, 200)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)

    def fail(done, total):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        bs.run(bs.Scenario.load(example), runs=200, progress=fail)


def test_per_run_csv_of_the_command_is_the_per_run_arrays(cli, tmp_path, example):
    csv = tmp_path / "runs.csv"
    cli_run(cli, example, tmp_path / "out", "--runs", "90", "--seed", "6", "--per-run", str(csv))
    table = pd.read_csv(csv, keep_default_na=False, na_values=[""])
    assert list(table.run) == list(range(90))
    results = bs.run(bs.Scenario.load(example), runs=90, seed=6)
    for metric in ["total_cost", "fill_rate", "time_to_recover"]:
        for item in [None, "power-supply"]:
            rows = results.per_run(metric, item)
            for p, policy in enumerate(results.policies):
                column = table[f"{policy}/{item or '(all items)'}/{metric}"].to_numpy(dtype=float)
                np.testing.assert_array_equal(column, rows[:, p])
