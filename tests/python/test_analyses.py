"""diff and calibrate from Python equal `chokepoint diff` and `chokepoint calibrate`."""

import json

import pytest

from conftest import read_json

from conftest import needs_module, read_json

chokepoint = needs_module()

PATHS, SEED = 600, 13


@pytest.fixture(scope="module")
def stress_file(source_dir):
    return source_dir / "tests" / "scenarios" / "small_power_crunch.json"


def test_diff_equals_cli(cli, small_file, stress_file, tmp_path):
    for name, file in (("stress", stress_file), ("base", small_file)):
        cli("run", file, "--paths", PATHS, "--seed", SEED, "--backend", "cpu", "--quiet", "--out", tmp_path / name)
    cli("diff", tmp_path / "stress", tmp_path / "base", "--out", tmp_path / "diff")
    expected = read_json(tmp_path / "diff" / "diff.json")
    simulated = chokepoint.diff(stress_file, small_file, paths=PATHS, seed=SEED, progress=False)
    assert simulated.json == expected
    # from two Results that kept their paths: the same numbers without simulating again
    stress = chokepoint.run(stress_file, paths=PATHS, seed=SEED, backend="cpu", progress=False)
    base = chokepoint.run(small_file, paths=PATHS, seed=SEED, backend="cpu", progress=False)
    assert chokepoint.diff(stress, base).json == expected
    table = simulated.table
    assert set(table["stat"]) >= {"stress_mean", "base_mean", "mean", "se", "unpaired_se", "quantile"}
    power = table[(table.variable == "power.capacity") & (table.stat == "mean")]
    assert (power["value"].iloc[1:] < 0).all()  # the crunch lowers power capacity after the first year


def test_calibrate_equals_cli(cli, small_file, tmp_path):
    targets = [{"variable": "produced_units", "year": 2027, "value": 5e6, "label": "units made"},
               {"variable": "installed_base", "year": 2028, "value": 1e7, "kind": "at_least"}]
    file = tmp_path / "targets.json"
    file.write_text(json.dumps(targets))
    cli("calibrate", small_file, "--targets", file, "--paths", PATHS, "--seed", SEED, "--backend", "cpu",
        "--out", tmp_path / "calibration", check=False)
    expected = read_json(tmp_path / "calibration" / "calibration.json")
    for given in (file, targets):
        calibration = chokepoint.calibrate(small_file, given, paths=PATHS, seed=SEED, backend="cpu", progress=False)
        assert calibration.json == expected
        assert list(calibration.table["variable"]) == ["produced_units", "installed_base"]
        assert calibration.passed == expected["all_passed"]


def test_calibrate_reports_bad_targets(small_file):
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.calibrate(small_file, [{"variable": "nonsense", "year": 2027, "value": 1}], paths=10,
                             progress=False)
    problem = raised.value.problems[0]
    assert problem.path.endswith("[0].variable") and problem.file.endswith("targets.json")
