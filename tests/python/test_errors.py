"""Bad input raises one InputError that lists every problem with its file and JSON path, as
`chokepoint validate` prints them; resources raise ResourceError."""

import json

import pytest

from conftest import needs_module

chokepoint = needs_module()



def three_problems(small_file):
    document = chokepoint.load(small_file).json
    document["factors"]["cowos"]["sigma"] = -0.2           # a volatility below 0
    document["stages"]["power"]["per_unit"] = "a lot"     # a string for a number
    document["report"]["thresholds"][0]["variable"] = "producd_units"  # an unknown variable
    return json.dumps(document, indent=1)


def test_three_problems_in_one_error(small_file):
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.loads(three_problems(small_file), name="three.json")
    problems = raised.value.problems
    assert [problem.path for problem in problems] == ["factors.cowos.sigma", "stages.power.per_unit",
                                                      "report.thresholds[0].variable"]
    for problem in problems:
        assert problem.file == "three.json" and problem.expected and problem.found
    assert "-0.2" in problems[0].found and "producd_units" in problems[2].found
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith("3 problems")


def test_problems_are_the_cli_validate_lines(cli, small_file, tmp_path):
    file = tmp_path / "three.json"
    file.write_text(three_problems(small_file))
    printed = cli("validate", file, check=False)
    assert printed.returncode == 2
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.validate(file)
    lines = [line for line in printed.stderr.splitlines() if line.startswith(str(file))]
    assert lines == [str(problem) for problem in raised.value.problems]


def test_a_bad_patch_names_its_path(small_file):
    base = chokepoint.load(small_file)
    with pytest.raises(chokepoint.InputError) as raised:
        base.patch({"stages": {"cowos": {"yield": 1.5}}, "time": {"steps_per_year": 3}})
    paths = [problem.path for problem in raised.value.problems]
    assert "stages.cowos.yield" in paths and "time.steps_per_year" in paths
    assert all(problem.file == f"{small_file} (patched)" for problem in raised.value.problems)


def test_bad_arguments_and_missing_files(small_file, tmp_path):
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.run(small_file, paths=0, progress=False)
    assert raised.value.problems[0].path == "paths"
    with pytest.raises(chokepoint.InputError):
        chokepoint.run(small_file, paths=10, backend="tpu", progress=False)
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.load(tmp_path / "absent.json")
    assert str(tmp_path / "absent.json") in raised.value.problems[0].file


@pytest.mark.skipif(chokepoint.cuda_available(), reason="a CUDA device is present")
def test_no_device_is_a_resource_error(small_file):
    with pytest.raises(chokepoint.ResourceError):
        chokepoint.run(small_file, paths=10, backend="cuda", progress=False)
