"""Which bound prims run in a step, in what order, and how often (docs/usd.md, "Scheduling").

* ``continuous`` prims run once per call their :class:`~portalis.sim.schedule.Cadence` says
  is due, under the runner's :class:`~portalis.sim.schedule.CatchUp` rule; runs of them with
  one cadence go through the fast lane (:mod:`portalis.sim.fastlane`) as one group.
* ``on_demand`` prims run when the arguments they would get differ from their last call's,
  or when a host requested it.
* ``event_driven`` prims run when an event named in their ``triggerEvents`` is raised, in the
  same step, after the prims that raised it; each prim runs at most once per event name per
  step, which also ends any cycle of modules raising events for one another.

Prims run in dependency order (a prim reading another's output runs after it), then by path.
Every call goes through :meth:`Scheduler.call`, the prim's failure boundary: whatever it
raises disables that prim alone (:class:`~portalis.sim.failures.FailureLog`).
"""

from __future__ import annotations

import time as _time
from collections import deque
from collections.abc import Callable
from typing import Any

from portalis.sim import fastlane
from portalis.sim.binding import ModulePrim
from portalis.sim.events import Event
from portalis.sim.failures import FailureLog
from portalis.sim.fastlane import FastGroup, Stumble
from portalis.sim.schedule import CatchUp
from portalis.sim.sources import Clock
from portalis.usd import tokens as t

#: Steps between folds of pending call durations into the statistics.
_FOLD_EVERY = 1024
EVENT_HISTORY = 10_000

#: What runs in a step: single prims, and fast-lane groups.
Unit = ModulePrim | FastGroup


