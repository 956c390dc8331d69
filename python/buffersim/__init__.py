"""buffersim from Python: Monte Carlo disruption simulation of inventory buffers.

Load a scenario, run it, and get the command line's results as pandas DataFrames and every
run's figures as NumPy arrays, for paired statistics of your own::

    import buffersim as bs

    scenario = bs.Scenario.load("scenarios/kanban-vs-jic.toml")
    results = bs.run(scenario, runs=2000, seed=42)
    results.summary()                       # summary.csv as a DataFrame (long format)
    lost = results.per_run("lost_units")    # shape (runs, policies), row i = run i
    diff = lost[:, 1] - lost[:, 0]          # paired under common random numbers

The simulation is the buffersim library itself (compiled in), so results are identical to
``buffersim run`` for the same scenario and seed, at any thread count. Simulations release
the GIL: other Python threads keep running meanwhile.
"""

from __future__ import annotations

import io
import json
import math
import os
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _buffersim
from ._buffersim import ScenarioError

__all__ = [
    "Scenario",
    "Results",
    "ScenarioError",
    "run",
    "compare",
    "sweep",
    "optimize",
    "METRICS",
]

#: Every metric name, in the order of summary.csv.
METRICS: list[str] = list(_buffersim.metrics())

#: A progress callback: called as ``progress(done, total)`` while simulating (runs merged so
#: far, or grid points started in a sweep); ``total`` is None where it is not known.
Progress = Callable[[int, Optional[int]], Any]


class Scenario:
    """A validated scenario: the file's values checked exactly as ``buffersim validate`` does.

    Make one with :meth:`load`, :meth:`from_toml`, :meth:`from_json` or :meth:`from_dict`;
    an invalid scenario raises :class:`ScenarioError` with the command line's message, file,
    line and field. Scenarios are immutable: :meth:`with_values` returns a changed copy.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _buffersim.NativeScenario) -> None:
        self._native = native

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Scenario":
        """Read and validate a scenario file (``.toml``, or ``.json`` with the same shape)."""
        return cls(_buffersim.NativeScenario.load(str(path)))

    @classmethod
    def from_toml(cls, text: str, path: str = "scenario.toml") -> "Scenario":
        """Validate scenario text in TOML. ``path`` names it in messages and anchors relative
        files it refers to (demand traces)."""
        return cls(_buffersim.NativeScenario.from_text(text, _with_suffix(path, ".toml")))

    @classmethod
    def from_json(cls, text: str, path: str = "scenario.json") -> "Scenario":
        """Validate scenario text in JSON (the TOML file's shape, as JSON)."""
        return cls(_buffersim.NativeScenario.from_text(text, _with_suffix(path, ".json")))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], path: str = "scenario.json") -> "Scenario":
        """Validate a scenario given as nested dicts and lists, shaped like the TOML file
        (``{"simulation": {...}, "item": [...], "supplier": [...], "policy": {...}}``)."""
        return cls.from_json(json.dumps(data), path)

    def with_values(self, values: Mapping[str, float]) -> "Scenario":
        """A copy with each parameter set, e.g. ``{"policy.jic.service_level": 0.97}``.

        Parameters are addressed by the paths ``buffersim sweep --vary`` takes (README,
        "Parameter paths"). An unknown path raises ``KeyError``; a value the scenario refuses
        raises :class:`ScenarioError`.
        """
        pairs = [(str(k), float(v)) for k, v in values.items()]
        for path, value in pairs:
            if not math.isfinite(value):
                raise ValueError(f"{path}: {value} is not a finite number")
        return Scenario(self._native.with_values(pairs))

    def validate(self) -> dict[str, Any]:
        """What ``buffersim validate`` prints, as data.

        Keys: ``valid`` (always True: an invalid scenario cannot be made), ``name``,
        ``policies``, ``items``, ``runs``, ``seed``, ``text`` (the resolved scenario exactly
        as ``validate`` prints it) and ``inputs`` (suppliers, items and disruptions as
        summary.json's ``inputs`` holds them).
        """
        text, inputs = self._native.describe()
        return {
            "valid": True,
            "name": self.name,
            "policies": self.policies,
            "items": self.items,
            "runs": self.runs,
            "seed": self.seed,
            "text": text,
            "inputs": json.loads(inputs) if inputs else {},
        }

    @property
    def name(self) -> str:
        """The scenario's title (``simulation.name``, or the file name)."""
        return self._native.name

    @property
    def path(self) -> str:
        """The file the scenario was read from (or the name it was given)."""
        return self._native.path

    @property
    def source(self) -> str:
        """The scenario's text, changed values included."""
        return self._native.source

    @property
    def policies(self) -> list[str]:
        """Policy names, in scenario order (the columns of :meth:`Results.per_run`)."""
        return self._native.policies

    @property
    def items(self) -> list[str]:
        """Item ids, in scenario order."""
        return self._native.items

    @property
    def runs(self) -> int:
        """The runs the scenario asks for (``simulation.runs``)."""
        return self._native.runs

    @property
    def seed(self) -> int:
        """The scenario's master seed (``simulation.seed``)."""
        return self._native.seed

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, policies={self.policies!r}, items={self.items!r})"


