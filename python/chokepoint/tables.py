"""pandas tables from the engine's JSON results (summary.json and its sensitivity section, diff.json,
calibration.json).

The tables are built from whatever fields the JSON holds, so statistics the engine adds later
(another kind of interval, say) appear as new ``stat`` values without a change here.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

_TIDY_COLUMNS = ["variable", "year", "stat", "quantile", "value", "unit"]


def _level(key: str) -> float | None:
    """A quantile level written as a JSON key ("0.05"), or None for any other key."""
    try:
        level = float(key)
    except ValueError:
        return None
    return level if 0.0 <= level <= 1.0 else None


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)


def _emit(rows: list, variable: str, year: int, stat: str, quantile: float, value: Any, unit: str) -> None:
    """Appends one row per number in `value`, naming nested numbers by their keys."""
    if isinstance(value, bool) or isinstance(value, str):
        return
    if value is None or isinstance(value, (int, float)):
        rows.append((variable, year, stat, quantile, _number(value), unit))
    elif isinstance(value, dict):
        for key, item in value.items():
            level = _level(key)
            if level is not None and math.isnan(quantile):
                # {"0.05": …}: the statistic at each quantile level; "quantiles" are the quantiles
                _emit(rows, variable, year, "quantile" if stat == "quantiles" else stat, level, item, unit)
            else:
                _emit(rows, variable, year, f"{stat}.{key}", quantile, item, unit)
    elif isinstance(value, list) and stat.endswith("_ci") and len(value) == 2:
        # a confidence interval [low, high], e.g. quantile_ci: stats quantile_ci_low/_high
        _emit(rows, variable, year, f"{stat}_low", quantile, value[0], unit)
        _emit(rows, variable, year, f"{stat}_high", quantile, value[1], unit)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _emit(rows, variable, year, f"{stat}[{index}]", quantile, item, unit)


def tidy_variables(variables: dict) -> pd.DataFrame:
    """One row per number: variable, year, stat, quantile (NaN unless a quantile), value, unit."""
    rows: list = []
    for name, variable in variables.items():
        unit = variable.get("unit", "")
        for entry in variable.get("years", []):
            for key, value in entry.items():
                if key != "year":
                    _emit(rows, name, entry["year"], key, math.nan, value, unit)
    frame = pd.DataFrame.from_records(rows, columns=_TIDY_COLUMNS)
    frame["year"] = frame["year"].astype("int64")
    return frame


def stage_table(stages: dict) -> pd.DataFrame:
    """One row per stage ("demand" first) and year, one column per statistic."""
    rows = [{"stage": name, **{key: cell(value) for key, value in entry.items()}}
            for name, stage in stages.items() for entry in stage.get("years", [])]
    return pd.DataFrame.from_records(rows)


def record_table(records: list) -> pd.DataFrame:
    """A list of flat JSON objects (thresholds, calibration targets) as a table."""
    return pd.DataFrame.from_records([{key: cell(value) for key, value in record.items()} for record in records])


def cell(value: Any) -> Any:
    """A JSON value for a table: null (a NaN the engine wrote) as NaN."""
    return math.nan if value is None else value


def first_order_table(section: dict) -> pd.DataFrame:
    """summary.json "sensitivity" first_order.<output>.<year> = [{input, index, se}, …] as one
    row per output, year and input, with the input's kind (parameter, trend, event)."""
    kinds = dict(zip(section.get("inputs", []), section.get("input_kinds", [])))
    rows = [(output, int(year), entry["input"], kinds.get(entry["input"], ""), cell(entry["index"]), cell(entry["se"]))
            for output, years in section.get("first_order", {}).items()
            for year, entries in years.items() for entry in entries]
    frame = pd.DataFrame.from_records(rows, columns=["output", "year", "input", "kind", "index", "se"])
    frame["year"] = frame["year"].astype("int64")
    return frame


def binding_by_input_table(section: dict) -> pd.DataFrame:
    """binding_by_decile (bins 1–10) and binding_by_firings (bins 0, 1, 2 = 2 or more) as one
    row per stage, year, input and bin."""
    kinds = dict(zip(section.get("inputs", []), section.get("input_kinds", [])))
    rows = []
    for key, first_bin in (("binding_by_decile", 1), ("binding_by_firings", 0)):
        for stage, years in section.get(key, {}).items():
            for year, inputs in years.items():
                for name, shares in inputs.items():
                    rows.extend((stage, int(year), name, kinds.get(name, ""), first_bin + b, cell(p))
                                for b, p in enumerate(shares))
    frame = pd.DataFrame.from_records(rows, columns=["stage", "year", "input", "kind", "bin", "p"])
    frame["year"] = frame["year"].astype("int64")
    return frame
