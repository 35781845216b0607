"""The summary from Python is the CLI's summary.json, number for number, for the same scenario,
paths, seed and threads: both front ends must reach the engine the same way."""

import math

import pytest

from conftest import read_json

from conftest import needs_module, read_json

chokepoint = needs_module()
import pandas as pd  # noqa: E402 (present once the module is)

PATHS, SEED, THREADS = 1500, 11, 2

# Fields that say how the run went rather than what it found: its time, and the digest that ties
# a run directory's summary.json to the scenario.json beside it (a Result has no run directory).
TIMING = {"seconds", "scenario_digest"}


def without_timing(summary):
    return {key: value for key, value in summary.items() if key not in TIMING}


@pytest.fixture(scope="module")
def cli_run(cli, small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-run") / "run"  # a run directory must not exist yet
    cli("run", small_file, "--paths", PATHS, "--seed", SEED, "--threads", THREADS, "--backend", "cpu",
        "--quiet", "--out", out)
    return out


@pytest.mark.parametrize("keep_paths", [True, False])
def test_summary_json_equals_cli(cli_run, small_file, keep_paths):
    result = chokepoint.run(small_file, paths=PATHS, seed=SEED, threads=THREADS, backend="cpu", progress=False,
                            keep_paths=keep_paths)
    expected = without_timing(read_json(cli_run / "summary.json"))
    found = without_timing(result.json)
    # Python's json reads shortest round-trip decimals back to the same doubles, so == is exact.
    assert found == expected
    assert (result.values is not None) == keep_paths


def test_tidy_summary_equals_cli_csv(cli_run, small_file):
    """The tidy table against summary.csv, which the engine writes by separate code."""
    result = chokepoint.run(small_file, paths=PATHS, seed=SEED, threads=THREADS, backend="cpu", progress=False)
    csv = pd.read_csv(cli_run / "summary.csv", float_precision="round_trip", keep_default_na=False)
    csv = csv[~csv["variable"].str.startswith("stage.") & ~csv["stat"].str.startswith("p_at_least_")
              & ~csv["stat"].str.startswith("first_order")]
    frame = result.summary
    # summary.csv names a quantile row q0.05 and its interval's ends q0.05_ci_low / q0.05_ci_high
    levels = "q" + frame["quantile"].map(lambda q: repr(float(q)).rstrip("0").rstrip("."))
    names = frame["stat"].where(frame["quantile"].isna(),
                                levels + frame["stat"].str.replace("quantile", "", n=1))
    assert len(frame) == len(csv) > 0
    assert list(frame["variable"]) == list(csv["variable"])
    assert list(frame["year"]) == list(csv["year"])
    assert list(names) == list(csv["stat"])
    for found, expected in zip(frame["value"], csv["value"]):
        assert (math.isnan(found) and expected == "") or found == float(expected)
    units = dict(zip(result.scenario.variables, map(result.scenario.unit, result.scenario.variables)))
    assert all(frame["unit"] == frame["variable"].map(units))


def test_stages_and_thresholds_equal_cli(cli_run, small_file):
    result = chokepoint.run(small_file, paths=PATHS, seed=SEED, threads=THREADS, backend="cpu", progress=False)
    expected = read_json(cli_run / "summary.json")
    stages = result.stages
    assert list(stages["stage"].unique()) == list(expected["stages"])
    for name, stage in expected["stages"].items():
        rows = stages[stages["stage"] == name].drop(columns="stage").to_dict("records")
        assert rows == stage["years"]
    assert result.thresholds.to_dict("records") == expected["thresholds"]
