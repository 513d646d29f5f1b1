"""The clock of a fixed-rate prim: how many calls are due as the host's time advances, and the
catch-up rule, written once for the general path and the fast lane (docs/usd.md, "Scheduling").

A ``continuous`` prim keeps its own clock, a :class:`Cadence`: each host step adds its ``dt``
to an accumulator, and the prim is due once per whole period (``1 / updateRate``) in it, so a
60 Hz module runs 60 times per simulated second whether the host steps at 24, 60 or 144
frames per second.

A live host that stalls (a slow frame, a breakpoint, a huge ``updateRate``) would make a prim
run unboundedly to catch up. :class:`CatchUp` bounds one step's calls of one unit (a prim, or
a fast-lane group) twice: at most ``max_calls`` calls, and no call started after the unit has
spent ``budget_s`` seconds of wall time in this step — so catch-up cannot multiply the
per-call deadline. The rest of the backlog is dropped, not carried, and counted.

An offline run (``Runner(offline=True)``, as ``portalis run`` makes) has neither bound: its
frames are not tied to the wall clock, every due call is made, and the result does not
depend on how fast the machine is.
"""

from __future__ import annotations

import time as _time
from collections.abc import Iterable, Iterator

#: Tolerance when counting whole periods in an accumulator (floating-point sums of 1/60).
_EPSILON = 1e-9
_ONE_CALL = range(1)


class CatchUp:
    """The catch-up rule of one runner, and the count of calls it dropped. ``max_calls``
    None: no cap on the calls of a step; ``budget_s`` None: no wall-clock budget."""

    __slots__ = ("budget_s", "dropped", "max_calls")

    def __init__(self, max_calls: int | None = 16, budget_s: float | None = None) -> None:
        if max_calls is not None and max_calls < 1:
            raise ValueError(f"max_catchup must be at least 1, not {max_calls}")
        if budget_s is not None and not budget_s > 0:
            raise ValueError(f"the catch-up time budget must be > 0 seconds, not {budget_s}")
        self.max_calls = max_calls
        #: Wall-clock seconds one unit may spend in one step before it stops catching up
        #: (None: no limit). The first call of a step always runs.
        self.budget_s = budget_s
        self.dropped = 0

    def calls(self, due: int) -> Iterable[int]:
        """The calls to make of ``due`` (already capped by :meth:`Cadence.advance`): indices
        ``0 … due-1``, cut short, and the rest counted as dropped, once the budget is spent."""
        if due == 1 or self.budget_s is None:
            return _ONE_CALL if due == 1 else range(due)
        return self._budgeted(due, self.budget_s)

    def _budgeted(self, due: int, budget_s: float) -> Iterator[int]:
        started = _time.perf_counter()
        yield 0
        for k in range(1, due):
            if _time.perf_counter() - started >= budget_s:
                self.dropped += due - k
                return
            yield k


class Cadence:
    """A fixed-rate clock: ``period`` seconds of host time per call, each call advancing
    simulated time by ``step_dt`` (the period, or a fluid's fixed ``timeStep``)."""

    __slots__ = ("accumulator", "period", "sim_time", "step_dt")

    def __init__(
        self, period: float, step_dt: float, accumulator: float = 0.0, sim_time: float = 0.0
    ) -> None:
        self.period = period
        self.step_dt = step_dt
        self.accumulator = accumulator
        self.sim_time = sim_time

    def advance(self, dt: float, rule: CatchUp) -> int:
        """Add ``dt`` seconds of host time; return how many calls are due now (at most
        ``rule.max_calls``: the rest of the backlog is dropped and counted in ``rule``)."""
        accumulator = self.accumulator + dt
        due = int(accumulator / self.period + _EPSILON)
        if due <= 0:
            self.accumulator = accumulator
            return 0
        self.accumulator = max(0.0, accumulator - due * self.period)
        if rule.max_calls is not None and due > rule.max_calls:
            rule.dropped += due - rule.max_calls
            return rule.max_calls
        return due

    def key(self) -> tuple[float, float, float, float]:
        """Cadences with equal keys tick together (the fast lane groups their prims)."""
        return (self.period, self.step_dt, self.accumulator, self.sim_time)

    def copy(self) -> Cadence:
        return Cadence(self.period, self.step_dt, self.accumulator, self.sim_time)

    def take(self, other: Cadence) -> None:
        """Continue from where ``other`` stands (a fast-lane group hands its clock back)."""
        self.accumulator = other.accumulator
        self.sim_time = other.sim_time
