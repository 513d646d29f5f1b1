"""Timing: run a callable in batches, keep the per-call time of each batch, report medians."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Per-call seconds of each batch of ``number`` calls."""

    label: str
    samples: tuple[float, ...]
    number: int

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def time_call(
    label: str,
    fn: Callable[[], object],
    *,
    number: int | None = None,
    repeat: int = 7,
    target_seconds: float = 0.2,
    clock: Callable[[], float] = time.perf_counter,
) -> Timing:
    """Time ``fn()``; ``number`` calls per batch is chosen so a batch takes about
    ``target_seconds`` unless given. The garbage collector is paused while timing.
    ``clock`` is wall time by default; ``time.process_time`` counts only the CPU this
    process used, which a shared machine's waits for a core do not inflate."""
    fn()  # warm up: caches, lazy binding, first-call compilation
    if number is None:
        number = 1
        while True:
            t0 = clock()
            for _ in range(number):
                fn()
            if clock() - t0 >= target_seconds / 4 or number >= 1 << 24:
                break
            number *= 2
    samples = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = clock()
            for _ in range(number):
                fn()
            samples.append((clock() - t0) / number)
    finally:
        if enabled:
            gc.enable()
    return Timing(label, tuple(samples), number)


def ratio(slow: Timing, fast: Timing) -> float:
    return slow.median / fast.median


def format_seconds(s: float) -> str:
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def report(title: str, timings: Sequence[Timing], baseline: Timing | None = None) -> None:
    """Print a table: median, best, and the ratio of ``baseline`` to each row."""
    print(f"\n{title}")
    width = max(len(t.label) for t in timings)
    for t in timings:
        line = f"  {t.label:<{width}}  median {format_seconds(t.median):>10}"
        line += f"  best {format_seconds(t.best):>10}"
        if baseline is not None and t is not baseline:
            line += f"  {ratio(baseline, t):7.1f}× vs {baseline.label}"
        print(line)
