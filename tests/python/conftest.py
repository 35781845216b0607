"""Shared fixtures. Every test module starts with `needs_module()`, so the suite skips when the
module was not built (no Python headers or pybind11; ctest then does not register it) or numpy
and pandas are missing."""

import json
import os
import pathlib
import subprocess

import pytest



def needs_module():
    """The chokepoint package, or a skip of the calling test module."""
    return pytest.importorskip("chokepoint", reason="the Python module or numpy/pandas is missing "
                                                    "(build it, then PYTHONPATH=build/python)")

SOURCE_DIR = pathlib.Path(os.environ.get("CHOKEPOINT_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def source_dir() -> pathlib.Path:
    return SOURCE_DIR


@pytest.fixture(scope="session")
def small_file() -> pathlib.Path:
    return SOURCE_DIR / "tests" / "scenarios" / "small.json"


@pytest.fixture(scope="session")
def cli():
    """Runs the command-line tool; skips when it is not known (set by ctest)."""
    path = os.environ.get("CHOKEPOINT_CLI", str(SOURCE_DIR / "build" / "chokepoint"))
    if not os.access(path, os.X_OK):
        pytest.skip(f"the chokepoint command is not at {path} (set CHOKEPOINT_CLI)")

    def run(*arguments, check=True):
        return subprocess.run([path, *map(str, arguments)], capture_output=True, text=True, check=check)

    return run


def read_json(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def assert_gil_released_during(work, what):
    """Runs `work()` on a worker thread and counts the main thread's loop turns strictly inside it
    (after a 50 ms margin for entering the engine): with the GIL held there would be none.
    Timestamps, not a fixed sleep, so a fast call or a loaded machine cannot make the check pass
    or fail by luck; a call too short to tell is skipped."""
    import threading
    import time

    span = {}

    def timed():
        span["start"] = time.monotonic()
        work()
        span["end"] = time.monotonic()

    worker = threading.Thread(target=timed)
    worker.start()
    turns_inside = 0
    while worker.is_alive():
        if "start" in span and "end" not in span and time.monotonic() > span["start"] + 0.05:
            turns_inside += 1
    worker.join()
    if span["end"] - span["start"] < 0.2:
        pytest.skip(f"{what} was too short to tell whether the GIL was released")
    assert turns_inside > 1000, f"the main thread barely ran: the GIL was held during {what}"
