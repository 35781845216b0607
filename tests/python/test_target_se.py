"""run(…, target_se=X, target_for=SPEC) is `chokepoint run --target-se X --for SPEC`: the same
stopping point and summary.json (record included), the same refusals (the CLI's exit 2 as
InputError), a target missed at the cap as a warning (the CLI's exit 4)."""

import os
import signal
import threading
import warnings

import pytest

from conftest import needs_module, read_json

chokepoint = needs_module()

SEED, THREADS, CAP = 5, 2, 40_000
TIMING = {"seconds", "scenario_digest"}


def without_timing(summary):
    return {key: value for key, value in summary.items() if key not in TIMING}


def cli_target_run(cli, small_file, out, target_se, target_for, check=True):
    return cli("run", small_file, "--paths", CAP, "--seed", SEED, "--threads", THREADS, "--backend", "cpu", "--quiet",
               "--out", out, "--target-se", target_se, "--for", target_for, check=check)


# (target SE, spec): a mean met after two batches, a quantile met at the first, a binding share
# met at the cap's last batch.
MET = [(TARGET_MEAN := "1.5e4", "produced_units:2027"), ("1e5", "produced_units:2028:p90"),
       ("0.0018", "power.binding_share:2027")]


@pytest.mark.parametrize("target_se, target_for", MET)
def test_stops_where_the_cli_stops(cli, small_file, tmp_path, target_se, target_for):
    cli_target_run(cli, small_file, tmp_path / "run", target_se, target_for)
    expected = without_timing(read_json(tmp_path / "run" / "summary.json"))
    assert expected["target_se"]["met"]
    for keep_paths in (True, False):
        result = chokepoint.run(small_file, paths=CAP, seed=SEED, threads=THREADS, backend="cpu", progress=False,
                                keep_paths=keep_paths, target_se=float(target_se), target_for=target_for)
        assert without_timing(result.json) == expected
        assert (result.values is not None) == keep_paths
        assert result.paths == expected["target_se"]["paths"]
    record = result.target_se
    assert record.met and record.paths == result.paths and record.achieved <= record.target == float(target_se)
    assert list(record.batches["paths"]) == [batch["paths"] for batch in expected["target_se"]["batches"]]
    assert record.batches["se"].iloc[-1] == record.achieved


def test_summary_is_a_plain_run_of_the_paths_it_stopped_at(small_file):
    result = chokepoint.run(small_file, paths=CAP, seed=SEED, threads=THREADS, backend="cpu", progress=False,
                            target_se=float(TARGET_MEAN), target_for="produced_units:2027")
    plain = chokepoint.run(small_file, paths=result.paths, seed=SEED, threads=THREADS, backend="cpu", progress=False)
    assert without_timing(plain.json) == {key: value for key, value in without_timing(result.json).items()
                                          if key != "target_se"}
    assert plain.target_se is None


def test_a_missed_target_warns_like_exit_4(cli, small_file, tmp_path):
    printed = cli_target_run(cli, small_file, tmp_path / "run", "1", "produced_units:2027", check=False)
    assert printed.returncode == 4
    expected = without_timing(read_json(tmp_path / "run" / "summary.json"))
    with pytest.warns(chokepoint.TargetSeWarning, match=r"not met for produced_units:2027 mean.*cap of 40000 paths"):
        result = chokepoint.run(small_file, paths=CAP, seed=SEED, threads=THREADS, backend="cpu", progress=False,
                                keep_paths=False, target_se=1, target_for="produced_units:2027")
    assert without_timing(result.json) == expected
    assert not result.target_se.met and result.paths == CAP


BAD = [
    (dict(target_se=0.1), "target_for"),                                  # one without the other
    (dict(target_for="produced_units:2027"), "target_se"),
    (dict(target_se=-1.0, target_for="produced_units:2027"), "target_se"),
    (dict(target_se=float("nan"), target_for="produced_units:2027"), "target_se"),
    (dict(target_se="a lot", target_for="produced_units:2027"), "target_se"),
    (dict(target_se=0.1, target_for="producd_units:2027"), "target_for"),  # an unknown variable
    (dict(target_se=0.1, target_for="produced_units:2040"), "target_for"),  # a year outside the run
    (dict(target_se=0.1, target_for="produced_units:2027:p100"), "target_for"),
    (dict(target_se=0.1, target_for="power.binding_share:2027:p50"), "target_for"),
    (dict(target_se=0.1, target_for="produced_units"), "target_for"),
]


@pytest.mark.parametrize("arguments, argument", BAD)
def test_bad_targets_raise_naming_the_argument(small_file, arguments, argument):
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.run(small_file, paths=CAP, progress=False, **arguments)
    problem = raised.value.problems[0]
    assert problem.file == "(arguments)" and problem.path == argument and problem.expected and problem.found
    assert argument in str(raised.value)


def test_bad_targets_are_the_cli_exit_2(cli, small_file, tmp_path):
    printed = cli_target_run(cli, small_file, tmp_path / "run", "0.1", "producd_units:2027", check=False)
    assert printed.returncode == 2
    with pytest.raises(chokepoint.InputError) as raised:
        chokepoint.run(small_file, paths=CAP, progress=False, target_se=0.1, target_for="producd_units:2027")
    problem = raised.value.problems[0]  # the CLI's problem, with the option named as the argument
    assert problem.expected in printed.stderr and problem.found in printed.stderr


def test_a_bool_target_is_a_type_error(small_file):
    with pytest.raises(TypeError, match="target_se"):
        chokepoint.run(small_file, paths=100, progress=False, target_se=True, target_for="produced_units:2027")


def test_progress_rises_to_one(small_file):
    reports = []
    chokepoint.run(small_file, paths=CAP, seed=SEED, threads=THREADS, backend="cpu", keep_paths=False,
                   progress=reports.append, target_se=float(TARGET_MEAN), target_for="produced_units:2027")
    assert reports and reports[-1] == 1.0
    assert all(a <= b for a, b in zip(reports, reports[1:]))


def test_ctrl_c_stops_a_search(small_file):
    # A target no run reaches and a cap of seconds of work: SIGINT must stop it at the next
    # batch boundary (or inside the final run), and the module stays usable.
    scenario = chokepoint.load(small_file)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # finishing with a missed target would warn: it must not get there
            chokepoint.run(scenario, paths=4_000_000, seed=1, threads=1, backend="cpu", keep_paths=False,
                           progress=False, target_se=1e-9, target_for="produced_units:2027")
    timer.join()
    assert chokepoint.run(scenario, paths=200, seed=2, progress=False).paths == 200
