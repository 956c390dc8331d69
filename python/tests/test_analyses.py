"""compare, sweep and optimize give the command line's results as DataFrames."""

import json
import subprocess


import buffersim as bs
from conftest import SCENARIOS


def test_compare_is_the_command_lines(cli, tmp_path, example):
    subprocess.run(
        [str(cli), "--quiet", "compare", str(example), "--runs", "120", "--seed", "5",
         "--baseline", "jic-95", "--out", str(tmp_path)],
        check=True,
    )
    frame = bs.compare(bs.Scenario.load(example), baseline="jic-95", runs=120, seed=5)
    assert frame.attrs["compare"] == json.loads((tmp_path / "compare.json").read_text())
    assert len(frame) == (tmp_path / "compare.csv").read_text().count("\n") - 1
    assert "jic-95" not in set(frame.policy)


def test_sweep_is_the_command_lines(cli, tmp_path, example):
    vary = "policy.kanban.safety_factor=0..1:3"
    subprocess.run(
        [str(cli), "--quiet", "sweep", str(example), "--vary", vary, "--runs", "64",
         "--seed", "2", "--out", str(tmp_path)],
        check=True,
    )
    seen = []
    frame = bs.sweep(bs.Scenario.load(example), vary, runs=64, seed=2,
                     progress=lambda d, t: seen.append((d, t)))
    assert frame.attrs["sweep"] == json.loads((tmp_path / "sweep.json").read_text())
    assert seen[:3] == [(0, 3), (1, 3), (2, 3)] and seen[-1] == (3, 3)
    by_dict = bs.sweep(bs.Scenario.load(example), {"policy.kanban.safety_factor": [0, 0.5, 1]},
                       runs=64, seed=2)
    assert by_dict.equals(frame)


def test_optimize_finds_a_value_meeting_the_target(example):
    frame = bs.optimize(bs.Scenario.load(example), "jic-95", "policy.jic-95.service_level",
                        "stockout_rate <= 0.05", runs=128, seed=3)
    assert len(frame) == 1
    assert frame.attrs["optimize"]["policy"] == "jic-95"
    assert frame.attrs["optimize"]["answers"][0]["unit"] == "(all items)"
