"""run (to a target standard error too), diff, calibrate, trajectories: the engine's commands as functions."""

from __future__ import annotations

import io
import json
import os
import numbers
import tempfile
import warnings
from typing import Any, Callable, Optional, Union

import pandas as pd

from . import _engine, tables
from .errors import TargetSeWarning
from .progress import ProgressBar
from .result import Result
from .scenario import Scenario, as_scenario

ScenarioLike = Union[Scenario, str, os.PathLike]
Progress = Union[bool, None, Callable[[float], Any]]


def _reporter(progress: Progress, label: str):
    if progress is True:
        return ProgressBar(label)
    if progress is False or progress is None:
        return None
    if callable(progress):
        return progress
    raise TypeError(f"progress: expected True, False or a callable taking the fraction done, found {progress!r}")


def run(scenario: ScenarioLike, paths: int = 100_000, seed: int = 1, backend: str = "auto", threads: int = 0,
        progress: Progress = True, keep_paths: bool = True, precision: str = "mixed",
        target_se: Union[None, float, str] = None, target_for: Optional[str] = None) -> Result:
    """Simulates `scenario` and reduces it, as ``chokepoint run`` does: the same scenario, paths
    and seed give the same summary bit for bit. The engine runs without the GIL; Ctrl-C stops it
    (KeyboardInterrupt). `keep_paths` keeps every path's values (``Result.values``), which costs
    ``scenario.bytes_per_path`` bytes per path. `precision` is ``"mixed"`` (float normals and
    factor exp, double chain; the default, as the CLI's) or ``"reference"`` (all double).

    `target_se` with `target_for` ("VARIABLE:YEAR[:mean|pNN]" or "STAGE.binding_share:YEAR") runs
    as ``run --target-se X --for SPEC``: doubling batches of paths from 16384 until that
    statistic's Monte Carlo standard error is at most `target_se`, with `paths` the cap; the
    summary is then that of a plain run of the paths it stopped at, and ``Result.target_se``
    holds where it stopped. A target missed at the cap warns (TargetSeWarning, the CLI's exit
    code 4) and returns the result. Raises InputError (naming the argument) or ResourceError."""
    scenario = as_scenario(scenario)
    summary_text, path_results = _engine.run(scenario._compiled, paths, seed, backend, threads,
                                             _reporter(progress, scenario.name), keep_paths, precision,
                                             _target_text(target_se), target_for or "")
    result = Result(scenario, summary_text, path_results)
    record = result.target_se
    if record is not None and not record.met:
        warnings.warn(TargetSeWarning(
            f"target_se {record.target:g} not met for {record.target_for} {record.statistic}: SE "
            f"{record.achieved:.4g} at the cap of {record.paths} paths; the result is complete; raise paths "
            f"or the target"), stacklevel=2)
    return result


def _target_text(target_se: Union[None, float, str]) -> str:
    """target_se as the text the command line's --target-se parses (a float's repr reads back exactly)."""
    if target_se is None:
        return ""
    if isinstance(target_se, str):
        return target_se
    if isinstance(target_se, bool) or not isinstance(target_se, numbers.Real):
        raise TypeError(f"target_se: expected a number, found {type(target_se).__name__} {target_se!r}")
    return repr(float(target_se))


class Difference:
    """Paired differences stress − base (``chokepoint diff``): ``table`` is tidy like
    Result.summary (stats stress_mean, base_mean, mean, sd, se, unpaired_se, quantile …),
    ``stages`` the change in binding, ``json`` diff.json as a dict."""

    def __init__(self, text: str):
        self.text = text
        self.json = json.loads(text)
        self.table = tables.tidy_variables(self.json["variables"])
        self.stages = tables.stage_table(self.json.get("stages", {}))
        self.notes = list(self.json.get("notes", []))

    def __repr__(self) -> str:
        return (f"<chokepoint.Difference {self.json['stress']!r} − {self.json['base']!r}: "
                f"{self.json['paths']} paths, seed {self.json['seed']}>")


def diff(stress: Union[ScenarioLike, Result], base: Union[ScenarioLike, Result], paths: int = 100_000,
         seed: int = 1, threads: int = 0, progress: Progress = True) -> Difference:
    """Paired differences between two scenarios on common random numbers. Given two Results that
    kept their paths (same seed and paths), reduces them without simulating again; given
    scenarios, simulates both on the CPU with `paths` and `seed`."""
    if isinstance(stress, Result) and isinstance(base, Result):
        if stress._paths is None or base._paths is None:
            raise ValueError("diff of two Results needs both run with keep_paths=True")
        if stress.seed != base.seed:
            raise ValueError(f"diff of two Results needs the same seed, found {stress.seed} and {base.seed}")
        return Difference(_engine.diff_results(stress.scenario._compiled, stress._paths, base.scenario._compiled,
                                               base._paths, stress.seed, threads))
    stress_scenario = stress.scenario if isinstance(stress, Result) else as_scenario(stress)
    base_scenario = base.scenario if isinstance(base, Result) else as_scenario(base)
    text = _engine.diff(stress_scenario._compiled, base_scenario._compiled, paths, seed, threads,
                        _reporter(progress, f"{stress_scenario.name} vs {base_scenario.name}"))
    return Difference(text)


class Calibration:
    """The calibration check (``chokepoint calibrate``): ``table`` has one row per target (median,
    5–95 % band, allowed range, result), ``passed`` says whether every target in the run passed,
    ``result`` is the run it checked."""

    def __init__(self, text: str, result: Result):
        self.text = text
        self.json = json.loads(text)
        self.table = tables.record_table(self.json["targets"])
        self.passed = bool(self.json["all_passed"])
        self.result = result

    def __repr__(self) -> str:
        return f"<chokepoint.Calibration {self.json['scenario']!r}: {'all passed' if self.passed else 'MISSED'}>"


def calibrate(scenario: ScenarioLike, targets: Union[str, os.PathLike, list, dict], paths: int = 100_000,
              seed: int = 1, backend: str = "auto", threads: int = 0, progress: Progress = True) -> Calibration:
    """Runs `scenario` and compares its medians with `targets`: a targets file, or the same
    content as a list of targets (or {"targets": [...]}), which errors then name "targets.json"
    in a temporary folder."""
    scenario = as_scenario(scenario)
    reporter = _reporter(progress, scenario.name)
    if isinstance(targets, (list, dict)):
        with tempfile.TemporaryDirectory(prefix="chokepoint-") as folder:
            file = os.path.join(folder, "targets.json")
            with open(file, "w", encoding="utf-8") as out:
                json.dump(targets, out)
            texts = _engine.calibrate(scenario._compiled, file, paths, seed, backend, threads, reporter)
    else:
        texts = _engine.calibrate(scenario._compiled, os.fspath(targets), paths, seed, backend, threads, reporter)
    calibration_text, summary_text = texts
    return Calibration(calibration_text, Result(scenario, summary_text))


def trajectories(scenario: ScenarioLike, paths: int = 10, seed: int = 1, precision: str = "mixed") -> pd.DataFrame:
    """The first `paths` paths step by step, as ``chokepoint run --per-path`` writes paths.csv
    (one row per path and step; rates per year, stocks at the step's end, the binding stage)."""
    scenario = as_scenario(scenario)
    text = _engine.trajectories_csv(scenario._compiled, seed, paths, precision)
    # round_trip: the file holds shortest round-trip decimals; pandas' fast parser may miss by an ulp
    return pd.read_csv(io.StringIO(text), float_precision="round_trip")
