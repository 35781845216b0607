"""chokepoint: Monte Carlo scenarios of the AI-infrastructure supply chain, from Python.

    import chokepoint
    base = chokepoint.load("scenarios/baseline.json")
    result = chokepoint.run(base, paths=20_000, seed=7)
    result.summary            # tidy pandas table: variable, year, stat, quantile, value, unit

See docs/python.md.
"""

from .errors import InputError, Problem, ResourceError, TargetSeWarning
from .result import Result, TargetSe
from .runs import Calibration, Difference, calibrate, diff, run, trajectories
from .scenario import Scenario, load, loads, validate
from .sensitivity import Sensitivity, Tornado, sensitivity, tornado
from ._engine import cuda_available

__all__ = ["Calibration", "Difference", "InputError", "Problem", "ResourceError", "Result", "Scenario", "Sensitivity",
           "TargetSe", "TargetSeWarning", "Tornado", "calibrate", "cuda_available", "diff", "load", "loads", "run",
           "sensitivity", "tornado", "trajectories", "validate"]
