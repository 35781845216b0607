"""sensitivity, tornado: which inputs drive an output (``chokepoint sensitivity``, docs/sensitivity.md)."""

from __future__ import annotations

import json
from typing import Iterable, Mapping, Optional, Union

import pandas as pd

from . import _engine
from .errors import InputError
from .runs import Progress, ScenarioLike, _reporter
from .scenario import as_scenario

Groups = Union[None, Mapping[str, Union[str, Iterable[str]]], Iterable[str]]


class Tornado:
    """The tornado data (``tornado.json``): per headline variable and year, the swing of its
    median with each uncertain parameter pinned at its 10th, then its 90th percentile.

    ``table``  one row per chart and parameter, largest |swing| first within a chart: variable,
               unit, year, baseline_median, input, low_percentile, low_value, low_median,
               high_percentile, high_value, high_median, swing
    ``json``   tornado.json as a dict, exactly what the command line writes
    """

    def __init__(self, text: str):
        self.text = text
        self.json = json.loads(text)
        rows = []
        for chart in self.json["charts"]:
            for bar in chart["bars"]:
                rows.append({"variable": chart["variable"], "unit": chart["unit"], "year": chart["year"],
                             "baseline_median": _number(chart["baseline_median"]), "input": bar["input"],
                             **{f"{end}_{key}": _number(bar[end][key]) for end in ("low", "high")
                                for key in ("percentile", "value", "median")},
                             "swing": _number(bar["swing"])})
        self.table = pd.DataFrame.from_records(rows, columns=_TORNADO_COLUMNS)

    def __repr__(self) -> str:
        return (f"<chokepoint.Tornado: {len(self.json['charts'])} charts, {self.json['paths']} paths per run, "
                f"seed {self.json['seed']}>")


_TORNADO_COLUMNS = ["variable", "unit", "year", "baseline_median", "input", "low_percentile", "low_value",
                    "low_median", "high_percentile", "high_value", "high_median", "swing"]

_INDEX_COLUMNS = ["output", "variable", "year", "group", "inputs", "first_order", "first_order_low",
                  "first_order_high", "first_order_se", "total", "total_low", "total_high", "total_se"]


class Sensitivity:
    """Sobol first-order and total indices of the scenario's input groups (``chokepoint sensitivity``).

    ``table``    one row per output and group, in the order of ``groups``: output, variable, year,
                 group, inputs (joined with ";", as sobol.csv), first_order with its bootstrap interval
                 (first_order_low, first_order_high) and standard error, the same for total
    ``outputs``  one row per output: output, variable, year, unit, N, variance, interactions (1 − ΣS)
    ``groups``   {group name: [inputs]}
    ``json``     sobol.json as a dict, exactly what the command line writes
    ``tornado``  the Tornado, when asked for with ``tornado=True`` (else None)
    """

    def __init__(self, text: str, tornado_text: Optional[str] = None):
        self.text = text
        self.json = json.loads(text)
        self.groups = {group["name"]: list(group["inputs"]) for group in self.json["groups"]}
        rows = []
        for output in self.json["outputs"]:
            for index in output["indices"]:
                row = {"output": output["output"], "variable": output["variable"], "year": output["year"],
                       "group": index["group"], "inputs": ";".join(self.groups[index["group"]])}
                for kind in ("first_order", "total"):
                    row[kind] = _number(index[kind]["estimate"])
                    for key in ("low", "high", "se"):
                        row[f"{kind}_{key}"] = _number(index[kind][key])
                rows.append(row)
        self.table = pd.DataFrame.from_records(rows, columns=_INDEX_COLUMNS)
        self.outputs = pd.DataFrame.from_records(
            [{key: _number(output[key]) if key in ("variance", "interactions") else output[key]
              for key in ("output", "variable", "year", "unit", "N", "variance", "interactions")}
             for output in self.json["outputs"]])
        self.tornado = None if tornado_text is None else Tornado(tornado_text)

    def indices(self, output: str) -> pd.DataFrame:
        """One output's groups ("produced_units:2027"), largest total index first, as the CLI's table."""
        rows = self.table[self.table["output"] == output]
        if rows.empty:
            raise KeyError(f"no output {output!r} in this analysis; it has {list(self.outputs['output'])}")
        return rows.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)

    def __repr__(self) -> str:
        return (f"<chokepoint.Sensitivity {self.json['scenario']!r}: {len(self.groups)} groups, "
                f"{len(self.json['outputs'])} outputs, {self.json['base_samples']} base samples, "
                f"seed {self.json['seed']}>")