class Results:
    """What :func:`run` gives: the summary of every policy and every run's figures."""

    __slots__ = ("_native",)

    def __init__(self, native: _buffersim.NativeResults) -> None:
        self._native = native

    @property
    def runs(self) -> int:
        """Number of runs simulated."""
        return self._native.runs

    @property
    def policies(self) -> list[str]:
        """Policy names: the columns of :meth:`per_run`."""
        return self._native.policies

    @property
    def items(self) -> list[str]:
        """Item ids, for :meth:`per_run`'s ``item``."""
        return self._native.items

    def summary(self) -> pd.DataFrame:
        """summary.csv as a DataFrame, in its long format: one row per policy, item
        (``(all items)`` for the policy as a whole) and metric, with columns ``policy``,
        ``item``, ``metric``, ``n``, ``mean``, ``ci95_low``, ``ci95_high``, ``p05``, ``p50``,
        ``p95``; the figures by calendar month have ``item`` ``month:Jan`` … and no
        percentiles (NaN)."""
        return _csv(self._native.summary_csv())

    def per_run(self, metric: str, item: Optional[str] = None) -> np.ndarray:
        """``metric`` in every run under every policy: an array of shape (runs, policies).

        Row i is run i, the same random demand and disruptions under every policy (common
        random numbers), so columns can be differenced run by run for paired statistics.
        ``item`` picks one item's figure; None gives the policy's figure over all items.
        NaN where the metric is undefined in a run (a fill rate without demand); the mean
        of a column's defined values is the summary's mean.
        """
        columns = self._native.per_run(metric, item)
        return np.asarray(columns, dtype=np.float64).reshape(len(columns), -1).T.copy()

    def on_hand_fan(self) -> pd.DataFrame:
        """on_hand.csv as a DataFrame: stock on hand across runs per sampled day (the
        percentiles the fan charts draw), per policy and, with several items, per item."""
        return _csv(self._native.on_hand_csv())

    def to_json(self) -> str:
        """summary.json's text, byte for byte what ``buffersim run`` writes."""
        return self._native.to_json()

    def to_dict(self) -> dict[str, Any]:
        """summary.json as a dict."""
        return json.loads(self.to_json())

    def __repr__(self) -> str:
        return f"Results(runs={self.runs}, policies={self.policies!r})"


