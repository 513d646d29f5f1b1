"""Call statistics per module prim, and the per-module summary ``portalis run`` prints.

Durations are kept in a ring of the latest :data:`WINDOW` calls per prim (mean and counts
cover every call), so a host running for hours holds a bounded amount. With
``performanceMonitoring`` off a prim's calls are counted but not timed.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

WINDOW = 1 << 16


class PrimStatistics:
    """Calls, failures and call durations of one module prim.

    Durations arrive in :attr:`pending` (a plain list append is the cheapest thing a hot loop
    can do) and are folded into the totals and the ring of samples when read, or when the
    runner folds them now and then."""

    __slots__ = (
        "_max",
        "_ring",
        "_timed",
        "_total",
        "calls",
        "failures",
        "function",
        "handler_calls",
        "module",
        "monitoring",
        "pending",
        "prim_path",
    )

    def __init__(self, prim_path: str, module: str, function: str, monitoring: bool) -> None:
        self.prim_path = prim_path
        self.module = module
        self.function = function
        self.monitoring = monitoring
        self.calls = 0
        self.handler_calls = 0
        self.failures = 0
        self.pending: list[float] = []
        self._timed = 0
        self._total = 0.0
        self._max = 0.0
        self._ring = array("d")

    def record(self, seconds: float) -> None:
        self.pending.append(seconds)

    def fold(self) -> None:
        """Move pending durations into the totals and the ring of the latest WINDOW."""
        pending = self.pending
        if not pending:
            return
        self._total += sum(pending)
        self._max = max(self._max, max(pending))
        ring = self._ring
        if len(ring) + len(pending) <= WINDOW:  # the ring is still filling: one C-level copy
            ring.extend(pending)
            self._timed += len(pending)
            pending.clear()
            return
        for seconds in pending:
            if len(ring) < WINDOW:
                ring.append(seconds)
            else:
                ring[self._timed % WINDOW] = seconds
            self._timed += 1
        pending.clear()

    @property
    def timed_calls(self) -> int:
        self.fold()
        return self._timed

    @property
    def total_seconds(self) -> float:
        self.fold()
        return self._total

    @property
    def mean_seconds(self) -> float | None:
        self.fold()
        return self._total / self._timed if self._timed else None

    @property
    def max_seconds(self) -> float | None:
        """The slowest call ever timed: the one figure that explains a mean above the p99 (a
        single first-call outlier among a hundred fast calls lifts the mean, not the p99)."""
        self.fold()
        return self._max if self._timed else None

    def percentile(self, q: float) -> float | None:
        self.fold()
        if not self._ring:
            return None
        return float(np.percentile(np.frombuffer(self._ring, dtype=np.float64), q))

    def recent(self, n: int) -> np.ndarray:
        """The latest ``n`` (or fewer) call durations, in no particular order: a bounded read
        for hosts that show a live percentile (the Kit panel), where :meth:`samples` copies
        the whole window."""
        self.fold()
        ring: np.ndarray = np.frombuffer(self._ring, dtype=np.float64)
        recent: np.ndarray
        if len(ring) <= n:
            recent = ring.copy()
        elif (end := self._timed % WINDOW if len(ring) == WINDOW else len(ring)) >= n:
            recent = ring[end - n : end].copy()
        else:
            recent = np.concatenate((ring[:end], ring[len(ring) - (n - end) :]))
        return recent

    def samples(self) -> np.ndarray:
        self.fold()
        ring: np.ndarray = np.frombuffer(self._ring, dtype=np.float64).copy()
        return ring


@dataclass(frozen=True)
class ModuleSummary:
    """One line of the closing summary: a module over all the prims that run it."""

    module: str
    prims: int
    calls: int
    failures: int
    mean_seconds: float | None
    p99_seconds: float | None
    max_seconds: float | None = None


def summarize(stats: list[PrimStatistics]) -> list[ModuleSummary]:
    """Per-module totals, in the order modules first appear."""
    groups: dict[str, list[PrimStatistics]] = {}
    for s in stats:
        groups.setdefault(s.module, []).append(s)
    rows = []
    for module, members in groups.items():
        timed = sum(m.timed_calls for m in members)
        samples = [m.samples() for m in members if m.timed_calls]
        rows.append(
            ModuleSummary(
                module=module,
                prims=len(members),
                calls=sum(m.calls for m in members),
                failures=sum(m.failures for m in members),
                mean_seconds=sum(m.total_seconds for m in members) / timed if timed else None,
                p99_seconds=float(np.percentile(np.concatenate(samples), 99)) if samples else None,
                max_seconds=max(m.max_seconds or 0.0 for m in members) if timed else None,
            )
        )
    return rows
