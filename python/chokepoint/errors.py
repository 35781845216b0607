"""The errors chokepoint raises: bad input (every problem, each with its place) and resources."""

from __future__ import annotations

from typing import Iterable, NamedTuple


class Problem(NamedTuple):
    """One thing wrong with an input: the file, the JSON path in it, what was expected, what was found."""

    file: str
    path: str
    expected: str
    found: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: expected {self.expected}, found {self.found}"


class InputError(ValueError):
    """A scenario, targets file or argument is wrong; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Iterable[str]]):
        self.problems = [problem if isinstance(problem, Problem) else Problem(*problem) for problem in problems]
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the input"
        super().__init__(heading + "".join(f"\n  {problem}" for problem in self.problems))


class ResourceError(RuntimeError):
    """Memory, a device or a file the engine needs is not available (the CLI's exit code 3)."""


class TargetSeWarning(UserWarning):
    """A run to a target standard error stopped at its cap of paths with the SE above the target
    (the CLI's warning and exit code 4): the result is complete, only less precise than asked."""
