"""The result of a run: the summary as pandas tables, and each path's values as numpy arrays."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd

from . import tables
from .scenario import Scenario


class Result:
    """What ``chokepoint.run`` returns.

    ``summary``    tidy table: variable, year, stat (mean, sd, se, quantile, …), quantile, value, unit
    ``stages``     per stage ("demand" first) and year: binding_share, binding_any and their se
    ``thresholds`` the scenario's threshold probabilities, with standard errors
    ``first_order`` first-order indices of each drawn input, per output and year (and
                   ``binding_by_input``: P(stage binds | input bin))
    ``target_se``  where a run with ``target_se=`` stopped (a TargetSe), else None
    ``json``       summary.json as a dict, exactly what ``chokepoint run`` writes
    ``values``     per-path values, float32 array [variable, year, path] (``path_values`` by name)
    ``binding_steps``  per-path steps each code bound in the year, uint8 [code, year, path]
    The arrays are views of the engine's memory, not copies; they are None when the run was
    started with ``keep_paths=False``.
    """

    def __init__(self, scenario: Scenario, summary_text: str, path_results=None):
        self.scenario = scenario
        self.text = summary_text
        self.json = json.loads(summary_text)
        self._paths = path_results
        self._summary: Optional[pd.DataFrame] = None

    # ---- the run ----------------------------------------------------------------------------
    @property
    def paths(self) -> int:
        return self.json["paths"]

    @property
    def seed(self) -> int:
        return self.json["seed"]

    @property
    def backend(self) -> str:
        return self.json["backend"]

    @property
    def device(self) -> str:
        return self.json["device"]

    @property
    def seconds(self) -> float:
        return self.json["seconds"]

    @property
    def years(self) -> list[int]:
        return list(self.json["years"])

    @property
    def quantile_levels(self) -> list[float]:
        return list(self.json["quantile_levels"])

    @property
    def variables(self) -> list[str]:
        return list(self.json["variables"])

    @property
    def notes(self) -> list[str]:
        return list(self.json.get("notes", []))

    # ---- tables -----------------------------------------------------------------------------
    @property
    def summary(self) -> pd.DataFrame:
        if self._summary is None:
            self._summary = tables.tidy_variables(self.json["variables"])
        return self._summary.copy()

    @property
    def stages(self) -> pd.DataFrame:
        return tables.stage_table(self.json.get("stages", {}))

    @property
    def thresholds(self) -> pd.DataFrame:
        return tables.record_table(self.json.get("thresholds", []))

    @property
    def first_order(self) -> Optional[pd.DataFrame]:
        """First-order indices from the run's own paths (summary.json "sensitivity"): one row per
        output, year and input (output, year, input, kind, index, se), in the summary's order;
        None when the run carries none (no drawn input, or the CUDA route)."""
        section = self.json.get("sensitivity")
        return None if section is None else tables.first_order_table(section)

    @property
    def binding_by_input(self) -> Optional[pd.DataFrame]:
        """P(the stage binds at least once in the year | the input's bin): one row per stage, year,
        input and bin (stage, year, input, kind, bin, p); a parameter's or trend's bins are its
        deciles 1–10, an event's its firings 0, 1, 2 (2 or more). None when the run carries none."""
        section = self.json.get("sensitivity")
        return None if section is None else tables.binding_by_input_table(section)

    @property
    def sensitivity(self) -> Optional[pd.DataFrame]:
        """The first-order table (``first_order``), under its earlier name."""
        return self.first_order

    @property
    def target_se(self) -> Optional["TargetSe"]:
        """Where a run to a target standard error stopped (summary.json "target_se"), else None."""
        record = self.json.get("target_se")
        return None if record is None else TargetSe.from_json(record)

    def statistic(self, variable: str, stat: str = "mean", quantile: Optional[float] = None) -> pd.Series:
        """One statistic of one variable by year, e.g. ``statistic("revenue", "quantile", 0.5)``."""
        frame = self.summary
        chosen = (frame["variable"] == variable) & (frame["stat"] == stat)
        if quantile is not None:
            chosen &= frame["quantile"] == quantile
        series = frame[chosen].set_index("year")["value"]
        if series.empty:
            raise KeyError(f"no {stat} {'' if quantile is None else quantile} for {variable!r} in this summary")
        return series.rename(variable)

    # ---- per path -----------------------------------------------------------------------------
    @property
    def values(self) -> Optional[np.ndarray]:
        return None if self._paths is None else self._paths.values

    @property
    def binding_steps(self) -> Optional[np.ndarray]:
        return None if self._paths is None else self._paths.binding_steps

    def path_values(self, variable: str) -> np.ndarray:
        """The values of one variable, [year, path], float32 (a view, no copy)."""
        if self._paths is None:
            raise ValueError("this run did not keep its paths (run it with keep_paths=True)")
        return self._paths.values[self.scenario.variables.index(variable)]

    def __repr__(self) -> str:
        return (f"<chokepoint.Result {self.json['scenario']!r}: {self.paths} paths, seed {self.seed}, "
                f"{self.device}, {self.seconds:.2f} s>")


@dataclass(frozen=True)
class TargetSe:
    """Where ``run(…, target_se=X, target_for=SPEC)`` stopped: the statistic (`target_for` as the
    summary names it, "VARIABLE:YEAR", and `statistic`, "mean" or "pNN"), the `target` X, the SE
    `achieved` and the `estimate` at the `paths` it stopped at, whether it `met` the target (False:
    stopped at the cap), and every batch boundary's paths, estimate and se (`batches`)."""

    target_for: str
    statistic: str
    target: float
    achieved: float
    estimate: float
    paths: int
    met: bool
    batches: pd.DataFrame

    @classmethod
    def from_json(cls, record: dict) -> "TargetSe":
        batches = pd.DataFrame.from_records([{key: tables.cell(value) for key, value in batch.items()}
                                             for batch in record["batches"]], columns=["paths", "estimate", "se"])
        return cls(record["for"], record["statistic"], tables.cell(record["target"]), tables.cell(record["achieved"]),
                   tables.cell(record["estimate"]), record["paths"], bool(record["met"]), batches)

    def __repr__(self) -> str:
        verdict = "met" if self.met else "NOT met (stopped at the cap)"
        return (f"<chokepoint.TargetSe {self.target_for} {self.statistic}: SE {self.achieved:.4g} "
                f"{'<=' if self.met else '>'} {self.target:g} at {self.paths} paths, {verdict}>")
