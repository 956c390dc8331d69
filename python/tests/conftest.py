"""Shared fixtures: the repository's example scenarios and the `buffersim` command built from
the same checkout (BUFFERSIM_BIN, else target/debug/buffersim beside python/)."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("BUFFERSIM_BIN", REPO / "target" / "debug" / "buffersim"))
    if not path.exists():
        subprocess.run(["cargo", "build", "--quiet"], cwd=REPO, check=True)
    return path


@pytest.fixture(scope="session")
def example() -> pathlib.Path:
    return SCENARIOS / "kanban-vs-jic.toml"