def run(
    scenario: Scenario,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    *,
    precision: Optional[float] = None,
    precision_metric: Optional[str] = None,
    max_runs: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> Results:
    """Simulate ``scenario`` under each of its policies, as ``buffersim run`` does.

    ``runs`` and ``seed`` default to the scenario's; ``threads`` to one per core (results do
    not depend on it). ``precision`` keeps adding runs until the 95% half-width of
    ``precision_metric`` (default ``stockout_rate``) is at most this, up to ``max_runs``.
    ``progress(done, total)`` hears the runs merged so far. Every run's figures are kept for
    :meth:`Results.per_run`, so memory grows with the runs (about 200 bytes per policy, item
    and run).
    """
    argv = _sim_args(runs, seed, threads, precision, precision_metric, max_runs)
    total = None if precision is not None else (runs if runs is not None else scenario.runs)
    return Results(scenario._native.run(argv, _progress(progress, total)))


def compare(
    scenario: Scenario,
    baseline: Optional[str] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    *,
    precision: Optional[float] = None,
    precision_metric: Optional[str] = None,
    max_runs: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> pd.DataFrame:
    """Paired comparison of every policy with ``baseline`` (default: the first), as
    ``buffersim compare``: compare.csv as a DataFrame, one row per policy and metric. The
    whole of compare.json is in ``df.attrs["compare"]``."""
    argv = _sim_args(runs, seed, threads, precision, precision_metric, max_runs)
    if baseline is not None:
        argv.append(f"--baseline={baseline}")
    total = None if precision is not None else (runs if runs is not None else scenario.runs)
    text, csv = scenario._native.compare(argv, _progress(progress, total))
    frame = _csv(csv)
    frame.attrs["compare"] = json.loads(text)
    return frame


def sweep(
    scenario: Scenario,
    vary: Union[str, Sequence[str], Mapping[str, Union[str, Sequence[float]]]],
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    *,
    precision: Optional[float] = None,
    precision_metric: Optional[str] = None,
    max_runs: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> pd.DataFrame:
    """One or two parameters over a grid, every point under common random numbers, as
    ``buffersim sweep``: sweep.csv as a DataFrame. The whole of sweep.json is in
    ``df.attrs["sweep"]``.

    ``vary`` is what ``--vary`` takes (``"policy.kanban.safety_factor=0..1:11"``), a list of
    one or two of those, or a dict from parameter path to such a range string or to a list of
    values (``{"policy.jic.service_level": [0.9, 0.95, 0.99]}``).
    ``progress(done, total)`` hears the grid points started.
    """
    argv = _sim_args(runs, seed, threads, precision, precision_metric, max_runs)
    for v in _varies(vary):
        argv.append(f"--vary={v}")
    text, csv = scenario._native.sweep(argv, _progress(progress, None))
    frame = _csv(csv)
    frame.attrs["sweep"] = json.loads(text)
    return frame


def optimize(
    scenario: Scenario,
    policy: str,
    param: str,
    target: str,
    *,
    confidence: float = 0.95,
    per_item: bool = False,
    range: Optional[tuple[float, float]] = None,
    tolerance: Optional[float] = None,
    runs: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    max_runs: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> pd.DataFrame:
    """The smallest value of a buffer parameter that meets a target, as ``buffersim
    optimize``: one row per answer (the policy as a whole, or each item with
    ``per_item``), optimize.json's answers flattened. The whole of optimize.json is in
    ``df.attrs["optimize"]``.

    ``target`` is what ``--target`` takes, e.g. ``"stockout_rate <= 0.02"``; ``range`` is
    ``(low, high)``.
    """
    argv = _sim_args(runs, seed, threads, None, None, max_runs)
    argv += [f"--policy={policy}", f"--param={param}", f"--target={target}"]
    argv.append(f"--confidence={float(confidence)!r}")
    if per_item:
        argv.append("--per-item")
    if range is not None:
        argv.append(f"--range={float(range[0])!r}..{float(range[1])!r}")
    if tolerance is not None:
        argv.append(f"--tolerance={float(tolerance)!r}")
    text = scenario._native.optimize(argv, _progress(progress, None))
    result = json.loads(text)
    frame = pd.json_normalize(result.get("answers", []), sep=".")
    frame.attrs["optimize"] = result
    return frame


def _with_suffix(path: str, suffix: str) -> str:
    return path if str(path).lower().endswith(suffix) else f"{path}{suffix}"


def _csv(text: str) -> pd.DataFrame:
    # Ids such as "NA" or "null" stay strings; only empty cells are missing values.
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def _sim_args(
    runs: Optional[int],
    seed: Optional[int],
    threads: Optional[int],
    precision: Optional[float],
    precision_metric: Optional[str],
    max_runs: Optional[int],
) -> list[str]:
    argv: list[str] = []
    for flag, value in [
        ("--runs", runs),
        ("--seed", seed),
        ("--threads", threads),
        ("--max-runs", max_runs),
    ]:
        if value is not None:
            argv.append(f"{flag}={int(value)}")
    if precision is not None:
        argv.append(f"--precision={float(precision)!r}")
    if precision_metric is not None:
        argv.append(f"--precision-metric={precision_metric}")
    return argv


def _varies(
    vary: Union[str, Sequence[str], Mapping[str, Union[str, Sequence[float]]]],
) -> list[str]:
    if isinstance(vary, str):
        return [vary]
    if isinstance(vary, Mapping):
        out = []
        for path, values in vary.items():
            if isinstance(values, str):
                out.append(f"{path}={values}")
            else:
                out.append(f"{path}=" + ",".join(repr(float(v)) for v in values))
        return out
    return [str(v) for v in vary]


def _progress(
    progress: Optional[Progress], total: Optional[int]
) -> Optional[Callable[[int, int], Any]]:
    if progress is None:
        return None

    def call(done: int, native_total: int) -> None:
        progress(done, native_total if native_total > 0 else total)

    return call

