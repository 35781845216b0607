"""sensitivity and tornado from Python are `chokepoint sensitivity [--tornado]`: the same
sobol.json, sobol.csv and tornado.json numbers for the same arguments; bad arguments raise
InputError naming the argument; the engine runs without the GIL and stops on Ctrl-C. And a
run's own first-order indices (summary.json "sensitivity") as tables."""

import math
import os
import signal
import threading

import pytest

from conftest import assert_gil_released_during, needs_module, read_json

chokepoint = needs_module()
import pandas as pd  # noqa: E402 (present once the module is)

BASE, SEED, BOOTSTRAP, TORNADO_PATHS = 300, 3, 200, 250
OUTPUTS = ["produced_units:2027", "power.binding_share:2028", "installed_base:2026"]
GROUPS = {"chips": ["cowos", "throughput"], "life": ["useful_life_years"]}


def without_seconds(document):
    return {key: value for key, value in document.items() if key != "seconds"}


@pytest.fixture(scope="module")
def cli_sensitivity(cli, small_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-sensitivity") / "sensitivity"
    arguments = ["sensitivity", small_file, "--paths", BASE, "--seed", SEED, "--threads", 2, "--backend", "cpu",
                 "--bootstrap", BOOTSTRAP, "--tornado", "--tornado-paths", TORNADO_PATHS, "--quiet", "--out", out]
    for output in OUTPUTS:
        arguments += ["--for", output]
    for name, inputs in GROUPS.items():
        arguments += ["--group", f"{name}={','.join(inputs)}"]
    cli(*arguments)
    return out


@pytest.fixture(scope="module")
def analysis(small_file):
    # One thread here, two in the CLI: the indices do not depend on the thread count.
    return chokepoint.sensitivity(small_file, paths=BASE, outputs=OUTPUTS, groups=GROUPS, seed=SEED, threads=1,
                                  backend="cpu", bootstrap=BOOTSTRAP, tornado=True, tornado_paths=TORNADO_PATHS,
                                  progress=False)


def test_sobol_json_equals_cli(cli_sensitivity, analysis):
    expected = read_json(cli_sensitivity / "sobol.json")
    assert without_seconds(analysis.json) == without_seconds(expected)
    assert [group["name"] for group in expected["groups"]] == list(analysis.groups)
    assert {"chips", "life"} <= set(analysis.groups)


def test_table_equals_sobol_csv(cli_sensitivity, analysis):
    csv = pd.read_csv(cli_sensitivity / "sobol.csv", float_precision="round_trip")
    table = analysis.table
    assert len(table) == len(csv) == len(OUTPUTS) * len(analysis.groups)
    for column in ["output", "variable", "year", "group", "inputs"]:
        assert list(table[column]) == list(csv[column]), column
    for column in ["first_order", "first_order_low", "first_order_high", "total", "total_low", "total_high"]:
        for found, expected in zip(table[column], csv[column]):
            assert (math.isnan(found) and math.isnan(expected)) or found == expected, column
    assert list(analysis.outputs["output"]) == OUTPUTS
    ranked = analysis.indices("produced_units:2027")
    assert list(ranked["total"]) == sorted(ranked["total"], reverse=True)
    with pytest.raises(KeyError, match="no output"):
        analysis.indices("revenue:2027")


def test_tornado_equals_cli(cli_sensitivity, analysis, small_file):
    expected = read_json(cli_sensitivity / "tornado.json")
    assert analysis.tornado.json == expected
    alone = chokepoint.tornado(small_file, paths=TORNADO_PATHS, seed=SEED, threads=1, backend="cpu", progress=False)
    assert alone.json == expected
    table = alone.table
    assert len(table) == sum(len(chart["bars"]) for chart in expected["charts"]) > 0
    first = expected["charts"][0]
    rows = table[(table.variable == first["variable"]) & (table.year == first["year"])]
    assert list(rows["input"]) == [bar["input"] for bar in first["bars"]]
    assert list(rows["swing"].fillna(-1.0)) == [-1.0 if bar["swing"] is None else bar["swing"] for bar in first["bars"]]


def test_defaults_are_the_scenarios_groups_and_outputs(small_file):
    scenario = chokepoint.load(small_file)
    analysis = chokepoint.sensitivity(scenario, paths=64, seed=1, backend="cpu", bootstrap=20, progress=False)
    assert analysis.groups == scenario.input_groups
    assert list(analysis.outputs["output"]) == scenario.sensitivity_outputs
    assert analysis.tornado is None
    assert analysis.json["paths_simulated"] == (len(scenario.input_groups) + 2) * 64


BAD = [
    (dict(outputs=["producd_units:2027"]), "outputs"),
    (dict(outputs="produced_units:2040"), "outputs"),
    (dict(groups={"x": ["no_such_input"]}), "groups"),
    (dict(groups=["no equals sign"]), "groups"),
    (dict(paths=1), "paths"),
    (dict(bootstrap=1), "bootstrap"),
    (dict(backend="tpu"), "backend"),
    (dict(precision="half"), "precision"),
    (dict(tornado=True, tornado_paths=0), "tornado_paths"),
]


@pytest.mark.parametrize("arguments, argument", BAD)
def test_bad_arguments_name_the_argument(small_file, arguments, argument):
    given = dict(paths=50, progress=False, bootstrap=20)
    given.update(arguments)
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.sensitivity(small_file, **given)
    problem = raised.value.problems[0]
    assert problem.file == "(arguments)" and problem.path.split(" ")[0] == argument, problem
    assert problem.expected and problem.found


def test_bad_tornado_paths_alone(small_file):
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.tornado(small_file, paths=0, progress=False)
    assert raised.value.problems[0].path == "paths"


def test_progress_and_ctrl_c(small_file):
    scenario = chokepoint.load(small_file)
    reports = []
    chokepoint.sensitivity(scenario, paths=200, bootstrap=20, backend="cpu", progress=reports.append, tornado=True,
                           tornado_paths=100)
    assert reports and reports[-1] == 1.0 and all(a <= b for a, b in zip(reports, reports[1:]))
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        chokepoint.sensitivity(scenario, paths=2_000_000, bootstrap=20, threads=1, backend="cpu", progress=False)
    timer.join()
    again = chokepoint.sensitivity(scenario, paths=50, bootstrap=20, backend="cpu", progress=False)
    assert again.json["base_samples"] == 50


LONG_CALLS = {
    "sensitivity": lambda scenario: chokepoint.sensitivity(scenario, paths=60_000, bootstrap=20, threads=1,
                                                           backend="cpu", progress=False),
    "tornado": lambda scenario: chokepoint.tornado(scenario, paths=100_000, threads=1, backend="cpu", progress=False),
    "target_se": lambda scenario: chokepoint.run(scenario, paths=150_000, threads=1, backend="cpu", keep_paths=False,
                                                 progress=False, target_se=1.0, target_for="produced_units:2027"),
}


@pytest.mark.parametrize("call", list(LONG_CALLS))
@pytest.mark.filterwarnings("ignore::chokepoint.errors.TargetSeWarning")  # target_se's target is out of reach
def test_other_threads_run_meanwhile(small_file, call):
    # As test_interrupt.py's check for run.
    scenario = chokepoint.load(small_file)
    assert_gil_released_during(lambda: LONG_CALLS[call](scenario), call)


def test_a_runs_first_order_indices(small_file):
    result = chokepoint.run(small_file, paths=2000, seed=4, backend="cpu", progress=False)
    section = result.json["sensitivity"]
    table = result.first_order
    assert list(table.columns) == ["output", "year", "input", "kind", "index", "se"]
    assert len(table) == sum(len(entries) for years in section["first_order"].values() for entries in years.values())
    rows = table[(table.output == "produced_units") & (table.year == 2027)]
    entries = section["first_order"]["produced_units"]["2027"]
    assert list(rows["input"]) == [entry["input"] for entry in entries]
    assert list(rows["index"]) == [entry["index"] for entry in entries]
    assert set(table["kind"]) <= {"parameter", "trend", "event"}
    assert result.sensitivity.equals(table)
    binding = result.binding_by_input
    assert set(binding["stage"]) <= {"demand", "cowos", "power"} and binding["p"].between(0, 1).all()
    deciles = binding[binding.kind != "event"]
    assert set(deciles["bin"]) == set(range(1, 11))
    assert set(binding[binding.kind == "event"]["bin"]) <= {0, 1, 2}
