"""The engine runs without the GIL, and Ctrl-C (or an exception from a progress callback)
stops a run within moments, leaving the module usable."""

import os
import signal
import threading

import pytest

from conftest import assert_gil_released_during, needs_module

chokepoint = needs_module()


LONG = dict(paths=1_000_000, seed=1, threads=1, keep_paths=False)  # several seconds of simulation here


def test_ctrl_c_stops_a_run(small_file):
    # Time on a shared machine says little (the first batch also faults in the whole result
    # buffer), so the test counts instead: once SIGINT is sent, the engine's next progress check
    # must stop the run, before the report that follows it and long before the end.
    scenario = chokepoint.load(small_file)
    reports = []
    sent = []

    def interrupt():
        sent.append(len(reports))
        os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        chokepoint.run(scenario, progress=reports.append, **LONG)
    timer.join()
    assert sent and len(reports) <= sent[0] + 1, f"{len(reports) - sent[0]} progress reports after Ctrl-C"
    assert not reports or reports[-1] < 1.0  # stopped before the end
    again = chokepoint.run(scenario, paths=300, seed=4, progress=False)
    assert again.paths == 300


def test_an_exception_from_progress_stops_the_run(small_file):
    scenario = chokepoint.load(small_file)
    calls_after = []

    class Enough(Exception):
        pass

    def progress(fraction):
        if calls_after:
            calls_after.append(fraction)
        if fraction > 0.02:
            calls_after.append(fraction)
            raise Enough

    with pytest.raises(Enough):
        chokepoint.run(scenario, progress=progress, **LONG)
    assert len(calls_after) == 1  # nothing reported once it had raised
    fresh = chokepoint.run(scenario, paths=500, seed=3, threads=2, progress=False)
    assert chokepoint.run(scenario, paths=500, seed=3, threads=2, progress=False).json["variables"] == \
        fresh.json["variables"]


def test_other_threads_run_meanwhile(small_file):
    scenario = chokepoint.load(small_file)
    assert_gil_released_during(
        lambda: chokepoint.run(scenario, paths=400_000, seed=1, threads=1, progress=False, keep_paths=False), "the run")
