"""The GIL is released while simulating: a Python thread keeps running meanwhile."""

import threading
import time

import buffersim as bs
from conftest import SCENARIOS


def test_a_python_thread_runs_while_a_simulation_runs():
    scenario = bs.Scenario.load(SCENARIOS / "kanban-vs-jic.toml")
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    try:
        time.sleep(0.05)
        started = time.perf_counter()
        bs.run(scenario, runs=8000, seed=1, threads=1)
        ended = time.perf_counter()
    finally:
        stop.set()
        thread.join()
    during = [t for t in ticks if started < t < ended]
    assert ended - started > 0.1, "the simulation was too short to tell"
    # Holding the GIL, the simulation would have let the thread tick at most once or twice.
    assert len(during) > 20, f"{len(during)} ticks in {ended - started:.2f} s"
