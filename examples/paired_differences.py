"""Paired differences between two policies, and a sweep, from Python.

Loads an example scenario, runs it, plots each run's difference in total cost between two
policies (common random numbers make these differences paired: run i saw the same demand and
disruptions under both), and sweeps the kanban safety factor. Writes its charts to a temporary
folder (or to the folder given as the first argument) and prints where.

    pip install ./python matplotlib
    python examples/paired_differences.py [OUT_DIR]
"""

import pathlib
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import buffersim as bs  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)

    scenario = bs.Scenario.load(ROOT / "scenarios" / "kanban-vs-jic.toml")
    print(scenario)
    results = bs.run(scenario, runs=1000, seed=42)

    summary = results.summary()
    overall = summary[(summary["item"] == "(all items)") & (summary.metric == "total_cost")]
    print(overall[["policy", "mean", "ci95_low", "ci95_high"]].to_string(index=False))

    # Paired differences: run by run, just-in-case (95% service level) minus kanban.
    cost = results.per_run("total_cost")
    base, other = scenario.policies.index("kanban"), scenario.policies.index("jic-95")
    diff = cost[:, other] - cost[:, base]
    half = 1.96 * diff.std(ddof=1) / np.sqrt(len(diff))
    print(f"jic-95 - kanban total cost per year: {diff.mean():,.0f} ± {half:,.0f} (95%, paired)")

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist(diff, bins=40, color="#4c72b0")
    ax.axvline(0, color="black", linewidth=1)
    ax.axvline(diff.mean(), color="#c44e52", linestyle="--", label=f"mean {diff.mean():,.0f}")
    ax.set_xlabel("total cost per year, jic-95 minus kanban (paired by run)")
    ax.set_ylabel("runs")
    ax.legend()
    fig.tight_layout()
    paired_png = out / "paired_differences.png"
    fig.savefig(paired_png, dpi=100)
    plt.close(fig)

    # A sweep of the kanban safety factor, every point under the same random numbers.
    grid = bs.sweep(scenario, {"policy.kanban.safety_factor": [0, 0.5, 1.0, 1.5]}, runs=300, seed=42)
    param = grid.columns[0]
    kanban = grid[
        (grid.policy == "kanban") & (grid["item"] == "(all items)") & (grid.metric == "stockout_rate")
    ]
    print(kanban[[param, "mean"]].to_string(index=False))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(kanban[param], kanban["mean"], marker="o")
    ax.set_xlabel(param)
    ax.set_ylabel("kanban stockout rate (mean over runs)")
    fig.tight_layout()
    sweep_png = out / "sweep_safety_factor.png"
    fig.savefig(sweep_png, dpi=100)
    plt.close(fig)

    print(f"wrote {paired_png} and {sweep_png}")


if __name__ == "__main__":
    main()