def _number(value) -> float:
    return float("nan") if value is None else value


def _group_overrides(groups: Groups) -> list[str]:
    """`groups` as the command line's ``--group NAME=a,b`` arguments."""
    if groups is None:
        return []
    if isinstance(groups, str):
        return [groups]
    if isinstance(groups, Mapping):
        overrides = []
        for name, inputs in groups.items():
            members = [inputs] if isinstance(inputs, str) else list(inputs)
            if "=" in name or any("," in member for member in members):
                raise ValueError(f"groups: a group's name holds no '=' and its inputs no ',', found {name!r}: "
                                 f"{members!r}")
            overrides.append(f"{name}={','.join(members)}")
        return overrides
    return list(groups)


def _outputs(outputs: Union[None, str, Iterable[str]]) -> list[str]:
    if outputs is None:
        return []
    return [outputs] if isinstance(outputs, str) else list(outputs)


def sensitivity(scenario: ScenarioLike, paths: int = 1000, outputs: Union[None, str, Iterable[str]] = None,
                groups: Groups = None, seed: int = 1, backend: str = "auto", threads: int = 0,
                precision: str = "mixed", bootstrap: int = 1000, tornado: bool = False, tornado_paths: int = 4000,
                progress: Progress = True) -> Sensitivity:
    """Sobol first-order and total indices by pick-freeze, as ``chokepoint sensitivity`` computes
    them: the same arguments give the numbers of its sobol.json bit for bit. `paths` is the number
    of base samples N; the analysis simulates (groups + 2) × N paths. `outputs` are
    "VARIABLE:YEAR" or "STAGE.binding_share:YEAR" (default: ``scenario.sensitivity_outputs``);
    `groups` regroups inputs ({"name": ["input", …]} or ["name=a,b", …], as ``--group``; default
    groups: ``scenario.input_groups``). `tornado=True` adds the tornado (`tornado_paths` paths per
    run), as ``--tornado``. Runs without the GIL; Ctrl-C stops it. Raises InputError naming the
    argument, or ResourceError."""
    scenario = as_scenario(scenario)
    if tornado and tornado_paths < 1:
        raise InputError([("(arguments)", "tornado_paths", "at least 1 path with tornado=True", str(tornado_paths))])
    sobol_text, tornado_text = _engine.sobol(scenario._compiled, _outputs(outputs), _group_overrides(groups), paths,
                                             seed, backend, threads, precision, bootstrap,
                                             tornado_paths if tornado else 0,
                                             _reporter(progress, f"sensitivity {scenario.name}"))
    return Sensitivity(sobol_text, tornado_text)


def tornado(scenario: ScenarioLike, paths: int = 4000, seed: int = 1, backend: str = "auto", threads: int = 0,
            precision: str = "mixed", progress: Progress = True) -> Tornado:
    """The tornado alone (1 + 2 × uncertain parameters runs of `paths` paths each, on common random
    numbers), as ``chokepoint sensitivity --tornado --tornado-paths P`` writes tornado.json."""
    scenario = as_scenario(scenario)
    return Tornado(_engine.tornado(scenario._compiled, paths, seed, backend, threads, precision,
                                   _reporter(progress, f"tornado {scenario.name}")))
