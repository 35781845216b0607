"""Per-path arrays: views of the engine's memory that hold what `run --per-path` writes.

paths.csv holds each path step by step in double precision (trace_path, the same code as the
run); the run keeps each path's year as float32: flows summed over the year's steps (rates
times the step length), stocks at the year's last step, binding counts per code.
"""

import gc

import pytest

from conftest import needs_module

chokepoint = needs_module()
import numpy as np  # noqa: E402 (present once the module is)
import pandas as pd  # noqa: E402 (present once the module is)


PATHS, SEED = 24, 5
RATE_COLUMNS = {"token_demand", "tokens_served", "throughput", "token_capacity"}  # per year in paths.csv


@pytest.fixture(scope="module")
def trajectories(cli, small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("per-path") / "run"  # a run directory must not exist yet
    cli("run", small_file, "--paths", PATHS, "--seed", SEED, "--per-path", PATHS, "--quiet", "--backend", "cpu",
        "--out", out)
    return pd.read_csv(out / "paths.csv", float_precision="round_trip")


def test_trajectories_equal_cli_paths_csv(trajectories, small_file):
    pd.testing.assert_frame_equal(chokepoint.trajectories(small_file, paths=PATHS, seed=SEED), trajectories,
                                  check_exact=True)


def yearly(steps: pd.DataFrame, column: str, is_flow: bool, step_years: float) -> float:
    values = steps[column].to_numpy()
    if not is_flow:
        return values[-1]
    total = 0.0
    for value in values:  # in step order, as the engine adds them
        total += value * step_years if column in RATE_COLUMNS else value
    return total


def test_per_path_values_equal_trajectories(trajectories, small_file):
    scenario = chokepoint.load(small_file)
    result = chokepoint.run(scenario, paths=PATHS, seed=SEED, backend="cpu", progress=False)
    assert result.values.shape == (len(scenario.variables), len(scenario.years), PATHS)
    steps_per_year = scenario.json["time"]["steps_per_year"]
    kinds = {name: entry["kind"] for name, entry in result.json["variables"].items()}
    compared = [column for column in trajectories.columns if column in kinds]
    assert len(compared) >= 6, compared  # the test must compare something
    for (path, year), steps in trajectories.groupby(["path", "year"]):
        steps = steps.sort_values("step")
        y = scenario.years.index(year)
        for column in compared:
            expected = np.float32(yearly(steps, column, kinds[column] == "flow", 1.0 / steps_per_year))
            assert result.path_values(column)[y, path] == expected, (column, path, year)
        codes = ["demand", *scenario.stages]
        for code, name in enumerate(codes):
            assert result.binding_steps[code, y, path] == (steps["binding"] == name).sum(), (name, path, year)


def test_arrays_are_views_owned_by_the_result(small_file):
    result = chokepoint.run(small_file, paths=64, seed=2, progress=False)
    values = result.values
    assert values.dtype == np.float32 and values.base is not None and not values.flags.writeable
    assert not values.flags.owndata  # the engine's buffer, not a copy
    assert np.shares_memory(values, result.path_values("installed_base"))
    copy = values.copy()
    del result
    gc.collect()
    np.testing.assert_array_equal(values, copy)  # the array keeps the engine's memory alive
