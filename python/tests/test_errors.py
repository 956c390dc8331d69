"""Errors carry the command line's message, file, line and field; bad input never crashes."""

import pathlib

import pytest

import buffersim as bs
from conftest import SCENARIOS

TEXT = (SCENARIOS / "kanban-vs-jic.toml").read_text()


def line_of(text, fragment):
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_invalid_value_names_line_and_field():
    bad = TEXT.replace("sd = 6 }", "sd = -6 }", 1)
    with pytest.raises(bs.ScenarioError) as caught:
        bs.Scenario.from_toml(bad, path="bad.toml")
    e = caught.value
    assert e.file == "bad.toml"
    assert e.line == line_of(bad, "sd = -6")
    assert e.field == "item[0].demand.normal.sd"
    assert f"line {e.line}: item[0].demand.normal.sd" in e.message
    assert str(e) == e.message
    assert e.problems[0] == (e.field, e.line, e.problems[0][2])
    assert isinstance(e, ValueError)


def test_unknown_field_names_its_line():
    bad = TEXT.replace("service_level = 0.95", "service_levle = 0.95", 1)
    with pytest.raises(bs.ScenarioError) as caught:
        bs.Scenario.from_toml(bad)
    assert caught.value.line == line_of(bad, "service_levle")
    assert "unknown field `service_levle`" in caught.value.message


def test_json_errors_name_their_line():
    with pytest.raises(bs.ScenarioError) as caught:
        bs.Scenario.from_json('{\n  "simulation": {\n    "runs": "many"\n  }\n}')
    assert caught.value.line == 3


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(bs.ScenarioError) as caught:
        bs.Scenario.load(missing)
    assert caught.value.file == str(missing)
    assert caught.value.line is None
    assert "cannot read scenario" in caught.value.message


def test_with_values_errors():
    scenario = bs.Scenario.from_toml(TEXT)
    with pytest.raises(KeyError, match="service_level"):
        scenario.with_values({"policy.jic-95.service_levle": 0.9})
    with pytest.raises(bs.ScenarioError) as caught:
        scenario.with_values({"policy.jic-95.service_level": 1.5})
    assert caught.value.field is not None and "service_level" in caught.value.field


@pytest.mark.parametrize(
    "call",
    [
        lambda s: bs.run(s, runs=0),
        lambda s: bs.run(s, threads=0),
        lambda s: bs.run(s, runs=10, precision=-1.0),
        lambda s: bs.compare(s, baseline="nobody", runs=10),
        lambda s: bs.sweep(s, "policy.kanban.nonsense=0..1:3", runs=10),
        lambda s: bs.sweep(s, ["a=1", "b=2", "c=3"], runs=10),
        lambda s: bs.optimize(s, "kanban", "policy.kanban.safety_factor", "fill_rat >= 0.9", runs=10),
        lambda s: bs.optimize(s, "nobody", "policy.kanban.safety_factor", "fill_rate >= 0.9", runs=10),
        lambda s: bs.optimize(s, "kanban", "policy.kanban.safety_factor", "fill_rate >= 0.9",
                              range=(5, 1), runs=10),
        lambda s: bs.run(s, runs=-1),
        lambda s: bs.run(s, seed=-5),
        lambda s: bs.compare(s, baseline="-x", runs=10),
        lambda s: s.with_values({"policy.kanban.safety_factor": float("nan")}),
        lambda s: s.with_values({"simulation.horizon_days": 1e30}),
        lambda s: bs.Scenario.from_toml("\x00\x01 ==="),
        lambda s: bs.Scenario.from_dict({"simulation": {"runs": [1, 2]}}),
        lambda s: bs.Scenario.load(SCENARIOS),
    ],
)
def test_bad_options_raise_value_errors_not_crashes(call):
    # A panic would surface as pyo3's PanicException, a BaseException: not caught here.
    with pytest.raises(ValueError):
        call(bs.Scenario.from_toml(TEXT))
