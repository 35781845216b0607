"""A one-line progress bar on standard error, for runs started with ``progress=True``."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.begin = time.monotonic()
        self.finished = False

    def __call__(self, fraction: float) -> None:
        if self.finished:
            return
        filled = int(round(fraction * self.width))
        elapsed = time.monotonic() - self.begin
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {fraction * 100:5.1f}% {elapsed:6.1f} s")
        if fraction >= 1.0:
            self.stream.write("\n")
            self.finished = True
        self.stream.flush()
