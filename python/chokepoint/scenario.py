"""Scenarios: read one from a file or text, look at it, change it with a merge patch."""

from __future__ import annotations

import copy
import json
import os
from typing import Any, Mapping, Union

from . import _engine

# Top-level sections that are not model parameters; every other section of the scenario
# (demand, throughput, price, initial, …) is reported by Scenario.parameters.
_NOT_PARAMETERS = {"name", "description", "time", "factors", "stages", "events", "report", "derived"}


class Scenario:
    """A validated, compiled scenario. Immutable: ``patch`` returns a new one.

    ``json`` is the scenario as compiled, with ``extends`` resolved; ``factors``, ``stages``,
    ``events`` and ``parameters`` are its sections (copies: change them through ``patch``).
    """

    def __init__(self, compiled: _engine.CompiledScenario):
        self._compiled = compiled
        self._json = json.loads(compiled.resolved_json)

    # ---- what it is -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._compiled.name

    @property
    def file(self) -> str:
        return self._compiled.file

    @property
    def json(self) -> dict:
        return copy.deepcopy(self._json)

    @property
    def text(self) -> str:
        """The scenario as compiled, as JSON text (what a run directory's scenario.json holds)."""
        return self._compiled.resolved_json

    @property
    def factors(self) -> dict:
        return copy.deepcopy(self._json.get("factors", {}))

    @property
    def stages(self) -> dict:
        return copy.deepcopy(self._json.get("stages", {}))

    @property
    def events(self) -> dict:
        return copy.deepcopy(self._json.get("events", {}))

    @property
    def parameters(self) -> dict:
        return {key: copy.deepcopy(value) for key, value in self._json.items()
                if key not in _NOT_PARAMETERS and not key.endswith("correlations")}

    @property
    def years(self) -> list[int]:
        return list(self._compiled.years)

    @property
    def variables(self) -> list[str]:
        """The reported variables, simulated ones first, then the derived outputs."""
        return [name for name, _, _ in self._compiled.variables]

    def unit(self, variable: str) -> str:
        for name, unit, _ in self._compiled.variables:
            if name == variable:
                return unit
        raise KeyError(variable)

    @property
    def quantile_levels(self) -> list[float]:
        return list(self._compiled.quantile_levels)

    @property
    def notes(self) -> list[str]:
        return list(self._compiled.notes)

    @property
    def bytes_per_path(self) -> int:
        """Memory a run keeps per path (values and binding counts)."""
        return self._compiled.bytes_per_path

    @property
    def input_groups(self) -> dict:
        """The default input groups of ``chokepoint.sensitivity``: {group name: ["param:…",
        "factor:…", "event:…", …]}; correlated inputs share a group."""
        return {name: list(inputs) for name, inputs in _engine.input_groups(self._compiled)}

    @property
    def sensitivity_outputs(self) -> list[str]:
        """The default outputs of ``chokepoint.sensitivity``, as "VARIABLE:YEAR"."""
        return list(_engine.sensitivity_outputs(self._compiled))

    # ---- changing it ------------------------------------------------------------------------
    def patch(self, changes: Union[Mapping[str, Any], str], *, file: str | None = None) -> "Scenario":
        """A new scenario: this one with `changes` applied as a stress file's ``extends`` applies
        itself to its parent (RFC 7396 JSON merge patch: objects merge key by key, other values
        replace, ``None`` deletes; schedules stay in calendar order). `changes` is a dict or JSON
        text; `file` names it in error messages (default: this scenario's file + " (patched)").
        Raises InputError listing every problem of the result.
        """
        text = changes if isinstance(changes, str) else json.dumps(changes, default=_plain)
        label = file if file is not None else f"{self.file} (patched)"
        return Scenario(_engine.patch(self._compiled, text, label))

    def __repr__(self) -> str:
        return (f"<chokepoint.Scenario {self.name!r} from {self.file!r}: {len(self.years)} years "
                f"{self.years[0]}–{self.years[-1]}, {len(self.factors)} factors, stages {list(self.stages)}>")


def _plain(value: Any) -> Any:
    """numpy numbers and arrays in a patch (a notebook's usual values) as JSON numbers and lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"a scenario patch holds JSON values; found {type(value).__name__} {value!r}")


def load(path: Union[str, os.PathLike]) -> Scenario:
    """Reads, merges (``extends``), validates and compiles a scenario file. Raises InputError."""
    return Scenario(_engine.load(os.fspath(path)))


def loads(text: str, name: str = "<string>") -> Scenario:
    """The same from JSON text (comments allowed); `name` stands for the file in error messages,
    and ``extends`` is resolved relative to it."""
    return Scenario(_engine.loads(text, name))


def validate(scenario: Union[str, os.PathLike, Scenario]) -> Scenario:
    """Checks a scenario file (or returns a Scenario as it is: it was validated when loaded).
    Raises InputError listing every problem, as ``chokepoint validate`` prints them."""
    return scenario if isinstance(scenario, Scenario) else load(scenario)


def as_scenario(scenario: Union[str, os.PathLike, Scenario]) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load(scenario)
