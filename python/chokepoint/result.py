"""The result of a run: the summary as pandas tables, and each path's values as numpy arrays."""

from __future__ import annotations

import json
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
    def sensitivity(self) -> Optional[pd.DataFrame]:
        """The run's sensitivity table, when the engine reports one (else None)."""
        found = self.json.get("sensitivity")
        if found is None:
            return None
        if isinstance(found, list):
            return tables.record_table(found)
        return pd.json_normalize(found)

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