class Scheduler:
    """Runs ``prims`` (bound, in dependency order) step by step, on the runner's clock."""

    def __init__(
        self,
        prims: list[ModulePrim],
        clock: Clock,
        log: FailureLog,
        rule: CatchUp,
        *,
        start_time: float = 0.0,
        fast_lane: bool = True,
    ) -> None:
        self.prims = prims
        self.clock = clock
        self.log = log
        self.rule = rule
        self.fast_lane = fast_lane
        #: Simulated seconds since the run began (plus ``start_time``), and steps taken.
        self.time = start_time
        self.frame = 0
        self.units: list[Unit] = []
        self._units_dirty = True
        #: What ran in the current step (its outputs get written at the step's end).
        self.ran: list[Unit] = []
        self._serial = 0
        self.events: deque[Event] = deque(maxlen=EVENT_HISTORY)
        self._queue: deque[Event] = deque()
        self.listeners: list[Callable[[Event], None]] = []

    # -- a step ----------------------------------------------------------------------------

    def begin(self) -> None:
        """Start a new step (or a play/stop): nothing has run in it yet."""
        self.ran = []
        self._serial += 1

    def tick(self, dt: float) -> None:
        """Advance simulated time by ``dt``: a new step."""
        self.time += dt
        self.frame += 1

    def run_due(self, dt: float) -> None:
        """Run the continuous and on_demand prims due after the host's ``dt``."""
        if self._units_dirty:
            self._build_units()
        for unit in self.units:
            if isinstance(unit, FastGroup):
                outcome = unit.run(self.clock, dt, self.rule)
                if outcome is True:
                    self.ran.append(unit)
                elif outcome is not False:
                    self._recover(unit, outcome)
                continue
            if unit.failed or not unit.enabled:
                continue
            if unit.mode == t.CONTINUOUS:
                self._continuous(unit, dt)
            elif unit.mode == t.ON_DEMAND:
                self.maybe_on_demand(unit, self.time - (unit.last_run or 0.0))
        if self.frame % _FOLD_EVERY == 0:
            self.book()
            for module_prim in self.prims:
                module_prim.stats.fold()

    def start_on_demand(self) -> None:
        """Play: every on_demand prim gets its first evaluation."""
        for module_prim in self.prims:
            if module_prim.mode == t.ON_DEMAND:
                self.maybe_on_demand(module_prim, 0.0)

    def _continuous(self, module_prim: ModulePrim, dt: float) -> None:
        cadence = module_prim.cadence
        due = cadence.advance(dt, self.rule)
        if due <= 0:
            return
        for _ in self.rule.calls(due):
            if module_prim.failed:
                return
            self.call(module_prim, cadence.step_dt, cadence.sim_time)

    def maybe_on_demand(self, module_prim: ModulePrim, dt: float) -> None:
        if module_prim.failed or not module_prim.enabled:
            return
        try:
            arguments = module_prim.arguments()
        except Exception as e:  # isolation: a value no parameter can take fails this prim
            self.fail(module_prim, e)
            return
        if module_prim.requested or arguments != module_prim.last_arguments:
            module_prim.requested = False
            module_prim.last_arguments = arguments
            self.call(
                module_prim, module_prim.cadence.step_dt if module_prim.fixed_dt else dt, self.time
            )

    # -- events ----------------------------------------------------------------------------

    def raise_event(self, name: str, *, source: str = "", payload: Any = None) -> None:
        self._queue.append(Event(name, source, self.time, payload))

    def dispatch(self) -> None:
        """Run the event_driven prims waiting for the events queued so far (and for those
        their calls raise), each at most once per event name."""
        done: set[tuple[str, str]] = set()
        while self._queue:
            event = self._queue.popleft()
            self.events.append(event)
            for callback in self.listeners:
                callback(event)
            for module_prim in self.prims:
                if (
                    module_prim.mode != t.EVENT_DRIVEN
                    or module_prim.failed
                    or not module_prim.enabled
                    or (module_prim.triggers and event.name not in module_prim.triggers)
                    or (module_prim.path, event.name) in done
                ):
                    continue
                done.add((module_prim.path, event.name))
                since = (
                    self.time - module_prim.last_run if module_prim.last_run is not None else 0.0
                )
                self.call(
                    module_prim,
                    module_prim.cadence.step_dt if module_prim.fixed_dt else since,
                    self.time,
                )

    # -- one call: the failure boundary ----------------------------------------------------

    def call(self, module_prim: ModulePrim, dt: float, now: float) -> None:
        """One call of ``module_prim`` at simulated time ``now``, advancing ``dt``."""
        clock = self.clock
        clock.dt = dt
        clock.time = now
        stats = module_prim.stats
        try:
            if module_prim.monitoring:
                t0 = _time.perf_counter()
                raised = module_prim.run()
                stats.record(_time.perf_counter() - t0)
            else:
                raised = module_prim.run()
        except Exception as e:  # isolation: any failure stops this prim only
            self.fail(module_prim, e)
            return
        stats.calls += 1
        module_prim.cadence.sim_time = now + dt if module_prim.mode == t.CONTINUOUS else self.time
        module_prim.last_run = self.time
        if module_prim.ran_in != self._serial:
            module_prim.ran_in = self._serial
            self.ran.append(module_prim)
        for name in raised:
            self.raise_event(name, source=module_prim.path)

    def fail(self, module_prim: ModulePrim, error: BaseException) -> None:
        """Report ``module_prim``'s failure, disable it, and regroup the fast lane."""
        self.log.disable(module_prim, error, self.time)
        self._units_dirty = True

    def _recover(self, group: FastGroup, stumble: Stumble) -> None:
        """A member of ``group`` failed during call ``stumble.done``: report it, finish the
        step on the general path, and regroup."""
        members = group.members
        step_dt, sim_time = group.cadence.step_dt, group.cadence.sim_time
        self._mark_ran(group.settle(stumble))
        self.fail(members[stumble.failed_at], stumble.error)
        for member in members[stumble.failed_at + 1 :]:
            self.call(member, step_dt, sim_time)
        for _ in range(stumble.due - stumble.done - 1):
            for member in members:
                if not member.failed:
                    self.call(member, step_dt, member.cadence.sim_time)

    def _mark_ran(self, prims: list[ModulePrim]) -> None:
        serial = self._serial
        for module_prim in prims:
            if module_prim.ran_in != serial:
                module_prim.ran_in = serial
                self.ran.append(module_prim)

    # -- the fast lane's groups ------------------------------------------------------------

    def regroup(self, prims: list[ModulePrim] | None = None) -> None:
        """Rebuild the fast lane's groups before the next step (a prim failed, was enabled or
        disabled, or changed shape); with ``prims``, a new dependency order too."""
        if prims is not None:
            self.prims = prims
        self._units_dirty = True

    def book(self) -> None:
        """Bring every prim's statistics and cadence up to date with its fast-lane group."""
        for unit in self.units:
            if isinstance(unit, FastGroup):
                unit.book()

    def _build_units(self) -> None:
        self.book()
        units: list[Unit] = []
        run: list[ModulePrim] = []

        def close_run() -> None:
            if len(run) > 1:
                units.append(FastGroup(list(run)))
            else:
                units.extend(run)
            run.clear()

        for module_prim in self.prims:
            if self.fast_lane and fastlane.eligible(module_prim):
                if run and fastlane.group_key(run[0]) != fastlane.group_key(module_prim):
                    close_run()
                run.append(module_prim)
            else:
                close_run()
                units.append(module_prim)
        close_run()
        self.units = units
        self._units_dirty = False
