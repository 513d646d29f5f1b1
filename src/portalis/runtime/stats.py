"""Call statistics. Counters live in flat machine arrays so the compiled fast path
(:mod:`portalis.runtime._fastcall`) and the Python one update the same memory; with
monitoring off neither touches them."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

#: Durations kept for percentiles (a ring buffer; mean and totals cover every call).
WINDOW = 4096


class FunctionStats:
    """Per-function counters: calls, failures, total time, and a window of durations."""

    __slots__ = ("counters", "name", "samples", "total")

    def __init__(self, name: str) -> None:
        self.name = name
        self.counters = array("q", [0, 0])  # calls, failures
        self.total = array("d", [0.0])
        self.samples = array("d", bytes(8 * WINDOW))

    @property
    def calls(self) -> int:
        return self.counters[0]

    @property
    def failures(self) -> int:
        return self.counters[1]

    @property
    def total_seconds(self) -> float:
        return self.total[0]

    def record(self, seconds: float) -> None:
        self.samples[self.counters[0] % WINDOW] = seconds
        self.counters[0] += 1
        self.total[0] += seconds

    def record_failure(self) -> None:
        self.counters[1] += 1

    @property
    def mean_seconds(self) -> float:
        return self.total_seconds / self.calls if self.calls else 0.0

    def percentile(self, q: float) -> float:
        n = min(self.calls, WINDOW)
        if n == 0:
            return 0.0
        ordered = sorted(self.samples[:n])
        return ordered[min(n - 1, round(q / 100.0 * (n - 1)))]

    def as_dict(self) -> dict[str, float | int | str]:
        return {
            "function": self.name,
            "calls": self.calls,
            "failures": self.failures,
            "total_ms": self.total_seconds * 1e3,
            "mean_ms": self.mean_seconds * 1e3,
            "p50_ms": self.percentile(50) * 1e3,
            "p99_ms": self.percentile(99) * 1e3,
        }


@dataclass
class ModuleStats:
    """Per-instance figures: how the module was loaded and how big its memory is."""

    module: str
    load_seconds: float
    compile_seconds: float
    cache_hit: bool
    instantiate_seconds: float = 0.0
    memory_bytes: int = 0
