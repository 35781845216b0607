"""The engine runs without the GIL, and Ctrl-C (or an exception from a progress callback)
stops a run within moments, leaving the module usable."""

import os
import signal
import threading
import time

import pytest

from conftest import needs_module

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
    # Counts the main thread's loop turns strictly inside the worker's run (after a 50 ms margin
    # for entering the engine): with the GIL held there would be none. Timestamps, not a fixed
    # sleep, so a fast run or a loaded machine cannot make the test pass or fail by luck.
    scenario = chokepoint.load(small_file)
    span = {}

    def work():
        span["start"] = time.monotonic()
        chokepoint.run(scenario, paths=400_000, seed=1, threads=1, progress=False, keep_paths=False)
        span["end"] = time.monotonic()

    worker = threading.Thread(target=work)
    worker.start()
    turns_inside_run = 0
    while worker.is_alive():
        if "start" in span and "end" not in span and time.monotonic() > span["start"] + 0.05:
            turns_inside_run += 1
    worker.join()
    if span["end"] - span["start"] < 0.2:
        pytest.skip("the run was too short to tell whether the GIL was released")
    assert turns_inside_run > 1000, "the main thread barely ran: the GIL was held during the run"
